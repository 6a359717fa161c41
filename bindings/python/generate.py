#!/usr/bin/env python3
"""Renders libopenai/_operations.py from bindings/operations.json.

The operation table (generated from the Rust table, src/operations.rs) is the one source of the
binding's per-operation surface: the resource classes, their methods and the C symbols they call
are all written here from it. Run after the table changes:

    python3 bindings/python/generate.py          # rewrite libopenai/_operations.py
    python3 bindings/python/generate.py --check  # exit 1 if the committed file is stale

tests/test_generated.py renders the module in memory and fails when the committed file differs
(the drift check), so a stale module never passes CI.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "operations.json")
OUTPUT = os.path.join(HERE, "libopenai", "_operations.py")


FORMS = ("blocking", "async", "stream", "stream_async", "pages", "to_file", "to_file_async")


def _camel(parts):
    return "".join(p[:1].upper() + p[1:] for part in parts for p in part.split("_"))


def _doc(text, indent):
    pad = " " * indent
    lines = text.rstrip("\n").split("\n")
    out = [pad + '"""' + lines[0]]
    out += [(pad + line) if line else "" for line in lines[1:]]
    if len(lines) > 1:
        out.append(pad + '"""')
    else:
        out[-1] += '"""'
    return out


def _tree(operations):
    """{path tuple of the resource: {"ops": [...], "children": [names]}} in table order."""
    nodes = {(): {"ops": [], "children": []}}
    for op in operations:
        parts = op["name"].split(".")
        resource = tuple(parts[:-1])
        for i in range(1, len(resource) + 1):
            node = resource[:i]
            if node not in nodes:
                nodes[node] = {"ops": [], "children": []}
                nodes[node[:-1]]["children"].append(node[-1])
        nodes[resource]["ops"].append(op)
    return nodes


def _params(op):
    """The Python parameter list (after self) and the call's (args tuple, kwargs expr)."""
    pp = list(op["path_params"])
    params = list(pp)
    kind = _input(op)
    if kind == "multipart":
        if op["request"]["files"]:
            params.append("*")
        for f in op["request"]["files"]:
            params.append(f["name"] if f["required"] else f["name"] + "=None")
        params.append("**fields")
        files = ", ".join("%r: %s" % (f["name"], f["name"]) for f in op["request"]["files"])
        kwargs = "dict(fields, **{%s})" % files
    elif kind == "query":
        params.append("**query")
        kwargs = "query"
    elif kind in ("json", "optional_json", "json_query", "optional_json_query"):
        params.append("**body")
        kwargs = "body"
    else:
        kwargs = "{}"
    args = "(%s,)" % pp[0] if len(pp) == 1 else "(%s)" % ", ".join(pp)
    return params, args, kwargs


def _sig(params):
    return ", ".join(["self"] + params)


def _op_doc(op, what):
    fns = op["functions"]
    lines = [op["summary"], "", "%s: ``%s %s``%s." % (
        what, op["http_method"], op["path"], " (sends ``OpenAI-Beta: %s``)" % op["beta"] if op["beta"] else "")]
    if op["alias_of"]:
        lines.append("An alias of ``%s``." % op["alias_of"])
    if op["request"]["body"] != "none" and op["request"]["query"]:
        lines.append("Query parameters go in ``extra_query={...}``; the other keyword arguments are the body.")
    lines.append("Operation ``%s``; C: %s." % (
        op["name"], ", ".join("``%s``" % fns[k] for k in FORMS if k in fns)))
    return "\n".join(lines)


