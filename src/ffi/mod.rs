//! The C boundary. Every export runs its body inside [`ffi_boundary!`], which catches panics
//! so that no unwinding ever crosses into C; arguments are checked (NULL, UTF-8) before use.
//!
//! Naming: C types and functions carry the `openai_` prefix, constants `OPENAI_`. The Rust
//! types here are named as C sees them, hence the lower-case type names.
#![allow(non_camel_case_types)]
// The safety contract of every export is the header's conventions section (valid pointers or
// NULL, NUL-terminated strings, one thread per handle), which each doc comment relies on.
#![allow(clippy::missing_safety_doc)]

#[macro_use]
#[doc(hidden)]
pub mod boundary;

// In the order the header presents them.
pub mod version;
pub mod library;
pub mod code;
pub mod error;
pub mod client;
pub mod cancel;
pub mod log;
pub mod response;
pub mod request;
pub mod pager;
pub mod item;
pub mod json_builder;
pub mod future;
pub mod queue;
pub mod stream;
pub mod event;
pub mod realtime;
pub mod upload;
pub mod uploads;
pub mod polling;
pub mod webhooks;
#[rustfmt::skip]
pub mod operations_gen;

mod call;
mod gate;
mod handle;
mod json;
mod signal;
mod wait;
