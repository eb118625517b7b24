"""Pickling compactcol.Array: BAD_INPUTS PK1-PK6 and the frozen pickles in
tests/data/ (written once by tests/data/make_frozen_pickles.py; old pickles
must keep loading)."""

import copy
import json
import math
import os
import pickle
import struct
import sys
import tracemalloc

import pytest

import compactcol
from compactcol import Array
from compactcol._pickle import array_from_state

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

INT_RANGES = {
    "int8": (-2**7, 2**7 - 1), "int16": (-2**15, 2**15 - 1),
    "int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1),
    "uint8": (0, 2**8 - 1), "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1),
}
STRUCT = {"int8": "b", "int16": "h", "int32": "i", "int64": "q", "uint8": "B",
          "uint16": "H", "uint32": "I", "uint64": "Q", "float32": "f", "float64": "d",
          "bool": "?"}


def key(x):
    """Comparable form: NaN equal to NaN, -0.0 distinct from 0.0."""
    if isinstance(x, float):
        return ("f", "nan") if math.isnan(x) else ("f", x, math.copysign(1, x))
    return (type(x).__name__, x)


def same(a, b):
    """b is an exact copy of a: values (with types), dtype, flags, bitmap."""
    assert type(b) is Array
    assert [key(x) for x in b] == [key(x) for x in a]
    assert (b.dtype, b.adaptive, b.nullable, b.null_count) == \
        (a.dtype, a.adaptive, a.nullable, a.null_count)
    assert b._validity() == a._validity()
    assert b.tobytes() == a.tobytes()
    info = b._debug_info()
    assert info["exports"] == 0


def examples():
    out = {}
    for dt, (lo, hi) in INT_RANGES.items():
        out[dt] = Array(dt, [lo, hi, 0, 1, lo + 1])
    out["float32"] = Array("float32", [0.5, -0.0, float("inf"), float("nan"), 1e-40])
    out["float64"] = Array("float64", [0.1, -0.0, float("-inf"), float("nan"), 5e-324])
    out["bool"] = Array("bool", [True, False, True])
    for dt in list(STRUCT) + ["int"]:
        out[f"empty-{dt}"] = Array(dt)
        out[f"empty-nullable-{dt}"] = Array(dt, nullable=True)
    out["adaptive8"] = Array("int", [1, -1])
    out["adaptive16"] = Array("int", [1, 300])
    out["adaptive32"] = Array("int", [1, 70000])
    out["adaptive64"] = Array("int", [1, 2**40])
    out["adaptive-grown-then-cleared"] = Array("int", [2**40])
    out["adaptive-grown-then-cleared"].clear()
    out["nullable"] = Array("int16", [None, 1, None, 2, 3, 4, 5, 6, 7, None], nullable=True)
    out["nullable-float"] = Array("float64", [None, float("nan"), -0.0], nullable=True)
    out["nullable-bool"] = Array("bool", [True, None], nullable=True)
    out["nullable-adaptive"] = Array("int", [None, 2**35], nullable=True)
    out["nullable-nonull"] = Array("uint8", [1, 2], nullable=True)
    out["all-null"] = Array("int64", [None] * 9, nullable=True)
    out["sliced"] = Array("int64", range(1000))[7:900:13]
    out["sliced-nullable"] = Array("int32", [None, 1, 2] * 30, nullable=True)[1::4]
    out["big"] = Array("int64", range(100_000))
    return out


EXAMPLES = examples()


# ---- PK1: round trips ------------------------------------------------------------

