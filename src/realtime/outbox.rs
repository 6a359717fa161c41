//! Client events waiting to be written: one queue per session, filled by any thread, emptied in
//! order by the session's writer. Each event is one text frame; the order of the frames is the
//! order in which sends took the queue's lock.
//!
//! Bounded, always: while connected (or connecting) a sender waits for room, as a socket write
//! would, except on the library's own threads (inside a callback), where waiting could stall the
//! very task that makes room: there a full queue is an error. While reconnecting the bound is the
//! official SDK's (1 MiB) and a full queue is an error for everyone.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

/// Why an event was not queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The queue is full; nothing was queued. The message says which bound.
    Full(String),
    /// The session has ended, or is closing: nothing more is sent.
    Ended(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Connecting,
    Open,
    Reconnecting,
    /// Closing (a close frame is queued) or ended.
    Ended,
}

pub struct Outbox {
    state: Mutex<State>,
    /// Wakes senders waiting for room.
    room: Condvar,
    /// Wakes the writer.
    ready: Notify,
    send_bound: usize,
    reconnect_bound: usize,
}

struct State {
    frames: VecDeque<Message>,
    bytes: usize,
    phase: Phase,
    /// Why sending is over, once it is.
    ended: Option<String>,
    /// Senders waiting for room.
    waiting: usize,
}

impl Outbox {
    /// A queue holding at most `send_bound` bytes while connected, `reconnect_bound` while
    /// reconnecting.
    pub fn new(send_bound: usize, reconnect_bound: usize) -> Outbox {
        Outbox {
            state: Mutex::new(State { frames: VecDeque::new(), bytes: 0, phase: Phase::Connecting, ended: None, waiting: 0 }),
            room: Condvar::new(),
            ready: Notify::new(),
            send_bound,
            reconnect_bound,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues events as text frames, in order and together (no other sender's frame comes
    /// between them unless this one has to wait for room). `may_wait`: whether this thread may
    /// wait for room. Returns how many were queued before an error, with the error.
    pub fn send(&self, events: impl IntoIterator<Item = String>, may_wait: bool) -> Result<usize, (usize, SendError)> {
        let mut sent = 0;
        let mut state = self.lock();
        for event in events {
            let len = event.len();
            loop {
                if let Some(why) = &state.ended {
                    return Err((sent, SendError::Ended(why.clone())));
                }
                let (bound, reconnecting) = match state.phase {
                    Phase::Reconnecting => (self.reconnect_bound, true),
                    _ => (self.send_bound, false),
                };
                // One event larger than the bound goes through an empty queue: it could never
                // be sent otherwise.
                if state.bytes == 0 || state.bytes + len <= bound {
                    break;
                }
                if reconnecting || !may_wait {
                    let why = if reconnecting {
                        format!("the session is reconnecting and the events waiting for it fill its send queue ({bound} bytes): the event was not sent")
                    } else {
                        format!("the send queue is full ({bound} bytes waiting to be written); inside a callback the library does not wait for room: the event was not sent")
                    };
                    return Err((sent, SendError::Full(why)));
                }
                state.waiting += 1;
                state = self.room.wait(state).unwrap_or_else(|e| e.into_inner());
                state.waiting -= 1;
            }
            state.bytes += len;
            state.frames.push_back(Message::Text(event.into()));
            sent += 1;
            if state.frames.len() == 1 {
                // The writer takes everything queued when it wakes: one wake-up per batch.
                self.ready.notify_one();
            }
        }
        Ok(sent)
    }

    /// Queues a close frame after the events already queued; nothing can be sent after it.
    pub fn close(&self, code: u16, reason: &str) -> Result<(), SendError> {
        let mut state = self.lock();
        if let Some(why) = &state.ended {
            return Err(SendError::Ended(why.clone()));
        }
        state.frames.push_back(Message::Close(Some(CloseFrame { code: CloseCode::from(code), reason: reason.to_string().into() })));
        state.ended = Some("the session is closing".into());
        state.phase = Phase::Ended;
        self.ready.notify_one();
        drop(state);
        self.room.notify_all();
        Ok(())
    }

    pub(crate) fn set_phase(&self, phase: Phase) {
        let mut state = self.lock();
        if state.phase == Phase::Ended {
            return;
        }
        state.phase = phase;
        let wake = state.waiting > 0;
        drop(state);
        if wake {
            // A waiting sender re-checks against the bound of the new phase.
            self.room.notify_all();
        }
    }

    /// Ends sending for good: waiting and later senders get `why`; queued frames are dropped.
    pub(crate) fn end(&self, why: String) {
        let mut state = self.lock();
        state.phase = Phase::Ended;
        state.ended.get_or_insert(why);
        state.frames.clear();
        state.bytes = 0;
        drop(state);
        self.room.notify_all();
    }

    /// Whether a close frame was queued (the session closes on the caller's request).
    pub(crate) fn closing(&self) -> bool {
        let state = self.lock();
        state.phase == Phase::Ended && state.ended.as_deref() == Some("the session is closing")
    }

    /// Waits for frames and takes all of them, oldest first. Cancel-safe: frames are taken only
    /// in the poll that returns them.
    pub(crate) async fn take(&self, batch: &mut Vec<Message>) {
        loop {
            let notified = self.ready.notified();
            {
                let mut state = self.lock();
                if !state.frames.is_empty() {
                    batch.extend(state.frames.drain(..));
                    state.bytes = 0;
                    let wake = state.waiting > 0;
                    drop(state);
                    if wake {
                        self.room.notify_all();
                    }
                    return;
                }
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_is_an_error_while_reconnecting_and_inside_callbacks() {
        let outbox = Outbox::new(100, 50);
        assert_eq!(outbox.send(["a".repeat(60)], false), Ok(1));
        let (sent, e) = outbox.send(["b".repeat(60)], false).unwrap_err();
        assert!(sent == 0 && matches!(e, SendError::Full(ref m) if m.contains("inside a callback")), "{e:?}");
        outbox.set_phase(Phase::Reconnecting);
        let (_, e) = outbox.send(["c".to_string()], true).unwrap_err();
        assert!(matches!(e, SendError::Full(ref m) if m.contains("reconnecting")), "{e:?}");
        let mut batch = Vec::new();
        futures_util::FutureExt::now_or_never(outbox.take(&mut batch)).unwrap();
        assert_eq!(batch.len(), 1);
        assert_eq!(outbox.send(["d".repeat(50)], false), Ok(1));
        outbox.close(1000, "bye").unwrap();
        assert!(matches!(outbox.send(["e".to_string()], true), Err((0, SendError::Ended(_)))));
    }
}
