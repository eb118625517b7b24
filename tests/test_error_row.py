"""An error about one row of a Table's extend / append / insert carries the
row's position in the call's input (``exc.row``; 0 for a call given one
row) and the field (``exc.field``; None when the row as a whole is wrong),
whatever the row's shape and whoever raised it; Table.from_records' errors
carry the index in the user's records.  The messages are pinned in
test_error_context.py and test_table_api.py; here only the attributes and
that a failed call changed nothing."""
import dataclasses

import pytest

import compactcol as cc
from compactcol import _table as table_module

SCHEMA = {"id": "int8", "price": "float64", "name": "str"}
N = 5_000


@dataclasses.dataclass
class Row:
    id: object
    price: object
    name: object


@dataclasses.dataclass
class Short:  # no name
    id: object
    price: object


class RRow(cc.Record):
    id: int
    price: float
    name: str | None


class RStrPrice(cc.Record):
    id: int
    price: str
    name: str


class RShort(cc.Record):
    id: int
    price: float


def make_dict(kind):
    row = {"id": 1, "price": 1.0, "name": "a"}
    if kind == "type":
        row["price"] = "x"
    elif kind == "overflow":
        row["id"] = 300
    elif kind == "missing":
        del row["name"]
    elif kind == "unknown":
        row["extra"] = 0
    elif kind == "none":
        row["name"] = None
    return row


def make_tuple(kind):
    return {None: (1, 1.0, "a"), "type": (1, "x", "a"), "overflow": (300, 1.0, "a"),
            "missing": (1, 1.0), "unknown": (1, 1.0, "a", 0), "none": (1, 1.0, None)}[kind]


def make_dataclass(kind):
    if kind == "missing":
        return Short(1, 1.0)
    return Row(*make_tuple(kind))


def make_record(kind):
    return {None: lambda: RRow(1, 1.0, "a"), "type": lambda: RStrPrice(1, "x", "a"),
            "overflow": lambda: RRow(300, 1.0, "a"), "missing": lambda: RShort(1, 1.0),
            "none": lambda: RRow(1, 1.0, None)}[kind]()


SHAPES = {"dict": make_dict, "tuple": make_tuple, "dataclass": make_dataclass,
          "record": make_record}
# kind -> (exception type, field); a tuple's extra value is no field: None
KINDS = {"type": (TypeError, "price"), "overflow": (OverflowError, "id"),
         "missing": (TypeError, "name"), "unknown": (TypeError, "extra"),
         "none": (TypeError, "name")}
CASES = [(shape, kind) for shape in SHAPES for kind in KINDS
         if not (kind == "unknown" and shape in ("dataclass", "record"))]  # attributes: no extras


def expected(shape, kind):
    exc, field = KINDS[kind]
    return exc, (None if (shape, kind) == ("tuple", "unknown") else field)


def fresh():
    t = cc.Table(SCHEMA)
    t.extend([(1, 1.0, "a"), (2, 2.0, "b")])
    return t


def assert_unchanged(t):
    assert len(t) == 2 and t.to_dicts() == [{"id": 1, "price": 1.0, "name": "a"},
                                            {"id": 2, "price": 2.0, "name": "b"}]
    info = t._debug_info()
    assert info is not None


