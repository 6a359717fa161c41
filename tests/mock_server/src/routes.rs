//! The API routes under /v1: routing, the checks the real API makes (auth, unknown URL,
//! method, missing objects, JSON and multipart bodies) and a realistic answer per operation.

use base64::Engine;
use serde_json::{json, Map, Value};

use crate::http::Request;
use crate::multipart::Part;
use crate::objects::{self as obj, CREATED};
use crate::patterns::{Pattern, DEFAULT_SPEECH_BYTES};
use crate::response::{Body, Response, EVENT_STREAM, TEXT};
use crate::sse::{ChatStream, EventStream, RunObjects, RunStream, Steer, MAX_FULL_TEXT};
use crate::util::{percent_decode, query_pairs};

type R = Result<Response, Box<Response>>;

/// What a path id names, for the not-found message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Model,
    File,
    Job,
    Assistant,
    Thread,
    Message,
    Run,
    Step,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    ChatCreate,
    ModelList,
    ModelRetrieve,
    ModelDelete,
    EditCreate,
    ImageGenerate,
    ImageEdit,
    ImageVariation,
    EmbeddingCreate,
    FileList,
    FileUpload,
    FileRetrieve,
    FileDelete,
    FileContent,
    JobCreate,
    JobList,
    JobRetrieve,
    JobCancel,
    JobEvents,
    ModerationCreate,
    Transcription,
    Translation,
    Speech,
    AssistantCreate,
    AssistantList,
    AssistantRetrieve,
    AssistantModify,
    AssistantDelete,
    ThreadCreate,
    ThreadRetrieve,
    ThreadModify,
    ThreadDelete,
    ThreadCreateAndRun,
    MessageCreate,
    MessageList,
    MessageRetrieve,
    MessageModify,
    MessageDelete,
    RunCreate,
    RunList,
    RunRetrieve,
    RunModify,
    RunCancel,
    RunSubmitToolOutputs,
    StepList,
    StepRetrieve,
}

enum Input {
    None,
    Json,
    Multipart,
}

impl Op {
    fn input(self) -> Input {
        use Op::*;
        match self {
            ImageEdit | ImageVariation | FileUpload | Transcription | Translation => {
                Input::Multipart
            }
            ChatCreate | EditCreate | ImageGenerate | EmbeddingCreate | JobCreate | JobCancel
            | ModerationCreate | Speech | AssistantCreate | AssistantModify | ThreadCreate
            | ThreadModify | ThreadCreateAndRun | MessageCreate | MessageModify | RunCreate
            | RunModify | RunCancel | RunSubmitToolOutputs => Input::Json,
            _ => Input::None,
        }
    }
}

/// The methods a path allows, with the operation of each.
type Methods = &'static [(&'static str, Op)];

struct Route {
    allowed: Methods,
    /// Decoded path ids, outermost first.
    ids: Vec<(Kind, String)>,
}

