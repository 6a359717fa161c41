#!/usr/bin/env bash
# Where the time goes: instruction counts per call (valgrind --tool=callgrind) and system calls
# per call (strace -c) of libopenai and of its baselines, for the three paths the benchmark
# compares: the sequential blocking call, calls in flight through a queue, and a stream.
#
#   tests/bench/profile.sh        (needs valgrind; strace optional; builds as run.sh does)
#
# Each program runs twice under callgrind with different call counts; the difference divided by
# the difference in calls is the steady-state cost of one call (start-up cancels out).
# Instruction counts do not depend on the machine's load, so these figures are stable where the
# timings of run.sh are not. Output: <target>/bench-results/profile.md (also printed).
#
# Parameters: PROFILE_SEQ ["500 2500"]  PROFILE_QUEUE ["2000 6000"]  PROFILE_STREAM ["100000 300000"]
#             PROFILE_TOP [15] (functions listed per path)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/tests/bench
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
export CARGO_TARGET_DIR=$TARGET
OUT=$TARGET/bench-results
CG=$OUT/callgrind
mkdir -p "$OUT" "$CG"
log() { printf '[profile %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
: "${PROFILE_SEQ:=500 2500}" "${PROFILE_QUEUE:=2000 6000}" "${PROFILE_STREAM:=100000 300000}" "${PROFILE_TOP:=15}"

command -v valgrind >/dev/null 2>&1 || {
    log "installing valgrind"
    apt-get install -y -qq valgrind >&2 || { log "valgrind is needed"; exit 1; }
}
HAVE_STRACE=1; command -v strace >/dev/null 2>&1 || apt-get install -y -qq strace >&2 || HAVE_STRACE=0

# The library with line tables (the profiling profile): release builds carry no debug info.
LIB_PROFILE=profiling BUILD_ONLY=1 NO_PYTHON=1 "$BENCH/run.sh"
LIB=$TARGET/bench-bin/bench_openai
CURLB=$TARGET/bench-bin/bench_curl
REQWEST=$TARGET/release/bench-reqwest

. "$BENCH/lib.sh"
start_mock 2 1000

# per_call TAG SMALL LARGE ARGS_FORMAT PROGRAM MODE: runs PROGRAM MODE with the arguments
# printf ARGS_FORMAT SMALL, then LARGE, under callgrind; prints the instructions per call.
per_call() {
    local name=$1 small=$2 large=$3 extra=$4; shift 4
    local s l
    valgrind --tool=callgrind --callgrind-out-file="$CG/$name.$small.out" "$@" $(printf "$extra" "$small") \
        >/dev/null 2>"$CG/$name.$small.log"
    valgrind --tool=callgrind --callgrind-out-file="$CG/$name.$large.out" "$@" $(printf "$extra" "$large") \
        >/dev/null 2>"$CG/$name.$large.log"
    python3 "$BENCH/cgdiff.py" "$CG/$name.$small.out" "$CG/$name.$large.out" $((large - small)) --top 0 \
        | sed -n 's/^total: \([0-9,]*\).*/\1/p'
}

syscalls() {
    local calls=$1; shift
    [ "$HAVE_STRACE" = 1 ] || { echo "—"; return; }
    strace -f -c -o "$CG/strace.txt" "$@" >/dev/null 2>&1 || true
    python3 - "$CG/strace.txt" "$calls" <<'EOF'
import sys
rows, calls = [], int(sys.argv[2])
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
        n = int(f[3]); name = f[-1]
        if n / calls >= 0.05:
            rows.append((n / calls, name))
rows.sort(reverse=True)
total = sum(r[0] for r in rows)
print(f"{total:.1f} (" + (", ".join(f"{name} {n:.2f}" for n, name in rows) or "none at 0.05 or more") + ")")
EOF
}

REPORT=$OUT/profile.md
{
    echo "Instructions per call from callgrind (user space, all threads; the difference of two runs of"
    echo "different lengths, divided by the difference in calls), and system calls per call from strace -f -c."
    echo
    echo "| path | implementation | instructions per call | system calls per call |"
    echo "|---|---|--:|---|"
} >"$REPORT"

read -r s l <<<"$PROFILE_SEQ"
for impl in "seq-lib|libopenai|$LIB|seq" "seq-curl|libcurl easy|$CURLB|seq" \
    "seq-reqwest|reqwest (multi-thread)|$REQWEST|seq" "seq-reqwest-ct|reqwest (current-thread)|$REQWEST|seq-ct"; do
    IFS='|' read -r tag name prog mode <<<"$impl"
    log "callgrind: sequential, $name"
    ir=$(per_call "$tag" "$s" "$l" "%s 100" "$prog" "$mode")
    sc=$(syscalls 2100 "$prog" "$mode" 2000 100)
    echo "| sequential call | $name | $ir | $sc |" >>"$REPORT"
done
read -r s l <<<"$PROFILE_QUEUE"
for impl in "tp-lib|libopenai futures + queue|$LIB|queue" "tp-curl|libcurl multi|$CURLB|multi" \
    "tp-reqwest|reqwest tasks|$REQWEST|conc"; do
    IFS='|' read -r tag name prog mode <<<"$impl"
    log "callgrind: 64 in flight, $name"
    ir=$(per_call "$tag" "$s" "$l" "64 %s" "$prog" "$mode")
    sc=$(syscalls 10128 "$prog" "$mode" 64 10000)
    echo "| 64 in flight | $name | $ir | $sc |" >>"$REPORT"
done
read -r s l <<<"$PROFILE_STREAM"
for impl in "st-lib|libopenai openai_stream_next|$LIB|stream" "st-lib-cb|libopenai callback|$LIB|stream-cb" \
    "st-reqwest|reqwest line splitter|$REQWEST|stream"; do
    IFS='|' read -r tag name prog mode <<<"$impl"
    log "callgrind: stream, $name"
    ir=$(per_call "$tag" "$s" "$l" "%s" "$prog" "$mode")
    sc=$(syscalls 200000 "$prog" "$mode" 200000)
    echo "| stream (per event) | $name | $ir | $sc |" >>"$REPORT"
done

top_functions() {
    local title=$1 small=$2 large=$3 delta=$4
    {
        echo
        echo "#### $title: the functions with the most instructions per call (exclusive)"
        echo
        echo '```'
        python3 "$BENCH/cgdiff.py" "$small" "$large" "$delta" --top "$PROFILE_TOP"
        echo '```'
    } >>"$REPORT"
}
read -r s l <<<"$PROFILE_SEQ"
top_functions "libopenai, sequential blocking call" "$CG/seq-lib.$s.out" "$CG/seq-lib.$l.out" $((l - s))
top_functions "reqwest, sequential call" "$CG/seq-reqwest.$s.out" "$CG/seq-reqwest.$l.out" $((l - s))
read -r s l <<<"$PROFILE_QUEUE"
top_functions "libopenai, 64 in flight through a queue" "$CG/tp-lib.$s.out" "$CG/tp-lib.$l.out" $((l - s))
read -r s l <<<"$PROFILE_STREAM"
top_functions "libopenai, stream pulled with openai_stream_next (per event)" "$CG/st-lib.$s.out" "$CG/st-lib.$l.out" $((l - s))
top_functions "libopenai, stream pushed to a callback (per event)" "$CG/st-lib-cb.$s.out" "$CG/st-lib-cb.$l.out" $((l - s))

cat "$REPORT"
log "profile: $REPORT (callgrind files in $CG; open them with callgrind_annotate or kcachegrind)"
