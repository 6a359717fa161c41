"""The machinery under every operation: a call's arguments checked and split as the official SDK
takes them, handed to the library's C functions; responses into results; per-request options;
the asyncio bridge (one completion queue per event loop, watched with loop.add_reader); streams,
pages, uploads and downloads."""

import asyncio
import collections
import ctypes
import itertools
import json
import os
import threading
import urllib.parse
import weakref

from . import _lib as L
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    APIUserAbortError,
    InvalidArgumentError,
    InvalidWebhookSignatureError,
    OpenAIError,
    QueueFullError,
    ResponseTooLargeError,
    status_error,
)
from ._models import OpenAIObject, event_type, parse_json, result_type, to_plain, typed
from ._pagination import ASYNC_PAGES, SYNC_PAGES, AsyncPaginator
from ._response import (
    APIResponse,
    AsyncResponseContextManager,
    AsyncStreamedAPIResponse,
    Headers,
    Request,
    ResponseContextManager,
    StreamedAPIResponse,
    default_parse,
)
from ._types import NOT_GIVEN, is_given, timeout_options

Operation = collections.namedtuple(
    "Operation",
    "name method path path_params input files params response paging stream_flag accept beta functions "
    "legacy_functions")

# One C function as bindings/operations.json describes it: its form, its arguments
# ((name, C type, role), ...) and its return type.
Export = collections.namedtuple("Export", "form args returns")

# The roles of the arguments that carry a call's inputs (the others are the form's own: the
# client, out-pointers, callbacks, a download's path).
_INPUT_ROLES = ("path_param", "query", "body", "fields", "file", "file_array", "file_count")

# How an operation asks for its event stream, for the flags with which the official SDK streams
# (`stream=True`); speech's `stream_format: "sse"` is not one: the SDK hands those bytes back.
_STREAM_FLAGS = ("json_stream", "multipart_stream", "query_stream")


def _operation(name):
    from ._operations import OPERATIONS

    return OPERATIONS[name]


def _s(raw):
    return raw.decode("utf-8", "replace") if raw is not None else None


# ---------------------------------------------------------------------------------------------
# JSON and C strings


