//! A client: its options, the headers every request carries, and its connection pools. Cloning
//! is cheap and clones share everything; a derived client shares the pools of its parent.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, USER_AGENT};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::config::{Options, OptionsError};
use crate::log::Level;
use crate::request::encode_query;
use crate::secrets::Scrubber;

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
    pools: Arc<Pools>,
    /// Scrubs this client's key from messages, error fields, headers and log lines.
    scrubber: Scrubber,
    /// Authorization, organization, project and user agent.
    headers: HeaderMap,
    /// The `default_headers` option, applied last: a value replaces, `None` removes.
    overrides: Vec<(HeaderName, Option<HeaderValue>)>,
    beta: HeaderValue,
    /// The `default_query` option, encoded once.
    default_query: String,
    /// The base URL's host and path (without a trailing slash): no request may leave them.
    base_host: Option<String>,
    base_path: String,
    /// The pool of WebSocket handshakes (src/realtime), made on first use from the same options.
    websocket: OnceLock<Result<reqwest::Client, OptionsError>>,
}

/// The connection pools of a client and of the clients derived from it that keep its transport
/// options: one for async calls (on the shared runtime) and one per thread that made blocking
/// calls (on that thread's runtime). Dropped with the last client that uses them, which closes
/// every connection they hold, on every thread.
struct Pools {
    options: Options,
    /// The pool of async calls and streams, made in fork generation `forks`.
    shared: reqwest::Client,
    forks: u64,
    /// The pool of async calls in a fork()ed child, which must not use its parent's.
    shared_in_child: Mutex<Option<(u64, reqwest::Client)>>,
    /// The pools of blocking calls, one per calling thread.
    per_thread: Mutex<Vec<ThreadPool>>,
    /// Permits for the connections to the host, shared by every pool (`max_connections`).
    connections: Option<Arc<Semaphore>>,
    /// Whether the host may answer over HTTP/2 (TLS, where ALPN chooses, and not `http1_only`).
    may_multiplex: bool,
    /// The host has answered, and over which protocol: HTTP/2 calls share its connections, and
    /// need no permit.
    answered: AtomicBool,
    multiplexed: AtomicBool,
    /// Until the host has answered, calls that may multiplex go one at a time: otherwise each of
    /// a burst of calls would open a connection (and a TLS handshake) of its own before the first
    /// learns that one HTTP/2 connection serves them all.
    first_call: Arc<tokio::sync::Mutex<()>>,
}

/// What a call holds of the client's connections from sending its request until it has read the
/// response (or its stream has ended): a connection of the limit (`max_connections`), unless
/// there is no limit or the host multiplexes calls over HTTP/2; and, until the host has answered
/// once, the turn of the first call.
#[derive(Default)]
pub(crate) struct ConnectionPermit {
    slot: Option<OwnedSemaphorePermit>,
    first_call: Option<tokio::sync::OwnedMutexGuard<()>>,
}

struct ThreadPool {
    runtime: Weak<crate::runtime::LocalRuntime>,
    /// The strong reference to the thread's pool (its thread holds a weak one): dropping it
    /// closes the pool.
    #[allow(dead_code)]
    pool: Arc<reqwest::Client>,
}

/// A thread's pools for blocking calls, as of a fork generation: by the address of their
/// `Pools`, weak, so that freeing the client frees them (the strong references are in
/// `Pools::per_thread`).
struct ThisThreadsPools {
    forks: u64,
    pools: Vec<(Weak<Pools>, Weak<reqwest::Client>)>,
}

thread_local! {
    static THREAD_POOLS: std::cell::RefCell<ThisThreadsPools> =
        const { std::cell::RefCell::new(ThisThreadsPools { forks: 0, pools: Vec::new() }) };
}

