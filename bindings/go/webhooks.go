package openai

/*
#include <stdint.h>
#include <stdlib.h>
#include "openai.h"
*/
import "C"

import (
	"net/http"
	"runtime"
	"time"
	"unsafe"
)

// WebhooksService is client.Webhooks: checking that a webhook request came from OpenAI, as the
// official SDK's client.webhooks. Its methods need no connection: they may be called on a
// closed client, or on a zero WebhooksService, from any goroutine.
type WebhooksService struct{}

// WebhookOptions are the options of Unwrap and VerifySignature; nil means the defaults.
type WebhookOptions struct {
	// Secret is the endpoint's signing secret as the dashboard shows it ("whsec_" and the key
	// in base64; a secret without the prefix is used as it is). "": the environment variable
	// OPENAI_WEBHOOK_SECRET.
	Secret string
	// Tolerance is how far the request's webhook-timestamp may lie from now, either way, so
	// that a recorded request cannot be replayed later (whole seconds, rounded up). 0: the
	// official SDK's 300 s.
	Tolerance time.Duration
}

// VerifySignature checks that a webhook request came from OpenAI, as the official SDK's
// webhooks.verify_signature: the HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<payload>"
// under the secret must be one of the "v1,<base64>" signatures of the webhook-signature header,
// and the webhook-timestamp must lie within the tolerance of now.
//
// C: openai_webhooks_verify_signature. payload is the request's body exactly as received;
// headers its headers (any may be given; names are compared without case, the first value of a
// repeated name is used). It returns nil for a genuine request; an *Error of kind
// CodeInvalidWebhookSignature when a header is missing, the timestamp is malformed, too old or
// too new, or no signature matches (its Message says which, in the SDK's words); of kind
// CodeInvalidArgument for no secret or a secret that is not base64 after "whsec_".
func (WebhooksService) VerifySignature(payload []byte, headers http.Header, opts *WebhookOptions) error {
	var a args
	defer a.free()
	w := webhookArgs(&a, payload, headers, opts)
	if a.err != nil {
		return a.err
	}
	err := failing(func() C.openai_code {
		return C.openai_webhooks_verify_signature(w.payload, w.payloadLen, w.names, w.values, w.count, w.secret, w.tolerance)
	})
	runtime.KeepAlive(payload)
	return err
}

// Unwrap verifies a webhook request as VerifySignature does, then reads its event, as the
// official SDK's webhooks.unwrap: the event's Name is its type ("response.completed",
// "batch.failed", ...), its Data the payload (Decode it, e.g. into a struct with Data.ID) and
// its ID the webhook-id (a delivery may come twice: the id tells). Errors as VerifySignature's,
// and CodeInvalidArgument for a genuine payload that is not a JSON object.
//
// C: openai_webhooks_unwrap.
func (WebhooksService) Unwrap(payload []byte, headers http.Header, opts *WebhookOptions) (Event, error) {
	var a args
	defer a.free()
	w := webhookArgs(&a, payload, headers, opts)
	if a.err != nil {
		return Event{}, a.err
	}
	var ev *C.openai_event
	err := failing(func() C.openai_code {
		return C.openai_webhooks_unwrap(w.payload, w.payloadLen, w.names, w.values, w.count, w.secret, w.tolerance, &ev)
	})
	runtime.KeepAlive(payload)
	if err != nil {
		return Event{}, err
	}
	return takeEvent(ev), nil
}

// webhookCall holds the C arguments of a webhook check (owned by the args they came from).
type webhookCall struct {
	payload       *C.char
	payloadLen    C.size_t
	names, values **C.char
	count         C.size_t
	secret        *C.char
	tolerance     C.int64_t
}

func webhookArgs(a *args, payload []byte, headers http.Header, opts *WebhookOptions) webhookCall {
	w := webhookCall{tolerance: -1}
	if len(payload) > 0 {
		// Read during the call only: allowed by the cgo pointer rules.
		w.payload, w.payloadLen = (*C.char)(unsafe.Pointer(&payload[0])), C.size_t(len(payload))
	}
	if opts != nil {
		w.secret = a.optStr("secret", opts.Secret)
		if opts.Tolerance > 0 {
			w.tolerance = C.int64_t((opts.Tolerance + time.Second - 1) / time.Second)
		}
	}
	n := 0
	for _, vs := range headers {
		n += len(vs)
	}
	if a.err != nil || n == 0 {
		return w
	}
	size := C.size_t(n) * C.size_t(unsafe.Sizeof(uintptr(0)))
	names, values := C.malloc(size), C.malloc(size)
	a.ptrs = append(a.ptrs, names, values)
	ns, vs := unsafe.Slice((**C.char)(names), n), unsafe.Slice((**C.char)(values), n)
	i := 0
	for name, list := range headers {
		for _, value := range list {
			ns[i], vs[i] = a.str("header name", name), a.str("header "+name, value)
			i++
		}
	}
	w.names, w.values, w.count = (**C.char)(names), (**C.char)(values), C.size_t(n)
	return w
}
