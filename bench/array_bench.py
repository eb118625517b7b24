"""Measurements behind ``bench/run.py`` for ``compactcol.Array``.

Two kinds of numbers:

* memory -- every container is built in a fresh interpreter (this file run
  as a script with ``--memory-case``), once under ``tracemalloc`` and once
  untraced for the RSS delta, so neither measurement disturbs the other and
  nothing left over from an earlier case is counted;
* speed -- the same data for every peer, peers interleaved round-robin
  within each repeat (a burst from a noisy neighbour then hits all of them),
  the garbage collector off while timing (as ``timeit`` does), and the
  minimum over the repeats reported.  Anything that must start from the same
  input (sorting) gets a fresh copy made outside the timed region.

This module imports nothing from the repository: ``compactcol`` comes from
``PYTHONPATH`` or the installed package, and NumPy is optional.
"""

from __future__ import annotations

import array as stdarray
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

# ---------------------------------------------------------------------------
# memory: one case per fresh process

# name -> (needs numpy, description).  The builders are in _memory_build.
MEMORY_CASES = {
    "list": (False, "list of int, list(range(n))"),
    "array.array('q')": (False, "array.array('q', lst)"),
    "numpy int64": (True, "np.array(lst, dtype=np.int64)"),
    "Array('int64') from list": (False, "Array('int64', lst)"),
    "Array('int64') by appends": (False, "n x a.append(i)"),
    "array.array('q') by appends": (False, "n x a.append(i)"),
    "Array('int') [0,100) from list": (False, "Array('int', lst), lst[i] in [0,100)"),
    "Array('int') [0,100) by appends": (False, "n x a.append(v), v in [0,100)"),
}


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: the high-water mark is all there is
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _memory_source(case: str, n: int):
    """The input that exists before the measurement starts (not counted)."""
    if case == "list":
        return None
    if "[0,100)" in case:
        rng = random.Random(1)
        return [rng.randrange(100) for _ in range(n)]
    if "by appends" in case:
        return None
    return list(range(n))


def _memory_build(case: str, n: int, src):
    from compactcol import Array

    if case == "list":
        return list(range(n))
    if case == "array.array('q')":
        return stdarray.array("q", src)
    if case == "numpy int64":
        import numpy as np

        return np.array(src, dtype=np.int64)
    if case == "Array('int64') from list":
        return Array("int64", src)
    if case == "Array('int64') by appends":
        a = Array("int64")
        for i in range(n):
            a.append(i)
        return a
    if case == "array.array('q') by appends":
        a = stdarray.array("q")
        for i in range(n):
            a.append(i)
        return a
    if case == "Array('int') [0,100) from list":
        return Array("int", src)
    if case == "Array('int') [0,100) by appends":
        a = Array("int")
        for v in src:
            a.append(v)
        return a
    raise ValueError(case)


def memory_child(case: str, n: int, how: str) -> dict:
    """Runs in the fresh process: build one container, report its cost."""
    import compactcol  # noqa: F401  (imported before any baseline)

    if MEMORY_CASES[case][0]:
        import numpy  # noqa: F401
    src = _memory_source(case, n)
    gc.collect()
    out = {"case": case, "n": n}
    if how == "tracemalloc":
        tracemalloc.start()
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        obj = _memory_build(case, n, src)
        cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out.update(traced=cur - base, traced_peak=peak - base)
    else:
        rss0, max0 = _rss_bytes(), _maxrss_bytes()
        obj = _memory_build(case, n, src)
        rss1, max1 = _rss_bytes(), _maxrss_bytes()
        out.update(rss=rss1 - rss0, maxrss=max(0, max1 - max0))
    out["dtype"] = str(getattr(obj, "dtype", ""))
    out["len"] = len(obj)
    return out


