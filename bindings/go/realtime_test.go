package openai_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/libopenai/libopenai/bindings/go"
)

// wsRecord is a WebSocket session's record in the mock (GET /__mock/websockets).
type wsRecord struct {
	ConnectionID int         `json:"connection_id"`
	Path         string      `json:"path"`
	QueryPairs   [][2]string `json:"query_pairs"`
	Events       []string    `json:"events"`
	Appends      []int       `json:"appends"`
	AudioBytes   int         `json:"audio_bytes"`
	AudioSHA256  string      `json:"audio_sha256"`
	Pongs        int         `json:"pongs"`
	ClientClose  *struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	} `json:"client_close"`
	Ended string `json:"ended"`
}

func (m *mockServer) websockets(t testing.TB) []wsRecord {
	t.Helper()
	var records []wsRecord
	if err := json.Unmarshal(m.do(t, "GET", "/__mock/websockets", nil), &records); err != nil {
		t.Fatal(err)
	}
	return records
}

// session is the one WebSocket session the mock has a record of.
func (m *mockServer) session(t testing.TB) wsRecord {
	t.Helper()
	records := m.websockets(t)
	if len(records) != 1 {
		t.Fatalf("the mock has %d sessions, want 1: %+v", len(records), records)
	}
	return records[0]
}

// until reads events up to and including the first one named name, and returns their names.
func until(t *testing.T, s *openai.Session, name string, each func(openai.Event)) []string {
	t.Helper()
	var names []string
	for ev, err := range s.Events() {
		if err != nil {
			t.Fatalf("after %v: %v", names, err)
		}
		names = append(names, ev.Name)
		if each != nil {
			each(ev)
		}
		if ev.Name == name {
			return names
		}
	}
	t.Fatalf("the session ended before %s, after %v (err %v)", name, names, s.Err())
	return nil
}

