// Package gen renders the generated files of the Go binding: operations_gen.go, the official
// SDK's resource tree over every operation of bindings/operations.json, and codes_gen.go, the
// result codes of bindings/codes.json. Nothing of an operation is written by hand: its service,
// its methods, their parameters, their documentation and the C symbols they call all come from
// the table.
//
// Run `go generate` in bindings/go (or `go run ./internal/genops`) after either file changes;
// TestGeneratedUpToDate fails while a committed file differs from what Render makes.
package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"sort"
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

// The generated files and their sources, relative to bindings/go.
const (
	Output      = "operations_gen.go"
	TablePath   = "../operations.json"
	CodesOutput = "codes_gen.go"
	CodesPath   = "../codes.json"
)

// initialisms are the words Go spells in capitals (or, for chatkit, as the SDK does).
var initialisms = map[string]string{
	"id": "ID", "api": "API", "url": "URL", "json": "JSON", "sip": "SIP", "mcp": "MCP",
	"http": "HTTP", "ip": "IP", "chatkit": "ChatKit",
}

// Camel is a snake_case name in Go's CamelCase: "api_keys" -> "APIKeys".
func Camel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part == "" {
			continue
		}
		if w, ok := initialisms[part]; ok {
			b.WriteString(w)
		} else {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// MethodName is the Go name of an operation's method, after the official Go SDK: its first
// word create is New and retrieve is Get ("create_and_run" -> "NewAndRun", "retrieve" ->
// "Get"), the rest in CamelCase ("list_files" -> "ListFiles").
func MethodName(method string) string {
	first, rest, _ := strings.Cut(method, "_")
	switch first {
	case "create":
		first = "new"
	case "retrieve":
		first = "get"
	}
	return Camel(first + "_" + rest)
}

// ParamName is the Go name of a path parameter or file part: "fine_tuning_job_id" ->
// "fineTuningJobID".
func ParamName(s string) string {
	first, rest, _ := strings.Cut(s, "_")
	name := first + Camel(rest)
	switch name {
	case "ctx", "a", "r", "cl", "h", "out", "path", "progress", "body", "query", "fields", "type", "func", "range", "select", "map", "chan", "go", "string":
		return name + "_"
	}
	return name
}

// The kinds of generated method.
const (
	KindCall       = "call"        // the _async export: (*Response, error)
	KindStream     = "stream"      // the _stream export: (*Stream, error)
	KindPages      = "pages"       // the _pages export: iter.Seq2[*Response, error]
	KindAutoPaging = "auto_paging" // the _pages export, item by item: iter.Seq2[json.RawMessage, error]
	KindToFile     = "to_file"     // the _to_file export: (*Response, error)
)

// Method is one generated Go method of a service.
type Method struct {
	Name   string // the Go name: New, NewStreaming, ListAutoPaging, ListPages, ContentToFile
	Kind   string
	Export *Export
	Op     *Operation
}

// Service is a node of the resource tree: client.VectorStores.Files is the service of
// vector_stores.files. Every service but the root holds the client's handle, also one with
// sub-services only, so that hand-written methods can be added to it (client.Realtime.Connect).
type Service struct {
	Resource []string   // ["vector_stores", "files"]; empty for the root (the client's Resources)
	Field    string     // its field in the parent: "Files"
	Type     string     // its Go type: "VectorStoresFilesService" ("Resources" for the root)
	Subs     []*Service // its sub-services, by field name
	Methods  []Method   // its methods, by name
}

// Tree is the resource tree of the table's operations: one service per resource of the
// official SDK (responses, vector_stores.files, ...), one method per form of each operation.
// Aliases (the seed's second names for a route, e.g. files.upload for files.create) are left
// out: their route is the canonical operation's. Of two exports of one form (a seed signature
// and its _ex superset) the one with the most arguments is used.
func Tree(t *Table) (*Service, error) {
	ops := map[string]*Operation{}
	for i := range t.Operations {
		ops[t.Operations[i].Name] = &t.Operations[i]
	}
	chosen := map[[2]string]*Export{}
	for i := range t.Exports {
		e := &t.Exports[i]
		op, ok := ops[e.Operation]
		if !ok {
			return nil, fmt.Errorf("%s: no operation %s", e.Name, e.Operation)
		}
		if op.AliasOf != nil {
			continue
		}
		switch e.Form {
		case "async", "stream", "pages", "to_file":
		case "blocking", "stream_async", "to_file_async":
			continue
		default:
			return nil, fmt.Errorf("%s: unknown form %q (teach internal/gen about it)", e.Name, e.Form)
		}
		key := [2]string{e.Operation, e.Form}
		if other := chosen[key]; other != nil {
			small, big := other, e
			if len(small.Args) > len(big.Args) {
				small, big = big, small
			}
			if !argsWithin(small, big) {
				return nil, fmt.Errorf("%s and %s: two %s forms of %s whose arguments differ", other.Name, e.Name, e.Form, e.Operation)
			}
			e = big
		}
		chosen[key] = e
	}
	root := &Service{Type: "Resources"}
	find := func(resource []string) *Service {
		s := root
		for i, part := range resource {
			var next *Service
			for _, sub := range s.Subs {
				if sub.Resource[i] == part {
					next = sub
				}
			}
			if next == nil {
				next = &Service{
					Resource: resource[:i+1],
					Field:    Camel(part),
					Type:     typeName(resource[:i+1]),
				}
				s.Subs = append(s.Subs, next)
			}
			s = next
		}
		return s
	}
	for i := range t.Operations {
		op := &t.Operations[i]
		if op.AliasOf != nil {
			continue
		}
		s := find(op.Resource)
		name := MethodName(op.MethodName)
		add := func(form, kind, goName string) {
			if e := chosen[[2]string{op.Name, form}]; e != nil {
				s.Methods = append(s.Methods, Method{Name: goName, Kind: kind, Export: e, Op: op})
			}
		}
		add("async", KindCall, name)
		add("stream", KindStream, name+"Streaming")
		add("pages", KindPages, name+"Pages")
		add("pages", KindAutoPaging, name+"AutoPaging")
		add("to_file", KindToFile, name+"ToFile")
	}
	types := map[string]string{}
	var check func(s *Service) error
	check = func(s *Service) error {
		if other, dup := types[s.Type]; dup {
			return fmt.Errorf("type %s made twice (%s and %s)", s.Type, other, strings.Join(s.Resource, "."))
		}
		types[s.Type] = strings.Join(s.Resource, ".")
		sort.Slice(s.Subs, func(i, j int) bool { return s.Subs[i].Field < s.Subs[j].Field })
		sort.SliceStable(s.Methods, func(i, j int) bool { return s.Methods[i].Name < s.Methods[j].Name })
		names := map[string]string{}
		for _, m := range s.Methods {
			if other, dup := names[m.Name]; dup {
				return fmt.Errorf("%s.%s made twice (%s and %s)", s.Type, m.Name, other, m.Op.Name)
			}
			names[m.Name] = m.Op.Name
		}
		for _, sub := range s.Subs {
			if other, dup := names[sub.Field]; dup {
				return fmt.Errorf("%s.%s is both a method (%s) and a service", s.Type, sub.Field, other)
			}
			names[sub.Field] = strings.Join(sub.Resource, ".")
			if err := check(sub); err != nil {
				return err
			}
		}
		return nil
	}
	if err := check(root); err != nil {
		return nil, err
	}
	return root, nil
}

// argsWithin reports whether every argument of small is one of big's, by name and role (a
// file may have become an array of files).
func argsWithin(small, big *Export) bool {
	have := map[string]string{}
	for _, a := range big.Args {
		have[a.Name] = a.Role
	}
	for _, a := range small.Args {
		role, ok := have[a.Name]
		if !ok || (role != a.Role && !(a.Role == "file" && role == "file_array")) {
			return false
		}
	}
	return true
}

// typeName is the Go type of a resource's service: vector_stores.files ->
// VectorStoresFilesService.
func typeName(resource []string) string {
	var b strings.Builder
	for _, part := range resource {
		b.WriteString(Camel(part))
	}
	b.WriteString("Service")
	return b.String()
}

// Walk calls f for s and every service below it, parents first.
func (s *Service) Walk(f func(*Service)) {
	f(s)
	for _, sub := range s.Subs {
		sub.Walk(f)
	}
}

// Selector is how a program reaches the service from the client: "client.VectorStores.Files".
func (s *Service) Selector() string {
	parts := []string{"client"}
	for _, r := range s.Resource {
		parts = append(parts, Camel(r))
	}
	return strings.Join(parts, ".")
}

type writer struct {
	bytes.Buffer
}

func (w *writer) p(format string, args ...any) {
	fmt.Fprintf(&w.Buffer, format, args...)
	w.WriteByte('\n')
}

// doc writes a doc comment: each line a paragraph, wrapped at 100 columns; "" separates them.
func (w *writer) doc(indent string, lines ...string) {
	for _, l := range lines {
		if l == "" {
			w.p("%s//", indent)
			continue
		}
		line := indent + "//"
		for _, word := range strings.Fields(l) {
			if len(line)+1+len(word) > 100 && line != indent+"//" {
				w.p("%s", line)
				line = indent + "//"
			}
			line += " " + word
		}
		w.p("%s", line)
	}
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
			if a.Type != "const char *" {
				return in, fmt.Errorf("%s: %s: C type %q", e.Name, a.Name, a.Type)
			}
			goName := a.Role
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
			if a.Type != "const openai_upload *" {
				return in, fmt.Errorf("%s: %s: C type %q", e.Name, a.Name, a.Type)
			}
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
			if a.Type != "const openai_upload *const *" {
				return in, fmt.Errorf("%s: %s: C type %q", e.Name, a.Name, a.Type)
			}
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

// summary is the operation's one-line summary as a sentence.
func summary(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "the operation of that name."
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
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
	root, err := Tree(t)
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
	var failed error
	root.Walk(func(s *Service) {
		for _, m := range s.Methods {
			in, err := inputs(m.Op, m.Export)
			if err != nil {
				failed = err
				return
			}
			sym := m.Export.Name
			switch m.Kind {
			case KindCall:
				w.p("")
				w.p("static openai_future *%s(%s) {", shimName(sym), join([]string{"const openai_client *client"}, in.cParams, []string{"uintptr_t userdata"}))
				w.p("\treturn %s(%s);", sym, join([]string{"client"}, in.cArgs, []string{"openaiGoComplete", "(void *)userdata"}))
				w.p("}")
			case KindToFile:
				w.p("")
				w.p("static openai_code %s(%s) {", shimName(sym), join([]string{"const openai_client *client"}, in.cParams, []string{"const char *path", "uintptr_t progress", "openai_response **out"}))
				w.p("\treturn %s(%s);", sym, join([]string{"client"}, in.cArgs, []string{"path", "progress ? openaiGoProgress : NULL", "(void *)progress", "out"}))
				w.p("}")
			}
		}
	})
	if failed != nil {
		return nil, failed
	}
	w.p("*/")
	w.p("import \"C\"")
	w.p("")
	w.p("import (")
	w.p("\t\"context\"")
	w.p("\t\"encoding/json\"")
	w.p("\t\"iter\"")
	w.p(")")

	// The services: one struct per resource, holding the client's handle and the sub-services.
	w.p("")
	w.doc("", "Resources is the official SDK's resource tree, which Client embeds: client.Responses, client.VectorStores.Files, client.Beta.Threads.Runs, ... Each service has one method per form of each operation of the resource.")
	root.Walk(func(s *Service) {
		if len(s.Resource) > 0 {
			w.p("")
			w.doc("", fmt.Sprintf("%s is %s: the %s operations.", s.Type, s.Selector(), strings.Join(s.Resource, ".")))
		}
		w.p("type %s struct {", s.Type)
		if len(s.Resource) > 0 {
			w.p("\th *handle")
		}
		for _, sub := range s.Subs {
			w.doc("\t", fmt.Sprintf("%s is %s.", sub.Field, sub.Selector()))
			w.p("\t%s %s", sub.Field, sub.Type)
		}
		w.p("}")
	})
	w.p("")
	w.p("// newResources is the tree with every service bound to h.")
	w.p("func newResources(h *handle) Resources {")
	var lit func(s *Service, indent string) string
	lit = func(s *Service, indent string) string {
		var b strings.Builder
		b.WriteString(s.Type + "{")
		b.WriteString("\n")
		if len(s.Resource) > 0 {
			b.WriteString(indent + "\th: h,\n")
		}
		for _, sub := range s.Subs {
			b.WriteString(indent + "\t" + sub.Field + ": " + lit(sub, indent+"\t") + ",\n")
		}
		b.WriteString(indent)
		b.WriteString("}")
		return b.String()
	}
	w.p("\treturn %s", lit(root, "\t"))
	w.p("}")

	root.Walk(func(s *Service) {
		for _, m := range s.Methods {
			if err := w.method(s, m); err != nil && failed == nil {
				failed = err
			}
		}
	})
	if failed != nil {
		return nil, failed
	}
	src, err := format.Source(w.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting the generated code: %w\n%s", err, w.Bytes())
	}
	return src, nil
}

// method writes one method of a service.
func (w *writer) method(s *Service, m Method) error {
	op, e := m.Op, m.Export
	in, err := inputs(op, e)
	if err != nil {
		return err
	}
	where := fmt.Sprintf("%s %s (%s, C: %s).", op.HTTPMethod, op.Path, op.Name, e.Name)
	title := fmt.Sprintf("%s is %s: %s", m.Name, op.Name, summary(op.Summary))
	params := ""
	if len(in.doc) > 0 {
		params = " " + strings.Join(in.doc, " ")
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
	recv := fmt.Sprintf("func (r *%s) %s", s.Type, m.Name)
	switch m.Kind {
	case KindCall:
		var resp string
		switch op.Response {
		case "json":
			resp = "It returns the response, whose Body is the JSON document the API returned (read it with Decode), or an *Error."
		case "json_or_text":
			resp = "It returns the response, whose Body is JSON, or text for the text response formats, or an *Error."
		case "bytes":
			resp = "It returns the response, whose Body is the content's bytes, or an *Error."
		case "text":
			resp = "It returns the response, whose Body is the text, or an *Error."
		case "empty":
			resp = "It returns the response, whose Body is empty, or an *Error."
		default:
			return fmt.Errorf("%s: response %q with an async function", op.Name, op.Response)
		}
		w.p("")
		w.doc("", title, "", where+" "+resp+params)
		w.p("%s(%s) (*Response, error) {", recv, join([]string{"ctx context.Context"}, in.goParams))
		prep("nil, a.err")
		w.p("\treturn r.h.call(ctx, &a, func(cl *C.openai_client, h C.uintptr_t) *C.openai_future {")
		w.p("\t\treturn C.%s(%s)", shimName(e.Name), join([]string{"cl"}, in.goArgs, []string{"h"}))
		w.p("\t})")
		w.p("}")
	case KindStream:
		w.p("")
		w.doc("", title+" As a stream of server-sent events (the library asks for it).", "", where+" It returns once the response headers arrived; read the events with the Stream's Next and Current (or range over its Events), and Close it. An HTTP error before the stream began is returned as an *Error."+params)
		w.p("%s(%s) (*Stream, error) {", recv, join([]string{"ctx context.Context"}, in.goParams))
		prep("nil, a.err")
		w.p("\treturn r.h.stream(ctx, func(cl *C.openai_client, out **C.openai_stream) C.openai_code {")
		w.p("\t\treturn C.%s(%s)", e.Name, join([]string{"cl"}, in.goArgs, []string{"out"}))
		w.p("\t})")
		w.p("}")
	case KindPages:
		w.p("")
		w.doc("", fmt.Sprintf("%s iterates over every page of %s (%s %s): each page is fetched as the loop asks for it, the next with the cursor the page gives while it says there are more. Nothing is sent before the loop starts; breaking out of it ends the walk. Each page is a *Response (Decode its Body); a failed page ends the loop with its error. C: %s.", m.Name, op.Name, op.HTTPMethod, op.Path, e.Name)+params)
		w.p("%s(%s) iter.Seq2[*Response, error] {", recv, join([]string{"ctx context.Context"}, in.goParams))
		w.p("\treturn r.h.pages(ctx, func(a *args, cl *C.openai_client, out **C.openai_pager) C.openai_code {")
		for _, s := range in.prep {
			w.p("\t\t%s", s)
		}
		if len(in.prep) > 0 {
			w.p("\t\tif a.err != nil {")
			w.p("\t\t\treturn C.OPENAI_INVALID_ARGUMENT")
			w.p("\t\t}")
		}
		w.p("\t\treturn C.%s(%s)", e.Name, join([]string{"cl"}, in.goArgs, []string{"out"}))
		w.p("\t})")
		w.p("}")
	case KindAutoPaging:
		pages := strings.TrimSuffix(m.Name, "AutoPaging") + "Pages"
		var names []string
		for _, p := range in.goParams {
			names = append(names, strings.Fields(p)[0])
		}
		w.p("")
		w.doc("", fmt.Sprintf("%s iterates over every item of every page of %s (%s %s), as the official SDK's auto-pager: each item is the JSON of one element of a page's data (Unmarshal it); the pages are fetched as %s fetches them. A failed page, or one without a data array, ends the loop with its error.", m.Name, op.Name, op.HTTPMethod, op.Path, pages)+params)
		w.p("%s(%s) iter.Seq2[json.RawMessage, error] {", recv, join([]string{"ctx context.Context"}, in.goParams))
		w.p("\treturn items(r.%s(%s))", pages, join([]string{"ctx"}, names))
		w.p("}")
	case KindToFile:
		w.p("")
		w.doc("", fmt.Sprintf("%s writes the response body of %s to the file at path as it arrives (never held whole in memory), through a partial file beside it that replaces path once complete: a failed download leaves path as it was.", m.Name, op.Name),
			"",
			where+" progress, if not nil, hears the bytes received and the total (0 if unknown), on any thread. It returns the response (status and headers; its Body is empty), or an *Error."+params)
		w.p("%s(%s) (*Response, error) {", recv, join([]string{"ctx context.Context"}, in.goParams, []string{"path string", "progress func(received, total uint64)"}))
		in.prep = append(in.prep, `cPath := a.str("path", path)`)
		prep("nil, a.err")
		w.p("\tid := progressID(progress)")
		w.p("\tif id != 0 {")
		w.p("\t\tdefer unregister(id)")
		w.p("\t}")
		w.p("\treturn r.h.blocking(ctx, func(cl *C.openai_client, out **C.openai_response) C.openai_code {")
		w.p("\t\treturn C.%s(%s)", shimName(e.Name), join([]string{"cl"}, in.goArgs, []string{"cPath", "C.uintptr_t(id)", "out"}))
		w.p("\t})")
		w.p("}")
	default:
		return fmt.Errorf("%s: unknown kind %q", m.Name, m.Kind)
	}
	return nil
}

// Codes is bindings/codes.json: the library's result codes.
type Codes struct {
	GeneratedBy string `json:"generated_by"`
	Codes       []struct {
		Name  string `json:"name"`
		Value int    `json:"value"`
		Doc   string `json:"doc"`
	} `json:"codes"`
}

// CodeName is the Go name of a code: OPENAI_RESPONSE_TOO_LARGE -> CodeResponseTooLarge.
func CodeName(c string) string {
	name := strings.TrimPrefix(c, "OPENAI_")
	if name == "OK" {
		return "CodeOK"
	}
	return "Code" + Camel(strings.ToLower(name))
}

// RenderCodes makes codes_gen.go from the text of codes.json.
func RenderCodes(codes []byte) ([]byte, error) {
	var c Codes
	dec := json.NewDecoder(bytes.NewReader(codes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("codes.json: %w", err)
	}
	if len(c.Codes) == 0 {
		return nil, fmt.Errorf("codes.json: no codes")
	}
	var w writer
	w.p("// Code generated by internal/genops from bindings/codes.json; DO NOT EDIT.")
	w.p("// Regenerate with `go generate` in bindings/go after the codes change.")
	w.p("")
	w.p("package openai")
	w.p("")
	w.p("/*")
	w.p("#include \"openai.h\"")
	w.p("*/")
	w.p("import \"C\"")
	w.p("")
	w.p("// The codes of openai.h (openai_code), each the C constant of that name.")
	w.p("const (")
	for i, code := range c.Codes {
		if i > 0 {
			w.p("")
		}
		w.doc("\t", fmt.Sprintf("%s (%s = %d): %s", CodeName(code.Name), code.Name, code.Value, code.Doc))
		w.p("\t%s Code = C.%s", CodeName(code.Name), code.Name)
	}
	w.p(")")
	src, err := format.Source(w.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting the generated code: %w\n%s", err, w.Bytes())
	}
	return src, nil
}
