"""Representative operations: the exact request the mock received, and the results read with dot
notation, as dicts and raw."""

import asyncio
import json
import threading
import time

import pytest

import libopenai

from conftest import header

REPLY = "Hello! How can I help you today?"


def test_chat_completion_request_and_result(client, mock):
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}]
    r = client.chat.completions.create(user="u-1", messages=messages, temperature=0.2, model="gpt-4o-mini",
                                       logit_bias={"50256": -100})
    entry = mock.last()
    assert entry["method"] == "POST"
    assert entry["path"] == "/v1/chat/completions"
    assert entry["query"] is None
    # in the SDK's order: model first, then the required parameters, then the others, each alphabetically
    assert entry["body"] == ('{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},'
                             '{"role":"user","content":"Say hello"}],"logit_bias":{"50256":-100},'
                             '"temperature":0.2,"user":"u-1"}')
    assert header(entry, "authorization") == "Bearer sk-test"
    assert header(entry, "content-type") == "application/json"
    assert header(entry, "accept") == "application/json"
    assert header(entry, "openai-beta") is None
    assert not any(n.startswith("x-stainless") for n, _ in entry["headers"])

    # read as the SDK's models are read
    assert r.choices[0].message.content == REPLY
    assert r.choices[0].message.role == "assistant"
    assert r.choices[0].finish_reason == "stop"
    assert r.choices[0].message.tool_calls is None
    assert r.model == "gpt-4o-mini"
    assert r.usage.completion_tokens == 7
    assert r.to_dict()["choices"][0]["message"]["content"] == REPLY
    assert type(r.to_dict()) is dict and type(r.to_dict()["choices"][0]) is dict
    assert json.loads(r.to_json()) == json.loads(r.http_response.content)
    assert r._request_id == entry["request_id"]
    # ... and raw (the 0.1.0 binding's names, where no field hides them)
    assert r.http_status == 200
    assert r.request_id == entry["request_id"]
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["openai-version"] == "2020-10-01"
    assert json.loads(r.raw_body) == r.to_dict()
    assert r.http_response.retries_taken == 0


def test_unicode_and_extra_body(client, mock):
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "héllo ✓ 日本"}],
                                   extra_body={"some_future_field": {"nested": [1, 2.5, None, True]}})
    entry = mock.last()
    assert entry["body"] == ('{"model":"gpt-4o","messages":[{"role":"user","content":"héllo ✓ 日本"}],'
                             '"some_future_field":{"nested":[1,2.5,null,true]}}')


def test_a_misspelt_keyword_is_refused_before_sending(client, mock):
    with pytest.raises(TypeError, match="create\\(\\) got an unexpected keyword argument 'mesages'"):
        client.chat.completions.create(model="gpt-4o", mesages=[])
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'messages'"):
        client.chat.completions.create(model="gpt-4o")
    with pytest.raises(TypeError, match="missing 2 required keyword-only arguments: 'messages' and 'model'"):
        client.chat.completions.create()
    with pytest.raises(TypeError, match="retrieve\\(\\) missing 1 required keyword-only argument: 'thread_id'"):
        client.beta.threads.runs.retrieve("run_1")
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'run_id'"):
        client.beta.threads.runs.retrieve(thread_id="t")
    with pytest.raises(TypeError, match="takes 2 positional arguments but 4 were given"):
        client.beta.threads.runs.retrieve("a", "b", "c")
    with pytest.raises(TypeError, match="got multiple values for argument 'run_id'"):
        client.beta.threads.runs.retrieve("r", run_id="r", thread_id="t")
    with pytest.raises(TypeError):
        asyncio.run(client.chat.completions.acreate(model="gpt-4o", messages=[], temprature=1))
    with pytest.raises(ValueError, match="Expected a non-empty value for `file_id` but received ''"):
        client.files.retrieve("")
    assert mock.requests() == []
    # NOT_GIVEN and omit leave a parameter out, as in the SDK
    client.chat.completions.create(model="m", messages=[], temperature=libopenai.NOT_GIVEN, top_p=libopenai.omit)
    assert mock.last()["body"] == '{"model":"m","messages":[]}'


