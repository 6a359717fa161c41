"""Every operation of the table is callable by its SDK name, blocking and asyncio, and sends the
request its table row describes (method, path, OpenAI-Beta header). Required parameters are given
as NOT_GIVEN (present, so the call is accepted, and not sent), except where the mock insists on a
value."""

import asyncio
import json
import os

import pytest

import libopenai

from conftest import REPO, header

# The few bodies the mock insists on; every other operation is called with no arguments at all.
BODIES = {
    "embeddings.create": {"model": "text-embedding-3-small", "input": "hello", "encoding_format": "float"},
    "moderations.create": {"input": "hello"},
    "files.upload": {"purpose": "fine-tune"},
    "files.create": {"purpose": "fine-tune"},
}


def _arguments(op):
    """The path parameters in the SDK's form (the last positional, the others by keyword), and
    the keyword arguments."""
    values = ["%s-1" % p.replace("_", "") for p in op.path_params]
    args = tuple(values[-1:])
    kwargs = dict(zip(op.path_params[:-1], values[:-1]))
    kwargs.update(BODIES.get(op.name, {}))
    for name, location, required in op.params or ():
        if required and location != "path" and name not in kwargs:
            kwargs[name] = libopenai.NOT_GIVEN
    for name, required, _array in op.files:
        if required:
            kwargs[name] = (name + ".png", b"\x89PNG fake bytes")
    return args, kwargs, values


def _path(op, values):
    path = op.path.split("?")[0]
    for name, value in zip(op.path_params, values):
        path = path.replace("{%s}" % name, value)
    return "/v1" + path


def _node(client, name):
    node = client
    parts = name.split(".")[:-1]
    if parts[0] == "organization":  # the administration API is client.admin.organization
        parts = ["admin"] + parts
    for part in parts:
        node = getattr(node, part)
    return node


def _check(op, result, entry, args):
    assert entry["method"] == op.method
    assert entry["path"] == _path(op, args)
    assert header(entry, "openai-beta") == op.beta
    if isinstance(result, (libopenai.Stream, libopenai.AsyncStream)):
        return
    if op.response == "empty":
        assert result is None
        return
    if op.response == "text":
        assert isinstance(result, libopenai.TextContent) and len(result) > 0
    elif op.response == "bytes":
        assert isinstance(result, libopenai.BinaryContent) and len(result.content) > 0
    else:
        assert isinstance(result, libopenai.OpenAIObject) and result.to_dict()
        if op.paging != "none":
            pages = libopenai._pagination
            assert type(result) in (pages.SYNC_PAGES[op.paging], pages.ASYNC_PAGES[op.paging])
    assert result.http_response.status_code // 100 == 2
    assert result.http_response.request_id == entry["request_id"]


# parametrized over the one table itself (the generated module must have every row)
with open(os.path.join(REPO, "bindings", "operations.json"), encoding="utf-8") as _f:
    OPS = [libopenai.OPERATIONS[row["name"]] for row in json.load(_f)["operations"]]


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_blocking(client, mock, op):
    args, kwargs, values = _arguments(op)
    result = getattr(_node(client, op.name), op.name.split(".")[-1])(*args, **kwargs)
    if isinstance(result, libopenai.Stream):
        with result:
            assert len(list(result)) > 0
    _check(op, result, mock.last(), values)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_asyncio_twin(client, mock, op):
    args, kwargs, values = _arguments(op)

    async def run():
        result = await getattr(_node(client, op.name), "a" + op.name.split(".")[-1])(*args, **kwargs)
        if isinstance(result, libopenai.AsyncStream):
            async with result:
                assert len([e async for e in result]) > 0
        return result

    result = asyncio.run(run())
    _check(op, result, mock.last(), values)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_async_client(aclient, mock, op):
    args, kwargs, values = _arguments(op)

    async def run():
        result = await getattr(_node(aclient, op.name), op.name.split(".")[-1])(*args, **kwargs)
        if isinstance(result, libopenai.AsyncStream):
            async with result:
                assert len([e async for e in result]) > 0
        return result

    result = asyncio.run(run())
    _check(op, result, mock.last(), values)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_raw_response(client, mock, op):
    if "blocking" not in op.functions:
        pytest.skip("a stream has no raw form")
    args, kwargs, values = _arguments(op)
    raw = getattr(_node(client, op.name).with_raw_response, op.name.split(".")[-1])(*args, **kwargs)
    entry = mock.last()
    assert isinstance(raw, libopenai.APIResponse)
    assert raw.status_code == raw.http_status and raw.status_code // 100 == 2
    assert raw.request_id == entry["request_id"] == raw.headers["X-Request-Id"]
    assert raw.content or op.response == "empty"
    if op.response == "json":
        assert raw.parse() == json.loads(raw.content)
        assert raw.parse().http_response is raw
