"""Conversations and their items (paged by last_id), and the Uploads API."""
from openai import OpenAI

client = OpenAI()

conversation = client.conversations.create(metadata={"topic": "demo"},
                                           items=[{"type": "message", "role": "user", "content": "Hello!"}])
print(conversation.id, conversation.object, conversation.created_at, conversation.metadata)
items = client.conversations.items.create(conversation.id,
                                          items=[{"type": "message", "role": "user", "content": "More"}])
print(items.object, [i.type for i in items.data])
page = client.conversations.items.list(conversation.id, limit=10)
print([i.id for i in page], page.has_more, page.last_id)
item = client.conversations.items.retrieve("msg_abc", conversation_id=conversation.id)
print(item.id, item.type)
print(client.conversations.update(conversation.id, metadata={"topic": "updated"}).metadata)
print(client.conversations.retrieve(conversation.id).id)
print(client.conversations.items.delete("msg_abc", conversation_id=conversation.id).id)
print(client.conversations.delete(conversation.id).deleted)

upload = client.uploads.create(bytes=2048, filename="training.jsonl", mime_type="text/jsonl", purpose="fine-tune")
print(upload.id, upload.object, upload.status, upload.bytes)
parts = [client.uploads.parts.create(upload.id, data=b"x" * 1024) for _ in range(2)]
print([(part.id, part.object, part.upload_id) for part in parts])
done = client.uploads.complete(upload.id, part_ids=[part.id for part in parts])
print(done.status, done.file.id, done.file.bytes, done.file.filename)
other = client.uploads.create(bytes=10, filename="other.jsonl", mime_type="text/jsonl", purpose="batch")
print(client.uploads.cancel(other.id).status)
