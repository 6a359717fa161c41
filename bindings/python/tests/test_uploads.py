"""Multipart uploads: files from a path, bytes, a file object, a tuple or an Upload; the parts the
mock received."""

import asyncio
import hashlib
import io

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
