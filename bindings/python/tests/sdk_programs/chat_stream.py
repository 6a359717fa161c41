"""Chat completion streams: deltas (None on the last chunk), usage, the stream's response, closing."""
from openai import OpenAI

client = OpenAI()

stream = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Tell me a story"}],
    stream=True,
)
pieces = []
for chunk in stream:
    delta = chunk.choices[0].delta
    print(chunk.id, repr(delta.content), delta.role, chunk.choices[0].finish_reason)
    if delta.content:
        pieces.append(delta.content)
print("".join(pieces))

with client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Count"}],
    stream=True,
    stream_options={"include_usage": True},
) as stream:
    print(stream.response.status_code, stream.response.headers["content-type"])
    for chunk in stream:
        if chunk.choices:
            print("delta", repr(chunk.choices[0].delta.content))
        else:
            print("usage", chunk.usage.total_tokens, chunk.usage.completion_tokens)

stream = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], stream=True)
first = next(iter(stream))
print("first:", first.choices[0].delta.to_dict())
stream.close()
print("closed")
