"""Pickling every container other than Array (tests/test_array_pickle.py has
Array): StringArray, StringPool, CategoricalArray, StrDict and Table.
BAD_INPUTS PK1-PK6, SPEC.md section 3 ("Pickle").

What is already covered elsewhere and not repeated here: StringArray offsets
and UTF-8 defects through the direct reconstructor (test_strarray_bad_inputs
SA5/SA6), pool duplicates through the direct reconstructor (test_pool),
categorical codes past the pool (test_categorical), StrDict duplicate keys
and length mismatches through the direct reconstructor (test_strdict_api),
Table RT1 through the direct reconstructor (test_table_api).  Here they are
driven through pickle.loads and the out-of-band buffers, with big-endian and
wide offsets, and for the types the other files do not try.
"""

import math
import pickle
import struct
import subprocess
import sys
import textwrap
import tracemalloc

import pytest
from hypothesis import given, strategies as st

import compactcol as cc
from compactcol import Array, CategoricalArray, StrDict, StringArray, StringPool
from compactcol._pickle import (categorical_from_state, pool_from_state,
                                strarray_from_state, strdict_from_state)
from compactcol._table import _table_from_state

N_BIG = 100_000
SMALL = ["ab", "é", "", "中文", "\U0001F600", "a\x00b"]


class Order(cc.Record):
    id: int
    price: float
    paid: bool
    sku: str
    kind: cc.Category
    qty: int | None
    note: str | None
    tag: cc.Category | None


class MyDict(StrDict):
    """A StrDict subclass: the pickle records the class."""


DICT_SCHEMA = {"i": "int64", "f": "float64", "b": "bool", "s": "str", "c": "category",
               "ni": "int8?", "nf": "float32?", "nb": "bool?", "ns": "str?", "nc": "category?"}


def dict_rows(n):
    return [{"i": k * 7 - 3, "f": k / 4, "b": k % 2 == 0, "s": f"s{k}-é" if k % 5 else "",
             "c": "abc"[k % 3], "ni": None if k % 4 == 0 else k % 100 - 50,
             "nf": None if k % 3 == 0 else k * 0.5, "nb": None if k % 5 == 0 else k % 3 == 0,
             "ns": None if k % 2 else "x" * (k % 4), "nc": None if k % 6 == 0 else "pq"[k % 2]}
            for k in range(n)]


def order_rows(n):
    return [{"id": k, "price": k * 1.25, "paid": k % 3 == 0, "sku": f"SKU-{k}",
             "kind": ["buy", "sell"][k % 2], "qty": None if k % 4 == 1 else k * 10,
             "note": None if k % 2 else f"note {k} ✓", "tag": None if k % 3 == 2 else "t"}
            for k in range(n)]


def key(x):
    """Comparable form: NaN equal to NaN, -0.0 distinct from 0.0."""
    if isinstance(x, float):
        return ("f", "nan") if math.isnan(x) else ("f", x, math.copysign(1, x))
    return (type(x).__name__, repr(x))


class Crafted:
    """An object whose pickle calls `fn` with `args`: a hostile pickle stream."""

    def __init__(self, fn, args):
        self.fn, self.args = fn, tuple(args)

    def __reduce__(self):
        return self.fn, self.args


def dump_oob(obj):
    """(pickle stream, PickleBuffers, their bytes) with protocol 5 out of band."""
    buffers = []
    data = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    raws = []
    for b in buffers:
        with b.raw() as m:
            raws.append(bytes(m))
    return data, buffers, raws


def release(buffers):
    for b in buffers:
        b.release()


def no_exports(x):
    """The container (and what it holds) has no export left behind."""
    if isinstance(x, (StringArray, cc.BinaryArray)):
        assert x._debug_info()["exports"] == 0
    elif isinstance(x, cc.Table):
        x._debug_info()
        for c in x._columns:
            no_exports(c)
    elif isinstance(x, CategoricalArray):
        assert x.codes._debug_info()["exports"] == 0
    elif isinstance(x, StrDict):
        x._debug_info()


# ---- the examples: each factory gives (container, check, grow, poke) -------------------------
# check(x) compares x with the values the container was built from (not with
# the container), grow(x) appends something, poke(x) changes an element in place.

def strarray_example(values, nullable=False, transform=None):
    def make():
        a = StringArray(values, nullable=nullable)
        expect = list(values)
        if transform:
            a, expect = transform(a), transform(expect)

        def check(x):
            assert type(x) is StringArray
            assert x.tolist() == expect
            assert x.nullable == nullable
            assert x.null_count == expect.count(None)
            x._debug_info()

        def poke(x):
            x[0] = "poked ✓"
        return a, check, lambda x: x.append("grown"), poke
    return make


def scattered_strarray():
    a = StringArray(SMALL)
    a[1] = "a much longer string than the one before it"
    a[0] = ""
    expect = ["", "a much longer string than the one before it"] + SMALL[2:]
    assert not a._debug_info()["compact"]

    def check(x):
        assert type(x) is StringArray and x.tolist() == expect and not x.nullable
    return a, check, lambda x: x.append("g"), lambda x: x.__setitem__(0, "p")


def pool_example(strings, interned=()):
    def make():
        p = StringPool(strings)
        for s in interned:
            p.intern(s)
        expect = list(dict.fromkeys(list(strings) + list(interned)))

        def check(x):
            assert type(x) is StringPool
            assert list(x) == expect and len(x) == len(expect)
            for i, s in enumerate(expect[:300]):
                assert x.id(s) == i and x[i] == s
            x._debug_info()
        return p, check, lambda x: x.intern("brand new ✓"), None
    return make


def categorical_example(values, nullable=False, pool_strings=(), transform=None):
    def make():
        pool = StringPool(pool_strings)
        a = CategoricalArray(values, pool, nullable=nullable)
        cats = list(dict.fromkeys(list(pool_strings) + [v for v in values if v is not None]))
        expect = list(values)
        if transform:
            a, expect = transform(a), transform(expect)

        def check(x):
            assert type(x) is CategoricalArray
            assert x.tolist() == expect
            assert x.nullable == nullable and x.null_count == expect.count(None)
            assert list(x.pool) == cats          # the same categories in the same order
            assert x.codes.tolist() == [-1 if v is None else cats.index(v) for v in expect]
        return a, check, lambda x: x.append(cats[0] if cats else "g"), \
            lambda x: x.__setitem__(0, "poked")
    return make


STRDICT_VALUES = {
    "int64": lambda k: k * 1000 - 2**40,
    "float64": lambda k: [0.1, -0.0, float("inf"), float("nan"), 5e-324][k % 5] * (k + 1),
    "str": lambda k: ["", "v", "é" * k, "中文\U0001F600"][k % 4],
    "object": lambda k: [None, (k, "t"), [k], {"k": k}, 1.5][k % 5],
}


