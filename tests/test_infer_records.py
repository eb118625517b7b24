"""Table.from_records on real data (issue 16): the first 1,000 rows decide
the types, a later None or float widens an inferred column instead of
failing, ``schema=`` may declare some fields and leave the rest inferred,
and a row that still does not fit raises naming the row, the field, the
value, the method and the ``schema=`` that takes it (docs/table.md)."""
import ast
import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import compactcol as cc
import compactcol._table as table_module
from compactcol import Table

WINDOW = 1000

LATE = {  # a value for each row, and the column type it infers from the first rows
    "str": (lambda k: f"s{k}", "str"),
    "int": (lambda k: k, "int"),
    "float": (lambda k: k / 4, "float64"),
    "category": (lambda k: "abc"[k % 3], "category"),
    "datetime": (lambda k: dt.datetime(2020, 1, 1) + dt.timedelta(minutes=k), "datetime64[us]"),
    "date": (lambda k: dt.date(2020, 1, 1) + dt.timedelta(days=k), "date32"),
    "decimal": (lambda k: Decimal(k) / 100, "decimal128(38, 2)"),
}


def flights(n=2000, none_at=1782, field="dep_time", value=None):
    rows = [{"flight": k, "carrier": "AB"[k % 2], "dep_time": f"{k // 60 % 24:02d}:{k % 60:02d}",
             "delay": k % 7} for k in range(n)]
    rows[none_at][field] = value
    return rows


@pytest.mark.parametrize("kind", sorted(LATE))
@pytest.mark.parametrize("at", [WINDOW, 1782, 2999])
def test_a_none_after_the_window_makes_the_column_nullable(kind, at):
    make, spec = LATE[kind]
    rows = [{"x": make(k), "n": k} for k in range(3000)]
    rows[at]["x"] = None
    t = Table.from_records(rows)
    assert t.schema == {"x": spec + "?", "n": "int"}  # the other column untouched
    assert t.to_dicts() == rows
    assert t.column("x").nullable and t[at].x is None
    # a generator of rows, read in batches, gives the same table
    assert Table.from_records(iter(rows)) == t


def test_the_flight_records_load():
    rows = flights()
    t = Table.from_records(rows)
    assert t.schema == {"flight": "int", "carrier": "category", "dep_time": "str?", "delay": "int"}
    assert t.to_dicts() == rows


def test_an_int_column_meeting_a_float_after_the_window_becomes_float64():
    rows = [{"price": k, "n": k} for k in range(1500)]
    rows[1200]["price"] = 2.5
    t = Table.from_records(rows)
    assert t.schema == {"price": "float64", "n": "int"}
    assert t.to_dicts() == rows and t[1199].price == 1199.0 and type(t[5].price) is float
    # a None before the float: 'int?' then 'float64?'; after it: 'float64?'
    for first, second in ((1100, 1300), (1300, 1100)):
        rows = [{"price": k} for k in range(1500)]
        rows[first]["price"] = None
        rows[second]["price"] = 0.5
        t = Table.from_records(iter(rows))
        assert t.schema == {"price": "float64?"} and t.to_dicts() == rows


def test_widening_keeps_the_rows_before_and_after_every_batch(monkeypatch):
    monkeypatch.setattr(table_module, "_BATCH", 7)
    rows = [{"a": k, "b": "xy"[k % 2], "c": f"v{k}"} for k in range(1100)]
    for at, field, value in ((1000, "a", None), (1006, "b", None), (1007, "c", None),
                             (1050, "a", 1.5), (1099, "b", None)):
        rows[at][field] = value
    t = Table.from_records(r for r in rows)
    assert t.schema == {"a": "float64?", "b": "category?", "c": "str?"}
    assert t.to_dicts() == rows


def test_dataclass_and_namedtuple_rows_widen_too():
    @dataclasses.dataclass
    class Flight:
        id: int
        tail: str | None

    rows = [Flight(k, f"N{k}") for k in range(1200)] + [Flight(1200, None)]
    t = Table.from_records(rows)
    assert t.schema == {"id": "int", "tail": "str?"} and t[1200].tail is None


# ---- schema= overrides ------------------------------------------------------------------

