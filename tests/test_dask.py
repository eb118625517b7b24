"""compactcol.Table as the partition format of dask.distributed (issue 5).

A LocalCluster with two *process* workers gets eight Table partitions
(client.scatter), maps a filter-and-sum over them (client.map), and the
gathered results are compared with pandas computing the same on the same
rows.  Tables also travel back from the workers, and the pickle protocol 5
path that moves them (column buffers out of band) is checked directly.

The workers cannot import this module (tests/ is not a package and runs
under --import-mode=importlib; a worker must not import from the checkout),
so the functions they run are local functions, which distributed pickles by
value (cloudpickle), and the tables use a dict schema, whose generated
Record class pickles by its fields.  A Record subclass must
be importable by the workers: the test that needs one uploads a module to
them (client.upload_file).  See docs/distributed.md.
"""

import collections
import logging
import math
import os
import pickle
import random
import sys
import types

import pytest

import compactcol as cc

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
cloudpickle = pytest.importorskip("cloudpickle")

from distributed.protocol import deserialize, serialize  # noqa: E402

# Generous: under AddressSanitizer (.ci/sanitize) everything, the workers'
# start-up included, runs 5-10x slower.  No assert depends on time.
TIMEOUT = int(os.environ.get("CC_DASK_TIMEOUT", 120))

SCHEMA = {"id": "int64", "ts": "int64", "sym": "category", "venue": "str",
          "price": "float64", "qty": "int32", "note": "str?", "fee": "float64?", "ok": "bool"}
N_PARTS, N_ROWS = 8, 20_000
SYMBOLS = [f"{a}{b}" for a in "ABCDEFGH" for b in "XYZQR"]  # 40 symbols
VENUES = ["XNAS", "XNYS", "ARCX", "BATS", "EDGX", "IEXG", "MEMX"]
MIN_PRICE, MIN_QTY = 25.0, 100


def make_rows(part, n=N_ROWS):
    rng = random.Random(1000 + part)
    rows = []
    for i in range(n):
        rows.append({
            "id": part * n + i,
            "ts": 1_700_000_000_000 + i * 7 + rng.randrange(7),
            "sym": rng.choice(SYMBOLS),
            "venue": f"{rng.choice(VENUES)}-{rng.randrange(100):02d}",
            "price": round(rng.lognormvariate(3.0, 1.0), 4),
            "qty": rng.randrange(1, 5000),
            "note": None if rng.random() < 0.7 else f"note {rng.randrange(1000)} é",
            "fee": None if rng.random() < 0.2 else round(rng.random() * 5, 4),
            "ok": rng.random() < 0.8,
        })
    return rows


def keep(row):
    return row["ok"] and row["price"] > MIN_PRICE and row["qty"] >= MIN_QTY


# ---- fixtures ---------------------------------------------------------------

@pytest.fixture(scope="module")
def rows():
    return [make_rows(p) for p in range(N_PARTS)]


@pytest.fixture(scope="module")
def parts(rows):
    return [cc.Table(SCHEMA, r) for r in rows]


@pytest.fixture(scope="module")
def work():
    """The functions the workers run.  Defined here, not at module level:
    pickle would send a module-level function by reference, and a worker
    cannot import this module (tests/ is not a package, and the workers must
    not import from the checkout); a local function is sent by value
    (distributed falls back to cloudpickle)."""

    def summarize(t):
        """Filter a partition through a mask made from its columns, then sum."""
        import numpy
        mask = (numpy.asarray(t["ok"]) & (numpy.asarray(t["price"]) > MIN_PRICE)
                & (numpy.asarray(t["qty"]) >= MIN_QTY))
        f = t.filter(mask)
        by_sym = collections.Counter()
        for r in f:  # row views, on the worker
            by_sym[r.sym] += r.qty
        fees = [x for x in f["fee"] if x is not None]
        return {
            "pid": os.getpid(),
            "rows": len(f),
            "qty": sum(f["qty"]),
            "notional": math.fsum(p * q for p, q in zip(f["price"], f["qty"])),
            "fee": math.fsum(fees),
            "fee_n": len(fees),
            "notes": sum(x is not None for x in f["note"]),
            "by_sym": dict(by_sym),
        }

    def kept_with_notional(t):
        """A new Table back to the client: filtered by a predicate, one column added."""
        f = t.filter(lambda r: r.ok and r.price > MIN_PRICE and r.qty >= MIN_QTY)
        f.add_column("notional", [r.price * r.qty for r in f])
        return f

    def value_of_rows(t):
        return [r.value() for r in t]  # a method of the uploaded Record class

    return types.SimpleNamespace(summarize=summarize, kept_with_notional=kept_with_notional,
                                 value_of_rows=value_of_rows)


