"""The official Python SDK (`openai` from PyPI) making the same requests as libopenai, against the
mock server. One result line of JSON per run on stdout (the format of c/bench_common.h).

    python bench_sdk.py MODE [ARGS]      (BENCH_BASE_URL = the mock's <url>/v1)

Modes:
    seq N WARMUP            client.chat.completions.create, one call after another
    async INFLIGHT TOTAL    AsyncOpenAI, INFLIGHT coroutines making calls back to back (the window
                            kept full, as a semaphore over asyncio.gather would)
    stream CHUNKS           one stream of CHUNKS chat chunks, iterated chunk by chunk
"""

import asyncio
import json
import os
import statistics
import sys
import time

import openai

MESSAGES = [{"role": "user", "content": "Say hello."}]
IMPL = "python-openai"


def emit(bench, **fields):
    print(json.dumps({"bench": bench, "impl": IMPL, "sdk_version": openai.__version__, **fields}), flush=True)


def quantile(sorted_values, q):
    n = len(sorted_values)
    rank = min(max(int(-(-q * n // 1)), 1), n)
    return sorted_values[rank - 1]


def arg(i, fallback):
    return int(sys.argv[i]) if len(sys.argv) > i else fallback


def seq(base, n, warmup):
    client = openai.OpenAI(api_key="sk-bench", base_url=base)
    errors = 0

    def call():
        completion = client.chat.completions.create(model="gpt-4o-mini", max_tokens=16, messages=MESSAGES)
        return 0 if completion.choices else 1

    for _ in range(warmup):
        errors += call()
    lat = []
    start = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        errors += call()
        lat.append((time.perf_counter() - t0) * 1e6)
    total = time.perf_counter() - start
    lat.sort()
    emit("seq", n=n, median_us=round(quantile(lat, 0.5), 2), p99_us=round(quantile(lat, 0.99), 2),
         mean_us=round(statistics.fmean(lat), 2), min_us=round(lat[0], 2), calls_per_s=round(n / total, 1),
         errors=errors)


async def window(client, inflight, total):
    remaining = total
    errors = 0

    async def worker():
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            try:
                completion = await client.chat.completions.create(
                    model="gpt-4o-mini", max_tokens=16, messages=MESSAGES)
                if not completion.choices:
                    errors += 1
            except Exception as e:  # count and go on: one failure must not end the run
                if errors < 5:
                    print(f"python async call failed: {e!r}", file=sys.stderr)
                errors += 1

    await asyncio.gather(*(worker() for _ in range(min(inflight, total))))
    return errors


async def run_async(base, inflight, total):
    client = openai.AsyncOpenAI(api_key="sk-bench", base_url=base)
    errors = await window(client, inflight, min(inflight * 2, total))
    t0 = time.perf_counter()
    errors += await window(client, inflight, total)
    seconds = time.perf_counter() - t0
    emit("throughput", inflight=inflight, n=total, seconds=round(seconds, 3), rps=round(total / seconds, 1),
         errors=errors)
    await client.close()


def stream(base, chunks):
    client = openai.OpenAI(api_key="sk-bench", base_url=base)
    client.chat.completions.create(model="gpt-4o-mini", max_tokens=16, messages=MESSAGES)
    events = 0
    t0 = time.perf_counter()
    for _chunk in client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True,
                                                 extra_body={"mock_chunks": chunks}):
        events += 1
    seconds = time.perf_counter() - t0
    # The SDK hands out parsed chunks, not the events' bytes: no MB/s here.
    emit("stream", chunks=chunks, events=events, seconds=round(seconds, 3), events_per_s=round(events / seconds, 1),
         errors=0 if events >= chunks else 1)


def main():
    base = os.environ["BENCH_BASE_URL"]
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "seq":
        seq(base, arg(2, 2000), arg(3, 200))
    elif mode == "async":
        asyncio.run(run_async(base, arg(2, 64), arg(3, 5000)))
    elif mode == "stream":
        stream(base, arg(2, 100000))
    else:
        sys.exit("usage: bench_sdk.py seq|async|stream [ARGS]")


if __name__ == "__main__":
    main()
