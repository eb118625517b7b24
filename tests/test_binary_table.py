"""'bytes' fields of Table and Record (issue 15): the dict-schema specs
'bytes' / 'bytes?', the Record annotation `bytes` (and `bytes | None`),
from_records inference, Arrow (binary, large_binary, binary_view) in and
out, pandas in and out, NumPy, pickles, save/open.  Bad rows name the row
and field and leave the table unchanged (RT2, RT3).
"""

import pickle
from typing import Optional

import pytest

import compactcol as cc
from compactcol import BinaryArray, Record, Table

pa = pytest.importorskip("pyarrow")


class Blob(Record):
    id: int
    data: bytes
    note: bytes | None


class OptBlob(Record):
    data: Optional[bytes]


def rows_of(t):
    return [tuple(r) for r in t]


def test_record_annotation_and_spec():
    assert Table(Blob).schema == {"id": "int", "data": "bytes", "note": "bytes?"}
    assert Table(OptBlob).schema == {"data": "bytes?"}
    t = Table({"a": "bytes", "b": "bytes?", "c": bytes})
    assert t.schema == {"a": "bytes", "b": "bytes?", "c": "bytes"}
    assert type(t["a"]) is BinaryArray and type(t["b"]) is BinaryArray
    assert t["b"].nullable and not t["a"].nullable


def test_rows_in_every_shape_and_bytes_like_values():
    t = Table(Blob)
    t.append(Blob(id=1, data=b"\xff\x00", note=None))
    t.append({"id": 2, "data": bytearray(b"ab"), "note": memoryview(b"n")})
    t.extend([(3, b"", b"x"), {"id": 4, "data": b"\x00" * 3}])
    assert rows_of(t) == [(1, b"\xff\x00", None), (2, b"ab", b"n"), (3, b"", b"x"),
                          (4, b"\x00\x00\x00", None)]
    assert all(type(r.data) is bytes for r in t)
    t[0].data = bytearray(b"new")
    assert t[0].data == b"new" and type(t[0].data) is bytes


def test_standalone_record_stores_bytes():
    r = Blob(id=1, data=bytearray(b"q"), note=memoryview(b"m"))
    assert r.data == b"q" and type(r.data) is bytes and type(r.note) is bytes
    assert r == Blob(id=1, data=b"q", note=b"m")
    assert pickle.loads(pickle.dumps(r)) == r
    with pytest.raises(TypeError, match=r"Blob.__init__: field 'data': expected bytes \(or a "
                                        r"bytes-like object\), got str \('q'\)"):
        Blob(id=1, data="q", note=None)


def snap(t):
    return rows_of(t), len(t), {c: t[c]._debug_info() for c in t.columns}


@pytest.mark.parametrize("bad,msg", [
    ({"id": 9, "data": "text", "note": None},
     r"Table.extend: row 2, field 'data': expected bytes \(or a bytes-like object\), got str"),
    ({"id": 9, "data": None, "note": None}, r"row 2, field 'data': None in a non-nullable bytes"),
    ({"id": 9, "data": b"ok", "note": 5}, r"row 2, field 'note': expected bytes .*, got int \(5\)"),
])
def test_RT2_RT3_a_bad_row_names_row_and_field_and_changes_nothing(bad, msg):
    t = Table(Blob, [(1, b"a", None)])
    before = snap(t)
    with pytest.raises(TypeError, match=msg):
        t.extend([(2, b"b", None), (3, b"c", b"c"), bad, (4, b"d", None)])
    assert snap(t) == before
    with pytest.raises(TypeError):
        t.append({"id": 5, "data": "str", "note": None})
    assert snap(t) == before


def test_from_records_infers_bytes():
    t = Table.from_records([{"k": b"a", "n": 1}, {"k": None, "n": 2}, {"k": b"\xff", "n": 3}])
    assert t.schema == {"k": "bytes?", "n": "int"}
    assert t["k"].tolist() == [b"a", None, b"\xff"]
    with pytest.raises(TypeError, match="one of int, float, bool, str, bytes, datetime"):
        Table.from_records([{"k": b"a"}, {"k": "a"}])


