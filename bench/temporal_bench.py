#!/usr/bin/env python3
"""Dates, times and decimals (issue 15): memory, build, iteration, sort and
zero-copy export of the temporal Array dtypes against a list of `datetime`
objects, pandas and PyArrow, and the memory of a decimal128 Array against a
list of `Decimal` and PyArrow, side by side in one run.

    python bench/temporal_bench.py [--n 1000000] [--quick] [--repeats 5]
                                   [--out bench/results/temporal.md]

Data: n naive `datetime.datetime` values, random seconds over 2000-2030
with random microseconds (seed 15), and the `datetime.date` of each; n
random amounts with 2 places and up to 10 digits before the point.

Memory: each container is built in two fresh child processes (this file
with ``--child``), one after the other.  Both import the libraries, build
and drop a 1,000-value version of the container (lazy imports, pyarrow's
memory pool), make the input (the list of datetimes, or of dates) and call
glibc's ``malloc_trim(0)`` before the baseline, as bench/memory_bench.py
does.  The traced child reports tracemalloc's bytes after the build minus
before; the other never starts tracemalloc and reports the growth of the
resident set (``/proc/self/statm``).  PyArrow's buffers live in its own
pool, which tracemalloc cannot see: its traced column is ``nbytes``.

Speed: in this process, best of --repeats with the garbage collector off
(a sort's fresh copy is made outside the timing).  Prints a markdown report
and writes it.
"""

from __future__ import annotations

import argparse
import datetime
import decimal
import gc
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _memory import Run, have_module, malloc_trim, rss_bytes, trim_line  # noqa: E402

DEFAULT_OUT = os.path.join(HERE, "results", "temporal.md")
MIB = 1024 * 1024
SEED = 15
BASE = datetime.datetime(2000, 1, 1)
SPAN = int((datetime.datetime(2030, 1, 1) - BASE).total_seconds())

# ---------------------------------------------------------------------------
# data


def datetimes(n: int, seed: int = SEED) -> list:
    """n naive datetimes: random seconds over 2000-2030, random microseconds."""
    r = random.Random(seed)
    td = datetime.timedelta
    return [BASE + td(seconds=r.randrange(SPAN), microseconds=r.randrange(1_000_000))
            for _ in range(n)]


def with_nulls(lst: list) -> list:
    """Every 10th value None."""
    return [None if i % 10 == 0 else x for i, x in enumerate(lst)]


# ---------------------------------------------------------------------------
# memory cases: key -> (label, built as, input, optional modules)

CASES = {
    "list": ("list of `datetime` (peer)",
             "`[BASE + timedelta(microseconds=u) for u in offsets]`: fresh objects",
             "n int offsets in microseconds", ()),
    "ts": ("Array('datetime64[us]')", "`Array('datetime64[us]', lst)`",
           "`lst`: n datetimes", ()),
    "ts-null": ("Array('datetime64[us]', nullable=True), 10% None",
                "`Array('datetime64[us]', lst, nullable=True)`",
                "n datetimes, every 10th None", ()),
    "date": ("Array('date32')", "`Array('date32', dates)`", "`dates`: n dates", ()),
    "pandas": ("pandas `to_datetime` (DatetimeIndex)", "`pd.to_datetime(lst)`",
               "`lst`: n datetimes", ("pandas",)),
    "pyarrow": ("pyarrow `timestamp[us]`", "`pa.array(lst)`", "`lst`: n datetimes",
                ("pyarrow",)),
    "pyarrow-date": ("pyarrow `date32`", "`pa.array(dates)`", "`dates`: n dates",
                     ("pyarrow",)),
    "list-dec": ("list of `Decimal` (peer)", "`[Decimal(u).scaleb(-2) for u in units]`: "
                 "fresh objects", "n int amounts in cents", ()),
    "dec": ("Array('decimal128(12, 2)')", "`Array('decimal128(12, 2)', decs)`",
            "`decs`: n Decimals with 2 places", ()),
    "dec-null": ("Array('decimal128(12, 2)', nullable=True), 10% None",
                 "`Array('decimal128(12, 2)', decs, nullable=True)`",
                 "n Decimals, every 10th None", ()),
    "pyarrow-dec": ("pyarrow `decimal128(12, 2)`", "`pa.array(decs, pa.decimal128(12, 2))`",
                    "`decs`: n Decimals", ("pyarrow",)),
}

