"""Streams: iterators and async iterators over server-sent events; closing drops the connection."""

import asyncio
import json

import libopenai

from conftest import header

REPLY = "Hello! How can I help you today?"

RUN_EVENTS = [
    "thread.run.created", "thread.run.queued", "thread.run.in_progress", "thread.run.step.created",
    "thread.run.step.in_progress", "thread.message.created", "thread.message.in_progress",
] + ["thread.message.delta"] * 7 + [
    "thread.message.completed", "thread.run.step.completed", "thread.run.completed",
]


def _text(chunks):
    return "".join(c.choices[0].delta.get("content") or "" for c in chunks if c.choices)


def test_chat_stream(client, mock):
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}],
                                            stream=True)
    assert isinstance(stream, libopenai.Stream)
    assert stream.http_status == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    with stream:
        chunks = list(stream)
    assert stream.closed
    assert _text(chunks) == REPLY
    assert all(c.object == "chat.completion.chunk" and c.id == "chatcmpl-abc123" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[1]["choices"][0]["delta"]["content"] == "Hello!"
    entry = mock.last()
    assert json.loads(entry["body"]) == {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}],
                                         "stream": True}
    assert header(entry, "accept") == "application/json"
    assert stream.request_id == entry["request_id"]


def test_chat_stream_with_usage(client, mock):
    chunks = list(client.chat.completions.create(model="m", messages=[], stream=True,
                                                 stream_options={"include_usage": True},
                                                 extra_body={"mock_chunks": 3}))
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 3
    assert _text(chunks) == "Hello! How can"


def test_chat_stream_asyncio(client, aclient, mock):
    async def run():
        s1 = await client.chat.completions.acreate(model="m", messages=[], stream=True)
        assert isinstance(s1, libopenai.AsyncStream)
        async with s1:
            t1 = _text([c async for c in s1])
        s2 = await aclient.chat.completions.create(model="m", messages=[], stream=True)
        assert s2.http_status == 200
        t2 = _text([c async for c in s2])
        assert s2.closed
        return t1, t2

    assert asyncio.run(run()) == (REPLY, REPLY)


def test_many_concurrent_async_streams(aclient, mock):
    async def one(i):
        s = await aclient.chat.completions.create(model="m%d" % i, messages=[], stream=True,
                                                  extra_body={"mock_delay_ms": 5})
        async with s:
            return _text([c async for c in s])

    async def run():
        return await asyncio.gather(*[one(i) for i in range(30)])

    assert asyncio.run(run()) == [REPLY] * 30


def test_assistant_events(client, mock):
    with client.beta.threads.runs.create_and_stream("thread_1", assistant_id="asst_1") as s:
        events = list(s)
    assert [e.event for e in events] == RUN_EVENTS
    entry = mock.last()
    assert (entry["method"], entry["path"]) == ("POST", "/v1/threads/thread_1/runs")
    assert json.loads(entry["body"]) == {"assistant_id": "asst_1", "stream": True}
    assert header(entry, "openai-beta") == "assistants=v2"
    deltas = [e.data.delta.content[0].text.value for e in events if e.event == "thread.message.delta"]
    assert "".join(deltas) == REPLY
    completed = [e for e in events if e.event == "thread.message.completed"][0]
    assert completed.data.content[0].text.value == REPLY
    assert events[0]["data"]["object"] == "thread.run"
    assert events[-1].data.status == "completed"


def test_assistant_events_asyncio(client, aclient, mock):
    async def run():
        s = await client.beta.threads.runs.acreate_and_stream("thread_1", assistant_id="asst_1")
        a = [e.event async for e in s]
        s = await aclient.beta.threads.runs.submit_tool_outputs(
            "thread_1", "run_1", tool_outputs=[{"tool_call_id": "c1", "output": "42"}], stream=True)
        b = [e.event async for e in s]
        return a, b

    a, b = asyncio.run(run())
    assert a == RUN_EVENTS
    assert b == RUN_EVENTS
    assert mock.last()["path"] == "/v1/threads/thread_1/runs/run_1/submit_tool_outputs"


def test_runs_create_with_stream_flag(client, mock):
    # runs.create has no stream form of its own: stream=True streams through the table's
    # operation of the same method and path (runs.create_and_stream)
    with client.beta.threads.runs.create("thread_1", assistant_id="asst_1", stream=True) as s:
        assert [e.event for e in s] == RUN_EVENTS
    assert json.loads(mock.last()["body"]) == {"assistant_id": "asst_1", "stream": True}

    async def run():
        s = await client.beta.threads.runs.acreate("thread_1", assistant_id="asst_1", stream=True)
        return [e.event async for e in s]

    assert asyncio.run(run()) == RUN_EVENTS


def test_closing_a_stream_closes_the_connection(client, mock):
    with client.chat.completions.create(model="m", messages=[], stream=True,
                                        extra_body={"mock_chunks": 100000, "mock_delay_ms": 10}) as s:
        first = [next(s) for _ in range(3)]
    assert _text(first) == "Hello! How"
    assert s.closed
    assert list(s) == []
    mock.wait_for(lambda log: log and log[-1]["client_closed_early"])


def test_closing_an_async_stream_closes_the_connection(aclient, mock):
    async def run():
        s = await aclient.chat.completions.create(model="m", messages=[], stream=True,
                                                  extra_body={"mock_chunks": 100000, "mock_delay_ms": 10})
        got = []
        async with s:
            async for c in s:
                got.append(c)
                if len(got) == 3:
                    break
        assert s.closed
        return got

    assert _text(asyncio.run(run())) == "Hello! How"
    mock.wait_for(lambda log: log and log[-1]["client_closed_early"])


def test_cancelling_a_task_reading_a_stream(aclient, mock):
    async def run():
        s = await aclient.chat.completions.create(model="m", messages=[], stream=True,
                                                  extra_body={"mock_chunks": 100000, "mock_delay_ms": 200})

        async def consume():
            async with s:
                async for _ in s:
                    pass

        task = asyncio.ensure_future(consume())
        await asyncio.sleep(0.3)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        assert s.closed

    asyncio.run(run())
    mock.wait_for(lambda log: log and log[-1]["client_closed_early"])