/// Maps a path to its operations. None for an unknown URL.
fn resolve(path: &str) -> Option<Route> {
    use Kind::*;
    use Op::*;
    let rest = path.strip_prefix("/v1/")?;
    let segs: Vec<&str> = rest.split('/').collect();
    if segs.len() > 8 || segs.iter().any(|s| s.is_empty()) {
        return None;
    }
    let id = |k: Kind, s: &str| (k, percent_decode(s, false));
    let (allowed, ids): (Methods, Vec<(Kind, String)>) = match segs.as_slice() {
        ["chat", "completions"] => (&[("POST", ChatCreate)], vec![]),
        ["models"] => (&[("GET", ModelList)], vec![]),
        ["models", m] => (
            &[("GET", ModelRetrieve), ("DELETE", ModelDelete)],
            vec![id(Model, m)],
        ),
        ["edits"] => (&[("POST", EditCreate)], vec![]),
        ["images", "generations"] => (&[("POST", ImageGenerate)], vec![]),
        ["images", "edits"] => (&[("POST", ImageEdit)], vec![]),
        ["images", "variations"] => (&[("POST", ImageVariation)], vec![]),
        ["embeddings"] => (&[("POST", EmbeddingCreate)], vec![]),
        ["files"] => (&[("GET", FileList), ("POST", FileUpload)], vec![]),
        ["files", f] => (
            &[("GET", FileRetrieve), ("DELETE", FileDelete)],
            vec![id(File, f)],
        ),
        ["files", f, "content"] => (&[("GET", FileContent)], vec![id(File, f)]),
        ["fine_tuning", "jobs"] => (&[("GET", JobList), ("POST", JobCreate)], vec![]),
        ["fine_tuning", "jobs", j] => (&[("GET", JobRetrieve)], vec![id(Job, j)]),
        ["fine_tuning", "jobs", j, "cancel"] => (&[("POST", JobCancel)], vec![id(Job, j)]),
        ["fine_tuning", "jobs", j, "events"] => (&[("GET", JobEvents)], vec![id(Job, j)]),
        ["moderations"] => (&[("POST", ModerationCreate)], vec![]),
        ["audio", "transcriptions"] => (&[("POST", Transcription)], vec![]),
        ["audio", "translations"] => (&[("POST", Translation)], vec![]),
        ["audio", "speech"] => (&[("POST", Speech)], vec![]),
        ["assistants"] => (&[("GET", AssistantList), ("POST", AssistantCreate)], vec![]),
        ["assistants", a] => (
            &[
                ("GET", AssistantRetrieve),
                ("POST", AssistantModify),
                ("DELETE", AssistantDelete),
            ],
            vec![id(Assistant, a)],
        ),
        ["threads"] => (&[("POST", ThreadCreate)], vec![]),
        ["threads", "runs"] => (&[("POST", ThreadCreateAndRun)], vec![]),
        ["threads", t] => (
            &[
                ("GET", ThreadRetrieve),
                ("POST", ThreadModify),
                ("DELETE", ThreadDelete),
            ],
            vec![id(Thread, t)],
        ),
        ["threads", t, "messages"] => (
            &[("GET", MessageList), ("POST", MessageCreate)],
            vec![id(Thread, t)],
        ),
        ["threads", t, "messages", m] => (
            &[
                ("GET", MessageRetrieve),
                ("POST", MessageModify),
                ("DELETE", MessageDelete),
            ],
            vec![id(Thread, t), id(Message, m)],
        ),
        ["threads", t, "runs"] => (
            &[("GET", RunList), ("POST", RunCreate)],
            vec![id(Thread, t)],
        ),
        ["threads", t, "runs", r] => (
            &[("GET", RunRetrieve), ("POST", RunModify)],
            vec![id(Thread, t), id(Run, r)],
        ),
        ["threads", t, "runs", r, "cancel"] => {
            (&[("POST", RunCancel)], vec![id(Thread, t), id(Run, r)])
        }
        ["threads", t, "runs", r, "submit_tool_outputs"] => (
            &[("POST", RunSubmitToolOutputs)],
            vec![id(Thread, t), id(Run, r)],
        ),
        ["threads", t, "runs", r, "steps"] => {
            (&[("GET", StepList)], vec![id(Thread, t), id(Run, r)])
        }
        ["threads", t, "runs", r, "steps", s] => (
            &[("GET", StepRetrieve)],
            vec![id(Thread, t), id(Run, r), id(Step, s)],
        ),
        _ => return None,
    };
    Some(Route { allowed, ids })
}

/// A multipart body's fields.
struct Form<'a> {
    body: &'a [u8],
    parts: &'a [Part],
}

impl<'a> Form<'a> {
    fn part(&self, name: &str) -> Option<&'a Part> {
        self.parts.iter().find(|p| p.name == name)
    }
    fn text(&self, name: &str) -> Option<&'a str> {
        self.part(name)
            .filter(|p| p.filename.is_none())
            .and_then(|p| std::str::from_utf8(&self.body[p.data.clone()]).ok())
    }
    fn texts(&self, name: &str) -> Vec<&'a str> {
        self.parts
            .iter()
            .filter(|p| p.name == name)
            .filter_map(|p| std::str::from_utf8(&self.body[p.data.clone()]).ok())
            .collect()
    }
}

struct Ctx<'a> {
    req: &'a Request,
    ids: Vec<(Kind, String)>,
    body: Value,
    form: Option<Form<'a>>,
}

impl Ctx<'_> {
    fn id(&self, i: usize) -> &str {
        self.ids.get(i).map_or("", |(_, s)| s.as_str())
    }
    fn str_field(&self, key: &str) -> Option<&str> {
        self.body.get(key).and_then(Value::as_str)
    }
    fn form(&self) -> &Form<'_> {
        // Only multipart operations call this, and their form is always set by handle().
        self.form.as_ref().expect("multipart form")
    }
}

fn unknown_url(req: &Request) -> Response {
    Response::error(
        404,
        format!("Invalid URL ({} {})", req.method(), req.path()),
        "invalid_request_error",
        None,
        Some("unknown_url"),
    )
}

pub(crate) fn auth_error(req: &Request) -> Option<Response> {
    const NO_KEY: &str = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.";
    let value = req.header("authorization").unwrap_or("").trim();
    let key = match value.split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") && !key.trim().is_empty() => {
            key.trim()
        }
        _ => {
            return Some(Response::error(
                401,
                NO_KEY,
                "invalid_request_error",
                None,
                None,
            ))
        }
    };
    if key.starts_with("sk-invalid") {
        let shown: String = key.chars().take(8).collect();
        let tail: String = key
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return Some(Response::error(
            401,
            format!("Incorrect API key provided: {shown}****{tail}. You can find your API key at https://platform.openai.com/account/api-keys."),
            "invalid_request_error",
            None,
            Some("invalid_api_key"),
        ));
    }
    None
}

