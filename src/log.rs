//! Diagnostics: what the library does (requests, retries, failures), at four levels, to a sink
//! the embedding program sets, or to stderr when `OPENAI_LOG` is set (`error`, `warn`, `info`,
//! `debug`). Secrets never reach a sink: the values of credential headers (crate::secrets) are
//! printed as `[redacted]`, and the client's key is scrubbed from every message.
//!
//! A sink runs with the sink lock held for reading, so that replacing the sink waits until no
//! thread is inside the old one: once `set_sink` returns, the old sink is never called again and
//! whatever it used may be freed.

use std::cell::Cell;
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use reqwest::header::HeaderMap;

use crate::secrets::{is_credential_header, Scrubber, REDACTED};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
}

impl Level {
    pub fn from_u8(level: u8) -> Option<Level> {
        match level {
            1 => Some(Level::Error),
            2 => Some(Level::Warn),
            3 => Some(Level::Info),
            4 => Some(Level::Debug),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }

    fn parse(name: &str) -> Option<Level> {
        match name.trim().to_ascii_lowercase().as_str() {
            "error" => Some(Level::Error),
            "warn" | "warning" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "debug" | "trace" => Some(Level::Debug),
            _ => None,
        }
    }
}

/// Where messages go: receives the level and the (already redacted) message.
pub type Sink = Arc<dyn Fn(Level, &str) + Send + Sync>;

static SINK: RwLock<Option<Sink>> = RwLock::new(None);

thread_local! {
    /// Set while this thread runs the sink: a message logged from inside the sink is dropped
    /// (taking the lock again could deadlock behind a waiting writer), and replacing the sink
    /// from inside it is refused.
    static IN_SINK: Cell<bool> = const { Cell::new(false) };
}
/// The most detailed level anyone listens to; 0 when nobody does. Checked before any message is
/// formatted, so logging off costs one atomic load.
static MAX_LEVEL: AtomicU8 = AtomicU8::new(0);
static INITIALIZED: OnceLock<()> = OnceLock::new();

/// The level `OPENAI_LOG` asks for, read once.
fn env_level() -> Option<Level> {
    static ENV: OnceLock<Option<Level>> = OnceLock::new();
    *ENV.get_or_init(|| std::env::var("OPENAI_LOG").ok().and_then(|v| Level::parse(&v)))
}

fn init() {
    INITIALIZED.get_or_init(|| {
        if let Some(level) = env_level() {
            MAX_LEVEL.fetch_max(level as u8, Ordering::Relaxed);
        }
    });
}

/// Sends messages up to `level` to `sink`; `None` restores the default (stderr when `OPENAI_LOG`
/// is set, else nothing). Returns once no thread is inside the previous sink any more. Refused
/// inside a sink, which cannot wait for itself.
pub fn set_sink(sink: Option<Sink>, level: Level) -> Result<(), &'static str> {
    if IN_SINK.with(Cell::get) {
        return Err("the log callback cannot be replaced from inside the log callback");
    }
    init();
    let max = match &sink {
        Some(_) => level as u8,
        None => env_level().map_or(0, |l| l as u8),
    };
    // The write lock waits for every thread inside the old sink (they hold the read lock).
    let mut current = SINK.write().unwrap_or_else(|e| e.into_inner());
    *current = sink;
    MAX_LEVEL.store(max, Ordering::Relaxed);
    Ok(())
}

/// Whether a message at `level` would go anywhere.
pub fn enabled(level: Level) -> bool {
    init();
    level as u8 <= MAX_LEVEL.load(Ordering::Relaxed)
}

/// Emits a message, with the client's key (and any bearer token) scrubbed from it.
pub fn emit(level: Level, scrubber: &Scrubber, message: fmt::Arguments<'_>) {
    if !enabled(level) || IN_SINK.with(Cell::get) {
        return;
    }
    let message = message.to_string();
    let message = scrubber.scrub(&message);
    let sink = SINK.read().unwrap_or_else(|e| e.into_inner());
    match &*sink {
        Some(sink) => {
            IN_SINK.with(|flag| flag.set(true));
            struct Leave;
            impl Drop for Leave {
                fn drop(&mut self) {
                    IN_SINK.with(|flag| flag.set(false));
                }
            }
            let _leave = Leave;
            sink(level, &message);
        }
        None => eprintln!("libopenai {}: {message}", level.name()),
    }
}

/// Headers as one line, with the values of credentials replaced by `[redacted]`.
pub fn headers(headers: &HeaderMap) -> String {
    headers
        .iter()
        .map(|(name, value)| {
            let sensitive = is_credential_header(name.as_str()) || value.is_sensitive();
            let value = if sensitive { REDACTED.into() } else { String::from_utf8_lossy(value.as_bytes()).into_owned() };
            format!("{name}: {value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_headers_are_redacted() {
        let mut map = HeaderMap::new();
        map.insert("authorization", "Bearer sk-1".parse().unwrap());
        map.insert("api-key", "k".parse().unwrap());
        map.insert("accept", "application/json".parse().unwrap());
        assert_eq!(headers(&map), "authorization: [redacted], api-key: [redacted], accept: application/json");
    }

    #[test]
    fn levels_parse_from_the_environment_names() {
        assert_eq!(Level::parse("DEBUG"), Some(Level::Debug));
        assert_eq!(Level::parse("warning"), Some(Level::Warn));
        assert_eq!(Level::parse("loud"), None);
        assert!(Level::Error < Level::Debug);
    }
}
