"""Realtime sessions against the mock's WebSocket endpoints: iterated (sync) and on the session's
descriptor (asyncio), audio appended through the library, a refused handshake, the server
closing or dropping the connection, reconnection with on_reconnecting, sends from several
threads, and closing with a close frame. (tests/sdk_programs/realtime_*.py run the SDK's own
Realtime programs against both.)"""

import asyncio
import hashlib
import json
import threading

import pytest

import libopenai

from conftest import header

REPLY_WORDS = ["Hello!", " How", " can", " I", " help", " you", " today?"]
TEXT_SESSION = {"type": "realtime", "output_modalities": ["text"]}


def _sessions(mock):
    return mock._do("GET", "/__mock/websockets")


@pytest.fixture(autouse=True)
def _fresh_sessions(mock):
    mock._do("DELETE", "/__mock/websockets")
    yield


def _turn(connection):
    """The text deltas of one response, read until response.done."""
    deltas = []
    for event in connection:
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
        elif event.type == "response.done":
            return deltas
    raise AssertionError("the session ended before response.done")


def test_a_text_turn(client, mock):
    with client.realtime.connect(model="gpt-realtime", extra_query={"mock_chunks": "3"},
                                 extra_headers={"X-Trace": "t1"}) as connection:
        first = connection.recv()
        assert first.type == "session.created" and first.session.model == "gpt-realtime"
        assert connection.handshake.status_code == 101
        assert connection.handshake.request_id == mock.requests()[0]["request_id"]
        connection.session.update(session=TEXT_SESSION)
        connection.conversation.item.create(item={"type": "message", "role": "user",
                                                  "content": [{"type": "input_text", "text": "Hi"}]})
        connection.response.create()
        assert _turn(connection) == REPLY_WORDS[:3]
    entry = mock.requests()[0]
    assert entry["raw_target"] == "/v1/realtime?model=gpt-realtime&mock_chunks=3"
    assert header(entry, "authorization") == "Bearer sk-test"
    assert header(entry, "x-trace") == "t1" and header(entry, "upgrade") == "websocket"
    [session] = _sessions(mock)
    assert session["events"] == [
        '{"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}}',
        '{"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": '
        '[{"type": "input_text", "text": "Hi"}]}}',
        '{"type": "response.create"}']
    assert session["client_close"] == {"code": 1000, "reason": ""} and session["ended"] == "client_closed"
    assert session["pongs"] == 1  # the library answered the mock's ping


def test_audio_in_through_the_library_and_audio_out(client, mock):
    pcm = bytes((i * 13) % 256 for i in range(100_000))
    with client.realtime.connect(model="gpt-realtime", extra_query={"mock_audio_bytes": "9600"}) as connection:
        connection.append_audio(pcm)
        connection.input_audio_buffer.commit()
        connection.response.create()
        audio = b""
        for event in connection:
            if event.type == "response.output_audio.delta":
                import base64
                audio += base64.b64decode(event.delta)
            elif event.type == "response.done":
                break
    assert audio == bytes((i * 31 + 7) % 256 for i in range(9600))
    [session] = _sessions(mock)
    assert session["appends"] == [32768, 32768, 32768, 100_000 - 3 * 32768]
    assert session["audio_sha256"] == hashlib.sha256(pcm).hexdigest()
    connection = client.realtime.connect(model="m").enter()
    with pytest.raises(libopenai.InvalidArgumentError):
        connection.append_audio(b"odd")  # not whole 16-bit samples
    connection.close()


def test_asyncio_on_the_descriptor(aclient, mock):
    async def session(i):
        async with aclient.realtime.connect(model="m%d" % i) as connection:
            assert (await connection.recv()).type == "session.created"
            await connection.session.update(session=TEXT_SESSION)
            await connection.response.create()
            deltas = []
            async for event in connection:
                if event.type == "response.output_text.delta":
                    deltas.append(event.delta)
                elif event.type == "response.done":
                    return "".join(deltas), threading.get_ident()

    async def main():
        return await asyncio.gather(*[session(i) for i in range(4)]), threading.get_ident()

    results, loop_thread = asyncio.run(main())
    assert [text for text, _ in results] == ["".join(REPLY_WORDS)] * 4
    assert {thread for _, thread in results} == {loop_thread}
    assert sorted(s["query_pairs"][0][1] for s in _sessions(mock)) == ["m0", "m1", "m2", "m3"]
    assert all(s["client_close"]["code"] == 1000 for s in _sessions(mock))


def test_a_refused_handshake_raises_its_status_error(mock):
    bad = libopenai.OpenAI(api_key="sk-invalid-1", base_url=mock.base_url)
    with pytest.raises(libopenai.AuthenticationError) as info:
        bad.realtime.connect(model="gpt-realtime").enter()
    assert info.value.status_code == 401 and info.value.code == "invalid_api_key"
    assert "sk-invalid-1" not in str(info.value)
    bad.close()
    c = libopenai.OpenAI(api_key="sk-1", base_url=mock.base_url)
    with pytest.raises(libopenai.BadRequestError) as info:
        with c.realtime.connect():
            pass
    assert "model" in info.value.message
    c.close()


