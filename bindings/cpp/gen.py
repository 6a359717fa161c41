#!/usr/bin/env python3
"""Generates the C++ binding's per-operation surface from bindings/operations.json:

- include/openai/operations.hpp: one resource class per API resource (client.chat().completions(),
  client.beta().threads().runs(), ...) with one method per C function of each operation, and
  openai::operation_table;
- tests/operations_test.cpp: a GoogleTest case per operation that calls every form of it
  against the mock server and checks the request the mock saw.

    python3 bindings/cpp/gen.py           # rewrite both files
    python3 bindings/cpp/gen.py --check   # fail if they differ from what would be generated

Python 3 standard library only.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "operations.json")
HEADER = os.path.join(HERE, "include", "openai", "operations.hpp")
TEST = os.path.join(HERE, "tests", "operations_test.cpp")
REGENERATE = "python3 bindings/cpp/gen.py"

CPP_KEYWORDS = {
    "delete", "new", "default", "class", "namespace", "operator", "template", "this", "union",
    "private", "public", "protected", "virtual", "register", "export", "import", "module",
}


def ident(name):
    """A C++ identifier for a method name (a keyword gets a trailing underscore)."""
    return name + "_" if name in CPP_KEYWORDS else name


def camel(parts):
    return "".join(p.title().replace("_", "") for p in parts)


def cpp_string(s):
    """A C++ string literal."""
    out = '"'
    for ch in s:
        if ch in '"\\':
            out += "\\" + ch
        elif ch == "\n":
            out += "\\n"
        elif ord(ch) < 0x20:
            out += "\\x%02x" % ord(ch)
        else:
            out += ch
    return out + '"'


class Op:
    def __init__(self, raw):
        self.raw = raw
        self.name = raw["name"]
        parts = self.name.split(".")
        self.resource = tuple(parts[:-1])
        self.method = parts[-1]
        self.http = raw["method"]
        self.path = raw["path"]
        self.path_params = raw["path_params"]
        self.input = raw["input"]
        self.files = raw["files"]
        self.beta = raw["beta"]
        self.summary = raw["summary"]
        self.functions = raw["functions"]
        self.response = raw["response"]

    # The C++ parameters and the C arguments of the blocking form, by input kind.
    def params(self, defaults=True):
        """[(declaration, default or None)], the C++ parameters before the form's own."""
        out = [("std::string_view %s" % p, None) for p in self.path_params]
        if self.input == "json":
            out.append(("std::string_view body_json", None))
        elif self.input == "optional_json":
            out.append(("std::string_view body_json", "{}"))
        elif self.input == "query":
            out.append(("std::string_view query_json", "{}"))
        elif self.input == "multipart":
            out.append(("std::string_view fields_json", None))
            for f in self.files:
                out.append(("const Upload &%s" % f["name"], None if f["required"] else "Upload()"))
        return out

    def locals(self):
        """Lines that make NUL-terminated copies of the string arguments."""
        lines = []
        for p in self.path_params:
            lines.append("const detail::Arg a_%s(%s);" % (p, p))
        if self.input == "json":
            lines.append("const detail::Arg a_body_json(body_json);")
        elif self.input == "optional_json":
            lines.append("const detail::OptArg a_body_json(body_json);")
        elif self.input == "query":
            lines.append("const detail::OptArg a_query_json(query_json);")
        elif self.input == "multipart":
            lines.append("const detail::OptArg a_fields_json(fields_json);")
        return lines

    def c_args(self):
        args = ["client_.get()"] + ["a_%s.c_str()" % p for p in self.path_params]
        if self.input in ("json", "optional_json"):
            args.append("a_body_json.c_str()")
        elif self.input == "query":
            args.append("a_query_json.c_str()")
        elif self.input == "multipart":
            args.append("a_fields_json.c_str()")
            args += ["%s.get()" % f["name"] for f in self.files]
        return args

    def keep(self):
        if self.input != "multipart":
            return ""
        return ", detail::KeepAlive{%s}" % ", ".join(f["name"] for f in self.files)

    def stream_params(self):
        return [("std::string_view %s" % p, None) for p in self.path_params] + [("std::string_view body_json", None)]

    def stream_locals(self):
        return ["const detail::Arg a_%s(%s);" % (p, p) for p in self.path_params] + [
            "const detail::Arg a_body_json(body_json);"
        ]

    def stream_c_args(self):
        return ["client_.get()"] + ["a_%s.c_str()" % p for p in self.path_params] + ["a_body_json.c_str()"]

    def pages_params(self):
        return [("std::string_view %s" % p, None) for p in self.path_params] + [("std::string_view query_json", "{}")]

    def pages_locals(self):
        return ["const detail::Arg a_%s(%s);" % (p, p) for p in self.path_params] + [
            "const detail::OptArg a_query_json(query_json);"
        ]

    def pages_c_args(self):
        return ["client_.get()"] + ["a_%s.c_str()" % p for p in self.path_params] + ["a_query_json.c_str()"]

    # Method names
    def blocking_name(self):
        return ident(self.method)

    def stream_name(self):
        return self.method + "_stream" if "blocking" in self.functions else self.method


