"""Exceptions, named, arranged and built like the official SDK's (openai._exceptions), with the
same constructor signatures, messages and attributes."""

__all__ = [
    "OpenAIError",
    "InvalidArgumentError",
    "APIError",
    "APIStatusError",
    "APIResponseValidationError",
    "APIConnectionError",
    "APITimeoutError",
    "APIUserAbortError",
    "ResponseTooLargeError",
    "QueueFullError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "LengthFinishReasonError",
    "ContentFilterFinishReasonError",
    "InvalidWebhookSignatureError",
]


class OpenAIError(Exception):
    """The base of every error this package raises."""


class InvalidArgumentError(OpenAIError, ValueError):
    """An argument refused before anything was sent (OPENAI_INVALID_ARGUMENT): an empty path
    parameter, a file that cannot be read, a value that is not JSON. A ValueError, as the
    SDK's check of an empty path parameter raises."""


class InvalidWebhookSignatureError(OpenAIError, ValueError):
    """A webhook request not signed as OpenAI signs it (OPENAI_INVALID_WEBHOOK_SIGNATURE): a
    header missing, a timestamp malformed or outside the tolerance, or no signature matching.
    A ValueError, as the SDK's."""


class APIError(OpenAIError):
    """A failed call: ``message``, ``request`` (method and URL), ``body`` (the API's ``error``
    object, or the body text, or None) and ``code``, ``param``, ``type`` read from it."""

    message: str
    body: object
    code: object = None
    param: object = None
    type: object = None

    def __init__(self, message, request=None, *, body=None):
        super().__init__(message)
        self.request = request
        self.message = message
        self.body = body
        if isinstance(body, dict):
            code = body.get("code")
            self.code = str(code) if code is not None else None
            param = body.get("param")
            self.param = param if param is None or isinstance(param, str) else str(param)
            self.type = body.get("type")
        else:
            self.code = None
            self.param = None
            self.type = None

    def __str__(self):
        return self.message


class APIResponseValidationError(APIError):
    """A 2xx response whose body is not what the operation returns (OPENAI_INVALID_RESPONSE)."""

    def __init__(self, response, body, *, message=None):
        super().__init__(message or "Data returned by API invalid for expected schema.",
                         getattr(response, "request", None), body=body)
        self.response = response
        self.status_code = response.status_code


class APIStatusError(APIError):
    """The API answered with an error status (4xx, 5xx): ``status_code``, ``request_id``,
    ``response`` (the raw response: ``headers``, ``text``, ``json()``)."""

    def __init__(self, message, *, response, body):
        super().__init__(message, getattr(response, "request", None), body=body)
        self.response = response
        self.status_code = response.status_code
        self.request_id = response.headers.get("x-request-id")


class APIConnectionError(APIError):
    """The connection could not be made or broke (OPENAI_CONNECTION). The library's own account
    of it is the exception's ``__cause__``."""

    def __init__(self, *, message="Connection error.", request=None):
        super().__init__(message, request, body=None)


class APITimeoutError(APIConnectionError):
    """The request timed out (OPENAI_TIMEOUT)."""

    def __init__(self, request=None):
        super().__init__(message="Request timed out.", request=request)


class APIUserAbortError(APIError):
    """The call was cancelled (OPENAI_CANCELLED): a CancelToken, a cancelled asyncio task."""

    def __init__(self, message="Request was cancelled.", request=None):
        super().__init__(message, request, body=None)


class ResponseTooLargeError(APIError):
    """The response, or one event of a stream, was larger than the client's
    ``max_response_size`` (OPENAI_RESPONSE_TOO_LARGE); reading stopped there."""

    def __init__(self, message, request=None):
        super().__init__(message, request, body=None)


class QueueFullError(OpenAIError):
    """A client event of a Realtime session did not fit its send queue (OPENAI_QUEUE_FULL):
    while the session reconnects, events wait in a queue of ``max_queue_size`` bytes, as the
    SDK's; a full queue refuses the event instead of growing."""


class BadRequestError(APIStatusError):
    status_code = 400


class AuthenticationError(APIStatusError):
    status_code = 401


class PermissionDeniedError(APIStatusError):
    status_code = 403


class NotFoundError(APIStatusError):
    status_code = 404


class ConflictError(APIStatusError):
    status_code = 409


class UnprocessableEntityError(APIStatusError):
    status_code = 422


class RateLimitError(APIStatusError):
    status_code = 429


class InternalServerError(APIStatusError):
    """500 and above"""


class LengthFinishReasonError(OpenAIError):
    """Exported for code that catches it; this package's helpers never parse into models, so it
    is never raised."""

    def __init__(self, *, completion=None):
        super().__init__("Could not parse response content as the length limit was reached")
        self.completion = completion


class ContentFilterFinishReasonError(OpenAIError):
    """Exported for code that catches it; never raised (see LengthFinishReasonError)."""

    def __init__(self, *, completion=None):
        super().__init__("Could not parse response content as the request was rejected by the content filter")
        self.completion = completion


STATUS_CLASSES = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(response):
    """The exception of an error status, as the SDK builds it: the message is ``Error code: N``
    and the API's message; ``body`` is the ``error`` object (or the body's text)."""
    import json

    message = "Error code: %d" % response.status_code
    text = response.content.decode("utf-8", "replace").strip()
    body = text or None
    if text:
        try:
            body = json.loads(text)
        except ValueError:
            pass
        else:
            error = body.get("error", body) if isinstance(body, dict) else None
            detail = error.get("message") if isinstance(error, dict) else None
            if isinstance(detail, str) and detail:
                message += " - " + detail
    data = body.get("error", body) if isinstance(body, dict) else body
    status = response.status_code
    cls = STATUS_CLASSES.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    return cls(message, response=response, body=data)
