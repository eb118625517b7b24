"""BAD_INPUTS.md rows NA1-NA17 for compactcol.Array, plus the content of the
error messages (SPEC 5).  Every failing call must leave the array exactly as
it was: same contents (with value types), dtype, validity bitmap and length.

NA7, NA8 and NA9 (user code that mutates the array mid-operation) are in
test_array_reentrancy.py.
"""

import array
import ctypes
import gc
import itertools
import math
import subprocess
import sys
import textwrap
import tracemalloc

import pytest

import compactcol
from compactcol import Array

core = compactcol._core

INT_RANGES = {
    "int8": (-2**7, 2**7 - 1), "int16": (-2**15, 2**15 - 1),
    "int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1),
    "uint8": (0, 2**8 - 1), "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1),
}
ALL_DTYPES = list(INT_RANGES) + ["float32", "float64", "bool"]
FORMATS = {"int8": "b", "int16": "h", "int32": "i", "int64": "q", "uint8": "B",
           "uint16": "H", "uint32": "I", "uint64": "Q", "float32": "f",
           "float64": "d", "bool": "?"}


def sample_values(dtype):
    if dtype == "bool":
        return [True, False, True]
    if dtype.startswith("float"):
        return [1.5, -2.0, 0.0]
    if dtype == "int":
        return [1, -2, 3]
    lo, hi = INT_RANGES[dtype]
    return [lo, hi, 1]


def mutators_with_value(v):
    """Every way a single bad value can be handed to an array."""
    return {
        "append": lambda a: a.append(v),
        "insert": lambda a: a.insert(1, v),
        "setitem": lambda a: a.__setitem__(0, v),
        "setitem_neg": lambda a: a.__setitem__(-1, v),
        "extend_list": lambda a: a.extend([a[0], v]),
        "extend_tuple": lambda a: a.extend((v,)),
        "extend_gen": lambda a: a.extend(x for x in [a[0], a[0], v]),
        "iadd": lambda a: a.__iadd__([v]),
        "slice_grow": lambda a: a.__setitem__(slice(0, 1), [a[0], v]),
        "slice_same": lambda a: a.__setitem__(slice(0, 2), [a[0], v]),
        "slice_ext": lambda a: a.__setitem__(slice(None, None, 2), [v] * len(a[::2])),
        "slice_neg": lambda a: a.__setitem__(slice(None, None, -1), [v] * len(a)),
    }


# ---- NA1: out of range ----------------------------------------------------------

OUT_OF_RANGE = [(dt, v) for dt, (lo, hi) in INT_RANGES.items()
                for v in (lo - 1, hi + 1, 2**64, -2**64, 2**200)]
OUT_OF_RANGE += [("int", 2**63), ("int", -2**63 - 1), ("int", 2**64),
                 ("bool", 2), ("bool", -1), ("bool", 2**64),
                 ("float32", 1e39), ("float32", -3.5e38), ("float32", 2**128),
                 ("float64", 2**1024), ("float64", -(2**1024))]


@pytest.mark.parametrize("dtype,value", OUT_OF_RANGE)
def test_NA1_out_of_range_raises_overflow_and_unchanged(dtype, value, snapshot,
                                                        assert_unchanged):
    for name, op in mutators_with_value(value).items():
        for nullable in (False, True):
            a = Array(dtype, sample_values(dtype), nullable=nullable)
            before = snapshot(a)
            with pytest.raises(OverflowError):
                op(a)
            assert_unchanged(a, before)
    with pytest.raises(OverflowError):
        Array(dtype, [sample_values(dtype)[0], value])


def test_NA1_adaptive_widens_up_to_int64_only(snapshot, assert_unchanged):
    a = Array("int", [1, 2])
    a.append(2**63 - 1)
    assert a.dtype == "int64" and a[-1] == 2**63 - 1
    before = snapshot(a)
    for v in (2**63, -2**63 - 1):
        for name, op in mutators_with_value(v).items():
            with pytest.raises(OverflowError):
                op(a)
            assert_unchanged(a, before)
    # an int8 array refusing a too-large value must not widen as a side effect
    b = Array("int", [1, 2, 3])
    with pytest.raises(OverflowError):
        b.extend([1000, 2**40, 2**70])
    assert b.dtype == "int8" and b == [1, 2, 3]


def test_NA1_float32_rounds_finite_values_that_fit():
    a = Array("float32", [0.1, 3.4028235e38, 1e-50, float("inf"), -float("inf")])
    assert a[0] == 0.10000000149011612
    assert a[1] == 3.4028234663852886e38
    assert a[2] == 0.0
    assert a[3] == float("inf") and a[4] == -float("inf")
    b = Array("float32", [float("nan")])
    assert math.isnan(b[0])


# ---- NA2: wrong types ---------------------------------------------------------------

WRONG_TYPES = []
for _dt in list(INT_RANGES) + ["int"]:
    WRONG_TYPES += [(_dt, v) for v in (1.0, 0.5, float("nan"), float("inf"), "1", b"1",
                                       None, 1j, [1], object())]
for _dt in ("float32", "float64"):
    WRONG_TYPES += [(_dt, v) for v in ("1.5", b"1", None, 1j, [1.0], object())]
WRONG_TYPES += [("bool", v) for v in (1.0, 0.0, float("nan"), "True", b"\x01", None,
                                      object())]


