"""compactcol must import and work without NumPy; conversions that need it
say so.  Runs in a subprocess in which `import numpy` fails."""

import subprocess
import sys
import textwrap


def run_without_numpy(code, cwd):
    prelude = textwrap.dedent("""
        import sys
        sys.modules['numpy'] = None   # makes `import numpy` raise ImportError
    """)
    # cwd: an empty folder, since `python -c` puts the cwd first on sys.path
    # and a checkout's source folder must not shadow the installed package.
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


def test_import_and_array_work_without_numpy(tmp_path):
    r = run_without_numpy("""
        import compactcol
        a = compactcol.Array('int', range(1000))
        a.append(70000)
        a.sort(reverse=True)
        assert a[0] == 70000 and a.dtype == 'int32'
        assert bytes(memoryview(a))[:4] == (70000).to_bytes(4, sys.byteorder)
        assert compactcol.array([1.5, None]).null_count == 1
        assert 'numpy' not in sys.modules or sys.modules['numpy'] is None
        print('ok')
    """, tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_to_numpy_without_numpy_names_the_missing_package(tmp_path):
    r = run_without_numpy("""
        import compactcol
        try:
            compactcol.Array('int64', [1]).to_numpy()
        except ImportError as e:
            print(e)
    """, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "NumPy" in r.stdout and "pip install numpy" in r.stdout
