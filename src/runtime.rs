//! The library's tokio runtimes, owned by the library and never seen by callers: one shared
//! multi-thread runtime for async calls and streams (its worker threads are where completion
//! callbacks run), and a current-thread runtime per calling thread for blocking calls, whose I/O
//! then runs on the calling thread with no hand-off.
//!
//! Two events make runtimes stale:
//! - `fork()`: a child process has copies of its parent's runtimes but none of their threads,
//!   and their I/O objects share open files (the epoll instance, sockets) with the parent. The
//!   child gets fresh runtimes and never drives, nor drops, its parent's (see [`forks`]): they
//!   are kept aside, unused.
//! - [`shutdown`]: the shared runtime's threads are joined and its state freed; the next call
//!   starts a new one.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once, Weak};
use std::time::Duration;

use tokio::runtime::{Builder, Handle, Runtime};

/// How many times this process is a fork()ed child of a process that had loaded the library
/// (bumped in the child by a `pthread_atfork` handler).
static FORKS: AtomicU64 = AtomicU64::new(0);
/// Bumped by a fork and by `shutdown`: what a thread cached from an older epoch is stale.
static EPOCH: AtomicU64 = AtomicU64::new(0);

/// The shared runtime and the fork generation it belongs to.
static SHARED: Mutex<Option<(u64, Arc<Runtime>)>> = Mutex::new(None);

/// What a fork()ed child found of its parent's runtimes: kept here, never dropped (dropping would
/// touch I/O the parent shares) and never used; reachable, so that leak checkers see it as
/// such.
static ABANDONED: Mutex<Vec<Box<dyn std::any::Any + Send>>> = Mutex::new(Vec::new());

fn abandon<T: Send + 'static>(value: T) {
    ABANDONED.lock().unwrap_or_else(|e| e.into_inner()).push(Box::new(value));
}

thread_local! {
    /// Set on the library's own worker threads.
    static ON_LIBRARY_THREAD: Cell<bool> = const { Cell::new(false) };
    /// The shared runtime's handle, as of an epoch: one atomic load per async call instead of a lock.
    static CACHED_HANDLE: RefCell<Option<(u64, Handle)>> = const { RefCell::new(None) };
    /// This thread's runtime for blocking calls, with the fork generation it belongs to.
    static LOCAL: RefCell<Option<(u64, Arc<LocalRuntime>)>> = const { RefCell::new(None) };
    /// Set while this thread drives a blocking call on its own runtime: the client then uses
    /// this thread's connection pool (a pool's connections run on the runtime that opened them).
    static IN_LOCAL: Cell<bool> = const { Cell::new(false) };
}

/// The fork generation of this process: 0 in the process that first loaded the library, one
/// more in each fork()ed child. Objects made in another generation belong to another process.
pub fn forks() -> u64 {
    FORKS.load(Ordering::Acquire)
}

extern "C" fn in_forked_child() {
    FORKS.fetch_add(1, Ordering::AcqRel);
    EPOCH.fetch_add(1, Ordering::AcqRel);
}

/// Registers the fork handler, once per process.
fn watch_forks() {
    static REGISTERED: Once = Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: registers a handler that only updates two atomics, which is async-signal-safe
        // as a handler run in a fork()ed child must be.
        unsafe { libc::pthread_atfork(None, None, Some(in_forked_child)) };
    });
}

fn new_shared_runtime() -> Runtime {
    watch_forks();
    let mut builder = Builder::new_multi_thread();
    builder
        .enable_all()
        .thread_name("openai-worker")
        .on_thread_start(|| ON_LIBRARY_THREAD.with(|flag| flag.set(true)));
    if let Some(n) = std::env::var("OPENAI_WORKER_THREADS").ok().and_then(|v| v.parse::<usize>().ok()) {
        if n > 0 {
            builder.worker_threads(n);
        }
    }
    builder.build().expect("the library's tokio runtime could not start (out of threads or memory)")
}

