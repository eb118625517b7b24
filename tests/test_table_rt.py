"""Record tables against BAD_INPUTS rows RT1-RT8, and the all-or-nothing rule
for every kind of bad row."""

import gc

import pytest

import compactcol as cc
from compactcol import _core


class Trade(cc.Record):
    id: int
    small: cc.int8
    symbol: cc.Category
    price: float
    note: str | None
    qty: int | None = None
    ok: bool = True


def good(i):
    return {"id": i, "small": i % 100, "symbol": "AB"[i % 2], "price": i / 4, "note": f"n{i}"}


def make(n=5):
    t = cc.Table(Trade)
    t.extend(good(i) for i in range(n))
    return t


def snapshot(t):
    info = t._debug_info()
    assert all(length == info["length"] for length, _ in info["columns"])
    return t.to_dicts(), info["length"]


# ---- RT1 -----------------------------------------------------------------------------


def test_rt1_columns_of_different_lengths_at_construction():
    schema, cls = Trade.__compactcol_schema__, Trade
    # `int` fields are adaptive columns: Array('int')
    cols = [cc.Array("int", [1, 2]), cc.Array("int8", [1]), cc.CategoricalArray(["a", "b"]),
            cc.Array("float64", [1.0, 2.0]), cc.StringArray(["x", None], nullable=True),
            cc.Array("int", [None, None], nullable=True), cc.Array("bool", [True, False])]
    with pytest.raises(ValueError, match="one length"):
        _core.Table(schema, cls, cols)
    cols[1] = cc.Array("int8", [1, 2])
    t = _core.Table(schema, cls, cols)
    assert len(t) == 2 and t[1].small == 2


def test_rt1_wrong_column_type_or_count():
    schema = Trade.__compactcol_schema__
    with pytest.raises(ValueError, match="columns for"):
        _core.Table(schema, Trade, [cc.Array("int64")])
    with pytest.raises(TypeError):
        _core.Table(schema, Trade, [cc.Array("int32")] * 7)


# ---- RT2 / RT3: the whole row or nothing ------------------------------------------------


@pytest.mark.parametrize("bad, field, exc", [
    ({"small": 300}, "small", OverflowError),             # overflow in column 2 of 7
    ({"id": 2**63}, "id", OverflowError),
    ({"price": "1.5"}, "price", TypeError),
    ({"symbol": 7}, "symbol", TypeError),
    ({"note": b"x"}, "note", TypeError),
    ({"ok": 2}, "ok", OverflowError),
])
def test_rt2_row_append_where_column_k_fails(bad, field, exc):
    t = make()
    before = snapshot(t)
    row = {**good(99), **bad}
    for op in (lambda: t.append(row), lambda: t.insert(1, row), lambda: t.extend([good(7), row])):
        with pytest.raises(exc, match=repr(field)):
            op()
        assert snapshot(t) == before


@pytest.mark.parametrize("field", ["id", "small", "symbol", "price"])
def test_rt3_none_into_non_nullable_column(field):
    t = make()
    before = snapshot(t)
    with pytest.raises(TypeError, match="None in a non-nullable"):
        t.append({**good(1), field: None})
    with pytest.raises(TypeError, match=f"row 1, field '{field}'"):
        t.extend([good(1), {**good(2), field: None}])
    with pytest.raises(TypeError):
        t[0] = {**good(1), field: None}
    with pytest.raises(TypeError):
        setattr(t[0], field, None)
    assert snapshot(t) == before


def test_missing_and_unknown_fields_name_the_row():
    t = make()
    before = snapshot(t)
    with pytest.raises(TypeError, match="row 2, field 'price': missing"):
        t.extend([good(1), good(2), {"id": 1, "small": 1, "symbol": "A", "note": None}])
    with pytest.raises(TypeError, match="row 0: unknown field 'prce'"):
        t.extend([{**good(1), "prce": 1.0}])
    with pytest.raises(TypeError, match="7 values for 7 fields|8 values"):
        t.append((1, 1, "A", 1.0, None, None, True, "extra"))
    assert snapshot(t) == before


