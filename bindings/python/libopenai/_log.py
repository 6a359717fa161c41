"""The library's log messages, routed to a Python function (``openai_set_log_callback``)."""

import atexit
import threading

from . import _lib as L

__all__ = ["set_log_callback", "LOG_LEVELS"]

#: Level names, most severe first, with the C library's numbers.
LOG_LEVELS = {"error": 1, "warn": 2, "info": 3, "debug": 4}
_NAMES = {number: name for name, number in LOG_LEVELS.items()}

_lock = threading.Lock()
# Every C function pointer ever registered, kept for the life of the process: a library thread
# may still be inside the previous callback just after it was replaced.
_registered = []


def _restore_default(max_level="info"):
    """No callback: the library's default (stderr under ``OPENAI_LOG``). Also run at exit, so
    that no library thread calls into an interpreter that is shutting down."""
    L.load().openai_set_log_callback(L.LOG_CALLBACK(), LOG_LEVELS[max_level], None)


def set_log_callback(callback, max_level="info"):
    """Sends the library's log messages up to ``max_level`` ("error", "warn", "info" or "debug")
    to ``callback(level, message)``, both ``str``, for the whole process. ``None`` restores the
    default (stderr when the ``OPENAI_LOG`` environment variable names a level, else nothing).

    The callback runs on whichever thread logs, several at once possibly (the library's worker
    threads included); it must not call the library. Credentials never reach it: Authorization
    and api-key values arrive as ``[redacted]``. An exception it raises is swallowed.
    """
    if max_level not in LOG_LEVELS:
        raise ValueError("max_level must be one of %s, not %r" % (", ".join(LOG_LEVELS), max_level))
    lib = L.load()
    with _lock:
        if callback is None:
            _restore_default(max_level)
            return

        def trampoline(level, message, _userdata):
            try:
                callback(_NAMES.get(level, "debug"), (message or b"").decode("utf-8", "replace"))
            except BaseException:  # noqa: BLE001 - an exception must not cross into C
                pass

        if not _registered:  # the first callback: restore the default when Python exits
            atexit.register(_restore_default)
        c_callback = L.LOG_CALLBACK(trampoline)
        _registered.append(c_callback)
        lib.openai_set_log_callback(c_callback, LOG_LEVELS[max_level], None)
