//! Realtime sessions through the C ABI against the mock's WebSocket endpoints: the exact
//! handshake, text and audio turns, ordering under concurrent senders, audio splitting, every
//! failure (refused upgrade, final and recoverable closes, drops, silence), reconnection as the
//! official SDK does it, the Responses API over a WebSocket, and cancel/free from other threads
//! and from callbacks.

mod common;

use std::ffi::{c_int, c_void};
use std::ptr::null_mut;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use openai::ffi::event::*;
use openai::ffi::realtime::*;
use serde_json::{json, Value};
use sha2::Digest;

/// A mock and a client of it, without retries.
fn harness(options: &str) -> Harness {
    let mut options: serde_json::Map<String, Value> = serde_json::from_str(options).unwrap();
    options.entry("max_retries").or_insert(json!(0));
    Harness::with_options(&Value::Object(options).to_string())
}

const TEXT_TURN: &str = r#"{"type":"response.create","response":{"output_modalities":["text"]}}"#;

/// A pulled session, freed on drop.
struct Session(*mut openai_realtime);

unsafe impl Send for Session {}
unsafe impl Sync for Session {}

/// One event read back: its type and JSON.
#[derive(Debug, Clone)]
struct Event {
    kind: String,
    json: Value,
    audio: Option<Vec<u8>>,
}

fn read_event(event: *const openai_event) -> Event {
    unsafe {
        let mut len = 0;
        let data = openai_event_data(event, &mut len);
        let bytes = std::slice::from_raw_parts(data as *const u8, len);
        let mut audio_len = 0;
        let audio = openai_event_audio(event, &mut audio_len);
        Event {
            kind: text(openai_event_name(event)).unwrap(),
            json: serde_json::from_slice(bytes).unwrap(),
            audio: (!audio.is_null()).then(|| std::slice::from_raw_parts(audio as *const u8, audio_len).to_vec()),
        }
    }
}

impl Session {
    fn connect(h: &Harness, query: &str) -> Result<Session, (openai_code, Session)> {
        Session::connect_with(h.client, query)
    }

    fn connect_with(client: *mut openai_client, query: &str) -> Result<Session, (openai_code, Session)> {
        let query = c(query);
        let mut session = null_mut();
        let code = unsafe { openai_realtime_connect(client, query.as_ptr(), &mut session) };
        assert!(!session.is_null());
        if code == OPENAI_OK {
            Ok(Session(session))
        } else {
            Err((code, Session(session)))
        }
    }

    fn with_options(h: &Harness, query: &str, options: *const openai_realtime_options) -> Session {
        let query = c(query);
        Session(unsafe { openai_realtime_connect_async(h.client, query.as_ptr(), options) })
    }

    /// The next event, or the code that ended the session (`Err(OPENAI_OK)` for a clean end).
    fn next(&self) -> Result<Event, openai_code> {
        let mut event = null_mut();
        let code = unsafe { openai_realtime_next(self.0, 30_000, &mut event) };
        assert_ne!(code, OPENAI_PENDING, "no event within 30 s");
        if code != OPENAI_OK || event.is_null() {
            return Err(code);
        }
        let read = read_event(event);
        unsafe { openai_event_free(event) };
        Ok(read)
    }

    /// Events up to and including the first of `kind`.
    fn until(&self, kind: &str) -> Vec<Event> {
        let mut events = Vec::new();
        loop {
            let event = self.next().unwrap_or_else(|code| panic!("ended with {code:?} before {kind}: {:?}", self.message()));
            let done = event.kind == kind;
            events.push(event);
            if done {
                return events;
            }
        }
    }

    fn send(&self, event: &str) -> openai_code {
        let event = c(event);
        unsafe { openai_realtime_send(self.0, event.as_ptr()) }
    }

    fn code(&self) -> openai_code {
        unsafe { openai_realtime_code(self.0) }
    }

    fn message(&self) -> Option<String> {
        text(unsafe { openai_realtime_error_message(self.0) })
    }

    fn close_code(&self) -> c_int {
        unsafe { openai_realtime_close_code(self.0) }
    }

    fn close_reason(&self) -> Option<String> {
        text(unsafe { openai_realtime_close_reason(self.0) })
    }

    fn response(&self) -> Reply {
        let response = unsafe { openai_realtime_response(self.0) };
        assert!(!response.is_null());
        read_borrowed(response)
    }

