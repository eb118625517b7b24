"""The Array iterator recycles its int and float boxes (src/array.c: the
comment above ArrayIterObject).  Ints on 3.11's layout and on 3.12/3.13's
(lv_tag); what it hands out must still be ordinary, independent objects
whatever the consumer does with them."""

import random
import sys
import sysconfig

import pytest

from compactcol import Array

ONE_DIGIT = 2**30 if sys.int_info.bits_per_digit == 30 else 2**15
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
RECYCLES_INTS = (sys.implementation.name == "cpython" and (3, 11) <= sys.version_info < (3, 14)
                 and not FREE_THREADED)


def mixed_values(n=2000, seed=16):
    rng = random.Random(seed)
    edges = [0, 1, -1, -5, -6, 255, 256, 257, ONE_DIGIT - 1, ONE_DIGIT, -(ONE_DIGIT - 1),
             -ONE_DIGIT, 2**31, -(2**31), 2**62, -(2**63), 2**63 - 1]
    out = []
    for _ in range(n):
        k = rng.randrange(5)
        if k == 0:
            out.append(rng.randrange(-ONE_DIGIT + 1, ONE_DIGIT))   # one digit, either sign
        elif k == 1:
            out.append(rng.randrange(-5, 257))                      # small-int cache
        elif k == 2:
            out.append(rng.randrange(-2**63, 2**63))                # several digits
        elif k == 3:
            out.append(rng.choice(edges))
        else:
            out.append(-rng.randrange(257, ONE_DIGIT))              # negative one digit
    return out


VALUES = mixed_values()


def test_consumer_keeps_references():
    a = Array("int64", VALUES)
    kept = []
    for x in a:
        kept.append(x)
    assert kept == VALUES
    assert all(type(x) is int for x in kept)
    # a second pass must not have rewritten the first pass's objects
    assert list(a) == VALUES and kept == VALUES


def test_consumer_drops_references():
    a = Array("int64", VALUES)
    for i, x in enumerate(a):
        assert x == VALUES[i]
        assert x + 0 == VALUES[i] and str(x) == str(VALUES[i]) and hash(x) == hash(VALUES[i])
    assert sum(a) == sum(VALUES)
    assert max(a) == max(VALUES) and min(a) == min(VALUES)
    assert sum(1 for x in a if x < 0) == sum(1 for v in VALUES if v < 0)


def test_negative_one_digit_values():
    vals = [-v for v in range(300, 300 + 40 * 997, 997)] + [-(ONE_DIGIT - 1)]
    a = Array("int64", vals)
    assert [x for x in a] == vals
    assert sum(a) == sum(vals)
    for x, v in zip(a, vals):
        assert x == v and x < 0 and -x == -v


def test_alternating_signs_and_widths():
    vals = []
    for v in range(1000, 1000 + 200):
        vals += [v, -v, v * ONE_DIGIT, -v, ONE_DIGIT - v]
    a = Array("int64", vals)
    out = []
    for x in a:              # the loop variable holds the previous box
        out.append(x * 1)    # a new object: the box itself is not kept
    assert out == vals
    assert list(a) == vals and sum(a) == sum(vals)


def test_beyond_one_digit():
    vals = [ONE_DIGIT, -ONE_DIGIT, ONE_DIGIT + 1, 2**40, -(2**40), 2**63 - 1, -(2**63)]
    a = Array("int64", vals * 10)
    assert list(a) == vals * 10
    assert [x for x in a] == vals * 10
    assert sum(a) == sum(vals) * 10


def test_zero_and_small_ints_are_the_shared_ones():
    vals = list(range(-5, 257)) * 3
    held = {v: v for v in range(-5, 257)}
    a = Array("int64", vals)
    for x, v in zip(a, vals):
        assert x == v
        assert x is held[v]      # the cached singleton, never a rewritten box
    # interleave small and one-digit values: recycling must never touch a
    # small int (they are shared with the whole interpreter)
    mix = [v for pair in zip(range(-5, 257), range(1000, 1262)) for v in pair]
    assert list(Array("int64", mix)) == mix
    assert sum(Array("int64", mix)) == sum(mix)
    assert all(held[v] == v for v in range(-5, 257))
    assert 0 + 0 == 0 and 256 + 0 == 256 and -5 + 0 == -5


def test_interleaved_iterators():
    a = Array("int64", VALUES)
    b = Array("int32", [v % 2**31 - 2**30 for v in VALUES])
    expected_b = b.tolist()
    assert list(zip(a, a)) == list(zip(VALUES, VALUES))
    i1, i2, i3 = iter(a), iter(a), iter(b)
    next(i2)
    got1, got2, got3 = [], [], []
    for _ in range(len(VALUES) - 1):
        got1.append(next(i1))
        got2.append(next(i2))
        got3.append(next(i3))
    assert got1 == VALUES[:-1] and got2 == VALUES[1:] and got3 == expected_b[:-1]
    # interleaved, dropping every value at once
    i1, i3 = iter(a), iter(b)
    for v, w in zip(VALUES, expected_b):
        assert next(i1) == v
        assert next(i3) == w


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint16",
                                   "uint32", "int"])
def test_every_int_dtype(dtype):
    info = {"int8": (-128, 127), "int16": (-2**15, 2**15 - 1), "int32": (-2**31, 2**31 - 1),
            "uint8": (0, 255), "uint16": (0, 2**16 - 1), "uint32": (0, 2**32 - 1)}
    lo, hi = info.get(dtype, (-(2**63), 2**63 - 1))
    vals = [v for v in VALUES if lo <= v <= hi]
    a = Array(dtype, vals)
    assert [x for x in a] == vals and sum(a) == sum(vals)
    kept = list(a)
    assert list(a) == kept == vals


def test_nullable_ints():
    vals = [v if i % 3 else None for i, v in enumerate(VALUES)]
    a = Array("int64", vals, nullable=True)
    assert [x for x in a] == vals
    assert sum(x for x in a if x is not None) == sum(v for v in vals if v is not None)


@pytest.mark.skipif(not RECYCLES_INTS, reason="int boxes are recycled on CPython 3.11-3.13 only")
@pytest.mark.parametrize("values", [[1000, 1001, 1002], [-1000, -1001, -1002],
                                    [ONE_DIGIT - 3, ONE_DIGIT - 2, ONE_DIGIT - 1]])
def test_one_digit_ints_do_recycle(values):
    """The fast path is taken: the iterator keeps the box it handed out
    (one more reference) and, once the consumer drops it, writes the value
    two elements later into that same object."""
    it = iter(Array("int64", values))
    x0 = next(it)
    assert sys.getrefcount(x0) == 3      # x0, the iterator's slot, the argument
    i0 = id(x0)
    del x0
    junk = [int(str(v)) for v in (123456, 234567)]  # would take a freed int's memory
    x1 = next(it)
    x2 = next(it)
    assert id(x2) == i0 and x2 == values[2] and x1 == values[1]
    del junk


@pytest.mark.parametrize("values", [[5, 6, 7], [2**40, 2**41, 2**42]])
def test_small_and_wide_ints_are_never_kept(values):
    it = iter(Array("int64", values))
    x0 = next(it)
    if values[0] > 256:  # a new object per element, not kept by the iterator
        assert sys.getrefcount(x0) == 2
    assert list(it) == values[1:] and x0 == values[0]