def test_arrow_out_and_back():
    t = Table(Blob, [(1, b"\xff", None), (2, b"", b"x")])
    pt = pa.table(t)
    assert pt.schema.field("data").type == pa.binary()
    assert pt.schema.field("note").type == pa.binary() and pt.schema.field("note").nullable
    assert pt.column("data").to_pylist() == [b"\xff", b""]
    back = Table.from_arrow(pt)
    assert back.schema == {"id": "int8", "data": "bytes", "note": "bytes?"}
    assert rows_of(back) == rows_of(t)


@pytest.mark.parametrize("typ", ["binary", "large_binary", "binary_view"])
def test_from_arrow_binary_fields_become_bytes_columns(typ):
    src = pa.table({"b": pa.array([b"\xc3", None, b"x" * 30], getattr(pa, typ)())})
    t = Table.from_arrow(src)
    assert t.schema == {"b": "bytes?"} and type(t["b"]) is BinaryArray
    assert t["b"].tolist() == [b"\xc3", None, b"x" * 30]
    t.append({"b": b"more"})  # the producer's buffers are not written
    assert src.column("b").to_pylist() == [b"\xc3", None, b"x" * 30]


def test_polars_round_trip():
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"b": [b"a", None, b"\xff"]})
    t = Table.from_arrow(df)
    assert t.schema == {"b": "bytes?"}
    assert pl.DataFrame(t)["b"].to_list() == [b"a", None, b"\xff"]


def test_export_is_a_snapshot():
    t = Table({"b": "bytes"}, [(b"ab",), (b"c",)])
    pt = pa.table(t)
    t[0] = {"b": b"zz"}
    t.append({"b": b"new"})
    t.sort(by="b", reverse=True)
    assert pt.column("b").to_pylist() == [b"ab", b"c"]


def test_pandas_out_and_in():
    pd = pytest.importorskip("pandas")
    t = Table(Blob, [(1, b"\xff", None), (2, b"", b"x")])
    df = t.to_pandas()
    assert df["data"].dtype == object and df["data"].tolist() == [b"\xff", b""]
    assert df["note"].tolist() == [None, b"x"]
    t2 = Table.from_pandas(pd.DataFrame({"b": [b"a", b"\x00", None]}))
    assert t2.schema == {"b": "bytes?"} and t2["b"].tolist() == [b"a", b"\x00", None]
    t3 = Table.from_pandas(df)
    assert t3.schema["data"] == "bytes" and rows_of(t3) == rows_of(t)


def test_to_numpy_gives_object_fields():
    pytest.importorskip("numpy")
    out = Table({"i": "int32", "b": "bytes?"}, [(1, b"a"), (2, None)]).to_numpy()
    assert out.dtype["b"] == object and out["b"].tolist() == [b"a", None]


def test_sort_take_filter_and_pickle():
    t = Table({"b": "bytes", "i": "int"}, [(b"b", 1), (b"a\x00", 2), (b"a", 3), (b"", 4)])
    t.sort(by="b")
    assert t["b"].tolist() == sorted([b"b", b"a\x00", b"a", b""])
    assert type(t.take([0, 1])["b"]) is BinaryArray
    assert t.filter([True, False, True, False])["b"].tolist() == [b"", b"a\x00"]
    for proto in (2, 5):
        u = pickle.loads(pickle.dumps(t, proto))
        assert u == t and u.schema == t.schema


def test_save_and_open(tmp_path):
    t = Table({"a": "bytes?", "b": "int"}, [(b"\xff", 1), (None, 2)])
    t.save(tmp_path / "t.arrow")
    u = Table.open(tmp_path / "t.arrow")
    assert u.schema == t.schema and u == t
    b = BinaryArray([b"x", b"\x00"])
    b.save(tmp_path / "b.arrow")
    c = cc.open(tmp_path / "b.arrow")
    assert type(c) is BinaryArray and c == b


def test_compactcol_array_infers_bytes():
    assert type(cc.array([b"a", None])) is BinaryArray
    assert cc.array([b"a"], dtype="bytes").tolist() == [b"a"]
    with pytest.raises(TypeError, match="mixed"):
        cc.array([b"a", "a"])