fn not_found(kind: Kind, id: &str) -> Response {
    let (message, param, code) = match kind {
        Kind::Model => (
            format!("The model '{id}' does not exist"),
            Some("model"),
            Some("model_not_found"),
        ),
        Kind::File => (format!("No such File object: {id}"), Some("id"), None),
        Kind::Job => (
            format!("Could not find fine-tuning job: {id}"),
            Some("fine_tuning_job_id"),
            Some("fine_tuning_job_not_found"),
        ),
        Kind::Assistant => (format!("No assistant found with id '{id}'."), None, None),
        Kind::Thread => (format!("No thread found with id '{id}'."), None, None),
        Kind::Message => (format!("No message found with id '{id}'."), None, None),
        Kind::Run => (format!("No run found with id '{id}'."), None, None),
        Kind::Step => (format!("No run step found with id '{id}'."), None, None),
    };
    Response::error(404, message, "invalid_request_error", param, code)
}

fn missing_param(name: &str) -> Box<Response> {
    Box::new(Response::invalid_request(
        400,
        format!("Missing required parameter: '{name}'."),
        Some(name),
    ))
}

fn invalid_value(name: &str, got: &str, expected: &str) -> Box<Response> {
    Box::new(Response::invalid_request(
        400,
        format!("Invalid value for '{name}': '{got}'. Expected {expected}."),
        Some(name),
    ))
}

/// Answers one API request (not scripted). `parts` is the parsed multipart body, when the
/// request declared one.
pub fn handle(req: &Request, parts: Option<&Result<Vec<Part>, &'static str>>) -> Response {
    // Every other route of the specification, and the streams the hand-written routes do not
    // make, come from its examples.
    let hand_written = resolve(req.path()).filter(|route| {
        route.allowed.iter().any(|(m, _)| *m == req.method()) || !crate::spec_routes::knows(req)
    });
    let hand_written = hand_written.filter(|_| !crate::spec_routes::wants_spec_stream(req, parts));
    let Some(route) = hand_written else {
        if let Some(r) = auth_error(req).filter(|_| crate::spec_routes::knows(req)) {
            return r;
        }
        return crate::spec_routes::handle(req, parts).unwrap_or_else(|| unknown_url(req));
    };
    let Some(op) = route
        .allowed
        .iter()
        .find(|(m, _)| *m == req.method())
        .map(|(_, op)| *op)
    else {
        let allow: Vec<&str> = route.allowed.iter().map(|(m, _)| *m).collect();
        return Response::error(
            405,
            format!(
                "Invalid method for URL ({} {}): expected {}",
                req.method(),
                req.path(),
                allow.join(" or ")
            ),
            "invalid_request_error",
            None,
            Some("method_not_allowed"),
        )
        .with_header("allow", allow.join(", "));
    };
    if let Some(r) = auth_error(req) {
        return r;
    }
    if let Some((kind, id)) = route.ids.iter().find(|(_, id)| id.starts_with("missing")) {
        return not_found(*kind, id);
    }
    let mut ctx = Ctx {
        req,
        ids: route.ids,
        body: Value::Null,
        form: None,
    };
    match op.input() {
        Input::None => {}
        Input::Json => {
            if req.body.iter().all(u8::is_ascii_whitespace) {
                ctx.body = Value::Object(Map::new());
            } else {
                match serde_json::from_slice::<Value>(&req.body) {
                    Ok(v @ Value::Object(_)) => ctx.body = v,
                    Ok(_) => {
                        return Response::invalid_request(400, "Invalid body: the request body must be a JSON object.", None)
                    }
                    Err(_) => return Response::invalid_request(
                        400,
                        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please make sure you are sending valid JSON.)",
                        None,
                    ),
                }
            }
        }
        Input::Multipart => match parts {
            Some(Ok(parts)) => ctx.form = Some(Form { body: &req.body, parts }),
            Some(Err(e)) => return Response::invalid_request(400, format!("Invalid multipart body: {e}."), None),
            None => {
                return Response::invalid_request(
                    400,
                    format!(
                        "Invalid Content-Type header ({}), expected multipart/form-data. (HINT: If you're using curl, you can pass -H 'Content-Type: multipart/form-data')",
                        req.header("content-type").unwrap_or("")
                    ),
                    None,
                )
            }
        },
    }
    match dispatch(op, &ctx) {
        Ok(r) => r,
        Err(r) => *r,
    }
}

