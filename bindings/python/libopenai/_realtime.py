"""Realtime sessions over the library's WebSocket (``openai_realtime_*``), with the official SDK's
surface: ``client.realtime.connect(model=...)`` and ``client.responses.connect()`` as context
managers giving a connection to iterate (``for event in connection``; ``async for`` on
AsyncOpenAI, waiting on the session's descriptor with loop.add_reader), ``send``, ``recv``, the
event helpers (``connection.session.update(...)``, ``connection.response.create()``, ...),
``close``, handlers (``on``, ``once``, ``off``, ``dispatch_events``) and reconnection
(``on_reconnecting``)."""

import asyncio
import ctypes
import dataclasses
import json
import select
import time
import weakref

from . import _lib as L
from ._core import _cstr, encode_json, make_error, read_response
from ._exceptions import InvalidArgumentError, OpenAIError, QueueFullError
from ._models import OpenAIObject, event_type, parse_json, to_plain, typed
from ._types import NOT_GIVEN, is_given

__all__ = ["RealtimeConnection", "AsyncRealtimeConnection", "RealtimeConnectionManager",
           "AsyncRealtimeConnectionManager", "ReconnectingEvent", "RealtimeHelpers",
           "AsyncRealtimeHelpers"]

vp = ctypes.c_void_p
RECONNECT = ctypes.CFUNCTYPE(ctypes.c_bool, vp, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_int,
                             vp, vp)

_FUNCTIONS = {
    "openai_realtime_connect_async": (vp, [vp, ctypes.c_char_p, vp]),
    "openai_responses_connect_async": (vp, [vp, ctypes.c_char_p, vp]),
    "openai_realtime_options_new": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(vp)]),
    "openai_realtime_options_set_reconnect": (ctypes.c_int, [vp, RECONNECT, vp]),
    "openai_realtime_options_free": (None, [vp]),
    "openai_realtime_send": (ctypes.c_int, [vp, ctypes.c_char_p]),
    "openai_realtime_append_audio": (ctypes.c_int, [vp, ctypes.c_char_p, ctypes.c_size_t]),
    "openai_realtime_next": (ctypes.c_int, [vp, ctypes.c_int64, ctypes.POINTER(vp)]),
    "openai_realtime_try_next": (ctypes.c_int, [vp, ctypes.POINTER(vp)]),
    "openai_realtime_fd": (ctypes.c_int, [vp]),
    "openai_realtime_close": (ctypes.c_int, [vp, ctypes.c_int, ctypes.c_char_p]),
    "openai_realtime_cancel": (None, [vp]),
    "openai_realtime_code": (ctypes.c_int, [vp]),
    "openai_realtime_error_message": (ctypes.c_char_p, [vp]),
    "openai_realtime_close_code": (ctypes.c_int, [vp]),
    "openai_realtime_close_reason": (ctypes.c_char_p, [vp]),
    "openai_realtime_response": (vp, [vp]),
    "openai_realtime_free": (None, [vp]),
    "openai_reconnect_query": (ctypes.c_char_p, [vp]),
    "openai_reconnect_set_query": (ctypes.c_int, [vp, ctypes.c_char_p]),
    "openai_reconnect_set_header": (ctypes.c_int, [vp, ctypes.c_char_p, ctypes.c_char_p]),
}


def _fn(name):
    return L.declare(name, *_FUNCTIONS[name])


@dataclasses.dataclass(frozen=True)
class ReconnectingEvent:
    """What ``on_reconnecting`` is told before each reconnection attempt (the SDK's)."""

    attempt: int
    max_attempts: int
    delay: float
    close_code: int
    extra_query: dict
    extra_headers: dict


# ---------------------------------------------------------------------------------------------
# the session


