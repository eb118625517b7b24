"""The frozen pickles of every container other than Array (Array's are in
tests/test_array_pickle.py): tests/data/containers_v1*.pickle, written once
by tests/data/make_frozen_containers.py, must keep loading in every later
version to the contents in containers_v1_expected.json, as fully working
containers, and re-pickle today to the same values.

The pickles name two classes by reference, make_frozen_containers.FrozenOrder
(a Record) and .FrozenCounter (a StrDict subclass): tests/data goes on
sys.path while the module is imported.
"""

import copy
import importlib
import json
import math
import os
import pickle
import sys

import pytest

import compactcol as cc
from compactcol import CategoricalArray, StrDict, StringArray, StringPool

#: the Array dtypes there were when the pickles were frozen (before the temporal ones)
NUMBER_DTYPES = [d for d in cc.DTYPES if d[-1].isdigit() and d != "date32" or d == "bool"]

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
FILES = ["containers_v1.pickle", "containers_v1_p5.pickle"]


def frozen_module():
    """make_frozen_containers, imported from tests/data (the pickles name it)."""
    if "make_frozen_containers" not in sys.modules:
        sys.path.insert(0, DATA)
        try:
            importlib.import_module("make_frozen_containers")
        finally:
            sys.path.remove(DATA)
    return sys.modules["make_frozen_containers"]


def load(filename):
    frozen_module()
    with open(os.path.join(DATA, filename), "rb") as f:
        return pickle.load(f)


def decode(x):
    if isinstance(x, dict):
        (tag, v), = x.items()
        if tag == "float":
            return float.fromhex(v)
        if tag == "bytes":
            return bytes.fromhex(v)
        if tag == "tuple":
            return tuple(decode(e) for e in v)
        if tag == "list":
            return [decode(e) for e in v]
        if tag == "dict":
            return {decode(k): decode(e) for k, e in v}
        raise AssertionError(f"unknown tag {tag!r}")
    return x


def decoded(m):
    m = dict(m)
    for field in ("values", "strings"):
        if field in m:
            m[field] = [decode(v) for v in m[field]]
    if "items" in m:
        m["items"] = [(k, decode(v)) for k, v in m["items"]]
    if "rows" in m:
        m["rows"] = [[decode(v) for v in r] for r in m["rows"]]
    return m


with open(os.path.join(DATA, "containers_v1_expected.json"), encoding="utf-8") as _f:
    EXPECTED = {name: decoded(m) for name, m in json.load(_f)["objects"].items()}
NAMES = sorted(EXPECTED)


# The comparable form (NaN equal to NaN, -0.0 distinct from 0.0, types kept)
# is the generator's own: the pickles were checked against it when written.
key = frozen_module().key


def has_nan(x):
    if isinstance(x, float):
        return math.isnan(x)
    if isinstance(x, dict):
        return any(has_nan(k) or has_nan(v) for k, v in x.items())
    if isinstance(x, (tuple, list)):
        return any(has_nan(v) for v in x)
    return False


def keys(xs):
    return [key(x) for x in xs]


# ---- what a loaded object must be ---------------------------------------------------------

def record_class_of(m):
    if m["class"] is None:
        return None
    module, name = m["class"].split(".")
    assert module == "make_frozen_containers"
    return getattr(frozen_module(), name)


def schema_now(m):
    """The schema a frozen table loads with.  Its Record class's `int`
    fields meant 'int64' when it was pickled and mean an adaptive 'int' now
    (issue 14): such a column loads adaptive, at int64."""
    schema = [tuple(f) for f in m["schema"]]
    if m["record_class"] is None:
        return schema
    cls = record_class_of({"class": m["record_class"]})
    now = {f[0]: f[1] for f in cls.__compactcol_schema__.fields}
    return [(n, "int" + s[len("int64"):] if s.startswith("int64") and
             now.get(n, "").rstrip("?") == "int" else s) for n, s in schema]


