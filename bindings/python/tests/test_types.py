"""Results read as the official SDK's models (attribute access, absent fields as None, the SDK's
field order, model_dump / to_dict / to_json), headers, the exceptions' hierarchy and
constructors, and loading the library."""

import copy
import json
import os
import pickle
import subprocess
import sys

import pytest

import libopenai
from libopenai import _lib
from libopenai._models import parse_json, typed
from libopenai._operations import FIELDS

from conftest import PY_ROOT

COMPLETION = (b'{"usage": {"total_tokens": 3, "prompt_tokens": 1, "completion_tokens": 2}, "object": "chat.completion",'
              b' "model": "m", "id": "c1", "created": 1, "system_fingerprint": "fp",'
              b' "choices": [{"message": {"role": "assistant", "content": "hi", "refusal": null},'
              b' "logprobs": null, "index": 0, "finish_reason": "stop"}], "extra_field": 1}')


def _completion():
    return typed(parse_json(COMPLETION), libopenai._models.result_type("chat.completions.create"))


def test_attribute_access_as_the_sdk():
    r = _completion()
    assert r.choices[0].message.content == "hi"
    assert r.choices[0].message.tool_calls is None      # declared, absent: None
    assert r.choices[0].message.refusal is None          # present, null
    assert r.service_tier is None
    assert r.extra_field == 1                            # undeclared fields are kept
    with pytest.raises(AttributeError):
        r.choices[0].message.contnet                     # a name the API never uses
    assert getattr(r, "nope", 5) == 5
    assert not hasattr(r, "nope") and hasattr(r, "usage")
    assert r["choices"][0]["message"]["content"] == "hi"  # by name too
    assert "usage" in r and r.get("missing") is None
    r.extra = 3
    assert r.extra == 3 and r["extra"] == 3
    del r.extra
    assert "extra" not in r
    assert "choices" in dir(r)
    assert r._request_id is None  # not the result of a call


def test_fields_in_the_sdks_order_and_model_dump():
    r = _completion()
    # id first, then the required fields, then the others, each alphabetically; then the rest
    assert list(r.to_dict()) == ["id", "choices", "created", "model", "object", "system_fingerprint", "usage",
                                 "extra_field"]
    assert list(r.usage.to_dict()) == ["completion_tokens", "prompt_tokens", "total_tokens"]
    assert list(r.choices[0].message.to_dict()) == ["content", "refusal", "role"]
    dumped = r.model_dump()
    assert list(dumped) == ["id", "choices", "created", "model", "object", "metadata", "moderation", "service_tier",
                            "system_fingerprint", "usage", "extra_field"]
    assert dumped["metadata"] is None
    assert dumped["choices"][0]["message"]["tool_calls"] is None
    assert r.model_dump(exclude_unset=True) == r.to_dict()
    assert "metadata" not in r.model_dump(exclude_none=True)
    assert r.model_dump(include={"id", "model"}) == {"id": "c1", "model": "m"}
    assert json.loads(r.model_dump_json()) == dumped
    assert r.model_dump_json().startswith('{"id":"c1","choices":[')
    assert r.to_json().startswith('{\n  "id": "c1",\n  "choices": [\n')
    assert json.loads(r.to_json()) == r.to_dict()
    assert dict(r.usage) == {"completion_tokens": 2, "prompt_tokens": 1, "total_tokens": 3}


def test_maps_are_dicts_and_output_text():
    response = typed(parse_json(b'{"id": "resp_1", "object": "response", "metadata": {"k": "v"}, "output": ['
                                b'{"type": "message", "id": "m1", "role": "assistant", "status": "completed",'
                                b' "content": [{"type": "output_text", "text": "Hello ", "annotations": []},'
                                b' {"type": "refusal", "refusal": "no"}, {"type": "output_text", "text": "there",'
                                b' "annotations": []}]}, {"type": "reasoning", "id": "r1", "summary": []}]}'),
                     libopenai._models.result_type("responses.create"))
    assert type(response.metadata) is dict and response.metadata == {"k": "v"}
    assert response.output_text == "Hello there"
    assert "output_text" not in response.to_dict() and "output_text" not in response.model_dump()
    assert response.output[1].summary == []


