#!/bin/sh
# What can be tested of the Swift binding on a machine without a Swift toolchain (none can be
# installed on the machines this project is developed and tested on; see README.md). No Swift is
# compiled or run here unless `swift` is on PATH. What is checked, each named in the summary:
#   1. the drift check: Sources/OpenAI/Operations.swift is what gen.py makes of operations.json;
#   2. static checks of the Swift sources: every C function they call exists in include/openai.h
#      with that many parameters, every error code of bindings/codes.json has its case in
#      OpenAIError.kind(of:), and every file parses with tree-sitter's Swift grammar (PyPI's
#      tree-sitter and tree-sitter-swift, installed into a venv under the target directory;
#      reported as not checked when PyPI cannot be reached);
#   3. the module map as SwiftPM uses it: libopenai installed with `cargo cinstall` into a fresh
#      prefix, and tests/module_test.c compiled by clang -fmodules through
#      Sources/COpenAI/module.modulemap (as Objective-C `@import COpenAI;`, the way Swift's
#      importer reads it, and as C) with only what `pkg-config --cflags --libs openai` gives (what
#      Package.swift's `pkgConfig: "openai"` makes SwiftPM pass), once without that include path
#      (it must fail: the header comes from the installed prefix only), then run against the mock
#      server (a chat completion, streams and WebSocket sessions through the callback forms the
#      Swift layer wraps, and the helpers Helpers.swift wraps: a chunked upload with progress, a
#      create-and-poll, webhook verification and unwrap).
# Needs python3, clang (Debian: apt-get install clang), cargo-c and pkg-config. When `swift` is
# on PATH, also runs `swift build` and `swift test` against the installed library.
#
#   bindings/swift/test.sh          # builds libopenai and the mock into ${CARGO_TARGET_DIR:-target}
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
export CARGO_TARGET_DIR="$target"
CLANG=${CLANG:-clang}
summary=""
checked() { summary="$summary
  checked: $1"; }
unchecked() { summary="$summary
  NOT checked: $1"; }

echo "== drift check of the generated Swift"
python3 "$here/gen.py" --check
checked "Sources/OpenAI/Operations.swift is what gen.py makes of bindings/operations.json"

echo "== C calls and codes of the Swift sources against include/openai.h and bindings/codes.json"
calls=$(python3 "$here/tests/check_c_calls.py")
echo "$calls"
checked "$calls (names, arity and codes only: no C types)"

echo "== Swift syntax (tree-sitter-swift)"
venv="$target/swift-syntax-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import tree_sitter, tree_sitter_swift" 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv" && "$venv/bin/pip" install -q "tree-sitter==0.26.1" "tree-sitter-swift==0.7.4" || rm -rf "$venv"
fi
if [ -x "$venv/bin/python" ]; then
    parsed=$("$venv/bin/python" "$here/tests/check_swift_syntax.py")
    echo "$parsed"
    checked "$parsed (tree-sitter's grammar: syntax only, no types)"
else
    echo "warning: could not install tree-sitter-swift" >&2
    unchecked "the Swift syntax (tree-sitter-swift could not be installed from PyPI)"
fi

for tool in "$CLANG" cargo-cinstall pkg-config; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool not found: the module map test needs clang, cargo-c and pkg-config" >&2; exit 1; }
done

work="$target/swift-binding"
rm -rf "$work"
mkdir -p "$work/cache-objc" "$work/cache-c" "$work/cache-none"
prefix="$work/prefix"
echo "== cargo cinstall --release --prefix=<fresh prefix>, and the mock server"
cd "$root"
cargo cinstall --release --prefix="$prefix"
cargo build -p openai-mock
pc=$(find "$prefix" -name openai.pc -print -quit)
[ -n "$pc" ] || { echo "no openai.pc installed" >&2; exit 1; }
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
libdir=$(pkg-config --variable=libdir openai)
cflags=$(pkg-config --cflags openai)
libs=$(pkg-config --libs openai)

echo "== compile tests/module_test.c through the COpenAI module ($("$CLANG" --version | head -n 1))"
modulemap="$here/Sources/COpenAI/module.modulemap"
flags="-fmodules -fmodule-map-file=$modulemap -Wall -Wextra -Werror -pedantic -pthread"
# Without pkg-config's include path, the module's header cannot be found: the module reaches the
# installed header only (unless the system has an openai.h of its own, where this proves nothing).
if echo '#include <openai.h>' | "$CLANG" -E -x c - >/dev/null 2>&1; then
    unchecked "that the module fails without pkg-config's include path (this system has an openai.h on its default path)"
else
    # shellcheck disable=SC2086 # flag lists
    if "$CLANG" $flags -std=c11 -fmodules-cache-path="$work/cache-none" -x c -c "$here/tests/module_test.c" \
        -o "$work/none.o" 2>"$work/none.err"; then
        echo "the COpenAI module compiled without the installed include path: it reaches a header of its own" >&2
        exit 1
    fi
    grep -q "'openai.h' file not found" "$work/none.err" || { cat "$work/none.err" >&2; exit 1; }
fi
# With it (and nothing else: no -I of the repository), as Objective-C and as C.
# shellcheck disable=SC2086 # flag lists
"$CLANG" $flags $cflags -fmodules-cache-path="$work/cache-objc" -x objective-c "$here/tests/module_test.c" \
    -o "$work/module_test_objc" $libs -Wl,-rpath,"$libdir"
# shellcheck disable=SC2086
"$CLANG" $flags $cflags -std=c11 -fmodules-cache-path="$work/cache-c" -x c "$here/tests/module_test.c" \
    -o "$work/module_test_c" $libs -Wl,-rpath,"$libdir"
for cache in cache-objc cache-c; do
    if ! find "$work/$cache" -name 'COpenAI-*.pcm' | grep -q .; then
        echo "no COpenAI module was built in $work/$cache" >&2
        exit 1
    fi
done
for program in module_test_objc module_test_c; do
    libraries=$(ldd "$work/$program")
    case $libraries in
    *"=> $libdir/libopenai.so"*) ;;
    *) printf '%s does not load the installed libopenai:\n%s\n' "$program" "$libraries" >&2; exit 1 ;;
    esac
done
checked "the COpenAI module map, built by clang -fmodules as Objective-C (@import) and as C with only pkg-config's flags for an installed prefix, the programs loading the installed libopenai"

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
done
checked "the C calls the Swift layer wraps (client, async callback, stream callback, blocking stream, an API error's fields, Realtime and Responses WebSocket sessions with their callbacks, a chunked upload with progress, a create-and-poll, webhook verify and unwrap), made through the module against the mock, from both programs"

if command -v swift >/dev/null 2>&1; then
    echo "== swift build / swift test"
    cd "$here"
    swift build -Xlinker -rpath -Xlinker "$libdir"
    OPENAI_BASE_URL="$url/v1" OPENAI_API_KEY=sk-swift swift test -Xlinker -rpath -Xlinker "$libdir"
    checked "swift build and swift test (XCTest against the mock)"
else
    unchecked "that the Swift compiles (swift build): no Swift toolchain on this machine"
    unchecked "the Swift layer's behaviour (swift test, Tests/OpenAITests): no Swift toolchain on this machine"
fi
# Every failure above exits at once (set -e), so reaching here means every check listed passed.
echo "== swift binding:$summary"