class _Session:
    """The library's session handle and what it needs alive: started with
    ``openai_realtime_connect_async`` (or the Responses one) and options; freed once."""

    def __init__(self, client, kind, query, headers, on_reconnecting, max_retries, initial_delay, max_delay,
                 max_queue_size):
        self.kind = kind
        self.query = dict(query)
        # the SDK's handshake carries its default Accept and Content-Type headers
        self.headers = {"Accept": "application/json", "Content-Type": "application/json"}
        for name, value in headers.items():
            self.headers = {k: v for k, v in self.headers.items() if k.lower() != name.lower()}
            self.headers[name] = value if is_given(value) else None
        self.error = None  # an exception raised by on_reconnecting (it aborts the reconnection)
        options = {"max_retries": max_retries, "initial_delay": initial_delay, "max_delay": max_delay,
                   "max_reconnect_queue_bytes": max_queue_size}
        if self.headers:
            options["headers"] = self.headers
        out = vp()
        code = _fn("openai_realtime_options_new")(encode_json(options), ctypes.byref(out))
        if code != L.OK:
            raise InvalidArgumentError(L.last_error() or "bad session options")
        opts = out.value
        self.thunk = None
        try:
            if on_reconnecting is not None:
                self.thunk = RECONNECT(self._reconnecting_trampoline(on_reconnecting))
                _fn("openai_realtime_options_set_reconnect")(opts, self.thunk, None)
            connect = "openai_realtime_connect_async" if kind == "realtime" else "openai_responses_connect_async"
            self.ptr = _fn(connect)(client._handle(), encode_json(self.query) if self.query else None, opts)
        finally:
            _fn("openai_realtime_options_free")(opts)
        # the reconnection callback may run until the session is freed: the finalizer keeps it
        self.finalizer = weakref.finalize(self, _free, self.ptr, self.thunk)
        self.finalizer.atexit = False
        self.etype = event_type("realtime.connect" if kind == "realtime" else "responses.connect")

    def _reconnecting_trampoline(self, handler):
        session = weakref.ref(self)

        def trampoline(_ptr, attempt, max_attempts, delay_ms, close_code, next_, _userdata):
            me = session()
            if me is None:
                return False
            try:
                current = json.loads((_fn("openai_reconnect_query")(next_) or b"{}").decode())
                event = ReconnectingEvent(attempt, max_attempts, delay_ms / 1000.0, close_code, current,
                                          dict(me.headers))
                overrides = handler(event) or {}
                if overrides.get("abort"):
                    return False
                if "extra_query" in overrides:
                    query = {k: v for k, v in me.query.items() if k in ("model", "call_id")}
                    query.update(overrides["extra_query"] or {})
                    if _fn("openai_reconnect_set_query")(next_, encode_json(query)) != L.OK:
                        raise InvalidArgumentError(L.last_error() or "bad query")
                for name, value in (overrides.get("extra_headers") or {}).items():
                    value = value if is_given(value) and value is not None else None
                    if _fn("openai_reconnect_set_header")(next_, _cstr(name, "header name"),
                                                          None if value is None else _cstr(value, "header")) != L.OK:
                        raise InvalidArgumentError(L.last_error() or "bad header")
                    me.headers[name] = value
                return True
            except BaseException as e:  # noqa: BLE001 - nothing may cross into C; the session reports it
                me.error = e
                return False

        return trampoline

    def handle(self):
        if not self.finalizer.alive:
            raise OpenAIError("the session is closed")
        return self.ptr

    def free(self):
        self.finalizer()

    # -- state

    def ended_error(self, code):
        """The exception of a session that ended with `code`."""
        if self.error is not None:
            return self.error
        ptr = self.handle()
        message = (_fn("openai_realtime_error_message")(ptr) or b"").decode("utf-8", "replace")
        response = None
        rptr = _fn("openai_realtime_response")(ptr)
        if rptr:
            response = read_response(rptr, "json", self.kind + ".connect")[1]
        if code == L.QUEUE_FULL:
            return QueueFullError(message or "the send queue is full")
        error = make_error(code, message, response)
        error.close_code = _fn("openai_realtime_close_code")(ptr)
        reason = _fn("openai_realtime_close_reason")(ptr)
        error.close_reason = reason.decode("utf-8", "replace") if reason is not None else None
        return error

    def opened(self):
        """True once the handshake is done (the session may have ended since: its events are
        read first); raises when it ended before a connection opened."""
        ptr = self.handle()
        rptr = _fn("openai_realtime_response")(ptr)
        if rptr and L.load().openai_response_status(rptr) == 101:
            return True
        code = _fn("openai_realtime_code")(ptr)
        if code not in (L.PENDING, L.OK):
            raise self.ended_error(code)
        return code == L.OK

    def response(self):
        rptr = _fn("openai_realtime_response")(self.handle())
        return read_response(rptr, "json", self.kind + ".connect")[1] if rptr else None

    def fd(self):
        fd = _fn("openai_realtime_fd")(self.handle())
        if fd < 0:
            raise OpenAIError("openai_realtime_fd failed: %s" % L.last_error())
        return fd

    def close_code(self):
        return _fn("openai_realtime_close_code")(self.handle()) or None

    # -- sending

    def send_text(self, text):
        code = _fn("openai_realtime_send")(self.handle(), text.encode("utf-8") if isinstance(text, str) else text)
        if code != L.OK:
            raise self._send_error(code)

    def append_audio(self, pcm):
        data = bytes(pcm)
        code = _fn("openai_realtime_append_audio")(self.handle(), data, len(data))
        if code != L.OK:
            raise self._send_error(code)

    def _send_error(self, code):
        if code == L.INVALID_ARGUMENT:
            return InvalidArgumentError(L.last_error() or "not a JSON object")
        if code == L.QUEUE_FULL:
            return QueueFullError(L.last_error() or "the send queue is full")
        return self.ended_error(code)

    # -- receiving

    def take(self, code, ev):
        """(name, data) for a next() result; None while nothing is ready; _CLOSED at a clean
        end; raises at an error end."""
        if code == L.PENDING:
            return None
        if code == L.OK:
            if not ev:
                return _CLOSED
            lib = L.load()
            try:
                n = ctypes.c_size_t()
                ptr = lib.openai_event_data(ev, ctypes.byref(n))
                return ctypes.string_at(ptr, n.value) if ptr and n.value else b""
            finally:
                lib.openai_event_free(ev)
        raise self.ended_error(code)

    def next_data(self, timeout_ms):
        if not self.finalizer.alive:  # closed (by a handler, say): the iteration ends
            return _CLOSED
        ev = vp()
        code = _fn("openai_realtime_next")(self.handle(), timeout_ms, ctypes.byref(ev))
        return self.take(code, ev.value)

    def try_next_data(self):
        if not self.finalizer.alive:
            return _CLOSED
        ev = vp()
        code = _fn("openai_realtime_try_next")(self.handle(), ctypes.byref(ev))
        return self.take(code, ev.value)

    def start_close(self, code, reason):
        ptr = self.handle()
        result = _fn("openai_realtime_close")(ptr, code or 0, None if not reason else _cstr(reason, "reason"))
        if result == L.INVALID_ARGUMENT:
            raise InvalidArgumentError(L.last_error() or "bad close code or reason")

    def parse(self, data):
        return typed(parse_json(data), self.etype)