@pytest.mark.parametrize("shape, kind", CASES)
@pytest.mark.parametrize("at", [0, N // 2, N - 1])
def test_extend_error_carries_row_and_field(shape, kind, at):
    make = SHAPES[shape]
    good = make(None)
    rows = [good] * N
    rows[at] = make(kind)
    exc_type, field = expected(shape, kind)
    t = fresh()
    with pytest.raises(exc_type) as e:
        t.extend(rows)
    assert type(e.value) is exc_type
    assert e.value.row == at and e.value.field == field
    assert f"Table.extend: row {at}" in str(e.value)  # the message says the same row
    assert_unchanged(t)
    # from an iterator (no length known) the same
    with pytest.raises(exc_type) as e:
        t.extend(iter(rows))
    assert (e.value.row, e.value.field) == (at, field)
    assert_unchanged(t)


@pytest.mark.parametrize("shape, kind", CASES)
def test_append_insert_and_setitem_give_row_0(shape, kind):
    """A call given one row: row is 0, its position in the call's input (not
    where insert would have put it)."""
    bad = SHAPES[shape](kind)
    exc_type, field = expected(shape, kind)
    t = fresh()
    for call in (lambda: t.append(bad), lambda: t.insert(1, bad), lambda: t.insert(-1, bad)):
        with pytest.raises(exc_type) as e:
            call()
        assert (e.value.row, e.value.field) == (0, field)
        assert "row" not in str(e.value).split(":")[1]  # the message names no row, as before
        assert_unchanged(t)
    with pytest.raises(exc_type) as e:
        t[1] = bad
    assert (e.value.row, e.value.field) == (0, field)
    assert_unchanged(t)


class IndexRaises:
    def __index__(self):
        raise ValueError("boom")


class AttrRaises:
    id = 1

    def __getattr__(self, name):
        raise RuntimeError(f"no {name}")


def test_the_rows_own_code_keeps_its_exception_and_gains_row_and_field():
    t = fresh()
    rows = [(1, 1.0, "a")] * 10
    with pytest.raises(ValueError) as e:  # a value's __index__
        t.extend(rows[:7] + [(IndexRaises(), 1.0, "a")] + rows)
    assert str(e.value) == "boom" and (e.value.row, e.value.field) == (7, "id")
    assert e.value.__notes__ == ["while converting Table.extend: row 7, field 'id'"]
    with pytest.raises(RuntimeError) as e:  # the row's __getattr__ (id is found first)
        t.extend(rows[:3] + [AttrRaises()])
    assert str(e.value) == "no price" and (e.value.row, e.value.field) == (3, "price")

    class BoomMapping:  # a mapping (it has keys), read by []
        def keys(self):
            return ["id"]

        def __getitem__(self, key):
            raise LookupError(key)

    with pytest.raises(LookupError) as e:
        t.extend(rows + [BoomMapping()])
    assert (e.value.row, e.value.field) == (10, "id")
    with pytest.raises(ValueError) as e:
        t.append((IndexRaises(), 1.0, "a"))
    assert (e.value.row, e.value.field) == (0, "id")
    assert_unchanged(t)


def test_errors_not_about_a_row_carry_no_row():
    t = fresh()

    def rows():
        yield (1, 1.0, "a")
        raise KeyError("the iterator's own")

    with pytest.raises(KeyError) as e:  # the iterator, not a row
        t.extend(rows())
    assert not hasattr(e.value, "row")
    view = memoryview(t["id"])
    with pytest.raises(BufferError) as e:  # the commit, not a row
        t.extend([(3, 3.0, "c")])
    assert not hasattr(e.value, "row")
    view.release()
    assert_unchanged(t)


def test_from_records_errors_carry_the_index_in_the_records(monkeypatch):
    rows = [{"i": k, "s": "x"} for k in range(1500)]
    rows[1200] = {"i": "bad", "s": "x"}
    with pytest.raises(TypeError) as e:
        cc.Table.from_records(rows)
    assert (e.value.row, e.value.field) == (1200, "i")
    assert str(e.value).startswith("Table.from_records: row 1200, field 'i': ")

    monkeypatch.setattr(table_module, "_BATCH", 16)  # counted across batches
    rows[1200] = {"i": 1, "s": "x", "extra": 2}
    for records in (rows, iter(rows)):
        with pytest.raises(TypeError) as e:
            cc.Table.from_records(records)
        assert (e.value.row, e.value.field) == (1200, "extra")

    rows[1200] = AttrRaises()
    with pytest.raises(RuntimeError) as e:
        cc.Table.from_records(iter(rows))
    assert (e.value.row, e.value.field) == (1200, "i")
    assert "Table.from_records: row 1200" in e.value.__notes__


def test_widening_at_row_0_of_a_batch_and_every_row(monkeypatch):
    """The row a column is widened for can be the first of a batch, or every
    row: each is stored once, in order."""
    monkeypatch.setattr(table_module, "_BATCH", 7)
    rows = [{"a": k, "b": "s"} for k in range(1000)] + [{"a": None, "b": None}] * 7 + [
        {"a": 0.5, "b": "t"}] * 3
    for records in (rows, iter(rows)):
        t = cc.Table.from_records(records)
        assert t.schema == {"a": "float64?", "b": "category?"} and t.to_dicts() == rows


def test_too_many_values_for_one_row_names_no_row():
    t = fresh()
    with pytest.raises(TypeError, match=r"^Table\.append: 4 values for 3 fields \('id', 'price', 'name'\)$"):
        t.append((1, 1.0, "a", 0))
    with pytest.raises(TypeError, match=r"^Table\.extend: row 1: 4 values for 3 fields"):
        t.extend([(1, 1.0, "a"), (1, 1.0, "a", 0)])
    assert_unchanged(t)
