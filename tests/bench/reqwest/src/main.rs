//! The raw-reqwest baseline: what a Rust programmer would write to make the same request as
//! libopenai, with the same reqwest (0.12, rustls, gzip and deflate) and tokio. One result line
//! of JSON per run on stdout (the format of tests/bench/c/bench_common.h).
//!
//!   bench-reqwest MODE [ARGS]      (BENCH_BASE_URL = the mock's <url>/v1)
//!
//! Modes:
//!   seq N WARMUP            sequential calls in `#[tokio::main]` style (multi-thread runtime,
//!                           block_on on the main thread): median and p99 per call
//!   seq-ct N WARMUP         the same on a current-thread runtime: the I/O on the calling thread,
//!                           no hand-off to a worker (the floor for a blocking call)
//!   conc INFLIGHT TOTAL     INFLIGHT tasks making calls back to back: calls per second
//!   stream CHUNKS           one stream of CHUNKS chat chunks through a minimal line splitter
//!   mem-inflight N HOLD_MS  RSS with N calls in flight (the mock holds each answer), sampled once
//!                           the mock has all N and none has completed
//!   embed N COMPRESS        N calls of the large embeddings request, with (1) or without (0)
//!                           gzip and deflate: time per call, bytes on the wire
//!   latency EVENTS DELAY_MS a stream of stamped chunks DELAY_MS apart: from the mock's write to
//!                           the line splitter seeing the line
//!   streams N CHUNKS DELAY_MS WINDOW_MS   N streams open at once, one task each: RSS per open
//!                           stream, CPU per event over WINDOW_MS
//!   first-call              Client::build, the first and the second call, in a fresh process
//!   client-new N            Client::build N times
//!
//! Environment: BENCH_MOCK_URL (the plain mock, for its counters); BENCH_HOLD_BASE_URL
//! (mem-inflight); BENCH_CA_FILE (TLS: the mock's CA as a root certificate) with BENCH_HTTP=1.1
//! (`http1_only`) or 2 (HTTP/2 by ALPN); BENCH_TRANSPORT tags the results. Every call is checked:
//! status 200, a body, and the HTTP version asked for.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};

const BODY: &str = r#"{"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"user","content":"Say hello."}]}"#;

/// TLS as the library is configured: the mock's CA trusted, HTTP/1.1 offered alone unless
/// HTTP/2 is asked for.
fn builder() -> reqwest::ClientBuilder {
    let mut builder = reqwest::Client::builder().use_rustls_tls().tcp_nodelay(true);
    if let Some(ca) = std::env::var("BENCH_CA_FILE").ok().filter(|f| !f.is_empty()) {
        let pem = std::fs::read(&ca).expect("BENCH_CA_FILE");
        builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("a PEM certificate"));
        if !want_http2() {
            builder = builder.http1_only();
        }
    }
    builder
}

fn client() -> reqwest::Client {
    builder().build().expect("reqwest client")
}

fn want_http2() -> bool {
    std::env::var("BENCH_HTTP").is_ok_and(|v| v == "2")
}

fn expected_version() -> reqwest::Version {
    let tls = std::env::var("BENCH_CA_FILE").is_ok_and(|f| !f.is_empty());
    if tls && want_http2() {
        reqwest::Version::HTTP_2
    } else {
        reqwest::Version::HTTP_11
    }
}

/// Prints one result line: `fields` is the rest of the JSON object.
fn emit(bench: &str, impl_name: &str, fields: &str) {
    let transport = std::env::var("BENCH_TRANSPORT").ok().filter(|t| !t.is_empty());
    let transport = transport.map(|t| format!("\"transport\":\"{t}\",")).unwrap_or_default();
    println!("{{\"bench\":\"{bench}\",\"impl\":\"{impl_name}\",{transport}{fields}}}");
}

