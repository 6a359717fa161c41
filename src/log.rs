//! Diagnostics: what the library does (requests, retries, failures), at four levels, to a sink
//! the embedding program sets, or to stderr when `OPENAI_LOG` is set (`error`, `warn`, `info`,
//! `debug`). Secrets never reach a sink: header values of `Authorization` and `api-key` are
//! printed as `[redacted]`, and the client's key is scrubbed from every message.

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use reqwest::header::HeaderMap;

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
/// is set, else nothing).
pub fn set_sink(sink: Option<Sink>, level: Level) {
    init();
    let max = match &sink {
        Some(_) => level as u8,
        None => env_level().map_or(0, |l| l as u8),
    };
    *SINK.write().unwrap_or_else(|e| e.into_inner()) = sink;
    MAX_LEVEL.store(max, Ordering::Relaxed);
}

/// Whether a message at `level` would go anywhere.
pub fn enabled(level: Level) -> bool {
    init();
    level as u8 <= MAX_LEVEL.load(Ordering::Relaxed)
}

/// Emits a message, with `secret` (the client's key) scrubbed from it.
pub fn emit(level: Level, secret: &str, message: fmt::Arguments<'_>) {
    if !enabled(level) {
        return;
    }
    let message = redact(&message.to_string(), secret);
    let sink = SINK.read().unwrap_or_else(|e| e.into_inner()).clone();
    match sink {
        Some(sink) => sink(level, &message),
        None => eprintln!("libopenai {}: {message}", level.name()),
    }
}

/// `text` with every occurrence of `secret` replaced, and any bearer token masked.
pub fn redact(text: &str, secret: &str) -> String {
    let mut text = if secret.len() >= 4 { text.replace(secret, "[redacted]") } else { text.to_string() };
    // A key the library did not send (a proxy's, a server echo of another) still has a shape.
    let mut from = 0;
    while let Some(at) = text[from..].find("Bearer ") {
        let start = from + at + 7;
        let end = text[start..].find(|c: char| c.is_whitespace() || c == '"' || c == ',').map_or(text.len(), |e| start + e);
        text.replace_range(start..end, "[redacted]");
        from = start + "[redacted]".len();
    }
    text
}

/// Headers as one line, with the values of credentials replaced by `[redacted]`.
pub fn headers(headers: &HeaderMap) -> String {
    headers
        .iter()
        .map(|(name, value)| {
            let sensitive = matches!(name.as_str(), "authorization" | "api-key" | "proxy-authorization") || value.is_sensitive();
            let value = if sensitive { "[redacted]".into() } else { String::from_utf8_lossy(value.as_bytes()).into_owned() };
            format!("{name}: {value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_scrubbed() {
        assert_eq!(redact("key sk-abc123 in text", "sk-abc123"), "key [redacted] in text");
        assert_eq!(redact("Authorization: Bearer sk-other, next", ""), "Authorization: Bearer [redacted], next");
        assert_eq!(redact("\"Bearer x\" and Bearer y", ""), "\"Bearer [redacted]\" and Bearer [redacted]");
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