def decl(params, extra=(), with_defaults=True):
    items = []
    for p, d in list(params) + list(extra):
        items.append(p + (" = " + d if (d is not None and with_defaults) else ""))
    return ", ".join(items)


def no_defaults(params):
    return [(p, None) for p, _ in params]


def doc(op, what):
    lines = ["/// %s" % op.summary]
    lines.append("/// `%s %s` (`%s`%s)%s" % (op.http, op.path, op.name, ", beta" if op.beta else "", what))
    return lines


def indent(lines, n):
    return [(" " * n + l) if l else "" for l in lines]


def gen_methods(op):
    out = []
    f = op.functions
    if "blocking" in f:
        out += doc(op, ": blocks until the response is complete; throws on failure.")
        out.append("Response %s(%s) const {" % (op.blocking_name(), decl(op.params())))
        out += indent(op.locals(), 4)
        out.append("    openai_response *out = nullptr;")
        out.append("    const Code code = %s(%s, &out);" % (f["blocking"], ", ".join(op.c_args())))
        out.append("    return detail::checked(code, out);")
        out.append("}")
        out.append("")
    if "async" in f:
        name = ident(op.method + "_async")
        out += doc(op, ": the async form; the std::future's get() throws on failure.")
        out.append("std::future<Response> %s(%s) const {" % (name, decl(op.params())))
        out += indent(op.locals(), 4)
        out.append("    return detail::start_promise(")
        out.append("        [&](openai_callback cb, void *ud) { return %s(%s, cb, ud); }%s);"
                   % (f["async"], ", ".join(op.c_args()), op.keep()))
        out.append("}")
        out.append("")
        out += doc(op, ": the async form with a callback, which receives the response (failed or not)"
                       " on a library thread; destroying the Future cancels the call unless detached.")
        out.append("[[nodiscard]] Future %s(%s) const {" % (name, decl(no_defaults(op.params()), [("Callback callback", None)])))
        out += indent(op.locals(), 4)
        out.append("    return detail::start_callback(")
        out.append("        [&](openai_callback cb, void *ud) { return %s(%s, cb, ud); }, std::move(callback)%s);"
                   % (f["async"], ", ".join(op.c_args()), op.keep()))
        out.append("}")
        out.append("")
    if "stream" in f:
        out += doc(op, ": streams server-sent events (\"stream\": true is added when missing); blocks until"
                       " the response begins; throws on failure.")
        out.append("Stream %s(%s) const {" % (op.stream_name(), decl(op.stream_params())))
        out += indent(op.stream_locals(), 4)
        out.append("    openai_stream *out = nullptr;")
        out.append("    const Code code = %s(%s, &out);" % (f["stream"], ", ".join(op.stream_c_args())))
        out.append("    return detail::checked_stream(code, out);")
        out.append("}")
        out.append("")
    if "stream_async" in f:
        name = op.stream_name() + "_async"
        out += doc(op, ": the stream, started without blocking; pull its events as from the blocking form.")
        out.append("Stream %s(%s) const {" % (name, decl(op.stream_params())))
        out += indent(op.stream_locals(), 4)
        out.append("    return Stream(%s(%s, nullptr, nullptr));" % (f["stream_async"], ", ".join(op.stream_c_args())))
        out.append("}")
        out.append("")
        out += doc(op, ": the stream, its events pushed to `on_event` on a library thread, then its end to `on_done`.")
        out.append("Stream %s(%s) const {" % (name, decl(op.stream_params(), [("EventHandler on_event", None), ("DoneHandler on_done", "{}")])))
        out += indent(op.stream_locals(), 4)
        out.append("    return detail::start_stream(")
        out.append("        [&](openai_event_callback cb, void *ud) { return %s(%s, cb, ud); }," % (f["stream_async"], ", ".join(op.stream_c_args())))
        out.append("        std::move(on_event), std::move(on_done));")
        out.append("}")
        out.append("")
    if "pages" in f:
        out += doc(op, ": every page, fetched one at a time by the Pager (after = the last item's id).")
        out.append("Pager %s(%s) const {" % (ident(op.method + "_pages"), decl(op.pages_params())))
        out += indent(op.pages_locals(), 4)
        out.append("    openai_pager *out = nullptr;")
        out.append("    const Code code = %s(%s, &out);" % (f["pages"], ", ".join(op.pages_c_args())))
        out.append("    return detail::checked_pager(code, out);")
        out.append("}")
        out.append("")
    if "to_file" in f:
        out += doc(op, ": the body written to the file at `path` as it arrives (through `<path>.part`);"
                       " the Response keeps status and headers.")
        out.append("Response %s(%s) const {" % (ident(op.method + "_to_file"),
                                               decl(no_defaults(op.params()), [("std::string_view path", None), ("Progress progress", "{}")])))
        out += indent(op.locals(), 4)
        out.append("    const detail::Arg a_path(path);")
        out.append("    openai_response *out = nullptr;")
        out.append("    const Code code = %s(%s, a_path.c_str(), progress ? &detail::progress_trampoline : nullptr," % (f["to_file"], ", ".join(op.c_args())))
        out.append("                         progress ? static_cast<void *>(&progress) : nullptr, &out);")
        out.append("    return detail::checked(code, out);")
        out.append("}")
        out.append("")
    return out


