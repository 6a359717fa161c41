//! Opening one WebSocket connection: the URL (`wss://<base>/realtime?…`, `ws://` for an `http://`
//! base URL) and the handshake, an HTTP/1.1 `GET` with `Upgrade: websocket` sent through the
//! client's WebSocket pool, so that its proxy (an HTTP CONNECT tunnel for `wss`), CA bundle and
//! connect timeout apply. A refused upgrade comes back as a response with its status and body.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONNECTION, UPGRADE};
use tokio_tungstenite::tungstenite::handshake::client::generate_key;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use super::Target;
use crate::client::Client;
use crate::log::{self, Level};
use crate::request::encode_query;
use crate::response::{Outcome, Response};

pub(crate) type Socket = WebSocketStream<reqwest::Upgraded>;

/// An error body is read up to this size (the rest is dropped): a refused upgrade is answered
/// with a short JSON error, and a long body must not hold memory.
const MAX_REFUSAL_BODY: usize = 1 << 20;

/// The URL of `target`, with the `http(s)` scheme the handshake request is sent with.
fn http_url(client: &Client, target: &Target) -> String {
    let mut query = client.default_query().to_string();
    let mut own = String::new();
    encode_query(&target.query, &mut own);
    if !own.is_empty() {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&own);
    }
    let mut url = format!("{}{}", client.options().base_url, target.endpoint.path());
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }
    url
}

/// The URL as a WebSocket URL, for messages and logs.
pub(crate) fn ws_url(client: &Client, target: &Target) -> String {
    let url = http_url(client, target);
    match url.strip_prefix("https://") {
        Some(rest) => format!("wss://{rest}"),
        None => format!("ws://{}", url.strip_prefix("http://").unwrap_or(&url)),
    }
}

/// The handshake headers: the client's (credentials, organization, project, user agent and
/// `default_headers`), the target's extra headers, the client secret in place of the key, and
/// the upgrade's own.
fn headers(client: &Client, target: &Target, key: &str) -> Result<HeaderMap, Response> {
    let mut headers = client.websocket_headers();
    let invalid = |what: String| Response::failure(Outcome::InvalidArgument, what);
    for (name, value) in &target.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid(format!("\"{name}\" is not a valid header name")))?;
        match value {
            Some(value) => {
                let value = HeaderValue::from_str(value).map_err(|_| invalid(format!("the value of header \"{name}\" is not valid")))?;
                headers.insert(name, value);
            }
            None => {
                headers.remove(name);
            }
        }
    }
    if let Some(secret) = &target.client_secret {
        let mut value = HeaderValue::from_str(&format!("Bearer {secret}")).map_err(|_| invalid("the client secret is not usable in a header".into()))?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert("sec-websocket-version", HeaderValue::from_static("13"));
    headers.insert("sec-websocket-key", HeaderValue::from_str(key).expect("base64 is a valid header value"));
    Ok(headers)
}

/// Opens one connection. On success: the socket and the handshake's response head (status 101
/// and its headers). On failure: a response saying why (a refused upgrade keeps its status,
/// headers and body), with the client's key and secret scrubbed from its message.
pub(crate) async fn open(client: &Client, target: &Target) -> Result<(Socket, Response), Response> {
    let result = handshake(client, target).await;
    result.map_err(|mut failure| {
        let scrub = |text: &str| super::scrub(client, target, text);
        failure.message = failure.message.as_deref().map(scrub);
        if let Some(api_error) = &mut failure.api_error {
            api_error.message = api_error.message.as_deref().map(scrub);
        }
        failure
    })
}

async fn handshake(client: &Client, target: &Target) -> Result<(Socket, Response), Response> {
    let pool = client.websocket_pool().map_err(|e| Response::failure(Outcome::InvalidArgument, e.0))?;
    let key = generate_key();
    let headers = headers(client, target, &key)?;
    let url = http_url(client, target);
    if log::enabled(Level::Debug) {
        client.log(Level::Debug, format_args!("opening {} with {}", ws_url(client, target), log::headers(&headers)));
    }
    let send = async {
        let mut response = pool.get(&url).headers(headers).send().await.map_err(failure)?;
        let status = response.status().as_u16();
        let head = std::mem::take(response.headers_mut());
        if status != 101 {
            let body = read_limited(response).await;
            let mut refused = Response::from_http(status, head, body);
            if refused.outcome == Outcome::Ok {
                refused.outcome = Outcome::InvalidResponse;
                refused.message = Some(format!("the server answered {status} instead of switching to the WebSocket protocol (101)"));
            }
            return Err(refused);
        }
        let header = |name: &str| head.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
        let upgrade_ok = header("upgrade").eq_ignore_ascii_case("websocket")
            && header("connection").split(',').any(|t| t.trim().eq_ignore_ascii_case("upgrade"));
        if !upgrade_ok || header("sec-websocket-accept") != derive_accept_key(key.as_bytes()) {
            let mut bad = Response::from_http(status, head, Vec::new());
            bad.outcome = Outcome::InvalidResponse;
            bad.message = Some("the server's WebSocket handshake is invalid (Upgrade, Connection or Sec-WebSocket-Accept)".into());
            return Err(bad);
        }
        let upgraded = response.upgrade().await.map_err(failure)?;
        Ok((upgraded, head))
    };
    let (upgraded, head) = match client.options().timeout {
        None => send.await?,
        Some(limit) => tokio::time::timeout(limit, send).await.map_err(|_| {
            Response::failure(Outcome::Timeout, format!("the WebSocket handshake timed out after {} s", limit.as_secs_f64()))
        })??,
    };
    let socket = WebSocketStream::from_raw_socket(upgraded, Role::Client, Some(WebSocketConfig::default())).await;
    Ok((socket, Response::from_http(101, head, Vec::new())))
}

fn failure(error: reqwest::Error) -> Response {
    crate::transport::Failure::from(error).into_response(0)
}

async fn read_limited(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    let read = async {
        while let Ok(Some(chunk)) = response.chunk().await {
            let room = MAX_REFUSAL_BODY - body.len();
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() == MAX_REFUSAL_BODY {
                break;
            }
        }
    };
    // A refusal whose body never ends must not hold the session: what came in time is kept.
    let _ = tokio::time::timeout(Duration::from_secs(10), read).await;
    body
}
