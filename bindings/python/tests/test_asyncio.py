"""asyncio: calls wait on one completion-queue descriptor per event loop (loop.add_reader), not
on a thread each; cancelling a task cancels its call."""

import asyncio
import os
import threading
import time

import libopenai
from libopenai import _core


def _os_threads():
    return len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else None


def test_200_concurrent_calls_on_one_thread(client, aclient, mock):
    client.models.retrieve("warm-up")  # starts the library's worker threads
    py_threads = threading.active_count()
    os_threads = _os_threads()
    seen_threads = set()

    async def one(i):
        seen_threads.add(threading.get_ident())
        if i % 2:
            return await client.models.aretrieve("model-%d" % i)
        return await aclient.models.retrieve("model-%d" % i)

    async def run():
        results = await asyncio.gather(*[one(i) for i in range(200)])
        during = (threading.active_count(), _os_threads())
        return results, during

    results, (py_during, os_during) = asyncio.run(run())
    assert [r.id for r in results] == ["model-%d" % i for i in range(200)]
    assert all(r.http_status == 200 for r in results)
    assert len(seen_threads) == 1
    assert py_during == py_threads  # no Python thread per call
    assert threading.active_count() == py_threads
    if os_threads is not None:
        assert os_during < os_threads + 20, (os_threads, os_during)  # nor a native one
    assert len(mock.requests()) == 201


def test_200_calls_really_run_concurrently(aclient, mock):
    mock.script({"match": {"path": "/v1/embeddings"}, "delay_ms": 300, "times": 200,
                 "body_json": {"object": "list", "data": [], "model": "m"}})

    async def run():
        start = time.monotonic()
        rs = await asyncio.gather(*[aclient.embeddings.create(model="m", input="x%d" % i) for i in range(200)])
        return rs, time.monotonic() - start

    results, elapsed = asyncio.run(run())
    assert all(r.object == "list" for r in results)
    assert elapsed < 10, elapsed  # 200 x 300 ms one after another would be 60 s


def test_cancelling_a_task_cancels_the_call(client, mock):
    mock.script({"match": {"path": "/v1/chat/completions"}, "delay_ms": 10000, "body_json": {}})

    async def run():
        task = asyncio.ensure_future(client.chat.completions.acreate(model="m", messages=[]))
        await asyncio.get_running_loop().run_in_executor(
            None, lambda: mock.wait_for(lambda log: len(log) == 1))
        start = time.monotonic()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        else:
            raise AssertionError("the task was not cancelled")
        assert task.cancelled()
        assert time.monotonic() - start < 1
        assert not _core._dispatcher().waiters  # nothing left behind

    asyncio.run(run())
    log = mock.wait_for(lambda log: log[-1]["client_closed_early"])
    assert log[-1]["path"] == "/v1/chat/completions"


def test_wait_for_timeout_cancels(aclient, mock):
    mock.script({"match": {"path": "/v1/models"}, "delay_ms": 10000, "body_json": {}})

    async def run():
        try:
            await asyncio.wait_for(aclient.models.list(), 0.3)
        except asyncio.TimeoutError:
            return True
        return False

    assert asyncio.run(run())
    mock.wait_for(lambda log: log and log[-1]["client_closed_early"])


def test_several_event_loops(client, mock):
    # one completion queue per loop: sequential asyncio.run calls and a loop in another thread
    assert asyncio.run(client.models.aretrieve("a")).id == "a"
    assert asyncio.run(client.models.aretrieve("b")).id == "b"
    out = {}

    def other():
        out["r"] = asyncio.run(client.models.aretrieve("c"))

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert out["r"].id == "c"


def test_blocking_call_inside_a_running_loop(client, mock):
    async def run():
        return client.models.retrieve("sync-in-loop").id, (await client.models.aretrieve("x")).id

    assert asyncio.run(run()) == ("sync-in-loop", "x")


def test_blocking_calls_from_threads(client, mock):
    results = [None] * 16

    def work(i):
        results[i] = client.models.retrieve("t%d" % i).id

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["t%d" % i for i in range(16)]


def test_async_client_closed_while_calls_run(mock):
    async def run():
        c = libopenai.AsyncOpenAI(api_key="sk-test", base_url=mock.base_url)
        task = asyncio.ensure_future(c.models.retrieve("after-close"))
        await asyncio.sleep(0)
        c.close()  # calls in flight keep what they need
        return await task

    assert asyncio.run(run()).id == "after-close"
