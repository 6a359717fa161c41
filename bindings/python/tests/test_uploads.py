"""Multipart uploads: files from a path, bytes, a file object, a tuple or an Upload; the parts the
mock received. uploads.upload_file_chunked: the parts of a large file, each range's bytes, the
ids completed in order, a refused part, the asyncio form and its cancellation."""

import asyncio
import hashlib
import io
import json

import pytest

import libopenai

from conftest import header


def _parts(entry):
    return {p["name"]: p for p in entry["parts"]}


def test_upload_from_path(client, mock, tmp_path):
    data = b'{"prompt": "a", "completion": "b"}\n' * 1000
    path = tmp_path / "train.jsonl"
    path.write_bytes(data)
    f = client.files.upload(file=str(path), purpose="fine-tune")
    entry = mock.last()
    assert (entry["method"], entry["path"]) == ("POST", "/v1/files")
    assert header(entry, "content-type").startswith("multipart/form-data; boundary=")
    parts = _parts(entry)
    assert parts["purpose"]["value"] == "fine-tune"
    assert parts["file"]["filename"] == "train.jsonl"
    assert parts["file"]["len"] == len(data)
    assert parts["file"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert f.id == "file-abc123" and f.bytes == len(data) and f.filename == "train.jsonl"
    assert f.purpose == "fine-tune"


def test_upload_pathlike_bytes_fileobj_tuple(client, mock, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_bytes(b"{}\n")
    client.files.upload(file=path, purpose="assistants")
    assert _parts(mock.last())["file"]["filename"] == "p.jsonl"

    client.files.upload(file=b"raw bytes", purpose="assistants")
    assert _parts(mock.last())["file"]["len"] == 9

    buf = io.BytesIO(b"from a file object")
    buf.name = "/some/dir/obj.txt"
    client.files.upload(file=buf, purpose="assistants")
    part = _parts(mock.last())["file"]
    assert (part["filename"], part["len"]) == ("obj.txt", 18)

    client.files.upload(file=("named.json", b"[1,2]", "application/json"), purpose="batch")
    part = _parts(mock.last())["file"]
    assert (part["filename"], part["content_type"], part["len"]) == ("named.json", "application/json", 5)

    with open(path, "rb") as fobj:
        client.files.upload(file=("t.jsonl", fobj), purpose="batch")
    assert _parts(mock.last())["file"]["len"] == 3


def test_images_edit_fields_and_optional_mask(client, mock):
    r = client.images.edit(image=("img.png", b"\x89PNG image"), mask=("mask.png", b"\x89PNG mask"),
                           prompt="a cat", n=2, size="256x256")
    parts = _parts(mock.last())
    assert set(parts) == {"image", "mask", "prompt", "n", "size"}
    assert parts["n"]["value"] == "2"
    assert parts["prompt"]["value"] == "a cat"
    assert parts["mask"]["filename"] == "mask.png"
    assert len(r.data) == 2
    client.images.create_variation(image=("img.png", b"\x89PNG image"))
    assert set(_parts(mock.last())) == {"image"}


def test_upload_object_with_progress_reused(client, mock, tmp_path):
    data = bytes(range(256)) * 4096  # 1 MiB
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    seen = []
    with libopenai.Upload.from_path(path, filename="renamed.bin", content_type="application/x-test",
                                    progress=lambda done, total: seen.append((done, total))) as up:
        client.files.upload(file=up, purpose="fine-tune")
        client.files.upload(file=up, purpose="fine-tune")  # one upload, sent twice
    part = _parts(mock.last())["file"]
    assert (part["filename"], part["content_type"], part["len"]) == ("renamed.bin", "application/x-test", len(data))
    assert seen and seen[-1] == (len(data), len(data))
    assert len(mock.requests()) == 2
    with pytest.raises(ValueError):
        client.files.upload(file=up, purpose="fine-tune")  # closed


def test_async_upload(client, aclient, mock):
    async def run():
        a = await client.files.aupload(file=("a.txt", b"aaa"), purpose="assistants")
        b = await aclient.audio.transcriptions.create(file=("s.mp3", b"ID3"), model="whisper-1",
                                                       response_format="verbose_json",
                                                       timestamp_granularities=["word"])
        return a, b

    a, b = asyncio.run(run())
    assert a.bytes == 3
    assert b.words
    parts = mock.last()["parts"]
    assert ["timestamp_granularities[]", "word"] in [[p["name"], p["value"]] for p in parts]


def test_upload_errors_send_nothing(client, mock):
    with pytest.raises(libopenai.InvalidArgumentError):
        libopenai.Upload.from_path("/no/such/file")
    with pytest.raises(TypeError):
        client.files.upload(file=12345, purpose="x")
    with pytest.raises(TypeError):
        client.images.edit(prompt="no image")
    assert mock.requests() == []


# ---------------------------------------------------------------------------------------------
# uploads.upload_file_chunked (the library's openai_uploads_upload_file_chunked), against the
# mock's Uploads lifecycle (its parts' bytes must add up; ids are numbered in arrival order)


def _pattern_file(tmp_path, name, size):
    """A file whose every part differs (so that each part's SHA-256 tells which range it holds)."""
    data = bytes((i * 7 + i // 251) % 256 for i in range(size))
    path = tmp_path / name
    path.write_bytes(data)
    return path, data


def _by_kind(log):
    kinds = {"uploads": [], "parts": [], "complete": [], "cancel": []}
    for entry in log:
        assert entry["method"] == "POST", entry["path"]
        kinds[entry["path"].rsplit("/", 1)[1]].append(entry)
    return kinds


def _ranges(data, part_size):
    return [data[i:i + part_size] for i in range(0, len(data), part_size)]


def test_upload_file_chunked_sends_each_range_and_completes_in_order(client, mock, tmp_path):
    part_size = 256 << 10
    path, data = _pattern_file(tmp_path, "train.jsonl", 5 * part_size + 1000)
    upload = client.uploads.upload_file_chunked(file=path, mime_type="text/jsonl", purpose="fine-tune",
                                                part_size=part_size)
    assert (upload.object, upload.status, upload.bytes, upload.filename) == ("upload", "completed", len(data),
                                                                             "train.jsonl")
    assert upload._type == "Upload" and upload.file.id.startswith("file-") and upload.file.bytes == len(data)
    sent = _by_kind(mock.requests())
    # uploads.create: the SDK's body, member for member
    assert [e["body"] for e in sent["uploads"]] == [
        '{"bytes":%d,"filename":"train.jsonl","mime_type":"text/jsonl","purpose":"fine-tune"}' % len(data)]
    upload_id = upload.id
    # each part: one range of the file, sent as the SDK sends a part
    ranges = _ranges(data, part_size)
    assert all(e["path"] == "/v1/uploads/%s/parts" % upload_id for e in sent["parts"])
    got = sorted((p["name"], p["filename"], p["content_type"], p["len"], p["sha256"])
                 for e in sent["parts"] for p in e["parts"])
    assert len(got) == len(sent["parts"]) == 6  # one file part per request
    assert got == sorted(("data", "upload", "application/octet-stream", len(r), hashlib.sha256(r).hexdigest())
                         for r in ranges)
    # uploads.complete: the ids of the parts that carried each range, in the file's order
    arrival = [e["parts"][0]["sha256"] for e in sent["parts"]]
    expected_ids = ["part_mock_%d" % (arrival.index(hashlib.sha256(r).hexdigest()) + 2) for r in ranges]
    assert [e["body"] for e in sent["complete"]] == [json.dumps({"part_ids": expected_ids}, separators=(",", ":"))]
    assert sent["cancel"] == []


def test_upload_file_chunked_arguments(client, mock, tmp_path):
    path, data = _pattern_file(tmp_path, "notes.bin", 2500)
    # a str path, the SDK's filename, bytes (equal to the size) and md5
    md5 = hashlib.md5(data).hexdigest()
    upload = client.uploads.upload_file_chunked(file=str(path), mime_type="text/plain", purpose="assistants",
                                                filename="renamed.txt", bytes=2500, part_size=1000, md5=md5)
    assert (upload.filename, upload.file.filename, upload.file.bytes) == ("renamed.txt", "renamed.txt", 2500)
    sent = _by_kind(mock.requests())
    assert sent["uploads"][0]["body"] == \
        '{"bytes":2500,"filename":"renamed.txt","mime_type":"text/plain","purpose":"assistants"}'
    assert sorted(e["parts"][0]["len"] for e in sent["parts"]) == [500, 1000, 1000]
    assert json.loads(sent["complete"][0]["body"])["md5"] == md5
    mock.reset()
    # one part by default (64 MiB)
    client.uploads.upload_file_chunked(file=path, mime_type="text/plain", purpose="assistants")
    sent = _by_kind(mock.requests())
    assert [e["parts"][0]["len"] for e in sent["parts"]] == [2500]
    assert sent["complete"][0]["body"] == '{"part_ids":["part_mock_2"]}'
    mock.reset()

    # refused before anything is sent
    with pytest.raises(TypeError, match="takes the file as a path"):
        client.uploads.upload_file_chunked(file=data, filename="x.bin", bytes=len(data), mime_type="text/plain",
                                           purpose="assistants")
    with pytest.raises(TypeError, match="file must be a path"):
        client.uploads.upload_file_chunked(file=io.BytesIO(data), mime_type="text/plain", purpose="assistants")
    with pytest.raises(FileNotFoundError):  # as the SDK
        client.uploads.upload_file_chunked(file=tmp_path / "missing.bin", mime_type="text/plain", purpose="batch")
    with pytest.raises(libopenai.InvalidArgumentError, match='"bytes": 2499'):
        client.uploads.upload_file_chunked(file=path, bytes=2499, mime_type="text/plain", purpose="batch")
    with pytest.raises(libopenai.InvalidArgumentError, match="^part_size must be"):
        client.uploads.upload_file_chunked(file=path, part_size=(64 << 20) + 1, mime_type="text/plain",
                                           purpose="batch")
    with pytest.raises(TypeError):
        client.uploads.upload_file_chunked(file=path, mime_type="text/plain")  # purpose is required
    assert mock.requests() == []


def test_upload_file_chunked_a_part_refused_cancels_the_upload(client, mock, tmp_path):
    path, _ = _pattern_file(tmp_path, "data.jsonl", 3000)
    # the first part to arrive is refused (the others reach the mock's lifecycle)
    mock.script({"match": {"method": "POST", "path_prefix": "/v1/uploads/"}, "status": 400,
                 "body_json": {"error": {"message": "Part too small", "type": "invalid_request_error",
                                         "param": "data"}}})
    with pytest.raises(libopenai.BadRequestError) as e:
        client.uploads.upload_file_chunked(file=path, mime_type="text/jsonl", purpose="batch", part_size=1000)
    assert str(e.value) == "Error code: 400 - Part too small" and e.value.param == "data"
    log = mock.wait_for(lambda log: any(r["path"].endswith("/cancel") for r in log))
    sent = _by_kind(log)
    assert [e["path"] for e in sent["cancel"]] == ["/v1/uploads/upload_mock_1/cancel"]
    assert sent["complete"] == [] and 1 <= len(sent["parts"]) <= 3


def test_upload_file_chunked_async(aclient, mock, tmp_path):
    path, data = _pattern_file(tmp_path, "data.jsonl", 2500)

    async def run():
        return await aclient.uploads.upload_file_chunked(file=path, mime_type="text/jsonl", purpose="batch",
                                                         part_size=1000)

    upload = asyncio.run(run())
    assert (upload.status, upload.file.bytes, upload.file.filename) == ("completed", 2500, "data.jsonl")
    sent = _by_kind(mock.requests())
    assert (len(sent["uploads"]), len(sent["parts"]), len(sent["complete"])) == (1, 3, 1)
    assert sorted(e["parts"][0]["sha256"] for e in sent["parts"]) == sorted(
        hashlib.sha256(r).hexdigest() for r in _ranges(data, 1000))


def test_upload_file_chunked_cancelling_the_task_cancels_the_upload(aclient, mock, tmp_path):
    path, _ = _pattern_file(tmp_path, "data.jsonl", 2000)
    # parts that would be answered in a minute
    mock.script({"match": {"method": "POST", "path_prefix": "/v1/uploads/"}, "delay_ms": 60000, "times": 10})

    async def run():
        task = asyncio.ensure_future(aclient.uploads.upload_file_chunked(
            file=path, mime_type="text/jsonl", purpose="batch", part_size=1000))
        while not any(r["path"].endswith("/parts") for r in mock.requests()):
            await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    # the library cancels the Upload on the server in the background
    log = mock.wait_for(lambda log: any(r["path"].endswith("/cancel") for r in log))
    assert [r["path"] for r in log if r["path"].endswith("/cancel")] == ["/v1/uploads/upload_mock_1/cancel"]
    assert not any(r["path"].endswith("/complete") for r in log)