// TestRealtimeTextTurn: a text conversation turn, the exact handshake, the client events in
// the order sent, and the reply's text deltas.
func TestRealtimeTextTurn(t *testing.T) {
	client := newClient(t)
	session, err := client.Realtime.Connect(bg, openai.Options{"model": "gpt-realtime"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	if r := session.Response(); r == nil || r.Status != 101 || r.RequestID == "" {
		t.Fatalf("handshake response %+v", r)
	}
	var created struct {
		Session struct{ ID, Model string }
	}
	until(t, session, "session.created", func(ev openai.Event) { ev.Decode(&created) })
	if created.Session.ID != "sess_mock001" || created.Session.Model != "gpt-realtime" {
		t.Fatalf("session.created %+v", created)
	}
	events := []string{
		`{"type":"session.update","session":{"type":"realtime","output_modalities":["text"]}}`,
		`{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"Hello"}]}}`,
		`{"type":"response.create"}`,
	}
	for _, e := range events {
		if err := session.Send(e); err != nil {
			t.Fatal(err)
		}
	}
	var text strings.Builder
	names := until(t, session, "response.done", func(ev openai.Event) {
		if ev.Audio != nil {
			t.Errorf("%s has audio", ev.Name)
		}
		if ev.Name == "response.output_text.delta" {
			var d struct{ Delta string }
			ev.Decode(&d)
			text.WriteString(d.Delta)
		}
	})
	if text.String() != reply || names[0] != "session.updated" || names[1] != "conversation.item.created" {
		t.Fatalf("events %v, text %q", names, text.String())
	}
	if err := session.SendClose(1000, "done"); err != nil {
		t.Fatal(err)
	}
	for range session.Events() {
	}
	if code, reason := session.CloseCode(); session.Err() != nil || code != 1000 || reason != "done" {
		t.Fatalf("ended with %v, close code %d %q", session.Err(), code, reason)
	}
	if err := session.Send(`{"type":"response.create"}`); err == nil {
		t.Fatal("a send after the close was accepted")
	}
	// What the session was stays readable after Close.
	session.Close()
	if code, reason := session.CloseCode(); code != 1000 || reason != "done" || session.Response() == nil || session.Response().Status != 101 {
		t.Fatalf("after Close: close code %d %q, response %+v", code, reason, session.Response())
	}

	// The handshake, as the mock logged it.
	log := mock.requests(t)
	if len(log) != 1 || log[0].Method != "GET" || log[0].Path != "/v1/realtime" || log[0].header("authorization") != "Bearer sk-test" ||
		!strings.EqualFold(log[0].header("upgrade"), "websocket") {
		t.Fatalf("handshake %+v", log)
	}
	if v, _ := log[0].queryValue("model"); v != "gpt-realtime" {
		t.Fatalf("query %v", log[0].QueryPairs)
	}
	rec := mock.session(t)
	if rec.Path != "/v1/realtime" || len(rec.Events) != len(events) || rec.Pongs < 1 || rec.ClientClose == nil ||
		rec.ClientClose.Code != 1000 || rec.ClientClose.Reason != "done" || rec.Ended != "client_closed" {
		t.Fatalf("record %+v", rec)
	}
	for i, e := range events {
		if rec.Events[i] != e {
			t.Fatalf("event %d: the mock received %s, want %s", i, rec.Events[i], e)
		}
	}
}

// TestRealtimeAudio appends PCM (base64 done by the library, split into 32 KiB appends) and
// reads the audio reply as decoded PCM.
func TestRealtimeAudio(t *testing.T) {
	client := newClient(t)
	session, err := client.Realtime.Connect(bg, openai.Options{"model": "gpt-realtime", "mock_audio_bytes": 10000, "mock_audio_chunk_bytes": 3000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	pcm := make([]byte, 100000)
	for i := range pcm {
		pcm[i] = byte(i * 7)
	}
	if err := session.AppendAudio(pcm); err != nil {
		t.Fatal(err)
	}
	if err := session.AppendAudio(pcm[:3]); !errors.Is(err, openai.CodeInvalidArgument) {
		t.Fatalf("an odd length: %v", err)
	}
	if err := session.Send(`{"type":"input_audio_buffer.commit"}`); err != nil {
		t.Fatal(err)
	}
	if err := session.Send(`{"type":"response.create"}`); err != nil {
		t.Fatal(err)
	}
	var audio []byte
	deltas := 0
	until(t, session, "response.done", func(ev openai.Event) {
		if ev.Name == "response.output_audio.delta" {
			deltas++
			audio = append(audio, ev.Audio...)
		} else if ev.Audio != nil {
			t.Errorf("%s has audio", ev.Name)
		}
	})
	if len(audio) != 10000 || deltas != 4 {
		t.Fatalf("%d audio bytes in %d deltas", len(audio), deltas)
	}
	for i, b := range audio {
		if b != byte((i*31+7)%256) {
			t.Fatalf("audio byte %d is %d", i, b)
		}
	}
	rec := mock.session(t)
	sum := sha256.Sum256(pcm)
	if rec.AudioBytes != len(pcm) || rec.AudioSHA256 != hex.EncodeToString(sum[:]) || fmt.Sprint(rec.Appends) != "[32768 32768 32768 1696]" {
		t.Fatalf("the mock got %d audio bytes in %v (sha256 %s)", rec.AudioBytes, rec.Appends, rec.AudioSHA256)
	}
}

// TestRealtimeConcurrentSends: 8 goroutines send at once; each one's events arrive whole and
// in its order.
func TestRealtimeConcurrentSends(t *testing.T) {
	client := newClient(t)
	session, err := client.Realtime.Connect(bg, openai.Options{"model": "gpt-realtime"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	const senders, each = 8, 25
	var wg sync.WaitGroup
	for g := 0; g < senders; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				event := map[string]any{"type": "conversation.item.create", "item": map[string]any{
					"id": fmt.Sprintf("item_%d_%03d", g, i), "type": "message", "role": "user",
					"content": []any{map[string]any{"type": "input_text", "text": strings.Repeat("x", 1000)}},
				}}
				if err := session.Send(event); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	n := 0
	until(t, session, "session.created", nil)
	for n < senders*each && session.Next() {
		if session.Current().Name == "conversation.item.created" {
			n++
		}
	}
	if n != senders*each {
		t.Fatalf("%d items created, err %v", n, session.Err())
	}
	rec := mock.session(t)
	next := make([]int, senders)
	for _, raw := range rec.Events {
		var e struct{ Item struct{ ID string } }
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			t.Fatal(err)
		}
		var g, i int
		fmt.Sscanf(e.Item.ID, "item_%d_%d", &g, &i)
		if i != next[g] {
			t.Fatalf("sender %d: item %d came before item %d", g, i, next[g])
		}
		next[g]++
	}
}

// TestRealtimeRefusedUpgrade: a refused handshake is an *Error with its status and body.
func TestRealtimeRefusedUpgrade(t *testing.T) {
	client := newClient(t, openai.Options{"api_key": "sk-invalid-key"})
	session, err := client.Realtime.Connect(bg, openai.Options{"model": "gpt-realtime"}, nil)
	var apiErr *openai.Error
	if session != nil || !errors.As(err, &apiErr) || apiErr.Kind != openai.CodeAuthentication || apiErr.Status != 401 ||
		apiErr.Code != "invalid_api_key" || apiErr.Response == nil || strings.Contains(err.Error(), "sk-invalid-key") {
		t.Fatalf("session %v, err %#v", session, err)
	}
	// A missing model: 400.
	client = newClient(t)
	_, err = client.Realtime.Connect(bg, nil, nil)
	if !errors.Is(err, openai.CodeBadRequest) || !errors.As(err, &apiErr) || apiErr.Status != 400 {
		t.Fatalf("err %v", err)
	}
}

// TestRealtimeServerClose: the server closes the session with a code that is not recoverable;
// the session ends with CodeConnection and the code.
func TestRealtimeServerClose(t *testing.T) {
	client := newClient(t)
	mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/realtime"},
		"websocket": map[string]any{"after_events": 1, "action": "close", "code": 1008, "reason": "policy"}})
	session, err := client.Realtime.Connect(bg, openai.Options{"model": "gpt-realtime"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	var names []string
	var ended error
	for ev, err := range session.Events() {
		if err != nil {
			ended = err
			break
		}
		names = append(names, ev.Name)
	}
	code, reason := session.CloseCode()
	if len(names) != 1 || names[0] != "session.created" || !errors.Is(ended, openai.CodeConnection) || code != 1008 || reason != "policy" ||
		!strings.Contains(ended.Error(), "1008") {
		t.Fatalf("events %v, err %v, close code %d %q", names, ended, code, reason)
	}
}

// TestRealtimeContextCancel: the session's context ends it while Next waits; the connection
// is dropped.
func TestRealtimeContextCancel(t *testing.T) {
	client := newClient(t)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	session, err := client.Realtime.Connect(ctx, openai.Options{"model": "gpt-realtime"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	until(t, session, "session.created", nil)
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	if session.Next() || session.Err() != context.Canceled || time.Since(start) > 3*time.Second {
		t.Fatalf("Next: err %v after %v", session.Err(), time.Since(start))
	}
	eventually(t, "the mock to see the session dropped", func() bool { return mock.session(t).Ended == "client_dropped" })

	// A slow handshake cancelled through the context.
	mock.reset(t)
	mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/realtime"}, "delay_ms": 5000, "status": 503})
	slow, cancelSlow := context.WithCancel(bg)
	time.AfterFunc(200*time.Millisecond, cancelSlow)
	start = time.Now()
	if _, err := client.Realtime.Connect(slow, openai.Options{"model": "gpt-realtime"}, nil); err != context.Canceled || time.Since(start) > 3*time.Second {
		t.Fatalf("a cancelled handshake: err %v after %v", err, time.Since(start))
	}

	// A context already done: nothing is sent.
	mock.reset(t)
	if _, err := client.Realtime.Connect(ctx, openai.Options{"model": "gpt-realtime"}, nil); err != context.Canceled {
		t.Fatalf("err %v", err)
	}
	if n := len(mock.requests(t)); n != 0 {
		t.Fatalf("%d requests", n)
	}
}

// TestRealtimeCloseFromAnotherGoroutine: Close while Next waits in another goroutine.
func TestRealtimeCloseFromAnotherGoroutine(t *testing.T) {
	client := newClient(t)
	session, err := client.Realtime.Connect(bg, openai.Options{"model": "gpt-realtime"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		for session.Next() {
		}
		done <- session.Err()
	}()
	time.Sleep(300 * time.Millisecond)
	session.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("err %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Next did not return after Close")
	}
	session.Close()
	if err := session.Send(`{"type":"response.create"}`); !errors.Is(err, openai.CodeInvalidArgument) {
		t.Fatalf("send after Close: %v", err)
	}
	eventually(t, "the mock to see the session dropped", func() bool { return mock.session(t).Ended == "client_dropped" })
}

// TestResponsesWebSocket: the Responses API over a persistent WebSocket.
func TestResponsesWebSocket(t *testing.T) {
	client := newClient(t)
	session, err := client.Responses.Connect(bg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	for turn := 0; turn < 2; turn++ {
		if err := session.Send(map[string]any{"type": "response.create", "model": "gpt-4o-mini", "input": "Hello"}); err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		names := until(t, session, "response.completed", func(ev openai.Event) {
			if ev.Name == "response.output_text.delta" {
				var d struct{ Delta string }
				ev.Decode(&d)
				text.WriteString(d.Delta)
			}
		})
		if names[0] != "response.created" || text.String() != reply {
			t.Fatalf("turn %d: events %v, text %q", turn, names, text.String())
		}
	}
	rec := mock.session(t)
	if rec.Path != "/v1/responses" || len(rec.Events) != 2 {
		t.Fatalf("record %+v", rec)
	}
}

// TestRealtimeReconnect: with OnReconnect, a dropped connection (1006) is reconnected; the
// function hears the attempt and changes the next connection's query; an event sent while the
// session reconnects goes out on the new connection.
func TestRealtimeReconnect(t *testing.T) {
	client := newClient(t)
	mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/realtime"},
		"websocket": map[string]any{"after_events": 1, "action": "drop"}})
	reconnecting := make(chan string, 5)
	session, err := client.Realtime.Connect(bg, openai.Options{"model": "gpt-realtime"}, &openai.SessionOptions{
		Options: openai.Options{"initial_delay": 0.05},
		OnReconnect: func(next *openai.Reconnect) bool {
			heard := fmt.Sprintf("%d/%d %d %v %s", next.Attempt, next.MaxAttempts, next.CloseCode, next.Delay, next.Query())
			if err := next.SetQuery(openai.Options{"model": "gpt-realtime-mini"}); err != nil {
				t.Error(err)
			}
			reconnecting <- heard
			return true
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	model := func() string {
		var c struct{ Session struct{ Model string } }
		until(t, session, "session.created", func(ev openai.Event) { ev.Decode(&c) })
		return c.Session.Model
	}
	if m := model(); m != "gpt-realtime" {
		t.Fatalf("first connection: model %q", m)
	}
	select {
	case heard := <-reconnecting:
		if heard != `1/5 1006 50ms {"model":"gpt-realtime"}` {
			t.Fatalf("OnReconnect heard %q", heard)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OnReconnect was not called")
	}
	if err := session.Send(`{"type":"input_audio_buffer.clear"}`); err != nil {
		t.Fatal(err)
	}
	if m := model(); m != "gpt-realtime-mini" {
		t.Fatalf("second connection: model %q", m)
	}
	until(t, session, "input_audio_buffer.cleared", nil)
	if n := len(reconnecting); n != 0 {
		t.Fatalf("%d more reconnections", n)
	}
	records := mock.websockets(t)
	if len(records) != 2 || records[0].Ended != "server_dropped" || len(records[1].Events) != 1 {
		t.Fatalf("records %+v", records)
	}
}

// TestRealtimeInvalidArguments: refused before anything is sent.
func TestRealtimeInvalidArguments(t *testing.T) {
	client := newClient(t)
	if _, err := client.Realtime.Connect(bg, "{oops", nil); !errors.Is(err, openai.CodeInvalidArgument) {
		t.Fatalf("err %v", err)
	}
	if _, err := client.Realtime.Connect(bg, nil, &openai.SessionOptions{Options: openai.Options{"no_such_option": 1}}); !errors.Is(err, openai.CodeInvalidArgument) ||
		!strings.Contains(err.Error(), "no_such_option") {
		t.Fatalf("err %v", err)
	}
	if n := len(mock.requests(t)); n != 0 {
		t.Fatalf("%d requests", n)
	}
	session, err := client.Realtime.Connect(bg, openai.Options{"model": "gpt-realtime"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	if err := session.Send(`[1,2]`); !errors.Is(err, openai.CodeInvalidArgument) {
		t.Fatalf("a send of an array: %v", err)
	}
	if err := session.SendClose(1006, ""); !errors.Is(err, openai.CodeInvalidArgument) {
		t.Fatalf("close code 1006: %v", err)
	}
}
