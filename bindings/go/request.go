package openai

/*
#include <stdint.h>
#include "openai.h"

extern void openaiGoComplete(openai_response *, void *);

static openai_future *openai_go_request_async(const openai_client *client, const char *method,
		const char *path, const char *query_json, const char *body, uintptr_t userdata) {
	return openai_request_async(client, method, path, query_json, body, openaiGoComplete, (void *)userdata);
}
*/
import "C"

import (
	"context"
	"encoding/json"
	"iter"
)

// Request calls any endpoint of the API, for those the resource tree does not name.
//
// method is "GET", "POST", "DELETE", "PUT" or "PATCH"; path is relative to the base URL,
// starts with "/" and is already percent-encoded ("/responses", "/batches/batch_1"); query is
// a JSON object of query parameters or nil; body the JSON request body, or nil for none. The
// headers are those of the table's operations (Content-Type: application/json unless GET, and
// OpenAI-Beta for the assistants family's paths). It returns the response or an *Error.
func (c *Client) Request(ctx context.Context, method, path string, query, body any) (*Response, error) {
	var a args
	defer a.free()
	cMethod := a.str("method", method)
	cPath := a.str("path", path)
	cQuery := a.json("query", query)
	cBody := a.json("body", body)
	if a.err != nil {
		return nil, a.err
	}
	return c.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {
		return C.openai_go_request_async(cl, cMethod, cPath, cQuery, cBody, h)
	})
}

// RequestStream calls any streaming endpoint: the arguments are those of Request, and the
// body is sent as given, so it must ask for a stream itself. It returns once the response
// headers arrived; an HTTP error before the first event is returned as an *Error.
func (c *Client) RequestStream(ctx context.Context, method, path string, query, body any) (*Stream, error) {
	var a args
	defer a.free()
	cMethod := a.str("method", method)
	cPath := a.str("path", path)
	cQuery := a.json("query", query)
	cBody := a.json("body", body)
	if a.err != nil {
		return nil, a.err
	}
	return c.h.stream(ctx, func(cl *C.openai_client, out **C.openai_stream) C.openai_code {
		return C.openai_request_stream(cl, cMethod, cPath, cQuery, cBody, out)
	})
}

// RequestPages iterates over the pages of any cursor list by path ("/vector_stores"), with
// the query parameters of query (a JSON object, or nil), as the ...Pages methods do.
func (c *Client) RequestPages(ctx context.Context, path string, query any) iter.Seq2[*Response, error] {
	return c.h.pages(ctx, func(a *args, cl *C.openai_client, out **C.openai_pager) C.openai_code {
		cPath := a.str("path", path)
		cQuery := a.json("query", query)
		if a.err != nil {
			return C.OPENAI_INVALID_ARGUMENT
		}
		return C.openai_request_pages(cl, cPath, cQuery, out)
	})
}

// RequestAutoPaging iterates over the items of every page of any cursor list by path, as the
// ...AutoPaging methods do.
func (c *Client) RequestAutoPaging(ctx context.Context, path string, query any) iter.Seq2[json.RawMessage, error] {
	return items(c.RequestPages(ctx, path, query))
}
