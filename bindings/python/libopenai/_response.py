"""Raw responses: what ``with_raw_response`` and ``with_streaming_response`` give, what an
exception's ``response`` is, and binary and text bodies."""

import json
import os
from collections.abc import Mapping

from ._models import OpenAIObject, parse_json

__all__ = ["Headers", "Request", "APIResponse", "BinaryContent", "HttpxBinaryResponseContent", "TextContent",
           "StreamedAPIResponse", "AsyncStreamedAPIResponse"]


class Headers(Mapping):
    """Response headers: a case-insensitive mapping (the first value of each name), in received
    order; ``get_list(name)`` (also ``get_all``) gives every value of a repeated header,
    ``multi_items()`` and ``raw`` the (name, value) pairs."""

    __slots__ = ("raw", "_first")

    def __init__(self, pairs=()):
        if isinstance(pairs, Mapping):
            pairs = list(pairs.items())
        self.raw = list(pairs)
        self._first = {}
        for name, value in self.raw:
            self._first.setdefault(name.lower(), value)

    def __getitem__(self, name):
        return self._first[name.lower()]

    def __contains__(self, name):
        return isinstance(name, str) and name.lower() in self._first

    def __iter__(self):
        return iter(self._first)

    def __len__(self):
        return len(self._first)

    def get_list(self, name, split_commas=False):
        name = name.lower()
        values = [v for n, v in self.raw if n.lower() == name]
        if split_commas:
            values = [part.strip() for v in values for part in v.split(",")]
        return values

    get_all = get_list

    def multi_items(self):
        return list(self.raw)

    def __repr__(self):
        return "Headers(%r)" % (self.raw,)


class Request:
    """The request a response answers (``response.request``, ``error.request``): its method and
    URL (with the query the binding sent; default query parameters of the client are not
    shown)."""

    __slots__ = ("method", "url")

    def __init__(self, method, url):
        self.method = method
        self.url = url

    def __repr__(self):
        return "<Request(%r, %r)>" % (self.method, self.url)


class APIResponse:
    """The raw HTTP response of a call, as ``with_raw_response`` gives it (the SDK's
    ``LegacyAPIResponse``) and as an exception's ``response`` (an ``httpx.Response`` there):
    ``status_code``, ``headers``, ``content`` (bytes), ``text``, ``json()``, ``request``,
    ``request_id``, ``retries_taken``; ``parse()`` gives what the plain method returns."""

    def __init__(self, status_code, headers, content, request_id, retries, kind="json", operation=None,
                 request=None):
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.request_id = request_id
        self.retries_taken = retries
        self.kind = kind
        self.operation = operation
        self.request = request
        self._parser = None  # set by the call: what parse() returns
        self._parsed = _UNSET

    # -- the SDK's names

    @property
    def http_response(self):
        return self

    @property
    def http_request(self):
        return self.request

    @property
    def url(self):
        return self.request.url if self.request is not None else None

    @property
    def method(self):
        return self.request.method if self.request is not None else None

    http_version = "HTTP/1.1"  # the instance's: the version the response came in (openai_response_http_version)

    @property
    def is_success(self):
        return 200 <= self.status_code < 300

    @property
    def is_error(self):
        return self.status_code >= 400

    is_closed = True

    @property
    def retries(self):  # the 0.1.0 name
        return self.retries_taken

    @property
    def http_status(self):  # the 0.1.0 name
        return self.status_code

    @property
    def text(self):
        return self.content.decode(self.encoding or "utf-8", "replace")

    @property
    def encoding(self):
        return _charset(self.headers) or "utf-8"

    @property
    def content_type(self):
        return self.headers.get("content-type", "")

    def json(self, **kwargs):
        if kwargs:
            return json.loads(self.content, **kwargs)
        return parse_json(self.content)

    def read(self):
        return self.content

    def iter_bytes(self, chunk_size=None):
        yield from _chunks(self.content, chunk_size)

    iter_raw = iter_bytes

    def iter_text(self, chunk_size=None):
        for chunk in _chunks(self.content, chunk_size):
            yield chunk.decode(self.encoding, "replace")

    def iter_lines(self):
        yield from self.text.splitlines()

    def close(self):
        pass

    def parse(self, *, to=None):
        """The result as the plain method returns it (parsed once)."""
        if self._parsed is _UNSET:
            self._parsed = self._parser(self) if self._parser is not None else default_parse(self)
        return self._parsed

    def __repr__(self):
        return "<APIResponse [%s] %s (%d bytes)>" % (self.status_code, self.operation or "", len(self.content))


_UNSET = object()


def _charset(headers):
    ctype = headers.get("content-type", "") if headers is not None else ""
    for part in ctype.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset":
            return value.strip('"') or None
    return None


