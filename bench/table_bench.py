#!/usr/bin/env python3
"""Record tables (issue 4): memory and speed of compactcol.Table against a
list of dicts, tuples, namedtuples, slotted dataclasses, recordclass,
msgspec.Struct(gc=False), a NumPy structured array, pandas and PyArrow.

Data: 1 M orders `id:int, ts:int, price:float, name:str (8-24 ASCII chars),
category (50 values), flag:bool`, generated as compactcol's demo does
(compactcol._demo._raw).  Every structure is built from fresh row dicts
made one at a time -- new ints, floats and strs per row, as a loader parses
them -- so each structure owns its values.  Memory (issue 14), two fresh
processes per structure, each with the generated values alive and the
libraries imported before its baseline: one traces the build (bytes after
minus before, the row dicts the structure does not keep freed, and the
peak during the build minus the same baseline), the other never starts
tracemalloc and reports the growth of the resident set.  Each first builds
and drops a 1,000-row structure (lazy imports, first-use setup).  pandas' traced
bytes are memory_usage(deep=True) and PyArrow's nbytes (their buffers live
where tracemalloc cannot see); their RSS growth sees everything.  Speed:
best of --repeats in this process.

    python bench/table_bench.py [--rows N] [--quick] [--check]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _chart import charts_for  # noqa: E402
from _memory import malloc_trim, rss_bytes  # noqa: E402
from strings_bench import best_of  # noqa: E402

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "table.md")
FIELDS = ("id", "ts", "price", "name", "category", "flag")


def rows_of(raw):
    """Fresh row dicts, one per raw record."""
    for i, (price, name, category, flag) in enumerate(raw):
        yield {"id": 1_000_000 + i, "ts": 1_700_000_000_000 + 37 * i, "price": price * 1.0,
               "name": name.decode(), "category": category.decode(), "flag": flag}


def record_types():
    """The demo's Record and slotted dataclass, and a namedtuple of the same fields."""
    import collections

    from compactcol._demo import Order, OrderDC

    return Order, OrderDC, collections.namedtuple("OrderNT", FIELDS)


def builders():
    """name -> build(iterator of row dicts) -> the structure."""
    import compactcol as cc

    Order, OrderDC, OrderNT = record_types()

    def recordclass_rows(rows):
        from recordclass import make_dataclass

        R = make_dataclass("OrderRC", FIELDS)
        return [R(**r) for r in rows]

    def msgspec_rows(rows):
        import msgspec

        M = msgspec.defstruct("OrderMS", [(f, object) for f in FIELDS], gc=False)
        return [M(**r) for r in rows]

    def numpy_rows(rows):
        import numpy as np

        dt = np.dtype([("id", "i8"), ("ts", "i8"), ("price", "f8"), ("name", "U24"),
                       ("category", "U16"), ("flag", "?")])
        return np.array([tuple(r.values()) for r in rows], dtype=dt)

    def pandas_rows(rows):
        import pandas as pd

        return pd.DataFrame(list(rows))

    def pyarrow_rows(rows, dictionary=False):
        import pyarrow as pa

        t = pa.Table.from_pylist(list(rows))
        if dictionary:
            t = t.set_column(4, "category", t.column("category").dictionary_encode())
        return t

    def table_append(rows):
        t = cc.Table(Order)
        for r in rows:
            t.append(r)
        return t

    return {
        "list of dicts": list,
        "list of tuples": lambda rows: [tuple(r.values()) for r in rows],
        "list of namedtuples": lambda rows: [OrderNT(**r) for r in rows],
        "list of dataclass(slots=True)": lambda rows: [OrderDC(**r) for r in rows],
        "list of recordclass": recordclass_rows,
        "list of msgspec.Struct(gc=False)": msgspec_rows,
        "NumPy structured array (U24, U16)": numpy_rows,
        "pandas DataFrame": pandas_rows,
        "PyArrow Table": pyarrow_rows,
        "PyArrow Table, category dictionary-encoded": lambda rows: pyarrow_rows(rows, True),
        "compactcol.Table (extend)": lambda rows: cc.Table(Order, rows),
        "compactcol.Table (append loop)": table_append,
        "compactcol.Table (from_records)": cc.Table.from_records,
    }