/// The shared runtime's handle, starting the runtime on first use (and anew in a fork()ed child
/// or after `shutdown`). Worker threads: `OPENAI_WORKER_THREADS` when set to a positive number,
/// else one per core.
pub fn handle() -> Handle {
    let epoch = EPOCH.load(Ordering::Acquire);
    let cached = CACHED_HANDLE.with(|cached| match &*cached.borrow() {
        Some((at, handle)) if *at == epoch => Some(handle.clone()),
        _ => None,
    });
    if let Some(handle) = cached {
        return handle;
    }
    let handle = {
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        let generation = forks();
        match &*shared {
            Some((made_in, runtime)) if *made_in == generation => runtime.handle().clone(),
            _ => {
                // A parent's runtime has no threads here and shares its I/O with the parent:
                // never dropped in the child, only forgotten.
                if let Some((_, parents)) = shared.take() {
                    abandon(parents);
                }
                let runtime = Arc::new(new_shared_runtime());
                let handle = runtime.handle().clone();
                *shared = Some((generation, runtime));
                handle
            }
        }
    };
    CACHED_HANDLE.with(|cached| *cached.borrow_mut() = Some((epoch, handle.clone())));
    handle
}

/// A calling thread's runtime for blocking calls. `busy` is held while the thread drives it, so
/// that another thread drives it only while it is idle (see [`reap`]).
pub(crate) struct LocalRuntime {
    runtime: Runtime,
    busy: Mutex<()>,
    /// The fork generation it belongs to.
    forks: u64,
}

/// This thread's runtime for blocking calls, made on first use (and anew in a fork()ed child).
pub(crate) fn local_runtime() -> Arc<LocalRuntime> {
    let generation = forks();
    LOCAL.with(|local| {
        let mut local = local.borrow_mut();
        if let Some((made_in, runtime)) = &*local {
            if *made_in == generation {
                return runtime.clone();
            }
        }
        if let Some((_, parents)) = local.take() {
            abandon(parents);
        }
        watch_forks();
        let runtime = Builder::new_current_thread().enable_all().build().expect("a current-thread runtime could not start");
        let runtime = Arc::new(LocalRuntime { runtime, busy: Mutex::new(()), forks: generation });
        *local = Some((generation, runtime.clone()));
        runtime
    })
}

/// Whether the current thread is driving a blocking call on its own runtime.
pub fn in_local() -> bool {
    IN_LOCAL.with(|flag| flag.get())
}

/// Whether the current thread is one of the library's worker threads (inside a callback).
pub fn on_library_thread() -> bool {
    ON_LIBRARY_THREAD.with(|flag| flag.get())
}

/// This thread's runtime for blocking calls, when this thread can drive it: not a library
/// thread, not inside another runtime (where blocking on it would stall that runtime).
pub(crate) fn drivable_local_runtime() -> Option<Arc<LocalRuntime>> {
    (!on_library_thread() && Handle::try_current().is_err()).then(local_runtime)
}

impl LocalRuntime {
    /// Runs `future` to completion on the calling thread, driving this runtime (its I/O and
    /// its tasks) meanwhile, with the thread's connection pools in use (see `in_local`). Any
    /// thread may drive any thread's runtime; two at once take turns with its driver.
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.drive(async move {
            let output = future.await;
            // The connection tasks of this runtime's pools run only while it is driven: let
            // them see at once what the call dropped (a cancelled or timed-out request), so
            // that its socket closes now rather than at the next call.
            tokio::task::yield_now().await;
            output
        })
    }

    /// `block_on` without the turn of the I/O driver at the end: for a step that drops
    /// nothing, such as taking the next event of a stream. That turn is a system call
    /// (`epoll_wait`), which would otherwise be paid for every event of a pulled stream.
    pub(crate) fn drive<F: Future>(&self, future: F) -> F::Output {
        IN_LOCAL.with(|flag| flag.set(true));
        struct Reset;
        impl Drop for Reset {
            fn drop(&mut self) {
                IN_LOCAL.with(|flag| flag.set(false));
            }
        }
        let _reset = Reset;
        self.runtime.block_on(future)
    }
}

