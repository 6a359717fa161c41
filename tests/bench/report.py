#!/usr/bin/env python3
"""Turns the result lines of a benchmark run (results.jsonl) into the markdown table of
BENCHMARKS.md, with the ratios and the targets of the issue (met / missed).

    python3 tests/bench/report.py <target>/bench-results/results.jsonl

Standard library only: it runs with the system's Python, not the benchmark's venv.
"""

import json
import statistics
import sys
from collections import defaultdict

# The primary figure of each benchmark, and whether more is better; with several rounds the
# round whose primary figure is the median is kept.
PRIMARY = {
    "seq": ("median_us", False),
    "throughput": ("rps", True),
    "stream": ("events_per_s", True),
    "stream_cb": ("events_per_s", True),
}

# Targets from the issue.
SEQ_VS_REQWEST = 1.15  # libopenai median latency <= 1.15 x raw reqwest's
TP_VS_BEST = 0.90  # >= 90% of the better of libcurl multi and raw reqwest at 64 in flight
STREAM_VS_REQWEST = 0.80  # >= 80% of raw reqwest's events/s
SEQ_VS_PYTHON = 20.0  # >= 20x the Python SDK on sequential calls
STREAM_VS_PYTHON = 100.0  # >= 100x the Python SDK's events/s
FLAT_RSS_KB = 1024  # RSS growth over the sequential run at most 1 MiB


def load(path):
    records = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return records