def run_memory(n: int, have_numpy: bool, log=None) -> list[dict]:
    """Each case in two fresh processes (traced, then untraced for RSS)."""
    rows = []
    env = dict(os.environ)
    for case, (needs_np, desc) in MEMORY_CASES.items():
        if needs_np and not have_numpy:
            continue
        row = {"case": case, "desc": desc}
        for how in ("tracemalloc", "rss"):
            if log:
                log(f"memory: {case} ({how})")
            # The script's own directory (bench/) is sys.path[0]: nothing
            # from the checkout's compactcol/ shadows the built package.
            proc = subprocess.run(
                [sys.executable, os.path.abspath(__file__), "--memory-case",
                 case, "--n", str(n), "--how", how],
                capture_output=True, text=True, env=env, timeout=300)
            if proc.returncode != 0:
                raise RuntimeError(f"memory case {case!r} failed:\n{proc.stderr}")
            row.update(json.loads(proc.stdout.strip().splitlines()[-1]))
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# speed: timing helpers


class Timer:
    """Round-robin timing of several peers doing the same thing.

    ``cases`` maps a peer's label to ``(prepare, fn)``.  Like ``timeit``, a
    sample calls ``fn(None)`` ``number`` times in a row, with ``number``
    chosen from an untimed warm-up call so that a sample lasts at least
    ``min_time`` seconds (cheap calls are repeated, so their caches are warm,
    as in any loop that calls them).  A case with a ``prepare`` (sorting:
    every call needs fresh, unsorted input) gets ``prepare()`` untimed before
    each single-call sample.  The peers take turns sample by sample, so a
    burst from a noisy neighbour hits all of them.  Returns, per label, the
    seconds of one call in every sample; callers take the min and median."""

    def __init__(self, repeats: int, min_time: float):
        self.repeats = repeats
        self.min_time = min_time

    @staticmethod
    def _time(fn, arg, number: int) -> float:
        gc_was = gc.isenabled()
        gc.disable()
        try:
            t0 = time.perf_counter_ns()
            for _ in range(number):
                fn(arg)
            t1 = time.perf_counter_ns()
        finally:
            if gc_was:
                gc.enable()
        return (t1 - t0) / 1e9

    def run(self, cases: dict, number: int | None = None,
            repeats: int | None = None) -> dict:
        repeats = repeats or self.repeats
        samples = {label: [] for label in cases}
        numbers = {}
        for label, (prepare, fn) in cases.items():  # warm-up and calibration
            t = self._time(fn, prepare() if prepare else None, 1)
            if prepare:
                numbers[label] = 1
            elif number is not None:
                numbers[label] = number
            else:
                numbers[label] = max(1, min(10**6, int(self.min_time / max(t, 1e-7))))
        for _ in range(repeats):
            for label, (prepare, fn) in cases.items():
                arg = prepare() if prepare else None
                k = numbers[label]
                samples[label].append(self._time(fn, arg, k) / k)
                del arg
        return samples


def summarize(samples: list[float]) -> dict:
    lo = min(samples)
    med = statistics.median(samples)
    return {"min": lo, "median": med, "spread": (med / lo - 1) if lo > 0 else 0.0}


def _quiet_sum(obj):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sum(obj)


# The loops, written as users write them (a local name, a method call).


def loop_append(obj, data):
    for x in data:
        obj.append(x)
    return obj


def loop_pass(data):
    for x in data:  # noqa: B007
        pass


def loop_getitem(obj, idx):
    for i in idx:
        obj[i]


def loop_iter(obj):
    for x in obj:  # noqa: B007
        pass


# ---------------------------------------------------------------------------
# speed: the benchmarks


def make_data(n: int, seed: int = 12345) -> dict:
    """Every dataset, built once and shared by all peers."""
    rng = random.Random(seed)
    d = {}
    # the main integer data: random ints in [0, 10**9) -- ids / counters that
    # need int32 but not int64; what most list-of-int code holds
    d["ints"] = [rng.randrange(10**9) for _ in range(n)]
    # integers over the whole int64 range (multi-digit Python ints)
    d["wide"] = [rng.randrange(-2**63, 2**63) for _ in range(n)]
    d["small"] = [rng.randrange(1000) for _ in range(n)]
    d["floats"] = [rng.random() * 2e6 - 1e6 for _ in range(n)]
    d["idx"] = [rng.randrange(n) for _ in range(n)]
    return d


