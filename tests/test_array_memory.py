"""Memory of compactcol.Array: buffers visible to tracemalloc and
sys.getsizeof, the pinned growth policy, exact sizing of bulk builds, and
leak loops over every public operation (BAD_INPUTS X1)."""

import array
import copy
import gc
import pickle
import sys
import tracemalloc
import weakref

import pytest

import compactcol
from compactcol import Array

core = compactcol._core


def test_tracemalloc_sees_the_buffer():
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        a = Array("int64", range(10**6))
        after, _ = tracemalloc.get_traced_memory()
        assert after - before >= 8 * 10**6
        b = Array.frombytes("float64", bytes(8 * 10**6))
        after2, _ = tracemalloc.get_traced_memory()
        assert after2 - after >= 8 * 10**6
        del a, b
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
        assert end - before < 10**5, "buffers not freed (or freed untraced)"
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("dtype", ["int8", "int64", "float32", "bool", "int"])
@pytest.mark.parametrize("nullable", [False, True])
def test_getsizeof_counts_the_buffers(dtype, nullable):
    a = Array(dtype, nullable=nullable)
    empty = sys.getsizeof(a)
    for n in (1, 10, 1000, 100_000):
        a.extend([1] * (n - len(a)))
        size = sys.getsizeof(a)
        assert size >= a.capacity * a.itemsize + empty
        if nullable:
            assert size >= a.capacity * a.itemsize + (a.capacity + 7) // 8 + empty
        assert size <= empty + a.capacity * a.itemsize * 2 + 64
    a.clear()
    assert sys.getsizeof(a) == empty


def test_nbytes_is_the_payload():
    assert Array("int64", range(10)).nbytes == 80
    assert Array("int16", range(10), nullable=True).nbytes == 20 + 2
    assert Array("bool", [True] * 9, nullable=True).nbytes == 9 + 2
    assert Array("float32").nbytes == 0
    a = Array("int", [1, 2])
    assert a.nbytes == 2
    a.append(2**40)
    assert a.nbytes == 24


@pytest.mark.parametrize("make", [
    lambda n: Array("int64", list(range(n))),
    lambda n: Array("int64", tuple(range(n))),
    lambda n: Array("int64", range(n)),
    lambda n: Array("int64", array.array("q", range(n))),
    lambda n: Array.frombytes("int64", bytes(8 * n)),
    lambda n: Array("int64", range(n))[:],
    lambda n: Array("int64", range(n)).copy(),
], ids=["list", "tuple", "range", "array.array", "frombytes", "slice", "copy"])
def test_bulk_builds_allocate_exactly(make):
    a = make(10**6)
    assert len(a) == 10**6
    assert a.capacity == 10**6
    a = make(1000)
    assert a.capacity == 1000


def test_unpickled_arrays_are_sized_exactly():
    """Unpickling knows the final size (like frombytes): no growth slack."""
    a = Array("int64", range(10**5))
    for protocol in (2, 5):
        b = pickle.loads(pickle.dumps(a, protocol=protocol))
        assert b.capacity == len(b) == 10**5
    c = Array("int32", [1, None] * 500, nullable=True)
    assert pickle.loads(pickle.dumps(c, 5)).capacity == 1000


def test_one_million_ints_from_a_list_cost_8_bytes_each():
    values = list(range(10**6))
    gc.collect()
    tracemalloc.start()
    try:
        a = Array("int64", values)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert a.capacity == 10**6
    assert current <= 8 * 10**6 + 4096
    assert peak <= 8 * 10**6 + 4096, "the build went through an intermediate copy"


def test_adaptive_small_values_cost_one_byte_each():
    a = Array("int", [i % 100 for i in range(10**6)])
    assert a.dtype == "int8" and a.capacity == 10**6
    assert sys.getsizeof(a) < 1.01 * 10**6 + 200


GROWTH = [0, 4, 8, 16, 25, 35, 46, 58, 72, 88, 106, 126]


