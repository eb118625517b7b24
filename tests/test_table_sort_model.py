"""Table.sort(by=...) against a Python model: sorted() with a comparator
that spells out the documented order -- per key, values ascending
(descending with reverse), then NaNs, then nulls, in either direction;
-0.0 == 0.0; strings and categories by code point (UTF-8 bytes); rows equal
on every key keep their order (list.sort's stability, also with reverse).
A unique `rid` column that is never a key makes the stability visible, and
floats are compared bit for bit (the signs of zeros and NaN payloads
survive the permutation)."""

import functools
import math
import struct

from hypothesis import given, settings, strategies as st

import compactcol as cc

SCHEMA = {"rid": "int64", "i": "int64", "b": "int8", "u": "uint64", "f": "float64?",
          "g": "float32", "ok": "bool", "s": "str?", "c": "category?", "n": "int32?"}
KEYS = [k for k in SCHEMA if k != "rid"]

floats = st.sampled_from([0.0, -0.0, 1.5, -1.5, math.inf, -math.inf, math.nan, 2.0, 1e300]) | \
    st.floats(width=64)
float32s = st.sampled_from([0.0, -0.0, 1.5, math.nan, -math.inf]) | st.floats(width=32)
texts = st.sampled_from(["", "a", "ab", "b", "é", "z", "\U0001f600", "A"]) | st.text(max_size=4)


def row_strategy(small):
    ints = st.integers(-3, 3) if small else st.integers(-2**63, 2**63 - 1)
    return st.fixed_dictionaries({
        "i": ints, "b": st.integers(-128, 127) if not small else st.integers(-2, 2),
        "u": st.integers(0, 2**64 - 1) if not small else st.sampled_from([0, 1, 2**64 - 1]),
        "f": st.none() | floats, "g": float32s, "ok": st.booleans(), "s": st.none() | texts,
        "c": st.none() | st.sampled_from(["red", "green", "blue", "é", "", "Z"]),
        "n": st.none() | st.integers(-2**31, 2**31 - 1),
    })


def compare_values(x, y, is_str):
    """-1/0/1, None for 'after everything' handled by the caller."""
    if is_str:
        x, y = x.encode(), y.encode()
    return (x > y) - (x < y)


def model_sorted(rows, keys, reverse):
    def cmp(a, b):
        for k in keys:
            x, y = a[k], b[k]
            if x is None or y is None:  # nulls last, either direction
                c = (x is None) - (y is None)
                if c:
                    return c
                continue
            nx = isinstance(x, float) and math.isnan(x)
            ny = isinstance(y, float) and math.isnan(y)
            if nx or ny:  # then NaNs, after every number
                c = nx - ny
                if c:
                    return c
                continue
            c = compare_values(x, y, SCHEMA[k].rstrip("?") in ("str", "category"))
            if c:
                return -c if reverse else c
        return 0
    return sorted(rows, key=functools.cmp_to_key(cmp))


def same_value(x, y):
    if isinstance(x, float) and isinstance(y, float):
        return struct.pack("<d", x) == struct.pack("<d", y)
    return x == y and type(x) is type(y)


def table_of(rows):
    t = cc.Table(SCHEMA)
    t.extend(rows)
    return t


@st.composite
def cases(draw):
    small = draw(st.booleans())
    rows = draw(st.lists(row_strategy(small), max_size=40))
    rows = [{"rid": k, **r} for k, r in enumerate(rows)]
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3))
    return rows, keys, draw(st.booleans()), draw(st.booleans())


@settings(max_examples=400, deadline=None)
@given(cases())
def test_sort_by_matches_the_model(case):
    rows, keys, reverse, as_name = case
    t = table_of(rows)
    expected = model_sorted(t.to_dicts(), keys, reverse)  # values as stored (float32 rounded)
    t.sort(by=keys[0] if as_name and len(keys) == 1 else keys, reverse=reverse)
    got = t.to_dicts()
    assert [r["rid"] for r in got] == [r["rid"] for r in expected]
    for g, e in zip(got, expected):
        assert all(same_value(g[k], e[k]) for k in SCHEMA), (g, e)


@settings(max_examples=100, deadline=None)
@given(st.lists(row_strategy(True), max_size=30), st.booleans())
def test_sort_by_every_column_is_by_none(rows, reverse):
    rows = [{"rid": 0, **r} for r in rows]  # rid equal: the other fields decide
    a, b = table_of(rows), table_of(rows)
    a.sort(reverse=reverse)
    b.sort(by=list(SCHEMA), reverse=reverse)
    assert [r["rid"] for r in a.to_dicts()] == [r["rid"] for r in b.to_dicts()]
    assert repr(a.to_dicts()) == repr(model_sorted(table_of(rows).to_dicts(), list(SCHEMA), reverse))


@settings(max_examples=300, deadline=None)
@given(st.lists(row_strategy(False), max_size=40), st.sampled_from(KEYS), st.booleans(), st.data())
def test_one_column_table_sorted_by_itself(rows, key, reverse, data):
    """A one-column table goes straight to the column's own sort."""
    t = cc.Table({key: SCHEMA[key]}, [(r[key],) for r in rows])
    expected = model_sorted(t.to_dicts(), [key], reverse)
    t.sort(by=data.draw(st.sampled_from([key, [key], [key, key], None])), reverse=reverse)
    got = t.to_dicts()
    assert len(got) == len(expected)
    assert all(same_value(g[key], e[key]) for g, e in zip(got, expected)), (got, expected)


def test_sort_keeps_nan_payloads_and_zero_signs():
    nan2 = struct.unpack("<d", struct.pack("<Q", 0xFFF8000000000123))[0]
    t = cc.Table({"f": "float64", "k": "int8"},
                 [(0.0, 1), (nan2, 0), (-0.0, 0), (math.nan, 1), (1.0, 0), (-0.0, 1)])
    t.sort(by="f")
    got = [struct.pack("<d", r.f) for r in t]
    want = [struct.pack("<d", v) for v in (0.0, -0.0, -0.0, 1.0, nan2, math.nan)]
    assert got == want
    t.sort(by=["k", "f"], reverse=True)
    assert [r.k for r in t] == [1, 1, 1, 0, 0, 0]


def test_sort_by_empty_list_and_tiny_tables():
    t = cc.Table({"x": "int64"}, [(3,), (1,), (2,)])
    t.sort(by=[])
    assert [r.x for r in t] == [3, 1, 2]
    for rows in ([], [(5,)]):
        t = cc.Table({"x": "int64"}, rows)
        t.sort(by="x", reverse=True)
        assert [r.x for r in t] == [r[0] for r in rows]
