//! A large file through the Uploads API, as the official SDK's `uploads.upload_file_chunked`:
//! `uploads.create` with the file's size, name, type and purpose; its parts (at most the API's
//! 64 MiB each) sent several at a time, each streamed from its range of the file (never read
//! whole into memory); then `uploads.complete` with the part ids in the file's order.
//!
//! Each part is a request like any other: a part that fails is retried by the client's retry
//! rules (`max_retries`; connection errors, timeouts, 408, 409, 429, >= 500), re-reading its
//! range from disk. When a part fails for good, or the call is cancelled, the parts still in
//! flight are dropped with their connections and the Upload object is cancelled
//! (`uploads.cancel`), so that nothing is left pending on the server.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::client::Client;
use crate::log::Level;
use crate::operations::find;
use crate::request::{invalid, Files, Inputs, InvalidArgument, Request};
use crate::response::{Outcome, Response};
use crate::upload::{Progress, Upload};

/// The most a part may hold: the Uploads API's limit (64 MiB, the SDK's default part size).
pub const MAX_PART_SIZE: u64 = 64 << 20;
/// Parts sent at the same time, unless the caller says otherwise.
pub const DEFAULT_PARALLEL: usize = 4;
/// The most parts sent at the same time.
pub const MAX_PARALLEL: usize = 16;

/// What a chunked upload sends, checked before anything is sent.
#[derive(Clone, Debug)]
pub struct ChunkedUpload {
    path: PathBuf,
    /// The body of `uploads.create`: the caller's, with `bytes` and `filename` filled in.
    create: String,
    size: u64,
    part_size: u64,
    parallel: usize,
    /// Sent with `uploads.complete`, when given.
    md5: Option<String>,
}

impl ChunkedUpload {
    /// The upload of the file at `path`.
    ///
    /// `create_json` is the body of `uploads.create`: `purpose` and `mime_type` are required (as
    /// in the SDK); `filename` defaults to the path's last component and `bytes` to the file's
    /// size (a different `bytes` is refused); anything else (`expires_after`) is sent as given.
    /// `options_json` (or `None`): `part_size` (bytes, 1 to 64 MiB, default 64 MiB), `parallel`
    /// (parts in flight, 1 to 16, default 4), `md5` (a checksum of the whole file for
    /// `uploads.complete` to verify).
    pub fn new(path: &Path, create_json: &str, options_json: Option<&str>) -> Result<ChunkedUpload, InvalidArgument> {
        let shown = path.display();
        let metadata = std::fs::metadata(path).or_else(|e| invalid(format!("file \"{shown}\" cannot be read: {e}")))?;
        if !metadata.is_file() {
            return invalid(format!("\"{shown}\" is not a regular file"));
        }
        std::fs::File::open(path).or_else(|e| invalid(format!("file \"{shown}\" cannot be read: {e}")))?;
        let size = metadata.len();
        let mut create = match serde_json::from_str::<Value>(create_json) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return invalid("create_json must be a JSON object"),
            Err(e) => return invalid(format!("create_json is not valid JSON: {e}")),
        };
        for required in ["purpose", "mime_type"] {
            if !create.get(required).is_some_and(Value::is_string) {
                return invalid(format!("create_json needs \"{required}\" (a string), as uploads.create does"));
            }
        }
        match create.get("bytes") {
            None => {
                create.insert("bytes".into(), size.into());
            }
            Some(bytes) if bytes.as_u64() == Some(size) => {}
            Some(bytes) => return invalid(format!("create_json has \"bytes\": {bytes}, but \"{shown}\" holds {size} bytes")),
        }
        if !create.contains_key("filename") {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "upload".into());
            create.insert("filename".into(), name.into());
        }
        let options = parse_options(options_json)?;
        let part_size = match options.get("part_size") {
            None => MAX_PART_SIZE,
            Some(v) => match v.as_u64() {
                Some(n @ 1..=MAX_PART_SIZE) => n,
                _ => return invalid(format!("part_size must be a number of bytes from 1 to {MAX_PART_SIZE}, not {v}")),
            },
        };
        let parallel = match options.get("parallel") {
            None => DEFAULT_PARALLEL,
            Some(v) => match v.as_u64() {
                Some(n) if (1..=MAX_PARALLEL as u64).contains(&n) => n as usize,
                _ => return invalid(format!("parallel must be a number from 1 to {MAX_PARALLEL}, not {v}")),
            },
        };
        let md5 = match options.get("md5") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(v) => return invalid(format!("md5 must be a string, not {v}")),
        };
        Ok(ChunkedUpload { path: path.to_path_buf(), create: Value::Object(create).to_string(), size, part_size, parallel, md5 })
    }

    /// The file's size, as sent in `bytes`.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The parts: (offset, length) in the file's order.
    pub fn parts(&self) -> Vec<(u64, u64)> {
        (0..self.size.div_ceil(self.part_size))
            .map(|i| {
                let offset = i * self.part_size;
                (offset, self.part_size.min(self.size - offset))
            })
            .collect()
    }
}

