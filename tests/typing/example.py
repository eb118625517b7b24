"""A type-checked user of compactcol: tests/test_typing.py runs mypy on it
and compares each reveal_type with the T: comment after it (E: an error code).
It also runs, so the annotations it shows are ones Record accepts."""

import datetime
import decimal
from typing import TYPE_CHECKING, Annotated, reveal_type

import compactcol as cc


class Trade(cc.Record):
    id: int
    qty: cc.int32
    price: cc.float32
    symbol: cc.Category
    at: Annotated[datetime.datetime, cc.Timestamp("ns")]
    amount: Annotated[decimal.Decimal, cc.Decimal(12, 2)]
    note: str | None = None


t = Trade(1, 10, 1.5, "AAPL", datetime.datetime(2024, 1, 2), decimal.Decimal("3.25"))
reveal_type(t.qty)  # T: int
reveal_type(t.price)  # T: float
reveal_type(t.symbol)  # T: str
reveal_type(t.at)  # T: datetime.datetime
reveal_type(t.amount)  # T: decimal.Decimal
reveal_type(t.note)  # T: str | None
Trade(id=2, qty=1, price=2.0, symbol="MSFT", at=datetime.datetime(2024, 1, 3),
      amount=decimal.Decimal(1), note="x")

trades = cc.Table(Trade, [t])
reveal_type(trades)  # T: compactcol._table.Table[example.Trade]
for row in trades:
    reveal_type(row)  # T: example.Trade
reveal_type(trades[0])  # T: example.Trade
reveal_type(trades[0:1])  # T: compactcol._table.Table[example.Trade]
reveal_type(trades.pop())  # T: example.Trade
reveal_type(trades.filter(lambda r: True))  # T: compactcol._table.Table[example.Trade]
typed: cc.Table[Trade] = cc.Table(Trade)
reveal_type(typed.record_class)  # T: type[example.Trade]
loose = cc.Table({"a": "int64"})
reveal_type(loose)  # T: compactcol._table.Table[Any]

s = cc.StringArray(["a", "b"])
reveal_type(s[0])  # T: str
reveal_type(list(s))  # T: list[str]
reveal_type(cc.BinaryArray([b"x"])[0])  # T: bytes
reveal_type(cc.CategoricalArray(["a"])[0])  # T: str
reveal_type(cc.StringPool(["a"])[0])  # T: str
reveal_type(cc.Array("int32", [1])[0])  # T: int
reveal_type(cc.Array("float64", [1.0]).pop())  # T: float
reveal_type(cc.Array("datetime64[ns]")[0:1])  # T: compactcol._core.Array[datetime.datetime]
reveal_type(cc.Array("int32") + [1])  # T: compactcol._core.Array[int]

counts = cc.StrDict("int64", {"a": 1})
reveal_type(counts)  # T: compactcol._strdict.StrDict[int]
reveal_type(counts["a"])  # T: int
reveal_type(counts.get("b"))  # T: int | None
reveal_type(counts.get("b", 0))  # T: int
reveal_type(counts.get("b", "none"))  # T: int | str
reveal_type(list(counts.values()))  # T: list[int]
reveal_type(list(counts.items()))  # T: list[tuple[str, int]]
reveal_type(counts.pop("a"))  # T: int
reveal_type(counts.pop("a", None))  # T: int | None
reveal_type(counts.setdefault("c", 2))  # T: int
reveal_type(counts.most_common(1))  # T: list[tuple[str, int]]
reveal_type(counts.copy())  # T: compactcol._strdict.StrDict[int]
reveal_type(cc.StrDict())  # T: compactcol._strdict.StrDict[int]
reveal_type(cc.StrDict("float32", {"x": 1.0})["x"])  # T: float
reveal_type(cc.StrDict("str", x="y")["x"])  # T: str
reveal_type(cc.StrDict("bool", {"t": True}).popitem())  # T: tuple[str, bool]
reveal_type(cc.StrDict("datetime64[us]").get("k"))  # T: datetime.datetime | None
reveal_type(cc.StrDict("object"))  # T: compactcol._strdict.StrDict[Any]
reveal_type(cc.StrDict.count(["a", "b", "a"]))  # T: compactcol._strdict.StrDict[int]
named: cc.StrDict[float] = cc.StrDict("float64")
for key in named:
    reveal_type(key)  # T: str

if TYPE_CHECKING:  # what mypy refuses (these would raise at runtime too)
    Trade("1", 10, 1.5, "AAPL", datetime.datetime(2024, 1, 2), decimal.Decimal(1))  # E: arg-type
    Trade(1, 10, 1.5)  # E: call-arg
    s.append(1)  # E: arg-type
    counts["d"] = "x"  # E: assignment
