"""Writes the frozen pickles of every container other than Array, which
tests/test_frozen_pickles.py loads (Array has its own: make_frozen_pickles.py).

Run once per pickle format version (never again for v1: the point of the
files is that they were written by an old compactcol and must keep loading):

    python tests/data/make_frozen_containers.py

Writes, next to this script:
  containers_v1.pickle          dict name -> object, pickle protocol 2
  containers_v1_p5.pickle       the same dict, protocol 5, buffers in band
  containers_v1_expected.json   name -> what the object holds, computed from
                                plain Python models (lists and dicts) the
                                containers were built alongside; values are
                                tagged where JSON would lose them: floats as
                                {"float": float.hex()}, tuples, lists, dicts
                                and bytes as {"tuple"|"list"|"dict"|"bytes": ...}

The pickles name the classes defined below (FrozenOrder, FrozenCounter) by
reference, as this module, ``make_frozen_containers``: loading needs
tests/data on sys.path, and these classes must never change (their fields
are checked against the pickled ones when a Table loads).  Everything else
in the pickles names only compactcol.
"""

import json
import math
import os
import pickle
import struct
import sys

import compactcol as cc
from compactcol import CategoricalArray, StrDict, StringArray, StringPool

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- the classes the pickles name by reference (frozen: never edit) ------------------------

class FrozenOrder(cc.Record):
    id: int
    qty: cc.int32
    price: float
    ratio: cc.float32
    paid: bool
    sku: str
    kind: cc.Category
    tag: cc.Category | None
    note: str | None
    discount: cc.int16 | None = None


class FrozenCounter(StrDict):
    """A StrDict subclass: its pickle names the class."""


# ---- the plain models ------------------------------------------------------------------------

def f32(x):
    """x as float32 stores it."""
    return struct.unpack("f", struct.pack("f", x))[0]


ASCII = ["alpha", "b", "", "hello world", "x" * 100, "tab\tand\nnewline", "~!@#$%^&*()"]
NON_ASCII = ["é", "中文", "\U0001F600", "a\x00b", "Ω≈ç√", "mixed é 中 \U0001F680 end",
             "\U0010FFFF", "\u00a0", "ß" * 40, "𝄞 music"]
assert any(len(s.encode()) - len(s) == 3 for s in NON_ASCII)    # a 4-byte UTF-8 character
NULLABLE = [None if k % 3 == 0 else f"v{k}-é" * (k % 4) for k in range(21)] + ["\U0001F600"]
SLICE_SRC = [f"s{k}" + "é" * (k % 3) for k in range(50)]

SCHEMA_NUMERIC = {"i8": "int8", "i64": "int64", "u8": "uint8", "u64": "uint64",
                  "f32": "float32", "f64": "float64", "b": "bool"}
SCHEMA_STR = {"s": "str", "ns": "str?", "c": "category", "nc": "category?"}
SCHEMA_NULLABLE = {"ni16": "int16?", "nu32": "uint32?", "nf32": "float32?", "nf64": "float64?",
                   "nb": "bool?"}
SCHEMA_MIXED = {**SCHEMA_NUMERIC, **SCHEMA_STR, **SCHEMA_NULLABLE}

FLOATS = [0.0, -0.0, 0.1, -2.5e-300, 1.7976931348623157e308, 5e-324,
          float("inf"), float("-inf"), float("nan")]
FLOATS32 = [0.0, -0.0, 0.5, -1.5, f32(0.1), 3.4028234663852886e38,
            float("inf"), float("-inf"), float("nan")]


def numeric_row(k):
    return {"i8": [-128, 127, 0, -1][k % 4], "i64": [-2**63, 2**63 - 1, k * 10**12][k % 3],
            "u8": (k * 37) % 256, "u64": [0, 2**64 - 1, 2**63 + k][k % 3],
            "f32": FLOATS32[k % len(FLOATS32)], "f64": FLOATS[k % len(FLOATS)], "b": k % 3 == 1}


def str_row(k):
    return {"s": (ASCII + NON_ASCII)[k % 17], "ns": None if k % 3 == 0 else NON_ASCII[k % 10],
            "c": ["buy", "sell", "é", ""][k % 4],
            "nc": None if k % 5 == 0 else ["p", "q", "中文"][k % 3]}


