"""Timestamps, dates, durations and times of day (issue 15): the temporal
dtypes of Array and of Table columns against Python's datetime types and
pyarrow as models -- values in and out, list semantics, sort, search,
pickle, Arrow, NumPy, pandas, Polars and DuckDB round trips, and bad input
(BAD_INPUTS.md rows named where they apply)."""

import datetime as dt
import pickle

import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import compactcol as cc

TEMPORAL = ["datetime64[s]", "datetime64[ms]", "datetime64[us]", "datetime64[ns]",
            "timedelta64[s]", "timedelta64[ms]", "timedelta64[us]", "timedelta64[ns]",
            "date32", "time64[us]", "time64[ns]"]
UNIT_US = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 1}


def unit_of(dtype):
    return dtype[dtype.index("[") + 1:-1] if "[" in dtype else None


def whole(us_step):
    """microseconds that are whole units of a column"""
    return st.integers(0, 999_999).map(lambda us: us - us % us_step)


@st.composite
def values_for(draw, dtype):
    """A value dtype holds exactly, as Python's datetime type."""
    step = UNIT_US.get(unit_of(dtype), 1)
    if dtype.startswith("datetime64"):
        lo, hi = ((dt.datetime(1678, 1, 1), dt.datetime(2261, 12, 31)) if dtype.endswith("[ns]")
                  else (dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59)))
        v = draw(st.datetimes(min_value=lo, max_value=hi))
        return v.replace(microsecond=draw(whole(step)))
    if dtype.startswith("timedelta64"):
        # int64 ticks of ns / us span +-106,751 / +-106,751,991 days
        days = {"ns": 106_750, "us": 106_751_990}.get(unit_of(dtype), 999_999_998)
        v = draw(st.timedeltas(min_value=dt.timedelta(days=-days), max_value=dt.timedelta(days=days)))
        return dt.timedelta(days=v.days, seconds=v.seconds, microseconds=draw(whole(step)))
    if dtype == "date32":
        return draw(st.dates())
    return draw(st.times())


def pa_type(dtype):
    pa = pytest.importorskip("pyarrow")
    unit = unit_of(dtype)
    if dtype.startswith("datetime64"):
        return pa.timestamp(unit)
    if dtype.startswith("timedelta64"):
        return pa.duration(unit)
    return pa.date32() if dtype == "date32" else pa.time64(unit)


# ---- values in and out ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", TEMPORAL)
@given(data=st.data())
def test_values_round_trip_and_match_pyarrow(dtype, data):
    pa = pytest.importorskip("pyarrow")
    values = data.draw(st.lists(st.one_of(values_for(dtype), st.none()), max_size=20))
    a = cc.Array(dtype, values, nullable=True)
    assert a.tolist() == values and list(a) == values and [a[i] for i in range(len(a))] == values
    theirs = pa.array(values, type=pa_type(dtype))
    ours = pa.array(a)
    assert ours.type == theirs.type and ours.equals(theirs)
    back = cc.from_arrow(theirs)
    assert back.dtype == dtype and back.tolist() == values


@pytest.mark.parametrize("dtype", TEMPORAL)
@given(data=st.data())
@settings(max_examples=50)
def test_sort_search_and_pickle(dtype, data):
    values = data.draw(st.lists(values_for(dtype), max_size=30))
    a = cc.Array(dtype, values)
    b = a.copy()
    b.sort()
    assert b.tolist() == sorted(values)
    b.sort(reverse=True)
    assert b.tolist() == sorted(values, reverse=True)
    for v in values[:5]:
        assert v in a and a.index(v) == values.index(v) and a.count(v) == values.count(v)
    for protocol in (2, 5):
        assert pickle.loads(pickle.dumps(a, protocol=protocol)).tolist() == values


def test_ints_are_counts_of_the_unit_as_in_numpy_and_pyarrow():
    a = cc.Array("datetime64[s]", [0, 86_400])
    assert a.tolist() == [dt.datetime(1970, 1, 1), dt.datetime(1970, 1, 2)]
    assert cc.Array("date32", [-1])[0] == dt.date(1969, 12, 31)
    assert cc.Array("timedelta64[ms]", [1500])[0] == dt.timedelta(seconds=1.5)
    # an int is not a datetime: it never compares equal to one
    assert 0 not in a and a.count(0) == 0


