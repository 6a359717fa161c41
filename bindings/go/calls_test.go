package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	openai "github.com/libopenai/libopenai/bindings/go"
)

func TestVersion(t *testing.T) {
	table, _ := readTable(t)
	if v := openai.Version(); v != table.Version {
		t.Fatalf("Version() = %q, the table is %q", v, table.Version)
	}
	if openai.CodeNotFound.String() != "OPENAI_NOT_FOUND" || openai.CodeOK.String() != "OPENAI_OK" {
		t.Fatalf("code names: %s %s", openai.CodeNotFound, openai.CodeOK)
	}
}

func TestChatCompletionRequestAndResponse(t *testing.T) {
	client := newClient(t)
	body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}],"temperature":0.5}`
	resp, err := client.Chat.Completions.New(bg, body)
	if err != nil {
		t.Fatal(err)
	}
	r := mock.only(t)
	if r.Method != "POST" || r.Path != "/v1/chat/completions" || r.Body == nil || *r.Body != body {
		t.Fatalf("the mock received %s %s %v", r.Method, r.Path, r.Body)
	}
	if r.header("authorization") != "Bearer sk-test" || !strings.HasPrefix(r.header("content-type"), "application/json") {
		t.Fatalf("headers %v", r.Headers)
	}
	var completion struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Model   string `json:"model"`
		Choices []struct {
			Message struct{ Role, Content string }
		}
	}
	if err := resp.Decode(&completion); err != nil {
		t.Fatal(err)
	}
	if completion.ID != "chatcmpl-abc123" || completion.Object != "chat.completion" || completion.Model != "gpt-4o-mini" ||
		len(completion.Choices) != 1 || completion.Choices[0].Message.Content != reply {
		t.Fatalf("completion %+v", completion)
	}
	if resp.Status != 200 || resp.Code != openai.CodeOK || resp.Retries != 0 {
		t.Fatalf("response %+v", resp)
	}
	if resp.RequestID != r.RequestID || resp.Header.Get("X-Request-Id") != r.RequestID {
		t.Fatalf("request id %q / %q, the mock answered %q", resp.RequestID, resp.Header.Get("x-request-id"), r.RequestID)
	}
	if resp.Header.Get("openai-version") != "2020-10-01" || !strings.HasPrefix(resp.Header.Get("content-type"), "application/json") {
		t.Fatalf("headers %v", resp.Header)
	}
}

func TestBodyValuesAreEncoded(t *testing.T) {
	client := newClient(t)
	type message struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	body := struct {
		Model    string    `json:"model"`
		Messages []message `json:"messages"`
	}{"gpt-4o", []message{{"user", "Hi"}}}
	if _, err := client.Chat.Completions.New(bg, body); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(body)
	if r := mock.only(t); *r.Body != string(want) {
		t.Fatalf("body %s, want %s", *r.Body, want)
	}
	// []byte and json.RawMessage are sent as they are.
	mock.reset(t)
	raw := json.RawMessage(`{"model": "gpt-4o",  "input": ["a", "b"]}`)
	resp, err := client.Embeddings.New(bg, raw)
	if err != nil {
		t.Fatal(err)
	}
	if r := mock.only(t); *r.Body != string(raw) || r.Path != "/v1/embeddings" {
		t.Fatalf("body %s", *r.Body)
	}
	var emb struct {
		Data []struct{ Embedding []float64 }
	}
	if err := resp.Decode(&emb); err != nil || len(emb.Data) != 2 || emb.Data[0].Embedding[0] != -0.5 {
		t.Fatalf("embeddings %s (%v)", resp.Body, err)
	}
}

func TestPathParamsAndQuery(t *testing.T) {
	client := newClient(t)
	resp, err := client.Models.Get(bg, "ft:gpt-4o:my org")
	if err != nil {
		t.Fatal(err)
	}
	var model struct {
		ID      string `json:"id"`
		OwnedBy string `json:"owned_by"`
	}
	resp.Decode(&model)
	if r := mock.only(t); r.Method != "GET" || !strings.HasPrefix(r.Path, "/v1/models/ft") || strings.Contains(r.Path, " ") {
		t.Fatalf("path %q", r.Path)
	}
	if model.ID != "ft:gpt-4o:my org" || model.OwnedBy != "user-mock" {
		t.Fatalf("model %+v", model)
	}

	mock.reset(t)
	resp, err = client.Beta.Threads.Messages.List(bg, "thread_9", map[string]any{"limit": 2, "order": "desc"})
	if err != nil {
		t.Fatal(err)
	}
	r := mock.only(t)
	if r.Path != "/v1/threads/thread_9/messages" || r.header("openai-beta") != "assistants=v2" {
		t.Fatalf("request %s %v", r.Path, r.Headers)
	}
	if v, _ := r.queryValue("limit"); v != "2" {
		t.Fatalf("query %v", r.QueryPairs)
	}
	if v, _ := r.queryValue("order"); v != "desc" {
		t.Fatalf("query %v", r.QueryPairs)
	}
	var list struct {
		Data    []struct{ ID string }
		HasMore bool `json:"has_more"`
	}
	resp.Decode(&list)
	if len(list.Data) != 2 || list.Data[0].ID != "msg_abc007" || !list.HasMore {
		t.Fatalf("list %s", resp.Body)
	}

	// The optional body of threads.create: nil sends {}.
	mock.reset(t)
	if _, err := client.Beta.Threads.New(bg, nil); err != nil {
		t.Fatal(err)
	}
	if r := mock.only(t); r.Method != "POST" || r.Path != "/v1/threads" || r.Body == nil || *r.Body != "{}" {
		t.Fatalf("threads.create sent %s %s %v", r.Method, r.Path, r.Body)
	}
}

func TestNotFoundError(t *testing.T) {
	client := newClient(t)
	got, err := client.Models.Get(bg, "missing-model")
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("err %v (%T), want an *openai.Error", err, err)
	}
	resp := apiErr.Response
	if got != nil || resp == nil || resp.Status != 404 || resp.Code != openai.CodeNotFound {
		t.Fatalf("result %+v, response %+v", got, resp)
	}
	r := mock.only(t)
	if apiErr.Kind != openai.CodeNotFound || apiErr.Status != 404 || apiErr.Type != "invalid_request_error" ||
		apiErr.Code != "model_not_found" || apiErr.Param != "model" ||
		apiErr.Message != "The model 'missing-model' does not exist" || apiErr.RequestID != r.RequestID {
		t.Fatalf("error %+v", apiErr)
	}
	if !strings.HasPrefix(err.Error(), "Error code: 404") || !strings.Contains(err.Error(), "missing-model") {
		t.Fatalf("message %q", err.Error())
	}
	if !errors.Is(err, openai.CodeNotFound) || errors.Is(err, openai.CodeRateLimit) {
		t.Fatal("errors.Is does not match the kind")
	}
	var body404 struct{ Error struct{ Code string } }
	if json.Unmarshal(resp.Body, &body404); body404.Error.Code != "model_not_found" {
		t.Fatalf("error body %s", resp.Body)
	}
}

func TestScriptedRateLimit(t *testing.T) {
	client := newClient(t)
	mock.script(t, map[string]any{
		"match":   map[string]any{"method": "POST", "path": "/v1/chat/completions"},
		"status":  429,
		"headers": map[string]any{"x-request-id": "req_scripted_429", "retry-after": "0"},
		"body_json": map[string]any{"error": map[string]any{
			"message": "Rate limit reached for gpt-4o", "type": "requests", "param": nil, "code": "rate_limit_exceeded",
		}},
	})
	_, err := client.Chat.Completions.New(bg, bodies["chat.completions.create"])
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("err %v", err)
	}
	resp := apiErr.Response
	if apiErr.Kind != openai.CodeRateLimit || apiErr.Status != 429 || apiErr.Type != "requests" ||
		apiErr.Code != "rate_limit_exceeded" || apiErr.Param != "" || apiErr.Message != "Rate limit reached for gpt-4o" ||
		apiErr.RequestID != "req_scripted_429" {
		t.Fatalf("error %+v", apiErr)
	}
	if resp.RequestID != "req_scripted_429" || resp.Header.Get("retry-after") != "0" || !errors.Is(err, openai.CodeRateLimit) {
		t.Fatalf("response %+v", resp)
	}
}

func TestRetriedThenSucceeds(t *testing.T) {
	client := newClient(t, openai.Options{"max_retries": 2})
	mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/models"}, "status": 503, "headers": map[string]any{"retry-after-ms": "10"}})
	resp, err := client.Models.List(bg)
	if err != nil || resp.Retries != 1 || len(mock.requests(t)) != 2 {
		t.Fatalf("err %v response %+v", err, resp)
	}
}

func TestAuthenticationError(t *testing.T) {
	client := newClient(t, openai.Options{"api_key": "sk-invalid-key"})
	_, err := client.Models.List(bg)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.Kind != openai.CodeAuthentication || apiErr.Status != 401 || apiErr.Code != "invalid_api_key" {
		t.Fatalf("err %#v", err)
	}
}

func TestInvalidArguments(t *testing.T) {
	client := newClient(t)
	check := func(what string, err error) {
		t.Helper()
		var apiErr *openai.Error
		if !errors.As(err, &apiErr) || apiErr.Kind != openai.CodeInvalidArgument || apiErr.Status != 0 || err.Error() == "" {
			t.Fatalf("%s: err %v", what, err)
		}
	}
	_, err := client.Models.Get(bg, "")
	check("empty path parameter", err)
	_, err = client.Models.Get(bg, "a\x00b")
	check("NUL byte", err)
	_, err = client.Chat.Completions.New(bg, "{not json")
	check("invalid JSON", err)
	_, err = client.Chat.Completions.New(bg, nil)
	check("missing body", err)
	_, err = client.Chat.Completions.New(bg, map[string]any{"f": func() {}})
	check("unencodable body", err)
	_, err = client.Files.New(bg, `{"purpose":"assistants"}`, nil)
	check("missing file", err)
	_, err = client.Images.Edit(bg, `{"prompt":"x"}`, []*openai.Upload{nil}, nil)
	check("nil upload in an array", err)
	_, err = client.Chat.Completions.NewStreaming(bg, "[1")
	check("stream with invalid JSON", err)
	check("pages with invalid JSON", only(t, client.Files.ListPages(bg, "{oops")))
	check("pages with a NUL byte in a path parameter", only(t, client.Beta.Threads.Messages.ListPages(bg, "a\x00b", nil)))
	check("items with invalid JSON", only(t, client.Files.ListAutoPaging(bg, "{oops")))
	if n := len(mock.requests(t)); n != 0 {
		t.Fatalf("invalid arguments sent %d requests", n)
	}
	_, err = openai.NewClient(openai.Options{"api_key": "sk-test", "no_such_option": 1})
	check("unknown option", err)
	if !strings.Contains(err.Error(), "no_such_option") {
		t.Fatalf("the error does not name the option: %v", err)
	}
	_, err = openai.NewUploadFromPath(filepath.Join(t.TempDir(), "nope.txt"), "", "")
	check("missing upload file", err)
}

// TestContextCancel cancels a slow call through its context: the method returns
// context.Canceled promptly and the server sees the connection closed.
func TestContextCancel(t *testing.T) {
	client := newClient(t)
	mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/chat/completions"}, "delay_ms": 5000, "body_json": map[string]any{}})
	ctx, cancel := context.WithCancel(bg)
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	resp, err := client.Chat.Completions.New(ctx, bodies["chat.completions.create"])
	elapsed := time.Since(start)
	if err != context.Canceled || resp != nil {
		t.Fatalf("response %+v, err %v, want context.Canceled", resp, err)
	}
	if elapsed > 2*time.Second {
		t.Fatalf("the call returned after %v", elapsed)
	}
	eventually(t, "the mock to see the client close", func() bool {
		log := mock.requests(t)
		return len(log) == 1 && log[0].ClientClosedEarly
	})
	if c := mock.connections(t); c["closed_by_client_mid_response"] < 1 {
		t.Fatalf("connections %v", c)
	}
}

func TestContextDeadline(t *testing.T) {
	client := newClient(t)
	mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/models"}, "delay_ms": 5000})
	ctx, cancel := context.WithTimeout(bg, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := client.Models.List(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	if elapsed := time.Since(start); elapsed < 250*time.Millisecond || elapsed > 2*time.Second {
		t.Fatalf("the call returned after %v", elapsed)
	}
	eventually(t, "the mock to see the client close", func() bool {
		log := mock.requests(t)
		return len(log) == 1 && log[0].ClientClosedEarly
	})
}

func TestContextAlreadyDone(t *testing.T) {
	client := newClient(t)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := client.Models.List(ctx); err != context.Canceled {
		t.Fatalf("err %v", err)
	}
	if _, err := client.Chat.Completions.NewStreaming(ctx, bodies["chat.completions.create"]); err != context.Canceled {
		t.Fatalf("stream err %v", err)
	}
	if _, err := client.Audio.Speech.NewToFile(ctx, bodies["audio.speech.create"], filepath.Join(t.TempDir(), "x"), nil); err != context.Canceled {
		t.Fatalf("to_file err %v", err)
	}
	if err := only(t, client.Files.ListPages(ctx, nil)); err != context.Canceled {
		t.Fatalf("pages err %v", err)
	}
	if err := only(t, client.Files.ListAutoPaging(ctx, nil)); err != context.Canceled {
		t.Fatalf("items err %v", err)
	}
	if n := len(mock.requests(t)); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// A timeout of the library (not of the context) is an *Error of kind CodeTimeout.
func TestLibraryTimeout(t *testing.T) {
	client := newClient(t, openai.Options{"timeout": 0.3})
	mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/models"}, "delay_ms": 3000})
	_, err := client.Models.List(bg)
	var apiErr *openai.Error
	if !errors.Is(err, openai.CodeTimeout) || !errors.As(err, &apiErr) || apiErr.Response.Code != openai.CodeTimeout {
		t.Fatalf("err %v", err)
	}
}

func TestConnectionError(t *testing.T) {
	client := newClient(t)
	mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/models"}, "action": "reset"})
	_, err := client.Models.List(bg)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.Kind != openai.CodeConnection || apiErr.Status != 0 {
		t.Fatalf("err %v", err)
	}
}

func TestUploads(t *testing.T) {
	client := newClient(t)
	content := []byte(strings.Repeat(`{"prompt":"a","completion":"b"}`+"\n", 1000))
	up, err := openai.NewUploadFromBytes(content, "train.jsonl", "")
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	var sent atomic.Uint64
	if err := up.SetProgress(func(done, total uint64) { sent.Store(done) }); err != nil {
		t.Fatal(err)
	}
	resp, err := client.Files.New(bg, map[string]any{"purpose": "fine-tune"}, up)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		ID       string
		Bytes    int
		Filename string
		Purpose  string
	}
	resp.Decode(&file)
	if file.ID != "file-abc123" || file.Bytes != len(content) || file.Filename != "train.jsonl" || file.Purpose != "fine-tune" {
		t.Fatalf("file %s", resp.Body)
	}
	r := mock.only(t)
	if r.Method != "POST" || r.Path != "/v1/files" || !strings.HasPrefix(r.header("content-type"), "multipart/form-data") {
		t.Fatalf("request %s %s %s", r.Method, r.Path, r.header("content-type"))
	}
	fp, pp := r.part("file"), r.part("purpose")
	if fp == nil || fp.Len != len(content) || fp.Filename == nil || *fp.Filename != "train.jsonl" {
		t.Fatalf("file part %+v", fp)
	}
	if pp == nil || pp.Value == nil || *pp.Value != "fine-tune" {
		t.Fatalf("purpose part %+v", pp)
	}
	if sent.Load() != uint64(len(content)) {
		t.Fatalf("progress heard %d of %d bytes", sent.Load(), len(content))
	}

	// From a path, with the optional mask left out.
	mock.reset(t)
	path := filepath.Join(t.TempDir(), "photo.png")
	os.WriteFile(path, []byte("\x89PNG\r\n\x1a\nnot really"), 0o644)
	image, err := openai.NewUploadFromPath(path, "", "")
	if err != nil {
		t.Fatal(err)
	}
	defer image.Close()
	if _, err := client.Images.Edit(bg, map[string]any{"prompt": "add a hat", "n": 2}, []*openai.Upload{image}, nil); err != nil {
		t.Fatal(err)
	}
	r = mock.only(t)
	ip := r.part("image[]")
	if r.Path != "/v1/images/edits" || ip == nil || *ip.Filename != "photo.png" || *ip.ContentType != "image/png" || ip.Len != 18 || r.part("mask") != nil {
		t.Fatalf("parts %+v", r.Parts)
	}
	if n := r.part("n"); n == nil || *n.Value != "2" {
		t.Fatalf("parts %+v", r.Parts)
	}

	// One upload in two parts, and in calls made at once.
	mock.reset(t)
	if _, err := client.Images.Edit(bg, `{"prompt":"x"}`, []*openai.Upload{image, up}, image); err != nil {
		t.Fatal(err)
	}
	r = mock.only(t)
	if len(r.Parts) != 4 || r.Parts[1].Name != "image[]" || r.Parts[1].Len != 18 || r.Parts[2].Name != "image[]" || r.Parts[2].Len != len(content) ||
		r.part("mask") == nil || r.part("mask").Len != 18 {
		t.Fatalf("parts %+v", r.Parts)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := client.Images.NewVariation(bg, nil, image); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	// A closed upload is refused before anything is sent.
	mock.reset(t)
	image.Close()
	_, err = client.Images.NewVariation(bg, nil, image)
	if !errors.Is(err, openai.CodeInvalidArgument) || len(mock.requests(t)) != 0 {
		t.Fatalf("err %v", err)
	}
}

func TestTextResponse(t *testing.T) {
	client := newClient(t)
	audio, _ := openai.NewUploadFromBytes([]byte("ID3 fake mp3"), "speech.mp3", "")
	defer audio.Close()
	resp, err := client.Audio.Transcriptions.New(bg, map[string]any{"model": "whisper-1", "response_format": "text"}, audio)
	if err != nil {
		t.Fatal(err)
	}
	out := resp.Body
	if !strings.HasPrefix(resp.Header.Get("content-type"), "text/plain") || len(out) == 0 || json.Valid(out) && strings.HasPrefix(string(out), "{") {
		t.Fatalf("body %q", out)
	}
}

// only is the one error an iterator that fails at once yields (nil if it yields otherwise).
func only[T any](t *testing.T, seq iter.Seq2[T, error]) error {
	t.Helper()
	var errs []error
	n := 0
	for _, err := range seq {
		n++
		errs = append(errs, err)
	}
	if n != 1 || errs[0] == nil {
		t.Errorf("the iterator yielded %d values: %v", n, errs)
		return nil
	}
	return errs[0]
}

func TestPages(t *testing.T) {
	client := newClient(t)
	var ids []string
	pages := 0
	for page, err := range client.Files.ListPages(bg, map[string]any{"limit": 2}) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		var list struct{ Data []struct{ ID string } }
		if err := page.Decode(&list); err != nil {
			t.Fatal(err)
		}
		for _, d := range list.Data {
			ids = append(ids, d.ID)
		}
	}
	want := "file-abc001 file-abc002 file-abc003 file-abc004 file-abc005 file-abc006 file-abc007"
	if pages != 4 || strings.Join(ids, " ") != want {
		t.Fatalf("%d pages: %v", pages, ids)
	}
	log := mock.requests(t)
	if len(log) != 4 {
		t.Fatalf("%d requests", len(log))
	}
	for i, r := range log {
		after, has := r.queryValue("after")
		limit, _ := r.queryValue("limit")
		if r.Path != "/v1/files" || limit != "2" || (i == 0) == has || (i > 0 && after != fmt.Sprintf("file-abc%03d", 2*i)) {
			t.Fatalf("page %d: %s %v", i, r.Path, r.QueryPairs)
		}
	}

	// Any list by path, through RequestPages.
	mock.reset(t)
	n := 0
	for _, err := range client.RequestPages(bg, "/assistants", map[string]any{"limit": 5, "order": "desc"}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 || len(mock.requests(t)) != 2 || mock.requests(t)[0].header("openai-beta") != "assistants=v2" {
		t.Fatalf("%d pages", n)
	}
}

// TestAutoPaging walks a list item by item: every item of every page, in order, each page
// fetched only when the loop reaches it; a break stops the walk, and each range starts afresh.
func TestAutoPaging(t *testing.T) {
	client := newClient(t)
	var ids []string
	for item, err := range client.Files.ListAutoPaging(bg, map[string]any{"limit": 3}) {
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			ID     string `json:"id"`
			Object string `json:"object"`
		}
		if err := json.Unmarshal(item, &file); err != nil || file.Object != "file" {
			t.Fatalf("item %s (%v)", item, err)
		}
		ids = append(ids, file.ID)
	}
	want := "file-abc001 file-abc002 file-abc003 file-abc004 file-abc005 file-abc006 file-abc007"
	if strings.Join(ids, " ") != want || len(mock.requests(t)) != 3 {
		t.Fatalf("items %v after %d requests", ids, len(mock.requests(t)))
	}

	// Breaking out after the fourth item: the second page was fetched, the third never is.
	mock.reset(t)
	items := client.Files.ListAutoPaging(bg, map[string]any{"limit": 3})
	ids = nil
	for item, err := range items {
		if err != nil {
			t.Fatal(err)
		}
		var file struct{ ID string }
		json.Unmarshal(item, &file)
		ids = append(ids, file.ID)
		if len(ids) == 4 {
			break
		}
	}
	if strings.Join(ids, " ") != "file-abc001 file-abc002 file-abc003 file-abc004" || len(mock.requests(t)) != 2 {
		t.Fatalf("items %v after %d requests", ids, len(mock.requests(t)))
	}
	// The same iterator ranged again walks from the first page.
	mock.reset(t)
	n := 0
	for _, err := range items {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if log := mock.requests(t); n != 7 || len(log) != 3 {
		t.Fatalf("%d items after %d requests", n, len(log))
	}
	if _, has := mock.requests(t)[0].queryValue("after"); has {
		t.Fatal("the second range did not start at the first page")
	}

	// A path parameter and the OpenAI-Beta header, through a nested service.
	mock.reset(t)
	n = 0
	for item, err := range client.Beta.Threads.Messages.ListAutoPaging(bg, "thread_7", map[string]any{"limit": 4}) {
		if err != nil {
			t.Fatal(err)
		}
		var msg struct {
			ThreadID string `json:"thread_id"`
		}
		if json.Unmarshal(item, &msg); msg.ThreadID != "thread_7" {
			t.Fatalf("item %s", item)
		}
		n++
	}
	log := mock.requests(t)
	if n == 0 || log[0].Path != "/v1/threads/thread_7/messages" || log[0].header("openai-beta") != "assistants=v2" {
		t.Fatalf("%d items; %+v", n, log)
	}

	// Any list by path.
	mock.reset(t)
	n = 0
	for _, err := range client.RequestAutoPaging(bg, "/files", map[string]any{"limit": 5}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 7 || len(mock.requests(t)) != 2 {
		t.Fatalf("%d items", n)
	}
}

// TestAutoPagingNotAList: a page without a data array ends the walk with CodeInvalidResponse.
func TestAutoPagingNotAList(t *testing.T) {
	client := newClient(t)
	mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/files"}, "body_json": map[string]any{"object": "list", "has_more": false}})
	err := only(t, client.Files.ListAutoPaging(bg, nil))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.Kind != openai.CodeInvalidResponse || apiErr.Status != 200 || apiErr.Response == nil ||
		!strings.Contains(err.Error(), "data") {
		t.Fatalf("err %v", err)
	}
}

func TestPagesError(t *testing.T) {
	client := newClient(t)
	mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/fine_tuning/jobs"}, "status": 500, "times": 1})
	err := only(t, client.FineTuning.Jobs.ListPages(bg, nil))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.Kind != openai.CodeInternalServer || apiErr.Status != 500 {
		t.Fatalf("err %v", err)
	}
	// A failure on the second page: the first page's items, then the error, then nothing. The
	// failure is scripted once the first page came (the pages are fetched lazily).
	mock.reset(t)
	var got []string
	for item, err := range client.Files.ListAutoPaging(bg, map[string]any{"limit": 2}) {
		if err != nil {
			got = append(got, "error:"+err.Error())
			continue
		}
		if len(got) == 0 {
			mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/files"}, "status": 500})
		}
		var file struct{ ID string }
		json.Unmarshal(item, &file)
		got = append(got, file.ID)
	}
	if len(got) != 3 || got[0] != "file-abc001" || got[1] != "file-abc002" || !strings.HasPrefix(got[2], "error:Error code: 500") {
		t.Fatalf("yielded %q", got)
	}
}

func TestDownloadToFile(t *testing.T) {
	client := newClient(t)
	dest := filepath.Join(t.TempDir(), "speech.mp3")
	var mu sync.Mutex
	var last, total uint64
	resp, err := client.Audio.Speech.NewToFile(bg, `{"model":"tts-1","input":"hi","voice":"alloy","mock_bytes":300000}`, dest,
		func(done, all uint64) { mu.Lock(); last, total = done, all; mu.Unlock() })
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 300000 || resp.Status != 200 || resp.Header.Get("content-type") != "audio/mpeg" {
		t.Fatalf("%d bytes, status %d", len(got), resp.Status)
	}
	for i, b := range got {
		if b != byte((i*31+7)%256) {
			t.Fatalf("byte %d is %d", i, b)
		}
	}
	mu.Lock()
	if last != 300000 || (total != 0 && total != 300000) {
		t.Fatalf("progress %d of %d", last, total)
	}
	mu.Unlock()

	// The same content in memory.
	resp, err = client.Audio.Speech.New(bg, `{"model":"tts-1","input":"hi","voice":"alloy","mock_bytes":1000}`)
	if err != nil || len(resp.Body) != 1000 || resp.Body[1] != 0x26 {
		t.Fatalf("%+v, err %v", resp, err)
	}
	resp, err = client.Files.Content(bg, "file-xyz")
	if err != nil || string(resp.Body) != "{\"id\":\"file-xyz\",\"line\":0}\n{\"id\":\"file-xyz\",\"line\":1}\n{\"id\":\"file-xyz\",\"line\":2}\n" {
		t.Fatalf("content %+v, err %v", resp, err)
	}

	// A failed download leaves no file and returns the error.
	missing := filepath.Join(t.TempDir(), "missing.jsonl")
	_, err = client.Files.ContentToFile(bg, "missing-file", missing, nil)
	if !errors.Is(err, openai.CodeNotFound) {
		t.Fatalf("err %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(missing)); len(entries) != 0 {
		t.Fatalf("the failed download left %v", entries)
	}
}

func TestGenericRequest(t *testing.T) {
	client := newClient(t)
	resp, err := client.Request(bg, "GET", "/models/gpt-4o", map[string]any{"x": 1}, nil)
	if err != nil || !strings.Contains(string(resp.Body), `"gpt-4o"`) {
		t.Fatalf("%+v %v", resp, err)
	}
	r := mock.only(t)
	if r.Method != "GET" || r.Path != "/v1/models/gpt-4o" || r.Query == nil || *r.Query != "x=1" {
		t.Fatalf("request %+v", r)
	}
	mock.reset(t)
	_, err = client.Request(bg, "POST", "/no/such/endpoint", nil, `{"a":1}`)
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 404 || apiErr.Code != "unknown_url" {
		t.Fatalf("err %v", err)
	}
	if r := mock.only(t); *r.Body != `{"a":1}` {
		t.Fatalf("body %v", r.Body)
	}
}

func TestWithOptions(t *testing.T) {
	client := newClient(t)
	child, err := client.WithOptions(openai.Options{"default_headers": map[string]any{"X-Team": "go"}, "max_retries": 0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := child.Models.List(bg); err != nil {
		t.Fatal(err)
	}
	// The parent may be closed first; the child keeps working.
	if _, err := client.Models.List(bg); err != nil {
		t.Fatal(err)
	}
	client.Close()
	if _, err := child.Models.List(bg); err != nil {
		t.Fatal(err)
	}
	child.Close()
	log := mock.requests(t)
	if len(log) != 3 || log[0].header("x-team") != "go" || log[1].header("x-team") != "" || log[2].header("x-team") != "go" {
		t.Fatalf("log %+v", log)
	}
	if _, err := client.WithOptions(`{"unknown": 1}`); !errors.Is(err, openai.CodeInvalidArgument) {
		t.Fatalf("with options on a closed client: %v", err)
	}
}

// TestZeroClient: a Client that NewClient did not make is refused with CodeInvalidArgument by
// every form, never a crash.
func TestZeroClient(t *testing.T) {
	var client openai.Client
	mock.reset(t)
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, openai.CodeInvalidArgument) || !strings.Contains(err.Error(), "NewClient") {
			t.Fatalf("%s: err %v", what, err)
		}
	}
	_, err := client.Models.List(bg)
	check("call", err)
	_, err = client.Chat.Completions.NewStreaming(bg, "{}")
	check("stream", err)
	check("items", only(t, client.Files.ListAutoPaging(bg, nil)))
	_, err = client.Files.ContentToFile(bg, "file-1", filepath.Join(t.TempDir(), "x"), nil)
	check("download", err)
	_, err = client.WithOptions(nil)
	check("with options", err)
	_, err = client.Request(bg, "GET", "/models", nil, nil)
	check("request", err)
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(mock.requests(t)); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

func TestClosedClient(t *testing.T) {
	client := newClient(t)
	client.Close()
	client.Close()
	if _, err := client.Models.List(bg); !errors.Is(err, openai.CodeInvalidArgument) || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("err %v", err)
	}
	if _, err := client.Chat.Completions.NewStreaming(bg, "{}"); !errors.Is(err, openai.CodeInvalidArgument) {
		t.Fatalf("err %v", err)
	}
	if err := only(t, client.Files.ListAutoPaging(bg, nil)); !errors.Is(err, openai.CodeInvalidArgument) {
		t.Fatalf("err %v", err)
	}
	if _, err := client.Files.ContentToFile(bg, "file-1", filepath.Join(t.TempDir(), "x"), nil); !errors.Is(err, openai.CodeInvalidArgument) {
		t.Fatalf("err %v", err)
	}
}

func TestConcurrentCalls(t *testing.T) {
	client := newClient(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := fmt.Sprintf("gpt-%d", i)
			resp, err := client.Models.Get(bg, id)
			if err == nil && !strings.Contains(string(resp.Body), `"`+id+`"`) {
				err = fmt.Errorf("%s: %s", id, resp.Body)
			}
			if err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(mock.requests(t)); n != 64 {
		t.Fatalf("%d requests", n)
	}
}

func TestLogCallback(t *testing.T) {
	client := newClient(t)
	var mu sync.Mutex
	var messages []string
	openai.SetLogCallback(openai.LogDebug, func(level openai.LogLevel, msg string) {
		mu.Lock()
		messages = append(messages, msg)
		mu.Unlock()
	})
	_, err := client.Models.Get(bg, "gpt-4o")
	openai.SetLogCallback(openai.LogError, nil)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	joined := strings.Join(messages, "\n")
	if !strings.Contains(joined, "/models/gpt-4o") || strings.Contains(joined, "sk-test") {
		t.Fatalf("log messages %q", joined)
	}
}

// TestContextCancelBlockingForms cancels, through the context, the forms that use the
// library's blocking functions: opening a stream, a pager's page, a download to a file.
func TestContextCancelBlockingForms(t *testing.T) {
	client := newClient(t)
	slow := func(path string) {
		mock.reset(t)
		mock.script(t, map[string]any{"match": map[string]any{"path": path}, "delay_ms": 5000})
	}
	closedEarly := func() {
		t.Helper()
		eventually(t, "the mock to see the client close", func() bool {
			log := mock.requests(t)
			return len(log) == 1 && log[0].ClientClosedEarly
		})
	}
	cancelSoon := func() context.Context {
		ctx, cancel := context.WithCancel(bg)
		time.AfterFunc(200*time.Millisecond, cancel)
		return ctx
	}

	slow("/v1/chat/completions")
	start := time.Now()
	if _, err := client.Chat.Completions.NewStreaming(cancelSoon(), bodies["chat.completions.create"]); err != context.Canceled || time.Since(start) > 2*time.Second {
		t.Fatalf("stream: err %v after %v", err, time.Since(start))
	}
	closedEarly()

	slow("/v1/assistants")
	start = time.Now()
	if err := only(t, client.Beta.Assistants.ListPages(cancelSoon(), nil)); err != context.Canceled || time.Since(start) > 2*time.Second {
		t.Fatalf("pages: err %v after %v", err, time.Since(start))
	}
	closedEarly()

	slow("/v1/audio/speech")
	start = time.Now()
	dest := filepath.Join(t.TempDir(), "speech.mp3")
	if _, err := client.Audio.Speech.NewToFile(cancelSoon(), bodies["audio.speech.create"], dest, nil); err != context.Canceled || time.Since(start) > 2*time.Second {
		t.Fatalf("to file: err %v after %v", err, time.Since(start))
	}
	if entries, _ := os.ReadDir(filepath.Dir(dest)); len(entries) != 0 {
		t.Fatalf("a cancelled download left %v", entries)
	}
	closedEarly()
}
