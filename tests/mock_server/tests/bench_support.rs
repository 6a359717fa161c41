//! What the benchmarks (tests/bench) ask of the mock: gzip-encoded answers on request
//! (`{"compress": true}`), the counters `bytes_sent` and `requests_in_progress`, chat chunks
//! stamped with the time they are written (`mock_stamp`), and the TLS front's limit of HTTP/2
//! streams per connection.

mod common;

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::Client;
use openai_mock::tls::TlsOptions;
use openai_mock::{embedding_value, monotonic_ns, MockServer, STAMP_DIGITS};
use serde_json::{json, Value};

const EMBED: &[u8] = br#"{"model":"text-embedding-3-small","input":["a","b","c"],"dimensions":64}"#;

fn post(server: &MockServer, target: &str, headers: &[(&str, &str)], body: &[u8]) -> common::Resp {
    let mut all = vec![("Authorization", "Bearer sk-test")];
    all.extend_from_slice(headers);
    Client::connect(server.addr()).request_with("POST", target, &all, body)
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("a gzip body");
    out
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn compress_gzips_answers_for_clients_that_accept_gzip() {
    let server = MockServer::start();
    let plain = post(&server, "/v1/embeddings", &[("Accept-Encoding", "gzip, deflate")], EMBED);
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), None, "compression is off by default");
    assert_eq!(plain.json()["data"][2]["embedding"][5], json!(embedding_value(2, 5)));

    let config = Client::connect(server.addr()).request_with("POST", "/__mock/config", &[], br#"{"compress": true}"#);
    assert_eq!(config.json(), json!({"log": true, "compress": true}));
    let gz = post(&server, "/v1/embeddings", &[("Accept-Encoding", "gzip, deflate")], EMBED);
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(gz.header("content-length"), Some(gz.body.len().to_string().as_str()));
    assert!(gz.body.len() < plain.body.len() / 2, "{} of {} bytes", gz.body.len(), plain.body.len());
    assert_eq!(gunzip(&gz.body), plain.body, "the same answer, gzip-encoded");

    // Not for a client that does not accept gzip, nor for streams.
    for accept in [None, Some("identity"), Some("deflate"), Some("gzip;q=0, identity")] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("Accept-Encoding", a)).into_iter().collect();
        let r = post(&server, "/v1/embeddings", &headers, EMBED);
        assert_eq!((r.header("content-encoding"), &r.body), (None, &plain.body), "Accept-Encoding {accept:?}");
    }
    let r = post(&server, "/v1/embeddings", &[("Accept-Encoding", "*")], EMBED);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let stream = post(
        &server,
        "/v1/chat/completions",
        &[("Accept-Encoding", "gzip")],
        br#"{"model":"m","messages":[],"stream":true,"mock_chunks":2}"#,
    );
    assert_eq!(stream.header("content-encoding"), None);
    assert!(stream.text().ends_with("data: [DONE]\n\n"));

    server.set_compressing(false);
    let r = post(&server, "/v1/embeddings", &[("Accept-Encoding", "gzip")], EMBED);
    assert_eq!(r.header("content-encoding"), None);
    let bad = Client::connect(server.addr()).request_with("POST", "/__mock/config", &[], br#"{"compress": 1}"#);
    assert_eq!(bad.status, 400);
}

#[test]
fn bytes_sent_counts_what_clients_received() {
    let server = MockServer::start();
    server.reset();
    assert_eq!(server.connections()["bytes_sent"], 0);
    let mut c = Client::connect(server.addr());
    let mut received = 0;
    for body in [EMBED.to_vec(), br#"{"model":"m","messages":[],"stream":true,"mock_chunks":3}"#.to_vec()] {
        let target = if body == EMBED { "/v1/embeddings" } else { "/v1/chat/completions" };
        let r = c.request_with("POST", target, &[("Authorization", "Bearer sk-test")], &body);
        assert_eq!(r.status, 200);
        received += r.head.len() + r.raw_body.len();
        // The mock counts a write once it returns, which may be after the client has read it.
        wait_for("the count of the bytes sent", || server.connections()["bytes_sent"] == received as u64);
    }
    server.reset();
    assert_eq!(server.connections()["bytes_sent"], 0);
}

#[test]
fn requests_in_progress_counts_requests_until_their_answer_is_written() {
    let server = MockServer::start();
    server.script(json!({"match": {"path": "/hold"}, "delay_ms": 300, "times": 2, "body": "held"}));
    assert_eq!(server.connections()["requests_in_progress"], 0);
    let mut clients: Vec<Client> = (0..2).map(|_| Client::connect(server.addr())).collect();
    for c in &mut clients {
        c.send(&common::build("GET", "/hold", &[], b""));
    }
    wait_for("both held requests", || server.connections()["requests_in_progress"] == 2);
    for c in &mut clients {
        assert_eq!(c.read_response().unwrap().body, b"held");
    }
    wait_for("no request in progress", || server.connections()["requests_in_progress"] == 0);
    // A reset keeps the gauge (it counts what exists).
    server.script(json!({"match": {"path": "/hold"}, "delay_ms": 300, "body": "held"}));
    clients[0].send(&common::build("GET", "/hold", &[], b""));
    wait_for("the held request", || server.connections()["requests_in_progress"] == 1);
    server.reset();
    assert_eq!(server.connections()["requests_in_progress"], 1);
    assert_eq!(clients[0].read_response().unwrap().body, b"held");
    wait_for("no request in progress", || server.connections()["requests_in_progress"] == 0);
}

