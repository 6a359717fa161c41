package openai

/*
#include <stdint.h>
#include <stdlib.h>
#include "openai.h"

extern void openaiGoLog(openai_log_level, const char *, void *);

static void openai_go_set_log_callback(int on, int32_t max_level, uintptr_t userdata) {
	openai_set_log_callback(on ? openaiGoLog : NULL, max_level, (void *)userdata);
}
*/
import "C"

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// Version is the version of the loaded libopenai ("0.1.0").
func Version() string { return C.GoString(C.openai_version()) }

// Shutdown stops the library at the end of a program: its worker threads are joined and its
// process-wide state freed (openai_shutdown). Optional: a program that never calls it loses
// nothing. Call it after closing every client, stream and upload; calls still in flight end
// with CodeCancelled. The library may be used again afterwards: the next call starts it
// afresh.
func Shutdown() error {
	return failing(func() C.openai_code { return C.openai_shutdown() })
}

// Client is a client of the API: options, credentials and a connection pool, and the official
// SDK's resource tree (Resources: client.Responses, client.Files, client.VectorStores.Files,
// ...). It is safe for use by many goroutines at once. Close it when done.
type Client struct {
	Resources
	// Webhooks is client.Webhooks: webhook signatures (VerifySignature, Unwrap), as the official
	// SDK's client.webhooks. It needs no connection.
	Webhooks WebhooksService
	h        *handle
}

// handle owns the native client. The services of the tree hold it rather than the Client, so
// that a forgotten Client is not kept alive by its own services and its finalizer can run.
type handle struct {
	mu  sync.RWMutex
	ptr *C.openai_client
}

// Options are client options, given as JSON (see openai_client_new in openai.h): api_key,
// base_url, organization, project, timeout, connect_timeout, max_retries,
// stream_idle_timeout, stream_timeout, max_response_size, max_connections,
// max_idle_connections, idle_connection_timeout, http1_only, default_headers, default_query,
// openai_beta, proxy, ca_bundle. NewClient and WithOptions also take a JSON string, []byte or
// any value encoding/json encodes to an object.
type Options = map[string]any

// NewClient creates a client. options is nil (the key from OPENAI_API_KEY, the base URL from
// OPENAI_BASE_URL or https://api.openai.com/v1) or a JSON object of options, e.g.
// openai.Options{"api_key": "sk-...", "max_retries": 3}. An unknown option is an error.
func NewClient(options any) (*Client, error) {
	var a args
	defer a.free()
	opts := a.json("options", options)
	if a.err != nil {
		return nil, a.err
	}
	var out *C.openai_client
	if err := failing(func() C.openai_code { return C.openai_client_new(opts, &out) }); err != nil {
		return nil, err
	}
	return newClient(out), nil
}

func newClient(ptr *C.openai_client) *Client {
	h := &handle{ptr: ptr}
	c := &Client{Resources: newResources(h), h: h}
	// A safety net only: a client must be closed.
	runtime.SetFinalizer(c, (*Client).Close)
	return c
}

// WithOptions creates a client like c with some options replaced (the others kept; the
// environment is not read again). The new client shares c's connection pool unless it changes
// proxy, ca_bundle or connect_timeout. Both clients must be closed, in any order.
func (c *Client) WithOptions(options any) (*Client, error) {
	var a args
	defer a.free()
	opts := a.json("options", options)
	if a.err != nil {
		return nil, a.err
	}
	if c.h == nil {
		return nil, errNotMade()
	}
	c.h.mu.RLock()
	defer c.h.mu.RUnlock()
	if c.h.ptr == nil {
		return nil, errClosed()
	}
	var out *C.openai_client
	if err := failing(func() C.openai_code { return C.openai_client_with_options(c.h.ptr, opts, &out) }); err != nil {
		return nil, err
	}
	return newClient(out), nil
}

