"""Embeddings: asked as base64 and decoded (the SDK's default), or as floats."""
from openai import OpenAI

client = OpenAI()

result = client.embeddings.create(model="text-embedding-3-small", input=["The food was delicious", "and the waiter"])
print(result.object, result.model, len(result.data), result.usage.prompt_tokens)
for item in result.data:
    print(item.index, item.object, [round(x, 4) for x in item.embedding[:4]], len(item.embedding))

floats = client.embeddings.create(model="text-embedding-3-small", input="hello", encoding_format="float", dimensions=4)
print(floats.data[0].embedding)
print(floats.to_json(indent=None))
