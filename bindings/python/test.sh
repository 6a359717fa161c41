#!/bin/sh
# The Python binding's tests, runnable from anywhere (CI runs it from tests/run-all.sh):
# builds libopenai and the mock server with cargo (debug) into ${CARGO_TARGET_DIR:-<repo>/target},
# makes (once) a virtual environment there with the test tools and the official `openai`
# package from PyPI (the tests run programs written for it against both), then runs pytest on
# bindings/python/tests. Extra arguments go to pytest (e.g. -k stream -x).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
case $target in /*) ;; *) target=$(pwd)/$target ;; esac  # relative to the caller, as for cargo

cd "$repo"
CARGO_TARGET_DIR=$target cargo build --quiet --lib -p openai-capi
CARGO_TARGET_DIR=$target cargo build --quiet -p openai-mock

# The test environment: pytest, PyYAML (generate.py's drift check reads the specification),
# setuptools and wheel (the wheel test builds the binding's wheel), and the official SDK the
# comparison tests run against (with websockets, its Realtime dependency). Pinned, so that a new SDK release changes nothing unnoticed.
requirements="pytest==9.2.0 PyYAML==6.0.4 setuptools==84.2.1 wheel==0.48.0 openai==3.57.0 websockets==15.0.1"
venv=$target/python-venv
if [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$requirements" ]; then
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv"
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $requirements
    echo "$requirements" >"$venv/.requirements"
fi

lib=$target/debug/libopenai.so
[ "$(uname)" = Darwin ] && lib=$target/debug/libopenai.dylib
export OPENAI_C_LIBRARY="$lib"
export OPENAI_MOCK_BIN="$target/debug/openai-mock"
export CARGO_TARGET_DIR="$target"
# the tests must never reach a real endpoint or pick up the caller's credentials
unset OPENAI_API_KEY OPENAI_BASE_URL OPENAI_ORG_ID OPENAI_PROJECT_ID OPENAI_WEBHOOK_SECRET OPENAI_ADMIN_KEY \
      HTTPS_PROXY HTTP_PROXY ALL_PROXY https_proxy http_proxy all_proxy 2>/dev/null || true

exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$repo/bindings/python/tests" "$@"
