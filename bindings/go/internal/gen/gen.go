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
	"sort"
	"strings"
)

// Table is bindings/operations.json.
type Table struct {
	GeneratedBy string      `json:"generated_by"`
	Version     string      `json:"version"`
	Operations  []Operation `json:"operations"`
}

// Operation is one operation of the table.
type Operation struct {
	Name       string            `json:"name"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	PathParams []string          `json:"path_params"`
	Input      string            `json:"input"`
	Files      []File            `json:"files"`
	Response   string            `json:"response"`
	Beta       bool              `json:"beta"`
	Summary    string            `json:"summary"`
	Functions  map[string]string `json:"functions"`
}

// File is a file part of a multipart operation.
type File struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
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

// The function kinds of the table this generator knows. stream_async and to_file_async are
// known but not used, on purpose: the binding opens streams and downloads with the blocking
// form, in the calling goroutine, through a client bound to a cancel token (cancelled with the
// context), so that HTTP errors come back from the call itself.
var kinds = map[string]bool{
	"blocking": true, "async": true, "stream": true, "stream_async": true, "pages": true,
	"to_file": true, "to_file_async": true,
}

// Names of the Go methods of one operation, by function kind ("" when it has none).
type Names struct {
	Call, Stream, Pages, ToFile string
}

// MethodNames are the Go methods an operation gets.
func MethodNames(op *Operation) Names {
	base := MethodName(op.Name)
	var n Names
	if op.Functions["async"] != "" {
		n.Call = base
	}
	if op.Functions["stream"] != "" {
		if n.Call == "" {
			n.Stream = base // an operation that always streams
		} else {
			n.Stream = base + "Stream"
		}
	}
	if op.Functions["pages"] != "" {
		n.Pages = base + "Pages"
	}
	if op.Functions["to_file"] != "" {
		n.ToFile = base + "ToFile"
	}
	return n
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

// input describes the input arguments of an operation.
type input struct {
	cParams  []string // "const char *body_json"
	cArgs    []string // "body_json"
	goParams []string // "body any"
	goArgs   []string // "cBody"
	prep     []string // Go statements filling goArgs
}

func inputs(op *Operation) (input, error) {
	var in input
	for _, p := range op.PathParams {
		gp := ParamName(p)
		cv := "c" + strings.ToUpper(gp[:1]) + gp[1:]
		cv = strings.TrimSuffix(cv, "_")
		in.cParams = append(in.cParams, "const char *"+p)
		in.cArgs = append(in.cArgs, p)
		in.goParams = append(in.goParams, gp+" string")
		in.goArgs = append(in.goArgs, cv)
		in.prep = append(in.prep, fmt.Sprintf("%s := a.str(%q, %s)", cv, p, gp))
	}
	switch op.Input {
	case "none":
	case "json", "optional_json":
		in.cParams = append(in.cParams, "const char *body_json")
		in.cArgs = append(in.cArgs, "body_json")
		in.goParams = append(in.goParams, "body any")
		in.goArgs = append(in.goArgs, "cBody")
		in.prep = append(in.prep, `cBody := a.json("body", body)`)
	case "query":
		in.cParams = append(in.cParams, "const char *query_json")
		in.cArgs = append(in.cArgs, "query_json")
		in.goParams = append(in.goParams, "query any")
		in.goArgs = append(in.goArgs, "cQuery")
		in.prep = append(in.prep, `cQuery := a.json("query", query)`)
	case "multipart":
		in.cParams = append(in.cParams, "const char *fields_json")
		in.cArgs = append(in.cArgs, "fields_json")
		in.goParams = append(in.goParams, "fields any")
		in.goArgs = append(in.goArgs, "cFields")
		in.prep = append(in.prep, `cFields := a.json("fields", fields)`)
		for _, f := range op.Files {
			gp := ParamName(f.Name)
			cv := strings.TrimSuffix("c"+strings.ToUpper(gp[:1])+gp[1:], "_")
			in.cParams = append(in.cParams, "const openai_upload *"+f.Name)
			in.cArgs = append(in.cArgs, f.Name)
			in.goParams = append(in.goParams, gp+" *Upload")
			in.goArgs = append(in.goArgs, cv)
			in.prep = append(in.prep, fmt.Sprintf("%s := a.upload(%q, %s)", cv, f.Name, gp))
		}
	default:
		return in, fmt.Errorf("%s: unknown input %q", op.Name, op.Input)
	}
	if op.Input != "multipart" && len(op.Files) > 0 {
		return in, fmt.Errorf("%s: files without multipart input", op.Name)
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

// inputDoc documents the input parameters.
func inputDoc(op *Operation) []string {
	var d []string
	switch op.Input {
	case "json":
		d = append(d, "body is the JSON request body (an object): a string, []byte or json.RawMessage is sent as it is, any other value is encoded with encoding/json.")
	case "optional_json":
		d = append(d, "body is the JSON request body (an object), or nil to send {}.")
	case "query":
		d = append(d, "query is a JSON object of query parameters ({\"limit\": 20, \"after\": \"...\"}), or nil for none.")
	case "multipart":
		d = append(d, "fields holds the form's other fields as a JSON object (strings as they are, numbers and booleans as text, arrays as repeated name[], objects as name[key]), or nil.")
		for _, f := range op.Files {
			if f.Required {
				d = append(d, fmt.Sprintf("%s is the %q file part (required).", ParamName(f.Name), f.Name))
			} else {
				d = append(d, fmt.Sprintf("%s is the %q file part, or nil for none.", ParamName(f.Name), f.Name))
			}
		}
	}
	if len(op.PathParams) > 0 {
		var names []string
		for _, p := range op.PathParams {
			names = append(names, ParamName(p))
		}
		d = append(d, fmt.Sprintf("The path parameters (%s) must not be empty; the library percent-encodes them.", strings.Join(names, ", ")))
	}
	if op.Beta {
		d = append(d, "A beta operation: the OpenAI-Beta header is sent.")
	}
	return d
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
	if len(t.Operations) == 0 {
		return nil, fmt.Errorf("operations.json: no operations")
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
	seenMethod := map[string]string{}
	for i := range t.Operations {
		op := &t.Operations[i]
		var unknown []string
		for k := range op.Functions {
			if !kinds[k] {
				unknown = append(unknown, k)
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return nil, fmt.Errorf("%s: unknown function kinds %v (teach internal/gen about them)", op.Name, unknown)
		}
		if op.Functions["blocking"] != "" && op.Functions["async"] == "" {
			return nil, fmt.Errorf("%s: a blocking function without an async form", op.Name)
		}
		names := MethodNames(op)
		for _, m := range []string{names.Call, names.Stream, names.Pages, names.ToFile} {
			if m == "" {
				continue
			}
			if other, dup := seenMethod[m]; dup {
				return nil, fmt.Errorf("method %s made twice (%s and %s)", m, other, op.Name)
			}
			seenMethod[m] = op.Name
		}
		in, err := inputs(op)
		if err != nil {
			return nil, err
		}
		if sym := op.Functions["async"]; sym != "" {
			w.p("")
			w.p("static openai_future *%s(%s) {", shimName(sym), join([]string{"const openai_client *client"}, in.cParams, []string{"uintptr_t userdata"}))
			w.p("\treturn %s(%s);", sym, join([]string{"client"}, in.cArgs, []string{"openaiGoComplete", "(void *)userdata"}))
			w.p("}")
		}
		if sym := op.Functions["to_file"]; sym != "" {
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

	for i := range t.Operations {
		op := &t.Operations[i]
		names := MethodNames(op)
		in, _ := inputs(op)
		where := fmt.Sprintf("%s %s (%s).", op.Method, op.Path, op.Name)
		prep := func(ret string) {
			if len(in.prep) == 0 {
				w.p("\tvar a args")
				return
			}
			w.p("\tvar a args")
			w.p("\tdefer a.free()")
			for _, s := range in.prep {
				w.p("\t%s", s)
			}
			w.p("\tif a.err != nil {")
			w.p("\t\treturn %s", ret)
			w.p("\t}")
		}
		if names.Call != "" {
			var resp string
			switch op.Response {
			case "json":
				resp = "It returns the JSON body, the response and, for a failed call, an *Error."
			case "json_or_text":
				resp = "It returns the body (JSON, or text for the text response formats), the response and, for a failed call, an *Error."
			case "bytes":
				resp = "It returns the body's bytes, the response and, for a failed call, an *Error."
			default:
				return nil, fmt.Errorf("%s: response %q with an async function", op.Name, op.Response)
			}
			w.p("")
			w.doc(append([]string{names.Call + " " + sentence(op.Summary), "", where + " " + resp}, inputDoc(op)...)...)
			w.p("func (c *Client) %s(%s) ([]byte, *Response, error) {", names.Call, join([]string{"ctx context.Context"}, in.goParams))
			prep("nil, nil, a.err")
			w.p("\treturn c.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {")
			w.p("\t\treturn C.%s(%s)", shimName(op.Functions["async"]), join([]string{"cl"}, in.goArgs, []string{"h"}))
			w.p("\t})")
			w.p("}")
		}
		if names.Stream != "" {
			if op.Input != "json" && op.Input != "optional_json" {
				return nil, fmt.Errorf("%s: a stream without a JSON body", op.Name)
			}
			var lead string
			if names.Stream == names.Call || names.Call == "" {
				lead = names.Stream + " " + sentence(op.Summary)
			} else {
				lead = fmt.Sprintf("%s is %s as a stream of server-sent events: body gets \"stream\": true when it lacks it.", names.Stream, names.Call)
			}
			w.p("")
			w.doc(append([]string{lead, "", where + " It returns once the response headers arrived; read the events with the Stream's Next and Current, and Close it. An HTTP error before the stream began is returned as an *Error."}, inputDoc(op)...)...)
			w.p("func (c *Client) %s(%s) (*Stream, error) {", names.Stream, join([]string{"ctx context.Context"}, in.goParams))
			prep("nil, a.err")
			w.p("\treturn c.stream(ctx, func(cl *C.openai_client, out **C.openai_stream) C.openai_code {")
			w.p("\t\treturn C.%s(%s)", op.Functions["stream"], join([]string{"cl"}, in.goArgs, []string{"out"}))
			w.p("\t})")
			w.p("}")
		}
		if names.Pages != "" {
			if op.Input != "query" {
				return nil, fmt.Errorf("%s: pages without a query input", op.Name)
			}
			w.p("")
			w.doc(append([]string{
				fmt.Sprintf("%s is a pager over every page of %s (%s %s): each Next fetches one page, the next with after = the last item's id while the page says has_more. Nothing is sent until the first Next.", names.Pages, names.Call, op.Method, op.Path),
				"",
				"query is a JSON object of query parameters kept on every page ({\"limit\": 100}), or nil. Close the pager when done.",
			}, inputDoc(op)[1:]...)...)
			w.p("func (c *Client) %s(%s) *Pager {", names.Pages, join([]string{"ctx context.Context"}, in.goParams))
			prep("&Pager{ctx: ctx, done: true, err: a.err}")
			w.p("\treturn c.pages(ctx, func(cl *C.openai_client, out **C.openai_pager) C.openai_code {")
			w.p("\t\treturn C.%s(%s)", op.Functions["pages"], join([]string{"cl"}, in.goArgs, []string{"out"}))
			w.p("\t})")
			w.p("}")
		}
		if names.ToFile != "" {
			w.p("")
			w.doc(append([]string{
				fmt.Sprintf("%s is %s with the response body written to the file at path as it arrives (never held whole in memory): to path + \".part\", renamed to path once complete, so a failed download leaves path as it was.", names.ToFile, names.Call),
				"",
				where + " progress, if not nil, hears the bytes received and the total (0 if unknown), on any thread. The returned response has the status and headers, and an empty body on success.",
			}, inputDoc(op)...)...)
			w.p("func (c *Client) %s(%s) (*Response, error) {", names.ToFile, join([]string{"ctx context.Context"}, in.goParams, []string{"path string", "progress func(received, total uint64)"}))
			in.prep = append(in.prep, `cPath := a.str("path", path)`)
			prep("nil, a.err")
			w.p("\tid := progressID(progress)")
			w.p("\tif id != 0 {")
			w.p("\t\tdefer unregister(id)")
			w.p("\t}")
			w.p("\treturn c.blocking(ctx, func(cl *C.openai_client, out **C.openai_response) C.openai_code {")
			w.p("\t\treturn C.%s(%s)", shimName(op.Functions["to_file"]), join([]string{"cl"}, in.goArgs, []string{"cPath", "C.uintptr_t(id)", "out"}))
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