def _methods(op, asynchronous):
    fns = op["functions"]
    verb = op["name"].split(".")[-1]
    name = op["name"]
    params, args, kwargs = _params(op)
    out = []
    streams = "stream" in fns
    always_streams = "blocking" not in fns and streams
    if asynchronous:
        if "async" in fns or "stream_async" in fns:
            doc = _op_doc(op, "Coroutine")
            if always_streams:
                doc += "\nReturns an AsyncStream of the server-sent events."
            elif streams:
                doc += "\nWith ``stream=True`` returns an AsyncStream of its events."
            out.append("    async def %s(%s):" % (verb, _sig(params)))
            out += _doc(doc, 8)
            out.append("        return await self._acall(%r, %s, %s)" % (name, args, kwargs))
            out.append("")
        if "pages" in fns:
            out.append("    def %s_pages(%s):" % (verb, _sig(params)))
            out += _doc("Every page of ``%s``, as an async iterator (``after`` = the last id while "
                        "``has_more``)." % name, 8)
            out.append("        return self._apages(%r, %s, %s)" % (name, args, kwargs))
            out.append("")
        if "to_file_async" in fns:
            out += _to_file_method(op, "async def %s_to_file" % verb, "await self._ato_file", fns["to_file_async"])
        return out
    if "blocking" in fns or streams:
        doc = _op_doc(op, "Blocks")
        if always_streams:
            doc += "\nReturns a Stream of the server-sent events."
        elif streams:
            doc += "\nWith ``stream=True`` returns a Stream of its events."
        out.append("    def %s(%s):" % (verb, _sig(params)))
        out += _doc(doc, 8)
        out.append("        return self._call(%r, %s, %s)" % (name, args, kwargs))
        out.append("")
    if "async" in fns or "stream_async" in fns:
        out.append("    async def a%s(%s):" % (verb, _sig(params)))
        out += _doc("The asyncio form of ``%s`` (the seed's ``a%s``)." % (verb, verb), 8)
        out.append("        return await self._acall(%r, %s, %s)" % (name, args, kwargs))
        out.append("")
    if "pages" in fns:
        out.append("    def %s_pages(%s):" % (verb, _sig(params)))
        out += _doc("Every page of ``%s``, as an iterator of pages (``%s``)." % (name, fns["pages"]), 8)
        out.append("        return self._pages(%r, %s, %s)" % (name, args, kwargs))
        out.append("")
        out.append("    def a%s_pages(%s):" % (verb, _sig(params)))
        out += _doc("Every page of ``%s``, as an async iterator." % name, 8)
        out.append("        return self._apages(%r, %s, %s)" % (name, args, kwargs))
        out.append("")
    if "to_file" in fns:
        out += _to_file_method(op, "def %s_to_file" % verb, "self._to_file", fns["to_file"])
    if "to_file_async" in fns:
        out += _to_file_method(op, "async def a%s_to_file" % verb, "await self._ato_file", fns["to_file_async"])
    return out


def _to_file_method(op, definition, call, c_function):
    """A method writing the operation's body to a file: ``definition`` is "def name" or
    "async def name", ``call`` the Resource method that does it."""
    verb = op["name"].split(".")[-1]
    params, args, kwargs = _params(op)
    tf_params = list(op["path_params"]) + ["path", "/", "*", "progress=None"]
    tf_params += [p for p in params if p not in op["path_params"] and p != "*"]
    out = ["    %s(%s):" % (definition, _sig(tf_params))]
    what = "Coroutine: ``%s``" % verb if definition.startswith("async") else "``%s``" % verb
    out += _doc("%s with the body written to the file at ``path`` as it arrives (``%s``);\n"
                "``progress(done, total)`` hears the bytes received. Returns the APIResponse "
                "(status, headers)." % (what, c_function), 8)
    out.append("        return %s(%r, %s, %s, path, progress)" % (call, op["name"], args, kwargs))
    out.append("")
    return out


def _input(op):
    """The operation's input kind, as the binding's runtime names it."""
    req = op["request"]
    body = req["body"]
    if body == "none":
        return "query" if req["query"] else "none"
    if req["query"]:
        return body + "_query"
    return body


def functions_of(op, exports):
    """{form: C function} of an operation: for each form, the export that takes every input of
    today's route (the `_ex` form where the 0.1.0 one takes fewer), and {form: C function} of
    the 0.1.0 signature where it differs (the binding calls it when the call fits it, so that a
    single file goes out as the official SDK sends one)."""
    full, legacy = {}, {}
    for e in exports:
        if e["operation"] != op["name"]:
            continue
        if e["signature"] == "full" or e["form"] not in full:
            if e["form"] in full:
                legacy[e["form"]] = full[e["form"]]
            full[e["form"]] = e["name"]
        else:
            legacy[e["form"]] = e["name"]
    return full, legacy


