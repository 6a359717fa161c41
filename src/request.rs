//! A request ready to send: built from an operation of the table and the caller's arguments, or
//! from the generic call's method and path. Every check of the caller's input happens here, before
//! anything is sent: empty path parameters, JSON that does not parse, a query that is not an object.

use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{Map, Value};

use crate::operations::{Method, Operation, RequestKind, ResponseKind, Streaming, OPERATIONS};
use crate::upload::Form;

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

/// What the caller gives an operation besides its path parameters.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    None,
    /// The JSON body; `None` where the operation allows leaving it out.
    Json(Option<&'a str>),
    /// The JSON object of query parameters; `None`: no parameters.
    Query(Option<&'a str>),
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
    /// Whether to send `OpenAI-Beta`.
    pub beta: bool,
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
            ResponseKind::Bytes | ResponseKind::Events => Expect::Anything,
        }
    }
}

impl Request {
    /// A request for `op`, with `params` in path order.
    pub fn for_operation(op: &Operation, params: &[&str], input: Input<'_>) -> Result<Request, InvalidArgument> {
        let path = render_path(op, params)?;
        let mut query = String::new();
        let body = match (op.request, input) {
            (RequestKind::Empty, Input::None) => Body::None,
            (RequestKind::Query, Input::Query(json)) => {
                if let Some(json) = json {
                    encode_query(&parse_query(json)?, &mut query);
                }
                Body::None
            }
            (RequestKind::Json, Input::Json(Some(json))) | (RequestKind::OptionalJson, Input::Json(Some(json))) => {
                let json = if op.streaming == Streaming::Always { with_stream_true(json)? } else { checked_object(json)? };
                Body::Json(json)
            }
            (RequestKind::Json, Input::Json(None)) => return invalid("body_json is NULL; this operation needs a JSON body"),
            (RequestKind::OptionalJson, Input::Json(None)) => Body::Json(Bytes::from_static(b"{}")),
            _ => return invalid(format!("{} does not take this kind of input", op.name)),
        };
        Ok(Request {
            method: op.method,
            path,
            query,
            body,
            accept: op.accept(),
            beta: op.beta,
            stream: op.response == ResponseKind::Events,
            expects: Expect::of(op),
        })
    }

    /// A request for an operation whose body is a multipart form.
    pub fn multipart(op: &Operation, params: &[&str], form: Form) -> Result<Request, InvalidArgument> {
        if !matches!(op.request, RequestKind::Multipart(_)) {
            return invalid(format!("{} does not take a multipart form", op.name));
        }
        Ok(Request {
            method: op.method,
            path: render_path(op, params)?,
            query: String::new(),
            body: Body::Multipart(form),
            accept: op.accept(),
            beta: op.beta,
            stream: false,
            expects: Expect::of(op),
        })
    }

    /// The streaming form of an operation: the body is sent with `"stream": true`.
    pub fn streaming(op: &Operation, params: &[&str], body_json: &str) -> Result<Request, InvalidArgument> {
        if op.streaming == Streaming::No {
            return invalid(format!("{} does not stream", op.name));
        }
        Ok(Request {
            method: op.method,
            path: render_path(op, params)?,
            query: String::new(),
            body: Body::Json(with_stream_true(body_json)?),
            accept: op.accept(),
            beta: op.beta,
            stream: true,
            expects: Expect::Anything,
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
            beta: is_beta_path(path),
            stream,
            expects: Expect::Anything,
        })
    }

    /// The method and path, for log lines ("POST /chat/completions").
    pub fn describe(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }

    /// The same request with `after=<id>` in place of any `after` the caller gave (pagination).
    pub fn with_after(&self, after: &str) -> Request {
        let mut query: Vec<&str> =
            self.query.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("after=")).collect();
        let after = format!("after={}", utf8_percent_encode(after, QUERY_VALUE));
        query.push(&after);
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

/// Whether a path (with its parameters filled in) is one of the beta family's in the table.
fn is_beta_path(path: &str) -> bool {
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
    OPERATIONS.iter().find(|op| matches(op.path)).is_some_and(|op| op.beta)
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
    let object = match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return invalid("body_json must be a JSON object"),
        Err(e) => return invalid(format!("body_json is not valid JSON: {e}")),
    };
    match object.get("stream") {
        Some(Value::Bool(true)) => Ok(Bytes::copy_from_slice(json.as_bytes())),
        Some(other) => invalid(format!("body_json has \"stream\": {other}; a streaming call needs true or no value")),
        None => {
            let brace = json.find('{').expect("a JSON object starts with a brace");
            let separator = if object.is_empty() { "" } else { "," };
            Ok(Bytes::from(format!("{}{{\"stream\":true{separator}{}", &json[..brace], &json[brace + 1..])))
        }
    }
}

fn parse_query(json: &str) -> Result<Map<String, Value>, InvalidArgument> {
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

    #[test]
    fn path_parameters_are_encoded_and_checked() {
        let op = find("beta.threads.messages.retrieve").unwrap();
        let r = Request::for_operation(op, &["thread a/b", "msg?#%"], Input::None).unwrap();
        assert_eq!(r.path, "/threads/thread%20a%2Fb/messages/msg%3F%23%25");
        let model = find("models.retrieve").unwrap();
        let r = Request::for_operation(model, &["ft:gpt-4o:org:x@y"], Input::None).unwrap();
        assert_eq!(r.path, "/models/ft:gpt-4o:org:x@y");
        for bad in ["", ".", ".."] {
            let e = Request::for_operation(model, &[bad], Input::None).unwrap_err();
            assert!(e.0.starts_with("model must not be"), "{e}");
        }
    }

    #[test]
    fn queries_are_encoded_as_the_sdk_does() {
        let op = find("files.list").unwrap();
        let json = r#"{"limit":2,"purpose":"fine tune","after":null,"include":["a&b","c"],"meta":{"k":true}}"#;
        let r = Request::for_operation(op, &[], Input::Query(Some(json))).unwrap();
        assert_eq!(r.query, "limit=2&purpose=fine%20tune&include[]=a%26b&include[]=c&meta[k]=true");
        assert_eq!(r.target("x=1"), "/files?x=1&limit=2&purpose=fine%20tune&include[]=a%26b&include[]=c&meta[k]=true");
        let paged = r.with_after("file-9");
        assert!(paged.query.ends_with("&after=file-9"));
        assert!(Request::for_operation(op, &[], Input::Query(Some("[1]"))).is_err());
    }

    #[test]
    fn bodies_are_checked_and_kept_byte_for_byte() {
        let op = find("chat.completions.create").unwrap();
        let body = "{ \"model\" :\"m\",\n\"x\":[1, 2.50] }";
        let r = Request::for_operation(op, &[], Input::Json(Some(body))).unwrap();
        assert!(matches!(&r.body, Body::Json(b) if b == body.as_bytes()));
        assert!(Request::for_operation(op, &[], Input::Json(Some("{\"a\":"))).is_err());
        assert!(Request::for_operation(op, &[], Input::Json(Some("[]"))).is_err());
        assert!(Request::for_operation(op, &[], Input::Json(None)).is_err());
        let threads = find("beta.threads.create").unwrap();
        let r = Request::for_operation(threads, &[], Input::Json(None)).unwrap();
        assert!(matches!(&r.body, Body::Json(b) if b == "{}"));
        assert!(r.beta);
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
        assert!(r.beta);
        assert!(!Request::generic("GET", "/files", None, None, false).unwrap().beta);
        assert!(!Request::generic("GET", "/responses/r1", None, None, false).unwrap().beta);
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
}
