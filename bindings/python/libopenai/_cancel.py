"""CancelToken: aborting blocking calls from another thread (``openai_cancel_token_*``)."""

import weakref

from . import _lib as L

__all__ = ["CancelToken"]


class CancelToken:
    """A token that cancels the calls of the clients bound to it (``client.with_cancel_token``).

    ``cancel()`` may be called from any thread, for instance a GUI's Cancel button while another
    thread waits in a blocking call: that call raises ``APIUserAbortError`` at once (its
    connection dropped), and so does every later call through a bound client, before sending
    anything. A cancelled token stays cancelled: use a fresh token per operation the user may
    abort.
    """

    def __init__(self):
        lib = L.load()
        ptr = lib.openai_cancel_token_new()
        if not ptr:
            raise MemoryError("openai_cancel_token_new failed")
        self._ptr = ptr
        # Bound clients hold their own reference inside the library, so freeing the token
        # when it is collected never affects them.
        self._finalizer = weakref.finalize(self, lib.openai_cancel_token_free, ptr)
        self._finalizer.atexit = False

    def cancel(self):
        """Cancels every call in flight through a bound client, and every later one. Idempotent."""
        L.load().openai_cancel_token_cancel(self._ptr)

    @property
    def cancelled(self):
        """Whether ``cancel()`` was called."""
        return bool(L.load().openai_cancel_token_is_cancelled(self._ptr))

    def __repr__(self):
        return "<CancelToken%s>" % (" cancelled" if self.cancelled else "")