/// The mock's counters (GET /__mock/connections on BENCH_MOCK_URL) over a connection of its own:
/// API requests in progress at the mock, bytes it has written in answer to API requests.
fn mock_counters() -> (i64, i64) {
    use std::io::{Read, Write};
    let url = std::env::var("BENCH_MOCK_URL").unwrap_or_default();
    let Some(port) = url.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()) else { return (-1, -1) };
    let Ok(mut tcp) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return (-1, -1) };
    let mut text = String::new();
    if tcp.write_all(b"GET /__mock/connections HTTP/1.0\r\n\r\n").is_err() || tcp.read_to_string(&mut text).is_err() {
        return (-1, -1);
    }
    let field = |name: &str| -> i64 {
        let key = format!("\"{name}\":");
        text.find(&key)
            .and_then(|at| {
                let rest = &text[at + key.len()..];
                rest[..rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len())].parse().ok()
            })
            .unwrap_or(-1)
    };
    (field("requests_in_progress"), field("bytes_sent"))
}

/// CLOCK_MONOTONIC in nanoseconds, the clock of the mock's `mock_stamp`.
fn now_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid timespec that the call writes and nothing else refers to.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// User + system CPU time of the process (every thread), in microseconds.
fn cpu_us() -> f64 {
    // SAFETY: an all-zero rusage is a valid value of the plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid rusage that the call writes and nothing else refers to.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 * 1e6 + tv.tv_usec as f64;
    t(usage.ru_utime) + t(usage.ru_stime)
}

/// The stamp in a chat chunk of a `mock_stamp` stream (`"content":"<20 digits>"`).
fn chunk_stamp(data: &[u8]) -> Option<u64> {
    const KEY: &[u8] = b"\"content\":\"";
    let at = data.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    std::str::from_utf8(data.get(at..at + 20)?).ok()?.parse().ok()
}

/// Splits a body stream into lines as they come: whole lines are read in place; only a line cut
/// by a read boundary is copied. `line` returns true to stop.
async fn each_line(response: reqwest::Response, mut line: impl FnMut(&[u8]) -> bool) -> Result<bool, reqwest::Error> {
    let mut body = response.bytes_stream();
    let mut partial: Vec<u8> = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        let mut rest: &[u8] = &chunk;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let stop = if partial.is_empty() {
                line(&rest[..end])
            } else {
                partial.extend_from_slice(&rest[..end]);
                let stop = line(&partial);
                partial.clear();
                stop
            };
            if stop {
                return Ok(true);
            }
            rest = &rest[end + 1..];
        }
        partial.extend_from_slice(rest);
    }
    Ok(false)
}

struct Target {
    url: String,
}

impl Target {
    /// One call; false when it failed.
    async fn call(&self, client: &reqwest::Client) -> bool {
        let response = client
            .post(&self.url)
            .header(AUTHORIZATION, "Bearer sk-bench")
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, "bench-reqwest")
            .body(Bytes::from_static(BODY.as_bytes()))
            .send()
            .await;
        match response {
            Ok(response) if response.version() != expected_version() => {
                eprintln!("reqwest call over {:?}, not {:?}", response.version(), expected_version());
                false
            }
            Ok(response) if response.status().is_success() => match response.bytes().await {
                Ok(body) => !body.is_empty(),
                Err(e) => {
                    eprintln!("reqwest body failed: {e}");
                    false
                }
            },
            Ok(response) => {
                eprintln!("reqwest call failed: status {}", response.status());
                false
            }
            Err(e) => {
                eprintln!("reqwest call failed: {e:?}");
                false
            }
        }
    }
}

fn rss_kb(field: &str) -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':')?.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(-1)
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64, f64) {
    let n = v.len();
    let mean = v.iter().sum::<f64>() / n as f64;
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let rank = |q: f64| v[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
    (rank(0.5), rank(0.99), mean, v[0])
}

async fn seq(target: &Target, n: usize, warmup: usize, impl_name: &str) {
    let client = client();
    let mut errors = 0;
    for _ in 0..warmup {
        errors += !target.call(&client).await as usize;
    }
    let mut lat = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        let t0 = Instant::now();
        errors += !target.call(&client).await as usize;
        lat.push(us(t0.elapsed()));
    }
    let total = start.elapsed().as_secs_f64();
    let (median, p99, mean, min) = stats(lat);
    emit(
        "seq",
        impl_name,
        &format!(
            "\"n\":{n},\"median_us\":{median:.2},\"p99_us\":{p99:.2},\"mean_us\":{mean:.2},\"min_us\":{min:.2},\"calls_per_s\":{:.1},\"errors\":{errors}",
            n as f64 / total
        ),
    );
}