_CLOSED = object()


def _free(ptr, _thunk):
    _fn("openai_realtime_free")(ptr)


def _event_json(event):
    """A client event's JSON text as the SDK sends it (``json.dumps`` of the dict, or the
    model's JSON)."""
    if isinstance(event, (str, bytes)):
        return event
    if isinstance(event, OpenAIObject):
        event = to_plain(event)
    elif not isinstance(event, dict) and callable(getattr(event, "model_dump", None)):
        event = event.model_dump(exclude_unset=True)
    return json.dumps({k: v for k, v in event.items() if is_given(v)})


# ---------------------------------------------------------------------------------------------
# handlers (the SDK's on / off / once / dispatch_events)


class _Handlers:
    def __init__(self):
        self._handlers = {}

    def on(self, event_type, handler=None):
        """Calls ``handler(event)`` for every event of ``event_type`` ("*" for all) that
        ``dispatch_events()`` reads; a decorator without ``handler``."""
        if handler is None:
            return lambda fn: (self.on(event_type, fn), fn)[1]
        self._handlers.setdefault(event_type, []).append((handler, False))
        return self

    def once(self, event_type, handler=None):
        if handler is None:
            return lambda fn: (self.once(event_type, fn), fn)[1]
        self._handlers.setdefault(event_type, []).append((handler, True))
        return self

    def off(self, event_type, handler):
        self._handlers[event_type] = [(h, o) for h, o in self._handlers.get(event_type, []) if h is not handler]
        return self

    def _handlers_for(self, event):
        kind = getattr(event, "type", None)
        out = []
        for key in (kind, "*"):
            entries = self._handlers.get(key, [])
            out += [h for h, _ in entries]
            self._handlers[key] = [(h, o) for h, o in entries if not o]
        return out


# ---------------------------------------------------------------------------------------------
# the connection's event helpers (connection.session.update(...), ...)


class _EventResource:
    def __init__(self, connection):
        self._connection = connection

    def _send(self, event_type, _required=(), **fields):
        """Sends ``{"type": event_type, ...fields}``: as the SDK's helpers, the required fields,
        then the others, each alphabetically."""
        given = {k: v for k, v in fields.items() if is_given(v)}
        order = sorted(k for k in given if k in _required) + sorted(k for k in given if k not in _required)
        event = dict({"type": event_type}, **{k: given[k] for k in order})
        self._connection._session.send_text(_event_json(event))


