"""Memory: every handle the binding receives is freed exactly once (responses after reading,
futures, streams, events, uploads, pagers, clients, queues)."""

import asyncio
import collections
import gc

import pytest

import libopenai
from libopenai import _lib

FREES = ["openai_response_free", "openai_future_free", "openai_stream_free", "openai_event_free",
         "openai_upload_free", "openai_pager_free", "openai_client_free", "openai_queue_free"]


@pytest.fixture
def frees(monkeypatch):
    lib = _lib.load()
    freed = collections.defaultdict(list)
    for name in FREES:
        real = getattr(lib, name)

        def wrapper(ptr, _real=real, _name=name):
            assert ptr, "%s(NULL)" % _name
            freed[_name].append(ptr)
            _real(ptr)

        monkeypatch.setattr(lib, name, wrapper)
    return freed


def test_every_handle_is_freed_exactly_once(mock, frees):
    client = libopenai.OpenAI(api_key="sk-test", base_url=mock.base_url, max_retries=0)
    for i in range(5):
        client.models.retrieve("m%d" % i)
    with pytest.raises(libopenai.NotFoundError):
        client.models.retrieve("missing-x")

    async def run():
        await asyncio.gather(*[client.models.aretrieve("a%d" % i) for i in range(4)])

    asyncio.run(run())
    with client.chat.completions.create(model="m", messages=[], stream=True) as s:
        n_events = len(list(s))
    s.close()  # closing twice frees once
    with client.chat.completions.create(model="m", messages=[], stream=True, extra_body={"mock_chunks": 50}) as s:
        next(s)  # abandoned midway: the stream (and its queued events) freed by close
    pages = len(list(client.files.list_pages(limit=3)))
    client.files.upload(file=b"abc", purpose="fine-tune")
    up = libopenai.Upload.from_bytes(b"xyz")
    client.files.upload(file=up, purpose="fine-tune")
    up.close()
    up.close()
    client.close()
    client.close()
    gc.collect()

    # each count is the number of handles the calls above received: none leaked, none freed twice
    counts = {name: len(ptrs) for name, ptrs in frees.items()}
    assert counts["openai_response_free"] == 6 + 4 + pages + 2
    assert counts["openai_future_free"] == 4
    assert counts["openai_stream_free"] == 2
    assert counts["openai_event_free"] == n_events + 1
    assert counts["openai_pager_free"] == 1
    assert counts["openai_upload_free"] == 2
    assert counts["openai_client_free"] == 1


def test_garbage_collection_frees(mock, frees):
    client = libopenai.OpenAI(api_key="sk-test", base_url=mock.base_url)
    s = client.chat.completions.create(model="m", messages=[], stream=True)
    p = client.files.list_pages()
    del s, p, client
    gc.collect()
    counts = {name: len(ptrs) for name, ptrs in frees.items()}
    assert counts["openai_stream_free"] == 1
    assert counts["openai_pager_free"] == 1
    assert counts["openai_client_free"] == 1


def test_no_growth_over_many_calls(client, mock):
    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096

    for _ in range(200):
        client.models.retrieve("warm")
    before = rss()
    for _ in range(2000):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x" * 1000}])
    growth = rss() - before
    assert growth < 16 * 1024 * 1024, growth
