"""copy() and protocol-5 pickling share buffers (copy-on-write, cc_buffer.h).

- copy() / copy.copy / copy.deepcopy of Array, StringArray, CategoricalArray
  and Table share the buffers (same address, exported read-only), and a
  write to either side copies first: the other keeps its values, for every
  mutating operation.  An aliased container (a live memoryview) copies.
- pickle.dumps(x, protocol=5, buffer_callback=...) hands out read-only
  snapshot buffers that later writes to x do not change and that do not pin
  x; pickle.loads(..., buffers=...) keeps immutable buffers in place (no
  copy), and the result is writable (it copies first).
"""
import copy
import io
import pickle
import sys
import tracemalloc

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import compactcol as cc
from compactcol import Array, CategoricalArray, StringArray, Table

np = pytest.importorskip("numpy")


def address(obj):
    """Address of the first byte obj exports (an Array, a memoryview, a PickleBuffer)."""
    view = memoryview(obj)
    assert view.nbytes > 0
    return np.frombuffer(view.cast("B"), dtype=np.uint8).ctypes.data


def data_of(x):
    """The buffer that holds x's values: an Array itself, a StringArray's
    data, a CategoricalArray's codes."""
    if isinstance(x, StringArray):
        return x.data
    if isinstance(x, CategoricalArray):
        return x.codes
    return x


# ---- copy() shares ---------------------------------------------------------------------

def make(kind):
    if kind == "int64":
        return Array("int64", [5, 3, 9, 1, 7]), [5, 3, 9, 1, 7]
    if kind == "int":
        return Array("int", [5, 300, 9, 1, 7]), [5, 300, 9, 1, 7]
    if kind == "float-nullable":
        return Array("float64", [1.5, None, 2.5, 0.5], nullable=True), [1.5, None, 2.5, 0.5]
    if kind == "bool":
        return Array("bool", [True, False, True]), [True, False, True]
    if kind == "str":
        return StringArray(["b", "a", "é", "dd"]), ["b", "a", "é", "dd"]
    if kind == "str-nullable":
        return StringArray(["b", None, "c"], nullable=True), ["b", None, "c"]
    if kind == "category":
        return CategoricalArray(["x", "y", "x", "z"]), ["x", "y", "x", "z"]
    if kind == "category-nullable":
        return CategoricalArray(["x", None, "y"], nullable=True), ["x", None, "y"]
    raise AssertionError(kind)


KINDS = ["int64", "int", "float-nullable", "bool", "str", "str-nullable", "category",
         "category-nullable"]


def sample(kind):
    return {"int64": 42, "int": 70000, "float-nullable": 4.25, "bool": False, "str": "new",
            "str-nullable": "new", "category": "brand-new", "category-nullable": "w"}[kind]


def operations(kind):
    """(name, op(container or list)) for every mutating operation of kind."""
    v = sample(kind)
    ops = [
        ("set", lambda x: x.__setitem__(0, v)),
        ("set-last", lambda x: x.__setitem__(-1, v)),
        ("append", lambda x: x.append(v)),
        ("insert", lambda x: x.insert(1, v)),
        ("pop", lambda x: x.pop()),
        ("pop-0", lambda x: x.pop(0)),
        ("del-slice", lambda x: x.__delitem__(slice(0, 2))),
        ("set-slice", lambda x: x.__setitem__(slice(1, 3), [v, v])),
        ("reverse", lambda x: x.reverse()),
        ("extend", lambda x: x.extend([v, v])),
        ("iadd", lambda x: x.__iadd__([v])),
        ("clear", lambda x: x.clear()),
        ("remove", lambda x: x.remove(x[1])),
    ]
    if "nullable" not in kind:
        ops.append(("sort", lambda x: x.sort()))
    else:
        ops.append(("set-null", lambda x: x.__setitem__(0, None)))
        ops.append(("append-null", lambda x: x.append(None)))
    if kind.startswith("category"):
        ops.append(("new-category", lambda x: x.__setitem__(1, "never-seen")))
    return ops


CASES = [(k, name, op) for k in KINDS for name, op in operations(k)]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("how", ["copy", "copy.copy", "copy.deepcopy"])
def test_copy_shares_the_buffer_read_only(kind, how):
    a, values = make(kind)
    b = {"copy": lambda x: x.copy(), "copy.copy": copy.copy,
         "copy.deepcopy": copy.deepcopy}[how](a)
    assert type(b) is type(a) and b == a and b.tolist() == values
    assert address(data_of(a)) == address(data_of(b))
    assert memoryview(data_of(b)).readonly and memoryview(data_of(a)).readonly
    if isinstance(a, CategoricalArray) and how != "copy.deepcopy":
        assert b.pool is a.pool


