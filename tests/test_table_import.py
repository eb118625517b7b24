"""Tables in from other tools: Table.from_arrow (pyarrow, Polars, DuckDB,
our own export), compactcol.from_arrow of a table-like source,
Table.from_pandas, and DuckDB querying a Table in place."""

import math

import pytest
from hypothesis import given, strategies as st

import compactcol as cc

pa = pytest.importorskip("pyarrow")

SCHEMA = {"id": "int64", "p": "float64?", "s": "str?", "c": "category", "b": "bool", "n": "int8?",
          "u": "uint32", "f": "float32"}
ROWS = [(1, None, "x", "u", True, 3, 7, 0.5), (2, 2.5, None, "v", False, None, 0, -1.0),
        (3, 1.0, "yz\u00e9", "u", True, -1, 2**32 - 1, 2.0)]


def make():
    return cc.Table(SCHEMA, ROWS)


def same_rows(t, rows):
    assert [tuple(r) for r in t] == [tuple(r) for r in rows]


# ---- from_arrow ---------------------------------------------------------------------

def test_from_arrow_of_pyarrow_table_keeps_types_nulls_and_values():
    at = pa.table(make())
    t = cc.Table.from_arrow(at)
    assert t.schema == SCHEMA
    assert t.to_dicts() == at.to_pylist()
    assert t == make()


def test_from_arrow_copies_so_the_source_may_go():
    at = pa.table({"a": [1, 2], "s": ["x", "y"]})
    t = cc.Table.from_arrow(at, copy=True)  # zero-copy: tests/test_zero_copy_import.py
    addr = at.column("a").chunk(0).buffers()[1].address
    import numpy as np
    assert np.asarray(t["a"]).__array_interface__["data"][0] != addr
    del at
    t.append((3, "z"))  # owns its memory: free to grow
    assert t.to_dicts()[-1] == {"a": 3, "s": "z"}


def test_compactcol_from_arrow_gives_a_table_for_table_like_sources():
    at = pa.table({"a": [1, None], "s": pa.array(["r", "b"]).dictionary_encode()})
    t = cc.from_arrow(at)
    assert isinstance(t, cc.Table)
    assert t.schema == {"a": "int64?", "s": "category"}
    assert cc.from_arrow(at.to_batches()[0]) == t  # a RecordBatch: __arrow_c_array__ of a struct


def test_from_arrow_of_record_batch_and_reader():
    at = pa.table({"a": [1, 2, 3]})
    assert cc.Table.from_arrow(at.to_batches()[0]).to_dicts() == at.to_pylist()
    reader = pa.RecordBatchReader.from_batches(at.schema, at.to_batches())
    assert cc.Table.from_arrow(reader).to_dicts() == at.to_pylist()


def test_from_arrow_of_many_chunks_concatenates_and_widens_nullability():
    b1 = pa.record_batch({"a": [1, 2], "s": ["x", "y"], "c": pa.array(["p", "q"]).dictionary_encode()})
    b2 = pa.record_batch({"a": [None, 4], "s": ["z", None],
                          "c": pa.array(["q", "r"]).dictionary_encode()},
                         schema=b1.schema)
    at = pa.Table.from_batches([b1, b2, b1.slice(0, 0)])
    t = cc.Table.from_arrow(at)
    assert t.schema == {"a": "int64?", "s": "str?", "c": "category"}
    assert t.to_dicts() == at.to_pylist()
    assert list(t["c"].categories) == ["p", "q", "r"]  # one pool for every chunk


def test_from_arrow_of_sliced_batches_reads_from_the_offset():
    at = pa.table({"a": list(range(100)), "s": [str(i) if i % 3 else None for i in range(100)],
                   "b": [i % 2 == 0 for i in range(100)]})
    for start, length in [(1, 10), (37, 50), (99, 1), (0, 0), (13, 0)]:
        part = at.slice(start, length).combine_chunks().to_batches()
        source = part[0] if part else at.slice(start, length)
        t = cc.Table.from_arrow(source)
        assert t.to_dicts() == at.slice(start, length).to_pylist()


def test_from_arrow_struct_child_offsets_add_to_the_parents():
    # a struct array whose children are themselves sliced, then the struct sliced
    a = pa.array(list(range(10)), pa.int16()).slice(2)
    s = pa.array([f"s{i}" for i in range(10)]).slice(2)
    struct = pa.StructArray.from_arrays([a, s], names=["a", "s"]).slice(3, 4)
    t = cc.from_arrow(struct)
    assert t.to_dicts() == struct.to_pylist()
    assert t.schema == {"a": "int16", "s": "str"}


