"""Client options and per-request options (headers, query, body, timeout), with_options, and
pages walked by hand."""
from openai import OpenAI

client = OpenAI(
    organization="org-123",
    project="proj_456",
    default_headers={"X-App": "demo"},
    default_query={"tenant": "acme"},
    max_retries=1,
    timeout=30.0,
)
print(client.organization, client.project, client.max_retries, str(client.base_url).endswith("/v1/"))

model = client.models.retrieve("gpt-4o", extra_headers={"X-Request-Tag": "t1"}, extra_query={"debug": "1"})
print(model.id)

other = client.with_options(default_headers={"X-Other": "1"}, max_retries=0)
print(other.max_retries, other.organization)
other.models.list()

copy = client.copy(organization="org-999", set_default_query={"tenant": "other"})
copy.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}],
                             extra_body={"metadata": {"k": "v"}}, extra_query={"q": "2"})

page = client.fine_tuning.jobs.list(limit=3)
while True:
    print([job.id for job in page.data])
    if not page.has_next_page():
        break
    page = page.get_next_page()

events = client.fine_tuning.jobs.list_events("ftjob-abc", limit=4)
print(sum(1 for _ in events), events.next_page_info().params if events.next_page_info() else None)

job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="file-abc",
                                     hyperparameters={"n_epochs": 2}, suffix="custom")
print(job.id, job.status, job.hyperparameters.n_epochs if job.hyperparameters else None)
print(client.fine_tuning.jobs.retrieve(job.id).status, client.fine_tuning.jobs.cancel(job.id).status)

completions = client.chat.completions.list(limit=2, metadata={"app": "demo"})
print([c.id for c in completions.data])