def test_calendar_edges():
    days = cc.Array("date32", [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2000, 2, 29),
                               dt.date(1900, 3, 1), dt.date(1970, 1, 1)])
    assert [d - dt.date(1970, 1, 1) for d in days] == [
        dt.timedelta(days=x) for x in (-719162, 2932896, 11016, -25508, 0)]
    assert cc.Array("date32", [dt.date(1969, 12, 31)]).tobytes() == (-1).to_bytes(4, "little",
                                                                                   signed=True)
    t = cc.Array("datetime64[us]", [dt.datetime(1969, 12, 31, 23, 59, 59, 999_999)])
    assert t.tobytes() == (-1).to_bytes(8, "little", signed=True)


def test_pandas_nanoseconds_are_kept():
    pd = pytest.importorskip("pandas")
    ts = pd.Timestamp("2021-06-01 12:00:00.123456789")
    a = cc.Array("datetime64[ns]", [ts])
    assert int.from_bytes(a.tobytes(), "little") == ts.value
    with pytest.raises(ValueError, match="finer than the unit of datetime64\\[us\\]"):
        cc.Array("datetime64[us]", [ts])
    assert cc.Array("timedelta64[ns]", [pd.Timedelta(5)]).tobytes() == (5).to_bytes(8, "little")


def test_values_python_cannot_hold_raise_on_reading_and_export_fine():
    np = pytest.importorskip("numpy")
    a = cc.Array("datetime64[ns]", [1])  # one nanosecond after the epoch
    with pytest.raises(ValueError, match="has nanoseconds"):
        a[0]
    assert np.asarray(a)[0] == np.datetime64(1, "ns")
    far = cc.Array("datetime64[s]", [400_000_000_000])  # year ~14645
    with pytest.raises(ValueError, match="outside datetime's years 1..9999"):
        far.tolist()
    with pytest.raises(ValueError, match="outside date's years"):
        cc.Array("date32", [3_000_000])[0]


# ---- bad input (BAD_INPUTS.md: wrong type, out of range; the array unchanged) ------------

BAD = [
    ("datetime64[us]", "2020-01-01", TypeError, "expected datetime.datetime for datetime64\\[us\\], got str"),
    ("datetime64[us]", dt.date(2020, 1, 1), TypeError, "a date has no time"),
    ("datetime64[us]", dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), TypeError, "tz-aware"),
    ("datetime64[s]", dt.datetime(2020, 1, 1, 0, 0, 0, 5), ValueError, "finer than the unit"),
    ("datetime64[ns]", dt.datetime(2300, 1, 1), OverflowError, "out of range for datetime64\\[ns\\]"),
    ("date32", dt.datetime(2020, 1, 1), TypeError, "a datetime has a time"),
    ("date32", 1.5, TypeError, "expected datetime.date"),
    ("timedelta64[ms]", dt.timedelta(microseconds=1), ValueError, "finer than the unit"),
    ("timedelta64[us]", 3.0, TypeError, "expected datetime.timedelta"),
    ("time64[us]", dt.time(1, tzinfo=dt.timezone.utc), TypeError, "tz-aware"),
    ("time64[us]", dt.timedelta(1), TypeError, "expected datetime.time"),
    ("time64[us]", 86_400_000_000, OverflowError, "out of range"),
    ("datetime64[us]", True, TypeError, "expected datetime.datetime"),
    ("datetime64[us]", 2**70, OverflowError, "out of range"),
]


@pytest.mark.parametrize("dtype,value,exc,message", BAD)
def test_bad_values_name_the_item_and_leave_the_array_unchanged(dtype, value, exc, message):
    ok = {"datetime64": dt.datetime(2020, 1, 1), "timedelta64": dt.timedelta(1),
          "date32": dt.date(2020, 1, 1), "time64": dt.time(1)}[dtype.split("[")[0]]
    a = cc.Array(dtype, [ok, ok])
    before = a.tobytes()
    with pytest.raises(exc, match=message):
        a.append(value)
    with pytest.raises(exc, match="item 1: "):
        a.extend([ok, value])
    with pytest.raises(exc):
        a[0] = value
    with pytest.raises(exc):
        a.insert(0, value)
    assert a.tobytes() == before and len(a) == 2


def test_table_rows_with_bad_temporal_values_name_row_and_field():
    t = cc.Table({"at": dt.datetime, "day": "date32?"}, [(dt.datetime(2020, 1, 1), None)])
    with pytest.raises(TypeError, match="row 1, field 'day'.*expected datetime.date"):
        t.extend([(dt.datetime(2020, 1, 2), dt.date(2020, 1, 2)), (dt.datetime(2020, 1, 3), "x")])
    assert len(t) == 1


