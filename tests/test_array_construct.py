"""Construction from a list or tuple of ints (issue 16's construction row).

A list or tuple of exact ints into an integer dtype takes a fast path
(src/array_convert.c: collect_list_or_tuple reads compact ints directly and
stores them with cc_numarray_append_i64); everything else goes value by
value through the generic conversion, which an iterator over the same
values always takes.  So each case here is built three ways -- from a list,
a tuple and an iterator -- and all three must agree: the same values and
dtype, or the same exception with the same message (naming the index and
the value).  array.array is the reference for which values fit.
"""

import array as stdarray

import pytest
from hypothesis import given
from hypothesis import strategies as st

import compactcol._core as core
from compactcol import Array

TYPECODES = {"int8": "b", "int16": "h", "int32": "i", "int64": "q",
             "uint8": "B", "uint64": "Q"}
DTYPES = list(TYPECODES) + ["int"]

# the edges of a compact int (one 30-bit digit), of int64 and of uint64
EDGES = [0, 1, -1, 127, -128, 128, -129, 255, 256, 2**15, -2**15 - 1,
         2**30 - 1, 2**30, -2**30 + 1, -2**30, 2**31 - 1, 2**31, -2**31, -2**31 - 1,
         2**62, -2**62, 2**63 - 1, -2**63, 2**63, -2**63 - 1, 2**64 - 1, 2**64, -2**64]


class IntSub(int):
    pass


class Indexable:
    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v

    def __repr__(self):
        return f"Indexable({self.v})"


def build(dtype, values, how, nullable=False):
    """("ok", list(a), a.dtype) or ("err", exception type, message)."""
    src = {"list": list, "tuple": tuple, "iter": iter}[how](values)
    try:
        a = Array(dtype, src, nullable=nullable)
    except Exception as e:  # noqa: BLE001 -- compared as they are
        return ("err", type(e), str(e))
    a._debug_info()
    return ("ok", list(a), a.dtype)


def reference(dtype, values):
    """True if array.array takes the values (the adaptive 'int': int64's range)."""
    try:
        stdarray.array(TYPECODES.get(dtype, "q"), values)
    except OverflowError:
        return False
    return True


def check(dtype, values, nullable=False):
    got = {how: build(dtype, values, how, nullable) for how in ("list", "tuple", "iter")}
    assert got["list"] == got["tuple"] == got["iter"], got
    r = got["list"]
    if reference(dtype, values):
        assert r[0] == "ok", r
        assert r[1] == [int(v) for v in values]
        assert all(type(x) is int for x in r[1])
    else:
        assert r[0] == "err" and r[1] is OverflowError, r
    return r