@pytest.mark.parametrize("dtype,value", WRONG_TYPES,
                         ids=[f"{d}-{type(v).__name__}" for d, v in WRONG_TYPES])
def test_NA2_wrong_type_raises_typeerror_and_unchanged(dtype, value, snapshot,
                                                       assert_unchanged):
    for name, op in mutators_with_value(value).items():
        a = Array(dtype, sample_values(dtype))
        before = snapshot(a)
        with pytest.raises(TypeError):
            op(a)
        assert_unchanged(a, before)
    with pytest.raises(TypeError):
        Array(dtype, [value])


def test_NA2_none_only_for_nullable(snapshot, assert_unchanged):
    a = Array("int64", [1, 2])
    with pytest.raises(TypeError, match="nullable=True"):
        a.append(None)
    b = Array("int64", [1, 2], nullable=True)
    b.append(None)
    b[0] = None
    assert b == [None, 2, None] and b.null_count == 2


def test_NA2_index_and_float_protocols_are_accepted():
    class I:
        def __index__(self):
            return 7

    class F:
        def __float__(self):
            return 2.5

    a = Array("int16", [I()])
    a.append(I())
    assert a == [7, 7] and all(type(x) is int for x in a)
    f = Array("float64", [F(), I(), 3])
    assert f.tolist() == [2.5, 7.0, 3.0] and all(type(x) is float for x in f)
    with pytest.raises(TypeError):
        Array("int64", [F()])


# ---- NA3 / NA4: bulk input failing at item k --------------------------------------------

@pytest.mark.parametrize("k", [0, 1, 499, 998, 999])
@pytest.mark.parametrize("how", ["extend", "iadd", "slice", "slice_mid", "init"])
def test_NA3_bulk_failure_at_item_k_is_atomic(k, how, snapshot, assert_unchanged):
    for dtype, bad, exc in (("int8", 300, OverflowError), ("int64", "x", TypeError),
                            ("int", 2**63, OverflowError), ("float32", 1e40, OverflowError),
                            ("bool", 2, OverflowError), ("uint16", -1, OverflowError)):
        values = (sample_values(dtype) * 400)[:1000]
        values[k] = bad
        for nullable in (False, True):
            a = Array(dtype, sample_values(dtype) + ([None] if nullable else []),
                      nullable=nullable)
            before = snapshot(a)
            with pytest.raises(exc) as info:
                if how == "extend":
                    a.extend(values)
                elif how == "iadd":
                    a += values
                elif how == "slice":
                    a[:] = values
                elif how == "slice_mid":
                    a[1:2] = iter(values)
                else:
                    Array(dtype, values, nullable=nullable)
            assert f"item {k}:" in str(info.value)
            assert_unchanged(a, before)


class Boom(Exception):
    pass


def raising_after(values, k):
    yield from values[:k]
    raise Boom(k)


@pytest.mark.parametrize("k", [0, 1, 5, 100, 2000])
def test_NA4_iterator_raising_part_way_leaves_array_unchanged(k, snapshot,
                                                              assert_unchanged):
    values = list(range(3000))
    for dtype in ("int", "int64", "float64", "uint16"):
        for nullable in (False, True):
            a = Array(dtype, [1, 2, 3], nullable=nullable)
            if nullable:
                a.append(None)
            before = snapshot(a)
            ops = [lambda: a.extend(raising_after(values, k)),
                   lambda: a.__iadd__(raising_after(values, k)),
                   lambda: a.__setitem__(slice(1, 2), raising_after(values, k)),
                   lambda: a.__setitem__(slice(None, None, -1), raising_after(values, k)),
                   lambda: a + raising_after(values, k)]
            for op in ops:
                with pytest.raises(Boom) as info:
                    op()
                assert info.value.args == (k,)
                assert_unchanged(a, before)
            with pytest.raises(Boom):
                Array(dtype, raising_after(values, k), nullable=nullable)


def test_NA4_adaptive_does_not_widen_when_the_iterator_fails(snapshot, assert_unchanged):
    a = Array("int", [1, 2])
    before = snapshot(a)
    with pytest.raises(Boom):
        a.extend(raising_after([1, 2**40, 3], 2))
    assert_unchanged(a, before)
    assert a.dtype == "int8"


# ---- NA5: lying lengths ----------------------------------------------------------------

class Hinted:
    def __init__(self, items, hint):
        self.items, self.hint = items, hint

    def __iter__(self):
        return iter(self.items)

    def __length_hint__(self):
        if isinstance(self.hint, type):
            raise self.hint("hint")
        return self.hint


class BadLen(Hinted):
    def __len__(self):
        if isinstance(self.hint, type):
            raise self.hint("len")
        return self.hint


HINTS = [0, 1, 2**62, 2**63 - 1, 2**100, -1, -2**70, 10**6, Boom, ValueError,
         TypeError, OverflowError]


def correct_or_valueerror(a, op, expected):
    before = list(a)
    try:
        op()
    except ValueError:
        # BAD_INPUTS NA5 allows ValueError for a lying length; then unchanged
        assert list(a) == before
    else:
        assert list(a) == expected
    a._debug_info()