fn dispatch(op: Op, c: &Ctx) -> R {
    use Op::*;
    match op {
        ChatCreate => chat(c),
        ModelList => Ok(Response::json(
            200,
            &json!({"object": "list", "data": obj::MODELS.iter().map(|m| obj::model(m)).collect::<Vec<_>>()}),
        )),
        ModelRetrieve => ok(obj::model(c.id(0))),
        ModelDelete => ok(obj::deleted(c.id(0), "model")),
        EditCreate => edit(c),
        ImageGenerate => image_generate(c),
        ImageEdit | ImageVariation => image_form(c),
        EmbeddingCreate => embeddings(c),
        FileList => {
            let purpose = query(c, "purpose");
            list(c, "file-abc", |i, id| {
                let p = purpose.clone().unwrap_or_else(|| {
                    if i % 2 == 1 {
                        "fine-tune"
                    } else {
                        "assistants"
                    }
                    .into()
                });
                obj::file(
                    id,
                    &format!("mydata-{i:03}.jsonl"),
                    1000 + i as u64,
                    &p,
                    CREATED + i as u64,
                )
            })
        }
        FileUpload => file_upload(c),
        FileRetrieve => ok(obj::file(
            c.id(0),
            "mydata.jsonl",
            120_000,
            "fine-tune",
            CREATED,
        )),
        FileDelete => ok(obj::deleted(c.id(0), "file")),
        FileContent => file_content(c),
        JobCreate => job_create(c),
        JobList => list(c, "ftjob-abc", |i, id| {
            obj::fine_tuning_job(
                id,
                "gpt-4o-mini-2024-07-18",
                "succeeded",
                "file-abc123",
                CREATED + i as u64,
            )
        }),
        JobRetrieve => ok(obj::fine_tuning_job(
            c.id(0),
            "gpt-4o-mini-2024-07-18",
            "succeeded",
            "file-abc123",
            CREATED,
        )),
        JobCancel => ok(obj::fine_tuning_job(
            c.id(0),
            "gpt-4o-mini-2024-07-18",
            "cancelled",
            "file-abc123",
            CREATED,
        )),
        JobEvents => list(c, "ftevent-abc", |i, id| {
            obj::fine_tuning_event(id, i, CREATED + i as u64)
        }),
        ModerationCreate => moderations(c),
        Transcription => transcription(c, false),
        Translation => transcription(c, true),
        Speech => speech(c),
        AssistantCreate => {
            let mut a = obj::assistant("asst_abc123", &model_of(c, "gpt-4o")?, CREATED);
            overlay(&mut a, &c.body, ASSISTANT_FIELDS);
            ok(a)
        }
        AssistantList => list(c, "asst_abc", |i, id| {
            obj::assistant(id, "gpt-4o", CREATED + i as u64)
        }),
        AssistantRetrieve => ok(obj::assistant(c.id(0), "gpt-4o", CREATED)),
        AssistantModify => {
            let mut a = obj::assistant(c.id(0), "gpt-4o", CREATED);
            overlay(&mut a, &c.body, ASSISTANT_FIELDS);
            overlay(&mut a, &c.body, &["model"]);
            ok(a)
        }
        AssistantDelete => ok(obj::deleted(c.id(0), "assistant.deleted")),
        ThreadCreate => {
            let mut t = obj::thread("thread_abc123", CREATED);
            overlay(&mut t, &c.body, &["metadata", "tool_resources"]);
            ok(t)
        }
        ThreadRetrieve => ok(obj::thread(c.id(0), CREATED)),
        ThreadModify => {
            let mut t = obj::thread(c.id(0), CREATED);
            overlay(&mut t, &c.body, &["metadata", "tool_resources"]);
            ok(t)
        }
        ThreadDelete => ok(obj::deleted(c.id(0), "thread.deleted")),
        ThreadCreateAndRun => run_create(c, "thread_abc123", "run_abc123"),
        MessageCreate => message_create(c),
        MessageList => {
            let thread = c.id(0).to_string();
            list(c, "msg_abc", |i, id| {
                let role = if i % 2 == 1 { "user" } else { "assistant" };
                obj::message(
                    id,
                    &thread,
                    role,
                    &format!("Message {i}"),
                    CREATED + i as u64,
                )
            })
        }
        MessageRetrieve => ok(obj::message(
            c.id(1),
            c.id(0),
            "user",
            "How does AI work? Explain it in simple terms.",
            CREATED,
        )),
        MessageModify => {
            let mut m = obj::message(
                c.id(1),
                c.id(0),
                "user",
                "How does AI work? Explain it in simple terms.",
                CREATED,
            );
            overlay(&mut m, &c.body, &["metadata"]);
            ok(m)
        }
        MessageDelete => ok(obj::deleted(c.id(1), "thread.message.deleted")),
        RunCreate => run_create(c, c.id(0), "run_abc123"),
        RunList => {
            let thread = c.id(0).to_string();
            list(c, "run_abc", |i, id| {
                obj::run(
                    id,
                    &thread,
                    "asst_abc123",
                    "gpt-4o",
                    "completed",
                    CREATED + i as u64,
                )
            })
        }
        RunRetrieve => ok(obj::run(
            c.id(1),
            c.id(0),
            "asst_abc123",
            "gpt-4o",
            "completed",
            CREATED,
        )),
        RunModify => {
            let mut r = obj::run(
                c.id(1),
                c.id(0),
                "asst_abc123",
                "gpt-4o",
                "completed",
                CREATED,
            );
            overlay(&mut r, &c.body, &["metadata"]);
            ok(r)
        }
        RunCancel => ok(obj::run(
            c.id(1),
            c.id(0),
            "asst_abc123",
            "gpt-4o",
            "cancelling",
            CREATED,
        )),
        RunSubmitToolOutputs => run_create(c, c.id(0), c.id(1)),
        StepList => {
            let (thread, run) = (c.id(0).to_string(), c.id(1).to_string());
            list(c, "step_abc", |i, id| {
                obj::run_step(
                    id,
                    &run,
                    &thread,
                    &format!("msg_abc{i:03}"),
                    CREATED + i as u64,
                )
            })
        }
        StepRetrieve => ok(obj::run_step(
            c.id(2),
            c.id(1),
            c.id(0),
            "msg_abc123",
            CREATED,
        )),
    }
}