@pytest.mark.parametrize("protocol", range(0, pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_PK1_round_trip_in_band(name, protocol):
    a = EXAMPLES[name]
    b = pickle.loads(pickle.dumps(a, protocol=protocol))
    same(a, b)
    assert a._debug_info()["exports"] == 0, "pickling left an export behind"
    b.append(None if b.nullable else (True if b.dtype == "bool" else 1))  # independent and mutable
    assert len(b) == len(a) + 1


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_PK1_round_trip_out_of_band(name):
    a = EXAMPLES[name].copy()       # written below
    buffers = []
    data = pickle.dumps(a, protocol=5, buffer_callback=buffers.append)
    # the data, and a nullable array's bitmap, out of band (issue 14)
    with_bitmap = a.nullable and len(a) > 0
    assert len(buffers) == 1 + with_bitmap
    raw = buffers[0].raw()
    assert raw.nbytes == len(a) * a.itemsize
    assert bytes(raw) == a.tobytes()
    bitmap = [bytes(buffers[1].raw())] if with_bitmap else []
    if with_bitmap:
        assert bitmap[0] == a._validity()
    # the payload really is out of band: the pickle does not carry it
    if len(a) * a.itemsize > 64:
        assert a.tobytes() not in data
        assert len(data) < 200 + len(a) // 8
    b = pickle.loads(data, buffers=buffers)
    same(a, b)
    # a PickleBuffer is a snapshot (copy-on-write), not an export: the
    # source is free to change and the buffer keeps the pickled values
    before = a.tobytes()
    assert a._debug_info()["exports"] == 0
    if len(a):
        a.append(a[0])
        assert bytes(raw) == before
    for buf in buffers:
        buf.release()
    raw.release()
    b2 = pickle.loads(data, buffers=[bytearray(before)] + bitmap)
    same(b, b2)


def test_PK1_out_of_band_result_does_not_alias_the_buffer():
    a = Array("int64", [1, 2, 3])
    buffers = []
    data = pickle.dumps(a, protocol=5, buffer_callback=buffers.append)
    src = bytearray(a.tobytes())
    b = pickle.loads(data, buffers=[src])
    src[:8] = (99).to_bytes(8, sys.byteorder)
    assert b == [1, 2, 3]
    b[0] = 7
    assert src[:8] == (99).to_bytes(8, sys.byteorder)
    for buf in buffers:
        buf.release()


def test_PK1_shared_references_and_containers():
    a = Array("float32", [1.5, 2.5])
    obj = {"x": a, "y": [a, a], "z": Array("int", [300])}
    for protocol in (2, 4, 5):
        r = pickle.loads(pickle.dumps(obj, protocol=protocol))
        assert r["x"] is r["y"][0] is r["y"][1]
        same(a, r["x"])
        same(obj["z"], r["z"])


def test_PK1_copy_module():
    for name, a in EXAMPLES.items():
        for c in (copy.copy(a), copy.deepcopy(a)):
            same(a, c)
            assert c is not a


def test_PK1_reduce_shape():
    a = Array("int16", [1, None], nullable=True)
    fn, args = a.__reduce_ex__(2)
    assert fn is array_from_state
    assert args[:5] == ("int16", False, True, sys.byteorder, 2)
    assert bytes(args[5]) == a.tobytes()
    assert args[6] == a._validity()
    fn5, args5 = a.__reduce_ex__(5)
    assert isinstance(args5[5], pickle.PickleBuffer)
    args5[5].release()
    assert a._debug_info()["exports"] == 0


# ---- PK2: missing / wrong out-of-band buffers ---------------------------------------

def test_PK2_out_of_band_buffers_missing_too_few_or_wrong_size():
    a = Array("int32", [1, 2, 3])
    b = Array("float64", [1.5])
    buffers = []
    data = pickle.dumps([a, b], protocol=5, buffer_callback=buffers.append)
    assert len(buffers) == 2
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data)
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data, buffers=buffers[:1])
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data, buffers=[])
    for wrong in (b"", b"\x00" * 11, b"\x00" * 13, b"\x00" * 24):
        with pytest.raises(ValueError):
            pickle.loads(data, buffers=[wrong, buffers[1]])
    with pytest.raises(ValueError):
        pickle.loads(data, buffers=[buffers[0], b"\x00" * 7])
    with pytest.raises(ValueError):    # swapped
        pickle.loads(data, buffers=[buffers[1], buffers[0]])
    r = pickle.loads(data, buffers=iter(buffers))
    assert r == [[1, 2, 3], [1.5]]
    for buf in buffers:
        buf.release()
    a.append(4)


