"""Exceptions: the official SDK's classes, per status (scripted) and per failure on this side."""

import asyncio
import json
import socket

import pytest

import libopenai
from libopenai import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    OpenAIError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

STATUSES = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (503, InternalServerError),
    (402, APIStatusError),
    (405, APIStatusError),
    (413, APIStatusError),
]

ERROR_BODY = {"error": {"message": "it failed", "type": "some_type", "param": "model", "code": "some_code"}}


def _script_error(mock, status, path="/v1/chat/completions"):
    mock.script({"match": {"path": path}, "status": status, "body_json": ERROR_BODY})


def _check(e, status, cls, mock):
    assert type(e) is cls
    assert isinstance(e, APIStatusError) and isinstance(e, APIError) and isinstance(e, OpenAIError)
    assert not isinstance(e, APIConnectionError)
    assert e.status_code == status
    assert str(e) == e.message == "Error code: %d - it failed" % status
    assert e.body == ERROR_BODY["error"]
    assert (e.type, e.param, e.code) == ("some_type", "model", "some_code")
    assert e.request_id == mock.last()["request_id"]
    assert e.response.status_code == status
    assert json.loads(e.response.content) == ERROR_BODY


@pytest.mark.parametrize("status,cls", STATUSES)
def test_status_errors(client, mock, status, cls):
    _script_error(mock, status)
    with pytest.raises(cls) as info:
        client.chat.completions.create(model="gpt-4o", messages=[])
    _check(info.value, status, cls, mock)


@pytest.mark.parametrize("status,cls", STATUSES)
def test_status_errors_asyncio(aclient, mock, status, cls):
    _script_error(mock, status)
    with pytest.raises(cls) as info:
        asyncio.run(aclient.chat.completions.create(model="gpt-4o", messages=[]))
    _check(info.value, status, cls, mock)


@pytest.mark.parametrize("status,cls", STATUSES[:8])
def test_status_errors_before_a_stream(client, mock, status, cls):
    _script_error(mock, status)
    with pytest.raises(cls) as info:
        client.chat.completions.create(model="gpt-4o", messages=[], stream=True)
    _check(info.value, status, cls, mock)
    _script_error(mock, status)
    with pytest.raises(cls) as info:
        asyncio.run(client.chat.completions.acreate(model="gpt-4o", messages=[], stream=True))
    _check(info.value, status, cls, mock)


def test_errors_of_the_mock_itself(client, mock):
    with pytest.raises(NotFoundError) as info:
        client.beta.assistants.retrieve("missing-asst")
    assert info.value.message == "Error code: 404 - No assistant found with id 'missing-asst'."
    with pytest.raises(BadRequestError) as info:
        client.beta.threads.messages.list("thread_1", limit=1000)
    assert "limit" in info.value.message
    bad = libopenai.OpenAI(api_key="sk-invalid-123", base_url=mock.base_url)
    with pytest.raises(AuthenticationError) as info:
        bad.models.list()
    assert info.value.code == "invalid_api_key"
    bad.close()


def test_retries_then_success(mock):
    mock.script({"match": {"path": "/v1/models"}, "status": 429, "headers": {"retry-after-ms": "10"},
                 "body_json": ERROR_BODY, "times": 2})
    with libopenai.OpenAI(api_key="sk-test", base_url=mock.base_url, max_retries=2) as c:
        r = c.models.list()
    assert r.object == "list"
    assert r.http_response.retries == 2
    assert len(mock.requests()) == 3


def _closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


async def _await(awaitable):
    return await awaitable


