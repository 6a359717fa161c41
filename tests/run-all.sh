#!/usr/bin/env bash
# Runs every test of the project, in the order a failure is cheapest to read:
#   0. tests/setup.sh installs what the tests need and is missing (valgrind, cmake, GoogleTest,
#      clang, pytest, cargo-c, ...): on a fresh machine with only the toolchains, this command
#      is all it takes;
#   1. clippy with warnings denied, on the library, the mock server and every test;
#   2. cargo test: the library's unit and integration tests, the mock server's tests, and the C
#      suite (tests/c and examples-c, plainly, under ASan+UBSan and under valgrind);
#   3. C programs built in the tree as the README says (tests/in-tree.sh), then installs into
#      temporary prefixes with cargo-c (both libdir layouts) and with CMake, each used from
#      outside the tree through pkg-config and CMake, linked dynamically and statically
#      (tests/install.sh);
#   4. each binding's own tests (Go with -race, Python with pytest, C++ with ctest, the Swift
#      module map with clang);
#   5. a scan of everything the above printed for the API keys the tests use: a key must never
#      appear in an error message, a log line or debug output.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}

tests/setup.sh

output=$(mktemp)
trap 'rm -f "$output"' EXIT
run() {
    echo "== $*"
    "$@" 2>&1 | tee -a "$output"
}

run cargo clippy --workspace --all-targets -- -D warnings
# The shared library and the mock server program first: `cargo test` builds the library only as
# the rlib the Rust tests link, while the C suite and the symbol tests load libopenai.so.
run cargo build --workspace
run cargo test --workspace
# The operation and stream suites again over TLS, through the mock's TLS front: with HTTP/2 (as
# the real API is served) and with HTTP/1.1 forced.
for transport in h2 h1-tls; do
    OPENAI_TEST_TRANSPORT=$transport run cargo test --test operations --test operations_all --test streams
done
run tests/in-tree.sh
run tests/install.sh
for binding in go python cpp swift; do
    run "bindings/$binding/test.sh"
done

# The keys of the test suites (tests/common, tests/c, the bindings' tests).
keys=(sk-test-0123456789 sk-c-tests-SECRET-7c2f)
for key in "${keys[@]}"; do
    if grep -F -n -- "$key" "$output"; then
        echo "FAILED: the API key $key appears in the test output above" >&2
        exit 1
    fi
done
echo "== all tests passed; no API key in $(wc -l <"$output") lines of output"
