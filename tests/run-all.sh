#!/bin/sh
# Runs every test of the project, in the order a failure is cheapest to read:
# the Rust unit and integration tests of the library and the mock server, which include the C
# suite (tests/c and examples-c, plainly, under ASan+UBSan and under valgrind); then each
# binding's own tests.
set -eu
cd "$(dirname "$0")/.."

echo "== cargo test (library, mock server, C suite)"
cargo test --workspace