@pytest.mark.parametrize("cls", [Hinted, BadLen])
@pytest.mark.parametrize("hint", HINTS, ids=str)
def test_NA5_lying_length_hint_never_changes_the_result(cls, hint):
    items = list(range(50))
    for dtype in ("int64", "int", "float32"):
        a = Array(dtype, [7])
        correct_or_valueerror(a, lambda: a.extend(cls(items, hint)), [7] + items)
        a = Array(dtype, [7])
        correct_or_valueerror(a, lambda: a.__iadd__(cls(items, hint)), [7] + items)
        c = Array(dtype, [1, 2, 3])
        correct_or_valueerror(c, lambda: c.__setitem__(slice(1, 2), cls(items, hint)),
                              [1] + items + [3])
        try:
            b = Array(dtype, cls(items, hint))
        except ValueError:
            pass
        else:
            assert b == items
            assert b.capacity <= 2 * len(items), "capacity sized from the hint"
            b._debug_info()


def test_NA5_huge_hint_does_not_allocate_from_the_hint():
    tracemalloc.start()
    try:
        a = Array("int64", Hinted([1, 2, 3], 2**62))
        a.extend(Hinted([4], 2**62 - 1))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert a == [1, 2, 3, 4]
    # the pre-size is capped at 2**20 elements (8 MiB of int64)
    assert peak < 2**20 * 8 + 2**20


def test_NA5_list_shrinking_while_read():
    """A list cleared by its own element's __index__ while being read."""
    src = []

    class Clear:
        def __index__(self):
            src.clear()
            return 2

    src.extend([1, Clear(), 3, 4])
    a = Array("int64", [0])
    a.extend(src)
    assert a == [0, 1, 2]
    a._debug_info()


# ---- NA6: the array as its own source ------------------------------------------------------

@pytest.mark.parametrize("dtype,values", [
    ("int64", [1, 2, 3, 4, 5]), ("int", [1, 300, -70000, 2**40, 5]),
    ("float64", [0.5, -0.0, 2.0, float("inf"), 1e300]), ("bool", [True, False, True, True, False]),
    ("uint8", [0, 1, 255, 7, 8])])
@pytest.mark.parametrize("nullable", [False, True])
def test_NA6_self_as_source_behaves_like_list(dtype, values, nullable):
    if nullable:
        values = values[:2] + [None] + values[2:]
    cases = [
        lambda x: x.extend(x),
        lambda x: x.__iadd__(x),
        lambda x: x.__setitem__(slice(None), x),
        lambda x: x.__setitem__(slice(None, None, -1), x),
        lambda x: x.__setitem__(slice(1, 3), x),
        lambda x: x.__setitem__(slice(len(x), None), x),
        lambda x: x.__setitem__(slice(None, None, 2), x[1::2] + x[:1]),
        lambda x: x.__setitem__(slice(1, None, 2), x[::2][:len(x[1::2])]),
        lambda x: x.insert(1, x[-1]),
    ]
    for case in cases:
        a = Array(dtype, values, nullable=nullable)
        model = list(a)
        try:
            case(model)
        except ValueError:
            with pytest.raises(ValueError):
                case(a)
            assert list(a) == list(Array(dtype, values, nullable=nullable))
            continue
        case(a)
        assert list(a) == model
        assert [type(x) for x in a] == [type(x) for x in model]
        a._debug_info()
    a = Array(dtype, values, nullable=nullable)
    with pytest.raises(ValueError):
        a[::2] = a
    assert list(a) == list(Array(dtype, values, nullable=nullable))


# ---- NA10: absurd repeat counts ---------------------------------------------------------