fn parse_options(json: Option<&str>) -> Result<Map<String, Value>, InvalidArgument> {
    let options = match json.map(serde_json::from_str::<Value>) {
        None => return Ok(Map::new()),
        Some(Ok(Value::Object(map))) => map,
        Some(Ok(_)) => return invalid("options_json must be a JSON object"),
        Some(Err(e)) => return invalid(format!("options_json is not valid JSON: {e}")),
    };
    if let Some(unknown) = options.keys().find(|k| !["part_size", "parallel", "md5"].contains(&k.as_str())) {
        return invalid(format!("options_json has \"{unknown}\", which is not an option (part_size, parallel, md5)"));
    }
    Ok(options)
}

/// The bytes sent of each part, added up for the caller's progress callback, which hears one
/// report at a time (parts go out on several connections at once).
struct Tally {
    sent: Vec<u64>,
    total_sent: u64,
}

/// The Upload object while it is pending: cancelled on the server if the call ends without
/// completing it. A failure cancels it before the call returns; a cancelled call (whose work is
/// dropped at once) leaves the cancellation to a task of the library's runtime.
struct Pending {
    client: Client,
    id: String,
    armed: bool,
}

impl Pending {
    async fn cancel_now(mut self) {
        self.armed = false;
        cancel_upload(&self.client, &self.id).await;
    }

    fn completed(mut self) {
        self.armed = false;
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.armed {
            let (client, id) = (self.client.clone(), std::mem::take(&mut self.id));
            crate::runtime::handle().spawn(async move { cancel_upload(&client, &id).await });
        }
    }
}

async fn cancel_upload(client: &Client, id: &str) {
    let request = Request::for_operation(find("uploads.cancel").expect("in the table"), &[id], Inputs::default()).expect("an upload id is a valid parameter");
    let response = client.execute(&request).await;
    if response.outcome == Outcome::Ok {
        client.log(Level::Info, format_args!("upload {id} cancelled: it was not completed"));
    }
}

/// The string at `pointer` in a successful response's JSON body, or the response turned into
/// an invalid-response failure that says what was missing.
fn string_at(response: Response, pointer: &str, what: &str) -> Result<(String, Response), Response> {
    let found = serde_json::from_slice::<Value>(&response.body).ok().and_then(|v| v.pointer(pointer).and_then(Value::as_str).map(str::to_string));
    match found {
        Some(s) => Ok((s, response)),
        None => {
            let mut response = response;
            response.outcome = Outcome::InvalidResponse;
            response.message = Some(format!("the {what} response has no \"{}\" string", &pointer[1..]));
            Err(response)
        }
    }
}

impl Client {
    /// Uploads a file through the Uploads API (see the module's documentation) and returns the
    /// response of `uploads.complete` (the Upload object, its `file` ready to use), or the first
    /// failure. `progress` hears (bytes sent, file size) as parts go out; a part that is retried
    /// counts again from its start, so the figure may go back.
    pub async fn upload_file_chunked(&self, upload: &ChunkedUpload, progress: Option<Progress>) -> Response {
        let op = |name| find(name).expect("in the table");
        let create = match Request::for_operation(op("uploads.create"), &[], Inputs { body: Some(&upload.create), ..Inputs::default() }) {
            Ok(request) => request,
            Err(e) => return e.into(),
        };
        let created = self.execute(&create).await;
        if created.outcome != Outcome::Ok {
            return created;
        }
        let id = match string_at(created, "/id", "uploads.create") {
            Ok((id, _)) => id,
            Err(failure) => return failure,
        };
        // Cancelling the Upload must not be cancelled by the token that may have ended the call.
        let pending = Pending { client: self.with_cancel(CancellationToken::new()), id: id.clone(), armed: true };
        let parts = upload.parts();
        let tally = Arc::new(Mutex::new(Tally { sent: vec![0; parts.len()], total_sent: 0 }));
        let size = upload.size;
        let sends = parts.into_iter().enumerate().map(|(index, (offset, len))| {
            let part_progress: Option<Progress> = progress.clone().map(|progress| {
                let tally = tally.clone();
                Arc::new(move |done: u64, _: u64| {
                    let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
                    tally.total_sent = tally.total_sent - tally.sent[index] + done;
                    tally.sent[index] = done;
                    progress(tally.total_sent, size);
                }) as Progress
            });
            self.send_part(&id, &upload.path, offset, len, part_progress)
        });
        // In the file's order, `parallel` at a time; the first failure ends the upload and drops
        // the parts still in flight.
        let mut results = futures_util::stream::iter(sends).buffered(upload.parallel);
        let mut part_ids = Vec::new();
        while let Some(result) = results.next().await {
            match result {
                Ok(part_id) => part_ids.push(Value::String(part_id)),
                Err(failure) => {
                    drop(results);
                    if failure.outcome != Outcome::Cancelled {
                        pending.cancel_now().await;
                    }
                    return failure;
                }
            }
        }
        drop(results);
        let mut complete = Map::new();
        complete.insert("part_ids".into(), Value::Array(part_ids));
        if let Some(md5) = &upload.md5 {
            complete.insert("md5".into(), Value::String(md5.clone()));
        }
        let body = Value::Object(complete).to_string();
        let request = Request::for_operation(op("uploads.complete"), &[&id], Inputs { body: Some(&body), ..Inputs::default() })
            .expect("an upload id and a JSON object are valid inputs");
        let completed = self.execute(&request).await;
        match completed.outcome {
            Outcome::Ok => pending.completed(),
            Outcome::Cancelled => {}
            _ => pending.cancel_now().await,
        }
        completed
    }

