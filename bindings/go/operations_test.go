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
// exports plus the hand-written ones.
func TestMethodsMatchTable(t *testing.T) {
	table, _ := readTable(t)
	want := map[string]bool{"Close": true, "WithOptions": true, "Request": true, "RequestStream": true, "RequestPages": true}
	methods, err := gen.Methods(table)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range methods {
		want[m.Name] = true
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
	"files.create":                `{"purpose":"assistants"}`,
	"images.create_variation":     `{"n":1}`,
	"images.edit":                 `{"prompt":"a hat"}`,
	"audio.transcriptions.create": `{"model":"whisper-1"}`,
	"audio.translations.create":   `{"model":"whisper-1"}`,
}

// TestEveryOperation calls every generated method of every operation of the table (each
// export the Go binding uses) against the mock, with arguments made from the export's
// described signature, and checks the request the mock received.
func TestEveryOperation(t *testing.T) {
	table, _ := readTable(t)
	methods, err := gen.Methods(table)
	if err != nil {
		t.Fatal(err)
	}
	client := newClient(t)
	cv := reflect.ValueOf(client)
	upload, err := openai.NewUploadFromBytes([]byte("\x89PNG fake bytes"), "image.png", "")
	if err != nil {
		t.Fatal(err)
	}
	defer upload.Close()
	for _, m := range methods {
		op, e := m.Op, m.Export
		t.Run(m.Name, func(t *testing.T) {
			template, fixedQuery, _ := strings.Cut(op.Path, "?")
			path := "/v1" + template
			body := bodies[op.Name]
			if body == "" {
				body = "{}"
			}
			var in []reflect.Value
			roles := map[string]bool{}
			for _, a := range e.Args {
				roles[a.Role] = true
				switch a.Role {
				case "path_param":
					value := a.Name + "_1"
					path = strings.Replace(path, "{"+a.Name+"}", value, 1)
					in = append(in, reflect.ValueOf(value))
				case "query":
					in = append(in, reflect.ValueOf(any(`{"limit":3}`)))
				case "body":
					in = append(in, reflect.ValueOf(any(body)))
				case "fields":
					fields := multipartFields[op.Name]
					if fields == "" {
						fields = "{}"
					}
					in = append(in, reflect.ValueOf(any(fields)))
				case "file":
					in = append(in, reflect.ValueOf(upload))
				case "file_array":
					in = append(in, reflect.ValueOf([]*openai.Upload{upload, upload}))
				}
			}
			call := func(extra ...reflect.Value) []reflect.Value {
				t.Helper()
				f := cv.MethodByName(m.Name)
				if !f.IsValid() {
					t.Fatalf("no method %s", m.Name)
				}
				args := append([]reflect.Value{reflect.ValueOf(context.Context(bg))}, in...)
				args = append(args, extra...)
				if f.Type().NumIn() != len(args) {
					t.Fatalf("%s takes %d arguments, the description implies %d", m.Name, f.Type().NumIn(), len(args))
				}
				return f.Call(args)
			}
			stream := m.Kind == "stream"
			checkLog := func() {
				t.Helper()
				log := mock.requests(t)
				if len(log) == 0 {
					t.Fatalf("the mock received nothing")
				}
				for _, r := range log {
					if r.Method != op.HTTPMethod || r.Path != path {
						t.Errorf("the mock received %s %s, want %s %s", r.Method, r.Path, op.HTTPMethod, path)
					}
					if fixedQuery != "" && (r.Query == nil || !strings.Contains(*r.Query, fixedQuery)) {
						t.Errorf("query %v lacks %s", r.Query, fixedQuery)
					}
					if r.header("authorization") != "Bearer sk-test" {
						t.Errorf("authorization %q", r.header("authorization"))
					}
					beta := ""
					if op.Beta != nil {
						beta = *op.Beta
					}
					if r.header("openai-beta") != beta {
						t.Errorf("OpenAI-Beta %q, want %q", r.header("openai-beta"), beta)
					}
					if r.header("accept") != op.Accept {
						t.Errorf("Accept %q, want %q", r.header("accept"), op.Accept)
					}
					flag := ""
					if op.Streaming != nil {
						flag = op.Streaming.Flag
					}
					switch {
					case roles["fields"]:
						for _, a := range e.Args {
							name := a.Name
							if a.Role == "file_array" {
								name += "[]"
							} else if a.Role != "file" {
								continue
							}
							if p := r.part(name); p == nil || p.Len != len("\x89PNG fake bytes") {
								t.Errorf("part %s: %+v", name, p)
							}
						}
						if stream && flag == "multipart_stream" {
							if p := r.part("stream"); p == nil {
								t.Errorf("no stream field")
							}
						}
					case stream && flag == "query_stream":
						if v, _ := r.queryValue("stream"); v != "true" {
							t.Errorf("query %v lacks stream=true", r.QueryPairs)
						}
					case stream:
						var sent map[string]any
						member, want := "stream", any(true)
						if flag == "json_stream_format_sse" {
							member, want = "stream_format", any("sse")
						}
						if r.Body == nil || json.Unmarshal([]byte(*r.Body), &sent) != nil || sent[member] != want {
							t.Errorf("body %v lacks %s: %v", r.Body, member, want)
						}
					case roles["body"]:
						if r.Body == nil || *r.Body != body {
							t.Errorf("body %v, want %s", r.Body, body)
						}
					}
					if roles["query"] && !(stream && flag == "query_stream") {
						if v, _ := r.queryValue("limit"); v != "3" {
							t.Errorf("query %v", r.QueryPairs)
						}
					}
				}
			}
			mock.reset(t)
			switch m.Kind {
			case "call":
				out := call()
				b, resp, err := out[0].Bytes(), out[1].Interface().(*openai.Response), out[2].Interface()
				if err != nil {
					t.Fatalf("%v", err)
				}
				if resp.Status/100 != 2 || resp.Code != openai.CodeOK || !bytes.Equal(b, resp.Body) || (len(b) == 0) != (op.Response == "empty") {
					t.Fatalf("status %d code %v body %q", resp.Status, resp.Code, b)
				}
				if op.Response == "json" && !json.Valid(b) {
					t.Fatalf("the body is not JSON: %q", b)
				}
			case "stream":
				out := call()
				if err := out[1].Interface(); err != nil {
					t.Fatalf("%v", err)
				}
				s := out[0].Interface().(*openai.Stream)
				n := 0
				for s.Next() {
					n++
				}
				if err := s.Err(); err != nil || n == 0 {
					t.Fatalf("%d events, err %v", n, err)
				}
				s.Close()
			case "pages":
				out := call()
				p := out[0].Interface().(*openai.Pager)
				pages := 0
				for p.Next() {
					pages++
					var page struct{ Data []json.RawMessage }
					if err := p.Current().Decode(&page); err != nil {
						t.Fatal(err)
					}
				}
				if err := p.Err(); err != nil || pages == 0 {
					t.Fatalf("%d pages, err %v", pages, err)
				}
				p.Close()
			case "to_file":
				dest := filepath.Join(t.TempDir(), "out.bin")
				out := call(reflect.ValueOf(dest), reflect.Zero(reflect.TypeOf(func(uint64, uint64) {})))
				if err := out[1].Interface(); err != nil {
					t.Fatalf("%v", err)
				}
				if resp := out[0].Interface().(*openai.Response); resp.Status/100 != 2 {
					t.Fatalf("status %d", resp.Status)
				}
				if st, err := os.Stat(dest); err != nil || st.Size() == 0 {
					t.Fatalf("%v %v", st, err)
				}
			}
			checkLog()
		})
	}
}
