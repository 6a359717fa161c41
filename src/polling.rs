//! Waiting for an object to reach a terminal status, as the official SDKs' `poll` and
//! `*_and_poll` helpers do: the object is retrieved until its `status` is no longer one of its
//! pending ones, waiting between retrievals as long as the server suggests (the
//! `openai-poll-after-ms` header of the last answer) or the caller chose, else a second.
//!
//! Unlike the SDKs' helpers, a wait may have a deadline (`timeout_ms`): past it the call ends
//! with `Outcome::Timeout` and the last object read; and it ends at once when the client's
//! cancel token is cancelled (or, for an async call, its future). The SDK's `x-stainless-*`
//! headers are not sent (see DESIGN: they are its vendor's telemetry).

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::client::Client;
use crate::log::{self, Level};
use crate::operations::find;
use crate::request::{invalid, Inputs, InvalidArgument, Request};
use crate::response::{Outcome, Response};

/// An object that can be waited for: the operation that retrieves it and its pending statuses
/// (any other status is terminal).
#[derive(Clone, Copy, Debug)]
pub struct Pollable {
    /// The operation that retrieves it; its path parameters are the poll's.
    pub retrieve: &'static str,
    pub pending: &'static [&'static str],
}

/// A run of a thread: terminal when it requires action, is cancelled, completed, failed,
/// expired or incomplete (as the SDKs' `runs.poll`).
pub const RUN: Pollable = Pollable { retrieve: "beta.threads.runs.retrieve", pending: &["queued", "in_progress", "cancelling"] };
/// A file of a vector store: completed, failed or cancelled (as `vector_stores.files.poll`).
pub const VECTOR_STORE_FILE: Pollable = Pollable { retrieve: "vector_stores.files.retrieve", pending: &["in_progress"] };
/// A file batch of a vector store (as `vector_stores.file_batches.poll`).
pub const FILE_BATCH: Pollable = Pollable { retrieve: "vector_stores.file_batches.retrieve", pending: &["in_progress"] };
/// A batch: completed, failed, expired or cancelled.
pub const BATCH: Pollable = Pollable { retrieve: "batches.retrieve", pending: &["validating", "in_progress", "finalizing", "cancelling"] };
/// A background response: completed, failed, cancelled or incomplete.
pub const RESPONSE: Pollable = Pollable { retrieve: "responses.retrieve", pending: &["queued", "in_progress"] };
/// A video: completed or failed (as `videos.poll`).
pub const VIDEO: Pollable = Pollable { retrieve: "videos.retrieve", pending: &["queued", "in_progress"] };

/// The wait between retrievals when neither the caller nor the server says, as the SDKs.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(1000);

/// How a poll waits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PollOptions {
    /// The wait between retrievals, in place of the server's suggestion.
    pub interval: Option<Duration>,
    /// How long the whole call may take (the creation of `create_and_poll` included).
    pub timeout: Option<Duration>,
}

impl PollOptions {
    /// Reads `{"interval_ms": n, "timeout_ms": n}` (both optional, whole milliseconds); `None`
    /// gives the defaults (the server's interval, no deadline).
    pub fn parse(json: Option<&str>) -> Result<PollOptions, InvalidArgument> {
        let map = match json.map(serde_json::from_str::<Value>) {
            None => return Ok(PollOptions::default()),
            Some(Ok(Value::Object(map))) => map,
            Some(Ok(_)) => return invalid("options_json must be a JSON object"),
            Some(Err(e)) => return invalid(format!("options_json is not valid JSON: {e}")),
        };
        let mut options = PollOptions::default();
        for (name, value) in &map {
            let ms = match value {
                Value::Null => continue,
                v => v.as_u64().ok_or_else(|| InvalidArgument(format!("{name} must be a whole number of milliseconds (0 or more), not {v}")))?,
            };
            match name.as_str() {
                "interval_ms" => options.interval = Some(Duration::from_millis(ms)),
                "timeout_ms" => options.timeout = Some(Duration::from_millis(ms)),
                _ => return invalid(format!("options_json has \"{name}\", which is not an option (interval_ms, timeout_ms)")),
            }
        }
        Ok(options)
    }
}

