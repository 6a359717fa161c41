package openai_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	openai "github.com/libopenai/libopenai/bindings/go"
)

// mock is the mock server (tests/mock_server) the tests talk to, started by TestMain from
// OPENAI_MOCK_BIN (test.sh sets it) on an ephemeral port.
var mock *mockServer

type mockServer struct {
	url  string
	http *http.Client
}

// mockRequest is an entry of the mock's request log (GET /__mock/requests).
type mockRequest struct {
	Seq               int         `json:"seq"`
	RequestID         string      `json:"request_id"`
	Method            string      `json:"method"`
	Path              string      `json:"path"`
	Query             *string     `json:"query"`
	QueryPairs        [][2]string `json:"query_pairs"`
	Headers           [][2]string `json:"headers"`
	Body              *string     `json:"body"`
	BodyLen           int         `json:"body_len"`
	Parts             []mockPart  `json:"parts"`
	ClientClosedEarly bool        `json:"client_closed_early"`
}

type mockPart struct {
	Name        string  `json:"name"`
	Filename    *string `json:"filename"`
	ContentType *string `json:"content_type"`
	Len         int     `json:"len"`
	Value       *string `json:"value"`
	SHA256      string  `json:"sha256"`
}

func (r mockRequest) header(name string) string {
	for _, h := range r.Headers {
		if h[0] == strings.ToLower(name) {
			return h[1]
		}
	}
	return ""
}

func (r mockRequest) queryValue(name string) (string, bool) {
	for _, p := range r.QueryPairs {
		if p[0] == name {
			return p[1], true
		}
	}
	return "", false
}

func (r mockRequest) part(name string) *mockPart {
	for i := range r.Parts {
		if r.Parts[i].Name == name {
			return &r.Parts[i]
		}
	}
	return nil
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	bin := os.Getenv("OPENAI_MOCK_BIN")
	if bin == "" {
		target := os.Getenv("CARGO_TARGET_DIR")
		if target == "" {
			target = filepath.Join("..", "..", "target")
		}
		bin = filepath.Join(target, "debug", "openai-mock")
	}
	if _, err := os.Stat(bin); err != nil {
		fmt.Fprintf(os.Stderr, "the mock server %s is missing (%v): run bindings/go/test.sh, or build it with `cargo build -p openai-mock` and set OPENAI_MOCK_BIN\n", bin, err)
		return 2
	}
	// The library reads the proxy variables; the mock is on the loopback interface.
	os.Setenv("NO_PROXY", "127.0.0.1,localhost")
	os.Setenv("no_proxy", "127.0.0.1,localhost")
	cmd := exec.Command(bin, "--quiet", "--exit-on-stdin-eof")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "starting the mock:", err)
		return 2
	}
	defer func() {
		stdin.Close() // --exit-on-stdin-eof: the mock exits
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill() // our own child, by its pid
			<-done
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "OPENAI_MOCK_URL=")
	if err != nil || !ok {
		fmt.Fprintf(os.Stderr, "the mock printed %q (%v)\n", line, err)
		return 2
	}
	go io.Copy(io.Discard, stdout)
	// For the examples, which create their clients from the environment.
	os.Setenv("OPENAI_API_KEY", "sk-example")
	os.Setenv("OPENAI_BASE_URL", url+"/v1")
	mock = &mockServer{url: url, http: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true}, // no idle goroutines between tests
	}}
	return m.Run()
}

func (m *mockServer) do(t testing.TB, method, path string, body any) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, m.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := m.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
	}
	return out
}

// reset clears the mock's scripts, log and counters.
func (m *mockServer) reset(t testing.TB) { m.do(t, "POST", "/__mock/reset", nil) }

// script queues a scripted response (see tests/mock_server/README.md).
func (m *mockServer) script(t testing.TB, s any) { m.do(t, "POST", "/__mock/script", s) }

// requests is the request log, oldest first.
func (m *mockServer) requests(t testing.TB) []mockRequest {
	var log []mockRequest
	if err := json.Unmarshal(m.do(t, "GET", "/__mock/requests", nil), &log); err != nil {
		t.Fatal(err)
	}
	return log
}

// only is the one request the mock received since the last reset.
func (m *mockServer) only(t testing.TB) mockRequest {
	t.Helper()
	log := m.requests(t)
	if len(log) != 1 {
		t.Fatalf("the mock received %d requests, want 1: %+v", len(log), log)
	}
	return log[0]
}

func (m *mockServer) connections(t testing.TB) map[string]int {
	var c map[string]int
	if err := json.Unmarshal(m.do(t, "GET", "/__mock/connections", nil), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// eventually polls cond for up to 5 s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newClient is a client of the mock, without retries; the mock's log is reset.
func newClient(t testing.TB, extra ...openai.Options) *openai.Client {
	t.Helper()
	mock.reset(t)
	opts := openai.Options{"api_key": "sk-test", "base_url": mock.url + "/v1", "max_retries": 0}
	for _, e := range extra {
		for k, v := range e {
			opts[k] = v
		}
	}
	c, err := openai.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// goroutines counts the goroutines that run Go code, with their stacks. It leaves out the
// goroutines the runtime binds to the library's worker threads when they first call back into
// Go (a callback runs on a C thread, which keeps its Go context until it exits): they show as
// "[syscall, locked to thread]" with no frame but runtime.goexit, and there is at most one per
// library thread, however many calls are made.
func goroutines() (int, string) {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	var kept []string
	for _, block := range strings.Split(string(buf), "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if len(lines) < 2 || !strings.HasPrefix(lines[0], "goroutine ") {
			continue
		}
		if strings.HasPrefix(lines[1], "runtime.goexit(") && len(lines) <= 3 {
			continue // a C thread's goroutine
		}
		count++
		kept = append(kept, block)
	}
	return count, strings.Join(kept, "\n\n")
}

// settledGoroutines waits until the goroutine count falls to want (or 3 s pass) and
// returns the last count and stacks.
func settledGoroutines(want int) (int, string) {
	n, stacks := goroutines()
	for deadline := time.Now().Add(3 * time.Second); n > want && time.Now().Before(deadline); n, stacks = goroutines() {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	return n, stacks
}

var bg = context.Background()

const reply = "Hello! How can I help you today?"
