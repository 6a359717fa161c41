//! JSON for C programs without a JSON library, through the C ABI: request bodies built with
//! `openai_json_*` (escaping, nesting, raw values checked, misuse refused with a clear code and
//! message, never a crash), `openai_json_escape`, and the lengths of arrays in responses and
//! events (`openai_*_json_array_len`).

mod common;

use std::ffi::{c_char, CString};
use std::ptr::{null, null_mut};

use common::*;
use openai::ffi::error::openai_last_error;
use openai::ffi::event::*;
use openai::ffi::json_builder::*;
use openai::ffi::operations_gen::*;
use openai::ffi::stream::*;
use serde_json::json;

/// The builder's text, or None (NULL) with the last error.
fn finished(json: *mut openai_json) -> Result<String, String> {
    let text = unsafe { openai_json_text(json) };
    if text.is_null() {
        Err(common::text(openai_last_error()).unwrap_or_default())
    } else {
        Ok(common::text(text).unwrap())
    }
}

fn last_error() -> String {
    text(openai_last_error()).unwrap_or_default()
}

#[test]
fn a_built_body_reaches_the_server_byte_for_byte() {
    let h = Harness::new();
    let content = "He said \"hi\"\\ then:\n\ttab, bell \u{7}, NUL-free é 漢字 😀 </script>";
    let j = openai_json_new_object();
    unsafe {
        assert_eq!(openai_json_add_string(j, c("model").as_ptr(), c("gpt-4o-mini").as_ptr()), OPENAI_OK);
        assert_eq!(openai_json_begin_array(j, c("messages").as_ptr()), OPENAI_OK);
        assert_eq!(openai_json_begin_object(j, null()), OPENAI_OK);
        assert_eq!(openai_json_add_string(j, c("role").as_ptr(), c("user").as_ptr()), OPENAI_OK);
        assert_eq!(openai_json_add_string(j, c("content").as_ptr(), c(content).as_ptr()), OPENAI_OK);
        assert_eq!(openai_json_end(j), OPENAI_OK);
        assert_eq!(openai_json_end(j), OPENAI_OK);
        assert_eq!(openai_json_add_double(j, c("temperature").as_ptr(), 0.2), OPENAI_OK);
        assert_eq!(openai_json_add_int(j, c("max_tokens").as_ptr(), 64), OPENAI_OK);
        assert_eq!(openai_json_add_bool(j, c("stream").as_ptr(), false), OPENAI_OK);
        assert_eq!(openai_json_add_null(j, c("user").as_ptr()), OPENAI_OK);
        assert_eq!(openai_json_add_raw(j, c("response_format").as_ptr(), c(r#" {"type": "json_object"} "#).as_ptr()), OPENAI_OK);
        assert!(finished(j).unwrap_err().contains("1 object(s) or array(s) still open"));
        assert_eq!(openai_json_end(j), OPENAI_OK);
    }
    let body = finished(j).unwrap();
    assert_eq!(
        body,
        format!(
            r#"{{"model":"gpt-4o-mini","messages":[{{"role":"user","content":{}}}],"temperature":0.2,"max_tokens":64,"stream":false,"user":null,"response_format":{{"type": "json_object"}}}}"#,
            serde_json::to_string(content).unwrap()
        )
    );
    let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(parsed["messages"][0]["content"], content, "the string reads back as it was given");
    assert!(body.contains(r#"\"hi\"\\ then:\n\ttab, bell \u0007"#), "escaped as JSON escapes: {body}");

    let reply = call(|out| unsafe { openai_chat_completions_create(h.client, openai_json_text(j), out) });
    assert_eq!(reply.code, OPENAI_OK);
    assert_eq!(h.only_request()["body"], body.as_str(), "sent byte for byte");
    unsafe { openai_json_free(j) };
}

#[test]
fn an_array_document_and_nested_empty_containers() {
    let j = openai_json_new_array();
    unsafe {
        assert_eq!(openai_json_add_string(j, null(), c("a").as_ptr()), OPENAI_OK);
        assert_eq!(openai_json_begin_object(j, null()), OPENAI_OK);
        assert_eq!(openai_json_begin_array(j, c("empty").as_ptr()), OPENAI_OK);
        assert_eq!(openai_json_end(j), OPENAI_OK);
        assert_eq!(openai_json_begin_object(j, c("nested").as_ptr()), OPENAI_OK);
        assert_eq!(openai_json_end(j), OPENAI_OK);
        assert_eq!(openai_json_end(j), OPENAI_OK);
        assert_eq!(openai_json_add_int(j, null(), i64::MIN), OPENAI_OK);
        assert_eq!(openai_json_add_double(j, null(), 1e-7), OPENAI_OK);
        assert_eq!(openai_json_add_double(j, null(), 3.0), OPENAI_OK);
        assert_eq!(openai_json_end(j), OPENAI_OK);
    }
    assert_eq!(finished(j).unwrap(), r#"["a",{"empty":[],"nested":{}},-9223372036854775808,1e-7,3.0]"#);
    unsafe { openai_json_free(j) };
}

/// Runs `misuse` on a fresh object builder and checks the code, the message, and that the
/// builder then refuses everything, its text included.
fn refused(misuse: impl FnOnce(*mut openai_json) -> openai_code, message: &str) {
    let j = openai_json_new_object();
    unsafe { openai_json_add_int(j, c("before").as_ptr(), 1) };
    assert_eq!(misuse(j), OPENAI_INVALID_ARGUMENT, "{message}");
    assert!(last_error().contains(message), "last error {:?}, expected {message:?}", last_error());
    // A valid call afterwards fails too and repeats the first failure.
    assert_eq!(unsafe { openai_json_add_int(j, c("after").as_ptr(), 2) }, OPENAI_INVALID_ARGUMENT);
    assert!(last_error().starts_with("the JSON builder failed earlier: "), "{}", last_error());
    assert!(last_error().contains(message));
    assert_eq!(unsafe { openai_json_end(j) }, OPENAI_INVALID_ARGUMENT);
    let err = finished(j).unwrap_err();
    assert!(err.contains(message), "the text is withheld and says why: {err}");
    unsafe { openai_json_free(j) };
}

#[test]
fn misuse_gives_a_clear_code_and_fails_the_builder() {
    let invalid_utf8 = CString::new(vec![b'a', 0xff, b'b']).unwrap();
    let invalid = invalid_utf8.as_ptr();
    refused(|j| unsafe { openai_json_add_string(j, c("k").as_ptr(), null()) }, "value is NULL");
    refused(|j| unsafe { openai_json_add_string(j, c("k").as_ptr(), invalid) }, "value is not valid UTF-8 (byte 1)");
    refused(|j| unsafe { openai_json_add_string(j, invalid, c("v").as_ptr()) }, "key is not valid UTF-8 (byte 1)");
    refused(|j| unsafe { openai_json_add_int(j, null(), 1) }, "a member of an object needs a key (key is NULL)");
    refused(|j| unsafe { openai_json_add_int(j, c("before").as_ptr(), 1) }, "the key \"before\" is already in this object");
    refused(|j| unsafe { openai_json_add_double(j, c("x").as_ptr(), f64::NAN) }, "NaN is not a number JSON can hold");
    refused(|j| unsafe { openai_json_add_double(j, c("x").as_ptr(), f64::INFINITY) }, "inf is not a number JSON can hold");
    refused(|j| unsafe { openai_json_add_raw(j, c("x").as_ptr(), null()) }, "raw_json is NULL");
    refused(|j| unsafe { openai_json_add_raw(j, c("x").as_ptr(), c("{\"a\":").as_ptr()) }, "the raw value is not JSON");
    refused(|j| unsafe { openai_json_add_raw(j, c("x").as_ptr(), c("1 2").as_ptr()) }, "the raw value is not JSON: trailing characters");
    refused(|j| unsafe { openai_json_add_raw(j, c("x").as_ptr(), c("").as_ptr()) }, "the raw value is not JSON");
    refused(
        |j| unsafe {
            openai_json_begin_array(j, c("list").as_ptr());
            openai_json_add_int(j, c("key-in-array").as_ptr(), 1)
        },
        "an element of an array has no key (key must be NULL)",
    );
    // A value added to a complete (closed) document.
    refused(
        |j| unsafe {
            assert_eq!(openai_json_end(j), OPENAI_OK);
            assert_eq!(finished(j).unwrap(), r#"{"before":1}"#);
            openai_json_add_int(j, c("late").as_ptr(), 1)
        },
        "the JSON document is complete (its outermost object or array was ended): nothing can be added to it",
    );
    refused(
        |j| unsafe {
            assert_eq!(openai_json_end(j), OPENAI_OK);
            openai_json_end(j)
        },
        "the JSON document is complete",
    );
}

#[test]
fn null_handles_are_refused_without_a_crash() {
    unsafe {
        assert_eq!(openai_json_add_string(null_mut(), c("k").as_ptr(), c("v").as_ptr()), OPENAI_INVALID_ARGUMENT);
        assert_eq!(last_error(), "json is NULL");
        assert_eq!(openai_json_add_int(null_mut(), null(), 0), OPENAI_INVALID_ARGUMENT);
        assert_eq!(openai_json_add_raw(null_mut(), null(), null()), OPENAI_INVALID_ARGUMENT);
        assert_eq!(openai_json_begin_object(null_mut(), null()), OPENAI_INVALID_ARGUMENT);
        assert_eq!(openai_json_end(null_mut()), OPENAI_INVALID_ARGUMENT);
        assert!(openai_json_text(null()).is_null());
        assert_eq!(last_error(), "json is NULL");
        openai_json_free(null_mut());
    }
}

/// `openai_json_escape` into a buffer of `size` bytes: the code, the length and what was written.
fn escape(text: *const c_char, size: usize) -> (openai_code, usize, Vec<u8>) {
    let mut buffer = vec![0x55u8; size + 1]; // one guard byte past `size`
    let mut length = 12345usize;
    let code = unsafe { openai_json_escape(text, buffer.as_mut_ptr() as *mut c_char, size, &mut length) };
    assert_eq!(buffer[size], 0x55, "nothing written past size");
    buffer.truncate(size);
    (code, length, buffer)
}

#[test]
fn escape_writes_a_json_string_literal_or_nothing() {
    let input = c("a \"quote\", a \\ backslash, \u{1}\u{1f} controls, \r\n\t, é");
    let literal = r#""a \"quote\", a \\ backslash, \u0001\u001f controls, \r\n\t, é""#;
    let (code, length, buffer) = escape(input.as_ptr(), 100);
    assert_eq!(code, OPENAI_OK);
    assert_eq!(length, literal.len());
    assert_eq!(&buffer[..=length], format!("{literal}\0").as_bytes());

    // Exactly big enough, then one byte short: "" and the length needed, never a cut literal.
    assert_eq!(escape(input.as_ptr(), literal.len() + 1).0, OPENAI_OK);
    let (code, length, buffer) = escape(input.as_ptr(), literal.len());
    assert_eq!((code, length, buffer[0]), (OPENAI_INVALID_ARGUMENT, literal.len(), 0));
    assert_eq!(last_error(), format!("the buffer holds {} bytes; the JSON string needs {}", literal.len(), literal.len() + 1));

    // Asking for the length only.
    let mut length = 0usize;
    assert_eq!(unsafe { openai_json_escape(input.as_ptr(), null_mut(), 0, &mut length) }, OPENAI_OK);
    assert_eq!(length, literal.len());
    assert_eq!(unsafe { openai_json_escape(input.as_ptr(), null_mut(), 8, &mut length) }, OPENAI_INVALID_ARGUMENT);
    assert_eq!(last_error(), "buffer is NULL but size is 8");

    let (code, _, buffer) = escape(c("").as_ptr(), 3);
    assert_eq!((code, &buffer[..]), (OPENAI_OK, &b"\"\"\0"[..]));

    let invalid = CString::new(vec![b'o', b'k', 0xc3, 0x28]).unwrap();
    let (code, length, buffer) = escape(invalid.as_ptr(), 16);
    assert_eq!((code, length), (OPENAI_INVALID_ARGUMENT, 0));
    assert_eq!(buffer, vec![0x55; 16], "invalid UTF-8: nothing written");
    assert_eq!(last_error(), "text is not valid UTF-8 (byte 2)");
    assert_eq!(escape(null(), 16).0, OPENAI_INVALID_ARGUMENT);
    assert_eq!(last_error(), "text is NULL");
}

#[test]
fn array_lengths_in_a_response() {
    let h = Harness::new();
    let body = c(r#"{"model":"gpt-4o-mini","n":3,"messages":[{"role":"user","content":"hi"}]}"#);
    let mut response = null_mut();
    assert_eq!(unsafe { openai_chat_completions_create(h.client, body.as_ptr(), &mut response) }, OPENAI_OK);
    let len = |pointer: &str| {
        let mut n = 99usize;
        let code = unsafe { openai_response_json_array_len(response, c(pointer).as_ptr(), &mut n) };
        (code, n, if code == OPENAI_OK { String::new() } else { last_error() })
    };
    assert_eq!(len("/choices"), (OPENAI_OK, 3, String::new()));
    assert_eq!(len("/choices/0/message"), (OPENAI_INVALID_ARGUMENT, 0, "the value at \"/choices/0/message\" is an object, not an array".into()));
    assert_eq!(len("/choices/0/message/tool_calls"), (OPENAI_INVALID_ARGUMENT, 0, "nothing at \"/choices/0/message/tool_calls\"".into()));
    assert_eq!(len("/model"), (OPENAI_INVALID_ARGUMENT, 0, "the value at \"/model\" is a string, not an array".into()));
    unsafe {
        let mut n = 7usize;
        assert_eq!(openai_response_json_array_len(response, null(), &mut n), OPENAI_INVALID_ARGUMENT);
        assert_eq!((n, last_error()), (0, "pointer is NULL".to_string()));
        assert_eq!(openai_response_json_array_len(response, c("/choices").as_ptr(), null_mut()), OPENAI_INVALID_ARGUMENT);
        assert_eq!(last_error(), "len is NULL");
        assert_eq!(openai_response_json_array_len(null(), c("/choices").as_ptr(), &mut n), OPENAI_INVALID_ARGUMENT);
        assert_eq!(last_error(), "response is NULL");
        openai_response_free(response);
    }

    // A body that is not JSON.
    let mut response = null_mut();
    let code = unsafe { openai_files_retrieve_content(h.client, c("file-1").as_ptr(), &mut response) };
    assert_eq!(code, OPENAI_OK);
    let mut n = 5usize;
    // The file content of the mock is JSON lines: several values, not one document.
    assert_eq!(unsafe { openai_response_json_array_len(response, c("").as_ptr(), &mut n) }, OPENAI_INVALID_ARGUMENT);
    assert_eq!((n, last_error()), (0, "the body is not JSON".to_string()));
    unsafe { openai_response_free(response) };
    h.mock.script(json!({"body_json": [[1, 2], []]}));
    let reply_len = |pointer: &str| {
        let mut response = null_mut();
        unsafe { openai_models_list(h.client, &mut response) };
        let mut n = 9usize;
        let code = unsafe { openai_response_json_array_len(response, c(pointer).as_ptr(), &mut n) };
        unsafe { openai_response_free(response) };
        (code, n)
    };
    assert_eq!(reply_len("/0"), (OPENAI_OK, 2), "a top-level array, scripted");
}

#[test]
fn array_lengths_in_an_event() {
    let h = Harness::new();
    let body = c(r#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#);
    let mut stream = null_mut();
    assert_eq!(unsafe { openai_chat_completions_create_stream(h.client, body.as_ptr(), &mut stream) }, OPENAI_OK);
    let mut event = null_mut();
    assert_eq!(unsafe { openai_stream_next(stream, 5000, &mut event) }, OPENAI_OK);
    assert!(!event.is_null());
    let mut n = 0usize;
    assert_eq!(unsafe { openai_event_json_array_len(event, c("/choices").as_ptr(), &mut n) }, OPENAI_OK);
    assert_eq!(n, 1);
    assert_eq!(unsafe { openai_event_json_array_len(event, c("/id").as_ptr(), &mut n) }, OPENAI_INVALID_ARGUMENT);
    assert_eq!((n, last_error()), (0, "the value at \"/id\" is a string, not an array".to_string()));
    assert_eq!(unsafe { openai_event_json_array_len(null(), c("/choices").as_ptr(), &mut n) }, OPENAI_INVALID_ARGUMENT);
    assert_eq!(last_error(), "event is NULL");
    unsafe {
        openai_event_free(event);
        openai_stream_free(stream);
    }
}