# ---- a stateful model: every mutating operation, interleaved --------------------------

class TimestampModel(RuleBasedStateMachine):
    """Array('datetime64[us]', nullable=True) against a list."""

    def __init__(self):
        super().__init__()
        self.a = cc.Array("datetime64[us]", nullable=True)
        self.model = []

    values = st.one_of(st.none(), values_for("datetime64[us]"))

    @rule(v=values)
    def append(self, v):
        self.a.append(v)
        self.model.append(v)

    @rule(vs=st.lists(values, max_size=5))
    def extend(self, vs):
        self.a.extend(vs)
        self.model.extend(vs)

    @rule(i=st.integers(-8, 8), v=values)
    def insert(self, i, v):
        self.a.insert(i, v)
        self.model.insert(i, v)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), v=values)
    def setitem(self, data, v):
        i = data.draw(st.integers(-len(self.model), len(self.model) - 1))
        self.a[i] = v
        self.model[i] = v

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def pop(self, data):
        i = data.draw(st.integers(-len(self.model), len(self.model) - 1))
        assert self.a.pop(i) == self.model.pop(i)

    @rule(start=st.integers(-5, 5), stop=st.integers(-5, 5))
    def delslice(self, start, stop):
        del self.a[start:stop]
        del self.model[start:stop]

    @rule()
    def sort(self):
        # None sorts last, as the numeric Arrays do
        self.a.sort()
        self.model.sort(key=lambda v: (v is None, v or dt.datetime.min))

    @rule()
    def reverse(self):
        self.a.reverse()
        self.model.reverse()

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def remove(self, data):
        v = data.draw(st.sampled_from(self.model))
        self.a.remove(v)
        self.model.remove(v)

    @rule(bad=st.sampled_from(["x", 1.5, dt.date(2020, 1, 1)]))
    def bad_append(self, bad):
        with pytest.raises(TypeError):
            self.a.append(bad)

    @invariant()
    def same(self):
        assert self.a.tolist() == self.model
        assert self.a.null_count == self.model.count(None)


TestTimestampModel = TimestampModel.TestCase
TestTimestampModel.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


# ---- NumPy ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", TEMPORAL)
def test_numpy_views(dtype):
    np = pytest.importorskip("numpy")
    values = {"datetime64": [dt.datetime(2020, 1, 2, 3, 4, 5), dt.datetime(1969, 7, 20)],
              "timedelta64": [dt.timedelta(days=-1, seconds=5), dt.timedelta(0)],
              "date32": [dt.date(2020, 1, 2), dt.date(1969, 7, 20)],
              "time64": [dt.time(3, 4, 5), dt.time(0)]}[dtype.split("[")[0]]
    a = cc.Array(dtype, values)
    v = np.asarray(a)
    want = ("datetime64[D]" if dtype == "date32" else
            "timedelta64" + dtype[6:] if dtype.startswith("time64") else dtype)
    assert v.dtype == np.dtype(want)
    if dtype != "date32":
        assert not v.flags.writeable  # a snapshot view, as pyarrow's
        a.append(values[0])           # the array copies; the view keeps its values
        assert len(v) == 2
    if dtype.startswith(("datetime64", "date32")):
        assert v.astype("datetime64[us]").astype(object).tolist() == [
            x if isinstance(x, dt.datetime) else dt.datetime.combine(x, dt.time()) for x in values]
    with pytest.raises(BufferError, match="no typed buffer"):
        memoryview(a)


def test_numpy_nulls_are_nat_and_views_share_memory():
    np = pytest.importorskip("numpy")
    a = cc.Array("datetime64[us]", [dt.datetime(2020, 1, 1), None], nullable=True)
    assert np.isnat(a.to_numpy()).tolist() == [False, True]
    big = cc.Array("datetime64[ns]", np.arange(1000))
    assert np.shares_memory(np.asarray(big), np.asarray(big))
    assert np.asarray(big).dtype == np.dtype("datetime64[ns]")


# ---- Tables, Records, inference -------------------------------------------------------

class Event(cc.Record):
    at: dt.datetime
    day: dt.date | None
    took: dt.timedelta
    when: dt.time
    fine: cc.Timestamp("ns")
    coarse: cc.Duration("s") | None