def check(name, obj, m):
    """obj is what the JSON says: type, parameters, contents, invariants."""
    kind = m["kind"]
    if kind == "StringArray":
        assert type(obj) is StringArray
        assert obj.nullable == m["nullable"]
        assert obj.tolist() == m["values"]
        assert list(obj) == m["values"] and len(obj) == len(m["values"])
        assert obj.null_count == m["values"].count(None)
        assert obj._debug_info()["exports"] == 0
    elif kind == "StringPool":
        assert type(obj) is StringPool
        assert list(obj) == m["strings"] and len(obj) == len(m["strings"])
        for i, s in enumerate(m["strings"]):
            assert obj.id(s) == i and obj[i] == s
        obj._debug_info()
    elif kind == "CategoricalArray":
        assert type(obj) is CategoricalArray
        assert obj.nullable == m["nullable"]
        assert obj.tolist() == m["values"]
        assert obj.null_count == m["values"].count(None)
        assert type(obj.pool) is StringPool and list(obj.pool) == m["categories"]
        assert obj.codes.tolist() == m["codes"]
        assert obj.codes.dtype == m["codes_dtype"] and obj.codes.adaptive
        obj._debug_info()
        obj.pool._debug_info()
    elif kind == "StrDict":
        cls = StrDict if m["class"] == "StrDict" else getattr(frozen_module(), m["class"])
        assert type(obj) is cls
        assert obj.value_dtype == m["value_dtype"]
        assert [(k, key(v)) for k, v in obj.items()] == [(k, key(v)) for k, v in m["items"]]
        assert len(obj) == len(m["items"])
        for k, v in m["items"]:
            assert k in obj and key(obj[k]) == key(v)
        assert obj._debug_info()["tombstones"] == 0
        assert "never in it" not in obj
    elif kind == "Table":
        assert type(obj) is cc.Table
        assert list(obj.schema.items()) == schema_now(m)
        assert obj.columns == [n for n, _ in m["schema"]]
        assert len(obj) == len(m["rows"])
        assert [keys(r) for r in obj] == [keys(r) for r in m["rows"]]
        assert [keys(d.values()) for d in obj.to_dicts()] == [keys(r) for r in m["rows"]]
        for col, cats in m["categories"].items():
            assert type(obj[col]) is CategoricalArray and list(obj[col].pool) == cats
        rc = obj.record_class
        if m["record_class"] is None:
            assert rc._compactcol_generated
            assert rc is cc.Table(dict(obj.schema)).record_class   # one class per schema
        else:
            base = record_class_of({"class": m["record_class"]})
            assert issubclass(rc, base)
            assert (rc is base) == (list(obj.schema) == list(base.__compactcol_schema__.names))
        assert all(type(r) is rc for r in obj)
        obj._debug_info()
        for c in obj._columns:
            c._debug_info()
    elif kind == "Record":
        cls = record_class_of(m)
        if cls is None:
            assert type(obj)._compactcol_generated
        else:
            assert type(obj) is cls
        assert isinstance(obj, cc.Record) and not obj._is_view
        assert keys(obj) == keys(m["values"])
        assert keys(obj.as_dict().values()) == keys(m["values"])
    elif kind == "Schema":
        assert type(obj) is cc._core.Schema
        assert [list(f) for f in obj.fields] == m["fields"]
        assert obj == cc._core.Schema(obj.fields)
        # a Schema is what it was; FrozenOrder's `id: int` means 'int' now (issue 14)
        now = frozen_module().FrozenOrder.__compactcol_schema__
        assert [f[0] for f in obj.fields] == [f[0] for f in now.fields]
    elif kind == "DType":
        # the markers there were when the pickles were frozen: the number dtypes
        assert sorted(obj) == m["names"] == sorted(NUMBER_DTYPES)
        for n, marker in obj.items():
            assert type(marker) is type(getattr(cc, n)) and marker.name == n
    elif kind == "Category":
        assert obj is cc.Category
    else:
        raise AssertionError(f"unknown kind {kind!r}")


# a value of each StrDict value dtype, to grow a loaded dict with
GROW_VALUE = {"int64": -2**63, "uint8": 255, "float64": float("nan"), "float32": -0.0,
              "bool": True, "int": 2**62, "str": "grown ✓\U0001F600", "object": (None, [1.5])}