def test_a_partial_schema_declares_those_fields_and_infers_the_rest():
    rows = flights(n=1500, none_at=1400, field="delay", value=2.5)
    t = Table.from_records(rows, schema={"dep_time": "str?", "delay": "float64?"})
    assert t.schema == {"flight": "int", "carrier": "category", "dep_time": "str?",
                        "delay": "float64?"}  # the rows' order, not the override's
    assert t.to_dicts() == rows
    # types work as in a Record: float | None, cc.Category, cc.int32
    t = Table.from_records(rows, schema={"delay": float | None, "flight": cc.int32})
    assert t.schema["delay"] == "float64?" and t.schema["flight"] == "int32"


def test_an_override_can_make_a_column_category_and_nullable():
    rows = [{"city": f"c{k % 400}", "n": k} for k in range(1200)]  # 400 cities: inferred 'str'
    assert Table.from_records(rows).schema["city"] == "str"
    rows[1100]["city"] = None
    t = Table.from_records(rows, schema={"city": "category?"})
    assert t.schema == {"city": "category?", "n": "int"}
    assert isinstance(t.column("city"), cc.CategoricalArray) and t.to_dicts() == rows
    assert Table.from_records(rows, schema={"city": cc.Category | None}).schema["city"] == "category?"


def test_unknown_override_names_are_an_error_naming_them():
    rows = flights(n=10, none_at=0)
    with pytest.raises(ValueError, match=r"schema= names 'dep_tme', 'x'.*their fields are "
                                         r"\['flight', 'carrier', 'dep_time', 'delay'\]"):
        Table.from_records(rows, schema={"dep_tme": "str?", "x": "int", "delay": "int"})
    with pytest.raises(ValueError, match="unknown type 'flaot'|unsupported type 'flaot'"):
        Table.from_records(rows, schema={"delay": "flaot"})


def test_a_full_schema_and_a_record_class_work_as_before():
    rows = flights(n=1500, none_at=1200)
    full = {"flight": "int32", "carrier": "str", "dep_time": "str?", "delay": "int8"}
    t = Table.from_records(rows, schema=full)
    assert t.schema == full and t.to_dicts() == rows
    # every field of the rows and more (a nullable one, filled with None): as before
    t = Table.from_records(rows, schema={**full, "gate": "str?"})
    assert t[0].gate is None

    class Flight(cc.Record):
        flight: int
        carrier: cc.Category
        dep_time: str | None
        delay: int

    t = Table.from_records(rows, schema=Flight)
    assert t.record_class is Flight and t.to_dicts() == rows
    # declared: no widening, and the error of from_records
    msg = error_of(rows, schema={**full, "dep_time": "str"})
    assert msg == ("Table.from_records: row 1200, field 'dep_time': None in a non-nullable str "
                   "field; schema= declares it 'str'; pass schema={'dep_time': 'str?'}")


# ---- the error --------------------------------------------------------------------------

def error_of(rows, **kw):
    with pytest.raises((TypeError, ValueError, OverflowError)) as e:
        Table.from_records(rows, **kw)
    return str(e.value)


def suggestion(message):
    m = re.search(r"pass schema=(\{.*?\})", message)
    return ast.literal_eval(m[1]) if m else None


def test_the_error_names_row_field_value_method_inference_and_the_override():
    rows = [{"id": k, "price": Decimal(k) / 10} for k in range(1500)]
    rows[3] = {"id": 3, "price": None}
    rows[1234]["price"] = Decimal("1.25")
    msg = error_of(rows)
    assert msg.startswith("Table.from_records: row 1234, field 'price': ")
    assert "Decimal('1.25')" in msg  # the value
    assert "'decimal128(38, 1)?' was inferred from the first 1,000 rows" in msg
    assert "pass schema={'price': 'decimal128(38, 2)?'}" in msg  # '?': Nones were seen
    assert "Table.extend" not in msg
    with pytest.raises(ValueError) as e:  # nor in the traceback (its row counts a batch)
        Table.from_records(iter(rows))
    assert str(e.value) == msg and e.value.__suppress_context__
    assert Table.from_records(rows, schema=suggestion(msg)).to_dicts() == rows


