"""The machinery under every operation: arguments to C, responses to Python, the asyncio bridge
(one completion queue per event loop, watched with loop.add_reader), streams, pagers, uploads."""

import asyncio
import collections
import ctypes
import itertools
import json
import os
import threading
import weakref

from . import _lib as L
from ._exceptions import (
    STATUS_CLASSES,
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    APIUserAbortError,
    InvalidArgumentError,
    OpenAIError,
)
from ._types import APIResponse, Headers, OpenAIObject, parse_json

Operation = collections.namedtuple(
    "Operation", "name method path path_params input files response beta functions legacy_functions")

# One C function as bindings/operations.json describes it: its form, its arguments
# ((name, C type, role), ...) and its return type.
Export = collections.namedtuple("Export", "form args returns")

# The roles of the arguments that carry a call's inputs (the others are the form's own: the
# client, out-pointers, callbacks, a download's path).
_INPUT_ROLES = ("path_param", "query", "body", "fields", "file", "file_array", "file_count")


def _operation(name):
    from ._operations import OPERATIONS

    return OPERATIONS[name]


def _s(raw):
    return raw.decode("utf-8", "replace") if raw is not None else None


# ---------------------------------------------------------------------------------------------
# arguments


def _json_default(value):
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    for method in ("to_dict", "model_dump"):
        fn = getattr(value, method, None)
        if callable(fn):
            return fn()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def encode_json(value):
    """JSON text (UTF-8 bytes) of a Python value, compact, non-ASCII kept as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=_json_default).encode("utf-8")


def _cstr(value, what):
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError("%s must be a str, not %s" % (what, type(value).__name__))
    if "\0" in value:
        raise InvalidArgumentError("%s must not contain a NUL character" % what)
    return value.encode("utf-8")


class Upload:
    """A file for a multipart operation (``files.upload(file=...)``, ``images.edit(image=...)``).

    Operations also accept a path (str or os.PathLike, streamed from disk), bytes, a file object
    or a ``(filename, content[, content_type])`` tuple, and make the upload themselves; create an
    Upload to set its filename, content type or a ``progress(done, total)`` callback, or to send
    one file several times. ``close()`` (or the end of a ``with`` block, or garbage collection)
    frees it; calls already sending it keep their own reference.
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
        """``data`` (bytes-like, copied), sent as ``filename`` (default "file")."""
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
    elif isinstance(value, tuple) and 2 <= len(value) <= 3:
        filename, content = value[0], value[1]
        content_type = value[2] if len(value) == 3 else None
        if isinstance(content, (str, os.PathLike)):
            up = Upload.from_path(content, filename, content_type)
        else:
            if hasattr(content, "read"):
                content = content.read()
            up = Upload.from_bytes(content, filename, content_type)
    elif hasattr(value, "read"):
        data = value.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = getattr(value, "name", None)
        name = os.path.basename(name) if isinstance(name, str) and name else None
        up = Upload.from_bytes(data, name)
    else:
        raise TypeError("a file must be a path, bytes, a file object, a (filename, content) tuple "
                        "or an Upload, not %s" % type(value).__name__)
    owned.append(up)
    return up._ptr


def _export(op, form, kwargs):
    """The C function of `op` in `form` for a call with these keyword arguments: the one of the
    0.1.0 signature when the call fits it (one file per file field, no query for a JSON
    operation), else the one that takes every input of today's route."""
    from ._operations import EXPORTS

    legacy = op.legacy_functions.get(form)
    if legacy is not None:
        roles = {a[2] for a in EXPORTS[legacy].args}
        lists = any(isinstance(kwargs.get(name), (list, tuple)) and not _is_file_tuple(kwargs.get(name))
                    for name, _, array in op.files if array)
        if not lists and ("extra_query" not in kwargs or "query" in roles):
            return legacy
    symbol = op.functions.get(form)
    if symbol is None:
        raise NotImplementedError("%s has no %s form in the operation table" % (op.name, form))
    return symbol


def _is_file_tuple(value):
    """A (filename, content[, content_type]) tuple, one file, rather than a list of files."""
    return isinstance(value, tuple) and 2 <= len(value) <= 3 and isinstance(value[0], str)