def nullable_row(k):
    return {"ni16": None if k % 2 else -32768 + k, "nu32": None if k % 3 == 0 else 2**32 - 1 - k,
            "nf32": None if k % 4 == 1 else FLOATS32[k % len(FLOATS32)],
            "nf64": None if k % 5 == 2 else FLOATS[k % len(FLOATS)],
            "nb": None if k % 3 == 2 else k % 2 == 0}


def order_row(k):
    return {"id": k - 2**40, "qty": [2**31 - 1, -2**31, k][k % 3], "price": k * 1.25,
            "ratio": f32(k / 3), "paid": k % 3 == 0, "sku": f"SKU-{k}-é",
            "kind": ["buy", "sell"][k % 2], "tag": None if k % 3 == 2 else ["t", "ü"][k % 2],
            "note": None if k % 2 else f"note {k} ✓\U0001F600",
            "discount": None if k % 4 == 1 else -k}


def categories(values):
    return list(dict.fromkeys(v for v in values if v is not None))


def codes_dtype(ncat):
    return "int8" if ncat <= 128 else "int16" if ncat <= 2**15 else "int32"


# ---- the cases: each is (object, model description for the JSON) ------------------------------

def strarray(values, nullable=False, after=None):
    a = StringArray(values, nullable=nullable)
    model = list(values)
    if after:
        a, model = after(a), after(model)
    return a, {"kind": "StringArray", "nullable": nullable, "values": model}


def scattered(nullable):
    """An element assignment that changes a length: the array is no longer
    in the compact (Arrow) layout when pickled."""
    values = ASCII + NON_ASCII + ([None, "z"] if nullable else [])
    a = StringArray(values, nullable=nullable)
    model = list(values)
    for i, s in ((1, "now a much longer string than it was ✓"), (0, ""), (5, "é")):
        a[i] = s
        model[i] = s
    if nullable:
        a[2] = None
        model[2] = None
    assert not a._debug_info()["compact"]
    return a, {"kind": "StringArray", "nullable": nullable, "values": model}


def pool(strings, interned=()):
    p = StringPool(strings)
    for s in interned:
        p.intern(s)
    return p, {"kind": "StringPool", "strings": list(dict.fromkeys(list(strings) + list(interned)))}


def categorical(values, nullable=False, pool_strings=(), after=None, shared=None):
    p = shared if shared is not None else StringPool(pool_strings)
    before = list(p)
    a = CategoricalArray(values, p, nullable=nullable)
    cats = list(dict.fromkeys(before + categories(values)))
    model = list(values)
    if after:
        a, model = after(a), after(model)
    return a, {"kind": "CategoricalArray", "nullable": nullable, "values": model,
               "categories": cats, "codes": [-1 if v is None else cats.index(v) for v in model],
               "codes_dtype": codes_dtype(len(cats))}


def strdict(value_dtype, items, deleted=(), readded=(), cls=StrDict):
    d = cls(value_dtype, items)
    model = dict(items)
    for k in deleted:
        del d[k]
        del model[k]
    for k, v in readded:
        d[k] = v
        model[k] = v
    return d, {"kind": "StrDict", "class": cls.__qualname__, "value_dtype": value_dtype,
               "items": list(model.items()), "tombstones_when_written":
                   d._debug_info()["tombstones"]}


def table(schema, rows, after=None, add=None):
    if schema is FrozenOrder:
        t = cc.Table(FrozenOrder, [FrozenOrder(**r) for r in rows])
        spec = {"id": "int64", "qty": "int32", "price": "float64", "ratio": "float32",
                "paid": "bool", "sku": "str", "kind": "category", "tag": "category?",
                "note": "str?", "discount": "int16?"}
        rc = "make_frozen_containers.FrozenOrder"
    else:
        t = cc.Table(schema, [tuple(r[n] for n in schema) for r in rows])
        spec = dict(schema)
        rc = None
    model = [[r[n] for n in spec] for r in rows]
    cats = {n: categories(r[n] for r in rows) for n, s in spec.items()
            if s.startswith("category")}
    if add:
        name, dtype, values = add
        t.add_column(name, values, dtype)
        spec[name] = dtype
        model = [r + [v] for r, v in zip(model, values)]
        if dtype.startswith("category"):
            cats[name] = categories(values)
    if after:
        t, model = after(t), after(model)
    return t, {"kind": "Table", "schema": list(spec.items()), "record_class": rc,
               "rows": model, "categories": cats}


