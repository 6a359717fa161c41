//! The one tokio runtime of the library: started on first use, owned by the library, never seen
//! by callers. Blocking calls drive their request on the calling thread; async calls run on the
//! runtime's worker threads, which are also where completion callbacks run.

use std::cell::Cell;
use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Handle, Runtime};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

thread_local! {
    /// Set on the library's own worker threads.
    static ON_LIBRARY_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// The runtime, started on first use. Worker threads: `OPENAI_WORKER_THREADS` when set to a
/// positive number, else one per core.
pub fn get() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
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
    })
}

/// The runtime's handle, to spawn work on it.
pub fn handle() -> &'static Handle {
    get().handle()
}

/// Why a blocking call could not block.
#[derive(Debug)]
pub struct CannotBlock;

/// Runs `future` to completion on the calling thread.
///
/// On one of the library's worker threads (inside a completion callback), the worker first
/// hands its other tasks to another thread (`block_in_place`), so a blocking call made from a
/// callback completes instead of deadlocking. Inside some other async runtime (a Rust program
/// embedding the library in its own tokio runtime) blocking is refused.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, CannotBlock> {
    let runtime = get();
    if ON_LIBRARY_THREAD.with(|flag| flag.get()) {
        return Ok(tokio::task::block_in_place(|| runtime.handle().block_on(future)));
    }
    if Handle::try_current().is_ok() {
        return Err(CannotBlock);
    }
    Ok(runtime.block_on(future))
}