def build_args(op, symbol, args, kwargs, owned, keep):
    """The C arguments that carry the inputs of a call of `symbol` (after the client), made
    from its described signature: path parameters from `args`, the query, body, form fields and
    files from `kwargs`. Arrays made here are appended to `keep`."""
    from ._operations import EXPORTS

    export = EXPORTS[symbol]
    if len(args) != len(op.path_params):
        raise TypeError("%s takes %d path parameters (%s), %d given"
                        % (op.name, len(op.path_params), ", ".join(op.path_params), len(args)))
    kwargs = dict(kwargs)
    params = iter(args)
    roles = [a[2] for a in export.args]
    takes_body = "body" in roles or "fields" in roles
    extra_query = kwargs.pop("extra_query", None)
    files = {name: kwargs.pop(name, None) for name, _, _ in op.files}
    out = []
    for name, _ctype, role in export.args:
        if role not in _INPUT_ROLES:
            continue
        if role == "path_param":
            out.append(_cstr(next(params), name))
        elif role == "query":
            query = extra_query if takes_body else kwargs
            out.append(encode_json(query) if query else None)
        elif role == "body":
            required = op.input in ("json", "json_query") or export.form in ("stream", "stream_async")
            out.append(encode_json(kwargs) if (kwargs or required) else None)
        elif role == "fields":
            out.append(encode_json(kwargs) if kwargs else None)
        elif role == "file":
            value = files.get(name)
            required = any(f == name and r for f, r, _ in op.files)
            if value is None:
                if required:
                    raise TypeError("%s() needs the file %r" % (op.name, name))
                out.append(None)
            else:
                out.append(_upload(value, owned))
        elif role == "file_array":
            value = files.get(name)
            if value is None:
                value = []
            elif not isinstance(value, (list, tuple)) or _is_file_tuple(value):
                value = [value]
            required = any(f == name and r for f, r, _ in op.files)
            if required and not value:
                raise TypeError("%s() needs the file %r" % (op.name, name))
            array = (ctypes.c_void_p * max(len(value), 1))(*[_upload(v, owned) for v in value])
            keep.append(array)
            out.append(ctypes.cast(array, ctypes.POINTER(ctypes.c_void_p)) if value else None)
        elif role == "file_count":
            out.append(len(keep[-1]) if out[-1] is not None else 0)
    if extra_query and "query" not in roles:
        raise TypeError("%s() takes no query parameters" % op.name)
    if op.input == "none" and kwargs:
        raise TypeError("%s() takes no body or query (got %s)" % (op.name, ", ".join(kwargs)))
    return out


def _stream_operation(op, kwargs):
    """The operation to stream with, or None for a plain call: `op` itself when it only streams
    or has a stream form and ``stream=True`` is given; with ``stream=True`` on an operation
    without one (beta.threads.runs.create), the table's streaming operation of the same method
    and path (beta.threads.runs.create_and_stream)."""
    fns = op.functions
    if "blocking" not in fns and "async" not in fns:
        return op
    if kwargs.get("stream") is not True:
        return None
    if "stream" in fns:
        return op
    from ._operations import OPERATIONS

    for other in OPERATIONS.values():
        if other.method == op.method and other.path == op.path and "stream" in other.functions:
            return other
    return None


# ---------------------------------------------------------------------------------------------
# responses and errors


def read_response(ptr, kind="json", operation=None):
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
        _s(lib.openai_response_request_id(ptr)), lib.openai_response_retries(ptr), kind, operation)
    code = lib.openai_response_code(ptr)
    error = None
    if code != L.OK:
        error = make_error(code, _s(lib.openai_response_error_message(ptr)), response)
    return code, response, error


def take_response(ptr, kind="json", operation=None):
    """read_response, then frees the handle."""
    try:
        return read_response(ptr, kind, operation)
    finally:
        L.load().openai_response_free(ptr)