def test_from_arrow_of_empty_sources_keeps_the_schema():
    schema = pa.schema([("a", pa.int8()), ("s", pa.string()),
                        ("c", pa.dictionary(pa.int32(), pa.string()))])
    t = cc.Table.from_arrow(pa.Table.from_batches([], schema=schema))
    assert len(t) == 0
    assert t.schema == {"a": "int8", "s": "str", "c": "category"}


def test_from_arrow_names_the_field_that_cannot_import():
    with pytest.raises(TypeError, match=r"field 1, 'l'"):
        cc.Table.from_arrow(pa.table({"a": [1], "l": [[1, 2]]}))
    with pytest.raises(TypeError, match="'t'"):
        cc.Table.from_arrow(pa.table({"t": pa.array([pa.MonthDayNano([1, 2, 3])])}))


def test_from_arrow_refuses_plain_arrays_and_non_producers():
    with pytest.raises(TypeError, match="plain array"):
        cc.Table.from_arrow(pa.array([1, 2]))
    with pytest.raises(TypeError, match="PyCapsule interface"):
        cc.Table.from_arrow([{"a": 1}])


def test_from_arrow_rt5_duplicate_names():
    at = pa.table([pa.array([1]), pa.array([2])], names=["a", "a"])
    with pytest.raises(ValueError, match="duplicate column name 'a'"):
        cc.Table.from_arrow(at)


def test_from_arrow_refuses_a_struct_with_null_rows():
    struct = pa.array([{"a": 1}, None], pa.struct([("a", pa.int64())]))
    with pytest.raises(ValueError, match="null rows"):
        cc.from_arrow(struct)


def test_from_arrow_string_views_and_large_strings():
    at = pa.table({"v": pa.array(["short", "a string longer than twelve", None], pa.string_view()),
                   "L": pa.array(["x", "y", "z"], pa.large_string())})
    t = cc.Table.from_arrow(at)
    assert t.schema == {"v": "str?", "L": "str"}
    assert t.to_dicts() == at.to_pylist()


def test_polars_dataframe_round_trip():
    pl = pytest.importorskip("polars")
    df = pl.DataFrame(make())
    t = cc.Table.from_arrow(df)
    assert t.to_dicts() == make().to_dicts()
    assert pl.DataFrame(t).equals(df)


def test_duckdb_queries_a_table_in_place_and_results_come_back():
    duckdb = pytest.importorskip("duckdb")
    trades = make()
    con = duckdb.connect()
    got = con.sql("select c, count(*) as k, sum(id) as total from trades group by c order by c")
    assert got.fetchall() == [("u", 2, 4), ("v", 1, 2)]
    back = cc.Table.from_arrow(con.sql("select id, s, p from trades where b order by id"))
    assert back.to_dicts() == [{"id": 1, "s": "x", "p": None}, {"id": 3, "s": "yz\u00e9", "p": 1.0}]
    del got, back
    trades.append(ROWS[0])  # DuckDB released the stream: the table may grow again
    assert len(trades) == 4
    assert con.sql("select count(*) from trades").fetchall() == [(4,)]


def test_duckdb_null_and_type_round_trip():
    duckdb = pytest.importorskip("duckdb")
    t = cc.Table.from_arrow(duckdb.sql(
        "select i::TINYINT as a, i::UBIGINT as b, i::DOUBLE / 2 as c, (i % 2 = 0) as d, "
        "case when i % 3 = 0 then null else 'v' || i end as e from range(10) t(i)"))
    assert t.schema == {"a": "int8", "b": "uint64", "c": "float64", "d": "bool", "e": "str?"}
    assert t.to_dicts()[3] == {"a": 3, "b": 3, "c": 1.5, "d": False, "e": None}


cells = st.tuples(st.integers(-2**63, 2**63 - 1) | st.none(),
                  st.floats(allow_nan=False) | st.none(),
                  st.text() | st.none(),
                  st.sampled_from(["r", "g", "b"]),
                  st.booleans())


