"""Results: JSON objects readable with dot notation and as dicts, raw responses, binary bodies."""

import json
from collections.abc import Mapping

__all__ = ["OpenAIObject", "OpenAIList", "Headers", "APIResponse", "BinaryContent", "TextContent"]


class _Meta:
    """Raw access shared by every top-level result: the APIResponse it came from."""

    __slots__ = ()

    @property
    def http_response(self):
        """The APIResponse (status, headers, body bytes) this result was parsed from, or None."""
        return self._response

    @property
    def http_status(self):
        return self._response.status_code if self._response is not None else None

    @property
    def headers(self):
        return self._response.headers if self._response is not None else None

    @property
    def request_id(self):
        return self._response.request_id if self._response is not None else None

    @property
    def raw_body(self):
        """The body bytes exactly as they came."""
        return self._response.content if self._response is not None else None


class OpenAIObject(_Meta, dict):
    """A JSON object: ``r.choices[0].message.content`` and ``r["choices"][0]["message"]["content"]``.

    It is a dict (``json.dumps(r)``, ``r.get(...)``, ``r.keys()``), whose keys are also readable
    as attributes. A key that a dict method shadows (``items``, ``keys``, ``get``, ...) is read
    with ``r["items"]``. A top-level result also carries ``http_status``, ``headers``,
    ``request_id``, ``raw_body`` and ``http_response``.
    """

    __slots__ = ("_response",)

    def __init__(self, *args, **kwargs):
        dict.__init__(self, *args, **kwargs)
        object.__setattr__(self, "_response", None)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(
                "%r object has no attribute %r" % (self.get("object", type(self).__name__), name)) from None

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def __delattr__(self, name):
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self):
        return sorted(set(dir(type(self))) | {k for k in self if isinstance(k, str) and k.isidentifier()})

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, dict.__repr__(self))

    def __reduce__(self):
        return (type(self), (dict(self),))

    def to_dict(self):
        """A plain deep copy (dicts and lists only)."""
        return _plain(self)

    def to_json(self, **kwargs):
        return json.dumps(self, **kwargs)


class OpenAIList(_Meta, list):
    """A top-level JSON array (with the same raw access as OpenAIObject)."""

    __slots__ = ("_response",)

    def __init__(self, *args):
        list.__init__(self, *args)
        self._response = None

    def to_list(self):
        return _plain(self)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_json(data):
    """JSON bytes or text into OpenAIObjects (every nested object too)."""
    return json.loads(data, object_hook=OpenAIObject)


def wrap(value, response):
    """Attaches the response to a parsed top-level JSON value."""
    if isinstance(value, OpenAIObject):
        object.__setattr__(value, "_response", response)
        return value
    if isinstance(value, list):
        value = OpenAIList(value)
        value._response = response
        return value
    return value


class Headers(Mapping):
    """Response headers: a case-insensitive mapping (first value of each name), in received
    order; ``get_all(name)`` gives every value of a repeated header, ``raw`` the (name, value) pairs."""

    __slots__ = ("raw", "_first")

    def __init__(self, pairs=()):
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

    def get_all(self, name):
        name = name.lower()
        return [v for n, v in self.raw if n.lower() == name]

    def __repr__(self):
        return "Headers(%r)" % (self.raw,)


class APIResponse:
    """The raw HTTP response of a call (what ``with_raw_response`` gives):
    ``status_code``/``http_status``, ``headers``, ``content`` (bytes), ``text``, ``json()``,
    ``request_id``, ``retries``; ``parse()`` gives the result the plain method returns."""

    def __init__(self, status_code, headers, content, request_id, retries, kind="json", operation=None):
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.request_id = request_id
        self.retries = retries
        self.kind = kind
        self.operation = operation
        self._parsed = None

    @property
    def http_status(self):
        return self.status_code

    @property
    def text(self):
        return self.content.decode("utf-8", "replace")

    @property
    def content_type(self):
        return self.headers.get("content-type", "")

    def json(self):
        return parse_json(self.content)

    def parse(self):
        """The result as the plain method returns it (parsed once)."""
        if self._parsed is None:
            self._parsed = _parse(self)
        return self._parsed

    def __repr__(self):
        return "<APIResponse %s %s (%d bytes)>" % (self.status_code, self.operation or "", len(self.content))


def _is_json(response):
    ct = response.content_type.lower()
    return "json" in ct and "jsonl" not in ct and "ndjson" not in ct


def _parse(response):
    kind = response.kind
    if kind == "json" or (kind in ("json_or_text", "any") and _is_json(response)):
        return wrap(parse_json(response.content), response)
    if kind in ("json_or_text", "text"):
        return TextContent._make(response.text, response)
    if kind == "empty":
        # Operations that answer nothing (deletes of some objects, call control) return None,
        # as the official SDK's do; ``with_raw_response`` still gives the response.
        return None
    return BinaryContent(response)


class TextContent(str):
    """A text body (transcriptions with ``response_format`` text, srt, vtt): a str with the
    raw access of OpenAIObject."""

    @classmethod
    def _make(cls, text, response):
        s = cls(text)
        s._response = response
        return s

    http_response = _Meta.http_response
    http_status = _Meta.http_status
    headers = _Meta.headers
    request_id = _Meta.request_id
    raw_body = _Meta.raw_body


class BinaryContent(_Meta):
    """A binary body (speech audio, file content): ``content`` (bytes), ``text``, ``json()``,
    ``read()``, ``write_to_file(path)``, and ``bytes(result)``."""

    def __init__(self, response):
        self._response = response

    @property
    def content(self):
        return self._response.content

    @property
    def text(self):
        return self._response.text

    def json(self):
        return self._response.json()

    def read(self):
        return self._response.content

    def write_to_file(self, path):
        with open(path, "wb") as f:
            f.write(self._response.content)

    stream_to_file = write_to_file

    def __bytes__(self):
        return self._response.content

    def __len__(self):
        return len(self._response.content)

    def __eq__(self, other):
        if isinstance(other, (bytes, bytearray)):
            return self._response.content == other
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return "<BinaryContent %s, %d bytes>" % (self._response.content_type or "?", len(self._response.content))
