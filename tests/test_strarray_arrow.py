"""StringArray through the Arrow PyCapsule interface: pyarrow reads it as
`string` without a copy, the export pins the buffers, release unpins."""

import gc

import pytest

from compactcol import StringArray

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

VALUES = ["alpha", "", "é", "中文", "\U0001F600", "a\x00b"]


@pytest.mark.parametrize("nullable", [False, True])
def test_pyarrow_reads_the_same_strings(nullable):
    values = VALUES + ([None, "z"] if nullable else [])
    a = StringArray(values, nullable=nullable)
    arr = pa.array(a)
    assert arr.type == pa.string()
    assert arr.to_pylist() == values
    assert arr.null_count == (1 if nullable else 0)
    assert arr.equals(pa.array(values, type=pa.string()))


def test_export_shares_the_data_buffer():
    a = StringArray(VALUES * 100)
    arr = pa.array(a)
    with a.data as view:
        address = np.frombuffer(view, dtype=np.uint8).ctypes.data
    assert arr.buffers()[2].address == address
    assert arr.buffers()[1].address == np.frombuffer(a.offsets, dtype=np.int32).ctypes.data


def test_an_export_is_a_snapshot():
    """SA7 for Arrow: pyarrow shares the buffers; every write (resizing,
    another length, the same byte length) copies first, and pyarrow keeps
    its strings; nothing is pinned."""
    for op in (lambda a: a.append("z"), lambda a: a.pop(), lambda a: a.__setitem__(0, "longer"),
               lambda a: a.clear(), lambda a: a.__setitem__(0, "q")):
        a, model = StringArray(["x", "yy"]), ["x", "yy"]
        arr = pa.array(a)
        assert a._debug_info()["exports"] == 0 and a._debug_info()["snapshots"] == 1
        op(a)
        op(model)
        assert a == model and arr.to_pylist() == ["x", "yy"]
        arr.validate(full=True)
    a = StringArray(["x", "yy"])
    arr = pa.array(a)
    del arr
    gc.collect()
    assert a._debug_info()["snapshots"] == 0
    a.append("z")
    assert a == ["x", "yy", "z"]


def test_a_scattered_array_is_compacted_for_export():
    a = StringArray(["a", "bb", "ccc"] * 10)
    for i in range(0, 30, 3):
        a[i] = "a much longer string than before"
    assert a._debug_info()["compact"] is False
    assert pa.array(a).to_pylist() == a.tolist()
    assert a._debug_info()["compact"] is True


def test_empty_and_schema():
    assert pa.array(StringArray()).to_pylist() == []
    schema = pa.Field._import_from_c_capsule(StringArray(nullable=True).__arrow_c_schema__())
    assert schema.type == pa.string() and schema.nullable


def test_requested_schema_other_than_ours_is_refused():
    a = StringArray(["x"])
    wrong = pa.string_view().__arrow_c_schema__()
    with pytest.raises(ValueError, match="only string <-> large_string"):
        a.__arrow_c_array__(wrong)
    same = pa.string().__arrow_c_schema__()
    assert pa.array(a, type=pa.string()).to_pylist() == ["x"]
    a.__arrow_c_array__(same)
