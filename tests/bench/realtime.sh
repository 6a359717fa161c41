#!/usr/bin/env bash
# The Realtime benchmarks (tests/bench/c/bench_realtime.c): server events per second (pulled
# and pushed to a callback) and client events per second; the latency the library adds per
# event (send to wire, wire to callback) against a minimal WebSocket server that stamps every
# frame, next to a bare TCP socket's; a session streaming audio both ways at real-time rate with
# its resident set size sampled every second. Release builds; the mock on an ephemeral loopback
# port with its request log off. Never part of the tests.
#
#   tests/bench/realtime.sh            # RATE_EVENTS [200000] LATENCY_EVENTS [20000] SOAK_SECONDS [60]
#   QUICK=1 tests/bench/realtime.sh    # smaller and a 10-second soak
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
    : "${RATE_EVENTS:=20000}" "${LATENCY_EVENTS:=2000}" "${SOAK_SECONDS:=10}"
fi
: "${RATE_EVENTS:=200000}" "${LATENCY_EVENTS:=20000}" "${SOAK_SECONDS:=60}"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

log "building the library and the mock (release)"
cargo build --release --quiet --lib
cargo build --release --quiet -p openai-mock
cc -O2 -std=c11 -Wall -Wextra -I"$ROOT/include" "$BENCH/c/bench_realtime.c" -o "$BIN/bench_realtime" \
    -L"$TARGET/release" -lopenai -Wl,-rpath,"$TARGET/release" -lpthread

mocklog=$(mktemp)
"$TARGET/release/openai-mock" --quiet >"$mocklog" &
mock=$!
trap 'kill $mock 2>/dev/null; rm -f "$mocklog"' EXIT INT TERM
for _ in $(seq 100); do grep -q '^OPENAI_MOCK_URL=' "$mocklog" && break; sleep 0.1; done
URL=$(sed -n 's/^OPENAI_MOCK_URL=//p' "$mocklog")
[ -n "$URL" ] || { log "the mock server did not start"; exit 1; }
curl -s -X POST "$URL/__mock/config" -d '{"log":false}' >/dev/null
export OPENAI_API_KEY=sk-bench OPENAI_BASE_URL=$URL/v1

RESULTS=$OUT/realtime.jsonl
: >"$RESULTS"
log "events per second ($RATE_EVENTS events)"
"$BIN/bench_realtime" rate "$RATE_EVENTS" | tee -a "$RESULTS"
log "latency ($LATENCY_EVENTS events each way)"
"$BIN/bench_realtime" latency "$LATENCY_EVENTS" | tee -a "$RESULTS"
log "a ${SOAK_SECONDS}-second session, audio both ways at real-time rate"
"$BIN/bench_realtime" soak "$SOAK_SECONDS" | tee -a "$RESULTS"
cp "$RESULTS" "$OUT/realtime-$(date +%Y%m%d-%H%M%S).jsonl"
log "results: $RESULTS"
