"""The official SDK's hand-written helpers over the generated operations: polling to a terminal
status (``create_and_poll``, ``poll``, ``upload_and_poll``, ``files.wait_for_processing``), the
assistants' stream manager and event handler (``beta.threads.runs.stream``), and the Responses
stream manager (``responses.stream``). They are mixed into the generated resource classes
(generate.py's MIXINS) and call the generated methods, so that every request they make is the
operation's own. ``uploads.upload_file_chunked`` is the library's own helper (its parts several
at a time, streamed from the file); ``realtime.connect`` is in _realtime.py, ``webhooks`` in
_webhooks.py."""

import asyncio
import builtins
import concurrent.futures
import json
import os
import pathlib
import time

from . import _core
from ._models import OpenAIObject, parse_json, to_plain
from ._types import NOT_GIVEN, is_given, omit

from ._realtime import AsyncRealtimeHelpers, RealtimeHelpers  # noqa: E402,F401 (mixed in by the generated classes)
from ._webhooks import WebhooksHelpers  # noqa: E402,F401 (mixed in by the generated classes)

__all__ = ["AssistantEventHandler", "AsyncAssistantEventHandler", "AssistantStreamManager",
           "AsyncAssistantStreamManager", "ResponseStreamManager", "AsyncResponseStreamManager"]

_RUN_TERMINAL = ("requires_action", "cancelled", "completed", "failed", "expired", "incomplete")
_OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout")


def _options(kwargs):
    """The request options among a helper's keyword arguments (passed on to every call)."""
    return {k: kwargs[k] for k in _OPTIONS if k in kwargs}


def _interval(poll_interval_ms, response):
    """Seconds to wait before polling again: the caller's interval, else the server's
    ``openai-poll-after-ms``, else one second (as the SDK)."""
    if is_given(poll_interval_ms):
        return poll_interval_ms / 1000
    header = response.headers.get("openai-poll-after-ms")
    return int(header) / 1000 if header else 1.0


def _poll(retrieve, done, poll_interval_ms):
    while True:
        response = retrieve()
        obj = response.parse()
        if done(obj):
            return obj
        time.sleep(_interval(poll_interval_ms, response))


async def _apoll(retrieve, done, poll_interval_ms):
    while True:
        response = await retrieve()
        obj = response.parse()
        if done(obj):
            return obj
        await asyncio.sleep(_interval(poll_interval_ms, response))


# ---------------------------------------------------------------------------------------------
# beta.threads and beta.threads.runs


class RunsHelpers:
    def poll(self, run_id, thread_id, extra_headers=None, extra_query=None, extra_body=None, timeout=NOT_GIVEN,
             poll_interval_ms=NOT_GIVEN):
        """Retrieves the run until its status is terminal (or ``requires_action``)."""
        raw = self.with_raw_response
        return _poll(lambda: raw.retrieve(run_id, thread_id=thread_id, extra_headers=extra_headers,
                                          extra_query=extra_query, extra_body=extra_body, timeout=timeout),
                     lambda run: run.status in _RUN_TERMINAL, poll_interval_ms)

    def create_and_poll(self, *, thread_id, poll_interval_ms=NOT_GIVEN, **kwargs):
        """Creates a run and polls it to a terminal status."""
        run = self.create(thread_id, stream=False, **kwargs)
        return self.poll(run.id, thread_id=thread_id, poll_interval_ms=poll_interval_ms, **_options(kwargs))

    def submit_tool_outputs_and_poll(self, *, tool_outputs, run_id, thread_id, poll_interval_ms=NOT_GIVEN, **kwargs):
        run = self.submit_tool_outputs(run_id, thread_id=thread_id, tool_outputs=tool_outputs, stream=False, **kwargs)
        return self.poll(run.id, thread_id=thread_id, poll_interval_ms=poll_interval_ms, **_options(kwargs))

    def stream(self, *, thread_id, event_handler=None, **kwargs):
        """A run as a stream of events handled by ``event_handler`` (an AssistantEventHandler):
        ``with client.beta.threads.runs.stream(thread_id=..., assistant_id=...) as stream:``."""
        return AssistantStreamManager(lambda: self.create(thread_id, stream=True, **kwargs), event_handler)

    def submit_tool_outputs_stream(self, *, tool_outputs, run_id, thread_id, event_handler=None, **kwargs):
        return AssistantStreamManager(
            lambda: self.submit_tool_outputs(run_id, thread_id=thread_id, tool_outputs=tool_outputs, stream=True,
                                             **kwargs), event_handler)


