//! Reads the OpenAI API specification (OpenAPI 3.1, YAML) and the naming file beside it, and
//! renders what libopenai derives from them:
//!
//! - the operation table, `src/operations/table.rs`: every route with its name (the official
//!   SDK's `resource.method`), method, path template, request and response kinds, how it streams
//!   and pages, the `OpenAI-Beta` value it needs, a one-line summary, and the alias relation;
//! - the mock server's examples, `tests/mock_server/src/examples.json`: for every route, the
//!   body the server answers (the specification's example where it has a valid one, else an
//!   instance built from the response schema), and the event stream of the streaming routes.
//!
//! Names: the specification's examples call the official Python SDK (`client.responses.create(`),
//! which names most routes; the naming file names the rest, and the administration routes are
//! named after their paths (`organization.projects.api_keys.list`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{json, Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// What [`generate`] renders.
pub struct Outputs {
    /// `src/operations/table.rs`.
    pub table: String,
    /// `tests/mock_server/src/examples.json`.
    pub examples: String,
}

/// Paths of the inputs and outputs, relative to the repository root.
pub const SPEC: &str = "docs/openapi/openapi-2026-08.yaml";
pub const NAMING: &str = "docs/openapi/naming.yaml";
pub const TABLE: &str = "src/operations/table.rs";
pub const EXAMPLES: &str = "tests/mock_server/src/examples.json";

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Renders the table and the examples from the specification's and the naming file's text.
pub fn generate(spec_yaml: &str, naming_yaml: &str) -> Result<Outputs, String> {
    let spec = Spec { root: parse_yaml(spec_yaml, "the specification")? };
    let naming = Naming::parse(&parse_yaml(naming_yaml, "the naming file")?)?;
    let routes = spec.routes()?;
    let mut rows = Vec::new();
    let names = name_routes(&spec, &routes, &naming)?;
    for (route, name) in routes.iter().zip(&names) {
        rows.push(describe(&spec, route, name, &naming)?);
    }
    let examples = render_examples(&spec, &routes, &rows)?;
    add_aliases_and_seeds(&mut rows, &naming)?;
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    check_unique(&rows)?;
    let table = render_table(&rows);
    Ok(Outputs { table, examples })
}

// ---------------------------------------------------------------------------------------------
// YAML

fn parse_yaml(text: &str, what: &str) -> Result<Value, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("{what} is not valid YAML: {e}"))?;
    let doc = docs.into_iter().next().ok_or_else(|| format!("{what} is empty"))?;
    Ok(to_json(&doc))
}

/// A YAML node as JSON (the specification is JSON-compatible YAML).
fn to_json(node: &Yaml) -> Value {
    match node {
        Yaml::Real(text) => text.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number),
        Yaml::Integer(i) => json!(i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Hash(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Real(r) => r.clone(),
                    other => format!("{other:?}"),
                };
                out.insert(key, to_json(v));
            }
            Value::Object(out)
        }
        Yaml::Alias(_) | Yaml::Null | Yaml::BadValue => Value::Null,
    }
}

// ---------------------------------------------------------------------------------------------
// The specification

struct Spec {
    root: Value,
}

/// One route: an operation of the specification.
struct Route<'a> {
    /// Upper case, as on the wire.
    method: String,
    /// As the specification writes it (`/responses?beta=true` included).
    path: String,
    op: &'a Value,
}

impl Route<'_> {
    fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The path without a `?...` suffix, split into segments.
    fn segments(&self) -> Vec<&str> {
        let path = self.path.split('?').next().unwrap_or("");
        path.trim_start_matches('/').split('/').collect()
    }

    fn query_params(&self) -> Vec<&str> {
        self.op["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter(|p| p["in"] == "query").filter_map(|p| p["name"].as_str()).collect())
            .unwrap_or_default()
    }
}

