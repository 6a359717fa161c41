//! `openai_client`: creating, deriving and freeing clients.

use std::ffi::c_char;

use super::call::{arg_client, arg_opt_str};
use super::code::openai_code;
use super::error::set_last_error;
use super::handle::{self, Out};
use crate::client::Client;
use crate::config::Options;

/// A client: options, credentials and a connection pool. Safe to use from many threads at once.
/// Calls in flight (futures, streams) keep what they need, so a client may be freed while its
/// async calls run; a blocking call borrows it until it returns.
pub struct openai_client {
    pub(crate) inner: Client,
}

fn store(result: Result<Client, crate::config::OptionsError>, out: Out<'_, openai_client>) -> openai_code {
    match result {
        Ok(client) => {
            out.put(openai_client { inner: client });
            openai_code::OPENAI_OK
        }
        Err(e) => {
            set_last_error(e.0);
            openai_code::OPENAI_INVALID_ARGUMENT
        }
    }
}

/// Creates a client.
///
/// `options_json` is a JSON object, or NULL for none. The options (all optional):
/// - `api_key` (string): else the `OPENAI_API_KEY` environment variable. Required: without a
///   key, creation fails with `OPENAI_INVALID_ARGUMENT`.
/// - `base_url` (string): else `OPENAI_BASE_URL`, else `https://api.openai.com/v1`.
/// - `organization`, `project` (strings): else `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`; sent as the
///   `OpenAI-Organization` and `OpenAI-Project` headers when set.
/// - `timeout` (seconds, default 600, null for none): per attempt, from sending the request to the
///   last byte of the response; for an event stream, to the response's head (its first bytes).
/// - `connect_timeout` (seconds, default 5).
/// - `max_retries` (integer, default 2).
/// - `stream_idle_timeout` (seconds, default: `timeout`): the longest time between two events of
///   a stream. Keep-alive comments are not events: a stream that sends only them ends with
///   `OPENAI_TIMEOUT`.
/// - `stream_timeout` (seconds, default none): the longest a stream may last from its head to its
///   end, however lively; past it the stream ends with `OPENAI_TIMEOUT`.
/// - `max_response_size` (bytes, default 268435456 = 256 MiB, null for none): the largest body
///   held in memory, and the largest single event of a stream; past it the call ends with
///   `OPENAI_RESPONSE_TOO_LARGE` (not retried). The default is above the largest real JSON
///   response (embeddings of 2,048 inputs at 3,072 dimensions, about 195 MB). Downloads to a
///   file (`_to_file`) are not limited. Error bodies are kept up to their first MiB.
/// - `max_connections` (integer, default 256, null for none): the most connections open to the
///   host at once; calls past it wait for one (within their `timeout`) instead of failing. Over
///   HTTP/1.1 each call in flight takes one; over HTTP/2 calls share one and the limit is not
///   reached. 256 leaves three quarters of an ordinary 1,024-descriptor limit to the program.
/// - `max_idle_connections` (integer, default 100): idle connections kept per host for later
///   calls (a thread making blocking calls keeps at most 2 of its own).
/// - `idle_connection_timeout` (seconds, default 30, null for none): how long an idle connection
///   is kept.
/// - `http1_only` (boolean, default false): speak HTTP/1.1 only. Otherwise HTTP/2 is used when a
///   TLS server offers it (the real API does), and the calls in flight share its connection.
/// - `default_headers` (object of strings): added to every request, replacing the library's own
///   header of the same name; a null value removes that header. Credential headers
///   (`Authorization`, `Proxy-Authorization`, `api-key`, `x-api-key`, `Cookie`) are logged as
///   `[redacted]` and never follow a redirect to another scheme, host or port.
/// - `default_query` (object): query parameters added to every request.
/// - `openai_beta` (string, default `assistants=v2`): the `OpenAI-Beta` value of the assistants
///   family.
/// - `proxy` (URL): else the `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` variables.
/// - `ca_bundle` (path): a PEM file of root certificates trusted besides the built-in and system
///   ones.
///
/// An unknown option is an error that names it. On success `*out` receives the client (free it
/// with `openai_client_free`) and `OPENAI_OK` is returned; on failure `*out` is set to NULL and
/// `openai_last_error()` says why.
#[no_mangle]
pub unsafe extern "C" fn openai_client_new(options_json: *const c_char, out: *mut *mut openai_client) -> openai_code {
    ffi_boundary! {
        // SAFETY: `out` is NULL or writable, `options_json` NULL or a C string (the header's
        // conventions).
        let out = match unsafe { Out::new(out) } {
            Ok(out) => out,
            Err(code) => return code,
        };
        // SAFETY: as above.
        let options = match unsafe { arg_opt_str("options_json", options_json) } {
            Ok(json) => json,
            Err(e) => {
                set_last_error(e.0);
                return openai_code::OPENAI_INVALID_ARGUMENT;
            }
        };
        store(Options::new(options, |name| std::env::var(name).ok()).and_then(Client::new), out)
    }
}

/// Creates a client from `client` with some options replaced (the official SDKs'
/// `with_options`): the options in `options_json` (same names as `openai_client_new`; NULL for
/// none) replace the parent's, the others are kept. The environment is not read again.
///
/// The new client shares the parent's connection pool, unless it changes `proxy`, `ca_bundle` or
/// `connect_timeout`, which need a pool of their own. Parent and child are independent handles:
/// each is freed with `openai_client_free`, in any order.
#[no_mangle]
pub unsafe extern "C" fn openai_client_with_options(
    client: *const openai_client,
    options_json: *const c_char,
    out: *mut *mut openai_client,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: `out` is NULL or writable, `client` NULL or live, `options_json` NULL or a C
        // string (the header's conventions).
        let out = match unsafe { Out::new(out) } {
            Ok(out) => out,
            Err(code) => return code,
        };
        // SAFETY: as above.
        let (parent, options) = match unsafe { (arg_client(client), arg_opt_str("options_json", options_json)) } {
            (Ok(parent), Ok(options)) => (parent, options),
            (Err(e), _) | (_, Err(e)) => {
                set_last_error(e.0);
                return openai_code::OPENAI_INVALID_ARGUMENT;
            }
        };
        store(parent.derive(options), out)
    }
}

/// Frees a client. Async calls and streams already started keep working until they finish.
/// NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_client_free(client: *mut openai_client) {
    ffi_boundary! {
        // SAFETY: `client` is NULL or a client not yet freed, unused from now on (`_free`'s contract).
        drop(unsafe { handle::take(client) });
    }
}
