//! Objects whose state changes, as the API's do, for the helpers that wait for them and the
//! examples that use those helpers:
//!
//! - uploads: created (`POST /v1/uploads` with `bytes`, `filename`, `mime_type` and `purpose`),
//!   parts added, then completed (the parts' bytes must add up to `bytes`, as the API checks) or
//!   cancelled; a completed upload holds its `file`;
//! - objects that are processed: batches, files and file batches of vector stores, videos and
//!   background responses (`"background": true`). Each is created pending; its first two
//!   retrievals answer `in_progress`, the third and later ones its terminal status (`completed`).
//!   Every pending answer carries `openai-poll-after-ms: 10`.
//!
//! Ids are numbered in the order the server makes its objects (`upload_mock_1`, then
//! `part_mock_2` for the first part it receives, ...). Only objects created on this server are
//! tracked: a request about an id it did not make (or a
//! creation without what tracking needs) is left to the other routes, which answer as before.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{json, Map, Value};

use crate::http::Request;
use crate::multipart::Part;
use crate::objects::CREATED;
use crate::response::Response;

/// The interval a pending object's answer suggests, in milliseconds.
pub const POLL_AFTER_MS: &str = "10";
/// Retrievals that find a processed object still in progress.
const PENDING_RETRIEVALS: u32 = 2;

#[derive(Default)]
pub struct Lifecycles {
    objects: Mutex<Objects>,
}

#[derive(Default)]
struct Objects {
    next: u64,
    uploads: HashMap<String, Upload>,
    /// By the path that retrieves them (`/v1/batches/batch_mock_1`).
    processed: HashMap<String, Processed>,
}

struct Upload {
    object: Value,
    bytes: u64,
    /// Part id and length, in the order received.
    parts: Vec<(String, u64)>,
}

struct Processed {
    /// The object as created; `status` and the fields of its end are set as it advances.
    object: Value,
    retrievals: u32,
    /// The fields its terminal answer adds.
    done: Value,
}

fn pending(object: &Value) -> Response {
    Response::json(200, object).with_header("openai-poll-after-ms", POLL_AFTER_MS)
}

fn body_of(req: &Request) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

impl Lifecycles {
    pub fn reset(&self) {
        *self.objects.lock().unwrap_or_else(|e| e.into_inner()) = Objects::default();
    }

    /// Answers a request about a tracked object, or one that creates a tracked object; `None`
    /// leaves it to the other routes (also every request whose key the API would refuse).
    pub fn handle(&self, req: &Request, parts: Option<&Result<Vec<Part>, &'static str>>) -> Option<Response> {
        if crate::routes::auth_error(req).is_some() {
            return None;
        }
        let segments: Vec<&str> = req.path().strip_prefix("/v1/")?.split('/').collect();
        let mut objects = self.objects.lock().unwrap_or_else(|e| e.into_inner());
        match (req.method(), segments.as_slice()) {
            ("POST", ["uploads"]) => objects.create_upload(req),
            ("POST", ["uploads", id, "parts"]) if objects.uploads.contains_key(*id) => Some(objects.add_part(id, parts)),
            ("POST", ["uploads", id, "complete"]) if objects.uploads.contains_key(*id) => Some(objects.complete_upload(id, req)),
            ("POST", ["uploads", id, "cancel"]) if objects.uploads.contains_key(*id) => Some(objects.cancel_upload(id)),
            ("POST", ["batches"]) => objects.create_batch(req),
            ("POST", ["vector_stores", store, "files"]) => objects.create_store_file(store, req),
            ("POST", ["vector_stores", store, "file_batches"]) => objects.create_file_batch(store, req),
            ("POST", ["videos"]) => objects.create_video(req, parts),
            ("POST", ["responses"]) if req.query().is_none() => objects.create_background_response(req),
            ("GET", _) if req.query().is_none() => objects.retrieve(req.path()),
            _ => None,
        }
    }
}

