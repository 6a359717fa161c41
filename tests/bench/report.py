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
    "latency": ("median_us", False),
    "latency_cb": ("median_us", False),
}

# Targets from the issue.
SEQ_VS_REQWEST = 1.15  # libopenai median latency <= 1.15 x raw reqwest's
TP_VS_BEST = 0.90  # >= 90% of the better of libcurl multi and raw reqwest at 64 in flight
STREAM_VS_REQWEST = 0.80  # >= 80% of raw reqwest's events/s
SEQ_VS_PYTHON = 20.0  # >= 20x the Python SDK on sequential calls
STREAM_VS_PYTHON = 100.0  # >= 100x the Python SDK's events/s
FLAT_RSS_KB = 1024  # RSS growth over the sequential run at most 1 MiB
MEM_VS_CURL = 1.0  # bytes per call in flight at or under libcurl multi's (issue 16)


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


def key_of(r):
    """What tells one benchmark from another: the benchmark, the implementation, the calls in
    flight, the transport (plain HTTP/1.1, or through the TLS front) and compression."""
    return (r["bench"], r["impl"], r.get("inflight"), r.get("transport", "plain"), r.get("compress"))


def pick(records):
    """One record per benchmark (see key_of): the median round."""
    groups = defaultdict(list)
    for r in records:
        groups[key_of(r)].append(r)
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
    meta = chosen.get(("meta", "suite", None, "plain", None), {})

    def get(bench, impl, inflight=None, transport="plain", compress=None):
        return chosen.get((bench, impl, inflight, transport, compress))

    def all_of(bench, impl, transport="plain"):
        return groups.get((bench, impl, None, transport, None), [])
    out = []
    p = out.append

    failures = [r["impl"] for r in records if r["bench"] == "failure"]
    errors = [f'{r["bench"]} {r["impl"]}' + (f' @{r["inflight"]}' if r.get("inflight") else "")
              + (f' ({r["transport"]})' if r.get("transport") else "") + f': {r["errors"]}'
              for r in records if r.get("errors")]

    p(f'Run: {meta.get("date", "?")}, {meta.get("host", "?")}, {meta.get("cpu", "?")}, {meta.get("cores", "?")} cores, '
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
    levels = sorted({k[2] for k in chosen if k[0] == "throughput" and k[2] and k[3] == "plain"})
    p("### 2. Throughput: calls in flight, the window kept full (requests per second)")
    p("")
    p("| implementation | " + " | ".join(f"req/s @{c} (rounds)" for c in levels) + " | "
      + " | ".join(f"libopenai ÷ this @{c}" for c in levels) + " |")
    p("|---|" + "--:|" * (2 * len(levels)))
    many = meta.get("many_batch", 64)
    rows = [("libopenai futures + one `openai_queue`, `openai_queue_next` (one at a time)", "libopenai"),
            (f"libopenai futures + one `openai_queue`, `openai_queue_next_many` (up to {many} at a time)",
             "libopenai-many"),
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
    p(f"Calls in flight at once ({fmt(n_mem)}; the mock holds every answer {fmt(meta.get('mem_hold_ms'))} ms). "
      "RSS is sampled once the mock has every call that can be on the wire (its `requests_in_progress`) and "
      "none has completed; the column \"at the mock\" says what it had then.")
    p("")
    p("| implementation | connections | RSS before | RSS with them in flight | at the mock when sampled | "
      "bytes per call in flight | bytes per call at peak (VmHWM) | ÷ libcurl's bytes per call |")
    p("|---|---|--:|--:|--:|--:|--:|--:|")
    mcurl = get("mem_inflight", "libcurl-multi")
    for label, impl, conns in [("libopenai futures + queue", "libopenai", "max_connections 256 (default): the rest wait"),
                               ("libopenai futures + queue", "libopenai-unbounded", "max_connections null: one per call"),
                               ("libcurl multi", "libcurl-multi", "one per transfer"),
                               ("raw reqwest tasks", "reqwest", "one per call (no limit)")]:
        r = get("mem_inflight", impl)
        if not r:
            continue
        at_mock = (f'{fmt(r.get("mock_in_progress"))} of {fmt(r.get("expected_at_mock"))}'
                   + ("" if r.get("all_in_flight", True) else " **(not all in flight: sample invalid)**"))
        vs = rfmt(ratio(r["bytes_per_call"], mcurl and mcurl["bytes_per_call"]))
        p(f'| {label} | {conns} | {fmt(r["rss_before_kb"] / 1024, 1)} MiB | {fmt(r["rss_inflight_kb"] / 1024, 1)} MiB | '
          f'{at_mock} | {fmt(r["bytes_per_call"])} | {fmt(r["bytes_per_call_peak"])} | {vs} |')
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
        fc = all_of("first_call", impl)
        med = lambda f: statistics.median([r[f] for r in fc]) if fc else None
        cn_cell = f'{fmt(cn["mean_us"])} ({fmt(cn["median_us"])}), {new_label} ×{cn["n"]}' if cn else "—"
        p(f"| {label} | {cn_cell} | {fmt(med('client_new_us'))} | {fmt(med('first_call_us'))} | "
          f"{fmt(med('second_call_us'))} |")
    fc = all_of("first_call", "libopenai")
    if fc:
        p("")
        p(f"Fresh-process figures are medians of {len(fc)} runs. The first call includes starting the library's "
          f"runtime (its worker threads) and opening the connection; reqwest's includes starting a tokio runtime.")
    p("")

    # ------------------------------------------------------------ 6. TLS
    transports = [("tls-h1", "HTTP/1.1 over TLS (ALPN offers http/1.1 alone)"),
                  ("tls-h2", "HTTP/2 over TLS (ALPN h2)")]
    if any(k[3] in ("tls-h1", "tls-h2") for k in chosen):
        p("### 6. TLS: the same calls through the mock's TLS front, HTTP/1.1 and HTTP/2")
        p("")
        p("Every implementation trusts the front's CA; the front (hyper, 2 threads, in the mock's process) "
          "relays each request to the plain mock, and allows 200 HTTP/2 streams per connection. "
          "Ratios are libopenai ÷ this: below 1.00× is better for latency, above for rates.")
        p("")
        tls_levels = sorted({k[2] for k in chosen if k[0] == "throughput" and k[2] and k[3] != "plain"})
        p("| transport | implementation | seq median µs | seq p99 µs | "
          + " | ".join(f"req/s @{c}" for c in tls_levels)
          + " | first call µs (fresh process) | second call µs | ratio: median | "
          + " | ".join(f"ratio @{c}" for c in tls_levels) + " | ratio: first call |")
        p("|---|---|--:|--:|" + "--:|" * len(tls_levels) + "--:|--:|--:|" + "--:|" * len(tls_levels) + "--:|")
        for transport, tlabel in transports:
            lib_seq = get("seq", "libopenai", transport=transport)
            lib_tp = {c: get("throughput", "libopenai", c, transport) for c in tls_levels}
            lib_fc = all_of("first_call", "libopenai", transport)
            med = lambda rs, f: statistics.median([r[f] for r in rs]) if rs else None
            for label, impl, tp_impl in [("libopenai (`openai_queue_next`)", "libopenai", "libopenai"),
                                         ("libopenai (`openai_queue_next_many`)", None, "libopenai-many"),
                                         ("libcurl (easy; multi, CURLPIPE_MULTIPLEX on HTTP/2)", "libcurl", "libcurl-multi"),
                                         ("raw reqwest (rustls, the CA, http1_only / ALPN h2)", "reqwest", "reqwest")]:
                sq = get("seq", impl, transport=transport) if impl else None
                tps = {c: get("throughput", tp_impl, c, transport) for c in tls_levels}
                fc = all_of("first_call", impl, transport) if impl else []
                if not sq and not any(tps.values()) and not fc:
                    continue
                cells = [fmt(sq and sq["median_us"]), fmt(sq and sq["p99_us"])]
                cells += [(fmt(r["rps"]) + (f" ({fmt(r['connections'])} conn.)" if r.get("connections") else "")) if r else "—"
                          for r in tps.values()]
                cells += [fmt(med(fc, "first_call_us")), fmt(med(fc, "second_call_us"))]
                cells.append(rfmt(ratio(lib_seq and lib_seq["median_us"], sq and sq["median_us"])))
                cells += [rfmt(ratio(lib_tp[c] and lib_tp[c]["rps"], tps[c] and tps[c]["rps"])) for c in tls_levels]
                cells.append(rfmt(ratio(med(lib_fc, "first_call_us"), med(fc, "first_call_us"))))
                p(f"| {tlabel} | {label} | " + " | ".join(cells) + " |")
        p("")
        p("The first call of a fresh process includes starting the runtime (libopenai, reqwest), reading the CA "
          "and the TLS handshake; fresh-process figures are medians of the runs. For libcurl multi the number of "
          "connections it opened is shown: on HTTP/2 it opens another when a connection has as many streams as "
          "it allows (100 by default), where libopenai and reqwest queue on one connection past the server's 200.")
        p("")

    # ------------------------------------------------------------ 7. compression
    if any(k[0] == "embed" for k in chosen):
        p(f"### 7. A large answer, compressed or not: embeddings of {fmt(meta.get('embed_inputs'))} inputs × "
          f"{fmt(meta.get('embed_dims'))} dimensions")
        p("")
        p("The mock gzips (level 1) what it answers when the request accepts gzip. Bytes on the wire are the mock's "
          "`bytes_sent` over the call (head and body); time is the whole call, the mock building and compressing "
          "its answer included (the same work for every implementation). Loopback: compression cannot pay for itself "
          "in time here; on a real network the bytes are what counts.")
        p("")
        p("| implementation | Accept-Encoding | bytes on the wire | decoded body bytes | wire ÷ uncompressed | "
          "median ms | min ms | time ÷ uncompressed |")
        p("|---|---|--:|--:|--:|--:|--:|--:|")
        for label, impl, on, off in [("libopenai", "libopenai", "gzip, deflate (its default)", "identity (`default_headers`)"),
                                     ("libcurl easy", "libcurl", "gzip, deflate (CURLOPT_ACCEPT_ENCODING)", "none"),
                                     ("raw reqwest", "reqwest", "gzip, deflate (its gzip/deflate features)", "none (`no_gzip`, `no_deflate`)")]:
            zon, zoff = get("embed", impl, compress=True), get("embed", impl, compress=False)
            for r, accept in ((zon, on), (zoff, off)):
                if not r:
                    continue
                p(f'| {label} | {accept} | {fmt(r["wire_bytes"])} | {fmt(r["body_bytes"])} | '
                  f'{rfmt(ratio(r["wire_bytes"], zoff and zoff["wire_bytes"]))} | {fmt(r["median_ms"])} | {fmt(r["min_ms"])} | '
                  f'{rfmt(ratio(r["median_ms"], zoff and zoff["median_ms"]))} |')
        p("")

    # ------------------------------------------------------------ 8. stream latency
    if any(k[0] in ("latency", "latency_cb") for k in chosen):
        p(f"### 8. Stream latency: from a chunk leaving the mock to the consumer seeing its event")
        p("")
        p(f"{fmt(meta.get('lat_events'))} chat chunks, one written every {meta.get('lat_delay_ms')} ms, each stamped by "
          "the mock with CLOCK_MONOTONIC just before its write; the consumer subtracts the stamp from its own reading "
          "when the event reaches it. The chunks are far apart, so no event waits behind another.")
        p("")
        p("| implementation | events | median µs | p99 µs | mean µs | max µs | median µs in each round | "
          "added to raw reqwest's median | added to its p99 |")
        p("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
        lreq = get("latency", "reqwest")
        for label, bench, impl in [("libopenai, `openai_stream_next` (pulled on the consumer's thread)", "latency", "libopenai"),
                                   ("libopenai, event callback (pushed, on a library thread)", "latency_cb", "libopenai"),
                                   ("raw reqwest, `bytes_stream` + line splitter", "latency", "reqwest")]:
            r = get(bench, impl)
            if not r:
                continue
            add_med = f'{r["median_us"] - lreq["median_us"]:+,.1f} µs' if lreq else "—"
            add_p99 = f'{r["p99_us"] - lreq["p99_us"]:+,.1f} µs' if lreq else "—"
            p(f'| {label} | {fmt(r["n"])} | {fmt(r["median_us"])} | {fmt(r["p99_us"])} | {fmt(r["mean_us"])} | '
              f'{fmt(r["max_us"])} | {spread(r, 1)} | {add_med} | {add_p99} |')
        p("")

    # ------------------------------------------------------------ 9. many open streams
    if any(k[0] == "streams" for k in chosen):
        p(f"### 9. Many streams open at once in one process ({fmt(meta.get('streams_open'))} streams)")
        p("")
        p(f"Each stream is a chat of {meta.get('streams_chunks')} chunks written {meta.get('streams_delay_ms')} ms apart "
          "(a server relaying many users' chats). Memory per open stream = (RSS once every stream has had its first "
          "event − RSS before) / streams; CPU per event = the process's user + system time (getrusage) over "
          f"{fmt(meta.get('streams_window_ms'))} ms while all stay open, divided by the events in that window. "
          "libopenai: `openai_chat_completions_create_stream_async` with a callback; raw reqwest: one task per stream.")
        p("")
        p("| transport | implementation | open in s | bytes per open stream | CPU µs per event | CPU use (cores) | "
          "events in the window | at the mock | all open? | ÷ reqwest: memory | ÷ reqwest: CPU per event |")
        p("|---|---|--:|--:|--:|--:|--:|--:|:-:|--:|--:|")
        for transport, tlabel in [("plain", "HTTP/1.1 (one connection per stream: max_connections null)"),
                                  ("tls-h2", "HTTP/2 over TLS (one connection)")]:
            sreq_ = get("streams", "reqwest", transport=transport)
            for label, impl in [("libopenai, callbacks", "libopenai"), ("raw reqwest, tasks", "reqwest")]:
                r = get("streams", impl, transport=transport)
                if not r:
                    continue
                p(f'| {tlabel} | {label} | {r["open_seconds"]:.2f} | {fmt(r["bytes_per_stream"])} | '
                  f'{r["cpu_us_per_event"]:.2f} | {r["cpu_share"]:.2f} | {fmt(r["window_events"])} | '
                  f'{fmt(r["mock_in_progress"])} | {"yes" if r["all_open"] else "**no**"} | '
                  f'{rfmt(ratio(r["bytes_per_stream"], sreq_ and sreq_["bytes_per_stream"]))} | '
                  f'{rfmt(ratio(r["cpu_us_per_event"], sreq_ and sreq_["cpu_us_per_event"]))} |')
        p("")
        p("\"At the mock\" is its count of requests in progress when memory was sampled (through the TLS front, "
          "each stream is relayed to it over a connection of its own).")
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
    best = max([x["rps"] for x in (get("throughput", "libcurl-multi", 64), get("throughput", "reqwest", 64)) if x],
               default=None)
    for label, impl in (("`openai_queue_next`", "libopenai"), ("`openai_queue_next_many`", "libopenai-many")):
        l64 = get("throughput", impl, 64)
        if l64 and best:
            r = l64["rps"] / best
            p(f"| ≥ 90% of the better of libcurl multi and raw reqwest at 64 in flight, {label} | {r * 100:.0f}% | "
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
    for label, impl in (("max_connections 256", "libopenai"), ("max_connections null", "libopenai-unbounded")):
        r = get("mem_inflight", impl)
        if r and mcurl:
            valid = r.get("all_in_flight", True) and mcurl.get("all_in_flight", True)
            q = r["bytes_per_call"] / mcurl["bytes_per_call"] if mcurl["bytes_per_call"] else None
            p(f"| memory per call in flight at or under libcurl multi's ({fmt(n_mem)} calls; {label}) | "
              f"{fmt(r['bytes_per_call'])} against {fmt(mcurl['bytes_per_call'])} bytes ({rfmt(q)}) | "
              f"{verdict(q is not None and q <= MEM_VS_CURL) if valid else '— (a sample was invalid)'} |")
    if mseq:
        g = mseq["growth_kb"]
        p(f"| flat RSS over {fmt(mseq['n'])} sequential calls (growth ≤ {FLAT_RSS_KB} kB) | {g:+,} kB | "
          f"{verdict(g <= FLAT_RSS_KB)} |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
