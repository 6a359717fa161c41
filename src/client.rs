//! A client: its options, the headers every request carries, and the connection pool. Cloning
//! is cheap and clones share everything; a derived client shares the pool of its parent.

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, USER_AGENT};
use tokio_util::sync::CancellationToken;

use crate::config::{Options, OptionsError};
use crate::log::Level;
use crate::request::encode_query;

/// The `User-Agent` of every request: this library's own name and version.
pub const USER_AGENT_VALUE: &str = concat!("libopenai/", env!("CARGO_PKG_VERSION"));

#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Cancels every call made through this client (see [`Client::with_cancel`]).
    cancel: Option<CancellationToken>,
}

struct Inner {
    options: Options,
    http: reqwest::Client,
    /// The identity of the connection pool, shared by derived clients that share the pool: the
    /// key of the per-thread pools of blocking calls (see `Client::http`).
    pool_key: Arc<()>,
    /// Authorization, organization, project and user agent.
    headers: HeaderMap,
    /// The `default_headers` option, applied last: a value replaces, `None` removes.
    overrides: Vec<(HeaderName, Option<HeaderValue>)>,
    beta: HeaderValue,
    /// The `default_query` option, encoded once.
    default_query: String,
}

impl Client {
    pub fn new(options: Options) -> Result<Client, OptionsError> {
        let http = build_pool(&options)?;
        Client::with_pool(options, http, Arc::new(()))
    }

    /// A client with `json`'s options over this one's (the official SDKs' `with_options`). It
    /// shares this client's connection pool unless it changes a transport option (proxy, CA
    /// bundle, connect timeout), which needs a pool of its own.
    pub fn derive(&self, json: Option<&str>) -> Result<Client, OptionsError> {
        let options = self.inner.options.derive(json)?;
        let (http, pool_key) = if options.shares_pool_with(&self.inner.options) {
            (self.inner.http.clone(), self.inner.pool_key.clone())
        } else {
            (build_pool(&options)?, Arc::new(()))
        };
        let mut derived = Client::with_pool(options, http, pool_key)?;
        derived.cancel = self.cancel.clone();
        Ok(derived)
    }

    /// This client, with every call made through it (blocking, async or streaming) cancelled
    /// when `token` is: a call in flight ends at once with its connection dropped, later calls
    /// end before sending anything. Shares everything else with this client.
    pub fn with_cancel(&self, token: CancellationToken) -> Client {
        Client { inner: self.inner.clone(), cancel: Some(token) }
    }

    pub(crate) fn cancel_token(&self) -> Option<&CancellationToken> {
        self.cancel.as_ref()
    }

    /// Logs a message with this client's key scrubbed from it.
    pub(crate) fn log(&self, level: Level, message: std::fmt::Arguments<'_>) {
        crate::log::emit(level, &self.inner.options.api_key, message);
    }

    /// `text` with this client's key scrubbed from it.
    pub(crate) fn redact(&self, text: &str) -> String {
        crate::log::redact(text, &self.inner.options.api_key)
    }

    fn with_pool(options: Options, http: reqwest::Client, pool_key: Arc<()>) -> Result<Client, OptionsError> {
        let mut headers = HeaderMap::new();
        let value = |name: &str, v: &str| {
            HeaderValue::from_str(v).map_err(|_| OptionsError(format!("{name} contains a character not allowed in a header")))
        };
        let mut authorization = value("api_key", &format!("Bearer {}", options.api_key))?;
        authorization.set_sensitive(true);
        headers.insert(AUTHORIZATION, authorization);
        if let Some(org) = &options.organization {
            headers.insert("openai-organization", value("organization", org)?);
        }
        if let Some(project) = &options.project {
            headers.insert("openai-project", value("project", project)?);
        }
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        let overrides = options
            .default_headers
            .iter()
            .map(|(name, v)| {
                let name = HeaderName::from_bytes(name.as_bytes()).expect("checked when parsed");
                Ok((name, v.as_deref().map(|v| value("default_headers", v)).transpose()?))
            })
            .collect::<Result<_, OptionsError>>()?;
        let beta = value("openai_beta", &options.openai_beta)?;
        let mut default_query = String::new();
        encode_query(&options.default_query, &mut default_query);
        Ok(Client { inner: Arc::new(Inner { options, http, pool_key, headers, overrides, beta, default_query }), cancel: None })
    }

    pub fn options(&self) -> &Options {
        &self.inner.options
    }

    /// The connection pool: the client's, or on a thread driving a blocking call on its own
    /// runtime, that thread's pool for this client (made on first use).
    pub(crate) fn http(&self) -> reqwest::Client {
        if !crate::runtime::in_local() {
            return self.inner.http.clone();
        }
        thread_local! {
            // Keyed by the pool's identity (a `Weak` keeps its address from being reused).
            static POOLS: std::cell::RefCell<Vec<(std::sync::Weak<()>, reqwest::Client)>> =
                const { std::cell::RefCell::new(Vec::new()) };
        }
        let key = &self.inner.pool_key;
        POOLS.with(|pools| {
            let mut pools = pools.borrow_mut();
            if let Some((_, pool)) = pools.iter().find(|(k, _)| std::ptr::eq(k.as_ptr(), Arc::as_ptr(key))) {
                return pool.clone();
            }
            pools.retain(|(k, _)| k.strong_count() > 0);
            // These options built the shared pool already; a pool of another runtime must never be used here.
            let pool = build_pool(&self.inner.options).expect("options that built a pool build another");
            pools.push((Arc::downgrade(key), pool.clone()));
            pool
        })
    }

    pub(crate) fn default_query(&self) -> &str {
        &self.inner.default_query
    }

    /// The headers of one request: the client's, then the request's own, then the
    /// `default_headers` option over both.
    pub(crate) fn headers_for(&self, accept: &'static str, content_type: Option<&'static str>, beta: bool) -> HeaderMap {
        let mut headers = self.inner.headers.clone();
        headers.insert(reqwest::header::ACCEPT, HeaderValue::from_static(accept));
        if let Some(content_type) = content_type {
            headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        if beta {
            headers.insert("openai-beta", self.inner.beta.clone());
        }
        for (name, value) in &self.inner.overrides {
            match value {
                Some(value) => headers.insert(name.clone(), value.clone()),
                None => headers.remove(name),
            };
        }
        headers
    }
}

/// The connection pool and its settings; the TLS configuration is the process's shared one
/// (src/tls.rs).
fn build_pool(options: &Options) -> Result<reqwest::Client, OptionsError> {
    let tls = crate::tls::config(options.ca_bundle.as_deref()).map_err(OptionsError)?;
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls((*tls).clone())
        .connect_timeout(options.connect_timeout)
        .tcp_nodelay(true);
    if let Some(proxy) = &options.proxy {
        let proxy = reqwest::Proxy::all(proxy).map_err(|e| OptionsError(format!("proxy \"{proxy}\" is not usable: {e}")))?;
        builder = builder.proxy(proxy);
    }
    builder.build().map_err(|e| OptionsError(format!("the HTTP client could not be built: {e}")))
}