def test_the_server_closing_or_dropping_ends_the_iteration(client, mock):
    mock.script({"match": {"path": "/v1/realtime"},
                 "websocket": {"after_events": 1, "action": "close", "code": 1000, "reason": "done"}})
    with client.realtime.connect(model="m") as connection:
        assert [e.type for e in connection] == ["session.created"]  # a clean close ends it
        assert connection.close_code == 1000
    mock.script({"match": {"path": "/v1/realtime"},
                 "websocket": {"after_events": 1, "action": "close", "code": 1008, "reason": "policy"}})
    with client.realtime.connect(model="m") as connection:
        with pytest.raises(libopenai.APIConnectionError) as info:
            for _ in connection:
                pass
    assert info.value.close_code == 1008 and info.value.close_reason == "policy"
    mock.script({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": "drop"}})
    with client.realtime.connect(model="m") as connection:
        with pytest.raises(libopenai.APIConnectionError) as info:
            list(connection)
    assert info.value.close_code == 1006  # no reconnection without on_reconnecting, as in the SDK


def test_reconnection_with_on_reconnecting(client, mock):
    mock.script({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": "drop"}})
    seen = []

    def on_reconnecting(event):
        seen.append(event)
        return {"extra_query": {"attempt": str(event.attempt)}, "extra_headers": {"X-Attempt": "1"}}

    with client.realtime.connect(model="m", on_reconnecting=on_reconnecting, initial_delay=0.01) as connection:
        assert connection.recv().type == "session.created"
        assert connection.recv().type == "session.created"  # the new connection's
        connection.session.update(session=TEXT_SESSION)
        assert connection.recv().type == "session.updated"
    [event] = seen
    assert isinstance(event, libopenai.ReconnectingEvent)
    assert (event.attempt, event.max_attempts, event.close_code) == (1, 5, 1006)
    assert event.extra_query == {"model": "m"} and event.delay == pytest.approx(0.01)
    first, second = [e for e in mock.requests() if e["path"] == "/v1/realtime"]
    assert first["raw_target"] == "/v1/realtime?model=m"
    assert second["raw_target"] == "/v1/realtime?model=m&attempt=1" and header(second, "x-attempt") == "1"
    # an exception in the callback ends the session with it
    mock.script({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": "drop"}})

    def fails(event):
        raise RuntimeError("no more")

    with client.realtime.connect(model="m", on_reconnecting=fails) as connection:
        with pytest.raises(RuntimeError, match="no more"):
            list(connection)
    mock.script({"match": {"path": "/v1/realtime"}, "websocket": {"after_events": 1, "action": "drop"}})
    with client.realtime.connect(model="m", on_reconnecting=lambda e: {"abort": True}) as connection:
        with pytest.raises(libopenai.APIConnectionError):
            list(connection)


def test_sends_from_several_threads_stay_in_order(client, mock):
    with client.realtime.connect(model="m") as connection:
        def send(t):
            for i in range(25):
                connection.send({"type": "conversation.item.create",
                                 "item": {"type": "message", "role": "user", "content": [
                                     {"type": "input_text", "text": "%d-%d" % (t, i)}]}})

        threads = [threading.Thread(target=send, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        created = 0
        for event in connection:
            if event.type == "conversation.item.created":
                created += 1
                if created == 200:
                    break
    [session] = _sessions(mock)
    texts = [json.loads(e)["item"]["content"][0]["text"] for e in session["events"]]
    assert len(texts) == 200
    for t in range(8):
        mine = [x for x in texts if x.startswith("%d-" % t)]
        assert mine == ["%d-%d" % (t, i) for i in range(25)]


def test_bad_input_and_use_after_close(client, mock):
    manager = client.realtime.connect(model="m")
    connection = manager.enter()
    with pytest.raises(libopenai.InvalidArgumentError):
        connection.send("[1, 2]")  # not a JSON object
    connection.close(code=4000, reason="bye")
    with pytest.raises(libopenai.OpenAIError):
        connection.send({"type": "response.create"})
    assert list(connection) == []
    assert _sessions(mock)[0]["client_close"] == {"code": 4000, "reason": "bye"}


def test_responses_over_a_websocket(client, aclient, mock):
    with client.responses.connect() as connection:
        connection.response.create(model="gpt-4.1", input="Hi", instructions="brief")
        types = []
        for event in connection:
            types.append(event.type)
            if event.type == "response.completed":
                assert event.response.output[0].content[0].text == "".join(REPLY_WORDS)
                break
    assert types[0] == "response.created" and "response.output_text.delta" in types
    assert _sessions(mock)[0]["events"] == [
        '{"type": "response.create", "input": "Hi", "instructions": "brief", "model": "gpt-4.1"}']
    assert mock.requests()[0]["raw_target"] == "/v1/responses"

    async def run():
        async with aclient.responses.connect() as connection:
            await connection.response.create(model="gpt-4.1", input="Hi")
            async for event in connection:
                if event.type == "response.completed":
                    return event.response.status

    assert asyncio.run(run()) == "completed"
