"""Results readable with dot notation and as dicts; exceptions' hierarchy; loading the library."""

import copy
import json
import os
import pickle
import subprocess
import sys

import pytest

import libopenai
from libopenai._types import parse_json

from conftest import PY_ROOT


def test_dot_and_dict_access():
    r = parse_json(b'{"choices": [{"message": {"content": "hi", "role": "assistant"}}], "n": 1, '
                   b'"items": [1], "nested": {"a": {"b": null}}}')
    assert r.choices[0].message.content == "hi"
    assert r["choices"][0]["message"]["content"] == "hi"
    assert r.nested.a.b is None
    assert r["items"] == [1]  # a key shadowed by a dict method is read as a dict key
    assert callable(r.items)
    with pytest.raises(AttributeError):
        r.missing
    assert getattr(r, "missing", 5) == 5
    assert hasattr(r, "choices") and not hasattr(r, "nope")
    r.extra = 3
    assert r["extra"] == 3
    del r.extra
    assert "extra" not in r
    assert "choices" in dir(r)
    assert r.http_status is None and r.request_id is None and r.headers is None  # not a top-level result


def test_plain_conversions():
    r = parse_json(b'{"a": [{"b": 1}], "c": "d"}')
    assert r == {"a": [{"b": 1}], "c": "d"}
    d = r.to_dict()
    assert type(d) is dict and type(d["a"][0]) is dict
    assert json.loads(r.to_json()) == d
    assert json.dumps(r) == json.dumps(d)
    assert copy.deepcopy(r) == r and copy.deepcopy(r).a[0].b == 1
    assert pickle.loads(pickle.dumps(r)).a[0].b == 1
    assert repr(r).startswith("OpenAIObject(")


def test_headers_mapping():
    h = libopenai.Headers([("Content-Type", "a"), ("set-cookie", "1"), ("Set-Cookie", "2")])
    assert h["content-type"] == h["CONTENT-TYPE"] == "a"
    assert "Content-Type" in h and "x" not in h
    assert h.get_all("set-cookie") == ["1", "2"]
    assert len(h) == 2


def test_exception_hierarchy():
    E = libopenai
    for cls in (E.BadRequestError, E.AuthenticationError, E.PermissionDeniedError, E.NotFoundError,
                E.ConflictError, E.UnprocessableEntityError, E.RateLimitError, E.InternalServerError):
        assert issubclass(cls, E.APIStatusError)
    assert issubclass(E.APIStatusError, E.APIError)
    assert issubclass(E.APITimeoutError, E.APIConnectionError)
    assert issubclass(E.APIConnectionError, E.APIError)
    assert issubclass(E.APIResponseValidationError, E.APIError)
    assert issubclass(E.APIError, E.OpenAIError)
    assert issubclass(E.InvalidArgumentError, ValueError)
    assert str(E.APIConnectionError()) == "Connection error."
    assert str(E.APITimeoutError()) == "Request timed out."


def _run(code, env):
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=PY_ROOT,
                          capture_output=True, text=True, timeout=60)


def test_library_not_found_is_a_clear_error():
    env = dict(os.environ, OPENAI_C_LIBRARY="/nonexistent/libopenai.so")
    r = _run("import libopenai\ntry:\n    libopenai.OpenAI(api_key='k')\n"
             "except libopenai.LibraryNotFoundError as e:\n    print('ERR', e)\n", env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ERR libopenai could not be loaded")
    assert "OPENAI_C_LIBRARY" in r.stdout


def test_import_needs_no_library():
    env = dict(os.environ, OPENAI_C_LIBRARY="/nonexistent/libopenai.so")
    r = _run("import libopenai; print(len(libopenai.OPERATIONS))", env)
    with open(os.path.join(PY_ROOT, "..", "operations.json")) as f:
        expected = len(json.load(f)["operations"])
    assert r.returncode == 0 and int(r.stdout) == expected
