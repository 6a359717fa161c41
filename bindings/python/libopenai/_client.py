"""The clients: OpenAI (blocking, with a-prefixed asyncio twins) and AsyncOpenAI (asyncio), with
the official SDK's options, environment variables, ``with_options`` / ``copy``,
``with_raw_response`` and ``with_streaming_response``."""

import ctypes
import os

from . import _core
from . import _lib as L
from ._exceptions import InvalidArgumentError, OpenAIError
from ._operations import _AsyncResources, _Resources
from ._types import NOT_GIVEN, Timeout, is_given, timeout_options

__all__ = ["OpenAI", "AsyncOpenAI", "DEFAULT_TIMEOUT", "DEFAULT_MAX_RETRIES"]

DEFAULT_TIMEOUT = Timeout(600.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
DEFAULT_BASE_URL = "https://api.openai.com/v1"

# The library's own client options (openai_client_new), beyond the SDK's.
LIBRARY_OPTIONS = ("connect_timeout", "stream_idle_timeout", "stream_timeout", "max_response_size",
                   "max_connections", "max_idle_connections", "idle_connection_timeout", "http1_only", "openai_beta",
                   "proxy", "ca_bundle")


def _client_error(code):
    message = L.last_error() or L.code_name(code)
    if code == L.INVALID_ARGUMENT:
        return InvalidArgumentError(message)
    return OpenAIError(message)


class _ClientView:
    """``client.with_raw_response`` / ``client.with_streaming_response``: the client's resources
    in that mode."""

    def __init__(self, client, mode):
        self._client = client
        self._mode = mode

    def __getattr__(self, name):
        if name in type(self._client)._CHILDREN:
            resource = getattr(self._client, name)._with_mode(self._mode)
            self.__dict__[name] = resource
            return resource
        raise AttributeError(name)


class _BaseClient:
    def __init__(self, *, api_key=None, organization=None, project=None, webhook_secret=None, base_url=None,
                 websocket_base_url=None, timeout=NOT_GIVEN, max_retries=DEFAULT_MAX_RETRIES,
                 default_headers=None, default_query=None, http_client=None, _strict_response_validation=False,
                 _handle=None, _options=None, **options):
        """Creates a client (``openai_client_new``), with the official SDK's options:

        - ``api_key``: else ``OPENAI_API_KEY`` (one or the other is required);
        - ``organization``, ``project``, ``webhook_secret``: else ``OPENAI_ORG_ID``,
          ``OPENAI_PROJECT_ID``, ``OPENAI_WEBHOOK_SECRET``;
        - ``base_url``: else ``OPENAI_BASE_URL``, else ``https://api.openai.com/v1``;
        - ``timeout``: seconds per attempt, a ``Timeout`` (``read`` per attempt, ``connect``),
          or None for none; default 600 s, 5 s to connect;
        - ``max_retries`` (2), ``default_headers``, ``default_query``;
        - ``http_client`` must be None: the library is the HTTP client (its options below
          cover proxies and certificates);

        and the library's own: ``connect_timeout``, ``stream_idle_timeout``, ``stream_timeout``,
        ``max_response_size``, ``max_connections``, ``max_idle_connections``, ``idle_connection_timeout``,
        ``http1_only``, ``openai_beta``, ``proxy``, ``ca_bundle`` (see include/openai.h).
        """
        if _handle is None:
            if http_client is not None:
                raise TypeError("http_client is not supported: libopenai makes the requests itself "
                                "(use its proxy, ca_bundle and connection options instead)")
            unknown = sorted(set(options) - set(LIBRARY_OPTIONS))
            if unknown:
                raise TypeError("%s.__init__() got an unexpected keyword argument '%s'"
                                % (type(self).__name__, unknown[0]))
            if api_key is None:
                api_key = os.environ.get("OPENAI_API_KEY")
            if api_key is None:
                raise OpenAIError(
                    "The api_key client option must be set either by passing api_key to the client or by "
                    "setting the OPENAI_API_KEY environment variable")
            if callable(api_key):
                api_key = api_key()
            if organization is None:
                organization = os.environ.get("OPENAI_ORG_ID")
            if project is None:
                project = os.environ.get("OPENAI_PROJECT_ID")
            if webhook_secret is None:
                webhook_secret = os.environ.get("OPENAI_WEBHOOK_SECRET")
            if base_url is None:
                base_url = os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
            opts = {"api_key": api_key, "base_url": str(base_url), "max_retries": max_retries}
            if organization is not None:
                opts["organization"] = organization
            if project is not None:
                opts["project"] = project
            if is_given(timeout):
                opts.update(timeout_options(timeout))
            if default_headers:
                opts["default_headers"] = dict(default_headers)
            if default_query:
                opts["default_query"] = dict(default_query)
            opts.update(options)
            lib = L.load()
            out = ctypes.c_void_p()
            code = lib.openai_client_new(_core.encode_json(opts), ctypes.byref(out))
            if code != L.OK or not out.value:
                raise _client_error(code)
            _handle = out.value
            self._options = opts
            self._timeout = timeout if is_given(timeout) else DEFAULT_TIMEOUT
            self.webhook_secret = webhook_secret
            self.websocket_base_url = websocket_base_url
        else:
            self._options = dict(_options or {})
            self._timeout = options.pop("_timeout", DEFAULT_TIMEOUT)
            self.webhook_secret = options.pop("_webhook_secret", None)
            self.websocket_base_url = options.pop("_websocket_base_url", None)
        self._ptr = _handle
        self._finalizer = _finalize(self, _handle)
        self._init_resources()

    def _handle(self):
        if not self._finalizer.alive:
            raise OpenAIError("the client is closed")
        return self._ptr

    # -- the SDK's attributes

    @property
    def api_key(self):
        return self._options.get("api_key")

    @property
    def organization(self):
        return self._options.get("organization")

    @property
    def project(self):
        return self._options.get("project")

    @property
    def _base_url(self):
        return self._options.get("base_url")

    @property
    def base_url(self):
        """The base URL with a trailing slash, as the SDK gives it."""
        url = self._options.get("base_url") or ""
        return url if url.endswith("/") else url + "/"

    @property
    def max_retries(self):
        return self._options.get("max_retries", DEFAULT_MAX_RETRIES)

    @property
    def timeout(self):
        return self._timeout

    @property
    def default_query(self):
        return dict(self._options.get("default_query") or {})

    @property
    def with_raw_response(self):
        """Every resource, giving the APIResponse (``.parse()`` gives the result)."""
        return _ClientView(self, "raw")

    @property
    def with_streaming_response(self):
        """Every resource, each call a context manager over its response."""
        return _ClientView(self, "stream")

    def with_options(self, *, api_key=None, organization=None, project=None, webhook_secret=None,
                     websocket_base_url=None, base_url=None, timeout=NOT_GIVEN, http_client=None,
                     max_retries=NOT_GIVEN, default_headers=None, set_default_headers=None, default_query=None,
                     set_default_query=None, _extra_kwargs=None, **options):
        """A client with some options replaced (``openai_client_with_options``), sharing this
        one's connection pool, as the SDK's ``copy`` / ``with_options``: ``default_headers`` and
        ``default_query`` are merged into the current ones, ``set_default_headers`` and
        ``set_default_query`` replace them."""
        if http_client is not None:
            raise TypeError("http_client is not supported: libopenai makes the requests itself")
        if default_headers is not None and set_default_headers is not None:
            raise ValueError("The `default_headers` and `set_default_headers` arguments are mutually exclusive")
        if default_query is not None and set_default_query is not None:
            raise ValueError("The `default_query` and `set_default_query` arguments are mutually exclusive")
        unknown = sorted(set(options) - set(LIBRARY_OPTIONS))
        if unknown:
            raise TypeError("with_options() got an unexpected keyword argument '%s'" % unknown[0])
        changes = dict(options)
        for key, value in (("api_key", api_key), ("organization", organization), ("project", project),
                           ("base_url", base_url)):
            if value is not None:
                changes[key] = str(value)
        if is_given(max_retries):
            changes["max_retries"] = max_retries
        if is_given(timeout):
            changes.update(timeout_options(timeout))
        if default_headers is not None:
            merged = dict(self._options.get("default_headers") or {})
            merged.update(default_headers)
            changes["default_headers"] = merged
        elif set_default_headers is not None:
            changes["default_headers"] = dict(set_default_headers)
        if default_query is not None:
            merged = dict(self._options.get("default_query") or {})
            merged.update(default_query)
            changes["default_query"] = merged
        elif set_default_query is not None:
            changes["default_query"] = dict(set_default_query)
        lib = L.load()
        out = ctypes.c_void_p()
        code = lib.openai_client_with_options(self._handle(), _core.encode_json(changes), ctypes.byref(out))
        if code != L.OK or not out.value:
            raise _client_error(code)
        merged = dict(self._options)
        merged.update(changes)
        return type(self)(_handle=out.value, _options=merged, _timeout=timeout if is_given(timeout) else self._timeout,
                          _webhook_secret=webhook_secret or self.webhook_secret,
                          _websocket_base_url=websocket_base_url or self.websocket_base_url)

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
        client = type(self)(_handle=out.value, _options=self._options, _timeout=self._timeout)
        client._cancel_token = token  # the caller's object stays alive with the client
        return client

    def _close(self):
        self._finalizer()

    def is_closed(self):
        return not self._finalizer.alive

    @property
    def closed(self):
        return not self._finalizer.alive

    def __repr__(self):
        return "<%s base_url=%r%s>" % (type(self).__name__, self._base_url, " closed" if self.closed else "")


def _finalize(obj, handle):
    import weakref

    f = weakref.finalize(obj, L.load().openai_client_free, handle)
    f.atexit = False
    return f


class OpenAI(_Resources, _BaseClient):
    """The blocking client, as the official SDK's ``OpenAI``: ``client.chat.completions.create(...)``
    blocks (the GIL is released while it waits); ``client.chat.completions.acreate(...)`` is its
    asyncio form."""

    _CHILDREN = _Resources._CHILDREN

    def close(self):
        """Frees the client. Async calls and streams already started keep working."""
        self._close()

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
    """The asyncio client, as the official SDK's ``AsyncOpenAI``: every operation is a coroutine
    (``await client.models.retrieve("gpt-4o")``), completed through one descriptor per event
    loop (no thread per call); lists return a paginator (``await`` it, or ``async for``)."""

    _CHILDREN = _AsyncResources._CHILDREN

    def close(self):
        """Frees the client at once; also awaitable (``await client.close()``, as the SDK's)."""
        self._close()
        return _core._done()

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
        self._close()

    async def aclose(self):
        self._close()
