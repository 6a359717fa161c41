"""The official SDK's surface beyond single calls: auto-paging pages, with_streaming_response
(a binary body downloaded to a file as it arrives), the client's options and environment, the
hand-written helpers (runs.stream with an event handler, the *_and_poll helpers, responses.stream)
and the mapping of every library code to an exception."""

import asyncio
import json
import os
import time

import pytest

import libopenai
from libopenai import _core
from libopenai import _lib as L

from conftest import REPO, header

FILE_IDS = ["file-abc%03d" % i for i in range(1, 8)]
REPLY = "Hello! How can I help you today?"
REPLY_WORDS = ["Hello!", " How", " can", " I", " help", " you", " today?"]


# ---------------------------------------------------------------------------------------------
# pages


def test_a_list_pages_itself(client, mock):
    page = client.files.list(limit=3)
    assert isinstance(page, libopenai.SyncCursorPage)
    assert [f.id for f in page.data] == FILE_IDS[:3] and page.has_more is True
    assert len(mock.requests()) == 1  # the first page only, until iterated
    assert [f.id for f in page] == FILE_IDS
    targets = [e["raw_target"] for e in mock.requests()]
    assert targets == ["/v1/files?limit=3", "/v1/files?limit=3&after=file-abc003", "/v1/files?limit=3&after=file-abc006"]
    assert page.next_page_info().params == {"after": "file-abc003"}
    last = page.get_next_page().get_next_page()
    assert not last.has_next_page() and last.next_page_info() is not None
    with pytest.raises(RuntimeError):
        libopenai.SyncPage._of(client.models.list(), None).get_next_page()
    assert [len(p.data) for p in page.iter_pages()] == [3, 3, 1]
    # a page keeps the call's options for the pages after it
    mock.reset()
    list(client.beta.threads.messages.list("thread_1", limit=4, extra_headers={"X-T": "1"}))
    assert [header(e, "x-t") for e in mock.requests()] == ["1", "1"]
    assert all(header(e, "openai-beta") == "assistants=v2" for e in mock.requests())


def test_unpaged_and_last_id_lists(client, mock):
    models = client.models.list()
    assert isinstance(models, libopenai.SyncPage) and not models.has_next_page()
    assert len(list(models)) == len(models.data) == 8
    items = client.conversations.items.list("conv_1", limit=2)
    assert isinstance(items, libopenai.SyncConversationCursorPage)
    info = items.next_page_info()
    assert info is None or info.params == {"after": items.last_id}


def test_async_pages(aclient, mock):
    async def run():
        ids = [f.id async for f in aclient.files.list(limit=2)]
        page = await aclient.files.list(limit=5)
        pages = [len(p.data) async for p in page.iter_pages()]
        second = await page.get_next_page()
        return ids, pages, [f.id for f in second.data], [f.id async for f in page]

    ids, pages, second, again = asyncio.run(run())
    assert ids == FILE_IDS and pages == [5, 2] and second == FILE_IDS[5:] and again == FILE_IDS
    with pytest.raises(TypeError):
        iter(asyncio.run(_first(aclient.files.list())))


async def _first(paginator):
    return await paginator


# ---------------------------------------------------------------------------------------------
# with_streaming_response


def test_streaming_response_downloads_a_binary_body_to_a_file(client, mock, tmp_path):
    path = tmp_path / "speech.mp3"
    with client.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input="Hi",
                                                             extra_body={"mock_bytes": 200000}) as response:
        assert mock.requests() == []  # made by the first use: stream_to_file writes as it arrives
        response.stream_to_file(path)
        assert response.status_code == 200 and response.headers["content-type"] == "audio/mpeg"
        with pytest.raises(RuntimeError):
            response.read()  # the body went to the file
    assert path.read_bytes() == bytes((i * 31 + 7) % 256 for i in range(200000))
    assert len(mock.requests()) == 1
    # read in memory instead
    with client.files.with_streaming_response.content("file-xyz") as response:
        assert response.read().startswith(b'{"id":"file-xyz","line":0}')
        assert list(response.iter_lines())[0] == '{"id":"file-xyz","line":0}'
        assert b"".join(response.iter_bytes(5)) == response.read()
    # an error status raises where the body is asked for
    with client.files.with_streaming_response.content("missing-file") as response:
        with pytest.raises(libopenai.NotFoundError):
            response.stream_to_file(tmp_path / "missing.bin")
    assert not (tmp_path / "missing.bin").exists()


