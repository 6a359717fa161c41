#!/usr/bin/env python3
"""Renders libopenai/_operations.py from bindings/operations.json and the official specification.

The operation table (bindings/operations.json, generated from the Rust table) gives every
operation: its SDK name (resource path and method), route, inputs, response kind, paging, and
the C functions of every form with their signatures. The specification
(docs/openapi/openapi-2026-08.yaml) gives what the table does not: the names of each
operation's parameters (body properties, query parameters, form fields) and which are required,
so that a misspelt keyword is refused before anything is sent, as the official SDK refuses it;
and the property names of every object it describes (an absent optional field reads as None).

    python3 bindings/python/generate.py          # rewrite libopenai/_operations.py
    python3 bindings/python/generate.py --check  # exit 1 if the committed file is stale

tests/test_generated.py renders the module in memory and fails when the committed file differs
(the drift check), so a stale module never passes CI. Needs PyYAML (test.sh's venv has it).
"""

import json
import keyword
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TABLE = os.path.join(REPO, "bindings", "operations.json")
SPEC = os.path.join(REPO, "docs", "openapi", "openapi-2026-08.yaml")
OUTPUT = os.path.join(HERE, "libopenai", "_operations.py")
SCHEMAS = os.path.join(HERE, "libopenai", "_schemas.json")


FORMS = ("blocking", "async", "stream", "stream_async", "pages", "to_file", "to_file_async")

# Operations whose result the official SDK hands back as a page that does not page (its
# SyncPage: iterating it walks `data`), although the route is not a cursor list.
UNPAGED_LISTS = (
    "models.list",
    "vector_stores.search",
    "vector_stores.files.content",
    "fine_tuning.checkpoints.permissions.create",
    "organization.certificates.activate",
    "organization.certificates.deactivate",
    "organization.projects.certificates.activate",
    "organization.projects.certificates.deactivate",
)

# Hand-written helpers of the official SDK (libopenai/_helpers.py) mixed into the generated
# resource classes: resource path -> (blocking mixin, asyncio mixin).
MIXINS = {
    ("beta", "threads"): ("ThreadsHelpers", "AsyncThreadsHelpers"),
    ("beta", "threads", "runs"): ("RunsHelpers", "AsyncRunsHelpers"),
    ("files",): ("FilesHelpers", "AsyncFilesHelpers"),
    ("vector_stores", "files"): ("VectorStoreFilesHelpers", "AsyncVectorStoreFilesHelpers"),
    ("vector_stores", "file_batches"): ("FileBatchesHelpers", "AsyncFileBatchesHelpers"),
    ("responses",): ("ResponsesHelpers", "AsyncResponsesHelpers"),
    ("realtime",): ("RealtimeHelpers", "AsyncRealtimeHelpers"),
    ("uploads",): ("UploadsHelpers", "AsyncUploadsHelpers"),
    # (the SDK's webhooks methods are plain functions on both clients: they send nothing)
    ("webhooks",): ("WebhooksHelpers", "WebhooksHelpers"),
}

# Resources of the SDK made of hand-written helpers alone (no operation of the table is theirs):
# `client.webhooks` (verify_signature, unwrap over the library's webhook functions).
HELPER_RESOURCES = (("webhooks",),)

# Keywords every method takes besides its parameters (the official SDK's request options).
REQUEST_OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout")


# ---------------------------------------------------------------------------------------------
# the specification


def load_spec(path=SPEC):
    import yaml  # only the generator and its drift test need it

    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class _Schemas:
    def __init__(self, spec):
        self.spec = spec
        self.components = spec.get("components", {})

    def deref(self, node):
        while isinstance(node, dict) and "$ref" in node:
            kind, name = node["$ref"].split("/")[-2:]
            node = self.components[kind][name]
        return node

    def properties(self, schema, names, required):
        """Appends the property names of an object schema (through allOf, oneOf, anyOf) to
        `names` in order, and its required ones (allOf's, and those of every branch of a
        oneOf/anyOf) to `required`."""
        schema = self.deref(schema)
        if not isinstance(schema, dict):
            return
        for sub in schema.get("allOf", []):
            self.properties(sub, names, required)
        for key in ("oneOf", "anyOf"):
            branches = schema.get(key, [])
            branch_required = []
            for sub in branches:
                req = set()
                self.properties(sub, names, req)
                branch_required.append(req)
            if branch_required:
                required |= set.intersection(*branch_required)
        for name in schema.get("properties") or {}:
            if name not in names:
                names.append(name)
        required |= set(schema.get("required", []))


