"""Table API: row shapes, schema inference, conversions, pickling, columns."""

import collections
import copy
import dataclasses
import pickle

import pytest

import compactcol as cc


class Item(cc.Record):
    id: int
    name: str | None
    kind: cc.Category
    price: float = 0.0


Pt = collections.namedtuple("Pt", "price id kind name")  # other order: read by name


@dataclasses.dataclass
class ItemDC:
    id: int
    name: str
    kind: str
    price: float


class Plain:
    def __init__(self):
        self.id, self.name, self.kind = 7, "p", "k"


def test_every_row_shape():
    t = cc.Table(Item)
    t.append({"id": 1, "name": "a", "kind": "x"})
    t.append((2, None, "y", 2.5))
    t.append([3, "c", "x"])
    t.append(Pt(price=4.0, id=4, kind="y", name="d"))
    t.append(ItemDC(5, "e", "x", 5.5))
    t.append(Item(6, "f", "z"))
    t.append(Plain())
    t.append(t[0])  # a view of the same table
    assert [r.id for r in t] == [1, 2, 3, 4, 5, 6, 7, 1]
    assert t[3].price == 4.0 and t[6].price == 0.0 and t[1].name is None


def test_from_records_infers_the_documented_schema():
    recs = [{"i": k, "f": k / 2, "b": k % 2 == 0, "s": f"s{k}", "c": "ab"[k % 2],
             "n": None if k % 5 == 0 else k} for k in range(20)]
    t = cc.Table.from_records(iter(recs))
    assert t.schema == {"i": "int", "f": "float64", "b": "bool", "s": "str", "c": "category",
                        "n": "int?"}
    assert t.to_dicts() == recs
    assert cc.Table.from_records(recs, schema={"i": "int8", "f": "float32", "b": "bool",
                                               "s": "str", "c": "str", "n": "int16?"}).schema["i"] == "int8"
    with pytest.raises(TypeError, match="row 1000, field 'i'"):
        cc.Table.from_records([{"i": 1}] * 1000 + [{"i": "x"}])
    with pytest.raises(ValueError):
        cc.Table.from_records([])


def test_to_records_and_dicts():
    t = cc.Table(Item, [(1, "a", "x", 1.0), (2, None, "y", 2.0)])
    recs = t.to_records()
    assert recs == [Item(1, "a", "x", 1.0), Item(2, None, "y", 2.0)]
    assert not any(r._is_view for r in recs)
    assert t.to_dicts()[1] == {"id": 2, "name": None, "kind": "y", "price": 2.0}


@pytest.mark.parametrize("proto", [2, 3, 4, 5])
def test_pickle_round_trips(proto):
    t = cc.Table(Item, [(1, "a", "x", 1.0), (2, None, "y", 2.0)])
    u = pickle.loads(pickle.dumps(t, proto))
    assert u == t and u.record_class is Item and type(u) is cc.Table
    u.append((3, "c", "x"))  # its columns are its own
    assert len(t) == 2
    d = cc.Table({"a": "int32?", "s": "category?"}, [(1, "x"), (None, None)])
    e = pickle.loads(pickle.dumps(d, proto))
    assert e == d and e.schema == d.schema
    assert pickle.loads(pickle.dumps(d[0], proto)).as_dict() == {"a": 1, "s": "x"}


def test_pickle_rejects_columns_of_different_lengths():
    t = cc.Table(Item, [(1, "a", "x", 1.0)])
    state = t.__reduce_ex__(5)
    cols = [copy.copy(c) for c in state[1][3]]  # free copies: the originals belong to t
    cols[0] = cc.Array("int", [1, 2])  # `id: int` is an adaptive column
    with pytest.raises(ValueError, match="one length"):
        state[0](state[1][0], state[1][1], state[1][2], tuple(cols))


def test_copy_repr_equality_and_columns():
    t = cc.Table(Item, [(k, str(k), "x", float(k)) for k in range(10)])
    c = copy.copy(t)
    assert c == t and c is not t and c["id"] is not t["id"]
    assert copy.deepcopy(t) == t
    assert "length=10" in repr(t) and "..." in repr(t)
    assert t.column("price") is t["price"] and t.columns == ["id", "name", "kind", "price"]
    assert t.nbytes > 0 and t.nbytes < 10 * 64
    t.rename({"price": "cost"})
    assert t.columns[-1] == "cost" and t[0].cost == 0.0 and not isinstance(t[0], Item)
    t.clear()
    assert len(t) == 0 and t._debug_info()["length"] == 0
    with pytest.raises(KeyError):
        t.drop_column("nope")
    with pytest.raises(KeyError):
        t["nope"]


def test_add_column_keeps_the_record_class_methods():
    class Priced(cc.Record):
        price: float

        def double(self):
            return 2 * self.price

    t = cc.Table(Priced, [(1.0,), (2.0,)])
    t.add_column("qty", [3, 4])
    assert t[1].double() == 4.0 and t[1].qty == 4 and isinstance(t[1], Priced)
    assert t.schema == {"price": "float64", "qty": "int"}  # inferred: adaptive
    with pytest.raises(ValueError):
        t.add_column("short", [1])
    with pytest.raises(ValueError):
        t.add_column("qty", [1, 2])


def test_sort_orders_nulls_and_nans_last_and_categories_by_string():
    t = cc.Table({"f": "float64?", "c": "category"},
                 [(2.0, "b"), (None, "a"), (float("nan"), "c"), (-1.0, "a"), (2.0, "a")])
    t.sort(by="f")
    assert [r.f for r in t][:3] == [-1.0, 2.0, 2.0] and t[4].f is None
    t.sort(by=["c", "f"], reverse=True)
    assert [r.c for r in t] == ["c", "b", "a", "a", "a"]
    t.sort(key=lambda r: r.c)
    assert [r.c for r in t] == ["a", "a", "a", "b", "c"]
    with pytest.raises(KeyError):
        t.sort(by="zz")
    with pytest.raises(TypeError):
        t.sort(by="f", key=len)