def test_streaming_response_of_json_and_of_a_stream(client, mock):
    with client.with_streaming_response.chat.completions.create(model="m", messages=[]) as response:
        assert len(mock.requests()) == 1  # made when the block begins, as the SDK's
        assert response.json()["choices"][0]["message"]["content"] == REPLY
        assert response.parse().choices[0].message.content == REPLY
        assert response.text().startswith("{")
    with client.chat.completions.with_streaming_response.create(model="m", messages=[], stream=True) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = list(response.iter_lines())
    assert lines[0].startswith("data: {") and lines[1] == ""
    assert "".join(json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
                   for line in lines if line.startswith("data: ")) == REPLY
    with client.chat.completions.with_streaming_response.create(model="m", messages=[], stream=True) as response:
        stream = response.parse()
        assert isinstance(stream, libopenai.Stream)
        assert "".join(c.choices[0].delta.content or "" for c in stream) == REPLY


def test_async_streaming_response(aclient, mock, tmp_path):
    path = tmp_path / "out.mp3"

    async def run():
        async with aclient.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input="Hi",
                                                                        extra_body={"mock_bytes": 5000}) as r:
            await r.stream_to_file(path)
        async with aclient.with_streaming_response.models.retrieve("gpt-4o") as r:
            model = await r.parse()
            text = await r.text()
        raw = await aclient.with_raw_response.files.list(limit=2)
        return model.id, text, raw.parse()

    model, text, page = asyncio.run(run())
    assert path.read_bytes() == bytes((i * 31 + 7) % 256 for i in range(5000))
    assert model == "gpt-4o" and json.loads(text)["id"] == "gpt-4o"
    assert isinstance(page, libopenai.AsyncCursorPage)


# ---------------------------------------------------------------------------------------------
# the client