@given(st.lists(cells, max_size=40), st.integers(0, 5))
def test_arrow_round_trip_against_pyarrow(rows, chunk):
    schema = {"i": "int64?", "f": "float64?", "s": "str?", "c": "category", "b": "bool"}
    t = cc.Table(schema, rows)
    at = pa.table(t)
    if chunk and rows:  # re-chunk the data
        at = pa.Table.from_batches(at.to_batches(max_chunksize=chunk))
    back = cc.Table.from_arrow(at)
    assert back.to_dicts() == t.to_dicts()
    assert back.to_dicts() == at.to_pylist()


# ---- from_pandas ----------------------------------------------------------------------

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")


def test_from_pandas_every_kind_of_column():
    df = pd.DataFrame({
        "i": np.array([1, 2, 3], dtype=np.int32),
        "u": np.array([1, 2, 3], dtype=np.uint8),
        "f": [1.5, float("nan"), 3.0],
        "b": [True, False, True],
        "s": ["x", None, "z\u00e9"],
        "o": pd.Series(["a", "b", "c"], dtype=object),
        "c": pd.Categorical(["u", "v", None]),
        "m": pd.array([1, None, 3], dtype="Int64"),
        "mb": pd.array([True, None, False], dtype="boolean"),
        "a": pd.Series([1.0, None, 2.0], dtype=pd.ArrowDtype(pa.float64())),
    })
    t = cc.Table.from_pandas(df)
    assert t.schema == {"i": "int32", "u": "uint8", "f": "float64", "b": "bool", "s": "str?",
                        "o": "str", "c": "category?", "m": "int64?", "mb": "bool?",
                        "a": "float64?"}
    rows = t.to_dicts()
    assert math.isnan(rows[1]["f"])  # NaN stays a float NaN in a float64 column
    rows[1]["f"] = None
    assert rows == [
        {"i": 1, "u": 1, "f": 1.5, "b": True, "s": "x", "o": "a", "c": "u", "m": 1, "mb": True, "a": 1.0},
        {"i": 2, "u": 2, "f": None, "b": False, "s": None, "o": "b", "c": "v", "m": None, "mb": None,
         "a": None},
        {"i": 3, "u": 3, "f": 3.0, "b": True, "s": "z\u00e9", "o": "c", "c": None, "m": 3, "mb": False,
         "a": 2.0},
    ]


@pytest.mark.parametrize("dtype_backend", ["numpy_nullable", "pyarrow"])
def test_from_pandas_to_pandas_round_trip(dtype_backend):
    # exact with pandas' nullable dtypes; the default dtypes (pandas' own,
    # docs/interop.md) make numbers with nulls float64 with NaN
    t = make()
    back = cc.Table.from_pandas(t.to_pandas(dtype_backend=dtype_backend))
    assert back == t
    assert back.schema == SCHEMA


def test_from_pandas_copies_and_ignores_the_index():
    df = pd.DataFrame({"a": np.arange(5, dtype=np.int64)}, index=list("vwxyz"))
    t = cc.Table.from_pandas(df)
    assert t.columns == ["a"]
    df.iloc[0, 0] = 99
    assert t[0].a == 0


def test_from_pandas_column_of_a_2d_block_is_strided():
    df = pd.DataFrame(np.arange(12, dtype=np.float32).reshape(4, 3), columns=["x", "y", "z"])
    t = cc.Table.from_pandas(df)
    assert t["y"].tolist() == [1.0, 4.0, 7.0, 10.0]


def test_from_pandas_refuses_what_has_no_column_type():
    bad = {
        "mixed objects": (pd.DataFrame({"o": ["a", 1]}), TypeError, "column 'o'"),
        "complex": (pd.DataFrame({"c": np.array([1j])}), TypeError, "column 'c'"),
        "float16": (pd.DataFrame({"h": np.array([1], dtype=np.float16)}), TypeError, "float16"),
        "int categories": (pd.DataFrame({"k": pd.Categorical([1, 2])}), TypeError, "str categories"),
        "RT5 non-str name": (pd.DataFrame({1: [1]}), TypeError, "names must be str"),
        "RT5 duplicate": (pd.DataFrame([[1, 2]], columns=["a", "a"]), ValueError, "duplicate"),
    }
    for why, (df, exc, text) in bad.items():
        with pytest.raises(exc, match=text):
            cc.Table.from_pandas(df)