@pytest.mark.parametrize("dtype", ["int8", "int64", "float32", "bool", "int"])
def test_NA10_huge_repeat_fails_before_allocating(dtype, snapshot, assert_unchanged):
    a = Array(dtype, sample_values(dtype))
    before = snapshot(a)
    tracemalloc.start()
    try:
        for n in (sys.maxsize, 2**62 // a.itemsize, 2**62, sys.maxsize // 2):
            with pytest.raises((MemoryError, OverflowError)):
                a * n
            with pytest.raises((MemoryError, OverflowError)):
                n * a
            with pytest.raises((MemoryError, OverflowError)):
                a *= n
            assert_unchanged(a, before)
        for n in (2**63, 2**100):
            with pytest.raises((MemoryError, OverflowError)):
                a * n
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20
    assert_unchanged(a, before)


def test_NA10_huge_reserve(snapshot, assert_unchanged):
    a = Array("int64", [1, 2])
    before = snapshot(a)
    with pytest.raises((MemoryError, OverflowError)):
        a.reserve(2**62)
    with pytest.raises((MemoryError, OverflowError)):
        a.reserve(2**63)
    with pytest.raises(ValueError):
        a.reserve(-1)
    with pytest.raises(TypeError):
        a.reserve(1.5)
    assert_unchanged(a, before)


# ---- NA11: extreme slices --------------------------------------------------------------

EXTREME = [slice(None, None, -(2**63 - 1)), slice(None, None, 2**63 - 1),
           slice(2**100, None), slice(-2**100, None), slice(None, -2**100),
           slice(None, 2**100), slice(None, None, 2**100), slice(None, None, -2**100),
           slice(3, None, sys.maxsize), slice(-3, None, -sys.maxsize),
           slice(2**100, -2**100, -1), slice(-2**100, 2**100, 3),
           slice(sys.maxsize, None, -1), slice(-sys.maxsize - 1, None, sys.maxsize)]


@pytest.mark.parametrize("s", EXTREME, ids=str)
def test_NA11_extreme_slices_like_list(s):
    base = list(range(10))
    for dtype, nullable in (("int64", False), ("int", True), ("float64", False)):
        a = Array(dtype, base, nullable=nullable)
        assert list(a[s]) == base[s]
        # assignment of the right size
        n = len(base[s])
        model = list(base)
        model[s] = [99] * n
        a[s] = [99] * n
        assert list(a) == model
        a._debug_info()
        # deletion
        a = Array(dtype, base, nullable=nullable)
        model = list(base)
        del model[s]
        del a[s]
        assert list(a) == model
        a._debug_info()
        # wrong size: list's answer
        a = Array(dtype, base, nullable=nullable)
        model = list(base)
        try:
            model[s] = [1, 2, 3]
        except ValueError:
            with pytest.raises(ValueError):
                a[s] = [1, 2, 3]
            assert list(a) == base
        else:
            a[s] = [1, 2, 3]
            assert list(a) == model


def test_NA11_slice_step_zero():
    a = Array("int64", [1, 2, 3])
    for op in (lambda: a[::0], lambda: a.__setitem__(slice(None, None, 0), [1]),
               lambda: a.__delitem__(slice(None, None, 0))):
        with pytest.raises(ValueError):
            op()
    assert a == [1, 2, 3]


def test_NA11_huge_indices():
    a = Array("int64", [1, 2, 3])
    for i in (2**63, -2**63 - 1, 2**100, 3, -4):
        with pytest.raises(IndexError):
            a[i]
        with pytest.raises(IndexError):
            a[i] = 1
        with pytest.raises(IndexError):
            del a[i]
        # pop and insert take a Py_ssize_t, as list's do: OverflowError beyond it
        with pytest.raises(IndexError if -2**63 <= i < 2**63 else OverflowError):
            a.pop(i)
    for i in (2**63, -2**63 - 1, 2**100, -2**100):
        with pytest.raises(OverflowError):
            a.insert(i, 4)
        with pytest.raises(OverflowError):
            [1, 2, 3].insert(i, 4)
    a.insert(2**62, 4)
    a.insert(-2**62, 0)
    assert a == [0, 1, 2, 3, 4]
    assert a.index(3, -2**100, 2**100) == 3


# ---- NA12 / NA13: exports --------------------------------------------------------------

def size_changing_ops():
    """Every operation that changes the length, the dtype or moves the buffer
    of Array('int', [1, 2, 3, 4]) (int8, capacity 4)."""
    return {
        "append": lambda a: a.append(5),
        "append_widen": lambda a: a.append(1000),
        "extend": lambda a: a.extend([5]),
        "extend_gen": lambda a: a.extend(x for x in [5]),
        "extend_array": lambda a: a.extend(Array("int64", [5])),
        "extend_buffer": lambda a: a.extend(array.array("b", [5])),
        "extend_self": lambda a: a.extend(a),
        "iadd": lambda a: a.__iadd__([5]),
        "imul2": lambda a: a.__imul__(2),
        "imul0": lambda a: a.__imul__(0),
        "insert": lambda a: a.insert(0, 5),
        "pop": lambda a: a.pop(),
        "pop0": lambda a: a.pop(0),
        "remove": lambda a: a.remove(2),
        "clear": lambda a: a.clear(),
        "del_item": lambda a: a.__delitem__(0),
        "del_slice": lambda a: a.__delitem__(slice(1, 3)),
        "del_ext": lambda a: a.__delitem__(slice(None, None, 2)),
        "slice_grow": lambda a: a.__setitem__(slice(0, 1), [1, 2]),
        "slice_shrink": lambda a: a.__setitem__(slice(0, 2), [1]),
        "slice_empty": lambda a: a.__setitem__(slice(0, 4), []),
        "slice_widen": lambda a: a.__setitem__(slice(0, 1), [1000]),
        "ext_slice_widen": lambda a: a.__setitem__(slice(None, None, 2), [1000, 1]),
        "setitem_widen": lambda a: a.__setitem__(0, 70000),
        "reserve": lambda a: a.reserve(100),
    }


def fresh_exportable():
    a = Array("int", [1, 2, 3, 4])
    assert a.capacity == 4 and a.dtype == "int8"
    return a


@pytest.mark.parametrize("name", list(size_changing_ops()))
@pytest.mark.parametrize("exporter", ["memoryview", "cast", "nested", "slice_view"])
def test_NA12_size_change_while_exported(name, exporter, snapshot, assert_unchanged):
    op = size_changing_ops()[name]
    a = fresh_exportable()
    before = snapshot(a)
    if exporter == "memoryview":
        views = [memoryview(a)]
    elif exporter == "cast":
        m = memoryview(a)
        views = [m.cast("B"), m]
    elif exporter == "nested":
        m = memoryview(a)
        views = [memoryview(m), m[1:], m]
    else:
        views = [memoryview(a)[::2]]
    assert a._debug_info()["exports"] >= 1
    with pytest.raises(BufferError, match="release"):
        op(a)
    assert_unchanged(a, before)
    assert a.capacity == 4
    for v in views:
        v.release()
    assert a._debug_info()["exports"] == 0
    # allowed again after release(), with the same result as on an array
    # that was never exported
    reference = fresh_exportable()
    op(reference)
    op(a)
    assert list(a) == list(reference) and a.dtype == reference.dtype
    a._debug_info()
    assert a._debug_info()["exports"] == 0


def test_NA12_shrink_to_fit_while_exported(snapshot, assert_unchanged):
    a = Array("int64", range(10))
    a.reserve(100)
    m = memoryview(a)
    before = snapshot(a)
    with pytest.raises(BufferError):
        a.shrink_to_fit()
    assert a.capacity == 100
    assert_unchanged(a, before)
    a.reserve(50)              # within capacity: nothing moves, allowed
    m.release()
    a.shrink_to_fit()
    assert a.capacity == 10 and a == list(range(10))


def test_NA12_calls_that_change_nothing_are_allowed_while_exported():
    """Decided (docs/array.md): as with array.array, a call that ends up
    changing nothing succeeds while a view is alive."""
    a = Array("int", [3, 1, 2])
    e = Array("int64")
    with memoryview(a) as m, memoryview(e) as me:
        a.extend([])
        a.extend(())
        a.extend(iter([]))
        a.extend(Array("int64"))
        a.extend(b"")
        a += []
        a *= 1
        del a[1:1]
        a[1:1] = []
        a.reserve(1)
        e.extend(e)
        e += e
        e.clear()
        e *= 5
        del e[:]
        e[:] = []
        assert len(me) == 0
        # errors that change nothing keep their own type
        with pytest.raises(ValueError):
            a.remove(99)
        with pytest.raises(IndexError):
            a.pop(10)
        assert a == [3, 1, 2] and m.tolist() == [3, 1, 2]
        assert a._debug_info()["exports"] == 1 and e._debug_info()["exports"] == 1
    assert a._debug_info()["exports"] == 0


def test_NA12_other_arrays_are_unaffected():
    a = Array("int64", [1, 2])
    b = Array("int64", [1, 2])
    with memoryview(a):
        b.append(3)
        c = a + [3]
        c.append(4)
        d = a[:]
        d.append(5)
        assert (b, c, d) == ([1, 2, 3], [1, 2, 3, 4], [1, 2, 5])


@pytest.mark.parametrize("dtype", ["int8", "int", "int64", "uint32", "float32", "float64",
                                   "bool"])
@pytest.mark.parametrize("nullable", [False, True])
def test_NA13_same_size_changes_allowed_and_visible(dtype, nullable):
    values = {"bool": [True, False, False, True]}.get(
        dtype, [4, 1, 3, 2] if not dtype.startswith("float") else [4.5, -1.0, 3.0, 2.25])
    a = Array(dtype, values, nullable=nullable)
    m = memoryview(a)
    assert m.format == FORMATS[a.dtype]
    model = list(values)

    a.sort()
    model.sort()
    assert m.tolist() == model and list(a) == model
    a.sort(reverse=True)
    model.sort(reverse=True)
    assert m.tolist() == model
    a.sort(key=lambda x: (abs(x - 2), x))
    model.sort(key=lambda x: (abs(x - 2), x))
    assert m.tolist() == model
    a.reverse()
    model.reverse()
    assert m.tolist() == model
    a[0] = model[-1]
    model[0] = model[-1]
    assert m.tolist() == model
    a[1:3] = [model[3], model[0]]
    model[1:3] = [model[3], model[0]]
    assert m.tolist() == model
    a[::-2] = model[:2]
    model[::-2] = model[:2]
    assert m.tolist() == model
    a[:] = a[::-1]
    model[:] = model[::-1]
    assert m.tolist() == model
    a *= 1
    # writes through the view are seen by the array
    m[2] = model[0]
    model[2] = model[0]
    assert list(a) == model
    assert a._debug_info()["exports"] == 1
    m.release()
    assert a._debug_info()["exports"] == 0
    a.append(model[0])


def test_NA13_adaptive_same_width_write_allowed_widening_refused(snapshot, assert_unchanged):
    a = Array("int", [1, 2, 3])
    with memoryview(a) as m:
        a[0] = 127
        a[1:3] = [-128, 5]
        assert m.tolist() == [127, -128, 5]
        a.sort(key=lambda x: -x)          # same values, same width: allowed
        assert m.tolist() == [127, 5, -128]
        before = snapshot(a)
        for op in (lambda: a.__setitem__(0, 128), lambda: a.__setitem__(slice(0, 1), [128]),
                   lambda: a.__setitem__(slice(None, None, 2), [1, 2**40]),
                   lambda: a.__setitem__(slice(None), [1, 2, 70000])):
            with pytest.raises(BufferError):
                op()
            assert_unchanged(a, before)
    assert a.dtype == "int8"
    a[0] = 128
    assert a.dtype == "int16" and a == [128, 5, -128]


# ---- NA14: view lifetimes ------------------------------------------------------------

@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_NA14_views_released_in_any_order(order):
    a = Array("int32", [1, 2, 3, 4])
    m = memoryview(a)
    views = [m, m.cast("B"), m[::2], memoryview(a)]
    assert views[1].nbytes == 16 and views[2].tolist() == [1, 3]
    for k in order:
        views[k].release()
    assert a._debug_info()["exports"] == 0
    a.append(5)
    assert a == [1, 2, 3, 4, 5]


def test_NA14_data_outlives_the_array_while_viewed():
    a = Array("int64", range(1000))
    m = memoryview(a)
    c = m.cast("B")
    del a
    gc.collect()
    assert m[999] == 999 and m.tolist() == list(range(1000))
    assert len(c) == 8000
    m.release()
    assert bytes(c[:8]) == (0).to_bytes(8, sys.byteorder)
    c.release()


def test_NA14_release_twice_and_context_manager():
    a = Array("float64", [1.0])
    m = memoryview(a)
    m.release()
    m.release()
    with memoryview(a) as m2:
        with memoryview(m2) as m3:
            assert m3[0] == 1.0
        assert a._debug_info()["exports"] == 1
    assert a._debug_info()["exports"] == 0


# ---- NA15: buffer request flags -------------------------------------------------------

class Py_buffer(ctypes.Structure):
    _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p),
                ("len", ctypes.c_ssize_t), ("itemsize", ctypes.c_ssize_t),
                ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
                ("format", ctypes.c_char_p), ("shape", ctypes.POINTER(ctypes.c_ssize_t)),
                ("strides", ctypes.POINTER(ctypes.c_ssize_t)),
                ("suboffsets", ctypes.POINTER(ctypes.c_ssize_t)),
                ("internal", ctypes.c_void_p)]


