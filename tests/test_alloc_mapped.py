"""Large buffers are mapped from the OS (src/alloc.c): mmap, grown by
mremap, given back by munmap, reported to tracemalloc.

The state machines of the containers run again here with the threshold
moved down to 1 KiB, so that their buffers cross it both ways (PyMem ->
mapped when they grow, mapped -> PyMem when they shrink) under every
operation, checked against their models.  RSS itself is measured in
bench/memory_bench.py, not here."""

import gc
import importlib.util
import os
import sys
import tracemalloc

import pytest
from hypothesis import settings

import compactcol as cc
from compactcol import _core


def _sibling(name):
    """Another test module, loaded afresh (tests/ is not a package)."""
    path = os.path.join(os.path.dirname(__file__), name + ".py")
    spec = importlib.util.spec_from_file_location(f"_mapped_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


test_array_model = _sibling("test_array_model")
test_categorical_model = _sibling("test_categorical_model")
test_strarray_model = _sibling("test_strarray_model")
test_strdict_model = _sibling("test_strdict_model")
test_table_model = _sibling("test_table_model")

MAPS = sys.platform.startswith("linux") and _core._debug_map_min(0) is not None
pytestmark = pytest.mark.skipif(not MAPS, reason="this build never maps (not Linux, or ASan)")

LOW = 1024


@pytest.fixture
def low_threshold():
    previous = _core._debug_map_min(LOW)
    yield
    _core._debug_map_min(previous)


def stats():
    return _core._debug_alloc_stats()


def test_a_large_array_is_mapped_and_given_back():
    gc.collect()
    before = stats()
    a = cc.Array("int64", range(1_000_000))  # 8 MB: above the default threshold
    during = stats()
    assert during["mapped_blocks"] == before["mapped_blocks"] + 1
    assert during["mapped_bytes"] - before["mapped_bytes"] >= 8_000_000
    assert a[999_999] == 999_999 and sum(a[::100_000]) == sum(range(0, 1_000_000, 100_000))
    del a
    assert stats()["mapped_blocks"] == before["mapped_blocks"]
    assert stats()["mapped_bytes"] == before["mapped_bytes"]
    assert stats()["live_blocks"] == before["live_blocks"]


def test_tracemalloc_sees_mapped_buffers():
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        a = cc.Array("float64", [0.5]) * 1_000_000
        held = tracemalloc.get_traced_memory()[0] - base
        assert 8_000_000 <= held < 8_000_000 * 1.5 + 65536
        del a
        assert tracemalloc.get_traced_memory()[0] - base < 65536
    finally:
        tracemalloc.stop()


def test_growth_across_the_threshold_keeps_every_value(low_threshold):
    """Appends move a buffer from PyMem to a mapping, then grow it by
    mremap; clear and shrink move it back."""
    a = cc.Array("int32")
    s = cc.StringArray(nullable=True)
    for i in range(20_000):
        a.append(i * 7)
        s.append(None if i % 5 == 0 else f"v{i}")
    assert stats()["mapped_blocks"] >= 3
    assert a.tolist() == [i * 7 for i in range(20_000)]
    assert s.tolist() == [None if i % 5 == 0 else f"v{i}" for i in range(20_000)]
    del a[100:]
    del s[100:]
    a.append(1)
    s.append("x")
    assert a.tolist() == [i * 7 for i in range(100)] + [1]
    assert s.tolist() == [None if i % 5 == 0 else f"v{i}" for i in range(100)] + ["x"]


def test_a_failed_growth_leaves_the_container_as_it_was(low_threshold):
    a = cc.Array("int64", range(1000))  # mapped (8 KB)
    s = cc.StringArray(["abc"] * 1000)
    for c, extra in ((a, list(range(10_000))), (s, ["xyz"] * 10_000)):
        before = c.tolist()
        _core._debug_fail_alloc(1)
        try:
            with pytest.raises(MemoryError):
                c.extend(extra)
        finally:
            _core._debug_fail_alloc(0)
        assert c.tolist() == before
        c.extend(extra)
        assert c.tolist() == before + extra


def test_buffers_exported_while_mapped_stay_put(low_threshold):
    a = cc.Array("int64", range(10_000))
    m = memoryview(a)
    with pytest.raises(BufferError):
        a.extend(range(10_000))  # a resize would move the mapping
    assert m[9_999] == 9_999
    m.release()
    a.extend(range(10_000))
    assert len(a) == 20_000


def _with_low_threshold(case):
    class Case(case):
        def setUp(self):
            self._previous = _core._debug_map_min(LOW)
            super().setUp()

        def tearDown(self):
            super().tearDown()
            _core._debug_map_min(self._previous)

    Case.__name__ = Case.__qualname__ = case.__name__ + "Mapped"
    # a second run of each machine: fewer examples than its own file's
    Case.settings = settings(case.settings, max_examples=min(case.settings.max_examples, 40))
    return Case


TestInt64Mapped = _with_low_threshold(test_array_model.TestInt64)
TestNullableAdaptiveIntMapped = _with_low_threshold(test_array_model.TestNullableAdaptiveInt)
TestBoolMapped = _with_low_threshold(test_array_model.TestBool)
TestStringArrayMapped = _with_low_threshold(test_strarray_model.TestStringArray)
TestCategoricalMapped = _with_low_threshold(test_categorical_model.TestNullableCategorical)
TestStrDictMapped = _with_low_threshold(test_strdict_model.TestStr)
TestTableMapped = _with_low_threshold(test_table_model.test_table_matches_a_list_of_dicts)
