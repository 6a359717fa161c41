package openai

/*
#include "openai.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
)

// pages is the iterator of the ...Pages methods and RequestPages: each range over it walks
// the list afresh, through a native pager (openai_pager) created when the loop starts, with
// the arguments create prepares then, and freed when the loop ends, also by break or panic.
// The pages are fetched on the ranging goroutine, each with after = the cursor of the page
// before, through a client bound to ctx (its cancellation drops the page's connection and
// ends the loop with ctx's error).
func (c *handle) pages(ctx context.Context, create func(*args, *C.openai_client, **C.openai_pager) C.openai_code) iter.Seq2[*Response, error] {
	return func(yield func(*Response, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return
		}
		s, err := c.scoped(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		defer s.free()
		var a args
		var ptr *C.openai_pager
		err = failing(func() C.openai_code { return create(&a, s.ptr, &ptr) })
		if a.err != nil {
			err = a.err
		}
		a.free() // the pager keeps copies of its arguments
		if err != nil {
			yield(nil, err)
			return
		}
		defer C.openai_pager_free(ptr)
		for {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			var r *C.openai_response
			if code := C.openai_pager_next(ptr, &r); code == C.OPENAI_OK && r == nil {
				return // past the last page
			}
			page, err := takeResponse(r, ctx)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(page, nil) {
				return
			}
		}
	}
}

// items is the iterator of the ...AutoPaging methods and RequestAutoPaging: the elements of
// each page's data array, in order, the pages fetched as the loop reaches them.
func items(pages iter.Seq2[*Response, error]) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		for page, err := range pages {
			if err != nil {
				yield(nil, err)
				return
			}
			var list struct {
				Data *[]json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(page.Body, &list); err != nil || list.Data == nil {
				msg := "the page has no data array"
				if err != nil {
					msg = fmt.Sprintf("the page is not a list: %v", err)
				}
				yield(nil, &Error{Kind: CodeInvalidResponse, Status: page.Status, RequestID: page.RequestID,
					Message: msg, Response: page, text: msg})
				return
			}
			for _, item := range *list.Data {
				if !yield(item, nil) {
					return
				}
			}
		}
	}
}
