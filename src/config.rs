//! Client options: parsed from a JSON object, with the environment variables of the official SDKs
//! as fallbacks (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID).
//!
//! Options are JSON so that a new option never changes a function signature. An unknown option is
//! an error that names it: a misspelt `"timout"` must not be silently ignored.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_MAX_RETRIES: u32 = 2;
pub const DEFAULT_OPENAI_BETA: &str = "assistants=v2";
/// The largest response held in memory (and the largest event of a stream), by default.
///
/// The largest legitimate JSON response known is an embeddings answer for the most inputs one
/// request takes (2,048) at the most dimensions (3,072, text-embedding-3-large) as floats:
/// 6,291,456 numbers, about 31 bytes each as the API formats them (indentation, up to 21
/// characters, comma, newline), so about 195 MB. 256 MiB clears it; a hostile or broken server
/// cannot make a call hold more. Downloads to a file (`_to_file`) are not limited.
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 256 << 20;
/// The most connections a client's pools open to its host, by default. Calls past it wait for a
/// connection. Chosen so that a thousand calls in flight fit an ordinary descriptor limit (1,024
/// open files) with three quarters of it left to the program, while 256 connections carry as
/// many calls per second as 1,024 on loopback (BENCHMARKS.md); over HTTP/2 (the real API)
/// calls share one connection and the limit is not reached.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
/// Idle connections kept per host, by default (as the official SDK's HTTP client keeps).
pub const DEFAULT_MAX_IDLE_CONNECTIONS: usize = 100;
/// How long an idle connection is kept, by default.
pub const DEFAULT_IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);

/// The options of one client. A derived client starts from its parent's options.
#[derive(Clone, PartialEq)]
pub struct Options {
    pub api_key: String,
    /// Without a trailing slash.
    pub base_url: String,
    pub organization: Option<String>,
    pub project: Option<String>,
    /// Per attempt, from sending the request to the last byte of the response; for an event
    /// stream, to its response head (after that `stream_idle_timeout` and `stream_timeout`
    /// apply). `None`: no limit.
    pub timeout: Option<Duration>,
    pub connect_timeout: Duration,
    pub max_retries: u32,
    /// Longest time allowed between two events of a stream (comments and keep-alives do not
    /// count as events). `None`: `timeout` applies.
    pub stream_idle_timeout: Option<Duration>,
    /// Longest time a stream may last from its response head to its end. `None`: no limit.
    pub stream_timeout: Option<Duration>,
    /// The largest response body held in memory, and the largest event of a stream, in bytes.
    /// `None`: no limit.
    pub max_response_size: Option<u64>,
    /// The most connections open to the host at once. `None`: no limit.
    pub max_connections: Option<usize>,
    /// Idle connections kept per host.
    pub max_idle_connections: usize,
    /// How long an idle connection is kept. `None`: until the server closes it.
    pub idle_connection_timeout: Option<Duration>,
    /// Speak HTTP/1.1 only, never HTTP/2 (which is otherwise chosen when a TLS server offers it).
    pub http1_only: bool,
    /// Extra headers, in order. `None` as a value removes a header the library would send.
    pub default_headers: Vec<(String, Option<String>)>,
    /// Query parameters added to every request, as a JSON object.
    pub default_query: Map<String, Value>,
    /// The `OpenAI-Beta` value sent by the assistants family.
    pub openai_beta: String,
    pub proxy: Option<String>,
    /// A PEM file of extra trusted root certificates.
    pub ca_bundle: Option<PathBuf>,
}

/// Shows every option but the key, which is never printed.
impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("api_key", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("organization", &self.organization)
            .field("project", &self.project)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .field("stream_timeout", &self.stream_timeout)
            .field("max_response_size", &self.max_response_size)
            .field("max_connections", &self.max_connections)
            .field("max_idle_connections", &self.max_idle_connections)
            .field("idle_connection_timeout", &self.idle_connection_timeout)
            .field("http1_only", &self.http1_only)
            .field("default_headers", &self.default_headers.iter().map(|(n, _)| n).collect::<Vec<_>>())
            .field("default_query", &self.default_query)
            .field("openai_beta", &self.openai_beta)
            .field("proxy", &self.proxy.as_ref().map(|_| "[set]"))
            .field("ca_bundle", &self.ca_bundle)
            .finish()
    }
}

