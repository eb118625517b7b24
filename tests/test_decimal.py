"""Exact decimals (issue 15): Array('decimal128(p, s)') and decimal Table
columns against Python's Decimal, a list and pyarrow as models -- values in
and out, list semantics, sort, search, pickle, Arrow, NumPy, pandas, Polars
and DuckDB round trips, and bad input (BAD_INPUTS.md rows named where they
apply: N1 wrong type, N2 out of range, N9 container unchanged on failure)."""

import pickle
from decimal import Context, Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import compactcol as cc


@st.composite
def precision_scale(draw):
    p = draw(st.integers(1, 38))
    return p, draw(st.integers(0, p))


def values_for(p, s):
    """Decimals a decimal128(p, s) holds exactly: written with s places, as
    the column gives them back."""
    bound = 10**p - 1  # (from a string: Decimal arithmetic would round to 28 digits)
    return st.integers(-bound, bound).map(lambda u: D(f"{u}E-{s}"))


#: Decimal arithmetic rounds to the context's 28 digits; a decimal128 has 38
WIDE = Context(prec=40)


#: lists of 38-digit values are large draws, slow on a loaded machine: not a defect
BIG_DRAWS = [HealthCheck.too_slow, HealthCheck.data_too_large]


def name(p, s):
    return f"decimal128({p}, {s})"


# ---- values in and out ----------------------------------------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=BIG_DRAWS)
@given(ps=precision_scale(), data=st.data())
def test_values_round_trip_and_match_pyarrow(ps, data):
    pa = pytest.importorskip("pyarrow")
    p, s = ps
    values = data.draw(st.lists(st.one_of(st.none(), values_for(p, s)), max_size=30))
    a = cc.Array(name(p, s), values, nullable=True)
    assert a.tolist() == values
    assert [str(v) for v in a if v is not None] == [str(v) for v in values if v is not None]
    ref = pa.array(values, pa.decimal128(p, s))
    exported = pa.array(a)
    assert exported.type == ref.type and exported.equals(ref)
    back = cc.from_arrow(ref)
    assert back.dtype == name(p, s) and back.tolist() == values
    for protocol in (2, 3, 4, 5):
        assert pickle.loads(pickle.dumps(a, protocol)).tolist() == values


@settings(max_examples=100, deadline=None, suppress_health_check=BIG_DRAWS)
@given(ps=precision_scale(), data=st.data())
def test_sort_and_search_match_a_list(ps, data):
    p, s = ps
    values = data.draw(st.lists(values_for(p, s), max_size=40))
    a = cc.Array(name(p, s), values)
    for reverse in (False, True):
        b = a.copy()
        b.sort(reverse=reverse)
        assert b.tolist() == sorted(values, reverse=reverse)
    if values:
        v = data.draw(st.sampled_from(values))
        assert v in a and a.index(v) == values.index(v) and a.count(v) == values.count(v)
        # the same number written with fewer places is the same value
        short = v.normalize(WIDE)
        assert short in a and a.count(short) == values.count(v)


def test_values_beyond_64_bits_and_the_38_digit_edges():
    top, bottom = D(10**38 - 1), D(-(10**38 - 1))  # (not -top: that rounds to 28 digits)
    a = cc.Array("decimal128(38, 0)", [top, bottom, 2**64, -(2**63) - 1, 0])
    assert a.tolist() == [top, bottom, D(2**64), D(-(2**63) - 1), D(0)]
    a.sort()
    assert a.tolist() == [bottom, D(-(2**63) - 1), D(0), D(2**64), top]
    assert a.index(2**64) == 3 and a.count(bottom) == 1 and (10**38 - 2) not in a
    tiny = cc.Array("decimal128(38, 38)", [D("0." + "9" * 38), D("-1E-38")])
    assert tiny.tolist() == [D("0." + "9" * 38), D("-0." + "0" * 37 + "1")]


def test_ints_and_every_spelling_of_a_decimal_come_in_exactly():
    np = pytest.importorskip("numpy")
    a = cc.Array("decimal128(10, 3)", [1, -2, np.int64(3), D("4.5"), D("5E+2"), D("6.000000"),
                                       D("-0.000"), D("7.10E-1")])
    assert [str(v) for v in a] == ["1.000", "-2.000", "3.000", "4.500", "500.000", "6.000",
                                   "0.000", "0.710"]


def test_equality_with_other_numbers_is_python_s():
    a = cc.Array("decimal128(5, 1)", [D("0.5"), D("2")])
    assert 0.5 in a and 2 in a and 2.0 in a  # Decimal('0.5') == 0.5 in Python
    assert 0.1 not in a and D("0.25") not in a and "0.5" not in a and D("NaN") not in a
    assert a == [D("0.5"), D(2)]


