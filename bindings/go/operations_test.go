package openai_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	openai "github.com/libopenai/libopenai/bindings/go"
	"github.com/libopenai/libopenai/bindings/go/internal/gen"
)

func readTable(t *testing.T) (*gen.Table, []byte) {
	t.Helper()
	raw, err := os.ReadFile(gen.TablePath)
	if err != nil {
		t.Fatal(err)
	}
	table, err := gen.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return table, raw
}

// TestGeneratedUpToDate is the drift check: operations_gen.go must be what the generator
// makes from bindings/operations.json today.
func TestGeneratedUpToDate(t *testing.T) {
	_, raw := readTable(t)
	want, err := gen.Render(raw)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(gen.Output)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gotLines, wantLines := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gotLines) || i < len(wantLines); i++ {
			var g, w string
			if i < len(gotLines) {
				g = gotLines[i]
			}
			if i < len(wantLines) {
				w = wantLines[i]
			}
			if g != w {
				t.Fatalf("%s is stale (first difference at line %d:\n  committed: %q\n  generated: %q)\nregenerate it: cd bindings/go && go generate", gen.Output, i+1, g, w)
			}
		}
	}
}

// TestMethodsMatchTable checks that the client's exported methods are exactly the table's
// operations plus the hand-written ones.
func TestMethodsMatchTable(t *testing.T) {
	table, _ := readTable(t)
	want := map[string]bool{"Close": true, "WithOptions": true, "Request": true, "RequestStream": true, "RequestPages": true}
	for i := range table.Operations {
		n := gen.MethodNames(&table.Operations[i])
		for _, m := range []string{n.Call, n.Stream, n.Pages, n.ToFile} {
			if m != "" {
				want[m] = true
			}
		}
	}
	ct := reflect.TypeOf(&openai.Client{})
	var extra []string
	for i := 0; i < ct.NumMethod(); i++ {
		name := ct.Method(i).Name
		if !want[name] {
			extra = append(extra, name)
		}
		delete(want, name)
	}
	var missing []string
	for m := range want {
		missing = append(missing, m)
	}
	sort.Strings(missing)
	if len(extra) > 0 || len(missing) > 0 {
		t.Fatalf("methods not in the table: %v; table methods missing: %v", extra, missing)
	}
}

// bodies are request bodies the mock accepts, by operation; others get {}.
var bodies = map[string]string{
	"chat.completions.create":               `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}`,
	"edits.create":                          `{"model":"text-davinci-edit-001","input":"helo","instruction":"fix"}`,
	"images.generate":                       `{"prompt":"a cat"}`,
	"embeddings.create":                     `{"model":"text-embedding-3-small","input":"hi"}`,
	"moderations.create":                    `{"input":"hi"}`,
	"audio.speech.create":                   `{"model":"tts-1","input":"hi","voice":"alloy"}`,
	"fine_tuning.jobs.create":               `{"model":"gpt-4o-mini","training_file":"file-abc"}`,
	"beta.assistants.create":                `{"model":"gpt-4o"}`,
	"beta.threads.messages.create":          `{"role":"user","content":"Hi"}`,
	"beta.threads.runs.create":              `{"assistant_id":"asst_1"}`,
	"beta.threads.runs.create_and_stream":   `{"assistant_id":"asst_1"}`,
	"beta.threads.runs.submit_tool_outputs": `{"tool_outputs":[{"tool_call_id":"call_1","output":"42"}]}`,
}

var multipartFields = map[string]string{
	"files.upload":                `{"purpose":"assistants"}`,
	"images.create_variation":     `{"n":1}`,
	"images.edit":                 `{"prompt":"a hat"}`,
	"audio.transcriptions.create": `{"model":"whisper-1"}`,
	"audio.translations.create":   `{"model":"whisper-1"}`,
}