class AsyncRunsHelpers:
    async def poll(self, run_id, thread_id, extra_headers=None, extra_query=None, extra_body=None,
                   timeout=NOT_GIVEN, poll_interval_ms=NOT_GIVEN):
        raw = self.with_raw_response
        return await _apoll(lambda: raw.retrieve(run_id, thread_id=thread_id, extra_headers=extra_headers,
                                                 extra_query=extra_query, extra_body=extra_body, timeout=timeout),
                            lambda run: run.status in _RUN_TERMINAL, poll_interval_ms)

    async def create_and_poll(self, *, thread_id, poll_interval_ms=NOT_GIVEN, **kwargs):
        run = await self.create(thread_id, stream=False, **kwargs)
        return await self.poll(run.id, thread_id=thread_id, poll_interval_ms=poll_interval_ms, **_options(kwargs))

    async def submit_tool_outputs_and_poll(self, *, tool_outputs, run_id, thread_id, poll_interval_ms=NOT_GIVEN,
                                           **kwargs):
        run = await self.submit_tool_outputs(run_id, thread_id=thread_id, tool_outputs=tool_outputs, stream=False,
                                             **kwargs)
        return await self.poll(run.id, thread_id=thread_id, poll_interval_ms=poll_interval_ms, **_options(kwargs))

    def stream(self, *, thread_id, event_handler=None, **kwargs):
        return AsyncAssistantStreamManager(lambda: self.create(thread_id, stream=True, **kwargs), event_handler)

    def submit_tool_outputs_stream(self, *, tool_outputs, run_id, thread_id, event_handler=None, **kwargs):
        return AsyncAssistantStreamManager(
            lambda: self.submit_tool_outputs(run_id, thread_id=thread_id, tool_outputs=tool_outputs, stream=True,
                                             **kwargs), event_handler)


class ThreadsHelpers:
    def create_and_run_poll(self, *, poll_interval_ms=NOT_GIVEN, **kwargs):
        run = self.create_and_run(stream=False, **kwargs)
        return self.runs.poll(run.id, thread_id=run.thread_id, poll_interval_ms=poll_interval_ms, **_options(kwargs))

    def create_and_run_stream(self, *, event_handler=None, **kwargs):
        return AssistantStreamManager(lambda: self.create_and_run(stream=True, **kwargs), event_handler)


class AsyncThreadsHelpers:
    async def create_and_run_poll(self, *, poll_interval_ms=NOT_GIVEN, **kwargs):
        run = await self.create_and_run(stream=False, **kwargs)
        return await self.runs.poll(run.id, thread_id=run.thread_id, poll_interval_ms=poll_interval_ms,
                                    **_options(kwargs))

    def create_and_run_stream(self, *, event_handler=None, **kwargs):
        return AsyncAssistantStreamManager(lambda: self.create_and_run(stream=True, **kwargs), event_handler)


# ---------------------------------------------------------------------------------------------
# files and vector stores


class FilesHelpers:
    def wait_for_processing(self, id, *, poll_interval=5.0, max_wait_seconds=30 * 60):
        """Retrieves the file until it is processed (or errored, or deleted)."""
        start = time.monotonic()
        file = self.retrieve(id)
        while file.status not in ("processed", "error", "deleted"):
            time.sleep(poll_interval)
            file = self.retrieve(id)
            if time.monotonic() - start > max_wait_seconds:
                raise RuntimeError("Giving up on waiting for file %s to finish processing after %s seconds."
                                   % (id, max_wait_seconds))
        return file


class AsyncFilesHelpers:
    async def wait_for_processing(self, id, *, poll_interval=5.0, max_wait_seconds=30 * 60):
        start = time.monotonic()
        file = await self.retrieve(id)
        while file.status not in ("processed", "error", "deleted"):
            await asyncio.sleep(poll_interval)
            file = await self.retrieve(id)
            if time.monotonic() - start > max_wait_seconds:
                raise RuntimeError("Giving up on waiting for file %s to finish processing after %s seconds."
                                   % (id, max_wait_seconds))
        return file