def test_arrays_of_another_scale_or_type_convert_by_value():
    a = cc.Array("decimal128(5, 1)", [D("1.5"), None], nullable=True)
    assert cc.Array("decimal128(10, 3)", a, nullable=True).tolist() == [D("1.500"), None]
    assert cc.Array("decimal128(6, 2)", cc.Array("int64", [7])).tolist() == [D("7.00")]
    with pytest.raises(ValueError, match="more digits after the point"):
        cc.Array("decimal128(5, 0)", a)


BAD = [  # (value, exception, message): N1 a wrong type, N2 beyond the declared digits
    (D("1.005"), ValueError, r"Decimal\('1.005'\) has more digits after the point than the "
                             r"scale of decimal128\(6, 2\)"),
    (D("12345.6"), OverflowError, r"more digits than the precision of decimal128\(6, 2\)"),
    (10**4, OverflowError, "more digits than the precision"),
    (10**40, OverflowError, "more digits than the precision"),
    (D("1E+50"), OverflowError, "more digits than the precision"),
    (D("1E-50"), ValueError, "more digits after the point"),
    (D("NaN"), ValueError, "not a finite number"),
    (D("-Infinity"), ValueError, "not a finite number"),
    (1.5, TypeError, r"expected Decimal \(or int\) for decimal128\(6, 2\), got float .*not exact"),
    ("1.5", TypeError, "expected Decimal .* got str"),
    (True, TypeError, "expected Decimal .* got bool"),
    (b"1", TypeError, "expected Decimal .* got bytes"),
]


@pytest.mark.parametrize("value,exc,message", BAD)
def test_bad_values_name_the_item_and_leave_the_array_unchanged(value, exc, message):
    a = cc.Array("decimal128(6, 2)", [D("1.25"), D("-3")])
    before = a.tobytes()
    with pytest.raises(exc, match=message):
        a.append(value)
    with pytest.raises(exc, match=r"Array\('decimal128\(6, 2\)'\).extend: item 1: "):
        a.extend([D(1), value])
    with pytest.raises(exc):
        a[0] = value
    with pytest.raises(exc):
        a.insert(0, value)
    assert a.tobytes() == before and len(a) == 2


def test_bad_dtypes_say_what_a_decimal128_needs():
    for bad in ("decimal128", "decimal128(39, 2)", "decimal128(5, 6)", "decimal128(0, 0)"):
        with pytest.raises(ValueError, match="precision"):
            cc.Array(bad)
    with pytest.raises(ValueError, match="precision"):
        cc.Decimal(40, 2)
    assert "decimal128" not in cc.DTYPES  # it is not a dtype without its parameters


# ---- a stateful model: every mutating operation, interleaved --------------------------

class DecimalModel(RuleBasedStateMachine):
    """Array('decimal128(20, 4)', nullable=True) against a list."""

    def __init__(self):
        super().__init__()
        self.a = cc.Array("decimal128(20, 4)", nullable=True)
        self.model = []

    values = st.one_of(st.none(), values_for(20, 4), st.integers(-10**15, 10**15).map(D))

    def _put(self, v):  # the model holds what the column gives back: 4 places
        return None if v is None else v.quantize(D("0.0001"))

    @rule(v=values)
    def append(self, v):
        self.a.append(v)
        self.model.append(self._put(v))

    @rule(vs=st.lists(values, max_size=5))
    def extend(self, vs):
        self.a.extend(vs)
        self.model.extend(map(self._put, vs))

    @rule(i=st.integers(-8, 8), v=values)
    def insert(self, i, v):
        self.a.insert(i, v)
        self.model.insert(i, self._put(v))

    @precondition(lambda self: self.model)
    @rule(data=st.data(), v=values)
    def setitem(self, data, v):
        i = data.draw(st.integers(-len(self.model), len(self.model) - 1))
        self.a[i] = v
        self.model[i] = self._put(v)

    @rule(start=st.integers(-5, 5), stop=st.integers(-5, 5), vs=st.lists(values, max_size=3))
    def setslice(self, start, stop, vs):
        self.a[start:stop] = vs
        self.model[start:stop] = map(self._put, vs)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def pop(self, data):
        i = data.draw(st.integers(-len(self.model), len(self.model) - 1))
        assert self.a.pop(i) == self.model.pop(i)

    @rule(start=st.integers(-5, 5), stop=st.integers(-5, 5))
    def delslice(self, start, stop):
        del self.a[start:stop]
        del self.model[start:stop]

    @rule(reverse=st.booleans())
    def sort(self, reverse):
        # None sorts last in both directions, as the numeric Arrays do
        self.a.sort(reverse=reverse)
        present = sorted((v for v in self.model if v is not None), reverse=reverse)
        self.model = present + [None] * (len(self.model) - len(present))

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

    @rule(bad=st.sampled_from(["x", 1.5, D("0.00001"), D(10**17), D("sNaN")]))
    def bad_append(self, bad):
        with pytest.raises((TypeError, ValueError, OverflowError)):
            self.a.append(bad)

    @invariant()
    def same(self):
        assert self.a.tolist() == self.model
        assert [str(v) for v in self.a] == [str(v) for v in self.model]
        assert self.a.null_count == self.model.count(None)


