"""python -m compactcol demo runs and compares every structure."""

import io
import re
import subprocess
import sys

import pytest

from compactcol import _demo
from compactcol.__main__ import main

LABELS = ("list of dicts", "list of dataclasses", "pandas DataFrame", "compactcol.Table")
# one row of the results: structure, memory, bytes/row, traced peak, build time
RESULT_LINE = re.compile(r"^(?P<label>[a-zA-Z. ]+?) +\d+(\.\d)? (B|kB|MB) +(n/a|\d+\.\d) +"
                         r"\d+(\.\d)? (B|kB|MB) +\d+(\.\d+)? (s|ms|us)$")


def test_demo_runs_small(tmp_path):
    # from an empty cwd, so the installed package runs, not the source folder
    r = subprocess.run([sys.executable, "-m", "compactcol", "demo", "--rows", "3000"],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for label in ("list of dicts", "list of dataclasses", "pandas DataFrame", "compactcol.Table"):
        assert label in r.stdout
    assert "smaller than a list of dicts" in r.stdout
    assert "builds in" in r.stdout
    assert "\r" not in r.stderr  # stderr is a pipe: no progress bar frames


def test_readme_command_from_the_checkout_root():
    """The README's first command, `compactcol demo`, typed in the checkout's
    root: the console script runs the installed package even there (where
    `python -m compactcol` would find the source folder)."""
    import os
    import shutil

    exe = shutil.which("compactcol") or os.path.join(os.path.dirname(sys.executable), "compactcol")
    if not os.path.exists(exe):
        import pytest
        pytest.skip("the compactcol command is not installed next to this interpreter")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = subprocess.run([exe, "demo", "--rows", "2000"], capture_output=True, text=True,
                       timeout=300, cwd=root)
    assert r.returncode == 0, r.stderr
    assert "compactcol.Table" in r.stdout


def test_source_folder_import_says_what_to_do(tmp_path):
    """Importing the source folder (no compiled extension) explains itself."""
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not os.path.exists(os.path.join(root, "meson.build")):
        import pytest
        pytest.skip("not run from a checkout")
    r = subprocess.run([sys.executable, "-c", "import compactcol"], capture_output=True,
                       text=True, timeout=60, cwd=root)
    if r.returncode == 0:
        import pytest
        pytest.skip("an in-place build put the extension into the source folder")
    assert "source folder" in r.stderr and "compactcol demo" in r.stderr


def _demo_output(capsys, rows):
    assert main(["demo", "--rows", str(rows)]) == 0
    return capsys.readouterr()


def _result_lines(out):
    found = {}
    for line in out.splitlines():
        m = RESULT_LINE.match(line)
        if m:
            found[m["label"]] = line
    return found


@pytest.mark.parametrize("rows", [0, 1, 50])
def test_demo_output_is_sane_for_any_rows(capsys, rows):
    """Run in-process, stderr captured (not a terminal): one line per phase
    and no progress frames; a memory and build-time line per structure; no
    ratio from empty data, no division by zero."""
    out, err = _demo_output(capsys, rows)
    assert "\r" not in err and "\r" not in out
    found = _result_lines(out)
    assert {"list of dicts", "list of dataclasses", "compactcol.Table"} <= set(found), out
    assert set(found) <= set(LABELS)
    assert "build time" in out and "traced peak" in out
    # the header line, then one line per phase: REPEATS timed builds and one traced build each
    assert len(err.splitlines()) == 1 + len(found) * (_demo.REPEATS + 1), err
    assert not re.search(r"\b(inf|nan)\b|\b0\.0+x", out), out
    if rows == 0:
        assert "x smaller" not in out and "x larger" not in out and "x the time" not in out
        assert "no ratios" in out
        assert all(" n/a " in line for line in found.values())
    else:
        assert re.search(r"compactcol\.Table: \d+\.\dx (smaller|larger) than a list of dicts",
                         out), out
        assert re.search(r"compactcol\.Table: builds in \d+\.\d\dx the time of a list of dicts",
                         out), out
        assert "fixed costs and timer noise dominate" in out  # small counts say so


def test_demo_progress_bar_on_a_terminal(capsys, monkeypatch):
    """On a terminal the bar is redrawn in place, with elapsed and time left."""

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert main(["demo", "--rows", "300"]) == 0
    err = term.getvalue()
    assert "\r" in err and "100%" in err and "left" in err
    assert len(err.splitlines()) >= 1 + 3 * (_demo.REPEATS + 1)


@pytest.mark.parametrize("bad", ["-1", "1.5", "many"])
def test_rows_must_be_a_count(capsys, bad):
    with pytest.raises(SystemExit) as e:
        main(["demo", "--rows", bad])
    assert e.value.code == 2
    assert "argument --rows" in capsys.readouterr().err