def make_error(code, message, response=None):
    """The exception of a failed call, of the official SDK's class for its code."""
    message = message or L.code_name(code)
    body = None
    if response is not None and response.content:
        try:
            parsed = json.loads(response.content)
            body = parsed.get("error", parsed) if isinstance(parsed, dict) else parsed
        except ValueError:
            body = response.text
    if response is not None and response.status_code == 0:
        response = None if code in (L.INVALID_ARGUMENT, L.INTERNAL, L.WOULD_DEADLOCK) else response
    if code in STATUS_CLASSES:
        return STATUS_CLASSES[code](message, response, body=body, code=code)
    if code == L.OTHER_STATUS:
        return APIStatusError(message, response, body=body, code=code)
    if code == L.TIMEOUT:
        return APITimeoutError(message, response, code=code)
    if code == L.CONNECTION:
        return APIConnectionError(message, response, code=code)
    if code == L.CANCELLED:
        return APIUserAbortError(message, response, code=code)
    if code == L.INVALID_RESPONSE:
        return APIResponseValidationError(message, response, body=body, code=code)
    if code == L.STREAM_ERROR:
        return APIError(message, response, body=body, code=code)
    if code == L.INVALID_ARGUMENT:
        return InvalidArgumentError(message)
    return OpenAIError("%s (%s)" % (message, L.code_name(code)))


def finish(result, raw):
    code, response, error = result
    if error is not None:
        raise error
    return response if raw else response.parse()


# ---------------------------------------------------------------------------------------------
# blocking calls


def call(client, op, args, kwargs, raw=False):
    streaming = _stream_operation(op, kwargs)
    if streaming is not None:
        return open_stream(client, streaming, args, kwargs)
    symbol = _export(op, "blocking", kwargs)
    fn = L.op_function(symbol)
    owned, keep = [], []
    out = ctypes.c_void_p()
    try:
        cargs = build_args(op, symbol, args, kwargs, owned, keep)
        fn(client._handle(), *cargs, ctypes.byref(out))
    finally:
        for up in owned:
            up.close()
    return finish(take_response(out.value, op.response, op.name), raw)


def to_file(client, op, args, kwargs, path, progress):
    symbol = _export(op, "to_file", kwargs)
    fn = L.op_function(symbol)
    owned, keep = [], []
    out = ctypes.c_void_p()
    thunk = L.PROGRESS(lambda done, total, _ud: progress(done, total)) if progress else L.PROGRESS()
    try:
        cargs = build_args(op, symbol, args, kwargs, owned, keep)
        fn(client._handle(), *cargs, _cstr(path, "path"), thunk, None, ctypes.byref(out))
    finally:
        for up in owned:
            up.close()
    return finish(take_response(out.value, "bytes", op.name), True)


async def ato_file(client, op, args, kwargs, path, progress):
    symbol = _export(op, "to_file_async", kwargs)
    fn = L.op_function(symbol)
    owned, keep = [], []
    # The library reports progress from its own threads: handed to the event loop's thread.
    loop = asyncio.get_running_loop()
    thunk = (L.PROGRESS(lambda done, total, _ud: loop.call_soon_threadsafe(progress, done, total))
             if progress else L.PROGRESS())
    try:
        cargs = build_args(op, symbol, args, kwargs, owned, keep)
        handle = client._handle()
        cpath = _cstr(path, "path")
        result = await _dispatcher().run(lambda tag: fn(handle, *cargs, cpath, thunk, None, None, tag),
                                         "bytes", op.name, keep=thunk)
    finally:
        for up in owned:
            up.close()
    return finish(result, True)


def request(client, method, path, query=None, body=None, raw=False):
    lib = L.load()
    out = ctypes.c_void_p()
    lib.openai_request(client._handle(), _cstr(method, "method"), _cstr(path, "path"),
                       _query(query), _body(body), ctypes.byref(out))
    return finish(take_response(out.value, "any", "%s %s" % (method, path)), raw)


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
            waiter, kind, name = entry
            try:
                waiter.set_result(take_response(resp.value, kind, name))
            except BaseException as e:  # pragma: no cover (a bug reading the response)
                waiter.set_exception(e)

    async def run(self, start, kind, name, keep=None):
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
        self.waiters[tag] = (waiter, kind, name)
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


async def acall(client, op, args, kwargs, raw=False):
    streaming = _stream_operation(op, kwargs)
    if streaming is not None:
        return await aopen_stream(client, streaming, args, kwargs)
    symbol = _export(op, "async", kwargs)
    fn = L.op_function(symbol)
    owned, keep = [], []
    try:
        cargs = build_args(op, symbol, args, kwargs, owned, keep)
        handle = client._handle()

        def start(tag):
            try:
                return fn(handle, *cargs, None, tag)
            finally:
                for up in owned:  # the call keeps its own reference
                    up.close()

        result = await _dispatcher().run(start, op.response, op.name)
    finally:
        for up in owned:
            up.close()
    return finish(result, raw)


