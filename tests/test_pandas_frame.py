"""Tables into pandas and Polars frames (issue 16): Table.to_pandas's dtype
rule (docs/interop.md: the dtypes ``pa.table(t).to_pandas()`` gives, dates and
times of day excepted), ``dtype_backend=``, to_pandas without pyarrow / pandas
/ NumPy, and what ``pd.DataFrame(t)``, ``pd.DataFrame.from_arrow(t)``,
``pl.DataFrame(t)`` and ``pl.from_arrow(t)`` make of a Table."""

import datetime as dt
import subprocess
import sys
import textwrap

import pytest

import compactcol as cc

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3

#: one column of each non-temporal kind, with and without nulls
SCHEMA = {"i8": "int", "i": "int64", "u": "uint32", "f": "float32", "b": "bool",
          "s": "str", "c": "category", "y": "bytes",
          "in": "int64?", "in0": "int8?", "fn": "float64?", "bn": "bool?", "sn": "str?",
          "cn": "category?", "yn": "bytes?"}
ROWS = [(1, 2**40, 7, 0.5, True, "ada", "u", b"\x00", 2**53 + 1, 1, 1.5, True, "x", "u", b"a"),
        (-3, -1, 0, -1.0, False, "grace", "v", b"", None, 2, None, None, None, None, None),
        (127, 5, 2**32 - 1, 2.0, True, "", "u", b"z", -4, 3, 0.25, False, "yz\u00e9", "v", b"")]
NUMERIC = ["i8", "i", "u", "f", "b", "in", "in0", "fn", "bn", "c", "cn"]


def make(rows=ROWS, schema=SCHEMA):
    return cc.Table(schema, rows)


def pa_to_pandas(t, **kw):
    return pytest.importorskip("pyarrow").table(t).to_pandas(**kw)


# ---- the dtype rule --------------------------------------------------------------

@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], []], ids=["nulls", "no-nulls", "empty"])
def test_to_pandas_is_what_pyarrow_gives(rows):
    """The rule: every non-temporal column as pa.table(t).to_pandas() has it
    (pandas' own defaults), values and dtypes."""
    t = make(rows)
    df = t.to_pandas()
    assert list(df.columns) == list(SCHEMA)
    pd.testing.assert_frame_equal(df, pa_to_pandas(t))


def test_to_pandas_dtypes_spelled_out():
    df = make().to_pandas()
    got = {k: str(v) for k, v in df.dtypes.items()}
    s = "str" if PANDAS_3 else "object"
    assert got == {"i8": "int8", "i": "int64", "u": "uint32", "f": "float32", "b": "bool",
                   "s": s, "c": "category", "y": "object",
                   "in": "float64", "in0": "int8", "fn": "float64", "bn": "object", "sn": s,
                   "cn": "category", "yn": "object"}
    assert df["bn"].tolist() == [True, None, False]
    assert df["in"].isna().tolist() == [False, True, False]
    assert df["in"][0] == float(2**53 + 1)      # float64: precision is pandas' default's
    assert df["sn"].isna().tolist() == [False, True, False]
    assert df["cn"].isna().tolist() == [False, True, False]
    assert df["cn"].cat.categories.tolist() == ["u", "v"]


def test_to_pandas_temporal_columns_unchanged():
    """Timestamps and durations NumPy's, dates and times of day ArrowDtype
    (docs/temporal.md), the one place the rule keeps more than pyarrow's
    default (object columns of datetime.date / time)."""
    pytest.importorskip("pyarrow")
    t = cc.Table({"ts": "datetime64[us]?", "tz": "datetime64[us, UTC]", "td": "timedelta64[us]",
                  "d": "date32?", "tm": "time64[us]"},
                 [(dt.datetime(2020, 1, 1), dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
                   dt.timedelta(1), dt.date(2020, 1, 2), dt.time(1)),
                  (None, dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc), dt.timedelta(0),
                   None, dt.time(2))])
    df = t.to_pandas()
    assert {k: str(v) for k, v in df.dtypes.items()} == {
        "ts": "datetime64[us]", "tz": "datetime64[us, UTC]", "td": "timedelta64[us]",
        "d": "date32[day][pyarrow]", "tm": "time64[us][pyarrow]"}
    ref = pa_to_pandas(t)
    pd.testing.assert_frame_equal(df[["ts", "tz", "td"]], ref[["ts", "tz", "td"]])


def test_table_without_columns_keeps_its_rows():
    pa = pytest.importorskip("pyarrow")
    t = cc.Table.from_arrow(pa.table({"x": [1, 2, 3]}).drop_columns(["x"]))
    assert len(t) == 3
    df = t.to_pandas()
    assert df.shape == (3, 0)
    pd.testing.assert_frame_equal(df, pa_to_pandas(t))


