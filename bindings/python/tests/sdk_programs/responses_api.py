"""The Responses API: create, output_text, retrieve, input items, stream events, the stream helper."""
from openai import OpenAI

client = OpenAI()

response = client.responses.create(model="gpt-4.1", input="Tell me a three sentence bedtime story about a unicorn.")
print(response.id, response.object, response.status, response.model)
print("output_text:", repr(response.output_text))
for item in response.output:
    print(item.type, item.id, item.role if item.type == "message" else None)
print(response.usage.input_tokens, response.usage.output_tokens, response.error, response.incomplete_details)

again = client.responses.retrieve(response.id)
print(again.id, again.status)

for item in client.responses.input_items.list(response.id, limit=5):
    print("input item:", item.id, item.type)

stream = client.responses.create(
    model="gpt-4.1",
    input=[{"role": "user", "content": "Say 'double bubble bath' ten times fast."}],
    stream=True,
)
for event in stream:
    if event.type == "response.output_text.delta":
        print("delta:", repr(event.delta))
    else:
        print("event:", event.type, event.sequence_number)

with client.responses.stream(model="gpt-4.1", input="Hello") as stream:
    for event in stream:
        if event.type == "response.output_text.done":
            print("text done:", repr(event.text))
    final = stream.get_final_response()
print("final:", final.id, final.status, repr(final.output_text))

counted = client.responses.input_tokens.count(model="gpt-4.1", input="Hello")
print(counted.to_dict())
client.responses.delete(response.id)
print("deleted")
