"""Files: uploads from a path, a file object and bytes; auto-paging lists; content; deletes."""
import pathlib

from openai import OpenAI

client = OpenAI()

path = pathlib.Path("train.jsonl")
path.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n')

created = client.files.create(file=open(path, "rb"), purpose="fine-tune")
print(created.id, created.filename, created.bytes, created.purpose, created.status)
created = client.files.create(file=path, purpose="batch")
print(created.filename, created.purpose)
created = client.files.create(file=("data.jsonl", b'{"a": 1}\n', "application/jsonl"), purpose="assistants")
print(created.filename, created.bytes)
created = client.files.create(file=b"raw bytes", purpose="user_data")
print(created.filename, created.bytes)

# every file, two per page: the iterator fetches the next pages itself
ids = [f.id for f in client.files.list(limit=2)]
print(len(ids), ids)
print([f.id for f in client.files.list(purpose="fine-tune", order="desc", limit=3)][:3])

first_page = client.files.list(limit=3)
print([f.id for f in first_page.data], first_page.has_more, first_page.has_next_page())
second = first_page.get_next_page()
print([f.id for f in second.data], second.has_next_page())
print(sum(len(page.data) for page in first_page.iter_pages()))

info = client.files.retrieve("file-abc123")
print(info.id, info.object, info.created_at, info.expires_at, info.status_details)

content = client.files.content("file-abc123")
print(content.content)
print(content.text.splitlines()[0], content.json() if False else "")
content.write_to_file("copy.jsonl")
print(pathlib.Path("copy.jsonl").read_bytes() == content.content)

with client.files.with_streaming_response.content("file-xyz") as response:
    print(response.status_code, response.headers.get("content-type"))
    response.stream_to_file("stream.jsonl")
print(pathlib.Path("stream.jsonl").read_text().count("\n"))

deleted = client.files.delete("file-abc123")
print(deleted.id, deleted.deleted, deleted.object)
