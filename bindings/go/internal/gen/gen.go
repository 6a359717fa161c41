// Package gen renders operations_gen.go, the per-operation surface of the Go binding, from the
// operation table bindings/operations.json (itself generated from the Rust table). Nothing of
// an operation is written by hand: its methods, their parameters, their documentation and the
// C symbols they call all come from the table.
//
// Run `go generate` in bindings/go (or `go run ./internal/genops`) after the table changes;
// TestGeneratedUpToDate fails while operations_gen.go differs from what Render makes.
package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"strings"
)

// Table is bindings/operations.json: the operations, and every export with its C signature.
type Table struct {
	GeneratedBy string      `json:"generated_by"`
	Version     string      `json:"version"`
	Operations  []Operation `json:"operations"`
	Exports     []Export    `json:"exports"`
}

// Operation is one operation of the table.
type Operation struct {
	Name        string     `json:"name"`
	Resource    []string   `json:"resource"`
	MethodName  string     `json:"method_name"`
	HTTPMethod  string     `json:"http_method"`
	Path        string     `json:"path"`
	PathParams  []string   `json:"path_params"`
	Request     Request    `json:"request"`
	SeedRequest *Request   `json:"seed_request"`
	Response    string     `json:"response"`
	Accept      string     `json:"accept"`
	Streaming   *Streaming `json:"streaming"`
	Paging      string     `json:"paging"`
	Beta        *string    `json:"beta"`
	AliasOf     *string    `json:"alias_of"`
	Summary     string     `json:"summary"`
	Exports     []string   `json:"exports"`
}

// Request is what an operation takes.
type Request struct {
	Body  string `json:"body"`
	Query bool   `json:"query"`
	Files []File `json:"files"`
}

// File is a file field of a multipart operation.
type File struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
	Array    bool   `json:"array"`
}

// Streaming says how an operation asks for its stream.
type Streaming struct {
	Flag   string `json:"flag"`
	Always bool   `json:"always"`
}

// Export is one exported C function with its signature.
type Export struct {
	Name       string   `json:"name"`
	Form       string   `json:"form"`
	Operation  string   `json:"operation"`
	Resource   []string `json:"resource"`
	MethodName string   `json:"method_name"`
	Signature  string   `json:"signature"`
	Since      string   `json:"since"`
	AliasOf    *string  `json:"alias_of"`
	Returns    string   `json:"returns"`
	Args       []Arg    `json:"args"`
	Doc        string   `json:"doc"`
}

// Arg is one argument of an export: its C name, C type and role.
type Arg struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Role     string `json:"role"`
	Nullable bool   `json:"nullable"`
	Doc      string `json:"doc"`
}

// Parse reads the table.
func Parse(table []byte) (*Table, error) {
	var t Table
	dec := json.NewDecoder(bytes.NewReader(table))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("operations.json: %w", err)
	}
	return &t, nil
}

// Output is the file Render writes, relative to bindings/go.
const Output = "operations_gen.go"

// TablePath is the path of the operation table, relative to bindings/go.
const TablePath = "../operations.json"

