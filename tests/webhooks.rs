//! Webhook signature verification through the C ABI, against requests signed by the tests' own
//! HMAC (tests/common/webhooks.rs): a genuine request, a tampered one, one too old and one too
//! new, several signatures, missing headers, the secret from the environment, and the event
//! `openai_webhooks_unwrap` hands back.

mod common;

use std::ffi::{c_char, CString};

use common::webhooks::{hmac_sha256, now, sign, ID, KEY, PAYLOAD, SECRET};
use common::*;
use openai::ffi::error::openai_last_error;
use openai::ffi::event::*;
use openai::ffi::webhooks::*;

/// A request's headers as the C arrays take them.
struct Headers {
    names: Vec<CString>,
    values: Vec<CString>,
}

impl Headers {
    fn new(pairs: &[(&str, &str)]) -> Headers {
        Headers { names: pairs.iter().map(|(n, _)| c(n)).collect(), values: pairs.iter().map(|(_, v)| c(v)).collect() }
    }

    fn signed(timestamp: i64, signature: &str) -> Headers {
        let timestamp = timestamp.to_string();
        Headers::new(&[("content-type", "application/json"), ("webhook-id", ID), ("webhook-timestamp", &timestamp), ("webhook-signature", signature)])
    }

    fn arrays(&self) -> (Vec<*const c_char>, Vec<*const c_char>) {
        (self.names.iter().map(|s| s.as_ptr()).collect(), self.values.iter().map(|s| s.as_ptr()).collect())
    }
}

/// `openai_webhooks_verify_signature` with the test secret (or `secret`) and the default
/// tolerance (or `tolerance`): the code and `openai_last_error()`.
fn verify_with(payload: &[u8], headers: &Headers, secret: Option<&str>, tolerance: i64) -> (openai_code, Option<String>) {
    let (names, values) = headers.arrays();
    let secret = secret.map(c);
    let code = unsafe {
        openai_webhooks_verify_signature(
            payload.as_ptr() as *const c_char,
            payload.len(),
            names.as_ptr(),
            values.as_ptr(),
            names.len(),
            secret.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            tolerance,
        )
    };
    (code, text(openai_last_error()))
}

fn verify(payload: &[u8], headers: &Headers) -> (openai_code, Option<String>) {
    verify_with(payload, headers, Some(SECRET), -1)
}

fn refused(message: &str) -> (openai_code, Option<String>) {
    (OPENAI_INVALID_WEBHOOK_SIGNATURE, Some(message.to_string()))
}

