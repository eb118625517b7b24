"""compactcol.from_arrow: imports from pyarrow (and any producer of the
PyCapsule interface) for every supported type and null pattern, and clean
failures on malformed or hostile structs (AR2, AR4, AR5), which are built
by hand with ctypes so that their release calls can be counted."""

import ctypes

import pytest

import compactcol
from compactcol import Array, CategoricalArray, StringArray, from_arrow
from compactcol import _core as core

pa = pytest.importorskip("pyarrow")

INT_TYPES = [pa.int8(), pa.int16(), pa.int32(), pa.int64(),
             pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64()]


@pytest.mark.parametrize("typ", INT_TYPES + [pa.float32(), pa.float64(), pa.bool_()])
@pytest.mark.parametrize("nulls", [False, True])
def test_numbers_round_trip(typ, nulls):
    base = [True, False, True] if typ == pa.bool_() else [1, 0, 7]
    values = base * 5 + ([None] if nulls else [])
    arr = pa.array(values, type=typ)
    got = from_arrow(arr)
    assert type(got) is Array and got.dtype == str(typ).replace("uint", "uint").replace(
        "float", "float").replace("bool", "bool") or got.dtype in ("float32", "float64", "bool")
    assert got.tolist() == arr.to_pylist() and got.nullable == nulls
    assert pa.array(got).equals(arr)  # and back


@pytest.mark.parametrize("typ", [pa.string(), pa.large_string(), pa.string_view()])
def test_strings_round_trip(typ):
    values = ["alpha", "", "é", "中文", "\U0001F600", "a\x00b", None,
              "a string longer than twelve bytes, stored out of line", "exactly12byt"]
    got = from_arrow(pa.array(values, type=typ))
    assert type(got) is StringArray and got.tolist() == values and got.nullable
    assert from_arrow(pa.array(["x"], type=typ)).nullable is False


def test_sliced_arrays_with_an_offset():
    ints = pa.array(list(range(100)) + [None])
    assert from_arrow(ints[37:45]).tolist() == list(range(37, 45))
    assert from_arrow(ints[95:]).tolist() == [95, 96, 97, 98, 99, None]
    bools = pa.array([i % 3 == 0 for i in range(40)])
    assert from_arrow(bools[5:31]).tolist() == [i % 3 == 0 for i in range(5, 31)]
    strs = pa.array([f"s{i}" if i % 4 else None for i in range(50)])
    assert from_arrow(strs[13:29]).tolist() == strs[13:29].to_pylist()


def test_string_dictionaries_become_categoricals():
    arr = pa.array(["red", "blue", None, "red"]).dictionary_encode()
    got = from_arrow(arr)
    assert type(got) is CategoricalArray and got.tolist() == ["red", "blue", None, "red"]
    assert got.nullable and got.codes.tolist() == [0, 1, -1, 0]
    # a dictionary with a repeated word maps both indices to one category
    dup = pa.DictionaryArray.from_arrays(pa.array([0, 1, 2], pa.int8()), pa.array(["a", "b", "a"]))
    assert from_arrow(dup).tolist() == ["a", "b", "a"] and len(from_arrow(dup).pool) == 2
    with pytest.raises(ValueError, match="outside the dictionary"):
        from_arrow(pa.DictionaryArray.from_arrays(pa.array([0, 5], pa.int8()),
                                                  pa.array(["a"]), safe=False))


def test_chunked_and_empty_streams():
    assert from_arrow(pa.chunked_array([[1, 2], [], [3, None]])).tolist() == [1, 2, 3, None]
    assert from_arrow(pa.chunked_array([["a"], ["b", None]])).tolist() == ["a", "b", None]
    empty = from_arrow(pa.chunked_array([], pa.string()))
    assert type(empty) is StringArray and len(empty) == 0
    assert type(from_arrow(pa.chunked_array([], pa.int16()))) is Array


