"""Files (issue 13): save / open of Arrow IPC files (Feather v2).

Round trips of every container through our own files, our files read by
pyarrow and Polars, their files (uncompressed and lz4 / zstd) read by us,
the file never changing under a container opened from it, and the errors.
pyarrow and Polars are test requirements: these tests are not skipped."""

import json
import math
import os
import subprocess
import sys

import polars as pl
import pyarrow as pa
import pyarrow.feather as feather
import pytest
from hypothesis import given, settings, strategies as st

import compactcol as cc
from compactcol import _files

SCHEMA = {"id": "int64", "qty": "int32", "price": "float64", "flag": "bool", "name": "str",
          "sym": "category", "note": "str?", "n": "int8?", "f": "float32?", "c": "category?",
          "u": "uint64"}
ROWS = [
    (1, 10, 1.5, True, "ada", "AAPL", None, 3, 0.5, None, 0),
    (2, -20, -2.25, False, "", "MSFT", "big", None, None, "x", 2**64 - 1),
    (3, 30, 0.0, True, "gr\u00e2ce \U0001f600", "AAPL", "", -128, -1.0, "y", 7),
]


def make():
    return cc.Table(SCHEMA, ROWS)


def reopen(obj, path):
    obj.save(path)
    return cc.open(path)


# ---- our own round trips ------------------------------------------------------------------

def test_table_round_trips_schema_and_rows(tmp_path):
    t = make()
    u = reopen(t, tmp_path / "t.arrow")
    assert isinstance(u, cc.Table)
    assert u.schema == SCHEMA
    assert u == t
    assert u.to_dicts() == t.to_dicts()


def test_table_open_is_the_same_as_compactcol_open(tmp_path):
    p = tmp_path / "t.arrow"
    make().save(p)
    assert cc.Table.open(p) == cc.open(p)
    assert type(cc.Table.open(p)) is cc.Table


def test_nullable_columns_without_nulls_stay_nullable(tmp_path):
    # Arrow would say "no nulls, not nullable"; the metadata keeps the spec
    schema = {"a": "int64?", "s": "str?", "c": "category?", "f": "float64?", "b": "bool?"}
    t = cc.Table(schema, [(1, "x", "r", 1.0, True), (2, "y", "r", 2.0, False)])
    u = reopen(t, tmp_path / "t.arrow")
    assert u.schema == schema
    u.append((None, None, None, None, None))  # the columns really are nullable
    assert u[-1].as_dict() == dict.fromkeys(schema)


def test_widths_round_trip_exactly(tmp_path):
    schema = {f"c_{d}": d for d in cc.DTYPES if d != "int"}
    row = tuple(True if d == "bool" else 1 for d in schema.values())
    t = cc.Table(schema, [row, row])
    u = reopen(t, tmp_path / "t.arrow")
    assert u.schema == schema
    assert u == t


def test_a_record_class_table_comes_back_with_its_fields(tmp_path):
    class Trade(cc.Record):
        id: int
        symbol: cc.Category
        price: float
        note: str | None = None

    t = cc.Table(Trade, [(1, "AAPL", 1.5), (2, "MSFT", 2.0, "big")])
    u = reopen(t, tmp_path / "t.arrow")
    assert u.schema == t.schema
    assert [r.as_dict() for r in u] == [r.as_dict() for r in t]
    assert u[1].note == "big" and u[0].symbol == "AAPL"


def test_empty_tables_round_trip(tmp_path):
    t = cc.Table(SCHEMA)
    u = reopen(t, tmp_path / "empty.arrow")
    assert u.schema == SCHEMA and len(u) == 0
    no_columns = cc.Table._from_columns([], [], 5)  # rows without columns
    v = reopen(no_columns, tmp_path / "nocols.arrow")
    assert len(v) == 5 and v.columns == []


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                   "uint64", "float32", "float64", "bool"])
@pytest.mark.parametrize("nullable", [False, True])
def test_array_round_trips_dtype_and_nullable(tmp_path, dtype, nullable):
    values = [True, False, True] if dtype == "bool" else [0, 1, 100]
    if nullable:
        values.append(None)
    a = cc.Array(dtype, values, nullable=nullable)
    b = reopen(a, tmp_path / "a.arrow")
    assert type(b) is cc.Array
    assert (b.dtype, b.nullable, b.adaptive) == (dtype, nullable, False)
    assert b == a and b.tolist() == a.tolist()


