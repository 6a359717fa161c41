#!/usr/bin/env bash
# The benchmark suite of libopenai: one command, from a clean clone.
#
#   tests/bench/run.sh              # the full run (a few minutes on 2 cores)
#   QUICK=1 tests/bench/run.sh      # a smoke run (well under a minute once built)
#
# Builds in release (the library, the mock server, the C programs against libopenai and
# libcurl, the raw-reqwest program), installs what is missing (wrk and the libcurl headers with
# apt-get, the official Python SDK into a virtual environment), starts the mock on an ephemeral
# loopback port with its request log off, runs every benchmark, prints one markdown table with
# the ratios and the targets (met / missed), and stops the mock. Never part of the tests.
#
# Parameters (environment; defaults in brackets, QUICK=1 lowers them):
#   CARGO_TARGET_DIR [<repo>/target]   where everything is built; results in <it>/bench-results
#   ROUNDS [3]            rounds of the latency, throughput and stream benchmarks (median kept)
#   SEQ_CALLS [50000]     sequential calls per implementation (SEQ_WARMUP [5000] before)
#   TP_CALLS [100000]     calls per throughput run; CONCURRENCY ["64 1024"]
#   STREAM_CHUNKS [1000000]   chat chunks in the streaming benchmark
#   PY_SEQ_CALLS [3000]  PY_TP_CALLS [6000]  PY_STREAM_CHUNKS [100000]   (the Python SDK is slow)
#   MANY_BATCH [64]       completions taken at once by openai_queue_next_many (throughput)
#   MEM_INFLIGHT [10000]  MEM_HOLD_MS [8000]   calls in flight for the memory benchmark, and how
#                         long the mock holds each answer meanwhile (long enough for every
#                         implementation to have all of them at the mock before the first ends)
#   MEM_SEQ_CALLS [1000000]   sequential calls between the two RSS readings
#   CLIENT_NEW_ITERS [200]  FIRST_CALL_RUNS [10]
#   TLS_SEQ_CALLS [20000]  TLS_SEQ_WARMUP [2000]  TLS_TP_CALLS [50000]   the TLS rows (HTTP/1.1
#                         and HTTP/2 through the mock's TLS front), ROUNDS rounds, CONCURRENCY
#   EMBED_CALLS [5]  EMBED_INPUTS [2048]  EMBED_DIMS [1536]   the compressed large response
#   LAT_EVENTS [3000]  LAT_DELAY_MS [1]   stream latency: stamped chunks, one written every
#                         LAT_DELAY_MS, ROUNDS rounds
#   STREAMS_OPEN [10000]  STREAMS_CHUNKS [60]  STREAMS_DELAY_MS [500]  STREAMS_WINDOW_MS [5000]
#                         streams open at once, their chunks and the time between two, and the
#                         window over which CPU per event is measured (every stream open)
#   WRK_SECONDS [8]  WRK_THREADS [2]   MOCK_THREADS [2]   OPENAI_WORKER_THREADS [unset: one per core]
#   BENCHES ["seq throughput stream memory startup wrk tls compress latency streams"]   which
#                         groups to run
#   NO_PYTHON=1           skip the Python SDK (no venv, no PyPI)
#   KEEP_CPUS_AWAKE=1     during the sequential and start-up benchmarks, one busy loop per core
#                         at nice 19: on a virtual machine whose idle cores halt (a VM exit),
#                         every cross-thread wake-up otherwise pays the core's wake-up latency,
#                         tens of µs, the same for every implementation; see BENCHMARKS.md
#   PY_OPENAI_SPEC [openai]   what pip installs
#   BUILD_ONLY=1          build and install, run nothing (tests/bench/profile.sh uses it)
#   LIB_PROFILE [release] the cargo profile of the library: release is what users install;
#                         profiling is the same with line tables (tests/bench/profile.sh)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/tests/bench
cd "$ROOT"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
export CARGO_TARGET_DIR=$TARGET
OUT=$TARGET/bench-results
BIN=$TARGET/bench-bin
mkdir -p "$OUT" "$BIN"