def test_request_options_never_reach_the_body(client, mock):
    """The SDK's per-request options: extra_headers (a header of the client's replaced, one
    removed with omit), extra_query, extra_body, timeout."""
    c = client.with_options(default_headers={"X-Keep": "1", "X-Drop": "2"})
    c.chat.completions.create(model="gpt-4o", messages=[], timeout=5, extra_headers={"X-Trace": "t", "x-drop": libopenai.omit},
                              extra_query={"q": "1"}, extra_body={"metadata": {"k": "v"}})
    entry = mock.last()
    assert entry["raw_target"] == "/v1/chat/completions?q=1"
    assert entry["body"] == '{"model":"gpt-4o","messages":[],"metadata":{"k":"v"}}'
    assert header(entry, "x-trace") == "t" and header(entry, "x-keep") == "1" and header(entry, "x-drop") is None
    # a list: extra_query after the parameters (in the SDK's order), then the next page's
    page = client.files.list(purpose="fine-tune", limit=3, extra_query={"x": "y"}, timeout=30.0)
    page.get_next_page()
    targets = [e["raw_target"] for e in mock.requests()[-2:]]
    assert targets == ["/v1/files?limit=3&purpose=fine-tune&x=y", "/v1/files?limit=3&purpose=fine-tune&x=y&after=file-abc003"]
    # an operation without a body: extra_body is sent as the SDK sends it (a JSON body)
    client.batches.cancel("batch_1", extra_body={"reason": "test"})
    entry = mock.last()
    assert (entry["method"], entry["path"], entry["body"]) == ("POST", "/v1/batches/batch_1/cancel", '{"reason":"test"}')
    # a timeout per call
    mock.script({"match": {"path": "/v1/models/slow"}, "delay_ms": 2000, "body_json": {"id": "slow"}})
    started = time.monotonic()
    with pytest.raises(libopenai.APITimeoutError):
        client.models.retrieve("slow", timeout=0.3)
    assert time.monotonic() - started < 1.5
    with pytest.raises(TypeError):
        client.models.retrieve("gpt-4o", timeout="soon")


def test_path_parameters_are_percent_encoded(client, mock):
    r = client.models.retrieve("ft:gpt-3.5-turbo:my org/x")
    entry = mock.last()
    assert entry["method"] == "GET"
    assert entry["path"].startswith("/v1/models/ft")
    assert "/x" not in entry["path"][len("/v1/models/"):]  # the slash is encoded
    assert r.id == "ft:gpt-3.5-turbo:my org/x"
    assert r.owned_by == "user-mock"
    assert header(entry, "content-type") is None  # no content type on GET


def test_path_parameters_by_keyword(client, mock):
    r = client.beta.threads.messages.retrieve(thread_id="thread_9", message_id="msg_3")
    assert mock.last()["path"] == "/v1/threads/thread_9/messages/msg_3"
    assert r.id == "msg_3" and r.thread_id == "thread_9"


def test_list_query_and_beta_header(client, mock):
    page = client.beta.threads.messages.list("thread_1", limit=2, order="desc", after="msg_abc006")
    entry = mock.last()
    assert entry["path"] == "/v1/threads/thread_1/messages"
    assert sorted(entry["query_pairs"]) == [["after", "msg_abc006"], ["limit", "2"], ["order", "desc"]]
    assert header(entry, "openai-beta") == "assistants=v2"
    assert page.object == "list"
    assert [m.id for m in page.data] == ["msg_abc005", "msg_abc004"]
    assert page.has_more is True
    assert page.data[0].content[0].text.value


def test_files_list_filter(client, mock):
    page = client.files.list(purpose="assistants")
    assert mock.last()["query_pairs"] == [["purpose", "assistants"]]
    assert {f.purpose for f in page.data} == {"assistants"}
    client.files.list()
    assert mock.last()["query"] is None


def test_body_less_operations(client, mock):
    r = client.fine_tuning.jobs.cancel("ftjob-1")
    entry = mock.last()
    assert (entry["method"], entry["path"]) == ("POST", "/v1/fine_tuning/jobs/ftjob-1/cancel")
    assert header(entry, "content-type") == "application/json"
    assert r.status == "cancelled"
    d = client.beta.assistants.delete("asst_1")
    assert mock.last()["method"] == "DELETE"
    assert d.deleted is True and d.id == "asst_1"


def test_optional_body(client, mock):
    t = client.beta.threads.create()
    assert json.loads(mock.last()["body"] or "{}") == {}
    assert t.id == "thread_abc123"
    t = client.beta.threads.create(metadata={"k": "v"})
    assert json.loads(mock.last()["body"]) == {"metadata": {"k": "v"}}
    assert t.metadata == {"k": "v"} and type(t.metadata) is dict  # a map is a dict, as in the SDK


def test_operations_without_input_refuse_keywords(client):
    with pytest.raises(TypeError):
        client.models.retrieve("gpt-4o", extra=1)


def test_embeddings(client, mock):
    r = client.embeddings.create(model="text-embedding-3-small", input=["a", "b"], encoding_format="float")
    assert mock.last()["body"] == '{"model":"text-embedding-3-small","input":["a","b"],"encoding_format":"float"}'
    assert len(r.data) == 2
    assert r.data[0].embedding[:3] == [-0.5, -0.37, -0.24]
    assert r.data[1].index == 1
    # as the SDK: asked as base64 unless a format is given, and decoded into floats (float32)
    r = client.embeddings.create(input="a", model="text-embedding-3-small")
    assert mock.last()["body"] == '{"model":"text-embedding-3-small","input":"a","encoding_format":"base64"}'
    assert [round(x, 6) for x in r.data[0].embedding[:3]] == [-0.5, -0.37, -0.24]
    raw = client.embeddings.with_raw_response.create(input="a", model="text-embedding-3-small")
    assert isinstance(json.loads(raw.content)["data"][0]["embedding"], str)
    assert isinstance(raw.parse().data[0].embedding, list)