@pytest.fixture(scope="module")
def client():
    with dask.config.set({"distributed.comm.timeouts.connect": f"{TIMEOUT}s",
                          "distributed.comm.timeouts.tcp": f"{TIMEOUT}s"}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=":0", silence_logs=logging.ERROR,
                                      memory_limit=None) as cluster:
            with distributed.Client(cluster, timeout=f"{TIMEOUT}s") as c:
                c.wait_for_workers(2, timeout=TIMEOUT)
                yield c


def gather(client, futures):
    distributed.wait(futures, timeout=TIMEOUT)
    return client.gather(futures)


def expected_summary(part_rows):
    df = pd.DataFrame(part_rows)
    sel = df[df["ok"] & (df["price"] > MIN_PRICE) & (df["qty"] >= MIN_QTY)]
    by_sym = sel.groupby("sym")["qty"].sum()
    return {
        "rows": len(sel),
        "qty": int(sel["qty"].sum()),
        "notional": float((sel["price"] * sel["qty"]).sum()),
        "fee": float(sel["fee"].sum()),  # NaN (the None rows) skipped
        "fee_n": int(sel["fee"].notna().sum()),
        "notes": int(sel["note"].notna().sum()),
        "by_sym": {k: int(v) for k, v in by_sym.items()},
    }


# ---- tests ------------------------------------------------------------------

def test_map_filter_and_sum_over_partitions_matches_pandas(client, work, parts, rows):
    futures = client.scatter(parts, hash=False, timeout=TIMEOUT)
    got = gather(client, client.map(work.summarize, futures))
    assert len(got) == N_PARTS
    assert all(g["pid"] != os.getpid() for g in got)  # it ran in the worker processes
    totals = collections.Counter()
    for g, part_rows in zip(got, rows):
        want = expected_summary(part_rows)
        assert 0 < g["rows"] < N_ROWS
        for k in ("rows", "qty", "fee_n", "notes", "by_sym"):
            assert g[k] == want[k], k  # exact for integers
        assert math.isclose(g["notional"], want["notional"], rel_tol=1e-9)
        assert math.isclose(g["fee"], want["fee"], rel_tol=1e-9)
        totals.update({"rows": g["rows"], "qty": g["qty"]})
    everything = pd.DataFrame([r for p in rows for r in p])
    sel = everything[everything["ok"] & (everything["price"] > MIN_PRICE)
                     & (everything["qty"] >= MIN_QTY)]
    assert totals["rows"] == len(sel) and totals["qty"] == int(sel["qty"].sum())


def test_a_worker_returns_a_table(client, work, parts, rows):
    futures = client.scatter(parts[:3], hash=False, timeout=TIMEOUT)
    back = gather(client, client.map(work.kept_with_notional, futures))
    for b, part_rows in zip(back, rows):
        assert type(b) is cc.Table
        want = [dict(r, notional=r["price"] * r["qty"]) for r in part_rows if keep(r)]
        assert b.schema == dict(SCHEMA, notional="float64")
        assert b == want  # row by row, every field
        assert isinstance(b["sym"], cc.CategoricalArray) and isinstance(b["venue"], cc.StringArray)
        notes = list(b["note"])
        assert None in notes and any(isinstance(x, str) and x.endswith("é") for x in notes)
        assert None in list(b["fee"])
        # the unpickled table owns its columns: it grows like any other
        b.append(want[0])
        assert b[-1].as_dict() == want[0] and len(b) == len(want) + 1


def test_scattered_table_is_not_changed_or_locked(client):
    t = cc.Table(SCHEMA, make_rows(0, 500))
    before = t.to_dicts()
    [fut] = client.scatter([t], hash=False, timeout=TIMEOUT)
    assert fut.result(timeout=TIMEOUT) == before  # a copy came back from the worker
    assert gather(client, [client.submit(len, fut)]) == [500]
    assert t.to_dicts() == before
    t.append(before[0])  # nothing kept an export of its columns alive
    assert len(t) == 501


