#!/usr/bin/env python3
"""Generates the C++ binding's per-operation surface from bindings/operations.json:

- include/openai/operations.hpp: one resource class per API resource (client.chat().completions(),
  client.beta().threads().runs(), ...) with one method per C function of each operation, the
  SDKs' helpers of the resources that have them (poll, create_and_poll, upload_file_chunked: the
  POLLS table below, over openai.h's helper functions), and openai::operation_table;
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
    """An operation of the table and its exports (each with its described C signature)."""

    def __init__(self, raw, exports):
        self.raw = raw
        self.name = raw["name"]
        self.resource = tuple(raw["resource"])
        self.method = raw["method_name"]
        self.http = raw["http_method"]
        self.path = raw["path"]
        self.path_params = raw["path_params"]
        self.beta = raw["beta"]
        self.summary = raw["summary"]
        self.response = raw["response"]
        self.streaming = raw["streaming"]
        self.exports = [e for e in exports if e["operation"] == self.name]
        self.files = sorted({(a["name"], a["role"]) for e in self.exports for a in e["args"] if a["role"] in ("file", "file_array")})

    def method_name(self, export):
        """The C++ method of an export: its C name without `openai_<resource>_`."""
        prefix = "openai_" + "".join(p + "_" for p in self.resource)
        return ident(export["name"][len(prefix):])


INPUT_ROLES = ("path_param", "query", "body", "fields", "file", "file_array")


def params(export, defaults=True):
    """[(declaration, default or None)]: the C++ parameters of an export's inputs, defaults only
    where every later one has one too."""
    out = []
    for a in export["args"]:
        role, name = a["role"], a["name"]
        if role == "path_param":
            out.append(["std::string_view %s" % name, None])
        elif role in ("query", "body", "fields"):
            out.append(["std::string_view %s" % name, "{}" if a["nullable"] else None])
        elif role == "file":
            out.append(["const Upload &%s" % name, "Upload()" if a["nullable"] else None])
        elif role == "file_array":
            out.append(["const std::vector<Upload> &%s" % name, "{}" if a["nullable"] else None])
    # A default only where all that follow have one.
    seen_required = False
    for item in reversed(out):
        if item[1] is None:
            seen_required = True
        elif seen_required or not defaults:
            item[1] = None
    return [tuple(i) for i in out]


def locals_(export):
    """Lines that make NUL-terminated copies of the strings and arrays of the uploads."""
    lines = []
    for a in export["args"]:
        role, name = a["role"], a["name"]
        if role == "path_param" or (role in ("query", "body", "fields") and not a["nullable"]):
            lines.append("const detail::Arg a_%s(%s);" % (name, name))
        elif role in ("query", "body", "fields"):
            lines.append("const detail::OptArg a_%s(%s);" % (name, name))
        elif role == "file_array":
            lines.append("std::vector<const openai_upload *> a_%s;" % name)
            lines.append("for (const Upload &u : %s) a_%s.push_back(u.get());" % (name, name))
    return lines


def c_args(export, **roles):
    """Every C argument of an export, in order: the inputs from the method's parameters, the
    other roles (path, progress, progress_userdata, callback, userdata, out) from `roles`."""
    args = []
    for a in export["args"]:
        role, name = a["role"], a["name"]
        if role == "client":
            args.append("client_.get()")
        elif role in ("path_param", "query", "body", "fields"):
            args.append("a_%s.c_str()" % name)
        elif role == "file":
            args.append("%s.get()" % name)
        elif role == "file_array":
            args.append("a_%s.empty() ? nullptr : a_%s.data()" % (name, name))
        elif role == "file_count":
            args.append("a_%s.size()" % name[: -len("_count")])
        elif role in roles:
            args.append(roles[role])
        else:
            raise SystemExit("%s: no C++ argument for its %s argument %s: teach gen.py about it"
                             % (export["name"], role, name))
    return ", ".join(args)


def keep_lines(export):
    """Lines that collect the uploads an async call keeps alive until it completes, in `keep`."""
    files = [a["name"] for a in export["args"] if a["role"] in ("file", "file_array")]
    return ["detail::KeepAlive keep;"] + ["keep.add(%s);" % name for name in files]


def decl(params_, extra=(), with_defaults=True):
    items = []
    for p, d in list(params_) + list(extra):
        items.append(p + (" = " + d if (d is not None and with_defaults) else ""))
    return ", ".join(items)


def no_defaults(params_):
    return [(p, None) for p, _ in params_]


def doc(op, export, what):
    lines = ["/// %s" % op.summary]
    beta = ", OpenAI-Beta: %s" % op.beta if op.beta else ""
    alias = "; alias of %s" % op.raw["alias_of"] if op.raw["alias_of"] else ""
    lines.append("/// `%s %s` (`%s`%s%s; C: `%s`)%s" % (op.http, op.path, op.name, beta, alias, export["name"], what))
    return lines


def indent(lines, n):
    return [(" " * n + l) if l else "" for l in lines]


def gen_methods(op):
    out = []
    for e in op.exports:
        form = e["form"]
        name = op.method_name(e)
        ps = params(e)
        loc = locals_(e)
        if form == "blocking":
            out += doc(op, e, ": blocks until the response is complete; throws on failure.")
            out.append("Response %s(%s) const {" % (name, decl(ps)))
            out += indent(loc, 4)
            out.append("    openai_response *out = nullptr;")
            out.append("    const Code code = %s(%s);" % (e["name"], c_args(e, out="&out")))
            out.append("    return detail::checked(code, out);")
            out.append("}")
            out.append("")
        elif form == "async":
            out += doc(op, e, ": the async form, as a ResponseFuture (std::future-like; cancel() cancels the"
                              " call, and so does destroying it while it runs); its get() throws on failure.")
            out.append("ResponseFuture %s(%s) const {" % (name, decl(ps)))
            out += indent(loc + keep_lines(e), 4)
            out.append("    return ResponseFuture(%s(%s), std::move(keep));" % (e["name"], c_args(e, callback="nullptr", userdata="nullptr")))
            out.append("}")
            out.append("")
            out += doc(op, e, ": the async form with a callback, which receives the response (failed or not)"
                              " on a library thread; destroying the Future cancels the call unless detached.")
            out.append("[[nodiscard]] Future %s(%s) const {" % (name, decl(no_defaults(ps), [("Callback callback", None)])))
            out += indent(loc + keep_lines(e), 4)
            out.append("    return detail::start_callback(")
            out.append("        [&](openai_callback cb, void *ud) { return %s(%s); }, std::move(callback), std::move(keep));"
                       % (e["name"], c_args(e, callback="cb", userdata="ud")))
            out.append("}")
            out.append("")
        elif form == "stream":
            out += doc(op, e, ": streams server-sent events (the library asks for the stream); blocks until"
                              " the response begins; throws on failure.")
            out.append("Stream %s(%s) const {" % (name, decl(ps)))
            out += indent(loc, 4)
            out.append("    openai_stream *out = nullptr;")
            out.append("    const Code code = %s(%s);" % (e["name"], c_args(e, out="&out")))
            out.append("    return detail::checked_stream(code, out);")
            out.append("}")
            out.append("")
        elif form == "stream_async":
            out += doc(op, e, ": the stream, started without blocking; pull its events as from the blocking form.")
            out.append("Stream %s(%s) const {" % (name, decl(ps)))
            out += indent(loc, 4)
            out.append("    return Stream(%s(%s));" % (e["name"], c_args(e, callback="nullptr", userdata="nullptr")))
            out.append("}")
            out.append("")
            out += doc(op, e, ": the stream, its events pushed to `on_event` on a library thread, then its end to `on_done`.")
            out.append("Stream %s(%s) const {" % (name, decl(no_defaults(ps), [("EventHandler on_event", None), ("DoneHandler on_done", "{}")])))
            out += indent(loc, 4)
            out.append("    return detail::start_stream(")
            out.append("        [&](openai_event_callback cb, void *ud) { return %s(%s); }," % (e["name"], c_args(e, callback="cb", userdata="ud")))
            out.append("        std::move(on_event), std::move(on_done));")
            out.append("}")
            out.append("")
        elif form == "pages":
            out += doc(op, e, ": every page, fetched one at a time by the Pager (range-for over pages, or over"
                              " every item with items()).")
            out.append("Pager %s(%s) const {" % (name, decl(ps)))
            out += indent(loc, 4)
            out.append("    openai_pager *out = nullptr;")
            out.append("    const Code code = %s(%s);" % (e["name"], c_args(e, out="&out")))
            out.append("    return detail::checked_pager(code, out);")
            out.append("}")
            out.append("")
        elif form == "to_file":
            out += doc(op, e, ": the body written to the file at `path` as it arrives;"
                              " the Response keeps status and headers.")
            out.append("Response %s(%s) const {" % (name, decl(no_defaults(ps), [("std::string_view path", None), ("Progress progress", "{}")])))
            out += indent(loc, 4)
            out.append("    const detail::Arg a_path(path);")
            out.append("    openai_response *out = nullptr;")
            out.append("    const Code code = %s(" % e["name"])
            out.append("        %s);" % c_args(e, path="a_path.c_str()",
                                              progress="progress ? &detail::progress_trampoline : nullptr",
                                              progress_userdata="progress ? static_cast<void *>(&progress) : nullptr",
                                              out="&out"))
            out.append("    return detail::checked(code, out);")
            out.append("}")
            out.append("")
        elif form == "to_file_async":
            out += doc(op, e, ": the download, started without blocking, as a ResponseFuture; `progress` runs on a"
                              " library thread; cancelling removes the partial file.")
            out.append("ResponseFuture %s(%s) const {" % (name, decl(no_defaults(ps), [("std::string_view path", None), ("Progress progress", "{}")])))
            out += indent(loc + keep_lines(e), 4)
            out.append("    const detail::Arg a_path(path);")
            out.append("    if (progress) keep.progress = std::make_shared<const Progress>(std::move(progress));")
            out.append("    const void *p = keep.progress.get();")
            out.append("    return ResponseFuture(%s(" % e["name"])
            out.append("                              %s)," % c_args(e, path="a_path.c_str()",
                                                              progress="p ? &detail::progress_trampoline : nullptr",
                                                              progress_userdata="const_cast<void *>(p)",
                                                              callback="nullptr", userdata="nullptr"))
            out.append("                          std::move(keep));")
            out.append("}")
            out.append("")
        else:
            raise SystemExit("%s: unknown form %s: teach gen.py about it" % (e["name"], form))
    return out


# Resources that also open WebSocket sessions, as the official SDK's `client.realtime.connect()`
# and `client.responses.connect()`: the resource path, the C functions (blocking, non-blocking)
# and what the session speaks.
CONNECTS = {
    ("realtime",): ("openai_realtime_connect", "openai_realtime_connect_async",
                    "a Realtime session (`wss://<base>/realtime?<query>`, e.g. `{\"model\":\"gpt-realtime\"}`)"),
    ("responses",): ("openai_responses_connect", "openai_responses_connect_async",
                     "a Responses API session over a persistent WebSocket (`wss://<base>/responses`):"
                     " send `response.create` events, receive the Responses stream events"),
}


def gen_connect(path):
    blocking, non_blocking, what = CONNECTS[path]
    return [
        "/// Opens %s and blocks until the handshake is done;" % what,
        "/// throws the refused upgrade's error (AuthenticationError, ...) or why it could not connect.",
        "/// Default session options (no reconnection). C: `%s`." % blocking,
        "RealtimeSession connect(std::string_view query_json = {}) const {",
        "    return detail::realtime_connect(&%s, client_.get(), query_json);" % blocking,
        "}",
        "",
        "/// Starts the same session without blocking, with `options` (timeouts, queue sizes, a",
        "/// reconnection handler, ...): events may be sent at once, and a failure to connect ends",
        "/// the session (its events then throw it). C: `%s`." % non_blocking,
        "RealtimeSession connect(std::string_view query_json, const RealtimeOptions &options) const {",
        "    return detail::realtime_connect_async(&%s, client_.get(), query_json, options, {}, {});" % non_blocking,
        "}",
        "",
        "/// The same, its events pushed to `on_event` on the session's own library thread, then its end",
        "/// to `on_done` (nullptr after a clean close). C: `%s` with a callback." % non_blocking,
        "RealtimeSession connect(std::string_view query_json, const RealtimeOptions &options, EventHandler on_event,",
        "                        DoneHandler on_done = {}) const {",
        "    return detail::realtime_connect_async(&%s, client_.get(), query_json, options, std::move(on_event)," % non_blocking,
        "                                          std::move(on_done));",
        "}",
        "",
    ]


# The official SDKs' helpers that wait for an object's terminal status (openai.h's `_poll` and
# `_create_and_poll` functions, not operations of the table), by resource path: the method, the
# C function (its `_async` form also exists), its arguments before `options_json` (name, kind:
# "str", "opt" (empty: NULL) or "upload") and what it does.
POLLS = {
    ("beta", "threads", "runs"): [
        ("poll", "openai_beta_threads_runs_poll", [("thread_id", "str"), ("run_id", "str")],
         "Waits for a run to reach a terminal status (requires_action, cancelled, completed, failed, expired,"
         " incomplete), as the SDKs' `runs.poll`: it is retrieved while queued, in_progress or cancelling."),
        ("create_and_poll", "openai_beta_threads_runs_create_and_poll", [("thread_id", "str"), ("body_json", "str")],
         "Creates a run and waits for it to reach a terminal status, as the SDKs' `runs.create_and_poll`."),
    ],
    ("vector_stores", "files"): [
        ("poll", "openai_vector_stores_files_poll", [("vector_store_id", "str"), ("file_id", "str")],
         "Waits for a file of a vector store to be processed (completed, failed or cancelled), as the SDKs'"
         " `vector_stores.files.poll`: it is retrieved while in_progress."),
        ("create_and_poll", "openai_vector_stores_files_create_and_poll", [("vector_store_id", "str"), ("body_json", "str")],
         "Attaches a file to a vector store (`{\"file_id\": ...}`) and waits until it is processed, as the SDKs'"
         " `vector_stores.files.create_and_poll`."),
    ],
    ("vector_stores", "file_batches"): [
        ("poll", "openai_vector_stores_file_batches_poll", [("vector_store_id", "str"), ("batch_id", "str")],
         "Waits for a file batch of a vector store to finish (completed, failed or cancelled), as the SDKs'"
         " `vector_stores.file_batches.poll`: it is retrieved while in_progress."),
        ("create_and_poll", "openai_vector_stores_file_batches_create_and_poll", [("vector_store_id", "str"), ("body_json", "str")],
         "Creates a file batch of a vector store (`{\"file_ids\": [...]}`) and waits for it to finish, as the SDKs'"
         " `vector_stores.file_batches.create_and_poll`."),
    ],
    ("batches",): [
        ("poll", "openai_batches_poll", [("batch_id", "str")],
         "Waits for a batch to end (completed, failed, expired or cancelled): it is retrieved while validating,"
         " in_progress, finalizing or cancelling."),
    ],
    ("responses",): [
        ("poll", "openai_responses_poll", [("response_id", "str")],
         "Waits for a background response (`\"background\": true`) to end (completed, failed, cancelled or"
         " incomplete): it is retrieved while queued or in_progress."),
    ],
    ("videos",): [
        ("poll", "openai_videos_poll", [("video_id", "str")],
         "Waits for a video to be rendered (completed or failed), as the SDKs' `videos.poll`: it is retrieved"
         " while queued or in_progress."),
        ("create_and_poll", "openai_videos_create_and_poll", [("fields_json", "opt"), ("input_reference", "upload")],
         "Creates a video (`fields_json` the form's fields, `input_reference` an optional image) and waits until"
         " it is rendered, as the SDKs' `videos.create_and_poll`."),
    ],
}

POLL_NOTE = ("`options_json` (empty for the defaults): `interval_ms`, the wait between two retrievals (default: the"
             " server's `openai-poll-after-ms` header, else 1000), and `timeout_ms`, how long the whole wait may take"
             " (APITimeoutError). Returns the object in its terminal status (a failed one too: read its `status`);"
             " throws a failed retrieval's error.")


def gen_poll(name, c_function, params, doc):
    decl, call, convert, keep = [], [], [], []
    for pname, kind in params:
        if kind == "upload":
            decl.append(("const Upload &%s" % pname, "const Upload &%s = Upload()" % pname))
            call.append("%s.get()" % pname)
            keep.append("keep.add(%s);" % pname)
        else:
            decl.append(("std::string_view %s" % pname, "std::string_view %s%s" % (pname, " = {}" if kind == "opt" else "")))
            convert.append("const detail::%s a_%s(%s);" % ("OptArg" if kind == "opt" else "Arg", pname, pname))
            call.append("a_%s.c_str()" % pname)
    convert.append("const detail::OptArg a_options_json(options_json);")
    args = ", ".join(["client_.get()"] + call + ["a_options_json.c_str()"])
    with_defaults = ", ".join([d[1] for d in decl] + ["std::string_view options_json = {}"])
    plain = ", ".join([d[0] for d in decl] + ["std::string_view options_json"])
    out = ["/// %s" % doc, "/// %s" % POLL_NOTE, "/// C: `%s`: blocks until the wait is over." % c_function,
           "Response %s(%s) const {" % (name, with_defaults)]
    out += ["    " + c for c in convert]
    out += ["    openai_response *out = nullptr;",
            "    const Code code = %s(%s, &out);" % (c_function, args),
            "    return detail::checked(code, out);", "}", ""]
    out += ["/// The same wait as a ResponseFuture: cancel() (or destroying it) stops the wait at once. C: `%s_async`." % c_function,
            "ResponseFuture %s_async(%s) const {" % (name, with_defaults)]
    out += ["    " + c for c in convert]
    out += ["    detail::KeepAlive keep;"] + ["    " + k for k in keep]
    out += ["    return ResponseFuture(%s_async(%s, nullptr, nullptr), std::move(keep));" % (c_function, args), "}", ""]
    out += ["/// The same wait with a callback, which receives the last response (failed or not) on a library thread;",
            "/// destroying the Future stops the wait unless detached. C: `%s_async`." % c_function,
            "[[nodiscard]] Future %s_async(%s, Callback callback) const {" % (name, plain)]
    out += ["    " + c for c in convert]
    out += ["    detail::KeepAlive keep;"] + ["    " + k for k in keep]
    out += ["    return detail::start_callback(",
            "        [&](openai_callback cb, void *ud) { return %s_async(%s, cb, ud); }, std::move(callback), std::move(keep));" % (c_function, args),
            "}", ""]
    return out


def gen_upload_file_chunked():
    """The SDKs' `uploads.upload_file_chunked` (openai_uploads_upload_file_chunked)."""
    convert = ["const detail::Arg a_path(path);", "const detail::Arg a_create_json(create_json);",
               "const detail::OptArg a_options_json(options_json);"]
    args = "client_.get(), a_path.c_str(), a_create_json.c_str(), a_options_json.c_str()"
    out = [
        "/// Uploads a large file through the Uploads API, as the SDKs' `uploads.upload_file_chunked`: `uploads.create`,",
        "/// then the file's parts sent several at a time, each streamed from its range of the file at `path`, then",
        "/// `uploads.complete` with the part ids in the file's order. Returns the completed Upload (`/file/id` is the",
        "/// file, ready to use); throws the first failure (a part that fails for good cancels the Upload).",
        "/// `create_json` is the body of `uploads.create` (`purpose` and `mime_type` required; `filename` and",
        "/// `bytes` default to the file's); `options_json` (empty for the defaults): `part_size` (1 to 64 MiB,",
        "/// default 64 MiB), `parallel` (1 to 16, default 4), `md5`. `progress` hears (bytes sent, file size), one",
        "/// report at a time; a retried part counts again from its start.",
        "/// C: `openai_uploads_upload_file_chunked`: blocks until the upload is complete; `progress` runs on this thread.",
        "Response upload_file_chunked(std::string_view path, std::string_view create_json, std::string_view options_json = {},",
        "                             Progress progress = {}) const {",
    ] + ["    " + c for c in convert] + [
        "    openai_response *out = nullptr;",
        "    const Code code = openai_uploads_upload_file_chunked(",
        "        %s, progress ? &detail::progress_trampoline : nullptr, progress ? static_cast<void *>(&progress) : nullptr, &out);" % args,
        "    return detail::checked(code, out);",
        "}",
        "",
        "/// The same upload as a ResponseFuture; `progress` runs on a library thread. cancel() (or destroying it)",
        "/// stops the upload at once, and the library cancels the Upload in the background.",
        "/// C: `openai_uploads_upload_file_chunked_async`.",
        "ResponseFuture upload_file_chunked_async(std::string_view path, std::string_view create_json, std::string_view options_json = {},",
        "                                         Progress progress = {}) const {",
    ] + ["    " + c for c in convert] + [
        "    detail::KeepAlive keep;",
        "    if (progress) keep.progress = std::make_shared<const Progress>(std::move(progress));",
        "    const void *p = keep.progress.get();",
        "    return ResponseFuture(openai_uploads_upload_file_chunked_async(",
        "                              %s, p ? &detail::progress_trampoline : nullptr, const_cast<void *>(p), nullptr, nullptr)," % args,
        "                          std::move(keep));",
        "}",
        "",
        "/// The same upload with a callback, which receives the response (failed or not) on a library thread;",
        "/// destroying the Future stops the upload unless detached. C: `openai_uploads_upload_file_chunked_async`.",
        "[[nodiscard]] Future upload_file_chunked_async(std::string_view path, std::string_view create_json, std::string_view options_json,",
        "                                               Progress progress, Callback callback) const {",
    ] + ["    " + c for c in convert] + [
        "    detail::KeepAlive keep;",
        "    if (progress) keep.progress = std::make_shared<const Progress>(std::move(progress));",
        "    const void *p = keep.progress.get();",
        "    return detail::start_callback(",
        "        [&](openai_callback cb, void *ud) {",
        "            return openai_uploads_upload_file_chunked_async(%s, p ? &detail::progress_trampoline : nullptr," % args,
        "                                                            const_cast<void *>(p), cb, ud);",
        "        },",
        "        std::move(callback), std::move(keep));",
        "}",
        "",
    ]
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
    ops = [Op(o, table["exports"]) for o in table["operations"]]
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
        "    const char *beta;  // the OpenAI-Beta value it sends, or nullptr",
        "    const char *summary;",
        "};",
        "",
        "/// Every operation, in the table's order.",
        "inline constexpr OperationInfo operation_table[] = {",
    ]
    for op in ops:
        out.append("    {%s, %s, %s, %s, %s}," % (cpp_string(op.name), cpp_string(op.http), cpp_string(op.path),
                                                cpp_string(op.beta) if op.beta else "nullptr", cpp_string(op.summary)))
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
        if path in CONNECTS:
            out += indent(gen_connect(path), 4)
        for helper in POLLS.get(path, []):
            out += indent(gen_poll(*helper), 4)
        if path == ("uploads",):
            out += indent(gen_upload_file_chunked(), 4)
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
    path = "/v1" + op.path.split("?")[0]
    for p in op.path_params:
        path = path.replace("{%s}" % p, sample_param(p))
    return path


