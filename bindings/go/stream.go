package openai

/*
#include "openai.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"
)

// Event is one server-sent event of a stream.
type Event struct {
	// Name is the event: field ("thread.message.delta", "error"), "" for unnamed events (chat
	// completion chunks).
	Name string
	// Data is the event's data (its data: lines joined with "\n"), JSON for the API's streams.
	Data []byte
	// ID is the last id: field the stream sent up to this event, "" when none.
	ID string
	// Audio is the decoded PCM of an audio delta event of a Realtime session
	// (response.output_audio.delta), nil for any other event.
	Audio []byte
}

// Decode unmarshals the event's JSON data into v.
func (e Event) Decode(v any) error { return json.Unmarshal(e.Data, v) }

// Stream is an event stream, read as an iterator:
//
//	stream, err := client.Chat.Completions.NewStreaming(ctx, body)
//	if err != nil { ... }
//	defer stream.Close()
//	for stream.Next() {
//		event := stream.Current()
//		...
//	}
//	if err := stream.Err(); err != nil { ... }
//
// or with range over Events:
//
//	for event, err := range stream.Events() { ... }
//
// Next waits for the next event; it honours the context the stream was opened with (a
// cancelled context ends the stream, whose connection is dropped, and Err returns the
// context's error). Next, Current and Err are used by one goroutine at a time; Close may be
// called from any goroutine, also while Next waits, and must always be called: it drops the
// connection (an abandoned generation stops) and frees the native stream.
type Stream struct {
	mu      sync.Mutex
	ctx     context.Context
	scope   *scoped
	ptr     *C.openai_stream
	resp    *Response
	cur     Event
	err     error
	done    bool
	closing atomic.Bool
	once    sync.Once
}

// stream opens a stream with a blocking _stream function (it returns once the response
// headers arrived) through a client scoped to ctx.
func (c *handle) stream(ctx context.Context, open func(*C.openai_client, **C.openai_stream) C.openai_code) (*Stream, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	scope, err := c.scoped(ctx)
	if err != nil {
		return nil, err
	}
	var ptr *C.openai_stream
	code := open(scope.ptr, &ptr)
	if code != C.OPENAI_OK {
		err := streamFailure(ptr, code)
		C.openai_stream_free(ptr)
		scope.free()
		if code == C.OPENAI_CANCELLED && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	s := &Stream{ctx: ctx, scope: scope, ptr: ptr}
	if r := C.openai_stream_response(ptr); r != nil {
		s.resp, _ = copyResponse(r, false)
	}
	runtime.SetFinalizer(s, (*Stream).Close) // a safety net only
	return s, nil
}

// streamFailure is the error that ended a stream (or kept it from starting).
func streamFailure(ptr *C.openai_stream, code C.openai_code) error {
	msg := goString(C.openai_stream_error_message(ptr))
	var resp *Response
	if r := C.openai_stream_response(ptr); r != nil {
		var err error
		resp, err = copyResponse(r, true)
		if e, ok := err.(*Error); ok && e.Kind == Code(code) {
			return e // the failed response itself: an HTTP error before the stream began
		}
	}
	e := &Error{Kind: Code(code), Message: msg, text: msg, Response: resp}
	if resp != nil {
		e.Status = resp.Status
		e.RequestID = resp.RequestID
	}
	return e
}

// Next waits for the next event and reports whether there is one (then read it with
// Current). It returns false at the end of the stream, on an error (see Err), when the
// stream's context is done, and after Close.
func (s *Stream) Next() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done || s.ptr == nil {
		return false
	}
	if err := s.ctx.Err(); err != nil {
		s.done, s.err = true, err
		return false
	}
	var ev *C.openai_event
	code := C.openai_stream_next(s.ptr, -1, &ev)
	if code == C.OPENAI_OK && ev != nil {
		var n C.size_t
		data := C.openai_event_data(ev, &n)
		s.cur = Event{
			Name: goString(C.openai_event_name(ev)),
			Data: goBytes(data, n),
			ID:   goString(C.openai_event_id(ev)),
		}
		C.openai_event_free(ev)
		return true
	}
	s.done = true
	s.cur = Event{}
	switch {
	case code == C.OPENAI_OK: // the clean end
	case s.closing.Load(): // closed by another goroutine
	case code == C.OPENAI_CANCELLED && s.ctx.Err() != nil:
		s.err = s.ctx.Err()
	default:
		s.err = streamFailure(s.ptr, code)
	}
	return false
}

// Events iterates over the stream's events: each event with a nil error, then, if the stream
// ended with an error, one last zero Event with it (Err's error). Breaking out of the loop
// leaves the stream open (Close it as always); the next range goes on where this one stopped.
func (s *Stream) Events() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for s.Next() {
			if !yield(s.Current(), nil) {
				return
			}
		}
		if err := s.Err(); err != nil {
			yield(Event{}, err)
		}
	}
}

// Current is the event the last successful Next returned.
func (s *Stream) Current() Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// Err is the error that ended the stream: nil after a clean end (or Close), the context's
// error when it was cancelled, else an *Error (CodeStreamError for an error event,
// CodeConnection when the connection broke, CodeTimeout when it went silent too long).
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Response is the stream's response: HTTP status, headers and request id (no body).
func (s *Stream) Response() *Response { return s.resp }

// Close closes the stream: its connection is dropped at once and the native stream freed. A
// Next waiting in another goroutine returns false. Closing twice does nothing.
func (s *Stream) Close() error {
	s.once.Do(func() {
		s.closing.Store(true)
		s.scope.cancel() // wakes a Next that waits
		s.mu.Lock()
		defer s.mu.Unlock()
		C.openai_stream_free(s.ptr)
		s.ptr = nil
		s.done = true
		s.scope.free()
		runtime.SetFinalizer(s, nil)
	})
	return nil
}
