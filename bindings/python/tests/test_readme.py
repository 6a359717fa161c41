"""The README's example runs as written (against the mock server, through the environment)."""

import os
import re
import subprocess
import sys

from conftest import PY_ROOT

REPLY = "Hello! How can I help you today?"


def _example():
    with open(os.path.join(PY_ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Example", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_example_is_ten_lines():
    lines = [line for line in _example().splitlines() if line.strip()]
    assert len(lines) <= 10


def test_readme_example_runs(mock):
    env = dict(os.environ, OPENAI_API_KEY="sk-readme", OPENAI_BASE_URL=mock.base_url,
               PYTHONPATH=PY_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-c", _example()], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    first, second = r.stdout.split("\n", 1)
    assert first.startswith(REPLY + " ")
    assert first.split()[-1].startswith("req_")
    assert second == REPLY
    assert [e["path"] for e in mock.requests()] == ["/v1/chat/completions"] * 2