_CONTENT_TYPES = {
    "json": ("application/json",),
    "optional_json": ("application/json",),
    "multipart": ("multipart/form-data",),
}


def _py_name(wire):
    """The keyword of a parameter: `include[]` is `include` (the library adds the brackets)."""
    name = wire[:-2] if wire.endswith("[]") else wire
    if not name.isidentifier() or keyword.iskeyword(name):
        raise SystemExit("parameter %r has no Python name" % wire)
    return name


def operation_params(op, schemas):
    """((keyword, location, required), ...) of an operation, location being "path", "query",
    "body", "field" (a multipart form field) or "file"; None when the specification does not
    describe the route (a seed operation it no longer has: any keyword is sent)."""
    route = schemas.spec["paths"].get(op["path"], {}).get(op["http_method"].lower())
    if route is None:
        return None
    out = [(p, "path", True) for p in op["path_params"]]
    for param in route.get("parameters", []):
        param = schemas.deref(param)
        if param.get("in") == "query":
            out.append((_py_name(param["name"]), "query", bool(param.get("required"))))
    kind = op["request"]["body"]
    if kind != "none":
        content = schemas.deref(route["requestBody"])["content"]
        names, required = [], set()
        for ctype in _CONTENT_TYPES[kind]:
            if ctype in content:
                schemas.properties(content[ctype].get("schema", {}), names, required)
        files = {f["name"]: f for f in op["request"]["files"]}
        for name in names:
            if name in files:
                out.append((_py_name(name), "file", bool(files[name]["required"])))
            else:
                out.append((_py_name(name), "field" if kind == "multipart" else "body", name in required))
        for name, f in files.items():  # a file field the schema does not list
            if name not in names:
                out.append((_py_name(name), "file", bool(f["required"])))
    seen = set()
    for name, _, _ in out:
        if name in seen or name in REQUEST_OPTIONS:
            raise SystemExit("%s: parameter %r clashes" % (op["name"], name))
        seen.add(name)
    return tuple(out)


def field_names(spec):
    """Every property name of every schema of the specification, sorted."""
    names = set()
    stack = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                names.update(k for k in props if isinstance(k, str))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(names)


# ---------------------------------------------------------------------------------------------
# the objects of the results (libopenai/_schemas.json)


def _consts(schema):
    """{property: its one allowed value} of an object schema (``type: "message"``)."""
    out = {}
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict):
            if "const" in prop:
                out[name] = prop["const"]
            elif isinstance(prop.get("enum"), list) and len(prop["enum"]) == 1:
                out[name] = prop["enum"][0]
    return out


def _sdk_only(prop):
    """A property the specification lists for the SDKs' sake (``Response.output_text``): the
    SDK computes it, the API never sends it."""
    return "x-oaiSupportedSDKs" in json.dumps(prop)


