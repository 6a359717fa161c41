//! The one table of every operation: its seed name, HTTP method, path template, request and
//! response kinds, and whether it belongs to the beta (assistants) family.
//!
//! Everything per-operation is derived from [`OPERATIONS`]: the C exports in
//! `src/ffi/operations_gen.rs`, their header documentation, the README's operation table and the
//! bindings' wrappers are rendered from it by `tests/generated.rs`, which fails when a committed
//! rendering is stale.

/// HTTP method of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Delete,
    Put,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
        }
    }

    /// Parses a method name as given to the generic request call (upper case, as on the wire).
    pub fn parse(name: &str) -> Option<Method> {
        match name {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "DELETE" => Some(Method::Delete),
            "PUT" => Some(Method::Put),
            "PATCH" => Some(Method::Patch),
            _ => None,
        }
    }
}

/// A file field of a multipart operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileField {
    /// The multipart field name, also the C argument name.
    pub name: &'static str,
    pub required: bool,
}

/// What an operation sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// No body and no query parameters.
    Empty,
    /// A JSON body, required.
    Json,
    /// A JSON body that may be omitted; `{}` is sent then, as the official SDK does.
    OptionalJson,
    /// An optional JSON object of query parameters (list operations).
    Query,
    /// A multipart form: non-file fields from a JSON object, and these file fields.
    Multipart(&'static [FileField]),
}

/// What an operation receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    /// A JSON document.
    Json,
    /// A JSON document, or plain text when the request asks for `response_format` text, srt or vtt.
    JsonOrText,
    /// Binary content (audio, file content).
    Bytes,
    /// A stream of server-sent events; the operation always streams.
    Events,
}

/// How an operation relates to server-sent events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Streaming {
    /// Never streams.
    No,
    /// Has a `_stream` form that sends the body with `"stream": true`.
    Optional,
    /// The operation itself is a stream (its body is always sent with `"stream": true`).
    Always,
}

/// How a list operation pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    /// Not a list, or a list returned whole (models.list).
    None,
    /// `after` = the last item's `id` while `has_more` is true.
    Cursor,
}

/// One operation of the API.
#[derive(Clone, Copy, Debug)]
pub struct Operation {
    /// The seed's name, e.g. `beta.threads.runs.create`.
    pub name: &'static str,
    pub method: Method,
    /// Path template relative to the base URL, with `{param}` placeholders in path order.
    pub path: &'static str,
    pub request: RequestKind,
    pub response: ResponseKind,
    pub streaming: Streaming,
    pub paging: Paging,
    /// Whether the operation sends the `OpenAI-Beta` header (the assistants family).
    pub beta: bool,
    /// One sentence for the documentation.
    pub summary: &'static str,
}

impl Operation {
    /// The `Accept` header the operation sends, as the official SDK does.
    pub fn accept(&self) -> &'static str {
        match (self.response, self.path) {
            (ResponseKind::Bytes, "/audio/speech") => "application/octet-stream",
            (ResponseKind::Bytes, _) => "application/binary",
            _ => "application/json",
        }
    }

    /// The C function name: `openai_` followed by the seed name with dots as underscores.
    pub fn c_name(&self) -> String {
        format!("openai_{}", self.name.replace('.', "_"))
    }

    /// The names of the path parameters, in path order.
    pub fn path_params(&self) -> Vec<&'static str> {
        template_params(self.path)
    }
}

/// The names of the `{param}` placeholders of a path template, in order.
pub fn template_params(template: &'static str) -> Vec<&'static str> {
    let mut params = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').expect("unclosed path placeholder") + open;
        params.push(&rest[open + 1..close]);
        rest = &rest[close + 1..];
    }
    params
}

use Method::*;
use RequestKind as Rq;
use ResponseKind as Rs;

const IMAGE: FileField = FileField { name: "image", required: true };
const MASK: FileField = FileField { name: "mask", required: false };
const FILE: FileField = FileField { name: "file", required: true };

const fn op(
    name: &'static str,
    method: Method,
    path: &'static str,
    request: RequestKind,
    response: ResponseKind,
    summary: &'static str,
) -> Operation {
    Operation {
        name,
        method,
        path,
        request,
        response,
        streaming: Streaming::No,
        paging: Paging::None,
        beta: false,
        summary,
    }
}

const fn beta(o: Operation) -> Operation {
    Operation { beta: true, ..o }
}

const fn cursor(o: Operation) -> Operation {
    Operation { paging: Paging::Cursor, ..o }
}

const fn streams(o: Operation) -> Operation {
    Operation { streaming: Streaming::Optional, ..o }
}

