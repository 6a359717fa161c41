"""The clients: OpenAI (blocking, with a-prefixed asyncio twins) and AsyncOpenAI (asyncio)."""

import ctypes

from . import _core
from . import _lib as L
from ._exceptions import InvalidArgumentError, OpenAIError
from ._operations import _AsyncResources, _Resources

__all__ = ["OpenAI", "AsyncOpenAI"]

NOT_GIVEN = object()


def _client_error(code):
    message = L.last_error() or L.code_name(code)
    if code == L.INVALID_ARGUMENT:
        return InvalidArgumentError(message)
    return OpenAIError(message)


class _BaseClient:
    def __init__(self, *, api_key=None, organization=None, project=None, base_url=None,
                 timeout=NOT_GIVEN, max_retries=None, default_headers=None, default_query=None,
                 _handle=None, _options=None, **options):
        """Creates a client (``openai_client_new``). Every argument is optional:

        - ``api_key``: else ``OPENAI_API_KEY`` (required one way or the other);
        - ``base_url``: else ``OPENAI_BASE_URL``, else ``https://api.openai.com/v1``;
        - ``organization``, ``project``: else ``OPENAI_ORG_ID``, ``OPENAI_PROJECT_ID``;
        - ``timeout`` (seconds per attempt, default 600; None for none), ``max_retries`` (2);
        - ``default_headers``, ``default_query``: added to every request;
        - any other option of the C library by name: ``connect_timeout``,
          ``stream_idle_timeout``, ``openai_beta``, ``proxy``, ``ca_bundle``.
        """
        if _handle is None:
            opts = {}
            for key, value in (("api_key", api_key), ("organization", organization),
                               ("project", project), ("base_url", base_url),
                               ("max_retries", max_retries), ("default_headers", default_headers),
                               ("default_query", default_query)):
                if value is not None:
                    opts[key] = value
            if timeout is not NOT_GIVEN:
                opts["timeout"] = timeout
            opts.update(options)
            lib = L.load()
            out = ctypes.c_void_p()
            code = lib.openai_client_new(_core.encode_json(opts), ctypes.byref(out))
            if code != L.OK or not out.value:
                raise _client_error(code)
            _handle = out.value
            self._options = opts
        else:
            self._options = dict(_options or {})
        self._ptr = _handle
        self._finalizer = _finalize(self, _handle)
        self._init_resources()

    def _handle(self):
        if not self._finalizer.alive:
            raise OpenAIError("the client is closed")
        return self._ptr

    @property
    def base_url(self):
        return self._options.get("base_url")

    def with_options(self, **options):
        """A client with some options replaced (``openai_client_with_options``), sharing this
        one's connection pool. Same option names as the constructor."""
        if "timeout" in options and options["timeout"] is NOT_GIVEN:
            del options["timeout"]
        lib = L.load()
        out = ctypes.c_void_p()
        code = lib.openai_client_with_options(self._handle(), _core.encode_json(options), ctypes.byref(out))
        if code != L.OK or not out.value:
            raise _client_error(code)
        merged = dict(self._options)
        merged.update(options)
        return type(self)(_handle=out.value, _options=merged)

    copy = with_options

    def with_cancel_token(self, token):
        """A client like this one (same options, same connection pool) whose calls are cancelled
        by ``token``, a ``CancelToken`` (``openai_client_with_cancel_token``)."""
        from ._cancel import CancelToken

        if not isinstance(token, CancelToken):
            raise TypeError("token must be a libopenai.CancelToken, not %s" % type(token).__name__)
        lib = L.load()
        out = ctypes.c_void_p()
        code = lib.openai_client_with_cancel_token(self._handle(), token._ptr, ctypes.byref(out))
        if code != L.OK or not out.value:
            raise _client_error(code)
        client = type(self)(_handle=out.value, _options=self._options)
        client._cancel_token = token  # the caller's object stays alive with the client
        return client

    def close(self):
        """Frees the client. Async calls and streams already started keep working."""
        self._finalizer()

    @property
    def closed(self):
        return not self._finalizer.alive

    def __repr__(self):
        return "<%s base_url=%r%s>" % (type(self).__name__, self.base_url, " closed" if self.closed else "")


def _finalize(obj, handle):
    import weakref

    f = weakref.finalize(obj, L.load().openai_client_free, handle)
    f.atexit = False
    return f


class OpenAI(_Resources, _BaseClient):
    """The blocking client: ``client.chat.completions.create(...)`` blocks (the GIL is released
    while it waits); ``client.chat.completions.acreate(...)`` is its asyncio form."""

    def request(self, method, path, *, query=None, body=None, raw=False):
        """Any endpoint (``openai_request``): ``client.request("GET", "/batches")``. ``body``
        is a dict/list (sent as JSON), str or bytes (sent as given), or None."""
        return _core.request(self, method, path, query, body, raw)

    async def arequest(self, method, path, *, query=None, body=None, raw=False):
        return await _core.arequest(self, method, path, query, body, raw)

    def request_stream(self, method, path, *, query=None, body=None):
        """Any streaming endpoint (the body must ask for the stream itself)."""
        return _core.request_stream(self, method, path, query, body)

    async def arequest_stream(self, method, path, *, query=None, body=None):
        return await _core.arequest_stream(self, method, path, query, body)

    def request_pages(self, path, **query):
        """Every page of any cursor list endpoint, by path."""
        return _core.request_pages(self, path, query)

    def arequest_pages(self, path, **query):
        """The asyncio form of request_pages: an async iterator of pages."""
        return _core.arequest_pages(self, path, query)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class AsyncOpenAI(_AsyncResources, _BaseClient):
    """The asyncio client: every operation is a coroutine (``await client.models.list()``),
    completed through one descriptor per event loop (no thread per call)."""

    async def request(self, method, path, *, query=None, body=None, raw=False):
        return await _core.arequest(self, method, path, query, body, raw)

    async def request_stream(self, method, path, *, query=None, body=None):
        return await _core.arequest_stream(self, method, path, query, body)

    def request_pages(self, path, **query):
        """Every page of any cursor list endpoint, by path, as an async iterator."""
        return _core.arequest_pages(self, path, query)

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self.close()

    async def aclose(self):
        self.close()