def test_nullable_array_without_nulls_stays_nullable(tmp_path):
    a = cc.Array("float64", [1.5, 2.5], nullable=True)
    b = reopen(a, tmp_path / "a.arrow")
    assert b.nullable and b.null_count == 0
    b.append(None)


@pytest.mark.parametrize("values", [[1, 2, 3], [1, 300, -5], [0, 2**40], [], [None, 7]])
def test_adaptive_int_array_comes_back_adaptive(tmp_path, values):
    a = cc.Array("int", values, nullable=None in values)
    b = reopen(a, tmp_path / "a.arrow")
    assert b.adaptive and b.dtype == a.dtype and b.itemsize == a.itemsize
    assert b == a
    b.append(2**62)  # still widens
    assert b.dtype == "int64"


def test_string_array_with_nulls_round_trips(tmp_path):
    s = cc.StringArray(["ada", None, "", "gr\u00e2ce", "\U0001f600" * 3], nullable=True)
    u = reopen(s, tmp_path / "s.arrow")
    assert type(u) is cc.StringArray and u.nullable
    assert u.tolist() == s.tolist()
    plain = cc.StringArray(["x", "y"])
    assert not reopen(plain, tmp_path / "p.arrow").nullable


def test_categorical_array_round_trips(tmp_path):
    c = cc.CategoricalArray(["r", "g", "r", "b"] * 10)
    u = reopen(c, tmp_path / "c.arrow")
    assert type(u) is cc.CategoricalArray and not u.nullable
    assert u.tolist() == c.tolist()
    n = cc.CategoricalArray(["r", None, "g"], nullable=True)
    v = reopen(n, tmp_path / "n.arrow")
    assert v.nullable and v.tolist() == ["r", None, "g"]


def test_module_level_save_is_the_method(tmp_path):
    p = tmp_path / "a.arrow"
    cc.save(cc.Array("int16", [1, 2]), p)
    assert cc.open(p) == cc.Array("int16", [1, 2])
    cc.save(make(), str(p))  # str paths too, and overwriting
    assert cc.open(p) == make()


def test_table_open_of_a_one_column_file_gives_a_table(tmp_path):
    p = tmp_path / "a.arrow"
    cc.Array("int32", [1, 2]).save(p)
    t = cc.Table.open(p)
    assert isinstance(t, cc.Table) and t.schema == {"values": "int32"} and len(t) == 2


def test_the_metadata_says_what_was_saved(tmp_path):
    p = tmp_path / "a.arrow"
    cc.Array("int", [1, 300]).save(p)
    meta = json.loads(feather.read_table(p).schema.metadata[b"compactcol"])
    assert meta == {"version": 1, "kind": "Array", "nullable": False, "dtype": "int16",
                    "adaptive": True}
    make().save(p)
    meta = json.loads(feather.read_table(p).schema.metadata[b"compactcol"])
    assert meta["kind"] == "Table" and meta["rows"] == 3
    assert [tuple(f) for f in meta["fields"]] == list(SCHEMA.items())


def test_the_file_is_uncompressed_arrow_ipc(tmp_path):
    p = tmp_path / "t.arrow"
    make().save(p)
    with open(p, "rb") as f:
        head = f.read(6)
    assert head == b"ARROW1"
    table, copied = _files._read(pa, str(p), "test")
    assert not copied  # every buffer lies in the map: nothing was decompressed


# ---- hypothesis: random rows against their list of dicts ---------------------------------