def pick(records):
    """One record per (bench, impl, inflight): the median round."""
    groups = defaultdict(list)
    for r in records:
        groups[(r["bench"], r["impl"], r.get("inflight"))].append(r)
    chosen = {}
    for key, rs in groups.items():
        primary = PRIMARY.get(key[0])
        if primary and len(rs) > 1:
            field, _ = primary
            rs = sorted(rs, key=lambda r: r.get(field, 0))
            chosen[key] = dict(rs[(len(rs) - 1) // 2], _all=[r.get(field) for r in rs])
        else:
            chosen[key] = dict(rs[-1], _all=[])
    return chosen, groups


def fmt(v, digits=1):
    if v is None:
        return "—"
    if isinstance(v, (int,)) or (isinstance(v, float) and abs(v) >= 1000):
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def ratio(a, b, digits=2):
    if not a or not b:
        return None
    return a / b


def rfmt(v, digits=2, suffix="×"):
    return "—" if v is None else f"{v:.{digits}f}{suffix}"


def spread(r, digits=0):
    """The primary figure's range over the rounds, to show how noisy the run was."""
    values = r.get("_all") or []
    if len(values) < 2:
        return "—"
    return f"{min(values):,.{digits}f}–{max(values):,.{digits}f}"


def verdict(ok):
    return "—" if ok is None else ("**met**" if ok else "**missed**")


def main():
    records = load(sys.argv[1])
    chosen, groups = pick(records)
    meta = chosen.get(("meta", "suite", None), {})
    get = lambda bench, impl, inflight=None: chosen.get((bench, impl, inflight))
    out = []
    p = out.append

    failures = [r["impl"] for r in records if r["bench"] == "failure"]
    errors = [f'{r["bench"]} {r["impl"]}' + (f' @{r["inflight"]}' if r.get("inflight") else "") + f': {r["errors"]}'
              for r in records if r.get("errors")]

    p(f'Run: {meta.get("date", "?")}, {meta.get("host", "?")}, {meta.get("cores", "?")} cores, '
      f'load average at start {meta.get("load", "?")}; mock server {meta.get("mock_threads", "?")} threads, '
      f'library worker threads {meta.get("worker_threads", "?")}; {meta.get("rounds", 1)} round(s) of the '
      f'latency/throughput/stream benchmarks (median round shown); {meta.get("curl", "")}; {meta.get("rustc", "")}'
      + next((f'; Python SDK openai {r["sdk_version"]}' for r in records if r.get("sdk_version")), "") + ".")
    if meta.get("keep_cpus_awake"):
        p("")
        p("KEEP_CPUS_AWAKE=1: one busy loop per core at nice 19 during the sequential and start-up "
          "benchmarks (the cores never halt while idle).")
    if meta.get("quick"):
        p("")
        p("**QUICK=1: a smoke run with small counts; the figures are not meaningful.**")
    if failures or errors:
        p("")
        p("**Problems in this run:** " + "; ".join([f"{f} failed" for f in failures] + [f"{e} errors" for e in errors]))
    p("")

    # ------------------------------------------------------------ 1. sequential latency
    lib = get("seq", "libopenai")
    p("### 1. Sequential latency: a small chat completion, one call at a time")
    p("")
    p("| implementation | calls | median µs | p99 µs | mean µs | calls/s | median µs in each round | "
      "libopenai median ÷ this |")
    p("|---|--:|--:|--:|--:|--:|--:|--:|")
    rows = [("libopenai from C (blocking `openai_chat_completions_create`)", "libopenai"),
            ("libcurl easy interface, one reused handle", "libcurl"),
            ("raw reqwest, `#[tokio::main]` style (multi-thread runtime)", "reqwest"),
            ("raw reqwest, current-thread runtime (I/O on the calling thread)", "reqwest-current-thread"),
            ("official Python SDK `OpenAI`", "python-openai")]
    for label, impl in rows:
        r = get("seq", impl)
        if not r:
            continue
        rr = ratio(lib and lib["median_us"], r["median_us"])
        p(f'| {label} | {fmt(r["n"])} | {fmt(r["median_us"])} | {fmt(r["p99_us"])} | {fmt(r["mean_us"])} | '
          f'{fmt(r["calls_per_s"])} | {spread(r, 1)} | {rfmt(rr)} |')
    p("")

    # ------------------------------------------------------------ 2. throughput
    levels = sorted({k[2] for k in chosen if k[0] == "throughput" and k[2]})
    p("### 2. Throughput: calls in flight, the window kept full (requests per second)")
    p("")
    p("| implementation | " + " | ".join(f"req/s @{c} (rounds)" for c in levels) + " | "
      + " | ".join(f"libopenai ÷ this @{c}" for c in levels) + " |")
    p("|---|" + "--:|" * (2 * len(levels)))
    rows = [("libopenai futures + one `openai_queue`", "libopenai"),
            ("libcurl multi interface (handles reused)", "libcurl-multi"),
            ("raw reqwest, one task per slot", "reqwest"),
            ("official Python SDK `AsyncOpenAI` (default client)", "python-openai"),
            ("wrk: the mock server's own limit", "wrk")]
    for label, impl in rows:
        rs = [get("throughput", impl, c) for c in levels]
        if not any(rs):
            continue
        libs = [get("throughput", "libopenai", c) for c in levels]
        cells = [(fmt(r["rps"]) + (f" ({spread(r)})" if r.get("_all") else "")) if r else "—" for r in rs]
        ratios = [rfmt(ratio(l and l["rps"], r and r["rps"])) for l, r in zip(libs, rs)]
        p(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    p("")

    # ------------------------------------------------------------ 3. streaming
    p("### 3. Streaming: one stream of chat chunks, consumed event by event")
    p("")
    p("| implementation | events | seconds | events/s | MB/s of event data | events/s in each round | "
      "libopenai ÷ this (events/s) |")
    p("|---|--:|--:|--:|--:|--:|--:|")
    slib = get("stream", "libopenai")
    rows = [("libopenai from C, `openai_stream_next` (pull)", "stream", "libopenai"),
            ("libopenai, event callback (push, on the library's thread)", "stream_cb", "libopenai"),
            ("raw reqwest, `bytes_stream` + minimal line splitter", "stream", "reqwest"),
            ("official Python SDK, iterating the `Stream`", "stream", "python-openai")]
    for label, bench, impl in rows:
        r = get(bench, impl)
        if not r:
            continue
        p(f'| {label} | {fmt(r["events"])} | {r["seconds"]:.3f} | {fmt(r["events_per_s"])} | '
          f'{fmt(r.get("mb_per_s"))} | {spread(r)} | {rfmt(ratio(slib and slib["events_per_s"], r["events_per_s"]))} |')
    py_stream = get("stream", "python-openai")
    if py_stream and slib and py_stream.get("chunks") != slib.get("chunks"):
        p("")
        p(f'The Python SDK streamed {fmt(py_stream["chunks"])} chunks instead of {fmt(slib["chunks"])} (it would take '
          f'minutes); events/s is a rate, compared as such. The SDK hands out parsed chunks, not bytes: no MB/s.')
    p("")

    # ------------------------------------------------------------ 4. memory
    p("### 4. Memory")
    p("")
    n_mem = meta.get("mem_inflight", 10000)
    p(f"Calls in flight at once ({fmt(n_mem)}; the mock holds every answer, so all are in flight when RSS is read):")
    p("")
    p("| implementation | RSS before | RSS with them in flight | peak RSS (VmHWM) | bytes per call in flight | "
      "bytes per call at peak |")
    p("|---|--:|--:|--:|--:|--:|")
    for label, impl in [("libopenai futures + queue", "libopenai"), ("libcurl multi", "libcurl-multi"),
                        ("raw reqwest tasks", "reqwest")]:
        r = get("mem_inflight", impl)
        if not r:
            continue
        p(f'| {label} | {fmt(r["rss_before_kb"] / 1024, 1)} MiB | {fmt(r["rss_inflight_kb"] / 1024, 1)} MiB | '
          f'{fmt(r["hwm_kb"] / 1024, 1)} MiB | {fmt(r["bytes_per_call"])} | {fmt(r["bytes_per_call_peak"])} |')
    mseq = get("mem_seq", "libopenai")
    if mseq:
        p("")
        samples = ", ".join(f"{s / 1024:.1f}" for s in mseq.get("samples_kb", []))
        p(f'RSS over {fmt(mseq["n"])} sequential calls of libopenai (after 10,000 warm-up calls): '
          f'{mseq["rss_before_kb"] / 1024:.1f} MiB before, {mseq["rss_after_kb"] / 1024:.1f} MiB after '
          f'(growth {mseq["growth_kb"]:+,} kB) in {mseq["seconds"]:.0f} s; every tenth: {samples} MiB.')
    p("")

    # ------------------------------------------------------------ 5. startup
    p("### 5. Start-up: creating a client, and the first call of a fresh process")
    p("")
    p("| implementation | client creation, mean µs (median) | in a fresh process: client µs | first call µs | "
      "second call µs |")
    p("|---|--:|--:|--:|--:|")
    for label, impl, new_label in [("libopenai", "libopenai", "`openai_client_new`"),
                                   ("raw reqwest", "reqwest", "`Client::builder().build()`"),
                                   ("libcurl easy", "libcurl", "`curl_easy_init` + options")]:
        cn = get("client_new", impl)
        fc = groups.get(("first_call", impl, None), [])
        med = lambda f: statistics.median([r[f] for r in fc]) if fc else None
        cn_cell = f'{fmt(cn["mean_us"])} ({fmt(cn["median_us"])}), {new_label} ×{cn["n"]}' if cn else "—"
        p(f"| {label} | {cn_cell} | {fmt(med('client_new_us'))} | {fmt(med('first_call_us'))} | "
          f"{fmt(med('second_call_us'))} |")
    fc = groups.get(("first_call", "libopenai", None), [])
    if fc:
        p("")
        p(f"Fresh-process figures are medians of {len(fc)} runs. The first call includes starting the library's "
          f"runtime (its worker threads) and opening the connection; reqwest's includes starting a tokio runtime.")
    p("")

    # ------------------------------------------------------------ targets
    p("### Targets (ratios from this one run)")
    p("")
    p("| target | measured | verdict |")
    p("|---|--:|:-:|")
    req = get("seq", "reqwest")
    reqct = get("seq", "reqwest-current-thread")
    curl = get("seq", "libcurl")
    py = get("seq", "python-openai")
    if lib and req:
        r = lib["median_us"] / req["median_us"]
        p(f"| per-call latency within 15% of raw reqwest (median, libopenai ÷ reqwest ≤ {SEQ_VS_REQWEST}) | "
          f"{rfmt(r)} | {verdict(r <= SEQ_VS_REQWEST)} |")
    if lib and reqct:
        r = lib["median_us"] / reqct["median_us"]
        p(f"| (for reference) libopenai ÷ reqwest on a current-thread runtime | {rfmt(r)} | — |")
    if lib and curl:
        r = lib["median_us"] / curl["median_us"]
        p(f"| as close as possible to libcurl easy (median, libopenai ÷ libcurl) | {rfmt(r)} | no threshold |")
    if lib and py:
        r = py["median_us"] / lib["median_us"]
        p(f"| ≥ {SEQ_VS_PYTHON:.0f}× the Python SDK on sequential calls (Python median ÷ libopenai median) | "
          f"{rfmt(r, 1)} | {verdict(r >= SEQ_VS_PYTHON)} |")
    l64 = get("throughput", "libopenai", 64)
    best = max([x["rps"] for x in (get("throughput", "libcurl-multi", 64), get("throughput", "reqwest", 64)) if x],
               default=None)
    if l64 and best:
        r = l64["rps"] / best
        p(f"| ≥ 90% of the better of libcurl multi and raw reqwest at 64 in flight | {r * 100:.0f}% | "
          f"{verdict(r >= TP_VS_BEST)} |")
    sreq = get("stream", "reqwest")
    scb = get("stream_cb", "libopenai")
    # Both ways of consuming a stream are checked: pulled by the caller's thread, and pushed to
    # a callback on the library's thread.
    for label, r_lib in (("pulled", slib), ("pushed to a callback", scb)):
        if r_lib and sreq:
            r = r_lib["events_per_s"] / sreq["events_per_s"]
            p(f"| streaming ≥ 80% of raw reqwest's events/s, {label} | {r * 100:.0f}% | "
              f"{verdict(r >= STREAM_VS_REQWEST)} |")
    for label, r_lib in (("pulled", slib), ("pushed to a callback", scb)):
        if r_lib and py_stream:
            r = r_lib["events_per_s"] / py_stream["events_per_s"]
            p(f"| ≥ {STREAM_VS_PYTHON:.0f}× the Python SDK on streaming events/s, {label} | {rfmt(r, 1)} | "
              f"{verdict(r >= STREAM_VS_PYTHON)} |")
    if mseq:
        g = mseq["growth_kb"]
        p(f"| flat RSS over {fmt(mseq['n'])} sequential calls (growth ≤ {FLAT_RSS_KB} kB) | {g:+,} kB | "
          f"{verdict(g <= FLAT_RSS_KB)} |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
