"""The NumPy C-API module (compactcol._numpy_ext): StringArray.to_numpy
packs StringDType in C; its checks on the buffers it is handed; and
Table.to_numpy (a structured array)."""

import sys

import pytest
from hypothesis import given, strategies as st

import compactcol as cc

np = pytest.importorskip("numpy")
if not hasattr(np, "dtypes") or not hasattr(np.dtypes, "StringDType"):
    pytest.skip("NumPy without StringDType", allow_module_level=True)
numpy_ext = pytest.importorskip("compactcol._numpy_ext")

SD = np.dtypes.StringDType()


def test_import_compactcol_does_not_load_the_numpy_module():
    import subprocess
    code = ("import sys, compactcol; compactcol.Array('int8', [1]); "
            "compactcol.StringArray(['a']).tolist(); "
            "print('compactcol._numpy_ext' in sys.modules, 'numpy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert r.stdout.split() == ["False", "False"], r.stderr


@given(st.lists(st.text() | st.none(), max_size=60))
def test_to_numpy_matches_numpy_from_str_objects(values):
    nullable = None in values
    a = cc.StringArray(values, nullable=nullable)
    got = a.to_numpy()
    expected = np.array(values, dtype=np.dtypes.StringDType(na_object=None) if nullable else SD)
    assert got.dtype == expected.dtype
    assert got.tolist() == values
    assert a.tolist() == values  # untouched


def test_to_numpy_after_scattered_edits_and_of_large_strings():
    a = cc.StringArray(["x" * 100, "b", "c"])
    a[1] = "a much longer string than before"  # scatters the layout
    a[0] = ""
    assert a.to_numpy().tolist() == ["", "a much longer string than before", "c"]
    long = "\u00e9" * 5000
    assert cc.StringArray([long, "s"]).to_numpy().tolist() == [long, "s"]


def test_to_numpy_leaves_no_export_behind():
    a = cc.StringArray(["a", "b"])
    a.to_numpy()
    assert a._debug_info()["exports"] == 0
    a.append("c")


# ---- the C function's own checks (it takes plain buffers) -------------------------------

def offsets(values, fmt="i"):
    return memoryview(np.array(values, dtype=np.int32 if fmt == "i" else np.int64))


def test_utf8_to_stringdtype_on_buffers():
    r = numpy_ext.utf8_to_stringdtype(b"adagrace", offsets([0, 3, 8]), None, 2, SD)
    assert r.tolist() == ["ada", "grace"]
    r = numpy_ext.utf8_to_stringdtype(b"adagrace", offsets([0, 3, 8], "q"), bytes([0b01]), 2,
                                      np.dtypes.StringDType(na_object=None))
    assert r.tolist() == ["ada", None]


@pytest.mark.parametrize("data, offs, n, match", [
    (b"abc", [0, 2, 1], 2, "out of order"),              # SA5: not monotone
    (b"abc", [0, 2, 9], 2, "past the data"),             # SA5: last offset past the data
    (b"abc", [-1, 2], 1, "negative"),                    # SA5: negative first offset
    (b"abc", [0, 1], 5, "2 offsets for 5 strings"),      # fewer offsets than strings
    (b"abc", [0, 1], -1, "negative length"),
])
def test_utf8_to_stringdtype_refuses_bad_offsets(data, offs, n, match):
    with pytest.raises(ValueError, match=match):
        numpy_ext.utf8_to_stringdtype(data, offsets(offs), None, n, SD)


def test_utf8_to_stringdtype_refuses_wrong_types():
    with pytest.raises(TypeError, match="int32 or int64"):
        numpy_ext.utf8_to_stringdtype(b"ab", memoryview(np.array([0, 2], np.float64)), None, 1, SD)
    with pytest.raises(TypeError, match="StringDType"):
        numpy_ext.utf8_to_stringdtype(b"ab", offsets([0, 2]), None, 1, np.dtype("U2"))
    with pytest.raises(TypeError):
        numpy_ext.utf8_to_stringdtype(b"ab", offsets([0, 2]), None, 1)
    with pytest.raises(ValueError, match="bitmap of 1 bytes for 9"):
        numpy_ext.utf8_to_stringdtype(b"a" * 9, offsets(list(range(10))), b"\xff", 9, SD)


# ---- Table.to_numpy -----------------------------------------------------------------------

SCHEMA = {"id": "int32", "p": "float64?", "s": "str?", "c": "category?", "b": "bool", "n": "int8?",
          "u": "uint64"}
ROWS = [(1, None, "ada", None, True, 3, 2**64 - 1), (2, 2.5, None, "v", False, None, 0),
        (3, 1.0, "gr\u00e9ce", "u", True, -1, 7)]


def test_table_to_numpy_fields_values_and_nulls():
    t = cc.Table(SCHEMA, ROWS)
    r = t.to_numpy(na_value={"s": "-", "c": "?", "n": 0})
    assert r.dtype.names == tuple(SCHEMA)
    assert [r.dtype[n] for n in ("id", "p", "b", "n", "u")] == [
        np.dtype("int32"), np.dtype("float64"), np.dtype("bool"), np.dtype("int8"), np.dtype("uint64")]
    assert r.dtype["s"] == np.dtype("U5") and r.dtype["c"] == np.dtype("U1")
    assert np.isnan(r["p"][0]) and r["p"][1:].tolist() == [2.5, 1.0]
    assert r["s"].tolist() == ["ada", "-", "gr\u00e9ce"]
    assert r["c"].tolist() == ["?", "v", "u"]
    assert r["n"].tolist() == [3, 0, -1]
    assert r["u"].tolist() == [2**64 - 1, 0, 7]
    assert r["id"].tolist() == [1, 2, 3] and r["b"].tolist() == [True, False, True]


def test_table_to_numpy_without_na_value_names_the_column():
    t = cc.Table(SCHEMA, ROWS)
    with pytest.raises(ValueError, match="column 's'"):
        t.to_numpy()
    with pytest.raises(ValueError, match="column 'n'"):
        t.to_numpy(na_value={"s": "", "c": ""})


def test_table_to_numpy_one_na_value_for_all_and_width_from_it():
    t = cc.Table({"s": "str?"}, [("a",), (None,)])
    r = t.to_numpy(na_value="missing")
    assert r.dtype["s"] == np.dtype("U7") and r["s"].tolist() == ["a", "missing"]


def test_table_to_numpy_is_a_copy_and_leaves_the_table_free():
    t = cc.Table({"a": "int64", "s": "str"}, [(1, "x"), (2, "y")])
    r = t.to_numpy()
    r["a"][0] = 99
    assert t[0].a == 1
    t.append((3, "z"))  # nothing exported
    assert len(t) == 3


def test_table_to_numpy_empty_and_no_columns():
    r = cc.Table({"a": "int8", "s": "str", "c": "category"}).to_numpy()
    assert r.shape == (0,) and r.dtype.names == ("a", "s", "c")


# NumPy's fixed-width 'U' drops trailing NULs: that is its format, not ours
@given(st.lists(st.tuples(st.integers(-2**31, 2**31 - 1),
                          st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8),
                          st.sampled_from(["r", "g", "b"])), max_size=30))
def test_table_to_numpy_matches_numpy_from_tuples(rows):
    t = cc.Table({"i": "int32", "s": "str", "c": "category"}, rows)
    r = t.to_numpy()
    assert [tuple(x) for x in r.tolist()] == [tuple(x) for x in rows]
