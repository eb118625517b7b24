"""NumPy interoperability of compactcol.Array (SPEC 3): zero-copy views both
ways, construction from every NumPy layout, dtype mapping, to_numpy, and
NumPy scalars as values and as needles."""

import gc
import math

import pytest

np = pytest.importorskip("numpy")

import compactcol  # noqa: E402
from compactcol import Array  # noqa: E402

DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64", "bool"]


def sample(dtype, n=7):
    if dtype == "bool":
        return [bool(i % 3) for i in range(n)]
    if dtype.startswith("float"):
        return [i * 1.5 - 3 for i in range(n)]
    info = np.iinfo(dtype)
    base = [int(info.min), int(info.max), 0, 1]
    return (base + list(range(2, n)))[:n]


# ---- zero copy ---------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_asarray_shares_memory_and_maps_the_dtype(dtype):
    a = Array(dtype, sample(dtype))
    n = np.asarray(a)
    assert n.dtype == np.dtype(dtype)
    assert n.shape == (len(a),)
    assert n.tolist() == a.tolist()
    assert n.flags.writeable and n.flags.c_contiguous
    assert a._debug_info()["exports"] == 1
    # write via NumPy, read via the array, and back
    n[1] = n[0]
    assert a[1] == a[0]
    a[2] = a[0]
    assert n[2] == n[0]
    assert np.shares_memory(n, np.asarray(a))
    with pytest.raises(BufferError):
        a.append(a[0])
    del n
    gc.collect()
    assert a._debug_info()["exports"] == 0
    a.append(a[0])


def test_asarray_is_constant_time_and_zero_length_works():
    for n in (0, 1, 10**6):
        a = Array("int64", range(n)) if n < 10 else Array.frombytes("int64", bytes(8 * n))
        v = np.asarray(a)
        assert v.size == n and v.base is not None
        if n:
            v[-1] = 42
            assert a[-1] == 42
        del v
    e = np.frombuffer(Array("float32"), dtype=np.float32)
    assert e.size == 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_to_numpy_without_nulls_is_a_view(dtype):
    for nullable in (False, True):
        a = Array(dtype, sample(dtype), nullable=nullable)
        n = a.to_numpy()
        assert n.dtype == np.dtype(dtype)
        assert n.tolist() == a.tolist()
        assert np.shares_memory(n, np.asarray(a))
        n[0] = n[1]
        assert a[0] == a[1]
        del n
        gc.collect()
        assert a._debug_info()["exports"] == 0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_to_numpy_with_nulls_float_gives_nan_copy(dtype):
    a = Array(dtype, [1.5, None, -0.0, None], nullable=True)
    n = a.to_numpy()
    assert n.dtype == np.dtype(dtype)
    assert n[0] == 1.5 and math.isnan(n[1]) and math.isnan(n[3])
    assert n[2] == 0 and math.copysign(1, n[2]) == -1
    n[0] = 99
    assert a[0] == 1.5, "with nulls the result is a copy"
    assert a._debug_info()["exports"] == 0
    m = a.to_numpy(na_value=-1.0)
    assert m.tolist() == [1.5, -1.0, -0.0, -1.0]


@pytest.mark.parametrize("dtype", [d for d in DTYPES if not d.startswith("float")])
def test_to_numpy_with_nulls_needs_na_value(dtype, snapshot, assert_unchanged):
    values = sample(dtype, 4)
    a = Array(dtype, [values[0], None, values[2], None], nullable=True)
    before = snapshot(a)
    with pytest.raises(ValueError, match="na_value"):
        a.to_numpy()
    assert_unchanged(a, before)
    fill = True if dtype == "bool" else values[3]
    n = a.to_numpy(na_value=fill)
    assert n.dtype == np.dtype(dtype)
    assert n.tolist() == [values[0], fill, values[2], fill]
    n[0] = n[2]
    assert a[0] == values[0]
    assert a._debug_info()["exports"] == 0


def test_to_numpy_adaptive_reports_current_width():
    a = Array("int", [1, 2])
    assert a.to_numpy().dtype == np.int8
    a.append(1000)
    assert a.to_numpy().dtype == np.int16


# ---- construction from NumPy ------------------------------------------------------------