def _chunks(content, size):
    if not content:
        return
    if not size:
        yield content
        return
    for i in range(0, len(content), size):
        yield content[i:i + size]


def _is_json(response):
    ct = response.content_type.lower()
    return "json" in ct and "jsonl" not in ct and "ndjson" not in ct


def attach(value, response):
    """Attaches the response to a parsed top-level JSON value."""
    if isinstance(value, OpenAIObject):
        object.__setattr__(value, "_response", response)
    return value


def default_parse(response):
    """The result of a response by the operation's response kind."""
    kind = response.kind
    if kind == "json" or (kind in ("json_or_text", "any") and _is_json(response)):
        return attach(parse_json(response.content), response)
    if kind in ("json_or_text", "text"):
        return TextContent._make(response.text, response)
    if kind == "empty":
        # Operations that answer nothing (deletes of some objects, call control) return None,
        # as the official SDK's do; ``with_raw_response`` still gives the response.
        return None
    return BinaryContent(response)


class TextContent(str):
    """A text body (transcriptions with ``response_format`` text, srt, vtt): a str, with the
    raw response as ``http_response``."""

    @classmethod
    def _make(cls, text, response):
        s = cls(text)
        s._response = response
        return s

    @property
    def http_response(self):
        return self._response

    @property
    def request_id(self):
        return self._response.request_id

    @property
    def headers(self):  # the 0.1.0 binding's raw access
        return self._response.headers

    @property
    def http_status(self):
        return self._response.status_code


class BinaryContent:
    """A binary body (speech audio, file content), as the SDK's ``HttpxBinaryResponseContent``:
    ``content``, ``text``, ``json()``, ``read()``, ``iter_bytes()``, ``write_to_file(path)``,
    ``stream_to_file(path)`` (and the ``a``-prefixed coroutines), ``response``, ``bytes(result)``."""

    def __init__(self, response):
        self.response = response

    @property
    def content(self):
        return self.response.content

    @property
    def text(self):
        return self.response.text

    @property
    def encoding(self):
        return self.response.encoding

    @property
    def charset_encoding(self):
        return _charset(self.response.headers)

    def json(self, **kwargs):
        return self.response.json(**kwargs)

    def read(self):
        return self.response.content

    def iter_bytes(self, chunk_size=None):
        return self.response.iter_bytes(chunk_size)

    def iter_text(self, chunk_size=None):
        return self.response.iter_text(chunk_size)

    def iter_lines(self):
        return self.response.iter_lines()

    def iter_raw(self, chunk_size=None):
        return self.response.iter_bytes(chunk_size)

    def write_to_file(self, file):
        with open(os.fspath(file), "wb") as f:
            f.write(self.response.content)

    def stream_to_file(self, file, *, chunk_size=None):
        self.write_to_file(file)

    def close(self):
        pass

    async def aread(self):
        return self.response.content

    async def aiter_bytes(self, chunk_size=None):
        for chunk in self.response.iter_bytes(chunk_size):
            yield chunk

    async def aiter_text(self, chunk_size=None):
        for chunk in self.response.iter_text(chunk_size):
            yield chunk

    async def aiter_lines(self):
        for line in self.response.iter_lines():
            yield line

    aiter_raw = aiter_bytes

    async def astream_to_file(self, file, *, chunk_size=None):
        self.write_to_file(file)

    async def aclose(self):
        pass

    # the 0.1.0 binding's names
    @property
    def http_response(self):
        return self.response

    @property
    def headers(self):
        return self.response.headers

    @property
    def http_status(self):
        return self.response.status_code

    @property
    def request_id(self):
        return self.response.request_id

    def __bytes__(self):
        return self.response.content

    def __len__(self):
        return len(self.response.content)

    def __eq__(self, other):
        if isinstance(other, (bytes, bytearray)):
            return self.response.content == other
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return "<BinaryContent %s, %d bytes>" % (self.response.content_type or "?", len(self.response.content))


HttpxBinaryResponseContent = BinaryContent