def test_to_pandas_is_a_snapshot():
    t = make()
    df = t.to_pandas()
    assert np.shares_memory(df["i"].to_numpy(), np.asarray(t["i"]))
    assert not df["i"].to_numpy().flags.writeable
    t[0] = ROWS[1]
    t["s"][1] = "changed"
    assert df["i"].tolist()[:2] == [2**40, -1] and df["s"].tolist()[1] == "grace"
    assert df["in"].isna().tolist() == [False, True, False]


# ---- dtype_backend ---------------------------------------------------------------

def test_numpy_nullable_backend_is_exact_and_round_trips():
    t = make()
    df = t.to_pandas(dtype_backend="numpy_nullable")
    got = {k: str(v) for k, v in df.dtypes.items()}
    assert got == {"i8": "Int8", "i": "Int64", "u": "UInt32", "f": "Float32", "b": "boolean",
                   "s": "string", "c": "category", "y": "object",
                   "in": "Int64", "in0": "Int8", "fn": "Float64", "bn": "boolean",
                   "sn": "string", "cn": "category", "yn": "object"}
    assert df["in"][0] == 2**53 + 1 and df["in"][1] is pd.NA
    same_table(cc.Table.from_pandas(df), t)


def same_table(back, t):
    """Same values and schema, but 'int' (adaptive) comes back as its width,
    and from_pandas makes a column nullable when it holds a null."""
    assert back.to_dicts() == t.to_dicts()
    assert back.schema == {**t.schema, "i8": "int8", "in0": "int8"}


def test_numpy_nullable_frame_is_writable():
    t = make()
    df = t.to_pandas(dtype_backend="numpy_nullable")
    df.loc[1, "in"] = 7
    df.loc[0, "b"] = False
    assert df["in"].tolist()[:2] == [2**53 + 1, 7] and df["b"][0] is np.False_
    assert t.to_dicts() == make().to_dicts()


@pytest.mark.xfail(strict=True, raises=ValueError, reason=(
    "pre-existing (not changed here): the shared NumPy columns are read-only views and "
    "pandas, which does not know they are shared, writes a cell in place "
    "('assignment destination is read-only'); whole-column operations (+=) work"))
def test_default_frame_cell_write():
    df = make().to_pandas()
    df.loc[0, "i"] = 5


def test_pyarrow_backend_is_arrow_dtype():
    t = make()
    df = t.to_pandas(dtype_backend="pyarrow")
    pd.testing.assert_frame_equal(df, pa_to_pandas(t, types_mapper=pd.ArrowDtype))
    same_table(cc.Table.from_pandas(df), t)


def test_bad_dtype_backend():
    with pytest.raises(ValueError, match="dtype_backend"):
        make().to_pandas(dtype_backend="arrow")


# ---- pd.DataFrame(t) and the other frame constructors ----------------------------

def test_pd_dataframe_constructor_names_the_columns():
    """pandas reads a Table as a list of its rows; the rows are namedtuple-like
    (a Sequence with _fields), so the columns get the field names and the
    values come through, with the dtypes pandas infers from them."""
    t = make()
    df = pd.DataFrame(t)
    assert list(df.columns) == list(SCHEMA)
    assert [tuple(r) for r in df[["i8", "i", "s", "c", "y"]].itertuples(index=False)] == \
        [(r[0], r[1], r[5], r[6], r[7]) for r in ROWS]
    assert pd.isna(df.loc[1, "in"]) and df.loc[2, "in"] == -4
    assert pd.Series(t).tolist() == list(t)       # a Series of the rows, as of any list
    assert list(pd.DataFrame(cc.Table(SCHEMA)).columns) == []   # no row to read names from


def test_pd_dataframe_constructor_dtypes_are_inferred_from_values():
    """What docs/interop.md says: dtypes from the boxed values, as for a list
    of namedtuples -- the wide numbers, str, bool agree with to_pandas; the
    narrow ints, float32 and categories do not."""
    df, exact = pd.DataFrame(make()), make().to_pandas()
    got = {k: str(v) for k, v in df.dtypes.items()}
    for name in ("i", "b", "s", "sn", "fn", "in"):
        assert got[name] == str(exact[name].dtype), name
    assert (got["i8"], got["f"], got["c"]) == ("int64", "float64", str(exact["s"].dtype))


@pytest.mark.xfail(strict=True, reason=(
    "pandas' DataFrame constructor (3.1) reads a Table as a list of rows and infers "
    "the dtypes from Python values; it reads neither __arrow_c_stream__ nor "
    "__dataframe__ there (docs/interop.md). Strict: when pandas honours the Arrow "
    "stream in its constructor, this passes and the docs must say so."))
