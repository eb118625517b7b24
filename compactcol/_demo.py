"""The demo (SPEC §4): a generated record data set built as a list of dicts,
a list of dataclasses, a pandas DataFrame (when pandas is installed) and a
compactcol.Table; memory (tracemalloc, which sees compactcol's buffers: they
come from PyMem) and build time side by side.  Each structure is built
twice: once timed with tracemalloc off, once under tracemalloc for its bytes
and peak (tracemalloc slows the builds, and some more than others).

Every structure is built row by row from the same generated records, the
way a loader fills it; each row owns its values (fresh ints above 256 and
fresh strings), as rows read from a file or a socket do.
"""

import dataclasses
import gc
import importlib
import random
import sys
import time
import tracemalloc

from ._record import record_class_for
from ._table import Table

CATEGORIES = [f"{a}-{b}" for a in ("north", "south", "east", "west", "core")
              for b in ("retail", "online", "partner", "direct", "resale", "bulk", "promo",
                        "return", "gift", "trial")]  # 50 values
LETTERS = "abcdefghijklmnopqrstuvwxyz"


# The demo's record type.  Made from its fields (as Table({...}) does)
# rather than as a `class Order(Record)` statement: a Record class has its
# own memory layout, which the package's type stubs need not describe.
Order = record_class_for((("id", "int64"), ("ts", "int64"), ("price", "float64"),
                          ("name", "str"), ("category", "category"), ("flag", "bool")), "Order")


@dataclasses.dataclass(slots=True)
class OrderDC:
    id: int
    ts: int
    price: float
    name: str
    category: str
    flag: bool


def _raw(n, seed=2024):
    """The generated values, made once: names and categories as bytes."""
    rng = random.Random(seed)
    cats = [c.encode() for c in CATEGORIES]
    return [(round(rng.uniform(1, 500), 2),
             "".join(rng.choices(LETTERS, k=rng.randint(8, 24))).encode(),
             cats[rng.randrange(50)], rng.random() < 0.3) for _ in range(n)]


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