// Close frees the client. Calls and streams already started keep working until they end.
// Calls made afterwards fail with CodeInvalidArgument. Closing twice does nothing.
func (c *Client) Close() error {
	if c.h == nil {
		return nil
	}
	c.h.mu.Lock()
	defer c.h.mu.Unlock()
	if c.h.ptr != nil {
		C.openai_client_free(c.h.ptr)
		c.h.ptr = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

func errClosed() *Error { return invalidArgument("the client is closed") }

// errNotMade is the error of a Client (or service) that is a zero value, not made by NewClient.
func errNotMade() *Error { return invalidArgument("the client was not made by NewClient") }

// LogLevel is the level of a log message of the library.
type LogLevel int

// The log levels: a callback hears the messages up to the level it asked for.
const (
	LogError LogLevel = C.OPENAI_LOG_ERROR // a call failed for good
	LogWarn  LogLevel = C.OPENAI_LOG_WARN  // a retry, and why
	LogInfo  LogLevel = C.OPENAI_LOG_INFO  // a call that succeeded, its duration and retries
	LogDebug LogLevel = C.OPENAI_LOG_DEBUG // every request and response (credentials redacted)
)

var logCallback struct {
	sync.Mutex
	id uintptr
}

// SetLogCallback sends the library's log messages up to maxLevel to f, for the whole
// process; f nil restores the default (stderr when OPENAI_LOG is set). f may run on any
// thread, several calls at once, and must not call the library.
func SetLogCallback(maxLevel LogLevel, f func(level LogLevel, message string)) {
	logCallback.Lock()
	defer logCallback.Unlock()
	old := logCallback.id
	logCallback.id = 0
	if f != nil {
		logCallback.id = register(f)
		C.openai_go_set_log_callback(1, C.int32_t(maxLevel), C.uintptr_t(logCallback.id))
	} else {
		C.openai_go_set_log_callback(0, C.int32_t(maxLevel), 0)
	}
	if old != 0 {
		unregister(old)
	}
}

// args gathers the C arguments of one call and frees them afterwards. The first error sticks.
type args struct {
	ptrs    []unsafe.Pointer
	uploads []*Upload // read-locked until the call started
	err     error
}

// str is a NUL-terminated copy of s (a string with a NUL byte cannot be passed).
func (a *args) str(name, s string) *C.char {
	if a.err != nil {
		return nil
	}
	if strings.IndexByte(s, 0) >= 0 {
		a.err = invalidArgument("%s contains a NUL byte", name)
		return nil
	}
	p := C.CString(s)
	a.ptrs = append(a.ptrs, unsafe.Pointer(p))
	return p
}

// bytes is a NUL-terminated copy of b.
func (a *args) bytes(name string, b []byte) *C.char {
	if a.err != nil {
		return nil
	}
	if bytes.IndexByte(b, 0) >= 0 {
		a.err = invalidArgument("%s contains a NUL byte", name)
		return nil
	}
	p := C.malloc(C.size_t(len(b) + 1))
	buf := unsafe.Slice((*byte)(p), len(b)+1)
	copy(buf, b)
	buf[len(b)] = 0
	a.ptrs = append(a.ptrs, p)
	return (*C.char)(p)
}

// json is the JSON text of v, or NULL for nil: a string, []byte or json.RawMessage is taken
// as JSON text as it is; any other value is encoded with encoding/json.
func (a *args) json(name string, v any) *C.char {
	if a.err != nil || v == nil {
		return nil
	}
	switch x := v.(type) {
	case string:
		return a.str(name, x)
	case []byte:
		return a.bytes(name, x)
	case json.RawMessage:
		return a.bytes(name, x)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			a.err = invalidArgument("%s: %v", name, err)
			return nil
		}
		return a.bytes(name, b)
	}
}

// upload is the native handle of u (NULL for nil), kept from being freed until the call is
// made.
func (a *args) upload(name string, u *Upload) *C.openai_upload {
	if a.err != nil || u == nil {
		return nil
	}
	locked := false
	for _, v := range a.uploads {
		locked = locked || v == u
	}
	if !locked { // the same upload may be given twice: lock it once
		u.mu.RLock()
		a.uploads = append(a.uploads, u)
	}
	if u.ptr == nil {
		a.err = invalidArgument("%s: the upload is closed", name)
	}
	return u.ptr
}

// uploadArray is a C array of the uploads' handles (freed with the other arguments), and its length.
func (a *args) uploadArray(name string, us []*Upload) (**C.openai_upload, C.size_t) {
	if a.err != nil || len(us) == 0 {
		return nil, 0
	}
	array := C.malloc(C.size_t(len(us)) * C.size_t(unsafe.Sizeof(uintptr(0))))
	a.ptrs = append(a.ptrs, array)
	handles := unsafe.Slice((**C.openai_upload)(array), len(us))
	for i, u := range us {
		if u == nil {
			a.err = invalidArgument("%s[%d] is nil", name, i)
			return nil, 0
		}
		handles[i] = a.upload(name, u)
	}
	return (**C.openai_upload)(array), C.size_t(len(us))
}

func (a *args) free() {
	for _, p := range a.ptrs {
		C.free(p)
	}
	for _, u := range a.uploads {
		u.mu.RUnlock()
	}
	a.ptrs, a.uploads = nil, nil
}

// call runs an _async call: start starts it with the completion callback and the id of the
// channel that receives the response; the arguments a are freed once it started (the library
// keeps what it needs). The calling goroutine waits for the response or for ctx; when ctx is
// done first the future is cancelled (its connection dropped) and its callback, which then
// runs at once with CodeCancelled, is awaited, so nothing of the call outlives the method.
func (c *handle) call(ctx context.Context, a *args, start func(*C.openai_client, C.uintptr_t) *C.openai_future) (*Response, error) {
	defer a.free()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errNotMade()
	}
	ch := make(chan *C.openai_response, 1)
	id := register(ch)
	defer unregister(id)
	c.mu.RLock()
	if c.ptr == nil {
		c.mu.RUnlock()
		return nil, errClosed()
	}
	future := start(c.ptr, C.uintptr_t(id))
	c.mu.RUnlock()
	a.free()
	var r *C.openai_response
	select {
	case r = <-ch:
	case <-ctx.Done():
		C.openai_future_cancel(future)
		r = <-ch
	}
	C.openai_future_free(future)
	return takeResponse(r, ctx)
}