TestDecimalModel = DecimalModel.TestCase
TestDecimalModel.settings = settings(max_examples=60, stateful_step_count=30, deadline=None,
                                     suppress_health_check=BIG_DRAWS)


# ---- NumPy ----------------------------------------------------------------------------

def test_numpy_gets_decimal_objects_and_no_typed_buffer():
    np = pytest.importorskip("numpy")
    a = cc.Array("decimal128(8, 2)", [D("1.5"), None], nullable=True)
    out = a.to_numpy()
    assert out.dtype == object and out.tolist() == [D("1.50"), None]
    assert np.asarray(a).tolist() == [D("1.50"), None]
    assert a.to_numpy(na_value=D(0)).tolist() == [D("1.50"), D(0)]
    with pytest.raises(BufferError, match="no typed buffer"):
        memoryview(a)
    assert len(bytes(a.tobytes())) == 32  # the raw 16-byte integers


# ---- Tables, Records and inference ----------------------------------------------------

class Payment(cc.Record):
    amount: cc.Decimal(12, 2)
    fee: cc.Decimal(6, 4) | None
    rate: D
    n: int


ROWS = [(D("19.99"), D("0.0150"), D("0.000123456"), 1), (D("-5"), None, D(3), 2)]


def test_record_annotations_give_the_decimal_columns():
    t = cc.Table(Payment, ROWS)
    assert t.schema == {"amount": "decimal128(12, 2)", "fee": "decimal128(6, 4)?",
                        "rate": "decimal128(38, 9)", "n": "int"}
    assert t[1].amount == D("-5.00") and str(t[1].rate) == "3.000000000" and t[1].fee is None
    p = Payment(D("1.5"), None, 2, 3)  # a standalone record keeps the column's form
    assert str(p.amount) == "1.50" and p.rate == 2 and pickle.loads(pickle.dumps(p)) == p
    t.append(p)
    assert t[-1] == p
    with pytest.raises(ValueError, match=r"Payment.__init__: field 'amount': .*more digits after"):
        Payment(D("1.001"), None, 0, 0)


def test_table_rows_with_bad_decimal_values_name_row_and_field():
    t = cc.Table(Payment, ROWS)
    with pytest.raises(OverflowError, match=r"row 1, field 'fee'.*precision of decimal128\(6, 4\)"):
        t.extend([ROWS[0], (D(1), D(100), D(1), 3)])
    with pytest.raises(TypeError, match=r"row 0, field 'amount'.*expected Decimal"):
        t.extend([(1.5, None, D(1), 3)])
    assert len(t) == 2 and t.to_dicts() == cc.Table(Payment, ROWS).to_dicts()


def test_a_column_of_another_scale_is_refused_by_the_tables_guard():
    # the C constructor's own check (the Python front ends derive the schema
    # from the columns): a decimal column's scale, as a timestamp's zone, is
    # part of its type
    from compactcol import _table
    schema, record_class = _table._resolve({"a": "decimal128(12, 2)"})
    with pytest.raises(TypeError, match="must be a"):
        cc._core.Table.__new__(cc.Table, schema, record_class,
                               (cc.Array("decimal128(12, 3)", [D(1)]),), None)
    ok = cc._core.Table.__new__(cc.Table, schema, record_class,
                                (cc.Array("decimal128(12, 2)", [D(1)]),), None)
    assert ok.to_dicts() == [{"a": D("1.00")}]


def test_from_records_and_array_infer_decimals():
    rows = [{"price": D("1.5"), "qty": 1}, {"price": D("2.25"), "qty": 2}, {"price": 3, "qty": 3},
            {"price": None, "qty": 4}]
    t = cc.Table.from_records(rows)
    assert t.schema == {"price": "decimal128(38, 2)?", "qty": "int"}
    assert t.column("price").tolist() == [D("1.50"), D("2.25"), D("3.00"), None]
    a = cc.array([D("1.5"), None, 2])
    assert a.dtype == "decimal128(38, 1)" and a.tolist() == [D("1.5"), None, D("2.0")]
    with pytest.raises(TypeError, match="mixed"):
        cc.array([D("1.5"), 2.5])


