"""Zero-copy import: from_arrow, Table.from_arrow and Table.from_pandas
adopt the producer's buffers (numbers, 'u'/'U' strings, NumPy number
columns), release the producer's array exactly once when the last user
goes, and copy before their first write.  copy=True is the copying import.
"""
import ctypes
import gc
import pickle

import pytest

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

import compactcol as cc  # noqa: E402
from compactcol import _core as core  # noqa: E402

try:
    from hypothesis import given, settings, strategies as st
except ImportError:  # pragma: no cover
    given = None

NUMBER_TYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                "float32", "float64"]


def addr_of(container):
    """The address of an Array's values (a read-only NumPy view)."""
    return np.asarray(container).__array_interface__["data"][0]


def data_addr(strings):
    """The address of a StringArray's UTF-8 bytes."""
    return np.frombuffer(strings.data, dtype=np.uint8).__array_interface__["data"][0]


# ---- a ctypes producer whose release we can count -------------------------------------


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


class Producer:
    """A flat array over ctypes buffers with a counting release callback
    (the test keeps the memory: capsules without destructors)."""

    def __init__(self, fmt, length, buffers, null_count=0, offset=0):
        self.released = 0
        self.keep = [ctypes.create_string_buffer(b, len(b) or 1) if isinstance(b, bytes) else b
                     for b in buffers]
        self.pointers = [ctypes.addressof(b) if b is not None else None for b in self.keep]
        self.buffers = (ctypes.c_void_p * len(self.pointers))(*self.pointers)

        def release_array(p):
            self.released += 1
            p.contents.release = ARRAY_RELEASE()

        self._callbacks = (SCHEMA_RELEASE(lambda p: None), ARRAY_RELEASE(release_array))
        self.schema = ArrowSchema(format=fmt, name=b"", release=self._callbacks[0])
        self.array = ArrowArray(length=length, null_count=null_count, offset=offset,
                                n_buffers=len(buffers), buffers=self.buffers,
                                release=self._callbacks[1])

    def capsules(self):
        return (_new_capsule(ctypes.addressof(self.schema), b"arrow_schema", None),
                _new_capsule(ctypes.addressof(self.array), b"arrow_array", None))


def int64s(*values):
    return np.array(values, dtype=np.int64).tobytes()


def int32s(*values):
    return np.array(values, dtype=np.int32).tobytes()


# ---- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("typ", NUMBER_TYPES)
@pytest.mark.parametrize("nulls", [False, True])
def test_numbers_share_the_producers_values(typ, nulls):
    values = [i % 100 for i in range(100)]
    if nulls:
        values[5] = None
    arr = pa.array(values, type=typ)
    got = cc.from_arrow(arr)
    assert addr_of(got) == arr.buffers()[1].address
    assert got.tolist() == arr.to_pylist()
    assert got.nullable == nulls and got.null_count == arr.null_count
    copied = cc.from_arrow(arr, copy=True)
    assert addr_of(copied) != arr.buffers()[1].address
    assert copied == got


def test_the_producer_is_released_once_when_the_last_user_goes():
    p = Producer(b"l", 3, [None, int64s(5, 6, 7)])
    got = core._from_arrow_array(*p.capsules())
    assert p.released == 0
    assert addr_of(got) == p.pointers[1]
    snapshot = got.copy()  # shares the adopted buffer
    exported = pa.array(got)  # so does an Arrow export
    del got
    gc.collect()
    assert p.released == 0
    del snapshot
    gc.collect()
    assert p.released == 0
    assert exported.to_pylist() == [5, 6, 7]
    del exported
    gc.collect()
    assert p.released == 1


def test_copy_true_releases_the_producer_at_once():
    p = Producer(b"l", 3, [None, int64s(5, 6, 7)])
    got = core._from_arrow_array(*p.capsules(), True)
    assert p.released == 1
    assert addr_of(got) != p.pointers[1]
    assert got.tolist() == [5, 6, 7]


def test_a_first_write_that_copies_drops_the_producer():
    p = Producer(b"l", 3, [None, int64s(5, 6, 7)])
    got = core._from_arrow_array(*p.capsules())
    got[0] = 50  # copies: the producer's array is no longer needed
    assert p.released == 1
    assert got.tolist() == [50, 6, 7]
    assert np.frombuffer(p.keep[1], dtype=np.int64)[:3].tolist() == [5, 6, 7]


