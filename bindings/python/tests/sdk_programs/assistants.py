"""The assistants family: assistants, threads, messages (auto-paging), runs polled to completion,
run steps, and a run streamed to an event handler."""
from typing_extensions import override

from openai import AssistantEventHandler, OpenAI

client = OpenAI()

assistant = client.beta.assistants.create(
    name="Math Tutor", instructions="You are a personal math tutor.",
    tools=[{"type": "code_interpreter"}], model="gpt-4o",
)
print(assistant.id, assistant.object, assistant.name, assistant.model, [t.type for t in assistant.tools])
print([a.id for a in client.beta.assistants.list(limit=3)][:5])
print(client.beta.assistants.update(assistant.id, name="Tutor").name)

thread = client.beta.threads.create()
print(thread.id, thread.object)
message = client.beta.threads.messages.create(thread_id=thread.id, role="user",
                                              content="I need to solve the equation `3x + 11 = 14`.")
print(message.id, message.role, message.content[0].text.value)
print(client.beta.threads.messages.retrieve(message.id, thread_id=thread.id).id)

run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id,
                                               instructions="Address the user as Jane.")
print("run:", run.id, run.status)
if run.status == "completed":
    messages = client.beta.threads.messages.list(thread_id=thread.id, limit=2)
    for m in messages:
        print(m.id, m.role, m.content[0].text.value)

steps = client.beta.threads.runs.steps.list(run.id, thread_id=thread.id, limit=3)
print([s.id for s in steps])
print(client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status)
print([r.id for r in client.beta.threads.runs.list(thread.id, limit=4)])


class EventHandler(AssistantEventHandler):
    @override
    def on_text_created(self, text) -> None:
        print("\nassistant > ", end="", flush=True)

    @override
    def on_text_delta(self, delta, snapshot):
        print(delta.value, end="", flush=True)

    @override
    def on_message_done(self, message):
        print("\nmessage done:", message.id, message.status)

    @override
    def on_run_step_created(self, run_step):
        print("step:", run_step.id, run_step.type)


with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id,
                                     event_handler=EventHandler()) as stream:
    stream.until_done()
    print("final run:", stream.get_final_run().status)

with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
    for event in stream:
        print(event.event, getattr(event.data, "object", None))
    print([m.id for m in stream.get_final_messages()])

events = client.beta.threads.runs.create(thread.id, assistant_id=assistant.id, stream=True)
print([e.event for e in events][-3:])

print(client.beta.threads.runs.cancel(run.id, thread_id=thread.id).status)
print(client.beta.threads.delete(thread.id).deleted)
print(client.beta.assistants.delete(assistant.id).deleted)
