"""Models, moderations, batches and legacy completions."""
from openai import OpenAI

client = OpenAI()

models = client.models.list()
print([m.id for m in models])
print(models.object, len(models.data))
model = client.models.retrieve("gpt-4o")
print(model.id, model.object, model.owned_by, model.created)
print(client.models.delete("ft:gpt-4o-mini:acme::abc").deleted)

moderation = client.moderations.create(model="omni-moderation-latest", input=["I want to kill them.", "hello"])
print(moderation.id, moderation.model, len(moderation.results))
for result in moderation.results:
    print(result.flagged, result.categories.violence, result.category_scores.violence)

batch = client.batches.create(input_file_id="file-abc123", endpoint="/v1/chat/completions",
                              completion_window="24h", metadata={"job": "nightly"})
print(batch.id, batch.object, batch.endpoint, batch.status, batch.request_counts.total, batch.metadata)
print(client.batches.retrieve(batch.id).status)
print([b.id for b in client.batches.list(limit=2)])
print(client.batches.cancel(batch.id).status)

completion = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say this is a test", max_tokens=7)
print(completion.object, completion.choices[0].text, completion.choices[0].finish_reason)