def test_from_pandas_category_codes_are_checked_and_kept():
    cat = pd.Categorical.from_codes([2, 0, -1, 1], categories=["a", "b", "c"])
    t = cc.Table.from_pandas(pd.DataFrame({"c": cat}))
    assert t["c"].tolist() == ["c", "a", None, "b"]
    assert list(t["c"].categories) == ["a", "b", "c"]


def test_from_pandas_without_pyarrow_goes_through_lists(tmp_path):
    """pandas without pyarrow (a subprocess where `import pyarrow` fails):
    str/object and nullable-number columns still convert, through lists."""
    import subprocess
    import sys
    import textwrap
    code = textwrap.dedent("""
        import sys
        sys.modules['pyarrow'] = None
        import numpy as np, pandas as pd, compactcol as cc
        df = pd.DataFrame({"s": pd.Series(["x", None, "z"], dtype=object),
                           "m": pd.array([1, None, 3], dtype="Int64"),
                           "f": np.array([0.5, 1.5, 2.5])})
        t = cc.Table.from_pandas(df)
        assert t.schema == {"s": "str?", "m": "int64?", "f": "float64"}, t.schema
        assert t.to_dicts()[1] == {"s": None, "m": None, "f": 1.5}, t.to_dicts()
        try:
            cc.Table.from_pandas(pd.DataFrame({"o": pd.Series(["a", 1], dtype=object)}))
        except TypeError as e:
            assert "column 'o'" in str(e), e
        else:
            raise AssertionError("mixed objects accepted")
        print("ok")
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


# ---- round trips through Polars and DuckDB for every column type and null pattern ---------

# the number dtypes (the temporal ones: tests/test_temporal.py)
NUMBER_DTYPES = [d for d in cc.DTYPES if d[-1].isdigit() and d != "date32" or d == "bool"]
COLUMN_CASES = [(d, False) for d in NUMBER_DTYPES] + [(d, True) for d in NUMBER_DTYPES] + [
    ("str", False), ("str", True), ("category", False), ("category", True)]


def column_values(spec, nullable):
    base = {"bool": [True, False, True, True], "str": ["a", "", "\u00e9\U0001F600", "a"],
            "category": ["r", "g", "r", "b"]}.get(spec)
    if base is None:
        base = [0.5, -1.0, 2.0, 3.25] if spec.startswith("float") else [0, 1, 100, 7]
        if spec.startswith("int") and spec != "int8":
            base[1] = -2**(int(spec[3:]) - 1)  # the type's minimum survives
        if spec.startswith("uint"):
            base[2] = 2**int(spec[4:]) - 1     # and the unsigned maximum
    return [None if nullable and i % 2 else v for i, v in enumerate(base)]


@pytest.mark.parametrize("spec,nullable", COLUMN_CASES, ids=lambda v: str(v))
def test_round_trip_through_polars_and_duckdb(spec, nullable):
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    values = column_values(spec, nullable)
    t = cc.Table({"x": spec + ("?" if nullable else "")}, [(v,) for v in values])
    through_polars = cc.Table.from_arrow(pl.DataFrame(t))
    assert through_polars["x"].tolist() == values
    assert through_polars.schema["x"].rstrip("?") == spec
    through_duckdb = cc.Table.from_arrow(duckdb.sql("select * from t"))
    assert through_duckdb["x"].tolist() == values
    # DuckDB reads a dictionary column as VARCHAR and hands back plain strings
    assert through_duckdb.schema["x"].rstrip("?") == ("str" if spec == "category" else spec)
    t.append((values[0],))  # both released their exports


def test_nanoarrow_both_ways():
    """nanoarrow, the Arrow project's minimal C implementation, as a producer
    and a consumer (no pyarrow involved on its side)."""
    na = pytest.importorskip("nanoarrow")
    assert cc.from_arrow(na.c_array([1, 2, 3], na.int64())).tolist() == [1, 2, 3]
    assert cc.from_arrow(na.c_array(["a", None], na.string())).tolist() == ["a", None]
    t = cc.Table({"a": "int64", "s": "str?", "c": "category"}, [(1, "x", "r"), (2, None, "g")])
    assert na.Array(t).to_pylist() == t.to_dicts()
    back = cc.Table.from_arrow(na.ArrayStream(t))
    assert back == t
    assert na.Array(cc.Array("int", [1, 300]), na.int64()).to_pylist() == [1, 300]  # a cast
    t.append((3, "z", "r"))