def record(r, values, cls_name):
    return r, {"kind": "Record", "class": cls_name, "values": values}


def cases():
    shared = StringPool(["x", "y"])
    c = {
        # StringArray
        "strarray_empty": strarray([]),
        "strarray_empty_nullable": strarray([], nullable=True),
        "strarray_ascii": strarray(ASCII),
        "strarray_non_ascii": strarray(NON_ASCII),
        "strarray_nullable": strarray(NULLABLE, nullable=True),
        "strarray_nullable_no_nulls": strarray(NON_ASCII, nullable=True),
        "strarray_all_null": strarray([None] * 11, nullable=True),
        "strarray_scattered": scattered(False),
        "strarray_scattered_nullable": scattered(True),
        "strarray_slice": strarray(SLICE_SRC, after=lambda a: a[3:-4]),
        "strarray_slice_step_nullable": strarray(
            [None if k % 4 == 0 else s for k, s in enumerate(SLICE_SRC)], True,
            lambda a: a[1:45:3]),
        # StringPool
        "pool_empty": pool([]),
        "pool_small": pool(ASCII + NON_ASCII),
        "pool_interned_after": pool(["x", "y"], interned=["z", "x", "é", "\U0001F600", ""]),
        "pool_shared": (shared, None),           # filled in below, after the arrays grew it
        # CategoricalArray
        "categorical_empty": categorical([]),
        "categorical_empty_nullable": categorical([], nullable=True),
        "categorical": categorical(["red", "green", "red", "blue", "é", "", "\U0001F600", "red"]),
        "categorical_nullable": categorical([None, "x", None, "y", "x", "中文", None],
                                            nullable=True),
        "categorical_unused_categories": categorical(["b"], pool_strings=["a", "b", "c"]),
        "categorical_slice": categorical(["p", "q", "r", "p", "s"] * 3, after=lambda a: a[1:-2]),
        "categorical_int16_codes": categorical([f"c{k}" for k in range(300)] * 2),
        "categorical_shared_a": categorical(["x", "w", "x", "v"], shared=shared),
        "categorical_shared_b": categorical(["v", None, "u", "y"], nullable=True, shared=shared),
        # StrDict
        "strdict_empty": strdict("int64", {}),
        "strdict_int64": strdict("int64", {"": 0, "a": -2**63, "b": 2**63 - 1, "é": 7,
                                           "\U0001F600": -1, "a\x00b": 42}),
        "strdict_uint8": strdict("uint8", {"lo": 0, "hi": 255, "mid": 128}),
        "strdict_float64": strdict("float64", {f"f{k}": x for k, x in enumerate(FLOATS)}),
        "strdict_float32": strdict("float32", {f"f{k}": x for k, x in enumerate(FLOATS32)}),
        "strdict_bool": strdict("bool", {"t": True, "f": False, "中": True}),
        "strdict_int_adaptive": strdict("int", {"small": 1, "big": 2**40, "neg": -2**63}),
        "strdict_int_adaptive_small": strdict("int", {"a": 1, "b": -128}),
        "strdict_str": strdict("str", {"": "", "k": "v", "é": "中文\U0001F600", "long": "y" * 300}),
        "strdict_object": strdict("object", {
            "none": None, "int": 2**100, "neg": -5, "float": -0.0, "nan": float("nan"),
            "bool": True, "str": "é✓", "bytes": b"\x00\xff", "tuple": (1, "t", (None,)),
            "list": [1, [2.5, "x"]], "dict": {"k": [1, 2], "é": None}}),
        "strdict_int64_tombstones": strdict(
            "int64", {f"k{k}-é": k * 1000 - 2**40 for k in range(40)},
            deleted=[f"k{k}-é" for k in range(0, 40, 3)], readded=[("k3-é", 33)]),
        "strdict_str_tombstones": strdict(
            "str", {f"k{k}": "v" * k for k in range(30)},
            deleted=[f"k{k}" for k in range(1, 30, 4)]),
        "strdict_object_tombstones": strdict(
            "object", {f"k{k}": (k, [k]) for k in range(20)}, deleted=["k0", "k5", "k19"]),
        "strdict_subclass": strdict("int64", {"a": 1, "b": 2}, cls=FrozenCounter),
        # Table (dict schemas: rows of a generated Record class)
        "table_numeric": table(SCHEMA_NUMERIC, [numeric_row(k) for k in range(20)]),
        "table_str": table(SCHEMA_STR, [str_row(k) for k in range(25)]),
        "table_nullable_numeric": table(SCHEMA_NULLABLE, [nullable_row(k) for k in range(19)]),
        "table_mixed": table(SCHEMA_MIXED, [{**numeric_row(k), **str_row(k), **nullable_row(k)}
                                            for k in range(30)]),
        "table_empty": table(SCHEMA_MIXED, []),
        "table_slice": table(SCHEMA_MIXED, [{**numeric_row(k), **str_row(k), **nullable_row(k)}
                                            for k in range(30)], after=lambda t: t[2:-3]),
        "table_single_column": table({"n": "int64"}, [{"n": k} for k in range(5)]),
        # Table of a Record class named by reference
        "table_record": table(FrozenOrder, [order_row(k) for k in range(23)]),
        "table_record_empty": table(FrozenOrder, []),
        "table_record_added_column": table(
            FrozenOrder, [order_row(k) for k in range(6)],
            add=("extra", "str?", ["e0", None, "é", "", None, "e5"])),
    }
    # the pool after both arrays added their categories (b's "u" after a was built)
    grown = ["x", "y", "w", "v", "u"]
    c["pool_shared"] = (shared, {"kind": "StringPool", "strings": grown,
                                 "shared_by": ["categorical_shared_a", "categorical_shared_b"]})
    for name in c["pool_shared"][1]["shared_by"]:
        c[name][1]["categories"] = grown
        c[name][1]["shared_pool"] = "pool_shared"
    # records: standalone, and the pickle of a row view (a standalone record)
    r = order_row(7)
    c["record"] = record(FrozenOrder(**r), [r[n] for n in r], "make_frozen_containers.FrozenOrder")
    r = order_row(8)
    del r["discount"]                                   # the default
    c["record_default"] = record(FrozenOrder(**r), [r[n] for n in r] + [None],
                                 "make_frozen_containers.FrozenOrder")
    t = c["table_record"][0]
    c["record_row_view"] = record(t[4], c["table_record"][1]["rows"][4],
                                  "make_frozen_containers.FrozenOrder")
    t = c["table_mixed"][0]
    c["record_generated_row"] = record(t[1], c["table_mixed"][1]["rows"][1], None)
    assert t[1]._is_view
    # the type objects that pickle: Schema, the dtype markers, Category
    schema = FrozenOrder.__compactcol_schema__
    c["schema"] = (schema, {"kind": "Schema", "fields": [
        ["id", "int64"], ["qty", "int32"], ["price", "float64"], ["ratio", "float32"],
        ["paid", "bool"], ["sku", "str"], ["kind", "category"], ["tag", "category?", None],
        ["note", "str?", None], ["discount", "int16?", None]]})  # nullable fields default to None
    c["dtype_markers"] = ({n: getattr(cc, n) for n in cc.DTYPES},
                          {"kind": "DType", "names": sorted(cc.DTYPES)})
    c["category_annotation"] = (cc.Category, {"kind": "Category"})
    return c