def test_client_options_and_environment(mock, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", mock.base_url)
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-env")
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", "whsec_1")
    c = libopenai.OpenAI(default_headers={"X-A": "1", "X-B": "2"}, default_query={"q": "1"}, max_retries=1, timeout=20.0)
    assert (c.api_key, c.organization, c.project, c.webhook_secret) == ("sk-env", "org-env", "proj-env", "whsec_1")
    assert c.base_url == mock.base_url + "/" and c.max_retries == 1 and c.timeout == 20.0
    assert c.default_query == {"q": "1"}
    c.models.retrieve("gpt-4o")
    entry = mock.last()
    assert header(entry, "authorization") == "Bearer sk-env"
    assert (header(entry, "openai-organization"), header(entry, "openai-project")) == ("org-env", "proj-env")
    assert entry["raw_target"] == "/v1/models/gpt-4o?q=1"
    merged = c.with_options(default_headers={"X-B": "3"}, max_retries=0, timeout=libopenai.Timeout(9.0, connect=2.0))
    assert merged.max_retries == 0 and merged.organization == "org-env" and merged.timeout == libopenai.Timeout(9.0, connect=2.0)
    merged.models.list()
    assert (header(mock.last(), "x-a"), header(mock.last(), "x-b")) == ("1", "3")
    replaced = c.copy(set_default_headers={"X-C": "4"}, set_default_query={})
    replaced.models.list()
    entry = mock.last()
    assert (header(entry, "x-a"), header(entry, "x-c"), entry["query"]) == (None, "4", None)
    with pytest.raises(ValueError):
        c.with_options(default_headers={}, set_default_headers={})
    with pytest.raises(TypeError):
        c.with_options(max_retrys=1)
    assert libopenai.Client is libopenai.OpenAI and libopenai.AsyncClient is libopenai.AsyncOpenAI
    c.close()
    assert c.is_closed()
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(libopenai.OpenAIError, match="api_key"):
        libopenai.OpenAI()


def test_async_client_close_is_awaitable(mock):
    async def run():
        c = libopenai.AsyncOpenAI(api_key="sk-1", base_url=mock.base_url)
        model = await c.models.retrieve("gpt-4o")
        await c.close()
        return c, model

    c, model = asyncio.run(run())
    assert model.id == "gpt-4o" and c.is_closed()


# ---------------------------------------------------------------------------------------------
# helpers


class Recorder(libopenai.AssistantEventHandler):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_event(self, event):
        self.calls.append(("event", event.event))

    def on_run_step_created(self, run_step):
        self.calls.append(("step created", run_step.id))

    def on_run_step_done(self, run_step):
        self.calls.append(("step done", run_step.id))

    def on_message_created(self, message):
        self.calls.append(("message created", message.id))

    def on_text_created(self, text):
        self.calls.append(("text created", text.value))

    def on_text_delta(self, delta, snapshot):
        self.calls.append(("text delta", delta.value, snapshot.value))

    def on_text_done(self, text):
        self.calls.append(("text done", text.value))

    def on_message_done(self, message):
        self.calls.append(("message done", message.id))

    def on_end(self):
        self.calls.append(("end",))


def test_runs_stream_with_an_event_handler(client, mock):
    handler = Recorder()
    with client.beta.threads.runs.stream(thread_id="thread_1", assistant_id="asst_1", event_handler=handler) as stream:
        assert stream is handler
        stream.until_done()
        run = stream.get_final_run()
    entry = mock.last()
    # (the generated method's order: the SDK's helper writes "stream" after "assistant_id")
    assert entry["body"] == '{"stream":true,"assistant_id":"asst_1"}'
    assert header(entry, "openai-beta") == "assistants=v2"
    assert run.status == "completed"
    calls = [c for c in handler.calls if c[0] != "event"]
    deltas = [c for c in calls if c[0] == "text delta"]
    assert [d[1] for d in deltas] == REPLY_WORDS
    assert deltas[-1][2] == REPLY  # the snapshot accumulates the pieces
    assert calls.index(("message created", "msg_abc123")) < calls.index(deltas[0])
    assert ("text done", REPLY) in calls and calls[-1] == ("end",)
    assert calls.index(("text done", REPLY)) < calls.index(("message done", "msg_abc123"))
    assert [c[0] for c in calls].count("text created") == 1
    assert [c[0] for c in calls].count("step created") == 1 and [c[0] for c in calls].count("step done") == 1
    assert [c[1] for c in handler.calls if c[0] == "event"][0] == "thread.run.created"
    assert [m.content[0].text.value for m in handler.get_final_messages()] == [REPLY]
    with client.beta.threads.runs.stream(thread_id="thread_1", assistant_id="asst_1") as stream:
        assert "".join(stream.text_deltas) == REPLY


def test_async_runs_stream(aclient, mock):
    deltas = []

    class Handler(libopenai.AsyncAssistantEventHandler):
        async def on_text_delta(self, delta, snapshot):
            deltas.append(delta.value)

    async def run():
        async with aclient.beta.threads.runs.stream(thread_id="t", assistant_id="a", event_handler=Handler()) as s:
            await s.until_done()
            return await s.get_final_run()

    assert asyncio.run(run()).status == "completed"
    assert deltas == REPLY_WORDS


def test_poll_helpers_follow_the_servers_interval(client, mock):
    runs = "/v1/threads/thread_1/runs/run_1"
    mock.script({"match": {"method": "GET", "path": runs}, "headers": {"openai-poll-after-ms": "50"},
                 "body_json": {"id": "run_1", "object": "thread.run", "status": "in_progress"}, "times": 2})
    started = time.monotonic()
    run = client.beta.threads.runs.poll("run_1", "thread_1")
    assert run.status == "completed" and time.monotonic() - started >= 0.1
    assert [e["method"] for e in mock.requests()] == ["GET"] * 3
    mock.reset()
    run = client.beta.threads.runs.create_and_poll(thread_id="thread_1", assistant_id="asst_1", poll_interval_ms=10)
    assert [e["method"] for e in mock.requests()] == ["POST", "GET"]
    assert mock.requests()[0]["body"] == '{"stream":false,"assistant_id":"asst_1"}'
    assert run.status == "completed"
    mock.reset()
    vs_file = client.vector_stores.files.upload_and_poll(vector_store_id="vs_1", file=("a.md", b"# A\n"))
    # the mock's lifecycle: the file is in progress for two retrievals, then completed
    assert [(e["method"], e["path"]) for e in mock.requests()] == [
        ("POST", "/v1/files"), ("POST", "/v1/vector_stores/vs_1/files")] + \
        [("GET", "/v1/vector_stores/vs_1/files/file-abc123")] * 3
    assert vs_file.status == "completed"
    mock.reset()
    batch = client.vector_stores.file_batches.upload_and_poll("vs_1", files=[("a.md", b"a"), ("b.md", b"b")],
                                                              file_ids=["file-0"])
    posts = [e for e in mock.requests() if e["method"] == "POST"]
    assert len([e for e in posts if e["path"] == "/v1/files"]) == 2
    assert json.loads(posts[-1]["body"])["file_ids"] == ["file-0", "file-abc123", "file-abc123"]
    assert batch.file_counts.in_progress == 0
    mock.script({"match": {"path": "/v1/files/file-p"}, "body_json": {"id": "file-p", "status": "uploaded"}})
    assert client.files.wait_for_processing("file-p", poll_interval=0.01).status == "processed"


def test_responses_stream_helper(client, aclient, mock):
    with client.responses.stream(model="gpt-4.1", input="Hi") as stream:
        types = [event.type for event in stream]
        final = stream.get_final_response()
    assert types[0] == "response.created" and types[-1] == "response.completed"
    assert final.status == "completed" and final.output_text
    assert mock.last()["body"] == '{"model":"gpt-4.1","stream":true,"input":"Hi"}'

    async def run():
        async with aclient.responses.stream(model="gpt-4.1", input="Hi") as s:
            return await s.get_final_response()

    assert asyncio.run(run()).output_text == final.output_text


# ---------------------------------------------------------------------------------------------
# the library's codes


def test_every_code_has_an_exception():
    with open(os.path.join(REPO, "bindings", "codes.json"), encoding="utf-8") as f:
        codes = {c["name"]: c["value"] for c in json.load(f)["codes"]}
    response = libopenai.APIResponse(0, libopenai.Headers(), b"", None, 0)
    for name, value in codes.items():
        assert getattr(L, name[len("OPENAI_"):]) == value if hasattr(L, name[len("OPENAI_"):]) else value >= 400
        if value in (L.OK, L.PENDING):
            continue
        error = _core.make_error(value, "m", response)
        assert isinstance(error, libopenai.OpenAIError), name
        if value >= 400:
            status = libopenai.APIResponse(value, libopenai.Headers(), b'{"error":{"message":"x"}}', "r", 0)
            error = _core.make_error(value, "m", status)
            assert isinstance(error, libopenai.APIStatusError) and error.status_code == value
            assert str(error) == "Error code: %d - x" % value
    assert isinstance(_core.make_error(L.RESPONSE_TOO_LARGE, "big", None), libopenai.ResponseTooLargeError)


def test_response_too_large(mock):
    c = libopenai.OpenAI(api_key="sk-1", base_url=mock.base_url, max_response_size=1000, max_retries=0)
    with pytest.raises(libopenai.ResponseTooLargeError):
        c.files.content("file-1", extra_query={"mock_bytes": 5000})
    assert len(c.files.content("file-1", extra_query={"mock_bytes": 500}).content) == 500
    c.close()