impl Objects {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}_mock_{}", self.next)
    }

    fn track(&mut self, path: String, object: Value, done: Value) -> Response {
        let answer = pending(&object);
        self.processed.insert(path, Processed { object, retrievals: 0, done });
        answer
    }

    fn retrieve(&mut self, path: &str) -> Option<Response> {
        let tracked = self.processed.get_mut(path)?;
        tracked.retrievals += 1;
        if tracked.retrievals <= PENDING_RETRIEVALS {
            tracked.object["status"] = json!("in_progress");
            return Some(pending(&tracked.object));
        }
        if let (Value::Object(object), Value::Object(done)) = (&mut tracked.object, &tracked.done) {
            object.extend(done.clone());
        }
        Some(Response::json(200, &tracked.object))
    }

    fn create_upload(&mut self, req: &Request) -> Option<Response> {
        let body = body_of(req)?;
        let bytes = body.get("bytes")?.as_u64()?;
        let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_string);
        let (filename, mime_type, purpose) = (text("filename")?, text("mime_type")?, text("purpose")?);
        let id = self.id("upload");
        let object = json!({"id": id, "object": "upload", "bytes": bytes, "created_at": CREATED, "filename": filename,
            "purpose": purpose, "mime_type": mime_type, "status": "pending", "expires_at": CREATED + 3600, "file": null});
        self.uploads.insert(id, Upload { object: object.clone(), bytes, parts: Vec::new() });
        Some(Response::json(200, &object))
    }

    fn add_part(&mut self, id: &str, parts: Option<&Result<Vec<Part>, &'static str>>) -> Response {
        let data = match parts {
            Some(Ok(parts)) => parts.iter().find(|p| p.name == "data" && p.filename.is_some()).map(|p| p.data.len() as u64),
            _ => None,
        };
        let Some(len) = data else {
            return Response::invalid_request(400, "Missing required parameter: 'data'.", Some("data"));
        };
        self.next += 1;
        let part_id = format!("part_mock_{}", self.next);
        let upload = self.uploads.get_mut(id).expect("checked by the caller");
        if upload.object["status"] != "pending" {
            return Response::invalid_request(400, format!("Upload {id} is {}: no parts may be added.", upload.object["status"].as_str().unwrap_or("")), None);
        }
        upload.parts.push((part_id.clone(), len));
        Response::json(200, &json!({"id": part_id, "object": "upload.part", "created_at": CREATED, "upload_id": id}))
    }

    fn complete_upload(&mut self, id: &str, req: &Request) -> Response {
        let part_ids: Option<Vec<String>> = body_of(req)
            .and_then(|b| b.get("part_ids").and_then(Value::as_array).cloned())
            .and_then(|ids| ids.iter().map(|v| v.as_str().map(str::to_string)).collect());
        let Some(part_ids) = part_ids else {
            return Response::invalid_request(400, "Missing required parameter: 'part_ids'.", Some("part_ids"));
        };
        self.next += 1;
        let file_id = format!("file-mock{}", self.next);
        let upload = self.uploads.get_mut(id).expect("checked by the caller");
        if upload.object["status"] != "pending" {
            return Response::invalid_request(400, format!("Upload {id} is already {}.", upload.object["status"].as_str().unwrap_or("")), None);
        }
        let mut total = 0;
        for part_id in &part_ids {
            match upload.parts.iter().find(|(p, _)| p == part_id) {
                Some((_, len)) => total += len,
                None => return Response::invalid_request(400, format!("Part {part_id} does not belong to upload {id}."), Some("part_ids")),
            }
        }
        if total != upload.bytes {
            return Response::invalid_request(
                400,
                format!("The number of bytes uploaded ({total}) does not match the number of bytes expected ({}).", upload.bytes),
                Some("part_ids"),
            );
        }
        let object = &mut upload.object;
        object["status"] = json!("completed");
        object["file"] = json!({"id": file_id, "object": "file", "bytes": upload.bytes, "created_at": CREATED,
            "filename": object["filename"], "purpose": object["purpose"], "status": "processed"});
        Response::json(200, object)
    }

    fn cancel_upload(&mut self, id: &str) -> Response {
        let upload = self.uploads.get_mut(id).expect("checked by the caller");
        if upload.object["status"] != "pending" {
            return Response::invalid_request(400, format!("Upload {id} is already {}.", upload.object["status"].as_str().unwrap_or("")), None);
        }
        upload.object["status"] = json!("cancelled");
        Response::json(200, &upload.object)
    }

    fn create_batch(&mut self, req: &Request) -> Option<Response> {
        let body = body_of(req)?;
        let id = self.id("batch");
        let object = json!({"id": id, "object": "batch", "endpoint": body.get("endpoint").cloned().unwrap_or(json!("/v1/chat/completions")),
            "errors": null, "input_file_id": body.get("input_file_id").cloned().unwrap_or(Value::Null),
            "completion_window": body.get("completion_window").cloned().unwrap_or(json!("24h")), "status": "validating",
            "output_file_id": null, "error_file_id": null, "created_at": CREATED, "in_progress_at": null, "expires_at": CREATED + 86400,
            "completed_at": null, "request_counts": {"total": 0, "completed": 0, "failed": 0},
            "metadata": body.get("metadata").cloned().unwrap_or(Value::Null)});
        let done = json!({"status": "completed", "output_file_id": format!("file-{id}-output"), "in_progress_at": CREATED + 1,
            "completed_at": CREATED + 2, "request_counts": {"total": 3, "completed": 3, "failed": 0}});
        Some(self.track(format!("/v1/batches/{id}"), object, done))
    }

    fn create_store_file(&mut self, store: &str, req: &Request) -> Option<Response> {
        let file_id = body_of(req)?.get("file_id")?.as_str()?.to_string();
        let object = json!({"id": file_id, "object": "vector_store.file", "usage_bytes": 0, "created_at": CREATED,
            "vector_store_id": crate::util::percent_decode(store, false), "status": "in_progress", "last_error": null});
        Some(self.track(format!("/v1/vector_stores/{store}/files/{file_id}"), object, json!({"status": "completed", "usage_bytes": 1234})))
    }

    fn create_file_batch(&mut self, store: &str, req: &Request) -> Option<Response> {
        let body = body_of(req)?;
        let count = body.get("file_ids").and_then(Value::as_array).map_or(0, Vec::len);
        let id = self.id("vsfb");
        let object = json!({"id": id, "object": "vector_store.files_batch", "created_at": CREATED,
            "vector_store_id": crate::util::percent_decode(store, false), "status": "in_progress",
            "file_counts": {"in_progress": count, "completed": 0, "failed": 0, "cancelled": 0, "total": count}});
        let done = json!({"status": "completed", "file_counts": {"in_progress": 0, "completed": count, "failed": 0, "cancelled": 0, "total": count}});
        Some(self.track(format!("/v1/vector_stores/{store}/file_batches/{id}"), object, done))
    }

    fn create_video(&mut self, req: &Request, parts: Option<&Result<Vec<Part>, &'static str>>) -> Option<Response> {
        let Some(Ok(parts)) = parts else { return None };
        let field = |name: &str| {
            parts.iter().find(|p| p.name == name && p.filename.is_none()).and_then(|p| req.body.get(p.data.clone())).map(|b| String::from_utf8_lossy(b).into_owned())
        };
        let id = self.id("video");
        let object = json!({"id": id, "object": "video", "model": field("model").unwrap_or_else(|| "sora-2".into()), "status": "queued",
            "progress": 0, "created_at": CREATED, "prompt": field("prompt"), "size": field("size").unwrap_or_else(|| "720x1280".into()),
            "seconds": field("seconds").unwrap_or_else(|| "4".into())});
        Some(self.track(format!("/v1/videos/{id}"), object, json!({"status": "completed", "progress": 100, "completed_at": CREATED + 60})))
    }

    fn create_background_response(&mut self, req: &Request) -> Option<Response> {
        let body = body_of(req)?;
        if body.get("background") != Some(&Value::Bool(true)) || body.get("stream") == Some(&Value::Bool(true)) {
            return None;
        }
        let id = self.id("resp");
        let object = json!({"id": id, "object": "response", "created_at": CREATED, "status": "queued", "background": true,
            "model": body.get("model").cloned().unwrap_or(json!("gpt-4o-mini")), "output": [], "error": null});
        let text = crate::sse::REPLY;
        let done = json!({"status": "completed", "output": [{"type": "message", "id": format!("msg_{id}"), "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}], "output_text": text});
        Some(self.track(format!("/v1/responses/{id}"), object, done))
    }
}