async def arequest(client, method, path, query=None, body=None, raw=False):
    lib = L.load()
    cargs = (client._handle(), _cstr(method, "method"), _cstr(path, "path"), _query(query), _body(body))
    result = await _dispatcher().run(
        lambda tag: lib.openai_request_async(*cargs, None, tag), "any", "%s %s" % (method, path))
    return finish(result, raw)


# ---------------------------------------------------------------------------------------------
# streams

_END = object()


class _StreamBase:
    def __init__(self, ptr, name):
        lib = L.load()
        self._ptr = ptr
        self._name = name
        self._finalizer = weakref.finalize(self, lib.openai_stream_free, ptr)
        self._finalizer.atexit = False
        self.response = None  # APIResponse: status, headers, request id once the stream began

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
                self.response = read_response(ptr, "events", self._name)[1]

    def _after_next(self, code, ev):
        """The item for an openai_stream_next result, _END, or raises; None for PENDING."""
        lib = L.load()
        if code == L.PENDING:
            return None
        self._snapshot()
        if code == L.OK:
            if not ev:
                self.close()
                return _END
            try:
                return _event_item(ev)
            finally:
                lib.openai_event_free(ev)
        message = _s(lib.openai_stream_error_message(self._ptr))
        error = make_error(code, message, self.response)
        self.close()
        raise error

    def close(self):
        """Closes the stream: its connection is dropped at once."""
        self._finalizer()
        self._ptr = None

    def __repr__(self):
        return "<%s %s%s>" % (type(self).__name__, self._name, " closed" if self.closed else "")


def _event_item(ev):
    """A chat chunk (an unnamed event) is its parsed data; a named event (assistants) is
    OpenAIObject(event=<name>, data=<parsed data>)."""
    lib = L.load()
    name = _s(lib.openai_event_name(ev)) or ""
    n = ctypes.c_size_t()
    ptr = lib.openai_event_data(ev, ctypes.byref(n))
    data = ctypes.string_at(ptr, n.value) if ptr and n.value else b""
    try:
        parsed = parse_json(data)
    except ValueError:
        parsed = data.decode("utf-8", "replace")
    if not name:
        return parsed
    return OpenAIObject(event=name, data=parsed)


class Stream(_StreamBase):
    """Server-sent events as an iterator: chat completion chunks (``chunk.choices[0].delta``),
    or ``event.event`` / ``event.data`` for named (assistant) events. ``close()``, or leaving a
    ``with`` block, closes the connection."""

    def __iter__(self):
        return self

    def __next__(self):
        lib = L.load()
        ev = ctypes.c_void_p()
        while self._ptr is not None:
            ev.value = None
            code = lib.openai_stream_next(self._ptr, 250, ctypes.byref(ev))
            item = self._after_next(code, ev.value)
            if item is _END:
                break
            if item is not None:
                return item
        raise StopIteration

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class AsyncStream(_StreamBase):
    """Server-sent events as an async iterator, waiting on the stream's descriptor with
    loop.add_reader. ``await stream.aclose()`` or ``async with`` closes the connection."""

    def __init__(self, ptr, name):
        super().__init__(ptr, name)
        self._peeked = None
        self._waiting = None  # (loop, fd, future) while a task waits for the descriptor

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self._peeked is not None:
            item, self._peeked = self._peeked, None
            return item
        item = await self._next()
        if item is _END:
            raise StopAsyncIteration
        return item

    async def _next(self):
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
            item = await self._next()
        except BaseException:
            self.close()
            raise
        if item is not _END:
            self._peeked = item
        return self

    def close(self):
        self._unwatch()  # the descriptor leaves the loop before the stream is freed
        super().close()

    async def aclose(self):
        self.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self.close()


def _stream_failed(ptr, code, name):
    lib = L.load()
    response = None
    rptr = lib.openai_stream_response(ptr)
    if rptr:
        response = read_response(rptr, "events", name)[1]
    error = make_error(code, _s(lib.openai_stream_error_message(ptr)) or L.last_error(), response)
    lib.openai_stream_free(ptr)
    return error