def test_a_declared_field_suggests_float64_with_a_question_mark_when_nones_were_seen():
    rows = [{"price": k, "qty": k} for k in range(1300)]
    msg = error_of(rows[:1000] + [{"price": 2.5, "qty": 1}], schema={"price": "int64"})
    assert msg == ("Table.from_records: row 1000, field 'price': expected int, got float (2.5); "
                   "schema= declares it 'int64'; pass schema={'price': 'float64'}")
    rows[10]["price"] = None
    rows[1111]["price"] = 2.5
    msg = error_of(rows, schema={"price": "int64?"})
    assert "row 1111, field 'price'" in msg and "pass schema={'price': 'float64?'}" in msg
    assert Table.from_records(rows, schema=suggestion(msg)).to_dicts() == rows


def test_a_declared_non_nullable_field_suggests_its_spec_with_a_question_mark():
    rows = [{"price": k, "n": 1} for k in range(5)] + [{"price": None, "n": 1}]
    msg = error_of(rows, schema={"price": "int64"})
    assert msg == ("Table.from_records: row 5, field 'price': None in a non-nullable int64 field; "
                   "schema= declares it 'int64'; pass schema={'price': 'int64?'}")


def test_the_suggestion_looks_at_every_row_of_a_list():
    rows = [{"p": k} for k in range(1100)]
    rows[1050]["p"] = 2 ** 64  # beyond int64: the inferred 'int' cannot take it
    rows[1080]["p"] = None
    msg = error_of(rows)
    assert isinstance(pytest.raises(OverflowError, Table.from_records, rows).value, OverflowError)
    assert "row 1050, field 'p': 18446744073709551616 is out of range" in msg
    assert "pass schema={'p': 'float64?'}" in msg  # the None at 1080 counted too
    assert len(Table.from_records(rows, schema=suggestion(msg))) == 1100


def test_values_no_column_holds_together_say_so():
    msg = error_of([{"i": 1}] * 1000 + [{"i": "x"}])
    assert msg == ("Table.from_records: row 1000, field 'i': expected int, got str ('x'); 'int' was "
                   "inferred from the first 1,000 rows; no one column type holds int and str values "
                   "together: convert them first")


def test_a_row_that_fails_as_a_whole_is_named_in_the_users_numbering(monkeypatch):
    monkeypatch.setattr(table_module, "_BATCH", 16)
    rows = [{"a": k} for k in range(1100)]
    rows[1050] = {"a": 1, "b": 2}
    for records in (rows, iter(rows)):
        with pytest.raises(TypeError, match=r"^Table\.from_records: row 1050: unknown field 'b'"):
            Table.from_records(records)

    class Boom(Mapping):  # the user's own exception keeps its type, with a note
        def __getitem__(self, key):
            raise RuntimeError("boom")

        def __iter__(self):
            return iter(["a"])

        def __len__(self):
            return 1

    with pytest.raises(RuntimeError) as e:
        Table.from_records(rows[:1000] + [Boom()])
    assert "Table.from_records: row 1000" in getattr(e.value, "__notes__", [])


def test_no_rows_and_tuple_rows_raise_as_before():
    with pytest.raises(ValueError, match="no rows"):
        Table.from_records([])
    with pytest.raises(TypeError, match="cannot infer field names"):
        Table.from_records([(1, 2)])
    with pytest.raises(TypeError, match="cannot infer field names"):
        Table.from_records([(1, 2)], schema=None)
    assert Table.from_records([(1, "a")], schema={"a": "int", "b": "str"}).to_dicts() == [
        {"a": 1, "b": "a"}]


# ---- a model: a list of dicts ---------------------------------------------------------

OVERRIDES = ["int64", "int64?", "int", "float64", "float64?", "str", "str?", "category",
             "category?"]


def _fits(spec, v):
    base, nullable = spec.rstrip("?"), spec.endswith("?")
    if v is None:
        return nullable
    if base in ("int", "int64"):
        return type(v) is int
    if base == "float64":
        return type(v) in (int, float)
    return type(v) is str