class TypeTable:
    """The object types reachable from the operations' results, as the official SDK's models
    see them: each object's fields in the SDK's order (``id`` first, then the required ones,
    then the optional ones, each alphabetically) with the type of each field's value.

    A type is the name of an object, ``["a", type]`` (an array), ``["m", type]`` (a map, or a
    free-form object: a plain dict in the SDK, with values of that type), ``["u", [object
    names], array type]`` (a union: the object is chosen by the values of its constant fields,
    then by its fields) or None (a scalar, or unknown)."""

    def __init__(self, schemas):
        self.s = schemas
        self.objects = {}
        self.by_object = {}  # the value of a constant `object` field -> the object's name

    def _object_like(self, node):
        node = self.s.deref(node)
        if not isinstance(node, dict):
            return False
        if node.get("properties"):
            return True
        return any(self._object_like(sub) for sub in node.get("allOf", []))

    def _merge(self, node, props, required, consts):
        node = self.s.deref(node)
        for sub in node.get("allOf", []):
            self._merge(sub, props, required, consts)
        for name, prop in (node.get("properties") or {}).items():
            if not _sdk_only(prop):
                props.setdefault(name, prop)
        required |= set(node.get("required", []))
        consts.update(_consts(node))

    def _object(self, name, node):
        if name in self.objects:
            return name
        self.objects[name] = None  # placeholder: recursive types end here
        props, required, consts = {}, set(), {}
        self._merge(node, props, required, consts)
        fields = (["id"] if "id" in props else []) + sorted(p for p in props if p in required and p != "id") + \
            sorted(p for p in props if p not in required and p != "id")
        types = {}
        for field in fields:
            t = self.ref(props[field], name + "." + field)
            if t is not None:
                types[field] = t
        entry = {"f": fields, "t": types}
        if consts:
            entry["c"] = consts
        if required:
            entry["r"] = sorted(p for p in required if p in props)
        self.objects[name] = entry
        if isinstance(consts.get("object"), str):
            self.by_object.setdefault(consts["object"], name)
        return name

    def ref(self, node, hint):
        if not isinstance(node, dict):
            return None
        if "$ref" in node:
            name = node["$ref"].split("/")[-1]
            target = self.s.deref(node)
            if self._object_like(target) and not (target.get("oneOf") or target.get("anyOf")):
                return self._object(name, target)
            return self.ref(target, name)
        for key in ("oneOf", "anyOf"):
            if key in node and not node.get("properties"):
                objects, array, mapping = [], None, None
                for i, branch in enumerate(node[key]):
                    t = self.ref(branch, "%s.%d" % (hint, i))
                    if isinstance(t, str):
                        objects.append(t)
                    elif isinstance(t, list) and t[0] == "u":
                        objects += [o for o in t[1] if o not in objects]
                        array = array or t[2]
                    elif isinstance(t, list) and t[0] == "a":
                        array = array or t
                    elif isinstance(t, list) and t[0] == "m":
                        mapping = mapping or t
                if not objects:
                    return array or mapping
                if len(objects) == 1 and array is None:
                    return objects[0]
                return ["u", objects, array]
        if node.get("type") == "array" or "items" in node:
            t = self.ref(node.get("items") or {}, hint + "[]")
            return ["a", t] if t is not None else None
        if self._object_like(node):
            return self._object(hint, node)
        if node.get("type") == "object" or "additionalProperties" in node or not (
                set(node) & {"type", "enum", "const", "items", "format", "not"}):
            # a map, or a free-form object (metadata, a function's JSON schema, a property of no
            # stated type): a dict in the SDK
            extra = node.get("additionalProperties")
            return ["m", self.ref(extra, hint + "{}") if isinstance(extra, dict) else None]
        return None

    def add_objects_with_object_field(self):
        """Every object of the specification with a constant ``object`` field (the events of
        the assistants' streams are typed by it)."""
        for name, node in self.s.components.get("schemas", {}).items():
            node = self.s.deref(node)
            if isinstance(node, dict) and self._object_like(node):
                props, required, consts = {}, set(), {}
                self._merge(node, props, required, consts)
                if isinstance(consts.get("object"), str):
                    self._object(name, node)


def _response_schema(route, content_type):
    for code in ("200", "201", 200, 201):
        response = route.get("responses", {}).get(code)
        if response is None:
            continue
        content = (response.get("content") or {}).get(content_type)
        if content and "schema" in content:
            return content["schema"]
    return None


def schema_table(table, spec):
    """The types of every operation's result and events, and the objects they reach."""
    schemas = _Schemas(spec)
    types = TypeTable(schemas)
    results, events = {}, {}
    streams = {}
    for op in table["operations"]:
        route = spec["paths"].get(op["path"], {}).get(op["http_method"].lower())
        if route is None:
            continue
        if op["response"] in ("json", "json_or_text"):
            node = _response_schema(route, "application/json")
            t = types.ref(node, _camel([op["name"]]) + "Result") if node else None
            if t is not None:
                results[op["name"]] = t
        node = _response_schema(route, "text/event-stream")
        if node is not None:
            streams[op["path"]] = types.ref(node, _camel([op["name"]]) + "Event")
    for op in table["operations"]:
        if op["streaming"]:
            # a resumed Responses stream (GET /responses/{id}) sends the events of POST /responses
            path = op["path"] if op["path"] in streams else op["path"].replace("/{response_id}", "")
            if streams.get(path) is not None:
                events[op["name"]] = streams[path]
    # the server events of the WebSocket sessions (realtime.connect, responses.connect)
    for name, schema in (("realtime.connect", "RealtimeServerEvent"), ("responses.connect", "ResponsesServerEvent")):
        if schema in schemas.components.get("schemas", {}):
            events[name] = types.ref({"$ref": "#/components/schemas/" + schema}, schema)
    # the events `webhooks.unwrap` reads: the request bodies of the specification's webhooks,
    # told apart by their `type`
    hooks = [schemas.deref(w["post"]["requestBody"])["content"]["application/json"]["schema"]
             for w in (spec.get("webhooks") or {}).values()]
    if hooks:
        events["webhooks.unwrap"] = types.ref({"oneOf": hooks}, "UnwrapWebhookEvent")
    types.add_objects_with_object_field()
    return {"objects": types.objects, "results": results, "events": events, "by_object": types.by_object}


