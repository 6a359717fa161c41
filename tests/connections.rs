//! Bounded connections: a client opens at most `max_connections` connections to its host (calls
//! past it wait for one instead of failing), keeps at most `max_idle_connections` idle ones, and
//! closes idle ones after `idle_connection_timeout`. In a test binary of its own, because it lowers the
//! process's open-files limit as an ordinary system's would be.

mod common;

use std::time::{Duration, Instant};

use common::*;
use openai::ffi::future::*;
use openai::ffi::operations_gen::*;
use openai::ffi::queue::*;
use serde_json::json;

/// The process's open-files limit, set to `soft` (the usual soft limit of a login shell).
fn limit_open_files(soft: u64) {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit read and write the struct given.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = soft.min(limit.rlim_max);
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
}

fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// 10,000 calls in flight at once under `ulimit -n 1024` all succeed: the client opens at most
/// its limit of connections (the default, 256) and the other calls wait for one. Then, the burst
/// over, the idle connections beyond `max_idle_connections` close, and the rest close after
/// `idle_connection_timeout`.
#[test]
fn ten_thousand_calls_in_flight_fit_an_ordinary_descriptor_limit() {
    limit_open_files(1024);
    let h = Harness::with_options(r#"{"max_retries":0,"max_idle_connections":64,"idle_connection_timeout":2}"#);
    // Each answer is held a little, so that the calls pile up.
    h.mock.script(json!({"match": {"path": "/v1/models"}, "delay_ms": 20, "body": "{\"object\":\"list\",\"data\":[]}", "times": 10_000}));
    h.mock.set_logging(false);
    let before = open_descriptors();
    let queue = openai_queue_new();
    for _ in 0..10_000 {
        let future = unsafe { openai_models_list_async(h.client, None, std::ptr::null_mut()) };
        assert_eq!(unsafe { openai_queue_add(queue, future) }, OPENAI_OK);
    }
    let mut most_open = 0;
    let mut failures = Vec::new();
    let started = Instant::now();
    while unsafe { openai_queue_len(queue) } > 0 {
        let mut done = std::ptr::null_mut();
        if unsafe { openai_queue_next(queue, 100, &mut done) } != OPENAI_OK {
            assert!(started.elapsed() < Duration::from_secs(300), "the calls did not complete");
        } else {
            let mut response = std::ptr::null_mut();
            let r = reply(unsafe { openai_future_take(done, &mut response) }, response);
            if r.code != OPENAI_OK {
                failures.push(r.message.unwrap_or_default());
            }
            unsafe { openai_future_free(done) };
        }
        most_open = most_open.max(h.mock.connections()["open"].as_u64().unwrap());
    }
    unsafe { openai_queue_free(queue) };
    assert!(failures.is_empty(), "{} of 10,000 calls failed, e.g. {:?}", failures.len(), &failures[..failures.len().min(3)]);
    // The limit holds the calls in flight; a connection being opened for a call that then gets
    // one freed meanwhile (the pool races the two) can add to it for a moment, never the
    // thousands a call per connection would take.
    assert!(most_open <= 2 * 256, "the client opened {most_open} connections at once (limit 256)");
    assert!(most_open >= 64, "the calls were not in flight together ({most_open} connections)");

    // The burst over: at most 64 idle connections stay, and those go after the idle timeout.
    let settled = |most: u64| {
        (0..600)
            .map(|_| {
                std::thread::sleep(Duration::from_millis(10));
                h.mock.connections()["open"].as_u64().unwrap()
            })
            .find(|open| *open <= most)
    };
    assert!(settled(64).is_some(), "more than 64 idle connections stayed: {}", h.mock.connections());
    assert_eq!(settled(0), Some(0), "idle connections outlived the idle timeout: {}", h.mock.connections());
    assert!(open_descriptors() <= before + 2, "descriptors before {before}, after {}", open_descriptors());
}

/// The limit holds for blocking calls too, from many threads, and `max_connections` sets it.
#[test]
fn blocking_calls_from_many_threads_share_the_limit() {
    let h = Harness::with_options(r#"{"max_retries":0,"max_connections":4}"#);
    h.mock.script(json!({"match": {"path": "/v1/models"}, "delay_ms": 50, "body": "{}", "times": 64}));
    let client = h.client as usize;
    let threads: Vec<_> = (0..16)
        .map(|_| {
            std::thread::spawn(move || {
                (0..4).map(|_| call(|out| unsafe { openai_models_list(client as *mut openai_client, out) }).code).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut most_open = 0;
    while !threads.iter().all(|t| t.is_finished()) {
        most_open = most_open.max(h.mock.connections()["open"].as_u64().unwrap());
        std::thread::sleep(Duration::from_millis(2));
    }
    for thread in threads {
        assert!(thread.join().unwrap().iter().all(|c| *c == OPENAI_OK));
    }
    // 4 calls in flight; a thread also keeps its connection for its next call.
    assert!((2..=4 + 16).contains(&most_open), "{most_open} connections open at once (limit 4, 16 threads)");
    assert_eq!(h.take_requests().len(), 64);
}

#[test]
fn the_limits_are_options_checked_when_a_client_is_made() {
    for bad in [r#"{"max_connections":0}"#, r#"{"max_connections":-1}"#, r#"{"max_idle_connections":1.5}"#, r#"{"http1_only":"yes"}"#, r#"{"idle_connection_timeout":0}"#] {
        let options: serde_json::Value = serde_json::from_str(bad).unwrap();
        let mut options = options.as_object().unwrap().clone();
        options.insert("api_key".into(), KEY.into());
        let e = new_client(&serde_json::Value::Object(options).to_string()).unwrap_err();
        assert!(e.starts_with("option \""), "{bad}: {e}");
    }
    let unlimited = new_client(&format!(r#"{{"api_key":"{KEY}","max_connections":null,"idle_connection_timeout":null,"http1_only":true}}"#)).unwrap();
    unsafe { openai_client_free(unlimited) };
}
