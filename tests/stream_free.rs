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

/// What the two callbacks share.
#[derive(Default)]
struct Meeting {
    /// Callbacks that have begun, that found the other one inside too, and that have returned.
    inside: AtomicUsize,
    met: AtomicUsize,
    returned: AtomicUsize,
}

/// One callback's userdata: the meeting, and the other stream, which it frees.
struct Side {
    meeting: &'static Meeting,
    other: AtomicUsize,
}

unsafe extern "C" fn free_the_other(_: *mut openai_stream, event: *const openai_event, userdata: *mut c_void) -> bool {
    // SAFETY: the test keeps both sides alive for the whole process.
    let side = unsafe { &*(userdata as *const Side) };
    if event.is_null() {
        return false;
    }
    let meeting = side.meeting;
    // Wait a while (never for ever: a worker thread is held meanwhile) until the other callback
    // is inside too, so that each frees a stream whose callback is running.
    meeting.inside.fetch_add(1, Ordering::SeqCst);
    let start = Instant::now();
    while meeting.inside.load(Ordering::SeqCst) < 2 && start.elapsed() < Duration::from_secs(1) {
        std::thread::yield_now();
    }
    if meeting.inside.load(Ordering::SeqCst) >= 2 {
        meeting.met.fetch_add(1, Ordering::SeqCst);
    }
    let other = side.other.swap(0, Ordering::SeqCst);
    if other != 0 {
        // SAFETY: the other stream's handle, taken from this side so that it is freed once.
        unsafe { openai_stream_free(other as *mut openai_stream) };
    }
    meeting.returned.fetch_add(1, Ordering::SeqCst);
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
        let meeting: &'static Meeting = Box::leak(Box::default());
        let sides: &'static [Side; 2] = Box::leak(Box::new([
            Side { meeting, other: AtomicUsize::new(0) },
            Side { meeting, other: AtomicUsize::new(0) },
        ]));
        for _ in 0..2 {
            h.mock.script(json!({"match": {"path": "/v1/chat/completions"}, "headers": {"content-type": "text/event-stream"}, "chunks": events}));
        }
        let userdata = |i: usize| &sides[i] as *const Side as *mut c_void;
        let a = unsafe { openai_chat_completions_create_stream_async(h.client, body.as_ptr(), Some(free_the_other), userdata(0)) };
        let b = unsafe { openai_chat_completions_create_stream_async(h.client, body.as_ptr(), Some(free_the_other), userdata(1)) };
        // Each side learns the other's stream before the first event can arrive, 20 ms on.
        sides[0].other.store(b as usize, Ordering::SeqCst);
        sides[1].other.store(a as usize, Ordering::SeqCst);
        // Both callbacks return (a deadlock would keep them inside for ever), or one returns
        // having freed the other's stream before its callback began.
        let start = Instant::now();
        loop {
            let (returned, inside) = (meeting.returned.load(Ordering::SeqCst), meeting.inside.load(Ordering::SeqCst));
            if returned == 2 || (returned == 1 && inside == 1 && start.elapsed() > Duration::from_millis(1500)) {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "round {round}: callbacks freeing each other's streams hang");
            std::thread::sleep(Duration::from_millis(5));
        }
        for side in sides {
            // SAFETY: a handle no callback freed.
            unsafe { openai_stream_free(side.other.swap(0, Ordering::SeqCst) as *mut openai_stream) };
        }
        if meeting.met.load(Ordering::SeqCst) == 2 {
            met += 1;
        }
    }
    assert!(met > 0, "the two callbacks never ran at the same time: the test proved nothing");
}