# ---- interop --------------------------------------------------------------------------

def test_arrow_round_trips_keep_precision_scale_and_nulls():
    pa = pytest.importorskip("pyarrow")
    t = cc.Table(Payment, ROWS)
    at = pa.table(t)
    assert [str(f.type) for f in at.schema] == ["decimal128(12, 2)", "decimal128(6, 4)",
                                              "decimal128(38, 9)", "int8"]
    assert at.to_pylist() == t.to_dicts()
    assert cc.Table.from_arrow(at).to_dicts() == t.to_dicts()
    assert cc.Table.from_arrow(at).schema["fee"] == "decimal128(6, 4)?"


def test_arrow_decimals_we_do_not_hold_are_refused():
    pa = pytest.importorskip("pyarrow")
    with pytest.raises(TypeError, match="not supported"):
        cc.from_arrow(pa.array([D(1)], pa.decimal256(40, 2)))
    with pytest.raises(ValueError, match="scale 0..precision"):
        cc.from_arrow(pa.array([D(100)], pa.decimal128(5, -2)))


def test_polars_and_duckdb_round_trips():
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    p = pl.DataFrame({"x": [D("1.25"), None]}, schema={"x": pl.Decimal(10, 2)})
    x = cc.Table.from_arrow(p)
    assert x.schema == {"x": "decimal128(10, 2)?"}
    assert pl.DataFrame(x).equals(p)
    r = duckdb.sql("select 1.25::DECIMAL(10,2) as a, "
                   "12345678901234567890.123::DECIMAL(38,3) as b")
    y = cc.Table.from_arrow(r)
    assert y.schema == {"a": "decimal128(10, 2)", "b": "decimal128(38, 3)"}
    assert y.to_dicts() == [{"a": D("1.25"), "b": D("12345678901234567890.123")}]
    assert duckdb.sql("select * from y").fetchall() == [(D("1.25"), D("12345678901234567890.123"))]


def test_pandas_round_trip():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    t = cc.Table(Payment, ROWS)
    df = t.to_pandas()
    assert str(df["amount"].dtype) == "decimal128(12, 2)[pyarrow]"
    assert df["amount"].tolist() == [D("19.99"), D("-5.00")]
    back = cc.Table.from_pandas(df)
    assert back.schema["fee"] == "decimal128(6, 4)?" and back.to_dicts()[1]["fee"] is None
    objects = pd.DataFrame({"d": [D("1.5"), None, D("2.25")]})  # an object column of Decimals
    assert cc.Table.from_pandas(objects).column("d").tolist() == [D("1.50"), None, D("2.25")]


def test_save_and_open_keep_the_decimal_types(tmp_path):
    pytest.importorskip("pyarrow")
    t = cc.Table(Payment, ROWS)
    t.save(tmp_path / "payments.arrow")
    back = cc.Table.open(tmp_path / "payments.arrow")
    assert back.schema == t.schema and back.to_dicts() == t.to_dicts()


def sort_column(rows, i, reverse):
    """One key's stable sort as the docs state it: values ordered (equal
    ones in their order, as list.sort(reverse=True) keeps them), None last
    in both directions."""
    present = sorted((r for r in rows if r[i] is not None), key=lambda r: r[i], reverse=reverse)
    return present + [r for r in rows if r[i] is None]


@settings(max_examples=60, deadline=None, suppress_health_check=BIG_DRAWS)
@given(data=st.data())
def test_table_sort_by_decimal_columns_matches_a_stable_list_sort(data):
    # the core's 128-bit radix order, through Table.sort's per-key passes
    rows = data.draw(st.lists(st.tuples(st.one_of(st.none(), values_for(38, 2)),
                                        st.integers(0, 3)), max_size=40))
    t = cc.Table({"d": "decimal128(38, 2)?", "k": "int"}, rows)
    reverse = data.draw(st.booleans())
    t.sort(by=["k", "d"], reverse=reverse)
    model = sort_column(sort_column(rows, 0, reverse), 1, reverse)  # last key first
    assert [(r.d, r.k) for r in t] == model


def test_interleaved_reads_of_different_scales():
    """Reading a value reuses the last parameter parsed (src/decimal.c): arrays
    of other scales read in turn must each get their own."""
    arrays = {p_s: cc.Array(f"decimal128({p_s[0]}, {p_s[1]})", [D(7)]) for p_s in
              [(12, 2), (38, 9), (5, 0), (12, 3), (38, 38 - 1)]}
    for _ in range(3):
        for (p, s), a in arrays.items():
            assert a[0] == 7 and a[0].as_tuple().exponent == -s, (p, s)
