//go:build openai_no_pkgconfig

package openai

// Without pkg-config: the header's directory comes from CGO_CFLAGS (-I) and the library's from
// CGO_LDFLAGS (-L, and -Wl,-rpath or LD_LIBRARY_PATH to run), e.g. those of a clone built with
// cargo.

/*
#cgo LDFLAGS: -lopenai
*/
import "C"
