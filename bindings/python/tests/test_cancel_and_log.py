"""Cancel tokens (aborting a blocking call from another thread) and the log callback."""

import threading

import pytest

import libopenai


def test_a_cancel_token_aborts_a_blocking_call_from_another_thread(client, mock):
    mock.script({"match": {"path": "/v1/chat/completions"}, "delay_ms": 10000, "body_json": {}})
    token = libopenai.CancelToken()
    bound = client.with_cancel_token(token)
    outcome = {}

    def call():
        try:
            outcome["result"] = bound.chat.completions.create(model="m", messages=[])
        except Exception as e:  # noqa: BLE001 - the test inspects it
            outcome["error"] = e

    thread = threading.Thread(target=call)
    thread.start()
    mock.wait_for(lambda log: len(log) == 1)
    assert not token.cancelled
    token.cancel()
    thread.join(10)  # a guard against a hang, not a speed check: the mock answers after 10 s
    assert not thread.is_alive()
    assert "result" not in outcome
    assert isinstance(outcome["error"], libopenai.APIUserAbortError), outcome
    assert token.cancelled
    # The server saw its connection closed before it answered.
    log = mock.wait_for(lambda log: log[-1]["client_closed_early"])
    assert log[-1]["path"] == "/v1/chat/completions"

    # Later calls through the bound client fail before sending anything...
    with pytest.raises(libopenai.APIUserAbortError):
        bound.models.retrieve("m1")
    assert len(mock.requests()) == 1
    # ...while the client it was derived from is not affected.
    assert client.models.retrieve("m2").id == "m2"
    bound.close()


def test_with_cancel_token_wants_a_token(client):
    with pytest.raises(TypeError):
        client.with_cancel_token(object())


def test_the_log_callback_hears_each_request_with_credentials_redacted(mock):
    messages = []
    lock = threading.Lock()

    def sink(level, message):
        with lock:
            messages.append((level, message))

    key = "sk-py-log-check-5d1e"
    libopenai.set_log_callback(sink, "debug")
    try:
        c = libopenai.OpenAI(api_key=key, base_url=mock.base_url, max_retries=0)
        assert c.models.retrieve("m1").id == "m1"
        c.close()
    finally:
        libopenai.set_log_callback(None)

    sending = [m for level, m in messages if level == "debug" and m.startswith("sending GET ")]
    assert len(sending) == 1, messages
    assert "/v1/models/m1" in sending[0]
    assert "authorization: [redacted]" in sending[0]
    assert all(key not in m for _, m in messages)
    assert any(m.startswith("received 200 OK for GET") for _, m in messages), messages

    # Once reset, the callback hears nothing more.
    heard = len(messages)
    c = libopenai.OpenAI(api_key=key, base_url=mock.base_url, max_retries=0)
    c.models.retrieve("m2")
    c.close()
    assert len(messages) == heard


def test_the_log_level_filters_and_is_checked(mock):
    messages = []
    libopenai.set_log_callback(lambda level, m: messages.append(level), "error")
    try:
        c = libopenai.OpenAI(api_key="sk-test", base_url=mock.base_url, max_retries=0)
        c.models.retrieve("m1")  # succeeds: nothing at error level
        mock.script({"match": {"path": "/v1/models/gone"}, "status": 404,
                     "body_json": {"error": {"message": "no such model", "type": "invalid_request_error"}}})
        with pytest.raises(libopenai.NotFoundError):
            c.models.retrieve("gone")
        c.close()
    finally:
        libopenai.set_log_callback(None)
    assert messages == ["error"]
    with pytest.raises(ValueError):
        libopenai.set_log_callback(print, "verbose")