const ASSISTANT_FIELDS: &[&str] = &[
    "name",
    "description",
    "instructions",
    "tools",
    "tool_resources",
    "metadata",
    "temperature",
    "top_p",
    "response_format",
];

fn ok(v: Value) -> R {
    Ok(Response::json(200, &v))
}

/// Copies the given fields of the request body over the object.
fn overlay(target: &mut Value, body: &Value, keys: &[&str]) {
    for k in keys {
        if let Some(v) = body.get(*k) {
            target[*k] = v.clone();
        }
    }
}

fn query(c: &Ctx, key: &str) -> Option<String> {
    crate::util::query_param(c.req.query(), key)
}

/// The body's model (or `default`); a model named missing… does not exist.
fn model_of(c: &Ctx, default: &str) -> Result<String, Box<Response>> {
    let model = match &c.form {
        Some(f) => f.text("model"),
        None => c.str_field("model"),
    }
    .unwrap_or(default);
    if model.starts_with("missing") {
        return Err(Box::new(Response::error(
            404,
            format!("The model `{model}` does not exist or you do not have access to it."),
            "invalid_request_error",
            None,
            Some("model_not_found"),
        )));
    }
    Ok(model.to_string())
}

fn int_field(c: &Ctx, key: &str, default: u64, max: u64) -> Result<u64, Box<Response>> {
    let v = match &c.form {
        Some(f) => match f.text(key) {
            None => return Ok(default),
            Some(s) => s.trim().parse::<u64>().ok(),
        },
        None => match c.body.get(key) {
            None | Some(Value::Null) => return Ok(default),
            Some(v) => v.as_u64(),
        },
    };
    match v {
        Some(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(Box::new(Response::invalid_request(
            400,
            format!("Invalid '{key}': expected an integer between 1 and {max}."),
            Some(key),
        ))),
    }
}

/// A page of a fixed collection of 7 items with ids `<prefix>001`…`<prefix>007`, honouring
/// limit (default 20, 1..=100), order (asc: the collection's order, desc: reversed), after, before.
fn list(c: &Ctx, prefix: &str, make: impl Fn(usize, &str) -> Value) -> R {
    let pairs = c.req.query().map(query_pairs).unwrap_or_default();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let limit = match get("limit") {
        None => 20,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(Box::new(Response::invalid_request(
                    400,
                    format!("Invalid 'limit': expected an integer between 1 and 100, but got '{s}' instead."),
                    Some("limit"),
                )))
            }
        },
    };
    let mut items: Vec<(usize, String)> = (1..=7).map(|i| (i, format!("{prefix}{i:03}"))).collect();
    match get("order") {
        None | Some("asc") => {}
        Some("desc") => items.reverse(),
        Some(o) => return Err(invalid_value("order", o, "one of 'asc' or 'desc'")),
    }
    let pos = |id: &str| items.iter().position(|(_, x)| x == id);
    let (page, has_more): (&[(usize, String)], bool) = if let Some(after) = get("after") {
        match pos(after) {
            Some(p) => {
                let rest = &items[p + 1..];
                (&rest[..rest.len().min(limit)], rest.len() > limit)
            }
            None => (&[], false),
        }
    } else if let Some(before) = get("before") {
        match pos(before) {
            Some(p) => {
                let start = p.saturating_sub(limit);
                (&items[start..p], start > 0)
            }
            None => (&[], false),
        }
    } else {
        (&items[..items.len().min(limit)], items.len() > limit)
    };
    let data: Vec<Value> = page.iter().map(|(i, id)| make(*i, id)).collect();
    ok(json!({
        "object": "list",
        "data": data,
        "first_id": page.first().map(|(_, id)| id),
        "last_id": page.last().map(|(_, id)| id),
        "has_more": has_more,
    }))
}

fn sse(stream: EventStream) -> Response {
    Response {
        status: 200,
        content_type: EVENT_STREAM,
        headers: vec![("cache-control", "no-cache".into())],
        body: Body::Events(stream),
    }
}

/// Rough token count: whitespace-separated words of every string in the value.
fn words(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.split_whitespace().count() as u64,
        Value::Array(a) => a.iter().map(words).sum(),
        Value::Object(o) => o
            .iter()
            .filter(|(k, _)| *k == "content" || *k == "text")
            .map(|(_, v)| words(v))
            .sum(),
        _ => 0,
    }
}

