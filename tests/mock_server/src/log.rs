//! The request log: what the API routes received, for tests to assert on. Bounded in entries and
//! in stored body bytes; rendering to JSON (decoding, hashing small bodies) happens only when a
//! test asks, to keep the serving path cheap.

use std::collections::VecDeque;
use std::sync::OnceLock;
use std::time::Instant;

use base64::Engine;
use serde_json::{json, Value};

use crate::http::Request;
use crate::multipart::Part;
use crate::util::{hex, query_pairs, sha256};

pub const MAX_ENTRIES: usize = 100_000;
/// Bodies larger than this are not stored, only their length and hash.
pub const MAX_STORED_BODY: usize = 1 << 20;
/// Oldest entries are dropped once the stored bodies add up to more than this.
pub const MAX_STORED_TOTAL: usize = 512 << 20;
/// Text parts up to this size have their value shown.
const MAX_PART_VALUE: usize = 64 * 1024;

pub struct PartInfo {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    len: u64,
    sha256: [u8; 32],
    value: Option<String>,
}

pub struct Entry {
    seq: u64,
    request_id: String,
    method: String,
    version: &'static str,
    raw_target: String,
    path_len: usize,
    headers: Vec<(String, Vec<u8>)>,
    body: Option<Vec<u8>>,
    body_len: u64,
    /// Computed at once only for bodies that are not stored.
    body_sha256: Option<[u8; 32]>,
    parts: Option<Vec<PartInfo>>,
    connection_id: u64,
    client_closed_early: bool,
    /// When the request arrived, for tests that check the delays between retries.
    received: Instant,
}

/// The origin of `received_us`: the first use of the log in this process.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

impl Entry {
    pub fn new(
        req: &Request,
        connection_id: u64,
        request_id: &str,
        parts: Option<&[Part]>,
    ) -> Entry {
        if req.body.len() <= MAX_STORED_BODY {
            return Entry::build(req, connection_id, request_id, parts, true);
        }
        // A big body is hashed now (it is not kept), on another thread while the parts are
        // hashed here: a 1 GiB upload costs one pass of hashing time, not two.
        std::thread::scope(|scope| {
            let body_hash = scope.spawn(|| sha256(&req.body));
            let mut entry = Entry::build(req, connection_id, request_id, parts, false);
            entry.body_sha256 = Some(body_hash.join().unwrap_or_else(|_| sha256(&req.body)));
            entry
        })
    }

    fn build(
        req: &Request,
        connection_id: u64,
        request_id: &str,
        parts: Option<&[Part]>,
        stored: bool,
    ) -> Entry {
        epoch();
        Entry {
            seq: 0,
            request_id: request_id.to_string(),
            method: req.method().to_string(),
            version: req.version_str(),
            raw_target: req.target().to_string(),
            path_len: req.path().len(),
            headers: req
                .headers()
                .map(|(n, v)| (n.to_string(), v.to_vec()))
                .collect(),
            body: stored.then(|| req.body.clone()),
            body_len: req.body.len() as u64,
            body_sha256: None,
            parts: parts.map(|ps| {
                ps.iter()
                    .map(|p| {
                        let data = &req.body[p.data.clone()];
                        PartInfo {
                            name: p.name.clone(),
                            filename: p.filename.clone(),
                            content_type: p.content_type.clone(),
                            len: data.len() as u64,
                            sha256: sha256(data),
                            value: (p.filename.is_none() && data.len() < MAX_PART_VALUE)
                                .then(|| std::str::from_utf8(data).ok().map(str::to_string))
                                .flatten(),
                        }
                    })
                    .collect()
            }),
            connection_id,
            client_closed_early: false,
            received: Instant::now(),
        }
    }

    fn stored_bytes(&self) -> usize {
        self.body.as_ref().map_or(0, Vec::len)
    }

    pub fn to_json(&self) -> Value {
        let path = &self.raw_target[..self.path_len];
        let query = self
            .raw_target
            .get(self.path_len + 1..)
            .filter(|_| self.raw_target.len() > self.path_len);
        let mut obj = json!({
            "seq": self.seq,
            "received_us": self.received.saturating_duration_since(epoch()).as_micros() as u64,
            "request_id": self.request_id,
            "method": self.method,
            "path": path,
            "raw_target": self.raw_target,
            "query": query,
            "query_pairs": query.map(query_pairs).unwrap_or_default(),
            "version": self.version,
            "headers": self.headers.iter().map(|(n, v)| json!([n, String::from_utf8_lossy(v)])).collect::<Vec<_>>(),
            "body": Value::Null,
            "body_len": self.body_len,
            "body_truncated": self.body.is_none(),
            "body_sha256": hex(&self.body_sha256.unwrap_or_else(|| sha256(self.body.as_deref().unwrap_or_default()))),
            "parts": self.parts.as_ref().map(|ps| ps.iter().map(|p| json!({
                "name": p.name,
                "filename": p.filename,
                "content_type": p.content_type,
                "len": p.len,
                "sha256": hex(&p.sha256),
                "value": p.value,
            })).collect::<Vec<_>>()),
            "connection_id": self.connection_id,
            "client_closed_early": self.client_closed_early,
        });
        if let Some(body) = &self.body {
            match std::str::from_utf8(body) {
                Ok(s) => obj["body"] = Value::String(s.to_string()),
                Err(_) => {
                    obj["body_base64"] =
                        Value::String(base64::engine::general_purpose::STANDARD.encode(body))
                }
            }
        }
        obj
    }
}

#[derive(Default)]
pub struct Log {
    entries: VecDeque<Entry>,
    last_seq: u64,
    stored: usize,
}

impl Log {
    /// Appends an entry, evicting the oldest past the bounds; returns its sequence number.
    pub fn push(&mut self, mut entry: Entry) -> u64 {
        self.last_seq += 1;
        entry.seq = self.last_seq;
        self.stored += entry.stored_bytes();
        self.entries.push_back(entry);
        while self.entries.len() > MAX_ENTRIES
            || (self.stored > MAX_STORED_TOTAL && self.entries.len() > 1)
        {
            if let Some(old) = self.entries.pop_front() {
                self.stored -= old.stored_bytes();
            }
        }
        self.last_seq
    }

    pub fn mark_client_closed(&mut self, seq: u64) {
        if let Ok(i) = self.entries.binary_search_by_key(&seq, |e| e.seq) {
            self.entries[i].client_closed_early = true;
        }
    }

    /// Clears the entries; with `restart_seq` numbering starts again at 1.
    pub fn clear(&mut self, restart_seq: bool) {
        self.entries.clear();
        self.stored = 0;
        if restart_seq {
            self.last_seq = 0;
        }
    }

    /// Entries with seq > since, oldest first.
    pub fn render(&self, since: u64) -> Vec<Value> {
        let start = self.entries.partition_point(|e| e.seq <= since);
        self.entries.range(start..).map(Entry::to_json).collect()
    }
}
