//! Renders everything that is derived from the operation table (src/operations/table.rs,
//! generated from the specification by tests/codegen) and fails when a committed rendering
//! differs, after rewriting it: run `cargo test --test generated` once more and commit the result.
//! The same scheme as rust-analyzer's source generation tests; it lets cbindgen read ordinary
//! source files instead of macro expansions.
//!
//! First every export is described, with its full C signature ([`exports`]); those descriptions
//! are written to bindings/operations.json (which the bindings' generators read, and the
//! generated request tests too), and the Rust exports of src/ffi/operations_gen.rs (whose doc
//! comments become the header's), the README's table and docs/symbols-in-versions are rendered
//! from them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use openai::operations::{Body, Operation, Paging, RequestKind, ResponseKind, StreamFlag, Streaming, OPERATIONS};
use serde_json::{json, Value};

/// The version that the names added now first appear in.
const NEXT_VERSION: &str = "0.2.0";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes `contents` to `path` when it differs, and reports whether it did.
fn ensure(path: &Path, contents: &str) -> bool {
    let current = std::fs::read_to_string(path).unwrap_or_default();
    if current == contents {
        return false;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
    true
}

/// Replaces what lies between the two marker lines of a committed document.
fn splice(document: &str, begin: &str, end: &str, body: &str) -> String {
    let start = document.find(begin).unwrap_or_else(|| panic!("marker {begin} missing")) + begin.len();
    let stop = document.find(end).unwrap_or_else(|| panic!("marker {end} missing"));
    format!("{}\n{}{}", &document[..start], body, &document[stop..])
}

// ---------------------------------------------------------------------------------------------
// The description of every export

/// One argument of an export.
#[derive(Clone)]
struct Arg {
    name: String,
    /// As the header writes it: `const char *`, `const openai_upload *const *`, `size_t`, ...
    c_type: &'static str,
    /// client, path_param, query, body, fields, file, file_array, file_count, path, progress,
    /// progress_userdata, callback, userdata, out.
    role: &'static str,
    nullable: bool,
    doc: String,
}

/// One exported function.
struct Export {
    name: String,
    /// blocking, async, stream, stream_async, pages, to_file, to_file_async.
    form: &'static str,
    index: usize,
    op: &'static Operation,
    /// Which inputs it takes: today's route's (`full`), or those of its 0.1.0 signature.
    signature: &'static str,
    /// What it sends: the request kind its arguments describe.
    inputs: RequestKind,
    args: Vec<Arg>,
    returns: &'static str,
    doc: String,
    /// The export of the same form of the operation this one is an alias of.
    alias_of: Option<String>,
}

fn arg(name: impl Into<String>, c_type: &'static str, role: &'static str, nullable: bool, doc: impl Into<String>) -> Arg {
    // Line breaks are the wrapping's to make.
    Arg { name: name.into(), c_type, role, nullable, doc: doc.into().replace("\n  ", " ") }
}

fn http_line(op: &Operation) -> String {
    format!("`{} {}`", op.method.as_str(), op.path)
}

/// The arguments of an operation before the form's own: the client, the path parameters, then
/// the inputs of `inputs`.
fn input_args(op: &Operation, inputs: &RequestKind) -> Vec<Arg> {
    let mut args = vec![arg("client", "const openai_client *", "client", false, "the client (not NULL).")];
    for p in op.path_params() {
        args.push(arg(p, "const char *", "path_param", false, format!("the `{{{p}}}` path parameter (not NULL, not empty; percent-encoded by the library).")));
    }
    if inputs.query {
        args.push(arg(
            "query_json",
            "const char *",
            "query",
            true,
            "a JSON object of query parameters (`{\"limit\": 20, \"include\": [\"...\"]}`; arrays are sent as `name[]`), or NULL for none.",
        ));
    }
    match inputs.body {
        Body::None => {}
        Body::Json => args.push(arg("body_json", "const char *", "body", false, "the JSON request body (an object), sent byte for byte as given; not NULL.")),
        Body::OptionalJson => {
            args.push(arg("body_json", "const char *", "body", true, "the JSON request body (an object), sent byte for byte as given; NULL sends `{}`."))
        }
        Body::Multipart(files) => {
            args.push(arg(
                "fields_json",
                "const char *",
                "fields",
                true,
                "the form's other fields as a JSON object (strings as they are, numbers and booleans as\n  text, arrays as repeated `name[]`, objects as `name[key]`, nulls left out), or NULL.",
            ));
            for f in files {
                if f.array {
                    let need = if f.required { "at least one" } else { "any number, 0 for none" };
                    args.push(arg(
                        f.name,
                        "const openai_upload *const *",
                        "file_array",
                        !f.required,
                        format!("the `{0}` files ({need}), each sent as a `{0}[]` part; see `openai_upload_from_path`.", f.name),
                    ));
                    args.push(arg(format!("{}_count", f.name), "size_t", "file_count", false, format!("how many files `{}` holds.", f.name)));
                } else if f.required {
                    args.push(arg(f.name, "const openai_upload *", "file", false, format!("the `{}` file (not NULL); see `openai_upload_from_path`.", f.name)));
                } else {
                    args.push(arg(f.name, "const openai_upload *", "file", true, format!("the optional `{}` file, or NULL.", f.name)));
                }
            }
        }
    }
    args
}

fn response_doc(op: &Operation) -> &'static str {
    match op.response {
        ResponseKind::Json => "The body is the JSON document the API returned.",
        ResponseKind::JsonOrText => "The body is JSON, or text for the text, srt and vtt response formats.",
        ResponseKind::Bytes => "The body holds the bytes the API returned (see the `content-type` header).",
        ResponseKind::Text => "The body is the text the API returned (see the `content-type` header).",
        ResponseKind::Empty => "The API returns no body on success.",
        ResponseKind::Events => "",
    }
}