// TestEveryOperation calls every method of every operation of the table against the mock
// and checks the request it received.
func TestEveryOperation(t *testing.T) {
	table, _ := readTable(t)
	client := newClient(t)
	cv := reflect.ValueOf(client)
	upload, err := openai.NewUploadFromBytes([]byte("\x89PNG fake bytes"), "image.png", "")
	if err != nil {
		t.Fatal(err)
	}
	defer upload.Close()
	for i := range table.Operations {
		op := &table.Operations[i]
		t.Run(op.Name, func(t *testing.T) {
			names := gen.MethodNames(op)
			path := "/v1" + op.Path
			var params []reflect.Value
			for _, p := range op.PathParams {
				value := p + "_1"
				path = strings.Replace(path, "{"+p+"}", value, 1)
				params = append(params, reflect.ValueOf(value))
			}
			body := bodies[op.Name]
			if body == "" {
				body = "{}"
			}
			var input []reflect.Value
			switch op.Input {
			case "json", "optional_json":
				input = append(input, reflect.ValueOf(any(body)))
			case "query":
				input = append(input, reflect.ValueOf(any(`{"limit":3}`)))
			case "multipart":
				input = append(input, reflect.ValueOf(any(multipartFields[op.Name])))
				for range op.Files {
					input = append(input, reflect.ValueOf(upload))
				}
			}
			call := func(name string, extra ...reflect.Value) []reflect.Value {
				t.Helper()
				m := cv.MethodByName(name)
				if !m.IsValid() {
					t.Fatalf("no method %s", name)
				}
				in := append([]reflect.Value{reflect.ValueOf(context.Context(bg))}, params...)
				in = append(in, input...)
				in = append(in, extra...)
				if m.Type().NumIn() != len(in) {
					t.Fatalf("%s takes %d arguments, the table implies %d", name, m.Type().NumIn(), len(in))
				}
				return m.Call(in)
			}
			checkLog := func(kind string, wantStream bool) {
				t.Helper()
				log := mock.requests(t)
				if len(log) == 0 {
					t.Fatalf("%s: the mock received nothing", kind)
				}
				for _, r := range log {
					if r.Method != op.Method || r.Path != path {
						t.Errorf("%s: the mock received %s %s, want %s %s", kind, r.Method, r.Path, op.Method, path)
					}
					if r.header("authorization") != "Bearer sk-test" {
						t.Errorf("%s: authorization %q", kind, r.header("authorization"))
					}
					if op.Beta && r.header("openai-beta") != "assistants=v2" {
						t.Errorf("%s: OpenAI-Beta %q", kind, r.header("openai-beta"))
					}
					switch {
					case op.Input == "multipart":
						for _, f := range op.Files {
							if p := r.part(f.Name); p == nil || p.Len != len("\x89PNG fake bytes") {
								t.Errorf("%s: part %s: %+v", kind, f.Name, p)
							}
						}
					case wantStream:
						var sent map[string]any
						if r.Body == nil || json.Unmarshal([]byte(*r.Body), &sent) != nil || sent["stream"] != true {
							t.Errorf("%s: body %v lacks stream: true", kind, r.Body)
						}
					case op.Input == "json" || op.Input == "optional_json":
						if r.Body == nil || *r.Body != body {
							t.Errorf("%s: body %v, want %s", kind, r.Body, body)
						}
					case op.Input == "query":
						if v, _ := r.queryValue("limit"); v != "3" {
							t.Errorf("%s: query %v", kind, r.QueryPairs)
						}
					}
				}
			}
			if names.Call != "" {
				mock.reset(t)
				out := call(names.Call)
				b, resp, err := out[0].Bytes(), out[1].Interface().(*openai.Response), out[2].Interface()
				if err != nil {
					t.Fatalf("%s: %v", names.Call, err)
				}
				if resp.Status != 200 || resp.Code != openai.CodeOK || len(b) == 0 || !bytes.Equal(b, resp.Body) {
					t.Fatalf("%s: status %d code %v body %q", names.Call, resp.Status, resp.Code, b)
				}
				if op.Response == "json" && !json.Valid(b) {
					t.Fatalf("%s: the body is not JSON: %q", names.Call, b)
				}
				checkLog(names.Call, false)
			}
			if names.Stream != "" {
				mock.reset(t)
				out := call(names.Stream)
				if err := out[1].Interface(); err != nil {
					t.Fatalf("%s: %v", names.Stream, err)
				}
				s := out[0].Interface().(*openai.Stream)
				n := 0
				for s.Next() {
					n++
				}
				if err := s.Err(); err != nil || n == 0 {
					t.Fatalf("%s: %d events, err %v", names.Stream, n, err)
				}
				s.Close()
				checkLog(names.Stream, true)
			}
			if names.Pages != "" {
				mock.reset(t)
				out := call(names.Pages)
				p := out[0].Interface().(*openai.Pager)
				pages, items := 0, 0
				for p.Next() {
					pages++
					var page struct{ Data []json.RawMessage }
					if err := p.Current().Decode(&page); err != nil {
						t.Fatal(err)
					}
					items += len(page.Data)
				}
				if err := p.Err(); err != nil {
					t.Fatalf("%s: %v", names.Pages, err)
				}
				p.Close()
				if pages != 3 || items != 7 {
					t.Fatalf("%s: %d pages, %d items; want 3 pages of 7 items", names.Pages, pages, items)
				}
				checkLog(names.Pages, false)
			}
			if names.ToFile != "" {
				mock.reset(t)
				dest := filepath.Join(t.TempDir(), "out.bin")
				out := call(names.ToFile, reflect.ValueOf(dest), reflect.Zero(reflect.TypeOf(func(uint64, uint64) {})))
				if err := out[1].Interface(); err != nil {
					t.Fatalf("%s: %v", names.ToFile, err)
				}
				if resp := out[0].Interface().(*openai.Response); resp.Status != 200 {
					t.Fatalf("%s: status %d", names.ToFile, resp.Status)
				}
				if st, err := os.Stat(dest); err != nil || st.Size() == 0 {
					t.Fatalf("%s: %v %v", names.ToFile, st, err)
				}
				checkLog(names.ToFile, false)
			}
		})
	}
}