def test_pickle_protocol_5_moves_the_columns_out_of_band(parts, rows):
    t = parts[0]
    bufs = []
    data = pickle.dumps(t, protocol=5, buffer_callback=bufs.append)
    assert bufs and all(isinstance(b, pickle.PickleBuffer) for b in bufs)
    out_of_band = sum(memoryview(b).nbytes for b in bufs)
    assert out_of_band >= 0.9 * t.nbytes
    assert len(data) < t.nbytes / 20  # the stream holds the schema, not the data
    assert len(pickle.dumps(t, protocol=5)) > t.nbytes  # in band without a callback
    # the buffers are the columns' own memory, not copies
    ids = np.asarray(t["id"])
    assert any(np.shares_memory(np.frombuffer(b, dtype=np.uint8), ids) for b in bufs)
    u = pickle.loads(data, buffers=bufs)
    assert u == t and u == rows[0] and u.schema == SCHEMA
    u["price"][0] = -1.0  # and the unpickled table is its own
    assert t["price"][0] == rows[0][0]["price"]


def test_distributed_serialize_sends_the_columns_as_frames(parts):
    t = parts[1]
    header, frames = serialize(t)
    assert header["serializer"] == "pickle"
    sizes = [memoryview(f).nbytes for f in frames]
    assert len(frames) > 1 and sizes[0] < t.nbytes / 20 and sum(sizes[1:]) >= 0.9 * t.nbytes
    ids = np.asarray(t["id"])
    assert any(np.shares_memory(np.frombuffer(f, dtype=np.uint8), ids) for f in frames[1:])
    assert deserialize(header, frames) == t


RECORDS_MODULE = "compactcol_dask_test_records"
RECORDS_SOURCE = '''\
import compactcol as cc


class Fill(cc.Record):
    id: int
    sym: cc.Category
    price: float
    qty: cc.int32
    note: str | None

    def value(self):
        return self.price * self.qty
'''


@pytest.fixture
def records_module(client, tmp_path):
    path = tmp_path / f"{RECORDS_MODULE}.py"
    path.write_text(RECORDS_SOURCE)
    sys.path.insert(0, str(tmp_path))
    try:
        mod = __import__(RECORDS_MODULE)
        client.upload_file(str(path))  # every worker can import it now
        yield mod
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(RECORDS_MODULE, None)


def test_record_class_importable_by_the_workers(client, work, records_module):
    Fill = records_module.Fill
    rng = random.Random(7)
    t = cc.Table(Fill, [(i, rng.choice(SYMBOLS), rng.random() * 100, rng.randrange(1, 100),
                         None if i % 3 else f"n{i}") for i in range(2000)])
    fut = client.scatter(t, hash=False, timeout=TIMEOUT)
    assert gather(client, [client.submit(work.value_of_rows, fut)]) == [[r.value() for r in t]]
    back = gather(client, [client.submit(lambda x: x.filter(lambda r: r.qty > 50), fut)])[0]
    assert back.record_class is Fill and type(back[0]) is Fill
    assert back == [r for r in t if r.qty > 50]


class Trade(cc.Record):  # importable here (in-process), never by the workers
    id: int
    sym: cc.Category
    price: float


def test_table_of_a_record_class_pickles_after_add_column():
    # A worker that adds a derived column to a partition and returns it.
    # SPEC §3: every container pickles.  The rows of t are now instances of a
    # generated subclass of Trade with Trade's name, which pickle cannot find
    # by name: the pickle names Trade and the added fields instead.
    t = cc.Table(Trade, [(1, "A", 1.5), (2, "B", 2.5)])
    t.add_column("qty", [10, 20])
    u = pickle.loads(pickle.dumps(t, protocol=5))
    assert u == t and u.columns == ["id", "sym", "price", "qty"]
    assert isinstance(u[0], Trade)


@pytest.mark.xfail(strict=True, raises=TypeError,
                   reason="a Record class cannot be pickled by value (cloudpickle: "
                          "\"cannot pickle 'compactcol._core.Field' object\"), so one defined "
                          "in a script's or notebook's __main__ cannot reach dask workers; "
                          "a dataclass can")
def test_record_class_from_main_pickles_by_value():
    class Tick(cc.Record):
        __module__ = "__main__"  # as in a script or a notebook: cloudpickle ships it by value
        id: int
        sym: cc.Category
        price: float

    t = cc.Table(Tick, [(1, "A", 1.5), (2, "B", 2.5)])
    u = cloudpickle.loads(cloudpickle.dumps(t))
    assert u == [(1, "A", 1.5), (2, "B", 2.5)] and u.record_class.__name__ == "Tick"