# issue 15's memory targets, B/value
MEM_TARGETS = {"ts": 8.1, "date": 4.1, "ts-null": 8.1 + 1 / 8, "dec": 16.1,
               "dec-null": 16.1 + 1 / 8}


def cents(n: int) -> list:
    """n amounts in cents, up to 10 digits before the point."""
    r = random.Random(SEED)
    return [r.randrange(-10**12 + 1, 10**12) for _ in range(n)]


def make_input(case: str, n: int):
    if case == "list-dec":
        return cents(n)
    if case in ("dec", "dec-null", "pyarrow-dec"):
        decs = [decimal.Decimal(u).scaleb(-2) for u in cents(n)]
        return with_nulls(decs) if case == "dec-null" else decs
    if case == "list":
        r = random.Random(SEED)
        return [r.randrange(SPAN) * 1_000_000 + r.randrange(1_000_000) for _ in range(n)]
    lst = datetimes(n)
    if case == "ts-null":
        return with_nulls(lst)
    if case in ("date", "pyarrow-date"):
        return [x.date() for x in lst]
    return lst


def build(case: str, src):
    import compactcol as cc

    if case == "list":
        td = datetime.timedelta
        return [BASE + td(microseconds=u) for u in src]
    if case == "list-dec":
        return [decimal.Decimal(u).scaleb(-2) for u in src]
    if case in ("dec", "dec-null"):
        return cc.Array("decimal128(12, 2)", src, nullable=case == "dec-null")
    if case == "pyarrow-dec":
        import pyarrow as pa
        return pa.array(src, pa.decimal128(12, 2))
    if case == "ts":
        return cc.Array("datetime64[us]", src)
    if case == "ts-null":
        return cc.Array("datetime64[us]", src, nullable=True)
    if case == "date":
        return cc.Array("date32", src)
    if case == "pandas":
        import pandas as pd
        return pd.to_datetime(src)
    if case in ("pyarrow", "pyarrow-date"):
        import pyarrow as pa
        return pa.array(src)
    raise ValueError(case)


def child(case: str, n: int, how: str, trim: bool = True) -> dict:
    import importlib

    import compactcol  # noqa: F401  (imports come before any baseline)

    for mod in CASES[case][3]:
        importlib.import_module(mod)
    warm = build(case, make_input(case, 1000))  # first-use setup is not per value
    del warm
    src = make_input(case, n)
    gc.collect()
    trimmed = malloc_trim() if trim else False
    out = {"case": case, "how": how, "trimmed": trimmed}
    if how == "traced":
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        t0 = time.perf_counter()
        obj = build(case, src)
        seconds = time.perf_counter() - t0
        cur = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        out.update(traced=cur - base, seconds=seconds)
    else:
        rss0 = rss_bytes()
        t0 = time.perf_counter()
        obj = build(case, src)
        seconds = time.perf_counter() - t0
        out.update(rss=rss_bytes() - rss0, seconds=seconds)
    out["len"] = len(obj)
    nbytes = getattr(obj, "nbytes", None)
    if isinstance(nbytes, int):
        out["nbytes"] = nbytes
    if hasattr(obj, "dtype"):
        out["dtype"] = str(obj.dtype)
    elif hasattr(obj, "type"):
        out["dtype"] = str(obj.type)
    return out


def run_child(case: str, n: int, how: str, trim: bool) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", case, "--how", how,
           "--n", str(n)] + ([] if trim else ["--no-trim"])
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return {"error": f"{how} child timed out after 300 s"}
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
        return {"error": f"{how} child: {lines[-1]}"}
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": f"{how} child printed no result"}


# ---------------------------------------------------------------------------
# speed


def best_of(fn, repeats: int, setup=None) -> float:
    """Best time of fn() over repeats, gc off; setup() (untimed) gives fn's argument."""
    gc.collect()
    gc.disable()
    try:
        best = float("inf")
        for _ in range(repeats):
            arg = setup() if setup else None
            t = time.perf_counter()
            fn(arg) if setup else fn()
            best = min(best, time.perf_counter() - t)
            del arg
        return best
    finally:
        gc.enable()