    /// Sends one part and returns its id.
    async fn send_part(&self, upload_id: &str, path: &Path, offset: u64, len: u64, progress: Option<Progress>) -> Result<String, Response> {
        // Named and typed as the SDK sends a part's bytes.
        let data = Upload::from_path_range(path, offset, len, "upload", Some("application/octet-stream")).map_err(Response::from)?;
        data.set_progress(progress);
        let inputs = Inputs { files: vec![Files::One("data", Some(Arc::new(data)))], ..Inputs::default() };
        let request = Request::for_operation(find("uploads.parts.create").expect("in the table"), &[upload_id], inputs).map_err(Response::from)?;
        let response = self.execute(&request).await;
        if response.outcome != Outcome::Ok {
            return Err(response);
        }
        string_at(response, "/id", "uploads.parts.create").map(|(id, _)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(len: usize) -> (tempdir::Dir, PathBuf) {
        let dir = tempdir::Dir::new();
        let path = dir.0.join("data.jsonl");
        std::fs::write(&path, vec![b'x'; len]).unwrap();
        (dir, path)
    }

    mod tempdir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Dir {
                use std::sync::atomic::{AtomicU64, Ordering};
                static NEXT: AtomicU64 = AtomicU64::new(0);
                let path = std::env::temp_dir().join(format!("openai-chunked-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
                std::fs::create_dir_all(&path).unwrap();
                Dir(path)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    const CREATE: &str = r#"{"purpose":"fine-tune","mime_type":"text/jsonl"}"#;

    #[test]
    fn parts_cover_the_file_in_order() {
        let (_dir, path) = file(10);
        let upload = ChunkedUpload::new(&path, CREATE, Some(r#"{"part_size":4}"#)).unwrap();
        assert_eq!(upload.parts(), [(0, 4), (4, 4), (8, 2)]);
        let upload = ChunkedUpload::new(&path, CREATE, None).unwrap();
        assert_eq!(upload.parts(), [(0, 10)]);
        let (_dir, empty) = file(0);
        assert!(ChunkedUpload::new(&empty, CREATE, None).unwrap().parts().is_empty());
    }

    #[test]
    fn the_create_body_is_completed_from_the_file() {
        let (_dir, path) = file(10);
        let upload = ChunkedUpload::new(&path, r#"{"purpose":"batch","mime_type":"text/jsonl","expires_after":{"anchor":"created_at","seconds":3600}}"#, None).unwrap();
        let body: Value = serde_json::from_str(&upload.create).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"purpose":"batch","mime_type":"text/jsonl","expires_after":{"anchor":"created_at","seconds":3600},"bytes":10,"filename":"data.jsonl"})
        );
        let named = ChunkedUpload::new(&path, r#"{"purpose":"batch","mime_type":"text/jsonl","filename":"other.jsonl","bytes":10}"#, None).unwrap();
        assert!(named.create.contains(r#""filename":"other.jsonl""#));
    }

    #[test]
    fn bad_input_is_refused_clearly() {
        let (dir, path) = file(10);
        let refused = |create: &str, options: Option<&str>| ChunkedUpload::new(&path, create, options).unwrap_err().0;
        assert_eq!(refused(r#"{"mime_type":"text/jsonl"}"#, None), r#"create_json needs "purpose" (a string), as uploads.create does"#);
        assert!(refused(r#"{"purpose":"batch"}"#, None).contains("\"mime_type\""));
        assert!(refused(r#"{"purpose":"batch","mime_type":"text/jsonl","bytes":11}"#, None).contains("holds 10 bytes"));
        assert_eq!(refused("[1]", None), "create_json must be a JSON object");
        assert!(refused(CREATE, Some(r#"{"part_size":0}"#)).starts_with("part_size must be"));
        assert!(refused(CREATE, Some(&format!(r#"{{"part_size":{}}}"#, MAX_PART_SIZE + 1))).starts_with("part_size must be"));
        assert!(refused(CREATE, Some(r#"{"parallel":17}"#)).starts_with("parallel must be"));
        assert!(refused(CREATE, Some(r#"{"partsize":1}"#)).contains("not an option"));
        assert!(refused(CREATE, Some(r#"{"md5":1}"#)).starts_with("md5 must be a string"));
        let missing = dir.0.join("missing.jsonl");
        assert!(ChunkedUpload::new(&missing, CREATE, None).unwrap_err().0.contains("cannot be read"));
        assert!(ChunkedUpload::new(&dir.0, CREATE, None).unwrap_err().0.contains("is not a regular file"));
    }
}
