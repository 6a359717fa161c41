"""libopenai: the Python binding of libopenai, the OpenAI API client as a C library.

    import libopenai
    client = libopenai.OpenAI()              # OPENAI_API_KEY, OPENAI_BASE_URL from the environment
    r = client.chat.completions.create(model="gpt-4o-mini",
                                       messages=[{"role": "user", "content": "Hello"}])
    print(r.choices[0].message.content)      # or r["choices"][0]["message"]["content"]

The shared library is found through OPENAI_C_LIBRARY (the path of libopenai.so), else next to
this package, else on the dynamic loader's path.
"""

from ._cancel import CancelToken
from ._client import AsyncOpenAI, OpenAI
from ._core import AsyncPager, AsyncStream, Pager, Stream, Upload
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    APIUserAbortError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    OpenAIError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._lib import LibraryNotFoundError, native_version
from ._log import LOG_LEVELS, set_log_callback
from ._operations import OPERATIONS, VERSION
from ._types import APIResponse, BinaryContent, Headers, OpenAIList, OpenAIObject, TextContent

__version__ = VERSION

__all__ = [
    "OpenAI", "AsyncOpenAI", "OPERATIONS", "native_version", "CancelToken", "set_log_callback", "LOG_LEVELS",
    "Stream", "AsyncStream", "Pager", "AsyncPager", "Upload",
    "OpenAIObject", "OpenAIList", "APIResponse", "BinaryContent", "TextContent", "Headers",
    "OpenAIError", "InvalidArgumentError", "LibraryNotFoundError", "APIError", "APIStatusError",
    "APIResponseValidationError", "APIConnectionError", "APITimeoutError", "APIUserAbortError",
    "BadRequestError", "AuthenticationError", "PermissionDeniedError", "NotFoundError",
    "ConflictError", "UnprocessableEntityError", "RateLimitError", "InternalServerError",
]