def open_stream(client, op, args, kwargs):
    symbol = _export(op, "stream", kwargs)
    fn = L.op_function(symbol)
    owned, keep = [], []
    out = ctypes.c_void_p()
    try:
        cargs = build_args(op, symbol, args, kwargs, owned, keep)
        code = fn(client._handle(), *cargs, ctypes.byref(out))
    finally:
        for up in owned:  # the call keeps its own reference
            up.close()
    if code != L.OK:
        raise _stream_failed(out.value, code, op.name)
    stream = Stream(out.value, op.name)
    stream._snapshot()
    return stream


async def aopen_stream(client, op, args, kwargs):
    symbol = _export(op, "stream_async", kwargs)
    fn = L.op_function(symbol)
    owned, keep = [], []
    try:
        cargs = build_args(op, symbol, args, kwargs, owned, keep)
        ptr = fn(client._handle(), *cargs, None, None)
    finally:
        for up in owned:  # the call keeps its own reference
            up.close()
    return await AsyncStream(ptr, op.name)._start()


def request_stream(client, method, path, query=None, body=None):
    lib = L.load()
    out = ctypes.c_void_p()
    name = "%s %s" % (method, path)
    code = lib.openai_request_stream(client._handle(), _cstr(method, "method"), _cstr(path, "path"),
                                     _query(query), _body(body), ctypes.byref(out))
    if code != L.OK:
        raise _stream_failed(out.value, code, name)
    stream = Stream(out.value, name)
    stream._snapshot()
    return stream


async def arequest_stream(client, method, path, query=None, body=None):
    lib = L.load()
    ptr = lib.openai_request_stream_async(client._handle(), _cstr(method, "method"), _cstr(path, "path"),
                                          _query(query), _body(body), None, None)
    return await AsyncStream(ptr, "%s %s" % (method, path))._start()


# ---------------------------------------------------------------------------------------------
# pagination


class Pager:
    """Every page of a cursor list (``after`` = the last item's id while ``has_more``), fetched
    as it is iterated; ``iter_items()`` walks the items of every page."""

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
        return finish(result, False)

    def iter_items(self):
        for page in self:
            yield from page.get("data") or []

    def close(self):
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def pages(client, op, args, kwargs):
    symbol = _export(op, "pages", kwargs)
    fn = L.op_function(symbol)
    cargs = build_args(op, symbol, args, kwargs, [], [])
    out = ctypes.c_void_p()
    code = fn(client._handle(), *cargs, ctypes.byref(out))
    if code != L.OK or not out.value:
        raise make_error(code, L.last_error())
    return Pager(out.value, op.name)


def arequest_pages(client, path, query=None):
    return AsyncPager(lambda q: arequest(client, "GET", path, q), query or {})


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
            if not page.get("has_more") or not isinstance(last, dict) or not last.get("id"):
                return
            query["after"] = last["id"]

    async def iter_items(self):
        async for page in self:
            for item in page.get("data") or []:
                yield item


# ---------------------------------------------------------------------------------------------
# resources (the generated classes in _operations.py derive from these)


class Resource:
    """A group of operations of the blocking client (``client.chat.completions``): each
    operation ``verb`` blocks, ``averb`` is its asyncio form; ``with_raw_response`` and
    ``awith_raw_response`` give the APIResponse instead of the parsed result."""

    _raw = False

    def __init__(self, client):
        self._client = client

    def _call(self, name, args, kwargs):
        return call(self._client, _operation(name), args, kwargs, self._raw)

    async def _acall(self, name, args, kwargs):
        return await acall(self._client, _operation(name), args, kwargs, self._raw)

    def _pages(self, name, args, kwargs):
        return pages(self._client, _operation(name), args, kwargs)

    def _apages(self, name, args, kwargs):
        op = _operation(name)
        client = self._client
        return AsyncPager(lambda query: acall(client, op, args, query), kwargs)

    def _to_file(self, name, args, kwargs, path, progress):
        return to_file(self._client, _operation(name), args, kwargs, path, progress)

    async def _ato_file(self, name, args, kwargs, path, progress):
        return await ato_file(self._client, _operation(name), args, kwargs, path, progress)

    @property
    def with_raw_response(self):
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._raw = True
        return clone

    @property
    def awith_raw_response(self):
        """``awith_raw_response.verb(...)`` is a coroutine giving the APIResponse."""
        clone = self.with_raw_response
        clone._call = clone._acall
        return clone


class AsyncResource(Resource):
    """A group of operations of the asyncio client: every operation is a coroutine."""

    @property
    def awith_raw_response(self):
        return self.with_raw_response
