//! The raw-reqwest baseline: what a Rust programmer would write to make the same request as
//! libopenai, with the same reqwest (0.12, rustls) and tokio. One result line of JSON per run on
//! stdout (the format of tests/bench/c/bench_common.h).
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
//!   mem-inflight N HOLD_MS  RSS with N calls in flight (the mock holds each answer)
//!   first-call              Client::build, the first and the second call, in a fresh process
//!   client-new N            Client::build N times

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};

const BODY: &str = r#"{"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"user","content":"Say hello."}]}"#;

fn client() -> reqwest::Client {
    reqwest::Client::builder().use_rustls_tls().tcp_nodelay(true).build().expect("reqwest client")
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
    println!(
        "{{\"bench\":\"seq\",\"impl\":\"{impl_name}\",\"n\":{n},\"median_us\":{median:.2},\"p99_us\":{p99:.2},\"mean_us\":{mean:.2},\"min_us\":{min:.2},\"calls_per_s\":{:.1},\"errors\":{errors}}}",
        n as f64 / total
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
    println!(
        "{{\"bench\":\"throughput\",\"impl\":\"reqwest\",\"inflight\":{inflight},\"n\":{total},\"seconds\":{seconds:.3},\"rps\":{:.1},\"errors\":{errors}}}",
        total as f64 / seconds
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
    let mut body = response.bytes_stream();
    // The minimal line splitter: whole lines are read in place; only a line cut by a read
    // boundary is copied.
    let (mut events, mut bytes, mut done) = (0usize, 0usize, false);
    let mut partial: Vec<u8> = Vec::new();
    let line = |line: &[u8], events: &mut usize, bytes: &mut usize| -> bool {
        if let Some(data) = line.strip_prefix(b"data: ") {
            if data == b"[DONE]" {
                return true;
            }
            *events += 1;
            *bytes += data.len();
        }
        false
    };
    'read: while let Some(chunk) = body.next().await {
        let chunk = chunk.expect("stream chunk");
        let mut rest: &[u8] = &chunk;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let finished = if partial.is_empty() {
                line(&rest[..end], &mut events, &mut bytes)
            } else {
                partial.extend_from_slice(&rest[..end]);
                let finished = line(&partial, &mut events, &mut bytes);
                partial.clear();
                finished
            };
            if finished {
                done = true;
                break 'read;
            }
            rest = &rest[end + 1..];
        }
        partial.extend_from_slice(rest);
    }
    let seconds = t0.elapsed().as_secs_f64();
    println!(
        "{{\"bench\":\"stream\",\"impl\":\"reqwest\",\"chunks\":{chunks},\"events\":{events},\"bytes\":{bytes},\"seconds\":{seconds:.3},\"events_per_s\":{:.1},\"mb_per_s\":{:.2},\"errors\":{}}}",
        events as f64 / seconds,
        bytes as f64 / seconds / 1e6,
        !done as u8
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
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (held, client) = (held.clone(), client.clone());
            tokio::spawn(async move { held.call(&client).await })
        })
        .collect();
    let mut inflight = 0;
    while t0.elapsed() < Duration::from_millis(hold_ms * 3 / 4) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        inflight = inflight.max(rss_kb("VmRSS"));
    }
    for task in tasks {
        errors += !task.await.unwrap_or(false) as usize;
    }
    let seconds = t0.elapsed().as_secs_f64();
    let (hwm, after) = (rss_kb("VmHWM"), rss_kb("VmRSS"));
    println!(
        "{{\"bench\":\"mem_inflight\",\"impl\":\"reqwest\",\"n\":{n},\"rss_before_kb\":{before},\"rss_inflight_kb\":{inflight},\"hwm_kb\":{hwm},\"rss_after_kb\":{after},\"bytes_per_call\":{:.0},\"bytes_per_call_peak\":{:.0},\"seconds\":{seconds:.3},\"errors\":{errors}}}",
        (inflight - before) as f64 * 1024.0 / n as f64,
        (hwm - before) as f64 * 1024.0 / n as f64
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
            println!(
                "{{\"bench\":\"first_call\",\"impl\":\"reqwest\",\"client_new_us\":{:.1},\"first_call_us\":{:.1},\"second_call_us\":{:.1},\"errors\":{}}}",
                us(t1 - t0),
                us(t2 - t1),
                us(t3 - t2),
                (!first) as u8 + (!second) as u8
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
            println!(
                "{{\"bench\":\"client_new\",\"impl\":\"reqwest\",\"n\":{n},\"mean_us\":{mean:.1},\"median_us\":{median:.1},\"min_us\":{min:.1}}}"
            );
        }
        _ => {
            eprintln!("usage: bench-reqwest seq|seq-ct|conc|stream|mem-inflight|first-call|client-new [ARGS]");
            std::process::exit(2);
        }
    }
}