/// The names accepted in the options object, for the error message of an unknown one.
pub const OPTION_NAMES: &[&str] = &[
    "api_key",
    "base_url",
    "organization",
    "project",
    "timeout",
    "connect_timeout",
    "max_retries",
    "stream_idle_timeout",
    "stream_timeout",
    "max_response_size",
    "max_connections",
    "max_idle_connections",
    "idle_connection_timeout",
    "http1_only",
    "default_headers",
    "default_query",
    "openai_beta",
    "proxy",
    "ca_bundle",
];

/// An option that could not be used; the message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsError(pub String);

impl std::fmt::Display for OptionsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn error<T>(message: impl Into<String>) -> Result<T, OptionsError> {
    Err(OptionsError(message.into()))
}

impl Options {
    /// Options for a new client: `json` (may be absent) over the environment over the defaults.
    /// `env` looks up an environment variable; tests pass their own.
    pub fn new(json: Option<&str>, env: impl Fn(&str) -> Option<String>) -> Result<Options, OptionsError> {
        let non_empty = |name: &str| env(name).filter(|v| !v.is_empty());
        let mut options = Options {
            api_key: non_empty("OPENAI_API_KEY").unwrap_or_default(),
            base_url: non_empty("OPENAI_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
            organization: non_empty("OPENAI_ORG_ID"),
            project: non_empty("OPENAI_PROJECT_ID"),
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            stream_idle_timeout: None,
            stream_timeout: None,
            max_response_size: Some(DEFAULT_MAX_RESPONSE_SIZE),
            max_connections: Some(DEFAULT_MAX_CONNECTIONS),
            max_idle_connections: DEFAULT_MAX_IDLE_CONNECTIONS,
            idle_connection_timeout: Some(DEFAULT_IDLE_CONNECTION_TIMEOUT),
            http1_only: false,
            default_headers: Vec::new(),
            default_query: Map::new(),
            openai_beta: DEFAULT_OPENAI_BETA.to_string(),
            proxy: None,
            ca_bundle: None,
        };
        if let Some(json) = json {
            options.apply(json)?;
        }
        if options.api_key.is_empty() {
            return error(
                "missing API key: set the api_key option or the OPENAI_API_KEY environment variable",
            );
        }
        options.base_url = normalize_base_url(&options.base_url)?;
        Ok(options)
    }

    /// Options for a client derived from one with `self`: the options named in `json` replace
    /// the parent's, the others are kept. The environment is not read again.
    pub fn derive(&self, json: Option<&str>) -> Result<Options, OptionsError> {
        let mut options = self.clone();
        if let Some(json) = json {
            options.apply(json)?;
        }
        if options.api_key.is_empty() {
            return error("api_key must not be empty");
        }
        options.base_url = normalize_base_url(&options.base_url)?;
        Ok(options)
    }

    /// Whether a client with these options can share the connection pool of one with `other`:
    /// the pool is built with the transport options (proxy, CA bundle, connect timeout, the
    /// connection limits, the HTTP version).
    pub fn shares_pool_with(&self, other: &Options) -> bool {
        self.proxy == other.proxy
            && self.ca_bundle == other.ca_bundle
            && self.connect_timeout == other.connect_timeout
            && self.max_connections == other.max_connections
            && self.max_idle_connections == other.max_idle_connections
            && self.idle_connection_timeout == other.idle_connection_timeout
            && self.http1_only == other.http1_only
    }

    fn apply(&mut self, json: &str) -> Result<(), OptionsError> {
        let value: Value = match serde_json::from_str(json) {
            Ok(v) => v,
            Err(e) => return error(format!("options are not valid JSON: {e}")),
        };
        let Value::Object(map) = value else {
            return error("options must be a JSON object");
        };
        for (name, value) in map {
            self.apply_one(&name, value)?;
        }
        Ok(())
    }

    fn apply_one(&mut self, name: &str, value: Value) -> Result<(), OptionsError> {
        match name {
            "api_key" => self.api_key = string(name, value)?.unwrap_or_default(),
            "base_url" => {
                self.base_url = string(name, value)?.unwrap_or_else(|| DEFAULT_BASE_URL.to_string())
            }
            "organization" => self.organization = string(name, value)?,
            "project" => self.project = string(name, value)?,
            "timeout" => self.timeout = seconds(name, value)?,
            "connect_timeout" => {
                self.connect_timeout = seconds(name, value)?.unwrap_or(DEFAULT_CONNECT_TIMEOUT)
            }
            "stream_idle_timeout" => self.stream_idle_timeout = seconds(name, value)?,
            "stream_timeout" => self.stream_timeout = seconds(name, value)?,
            "max_response_size" => {
                self.max_response_size = match value {
                    Value::Null => None,
                    Value::Number(n) => match n.as_u64() {
                        Some(n) if n > 0 => Some(n),
                        _ => return error("option \"max_response_size\" must be a positive number of bytes, or null"),
                    },
                    _ => return error("option \"max_response_size\" must be a positive number of bytes, or null"),
                }
            }
            "max_retries" => {
                self.max_retries = match value {
                    Value::Null => DEFAULT_MAX_RETRIES,
                    Value::Number(n) => match n.as_u64() {
                        Some(n) if n <= 1000 => n as u32,
                        _ => return error("option \"max_retries\" must be an integer from 0 to 1000"),
                    },
                    _ => return error("option \"max_retries\" must be an integer from 0 to 1000"),
                }
            }
            "max_connections" => self.max_connections = count(name, value, 1)?,
            "max_idle_connections" => {
                self.max_idle_connections = count(name, value, 0)?.unwrap_or(DEFAULT_MAX_IDLE_CONNECTIONS)
            }
            "idle_connection_timeout" => self.idle_connection_timeout = seconds(name, value)?,
            "http1_only" => {
                self.http1_only = match value {
                    Value::Bool(b) => b,
                    Value::Null => false,
                    _ => return error("option \"http1_only\" must be true or false"),
                }
            }
            "default_headers" => self.default_headers = headers(value)?,
            "default_query" => {
                self.default_query = match value {
                    Value::Null => Map::new(),
                    Value::Object(map) => map,
                    _ => return error("option \"default_query\" must be a JSON object"),
                }
            }
            "openai_beta" => {
                self.openai_beta =
                    string(name, value)?.unwrap_or_else(|| DEFAULT_OPENAI_BETA.to_string())
            }
            "proxy" => self.proxy = string(name, value)?,
            "ca_bundle" => self.ca_bundle = string(name, value)?.map(PathBuf::from),
            _ => {
                return error(format!(
                    "unknown option \"{name}\" (the options are: {})",
                    OPTION_NAMES.join(", ")
                ))
            }
        }
        Ok(())
    }
}

fn string(name: &str, value: Value) -> Result<Option<String>, OptionsError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        _ => error(format!("option \"{name}\" must be a string")),
    }
}