ROW = st.fixed_dictionaries({
    "i": st.integers(-2**63, 2**63 - 1),
    "q": st.none() | st.integers(-2**31, 2**31 - 1),
    "x": st.floats(allow_nan=False),
    "b": st.booleans(),
    "s": st.none() | st.text(max_size=12),
    "c": st.sampled_from(["a", "b", "c", "d\u00e9"]),
    "d": st.none() | st.sampled_from(["x", "y"]),
})
ROW_SCHEMA = {"i": "int64", "q": "int32?", "x": "float64", "b": "bool", "s": "str?",
              "c": "category", "d": "category?"}


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROW, max_size=40))
def test_random_tables_round_trip_against_their_dicts(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("h") / "t.arrow"
    cc.Table(ROW_SCHEMA, rows).save(path)
    u = cc.open(path)
    assert u.schema == ROW_SCHEMA
    assert u.to_dicts() == rows
    assert feather.read_table(path).to_pylist() == rows


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.none() | st.integers(-2**63, 2**63 - 1), max_size=40))
def test_random_adaptive_arrays_round_trip(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("h") / "a.arrow"
    a = cc.Array("int", values, nullable=True)
    a.save(path)
    b = cc.open(path)
    assert b.tolist() == values and b.dtype == a.dtype and b.adaptive and b.nullable


# ---- our files read by pyarrow and Polars --------------------------------------------------

def test_pyarrow_reads_our_table(tmp_path):
    p = tmp_path / "t.arrow"
    make().save(p)
    at = feather.read_table(p)
    assert at.to_pylist() == make().to_dicts()
    assert at.schema.field("sym").type == pa.dictionary(pa.int8(), pa.string())
    assert at.schema.field("qty").type == pa.int32()
    assert feather.read_table(p, memory_map=True).to_pylist() == make().to_dicts()


def test_polars_reads_our_table(tmp_path):
    p = tmp_path / "t.arrow"
    make().save(p)
    # Polars 2 maps IPC files by itself (read_ipc lost its memory_map= argument)
    df = pl.read_ipc(p)
    assert df.to_dicts() == make().to_dicts()
    assert df.schema["sym"] == pl.Categorical
    assert df.schema["c"] == pl.Categorical  # nulls in a category column: codes zeroed under them
    assert df["c"].to_list() == [None, "x", "y"]


@pytest.mark.parametrize("container", [
    cc.Array("int", [1, 300, None], nullable=True), cc.Array("float32", [1.5, -2.0]),
    cc.StringArray(["a", None, "bc"], nullable=True),
    cc.CategoricalArray(["r", None, "g", "r"], nullable=True), cc.Array("bool", [True, False])])
def test_pyarrow_and_polars_read_our_one_column_files(tmp_path, container):
    p = tmp_path / "a.arrow"
    container.save(p)
    assert feather.read_table(p).column("values").to_pylist() == container.tolist()
    assert pl.read_ipc(p)["values"].to_list() == container.tolist()


# ---- their files read by us ----------------------------------------------------------------

def pyarrow_table():
    return pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "x": pa.array([1.5, None, 3.0]),
        "b": pa.array([True, False, None]),
        "s": pa.array(["a", None, "ccc"]),
        "ls": pa.array(["p", "q", "r"], pa.large_string()),
        "c": pa.array(["r", "g", "r"]).dictionary_encode(),
        "u8": pa.array([1, 2, 3], pa.uint8()),
    })


@pytest.mark.parametrize("compression", ["uncompressed", "lz4", "zstd"])
def test_files_written_by_pyarrow_open_as_tables(tmp_path, compression):
    p = tmp_path / "pa.feather"
    at = pyarrow_table()
    feather.write_feather(at, p, compression=compression)
    t = cc.open(p)
    assert isinstance(t, cc.Table)
    assert t.to_dicts() == at.to_pylist()
    assert t.schema == {"id": "int64", "x": "float64?", "b": "bool?", "s": "str?", "ls": "str",
                        "c": "category", "u8": "uint8"}
    _, copied = _files._read(pa, str(p), "test")
    assert copied == (compression != "uncompressed")  # decompressed: a copy, detected


def test_a_pyarrow_file_of_several_batches_opens_whole(tmp_path):
    p = tmp_path / "batches.arrow"
    at = pa.table({"a": list(range(100)), "s": [str(i) for i in range(100)]})
    feather.write_feather(at, p, chunksize=7, compression="uncompressed")
    t = cc.Table.open(p)
    assert t.to_dicts() == at.to_pylist()


def test_the_ipc_stream_format_opens_too(tmp_path):
    p = tmp_path / "t.arrows"
    at = pyarrow_table()
    with pa.OSFile(str(p), "wb") as sink, pa.ipc.new_stream(sink, at.schema) as w:
        w.write_table(at)
    assert cc.open(p).to_dicts() == at.to_pylist()