def test_PK2_non_buffer_given_as_buffer():
    a = Array("int8", [1, 2])
    buffers = []
    data = pickle.dumps(a, protocol=5, buffer_callback=buffers.append)
    with pytest.raises(TypeError):
        pickle.loads(data, buffers=[[1, 2]])
    with pytest.raises(TypeError):
        pickle.loads(data, buffers=["ab"])
    buffers[0].release()


# ---- PK3: read-only out-of-band buffer ---------------------------------------------------

def test_PK3_read_only_buffer_is_copied():
    a = Array("int64", [1, 2, 3])
    buffers = []
    data = pickle.dumps(a, protocol=5, buffer_callback=buffers.append)
    ro = memoryview(bytes(a.tobytes()))
    assert ro.readonly
    b = pickle.loads(data, buffers=[ro])
    assert b == [1, 2, 3]
    b[0] = 10                       # writable: it owns a copy
    b.append(4)
    with memoryview(b) as m:
        assert not m.readonly
    assert ro.tobytes() == a.tobytes()
    buffers[0].release()
    # the READONLY_BUFFER opcode path: a read-only PickleBuffer
    pb = pickle.PickleBuffer(bytes(a.tobytes()))
    state = list(a.__reduce_ex__(2)[1])
    state[5] = pb
    c = array_from_state(*state)
    assert c == [1, 2, 3]
    c[0] = 5
    assert c == [5, 2, 3]


# ---- PK4: crafted state ----------------------------------------------------------------

GOOD = ("int32", False, False, sys.byteorder, 3, struct.pack("=3i", 1, 2, 3), None)


def state(**changes):
    names = ["dtype", "adaptive", "nullable", "byteorder", "length", "data", "validity"]
    s = dict(zip(names, GOOD))
    s.update(changes)
    return [s[n] for n in names]


def test_PK4_good_state_loads():
    assert array_from_state(*GOOD) == [1, 2, 3]


@pytest.mark.parametrize("changes", [
    dict(length=2), dict(length=4), dict(length=0), dict(length=-1), dict(length=2**62),
    dict(length=2**63), dict(length=2**64 + 3), dict(length=-2**70),
    dict(data=b"\x00" * 11), dict(data=b"\x00" * 13), dict(data=b""),
    dict(dtype="int128"), dict(dtype="float16"), dict(dtype=""), dict(dtype="int"),
    dict(dtype="Int32"), dict(dtype="int32\x00"), dict(dtype="object"),
    dict(adaptive=True, dtype="float64", data=b"\x00" * 24),
    dict(adaptive=True, dtype="uint32"), dict(adaptive=True, dtype="bool", data=b"\x00" * 3),
    dict(byteorder="middle"), dict(byteorder=""), dict(byteorder="LITTLE"),
    dict(byteorder="native"),
    dict(validity=b"\x07"),                              # validity on a non-nullable array
    dict(nullable=True, validity=b""), dict(nullable=True, validity=b"\x07\x00"),
], ids=lambda c: ",".join(f"{k}={v!r}"[:30] for k, v in c.items()))
def test_PK4_crafted_state_raises_valueerror(changes):
    with pytest.raises(ValueError):
        array_from_state(*state(**changes))


def test_PK4_claimed_sizes_are_not_allocated_before_checking():
    tracemalloc.start()
    try:
        for n in (2**62, 2**61, 2**40, 10**12):
            for dt in ("int8", "int64", "float32"):
                with pytest.raises(ValueError):
                    array_from_state(dt, False, False, sys.byteorder, n, b"\x00" * 8, None)
                with pytest.raises(ValueError):
                    array_from_state(dt, False, True, sys.byteorder, n, b"\x00" * 8, b"\xff")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20


