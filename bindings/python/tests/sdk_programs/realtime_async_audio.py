"""Realtime with asyncio: audio appended as base64 events, an audio response decoded, the
Responses API over a WebSocket, handlers dispatched, and the session closed with a reason."""
import asyncio
import base64
import hashlib

from openai import AsyncOpenAI, OpenAI

PCM = bytes((i * 7) % 256 for i in range(96_000))  # 2 s of 24 kHz PCM16


async def main():
    client = AsyncOpenAI()
    async with client.realtime.connect(model="gpt-realtime") as connection:
        await connection.session.update(session={"type": "realtime", "instructions": "Be brief."})
        for i in range(0, len(PCM), 32_768):
            await connection.input_audio_buffer.append(audio=base64.b64encode(PCM[i:i + 32_768]).decode())
        await connection.input_audio_buffer.commit()
        await connection.response.create(response={"instructions": "Answer in audio"})
        audio = b""
        async for event in connection:
            if event.type == "response.output_audio.delta":
                audio += base64.b64decode(event.delta)
            elif event.type == "response.output_audio_transcript.delta":
                print("transcript:", repr(event.delta))
            elif event.type == "response.done":
                print("done:", event.response.status, len(audio), hashlib.sha256(audio).hexdigest()[:16])
                break
            else:
                print(event.type)
        await connection.close(code=1000, reason="bye")


asyncio.run(main())

sync = OpenAI()
with sync.responses.connect() as connection:
    connection.response.create(model="gpt-4.1", input="Hello over a WebSocket")
    for event in connection:
        print(event.type, getattr(event, "delta", None))
        if event.type == "response.completed":
            print(event.response.output[0].content[0].text)
            break

with sync.realtime.connect(model="gpt-realtime") as connection:
    seen = []
    connection.on("session.updated", lambda event: seen.append(event.type))

    @connection.on("error")
    def on_error(event):
        print("error event:", event.error.code, event.error.message)
        connection.close()

    connection.session.update(session={"type": "realtime", "output_modalities": ["text"]})
    connection.send({"type": "no.such.event"})
    connection.dispatch_events()
    print(seen)