class _Progress:
    """One phase's progress on stderr.  On a terminal, a bar redrawn in place
    with the time elapsed and an estimate of the time left; otherwise (a log
    file, a pipe) one line when the phase ends, never a frame."""

    def __init__(self, label, total):
        self.stream = sys.stderr
        self.tty = _isatty(self.stream)
        self.label, self.total, self.shown = label, total, -1
        self.t0 = time.perf_counter()

    def __call__(self, done):
        if not self.tty:
            return
        pct = 100 * done // max(self.total, 1)
        if pct != self.shown:
            self.shown = pct
            elapsed = time.perf_counter() - self.t0
            left = f"~{elapsed * (self.total - done) / done:.0f}s left" if done else "?s left"
            bar = "#" * (pct // 10) + "." * (10 - pct // 10)
            self.stream.write(f"\r  {self.label:<36} [{bar}] {pct:3d}% "
                              f"{elapsed:4.0f}s, {left:<10}")
            self.stream.flush()

    def done(self):
        elapsed = time.perf_counter() - self.t0
        if self.tty:
            self.stream.write(f"\r  {self.label:<36} [{'#' * 10}] 100% "
                              f"{elapsed:4.0f}s{' ' * 12}\n")
        else:
            self.stream.write(f"  {self.label}: {_fmt_seconds(elapsed)}\n")
        self.stream.flush()


def _feed(raw, tick=None):
    """One fresh dict per record, as a loader parses it (new ints, floats
    and strs per row), calling tick(rows done) every 1%."""
    step = max(len(raw) // 100, 1)
    for i, (price, name, category, flag) in enumerate(raw):
        if tick is not None and i % step == 0:
            tick(i)
        yield {"id": 1_000_000 + i, "ts": 1_700_000_000_000 + 37 * i, "price": price * 1.0,
               "name": name.decode(), "category": category.decode(), "flag": flag}


def _build_dicts(rows):
    out = []
    for row in rows:
        out.append(row)
    return out


def _build_dataclasses(rows):
    return [OrderDC(**row) for row in rows]


def _build_table(rows):
    table = Table(Order)
    for row in rows:  # the user's loop, one line changed
        table.append(row)
    return table


def _build_pandas(rows):
    pd = importlib.import_module("pandas")
    return pd.DataFrame(list(rows))


def _time_build(raw, label, build):
    """Seconds of one build with tracemalloc off (it slows every Python
    allocation, some structures' builds more than others).  The time
    includes making the row dicts, for every structure alike."""
    gc.collect()
    bar = _Progress(label, len(raw))
    t0 = time.perf_counter()
    obj = build(_feed(raw, bar))
    seconds = time.perf_counter() - t0
    bar.done()
    del obj
    return seconds


def _trace_build(raw, label, build):
    """(bytes the result holds, peak bytes during the build) from a second
    build under tracemalloc.  For pandas, whose strings may live in Arrow
    memory tracemalloc cannot see, the bytes are memory_usage(deep=True)."""
    gc.collect()
    bar = _Progress(f"{label}, traced build", len(raw))
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    obj = build(_feed(raw, bar))
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    bar.done()
    current, peak = current - base, peak - base
    if hasattr(obj, "memory_usage"):
        current = int(obj.memory_usage(deep=True).sum())
    del obj
    return current, peak


def _fmt_bytes(b):
    if b >= 1e6:
        return f"{b / 1e6:.1f} MB"
    if b >= 1e3:
        return f"{b / 1e3:.1f} kB"
    return f"{b:.0f} B"


def _fmt_seconds(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} us"


REPEATS = 3  # timed builds per structure, the best counts (the machine may be busy)
SMALL = 10_000  # below this many rows, fixed costs and timer noise dominate


def run_demo(n):
    if n < 0:
        raise ValueError(f"the number of rows must be 0 or more, not {n}")
    builders = [("list of dicts", _build_dicts), ("list of dataclasses", _build_dataclasses)]
    try:
        importlib.import_module("pandas")
        builders.append(("pandas DataFrame", _build_pandas))
    except ImportError:
        pass
    builders.append(("compactcol.Table", _build_table))
    print(f"{n:,} orders: id:int, ts:int, price:float, name:str (8-24 chars), "
          f"category (50 values), flag:bool", file=sys.stderr)
    warm = _raw(1000, seed=1)
    for _, build in builders:  # lazy imports and first-use setup, not measured
        build(_feed(warm))
    raw = _raw(n)
    best = {label: float("inf") for label, _ in builders}
    for r in range(REPEATS):  # round robin: a busy moment slows one of each, not all of one
        for label, build in builders:
            seconds = _time_build(raw, f"{label}, timed build {r + 1}/{REPEATS}", build)
            best[label] = min(best[label], seconds)
    results = [(label, *_trace_build(raw, label, build), best[label]) for label, build in builders]
    print(f"\n{'structure':<22}{'memory':>11}{'bytes/row':>11}{'traced peak':>13}"
          f"{'build time':>12}")
    for label, nbytes, peak, seconds in results:
        per_row = f"{nbytes / n:.1f}" if n else "n/a"
        print(f"{label:<22}{_fmt_bytes(nbytes):>11}{per_row:>11}{_fmt_bytes(peak):>13}"
              f"{_fmt_seconds(seconds):>12}")
    print("memory: tracemalloc's bytes held after the build (pandas: memory_usage(deep=True),\n"
          "  its strings may live where tracemalloc cannot see); traced peak: the most held\n"
          f"  during the build, row dicts included; build time: the best of {REPEATS} other\n"
          "  builds, tracemalloc off, making the row dicts included for all alike")
    if not any(label.startswith("pandas") for label, *_ in results):
        print("(pandas is not installed: pip install pandas to compare with it)")
    if n == 0:
        print("\nNo rows, so no per-row figures and no ratios: an empty structure's size is "
              "its fixed cost. Try --rows 100000.")
        return 0
    _, dicts, _, dicts_s = results[0]
    _, table, _, table_s = results[-1]
    print()
    if table and dicts:
        if dicts >= table:
            print(f"compactcol.Table: {dicts / table:.1f}x smaller than a list of dicts")
        else:
            print(f"compactcol.Table: {table / dicts:.1f}x larger than a list of dicts")
    if table_s and dicts_s:
        print(f"compactcol.Table: builds in {table_s / dicts_s:.2f}x the time of a list of dicts")
    if n < SMALL:
        print(f"(at {n:,} row{'s' * (n != 1)} fixed costs and timer noise dominate these "
              "ratios; the default 1,000,000 rows shows the per-row costs)")
    return 0