def test_PK4_bitmap_bits_past_the_length_and_values_under_nulls():
    data = struct.pack("=10h", *range(1, 11))
    # bits 0,2 null; bits past the length (10..15) set
    a = array_from_state("int16", False, True, sys.byteorder, 10, data, bytes([0b11111010, 0xff]))
    a._debug_info()
    assert a == [None, 2, None, 4, 5, 6, 7, 8, 9, 10]
    assert a.null_count == 2
    assert a._validity() == bytes([0b11111010, 0b00000011])
    assert a.count(0) == 0 and a.count(None) == 2
    assert a.tobytes()[:2] == b"\x00\x00"       # values under nulls are zeroed
    a.append(11)
    a.extend([None] * 10)
    a._debug_info()
    assert a.null_count == 12


def test_PK4_nullable_without_bitmap_means_all_valid():
    a = array_from_state("int32", False, True, sys.byteorder, 3, struct.pack("=3i", 1, 2, 3), None)
    assert a == [1, 2, 3] and a.nullable and a.null_count == 0
    a.append(None)
    a._debug_info()


def test_PK4_adaptive_state_of_each_width():
    for dt in ("int8", "int16", "int32", "int64"):
        fmt = "=" + STRUCT[dt]
        a = array_from_state(dt, True, False, sys.byteorder, 1, struct.pack(fmt, -5), None)
        assert a.adaptive and a.dtype == dt and a == [-5]
        a.append(2**40)
        assert a.dtype == "int64" and a == [-5, 2**40]


def test_PK4_bool_bytes_other_than_0_and_1():
    """A bool payload byte of 2..255 (a hostile pickle) must not produce a
    bool array whose storage holds something NumPy would not call a bool."""
    a = array_from_state("bool", False, False, sys.byteorder, 3, b"\x00\x02\xff", None)
    a._debug_info()
    assert a == [False, True, True]
    assert a.tobytes() == b"\x00\x01\x01"
    assert a.count(True) == 2 and a.index(True) == 1


# ---- PK5: wrong argument types ------------------------------------------------------------

@pytest.mark.parametrize("changes", [
    dict(dtype=5), dict(dtype=b"int32"), dict(dtype=None),
    dict(adaptive=1), dict(adaptive="yes"), dict(adaptive=None),
    dict(nullable=0), dict(nullable="no"),
    dict(byteorder=b"little"), dict(byteorder=None), dict(byteorder=1),
    dict(length="3"), dict(length=3.0), dict(length=None),
    dict(data=[1, 2, 3]), dict(data="abc"), dict(data=None), dict(data=12),
    dict(nullable=True, validity=7), dict(nullable=True, validity="\x07"),
], ids=lambda c: ",".join(f"{k}={v!r}" for k, v in c.items()))
def test_PK5_wrong_types_raise_typeerror(changes):
    with pytest.raises(TypeError):
        array_from_state(*state(**changes))


def test_PK5_wrong_argument_count():
    with pytest.raises(TypeError):
        array_from_state(*GOOD[:6])
    with pytest.raises(TypeError):
        compactcol._core._array_from_state(*GOOD, None)
    with pytest.raises(TypeError):
        compactcol._core._array_from_state()


