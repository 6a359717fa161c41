#!/bin/sh
# The Swift binding's tests that run without a Swift toolchain (none can be installed on these
# machines; see README.md):
#   1. the drift check: Sources/OpenAI/Operations.swift is what gen.py makes of operations.json;
#   2. static checks of the Swift sources: every C function they call exists in include/openai.h
#      with that many parameters, and every file parses with tree-sitter's Swift grammar (PyPI's
#      tree-sitter and tree-sitter-swift, installed into a venv under the target directory;
#      skipped with a warning when PyPI cannot be reached);
#   3. the module map: tests/module_test.c imports the COpenAI module with clang -fmodules (as
#      Objective-C `@import COpenAI;` and as C), with no include path to the header, links
#      against libopenai and runs against the mock server (a chat completion and streams through
#      the callback forms the Swift layer wraps).
# Needs python3 and clang (Debian: apt-get install clang). When `swift` is on PATH, also runs
# `swift build` and `swift test` (never run where this was written).
#
#   bindings/swift/test.sh          # builds libopenai and the mock into ${CARGO_TARGET_DIR:-target}
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
export CARGO_TARGET_DIR="$target"
CLANG=${CLANG:-clang}
passed=0

echo "== drift check of the generated Swift"
python3 "$here/gen.py" --check
passed=$((passed + 1))

echo "== C calls of the Swift sources against include/openai.h"
python3 "$here/tests/check_c_calls.py"
passed=$((passed + 1))

echo "== Swift syntax (tree-sitter-swift)"
venv="$target/swift-syntax-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import tree_sitter, tree_sitter_swift" 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv" && "$venv/bin/pip" install -q "tree-sitter==0.26.1" "tree-sitter-swift==0.7.4" || rm -rf "$venv"
fi
if [ -x "$venv/bin/python" ]; then
    "$venv/bin/python" "$here/tests/check_swift_syntax.py"
    passed=$((passed + 1))
else
    echo "warning: could not install tree-sitter-swift: the Swift syntax check is skipped" >&2
fi

echo "== build libopenai and the mock server"
cd "$root"
cargo build --lib -p openai-capi
cargo build -p openai-mock
lib="$target/debug"

if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "clang not found: install it (apt-get install clang) to test the module map" >&2
    exit 1
fi

work="$target/swift-binding"
rm -rf "$work"
mkdir -p "$work/cache-objc" "$work/cache-c"

echo "== compile tests/module_test.c through the COpenAI module ($("$CLANG" --version | head -n 1))"
modulemap="$here/Sources/COpenAI/module.modulemap"
flags="-fmodules -fmodule-map-file=$modulemap -Wall -Wextra -Werror -pedantic -pthread"
# No -I: the only way to the declarations is the module map.
"$CLANG" $flags -fmodules-cache-path="$work/cache-objc" -x objective-c "$here/tests/module_test.c" \
    -o "$work/module_test_objc" -L"$lib" -lopenai -Wl,-rpath,"$lib"
"$CLANG" $flags -std=c11 -fmodules-cache-path="$work/cache-c" -x c "$here/tests/module_test.c" \
    -o "$work/module_test_c" -L"$lib" -lopenai -Wl,-rpath,"$lib"
for cache in cache-objc cache-c; do
    if ! find "$work/$cache" -name 'COpenAI-*.pcm' | grep -q .; then
        echo "no COpenAI module was built in $work/$cache" >&2
        exit 1
    fi
done

echo "== run them against the mock server"
# The mock exits when its stdin (this fifo's writer) closes, also if this script dies.
fifo="$work/mock-stdin"
mkfifo "$fifo"
"$target/debug/openai-mock" --quiet --exit-on-stdin-eof <"$fifo" >"$work/mock-stdout" &
mock_pid=$!
exec 3>"$fifo"
trap 'exec 3>&-; wait $mock_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    grep -q '^OPENAI_MOCK_URL=' "$work/mock-stdout" 2>/dev/null && break
    sleep 0.05
done
url=$(sed -n 's/^OPENAI_MOCK_URL=//p' "$work/mock-stdout")
[ -n "$url" ] || { echo "the mock server did not start" >&2; exit 1; }
for program in module_test_objc module_test_c; do
    OPENAI_BASE_URL="$url/v1" OPENAI_API_KEY=sk-swift-module "$work/$program"
    passed=$((passed + 1))
done

if command -v swift >/dev/null 2>&1; then
    echo "== swift build / swift test"
    cd "$here"
    swift build -Xlinker -L"$lib" -Xlinker -rpath -Xlinker "$lib"
    OPENAI_BASE_URL="$url/v1" OPENAI_API_KEY=sk-swift swift test -Xlinker -L"$lib" -Xlinker -rpath -Xlinker "$lib"
    passed=$((passed + 1))
else
    echo "== no Swift toolchain: the Swift sources were checked statically only (see README.md)"
fi
# Every failure above exits at once (set -e), so reaching here means none failed.
echo "swift: $passed passed, 0 failed"
