"""``client.webhooks.verify_signature`` and ``client.webhooks.unwrap``, the official SDK's, over
the library's ``openai_webhooks_verify_signature`` and ``openai_webhooks_unwrap``: the HMAC and
the timestamp's tolerance are checked by the library (no crypto here). Mixed into the
``webhooks`` resource of both clients (generate.py's MIXINS); as in the SDK, both methods are
plain functions on ``AsyncOpenAI`` too (they send nothing)."""

import ctypes

from . import _lib as L
from ._core import _cstr, make_error
from ._models import event_type, parse_json, typed

__all__ = ["WebhooksHelpers"]

# The headers the check reads (the library finds them among all the headers it is given).
_NEEDED = ("webhook-signature", "webhook-timestamp", "webhook-id")


def _payload(payload):
    """The body as bytes, exactly as received: text is encoded as UTF-8 (what the SDK signs)."""
    if isinstance(payload, str):
        return payload.encode("utf-8")
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    raise TypeError("payload must be str or bytes, not %s" % type(payload).__name__)


def _variants(name):
    """The spellings the SDK tries through ``get`` (``webhook-id``, ``WEBHOOK-ID``,
    ``Webhook-Id``)."""
    return (name, name.upper(), "-".join(part.capitalize() for part in name.split("-")))


def _header_pairs(headers):
    """(name, value) of every header: a mapping's items (a dict, ``httpx.Headers``, a web
    framework's headers), and, for a needed header not among them, what ``headers.get`` gives
    (the SDK's ``HeadersLike``: any object with ``get``)."""
    pairs = []
    items = getattr(headers, "items", None)
    if callable(items):
        pairs = [(k, v) for k, v in items() if isinstance(k, str) and isinstance(v, str)]
    if not hasattr(headers, "get") and not callable(items):
        raise TypeError("headers must be a mapping or have get(), not %s" % type(headers).__name__)
    present = {k.lower() for k, _ in pairs}
    for name in _NEEDED:
        if name in present or not hasattr(headers, "get"):
            continue
        for spelling in _variants(name):
            value = headers.get(spelling)
            if isinstance(value, str) and value:
                pairs.append((name, value))
                break
    return pairs


def _arguments(client, payload, headers, secret):
    if secret is None:
        secret = getattr(client, "webhook_secret", None)
    if secret is None:
        raise ValueError(
            "The webhook secret must either be set using the env var, OPENAI_WEBHOOK_SECRET, on the client "
            "class, OpenAI(webhook_secret='123'), or passed to this function")
    body = _payload(payload)
    pairs = _header_pairs(headers)
    names = (ctypes.c_char_p * max(len(pairs), 1))(*[_cstr(k, "a header name") for k, _ in pairs])
    values = (ctypes.c_char_p * max(len(pairs), 1))(*[_cstr(v, "header %s" % k) for k, v in pairs])
    return body, names, values, len(pairs), _cstr(secret, "secret")


def _tolerance(tolerance):
    if isinstance(tolerance, bool) or not isinstance(tolerance, int):
        raise TypeError("tolerance must be an int (seconds), not %s" % type(tolerance).__name__)
    if tolerance < 0:
        # (the library reads a negative tolerance as its default)
        raise ValueError("tolerance must be 0 or more seconds, not %d" % tolerance)
    return tolerance


def _check(code):
    """Raises the exception of a failed check: InvalidWebhookSignatureError, or
    InvalidArgumentError (no secret, a secret that is not base64 after ``whsec_``, a payload
    that is not a JSON object), with the library's account of why."""
    if code != L.OK:
        raise make_error(code, L.last_error())


class WebhooksHelpers:
    """``client.webhooks``: a webhook request checked to be OpenAI's, and its event read."""

    def verify_signature(self, payload, headers, *, secret=None, tolerance=300):
        """Checks that a webhook request was sent by OpenAI (``openai_webhooks_verify_signature``):
        its ``webhook-signature`` is the HMAC of ``webhook-id.webhook-timestamp.payload`` under
        ``secret`` (else the client's ``webhook_secret``, from ``OPENAI_WEBHOOK_SECRET``), and its
        ``webhook-timestamp`` within ``tolerance`` seconds of now.

        ``payload`` is the request's body as received (bytes, or str); ``headers`` its headers (a
        mapping, or anything with ``get``). Returns None; raises InvalidWebhookSignatureError
        (a ValueError) when a header is missing, the timestamp is malformed, too old or too new,
        or no signature matches, and ValueError when there is no secret."""
        body, names, values, count, csecret = _arguments(self._client, payload, headers, secret)
        fn = L.helper("openai_webhooks_verify_signature")
        _check(fn(body, len(body), names, values, count, csecret, _tolerance(tolerance)))

    def unwrap(self, payload, headers, *, secret=None):
        """Verifies the request as ``verify_signature`` does (a tolerance of 300 s), then reads
        its event (``openai_webhooks_unwrap``): an object typed as the specification's webhook
        event of its ``type`` (``event.type``, ``event.data.id``, ``event.created_at``)."""
        body, names, values, count, csecret = _arguments(self._client, payload, headers, secret)
        fn = L.helper("openai_webhooks_unwrap")
        lib = L.load()
        event = ctypes.c_void_p()
        code = fn(body, len(body), names, values, count, csecret, 300, ctypes.byref(event))
        try:
            _check(code)
            n = ctypes.c_size_t()
            data = lib.openai_event_data(event, ctypes.byref(n))
            text = ctypes.string_at(data, n.value) if data and n.value else b""
        finally:
            lib.openai_event_free(event)
        return typed(parse_json(text), event_type("webhooks.unwrap"))