impl Pools {
    fn new(options: &Options) -> Result<Pools, OptionsError> {
        Ok(Pools {
            options: options.clone(),
            shared: build_pool(options, options.max_idle_connections)?,
            forks: crate::runtime::forks(),
            shared_in_child: Mutex::new(None),
            per_thread: Mutex::new(Vec::new()),
            connections: options.max_connections.map(|n| Arc::new(Semaphore::new(n))),
            may_multiplex: options.base_url.starts_with("https:") && !options.http1_only,
            answered: AtomicBool::new(false),
            multiplexed: AtomicBool::new(false),
            first_call: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// The pool of async calls, for this process's fork generation.
    fn shared(&self) -> reqwest::Client {
        let generation = crate::runtime::forks();
        if generation == self.forks {
            return self.shared.clone();
        }
        let mut child = self.shared_in_child.lock().unwrap_or_else(|e| e.into_inner());
        match &*child {
            Some((made_in, pool)) if *made_in == generation => pool.clone(),
            _ => {
                let pool = build_pool(&self.options, self.options.max_idle_connections).expect("options that built a pool build another");
                *child = Some((generation, pool.clone()));
                pool
            }
        }
    }

    /// The calling thread's pool for blocking calls, made on first use.
    fn for_this_thread(self: &Arc<Pools>) -> reqwest::Client {
        let generation = crate::runtime::forks();
        THREAD_POOLS.with(|pools| {
            let mut this_thread = pools.borrow_mut();
            if this_thread.forks != generation {
                // A parent's pools are not ours (their runtime is the parent's).
                *this_thread = ThisThreadsPools { forks: generation, pools: Vec::new() };
            }
            let pools = &mut this_thread.pools;
            let found = pools.iter().find(|(key, _)| std::ptr::eq(key.as_ptr(), Arc::as_ptr(self))).and_then(|(_, pool)| pool.upgrade());
            if let Some(pool) = found {
                return (*pool).clone();
            }
            pools.retain(|(key, pool)| key.strong_count() > 0 && pool.strong_count() > 0);
            // One thread makes one call at a time: two idle connections serve it.
            let idle = self.options.max_idle_connections.min(2);
            let pool = Arc::new(build_pool(&self.options, idle).expect("options that built a pool build another"));
            let runtime = Arc::downgrade(&crate::runtime::local_runtime());
            let mut per_thread = self.per_thread.lock().unwrap_or_else(|e| e.into_inner());
            // Threads that have ended took their runtime with them: their pools go too.
            per_thread.retain(|p| p.runtime.strong_count() > 0);
            per_thread.push(ThreadPool { runtime, pool: pool.clone() });
            drop(per_thread);
            pools.push((Arc::downgrade(self), Arc::downgrade(&pool)));
            (*pool).clone()
        })
    }
}

impl Drop for Pools {
    fn drop(&mut self) {
        let per_thread = std::mem::take(self.per_thread.get_mut().unwrap_or_else(|e| e.into_inner()));
        let runtimes = per_thread.iter().map(|p| p.runtime.clone()).collect();
        // Dropping the pools hands their connections' tasks the news; each thread's runtime
        // must run once for those tasks to close their sockets.
        drop(per_thread);
        crate::runtime::reap(runtimes);
    }
}

impl Client {
    pub fn new(options: Options) -> Result<Client, OptionsError> {
        let pools = Arc::new(Pools::new(&options)?);
        Client::with_pool(options, pools)
    }

    /// A client with `json`'s options over this one's (the official SDKs' `with_options`). It
    /// shares this client's connection pools unless it changes a transport option (proxy, CA
    /// bundle, connect timeout), which needs pools of its own.
    pub fn derive(&self, json: Option<&str>) -> Result<Client, OptionsError> {
        let options = self.inner.options.derive(json)?;
        let pools = if options.shares_pool_with(&self.inner.options) {
            self.inner.pools.clone()
        } else {
            Arc::new(Pools::new(&options)?)
        };
        let mut derived = Client::with_pool(options, pools)?;
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
        crate::log::emit(level, &self.inner.scrubber, message);
    }

    /// What scrubs this client's key from the strings the library hands out.
    pub fn scrubber(&self) -> &Scrubber {
        &self.inner.scrubber
    }

    fn with_pool(options: Options, pools: Arc<Pools>) -> Result<Client, OptionsError> {
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
        // Byte for byte as the official SDK's HTTP client asks; responses so encoded are
        // decompressed as they arrive (the decompressed size bounded by max_response_size).
        headers.insert(reqwest::header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate"));
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
        let scrubber = Scrubber::new(&options.api_key);
        let base = reqwest::Url::parse(&options.base_url).map_err(|e| OptionsError(format!("base_url is not valid: {e}")))?;
        let base_host = base.host_str().map(str::to_string);
        let base_path = base.path().trim_end_matches('/').to_string();
        let websocket = OnceLock::new();
        let inner = Inner { options, pools, scrubber, headers, overrides, beta, default_query, base_host, base_path, websocket };
        Ok(Client { inner: Arc::new(inner), cancel: None })
    }

    pub fn options(&self) -> &Options {
        &self.inner.options
    }

    /// The connection pool: on a thread driving a blocking call on its own runtime, that
    /// thread's pool for this client; else the pool of async calls.
    pub(crate) fn http(&self) -> reqwest::Client {
        if crate::runtime::in_local() {
            self.inner.pools.for_this_thread()
        } else {
            self.inner.pools.shared()
        }
    }

    /// Waits for a connection of the client's limit (see [`ConnectionPermit`]). Waiting is part
    /// of the call's attempt, bounded by its timeout.
    pub(crate) async fn connection_permit(&self) -> ConnectionPermit {
        let pools = &self.inner.pools;
        let mut permit = ConnectionPermit::default();
        if pools.may_multiplex && !pools.answered.load(Ordering::Acquire) {
            let turn = pools.first_call.clone().lock_owned().await;
            if !pools.answered.load(Ordering::Acquire) {
                permit.first_call = Some(turn);
            }
        }
        if let Some(connections) = &pools.connections {
            if !pools.multiplexed.load(Ordering::Acquire) {
                permit.slot = connections.clone().acquire_owned().await.ok();
            }
        }
        permit
    }

    /// Notes the HTTP version the host answered with, and what the call's permit still needs:
    /// once the host has answered, calls need not take turns; over HTTP/2 they share its
    /// connections and need no connection of the limit.
    pub(crate) fn saw_version(&self, version: reqwest::Version, permit: &mut ConnectionPermit) {
        let pools = &self.inner.pools;
        if version == reqwest::Version::HTTP_2 {
            pools.multiplexed.store(true, Ordering::Release);
            permit.slot = None;
        }
        pools.answered.store(true, Ordering::Release);
        permit.first_call = None;
    }

    pub(crate) fn default_query(&self) -> &str {
        &self.inner.default_query
    }

    /// The base URL's path, without a trailing slash ("/v1"; "" for a base URL at the root).
    pub(crate) fn base_path(&self) -> &str {
        &self.inner.base_path
    }

    pub(crate) fn base_host(&self) -> Option<&str> {
        self.inner.base_host.as_deref()
    }

    /// The pool that opens WebSocket connections: the options of the HTTP pools (proxy, CA
    /// bundle, connect timeout, the one TLS configuration), but `http1_only` (the upgrade is an
    /// HTTP/1.1 mechanism: HTTP/1.1 alone is offered in the TLS handshake), no idle
    /// connections (a connection leaves the pool once upgraded) and no Accept-Encoding. Like the HTTP pools it follows
    /// no redirect: a handshake is never sent elsewhere with the credentials. Made on first use.
    pub(crate) fn websocket_pool(&self) -> Result<reqwest::Client, OptionsError> {
        self.inner
            .websocket
            .get_or_init(|| {
                let options = Options { http1_only: true, ..self.inner.options.clone() };
                // A handshake has no body to compress: no Accept-Encoding.
                let builder = pool_builder(&options, 0)?.no_gzip().no_deflate();
                builder.build().map_err(|e| OptionsError(format!("the WebSocket client could not be built: {e}")))
            })
            .clone()
    }

    /// The headers of a WebSocket handshake: the client's (credentials, organization, project,
    /// user agent) with the `default_headers` option over them; no Accept, Accept-Encoding or
    /// Content-Type.
    pub(crate) fn websocket_headers(&self) -> HeaderMap {
        let mut headers = self.inner.headers.clone();
        // A handshake has no body to compress.
        headers.remove(reqwest::header::ACCEPT_ENCODING);
        for (name, value) in &self.inner.overrides {
            match value {
                Some(value) => headers.insert(name.clone(), value.clone()),
                None => headers.remove(name),
            };
        }
        headers
    }

    /// The headers of one request: the client's, then the request's own, then the
    /// `default_headers` option over both.
    /// `beta` is the operation's `OpenAI-Beta` value: the assistants family's is the
    /// `openai_beta` option's (which a server of another era may need to change), any other is
    /// sent as the table gives it.
    pub(crate) fn headers_for(&self, accept: &'static str, content_type: Option<&'static str>, beta: Option<&'static str>) -> HeaderMap {
        let mut headers = self.inner.headers.clone();
        headers.insert(reqwest::header::ACCEPT, HeaderValue::from_static(accept));
        if let Some(content_type) = content_type {
            headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        match beta {
            Some(crate::operations::ASSISTANTS_BETA) => {
                headers.insert("openai-beta", self.inner.beta.clone());
            }
            Some(value) => {
                headers.insert("openai-beta", HeaderValue::from_static(value));
            }
            None => {}
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
fn build_pool(options: &Options, max_idle: usize) -> Result<reqwest::Client, OptionsError> {
    pool_builder(options, max_idle)?.build().map_err(|e| OptionsError(format!("the HTTP client could not be built: {e}")))
}

/// The settings of a pool, for `build_pool` and for the WebSocket pool, which adds its own.
fn pool_builder(options: &Options, max_idle: usize) -> Result<reqwest::ClientBuilder, OptionsError> {
    let mut tls = (*crate::tls::config(options.ca_bundle.as_deref()).map_err(OptionsError)?).clone();
    if options.http1_only {
        // Offering only HTTP/1.1 in the handshake: a server that prefers HTTP/2 cannot pick it.
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    }
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        // Redirects are followed by the transport, which decides what a redirect may carry.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(options.connect_timeout)
        .pool_max_idle_per_host(max_idle)
        .pool_idle_timeout(options.idle_connection_timeout)
        .tcp_nodelay(true);
    if options.http1_only {
        builder = builder.http1_only();
    }
    if let Some(proxy) = &options.proxy {
        let proxy = reqwest::Proxy::all(proxy).map_err(|e| OptionsError(format!("proxy \"{proxy}\" is not usable: {e}")))?;
        builder = builder.proxy(proxy);
    }
    Ok(builder)
}