# ---------------------------------------------------------------------------------------------
# uploads.upload_file_chunked


def _chunked_upload(file, mime_type, purpose, filename, size, part_size, md5):
    """(path, the body of ``uploads.create``, the library's options) of an upload_file_chunked
    call. The body is the SDK's (``bytes``, ``filename``, ``mime_type``, ``purpose``, in its
    order); the library checks that ``bytes`` is the file's size."""
    if isinstance(file, (builtins.bytes, bytearray, memoryview)):
        raise TypeError(
            "upload_file_chunked takes the file as a path (str or os.PathLike) here, not bytes: the library "
            "sends each part from its range of the file on disk. Write the bytes to a file and pass its path, "
            "or send them with uploads.create, uploads.parts.create and uploads.complete.")
    if not isinstance(file, (str, os.PathLike)):
        raise TypeError("file must be a path (str or os.PathLike), not %s" % type(file).__name__)
    path = pathlib.Path(file)
    if not filename:
        filename = path.name
    if size is None:
        size = path.stat().st_size  # as the SDK: a missing file raises FileNotFoundError here
    create = {"bytes": size, "filename": filename, "mime_type": mime_type, "purpose": purpose}
    options = {}
    if part_size is not None:
        options["part_size"] = part_size
    if is_given(md5):
        options["md5"] = md5
    return path, create, options


class UploadsHelpers:
    def upload_file_chunked(self, *, file, mime_type, purpose, filename=None, bytes=None, part_size=None,
                            md5=omit):
        """Uploads a large file through the Uploads API (``openai_uploads_upload_file_chunked``):
        ``uploads.create``, the file's parts of ``part_size`` bytes (default 64 MiB, the API's
        limit) sent four at a time, each streamed from its range of the file, then
        ``uploads.complete`` with the part ids in the file's order (and ``md5``). Returns the
        completed Upload (``upload.file.id``). ``file`` is a path; bytes are refused (TypeError).
        A part that fails for good cancels the Upload and raises its exception."""
        path, create, options = _chunked_upload(file, mime_type, purpose, filename, bytes, part_size, md5)
        return _core.upload_file_chunked(self._client, path, create, options)


class AsyncUploadsHelpers:
    async def upload_file_chunked(self, *, file, mime_type, purpose, filename=None, bytes=None, part_size=None,
                                  md5=omit):
        """``uploads.upload_file_chunked`` as a coroutine (the library's future, on the event loop's
        completion queue); cancelling the task stops the upload and cancels the Upload."""
        path, create, options = _chunked_upload(file, mime_type, purpose, filename, bytes, part_size, md5)
        return await _core.aupload_file_chunked(self._client, path, create, options)


def _not_in_progress(obj):
    return obj.status != "in_progress"


class VectorStoreFilesHelpers:
    def poll(self, file_id, *, vector_store_id, poll_interval_ms=NOT_GIVEN):
        """Retrieves the vector store file until it is no longer ``in_progress``."""
        raw = self.with_raw_response
        return _poll(lambda: raw.retrieve(file_id, vector_store_id=vector_store_id), _not_in_progress,
                     poll_interval_ms)

    def create_and_poll(self, file_id, *, vector_store_id, poll_interval_ms=NOT_GIVEN, **kwargs):
        self.create(vector_store_id, file_id=file_id, **kwargs)
        return self.poll(file_id, vector_store_id=vector_store_id, poll_interval_ms=poll_interval_ms)

    def upload(self, *, vector_store_id, file, chunking_strategy=NOT_GIVEN):
        """Uploads a file (``files.create``, purpose ``assistants``) and adds it to the store."""
        uploaded = self._client.files.create(file=file, purpose="assistants")
        return self.create(vector_store_id, file_id=uploaded.id, chunking_strategy=chunking_strategy)

    def upload_and_poll(self, *, vector_store_id, file, poll_interval_ms=NOT_GIVEN, **kwargs):
        uploaded = self._client.files.create(file=file, purpose="assistants")
        return self.create_and_poll(uploaded.id, vector_store_id=vector_store_id, poll_interval_ms=poll_interval_ms,
                                    **kwargs)


