//! A request ready to send: built from an operation of the table and the caller's arguments, or
//! from the generic call's method and path. Every check of the caller's input happens here, before
//! anything is sent: empty path parameters, JSON that does not parse, a query that is not an object.

use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{Map, Value};

use std::sync::Arc;

use crate::operations::{Body as BodyKind, Method, Operation, ResponseKind, StreamFlag, Streaming, OPERATIONS};
use crate::upload::{Form, Upload};

/// Bytes that must be escaped inside one path segment: everything but RFC 3986's `pchar`
/// (unreserved, sub-delims, `:` and `@`), so that a parameter can never add a segment, a query
/// or a fragment.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Bytes escaped in query keys and values: everything but unreserved characters. Keys keep
/// their brackets (`include[]=…`, as the official SDK writes arrays).
const QUERY_VALUE: &AsciiSet = &PATH_SEGMENT
    .add(b'&')
    .add(b'=')
    .add(b'+')
    .add(b';')
    .add(b'!')
    .add(b'$')
    .add(b'\'')
    .add(b'(')
    .add(b')')
    .add(b'*')
    .add(b',')
    .add(b':')
    .add(b'@');
const QUERY_KEY: &AsciiSet = &QUERY_VALUE.remove(b'[').remove(b']');

/// The caller's input was unusable; the message says which argument and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidArgument(pub String);

impl From<InvalidArgument> for crate::response::Response {
    fn from(e: InvalidArgument) -> crate::response::Response {
        crate::response::Response::failure(crate::response::Outcome::InvalidArgument, e.0)
    }
}

impl std::fmt::Display for InvalidArgument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn invalid<T>(message: impl Into<String>) -> Result<T, InvalidArgument> {
    Err(InvalidArgument(message.into()))
}

/// A request body.
#[derive(Clone, Debug)]
pub enum Body {
    None,
    /// JSON text, sent byte for byte as the caller wrote it.
    Json(Bytes),
    /// A multipart form, encoded anew for each attempt so that a retry re-sends every file.
    Multipart(Form),
}

/// What the caller gives an operation besides its path parameters: everything any form of any
/// operation takes, read from the caller's arguments.
#[derive(Clone, Debug, Default)]
pub struct Inputs<'a> {
    /// The JSON object of query parameters; `None`: no parameters.
    pub query: Option<&'a str>,
    /// The JSON body, or a multipart form's other fields as a JSON object; `None`: none given.
    pub body: Option<&'a str>,
    /// The files of a multipart form, by field, in the table's order.
    pub files: Vec<Files>,
    /// Ask for the operation's event stream (its `_stream` forms).
    pub stream: bool,
}

/// The files a caller gives one file field of a multipart operation.
#[derive(Clone, Debug)]
pub enum Files {
    /// One file or none, sent as a part named after the field, as the official SDK sends a
    /// single file.
    One(&'static str, Option<Arc<Upload>>),
    /// Any number of files, each sent as a `name[]` part, as the official SDK sends a list.
    Many(&'static str, Vec<Arc<Upload>>),
}

/// A request, checked and ready to send.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    /// The encoded path relative to the base URL; it starts with `/` and may carry a query.
    pub path: String,
    /// The encoded query from the caller's JSON (without `?`), possibly empty.
    pub query: String,
    pub body: Body,
    pub accept: &'static str,
    /// The `OpenAI-Beta` value to send, if any.
    pub beta: Option<&'static str>,
    /// Whether the response is an event stream (changes how the timeout applies).
    pub stream: bool,
    /// What a successful response's body must be.
    pub expects: Expect,
}

/// What a successful response's body must be, to be handed back with `Outcome::Ok`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Anything (binary content, the generic call).
    Anything,
    /// JSON.
    Json,
    /// JSON when the response says it is (`content-type: application/json`), else text.
    JsonWhenDeclared,
}

impl Expect {
    fn of(op: &Operation) -> Expect {
        match op.response {
            ResponseKind::Json => Expect::Json,
            ResponseKind::JsonOrText => Expect::JsonWhenDeclared,
            ResponseKind::Bytes | ResponseKind::Text | ResponseKind::Empty | ResponseKind::Events => Expect::Anything,
        }
    }
}