# rows for the empty tables: from the non-empty table of the same schema
ROW_SOURCE = {"table_empty": "table_mixed", "table_record_empty": "table_record"}


def exercise(name, obj, m):
    """The loaded object is a fully working container: copy, extend, append,
    assign, delete, all equal to the model doing the same."""
    kind = m["kind"]
    if kind == "StringArray":
        v = m["values"]
        b = obj.copy()
        b.extend(obj)
        b.append("new ✓\U0001F600")
        assert b.tolist() == v + v + ["new ✓\U0001F600"]
        b._debug_info()
        obj.append("z")
        if obj.nullable:
            obj.append(None)
        if v:
            obj[0] = "poked, and longer than before"
        want = v + ["z"] + ([None] if obj.nullable else [])
        if v:
            want[0] = "poked, and longer than before"
        assert obj.tolist() == want
        obj._debug_info()
    elif kind == "StringPool":
        s = m["strings"]
        q = obj.copy()
        assert list(q) == s
        assert obj.intern("brand new ✓") == len(s)
        if s:
            assert obj.intern(s[-1]) == len(s) - 1
        assert list(obj) == s + ["brand new ✓"] and list(q) == s
        obj._debug_info()
    elif kind == "CategoricalArray":
        v = m["values"]
        b = obj.copy()
        b.extend(obj)
        assert b.tolist() == v + v
        obj.append("new category ✓")
        if v:
            obj.append(v[-1])
            obj[0] = v[-1]
        if obj.nullable:
            obj.append(None)
        want = v + ["new category ✓"] + v[-1:] + ([None] if obj.nullable else [])
        if v:
            want[0] = v[-1]
        assert obj.tolist() == want
        assert list(obj.pool)[-1] == "new category ✓"
        obj._debug_info()
    elif kind == "StrDict":
        model = dict(m["items"])
        e = obj.copy()
        assert type(e) is type(obj) and e.value_dtype == obj.value_dtype
        value = GROW_VALUE[obj.value_dtype]
        obj["grown ✓"] = value
        model["grown ✓"] = value
        first = next(iter(m["items"]))[0] if m["items"] else "grown ✓"
        del obj[first]
        del model[first]
        obj.update(e)
        for k, v in e.items():
            model[k] = v
        assert [(k, key(v)) for k, v in obj.items()] == [(k, key(v)) for k, v in model.items()]
        obj._debug_info()
    elif kind == "Table":
        rows = m["rows"] or EXPECTED[ROW_SOURCE[name]]["rows"][:2]
        rows = [r[:len(m["schema"])] for r in rows]
        u = obj.copy()
        u.extend([tuple(r) for r in obj])
        assert len(u) == 2 * len(obj)
        obj.extend([tuple(r) for r in rows])
        obj.append(tuple(rows[0]))
        want = m["rows"] + rows + rows[:1]
        if len(obj) > 1:
            obj[0] = tuple(rows[-1])
            want[0] = rows[-1]
        assert [keys(r) for r in obj] == [keys(r) for r in want]
        obj._debug_info()
        u._debug_info()
    elif kind == "Record":
        values = m["values"]
        again = type(obj)(*values)
        assert again == obj and keys(again) == keys(values)
        assert copy.copy(obj) == obj and copy.deepcopy(obj) == obj
        t = cc.Table(type(obj), [obj, again])
        assert [keys(r) for r in t] == [keys(values)] * 2
    elif kind == "Schema":
        t = cc.Table(dict((f[0], f[1]) for f in obj.fields))
        assert list(t.schema.items()) == [(f[0], f[1]) for f in obj.fields]
    elif kind == "DType":
        for n, marker in obj.items():
            rc = type("T", (cc.Record,), {"__annotations__": {"v": marker, "w": marker | None}})
            assert list(cc.Table(rc).schema.items()) == [("v", n), ("w", n + "?")]
    elif kind == "Category":
        rc = type("T", (cc.Record,), {"__annotations__": {"c": obj}})
        t = cc.Table(rc, [("x",), ("y",), ("x",)])
        assert type(t["c"]) is CategoricalArray and t["c"].tolist() == ["x", "y", "x"]