def test_extend_of_many_rows_failing_at_the_last_changes_nothing():
    t = make()
    before = snapshot(t)
    n = 100_000
    rows = [good(i) for i in range(n)] + [{**good(0), "price": "x"}]
    with pytest.raises(TypeError, match=f"Table.extend: row {n}, field 'price'"):
        t.extend(rows)
    assert snapshot(t) == before
    t.extend(rows[:-1])
    assert len(t) == 5 + n and t[-1].id == n - 1


def test_extend_from_an_iterator_that_raises_changes_nothing():
    t = make()
    before = snapshot(t)

    def rows():
        yield good(1)
        raise KeyError("boom")

    with pytest.raises(KeyError):
        t.extend(rows())
    assert snapshot(t) == before


# ---- RT4: null bitmaps ----------------------------------------------------------------------


def test_rt4_null_counts_match_a_recount_after_slice_pop_extend():
    t = cc.Table({"a": "int64?", "s": "str?", "c": "category?"})
    t.extend((i if i % 3 else None, None if i % 5 == 0 else "x", None if i % 7 == 0 else "c")
             for i in range(37))
    for op in (lambda: t.pop(), lambda: t.__delitem__(slice(2, 9, 3)),
               lambda: t.extend([(None, None, None)] * 5), lambda: t.sort(by="a")):
        op()
        for name, col in zip(t.columns, t._columns):
            values = col.tolist()
            if hasattr(col, "null_count"):
                assert col.null_count == values.count(None), name
    sliced = t[3:20:2]
    for col in sliced._columns:
        assert col.null_count == col.tolist().count(None)


# ---- RT5 ----------------------------------------------------------------------------------------


def test_rt5_duplicate_names_non_str_names_unknown_dtype():
    with pytest.raises(ValueError, match="duplicate"):
        _core.Schema([("a", "int64"), ("a", "str")])
    with pytest.raises(TypeError, match="must be str"):
        cc.Table({1: "int64"})
    with pytest.raises(TypeError):
        _core.Schema([(1, "int64")])
    with pytest.raises(ValueError, match="unsupported type 'int65'"):
        cc.Table({"a": "int65"})
    with pytest.raises(ValueError, match="unknown type"):
        _core.Schema([("a", "decimal")])
    with pytest.raises(TypeError):
        cc.Table({"a": list})
    with pytest.raises(OverflowError, match="default"):
        _core.Schema([("a", "int8", 1000)])


# ---- RT6 ------------------------------------------------------------------------------------------


def test_rt6_appending_while_iterating_rows():
    t = make()
    with pytest.raises(RuntimeError, match="changed size during iteration"):
        for row in t:
            t.append(good(row.id + 100))
    assert len(t) == 6
    with pytest.raises(RuntimeError):
        for row in t:
            del t[0]
    with pytest.raises(RuntimeError):
        for row in t:
            t.sort(by="price", reverse=True)


# ---- RT7 ------------------------------------------------------------------------------------------


def test_rt7_resize_while_any_column_is_exported():
    t = make()
    before = snapshot(t)
    view = memoryview(t["price"])
    for op in (lambda: t.append(good(1)), lambda: t.extend([good(1)]), lambda: t.pop(),
               lambda: t.insert(0, good(1)), lambda: t.__delitem__(0), lambda: t.clear()):
        with pytest.raises(BufferError, match="'price' is exported"):
            op()
        assert snapshot(t) == before
    t[0].price = 7.5  # same size: allowed, seen through the view
    assert view[0] == 7.5
    t.sort(by="id", reverse=True)  # in place, same size
    view.release()
    t.append(good(1))
    assert len(t) == 6


def test_rt7_arrow_export_of_a_category_column():
    pa = pytest.importorskip("pyarrow")
    t = make()
    arr = pa.array(t["symbol"])
    before = arr.to_pylist()
    t.append(good(1))  # a snapshot: the table copies the codes first
    assert arr.to_pylist() == before
    arr.validate(full=True)


