#!/usr/bin/env python3
"""Arrow export and import speed (issue 5), against the same data going
through Python lists and a plain memcpy of the buffers, in one run.

    python bench/arrow_bench.py [--repeats 5] [--out bench/results/arrow.md]

Export: pyarrow.array(container) for 10 M int64 and 1 M strings against
1 K of each -- a zero-copy export costs the same at both sizes.
Import: compactcol.from_arrow(pyarrow array) against a memcpy of the same
buffers (bytes(buffer)) and against pyarrow -> list -> container.
Tables and NumPy (reported, no issue target): Table.from_arrow /
from_pandas of 1 M rows against the same rows through Python dicts,
StringArray.to_numpy and Table.to_numpy against NumPy building the same
from Python objects, and an export cast (adaptive int8 storage asked for
as int64) against the zero-copy export.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys

# run as a script, so bench/ is on sys.path: one timer, one data generator
from strings_bench import best_of, random_strings

HERE = os.path.dirname(os.path.abspath(__file__))


def table_and_numpy_times(repeats, words):
    """The Table in/out conversions and NumPy packing, with their peers."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from compactcol import Array, StringArray, Table

    n = len(words)
    rng = np.random.default_rng(7)
    cats = [f"sym{i:02d}" for i in range(50)]
    at = pa.table({
        "id": pa.array(np.arange(n, dtype=np.int64)),
        "price": pa.array(rng.random(n) * 100),
        "name": pa.array(words, pa.string()),
        "sym": pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, 50, n, dtype=np.int8)),
                                              pa.array(cats)),
        "flag": pa.array(rng.random(n) < 0.5),
    })
    schema = {"id": "int64", "price": "float64", "name": "str", "sym": "category", "flag": "bool"}
    df = at.to_pandas()
    r = {}
    r["Table.from_arrow 1 M rows"] = best_of(lambda: Table.from_arrow(at), repeats)
    r["Table(schema, pyarrow.to_pylist()) 1 M rows"] = best_of(
        lambda: Table(schema, at.to_pylist()), 1)
    r["Table.from_pandas 1 M rows"] = best_of(lambda: Table.from_pandas(df), repeats)
    r["Table(schema, df.to_dict('records')) 1 M rows"] = best_of(
        lambda: Table(schema, df.to_dict("records")), 1)

    strs = StringArray(words)
    sd = np.dtypes.StringDType()
    r["StringArray.to_numpy 1 M"] = best_of(strs.to_numpy, repeats)
    r["np.array(list of str, StringDType) 1 M"] = best_of(lambda: np.array(words, dtype=sd), repeats)
    r["np.array(a.tolist(), StringDType) 1 M"] = best_of(
        lambda: np.array(strs.tolist(), dtype=sd), repeats)
    table = Table.from_arrow(at)
    structured = table.to_numpy().dtype
    rows = list(zip(*(c.tolist() for c in table._columns)))
    r["Table.to_numpy 1 M rows"] = best_of(table.to_numpy, repeats)
    r["np.array(list of tuples, structured) 1 M rows"] = best_of(
        lambda: np.array(rows, dtype=structured), 1)

    small = Array("int", np.arange(10_000_000) % 100)  # int8 storage
    r["export 10 M adaptive int8 as int64 (cast)"] = best_of(
        lambda: pa.array(small, type=pa.int64()), repeats)
    r["export 10 M adaptive int8 as stored"] = best_of(lambda: pa.array(small), repeats)
    return r


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--out", default=os.path.join(HERE, "results", "arrow.md"))
    args = p.parse_args(argv)
    import pyarrow as pa

    import compactcol
    from compactcol import Array, StringArray, from_arrow

    big_ints, small_ints = Array("int64", range(10_000_000)), Array("int64", range(1000))
    words = random_strings(1_000_000)
    big_strs, small_strs = StringArray(words), StringArray(words[:1000])
    r = {}
    r["export 10 M int64"] = best_of(lambda: pa.array(big_ints), args.repeats)
    r["export 1 K int64"] = best_of(lambda: pa.array(small_ints), args.repeats)
    r["export 1 M strings"] = best_of(lambda: pa.array(big_strs), args.repeats)
    r["export 1 K strings"] = best_of(lambda: pa.array(small_strs), args.repeats)

    pa_ints = pa.array(range(10_000_000), type=pa.int64())
    pa_strs = pa.array(words, type=pa.string())
    r["import 10 M int64"] = best_of(lambda: from_arrow(pa_ints), args.repeats)
    r["memcpy 10 M int64 buffers"] = best_of(
        lambda: [bytes(b) for b in pa_ints.buffers() if b is not None], args.repeats)
    r["via list 10 M int64"] = best_of(lambda: Array("int64", pa_ints.to_pylist()), 1)
    r["import 1 M strings"] = best_of(lambda: from_arrow(pa_strs), args.repeats)
    r["memcpy 1 M strings buffers"] = best_of(
        lambda: [bytes(b) for b in pa_strs.buffers() if b is not None], args.repeats)
    r["via list 1 M strings"] = best_of(lambda: StringArray(pa_strs.to_pylist()), 1)

    r.update(table_and_numpy_times(args.repeats, words))

    targets = []

    def check(what, measured, op, target):
        ok = measured <= target if op == "<=" else measured >= target
        targets.append(f"- **{'PASS' if ok else 'MISS'}** {what}: {measured:.2f} "
                       f"(target {op} {target:g})")

    # "constant time": the 10 M export may cost at most 3x the 1 K one (a
    # copy of 80 MB would cost ~10**4 times more)
    check("export 10 M int64 / export 1 K int64", r["export 10 M int64"] / r["export 1 K int64"],
          "<=", 3)
    check("export 1 M strings / export 1 K strings",
          r["export 1 M strings"] / r["export 1 K strings"], "<=", 3)
    check("import 10 M int64 / memcpy of its buffers",
          r["import 10 M int64"] / r["memcpy 10 M int64 buffers"], "<=", 2)
    check("import 1 M strings / memcpy of its buffers",
          r["import 1 M strings"] / r["memcpy 1 M strings buffers"], "<=", 2)
    check("via Python lists / import, 10 M int64",
          r["via list 10 M int64"] / r["import 10 M int64"], ">=", 10)
    check("via Python lists / import, 1 M strings",
          r["via list 1 M strings"] / r["import 1 M strings"], ">=", 10)
    lines = ["# compactcol Arrow export / import: benchmark report", "",
             f"- date: {datetime.datetime.now():%Y-%m-%d %H:%M}",
             f"- python {sys.version.split()[0]}, pyarrow {pa.__version__}, compactcol from "
             f"{os.path.dirname(compactcol.__file__)}",
             f"- command: python bench/arrow_bench.py --repeats {args.repeats}", "",
             "## Targets", "", *targets, "", "## Times (seconds, best of the repeats)", "",
             "| operation | seconds |", "|---|---|"]
    lines += [f"| {k} | {v:.6f} |" for k, v in r.items()]
    report = "\n".join(lines) + "\n"
    print(report)
    with open(args.out, "w") as f:
        f.write(report)


if __name__ == "__main__":
    main()