// scoped is a client bound to a fresh cancel token that ctx cancels, for the library's
// blocking calls (streams, pagers, downloads to a file), which have no future to cancel.
type scoped struct {
	ptr     *C.openai_client
	token   *C.openai_cancel_token
	stop    func() bool
	stopped chan struct{}
}

func (c *handle) scoped(ctx context.Context) (*scoped, error) {
	if c == nil {
		return nil, errNotMade()
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return nil, errClosed()
	}
	token := C.openai_cancel_token_new()
	if token == nil {
		return nil, &Error{Kind: CodeInternal, Message: "no cancel token", text: "no cancel token"}
	}
	var out *C.openai_client
	if err := failing(func() C.openai_code { return C.openai_client_with_cancel_token(c.ptr, token, &out) }); err != nil {
		C.openai_cancel_token_free(token)
		return nil, err
	}
	s := &scoped{ptr: out, token: token, stopped: make(chan struct{})}
	s.stop = context.AfterFunc(ctx, func() {
		defer close(s.stopped)
		C.openai_cancel_token_cancel(token)
	})
	return s, nil
}

// cancel cancels every call in flight through the scoped client; any goroutine may call it.
func (s *scoped) cancel() { C.openai_cancel_token_cancel(s.token) }

// free ends the watch on the context (waiting for a cancel in progress) and frees the client
// and its token.
func (s *scoped) free() {
	if !s.stop() {
		<-s.stopped
	}
	C.openai_client_free(s.ptr)
	C.openai_cancel_token_free(s.token)
}

// blocking runs a blocking call that hands back a response (a download to a file) through a
// scoped client.
func (c *handle) blocking(ctx context.Context, f func(*C.openai_client, **C.openai_response) C.openai_code) (*Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, err := c.scoped(ctx)
	if err != nil {
		return nil, err
	}
	defer s.free()
	var r *C.openai_response
	f(s.ptr, &r)
	return takeResponse(r, ctx)
}

// progressID registers a progress callback (0 for none); unregister it after the call.
func progressID(f func(done, total uint64)) uintptr {
	if f == nil {
		return 0
	}
	return register(f)
}
