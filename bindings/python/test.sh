#!/bin/sh
# The Python binding's tests, runnable from anywhere (CI runs it from tests/run-all.sh):
# builds libopenai and the mock server with cargo (debug) into ${CARGO_TARGET_DIR:-<repo>/target},
# then runs pytest on bindings/python/tests. Extra arguments go to pytest (e.g. -k stream -x).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
case $target in /*) ;; *) target=$(pwd)/$target ;; esac  # relative to the caller, as for cargo

cd "$repo"
CARGO_TARGET_DIR=$target cargo build --quiet --lib -p openai-capi
CARGO_TARGET_DIR=$target cargo build --quiet -p openai-mock

lib=$target/debug/libopenai.so
[ "$(uname)" = Darwin ] && lib=$target/debug/libopenai.dylib
export OPENAI_C_LIBRARY="$lib"
export OPENAI_MOCK_BIN="$target/debug/openai-mock"
export CARGO_TARGET_DIR="$target"
# the tests must never reach a real endpoint or pick up the caller's credentials
unset OPENAI_API_KEY OPENAI_BASE_URL OPENAI_ORG_ID OPENAI_PROJECT_ID HTTPS_PROXY HTTP_PROXY ALL_PROXY \
      https_proxy http_proxy all_proxy 2>/dev/null || true

exec "${PYTHON:-python3}" -m pytest -q -p no:cacheprovider "$repo/bindings/python/tests" "$@"
