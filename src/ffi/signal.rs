//! A file descriptor that an event loop (poll, epoll, kqueue, libuv, GLib, asyncio) can watch:
//! readable while the thing it signals is ready. A connected socket pair (a self-pipe), which is
//! portable to every Unix and needs no system-specific API.

use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;

use super::error::set_last_error;

pub(crate) struct Signal {
    /// The end callers watch.
    read: UnixStream,
    write: UnixStream,
}

impl Signal {
    pub(crate) fn new() -> std::io::Result<Signal> {
        let (read, write) = UnixStream::pair()?;
        read.set_nonblocking(true)?;
        write.set_nonblocking(true)?;
        Ok(Signal { read, write })
    }

    /// The descriptor that is readable while the signal is raised.
    pub(crate) fn fd(&self) -> RawFd {
        self.read.as_raw_fd()
    }

    /// Makes the descriptor readable. Raising a raised signal changes nothing.
    pub(crate) fn raise(&self) {
        // WouldBlock: the buffer is full of earlier raises, so the descriptor is readable.
        let _ = (&self.write).write(&[1]);
    }

    /// Makes the descriptor unreadable again.
    pub(crate) fn clear(&self) {
        let mut buffer = [0u8; 64];
        loop {
            match (&self.read).read(&mut buffer) {
                Ok(0) => return,
                Ok(_) => continue,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return,
            }
        }
    }

    /// The descriptor of the signal in `slot`, made on first use (a handle asks for one only
    /// when an event loop watches it) and raised when the handle is `ready` already; -1 (with
    /// `openai_last_error` naming `export`) when no descriptor can be made.
    pub(crate) fn fd_on_demand(slot: &mut Option<Signal>, ready: bool, export: &str) -> RawFd {
        if slot.is_none() {
            match Signal::new() {
                Ok(signal) => *slot = Some(signal),
                Err(e) => {
                    set_last_error(format!("{export}: no descriptor could be made: {e}"));
                    return -1;
                }
            }
        }
        let signal = slot.as_ref().expect("made above");
        if ready {
            signal.raise();
        }
        signal.fd()
    }
}