fn stream_flag_doc(flag: StreamFlag) -> &'static str {
    match flag {
        StreamFlag::JsonStream => "`\"stream\": true` added to the body when missing",
        StreamFlag::JsonStreamFormatSse => "`\"stream_format\": \"sse\"` added to the body when missing",
        StreamFlag::MultipartStream => "a `stream=true` field added to the form",
        StreamFlag::QueryStream => "`stream=true` added to the query",
    }
}

/// Who the operation is, for the first lines of each doc: the route, its header, its names.
fn identity(op: &Operation, signature: &str, base: &str) -> String {
    let mut text = format!("{} (`{}`", http_line(op), op.name);
    if let Some(beta) = op.beta {
        write!(text, ", with `OpenAI-Beta: {beta}`").unwrap();
    }
    text.push_str(").");
    if let Some(target) = op.alias_of {
        let target_c = format!("openai_{}", target.replace('.', "_"));
        let who = if op.seed.is_some() { "libopenai 0.1.0's name" } else { "the official SDK's second name" };
        write!(text, " An alias of `{target_c}` ({who} for the same route).").unwrap();
    }
    if signature == "full" && op.seed.is_some_and(|s| s.request != op.request) && op.alias_of.is_none() {
        write!(text, " Takes every input today's route takes; `{base}` keeps its 0.1.0 signature.").unwrap();
    }
    text
}

/// Every export of one operation.
fn exports_of(index: usize, op: &'static Operation) -> Vec<Export> {
    let c = op.c_name();
    let mut out = Vec::new();
    let mut add = |name: String, form: &'static str, signature: &'static str, inputs: RequestKind, base: &str| {
        out.push(describe(index, op, name, form, signature, inputs, base));
    };
    match op.seed {
        Some(seed) => {
            // The 0.1.0 forms, with the 0.1.0 signature.
            if let Streaming::Always(_) = op.streaming {
                add(c.clone(), "stream", "0.1.0", seed.request, &c);
                add(format!("{c}_async"), "stream_async", "0.1.0", seed.request, &c);
                return out;
            }
            add(c.clone(), "blocking", "0.1.0", seed.request, &c);
            add(format!("{c}_async"), "async", "0.1.0", seed.request, &c);
            if seed.streams {
                add(format!("{c}_stream"), "stream", "0.1.0", seed.request, &c);
                add(format!("{c}_stream_async"), "stream_async", "0.1.0", seed.request, &c);
            }
            if op.paging != Paging::None {
                add(format!("{c}_pages"), "pages", "0.1.0", seed.request, &c);
            }
            if op.response == ResponseKind::Bytes {
                add(format!("{c}_to_file"), "to_file", "0.1.0", seed.request, &c);
                add(format!("{c}_to_file_async"), "to_file_async", "0.1.0", seed.request, &c);
            }
            if op.alias_of.is_some() {
                return out;
            }
            // Today's inputs where the route takes more than the 0.1.0 signature: `_ex` forms.
            if seed.request != op.request {
                let ex = format!("{c}_ex");
                add(ex.clone(), "blocking", "full", op.request, &c);
                add(format!("{ex}_async"), "async", "full", op.request, &c);
                if op.response == ResponseKind::Bytes {
                    add(format!("{ex}_to_file"), "to_file", "full", op.request, &c);
                    add(format!("{ex}_to_file_async"), "to_file_async", "full", op.request, &c);
                }
            }
            // Streams the 0.1.0 operation did not have.
            if let (Streaming::Optional(_), false) = (op.streaming, seed.streams) {
                add(format!("{c}_stream"), "stream", "full", op.request, &c);
                add(format!("{c}_stream_async"), "stream_async", "full", op.request, &c);
            }
        }
        None => {
            add(c.clone(), "blocking", "full", op.request, &c);
            add(format!("{c}_async"), "async", "full", op.request, &c);
            if let Streaming::Optional(_) = op.streaming {
                add(format!("{c}_stream"), "stream", "full", op.request, &c);
                add(format!("{c}_stream_async"), "stream_async", "full", op.request, &c);
            }
            if op.paging != Paging::None {
                add(format!("{c}_pages"), "pages", "full", op.request, &c);
            }
            if op.response == ResponseKind::Bytes {
                add(format!("{c}_to_file"), "to_file", "full", op.request, &c);
                add(format!("{c}_to_file_async"), "to_file_async", "full", op.request, &c);
            }
        }
    }
    out
}

