#!/usr/bin/env python3
"""Copy-on-write buffers (issue 13): what sharing instead of copying buys,
each zero-copy operation next to the copying way of doing the same, in one run.

    python bench/cow_bench.py [--repeats 5] [--out bench/results/cow.md]

Times (best of the repeats, one process):
  - from_arrow of 10 M int64 against 1 K (zero-copy: the same time), and
    against from_arrow(copy=True) of the same array;
  - from_arrow of 1 M strings (zero-copy: validation only) against copy=True;
  - pickle.loads of a 1 M-row, 6-field Table pickled at protocol 5 with its
    buffers out of band, against the same pickle with the buffers in band;
  - Table.copy() of 10 M rows against 1 K rows, and against t[:] (a copy);
  - the first write after an export (it copies that one column) against
    the second (private again).
Memory (each case in a fresh interpreter, after its input exists):
traced bytes kept, traced peak, and RSS growth (a second fresh process with
tracemalloc off), for the same operations.  Table.open of files is measured
by bench/files_bench.py (bench/results/files.md).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pickle
import platform
import subprocess
import sys
import tracemalloc

# run as a script, so bench/ is on sys.path
from strings_bench import best_of, random_strings

HERE = os.path.dirname(os.path.abspath(__file__))


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ---- inputs ------------------------------------------------------------------------------------


def int64_array(n):
    import numpy as np
    import pyarrow as pa
    return pa.array(np.arange(n, dtype=np.int64))


def string_array(n):
    import pyarrow as pa
    return pa.array(random_strings(n), pa.string())


def six_field_table(n):
    import numpy as np

    import compactcol as cc
    rng = np.random.default_rng(13)
    words = random_strings(n)
    cats = [f"sym{i:02d}" for i in range(50)]
    import pyarrow as pa
    at = pa.table({
        "id": pa.array(np.arange(n, dtype=np.int64)),
        "price": pa.array(rng.random(n) * 100),
        "qty": pa.array(rng.integers(0, 1000, n, dtype=np.int32)),
        "flag": pa.array(rng.random(n) < 0.5),
        "name": pa.array(words, pa.string()),
        "sym": pa.array([cats[i] for i in rng.integers(0, 50, n)]).dictionary_encode(),
    })
    return cc.Table.from_arrow(at, copy=True)


def pickled(table, out_of_band):
    if not out_of_band:
        return pickle.dumps(table, protocol=5), None
    bufs = []
    data = pickle.dumps(table, protocol=5, buffer_callback=bufs.append)
    # as received from another process: immutable frames of their own, not
    # the table's (a writable bytearray would be copied: its owner may write)
    return data, [bytes(b.raw()) for b in bufs]


# ---- the cases: (setup -> state, operation(state) -> result) ---------------------------------------


def _from_arrow(make, n, copy):
    import compactcol as cc
    return (lambda: make(n)), (lambda arr: cc.from_arrow(arr, copy=copy))


def _loads(n, out_of_band):
    def setup():
        return pickled(six_field_table(n), out_of_band)
    return setup, (lambda s: pickle.loads(s[0], buffers=s[1]) if s[1] else pickle.loads(s[0]))


def _copy(n, how):
    return (lambda: six_field_table(n)), ((lambda t: t.copy()) if how == "copy()"
                                          else (lambda t: t[:]))


# name -> (the case at a size n -> (setup, operation), n)
CASES = {
    "from_arrow 10 M int64": (lambda n: _from_arrow(int64_array, n, False), 10_000_000),
    "from_arrow(copy=True) 10 M int64": (lambda n: _from_arrow(int64_array, n, True), 10_000_000),
    "from_arrow 1 M strings": (lambda n: _from_arrow(string_array, n, False), 1_000_000),
    "from_arrow(copy=True) 1 M strings": (lambda n: _from_arrow(string_array, n, True), 1_000_000),
    "pickle.loads 1 M-row Table, protocol 5 out of band": (lambda n: _loads(n, True), 1_000_000),
    "pickle.loads 1 M-row Table, protocol 5 in band": (lambda n: _loads(n, False), 1_000_000),
    "Table.copy() 10 M rows": (lambda n: _copy(n, "copy()"), 10_000_000),
    "t[:] 10 M rows (a copy)": (lambda n: _copy(n, "slice"), 10_000_000),
}


def measure_in_child(case: str, traced: bool) -> dict:
    """Runs one case in this (fresh) process: its setup, once on 10 rows to
    warm the code path (lazy imports, caches: one-time costs, not the
    operation's), then the operation on its input."""
    make, n = CASES[case]
    setup, op = make(10)
    op(setup())
    setup, op = make(n)
    state = setup()
    if traced:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = op(state)
        now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        nbytes = getattr(result, "nbytes", None)
        return {"traced": now - before, "peak": peak - before, "nbytes": nbytes}
    before = rss_bytes()
    result = op(state)
    return {"rss": rss_bytes() - before, "kept": result is not None}


def measure(case: str) -> dict:
    out = {}
    for traced in (True, False):
        cmd = [sys.executable, os.path.abspath(__file__), "--child", case]
        if traced:
            cmd.append("--traced")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        out.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


# ---- times ---------------------------------------------------------------------------------------


def times(repeats: int) -> dict:
    import pyarrow as pa

    import compactcol as cc

    r = {}
    big, small = int64_array(10_000_000), int64_array(1000)
    r["from_arrow 10 M int64"] = best_of(lambda: cc.from_arrow(big), repeats)
    r["from_arrow 1 K int64"] = best_of(lambda: cc.from_arrow(small), repeats)
    r["from_arrow(copy=True) 10 M int64"] = best_of(lambda: cc.from_arrow(big, copy=True), repeats)
    strs = string_array(1_000_000)
    r["from_arrow 1 M strings"] = best_of(lambda: cc.from_arrow(strs), repeats)
    r["from_arrow(copy=True) 1 M strings"] = best_of(lambda: cc.from_arrow(strs, copy=True),
                                                     repeats)
    del big, strs

    t = six_field_table(1_000_000)
    oob, in_band = pickled(t, True), pickled(t, False)
    r["pickle.loads 1 M rows, out of band"] = best_of(
        lambda: pickle.loads(oob[0], buffers=oob[1]), repeats)
    r["pickle.loads 1 M rows, in band"] = best_of(lambda: pickle.loads(in_band[0]), repeats)
    del t, oob, in_band

    big_t, small_t = six_field_table(10_000_000), six_field_table(1000)
    r["Table.copy() 10 M rows"] = best_of(big_t.copy, repeats)
    r["Table.copy() 1 K rows"] = best_of(small_t.copy, repeats)
    r["t[:] 10 M rows (a copy)"] = best_of(lambda: big_t[:], 1)

    col = big_t["price"]
    def first_write():
        snapshot = pa.array(col)  # shares the column ...
        col[0] = 1.0              # ... so this write copies it first
        return snapshot
    def second_write():
        col[1] = 2.0              # private again: in place
    r["first write after an export, 10 M float64 (copies the column)"] = best_of(first_write, 1)
    r["a write to a private column"] = best_of(second_write, repeats)
    return r


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--out", default=os.path.join(HERE, "results", "cow.md"))
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(measure_in_child(args.child, args.traced)))
        return
    import pyarrow as pa

    import compactcol

    start = datetime.datetime.now()
    r = times(args.repeats)
    mem = {case: measure(case) for case in CASES}

    targets = []

    def check(what, measured, op, target, unit=""):
        ok = measured <= target if op == "<=" else measured >= target
        targets.append(f"- **{'PASS' if ok else 'MISS'}** {what}: {measured:,.3g}{unit} "
                       f"(target {op} {target:,g}{unit})")

    check("from_arrow 10 M int64 / 1 K int64 (time)",
          r["from_arrow 10 M int64"] / r["from_arrow 1 K int64"], "<=", 3)
    check("from_arrow 10 M int64, traced allocation", mem["from_arrow 10 M int64"]["traced"],
          "<=", 1024, " B")
    strs_bytes = 1_000_000 * 4 + sum(len(w.encode()) for w in random_strings(1_000_000))
    check("from_arrow 1 M strings, traced allocation / data",
          100 * mem["from_arrow 1 M strings"]["traced"] / strs_bytes, "<=", 1, " %")
    check("from_arrow(copy=True) / from_arrow, 1 M strings (time)",
          r["from_arrow(copy=True) 1 M strings"] / r["from_arrow 1 M strings"], ">=", 2)
    loads = mem["pickle.loads 1 M-row Table, protocol 5 out of band"]
    check("pickle.loads out of band, traced allocation / nbytes",
          100 * loads["traced"] / loads["nbytes"], "<=", 1, " %")
    check("Table.copy() 10 M rows / 1 K rows (time)",
          r["Table.copy() 10 M rows"] / r["Table.copy() 1 K rows"], "<=", 3)

    lines = ["# compactcol copy-on-write buffers: benchmark report", "",
             f"- date: {start:%Y-%m-%d %H:%M}, wall {datetime.datetime.now() - start}",
             f"- python {sys.version.split()[0]}, pyarrow {pa.__version__}, compactcol from "
             f"{os.path.dirname(compactcol.__file__)}",
             f"- machine: {platform.machine()}, {os.cpu_count()} cpus, load "
             f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
             f"- command: python bench/cow_bench.py --repeats {args.repeats}", "",
             "## Targets", "", *targets, "",
             "## Times (seconds, best of the repeats; the copying way next to each)", "",
             "| operation | seconds |", "|---|---:|"]
    lines += [f"| {k} | {v:.6f} |" for k, v in r.items()]
    lines += ["", "## Memory (bytes; each case in a fresh process after its input exists)", "",
              "Traced: tracemalloc around the operation (kept = traced bytes still "
              "allocated after it; peak = the highest point during it). RSS growth: "
              "another fresh process, tracemalloc off.", "",
              "| operation | traced kept | traced peak | RSS growth |", "|---|---:|---:|---:|"]
    lines += [f"| {k} | {m['traced']:,} | {m['peak']:,} | {m['rss']:,} |" for k, m in mem.items()]
    report = "\n".join(lines) + "\n"
    print(report)
    with open(args.out, "w") as f:
        f.write(report)


if __name__ == "__main__":
    main()