/// The `status` of a successful response's JSON body.
fn status_of(response: &Response) -> Option<String> {
    serde_json::from_slice::<Value>(&response.body).ok()?.get("status")?.as_str().map(str::to_string)
}

/// The server's suggested wait, from the `openai-poll-after-ms` header.
fn suggested_interval(response: &Response) -> Option<Duration> {
    let value = response.headers.get("openai-poll-after-ms")?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_millis)
}

/// A successful response that has no status: the object is not what the operation returns.
fn without_status(mut response: Response, op: &str) -> Response {
    response.outcome = Outcome::InvalidResponse;
    response.message = Some(format!("the {op} response has no \"status\" string"));
    response
}

/// The call's deadline passed: the last object read, if any, comes back with the timeout.
fn timed_out(last: Option<Response>, op: &str, timeout: Duration) -> Response {
    let ms = timeout.as_millis();
    match last {
        Some(mut response) => {
            let status = status_of(&response).unwrap_or_default();
            response.outcome = Outcome::Timeout;
            response.message = Some(format!("{op}: the status was still \"{status}\" when timeout_ms ({ms} ms) passed"));
            response
        }
        None => Response::failure(Outcome::Timeout, format!("{op}: no status was read before timeout_ms ({ms} ms) passed")),
    }
}

impl Client {
    /// Retrieves the object `what` names by `params` (the retrieve operation's path parameters)
    /// until its status is terminal, and returns that last response; a failed retrieval (after
    /// the client's retries) is returned as it is.
    pub async fn poll(&self, what: &Pollable, params: &[&str], options: &PollOptions) -> Response {
        let deadline = options.timeout.map(|t| Instant::now() + t);
        self.poll_from(what, params, options, deadline, None).await
    }