@pytest.mark.parametrize("dtype", ["int8", "int64", "float64", "bool", "int"])
@pytest.mark.parametrize("nullable", [False, True])
def test_growth_sequence_on_appends_is_pinned(dtype, nullable):
    """The documented policy: growing to hold n allocates n + n//8 + (3 if n < 9 else 6)."""
    a = Array(dtype, nullable=nullable)
    seen = [a.capacity]
    value = True if dtype == "bool" else 1
    while len(seen) < len(GROWTH):
        a.append(value)
        if a.capacity != seen[-1]:
            assert a.capacity == len(a) + len(a) // 8 + (3 if len(a) < 9 else 6)
            seen.append(a.capacity)
    assert seen == GROWTH


def test_growth_is_amortised_and_shrinks_below_half():
    a = Array("int64")
    caps = set()
    for i in range(100_000):
        a.append(i)
        caps.add(a.capacity)
    assert len(caps) < 100      # geometric growth: few reallocations
    assert a.capacity < 100_000 * 1.2
    del a[1000:]
    assert a.capacity < 2 * 1000 + 16, "deleting below half the capacity gives memory back"
    a.clear()
    assert a.capacity == 0


def test_reserve_and_shrink_to_fit():
    a = Array("int32", [1, 2, 3])
    a.reserve(1000)
    assert a.capacity == 1000
    caps = set()
    for i in range(997):
        a.append(i)
        caps.add(a.capacity)
    assert caps == {1000}, "appends within the reserve must not reallocate"
    a.reserve(10)
    assert a.capacity == 1000
    a.shrink_to_fit()
    assert a.capacity == len(a) == 1000
    del a[10:]
    a.shrink_to_fit()
    assert a.capacity == 10
    assert sys.getsizeof(a) <= sys.getsizeof(Array("int32")) + 10 * 4


# ---- leak loops -----------------------------------------------------------------------

def _raising():
    yield 1
    raise KeyError


def _oob(a):
    bufs = []
    data = pickle.dumps(a, protocol=5, buffer_callback=bufs.append)
    r = pickle.loads(data, buffers=bufs)
    for b in bufs:
        b.release()
    return r


def _reserve_shrink():
    a = Array("int64", [1])
    a.reserve(1000)
    a.shrink_to_fit()


def _clear_rebuild():
    a = Array("float32", [1.0] * 30)
    a.clear()
    a.extend([2.0] * 5)


def operations():
    """name -> callable doing public operations on fresh or shared arrays."""
    base = Array("int64", range(50))
    nb = Array("int32", [1, None, 3] * 10, nullable=True)
    fl = Array("float64", [0.5, float("nan"), -0.0] * 10)

    def with_view():
        m = memoryview(base)
        m[0] = m[0]
        m.release()

    def failing():
        for bad in ("x", 2**70, None):
            try:
                base.append(bad)
            except (TypeError, OverflowError):
                pass
        for src in ([1, 2, "x"], _raising()):
            try:
                base.extend(src)
            except (TypeError, KeyError):
                pass
        for op in (lambda: base.index(12345), lambda: base.remove(-7), lambda: base[10**6]):
            try:
                op()
            except (ValueError, IndexError):
                pass
        m = memoryview(base)
        try:
            base.append(1)
        except BufferError:
            pass
        m.release()

    return {
        "construct": lambda: Array("int64", range(100)),
        "construct_iter": lambda: Array("int", iter(range(100))),
        "construct_nullable": lambda: Array("int16", [1, None] * 20, nullable=True),
        "infer": lambda: compactcol.array([1, 2.5, None]),
        "append_pop": lambda: (base.append(5), base.pop()),
        "insert_pop0": lambda: (base.insert(0, 5), base.pop(0)),
        "extend_del": lambda: (base.extend(range(20)), base.__delitem__(slice(50, None))),
        "iadd_del": lambda: (base.__iadd__([1, 2, 3]), base.__delitem__(slice(50, None))),
        "getitem": lambda: (base[3], base[-1], base[2:40:3], nb[1], fl[1]),
        "setitem": lambda: (base.__setitem__(3, 7), nb.__setitem__(0, None), nb.__setitem__(0, 1)),
        "slice_assign": lambda: base.__setitem__(slice(10, 20), list(range(10))),
        "iterate": lambda: (list(base), list(nb), list(fl), sum(base), list(reversed(base))),
        "search": lambda: (5 in base, base.index(7), base.count(3), nb.count(None),
                           1.5 in fl, fl.count(float("nan"))),
        "sort": lambda: (base.sort(reverse=True), base.sort(), fl.sort(), nb.sort()),
        "sort_key": lambda: (base.sort(key=lambda x: -x), base.sort()),
        "reverse": lambda: (base.reverse(), base.reverse()),
        "compare": lambda: (base == list(range(50)), base < nb, base != fl, base == base),
        "add_mul": lambda: (base + [1], base * 2, 2 * nb),
        "imul": lambda: Array("int8", [1, 2]).__imul__(30),
        "copy": lambda: (base.copy(), copy.copy(nb), copy.deepcopy(fl)),
        "bytes": lambda: (base.tolist(), base.tobytes(), nb._validity(),
                          Array.frombytes("int16", b"\x01\x00" * 20)),
        "pickle": lambda: (pickle.loads(pickle.dumps(nb, 2)), pickle.loads(pickle.dumps(fl, 5))),
        "pickle_oob": lambda: _oob(base),
        "repr": lambda: (repr(base), repr(nb), repr(fl), str(base)),
        "props": lambda: (base.dtype, base.capacity, base.nbytes, nb.null_count,
                          base._debug_info(), sys.getsizeof(base)),
        "widen": lambda: Array("int", [1]).append(2**40),
        "reserve_shrink": _reserve_shrink,
        "view": with_view,
        "failures": failing,
        "clear_rebuild": _clear_rebuild,
    }