def test_pyarrow_memory_lives_exactly_as_long_as_the_container():
    pa_before = pa.total_allocated_bytes()
    arr = pa.array(list(range(100_000)), type=pa.int64())  # pyarrow's memory, not NumPy's
    grown = pa.total_allocated_bytes() - pa_before
    assert grown >= 800_000
    got = cc.from_arrow(arr)
    del arr
    gc.collect()
    assert pa.total_allocated_bytes() - pa_before >= 800_000  # still ours
    assert got[99_999] == 99_999
    del got
    gc.collect()
    assert pa.total_allocated_bytes() - pa_before < 800_000


def test_a_write_changes_the_container_only():
    arr = pa.array([1, 2, None, 4], type=pa.int32())
    got = cc.from_arrow(arr)
    got[0] = 10
    got[2] = 30
    got.append(5)
    got.sort()
    assert arr.to_pylist() == [1, 2, None, 4]
    assert got.tolist() == [2, 4, 5, 10, 30]


def test_numpy_views_of_an_adopted_array_are_read_only():
    arr = pa.array(np.arange(10, dtype=np.float64))
    got = cc.from_arrow(arr)
    view = np.asarray(got)
    assert not view.flags.writeable
    with pytest.raises(ValueError):
        view[0] = 1.0
    got[0] = 100.0  # the container copies; the old view keeps the producer's values
    assert view[0] == 0.0 and arr[0].as_py() == 0.0 and got[0] == 100.0


@pytest.mark.parametrize("offset", [1, 3, 8, 13, 16])
def test_sliced_arrays_share_values_at_the_offset(offset):
    values = [None if i % 5 == 0 else i for i in range(64)]
    base = pa.array(values, type=pa.int64())
    arr = base.slice(offset, 40)
    got = cc.from_arrow(arr)
    assert got.tolist() == arr.to_pylist()
    assert got.null_count == arr.null_count
    assert addr_of(got) == base.buffers()[1].address + offset * 8
    back = pa.array(got)  # the bitmap is shared when the bit offset is a byte boundary
    if offset % 8 == 0:
        assert back.buffers()[0].address == base.buffers()[0].address + offset // 8
    assert back.to_pylist() == arr.to_pylist()


def test_a_null_count_the_producer_does_not_know_is_counted():
    bits = bytes([0b1011])
    p = Producer(b"l", 4, [bits, int64s(1, 2, 3, 4)], null_count=-1)
    got = core._from_arrow_array(*p.capsules())
    assert got.tolist() == [1, 2, None, 4] and got.null_count == 1


def test_garbage_in_null_slots_stays_invisible():
    values = pa.py_buffer(np.array([1, 777, 3, 999], dtype=np.int64).tobytes())
    bits = pa.py_buffer(bytes([0b0101]))
    arr = pa.Array.from_buffers(pa.int64(), 4, [bits, values], null_count=2)
    got = cc.from_arrow(arr)
    assert got.tolist() == [1, None, 3, None]
    assert got == cc.Array("int64", [1, None, 3, None], nullable=True)
    assert got.count(None) == 2 and 777 not in got
    assert pickle.loads(pickle.dumps(got)).tolist() == [1, None, 3, None]
    assert pa.array(got).to_pylist() == [1, None, 3, None]
    got.sort()
    assert got.tolist() == [1, 3, None, None]


def test_misaligned_values_are_copied():
    raw = ctypes.create_string_buffer(8 * 4 + 1)
    ctypes.memmove(ctypes.addressof(raw) + 1, int64s(1, 2, 3, 4), 32)
    p = Producer(b"l", 4, [None, None])
    p.buffers[1] = ctypes.addressof(raw) + 1
    got = core._from_arrow_array(*p.capsules())
    assert got.tolist() == [1, 2, 3, 4]
    assert p.released == 1  # copied: released at once


def test_bools_are_copied():
    arr = pa.array([True, None, False, True])
    got = cc.from_arrow(arr)
    assert got.tolist() == [True, None, False, True]
    assert addr_of(got) != arr.buffers()[1].address


def test_a_pickled_adopted_array_round_trips():
    arr = pa.array([1.5, None, -2.0])
    got = cc.from_arrow(arr)
    for protocol in (2, 5):
        assert pickle.loads(pickle.dumps(got, protocol=protocol)) == got


def test_pa_cc_pa_round_trip_is_zero_copy():
    arr = pa.array([1, None, 3] * 100, type=pa.int16())
    back = pa.array(cc.from_arrow(arr))
    assert back.buffers()[1].address == arr.buffers()[1].address
    assert back.buffers()[0].address == arr.buffers()[0].address
    assert back.equals(arr)
    s = pa.array(["a", "é", None, "日本"] * 10)
    sback = pa.array(cc.from_arrow(s))
    assert sback.buffers()[2].address == s.buffers()[2].address
    assert sback.equals(s)


