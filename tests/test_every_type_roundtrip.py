"""Issue 15's "done means": a list of records carrying every Python type a
column takes -- datetime (naive and aware), date, timedelta, time, bytes,
Decimal, next to int, float, bool and str, each also None -- goes into a
Table and comes back equal, and through pyarrow, pandas, Polars and DuckDB
keeps type, unit, zone and nulls."""

import datetime as dt
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

import compactcol as cc

PARIS = ZoneInfo("Europe/Paris")
ROWS = [
    {"id": 1, "price": 1.5, "ok": True, "name": "ada", "at": dt.datetime(2024, 5, 1, 12, 30, 0, 5),
     "at_paris": dt.datetime(2024, 3, 31, 2, 30, tzinfo=dt.timezone.utc).astimezone(PARIS),
     "day": dt.date(1969, 12, 31), "wait": dt.timedelta(days=-1, microseconds=7),
     "opens": dt.time(23, 59, 59, 999999), "blob": b"\x00\xff", "amount": D("19.99")},
    {"id": 2, "price": None, "ok": None, "name": None, "at": None, "at_paris": None, "day": None,
     "wait": None, "opens": None, "blob": None, "amount": None},
    {"id": 3, "price": -0.0, "ok": False, "name": "é", "at": dt.datetime(1, 1, 1),
     "at_paris": dt.datetime(9999, 12, 31, tzinfo=dt.timezone.utc).astimezone(PARIS),
     "day": dt.date(9999, 12, 31), "wait": dt.timedelta(0), "opens": dt.time(0),
     "blob": b"", "amount": D("-0.01")},
]
SCHEMA = {"id": "int", "price": "float64?", "ok": "bool?", "name": "str?",
          "at": "datetime64[us]?", "at_paris": "datetime64[us, Europe/Paris]?", "day": "date32?",
          "wait": "timedelta64[us]?", "opens": "time64[us]?", "blob": "bytes?",
          "amount": "decimal128(38, 2)?"}


def test_from_records_infers_every_type_and_gives_the_records_back():
    t = cc.Table.from_records(ROWS)
    assert t.schema == SCHEMA
    assert t.to_dicts() == ROWS
    assert [r.at_paris.tzinfo for r in t if r.at_paris] == [PARIS, PARIS]


def test_pyarrow_round_trip_keeps_types_units_zones_and_nulls():
    pa = pytest.importorskip("pyarrow")
    t = cc.Table.from_records(ROWS)
    at = pa.table(t)
    assert {f.name: str(f.type) for f in at.schema} == {
        "id": "int8", "price": "double", "ok": "bool", "name": "string",
        "at": "timestamp[us]", "at_paris": "timestamp[us, tz=Europe/Paris]",
        "day": "date32[day]", "wait": "duration[us]", "opens": "time64[us]",
        "blob": "binary", "amount": "decimal128(38, 2)"}
    assert at.to_pylist() == ROWS
    back = cc.Table.from_arrow(at)
    assert back.to_dicts() == ROWS and back.schema == {**SCHEMA, "id": "int8"}


def test_pandas_polars_and_duckdb_round_trips():
    pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    # years 1 and 9999 are beyond pandas' and Polars' nanoseconds: the rows
    # those libraries can hold
    rows = ROWS[:2]
    t = cc.Table.from_records(rows)
    # (numbers with nulls are float64 with NaN by default, as in pandas: the
    # nullable dtypes keep them exact)
    back = cc.Table.from_pandas(t.to_pandas(dtype_backend="numpy_nullable"))
    assert back.to_dicts() == rows
    assert back.schema["amount"] == "decimal128(38, 2)?"
    assert back.schema["at_paris"].startswith("datetime64[")
    p = pl.DataFrame(t)
    assert cc.Table.from_arrow(p).to_dicts() == rows
    # DuckDB hands zoned timestamps back as the same instants (in its session's zone)
    got = cc.Table.from_arrow(duckdb.sql("select * from t"))
    for k in ("id", "price", "ok", "name", "at", "day", "wait", "opens", "blob", "amount"):
        assert got.column(k).tolist() == t.column(k).tolist(), k
    assert [v and v.timestamp() for v in got.column("at_paris")] == \
           [v and v.timestamp() for v in t.column("at_paris")]
