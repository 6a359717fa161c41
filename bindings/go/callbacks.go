package openai

// The Go functions the library calls back. This file's preamble holds declarations only (cgo
// copies the preamble of a file with //export into its generated C), so the C shims that pass
// these functions to the library live in the preambles of other files.

/*
#include <stdbool.h>
#include <stdint.h>
#include "openai.h"
*/
import "C"

import (
	"sync"
	"unsafe"
)

// registry maps the ids handed to C as userdata to the Go values they stand for. Unlike
// cgo.Handle, a lookup of an id that is gone reports false instead of panicking, so a late
// callback (a progress report racing with Close) is ignored safely. Ids are never reused.
var registry = struct {
	sync.Mutex
	next uintptr
	m    map[uintptr]any
}{m: make(map[uintptr]any)}

func register(v any) uintptr {
	registry.Lock()
	defer registry.Unlock()
	registry.next++
	registry.m[registry.next] = v
	return registry.next
}

func lookup(id uintptr) (any, bool) {
	registry.Lock()
	defer registry.Unlock()
	v, ok := registry.m[id]
	return v, ok
}

func unregister(id uintptr) {
	registry.Lock()
	defer registry.Unlock()
	delete(registry.m, id)
}

// openaiGoComplete is the completion callback (openai_callback) of every _async call: it
// hands the response, which it owns, to the goroutine waiting for it. It runs exactly once per
// future, on a library thread; the channel has room for one, so it never blocks.
//
//export openaiGoComplete
func openaiGoComplete(resp *C.openai_response, userdata unsafe.Pointer) {
	v, ok := lookup(uintptr(userdata))
	if !ok {
		C.openai_response_free(resp)
		return
	}
	v.(chan *C.openai_response) <- resp
}

// openaiGoProgress is the progress callback (openai_progress_callback) of uploads and
// downloads to a file.
//
//export openaiGoProgress
func openaiGoProgress(done, total C.uint64_t, userdata unsafe.Pointer) {
	if v, ok := lookup(uintptr(userdata)); ok {
		v.(func(done, total uint64))(uint64(done), uint64(total))
	}
}

// openaiGoLog is the log callback (openai_log_callback) set by SetLogCallback.
//
//export openaiGoLog
func openaiGoLog(level C.openai_log_level, message *C.char, userdata unsafe.Pointer) {
	if v, ok := lookup(uintptr(userdata)); ok {
		v.(func(LogLevel, string))(LogLevel(level), C.GoString(message))
	}
}

// openaiGoReconnect is the reconnection callback (openai_reconnect_callback) of a session
// with SessionOptions.OnReconnect. It runs on a library thread, before each attempt.
//
//export openaiGoReconnect
func openaiGoReconnect(session *C.openai_realtime, attempt, maxAttempts C.uint32_t, delayMs C.uint64_t, closeCode C.int, next *C.openai_reconnect, userdata unsafe.Pointer) C.bool {
	return C.bool(reconnecting(uintptr(userdata), uint32(attempt), uint32(maxAttempts), uint64(delayMs), int(closeCode), next))
}
