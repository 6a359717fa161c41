package openai_test

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
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

// TestGeneratedUpToDate is the drift check: operations_gen.go and codes_gen.go must be what
// the generator makes from bindings/operations.json and bindings/codes.json today.
func TestGeneratedUpToDate(t *testing.T) {
	for _, f := range []struct {
		source, output string
		render         func([]byte) ([]byte, error)
	}{
		{gen.TablePath, gen.Output, gen.Render},
		{gen.CodesPath, gen.CodesOutput, gen.RenderCodes},
	} {
		raw, err := os.ReadFile(f.source)
		if err != nil {
			t.Fatal(err)
		}
		want, err := f.render(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(f.output)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(got, want) {
			continue
		}
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
				t.Fatalf("%s is stale (first difference at line %d:\n  committed: %q\n  generated: %q)\nregenerate it: cd bindings/go && go generate", f.output, i+1, g, w)
			}
		}
	}
}

// handWritten are the methods written by hand on the client and on services of the tree.
var handWritten = map[string][]string{
	"Client":           {"Close", "WithOptions", "Request", "RequestStream", "RequestPages", "RequestAutoPaging"},
	"RealtimeService":  {"Connect"},
	"ResponsesService": {"Connect", "PollStatus"},
	// The helpers: polling.go, uploads_chunked.go.
	"BetaThreadsRunsService":         {"PollStatus", "NewAndPoll"},
	"VectorStoresFilesService":       {"PollStatus", "NewAndPoll"},
	"VectorStoresFileBatchesService": {"PollStatus", "NewAndPoll"},
	"BatchesService":                 {"PollStatus"},
	"VideosService":                  {"PollStatus", "NewAndPoll"},
	"UploadsService":                 {"UploadFileChunked"},
}

// TestTreeMatchesTable checks that the client's resource tree is exactly the table's: every
// operation that is not an alias has a service at its resource path with its methods, and the
// services have no other exported fields or methods.
func TestTreeMatchesTable(t *testing.T) {
	table, _ := readTable(t)
	root, err := gen.Tree(table)
	if err != nil {
		t.Fatal(err)
	}
	client := newClient(t)
	check := func(name string, v reflect.Value, s *gen.Service, extra []string) {
		t.Helper()
		want := map[string]bool{}
		for _, m := range s.Methods {
			want[m.Name] = true
		}
		for _, m := range extra {
			want[m] = true
		}
		pt := v.Addr().Type()
		var unexpected []string
		for i := 0; i < pt.NumMethod(); i++ {
			m := pt.Method(i).Name
			if !want[m] {
				unexpected = append(unexpected, m)
			}
			delete(want, m)
		}
		var missing []string
		for m := range want {
			missing = append(missing, m)
		}
		sort.Strings(missing)
		if len(unexpected) > 0 || len(missing) > 0 {
			t.Errorf("%s: methods not in the table: %v; missing: %v", name, unexpected, missing)
		}
	}
	// The services, by walking the client's fields.
	var walk func(v reflect.Value, s *gen.Service)
	walk = func(v reflect.Value, s *gen.Service) {
		if v.Type().Name() != s.Type {
			t.Errorf("%s is a %s, want %s", s.Selector(), v.Type().Name(), s.Type)
		}
		check(s.Selector(), v, s, handWritten[s.Type])
		fields := map[string]bool{}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() {
				fields[f.Name] = true
			}
		}
		for _, sub := range s.Subs {
			if !fields[sub.Field] {
				t.Errorf("%s has no field %s", s.Selector(), sub.Field)
				continue
			}
			delete(fields, sub.Field)
			walk(v.FieldByName(sub.Field), sub)
		}
		if len(fields) > 0 {
			t.Errorf("%s has fields not in the table: %v", s.Selector(), fields)
		}
	}
	walk(reflect.ValueOf(client).Elem().FieldByName("Resources"), root)
	check("client", reflect.ValueOf(client).Elem(), &gen.Service{}, append(handWritten["Client"], handWritten["Resources"]...))

	// Every operation that is not an alias is reached, and every alias's route through its
	// canonical operation.
	reached := map[string]bool{}
	root.Walk(func(s *gen.Service) {
		for _, m := range s.Methods {
			reached[m.Op.Name] = true
		}
	})
	ops := map[string]bool{}
	for _, op := range table.Operations {
		ops[op.Name] = true
	}
	for _, op := range table.Operations {
		switch {
		case op.AliasOf == nil && !reached[op.Name]:
			t.Errorf("%s has no method", op.Name)
		case op.AliasOf != nil && !reached[*op.AliasOf]:
			t.Errorf("the alias %s: its operation %s has no method", op.Name, *op.AliasOf)
		}
	}
}

