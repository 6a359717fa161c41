"""Loading libopenai (the shared library) and declaring its C functions for ctypes."""

import ctypes
import ctypes.util
import os
import sys
import threading

from ._exceptions import OpenAIError

ENV_VAR = "OPENAI_C_LIBRARY"

# openai_code values (include/openai.h)
OK = 0
INVALID_ARGUMENT = 1
INTERNAL = 2
CONNECTION = 3
TIMEOUT = 4
CANCELLED = 5
WOULD_DEADLOCK = 6
STREAM_ERROR = 7
OTHER_STATUS = 8
PENDING = 9
INVALID_RESPONSE = 10
RESPONSE_TOO_LARGE = 11
QUEUE_FULL = 12
INVALID_WEBHOOK_SIGNATURE = 13

vp = ctypes.c_void_p
cp = ctypes.c_char_p
code_t = ctypes.c_int
PROGRESS = ctypes.CFUNCTYPE(None, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_void_p)
LOG_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)

# name: (restype, argtypes)
_CORE = {
    "openai_version": (cp, []),
    "openai_code_name": (cp, [ctypes.c_int]),
    "openai_last_error": (cp, []),
    "openai_client_new": (code_t, [cp, ctypes.POINTER(vp)]),
    "openai_client_with_options": (code_t, [vp, cp, ctypes.POINTER(vp)]),
    "openai_client_free": (None, [vp]),
    "openai_client_with_cancel_token": (code_t, [vp, vp, ctypes.POINTER(vp)]),
    "openai_cancel_token_new": (vp, []),
    "openai_cancel_token_cancel": (None, [vp]),
    "openai_cancel_token_is_cancelled": (ctypes.c_bool, [vp]),
    "openai_cancel_token_free": (None, [vp]),
    "openai_set_log_callback": (None, [LOG_CALLBACK, ctypes.c_int, vp]),
    "openai_response_code": (code_t, [vp]),
    "openai_response_status": (ctypes.c_uint16, [vp]),
    "openai_response_body": (vp, [vp, ctypes.POINTER(ctypes.c_size_t)]),
    "openai_response_header_count": (ctypes.c_size_t, [vp]),
    "openai_response_header_at": (code_t, [vp, ctypes.c_size_t, ctypes.POINTER(cp), ctypes.POINTER(cp)]),
    "openai_response_request_id": (cp, [vp]),
    "openai_response_http_version": (cp, [vp]),
    "openai_response_retries": (ctypes.c_uint32, [vp]),
    "openai_response_error_message": (cp, [vp]),
    "openai_response_api_error_message": (cp, [vp]),
    "openai_response_api_error_type": (cp, [vp]),
    "openai_response_api_error_param": (cp, [vp]),
    "openai_response_api_error_code": (cp, [vp]),
    "openai_response_free": (None, [vp]),
    "openai_request": (code_t, [vp, cp, cp, cp, cp, ctypes.POINTER(vp)]),
    "openai_request_async": (vp, [vp, cp, cp, cp, cp, vp, vp]),
    "openai_request_pages": (code_t, [vp, cp, cp, ctypes.POINTER(vp)]),
    "openai_request_stream": (code_t, [vp, cp, cp, cp, cp, ctypes.POINTER(vp)]),
    "openai_request_stream_async": (vp, [vp, cp, cp, cp, cp, vp, vp]),
    "openai_pager_next": (code_t, [vp, ctypes.POINTER(vp)]),
    "openai_pager_free": (None, [vp]),
    "openai_future_ready": (ctypes.c_bool, [vp]),
    "openai_future_wait": (code_t, [vp, ctypes.c_int64]),
    "openai_future_take": (code_t, [vp, ctypes.POINTER(vp)]),
    "openai_future_cancel": (None, [vp]),
    "openai_future_fd": (ctypes.c_int, [vp]),
    "openai_future_userdata": (vp, [vp]),
    "openai_future_free": (None, [vp]),
    "openai_queue_new": (vp, []),
    "openai_queue_add": (code_t, [vp, vp]),
    "openai_queue_next": (code_t, [vp, ctypes.c_int64, ctypes.POINTER(vp)]),
    "openai_queue_fd": (ctypes.c_int, [vp]),
    "openai_queue_len": (ctypes.c_size_t, [vp]),
    "openai_queue_free": (None, [vp]),
    "openai_stream_next": (code_t, [vp, ctypes.c_int64, ctypes.POINTER(vp)]),
    "openai_stream_try_next": (code_t, [vp, ctypes.POINTER(vp)]),
    "openai_stream_fd": (ctypes.c_int, [vp]),
    "openai_stream_response": (vp, [vp]),
    "openai_stream_code": (code_t, [vp]),
    "openai_stream_error_message": (cp, [vp]),
    "openai_stream_free": (None, [vp]),
    "openai_event_name": (cp, [vp]),
    "openai_event_data": (vp, [vp, ctypes.POINTER(ctypes.c_size_t)]),
    "openai_event_id": (cp, [vp]),
    "openai_event_free": (None, [vp]),
    "openai_upload_from_path": (vp, [cp, cp, cp]),
    "openai_upload_from_memory": (vp, [ctypes.c_char_p, ctypes.c_size_t, cp, cp]),
    "openai_upload_set_progress": (code_t, [vp, PROGRESS, vp]),
    "openai_upload_free": (None, [vp]),
}

