//! Result codes. Each value is explicit and never reused: programs store and compare them.
//! The enum is the one declaration of the codes: their table of names (code_table.rs), the
//! README's list and bindings/codes.json are rendered from it by tests/generated.rs.

use std::ffi::{c_char, c_int};

use crate::response::Outcome;

/// The result of a call. The codes from 400 up mirror the HTTP status (and the official SDK's
/// exception class) of an API error; the small codes are failures on this side of the network.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum openai_code {
    /// Success: a 2xx response, or a handle created.
    OPENAI_OK = 0,
    /// An argument was unusable (NULL, not UTF-8, not valid JSON, an empty path parameter, a
    /// missing file); nothing was sent.
    OPENAI_INVALID_ARGUMENT = 1,
    /// A bug in the library: a panic was caught at the boundary. Please report it.
    OPENAI_INTERNAL = 2,
    /// The connection could not be made, or broke before the response was complete
    /// (APIConnectionError).
    OPENAI_CONNECTION = 3,
    /// The request timed out (APITimeoutError).
    OPENAI_TIMEOUT = 4,
    /// The call was cancelled.
    OPENAI_CANCELLED = 5,
    /// A blocking call was made from a thread running another async runtime, where blocking
    /// would stall that runtime. (Blocking calls made inside the library's own callbacks work.)
    OPENAI_WOULD_DEADLOCK = 6,
    /// An event stream carried an error event.
    OPENAI_STREAM_ERROR = 7,
    /// An error status without a code of its own (3xx, 402, 405, 413, ...) (APIStatusError).
    OPENAI_OTHER_STATUS = 8,
    /// Not an error: a future or queue has nothing complete yet (the wait timed out, or the
    /// response was asked for too early).
    OPENAI_PENDING = 9,
    /// A 2xx response whose body is not what the operation returns: not JSON, for an operation
    /// that returns JSON (APIResponseValidationError). The body is in the response as it came.
    OPENAI_INVALID_RESPONSE = 10,
    /// The response (or one event of a stream) was larger than the client's
    /// `max_response_size`: reading stopped there and the connection was closed. Downloads to a
    /// file (`_to_file`) have no such limit.
    OPENAI_RESPONSE_TOO_LARGE = 11,
    /// A session's send queue is full (it is reconnecting, or a callback sends faster than the
    /// connection carries): the event was not queued. Try again later, or send less.
    OPENAI_QUEUE_FULL = 12,
    /// A webhook request is not signed as OpenAI signs it (InvalidWebhookSignatureError): a
    /// header is missing, its timestamp is malformed or outside the tolerance, or no signature
    /// matches. Do not trust its event.
    OPENAI_INVALID_WEBHOOK_SIGNATURE = 13,
    /// HTTP 400 (BadRequestError).
    OPENAI_BAD_REQUEST = 400,
    /// HTTP 401 (AuthenticationError).
    OPENAI_AUTHENTICATION = 401,
    /// HTTP 403 (PermissionDeniedError).
    OPENAI_PERMISSION_DENIED = 403,
    /// HTTP 404 (NotFoundError).
    OPENAI_NOT_FOUND = 404,
    /// HTTP 409 (ConflictError).
    OPENAI_CONFLICT = 409,
    /// HTTP 422 (UnprocessableEntityError).
    OPENAI_UNPROCESSABLE_ENTITY = 422,
    /// HTTP 429 (RateLimitError).
    OPENAI_RATE_LIMIT = 429,
    /// HTTP 500 and above (InternalServerError).
    OPENAI_INTERNAL_SERVER = 500,
}

use openai_code::*;

// Every code with its name (`ALL_CODES`), rendered from the enum above by tests/generated.rs:
// the enum is the one place a code is declared.
include!("code_table.rs");

impl From<Outcome> for openai_code {
    fn from(outcome: Outcome) -> openai_code {
        match outcome {
            Outcome::Ok => OPENAI_OK,
            Outcome::InvalidArgument => OPENAI_INVALID_ARGUMENT,
            Outcome::Internal => OPENAI_INTERNAL,
            Outcome::Connection => OPENAI_CONNECTION,
            Outcome::Timeout => OPENAI_TIMEOUT,
            Outcome::Cancelled => OPENAI_CANCELLED,
            Outcome::WouldDeadlock => OPENAI_WOULD_DEADLOCK,
            Outcome::StreamError => OPENAI_STREAM_ERROR,
            Outcome::InvalidResponse => OPENAI_INVALID_RESPONSE,
            Outcome::ResponseTooLarge => OPENAI_RESPONSE_TOO_LARGE,
            Outcome::BadRequest => OPENAI_BAD_REQUEST,
            Outcome::Authentication => OPENAI_AUTHENTICATION,
            Outcome::PermissionDenied => OPENAI_PERMISSION_DENIED,
            Outcome::NotFound => OPENAI_NOT_FOUND,
            Outcome::Conflict => OPENAI_CONFLICT,
            Outcome::UnprocessableEntity => OPENAI_UNPROCESSABLE_ENTITY,
            Outcome::RateLimit => OPENAI_RATE_LIMIT,
            Outcome::InternalServer => OPENAI_INTERNAL_SERVER,
            Outcome::OtherStatus => OPENAI_OTHER_STATUS,
        }
    }
}

/// The name of a code as a static string ("OPENAI_NOT_FOUND"), or "OPENAI_UNKNOWN_CODE" for a
/// value that is not a code. The string is never freed.
///
/// Takes an `int` rather than an `openai_code` so that any value can be passed safely.
#[no_mangle]
pub extern "C" fn openai_code_name(code: c_int) -> *const c_char {
    ffi_boundary! {
        ALL_CODES
            .iter()
            .find(|(c, _)| *c as c_int == code)
            .map_or(c"OPENAI_UNKNOWN_CODE".as_ptr(), |(_, name)| name.as_ptr())
    }
}