def per_call(fn, repeats: int, min_sample: float = 0.02) -> float:
    """timeit-like: a sample runs fn `number` times (at least min_sample s);
    the best sample over repeats, per call."""
    fn()
    number = 1
    while True:
        t = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - t >= min_sample or number >= 1 << 20:
            break
        number *= 2
    gc.collect()
    gc.disable()
    try:
        best = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            for _ in range(number):
                fn()
            best = min(best, (time.perf_counter() - t) / number)
        return best
    finally:
        gc.enable()


def iterate(obj):
    for _ in obj:
        pass


def run_speed(n: int, repeats: int, big: int, small: int, log) -> dict:
    import compactcol as cc

    try:
        import numpy as np
    except ImportError:
        np = None
    try:
        import pandas as pd
    except ImportError:
        pd = None
    try:
        import pyarrow as pa
    except ImportError:
        pa = None

    s = {}
    lst = datetimes(n)
    dates = [x.date() for x in lst]

    log("build")
    s["build cc"] = best_of(lambda: cc.Array("datetime64[us]", lst), repeats)
    if pd:
        s["build pd"] = best_of(lambda: pd.to_datetime(lst), repeats)
    if pa:
        s["build pa"] = best_of(lambda: pa.array(lst), repeats)
        s["pa type"] = str(pa.array(lst[:10]).type)
    a = cc.Array("datetime64[us]", lst)
    assert a.tolist() == lst

    log("iterate")
    s["iter cc"] = best_of(lambda: iterate(a), repeats)
    s["iter list"] = best_of(lambda: iterate(lst), repeats)
    scattered = sorted(lst)  # the same objects, no longer in allocation order
    s["iter scattered"] = best_of(lambda: iterate(scattered), repeats)
    del scattered
    s["tolist cc"] = best_of(a.tolist, repeats)
    s["list(lst)"] = best_of(lambda: list(lst), repeats)
    if pa:
        pa_arr = pa.array(lst)
        s["to_pylist pa"] = best_of(pa_arr.to_pylist, repeats)
        del pa_arr
    if pd:
        ser = pd.Series(pd.to_datetime(lst))
        s["iter pd"] = best_of(lambda: iterate(ser), repeats)
        del ser

    log("sort")
    s["sort cc"] = best_of(lambda b: b.sort(), repeats, setup=a.copy)
    s["sorted list"] = best_of(lambda: sorted(lst), repeats)
    s["list.sort"] = best_of(lambda c: c.sort(), repeats, setup=lst.copy)
    if np:
        arr = np.array(np.asarray(a))  # an owning copy
        s["np.sort"] = best_of(lambda: np.sort(arr), repeats)
        del arr
    b = a.copy()
    b.sort()
    assert b.tolist() == sorted(lst)
    del b

    log("date32")
    s["d build cc"] = best_of(lambda: cc.Array("date32", dates), repeats)
    if pd:
        s["d build pd"] = best_of(lambda: pd.to_datetime(dates), repeats)
    if pa:
        s["d build pa"] = best_of(lambda: pa.array(dates), repeats)
    d = cc.Array("date32", dates)
    assert d.tolist() == dates
    s["d iter cc"] = best_of(lambda: iterate(d), repeats)
    s["d iter list"] = best_of(lambda: iterate(dates), repeats)
    s["d tolist cc"] = best_of(d.tolist, repeats)
    s["d list(lst)"] = best_of(lambda: list(dates), repeats)
    del d, a, lst, dates
    gc.collect()

    log(f"export at {small:,} and {big:,}")
    if np and pa:
        for size in (small, big):
            ticks = np.arange(size, dtype=np.int64) * 1_000_003 + 946_684_800_000_000
            col = pa.array(ticks, type=pa.timestamp("us"))
            arr = cc.from_arrow(col, copy=True)  # owns its buffer
            t = cc.Table.from_arrow(pa.table({"ts": col}), copy=True)
            del col, ticks
            assert np.asarray(arr).dtype == np.dtype("datetime64[us]")
            s[f"asarray {size}"] = per_call(lambda: np.asarray(arr), repeats)
            if pd:
                df = t.to_pandas()
                s["to_pandas dtype"] = str(df["ts"].dtype)
                del df
                s[f"to_pandas {size}"] = per_call(t.to_pandas, repeats)
            del arr, t
            gc.collect()
    return s