ROWS = [
    Event(at=dt.datetime(2020, 1, 1, 12), day=None, took=dt.timedelta(seconds=3),
          when=dt.time(8, 30), fine=dt.datetime(2021, 5, 5, 1, 2, 3, 4), coarse=None),
    Event(at=dt.datetime(1900, 2, 28, 0, 0, 0, 1), day=dt.date(2024, 2, 29),
          took=dt.timedelta(days=-3, microseconds=7), when=dt.time(23, 59, 59, 999999),
          fine=dt.datetime(1700, 1, 1), coarse=dt.timedelta(hours=5)),
]


def test_record_annotations_give_the_temporal_columns():
    t = cc.Table(Event, ROWS)
    assert t.schema == {"at": "datetime64[us]", "day": "date32?", "took": "timedelta64[us]",
                        "when": "time64[us]", "fine": "datetime64[ns]",
                        "coarse": "timedelta64[s]?"}
    assert list(t) == ROWS and t[1].day == dt.date(2024, 2, 29)
    t[0].day = dt.date(2000, 1, 1)
    assert t["day"][0] == dt.date(2000, 1, 1)
    assert pickle.loads(pickle.dumps(t, protocol=5)) == t
    assert ROWS[0].when == dt.time(8, 30)


def test_units_are_checked():
    with pytest.raises(ValueError, match="unit 'D'"):
        cc.Timestamp("D")
    with pytest.raises(ValueError, match="unit 's'"):
        cc.Time("s")


def test_from_records_infers_the_temporal_types():
    rows = [{"a": dt.datetime(2020, 1, 1), "b": dt.date(2020, 1, 1), "c": dt.timedelta(1),
             "d": dt.time(1), "e": None},
            {"a": None, "b": dt.date(2021, 1, 1), "c": dt.timedelta(2), "d": dt.time(2), "e": None}]
    t = cc.Table.from_records(rows)
    assert t.schema == {"a": "datetime64[us]?", "b": "date32", "c": "timedelta64[us]",
                        "d": "time64[us]", "e": "str?"}
    assert t.to_dicts() == rows
    with pytest.raises(TypeError, match="holds \\['date', 'datetime'\\]"):
        cc.Table.from_records([{"a": dt.datetime(2020, 1, 1)}, {"a": dt.date(2020, 1, 1)}])


def test_arrow_round_trips_keep_types_units_and_nulls():
    pa = pytest.importorskip("pyarrow")
    t = cc.Table(Event, ROWS)
    at = pa.table(t)
    assert [str(f.type) for f in at.schema] == [
        "timestamp[us]", "date32[day]", "duration[us]", "time64[us]", "timestamp[ns]",
        "duration[s]"]
    assert at.to_pylist() == t.to_dicts()
    assert cc.Table.from_arrow(at) == t


def test_polars_and_duckdb_round_trips():
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    p = pl.DataFrame({"d": [dt.date(2020, 1, 1), None], "t": [dt.datetime(2020, 1, 1), None],
                      "dur": [dt.timedelta(1), None], "tm": [dt.time(1), None]})
    x = cc.Table.from_arrow(p)
    assert x.schema == {"d": "date32?", "t": "datetime64[us]?", "dur": "timedelta64[us]?",
                        "tm": "time64[ns]?"}
    assert pl.DataFrame(x).equals(p)
    r = duckdb.sql("select DATE '2020-01-01' as d, TIMESTAMP '2020-01-01 01:02:03' as ts, "
                   "TIME '01:02:03' as t")
    y = cc.Table.from_arrow(r)
    assert y.to_dicts() == [{"d": dt.date(2020, 1, 1), "ts": dt.datetime(2020, 1, 1, 1, 2, 3),
                             "t": dt.time(1, 2, 3)}]
    assert duckdb.sql("select * from y").fetchall() == [tuple(y.to_dicts()[0].values())]


def test_pandas_round_trip():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"ts": pd.to_datetime(["2020-01-01", None, "2021-06-01 12:00:00.123456789"],
                                            format="ISO8601"),
                       "td": pd.to_timedelta([1, 2, None], unit="s")})
    t = cc.Table.from_pandas(df)
    assert t.schema == {"ts": f"datetime64[{df['ts'].dt.unit}]?",
                        "td": f"timedelta64[{df['td'].dt.unit}]?"}
    assert t.to_pandas().equals(df)
    out = cc.Table(Event, ROWS).to_pandas()
    assert str(out["at"].dtype) == "datetime64[us]" and str(out["took"].dtype) == "timedelta64[us]"
    assert str(out["day"].dtype) == "date32[day][pyarrow]"
    assert out["when"].tolist() == [r.when for r in ROWS]