/// `total` calls made by `inflight` tasks back to back; returns the errors.
async fn window(target: &Arc<Target>, client: &reqwest::Client, inflight: usize, total: usize) -> usize {
    let remaining = Arc::new(AtomicUsize::new(total));
    let errors = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(inflight);
    for _ in 0..inflight.min(total) {
        let (target, client, remaining, errors) = (target.clone(), client.clone(), remaining.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            while remaining
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |r| r.checked_sub(1))
                .is_ok()
            {
                if !target.call(&client).await {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    errors.load(Ordering::Relaxed)
}

async fn conc(target: Arc<Target>, inflight: usize, total: usize) {
    let client = client();
    let mut errors = window(&target, &client, inflight, inflight * 2).await;
    let t0 = Instant::now();
    errors += window(&target, &client, inflight, total).await;
    let seconds = t0.elapsed().as_secs_f64();
    emit(
        "throughput",
        "reqwest",
        &format!("\"inflight\":{inflight},\"n\":{total},\"seconds\":{seconds:.3},\"rps\":{:.1},\"errors\":{errors}", total as f64 / seconds),
    );
}

async fn stream(target: &Target, chunks: usize) {
    let client = client();
    target.call(&client).await;
    let body = format!(
        r#"{{"stream":true,"model":"gpt-4o-mini","messages":[{{"role":"user","content":"Say hello."}}],"mock_chunks":{chunks}}}"#
    );
    let t0 = Instant::now();
    let response = client
        .post(&target.url)
        .header(AUTHORIZATION, "Bearer sk-bench")
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, "text/event-stream")
        .header(USER_AGENT, "bench-reqwest")
        .body(body)
        .send()
        .await
        .expect("stream request");
    assert!(response.status().is_success(), "stream status {}", response.status());
    // The minimal line splitter: whole lines are read in place; only a line cut by a read
    // boundary is copied.
    let (mut events, mut bytes) = (0usize, 0usize);
    let done = each_line(response, |line| {
        if let Some(data) = line.strip_prefix(b"data: ") {
            if data == b"[DONE]" {
                return true;
            }
            events += 1;
            bytes += data.len();
        }
        false
    })
    .await
    .expect("stream chunk");
    let seconds = t0.elapsed().as_secs_f64();
    emit(
        "stream",
        "reqwest",
        &format!(
            "\"chunks\":{chunks},\"events\":{events},\"bytes\":{bytes},\"seconds\":{seconds:.3},\"events_per_s\":{:.1},\"mb_per_s\":{:.2},\"errors\":{}",
            events as f64 / seconds,
            bytes as f64 / seconds / 1e6,
            !done as u8
        ),
    );
}

async fn mem_inflight(target: Arc<Target>, held: Arc<Target>, n: usize, hold_ms: u64) {
    let client = client();
    let mut errors = 0;
    for _ in 0..100 {
        errors += !target.call(&client).await as usize;
    }
    errors += window(&target, &client, 16, 64).await;
    let before = rss_kb("VmRSS");
    let t0 = Instant::now();
    let completed = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (held, client, completed) = (held.clone(), client.clone(), completed.clone());
            tokio::spawn(async move {
                let ok = held.call(&client).await;
                completed.fetch_add(1, Ordering::Relaxed);
                ok
            })
        })
        .collect();
    // Sampled once the mock holds all N requests and none has completed: then every call is in
    // flight. A few samples 50 ms apart, the largest kept.
    let (mut inflight, mut at_mock, mut sampled, mut early) = (0, 0, false, 0);
    let mut sampled_at = Duration::ZERO;
    while t0.elapsed() < Duration::from_millis(hold_ms) {
        if mock_counters().0 >= n as i64 {
            for _ in 0..5 {
                inflight = inflight.max(rss_kb("VmRSS"));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            at_mock = mock_counters().0;
            early = completed.load(Ordering::Relaxed);
            sampled = early == 0 && at_mock >= n as i64;
            sampled_at = t0.elapsed();
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for task in tasks {
        errors += !task.await.unwrap_or(false) as usize;
    }
    let seconds = t0.elapsed().as_secs_f64();
    let (hwm, after) = (rss_kb("VmHWM"), rss_kb("VmRSS"));
    emit(
        "mem_inflight",
        "reqwest",
        &format!(
            "\"n\":{n},\"rss_before_kb\":{before},\"rss_inflight_kb\":{inflight},\"hwm_kb\":{hwm},\"rss_after_kb\":{after},\"bytes_per_call\":{:.0},\"bytes_per_call_peak\":{:.0},\"sampled_at_ms\":{:.1},\"mock_in_progress\":{at_mock},\"expected_at_mock\":{n},\"completed_before_sample\":{early},\"all_in_flight\":{sampled},\"seconds\":{seconds:.3},\"errors\":{}",
            (inflight - before) as f64 * 1024.0 / n as f64,
            (hwm - before) as f64 * 1024.0 / n as f64,
            sampled_at.as_secs_f64() * 1e3,
            errors + !sampled as usize
        ),
    );
}

/// The large embeddings request: BENCH_EMBED_INPUTS inputs, BENCH_EMBED_DIMS dimensions.
fn embed_body() -> String {
    let env = |name: &str, fallback: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(fallback);
    let inputs: Vec<String> = (0..env("BENCH_EMBED_INPUTS", 2048)).map(|i| format!("\"input {i}\"")).collect();
    format!(r#"{{"model":"text-embedding-3-small","input":[{}],"dimensions":{}}}"#, inputs.join(","), env("BENCH_EMBED_DIMS", 1536))
}

async fn embed(base: &str, target: &Target, n: usize, compress: bool) {
    let client = if compress { client() } else { builder().no_gzip().no_deflate().build().expect("reqwest client") };
    let mut errors = !target.call(&client).await as usize;
    let (url, body) = (format!("{base}/embeddings"), Bytes::from(embed_body()));
    let expect_len: usize = std::env::var("BENCH_EMBED_LEN").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let (mut lat, mut wire, mut body_len) = (Vec::with_capacity(n), 0, 0);
    for _ in 0..n {
        let sent0 = mock_counters().1;
        let t0 = Instant::now();
        let response = client
            .post(&url)
            .header(AUTHORIZATION, "Bearer sk-bench")
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, "bench-reqwest")
            .body(body.clone())
            .send()
            .await;
        let got = match response {
            Ok(r) if r.status().is_success() => r.bytes().await.map(|b| b.len()).unwrap_or(0),
            _ => 0,
        };
        lat.push(us(t0.elapsed()));
        wire += mock_counters().1 - sent0;
        body_len = got;
        if got == 0 || (expect_len != 0 && got != expect_len) {
            eprintln!("reqwest embeddings call failed: {got} bytes (expected {expect_len})");
            errors += 1;
        }
    }
    let (median, _, _, min) = stats(lat);
    emit(
        "embed",
        "reqwest",
        &format!(
            "\"compress\":{compress},\"n\":{n},\"median_ms\":{:.2},\"min_ms\":{:.2},\"wire_bytes\":{},\"body_bytes\":{body_len},\"errors\":{errors}",
            median / 1e3,
            min / 1e3,
            wire / n as i64
        ),
    );
}

fn stream_request(client: &reqwest::Client, target: &Target, body: String) -> reqwest::RequestBuilder {
    client
        .post(&target.url)
        .header(AUTHORIZATION, "Bearer sk-bench")
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, "text/event-stream")
        .header(USER_AGENT, "bench-reqwest")
        .body(body)
}

async fn latency(target: &Target, events: usize, delay_ms: u64) {
    let client = client();
    let mut errors = !target.call(&client).await as usize;
    let body = format!(
        r#"{{"stream":true,"model":"gpt-4o-mini","messages":[{{"role":"user","content":"Say hello."}}],"mock_chunks":{events},"mock_delay_ms":{delay_ms},"mock_stamp":true}}"#
    );
    let response = stream_request(&client, target, body).send().await.expect("stream request");
    assert!(response.status().is_success(), "stream status {}", response.status());
    let mut lat = Vec::with_capacity(events);
    let done = each_line(response, |line| {
        let seen = now_ns();
        if let Some(data) = line.strip_prefix(b"data: ") {
            if data == b"[DONE]" {
                return true;
            }
            if let Some(stamp) = chunk_stamp(data) {
                lat.push(seen.saturating_sub(stamp) as f64 / 1e3);
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    errors += !done as usize + (lat.len() != events) as usize;
    let got = lat.len();
    let (median, p99, mean, min) = stats(lat.clone());
    let max = lat.iter().cloned().fold(0.0, f64::max);
    emit(
        "latency",
        "reqwest",
        &format!(
            "\"events\":{events},\"delay_ms\":{delay_ms},\"n\":{got},\"median_us\":{median:.1},\"p99_us\":{p99:.1},\"mean_us\":{mean:.1},\"min_us\":{min:.1},\"max_us\":{max:.1},\"errors\":{errors}"
        ),
    );
}

async fn streams(target: Arc<Target>, n: usize, chunks: usize, delay_ms: u64, window_ms: u64) {
    let client = client();
    let mut errors = !target.call(&client).await as usize;
    let body = format!(
        r#"{{"stream":true,"model":"gpt-4o-mini","messages":[{{"role":"user","content":"Hi."}}],"mock_chunks":{chunks},"mock_delay_ms":{delay_ms}}}"#
    );
    let (started, ended, events) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let before = rss_kb("VmRSS");
    let (cpu0, t0) = (cpu_us(), Instant::now());
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let request = stream_request(&client, &target, body.clone());
            let (started, ended, events) = (started.clone(), ended.clone(), events.clone());
            tokio::spawn(async move {
                let (mut seen, mut done) = (0usize, false);
                // Read to the end of the body, not only to [DONE]: a client that drops an HTTP/2
                // stream before its end resets it, and past a thousand such resets the front's
                // HTTP/2 server ends the whole connection (GOAWAY, ENHANCE_YOUR_CALM).
                let ok = match request.send().await {
                    Ok(r) if r.status().is_success() && r.version() == expected_version() => match each_line(r, |line| {
                        if let Some(data) = line.strip_prefix(b"data: ") {
                            if data == b"[DONE]" {
                                done = true;
                                return false;
                            }
                            if seen == 0 {
                                started.fetch_add(1, Ordering::Relaxed);
                            }
                            seen += 1;
                            events.fetch_add(1, Ordering::Relaxed);
                        }
                        false
                    })
                    .await
                    {
                        Ok(_) => done,
                        Err(e) => {
                            eprintln!("stream failed after {seen} events: {e:?}");
                            false
                        }
                    },
                    Ok(r) => {
                        eprintln!("stream failed: status {}, {:?}", r.status(), r.version());
                        false
                    }
                    Err(e) => {
                        eprintln!("stream failed: {e:?}");
                        false
                    }
                };
                ended.fetch_add(1, Ordering::Relaxed);
                ok && seen == chunks + 2
            })
        })
        .collect();
    let limit = Duration::from_millis(chunks as u64 * delay_ms);
    while started.load(Ordering::Relaxed) < n && t0.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let open_s = t0.elapsed().as_secs_f64();
    let cpu_open = cpu_us() - cpu0;
    let open_kb = rss_kb("VmRSS");
    let started_at_open = started.load(Ordering::Relaxed);
    let ended_at_open = ended.load(Ordering::Relaxed);
    let at_mock = mock_counters().0;
    let (e1, cpu1, t1) = (events.load(Ordering::Relaxed), cpu_us(), Instant::now());
    tokio::time::sleep(Duration::from_millis(window_ms)).await;
    let (e2, cpu2, window) = (events.load(Ordering::Relaxed), cpu_us(), t1.elapsed().as_secs_f64());
    let ended_in_window = ended.load(Ordering::Relaxed);
    // Valid when every stream had begun at the memory sample and none ended before the CPU
    // window closed.
    let all_open = started_at_open == n && ended_in_window == 0;
    if !all_open {
        eprintln!("streams: {started_at_open} of {n} open at the sample, {ended_in_window} ended by the end of the window");
    }
    let mut short = 0;
    for task in tasks {
        short += !task.await.unwrap_or(false) as usize;
    }
    if short > 0 {
        eprintln!("{short} of {n} streams did not end cleanly with {} events", chunks + 2);
    }
    errors += short + !all_open as usize;
    emit(
        "streams",
        "reqwest",
        &format!(
            "\"n\":{n},\"chunks\":{chunks},\"delay_ms\":{delay_ms},\"rss_before_kb\":{before},\"rss_open_kb\":{open_kb},\"bytes_per_stream\":{:.0},\"open_seconds\":{open_s:.3},\"cpu_open_us_per_stream\":{:.1},\"mock_in_progress\":{at_mock},\"window_s\":{window:.3},\"window_events\":{},\"cpu_us_per_event\":{:.2},\"cpu_share\":{:.3},\"all_open\":{all_open},\"ended_before_window\":{ended_at_open},\"events\":{},\"seconds\":{:.3},\"errors\":{errors}",
            (open_kb - before) as f64 * 1024.0 / n as f64,
            cpu_open / n as f64,
            e2 - e1,
            if e2 > e1 { (cpu2 - cpu1) / (e2 - e1) as f64 } else { 0.0 },
            (cpu2 - cpu1) / (window * 1e6),
            events.load(Ordering::Relaxed),
            t0.elapsed().as_secs_f64()
        ),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = std::env::var("BENCH_BASE_URL").expect("BENCH_BASE_URL=http://127.0.0.1:PORT/v1");
    let target = Arc::new(Target { url: format!("{base}/chat/completions") });
    let arg = |i: usize, fallback: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(fallback);
    let mode = args.get(1).map(String::as_str).unwrap_or("");
    let multi = || tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    match mode {
        "seq" => multi().block_on(seq(&target, arg(2, 20000), arg(3, 2000), "reqwest")),
        "seq-ct" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(seq(&target, arg(2, 20000), arg(3, 2000), "reqwest-current-thread")),
        "conc" => multi().block_on(conc(target.clone(), arg(2, 64), arg(3, 50000))),
        "stream" => multi().block_on(stream(&target, arg(2, 1_000_000))),
        "embed" => multi().block_on(embed(&base, &target, arg(2, 5), arg(3, 1) != 0)),
        "latency" => multi().block_on(latency(&target, arg(2, 2000), arg(3, 1) as u64)),
        "streams" => multi().block_on(streams(target.clone(), arg(2, 10000), arg(3, 40), arg(4, 500) as u64, arg(5, 5000) as u64)),
        "mem-inflight" => {
            let hold = std::env::var("BENCH_HOLD_BASE_URL").expect("mem-inflight needs BENCH_HOLD_BASE_URL");
            let held = Arc::new(Target { url: format!("{hold}/chat/completions") });
            multi().block_on(mem_inflight(target.clone(), held, arg(2, 10000), arg(3, 3000) as u64))
        }
        "first-call" => {
            // As in the library, the runtime starts with the first call, not with the client.
            let t0 = Instant::now();
            let client = client();
            let t1 = Instant::now();
            let runtime = multi();
            let first = runtime.block_on(target.call(&client));
            let t2 = Instant::now();
            let second = runtime.block_on(target.call(&client));
            let t3 = Instant::now();
            emit(
                "first_call",
                "reqwest",
                &format!(
                    "\"client_new_us\":{:.1},\"first_call_us\":{:.1},\"second_call_us\":{:.1},\"errors\":{}",
                    us(t1 - t0),
                    us(t2 - t1),
                    us(t3 - t2),
                    (!first) as u8 + (!second) as u8
                ),
            );
        }
        "client-new" => {
            let n = arg(2, 200);
            let lat: Vec<f64> = (0..n)
                .map(|_| {
                    let t0 = Instant::now();
                    drop(client());
                    us(t0.elapsed())
                })
                .collect();
            let (median, _, mean, min) = stats(lat);
            emit("client_new", "reqwest", &format!("\"n\":{n},\"mean_us\":{mean:.1},\"median_us\":{median:.1},\"min_us\":{min:.1}"));
        }
        _ => {
            eprintln!("usage: bench-reqwest seq|seq-ct|conc|stream|mem-inflight|embed|latency|streams|first-call|client-new [ARGS]");
            std::process::exit(2);
        }
    }
}
