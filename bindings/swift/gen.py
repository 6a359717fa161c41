#!/usr/bin/env python3
"""Generates the Swift binding's per-operation surface, Sources/OpenAI/Operations.swift, from
bindings/operations.json: one struct per API resource (client.chat.completions,
client.beta.threads.runs, ...) with an async method per operation, stream methods returning an
EventStream, pagers and downloads.

    python3 bindings/swift/gen.py           # rewrite Operations.swift
    python3 bindings/swift/gen.py --check   # fail if it differs from what would be generated

Python 3 standard library only.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "operations.json")
OUTPUT = os.path.join(HERE, "Sources", "OpenAI", "Operations.swift")
REGENERATE = "python3 bindings/swift/gen.py"

SWIFT_KEYWORDS = {"default", "func", "init", "internal", "operator", "protocol", "public", "static",
                  "struct", "subscript", "super", "self", "Self", "throw", "throws", "try", "var", "where"}


def lower_camel(name):
    """thread_id -> threadID, create_and_stream -> createAndStream."""
    parts = name.split("_")
    out = parts[0] + "".join("ID" if p == "id" else p.title() for p in parts[1:])
    return "`%s`" % out if out in SWIFT_KEYWORDS else out


def upper_camel(parts):
    return "".join(p.title().replace("_", "") for p in parts)


def swift_string(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


class Op:
    def __init__(self, raw):
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

    def params(self):
        """Swift parameter declarations and C argument expressions of the call's input."""
        decls, args = [], []
        for p in self.path_params:
            decls.append("%s: String" % lower_camel(p))
            args.append(lower_camel(p))
        if self.input == "json":
            decls.append("body: String")
            args.append("body")
        elif self.input == "optional_json":
            decls.append("body: String? = nil")
            args.append("body")
        elif self.input == "query":
            decls.append("query: String? = nil")
            args.append("query")
        elif self.input == "multipart":
            decls.append("fields: String? = nil")
            args.append("fields")
            for f in self.files:
                name = lower_camel(f["name"])
                if f["required"]:
                    decls.append("%s: Upload" % name)
                    args.append("%s.handle" % name)
                else:
                    decls.append("%s: Upload? = nil" % name)
                    args.append("%s?.handle" % name)
        return decls, args

    def stream_params(self):
        decls = ["%s: String" % lower_camel(p) for p in self.path_params] + ["body: String"]
        args = [lower_camel(p) for p in self.path_params] + ["body"]
        return decls, args

    def pages_params(self):
        decls = ["%s: String" % lower_camel(p) for p in self.path_params] + ["query: String? = nil"]
        args = [lower_camel(p) for p in self.path_params] + ["query"]
        return decls, args

    def keep(self):
        if self.input != "multipart":
            return ""
        items = ", ".join(lower_camel(f["name"]) for f in self.files)
        return "keep: ([%s] as [Upload?]).compactMap { $0 }" % items

    def doc(self, what):
        return ["/// %s" % self.summary,
                "/// `%s %s` (`%s`%s)%s" % (self.http, self.path, self.name, ", beta" if self.beta else "", what)]