class AsyncVectorStoreFilesHelpers:
    async def poll(self, file_id, *, vector_store_id, poll_interval_ms=NOT_GIVEN):
        raw = self.with_raw_response
        return await _apoll(lambda: raw.retrieve(file_id, vector_store_id=vector_store_id), _not_in_progress,
                            poll_interval_ms)

    async def create_and_poll(self, file_id, *, vector_store_id, poll_interval_ms=NOT_GIVEN, **kwargs):
        await self.create(vector_store_id, file_id=file_id, **kwargs)
        return await self.poll(file_id, vector_store_id=vector_store_id, poll_interval_ms=poll_interval_ms)

    async def upload(self, *, vector_store_id, file, chunking_strategy=NOT_GIVEN):
        uploaded = await self._client.files.create(file=file, purpose="assistants")
        return await self.create(vector_store_id, file_id=uploaded.id, chunking_strategy=chunking_strategy)

    async def upload_and_poll(self, *, vector_store_id, file, poll_interval_ms=NOT_GIVEN, **kwargs):
        uploaded = await self._client.files.create(file=file, purpose="assistants")
        return await self.create_and_poll(uploaded.id, vector_store_id=vector_store_id,
                                          poll_interval_ms=poll_interval_ms, **kwargs)


def _no_file_in_progress(batch):
    counts = batch.file_counts
    return not (counts is not None and (counts.in_progress or 0) > 0)


class FileBatchesHelpers:
    def poll(self, batch_id, *, vector_store_id, poll_interval_ms=NOT_GIVEN):
        """Retrieves the file batch until none of its files is in progress."""
        raw = self.with_raw_response
        return _poll(lambda: raw.retrieve(batch_id, vector_store_id=vector_store_id), _no_file_in_progress,
                     poll_interval_ms)

    def create_and_poll(self, vector_store_id, *, poll_interval_ms=NOT_GIVEN, **kwargs):
        batch = self.create(vector_store_id, **kwargs)
        return self.poll(batch.id, vector_store_id=vector_store_id, poll_interval_ms=poll_interval_ms)

    def upload_and_poll(self, vector_store_id, *, files, max_concurrency=5, file_ids=(), poll_interval_ms=NOT_GIVEN,
                        **kwargs):
        """Uploads ``files`` (at most ``max_concurrency`` at once: blocking calls run in
        parallel), then creates a batch of them and ``file_ids`` and polls it."""
        if not files and not file_ids:
            raise ValueError("No files or file_ids provided")
        files_api = self._client.files
        with concurrent.futures.ThreadPoolExecutor(max_workers=max_concurrency) as pool:
            uploaded = list(pool.map(lambda f: files_api.create(file=f, purpose="assistants"), files))
        return self.create_and_poll(vector_store_id, file_ids=[*file_ids, *(f.id for f in uploaded)],
                                    poll_interval_ms=poll_interval_ms, **kwargs)


class AsyncFileBatchesHelpers:
    async def poll(self, batch_id, *, vector_store_id, poll_interval_ms=NOT_GIVEN):
        raw = self.with_raw_response
        return await _apoll(lambda: raw.retrieve(batch_id, vector_store_id=vector_store_id), _no_file_in_progress,
                            poll_interval_ms)

    async def create_and_poll(self, vector_store_id, *, poll_interval_ms=NOT_GIVEN, **kwargs):
        batch = await self.create(vector_store_id, **kwargs)
        return await self.poll(batch.id, vector_store_id=vector_store_id, poll_interval_ms=poll_interval_ms)

    async def upload_and_poll(self, vector_store_id, *, files, max_concurrency=5, file_ids=(),
                              poll_interval_ms=NOT_GIVEN, **kwargs):
        if not files and not file_ids:
            raise ValueError("No files or file_ids provided")
        semaphore = asyncio.Semaphore(max_concurrency)
        files_api = self._client.files

        async def one(f):
            async with semaphore:
                return await files_api.create(file=f, purpose="assistants")

        uploaded = await asyncio.gather(*[one(f) for f in files])
        return await self.create_and_poll(vector_store_id, file_ids=[*file_ids, *(f.id for f in uploaded)],
                                          poll_interval_ms=poll_interval_ms, **kwargs)


