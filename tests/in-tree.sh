#!/usr/bin/env bash
# C programs built from the source tree the ways README.md says, each run without
# LD_LIBRARY_PATH (the RUNPATH must find the library):
#   - the README's C program built with the README's one-line `cc` command;
#   - examples-c/run.sh with an absolute and with a relative CARGO_TARGET_DIR (the example's
#     RUNPATH must be absolute either way), for chat and for the mock-testing example.
# Uses the debug build run-all.sh made (cargo builds whatever is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
export CARGO_TARGET_DIR=$target
unset LD_LIBRARY_PATH OPENAI_API_KEY OPENAI_BASE_URL MOCK_URL

work=$(mktemp -d)
mock_pid=
cleanup() { [ -z "$mock_pid" ] || kill "$mock_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

cargo build --quiet --lib -p openai-capi
cargo build --quiet -p openai-mock

# The README's program and its build line, as written there.
awk '/^## Using it from C/ { section = 1 } section && /^```c$/ { copying = 1; next } copying && /^```$/ { exit } copying { print }' \
    README.md >"$work/app.c"
grep -q 'int main' "$work/app.c" || fail "no C program found under the README's 'Using it from C'"
line=$(sed -n 's/^Build it with `\(cc app\.c [^`]*\)`.*/\1/p' README.md)
[ -n "$line" ] || fail "no 'Build it with \`cc app.c ...\`' line in the README"
case $line in *rpath*) ;; *) fail "the README's build line sets no rpath: $line" ;; esac
# The line as a user types it at the root of the tree; only the file names and, when the tests
# build elsewhere, the target directory change.
command=${line//\$PWD\/target\/debug/@LIB@}
command=${command//target\/debug/@LIB@}
command=${command//@LIB@/$target/debug}
command=${command/app.c/$work/app.c}
command=${command/-o app/-o $work/app}
case $command in *"-o $work/app"*) ;; *) fail "the README's build line names no output (-o app): $line" ;; esac
(eval "$command") || fail "the README's build line failed: $command"

"$target/debug/openai-mock" --quiet >"$work/mock.out" &
mock_pid=$!
for _ in $(seq 100); do grep -qs OPENAI_MOCK_URL "$work/mock.out" && break; sleep 0.1; done
url=$(sed -n 's/^OPENAI_MOCK_URL=//p' "$work/mock.out")
[ -n "$url" ] || fail "the mock server did not start"
out=$(OPENAI_API_KEY=sk-in-tree OPENAI_BASE_URL="$url/v1" "$work/app") || fail "the README's program exited $?: $out"
[ "$out" = "Hello! How can I help you today?" ] || fail "the README's program printed: $out"
echo "ok: the README's one-line build gives a program that runs: $line"

# examples-c/run.sh, with the target directory given absolute, then relative to the root.
relative=$(realpath -m --relative-to="$root" "$target")
for dir in "$target" "$relative"; do
    out=$(CARGO_TARGET_DIR=$dir examples-c/run.sh chat 2>&1) || fail "examples-c/run.sh chat with CARGO_TARGET_DIR=$dir: $out"
    case $out in *"reply: Hello! How can I help you today?"*) ;; *) fail "examples-c/run.sh chat printed: $out" ;; esac
    runpath=$(readelf -d "$target/examples-c/chat" | sed -n 's/.*R\(UN\)\{0,1\}PATH.*\[\(.*\)\]/\2/p')
    [ "$runpath" = "$target/debug" ] || fail "the example's RUNPATH is $runpath, not $target/debug"
    echo "ok: examples-c/run.sh chat with CARGO_TARGET_DIR=$dir (RUNPATH $runpath)"
done
out=$(examples-c/run.sh mock_testing 2>&1) || fail "examples-c/run.sh mock_testing: $out"
case $out in *"all checks passed"*) echo "ok: examples-c/run.sh mock_testing" ;; *) fail "examples-c/run.sh mock_testing printed: $out" ;; esac