const fn stream_only(o: Operation) -> Operation {
    Operation { streaming: Streaming::Always, ..o }
}

/// Every operation of ENDPOINTS.md, plus models.delete, in the order of that table.
#[rustfmt::skip]
pub static OPERATIONS: &[Operation] = &[
    streams(op("chat.completions.create", Post, "/chat/completions", Rq::Json, Rs::Json,
        "Creates a model response for the given chat conversation.")),
    op("models.list", Get, "/models", Rq::Empty, Rs::Json,
        "Lists the currently available models."),
    op("models.retrieve", Get, "/models/{model}", Rq::Empty, Rs::Json,
        "Retrieves a model instance: its owner and permissions."),
    op("models.delete", Delete, "/models/{model}", Rq::Empty, Rs::Json,
        "Deletes a fine-tuned model (the caller's organization must own it)."),
    op("edits.create", Post, "/edits", Rq::Json, Rs::Json,
        "Creates a new edit for the provided input, instruction and parameters (a legacy endpoint)."),
    op("images.generate", Post, "/images/generations", Rq::Json, Rs::Json,
        "Creates an image given a prompt."),
    op("images.create_variation", Post, "/images/variations", Rq::Multipart(&[IMAGE]), Rs::Json,
        "Creates a variation of a given image."),
    op("images.edit", Post, "/images/edits", Rq::Multipart(&[IMAGE, MASK]), Rs::Json,
        "Creates an edited or extended image given an original image and a prompt."),
    op("embeddings.create", Post, "/embeddings", Rq::Json, Rs::Json,
        "Creates an embedding vector representing the input text."),
    cursor(op("files.list", Get, "/files", Rq::Query, Rs::Json,
        "Returns a list of files.")),
    op("files.upload", Post, "/files", Rq::Multipart(&[FILE]), Rs::Json,
        "Uploads a file that can be used across various endpoints."),
    op("files.retrieve", Get, "/files/{file_id}", Rq::Empty, Rs::Json,
        "Returns information about a specific file."),
    op("files.delete", Delete, "/files/{file_id}", Rq::Empty, Rs::Json,
        "Deletes a file."),
    op("files.retrieve_content", Get, "/files/{file_id}/content", Rq::Empty, Rs::Bytes,
        "Returns the contents of the specified file."),
    op("fine_tuning.jobs.create", Post, "/fine_tuning/jobs", Rq::Json, Rs::Json,
        "Creates a fine-tuning job which begins the process of creating a new model from a given dataset."),
    cursor(op("fine_tuning.jobs.list", Get, "/fine_tuning/jobs", Rq::Query, Rs::Json,
        "Lists the organization's fine-tuning jobs.")),
    op("fine_tuning.jobs.retrieve", Get, "/fine_tuning/jobs/{fine_tuning_job_id}", Rq::Empty, Rs::Json,
        "Gets info about a fine-tuning job."),
    op("fine_tuning.jobs.cancel", Post, "/fine_tuning/jobs/{fine_tuning_job_id}/cancel", Rq::Empty, Rs::Json,
        "Immediately cancels a fine-tuning job."),
    cursor(op("fine_tuning.jobs.list_events", Get, "/fine_tuning/jobs/{fine_tuning_job_id}/events", Rq::Query, Rs::Json,
        "Gets status updates for a fine-tuning job.")),
    op("moderations.create", Post, "/moderations", Rq::Json, Rs::Json,
        "Classifies whether the input is potentially harmful."),
    op("audio.transcriptions.create", Post, "/audio/transcriptions", Rq::Multipart(&[FILE]), Rs::JsonOrText,
        "Transcribes audio into the input language."),
    op("audio.translations.create", Post, "/audio/translations", Rq::Multipart(&[FILE]), Rs::JsonOrText,
        "Translates audio into English."),
    op("audio.speech.create", Post, "/audio/speech", Rq::Json, Rs::Bytes,
        "Generates audio from the input text."),
    beta(op("beta.assistants.create", Post, "/assistants", Rq::Json, Rs::Json,
        "Creates an assistant with a model and instructions.")),
    beta(op("beta.assistants.retrieve", Get, "/assistants/{assistant_id}", Rq::Empty, Rs::Json,
        "Retrieves an assistant.")),
    beta(op("beta.assistants.modify", Post, "/assistants/{assistant_id}", Rq::Json, Rs::Json,
        "Modifies an assistant.")),
    beta(op("beta.assistants.delete", Delete, "/assistants/{assistant_id}", Rq::Empty, Rs::Json,
        "Deletes an assistant.")),
    beta(cursor(op("beta.assistants.list", Get, "/assistants", Rq::Query, Rs::Json,
        "Returns a list of assistants."))),
    beta(op("beta.threads.create", Post, "/threads", Rq::OptionalJson, Rs::Json,
        "Creates a thread.")),
    beta(op("beta.threads.retrieve", Get, "/threads/{thread_id}", Rq::Empty, Rs::Json,
        "Retrieves a thread.")),
    beta(op("beta.threads.modify", Post, "/threads/{thread_id}", Rq::Json, Rs::Json,
        "Modifies a thread.")),
    beta(op("beta.threads.delete", Delete, "/threads/{thread_id}", Rq::Empty, Rs::Json,
        "Deletes a thread.")),
    beta(op("beta.threads.messages.create", Post, "/threads/{thread_id}/messages", Rq::Json, Rs::Json,
        "Creates a message in a thread.")),
    beta(op("beta.threads.messages.retrieve", Get, "/threads/{thread_id}/messages/{message_id}", Rq::Empty, Rs::Json,
        "Retrieves a message.")),
    beta(op("beta.threads.messages.modify", Post, "/threads/{thread_id}/messages/{message_id}", Rq::Json, Rs::Json,
        "Modifies a message.")),
    beta(cursor(op("beta.threads.messages.list", Get, "/threads/{thread_id}/messages", Rq::Query, Rs::Json,
        "Returns a list of messages for a given thread."))),
    beta(op("beta.threads.runs.create", Post, "/threads/{thread_id}/runs", Rq::Json, Rs::Json,
        "Creates a run on a thread.")),
    beta(op("beta.threads.runs.retrieve", Get, "/threads/{thread_id}/runs/{run_id}", Rq::Empty, Rs::Json,
        "Retrieves a run.")),
    beta(op("beta.threads.runs.modify", Post, "/threads/{thread_id}/runs/{run_id}", Rq::Json, Rs::Json,
        "Modifies a run.")),
    beta(cursor(op("beta.threads.runs.list", Get, "/threads/{thread_id}/runs", Rq::Query, Rs::Json,
        "Returns a list of runs belonging to a thread."))),
    beta(stream_only(op("beta.threads.runs.create_and_stream", Post, "/threads/{thread_id}/runs", Rq::Json, Rs::Events,
        "Creates a run on a thread and streams its events (thread.run.created, thread.message.delta, ..., done)."))),
    beta(op("beta.threads.runs.cancel", Post, "/threads/{thread_id}/runs/{run_id}/cancel", Rq::Empty, Rs::Json,
        "Cancels a run that is in progress.")),
    beta(streams(op("beta.threads.runs.submit_tool_outputs", Post, "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", Rq::Json, Rs::Json,
        "Submits the outputs of the tool calls a run is waiting for (status requires_action)."))),
    beta(cursor(op("beta.threads.runs.steps.list", Get, "/threads/{thread_id}/runs/{run_id}/steps", Rq::Query, Rs::Json,
        "Returns a list of run steps belonging to a run."))),
    beta(op("beta.threads.runs.steps.retrieve", Get, "/threads/{thread_id}/runs/{run_id}/steps/{step_id}", Rq::Empty, Rs::Json,
        "Retrieves a run step.")),
    beta(op("beta.files.retrieve", Get, "/files/{file_id}", Rq::Empty, Rs::Json,
        "Returns information about a file used with assistants (the Files API).")),
    beta(op("beta.files.delete", Delete, "/files/{file_id}", Rq::Empty, Rs::Json,
        "Deletes a file used with assistants (the Files API).")),
    beta(cursor(op("beta.files.list", Get, "/files", Rq::Query, Rs::Json,
        "Returns a list of files (the Files API, as used with assistants)."))),
];

/// Finds an operation by its seed name.
pub fn find(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|o| o.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_params_are_named() {
        let mut names: Vec<_> = OPERATIONS.iter().map(|o| o.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), OPERATIONS.len());
        assert_eq!(
            find("beta.threads.runs.steps.retrieve").unwrap().path_params(),
            ["thread_id", "run_id", "step_id"]
        );
        assert_eq!(find("models.list").unwrap().path_params(), Vec::<&str>::new());
    }

    #[test]
    fn accept_header_follows_the_response_kind() {
        assert_eq!(find("audio.speech.create").unwrap().accept(), "application/octet-stream");
        assert_eq!(find("files.retrieve_content").unwrap().accept(), "application/binary");
        assert_eq!(find("chat.completions.create").unwrap().accept(), "application/json");
    }
}