# The helpers of the C library outside the operation table (include/openai.h, "Helpers"),
# declared on first use (tests/test_generated.py checks them against the header).
HELPERS = {
    "openai_uploads_upload_file_chunked": (code_t, [vp, cp, cp, cp, PROGRESS, vp, ctypes.POINTER(vp)]),
    "openai_uploads_upload_file_chunked_async": (vp, [vp, cp, cp, cp, PROGRESS, vp, vp, vp]),
    "openai_webhooks_verify_signature": (
        code_t, [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(cp), ctypes.POINTER(cp), ctypes.c_size_t, cp,
                 ctypes.c_int64]),
    "openai_webhooks_unwrap": (
        code_t, [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(cp), ctypes.POINTER(cp), ctypes.c_size_t, cp,
                 ctypes.c_int64, ctypes.POINTER(vp)]),
}

_lock = threading.Lock()
_lib = None
_op_fns = {}


class LibraryNotFoundError(OpenAIError, OSError):
    """libopenai could not be loaded (set OPENAI_C_LIBRARY to the path of libopenai.so)."""


# The library's real soname (cargo-c installs libopenai.so.0.1 with the .so link), then the
# development link, then the older name the 0.1.0 binding looked for.
SONAMES = {"darwin": ["libopenai.0.1.dylib", "libopenai.dylib"], "win32": ["openai.dll"]}.get(
    sys.platform, ["libopenai.so.0.1", "libopenai.so", "libopenai.so.0"])


def _candidates():
    """Where the library is looked for, in order: OPENAI_C_LIBRARY (a path) alone when set;
    else the copy bundled in the package (a wheel's), then the installed one by its soname
    (the dynamic loader's search: /etc/ld.so.cache, the system's and LD_LIBRARY_PATH's
    directories), then what ctypes.util.find_library finds."""
    env = os.environ.get(ENV_VAR)
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    bundled = [os.path.join(here, n) for n in SONAMES]
    found = [p for p in bundled if os.path.exists(p)]
    util = ctypes.util.find_library("openai")
    return found + SONAMES + ([util] if util and util not in SONAMES else [])


def load():
    """The loaded library (loaded and declared on first use)."""
    global _lib
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        errors = []
        lib = None
        for path in _candidates():
            try:
                lib = ctypes.CDLL(path)
                break
            except OSError as e:
                errors.append("%s: %s" % (path, e))
        if lib is None:
            raise LibraryNotFoundError(
                "libopenai could not be loaded: install the wheel (it bundles the library), install "
                "the library (its soname is libopenai.so.0.1), or set %s to the path of "
                "libopenai.so. Tried: %s" % (ENV_VAR, "; ".join(errors)))
        for name, (restype, argtypes) in _CORE.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        _lib = lib
        return lib


def native_version():
    """The version of the loaded library ("MAJOR.MINOR.PATCH")."""
    return load().openai_version().decode()


def last_error():
    msg = load().openai_last_error()
    return msg.decode("utf-8", "replace") if msg else None


def code_name(code):
    return load().openai_code_name(int(code)).decode()


# The ctypes type of each C type of bindings/operations.json's signatures.
_C_TYPES = {
    "const openai_client *": vp,
    "const char *": cp,
    "const openai_upload *": vp,
    "const openai_upload *const *": ctypes.POINTER(vp),
    "size_t": ctypes.c_size_t,
    "void *": vp,
    "openai_callback": vp,
    "openai_event_callback": vp,
    "openai_progress_callback": PROGRESS,
    "openai_response **": ctypes.POINTER(vp),
    "openai_stream **": ctypes.POINTER(vp),
    "openai_pager **": ctypes.POINTER(vp),
    "openai_code": code_t,
    "openai_future *": vp,
    "openai_stream *": vp,
}


def helper(name):
    """A C function of HELPERS, declared on first use."""
    return declare(name, *HELPERS[name])


def declare(name, restype, argtypes):
    """A C function of the library outside the operation table, declared on first use."""
    fn = _op_fns.get(name)
    if fn is None:
        lib = load()
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise NotImplementedError("the loaded libopenai (%s) has no %s" % (native_version(), name)) from None
        fn.restype, fn.argtypes = restype, argtypes
        _op_fns[name] = fn
    return fn


def export_types(symbol):
    """(restype, argtypes) of a C function, from its signature in the generated table."""
    from ._operations import EXPORTS

    export = EXPORTS[symbol]
    return _C_TYPES[export.returns], [_C_TYPES[ctype] for _, ctype, _ in export.args]


def op_function(symbol):
    """The C function `symbol` of the operation table, declared from its described signature."""
    fn = _op_fns.get(symbol)
    if fn is not None:
        return fn
    lib = load()
    try:
        fn = getattr(lib, symbol)
    except AttributeError:
        raise NotImplementedError(
            "the loaded libopenai (%s) has no %s: it is older than the binding's table"
            % (native_version(), symbol)) from None
    fn.restype, fn.argtypes = export_types(symbol)
    _op_fns[symbol] = fn
    return fn
