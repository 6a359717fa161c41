//! TLS: a local HTTPS server with its own certificate authority is refused without the
//! `ca_bundle` option and trusted with it; there is no option to turn verification off.

mod common;

use common::tls::{front, pki, Front};
use common::*;
use openai::ffi::operations_gen::openai_models_list;

#[test]
fn a_private_ca_is_refused_without_the_ca_bundle_and_trusted_with_it() {
    let mock = MockServer::start();
    let pki = pki();
    let port = front(mock.addr(), &pki, Front::Tls);
    let base_url = format!("https://127.0.0.1:{port}/v1");

    let client = new_client(&format!(r#"{{"api_key":"{KEY}","base_url":"{base_url}","max_retries":0}}"#)).unwrap();
    let r = call(|out| unsafe { openai_models_list(client, out) });
    assert_eq!((r.code, r.status), (OPENAI_CONNECTION, 0));
    let message = r.message.unwrap();
    assert!(message.contains("certificate") && message.contains("UnknownIssuer"), "{message}");
    assert!(mock.requests().is_empty(), "nothing reached the server");
    unsafe { openai_client_free(client) };

    let dir = std::env::temp_dir().join(format!("openai-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("ca.pem");
    std::fs::write(&bundle, &pki.ca_pem).unwrap();
    let client = new_client(&format!(
        r#"{{"api_key":"{KEY}","base_url":"{base_url}","max_retries":0,"ca_bundle":"{}"}}"#,
        bundle.display()
    ))
    .unwrap();
    let r = call(|out| unsafe { openai_models_list(client, out) });
    assert_eq!((r.code, r.status), (OPENAI_OK, 200), "{r:?}");
    assert_eq!(mock.requests().len(), 1);
    unsafe { openai_client_free(client) };
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn there_is_no_option_to_turn_verification_off() {
    for option in ["verify", "insecure", "danger_accept_invalid_certs", "tls_verify", "ssl_verify"] {
        let e = new_client(&format!(r#"{{"api_key":"{KEY}","{option}":false}}"#)).unwrap_err();
        assert!(e.starts_with(&format!("unknown option \"{option}\"")), "{e}");
    }
}

#[test]
fn an_unusable_ca_bundle_is_refused_at_creation() {
    let e = new_client(&format!(r#"{{"api_key":"{KEY}","ca_bundle":"/nonexistent/ca.pem"}}"#)).unwrap_err();
    assert!(e.starts_with("ca_bundle \"/nonexistent/ca.pem\" cannot be read"), "{e}");
    let dir = std::env::temp_dir().join(format!("openai-tls-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("empty.pem");
    std::fs::write(&bundle, "not a certificate\n").unwrap();
    let e = new_client(&format!(r#"{{"api_key":"{KEY}","ca_bundle":"{}"}}"#, bundle.display())).unwrap_err();
    assert!(e.contains("holds no certificate") || e.contains("not a PEM bundle"), "{e}");
    std::fs::remove_dir_all(dir).unwrap();
}
