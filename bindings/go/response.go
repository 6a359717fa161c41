package openai

/*
#include <stdlib.h>
#include "openai.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"net/http"
	"unsafe"
)

// Response is the raw response of a call, successful or not, copied out of the library (it
// holds no native memory and needs no Close).
type Response struct {
	// Code is the call's result: CodeOK for a 2xx status, the status's code for an API error,
	// or why no response came.
	Code Code
	// Status is the HTTP status code, 0 when no HTTP response came.
	Status int
	// Header holds the response headers (a header sent twice has two values).
	Header http.Header
	// Body is the body as it came: JSON for most operations, the bytes of binary content
	// (audio.speech.create, files.content, ...), text for some audio transcription formats;
	// empty for a download to a file and for a stream.
	Body []byte
	// RequestID is the x-request-id header, "" when none.
	RequestID string
	// Retries is how many retries the call took.
	Retries int
}

// Decode unmarshals the JSON body into v.
func (r *Response) Decode(v any) error { return json.Unmarshal(r.Body, v) }

// goString copies a borrowed C string ("" for NULL).
func goString(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// goBytes copies n bytes at p.
func goBytes(p *C.char, n C.size_t) []byte {
	if p == nil || n == 0 {
		return []byte{}
	}
	out := make([]byte, int(n))
	copy(out, unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n)))
	return out
}

// copyResponse copies a native response (which the caller still owns and frees) into Go
// values, and builds the *Error of a failed call (nil for CodeOK).
func copyResponse(r *C.openai_response, withBody bool) (*Response, error) {
	if r == nil {
		resp := &Response{Code: CodeInternal, Header: http.Header{}, Body: []byte{}}
		return resp, &Error{Kind: CodeInternal, Message: "no response", text: "no response", Response: resp}
	}
	resp := &Response{
		Code:      Code(C.openai_response_code(r)),
		Status:    int(C.openai_response_status(r)),
		Header:    http.Header{},
		RequestID: goString(C.openai_response_request_id(r)),
		Retries:   int(C.openai_response_retries(r)),
	}
	n := C.openai_response_header_count(r)
	for i := C.size_t(0); i < n; i++ {
		var name, value *C.char
		if C.openai_response_header_at(r, i, &name, &value) == C.OPENAI_OK {
			resp.Header.Add(goString(name), goString(value))
		}
	}
	if withBody {
		var blen C.size_t
		body := C.openai_response_body(r, &blen)
		resp.Body = goBytes(body, blen)
	} else {
		resp.Body = []byte{}
	}
	if resp.Code == CodeOK {
		return resp, nil
	}
	e := &Error{
		Kind:      resp.Code,
		Status:    resp.Status,
		Type:      goString(C.openai_response_api_error_type(r)),
		Code:      goString(C.openai_response_api_error_code(r)),
		Param:     goString(C.openai_response_api_error_param(r)),
		Message:   goString(C.openai_response_api_error_message(r)),
		RequestID: resp.RequestID,
		Response:  resp,
		text:      goString(C.openai_response_error_message(r)),
	}
	if e.Message == "" {
		e.Message = e.text
	}
	return resp, e
}

// takeResponse copies a native response, frees it, and returns the call's result: the
// response, or its *Error; the context's error instead when the call was cancelled because
// ctx is done.
func takeResponse(r *C.openai_response, ctx context.Context) (*Response, error) {
	resp, err := copyResponse(r, true)
	C.openai_response_free(r)
	if err != nil {
		if resp.Code == CodeCancelled && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return resp, nil
}
