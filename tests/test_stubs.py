"""The shipped .pyi stubs match the runtime (mypy.stubtest)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")

#: what stubtest may find different on purpose (the dtype markers)
ALLOWLIST = Path(__file__).parent / "typing" / "stubtest-allowlist.txt"
#: lets mypy read the package where NumPy (imported lazily) is not installed
MYPY_INI = Path(__file__).parent / "typing" / "mypy.ini"


def test_stubtest_passes(tmp_path):
    # From an empty cwd, so mypy sees only the installed package.
    r = subprocess.run([sys.executable, "-m", "mypy.stubtest", "compactcol",
                        "--allowlist", str(ALLOWLIST), "--mypy-config-file", str(MYPY_INI)],
                       capture_output=True, text=True, cwd=tmp_path, timeout=300,
                       env={**os.environ, "MYPY_CACHE_DIR": str(tmp_path / "cache")})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Success" in r.stdout