impl Request {
    /// The one constructor of an operation's request: `op` with `params` in path order and the
    /// caller's `inputs`, checked against what the operation takes. The stream flag is added the
    /// way the operation asks for its stream (`"stream": true`, a `stream=true` field or query
    /// parameter, `"stream_format": "sse"`), and always for an operation that only streams.
    pub fn for_operation(op: &Operation, params: &[&str], inputs: Inputs<'_>) -> Result<Request, InvalidArgument> {
        let path = render_path(op, params)?;
        let flag = match (inputs.stream, op.streaming) {
            (_, Streaming::Always(flag)) | (true, Streaming::Optional(flag)) => Some(flag),
            (false, _) => None,
            (true, Streaming::No) => return invalid(format!("{} does not stream", op.name)),
        };
        let mut query = String::new();
        match inputs.query {
            Some(_) if !op.request.query => return invalid(format!("{} takes no query parameters", op.name)),
            Some(json) => encode_query(&parse_query(json)?, &mut query),
            None => {}
        }
        if flag == Some(StreamFlag::QueryStream) {
            set_query_stream(&mut query)?;
        }
        let body = match op.request.body {
            BodyKind::None => {
                if inputs.body.is_some() {
                    return invalid(format!("{} takes no body", op.name));
                }
                Body::None
            }
            BodyKind::Json | BodyKind::OptionalJson => {
                let json = match inputs.body {
                    Some(json) => json,
                    None if op.request.body == BodyKind::OptionalJson => "{}",
                    None => return invalid("body_json is NULL; this operation needs a JSON body"),
                };
                Body::Json(match flag {
                    Some(StreamFlag::JsonStream) => with_member(json, "stream", &Value::Bool(true))?,
                    Some(StreamFlag::JsonStreamFormatSse) => with_member(json, "stream_format", &Value::String("sse".into()))?,
                    _ => checked_object(json)?,
                })
            }
            BodyKind::Multipart(fields) => {
                let mut parts = Vec::new();
                for files in inputs.files {
                    let (name, uploads) = match files {
                        Files::One(name, upload) => (name.to_string(), upload.into_iter().collect::<Vec<_>>()),
                        Files::Many(name, uploads) => (format!("{name}[]"), uploads),
                    };
                    let field = fields.iter().find(|f| name.trim_end_matches("[]") == f.name);
                    let Some(field) = field else { return invalid(format!("{} has no file field {name}", op.name)) };
                    if field.required && uploads.is_empty() {
                        return invalid(format!("{} needs at least one file", field.name));
                    }
                    parts.extend(uploads.into_iter().map(|u| (name.clone(), u)));
                }
                let mut form = Form::new(inputs.body, parts)?;
                if flag == Some(StreamFlag::MultipartStream) {
                    form.set_stream_field()?;
                }
                Body::Multipart(form)
            }
        };
        let stream = flag.is_some();
        Ok(Request {
            method: op.method,
            path,
            query,
            body,
            accept: op.accept,
            beta: op.beta,
            stream,
            expects: if stream { Expect::Anything } else { Expect::of(op) },
        })
    }

    /// The generic call: any method and path relative to the base URL (`/responses`,
    /// `/vector_stores?limit=2`). The `OpenAI-Beta` header is sent when the path is one of the
    /// beta family's in the table.
    pub fn generic(
        method: &str,
        path: &str,
        query_json: Option<&str>,
        body: Option<&str>,
        stream: bool,
    ) -> Result<Request, InvalidArgument> {
        let Some(method) = Method::parse(method) else {
            return invalid(format!("method \"{method}\" is not one of GET, POST, DELETE, PUT, PATCH"));
        };
        check_generic_path(path)?;
        let mut query = String::new();
        if let Some(json) = query_json {
            encode_query(&parse_query(json)?, &mut query);
        }
        let body = match body {
            None => Body::None,
            Some(json) => {
                serde_json::from_str::<serde::de::IgnoredAny>(json)
                    .or_else(|e| invalid(format!("body is not valid JSON: {e}")))?;
                Body::Json(Bytes::copy_from_slice(json.as_bytes()))
            }
        };
        Ok(Request {
            method,
            path: path.to_string(),
            query,
            body,
            accept: "application/json",
            beta: beta_of_path(path),
            stream,
            expects: Expect::Anything,
        })
    }

