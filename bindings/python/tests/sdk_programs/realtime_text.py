"""Realtime: a text turn over the WebSocket session."""
from openai import OpenAI

client = OpenAI()

with client.realtime.connect(model="gpt-realtime") as connection:
    connection.session.update(session={"type": "realtime", "output_modalities": ["text"]})
    connection.conversation.item.create(item={"type": "message", "role": "user",
                                              "content": [{"type": "input_text", "text": "Say hello!"}]})
    connection.response.create()
    for event in connection:
        print(event.type)
        if event.type == "response.output_text.delta":
            print("  delta:", repr(event.delta))
        elif event.type == "response.done":
            print("  status:", event.response.status)
            break
