// Package openai is the Go binding of libopenai, the OpenAI API client as a C library.
//
// The client has the official SDK's resource tree (generated from bindings/operations.json
// into operations_gen.go): client.Responses.New, client.Chat.Completions.NewStreaming,
// client.VectorStores.Files.List, client.Beta.Threads.Runs.SubmitToolOutputs, ... Every
// method takes a context.Context: cancelling it (or its deadline passing) cancels the native
// call, whose connection is dropped at once, and the method returns the context's error.
// Results follow Go's (value, error) convention:
//
//	client, err := openai.NewClient(nil) // the key from OPENAI_API_KEY
//	if err != nil { ... }
//	defer client.Close()
//	resp, err := client.Chat.Completions.New(ctx, `{"model":"gpt-4o-mini","messages":[...]}`)
//	if err != nil { ... } // an *openai.Error, or the context's error
//	var completion struct{ Choices []struct{ Message struct{ Content string } } }
//	err = resp.Decode(&completion)
//
// Request bodies, query parameters, multipart fields and client options are given as JSON: a
// string, a []byte or json.RawMessage is sent as it is, any other value is encoded with
// encoding/json, and nil means none.
//
// Lists page with range-over-func iterators: ListAutoPaging yields every item of every page,
// ListPages every page. Streams (the ...Streaming methods) are iterators too: Next, Current,
// Err and Close, or range over Events. Handles that own native memory (Client, Stream,
// Upload) must be closed; a Response is plain Go data.
//
// The official SDK's helpers are methods too: Uploads.UploadFileChunked (a large file in
// parts), PollStatus and NewAndPoll (waiting for a run, a vector store file or file batch, a
// batch, a background response or a video to reach a terminal status) and
// client.Webhooks.VerifySignature and Unwrap (webhook signatures).
//
// # Building
//
// The package links the installed libopenai through pkg-config (#cgo pkg-config: openai), so
// PKG_CONFIG_PATH must reach the openai.pc of the installation when it is not in a default
// place. To build against a library that is not installed (a clone built with cargo), use the
// build tag openai_no_pkgconfig and give the header and library directories yourself:
//
//	CGO_CFLAGS="-I$REPO/include" \
//	CGO_LDFLAGS="-L$REPO/target/release -Wl,-rpath,$REPO/target/release" \
//	go build -tags openai_no_pkgconfig ./...
package openai

//go:generate go run ./internal/genops