/// `block_on` for a call whose response is read whole before it returns: on a caller's thread,
/// it runs on that thread's own current-thread runtime (I/O included, with the thread's own
/// connection pool).
pub fn block_on_local<F: Future>(future: F) -> Result<F::Output, CannotBlock> {
    let Some(local) = drivable_local_runtime() else {
        return block_on(future);
    };
    let _busy = local.busy.lock().unwrap_or_else(|e| e.into_inner());
    Ok(local.block_on(future))
}

/// Why a blocking call could not block.
#[derive(Debug)]
pub struct CannotBlock;

/// Runs `future` to completion on the calling thread, with the shared runtime's I/O.
///
/// On one of the library's worker threads (inside a completion callback), the worker first
/// hands its other tasks to another thread (`block_in_place`), so a blocking call made from a
/// callback completes instead of deadlocking. Inside some other async runtime (a Rust program
/// embedding the library in its own tokio runtime) blocking is refused.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, CannotBlock> {
    let handle = handle();
    if on_library_thread() {
        return Ok(tokio::task::block_in_place(|| handle.block_on(future)));
    }
    if Handle::try_current().is_ok() {
        return Err(CannotBlock);
    }
    Ok(handle.block_on(future))
}

/// Lets the given threads' runtimes close what their connection pools dropped: a pool's idle
/// connections are tasks of the runtime that opened them, which runs only while its thread is
/// in a blocking call. Each idle runtime is driven here for a moment; a busy one closes them at
/// the end of the call it is in. Runtimes of another fork generation are never touched.
pub(crate) fn reap(runtimes: Vec<Weak<LocalRuntime>>) {
    let generation = forks();
    let reap_now = move || {
        for runtime in runtimes.iter().filter_map(Weak::upgrade) {
            if runtime.forks != generation {
                continue;
            }
            if let Ok(_idle) = runtime.busy.try_lock() {
                runtime.runtime.block_on(async {
                    // A dropped pool wakes each connection task once; they end on their next poll.
                    for _ in 0..4 {
                        tokio::task::yield_now().await;
                    }
                });
            }
        }
    };
    if Handle::try_current().is_ok() {
        // A runtime cannot be driven from inside another: a short-lived thread does it.
        let _ = std::thread::Builder::new().name("openai-reaper".into()).spawn(reap_now);
    } else {
        reap_now();
    }
}

/// Why the library could not be shut down.
#[derive(Debug)]
pub struct CannotShutDown(pub &'static str);

/// Stops the shared runtime (its worker threads are joined; tasks still running are dropped,
/// which completes their futures as cancelled) and frees the calling thread's runtime. The next
/// call into the library starts afresh. Refused on a library thread or inside another async
/// runtime, where waiting for the workers would wait for itself.
pub fn shutdown() -> Result<(), CannotShutDown> {
    if on_library_thread() {
        return Err(CannotShutDown("openai_shutdown cannot be called from a library thread (inside a callback)"));
    }
    if Handle::try_current().is_ok() {
        return Err(CannotShutDown("openai_shutdown cannot be called from inside an async runtime"));
    }
    let shared = SHARED.lock().unwrap_or_else(|e| e.into_inner()).take();
    EPOCH.fetch_add(1, Ordering::AcqRel);
    CACHED_HANDLE.with(|cached| cached.borrow_mut().take());
    let local = LOCAL.with(|local| local.borrow_mut().take());
    let generation = forks();
    if let Some((made_in, runtime)) = local {
        if made_in == generation {
            drop(runtime);
        } else {
            abandon(runtime);
        }
    }
    if let Some((made_in, runtime)) = shared {
        if made_in != generation {
            abandon(runtime);
        } else {
            match Arc::try_unwrap(runtime) {
                // Joins the worker threads (and the blocking pool's), so that nothing of theirs
                // is left behind; a task that does not end in time is abandoned.
                Ok(runtime) => runtime.shutdown_timeout(Duration::from_secs(10)),
                Err(runtime) => drop(runtime),
            }
        }
    }
    crate::tls::forget_configurations();
    Ok(())
}
