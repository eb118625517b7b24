"""compact=True on imports (issue 14): Table.from_arrow, Table.from_pandas
and compactcol.from_arrow give integer columns as adaptive 'int' and str
columns as 'category' by from_records' rule, with the same values.  A
hypothesis model (the rule written out in Python) decides every column."""

import pytest
from hypothesis import given, settings, strategies as st

import compactcol as cc
from compactcol import _compact

pa = pytest.importorskip("pyarrow")

INT_TYPES = {"int8": pa.int8(), "int16": pa.int16(), "int32": pa.int32(), "int64": pa.int64(),
             "uint8": pa.uint8(), "uint16": pa.uint16(), "uint32": pa.uint32(),
             "uint64": pa.uint64()}
ADAPTIVE_WIDTHS = ("int8", "int16", "int32", "int64")


def narrowest(values):
    """The model of an adaptive column's width: the narrowest signed type."""
    present = [v for v in values if v is not None]
    for name in ADAPTIVE_WIDTHS:
        bits = int(name[3:])
        if all(-(1 << (bits - 1)) <= v < (1 << (bits - 1)) for v in present):
            return name
    return None  # only uint64 holds it


def expected_spec(arrow_type, values):
    """The model: the spec compact=True gives an imported column."""
    nullable = "?" if None in values else ""
    present = [v for v in values if v is not None]
    if pa.types.is_integer(arrow_type):
        return ("int" if narrowest(values) else str(arrow_type)) + nullable
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        distinct = len(set(present))
        if present and distinct <= _compact.CATEGORY_MAX_DISTINCT and 2 * distinct <= len(present):
            return "category" + nullable
        return "str" + nullable
    return {"double": "float64", "bool": "bool"}[str(arrow_type)] + nullable


@st.composite
def arrow_columns(draw):
    kind = draw(st.sampled_from(["int", "str", "float", "bool"]))
    n = draw(st.integers(0, 40))
    if kind == "int":
        name = draw(st.sampled_from(sorted(INT_TYPES)))
        t = INT_TYPES[name]
        bits, signed = t.bit_width, name.startswith("int")
        lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        # mostly small values, so narrowing is seen; sometimes the extremes
        value = st.one_of(st.integers(-3, 3).filter(lambda v: lo <= v <= hi), st.integers(lo, hi))
    elif kind == "str":
        t = draw(st.sampled_from([pa.string(), pa.large_string()]))
        alphabet = draw(st.sampled_from([["a", "b", "c"], ["x%d" % i for i in range(300)]]))
        value = st.sampled_from(alphabet) | st.text(max_size=3)
    elif kind == "float":
        t, value = pa.float64(), st.floats(allow_nan=False)
    else:
        t, value = pa.bool_(), st.booleans()
    values = draw(st.lists(st.one_of(value, st.none()) if draw(st.booleans()) else value,
                           min_size=n, max_size=n))
    return pa.array(values, type=t)


@given(st.lists(arrow_columns(), min_size=1, max_size=4).filter(
    lambda cols: len({len(c) for c in cols}) == 1))
@settings(max_examples=150)
def test_compact_from_arrow_matches_the_model(columns):
    source = pa.table({f"c{i}": c for i, c in enumerate(columns)})
    t = cc.Table.from_arrow(source, compact=True)
    assert t.schema == {f"c{i}": expected_spec(c.type, c.to_pylist())
                        for i, c in enumerate(columns)}
    assert t.to_dicts() == source.to_pylist()
    for i, c in enumerate(columns):
        col = t[f"c{i}"]
        if t.schema[f"c{i}"].startswith("int"):
            assert col.adaptive and col.dtype == narrowest(c.to_pylist())


def test_compact_default_is_off_and_keeps_the_source_types():
    source = pa.table({"i": pa.array([1, 2, 3, 4], pa.int64()), "s": ["a", "a", "a", "b"]})
    assert cc.Table.from_arrow(source).schema == {"i": "int64", "s": "str"}
    assert cc.Table.from_arrow(source, compact=True).schema == {"i": "int", "s": "category"}