# ---------------------------------------------------------------------------
# the parent






def per(b, n: int) -> str:
    return "-" if b is None else f"{b / n:.2f}"


def fmt_s(t) -> str:
    if t is None:
        return "-"
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.1f} ms"
    return f"{t * 1e6:.1f} us"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000, help="values (default 1,000,000)")
    p.add_argument("--quick", action="store_true", help="n = 20,000: a smoke run")
    p.add_argument("--repeats", type=int, default=5, help="timings per measurement (best of)")
    p.add_argument("--big", type=int, default=10_000_000,
                   help="values of the large export case (default 10,000,000)")
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--no-trim", action="store_true",
                   help="skip glibc's malloc_trim(0) before each baseline")
    p.add_argument("--child", choices=sorted(CASES), help=argparse.SUPPRESS)
    p.add_argument("--how", choices=("traced", "rss"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    n = 20_000 if args.quick else args.n
    if args.child:
        print(json.dumps(child(args.child, n, args.how, not args.no_trim)))
        return 0
    if not os.path.exists("/proc/self/statm"):
        print("temporal_bench needs /proc/self/statm (Linux)", file=sys.stderr)
        return 2
    big = 200_000 if args.quick else args.big
    small = 1000

    run = Run("temporal_bench.py", argv)
    log = run.log

    # ---- memory, fresh children
    results, trims = {}, set()
    for case, (_, _, _, mods) in CASES.items():
        missing = [m for m in mods if not have_module(m)]
        if missing:
            results[case] = {"error": f"skipped: {', '.join(missing)} not installed"}
            continue
        row, errors = {}, []
        for how in ("traced", "rss"):
            log(f"memory: {case} ({how})")
            r = run_child(case, n, how, not args.no_trim)
            if "error" in r:
                errors.append(r["error"])
            else:
                trims.add(r.get("trimmed"))
                row.update({k: v for k, v in r.items() if k != "seconds"})
                row[f"seconds_{how}"] = r["seconds"]
        if errors:
            row["error"] = "; ".join(errors)
        if case.startswith("pyarrow") and "nbytes" in row:
            row["traced"] = row["nbytes"]  # its pool is invisible to tracemalloc
        results[case] = row

    # ---- speed, this process
    s = run_speed(n, args.repeats, big, small, log)

    # ---- targets
    targets = []

    def verdict(what, measured, limit, op, detail):
        ok = measured <= limit if op == "<=" else measured >= limit
        by = ""
        if not ok:
            by = f" -- misses by {measured / limit if op == '<=' else limit / measured:.2f}x"
        targets.append(f"- **{'PASS' if ok else 'MISS'}** {what}: {detail}{by}")

    def skip(what, reason):
        targets.append(f"- **SKIP** {what}: {reason}")

    for case, limit in MEM_TARGETS.items():
        r, label = results[case], CASES[case][0]
        for key, name in (("traced", "traced"), ("rss", "RSS growth")):
            what = f"{label}, {name} <= {limit:g} B/value"
            if key not in r:
                skip(what, r.get("error") or f"no {name} measured")
                continue
            verdict(what, r[key] / n, limit, "<=",
                    f"{r[key] / n:.2f} B/value (nbytes {per(r.get('nbytes'), n)})")

    def speedup(what, ours, theirs, limit):
        if ours is None or theirs is None:
            skip(what, "peer not installed")
            return
        verdict(what, theirs / ours, limit, ">=",
                f"{theirs / ours:.2f}x ({fmt_s(theirs)} / {fmt_s(ours)})")

    speedup("build `Array('datetime64[us]', lst)` >= 1.5x faster than `pd.to_datetime(lst)`",
            s["build cc"], s.get("build pd"), 1.5)
    speedup("build `Array('datetime64[us]', lst)` >= 1.5x faster than `pa.array(lst)`",
            s["build cc"], s.get("build pa"), 1.5)
    ratio = s["iter cc"] / s["iter list"]
    verdict("`for x in a` <= 3x `for x in lst`", ratio, 3.0, "<=",
            f"{ratio:.2f}x ({fmt_s(s['iter cc'])} / {fmt_s(s['iter list'])})")
    speedup("`a.sort()` >= 5x faster than `sorted(lst)`", s["sort cc"], s["sorted list"], 5.0)
    speedup("`a.sort()` >= 5x faster than `lst.sort()` (copy not timed)",
            s["sort cc"], s["list.sort"], 5.0)
    for key, what in (("asarray", "`np.asarray(a)`"), ("to_pandas", "`Table.to_pandas()`, "
                                                       "one timestamp column")):
        lo, hi = s.get(f"{key} {small}"), s.get(f"{key} {big}")
        w = f"{what} constant time: {big:,} / {small:,} values <= 3x"
        if lo is None or hi is None:
            skip(w, "numpy, pyarrow or pandas not installed")
            continue
        verdict(w, hi / lo, 3.0, "<=", f"{hi / lo:.2f}x ({fmt_s(hi)} / {fmt_s(lo)})")
    counts = {v: sum(f"**{v}**" in t for t in targets) for v in ("PASS", "MISS", "SKIP")}

    # ---- report
    lines = run.header("compactcol dates and times (issue 15)",
                       f"n = {n:,}; export at {small:,} and {big:,} values; best of {args.repeats}")
    lines.append(trim_line(args.no_trim, trims, "memory child"))
    if n != 1_000_000 or big != 10_000_000:
        lines += ["", f"> n = {n:,}, export at {big:,}: the targets are stated for "
                  "n = 1,000,000 and 10,000,000. Use this run to check that nothing broke, "
                  "not to make a claim."]
    lines += ["", f"## Targets (issue 15) -- {counts['PASS']} pass, {counts['MISS']} miss"
              + (f", {counts['SKIP']} skipped" if counts["SKIP"] else ""), "", *targets,
              "", "RSS growth depends on the allocator's state and differs between runs "
              "(traced bytes repeat exactly); times move with the machine's load: "
              "re-run before reading a verdict close to its limit."]

    # memory table
    lines += [
        "", "## Memory (bytes per value, fresh processes)", "",
        "nbytes: the container's `nbytes`. traced: tracemalloc's bytes after the build "
        "minus before, the input alive (pyarrow: `nbytes`, its pool is invisible to "
        "tracemalloc). RSS growth: `/proc/self/statm` after the build minus before, in "
        "another fresh process where tracemalloc never started, after `malloc_trim(0)`. "
        "Each child first builds and drops a 1,000-value version (lazy imports, first-use "
        "setup). x list: traced bytes over the list of datetimes' (decimals: over the list "
        "of Decimals'). A naive `datetime` is a "
        "40-byte object (a 48-byte pymalloc block) plus the list's 8-byte pointer: the "
        "list's traced bytes count the 40, its RSS growth the 48.", "",
        "| case | built as | input (exists before the baseline) | nbytes | traced | RSS growth "
        "| x list | build s (untraced) |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    list_traced = {peer: results[peer].get("traced") for peer in ("list", "list-dec")}
    notes = []
    for case, (label, how, inp, _) in CASES.items():
        r = results[case]
        if "error" in r and "traced" not in r and "rss" not in r:
            lines.append(f"| {label} | {how} | {inp} | {r['error']} | | | | |")
            continue
        peer = list_traced["list-dec" if "dec" in case else "list"]
        xl = f"{r['traced'] / peer:.3f}" if peer and "traced" in r else "-"
        secs = f"{r['seconds_rss']:.3f}" if "seconds_rss" in r else "-"
        lines.append(f"| {label} | {how} | {inp} | {per(r.get('nbytes'), n)} "
                     f"| {per(r.get('traced'), n)} | {per(r.get('rss'), n)} | {xl} | {secs} |")
        if "error" in r:
            notes.append(f"- {label}: {r['error']}")
        if "dtype" in r:
            notes.append(f"- {label}: dtype {r['dtype']}")
        if "rss" in r and r.get("nbytes") and r["rss"] < 0.95 * r["nbytes"]:
            notes.append(f"- {label}: RSS grew by less than `nbytes`: the build reused memory "
                         "that was resident already"
                         + (" (pyarrow's own pool, which `malloc_trim` does not return)"
                            if case.startswith("pyarrow") else ""))

    def table(title, intro, rows):
        out = ["", f"## {title}", "", intro, "", "| what | time | x base |", "|---|---:|---:|"]
        base = rows[0][1]
        for what, t in rows:
            out.append(f"| {what} | {fmt_s(t)} | "
                       + ("-" if t is None or base is None else f"{t / base:.2f}") + " |")
        return out

    lines += table(
        "Build from a list of datetimes",
        f"n = {n:,} naive datetimes with microseconds; best of {args.repeats}, gc off. "
        f"x base: time over ours (pyarrow infers `{s.get('pa type', '-')}`).",
        [("`Array('datetime64[us]', lst)`", s["build cc"]),
         ("`pd.to_datetime(lst)`", s.get("build pd")),
         ("`pa.array(lst)`", s.get("build pa"))])
    lines += table(
        "Iteration",
        "x base: time over the list's `for x in lst: pass`. The list was made in order, "
        "so its objects lie in memory in the order it visits them and the loop only "
        "bumps reference counts; the Array makes a new `datetime` per value (ticks to "
        "civil date and time in C, then `datetime`'s constructor).",
        [("`for x in lst: pass` (list of datetimes)", s["iter list"]),
         ("`for x in a: pass` (Array)", s["iter cc"]),
         ("`for x in sorted(lst): pass` (info: the same objects out of allocation order)",
          s["iter scattered"]),
         ("`list(lst)` (info)", s["list(lst)"]),
         ("`a.tolist()` (info)", s["tolist cc"]),
         ("pyarrow `to_pylist()` (context)", s.get("to_pylist pa")),
         ("`for x in pd.Series` of datetime64 (context: Timestamps)", s.get("iter pd"))])
    lines += table(
        "Sort",
        "A fresh unsorted copy each call, not timed (`a.copy()` for ours: if the copy "
        "is copy-on-write, materialising it is inside the timing); `sorted(lst)` "
        "includes its copy. x base: time over ours.",
        [("`a.sort()`", s["sort cc"]),
         ("`sorted(lst)`", s["sorted list"]),
         ("`lst.sort()`", s["list.sort"]),
         ("`np.sort(datetime64 array)` (context, includes its copy)", s.get("np.sort"))])
    lines += table(
        "date32 build (info, no target)",
        f"n = {n:,} `datetime.date` values (the dates of the datetimes above). "
        "x base: time over ours' build.",
        [("`Array('date32', dates)`", s["d build cc"]),
         ("`pd.to_datetime(dates)`", s.get("d build pd")),
         ("`pa.array(dates)` (date32)", s.get("d build pa"))])
    lines += table(
        "date32 iteration (info, no target)",
        "x base: time over the list's `for x in dates: pass`.",
        [("`for x in dates: pass` (list)", s["d iter list"]),
         ("`for x in a: pass` (Array)", s["d iter cc"]),
         ("`list(dates)`", s["d list(lst)"]),
         ("`a.tolist()`", s["d tolist cc"])])
    lines += table(
        "Zero-copy export",
        f"Per call, timeit-like (a sample is at least 20 ms of calls), best of "
        f"{args.repeats}. The Array and the one-column Table own their buffers "
        f"(`from_arrow(..., copy=True)`). x base: time over the {small:,}-value "
        f"`np.asarray`. to_pandas gives `{s.get('to_pandas dtype', '-')}`.",
        [(f"`np.asarray(a)`, {small:,} values", s.get(f"asarray {small}")),
         (f"`np.asarray(a)`, {big:,} values", s.get(f"asarray {big}")),
         (f"`Table.to_pandas()`, {small:,} rows", s.get(f"to_pandas {small}")),
         (f"`Table.to_pandas()`, {big:,} rows", s.get(f"to_pandas {big}"))])
    if notes:
        lines += ["", "Notes:", "", *notes]
    report = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