# ---- time zones: UTC instants, the zone as metadata (as PyArrow) ------------------------

ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "+05:30", "-08:00"]


def aware(zone):
    from zoneinfo import ZoneInfo
    if zone == "UTC":
        return dt.timezone.utc
    if zone[0] in "+-":
        sign = -1 if zone[0] == "-" else 1
        return dt.timezone(sign * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:])))
    return ZoneInfo(zone)


@pytest.mark.parametrize("zone", ZONES)
@given(data=st.data())
@settings(max_examples=40)
def test_zoned_values_are_instants_shown_in_their_zone(zone, data):
    pa = pytest.importorskip("pyarrow")
    naive = data.draw(st.lists(st.one_of(st.none(), st.datetimes(
        min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(2200, 1, 1))), max_size=15))
    tz = aware(zone)
    values = [None if v is None else v.replace(tzinfo=dt.timezone.utc).astimezone(tz)
              for v in naive]
    a = cc.Array(f"datetime64[us, {zone}]", values, nullable=True)
    assert a.dtype == f"datetime64[us, {zone}]"
    assert a.tolist() == values and list(a) == values
    # the same instants in the zone: equal datetimes, and the zone's own wall time
    assert [None if v is None else (v.utcoffset(), v.replace(tzinfo=None)) for v in a] == [
        None if v is None else (v.utcoffset(), v.replace(tzinfo=None)) for v in values]
    theirs = pa.array(values, type=pa.timestamp("us", tz=zone))
    assert pa.array(a).equals(theirs) and pa.array(a).type == theirs.type
    back = cc.from_arrow(theirs)
    assert back.dtype == a.dtype and back.tolist() == values
    assert pickle.loads(pickle.dumps(a, protocol=5)).tolist() == values
    if values and values[0] is not None:
        assert values[0] in a and a.index(values[0]) == 0


def test_zoned_columns_take_any_aware_value_and_refuse_naive_ones():
    a = cc.Array("datetime64[s, Asia/Tokyo]")
    a.append(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    a.append(dt.datetime(2020, 1, 1, 9, tzinfo=aware("Asia/Tokyo")))
    assert a[0] == a[1] and a[0].tzinfo == aware("Asia/Tokyo") and a[0].hour == 9
    with pytest.raises(TypeError, match="is naive; a datetime64\\[s\\] column with time zone "
                                        "'Asia/Tokyo' takes aware datetimes"):
        a.append(dt.datetime(2020, 1, 1))
    with pytest.raises(TypeError, match="is tz-aware"):
        cc.Array("datetime64[s]", [dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)])
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        cc.Array("datetime64[s, Mars/Olympus]")
    with pytest.raises(ValueError, match="unknown time zone"):
        cc.Timestamp("us", tz="Nowhere/At_All")
    assert len(a) == 2


class Trade(cc.Record):
    at: cc.Timestamp("ms", tz="America/New_York")
    settled: cc.Timestamp("us", tz="UTC") | None


def test_zoned_tables_records_and_inference():
    pa = pytest.importorskip("pyarrow")
    t = cc.Table(Trade, [(dt.datetime(2024, 3, 10, 7, tzinfo=dt.timezone.utc), None)])
    assert t.schema == {"at": "datetime64[ms, America/New_York]", "settled": "datetime64[us, UTC]?"}
    assert t[0].at.hour == 3 and t[0].at.tzinfo == aware("America/New_York")  # EDT began that day
    assert pa.table(t).schema.field("at").type == pa.timestamp("ms", tz="America/New_York")
    assert cc.Table.from_arrow(pa.table(t)) == t
    assert pickle.loads(pickle.dumps(t, protocol=5)) == t
    rows = [{"a": dt.datetime(2020, 1, 1, tzinfo=aware("Europe/Paris")),
             "b": dt.datetime(2020, 1, 1, tzinfo=aware("-08:00")),
             "c": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)},
            {"a": None, "b": dt.datetime(2020, 1, 2, tzinfo=aware("+05:30")),
             "c": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)}]
    u = cc.Table.from_records(rows)
    # one zone -> that zone; different zones -> UTC (the instants are kept)
    assert u.schema == {"a": "datetime64[us, Europe/Paris]?", "b": "datetime64[us, UTC]",
                        "c": "datetime64[us, UTC]"}
    assert u.to_dicts() == rows
    with pytest.raises(TypeError, match="naive and tz-aware datetimes mixed"):
        cc.Table.from_records([{"a": dt.datetime(2020, 1, 1)},
                               {"a": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)}])


