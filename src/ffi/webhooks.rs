//! Webhook signature verification for a C server (the SDK's `webhooks.verify_signature` and
//! `webhooks.unwrap`): the C arguments read into the core's `webhooks` functions.

use std::borrow::Cow;
use std::ffi::{c_char, CStr};
use std::time::{Duration, SystemTime};

use super::code::openai_code;
use super::error::set_last_error;
use super::event::openai_event;
use super::handle::Out;
use crate::sse::Event;
use crate::webhooks::{self, WebhookError, DEFAULT_TOLERANCE};

/// The environment variable that holds the secret when the caller passes none, as for the SDK.
const SECRET_VARIABLE: &str = "OPENAI_WEBHOOK_SECRET";

/// What both exports read: the payload, the headers, the secret and the tolerance.
struct Arguments<'a> {
    payload: &'a [u8],
    headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    secret: String,
    tolerance: Duration,
}

impl Arguments<'_> {
    fn headers(&self) -> Vec<(&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_ref(), v.as_ref())).collect()
    }
}

/// Reads the arguments; an unusable one is an invalid argument with a message.
///
/// # Safety
/// `payload` is NULL or valid for `payload_len` bytes; `header_names` and `header_values` are NULL
/// or valid for `header_count` pointers, each NULL or a NUL-terminated string; `secret` is NULL
/// or a NUL-terminated string.
unsafe fn arguments<'a>(
    payload: *const c_char,
    payload_len: usize,
    header_names: *const *const c_char,
    header_values: *const *const c_char,
    header_count: usize,
    secret: *const c_char,
    tolerance_seconds: i64,
) -> Result<Arguments<'a>, String> {
    let payload: &[u8] = match (payload.is_null(), payload_len) {
        (_, 0) => &[],
        (true, _) => return Err(format!("payload is NULL while payload_len is {payload_len}")),
        // SAFETY: non-NULL and valid for `payload_len` bytes by this function's contract.
        (false, len) => unsafe { std::slice::from_raw_parts(payload as *const u8, len) },
    };
    if header_count > 0 && (header_names.is_null() || header_values.is_null()) {
        return Err(format!("header_names or header_values is NULL while header_count is {header_count}"));
    }
    let mut headers = Vec::with_capacity(header_count);
    for i in 0..header_count {
        // SAFETY: both arrays hold `header_count` pointers by this function's contract.
        let (name, value) = unsafe { (*header_names.add(i), *header_values.add(i)) };
        if name.is_null() || value.is_null() {
            return Err(format!("header_names[{i}] or header_values[{i}] is NULL"));
        }
        // Header bytes that are not UTF-8 are kept as near as can be: a header this check needs
        // then no longer matches, and any other is left alone.
        // SAFETY: each non-NULL entry is a NUL-terminated string by this function's contract.
        headers.push(unsafe { (CStr::from_ptr(name).to_string_lossy(), CStr::from_ptr(value).to_string_lossy()) });
    }
    let secret = if secret.is_null() {
        std::env::var(SECRET_VARIABLE).map_err(|_| {
            format!("the webhook secret must be given, or set in the environment variable {SECRET_VARIABLE}")
        })?
    } else {
        // SAFETY: a NUL-terminated string by this function's contract.
        unsafe { CStr::from_ptr(secret) }.to_str().map_err(|_| "secret is not valid UTF-8".to_string())?.to_string()
    };
    let tolerance = u64::try_from(tolerance_seconds).map_or(DEFAULT_TOLERANCE, Duration::from_secs);
    Ok(Arguments { payload, headers, secret, tolerance })
}

fn failed(error: WebhookError) -> openai_code {
    set_last_error(error.message());
    match error {
        WebhookError::InvalidSignature(_) => openai_code::OPENAI_INVALID_WEBHOOK_SIGNATURE,
        WebhookError::InvalidArgument(_) => openai_code::OPENAI_INVALID_ARGUMENT,
    }
}