#[test]
fn the_tests_hmac_is_rfc_4231s() {
    // RFC 4231, test case 2: the signatures below are made by an HMAC that is known good.
    let mac: String = hmac_sha256(b"Jefe", b"what do ya want for nothing?").iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(mac, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

#[test]
fn a_genuine_request_is_accepted() {
    let payload = PAYLOAD.as_bytes();
    let now = now();
    assert_eq!(verify(payload, &Headers::signed(now, &sign(KEY, ID, now, payload))).0, OPENAI_OK);
    // Within the tolerance either way.
    for timestamp in [now - 290, now + 290] {
        assert_eq!(verify(payload, &Headers::signed(timestamp, &sign(KEY, ID, timestamp, payload))).0, OPENAI_OK, "{}", timestamp - now);
    }
    // Among several signatures (a secret being rotated), names in any case.
    let several = format!("v1,c29tZXRoaW5nIGVsc2U= {} v1,YW5kIGFub3RoZXI=", sign(KEY, ID, now, payload));
    let timestamp = now.to_string();
    let headers = Headers::new(&[("Webhook-Signature", &several), ("WEBHOOK-TIMESTAMP", &timestamp), ("Webhook-Id", ID)]);
    assert_eq!(verify(payload, &headers).0, OPENAI_OK);
    // A secret without the whsec_ prefix is the key itself.
    let raw = std::str::from_utf8(KEY).unwrap();
    assert_eq!(verify_with(payload, &Headers::signed(now, &sign(KEY, ID, now, payload)), Some(raw), -1).0, OPENAI_OK);
}

#[test]
fn a_tampered_request_is_refused() {
    let payload = PAYLOAD.as_bytes();
    let now = now();
    let signature = sign(KEY, ID, now, payload);
    let no_match = refused("The given webhook signature does not match the expected signature");
    // Another body, another id, another timestamp, another key, a changed signature.
    assert_eq!(verify(PAYLOAD.replace("resp_abc123", "resp_abc124").as_bytes(), &Headers::signed(now, &signature)), no_match);
    let other_id = Headers::new(&[("webhook-id", "wh_other"), ("webhook-timestamp", &now.to_string()), ("webhook-signature", &signature)]);
    assert_eq!(verify(payload, &other_id), no_match);
    assert_eq!(verify(payload, &Headers::signed(now - 1, &signature)), no_match);
    assert_eq!(verify(payload, &Headers::signed(now, &sign(b"another key", ID, now, payload))), no_match);
    let mut changed = signature.clone().into_bytes();
    changed[5] = if changed[5] == b'A' { b'B' } else { b'A' };
    assert_eq!(verify(payload, &Headers::signed(now, std::str::from_utf8(&changed).unwrap())), no_match);
    assert_eq!(verify(payload, &Headers::signed(now, "")), no_match);
}

#[test]
fn a_request_too_old_or_too_new_is_refused() {
    let payload = PAYLOAD.as_bytes();
    let now = now();
    let old = now - 400;
    assert_eq!(verify(payload, &Headers::signed(old, &sign(KEY, ID, old, payload))), refused("Webhook timestamp is too old"));
    let new = now + 400;
    assert_eq!(verify(payload, &Headers::signed(new, &sign(KEY, ID, new, payload))), refused("Webhook timestamp is too new"));
    // The caller's tolerance: 400 s old passes a tolerance of 500 s, 100 s old fails one of 10.
    assert_eq!(verify_with(payload, &Headers::signed(old, &sign(KEY, ID, old, payload)), Some(SECRET), 500).0, OPENAI_OK);
    let recent = now - 100;
    let headers = Headers::signed(recent, &sign(KEY, ID, recent, payload));
    assert_eq!(verify_with(payload, &headers, Some(SECRET), 10), refused("Webhook timestamp is too old"));
    assert_eq!(verify(payload, &Headers::signed(now, "v1,x").tap_timestamp("soon")), refused("Invalid webhook timestamp format"));
}

trait TapTimestamp {
    fn tap_timestamp(self, value: &str) -> Self;
}

impl TapTimestamp for Headers {
    fn tap_timestamp(mut self, value: &str) -> Headers {
        let at = self.names.iter().position(|n| n.to_str().unwrap() == "webhook-timestamp").unwrap();
        self.values[at] = c(value);
        self
    }
}

#[test]
fn missing_headers_and_unusable_arguments_are_reported() {
    let payload = PAYLOAD.as_bytes();
    let now = now();
    let timestamp = now.to_string();
    let signature = sign(KEY, ID, now, payload);
    let without = |name: &str| {
        let all = [("webhook-id", ID), ("webhook-timestamp", timestamp.as_str()), ("webhook-signature", signature.as_str())];
        Headers::new(&all.iter().filter(|(n, _)| *n != name).copied().collect::<Vec<_>>())
    };
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        assert_eq!(verify(payload, &without(name)), refused(&format!("Could not find {name} header")));
    }
    let headers = Headers::signed(now, &signature);
    let (code, message) = verify_with(payload, &headers, Some("whsec_not base64!"), -1);
    assert_eq!(code, OPENAI_INVALID_ARGUMENT);
    assert!(message.unwrap().starts_with("the webhook secret is not valid base64"));
    unsafe {
        let (names, values) = headers.arrays();
        let secret = c(SECRET);
        let p = payload.as_ptr() as *const c_char;
        assert_eq!(openai_webhooks_verify_signature(std::ptr::null(), 5, names.as_ptr(), values.as_ptr(), 4, secret.as_ptr(), -1), OPENAI_INVALID_ARGUMENT);
        assert_eq!(openai_webhooks_verify_signature(p, payload.len(), std::ptr::null(), values.as_ptr(), 4, secret.as_ptr(), -1), OPENAI_INVALID_ARGUMENT);
        let mut holed = names.clone();
        holed[1] = std::ptr::null();
        assert_eq!(openai_webhooks_verify_signature(p, payload.len(), holed.as_ptr(), values.as_ptr(), 4, secret.as_ptr(), -1), OPENAI_INVALID_ARGUMENT);
        assert_eq!(text(openai_last_error()).unwrap(), "header_names[1] or header_values[1] is NULL");
        // No headers at all: the signature header is missing.
        assert_eq!(openai_webhooks_verify_signature(p, payload.len(), std::ptr::null(), std::ptr::null(), 0, secret.as_ptr(), -1), OPENAI_INVALID_WEBHOOK_SIGNATURE);
        let mut event = std::ptr::null_mut();
        assert_eq!(openai_webhooks_unwrap(p, payload.len(), names.as_ptr(), values.as_ptr(), 4, secret.as_ptr(), -1, std::ptr::null_mut()), OPENAI_INVALID_ARGUMENT);
        // A genuine payload that is not a JSON object.
        let list = b"[1,2]";
        let headers = Headers::signed(now, &sign(KEY, ID, now, list));
        let (names, values) = headers.arrays();
        let code = openai_webhooks_unwrap(list.as_ptr() as *const c_char, list.len(), names.as_ptr(), values.as_ptr(), 4, secret.as_ptr(), -1, &mut event);
        assert_eq!((code, event.is_null()), (OPENAI_INVALID_ARGUMENT, true));
    }
}

#[test]
fn the_secret_comes_from_the_environment_when_not_given() {
    let payload = PAYLOAD.as_bytes();
    let now = now();
    let headers = Headers::signed(now, &sign(KEY, ID, now, payload));
    // The only test of this binary that reads or writes the variable.
    std::env::remove_var("OPENAI_WEBHOOK_SECRET");
    let (code, message) = verify_with(payload, &headers, None, -1);
    assert_eq!(code, OPENAI_INVALID_ARGUMENT);
    assert!(message.unwrap().contains("OPENAI_WEBHOOK_SECRET"));
    std::env::set_var("OPENAI_WEBHOOK_SECRET", SECRET);
    assert_eq!(verify_with(payload, &headers, None, -1).0, OPENAI_OK);
    std::env::set_var("OPENAI_WEBHOOK_SECRET", "whsec_b3RoZXIta2V5");
    assert_eq!(verify_with(payload, &headers, None, -1).0, OPENAI_INVALID_WEBHOOK_SIGNATURE);
    std::env::remove_var("OPENAI_WEBHOOK_SECRET");
}

#[test]
fn unwrap_hands_back_the_event() {
    let payload = PAYLOAD.as_bytes();
    let now = now();
    let headers = Headers::signed(now, &sign(KEY, ID, now, payload));
    let (names, values) = headers.arrays();
    let secret = c(SECRET);
    unsafe {
        let mut event = std::ptr::null_mut();
        let code = openai_webhooks_unwrap(payload.as_ptr() as *const c_char, payload.len(), names.as_ptr(), values.as_ptr(), names.len(), secret.as_ptr(), -1, &mut event);
        assert_eq!(code, OPENAI_OK);
        assert_eq!(text(openai_event_name(event)).as_deref(), Some("response.completed"));
        assert_eq!(text(openai_event_id(event)).as_deref(), Some(ID));
        assert_eq!(text(openai_event_json_string(event, c("/data/id").as_ptr())).as_deref(), Some("resp_abc123"));
        let mut len = 0;
        let data = openai_event_data(event, &mut len);
        assert_eq!(std::slice::from_raw_parts(data as *const u8, len), payload);
        openai_event_free(event);
        // A tampered one gives no event.
        let tampered = PAYLOAD.replace("completed", "failed");
        let code = openai_webhooks_unwrap(tampered.as_ptr() as *const c_char, tampered.len(), names.as_ptr(), values.as_ptr(), names.len(), secret.as_ptr(), -1, &mut event);
        assert_eq!((code, event.is_null()), (OPENAI_INVALID_WEBHOOK_SIGNATURE, true));
    }
}
