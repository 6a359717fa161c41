package openai

/*
#include "openai.h"
*/
import "C"

import (
	"fmt"
	"runtime"
)

// Code is the result code of a call (openai_code). The codes from 400 up mirror the HTTP
// status of an API error; the small ones are failures on this side of the network.
//
// A Code is also an error, so errors.Is(err, openai.CodeNotFound) tells what an error is. The
// constants are generated from bindings/codes.json (codes_gen.go).
type Code int

// String is the code's C name ("OPENAI_NOT_FOUND").
func (c Code) String() string {
	return C.GoString(C.openai_code_name(C.int(c)))
}

// Error makes a Code usable as an errors.Is target.
func (c Code) Error() string { return c.String() }

// Error is the error of a failed call: an API error (4xx/5xx), a connection failure, a
// timeout, an invalid argument or an error event of a stream. Use errors.As to read it:
//
//	var apiErr *openai.Error
//	if errors.As(err, &apiErr) && apiErr.Status == 429 { ... apiErr.RequestID ... }
//
// A call cancelled through its context returns the context's error (context.Canceled or
// context.DeadlineExceeded), not an *Error.
type Error struct {
	// Kind is the library's classification of the failure (CodeNotFound, CodeConnection, ...).
	Kind Code
	// Status is the HTTP status, 0 when no HTTP response came.
	Status int
	// Type, Code and Param are the fields of the API's error body {"error": {...}} ("" when
	// absent): "invalid_request_error", "model_not_found", "model".
	Type  string
	Code  string
	Param string
	// Message is the API error's message when the body has one, else the library's text.
	Message string
	// RequestID is the x-request-id header of the response ("" when none): quote it to
	// OpenAI's support.
	RequestID string
	// Response is the whole response (status, headers, body), nil when there was none.
	Response *Response

	text string // the library's text: "Error code: 404 - ..." for an API error
}

// Error is the library's message: for an API error the official SDK's text,
// "Error code: 404 - <message>".
func (e *Error) Error() string {
	if e.text != "" {
		return e.text
	}
	if e.Message != "" {
		return e.Message
	}
	return e.Kind.String()
}

// Is reports whether target is this error's Kind, so that errors.Is(err, openai.CodeRateLimit)
// works.
func (e *Error) Is(target error) bool {
	c, ok := target.(Code)
	return ok && c == e.Kind
}

// invalidArgument is an error found on the Go side before anything was sent.
func invalidArgument(format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Kind: CodeInvalidArgument, Message: msg, text: msg}
}

// lastError is the library's message of the last failed call on this thread
// (openai_last_error is per thread): call it with the OS thread locked since the failing
// call, see failing.
func lastError(code C.openai_code) *Error {
	msg := ""
	if p := C.openai_last_error(); p != nil {
		msg = C.GoString(p)
	}
	return &Error{Kind: Code(code), Message: msg, text: msg}
}

// failing runs f, a C call that returns a code and leaves its message in openai_last_error on
// failure, with the goroutine locked to its thread so that the message read is this call's.
func failing(f func() C.openai_code) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if code := f(); code != C.OPENAI_OK {
		return lastError(code)
	}
	return nil
}