@pytest.mark.parametrize("kind,name,op", CASES, ids=[f"{k}-{n}" for k, n, _ in CASES])
@pytest.mark.parametrize("side", ["copy", "original"])
def test_a_write_to_one_side_leaves_the_other(kind, name, op, side):
    a, values = make(kind)
    b = a.copy()
    written, kept = (b, a) if side == "copy" else (a, b)
    model = list(values)
    op(model)
    op(written)
    assert written.tolist() == model
    assert kept.tolist() == values
    written._debug_info()
    kept._debug_info()
    # and the other side can still be written on its own
    kept.append(kept[0])
    assert kept.tolist() == values + [values[0]]
    assert written.tolist() == model


def test_a_writable_export_of_a_copy_is_private():
    a = Array("int64", range(100))
    b = a.copy()
    view = np.asarray(b)
    assert not view.flags.writeable
    # readinto asks for a writable buffer (w*): b makes its data private first
    io.BytesIO((-1).to_bytes(8, sys.byteorder, signed=True)).readinto(b)
    assert b[0] == -1 and a[0] == 0 and view[0] == 0
    assert address(b) != address(a)


def test_copy_of_an_aliased_container_is_a_real_copy():
    a = Array("int64", range(10))
    m = memoryview(a)                     # private memory exported: an alias
    b = a.copy()
    assert address(b) != address(a)
    m[0] = 5                              # in place through the alias
    assert a[0] == 5 and b[0] == 0
    m.release()
    s = StringArray(["a", "b"])
    d = s.data
    t = s.copy()
    assert address(t.data) != address(d)
    d.release()


def test_table_copy_shares_every_column():
    t = Table({"i": "int64", "f": "float64", "s": "str", "c": "category", "b": "bool"})
    t.extend([{"i": i, "f": i / 2, "s": f"s{i}", "c": "xyz"[i % 3], "b": i % 2 == 0}
              for i in range(50)])
    u = t.copy()
    assert type(u) is type(t) and u == t and u.record_class is t.record_class
    for name in t.columns:
        assert address(data_of(u[name])) == address(data_of(t[name]))
    assert copy.copy(t) == t and copy.deepcopy(t) == t
    before = t.to_dicts()
    u.append({"i": -1, "f": 0.0, "s": "new", "c": "q", "b": True})
    u["i"][0] = 1000
    u["s"][1] = "changed"
    u.sort(key=lambda r: -r.i)
    assert t.to_dicts() == before
    t["f"][0] = -5.0
    assert u["f"].tolist().count(-5.0) == 0


# ---- protocol 5 ------------------------------------------------------------------------

def dump_oob(x):
    bufs = []
    data = pickle.dumps(x, protocol=5, buffer_callback=bufs.append)
    return data, bufs


@pytest.mark.parametrize("kind", KINDS)
def test_out_of_band_buffers_are_snapshots(kind):
    a, values = make(kind)
    data, bufs = dump_oob(a)
    raws = [bytes(b.raw()) for b in bufs]
    assert all(memoryview(b).readonly for b in bufs)
    assert a._debug_info()["exports"] == 0 if hasattr(a, "_debug_info") and not isinstance(
        a, CategoricalArray) else True
    for name, op in operations(kind):   # the container is free, and the buffers keep still
        if name != "clear":
            op(a)
    a.clear()
    assert [bytes(b.raw()) for b in bufs] == raws
    r = pickle.loads(data, buffers=bufs)
    assert r.tolist() == values


@pytest.mark.parametrize("kind", KINDS)
def test_loads_adopts_out_of_band_buffers_and_copies_on_write(kind):
    a, values = make(kind)
    data, bufs = dump_oob(a)
    raws = [bytes(b.raw()) for b in bufs]
    r = pickle.loads(data, buffers=bufs)
    assert r == a and r.tolist() == values
    # the data buffer is one of the pickle buffers itself (no copy)
    addresses = {address(b) for b in bufs if b.raw().nbytes}
    assert address(data_of(r)) in addresses
    assert memoryview(data_of(r)).readonly
    op = dict(operations(kind))["set"]
    op(r)
    model = list(values)
    op(model)
    assert r.tolist() == model
    assert address(data_of(r)) not in addresses
    assert [bytes(b.raw()) for b in bufs] == raws
    assert a.tolist() == values
    r._debug_info()


def test_loads_from_writable_buffers_copies():
    a = Array("int64", range(20))
    data, bufs = dump_oob(a)
    src = [bytearray(b.raw()) for b in bufs]
    r = pickle.loads(data, buffers=src)
    src[0][:8] = b"\xff" * 8
    assert r.tolist() == list(range(20))


def test_in_band_bytes_are_adopted():
    a = Array("int64", range(1000))
    r = pickle.loads(pickle.dumps(a, protocol=5))
    assert r == a and memoryview(r).readonly
    r[0] = -1
    assert a[0] == 0


def test_nullable_values_under_nulls_and_bitmap_round_trip():
    a = Array("int16", [1, None, 3, None], nullable=True)
    data, bufs = dump_oob(a)
    r = pickle.loads(data, buffers=bufs)
    assert r.tolist() == [1, None, 3, None] and r.null_count == 2
    r[1] = 5
    assert r.tolist() == [1, 5, 3, None] and a.tolist() == [1, None, 3, None]
    r._debug_info()