// method is the reflect value of a generated method, reached from the client through its
// service's fields.
func method(client *openai.Client, s *gen.Service, m gen.Method) reflect.Value {
	v := reflect.ValueOf(client).Elem().FieldByName("Resources")
	for _, r := range s.Resource {
		v = v.FieldByName(gen.Camel(r))
	}
	return v.Addr().MethodByName(m.Name)
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

// TestEveryOperation calls every generated method of every service of the tree (each form of
// each operation of the table) against the mock, with arguments made from the export's
// described signature, and checks the request the mock received.
func TestEveryOperation(t *testing.T) {
	table, _ := readTable(t)
	root, err := gen.Tree(table)
	if err != nil {
		t.Fatal(err)
	}
	client := newClient(t)
	upload, err := openai.NewUploadFromBytes([]byte("\x89PNG fake bytes"), "image.png", "")
	if err != nil {
		t.Fatal(err)
	}
	defer upload.Close()
	count, lists, withItems := 0, 0, 0
	root.Walk(func(s *gen.Service) {
		for _, m := range s.Methods {
			count++
			items := everyOperation(t, client, upload, s, m)
			if m.Kind == gen.KindAutoPaging {
				lists++
				if items > 0 {
					withItems++
				}
			}
		}
	})
	t.Logf("%d methods called; %d of the %d lists walked item by item had items", count, withItems, lists)
	// The item walk is compared with the pages' data arrays: most lists must have items for
	// that to check something.
	if withItems < lists*3/4 {
		t.Errorf("only %d of %d lists had items", withItems, lists)
	}
}

// everyOperation calls one method and checks its request; it returns how many items an
// auto-pager yielded.
func everyOperation(t *testing.T, client *openai.Client, upload *openai.Upload, s *gen.Service, m gen.Method) (items int) {
	op, e := m.Op, m.Export
	t.Run(s.Selector()[len("client."):]+"."+m.Name, func(t *testing.T) {
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
		call := func(name string, extra ...reflect.Value) []reflect.Value {
			t.Helper()
			f := method(client, s, gen.Method{Name: name})
			if !f.IsValid() {
				t.Fatalf("no method %s.%s", s.Selector(), name)
			}
			args := append([]reflect.Value{reflect.ValueOf(context.Context(bg))}, in...)
			args = append(args, extra...)
			if f.Type().NumIn() != len(args) {
				t.Fatalf("%s takes %d arguments, the description implies %d", m.Name, f.Type().NumIn(), len(args))
			}
			return f.Call(args)
		}
		stream := m.Kind == gen.KindStream
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
		// pageItems walks the pages of the list, with the items of their data arrays.
		pageItems := func(name string) (pages int, items []string) {
			t.Helper()
			for page, err := range call(name)[0].Interface().(iter.Seq2[*openai.Response, error]) {
				if err != nil {
					t.Fatalf("page %d: %v", pages, err)
				}
				pages++
				var list struct{ Data []json.RawMessage }
				if err := page.Decode(&list); err != nil {
					t.Fatal(err)
				}
				for _, item := range list.Data {
					items = append(items, string(item))
				}
			}
			return pages, items
		}
		mock.reset(t)
		switch m.Kind {
		case gen.KindCall:
			out := call(m.Name)
			if err := out[1].Interface(); err != nil {
				t.Fatalf("%v", err)
			}
			resp := out[0].Interface().(*openai.Response)
			if resp.Status/100 != 2 || resp.Code != openai.CodeOK || (len(resp.Body) == 0) != (op.Response == "empty") {
				t.Fatalf("status %d code %v body %q", resp.Status, resp.Code, resp.Body)
			}
			if op.Response == "json" && !json.Valid(resp.Body) {
				t.Fatalf("the body is not JSON: %q", resp.Body)
			}
		case gen.KindStream:
			out := call(m.Name)
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
		case gen.KindPages:
			if pages, _ := pageItems(m.Name); pages == 0 {
				t.Fatal("no page")
			}
		case gen.KindAutoPaging:
			// The items are those of the pages, in order.
			_, want := pageItems(strings.TrimSuffix(m.Name, "AutoPaging") + "Pages")
			mock.reset(t)
			var got []string
			for item, err := range call(m.Name)[0].Interface().(iter.Seq2[json.RawMessage, error]) {
				if err != nil {
					t.Fatalf("item %d: %v", len(got), err)
				}
				got = append(got, string(item))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("items %q, the pages hold %q", got, want)
			}
			items = len(got)
		case gen.KindToFile:
			dest := filepath.Join(t.TempDir(), "out.bin")
			out := call(m.Name, reflect.ValueOf(dest), reflect.Zero(reflect.TypeOf(func(uint64, uint64) {})))
			if err := out[1].Interface(); err != nil {
				t.Fatalf("%v", err)
			}
			if resp := out[0].Interface().(*openai.Response); resp.Status/100 != 2 || len(resp.Body) != 0 {
				t.Fatalf("status %d, body %q", resp.Status, resp.Body)
			}
			if st, err := os.Stat(dest); err != nil || st.Size() == 0 {
				t.Fatalf("%v %v", st, err)
			}
		default:
			t.Fatalf("kind %q", m.Kind)
		}
		checkLog()
	})
	return items
}

// TestSDKNames calls operations by the official SDK's names, written out as a program would
// (a renamed method is a compile error here), and checks the route each one reached.
func TestSDKNames(t *testing.T) {
	client := newClient(t)
	data, err := openai.NewUploadFromBytes([]byte("part bytes"), "part", "")
	if err != nil {
		t.Fatal(err)
	}
	defer data.Close()
	first := func(seq iter.Seq2[json.RawMessage, error]) error {
		for _, err := range seq {
			return err
		}
		return nil
	}
	calls := []struct {
		route string
		call  func() error
	}{
		{"POST /v1/responses", func() error {
			_, err := client.Responses.New(bg, `{"model":"gpt-4o","input":"Hi"}`)
			return err
		}},
		{"GET /v1/responses/resp_1/input_items", func() error { return first(client.Responses.InputItems.ListAutoPaging(bg, "resp_1", nil)) }},
		{"POST /v1/responses/input_tokens", func() error {
			_, err := client.Responses.InputTokens.Count(bg, `{"model":"gpt-4o","input":"Hi"}`)
			return err
		}},
		{"GET /v1/vector_stores/vs_1/files", func() error {
			_, err := client.VectorStores.Files.List(bg, "vs_1", nil)
			return err
		}},
		{"GET /v1/vector_stores/vs_1/file_batches/vsfb_1/files", func() error {
			_, err := client.VectorStores.FileBatches.ListFiles(bg, "vs_1", "vsfb_1", nil)
			return err
		}},
		{"POST /v1/conversations/conv_1/items", func() error {
			_, err := client.Conversations.Items.New(bg, "conv_1", nil, `{"items":[]}`)
			return err
		}},
		{"GET /v1/fine_tuning/jobs/ftjob_1/checkpoints", func() error {
			return first(client.FineTuning.Jobs.Checkpoints.ListAutoPaging(bg, "ftjob_1", nil))
		}},
		{"GET /v1/containers/cntr_1/files/cfile_1/content", func() error {
			_, err := client.Containers.Files.Content.Get(bg, "cntr_1", "cfile_1")
			return err
		}},
		{"POST /v1/realtime/client_secrets", func() error {
			_, err := client.Realtime.ClientSecrets.New(bg, `{"session":{"type":"realtime","model":"gpt-realtime"}}`)
			return err
		}},
		{"GET /v1/organization/projects/proj_1/api_keys", func() error {
			_, err := client.Organization.Projects.APIKeys.List(bg, "proj_1", nil)
			return err
		}},
		{"POST /v1/threads/thread_1/runs/run_1/submit_tool_outputs", func() error {
			_, err := client.Beta.Threads.Runs.SubmitToolOutputs(bg, "thread_1", "run_1", `{"tool_outputs":[]}`)
			return err
		}},
		{"POST /v1/threads/runs", func() error {
			_, err := client.Beta.Threads.NewAndRun(bg, `{"assistant_id":"asst_1"}`)
			return err
		}},
		{"POST /v1/uploads/upload_1/parts", func() error {
			_, err := client.Uploads.Parts.New(bg, "upload_1", nil, data)
			return err
		}},
		{"GET /v1/files/file-1/content", func() error {
			_, err := client.Files.Content(bg, "file-1")
			return err
		}},
		{"POST /v1/images/variations", func() error {
			_, err := client.Images.NewVariation(bg, nil, data)
			return err
		}},
	}
	for _, c := range calls {
		mock.reset(t)
		if err := c.call(); err != nil {
			t.Errorf("%s: %v", c.route, err)
			continue
		}
		log := mock.requests(t)
		if len(log) == 0 || log[0].Method+" "+log[0].Path != c.route {
			t.Errorf("%s: the mock received %+v", c.route, log)
		}
	}
}
