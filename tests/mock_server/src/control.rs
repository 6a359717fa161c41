//! The control endpoints under /__mock/: scripts, the request log, counters, configuration.
//! They need no API key and are never logged.

use serde_json::{json, Value};

use crate::http::Request;
use crate::response::{Response, TEXT};
use crate::script;
use crate::state::State;

/// Queues one script object or an array of them (all or nothing). Returns the queue length.
pub fn add_scripts(state: &State, value: &Value) -> Result<usize, String> {
    let items = match value {
        Value::Array(a) => a.iter().collect::<Vec<_>>(),
        v => vec![v],
    };
    let scripts = items
        .into_iter()
        .enumerate()
        .map(|(i, v)| script::parse(v).map_err(|e| format!("script {i}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(state.push_scripts(scripts))
}

/// Applies a configuration object: {"log": bool, "compress": bool}.
pub fn configure(state: &State, value: &Value) -> Result<(), String> {
    let obj = value
        .as_object()
        .ok_or("the configuration must be a JSON object")?;
    for (k, v) in obj {
        match (k.as_str(), v) {
            ("log", Value::Bool(b)) => state.set_logging(*b),
            ("log", _) => return Err("'log' must be a boolean".into()),
            ("compress", Value::Bool(b)) => state.set_compressing(*b),
            ("compress", _) => return Err("'compress' must be a boolean".into()),
            _ => return Err(format!("unknown configuration field '{k}'")),
        }
    }
    Ok(())
}

fn config(state: &State) -> Value {
    json!({"log": state.logging(), "compress": state.compressing()})
}

fn bad(message: impl Into<String>) -> Response {
    Response::invalid_request(400, message, None)
}

fn body_json(req: &Request) -> Result<Value, String> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(&req.body).map_err(|e| format!("invalid JSON: {e}"))
}

pub fn handle(req: &Request, state: &State) -> Response {
    let path = req.path().trim_end_matches('/');
    match (req.method(), path) {
        ("GET", "/__mock/health") => Response::text(200, TEXT, "ok"),
        ("POST", "/__mock/script" | "/__mock/scripts") => match body_json(req) {
            Ok(v) => match add_scripts(state, &v) {
                Ok(pending) => Response::json(200, &json!({"ok": true, "pending": pending})),
                Err(e) => bad(e),
            },
            Err(e) => bad(e),
        },
        ("GET", "/__mock/script" | "/__mock/scripts") => {
            Response::json(200, &Value::Array(state.pending_scripts()))
        }
        ("DELETE", "/__mock/script" | "/__mock/scripts") => {
            state.clear_scripts();
            Response::json(200, &json!({"ok": true}))
        }
        ("GET", "/__mock/requests") => {
            let since = crate::util::query_param(req.query(), "since")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let entries = state.log().render(since);
            Response::json(200, &Value::Array(entries))
        }
        ("DELETE", "/__mock/requests") => {
            state.log().clear(false);
            Response::json(200, &json!({"ok": true}))
        }
        ("GET", "/__mock/websockets") => Response::json(200, &Value::Array(state.websockets())),
        ("DELETE", "/__mock/websockets") => {
            state.clear_websockets();
            Response::json(200, &json!({"ok": true}))
        }
        ("GET", "/__mock/connections") => Response::json(200, &state.connections()),
        ("GET", "/__mock/config") => Response::json(200, &config(state)),
        ("POST", "/__mock/config") => match body_json(req).and_then(|v| configure(state, &v)) {
            Ok(()) => Response::json(200, &config(state)),
            Err(e) => bad(e),
        },
        ("POST", "/__mock/reset") => {
            state.reset();
            Response::json(200, &json!({"ok": true}))
        }
        _ => Response::error(
            404,
            format!("Unknown control endpoint ({} {})", req.method(), req.path()),
            "invalid_request_error",
            None,
            Some("unknown_url"),
        ),
    }
}
