"""Pagination: every page of a cursor list, blocking (the library's pager) and asyncio."""

import asyncio

import pytest

import libopenai

FILE_IDS = ["file-abc%03d" % i for i in range(1, 8)]


def test_pages(client, mock):
    pages = list(client.files.list_pages(limit=3))
    assert [[f.id for f in p.data] for p in pages] == [FILE_IDS[0:3], FILE_IDS[3:6], FILE_IDS[6:7]]
    assert [p.has_more for p in pages] == [True, True, False]
    assert pages[0].http_status == 200
    queries = [sorted(e["query_pairs"]) for e in mock.requests()]
    assert queries == [[["limit", "3"]], [["after", "file-abc003"], ["limit", "3"]],
                       [["after", "file-abc006"], ["limit", "3"]]]


def test_iter_items_with_path_params(client, mock):
    with client.beta.threads.runs.steps.list_pages("thread_1", "run_1", limit=2, order="desc") as pager:
        ids = [s.id for s in pager.iter_items()]
    assert ids == ["step_abc%03d" % i for i in range(7, 0, -1)]
    assert all(e["path"] == "/v1/threads/thread_1/runs/run_1/steps" for e in mock.requests())
    assert len(mock.requests()) == 4


def test_page_error_raises(client, mock):
    mock.script({"match": {"path": "/v1/fine_tuning/jobs"}, "status": 500,
                 "body_json": {"error": {"message": "down"}}})
    with pytest.raises(libopenai.InternalServerError):
        list(client.fine_tuning.jobs.list_pages())


def test_async_pages(client, aclient, mock):
    async def run():
        a = [p async for p in client.fine_tuning.jobs.alist_events_pages("ftjob-1", limit=4)]
        b = [m.id async for m in aclient.beta.threads.messages.list_pages("thread_1", limit=3).iter_items()]
        return a, b

    a, b = asyncio.run(run())
    assert [len(p.data) for p in a] == [4, 3]
    assert b == ["msg_abc%03d" % i for i in range(1, 8)]
    assert mock.requests()[-1]["query_pairs"] == [["limit", "3"], ["after", "msg_abc006"]]


def test_generic_pages(client, aclient, mock):
    assert [len(p.data) for p in client.request_pages("/assistants", limit=5)] == [5, 2]

    async def run():
        a = [p.last_id async for p in client.arequest_pages("/files", limit=3)]
        b = [i.id async for i in aclient.request_pages("/fine_tuning/jobs", limit=6).iter_items()]
        return a, b

    a, b = asyncio.run(run())
    assert a == ["file-abc003", "file-abc006", "file-abc007"]
    assert b == ["ftjob-abc%03d" % i for i in range(1, 8)]