# ---- the objects hold what the models say (so the JSON is not the implementation's echo) ----

def key(x):
    """Comparable form: NaN equal to NaN, -0.0 distinct from 0.0, types kept."""
    if isinstance(x, float):
        return ("float", "nan") if math.isnan(x) else ("float", x, math.copysign(1, x))
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, tuple(key(v) for v in x))
    if isinstance(x, dict):
        return ("dict", tuple((key(k), key(v)) for k, v in x.items()))
    return (type(x).__name__, x)


def check(name, obj, m):
    kind = m["kind"]
    if kind == "StringArray":
        assert type(obj) is StringArray and obj.nullable == m["nullable"], name
        assert obj.tolist() == m["values"] and obj.null_count == m["values"].count(None), name
    elif kind == "StringPool":
        assert type(obj) is StringPool and list(obj) == m["strings"], name
        assert [obj.id(s) for s in m["strings"]] == list(range(len(m["strings"]))), name
    elif kind == "CategoricalArray":
        assert type(obj) is CategoricalArray and obj.nullable == m["nullable"], name
        assert obj.tolist() == m["values"] and list(obj.pool) == m["categories"], name
        assert obj.codes.tolist() == m["codes"] and obj.codes.dtype == m["codes_dtype"], name
    elif kind == "StrDict":
        assert type(obj).__qualname__ == m["class"] and obj.value_dtype == m["value_dtype"], name
        assert [(k, key(v)) for k, v in obj.items()] == [(k, key(v)) for k, v in m["items"]], name
    elif kind == "Table":
        assert type(obj) is cc.Table and list(obj.schema.items()) == m["schema"], name
        assert [key(list(r)) for r in obj] == [key(r) for r in m["rows"]], name
        for col, cats in m["categories"].items():
            assert list(obj[col].pool) == cats, name
    elif kind == "Record":
        assert [key(v) for v in obj] == [key(v) for v in m["values"]], name
    elif kind == "Schema":
        assert [list(f) for f in obj.fields] == m["fields"], name
    elif kind == "DType":
        assert sorted(obj) == m["names"] and all(v.name == k for k, v in obj.items()), name
    if hasattr(obj, "_debug_info") and not isinstance(obj, type):
        obj._debug_info()