def gen_methods(op):
    out = []
    f = op.functions
    if "async" in f:
        decls, args = op.params()
        keep = op.keep()
        out += op.doc(". Task cancellation cancels the call.")
        out.append("public func %s(%s) async throws -> Response {" % (lower_camel(op.method), ", ".join(decls)))
        out.append("    let client = self.client")
        out.append("    return try await client.perform(%s) { callback, userdata in" % keep if keep else
                   "    return try await client.perform { callback, userdata in")
        out.append("        %s(%s)" % (f["async"], ", ".join(["client.handle"] + args + ["callback", "userdata"])))
        out.append("    }")
        out.append("}")
        out.append("")
    if "stream_async" in f:
        decls, args = op.stream_params()
        name = op.method + "_stream" if "async" in f else op.method
        out += op.doc(": its server-sent events (\"stream\": true is added to the body when missing).")
        out.append("public func %s(%s) -> EventStream {" % (lower_camel(name), ", ".join(decls)))
        out.append("    let client = self.client")
        out.append("    return client.startStream { callback, userdata in")
        out.append("        %s(%s)" % (f["stream_async"], ", ".join(["client.handle"] + args + ["callback", "userdata"])))
        out.append("    }")
        out.append("}")
        out.append("")
    if "pages" in f:
        decls, args = op.pages_params()
        out += op.doc(": every page, through a Pager (whose next() blocks).")
        out.append("public func %s(%s) throws -> Pager {" % (lower_camel(op.method + "_pages"), ", ".join(decls)))
        out.append("    let client = self.client")
        out.append("    return try client.makePager { out in")
        out.append("        %s(%s)" % (f["pages"], ", ".join(["client.handle"] + args + ["out"])))
        out.append("    }")
        out.append("}")
        out.append("")
    if "to_file" in f:
        decls, args = op.params()
        out += op.doc(": the body written to the file at `path` (through `<path>.part`). BLOCKS the calling thread.")
        out.append("public func %s(%s) throws -> Response {" % (lower_camel(op.method + "_to_file"), ", ".join(decls + ["path: String"])))
        out.append("    var out: OpaquePointer? = nil")
        out.append("    let code = %s(%s)" % (f["to_file"], ", ".join(["client.handle"] + args + ["path", "nil", "nil", "&out"])))
        out.append("    return try client.checked(code, out)")
        out.append("}")
        out.append("")
    return out


def generate(table):
    ops = [Op(o) for o in table["operations"]]
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

    out = [
        "// GENERATED by bindings/swift/gen.py from bindings/operations.json: do not edit.",
        "// Regenerate with `%s`; bindings/swift/test.sh fails when this file is stale." % REGENERATE,
        "//",
        "// The per-operation surface of the Swift binding: one struct per API resource, reached from",
        "// the client (client.chat.completions.create(body:)), one method per form of each operation.",
        "// NOTE: never compiled where it is generated (no Swift toolchain); see README.md.",
        "",
        "import COpenAI",
        "",
        "/// One row of the operation table.",
        "public struct OperationInfo: Sendable {",
        "    public let name: String",
        "    public let method: String",
        "    public let path: String",
        "    public let input: String",
        "    public let beta: Bool",
        "}",
        "",
        "/// Every operation, in the table's order.",
        "public let operationTable: [OperationInfo] = [",
    ]
    for op in ops:
        out.append("    OperationInfo(name: %s, method: %s, path: %s, input: %s, beta: %s)," % (
            swift_string(op.name), swift_string(op.http), swift_string(op.path), swift_string(op.input),
            "true" if op.beta else "false"))
    out += ["]", "", "/// The API's resources, reached from a Client.", "public enum Resources {}", ""]
    out.append("extension Client {")
    for child in tree[()]["children"]:
        out.append("    public var %s: Resources.%s { Resources.%s(client: self) }" % (
            lower_camel(child), upper_camel((child,)), upper_camel((child,))))
    out.append("}")
    out.append("")
    for path in tree:
        if not path:
            continue
        nd = tree[path]
        out.append("extension Resources {")
        out.append("    /// `client.%s`" % ".".join(lower_camel(p) for p in path))
        out.append("    public struct %s: Sendable {" % upper_camel(path))
        out.append("        public let client: Client")
        for child in nd["children"]:
            cls = upper_camel(path + (child,))
            out.append("        public var %s: %s { %s(client: client) }" % (lower_camel(child), cls, cls))
        out.append("")
        for line in gen_methods_all(nd["ops"]):
            out.append(("        " + line) if line else "")
        while out[-1] == "":
            out.pop()
        out.append("    }")
        out.append("}")
        out.append("")
    while out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def gen_methods_all(ops):
    lines = []
    for op in ops:
        lines += gen_methods(op)
    return lines


def main():
    with open(TABLE, encoding="utf-8") as f:
        table = json.load(f)
    text = generate(table)
    rel = os.path.relpath(OUTPUT, os.path.join(HERE, "..", ".."))
    if "--check" in sys.argv[1:]:
        try:
            with open(OUTPUT, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            sys.stderr.write("stale generated file: %s\nregenerate it from bindings/operations.json with `%s`\n"
                             % (rel, REGENERATE))
            return 1
        print("generated Swift file is up to date (%d operations)" % len(table["operations"]))
        return 0
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s" % rel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