# ---- PK6: foreign byte order ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", list(STRUCT))
def test_PK6_big_and_little_endian_payloads(dtype):
    if dtype == "bool":
        values = [True, False, True]
    elif dtype.startswith("float"):
        values = [1.5, -2.25, float("inf"), 0.1 if dtype == "float64" else 0.5]
    else:
        lo, hi = INT_RANGES[dtype]
        values = [lo, hi, 1, hi // 3]
    fmt = STRUCT[dtype]
    for order, prefix in (("big", ">"), ("little", "<")):
        data = struct.pack(f"{prefix}{len(values)}{fmt}", *values)
        a = array_from_state(dtype, False, False, order, len(values), data, None)
        assert a.dtype == dtype
        assert [key(x) for x in a] == [key(x) for x in values], order
        a._debug_info()
        # nullable too: the bitmap has no byte order
        n = array_from_state(dtype, False, True, order, len(values), data, b"\x05")
        assert list(n) == [values[0], None, values[2]] + [None] * (len(values) - 3)


def test_PK6_big_endian_adaptive_and_out_of_band():
    data = struct.pack(">3h", 300, -2, 7)
    a = array_from_state("int16", True, False, "big", 3, data, None)
    assert a == [300, -2, 7] and a.adaptive
    a = array_from_state("int16", True, False, "big", 3, bytearray(data), None)
    assert a == [300, -2, 7]
    src = bytearray(data)
    array_from_state("int16", True, False, "big", 3, src, None)
    assert src == data, "byteswapping must not touch the caller's buffer"


# ---- frozen pickles ----------------------------------------------------------------------------

def decode(x):
    if isinstance(x, dict):
        return float.fromhex(x["float"])
    return x


def frozen_expected():
    with open(os.path.join(DATA, "array_v1_expected.json")) as f:
        return json.load(f)["arrays"]


@pytest.mark.parametrize("filename", ["array_v1.pickle", "array_v1_p5.pickle"])
def test_frozen_pickles_still_load(filename):
    expected = frozen_expected()
    with open(os.path.join(DATA, filename), "rb") as f:
        loaded = pickle.load(f)
    assert sorted(loaded) == sorted(expected)
    dtypes = set()
    for name, exp in expected.items():
        a = loaded[name]
        a._debug_info()
        assert type(a) is Array, name
        assert (a.dtype, a.adaptive, a.nullable) == (exp["dtype"], exp["adaptive"],
                                                     exp["nullable"]), name
        assert [key(x) for x in a] == [key(decode(x)) for x in exp["values"]], name
        assert a.null_count == exp["values"].count(None)
        dtypes.add(a.dtype)
        # and they are fully working arrays
        b = a.copy()
        b.extend(a)
        assert len(b) == 2 * len(a)
    # every dtype there was when the pickles were frozen (before the temporal ones)
    assert dtypes == {d for d in compactcol.DTYPES if d[-1].isdigit() or d == "bool"} - {"date32"}
    assert {n for n in expected if expected[n]["adaptive"]} >= {
        "adaptive_int8", "adaptive_int16", "adaptive_int32", "adaptive_int64"}


def test_frozen_pickles_match_a_fresh_pickle():
    """Today's pickles of the same arrays load to the same values (the
    format did not drift in a way only new pickles can read)."""
    with open(os.path.join(DATA, "array_v1.pickle"), "rb") as f:
        loaded = pickle.load(f)
    for name, a in loaded.items():
        for protocol in (2, 5):
            same(a, pickle.loads(pickle.dumps(a, protocol=protocol)))


@pytest.mark.parametrize("make", [
    lambda: Array("int32", [None if i % 3 == 0 else i for i in range(200_000)], nullable=True),
    lambda: compactcol.StringArray([None if i % 3 == 0 else f"s{i}" for i in range(200_000)],
                           nullable=True),
], ids=["Array", "StringArray"])
def test_PK1_an_out_of_band_bitmap_is_kept_in_place(make):
    """Protocol 5 sends the validity bitmap out of band with the data
    (issue 14), and loading keeps both in place: nothing of the payload is
    allocated; the first write copies, and the source never sees it."""
    a = make()
    buffers = []
    data = pickle.dumps(a, protocol=5, buffer_callback=buffers.append)
    assert len(buffers) == (2 if isinstance(a, Array) else 3)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        b = pickle.loads(data, buffers=buffers)
        grew = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert grew < 4096, f"{grew} bytes allocated by loading"
    assert b.tolist() == a.tolist() and b.null_count == a.null_count
    b[1] = None
    b[0] = b[2]
    assert a[1] is not None and a[0] is None
    assert b.null_count == a.null_count
    assert b._debug_info() is not None and a._debug_info() is not None