@pytest.mark.parametrize("nullable", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("v", EDGES)
def test_edge_values_like_array_array(dtype, v, nullable):
    r = check(dtype, [5, v, 7], nullable)
    if r[0] == "err":
        assert f"item 1: {v} is out of range" in r[2], r


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("v", [True, False, IntSub(3), IntSub(2**40), IntSub(-2**63),
                               Indexable(9), Indexable(2**63 - 1), Indexable(-2**63 - 1)])
def test_bools_subclasses_and_index(dtype, v):
    check(dtype, [1, v, 2])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bad", [1.5, "7", None, b"x", 2.0])
def test_wrong_types_name_index_and_value(dtype, bad):
    r = check_type_error(dtype, [1, 2, bad, 4])
    name = "None" if bad is None else type(bad).__name__
    assert "item 2: expected int, got " + name in r[2], r


def check_type_error(dtype, values):
    got = {how: build(dtype, values, how) for how in ("list", "tuple", "iter")}
    assert got["list"] == got["tuple"] == got["iter"], got
    assert got["list"][0] == "err" and got["list"][1] is TypeError, got
    return got["list"]


def test_adaptive_widens_from_the_fast_path():
    for values, want in [([1, 2, 3], "int8"), ([1, 300], "int16"), ([1, 2**20], "int32"),
                         ([1, 2**40], "int64"), ([1, -2**63], "int64")]:
        r = check("int", values)
        assert r[0] == "ok" and r[2] == want, (values, r)


def test_index_mutating_the_list_is_read_as_it_then_is():
    """An __index__ that changes the source list: the list path and the
    list-iterator path read it the same way (the size is re-read each step)."""
    def make(mutate):
        src = []

        class Mut:
            def __index__(self):
                mutate(src)
                return 2

        src.extend([1, Mut(), 3, 4, 2**40, 6])
        return src

    for mutate in (lambda s: s.clear(), lambda s: s.append(99), lambda s: s.pop(),
                   lambda s: s.__delitem__(slice(2, None)), lambda s: s.extend(range(1000)),
                   lambda s: s.__setitem__(3, "x"), lambda s: s.__setitem__(3, 2**70)):
        results = []
        for how in (list, iter):
            src = make(mutate)
            try:
                a = Array("int64", src if how is list else iter(src))
                a._debug_info()
                results.append(("ok", list(a)))
            except Exception as e:  # noqa: BLE001
                results.append(("err", type(e), str(e)))
        assert results[0] == results[1], results


@pytest.mark.parametrize("n", [10, 200_000])  # 200_000 int64: a mapped, pre-faulted block
def test_failed_construction_leaves_nothing_behind(n):
    before = core._debug_alloc_stats()
    for bad, exc in [(2**63, OverflowError), (1.5, TypeError), ("s", TypeError)]:
        lst = list(range(n))
        lst[n // 2] = bad
        with pytest.raises(exc, match=f"item {n // 2}: "):
            Array("int64", lst)
    with pytest.raises(OverflowError, match=f"item {n - 1}: 128 is out of range for int8"):
        Array("int8", [0] * (n - 1) + [128])
    after = core._debug_alloc_stats()
    assert after["live_blocks"] == before["live_blocks"]
    assert after["mapped_blocks"] == before["mapped_blocks"]


@pytest.mark.parametrize("k", [1, 2])
def test_allocation_failure_raises_memoryerror(k):
    before = core._debug_alloc_stats()["live_blocks"]
    core._debug_fail_alloc(k)
    try:
        a = Array("int64", list(range(200_000)))
    except MemoryError:
        pass
    else:
        assert list(a) == list(range(200_000))
        del a
    finally:
        core._debug_fail_alloc(0)
    assert core._debug_alloc_stats()["live_blocks"] == before


def test_large_list_round_trips():
    lst = list(range(-500_000, 500_000, 3)) + [2**63 - 1, -2**63]
    a = Array("int64", lst)
    assert list(a) == lst
    assert Array("int64", tuple(lst)) == a
    assert bytes(a) == stdarray.array("q", lst).tobytes()


ints = st.one_of(st.integers(-2**64, 2**64), st.sampled_from(EDGES), st.booleans())


@given(dtype=st.sampled_from(DTYPES), values=st.lists(ints, max_size=20))
def test_property_list_tuple_iter_agree(dtype, values):
    check(dtype, values)


# ---- append: the same fast read of an exact int (src/array_methods.c append_fast)

APPEND_EDGES = EDGES + [2**60 - 1, 2**60, -(2**60) + 1, -(2**60), 2**53, 2**53 + 1, -2**53 - 1]


def append_result(make, v):
    """("ok", list) or ("err", exception type) for appending v to make()."""
    a = make()
    try:
        a.append(v)
    except Exception as e:  # noqa: BLE001 -- compared as they are
        return ("err", type(e))
    return ("ok", list(a))


@pytest.mark.parametrize("dtype", list(TYPECODES))
@pytest.mark.parametrize("v", APPEND_EDGES)
def test_append_edges_as_array_array(dtype, v):
    """Appending to a fixed-width array (with room: the fast path, and full:
    the general one) stores or refuses exactly what array.array does."""
    code = TYPECODES[dtype]
    want = append_result(lambda: stdarray.array(code, [1]), v)
    with_room = append_result(lambda: Array(dtype, [1]), v)
    assert with_room == (want if want[0] == "ok" else ("err", OverflowError))
    # 2-digit and wider values on 3.11 are read in place too: the float64
    # fast path converts exact ints up to 2**53 and leaves the rest (rounding)
    # to the general path
    f = Array("float64", [1.0])
    f.append(v)
    assert f[-1] == float(v)