if [ "${QUICK:-0}" = 1 ]; then
    : "${ROUNDS:=1}" "${SEQ_CALLS:=3000}" "${SEQ_WARMUP:=300}" "${TP_CALLS:=5000}" "${STREAM_CHUNKS:=100000}"
    : "${PY_SEQ_CALLS:=200}" "${PY_TP_CALLS:=1000}" "${PY_STREAM_CHUNKS:=10000}"
    : "${MEM_INFLIGHT:=1000}" "${MEM_HOLD_MS:=3000}" "${MEM_SEQ_CALLS:=20000}"
    : "${CLIENT_NEW_ITERS:=20}" "${FIRST_CALL_RUNS:=3}" "${WRK_SECONDS:=2}"
    : "${TLS_SEQ_CALLS:=1000}" "${TLS_SEQ_WARMUP:=100}" "${TLS_TP_CALLS:=3000}" "${EMBED_CALLS:=2}"
    : "${LAT_EVENTS:=300}" "${STREAMS_OPEN:=1000}" "${STREAMS_CHUNKS:=20}" "${STREAMS_DELAY_MS:=200}"
    : "${STREAMS_WINDOW_MS:=1500}"
fi
: "${ROUNDS:=3}" "${SEQ_CALLS:=50000}" "${SEQ_WARMUP:=5000}" "${TP_CALLS:=100000}" "${CONCURRENCY:=64 1024}"
: "${STREAM_CHUNKS:=1000000}" "${PY_SEQ_CALLS:=3000}" "${PY_TP_CALLS:=6000}" "${PY_STREAM_CHUNKS:=100000}"
: "${MANY_BATCH:=64}" "${MEM_INFLIGHT:=10000}" "${MEM_HOLD_MS:=8000}" "${MEM_SEQ_CALLS:=1000000}"
: "${CLIENT_NEW_ITERS:=200}" "${FIRST_CALL_RUNS:=10}" "${WRK_SECONDS:=8}" "${WRK_THREADS:=2}" "${MOCK_THREADS:=2}"
: "${TLS_SEQ_CALLS:=20000}" "${TLS_SEQ_WARMUP:=2000}" "${TLS_TP_CALLS:=50000}"
: "${EMBED_CALLS:=5}" "${EMBED_INPUTS:=2048}" "${EMBED_DIMS:=1536}" "${LAT_EVENTS:=3000}" "${LAT_DELAY_MS:=1}"
: "${STREAMS_OPEN:=10000}" "${STREAMS_CHUNKS:=60}" "${STREAMS_DELAY_MS:=500}" "${STREAMS_WINDOW_MS:=5000}"
: "${BENCHES:=seq throughput stream memory startup wrk tls compress latency streams}" "${NO_PYTHON:=0}"
: "${PY_OPENAI_SPEC:=openai}" "${KEEP_CPUS_AWAKE:=0}"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
want() { case " $BENCHES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ---------------------------------------------------------------- tools
need_pkgs=()
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
command -v cc >/dev/null 2>&1 || need_pkgs+=(gcc)
printf '#include <curl/curl.h>\n' | cc -E -x c - >/dev/null 2>&1 || need_pkgs+=(libcurl4-openssl-dev)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    log "installing ${need_pkgs[*]} with apt-get"
    if command -v apt-get >/dev/null 2>&1; then
        SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
        $SUDO apt-get update -qq >&2 || true
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >&2 \
            || log "apt-get failed: continuing with what there is"
    else
        log "no apt-get: install ${need_pkgs[*]} yourself"
    fi
fi
printf '#include <curl/curl.h>\n' | cc -E -x c - >/dev/null 2>&1 || { log "libcurl headers missing"; exit 1; }
HAVE_WRK=1; command -v wrk >/dev/null 2>&1 || { HAVE_WRK=0; log "wrk not available: its row is skipped"; }

# Up to 10,000 connections in flight (and 10,000 open streams, each a connection over HTTP/1.1
# and, through the TLS front, a relayed one), on both sides of loopback.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
log "open files limit: $(ulimit -n)"
[ "$(ulimit -n)" -ge $((2 * STREAMS_OPEN + 1024)) ] || log "the open files limit is too low for $STREAMS_OPEN open streams"
# The HTTP/2 rows ask libcurl for HTTP/2: it must have been built with nghttp2.
CURL_HTTP2=0; curl-config --features 2>/dev/null | grep -qx HTTP2 && CURL_HTTP2=1
[ "$CURL_HTTP2" = 1 ] || log "this libcurl has no HTTP/2: its HTTP/2 rows are skipped"

# ---------------------------------------------------------------- builds
: "${LIB_PROFILE:=release}"
log "building the library ($LIB_PROFILE) and the mock server (release, $TARGET)"
cargo build --profile "$LIB_PROFILE" --quiet --lib -p openai-capi
cargo build --release --quiet -p openai-mock --bin openai-mock
log "building the raw-reqwest baseline"
cargo build --release --quiet --manifest-path "$BENCH/reqwest/Cargo.toml"
log "building the C programs (-O2)"
cc -O2 -std=c11 -Wall -Wextra -I"$ROOT/include" "$BENCH/c/bench_openai.c" -o "$BIN/bench_openai" \
    -L"$TARGET/$LIB_PROFILE" -lopenai -Wl,-rpath,"$TARGET/$LIB_PROFILE" -lpthread
cc -O2 -std=c11 -Wall -Wextra "$BENCH/c/bench_curl.c" -o "$BIN/bench_curl" -lcurl
REQWEST=$TARGET/release/bench-reqwest
LIB=$BIN/bench_openai
CURLB=$BIN/bench_curl

PY=
if [ "$NO_PYTHON" != 1 ]; then
    VENV=$TARGET/bench-venv
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import openai' 2>/dev/null; then
        log "setting up the Python venv with the official SDK ($PY_OPENAI_SPEC)"
        if python3 -m venv "$VENV" >&2 && "$VENV/bin/pip" install -q --disable-pip-version-check "$PY_OPENAI_SPEC" >&2; then
            :
        else
            log "the Python SDK could not be installed: its rows are skipped"
        fi
    fi
    "$VENV/bin/python" -c 'import openai' 2>/dev/null && PY="$VENV/bin/python $BENCH/python/bench_sdk.py"
fi

[ "${BUILD_ONLY:-0}" = 1 ] && { log "built (BUILD_ONLY=1)"; exit 0; }

# ---------------------------------------------------------------- the mock server
. "$BENCH/lib.sh"
start_mock "$MOCK_THREADS" "$MEM_HOLD_MS"

# KEEP_CPUS_AWAKE=1: busy loops at the lowest priority keep every core out of its halted idle
# state, so that waking a thread costs a scheduler switch, not a VM exit and re-entry. Any
# runnable benchmark thread preempts them.
SPINNERS=()
awake_start() {
    [ "$KEEP_CPUS_AWAKE" = 1 ] || return 0
    local i
    for i in $(seq "$(nproc)"); do
        nice -n 19 sh -c 'while :; do :; done' &
        SPINNERS+=($!)
    done
}
awake_stop() {
    [ ${#SPINNERS[@]} -gt 0 ] || return 0
    kill "${SPINNERS[@]}" 2>/dev/null || true
    wait "${SPINNERS[@]}" 2>/dev/null || true
    SPINNERS=()
}
trap 'awake_stop; stop_mock' EXIT

RESULTS=$OUT/results.jsonl
: >"$RESULTS"
{
    printf '{"bench":"meta","impl":"suite","date":"%s","host":"%s","cores":%s,"load":"%s","quick":%s,' \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(uname -srm)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "${QUICK:-0}"
    printf '"rounds":%s,"seq_calls":%s,"tp_calls":%s,"stream_chunks":%s,"py_seq_calls":%s,"py_tp_calls":%s,' \
        "$ROUNDS" "$SEQ_CALLS" "$TP_CALLS" "$STREAM_CHUNKS" "$PY_SEQ_CALLS" "$PY_TP_CALLS"
    printf '"py_stream_chunks":%s,"mem_inflight":%s,"mem_seq_calls":%s,"mock_threads":%s,"worker_threads":"%s",' \
        "$PY_STREAM_CHUNKS" "$MEM_INFLIGHT" "$MEM_SEQ_CALLS" "$MOCK_THREADS" "${OPENAI_WORKER_THREADS:-default}"
    printf '"keep_cpus_awake":%s,"many_batch":%s,"mem_hold_ms":%s,"tls_seq_calls":%s,"tls_tp_calls":%s,' \
        "$KEEP_CPUS_AWAKE" "$MANY_BATCH" "$MEM_HOLD_MS" "$TLS_SEQ_CALLS" "$TLS_TP_CALLS"
    printf '"embed_calls":%s,"embed_inputs":%s,"embed_dims":%s,"lat_events":%s,"lat_delay_ms":%s,' \
        "$EMBED_CALLS" "$EMBED_INPUTS" "$EMBED_DIMS" "$LAT_EVENTS" "$LAT_DELAY_MS"
    printf '"streams_open":%s,"streams_chunks":%s,"streams_delay_ms":%s,"streams_window_ms":%s,' \
        "$STREAMS_OPEN" "$STREAMS_CHUNKS" "$STREAMS_DELAY_MS" "$STREAMS_WINDOW_MS"
    printf '"cpu":"%s","curl_http2":%s,' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$CURL_HTTP2"
    printf '"curl":"%s","rustc":"%s"}\n' "$(curl-config --version 2>/dev/null || echo '?')" "$(rustc --version)"
} >>"$RESULTS"

# Runs one benchmark process with a time limit; its result lines go to the results file.
run() {
    local name=$1; shift
    log "$name"
    if ! timeout 900 "$@" >>"$RESULTS" 2>>"$OUT/stderr.log"; then
        log "  $name FAILED (see $OUT/stderr.log)"
        printf '{"bench":"failure","impl":"%s"}\n' "$name" >>"$RESULTS"
    fi
}
: >"$OUT/stderr.log"

# ---------------------------------------------------------------- the benchmarks
for round in $(seq "$ROUNDS"); do
    if want seq; then
        awake_start
        run "seq libopenai (round $round)" "$LIB" seq "$SEQ_CALLS" "$SEQ_WARMUP"
        run "seq libcurl easy (round $round)" "$CURLB" seq "$SEQ_CALLS" "$SEQ_WARMUP"
        run "seq reqwest (round $round)" "$REQWEST" seq "$SEQ_CALLS" "$SEQ_WARMUP"
        run "seq reqwest current-thread (round $round)" "$REQWEST" seq-ct "$SEQ_CALLS" "$SEQ_WARMUP"
        [ -z "$PY" ] || [ "$round" != 1 ] || run "seq python SDK" $PY seq "$PY_SEQ_CALLS" $((PY_SEQ_CALLS / 10))
        awake_stop
    fi
    if want throughput; then
        for c in $CONCURRENCY; do
            run "throughput libopenai queue @$c (round $round)" "$LIB" queue "$c" "$TP_CALLS"
            run "throughput libopenai queue_next_many x$MANY_BATCH @$c (round $round)" "$LIB" queue-many "$c" "$TP_CALLS" "$MANY_BATCH"
            run "throughput libcurl multi @$c (round $round)" "$CURLB" multi "$c" "$TP_CALLS"
            run "throughput reqwest @$c (round $round)" "$REQWEST" conc "$c" "$TP_CALLS"
            [ -z "$PY" ] || [ "$round" != 1 ] || run "throughput python AsyncOpenAI @$c" $PY async "$c" "$PY_TP_CALLS"
        done
    fi
    if want stream; then
        run "stream libopenai (round $round)" "$LIB" stream "$STREAM_CHUNKS"
        run "stream libopenai callback (round $round)" "$LIB" stream-cb "$STREAM_CHUNKS"
        run "stream reqwest (round $round)" "$REQWEST" stream "$STREAM_CHUNKS"
        [ -z "$PY" ] || [ "$round" != 1 ] || run "stream python SDK" $PY stream "$PY_STREAM_CHUNKS"
    fi
done

if want memory; then
    run "memory: libopenai $MEM_INFLIGHT in flight (max_connections 256)" "$LIB" mem-inflight "$MEM_INFLIGHT" "$MEM_HOLD_MS"
    run "memory: libopenai $MEM_INFLIGHT in flight (max_connections null)" "$LIB" mem-inflight "$MEM_INFLIGHT" "$MEM_HOLD_MS" unbounded
    run "memory: libcurl multi $MEM_INFLIGHT in flight" "$CURLB" mem-inflight "$MEM_INFLIGHT" "$MEM_HOLD_MS"
    run "memory: reqwest $MEM_INFLIGHT in flight" "$REQWEST" mem-inflight "$MEM_INFLIGHT" "$MEM_HOLD_MS"
    run "memory: libopenai RSS over $MEM_SEQ_CALLS sequential calls" "$LIB" mem-seq "$MEM_SEQ_CALLS"
fi

if want startup; then
    awake_start
    run "startup: libopenai client_new x$CLIENT_NEW_ITERS" "$LIB" client-new "$CLIENT_NEW_ITERS"
    run "startup: reqwest Client::build x$CLIENT_NEW_ITERS" "$REQWEST" client-new "$CLIENT_NEW_ITERS"
    for i in $(seq "$FIRST_CALL_RUNS"); do
        run "startup: first call, fresh process $i" "$LIB" first-call
        run "startup: libcurl first call, fresh process $i" "$CURLB" first-call
        run "startup: reqwest first call, fresh process $i" "$REQWEST" first-call
    done
    awake_stop
fi

# The TLS rows: the same calls through the mock's TLS front (HTTPS on loopback, each request
# relayed to the plain mock), over HTTP/1.1 (offered alone by ALPN) and over HTTP/2, every
# implementation trusting the front's CA.
# tls_env HTTP sets TE, the `env` prefix of a program run through the front.
tls_env() {
    TE=(env "BENCH_BASE_URL=$TLS_URL/v1" "BENCH_CA_FILE=$CA_FILE" "BENCH_HTTP=$1"
        "BENCH_TRANSPORT=$([ "$1" = 2 ] && echo tls-h2 || echo tls-h1)")
}
if want tls; then
    for http in 1.1 2; do
        tls_env "$http"
        curl_ok=1; [ "$http" = 1.1 ] || [ "$CURL_HTTP2" = 1 ] || curl_ok=0
        for round in $(seq "$ROUNDS"); do
            awake_start
            run "TLS HTTP/$http seq libopenai (round $round)" "${TE[@]}" "$LIB" seq "$TLS_SEQ_CALLS" "$TLS_SEQ_WARMUP"
            [ "$curl_ok" = 0 ] || run "TLS HTTP/$http seq libcurl (round $round)" "${TE[@]}" "$CURLB" seq "$TLS_SEQ_CALLS" "$TLS_SEQ_WARMUP"
            run "TLS HTTP/$http seq reqwest (round $round)" "${TE[@]}" "$REQWEST" seq "$TLS_SEQ_CALLS" "$TLS_SEQ_WARMUP"
            awake_stop
            for c in $CONCURRENCY; do
                run "TLS HTTP/$http libopenai queue @$c (round $round)" "${TE[@]}" "$LIB" queue "$c" "$TLS_TP_CALLS"
                run "TLS HTTP/$http libopenai queue_next_many @$c (round $round)" "${TE[@]}" "$LIB" queue-many "$c" "$TLS_TP_CALLS" "$MANY_BATCH"
                [ "$curl_ok" = 0 ] || run "TLS HTTP/$http libcurl multi @$c (round $round)" "${TE[@]}" "$CURLB" multi "$c" "$TLS_TP_CALLS"
                run "TLS HTTP/$http reqwest @$c (round $round)" "${TE[@]}" "$REQWEST" conc "$c" "$TLS_TP_CALLS"
            done
        done
        awake_start
        for i in $(seq "$FIRST_CALL_RUNS"); do
            run "TLS HTTP/$http first call, fresh process $i" "${TE[@]}" "$LIB" first-call
            [ "$curl_ok" = 0 ] || run "TLS HTTP/$http libcurl first call, fresh process $i" "${TE[@]}" "$CURLB" first-call
            run "TLS HTTP/$http reqwest first call, fresh process $i" "${TE[@]}" "$REQWEST" first-call
        done
        awake_stop
    done
fi

# A large answer, compressed or not: the mock gzips what it answers when the request accepts gzip.
if want compress; then
    curl -sf -X POST "$URL/__mock/config" -d '{"compress":true}' >/dev/null
    # The answer's size uncompressed: every implementation checks its decoded body against it.
    python3 -c 'import json,sys; n,d=int(sys.argv[1]),int(sys.argv[2]); print(json.dumps({"model":"text-embedding-3-small","input":["input %d" % i for i in range(n)],"dimensions":d},separators=(",",":")))' \
        "$EMBED_INPUTS" "$EMBED_DIMS" >"$OUT/embed-body.json"
    BENCH_EMBED_LEN=$(curl -sf -o /dev/null -w '%{size_download}' -H 'Authorization: Bearer sk-bench' \
        -H 'Content-Type: application/json' --data-binary @"$OUT/embed-body.json" "$URL/v1/embeddings")
    export BENCH_EMBED_LEN BENCH_EMBED_INPUTS=$EMBED_INPUTS BENCH_EMBED_DIMS=$EMBED_DIMS
    log "embeddings answer: $BENCH_EMBED_LEN bytes uncompressed"
    for compress in 1 0; do
        run "compression=$compress: libopenai embeddings" "$LIB" embed "$EMBED_CALLS" "$compress"
        run "compression=$compress: libcurl embeddings" "$CURLB" embed "$EMBED_CALLS" "$compress"
        run "compression=$compress: reqwest embeddings" "$REQWEST" embed "$EMBED_CALLS" "$compress"
    done
    curl -sf -X POST "$URL/__mock/config" -d '{"compress":false}' >/dev/null
fi

# What the library adds to a stream: each chunk stamped by the mock as it leaves, one every
# LAT_DELAY_MS (so that events never queue up), timed where the consumer sees it.
if want latency; then
    for round in $(seq "$ROUNDS"); do
        run "latency: libopenai pulled (round $round)" "$LIB" latency "$LAT_EVENTS" "$LAT_DELAY_MS"
        run "latency: libopenai callback (round $round)" "$LIB" latency-cb "$LAT_EVENTS" "$LAT_DELAY_MS"
        run "latency: reqwest (round $round)" "$REQWEST" latency "$LAT_EVENTS" "$LAT_DELAY_MS"
    done
fi

# Many streams open at once in one process. Over HTTP/2 they go through a front of their own
# that lets one connection carry them all (the mock's front allows 200 streams, as public
# servers do) and that runs in a process of its own: with a front in the mock's process, each
# stream would take two of that process's descriptors.
if want streams; then
    sargs=("$STREAMS_OPEN" "$STREAMS_CHUNKS" "$STREAMS_DELAY_MS" "$STREAMS_WINDOW_MS")
    run "streams: libopenai $STREAMS_OPEN open, HTTP/1.1" "$LIB" streams "${sargs[@]}"
    run "streams: reqwest $STREAMS_OPEN open, HTTP/1.1" "$REQWEST" streams "${sargs[@]}"
    start_front $((STREAMS_OPEN + 100))
    TE=(env "BENCH_BASE_URL=$FRONT_URL/v1" "BENCH_CA_FILE=$FRONT_CA" BENCH_HTTP=2 BENCH_TRANSPORT=tls-h2)
    run "streams: libopenai $STREAMS_OPEN open, HTTP/2 over TLS" "${TE[@]}" "$LIB" streams "${sargs[@]}"
    run "streams: reqwest $STREAMS_OPEN open, HTTP/2 over TLS" "${TE[@]}" "$REQWEST" streams "${sargs[@]}"
fi

if want wrk && [ "$HAVE_WRK" = 1 ]; then
    for c in $CONCURRENCY; do
        log "wrk @$c for ${WRK_SECONDS}s"
        if out=$(timeout 120 wrk -t"$WRK_THREADS" -c"$c" -d"${WRK_SECONDS}s" -s "$BENCH/wrk/chat.lua" \
                "$URL/v1/chat/completions" 2>&1); then
            echo "$out" >>"$OUT/wrk.log"
            rps=$(echo "$out" | sed -n 's/^Requests\/sec: *//p')
            bad=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: *//p')
            errs=$(echo "$out" | sed -n 's/.*Socket errors: *//p')
            printf '{"bench":"throughput","impl":"wrk","inflight":%s,"rps":%s,"errors":%s,"socket_errors":"%s"}\n' \
                "$c" "${rps:-0}" "${bad:-0}" "${errs:-none}" >>"$RESULTS"
        else
            log "  wrk failed"
        fi
    done
fi

# ---------------------------------------------------------------- the table
python3 "$BENCH/report.py" "$RESULTS" >"$OUT/results.md"
# Each run is also kept under its date, so that a later (or QUICK) run does not lose it.
stamp=$(date +%Y%m%d-%H%M%S)
cp "$RESULTS" "$OUT/results-$stamp.jsonl"
cp "$OUT/results.md" "$OUT/results-$stamp.md"
cat "$OUT/results.md"
log "results: $OUT/results.md (raw: $RESULTS; kept as results-$stamp.*)"