# ---------------------------------------------------------------------------------------------
# rendering


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


def _wrap(words, width=92, indent=""):
    lines, line = [], indent
    for word in words:
        if len(line) + len(word) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += word + " "
    if line.strip():
        lines.append(line.rstrip())
    return lines


# Resources that the client reaches under another path: the administration API's
# `organization` would hide the client's `organization` option (the organization id), so it is
# `client.admin.organization`, as in the official SDK.
RELOCATED = {("organization",): ("admin", "organization")}


def resource_path(op):
    """The attribute path of an operation's resource on the client."""
    resource = tuple(op["name"].split(".")[:-1])
    for prefix, target in RELOCATED.items():
        if resource[:len(prefix)] == prefix:
            return target + resource[len(prefix):]
    return resource


def _tree(operations):
    """{path tuple of the resource: {"ops": [...], "children": [names]}} in table order, then the
    resources of helpers alone."""
    nodes = {(): {"ops": [], "children": []}}
    for op in operations:
        _add_node(nodes, resource_path(op))["ops"].append(op)
    for resource in HELPER_RESOURCES:
        _add_node(nodes, resource)
    return nodes


def _add_node(nodes, resource):
    """The node of `resource`, added (with its parents) when missing."""
    for i in range(1, len(resource) + 1):
        node = resource[:i]
        if node not in nodes:
            nodes[node] = {"ops": [], "children": []}
            nodes[node[:-1]]["children"].append(node[-1])
    return nodes[resource]


def _signature_doc(op, params):
    """The call's parameters as the docstring lists them."""
    if params is None:
        return ["Keyword arguments are the JSON body, sent as given (the specification no longer",
                "describes this route)."]
    path = list(op["path_params"])
    lines = []
    if path:
        lead = path[-1] + (" (positional), " + ", ".join(p + "=" for p in path[:-1]) if len(path) > 1 else " (positional)")
        lines.append("Path: " + lead + ".")
    required = [n for n, loc, req in params if req and loc != "path"]
    optional = [n for n, loc, req in params if not req and loc != "path"]
    if required:
        lines += _wrap(["Required:"] + [n + "," for n in required[:-1]] + [required[-1] + "."])
    if optional:
        lines += _wrap(["Optional:"] + [n + "," for n in optional[:-1]] + [optional[-1] + "."])
    lines.append("Request options: extra_headers, extra_query, extra_body, timeout.")
    return lines


def _op_doc(op, params, what):
    fns = op["functions"]
    lines = [op["summary"], "", "%s: ``%s %s``%s." % (
        what, op["http_method"], op["path"], " (sends ``OpenAI-Beta: %s``)" % op["beta"] if op["beta"] else "")]
    if op["alias_of"]:
        lines.append("An alias of ``%s``." % op["alias_of"])
    lines += _signature_doc(op, params)
    lines.append("Operation ``%s``; C: %s." % (
        op["name"], ", ".join("``%s``" % fns[k] for k in FORMS if k in fns)))
    return "\n".join(lines)


def _result_doc(op):
    if op["name"] in UNPAGED_LISTS:
        return "Returns a page (iterate it for the items of ``data``)."
    if op["paging"] != "none":
        return "Returns the first page; iterating it walks the items of every page."
    return None