@pytest.mark.parametrize("src_dtype", DTYPES)
def test_construction_from_contiguous_numpy_of_every_dtype(src_dtype):
    n = np.array(sample(src_dtype), dtype=src_dtype)
    a = Array(src_dtype, n)
    assert a.tolist() == n.tolist()
    assert not np.shares_memory(np.asarray(a), n), "construction copies"
    assert compactcol.array(n).dtype == src_dtype
    assert compactcol.array(n).tolist() == n.tolist()
    # into other dtypes: values checked one by one
    for target in DTYPES + ["int"]:
        expected = expected_conversion(n.tolist(), target)
        if isinstance(expected, type):
            with pytest.raises(expected):
                Array(target, n)
        else:
            assert Array(target, n).tolist() == expected, target


def expected_conversion(values, target):
    """What Array(target, values) holds, or the exception class it raises."""
    out = []
    for v in values:
        if target.startswith("float"):
            f = float(v)
            if target == "float32":
                f = float(np.float32(f))
            out.append(f)
        elif isinstance(v, float):
            return TypeError
        elif target == "bool":
            if v not in (0, 1):
                return OverflowError
            out.append(bool(v))
        else:
            lo, hi = ((-2**63, 2**63 - 1) if target == "int"
                      else (int(np.iinfo(target).min), int(np.iinfo(target).max)))
            if not lo <= v <= hi:
                return OverflowError
            out.append(int(v))
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_construction_from_non_contiguous_and_big_endian(dtype):
    base = np.array(sample(dtype, 20), dtype=dtype)
    strided = base[::3]
    assert not strided.flags.c_contiguous
    assert Array(dtype, strided).tolist() == strided.tolist()
    rev = base[::-1]
    assert Array(dtype, rev).tolist() == rev.tolist()
    if np.dtype(dtype).itemsize > 1:
        swapped = base.astype(np.dtype(dtype).newbyteorder(">"))
        assert swapped.tolist() == base.tolist()
        a = Array(dtype, swapped)
        assert a.tolist() == base.tolist()
        b = Array(dtype, [])
        b.extend(swapped)
        b[2:4] = swapped[:5]
        assert b.tolist() == base.tolist()[:2] + base.tolist()[:5] + base.tolist()[4:]
    two_d = base.reshape(4, 5)
    assert Array(dtype, two_d[:, 0]).tolist() == two_d[:, 0].tolist()
    with pytest.raises(TypeError):
        Array(dtype, two_d)          # rows are arrays, not numbers


def test_compactcol_array_keeps_the_dtype_of_any_numpy_array():
    """compactcol.array documents that a NumPy array keeps its dtype; that
    includes non-native byte order and strided arrays."""
    for dtype in ("int16", "int64", "uint32", "float64"):
        base = np.arange(6, dtype=dtype)
        for arr in (base, base[::2], base.astype(np.dtype(dtype).newbyteorder(">"))):
            a = compactcol.array(arr)
            assert a.dtype == dtype, (dtype, arr.dtype)
            assert a.tolist() == arr.tolist()


def test_float16_and_other_unsupported_numpy_dtypes():
    h = np.array([1.5, -2.0], dtype=np.float16)
    assert Array("float64", h).tolist() == [1.5, -2.0]
    assert Array("float32", h).tolist() == [1.5, -2.0]
    with pytest.raises(TypeError):
        Array("int64", h)
    with pytest.raises(ValueError):
        Array(np.float16)
    with pytest.raises(ValueError):
        Array(np.dtype("complex128"))
    with pytest.raises(ValueError):
        Array(np.dtype(">i8"))
    with pytest.raises(ValueError):
        Array(np.dtype("U3"))


def test_dtype_given_as_numpy_types_and_dtypes():
    for name in DTYPES:
        assert Array(np.dtype(name)).dtype == name
        assert Array(np.dtype(name).type).dtype == name
        assert Array(np.dtype(name).str).dtype == name      # '<i8', '|b1'
    # every NumPy scalar type whose (native) dtype we store maps to it
    for t in set(np.sctypeDict.values()):
        try:
            dt = np.dtype(t)
        except TypeError:
            continue
        if dt.name in DTYPES and dt.isnative:
            assert Array(t).dtype == dt.name, t


# ---- NumPy scalars ---------------------------------------------------------------------

