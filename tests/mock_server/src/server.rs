//! The accept loop and the per-connection request loop.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

use crate::http::{Conn, Outcome, ReadError, Request};
use crate::log::Entry;
use crate::response::{request_id, send, Response};
use crate::state::State;
use crate::{control, multipart, routes, script};

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
    let mut conn = Conn::new(stream, guard.id);
    loop {
        let req = match conn.read_request().await {
            Ok(r) => r,
            Err(ReadError::Closed | ReadError::Io) => return,
            Err(ReadError::Bad(why)) => return refuse(conn, 400, format!("Bad request: {why}.")).await,
            Err(ReadError::TooLarge) => {
                return refuse(conn, 413, "Request body too large: the mock accepts up to 4 GiB.".into()).await
            }
        };
        let outcome = if is_control(req.path()) {
            let resp = control::handle(&req, &state);
            send(&mut conn, &req, resp, &request_id(state.next_request_id())).await
        } else {
            api(&mut conn, &state, &req).await
        };
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

/// Answers malformed input with an error and closes.
async fn refuse(mut conn: Conn, status: u16, message: String) {
    let resp = Response::invalid_request(status, message, None);
    let mut out = Vec::with_capacity(256);
    crate::http::status_line(&mut out, status);
    crate::http::header(&mut out, "content-type", resp.content_type);
    crate::http::header(&mut out, "connection", "close");
    if let crate::response::Body::Full(body) = &resp.body {
        crate::http::header_num(&mut out, "content-length", body.len() as u64);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
    }
    if conn.write(&out).await.is_ok() {
        conn.close_gracefully().await;
    }
}

/// An API request: logged, then answered by a matching script or by the routes.
async fn api(conn: &mut Conn, state: &State, req: &Request) -> Outcome {
    let rid = request_id(state.next_request_id());
    let parts = req
        .header("content-type")
        .and_then(multipart::boundary)
        .map(|b| multipart::parse(&req.body, &b));
    let seq = state.logging().then(|| {
        let good_parts = parts.as_ref().and_then(|p| p.as_deref().ok());
        let entry = Entry::new(req, conn.id, &rid, good_parts);
        state.log().push(entry)
    });
    let outcome = match state.take_script(req.method(), req.path()) {
        Some(s) => script::execute(conn, req, &s, &rid).await,
        None => {
            let resp = routes::handle(req, parts.as_ref());
            send(conn, req, resp, &rid).await
        }
    };
    if outcome == Outcome::ClientClosed {
        state.client_closed_mid_response(seq);
    }
    outcome
}