def encode(x):
    if x is None or isinstance(x, (bool, int, str)):
        return x
    if isinstance(x, float):
        return {"float": x.hex()}
    if isinstance(x, bytes):
        return {"bytes": x.hex()}
    if isinstance(x, tuple):
        return {"tuple": [encode(v) for v in x]}
    if isinstance(x, list):
        return {"list": [encode(v) for v in x]}
    if isinstance(x, dict):
        return {"dict": [[encode(k), encode(v)] for k, v in x.items()]}
    raise TypeError(f"no JSON form for {x!r}")


def model_json(m):
    """The model with its values (not its structure) tagged."""
    out = dict(m)
    for field in ("values", "strings"):
        if field in m:
            out[field] = [encode(v) for v in m[field]]
    if "items" in m:
        out["items"] = [[k, encode(v)] for k, v in m["items"]]
    if "rows" in m:
        out["rows"] = [[encode(v) for v in r] for r in m["rows"]]
    return out


def main():
    c = cases()
    for name, (obj, m) in c.items():
        check(name, obj, m)
    objects = {name: obj for name, (obj, _) in c.items()}
    assert objects["categorical_shared_a"].pool is objects["categorical_shared_b"].pool \
        is objects["pool_shared"]
    assert objects["strdict_int64_tombstones"]._debug_info()["tombstones"] > 0
    assert objects["strdict_object_tombstones"]._debug_info()["tombstones"] > 0
    with open(os.path.join(HERE, "containers_v1.pickle"), "wb") as f:
        pickle.dump(objects, f, protocol=2)
    with open(os.path.join(HERE, "containers_v1_p5.pickle"), "wb") as f:
        pickle.dump(objects, f, protocol=5)
    with open(os.path.join(HERE, "containers_v1_expected.json"), "w") as f:
        json.dump({"written_by": f"compactcol {cc.__version__}, "
                                 f"Python {sys.version.split()[0]}, {sys.byteorder}-endian",
                   "objects": {name: model_json(m) for name, (_, m) in c.items()}},
                  f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    # the classes above must be pickled as make_frozen_containers.<name>, not __main__.<name>
    sys.path.insert(0, HERE)
    import make_frozen_containers
    make_frozen_containers.main()
