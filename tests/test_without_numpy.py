"""compactcol must import and work without NumPy; conversions that need it
say so.  Runs in a subprocess in which `import numpy` fails."""

import subprocess
import sys
import textwrap


def run_without_numpy(code):
    prelude = textwrap.dedent("""
        import sys
        sys.modules['numpy'] = None   # makes `import numpy` raise ImportError
    """)
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=120)


def test_import_and_array_work_without_numpy():
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
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_to_numpy_without_numpy_names_the_missing_package():
    r = run_without_numpy("""
        import compactcol
        try:
            compactcol.Array('int64', [1]).to_numpy()
        except ImportError as e:
            print(e)
    """)
    assert r.returncode == 0, r.stderr
    assert "NumPy" in r.stdout and "pip install numpy" in r.stdout