def test_speech_bytes(client, mock):
    audio = client.audio.speech.create(model="tts-1", input="Hi", voice="alloy", extra_body={"mock_bytes": 1000})
    entry = mock.last()
    assert header(entry, "accept") == "application/octet-stream"
    assert isinstance(audio, libopenai.BinaryContent)
    assert audio.content == bytes((i * 31 + 7) % 256 for i in range(1000))
    assert bytes(audio) == audio.read() and len(audio) == 1000
    assert audio.headers["content-type"] == "audio/mpeg"
    assert audio.http_status == 200


def test_file_content_bytes(client, mock, tmp_path):
    content = client.files.retrieve_content("file-xyz")
    expected = b"".join(b'{"id":"file-xyz","line":%d}\n' % k for k in range(3))
    assert content.content == expected
    assert header(mock.last(), "accept") == "application/binary"
    path = tmp_path / "out.jsonl"
    content.write_to_file(path)
    assert path.read_bytes() == expected


def test_to_file_with_progress(client, mock, tmp_path):
    seen = []
    path = tmp_path / "speech.mp3"
    resp = client.audio.speech.create_to_file(str(path), model="tts-1", input="Hi", voice="alloy",
                                              extra_body={"mock_bytes": 300000},
                                              progress=lambda d, t: seen.append((d, t)))
    assert isinstance(resp, libopenai.APIResponse) and resp.status_code == 200
    assert path.read_bytes() == bytes((i * 31 + 7) % 256 for i in range(300000))
    assert seen and seen[-1][0] == 300000
    assert json.loads(mock.last()["body"]) == {"model": "tts-1", "input": "Hi", "voice": "alloy",
                                               "mock_bytes": 300000}
    path2 = tmp_path / "content.jsonl"
    client.files.retrieve_content_to_file("file-xyz", path2)
    assert path2.read_bytes().startswith(b'{"id":"file-xyz","line":0}\n')


def test_async_to_file_with_progress_on_the_loop_thread(client, aclient, mock, tmp_path):
    path = tmp_path / "speech.mp3"
    seen = []

    def progress(done, total):
        seen.append((done, total, threading.get_ident()))

    async def run():
        resp = await aclient.audio.speech.create_to_file(str(path), model="tts-1", input="Hi", voice="alloy",
                                                         extra_body={"mock_bytes": 300000}, progress=progress)
        await asyncio.sleep(0)  # progress calls queued just before completion
        return resp, threading.get_ident()

    resp, loop_thread = asyncio.run(run())
    assert isinstance(resp, libopenai.APIResponse) and resp.status_code == 200
    assert resp.headers["content-type"] == "audio/mpeg"
    assert path.read_bytes() == bytes((i * 31 + 7) % 256 for i in range(300000))
    assert not any(tmp_path.glob(".speech.mp3.*.part"))
    assert seen and seen[-1][:2] == (300000, 300000)
    assert {thread for _, _, thread in seen} == {loop_thread}
    assert json.loads(mock.last()["body"]) == {"model": "tts-1", "input": "Hi", "voice": "alloy",
                                               "mock_bytes": 300000}

    # The blocking client's a-prefixed twin; an error status leaves no file.
    path2 = tmp_path / "content.jsonl"
    asyncio.run(client.files.aretrieve_content_to_file("file-xyz", path2))
    assert path2.read_bytes() == b"".join(b'{"id":"file-xyz","line":%d}\n' % k for k in range(3))
    path3 = tmp_path / "missing.bin"
    with pytest.raises(libopenai.NotFoundError):
        asyncio.run(client.files.aretrieve_content_to_file("missing-file", path3))
    assert not path3.exists() and not any(tmp_path.glob(".missing.bin.*.part"))


def test_cancelling_an_async_download_removes_the_partial_file(aclient, mock, tmp_path):
    mock.script({"match": {"path": "/v1/files/file-slow/content"}, "delay_ms": 10000, "body": "late"})
    path = tmp_path / "slow.bin"

    async def run():
        task = asyncio.ensure_future(aclient.files.retrieve_content_to_file("file-slow", path))
        await asyncio.get_running_loop().run_in_executor(None, lambda: mock.wait_for(lambda log: len(log) == 1))
        assert any(tmp_path.glob(".slow.bin.*.part"))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    mock.wait_for(lambda log: log[-1]["client_closed_early"])
    # The task ends at once; the library drops the call (and its partial file) on its own thread.
    for _ in range(500):
        if not any(tmp_path.glob(".slow.bin.*.part")):
            break
        time.sleep(0.01)
    assert not path.exists() and not any(tmp_path.glob(".slow.bin.*.part"))


