package openai

/*
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "openai.h"

extern bool openaiGoReconnect(openai_realtime *, uint32_t, uint32_t, uint64_t, int, openai_reconnect *, void *);

static openai_code openai_go_realtime_options_set_reconnect(openai_realtime_options *options, uintptr_t userdata) {
	return openai_realtime_options_set_reconnect(options, userdata ? openaiGoReconnect : NULL, (void *)userdata);
}
*/
import "C"

import (
	"context"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Session is a WebSocket session: the Realtime API (client.Realtime.Connect) or the Responses
// API over a persistent WebSocket (client.Responses.Connect). Client events go out with Send
// (and AppendAudio for raw PCM16 audio); server events are read as an iterator:
//
//	session, err := client.Realtime.Connect(ctx, openai.Options{"model": "gpt-realtime"}, nil)
//	if err != nil { ... }
//	defer session.Close()
//	err = session.Send(`{"type":"response.create"}`)
//	for event, err := range session.Events() {
//		if err != nil { ... }            // how the session ended, if not cleanly
//		... event.Name (the event's type), event.Data (its JSON), event.Audio (PCM of an audio delta)
//	}
//
// Send, AppendAudio, SendClose, Close and the accessors may be called from any goroutine, also
// at the same time; Next, Current, Err and Events by one goroutine at a time. The session lives
// until it ends (a close from either side, a dropped connection, its context done) and must
// always be closed with Close, which frees it.
type Session struct {
	read    sync.Mutex   // held by Next
	life    sync.RWMutex // write-held by Close while it frees ptr
	ctx     context.Context
	ptr     *C.openai_realtime
	stop    func() bool   // ends the watch on ctx
	stopped chan struct{} // closed once the watch cancelled the session
	cur     Event
	err     error
	done    bool
	resp    *Response // kept by Close: the last handshake's response
	code    int       // kept by Close: the last close code and reason
	reason  string
	rid     uintptr // the registry id of the reconnection function, 0 for none
	closing atomic.Bool
	once    sync.Once
}

// SessionOptions are the options of a session (nil for the defaults).
type SessionOptions struct {
	// Options are the settings of openai_realtime_options_new as a JSON object (a string,
	// []byte or any value encoding/json encodes, nil for none): max_retries, initial_delay,
	// max_delay, idle_timeout, ping_interval, headers, client_secret (an ephemeral client secret
	// sent instead of the client's key), max_send_queue_bytes, max_reconnect_queue_bytes,
	// max_queued_events, max_queued_bytes.
	Options any
	// OnReconnect, if not nil, turns reconnection on, as the official SDK does it: after the
	// connection closed with a recoverable code (1001, 1005, 1006 for a dropped connection,
	// 1011, 1012, 1013, 1015) it is called before each attempt, on a library thread, and may
	// change the next connection's query or headers; it returns false to end the session
	// instead. Client events sent meanwhile wait in a bounded queue (a full one makes Send
	// return CodeQueueFull). It must not panic, nor call the session's Close (Close waits for
	// it to return).
	OnReconnect func(next *Reconnect) bool
}

// Reconnect describes a reconnection attempt; it is valid only during the OnReconnect call.
type Reconnect struct {
	Attempt     int           // from 1
	MaxAttempts int           // the session's max_retries
	Delay       time.Duration // the wait before this attempt
	CloseCode   int           // the close code that ended the connection (1006: dropped)
	next        *C.openai_reconnect
}

// Query is the query of the next connection, as a JSON object's text.
func (r *Reconnect) Query() string {
	if r.next == nil {
		return ""
	}
	return goString(C.openai_reconnect_query(r.next))
}

// SetQuery replaces the query of the next connection (and of later ones) with query, a JSON
// object.
func (r *Reconnect) SetQuery(query any) error {
	if r.next == nil {
		return invalidArgument("the reconnection is over: SetQuery is only valid during OnReconnect")
	}
	var a args
	defer a.free()
	cQuery := a.json("query", query)
	if a.err != nil {
		return a.err
	}
	return failing(func() C.openai_code { return C.openai_reconnect_set_query(r.next, cQuery) })
}

// SetHeader sets a handshake header of the next connection (and of later ones); an empty
// value removes the header, also one the library sends.
func (r *Reconnect) SetHeader(name, value string) error {
	if r.next == nil {
		return invalidArgument("the reconnection is over: SetHeader is only valid during OnReconnect")
	}
	var a args
	defer a.free()
	cName := a.str("name", name)
	cValue := a.optStr("value", value)
	if a.err != nil {
		return a.err
	}
	return failing(func() C.openai_code { return C.openai_reconnect_set_header(r.next, cName, cValue) })
}

// Connect opens a Realtime session: wss://<base URL>/realtime?<query> (ws:// for an http://
// base URL) with the client's credentials and settings. query is a JSON object of query
// parameters, e.g. openai.Options{"model": "gpt-realtime"}, or {"call_id": "..."} to attach
// to a SIP or WebRTC call.
//
// Without options it returns once the handshake is done, or its failure: a refused upgrade as
// an *Error with the HTTP status (CodeAuthentication, ...), CodeConnection, CodeTimeout, or
// ctx's error. With options it returns at once (the handshake is made by a library thread and
// events may be sent already); a failure to connect then ends the session, and Next or Events
// report it. ctx governs the whole session: when it is done, the session ends (its connection
// dropped) and Err returns ctx's error.
func (r *RealtimeService) Connect(ctx context.Context, query any, options *SessionOptions) (*Session, error) {
	return r.h.connect(ctx, query, options, false)
}

// Connect opens a session of the Responses API over a persistent WebSocket
// (wss://<base URL>/responses): send response.create events with Send and read the Responses
// stream events (response.created, response.output_text.delta, ..., response.completed) as
// from a Realtime session. query (a JSON object, or nil), options, results and ctx as for
// client.Realtime.Connect.
func (r *ResponsesService) Connect(ctx context.Context, query any, options *SessionOptions) (*Session, error) {
	return r.h.connect(ctx, query, options, true)
}

func (c *handle) connect(ctx context.Context, query any, options *SessionOptions, responses bool) (*Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var a args
	defer a.free()
	cQuery := a.json("query", query)
	if a.err != nil {
		return nil, a.err
	}
	s := &Session{ctx: ctx}
	if options == nil {
		// The handshake through a client bound to ctx, so that ctx cancels it.
		scope, err := c.scoped(ctx)
		if err != nil {
			return nil, err
		}
		var ptr *C.openai_realtime
		var code C.openai_code
		if responses {
			code = C.openai_responses_connect(scope.ptr, cQuery, &ptr)
		} else {
			code = C.openai_realtime_connect(scope.ptr, cQuery, &ptr)
		}
		scope.free()
		if code != C.OPENAI_OK {
			err := sessionFailure(ptr, code)
			C.openai_realtime_free(ptr)
			if code == C.OPENAI_CANCELLED && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		s.ptr = ptr
	} else {
		var opts *C.openai_realtime_options
		cOptions := a.json("options", options.Options)
		if a.err != nil {
			return nil, a.err
		}
		if err := failing(func() C.openai_code { return C.openai_realtime_options_new(cOptions, &opts) }); err != nil {
			return nil, err
		}
		defer C.openai_realtime_options_free(opts)
		if options.OnReconnect != nil {
			s.rid = register(options.OnReconnect)
			if err := failing(func() C.openai_code { return C.openai_go_realtime_options_set_reconnect(opts, C.uintptr_t(s.rid)) }); err != nil {
				unregister(s.rid)
				return nil, err
			}
		}
		c.mu.RLock()
		if c.ptr == nil {
			c.mu.RUnlock()
			if s.rid != 0 {
				unregister(s.rid)
			}
			return nil, errClosed()
		}
		if responses {
			s.ptr = C.openai_responses_connect_async(c.ptr, cQuery, opts)
		} else {
			s.ptr = C.openai_realtime_connect_async(c.ptr, cQuery, opts)
		}
		c.mu.RUnlock()
	}
	ptr := s.ptr
	s.stopped = make(chan struct{})
	s.stop = context.AfterFunc(ctx, func() {
		defer close(s.stopped)
		C.openai_realtime_cancel(ptr)
	})
	runtime.SetFinalizer(s, (*Session).Close) // a safety net only
	return s, nil
}

// sessionFailure is the error that ended a session (or kept it from opening).
func sessionFailure(ptr *C.openai_realtime, code C.openai_code) error {
	msg := goString(C.openai_realtime_error_message(ptr))
	if r := C.openai_realtime_response(ptr); r != nil {
		if _, err := copyResponse(r, true); err != nil {
			if e, ok := err.(*Error); ok && e.Kind == Code(code) {
				return e // the refused upgrade itself
			}
		}
	}
	if msg == "" {
		msg = Code(code).String()
	}
	return &Error{Kind: Code(code), Message: msg, text: msg}
}

// Send sends one client event: a JSON object (a string, []byte or json.RawMessage as it is,
// any other value encoded with encoding/json), checked, then sent as one text frame. Events
// from any number of goroutines go out one whole frame at a time, in the order of the calls.
// It returns once the event is queued, waiting for room while the send queue is full
// (back-pressure); while the session reconnects a full queue is CodeQueueFull. After the session
// ended it returns the error that ended it (CodeConnection, ...), or CodeInvalidArgument after
// Close.
func (s *Session) Send(event any) error {
	var a args
	defer a.free()
	cEvent := a.json("event", event)
	if a.err != nil {
		return a.err
	}
	s.life.RLock()
	defer s.life.RUnlock()
	if s.ptr == nil {
		return invalidArgument("the session is closed")
	}
	return failing(func() C.openai_code { return C.openai_realtime_send(s.ptr, cEvent) })
}

// AppendAudio appends raw PCM16 audio (16-bit little-endian samples in the session's input
// format, 24 kHz mono by default) to the input audio buffer: the library base64-encodes it into
// input_audio_buffer.append events of 32 KiB of audio each, sent in order as Send sends. len(pcm)
// must be even (whole samples). pcm is only read during the call. Results as Send's.
func (s *Session) AppendAudio(pcm []byte) error {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.ptr == nil {
		return invalidArgument("the session is closed")
	}
	var p unsafe.Pointer
	if len(pcm) > 0 {
		p = unsafe.Pointer(&pcm[0]) // read during the call only: allowed by the cgo pointer rules
	}
	err := failing(func() C.openai_code { return C.openai_realtime_append_audio(s.ptr, p, C.size_t(len(pcm))) })
	runtime.KeepAlive(pcm)
	return err
}

// Next waits for the next server event and reports whether there is one (then read it with
// Current). error events of the API come this way too: the session goes on after them. It
// returns false once the session ended (see Err and CloseCode) and after Close.
func (s *Session) Next() bool {
	s.read.Lock()
	defer s.read.Unlock()
	s.life.RLock()
	defer s.life.RUnlock()
	if s.done || s.ptr == nil {
		return false
	}
	var ev *C.openai_event
	code := C.openai_realtime_next(s.ptr, -1, &ev)
	if code == C.OPENAI_OK && ev != nil {
		s.cur = takeEvent(ev)
		return true
	}
	s.done = true
	s.cur = Event{}
	switch {
	case code == C.OPENAI_OK: // a clean close
	case s.closing.Load(): // closed by another goroutine
	case code == C.OPENAI_CANCELLED && s.ctx.Err() != nil:
		s.err = s.ctx.Err()
	default:
		s.err = sessionFailure(s.ptr, code)
	}
	return false
}

// takeEvent copies a native event (with the PCM of an audio delta) and frees it.
func takeEvent(ev *C.openai_event) Event {
	var n, an C.size_t
	data := C.openai_event_data(ev, &n)
	e := Event{
		Name: goString(C.openai_event_name(ev)),
		Data: goBytes(data, n),
		ID:   goString(C.openai_event_id(ev)),
	}
	if audio := C.openai_event_audio(ev, &an); audio != nil {
		e.Audio = goBytes((*C.char)(audio), an)
	}
	C.openai_event_free(ev)
	return e
}

// Current is the event the last successful Next returned.
func (s *Session) Current() Event {
	s.read.Lock()
	defer s.read.Unlock()
	return s.cur
}

// Err is the error that ended the session: nil while it goes on, after a clean close (by
// either side, see CloseCode) and after Close; ctx's error when its context ended it; else an
// *Error (CodeConnection when the connection dropped or the server closed it with another
// code, CodeTimeout after the idle timeout, a refused upgrade's code).
func (s *Session) Err() error {
	s.read.Lock()
	defer s.read.Unlock()
	return s.err
}

// Events iterates over the session's server events: each with a nil error, then, if the
// session ended with an error, one last zero Event with it. Breaking out of the loop leaves the
// session open.
func (s *Session) Events() iter.Seq2[Event, error] {
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

// SendClose closes the session properly: a close frame with code (0 for 1000, else 1000 or
// 3000..4999) and reason (at most 123 bytes) goes out after the events already queued; the
// session ends once the server answers (or after 5 s): Next then returns false with a nil Err.
// Nothing can be sent afterwards. It returns at once. Close the session as always.
func (s *Session) SendClose(code int, reason string) error {
	var a args
	defer a.free()
	cReason := a.optStr("reason", reason)
	if a.err != nil {
		return a.err
	}
	s.life.RLock()
	defer s.life.RUnlock()
	if s.ptr == nil {
		return invalidArgument("the session is closed")
	}
	return failing(func() C.openai_code { return C.openai_realtime_close(s.ptr, C.int(code), cReason) })
}

// CloseCode is the close code that ended the session's last connection and its reason: the
// server's close frame's (1005 for one without a code), the one SendClose sent, or 1006 when
// the connection dropped without a close frame; 0 while the session goes on.
func (s *Session) CloseCode() (code int, reason string) {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.ptr == nil {
		return s.code, s.reason
	}
	return int(C.openai_realtime_close_code(s.ptr)), goString(C.openai_realtime_close_reason(s.ptr))
}

// Response is the latest handshake's response (status 101 and its headers, x-request-id
// included), nil before the first handshake completed.
func (s *Session) Response() *Response {
	s.life.RLock()
	defer s.life.RUnlock()
	if s.ptr == nil {
		return s.resp
	}
	return sessionResponse(s.ptr)
}

// sessionResponse copies the session's latest handshake response (nil before the first).
func sessionResponse(ptr *C.openai_realtime) *Response {
	r := C.openai_realtime_response(ptr)
	if r == nil {
		return nil
	}
	resp, _ := copyResponse(r, true)
	return resp
}

// Close ends the session at once if it goes on (its connection dropped, no close frame: use
// SendClose first for one) and frees it; a Next waiting in another goroutine returns false.
// Closing twice does nothing.
func (s *Session) Close() error {
	s.once.Do(func() {
		s.closing.Store(true)
		C.openai_realtime_cancel(s.ptr) // wakes a Next or a Send that waits
		if !s.stop() {
			<-s.stopped // the watch is cancelling: let it finish before the free
		}
		s.life.Lock()
		defer s.life.Unlock()
		s.resp = sessionResponse(s.ptr)
		s.code, s.reason = int(C.openai_realtime_close_code(s.ptr)), goString(C.openai_realtime_close_reason(s.ptr))
		C.openai_realtime_free(s.ptr) // waits for a reconnection callback that runs
		s.ptr = nil
		if s.rid != 0 {
			unregister(s.rid)
		}
		runtime.SetFinalizer(s, nil)
	})
	return nil
}

// reconnecting is the OnReconnect function registered for a session.
func reconnecting(id uintptr, attempt, maxAttempts uint32, delayMs uint64, closeCode int, next *C.openai_reconnect) bool {
	v, ok := lookup(id)
	if !ok {
		return false
	}
	r := &Reconnect{
		Attempt:     int(attempt),
		MaxAttempts: int(maxAttempts),
		Delay:       time.Duration(delayMs) * time.Millisecond,
		CloseCode:   closeCode,
		next:        next,
	}
	defer func() { r.next = nil }()
	return v.(func(*Reconnect) bool)(r)
}
