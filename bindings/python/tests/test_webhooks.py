"""client.webhooks.verify_signature and unwrap (over the library's openai_webhooks_*), against
requests signed here with the standard library's hmac (not the library's): genuine, tampered, too
old and too new, the tolerance, several signatures, the headers as a dict, as httpx-like headers
and as an object with get() only, the secret from the client, the environment or the call, and
the typed event unwrap returns, on both clients."""

import base64
import hashlib
import hmac
import json
import time

import pytest

import libopenai

KEY = b"python-binding-webhook-key"
SECRET = "whsec_" + base64.b64encode(KEY).decode()
ID = "wh_685342e6c53c8190a1be43f081506c52"
PAYLOAD = ('{"id":"evt_685343a1381c819085d44c354e1b330e","type":"response.completed",'
           '"created_at":1750287018,"data":{"id":"resp_abc123"}}')
NO_MATCH = "The given webhook signature does not match the expected signature"


def sign(payload, timestamp, key=KEY, webhook_id=ID):
    if isinstance(payload, str):
        payload = payload.encode()
    mac = hmac.new(key, b"%s.%d.%s" % (webhook_id.encode(), timestamp, payload), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(payload=PAYLOAD, timestamp=None, signature=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {"content-type": "application/json", "webhook-id": ID, "webhook-timestamp": str(timestamp),
            "webhook-signature": signature or sign(payload, timestamp)}


@pytest.fixture
def wclient():
    # no server: the webhook functions send nothing
    c = libopenai.OpenAI(api_key="sk-test", base_url="http://127.0.0.1:9/v1", webhook_secret=SECRET)
    yield c
    c.close()


def test_the_tests_hmac_is_rfc_4231s():
    # RFC 4231, test case 2: the signatures below come from an HMAC known to be good
    assert hmac.new(b"Jefe", b"what do ya want for nothing?", hashlib.sha256).hexdigest() == \
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_a_genuine_request_is_accepted(wclient):
    assert wclient.webhooks.verify_signature(PAYLOAD, headers()) is None
    assert wclient.webhooks.verify_signature(PAYLOAD.encode(), headers()) is None  # bytes as received
    now = int(time.time())
    for timestamp in (now - 290, now + 290):  # within the default tolerance either way
        wclient.webhooks.verify_signature(PAYLOAD, headers(timestamp=timestamp))
    # among several signatures (a secret being rotated), header names in any case
    h = headers()
    other = sign(PAYLOAD, now, key=b"another key")
    h = {"Webhook-Id": ID, "WEBHOOK-TIMESTAMP": h["webhook-timestamp"],
         "Webhook-Signature": "%s %s" % (other, h["webhook-signature"])}
    wclient.webhooks.verify_signature(PAYLOAD, h)


def test_a_tampered_request_is_refused(wclient):
    h = headers()
    for payload in (PAYLOAD.replace("resp_abc123", "resp_abc124"), PAYLOAD + " ", PAYLOAD[:-1]):
        with pytest.raises(libopenai.InvalidWebhookSignatureError) as e:
            wclient.webhooks.verify_signature(payload, h)
        assert str(e.value) == NO_MATCH
        assert isinstance(e.value, ValueError)  # as the SDK's
    # the id and the timestamp are signed too
    for name, value in (("webhook-id", "wh_other"), ("webhook-timestamp", str(int(h["webhook-timestamp"]) + 1))):
        with pytest.raises(libopenai.InvalidWebhookSignatureError, match=NO_MATCH):
            wclient.webhooks.verify_signature(PAYLOAD, dict(h, **{name: value}))
    # another secret
    with pytest.raises(libopenai.InvalidWebhookSignatureError, match=NO_MATCH):
        wclient.webhooks.verify_signature(PAYLOAD, h, secret="whsec_" + base64.b64encode(b"wrong").decode())
    with pytest.raises(libopenai.InvalidWebhookSignatureError, match=NO_MATCH):
        wclient.webhooks.unwrap(PAYLOAD.replace("completed", "failed"), h)


def test_too_old_too_new_and_the_tolerance(wclient):
    now = int(time.time())
    old, new = headers(timestamp=now - 400), headers(timestamp=now + 400)
    with pytest.raises(libopenai.InvalidWebhookSignatureError, match="^Webhook timestamp is too old$"):
        wclient.webhooks.verify_signature(PAYLOAD, old)
    with pytest.raises(libopenai.InvalidWebhookSignatureError, match="^Webhook timestamp is too new$"):
        wclient.webhooks.verify_signature(PAYLOAD, new)
    with pytest.raises(libopenai.InvalidWebhookSignatureError, match="too old"):
        wclient.webhooks.unwrap(PAYLOAD, old)  # unwrap's tolerance is the SDK's 300 s
    # a wider tolerance accepts both; a narrower one refuses a request 60 s old
    wclient.webhooks.verify_signature(PAYLOAD, old, tolerance=500)
    wclient.webhooks.verify_signature(PAYLOAD, new, tolerance=500)
    with pytest.raises(libopenai.InvalidWebhookSignatureError, match="too old"):
        wclient.webhooks.verify_signature(PAYLOAD, headers(timestamp=now - 60), tolerance=30)
    with pytest.raises(ValueError, match="tolerance must be 0 or more"):
        wclient.webhooks.verify_signature(PAYLOAD, headers(), tolerance=-1)
    with pytest.raises(libopenai.InvalidWebhookSignatureError, match="^Invalid webhook timestamp format$"):
        wclient.webhooks.verify_signature(PAYLOAD, dict(headers(), **{"webhook-timestamp": "soon"}))


def test_missing_headers_and_secrets(wclient, monkeypatch):
    h = headers()
    for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        partial = {k: v for k, v in h.items() if k != name}
        with pytest.raises(libopenai.InvalidWebhookSignatureError, match="^Could not find %s header$" % name):
            wclient.webhooks.verify_signature(PAYLOAD, partial)
    # no secret anywhere: the SDK's ValueError, before the library is asked
    monkeypatch.delenv("OPENAI_WEBHOOK_SECRET", raising=False)
    bare = libopenai.OpenAI(api_key="sk-test", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(ValueError, match="^The webhook secret must either be set using the env var"):
        bare.webhooks.verify_signature(PAYLOAD, h)
    # the call's secret, the environment's (read when the client is made), a derived client's
    bare.webhooks.verify_signature(PAYLOAD, h, secret=SECRET)
    assert bare.webhooks.unwrap(PAYLOAD, h, secret=SECRET).id == "evt_685343a1381c819085d44c354e1b330e"
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    from_env = libopenai.OpenAI(api_key="sk-test", base_url="http://127.0.0.1:9/v1")
    from_env.webhooks.verify_signature(PAYLOAD, h)
    from_env.with_options(timeout=5).webhooks.verify_signature(PAYLOAD, h)
    # a secret without the whsec_ prefix is the key itself, as in the SDK
    bare.webhooks.verify_signature(PAYLOAD, h, secret=KEY.decode())
    # a whsec_ secret that is not base64 is refused as an argument, with the library's reason
    with pytest.raises(libopenai.InvalidArgumentError, match="base64"):
        bare.webhooks.verify_signature(PAYLOAD, h, secret="whsec_not base64!")
    bare.close()
    from_env.close()


def test_headers_like_objects(wclient):
    h = headers()

    class OnlyGet:
        """An object with get() alone (the SDK's HeadersLike protocol), case-sensitive."""

        def __init__(self, values):
            self.values = {"Webhook-Id": values["webhook-id"], "webhook-timestamp": values["webhook-timestamp"],
                           "WEBHOOK-SIGNATURE": values["webhook-signature"]}

        def get(self, name):
            return self.values.get(name)

    wclient.webhooks.verify_signature(PAYLOAD, OnlyGet(h))
    wclient.webhooks.verify_signature(PAYLOAD, libopenai.Headers(list(h.items())))
    with pytest.raises(TypeError):
        wclient.webhooks.verify_signature(PAYLOAD, [("webhook-id", ID)])
    with pytest.raises(TypeError):
        wclient.webhooks.verify_signature(12, h)


def test_unwrap_gives_the_typed_event(wclient):
    event = wclient.webhooks.unwrap(PAYLOAD, headers())
    assert (event.id, event.type, event.created_at, event.data.id) == (
        "evt_685343a1381c819085d44c354e1b330e", "response.completed", 1750287018, "resp_abc123")
    assert event._type == "WebhookResponseCompleted"
    # the SDK's field order and the declared field the payload lacks
    assert event.to_dict() == json.loads(PAYLOAD)
    assert list(event.model_dump()) == ["id", "created_at", "data", "type", "object"]
    assert event.model_dump()["object"] is None and event.object is None
    assert event.model_dump_json() == (
        '{"id":"evt_685343a1381c819085d44c354e1b330e","created_at":1750287018,"data":{"id":"resp_abc123"},'
        '"type":"response.completed","object":null}')
    # another event of the union, told apart by its type
    batch = '{"object":"event","type":"batch.failed","data":{"id":"batch_1"},"created_at":1,"id":"evt_2"}'
    event = wclient.webhooks.unwrap(batch.encode(), headers(batch))
    assert event._type == "WebhookBatchFailed"
    assert list(event.to_dict()) == ["id", "created_at", "data", "type", "object"]
    assert (event.type, event.data.id, event.object) == ("batch.failed", "batch_1", "event")
    # a genuine payload that is not a JSON object
    with pytest.raises(libopenai.InvalidArgumentError):
        wclient.webhooks.unwrap("[1,2]", headers("[1,2]"))


def test_the_async_client_has_them_as_plain_functions():
    client = libopenai.AsyncOpenAI(api_key="sk-test", base_url="http://127.0.0.1:9/v1", webhook_secret=SECRET)
    # as in the SDK, not coroutines: they send nothing
    assert client.webhooks.verify_signature(PAYLOAD, headers()) is None
    event = client.webhooks.unwrap(PAYLOAD, headers())
    assert (event.type, event.data.id) == ("response.completed", "resp_abc123")
    with pytest.raises(libopenai.InvalidWebhookSignatureError):
        client.webhooks.unwrap(PAYLOAD, headers(timestamp=int(time.time()) - 301))
    client.close()
