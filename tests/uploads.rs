//! Multipart operations, from a path and from memory, and binary responses, through the C ABI:
//! the exact parts the mock server parsed (name, filename, content type, length, sha256, value),
//! progress, retries that re-send the file, and speech and file content byte for byte.

mod common;

use std::ffi::c_void;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use common::*;
use openai::ffi::error::openai_last_error;
use openai::ffi::future::*;
use openai::ffi::operations_gen::*;
use openai::ffi::upload::*;
use serde_json::{json, Value};

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// A temporary file with `data`, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, data: &[u8]) -> TempFile {
        let dir = std::env::temp_dir().join(format!("openai-uploads-{}-{}", std::process::id(), fastrand_suffix()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::File::create(&path).unwrap().write_all(data).unwrap();
        TempFile(path)
    }
    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
    }
}

fn fastrand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn from_path(path: &str, filename: Option<&str>, content_type: Option<&str>) -> *mut openai_upload {
    let (f, t) = (filename.map(c), content_type.map(c));
    let upload = unsafe {
        openai_upload_from_path(c(path).as_ptr(), f.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()), t.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()))
    };
    assert!(!upload.is_null(), "{:?}", text(openai_last_error()));
    upload
}

fn from_memory(data: &[u8], filename: &str, content_type: Option<&str>) -> *mut openai_upload {
    let t = content_type.map(c);
    let upload = unsafe {
        openai_upload_from_memory(data.as_ptr() as *const c_void, data.len(), c(filename).as_ptr(), t.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()))
    };
    assert!(!upload.is_null());
    upload
}

/// Waits for `future` (at most 10 s), takes its response and frees it.
fn finish(future: *mut openai_future) -> Reply {
    assert_eq!(unsafe { openai_future_wait(future, 10_000) }, OPENAI_OK);
    let mut response = std::ptr::null_mut();
    let code = unsafe { openai_future_take(future, &mut response) };
    unsafe { openai_future_free(future) };
    reply(code, response)
}

/// A logged part: (name, filename, content_type, len, sha256 for a file or the value).
type Part = (String, Option<String>, Option<String>, u64, String);

/// The parts of a logged request.
fn parts(request: &Value) -> Vec<Part> {
    request["parts"]
        .as_array()
        .unwrap_or_else(|| panic!("no parts: {request:#}"))
        .iter()
        .map(|p| {
            let detail = if p["filename"].is_null() { p["value"].as_str().unwrap().to_string() } else { p["sha256"].as_str().unwrap().to_string() };
            (
                p["name"].as_str().unwrap().to_string(),
                p["filename"].as_str().map(String::from),
                p["content_type"].as_str().map(String::from),
                p["len"].as_u64().unwrap(),
                detail,
            )
        })
        .collect()
}

fn text_part(name: &str, value: &str) -> Part {
    (name.into(), None, None, value.len() as u64, value.into())
}

fn file_part(name: &str, filename: &str, content_type: &str, data: &[u8]) -> Part {
    (name.into(), Some(filename.into()), Some(content_type.into()), data.len() as u64, sha256_hex(data))
}