def test_zoned_pandas_polars_duckdb():
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    df = pd.DataFrame({"ts": pd.to_datetime(["2020-01-01", None]).tz_localize("Europe/Paris")})
    t = cc.Table.from_pandas(df)
    assert t.schema == {"ts": f"datetime64[{df['ts'].dt.unit}, Europe/Paris]?"}
    assert t.to_pandas().equals(df)
    p = pl.DataFrame({"t": [dt.datetime(2020, 1, 1)]}).with_columns(
        pl.col("t").dt.replace_time_zone("Asia/Kolkata"))
    assert pl.DataFrame(cc.Table.from_arrow(p)).equals(p)
    r = cc.Table.from_arrow(duckdb.sql("select TIMESTAMPTZ '2020-01-01 00:00:00+00' as t"))
    assert r["t"][0] == dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    assert np_view_is_utc(r["t"])


def np_view_is_utc(col):
    np = pytest.importorskip("numpy")
    # NumPy has no time zones: the instants, as UTC datetime64 (as pandas' to_numpy)
    return np.asarray(col)[0] == np.datetime64("2020-01-01T00:00:00", "us")


def test_zones_from_arrow_that_zoneinfo_does_not_know_are_refused():
    pa = pytest.importorskip("pyarrow")
    from compactcol import from_arrow
    schema_type = pa.timestamp("us", tz="+05:30")
    assert from_arrow(pa.array([0], schema_type)).dtype == "datetime64[us, +05:30]"
    with pytest.raises((ValueError, pa.ArrowInvalid)):
        from_arrow(pa.array([0], pa.timestamp("us", tz="Not/A_Zone")))


def test_iteration_reuses_a_box_only_when_nobody_holds_it():
    values = [dt.datetime(2020, 1, 1) + dt.timedelta(hours=7 * i, microseconds=i) for i in range(50)]
    values[10] = dt.datetime(1, 1, 1)
    values[11] = dt.datetime(9999, 12, 31, 23, 59, 59, 999_999)
    a = cc.Array("datetime64[us]", values)
    # hash() caches on the object: a reused box must forget it
    assert [(hash(x), x.isoformat()) for x in a] == [(hash(v), v.isoformat()) for v in values]
    kept = []
    for x in a:
        kept.append(x)  # held: never rewritten
    assert kept == values and len({id(x) for x in kept}) == len(values)
    ns = cc.Array("datetime64[ns]", [0, 1])  # the second has nanoseconds: an error, not a reuse
    it = iter(ns)
    assert next(it) == dt.datetime(1970, 1, 1)
    with pytest.raises(ValueError, match="nanoseconds"):
        next(it)


def test_every_day_of_years_1_to_9999_against_python():
    # the iterator's 32-bit calendar (temporal.c) on every day it handles
    epoch = dt.date(1970, 1, 1).toordinal()
    first, last = dt.date(1, 1, 1).toordinal() - epoch, dt.date(9999, 12, 31).toordinal() - epoch
    days = cc.Array("date32", range(first, last + 1))
    assert days.tolist() == [dt.date.fromordinal(o) for o in range(1, last + epoch + 1)]
    stamps = cc.Array("datetime64[s]", range(first * 86_400 + 43_210, (last + 1) * 86_400, 86_400))
    assert [x.date() for x in stamps] == days.tolist()
    assert {x.time() for x in stamps} == {dt.time(12, 0, 10)}


@pytest.mark.parametrize("dtype", ["datetime64[s]", "datetime64[ms]", "datetime64[us]",
                                   "datetime64[ns]"])
def test_iteration_decodes_ahead_but_sees_writes_made_during_it(dtype):
    # the iterator decodes 64 values at a time (temporal.c); a write to a
    # value it decoded ahead must still be what the loop gets
    start = dt.datetime(2020, 1, 1)
    a = cc.Array(dtype, [start + dt.timedelta(seconds=i) for i in range(200)])
    seen = []
    for i, x in enumerate(a):
        seen.append(x)
        if i + 1 < len(a):
            a[i + 1] = dt.datetime(1999, 12, 31)
        if i == 150:
            del a[160:]
    assert seen == [start] + [dt.datetime(1999, 12, 31)] * 159