class _SessionResource(_EventResource):
    def update(self, *, session, event_id=NOT_GIVEN):
        """``session.update``: changes the session's configuration."""
        return self._send("session.update", ("session",), session=session, event_id=event_id)


class _ResponseResource(_EventResource):
    def create(self, *, event_id=NOT_GIVEN, response=NOT_GIVEN):
        """``response.create``: asks the model for a response."""
        return self._send("response.create", event_id=event_id, response=response)

    def cancel(self, *, event_id=NOT_GIVEN, response_id=NOT_GIVEN):
        return self._send("response.cancel", event_id=event_id, response_id=response_id)


class _InputAudioBufferResource(_EventResource):
    def clear(self, *, event_id=NOT_GIVEN):
        return self._send("input_audio_buffer.clear", event_id=event_id)

    def commit(self, *, event_id=NOT_GIVEN):
        return self._send("input_audio_buffer.commit", event_id=event_id)

    def append(self, *, audio, event_id=NOT_GIVEN):
        """``input_audio_buffer.append`` with base64 ``audio``, as the SDK's. (The connection's
        ``append_audio(pcm)`` takes the raw PCM16 bytes and lets the library encode and split
        them.)"""
        return self._send("input_audio_buffer.append", ("audio",), audio=audio, event_id=event_id)


class _ConversationItemResource(_EventResource):
    def create(self, *, item, event_id=NOT_GIVEN, previous_item_id=NOT_GIVEN):
        return self._send("conversation.item.create", ("item",), item=item, event_id=event_id,
                          previous_item_id=previous_item_id)

    def delete(self, *, item_id, event_id=NOT_GIVEN):
        return self._send("conversation.item.delete", ("item_id",), item_id=item_id, event_id=event_id)

    def retrieve(self, *, item_id, event_id=NOT_GIVEN):
        return self._send("conversation.item.retrieve", ("item_id",), item_id=item_id, event_id=event_id)

    def truncate(self, *, audio_end_ms, content_index, item_id, event_id=NOT_GIVEN):
        return self._send("conversation.item.truncate", ("audio_end_ms", "content_index", "item_id"),
                          audio_end_ms=audio_end_ms, content_index=content_index, item_id=item_id, event_id=event_id)


class _ConversationResource(_EventResource):
    @property
    def item(self):
        return _ConversationItemResource(self._connection)


class _OutputAudioBufferResource(_EventResource):
    def clear(self, *, event_id=NOT_GIVEN):
        return self._send("output_audio_buffer.clear", event_id=event_id)


class _ResponsesResponseResource(_EventResource):
    def create(self, **params):
        """``response.create`` with the Responses API's parameters (``model``, ``input``, ...)."""
        return self._send("response.create", **params)

    def steer(self, *, input, previous_response_id):
        return self._send("response.steer", ("input", "previous_response_id"), input=input,
                          previous_response_id=previous_response_id)


# ---------------------------------------------------------------------------------------------
# connections


class _ConnectionBase(_Handlers):
    def __init__(self, session):
        super().__init__()
        self._session = session
        if session.kind == "realtime":
            self.session = _SessionResource(self)
            self.response = _ResponseResource(self)
            self.input_audio_buffer = _InputAudioBufferResource(self)
            self.conversation = _ConversationResource(self)
            self.output_audio_buffer = _OutputAudioBufferResource(self)
        else:
            self.response = _ResponsesResponseResource(self)

    def parse_event(self, data):
        """A raw message (``recv_bytes()``) parsed as ``recv()`` parses it."""
        return self._session.parse(data)

    @property
    def handshake(self):
        """The handshake's response (status 101, headers such as ``x-request-id``)."""
        return self._session.response()

    @property
    def close_code(self):
        """The close code that ended the last connection (None while it is open)."""
        return self._session.close_code()


