#!/usr/bin/env python3
"""Benchmarks for the string containers (issue 3), against the peers in the
same run: list, dict-as-interner, NumPy object / StringDType arrays, pandas
and PyArrow.

    python bench/strings_bench.py [--n 1000000] [--repeats 5] [--quick]
                                  [--out bench/results/strings.md]

Memory: each container is built in two fresh child processes from the same
generated strings (alive before the baseline): one measures with tracemalloc
(traced bytes and traced peak, what the container owns, not the input list),
the other, with tracemalloc never started, the growth of the resident set.  Speed: best of R runs, gc disabled, ratios against
the peer named in the target.  Prints a markdown report and writes it.
Peers that are not installed are skipped.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import random
import string
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _memory import malloc_trim, rss_bytes  # noqa: E402

DEFAULT_OUT = os.path.join(HERE, "results", "strings.md")


# ---- data -------------------------------------------------------------------------


def random_strings(n: int, seed: int = 1) -> list[str]:
    """n random ASCII strings of 5-20 characters (mean 12.5)."""
    r = random.Random(seed)
    letters = string.ascii_letters
    return ["".join(r.choices(letters, k=r.randint(5, 20))) for _ in range(n)]


def unique_keys(n: int, seed: int = 4) -> list[str]:
    """n distinct random lowercase keys of 12 characters."""
    r = random.Random(seed)
    keys: dict[str, None] = {}
    while len(keys) < n:
        keys["".join(r.choices(string.ascii_lowercase, k=12))] = None
    return list(keys)


def zipf_tokens(n: int, vocabulary: int = 50_000, seed: int = 6) -> list[str]:
    r = random.Random(seed)
    words = ["".join(r.choices(string.ascii_lowercase, k=r.randint(3, 10)))
             for _ in range(vocabulary)]
    return r.choices(words, weights=[1 / (i + 1) for i in range(vocabulary)], k=n)


def categorical_values(n: int, seed: int = 2) -> list[str]:
    r = random.Random(seed)
    cats = random_strings(50, seed + 1)
    return [cats[r.randrange(50)] for _ in range(n)]


# ---- memory (child processes) --------------------------------------------------------


def _build(case: str, values: list[str]):
    """Builds the container of `case` from values; returns it."""
    if case == "list":
        return ["".join(s) for s in values]  # fresh str objects, as a reader makes
    import compactcol
    if case == "StringArray":
        return compactcol.StringArray(values)
    if case == "StringArray by append":
        a = compactcol.StringArray()
        for s in values:
            a.append(s)
        return a
    if case == "CategoricalArray":
        return compactcol.CategoricalArray(values)
    if case == "StringPool":
        return compactcol.StringPool(values)
    if case == "StrDict int64":
        return compactcol.StrDict("int64", zip(values, range(10**6, 10**6 + len(values))))
    if case == "StrDict int64 by d[k] = v":
        d = compactcol.StrDict("int64")
        for k, v in zip(values, range(10**6, 10**6 + len(values))):
            d[k] = v
        return d
    if case == "StrDict int64 from a dict":
        return compactcol.StrDict("int64", values)  # values: the dict of the keys table
    if case == "StrDict.count":
        return compactcol.StrDict.count(values)
    if case == "Counter":
        import collections
        return collections.Counter(values)
    if case == "dict str->int":
        return {"".join(k): v for k, v in zip(values, range(10**6, 10**6 + len(values)))}
    if case == "dict interner":
        d = {}
        for s in values:
            d.setdefault("".join(s), len(d))
        return d
    if case == "numpy object":
        import numpy as np
        return np.array(["".join(s) for s in values], dtype=object)
    if case == "numpy StringDType":
        import numpy as np
        return np.array(values, dtype=np.dtypes.StringDType())
    if case == "pandas object":
        import pandas as pd
        return pd.Series(["".join(s) for s in values], dtype=object)
    if case == "pandas string[pyarrow]":
        import pandas as pd
        return pd.Series(values, dtype="string[pyarrow]")
    if case == "pandas Categorical":
        import pandas as pd
        return pd.Categorical(values)
    if case == "pyarrow string":
        import pyarrow as pa
        return pa.array(values, type=pa.string())
    if case == "pyarrow dictionary":
        import pyarrow as pa
        return pa.array(values, type=pa.string()).dictionary_encode()
    raise ValueError(case)


PEER_MODULES = {"numpy": "numpy", "pandas": "pandas", "pyarrow": "pyarrow"}






def _input(case: str, kind: str, n: int):
    """The input of a case, built before the baseline and alive during the build."""
    if kind == "categorical":
        return categorical_values(n)
    if kind == "tokens":
        return zipf_tokens(n)
    if kind == "keys":
        keys = unique_keys(n)
        if case == "StrDict int64 from a dict":
            return dict(zip(keys, range(10**6, 10**6 + n)))
        return keys
    return random_strings(n)


def memory_child(case: str, kind: str, n: int, how: str = "traced") -> dict:
    """Builds one container in this (fresh) process.  how = "traced": with
    tracemalloc (bytes after the build and peak during it, both minus the
    baseline); how = "rss": tracemalloc never started, resident set after
    the build minus before."""
    import importlib

    import compactcol  # noqa: F401  (imports are not the container's memory)
    for prefix, module in PEER_MODULES.items():
        if case.startswith(prefix):
            try:
                importlib.import_module(module)
            except ImportError as e:
                return {"case": case, "skip": str(e)}
    if case.startswith("pyarrow"):
        # pyarrow's first pa.array() imports pandas when it is installed (about
        # 28 MB): an import, so it comes before the baseline like the others
        try:
            importlib.import_module("pandas")
        except ImportError:
            pass
    values = _input(case, kind, n)
    mean = sum(len(s.encode()) for s in values) / len(values)
    gc.collect()
    trimmed = malloc_trim()
    out = {"case": case, "how": how, "trimmed": trimmed, "mean_utf8": mean}
    if how == "rss":
        rss0 = rss_bytes()
        try:
            obj = _build(case, values)
        except ImportError as e:
            return {"case": case, "skip": str(e)}
        out["rss_per"] = (rss_bytes() - rss0) / n
        out["len"] = len(obj)
        del obj
        return out
    import tracemalloc
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    try:
        obj = _build(case, values)
    except ImportError as e:
        return {"case": case, "skip": str(e)}
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    current, peak = current - base, peak - base
    out["traced_peak_per"] = peak / n
    # pyarrow allocates through its own pool, which tracemalloc cannot see
    if case.startswith("pyarrow"):
        if hasattr(obj, "nbytes"):
            current = obj.nbytes
            out["note"] = "nbytes"
    if case == "pandas string[pyarrow]":
        # today's number: the arrow array's nbytes (the "+ traced" this line had
        # read tracemalloc after stop(), that is 0); the Python side goes in a note
        out["python_traced_per"] = current / n
        current = obj.array._pa_array.nbytes
        out["note"] = "nbytes"
    out["bytes_per"] = current / n
    out["len"] = len(obj)
    del obj
    return out


def _child_error(out: subprocess.CompletedProcess) -> str:
    lines = out.stderr.strip().splitlines()
    return (lines[-1] if lines else f"exit status {out.returncode}").replace("|", "\\|")


def run_memory_case(case: str, kind: str, n: int) -> dict:
    """Two fresh children, one after the other: traced, then untraced (RSS)."""
    row: dict = {"case": case}
    for how in ("traced", "rss"):
        out = subprocess.run([sys.executable, __file__, "--child", case, kind, str(n), how],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            row[f"error_{how}"] = _child_error(out)
            continue
        got = json.loads(out.stdout)
        if "skip" in got:
            row["skip"] = got["skip"]
            return row
        row.setdefault("trimmed", set()).add(got.pop("trimmed"))
        got.pop("how")
        row.update(got)
    return row


# ---- speed ------------------------------------------------------------------------------


def best_of(fn, repeats: int) -> float:
    gc.collect()
    gc.disable()
    try:
        best = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
        return best
    finally:
        gc.enable()


def run_speed(n: int, repeats: int) -> dict:
    import compactcol
    values = random_strings(n)
    sa = compactcol.StringArray(values)
    r = random.Random(3)
    idx = [r.randrange(n) for _ in range(n)]
    res = {}

    def getitem(c):
        def f():
            for i in idx:
                c[i]
        return f

    res["getitem list"] = best_of(getitem(values), repeats)
    res["getitem StringArray"] = best_of(getitem(sa), repeats)

    def iterate(c):
        def f():
            for _ in c:
                pass
        return f

    res["iter list"] = best_of(iterate(values), repeats)
    res["iter StringArray"] = best_of(iterate(sa), repeats)

    # 100 K random assignments of different-length strings, on 200 K and 20 K
    for size in (200_000, 20_000):
        base = values[:size]
        pos = [r.randrange(size) for _ in range(100_000)]
        new = [values[r.randrange(n)] for _ in range(100_000)]

        def assign(base=base, pos=pos, new=new):
            a = compactcol.StringArray(base)
            t = time.perf_counter()
            for i, s in zip(pos, new):
                a[i] = s
            return time.perf_counter() - t

        res[f"assign 100K on {size // 1000}K"] = min(assign() for _ in range(repeats))

    keys = unique_keys(n)
    shuffled = keys[:]
    r.shuffle(shuffled)
    plain = dict(zip(keys, range(n)))
    sd = compactcol.StrDict("int64", plain)

    def lookups(d):
        def f():
            for k in shuffled:
                d[k]
        return f

    res["lookup dict"] = best_of(lookups(plain), repeats)
    res["lookup StrDict"] = best_of(lookups(sd), repeats)
    del plain, sd
    tokens = zipf_tokens(10 * n)
    import collections
    res["count Counter (10 n tokens)"] = best_of(lambda: collections.Counter(tokens), repeats)
    res["count StrDict.count (10 n tokens)"] = best_of(lambda: compactcol.StrDict.count(tokens),
                                                       repeats)
    del tokens
    res["construct StringArray"] = best_of(lambda: compactcol.StringArray(values), repeats)
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        res["construct pyarrow"] = best_of(lambda: pa.array(values, type=pa.string()), repeats)
        parr = pa.array(values, type=pa.string())
        res["startswith pyarrow"] = best_of(lambda: pc.starts_with(parr, "ab"), repeats)
    except ImportError:
        pass
    res["sort list"] = best_of(lambda: sorted(values), repeats)
    res["sort StringArray"] = best_of(lambda: sa.copy().sort(), repeats)
    res["startswith comprehension"] = best_of(lambda: [s.startswith("ab") for s in values],
                                              repeats)
    res["startswith StringArray"] = best_of(lambda: sa.startswith("ab"), repeats)
    res["lengths comprehension"] = best_of(lambda: [len(s) for s in values], repeats)
    res["lengths StringArray"] = best_of(lambda: sa.lengths(), repeats)
    return res


# ---- report --------------------------------------------------------------------------------

MEMORY_RUNS = {
    "strings": ["list", "StringArray", "StringArray by append", "numpy object", "numpy StringDType", "pandas object",
                "pandas string[pyarrow]", "pyarrow string"],
    "categorical": ["list", "CategoricalArray", "pandas Categorical", "pyarrow dictionary"],
    "distinct": ["StringPool", "dict interner"],
    "keys": ["StrDict int64", "StrDict int64 by d[k] = v", "StrDict int64 from a dict",
             "dict str->int"],
    "tokens": ["StrDict.count", "Counter"],
}

MEMORY_INPUTS = {
    "strings": "n random ASCII strings of 5-20 characters (`list`)",
    "categorical": "n strings drawn from 50 distinct values (`list`)",
    "distinct": "n distinct random strings of 5-20 characters (`list`)",
    "keys": "n unique 12-character keys (`list`; for *from a dict*: a `dict` of the keys "
            "and the int values)",
    "tokens": "n Zipf-distributed tokens from a vocabulary of 50,000 (`list`); "
              "bytes are per token of the input",
}

# How each case is built (the README's ways for compactcol; peers for scale).
MEMORY_HOW = {
    "list": '`["".join(s) for s in values]` (fresh str objects)',
    "StringArray": "`StringArray(values)`",
    "StringArray by append": "`a = StringArray()`, then `a.append(s)` for each",
    "CategoricalArray": "`CategoricalArray(values)`",
    "StringPool": "`StringPool(values)`",
    "StrDict int64": "`StrDict('int64', zip(keys, ints))`",
    "StrDict int64 by d[k] = v": "`d = StrDict('int64')`, then `d[k] = v` for each",
    "StrDict int64 from a dict": "`StrDict('int64', a_dict)`",
    "StrDict.count": "`StrDict.count(tokens)`",
    "Counter": "`collections.Counter(tokens)`",
    "dict str->int": "`{k: v for ...}` (fresh str keys)",
    "dict interner": "`d.setdefault(s, len(d))` (fresh str keys)",
    "numpy object": "`np.array(fresh strs, dtype=object)`",
    "numpy StringDType": "`np.array(values, dtype=StringDType())`",
    "pandas object": "`pd.Series(fresh strs, dtype=object)`",
    "pandas string[pyarrow]": "`pd.Series(values, dtype='string[pyarrow]')`",
    "pandas Categorical": "`pd.Categorical(values)`",
    "pyarrow string": "`pa.array(values, type=pa.string())`",
    "pyarrow dictionary": "`pa.array(values, type=pa.string()).dictionary_encode()`",
}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="n = 200,000, 3 repeats")
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        case, kind, n, how = args.child
        print(json.dumps(memory_child(case, kind, int(n), how)))
        return 0
    if args.quick:
        args.n, args.repeats = 200_000, 3
    started = time.time()
    import compactcol

    lines = [
        "# compactcol string containers: benchmark report",
        "",
        f"- date: {datetime.datetime.now():%Y-%m-%d %H:%M}",
        f"- python: {sys.version.split()[0]}; compactcol from {os.path.dirname(compactcol.__file__)}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cpus",
        f"- command: python bench/strings_bench.py --n {args.n} --repeats {args.repeats}",
        "",
    ]
    memory = {kind: [run_memory_case(c, kind, args.n) for c in cases]
              for kind, cases in MEMORY_RUNS.items()}
    speed = run_speed(args.n, args.repeats)

    def per(kind, case):
        for row in memory[kind]:
            if row["case"] == case and "bytes_per" in row:  # traced bytes, as before
                return row["bytes_per"], row["mean_utf8"]
        return None, None

    targets = []

    def check(what, measured, op, target):
        ok = measured is not None and (measured <= target if op == "<=" else measured >= target)
        verdict = "SKIP" if measured is None else "PASS" if ok else "MISS"
        shown = "n/a" if measured is None else f"{measured:.2f}"
        targets.append(f"- **{verdict}** {what}: {shown} (target {op} {target:.2f})")

    sa, mean = per("strings", "StringArray")
    check("StringArray bytes/element, 1 M random ASCII strings", sa, "<=", (mean or 0) + 5)
    cat, _ = per("categorical", "CategoricalArray")
    check("CategoricalArray bytes/element, 50 categories", cat, "<=", 1.3)
    pool, pmean = per("distinct", "StringPool")
    check("StringPool bytes/string, 1 M distinct", pool, "<=", (pmean or 0) + 16)
    check("StringArray a[i] / list[i] (random indices)",
          speed["getitem StringArray"] / speed["getitem list"], "<=", 2.0)
    check("100 K different-length assignments: time on 200 K / time on 20 K",
          speed["assign 100K on 200K"] / speed["assign 100K on 20K"], "<=", 2.0)
    sd_mem, _ = per("keys", "StrDict int64")
    dict_mem, _ = per("keys", "dict str->int")
    check("StrDict bytes/key, 1 M unique 12-byte keys, int64 values", sd_mem, "<=", 40)
    check("dict bytes / StrDict bytes (same keys and values)",
          dict_mem / sd_mem if sd_mem and dict_mem else None, ">=", 3)
    check("StrDict d[k] / dict d[k] (existing str keys, shuffled)",
          speed["lookup StrDict"] / speed["lookup dict"], "<=", 1.6)
    check("StrDict.count / Counter over 10 M tokens (< 1 is faster)",
          speed["count StrDict.count (10 n tokens)"] / speed["count Counter (10 n tokens)"],
          "<=", 1.0)
    lines += ["## Targets", "", *targets, ""]

    trims = {t for rows in memory.values() for row in rows for t in row.get("trimmed", ())}
    lines += [
        "## Memory (bytes per element)", "",
        "Each row is built in two fresh processes, one after the other, from the same "
        "input, made before the baseline and alive during the build. **traced B**: "
        "tracemalloc's traced bytes after the build minus before (the container, not the "
        "input); **traced peak B**: tracemalloc's peak during the build minus the same "
        "baseline; **RSS growth B**: in the second process, where tracemalloc is never "
        "started, `/proc/self/statm` resident pages x page size after the build minus "
        "before. glibc's `malloc_trim(0)` before each baseline: "
        + ("yes" if trims == {True} else "no (not available)" if trims == {False}
           else "in some children only" if trims else "n/a") + ". "
        "PyArrow allocates from its own memory pool, which tracemalloc cannot see: for its "
        "rows traced B is the arrays' `nbytes`, their traced peak shows only the Python-side allocations, and "
        "their RSS growth does see the pool.", ""]
    for kind, rows in memory.items():
        lines += [f"### {kind}", "", f"Input: {MEMORY_INPUTS[kind]}.", "",
                  "| container | built as | traced B | traced peak B | RSS growth B | note |",
                  "|---|---|---:|---:|---:|---|"]
        for row in rows:
            how = MEMORY_HOW.get(row["case"], "")
            if "skip" in row:
                lines.append(f"| {row['case']} | {how} | skipped ({row['skip']}) | | | |")
                continue
            err_t, err_r = row.get("error_traced"), row.get("error_rss")
            traced = (f"error: {err_t}" if err_t else f"{row['bytes_per']:.2f}")
            peak = "" if err_t else f"{row['traced_peak_per']:.2f}"
            rss = f"error: {err_r}" if err_r else f"{row['rss_per']:.2f}"
            notes = []
            if row.get("note") == "nbytes":
                notes.append("traced B = `nbytes` (pyarrow pool, not traced)")
            if "python_traced_per" in row:
                notes.append(f"tracemalloc saw {row['python_traced_per']:.2f} B more "
                             "(Python side, lazy imports)")
            if kind == "tokens" and "len" in row:
                notes.append(f"{row['len']:,} distinct keys")
            lines.append(f"| {row['case']} | {how} | {traced} | {peak} | {rss} | "
                         f"{'; '.join(notes)} |")
        lines.append("")
    lines += ["## Speed (seconds, best of the repeats)", "", "| operation | seconds |", "|---|---|"]
    lines += [f"| {k} | {v:.4f} |" for k, v in speed.items()]
    lines += ["", f"Wall time: {time.time() - started:.0f} s.", ""]
    report = "\n".join(lines)
    print(report)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
