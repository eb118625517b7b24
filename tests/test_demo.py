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