def test_plain_conversions_copies_and_equality():
    r = _completion()
    d = r.to_dict()
    assert type(d) is dict and type(d["choices"][0]) is dict
    assert r == d and r == parse_json(COMPLETION)
    assert copy.deepcopy(r) == r and copy.deepcopy(r).choices[0].message.content == "hi"
    assert list(copy.deepcopy(r).model_dump()) == list(r.model_dump())
    restored = pickle.loads(pickle.dumps(r))
    assert restored.choices[0].message.content == "hi" and restored.model_dump() == r.model_dump()
    copied = r.model_copy(update={"model": "other"})
    assert copied.model == "other" and r.model == "m"
    assert repr(r).startswith("OpenAIObject(id='c1', choices=[")
    assert libopenai.BaseModel is libopenai.OpenAIObject


def test_no_method_hides_a_field_of_the_api():
    """A method of the result classes named like a field of the specification would hide that
    field (attribute lookup finds the method first)."""
    for cls in (libopenai.OpenAIObject, libopenai.SyncCursorPage, libopenai.AsyncCursorPage):
        public = {n for n in dir(cls) if not n.startswith("_")}
        assert not public & FIELDS, sorted(public & FIELDS)


def test_headers_mapping():
    h = libopenai.Headers([("Content-Type", "a"), ("set-cookie", "1"), ("Set-Cookie", "2")])
    assert h["content-type"] == h["CONTENT-TYPE"] == "a"
    assert "Content-Type" in h and "x" not in h
    assert h.get_list("set-cookie") == h.get_all("set-cookie") == ["1", "2"]
    assert h.multi_items() == [("Content-Type", "a"), ("set-cookie", "1"), ("Set-Cookie", "2")]
    assert len(h) == 2 and h.get("x", "d") == "d"


def test_exception_hierarchy_and_constructors():
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
    # the SDK's signatures
    request = libopenai._response.Request("GET", "https://x/v1/models")
    assert str(E.APIConnectionError(request=request)) == "Connection error."
    assert E.APIConnectionError(request=request).request is request
    assert str(E.APITimeoutError(request)) == "Request timed out."
    response = libopenai.APIResponse(404, libopenai.Headers([("x-request-id", "req_1")]), b"{}", "req_1", 0,
                                     request=request)
    e = E.NotFoundError("Error code: 404", response=response, body={"code": 7, "param": "p", "type": "t"})
    assert (e.status_code, e.request_id, e.code, e.param, e.type, e.request) == (404, "req_1", "7", "p", "t", request)
    assert E.APIError("m", request, body=None).code is None


def _run(code, env):
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=PY_ROOT,
                          capture_output=True, text=True, timeout=60)


def test_library_not_found_is_a_clear_error():
    env = dict(os.environ, OPENAI_C_LIBRARY="/nonexistent/libopenai.so")
    r = _run("import libopenai\ntry:\n    libopenai.OpenAI(api_key='k')\n"
             "except libopenai.LibraryNotFoundError as e:\n    print('ERR', e)\n", env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ERR libopenai could not be loaded")
    assert "OPENAI_C_LIBRARY" in r.stdout and "libopenai.so.0.1" in r.stdout


def test_import_needs_no_library():
    env = dict(os.environ, OPENAI_C_LIBRARY="/nonexistent/libopenai.so")
    r = _run("import libopenai; print(len(libopenai.OPERATIONS))", env)
    with open(os.path.join(PY_ROOT, "..", "operations.json")) as f:
        expected = len(json.load(f)["operations"])
    assert r.returncode == 0 and int(r.stdout) == expected


def test_library_search_order(monkeypatch):
    monkeypatch.delenv("OPENAI_C_LIBRARY", raising=False)
    candidates = _lib._candidates()
    # nothing bundled in the source tree: the installed library by its soname comes first
    assert candidates[:2] == ["libopenai.so.0.1", "libopenai.so"]
    monkeypatch.setenv("OPENAI_C_LIBRARY", "/x/libopenai.so")
    assert _lib._candidates() == ["/x/libopenai.so"]


def test_installed_library_found_by_its_soname(tmp_path):
    """Without OPENAI_C_LIBRARY and without a bundled copy, the library installed under its
    soname (here in a directory of the loader's search path) is the one loaded."""
    lib = os.environ["OPENAI_C_LIBRARY"]
    os.symlink(lib, tmp_path / "libopenai.so.0.1")
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_C_LIBRARY"}
    env["LD_LIBRARY_PATH"] = str(tmp_path)
    r = _run("import libopenai, libopenai._lib as L; print(libopenai.native_version(), L.load()._name)", env)
    assert r.returncode == 0, r.stderr
    version, name = r.stdout.split()
    assert name == "libopenai.so.0.1" and version.count(".") == 2
