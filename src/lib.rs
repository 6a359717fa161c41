//! libopenai: the OpenAI API client as an embeddable C library.
//!
//! The Rust core (every module but `ffi`) knows nothing of C: it builds requests from the
//! operation table, sends them with retries on one tokio runtime, and classifies the results.
//! `ffi` is the C boundary: handles, strings, codes and one export per operation; it knows
//! nothing of HTTP.

// A failure is a whole response by design (status, headers, body, message), moved once per call;
// boxing it would only add an allocation to the error path.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]
// Every unsafe operation sits in an `unsafe` block with the argument for it, also inside
// `unsafe fn`s: the contract of each step is visible where it is taken.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod client;
pub mod config;
pub mod log;
pub mod operations;
pub mod pagination;
pub mod polling;
pub mod realtime;
pub mod request;
pub mod response;
pub mod runtime;
pub mod secrets;
pub mod sse;
pub mod stream;
pub mod tls;
pub mod transport;
pub mod upload;
pub mod uploads;
pub mod webhooks;

pub mod ffi;
