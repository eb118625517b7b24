"""compactcol.Record instances behave like dataclasses, stored unboxed."""

import copy
import dataclasses
import gc
import pickle
import sys
from typing import Optional

import pytest

import compactcol as cc


class Point(cc.Record):
    x: int
    y: int
    z: float
    w: float
    k: cc.int32

    def norm1(self):
        return abs(self.x) + abs(self.y)

    @property
    def doubled(self):
        return self.x * 2


class Trade(cc.Record):
    id: int
    symbol: cc.Category
    price: float
    note: Optional[str]
    ok: bool = True


@dataclasses.dataclass
class TradeDC:
    id: int
    symbol: str
    price: float
    note: Optional[str]
    ok: bool = True


def test_five_numeric_fields_fit_in_64_bytes_untracked_and_without_dict():
    p = Point(1, 2, 3.0, 4.0, 5)
    assert sys.getsizeof(p) <= 64
    assert not gc.is_tracked(p)
    assert not hasattr(p, "__dict__")
    with pytest.raises(AttributeError):
        p.other = 1


def test_behaves_like_the_dataclass():
    args = dict(id=1, symbol="AAPL", price=1.5, note=None)
    r, d = Trade(**args), TradeDC(**args)
    assert repr(r) == repr(d).replace("TradeDC", "Trade")
    assert r == Trade(1, "AAPL", 1.5, None) and r != Trade(2, "AAPL", 1.5, None)
    assert (r == d) is False  # another class, as two dataclasses
    assert Trade.__match_args__ == ("id", "symbol", "price", "note", "ok")
    match r:
        case Trade(i, s, p, note=None):
            assert (i, s, p) == (1, "AAPL", 1.5)
        case _:
            raise AssertionError("no match")
    with pytest.raises(TypeError):
        hash(r)
    assert tuple(r) == (1, "AAPL", 1.5, None, True) and r.as_dict()["ok"] is True
    assert r["price"] == r[2] == r[-3] == 1.5 and len(r) == 5


@pytest.mark.parametrize("call, message", [
    (lambda: Trade(1, "A"), "missing required argument: 'price'"),
    (lambda: Trade(1, "A", 1.0, None, True, 9), "positional arguments"),
    (lambda: Trade(1, "A", 1.0, None, bogus=1), "unexpected keyword argument 'bogus'"),
    (lambda: Trade(1, "A", 1.0, None, id=2), "multiple values for argument 'id'"),
    (lambda: Trade("1", "A", 1.0, None), "field 'id'"),
    (lambda: Trade(1, None, 1.0, None), "None in a non-nullable"),
])
def test_construction_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_attribute_writes_convert_and_check():
    r = Trade(1, "A", 1.0, None)
    r.price = 2
    assert r.price == 2.0 and isinstance(r.price, float)
    r.note = "x"
    r.note = None
    with pytest.raises(TypeError, match="field 'price'"):
        r.price = "2"
    with pytest.raises(OverflowError):
        Point(1, 2, 3.0, 4.0, 0).k = 2**31
    with pytest.raises(AttributeError):
        del r.price
    assert r == Trade(1, "A", 2.0, None)


def test_pickle_and_copy():
    r = Trade(1, "Ünï", 1.5, "n", False)
    for proto in range(2, 6):
        assert pickle.loads(pickle.dumps(r, proto)) == r
    assert copy.copy(r) == r and copy.deepcopy(r) == r


def test_methods_and_properties_work_on_rows_too():
    t = cc.Table(Point, [(1, -2, 0.0, 0.0, 3), Point(-4, 5, 1.0, 1.0, 1)])
    assert [p.norm1() for p in t] == [3, 9]
    assert t[1].doubled == -8 and isinstance(t[1], Point)
    assert t[0] == Point(1, -2, 0.0, 0.0, 3)
    assert pickle.loads(pickle.dumps(t[1])) == Point(-4, 5, 1.0, 1.0, 1)


def test_inheritance_adds_fields_after_the_parents():
    class Point6(Point):
        label: str = "p"

    p = Point6(1, 2, 3.0, 4.0, 5)
    assert tuple(p) == (1, 2, 3.0, 4.0, 5, "p") and p.norm1() == 3 and isinstance(p, Point)