class _StreamedBase:
    """What ``with_streaming_response`` gives inside its ``with`` block (the SDK's
    ``APIResponse``): ``headers``, ``status_code``, ``request_id``; ``parse()``, ``read()``,
    ``text()``, ``json()``, ``iter_bytes()``, ``iter_text()``, ``iter_lines()``,
    ``stream_to_file(path)`` (a binary body then goes to the file as it arrives, through the
    library's download), ``close()``.

    The call is made when the ``with`` block begins, except for an operation with a binary
    body that can be downloaded: that one is made by the first use, so that
    ``stream_to_file`` writes the file as it arrives (and an error status raises there)."""

    def __init__(self, fetch, download=None, stream=None):
        self._fetch = fetch          # () -> APIResponse (the body read into memory)
        self._download = download    # (path) -> APIResponse (the body written to the file)
        self._stream = stream        # a Stream/AsyncStream for an event stream
        self._response = None
        self._to_file = False

    def _started(self):
        if self._response is None:
            if self._stream is not None:
                self._response = self._stream.response
            else:
                self._response = self._fetch()
        return self._response

    def _body(self):
        if self._to_file:
            raise RuntimeError("the body was written to a file by stream_to_file()")
        return self._started().content

    @property
    def http_response(self):
        return self._started()

    @property
    def headers(self):
        return self._started().headers

    @property
    def status_code(self):
        return self._started().status_code

    @property
    def request_id(self):
        return self._started().request_id

    @property
    def retries_taken(self):
        return self._started().retries_taken

    @property
    def http_request(self):
        return self._started().request

    @property
    def url(self):
        return self._started().url

    @property
    def method(self):
        return self._started().method

    @property
    def http_version(self):
        return self._started().http_version

    def _sse_lines(self):
        for event in self._stream._events():
            name, data = event
            if name:
                yield "event: " + name
            yield "data: " + data
            yield ""


class StreamedAPIResponse(_StreamedBase):
    __doc__ = _StreamedBase.__doc__

    def parse(self, *, to=None):
        if self._stream is not None:
            return self._stream
        return self._started().parse()

    def read(self):
        return self._body()

    def text(self):
        response = self._started()
        return self._body().decode(response.encoding, "replace")

    def json(self):
        return parse_json(self._body())

    def iter_bytes(self, chunk_size=None):
        if self._stream is not None:
            for line in self._sse_lines():
                yield (line + "\n").encode()
            return
        yield from _chunks(self._body(), chunk_size)

    iter_raw = iter_bytes

    def iter_text(self, chunk_size=None):
        for chunk in self.iter_bytes(chunk_size):
            yield chunk.decode(self._started().encoding, "replace")

    def iter_lines(self):
        if self._stream is not None:
            yield from self._sse_lines()
            return
        yield from self.text().splitlines()

    def stream_to_file(self, file, *, chunk_size=None):
        if self._response is None and self._download is not None:
            self._response = self._download(file)
            self._to_file = True
            return
        with open(os.fspath(file), "wb") as f:
            f.write(self._body())

    def close(self):
        if self._stream is not None:
            self._stream.close()


class AsyncStreamedAPIResponse(_StreamedBase):
    __doc__ = _StreamedBase.__doc__ + "\n\nThe reading methods are coroutines (``await r.parse()``)."

    async def _astarted(self):
        if self._response is None:
            if self._stream is not None:
                self._response = self._stream.response
            else:
                self._response = await self._fetch()
        return self._response

    def _started(self):
        if self._response is None:
            raise RuntimeError("the response is not read yet: await one of its coroutines first")
        return self._response

    async def parse(self, *, to=None):
        if self._stream is not None:
            return self._stream
        return (await self._astarted()).parse()

    async def read(self):
        await self._astarted()
        return self._body()

    async def text(self):
        response = await self._astarted()
        return self._body().decode(response.encoding, "replace")

    async def json(self):
        await self._astarted()
        return parse_json(self._body())

    async def iter_bytes(self, chunk_size=None):
        if self._stream is not None:
            async for line in self._asse_lines():
                yield (line + "\n").encode()
            return
        await self._astarted()
        for chunk in _chunks(self._body(), chunk_size):
            yield chunk

    iter_raw = iter_bytes

    async def iter_text(self, chunk_size=None):
        async for chunk in self.iter_bytes(chunk_size):
            yield chunk.decode("utf-8", "replace")

    async def iter_lines(self):
        if self._stream is not None:
            async for line in self._asse_lines():
                yield line
            return
        for line in (await self.text()).splitlines():
            yield line

    async def _asse_lines(self):
        async for name, data in self._stream._aevents():
            if name:
                yield "event: " + name
            yield "data: " + data
            yield ""

    async def stream_to_file(self, file, *, chunk_size=None):
        if self._response is None and self._download is not None:
            self._response = await self._download(file)
            self._to_file = True
            return
        await self._astarted()
        with open(os.fspath(file), "wb") as f:
            f.write(self._body())

    async def close(self):
        if self._stream is not None:
            self._stream.close()


class ResponseContextManager:
    """``with client.x.with_streaming_response.verb(...) as response:``"""

    def __init__(self, enter):
        self._enter = enter
        self._response = None

    def __enter__(self):
        self._response = self._enter()
        return self._response

    def __exit__(self, *exc):
        if self._response is not None:
            self._response.close()


class AsyncResponseContextManager:
    """``async with client.x.with_streaming_response.verb(...) as response:``"""

    def __init__(self, aenter):
        self._aenter = aenter
        self._response = None

    async def __aenter__(self):
        self._response = await self._aenter()
        return self._response

    async def __aexit__(self, *exc):
        if self._response is not None:
            await self._response.close()
