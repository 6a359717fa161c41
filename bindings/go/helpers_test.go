package openai_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/libopenai/libopenai/bindings/go"
)

// The helpers (polling.go, uploads_chunked.go, webhooks.go) against the mock's objects that
// change (tests/mock_server/src/lifecycle.rs): an upload whose parts must add up, objects that
// are in_progress for two retrievals and then completed.

func TestUploadFileChunkedSendsEveryRangeAndCompletes(t *testing.T) {
	client := newClient(t)
	// 5 parts of 256 KiB and one of 1,000 bytes, 3 in flight at once.
	const part = 256 << 10
	data := make([]byte, 5*part+1000)
	for i := range data {
		data[i] = byte(i*7 + i/part)
	}
	path := filepath.Join(t.TempDir(), "train.jsonl")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var heard [][2]uint64
	resp, err := client.Uploads.UploadFileChunked(bg, path, `{"purpose":"batch","mime_type":"text/jsonl"}`,
		openai.Options{"part_size": part, "parallel": 3}, func(sent, total uint64) {
			mu.Lock()
			heard = append(heard, [2]uint64{sent, total})
			mu.Unlock()
		})
	if err != nil {
		t.Fatal(err)
	}
	var upload struct {
		ID, Status string
		File       struct {
			ID    string
			Bytes int
		}
	}
	if err := resp.Decode(&upload); err != nil {
		t.Fatal(err)
	}
	if upload.Status != "completed" || upload.File.Bytes != len(data) || !strings.HasPrefix(upload.File.ID, "file-") {
		t.Fatalf("the completed upload: %s", resp.Body)
	}

	var creates, parts, completes []mockRequest
	for _, r := range mock.requests(t) {
		switch {
		case r.Method == "POST" && r.Path == "/v1/uploads":
			creates = append(creates, r)
		case r.Method == "POST" && r.Path == "/v1/uploads/"+upload.ID+"/parts":
			parts = append(parts, r)
		case r.Method == "POST" && r.Path == "/v1/uploads/"+upload.ID+"/complete":
			completes = append(completes, r)
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.Path)
		}
	}
	if len(creates) != 1 || *creates[0].Body != `{"purpose":"batch","mime_type":"text/jsonl","bytes":`+strconv.Itoa(len(data))+`,"filename":"train.jsonl"}` {
		t.Fatalf("the create: %+v", creates)
	}
	// Each part: the bytes of one range of the file, as the SDK sends a part.
	var want, got []string
	for start := 0; start < len(data); start += part {
		sum := sha256.Sum256(data[start:min(start+part, len(data))])
		want = append(want, strconv.Itoa(min(part, len(data)-start))+" "+hex.EncodeToString(sum[:]))
	}
	for _, r := range parts {
		if len(r.Parts) != 1 || r.Parts[0].Name != "data" || r.Parts[0].ContentType == nil || *r.Parts[0].ContentType != "application/octet-stream" {
			t.Fatalf("a part request: %+v", r.Parts)
		}
		got = append(got, strconv.Itoa(r.Parts[0].Len)+" "+r.Parts[0].SHA256)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("the parts received:\n%v\nwant the file's ranges:\n%v", got, want)
	}
	// Complete: the six part ids, each once (the mock checked that their lengths add up).
	var complete struct {
		PartIDs []string `json:"part_ids"`
	}
	if len(completes) != 1 || json.Unmarshal([]byte(*completes[0].Body), &complete) != nil {
		t.Fatalf("the complete: %+v", completes)
	}
	if ids := slices.Compact(slices.Sorted(slices.Values(complete.PartIDs))); len(complete.PartIDs) != 6 || len(ids) != 6 {
		t.Fatalf("part_ids %v", complete.PartIDs)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(heard) == 0 || heard[len(heard)-1] != [2]uint64{uint64(len(data)), uint64(len(data))} {
		t.Fatalf("progress heard %v", heard)
	}
}

