//! Item 11 of the trust issue: two stream callbacks that each call `openai_stream_free` on the
//! other's stream, both running at once, both return (they used to wait for each other forever,
//! holding both worker threads). In a test binary of its own, so that it can choose the number
//! of worker threads before the library starts them.

mod common;

use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use openai::ffi::event::openai_event;
use openai::ffi::operations_gen::openai_chat_completions_create_stream_async;
use openai::ffi::stream::*;
use serde_json::{json, Value};

/// Two streams whose callbacks each free the other's stream.
#[derive(Default)]
struct Pair {
    streams: [AtomicUsize; 2],
    /// Callbacks that have begun, that found the other one inside too, and that have returned.
    inside: AtomicUsize,
    met: AtomicUsize,
    returned: AtomicUsize,
}

unsafe extern "C" fn free_the_other(stream: *mut openai_stream, event: *const openai_event, userdata: *mut c_void) -> bool {
    // SAFETY: the test keeps the pair alive for the whole process.
    let pair = unsafe { &*(userdata as *const Pair) };
    if event.is_null() {
        return false;
    }
    // Wait a while (never for ever: a worker thread is held meanwhile) until the other callback
    // is inside too, so that each frees a stream whose callback is running.
    pair.inside.fetch_add(1, Ordering::SeqCst);
    let start = Instant::now();
    while pair.inside.load(Ordering::SeqCst) < 2 && start.elapsed() < Duration::from_secs(1) {
        std::thread::yield_now();
    }
    if pair.inside.load(Ordering::SeqCst) >= 2 {
        pair.met.fetch_add(1, Ordering::SeqCst);
    }
    let me = stream as usize;
    let other = if pair.streams[0].load(Ordering::SeqCst) == me { &pair.streams[1] } else { &pair.streams[0] };
    let other = other.swap(0, Ordering::SeqCst);
    if other != 0 {
        // SAFETY: the other stream's handle, taken out of the pair so that it is freed once.
        unsafe { openai_stream_free(other as *mut openai_stream) };
    }
    pair.returned.fetch_add(1, Ordering::SeqCst);
    false
}

#[test]
fn callbacks_freeing_each_others_streams_do_not_deadlock() {
    // More workers than the two callbacks hold, so that both can run at once.
    std::env::set_var("OPENAI_WORKER_THREADS", "4");
    let h = Harness::new();
    let events: Vec<Value> = (0..50).map(|i| json!({"data": format!("data: {{\"n\":{i}}}\n\n"), "delay_ms": 20})).collect();
    let body = c(r#"{"model":"m","messages":[]}"#);
    let mut met = 0;
    // Rounds until the callbacks have met twice: whether both run at once is up to the
    // scheduler (a task woken on a worker whose thread a callback holds waits for it).
    for round in 0..30 {
        if met == 2 {
            break;
        }
        let pair: &'static Pair = Box::leak(Box::default());
        for _ in 0..2 {
            h.mock.script(json!({"match": {"path": "/v1/chat/completions"}, "headers": {"content-type": "text/event-stream"}, "chunks": events}));
        }
        let userdata = pair as *const Pair as *mut c_void;
        // The handles are known to the callbacks before the first event can arrive, 20 ms on.
        let a = unsafe { openai_chat_completions_create_stream_async(h.client, body.as_ptr(), Some(free_the_other), userdata) };
        pair.streams[0].store(a as usize, Ordering::SeqCst);
        let b = unsafe { openai_chat_completions_create_stream_async(h.client, body.as_ptr(), Some(free_the_other), userdata) };
        pair.streams[1].store(b as usize, Ordering::SeqCst);
        // Both callbacks return (a deadlock would keep them inside for ever), or one returns
        // having freed the other's stream before its callback began.
        let start = Instant::now();
        loop {
            let (returned, inside) = (pair.returned.load(Ordering::SeqCst), pair.inside.load(Ordering::SeqCst));
            if returned == 2 || (returned == 1 && inside == 1 && start.elapsed() > Duration::from_millis(1500)) {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "round {round}: callbacks freeing each other's streams hang");
            std::thread::sleep(Duration::from_millis(5));
        }
        for stream in &pair.streams {
            // SAFETY: a handle no callback freed.
            unsafe { openai_stream_free(stream.swap(0, Ordering::SeqCst) as *mut openai_stream) };
        }
        if pair.met.load(Ordering::SeqCst) == 2 {
            met += 1;
        }
    }
    assert!(met > 0, "the two callbacks never ran at the same time: the test proved nothing");
}