fn chat(c: &Ctx) -> R {
    let model = model_of(c, "gpt-4o-mini")?;
    let steer = Steer::from_body(&c.body)?;
    let prompt = words(c.body.get("messages").unwrap_or(&Value::Null)).max(1);
    let usage = json!({
        "prompt_tokens": prompt,
        "completion_tokens": steer.chunks,
        "total_tokens": prompt + steer.chunks,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    });
    if c.body.get("stream") == Some(&Value::Bool(true)) {
        let with_usage =
            c.body.pointer("/stream_options/include_usage") == Some(&Value::Bool(true));
        let stream = ChatStream::new(
            "chatcmpl-abc123",
            CREATED,
            &model,
            steer,
            with_usage.then_some(&usage),
        );
        return Ok(sse(EventStream::Chat(Box::new(stream))));
    }
    let n = int_field(c, "n", 1, 128)?;
    if steer.total_len().saturating_mul(n) > MAX_FULL_TEXT {
        return Err(Box::new(Response::invalid_request(
            400,
            "The mock reply would exceed 1 GiB; stream it instead.",
            None,
        )));
    }
    let text = steer.full_text();
    let choices: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "index": i,
                "message": {"role": "assistant", "content": text, "refusal": null, "annotations": []},
                "logprobs": null,
                "finish_reason": "stop",
            })
        })
        .collect();
    ok(json!({
        "id": "chatcmpl-abc123",
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": choices,
        "usage": usage,
        "service_tier": "default",
        "system_fingerprint": "fp_mock",
    }))
}

fn edit(c: &Ctx) -> R {
    let model = model_of(c, "text-davinci-edit-001")?;
    let n = int_field(c, "n", 1, 20)?;
    let input = c.str_field("input").unwrap_or("");
    let text = if input.is_empty() {
        "What day of the week is it?".to_string()
    } else {
        input.to_string()
    };
    let prompt = words(&c.body["input"]) + words(&c.body["instruction"]);
    let completion = text.split_whitespace().count() as u64;
    let choices: Vec<Value> = (0..n)
        .map(|i| json!({"text": text, "index": i, "finish_reason": "stop"}))
        .collect();
    ok(json!({
        "object": "edit",
        "created": CREATED,
        "model": model,
        "choices": choices,
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }))
}

fn image_generate(c: &Ctx) -> R {
    let model = model_of(c, "dall-e-2")?;
    let n = int_field(c, "n", 1, 10)?;
    let b64 = image_format(c.str_field("response_format"))?;
    let revised = (model == "dall-e-3").then(|| c.str_field("prompt").unwrap_or(""));
    ok(json!({"created": CREATED, "data": obj::image_data(n as usize, b64, revised)}))
}

fn image_format(f: Option<&str>) -> Result<bool, Box<Response>> {
    match f {
        None | Some("url") => Ok(false),
        Some("b64_json") => Ok(true),
        Some(o) => Err(invalid_value(
            "response_format",
            o,
            "one of 'url' or 'b64_json'",
        )),
    }
}

fn image_form(c: &Ctx) -> R {
    let f = c.form();
    if f.part("image").or_else(|| f.part("image[]")).is_none() {
        return Err(missing_param("image"));
    }
    model_of(c, "dall-e-2")?;
    let n = int_field(c, "n", 1, 10)?;
    let b64 = image_format(f.text("response_format"))?;
    ok(json!({"created": CREATED, "data": obj::image_data(n as usize, b64, None)}))
}

/// Embedding value j of input i: (((i * 7 + j * 13) % 101) - 50) / 100.
pub fn embedding_value(i: usize, j: usize) -> f64 {
    (((i * 7 + j * 13) % 101) as f64 - 50.0) / 100.0
}

fn embeddings(c: &Ctx) -> R {
    let model = model_of(c, "text-embedding-3-small")?;
    let input = c.body.get("input").ok_or_else(|| missing_param("input"))?;
    let count = match input {
        Value::String(_) => 1,
        Value::Array(a) if a.is_empty() => {
            return Err(invalid_value("input", "[]", "a non-empty array"))
        }
        Value::Array(a) if a.iter().all(Value::is_number) => 1,
        Value::Array(a) => a.len(),
        _ => {
            return Err(invalid_value(
                "input",
                &input.to_string(),
                "a string or an array",
            ))
        }
    };
    let dims = int_field(c, "dimensions", 8, 8192)? as usize;
    let base64 = match c.str_field("encoding_format") {
        None | Some("float") => false,
        Some("base64") => true,
        Some(o) => {
            return Err(invalid_value(
                "encoding_format",
                o,
                "one of 'float' or 'base64'",
            ))
        }
    };
    let data: Vec<Value> = (0..count)
        .map(|i| {
            let embedding = if base64 {
                let bytes: Vec<u8> = (0..dims)
                    .flat_map(|j| (embedding_value(i, j) as f32).to_le_bytes())
                    .collect();
                json!(base64::engine::general_purpose::STANDARD.encode(bytes))
            } else {
                json!((0..dims).map(|j| embedding_value(i, j)).collect::<Vec<_>>())
            };
            json!({"object": "embedding", "index": i, "embedding": embedding})
        })
        .collect();
    let tokens = match input {
        Value::Array(a) if a.iter().all(Value::is_number) => a.len() as u64,
        Value::Array(a) => a
            .iter()
            .map(|v| {
                if v.is_array() {
                    v.as_array().map_or(0, Vec::len) as u64
                } else {
                    words(v)
                }
            })
            .sum(),
        v => words(v),
    };
    ok(json!({
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }))
}

