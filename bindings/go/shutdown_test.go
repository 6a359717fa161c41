package openai_test

import (
	"errors"
	"testing"
	"time"

	openai "github.com/libopenai/libopenai/bindings/go"
)

// TestShutdown stops the library while a call is in flight: the call ends with
// CodeCancelled, Shutdown returns nil, and the library starts afresh on the next call, also
// through the client made before.
func TestShutdown(t *testing.T) {
	client := newClient(t)
	mock.script(t, map[string]any{"match": map[string]any{"path": "/v1/models"}, "delay_ms": 5000})
	done := make(chan error, 1)
	go func() {
		_, err := client.Models.List(bg)
		done <- err
	}()
	eventually(t, "the call to reach the mock", func() bool { return len(mock.requests(t)) == 1 })
	start := time.Now()
	if err := openai.Shutdown(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		var apiErr *openai.Error
		if !errors.As(err, &apiErr) || apiErr.Kind != openai.CodeCancelled {
			t.Fatalf("the call in flight ended with %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the call in flight did not end")
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Fatalf("Shutdown took %v", elapsed)
	}
	if _, err := client.Models.Get(bg, "gpt-4o"); err != nil {
		t.Fatalf("after Shutdown: %v", err)
	}
	for _, err := range client.Files.ListAutoPaging(bg, nil) {
		if err != nil {
			t.Fatalf("after Shutdown: %v", err)
		}
	}
}
