//! Webhook signature verification, as the official SDK's `webhooks.verify_signature` and
//! `webhooks.unwrap`: OpenAI signs `<webhook-id>.<webhook-timestamp>.<body>` with HMAC-SHA256
//! under the endpoint's secret (`whsec_` followed by the key in base64) and sends the signature in
//! base64 as `v1,<signature>` in the `webhook-signature` header, which may hold several
//! space-separated signatures (during a secret's rotation): one that matches suffices. The
//! timestamp must lie within a tolerance (300 s by default) of now, either way, so that a
//! recorded event cannot be replayed later.

use std::time::{Duration, SystemTime};

use base64::Engine;
use serde_json::Value;

/// How far the timestamp may lie from now, either way, unless the caller says otherwise.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Why an event was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookError {
    /// The event is not signed as it should be (the SDK's InvalidWebhookSignatureError): a
    /// header is missing, the timestamp is malformed, too old or too new, or no signature
    /// matches. The message says which, in the SDK's words.
    InvalidSignature(String),
    /// The caller's input is unusable (no secret, a secret that is not base64, a payload that is
    /// not a JSON object).
    InvalidArgument(String),
}

impl WebhookError {
    pub fn message(&self) -> &str {
        match self {
            WebhookError::InvalidSignature(m) | WebhookError::InvalidArgument(m) => m,
        }
    }
}

fn signature_error<T>(message: impl Into<String>) -> Result<T, WebhookError> {
    Err(WebhookError::InvalidSignature(message.into()))
}

/// A verified event: its `type`, its `webhook-id` and the payload as it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    pub kind: String,
    pub id: String,
    pub payload: Vec<u8>,
}

/// The value of a header among the request's (names compared without case), the first when
/// repeated.
fn header<'a>(headers: &[(&str, &'a str)], name: &str) -> Result<&'a str, WebhookError> {
    match headers.iter().find(|(n, _)| n.trim().eq_ignore_ascii_case(name)) {
        Some((_, value)) => Ok(value),
        None => signature_error(format!("Could not find {name} header")),
    }
}

/// The HMAC key of a secret: the bytes after `whsec_` decoded from base64, else the secret's own
/// bytes.
fn key_of(secret: &str) -> Result<Vec<u8>, WebhookError> {
    match secret.strip_prefix("whsec_") {
        Some(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| WebhookError::InvalidArgument(format!("the webhook secret is not valid base64 after \"whsec_\": {e}"))),
        None => Ok(secret.as_bytes().to_vec()),
    }
}

/// Compares two strings in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// Checks that `payload` was signed by the holder of `secret`, given the request's headers (any
/// number of name/value pairs; `webhook-id`, `webhook-timestamp` and `webhook-signature` are
/// needed), at time `now`.
pub fn verify_signature(payload: &[u8], headers: &[(&str, &str)], secret: &str, tolerance: Duration, now: SystemTime) -> Result<(), WebhookError> {
    let key = key_of(secret)?;
    let signatures = header(headers, "webhook-signature")?;
    let timestamp = header(headers, "webhook-timestamp")?;
    let id = header(headers, "webhook-id")?;
    let Ok(seconds) = timestamp.trim().parse::<i64>() else {
        return signature_error("Invalid webhook timestamp format");
    };
    let now = match now.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(since) => since.as_secs() as i128,
        Err(before) => -(before.duration().as_secs() as i128),
    };
    let (seconds, tolerance) = (seconds as i128, tolerance.as_secs() as i128);
    if now - seconds > tolerance {
        return signature_error("Webhook timestamp is too old");
    }
    if seconds > now + tolerance {
        return signature_error("Webhook timestamp is too new");
    }
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
    let mut signing = ring::hmac::Context::with_key(&key);
    for piece in [id.as_bytes(), b".", timestamp.as_bytes(), b".", payload] {
        signing.update(piece);
    }
    let expected = base64::engine::general_purpose::STANDARD.encode(signing.sign().as_ref());
    // Each space-separated value is `v1,<signature>` (a value without the prefix is taken whole).
    let matched = signatures
        .split_whitespace()
        .map(|s| s.strip_prefix("v1,").unwrap_or(s))
        .fold(false, |found, candidate| same(expected.as_bytes(), candidate.as_bytes()) | found);
    if matched {
        Ok(())
    } else {
        signature_error("The given webhook signature does not match the expected signature")
    }
}

