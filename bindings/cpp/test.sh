#!/bin/sh
# Builds libopenai and the mock server with cargo, then the C++ binding's tests with CMake, and
# runs them with ctest: the GoogleTest suite plainly (one ctest entry per test case), under
# ASan+UBSan and under valgrind, the standalone header builds, and the drift check of the
# generated files. Then test-install.sh: the binding as a user gets it, installed with the library
# into a fresh prefix (cargo cinstall) and used from outside the tree through find_package(openai),
# pkg-config and add_subdirectory. Needs cmake, a C++17 compiler, GoogleTest (Debian:
# libgtest-dev), python3, cargo-c and pkg-config; valgrind is used when installed.
#
#   bindings/cpp/test.sh                              # builds into ${CARGO_TARGET_DIR:-target}
#   CARGO_TARGET_DIR=/tmp/t bindings/cpp/test.sh -R Streams   # extra arguments go to ctest
#   OPENAI_CPP_SKIP_INSTALL=1 bindings/cpp/test.sh    # the ctest suite only
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
if [ -z "${OPENAI_CPP_SKIP_INSTALL:-}" ]; then
    "$here/test-install.sh"
fi