def resource_tree(ops):
    """{resource tuple: {"ops": [...], "children": [names]}} in table order."""
    tree = {}

    def node(path):
        if path not in tree:
            tree[path] = {"ops": [], "children": []}
            if path:
                parent = node(path[:-1])
                if path[-1] not in parent["children"]:
                    parent["children"].append(path[-1])
        return tree[path]

    for op in ops:
        node(op.resource)["ops"].append(op)
    return tree


def gen_header(table):
    ops = [Op(o) for o in table["operations"]]
    tree = resource_tree(ops)
    out = [
        "// GENERATED by bindings/cpp/gen.py from bindings/operations.json: do not edit.",
        "// Regenerate with `%s`; ctest's drift check fails when this file is stale." % REGENERATE,
        "//",
        "// The per-operation surface of the C++ binding: one resource class per API resource, one",
        "// method per C function of each operation. Include <openai/openai.hpp> (which includes this).",
        "",
        '#include "openai.hpp"',
        "",
        "#ifndef OPENAI_OPERATIONS_HPP",
        "#define OPENAI_OPERATIONS_HPP",
        "",
        "namespace openai {",
        "",
        "/// One row of the operation table (bindings/operations.json).",
        "struct OperationInfo {",
        "    const char *name;",
        "    const char *method;",
        "    const char *path;",
        "    const char *input;",
        "    bool beta;",
        "    const char *summary;",
        "};",
        "",
        "/// Every operation, in the table's order.",
        "inline constexpr OperationInfo operation_table[] = {",
    ]
    for op in ops:
        out.append("    {%s, %s, %s, %s, %s, %s}," % (cpp_string(op.name), cpp_string(op.http), cpp_string(op.path),
                                                    cpp_string(op.input), "true" if op.beta else "false",
                                                    cpp_string(op.summary)))
    out += ["};", "", "namespace resources {", ""]
    # Children before parents, so that accessors return complete types.
    order = sorted((p for p in tree if p), key=lambda p: -len(p))
    for path in order:
        cls = camel(path)
        node = tree[path]
        out.append("/// `client.%s`" % ".".join("%s()" % p for p in path))
        out.append("class %s {" % cls)
        out.append("public:")
        out.append("    explicit %s(std::shared_ptr<openai_client> client) noexcept : client_(std::move(client)) {}" % cls)
        out.append("")
        for child in node["children"]:
            out.append("    %s %s() const { return %s(client_); }" % (camel(path + (child,)), ident(child), camel(path + (child,))))
        if node["children"]:
            out.append("")
        for op in node["ops"]:
            out += indent(gen_methods(op), 4)
        while out[-1] == "":
            out.pop()
        out.append("")
        out.append("private:")
        out.append("    std::shared_ptr<openai_client> client_;")
        out.append("};")
        out.append("")
    out.append("}  // namespace resources")
    out.append("")
    out.append("/// The resource accessors of Client (client.chat(), client.beta(), ...).")
    out.append("template <class Derived>")
    out.append("class Resources {")
    out.append("public:")
    for child in tree[()]["children"]:
        out.append("    resources::%s %s() const { return resources::%s(self().handle()); }" % (camel((child,)), ident(child), camel((child,))))
    out.append("")
    out.append("private:")
    out.append("    const Derived &self() const noexcept { return static_cast<const Derived &>(*this); }")
    out.append("};")
    out.append("")
    out.append("}  // namespace openai")
    out.append("")
    out.append("#endif  // OPENAI_OPERATIONS_HPP")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# The generated test


