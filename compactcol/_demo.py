"""The demo (SPEC §4): a generated record data set built as a list of dicts,
a list of dataclasses, a pandas DataFrame (when pandas is installed) and a
compactcol.Table; memory (tracemalloc, which sees compactcol's buffers: they
come from PyMem) and build time side by side.

Every structure is built row by row from the same generated records, the
way a loader fills it; each row owns its values (fresh ints above 256 and
fresh strings), as rows read from a file or a socket do.
"""

import dataclasses
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


class _Progress:
    """A text progress bar on stderr: `label [#####.....] 50%`."""

    def __init__(self, label, total):
        self.label, self.total, self.shown = label, max(total, 1), -1

    def __call__(self, done):
        pct = 100 * done // self.total
        if pct != self.shown:
            self.shown = pct
            bar = "#" * (pct // 5) + "." * (20 - pct // 5)
            sys.stderr.write(f"\r  {self.label:<24} [{bar}] {pct:3d}%")
            sys.stderr.flush()

    def done(self):
        self(self.total)
        sys.stderr.write("\n")


def _feed(raw, label):
    """One fresh dict per record, as a loader parses it (new ints, floats
    and strs per row), ticking a progress bar every 1%."""
    n = len(raw)
    bar = _Progress(label, n)
    step = max(n // 100, 1)
    for i, (price, name, category, flag) in enumerate(raw):
        if i % step == 0:
            bar(i)
        yield {"id": 1_000_000 + i, "ts": 1_700_000_000_000 + 37 * i, "price": price * 1.0,
               "name": name.decode(), "category": category.decode(), "flag": flag}
    bar.done()


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


def _measure(raw, label, build):
    """(bytes the result holds, seconds): one build under tracemalloc (the
    time includes making the row dicts, for every structure alike).  For
    pandas, whose strings may live in Arrow memory tracemalloc cannot see,
    the bytes are memory_usage(deep=True)."""
    tracemalloc.start()
    t0 = time.perf_counter()
    obj = build(_feed(raw, label))
    seconds = time.perf_counter() - t0
    current = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    if hasattr(obj, "memory_usage"):
        current = int(obj.memory_usage(deep=True).sum())
    del obj
    return current, seconds


def run_demo(n):
    builders = [("list of dicts", _build_dicts), ("list of dataclasses", _build_dataclasses)]
    try:
        importlib.import_module("pandas")
        builders.append(("pandas DataFrame", _build_pandas))
    except ImportError:
        pass
    builders.append(("compactcol.Table", _build_table))
    print(f"{n:,} orders: id:int, ts:int, price:float, name:str (8-24 chars), "
          f"category (50 values), flag:bool", file=sys.stderr)
    raw = _raw(n)
    results = [(label, *_measure(raw, label, build)) for label, build in builders]
    print(f"\n{'structure':<22}{'memory':>12}{'bytes/row':>12}{'build*':>10}")
    for label, nbytes, seconds in results:
        print(f"{label:<22}{nbytes / 1e6:>10.1f} MB{nbytes / max(n, 1):>12.1f}{seconds:>9.2f}s")
    print("* build time includes making the row dicts, under tracemalloc for all alike "
          "(it slows Python's allocations; bench/table_bench.py times without it)")
    if not any(label.startswith("pandas") for label, *_ in results):
        print("(pandas is not installed: pip install pandas to compare with it)")
    dicts = results[0][1]
    table = results[-1][1]
    print(f"\ncompactcol.Table: {dicts / max(table, 1):.1f}x smaller than a list of dicts")
    return 0
