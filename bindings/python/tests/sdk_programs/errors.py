"""Errors as the SDK raises them: the status classes with their attributes, a connection error,
a timeout, a misspelt keyword, a missing path parameter, an error event in a stream."""
# mock: {"match": {"path": "/v1/chat/completions"}, "status": 429, "headers": {"retry-after": "0"}, "body_json": {"error": {"message": "Rate limit reached for gpt-4o", "type": "requests", "param": null, "code": "rate_limit_exceeded"}}}
# mock: {"match": {"path": "/v1/embeddings"}, "status": 500, "body": "upstream failure"}
# mock: {"match": {"path": "/v1/moderations"}, "status": 402, "body_json": {"error": {"message": "Payment required", "type": "billing", "code": 42}}}
# mock: {"match": {"path": "/v1/batches/slow"}, "delay_ms": 3000, "body_json": {"id": "slow"}}
# mock: {"match": {"path": "/v1/responses"}, "headers": {"content-type": "text/event-stream"}, "body": "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}}\n\nevent: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"server_error\",\"code\":\"server_error\",\"message\":\"The server had an error\",\"param\":null},\"sequence_number\":1}\n\n"}
import os

import openai
from openai import OpenAI

client = OpenAI(max_retries=0)


def show(e):
    print(type(e).__name__, isinstance(e, openai.APIStatusError), isinstance(e, openai.APIError))
    print("  message:", e.message)
    print("  status:", getattr(e, "status_code", None), "code:", e.code, "type:", e.type, "param:", e.param)
    print("  body:", e.body)
    if isinstance(e, openai.APIStatusError):
        print("  request id:", e.request_id is not None, e.request_id == e.response.headers.get("x-request-id"))
        print("  response:", e.response.status_code, e.response.headers.get("content-type"), e.response.text[:60])
        print("  request:", e.request.method, str(e.request.url).endswith(e.response.request.url.path
                                                                          if hasattr(e.response.request.url, "path")
                                                                          else str(e.request.url)))


try:
    client.models.retrieve("missing-model")
except openai.NotFoundError as e:
    show(e)

try:
    OpenAI(api_key="sk-invalid-key", max_retries=0).models.list()
except openai.AuthenticationError as e:
    show(e)

try:
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
except openai.RateLimitError as e:
    show(e)

try:
    client.embeddings.create(model="text-embedding-3-small", input="x")
except openai.InternalServerError as e:
    show(e)

try:
    client.moderations.create(input="x")
except openai.APIStatusError as e:
    show(e)

try:
    client.chat.completions.create(model="missing-model", messages=[{"role": "user", "content": "hi"}])
except openai.NotFoundError as e:
    show(e)

try:
    client.with_options(timeout=0.5).batches.retrieve("slow")
except openai.APITimeoutError as e:
    print(type(e).__name__, isinstance(e, openai.APIConnectionError), e.message, e.body, e.code)

try:
    client.batches.retrieve("slow2", timeout=0.5) if False else None
except openai.APITimeoutError as e:
    print("unreachable")

try:
    OpenAI(base_url="http://127.0.0.1:9/v1", max_retries=0).models.list()
except openai.APIConnectionError as e:
    print(type(e).__name__, e.message, e.body, e.code, e.type, e.request.method)

try:
    client.chat.completions.create(model="gpt-4o", mesages=[{"role": "user", "content": "hi"}])
except TypeError as e:
    print("TypeError")

try:
    client.files.retrieve("")
except ValueError as e:
    print("ValueError", e)

try:
    for event in client.responses.create(model="gpt-4.1", input="hi", stream=True):
        print("event:", event.type)
except openai.APIError as e:
    print(type(e).__name__, e.message)

saved = os.environ.pop("OPENAI_API_KEY")
try:
    OpenAI()
except openai.OpenAIError as e:
    print("OpenAIError without a key")
os.environ["OPENAI_API_KEY"] = saved