fn describe(index: usize, op: &'static Operation, name: String, form: &'static str, signature: &'static str, inputs: RequestKind, base: &str) -> Export {
    let mut args = input_args(op, &inputs);
    let who = identity(op, signature, base);
    let summary = op.summary;
    let list = |args: &[Arg]| -> String {
        args.iter().map(|a| format!("- `{}`: {}\n", a.name, a.doc)).collect()
    };
    let (returns, doc) = match form {
        "blocking" => {
            args.push(arg("out", "openai_response **", "out", false, "receives the response, also on failure (then it says why); free it with\n  `openai_response_free`."));
            let doc = format!(
                "{summary}\n\n{who} Blocks until the response is complete. {}\n\n{}\nReturns the response's code: `OPENAI_OK` for a 2xx status.",
                response_doc(op),
                list(&args)
            );
            ("openai_code", doc)
        }
        "async" => {
            let blocking = name.trim_end_matches("_async");
            args.push(arg("callback", "openai_callback", "callback", true, "NULL, or the function that receives the response (it owns it) once the\n  call completes, fails or is cancelled: exactly once, on a library thread."));
            args.push(arg("userdata", "void *", "userdata", true, "passed to the callback as given; also `openai_future_userdata`."));
            let doc = format!(
                "The async form of `{blocking}`: starts the call and returns its future at once, never\nblocking on the network. {who}\n\n{}\nReturns the future (never NULL): wait, poll, watch its descriptor, or queue it, then free\nit with `openai_future_free` (or give it up with `openai_future_detach`). Invalid\narguments complete it at once with `OPENAI_INVALID_ARGUMENT`.",
                list(&args)
            );
            ("openai_future *", doc)
        }
        "stream" => {
            args.push(arg("out", "openai_stream **", "out", false, "receives the stream, also on failure; free it with `openai_stream_free`."));
            let flag = op.streaming.flag().expect("a stream form of a streaming operation");
            let events = if op.name.starts_with("beta.threads") {
                "the assistant events (`thread.run.created`, `thread.message.delta`, ..., `done`)"
            } else if op.name.contains("responses") {
                "its named events (`response.created`, `response.output_text.delta`, ..., `response.completed`), each with its name (`openai_event_name`)"
            } else {
                "its server-sent events (named ones with their name, `openai_event_name`)"
            };
            let doc = format!(
                "{summary} Streams {events}.\n\n{who} Asks for the stream with {}. Blocks until the\nresponse headers arrive; then read events with `openai_stream_next`.\n\n{}\nReturns `OPENAI_OK` once the stream began; an HTTP error before it (retried like any request)\nreturns its code, and the stream's `openai_stream_response` holds the error.",
                stream_flag_doc(flag),
                list(&args)
            );
            ("openai_code", doc)
        }
        "stream_async" => {
            let stream = name.trim_end_matches("_async");
            args.push(arg("callback", "openai_event_callback", "callback", true, "NULL to pull events with `openai_stream_next` or `openai_stream_fd`, or the\n  function that receives each event and then the end (see `openai_event_callback`)."));
            args.push(arg("userdata", "void *", "userdata", true, "passed to the callback as given."));
            let doc = format!(
                "The async form of `{stream}`: returns the stream at once (never NULL) and never blocks;\na library thread makes the request. {who}\n\n{}\nFree the stream with `openai_stream_free`. Invalid arguments end it at once with\n`OPENAI_INVALID_ARGUMENT`.",
                list(&args)
            );
            ("openai_stream *", doc)
        }
        "pages" => {
            args.push(arg("out", "openai_pager **", "out", false, "receives the pager (free it with `openai_pager_free`), or NULL on failure, when\n  `openai_last_error()` says why."));
            let cursor = match op.paging {
                Paging::Page => "`page` = the page's `next_page`",
                Paging::CursorLastId => "`after` = the page's `last_id`",
                _ => "`after` = the last item's `id`",
            };
            let doc = format!(
                "Creates a pager over every page of `{}`: each `openai_pager_next` fetches one page of\n{}, the next with {cursor} while the page says `has_more`; the\nquery parameters are kept on every page. Nothing is sent until the first `openai_pager_next`.\n\n{}",
                op.name,
                http_line(op),
                list(&args)
            );
            ("openai_code", doc)
        }
        "to_file" => {
            let blocking = name.trim_end_matches("_to_file");
            args.push(arg("path", "const char *", "path", false, "where to write (not NULL). The body goes to a new file beside it, created\n  exclusively (a planted link is never followed), renamed to `path` once complete: a\n  failed download leaves `path` as it was and no partial file behind."));
            args.push(arg("progress", "openai_progress_callback", "progress", true, "NULL, or a callback that hears the bytes received and the total (0 if unknown),\n  on the calling thread."));
            args.push(arg("userdata", "void *", "progress_userdata", true, "passed to `progress`."));
            args.push(arg("out", "openai_response **", "out", false, "receives the response (status and headers; its body is empty on success, the\n  error body otherwise); free it with `openai_response_free`."));
            let doc = format!(
                "`{blocking}`, with the response body written to the file at `path` as it arrives (never held\nwhole in memory), for large content. {who}\n\n{}\nA path that cannot be written is `OPENAI_INVALID_ARGUMENT`, found before anything is sent.",
                list(&args)
            );
            ("openai_code", doc)
        }
        "to_file_async" => {
            let to_file = name.trim_end_matches("_async");
            args.push(arg("path", "const char *", "path", false, format!("where to write (not NULL), through a partial file as for `{to_file}`; a call that\n  fails or is cancelled removes the partial file and leaves `path` as it was.")));
            args.push(arg("progress", "openai_progress_callback", "progress", true, "NULL, or a callback that hears the bytes received and the total (0 if unknown),\n  on a library thread."));
            args.push(arg("progress_userdata", "void *", "progress_userdata", true, "passed to `progress`."));
            args.push(arg("callback", "openai_callback", "callback", true, "NULL, or the function that receives the response (status and headers; the\n  error body on failure) once the file is complete or the call failed or was cancelled:\n  exactly once, on a library thread."));
            args.push(arg("userdata", "void *", "userdata", true, "passed to the callback as given; also `openai_future_userdata`."));
            let doc = format!(
                "The async form of `{to_file}`: starts the download and returns its future at once,\nnever blocking on the network or the disk. {who}\n\n{}\nReturns the future (never NULL), used like any other. A path that cannot be written\ncompletes it with `OPENAI_INVALID_ARGUMENT` before anything is sent.",
                list(&args)
            );
            ("openai_future *", doc)
        }
        other => unreachable!("form {other}"),
    };
    let alias_of = op.alias_of.map(|target| {
        let suffix = name.strip_prefix(&op.c_name()).unwrap_or("");
        // create_and_stream is the stream form of runs.create.
        let suffix = if matches!(op.streaming, Streaming::Always(_)) { format!("_stream{suffix}") } else { suffix.to_string() };
        format!("openai_{}{suffix}", target.replace('.', "_"))
    });
    Export { name, form, index, op, signature, inputs, args, returns, doc: wrap(&doc), alias_of }
}