def sample_param(p):
    return "%s-1" % p


def test_args(op, export):
    """C++ argument expressions of an export's inputs."""
    args = []
    for a in export["args"]:
        role, name = a["role"], a["name"]
        if role == "path_param":
            args.append(cpp_string(sample_param(name)))
        elif role == "query":
            args.append("kQuery")
        elif role == "body":
            args.append("kBody")
        elif role == "fields":
            args.append("kFields")
        elif role == "file":
            args.append("upload(%s)" % cpp_string(name))
        elif role == "file_array":
            args.append("std::vector<Upload>{upload(%s), upload(%s)}" % (cpp_string(name), cpp_string(name)))
    return args


def expect_call(op, export):
    roles = {a["role"] for a in export["args"]}
    stream = export["form"] in ("stream", "stream_async")
    flag = (op.streaming or {}).get("flag")
    query = [q for q in [op.path.split("?")[1] if "?" in op.path else None,
                         "limit=2" if "query" in roles else None,
                         "stream=true" if stream and flag == "query_stream" else None] if q]
    query = cpp_string("&".join(query)) if query else "std::nullopt"
    body = "kBody" if "body" in roles and not stream else "std::nullopt"
    files = []
    for a in export["args"]:
        if a["role"] == "file":
            files.append(cpp_string(a["name"]))
        elif a["role"] == "file_array":
            files.append(cpp_string(a["name"] + "[]"))
    beta = cpp_string(op.beta) if op.beta else "std::nullopt"
    return "expect_request(%s, %s, %s, %s, %s, {%s});" % (cpp_string(op.http), cpp_string(sample_path(op)),
                                                          beta, query, body, ", ".join(files))


