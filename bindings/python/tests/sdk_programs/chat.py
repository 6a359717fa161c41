"""Chat completions: a reply, its usage and serialisations, options on the call and the client."""
from openai import OpenAI

client = OpenAI()

completion = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Say hello in French ✓"},
    ],
    temperature=0.2,
    max_tokens=50,
    n=2,
)
print(completion.id, completion.object, completion.model)
for choice in completion.choices:
    print(choice.index, choice.finish_reason, repr(choice.message.content), choice.message.role)
    print("refusal:", choice.message.refusal, "tool_calls:", choice.message.tool_calls)
print("usage:", completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens)
print("request id:", completion._request_id.startswith("req_"))
print(completion.to_json())
print(completion.to_dict()["choices"][1]["message"])
print(completion.choices[0].message.to_json(indent=None))
print(sorted(dict(completion.usage)), dict(completion.usage)["total_tokens"])

# per-request options and a derived client
strict = client.with_options(max_retries=0, timeout=20.0)
reply = strict.chat.completions.create(
    model="gpt-4o",
    messages=[{"role": "user", "content": "Hi"}],
    user="user-1234",
    extra_headers={"X-Trace": "abc"},
    extra_query={"trace": "1"},
    extra_body={"metadata": {"app": "demo"}},
    timeout=10,
)
print(reply.choices[0].message.content)

# tools
tools = [{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}]
completion = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Weather in Paris?"}],
    tools=tools,
    tool_choice="auto",
    parallel_tool_calls=False,
)
message = completion.choices[0].message
print(message.content, message.tool_calls, message.function_call, message.audio)