/// Wraps a doc's long lines at word boundaries (list items continue indented).
fn wrap(doc: &str) -> String {
    const WIDTH: usize = 96;
    let mut out = String::new();
    for line in doc.lines() {
        let indent = if line.starts_with("- ") || line.starts_with("  ") { "  " } else { "" };
        let mut current = String::new();
        for word in line.split(' ') {
            if !current.is_empty() && current.len() + 1 + word.len() > WIDTH && current.trim() != "-" {
                out.push_str(current.trim_end());
                out.push('\n');
                current = indent.to_string();
            } else if !current.is_empty() && !current.ends_with(' ') {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push_str(current.trim_end());
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// Every export of every operation, in the table's order.
fn exports() -> Vec<Export> {
    let all: Vec<Export> = OPERATIONS.iter().enumerate().flat_map(|(i, op)| exports_of(i, op)).collect();
    let mut names: Vec<&str> = all.iter().map(|e| e.name.as_str()).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "two exports share a name");
    all
}

// ---------------------------------------------------------------------------------------------
// Renderings

/// The Rust type of a C type of the descriptions.
fn rust_type(c_type: &str) -> &'static str {
    match c_type {
        "const openai_client *" => "*const openai_client",
        "const char *" => "*const c_char",
        "const openai_upload *" => "*const openai_upload",
        "const openai_upload *const *" => "*const *const openai_upload",
        "size_t" => "usize",
        "void *" => "*mut c_void",
        "openai_callback" => "openai_callback",
        "openai_event_callback" => "openai_event_callback",
        "openai_progress_callback" => "openai_progress_callback",
        "openai_response **" => "*mut *mut openai_response",
        "openai_stream **" => "*mut *mut openai_stream",
        "openai_pager **" => "*mut *mut openai_pager",
        "openai_code" => "openai_code",
        "openai_future *" => "*mut openai_future",
        "openai_stream *" => "*mut openai_stream",
        other => panic!("no Rust type for {other}"),
    }
}

/// The `CInput` expression of an export.
fn c_input(e: &Export) -> String {
    let stream = matches!(e.form, "stream" | "stream_async");
    let has = |role: &str| e.args.iter().any(|a| a.role == role);
    let query = if has("query") { "Some(query_json)" } else { "None" };
    let body = if has("body") {
        "Some(body_json)"
    } else if has("fields") {
        "Some(fields_json)"
    } else {
        "None"
    };
    let files: Vec<String> = e
        .inputs
        .files()
        .iter()
        .map(|f| if f.array { format!("CFiles::Many(\"{0}\", {0}, {0}_count)", f.name) } else { format!("CFiles::One(\"{0}\", {0})", f.name) })
        .collect();
    if query == "None" && body == "None" && files.is_empty() && !stream {
        return "CInput::NONE".into();
    }
    format!("CInput {{ query: {query}, body: {body}, files: &[{}], stream: {stream} }}", files.join(", "))
}

fn render_exports(exports: &[Export]) -> String {
    let mut out = String::from(
        "//! Generated by tests/generated.rs from the descriptions of bindings/operations.json (made from the\n\
         //! operation table, src/operations/table.rs): do not edit. `cargo test --test generated` rewrites it.\n\
         \n\
         use std::ffi::{c_char, c_void};\n\
         \n\
         use super::call::{self, blocking, CFiles, CInput};\n\
         use super::client::openai_client;\n\
         use super::code::openai_code;\n\
         use super::future::{self, openai_callback, openai_future};\n\
         use super::pager::{self, openai_pager};\n\
         use super::response::openai_response;\n\
         use super::stream::{self, openai_event_callback, openai_stream};\n\
         use super::upload::{openai_progress_callback, openai_upload};\n\
         use crate::operations::OPERATIONS;\n",
    );
    for e in exports {
        out.push('\n');
        for line in e.doc.lines() {
            if line.is_empty() {
                out.push_str("///\n");
            } else {
                writeln!(out, "/// {line}").unwrap();
            }
        }
        let params: Vec<String> = e.args.iter().map(|a| format!("    {}: {},\n", a.name, rust_type(a.c_type))).collect();
        let path_params: Vec<String> = e.args.iter().filter(|a| a.role == "path_param").map(|a| format!("(\"{0}\", {0})", a.name)).collect();
        let has = |role: &str| e.args.iter().any(|a| a.role == role);
        let op = format!("&OPERATIONS[{}]", e.index);
        let pp = format!("&[{}]", path_params.join(", "));
        let input = c_input(e);
        let progress_userdata = if e.form == "to_file" { "userdata" } else { "progress_userdata" };
        let body = match e.form {
            "blocking" => format!("blocking(client, {op}, {pp}, {input}, out)"),
            "async" => format!("future::start_operation(client, {op}, {pp}, {input}, callback, userdata)"),
            "stream" => format!("stream::open_operation(client, {op}, {pp}, {input}, out)"),
            "stream_async" => format!("stream::start_operation(client, {op}, {pp}, {input}, callback, userdata)"),
            "pages" => format!("pager::for_operation(client, {op}, {pp}, {input}, out)"),
            "to_file" => format!("call::download(client, {op}, {pp}, {input}, path, (progress, {progress_userdata}), out)"),
            "to_file_async" => format!(
                "future::start_download(client, {op}, {pp}, {input}, path, (progress, {progress_userdata}), callback, userdata)"
            ),
            other => unreachable!("{other}"),
        };
        let _ = has;
        if e.args.len() > 7 {
            out.push_str("#[allow(clippy::too_many_arguments)]\n");
        }
        write!(
            out,
            "#[no_mangle]\npub unsafe extern \"C\" fn {}(\n{}) -> {} {{\n    ffi_boundary! {{\n        \
             // SAFETY: the arguments are as the header describes them (the conventions).\n        unsafe {{ {body} }}\n    }}\n}}\n",
            e.name,
            params.concat(),
            rust_type(e.returns)
        )
        .unwrap();
    }
    out
}

fn request_json(kind: &RequestKind) -> Value {
    let body = match kind.body {
        Body::None => "none",
        Body::Json => "json",
        Body::OptionalJson => "optional_json",
        Body::Multipart(_) => "multipart",
    };
    let files: Vec<Value> = kind.files().iter().map(|f| json!({"name": f.name, "required": f.required, "array": f.array})).collect();
    json!({"body": body, "query": kind.query, "files": files})
}

fn response_name(kind: ResponseKind) -> &'static str {
    match kind {
        ResponseKind::Json => "json",
        ResponseKind::JsonOrText => "json_or_text",
        ResponseKind::Bytes => "bytes",
        ResponseKind::Text => "text",
        ResponseKind::Empty => "empty",
        ResponseKind::Events => "events",
    }
}

/// bindings/operations.json: every operation with its HTTP facts, and every export with its
/// full C signature, so that no binding derives the C arguments on its own. One item per line.
fn render_bindings_table(exports: &[Export], versions: &dyn Fn(&str) -> String) -> String {
    let mut out = String::from("{\n");
    writeln!(out, "\"generated_by\": \"tests/generated.rs from the operation table (src/operations/table.rs); do not edit\",").unwrap();
    writeln!(out, "\"version\": {},", json!(env!("CARGO_PKG_VERSION"))).unwrap();
    out.push_str("\"operations\": [\n");
    let ops: Vec<String> = OPERATIONS
        .iter()
        .map(|op| {
            let (resource, method) = op.resource_and_method();
            let streaming = match op.streaming {
                Streaming::No => Value::Null,
                Streaming::Optional(f) | Streaming::Always(f) => json!({
                    "flag": match f {
                        StreamFlag::JsonStream => "json_stream",
                        StreamFlag::JsonStreamFormatSse => "json_stream_format_sse",
                        StreamFlag::MultipartStream => "multipart_stream",
                        StreamFlag::QueryStream => "query_stream",
                    },
                    "always": matches!(op.streaming, Streaming::Always(_)),
                }),
            };
            let c = op.c_name();
            let names: Vec<&str> = exports.iter().filter(|e| std::ptr::eq(e.op, op)).map(|e| e.name.as_str()).collect();
            let _ = c;
            json!({
                "name": op.name,
                "resource": resource,
                "method_name": method,
                "http_method": op.method.as_str(),
                "path": op.path,
                "path_params": op.path_params(),
                "request": request_json(&op.request),
                "seed_request": op.seed.map(|s| request_json(&s.request)),
                "response": response_name(op.response),
                "accept": op.accept,
                "streaming": streaming,
                "paging": match op.paging { Paging::None => "none", Paging::Cursor => "cursor", Paging::CursorLastId => "cursor_last_id", Paging::Page => "page" },
                "beta": op.beta,
                "alias_of": op.alias_of,
                "summary": op.summary,
                "exports": names,
            })
            .to_string()
        })
        .collect();
    out.push_str(&ops.join(",\n"));
    out.push_str("\n],\n\"exports\": [\n");
    let items: Vec<String> = exports
        .iter()
        .map(|e| {
            let (resource, method) = e.op.resource_and_method();
            let args: Vec<Value> =
                e.args.iter().map(|a| json!({"name": a.name, "type": a.c_type, "role": a.role, "nullable": a.nullable, "doc": a.doc})).collect();
            json!({
                "name": e.name,
                "form": e.form,
                "operation": e.op.name,
                "resource": resource,
                "method_name": method,
                "signature": e.signature,
                "since": versions(&e.name),
                "alias_of": e.alias_of,
                "returns": e.returns,
                "args": args,
                "doc": e.doc,
            })
            .to_string()
        })
        .collect();
    out.push_str(&items.join(",\n"));
    out.push_str("\n]\n}\n");
    out
}

/// The family an operation is listed under in the README: its first name (`vector_stores`), or
/// its first two for the `beta` and `organization` families (`beta.threads`).
fn family(op: &Operation) -> String {
    let parts: Vec<&str> = op.name.split('.').collect();
    let depth = if matches!(parts[0], "beta" | "organization") && parts.len() > 2 { 2 } else { 1 };
    parts[..depth].join(".")
}

/// The README's table of operations, grouped by resource: an index of the families, then a
/// heading and a table per family, its operations by name (the table is sorted by name).
fn render_readme_table(exports: &[Export]) -> String {
    let mut families: Vec<(String, Vec<&'static Operation>)> = Vec::new();
    for op in OPERATIONS {
        let name = family(op);
        match families.iter_mut().find(|(f, _)| *f == name) {
            Some((_, ops)) => ops.push(op),
            None => families.push((name, vec![op])),
        }
    }
    families.sort_by(|a, b| a.0.cmp(&b.0));
    // GitHub's anchor of a heading: lower case, punctuation other than `-` and `_` dropped.
    let anchor = |name: &str| name.chars().filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_').collect::<String>().to_lowercase();
    let index: Vec<String> = families.iter().map(|(f, ops)| format!("[{f}](#{}) ({})", anchor(f), ops.len())).collect();
    let mut out = format!("{} operations in {} families: {}.\n", OPERATIONS.len(), families.len(), index.join(", "));
    for (name, ops) in &families {
        write!(out, "\n### {name}\n\n| operation | HTTP | C functions |\n| --- | --- | --- |\n").unwrap();
        for op in ops {
            let functions: Vec<String> = exports.iter().filter(|e| std::ptr::eq(e.op, *op)).map(|e| format!("`{}`", e.name)).collect();
            let mut title = op.name.to_string();
            if let Some(target) = op.alias_of {
                write!(title, " (alias of {target})").unwrap();
            }
            writeln!(out, "| {} | {} {} | {} |", title, op.method.as_str(), op.path, functions.join(", ")).unwrap();
        }
    }
    out
}

/// docs/symbols-in-versions with every export in it: a name not yet listed is added with
/// [`NEXT_VERSION`].
fn render_symbols(current: &str, exports: &[Export]) -> String {
    let listed: std::collections::HashSet<&str> =
        current.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split_whitespace().next()).collect();
    let mut out = current.to_string();
    for e in exports {
        if !listed.contains(e.name.as_str()) {
            writeln!(out, "{:<62} {NEXT_VERSION}", e.name).unwrap();
        }
    }
    out
}

/// The API reference: every item of the header with its documentation, in the header's order,
/// after the header's conventions section.
fn render_api_reference(header: &str) -> String {
    let mut out = String::from(
        "# libopenai API reference\n\n\
         Generated from the documentation comments of `include/openai.h` by `tests/generated.rs`; do not\n\
         edit. Every function of the library is here; a test fails when one has no documentation.\n\n",
    );
    let lines: Vec<&str> = header.lines().collect();
    // The conventions: the opening comment.
    let end = lines.iter().position(|l| l.trim() == "*/").expect("the header opens with a comment");
    out.push_str("## Conventions\n\n```text\n");
    for line in &lines[1..end] {
        out.push_str(line.trim_start().trim_start_matches('*').strip_prefix(' ').unwrap_or(""));
        out.push('\n');
    }
    out.push_str("```\n");
    let mut entries: Vec<(String, String, String)> = Vec::new();
    let mut i = end + 1;
    while i < lines.len() {
        if lines[i].trim_start() != "/**" || lines[i].starts_with(' ') {
            i += 1;
            continue;
        }
        let mut doc = String::new();
        i += 1;
        while lines[i].trim() != "*/" {
            let text = lines[i].trim_start().trim_start_matches('*');
            doc.push_str(text.strip_prefix(' ').unwrap_or(text));
            doc.push('\n');
            i += 1;
        }
        i += 1;
        // The item: up to its terminating semicolon at depth 0 (enums and structs span lines).
        let mut item = String::new();
        let mut depth = 0i32;
        while i < lines.len() {
            let line = lines[i];
            item.push_str(line);
            item.push('\n');
            depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            i += 1;
            if depth == 0 && (line.trim_end().ends_with(';') || line.starts_with("#define")) {
                break;
            }
        }
        let name = item_name(&item);
        entries.push((name, doc, item));
    }
    out.push_str("\n## Contents\n\n");
    for (name, _, _) in &entries {
        writeln!(out, "- [`{name}`](#{})", name.to_lowercase()).unwrap();
    }
    for (name, doc, item) in &entries {
        write!(out, "\n## {name}\n\n```c\n{}```\n\n{}", item, doc.trim_end()).unwrap();
        out.push('\n');
    }
    out
}

/// The name an item of the header declares.
fn item_name(item: &str) -> String {
    let first = item.lines().next().unwrap_or("");
    if let Some(rest) = first.strip_prefix("#define ") {
        return rest.split_whitespace().next().unwrap_or("").to_string();
    }
    if let Some(at) = first.find("(*") {
        return first[at + 2..].split(')').next().unwrap_or("").to_string();
    }
    if first.starts_with("typedef struct") && first.trim_end().ends_with(';') {
        return first.trim_end_matches(';').split_whitespace().last().unwrap_or("").to_string();
    }
    if first.starts_with("typedef") {
        let last = item.trim_end().lines().last().unwrap_or("");
        return last.trim_start_matches('}').trim().trim_end_matches(';').to_string();
    }
    let before = &item[..item.find('(').unwrap_or(item.len())];
    before.rsplit(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("").to_string()
}

#[test]
fn generated_files_are_current() {
    let exports = exports();
    let mut stale = Vec::new();
    let symbols_path = root().join("docs/symbols-in-versions");
    let symbols = render_symbols(&std::fs::read_to_string(&symbols_path).expect("docs/symbols-in-versions"), &exports);
    if ensure(&symbols_path, &symbols) {
        stale.push(symbols_path.display().to_string());
    }
    let version_of = |name: &str| -> String {
        symbols
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or(NEXT_VERSION)
            .to_string()
    };
    let rendered_exports = root().join("src/ffi/operations_gen.rs");
    if ensure(&rendered_exports, &render_exports(&exports)) {
        stale.push(rendered_exports.display().to_string());
    }
    let bindings_table = root().join("bindings/operations.json");
    if ensure(&bindings_table, &render_bindings_table(&exports, &version_of)) {
        stale.push(bindings_table.display().to_string());
    }
    let header = std::fs::read_to_string(root().join("include/openai.h")).expect("include/openai.h");
    let reference = root().join("docs/API.md");
    if ensure(&reference, &render_api_reference(&header)) {
        stale.push(reference.display().to_string());
    }
    let readme_path = root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).expect("README.md");
    let updated = splice(&readme, "<!-- operations:begin -->", "<!-- operations:end -->", &render_readme_table(&exports));
    if ensure(&readme_path, &updated) {
        stale.push(readme_path.display().to_string());
    }
    assert!(stale.is_empty(), "regenerated from the operation table (review and commit): {stale:?}");
}

#[test]
fn the_seed_exports_keep_their_signatures() {
    // The 0.1.0 exports' arguments, by name, as they were: a C ABI is a promise.
    let exports = exports();
    let args = |name: &str| -> Vec<String> {
        let e = exports.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("{name} is not exported"));
        e.args.iter().map(|a| format!("{} {}", a.c_type, a.name)).collect()
    };
    assert_eq!(
        args("openai_images_edit"),
        ["const openai_client * client", "const char * fields_json", "const openai_upload * image", "const openai_upload * mask", "openai_response ** out"]
    );
    assert_eq!(args("openai_beta_threads_runs_create"), ["const openai_client * client", "const char * thread_id", "const char * body_json", "openai_response ** out"]);
    assert_eq!(
        args("openai_beta_threads_runs_steps_retrieve"),
        ["const openai_client * client", "const char * thread_id", "const char * run_id", "const char * step_id", "openai_response ** out"]
    );
    assert_eq!(
        args("openai_beta_threads_runs_create_and_stream_async"),
        ["const openai_client * client", "const char * thread_id", "const char * body_json", "openai_event_callback callback", "void * userdata"]
    );
    assert_eq!(
        args("openai_images_edit_ex"),
        [
            "const openai_client * client",
            "const char * fields_json",
            "const openai_upload *const * image",
            "size_t image_count",
            "const openai_upload * mask",
            "openai_response ** out"
        ]
    );
}
