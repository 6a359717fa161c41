//! The streaming operations through the C ABI: the exact request each sends, and the events
//! handed back byte for byte.

mod common;

use common::*;
use openai::ffi::event::*;
use openai::ffi::operations_gen::*;
use openai::ffi::stream::*;
use serde_json::json;

/// Reads a stream to its end: each event's name and data, and the end code.
fn drain(stream: *mut openai_stream) -> (Vec<(String, Vec<u8>)>, openai_code) {
    let mut events = Vec::new();
    loop {
        let mut event = std::ptr::null_mut();
        let code = unsafe { openai_stream_next(stream, 10_000, &mut event) };
        if code != OPENAI_OK || event.is_null() {
            unsafe { openai_stream_free(stream) };
            return (events, code);
        }
        unsafe {
            let mut len = 0;
            let data = openai_event_data(event, &mut len);
            events.push((text(openai_event_name(event)).unwrap(), std::slice::from_raw_parts(data as *const u8, len).to_vec()));
            openai_event_free(event);
        }
    }
}

fn open(f: impl FnOnce(*mut *mut openai_stream) -> openai_code) -> *mut openai_stream {
    let mut stream = std::ptr::null_mut();
    let code = f(&mut stream);
    assert_eq!(code, OPENAI_OK, "{:?}", text(unsafe { openai_stream_error_message(stream) }));
    stream
}

#[test]
fn chat_completions_create_stream_sends_stream_true_and_keeps_the_body() {
    let h = Harness::new();
    let body = r#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"stream_options":{"include_usage":true}}"#;
    let stream = open(|out| unsafe { openai_chat_completions_create_stream(h.client, c(body).as_ptr(), out) });
    let (events, code) = drain(stream);
    assert_eq!(code, OPENAI_OK);
    assert_eq!(events.len(), 10, "role, 7 words, finish, usage");
    let sent = format!("{{\"stream\":true,{}", &body[1..]);
    assert_request(&h.only_request(), &Expected::new("POST", "/v1/chat/completions").body(&sent).stream());
}

#[test]
fn a_body_that_already_streams_is_sent_unchanged() {
    let h = Harness::new();
    let body = r#"{"stream":true,"model":"m","messages":[]}"#;
    let stream = open(|out| unsafe { openai_chat_completions_create_stream(h.client, c(body).as_ptr(), out) });
    drain(stream);
    assert_request(&h.only_request(), &Expected::new("POST", "/v1/chat/completions").body(body).stream());
}