def test_compacted_int_columns_widen_on_later_writes():
    t = cc.Table.from_arrow(pa.table({"i": pa.array([1, 2], pa.int64())}), compact=True)
    assert t["i"].dtype == "int8"
    t.append({"i": 2**40})
    assert t["i"].dtype == "int64" and t["i"].tolist() == [1, 2, 2**40]


def test_uint64_beyond_int64_stays_uint64():
    source = pa.table({"u": pa.array([1, 2**64 - 1], pa.uint64()),
                       "v": pa.array([1, 2**63 - 1], pa.uint64())})
    t = cc.Table.from_arrow(source, compact=True)
    assert t.schema == {"u": "uint64", "v": "int"}
    assert t["v"].dtype == "int64" and t.to_dicts() == source.to_pylist()


def test_category_rule_sees_the_whole_column_not_a_sample(monkeypatch):
    # a step of 4 strings: the 256th distinct value arrives in a later step
    monkeypatch.setattr(_compact, "_CATEGORY_STEP", 4)
    many = [f"v{i}" for i in range(255)] * 2
    assert cc.Table.from_arrow(pa.table({"s": many}), compact=True).schema == {"s": "category"}
    assert cc.Table.from_arrow(pa.table({"s": many + ["new"]}),
                               compact=True).schema == {"s": "str"}


def test_category_rule_counts_non_null_values_and_keeps_nulls():
    # 2 distinct among 3 present values: more than half, so str
    assert cc.from_arrow(pa.array(["x", None, "x", "y", None]), compact=True).tolist() == \
        ["x", None, "x", "y", None]
    c = cc.from_arrow(pa.array(["x", None, "x", "x", None]), compact=True)
    assert isinstance(c, cc.CategoricalArray) and c.nullable
    assert c.tolist() == ["x", None, "x", "x", None]
    # all null: nothing to encode
    s = cc.from_arrow(pa.array([None, None], pa.string()), compact=True)
    assert isinstance(s, cc.StringArray) and s.tolist() == [None, None]


def test_large_strings_that_stay_str_get_32_bit_offsets():
    source = pa.array([f"unique{i}" for i in range(10)], pa.large_string())
    plain = cc.from_arrow(source)
    assert plain.large
    compacted = cc.from_arrow(source, compact=True)
    assert not compacted.large and compacted.tolist() == source.to_pylist()
    assert compacted.nbytes < plain.nbytes


def test_compact_single_arrays_and_what_it_keeps():
    a = cc.from_arrow(pa.array([1, None, 300], pa.int64()), compact=True)
    assert a.adaptive and a.dtype == "int16" and a.tolist() == [1, None, 300]
    for source in (pa.array([1.5, 2.5]), pa.array([True, None]),
                   pa.array(["r", "g", "r"]).dictionary_encode()):
        assert cc.from_arrow(source, compact=True).tolist() == source.to_pylist()


def test_compact_from_pandas():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"i": [1, 2, 3, 4], "s": ["a", "b", "a", "a"],
                       "c": pd.Categorical(["r", "g", "r", "r"]), "f": [0.5, 1.5, 2.5, 3.5],
                       "n": pd.array([1, None, 3, 4], dtype="Int64"),
                       "u": ["p", "q", "r", None]})
    t = cc.Table.from_pandas(df, compact=True)
    assert t.schema == {"i": "int", "s": "category", "c": "category", "f": "float64",
                        "n": "int?", "u": "str?"}
    assert t["i"].dtype == "int8"
    assert t.to_dicts() == cc.Table.from_pandas(df).to_dicts()
    assert cc.Table.from_pandas(df).schema["i"] == "int64"


def test_compact_stream_of_several_batches():
    batches = [pa.record_batch({"i": pa.array([k, k + 1], pa.int64()), "s": ["a", "a"]})
               for k in (0, 1000)]
    reader = pa.RecordBatchReader.from_batches(batches[0].schema, batches)
    t = cc.Table.from_arrow(reader, compact=True)
    assert t.schema == {"i": "int", "s": "category"}
    assert t["i"].dtype == "int16" and t["i"].tolist() == [0, 1, 1000, 1001]