    /// The method and path, for log lines ("POST /chat/completions").
    pub fn describe(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }

    /// The same request with `name=<value>` in place of any `name` the caller gave (the cursor
    /// of pagination: `after`, or `page`).
    pub fn with_query_param(&self, name: &str, value: &str) -> Request {
        let prefix = format!("{name}=");
        let mut query: Vec<&str> = self.query.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with(&prefix)).collect();
        let pair = format!("{prefix}{}", utf8_percent_encode(value, QUERY_VALUE));
        query.push(&pair);
        Request { query: query.join("&"), ..self.clone() }
    }

    /// The path and query to append to the base URL, with the client's default query first.
    pub fn target(&self, default_query: &str) -> String {
        let mut target = self.path.clone();
        let mut separator = if target.contains('?') { '&' } else { '?' };
        for part in [default_query, self.query.as_str()] {
            if !part.is_empty() {
                target.push(separator);
                target.push_str(part);
                separator = '&';
            }
        }
        target
    }
}

/// Substitutes the percent-encoded parameters into the operation's path template.
fn render_path(op: &Operation, params: &[&str]) -> Result<String, InvalidArgument> {
    let names = op.path_params();
    if names.len() != params.len() {
        return invalid(format!("{} takes {} path parameters, not {}", op.name, names.len(), params.len()));
    }
    let mut path = String::with_capacity(op.path.len() + params.iter().map(|p| p.len()).sum::<usize>());
    let mut rest = op.path;
    for (name, value) in names.iter().zip(params) {
        if value.is_empty() {
            return invalid(format!("{name} must not be empty"));
        }
        // "." and ".." would be resolved away by URL normalization and change the path.
        if *value == "." || *value == ".." {
            return invalid(format!("{name} must not be \"{value}\""));
        }
        let open = rest.find('{').expect("template has a placeholder per parameter");
        let close = rest[open..].find('}').expect("closed placeholder") + open;
        path.push_str(&rest[..open]);
        path.extend(utf8_percent_encode(value, PATH_SEGMENT));
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    Ok(path)
}

/// Checks a caller's path. It can never leave the base URL's path: a URL parser resolves `.`
/// and `..` segments also when they are percent-encoded (`%2e%2e`), and takes `\` for `/`, so
/// the path is refused when its segments, once decoded (an encoded `/` or `\` splitting them
/// too), hold a dot segment. The transport checks the final URL once more.
fn check_generic_path(path: &str) -> Result<(), InvalidArgument> {
    if !path.starts_with('/') {
        return invalid(format!("path \"{path}\" must start with '/' (it is relative to the base URL)"));
    }
    if let Some(c) = path.chars().find(|c| c.is_control() || *c == ' ' || *c == '#' || *c == '\\' || !c.is_ascii()) {
        return invalid(format!("path contains {c:?}; percent-encode it"));
    }
    let path_part = path.split('?').next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(path_part).decode_utf8_lossy();
    if decoded.split(['/', '\\']).any(|s| s == "." || s == "..") {
        return invalid("path must not contain \".\" or \"..\" segments (also percent-encoded)");
    }
    Ok(())
}

/// The `OpenAI-Beta` value of the table's operation at a path (with its parameters filled in):
/// the generic call sends what the named operation would.
fn beta_of_path(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or("");
    let matches = |template: &str| {
        let mut t = template.split('/');
        let mut p = path.split('/');
        loop {
            match (t.next(), p.next()) {
                (None, None) => return true,
                (Some(ts), Some(ps)) if ts.starts_with('{') && !ps.is_empty() => {}
                (Some(ts), Some(ps)) if ts == ps => {}
                _ => return false,
            }
        }
    };
    // Second names (beta.files is /files with the header) and routes that need a fixed query
    // (`?beta=true`) are not what a plain path means.
    OPERATIONS
        .iter()
        .filter(|op| op.alias_of.is_none() && !op.path.contains('?'))
        .find(|op| matches(op.path))
        .and_then(|op| op.beta)
}

/// Checks that `json` is a JSON object and returns its bytes unchanged.
fn checked_object(json: &str) -> Result<Bytes, InvalidArgument> {
    // The common case, an object, is checked without building it (no map, no allocation).
    if json.trim_start().starts_with('{') {
        return match serde_json::from_str::<serde::de::IgnoredAny>(json) {
            Ok(_) => Ok(Bytes::copy_from_slice(json.as_bytes())),
            Err(e) => invalid(format!("body_json is not valid JSON: {e}")),
        };
    }
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(_)) => Ok(Bytes::copy_from_slice(json.as_bytes())),
        Ok(_) => invalid("body_json must be a JSON object"),
        Err(e) => invalid(format!("body_json is not valid JSON: {e}")),
    }
}