def sample_path(op):
    path = "/v1" + op.path
    for p in op.path_params:
        path = path.replace("{%s}" % p, sample_param(p))
    return path


def sample_param(p):
    return "%s-1" % p


def test_args(op):
    """C++ argument expressions of the blocking form."""
    args = [cpp_string(sample_param(p)) for p in op.path_params]
    if op.input in ("json", "optional_json"):
        args.append("kBody")
    elif op.input == "query":
        args.append("kQuery")
    elif op.input == "multipart":
        args.append("kFields")
        args += ["upload_%s" % f["name"] for f in op.files]
    return args


def expect_call(op, form):
    body = {"none": "std::nullopt", "json": "kBody", "optional_json": "kBody", "query": "std::nullopt",
            "multipart": "std::nullopt"}[op.input]
    query = "kQueryString" if op.input == "query" else "std::nullopt"
    if form == "stream":
        body = "std::nullopt"
    if form == "pages":
        body, query = "std::nullopt", "kQueryString"
    files = "{%s}" % ", ".join(cpp_string(f["name"]) for f in op.files) if op.input == "multipart" else "{}"
    return "expect_request(%s, %s, %s, %s, %s, %s);" % (cpp_string(op.http), cpp_string(sample_path(op)),
                                                        "true" if op.beta else "false", query, body, files)


