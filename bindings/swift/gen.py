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
    """An operation of the table and its exports (each with its described C signature)."""

    def __init__(self, raw, exports):
        self.raw = raw
        self.name = raw["name"]
        self.resource = tuple(raw["resource"])
        self.method = raw["method_name"]
        self.http = raw["http_method"]
        self.path = raw["path"]
        self.beta = raw["beta"]
        self.summary = raw["summary"]
        self.exports = [e for e in exports if e["operation"] == self.name]

    def method_name(self, export, strip=""):
        """The Swift method of an export: its C name without `openai_<resource>_` (and `strip`)."""
        prefix = "openai_" + "".join(p + "_" for p in self.resource)
        name = export["name"][len(prefix):]
        if strip and name.endswith(strip):
            name = name[: -len(strip)]
        return lower_camel(name)

    def doc(self, export, what):
        beta = ", OpenAI-Beta: %s" % self.beta if self.beta else ""
        return ["/// %s" % self.summary,
                "/// `%s %s` (`%s`%s; C: `%s`)%s" % (self.http, self.path, self.name, beta, export["name"], what)]


def params(export):
    """Swift parameter declarations and C argument expressions of an export's inputs."""
    decls, args = [], []
    for a in export["args"]:
        role, name = a["role"], a["name"]
        swift = lower_camel(name)
        if role == "path_param":
            decls.append("%s: String" % swift)
            args.append(swift)
        elif role in ("query", "body", "fields"):
            label = {"query": "query", "body": "body", "fields": "fields"}[role]
            decls.append(("%s: String? = nil" if a["nullable"] else "%s: String") % label)
            args.append(label)
        elif role == "file":
            if a["nullable"]:
                decls.append("%s: Upload? = nil" % swift)
                args.append("%s?.handle" % swift)
            else:
                decls.append("%s: Upload" % swift)
                args.append("%s.handle" % swift)
        elif role == "file_array":
            decls.append("%s: [Upload]" % swift)
            args.append("%s.map { Optional($0.handle) }" % swift)
        elif role == "file_count":
            args.append("%s.count" % lower_camel(name[: -len("_count")]))
    return decls, args


def keep(export):
    ones = ["%s" % lower_camel(a["name"]) for a in export["args"] if a["role"] == "file"]
    arrays = [lower_camel(a["name"]) for a in export["args"] if a["role"] == "file_array"]
    if not ones and not arrays:
        return ""
    items = "([%s] as [Upload?]).compactMap { $0 }" % ", ".join(ones)
    for name in arrays:
        items += " + %s" % name
    return "keep: " + items


def gen_methods(op):
    out = []
    for e in op.exports:
        form = e["form"]
        decls, args = params(e)
        if form == "async":
            k = keep(e)
            out += op.doc(e, ". Task cancellation cancels the call.")
            out.append("public func %s(%s) async throws -> Response {" % (op.method_name(e, "_async"), ", ".join(decls)))
            out.append("    let client = self.client")
            out.append("    return try await client.perform(%s) { callback, userdata in" % k if k else
                       "    return try await client.perform { callback, userdata in")
            out.append("        %s(%s)" % (e["name"], ", ".join(["client.handle"] + args + ["callback", "userdata"])))
            out.append("    }")
            out.append("}")
            out.append("")
        elif form == "stream_async":
            out += op.doc(e, ": its server-sent events (the library asks for the stream).")
            out.append("public func %s(%s) -> EventStream {" % (op.method_name(e, "_async"), ", ".join(decls)))
            out.append("    let client = self.client")
            out.append("    return client.startStream { callback, userdata in")
            out.append("        %s(%s)" % (e["name"], ", ".join(["client.handle"] + args + ["callback", "userdata"])))
            out.append("    }")
            out.append("}")
            out.append("")
        elif form == "pages":
            out += op.doc(e, ": every page, through a Pager (whose next() blocks).")
            out.append("public func %s(%s) throws -> Pager {" % (op.method_name(e), ", ".join(decls)))
            out.append("    let client = self.client")
            out.append("    return try client.makePager { out in")
            out.append("        %s(%s)" % (e["name"], ", ".join(["client.handle"] + args + ["out"])))
            out.append("    }")
            out.append("}")
            out.append("")
        elif form == "to_file":
            out += op.doc(e, ": the body written to the file at `path`. BLOCKS the calling thread.")
            out.append("public func %s(%s) throws -> Response {" % (op.method_name(e), ", ".join(decls + ["path: String"])))
            out.append("    var out: OpaquePointer? = nil")
            out.append("    let code = %s(%s)" % (e["name"], ", ".join(["client.handle"] + args + ["path", "nil", "nil", "&out"])))
            out.append("    return try client.checked(code, out)")
            out.append("}")
            out.append("")
    return out


def generate(table):
    ops = [Op(o, table["exports"]) for o in table["operations"]]
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
        "    /// The OpenAI-Beta value it sends, if any.",
        "    public let beta: String?",
        "}",
        "",
        "/// Every operation, in the table's order.",
        "public let operationTable: [OperationInfo] = [",
    ]
    for op in ops:
        out.append("    OperationInfo(name: %s, method: %s, path: %s, beta: %s)," % (
            swift_string(op.name), swift_string(op.http), swift_string(op.path),
            swift_string(op.beta) if op.beta else "nil"))
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
        for line in (gen_connect(path) if path in CONNECTS else []) + gen_methods_all(nd["ops"]):
            out.append(("        " + line) if line else "")
        while out[-1] == "":
            out.pop()
        out.append("    }")
        out.append("}")
        out.append("")
    while out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


# Resources that also open WebSocket sessions, as the official SDK's `client.realtime.connect()`
# and `client.responses.connect()`: whether it is the Responses API's, and what it opens.
CONNECTS = {
    ("realtime",): (False, "a Realtime session (`wss://<base>/realtime?<query>`; the query e.g. `{\"model\":\"gpt-realtime\"}`)"),
    ("responses",): (True, "a Responses API session over a persistent WebSocket (`wss://<base>/responses`): send"
                           " `response.create` events, receive the Responses stream events"),
}


def gen_connect(path):
    responses, what = CONNECTS[path]
    return [
        "/// Opens %s, without blocking:" % what,
        "/// its events are the session's AsyncSequence; a failure to connect ends it with the error.",
        "public func connect(query: String? = nil, options: RealtimeOptions = RealtimeOptions()) throws -> RealtimeSession {",
        "    try RealtimeSession(client: client, query: query, options: options, responses: %s)" % ("true" if responses else "false"),
        "}",
        "",
    ]


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