def _methods(op, params, asynchronous):
    """The method lines of one operation, and the entries of the class's _METHODS table
    ({method name: (operation, kind)})."""
    fns = op["functions"]
    verb = op["name"].split(".")[-1]
    name = op["name"]
    out, table = [], {}
    streams = "stream" in fns
    always_streams = "blocking" not in fns and streams
    paged = op["paging"] != "none" or name in UNPAGED_LISTS
    result = _result_doc(op)

    def emit(method, kind, doc, body, is_async):
        out.append("    %s %s(self, *args, **kwargs):" % ("async def" if is_async else "def", method))
        out.extend(_doc(doc, 8))
        out.append("        " + body)
        out.append("")
        table[method] = (name, kind)

    if "blocking" in fns or streams or "async" in fns:
        base = _op_doc(op, params, "Coroutine" if asynchronous else "Blocks")
        if always_streams:
            base += "\nReturns a%s Stream of the server-sent events." % ("n Async" if asynchronous else "")
        elif streams:
            base += "\nWith ``stream=True`` returns a%s Stream of its events." % ("n Async" if asynchronous else "")
        if result:
            base += "\n" + result
        if asynchronous:
            if paged:
                emit(verb, "alist", base.replace("Coroutine:", "Returns at once:", 1)
                     + "\nNot a coroutine: await it for the first page, or ``async for`` over every item.",
                     "return self._alist(%r, args, kwargs)" % name, False)
            else:
                emit(verb, "acall", base, "return await self._acall(%r, args, kwargs)" % name, True)
        else:
            emit(verb, "call", base, "return self._call(%r, args, kwargs)" % name, False)
            twin = "The asyncio form of ``%s`` (the seed's ``a%s``)." % (verb, verb)
            if paged:
                emit("a" + verb, "alist", twin + " Await it for the first page, or ``async for`` over its items.",
                     "return self._alist(%r, args, kwargs)" % name, False)
            else:
                emit("a" + verb, "acall", twin, "return await self._acall(%r, args, kwargs)" % name, True)
    if "pages" in fns:
        doc = "Every page of ``%s`` (``%s``, the library's pager: ``after`` = the last id while ``has_more``)." % (
            name, fns["pages"])
        if asynchronous:
            emit(verb + "_pages", "apages", doc + " An async iterator.", "return self._apages(%r, args, kwargs)" % name,
                 False)
        else:
            emit(verb + "_pages", "pages", doc, "return self._pages(%r, args, kwargs)" % name, False)
            emit("a" + verb + "_pages", "apages", "The asyncio form of ``%s_pages``: an async iterator." % verb,
                 "return self._apages(%r, args, kwargs)" % name, False)
    to_file_doc = ("``%s`` with the body written to the file at ``path`` as it arrives (``%s``): ``path``\n"
                   "follows the positional path parameter, if any, or is given by keyword; ``progress=(done,\n"
                   "total)`` hears the bytes received. Returns the APIResponse (status, headers).")
    if "to_file" in fns and not asynchronous:
        emit(verb + "_to_file", "to_file", to_file_doc % (verb, fns["to_file"]),
             "return self._to_file(%r, args, kwargs)" % name, False)
    if "to_file_async" in fns:
        method = (verb if asynchronous else "a" + verb) + "_to_file"
        emit(method, "ato_file", "Coroutine: " + to_file_doc % (verb, fns["to_file_async"]),
             "return await self._ato_file(%r, args, kwargs)" % name, True)
    return out, table


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