def gen_test(table):
    ops = [Op(o) for o in table["operations"]]
    out = [
        "// GENERATED by bindings/cpp/gen.py from bindings/operations.json: do not edit.",
        "// Regenerate with `%s`." % REGENERATE,
        "//",
        "// Every operation of the table, through every form the C++ binding gives it (blocking,",
        "// std::future, callback, stream, callback stream, pages, to_file), against scripted",
        "// responses of the mock server: the exact method, path, query, body and files it received.",
        "",
        '#include "harness.hpp"',
        "",
        "namespace {",
        "",
        "using namespace openai;",
        "using openai_test::kScriptedBytes;",
        "using openai_test::MockTest;",
        "",
        "class Operations : public MockTest {",
        "protected:",
        "    void SetUp() override {",
        "        MockTest::SetUp();",
        "        for (const char *name : {\"image\", \"mask\", \"file\"})",
        "            uploads_.emplace(name, Upload::from_memory(std::string(\"bytes of \") + name, std::string(name) + \".bin\"));",
        "    }",
        "    const Upload &upload(const char *name) { return uploads_.at(name); }",
        "    std::map<std::string, Upload> uploads_;",
        "};",
        "",
        "constexpr std::string_view kBody = R\"({\"model\":\"gpt-4o-mini\",\"x\":[1,2]})\";",
        "constexpr std::string_view kQuery = R\"({\"limit\":2})\";",
        "constexpr std::string_view kQueryString = \"limit=2\";",
        "constexpr std::string_view kFields = R\"({\"purpose\":\"assistants\"})\";",
        "",
        "TEST(OperationTable, HasEveryOperation) {",
        "    EXPECT_EQ(std::size(openai::operation_table), %du);" % len(ops),
        "}",
        "",
    ]
    for op in ops:
        f = op.functions
        chain = "client().%s" % "".join("%s()." % ident(p) for p in op.resource)
        out.append("TEST_F(Operations, %s) {" % op.name.replace(".", "_"))
        for fl in op.files:
            out.append("    const Upload &upload_%s = upload(%s);" % (fl["name"], cpp_string(fl["name"])))
        args = test_args(op)
        if "blocking" in f:
            out.append("    script_json();")
            out.append("    EXPECT_EQ(%s%s(%s).json_string(\"/scripted\"), \"yes\");" % (chain, op.blocking_name(), ", ".join(args)))
            out.append("    " + expect_call(op, "blocking"))
        if "async" in f:
            name = ident(op.method + "_async")
            out.append("    script_json();")
            out.append("    EXPECT_EQ(%s%s(%s).get().json_string(\"/scripted\"), \"yes\");" % (chain, name, ", ".join(args)))
            out.append("    " + expect_call(op, "async"))
            out.append("    script_json();")
            out.append("    {")
            out.append("        std::promise<Response> done;")
            out.append("        Future future = %s%s(%s[&](Response r) { done.set_value(std::move(r)); });"
                       % (chain, name, "".join(a + ", " for a in args)))
            out.append("        EXPECT_EQ(done.get_future().get().json_string(\"/scripted\"), \"yes\");")
            out.append("    }")
            out.append("    " + expect_call(op, "async"))
        sargs = [cpp_string(sample_param(p)) for p in op.path_params] + ["kBody"]
        if "stream" in f:
            out.append("    script_sse();")
            out.append("    EXPECT_EQ(event_count(%s%s(%s)), 2);" % (chain, op.stream_name(), ", ".join(sargs)))
            out.append("    " + expect_call(op, "stream"))
        if "stream_async" in f:
            name = op.stream_name() + "_async"
            out.append("    script_sse();")
            out.append("    EXPECT_EQ(event_count(%s%s(%s)), 2);" % (chain, name, ", ".join(sargs)))
            out.append("    " + expect_call(op, "stream"))
            out.append("    script_sse();")
            out.append("    EXPECT_EQ(pushed_event_count([&](EventHandler on_event, DoneHandler on_done) {")
            out.append("                  return %s%s(%s, std::move(on_event), std::move(on_done));" % (chain, name, ", ".join(sargs)))
            out.append("              }),")
            out.append("              2);")
            out.append("    " + expect_call(op, "stream"))
        if "pages" in f:
            pargs = [cpp_string(sample_param(p)) for p in op.path_params] + ["kQuery"]
            out.append("    script_page();")
            out.append("    EXPECT_EQ(page_count(%s%s(%s)), 1);" % (chain, ident(op.method + "_pages"), ", ".join(pargs)))
            out.append("    " + expect_call(op, "pages"))
        if "to_file" in f:
            out.append("    script_bytes();")
            out.append("    EXPECT_EQ(download([&](const std::string &path, Progress progress) {")
            out.append("                  return %s%s(%spath, std::move(progress));" % (chain, ident(op.method + "_to_file"), "".join(a + ", " for a in args)))
            out.append("              }),")
            out.append("              kScriptedBytes);")
            out.append("    " + expect_call(op, "to_file"))
        out.append("}")
        out.append("")
    out.append("}  // namespace")
    return "\n".join(out) + "\n"


def main():
    with open(TABLE, encoding="utf-8") as f:
        table = json.load(f)
    outputs = {HEADER: gen_header(table), TEST: gen_test(table)}
    if "--check" in sys.argv[1:]:
        stale = []
        for path, text in outputs.items():
            try:
                with open(path, encoding="utf-8") as f:
                    current = f.read()
            except FileNotFoundError:
                current = None
            if current != text:
                stale.append(os.path.relpath(path, os.path.join(HERE, "..", "..")))
        if stale:
            sys.stderr.write("stale generated files: %s\nregenerate them from bindings/operations.json with `%s`\n"
                             % (", ".join(stale), REGENERATE))
            return 1
        print("generated C++ files are up to date (%d operations)" % len(table["operations"]))
        return 0
    for path, text in outputs.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    print("wrote %s" % ", ".join(os.path.relpath(p, os.path.join(HERE, "..", "..")) for p in outputs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