# Modules a structure's build needs, imported before the baseline so that
# neither the traced bytes nor the RSS growth count an import.
IMPORTS = {
    "list of recordclass": ("recordclass",),
    "list of msgspec.Struct(gc=False)": ("msgspec",),
    "NumPy structured array (U24, U16)": ("numpy",),
    "pandas DataFrame": ("pandas",),
    "PyArrow Table": ("pyarrow",),
    "PyArrow Table, category dictionary-encoded": ("pyarrow",),
}
WARMUP = 1_000  # rows of the discarded first build in each memory child
NOT_TRACED = {  # structures whose buffers tracemalloc does not (all) see: the traced column's source
    "pandas DataFrame": "traced column: memory_usage(deep=True), as tracemalloc misses the "
                        "buffers in PyArrow's pool (its str columns); traced peak: what "
                        "tracemalloc sees, mostly the list of dicts it is built from",
    "PyArrow Table": "traced column: nbytes, as tracemalloc does not see PyArrow's pool; "
                     "traced peak: the Python objects only, mostly the list of dicts it is "
                     "built from",
}
NOT_TRACED["PyArrow Table, category dictionary-encoded"] = NOT_TRACED["PyArrow Table"]






def memory_child(case: str, n: int, how: str) -> dict:
    """One build of `case` in this fresh process, how = 'traced' (tracemalloc
    bytes after the build and peak during it, over the baseline) or 'rss'
    (resident set after minus before; tracemalloc never started)."""
    import gc
    import importlib

    from compactcol._demo import _raw

    build = builders()[case]
    try:
        for mod in IMPORTS.get(case, ()):
            importlib.import_module(mod)
    except ImportError as e:
        return {"case": case, "skip": str(e)}
    # A first build of WARMUP rows, discarded: lazy imports and a library's
    # first-use setup (PyArrow's: tens of MB of RSS) are not per-row costs.
    warm = build(rows_of(_raw(WARMUP, seed=1)))
    del warm
    raw = _raw(n)  # the input: alive before the baseline and during the build
    mean_name = sum(len(r[1]) for r in raw) / n
    gc.collect()
    trimmed = malloc_trim()
    out = {"case": case, "how": how, "mean_name": mean_name, "trimmed": trimmed}
    if how == "traced":
        import tracemalloc

        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        obj = build(rows_of(raw))
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        current, peak = current - base, peak - base
        out["traced_peak_per"] = peak / n
        if hasattr(obj, "memory_usage"):
            current = int(obj.memory_usage(deep=True).sum())
        elif type(obj).__module__.startswith("pyarrow"):
            current = obj.nbytes
        out["bytes_per"] = current / n
    else:
        rss0 = rss_bytes()
        obj = build(rows_of(raw))
        out["rss_per"] = (rss_bytes() - rss0) / n
    if hasattr(obj, "_schema"):
        out["nbytes_per"] = obj.nbytes / n
        out["schema"] = {k: str(v) for k, v in obj.schema.items()}
    return out