class RealtimeConnection(_ConnectionBase):
    """A live session (the SDK's ``RealtimeConnection``): iterate it for the server events until
    the session closes; ``send(event)`` (a dict, from any thread), ``append_audio(pcm)`` (raw
    PCM16: base64 and 32 KiB frames done by the library), the event helpers, ``recv()``,
    ``close()``."""

    def __iter__(self):
        while True:
            data = self._next_data(None)
            if data is _CLOSED:
                return
            yield self._session.parse(data)

    def _next_data(self, timeout):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = 250 if deadline is None else max(0, min(250, int((deadline - time.monotonic()) * 1000)))
            data = self._session.next_data(wait)
            if data is not None:
                return data
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError("no event within %s s" % timeout)

    def recv(self, timeout=None):
        """The next server event (waits for it; ``timeout`` in seconds, None for as long as it
        takes)."""
        data = self._next_data(timeout)
        if data is _CLOSED:
            raise OpenAIError("the session is closed (code %s)" % self._session.close_code())
        return self._session.parse(data)

    def recv_bytes(self, timeout=None):
        data = self._next_data(timeout)
        if data is _CLOSED:
            raise OpenAIError("the session is closed (code %s)" % self._session.close_code())
        return data

    def send(self, event):
        """Sends a client event (a dict, a JSON text or a model), as one text frame."""
        self._session.send_text(_event_json(event))

    def append_audio(self, pcm):
        """Appends raw PCM16 audio to the input audio buffer (``input_audio_buffer.append``
        events, base64 and split by the library)."""
        self._session.append_audio(pcm)

    def dispatch_events(self):
        """Reads events until the session closes, calling the handlers given with ``on``."""
        for event in self:
            for handler in self._handlers_for(event):
                handler(event)

    def close(self, *, code=1000, reason=""):
        """Closes the session with a close frame, waits (up to about 5 s) for the server's
        answer, and frees it."""
        if not self._session.finalizer.alive:
            return
        try:
            self._session.start_close(code, reason)
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                try:
                    if self._session.next_data(100) is _CLOSED:
                        break
                except Exception:  # noqa: BLE001 - how it ended was raised to the reader already
                    break
        finally:
            self._session.free()


class AsyncRealtimeConnection(_ConnectionBase):
    """The asyncio form of RealtimeConnection: ``async for event in connection`` waits on the
    session's descriptor with loop.add_reader (no thread); ``await connection.send(...)``, the
    event helpers are coroutines too, ``await connection.recv()``, ``await connection.close()``."""

    def __init__(self, session):
        super().__init__(session)
        for resource in ("session", "response", "input_audio_buffer", "output_audio_buffer"):
            if hasattr(self, resource):
                setattr(self, resource, _AsyncResource(getattr(self, resource)))
        if hasattr(self, "conversation"):
            self.conversation = _AsyncConversation(self)

    def __aiter__(self):
        return self._events()

    async def _events(self):
        while True:
            data = await self._next_data()
            if data is _CLOSED:
                return
            yield self._session.parse(data)

    async def _next_data(self):
        while True:
            data = self._session.try_next_data()
            if data is not None:
                return data
            await _readable(self._session.fd())

    async def recv(self):
        data = await self._next_data()
        if data is _CLOSED:
            raise OpenAIError("the session is closed (code %s)" % self._session.close_code())
        return self._session.parse(data)

    async def recv_bytes(self):
        data = await self._next_data()
        if data is _CLOSED:
            raise OpenAIError("the session is closed (code %s)" % self._session.close_code())
        return data

    async def send(self, event):
        self._session.send_text(_event_json(event))

    async def append_audio(self, pcm):
        self._session.append_audio(pcm)

    async def dispatch_events(self):
        async for event in self:
            for handler in self._handlers_for(event):
                result = handler(event)
                if asyncio.iscoroutine(result):
                    await result

    async def close(self, *, code=1000, reason=""):
        if not self._session.finalizer.alive:
            return
        try:
            self._session.start_close(code, reason)
            try:
                await asyncio.wait_for(self._drain(), 6)
            except Exception:  # noqa: BLE001 - a timeout, or how it ended (raised to the reader already)
                pass
        finally:
            self._session.free()

    async def _drain(self):
        while await self._next_data() is not _CLOSED:
            pass


class _AsyncResource:
    """An event helper resource whose methods are coroutines (they send at once)."""

    def __init__(self, resource):
        self._resource = resource

    def __getattr__(self, name):
        method = getattr(self._resource, name)

        async def send(*args, **kwargs):
            return method(*args, **kwargs)

        return send


class _AsyncConversation:
    def __init__(self, connection):
        self.item = _AsyncResource(_ConversationItemResource(connection))


async def _readable(fd):
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()

    def ready():
        if not waiter.done():
            waiter.set_result(None)

    loop.add_reader(fd, ready)
    try:
        await waiter
    finally:
        loop.remove_reader(fd)


# ---------------------------------------------------------------------------------------------
# managers: what connect() returns