def gen_test(table):
    ops = [Op(o, table["exports"]) for o in table["operations"]]
    file_fields = sorted({name for op in ops for name, _ in op.files})
    out = [
        "// GENERATED by bindings/cpp/gen.py from bindings/operations.json: do not edit.",
        "// Regenerate with `%s`." % REGENERATE,
        "//",
        "// Every export of the table, through the C++ binding's method for it (blocking,",
        "// ResponseFuture, callback, stream, callback stream, pages and their items, to_file and",
        "// to_file_async), against scripted",
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
        "        for (const char *name : {%s})" % ", ".join(cpp_string(n) for n in file_fields),
        "            uploads_.emplace(name, Upload::from_memory(std::string(\"bytes of \") + name, std::string(name) + \".bin\"));",
        "    }",
        "    const Upload &upload(const char *name) { return uploads_.at(name); }",
        "    std::map<std::string, Upload> uploads_;",
        "};",
        "",
        "constexpr std::string_view kBody = R\"({\"model\":\"gpt-4o-mini\",\"x\":[1,2]})\";",
        "constexpr std::string_view kQuery = R\"({\"limit\":2})\";",
        "constexpr std::string_view kFields = R\"({\"purpose\":\"assistants\"})\";",
        "",
        "TEST(OperationTable, HasEveryOperation) {",
        "    EXPECT_EQ(std::size(openai::operation_table), %du);" % len(ops),
        "}",
        "",
    ]
    for op in ops:
        chain = "client().%s" % "".join("%s()." % ident(p) for p in op.resource)
        out.append("TEST_F(Operations, %s) {" % op.name.replace(".", "_"))
        for e in op.exports:
            form = e["form"]
            name = op.method_name(e)
            args = test_args(op, e)
            expect = "    " + expect_call(op, e)
            if form == "blocking":
                out.append("    script_json();")
                out.append("    EXPECT_EQ(%s%s(%s).json_string(\"/scripted\"), \"yes\");" % (chain, name, ", ".join(args)))
                out.append(expect)
            elif form == "async":
                out.append("    script_json();")
                out.append("    EXPECT_EQ(%s%s(%s).get().json_string(\"/scripted\"), \"yes\");" % (chain, name, ", ".join(args)))
                out.append(expect)
                out.append("    script_json();")
                out.append("    {")
                out.append("        std::promise<Response> done;")
                out.append("        Future future = %s%s(%s[&](Response r) { done.set_value(std::move(r)); });"
                           % (chain, name, "".join(a + ", " for a in args)))
                out.append("        EXPECT_EQ(done.get_future().get().json_string(\"/scripted\"), \"yes\");")
                out.append("    }")
                out.append(expect)
            elif form == "stream":
                out.append("    script_sse();")
                out.append("    EXPECT_EQ(event_count(%s%s(%s)), 2);" % (chain, name, ", ".join(args)))
                out.append(expect)
            elif form == "stream_async":
                out.append("    script_sse();")
                out.append("    EXPECT_EQ(event_count(%s%s(%s)), 2);" % (chain, name, ", ".join(args)))
                out.append(expect)
                out.append("    script_sse();")
                out.append("    EXPECT_EQ(pushed_event_count([&](EventHandler on_event, DoneHandler on_done) {")
                out.append("                  return %s%s(%s);" % (chain, name, ", ".join(args + ["std::move(on_event)", "std::move(on_done)"])))
                out.append("              }),")
                out.append("              2);")
                out.append(expect)
            elif form == "pages":
                out.append("    script_page();")
                out.append("    EXPECT_EQ(page_count(%s%s(%s)), 1);" % (chain, name, ", ".join(args)))
                out.append(expect)
                out.append("    script_page();")
                out.append("    EXPECT_EQ(item_ids(%s%s(%s).items()), \"x1\");" % (chain, name, ", ".join(args)))
                out.append(expect)
            elif form == "to_file":
                out.append("    script_bytes();")
                out.append("    EXPECT_EQ(download([&](const std::string &path, Progress progress) {")
                out.append("                  return %s%s(%s);" % (chain, name, ", ".join(args + ["path", "std::move(progress)"])))
                out.append("              }),")
                out.append("              kScriptedBytes);")
                out.append(expect)
            elif form == "to_file_async":
                out.append("    script_bytes();")
                out.append("    EXPECT_EQ(download([&](const std::string &path, Progress progress) {")
                out.append("                  return %s%s(%s).get();" % (chain, name, ", ".join(args + ["path", "std::move(progress)"])))
                out.append("              }),")
                out.append("              kScriptedBytes);")
                out.append(expect)
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