def polars_frame():
    return pl.DataFrame({
        "id": [1, 2, 3], "x": [0.5, None, 2.0], "s": ["a", None, "ccc"], "b": [True, False, True],
        "c": pl.Series(["r", "g", "r"], dtype=pl.Categorical), "i32": pl.Series([1, 2, 3], dtype=pl.Int32),
    })


@pytest.mark.parametrize("compression", ["uncompressed", "lz4", "zstd"])
def test_files_written_by_polars_open_as_tables(tmp_path, compression):
    p = tmp_path / "pl.arrow"
    df = polars_frame()
    df.write_ipc(p, compression=compression)
    t = cc.open(p)
    assert isinstance(t, cc.Table)
    assert t.to_dicts() == df.to_dicts()
    assert t.schema == {"id": "int64", "x": "float64?", "s": "str?", "b": "bool", "c": "category",
                        "i32": "int32"}


def test_a_polars_file_with_default_options_opens(tmp_path):
    p = tmp_path / "pl.arrow"
    polars_frame().write_ipc(p)
    assert cc.Table.open(p).to_dicts() == polars_frame().to_dicts()


# ---- the file and the container are separate -----------------------------------------------

def test_changing_the_opened_container_does_not_change_the_file(tmp_path):
    p = tmp_path / "t.arrow"
    make().save(p)
    before = p.read_bytes()
    t = cc.open(p)
    t.append(ROWS[0])
    t[0].price = 99.0
    t["id"][1] = -1
    t.sort(by="price")
    del t[0]
    assert p.read_bytes() == before
    assert cc.open(p) == make()
    a_path = tmp_path / "a.arrow"
    cc.Array("int64", range(10)).save(a_path)
    a = cc.open(a_path)
    a[0] = 42
    a.extend(range(1000))
    assert cc.open(a_path) == cc.Array("int64", range(10))


def test_a_file_opens_twice_into_independent_containers(tmp_path):
    p = tmp_path / "t.arrow"
    make().save(p)
    t1, t2 = cc.open(p), cc.Table.open(p)
    assert t1 == t2 == make()
    t1[0].price = -1.0
    assert t2[0].price == 1.5


def test_deleting_the_container_then_the_file(tmp_path):
    p = tmp_path / "t.arrow"
    make().save(p)
    t = cc.open(p)
    col = t["price"]
    del t, col
    os.remove(p)
    assert not p.exists()


def test_deleting_the_file_while_the_container_lives(tmp_path):
    p = tmp_path / "t.arrow"
    make().save(p)
    t = cc.open(p)
    os.remove(p)
    assert t == make()


def test_saving_over_the_file_a_container_was_opened_from(tmp_path):
    # written under a temporary name and moved: a mapping of the old file stays valid
    p = tmp_path / "t.arrow"
    make().save(p)
    t = cc.open(p)
    t.append(ROWS[1])
    t.save(p)
    assert len(t) == 4 and t.to_dicts()[:3] == make().to_dicts()
    assert cc.open(p) == t
    assert sorted(os.listdir(tmp_path)) == ["t.arrow"]  # no temporary left


def test_the_container_can_change_again_after_save(tmp_path):
    t = make()
    t.save(tmp_path / "t.arrow")
    t.append(ROWS[0])  # the Arrow export made for writing was released
    t.sort(by="price")
    a = cc.Array("int", [1, 2])
    a.save(tmp_path / "a.arrow")
    a.append(2**40)


# ---- errors --------------------------------------------------------------------------------

def test_a_missing_path_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        cc.open(tmp_path / "nope.arrow")
    with pytest.raises(FileNotFoundError):
        cc.Table.open(str(tmp_path / "nope.arrow"))


def test_a_directory_raises_os_error(tmp_path):
    with pytest.raises(OSError):
        cc.open(tmp_path)


@pytest.mark.parametrize("content", [b"", b"hello, world\n", b"ARROW1" + b"\0" * 100,
                                     b"PAR1" + b"\0" * 64 + b"PAR1"])