def test_columns_refuse_their_own_length_changes():
    t = make()
    before = snapshot(t)
    for col in t._columns:
        for op in (lambda: col.pop(), lambda: col.clear(), lambda: col.__delitem__(0),
                   lambda: col.__delitem__(slice(0, 2)), lambda: col.extend([col[0]]),
                   lambda: col.append(col[0]), lambda: col.insert(0, col[0])):
            with pytest.raises(BufferError, match="column of a Table"):
                op()
    with pytest.raises(BufferError):
        t["symbol"].codes.append(0)
    assert snapshot(t) == before
    dropped = t["note"]
    t.drop_column("note")
    dropped.append("free again")
    assert len(dropped) == 6 and len(t) == 5


# ---- RT8 ------------------------------------------------------------------------------------------


class Evil:
    def __init__(self, table, v):
        self.table, self.v = table, v

    def __lt__(self, other):
        self.table.clear()
        return self.v < other.v

    def __eq__(self, other):
        self.table.append(good(0))
        return self.v == other.v


def test_rt8_key_whose_lt_mutates_the_table_during_sort():
    t = make(20)
    with pytest.raises((RuntimeError, ValueError)):
        t.sort(key=lambda r: Evil(t, -r.id))
    assert t._debug_info()["length"] == len(t)
    snapshot(t)


def test_rt8_key_function_that_appends():
    t = make(10)
    with pytest.raises((RuntimeError, ValueError)):
        t.sort(key=lambda r: (t.append(good(1)), r.id)[1])
    snapshot(t)


# ---- reentrancy ------------------------------------------------------------------------------------


class ClearingIndex:
    def __init__(self, table):
        self.table = table

    def __index__(self):
        self.table.clear()
        return 5


def test_index_that_clears_the_table_during_append_extend_insert_setitem():
    t = make()
    t.append({**good(1), "id": ClearingIndex(t)})
    assert len(t) == 1 and t[0].id == 5
    t.extend([good(1), {**good(2), "id": ClearingIndex(t)}])
    assert len(t) == 2  # cleared first, then the two rows committed
    t.insert(5, {**good(3), "id": ClearingIndex(t)})
    assert [r.id for r in t] == [5]
    with pytest.raises((RuntimeError, IndexError)):
        t[0] = {**good(3), "id": ClearingIndex(t)}
    snapshot(t)


class DictDeleter:
    def __init__(self, d):
        self.d = d

    def __index__(self):
        self.d.clear()
        return 1


def test_index_that_empties_the_row_dict():
    t = make(0)
    row = good(1)
    row["small"] = DictDeleter(row)
    t.append(row)  # the values were taken before any conversion ran
    assert t[0].as_dict()["price"] == good(1)["price"]


# ---- views ---------------------------------------------------------------------------------------


def test_stale_views_raise_after_rows_move_but_not_after_append():
    t = make()
    row = t[2]
    t.append(good(9))
    assert row.id == 2
    t.insert(0, good(10))
    with pytest.raises(RuntimeError, match="stale"):
        row.id
    row = t[-1]
    t.pop()
    with pytest.raises(RuntimeError):
        row.price = 1.0


def test_leak_loop_keeps_allocations_flat():
    t = make(0)
    rows = [good(i) for i in range(200)]

    def cycle():
        t.extend(rows)
        for r in t:
            r.price
        t.sort(by=["symbol", "price"])
        t.take(range(0, len(t), 3))
        while len(t) > 50:
            t.pop()
        t.clear()

    cycle()
    gc.collect()
    base = _core._debug_alloc_stats()
    for _ in range(20):
        cycle()
    gc.collect()
    assert _core._debug_alloc_stats() == base


@pytest.mark.parametrize("spec", ["str", "str?", "category"])
def test_rt2_sa1_lone_surrogate_names_row_and_field_and_changes_nothing(spec):
    # UnicodeEncodeError takes five constructor arguments: the row and field
    # go into its reason (this once raised TypeError from the re-prefixing)
    t = cc.Table({"i": "int64", "s": spec}, [(1, "a")])
    with pytest.raises(UnicodeEncodeError, match=r"Table.extend: row 1, field 's'"):
        t.extend([(2, "b"), (3, "\ud800")])
    with pytest.raises(UnicodeEncodeError, match=r"Table.append: field 's'"):
        t.append((2, "\udfff"))
    assert t.to_dicts() == [{"i": 1, "s": "a"}]