/// The caller's JSON object with `"stream": true`: unchanged when it already says so, else with
/// the member added right after the opening brace so the caller's bytes are otherwise kept.
pub fn with_stream_true(json: &str) -> Result<Bytes, InvalidArgument> {
    with_member(json, "stream", &Value::Bool(true))
}

/// The caller's JSON object with `"name": value`: unchanged when it already has that value, else
/// with the member added right after the opening brace, the caller's bytes otherwise kept. A
/// different value is refused: a streaming call cannot honour it.
fn with_member(json: &str, name: &str, value: &Value) -> Result<Bytes, InvalidArgument> {
    let object = match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return invalid("body_json must be a JSON object"),
        Err(e) => return invalid(format!("body_json is not valid JSON: {e}")),
    };
    match object.get(name) {
        Some(v) if v == value => Ok(Bytes::copy_from_slice(json.as_bytes())),
        Some(other) => invalid(format!("body_json has \"{name}\": {other}; a streaming call needs {value} or no value")),
        None => {
            let brace = json.find('{').expect("a JSON object starts with a brace");
            let separator = if object.is_empty() { "" } else { "," };
            Ok(Bytes::from(format!("{}{{\"{name}\":{value}{separator}{}", &json[..brace], &json[brace + 1..])))
        }
    }
}

/// Adds `stream=true` to an encoded query, refusing a caller's `stream` of another value.
fn set_query_stream(query: &mut String) -> Result<(), InvalidArgument> {
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("stream", "true")) => return Ok(()),
            Some(("stream", other)) => return invalid(format!("query_json has \"stream\": {other}; a streaming call needs true or no value")),
            _ => {}
        }
    }
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str("stream=true");
    Ok(())
}

pub(crate) fn parse_query(json: &str) -> Result<Map<String, Value>, InvalidArgument> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => invalid("query_json must be a JSON object"),
        Err(e) => invalid(format!("query_json is not valid JSON: {e}")),
    }
}

/// Flattens a JSON object into name/value pairs the way the official SDK encodes query
/// parameters and multipart fields: strings as they are, numbers and booleans as their JSON
/// text, arrays as repeated `name[]`, objects as `name[key]`, nulls left out.
pub fn flatten(map: &Map<String, Value>) -> Vec<(String, String)> {
    fn pair(name: String, value: &Value, out: &mut Vec<(String, String)>) {
        let text = match value {
            Value::Null => return,
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Array(items) => {
                items.iter().for_each(|item| pair(format!("{name}[]"), item, out));
                return;
            }
            Value::Object(map) => {
                map.iter().for_each(|(key, item)| pair(format!("{name}[{key}]"), item, out));
                return;
            }
        };
        out.push((name, text));
    }
    let mut out = Vec::with_capacity(map.len());
    map.iter().for_each(|(name, value)| pair(name.clone(), value, &mut out));
    out
}

