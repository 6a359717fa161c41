"""Fixtures: the mock OpenAI server (tests/mock_server, started once per session on an ephemeral
port), a client on it, and helpers to script the mock and read its request log.

Environment: OPENAI_C_LIBRARY (libopenai.so) and OPENAI_MOCK_BIN (the openai-mock program); both
default to <repo>/target/debug (CARGO_TARGET_DIR when set), as bindings/python/test.sh builds them.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PY_ROOT = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(PY_ROOT))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")

sys.path.insert(0, PY_ROOT)
os.environ.setdefault("OPENAI_C_LIBRARY", os.path.join(TARGET, "debug", "libopenai.so"))

import libopenai  # noqa: E402


class Mock:
    """The running mock server: its URL, scripts and request log."""

    def __init__(self, url):
        self.url = url
        self.base_url = url + "/v1"

    def _do(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read()
        return json.loads(text) if text[:1] in (b"{", b"[") else text

    def script(self, *scripts):
        return self._do("POST", "/__mock/script", list(scripts))

    def requests(self):
        return self._do("GET", "/__mock/requests")

    def last(self):
        log = self.requests()
        assert log, "the mock received no request"
        return log[-1]

    def connections(self):
        return self._do("GET", "/__mock/connections")

    def reset(self):
        self._do("POST", "/__mock/reset")

    def wait_for(self, predicate, timeout=5.0):
        """Polls the log until predicate(log) is true; returns the log."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.requests()
            if predicate(log):
                return log
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting on the mock log: %s" % json.dumps(log)[:2000])
            time.sleep(0.02)


def header(entry, name):
    """The value of a header of a logged request (None if absent)."""
    for n, v in entry["headers"]:
        if n == name.lower():
            return v
    return None


def mock_binary():
    path = os.environ.get("OPENAI_MOCK_BIN") or os.path.join(TARGET, "debug", "openai-mock")
    if not os.path.exists(path):
        pytest.exit("the mock server %s is missing: run bindings/python/test.sh, or cargo build -p "
                    "openai-mock and set OPENAI_MOCK_BIN" % path, returncode=2)
    return path


@pytest.fixture(scope="session")
def mock():
    proc = subprocess.Popen([mock_binary(), "--quiet", "--exit-on-stdin-eof"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        line = proc.stdout.readline().decode().strip()
        assert line.startswith("OPENAI_MOCK_URL="), "unexpected first line from the mock: %r" % line
        yield Mock(line.split("=", 1)[1])
    finally:
        proc.stdin.close()  # --exit-on-stdin-eof
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


@pytest.fixture(autouse=True)
def _fresh_mock(request):
    if "mock" in request.fixturenames:
        request.getfixturevalue("mock").reset()
    yield


@pytest.fixture
def client(mock):
    c = libopenai.OpenAI(api_key="sk-test", base_url=mock.base_url, max_retries=0)
    yield c
    c.close()


@pytest.fixture
def aclient(mock):
    c = libopenai.AsyncOpenAI(api_key="sk-test", base_url=mock.base_url, max_retries=0)
    yield c
    c.close()