PyBUF_SIMPLE, PyBUF_WRITABLE, PyBUF_FORMAT, PyBUF_ND = 0, 1, 4, 8
PyBUF_STRIDES = 0x10 | PyBUF_ND
PyBUF_C_CONTIGUOUS = 0x20 | PyBUF_STRIDES
PyBUF_FULL = 0x100 | PyBUF_STRIDES | PyBUF_WRITABLE | PyBUF_FORMAT

_get = ctypes.pythonapi.PyObject_GetBuffer
_get.argtypes = [ctypes.py_object, ctypes.POINTER(Py_buffer), ctypes.c_int]
_get.restype = ctypes.c_int
_release = ctypes.pythonapi.PyBuffer_Release
_release.argtypes = [ctypes.POINTER(Py_buffer)]
_release.restype = None


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("length", [0, 1, 5])
@pytest.mark.parametrize("flags", [PyBUF_SIMPLE, PyBUF_WRITABLE, PyBUF_FORMAT, PyBUF_ND,
                                   PyBUF_STRIDES, PyBUF_C_CONTIGUOUS, PyBUF_FULL])
def test_NA15_buffer_flags_format_shape_strides(dtype, length, flags):
    a = Array(dtype, (sample_values(dtype) * 2)[:length])
    view = Py_buffer()
    assert _get(a, ctypes.byref(view), flags) == 0
    try:
        assert a._debug_info()["exports"] == 1
        assert view.buf, "buf must be non-NULL, also at length 0"
        assert view.len == length * a.itemsize
        assert view.readonly == 0        # PyBUF_WRITABLE always granted: arrays are mutable
        if flags & PyBUF_FORMAT:
            assert view.format.decode() == FORMATS[dtype]
        else:
            assert view.format is None
        if flags & PyBUF_ND:
            assert view.ndim == 1 and view.shape[0] == length
            assert view.itemsize == a.itemsize
        else:
            assert not view.shape
        if (flags & PyBUF_STRIDES) == PyBUF_STRIDES:
            assert view.strides[0] == a.itemsize
        else:
            assert not view.strides
        assert not view.suboffsets
        if length:
            assert ctypes.string_at(view.buf, view.len) == a.tobytes()
        with pytest.raises(BufferError):
            a.append(a[0] if length else sample_values(dtype)[0])
    finally:
        _release(ctypes.byref(view))
    assert a._debug_info()["exports"] == 0