def test_string_annotations_and_spec_strings():
    import types

    module = types.ModuleType("record_future_annotations")
    sys.modules[module.__name__] = module
    try:
        exec("from __future__ import annotations\nimport compactcol as cc\n"
             "class R(cc.Record):\n    a: int | None\n    b: cc.Category\n    c: 'uint8?'\n",
             module.__dict__)
    finally:
        del sys.modules[module.__name__]
    R = module.R
    assert R.__compactcol_schema__.fields == (("a", "int?", None), ("b", "category"),
                                              ("c", "uint8?", None))
    assert tuple(R(b="x")) == (None, "x", None)


def test_bad_record_classes():
    with pytest.raises(TypeError, match="unsupported type"):
        class Bad(cc.Record):
            x: list
    with pytest.raises(TypeError):
        class Slots(cc.Record):
            __slots__ = ("x",)
            x: int
    with pytest.raises(OverflowError):
        class BadDefault(cc.Record):
            x: cc.int8 = 1000


def test_str_subclass_is_stored_as_exact_str():
    class S(str):
        def __eq__(self, other):
            raise AssertionError("never called")
        __hash__ = str.__hash__

    r = Trade(1, S("A"), 1.0, S("n"))
    assert type(r.note) is str and type(r.symbol) is str


# ---- the namedtuple protocol (issue 16: pd.DataFrame(t) names its columns) ----------

def test_namedtuple_protocol_like_a_namedtuple():
    import collections
    import collections.abc

    NT = collections.namedtuple("NT", "id symbol price note ok", defaults=(None, True))
    nt = NT(1, "AAPL", 1.5)
    r = Trade(1, "AAPL", 1.5)
    assert Trade._fields == r._fields == NT._fields
    assert Trade._field_defaults == NT._field_defaults == {"note": None, "ok": True}
    assert r._asdict() == nt._asdict() == r.as_dict()
    assert isinstance(r, collections.abc.Sequence) and isinstance(nt, collections.abc.Sequence)
    assert not isinstance(r, collections.abc.MutableSequence)
    assert list(reversed(r)) == list(reversed(nt)) and "AAPL" in r and 2 not in r
    changed = r._replace(price=2.5, ok=False)
    assert changed == Trade(1, "AAPL", 2.5, None, False) and r.price == 1.5
    with pytest.raises(TypeError):
        r._replace(nope=1)
    with pytest.raises(TypeError, match="price"):
        r._replace(price="x")
    match r:                                   # a sequence pattern, as for a namedtuple
        case [id_, symbol, *_]:
            assert (id_, symbol) == (1, "AAPL")
        case _:
            pytest.fail("a Record matches a sequence pattern")


def test_namedtuple_protocol_on_rows_and_generated_classes():
    t = cc.Table({"a": "int64", "s": "str?"}, [(1, "x"), (2, None)])
    row = t[1]
    assert type(row)._fields == ("a", "s") and type(row)._field_defaults == {"s": None}
    new = row._replace(a=5)
    assert new == type(row)(5, None) and t[1].a == 2          # a new record; the row stays
    assert t[0]._asdict() == {"a": 1, "s": "x"}
    t.add_column("f", [0.5, 1.5])                             # an extended class gets its own
    assert type(t[0])._fields == ("a", "s", "f") and Trade._fields[0] == "id"

    class Sub(Trade):
        extra: int = 0
    assert Sub._fields == Trade._fields + ("extra",) and Sub._field_defaults["extra"] == 0


def test_field_named_like_the_protocol_wins():
    """As with as_dict: a field hides the attribute of the same name."""
    t = cc.Table({"_fields": "int64", "_asdict": "str"}, [(3, "x")])
    assert t[0]._fields == 3 and t[0]._asdict == "x" and t[0].as_dict() == {"_fields": 3,
                                                                            "_asdict": "x"}


def test_pandas_and_polars_read_a_list_of_records():
    pd = pytest.importorskip("pandas")
    rows = [Trade(1, "AAPL", 1.5), Trade(2, "MSFT", 2.5, "n")]
    df = pd.DataFrame(rows)
    assert df.columns.tolist() == list(Trade._fields)
    assert df["price"].tolist() == [1.5, 2.5] and df["symbol"].tolist() == ["AAPL", "MSFT"]
    pl = pytest.importorskip("polars")
    # Polars reads a list of non-tuple Sequences as columns unless told the
    # rows' orientation (docs/interop.md); with it, the values are right
    df = pl.DataFrame(rows, schema=list(Trade._fields), orient="row")
    assert df.rows() == [tuple(r) for r in rows]