func TestUploadFileChunkedCancelledThroughContext(t *testing.T) {
	client := newClient(t)
	path := filepath.Join(t.TempDir(), "data.jsonl")
	if err := os.WriteFile(path, make([]byte, 2000), 0o600); err != nil {
		t.Fatal(err)
	}
	// The first part would be answered after a minute (the others, and uploads.cancel, at once).
	mock.script(t, map[string]any{"match": map[string]any{"method": "POST", "path_prefix": "/v1/uploads/upload_mock_"}, "delay_ms": 60000})
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	var err error
	start := time.Now()
	go func() {
		defer close(done)
		_, err = client.Uploads.UploadFileChunked(ctx, path, openai.Options{"purpose": "batch", "mime_type": "text/jsonl"},
			`{"part_size":1000,"parallel":1}`, nil)
	}()
	sent := func(suffix string) func() bool {
		return func() bool {
			return slices.ContainsFunc(mock.requests(t), func(r mockRequest) bool { return strings.HasSuffix(r.Path, suffix) })
		}
	}
	eventually(t, "a part sent", sent("/parts"))
	cancel()
	<-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 30*time.Second {
		t.Fatalf("the cancelled upload returned after %v", elapsed)
	}
	// The library cancels the Upload on the server.
	eventually(t, "uploads.cancel sent", sent("/cancel"))
}

// lifecycle is the mock's requests for one object: the creations and retrievals of path.
func lifecycle(t *testing.T, path string) (posts, gets int) {
	t.Helper()
	for _, r := range mock.requests(t) {
		switch {
		case r.Method == "GET" && r.Path == path:
			gets++
		case r.Method == "POST":
			posts++
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.Path)
		}
	}
	return posts, gets
}

func status(t *testing.T, resp *openai.Response) (id, status string) {
	t.Helper()
	var v struct{ ID, Status string }
	if err := resp.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v.ID, v.Status
}