def test_NA15_memoryview_metadata_for_every_dtype():
    for dtype in ALL_DTYPES:
        a = Array(dtype, sample_values(dtype))
        with memoryview(a) as m:
            assert m.format == FORMATS[dtype] and m.ndim == 1
            assert m.shape == (3,) and m.strides == (a.itemsize,)
            assert m.itemsize == a.itemsize and not m.readonly
            assert m.c_contiguous and m.contiguous
            assert m.tolist() == list(a)
        with memoryview(Array(dtype)) as e:
            assert e.shape == (0,) and e.tolist() == [] and e.format == FORMATS[dtype]


# ---- NA16: frombytes --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [d for d in ALL_DTYPES if d not in ("int8", "uint8", "bool")])
def test_NA16_frombytes_length_not_a_multiple(dtype):
    stats = core._debug_alloc_stats()["live_blocks"]
    size = Array(dtype).itemsize
    for n in (1, size - 1, size + 1, 3 * size - 1):
        with pytest.raises(ValueError, match="multiple"):
            Array.frombytes(dtype, b"\x00" * n)
    assert core._debug_alloc_stats()["live_blocks"] == stats


def test_NA16_frombytes_rejects_the_adaptive_dtype_and_non_buffers():
    with pytest.raises(ValueError):
        Array.frombytes("int", b"\x00" * 8)
    with pytest.raises(TypeError):
        Array.frombytes("int64", [0] * 8)
    with pytest.raises(TypeError):
        Array.frombytes("int64", "abcdefgh")
    with pytest.raises(ValueError):
        Array.frombytes("int128", b"")


# ---- NA17: allocation failures ---------------------------------------------------------

