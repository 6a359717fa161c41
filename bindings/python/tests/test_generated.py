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


def test_generated_module_is_up_to_date():
    rendered = _generator().render(_table())
    with open(os.path.join(PY_ROOT, "libopenai", "_operations.py"), encoding="utf-8") as f:
        committed = f.read()
    assert committed == rendered, (
        "libopenai/_operations.py is stale: run python3 bindings/python/generate.py")


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


@pytest.mark.parametrize("name", list(libopenai.OPERATIONS))
def test_every_operation_has_its_methods(name):
    op = libopenai.OPERATIONS[name]
    sync = libopenai.OpenAI.__new__(libopenai.OpenAI)
    sync._init_resources()
    asyn = libopenai.AsyncOpenAI.__new__(libopenai.AsyncOpenAI)
    asyn._init_resources()
    node, anode = sync, asyn
    for part in name.split(".")[:-1]:
        node, anode = getattr(node, part), getattr(anode, part)
    for method in _method_names(op):
        assert callable(getattr(node, method)), method
    verb = name.split(".")[-1]
    import inspect
    assert inspect.iscoroutinefunction(getattr(anode, verb))
    assert inspect.iscoroutinefunction(getattr(node, "a" + verb))
    if "to_file_async" in op.functions:
        assert inspect.iscoroutinefunction(getattr(anode, verb + "_to_file"))
        assert inspect.iscoroutinefunction(getattr(node, "a" + verb + "_to_file"))


_C_TYPES = [
    (re.compile(r"^const openai_client \*\w+$"), ctypes.c_void_p),
    (re.compile(r"^const openai_upload \*const \*\w+$"), ctypes.POINTER(ctypes.c_void_p)),
    (re.compile(r"^size_t \w+$"), ctypes.c_size_t),
    (re.compile(r"^const char \*\w+$"), ctypes.c_char_p),
    (re.compile(r"^const openai_upload \*\w+$"), ctypes.c_void_p),
    (re.compile(r"^openai_(response|stream|pager) \*\*\w+$"), ctypes.POINTER(ctypes.c_void_p)),
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