def test_not_an_ipc_file_raises_value_error_naming_the_path(tmp_path, content):
    p = tmp_path / "bad.arrow"
    p.write_bytes(content)
    with pytest.raises(ValueError, match="is not an Arrow IPC file") as info:
        cc.open(p)
    assert str(p) in str(info.value)
    with pytest.raises(ValueError, match="is not an Arrow IPC file"):
        cc.Table.open(p)


def test_a_feather_v1_file_raises_value_error(tmp_path):
    p = tmp_path / "v1.feather"
    with pytest.warns(DeprecationWarning):
        feather.write_feather(pa.table({"a": [1]}), p, version=1)
    with pytest.raises(ValueError, match=str(p).replace("\\", "\\\\")):
        cc.open(p)


def test_an_unsupported_type_raises_type_error_with_the_path(tmp_path):
    p = tmp_path / "ts.arrow"
    halves = pa.array([1, 2], pa.int8()).cast(pa.float16())  # float16: no column type takes it
    feather.write_feather(pa.table({"t": halves, "a": [1, 2]}), p)
    with pytest.raises(TypeError, match="not supported") as info:
        cc.open(p)
    assert str(p) in str(info.value)
    with pytest.raises(TypeError) as info:
        cc.Table.open(p)
    assert str(p) in str(info.value)


def test_metadata_of_another_version_is_refused(tmp_path):
    p = tmp_path / "future.arrow"
    at = pa.table({"values": [1]}).replace_schema_metadata(
        {b"compactcol": json.dumps({"version": 99, "kind": "Array"}).encode()})
    feather.write_feather(at, p)
    with pytest.raises(ValueError, match="version"):
        cc.open(p)


def test_save_of_something_else_raises_type_error(tmp_path):
    with pytest.raises(TypeError, match="expected a Table, Array"):
        cc.save([1, 2, 3], tmp_path / "x.arrow")
    with pytest.raises(TypeError):
        cc.save(cc.StringPool(["a"]), tmp_path / "x.arrow")
    assert os.listdir(tmp_path) == []


def test_save_into_a_missing_directory_raises_and_leaves_nothing(tmp_path):
    with pytest.raises(OSError):
        make().save(tmp_path / "no" / "such" / "t.arrow")
    a = cc.Array("int8", [1])
    with pytest.raises(OSError):
        a.save(tmp_path / "no" / "a.arrow")
    a.append(2)  # unlocked again
    assert os.listdir(tmp_path) == []


def test_without_pyarrow_the_error_names_the_extra(tmp_path):
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "import compactcol as cc\n"
        "for f in (lambda: cc.Array('int8', [1]).save('x.arrow'), lambda: cc.open('x.arrow'),\n"
        "          lambda: cc.Table.open('x.arrow'), lambda: cc.StringArray(['a']).save('x')):\n"
        "    try:\n"
        "        f()\n"
        "    except ImportError as e:\n"
        "        print(e)\n"
        "    else:\n"
        "        print('no error')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 4
    assert all("pip install 'compactcol[arrow]'" in line for line in lines), lines
    assert os.listdir(tmp_path) == []


def test_floats_keep_nan_and_infinities(tmp_path):
    a = cc.Array("float64", [math.nan, math.inf, -math.inf, -0.0])
    b = reopen(a, tmp_path / "f.arrow")
    assert math.isnan(b[0]) and b[1] == math.inf and b[2] == -math.inf
    assert math.copysign(1, b[3]) == -1


def test_a_failed_save_leaves_the_container_free_while_the_error_lives(tmp_path):
    t = make()
    try:
        t.save(tmp_path / "missing" / "t.arrow")
    except OSError as exc:
        error = exc  # the traceback (and its frames) stay alive
    assert error.__traceback__ is not None
    t.append(ROWS[0])  # not pinned by an export held in a frame of the traceback
    t.sort(by="price")


def test_save_through_a_symlink_writes_its_target(tmp_path):
    target = tmp_path / "real.arrow"
    make().save(target)
    link = tmp_path / "link.arrow"
    link.symlink_to(target)
    cc.Array("int8", [5]).save(link)
    assert link.is_symlink()
    assert cc.open(target) == cc.Array("int8", [5])
