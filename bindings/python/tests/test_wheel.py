"""The wheel, installed the way a user installs it: built with pip from a copy of the binding,
installed with pip into a fresh virtual environment outside the repository, and imported from
a directory outside it with no environment variable pointing at the library: it finds the
stripped library the wheel bundles. A pure wheel (LIBOPENAI_BUNDLE=0) finds the installed
library by its soname instead."""

import os
import shutil
import struct
import subprocess
import sys
import zipfile

import pytest

from conftest import PY_ROOT

PROGRAM = r"""
import os, sys
from libopenai import OpenAI, _lib
import libopenai
client = OpenAI()
completion = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
print(completion.choices[0].message.content)
print("".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], stream=True)))
print(os.path.dirname(libopenai.__file__))
print(_lib.load()._name)
"""


def _copy_binding(dest):
    shutil.copytree(PY_ROOT, dest, ignore=shutil.ignore_patterns(
        "tests", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "libopenai.so*"))


def _build_wheel(src, out, **env):
    env = dict(os.environ, **env)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "--disable-pip-version-check", "-w", str(out), str(src)],
                       env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    wheels = [f for f in os.listdir(out) if f.endswith(".whl")]
    assert len(wheels) == 1, wheels
    return os.path.join(out, wheels[0])


def _elf_sections(data):
    """The section names of a 64-bit little-endian ELF file."""
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    def header(i):
        return struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
    strtab = header(shstrndx)
    names_at, names_size = strtab[4], strtab[5]
    names = data[names_at:names_at + names_size]
    return [names[header(i)[0]:names.index(b"\0", header(i)[0])].decode() for i in range(shnum)]


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_C_LIBRARY", "PYTHONPATH", "LD_LIBRARY_PATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(extra)
    return env


@pytest.mark.skipif(sys.platform != "linux", reason="the wheel test inspects an ELF library")
def test_the_wheel_works_where_pip_puts_it(mock, tmp_path):
    lib = os.environ["OPENAI_C_LIBRARY"]
    _copy_binding(tmp_path / "src")
    wheel = _build_wheel(tmp_path / "src", tmp_path / "dist", LIBOPENAI_LIBRARY=lib)
    name = os.path.basename(wheel)
    assert name.startswith("libopenai-0.1.0-py3-none-linux_") and name.endswith(".whl"), name
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        bundled = z.read("libopenai/libopenai.so")
        assert "libopenai/_schemas.json" in names and "libopenai/_operations.py" in names
        assert not any("/tests/" in n for n in names)
        root_is_purelib = b"Root-Is-Purelib: false" in z.read([n for n in names if n.endswith("/WHEEL")][0])
    assert root_is_purelib
    sections = _elf_sections(bundled)
    assert ".text" in sections and ".dynsym" in sections
    assert not [s for s in sections if s.startswith(".debug")], "the bundled library is not stripped"
    assert len(bundled) < os.path.getsize(lib)

    # a fresh virtual environment outside the repository; pip installs the wheel with no network
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = str(venv / "bin" / "python")
    r = subprocess.run([py, "-m", "pip", "install", "--quiet", "--no-index", "--disable-pip-version-check", wheel],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = _clean_env(OPENAI_API_KEY="sk-wheel-test", OPENAI_BASE_URL=mock.base_url)
    r = subprocess.run([py, "-c", PROGRAM], cwd=str(work), env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    reply, streamed, package_dir, loaded = r.stdout.splitlines()
    assert reply == streamed == "Hello! How can I help you today?"
    assert package_dir.startswith(str(venv)) and "site-packages" in package_dir
    assert loaded == os.path.join(package_dir, "libopenai.so")
    assert [e["path"] for e in mock.requests()] == ["/v1/chat/completions"] * 2

    # the pure wheel: no library inside; the installed one is found by its soname
    _copy_binding(tmp_path / "src-pure")
    pure = _build_wheel(tmp_path / "src-pure", tmp_path / "dist-pure", LIBOPENAI_BUNDLE="0")
    assert os.path.basename(pure) == "libopenai-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(pure) as z:
        assert not [n for n in z.namelist() if "libopenai.so" in n]
    r = subprocess.run([py, "-m", "pip", "install", "--quiet", "--no-index", "--force-reinstall",
                        "--disable-pip-version-check", pure], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    installed = tmp_path / "prefix" / "lib"
    installed.mkdir(parents=True)
    shutil.copyfile(lib, installed / "libopenai.so.0.1")
    r = subprocess.run([py, "-c", PROGRAM], cwd=str(work), env=dict(env, LD_LIBRARY_PATH=str(installed)),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[3] == "libopenai.so.0.1"

    # without either, the import still works and the first call says what to do
    r = subprocess.run([py, "-c", "import libopenai\ntry:\n    libopenai.OpenAI(api_key='k')\n"
                        "except libopenai.LibraryNotFoundError as e:\n    print(e)"],
                       cwd=str(work), env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "libopenai.so.0.1" in r.stdout, r.stdout + r.stderr
