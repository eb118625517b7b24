"""python -m compactcol demo runs and compares every structure."""

import subprocess
import sys


def test_demo_runs_small(tmp_path):
    # from an empty cwd, so the installed package runs, not the source folder
    r = subprocess.run([sys.executable, "-m", "compactcol", "demo", "--rows", "3000"],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for label in ("list of dicts", "list of dataclasses", "pandas DataFrame", "compactcol.Table"):
        assert label in r.stdout
    assert "smaller than a list of dicts" in r.stdout
    assert "100%" in r.stderr  # the progress bar ran to the end
