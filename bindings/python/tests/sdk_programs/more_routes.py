"""More routes by the SDK's names: image and transcription streams, containers, videos, evals,
fine-tuning checkpoints, skills, stored chat completions, a thread run polled."""
import pathlib

from openai import OpenAI

client = OpenAI()

for event in client.images.generate(model="gpt-image-1", prompt="A lighthouse", stream=True, partial_images=1):
    print("image event:", event.type, len(event.b64_json or ""))

pathlib.Path("note.wav").write_bytes(b"RIFF" + b"\0" * 40)
for event in client.audio.transcriptions.create(model="gpt-4o-transcribe", file=open("note.wav", "rb"),
                                                stream=True):
    print("transcription event:", event.type, getattr(event, "delta", None) or getattr(event, "text", None))

container = client.containers.create(name="sandbox")
print(container.id, container.object, container.name)
cfile = client.containers.files.create(container.id, file=("data.csv", b"a,b\n1,2\n"))
print(cfile.id, cfile.object)
content = client.containers.files.content.retrieve(cfile.id, container_id=container.id)
print(len(content.content), content.response.headers.get("content-type"))
print([f.id for f in client.containers.files.list(container.id, limit=2)])

video = client.videos.create(model="sora-2", prompt="A calm sea", seconds="4")
print(video.id, video.object, video.status)
clip = client.videos.download_content(video.id, variant="thumbnail")
print(len(clip.content))
print([v.id for v in client.videos.list(limit=2)])

ev = client.evals.create(name="qa", data_source_config={"type": "custom", "item_schema": {"type": "object"}},
                         testing_criteria=[])
print(ev.id, ev.object)
run = client.evals.runs.create(ev.id, data_source={"type": "jsonl", "source": {"type": "file_id", "id": "file-1"}})
print(run.id, run.object, run.status)
print([i.id for i in client.evals.runs.output_items.list(run.id, eval_id=ev.id, limit=2)])

print([c.id for c in client.fine_tuning.jobs.checkpoints.list("ftjob-abc", limit=2)])
perms = client.fine_tuning.checkpoints.permissions.create("ft:gpt-4o-mini:org:custom:ckpt", project_ids=["proj_1"])
print([p.id for p in perms])

skill = client.skills.create(files=[("SKILL.md", b"# Skill\n")])
print(skill.id, skill.object)
print(len(client.skills.content.retrieve(skill.id).content))

stored = client.chat.completions.retrieve("chatcmpl-abc123")
print(stored.id, stored.object)
print([m.id for m in client.chat.completions.messages.list("chatcmpl-abc123", limit=3)])
print(client.chat.completions.update("chatcmpl-abc123", metadata={"k": "v"}).metadata)

run = client.beta.threads.create_and_run_poll(assistant_id="asst_abc123",
                                              thread={"messages": [{"role": "user", "content": "Hi"}]},
                                              poll_interval_ms=10)
print(run.status, run.thread_id)
secret = client.realtime.client_secrets.create(session={"type": "realtime", "model": "gpt-realtime"})
print(secret.value is not None, secret.expires_at)
