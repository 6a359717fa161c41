//! The accept loop and the per-connection request loop.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

use crate::http::{self, Conn, Outcome, ReadError, Request};
use crate::log::Entry;
use crate::response::{request_id, send};
use crate::state::State;
use crate::{control, multipart, routes, script, websocket};

/// Serves connections until `shutdown` completes.
pub async fn serve(listener: TcpListener, state: Arc<State>, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            r = listener.accept() => match r {
                Ok((stream, _)) => {
                    tokio::spawn(connection(stream, state.clone()));
                }
                // Out of descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
        }
    }
}

fn is_control(path: &str) -> bool {
    path == "/__mock" || path.starts_with("/__mock/")
}

async fn connection(stream: TcpStream, state: Arc<State>) {
    let _ = stream.set_nodelay(true);
    let guard = state.connection_opened();
    let mut conn = Conn::new(stream, guard.id, state.bytes_sent_counter());
    loop {
        let req = match conn.read_request().await {
            Ok(r) => r,
            Err(ReadError::Closed | ReadError::Io) => return,
            Err(ReadError::Bad(why)) => {
                return refuse(conn, &state, 400, format!("Bad request: {why}.")).await
            }
            Err(ReadError::TooLarge) => {
                let why = "Request body too large: the mock accepts up to 4 GiB.";
                return refuse(conn, &state, 413, why.into()).await;
            }
        };
        if !is_control(req.path()) && websocket::is_upgrade(&req) {
            return upgrade(conn, req, state).await;
        }
        conn.counting = !is_control(req.path());
        let outcome = if is_control(req.path()) {
            let resp = control::handle(&req, &state);
            send(&mut conn, &req, resp, &request_id(state.next_request_id())).await
        } else {
            api(&mut conn, &state, &req).await
        };
        conn.counting = true;
        drop(req); // release the body before waiting for the next request
        match outcome {
            // `send` and scripts already turn a request without keep-alive into Close.
            Outcome::Next => {}
            Outcome::Close => return conn.close_gracefully().await,
            Outcome::Reset => return conn.reset(),
            Outcome::ClientClosed => return,
        }
    }
}

/// A WebSocket handshake: logged like any API request, then refused by a script without a
/// `websocket` field, or served (failing as a script with one says).
async fn upgrade(mut conn: Conn, req: Request, state: Arc<State>) {
    let rid = request_id(state.next_request_id());
    if state.logging() {
        let entry = Entry::new(&req, conn.id, &rid, None);
        state.log().push(entry);
    }
    match state.take_script(req.method(), req.path()) {
        Some(script) => match script.websocket.clone() {
            Some(fault) => websocket::handle(conn, req, state, rid, Some(fault)).await,
            None => match script::execute(&mut conn, &req, &script, &rid).await {
                Outcome::Reset => conn.reset(),
                Outcome::ClientClosed => {}
                Outcome::Next | Outcome::Close => conn.close_gracefully().await,
            },
        },
        None => websocket::handle(conn, req, state, rid, None).await,
    }
}

/// Answers malformed input with an error and closes.
async fn refuse(mut conn: Conn, state: &State, status: u16, message: String) {
    let body = serde_json::json!({
        "error": {"message": message, "type": "invalid_request_error", "param": null, "code": null}
    })
    .to_string();
    let mut out = Vec::with_capacity(256 + body.len());
    http::status_line(&mut out, status);
    http::header(&mut out, "content-type", crate::response::JSON);
    http::header(
        &mut out,
        "x-request-id",
        &request_id(state.next_request_id()),
    );
    http::header(&mut out, "openai-processing-ms", "0");
    http::header(&mut out, "connection", "close");
    http::header_num(&mut out, "content-length", body.len() as u64);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body.as_bytes());
    if conn.write(&out).await.is_ok() {
        conn.close_gracefully().await;
    }
}

/// An API request: logged, then answered by a matching script or by the routes.
async fn api(conn: &mut Conn, state: &State, req: &Request) -> Outcome {
    let _in_progress = state.request_started();
    let rid = request_id(state.next_request_id());
    let parts = req
        .header("content-type")
        .and_then(multipart::boundary)
        .map(|b| multipart::parse(&req.body, &b));
    let seq = state.logging().then(|| {
        let good_parts = parts.as_ref().and_then(|p| p.as_deref().ok());
        let entry = if req.body.len() > crate::log::MAX_STORED_BODY {
            // Hashing a large body takes a while: let the runtime move other tasks away.
            tokio::task::block_in_place(|| Entry::new(req, conn.id, &rid, good_parts))
        } else {
            Entry::new(req, conn.id, &rid, good_parts)
        };
        state.log().push(entry)
    });
    let outcome = match state.take_script(req.method(), req.path()) {
        Some(s) => script::execute(conn, req, &s, &rid).await,
        None => {
            let mut resp = state.lifecycles.handle(req, parts.as_ref()).unwrap_or_else(|| routes::handle(req, parts.as_ref()));
            if state.compressing() {
                resp = resp.gzip_if_accepted(req);
            }
            send(conn, req, resp, &rid).await
        }
    };
    if outcome == Outcome::ClientClosed {
        state.client_closed_mid_response(seq);
    }
    outcome
}
