//! The gate of a handle's callbacks: held while one runs, so that freeing the handle can wait
//! for it and the callback never runs after `_free` returns.
//!
//! Waiting is refused where it would deadlock: inside the handle's own callback (the wait would
//! be for itself), and where the thread running the callback waits, directly or through other
//! waits, for a gate this thread holds (two callbacks freeing each other's handles). Every wait
//! is registered in one table, and a wait that would close a cycle is not made: the free then
//! returns without waiting (the callback that is running finishes on its own thread, and no
//! other call starts). Whenever it does not wait, what the free would release (the handle, which
//! the running callback received as an argument) is released when that callback returns.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;

#[derive(Default)]
pub(crate) struct Gate {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    state: Mutex<State>,
    left: Condvar,
}

#[derive(Default)]
struct State {
    /// The thread running a callback through this gate.
    holder: Option<ThreadId>,
    /// No callback may start any more.
    closed: bool,
    /// Threads waiting for the holder to leave.
    waiting: usize,
    /// Released when the holder leaves (a handle freed while its callback ran).
    release: Option<Box<dyn Send>>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Which gate each waiting thread waits for: the edges of the wait-for graph. A few entries at
/// most (frees waiting for a callback right now), emptied and freed when the last wait ends.
struct Waits(Vec<(ThreadId, Arc<Inner>)>);

impl Waits {
    fn get(&self, thread: &ThreadId) -> Option<&Arc<Inner>> {
        self.0.iter().find(|(t, _)| t == thread).map(|(_, gate)| gate)
    }

    fn insert(&mut self, thread: ThreadId, gate: Arc<Inner>) {
        self.0.push((thread, gate));
    }

    fn remove(&mut self, thread: &ThreadId) {
        self.0.retain(|(t, _)| t != thread);
        if self.0.is_empty() {
            self.0 = Vec::new();
        }
    }
}

fn waits() -> MutexGuard<'static, Waits> {
    static WAITS: Mutex<Waits> = Mutex::new(Waits(Vec::new()));
    WAITS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Held while a callback runs; leaving the gate wakes whoever waits for it.
pub(crate) struct Passage<'a>(&'a Inner);

impl Drop for Passage<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.holder = None;
        let release = state.release.take();
        let wake = state.waiting > 0;
        drop(state);
        if wake {
            self.0.left.notify_all();
        }
        drop(release);
    }
}

impl Gate {
    /// Enters the gate to run a callback; None once the gate is closed (the handle was freed).
    pub(crate) fn enter(&self) -> Option<Passage<'_>> {
        let mut state = self.inner.lock();
        if state.closed {
            return None;
        }
        state.holder = Some(std::thread::current().id());
        Some(Passage(&self.inner))
    }

    /// Closes the gate (no callback starts after this) and waits for a callback running on
    /// another thread to return, unless that wait could deadlock; then drops `release`. Returns
    /// whether it waited or nothing was running; false: a callback is still running (on this
    /// thread, or on one that waits for this thread), and `release` is dropped when it returns.
    pub(crate) fn close<T: Send + 'static>(&self, release: T) -> bool {
        let me = std::thread::current().id();
        let mut state = self.inner.lock();
        state.closed = true;
        let Some(holder) = state.holder else {
            drop(state);
            drop(release);
            return true;
        };
        if holder == me {
            state.release = Some(Box::new(release));
            return false;
        }
        drop(state);
        {
            let mut waits = waits();
            // Follow the holder's own waits: reaching this thread would close a cycle.
            let mut thread = holder;
            let mut steps = 0;
            let mut cycle = false;
            while let Some(gate) = waits.get(&thread) {
                match gate.lock().holder {
                    Some(next) if next == me => {
                        cycle = true;
                        break;
                    }
                    Some(next) if steps < 10_000 => {
                        thread = next;
                        steps += 1;
                    }
                    _ => break,
                }
            }
            if cycle {
                let mut state = self.inner.lock();
                if state.holder.is_some() {
                    state.release = Some(Box::new(release));
                    return false;
                }
                drop(state);
                drop(release);
                return true;
            }
            waits.insert(me, self.inner.clone());
        }
        let mut state = self.inner.lock();
        while state.holder.is_some() {
            state.waiting += 1;
            state = self.inner.left.wait(state).unwrap_or_else(|e| e.into_inner());
            state.waiting -= 1;
        }
        drop(state);
        waits().remove(&me);
        drop(release);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;

    #[test]
    fn closing_waits_for_a_callback_on_another_thread() {
        let gate = Arc::new(Gate::default());
        let entered = Arc::new(Barrier::new(2));
        let running = {
            let (gate, entered) = (gate.clone(), entered.clone());
            std::thread::spawn(move || {
                let _passage = gate.enter().unwrap();
                entered.wait();
                std::thread::sleep(std::time::Duration::from_millis(100));
                std::time::Instant::now()
            })
        };
        entered.wait();
        assert!(gate.close(()));
        let closed_at = std::time::Instant::now();
        assert!(running.join().unwrap() <= closed_at);
        assert!(gate.enter().is_none());
    }

    #[test]
    fn two_callbacks_closing_each_others_gates_do_not_deadlock() {
        for _ in 0..50 {
            let (a, b) = (Arc::new(Gate::default()), Arc::new(Gate::default()));
            let both_in = Arc::new(Barrier::new(2));
            let run = |mine: Arc<Gate>, other: Arc<Gate>, both_in: Arc<Barrier>| {
                std::thread::spawn(move || {
                    let _passage = mine.enter().unwrap();
                    both_in.wait();
                    other.close(())
                })
            };
            let t1 = run(a.clone(), b.clone(), both_in.clone());
            let t2 = run(b, a, both_in);
            let (w1, w2) = (t1.join().unwrap(), t2.join().unwrap());
            // One of them waited for the other; the other found the cycle and did not wait.
            assert!(w1 ^ w2, "{w1} {w2}");
        }
    }

    #[test]
    fn inside_its_own_callback_closing_does_not_wait() {
        let gate = Gate::default();
        let _passage = gate.enter().unwrap();
        let released = Arc::new(());
        assert!(!gate.close(released.clone()));
        assert_eq!(Arc::strong_count(&released), 2, "kept until the callback returns");
        drop(_passage);
        assert_eq!(Arc::strong_count(&released), 1);
    }
}
