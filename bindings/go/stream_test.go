package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	openai "github.com/libopenai/libopenai/bindings/go"
)

func TestChatStream(t *testing.T) {
	client := newClient(t)
	body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}`
	stream, err := client.Chat.Completions.NewStreaming(bg, body)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if r := stream.Response(); r == nil || r.Status != 200 || !strings.HasPrefix(r.Header.Get("content-type"), "text/event-stream") || r.RequestID == "" {
		t.Fatalf("stream response %+v", r)
	}
	var text strings.Builder
	events := 0
	for stream.Next() {
		ev := stream.Current()
		events++
		if ev.Name != "" {
			t.Fatalf("a chat chunk named %q", ev.Name)
		}
		var chunk struct {
			Object  string
			Choices []struct{ Delta struct{ Content string } }
		}
		if err := ev.Decode(&chunk); err != nil {
			t.Fatalf("chunk %q: %v", ev.Data, err)
		}
		if chunk.Object != "chat.completion.chunk" {
			t.Fatalf("chunk %s", ev.Data)
		}
		for _, c := range chunk.Choices {
			text.WriteString(c.Delta.Content)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if text.String() != reply || events != 9 {
		t.Fatalf("%d events, text %q", events, text.String())
	}
	if stream.Next() {
		t.Fatal("Next after the end")
	}
	r := mock.only(t)
	var sent map[string]any
	json.Unmarshal([]byte(*r.Body), &sent)
	if r.Path != "/v1/chat/completions" || sent["stream"] != true || sent["model"] != "gpt-4o-mini" {
		t.Fatalf("request %s %s", r.Path, *r.Body)
	}
	if err := stream.Close(); err != nil {
		t.Fatal(err)
	}
	stream.Close()
}

func TestAssistantStream(t *testing.T) {
	client := newClient(t)
	stream, err := client.Beta.Threads.Runs.NewStreaming(bg, "thread_42", nil, map[string]any{"assistant_id": "asst_1"})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var names []string
	var text strings.Builder
	for stream.Next() {
		ev := stream.Current()
		names = append(names, ev.Name)
		if ev.Name == "thread.message.delta" {
			var delta struct {
				Delta struct {
					Content []struct{ Text struct{ Value string } }
				}
			}
			if err := ev.Decode(&delta); err != nil {
				t.Fatal(err)
			}
			for _, c := range delta.Delta.Content {
				text.WriteString(c.Text.Value)
			}
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"thread.run.created", "thread.run.queued", "thread.run.in_progress", "thread.run.step.created",
		"thread.run.step.in_progress", "thread.message.created", "thread.message.in_progress"}
	for i := 0; i < 7; i++ {
		want = append(want, "thread.message.delta")
	}
	want = append(want, "thread.message.completed", "thread.run.step.completed", "thread.run.completed")
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("events\n %v\nwant\n %v", names, want)
	}
	if text.String() != reply {
		t.Fatalf("text %q", text.String())
	}
	r := mock.only(t)
	if r.Method != "POST" || r.Path != "/v1/threads/thread_42/runs" || r.header("openai-beta") != "assistants=v2" {
		t.Fatalf("request %s %s", r.Method, r.Path)
	}
}

// TestStreamCloseMidway closes a long stream after a few events: the connection is dropped
// and the server sees it closed.
func TestStreamCloseMidway(t *testing.T) {
	client := newClient(t)
	stream, err := client.Chat.Completions.NewStreaming(bg, `{"model":"gpt-4o","messages":[],"mock_chunks":100000,"mock_delay_ms":5}`)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if !stream.Next() {
			t.Fatalf("event %d: %v", i, stream.Err())
		}
	}
	if err := stream.Close(); err != nil {
		t.Fatal(err)
	}
	if stream.Next() || stream.Err() != nil {
		t.Fatalf("Next after Close; err %v", stream.Err())
	}
	eventually(t, "the mock to see the stream closed", func() bool {
		log := mock.requests(t)
		return len(log) == 1 && log[0].ClientClosedEarly
	})
}

// TestStreamContextCancel cancels the stream's context while Next waits for a slow event.
func TestStreamContextCancel(t *testing.T) {
	client := newClient(t)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	stream, err := client.Chat.Completions.NewStreaming(ctx, `{"model":"gpt-4o","messages":[],"mock_chunks":10,"mock_delay_ms":5000}`)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	for stream.Next() {
	}
	if !errors.Is(stream.Err(), context.Canceled) {
		t.Fatalf("err %v", stream.Err())
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Fatalf("Next returned after %v", elapsed)
	}
	eventually(t, "the mock to see the stream closed", func() bool {
		log := mock.requests(t)
		return len(log) == 1 && log[0].ClientClosedEarly
	})
}

// TestStreamCloseFromAnotherGoroutine closes the stream while Next waits in another goroutine.
func TestStreamCloseFromAnotherGoroutine(t *testing.T) {
	client := newClient(t)
	stream, err := client.Chat.Completions.NewStreaming(bg, `{"model":"gpt-4o","messages":[],"mock_chunks":10,"mock_delay_ms":5000}`)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	go func() {
		n := 0
		for stream.Next() {
			n++
		}
		done <- stream.Err() == nil
	}()
	time.Sleep(300 * time.Millisecond)
	stream.Close()
	select {
	case ok := <-done:
		if !ok {
			t.Fatalf("err %v", stream.Err())
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Next did not return after Close")
	}
}

func TestStreamHTTPError(t *testing.T) {
	client := newClient(t)
	stream, err := client.Chat.Completions.NewStreaming(bg, `{"model":"missing-model","messages":[]}`)
	var apiErr *openai.Error
	if stream != nil || !errors.As(err, &apiErr) {
		t.Fatalf("stream %v err %v", stream, err)
	}
	r := mock.only(t)
	if apiErr.Kind != openai.CodeNotFound || apiErr.Status != 404 || apiErr.Code != "model_not_found" || apiErr.RequestID != r.RequestID ||
		!strings.Contains(apiErr.Message, "missing-model") || apiErr.Response == nil || len(apiErr.Response.Body) == 0 {
		t.Fatalf("error %+v", apiErr)
	}
}

func TestStreamErrorEvent(t *testing.T) {
	client := newClient(t)
	chunk := `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}`
	mock.script(t, map[string]any{
		"match":   map[string]any{"path": "/v1/chat/completions"},
		"headers": map[string]any{"content-type": "text/event-stream"},
		"chunks": []any{
			map[string]any{"data": "data: " + chunk + "\n\n"},
			map[string]any{"data": `data: {"error":{"message":"The server is overloaded","type":"server_error"}}` + "\n\n"},
		},
	})
	stream, err := client.Chat.Completions.NewStreaming(bg, `{"model":"gpt-4o","messages":[]}`)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	n := 0
	for stream.Next() {
		n++
	}
	var apiErr *openai.Error
	if n != 1 || !errors.As(stream.Err(), &apiErr) || apiErr.Kind != openai.CodeStreamError ||
		!strings.Contains(apiErr.Error(), "overloaded") || apiErr.Status != 200 {
		t.Fatalf("%d events, err %#v", n, stream.Err())
	}
}

func TestStreamBrokenConnection(t *testing.T) {
	client := newClient(t)
	var chunks []any
	for i := 0; i < 40; i++ {
		chunks = append(chunks, map[string]any{"data": "data: {\"choices\":[]}\n\n"})
	}
	mock.script(t, map[string]any{
		"match":   map[string]any{"path": "/v1/chat/completions"},
		"headers": map[string]any{"content-type": "text/event-stream"},
		"chunks":  chunks,
		"action":  "reset_after_bytes",
		"bytes":   600,
	})
	stream, err := client.Chat.Completions.NewStreaming(bg, `{"model":"gpt-4o","messages":[]}`)
	if err != nil {
		t.Log("the reset came before the head was read")
		// The reset may come before the head is read.
		if !errors.Is(err, openai.CodeConnection) {
			t.Fatal(err)
		}
		return
	}
	defer stream.Close()
	for stream.Next() {
	}
	if !errors.Is(stream.Err(), openai.CodeConnection) {
		t.Fatalf("err %v", stream.Err())
	}
}

// TestStreamEvents reads a stream with range over Events: every event, then the error.
func TestStreamEvents(t *testing.T) {
	client := newClient(t)
	stream, err := client.Chat.Completions.NewStreaming(bg, bodies["chat.completions.create"])
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var text strings.Builder
	n := 0
	for ev, err := range stream.Events() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		var chunk struct {
			Choices []struct{ Delta struct{ Content string } }
		}
		if err := ev.Decode(&chunk); err != nil {
			t.Fatal(err)
		}
		for _, c := range chunk.Choices {
			text.WriteString(c.Delta.Content)
		}
	}
	if n != 9 || text.String() != reply {
		t.Fatalf("%d events, text %q", n, text.String())
	}

	// An error event: the events before it, then the error.
	mock.reset(t)
	mock.script(t, map[string]any{
		"match":   map[string]any{"path": "/v1/responses"},
		"headers": map[string]any{"content-type": "text/event-stream"},
		"chunks": []any{
			map[string]any{"data": "event: response.created\ndata: {\"type\":\"response.created\"}\n\n"},
			map[string]any{"data": "event: error\ndata: {\"error\":{\"message\":\"The server is overloaded\"}}\n\n"},
		},
	})
	stream, err = client.Responses.NewStreaming(bg, `{"model":"gpt-4o","input":"Hi"}`)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var got []string
	for ev, err := range stream.Events() {
		if err != nil {
			got = append(got, "error:"+err.Error())
			continue
		}
		got = append(got, ev.Name)
	}
	if len(got) != 2 || got[0] != "response.created" || !strings.HasPrefix(got[1], "error:") || !strings.Contains(got[1], "overloaded") {
		t.Fatalf("yielded %q", got)
	}
	var sent map[string]any
	if r := mock.only(t); r.Path != "/v1/responses" || json.Unmarshal([]byte(*r.Body), &sent) != nil || sent["stream"] != true {
		t.Fatalf("request %s %v", r.Path, r.Body)
	}
}

func TestRequestStream(t *testing.T) {
	client := newClient(t)
	stream, err := client.RequestStream(bg, "POST", "/chat/completions", nil, `{"model":"gpt-4o","messages":[],"stream":true,"mock_chunks":3}`)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	n := 0
	for stream.Next() {
		n++
	}
	if stream.Err() != nil || n != 5 {
		t.Fatalf("%d events, err %v", n, stream.Err())
	}
}

// TestNoGoroutineLeak makes calls of every kind (completed, failed, cancelled, streams read to
// the end or closed midway, lists, Realtime and Responses sessions) and checks that no
// goroutine is left behind.
func TestNoGoroutineLeak(t *testing.T) {
	client := newClient(t)
	// Warm up: the runtime's own goroutines (finalizers, the race detector, timers) start.
	client.Models.List(bg)
	for range client.Files.ListAutoPaging(bg, nil) {
	}
	time.Sleep(50 * time.Millisecond)
	before, _ := goroutines()
	numBefore := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		client.Models.List(bg)
		client.Models.Get(bg, "missing-model")
		mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/models"}, "delay_ms": 2000})
		ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
		if _, err := client.Models.List(ctx); err != context.DeadlineExceeded {
			t.Fatalf("err %v", err)
		}
		cancel()
		s, err := client.Chat.Completions.NewStreaming(bg, bodies["chat.completions.create"])
		if err != nil {
			t.Fatal(err)
		}
		for s.Next() {
		}
		s.Close()
		ctx, cancel = context.WithCancel(bg)
		s, err = client.Chat.Completions.NewStreaming(ctx, `{"model":"gpt-4o","messages":[],"mock_chunks":1000,"mock_delay_ms":10}`)
		if err != nil {
			t.Fatal(err)
		}
		s.Next()
		cancel()
		for s.Next() {
		}
		s.Close()
		for _, err := range client.Files.ListPages(bg, `{"limit":3}`) {
			if err != nil {
				t.Fatal(err)
			}
		}
		for range client.Files.ListAutoPaging(bg, `{"limit":2}`) {
			break
		}
		ctx, cancel = context.WithCancel(bg)
		for _, err := range client.Files.ListAutoPaging(ctx, `{"limit":3}`) {
			cancel()
			if err != nil {
				break
			}
		}
		cancel()
		session, err := client.Realtime.Connect(bg, openai.Options{"model": "gpt-realtime"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		session.Next()
		session.Close()
		ctx, cancel = context.WithCancel(bg)
		session, err = client.Responses.Connect(ctx, nil, &openai.SessionOptions{OnReconnect: func(*openai.Reconnect) bool { return false }})
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		for session.Next() {
		}
		session.Close()
	}
	after, stacks := settledGoroutines(before)
	if after > before {
		t.Fatalf("%d goroutines before, %d after:\n%s", before, after, stacks)
	}
	// runtime.NumGoroutine also counts the goroutines bound to the library's threads: at most
	// one per thread (OPENAI_WORKER_THREADS, by default the number of cores, plus the blocking
	// pool), however many calls were made.
	if n := runtime.NumGoroutine(); n > numBefore+2*runtime.NumCPU()+8 {
		t.Fatalf("runtime.NumGoroutine: %d before, %d after", numBefore, n)
	}
}