/// Checks that a webhook request came from OpenAI, as the official SDK's
/// `webhooks.verify_signature`, with no crypto library of the caller's: the HMAC-SHA256 of
/// `<webhook-id>.<webhook-timestamp>.<payload>` under the secret must be one of the
/// `v1,<base64>` signatures of the `webhook-signature` header (which may hold several, separated
/// by spaces), and the `webhook-timestamp` (seconds since 1970) must lie within
/// `tolerance_seconds` of now, either way, so that a recorded request cannot be replayed later.
///
/// `payload` is the request's body exactly as received (`payload_len` bytes; NULL with 0).
/// `header_names` and `header_values` are the request's headers, `header_count` of each (any
/// headers may be passed, the three above are needed; names are compared without case, the first
/// of a repeated name is used). `secret` is the endpoint's signing secret as the dashboard shows
/// it (`whsec_` and the key in base64; a secret without the prefix is used as it is), or NULL for
/// the environment variable `OPENAI_WEBHOOK_SECRET`. A negative `tolerance_seconds` means the
/// SDK's default, 300.
///
/// Returns `OPENAI_OK` for a genuine request; `OPENAI_INVALID_WEBHOOK_SIGNATURE` when a header is
/// missing, the timestamp is malformed, too old or too new, or no signature matches
/// (`openai_last_error()` says which, in the SDK's words); `OPENAI_INVALID_ARGUMENT` for a NULL
/// array with a count, no secret, or a secret that is not base64 after `whsec_`. Needs no client,
/// sends nothing, and may be called from any thread.
#[no_mangle]
pub unsafe extern "C" fn openai_webhooks_verify_signature(
    payload: *const c_char,
    payload_len: usize,
    header_names: *const *const c_char,
    header_values: *const *const c_char,
    header_count: usize,
    secret: *const c_char,
    tolerance_seconds: i64,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: the export's arguments, valid as the header describes them.
        let arguments = match unsafe { arguments(payload, payload_len, header_names, header_values, header_count, secret, tolerance_seconds) } {
            Ok(arguments) => arguments,
            Err(message) => return failed(WebhookError::InvalidArgument(message)),
        };
        match webhooks::verify_signature(arguments.payload, &arguments.headers(), &arguments.secret, arguments.tolerance, SystemTime::now()) {
            Ok(()) => openai_code::OPENAI_OK,
            Err(error) => failed(error),
        }
    }
}

/// Verifies a webhook request as `openai_webhooks_verify_signature` does, then reads its event,
/// as the SDK's `webhooks.unwrap`: `*out` receives an `openai_event` (free it with
/// `openai_event_free`) whose name is the event's `type` (`response.completed`,
/// `batch.failed`, ...), whose data is the payload (read it with `openai_event_json_string`,
/// e.g. `/data/id`) and whose id is the `webhook-id` (a delivery may come twice: the id tells).
/// Returns what `openai_webhooks_verify_signature` returns, and `OPENAI_INVALID_ARGUMENT` for a
/// genuine payload that is not a JSON object or a NULL `out`; `*out` is NULL on failure.
#[no_mangle]
pub unsafe extern "C" fn openai_webhooks_unwrap(
    payload: *const c_char,
    payload_len: usize,
    header_names: *const *const c_char,
    header_values: *const *const c_char,
    header_count: usize,
    secret: *const c_char,
    tolerance_seconds: i64,
    out: *mut *mut openai_event,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: `out` is NULL or writable (the header's conventions).
        let out = match unsafe { Out::new(out) } {
            Ok(out) => out,
            Err(code) => return code,
        };
        // SAFETY: the export's arguments, valid as the header describes them.
        let arguments = match unsafe { arguments(payload, payload_len, header_names, header_values, header_count, secret, tolerance_seconds) } {
            Ok(arguments) => arguments,
            Err(message) => return failed(WebhookError::InvalidArgument(message)),
        };
        match webhooks::unwrap(arguments.payload, &arguments.headers(), &arguments.secret, arguments.tolerance, SystemTime::now()) {
            Ok(event) => {
                out.put(openai_event::new(Event { name: event.kind, data: event.payload, id: Some(event.id), retry: None }));
                openai_code::OPENAI_OK
            }
            Err(error) => failed(error),
        }
    }
}
