"""Vector stores with their files and file batches, search results as a page, and the
upload-and-poll helpers."""
from openai import OpenAI

client = OpenAI()

store = client.vector_stores.create(name="Support FAQ", metadata={"team": "support"})
print(store.id, store.object, store.name, store.status, store.file_counts.completed, store.metadata)
print([s.id for s in client.vector_stores.list(limit=5)])
store = client.vector_stores.update(store.id, name="FAQ v2")
print(store.name)
print(client.vector_stores.retrieve(store.id).id)

vs_file = client.vector_stores.files.create(vector_store_id=store.id, file_id="file-abc123",
                                            attributes={"lang": "en"})
print(vs_file.id, vs_file.object, vs_file.status, vs_file.vector_store_id)
print([f.id for f in client.vector_stores.files.list(vector_store_id=store.id, filter="completed")])
print(client.vector_stores.files.retrieve("file-abc123", vector_store_id=store.id).status)
print(client.vector_stores.files.delete("file-abc123", vector_store_id=store.id).deleted)

polled = client.vector_stores.files.create_and_poll("file-abc123", vector_store_id=store.id)
print("polled:", polled.id, polled.status)
uploaded = client.vector_stores.files.upload_and_poll(vector_store_id=store.id, file=("faq.md", b"# FAQ\n"))
print("uploaded:", uploaded.status)

batch = client.vector_stores.file_batches.create(store.id, file_ids=["file-1", "file-2"])
print(batch.id, batch.object, batch.status, batch.file_counts.total)
print(client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id).status)
print([f.id for f in client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)])
print(client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id).status)
done = client.vector_stores.file_batches.create_and_poll(store.id, file_ids=["file-1"])
print("batch polled:", done.status)

results = client.vector_stores.search(store.id, query="How do I reset my password?", max_num_results=3)
for result in results:
    print(result.file_id, result.filename, result.score, [c.text for c in result.content])
print(results.search_query, results.has_more)

print(client.vector_stores.delete(store.id).deleted)