impl Spec {
    fn routes(&self) -> Result<Vec<Route<'_>>, String> {
        let paths = self.root["paths"].as_object().ok_or("the specification has no paths")?;
        let mut routes = Vec::new();
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    routes.push(Route { method: method.to_uppercase(), path: path.clone(), op });
                }
            }
        }
        Ok(routes)
    }

    /// Follows `$ref` chains to the schema itself.
    fn resolve<'a>(&'a self, mut v: &'a Value) -> &'a Value {
        for _ in 0..32 {
            let Some(r) = v.get("$ref").and_then(Value::as_str) else { return v };
            let mut target = &self.root;
            for part in r.trim_start_matches("#/").split('/') {
                target = &target[part];
            }
            v = target;
        }
        v
    }

    /// The properties of an object schema, `allOf` parts merged.
    fn properties(&self, schema: &Value) -> Vec<(String, Value)> {
        let schema = self.resolve(schema);
        let mut out: Vec<(String, Value)> = Vec::new();
        if let Some(parts) = schema["allOf"].as_array() {
            for part in parts {
                for (k, v) in self.properties(part) {
                    if !out.iter().any(|(n, _)| *n == k) {
                        out.push((k, v));
                    }
                }
            }
        }
        if let Some(props) = schema["properties"].as_object() {
            for (k, v) in props {
                if !out.iter().any(|(n, _)| n == k) {
                    out.push((k.clone(), v.clone()));
                }
            }
        }
        out
    }

    fn required(&self, schema: &Value) -> BTreeSet<String> {
        let schema = self.resolve(schema);
        let mut out = BTreeSet::new();
        if let Some(parts) = schema["allOf"].as_array() {
            for part in parts {
                out.extend(self.required(part));
            }
        }
        if let Some(req) = schema["required"].as_array() {
            out.extend(req.iter().filter_map(Value::as_str).map(str::to_string));
        }
        out
    }

    /// Whether a schema is a file (`format: binary`), an array of files, or neither.
    fn file_kind(&self, schema: &Value, depth: u32) -> Option<FileKind> {
        if depth > 8 {
            return None;
        }
        let schema = self.resolve(schema);
        if schema["format"] == "binary" || schema.get("contentMediaType").is_some() {
            return Some(FileKind::One);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(options) = schema[key].as_array() {
                let kinds: Vec<_> = options.iter().filter_map(|o| self.file_kind(o, depth + 1)).collect();
                if kinds.contains(&FileKind::Many) {
                    return Some(FileKind::Many);
                }
                if kinds.contains(&FileKind::One) {
                    return Some(FileKind::One);
                }
            }
        }
        if schema["type"] == "array" && self.file_kind(&schema["items"], depth + 1) == Some(FileKind::One) {
            return Some(FileKind::Many);
        }
        None
    }

    /// An instance of a schema, for the mock server where the specification has no example:
    /// `example`, `default`, `const` or the first `enum` value where given, else a value of the
    /// type; objects with their properties.
    fn instance(&self, schema: &Value, depth: u32) -> Value {
        let schema = self.resolve(schema);
        if depth > 6 {
            return Value::Null;
        }
        for key in ["example", "const", "default"] {
            if let Some(v) = schema.get(key) {
                if !v.is_null() {
                    return v.clone();
                }
            }
        }
        if let Some(first) = schema["enum"].as_array().and_then(|e| e.iter().find(|v| !v.is_null())) {
            return first.clone();
        }
        if let Some(parts) = schema["allOf"].as_array() {
            let mut merged = Map::new();
            for part in parts {
                if let Value::Object(m) = self.instance(part, depth + 1) {
                    merged.extend(m);
                }
            }
            return Value::Object(merged);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(options) = schema[key].as_array() {
                let option = options.iter().find(|o| self.resolve(o)["type"] != "null").or(options.first());
                return option.map_or(Value::Null, |o| self.instance(o, depth + 1));
            }
        }
        let kind = match &schema["type"] {
            Value::Array(types) => types.iter().find(|t| *t != "null").cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        match kind.as_str() {
            Some("string") => Value::String(if schema["format"] == "binary" { String::new() } else { "string".into() }),
            Some("integer") => json!(0),
            Some("number") => json!(0.0),
            Some("boolean") => json!(false),
            Some("array") => {
                let item = self.instance(&schema["items"], depth + 1);
                Value::Array(if item.is_null() { vec![] } else { vec![item] })
            }
            Some("null") => Value::Null,
            _ => {
                let mut out = Map::new();
                for (name, prop) in self.properties(schema) {
                    out.insert(name, self.instance(&prop, depth + 1));
                }
                Value::Object(out)
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileKind {
    One,
    Many,
}

// ---------------------------------------------------------------------------------------------
// The naming file

struct Naming {
    /// "METHOD /path" -> name.
    names: BTreeMap<String, String>,
    /// The SDK's second name for a route: alias -> name.
    aliases: Vec<(String, String)>,
    /// Path prefix -> `OpenAI-Beta` value.
    beta: Vec<(String, String)>,
    /// Name -> response kind, where the specification does not say it.
    responses: BTreeMap<String, String>,
    /// Lists that page with the page's `last_id`.
    last_id_paging: BTreeSet<String>,
    /// The 0.1.0 operations.
    seeds: Vec<SeedEntry>,
}

struct SeedEntry {
    name: String,
    /// "METHOD /path".
    route: String,
    /// The inputs of the 0.1.0 C signature.
    input: Req,
    /// Whether it had `_stream` forms (or, with `always`, was itself a stream).
    stream: bool,
    always: bool,
    alias: Option<String>,
    beta: Option<String>,
    summary: Option<String>,
}

fn str_map(v: &Value, what: &str) -> Result<Vec<(String, String)>, String> {
    let Some(map) = v.as_object() else { return if v.is_null() { Ok(vec![]) } else { Err(format!("{what} must be a mapping")) } };
    map.iter()
        .map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())).ok_or_else(|| format!("{what}: {k} must map to a string")))
        .collect()
}

impl Naming {
    fn parse(v: &Value) -> Result<Naming, String> {
        let mut seeds = Vec::new();
        for (name, entry) in v["seed"].as_object().ok_or("the naming file has no seed mapping")? {
            let field = |k: &str| entry[k].as_str().map(str::to_string);
            let route = field("route").ok_or_else(|| format!("seed {name}: no route"))?;
            let input = parse_input(&field("input").ok_or_else(|| format!("seed {name}: no input"))?)
                .map_err(|e| format!("seed {name}: {e}"))?;
            let flags = field("flags").unwrap_or_default();
            seeds.push(SeedEntry {
                name: name.clone(),
                route,
                input,
                stream: flags.split_whitespace().any(|f| f == "stream" || f == "always"),
                always: flags.split_whitespace().any(|f| f == "always"),
                alias: field("alias"),
                beta: field("beta"),
                summary: field("summary"),
            });
        }
        Ok(Naming {
            names: str_map(&v["names"], "names")?.into_iter().collect(),
            aliases: str_map(&v["aliases"], "aliases")?,
            beta: str_map(&v["beta"], "beta")?,
            responses: str_map(&v["responses"], "responses")?.into_iter().collect(),
            last_id_paging: v["last_id_paging"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default(),
            seeds,
        })
    }
}

/// Parses a seed's input: `none`, `json`, `optional_json`, `query`, or `multipart image mask?`.
fn parse_input(text: &str) -> Result<Req, String> {
    let mut words = text.split_whitespace();
    let body = match words.next() {
        Some("none") => Body::None,
        Some("json") => Body::Json,
        Some("optional_json") => Body::OptionalJson,
        Some("query") => return Ok(Req { body: Body::None, query: true }),
        Some("multipart") => Body::Multipart(
            words
                .by_ref()
                .map(|w| FileField { name: w.trim_end_matches('?').to_string(), required: !w.ends_with('?'), array: false })
                .collect(),
        ),
        other => return Err(format!("unknown input {other:?}")),
    };
    Ok(Req { body, query: false })
}

// ---------------------------------------------------------------------------------------------
// Rows of the table

#[derive(Clone, Debug, PartialEq, Eq)]
struct FileField {
    name: String,
    required: bool,
    array: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Body {
    None,
    Json,
    OptionalJson,
    Multipart(Vec<FileField>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Req {
    body: Body,
    query: bool,
}

impl Req {
    fn body_files(&self) -> &[FileField] {
        match &self.body {
            Body::Multipart(files) => files,
            _ => &[],
        }
    }
}

#[derive(Clone, Debug)]
struct Row {
    name: String,
    method: String,
    path: String,
    request: Req,
    response: &'static str,
    /// `No`, or the `StreamFlag` of `Optional(...)` / `Always(...)`.
    streaming: Option<(&'static str, bool)>,
    paging: &'static str,
    beta: Option<String>,
    summary: String,
    alias_of: Option<String>,
    seed: Option<(Req, bool)>,
    accept: &'static str,
}

/// Names every route: the naming file, else the SDK call of the specification's examples,
/// else (administration routes) the path.
fn name_routes(spec: &Spec, routes: &[Route], naming: &Naming) -> Result<Vec<String>, String> {
    let _ = spec;
    let mut candidates: Vec<Vec<String>> = routes.iter().map(example_calls).collect();
    // A route whose examples call several methods (a retrieve example that lists first) takes
    // the one no other route claims alone.
    // Repeated until nothing changes: a route resolved this way claims its name in turn.
    loop {
        let claimed: BTreeSet<String> = candidates.iter().filter(|c| c.len() == 1).map(|c| c[0].clone()).collect();
        let before: usize = candidates.iter().map(Vec::len).sum();
        for c in candidates.iter_mut().filter(|c| c.len() > 1) {
            c.retain(|n| !claimed.contains(n));
        }
        if candidates.iter().map(Vec::len).sum::<usize>() == before {
            break;
        }
    }
    let mut names = Vec::new();
    let mut problems = Vec::new();
    for (route, c) in routes.iter().zip(&candidates) {
        let key = route.key();
        let name = if let Some(n) = naming.names.get(&key) {
            n.clone()
        } else if route.path.ends_with("?beta=true") {
            // The beta variant of a route (`/responses?beta=true`): `beta.` + the route's name.
            let plain = route.path.trim_end_matches("?beta=true");
            let index = routes.iter().position(|r| r.method == route.method && r.path == plain);
            match index.map(|i| (&candidates[i], naming.names.get(&routes[i].key()))) {
                Some((_, Some(n))) => format!("beta.{n}"),
                Some((c, None)) if c.len() == 1 => format!("beta.{}", c[0]),
                _ => {
                    problems.push(format!("{key}: no name for its plain route"));
                    continue;
                }
            }
        } else if c.len() == 1 {
            c[0].clone()
        } else if c.len() > 1 {
            problems.push(format!("{key}: its examples call {c:?}; name it in the naming file"));
            continue;
        } else {
            path_name(route, routes)
        };
        names.push(name);
    }
    for key in naming.names.keys() {
        if !routes.iter().any(|r| &r.key() == key) {
            problems.push(format!("the naming file names {key}, which the specification does not have"));
        }
    }
    if problems.is_empty() {
        Ok(names)
    } else {
        Err(problems.join("\n"))
    }
}

/// The SDK methods the route's Python examples call (`client.a.b.c(`).
fn example_calls(route: &Route) -> Vec<String> {
    let mut found = Vec::new();
    let examples = &route.op["x-oaiMeta"]["examples"];
    let list: Vec<&Value> = match examples {
        Value::Array(a) => a.iter().collect(),
        Value::Object(_) => vec![examples],
        _ => vec![],
    };
    for example in list {
        let Some(code) = example["request"]["python"].as_str() else { continue };
        let mut rest = code;
        while let Some(at) = rest.find("client.") {
            let tail = &rest[at + "client.".len()..];
            let end = tail.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).unwrap_or(tail.len());
            if tail[end..].starts_with('(') && end > 0 {
                let call = tail[..end].to_string();
                if !found.contains(&call) {
                    found.push(call);
                }
            }
            rest = &tail[end..];
        }
    }
    found
}

/// The name of a route after its path, in the SDK's scheme: the literal segments joined by dots,
/// then `list`/`create` on a collection, `retrieve`/`update`/`delete` on an item or a singleton,
/// and the last segment itself for an action (a POST on a literal after an item).
fn path_name(route: &Route, routes: &[Route]) -> String {
    let segments = route.segments();
    let literals: Vec<&str> = segments.iter().copied().filter(|s| !s.starts_with('{')).collect();
    let last = *segments.last().unwrap_or(&"");
    let bare = route.path.split('?').next().unwrap_or("");
    let verb = if last.starts_with('{') {
        match route.method.as_str() {
            "GET" => "retrieve",
            "DELETE" => "delete",
            _ => "update",
        }
    } else {
        let has_items = routes.iter().any(|r| {
            let p = r.path.split('?').next().unwrap_or("");
            p.len() > bare.len() && p.starts_with(bare) && p[bare.len()..].starts_with("/{")
        });
        let is_list = route.method == "GET" && route.query_params().iter().any(|q| *q == "limit" || *q == "after" || *q == "page");
        let has_get = routes.iter().any(|r| r.method == "GET" && r.path.split('?').next() == Some(bare));
        if has_items || is_list || (has_get && routes.iter().any(|r| r.method == "GET" && r.path == route.path && r.query_params().contains(&"limit"))) {
            match route.method.as_str() {
                "GET" => "list",
                _ => "create",
            }
        } else if has_get {
            match route.method.as_str() {
                "GET" => "retrieve",
                "DELETE" => "delete",
                _ => "update",
            }
        } else {
            // A POST on a literal: an action of the resource before it (`projects.archive`,
            // `certificates.activate`) when that resource is an item or can be read; else the
            // creation of a resource that has no other route (`audio.voices.create`).
            let parent = &bare[..bare.rfind('/').unwrap_or(0)];
            let parent_readable = routes.iter().any(|r| r.method == "GET" && r.path.split('?').next() == Some(parent));
            let after_item = segments.len() >= 2 && segments[segments.len() - 2].starts_with('{');
            if after_item || parent_readable {
                return literals.join(".");
            }
            "create"
        }
    };
    format!("{}.{verb}", literals.join("."))
}

/// The row of one route.
fn describe(spec: &Spec, route: &Route, name: &str, naming: &Naming) -> Result<Row, String> {
    let op = route.op;
    let key = route.key();
    // The request.
    let content = &op["requestBody"]["content"];
    let body_required = op["requestBody"]["required"].as_bool().unwrap_or(false);
    let mut body = Body::None;
    let mut body_props: Vec<(String, Value)> = Vec::new();
    if let Some(multipart) = content.get("multipart/form-data") {
        let schema = &multipart["schema"];
        let required = spec.required(schema);
        let props = spec.properties(schema);
        let files: Vec<FileField> = props
            .iter()
            .filter_map(|(n, s)| {
                spec.file_kind(s, 0).map(|k| FileField { name: n.clone(), required: required.contains(n), array: k == FileKind::Many })
            })
            .collect();
        // A form without files, where JSON is also accepted, is sent as JSON (the SDK does).
        if !files.is_empty() || content.get("application/json").is_none() {
            body = Body::Multipart(files);
            body_props = props;
        }
    }
    if body == Body::None {
        if let Some(j) = content.get("application/json") {
            body = if body_required { Body::Json } else { Body::OptionalJson };
            body_props = spec.properties(&j["schema"]);
        } else if content.as_object().is_some_and(|c| !c.is_empty()) {
            return Err(format!("{key}: request content {:?} is not handled", content.as_object().unwrap().keys().collect::<Vec<_>>()));
        }
    }
    let query = route.query_params();
    let request = Req { body, query: !query.is_empty() };

    // The response.
    let responses = op["responses"].as_object().ok_or_else(|| format!("{key}: no responses"))?;
    let ok = responses.iter().find(|(code, _)| code.starts_with('2')).map(|(_, r)| spec.resolve(r)).ok_or_else(|| format!("{key}: no 2xx response"))?;
    let types: Vec<&str> = ok["content"].as_object().map(|c| c.keys().map(String::as_str).collect()).unwrap_or_default();
    let events = types.contains(&"text/event-stream");
    let mut response = if types.is_empty() {
        "Empty"
    } else if types.iter().any(|t| matches!(*t, "application/octet-stream" | "video/mp4" | "application/zip" | "image/webp")) {
        "Bytes"
    } else if types.contains(&"application/sdp") {
        "Text"
    } else {
        "Json"
    };
    if let Some(kind) = naming.responses.get(name) {
        response = match kind.as_str() {
            "json" => "Json",
            "json_or_text" => "JsonOrText",
            "bytes" => "Bytes",
            "text" => "Text",
            "empty" => "Empty",
            other => return Err(format!("naming file: {name}: unknown response kind {other}")),
        };
    }
    let accept = match response {
        "Bytes" if types == ["application/octet-stream", "text/event-stream"] || types == ["application/octet-stream"] => "application/octet-stream",
        "Bytes" => "application/binary",
        "Text" => "application/sdp",
        "Empty" => "*/*",
        _ => "application/json",
    };

    // Streaming: event-stream among the responses, or a `stream` input.
    let prop = |n: &str| body_props.iter().any(|(p, _)| p == n);
    let flag = if prop("stream_format") {
        Some("JsonStreamFormatSse")
    } else if prop("stream") && matches!(request.body, Body::Multipart(_)) {
        Some("MultipartStream")
    } else if prop("stream") || (events && matches!(request.body, Body::Json | Body::OptionalJson)) {
        Some("JsonStream")
    } else if query.contains(&"stream") {
        Some("QueryStream")
    } else if events {
        return Err(format!("{key}: streams, but how it is asked for is unknown"));
    } else {
        None
    };
    let streaming = flag.map(|f| (f, false));

    // Paging.
    let schema = &ok["content"]["application/json"]["schema"];
    let fields: Vec<String> = spec.properties(schema).into_iter().map(|(n, _)| n).collect();
    let has = |f: &str| fields.iter().any(|n| n == f);
    let paging = if query.contains(&"page") && has("next_page") {
        "Page"
    } else if query.contains(&"after") && has("has_more") {
        if naming.last_id_paging.contains(name) {
            "CursorLastId"
        } else {
            "Cursor"
        }
    } else {
        "None"
    };

    let bare = route.path.split('?').next().unwrap_or("");
    let mut beta = naming
        .beta
        .iter()
        .find(|(prefix, _)| bare == prefix || bare.starts_with(&format!("{prefix}/")))
        .map(|(_, v)| v.clone());
    if route.path.ends_with("?beta=true") {
        beta = beta_header_value(op);
    }

    Ok(Row {
        name: name.to_string(),
        method: route.method.clone(),
        path: route.path.clone(),
        request,
        response,
        streaming,
        paging,
        beta,
        summary: one_line(op["summary"].as_str().or(op["description"].as_str()).unwrap_or(name)),
        alias_of: None,
        seed: None,
        accept,
    })
}

/// The one value the `openai-beta` header parameter of a beta route may take.
fn beta_header_value(op: &Value) -> Option<String> {
    op["parameters"].as_array()?.iter().find(|p| p["in"] == "header" && p["name"] == "openai-beta").and_then(|p| {
        let values = p["schema"]["items"]["enum"].as_array().or(p["schema"]["enum"].as_array())?;
        values.first().and_then(Value::as_str).map(str::to_string)
    })
}

/// The first sentence of a summary, markdown links reduced to their text, on one line.
fn one_line(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    // [text](url) -> text
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match (after.find(']'), after.find("](")) {
            (Some(close), Some(link)) if close == link => {
                out.push_str(&after[..close]);
                let url = &after[close + 2..];
                rest = url.find(')').map_or("", |e| &url[e + 1..]);
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    let words: Vec<&str> = out.split_whitespace().collect();
    let mut line = words.join(" ").replace('`', "");
    if let Some(end) = line.find(". ") {
        line.truncate(end + 1);
    }
    if !line.ends_with('.') {
        line.push('.');
    }
    line
}

/// Adds the SDK's second names and the 0.1.0 operations to the rows.
fn add_aliases_and_seeds(rows: &mut Vec<Row>, naming: &Naming) -> Result<(), String> {
    for (alias, target) in &naming.aliases {
        let base = rows.iter().find(|r| &r.name == target).ok_or_else(|| format!("alias {alias}: no operation {target}"))?;
        let mut row = base.clone();
        row.name = alias.clone();
        row.alias_of = Some(target.clone());
        rows.push(row);
    }
    for seed in &naming.seeds {
        let (method, path) = seed.route.split_once(' ').ok_or_else(|| format!("seed {}: route \"METHOD /path\"", seed.name))?;
        if let Some(row) = rows.iter_mut().find(|r| r.name == seed.name) {
            if row.method != method || row.path != path {
                return Err(format!("seed {}: the specification has it at {} {}", seed.name, row.method, row.path));
            }
            row.seed = Some((seed.input.clone(), seed.stream));
            continue;
        }
        let mut row = match &seed.alias {
            Some(target) => {
                let base = rows.iter().find(|r| &r.name == target).ok_or_else(|| format!("seed {}: no operation {target}", seed.name))?;
                if base.method != method || base.path != path {
                    return Err(format!("seed {}: {target} is at {} {}", seed.name, base.method, base.path));
                }
                let mut row = base.clone();
                row.alias_of = Some(target.clone());
                row
            }
            // An operation that today's specification no longer has.
            None => Row {
                name: seed.name.clone(),
                method: method.to_string(),
                path: path.to_string(),
                request: seed.input.clone(),
                response: "Json",
                streaming: None,
                paging: "None",
                beta: None,
                summary: seed.summary.clone().ok_or_else(|| format!("seed {}: not in the specification: give its summary", seed.name))?,
                alias_of: None,
                seed: None,
                accept: "application/json",
            },
        };
        row.name = seed.name.clone();
        if let Some(beta) = &seed.beta {
            row.beta = Some(beta.clone());
        }
        if let Some(summary) = &seed.summary {
            row.summary = summary.clone();
        }
        if seed.always {
            let flag = row.streaming.map(|(f, _)| f).ok_or_else(|| format!("seed {}: always streams, its route does not", seed.name))?;
            row.streaming = Some((flag, true));
            row.response = "Events";
            row.paging = "None";
        }
        row.seed = Some((seed.input.clone(), seed.stream));
        rows.push(row);
    }
    Ok(())
}

fn check_unique(rows: &[Row]) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for r in rows {
        if !seen.insert(&r.name) {
            return Err(format!("two operations are named {}", r.name));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Rendering

fn rust_str(s: &str) -> String {
    format!("{s:?}")
}

fn render_req(r: &Req) -> String {
    let body = match &r.body {
        Body::None => "Body::None".to_string(),
        Body::Json => "Body::Json".to_string(),
        Body::OptionalJson => "Body::OptionalJson".to_string(),
        Body::Multipart(files) => {
            let files: Vec<String> = files
                .iter()
                .map(|f| format!("FileField {{ name: {}, required: {}, array: {} }}", rust_str(&f.name), f.required, f.array))
                .collect();
            format!("Body::Multipart(&[{}])", files.join(", "))
        }
    };
    format!("RequestKind {{ body: {body}, query: {} }}", r.query)
}

fn render_table(rows: &[Row]) -> String {
    let mut out = String::from(
        "//! Generated by tests/codegen (`cargo run -p openai-codegen`) from docs/openapi/openapi-2026-08.yaml\n\
         //! and docs/openapi/naming.yaml: do not edit. The codegen crate's test fails when this file is not\n\
         //! what they produce.\n\
         \n\
         use super::*;\n\
         \n\
         /// Every operation: each route of the specification under the official SDK's name, the SDK's\n\
         /// second names for a route, and the 0.1.0 operations, sorted by name.\n\
         #[rustfmt::skip]\n\
         pub static OPERATIONS: &[Operation] = &[\n",
    );
    for r in rows {
        let streaming = match r.streaming {
            None => "Streaming::No".to_string(),
            Some((flag, false)) => format!("Streaming::Optional(StreamFlag::{flag})"),
            Some((flag, true)) => format!("Streaming::Always(StreamFlag::{flag})"),
        };
        let opt = |v: &Option<String>| v.as_ref().map_or("None".to_string(), |s| format!("Some({})", rust_str(s)));
        let seed = match &r.seed {
            None => "None".to_string(),
            Some((req, streams)) => format!("Some(Seed {{ request: {}, streams: {streams} }})", render_req(req)),
        };
        let method = match r.method.as_str() {
            "GET" => "Get",
            "POST" => "Post",
            "PUT" => "Put",
            "PATCH" => "Patch",
            _ => "Delete",
        };
        writeln!(
            out,
            "    Operation {{\n        name: {name}, method: Method::{method}, path: {path},\n        request: {req},\n        \
             response: ResponseKind::{resp}, accept: {accept}, streaming: {streaming}, paging: Paging::{paging},\n        \
             beta: {beta}, alias_of: {alias}, seed: {seed},\n        summary: {summary},\n    }},",
            name = rust_str(&r.name),
            path = rust_str(&r.path),
            req = render_req(&r.request),
            resp = r.response,
            accept = rust_str(r.accept),
            paging = r.paging,
            beta = opt(&r.beta),
            alias = opt(&r.alias_of),
            summary = rust_str(&r.summary),
        )
        .unwrap();
    }
    out.push_str("];\n");
    out
}

/// The mock server's data: one entry per route with what it takes (to check a request) and the
/// body it answers, and for the streaming routes the events of their stream.
fn render_examples(spec: &Spec, routes: &[Route], rows: &[Row]) -> Result<String, String> {
    let mut entries = Vec::new();
    for (route, row) in routes.iter().zip(rows) {
        let name = &row.name;
        let op = route.op;
        let responses = op["responses"].as_object().ok_or("no responses")?;
        let (status, ok) = responses.iter().find(|(c, _)| c.starts_with('2')).ok_or("no 2xx")?;
        let ok = spec.resolve(ok);
        let types: Vec<&str> = ok["content"].as_object().map(|c| c.keys().map(String::as_str).collect()).unwrap_or_default();
        let examples: Vec<&Value> = match &op["x-oaiMeta"]["examples"] {
            Value::Array(a) => a.iter().collect(),
            v @ Value::Object(_) => vec![v],
            _ => vec![],
        };
        let is_sse = |t: &str| t.trim_start().starts_with("event:") || t.trim_start().starts_with("data:");
        let body_json = examples
            .iter()
            .filter_map(|e| e["response"].as_str())
            .filter(|t| !is_sse(t))
            .find_map(|t| serde_json::from_str::<Value>(t).ok());
        let events = examples.iter().filter_map(|e| e["response"].as_str()).find(|t| is_sse(t)).map(str::to_string);
        let json_schema = &ok["content"]["application/json"]["schema"];
        let (body, from) = match body_json {
            Some(v) => (Some(v), "example"),
            None if !json_schema.is_null() => (Some(spec.instance(json_schema, 0)), "schema"),
            None => (None, "none"),
        };
        // A text answer (an SDP) is the example's text itself.
        let text = if row.response == "Text" {
            examples.iter().filter_map(|e| e["response"].as_str()).find(|t| !is_sse(t)).map(str::to_string)
        } else {
            None
        };
        let body_kind = match &row.request.body {
            Body::None => "none",
            Body::Json => "json",
            Body::OptionalJson => "optional_json",
            Body::Multipart(_) => "multipart",
        };
        let required_files: Vec<&str> = row.request.body_files().iter().filter(|f| f.required).map(|f| f.name.as_str()).collect();
        entries.push(json!({
            "name": name,
            "method": route.method,
            "path": route.path,
            "status": status.parse::<u16>().unwrap_or(200),
            "request": body_kind,
            "required_files": required_files,
            "response": row.response,
            "stream": row.streaming.map(|(flag, _)| flag),
            "content_types": types,
            "body": body,
            "body_from": from,
            "text": text,
            "events": events,
        }));
    }
    let doc = json!({
        "generated_by": "tests/codegen from docs/openapi/openapi-2026-08.yaml; do not edit",
        "routes": entries,
    });
    Ok(serde_json::to_string_pretty(&doc).unwrap() + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(paths: Value) -> Value {
        json!({"paths": paths})
    }

    fn names(paths: Value) -> Vec<(String, String)> {
        let spec = Spec { root: spec(paths) };
        let routes = spec.routes().unwrap();
        let naming = Naming::parse(&json!({"seed": {}})).unwrap();
        let names = name_routes(&spec, &routes, &naming).unwrap();
        routes.iter().map(Route::key).zip(names).collect()
    }

    #[test]
    fn routes_are_named_after_the_sdk_calls_of_their_examples_or_their_paths() {
        let example = |code: &str| json!({"x-oaiMeta": {"examples": [{"request": {"python": code}}]}});
        let list = json!({"parameters": [{"name": "limit", "in": "query"}]});
        let got = names(json!({
            "/responses": {"post": example("r = client.responses.create(model=\"m\")")},
            // A retrieve example that lists first: the name no other route claims.
            "/chat/completions": {"get": example("client.chat.completions.list()")},
            "/chat/completions/{id}": {"get": example("x = client.chat.completions.list()\nclient.chat.completions.retrieve(\"c\")")},
            "/organization/projects": {"get": list, "post": {}},
            "/organization/projects/{project_id}": {"get": {}, "post": {}, "delete": {}},
            "/organization/projects/{project_id}/archive": {"post": {}},
            "/organization/data_retention": {"get": {}, "post": {}},
            "/audio/voices": {"post": {}},
            "/responses?beta=true": {"post": example("client.responses.create()")},
        }));
        let expected = [
            ("POST /responses", "responses.create"),
            ("GET /chat/completions", "chat.completions.list"),
            ("GET /chat/completions/{id}", "chat.completions.retrieve"),
            ("GET /organization/projects", "organization.projects.list"),
            ("POST /organization/projects", "organization.projects.create"),
            ("GET /organization/projects/{project_id}", "organization.projects.retrieve"),
            ("POST /organization/projects/{project_id}", "organization.projects.update"),
            ("DELETE /organization/projects/{project_id}", "organization.projects.delete"),
            ("POST /organization/projects/{project_id}/archive", "organization.projects.archive"),
            ("GET /organization/data_retention", "organization.data_retention.retrieve"),
            ("POST /organization/data_retention", "organization.data_retention.update"),
            ("POST /audio/voices", "audio.voices.create"),
            ("POST /responses?beta=true", "beta.responses.create"),
        ];
        let expected: Vec<(String, String)> = expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn summaries_are_one_line_without_links() {
        assert_eq!(one_line("Creates a [model](/docs/models) response.\nMore text."), "Creates a model response.");
        assert_eq!(one_line("Delete   `Container`"), "Delete Container.");
    }

    #[test]
    fn file_fields_and_arrays_of_files_are_found() {
        let spec = Spec { root: json!({"components": {"schemas": {"F": {"type": "string", "format": "binary"}}}}) };
        assert_eq!(spec.file_kind(&json!({"$ref": "#/components/schemas/F"}), 0), Some(FileKind::One));
        assert_eq!(spec.file_kind(&json!({"anyOf": [{"$ref": "#/components/schemas/F"}, {"type": "array", "items": {"$ref": "#/components/schemas/F"}}]}), 0), Some(FileKind::Many));
        assert_eq!(spec.file_kind(&json!({"type": "string"}), 0), None);
    }
}
