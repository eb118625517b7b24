"""Table through Arrow: __arrow_c_stream__ (zero-copy, locked while alive),
pyarrow / Polars / pandas hand-off."""

import gc

import pytest

import compactcol as cc

pa = pytest.importorskip("pyarrow")

SCHEMA = {"id": "int64", "p": "float64?", "s": "str?", "c": "category", "b": "bool", "n": "int8?"}
ROWS = [(1, None, "x", "u", True, 3), (2, 2.5, None, "v", False, None), (3, 1.0, "yz", "u", True, -1)]


def make():
    return cc.Table(SCHEMA, ROWS)


def test_pyarrow_table_round_trip_types_and_values():
    t = make()
    at = pa.table(t)
    assert at.column_names == list(SCHEMA)
    assert at.schema.field("c").type == pa.dictionary(pa.int8(), pa.string())
    assert at.schema.field("id").nullable is False
    assert at.schema.field("p").nullable is True
    assert at.to_pylist() == t.to_dicts()


def test_stream_shares_buffers_and_is_a_snapshot():
    t = make()
    at = t.to_arrow()
    before = at.to_pylist()
    addr = at.column("id").chunk(0).buffers()[1].address
    import numpy as np

    assert addr == np.asarray(t["id"]).__array_interface__["data"][0]
    t.append(ROWS[0])
    t[0].p = 9.0  # a value change copies the column first
    assert len(t) == 4 and t["p"][0] == 9.0
    assert at.to_pylist() == before
    at.validate(full=True)


def test_unconsumed_stream_capsule_releases_everything():
    t = make()
    for _ in range(50):
        capsule = t.__arrow_c_stream__()
        del capsule
    t.append(ROWS[0])  # nothing stayed exported
    assert t._debug_info()["length"] == 4


def test_stream_capsule_consumed_twice_fails_cleanly():
    t = make()
    capsule = t.__arrow_c_stream__()
    reader = pa.RecordBatchReader._import_from_c_capsule(capsule)
    with pytest.raises(Exception):
        pa.RecordBatchReader._import_from_c_capsule(capsule)
    assert reader.read_all().num_rows == 3
    del reader
    t.append(ROWS[0])


def test_requested_schema_is_refused():
    """AR7: an incompatible requested_schema raises (compatible ones:
    tests/test_arrow_requested.py)."""
    t = make()
    with pytest.raises(ValueError, match="a struct of 6 fields"):
        t.__arrow_c_stream__(pa.schema([("id", pa.int32())]).__arrow_c_schema__())


def test_schema_capsule():
    t = make()
    schema = pa.schema(t)
    assert schema.names == list(SCHEMA)


def test_empty_table_streams_zero_rows():
    t = cc.Table(SCHEMA)
    assert pa.table(t).num_rows == 0


def test_polars_dataframe_reads_the_stream():
    pl = pytest.importorskip("polars")
    t = make()
    df = pl.DataFrame(t)
    assert df.columns == list(SCHEMA)
    assert df.to_dicts() == t.to_dicts()


def pa_table_to_pandas(t):
    return pytest.importorskip("pyarrow").table(t).to_pandas()


def test_to_pandas_types_and_shared_memory():
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    t = make()
    df = t.to_pandas()
    assert list(df.columns) == list(SCHEMA)
    assert isinstance(df["c"].dtype, pd.CategoricalDtype)
    # pandas' default string dtype, as pa.table(t).to_pandas() gives it
    # (`str` from pandas 3; docs/interop.md's dtype rule)
    assert df["s"].dtype == pa_table_to_pandas(t)["s"].dtype
    assert np.shares_memory(df["id"].to_numpy(), np.asarray(t["id"]))
    assert df["s"].tolist()[0] == "x" and pd.isna(df["s"].tolist()[1])
    assert df["c"].tolist() == ["u", "v", "u"]


def test_arrow_exports_alive_at_interpreter_exit(tmp_path):
    """Consumers still holding our exports when the interpreter shuts down:
    the release callbacks run during finalization and must neither hang nor
    crash (they leave their objects to the exiting process)."""
    import subprocess
    import sys
    code = (
        "import compactcol as cc, pyarrow as pa\n"
        "t = cc.Table({'x': 'int64', 's': 'str?', 'c': 'category'}, [(1, 'a', 'u'), (2, None, 'v')])\n"
        "KEEP = [pa.array(cc.Array('int64', [1, 2])), pa.array(cc.StringArray(['a'])),\n"
        "        pa.array(cc.CategoricalArray(['a', 'b'])), pa.table(t),\n"
        "        pa.RecordBatchReader.from_stream(t)]\n"
        "KEEP.append(KEEP)  # a cycle: freed by the last collection at exit\n"
        "print('ok')\n")
    # cwd: an empty folder, since `python -c` puts the cwd first on sys.path
    # (from the checkout's root that would be the source folder, not the package)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "ok\n"