def test_iteration_stops_at_a_value_python_cannot_hold():
    a = cc.Array("datetime64[s]", [0, 253_402_300_800, 0])  # the middle one is year 10000
    it = iter(a)
    assert next(it) == dt.datetime(1970, 1, 1)
    with pytest.raises(ValueError, match="outside datetime's years"):
        next(it)


def test_save_and_open_keep_every_temporal_type(tmp_path):
    pytest.importorskip("pyarrow")
    t = cc.Table(Event, ROWS)
    zoned = cc.Table(Trade, [(dt.datetime(2024, 3, 10, 7, tzinfo=dt.timezone.utc), None)])
    for table, name in ((t, "events.arrow"), (zoned, "trades.arrow")):
        table.save(tmp_path / name)
        back = cc.Table.open(tmp_path / name)
        assert back.schema == table.schema and back == table


def test_numpy_datetime64_values_and_arrays_come_in_exactly():
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    x = np.array(["2020-01-01T00:00:00", "NaT"], dtype="M8[us]")
    assert cc.Array("datetime64[ms]", x, nullable=True).tolist() == [dt.datetime(2020, 1, 1), None]
    assert cc.array(x).dtype == "datetime64[us]" and cc.array(x).nullable
    assert cc.array(np.array(["2020-01-02"], "M8[D]")).tolist() == [dt.date(2020, 1, 2)]
    assert cc.array(np.array([5], "m8[s]")).tolist() == [dt.timedelta(seconds=5)]
    with pytest.raises(TypeError, match="NaT in an array that is not nullable"):
        cc.Array("datetime64[us]", x)
    with pytest.raises(ValueError, match="does not fit datetime64\\[s\\] exactly"):
        cc.Array("datetime64[s]", np.array(["2020-01-01T00:00:00.5"], "M8[ms]"))
    with pytest.raises(TypeError, match="expected timedelta64 values"):
        cc.Array("timedelta64[us]", x)
    # scalars: NumPy's and pandas' NaT
    a = cc.Array("datetime64[us]", [np.datetime64("2020-01-01T01:02:03", "s"), pd.NaT,
                                    np.datetime64("NaT")], nullable=True)
    assert a.tolist() == [dt.datetime(2020, 1, 1, 1, 2, 3), None, None]
    with pytest.raises(TypeError, match="not nullable"):
        cc.Array("datetime64[us]", [pd.NaT])
    # another temporal Array converts by meaning, not by its integers
    ms = cc.Array("datetime64[ms]", [dt.datetime(2020, 1, 1)])
    assert cc.Array("datetime64[s]", ms).tolist() == ms.tolist()
    with pytest.raises(TypeError, match="expected int, got datetime.datetime"):
        cc.Array("int64", ms)


def test_arrow_intervals_without_months_import_as_nanosecond_durations():
    # DuckDB has no duration type: a timedelta goes in as an INTERVAL and
    # comes out as Arrow's month_day_nano
    pa = pytest.importorskip("pyarrow")
    duckdb = pytest.importorskip("duckdb")
    r = duckdb.sql("select INTERVAL 1 DAY + INTERVAL 3 SECOND as a, NULL::INTERVAL as b")
    t = cc.Table.from_arrow(r)
    assert t.schema == {"a": "timedelta64[ns]", "b": "timedelta64[ns]?"}
    assert t.to_dicts() == [{"a": dt.timedelta(days=1, seconds=3), "b": None}]
    days = pa.array([pa.MonthDayNano([0, -2, 5000]), None], pa.month_day_nano_interval())
    a = cc.from_arrow(days)
    assert a.dtype == "timedelta64[ns]" and a.tolist() == [dt.timedelta(days=-2, microseconds=5),
                                                           None]
    with pytest.raises(TypeError, match="interval 1 has months.*field 0, 'a'"):
        cc.Table.from_arrow(duckdb.sql("select * from (values (INTERVAL 1 DAY), "
                                       "(INTERVAL 1 MONTH)) v(a)"))
    with pytest.raises(ValueError, match="interval 0 is beyond timedelta64"):
        cc.from_arrow(pa.array([pa.MonthDayNano([0, 2**31 - 1, 0])], pa.month_day_nano_interval()))


