//go:build !openai_no_pkgconfig

package openai

// The installed library and header, found through its openai.pc.

/*
#cgo pkg-config: openai
*/
import "C"