/// A duration in seconds (an integer or a fraction); `null` means no limit.
fn seconds(name: &str, value: Value) -> Result<Option<Duration>, OptionsError> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => match n.as_f64() {
            Some(s) if s > 0.0 && s.is_finite() && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
            _ => error(format!("option \"{name}\" must be a positive number of seconds")),
        },
        _ => error(format!("option \"{name}\" must be a positive number of seconds, or null")),
    }
}

/// A count of at least `min`; `null` means no limit (`None`).
fn count(name: &str, value: Value, min: u64) -> Result<Option<usize>, OptionsError> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => match n.as_u64() {
            Some(n) if n >= min && n <= 1_000_000 => Ok(Some(n as usize)),
            _ => error(format!("option \"{name}\" must be an integer from {min} to 1000000, or null")),
        },
        _ => error(format!("option \"{name}\" must be an integer from {min} to 1000000, or null")),
    }
}

fn headers(value: Value) -> Result<Vec<(String, Option<String>)>, OptionsError> {
    let map = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Object(map) => map,
        _ => return error("option \"default_headers\" must be a JSON object of strings"),
    };
    let mut headers = Vec::with_capacity(map.len());
    for (name, value) in map {
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return error(format!("default_headers: \"{name}\" is not a valid header name"));
        }
        let value = match value {
            Value::Null => None,
            Value::String(s) => {
                if reqwest::header::HeaderValue::from_str(&s).is_err() {
                    return error(format!("default_headers: the value of \"{name}\" is not a valid header value"));
                }
                Some(s)
            }
            _ => return error(format!("default_headers: the value of \"{name}\" must be a string or null")),
        };
        headers.push((name, value));
    }
    Ok(headers)
}