def render(table):
    table = _with_functions(table)
    ops = table["operations"]
    exports = table["exports"]
    nodes = _tree(ops)
    out = [
        "# Generated by bindings/python/generate.py from bindings/operations.json; do not edit.",
        "# Regenerate with `python3 bindings/python/generate.py` (tests/test_generated.py checks it).",
        '"""The per-operation surface of libopenai: the operation table, every C function\'s signature',
        'as bindings/operations.json describes it, and the resource classes."""',
        "",
        "from ._core import AsyncResource, Export, Operation, Resource",
        "",
        "VERSION = %r" % table["version"],
        "",
        "OPERATIONS = {",
    ]
    for op in ops:
        full, legacy = functions_of(op, exports)
        out.append("    %r: Operation(" % op["name"])
        out.append("        name=%r," % op["name"])
        out.append("        method=%r," % op["http_method"])
        out.append("        path=%r," % op["path"])
        out.append("        path_params=%r," % (tuple(op["path_params"]),))
        out.append("        input=%r," % _input(op))
        out.append("        files=%r," % (tuple((f["name"], bool(f["required"]), bool(f["array"])) for f in op["request"]["files"]),))
        out.append("        response=%r," % op["response"])
        out.append("        beta=%r," % op["beta"])
        out.append("        functions={%s}," % ", ".join("%r: %r" % (k, full[k]) for k in sorted(full)))
        out.append("        legacy_functions={%s}," % ", ".join("%r: %r" % (k, legacy[k]) for k in sorted(legacy)))
        out.append("    ),")
    out.append("}")
    out.append("")
    out.append("# Every C function: (form, ((argument, C type, role), ...), return type).")
    out.append("EXPORTS = {")
    for e in exports:
        args = tuple((a["name"], a["type"], a["role"]) for a in e["args"])
        out.append("    %r: Export(%r, %r, %r)," % (e["name"], e["form"], args, e["returns"]))
    out.append("}")
    out.append("")
    for asynchronous in (False, True):
        prefix = "Async" if asynchronous else ""
        base = "AsyncResource" if asynchronous else "Resource"
        # children before parents, so that every class is defined before it is used
        for node in sorted((n for n in nodes if n), key=lambda n: -len(n)):
            info = nodes[node]
            out.append("")
            out.append("class %s%s(%s):" % (prefix, _camel(node), base))
            out += _doc("``client.%s``" % ".".join(node), 4)
            if info["children"]:
                out.append("")
                out.append("    def __init__(self, client):")
                out.append("        super().__init__(client)")
                for child in info["children"]:
                    out.append("        self.%s = %s%s(client)" % (child, prefix, _camel(node + (child,))))
            out.append("")
            for op in info["ops"]:
                out += _methods(op, asynchronous)
            while out[-1] == "":
                out.pop()
            out.append("")
        out.append("")
        out.append("class %sResources:" % ("_Async" if asynchronous else "_"))
        out += _doc("The top-level resources of the %s client." % ("asyncio" if asynchronous else "blocking"), 4)
        out.append("")
        out.append("    def _init_resources(self):")
        for child in nodes[()]["children"]:
            out.append("        self.%s = %s%s(self)" % (child, prefix, _camel((child,))))
        out.append("")
    while out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _with_functions(table):
    """The table with each operation's C functions per form (see functions_of)."""
    for op in table["operations"]:
        op["functions"] = functions_of(op, table["exports"])[0]
    return table


def main(argv):
    with open(TABLE, encoding="utf-8") as f:
        text = render(json.load(f))
    try:
        with open(OUTPUT, encoding="utf-8") as f:
            current = f.read()
    except FileNotFoundError:
        current = None
    if "--check" in argv:
        if current != text:
            sys.stderr.write("%s is stale: run python3 bindings/python/generate.py\n" % OUTPUT)
            return 1
        return 0
    if current != text:
        with open(OUTPUT, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote", os.path.relpath(OUTPUT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