def _run_child(case: str, n: int, how: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", case, str(n), how],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or [f"exit status {out.returncode}"])[-1]
        return {"case": case, "error": f"{how} child failed: {last}"}
    return json.loads(out.stdout)


def run_memory_case(case: str, n: int) -> dict:
    """The traced child, then the untraced (RSS) child, merged."""
    traced, rss = _run_child(case, n, "traced"), _run_child(case, n, "rss")
    if "skip" in traced or "skip" in rss:
        return {"case": case, "skip": traced.get("skip") or rss.get("skip")}
    out = {**rss, **traced}
    out.pop("how", None)
    out["rss_per"] = rss.get("rss_per")
    out["trimmed"] = traced.get("trimmed", True) and rss.get("trimmed", True)
    out["errors"] = [m["error"] for m in (traced, rss) if "error" in m]
    out.pop("error", None)
    return out


def run_speed(n: int, repeats: int) -> dict:
    import pandas as pd

    import compactcol as cc
    from compactcol._demo import _raw

    Order, OrderDC, _ = record_types()
    raw = _raw(n)
    rows = list(rows_of(raw))
    out = {}

    def loop_into(target):
        append = target.append
        for i, (price, name, category, flag) in enumerate(raw):  # the user's loop
            append({"id": 1_000_000 + i, "ts": 1_700_000_000_000 + 37 * i, "price": price,
                    "name": name, "category": category, "flag": flag})

    decoded = [(p, nm.decode(), c.decode(), f) for p, nm, c, f in raw]
    raw = decoded
    out["append loop, list"] = best_of(lambda: loop_into([]), repeats)
    out["append loop, Table"] = best_of(lambda: loop_into(cc.Table(Order)), repeats)
    out["extend list of dicts, Table"] = best_of(lambda: cc.Table(Order).extend(rows), repeats)
    out["pd.DataFrame(list of dicts)"] = best_of(lambda: pd.DataFrame(rows), repeats)
    table = cc.Table(Order, rows)
    dcs = [OrderDC(**r) for r in rows]

    def read_price(seq):
        s = 0.0
        for r in seq:
            s += r.price
        return s

    out["iterate + read one field, dataclasses"] = best_of(lambda: read_price(dcs), repeats)
    out["iterate + read one field, Table"] = best_of(lambda: read_price(table), repeats)
    out["Table.to_pandas()"] = best_of(lambda: table.to_pandas(), repeats)
    # pandas' constructor reads a Table row by row (named through the rows'
    # _fields, dtypes inferred from values): docs/interop.md says to_pandas
    out["pd.DataFrame(table)"] = best_of(lambda: pd.DataFrame(table), repeats)

    out.update(sort_speed(n, max(repeats, 5)))

    class Five(cc.Record):
        a: int
        b: int
        c: float
        d: float
        e: int

    out["Record, 5 numeric fields, bytes"] = sys.getsizeof(Five(1, 2, 3.0, 4.0, 5))
    return out


def best_sort(make, sort, repeats: int) -> float:
    """Best of repeats of sort(fresh copy), the copy made outside the clock."""
    import gc

    best = float("inf")
    for _ in range(repeats):
        obj = make()
        gc.collect()
        gc.disable()
        try:
            t = time.perf_counter()
            sort(obj)
            best = min(best, time.perf_counter() - t)
        finally:
            gc.enable()
    return best


def sort_speed(n: int, repeats: int) -> dict:
    """Table.sort(by='x') on one int64 column against Array.sort() of the
    same values and pandas' sort_values('x') (issue 12): x uniform in
    [0, 10**9) (ids, prices in cents, timestamps in a window), and uniform
    over the whole int64 range (the worst case: 64-bit keys).  A one-column
    table sorted by its column is that column's own sort; with a second
    column the rows go through the typed argsort and a permutation of every
    column (the general path)."""
    import random

    import compactcol as cc
    import pandas as pd

    out = {}
    rng = random.Random(12)
    for label, lo, hi in (("x in [0, 1e9)", 0, 10**9), ("x any int64", -2**63, 2**63)):
        xs = [rng.randrange(lo, hi) for _ in range(n)]
        base = cc.Table({"x": "int64"}, [(v,) for v in xs])
        arr = cc.Array("int64", xs)
        df = pd.DataFrame({"x": xs})
        out[f"Array.sort(), {label}"] = best_sort(lambda: arr[:], lambda a: a.sort(), repeats)
        out[f"Table.sort(by='x'), {label}"] = best_sort(
            lambda: base[:], lambda t: t.sort(by="x"), repeats)
        out[f"pandas sort_values('x'), {label}"] = best_sort(
            lambda: df.copy(), lambda d: d.sort_values("x"), repeats)
        two = cc.Table({"x": "int64", "y": "float64"}, [(v, 0.5 * k) for k, v in enumerate(xs)])
        df2 = pd.DataFrame({"x": xs, "y": [0.5 * k for k in range(n)]})
        out[f"Table.sort(by='x'), {label}, + a float column"] = best_sort(
            lambda: two[:], lambda t: t.sort(by="x"), repeats)
        out[f"pandas sort_values('x'), {label}, + a float column"] = best_sort(
            lambda: df2.copy(), lambda d: d.sort_values("x"), repeats)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="100,000 rows, 1 repeat")
    p.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(memory_child(args.child[0], int(args.child[1]), args.child[2])))
        return 0
    if args.quick:
        args.rows, args.repeats = 100_000, 1
    import compactcol

    n = args.rows
    t_start = time.perf_counter()
    memory = {c: run_memory_case(c, n) for c in builders()}
    speed = run_speed(n, args.repeats)
    per = {c: m.get("bytes_per") for c, m in memory.items()}
    table = per["compactcol.Table (extend)"]
    mean_name = memory["compactcol.Table (extend)"].get("mean_name", 0)
    floor = 8 + 8 + 8 + mean_name + 1 + 1 / 8
    targets = []

    def check(what, measured, op, limit):
        ok = measured is not None and (measured <= limit if op == "<=" else measured >= limit)
        shown = "n/a" if measured is None else f"{measured:.2f}"
        targets.append((what, shown, f"{op} {limit:g}", "yes" if ok else "NO"))

    def ratio(a, b):
        return a / b if a and b else None

    check("Table bytes/row / payload floor", ratio(table, floor), "<=", 1.3)
    check("list of dicts / Table memory", ratio(per["list of dicts"], table), ">=", 8)
    check("dataclass(slots=True) / Table memory", ratio(per["list of dataclass(slots=True)"], table),
          ">=", 3)
    check("pandas memory_usage(deep=True) / Table memory", ratio(per["pandas DataFrame"], table),
          ">=", 1)
    check("PyArrow nbytes / Table memory", ratio(per["PyArrow Table"], table), ">=", 1)
    rss = {c: m.get("rss_per") for c, m in memory.items()}
    check("list of dicts / Table (append) RSS growth (issue 14)",
          ratio(rss["list of dicts"], rss["compactcol.Table (append loop)"]), ">=", 9)
    check("append loop: Table / list time",
          ratio(speed["append loop, Table"], speed["append loop, list"]), "<=", 2.5)
    check("pd.DataFrame(list of dicts) / Table.extend time",
          ratio(speed["pd.DataFrame(list of dicts)"], speed["extend list of dicts, Table"]), ">=", 3)
    check("iterate + read one field: Table / dataclasses time",
          ratio(speed["iterate + read one field, Table"],
                speed["iterate + read one field, dataclasses"]), "<=", 3)
    check("Record with 5 numeric fields, bytes", speed["Record, 5 numeric fields, bytes"], "<=", 64)
    check("pd.DataFrame(list of dicts) / Table.to_pandas() time (issue 5)",
          ratio(speed["pd.DataFrame(list of dicts)"], speed["Table.to_pandas()"]), ">=", 5)
    for label in ("x in [0, 1e9)",):
        check(f"Table.sort(by='x') / Array.sort() time, {label} (issue 12)",
              ratio(speed[f"Table.sort(by='x'), {label}"], speed[f"Array.sort(), {label}"]),
              "<=", 1.5)
        check(f"pandas sort_values('x') / Table.sort(by='x') time, {label} (issue 12)",
              ratio(speed[f"pandas sort_values('x'), {label}"],
                    speed[f"Table.sort(by='x'), {label}"]), ">=", 1)

    lines = [
        "# compactcol Record tables: benchmark report", "",
        f"- date: {datetime.datetime.now():%Y-%m-%d %H:%M}",
        f"- python: {sys.version.split()[0]}; compactcol from {os.path.dirname(compactcol.__file__)}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cpus",
        f"- command: python bench/table_bench.py --rows {n} --repeats {args.repeats}",
        f"- payload floor: 8 (id) + 8 (ts) + 8 (price) + {mean_name:.2f} (mean name bytes) "
        f"+ 1 (category code) + 1/8 (flag bit) = {floor:.2f} bytes/row", "",
        "## Targets", "", "| target | measured | limit | met |", "|---|---|---|---|",
        *[f"| {w} | {m} | {lim} | {ok} |" for w, m, lim, ok in targets], "",
        "## Memory (bytes per row, two fresh processes per structure)", "",
        "traced: tracemalloc's bytes after the build minus before. traced peak: its peak "
        "during the build minus the same baseline. RSS growth: `/proc/self/statm`'s resident "
        "pages after the build minus before, in a second fresh process where tracemalloc "
        "never started. In both, the imports and a first build of "
        f"{WARMUP:,} rows (dropped) come before the baseline, the generated values exist "
        "before it, and the row dicts are made during the build, one at a time (a structure "
        "that does not keep them frees them). glibc's `malloc_trim(0)` before each baseline: "
        f"{'yes' if all(m.get('trimmed', True) for m in memory.values()) else 'NOT in every child (no glibc)'}. "
        "vs Table: traced bytes over `compactcol.Table (extend)`'s; RSS vs Table: RSS growth "
        "over `compactcol.Table (append loop)`'s. RSS growth depends on the allocator's "
        "state and differs between runs; traced bytes repeat.", "",
        "| structure | traced B/row | traced peak B/row | RSS growth B/row | vs Table "
        "| RSS vs Table | note |", "|---|---:|---:|---:|---:|---:|---|",
    ]
    rss_table = rss["compactcol.Table (append loop)"]

    def num(v, fmt="{:.1f}"):
        return "-" if v is None else fmt.format(v)

    for case, m in memory.items():
        if "skip" in m:
            lines.append(f"| {case} | | | | | | skipped: {m['skip']} |")
            continue
        notes = list(m.get("errors", []))
        if case in NOT_TRACED and m.get("bytes_per") is not None:
            notes.append(NOT_TRACED[case])
        b = m.get("bytes_per")
        lines.append("| " + " | ".join([
            case, num(b), num(m.get("traced_peak_per")), num(m.get("rss_per")),
            num(ratio(b, table), "{:.2f}x"), num(ratio(m.get("rss_per"), rss_table), "{:.2f}x"),
            "; ".join(notes)]) + " |")
    tables = [(c, m) for c, m in memory.items() if m.get("nbytes_per") is not None]
    if tables:
        lines += ["", "`Table.nbytes` / row (payload; tracemalloc also counts the objects and "
                  "spare capacity): " + ", ".join(
                      f"{c.split('(')[-1].rstrip(')')} {m['nbytes_per']:.1f}" for c, m in tables)]
        schemas = {}
        for c, m in tables:
            schemas.setdefault(json.dumps(m.get("schema")), []).append(c.split("(")[-1].rstrip(")"))
        for sch, who in schemas.items():
            lines += ["", f"Table schema ({', '.join(who)}): "
                      + ", ".join(f"{k} {v}" for k, v in (json.loads(sch) or {}).items())]
    lines += ["", "## Speed (seconds, best of repeats)", "", "| operation | seconds |", "|---|---|"]
    lines += [f"| {k} | {v:.4f} |" for k, v in speed.items() if "bytes" not in k]
    lines.insert(lines.index("## Targets") - 1,
                 f"- wall time: {time.perf_counter() - t_start:.0f} s")
    report = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(report)
    print(report)
    # the charts next to the report, drawn from it (bench/_chart.py)
    for svg in charts_for(args.out):
        print("chart:", svg)
    missed = [t for t in targets if t[3] != "yes"]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