def test_to_file_error_leaves_the_path(client, mock, tmp_path):
    path = tmp_path / "x.bin"
    with pytest.raises(libopenai.NotFoundError):
        client.files.retrieve_content_to_file("missing-file", path)
    assert not path.exists()


def test_transcription_text_and_json(client, mock):
    text = client.audio.transcriptions.create(file=("a.mp3", b"ID3..."), model="whisper-1",
                                              response_format="text")
    assert isinstance(text, str) and isinstance(text, libopenai.TextContent)
    assert text.strip() == "Hello! This is a mock transcription."
    assert text.http_status == 200
    j = client.audio.transcriptions.create(file=("a.mp3", b"ID3..."), model="whisper-1")
    assert j.text == "Hello! This is a mock transcription."
    v = client.audio.translations.create(file=("a.mp3", b"ID3..."), model="whisper-1",
                                         response_format="verbose_json")
    assert v.task == "translate" and v.segments


def test_with_raw_response(client, mock):
    raw = client.models.with_raw_response.retrieve("gpt-4o")
    assert isinstance(raw, libopenai.APIResponse)
    assert raw.status_code == 200
    assert raw.headers.get("x-request-id") == mock.last()["request_id"]
    assert json.loads(raw.content)["id"] == "gpt-4o"
    assert raw.json().id == "gpt-4o"
    assert raw.parse().id == "gpt-4o"

    async def run():
        a = await client.models.awith_raw_response.retrieve("gpt-4o")
        b = await client.models.with_raw_response.aretrieve("gpt-4o")
        return a, b

    a, b = asyncio.run(run())
    assert a.parse().id == b.parse().id == "gpt-4o"


def test_client_options_become_headers_and_query(mock):
    c = libopenai.OpenAI(api_key="sk-opt", base_url=mock.base_url, organization="org-1", project="proj-1",
                         default_headers={"X-Custom": "yes"}, default_query={"api-version": "2024"})
    try:
        c.models.list()
        entry = mock.last()
        assert header(entry, "authorization") == "Bearer sk-opt"
        assert header(entry, "openai-organization") == "org-1"
        assert header(entry, "openai-project") == "proj-1"
        assert header(entry, "x-custom") == "yes"
        assert entry["query_pairs"] == [["api-version", "2024"]]
        c2 = c.with_options(openai_beta="assistants=v1", default_headers={"X-Custom": "two"})
        c2.beta.assistants.list()
        entry = mock.last()
        assert header(entry, "openai-beta") == "assistants=v1"
        assert header(entry, "x-custom") == "two"
        assert header(entry, "openai-organization") == "org-1"
        c2.close()
    finally:
        c.close()


def test_environment_configuration(mock, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", mock.base_url)
    with libopenai.OpenAI() as c:
        assert c.models.retrieve("gpt-4o").id == "gpt-4o"
    assert header(mock.last(), "authorization") == "Bearer sk-env"
    assert c.closed
    with pytest.raises(libopenai.OpenAIError):
        c.models.list()


def test_generic_request_unknown_path(client, mock):
    with pytest.raises(libopenai.NotFoundError) as info:
        client.request("POST", "/no_such_endpoint", body={"input_file_id": "file-1"})
    assert info.value.code == "unknown_url"
    entry = mock.last()
    assert (entry["method"], entry["path"]) == ("POST", "/v1/no_such_endpoint")
    assert json.loads(entry["body"]) == {"input_file_id": "file-1"}


def test_generic_request_known_path(client, mock):
    r = client.request("GET", "/models/gpt-4o")
    assert r.id == "gpt-4o"
    assert mock.last()["path"] == "/v1/models/gpt-4o"
    r = client.request("POST", "/embeddings", body={"model": "m", "input": "x"})
    assert r.data[0].embedding
    r = client.request("GET", "/files", query={"limit": 2})
    assert mock.last()["query_pairs"] == [["limit", "2"]]
    assert len(r.data) == 2
    raw = client.request("GET", "/files/file-1/content", raw=True)
    assert raw.content.startswith(b'{"id":"file-1"')
    assert asyncio.run(client.arequest("GET", "/models")).object == "list"


def test_generic_stream_and_pages(client, mock):
    with client.request_stream("POST", "/chat/completions", body={"model": "m", "messages": [], "stream": True}) as s:
        text = "".join(c.choices[0].delta.get("content") or "" for c in s if c.choices)
    assert text == REPLY
    ids = [f.id for f in client.request_pages("/files", limit=4).iter_items()]
    assert len(ids) == 7
