"""Drift checks: the generated module equals what generate.py renders from bindings/operations.json,
and the C prototypes the binding derives from the table match include/openai.h and the library."""

import ctypes
import functools
import importlib.util
import json
import os
import re

import pytest

import libopenai
from libopenai import _lib

from conftest import PY_ROOT, REPO

TABLE = os.path.join(REPO, "bindings", "operations.json")
HEADER = os.path.join(REPO, "include", "openai.h")


def _generator():
    spec = importlib.util.spec_from_file_location("generate", os.path.join(PY_ROOT, "generate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table():
    with open(TABLE, encoding="utf-8") as f:
        return json.load(f)


def test_generated_files_are_up_to_date():
    for path, rendered in _generator().outputs().items():
        with open(path, encoding="utf-8") as f:
            committed = f.read()
        assert committed == rendered, (
            "%s is stale: run python3 bindings/python/generate.py" % os.path.relpath(path, PY_ROOT))


def test_operations_match_the_table():
    table = _table()
    assert libopenai.VERSION == table["version"]
    assert list(libopenai.OPERATIONS) == [op["name"] for op in table["operations"]]
    generator = _generator()
    for op in table["operations"]:
        mine = libopenai.OPERATIONS[op["name"]]
        full, legacy = generator.functions_of(op, table["exports"])
        assert (mine.functions, mine.legacy_functions) == (full, legacy)
        assert sorted(list(full.values()) + list(legacy.values())) == sorted(op["exports"])
        assert list(mine.path_params) == op["path_params"]


def _method_names(op):
    verb = op.name.split(".")[-1]
    names = {verb, "a" + verb}
    if "pages" in op.functions:
        names |= {verb + "_pages", "a" + verb + "_pages"}
    if "to_file" in op.functions:
        names.add(verb + "_to_file")
    if "to_file_async" in op.functions:
        names.add("a" + verb + "_to_file")
    return names


def _resource_path(name):
    parts = name.split(".")[:-1]
    return ["admin"] + parts if parts[0] == "organization" else parts


@pytest.mark.parametrize("name", list(libopenai.OPERATIONS))
def test_every_operation_has_its_methods(name):
    """Every operation is reached by its SDK name on both clients (the administration API's
    `organization` under `client.admin`, as in the SDK, since `client.organization` is the
    organization id); a list of the asyncio client returns a paginator (not a coroutine), every
    other call of it is a coroutine function."""
    import inspect

    op = libopenai.OPERATIONS[name]
    sync = libopenai.OpenAI.__new__(libopenai.OpenAI)
    sync._init_resources()
    asyn = libopenai.AsyncOpenAI.__new__(libopenai.AsyncOpenAI)
    asyn._init_resources()
    node, anode = sync, asyn
    for part in _resource_path(name):
        node, anode = getattr(node, part), getattr(anode, part)
    for method in _method_names(op):
        assert callable(getattr(node, method)), method
    verb = name.split(".")[-1]
    paged = op.paging != "none"
    assert inspect.iscoroutinefunction(getattr(anode, verb)) is not paged
    assert inspect.iscoroutinefunction(getattr(node, "a" + verb)) is not paged
    assert not inspect.iscoroutinefunction(getattr(node, verb))
    assert type(node)._METHODS[verb] == (name, "call")
    assert type(anode)._METHODS[verb] == (name, "alist" if paged else "acall")
    if "to_file_async" in op.functions:
        assert inspect.iscoroutinefunction(getattr(anode, verb + "_to_file"))
        assert inspect.iscoroutinefunction(getattr(node, "a" + verb + "_to_file"))


def test_parameters_come_from_the_specification():
    """Each operation's keywords are its route's parameters in the specification (body
    properties, query parameters, form fields, files), required where it says so."""
    spec = _generator().load_spec()
    route = spec["paths"]["/chat/completions"]["post"]
    op = libopenai.OPERATIONS["chat.completions.create"]
    body = {name: loc for name, loc, _ in op.params}
    assert set(body) >= {"model", "messages", "stream", "temperature", "tools"} and set(body.values()) == {"body"}
    assert {n for n, _, req in op.params if req} == {"model", "messages"}
    assert route["requestBody"]
    runs = {n: (loc, req) for n, loc, req in libopenai.OPERATIONS["beta.threads.runs.create"].params}
    assert runs["thread_id"] == ("path", True) and runs["include"] == ("query", False)
    assert runs["assistant_id"] == ("body", True)
    files = {n: (loc, req) for n, loc, req in libopenai.OPERATIONS["files.create"].params}
    assert files == {"file": ("file", True), "purpose": ("field", True), "expires_after": ("field", False)}
    assert libopenai.OPERATIONS["edits.create"].params is None  # a seed route the specification lost


_C_TYPES = [
    (re.compile(r"^const openai_client \*\w+$"), ctypes.c_void_p),
    (re.compile(r"^const openai_upload \*const \*\w+$"), ctypes.POINTER(ctypes.c_void_p)),
    (re.compile(r"^const char \*const \*\w+$"), ctypes.POINTER(ctypes.c_char_p)),
    (re.compile(r"^int64_t \w+$"), ctypes.c_int64),
    (re.compile(r"^size_t \w+$"), ctypes.c_size_t),
    (re.compile(r"^const char \*\w+$"), ctypes.c_char_p),
    (re.compile(r"^const openai_upload \*\w+$"), ctypes.c_void_p),
    (re.compile(r"^openai_(response|stream|pager|event) \*\*\w+$"), ctypes.POINTER(ctypes.c_void_p)),
    (re.compile(r"^openai_(event_)?callback \w+$"), ctypes.c_void_p),
    (re.compile(r"^void \*\w+$"), ctypes.c_void_p),
    (re.compile(r"^openai_progress_callback \w+$"), _lib.PROGRESS),
]


def _c_type(param):
    param = " ".join(param.split())
    for pattern, ctype in _C_TYPES:
        if pattern.match(param):
            return ctype
    raise AssertionError("unexpected parameter in the header: %r" % param)


@functools.lru_cache(maxsize=None)
def _header_prototypes():
    with open(HEADER, encoding="utf-8") as f:
        text = f.read()
    protos = {}
    for m in re.finditer(r"^(openai_code |openai_future \*|openai_stream \*)(\w+)\(([^)]*)\);", text, re.M):
        ret, name, params = m.group(1).strip(), m.group(2), m.group(3)
        protos[name] = (ret, params.split(","))
    return protos


def _forms():
    for op in libopenai.OPERATIONS.values():
        for form, symbol in list(op.functions.items()) + list(op.legacy_functions.items()):
            yield op, form, symbol


@pytest.mark.parametrize("op,form,symbol", list(_forms()), ids=lambda v: v if isinstance(v, str) else "")
def test_prototype_matches_the_header(op, form, symbol):
    protos = _header_prototypes()
    assert symbol in protos, "%s is not in include/openai.h" % symbol
    ret, params = protos[symbol]
    params = [_c_type(p) for p in params]
    restype, argtypes = _lib.export_types(symbol)
    if restype is _lib.code_t:
        assert ret == "openai_code"
    else:
        assert ret in ("openai_future *", "openai_stream *")
    assert argtypes == params


@pytest.mark.parametrize("symbol", sorted(_lib.HELPERS))
def test_helper_prototype_matches_the_header(symbol):
    """The library's helpers outside the operation table (chunked upload, webhooks), declared
    by hand in _lib.HELPERS, match include/openai.h and are in the library."""
    ret, params = _header_prototypes()[symbol]
    restype, argtypes = _lib.HELPERS[symbol]
    assert (ret == "openai_code") == (restype is _lib.code_t)
    assert ret == "openai_code" or (ret == "openai_future *" and restype is ctypes.c_void_p)
    assert argtypes == [_c_type(p) for p in params]
    assert hasattr(_lib.load(), symbol)


def test_every_symbol_is_in_the_library():
    lib = _lib.load()
    missing = [s for _, _, s in _forms() if not hasattr(lib, s)]
    assert not missing


def test_library_version_matches_the_table():
    native = libopenai.native_version()
    assert native.split(".")[:2] == libopenai.VERSION.split(".")[:2], native


def test_package_version_matches_the_table():
    with open(os.path.join(PY_ROOT, "pyproject.toml"), encoding="utf-8") as f:
        version = re.search(r'^version = "([^"]+)"', f.read(), re.M).group(1)
    assert version == _table()["version"]