#[test]
fn beta_threads_runs_create_and_stream() {
    let h = Harness::new();
    let body = r#"{"assistant_id":"asst_abc"}"#;
    let stream = open(|out| unsafe { openai_beta_threads_runs_create_and_stream(h.client, c("thread_abc").as_ptr(), c(body).as_ptr(), out) });
    let (events, code) = drain(stream);
    assert_eq!(code, OPENAI_OK);
    assert_eq!(events.first().unwrap().0, "thread.run.created");
    assert_eq!(events.last().unwrap().0, "thread.run.completed");
    assert_request(
        &h.only_request(),
        &Expected::new("POST", "/v1/threads/thread_abc/runs").body(r#"{"stream":true,"assistant_id":"asst_abc"}"#).beta().stream(),
    );
}

#[test]
fn beta_threads_runs_submit_tool_outputs_stream() {
    let h = Harness::new();
    let body = r#"{"tool_outputs":[{"tool_call_id":"call_1","output":"sunny"}]}"#;
    let stream = open(|out| unsafe {
        openai_beta_threads_runs_submit_tool_outputs_stream(h.client, c("thread_abc").as_ptr(), c("run_1").as_ptr(), c(body).as_ptr(), out)
    });
    let (_, code) = drain(stream);
    assert_eq!(code, OPENAI_OK);
    let sent = format!("{{\"stream\":true,{}", &body[1..]);
    assert_request(&h.only_request(), &Expected::new("POST", "/v1/threads/thread_abc/runs/run_1/submit_tool_outputs").body(&sent).beta().stream());
}

#[test]
fn request_stream_reaches_any_endpoint() {
    let h = Harness::new();
    h.mock.script(json!({"match": {"path": "/v1/responses"}, "headers": {"content-type": "text/event-stream"},
        "chunks": [{"data": "event: response.output_text.delta\ndata: {\"delta\":\"Hi\"}\n\n"},
                   {"data": "event: response.completed\ndata: {}\n\n"}]}));
    let body = r#"{"model":"gpt-4o","input":"Hi","stream":true}"#;
    let stream = open(|out| unsafe {
        openai_request_stream(h.client, c("POST").as_ptr(), c("/responses").as_ptr(), std::ptr::null(), c(body).as_ptr(), out)
    });
    let (events, code) = drain(stream);
    assert_eq!(code, OPENAI_OK);
    assert_eq!(events[0], ("response.output_text.delta".to_string(), br#"{"delta":"Hi"}"#.to_vec()));
    assert_request(&h.only_request(), &Expected::new("POST", "/v1/responses").body(body).stream());
}

#[test]
fn event_data_comes_back_byte_for_byte() {
    let h = Harness::new();
    // Not UTF-8, a NUL inside, a multi-line join.
    h.mock.script(json!({"chunks": [{"data_base64": "ZGF0YTog/wD+CmRhdGE6IHgKCg=="}]}));
    let stream = open(|out| unsafe { openai_chat_completions_create_stream(h.client, c("{}").as_ptr(), out) });
    let (events, code) = drain(stream);
    assert_eq!(code, OPENAI_OK);
    assert_eq!(events, vec![(String::new(), b"\xff\x00\xfe\nx".to_vec())]);
}

#[test]
fn an_error_event_ends_with_its_fields_in_the_message() {
    let h = Harness::new();
    h.mock.script(json!({"chunks": [{"data": "data: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}\n\n"}]}));
    let stream = open(|out| unsafe { openai_chat_completions_create_stream(h.client, c("{}").as_ptr(), out) });
    let message = text(unsafe {
        let mut event = std::ptr::null_mut();
        assert_eq!(openai_stream_next(stream, 10_000, &mut event), OPENAI_STREAM_ERROR);
        openai_stream_error_message(stream)
    });
    assert_eq!(message.as_deref(), Some("Rate limit reached"));
    unsafe { openai_stream_free(stream) };
}

/// A stream opened by a blocking call is read by the thread that pulls its events: it may move
/// to another thread (also after the thread that opened it has ended), be pulled without
/// waiting, and switch to a descriptor midway; no event is lost or repeated.
#[test]
fn a_pulled_stream_moves_between_threads_and_to_a_descriptor() {
    let h = Harness::new();
    let body = c(r#"{"model":"m","messages":[],"mock_chunks":300}"#);
    let client = h.client as usize;
    // Opened on a thread that then ends.
    let stream = std::thread::spawn(move || {
        let mut stream = std::ptr::null_mut();
        assert_eq!(unsafe { openai_chat_completions_create_stream(client as *mut openai_client, body.as_ptr(), &mut stream) }, OPENAI_OK);
        stream as usize
    })
    .join()
    .unwrap() as *mut openai_stream;
    let mut seen = Vec::new();
    let mut take = |stream: *mut openai_stream, timeout: i64| -> openai_code {
        let mut event = std::ptr::null_mut();
        let code = unsafe { openai_stream_next(stream, timeout, &mut event) };
        if code == OPENAI_OK && !event.is_null() {
            let index = text(unsafe { openai_event_json_value(event, c("/choices/0/index").as_ptr()) });
            seen.push((index, text(unsafe { openai_event_json_string(event, c("/choices/0/delta/content").as_ptr()) })));
            unsafe { openai_event_free(event) };
        }
        code
    };
    // 100 events pulled here, blocking.
    for _ in 0..100 {
        assert_eq!(take(stream, 10_000), OPENAI_OK);
    }
    // 100 more on another thread, without waiting (retrying until each is there).
    let address = stream as usize;
    let more = std::thread::spawn(move || {
        let stream = address as *mut openai_stream;
        let mut got = 0;
        let started = std::time::Instant::now();
        while got < 100 {
            let mut event = std::ptr::null_mut();
            match unsafe { openai_stream_try_next(stream, &mut event) } {
                OPENAI_OK => {
                    assert!(!event.is_null());
                    unsafe { openai_event_free(event) };
                    got += 1;
                }
                OPENAI_PENDING => assert!(started.elapsed() < std::time::Duration::from_secs(30), "try_next never found the events"),
                other => panic!("{other:?}"),
            }
        }
        got
    });
    assert_eq!(more.join().unwrap(), 100);
    // The rest through the descriptor.
    let fd = unsafe { openai_stream_fd(stream) };
    assert!(fd >= 0);
    let mut rest = 0;
    loop {
        let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        assert_eq!(unsafe { libc::poll(&mut pfd, 1, 10_000) }, 1, "the descriptor became readable");
        let mut event = std::ptr::null_mut();
        match unsafe { openai_stream_try_next(stream, &mut event) } {
            OPENAI_OK if event.is_null() => break,
            OPENAI_OK => {
                unsafe { openai_event_free(event) };
                rest += 1;
            }
            OPENAI_PENDING => {}
            other => panic!("{other:?}"),
        }
    }
    unsafe { openai_stream_free(stream) };
    // 300 content chunks, plus the role chunk and the finish chunk.
    assert_eq!(100 + 100 + rest, 302, "every event exactly once");
    assert_eq!(seen.len(), 100);
}

/// A pulled stream ended by its cancel token lets its connection go at once, before it is
/// freed, while the thread that opened it (whose runtime holds the connection) lives on idle:
/// as `openai_cancel_token_cancel` documents, and as a Go program, whose goroutines move between
/// threads that live on, needs.
#[test]
fn a_cancelled_pulled_stream_drops_its_connection_before_it_is_freed() {
    let h = Harness::new();
    let token = openai::ffi::cancel::openai_cancel_token_new();
    let mut cancellable = std::ptr::null_mut();
    assert_eq!(unsafe { openai::ffi::cancel::openai_client_with_cancel_token(h.client, token, &mut cancellable) }, OPENAI_OK);
    let body = c(r#"{"model":"m","messages":[],"mock_chunks":10,"mock_delay_ms":5000}"#);
    let client = cancellable as usize;
    let (opened, stream) = std::sync::mpsc::channel();
    let (done, finish) = std::sync::mpsc::channel::<()>();
    let opener = std::thread::spawn(move || {
        let mut stream = std::ptr::null_mut();
        assert_eq!(unsafe { openai_chat_completions_create_stream(client as *mut openai_client, body.as_ptr(), &mut stream) }, OPENAI_OK);
        opened.send(stream as usize).unwrap();
        let _ = finish.recv(); // lives on, idle, until the end of the test
    });
    let stream = stream.recv().unwrap() as *mut openai_stream;
    let token_address = token as usize;
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        unsafe { openai::ffi::cancel::openai_cancel_token_cancel(token_address as *const _) };
    });
    let mut code = OPENAI_OK;
    while code == OPENAI_OK {
        let mut event = std::ptr::null_mut();
        code = unsafe { openai_stream_next(stream, 10_000, &mut event) };
        unsafe { openai_event_free(event) };
    }
    canceller.join().unwrap();
    assert_eq!(code, OPENAI_CANCELLED);
    let started = std::time::Instant::now();
    while h.mock.requests().last().map(|r| r["client_closed_early"] != true).unwrap_or(true) {
        assert!(started.elapsed() < std::time::Duration::from_secs(3), "the connection is still open");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    done.send(()).unwrap();
    opener.join().unwrap();
    unsafe {
        openai_stream_free(stream);
        openai::ffi::client::openai_client_free(cancellable);
        openai::ffi::cancel::openai_cancel_token_free(token);
    }
}
