package openai

/*
#include "openai.h"
*/
import "C"

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Pager iterates over the pages of a cursor list (the _Pages methods, RequestPages): each
// page is fetched with after = the id of the previous page's last item, while the page says
// has_more; the other query parameters are kept.
//
//	pager := client.FilesListPages(ctx, openai.Options{"limit": 100})
//	defer pager.Close()
//	for pager.Next() {
//		page := pager.Current() // a *Response: {"object":"list","data":[...],...}
//		...
//	}
//	if err := pager.Err(); err != nil { ... }
//
// Next blocks until the page is complete and honours the context the pager was made with.
// Next, Current and Err are used by one goroutine at a time; Close may be called from any
// goroutine and must always be called.
type Pager struct {
	mu      sync.Mutex
	ctx     context.Context
	scope   *scoped
	ptr     *C.openai_pager
	cur     *Response
	err     error
	done    bool
	closing atomic.Bool
	once    sync.Once
}

func (c *Client) pages(ctx context.Context, create func(*C.openai_client, **C.openai_pager) C.openai_code) *Pager {
	p := &Pager{ctx: ctx}
	if err := ctx.Err(); err != nil {
		p.done, p.err = true, err
		return p
	}
	scope, err := c.scoped(ctx)
	if err != nil {
		p.done, p.err = true, err
		return p
	}
	var ptr *C.openai_pager
	if err := failing(func() C.openai_code { return create(scope.ptr, &ptr) }); err != nil {
		scope.free()
		p.done, p.err = true, err
		return p
	}
	p.scope, p.ptr = scope, ptr
	runtime.SetFinalizer(p, (*Pager).Close) // a safety net only
	return p
}

// Next fetches the next page and reports whether there is one (then read it with Current).
// It returns false after the last page, on an error (see Err), when the context is done, and
// after Close.
func (p *Pager) Next() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done || p.ptr == nil {
		return false
	}
	if err := p.ctx.Err(); err != nil {
		p.done, p.err = true, err
		return false
	}
	var r *C.openai_response
	code := C.openai_pager_next(p.ptr, &r)
	if code == C.OPENAI_OK && r == nil {
		p.done, p.cur = true, nil
		return false
	}
	_, resp, err := takeResponse(r)
	if err == nil {
		p.cur = resp
		return true
	}
	p.done, p.cur = true, nil
	switch {
	case p.closing.Load():
	case resp.Code == CodeCancelled && p.ctx.Err() != nil:
		p.err = p.ctx.Err()
	default:
		p.err = err
	}
	return false
}

// Current is the page the last successful Next returned.
func (p *Pager) Current() *Response {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// Err is the error that ended the walk: nil after the last page, the context's error when it
// was cancelled, else the *Error of the page that failed.
func (p *Pager) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Close frees the pager; a Next waiting in another goroutine is cancelled. Closing twice does
// nothing.
func (p *Pager) Close() error {
	p.once.Do(func() {
		p.closing.Store(true)
		if p.scope != nil {
			p.scope.cancel()
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.ptr != nil {
			C.openai_pager_free(p.ptr)
			p.ptr = nil
		}
		if p.scope != nil {
			p.scope.free()
		}
		p.done = true
		runtime.SetFinalizer(p, nil)
	})
	return nil
}