/// Verifies the event (see [`verify_signature`]) and reads it: the payload must be a JSON
/// object; its `type` names the event ("" when absent).
pub fn unwrap(payload: &[u8], headers: &[(&str, &str)], secret: &str, tolerance: Duration, now: SystemTime) -> Result<WebhookEvent, WebhookError> {
    verify_signature(payload, headers, secret, tolerance, now)?;
    let kind = match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Object(map)) => map.get("type").and_then(Value::as_str).unwrap_or("").to_string(),
        _ => return Err(WebhookError::InvalidArgument("the webhook payload is not a JSON object".into())),
    };
    let id = header(headers, "webhook-id")?.to_string();
    Ok(WebhookEvent { kind, id, payload: payload.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;

    // The key "secret-key-bytes" as a whsec_ secret, and a signature made by an independent
    // HMAC-SHA256 (Python's hmac module) of "wh_1.1700000000.{"type":"batch.completed"}".
    const SECRET: &str = "whsec_c2VjcmV0LWtleS1ieXRlcw==";
    const PAYLOAD: &[u8] = br#"{"type":"batch.completed"}"#;
    const SIGNATURE: &str = "v1,2cItx8Y0D66LZZLkmTKRpBEQBaAxIGyra/outfJ6RlM=";

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn headers(signature: &str) -> Vec<(&str, &str)> {
        vec![("Webhook-Id", "wh_1"), ("webhook-timestamp", "1700000000"), ("WEBHOOK-SIGNATURE", signature), ("content-type", "application/json")]
    }

    #[test]
    fn a_signature_made_elsewhere_is_accepted() {
        assert_eq!(verify_signature(PAYLOAD, &headers(SIGNATURE), SECRET, DEFAULT_TOLERANCE, at(1_700_000_000)), Ok(()));
        // Among others, and within the tolerance either way.
        let several = format!("v1,bm90LWl0 {SIGNATURE} v1,YWxzby1ub3Q=");
        for now in [1_700_000_300, 1_699_999_700] {
            assert_eq!(verify_signature(PAYLOAD, &headers(&several), SECRET, DEFAULT_TOLERANCE, at(now)), Ok(()));
        }
        let event = unwrap(PAYLOAD, &headers(SIGNATURE), SECRET, DEFAULT_TOLERANCE, at(1_700_000_000)).unwrap();
        assert_eq!((event.kind.as_str(), event.id.as_str(), event.payload.as_slice()), ("batch.completed", "wh_1", PAYLOAD));
    }

    #[test]
    fn what_is_refused_and_why() {
        let check = |payload: &[u8], headers: &[(&str, &str)], secret: &str, now: u64| verify_signature(payload, headers, secret, DEFAULT_TOLERANCE, at(now));
        let refused = |message: &str| Err(WebhookError::InvalidSignature(message.into()));
        let no_match = refused("The given webhook signature does not match the expected signature");
        assert_eq!(check(br#"{"type":"batch.failed"}"#, &headers(SIGNATURE), SECRET, 1_700_000_000), no_match);
        assert_eq!(check(PAYLOAD, &headers(SIGNATURE), "whsec_b3RoZXIta2V5", 1_700_000_000), no_match);
        assert_eq!(check(PAYLOAD, &headers(&SIGNATURE.replace("v1,", "v1,x")), SECRET, 1_700_000_000), no_match);
        assert_eq!(check(PAYLOAD, &headers(SIGNATURE), SECRET, 1_700_000_301), refused("Webhook timestamp is too old"));
        assert_eq!(check(PAYLOAD, &headers(SIGNATURE), SECRET, 1_699_999_699), refused("Webhook timestamp is too new"));
        let mut bad_time = headers(SIGNATURE);
        bad_time[1].1 = "17e8";
        assert_eq!(check(PAYLOAD, &bad_time, SECRET, 1_700_000_000), refused("Invalid webhook timestamp format"));
        assert_eq!(check(PAYLOAD, &headers(SIGNATURE)[1..], SECRET, 1_700_000_000), refused("Could not find webhook-id header"));
        assert!(matches!(check(PAYLOAD, &headers(SIGNATURE), "whsec_%%%", 1_700_000_000), Err(WebhookError::InvalidArgument(_))));
        let tolerance = Duration::from_secs(10);
        assert!(verify_signature(PAYLOAD, &headers(SIGNATURE), SECRET, tolerance, at(1_700_000_011)).is_err());
        assert!(verify_signature(PAYLOAD, &headers(SIGNATURE), SECRET, tolerance, at(1_700_000_010)).is_ok());
    }
}