def test_connection_refused():
    c = libopenai.OpenAI(api_key="sk-test", base_url="http://127.0.0.1:%d/v1" % _closed_port(), max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        c.models.list()
    assert type(info.value) is APIConnectionError
    assert isinstance(info.value, APIError)
    with pytest.raises(APIConnectionError):
        asyncio.run(_await(c.models.alist()))
    with pytest.raises(APIConnectionError):
        c.chat.completions.create(model="m", messages=[], stream=True)
    c.close()


def test_timeout(mock):
    mock.script({"match": {"path": "/v1/models"}, "delay_ms": 3000, "body_json": {}, "times": 2})
    c = libopenai.OpenAI(api_key="sk-test", base_url=mock.base_url, timeout=0.3, max_retries=0)
    with pytest.raises(APITimeoutError) as info:
        c.models.list()
    assert isinstance(info.value, APIConnectionError)
    with pytest.raises(APITimeoutError):
        asyncio.run(_await(c.models.alist()))
    c.close()


def test_connection_reset(client, mock):
    mock.script({"match": {"path": "/v1/models"}, "action": "reset"})
    with pytest.raises(APIConnectionError):
        client.models.list()


def test_invalid_response(client, mock):
    mock.script({"match": {"path": "/v1/models"}, "body": "<html>not json</html>",
                 "headers": {"content-type": "text/html"}})
    with pytest.raises(APIResponseValidationError) as info:
        client.models.list()
    assert info.value.status_code == 200
    assert info.value.response.content == b"<html>not json</html>"


def test_invalid_arguments_send_nothing(client, mock):
    with pytest.raises(InvalidArgumentError):
        client.models.retrieve("")
    with pytest.raises(InvalidArgumentError):
        asyncio.run(client.beta.threads.aretrieve(""))
    with pytest.raises(InvalidArgumentError):
        client.files.upload(file="/nonexistent/file.jsonl", purpose="fine-tune")
    with pytest.raises(InvalidArgumentError):
        client.models.retrieve("a\0b")
    with pytest.raises(ValueError):  # NaN is not JSON
        client.chat.completions.create(model="m", messages=[], temperature=float("nan"))
    with pytest.raises(TypeError):  # not JSON
        client.chat.completions.create(model=object(), messages=[])
    with pytest.raises(TypeError):
        client.files.upload(purpose="fine-tune")
    assert mock.requests() == []


def test_client_creation_errors(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(OpenAIError) as info:
        libopenai.OpenAI()
    assert "key" in str(info.value).lower()
    with pytest.raises(TypeError) as info:
        libopenai.OpenAI(api_key="sk-1", no_such_option=True)
    assert "no_such_option" in str(info.value)
    with pytest.raises(InvalidArgumentError) as info:  # refused by the library
        libopenai.OpenAI(api_key="sk-1", max_connections="many")
    assert "max_connections" in str(info.value)
    with pytest.raises(TypeError):
        libopenai.OpenAI(api_key="sk-1", http_client=object())


def test_stream_error_event(client, mock):
    chunk = {"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "Hi"}}]}
    mock.script({"match": {"path": "/v1/chat/completions"},
                 "headers": {"content-type": "text/event-stream"},
                 "chunks": [{"data": "data: %s\n\n" % json.dumps(chunk)},
                            {"data": 'data: {"error": {"message": "overloaded", "type": "server_error"}}\n\n'}]})
    got = []
    with pytest.raises(APIError) as info:
        for c in client.chat.completions.create(model="m", messages=[], stream=True):
            got.append(c.choices[0].delta.content)
    assert got == ["Hi"]
    assert "overloaded" in str(info.value)
    assert not isinstance(info.value, APIConnectionError)


def test_stream_broken_midway(client, mock):
    mock.script({"match": {"path": "/v1/chat/completions"},
                 "headers": {"content-type": "text/event-stream"}, "chunked": True,
                 "chunks": [{"data": 'data: {"choices": []}\n\n'},
                            {"data": 'data: {"choices": ["%s"]}\n\n' % ("x" * 300), "delay_ms": 50}],
                 "action": "reset_after_bytes", "bytes": 350})  # the head is ~190 bytes
    with pytest.raises(APIConnectionError):
        for _ in client.chat.completions.create(model="m", messages=[], stream=True):
            pass

    async def run():
        mock.script({"match": {"path": "/v1/chat/completions"},
                     "headers": {"content-type": "text/event-stream"},
                     "chunks": [{"data": 'data: {"choices": []}\n\n'}], "action": "stall"})
        c = libopenai.AsyncOpenAI(api_key="sk-test", base_url=mock.base_url, stream_idle_timeout=0.3)
        with pytest.raises(APITimeoutError):
            async for _ in await c.chat.completions.create(model="m", messages=[], stream=True):
                pass
        c.close()

    asyncio.run(run())
