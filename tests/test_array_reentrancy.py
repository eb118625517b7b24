"""User code that mutates the array in the middle of an operation
(BAD_INPUTS NA7, NA8, NA9; SPEC 5 "Reentrancy").

Requirement: no crash; the array's invariants hold afterwards; the result is
defined.  "Defined" is checked against list: the same scenario is run on a
Python list whose hostile objects mutate *that list*, converting every value
first and then doing the operation on the list as it then is (which is what
list itself does with indices, and what Array documents for values).  Where
BAD_INPUTS allows it, the Array may instead raise RuntimeError (or
IndexError/ValueError); then the operation itself must have done nothing on
top of the user code's own mutation.

After each operation `_debug_info()` runs first, before anything reads the
contents, so a broken invariant fails the test instead of crashing it.
"""

import gc
import operator

import pytest

from compactcol import Array

MUTATIONS = {
    "clear": lambda x: x.clear(),
    "append": lambda x: x.append(9),
    "pop": lambda x: x.pop() if len(x) else None,
    "pop_front": lambda x: x.pop(0) if len(x) else None,
    "grow": lambda x: x.extend(range(200)),          # forces a reallocation
    "widen": lambda x: x.append(2**40),              # adaptive: int8 -> int64
    "shrink_to_one": lambda x: x.__delitem__(slice(1, None)),
    "reverse": lambda x: x.reverse(),
    "replace": lambda x: x.__setitem__(slice(None), [7] * 40),
}


class Hostile:
    """A value whose __index__/__float__ runs `mutation` on `target` (once)
    and then converts to `value`."""

    def __init__(self, target, mutation, value):
        self.target, self.mutation, self.value = target, mutation, value
        self.done = False

    def _fire(self):
        if not self.done:
            self.done = True
            self.mutation(self.target)

    def __index__(self):
        self._fire()
        return self.value

    def __float__(self):
        self._fire()
        return float(self.value)

    def __repr__(self):
        return f"Hostile({self.value})"


# ---- NA7: values that mutate the array while being converted ------------------------

def value_ops():
    """name -> (array op, list op); the op gets the container and a factory
    of hostile values bound to it.  List ops convert all values first."""
    conv = operator.index
    return {
        "append": (lambda a, h: a.append(h(5)),
                   lambda l, h: (lambda v: l.append(conv(v)))(h(5))),
        "insert": (lambda a, h: a.insert(1, h(5)),
                   lambda l, h: (lambda v: l.insert(1, conv(v)))(h(5))),
        "insert_neg": (lambda a, h: a.insert(-2, h(5)),
                       lambda l, h: (lambda v: l.insert(-2, conv(v)))(h(5))),
        "setitem": (lambda a, h: a.__setitem__(3, h(5)),
                    lambda l, h: (lambda v: l.__setitem__(3, conv(v)))(h(5))),
        "setitem_neg": (lambda a, h: a.__setitem__(-1, h(5)),
                        lambda l, h: (lambda v: l.__setitem__(-1, conv(v)))(h(5))),
        "extend_list": (lambda a, h: a.extend([1, h(5), 2]),
                        lambda l, h: (lambda vs: l.extend([conv(v) for v in vs]))([1, h(5), 2])),
        "extend_gen": (lambda a, h: a.extend(x for x in [1, h(5), 2]),
                       lambda l, h: (lambda vs: l.extend([conv(v) for v in vs]))([1, h(5), 2])),
        "iadd": (lambda a, h: a.__iadd__((h(5), 6)),
                 lambda l, h: (lambda vs: l.extend([conv(v) for v in vs]))((h(5), 6))),
        "slice": (lambda a, h: a.__setitem__(slice(1, 3), [h(5), 6, 7]),
                  lambda l, h: (lambda vs: l.__setitem__(slice(1, 3), [conv(v) for v in vs]))(
                      [h(5), 6, 7])),
        "slice_tail": (lambda a, h: a.__setitem__(slice(-2, None), [h(5)]),
                       lambda l, h: (lambda vs: l.__setitem__(slice(-2, None), [conv(v) for v in vs]))(
                           [h(5)])),
        "slice_ext": (lambda a, h: a.__setitem__(slice(None, None, 2), [h(5)] + [6] * 4),
                      lambda l, h: (lambda vs: l.__setitem__(slice(None, None, 2), [conv(v) for v in vs]))(
                          [h(5)] + [6] * 4)),
        "slice_rev": (lambda a, h: a.__setitem__(slice(None, None, -1), [h(5)] + [6] * 7),
                      lambda l, h: (lambda vs: l.__setitem__(slice(None, None, -1), [conv(v) for v in vs]))(
                          [h(5)] + [6] * 7)),
    }