# ---- strings ---------------------------------------------------------------------------


@pytest.mark.parametrize("typ", [pa.string(), pa.large_string()])
def test_strings_share_bytes_and_offsets(typ):
    arr = pa.array(["héllo", None, "", "日本語", "x"] * 20, type=typ)
    got = cc.from_arrow(arr)
    assert got.tolist() == arr.to_pylist()
    assert data_addr(got) == arr.buffers()[2].address
    offsets = np.frombuffer(got.offsets, dtype=np.uint8)
    assert offsets.__array_interface__["data"][0] == arr.buffers()[1].address
    assert got.large == (typ == pa.large_string())


@pytest.mark.parametrize("offset", [1, 5, 8, 9])
def test_sliced_strings_share_the_bytes_with_rebased_offsets(offset):
    base = pa.array([None if i % 7 == 3 else f"s{i}é" for i in range(50)])
    arr = base.slice(offset, 30)
    got = cc.from_arrow(arr)
    assert got.tolist() == arr.to_pylist()
    first = int(np.frombuffer(base.buffers()[1], dtype=np.int32)[offset])
    assert data_addr(got) == base.buffers()[2].address + first
    assert np.frombuffer(got.offsets, dtype=np.int32)[0] == 0


def test_string_writes_copy_and_leave_the_producer_alone():
    arr = pa.array(["a", "bb", None])
    got = cc.from_arrow(arr)
    got[1] = "longer than before"
    got.append("new")
    del got[0]
    assert arr.to_pylist() == ["a", "bb", None]
    assert got.tolist() == ["longer than before", None, "new"]


def test_bad_utf8_still_names_the_element():
    p = Producer(b"u", 3, [None, int32s(0, 1, 2, 4), b"ab\xff\xfe"])
    with pytest.raises(ValueError, match="string 2 "):
        core._from_arrow_array(*p.capsules())
    assert p.released == 1


def test_bad_offsets_raise_and_release_once():
    p = Producer(b"u", 3, [None, int32s(0, 2, 1, 3), b"abc"])
    with pytest.raises(ValueError):
        core._from_arrow_array(*p.capsules())
    assert p.released == 1


def test_a_null_with_bytes_takes_the_copying_path():
    p = Producer(b"u", 3, [bytes([0b101]), int32s(0, 1, 3, 4), b"abcd"], null_count=1)
    got = core._from_arrow_array(*p.capsules())
    assert got.tolist() == ["a", None, "d"]
    assert p.released == 1  # copied


def test_string_views_and_dictionaries_are_copied():
    views = pa.array(["a" * 20, None, "b"], type=pa.string_view())
    assert cc.from_arrow(views).tolist() == ["a" * 20, None, "b"]
    cats = pa.array(["x", "y", "x", None]).dictionary_encode()
    assert cc.from_arrow(cats).tolist() == ["x", "y", "x", None]


def test_strings_release_the_producer_with_the_last_user():
    p = Producer(b"u", 2, [None, int32s(0, 2, 5), "héé".encode()[:0] + b"ab\xc3\xa9z"])
    got = core._from_arrow_array(*p.capsules())
    assert got.tolist() == ["ab", "éz"] and p.released == 0
    other = pa.array(got)
    del got
    gc.collect()
    assert p.released == 0
    assert other.to_pylist() == ["ab", "éz"]
    del other
    gc.collect()
    assert p.released == 1


# ---- tables ----------------------------------------------------------------------------


def test_table_from_arrow_shares_every_column_of_one_batch():
    at = pa.table({"i": [1, 2, None], "f": [0.5, 1.5, 2.5], "s": ["a", None, "ç"],
                   "b": [True, False, None], "c": pa.array(["x", "y", "x"]).dictionary_encode()})
    t = cc.Table.from_arrow(at)
    assert t.to_dicts() == at.to_pylist()
    assert addr_of(t["i"]) == at.column("i").chunk(0).buffers()[1].address
    assert addr_of(t["f"]) == at.column("f").chunk(0).buffers()[1].address
    assert data_addr(t["s"]) == at.column("s").chunk(0).buffers()[2].address
    t.append((4, 3.5, "d", True, "y"))
    t["i"][0] = 100
    assert at.column("i").to_pylist() == [1, 2, None]
    assert cc.Table.from_arrow(at, copy=True) == cc.Table.from_arrow(at)


