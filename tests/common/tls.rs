//! A private certificate authority and a TLS front for the mock server, for the tests of TLS and
//! of redirects between schemes.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio_rustls::rustls;

/// A certificate authority and a server certificate for 127.0.0.1 signed by it.
pub struct Pki {
    pub ca_pem: String,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

pub fn pki() -> Pki {
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

/// Which connections a front accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Front {
    /// TLS only.
    Tls,
    /// TLS and plain HTTP on the same port (told apart by the first byte: 0x16 opens a TLS
    /// handshake), as a server that answers both `https://host:P` and `http://host:P`.
    TlsAndPlain,
}

/// A front for the mock server: accepts connections on an ephemeral port and relays their
/// plain bytes to `backend`. Runs until the process ends.
pub fn front(backend: SocketAddr, pki: &Pki, kind: Front) -> u16 {
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
                    let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else { return };
                    let mut first = [0u8; 1];
                    let is_tls = kind == Front::Tls || matches!(stream.peek(&mut first).await, Ok(1) if first[0] == 0x16);
                    if is_tls {
                        // A client that refuses our certificate ends the handshake: nothing to relay.
                        let Ok(mut tls) = acceptor.accept(stream).await else { return };
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                    } else {
                        let mut stream = stream;
                        let _ = tokio::io::copy_bidirectional(&mut stream, &mut plain).await;
                    }
                });
            }
        });
    });
    port
}
