//! A TLS front for the mock server, as the real API is served: HTTPS on a port of its own, with
//! HTTP/2 or HTTP/1.1 as the client's ALPN chooses. Each request is relayed over plain HTTP/1.1
//! to the mock, so every route, script and log entry behaves as it does in plain HTTP, and the
//! response is streamed back as it comes (events arrive as the mock sends them). A request the
//! client resets (an HTTP/2 stream cancelled) drops its relayed connection, so the mock sees it
//! closed, while the client's HTTP/2 connection lives on.
//!
//! The certificate is made at start by a certificate authority of the front's own; clients
//! trust it through its PEM (`ca_pem`, or the file the program writes with `--ca-out`).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use http_body_util::combinators::BoxBody;
use http_body_util::BodyExt;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio_rustls::rustls;

/// Connections and requests the front has served, by protocol.
#[derive(Default, Debug)]
pub struct Counters {
    pub h2_connections: AtomicU64,
    pub h1_connections: AtomicU64,
    pub h2_requests: AtomicU64,
    pub h1_requests: AtomicU64,
}

/// How the front serves.
#[derive(Clone, Copy, Debug, Default)]
pub struct TlsOptions {
    /// The HTTP/2 streams one connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS);
    /// `None`: hyper's default, 200, about what public HTTPS servers allow. A client past it
    /// waits for a stream or opens another connection.
    pub max_concurrent_streams: Option<u32>,
}

/// A running front; it serves until the process ends.
pub struct TlsFront {
    pub addr: SocketAddr,
    /// The PEM of the certificate authority that signed the front's certificate.
    pub ca_pem: String,
    pub counters: Arc<Counters>,
}

impl TlsFront {
    /// "https://127.0.0.1:PORT"
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    pub fn base_url(&self) -> String {
        format!("{}/v1", self.url())
    }
}

/// A certificate authority and a server certificate for 127.0.0.1 and localhost signed by it.
fn certificates() -> (String, rustls::ServerConfig) {
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "openai-mock test CA");
    let ca_key = rcgen::KeyPair::generate().expect("a CA key");
    let ca_cert = ca.self_signed(&ca_key).expect("the CA certificate");
    let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).expect("server parameters");
    let server_key = rcgen::KeyPair::generate().expect("a server key");
    let server_cert = server.signed_by(&server_key, &ca_cert, &ca_key).expect("the server certificate");
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
        )
        .expect("a usable certificate");
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    (ca_cert.pem(), config)
}

type Body = BoxBody<Bytes, hyper::Error>;

/// Starts a front relaying to the mock at `backend`, on a thread and runtime of its own.
pub fn start(backend: SocketAddr) -> std::io::Result<TlsFront> {
    start_with(backend, TlsOptions::default())
}

/// `start` with options.
pub fn start_with(backend: SocketAddr, options: TlsOptions) -> std::io::Result<TlsFront> {
    let (ca_pem, config) = certificates();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let counters = Arc::new(Counters::default());
    let served = counters.clone();
    std::thread::Builder::new().name("openai-mock-tls".into()).spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("openai-mock-tls")
            .enable_all()
            .build()
            .expect("the TLS front's runtime");
        runtime.block_on(serve(listener, acceptor, backend, served, options));
    })?;
    Ok(TlsFront { addr, ca_pem, counters })
}

async fn serve(listener: std::net::TcpListener, acceptor: tokio_rustls::TlsAcceptor, backend: SocketAddr, counters: Arc<Counters>, options: TlsOptions) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("a listener");
    // Relayed requests reuse plain connections to the mock. Without TCP_NODELAY, a request
    // whose body arrives after its head (HTTP/2: a DATA frame after the HEADERS) would be
    // written in two pieces, the second held back by Nagle until the mock's delayed ACK, 40 ms.
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.set_nodelay(true);
    let relay: Client<_, Body> = Client::builder(TokioExecutor::new()).build(connector);
    loop {
        let Ok((tcp, _)) = listener.accept().await else { continue };
        let _ = tcp.set_nodelay(true);
        let (acceptor, relay, counters) = (acceptor.clone(), relay.clone(), counters.clone());
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else { return };
            let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
            let counter = if h2 { &counters.h2_connections } else { &counters.h1_connections };
            counter.fetch_add(1, Ordering::Relaxed);
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let (relay, counters) = (relay.clone(), counters.clone());
                async move {
                    let counter = if h2 { &counters.h2_requests } else { &counters.h1_requests };
                    counter.fetch_add(1, Ordering::Relaxed);
                    Ok::<_, hyper::Error>(forward(&relay, backend, request).await)
                }
            });
            let io = TokioIo::new(tls);
            let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            if let Some(max) = options.max_concurrent_streams {
                builder.http2().max_concurrent_streams(max);
            }
            let _ = builder.serve_connection(io, service).await;
        });
    }
}

/// Headers that belong to one connection and are not relayed.
const HOP_BY_HOP: &[&str] = &["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"];

async fn forward(relay: &Client<hyper_util::client::legacy::connect::HttpConnector, Body>, backend: SocketAddr, request: Request<Incoming>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut relayed = Request::builder().method(parts.method.clone()).uri(format!("http://{backend}{target}"));
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            relayed = relayed.header(name, value);
        }
    }
    // HTTP/2 has no Host header: the authority stands for it, as the mock logs it.
    if !parts.headers.contains_key(hyper::header::HOST) {
        if let Some(authority) = parts.uri.authority() {
            relayed = relayed.header(hyper::header::HOST, authority.as_str());
        }
    }
    let relayed = match relayed.body(body.boxed()) {
        Ok(r) => r,
        Err(e) => return error(502, &format!("the front could not relay the request: {e}")),
    };
    match relay.request(relayed).await {
        Ok(response) => {
            let (mut parts, body) = response.into_parts();
            for name in HOP_BY_HOP {
                parts.headers.remove(*name);
            }
            Response::from_parts(parts, body.boxed())
        }
        Err(e) => error(502, &format!("the front could not reach the mock: {e}")),
    }
}

fn error(status: u16, message: &str) -> Response<Body> {
    let body = format!("{{\"error\":{{\"message\":\"{message}\",\"type\":\"mock_front_error\"}}}}");
    let body = http_body_util::Full::new(Bytes::from(body)).map_err(|never| match never {}).boxed();
    Response::builder().status(status).header("content-type", "application/json").body(body).expect("a valid response")
}