def failing_cases():
    """(name, factory of a fresh array, operation).  Arrays are built full
    to capacity so that a growing op must reallocate."""
    def int64():
        return Array("int64", range(8))

    def adaptive():
        return Array("int", [1, -2, 3, 4, 5, 6, 7, 8])

    def nullable():
        return Array("int32", [1, None, 3, None, 5, 6, None, 8], nullable=True)

    def floats():
        return Array("float64", [3.5, -0.0, float("nan"), 1.0, 2.0, 0.0, -1.0, 9.0])

    def bools():
        return Array("bool", [True, False] * 4)

    def big_nullable():
        a = Array("int16", [None, 1] * 40, nullable=True)
        return a

    ops = {
        "append": lambda a: a.append(a[0] if a[0] is not None else 1),
        "append_widen": lambda a: a.append(2**40) if a.adaptive else a.append(1),
        "extend_list": lambda a: a.extend([1] * 30),
        "extend_gen": lambda a: a.extend(1 for _ in range(30)),
        "extend_buffer": lambda a: a.extend(array.array("b", [1] * 30)),
        "extend_array": lambda a: a.extend(a),
        "iadd": lambda a: a.__iadd__([1, 1]),
        "insert": lambda a: a.insert(3, 1),
        "pop": lambda a: a.pop(0),
        "remove": lambda a: a.remove(a[2]),
        "clear": lambda a: a.clear(),
        "del_slice": lambda a: a.__delitem__(slice(1, None)),
        "del_ext": lambda a: a.__delitem__(slice(None, None, 2)),
        "slice_grow": lambda a: a.__setitem__(slice(1, 2), [1] * 40),
        "slice_shrink": lambda a: a.__setitem__(slice(1, None), [1]),
        "slice_ext": lambda a: a.__setitem__(slice(None, None, -2), [1] * len(a[::2])),
        "slice_widen": lambda a: a.__setitem__(slice(0, 1), [2**40] if a.adaptive else [1]),
        "setitem_widen": lambda a: a.__setitem__(0, 2**40 if a.adaptive else 1),
        "imul": lambda a: a.__imul__(5),
        "imul0": lambda a: a.__imul__(0),
        "sort": lambda a: a.sort(),
        "sort_rev": lambda a: a.sort(reverse=True),
        "sort_key": lambda a: a.sort(key=lambda x: -1 if x is None else x, reverse=True),
        "reverse": lambda a: a.reverse(),
        "reserve": lambda a: a.reserve(1000),
        "shrink": lambda a: (a.reserve(100), a.shrink_to_fit()),
    }
    factories = {"int64": int64, "adaptive": adaptive, "nullable": nullable,
                 "float64": floats, "bool": bools, "big_nullable": big_nullable}
    for fname, factory in factories.items():
        for oname, op in ops.items():
            yield f"{fname}-{oname}", factory, op


MUST_ALLOCATE = {"append", "extend_list", "extend_gen", "extend_buffer", "extend_array",
                 "iadd", "insert", "slice_grow", "imul", "sort", "sort_rev", "sort_key",
                 "reserve", "shrink"}


def comparable(a):
    return ([repr(x) for x in a], a.dtype, a._validity(), len(a))


@pytest.mark.parametrize("name,factory,op", list(failing_cases()),
                         ids=[c[0] for c in failing_cases()])
def test_NA17_allocation_failure_at_step_k(name, factory, op, snapshot, assert_unchanged):
    baseline = core._debug_alloc_stats()["live_blocks"]
    reference = factory()
    try:
        op(reference)
    except (ValueError, TypeError):
        reference = None         # the op does not apply to this array
    expected = comparable(reference) if reference is not None else None
    del reference
    failures = 0
    for k in range(1, 21):
        a = factory()
        before = snapshot(a)
        core._debug_fail_alloc(k)
        try:
            op(a)
        except MemoryError:
            core._debug_fail_alloc(0)
            failures += 1
            assert_unchanged(a, before)
        except (ValueError, TypeError):
            core._debug_fail_alloc(0)
            assert expected is None
            assert_unchanged(a, before)
        else:
            core._debug_fail_alloc(0)
            assert expected is not None
            assert comparable(a) == expected
        finally:
            core._debug_fail_alloc(0)
        a._debug_info()
        # the array stays fully usable
        a.append(1)
        a.extend([1] * 50)
        del a[3:]
        a._debug_info()
        del a
    # (arrays hold no references, so refcounting has freed them: no gc needed)
    if name.split("-", 1)[1] in MUST_ALLOCATE and expected is not None:
        assert failures >= 1, "the hook never made this operation fail"
    assert core._debug_alloc_stats()["live_blocks"] == baseline, "leaked a block"