/// Encodes a JSON object as a query string (see [`flatten`]), appending to `out`.
pub fn encode_query(map: &Map<String, Value>, out: &mut String) {
    for (name, value) in flatten(map) {
        if !out.is_empty() {
            out.push('&');
        }
        out.extend(utf8_percent_encode(&name, QUERY_KEY));
        out.push('=');
        out.extend(utf8_percent_encode(&value, QUERY_VALUE));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::find;

    fn with_query(json: &str) -> Inputs<'_> {
        Inputs { query: Some(json), ..Inputs::default() }
    }

    fn with_body(json: &str) -> Inputs<'_> {
        Inputs { body: Some(json), ..Inputs::default() }
    }

    #[test]
    fn path_parameters_are_encoded_and_checked() {
        let op = find("beta.threads.messages.retrieve").unwrap();
        let r = Request::for_operation(op, &["thread a/b", "msg?#%"], Inputs::default()).unwrap();
        assert_eq!(r.path, "/threads/thread%20a%2Fb/messages/msg%3F%23%25");
        let model = find("models.retrieve").unwrap();
        let r = Request::for_operation(model, &["ft:gpt-4o:org:x@y"], Inputs::default()).unwrap();
        assert_eq!(r.path, "/models/ft:gpt-4o:org:x@y");
        for bad in ["", ".", ".."] {
            let e = Request::for_operation(model, &[bad], Inputs::default()).unwrap_err();
            assert!(e.0.starts_with("model must not be"), "{e}");
        }
    }

    #[test]
    fn queries_are_encoded_as_the_sdk_does() {
        let op = find("files.list").unwrap();
        let json = r#"{"limit":2,"purpose":"fine tune","after":null,"include":["a&b","c"],"meta":{"k":true}}"#;
        let r = Request::for_operation(op, &[], with_query(json)).unwrap();
        assert_eq!(r.query, "limit=2&purpose=fine%20tune&include[]=a%26b&include[]=c&meta[k]=true");
        assert_eq!(r.target("x=1"), "/files?x=1&limit=2&purpose=fine%20tune&include[]=a%26b&include[]=c&meta[k]=true");
        let paged = r.with_query_param("after", "file-9");
        assert!(paged.query.ends_with("&after=file-9"));
        assert!(Request::for_operation(op, &[], with_query("[1]")).is_err());
    }

    #[test]
    fn bodies_are_checked_and_kept_byte_for_byte() {
        let op = find("chat.completions.create").unwrap();
        let body = "{ \"model\" :\"m\",\n\"x\":[1, 2.50] }";
        let r = Request::for_operation(op, &[], with_body(body)).unwrap();
        assert!(matches!(&r.body, Body::Json(b) if b == body.as_bytes()));
        assert!(Request::for_operation(op, &[], with_body("{\"a\":")).is_err());
        assert!(Request::for_operation(op, &[], with_body("[]")).is_err());
        assert!(Request::for_operation(op, &[], Inputs::default()).is_err());
        let threads = find("beta.threads.create").unwrap();
        let r = Request::for_operation(threads, &[], Inputs::default()).unwrap();
        assert!(matches!(&r.body, Body::Json(b) if b == "{}"));
        assert_eq!(r.beta, Some("assistants=v2"));
    }

    #[test]
    fn stream_true_is_added_only_when_missing() {
        assert_eq!(with_stream_true(" {\"a\":1}").unwrap(), " {\"stream\":true,\"a\":1}");
        assert_eq!(with_stream_true("{}").unwrap(), "{\"stream\":true}");
        assert_eq!(with_stream_true("{\"stream\":true}").unwrap(), "{\"stream\":true}");
        assert!(with_stream_true("{\"stream\":false}").is_err());
    }

    #[test]
    fn generic_paths_are_checked_and_beta_is_found_in_the_table() {
        let r = Request::generic("POST", "/threads/t1/runs", None, Some("{}"), false).unwrap();
        assert_eq!(r.beta, Some("assistants=v2"));
        assert_eq!(Request::generic("GET", "/files", None, None, false).unwrap().beta, None);
        assert_eq!(Request::generic("GET", "/responses/r1", None, None, false).unwrap().beta, None);
        assert_eq!(Request::generic("GET", "/chatkit/threads", None, None, false).unwrap().beta, Some("chatkit_beta=v1"));
        assert_eq!(
            Request::generic("GET", "/files?purpose=x", Some(r#"{"limit":1}"#), None, false).unwrap().target(""),
            "/files?purpose=x&limit=1"
        );
        for bad in [
            "files",
            "/a b",
            "/x/../y",
            "/é",
            "/models/%2e%2e/%2e%2e/admin",
            "/models/%2E%2e/admin",
            "/models/.%2E/admin",
            "/models/..%2Fadmin",
            "/models/..%5Cadmin",
            "/models\\..\\..\\admin",
            "/models/%2e/x",
        ] {
            assert!(Request::generic("GET", bad, None, None, false).is_err(), "{bad}");
        }
        assert!(Request::generic("FETCH", "/x", None, None, false).is_err());
        assert!(Request::generic("POST", "/x", None, Some("{"), false).is_err());
    }

    #[test]
    fn every_input_goes_through_one_constructor() {
        // A JSON body and a query (runs.create's include[]), streamed.
        let runs = find("beta.threads.runs.create").unwrap();
        let inputs = Inputs { query: Some(r#"{"include":["step_details"]}"#), body: Some(r#"{"assistant_id":"a"}"#), stream: true, ..Inputs::default() };
        let r = Request::for_operation(runs, &["t1"], inputs).unwrap();
        assert_eq!((r.path.as_str(), r.query.as_str()), ("/threads/t1/runs", "include[]=step_details"));
        assert!(matches!(&r.body, Body::Json(b) if b == r#"{"stream":true,"assistant_id":"a"}"#));
        assert!(r.stream && r.expects == Expect::Anything);
        // The stream of speech is asked for with stream_format; of a response, in the query.
        let speech = find("audio.speech.create").unwrap();
        let r = Request::for_operation(speech, &[], Inputs { body: Some("{}"), stream: true, ..Inputs::default() }).unwrap();
        assert!(matches!(&r.body, Body::Json(b) if b == r#"{"stream_format":"sse"}"#));
        let resume = find("responses.retrieve").unwrap();
        let r = Request::for_operation(resume, &["resp_1"], Inputs { query: Some(r#"{"starting_after":3}"#), stream: true, ..Inputs::default() }).unwrap();
        assert_eq!(r.query, "starting_after=3&stream=true");
        // Multipart: several files of one field as name[], the stream as a field.
        let edit = find("images.edit").unwrap();
        let png = || Arc::new(Upload::from_memory(Bytes::from_static(b"png"), Some("a.png"), None));
        let inputs = Inputs {
            body: Some(r#"{"prompt":"p"}"#),
            files: vec![Files::Many("image", vec![png(), png()]), Files::One("mask", None)],
            stream: true,
            ..Inputs::default()
        };
        let r = Request::for_operation(edit, &[], inputs).unwrap();
        let Body::Multipart(form) = &r.body else { panic!("multipart") };
        assert_eq!(form.fields(), [("prompt".to_string(), "p".to_string()), ("stream".to_string(), "true".to_string())]);
        assert_eq!(form.file_names(), ["image[]", "image[]"]);
        // What an operation does not take is refused.
        assert!(Request::for_operation(find("models.list").unwrap(), &[], with_query("{}")).is_err());
        assert!(Request::for_operation(find("models.list").unwrap(), &[], Inputs { stream: true, ..Inputs::default() }).is_err());
        let no_image = Inputs { files: vec![Files::Many("image", vec![])], ..Inputs::default() };
        assert_eq!(Request::for_operation(edit, &[], no_image).unwrap_err().0, "image needs at least one file");
        assert!(with_member(r#"{"stream_format":"audio"}"#, "stream_format", &Value::String("sse".into())).is_err());
    }
}
