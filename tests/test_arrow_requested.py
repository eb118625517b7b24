"""requested_schema on every export (AR7): a consumer's requested type is
honoured when it is our own or a cheap lossless cast (integers that fit,
integers to a float that holds them exactly, float32 to float64, string <->
large_string); anything else raises ValueError and exports nothing."""

import gc
import itertools

import pytest
from hypothesis import given, strategies as st

import compactcol as cc
from compactcol import Array, CategoricalArray, StringArray

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
PA = {"int8": pa.int8(), "int16": pa.int16(), "int32": pa.int32(), "int64": pa.int64(),
      "uint8": pa.uint8(), "uint16": pa.uint16(), "uint32": pa.uint32(), "uint64": pa.uint64(),
      "float32": pa.float32(), "float64": pa.float64(), "bool": pa.bool_()}
BOUNDS = {d: (int(np.iinfo(d).min), int(np.iinfo(d).max)) for d in INTS}


def exports(a):
    return a._debug_info()["exports"]


def lossless(src, dst):
    """The rule the exports follow (the model for the tests)."""
    if src == dst:
        return True
    if "bool" in (src, dst):
        return False
    if src in INTS and dst in INTS:
        return True
    size = {"int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "int32": 4, "uint32": 4}
    if src in INTS and dst.startswith("float"):
        return src in size and 2 * size[src] <= (4 if dst == "float32" else 8)
    return (src, dst) == ("float32", "float64")


@pytest.mark.parametrize("src,dst", list(itertools.product(list(PA), list(PA))))
def test_ar7_every_dtype_pair_casts_or_refuses_by_the_rule(src, dst):
    values = [0, 1] if src == "bool" else [0, 1, 2]
    a = Array(src, [bool(v) for v in values] if src == "bool" else values)
    if lossless(src, dst):
        got = pa.array(a, type=PA[dst])
        assert got.type == PA[dst]
        assert got.to_pylist() == pa.array(values).cast(PA[dst]).to_pylist()
        del got
    else:
        with pytest.raises(ValueError, match="only lossless casts"):
            a.__arrow_c_array__(PA[dst].__arrow_c_schema__())
    gc.collect()
    assert exports(a) == 0


@given(st.sampled_from(INTS), st.sampled_from(INTS), st.data())
def test_ar7_integer_casts_check_every_value(src, dst, data):
    lo, hi = BOUNDS[src]
    values = data.draw(st.lists(st.integers(lo, hi), max_size=20))
    a = Array(src, values)
    dlo, dhi = BOUNDS[dst]
    fits = all(dlo <= v <= dhi for v in values)
    if fits:
        assert pa.array(a, type=PA[dst]).to_pylist() == values
    else:
        first = next(i for i, v in enumerate(values) if not dlo <= v <= dhi)
        with pytest.raises(ValueError, match=f"element {first} does not fit in {dst}"):
            a.__arrow_c_array__(PA[dst].__arrow_c_schema__())
    assert exports(a) == 0


def test_cast_export_owns_its_values_and_is_a_snapshot():
    a = Array("int", [1, 2, None], nullable=True)  # adaptive: int8 storage
    assert a.dtype == "int8"
    got = pa.array(a, type=pa.int64())
    assert got.to_pylist() == [1, 2, None]
    assert got.buffers()[1].address != np.asarray(a).__array_interface__["data"][0]
    assert got.buffers()[0].address is not None  # the bitmap is shared ...
    a.append(300)  # ... and copied before the array writes it (and widens)
    a[2] = 9
    assert a.dtype == "int16" and a.tolist() == [1, 2, 9, 300]
    assert got.to_pylist() == [1, 2, None]
    got.validate(full=True)


def test_own_format_request_is_still_zero_copy():
    a = Array("float32", [1.5, 2.5])
    got = pa.array(a, type=pa.float32())
    assert got.buffers()[1].address == np.asarray(a).__array_interface__["data"][0]


def test_strings_to_large_strings_share_the_bytes():
    s = StringArray(["ada", None, "gr\u00e9ce", ""], nullable=True)
    large = pa.array(s, type=pa.large_string())
    assert large.type == pa.large_string()
    assert large.to_pylist() == ["ada", None, "gr\u00e9ce", ""]
    assert large.buffers()[2].address == pa.array(s).buffers()[2].address  # same bytes
    s.append("x")  # copies first: the export keeps its strings
    assert large.to_pylist() == ["ada", None, "gr\u00e9ce", ""]
    assert exports(s) == 0


def test_strings_after_scattered_edits_and_empty():
    s = StringArray(["aaaa", "b"])
    s[0] = "a longer value"  # scattered: compacted for the export
    assert pa.array(s, type=pa.large_string()).to_pylist() == ["a longer value", "b"]
    assert pa.array(StringArray(), type=pa.large_string()).to_pylist() == []


def test_strings_refuse_other_types():
    s = StringArray(["1"])
    for t in (pa.string_view(), pa.binary(), pa.int64()):
        with pytest.raises(ValueError, match="only string <-> large_string"):
            s.__arrow_c_array__(t.__arrow_c_schema__())
    assert exports(s) == 0


def test_categorical_accepts_its_own_index_type_only():
    c = CategoricalArray(["a", "b", "a"])
    own = pa.dictionary(pa.int8(), pa.string())
    assert pa.array(c, type=own).to_pylist() == ["a", "b", "a"]
    with pytest.raises(ValueError, match="index format 'i'"):
        c.__arrow_c_array__(pa.dictionary(pa.int32(), pa.string()).__arrow_c_schema__())
    with pytest.raises(ValueError):
        c.__arrow_c_array__(pa.string().__arrow_c_schema__())
    assert exports(c.codes) == 0


def test_non_capsule_request_is_a_type_error():
    with pytest.raises(TypeError):
        Array("int8", [1]).__arrow_c_array__("int64")
    with pytest.raises(TypeError):
        StringArray(["x"]).__arrow_c_array__(42)
    with pytest.raises(TypeError, match="requested_schema must be"):
        cc.Table({"a": "int8"}).__arrow_c_stream__(b"+s")


# ---- Table streams -------------------------------------------------------------------------

SCHEMA = {"i": "int16", "f": "float32?", "s": "str", "c": "category"}
ROWS = [(1, 1.5, "x", "r"), (-2, None, "yy", "g")]


def test_table_stream_honours_a_castable_schema():
    t = cc.Table(SCHEMA, ROWS)
    want = pa.schema([("i", pa.int64()), ("f", pa.float64()), ("s", pa.large_string()),
                      ("c", pa.dictionary(pa.int8(), pa.string()))])
    got = pa.table(t, schema=want)
    assert got.schema.types == want.types
    assert got.to_pylist() == t.to_dicts()
    before = t.to_dicts()
    t.append(ROWS[0])  # the table copies what it writes; the export is a snapshot
    assert len(t) == 3 and got.to_pylist() == before


def test_ar7_table_stream_refuses_what_a_column_cannot_cast():
    t = cc.Table(SCHEMA, ROWS)
    cases = {
        "wrong field count": pa.schema([("i", pa.int64())]),
        "float to int": pa.schema([("i", pa.int16()), ("f", pa.int32()), ("s", pa.string()),
                                   ("c", pa.dictionary(pa.int8(), pa.string()))]),
        "str to int": pa.schema([("i", pa.int16()), ("f", pa.float32()), ("s", pa.int32()),
                                 ("c", pa.dictionary(pa.int8(), pa.string()))]),
    }
    for why, schema in cases.items():
        with pytest.raises(ValueError):
            t.__arrow_c_stream__(schema.__arrow_c_schema__())
    with pytest.raises(ValueError, match="column 'f'"):
        t.__arrow_c_stream__(cases["float to int"].__arrow_c_schema__())
    t.append(ROWS[0])  # nothing stayed exported


def test_table_stream_value_that_does_not_fit_fails_in_get_next():
    t = cc.Table({"i": "int64"}, [(1,), (2**40,)])
    want = pa.schema([("i", pa.int32())])
    reader = pa.RecordBatchReader._import_from_c_capsule(t.__arrow_c_stream__(want.__arrow_c_schema__()))
    assert reader.schema.types == want.types
    with pytest.raises(pa.ArrowInvalid, match="element 1 does not fit in int32"):
        reader.read_next_batch()
    del reader
    gc.collect()
    t.append((3,))