    /// Sends `create` (an operation whose path parameters are `parent_params`, that returns the
    /// object), then polls the object it made (its `id` after `parent_params`) unless its status
    /// is terminal already. Returns the last response, as [`Client::poll`].
    pub async fn create_and_poll(&self, what: &Pollable, create: &Request, parent_params: &[&str], options: &PollOptions) -> Response {
        let deadline = options.timeout.map(|t| Instant::now() + t);
        let op = create.describe();
        let created = match self.until(deadline, self.execute(create)).await {
            Some(response) => response,
            None => return timed_out(None, &op, options.timeout.unwrap_or_default()),
        };
        if created.outcome != Outcome::Ok {
            return created;
        }
        let Some(status) = status_of(&created) else { return without_status(created, &op) };
        if !what.pending.contains(&status.as_str()) {
            return created;
        }
        let id = serde_json::from_slice::<Value>(&created.body).ok().and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string));
        let Some(id) = id else {
            let mut response = created;
            response.outcome = Outcome::InvalidResponse;
            response.message = Some(format!("the {op} response has no \"id\" string"));
            return response;
        };
        let mut params = parent_params.to_vec();
        params.push(&id);
        self.poll_from(what, &params, options, deadline, Some(created)).await
    }

    /// Polls, after `last` (the object as last read, whose interval comes first) if any.
    async fn poll_from(&self, what: &Pollable, params: &[&str], options: &PollOptions, deadline: Option<Instant>, mut last: Option<Response>) -> Response {
        let op = find(what.retrieve).expect("a pollable's operation is in the table");
        let request = match Request::for_operation(op, params, Inputs::default()) {
            Ok(request) => request,
            Err(e) => return e.into(),
        };
        let timeout = options.timeout.unwrap_or_default();
        loop {
            if let Some(previous) = &last {
                let interval = options.interval.or_else(|| suggested_interval(previous)).unwrap_or(DEFAULT_INTERVAL);
                let next = Instant::now() + interval;
                if let Some(deadline) = deadline.filter(|d| next > *d) {
                    // The next look would come too late: wait out the deadline, then say so.
                    if let Err(cancelled) = self.pause_until(deadline).await {
                        return cancelled;
                    }
                    return timed_out(last, what.retrieve, timeout);
                }
                if log::enabled(Level::Debug) {
                    let status = status_of(previous).unwrap_or_default();
                    self.log(Level::Debug, format_args!("{}: status \"{status}\"; next look in {} ms", what.retrieve, interval.as_millis()));
                }
                if let Err(cancelled) = self.pause_until(next).await {
                    return cancelled;
                }
            }
            let Some(response) = self.until(deadline, self.execute(&request)).await else {
                return timed_out(last, what.retrieve, timeout);
            };
            if response.outcome != Outcome::Ok {
                return response;
            }
            let Some(status) = status_of(&response) else { return without_status(response, what.retrieve) };
            if !what.pending.contains(&status.as_str()) {
                return response;
            }
            last = Some(response);
        }
    }

    /// Runs `work` unless the deadline passes first (`None` then).
    async fn until<T>(&self, deadline: Option<Instant>, work: impl std::future::Future<Output = T>) -> Option<T> {
        match deadline {
            None => Some(work.await),
            Some(deadline) => tokio::time::timeout_at(deadline, work).await.ok(),
        }
    }

    /// Waits until `when`, or fails at once when the client's cancel token is cancelled.
    async fn pause_until(&self, when: Instant) -> Result<(), Response> {
        match self.cancel_token() {
            None => {
                tokio::time::sleep_until(when).await;
                Ok(())
            }
            Some(token) => tokio::select! {
                biased;
                _ = token.cancelled() => Err(Response::failure(Outcome::Cancelled, "the call was cancelled by its client's cancel token")),
                _ = tokio::time::sleep_until(when) => Ok(()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_and_checked() {
        assert_eq!(PollOptions::parse(None).unwrap(), PollOptions::default());
        let options = PollOptions::parse(Some(r#"{"interval_ms":250,"timeout_ms":60000}"#)).unwrap();
        assert_eq!(options, PollOptions { interval: Some(Duration::from_millis(250)), timeout: Some(Duration::from_secs(60)) });
        assert_eq!(PollOptions::parse(Some(r#"{"interval_ms":null}"#)).unwrap(), PollOptions::default());
        assert!(PollOptions::parse(Some(r#"{"interval_ms":-1}"#)).unwrap_err().0.starts_with("interval_ms must be a whole number"));
        assert!(PollOptions::parse(Some(r#"{"timeout_ms":1.5}"#)).unwrap_err().0.starts_with("timeout_ms must be"));
        assert!(PollOptions::parse(Some(r#"{"interval":1}"#)).unwrap_err().0.contains("not an option"));
        assert!(PollOptions::parse(Some("[]")).is_err());
    }

    #[test]
    fn every_pollable_names_a_retrieve_operation() {
        for what in [RUN, VECTOR_STORE_FILE, FILE_BATCH, BATCH, RESPONSE, VIDEO] {
            let op = find(what.retrieve).unwrap_or_else(|| panic!("{}", what.retrieve));
            assert_eq!(op.method, crate::operations::Method::Get, "{}", what.retrieve);
            assert!(!what.pending.is_empty());
        }
    }

    #[test]
    fn the_servers_interval_is_read_from_its_header() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("openai-poll-after-ms", "250".parse().unwrap());
        let response = Response::from_http(200, headers, br#"{"status":"in_progress"}"#.to_vec());
        assert_eq!(suggested_interval(&response), Some(Duration::from_millis(250)));
        assert_eq!(status_of(&response).as_deref(), Some("in_progress"));
        let response = Response::from_http(200, Default::default(), b"{}".to_vec());
        assert_eq!((suggested_interval(&response), status_of(&response)), (None, None));
    }
}