def test_pd_dataframe_constructor_keeps_the_dtypes():
    t = make()
    pd.testing.assert_frame_equal(pd.DataFrame(t), t.to_pandas())


@pytest.mark.skipif(not hasattr(pd.DataFrame, "from_arrow"), reason="pandas >= 3")
@pytest.mark.parametrize("rows", [ROWS, []], ids=["rows", "empty"])
def test_pd_dataframe_from_arrow_is_to_pandas(rows):
    """pandas' own entry point for Arrow producers: the same frame as
    to_pandas (whose rule is pyarrow's conversion)."""
    pytest.importorskip("pyarrow")
    t = make(rows)
    pd.testing.assert_frame_equal(pd.DataFrame.from_arrow(t), t.to_pandas())


def test_polars_dataframe_and_from_arrow():
    pl = pytest.importorskip("polars")
    t = make()
    df = pl.DataFrame(t)
    assert df.columns == list(SCHEMA)
    assert df.rows() == [tuple(r) for r in ROWS]
    assert str(df.schema["c"]) == "Categorical" and str(df.schema["i8"]) == "Int8"
    s = pl.from_arrow(t)            # a stream that is not pyarrow's: a Series of structs
    assert isinstance(s, pl.Series) and isinstance(s.dtype, pl.Struct)
    assert s.struct.unnest().equals(df)


# ---- without pyarrow, pandas, NumPy ----------------------------------------------

def run_without(blocked, code, cwd):
    prelude = "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in blocked)
    # cwd: an empty folder, so that the checkout's source folder never shadows
    # the installed package
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


def cells(df):
    """The frame's values as Python objects, None for every missing marker."""
    return df.astype(object).where(df.notna(), None).values.tolist()


def test_to_pandas_without_pyarrow(tmp_path):
    expected = cells(make().to_pandas())
    r = run_without(["pyarrow"], f"""
        import datetime as dt
        import compactcol as cc, pandas as pd
        def cells(df):
            return df.astype(object).where(df.notna(), None).values.tolist()
        SCHEMA, ROWS = {SCHEMA!r}, {ROWS!r}
        t = cc.Table(SCHEMA, ROWS)
        df = t.to_pandas()
        s = "str" if int(pd.__version__.split(".")[0]) >= 3 else "object"
        assert {{k: str(v) for k, v in df.dtypes.items()}} == {{
            "i8": "int8", "i": "int64", "u": "uint32", "f": "float32", "b": "bool",
            "s": s, "c": "category", "y": "object", "in": "float64", "in0": "int8",
            "fn": "float64", "bn": "object", "sn": s, "cn": "category", "yn": "object"}}, df.dtypes
        assert df["sn"].isna().tolist() == [False, True, False]
        assert cells(df) == {expected!r}
        # (without pyarrow, from_pandas takes no bytes column)
        nn = t.to_pandas(dtype_backend="numpy_nullable").drop(columns=["y", "yn"])
        back = cc.Table.from_pandas(nn)
        assert back.to_dicts() == [{{k: v for k, v in r.items() if k not in ("y", "yn")}}
                                   for r in t.to_dicts()], back.to_dicts()
        naive = cc.Table({{"ts": "datetime64[us]?", "td": "timedelta64[ns]"}},
                         [(dt.datetime(2020, 1, 1), dt.timedelta(1)), (None, dt.timedelta(0))])
        assert {{k: str(v) for k, v in naive.to_pandas().dtypes.items()}} == \
            {{"ts": "datetime64[us]", "td": "timedelta64[ns]"}}
        for schema, row, col in [({{"d": "date32"}}, (dt.date(2020, 1, 1),), "'d' (date32)"),
                                 ({{"z": "datetime64[us, UTC]"}},
                                  (dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),),
                                  "'z' (datetime64[us, UTC])")]:
            try:
                cc.Table(schema, [row]).to_pandas()
            except ImportError as e:
                assert type(e) is ImportError, type(e)
                assert col in str(e) and "compactcol[arrow]" in str(e), e
            else:
                raise AssertionError("no ImportError")
        try:
            t.to_pandas(dtype_backend="pyarrow")
        except ImportError as e:
            assert type(e) is ImportError and "compactcol[arrow]" in str(e), e
        print("ok")
    """, tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


@pytest.mark.parametrize("blocked, named", [(["pandas"], "pip install pandas"),
                                            (["numpy", "pandas"], "NumPy")])
def test_to_pandas_without_pandas_or_numpy(tmp_path, blocked, named):
    r = run_without(blocked, f"""
        import compactcol as cc
        try:
            cc.Table({{"i": "int64"}}, [(1,)]).to_pandas()
        except ImportError as e:
            assert type(e) is ImportError, type(e)
            print(e)
    """, tmp_path)
    assert r.returncode == 0, r.stderr
    assert named in r.stdout