# ---------------------------------------------------------------------------------------------
# the assistants' stream: manager and event handler

# Delta fields that arrive in pieces and are joined; every other value replaces the previous.
_JOINED = ("value", "arguments", "input", "output", "logs", "text")


def accumulate_delta(acc, delta):
    """Folds a delta (plain dicts) into the accumulated snapshot: the text pieces joined, items
    of lists matched by their ``index``, everything else replaced."""
    for key, value in delta.items():
        if key not in acc:
            acc[key] = value
            continue
        old = acc[key]
        if isinstance(old, str) and isinstance(value, str) and key in _JOINED:
            acc[key] = old + value
        elif isinstance(old, dict) and isinstance(value, dict):
            accumulate_delta(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            for item in value:
                index = item.get("index") if isinstance(item, dict) else None
                if index is None:
                    old.append(item)
                    continue
                match = next((o for o in old if isinstance(o, dict) and o.get("index") == index), None)
                if match is None:
                    old.append(dict(item))
                else:
                    accumulate_delta(match, item)
        else:
            acc[key] = value
    return acc


def _obj(plain):
    return parse_json(json.dumps(plain))


class _HandlerState:
    """What an assistants event handler keeps while the stream goes: the run, the snapshots of
    messages and run steps, the current content part and tool call."""

    def _reset(self):
        self._stream = None
        self._current_event = None
        self._current_run = None
        self._run_step_snapshots = {}
        self._message_snapshots = {}
        self._current_message_id = None
        self._current_run_step_id = None
        self._current_content_index = None
        self._current_tool_call_index = None
        self._final_messages = []
        self._final_run_steps = []
        self._text_deltas = []

    @property
    def current_event(self):
        return self._current_event

    @property
    def current_run(self):
        return self._current_run

    @property
    def current_run_step_snapshot(self):
        snap = self._run_step_snapshots.get(self._current_run_step_id)
        return _obj(snap) if snap is not None else None

    @property
    def current_message_snapshot(self):
        snap = self._message_snapshots.get(self._current_message_id)
        return _obj(snap) if snap is not None else None

    def get_final_run_steps(self):
        return list(self._final_run_steps)

    def get_final_messages(self):
        return list(self._final_messages)

    def _calls(self, event):
        """The handler calls an event makes: [(method name, args)], in order."""
        self._current_event = event
        name, data = event.event, event.data
        calls = [("on_event", (event,))]
        if name.startswith("thread.run.step."):
            calls += self._step_calls(name, data)
        elif name.startswith("thread.run."):
            self._current_run = data
        elif name.startswith("thread.message."):
            calls += self._message_calls(name, data)
        return calls

    def _message_calls(self, name, data):
        calls = []
        if name == "thread.message.created":
            self._message_snapshots[data.id] = to_plain(data)
            self._current_message_id = data.id
            self._current_content_index = None
            calls.append(("on_message_created", (data,)))
        elif name == "thread.message.delta":
            snap = self._message_snapshots.setdefault(data.id, {"id": data.id, "content": []})
            self._current_message_id = data.id
            delta = to_plain(data.delta)
            accumulate_delta(snap, delta)
            snapshot = _obj(snap)
            for part in delta.get("content") or []:
                index = part.get("index")
                if index != self._current_content_index:
                    calls += self._content_done(snapshot)
                    self._current_content_index = index
                    created = _content_at(snapshot, index)
                    if part.get("type") == "text" and created is not None:
                        calls.append(("on_text_created", (created.text,)))
                if part.get("type") == "text":
                    content = _content_at(snapshot, index)
                    text_delta = _obj(part.get("text") or {})
                    if text_delta.get("value"):
                        self._text_deltas.append(text_delta.value)
                    calls.append(("on_text_delta", (text_delta, content.text if content is not None else None)))
            calls.append(("on_message_delta", (data.delta, snapshot)))
        elif name in ("thread.message.completed", "thread.message.incomplete"):
            calls += self._content_done(data)
            self._message_snapshots[data.id] = to_plain(data)
            self._final_messages.append(data)
            calls.append(("on_message_done", (data,)))
        return calls

    def _content_done(self, message):
        index = self._current_content_index
        if index is None:
            return []
        self._current_content_index = None
        content = _content_at(message, index)
        if content is None:
            return []
        if content.type == "text":
            return [("on_text_done", (content.text,))]
        if content.type == "image_file":
            return [("on_image_file_done", (content.image_file,))]
        return []

    def _step_calls(self, name, data):
        calls = []
        if name == "thread.run.step.created":
            self._run_step_snapshots[data.id] = to_plain(data)
            self._current_run_step_id = data.id
            self._current_tool_call_index = None
            calls.append(("on_run_step_created", (data,)))
        elif name == "thread.run.step.delta":
            snap = self._run_step_snapshots.setdefault(data.id, {"id": data.id})
            self._current_run_step_id = data.id
            delta = to_plain(data.delta)
            accumulate_delta(snap, {"step_details": delta.get("step_details") or {}})
            snapshot = _obj(snap)
            calls.append(("on_run_step_delta", (data.delta, snapshot)))
            for call in ((delta.get("step_details") or {}).get("tool_calls") or []):
                index = call.get("index")
                tool_calls = (snapshot.step_details.tool_calls or []) if snapshot.step_details else []
                current = next((c for c in tool_calls if c.get("index") == index), None)
                if index != self._current_tool_call_index:
                    calls += self._tool_call_done(snapshot)
                    self._current_tool_call_index = index
                    calls.append(("on_tool_call_created", (current,)))
                calls.append(("on_tool_call_delta", (_obj(call), current)))
        elif name in ("thread.run.step.completed", "thread.run.step.failed", "thread.run.step.cancelled",
                      "thread.run.step.expired"):
            calls += self._tool_call_done(data)
            self._run_step_snapshots[data.id] = to_plain(data)
            self._final_run_steps.append(data)
            calls.append(("on_run_step_done", (data,)))
        return calls

    def _tool_call_done(self, step):
        index = self._current_tool_call_index
        if index is None:
            return []
        self._current_tool_call_index = None
        details = step.step_details
        calls = (details.tool_calls or []) if details is not None else []
        done = next((c for c in calls if c.get("index") == index), None)
        if done is None and 0 <= (index or 0) < len(calls):
            done = calls[index]
        return [("on_tool_call_done", (done,))] if done is not None else []


def _content_at(message, index):
    for i, part in enumerate(message.content or []):
        if part.get("index", i) == index:
            return part
    return None


class AssistantEventHandler(_HandlerState):
    """Receives the events of an assistants run stream, as the SDK's: subclass it and override
    the ``on_*`` methods; iterate it for the events, or call ``until_done()``. Also
    ``text_deltas``, ``current_run``, ``get_final_run()``, ``get_final_messages()``."""

    def __init__(self):
        self._reset()

    def _init(self, stream):
        if self._stream is not None:
            raise RuntimeError("a single event handler cannot be shared between several streams")
        self._stream = stream

    def __iter__(self):
        return self._iterator

    def __next__(self):
        return next(self._iterator)

    def _events(self):
        try:
            for event in self._stream:
                for method, args in self._calls(event):
                    getattr(self, method)(*args)
                yield event
        except BaseException as e:
            if isinstance(e, Exception):
                self.on_exception(e)
            raise
        finally:
            self._stream.close()
        self.on_end()

    @property
    def _iterator(self):
        it = self.__dict__.get("_it")
        if it is None:
            it = self.__dict__["_it"] = self._events()
        return it

    @property
    def text_deltas(self):
        """The text pieces of the messages, as they arrive."""
        for _event in self._iterator:
            while self._text_deltas:
                yield self._text_deltas.pop(0)
        while self._text_deltas:
            yield self._text_deltas.pop(0)

    def until_done(self):
        for _event in self._iterator:
            pass

    def get_final_run(self):
        self.until_done()
        if self._current_run is None:
            raise RuntimeError("No final run object found")
        return self._current_run

    def get_final_run_steps(self):
        self.until_done()
        return list(self._final_run_steps)

    def get_final_messages(self):
        self.until_done()
        return list(self._final_messages)

    def close(self):
        if self._stream is not None:
            self._stream.close()

    # the callbacks (do nothing unless overridden)
    def on_event(self, event): pass
    def on_run_step_created(self, run_step): pass
    def on_run_step_delta(self, delta, snapshot): pass
    def on_run_step_done(self, run_step): pass
    def on_tool_call_created(self, tool_call): pass
    def on_tool_call_delta(self, delta, snapshot): pass
    def on_tool_call_done(self, tool_call): pass
    def on_exception(self, exception): pass
    def on_timeout(self): pass
    def on_message_created(self, message): pass
    def on_message_delta(self, delta, snapshot): pass
    def on_message_done(self, message): pass
    def on_text_created(self, text): pass
    def on_text_delta(self, delta, snapshot): pass
    def on_text_done(self, text): pass
    def on_image_file_done(self, image_file): pass
    def on_end(self): pass


class AsyncAssistantEventHandler(_HandlerState):
    """The asyncio form of AssistantEventHandler: its ``on_*`` methods are coroutines; ``async
    for`` it, or ``await until_done()``."""

    def __init__(self):
        self._reset()

    def _init(self, stream):
        if self._stream is not None:
            raise RuntimeError("a single event handler cannot be shared between several streams")
        self._stream = stream

    def __aiter__(self):
        return self._iterator

    @property
    def _iterator(self):
        it = self.__dict__.get("_it")
        if it is None:
            it = self.__dict__["_it"] = self._events()
        return it

    async def _events(self):
        try:
            async for event in self._stream:
                for method, args in self._calls(event):
                    await getattr(self, method)(*args)
                yield event
        except Exception as e:
            await self.on_exception(e)
            raise
        finally:
            self._stream._close_now()
        await self.on_end()

    @property
    async def text_deltas(self):
        async for _event in self._iterator:
            while self._text_deltas:
                yield self._text_deltas.pop(0)
        while self._text_deltas:
            yield self._text_deltas.pop(0)

    async def until_done(self):
        async for _event in self._iterator:
            pass

    async def get_final_run(self):
        await self.until_done()
        if self._current_run is None:
            raise RuntimeError("No final run object found")
        return self._current_run

    async def get_final_run_steps(self):
        await self.until_done()
        return list(self._final_run_steps)

    async def get_final_messages(self):
        await self.until_done()
        return list(self._final_messages)

    async def close(self):
        if self._stream is not None:
            self._stream._close_now()

    async def on_event(self, event): pass
    async def on_run_step_created(self, run_step): pass
    async def on_run_step_delta(self, delta, snapshot): pass
    async def on_run_step_done(self, run_step): pass
    async def on_tool_call_created(self, tool_call): pass
    async def on_tool_call_delta(self, delta, snapshot): pass
    async def on_tool_call_done(self, tool_call): pass
    async def on_exception(self, exception): pass
    async def on_timeout(self): pass
    async def on_message_created(self, message): pass
    async def on_message_delta(self, delta, snapshot): pass
    async def on_message_done(self, message): pass
    async def on_text_created(self, text): pass
    async def on_text_delta(self, delta, snapshot): pass
    async def on_text_done(self, text): pass
    async def on_image_file_done(self, image_file): pass
    async def on_end(self): pass


class AssistantStreamManager:
    """``with client.beta.threads.runs.stream(...) as stream:``: starts the run's stream when
    the block begins and gives the event handler; closes the stream when it ends."""

    def __init__(self, start, event_handler=None):
        self._start = start
        self._handler = event_handler if event_handler is not None else AssistantEventHandler()

    def __enter__(self):
        self._handler._init(self._start())
        return self._handler

    def __exit__(self, *exc):
        self._handler.close()


class AsyncAssistantStreamManager:
    """``async with client.beta.threads.runs.stream(...) as stream:``"""

    def __init__(self, start, event_handler=None):
        self._start = start
        self._handler = event_handler if event_handler is not None else AsyncAssistantEventHandler()

    async def __aenter__(self):
        self._handler._init(await self._start())
        return self._handler

    async def __aexit__(self, *exc):
        await self._handler.close()


# ---------------------------------------------------------------------------------------------
# responses.stream


class ResponsesHelpers:
    def connect(self, extra_query=None, extra_headers=None, websocket_connection_options=None, on_reconnecting=None,
                max_retries=5, initial_delay=0.5, max_delay=8.0, max_queue_size=1_048_576):
        """The Responses API over a persistent WebSocket (``wss://<base URL>/responses``), as the
        SDK's: a context manager giving a connection; ``connection.response.create(model=...,
        input=...)`` sends a ``response.create`` event, iterating the connection gives the
        Responses stream events. Options as ``client.realtime.connect``'s."""
        from ._realtime import responses_connect

        return responses_connect(self._client, False, extra_query, extra_headers, websocket_connection_options,
                                 on_reconnecting, max_retries, initial_delay, max_delay, max_queue_size)

    def stream(self, *, response_id=NOT_GIVEN, starting_after=NOT_GIVEN, **kwargs):
        """A Responses stream as a context manager (``with client.responses.stream(model=...,
        input=...) as stream:``): iterate it for the events, ``get_final_response()`` for the
        completed response. With ``response_id``, the stream of a background response is
        resumed (``responses.retrieve(..., stream=True)``)."""
        if is_given(response_id):
            extra = {"starting_after": starting_after} if is_given(starting_after) else {}
            return ResponseStreamManager(lambda: self.retrieve(response_id, stream=True, **extra, **kwargs))
        return ResponseStreamManager(lambda: self.create(stream=True, **kwargs))


class AsyncResponsesHelpers:
    def connect(self, extra_query=None, extra_headers=None, websocket_connection_options=None, on_reconnecting=None,
                max_retries=5, initial_delay=0.5, max_delay=8.0, max_queue_size=1_048_576):
        """The asyncio form of ``responses.connect``."""
        from ._realtime import responses_connect

        return responses_connect(self._client, True, extra_query, extra_headers, websocket_connection_options,
                                 on_reconnecting, max_retries, initial_delay, max_delay, max_queue_size)

    def stream(self, *, response_id=NOT_GIVEN, starting_after=NOT_GIVEN, **kwargs):
        if is_given(response_id):
            extra = {"starting_after": starting_after} if is_given(starting_after) else {}
            return AsyncResponseStreamManager(lambda: self.retrieve(response_id, stream=True, **extra, **kwargs))
        return AsyncResponseStreamManager(lambda: self.create(stream=True, **kwargs))


class ResponseStream:
    """The events of a Responses stream; ``get_final_response()`` reads to the end and gives the
    response of its ``response.completed`` (or ``incomplete``, ``failed``) event."""

    def __init__(self, stream):
        self._stream = stream
        self._final = None
        self._it = self._events()

    def _events(self):
        for event in self._stream:
            if isinstance(event, OpenAIObject) and event.get("type") in (
                    "response.completed", "response.incomplete", "response.failed"):
                self._final = event.get("response")
            yield event

    def __iter__(self):
        return self._it

    def __next__(self):
        return next(self._it)

    @property
    def response(self):
        return self._stream.response

    def until_done(self):
        for _ in self._it:
            pass
        return self

    def get_final_response(self):
        self.until_done()
        if self._final is None:
            raise RuntimeError("Didn't receive a `response.completed` event.")
        return self._final

    def close(self):
        self._stream.close()


class AsyncResponseStream:
    def __init__(self, stream):
        self._stream = stream
        self._final = None
        self._it = self._events()

    async def _events(self):
        async for event in self._stream:
            if isinstance(event, OpenAIObject) and event.get("type") in (
                    "response.completed", "response.incomplete", "response.failed"):
                self._final = event.get("response")
            yield event

    def __aiter__(self):
        return self._it

    async def __anext__(self):
        return await self._it.__anext__()

    @property
    def response(self):
        return self._stream.response

    async def until_done(self):
        async for _ in self._it:
            pass
        return self

    async def get_final_response(self):
        await self.until_done()
        if self._final is None:
            raise RuntimeError("Didn't receive a `response.completed` event.")
        return self._final

    async def close(self):
        self._stream._close_now()


class ResponseStreamManager:
    def __init__(self, start):
        self._start = start
        self._stream = None

    def __enter__(self):
        self._stream = ResponseStream(self._start())
        return self._stream

    def __exit__(self, *exc):
        if self._stream is not None:
            self._stream.close()


class AsyncResponseStreamManager:
    def __init__(self, start):
        self._start = start
        self._stream = None

    async def __aenter__(self):
        self._stream = AsyncResponseStream(await self._start())
        return self._stream

    async def __aexit__(self, *exc):
        if self._stream is not None:
            await self._stream.close()