fn moderations(c: &Ctx) -> R {
    let model = model_of(c, "omni-moderation-latest")?;
    let count = match c.body.get("input") {
        None => return Err(missing_param("input")),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a.len(),
        Some(_) => 1,
    };
    ok(json!({
        "id": "modr-abc123",
        "model": model,
        "results": (0..count).map(|_| obj::moderation_result()).collect::<Vec<_>>(),
    }))
}

fn file_upload(c: &Ctx) -> R {
    let f = c.form();
    let file = f.part("file").ok_or_else(|| missing_param("file"))?;
    let purpose = f.text("purpose").ok_or_else(|| missing_param("purpose"))?;
    let filename = file.filename.as_deref().unwrap_or("upload");
    ok(obj::file(
        "file-abc123",
        filename,
        file.data.len() as u64,
        purpose,
        CREATED,
    ))
}

fn file_content(c: &Ctx) -> R {
    let len = match query(c, "mock_bytes") {
        None => None,
        Some(s) => match s.parse::<u64>() {
            Ok(n) if n <= crate::http::MAX_BODY => Some(n),
            _ => return Err(invalid_value("mock_bytes", &s, "an integer up to 4 GiB")),
        },
    };
    Ok(Response {
        status: 200,
        content_type: "application/octet-stream",
        headers: Vec::new(),
        body: Body::Pattern(Pattern::file_content(c.id(0), len)),
    })
}

fn job_create(c: &Ctx) -> R {
    let model = model_of(c, "gpt-4o-mini-2024-07-18")?;
    let training = c.str_field("training_file").unwrap_or("file-abc123");
    let mut j = obj::fine_tuning_job("ftjob-abc123", &model, "queued", training, CREATED);
    overlay(
        &mut j,
        &c.body,
        &[
            "validation_file",
            "hyperparameters",
            "method",
            "metadata",
            "seed",
            "integrations",
        ],
    );
    if let Some(s) = c.body.get("suffix") {
        j["user_provided_suffix"] = s.clone();
    }
    ok(j)
}

const TRANSCRIPT: &str = "Hello! This is a mock transcription.";
const TRANSLATION: &str = "Hello! This is a mock translation.";

fn transcription(c: &Ctx, translate: bool) -> R {
    let f = c.form();
    if f.part("file").is_none() {
        return Err(missing_param("file"));
    }
    model_of(c, "whisper-1")?;
    let text = if translate { TRANSLATION } else { TRANSCRIPT };
    match f.text("response_format").unwrap_or("json") {
        "json" if translate => ok(json!({"text": text})),
        "json" => ok(json!({"text": text, "usage": {"type": "duration", "seconds": 3}})),
        "text" => Ok(Response::text(200, TEXT, format!("{text}\n"))),
        "srt" => Ok(Response::text(
            200,
            TEXT,
            format!("1\n00:00:00,000 --> 00:00:03,000\n{text}\n\n"),
        )),
        "vtt" => Ok(Response::text(
            200,
            TEXT,
            format!("WEBVTT\n\n00:00:00.000 --> 00:00:03.000\n{text}\n\n"),
        )),
        "verbose_json" => {
            let language = if translate {
                "english"
            } else {
                f.text("language").unwrap_or("english")
            };
            let words: Vec<&str> = text.split(' ').collect();
            let step = 3.0 / words.len() as f64;
            let mut v = json!({
                "task": if translate { "translate" } else { "transcribe" },
                "language": language,
                "duration": 3.0,
                "text": text,
                "segments": [{
                    "id": 0, "seek": 0, "start": 0.0, "end": 3.0, "text": format!(" {text}"),
                    "tokens": [50364, 2425, 0, 639, 307, 257, 17362, 50514],
                    "temperature": 0.0, "avg_logprob": -0.25, "compression_ratio": 0.9, "no_speech_prob": 0.01,
                }],
                "usage": {"type": "duration", "seconds": 3},
            });
            let granularities = f.texts("timestamp_granularities[]");
            if granularities.contains(&"word") {
                v["words"] = words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| json!({"word": w.trim_matches(|ch: char| !ch.is_alphanumeric()), "start": i as f64 * step, "end": (i + 1) as f64 * step}))
                    .collect();
            }
            if !granularities.is_empty() && !granularities.contains(&"segment") {
                if let Some(o) = v.as_object_mut() {
                    o.remove("segments");
                }
            }
            ok(v)
        }
        other => Err(invalid_value(
            "response_format",
            other,
            "one of 'json', 'text', 'srt', 'verbose_json' or 'vtt'",
        )),
    }
}