def outcome(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - compared by type
        return type(e)
    return None


def applicable(dtypes):
    """(dtype, mutation) pairs; only an adaptive array can widen."""
    return [(d, m) for d in dtypes for m in MUTATIONS if m != "widen" or d == "int"]


@pytest.mark.parametrize("dtype,mutation",
                         applicable(["int64", "int", "float64", "int16-nullable"]))
@pytest.mark.parametrize("op", list(value_ops()))
def test_NA7_converting_a_value_mutates_the_array(dtype, mutation, op):
    nullable = dtype.endswith("-nullable")
    dt = dtype.split("-")[0]
    array_op, list_op = value_ops()[op]
    start = [1, 2, 3, 4, 5, 6, 7, 8]
    a = Array(dt, start, nullable=nullable)
    got = outcome(lambda: array_op(a, lambda v: Hostile(a, MUTATIONS[mutation], v)))
    a._debug_info()                       # first: no reading past a broken state

    model = list(start)
    expected = outcome(lambda: list_op(model, lambda v: Hostile(model, MUTATIONS[mutation], v)))
    if dt == "float64":
        model = [float(x) for x in model]

    if got is None:
        assert expected is None, f"list raised {expected}"
        assert list(a) == model
    else:
        assert got in (expected, RuntimeError, IndexError, ValueError), got
        # the operation itself changed nothing beyond the user code's mutation
        mutated = list(start)
        MUTATIONS[mutation](mutated)
        assert list(a) == mutated
    a.append(1)
    a._debug_info()


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_NA7_value_takes_a_view_of_the_array(mutation):
    """__index__ exports the buffer mid-append: the commit must notice."""
    a = Array("int64", [1, 2, 3])
    views = []

    class Exporter:
        def __index__(self):
            views.append(memoryview(a))
            return 5

    for op in (lambda: a.append(Exporter()), lambda: a.extend([Exporter()]),
               lambda: a.insert(0, Exporter()), lambda: a.__setitem__(slice(0, 1), [Exporter(), 1])):
        with pytest.raises(BufferError):
            op()
        a._debug_info()
        assert a == [1, 2, 3]
        for v in views:
            v.release()
        views.clear()
    a[0] = Exporter()                     # same size: allowed while exported
    assert a == [5, 2, 3]
    views[0].release()


def test_NA7_construction_with_hostile_values_is_unaffected():
    src = [1, 2, 3]

    class Grow:
        def __index__(self):
            src.append(4)        # grows the source list while it is read
            return 0

    src.insert(0, Grow())
    a = Array("int64", src)
    a._debug_info()
    assert a == [0, 1, 2, 3, 4]


def test_NA7_float_value_clears_during_setitem():
    a = Array("float32", [1.0, 2.0, 3.0])

    class F:
        def __float__(self):
            a.clear()
            return 1.5

    with pytest.raises(IndexError):
        a[2] = F()
    a._debug_info()
    assert a == []


# ---- NA8: index objects whose __index__ mutates ----------------------------------------

class EvilIndex:
    def __init__(self, target, mutation, value):
        self.target, self.mutation, self.value = target, mutation, value

    def __index__(self):
        self.mutation(self.target)
        return self.value


INDEX_OPS = {
    "getitem": lambda x, E: x[E(2)],
    "getitem_neg": lambda x, E: x[E(-1)],
    "setitem": lambda x, E: x.__setitem__(E(2), 5),
    "setitem_neg": lambda x, E: x.__setitem__(E(-3), 5),
    "delitem": lambda x, E: x.__delitem__(E(2)),
    "delitem_neg": lambda x, E: x.__delitem__(E(-1)),
    "pop": lambda x, E: x.pop(E(2)),
    "pop_neg": lambda x, E: x.pop(E(-1)),
    "insert": lambda x, E: x.insert(E(3), 5),
    "insert_neg": lambda x, E: x.insert(E(-2), 5),
    "index_start": lambda x, E: x.index(3, E(-1)),
    "index_start2": lambda x, E: x.index(9, E(-2)),
    "index_stop": lambda x, E: x.index(3, 0, E(-1)),
    "index_both": lambda x, E: x.index(2, E(-4), E(-1)),
    "slice_get": lambda x, E: list(x[E(1):E(-1)]),
    "slice_get_step": lambda x, E: list(x[::E(-2)]),
    "slice_set": lambda x, E: x.__setitem__(slice(E(1), E(-1)), [5, 5]),
    "slice_set_step": lambda x, E: x.__setitem__(slice(None, None, E(2)), [5] * 4),
    "slice_del": lambda x, E: x.__delitem__(slice(E(-3), None)),
    "slice_del_step": lambda x, E: x.__delitem__(slice(None, None, E(-2))),
}


@pytest.mark.parametrize("mutation", [m for m in MUTATIONS if m != "widen"])
@pytest.mark.parametrize("op", list(INDEX_OPS))
@pytest.mark.parametrize("dtype", ["int64", "int", "uint8-nullable"])
def test_NA8_index_objects_that_mutate(op, mutation, dtype):
    nullable = dtype.endswith("-nullable")
    a = Array(dtype.split("-")[0], [1, 2, 3, 4, 5, 6, 7, 8], nullable=nullable)
    model = [1, 2, 3, 4, 5, 6, 7, 8]
    fn = INDEX_OPS[op]

    def run(x):
        try:
            return ("ok", fn(x, lambda v: EvilIndex(x, MUTATIONS[mutation], v)))
        except Exception as e:  # noqa: BLE001 - compared by type
            return ("raised", type(e))

    got = run(a)
    a._debug_info()
    expected = run(model)
    assert got == expected, f"Array: {got}, list: {expected}"
    assert list(a) == model


# ---- NA9: __eq__ that mutates -----------------------------------------------------------

class EvilEq:
    """Equal to `hit`; on the `when`-th comparison runs `mutation`."""

    def __init__(self, target, mutation, hit=4, when=3):
        self.target, self.mutation, self.hit, self.when = target, mutation, hit, when
        self.calls = 0

    def __eq__(self, other):
        self.calls += 1
        if self.calls == self.when:
            self.mutation(self.target)
        return other == self.hit

    __hash__ = None


EQ_OPS = {
    "in": lambda x, e: e in x,
    "index": lambda x, e: x.index(e),
    "index_range": lambda x, e: x.index(e, 1, 7),
    "count": lambda x, e: x.count(e),
    "remove": lambda x, e: x.remove(e),
    "eq_list": lambda x, e: x == [1, 2, e, 4, 5, 6, 7, 8],
    "ne_list": lambda x, e: x != [1, 2, 3, e, 5, 6, 7, 8],
    "lt_list": lambda x, e: x < [1, 2, 3, e, 5, 6, 7, 9],
    "ge_list": lambda x, e: x >= [1, e, 3, 4, 5, 6, 7, 8, 9],
    "le_shorter": lambda x, e: x <= [1, 2, e, 4],
}


ORDERING_OPS = {"lt_list", "ge_list", "le_shorter"}


@pytest.mark.parametrize("when", [1, 3, 4])
@pytest.mark.parametrize("op", list(EQ_OPS))
@pytest.mark.parametrize("dtype,mutation", applicable(["int64", "int", "float64"]))
def test_NA9_eq_that_mutates(op, mutation, when, dtype):
    start = [1, 2, 3, 4, 5, 6, 7, 8]
    a = Array(dtype, start)
    model = [float(x) for x in start] if dtype == "float64" else list(start)
    fn = EQ_OPS[op]

    def run(x):
        e = EvilEq(x, MUTATIONS[mutation], when=when)
        try:
            return ("ok", fn(x, e))
        except Exception as exc:  # noqa: BLE001 - compared by type
            return ("raised", type(exc))

    got = run(a)
    a._debug_info()                         # before reading anything
    expected = run(model)
    if dtype == "float64":
        model = [float(x) for x in model]
    allowed = (RuntimeError, ValueError, IndexError)
    if op in ORDERING_OPS:
        # after the first unequal pair, list re-checks the (mutated) sizes
        # while Array orders the two items it fetched, which for EvilEq
        # (no ordering) is a TypeError; both are defined results
        allowed += (TypeError,)
    if got != expected:
        assert got[0] == "raised" and got[1] in allowed, f"Array: {got}, list: {expected}"
    else:
        assert list(a) == model
    a.append(1)
    a._debug_info()


def test_NA9_remove_after_eq_cleared_the_array():
    """The minimal form of the NA9 remove case: __eq__ empties the array and
    says "equal" -- there is nothing left to remove (list removes nothing)."""
    a = Array("int64", [1, 2, 3, 4, 5])

    class ClearAndMatch:
        def __eq__(self, other):
            if other == 4:
                a.clear()
                return True
            return False

    a.remove(ClearAndMatch())
    a._debug_info()
    assert len(a) == 0 and a == []


def test_NA9_compare_with_sequence_that_shrinks():
    a = Array("int64", [1, 2, 3, 4])

    class Shrinking(list):
        def __getitem__(self, i):
            v = list.__getitem__(self, i)
            if i == 1:
                del self[2:]
                a.clear()
            return v

    other = Shrinking([1, 2, 3, 4])
    r = a == other
    a._debug_info()
    assert r in (True, False)


# ---- sort keys that mutate ---------------------------------------------------------------

@pytest.mark.parametrize("dtype,mutation",
                         applicable(["int64", "int", "float64", "int32-nullable"]))
def test_sort_key_that_mutates(mutation, dtype):
    nullable = dtype.endswith("-nullable")
    a = Array(dtype.split("-")[0], [5, 3, 8, 1, 9, 2], nullable=nullable)
    calls = []

    def key(x):
        calls.append(x)
        if len(calls) == 3:
            MUTATIONS[mutation](a)
        return -x

    before_len = len(a)
    try:
        a.sort(key=key)
    except ValueError as e:
        assert "modified during sort" in str(e)
        a._debug_info()
    else:
        a._debug_info()
        # the length did not change, so the order the keys gave was applied
        # to the array as it then was: a permutation of what the key function
        # left there (for a mutation that kept the contents, the sorted list)
        assert len(a) == before_len
        after_mutation = [5, 3, 8, 1, 9, 2]
        if mutation == "reverse":
            after_mutation.reverse()
        assert sorted(a) == sorted(after_mutation)
        if mutation != "reverse":
            assert list(a) == sorted([5, 3, 8, 1, 9, 2], reverse=True)
    assert len(calls) == 6, "key must be called once per item (on a snapshot)"
    a.append(1)
    a._debug_info()


def test_sort_key_changes_length_raises_valueerror():
    a = Array("int64", [3, 1, 2])
    with pytest.raises(ValueError, match="Array modified during sort"):
        a.sort(key=lambda x: a.append(0) or x)
    a._debug_info()
    assert len(a) == 6


def test_sort_key_exports_the_buffer():
    a = Array("int", [3, 1, 2])
    views = []
    a.sort(key=lambda x: views.append(memoryview(a)) or x)
    assert a == [1, 2, 3]
    for v in views:
        v.release()
    assert a._debug_info()["exports"] == 0


# ---- iteration over a changing array -------------------------------------------------------

@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_iteration_while_mutating_matches_list(mutation):
    a = Array("int", [1, 2, 3, 4, 5, 6])
    model = [1, 2, 3, 4, 5, 6]
    seen_a, seen_l = [], []
    for x in a:
        seen_a.append(x)
        if len(seen_a) == 2:
            MUTATIONS[mutation](a)
        if len(seen_a) > 500:
            break
    for x in model:
        seen_l.append(x)
        if len(seen_l) == 2:
            MUTATIONS[mutation](model)
        if len(seen_l) > 500:
            break
    a._debug_info()
    assert seen_a == seen_l and list(a) == model


def test_gc_and_deletion_during_reentrancy():
    """The array's last reference dropped by user code mid-call."""
    holder = [Array("int64", [1, 2, 3])]

    class Dropper:
        def __index__(self):
            holder.clear()
            gc.collect()
            return 4

    keep = []

    class Keep:
        def __index__(self):
            keep.append(holder.pop())
            gc.collect()
            return 4

    holder[0].append(Dropper())   # the bound method keeps the array alive
    assert holder == []
    holder.append(Array("int64", [1, 2, 3]))
    holder[0].extend([1, Keep()])
    assert keep[0] == [1, 2, 3, 1, 4]

    class DropEq:
        def __eq__(self, other):
            holder.clear()
            return False

    holder.append(Array("int64", [1, 2, 3]))
    assert (DropEq() in holder[0]) is False
    assert holder == []
