"""The demo: N integers as a list, an array.array, a NumPy array and a
compactcol.Array, each built in a fresh measurement, memory from
tracemalloc (which sees compactcol's buffers: they come from PyMem)."""

import array as _stdarray
import sys
import time
import tracemalloc

from ._core import Array


def _progress(step, total, label):
    width = 30
    done = int(width * step / total)
    sys.stdout.write(f"\r[{'#' * done}{'.' * (width - done)}] {label:<40}")
    sys.stdout.flush()


def _measure(build):
    """(the object, bytes it holds, seconds to build).  Timed without
    tracing (tracemalloc slows every allocation), then rebuilt under
    tracemalloc to count its bytes."""
    t0 = time.perf_counter()
    obj = build()
    seconds = time.perf_counter() - t0
    del obj
    tracemalloc.start()
    obj = build()
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return obj, current, seconds


def run_demo(n):
    try:
        import numpy as np
    except ImportError:
        np = None
    values = range(n)  # row ids: every container is built from the same iterable
    builders = [
        ("list", lambda: list(values)),
        ("array.array('q')", lambda: _stdarray.array("q", values)),
    ]
    if np is not None:
        builders.append(("numpy int64",
                         lambda: np.fromiter(values, dtype=np.int64, count=n)))
    builders.append(("compactcol.Array('int')", lambda: Array("int", values)))
    rows = []
    for k, (name, build) in enumerate(builders):
        _progress(k, len(builders), f"building {name}")
        obj, nbytes, seconds = _measure(build)
        rows.append((name, nbytes, seconds, getattr(obj, "dtype", "")))
        del obj
    _progress(len(builders), len(builders), "done")
    print(f"\n\n{n:,} integers 0..{n - 1:,}\n")
    print(f"{'container':<26}{'memory':>12}{'bytes/item':>12}{'build':>10}")
    for name, nbytes, seconds, dtype in rows:
        note = f"  ({dtype})" if name.startswith("compactcol") else ""
        print(f"{name:<26}{nbytes / 1e6:>10.1f} MB{nbytes / max(n, 1):>12.2f}"
              f"{seconds:>9.3f}s{note}")
    if np is None:
        print("\n(NumPy is not installed: pip install numpy to compare with it)")
    return 0
