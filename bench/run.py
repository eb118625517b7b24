#!/usr/bin/env python3
"""Benchmark runner for compactcol.Array.

    python bench/run.py [--n 1000000] [--quick] [--only memory|speed]
                        [--repeats R] [--out bench/results/array.md]

Measures memory (fresh process per container: tracemalloc and RSS) and speed
(ratios against list, array.array and NumPy, all in this one run), checks the
targets of issue 2, prints a markdown report and writes it to
bench/results/array.md.  See bench/README.md for what every number means.

compactcol is whatever ``import compactcol`` finds: a staged build through
PYTHONPATH or the installed package.  NumPy is optional.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import array_bench  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "results", "array.md")

# The asarray target is "the same cost at 1K and 10M": allow this much noise
# (a copy of 10M int64 would be ~10**4 times slower, so it cannot hide).
ASARRAY_SLACK = 1.5


# ---------------------------------------------------------------------------
# environment


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def extension_file() -> str:
    import compactcol

    return getattr(getattr(compactcol, "_core", None), "__file__", "?")


def file_digest(path: str) -> str:
    import hashlib

    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()[:12]
    except OSError:
        return "?"


def environment(np, args) -> list[str]:
    import compactcol

    core_file = extension_file()
    try:
        built = datetime.datetime.fromtimestamp(os.stat(core_file).st_mtime)
        built = built.strftime("%Y-%m-%d %H:%M:%S")
    except OSError:
        built = "?"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    return [
        f"- date: {args.date_start}",
        f"- python: {platform.python_implementation()} {sys.version.split()[0]} ({sys.executable})",
        f"- numpy: {np.__version__ if np is not None else 'not installed (its column is skipped)'}",
        f"- compactcol: {getattr(compactcol, '__version__', '?')} from "
        f"{os.path.dirname(compactcol.__file__)}",
        f"- extension: {core_file} (modified {built}, sha256 {args.digest_start})",
        f"- cpu: {cpu_model()}, {cores} usable core(s); load average at start "
        f"{args.load_start}",
        f"- run: n = {args.n:,}, {args.repeats} repeats "
        f"({'quick' if args.quick else 'full'} mode), only = {args.only or 'all'}",
    ]


# ---------------------------------------------------------------------------
# targets


class Targets:
    def __init__(self):
        self.rows = []

    def check(self, what: str, measured: float | None, op: str, target: float,
              unit: str = "", note: str = "", rows=()):
        """rows: the timing rows behind the number; a wide median/min spread
        among them flags the verdict as noisy."""
        spread = max((r["spread"] for r in rows), default=0.0)
        if measured is not None and measured > 0:
            margin = target / measured if op == "<=" else measured / target
            if max(margin, 1 / margin) < 1 + spread:
                note = (note + "; " if note else "") + (
                    f"within the noise: median/min up to {1 + spread:.2f}, "
                    "re-run to confirm")
        if measured is None:
            self.rows.append((what, "SKIP", None, op, target, unit, note))
            return
        ok = measured <= target if op == "<=" else measured >= target
        self.rows.append((what, "PASS" if ok else "MISS", measured, op, target,
                          unit, note))

    def lines(self) -> list[str]:
        out = []
        for what, verdict, measured, op, target, unit, note in self.rows:
            if measured is None:
                out.append(f"- **SKIP** {what}: {note}")
                continue
            m = f"{measured:.2f}{unit}"
            t = f"{op} {target:g}{unit}"
            by = ""
            if verdict == "MISS":
                f = measured / target if op == "<=" else target / measured
                by = f" -- misses by {f:.2f}x"
            extra = f" ({note})" if note else ""
            out.append(f"- **{verdict}** {what}: {m} (target {t}){by}{extra}")
        return out

    def summary(self) -> str:
        v = [r[1] for r in self.rows]
        return (f"{v.count('PASS')} pass, {v.count('MISS')} miss"
                + (f", {v.count('SKIP')} skipped" if "SKIP" in v else ""))


# ---------------------------------------------------------------------------
# formatting


def fmt_time(seconds: float, per: int, unit: str) -> str:
    ns = seconds * 1e9 / per
    if unit == "ns/call" and ns >= 1e6:
        return f"{ns / 1e6:,.2f} ms"
    if ns >= 1e5:
        return f"{ns / 1e6:,.2f} ms" if unit == "ns/call" else f"{ns:,.0f}"
    if ns < 1:
        return f"{ns:.3f}"
    if ns < 10:
        return f"{ns:.2f}"
    return f"{ns:,.1f}" if ns < 100 else f"{ns:,.0f}"


def speed_table(title: str, rows: list[dict]) -> list[str]:
    unit = rows[0]["unit"]
    per = rows[0]["per"]
    whole = per > 1
    has_net = any("net" in r for r in rows)
    base = next((r["label"] for r in rows if r["ratio"] == 1.0), "list")
    head = ["container / call", unit + " (min)", "ms per call (min)" if whole else None,
            "median / min", f"x {base}", "net x list" if has_net else None, "note"]
    head = [h for h in head if h is not None]
    out = [f"#### {title}", "", "| " + " | ".join(head) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(head) - 2) + ["---"]) + "|"]
    for r in rows:
        cells = [r["label"], fmt_time(r["min"], per, unit)]
        if whole:
            cells.append(f"{r['min'] * 1e3:,.2f}")
        cells.append(f"{1 + r['spread']:.2f}")
        cells.append(f"{r['ratio']:.2f}" if r["ratio"] is not None else "")
        if has_net:
            cells.append(f"{r['net']:.2f}" if "net" in r else "")
        cells.append(r["note"])
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    return out


def memory_table(rows: list[dict], n: int) -> list[str]:
    lst = next((r for r in rows if r["case"] == "list"), None)
    out = ["| container | built as | dtype | tracemalloc B/elem | traced peak B/elem "
           "| RSS delta B/elem | x list (traced) |",
           "|---|---|---|---:|---:|---:|---:|"]
    for r in rows:
        ratio = f"{r['traced'] / lst['traced']:.3f}" if lst else ""
        out.append(
            f"| {r['case']} | `{r['desc']}` | {r['dtype'] or '-'} "
            f"| {r['traced'] / n:.3f} | {r['traced_peak'] / n:.3f} "
            f"| {r['rss'] / n:.2f} | {ratio} |")
    out.append("")
    return out


# ---------------------------------------------------------------------------
# the run


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=None,
                   help="elements per container (default 1,000,000; 200,000 with --quick)")
    p.add_argument("--quick", action="store_true",
                   help="fewer elements and repeats (under 30 s); not the target setting")
    p.add_argument("--only", choices=("memory", "speed"))
    p.add_argument("--repeats", type=int, default=None,
                   help="timed repeats per measurement (default 7; 3 with --quick)")
    p.add_argument("--out", default=DEFAULT_OUT,
                   help="markdown report path (default bench/results/array.md)")
    args = p.parse_args(argv)
    if args.n is None:
        args.n = 200_000 if args.quick else 1_000_000
    if args.repeats is None:
        args.repeats = 5 if args.quick else 7
    args.load_start = load_average()
    args.date_start = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")

    try:
        import numpy as np
    except ImportError:
        np = None
    import compactcol  # noqa: F401  (fail early with a clear error)

    # The child processes load the extension again: if it is rebuilt during
    # the run, the report says so.
    args.digest_start = file_digest(extension_file())

    t_start = time.perf_counter()

    def log(msg):
        sys.stderr.write(f"[{time.perf_counter() - t_start:6.1f}s] {msg}\n")
        sys.stderr.flush()

    n = args.n
    targets = Targets()
    body: list[str] = []

    if args.only in (None, "memory"):
        rows = array_bench.run_memory(n, np is not None, log)
        by = {r["case"]: r for r in rows}
        body += ["## Memory", "",
                 f"{n:,} elements; each container built in a fresh process. "
                 "Bytes per element = (traced bytes after the build - before) / n; "
                 "the input list, when there is one, exists before the baseline "
                 "and is not counted. RSS delta is from a second, untraced process.",
                 ""]
        body += memory_table(rows, n)
        targets.check("memory: Array('int64') from a list",
                      by["Array('int64') from list"]["traced"] / n, "<=", 8.8, " B/elem")
        targets.check("memory: Array('int64') built by n appends",
                      by["Array('int64') by appends"]["traced"] / n, "<=", 10.5, " B/elem")
        for case in ("Array('int') [0,100) from list", "Array('int') [0,100) by appends"):
            r = by[case]
            targets.check(f"memory: {case}", r["traced"] / n, "<=", 1.25, " B/elem",
                          f"stored as {r['dtype']}")

    if args.only in (None, "speed"):
        sb = array_bench.SpeedBench(n, args.repeats, np, log,
                                    min_time=0.01 if args.quick else 0.02)
        res = sb.run_all()
        body += ["## Speed", "",
                 f"{n:,} elements unless stated. Times are per call (or per element), "
                 f"the minimum over {args.repeats} samples (sorts: "
                 f"{max(3, args.repeats // 2)}); a sample repeats a cheap call until it "
                 "lasts 20 ms (10 ms with --quick), as timeit does; peers take turns "
                 "sample by sample; GC off while timing; `median / min` shows "
                 "the noise. `x base` divides by the base row's minimum (the base has "
                 "1.00). `net x list` first subtracts the cost of the bare "
                 "`for x in data: pass` loop from both. Integer data: random ints in "
                 "[0, 10**9) unless the title says otherwise.", ""]
        for title, rows in sb.results.items():
            body += speed_table(title, rows)

        A64, AQ = "Array('int64')", "array.array('q')"
        app_rows, app_net = res["append"]
        targets.check("append loop: Array('int64') / list", app_rows[A64]["ratio"],
                      "<=", 1.5, "x",
                      f"net of loop overhead {app_net[A64]:.2f}x; "
                      f"array.array {app_rows[AQ]['ratio']:.2f}x",
                      rows=(app_rows["list"], app_rows[A64]))
        gi_rows, gi_net = res["getitem"]
        targets.check("a[i] random reads: Array('int64') / list", gi_rows[A64]["ratio"],
                      "<=", 1.5, "x", f"net of loop overhead {gi_net[A64]:.2f}x",
                      rows=(gi_rows["list"], gi_rows[A64]))
        targets.check("iteration: Array('int64') / list",
                      res["iter"][A64]["ratio"], "<=", 2.5, "x",
                      rows=(res["iter"]["list"], res["iter"][A64]))
        targets.check("sum(): Array('int64') / list",
                      res["sum"][A64]["ratio"], "<=", 2.0, "x",
                      rows=(res["sum"]["list"], res["sum"][A64]))
        con = res["construct"]
        arr_t = con["Array('int64', lst)"]["min"]
        targets.check("construction: Array('int64', lst) / array.array('q', lst)",
                      arr_t / con["array.array('q', lst)"]["min"], "<=", 1.0, "x",
                      rows=(con["Array('int64', lst)"], con["array.array('q', lst)"]))
        if np is not None:
            targets.check("construction: Array('int64', lst) / np.array(lst)",
                          arr_t / con["np.array(lst)"]["min"], "<=", 1.0, "x",
                          rows=(con["Array('int64', lst)"], con["np.array(lst)"]))
        else:
            targets.check("construction vs np.array(lst)", None, "<=", 1.0,
                          note="numpy not installed")
        for title, rows in res["search"].items():
            if title.startswith("_"):
                continue
            sp = rows["list"]["min"] / rows["Array('int64')"]["min"]
            np_note = ""
            np_row = next((r for k, r in rows.items() if k.startswith("numpy")), None)
            if np_row:
                np_note = f"numpy {rows['list']['min'] / np_row['min']:.1f}x"
            targets.check(f"{title}: list / Array speed-up", sp, ">=", 20, "x", np_note,
                          rows=(rows["list"], rows[A64]))
        for key, rows in res["sort"].items():
            arr_label = next(k for k in rows if k.startswith("Array"))
            sp = rows["list.sort()"]["min"] / rows[arr_label]["min"]
            np_row = rows.get("numpy ndarray.sort() (np.sort without its copy)")
            np_note = (f"numpy {rows['list.sort()']['min'] / np_row['min']:.1f}x"
                       if np_row else "")
            what = {"wide": "int64 full range", "small": "int64 in [0, 1000)",
                    "floats": "float64"}[key]
            targets.check(f"sort() {what}: list.sort / Array.sort speed-up", sp, ">=",
                          5, "x", np_note, rows=(rows["list.sort()"], rows[arr_label]))
        asr = res["asarray"]
        if np is not None:
            t1k = asr["np.asarray(a), 1K"]["min"]
            t10m = asr["np.asarray(a), 10M"]["min"]
            targets.check("np.asarray(a): 10M / 1K elements", t10m / t1k, "<=",
                          ASARRAY_SLACK, "x",
                          f"{t1k * 1e9:.0f} ns vs {t10m * 1e9:.0f} ns; constant time "
                          f"= ratio ~1, a copy would be ~10^4",
                          rows=(asr["np.asarray(a), 1K"], asr["np.asarray(a), 10M"]))
        else:
            targets.check("np.asarray(a) constant time", None, "<=", ASARRAY_SLACK,
                          note="numpy not installed")

    elapsed = time.perf_counter() - t_start
    report = ["# compactcol.Array benchmark", ""]
    report += environment(np, args)
    report += [f"- load average at end: {load_average()}; wall time {elapsed:.0f} s", ""]
    digest_end = file_digest(extension_file())
    if digest_end != args.digest_start:
        report += [f"> **The extension changed during the run** (sha256 {args.digest_start} "
                   f"-> {digest_end}): the memory children may have measured a different "
                   "build from the speed section. Re-run.", ""]
    if args.quick or n != 1_000_000:
        report += ["> Not the target configuration (targets are stated at n = 1,000,000 "
                   "with the full repeat count); treat the verdicts as indicative.", ""]
    report += [f"## Targets (issue 2) -- {targets.summary()}", ""]
    report += targets.lines() + [""]
    report += body
    text = "\n".join(report).rstrip() + "\n"
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, args.out)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
