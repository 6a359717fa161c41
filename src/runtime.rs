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

thread_local! {
    /// A current-thread runtime per calling thread, for blocking calls: their I/O then runs on
    /// the calling thread, with no hand-off to a worker and back (see `block_on_local`).
    static LOCAL: Runtime = Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime could not start");
    /// Set while this thread drives a blocking call on its own runtime: the client then uses
    /// this thread's connection pool (a pool's connections run on the runtime that opened them).
    static IN_LOCAL: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is driving a blocking call on its own runtime.
pub fn in_local() -> bool {
    IN_LOCAL.with(|flag| flag.get())
}

/// `block_on` for a call whose response is read whole before it returns: on a caller's thread,
/// it runs on that thread's own current-thread runtime (I/O included, with the thread's own
/// connection pool). Not for streams, whose reading goes on after the call returns.
pub fn block_on_local<F: Future>(future: F) -> Result<F::Output, CannotBlock> {
    if ON_LIBRARY_THREAD.with(|flag| flag.get()) || Handle::try_current().is_ok() {
        return block_on(future);
    }
    LOCAL.with(|runtime| {
        IN_LOCAL.with(|flag| flag.set(true));
        struct Reset;
        impl Drop for Reset {
            fn drop(&mut self) {
                IN_LOCAL.with(|flag| flag.set(false));
            }
        }
        let _reset = Reset;
        Ok(runtime.block_on(async move {
            let output = future.await;
            // The connection tasks of this thread's pool run only while it is in a call: let
            // them see at once what the call dropped (a cancelled or timed-out request), so
            // that its socket closes now rather than at this thread's next call.
            tokio::task::yield_now().await;
            output
        }))
    })
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