def _json_default(value):
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, OpenAIObject):
        return to_plain(value)
    for method in ("model_dump", "to_dict"):
        fn = getattr(value, method, None)
        if callable(fn):
            return fn()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    import datetime

    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def encode_json(value):
    """JSON text (UTF-8 bytes) of a Python value as the official SDK serializes a body: compact,
    non-ASCII kept as is."""
    return json.dumps(_strip_omitted(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=_json_default).encode("utf-8")


def _strip_omitted(value):
    """Leaves out NOT_GIVEN and omit values of dicts (nested ones too), as the SDK does."""
    if isinstance(value, dict):
        return {k: _strip_omitted(v) for k, v in value.items() if is_given(v)}
    if isinstance(value, list):
        return [_strip_omitted(v) for v in value]
    return value


def _cstr(value, what):
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError("%s must be a str, not %s" % (what, type(value).__name__))
    if "\0" in value:
        raise InvalidArgumentError("%s must not contain a NUL character" % what)
    return value.encode("utf-8")


# ---------------------------------------------------------------------------------------------
# uploads


class Upload:
    """A file for a multipart operation (``files.create(file=...)``, ``images.edit(image=...)``).

    Operations also accept what the official SDK accepts: a path (str or os.PathLike, streamed
    from disk), bytes, a file object, or a ``(filename, content[, content_type])`` tuple, and
    make the upload themselves; create an Upload to set its filename, content type or a
    ``progress(done, total)`` callback, or to send one file several times. ``close()`` (or the
    end of a ``with`` block, or garbage collection) frees it; calls already sending it keep
    their own reference.
    """

    _thunks = []  # progress callbacks stay alive as long as the library may call them

    def __init__(self, _ptr, _what):
        if not _ptr:
            raise InvalidArgumentError("%s: %s" % (_what, L.last_error()))
        self._ptr = _ptr
        self._finalizer = weakref.finalize(self, L.load().openai_upload_free, _ptr)
        self._finalizer.atexit = False

    @classmethod
    def from_path(cls, path, filename=None, content_type=None, progress=None):
        """The file at ``path``, read from disk as it is sent (never whole into memory)."""
        lib = L.load()
        ptr = lib.openai_upload_from_path(
            _cstr(path, "path"),
            None if filename is None else _cstr(filename, "filename"),
            None if content_type is None else _cstr(content_type, "content_type"))
        upload = cls(ptr, "cannot upload %r" % (os.fspath(path),))
        if progress is not None:
            upload.set_progress(progress)
        return upload

    @classmethod
    def from_bytes(cls, data, filename=None, content_type=None, progress=None):
        """``data`` (bytes-like, copied), sent as ``filename`` (default "upload", as the SDK
        names a file given as bytes)."""
        lib = L.load()
        data = bytes(data)
        ptr = lib.openai_upload_from_memory(
            data, len(data),
            None if filename is None else _cstr(filename, "filename"),
            None if content_type is None else _cstr(content_type, "content_type"))
        upload = cls(ptr, "cannot upload %d bytes" % len(data))
        if progress is not None:
            upload.set_progress(progress)
        return upload

    def set_progress(self, progress):
        """``progress(done, total)`` hears how much of the file each later call has sent
        (on a library thread; keep it short). None removes it."""
        lib = L.load()
        if progress is None:
            lib.openai_upload_set_progress(self._handle(), L.PROGRESS(), None)
            return
        thunk = L.PROGRESS(lambda done, total, _ud: progress(done, total))
        Upload._thunks.append(thunk)
        code = lib.openai_upload_set_progress(self._handle(), thunk, None)
        if code != L.OK:
            raise InvalidArgumentError(L.last_error() or "openai_upload_set_progress failed")

    def _handle(self):
        if not self._finalizer.alive:
            raise ValueError("the upload is closed")
        return self._ptr

    def close(self):
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _upload(value, owned):
    """The upload handle for a file argument; uploads made here are appended to `owned`."""
    if isinstance(value, Upload):
        return value._handle()
    if isinstance(value, (str, os.PathLike)):
        up = Upload.from_path(value)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        up = Upload.from_bytes(value)
    elif _is_file_tuple(value):
        filename, content = value[0], value[1]
        content_type = value[2] if len(value) >= 3 else None
        if isinstance(content, os.PathLike):
            up = Upload.from_path(content, filename, content_type)
        else:
            if hasattr(content, "read"):
                content = content.read()
            if isinstance(content, str):
                content = content.encode("utf-8")
            up = Upload.from_bytes(content, filename, content_type)
    elif hasattr(value, "read"):
        data = value.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = getattr(value, "name", None)
        name = os.path.basename(name) if isinstance(name, (str, os.PathLike)) and name else None
        up = Upload.from_bytes(data, name)
    else:
        raise TypeError("a file must be a path, bytes, a file object, a (filename, content) tuple "
                        "or an Upload, not %s" % type(value).__name__)
    owned.append(up)
    return up._ptr


def _is_file_tuple(value):
    """A (filename, content[, content_type[, headers]]) tuple, one file, rather than a list of
    files."""
    return isinstance(value, tuple) and 2 <= len(value) <= 4 and (value[0] is None or isinstance(value[0], str))


# ---------------------------------------------------------------------------------------------
# a call's arguments


class Bound:
    """A call's arguments, checked and split by where they go, as the official SDK takes them."""

    __slots__ = ("op", "verb", "path", "body", "query", "fields", "files", "extra_headers", "extra_query",
                 "extra_body", "timeout", "stream", "post", "page_query")

    def with_query(self, params):
        """The same call with `params` added to its query (the next page: added after the
        other parameters, as the SDK adds them)."""
        other = Bound.__new__(Bound)
        for slot in Bound.__slots__:
            setattr(other, slot, getattr(self, slot))
        other.page_query = dict(self.page_query)
        other.page_query.update(params)
        return other

    def query_json(self):
        """The query as the SDK sends it: its parameters in the SDK's order, then
        ``extra_query``, then a next page's parameters."""
        query = sdk_order(self.op, self.query, "query")
        query.update(self.extra_query or {})
        query.update(self.page_query)
        return query


def _missing(verb, kind, names):
    quoted = ["'%s'" % n for n in names]
    text = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return TypeError("%s() missing %d required %s argument%s: %s"
                     % (verb, len(names), kind, "" if len(names) == 1 else "s", text))


def bind(op, args, kwargs, verb=None):
    """Checks a call's arguments as the official SDK's signature would (the last path parameter
    positional, every other parameter by keyword; an unknown keyword is a TypeError before
    anything is sent) and splits them into path, body, query, form fields and files, each in the
    order the caller gave them. All path parameters positionally, in path order, is the 0.1.0
    binding's form and still accepted."""
    verb = verb or op.name.rsplit(".", 1)[-1]
    kwargs = dict(kwargs)
    b = Bound()
    b.op, b.verb = op, verb
    b.extra_headers = kwargs.pop("extra_headers", None)
    b.extra_query = kwargs.pop("extra_query", None)
    b.extra_body = kwargs.pop("extra_body", None)
    b.timeout = kwargs.pop("timeout", NOT_GIVEN)
    b.post = None  # what the result goes through (see _prepare)
    b.page_query = {}  # a next page's query parameters
    pp = op.path_params
    path = {}
    if args:
        if not pp or (len(args) != 1 and len(args) != len(pp)):
            n = 2 if pp else 1
            raise TypeError("%s() takes %d positional argument%s but %d were given"
                            % (verb, n, "s" if n > 1 else "", len(args) + 1))
        path = dict(zip(pp[-1:] if len(args) == 1 else pp, args))
    for p in pp:
        if p in kwargs:
            if p in path:
                raise TypeError("%s() got multiple values for argument '%s'" % (verb, p))
            path[p] = kwargs.pop(p)
    if pp and pp[-1] not in path:
        raise _missing(verb, "positional", [pp[-1]])
    missing = [p for p in pp[:-1] if p not in path]
    locations = {}
    if op.params is not None:
        locations = {name: loc for name, loc, _ in op.params if loc != "path"}
        for name in kwargs:
            if name not in locations:
                raise TypeError("%s() got an unexpected keyword argument '%s'" % (verb, name))
        missing += [name for name, loc, required in op.params if required and loc != "path" and name not in kwargs]
    else:
        file_names = {f for f, _, _ in op.files}
        locations = {name: ("file" if name in file_names else "body") for name in kwargs}
    if missing:
        raise _missing(verb, "keyword-only", missing)
    b.path = []
    for p in pp:
        value = path[p]
        if not value or not is_given(value):
            raise InvalidArgumentError("Expected a non-empty value for `%s` but received %r" % (p, value))
        b.path.append(value if isinstance(value, str) else str(value))
    b.body, b.query, b.fields, b.files = {}, {}, {}, {}
    where = {"body": b.body, "query": b.query, "field": b.fields, "file": b.files}
    for name, value in kwargs.items():
        if is_given(value):
            where[locations[name]][name] = value
    b.stream = b.body.get("stream", b.fields.get("stream", b.query.get("stream"))) is True
    return b


def _export(op, form, bound):
    """The C function of `op` in `form` for a call: the one of the 0.1.0 signature when the call
    fits it (one file per file field, no query for a JSON operation), else the one that takes
    every input of today's route."""
    from ._operations import EXPORTS

    legacy = op.legacy_functions.get(form)
    if legacy is not None:
        roles = {a[2] for a in EXPORTS[legacy].args}
        lists = any(isinstance(bound.files.get(name), (list, tuple)) and not _is_file_tuple(bound.files.get(name))
                    for name, _, array in op.files if array)
        if not lists and ((not bound.query and not bound.extra_query and not bound.page_query) or "query" in roles):
            return legacy
    symbol = op.functions.get(form)
    if symbol is None:
        raise NotImplementedError("%s has no %s form in the operation table" % (op.name, form))
    return symbol


def _takes_query(symbol):
    from ._operations import EXPORTS

    return any(role == "query" for _, _, role in EXPORTS[symbol].args)


# The parameters the official SDK sends first in a JSON body, in this order.
_BODY_PREFIX = ("model", "stream", "service_tier")


def sdk_order(op, values, location):
    """`values` (a body, form fields or a query) in the order the official SDK sends them:
    in a JSON body ``model``, ``stream`` and ``service_tier`` first; then the required
    parameters, then the others, each alphabetically. (The SDK's generated methods list their
    parameters so; the few that do not are the administration API's.) An operation the
    specification does not describe keeps the caller's order."""
    if op.params is None or len(values) < 2:
        return dict(values)
    required = {name for name, _, req in op.params if req}
    head = [k for k in _BODY_PREFIX if k in values] if location == "body" else []
    rest = [k for k in values if k not in head]
    order = head + sorted(k for k in rest if k in required) + sorted(k for k in rest if k not in required)
    return {k: values[k] for k in order}


def _body_json(bound):
    body = sdk_order(bound.op, bound.body, "body")
    if bound.extra_body:
        body.update(bound.extra_body)
    return body


def build_args(op, symbol, bound, owned, keep):
    """The C arguments that carry the inputs of a call of `symbol` (after the client), made
    from its described signature. Uploads made here are appended to `owned`, arrays to `keep`."""
    from ._operations import EXPORTS

    export = EXPORTS[symbol]
    params = iter(bound.path)
    out = []
    for name, _ctype, role in export.args:
        if role not in _INPUT_ROLES:
            continue
        if role == "path_param":
            out.append(_cstr(next(params), name))
        elif role == "query":
            query = bound.query_json()
            out.append(encode_json(query) if query else None)
        elif role == "body":
            body = _body_json(bound)
            required = op.input in ("json", "json_query") or export.form in ("stream", "stream_async")
            out.append(encode_json(body) if (body or required) else None)
        elif role == "fields":
            fields = sdk_order(op, bound.fields, "fields")
            fields.update(bound.extra_body or {})
            out.append(encode_json(fields) if fields else None)
        elif role == "file":
            value = bound.files.get(name)
            out.append(None if value is None else _upload(value, owned))
        elif role == "file_array":
            value = bound.files.get(name)
            if value is None:
                value = []
            elif not isinstance(value, (list, tuple)) or _is_file_tuple(value):
                value = [value]
            array = (ctypes.c_void_p * max(len(value), 1))(*[_upload(v, owned) for v in value])
            keep.append(array)
            out.append(ctypes.cast(array, ctypes.POINTER(ctypes.c_void_p)) if value else None)
        elif role == "file_count":
            out.append(len(keep[-1]) if out[-1] is not None else 0)
    return out


def _client_options(client, bound, symbol):
    """The options of the client a call needs when they differ from `client`'s: the SDK's
    per-request ``extra_headers`` and ``timeout``, and ``extra_query`` for a function that takes
    no query. None when the client itself will do."""
    options = {}
    if bound.extra_headers:
        headers = dict(client._options.get("default_headers") or {})
        for name, value in bound.extra_headers.items():
            headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
            headers[name] = value if is_given(value) else None
        options["default_headers"] = headers
    if is_given(bound.timeout):
        options.update(timeout_options(bound.timeout))
    if bound.extra_query and (symbol is None or not _takes_query(symbol)):
        query = dict(client._options.get("default_query") or {})
        query.update(bound.extra_query)
        options["default_query"] = query
    return options or None


class _CallClient:
    """The client handle of one call: the client's own, or a child with the call's options
    (sharing the connection pool), freed when the call no longer needs it."""

    def __init__(self, client, options):
        self.child = None
        if options is None:
            self.handle = client._handle()
            return
        lib = L.load()
        out = ctypes.c_void_p()
        code = lib.openai_client_with_options(client._handle(), encode_json(options), ctypes.byref(out))
        if code != L.OK or not out.value:
            raise InvalidArgumentError(L.last_error() or "bad request options")
        self.child = self.handle = out.value

    def release(self):
        if self.child is not None:
            L.load().openai_client_free(self.child)
            self.child = None


def _url(client, op, bound):
    """The URL of a call, for ``response.request.url`` (the query as the binding sends it)."""
    path = op.path.split("?")[0]
    for name, value in zip(op.path_params, bound.path):
        path = path.replace("{%s}" % name, urllib.parse.quote(value, safe=""))
    url = (client._base_url or "").rstrip("/") + path
    query = bound.query_json()
    pairs = []
    for key, value in query.items():
        if isinstance(value, (list, tuple)):
            pairs += [(key + "[]", _qvalue(v)) for v in value]
        elif value is not None:
            pairs.append((key, _qvalue(value)))
    return url + ("?" + urllib.parse.urlencode(pairs) if pairs else "")


def _qvalue(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


# ---------------------------------------------------------------------------------------------
# responses and errors


def read_response(ptr, kind="json", operation=None, request=None):
    """(code, APIResponse, exception or None) of a response handle (which is not freed)."""
    lib = L.load()
    n = ctypes.c_size_t()
    body_ptr = lib.openai_response_body(ptr, ctypes.byref(n))
    body = ctypes.string_at(body_ptr, n.value) if body_ptr and n.value else b""
    headers = []
    name, value = ctypes.c_char_p(), ctypes.c_char_p()
    for i in range(lib.openai_response_header_count(ptr)):
        if lib.openai_response_header_at(ptr, i, ctypes.byref(name), ctypes.byref(value)) == L.OK:
            headers.append((_s(name.value), _s(value.value)))
    response = APIResponse(
        lib.openai_response_status(ptr), Headers(headers), body,
        _s(lib.openai_response_request_id(ptr)), lib.openai_response_retries(ptr), kind, operation, request)
    response.http_version = _s(lib.openai_response_http_version(ptr)) or "HTTP/1.1"
    code = lib.openai_response_code(ptr)
    error = None
    if code != L.OK:
        error = make_error(code, _s(lib.openai_response_error_message(ptr)), response, request)
    return code, response, error


def take_response(ptr, kind="json", operation=None, request=None):
    """read_response, then frees the handle."""
    try:
        return read_response(ptr, kind, operation, request)
    finally:
        L.load().openai_response_free(ptr)


def make_error(code, message, response=None, request=None):
    """The exception of a failed call, of the official SDK's class for its code, built as the
    SDK builds it; the library's own message is its ``__cause__`` where the SDK's message is a
    fixed text."""
    message = message or L.code_name(code)
    if response is not None and response.status_code == 0:
        response = None
    if response is not None and (code == L.OTHER_STATUS or 300 <= code < 600) and response.status_code >= 300:
        return status_error(response)
    if code == L.TIMEOUT:
        error = APITimeoutError(request)
    elif code == L.CONNECTION:
        error = APIConnectionError(request=request)
    elif code == L.CANCELLED:
        return APIUserAbortError(message, request)
    elif code == L.INVALID_RESPONSE and response is not None:
        error = APIResponseValidationError(response, response.text)
    elif code == L.STREAM_ERROR:
        return APIError(message, request, body=None)
    elif code == L.RESPONSE_TOO_LARGE:
        return ResponseTooLargeError(message, request)
    elif code == L.QUEUE_FULL:
        return QueueFullError(message)
    elif code == L.INVALID_ARGUMENT:
        return InvalidArgumentError(message)
    elif code == L.INVALID_WEBHOOK_SIGNATURE:
        return InvalidWebhookSignatureError(message)
    else:
        return OpenAIError("%s (%s)" % (message, L.code_name(code)))
    error.__cause__ = OpenAIError(message)
    return error


def _finish(result):
    code, response, error = result
    if error is not None:
        raise error
    return response


# ---------------------------------------------------------------------------------------------
# results


def _parser(client, op, bound, asynchronous):
    """What ``parse()`` of a call's response gives: the object, the page (which fetches the
    pages after it with the same call), the bytes, the text."""
    if op.paging != "none":
        cls = (ASYNC_PAGES if asynchronous else SYNC_PAGES)[op.paging]
        if asynchronous:
            async def fetch(params):
                return await acall(client, op, bound.with_query(params))
        else:
            def fetch(params):
                return call(client, op, bound.with_query(params))

        def parse_page(response):
            obj = typed(default_parse(response), result_type(op.name))
            return cls._of(obj, fetch) if isinstance(obj, OpenAIObject) else obj

        return parse_page
    rtype = result_type(op.name)
    post = bound.post

    def parse(response):
        result = typed(default_parse(response), rtype)
        return post(result) if post is not None else result

    return parse


def _prepare(bound):
    """What the SDK adds to a call: embeddings are asked for as base64 unless an
    ``encoding_format`` is given, and then decoded into lists of floats."""
    if bound.op.name == "embeddings.create" and "encoding_format" not in bound.body:
        bound.body["encoding_format"] = "base64"
        bound.post = _decode_embeddings


def _decode_embeddings(result):
    import array
    import base64

    if isinstance(result, OpenAIObject):
        for item in result.get("data") or []:
            value = item.get("embedding") if isinstance(item, OpenAIObject) else None
            if isinstance(value, str):
                item.embedding = array.array("f", base64.b64decode(value)).tolist()
    return result


def _request(client, op, bound):
    return Request(op.method, _url(client, op, bound))


# ---------------------------------------------------------------------------------------------
# blocking calls


def call(client, op, bound, raw=False):
    """Makes a call (blocking); the result, or the APIResponse with ``raw``."""
    streaming = _stream_operation(op, bound)
    if streaming is not None:
        stream = open_stream(client, streaming, bound)
        return _raw_stream(stream) if raw else stream
    if _needs_generic(op, bound):
        return _generic(client, op, bound, raw)
    symbol = _export(op, "blocking", bound)
    fn = L.op_function(symbol)
    owned, keep = [], []
    out = ctypes.c_void_p()
    request = _request(client, op, bound)
    cc = _CallClient(client, _client_options(client, bound, symbol))
    try:
        cargs = build_args(op, symbol, bound, owned, keep)
        fn(cc.handle, *cargs, ctypes.byref(out))
    finally:
        cc.release()
        for up in owned:
            up.close()
    response = _finish(take_response(out.value, op.response, op.name, request))
    response._parser = _parser(client, op, bound, False)
    return response if raw else response.parse()


def _raw_stream(stream):
    """The APIResponse of a stream (``with_raw_response`` with ``stream=True``): its status and
    headers; ``parse()`` gives the stream."""
    response = stream.response
    raw = APIResponse(response.status_code, response.headers, b"", response.request_id,
                      response.retries_taken, "events", response.operation, response.request)
    raw._parser = lambda _r: stream
    return raw


def _needs_generic(op, bound):
    """Whether a call needs what no export of its operation takes: an ``extra_body`` for an
    operation without a body (sent as the SDK sends it: a JSON body, except on GET)."""
    return bool(bound.extra_body) and op.input in ("none", "query") and op.method != "GET"


def _generic_parts(client, op, bound):
    path = op.path
    for name, value in zip(op.path_params, bound.path):
        path = path.replace("{%s}" % name, urllib.parse.quote(value, safe=""))
    query = bound.query_json()
    headers = dict(bound.extra_headers or {})
    if op.beta:
        headers.setdefault("OpenAI-Beta", op.beta)
    b2 = Bound.__new__(Bound)
    for slot in Bound.__slots__:
        setattr(b2, slot, getattr(bound, slot))
    b2.extra_headers, b2.extra_query = headers or None, None
    return path, query, b2


def _generic(client, op, bound, raw):
    path, query, b2 = _generic_parts(client, op, bound)
    lib = L.load()
    out = ctypes.c_void_p()
    cc = _CallClient(client, _client_options(client, b2, None))
    try:
        lib.openai_request(cc.handle, op.method.encode(), path.encode("utf-8"), _query(query),
                           encode_json(bound.extra_body), ctypes.byref(out))
    finally:
        cc.release()
    response = _finish(take_response(out.value, op.response, op.name, _request(client, op, bound)))
    response._parser = _parser(client, op, bound, False)
    return response if raw else response.parse()


def to_file(client, op, bound, path, progress):
    symbol = _export(op, "to_file", bound)
    fn = L.op_function(symbol)
    owned, keep = [], []
    out = ctypes.c_void_p()
    thunk = L.PROGRESS(lambda done, total, _ud: progress(done, total)) if progress else L.PROGRESS()
    cc = _CallClient(client, _client_options(client, bound, symbol))
    try:
        cargs = build_args(op, symbol, bound, owned, keep)
        fn(cc.handle, *cargs, _cstr(path, "path"), thunk, None, ctypes.byref(out))
    finally:
        cc.release()
        for up in owned:
            up.close()
    return _finish(take_response(out.value, "bytes", op.name, _request(client, op, bound)))


async def ato_file(client, op, bound, path, progress):
    symbol = _export(op, "to_file_async", bound)
    fn = L.op_function(symbol)
    owned, keep = [], []
    # The library reports progress from its own threads: handed to the event loop's thread.
    loop = asyncio.get_running_loop()
    thunk = (L.PROGRESS(lambda done, total, _ud: loop.call_soon_threadsafe(progress, done, total))
             if progress else L.PROGRESS())
    cc = _CallClient(client, _client_options(client, bound, symbol))
    try:
        cargs = build_args(op, symbol, bound, owned, keep)
        cpath = _cstr(path, "path")
        handle = cc.handle

        def start(tag):
            try:
                return fn(handle, *cargs, cpath, thunk, None, None, tag)
            finally:
                cc.release()

        result = await _dispatcher().run(start, "bytes", op.name, _request(client, op, bound), keep=thunk)
    finally:
        cc.release()
        for up in owned:
            up.close()
    return _finish(result)


def request(client, method, path, query=None, body=None, raw=False):
    lib = L.load()
    out = ctypes.c_void_p()
    lib.openai_request(client._handle(), _cstr(method, "method"), _cstr(path, "path"),
                       _query(query), _body(body), ctypes.byref(out))
    response = _finish(take_response(out.value, "any", "%s %s" % (method, path),
                                     Request(method, (client._base_url or "").rstrip("/") + path)))
    return response if raw else response.parse()


def _query(query):
    return encode_json(query) if query else None


def _body(body):
    if body is None:
        return None
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    return encode_json(body)


# ---------------------------------------------------------------------------------------------
# asyncio: one completion queue per event loop


class _Dispatcher:
    """The completion queue of one event loop: every async call's future is handed to it, and
    its one descriptor is watched with loop.add_reader; no thread per call."""

    def __init__(self, loop):
        lib = L.load()
        queue = lib.openai_queue_new()
        if not queue:
            raise OpenAIError("openai_queue_new failed: %s" % L.last_error())
        self.queue = queue
        self.finalizer = weakref.finalize(self, lib.openai_queue_free, queue)
        self.finalizer.atexit = False
        self.waiters = {}
        # What a call's native side may still use (a progress callback) until its future comes
        # back from the queue, even when its awaiting task was cancelled meanwhile.
        self.keep = {}
        self.tags = itertools.count(1)
        loop.add_reader(lib.openai_queue_fd(queue), self.drain)

    def drain(self):
        lib = L.load()
        out = ctypes.c_void_p()
        resp = ctypes.c_void_p()
        while lib.openai_queue_next(self.queue, 0, ctypes.byref(out)) == L.OK and out.value:
            fut = out.value
            tag = lib.openai_future_userdata(fut) or 0
            resp.value = None
            lib.openai_future_take(fut, ctypes.byref(resp))
            lib.openai_future_free(fut)
            self.keep.pop(tag, None)
            entry = self.waiters.pop(tag, None)
            if entry is None or entry[0].done():
                lib.openai_response_free(resp.value)
                continue
            waiter, kind, name, request = entry
            try:
                waiter.set_result(take_response(resp.value, kind, name, request))
            except BaseException as e:  # pragma: no cover (a bug reading the response)
                waiter.set_exception(e)

    async def run(self, start, kind, name, request=None, keep=None):
        """Starts a call (`start(tag)` returns its future handle) and waits for its response.
        Cancelling the awaiting task cancels the call (its connection is dropped). `keep` is
        held until the call's future comes back from the queue."""
        lib = L.load()
        loop = asyncio.get_running_loop()
        tag = next(self.tags)
        if keep is not None:
            self.keep[tag] = keep
        native = start(tag)
        code = lib.openai_queue_add(self.queue, native)
        if code != L.OK:
            lib.openai_future_free(native)
            raise OpenAIError("openai_queue_add failed: %s" % L.last_error())
        waiter = loop.create_future()
        self.waiters[tag] = (waiter, kind, name, request)
        try:
            return await waiter
        except asyncio.CancelledError:
            if self.waiters.pop(tag, None) is not None:
                # still owned by the queue: cancel it; drain() frees it when it comes back
                lib.openai_future_cancel(native)
            raise


_dispatchers = weakref.WeakKeyDictionary()  # event loop -> its _Dispatcher
_dispatchers_lock = threading.Lock()


def _dispatcher():
    loop = asyncio.get_running_loop()
    with _dispatchers_lock:
        d = _dispatchers.get(loop)
        if d is None:
            d = _dispatchers[loop] = _Dispatcher(loop)
    return d


async def acall(client, op, bound, raw=False):
    """Makes a call (asyncio); the result, or the APIResponse with ``raw``."""
    streaming = _stream_operation(op, bound)
    if streaming is not None:
        stream = await aopen_stream(client, streaming, bound)
        return _raw_stream(stream) if raw else stream
    request = _request(client, op, bound)
    if _needs_generic(op, bound):
        path, query, b2 = _generic_parts(client, op, bound)
        lib = L.load()
        cc = _CallClient(client, _client_options(client, b2, None))
        cargs = (op.method.encode(), path.encode("utf-8"), _query(query), encode_json(bound.extra_body))
        try:
            result = await _dispatcher().run(lambda tag: lib.openai_request_async(cc.handle, *cargs, None, tag),
                                             op.response, op.name, request)
        finally:
            cc.release()
    else:
        symbol = _export(op, "async", bound)
        fn = L.op_function(symbol)
        owned, keep = [], []
        cc = _CallClient(client, _client_options(client, bound, symbol))
        try:
            cargs = build_args(op, symbol, bound, owned, keep)
            handle = cc.handle

            def start(tag):
                try:
                    return fn(handle, *cargs, None, tag)
                finally:
                    cc.release()  # the call holds its own reference
                    for up in owned:
                        up.close()

            result = await _dispatcher().run(start, op.response, op.name, request)
        finally:
            cc.release()
            for up in owned:
                up.close()
    response = _finish(result)
    response._parser = _parser(client, op, bound, True)
    return response if raw else response.parse()


async def arequest(client, method, path, query=None, body=None, raw=False):
    lib = L.load()
    cargs = (client._handle(), _cstr(method, "method"), _cstr(path, "path"), _query(query), _body(body))
    request = Request(method, (client._base_url or "").rstrip("/") + path)
    result = await _dispatcher().run(
        lambda tag: lib.openai_request_async(*cargs, None, tag), "any", "%s %s" % (method, path), request)
    response = _finish(result)
    return response if raw else response.parse()


# ---------------------------------------------------------------------------------------------
# the chunked upload (uploads.upload_file_chunked, over openai_uploads_upload_file_chunked)


def _chunked_args(client, path, create, options):
    request = Request("POST", (client._base_url or "").rstrip("/") + "/uploads")
    return request, (_cstr(path, "file"), encode_json(create), encode_json(options) if options else None)


def _chunked_result(result):
    response = _finish(result)
    response._parser = lambda r: typed(default_parse(r), result_type("uploads.complete"))
    return response.parse()


def upload_file_chunked(client, path, create, options):
    """The library's chunked upload of the file at `path` (blocking): `create` is the body of
    ``uploads.create`` without what the library fills in (``bytes``, ``filename``), `options`
    its ``part_size`` / ``md5``. The completed Upload."""
    request, cargs = _chunked_args(client, path, create, options)
    fn = L.helper("openai_uploads_upload_file_chunked")
    out = ctypes.c_void_p()
    fn(client._handle(), *cargs, L.PROGRESS(), None, ctypes.byref(out))
    return _chunked_result(take_response(out.value, "json", "uploads.complete", request))


async def aupload_file_chunked(client, path, create, options):
    """upload_file_chunked as a coroutine, through the library's future on the loop's
    completion queue; cancelling the task cancels the upload (the library then cancels the
    Upload on the server)."""
    request, cargs = _chunked_args(client, path, create, options)
    fn = L.helper("openai_uploads_upload_file_chunked_async")
    handle = client._handle()
    result = await _dispatcher().run(lambda tag: fn(handle, *cargs, L.PROGRESS(), None, None, tag),
                                     "json", "uploads.complete", request)
    return _chunked_result(result)


# ---------------------------------------------------------------------------------------------
# streams

_END = object()


def _stream_operation(op, bound):
    """The operation to stream with, or None for a plain call: `op` itself when it only streams,
    or when it has a stream form and ``stream=True`` is given; with ``stream=True`` on an
    operation without one, the table's streaming operation of the same method and path."""
    fns = op.functions
    if "blocking" not in fns and "async" not in fns:
        return op
    if not bound.stream or op.stream_flag not in _STREAM_FLAGS:
        return None
    if "stream" in fns:
        return op
    from ._operations import OPERATIONS

    for other in OPERATIONS.values():
        if other.method == op.method and other.path == op.path and "stream" in other.functions:
            return other
    return None


class _StreamBase:
    def __init__(self, ptr, name, request=None):
        lib = L.load()
        self._ptr = ptr
        self._name = name
        self._request = request
        self._finalizer = weakref.finalize(self, lib.openai_stream_free, ptr)
        self._finalizer.atexit = False
        self.response = None  # APIResponse: status, headers, request id once the stream began
        self._etype = event_type(name)  # the type of its events (see _models.typed)

    @property
    def http_status(self):
        return self.response.status_code if self.response is not None else None

    @property
    def headers(self):
        return self.response.headers if self.response is not None else None

    @property
    def request_id(self):
        return self.response.request_id if self.response is not None else None

    @property
    def closed(self):
        return not self._finalizer.alive

    def _snapshot(self):
        if self.response is None and self._ptr is not None:
            ptr = L.load().openai_stream_response(self._ptr)
            if ptr:
                self.response = read_response(ptr, "events", self._name, self._request)[1]

    def _after_next(self, code, ev):
        """(name, data bytes) for an openai_stream_next result, _END, or raises; None for
        PENDING."""
        lib = L.load()
        if code == L.PENDING:
            return None
        self._snapshot()
        if code == L.OK:
            if not ev:
                self.close()
                return _END
            try:
                return _event_parts(ev)
            finally:
                lib.openai_event_free(ev)
        message = _s(lib.openai_stream_error_message(self._ptr))
        error = make_error(code, message, self.response, self._request)
        self.close()
        raise error

    def close(self):
        """Closes the stream: its connection is dropped at once."""
        self._finalizer()
        self._ptr = None

    def __repr__(self):
        return "<%s %s%s>" % (type(self).__name__, self._name, " closed" if self.closed else "")


def _event_parts(ev):
    lib = L.load()
    name = _s(lib.openai_event_name(ev)) or ""
    n = ctypes.c_size_t()
    ptr = lib.openai_event_data(ev, ctypes.byref(n))
    data = ctypes.string_at(ptr, n.value) if ptr and n.value else b""
    return name, data


def _event_item(name, data, request=None, etype=None):
    """An event as the official SDK's Stream yields it: the assistants' ``thread.*`` events as
    an object with ``data`` and ``event``; every other event (chat chunks, Responses events) as
    its parsed data. Data with an ``error`` member raises APIError, as the SDK's does."""
    try:
        parsed = parse_json(data)
    except ValueError:
        parsed = data.decode("utf-8", "replace")
    if name.startswith("thread."):
        return OpenAIObject(data=typed(parsed, None), event=name)
    typed(parsed, etype)
    if isinstance(parsed, OpenAIObject) and parsed.get("error"):
        error = parsed.get("error")
        message = error.get("message") if isinstance(error, OpenAIObject) else None
        raise APIError(message if isinstance(message, str) and message else "An error occurred during streaming",
                       request, body=to_plain(error))
    return parsed


class Stream(_StreamBase):
    """Server-sent events as an iterator, as the SDK's Stream: chat completion chunks
    (``chunk.choices[0].delta.content``), Responses events (``event.type``), or
    ``event.event`` / ``event.data`` for the assistants' events. ``response`` is the raw
    response (status, headers); ``close()``, or leaving a ``with`` block, closes the
    connection."""

    def __iter__(self):
        return self

    def _events(self):
        """(name, data text) of every event, for a streamed raw response's lines."""
        for name, data in iter(self._next_parts, _END):
            yield name, data.decode("utf-8", "replace")

    def _next_parts(self):
        lib = L.load()
        ev = ctypes.c_void_p()
        while self._ptr is not None:
            ev.value = None
            code = lib.openai_stream_next(self._ptr, 250, ctypes.byref(ev))
            item = self._after_next(code, ev.value)
            if item is not None:
                return item
        return _END

    def __next__(self):
        parts = self._next_parts()
        if parts is _END:
            raise StopIteration
        try:
            return _event_item(parts[0], parts[1], self._request, self._etype)
        except APIError:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class AsyncStream(_StreamBase):
    """Server-sent events as an async iterator, waiting on the stream's descriptor with
    loop.add_reader. ``await stream.close()`` (or ``aclose()``) or ``async with`` closes the
    connection."""

    def __init__(self, ptr, name, request=None):
        super().__init__(ptr, name, request)
        self._peeked = None
        self._waiting = None  # (loop, fd, future) while a task waits for the descriptor

    def __aiter__(self):
        return self

    async def __anext__(self):
        parts = await self._next_parts()
        if parts is _END:
            raise StopAsyncIteration
        try:
            return _event_item(parts[0], parts[1], self._request, self._etype)
        except APIError:
            self._close_now()
            raise

    async def _aevents(self):
        while True:
            parts = await self._next_parts()
            if parts is _END:
                return
            yield parts[0], parts[1].decode("utf-8", "replace")

    async def _next_parts(self):
        if self._peeked is not None:
            item, self._peeked = self._peeked, None
            return item
        lib = L.load()
        ev = ctypes.c_void_p()
        while self._ptr is not None:
            ev.value = None
            code = lib.openai_stream_try_next(self._ptr, ctypes.byref(ev))
            item = self._after_next(code, ev.value)
            if item is None:
                await self._readable()
            else:
                return item
        return _END

    async def _readable(self):
        loop = asyncio.get_running_loop()
        fd = L.load().openai_stream_fd(self._ptr)
        if fd < 0:
            raise OpenAIError("openai_stream_fd failed: %s" % L.last_error())
        waiter = loop.create_future()

        def ready():
            if not waiter.done():
                waiter.set_result(None)

        loop.add_reader(fd, ready)
        self._waiting = (loop, fd, waiter)
        try:
            await waiter
        finally:
            self._unwatch()

    def _unwatch(self):
        if self._waiting is not None:
            loop, fd, waiter = self._waiting
            self._waiting = None
            loop.remove_reader(fd)
            if not waiter.done():
                waiter.set_result(None)

    async def _start(self):
        """Waits for the first event or the end, so that an HTTP error raises at once."""
        try:
            item = await self._next_parts()
        except BaseException:
            self._close_now()
            raise
        if item is not _END:
            self._peeked = item
        return self

    def _close_now(self):
        self._unwatch()  # the descriptor leaves the loop before the stream is freed
        super().close()

    def close(self):
        """Closes the stream at once; also awaitable (``await stream.close()``, as the SDK's)."""
        self._close_now()
        return _done()

    async def aclose(self):
        self._close_now()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self._close_now()


class _Done:
    """An already finished awaitable: lets a method that acts at once also be awaited."""

    __slots__ = ()

    def __await__(self):
        return iter(())


def _done():
    return _Done()


def _stream_failed(ptr, code, name, request):
    lib = L.load()
    response = None
    rptr = lib.openai_stream_response(ptr)
    if rptr:
        response = read_response(rptr, "events", name, request)[1]
    error = make_error(code, _s(lib.openai_stream_error_message(ptr)) or L.last_error(), response, request)
    lib.openai_stream_free(ptr)
    return error


def open_stream(client, op, bound):
    symbol = _export(op, "stream", bound)
    fn = L.op_function(symbol)
    owned, keep = [], []
    out = ctypes.c_void_p()
    request = _request(client, op, bound)
    cc = _CallClient(client, _client_options(client, bound, symbol))
    try:
        cargs = build_args(op, symbol, bound, owned, keep)
        code = fn(cc.handle, *cargs, ctypes.byref(out))
    finally:
        cc.release()
        for up in owned:  # the call keeps its own reference
            up.close()
    if code != L.OK:
        raise _stream_failed(out.value, code, op.name, request)
    stream = Stream(out.value, op.name, request)
    stream._snapshot()
    return stream


async def aopen_stream(client, op, bound):
    symbol = _export(op, "stream_async", bound)
    fn = L.op_function(symbol)
    owned, keep = [], []
    request = _request(client, op, bound)
    cc = _CallClient(client, _client_options(client, bound, symbol))
    try:
        cargs = build_args(op, symbol, bound, owned, keep)
        ptr = fn(cc.handle, *cargs, None, None)
    finally:
        cc.release()
        for up in owned:  # the call keeps its own reference
            up.close()
    return await AsyncStream(ptr, op.name, request)._start()


def request_stream(client, method, path, query=None, body=None):
    lib = L.load()
    out = ctypes.c_void_p()
    name = "%s %s" % (method, path)
    request = Request(method, (client._base_url or "").rstrip("/") + path)
    code = lib.openai_request_stream(client._handle(), _cstr(method, "method"), _cstr(path, "path"),
                                     _query(query), _body(body), ctypes.byref(out))
    if code != L.OK:
        raise _stream_failed(out.value, code, name, request)
    stream = Stream(out.value, name, request)
    stream._snapshot()
    return stream


async def arequest_stream(client, method, path, query=None, body=None):
    lib = L.load()
    ptr = lib.openai_request_stream_async(client._handle(), _cstr(method, "method"), _cstr(path, "path"),
                                          _query(query), _body(body), None, None)
    request = Request(method, (client._base_url or "").rstrip("/") + path)
    return await AsyncStream(ptr, "%s %s" % (method, path), request)._start()


# ---------------------------------------------------------------------------------------------
# the library's pager (the 0.1.0 `_pages` methods)


class Pager:
    """Every page of a cursor list (``after`` = the last item's id while ``has_more``), fetched
    by the library as it is iterated; ``iter_items()`` walks the items of every page."""

    def __init__(self, ptr, name):
        self._ptr = ptr
        self._name = name
        self._finalizer = weakref.finalize(self, L.load().openai_pager_free, ptr)
        self._finalizer.atexit = False

    def __iter__(self):
        return self

    def __next__(self):
        if not self._finalizer.alive:
            raise StopIteration
        lib = L.load()
        out = ctypes.c_void_p()
        code = lib.openai_pager_next(self._ptr, ctypes.byref(out))
        if not out.value:
            self.close()
            if code == L.OK:
                raise StopIteration
            raise make_error(code, L.last_error())
        result = take_response(out.value, "json", self._name)
        if result[2] is not None:
            self.close()
        return _finish(result).parse()

    def iter_items(self):
        for page in self:
            yield from page.get("data") or []

    def close(self):
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def pages(client, op, bound):
    symbol = _export(op, "pages", bound)
    fn = L.op_function(symbol)
    cargs = build_args(op, symbol, bound, [], [])
    out = ctypes.c_void_p()
    cc = _CallClient(client, _client_options(client, bound, symbol))
    try:
        code = fn(cc.handle, *cargs, ctypes.byref(out))
    finally:
        cc.release()
    if code != L.OK or not out.value:
        raise make_error(code, L.last_error())
    return Pager(out.value, op.name)


def request_pages(client, path, query=None):
    lib = L.load()
    out = ctypes.c_void_p()
    code = lib.openai_request_pages(client._handle(), _cstr(path, "path"), _query(query), ctypes.byref(out))
    if code != L.OK or not out.value:
        raise make_error(code, L.last_error())
    return Pager(out.value, "GET " + path)


class AsyncPager:
    """The asyncio twin of Pager: ``async for page in ...``; ``iter_items()`` is an async
    iterator over the items. Each page is one async call of the list operation."""

    def __init__(self, fetch, query):
        self._fetch = fetch  # coroutine function: query dict -> page
        self._query = dict(query)

    def __aiter__(self):
        return self._walk()

    async def _walk(self):
        query = dict(self._query)
        while True:
            page = await self._fetch(query)
            yield page
            data = page.get("data") or []
            last = data[-1] if data else None
            if not page.get("has_more") or not isinstance(last, OpenAIObject) or not last.get("id"):
                return
            query["after"] = last["id"]

    async def iter_items(self):
        async for page in self:
            for item in page.get("data") or []:
                yield item


def arequest_pages(client, path, query=None):
    return AsyncPager(lambda q: arequest(client, "GET", path, q), query or {})


# ---------------------------------------------------------------------------------------------
# with_streaming_response


def _streamed(client, op, bound):
    """The StreamedAPIResponse of a blocking call (``with_streaming_response``)."""
    streaming = _stream_operation(op, bound)
    if streaming is not None:
        return StreamedAPIResponse(None, stream=open_stream(client, streaming, bound))
    download = None
    if "to_file" in op.functions:
        download = lambda path: to_file(client, op, bound, path, None)  # noqa: E731
        return StreamedAPIResponse(lambda: call(client, op, bound, raw=True), download)
    response = StreamedAPIResponse(lambda: call(client, op, bound, raw=True))
    response._started()  # the call is made when the block begins, as the SDK's
    return response


async def _astreamed(client, op, bound):
    streaming = _stream_operation(op, bound)
    if streaming is not None:
        return AsyncStreamedAPIResponse(None, stream=await aopen_stream(client, streaming, bound))

    async def fetch():
        return await acall(client, op, bound, raw=True)

    if "to_file_async" in op.functions:
        async def download(path):
            return await ato_file(client, op, bound, path, None)

        return AsyncStreamedAPIResponse(fetch, download)
    response = AsyncStreamedAPIResponse(fetch)
    await response._astarted()
    return response


# ---------------------------------------------------------------------------------------------
# resources (the generated classes in _operations.py derive from these)


def _split_to_file(args, kwargs):
    """(path, progress, args, kwargs) of a ``verb_to_file([path parameter,] path, ...,
    progress=)`` call: the file's path follows the positional path parameter, if any."""
    kwargs = dict(kwargs)
    progress = kwargs.pop("progress", None)
    if "path" in kwargs:
        path = kwargs.pop("path")
    elif args:
        path, args = args[-1], args[:-1]
    else:
        raise TypeError("the path of the file to write is missing")
    return path, progress, args, kwargs


class Resource:
    """A group of operations of the blocking client (``client.chat.completions``): each
    operation ``verb`` blocks, ``averb`` is its asyncio form. ``with_raw_response`` gives the
    APIResponse instead of the result, ``with_streaming_response`` a context manager over it,
    as in the official SDK."""

    _mode = None        # None, "raw" or "stream"
    _METHODS = {}       # generated: {method: (operation, kind)}
    _CHILDREN = ()      # generated: the child resources' attribute names

    def __init__(self, client):
        self._client = client

    def _call(self, name, args, kwargs):
        op = _operation(name)
        bound = bind(op, args, kwargs)
        _prepare(bound)
        if self._mode == "stream":
            return ResponseContextManager(lambda: _streamed(self._client, op, bound))
        return call(self._client, op, bound, self._mode == "raw")

    async def _acall(self, name, args, kwargs):
        op = _operation(name)
        bound = bind(op, args, kwargs)
        _prepare(bound)
        return await acall(self._client, op, bound, self._mode == "raw")

    def _astream_ctx(self, name, *args, **kwargs):
        op = _operation(name)
        bound = bind(op, args, kwargs)
        _prepare(bound)
        return AsyncResponseContextManager(lambda: _astreamed(self._client, op, bound))

    def _alist(self, name, args, kwargs):
        op = _operation(name)
        bound = bind(op, args, kwargs)
        client = self._client
        if self._mode == "raw":
            return acall(client, op, bound, True)
        if self._mode == "stream":
            return AsyncResponseContextManager(lambda: _astreamed(client, op, bound))
        return AsyncPaginator(lambda: acall(client, op, bound))

    def _pages(self, name, args, kwargs):
        op = _operation(name)
        return pages(self._client, op, bind(op, args, kwargs))

    def _apages(self, name, args, kwargs):
        op = _operation(name)
        bound = bind(op, args, kwargs)
        client = self._client
        return AsyncPager(lambda query: acall(client, op, _with_query(bound, query)), {})

    def _to_file(self, name, args, kwargs):
        op = _operation(name)
        path, progress, args, kwargs = _split_to_file(args, kwargs)
        return to_file(self._client, op, bind(op, args, kwargs), path, progress)

    async def _ato_file(self, name, args, kwargs):
        op = _operation(name)
        path, progress, args, kwargs = _split_to_file(args, kwargs)
        return await ato_file(self._client, op, bind(op, args, kwargs), path, progress)

    # -- the SDK's response modes

    def _with_mode(self, mode):
        cache = self.__dict__.setdefault("_mode_views", {})
        view = cache.get(mode)
        if view is None:
            view = object.__new__(type(self))
            view.__dict__.update({k: v for k, v in self.__dict__.items() if k != "_mode_views"})
            view._mode = "raw" if mode == "araw" else mode
            for child in self._CHILDREN:
                view.__dict__[child] = getattr(self, child)._with_mode(mode)
            for method, (opname, kind) in self._METHODS.items():
                if mode == "stream" and kind == "acall":
                    view.__dict__[method] = _bound_partial(view._astream_ctx, opname)
                elif mode == "araw" and kind == "call":
                    view.__dict__[method] = view.__dict__.get("a" + method) or getattr(view, "a" + method)
            cache[mode] = view
        return view

    @property
    def with_raw_response(self):
        """The same operations, giving the APIResponse (``.parse()`` gives the result)."""
        return self._with_mode("raw")

    @property
    def with_streaming_response(self):
        """The same operations as context managers over the response, read as you go."""
        return self._with_mode("stream")

    @property
    def awith_raw_response(self):
        """``awith_raw_response.verb(...)`` is a coroutine giving the APIResponse (0.1.0)."""
        return self._with_mode("araw")


def _bound_partial(fn, name):
    def method(*args, **kwargs):
        return fn(name, *args, **kwargs)

    return method


def _with_query(bound, query):
    return bound.with_query(query) if query else bound


class AsyncResource(Resource):
    """A group of operations of the asyncio client: every operation is a coroutine, except the
    lists, which return at once something to await (the first page) or to ``async for`` over
    (every item), as in the official SDK."""

    @property
    def awith_raw_response(self):
        return self.with_raw_response