def render(table, spec):
    schemas = _Schemas(spec)
    ops = table["operations"]
    exports = table["exports"]
    for op in ops:
        op["functions"] = functions_of(op, exports)[0]
    params = {op["name"]: operation_params(op, schemas) for op in ops}
    nodes = _tree(ops)
    out = [
        "# Generated by bindings/python/generate.py from bindings/operations.json and",
        "# docs/openapi/openapi-2026-08.yaml; do not edit. Regenerate with",
        "# `python3 bindings/python/generate.py` (tests/test_generated.py checks it).",
        '"""The per-operation surface of libopenai: the operation table with each operation\'s',
        "parameters, every C function's signature as bindings/operations.json describes it, the",
        'property names of the specification\'s objects, and the resource classes."""',
        "",
        "from . import _helpers",
        "from ._core import AsyncResource, Export, Operation, Resource",
        "",
        "VERSION = %r" % table["version"],
        "",
        "OPERATIONS = {",
    ]
    for op in ops:
        full, legacy = functions_of(op, exports)
        paging = "list" if op["name"] in UNPAGED_LISTS else op["paging"]
        out.append("    %r: Operation(" % op["name"])
        out.append("        name=%r," % op["name"])
        out.append("        method=%r," % op["http_method"])
        out.append("        path=%r," % op["path"])
        out.append("        path_params=%r," % (tuple(op["path_params"]),))
        out.append("        input=%r," % _input(op))
        out.append("        files=%r," % (tuple((f["name"], bool(f["required"]), bool(f["array"])) for f in op["request"]["files"]),))
        p = params[op["name"]]
        if p is None:
            out.append("        params=None,")
        else:
            out.append("        params=(")
            for entry in p:
                out.append("            %r," % (entry,))
            out.append("        ),")
        out.append("        response=%r," % op["response"])
        out.append("        paging=%r," % paging)
        out.append("        stream_flag=%r," % (op["streaming"] or {}).get("flag"))
        out.append("        accept=%r," % op["accept"])
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
    out.append("# Every property name of the specification's schemas: an absent one reads as None.")
    out.append("FIELDS = frozenset(\"\"\"")
    out += _wrap(field_names(spec), 96)
    out.append("\"\"\".split())")
    out.append("")
    for asynchronous in (False, True):
        prefix = "Async" if asynchronous else ""
        base = "AsyncResource" if asynchronous else "Resource"
        # children before parents, so that every class is defined before it is used
        for node in sorted((n for n in nodes if n), key=lambda n: -len(n)):
            info = nodes[node]
            bases = [base]
            if node in MIXINS:
                bases.insert(0, "_helpers." + MIXINS[node][1 if asynchronous else 0])
            out.append("")
            out.append("class %s%s(%s):" % (prefix, _camel(node), ", ".join(bases)))
            out += _doc("``client.%s``" % ".".join(node), 4)
            body, table_entries = [], {}
            for op in info["ops"]:
                lines, entries = _methods(op, params[op["name"]], asynchronous)
                body += lines
                table_entries.update(entries)
            out.append("")
            if table_entries:
                out.append("    _METHODS = {")
                for method, (opname, kind) in table_entries.items():
                    out.append("        %r: (%r, %r)," % (method, opname, kind))
                out.append("    }")
            else:
                out.append("    _METHODS = {}")
            out.append("    _CHILDREN = %r" % (tuple(info["children"]),))
            if info["children"]:
                out.append("")
                out.append("    def __init__(self, client):")
                out.append("        super().__init__(client)")
                for child in info["children"]:
                    out.append("        self.%s = %s%s(client)" % (child, prefix, _camel(node + (child,))))
            out.append("")
            out += body
            while out[-1] == "":
                out.pop()
            out.append("")
        out.append("")
        out.append("class %sResources:" % ("_Async" if asynchronous else "_"))
        out += _doc("The top-level resources of the %s client." % ("asyncio" if asynchronous else "blocking"), 4)
        out.append("")
        out.append("    _CHILDREN = %r" % (tuple(nodes[()]["children"]),))
        out.append("")
        out.append("    def _init_resources(self):")
        for child in nodes[()]["children"]:
            out.append("        self.%s = %s%s(self)" % (child, prefix, _camel((child,))))
        out.append("")
    while out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def render_schemas(table, spec):
    """libopenai/_schemas.json: one line per object, sorted, so that a diff reads."""
    data = schema_table(table, spec)
    lines = ["{"]
    for key in ("results", "events", "by_object"):
        lines.append('"%s": %s,' % (key, json.dumps(data[key], sort_keys=True, separators=(",", ":"))))
    lines.append('"objects": {')
    names = sorted(data["objects"])
    for i, name in enumerate(names):
        lines.append("%s: %s%s" % (json.dumps(name), json.dumps(data["objects"][name], separators=(",", ":")),
                                   "," if i < len(names) - 1 else ""))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def outputs():
    """{path: text} of every generated file."""
    with open(TABLE, encoding="utf-8") as f:
        table = json.load(f)
    spec = load_spec()
    return {OUTPUT: render(json.loads(json.dumps(table)), spec), SCHEMAS: render_schemas(table, spec)}


def main(argv):
    stale = []
    for path, text in outputs().items():
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current == text:
            continue
        stale.append(path)
        if "--check" not in argv:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print("wrote", os.path.relpath(path))
    if stale and "--check" in argv:
        sys.stderr.write("%s stale: run python3 bindings/python/generate.py\n" % ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
