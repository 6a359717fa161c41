"""A webhook handler (webhooks.unwrap and verify_signature: genuine deliveries, a tampered one, one
too old, one without its id) that fetches what each event names, and a file through
uploads.upload_file_chunked."""
import base64
import hashlib
import hmac
import time
from pathlib import Path

from openai import InvalidWebhookSignatureError, OpenAI

KEY = b"sdk-program-webhook-key"
client = OpenAI(webhook_secret="whsec_" + base64.b64encode(KEY).decode())


def delivery(payload, age=0):
    """The headers OpenAI sends with `payload`, signed `age` seconds ago."""
    webhook_id, timestamp = "wh_program_1", str(int(time.time()) - age)
    mac = hmac.new(KEY, ("%s.%s.%s" % (webhook_id, timestamp, payload)).encode(), hashlib.sha256).digest()
    return {"webhook-id": webhook_id, "webhook-timestamp": timestamp,
            "webhook-signature": "v1," + base64.b64encode(mac).decode()}


def handle(payload, headers):
    try:
        event = client.webhooks.unwrap(payload, headers)
    except InvalidWebhookSignatureError as e:
        print("refused:", e)
        return
    print(event.type, event.id, event.created_at, event.data.id, event.object)
    print(event.to_dict())
    print(event.model_dump())
    if event.type == "response.completed":
        response = client.responses.retrieve(event.data.id)
        print(response.id, response.status, response.output_text)
    elif event.type.startswith("batch."):
        batch = client.batches.retrieve(event.data.id)
        print(batch.id, batch.object)


completed = '{"id":"evt_1","type":"response.completed","created_at":1750287018,"data":{"id":"resp_abc123"}}'
failed = '{"id":"evt_2","object":"event","type":"batch.failed","created_at":1750287019,"data":{"id":"batch_abc123"}}'
handle(completed, delivery(completed))
handle(failed.encode(), delivery(failed))
handle(completed.replace("resp_abc123", "resp_abc124"), delivery(completed))
handle(completed, delivery(completed, age=400))
client.webhooks.verify_signature(completed, delivery(completed, age=400), tolerance=600)
print("verified with a tolerance of 600 s")
try:
    client.webhooks.verify_signature(completed, {k: v for k, v in delivery(completed).items() if k != "webhook-id"})
except ValueError as e:
    print("refused:", e)

Path("train.jsonl").write_bytes(b'{"prompt": "a", "completion": "b"}\n' * 100)
upload = client.uploads.upload_file_chunked(file=Path("train.jsonl"), mime_type="text/jsonl", purpose="fine-tune")
print(upload.id, upload.status, upload.bytes, upload.filename, upload.purpose)
print(upload.file.id, upload.file.bytes, upload.file.filename)