def test_chunks_append_into_one_container_as_extend_did():
    """A stream's chunks append in C into one container per column: the
    result is what concatenating the chunks' containers with extend gave --
    nullable if any chunk has nulls, and a dictionary's pool holding the
    first chunk's words in dictionary order, then later chunks' words in the
    order their indices first use them (unused ones not at all)."""
    d1 = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0], pa.int8()), pa.array(["a", "b", "zz"]))
    d2 = pa.DictionaryArray.from_arrays(pa.array([2, None, 0, 1], pa.int8()),
                                        pa.array(["q", "a", "r"]))
    d3 = pa.DictionaryArray.from_arrays(pa.array([1], pa.int8()), pa.array(["q", None]))
    got = from_arrow(pa.chunked_array([d1, d2]))
    assert got.tolist() == ["a", "b", "a", "r", None, "q", "a"]
    assert got.categories.tolist() == ["a", "b", "zz", "r", "q"] and got.nullable
    got = from_arrow(pa.chunked_array([d1, d3]))
    assert got.tolist() == ["a", "b", "a", None] and got.categories.tolist() == ["a", "b", "zz"]
    assert got.nullable
    for typ in (pa.int64(), pa.bool_(), pa.large_string(), pa.string_view()):
        values = [[True], [False, True]] if typ == pa.bool_() else (
            [[1], [2, 3]] if typ == pa.int64() else [["x" * 20], ["y", "z"]])
        plain = from_arrow(pa.chunked_array(values, typ))
        assert plain.tolist() == sum(values, []) and not plain.nullable
        with_nulls = from_arrow(pa.chunked_array(values + [[None]], typ))
        assert with_nulls.tolist() == sum(values, []) + [None] and with_nulls.nullable


def test_unsupported_types_raise_typeerror():
    for arr in (pa.array([[1]]), pa.array([{"a": [1]}]),  # binary imports: BinaryArray
                pa.array([pa.MonthDayNano([1, 2, 3])])):
        with pytest.raises(TypeError):
            from_arrow(arr)
    # a struct of supported types is a table (tests/test_table_import.py)
    assert from_arrow(pa.array([{"a": 1}])).to_dicts() == [{"a": 1}]
    with pytest.raises(TypeError, match="PyCapsule interface"):
        from_arrow([1, 2])


def test_polars_series_imports_through_the_stream():
    pl = pytest.importorskip("polars")
    assert from_arrow(pl.Series([1, None, 3])).tolist() == [1, None, 3]
    assert from_arrow(pl.Series(["a", None])).tolist() == ["a", None]


def test_import_owns_its_memory():
    """AR6: the result outlives the producer's array and its buffers; with
    copy=True it owns its memory and the producer's is released at once."""
    arr = pa.array(["x" * 100] * 1000)
    before = pa.total_allocated_bytes()
    got = from_arrow(arr, copy=True)
    del arr
    assert pa.total_allocated_bytes() <= before
    assert got[999] == "x" * 100


def test_zero_copy_import_outlives_the_producer_array():
    """AR6, zero-copy (the default): the result keeps the producer's buffers
    alive after the producer's own array is gone (tests/test_zero_copy_import.py
    has the rest)."""
    arr = pa.array(["x" * 100] * 1000)
    got = from_arrow(arr)
    del arr
    assert got[999] == "x" * 100
    assert got.tolist() == ["x" * 100] * 1000


# ---- hostile structs, built by hand -------------------------------------------------------


class ArrowSchema(ctypes.Structure):
    pass


class ArrowArray(ctypes.Structure):
    pass