fn normalize_base_url(url: &str) -> Result<String, OptionsError> {
    let parsed = match reqwest::Url::parse(url) {
        Ok(u) => u,
        Err(e) => return error(format!("base_url \"{url}\" is not a valid URL: {e}")),
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return error(format!("base_url \"{url}\" must start with http:// or https://"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return error(format!("base_url \"{url}\" must not have a query or a fragment (use default_query)"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn options_override_the_environment() {
        let env = |name: &str| match name {
            "OPENAI_API_KEY" => Some("sk-env".to_string()),
            "OPENAI_BASE_URL" => Some("http://env.example/v1/".to_string()),
            "OPENAI_ORG_ID" => Some("org-env".to_string()),
            _ => None,
        };
        let from_env = Options::new(None, env).unwrap();
        assert_eq!(from_env.api_key, "sk-env");
        assert_eq!(from_env.base_url, "http://env.example/v1");
        assert_eq!(from_env.organization.as_deref(), Some("org-env"));
        assert_eq!(from_env.project, None);

        let given = Options::new(Some(r#"{"api_key":"sk-opt","organization":"org-opt","timeout":1.5}"#), env).unwrap();
        assert_eq!(given.api_key, "sk-opt");
        assert_eq!(given.organization.as_deref(), Some("org-opt"));
        assert_eq!(given.timeout, Some(Duration::from_millis(1500)));
    }

    #[test]
    fn a_missing_key_is_a_clear_error() {
        let e = Options::new(Some("{}"), no_env).unwrap_err();
        assert!(e.0.contains("OPENAI_API_KEY"), "{e}");
    }

    #[test]
    fn an_unknown_option_is_named() {
        let e = Options::new(Some(r#"{"api_key":"k","timout":3}"#), no_env).unwrap_err();
        assert!(e.0.starts_with("unknown option \"timout\""), "{e}");
    }

    #[test]
    fn bad_values_are_rejected() {
        for json in [
            r#"{"api_key":"k","timeout":-1}"#,
            r#"{"api_key":"k","max_retries":1.5}"#,
            r#"{"api_key":"k","default_headers":{"bad name":"x"}}"#,
            r#"{"api_key":"k","base_url":"ftp://x"}"#,
            r#"{"api_key":"k","default_query":[1]}"#,
            r#"[1]"#,
            r#"{"api_key":"#,
        ] {
            assert!(Options::new(Some(json), no_env).is_err(), "{json}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_key() {
        let options = Options::new(Some(r#"{"api_key":"sk-secret-value","proxy":"http://user:pw@proxy:8080"}"#), no_env).unwrap();
        let shown = format!("{options:?}");
        assert!(!shown.contains("sk-secret-value") && !shown.contains("pw@"), "{shown}");
    }

    #[test]
    fn a_derived_client_keeps_what_it_does_not_override() {
        let parent = Options::new(Some(r#"{"api_key":"k","max_retries":5,"project":"p"}"#), no_env).unwrap();
        let child = parent.derive(Some(r#"{"max_retries":0}"#)).unwrap();
        assert_eq!(child.max_retries, 0);
        assert_eq!(child.project.as_deref(), Some("p"));
        assert!(child.shares_pool_with(&parent));
        let proxied = parent.derive(Some(r#"{"proxy":"http://127.0.0.1:9"}"#)).unwrap();
        assert!(!proxied.shares_pool_with(&parent));
    }
}