    /// Waits for the end and returns its code.
    fn end(&self) -> openai_code {
        loop {
            match self.next() {
                Ok(_) => continue,
                Err(code) => return code,
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        unsafe { openai_realtime_free(self.0) };
    }
}

/// A response borrowed from its session, read without freeing it.
fn read_borrowed(response: *const openai_response) -> Reply {
    unsafe {
        let mut len = 0;
        let body = openai_response_body(response, &mut len);
        let body = std::slice::from_raw_parts(body as *const u8, len).to_vec();
        let mut headers = Vec::new();
        for i in 0..openai_response_header_count(response) {
            let (mut name, mut value) = (std::ptr::null(), std::ptr::null());
            openai_response_header_at(response, i, &mut name, &mut value);
            headers.push((text(name).unwrap(), text(value).unwrap()));
        }
        Reply {
            code: openai_response_code(response),
            returned: openai_response_code(response),
            status: openai_response_status(response),
            body,
            headers,
            request_id: text(openai_response_request_id(response)),
            message: text(openai_response_error_message(response)),
            error_message: None,
            error_type: None,
            error_param: None,
            error_code: None,
            retries: 0,
        }
    }
}

fn options(json: &str) -> *mut openai_realtime_options {
    let json = c(json);
    let mut options = null_mut();
    assert_eq!(unsafe { openai_realtime_options_new(json.as_ptr(), &mut options) }, OPENAI_OK);
    options
}

fn websockets(h: &Harness) -> Vec<Value> {
    h.mock.websockets()
}

/// The handshakes (upgrade requests) in the mock's log.
fn handshakes(h: &Harness) -> Vec<Value> {
    h.take_requests().into_iter().filter(|r| header(r, "upgrade") == Some("websocket")).collect()
}

/// Waits until `f` holds (the mock records what it received a moment after it arrives).
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(30), "{what}: not within 30 s");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_handshake_is_exact_and_the_key_goes_only_in_authorization() {
    let h = harness(
        r#"{"organization":"org-1","project":"proj-1","default_headers":{"x-custom":"yes"},"default_query":{"tenant":"t1"}}"#,
    );
    let session = Session::connect(&h, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(code, s)| panic!("{code:?}: {:?}", s.message()));
    assert_eq!(session.next().unwrap().kind, "session.created");
    let head = session.response();
    assert_eq!(head.status, 101);
    assert!(head.request_id.is_some_and(|id| id.starts_with("req_")));

    let request = handshakes(&h).pop().expect("the handshake was logged");
    assert_eq!(request["method"], "GET");
    assert_eq!(request["path"], "/v1/realtime");
    assert_eq!(request["query_pairs"], json!([["tenant", "t1"], ["model", "gpt-realtime"]]));
    let names: Vec<String> = header_names(&request);
    let mut expected = vec![
        "authorization", "connection", "host", "openai-organization", "openai-project", "sec-websocket-key",
        "sec-websocket-version", "upgrade", "user-agent", "x-custom", "accept",
    ];
    expected.sort();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "headers: {names:?}");
    assert_eq!(header(&request, "authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(header(&request, "connection"), Some("Upgrade"));
    assert_eq!(header(&request, "sec-websocket-version"), Some("13"));
    assert_eq!(header(&request, "openai-organization"), Some("org-1"));
    assert_eq!(header(&request, "user-agent"), Some(concat!("libopenai/", env!("CARGO_PKG_VERSION"))));
    let key = base64_decode(header(&request, "sec-websocket-key").unwrap());
    assert_eq!(key.len(), 16);
    // The key is nowhere but in Authorization: not in the target, not in any other header.
    assert!(!request["raw_target"].as_str().unwrap().contains(KEY));
    for pair in request["headers"].as_array().unwrap() {
        if pair[0] != "authorization" {
            assert!(!pair[1].as_str().unwrap().contains(KEY), "{pair}");
        }
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

#[test]
fn a_text_turn_streams_its_deltas_and_close_sends_a_close_frame() {
    let h = harness("{}");
    let session = Session::connect(&h, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message()));
    assert_eq!(session.next().unwrap().kind, "session.created");
    let item = r#"{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"Hello"}]}}"#;
    assert_eq!(session.send(item), OPENAI_OK);
    assert_eq!(session.send(TEXT_TURN), OPENAI_OK);
    let events = session.until("response.done");
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds[..4], ["conversation.item.created", "response.created", "response.output_item.added", "response.content_part.added"]);
    let text: String = events.iter().filter(|e| e.kind == "response.output_text.delta").map(|e| e.json["delta"].as_str().unwrap()).collect();
    assert_eq!(text, openai_mock::REPLY);
    assert_eq!(events.iter().find(|e| e.kind == "response.output_text.done").unwrap().json["text"], openai_mock::REPLY);
    assert_eq!(events.last().unwrap().json["response"]["status"], "completed");

    let reason = c("done");
    assert_eq!(unsafe { openai_realtime_close(session.0, 0, reason.as_ptr()) }, OPENAI_OK);
    assert_eq!(session.end(), OPENAI_OK);
    assert_eq!(session.code(), OPENAI_OK);
    assert_eq!(session.close_code(), 1000);
    assert_eq!(session.message(), None);
    assert_eq!(session.send(TEXT_TURN), OPENAI_CONNECTION);
    eventually("the mock saw the close frame", || websockets(&h)[0]["ended"] == "client_closed");
    let record = &websockets(&h)[0];
    assert_eq!(record["client_close"], json!({"code": 1000, "reason": "done"}));
    assert_eq!(record["events"], json!([item, TEXT_TURN]));
}

#[test]
fn an_audio_turn_hands_out_decoded_pcm() {
    let h = harness("{}");
    let session = Session::connect(&h, r#"{"model":"gpt-realtime","mock_audio_bytes":"10000","mock_audio_chunk_bytes":"4000"}"#)
        .unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message()));
    assert_eq!(session.send(r#"{"type":"response.create"}"#), OPENAI_OK);
    let events = session.until("response.done");
    let deltas: Vec<&Event> = events.iter().filter(|e| e.kind == "response.output_audio.delta").collect();
    assert_eq!(deltas.iter().map(|e| e.audio.as_ref().unwrap().len()).collect::<Vec<_>>(), [4000, 4000, 2000]);
    let pcm: Vec<u8> = deltas.iter().flat_map(|e| e.audio.clone().unwrap()).collect();
    assert_eq!(pcm, openai_mock::speech_bytes(10_000));
    // Other events have no audio.
    assert!(events.iter().filter(|e| e.kind != "response.output_audio.delta").all(|e| e.audio.is_none()));
    let transcript: String = events.iter().filter(|e| e.kind == "response.output_audio_transcript.delta").map(|e| e.json["delta"].as_str().unwrap()).collect();
    assert_eq!(transcript, openai_mock::REPLY);
}

#[test]
fn events_from_eight_threads_go_out_whole_and_in_each_threads_order() {
    const THREADS: usize = 8;
    const EACH: usize = 250;
    let h = harness("{}");
    let session = Arc::new(Session::connect(&h, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message())));
    let senders: Vec<_> = (0..THREADS)
        .map(|t| {
            let session = session.clone();
            std::thread::spawn(move || {
                for i in 0..EACH {
                    let event = json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                        "content": [{"type": "input_text", "text": format!("{t}-{i}-{}", "x".repeat(i % 97))}]}});
                    assert_eq!(session.send(&event.to_string()), OPENAI_OK);
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
    // Every event is answered: read the answers while the mock records them.
    let answers = (0..THREADS * EACH + 1).map(|_| session.next().unwrap()).filter(|e| e.kind == "conversation.item.created").count();
    assert_eq!(answers, THREADS * EACH);
    let record = &websockets(&h)[0];
    let events = record["events"].as_array().unwrap();
    assert_eq!(events.len(), THREADS * EACH);
    assert_eq!(record["text_frames"], (THREADS * EACH) as u64);
    let mut next = [0usize; THREADS];
    for event in events {
        let event: Value = serde_json::from_str(event.as_str().unwrap()).expect("each frame is one whole event");
        let text = event["item"]["content"][0]["text"].as_str().unwrap();
        let mut parts = text.splitn(3, '-');
        let (t, i): (usize, usize) = (parts.next().unwrap().parse().unwrap(), parts.next().unwrap().parse().unwrap());
        assert_eq!(i, next[t], "thread {t}'s events out of order");
        next[t] += 1;
    }
    assert_eq!(next, [EACH; THREADS]);
}

#[test]
fn a_10_mb_append_is_split_into_32_kib_events_in_order() {
    let h = harness("{}");
    let session = Session::connect(&h, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message()));
    let pcm: Vec<u8> = (0..10_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    assert_eq!(unsafe { openai_realtime_append_audio(session.0, pcm.as_ptr() as *const c_void, pcm.len()) }, OPENAI_OK);
    assert_eq!(session.send(r#"{"type":"input_audio_buffer.commit"}"#), OPENAI_OK);
    session.until("input_audio_buffer.committed");
    let record = &websockets(&h)[0];
    let appends: Vec<u64> = record["appends"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    let whole = pcm.len() / 32_768;
    assert_eq!(appends.len(), whole + 1);
    assert!(appends[..whole].iter().all(|n| *n == 32_768));
    assert_eq!(appends[whole], (pcm.len() % 32_768) as u64);
    assert_eq!(record["audio_bytes"], pcm.len() as u64);
    let digest = sha2::Sha256::digest(&pcm);
    assert_eq!(record["audio_sha256"], digest.iter().map(|b| format!("{b:02x}")).collect::<String>());
    assert_eq!(record["events"], json!([r#"{"type":"input_audio_buffer.commit"}"#]));
}

#[test]
fn bad_arguments_are_refused_before_anything_is_sent() {
    let h = harness("{}");
    let session = Session::connect(&h, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message()));
    assert_eq!(session.send("not json"), OPENAI_INVALID_ARGUMENT);
    assert_eq!(session.send("[1]"), OPENAI_INVALID_ARGUMENT);
    assert_eq!(unsafe { openai_realtime_send(session.0, std::ptr::null()) }, OPENAI_INVALID_ARGUMENT);
    assert_eq!(unsafe { openai_realtime_send(null_mut(), c("{}").as_ptr()) }, OPENAI_INVALID_ARGUMENT);
    let odd = [0u8; 3];
    assert_eq!(unsafe { openai_realtime_append_audio(session.0, odd.as_ptr() as *const c_void, 3) }, OPENAI_INVALID_ARGUMENT);
    assert_eq!(unsafe { openai_realtime_close(session.0, 1006, std::ptr::null()) }, OPENAI_INVALID_ARGUMENT);
    assert_eq!(unsafe { openai_realtime_close(session.0, 1000, c(&"r".repeat(124)).as_ptr()) }, OPENAI_INVALID_ARGUMENT);
    let mut event = null_mut();
    assert_eq!(unsafe { openai_realtime_next(session.0, 0, std::ptr::null_mut()) }, OPENAI_INVALID_ARGUMENT);
    assert_eq!(unsafe { openai_realtime_next(null_mut(), 0, &mut event) }, OPENAI_INVALID_ARGUMENT);
    let mut o = null_mut();
    assert_eq!(unsafe { openai_realtime_options_new(c(r#"{"max_retrys":1}"#).as_ptr(), &mut o) }, OPENAI_INVALID_ARGUMENT);
    assert!(o.is_null());
    assert!(text(openai::ffi::error::openai_last_error()).unwrap().contains("max_retrys"));
    // A query that is not a JSON object: the session ends at once, nothing was sent.
    let (code, failed) = Session::connect(&h, "[]").err().unwrap();
    assert_eq!(code, OPENAI_INVALID_ARGUMENT);
    assert_eq!(failed.code(), OPENAI_INVALID_ARGUMENT);
    assert!(failed.message().unwrap().contains("query_json"));
    // Nothing was sent but the first session's handshake.
    eventually("the record", || !websockets(&h).is_empty());
    assert_eq!(websockets(&h)[0]["text_frames"], 0);
    assert_eq!(handshakes(&h).len(), 1);
}

#[test]
fn a_refused_upgrade_gives_its_status_and_body_with_the_key_scrubbed() {
    let h = harness(r#"{"api_key":"sk-invalid-SECRETKEY-42"}"#);
    let (code, session) = Session::connect(&h, r#"{"model":"gpt-realtime"}"#).err().expect("refused");
    assert_eq!(code, OPENAI_AUTHENTICATION);
    assert_eq!(session.code(), OPENAI_AUTHENTICATION);
    let response = session.response();
    assert_eq!(response.status, 401);
    let body: Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(body["error"]["code"], "invalid_api_key");
    let message = session.message().unwrap();
    assert!(message.starts_with("Error code: 401 - Incorrect API key provided"), "{message}");
    assert!(!message.contains("SECRETKEY"));
    assert_eq!(session.close_code(), 0);

    // A scripted refusal: any status, any body.
    let h = harness("{}");
    h.mock.script(json!({"match": {"path": "/v1/realtime"}, "status": 503, "body_json": {"error": {"message": "overloaded", "type": "server_error"}}}));
    let (code, session) = Session::connect(&h, r#"{"model":"gpt-realtime"}"#).err().expect("refused");
    assert_eq!(code, OPENAI_INTERNAL_SERVER);
    assert_eq!(session.response().status, 503);
    assert_eq!(session.message().as_deref(), Some("Error code: 503 - overloaded"));
    // A Realtime handshake without a model is the API's 400.
    let (code, session) = Session::connect(&h, "{}").err().expect("refused");
    assert_eq!(code, OPENAI_BAD_REQUEST);
    assert!(session.message().unwrap().contains("model"));
}

#[test]
fn a_close_with_a_final_code_ends_the_session_with_its_code_and_reason() {
    let h = harness("{}");
    h.mock.script(json!({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": "close", "code": 1008, "reason": "policy violated"}}));
    let session = Session::connect(&h, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message()));
    assert_eq!(session.next().unwrap().kind, "session.created");
    assert_eq!(session.end(), OPENAI_CONNECTION);
    assert_eq!(session.close_code(), 1008);
    assert_eq!(session.close_reason().as_deref(), Some("policy violated"));
    assert_eq!(session.message().as_deref(), Some("the server closed the session with code 1008: policy violated"));
    // A clean close by the server (1000) is a clean end.
    h.mock.script(json!({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": "close", "code": 1000}}));
    let session = Session::connect(&h, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message()));
    assert_eq!(session.end(), OPENAI_OK);
    assert_eq!((session.close_code(), session.close_reason().as_deref()), (1000, Some("")));
}

#[test]
fn a_dropped_connection_is_a_connection_error_with_close_code_1006() {
    for action in ["drop", "reset"] {
        let h = harness("{}");
        h.mock.script(json!({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": action}}));
        let session = Session::connect(&h, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message()));
        assert_eq!(session.end(), OPENAI_CONNECTION, "{action}");
        assert_eq!(session.close_code(), 1006, "{action}");
        assert!(session.message().unwrap().starts_with("the connection dropped"), "{action}: {:?}", session.message());
    }
}

#[test]
fn a_silent_server_ends_the_session_after_the_idle_timeout() {
    let h = harness("{}");
    h.mock.script(json!({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": "silent"}}));
    let o = options(r#"{"idle_timeout":0.6,"ping_interval":0.2}"#);
    let session = Session::with_options(&h, r#"{"model":"gpt-realtime"}"#, o);
    unsafe { openai_realtime_options_free(o) };
    let started = Instant::now();
    assert_eq!(session.next().unwrap().kind, "session.created");
    assert_eq!(session.end(), OPENAI_TIMEOUT);
    assert!(started.elapsed() >= Duration::from_millis(550), "{:?}", started.elapsed());
    assert_eq!(session.message().as_deref(), Some("the server sent nothing for 0.6 s (idle_timeout)"));
    assert_eq!(session.close_code(), 1006);
}

#[test]
fn pings_are_answered_and_keepalive_pings_keep_a_quiet_session_open() {
    let h = harness("{}");
    let o = options(r#"{"idle_timeout":1.5,"ping_interval":0.1}"#);
    let session = Session::with_options(&h, r#"{"model":"gpt-realtime"}"#, o);
    unsafe { openai_realtime_options_free(o) };
    assert_eq!(session.next().unwrap().kind, "session.created");
    // Quiet for longer than the idle timeout: the server's pongs to our pings keep it open.
    let mut event = null_mut();
    assert_eq!(unsafe { openai_realtime_next(session.0, 3000, &mut event) }, OPENAI_PENDING);
    assert_eq!(session.code(), OPENAI_PENDING);
    // The mock pinged once after session.created; the library answered without being asked.
    eventually("the pong", || websockets(&h)[0]["pongs"].as_u64() >= Some(1));
    assert_eq!(session.send(TEXT_TURN), OPENAI_OK);
    session.until("response.done");
}

#[test]
fn error_events_are_delivered_and_the_session_goes_on_with_the_key_scrubbed() {
    let h = harness("{}");
    let session = Session::connect(&h, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message()));
    assert_eq!(session.send(&format!(r#"{{"type":"oops {KEY}","event_id":"evt_1"}}"#)), OPENAI_OK);
    let events = session.until("error");
    let error = &events.last().unwrap().json;
    assert_eq!(error["error"]["code"], "invalid_value");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("Invalid value: 'oops [redacted]'"), "{message}");
    assert_eq!(session.send(TEXT_TURN), OPENAI_OK);
    session.until("response.done");
}

/// What a reconnection callback is told: attempt, maximum, delay (ms), close code, query.
type Told = (u32, u32, u64, c_int, String);

/// What a reconnection callback saw, and what it does.
#[derive(Default)]
struct Reconnects {
    seen: Mutex<Vec<Told>>,
    /// Abort at this attempt.
    abort_at: Option<u32>,
    /// Bytes of a client event sent from inside the callback, and its result.
    send_inside: Option<usize>,
    /// Send only at this attempt (None: at every one).
    send_at: Option<u32>,
    sent_inside: Mutex<Vec<openai_code>>,
}

unsafe extern "C" fn on_reconnect(
    session: *mut openai_realtime,
    attempt: u32,
    max_attempts: u32,
    delay_ms: u64,
    close_code: c_int,
    next: *mut openai_reconnect,
    userdata: *mut c_void,
) -> bool {
    let r = &*(userdata as *const Reconnects);
    let query = text(openai_reconnect_query(next)).unwrap();
    r.seen.lock().unwrap().push((attempt, max_attempts, delay_ms, close_code, query));
    if attempt == 2 {
        assert_eq!(openai_reconnect_set_query(next, c(r#"{"model":"gpt-realtime-2"}"#).as_ptr()), OPENAI_OK);
        assert_eq!(openai_reconnect_set_header(next, c("X-Attempt").as_ptr(), c("2").as_ptr()), OPENAI_OK);
        assert_eq!(openai_reconnect_set_query(next, c("nope").as_ptr()), OPENAI_INVALID_ARGUMENT);
    }
    if let Some(size) = r.send_inside.filter(|_| r.send_at.map_or(true, |a| a == attempt)) {
        let event = c(&json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
            "content": [{"type": "input_text", "text": "x".repeat(size)}]}}).to_string());
        r.sent_inside.lock().unwrap().push(openai_realtime_send(session, event.as_ptr()));
    }
    r.abort_at != Some(attempt)
}

fn reconnecting_session(h: &Harness, options_json: &str, r: &Reconnects) -> Session {
    let o = options(options_json);
    unsafe { openai_realtime_options_set_reconnect(o, Some(on_reconnect), r as *const Reconnects as *mut c_void) };
    let session = Session::with_options(h, r#"{"model":"gpt-realtime"}"#, o);
    unsafe { openai_realtime_options_free(o) };
    session
}

#[test]
fn a_recoverable_close_reconnects_as_the_sdk_does_with_what_was_sent_meanwhile() {
    let h = harness("{}");
    // Two connections accepted and closed at once, before any event: attempts 1 and 2 (a
    // connection that delivered an event would have reset the count); the third works.
    h.mock.script(json!({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 0, "action": "close", "code": 1011, "reason": "boom"}, "times": 2}));
    let r = Reconnects { send_inside: Some(100), send_at: Some(2), ..Default::default() };
    let session = reconnecting_session(&h, r#"{"initial_delay":0.05,"max_delay":0.08}"#, &r);
    assert_eq!(session.next().unwrap().kind, "session.created");
    // The event sent during the reconnection went out on the new connection.
    let answers = session.until("conversation.item.created");
    assert_eq!(answers.len(), 1);
    let seen = r.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            (1, 5, 50, 1011, r#"{"model":"gpt-realtime"}"#.to_string()),
            (2, 5, 80, 1011, r#"{"model":"gpt-realtime"}"#.to_string())
        ]
    );
    assert_eq!(*r.sent_inside.lock().unwrap(), [OPENAI_OK]);
    let shakes = handshakes(&h);
    assert_eq!(shakes.len(), 3);
    assert_eq!(shakes[1]["query_pairs"], json!([["model", "gpt-realtime"]]));
    assert_eq!(shakes[2]["query_pairs"], json!([["model", "gpt-realtime-2"]]));
    assert_eq!(header(&shakes[2], "x-attempt"), Some("2"));
    assert_eq!(header(&shakes[1], "x-attempt"), None);
    let records = websockets(&h);
    assert_eq!(records.len(), 3);
    assert_eq!(records[2]["events"].as_array().unwrap().len(), 1);
    assert_eq!(session.code(), OPENAI_PENDING);
}

#[test]
fn while_reconnecting_a_full_send_queue_is_a_clear_error() {
    let h = harness("{}");
    h.mock.script(json!({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": "drop"}}));
    // Each event is ~700 KB: the first fits the 1 MiB queue, the second does not.
    let r = Reconnects { send_inside: Some(700_000), ..Default::default() };
    let session = reconnecting_session(&h, r#"{"initial_delay":0}"#, &r);
    // The drop (1006) is recoverable; attempt 1 sends one event inside the callback.
    assert_eq!(session.next().unwrap().kind, "session.created");
    assert_eq!(session.next().unwrap().kind, "session.created");
    assert_eq!(*r.sent_inside.lock().unwrap(), [OPENAI_OK]);
    assert_eq!(r.seen.lock().unwrap()[0].3, 1006);
    // A second queue filled during one reconnection: the bound is 1 MiB.
    let h2 = harness("{}");
    h2.mock.script(json!({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": "close", "code": 1012}}));
    let big = Reconnects { send_inside: Some(600_000), ..Default::default() };
    let o = options(r#"{"initial_delay":2}"#);
    unsafe { openai_realtime_options_set_reconnect(o, Some(on_reconnect), &big as *const Reconnects as *mut c_void) };
    let session = Session::with_options(&h2, r#"{"model":"gpt-realtime"}"#, o);
    unsafe { openai_realtime_options_free(o) };
    assert_eq!(session.next().unwrap().kind, "session.created");
    eventually("the callback sent its event", || !big.sent_inside.lock().unwrap().is_empty());
    assert_eq!(*big.sent_inside.lock().unwrap(), [OPENAI_OK]);
    // From this thread, during the 2 s wait: 600 KB are queued already, 600 more do not fit.
    let event = json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
        "content": [{"type": "input_text", "text": "y".repeat(600_000)}]}});
    assert_eq!(session.send(&event.to_string()), OPENAI_QUEUE_FULL);
    assert!(text(openai::ffi::error::openai_last_error()).unwrap().contains("reconnecting"));
    assert_eq!(session.next().unwrap().kind, "session.created");
    session.until("conversation.item.created");
}

#[test]
fn without_a_reconnection_callback_a_recoverable_close_ends_the_session() {
    let h = harness("{}");
    h.mock.script(json!({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": "close", "code": 1012}}));
    let session = Session::connect(&h, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message()));
    assert_eq!(session.end(), OPENAI_CONNECTION);
    assert_eq!(session.close_code(), 1012);
    assert_eq!(handshakes(&h).len(), 1);
}

#[test]
fn reconnection_stops_when_the_retries_run_out_or_the_callback_aborts() {
    let h = harness("{}");
    h.mock.script(json!({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 0, "action": "close", "code": 1013}, "times": 10}));
    let r = Reconnects::default();
    let session = reconnecting_session(&h, r#"{"max_retries":2,"initial_delay":0.01}"#, &r);
    assert_eq!(session.end(), OPENAI_CONNECTION);
    assert_eq!(r.seen.lock().unwrap().iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(), [(1, 2), (2, 2)]);
    assert_eq!(session.message().as_deref(), Some("the server closed the session with code 1013; 2 reconnection attempts failed"));
    assert_eq!(handshakes(&h).len(), 3);

    let h = harness("{}");
    h.mock.script(json!({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": "close", "code": 1013}}));
    let r = Reconnects { abort_at: Some(1), ..Default::default() };
    let session = reconnecting_session(&h, r#"{"initial_delay":0.01}"#, &r);
    assert_eq!(session.end(), OPENAI_CONNECTION);
    assert!(session.message().unwrap().ends_with("reconnection aborted by the callback"));
    assert_eq!(r.seen.lock().unwrap().len(), 1);
    // A close that is not recoverable is not retried, callback or not.
    let h = harness("{}");
    h.mock.script(json!({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": "close", "code": 4000}}));
    let r = Reconnects::default();
    let session = reconnecting_session(&h, r#"{"initial_delay":0.01}"#, &r);
    assert_eq!(session.end(), OPENAI_CONNECTION);
    assert_eq!(session.close_code(), 4000);
    assert!(r.seen.lock().unwrap().is_empty());
}

#[test]
fn the_responses_api_runs_over_the_same_session_machinery() {
    let h = harness("{}");
    let mut session = null_mut();
    assert_eq!(unsafe { openai_responses_connect(h.client, std::ptr::null(), &mut session) }, OPENAI_OK);
    let session = Session(session);
    assert_eq!(session.send(r#"{"type":"response.create","model":"gpt-4o-mini","input":"Hello"}"#), OPENAI_OK);
    let events = session.until("response.completed");
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds[..4], ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
    let text: String = events.iter().filter(|e| e.kind == "response.output_text.delta").map(|e| e.json["delta"].as_str().unwrap()).collect();
    assert_eq!(text, openai_mock::REPLY);
    let sequence: Vec<u64> = events.iter().map(|e| e.json["sequence_number"].as_u64().unwrap()).collect();
    assert_eq!(sequence, (0..events.len() as u64).collect::<Vec<_>>());
    assert_eq!(events.last().unwrap().json["response"]["model"], "gpt-4o-mini");
    let shake = handshakes(&h).pop().unwrap();
    assert_eq!((shake["path"].as_str(), shake["query"].is_null()), (Some("/v1/responses"), true));
}

#[test]
fn an_ephemeral_client_secret_replaces_the_api_key() {
    let h = harness("{}");
    let o = options(r#"{"client_secret":"ek_test_4242"}"#);
    let session = Session::with_options(&h, r#"{"model":"gpt-realtime"}"#, o);
    unsafe { openai_realtime_options_free(o) };
    assert_eq!(session.next().unwrap().kind, "session.created");
    let shake = handshakes(&h).pop().unwrap();
    assert_eq!(header(&shake, "authorization"), Some("Bearer ek_test_4242"));
    assert!(!shake.to_string().contains(KEY));
    // A device with nothing but the secret: a client whose key is the secret.
    let device = harness(r#"{"api_key":"ek_device_1"}"#);
    let session = Session::connect(&device, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message()));
    assert_eq!(session.next().unwrap().kind, "session.created");
    assert_eq!(header(&handshakes(&device).pop().unwrap(), "authorization"), Some("Bearer ek_device_1"));
}

#[test]
fn the_descriptor_is_readable_while_an_event_waits() {
    let h = harness("{}");
    let session = Session::connect(&h, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message()));
    let fd = unsafe { openai_realtime_fd(session.0) };
    assert!(fd >= 0);
    let readable = |ms: i32| {
        let mut pfd = libc_pollfd { fd, events: 1, revents: 0 };
        unsafe { poll(&mut pfd, 1, ms) == 1 }
    };
    assert!(readable(5000), "session.created makes it readable");
    let mut event = null_mut();
    assert_eq!(unsafe { openai_realtime_try_next(session.0, &mut event) }, OPENAI_OK);
    assert_eq!(read_event(event).kind, "session.created");
    unsafe { openai_event_free(event) };
    assert!(!readable(0));
    assert_eq!(unsafe { openai_realtime_try_next(session.0, &mut event) }, OPENAI_PENDING);
    unsafe { openai_realtime_cancel(session.0) };
    assert!(readable(5000), "the end makes it readable");
    assert_eq!(unsafe { openai_realtime_try_next(session.0, &mut event) }, OPENAI_CANCELLED);
}

#[repr(C)]
struct libc_pollfd {
    fd: c_int,
    events: i16,
    revents: i16,
}

extern "C" {
    fn poll(fds: *mut libc_pollfd, nfds: u64, timeout: c_int) -> c_int;
}

#[test]
fn cancel_from_another_thread_ends_a_waiting_next() {
    let h = harness("{}");
    let session = Arc::new(Session::connect(&h, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message())));
    assert_eq!(session.next().unwrap().kind, "session.created");
    let canceller = {
        let session = session.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            unsafe { openai_realtime_cancel(session.0) };
        })
    };
    let mut event = null_mut();
    assert_eq!(unsafe { openai_realtime_next(session.0, -1, &mut event) }, OPENAI_CANCELLED);
    canceller.join().unwrap();
    assert_eq!(session.message().as_deref(), Some("the session was cancelled"));
    eventually("the mock saw the connection dropped", || websockets(&h)[0]["ended"] == "client_dropped");
}

/// The state of a callback session.
struct Pushed {
    events: Mutex<Vec<String>>,
    ended: Mutex<Option<openai_code>>,
    /// Free the session inside the callback after this many events.
    free_after: Option<usize>,
    /// Another session to free from inside this one's callback.
    other: AtomicUsize,
    /// Held inside the callback until released (to free from another thread meanwhile).
    hold: Mutex<()>,
    entered: AtomicUsize,
    /// The code of the send made inside the callback, plus one (0: none yet).
    sent: AtomicUsize,
}

impl Pushed {
    fn new(free_after: Option<usize>) -> Pushed {
        Pushed { events: Mutex::default(), ended: Mutex::default(), free_after, other: AtomicUsize::new(0), hold: Mutex::new(()), entered: AtomicUsize::new(0), sent: AtomicUsize::new(0) }
    }
}

unsafe extern "C" fn on_event(session: *mut openai_realtime, event: *const openai_event, userdata: *mut c_void) -> bool {
    let p = &*(userdata as *const Pushed);
    p.entered.fetch_add(1, Ordering::SeqCst);
    // Never a panic here: it would abort the process (a C callback cannot unwind).
    let _held = p.hold.lock().unwrap_or_else(|e| e.into_inner());
    if event.is_null() {
        *p.ended.lock().unwrap_or_else(|e| e.into_inner()) = Some(openai_realtime_code(session));
        return false;
    }
    let kind = read_event(event).kind;
    let count = {
        let mut events = p.events.lock().unwrap_or_else(|e| e.into_inner());
        events.push(kind.clone());
        events.len()
    };
    if kind == "session.created" {
        p.sent.store(openai_realtime_send(session, c(TEXT_TURN).as_ptr()) as usize + 1, Ordering::SeqCst);
    }
    let other = p.other.swap(0, Ordering::SeqCst);
    if other != 0 {
        openai_realtime_free(other as *mut openai_realtime);
    }
    if p.free_after == Some(count) {
        openai_realtime_free(session);
    }
    true
}

fn pushed_session(h: &Harness, p: &Pushed) -> *mut openai_realtime {
    let o = options("{}");
    unsafe { openai_realtime_options_set_callback(o, Some(on_event), p as *const Pushed as *mut c_void) };
    let session = unsafe { openai_realtime_connect_async(h.client, c(r#"{"model":"gpt-realtime"}"#).as_ptr(), o) };
    unsafe { openai_realtime_options_free(o) };
    session
}

#[test]
fn a_callback_receives_every_event_in_order_then_the_end() {
    let h = harness("{}");
    let p = Pushed::new(None);
    let session = pushed_session(&h, &p);
    eventually("response.done", || p.events.lock().unwrap().last().is_some_and(|k| k == "response.done"));
    unsafe { openai_realtime_close(session, 0, std::ptr::null()) };
    eventually("the end", || p.ended.lock().unwrap().is_some());
    assert_eq!(*p.ended.lock().unwrap(), Some(OPENAI_OK));
    assert_eq!(p.sent.load(Ordering::SeqCst), OPENAI_OK as usize + 1, "a send inside the callback");
    let events = p.events.lock().unwrap().clone();
    assert_eq!(events[0], "session.created");
    assert_eq!(events.iter().filter(|k| *k == "response.output_text.delta").count(), 7);
    let mut event = null_mut();
    assert_eq!(unsafe { openai_realtime_next(session, 0, &mut event) }, OPENAI_INVALID_ARGUMENT);
    unsafe { openai_realtime_free(session) };
}

#[test]
fn a_session_freed_inside_its_own_callback_stops_calling_it() {
    let h = harness("{}");
    let p = Pushed::new(Some(3));
    let _session = pushed_session(&h, &p);
    eventually("three events", || p.events.lock().unwrap().len() >= 3);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(p.events.lock().unwrap().len(), 3);
    assert_eq!(*p.ended.lock().unwrap(), None, "no last call after free");
    eventually("the connection dropped", || websockets(&h)[0]["ended"] == "client_dropped");
}

#[test]
fn free_from_another_thread_waits_for_a_running_callback() {
    let h = harness("{}");
    let p = Pushed::new(None);
    let held = p.hold.lock().unwrap();
    let session = pushed_session(&h, &p) as usize;
    eventually("the callback entered", || p.entered.load(Ordering::SeqCst) == 1);
    let freeing = std::thread::spawn(move || {
        unsafe { openai_realtime_free(session as *mut openai_realtime) };
        Instant::now()
    });
    std::thread::sleep(Duration::from_millis(200));
    assert!(!freeing.is_finished(), "free waits for the callback");
    let released = Instant::now();
    drop(held);
    assert!(freeing.join().unwrap() >= released);
    let after = p.entered.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(p.entered.load(Ordering::SeqCst), after, "never called after free returned");
}

#[test]
fn two_callbacks_freeing_each_others_sessions_do_not_deadlock() {
    for _ in 0..10 {
        let h = harness("{}");
        let (a, b) = (Pushed::new(None), Pushed::new(None));
        let (ha, hb) = (a.hold.lock().unwrap(), b.hold.lock().unwrap());
        let sa = pushed_session(&h, &a);
        let sb = pushed_session(&h, &b);
        eventually("both callbacks entered", || a.entered.load(Ordering::SeqCst) == 1 && b.entered.load(Ordering::SeqCst) == 1);
        a.other.store(sb as usize, Ordering::SeqCst);
        b.other.store(sa as usize, Ordering::SeqCst);
        // Both callbacks go on at once, each freeing the other's session.
        drop((ha, hb));
        eventually("both freed each other", || a.other.load(Ordering::SeqCst) == 0 && b.other.load(Ordering::SeqCst) == 0);
        // Neither callback runs again once both frees returned.
        std::thread::sleep(Duration::from_millis(50));
        let (ea, eb) = (a.entered.load(Ordering::SeqCst), b.entered.load(Ordering::SeqCst));
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!((a.entered.load(Ordering::SeqCst), b.entered.load(Ordering::SeqCst)), (ea, eb));
    }
}

#[test]
fn wss_uses_the_ca_bundle_and_goes_through_a_connect_proxy() {
    let mock = MockServer::start();
    let pki = common::tls::pki();
    let port = common::tls::front(mock.addr(), &pki, common::tls::Front::Tls);
    let base_url = format!("https://127.0.0.1:{port}/v1");
    // Without the CA bundle the server's certificate is refused.
    let client = new_client(&format!(r#"{{"api_key":"{KEY}","base_url":"{base_url}","max_retries":0}}"#)).unwrap();
    let (code, session) = Session::connect_with(client, r#"{"model":"gpt-realtime"}"#).err().expect("refused");
    assert_eq!(code, OPENAI_CONNECTION);
    assert!(session.message().unwrap().contains("certificate"), "{:?}", session.message());
    drop(session);
    unsafe { openai_client_free(client) };
    assert!(mock.requests().is_empty());

    // With it, and a proxy: a CONNECT tunnel, TLS inside it, then the upgrade.
    let dir = std::env::temp_dir().join(format!("openai-wss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("ca.pem");
    std::fs::write(&bundle, &pki.ca_pem).unwrap();
    let proxy = common::proxy::Proxy::start();
    let client = new_client(&format!(
        r#"{{"api_key":"{KEY}","base_url":"{base_url}","max_retries":0,"ca_bundle":"{}","proxy":"{}"}}"#,
        bundle.display(),
        proxy.url()
    ))
    .unwrap();
    let session = Session::connect_with(client, r#"{"model":"gpt-realtime"}"#).unwrap_or_else(|(c, s)| panic!("{c:?} {:?}", s.message()));
    assert_eq!(session.next().unwrap().kind, "session.created");
    assert_eq!(session.send(TEXT_TURN), OPENAI_OK);
    session.until("response.done");
    assert_eq!(proxy.requests(), [format!("CONNECT 127.0.0.1:{port} HTTP/1.1")]);
    let shake = mock.requests().pop().unwrap();
    assert_eq!((shake["path"].as_str(), header(&shake, "upgrade")), (Some("/v1/realtime"), Some("websocket")));
    drop(session);
    unsafe { openai_client_free(client) };
    std::fs::remove_dir_all(dir).unwrap();
}