# ---- the tests --------------------------------------------------------------------------------

@pytest.mark.parametrize("filename", FILES)
def test_frozen_files_load_and_hold_every_container(filename):
    loaded = load(filename)
    assert sorted(loaded) == NAMES
    kinds = {m["kind"] for m in EXPECTED.values()}
    assert kinds == {"StringArray", "StringPool", "CategoricalArray", "StrDict", "Table",
                     "Record", "Schema", "DType", "Category"}
    # every StrDict value kind, and every Table column kind
    assert {m["value_dtype"] for m in EXPECTED.values() if m["kind"] == "StrDict"} >= {
        "int64", "int", "str", "object"}
    specs = {s for m in EXPECTED.values() if m["kind"] == "Table" for _, s in m["schema"]}
    assert specs >= {"str", "str?", "category", "category?"} | set(NUMBER_DTYPES) - {
        "int32", "uint16", "uint32", "int16"}
    assert {s for s in specs if s.endswith("?")} >= {"int16?", "uint32?", "float32?",
                                                     "float64?", "bool?"}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("filename", FILES)
def test_frozen_object_loads_to_its_contents(filename, name):
    obj = load(filename)[name]
    check(name, obj, EXPECTED[name])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("filename", FILES)
def test_frozen_object_is_fully_working(filename, name):
    obj = load(filename)[name]
    exercise(name, obj, EXPECTED[name])


def dumps_today(obj):
    """obj re-pickled today, loaded back: protocols 2 and 5 in band, 5 out of band."""
    yield pickle.loads(pickle.dumps(obj, protocol=2))
    yield pickle.loads(pickle.dumps(obj, protocol=5))
    buffers = []
    data = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    raws = [bytes(b.raw()) for b in buffers]
    for b in buffers:
        b.release()
    yield pickle.loads(data, buffers=raws)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("filename", FILES)
def test_frozen_object_round_trips_today(filename, name):
    """Today's pickle of the loaded object loads to the same values (the
    format did not drift in a way only new pickles can read)."""
    obj = load(filename)[name]
    for again in dumps_today(obj):
        check(name, again, EXPECTED[name])
        if EXPECTED[name]["kind"] not in ("Record", "DType", "Category") and \
                not has_nan(EXPECTED[name]):   # NaN != NaN
            assert again == obj
    check(name, obj, EXPECTED[name])


@pytest.mark.parametrize("filename", FILES)
def test_frozen_shared_pool_is_still_shared(filename):
    loaded = load(filename)
    a, b, pool = (loaded[n] for n in ("categorical_shared_a", "categorical_shared_b",
                                      "pool_shared"))
    assert EXPECTED["pool_shared"]["shared_by"] == ["categorical_shared_a",
                                                    "categorical_shared_b"]
    assert a.pool is b.pool is pool
    a.append("seen by both ✓")
    assert "seen by both ✓" in b.pool and pool.id("seen by both ✓") == len(pool) - 1
    b.append("seen by both ✓")
    assert b.codes.tolist()[-1] == a.codes.tolist()[-1]
    # and the sharing survives today's pickle of the whole file
    for again in dumps_today(loaded):
        assert again["categorical_shared_a"].pool is again["categorical_shared_b"].pool \
            is again["pool_shared"]


@pytest.mark.parametrize("filename", FILES)
def test_frozen_table_rows_compare_equal_to_todays(filename):
    """A loaded dict-schema table uses today's generated Record class: its
    rows compare equal to a table built today from the same rows."""
    loaded = load(filename)
    for name in ("table_mixed", "table_str", "table_record"):
        t, m = loaded[name], EXPECTED[name]
        rc = t.record_class
        today = cc.Table(rc if m["record_class"] else dict(t.schema),
                         [tuple(r) for r in m["rows"]])
        assert today.record_class is rc
        assert all(a == b for a, b in zip(t, today) if not any(
            isinstance(v, float) and math.isnan(v) for v in a))