def strdict_example(dtype, n, deleted=(), cls=StrDict):
    def make():
        items = {("" if k == 0 else f"k{k}-é"): STRDICT_VALUES[dtype](k) for k in range(n)}
        d = cls(dtype, items)
        for k in deleted:
            kk = "" if k == 0 else f"k{k}-é"
            del d[kk]
            del items[kk]
        expect = list(items.items())
        value = STRDICT_VALUES[dtype](3)

        def check(x):
            assert type(x) is cls and x.value_dtype == dtype
            assert [(k, key(v)) for k, v in x.items()] == [(k, key(v)) for k, v in expect]
            assert len(x) == len(expect)
            x._debug_info()
            for k, v in expect[:50]:
                assert key(x[k]) == key(v)

        def poke(x):
            x[expect[0][0]] = value
        return d, check, lambda x: x.__setitem__("grown ✓", value), poke
    return make


def table_example(schema, rows, transform=None):
    def make():
        if schema is Order:
            t = cc.Table(Order, [Order(**r) for r in rows])
        else:
            t = cc.Table(schema, [tuple(r.values()) for r in rows])
        expect = list(rows)
        if transform:
            t, expect = transform(t), transform(expect)
        spec = dict(t.schema)
        record_class = t.record_class

        def check(x):
            assert type(x) is cc.Table
            assert x.schema == spec and len(x) == len(expect)
            if schema is Order:
                assert x.record_class is Order
            else:
                assert list(x.record_class.__compactcol_schema__.names) == list(spec)
                assert x.record_class.__compactcol_schema__.fields == \
                    record_class.__compactcol_schema__.fields
            got = x.to_dicts()
            assert [[key(v) for v in r.values()] for r in got] == \
                [[key(v) for v in r.values()] for r in expect]
            x._debug_info()
        first = tuple(rows[0].values()) if rows else None

        def grow(x):
            x.append(first if first else tuple(dict_rows(1)[0].values()) if schema is not Order
                     else Order(**order_rows(1)[0]))

        def poke(x):
            x[0] = first
        return t, check, grow, poke
    return make


EXAMPLES = {
    "strarray-empty": strarray_example([]),
    "strarray-empty-nullable": strarray_example([], nullable=True),
    "strarray-small": strarray_example(SMALL),
    "strarray-nulls": strarray_example([None, "ab", None, "é", "", None, "x" * 40], True),
    "strarray-all-null": strarray_example([None] * 9, nullable=True),
    "strarray-nullable-no-nulls": strarray_example(SMALL, nullable=True),
    "strarray-sliced": strarray_example(SMALL * 5, transform=lambda a: a[1:-1]),
    "strarray-sliced-step-nullable": strarray_example(
        [None if k % 4 == 0 else f"v{k}" for k in range(40)], True, lambda a: a[1::3]),
    "strarray-scattered": scattered_strarray,
    "pool-empty": pool_example([]),
    "pool-small": pool_example(SMALL),
    "pool-interned-after": pool_example(["x", "y"], interned=["z", "x", "é"]),
    "categorical-empty": categorical_example([]),
    "categorical-empty-nullable": categorical_example([], nullable=True),
    "categorical-small": categorical_example(["x", "y", "x", "é", ""]),
    "categorical-nulls": categorical_example([None, "x", None, "y", "x"], nullable=True),
    "categorical-unused-categories": categorical_example(["b"], pool_strings=["a", "b", "c"]),
    "categorical-sliced": categorical_example(["p", "q", "r", "p", "s"] * 3,
                                              transform=lambda a: a[1:-1]),
    "categorical-int16-codes": categorical_example([f"c{k}" for k in range(300)] * 2),
    **{f"strdict-{dt}-{shape}": strdict_example(dt, n, deleted)
       for dt in STRDICT_VALUES
       for shape, n, deleted in (("empty", 0, ()), ("small", 12, ()),
                                 ("tombstones", 30, range(0, 30, 3)))},
    "strdict-subclass": strdict_example("int64", 5, cls=MyDict),
    "table-dict-empty": table_example(DICT_SCHEMA, []),
    "table-dict": table_example(DICT_SCHEMA, dict_rows(30)),
    "table-dict-sliced": table_example(DICT_SCHEMA, dict_rows(30), lambda t: t[1:-1]),
    "table-record-empty": table_example(Order, []),
    "table-record": table_example(Order, order_rows(25)),
    "table-record-sliced": table_example(Order, order_rows(25), lambda t: t[2:-3]),
}
NONEMPTY = [n for n in EXAMPLES if "empty" not in n]


# ---- PK1: round trips --------------------------------------------------------------------------

