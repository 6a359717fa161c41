//! TLS: a local HTTPS server with its own certificate authority is refused without the
//! `ca_bundle` option and trusted with it; there is no option to turn verification off.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use common::*;
use openai::ffi::operations_gen::openai_models_list;
use tokio_rustls::rustls;

/// A certificate authority and a server certificate for 127.0.0.1 signed by it.
struct Pki {
    ca_pem: String,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

fn pki() -> Pki {
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "libopenai test CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_cert = server.signed_by(&server_key, &ca_cert, &ca_key).unwrap();
    Pki { ca_pem: ca_cert.pem(), cert_der: server_cert.der().to_vec(), key_der: server_key.serialize_der() }
}

/// A TLS front for the mock server: accepts TLS on an ephemeral port and relays the plain bytes
/// to `backend`. Runs until the process ends.
fn tls_front(backend: SocketAddr, pki: &Pki) -> u16 {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![pki.cert_der.clone().into()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(pki.key_der.clone().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that refuses our certificate ends the handshake: nothing to relay.
                    let Ok(mut tls) = acceptor.accept(stream).await else { return };
                    let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else { return };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
    });
    port
}

#[test]
fn a_private_ca_is_refused_without_the_ca_bundle_and_trusted_with_it() {
    let mock = MockServer::start();
    let pki = pki();
    let port = tls_front(mock.addr(), &pki);
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