// MethodName is the Go name of an operation: "beta.threads.runs.create_and_stream" ->
// "BetaThreadsRunsCreateAndStream".
func MethodName(op string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(op, func(r rune) bool { return r == '.' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// ParamName is the Go name of a path parameter or file part: "fine_tuning_job_id" ->
// "fineTuningJobID".
func ParamName(s string) string {
	var b strings.Builder
	for i, part := range strings.Split(s, "_") {
		switch {
		case part == "id" && i > 0:
			b.WriteString("ID")
		case i == 0:
			b.WriteString(part)
		default:
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	name := b.String()
	switch name {
	case "ctx", "a", "c", "cl", "h", "out", "path", "progress", "body", "query", "fields", "type", "func", "range", "select", "map", "chan", "go":
		return name + "_"
	}
	return name
}

// Method is one Go method of the client: an export of the table (the blocking and
// `_async` pair is one method that runs the async form; `_stream_async` and
// `_to_file_async` are not used: streams and downloads run in the calling goroutine through a
// client bound to a cancel token cancelled with the context).
type Method struct {
	// Name is the Go name: the C name without `openai_` and `_async`, in CamelCase.
	Name   string
	Kind   string // call, stream, pages, to_file
	Export *Export
	Op     *Operation
}

// Methods are the client's generated methods, in the table's order.
func Methods(t *Table) ([]Method, error) {
	ops := map[string]*Operation{}
	for i := range t.Operations {
		ops[t.Operations[i].Name] = &t.Operations[i]
	}
	var out []Method
	for i := range t.Exports {
		e := &t.Exports[i]
		op, ok := ops[e.Operation]
		if !ok {
			return nil, fmt.Errorf("%s: no operation %s", e.Name, e.Operation)
		}
		var kind, cname string
		switch e.Form {
		case "async":
			kind, cname = "call", strings.TrimSuffix(e.Name, "_async")
		case "stream":
			kind, cname = "stream", e.Name
		case "pages":
			kind, cname = "pages", e.Name
		case "to_file":
			kind, cname = "to_file", e.Name
		case "blocking", "stream_async", "to_file_async":
			continue
		default:
			return nil, fmt.Errorf("%s: unknown form %q (teach internal/gen about it)", e.Name, e.Form)
		}
		out = append(out, Method{Name: MethodName(strings.TrimPrefix(cname, "openai_")), Kind: kind, Export: e, Op: op})
	}
	return out, nil
}

type writer struct {
	bytes.Buffer
}

func (w *writer) p(format string, args ...any) {
	fmt.Fprintf(&w.Buffer, format, args...)
	w.WriteByte('\n')
}

// shimName is the C shim that calls symbol with the Go callbacks.
func shimName(symbol string) string {
	return "openai_go_" + strings.TrimPrefix(symbol, "openai_")
}

// input describes the input arguments of an export (those between the client and the form's own).
type input struct {
	cParams  []string // "const char *body_json"
	cArgs    []string // "body_json"
	goParams []string // "body any"
	goArgs   []string // "cBody"
	prep     []string // Go statements filling goArgs
	doc      []string
}

// inputs maps an export's described arguments to Go: path parameters as strings, the query,
// body and form fields as any JSON value, files as *Upload, arrays of files as []*Upload.
func inputs(op *Operation, e *Export) (input, error) {
	var in input
	var params []string
	for _, a := range e.Args {
		gp := ParamName(a.Name)
		cv := strings.TrimSuffix("c"+strings.ToUpper(gp[:1])+gp[1:], "_")
		switch a.Role {
		case "client", "out", "callback", "userdata", "path", "progress", "progress_userdata":
			continue
		case "path_param":
			if a.Type != "const char *" {
				return in, fmt.Errorf("%s: %s: C type %q", e.Name, a.Name, a.Type)
			}
			in.cParams = append(in.cParams, "const char *"+a.Name)
			in.cArgs = append(in.cArgs, a.Name)
			in.goParams = append(in.goParams, gp+" string")
			in.goArgs = append(in.goArgs, cv)
			in.prep = append(in.prep, fmt.Sprintf("%s := a.str(%q, %s)", cv, a.Name, gp))
			params = append(params, gp)
		case "query", "body", "fields":
			goName := map[string]string{"query": "query", "body": "body", "fields": "fields"}[a.Role]
			cv = map[string]string{"query": "cQuery", "body": "cBody", "fields": "cFields"}[a.Role]
			in.cParams = append(in.cParams, "const char *"+a.Name)
			in.cArgs = append(in.cArgs, a.Name)
			in.goParams = append(in.goParams, goName+" any")
			in.goArgs = append(in.goArgs, cv)
			in.prep = append(in.prep, fmt.Sprintf("%s := a.json(%q, %s)", cv, goName, goName))
			switch {
			case a.Role == "query":
				in.doc = append(in.doc, "query is a JSON object of query parameters ({\"limit\": 20}; arrays are sent as name[]), or nil for none.")
			case a.Role == "fields":
				in.doc = append(in.doc, "fields holds the form's other fields as a JSON object (strings as they are, numbers and booleans as text, arrays as repeated name[], objects as name[key]), or nil.")
			case a.Nullable:
				in.doc = append(in.doc, "body is the JSON request body (an object), or nil to send {}.")
			default:
				in.doc = append(in.doc, "body is the JSON request body (an object): a string, []byte or json.RawMessage is sent as it is, any other value is encoded with encoding/json.")
			}
		case "file":
			in.cParams = append(in.cParams, "const openai_upload *"+a.Name)
			in.cArgs = append(in.cArgs, a.Name)
			in.goParams = append(in.goParams, gp+" *Upload")
			in.goArgs = append(in.goArgs, cv)
			in.prep = append(in.prep, fmt.Sprintf("%s := a.upload(%q, %s)", cv, a.Name, gp))
			if a.Nullable {
				in.doc = append(in.doc, fmt.Sprintf("%s is the %q file part, or nil for none.", gp, a.Name))
			} else {
				in.doc = append(in.doc, fmt.Sprintf("%s is the %q file part (required).", gp, a.Name))
			}
		case "file_array":
			in.cParams = append(in.cParams, "const openai_upload *const *"+a.Name)
			in.cArgs = append(in.cArgs, a.Name)
			in.goParams = append(in.goParams, gp+" []*Upload")
			in.goArgs = append(in.goArgs, cv, cv+"Count")
			in.prep = append(in.prep, fmt.Sprintf("%s, %sCount := a.uploadArray(%q, %s)", cv, cv, a.Name, gp))
			in.doc = append(in.doc, fmt.Sprintf("%s are the %q files, each sent as a %s[] part.", gp, a.Name, a.Name))
		case "file_count":
			in.cParams = append(in.cParams, "size_t "+a.Name)
			in.cArgs = append(in.cArgs, a.Name)
		default:
			return in, fmt.Errorf("%s: unknown role %q", e.Name, a.Role)
		}
	}
	if len(params) > 0 {
		in.doc = append(in.doc, fmt.Sprintf("The path parameters (%s) must not be empty; the library percent-encodes them.", strings.Join(params, ", ")))
	}
	if op.Beta != nil {
		in.doc = append(in.doc, fmt.Sprintf("It sends OpenAI-Beta: %s.", *op.Beta))
	}
	return in, nil
}

func join(parts ...[]string) string {
	var all []string
	for _, p := range parts {
		all = append(all, p...)
	}
	return strings.Join(all, ", ")
}

// sentence makes the summary the rest of a doc sentence that starts with the method's name.
func sentence(summary string) string {
	if summary == "" {
		return "calls the operation."
	}
	return strings.ToLower(summary[:1]) + summary[1:]
}

// doc writes a doc comment: each line a paragraph, wrapped at 100 columns; "" separates them.
func (w *writer) doc(lines ...string) {
	for _, l := range lines {
		if l == "" {
			w.p("//")
			continue
		}
		line := "//"
		for _, word := range strings.Fields(l) {
			if len(line)+1+len(word) > 100 && line != "//" {
				w.p("%s", line)
				line = "//"
			}
			line += " " + word
		}
		w.p("%s", line)
	}
}

// Render makes operations_gen.go from the table's text.
func Render(table []byte) ([]byte, error) {
	t, err := Parse(table)
	if err != nil {
		return nil, err
	}
	if len(t.Operations) == 0 || len(t.Exports) == 0 {
		return nil, fmt.Errorf("operations.json: no operations")
	}
	methods, err := Methods(t)
	if err != nil {
		return nil, err
	}
	var w writer
	w.p("// Code generated by internal/genops from bindings/operations.json; DO NOT EDIT.")
	w.p("// Regenerate with `go generate` in bindings/go after the table changes.")
	w.p("")
	w.p("package openai")
	w.p("")
	w.p("/*")
	w.p("#include <stdint.h>")
	w.p("#include \"openai.h\"")
	w.p("")
	w.p("extern void openaiGoComplete(openai_response *, void *);")
	w.p("extern void openaiGoProgress(uint64_t, uint64_t, void *);")
	seen := map[string]string{}
	for _, m := range methods {
		if other, dup := seen[m.Name]; dup {
			return nil, fmt.Errorf("method %s made twice (%s and %s)", m.Name, other, m.Export.Name)
		}
		seen[m.Name] = m.Export.Name
		in, err := inputs(m.Op, m.Export)
		if err != nil {
			return nil, err
		}
		switch m.Kind {
		case "call":
			sym := m.Export.Name
			w.p("")
			w.p("static openai_future *%s(%s) {", shimName(sym), join([]string{"const openai_client *client"}, in.cParams, []string{"uintptr_t userdata"}))
			w.p("\treturn %s(%s);", sym, join([]string{"client"}, in.cArgs, []string{"openaiGoComplete", "(void *)userdata"}))
			w.p("}")
		case "to_file":
			sym := m.Export.Name
			w.p("")
			w.p("static openai_code %s(%s) {", shimName(sym), join([]string{"const openai_client *client"}, in.cParams, []string{"const char *path", "uintptr_t progress", "openai_response **out"}))
			w.p("\treturn %s(%s);", sym, join([]string{"client"}, in.cArgs, []string{"path", "progress ? openaiGoProgress : NULL", "(void *)progress", "out"}))
			w.p("}")
		}
	}
	w.p("*/")
	w.p("import \"C\"")
	w.p("")
	w.p("import \"context\"")

	for _, m := range methods {
		op, e := m.Op, m.Export
		in, _ := inputs(op, e)
		where := fmt.Sprintf("%s %s (%s, C: %s).", op.HTTPMethod, op.Path, op.Name, e.Name)
		if op.AliasOf != nil {
			where += fmt.Sprintf(" An alias of the %s operation.", *op.AliasOf)
		}
		prep := func(ret string) {
			w.p("\tvar a args")
			if len(in.prep) == 0 {
				return
			}
			w.p("\tdefer a.free()")
			for _, s := range in.prep {
				w.p("\t%s", s)
			}
			w.p("\tif a.err != nil {")
			w.p("\t\treturn %s", ret)
			w.p("\t}")
		}
		switch m.Kind {
		case "call":
			var resp string
			switch op.Response {
			case "json":
				resp = "It returns the JSON body, the response and, for a failed call, an *Error."
			case "json_or_text":
				resp = "It returns the body (JSON, or text for the text response formats), the response and, for a failed call, an *Error."
			case "bytes":
				resp = "It returns the body's bytes, the response and, for a failed call, an *Error."
			case "text":
				resp = "It returns the body's text, the response and, for a failed call, an *Error."
			case "empty":
				resp = "It returns an empty body, the response and, for a failed call, an *Error."
			default:
				return nil, fmt.Errorf("%s: response %q with an async function", op.Name, op.Response)
			}
			w.p("")
			w.doc(append([]string{m.Name + " " + sentence(op.Summary), "", where + " " + resp}, in.doc...)...)
			w.p("func (c *Client) %s(%s) ([]byte, *Response, error) {", m.Name, join([]string{"ctx context.Context"}, in.goParams))
			prep("nil, nil, a.err")
			w.p("\treturn c.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {")
			w.p("\t\treturn C.%s(%s)", shimName(e.Name), join([]string{"cl"}, in.goArgs, []string{"h"}))
			w.p("\t})")
			w.p("}")
		case "stream":
			w.p("")
			w.doc(append([]string{m.Name + " " + sentence(op.Summary) + " As a stream of server-sent events (the library asks for it).", "", where + " It returns once the response headers arrived; read the events with the Stream's Next and Current, and Close it. An HTTP error before the stream began is returned as an *Error."}, in.doc...)...)
			w.p("func (c *Client) %s(%s) (*Stream, error) {", m.Name, join([]string{"ctx context.Context"}, in.goParams))
			prep("nil, a.err")
			w.p("\treturn c.stream(ctx, func(cl *C.openai_client, out **C.openai_stream) C.openai_code {")
			w.p("\t\treturn C.%s(%s)", e.Name, join([]string{"cl"}, in.goArgs, []string{"out"}))
			w.p("\t})")
			w.p("}")
		case "pages":
			w.p("")
			w.doc(append([]string{
				fmt.Sprintf("%s is a pager over every page of %s %s (%s): each Next fetches one page, the next with the cursor the page gives while it says has_more. Nothing is sent until the first Next. Close the pager when done.", m.Name, op.HTTPMethod, op.Path, op.Name),
			}, in.doc...)...)
			w.p("func (c *Client) %s(%s) *Pager {", m.Name, join([]string{"ctx context.Context"}, in.goParams))
			prep("&Pager{ctx: ctx, done: true, err: a.err}")
			w.p("\treturn c.pages(ctx, func(cl *C.openai_client, out **C.openai_pager) C.openai_code {")
			w.p("\t\treturn C.%s(%s)", e.Name, join([]string{"cl"}, in.goArgs, []string{"out"}))
			w.p("\t})")
			w.p("}")
		case "to_file":
			w.p("")
			w.doc(append([]string{
				fmt.Sprintf("%s writes the response body of %s to the file at path as it arrives (never held whole in memory); a failed download leaves path as it was.", m.Name, op.Name),
				"",
				where + " progress, if not nil, hears the bytes received and the total (0 if unknown), on any thread. The returned response has the status and headers, and an empty body on success.",
			}, in.doc...)...)
			w.p("func (c *Client) %s(%s) (*Response, error) {", m.Name, join([]string{"ctx context.Context"}, in.goParams, []string{"path string", "progress func(received, total uint64)"}))
			in.prep = append(in.prep, `cPath := a.str("path", path)`)
			prep("nil, a.err")
			w.p("\tid := progressID(progress)")
			w.p("\tif id != 0 {")
			w.p("\t\tdefer unregister(id)")
			w.p("\t}")
			w.p("\treturn c.blocking(ctx, func(cl *C.openai_client, out **C.openai_response) C.openai_code {")
			w.p("\t\treturn C.%s(%s)", shimName(e.Name), join([]string{"cl"}, in.goArgs, []string{"cPath", "C.uintptr_t(id)", "out"}))
			w.p("\t})")
			w.p("}")
		}
	}
	src, err := format.Source(w.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting the generated code: %w\n%s", err, w.Bytes())
	}
	return src, nil
}
