#!/bin/sh
# Builds libopenai and the mock server with cargo, then the C++ binding's tests with CMake, and
# runs them with ctest: the GoogleTest suite plainly (one ctest entry per test case), under
# ASan+UBSan and under valgrind, the standalone header builds, and the drift check of the
# generated files. Needs cmake, a C++17 compiler, GoogleTest (Debian: libgtest-dev), python3;
# valgrind is used when installed.
#
#   bindings/cpp/test.sh                              # builds into ${CARGO_TARGET_DIR:-target}
#   CARGO_TARGET_DIR=/tmp/t bindings/cpp/test.sh -R Streams   # extra arguments go to ctest
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
export CARGO_TARGET_DIR="$target"

cd "$root"
cargo build --lib -p openai-capi
cargo build -p openai-mock

build="$target/cpp-binding"
cmake -S "$here" -B "$build" -DOPENAI_LIB_DIR="$target/debug" -DCMAKE_BUILD_TYPE=Debug
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)"
OPENAI_MOCK_BIN="$target/debug/openai-mock" ctest --test-dir "$build" --output-on-failure -j 2 "$@"
