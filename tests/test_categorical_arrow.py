"""CategoricalArray as an Arrow dictionary array: the codes and the pool's
strings go out without a copy, are pinned while exported, and are given
back exactly once (AR1, AR3)."""

import gc

import pytest

from compactcol import CategoricalArray, from_arrow

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")


def exports(c):
    """The snapshots sharing the codes' and the pool's buffers."""
    return c.codes._debug_info()["snapshots"], c.pool._debug_info()["snapshots"]


@pytest.mark.parametrize("nullable", [False, True])
def test_round_trip_through_pyarrow(nullable):
    values = ["red", "blue", "red", "é", "\U0001F600"] + ([None] if nullable else [])
    c = CategoricalArray(values, nullable=nullable)
    arr = pa.array(c)
    assert pa.types.is_dictionary(arr.type) and arr.type.index_type == pa.int8()
    assert arr.to_pylist() == values and arr.null_count == (1 if nullable else 0)
    assert arr.dictionary.to_pylist() == list(c.pool)
    back = from_arrow(arr)
    assert back.tolist() == values
    del arr
    gc.collect()
    # without nulls the import adopts the int8 indices: back shares c's codes
    # (and holds the dictionary child with the rest of the array)
    assert exports(c) == ((0, 0) if nullable else (1, 1))
    c.append("new")  # a snapshot: back keeps its values
    assert back.tolist() == values
    del back
    gc.collect()
    assert exports(c) == (0, 0)


def test_wide_codes_export_with_their_width():
    c = CategoricalArray([f"v{i}" for i in range(300)])
    arr = pa.array(c)
    assert arr.type.index_type == pa.int16() and arr.to_pylist() == c.tolist()


def test_codes_are_shared_not_copied():
    c = CategoricalArray(["a", "b", "a"] * 100)
    arr = pa.array(c)
    address = np.asarray(c.codes).ctypes.data
    assert arr.indices.buffers()[1].address == address


def test_AR3_the_export_is_a_snapshot_of_codes_and_pool():
    c = CategoricalArray(["a", "b"])
    other = CategoricalArray(["a"], pool=c.pool)
    arr = pa.array(c)
    assert exports(c) == (1, 1)
    c.append("a")              # the codes copy before they grow
    other.append("brand new")  # the shared pool copies before it takes new strings
    c[0] = None if c.nullable else "b"
    other.append("b")
    assert c.tolist() == ["b", "b", "a"] and other.tolist() == ["a", "brand new", "b"]
    assert arr.to_pylist() == ["a", "b"]
    arr.validate(full=True)
    del arr
    gc.collect()
    c.append("c")
    other.append("d")
    assert exports(c) == (0, 0)


def test_AR1_dropping_the_capsules_unconsumed_gives_everything_back():
    c = CategoricalArray(["x", None], nullable=True)
    schema, array = c.__arrow_c_array__()
    assert exports(c) == (1, 1)
    del schema, array
    gc.collect()
    assert exports(c) == (0, 0)
    c.__arrow_c_schema__()  # a schema alone pins nothing
    assert exports(c) == (0, 0)


def test_a_stray_code_refuses_to_export():
    c = CategoricalArray(["a", "b"])
    c.codes[1] = 7
    with pytest.raises(ValueError, match="code 7"):
        pa.array(c)
    assert exports(c) == (0, 0)


def test_requested_schema_is_refused():
    c = CategoricalArray(["a"])
    with pytest.raises(ValueError):
        c.__arrow_c_array__(pa.string().__arrow_c_schema__())
