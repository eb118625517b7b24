#!/usr/bin/env python3
"""Benchmarks for the string containers (issue 3), against the peers in the
same run: list, dict-as-interner, NumPy object / StringDType arrays, pandas
and PyArrow.

    python bench/strings_bench.py [--n 1000000] [--repeats 5] [--quick]
                                  [--out bench/results/strings.md]

Memory: each container is built in a fresh child process from the same
generated strings and measured with tracemalloc (what the container owns,
not the input list).  Speed: best of R runs, gc disabled, ratios against
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
    if case == "CategoricalArray":
        return compactcol.CategoricalArray(values)
    if case == "StringPool":
        return compactcol.StringPool(values)
    if case == "StrDict int64":
        return compactcol.StrDict("int64", zip(values, range(10**6, 10**6 + len(values))))
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


def memory_child(case: str, kind: str, n: int) -> dict:
    import importlib
    import tracemalloc

    import compactcol  # noqa: F401  (imports are not the container's memory)
    for prefix, module in PEER_MODULES.items():
        if case.startswith(prefix):
            try:
                importlib.import_module(module)
            except ImportError as e:
                return {"case": case, "skip": str(e)}
    values = (categorical_values(n) if kind == "categorical"
              else unique_keys(n) if kind == "keys" else random_strings(n))
    mean = sum(len(s.encode()) for s in values) / n
    gc.collect()
    tracemalloc.start()
    try:
        obj = _build(case, values)
    except ImportError as e:
        return {"case": case, "skip": str(e)}
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # pyarrow allocates through its own pool, which tracemalloc cannot see
    if case.startswith("pyarrow"):
        current = obj.nbytes if hasattr(obj, "nbytes") else current
    if case == "pandas string[pyarrow]":
        current = obj.array._pa_array.nbytes + tracemalloc.get_traced_memory()[0]
    del obj
    return {"case": case, "bytes_per": current / n, "mean_utf8": mean}


def run_memory_case(case: str, kind: str, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", case, kind, str(n)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"case": case, "skip": out.stderr.strip().splitlines()[-1:]}
    return json.loads(out.stdout)


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
    "strings": ["list", "StringArray", "numpy object", "numpy StringDType", "pandas object",
                "pandas string[pyarrow]", "pyarrow string"],
    "categorical": ["list", "CategoricalArray", "pandas Categorical", "pyarrow dictionary"],
    "distinct": ["StringPool", "dict interner"],
    "keys": ["StrDict int64", "dict str->int"],
}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="n = 200,000, 3 repeats")
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        case, kind, n = args.child
        print(json.dumps(memory_child(case, kind, int(n))))
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
            if row["case"] == case and "bytes_per" in row:
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

    lines += ["## Memory (bytes per element, tracemalloc in a fresh process)", ""]
    for kind, rows in memory.items():
        lines += [f"### {kind}", "", "| container | bytes / element |", "|---|---|"]
        for row in rows:
            value = f"{row['bytes_per']:.2f}" if "bytes_per" in row else f"skipped ({row['skip']})"
            lines.append(f"| {row['case']} | {value} |")
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