def test_numpy_scalars_as_values():
    a = Array("int64", [np.int64(5), np.int8(-3), np.uint64(7), 1])
    assert a.tolist() == [5, -3, 7, 1] and all(type(x) is int for x in a)
    with pytest.raises(TypeError):
        a.append(np.bool_(True))       # no __index__ (NumPy 2): not an int
    a.append(np.int32(9))
    a[0] = np.uint8(200)
    a.insert(0, np.int16(-1))
    a.extend([np.int64(2**62)])
    assert a.tolist() == [-1, 200, -3, 7, 1, 9, 2**62]
    with pytest.raises(TypeError):
        a.append(np.float64(1.0))
    with pytest.raises(TypeError):
        a.append(np.float32(1.0))
    with pytest.raises(OverflowError):
        Array("int8").append(np.int64(300))
    with pytest.raises(OverflowError):
        Array("uint8").append(np.int8(-1))
    with pytest.raises(OverflowError):
        Array("int64").append(np.uint64(2**64 - 1))
    assert Array("uint64", [np.uint64(2**64 - 1)]).tolist() == [2**64 - 1]

    f = Array("float32", [np.float64(0.1), np.float32(0.25), np.int64(3), np.bool_(False)])
    assert f.tolist() == [float(np.float32(0.1)), 0.25, 3.0, 0.0]
    with pytest.raises(OverflowError):
        f.append(np.float64(1e300))
    f.append(np.float64("inf"))

    b = Array("bool", [np.bool_(True), np.bool_(False), np.int8(1)])
    assert b.tolist() == [True, False, True] and all(type(x) is bool for x in b)
    with pytest.raises(OverflowError):
        b.append(np.int64(2))
    with pytest.raises(TypeError):
        b.append(np.float64(1.0))

    ad = Array("int", [np.int8(1)])
    ad.append(np.int64(2**40))
    assert ad.dtype == "int64" and ad.tolist() == [1, 2**40]


def test_numpy_scalars_as_needles():
    a = Array("int32", [1, 5, 3, 5, 0])
    assert np.int64(5) in a and a.index(np.int8(3)) == 2 and a.count(np.uint16(5)) == 2
    assert np.float64(5.0) in a and np.float32(5.5) not in a
    assert np.bool_(True) in a and a.count(np.bool_(False)) == 1   # True == 1
    assert a.index(np.bool_(True)) == 0
    assert a.index(np.float64(0.0)) == 4
    a.remove(np.int64(5))
    assert a.tolist() == [1, 3, 5, 0]

    f = Array("float32", [0.1, 0.25, float("nan")])
    assert np.float32(0.1) in f            # the same float32 value
    assert 0.1 not in f                    # no float32 equals the double 0.1
    assert np.float64(0.25) in f and f.index(np.float16(0.25)) == 1
    assert np.float64("nan") not in f and f.count(np.float32("nan")) == 0

    b = Array("bool", [False, True])
    assert b.index(np.bool_(True)) == 1 and b.count(np.int64(1)) == 1

    u = Array("uint64", [2**64 - 1])
    assert np.uint64(2**64 - 1) in u and np.int64(-1) not in u


def test_comparisons_with_numpy_arrays_are_elementwise():
    a = Array("int64", [1, 2, 3])
    n = np.array([1, 5, 3])
    r = a == n
    assert isinstance(r, np.ndarray) and r.tolist() == [True, False, True]
    assert (n == a).tolist() == [True, False, True]
    assert (a < n).tolist() == [False, True, False]
    # as with list, + with an ndarray is NumPy's elementwise addition
    assert (a + np.array([4, 5, 6])).tolist() == ([1, 2, 3] + np.array([4, 5, 6])).tolist()
    a.extend(np.array([4, 5]))
    assert a == [1, 2, 3, 4, 5]


def test_view_of_a_null_holding_array_and_writes_through_it():
    """BAD_INPUTS NA13 for nullable arrays: the view shows the value slots
    (0 under nulls); writing into a null slot through the view must not
    corrupt the array: it still reads None there and counts stay right."""
    a = Array("int64", [None, 0, 5, None], nullable=True)
    n = np.asarray(a)
    assert n.tolist() == [0, 0, 5, 0]
    n[:] = [7, 0, 5, 0]
    del n
    assert a.tolist() == [None, 0, 5, None]
    assert a.count(0) == 1 and a.count(7) == 0 and a.count(None) == 2
    assert 7 not in a and a.index(0) == 1
    a._debug_info()
    a.sort()
    assert a.tolist() == [0, 5, None, None]


def test_compactcol_array_of_numpy_scalars_needs_a_dtype():
    """Decided (docs/array.md): a list of NumPy scalars is not inferred."""
    with pytest.raises(TypeError, match="dtype="):
        compactcol.array([np.int64(1), np.int64(2)])
    a = compactcol.array([np.int64(1), np.int64(2)], dtype="int64")
    assert a.dtype == "int64" and a.tolist() == [1, 2]
    assert compactcol.array([np.float64(1.5)]).dtype == "float64"   # a float subclass