#[test]
fn mock_stamp_puts_the_write_time_in_each_content_chunk() {
    let server = MockServer::start();
    let before = monotonic_ns();
    let r = post(
        &server,
        "/v1/chat/completions",
        &[],
        br#"{"model":"m","messages":[],"stream":true,"mock_chunks":4,"mock_delay_ms":20,"mock_stamp":true}"#,
    );
    let after = monotonic_ns();
    assert_eq!(r.status, 200);
    let events = common::sse_events(&r.body);
    // The role chunk, four stamped pieces, the finish chunk, [DONE]: each its own write.
    assert_eq!(events.len(), 7);
    assert_eq!(r.chunk_sizes.len(), 7);
    let stamps: Vec<u64> = events[1..5]
        .iter()
        .map(|(_, data)| {
            let v: Value = serde_json::from_str(data).unwrap();
            let text = v["choices"][0]["delta"]["content"].as_str().unwrap().to_string();
            assert_eq!(text.len(), STAMP_DIGITS, "{text}");
            text.parse().unwrap()
        })
        .collect();
    for pair in stamps.windows(2) {
        // The pieces are written 20 ms apart, each stamped as it goes.
        assert!(pair[1] >= pair[0] + 19_000_000, "{stamps:?}");
    }
    assert!(stamps[0] >= before && stamps[3] <= after, "{before} {stamps:?} {after}");
    let v: Value = serde_json::from_str(&events[0].1).unwrap();
    assert_eq!(v["choices"][0]["delta"]["content"], "");

    let bad = post(&server, "/v1/chat/completions", &[], br#"{"model":"m","messages":[],"stream":true,"mock_stamp":"yes"}"#);
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["param"], "mock_stamp");
}

/// Sends `n` GET /hold at once over one HTTP/2 connection to the front at `addr` (trusting
/// `ca_pem`), after one round trip so that the client knows the front's SETTINGS (until then it
/// may open any number of streams, and the front refuses those past its limit). While they
/// run, watches `server`'s requests in progress; returns the most it saw at once.
fn most_streams_at_once(server: &MockServer, addr: std::net::SocketAddr, ca_pem: &str, n: usize) -> u64 {
    use http_body_util::{BodyExt, Full};
    use hyper::body::Bytes;
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;

    server.script(json!({"match": {"path": "/hold"}, "delay_ms": 300, "times": n, "body": "held"}));
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls::pki_types::CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap()).unwrap();
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let request = move |path: &str| {
        hyper::Request::get(format!("https://127.0.0.1:{}{path}", addr.port())).body(Full::new(Bytes::new())).unwrap()
    };
    let calls = runtime.spawn(async move {
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        let (sender, connection) = hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls)).await.unwrap();
        tokio::spawn(connection);
        assert_eq!(sender.clone().send_request(request("/__mock/health")).await.unwrap().status(), 200);
        let calls: Vec<_> = (0..n)
            .map(|_| {
                let mut sender = sender.clone();
                let request = request("/hold");
                tokio::spawn(async move {
                    let response = sender.send_request(request).await.unwrap();
                    assert_eq!(response.status(), 200);
                    response.into_body().collect().await.unwrap().to_bytes()
                })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.unwrap(), "held");
        }
    });
    let mut most = 0;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !calls.is_finished() {
        assert!(Instant::now() < deadline, "the held requests did not finish");
        most = most.max(server.connections()["requests_in_progress"].as_u64().unwrap());
        std::thread::sleep(Duration::from_millis(2));
    }
    runtime.block_on(calls).unwrap();
    most
}

#[test]
fn the_tls_front_limits_the_http2_streams_of_a_connection() {
    for (options, most) in [(TlsOptions { max_concurrent_streams: Some(4) }, 4), (TlsOptions::default(), 10)] {
        let server = MockServer::start();
        let front = server.tls_front_with(options);
        assert_eq!(most_streams_at_once(&server, front.addr, &front.ca_pem, 10), most, "{options:?}");
        assert_eq!(front.counters.h2_connections.load(std::sync::atomic::Ordering::Relaxed), 1);
    }
}

/// `--tls-backend PORT`: the front alone in a process of its own, relaying to a mock elsewhere.
#[test]
fn the_program_serves_a_front_for_another_mock() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let server = MockServer::start();
    let ca_file = std::env::temp_dir().join(format!("openai-mock-front-ca-{}.pem", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_openai-mock"))
        .args(["--quiet", "--exit-on-stdin-eof", "--tls-max-streams", "3", "--tls-backend"])
        .arg(server.port().to_string())
        .arg("--tls")
        .arg(&ca_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr: std::net::SocketAddr = line.trim().strip_prefix("OPENAI_MOCK_TLS_URL=https://").expect(&line).parse().unwrap();
    let ca_pem = std::fs::read_to_string(&ca_file).unwrap();
    assert_eq!(most_streams_at_once(&server, addr, &ca_pem, 6), 3);
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    let _ = std::fs::remove_file(&ca_file);
}
