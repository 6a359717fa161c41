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
#   MEM_INFLIGHT [10000]  MEM_HOLD_MS [4000]   calls in flight for the memory benchmark, and how
#                         long the mock holds each answer meanwhile
#   MEM_SEQ_CALLS [1000000]   sequential calls between the two RSS readings
#   CLIENT_NEW_ITERS [200]  FIRST_CALL_RUNS [10]
#   WRK_SECONDS [8]  WRK_THREADS [2]   MOCK_THREADS [2]   OPENAI_WORKER_THREADS [unset: one per core]
#   BENCHES ["seq throughput stream memory startup wrk"]   which groups to run
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
    : "${MEM_INFLIGHT:=1000}" "${MEM_HOLD_MS:=1500}" "${MEM_SEQ_CALLS:=20000}"
    : "${CLIENT_NEW_ITERS:=20}" "${FIRST_CALL_RUNS:=3}" "${WRK_SECONDS:=2}"
fi
: "${ROUNDS:=3}" "${SEQ_CALLS:=50000}" "${SEQ_WARMUP:=5000}" "${TP_CALLS:=100000}" "${CONCURRENCY:=64 1024}"
: "${STREAM_CHUNKS:=1000000}" "${PY_SEQ_CALLS:=3000}" "${PY_TP_CALLS:=6000}" "${PY_STREAM_CHUNKS:=100000}"
: "${MEM_INFLIGHT:=10000}" "${MEM_HOLD_MS:=4000}" "${MEM_SEQ_CALLS:=1000000}"
: "${CLIENT_NEW_ITERS:=200}" "${FIRST_CALL_RUNS:=10}" "${WRK_SECONDS:=8}" "${WRK_THREADS:=2}" "${MOCK_THREADS:=2}"
: "${BENCHES:=seq throughput stream memory startup wrk}" "${NO_PYTHON:=0}" "${PY_OPENAI_SPEC:=openai}"
: "${KEEP_CPUS_AWAKE:=0}"

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

# Up to 10,000 connections in flight, on both sides of loopback.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
log "open files limit: $(ulimit -n)"

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
    printf '"keep_cpus_awake":%s,' "$KEEP_CPUS_AWAKE"
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
    run "memory: libopenai $MEM_INFLIGHT in flight" "$LIB" mem-inflight "$MEM_INFLIGHT" "$MEM_HOLD_MS"
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
