"""Memory behaviour of the string containers: leak loops over every
operation, allocation failures injected into every mutator (the container
is left exactly as it was, the core leaks no block), and tracemalloc
seeing the buffers."""

import copy
import gc
import pickle
import sys
import tracemalloc

import pytest

from compactcol import CategoricalArray, StringArray, StringPool
from compactcol import _core as core

WORDS = ["alpha", "", "é", "中文", "\U0001F600", "a\x00b", "omega"]


def _raising():
    yield "x"
    raise KeyError("boom")


def _string_ops():
    """name -> a function doing one round of an operation on fresh objects."""
    def on_array(f, nullable=False):
        def run():
            a = StringArray(WORDS * 3, nullable=nullable)
            f(a)
        return run

    def failing(a):
        for bad in (b"x", "\ud800", 5):
            try:
                a.append(bad)
            except (TypeError, UnicodeEncodeError):
                pass
        try:
            a.extend(_raising())
        except KeyError:
            pass

    def with_views(a):
        d, o = a.data, a.offsets
        try:
            a.append("x")
        except BufferError:
            pass
        d.release()
        o.release()

    return {
        "strarray_append_pop": on_array(lambda a: (a.append("abc"), a.pop(), a.pop(0))),
        "strarray_setitem_scatter": on_array(
            lambda a: [a.__setitem__(i % len(a), "x" * (i % 7)) for i in range(40)]),
        "strarray_slices": on_array(
            lambda a: (a[1:5], a.__setitem__(slice(0, 3), ["q", "r"]), a.__delitem__(slice(None, None, 2)))),
        "strarray_sort_keyed": on_array(lambda a: (a.sort(), a.sort(key=len, reverse=True))),
        "strarray_scans": on_array(lambda a: (a.lengths(), a.startswith("a"), a.contains("b"),
                                              a.equals(""))),
        "strarray_pickle_copy": on_array(lambda a: (pickle.loads(pickle.dumps(a, 5)),
                                                    pickle.loads(pickle.dumps(a, 2)), copy.copy(a))),
        "strarray_failing": on_array(failing),
        "strarray_views": on_array(with_views),
        "strarray_nullable": on_array(lambda a: (a.append(None), a.sort(), repr(a), a * 2),
                                      nullable=True),
        "pool": lambda: (lambda p: (p.intern("new"), p.id("é"), p[1], list(p), p.strings,
                                    pickle.loads(pickle.dumps(p, 5))))(StringPool(WORDS)),
        "categorical": lambda: (lambda c: (c.append("z"), c.sort(), c[1:3], c.pop(),
                                           pickle.loads(pickle.dumps(c, 5)),
                                           copy.deepcopy(c)))(CategoricalArray(WORDS * 2)),
    }


def _blocks_after(fn, n):
    gc.collect()
    blocks = sys.getallocatedblocks()
    live = core._debug_alloc_stats()["live_blocks"]
    for _ in range(n):
        fn()
    gc.collect()
    return sys.getallocatedblocks() - blocks, core._debug_alloc_stats()["live_blocks"] - live


@pytest.mark.parametrize("name", list(_string_ops()))
def test_leak_loop_blocks_do_not_grow(name):
    fn = _string_ops()[name]
    for _ in range(1000):  # warm-up: caches, free lists, pymalloc pools, list.sort
        fn()
    grew_python, grew_core = _blocks_after(fn, 600)
    assert grew_core == 0, f"C core blocks grew by {grew_core} over 600 rounds of {name}"
    # one leaked object per round would be >= 600
    assert grew_python < 100, f"{grew_python} more Python blocks after 600 rounds of {name}"


def _state(x):
    x._debug_info()
    if isinstance(x, StringPool):
        return list(x)
    if isinstance(x, CategoricalArray):
        return x.tolist(), x.codes.tolist(), list(x.pool)
    return x.tolist(), x.nullable


MUTATORS = {
    "append": lambda x: x.append("a new string"),
    "extend": lambda x: x.extend(["p", "q" * 50, "é"] * 20),
    "insert": lambda x: x.insert(1, "inserted"),
    "setitem_longer": lambda x: x.__setitem__(2, "much longer than before" * 3),
    "setslice": lambda x: x.__setitem__(slice(1, 3), ["s"] * 30),
    "delslice": lambda x: x.__delitem__(slice(0, None, 2)),
    "sort": lambda x: x.sort(),
    "sort_key": lambda x: x.sort(key=lambda s: len(s or "")),
    "reverse": lambda x: x.reverse(),
    "imul": lambda x: x.__imul__(3),
    "iadd": lambda x: x.__iadd__(["t"] * 40),
}


# operations that allocate whatever the capacity: the hook must hit them
MUST_ALLOCATE = {"extend", "imul", "iadd", "sort"}


def _factories():
    return {
        "strarray": lambda: StringArray(WORDS * 4),
        "strarray-nullable": lambda: StringArray(WORDS + [None] * 3, nullable=True),
        "categorical": lambda: CategoricalArray(WORDS * 4),
    }


@pytest.mark.parametrize("op", list(MUTATORS))
@pytest.mark.parametrize("kind", list(_factories()))
def test_allocation_failure_leaves_the_container_unchanged(kind, op):
    """Every allocation an operation makes fails in turn: the call either
    succeeds or raises MemoryError with the container (and a categorical's
    pool) exactly as before, and no core block leaks."""
    make, mutate = _factories()[kind], MUTATORS[op]
    expected = make()
    mutate(expected)
    expected = _state(expected)
    gc.collect()
    baseline = core._debug_alloc_stats()["live_blocks"]
    failures = 0
    for k in range(1, 16):
        x = make()
        before = _state(x)
        core._debug_fail_alloc(k)
        try:
            mutate(x)
        except MemoryError:
            core._debug_fail_alloc(0)
            failures += 1
            assert _state(x) == before, f"failed {op} changed the {kind}"
        else:
            core._debug_fail_alloc(0)
            assert _state(x) == expected
        finally:
            core._debug_fail_alloc(0)
        x.append("still usable")
        x._debug_info()
        del x
    gc.collect()
    assert core._debug_alloc_stats()["live_blocks"] == baseline, "leaked a block"
    if op in MUST_ALLOCATE:
        assert failures >= 1, "the hook never made this operation fail"


def test_pool_intern_failure_keeps_every_earlier_id():
    failures = 0
    for k in range(1, 6):
        p = StringPool(WORDS)
        core._debug_fail_alloc(k)
        interned = 0
        try:
            for i in range(200):
                p.intern(f"new-{i}")
                interned += 1
        except MemoryError:
            failures += 1
        finally:
            core._debug_fail_alloc(0)
        p._debug_info()
        # the failed intern added nothing; all before it kept their ids
        assert list(p) == WORDS + [f"new-{i}" for i in range(interned)]
    assert failures == 5


def test_tracemalloc_sees_the_string_buffers():
    words = [f"word-{i:06d}" for i in range(20000)]  # 11 bytes each
    tracemalloc.start()
    try:
        a = StringArray(words)
        p = StringPool(words)
        c = CategoricalArray(words[:50] * 400)
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert current >= 20000 * (11 + 4) * 2 + 20000  # both arenas + one code byte each
    assert sys.getsizeof(a) >= a.nbytes >= 20000 * 15
    assert sys.getsizeof(p) >= p.nbytes >= 20000 * 15
    assert c.codes.itemsize == 1 and len(c) == 20000
