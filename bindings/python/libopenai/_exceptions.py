"""Exceptions, named and arranged like the official SDK's (openai._exceptions)."""

__all__ = [
    "OpenAIError",
    "InvalidArgumentError",
    "APIError",
    "APIStatusError",
    "APIResponseValidationError",
    "APIConnectionError",
    "APITimeoutError",
    "APIUserAbortError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
]


class OpenAIError(Exception):
    """The base of every error this package raises."""


class InvalidArgumentError(OpenAIError, ValueError):
    """An argument the library refused before sending anything (OPENAI_INVALID_ARGUMENT):
    an empty path parameter, a file that cannot be read, a value that is not JSON."""


class APIError(OpenAIError):
    """A failed call. ``message`` is the library's text; for API errors ``body`` is the
    ``error`` object of the response (``type``, ``param``, ``code`` are read from it)."""

    message: str
    body: object
    code: object
    param: object
    type: object

    def __init__(self, message, response=None, *, body=None, code=None):
        super().__init__(message)
        self.message = message
        self.response = response  # the APIResponse (status, headers, body bytes), or None
        self.body = body
        self.native_code = code  # the openai_code of the call
        if isinstance(body, dict):
            self.code = body.get("code")
            self.param = body.get("param")
            self.type = body.get("type")
        else:
            self.code = None
            self.param = None
            self.type = None

    @property
    def request_id(self):
        return self.response.request_id if self.response is not None else None

    def __str__(self):
        return self.message


class APIResponseValidationError(APIError):
    """A 2xx response whose body is not what the operation returns (OPENAI_INVALID_RESPONSE)."""

    def __init__(self, message, response=None, *, body=None, code=None):
        super().__init__(message, response, body=body, code=code)
        self.status_code = response.status_code if response is not None else None


class APIStatusError(APIError):
    """The API answered with an error status (4xx, 5xx)."""

    def __init__(self, message, response=None, *, body=None, code=None):
        super().__init__(message, response, body=body, code=code)
        self.status_code = response.status_code if response is not None else None


class BadRequestError(APIStatusError):
    """400"""


class AuthenticationError(APIStatusError):
    """401"""


class PermissionDeniedError(APIStatusError):
    """403"""


class NotFoundError(APIStatusError):
    """404"""


class ConflictError(APIStatusError):
    """409"""


class UnprocessableEntityError(APIStatusError):
    """422"""


class RateLimitError(APIStatusError):
    """429"""


class InternalServerError(APIStatusError):
    """500 and above"""


class APIConnectionError(APIError):
    """The connection could not be made or broke (OPENAI_CONNECTION)."""

    def __init__(self, message="Connection error.", response=None, *, body=None, code=None):
        super().__init__(message, response, body=body, code=code)


class APITimeoutError(APIConnectionError):
    """The request timed out (OPENAI_TIMEOUT)."""

    def __init__(self, message="Request timed out.", response=None, *, body=None, code=None):
        super().__init__(message, response, body=body, code=code)


class APIUserAbortError(APIError):
    """The call was cancelled (OPENAI_CANCELLED), e.g. by closing its client or stream."""


STATUS_CLASSES = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    500: InternalServerError,
}
