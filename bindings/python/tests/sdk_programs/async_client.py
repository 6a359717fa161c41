# compare: unordered
"""AsyncOpenAI: concurrent calls, auto-paging with async for, streams, raw responses, the
stream helper, closing."""
import asyncio

from openai import AsyncOpenAI


async def main():
    client = AsyncOpenAI()
    models = await asyncio.gather(*[client.models.retrieve(m) for m in ("gpt-4o", "gpt-4o-mini", "o3")])
    print([m.id for m in models])

    completion = await client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
    print(completion.choices[0].message.content)

    ids = [f.id async for f in client.files.list(limit=3)]
    print(ids)
    page = await client.files.list(limit=2)
    print([f.id for f in page.data], page.has_next_page())
    nxt = await page.get_next_page()
    print([f.id for f in nxt.data])
    print(len([m async for m in client.models.list()]))

    stream = await client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}],
                                                  stream=True)
    async for chunk in stream:
        print(repr(chunk.choices[0].delta.content), end=" ")
    print()

    async with await client.responses.create(model="gpt-4.1", input="hi", stream=True) as events:
        print([e.type async for e in events][:3])

    async with client.responses.stream(model="gpt-4.1", input="hi") as stream:
        async for event in stream:
            pass
        final = await stream.get_final_response()
    print(final.id, final.output_text)

    raw = await client.chat.completions.with_raw_response.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    print(raw.status_code, raw.parse().model)

    async with client.chat.completions.with_streaming_response.create(
        model="gpt-4o", messages=[{"role": "user", "content": "x"}]
    ) as response:
        print(response.status_code, (await response.json())["model"])

    embedding = await client.embeddings.create(model="text-embedding-3-small", input="hello")
    print([round(x, 3) for x in embedding.data[0].embedding[:3]])

    thread = await client.beta.threads.create()
    run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id="asst_abc123")
    print(run.status)
    async for message in client.beta.threads.messages.list(thread_id=thread.id, limit=3):
        print(message.id, end=" ")
    print()

    try:
        await client.models.retrieve("missing-x")
    except Exception as e:
        print(type(e).__name__, e.status_code)
    await client.close()


asyncio.run(main())