def test_table_round_trip_shares_and_writes():
    t = Table({"i": "int64", "s": "str", "c": "category"})
    t.extend([{"i": i, "s": f"v{i}", "c": "ab"[i % 2]} for i in range(100)])
    data, bufs = dump_oob(t)
    raws = [bytes(b.raw()) for b in bufs]
    r = pickle.loads(data, buffers=bufs)
    assert r == t
    assert address(r["i"]) in {address(b) for b in bufs}
    r.append({"i": -1, "s": "z", "c": "new"})
    r["i"][0] = 77
    assert [bytes(b.raw()) for b in bufs] == raws
    assert t["i"][0] == 0 and len(t) == 100


def big_table(n):
    names = ["i64", "f64", "i32", "b", "s", "c"]
    cols = [
        Array("int64", range(n)),
        Array("float64", np.arange(n, dtype=np.float64)),
        Array("int32", np.arange(n, dtype=np.int32)),
        Array("bool", np.arange(n) % 2 == 0),
        StringArray([f"s{i % 1000}" for i in range(n)]),
        CategoricalArray(["red", "green", "blue", "cyan"] * (n // 4)),
    ]
    return Table._from_columns(names, cols)


def test_loads_of_a_big_table_allocates_under_one_percent():
    n = 1_000_000
    t = big_table(n)
    data, bufs = dump_oob(t)
    tracemalloc.start()
    try:
        r = pickle.loads(data, buffers=bufs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(r) == n and r[n - 1] == t[n - 1]
    print(f"loads peak {peak} bytes for {t.nbytes} bytes ({100 * peak / t.nbytes:.3f} %)",
          file=sys.stderr)
    assert peak <= 0.01 * t.nbytes


# ---- a small model: copies and writes interleaved --------------------------------------

class CopiesAndWrites(RuleBasedStateMachine):
    """Containers that share buffers through copy() and pickling, each
    written on its own, must each match its own list."""

    def __init__(self):
        super().__init__()
        self.pairs = [(Array("int64", [1, 2, 3]), [1, 2, 3]),
                      (StringArray(["a", "bc"]), ["a", "bc"])]

    def _value(self, x, data):
        if isinstance(x, Array):
            return data.draw(st.integers(-2**63, 2**63 - 1))
        return data.draw(st.text(st.characters(blacklist_categories=("Cs",)), max_size=3))

    @rule(data=st.data())
    def copy_one(self, data):
        x, m = data.draw(st.sampled_from(self.pairs))
        how = data.draw(st.sampled_from(["copy", "deepcopy", "pickle"]))
        if how == "copy":
            y = x.copy()
        elif how == "deepcopy":
            y = copy.deepcopy(x)
        else:
            p, bufs = dump_oob(x)
            y = pickle.loads(p, buffers=bufs)
        self.pairs.append((y, list(m)))

    @rule(data=st.data())
    def write_one(self, data):
        i = data.draw(st.integers(0, len(self.pairs) - 1))
        x, m = self.pairs[i]
        op = data.draw(st.sampled_from(["set", "append", "pop", "reverse", "sort", "del",
                                        "extend", "clear"]))
        v = self._value(x, data)
        if op in ("set", "pop", "del") and not m:
            op = "append"
        for target in (x, m):
            if op == "set":
                target[len(m) // 2] = v
            elif op == "append":
                target.append(v)
            elif op == "pop":
                target.pop()
            elif op == "reverse":
                target.reverse()
            elif op == "sort":
                target.sort()
            elif op == "del":
                del target[:1]
            elif op == "extend":
                target.extend([v, v])
            else:
                target.clear()

    @precondition(lambda self: len(self.pairs) > 12)
    @rule()
    def forget(self):
        del self.pairs[2:8]

    @invariant()
    def each_matches_its_model(self):
        for x, m in self.pairs:
            assert x.tolist() == m


TestCopiesAndWrites = CopiesAndWrites.TestCase
TestCopiesAndWrites.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


def test_strdict_and_pool_buffers_are_snapshots():
    d = cc.StrDict("int64", {f"k{i}": i for i in range(1000)})
    data, bufs = dump_oob(d)
    raws = [bytes(b.raw()) for b in bufs]
    for i in range(900):                 # tombstones, then compaction, then growth
        del d[f"k{i}"]
    for i in range(2000):
        d[f"n{i}"] = -i
    d._debug_info()
    assert [bytes(b.raw()) for b in bufs] == raws
    r = pickle.loads(data, buffers=bufs)
    assert r == {f"k{i}": i for i in range(1000)}
    r["zz"] = 1
    del r["k5"]
    r._debug_info()
    d.clear()
    d["a"] = 1
    d._debug_info()
    pool = cc.StringPool(["a", "b"])
    data, bufs = dump_oob(pool)
    for i in range(100):
        pool.intern(f"x{i}")
    q = pickle.loads(data, buffers=bufs)
    assert list(q) == ["a", "b"]
    q.intern("c")
    pool._debug_info()
    q._debug_info()
