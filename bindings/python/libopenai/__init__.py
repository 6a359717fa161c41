"""libopenai: the Python binding of libopenai, the OpenAI API client as a C library, with the
official SDK's surface, so that code written for the ``openai`` package runs unchanged:

    from libopenai import OpenAI
    client = OpenAI()                        # OPENAI_API_KEY, OPENAI_BASE_URL from the environment
    r = client.chat.completions.create(model="gpt-4o-mini",
                                       messages=[{"role": "user", "content": "Hello"}])
    print(r.choices[0].message.content)

The shared library is the one bundled in the wheel, else the installed one (its soname,
libopenai.so.0.1), or the path in OPENAI_C_LIBRARY when it is set.
"""

from ._cancel import CancelToken
from ._client import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, AsyncOpenAI, OpenAI
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
    ContentFilterFinishReasonError,
    InternalServerError,
    InvalidArgumentError,
    InvalidWebhookSignatureError,
    LengthFinishReasonError,
    NotFoundError,
    OpenAIError,
    PermissionDeniedError,
    QueueFullError,
    RateLimitError,
    ResponseTooLargeError,
    UnprocessableEntityError,
)
from ._helpers import (
    AssistantEventHandler,
    AssistantStreamManager,
    AsyncAssistantEventHandler,
    AsyncAssistantStreamManager,
)
from ._lib import LibraryNotFoundError, native_version
from ._log import LOG_LEVELS, set_log_callback
from ._models import BaseModel, OpenAIObject
from ._operations import OPERATIONS, VERSION
from ._realtime import (
    AsyncRealtimeConnection,
    AsyncRealtimeConnectionManager,
    RealtimeConnection,
    RealtimeConnectionManager,
    ReconnectingEvent,
)
from ._pagination import (
    AsyncConversationCursorPage,
    AsyncCursorPage,
    AsyncPage,
    AsyncPaginator,
    SyncConversationCursorPage,
    SyncCursorPage,
    SyncPage,
)
from ._response import (
    APIResponse,
    AsyncStreamedAPIResponse,
    BinaryContent,
    Headers,
    HttpxBinaryResponseContent,
    StreamedAPIResponse,
    TextContent,
)
from ._types import NOT_GIVEN, NotGiven, Omit, Timeout, not_given, omit

__version__ = VERSION

# The official SDK's other names for the clients.
Client = OpenAI
AsyncClient = AsyncOpenAI

__all__ = [
    "OpenAI", "AsyncOpenAI", "Client", "AsyncClient", "OPERATIONS", "native_version", "CancelToken",
    "set_log_callback", "LOG_LEVELS", "Stream", "AsyncStream", "Pager", "AsyncPager", "Upload",
    "OpenAIObject", "BaseModel", "APIResponse", "StreamedAPIResponse", "AsyncStreamedAPIResponse", "BinaryContent",
    "HttpxBinaryResponseContent", "TextContent", "Headers", "SyncPage", "SyncCursorPage",
    "SyncConversationCursorPage", "AsyncPage", "AsyncCursorPage", "AsyncConversationCursorPage", "AsyncPaginator",
    "AssistantEventHandler", "AsyncAssistantEventHandler", "AssistantStreamManager", "AsyncAssistantStreamManager",
    "RealtimeConnection", "AsyncRealtimeConnection", "RealtimeConnectionManager", "AsyncRealtimeConnectionManager",
    "ReconnectingEvent",
    "NOT_GIVEN", "NotGiven", "not_given", "Omit", "omit", "Timeout", "DEFAULT_TIMEOUT", "DEFAULT_MAX_RETRIES",
    "OpenAIError", "InvalidArgumentError", "LibraryNotFoundError", "APIError", "APIStatusError",
    "APIResponseValidationError", "APIConnectionError", "APITimeoutError", "APIUserAbortError",
    "ResponseTooLargeError", "QueueFullError", "BadRequestError", "AuthenticationError", "PermissionDeniedError", "NotFoundError",
    "ConflictError", "UnprocessableEntityError", "RateLimitError", "InternalServerError",
    "LengthFinishReasonError", "ContentFilterFinishReasonError", "InvalidWebhookSignatureError",
]
