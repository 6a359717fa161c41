"""Raw responses: with_raw_response (headers, parse), with_streaming_response (iter_lines,
read, json), on resources and on the client."""
from openai import OpenAI

client = OpenAI()

raw = client.chat.completions.with_raw_response.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "Say this is a test"}],
)
print(raw.status_code, raw.headers.get("openai-version"), raw.headers.get("x-request-id", "").startswith("req_"))
completion = raw.parse()
print(completion.choices[0].message.content, completion.usage.total_tokens)
print(raw.http_request.method, raw.http_request.url)
print(raw.retries_taken, raw.text[:1], raw.http_response.json()["object"], len(raw.content) > 0)

raw_files = client.with_raw_response.files.list(limit=2)
page = raw_files.parse()
print(raw_files.status_code, [f.id for f in page.data], [f.id for f in page][:4])

raw_model = client.with_raw_response.models.retrieve("gpt-4o")
print(raw_model.parse().id, raw_model.headers["content-type"])

with client.chat.completions.with_streaming_response.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}],
) as response:
    print(response.status_code, response.headers.get("content-type"))
    print(response.json()["choices"][0]["message"]["content"])

with client.with_streaming_response.models.list() as response:
    print(len(response.read()) > 0, response.parse().data[0].id)

with client.embeddings.with_streaming_response.create(model="text-embedding-3-small", input="hi",
                                                      encoding_format="float") as response:
    for line in response.iter_lines():
        if '"object"' in line:
            print(line.strip()[:40])
            break

deleted = client.files.with_raw_response.delete("file-abc")
print(deleted.status_code, deleted.parse().deleted)
