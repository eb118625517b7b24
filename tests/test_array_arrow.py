"""Array through the Arrow PyCapsule interface (SPEC §3): zero-copy export
to pyarrow, the export lock, and the release rules of BAD_INPUTS AR1-AR3,
AR7."""

import gc

import pytest

from compactcol import Array

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

CASES = [
    ("int8", [-128, 0, 127], pa.int8()),
    ("int16", [-32768, 7], pa.int16()),
    ("int32", [2**31 - 1, -5], pa.int32()),
    ("int64", [-(2**63), 2**63 - 1], pa.int64()),
    ("uint8", [0, 255], pa.uint8()),
    ("uint16", [65535], pa.uint16()),
    ("uint32", [2**32 - 1], pa.uint32()),
    ("uint64", [2**64 - 1, 0], pa.uint64()),
    ("float32", [1.5, -0.0, float("inf")], pa.float32()),
    ("float64", [0.1, -2.5], pa.float64()),
    ("bool", [True, False, True, True, False, False, True, False, True], pa.bool_()),
]


def exports(a):
    return a._debug_info()["exports"]


@pytest.mark.parametrize("dtype,values,patype", CASES)
def test_every_dtype_round_trips_through_pyarrow(dtype, values, patype):
    a = Array(dtype, values)
    p = pa.array(a)
    assert p.type == patype
    assert p.to_pylist() == values
    assert pa.array(Array(dtype)).to_pylist() == []


@pytest.mark.parametrize("dtype", ["int64", "float64", "bool", "uint8"])
def test_nulls_travel_in_the_validity_bitmap(dtype):
    values = [None, 1, None, 0, 1, None, 1, 1, 0, None]
    if dtype == "float64":
        values = [None if v is None else float(v) for v in values]
    elif dtype == "bool":
        values = [None if v is None else bool(v) for v in values]
    a = Array(dtype, values, nullable=True)
    p = pa.array(a)
    assert p.to_pylist() == values
    assert p.null_count == a.null_count == 4


def test_adaptive_array_exports_its_current_width():
    a = Array("int", [1, 2, 300])
    assert pa.array(a).type == pa.int16()


def test_export_is_zero_copy():
    a = Array("int64", range(1000))
    p = pa.array(a)
    assert p.buffers()[1].address == np.asarray(a).ctypes.data
    del p


def snapshots(a):
    return a._debug_info()["snapshots"]


def test_AR3_an_export_is_a_snapshot_every_write_copies_first():
    model = [2.0, 1.0]
    writes = {"append": lambda x: x.append(3.0), "pop": lambda x: x.pop(),
              "extend": lambda x: x.extend([1.0]), "clear": lambda x: x.clear(),
              "insert": lambda x: x.insert(0, 1.0), "set": lambda x: x.__setitem__(0, 5.0),
              "reverse": lambda x: x.reverse(), "sort": lambda x: x.sort()}
    for name, op in writes.items():
        a, expected = Array("float64", model), list(model)
        p = pa.array(a)
        assert exports(a) == 0 and snapshots(a) == 1  # shared, not pinned
        op(a)
        op(expected)
        assert a.tolist() == expected, name
        assert p.to_pylist() == model  # the consumer keeps what it was given
        p.validate(full=True)
    a = Array("float64", model)
    p = pa.array(a)
    del p
    gc.collect()
    assert snapshots(a) == 0  # released: the next write takes the buffer back
    address = np.asarray(a).__array_interface__["data"][0]
    a[0] = 5.0
    assert np.asarray(a).__array_interface__["data"][0] == address


def test_AR1_capsules_dropped_unconsumed_release_once():
    a = Array("int32", [1, 2, 3])
    for _ in range(100):
        schema, array = a.__arrow_c_array__()
        assert snapshots(a) == 1
        del schema, array
        assert snapshots(a) == 0
    schema = a.__arrow_c_schema__()
    del schema
    a.append(4)


def test_AR2_capsule_consumed_twice_fails_the_second_time():
    a = Array("int64", [1, 2])
    schema, array = a.__arrow_c_array__()
    first = pa.Array._import_from_c_capsule(schema, array)
    assert first.to_pylist() == [1, 2]
    with pytest.raises(Exception):
        pa.Array._import_from_c_capsule(schema, array)
    del first, schema, array
    gc.collect()
    assert exports(a) == 0


def test_AR6_export_outlives_the_array():
    a = Array("int64", range(5))
    p = pa.array(a)
    del a
    gc.collect()
    assert p.to_pylist() == [0, 1, 2, 3, 4]


def test_AR7_incompatible_requested_schema_is_refused():
    a = Array("int64", [1])
    with pytest.raises(ValueError, match="format 'g'"):
        a.__arrow_c_array__(pa.float64().__arrow_c_schema__())
    assert exports(a) == 0
    schema, array = a.__arrow_c_array__(pa.int64().__arrow_c_schema__())
    del schema, array
    assert pa.array(a, type=pa.int64()).to_pylist() == [1]


def test_pyarrow_table_from_arrays():
    t = pa.table({"x": Array("float64", [1.0, 2.0]), "y": Array("int", [1, 2])})
    assert t.column("x").to_pylist() == [1.0, 2.0]
    assert t.column("y").type == pa.int8()