def measure(fn, n):
    gc.collect()
    blocks = sys.getallocatedblocks()
    live = core._debug_alloc_stats()["live_blocks"]
    for _ in range(n):
        fn()
    gc.collect()
    return sys.getallocatedblocks() - blocks, core._debug_alloc_stats()["live_blocks"] - live


@pytest.mark.parametrize("name", list(operations()))
def test_leak_loop_blocks_do_not_grow(name):
    fn = operations()[name]
    for _ in range(1000):          # warm-up: caches, freelists, pymalloc pools
        fn()
    grew_blocks, grew_live = measure(fn, 2000)
    assert grew_live == 0, f"C core blocks grew by {grew_live} over 2000 {name}"
    # a leak of one object per call would be >= 2000; the slack absorbs
    # freelist and pool fluctuations
    assert grew_blocks < 100, f"{grew_blocks} more Python blocks after 2000 {name}"


def test_leak_loop_traced_memory_does_not_grow():
    # Interpreter caches (method caches, free lists, pickle's dispatch
    # tables) fill during the first ~1000 calls, more slowly under
    # PYTHONMALLOC=malloc (the sanitizer run): warm up well past that, then
    # any growth over the next 500 rounds is ours.
    ops = operations()
    for fn in ops.values():
        for _ in range(1000):
            fn()
    gc.collect()
    tracemalloc.start()
    try:
        for fn in ops.values():
            for _ in range(200):
                fn()
        gc.collect()
        start, _ = tracemalloc.get_traced_memory()
        for fn in ops.values():
            for _ in range(500):
                fn()
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert end - start < 64 * 1024, f"traced memory grew by {end - start} bytes"


def test_live_blocks_return_to_baseline():
    gc.collect()
    baseline = core._debug_alloc_stats()["live_blocks"]
    arrays = [Array(dt, [1, 0] * 50, nullable=nl)
              for dt in ("int8", "int64", "float32", "bool", "int") for nl in (False, True)]
    arrays += [a[::2] for a in arrays] + [a + [1] for a in arrays]
    views = [memoryview(a) for a in arrays[:5]]
    assert core._debug_alloc_stats()["live_blocks"] > baseline
    del arrays
    gc.collect()
    assert core._debug_alloc_stats()["live_blocks"] > baseline, "viewed data must stay alive"
    for v in views:
        v.release()
    del views
    gc.collect()
    assert core._debug_alloc_stats()["live_blocks"] == baseline


def test_iterator_keeps_the_array_alive_and_lets_go():
    a = Array("int64", range(5))
    r = weakref.ref(a)
    it = iter(a)
    del a
    gc.collect()
    assert r() is not None
    assert list(it) == [0, 1, 2, 3, 4]
    gc.collect()
    assert r() is None, "an exhausted iterator must drop its array"