SCHEMA_RELEASE = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowSchema))
ARRAY_RELEASE = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArray))
ArrowSchema._fields_ = [
    ("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_char_p),
    ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("children", ctypes.c_void_p), ("dictionary", ctypes.c_void_p),
    ("release", SCHEMA_RELEASE), ("private_data", ctypes.c_void_p)]
ArrowArray._fields_ = [
    ("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("buffers", ctypes.POINTER(ctypes.c_void_p)), ("children", ctypes.c_void_p),
    ("dictionary", ctypes.c_void_p), ("release", ARRAY_RELEASE), ("private_data", ctypes.c_void_p)]

_new_capsule = ctypes.pythonapi.PyCapsule_New
_new_capsule.restype = ctypes.py_object
_new_capsule.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]


class Hostile:
    """A schema and an array struct with counting release callbacks, and
    capsules over them (no capsule destructor: the test owns the memory)."""

    def __init__(self, fmt, length, buffers, n_buffers=None, null_count=0, offset=0):
        self.released = {"schema": 0, "array": 0}
        self._keep = [ctypes.create_string_buffer(b) if isinstance(b, bytes) else b
                      for b in buffers]
        pointers = [ctypes.cast(b, ctypes.c_void_p) if b is not None else None
                    for b in self._keep]
        self.buffers = (ctypes.c_void_p * max(1, len(pointers)))(*pointers)

        def release_schema(p):
            self.released["schema"] += 1
            p.contents.release = SCHEMA_RELEASE()

        def release_array(p):
            self.released["array"] += 1
            p.contents.release = ARRAY_RELEASE()

        self._callbacks = (SCHEMA_RELEASE(release_schema), ARRAY_RELEASE(release_array))
        self.schema = ArrowSchema(format=fmt, name=b"", release=self._callbacks[0])
        self.array = ArrowArray(length=length, null_count=null_count, offset=offset,
                                n_buffers=len(buffers) if n_buffers is None else n_buffers,
                                buffers=self.buffers, release=self._callbacks[1])

    def capsules(self):
        return (_new_capsule(ctypes.addressof(self.schema), b"arrow_schema", None),
                _new_capsule(ctypes.addressof(self.array), b"arrow_array", None))


def _int32s(*values):
    return (ctypes.c_int32 * len(values))(*values)


def test_a_well_formed_handmade_array_imports_and_is_released_once():
    h = Hostile(b"i", 3, [None, _int32s(5, 6, 7)])
    assert core._from_arrow_array(*h.capsules()).tolist() == [5, 6, 7]
    assert h.released["array"] == 1 and h.released["schema"] == 0  # the schema stays the caller's


@pytest.mark.parametrize("make,exc", [
    (lambda: Hostile(b"i", 3, [None, _int32s(1, 2, 3)], n_buffers=3), ValueError),
    (lambda: Hostile(b"i", 3, [None, None]), ValueError),                 # NULL data, length 3
    (lambda: Hostile(b"i", -1, [None, _int32s(1)]), ValueError),
    (lambda: Hostile(b"i", 1, [None, _int32s(1)], null_count=5), ValueError),
    (lambda: Hostile(b"u", 2, [None, _int32s(0, 3, 1), b"abc"]), ValueError),   # offsets go back
    (lambda: Hostile(b"u", 4, [None, _int32s(0, 1, 3, 2, 4), b"abcd"]), ValueError),  # SA5, mid-array
    (lambda: Hostile(b"u", 2, [None, _int32s(0, 2**31 - 1, 3), b"abc"]), ValueError),  # past the data
    (lambda: Hostile(b"u", 1, [None, _int32s(2, 3), b"abc"]), None),            # offsets[0] != 0 is fine
    (lambda: Hostile(b"u", 1, [None, _int32s(0, 2), b"\xff\xfe"]), ValueError),  # not UTF-8
    (lambda: Hostile(b"u", 1, [None, _int32s(-4, 1), b"abc"]), ValueError),
    (lambda: Hostile(b"zzz", 1, [None, _int32s(1)]), TypeError),                 # unknown format
    (lambda: Hostile(b"+l", 1, [None]), TypeError),
])
def test_AR5_malformed_structs_fail_cleanly_and_are_released_once(make, exc):
    h = make()
    if exc is None:
        assert core._from_arrow_array(*h.capsules()).tolist() == ["c"]
    else:
        with pytest.raises(exc):
            core._from_arrow_array(*h.capsules())
    assert h.released["array"] == 1


def test_AR2_a_capsule_consumed_twice():
    h = Hostile(b"i", 1, [None, _int32s(9)])
    schema, array = h.capsules()
    assert core._from_arrow_array(schema, array).tolist() == [9]
    with pytest.raises(ValueError, match="already consumed"):
        core._from_arrow_array(schema, array)
    assert h.released["array"] == 1


def test_AR4_wrong_capsules():
    h = Hostile(b"i", 1, [None, _int32s(9)])
    schema, array = h.capsules()
    with pytest.raises(TypeError):
        core._from_arrow_array("not a capsule", array)
    with pytest.raises(ValueError):  # names swapped
        core._from_arrow_array(array, schema)
    assert h.released["array"] == 0
    h.schema.release = SCHEMA_RELEASE()
    with pytest.raises(ValueError, match="released"):
        core._from_arrow_array(schema, array)
    assert h.released["array"] == 0  # never taken, so never released by us
    with pytest.raises((TypeError, ValueError)):  # not a stream capsule
        core._from_arrow_stream(array)
    with pytest.raises(TypeError):
        core._from_arrow_stream(42)


def _dictionary_of(words_format):
    """A dictionary array (int8 index 0) over a hand-made dictionary ['a', 'b']
    whose schema has format words_format."""
    words = Hostile(words_format, 2, [None, _int32s(0, 1, 2), b"ab"])
    h = Hostile(b"c", 1, [None, (ctypes.c_int8 * 1)(0)])
    h.schema.dictionary = ctypes.addressof(words.schema)
    h.array.dictionary = ctypes.addressof(words.array)
    h.words = words           # kept alive with h
    return h


def test_arrow_import_dictionary_null_format_segv():
    """AR5: a dictionary whose own schema has no format (was a NULL strcmp)."""
    good = _dictionary_of(b"u")
    assert core._from_arrow_array(*good.capsules()).tolist() == ["a"]
    bad = _dictionary_of(None)
    with pytest.raises(ValueError, match="dictionary's schema has no format"):
        core._from_arrow_array(*bad.capsules())
    assert good.released["array"] == bad.released["array"] == 1


# ---- found by fuzzing (tests/fuzz/RESULTS.md) --------------------------------------------------


def test_fuzz_F1_null_buffers_pointer_with_nulls():
    """A string array whose `buffers` pointer is NULL and null_count != 0:
    read buffers[0] before the shape check (SIGSEGV); now ValueError."""
    for fmt in (b"u", b"U"):
        h = Hostile(fmt, 1, [None, _int32s(0, 1), b"a"], null_count=1)
        h.array.buffers = None
        with pytest.raises(ValueError, match="no buffers"):
            core._from_arrow_array(*h.capsules())
        assert h.released["array"] == 1


def test_fuzz_F3_bad_offsets_and_bad_utf8_read_nothing_outside():
    """Offsets going back (or outside the data) together with bytes that are
    not UTF-8: the culprit scan read before the producer's buffer (ASan);
    now the first bad element is named from our own copy."""
    for offsets, data, culprit in (((0, -3, 2), b"\xff\xff", 0), ((0, 2, 1, 3), b"a\xff\xffb", 0),
                                   ((0, 1, 9), b"a\xff", 1), ((0, 1, 2), b"a\xff", 1)):
        h = Hostile(b"u", len(offsets) - 1, [None, _int32s(*offsets), data])
        with pytest.raises(ValueError, match=f"string {culprit} "):
            core._from_arrow_array(*h.capsules())
        assert h.released["array"] == 1


def test_an_error_inside_a_struct_names_the_field_once():
    """The field is passed to the import as a value and the message made
    once: '... (field 1, 'b')' for a record batch, a stream of them and an
    empty stream, and no field for a plain array."""
    import decimal
    t = pa.table({"a": [1], "b": pa.array([decimal.Decimal("1.5")], pa.decimal256(5, 2))})
    expected = (r"^compactcol\.from_arrow: Arrow format 'd:5,2,256' is not supported "
                r"\(field 1, 'b'\)$")
    for source in (t, t.to_reader()):
        with pytest.raises(TypeError, match=expected):
            compactcol.Table.from_arrow(source)
    empty = pa.table({"a": pa.array([], pa.int8()), "l": pa.array([], pa.list_(pa.int8()))})
    with pytest.raises(TypeError, match=r"do not import as one array \(field 1, 'l'\)$"):
        compactcol.Table.from_arrow(empty.to_reader())
    with pytest.raises(TypeError, match=r"^compactcol\.from_arrow: nested types \(structs, lists\) "
                                        r"do not import as one array$"):
        from_arrow(pa.array([[1]]))