func TestNewAndPollWaitsForTheTerminalStatus(t *testing.T) {
	client := newClient(t)
	resp, err := client.VectorStores.Files.NewAndPoll(bg, "vs_1", `{"file_id":"file-abc"}`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if id, s := status(t, resp); id != "file-abc" || s != "completed" {
		t.Fatalf("%s is %s: %s", id, s, resp.Body)
	}
	// Created once, retrieved twice in_progress and once completed (every 10 ms, as the mock's
	// openai-poll-after-ms said).
	if posts, gets := lifecycle(t, "/v1/vector_stores/vs_1/files/file-abc"); posts != 1 || gets != 3 {
		t.Fatalf("%d creations and %d retrievals, want 1 and 3", posts, gets)
	}

	// The other resources, each created and polled: a file batch and a video with their
	// create-and-poll, a batch and a background response created, then polled.
	client = newClient(t)
	resp, err = client.VectorStores.FileBatches.NewAndPoll(bg, "vs_1", `{"file_ids":["file-a","file-b"]}`, 5)
	if err != nil {
		t.Fatal(err)
	}
	if id, s := status(t, resp); s != "completed" {
		t.Fatalf("%s is %s", id, s)
	} else if posts, gets := lifecycle(t, "/v1/vector_stores/vs_1/file_batches/"+id); posts != 1 || gets != 3 {
		t.Fatalf("file batch: %d creations and %d retrievals", posts, gets)
	}
	client = newClient(t)
	resp, err = client.Videos.NewAndPoll(bg, openai.Options{"prompt": "a cat", "model": "sora-2"}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if id, s := status(t, resp); s != "completed" {
		t.Fatalf("%s is %s", id, s)
	} else if posts, gets := lifecycle(t, "/v1/videos/"+id); posts != 1 || gets != 3 {
		t.Fatalf("video: %d creations and %d retrievals", posts, gets)
	}
	for _, c := range []struct {
		name, prefix string
		create       func(*openai.Client) (*openai.Response, error)
		poll         func(*openai.Client, string) (*openai.Response, error)
	}{
		{"batch", "/v1/batches/",
			func(c *openai.Client) (*openai.Response, error) {
				return c.Batches.New(bg, `{"input_file_id":"file-in","endpoint":"/v1/chat/completions","completion_window":"24h"}`)
			},
			func(c *openai.Client, id string) (*openai.Response, error) { return c.Batches.PollStatus(bg, id, 0) }},
		{"response", "/v1/responses/",
			func(c *openai.Client) (*openai.Response, error) {
				return c.Responses.New(bg, `{"model":"gpt-4o","input":"Hi","background":true}`)
			},
			func(c *openai.Client, id string) (*openai.Response, error) { return c.Responses.PollStatus(bg, id, 0) }},
	} {
		client = newClient(t)
		created, err := c.create(client)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := status(t, created)
		resp, err := c.poll(client, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, s := status(t, resp); s != "completed" {
			t.Fatalf("%s %s is %s", c.name, id, s)
		}
		if posts, gets := lifecycle(t, c.prefix+id); posts != 1 || gets != 3 {
			t.Fatalf("%s: %d creations and %d retrievals", c.name, posts, gets)
		}
	}
}

func TestRunsNewAndPollFollowsTheRun(t *testing.T) {
	client := newClient(t)
	// Runs are not among the mock's changing objects: the answers are scripted.
	run := func(status string) map[string]any {
		return map[string]any{"match": map[string]any{"path_prefix": "/v1/threads/thread_1/runs"},
			"headers": map[string]any{"openai-poll-after-ms": "1"}, "body_json": map[string]any{"id": "run_1", "object": "thread.run", "status": status}}
	}
	for _, s := range []string{"queued", "in_progress", "requires_action"} {
		mock.script(t, run(s))
	}
	resp, err := client.Beta.Threads.Runs.NewAndPoll(bg, "thread_1", `{"assistant_id":"asst_1"}`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, s := status(t, resp); s != "requires_action" {
		t.Fatalf("the run is %s", s)
	}
	log := mock.requests(t)
	var got []string
	for _, r := range log {
		got = append(got, r.Method+" "+r.Path)
	}
	want := []string{"POST /v1/threads/thread_1/runs", "GET /v1/threads/thread_1/runs/run_1", "GET /v1/threads/thread_1/runs/run_1"}
	if !slices.Equal(got, want) {
		t.Fatalf("requests %v, want %v", got, want)
	}
	if log[0].header("openai-beta") != "assistants=v2" || *log[0].Body != `{"assistant_id":"asst_1"}` {
		t.Fatalf("the create: %+v", log[0])
	}
	// PollStatus of a run already in a terminal status: one retrieval.
	mock.script(t, run("completed"))
	resp, err = client.Beta.Threads.Runs.PollStatus(bg, "thread_1", "run_1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, s := status(t, resp); s != "completed" || len(mock.requests(t)) != 4 {
		t.Fatalf("the run is %s after %d requests", s, len(mock.requests(t)))
	}
}

func TestPollCancelledThroughContext(t *testing.T) {
	client := newClient(t)
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	var err error
	start := time.Now()
	go func() {
		defer close(done)
		// A minute between two retrievals.
		_, err = client.VectorStores.Files.NewAndPoll(ctx, "vs_1", `{"file_id":"file-slow"}`, 60000)
	}()
	eventually(t, "the file created", func() bool { return len(mock.requests(t)) > 0 })
	cancel()
	<-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 30*time.Second {
		t.Fatalf("the cancelled poll returned after %v", elapsed)
	}
	// A deadline ends it the same way.
	ctx, cancelTimeout := context.WithTimeout(bg, 100*time.Millisecond)
	defer cancelTimeout()
	if _, err := client.VectorStores.Files.PollStatus(ctx, "vs_1", "file-slow", 60000); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if posts, gets := lifecycle(t, "/v1/vector_stores/vs_1/files/file-slow"); posts != 1 || gets > 2 {
		t.Fatalf("%d creations and %d retrievals", posts, gets)
	}
}

// The test secret (tests/common/webhooks.rs's): "whsec_" and the key in base64.
const webhookSecret = "whsec_dGVzdC13ZWJob29rLWtleS0wMTIzNDU2Nzg5"
const webhookID = "wh_685342e6c53c8190a1be43f081506c52"
const webhookPayload = `{"id":"evt_685343a1381c819085d44c354e1b330e","type":"response.completed","created_at":1750287018,"data":{"id":"resp_abc123"}}`

// signed are the headers OpenAI sends with payload at timestamp, signed with webhookSecret.
func signed(t *testing.T, payload string, timestamp int64) http.Header {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(webhookSecret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(webhookID + "." + strconv.FormatInt(timestamp, 10) + "." + payload))
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Webhook-Id", webhookID)
	h.Set("Webhook-Timestamp", strconv.FormatInt(timestamp, 10))
	h.Set("Webhook-Signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return h
}

func TestWebhooks(t *testing.T) {
	client := newClient(t)
	now := time.Now().Unix()
	opts := &openai.WebhookOptions{Secret: webhookSecret}
	headers := signed(t, webhookPayload, now)
	if err := client.Webhooks.VerifySignature([]byte(webhookPayload), headers, opts); err != nil {
		t.Fatal(err)
	}
	event, err := client.Webhooks.Unwrap([]byte(webhookPayload), headers, opts)
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Data struct{ ID string } }
	if err := event.Decode(&body); err != nil || event.Name != "response.completed" || event.ID != webhookID ||
		body.Data.ID != "resp_abc123" || string(event.Data) != webhookPayload {
		t.Fatalf("event %+v (%s), %v", event, event.Data, err)
	}

	refused := func(err error, message string) {
		t.Helper()
		var e *openai.Error
		if !errors.As(err, &e) || !errors.Is(err, openai.CodeInvalidWebhookSignature) || e.Message != message {
			t.Fatalf("err = %#v, want CodeInvalidWebhookSignature %q", err, message)
		}
	}
	// Tampered: another body under the same signature.
	tampered := []byte(strings.Replace(webhookPayload, "resp_abc123", "resp_abc999", 1))
	refused(client.Webhooks.VerifySignature(tampered, headers, opts), "The given webhook signature does not match the expected signature")
	_, err = client.Webhooks.Unwrap(tampered, headers, opts)
	refused(err, "The given webhook signature does not match the expected signature")
	// Another secret.
	refused(client.Webhooks.VerifySignature([]byte(webhookPayload), headers, &openai.WebhookOptions{Secret: "whsec_b3RoZXIta2V5"}),
		"The given webhook signature does not match the expected signature")
	// No signature header.
	partial := headers.Clone()
	partial.Del("Webhook-Signature")
	refused(client.Webhooks.VerifySignature([]byte(webhookPayload), partial, opts), "Could not find webhook-signature header")
	// 400 s old: refused with the default tolerance, accepted with 500 s.
	old := signed(t, webhookPayload, now-400)
	refused(client.Webhooks.VerifySignature([]byte(webhookPayload), old, opts), "Webhook timestamp is too old")
	if err := client.Webhooks.VerifySignature([]byte(webhookPayload), old, &openai.WebhookOptions{Secret: webhookSecret, Tolerance: 500 * time.Second}); err != nil {
		t.Fatal(err)
	}
	// The secret from OPENAI_WEBHOOK_SECRET, on a zero service.
	t.Setenv("OPENAI_WEBHOOK_SECRET", webhookSecret)
	if err := (openai.WebhooksService{}).VerifySignature([]byte(webhookPayload), headers, nil); err != nil {
		t.Fatal(err)
	}
	// A secret that is not base64 after whsec_.
	if err := client.Webhooks.VerifySignature([]byte(webhookPayload), headers, &openai.WebhookOptions{Secret: "whsec_!!"}); !errors.Is(err, openai.CodeInvalidArgument) {
		t.Fatalf("err = %v", err)
	}
	if len(mock.requests(t)) != 0 {
		t.Fatal("a webhook check sent a request")
	}
}