class SpeedBench:
    def __init__(self, n: int, repeats: int, np, log=None, min_time: float = 0.02):
        from compactcol import Array

        self.Array = Array
        self.n = n
        self.np = np
        self.timer = Timer(repeats, min_time)
        self.repeats = repeats
        self.log = log or (lambda s: None)
        self.log("speed: building the data")
        self.data = make_data(n)
        self.results = {}  # section -> list of row dicts

    # helpers ---------------------------------------------------------------

    def containers(self, key: str, dtype: str = "int64"):
        """The same values as a list, Array, array.array and NumPy array."""
        lst = self.data[key]
        code = {"int64": "q", "float64": "d"}[dtype]
        out = {"list": lst, f"Array('{dtype}')": self.Array(dtype, lst),
               f"array.array('{code}')": stdarray.array(code, lst)}
        if self.np is not None:
            out["numpy"] = self.np.array(lst, dtype=dtype)
        return out

    def record(self, section: str, samples: dict, per: int, unit: str = "ns/elem",
               base: str = "list", notes: dict | None = None, net: dict | None = None):
        """Rows of (label, time per `per`, ratio to `base`, noise)."""
        rows = []
        base_min = min(samples[base]) if base in samples else None
        for label, s in samples.items():
            sm = summarize(s)
            row = {"label": label, "min": sm["min"], "median": sm["median"],
                   "spread": sm["spread"], "per": per, "unit": unit,
                   "ratio": sm["min"] / base_min if base_min else None,
                   "note": (notes or {}).get(label, "")}
            if net is not None and label in net:
                row["net"] = net[label]
            rows.append(row)
        self.results.setdefault(section, []).extend(rows)
        return {r["label"]: r for r in rows}

    # benchmarks --------------------------------------------------------------

    def bench_append(self):
        self.log("speed: append")
        A, data = self.Array, self.data["ints"]
        cases = {
            "list": (None, lambda _: loop_append([], data)),
            "Array('int64')": (None, lambda _: loop_append(A("int64"), data)),
            "array.array('q')": (None, lambda _: loop_append(stdarray.array("q"), data)),
            "Array('int') (adaptive)": (None, lambda _: loop_append(A("int"), data)),
            "empty loop": (None, lambda _: loop_pass(data)),
        }
        s = self.timer.run(cases)
        empty = min(s["empty loop"])
        net = {k: min(v) - empty for k, v in s.items() if k != "empty loop"}
        net_ratio = {k: v / net["list"] for k, v in net.items()}
        rows = self.record("append: `for x in data: obj.append(x)`", s, self.n,
                           net=net_ratio)
        return rows, net_ratio

    def bench_getitem(self):
        self.log("speed: a[i]")
        idx = self.data["idx"]
        c = self.containers("ints")
        cases = {k: (None, (lambda _, o=o: loop_getitem(o, idx))) for k, o in c.items()}
        cases["empty loop"] = (None, lambda _: loop_pass(idx))
        s = self.timer.run(cases)
        empty = min(s["empty loop"])
        net = {k: (min(v) - empty) for k, v in s.items() if k != "empty loop"}
        net_ratio = {k: v / net["list"] for k, v in net.items()}
        rows = self.record("a[i]: `for i in idx: obj[i]`, random indices", s,
                           self.n, net=net_ratio)
        # the same loop over full-range int64 values (multi-digit ints)
        cw = self.containers("wide")
        sw = self.timer.run({k: (None, (lambda _, o=o: loop_getitem(o, idx)))
                             for k, o in cw.items()})
        self.record("a[i], values over the whole int64 range (info)", sw, self.n)
        # sequential indices: the list's objects are read in allocation order,
        # so its loads hit the cache -- the case where boxing costs the most
        seq = list(range(self.n))
        ss = self.timer.run({k: (None, (lambda _, o=o: loop_getitem(o, seq)))
                             for k, o in c.items()})
        self.record("a[i], sequential indices 0..n-1 (info)", ss, self.n)
        return rows, net_ratio

    def bench_iter(self):
        self.log("speed: iteration")
        out = {}
        for key, dtype, title in (
                ("ints", "int64", "iteration: `for x in obj: pass`"),
                ("wide", "int64", "iteration, values over the whole int64 range (info)"),
                ("floats", "float64", "iteration, float64 (info)")):
            c = self.containers(key, dtype)
            s = self.timer.run({k: (None, (lambda _, o=o: loop_iter(o)))
                                for k, o in c.items()})
            out[key] = self.record(title, s, self.n)
        return out["ints"]

    def bench_sum(self):
        self.log("speed: sum")
        out = {}
        for key, dtype, title in (
                ("ints", "int64", "sum(obj)"),
                ("wide", "int64", "sum(obj), values over the whole int64 range (info)"),
                ("floats", "float64", "sum(obj), float64 (info)")):
            c = self.containers(key, dtype)
            cases = {k: (None, (lambda _, o=o: sum(o))) for k, o in c.items()}
            if "numpy" in cases:  # np.int64 additions wrap (and warn) on wide data
                cases["numpy"] = (None, lambda _, o=c["numpy"]: _quiet_sum(o))
            notes = {}
            if self.np is not None and key != "wide":
                arr = c["numpy"]
                cases["numpy .sum()"] = (None, lambda _, a=arr: a.sum())
                notes["numpy .sum()"] = "vectorised, for scale"
            s = self.timer.run(cases)
            out[key] = self.record(title, s, self.n, notes=notes)
        return out["ints"]

    def bench_construct(self):
        self.log("speed: construction")
        A, lst, np = self.Array, self.data["ints"], self.np
        cases = {
            "list(lst) (a copy, for scale)": (None, lambda _: list(lst)),
            "Array('int64', lst)": (None, lambda _: A("int64", lst)),
            "array.array('q', lst)": (None, lambda _: stdarray.array("q", lst)),
            "Array('int', lst) (adaptive)": (None, lambda _: A("int", lst)),
        }
        if np is not None:
            cases["np.array(lst)"] = (None, lambda _: np.array(lst))
            cases["np.array(lst, dtype=np.int64)"] = (
                None, lambda _: np.array(lst, dtype=np.int64))
        s = self.timer.run(cases)
        rows = self.record("construction from a list of ints", s, self.n,
                           base="array.array('q', lst)")
        if np is not None:
            arr = np.array(lst, dtype=np.int64)
            s2 = self.timer.run({
                "Array('int64', ndarray)": (None, lambda _: A("int64", arr)),
                "ndarray.copy()": (None, lambda _: arr.copy()),
                "Array.frombytes('int64', ndarray)": (
                    None, lambda _: A.frombytes("int64", arr)),
                "array.array('q', ndarray.tobytes()) (two copies)": (
                    None, lambda _: stdarray.array("q", arr.tobytes())),
            })
            self.record("construction from a NumPy int64 array (info)", s2, self.n,
                        base="ndarray.copy()")
        return rows

    def bench_search(self):
        self.log("speed: in / index / count")
        np = self.np
        c = self.containers("ints")
        lst = c["list"]
        absent = 10**9 + 7           # outside [0, 10**9): scans everything
        near_end = lst[-10]          # first occurrence is at (or near) the end
        first = lst.index(near_end)
        adaptive = self.Array("int", lst)
        out = {}
        ops = {
            "x in obj (x absent)": (
                lambda o: absent in o,
                (lambda a: bool((a == absent).any())) if np else None,
                "(arr == x).any()"),
            "obj.index(x) (x near the end)": (
                lambda o: o.index(near_end),
                (lambda a: int(np.argmax(a == near_end))) if np else None,
                "np.argmax(arr == x)"),
            "obj.count(x) (x present)": (
                lambda o: o.count(near_end),
                (lambda a: int(np.count_nonzero(a == near_end))) if np else None,
                "np.count_nonzero(arr == x)"),
        }
        for title, (op, np_op, np_label) in ops.items():
            cases = {
                "list": (None, lambda _, op=op: op(lst)),
                "Array('int64')": (None, lambda _, op=op: op(c["Array('int64')"])),
                "array.array('q')": (None, lambda _, op=op: op(c["array.array('q')"])),
                f"Array('int') (adaptive, stored as {adaptive.dtype})": (
                    None, lambda _, op=op: op(adaptive)),
            }
            if np is not None:
                cases[f"numpy {np_label}"] = (None, lambda _, f=np_op: f(c["numpy"]))
            s = self.timer.run(cases)
            out[title] = self.record(f"search: {title}", s, self.n)
        out["_first"] = first
        return out

    def bench_sort(self):
        self.log("speed: sort")
        np, A = self.np, self.Array
        out = {}
        sort_repeats = max(3, self.repeats // 2)
        for key, dtype, title in (
                ("wide", "int64", "sort(): int64, full range"),
                ("small", "int64", "sort(): int64, values in [0, 1000)"),
                ("floats", "float64", "sort(): float64")):
            lst = self.data[key]
            arr = A(dtype, lst)
            cases = {
                "list.sort()": (lambda: lst[:], lambda x: x.sort()),
                f"Array('{dtype}').sort()": (lambda: arr.copy(), lambda x: x.sort()),
            }
            if np is not None:
                nparr = np.array(lst, dtype=dtype)
                cases["numpy ndarray.sort() (np.sort without its copy)"] = (
                    lambda: nparr.copy(), lambda x: x.sort())
                cases["numpy sort(kind='stable')"] = (
                    lambda: nparr.copy(), lambda x: x.sort(kind="stable"))
            s = self.timer.run(cases, repeats=sort_repeats)
            out[key] = self.record(title, s, self.n, base="list.sort()")
        return out

    def bench_asarray(self):
        self.log("speed: np.asarray / memoryview")
        np, A = self.np, self.Array
        small = A("int64", range(1000))
        big_n = 10_000_000
        if np is not None:
            big = A("int64", np.arange(big_n, dtype=np.int64))
        else:
            big = A.frombytes("int64", stdarray.array("q", range(big_n)))
        number = 20000
        cases = {"memoryview(a), 1K": (None, lambda _: memoryview(small).release()),
                 "memoryview(a), 10M": (None, lambda _: memoryview(big).release())}
        if np is not None:
            cases = {"np.asarray(a), 1K": (None, lambda _: np.asarray(small)),
                     "np.asarray(a), 10M": (None, lambda _: np.asarray(big)),
                     **cases}
        s = self.timer.run(cases, number=number)
        base = "np.asarray(a), 1K" if np is not None else "memoryview(a), 1K"
        rows = self.record("zero-copy export: 1K vs 10M elements", s, 1,
                           unit="ns/call", base=base)
        del big
        return rows

    def run_all(self) -> dict:
        t = {}
        t["append"] = self.bench_append()
        t["getitem"] = self.bench_getitem()
        t["iter"] = self.bench_iter()
        t["sum"] = self.bench_sum()
        t["construct"] = self.bench_construct()
        t["search"] = self.bench_search()
        t["sort"] = self.bench_sort()
        t["asarray"] = self.bench_asarray()
        return t


def _child_main(argv: list[str]) -> int:
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--memory-case", required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--how", choices=("tracemalloc", "rss"), required=True)
    a = p.parse_args(argv)
    print(json.dumps(memory_child(a.memory_case, a.n, a.how)))
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