def test_a_record_batch_shares_its_columns():
    batch = pa.record_batch({"i": pa.array([1, 2, 3], type=pa.int64())})
    t = cc.from_arrow(batch)
    assert addr_of(t["i"]) == batch.column(0).buffers()[1].address


def test_several_chunks_are_copied_into_one_container():
    chunked = pa.chunked_array([[1, 2], [3, None]], type=pa.int64())
    got = cc.from_arrow(chunked)
    assert got.tolist() == [1, 2, 3, None]
    at = pa.Table.from_batches([pa.record_batch({"s": ["a", "b"]}),
                                pa.record_batch({"s": ["c", None]})])
    assert cc.Table.from_arrow(at)["s"].tolist() == ["a", "b", "c", None]
    one = pa.chunked_array([[1, 2, 3]], type=pa.int64())
    assert addr_of(cc.from_arrow(one)) == one.chunk(0).buffers()[1].address


def test_copy_is_keyword_only():
    with pytest.raises(TypeError):
        cc.from_arrow(pa.array([1]), True)


# ---- pandas ----------------------------------------------------------------------------


def test_from_pandas_shares_numpy_columns_and_both_keep_their_values():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"i": np.arange(10, dtype=np.int64), "f": np.linspace(0, 1, 10),
                       "u": np.arange(10, dtype=np.uint16), "b": np.arange(10) % 2 == 0,
                       "s": [f"s{i}" for i in range(10)]})
    t = cc.Table.from_pandas(df)
    for name in ("i", "f", "u"):
        assert addr_of(t[name]) == df[name].to_numpy().__array_interface__["data"][0]
    assert t["b"].tolist() == (np.arange(10) % 2 == 0).tolist()  # bools: copied
    t["i"][0] = 100  # the Table copies
    assert df["i"].tolist() == list(range(10))
    df.iloc[1, 0] = -1  # pandas copies (Copy-on-Write): the Table keeps its values
    assert t["i"].tolist()[:3] == [100, 1, 2]
    copied = cc.Table.from_pandas(df, copy=True)
    assert addr_of(copied["f"]) != df["f"].to_numpy().__array_interface__["data"][0]
    assert copied.to_dicts() == cc.Table.from_pandas(df).to_dicts()


def test_from_pandas_keeps_the_memory_alive():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"f": np.arange(1000, dtype=np.float32)})
    t = cc.Table.from_pandas(df)
    del df
    gc.collect()
    assert t["f"].tolist() == [float(i) for i in range(1000)]


def test_from_pandas_arrow_backed_columns_share_too():
    pd = pytest.importorskip("pandas")
    s = pa.array(["a", None, "é"])
    df = pd.DataFrame({"s": pd.Series(pd.arrays.ArrowExtensionArray(s))})
    t = cc.Table.from_pandas(df)
    assert t["s"].tolist() == ["a", None, "é"]
    assert data_addr(t["s"]) == s.buffers()[2].address


def test_from_pandas_strided_columns_are_copied():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(np.arange(12, dtype=np.float32).reshape(4, 3), columns=["x", "y", "z"])
    assert cc.Table.from_pandas(df)["y"].tolist() == [1.0, 4.0, 7.0, 10.0]


# ---- against pyarrow ---------------------------------------------------------------------

if given is not None:
    ints = st.lists(st.one_of(st.none(), st.integers(-2**63, 2**63 - 1)), max_size=60)
    texts = st.lists(st.one_of(st.none(), st.text(max_size=8)), max_size=60)

    @settings(max_examples=150, deadline=None)
    @given(ints, st.data())
    def test_hypothesis_ints_round_trip(values, data):
        base = pa.array(values, type=pa.int64())
        off = data.draw(st.integers(0, len(values)))
        arr = base.slice(off, data.draw(st.integers(0, len(values) - off)))
        got = cc.from_arrow(arr)
        assert got.tolist() == arr.to_pylist()
        assert pa.array(got).to_pylist() == arr.to_pylist()
        got.append(1)
        assert arr.to_pylist() == base.to_pylist()[off:off + len(arr)]

    @settings(max_examples=150, deadline=None)
    @given(texts, st.data(), st.booleans())
    def test_hypothesis_strings_round_trip(values, data, large):
        base = pa.array(values, type=pa.large_string() if large else pa.string())
        off = data.draw(st.integers(0, len(values)))
        arr = base.slice(off, data.draw(st.integers(0, len(values) - off)))
        got = cc.from_arrow(arr)
        assert got.tolist() == arr.to_pylist()
        assert pa.array(got).to_pylist() == arr.to_pylist()
        assert got == cc.from_arrow(arr, copy=True)
