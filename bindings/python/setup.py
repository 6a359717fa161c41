"""The libopenai wheel: the package with the native library in it (stripped), as a platform
wheel, so that ``import libopenai`` finds the library wherever pip puts the package.

Which library goes in:

- ``LIBOPENAI_LIBRARY=/path/to/libopenai.so``: that file (e.g. a build of your own);
- else, inside the repository: the one cargo builds here (``cargo build --release --lib -p
  openai-capi``, into ``$CARGO_TARGET_DIR`` or ``<repo>/target``);
- ``LIBOPENAI_BUNDLE=0``: none, a pure wheel (``py3-none-any``) that loads the installed library
  by its soname (``libopenai.so.0.1``).

The metadata is in pyproject.toml; this file only adds the library to the build.
"""

import os
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel  # setuptools >= 70.1
except ImportError:  # pragma: no cover (older setuptools with the wheel package)
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LIBRARY_NAME = {"darwin": "libopenai.dylib", "win32": "openai.dll"}.get(sys.platform, "libopenai.so")


def bundles():
    return os.environ.get("LIBOPENAI_BUNDLE", "1") != "0"


def library():
    """The path of the library to bundle (built here when none is given)."""
    given = os.environ.get("LIBOPENAI_LIBRARY")
    if given:
        if not os.path.isfile(given):
            raise SystemExit("LIBOPENAI_LIBRARY=%s: no such file" % given)
        return given
    if not os.path.isfile(os.path.join(REPO, "Cargo.toml")):
        raise SystemExit("libopenai's wheel needs the native library: build from the repository, set "
                         "LIBOPENAI_LIBRARY to a built %s, or set LIBOPENAI_BUNDLE=0 for a wheel that uses "
                         "the installed library" % LIBRARY_NAME)
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    subprocess.check_call(["cargo", "build", "--release", "--lib", "-p", "openai-capi"], cwd=REPO,
                          env=dict(os.environ, CARGO_TARGET_DIR=target))
    return os.path.join(target, "release", LIBRARY_NAME)


def strip(path):
    """Removes the debug information (the release profile keeps some for profiling)."""
    tool = shutil.which("strip")
    if tool is None:
        raise SystemExit("`strip` (binutils) is needed to build the wheel")
    subprocess.check_call([tool, "-x" if sys.platform == "darwin" else "--strip-unneeded", path])


class BuildPy(build_py):
    def run(self):
        super().run()
        if bundles():
            dest = os.path.join(self.build_lib, "libopenai", LIBRARY_NAME)
            shutil.copyfile(library(), dest)
            os.chmod(dest, 0o755)
            strip(dest)


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return bundles()  # native code: a platform wheel, installed in platlib


class BdistWheel(bdist_wheel):
    def get_tag(self):
        python, abi, platform = super().get_tag()
        if bundles():
            return "py3", "none", platform  # any Python 3 (ctypes), this platform
        return python, abi, platform


setup(distclass=BinaryDistribution, cmdclass={"build_py": BuildPy, "bdist_wheel": BdistWheel})