@pytest.mark.parametrize("protocol", range(0, pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_pk1_round_trip_in_band(name, protocol):
    """Protocols 0 and 1 are not promised by SPEC (2-5) but work today."""
    obj, check, grow, _ = EXAMPLES[name]()
    check(obj)
    b = pickle.loads(pickle.dumps(obj, protocol=protocol))
    assert b is not obj
    check(b)
    if isinstance(b, StrDict):
        assert b._debug_info()["tombstones"] == 0, "tombstones are not pickled"
    no_exports(obj)
    grow(b)                           # mutable and independent of the original
    check(obj)
    grow(obj)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_pk1_round_trip_out_of_band(name):
    obj, check, grow, _ = EXAMPLES[name]()
    data, buffers, raws = dump_oob(obj)
    if not name.endswith("empty") and not name.startswith("strdict-object"):
        assert buffers, "protocol 5 with a buffer_callback sends the buffers out of band"
    b = pickle.loads(data, buffers=buffers)
    check(b)
    release(buffers)
    no_exports(obj)
    grow(obj)                         # the source is unlocked once the buffers are released
    grow(b)
    # from plain bytes too (what a transport delivers)
    check(pickle.loads(data, buffers=raws))
    check(pickle.loads(data, buffers=iter([bytearray(r) for r in raws])))


@pytest.mark.parametrize("oob", [False, True])
def test_pk1_categoricals_sharing_a_pool_still_share_it(oob):
    pool = StringPool(["p", "é"])
    a = CategoricalArray(["x", "y", "x"], pool)
    b = CategoricalArray(["y", "é", None], pool, nullable=True)
    obj = {"a": a, "b": b, "pool": pool, "again": [a]}
    if oob:
        data, buffers, raws = dump_oob(obj)
        r = pickle.loads(data, buffers=raws)
        release(buffers)
    else:
        r = pickle.loads(pickle.dumps(obj, protocol=2))
    x, y = r["a"], r["b"]
    assert x.tolist() == ["x", "y", "x"] and y.tolist() == ["y", "é", None]
    assert x.pool is y.pool is r["pool"] and x.pool is not pool
    assert r["again"][0] is x
    assert list(x.pool) == ["p", "é", "x", "y"]
    x.append("new")                   # one pool: the other array sees the category
    assert "new" in y.pool and "new" not in pool
    y.append("new")
    assert y.codes.tolist()[-1] == x.codes.tolist()[-1]


def test_pk1_table_columns_keep_their_identity_in_one_pickle():
    t = cc.Table(DICT_SCHEMA, [tuple(r.values()) for r in dict_rows(5)])
    for protocol in (2, 5):
        r = pickle.loads(pickle.dumps([t, t["s"], t, t["c"].pool], protocol=protocol))
        assert r[0] is r[2] and r[1] is r[0]["s"] and r[3] is r[0]["c"].pool
        assert r[1].tolist() == [row["s"] for row in dict_rows(5)]
        with pytest.raises(BufferError):
            r[1].append("x")          # still a locked column of its table
        r[0].append(tuple(dict_rows(6)[5].values()))
        assert len(r[1]) == 6


@pytest.mark.parametrize("schema", [{"i": "int64"}, {"i": "int64", "ns": "str?"},
                                    {"nc": "category?"}, DICT_SCHEMA], ids=repr)
def test_pk1_table_dict_schema_rows_compare_equal_after_round_trip(schema):
    """A dict schema's rows are instances of a generated Row class (one per
    schema); the unpickled table must use the same one, or its rows stop
    comparing equal to the original's although the tables compare equal."""
    rows = [tuple(r[k] for k in schema) for r in dict_rows(3)]
    t = cc.Table(schema, rows)
    for protocol in (2, 5):
        u = pickle.loads(pickle.dumps(t, protocol))
        assert u == t
        assert u.record_class is t.record_class
        assert [u[i] == t[i] for i in range(3)] == [True] * 3


def test_pk1_strarray_offsets_width_survives():
    """Wide (int64) offsets in a state load to the same strings."""
    data = "".join(SMALL).encode()
    offs = [0]
    for s in SMALL:
        offs.append(offs[-1] + len(s.encode()))
    for code in ("i", "q"):
        a = strarray_from_state(False, sys.byteorder, len(SMALL), data,
                                struct.pack(f"={len(offs)}{code}", *offs), None)
        assert a.tolist() == SMALL
        assert pickle.loads(pickle.dumps(a, 5)).tolist() == SMALL


# ---- PK1: out of band for real: 100k elements --------------------------------------------------

def big_examples():
    n = N_BIG
    strings = [f"s{k}" for k in range(n)]
    utf8 = sum(len(s) for s in strings)
    str_payload = utf8 + 4 * (n + 1)                       # data + int32 offsets
    nulls = [None if k % 7 == 0 else s for k, s in enumerate(strings)]
    null_payload = sum(len(s) for s in nulls if s) + 4 * (n + 1)
    cats = [f"c{k % 100}" for k in range(n)]
    cat_pool = sum(len(f"c{k}") for k in range(100)) + 4 * 101
    rows = [(k, k / 2, k % 2 == 0, strings[k], cats[k], None if k % 5 else k % 100,
             None if k % 3 else strings[k]) for k in range(n)]
    tschema = {"i": "int64", "f": "float64", "b": "bool", "s": "str", "c": "category",
               "ni": "int8?", "ns": "str?"}
    ns_payload = sum(len(strings[k]) for k in range(0, n, 3)) + 4 * (n + 1)
    return {
        # name: (factory, expected contents, out-of-band payload bytes without the
        # bitmaps, bitmaps: they go out of band too)
        "strarray": (lambda: StringArray(strings), strings, str_payload, 0),
        "strarray-nullable": (lambda: StringArray(nulls, nullable=True), nulls, null_payload, 1),
        "binarray": (lambda: cc.BinaryArray([s.encode() for s in strings]),
                     [s.encode() for s in strings], str_payload, 0),
        "pool": (lambda: StringPool(strings), strings, str_payload, 0),
        "categorical": (lambda: CategoricalArray(cats), cats, cat_pool + n, 0),
        "strdict-int64": (lambda: StrDict("int64", dict(zip(strings, range(n)))),
                          list(zip(strings, range(n))), str_payload + 8 * n, 0),
        "strdict-float64": (lambda: StrDict("float64", {s: k / 3 for k, s in enumerate(strings)}),
                            [(s, k / 3) for k, s in enumerate(strings)], str_payload + 8 * n, 0),
        "strdict-str": (lambda: StrDict("str", dict(zip(strings, strings))),
                        list(zip(strings, strings)), 2 * str_payload, 0),
        "strdict-object": (lambda: StrDict("object", dict.fromkeys(strings)),
                           [(s, None) for s in strings], str_payload, 0),
        "table": (lambda: cc.Table(tschema, rows), rows,
                  8 * n + 8 * n + n + str_payload + (cat_pool + n) + n + ns_payload, 2),
    }


BIG = big_examples()


def contents(x):
    if isinstance(x, StrDict):
        return list(x.items())
    if isinstance(x, cc.Table):
        return [tuple(r) for r in x]
    return list(x)


@pytest.mark.parametrize("name", list(BIG))
def test_pk1_out_of_band_stream_is_small_and_buffers_are_the_payload(name):
    make, expect, payload, bitmaps = BIG[name]
    obj = make()
    data, buffers, raws = dump_oob(obj)
    total = sum(len(r) for r in raws)
    payload += bitmaps * ((N_BIG + 7) // 8)
    assert total == payload, f"{total} bytes out of band, expected {payload}"
    assert obj.nbytes >= total
    ncols = len(obj.schema) if isinstance(obj, cc.Table) else 1
    limit = 1024 + 256 * ncols  # nothing of the payload in band, bitmaps included
    if name == "strdict-object":
        limit += len(pickle.dumps([None] * N_BIG, 5))        # object values are pickled
    assert len(data) < limit, f"{len(data)} bytes in band"
    assert b"s99999" not in data and b"s12345" not in data
    r = pickle.loads(data, buffers=buffers)
    release(buffers)
    assert contents(r) == expect
    assert r == obj


@pytest.mark.parametrize("name", list(BIG))
def test_pk1_out_of_band_dump_does_not_copy_the_payload(name):
    """SPEC: with protocol 5 the buffers go out of band "so multiprocessing,
    Dask and Ray move them without copies": producing the PickleBuffers must
    not allocate a copy of the payload (measured with tracemalloc; compactcol
    allocates through PyMem_*)."""
    make, expect, payload, bitmaps = BIG[name]
    obj = make()
    release(dump_oob(obj)[1])          # warm-up: compaction, cached modules
    buffers = []
    tracemalloc.start()
    try:
        pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    release(buffers)
    extra = bitmaps * (N_BIG // 8) * 3
    if name == "strdict-object":
        # object values are pickled in band; the list of references handed
        # to pickle (not the dict's own, which must not reach Python code)
        # is 8 bytes an entry
        extra += 2 * len(pickle.dumps([None] * N_BIG, 5)) + 8 * N_BIG
    assert peak < 64 * 1024 + extra, \
        f"dumping allocated {peak} bytes for a {payload}-byte payload (a copy)"


# ---- PK2: out-of-band buffers missing, too few, wrong size, wrong order ----------------------------

@pytest.mark.parametrize("name", NONEMPTY)
def test_pk2_buffers_missing_or_too_few(name):
    obj, check, grow, _ = EXAMPLES[name]()
    data, buffers, raws = dump_oob(obj)
    release(buffers)
    if not raws:
        pytest.skip("nothing out of band")
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data)
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data, buffers=[])
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data, buffers=raws[:-1])
    check(pickle.loads(data, buffers=raws + [b"spare"]))   # extra buffers are not read
    check(obj)
    grow(obj)


def resized(raw):
    out = {"one_more": raw + b"\x00", "doubled": raw * 2, "plus_8": raw + b"\x00" * 8}
    if raw:
        out.update(one_less=raw[:-1], empty=b"", half=raw[:len(raw) // 2])
    return out


@pytest.mark.parametrize("name", NONEMPTY)
def test_pk2_buffer_of_the_wrong_size(name):
    obj, check, _, _ = EXAMPLES[name]()
    data, buffers, raws = dump_oob(obj)
    release(buffers)
    for i, raw in enumerate(raws):
        for how, wrong in resized(raw).items():
            if wrong == raw or (how == "doubled" and not raw.strip(b"\x00")):
                continue            # zero offsets doubled are valid int64 offsets
            bad = list(raws)
            bad[i] = wrong
            with pytest.raises(ValueError):
                pickle.loads(data, buffers=bad)
                pytest.fail(f"buffer {i} of {len(raws)} {how}: accepted")
    check(pickle.loads(data, buffers=raws))


@pytest.mark.parametrize("name", NONEMPTY)
def test_pk2_buffers_in_the_wrong_order(name):
    obj, check, _, _ = EXAMPLES[name]()
    data, buffers, raws = dump_oob(obj)
    release(buffers)
    for i in range(len(raws)):
        for j in range(i + 1, len(raws)):
            if len(raws[i]) == len(raws[j]):
                continue            # same size: not detectable in general
            bad = list(raws)
            bad[i], bad[j] = bad[j], bad[i]
            with pytest.raises(ValueError):
                pickle.loads(data, buffers=bad)
                pytest.fail(f"buffers {i} and {j} swapped: accepted")
    check(pickle.loads(data, buffers=raws))


@pytest.mark.parametrize("name", ["strarray-small", "pool-small", "categorical-small",
                                  "strdict-str-small", "table-dict"])
def test_pk2_non_buffer_given_as_a_buffer(name):
    obj, _, _, _ = EXAMPLES[name]()
    data, buffers, raws = dump_oob(obj)
    release(buffers)
    for wrong in ([1, 2], "ab", None, 12):
        for i in range(len(raws)):
            bad = list(raws)
            bad[i] = wrong
            with pytest.raises(TypeError):
                pickle.loads(data, buffers=bad)


# ---- PK3: read-only out-of-band buffers; copies, not aliases --------------------------------------

@pytest.mark.parametrize("name", NONEMPTY)
def test_pk3_read_only_buffers_give_a_mutable_copy(name):
    obj, check, grow, poke = EXAMPLES[name]()
    data, buffers, raws = dump_oob(obj)
    release(buffers)
    ro = [memoryview(bytes(r)) for r in raws]
    assert all(m.readonly for m in ro)
    b = pickle.loads(data, buffers=ro)
    check(b)
    if poke:
        poke(b)
    grow(b)
    assert [m.tobytes() for m in ro] == raws
    # a read-only PickleBuffer (the READONLY_BUFFER opcode path) too
    c = pickle.loads(data, buffers=[pickle.PickleBuffer(bytes(r)) for r in raws])
    check(c)
    grow(c)


@pytest.mark.parametrize("name", NONEMPTY)
def test_pk3_result_does_not_alias_the_producers_buffers(name):
    """Loading straight from the producer's PickleBuffers (what a same-process
    transport does): mutating the result must not write into the producer,
    and writing the buffers afterwards must not change the result."""
    obj, check, grow, poke = EXAMPLES[name]()
    data, buffers, raws = dump_oob(obj)
    b = pickle.loads(data, buffers=buffers)
    if poke:
        poke(b)
    grow(b)
    release(buffers)
    check(obj)
    assert dump_oob(obj)[2] == raws
    # writable buffers changed after loading
    src = [bytearray(r) for r in raws]
    c = pickle.loads(data, buffers=src)
    for s in src:
        s[:] = b"\xff" * len(s)
    check(c)
    grow(obj)
    release(dump_oob(obj)[1])


# ---- PK4: crafted states ------------------------------------------------------------------------

def load_all_ways(fn, args, exc=ValueError):
    """Call the reconstructor directly and through a pickle stream (protocol
    2 and 5): each raises exc."""
    with pytest.raises(exc):
        fn(*args)
    for protocol in (2, 5):
        data = pickle.dumps(Crafted(fn, args), protocol=protocol)
        with pytest.raises(exc):
            pickle.loads(data)


def pack(values, code, order):
    return struct.pack(("<" if order == "little" else ">") + code * len(values), *values)


BASE_DATA = "".join(SMALL).encode()
BASE_OFFS = [0, 2, 4, 4, 10, 14, 17]
BAD_OFFSETS = {
    "not_monotone": [0, 4, 2, 4, 10, 14, 17],
    "first_not_zero": [1, 2, 4, 4, 10, 14, 17],
    "past_the_data": [0, 2, 4, 4, 10, 14, 18],
    "middle_past_the_data": [0, 2, 99, 99, 99, 99, 17],
    "short_of_the_data": [0, 2, 4, 4, 10, 14, 16],
    "negative": [0, -2, 4, 4, 10, 14, 17],
    "huge": [0, 2, 4, 4, 10, 14, 2**31 - 1],
    "splits_a_character": [0, 2, 3, 4, 10, 14, 17],
}


@pytest.mark.parametrize("order", ["little", "big"])
@pytest.mark.parametrize("code", ["i", "q"])
@pytest.mark.parametrize("defect", list(BAD_OFFSETS))
def test_pk4_strarray_offsets_bad_in_either_width_and_byte_order(defect, code, order):
    good = [False, order, len(SMALL), BASE_DATA, pack(BASE_OFFS, code, order), None]
    assert strarray_from_state(*good).tolist() == SMALL
    bad = list(good)
    bad[4] = pack(BAD_OFFSETS[defect], code, order)
    load_all_ways(strarray_from_state, bad)


@pytest.mark.parametrize("length", [0, 5, 7, 2**31, 2**62, 2**63 - 1, 2**63, 2**64 + 3,
                                    -1, -2**70])
def test_pk4_strarray_length_not_matching_the_offsets(length):
    args = [True, "little", length, BASE_DATA, pack(BASE_OFFS, "i", "little"), b"\xff"]
    load_all_ways(strarray_from_state, args)


def test_pk4_strarray_claimed_sizes_are_not_allocated():
    tracemalloc.start()
    try:
        for n in (2**62, 2**61, 2**40, 10**12, 2**31):
            for nullable, bits in ((False, None), (True, b"\xff" * 8), (True, None)):
                with pytest.raises(ValueError):
                    strarray_from_state(nullable, "little", n, b"abcd", b"\x00" * 16, bits)
            with pytest.raises(ValueError):   # nested: a pool of a claimed 2**62 strings
                pickle.loads(pickle.dumps(Crafted(pool_from_state, [Crafted(
                    strarray_from_state, [False, "little", n, b"", b"\x00" * 8, None])]), 5))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20


@pytest.mark.parametrize("bits,nullable", [
    (b"", True), (b"\xff\xff", True), (b"\xff" * 100, True),     # length 7 needs 1 byte
    (b"\xff", False),                                            # validity, not nullable
    (b"\x7e", True),                                             # null 0 has bytes "ab"
], ids=["empty", "too_long", "far_too_long", "not_nullable", "null_with_bytes"])
def test_pk4_strarray_bad_validity_bitmap(bits, nullable):
    args = [nullable, "little", 6, BASE_DATA, pack(BASE_OFFS, "i", "little"), bits]
    load_all_ways(strarray_from_state, args)


def test_pk4_strarray_bitmap_bits_past_the_length_are_dropped():
    data = b"abc"
    offs = pack([0, 1, 1, 3], "i", sys.byteorder)
    a = strarray_from_state(True, sys.byteorder, 3, data, offs, b"\xfd")   # bit 1 null
    assert a.tolist() == ["a", None, "bc"] and a.null_count == 1
    a.extend([None] * 6)
    a._debug_info()
    assert a.tolist() == ["a", None, "bc"] + [None] * 6 and a.null_count == 7
    b = pickle.loads(pickle.dumps(a, 5))
    assert b.tolist() == a.tolist()
    n = strarray_from_state(True, sys.byteorder, 3, data, offs, None)      # all valid
    assert n.tolist() == ["a", "", "bc"] and n.nullable and n.null_count == 0


@pytest.mark.parametrize("order", ["middle", "", "LITTLE", "native", "big\x00", "<", "="])
def test_pk4_strarray_bad_byteorder_flag(order):
    args = [False, order, len(SMALL), BASE_DATA, pack(BASE_OFFS, "i", "little"), None]
    load_all_ways(strarray_from_state, args)


def test_pk4_strarray_invalid_utf8_in_an_out_of_band_buffer():
    a = StringArray(["ab", "cd"])
    data, buffers, raws = dump_oob(a)
    release(buffers)
    di = raws.index(b"abcd")
    for bad_bytes in (b"a\xffcd", b"\xc3\xa9\xed\xa0", b"ab\xc0\x80", b"\xe4\xb8\xadd"):
        bad = list(raws)
        bad[di] = bad_bytes
        with pytest.raises(ValueError):
            pickle.loads(data, buffers=bad)


def pool_buffers(strings):
    p = StringPool(strings)
    data, buffers, raws = dump_oob(p)
    release(buffers)
    di = raws.index("".join(strings).encode())
    return data, raws, di


def test_pk4_pool_duplicate_strings_in_the_out_of_band_buffer():
    data, raws, di = pool_buffers(["ab", "ac", "xy"])
    assert list(pickle.loads(data, buffers=raws)) == ["ab", "ac", "xy"]
    for dup in (b"ababxy", b"abacac", b"xyacxy"):
        bad = list(raws)
        bad[di] = dup
        with pytest.raises(ValueError):
            pickle.loads(data, buffers=bad)


def test_pk4_pool_invalid_utf8_and_bad_offsets_in_the_buffers():
    data, raws, di = pool_buffers(["ab", "é", "xy"])
    bad = list(raws)
    bad[di] = raws[di].replace("é".encode(), b"\xc3\x28")
    with pytest.raises(ValueError):
        pickle.loads(data, buffers=bad)
    oi = 1 - di
    offs = list(struct.unpack(f"={len(raws[oi]) // 4}i", raws[oi]))
    for wrong in ([offs[0], offs[2], offs[1], offs[3]], [1] + offs[1:], offs[:-1] + [99]):
        bad = list(raws)
        bad[oi] = struct.pack(f"={len(wrong)}i", *wrong)
        with pytest.raises(ValueError):
            pickle.loads(data, buffers=bad)


@pytest.mark.parametrize("nullable", [False, True])
def test_pk4_categorical_codes_outside_the_pool_in_the_out_of_band_buffer(nullable):
    a = CategoricalArray(["x", "y", "x"], nullable=nullable)
    data, buffers, raws = dump_oob(a)
    release(buffers)
    ci = raws.index(bytes([0, 1, 0]))          # int8 codes
    assert pickle.loads(data, buffers=raws).tolist() == ["x", "y", "x"]
    for codes in (b"\x00\x02\x00", b"\x00\x7f\x00", b"\x80\x00\x00", b"\x00\x00\xfe") + \
            (() if nullable else (b"\xff\x00\x00",)):
        bad = list(raws)
        bad[ci] = codes
        with pytest.raises(ValueError):
            pickle.loads(data, buffers=bad)
    if nullable:                               # -1 is None in a nullable array
        bad = list(raws)
        bad[ci] = b"\xff\x00\x00"
        assert pickle.loads(data, buffers=bad).tolist() == [None, "x", "x"]


@pytest.mark.parametrize("codes", [Array("int8", [0]), Array("int64", [0]), Array("int", [0]),
                                   Array("int", [-1])], ids=["int8", "int64", "empty-pool",
                                                             "minus-one-not-nullable"])
def test_pk4_categorical_codes_of_another_dtype_or_an_empty_pool(codes):
    pool = StringPool() if codes.adaptive else StringPool(["x"])
    load_all_ways(categorical_from_state, [pool, codes, False])


def test_pk4_strdict_duplicate_or_invalid_keys_in_the_out_of_band_buffer():
    d = StrDict("int64", {"ka": 1, "kb": 2})
    data, buffers, raws = dump_oob(d)
    release(buffers)
    ki = raws.index(b"kakb")
    assert dict(pickle.loads(data, buffers=raws).items()) == {"ka": 1, "kb": 2}
    for keys in (b"kaka", b"kbkb", b"k\xffkb"):
        bad = list(raws)
        bad[ki] = keys
        with pytest.raises(ValueError):
            pickle.loads(data, buffers=bad)


@pytest.mark.parametrize("dtype,values", [
    ("int64", Array("int64", [1, 2, 3])), ("int64", Array("int64", [1])),
    ("float64", Array("float64", [])), ("str", StringArray(["a", "b", "c"])),
    ("object", [1, 2, 3]), ("object", []),
    ("int64", Array("int64", [1, 2], nullable=True)),                     # nullable values
    ("float64", Array("float32", [1.0, 2.0])), ("int", Array("int64", [1, 2])),
    ("str", StringArray(["a", None], nullable=True)),
], ids=lambda v: v if isinstance(v, str) else f"{type(v).__name__}{len(v)}")
def test_pk4_strdict_keys_and_values_do_not_match(dtype, values):
    """Through a pickle stream (test_strdict_api calls the reconstructor)."""
    load_all_ways(strdict_from_state, [StrDict, dtype, StringArray(["a", "b"]), values])


TWO_INT = (("a", "int64"), ("b", "int64"))


@pytest.mark.parametrize("odd", range(5))
def test_pk4_table_columns_of_different_lengths_rt1(odd):
    """RT1 through a pickle stream, with the odd column of each kind."""
    fields = (("i", "int64"), ("s", "str"), ("c", "category"), ("n", "float64?"),
              ("ns", "str?"))

    def cols(n):
        return [Array("int64", range(n)), StringArray(["x"] * n),
                CategoricalArray(["p"] * n), Array("float64", [None] * n, nullable=True),
                StringArray([None] * n, nullable=True)]
    good = cols(3)
    assert len(_table_from_state(cc.Table, fields, None, tuple(good))) == 3
    columns = cols(3)
    columns[odd] = cols(2)[odd] if odd else cols(4)[odd]
    load_all_ways(_table_from_state, [cc.Table, fields, None, tuple(columns)])


@pytest.mark.parametrize("fields,columns", [
    ((("a", "int64"),), (Array("int32", [1]),)),
    ((("a", "int64"),), (Array("int", [1]),)),
    ((("a", "int64"),), (Array("int64", [1], nullable=True),)),
    ((("a", "int64?"),), (Array("int64", [1]),)),
    ((("a", "float64"),), (Array("int64", [1]),)),
    ((("a", "bool"),), (Array("uint8", [1]),)),
    ((("a", "str"),), (CategoricalArray(["x"]),)),
    ((("a", "str"),), (StringArray(["x"], nullable=True),)),
    ((("a", "category"),), (StringArray(["x"]),)),
    ((("a", "category"),), (CategoricalArray(["x"], nullable=True),)),
    ((("a", "category?"),), (CategoricalArray(["x"]),)),
    ((("a", "int64"),), (["x"],)),
], ids=lambda v: repr(v)[:40])
def test_pk4_table_columns_do_not_match_the_schema(fields, columns):
    load_all_ways(_table_from_state, [cc.Table, fields, None, columns], (TypeError, ValueError))


@pytest.mark.parametrize("ncols", [0, 1, 3])
def test_pk4_table_column_count_not_the_field_count(ncols):
    columns = tuple(Array("int64", [1]) for _ in range(ncols))
    load_all_ways(_table_from_state, [cc.Table, TWO_INT, None, columns])


def test_pk4_table_record_class_whose_fields_changed():
    cols = (Array("int64", [1]),)
    load_all_ways(_table_from_state, [cc.Table, (("id", "int64"),), Order, cols])


@pytest.mark.parametrize("fields", [(("a", "int65"),), (("a", "int64"), ("a", "int64")),
                                    (("a", "int64", 1, 2),)], ids=["bad_type", "dup_name", "4-tuple"])
def test_pk4_table_bad_fields(fields):
    columns = tuple(Array("int64", [1]) for _ in fields)
    load_all_ways(_table_from_state, [cc.Table, fields, None, columns], (ValueError, TypeError))


def test_pk4_table_column_of_another_table_is_refused():
    t = cc.Table({"a": "int64"}, [(1,)])
    with pytest.raises(ValueError):      # (a pickle of t["a"] is a fresh free Array)
        _table_from_state(cc.Table, (("a", "int64"),), None, (t["a"],))
    # and two tables in one pickle naming the same column object
    c = Array("int64", [1, 2])
    one = Crafted(_table_from_state, (cc.Table, (("a", "int64"),), None, (c,)))
    with pytest.raises(ValueError):
        pickle.loads(pickle.dumps([one, Crafted(_table_from_state,
                                                (cc.Table, (("a", "int64"),), None, (c,)))], 5))


@pytest.mark.parametrize("kind", ["int64", "category"])
def test_pk4_table_one_column_object_for_two_fields_is_refused(kind):
    """A pickle stream can name one object twice (its memo): a table whose
    two fields are the same column object gets every row twice into it,
    and then its length and its column's disagree (see the next test)."""
    c = Array("int64", [1, 2]) if kind == "int64" else CategoricalArray(["x", "y"])
    fields = (("a", kind), ("b", kind))
    load_all_ways(_table_from_state, [cc.Table, fields, None, (c, c)])


def test_pk4_table_one_column_object_for_two_fields_never_crashes():
    """The consequence of the hostile pickle above, in a child process: after
    del t[0] the table says 1 row and its column holds 0; reading t[0] must
    raise, not crash."""
    code = textwrap.dedent("""
        import pickle
        import compactcol as cc
        from compactcol._table import _table_from_state
        class Crafted:
            def __init__(self, fn, args): self.fn, self.args = fn, args
            def __reduce__(self): return self.fn, self.args
        c = cc.Array("int64", [1, 2])
        data = pickle.dumps(Crafted(_table_from_state, (cc.Table, (("a", "int64"), ("b", "int64")),
                                                        None, (c, c))), 5)
        try:
            t = pickle.loads(data)
        except ValueError:
            print("refused")
            raise SystemExit(0)
        try:
            del t[0]
            t[0].a
        except (IndexError, ValueError, RuntimeError) as e:
            print("raised", type(e).__name__)
            raise SystemExit(0)
        print("read", len(t), t._debug_info())
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd="/",
                         timeout=120)
    assert out.returncode == 0, f"child died: rc={out.returncode} {out.stderr.decode()[-2000:]}"
    assert out.stdout.startswith(b"refused"), out.stdout


def test_pk4_table_claimed_sizes_in_a_column_state_fail_fast():
    tracemalloc.start()
    try:
        for n in (2**62, 2**40):
            col = Crafted(strarray_from_state, [False, "little", n, b"", b"\x00" * 8, None])
            with pytest.raises(ValueError):
                pickle.loads(pickle.dumps(Crafted(_table_from_state,
                                                  (cc.Table, (("s", "str"),), None, (col,))), 5))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20


# ---- PK5: wrong argument types ---------------------------------------------------------------

SA_GOOD = (False, sys.byteorder, 2, b"abc", struct.pack("=3i", 0, 1, 3), None)


@pytest.mark.parametrize("i,wrong", [
    (0, 1), (0, None), (0, "yes"),                      # nullable
    (1, b"little"), (1, None), (1, 1),                  # byteorder
    (2, "2"), (2, 2.0), (2, None),                      # length
    (3, None), (3, "abc"), (3, 12), (3, [97, 98, 99]),  # data
    (4, None), (4, "x"), (4, 3), (4, [0, 1, 3]),        # offsets
    (5, 7), (5, "\x03"), (5, [1]),                      # validity (nullable=True below)
], ids=lambda v: repr(v))
def test_pk5_strarray_wrong_types_raise_typeerror(i, wrong):
    args = list(SA_GOOD)
    if i == 5:
        args[0] = True
    args[i] = wrong
    with pytest.raises(TypeError):
        strarray_from_state(*args)


@pytest.mark.parametrize("wrong", [None, 5, "abc", b"abc", ["a"], Array("int64", [1]),
                                   StringPool(["a"])], ids=repr)
def test_pk5_pool_wrong_types_raise_typeerror(wrong):
    with pytest.raises(TypeError):
        pool_from_state(wrong)


CAT_GOOD = (StringPool(["x"]), Array("int", [0]), False)


@pytest.mark.parametrize("i,wrong", [
    (0, None), (0, 5), (0, "x"), (0, ["x"]), (0, StringArray(["x"])),
    (1, None), (1, 5), (1, "ab"), (1, [0]), (1, b"\x00"),
    (2, None), (2, 0), (2, "yes"),
], ids=lambda v: repr(v))
def test_pk5_categorical_wrong_types_raise_typeerror(i, wrong):
    args = list(CAT_GOOD)
    args[i] = wrong
    with pytest.raises(TypeError):
        categorical_from_state(*args)


SD_GOOD = (StrDict, "int64", StringArray(["a"]), Array("int64", [1]))


@pytest.mark.parametrize("i,wrong", [
    (0, None), (0, 5), (0, "StrDict"),
    (1, None), (1, 5),
    (2, None), (2, 5), (2, "a"), (2, b"a"),
    (3, None), (3, 5), (3, "1"),
], ids=lambda v: repr(v))
def test_pk5_strdict_wrong_types_raise_typeerror(i, wrong):
    args = list(SD_GOOD)
    args[i] = wrong
    with pytest.raises(TypeError):
        strdict_from_state(*args)


TB_GOOD = (cc.Table, (("a", "int64"),), None, (Array("int64", [1]),), 1)


@pytest.mark.parametrize("i,wrong", [
    (0, None), (0, 5), (0, dict),
    (1, None), (1, 5),
    (2, 5), (2, "Order"), (2, dict),
    (3, 5), (3, 2.5), (3, "a"),
    (4, "1"), (4, 2.5),
], ids=lambda v: repr(v))
def test_pk5_table_wrong_types_raise_typeerror(i, wrong):
    args = list(TB_GOOD)
    args[i] = wrong
    with pytest.raises(TypeError):
        _table_from_state(*args)


def test_pk5_good_states_load():
    """The controls of the PK5 tests."""
    assert strarray_from_state(*SA_GOOD).tolist() == ["a", "bc"]
    assert categorical_from_state(*CAT_GOOD).tolist() == ["x"]
    assert dict(strdict_from_state(*SD_GOOD).items()) == {"a": 1}
    assert _table_from_state(*TB_GOOD).to_dicts() == [{"a": 1}]
    assert _table_from_state(*TB_GOOD[:4]).to_dicts() == [{"a": 1}]  # made before 0.1.1
    with pytest.raises(ValueError, match="rows"):
        _table_from_state(*TB_GOOD[:4], 2)          # a row count the columns do not have


@pytest.mark.parametrize("fn,args", [
    (strarray_from_state, SA_GOOD), (categorical_from_state, CAT_GOOD),
    (strdict_from_state, SD_GOOD), (_table_from_state, TB_GOOD),
    (pool_from_state, (StringArray(["a"]),)),
], ids=["strarray", "categorical", "strdict", "table", "pool"])
def test_pk5_wrong_argument_count(fn, args):
    with pytest.raises(TypeError):
        fn(*args[:-2] if fn is _table_from_state else args[:-1])  # its row count is optional
    with pytest.raises(TypeError):
        fn(*args, None)
    with pytest.raises(TypeError):
        fn()


@pytest.mark.parametrize("core", ["_strarray_from_state", "_categorical_from_state",
                                  "_pool_from_strings"])
def test_pk5_core_reconstructor_without_arguments(core):
    with pytest.raises(TypeError):
        getattr(cc._core, core)()


# ---- PK6: foreign byte order -----------------------------------------------------------------

@pytest.mark.parametrize("code", ["i", "q"])
@pytest.mark.parametrize("order", ["little", "big"])
def test_pk6_strarray_offsets_in_either_byte_order(order, code):
    values = ["ab", None, "é", "", "中文\U0001F600", None]
    data = "".join(v for v in values if v).encode()
    offs = [0]
    for v in values:
        offs.append(offs[-1] + len(v.encode()) if v else offs[-1])
    a = strarray_from_state(True, order, len(values), data, pack(offs, code, order), b"\x1d")
    assert a.tolist() == values and a.null_count == 2
    a._debug_info()
    a.append("ok")                                     # stored natively: works on
    assert pickle.loads(pickle.dumps(a, 5)).tolist() == values + ["ok"]
    src = bytearray(pack(offs, code, order))
    strarray_from_state(True, order, len(values), data, src, b"\x1d")
    assert src == pack(offs, code, order), "byteswapping must not touch the caller's buffer"


def test_pk6_strarray_wrong_flag_for_the_offsets_is_refused():
    """Offsets written little-endian, flagged big (and the reverse): the
    swapped values are not valid offsets -> ValueError, not garbage."""
    for written, claimed in (("little", "big"), ("big", "little")):
        args = [False, claimed, len(SMALL), BASE_DATA, pack(BASE_OFFS, "i", written), None]
        load_all_ways(strarray_from_state, args)


def foreign(state_of):
    """A StringArray pickle state rewritten in the other byte order."""
    other = "big" if sys.byteorder == "little" else "little"
    fn, args = state_of.__reduce_ex__(2)
    nullable, _, n, data, offsets, validity = args
    offs = struct.unpack(f"={n + 1}i", offsets)
    return Crafted(fn, (nullable, other, n, data, pack(offs, "i", other), validity))


def test_pk6_foreign_byte_order_inside_pools_categoricals_dicts_and_tables():
    """Every container's strings travel as a StringArray state: a pickle
    written on a machine of the other byte order loads to the same values."""
    strings = ["ab", "é", "", "中文"]
    p = pickle.loads(pickle.dumps(Crafted(pool_from_state, (foreign(StringArray(strings)),)), 2))
    assert list(p) == strings and p.id("中文") == 3
    c = pickle.loads(pickle.dumps(Crafted(categorical_from_state,
                                          (p, Array("int", [3, 0, 1]), False)), 2))
    assert c.tolist() == ["中文", "ab", "é"]
    d = pickle.loads(pickle.dumps(Crafted(strdict_from_state, (
        StrDict, "str", foreign(StringArray(strings)),
        foreign(StringArray(strings[::-1])))), 5))
    assert dict(d.items()) == dict(zip(strings, strings[::-1]))
    t = pickle.loads(pickle.dumps(Crafted(_table_from_state, (
        cc.Table, (("s", "str?"),), None,
        (foreign(StringArray(["x", None, "é"], nullable=True)),))), 5))
    assert t.to_dicts() == [{"s": "x"}, {"s": None}, {"s": "é"}]


# ---- hypothesis: random contents round-trip for protocols 2-5 ----------------------------------

def round_trips(obj):
    """obj pickled with protocols 2, 3, 4, 5 in band and 5 out of band."""
    for protocol in (2, 3, 4, 5):
        yield pickle.loads(pickle.dumps(obj, protocol=protocol))
    data, buffers, raws = dump_oob(obj)
    yield pickle.loads(data, buffers=buffers)
    release(buffers)
    yield pickle.loads(data, buffers=raws)


texts = st.text(max_size=12)


@given(st.lists(st.none() | texts, max_size=40), st.booleans(), st.data())
def test_pk1_hypothesis_strarray(values, nullable, data):
    if not nullable:
        values = [v for v in values if v is not None]
    a = StringArray(values, nullable=nullable)
    lo = data.draw(st.integers(0, len(values)))
    hi = data.draw(st.integers(lo, len(values)))
    for obj, expect in ((a, values), (a[lo:hi], values[lo:hi])):
        for b in round_trips(obj):
            assert type(b) is StringArray and b.tolist() == expect and b.nullable == nullable
            b._debug_info()


@given(st.sampled_from(["int64", "float64", "str", "object"]), st.data())
def test_pk1_hypothesis_strdict(dtype, data):
    values = {"int64": st.integers(-2**63, 2**63 - 1), "float64": st.floats(),
              "str": texts, "object": st.none() | st.integers() | texts}[dtype]
    items = data.draw(st.dictionaries(texts, values, max_size=30))
    deleted = data.draw(st.lists(st.sampled_from(sorted(items)), max_size=5)) if items else []
    d = StrDict(dtype, items)
    for k in deleted:
        if k in items:
            del d[k]
            del items[k]
    expect = [(k, key(v)) for k, v in items.items()]
    for e in round_trips(d):
        assert type(e) is StrDict and e.value_dtype == dtype
        assert [(k, key(v)) for k, v in e.items()] == expect


ROW = st.fixed_dictionaries({
    "i": st.integers(-2**63, 2**63 - 1), "f": st.floats(allow_nan=False),
    "b": st.booleans(), "s": texts, "c": st.sampled_from(["a", "b", "é", ""]),
    "ni": st.none() | st.integers(-128, 127), "nf": st.none() | st.sampled_from([0.5, -2.0]),
    "nb": st.none() | st.booleans(), "ns": st.none() | texts,
    "nc": st.none() | st.sampled_from(["p", "q"]),
})


@given(st.lists(ROW, max_size=25), st.booleans())
def test_pk1_hypothesis_table(rows, record):
    if record:
        recs = [{"id": r["i"], "price": r["f"], "paid": r["b"], "sku": r["s"], "kind": r["c"],
                 "qty": r["ni"], "note": r["ns"], "tag": r["nc"]} for r in rows]
        t = cc.Table(Order, [Order(**r) for r in recs])
    else:
        recs = rows
        t = cc.Table(DICT_SCHEMA, [tuple(r[k] for k in DICT_SCHEMA) for r in rows])
        recs = [{k: r[k] for k in DICT_SCHEMA} for r in rows]
    expect = [[key(v) for v in r.values()] for r in recs]
    for u in round_trips(t):
        assert type(u) is cc.Table and u.schema == t.schema
        if record:
            assert u.record_class is Order
        assert [[key(v) for v in r.values()] for r in u.to_dicts()] == expect
        u._debug_info()


# ---- the arena-buffer reconstructors (pool and tombstone-free StrDict) ---------------------

def test_pk5_buffer_reconstructors_wrong_types():
    from compactcol._pickle import pool_from_buffers, strdict_from_buffers
    for wrong in (None, 5, "x", [b"ab"]):
        with pytest.raises(TypeError):
            strdict_from_buffers(StrDict, "int64", wrong, Array("int64", [1]))
    with pytest.raises(TypeError):
        pool_from_buffers(None, "little", 0, b"", b"\0" * 4, None)
    with pytest.raises(TypeError):
        pool_from_buffers(False, "little", 0, 5, b"\0" * 4, None)


def test_pk1_strdict_with_tombstones_still_round_trips_through_a_copy():
    d = StrDict("int64", {f"k{i}": i for i in range(100)})
    for i in range(0, 100, 3):
        del d[f"k{i}"]
    bufs = []
    data = pickle.dumps(d, protocol=5, buffer_callback=bufs.append)
    assert pickle.loads(data, buffers=bufs) == d
    d2 = StrDict("int64", {"a": 1})
    fn = d2.__reduce_ex__(5)[0]
    assert fn.__name__ == "strdict_from_buffers"  # no tombstones: the arena itself