@pytest.mark.parametrize("make,must_fail", [
    (lambda: Array("int64", list(range(100))), True),
    # from an iterable, a failed pre-size (length hint) is absorbed: the loop
    # grows as it goes, so the construction may legitimately never fail
    (lambda: Array("int", iter(range(100))), False),
    (lambda: Array("int64", range(100)), False),
    (lambda: Array("int32", [1, None] * 50, nullable=True), True),
    (lambda: Array("float64", array.array("d", range(100))), True),
    (lambda: Array.frombytes("int16", b"\x01\x00" * 100), True),
    (lambda: Array("int64", [1, 2]) + [3, 4], True),
    (lambda: Array("int64", [1, 2]) * 50, True),
    (lambda: Array("int64", range(10))[::2], True),
    (lambda: Array("int32", [1, None] * 50, nullable=True).copy(), True),
    (lambda: compactcol.array([1, 2, None]), True),
])
def test_NA17_allocation_failure_in_constructors(make, must_fail):
    baseline = core._debug_alloc_stats()["live_blocks"]
    expected = list(make())
    failures = 0
    for k in range(1, 21):
        core._debug_fail_alloc(k)
        try:
            r = make()
        except MemoryError:
            failures += 1
        else:
            core._debug_fail_alloc(0)
            assert list(r) == expected
            r._debug_info()
            del r
        finally:
            core._debug_fail_alloc(0)
    if must_fail:
        assert failures >= 1, "the hook never made this constructor fail"
    assert core._debug_alloc_stats()["live_blocks"] == baseline


def test_NA17_hook_counts_only_core_allocations():
    assert core._debug_fail_alloc(0) == 0
    core._debug_fail_alloc(1)
    try:
        x = [object() for _ in range(100)]     # Python objects: not the core
        with pytest.raises(MemoryError):
            Array("int64", [1])
    finally:
        assert core._debug_fail_alloc(0) == 0
    del x


def test_NA17_failed_shrink_keeps_capacity_truthful(tmp_path):
    """A shrink whose bitmap realloc fails after the data buffer shrank must
    not leave `capacity` above what the data buffer holds: appending up to
    the recorded capacity would write past the allocation.  Runs in a child
    with PYTHONMALLOC=debug, whose guard bytes turn an overrun into a fatal
    error."""
    code = textwrap.dedent("""
        from compactcol import Array, _core
        for k in range(1, 6):
            for shrink in ("del", "shrink_to_fit", "pop", "imul0", "clear", "slice"):
                a = Array('int32', range(100), nullable=True)
                a.reserve(200)
                _core._debug_fail_alloc(k)
                try:
                    if shrink == "del": del a[10:]
                    elif shrink == "shrink_to_fit": a.shrink_to_fit()
                    elif shrink == "pop":
                        while len(a) > 10: a.pop()
                    elif shrink == "imul0": a *= 0
                    elif shrink == "clear": a.clear()
                    else: a[5:] = [None]
                except MemoryError:
                    pass
                finally:
                    _core._debug_fail_alloc(0)
                a._debug_info()
                import sys
                assert sys.getsizeof(a) >= a.capacity * 4
                while len(a) < a.capacity:
                    a.append(None if len(a) % 3 else 7)
                a._debug_info()
                del a
        print("ok")
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120, cwd=tmp_path,
                       env={**__import__("os").environ, "PYTHONMALLOC": "debug"})
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip() == "ok"


# ---- messages (SPEC 5) -------------------------------------------------------------------

def message(fn):
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


def test_messages_name_array_method_value_and_range():
    assert message(lambda: Array("int8").append(300)) == (
        OverflowError, "Array('int8').append: 300 is out of range for int8 [-128, 127]")
    assert message(lambda: Array("int64").extend([1, 2, "x"])) == (
        TypeError, "Array('int64').extend: item 2: expected int, got str ('x')")
    t, m = message(lambda: Array("uint16", [1]).insert(0, -1))
    assert t is OverflowError and m.startswith("Array('uint16').insert: ")
    assert "-1" in m and "[0, 65535]" in m
    t, m = message(lambda: Array("int", [1]).append(2**63))
    assert t is OverflowError and "Array('int')" in m and str(2**63) in m and "int64" in m
    t, m = message(lambda: Array("float32").extend([1.0, 1e39]))
    assert t is OverflowError and "item 1" in m and "float32" in m and "1e+39" in m
    t, m = message(lambda: Array("bool", [True]).__setitem__(0, 2))
    assert t is OverflowError and "Array('bool')" in m and "2" in m
    t, m = message(lambda: Array("bool").append(1.0))
    assert t is TypeError and "bool" in m and "float" in m
    t, m = message(lambda: Array("float64").append("1.5"))
    assert t is TypeError and "Array('float64').append" in m and "str" in m and "'1.5'" in m
    t, m = message(lambda: Array("int32", [1, 2]).__setitem__(slice(0, 1), [1, 2.5]))
    assert t is TypeError and "item 1" in m and "float" in m and "2.5" in m
    t, m = message(lambda: Array("int16", [1, 2, 3, 40000]))
    assert t is OverflowError and "item 3" in m and "40000" in m and "int16" in m


def test_messages_long_values_are_cut():
    t, m = message(lambda: Array("int8").append(10**200))
    assert t is OverflowError and len(m) < 200 and "int8" in m
    t, m = message(lambda: Array("int8").append("y" * 10000))
    assert t is TypeError and len(m) < 200


def test_messages_buffer_error_says_what_to_do():
    a = Array("int64", [1])
    with memoryview(a):
        t, m = message(lambda: a.append(2))
    assert t is BufferError and "Array('int64').append" in m and "release" in m


def test_messages_unknown_dtype_and_not_iterable():
    t, m = message(lambda: Array("int128"))
    assert t is ValueError and "int128" in m and "int64" in m
    t, m = message(lambda: Array("int64").extend(5))
    assert t is TypeError and "iterable" in m and "int" in m
    t, m = message(lambda: Array("int64").extend("123"))
    assert t is TypeError and "str" in m