/// Asserts the request line and headers of a multipart request.
fn assert_multipart_request(request: &Value, path: &str) {
    assert_eq!(request["method"], "POST");
    assert_eq!(request["path"], path);
    assert_eq!(request["query"], Value::Null);
    let content_type = header(request, "content-type").unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    assert_eq!(header(request, "accept"), Some("application/json"));
    assert_eq!(header(request, "authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(header(request, "content-length").unwrap().parse::<u64>().unwrap(), request["body_len"].as_u64().unwrap());
    assert_eq!(header(request, "transfer-encoding"), None, "a known length, not chunked");
}

const AUDIO: &[u8] = b"ID3\x04\x00\x00\x00\x00\x00\x00fake mp3 frames \x00\xff\xfe";

#[test]
fn files_upload_from_a_path() {
    let h = Harness::new();
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let file = TempFile::new("train.jsonl", &data);
    let upload = from_path(&file.path(), None, None);
    let r = call(|out| unsafe { openai_files_upload(h.client, c(r#"{"purpose":"fine-tune"}"#).as_ptr(), upload, out) });
    unsafe { openai_upload_free(upload) };
    assert_eq!(r.code, OPENAI_OK, "{r:?}");
    assert_eq!(r.json()["filename"], "train.jsonl");
    assert_eq!(r.json()["bytes"], 200_000);
    let request = h.only_request();
    assert_multipart_request(&request, "/v1/files");
    assert_eq!(parts(&request), [text_part("purpose", "fine-tune"), file_part("file", "train.jsonl", "application/octet-stream", &data)]);
}

#[test]
fn images_edit_with_an_image_and_a_mask_from_memory() {
    let h = Harness::new();
    let (image, mask) = (b"\x89PNG\r\n\x1a\nimage".to_vec(), b"\x89PNG\r\n\x1a\nmask".to_vec());
    let image_upload = from_memory(&image, "otter.png", None);
    let mask_upload = from_memory(&mask, "mask.png", Some("image/png"));
    let fields = r#"{"prompt":"A cute baby sea otter wearing a beret","n":2,"size":"1024x1024","response_format":"url","user":"u-1"}"#;
    let r = call(|out| unsafe { openai_images_edit(h.client, c(fields).as_ptr(), image_upload, mask_upload, out) });
    unsafe {
        openai_upload_free(image_upload);
        openai_upload_free(mask_upload);
    }
    assert_eq!(r.code, OPENAI_OK, "{r:?}");
    let request = h.only_request();
    assert_multipart_request(&request, "/v1/images/edits");
    assert_eq!(
        parts(&request),
        [
            text_part("prompt", "A cute baby sea otter wearing a beret"),
            text_part("n", "2"),
            text_part("size", "1024x1024"),
            text_part("response_format", "url"),
            text_part("user", "u-1"),
            file_part("image", "otter.png", "image/png", &image),
            file_part("mask", "mask.png", "image/png", &mask),
        ]
    );
}

#[test]
fn images_edit_without_a_mask_and_create_variation() {
    let h = Harness::new();
    let image = b"\x89PNG\r\n\x1a\nimage".to_vec();
    let upload = from_memory(&image, "otter.png", None);
    let r = call(|out| unsafe { openai_images_edit(h.client, c(r#"{"prompt":"x"}"#).as_ptr(), upload, std::ptr::null(), out) });
    assert_eq!(r.code, OPENAI_OK);
    assert_eq!(parts(&h.only_request()), [text_part("prompt", "x"), file_part("image", "otter.png", "image/png", &image)]);

    let r = call(|out| unsafe { openai_images_create_variation(h.client, c(r#"{"n":1,"size":"256x256"}"#).as_ptr(), upload, out) });
    assert_eq!(r.code, OPENAI_OK);
    let request = h.only_request();
    assert_multipart_request(&request, "/v1/images/variations");
    assert_eq!(parts(&request), [text_part("n", "1"), text_part("size", "256x256"), file_part("image", "otter.png", "image/png", &image)]);
    unsafe { openai_upload_free(upload) };
}

#[test]
fn audio_transcriptions_and_translations() {
    let h = Harness::new();
    let file = TempFile::new("speech.mp3", AUDIO);
    let upload = from_path(&file.path(), Some("meeting.mp3"), None);
    let fields = r#"{"model":"whisper-1","language":"en","prompt":"Names: Ada","response_format":"json","temperature":0.2,"timestamp_granularities":["word","segment"]}"#;
    let r = call(|out| unsafe { openai_audio_transcriptions_create(h.client, c(fields).as_ptr(), upload, out) });
    assert_eq!(r.code, OPENAI_OK);
    assert!(r.json()["text"].is_string());
    let request = h.only_request();
    assert_multipart_request(&request, "/v1/audio/transcriptions");
    assert_eq!(
        parts(&request),
        [
            text_part("model", "whisper-1"),
            text_part("language", "en"),
            text_part("prompt", "Names: Ada"),
            text_part("response_format", "json"),
            text_part("temperature", "0.2"),
            text_part("timestamp_granularities[]", "word"),
            text_part("timestamp_granularities[]", "segment"),
            file_part("file", "meeting.mp3", "audio/mpeg", AUDIO),
        ]
    );

    // Text formats come back as text.
    let r = call(|out| unsafe { openai_audio_translations_create(h.client, c(r#"{"model":"whisper-1","response_format":"srt"}"#).as_ptr(), upload, out) });
    assert_eq!(r.code, OPENAI_OK);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert!(r.body_text().starts_with("1\n00:00:00,000 --> "), "{}", r.body_text());
    let request = h.only_request();
    assert_multipart_request(&request, "/v1/audio/translations");
    assert_eq!(parts(&request), [text_part("model", "whisper-1"), text_part("response_format", "srt"), file_part("file", "meeting.mp3", "audio/mpeg", AUDIO)]);
    unsafe { openai_upload_free(upload) };
}

#[test]
fn an_async_upload_sends_the_same_parts() {
    let h = Harness::new();
    let upload = from_memory(AUDIO, "a.mp3", None);
    let future = unsafe { openai_audio_transcriptions_create_async(h.client, c(r#"{"model":"whisper-1"}"#).as_ptr(), upload, None, std::ptr::null_mut()) };
    unsafe { openai_upload_free(upload) }; // the call keeps what it needs
    assert_eq!(finish(future).code, OPENAI_OK);
    assert_eq!(parts(&h.only_request()), [text_part("model", "whisper-1"), file_part("file", "a.mp3", "audio/mpeg", AUDIO)]);
}

#[test]
fn a_retry_sends_the_file_again_and_progress_is_heard() {
    let h = Harness::with_options(r#"{"max_retries":1}"#);
    let data = vec![7u8; 300_000];
    let file = TempFile::new("big.bin", &data);
    let upload = from_path(&file.path(), None, None);
    static HEARD: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());
    unsafe extern "C" fn progress(done: u64, total: u64, userdata: *mut c_void) {
        assert_eq!(userdata as usize, 42);
        HEARD.lock().unwrap().push((done, total));
    }
    assert_eq!(unsafe { openai_upload_set_progress(upload, Some(progress), 42 as *mut c_void) }, OPENAI_OK);
    h.mock.script(json!({"match": {"path": "/v1/files"}, "status": 503, "headers": {"retry-after-ms": "1"}, "body": "busy"}));
    let r = call(|out| unsafe { openai_files_upload(h.client, c(r#"{"purpose":"assistants"}"#).as_ptr(), upload, out) });
    assert_eq!((r.code, r.retries), (OPENAI_OK, 1));
    let requests = h.take_requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(parts(request)[1], file_part("file", "big.bin", "application/octet-stream", &data));
    }
    let heard = HEARD.lock().unwrap().clone();
    assert_eq!(heard.iter().filter(|(done, _)| *done == 300_000).count(), 2, "each attempt reports to the end");
    assert!(heard.iter().all(|(_, total)| *total == 300_000));
    assert!(heard.windows(2).all(|w| w[1].0 > w[0].0 || w[1].0 == 65_536), "counts grow, and restart with the retry");
    unsafe { openai_upload_free(upload) };
}

#[test]
fn missing_files_are_invalid_arguments_before_anything_is_sent() {
    let h = Harness::new();
    let upload = unsafe { openai_upload_from_path(c("/nonexistent/x.mp3").as_ptr(), std::ptr::null(), std::ptr::null()) };
    assert!(upload.is_null());
    assert!(text(openai_last_error()).unwrap().starts_with("file \"/nonexistent/x.mp3\" cannot be read"));

    // A file removed after its upload was made: found when the call opens it, before sending.
    let file = TempFile::new("gone.mp3", AUDIO);
    let upload = from_path(&file.path(), None, None);
    std::fs::remove_file(&file.0).unwrap();
    let r = call(|out| unsafe { openai_audio_translations_create(h.client, c(r#"{"model":"whisper-1"}"#).as_ptr(), upload, out) });
    assert_eq!(r.code, OPENAI_INVALID_ARGUMENT);
    assert!(r.message.as_deref().unwrap().contains("gone.mp3\" cannot be read"), "{r:?}");
    unsafe { openai_upload_free(upload) };

    // A required file that is NULL; fields that are not an object.
    let r = call(|out| unsafe { openai_files_upload(h.client, c("{}").as_ptr(), std::ptr::null(), out) });
    assert_eq!((r.code, r.message.as_deref()), (OPENAI_INVALID_ARGUMENT, Some("file is NULL")));
    let upload = from_memory(b"x", "x.txt", None);
    let r = call(|out| unsafe { openai_files_upload(h.client, c("[\"purpose\"]").as_ptr(), upload, out) });
    assert_eq!((r.code, r.message.as_deref()), (OPENAI_INVALID_ARGUMENT, Some("fields_json must be a JSON object")));
    unsafe { openai_upload_free(upload) };
    assert!(unsafe { openai_upload_from_memory(std::ptr::null(), 3, std::ptr::null(), std::ptr::null()) }.is_null());
    assert!(h.take_requests().is_empty());
}

#[test]
fn speech_and_file_content_come_back_byte_for_byte() {
    let h = Harness::new();
    let r = call(|out| unsafe { openai_audio_speech_create(h.client, c(r#"{"model":"tts-1","input":"Hi","voice":"alloy","mock_bytes":100000}"#).as_ptr(), out) });
    assert_eq!(r.code, OPENAI_OK);
    assert_eq!(r.header("content-type"), Some("audio/mpeg"));
    assert_eq!(r.body, openai_mock::speech_bytes(100_000));

    let r = call(|out| unsafe { openai_files_retrieve_content(h.client, c("file-xyz").as_ptr(), out) });
    assert_eq!(r.code, OPENAI_OK);
    assert_eq!(r.body, openai_mock::file_content_bytes("file-xyz", None));
}

#[test]
fn downloads_stream_to_a_file_with_progress() {
    let h = Harness::new();
    let dir = TempFile::new("placeholder", b"");
    let target = dir.0.with_file_name("speech.mp3");
    static HEARD: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());
    unsafe extern "C" fn progress(done: u64, total: u64, _: *mut c_void) {
        HEARD.lock().unwrap().push((done, total));
    }
    let body = c(r#"{"model":"tts-1","input":"Hi","voice":"alloy","mock_bytes":3000000}"#);
    let path = c(&target.display().to_string());
    let r = call(|out| unsafe { openai_audio_speech_create_to_file(h.client, body.as_ptr(), path.as_ptr(), Some(progress), std::ptr::null_mut(), out) });
    assert_eq!((r.code, r.status), (OPENAI_OK, 200));
    assert!(r.body.is_empty());
    assert_eq!(std::fs::read(&target).unwrap(), openai_mock::speech_bytes(3_000_000));
    assert!(!dir.0.with_file_name("speech.mp3.part").exists());
    let heard = HEARD.lock().unwrap().clone();
    assert_eq!(heard.last(), Some(&(3_000_000, 3_000_000)));

    // An error status: the error body in the response, the file untouched.
    std::fs::write(&target, b"old").unwrap();
    h.mock.script(json!({"status": 400, "body_json": {"error": {"message": "voice is invalid"}}}));
    let r = call(|out| unsafe { openai_audio_speech_create_to_file(h.client, body.as_ptr(), path.as_ptr(), None, std::ptr::null_mut(), out) });
    assert_eq!(r.code, OPENAI_BAD_REQUEST);
    assert_eq!(r.message.as_deref(), Some("Error code: 400 - voice is invalid"));
    assert_eq!(std::fs::read(&target).unwrap(), b"old");

    // File content to a file.
    let content = dir.0.with_file_name("content.jsonl");
    let path = c(&content.display().to_string());
    let r = call(|out| unsafe { openai_files_retrieve_content_to_file(h.client, c("file-xyz").as_ptr(), path.as_ptr(), None, std::ptr::null_mut(), out) });
    assert_eq!(r.code, OPENAI_OK);
    assert_eq!(std::fs::read(&content).unwrap(), openai_mock::file_content_bytes("file-xyz", None));

    // A path that cannot be written: refused before anything is sent.
    h.take_requests();
    let r = call(|out| unsafe {
        openai_files_retrieve_content_to_file(h.client, c("file-xyz").as_ptr(), c("/nonexistent/dir/x").as_ptr(), None, std::ptr::null_mut(), out)
    });
    assert_eq!(r.code, OPENAI_INVALID_ARGUMENT);
    assert!(r.message.as_deref().unwrap().contains("cannot be written"));
    assert!(h.take_requests().is_empty());
}

#[test]
fn async_downloads_complete_through_a_future_and_leave_nothing_behind_when_cancelled() {
    let h = Harness::new();
    let dir = TempFile::new("placeholder", b"");
    let target = dir.0.with_file_name("speech-async.mp3");
    // The partial file: `.speech-async.mp3.<random>.part` beside the target.
    let parent = target.parent().unwrap().to_path_buf();
    let partials = move || -> Vec<PathBuf> {
        std::fs::read_dir(&parent)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with(".speech-async.mp3.") && name.ends_with(".part")
            })
            .collect()
    };
    static HEARD: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());
    unsafe extern "C" fn progress(done: u64, total: u64, userdata: *mut c_void) {
        assert_eq!(userdata as usize, 7);
        HEARD.lock().unwrap().push((done, total));
    }
    let body = c(r#"{"model":"tts-1","input":"Hi","voice":"alloy","mock_bytes":2000000}"#);
    let path = c(&target.display().to_string());

    // The whole body lands in the file; the response carries status and headers.
    let future = unsafe {
        openai_audio_speech_create_to_file_async(h.client, body.as_ptr(), path.as_ptr(), Some(progress), 7 as *mut c_void, None, std::ptr::null_mut())
    };
    let r = finish(future);
    assert_eq!((r.code, r.status), (OPENAI_OK, 200));
    assert_eq!(r.header("content-type"), Some("audio/mpeg"));
    assert!(r.body.is_empty());
    assert_eq!(std::fs::read(&target).unwrap(), openai_mock::speech_bytes(2_000_000));
    assert!(partials().is_empty());
    assert_eq!(HEARD.lock().unwrap().last(), Some(&(2_000_000, 2_000_000)));
    let request = h.only_request();
    assert_eq!((request["method"].as_str(), request["path"].as_str()), (Some("POST"), Some("/v1/audio/speech")));
    assert_eq!(header(&request, "accept"), Some("application/octet-stream"));

    // Cancelled while the server holds its answer: the partial file (made before sending, to
    // check the path) is removed and the earlier file is untouched.
    h.mock.script(json!({"match": {"path": "/v1/audio/speech"}, "delay_ms": 10000, "body": "late"}));
    let before = h.mock.requests().len();
    let future = unsafe {
        openai_audio_speech_create_to_file_async(h.client, body.as_ptr(), path.as_ptr(), None, std::ptr::null_mut(), None, std::ptr::null_mut())
    };
    for _ in 0..500 {
        if h.mock.requests().len() > before {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(h.mock.requests().len(), before + 1, "the request reached the server");
    assert_eq!(partials().len(), 1);
    unsafe { openai_future_cancel(future) };
    let r = finish(future);
    assert_eq!(r.code, OPENAI_CANCELLED);
    assert!(partials().is_empty(), "removed when the cancel returned");
    assert_eq!(std::fs::read(&target).unwrap(), openai_mock::speech_bytes(2_000_000));
    // The server sees the connection closed (it notices within its delay's polling).
    let closed = |log: &[Value]| log.last().is_some_and(|r| r["client_closed_early"] == true);
    let log = (0..200)
        .map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            h.mock.requests()
        })
        .find(|log| closed(log))
        .unwrap_or_else(|| h.mock.requests());
    assert!(closed(&log), "the connection was dropped: {log:?}");
    h.take_requests();

    // File content, with a callback.
    let content = dir.0.with_file_name("content-async.jsonl");
    let content_path = c(&content.display().to_string());
    static CALLED: Mutex<Vec<(openai_code, u16)>> = Mutex::new(Vec::new());
    unsafe extern "C" fn done(response: *mut openai_response, userdata: *mut c_void) {
        assert_eq!(userdata as usize, 9);
        CALLED.lock().unwrap().push((openai_response_code(response), openai_response_status(response)));
        openai_response_free(response);
    }
    let future = unsafe {
        openai_files_retrieve_content_to_file_async(h.client, c("file-xyz").as_ptr(), content_path.as_ptr(), None, std::ptr::null_mut(), Some(done), 9 as *mut c_void)
    };
    assert_eq!(unsafe { openai_future_wait(future, 10_000) }, OPENAI_OK);
    unsafe { openai_future_free(future) };
    assert_eq!(*CALLED.lock().unwrap(), [(OPENAI_OK, 200)]);
    assert_eq!(std::fs::read(&content).unwrap(), openai_mock::file_content_bytes("file-xyz", None));
    let request = h.only_request();
    assert_eq!(request["path"].as_str(), Some("/v1/files/file-xyz/content"));
    let _ = std::fs::remove_file(&target);
    let _ = std::fs::remove_file(&content);

    // A path that cannot be written completes the future at once; nothing is sent.
    let future = unsafe {
        openai_files_retrieve_content_to_file_async(h.client, c("file-xyz").as_ptr(), c("/nonexistent/dir/x").as_ptr(), None, std::ptr::null_mut(), None, std::ptr::null_mut())
    };
    let r = finish(future);
    assert_eq!(r.code, OPENAI_INVALID_ARGUMENT);
    assert!(r.message.as_deref().unwrap().contains("cannot be written"));
    // A NULL path too.
    let r = finish(unsafe {
        openai_files_retrieve_content_to_file_async(h.client, c("file-xyz").as_ptr(), std::ptr::null(), None, std::ptr::null_mut(), None, std::ptr::null_mut())
    });
    assert_eq!(r.code, OPENAI_INVALID_ARGUMENT);
    assert!(h.take_requests().is_empty());
}
