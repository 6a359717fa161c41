//! Compressed responses: asked for as the official SDK's HTTP client asks (`Accept-Encoding:
//! gzip, deflate`; event streams uncompressed), decompressed as they arrive, the decompressed
//! size bounded by `max_response_size` (a decompression bomb fails clearly, at bounded memory),
//! and a body that does not decompress is an invalid response, not retried.

mod common;

use std::io::Write;

use base64::Engine as _;
use common::*;
use openai::ffi::operations_gen::*;
use serde_json::json;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn models_list(client: *mut openai_client) -> Reply {
    call(|out| unsafe { openai_models_list(client, out) })
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn gzip_and_deflate_bodies_are_decompressed() {
    let h = Harness::new();
    let body = format!("{{\"object\":\"list\",\"data\":[{}]}}", vec!["{\"id\":\"gpt-4o\",\"object\":\"model\"}"; 200].join(","));
    for (encoding, encoded) in [("gzip", gzip(body.as_bytes())), ("deflate", deflate(body.as_bytes()))] {
        assert!(encoded.len() < body.len() / 10);
        h.mock.script(json!({"status": 200, "headers": {"content-encoding": encoding}, "body_base64": b64(&encoded)}));
        let r = models_list(h.client);
        assert_eq!(r.code, OPENAI_OK, "{encoding}: {r:?}");
        assert_eq!(r.body, body.as_bytes(), "{encoding}");
        assert_eq!(r.header("content-encoding"), None, "the body handed back is not encoded any more");
        let request = h.only_request();
        assert_eq!(header(&request, "accept-encoding"), Some("gzip, deflate"));
    }
}

#[test]
fn a_decompression_bomb_fails_at_the_size_cap_with_bounded_memory() {
    let h = Harness::with_options(r#"{"max_retries":2,"max_response_size":1048576}"#);
    // 256 MiB of zeros, 256 KiB on the wire.
    let bomb = gzip(&vec![0u8; 256 << 20]);
    assert!(bomb.len() < 1 << 20);
    let before = peak_rss_kib();
    h.mock.script(json!({"status": 200, "headers": {"content-encoding": "gzip"}, "body_base64": b64(&bomb)}));
    let r = models_list(h.client);
    assert_eq!(r.code, OPENAI_RESPONSE_TOO_LARGE, "{r:?}");
    assert_eq!(r.retries, 0);
    assert!(r.message.as_deref().unwrap().contains("max_response_size (1048576 bytes)"));
    // The expanded body was never held: the peak grew by far less than what it expands to.
    let grown = peak_rss_kib().saturating_sub(before);
    assert!(grown < 64 << 10, "peak RSS grew by {grown} KiB while refusing a 256 MiB bomb");
}

#[test]
fn a_body_that_does_not_decompress_is_an_invalid_response() {
    let h = Harness::with_options(r#"{"max_retries":2}"#);
    h.mock.script(json!({"status": 200, "headers": {"content-encoding": "gzip"}, "body": "this is not gzip at all"}));
    let r = models_list(h.client);
    assert_eq!((r.code, r.retries), (OPENAI_INVALID_RESPONSE, 0), "{r:?}");
    assert!(r.message.as_deref().unwrap().starts_with("the response body could not be decoded"), "{r:?}");
}