fn speech(c: &Ctx) -> R {
    model_of(c, "tts-1")?;
    let content_type = match c.str_field("response_format").unwrap_or("mp3") {
        "mp3" => "audio/mpeg",
        "opus" => "audio/opus",
        "aac" => "audio/aac",
        "flac" => "audio/flac",
        "wav" => "audio/wav",
        "pcm" => "audio/pcm",
        other => {
            return Err(invalid_value(
                "response_format",
                other,
                "one of 'mp3', 'opus', 'aac', 'flac', 'wav' or 'pcm'",
            ))
        }
    };
    let len = match c.body.get("mock_bytes") {
        None | Some(Value::Null) => DEFAULT_SPEECH_BYTES,
        Some(v) => match v.as_u64() {
            Some(n) if n <= crate::http::MAX_BODY => n,
            _ => {
                return Err(invalid_value(
                    "mock_bytes",
                    &v.to_string(),
                    "an integer up to 4 GiB",
                ))
            }
        },
    };
    Ok(Response {
        status: 200,
        content_type,
        headers: Vec::new(),
        body: Body::Pattern(Pattern::speech(len)),
    })
}

fn message_create(c: &Ctx) -> R {
    let mut m = obj::message(
        "msg_abc123",
        c.id(0),
        c.str_field("role").unwrap_or("user"),
        "",
        CREATED,
    );
    m["content"] = match c.body.get("content") {
        Some(Value::String(s)) => obj::text_content(s),
        Some(Value::Array(parts)) => Value::Array(
            parts
                .iter()
                .map(|p| {
                    match (
                        p.get("type").and_then(Value::as_str),
                        p.get("text").and_then(Value::as_str),
                    ) {
                        (Some("text"), Some(t)) => {
                            json!({"type": "text", "text": {"value": t, "annotations": []}})
                        }
                        _ => p.clone(),
                    }
                })
                .collect(),
        ),
        _ => json!([]),
    };
    overlay(&mut m, &c.body, &["attachments", "metadata"]);
    ok(m)
}

/// Creates a run (also create-and-run and submit_tool_outputs), streamed when asked.
fn run_create(c: &Ctx, thread_id: &str, run_id: &str) -> R {
    let model = model_of(c, "gpt-4o")?;
    let assistant = c.str_field("assistant_id").unwrap_or("asst_abc123");
    let mut run = obj::run(run_id, thread_id, assistant, &model, "queued", CREATED);
    overlay(
        &mut run,
        &c.body,
        &[
            "instructions",
            "tools",
            "metadata",
            "temperature",
            "top_p",
            "max_prompt_tokens",
            "max_completion_tokens",
            "truncation_strategy",
            "response_format",
            "tool_choice",
            "parallel_tool_calls",
        ],
    );
    if c.body.get("stream") != Some(&Value::Bool(true)) {
        return ok(run);
    }
    let steer = Steer::from_body(&c.body)?;
    let mut step = obj::run_step("step_abc123", run_id, thread_id, "msg_abc123", CREATED + 1);
    step["assistant_id"] = json!(assistant);
    step["status"] = json!("in_progress");
    step["completed_at"] = Value::Null;
    step["usage"] = Value::Null;
    let mut message = obj::message("msg_abc123", thread_id, "assistant", "", CREATED + 1);
    message["assistant_id"] = json!(assistant);
    message["run_id"] = json!(run_id);
    message["status"] = json!("in_progress");
    message["completed_at"] = Value::Null;
    message["content"] = json!([]);
    let objs = RunObjects {
        run,
        step,
        message,
        usage: obj::run_usage(),
    };
    Ok(sse(EventStream::Run(Box::new(RunStream::new(steer, objs)))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_paths() {
        let r = resolve("/v1/threads/thread_1/runs/run_2/steps/step%203").unwrap();
        assert_eq!(r.allowed[0].1, Op::StepRetrieve);
        assert_eq!(r.ids[2], (Kind::Step, "step 3".to_string()));
        assert_eq!(
            resolve("/v1/threads/runs").unwrap().allowed[0].1,
            Op::ThreadCreateAndRun
        );
        assert!(resolve("/v1/files/").is_none());
        assert!(resolve("/v2/files").is_none());
        assert!(resolve("/v1//files").is_none());
        assert!(resolve("/v1/xyz").is_none());
    }

    #[test]
    fn embedding_values_are_short_decimals() {
        assert_eq!(embedding_value(0, 0), -0.5);
        assert_eq!(embedding_value(1, 1), -0.3);
        assert_eq!(json!(embedding_value(0, 3)).to_string(), "-0.11");
    }
}