class _ManagerBase(_Handlers):
    def __init__(self, client, kind, query, extra_query, extra_headers, websocket_connection_options,
                 on_reconnecting, max_retries, initial_delay, max_delay, max_queue_size):
        super().__init__()
        self._args = (client, kind, dict(query, **(extra_query or {})), dict(extra_headers or {}), on_reconnecting,
                      max_retries, initial_delay, max_delay, max_queue_size)
        self._pending = []  # events sent before the connection (the SDK's manager.send)
        self._connection = None

    def send(self, event):
        """Sends an event as soon as the connection opens."""
        self._pending.append(_event_json(event))

    def _start(self, connection_cls):
        session = _Session(*self._args)
        for text in self._pending:
            session.send_text(text)  # they wait for the connection, in order
        return session, connection_cls


class RealtimeConnectionManager(_ManagerBase):
    """``with client.realtime.connect(model=...) as connection:`` opens the session when the
    block begins (a refused handshake raises there, as its status's exception) and closes it
    when the block ends. ``enter()`` opens it without a block (then ``close()`` it)."""

    def __enter__(self):
        session, cls = self._start(RealtimeConnection)
        try:
            fd = session.fd()
            while not session.opened():
                select.select([fd], [], [], 0.05)
        except BaseException:
            session.free()
            raise
        connection = cls(session)
        connection._handlers = self._handlers
        self._connection = connection
        return connection

    enter = __enter__

    def __exit__(self, *exc):
        if self._connection is not None:
            self._connection.close()


class AsyncRealtimeConnectionManager(_ManagerBase):
    """``async with client.realtime.connect(model=...) as connection:``"""

    async def __aenter__(self):
        session, cls = self._start(AsyncRealtimeConnection)
        try:
            while not session.opened():
                try:
                    await asyncio.wait_for(_readable(session.fd()), 0.05)
                except asyncio.TimeoutError:
                    pass
        except BaseException:
            session.free()
            raise
        connection = cls(session)
        connection._handlers = self._handlers
        self._connection = connection
        return connection

    enter = __aenter__

    async def __aexit__(self, *exc):
        if self._connection is not None:
            await self._connection.close()


def _query(call_id, model):
    query = {}
    if is_given(model):
        query["model"] = model
    if is_given(call_id):
        query["call_id"] = call_id
    return query


class RealtimeHelpers:
    def connect(self, *, call_id=NOT_GIVEN, model=NOT_GIVEN, extra_query=None, extra_headers=None,
                websocket_connection_options=None, on_reconnecting=None, max_retries=5, initial_delay=0.5,
                max_delay=8.0, max_queue_size=1_048_576):
        """A Realtime session (``wss://<base URL>/realtime?model=...``), as the SDK's: a context
        manager giving a RealtimeConnection. Reconnection on a recoverable close happens only with
        ``on_reconnecting`` (as in the SDK), up to ``max_retries`` times, the delay starting at
        ``initial_delay`` and doubling up to ``max_delay``; events sent meanwhile wait in a queue of
        ``max_queue_size`` bytes. ``websocket_connection_options`` (the SDK's options of the
        ``websockets`` package) has no meaning here and is not used."""
        return RealtimeConnectionManager(self._client, "realtime", _query(call_id, model), extra_query, extra_headers,
                                         websocket_connection_options, on_reconnecting, max_retries, initial_delay,
                                         max_delay, max_queue_size)


class AsyncRealtimeHelpers:
    def connect(self, *, call_id=NOT_GIVEN, model=NOT_GIVEN, extra_query=None, extra_headers=None,
                websocket_connection_options=None, on_reconnecting=None, max_retries=5, initial_delay=0.5,
                max_delay=8.0, max_queue_size=1_048_576):
        """The asyncio form of ``realtime.connect``: ``async with``, AsyncRealtimeConnection."""
        return AsyncRealtimeConnectionManager(self._client, "realtime", _query(call_id, model), extra_query,
                                              extra_headers, websocket_connection_options, on_reconnecting,
                                              max_retries, initial_delay, max_delay, max_queue_size)


def responses_connect(client, asynchronous, extra_query, extra_headers, websocket_connection_options,
                      on_reconnecting, max_retries, initial_delay, max_delay, max_queue_size):
    cls = AsyncRealtimeConnectionManager if asynchronous else RealtimeConnectionManager
    return cls(client, "responses", {}, extra_query, extra_headers, websocket_connection_options, on_reconnecting,
               max_retries, initial_delay, max_delay, max_queue_size)