def _inferred(values):
    present = [v for v in values if v is not None]
    q = "?" if len(present) < len(values) else ""
    kinds = {type(v) for v in present}
    if not present:
        return "str?"
    if kinds <= {int}:
        return "int" + q
    if kinds <= {int, float}:
        return "float64" + q
    distinct = len(set(present))
    return ("category" if distinct <= 255 and 2 * distinct <= len(present) else "str") + q


def model(rows, overrides):
    """(specs, None) when from_records succeeds, else (None, (row, field))."""
    names = list(overrides) if set(rows[0]) <= set(overrides) else list(rows[0])
    specs = {n: overrides.get(n) or _inferred([r[n] for r in rows[:WINDOW]]) for n in names}
    for i, r in enumerate(rows):
        for n in names:
            v = r[n]
            if _fits(specs[n], v):
                continue
            if n not in overrides and v is None:
                specs[n] += "?"
            elif n not in overrides and specs[n].rstrip("?") == "int" and type(v) is float:
                specs[n] = "float64" + ("?" if specs[n].endswith("?") else "")
            else:
                return None, (i, n)
    return specs, None


@st.composite
def record_lists(draw):
    ncols = draw(st.integers(1, 3))
    kinds = [draw(st.sampled_from(["int", "float", "str", "few"])) for _ in range(ncols)]
    n = draw(st.sampled_from([1, 5, 999, 1000, 1001, 1003, 1100]))
    seed = draw(st.integers(0, 2 ** 16))
    rows = []
    for k in range(n):
        row = {}
        for c, kind in enumerate(kinds):
            h = (k * 2654435761 + seed * 97 + c * 31) % 100003
            row[f"f{c}"] = {"int": h - 50000, "float": h / 8, "str": f"s{h}",
                            "few": "abc"[h % 3]}[kind]
        rows.append(row)
    # Nones anywhere, floats in int columns (usually after the window)
    for _ in range(draw(st.integers(0, 4))):
        c = draw(st.integers(0, ncols - 1))
        at = draw(st.one_of(st.integers(0, n - 1), st.integers(min(WINDOW, n - 1), n - 1)))
        if kinds[c] == "int" and draw(st.booleans()):
            rows[at][f"f{c}"] = draw(st.floats(-1e6, 1e6, allow_nan=False))
        else:
            rows[at][f"f{c}"] = None
    overrides = draw(st.dictionaries(st.sampled_from([f"f{c}" for c in range(ncols)]),
                                     st.sampled_from(OVERRIDES), max_size=ncols))
    return rows, overrides


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_lists(), st.booleans(), st.sampled_from([1, 7, 1 << 12]))
def test_from_records_matches_the_model_or_says_how_to_fix_it(case, as_iterator, batch):
    """A list of dicts, or an iterator of them read in batches of `batch`."""
    saved = table_module._BATCH
    table_module._BATCH = batch
    try:
        check_against_the_model(*case, as_iterator)
    finally:
        table_module._BATCH = saved


def check_against_the_model(rows, overrides, as_iterator):
    specs, failure = model(rows, overrides)
    schema = dict(overrides) or None
    fixed = {}
    for _ in range(2 * len(rows[0]) + 1):
        records = iter(rows) if as_iterator else rows
        try:
            t = Table.from_records(records, schema=schema)
        except (TypeError, ValueError, OverflowError) as e:
            msg = str(e)
            m = re.match(r"Table\.from_records: row (\d+), field '(\w+)': ", msg)
            assert m, msg
            if failure is not None:  # the first error is the model's
                assert (int(m[1]), m[2]) == failure, msg
                failure = None
            # a suggestion takes every value of a list's field; of an iterator's,
            # those up to the failing row: the next error on that field is later
            assert m[2] not in fixed or (as_iterator and int(m[1]) > fixed[m[2]]), msg
            fix = suggestion(msg)
            assert fix is not None and list(fix) == [m[2]], msg
            fixed[m[2]] = int(m[1])
            schema = {**(schema or {}), **fix}
            continue
        assert failure is None, f"expected an error at {failure}"
        assert t.to_dicts() == rows
        if not fixed:
            assert t.schema == specs
        return
    pytest.fail("the suggestions did not converge")