def test_arrow_time32_and_date64_import_converted_exactly():
    # pyarrow writes them; stored as time64[us] and date32, nothing rounded
    pa = pytest.importorskip("pyarrow")
    t32 = pa.array([dt.time(1, 2, 3), None, dt.time(23, 59, 59)], pa.time32("s"))
    assert cc.from_arrow(t32).dtype == "time64[us]"
    assert cc.from_arrow(t32).tolist() == t32.to_pylist()
    ms = pa.array([dt.time(1, 2, 3, 4000)], pa.time32("ms"))
    assert cc.from_arrow(ms).tolist() == ms.to_pylist()
    d64 = pa.array([dt.date(2020, 1, 1), None, dt.date(1, 1, 1), dt.date(9999, 12, 31)], pa.date64())
    a = cc.from_arrow(d64)
    assert a.dtype == "date32" and a.tolist() == d64.to_pylist()
    assert cc.Table.from_arrow(pa.table({"d": d64})).schema == {"d": "date32?"}
    with pytest.raises(ValueError, match="value 1 is not a whole number"):
        cc.from_arrow(pa.array([0, 86_400_000 + 5], pa.date64()))  # not midnight
    with pytest.raises(ValueError, match="value 0 is not a whole number .* or out of its range"):
        cc.from_arrow(pa.array([86_400_000], pa.time32("ms")))  # 24:00


def test_search_never_boxes_values_python_cannot_hold_and_follows_list_semantics():
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    a = cc.Array("datetime64[ns]", [0, 5, None], nullable=True)  # 5 ns: no datetime holds it
    assert np.datetime64(5, "ns") in a and a.count(np.datetime64(5, "ns")) == 1
    assert pd.Timestamp(5) in a and a.index(np.datetime64(0, "s")) == 0
    assert dt.datetime(1970, 1, 1) in a and None in a and a.index(None) == 2
    # as in a list of datetimes: no int, str or NaT equals one
    assert 5 not in a and "x" not in a and pd.NaT not in a and a.count(0) == 0
    zoned = cc.Array("datetime64[us, UTC]", [dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)])
    assert dt.datetime(2020, 1, 1) not in zoned  # naive == aware is False
    assert dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc) in zoned
    days = cc.Array("date32", [dt.date(2020, 1, 1)])
    assert dt.datetime(2020, 1, 1) not in days and dt.date(2020, 1, 1) in days


def test_strdict_values_of_a_zone_or_a_decimal():
    from decimal import Decimal
    d = cc.StrDict("datetime64[us, Europe/Paris]",
                   {"a": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)})
    assert d.value_dtype == "datetime64[us, Europe/Paris]"
    assert str(d["a"]) == "2020-01-01 01:00:00+01:00" and pickle.loads(pickle.dumps(d)) == d
    with pytest.raises(TypeError, match=r"StrDict\('datetime64\[us, Europe/Paris\]'\).*naive"):
        d["b"] = dt.datetime(2020, 1, 1)
    m = cc.StrDict("decimal128(12, 2)", a=Decimal("1.5"))
    assert m.value_dtype == "decimal128(12, 2)" and str(m["a"]) == "1.50" and m.copy() == m
    with pytest.raises(ValueError, match=r"key 'b': .*more digits after the point"):
        m["b"] = Decimal("0.001")
    assert dict(m) == {"a": Decimal("1.5")}


def test_a_time_beyond_the_day_from_a_producer_raises_on_reading_only():
    # stores keep a time64 within one day, but an Arrow producer's buffer
    # (adopted as it is) or a pickle's bytes may hold anything: reading such
    # a value is the documented ValueError, never datetime's own message
    pa = pytest.importorskip("pyarrow")
    b = cc.from_arrow(pa.array([86_400_000_000 + 5, 1], pa.time64("us")))
    with pytest.raises(ValueError, match=r"86400000005 \(ticks\) is not a time of day"):
        b[0]
    assert b[1] == dt.time(0, 0, 0, 1) and len(b.to_numpy()) == 2
    rebuild, state = cc.Array("time64[us]", [0]).__reduce_ex__(2)
    state = list(state)
    state[5] = (-1).to_bytes(8, "little", signed=True)  # the raw bytes: -1 us
    with pytest.raises(ValueError, match="not a time of day"):
        list(rebuild(*state))
