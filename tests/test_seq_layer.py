"""The write side of the shared sequence layer (src/seq.c): rules that hold
for Array, StringArray and CategoricalArray alike because they are written
once.  A Table column refuses every change of its own length (the Table keeps
every column `length` rows long), and leaves the column, the table and a
CategoricalArray's pool as they were; a change that keeps the length is fine."""

import pytest

import compactcol as cc


class Row(cc.Record):
    id: int
    symbol: cc.Category
    note: str | None


def make():
    t = cc.Table(Row)
    t.extend({"id": i, "symbol": "AB"[i % 2], "note": f"n{i}"} for i in range(4))
    return t


LENGTH_CHANGES = {
    "append": lambda c: c.append(c[0]),
    "extend": lambda c: c.extend([c[0]]),
    "iadd": lambda c: c.__iadd__([c[0]]),
    "insert": lambda c: c.insert(0, c[0]),
    "pop": lambda c: c.pop(),
    "pop0": lambda c: c.pop(0),
    "remove": lambda c: c.remove(c[0]),
    "clear": lambda c: c.clear(),
    "delitem": lambda c: c.__delitem__(0),
    "delslice": lambda c: c.__delitem__(slice(0, 2)),
    "delstrided": lambda c: c.__delitem__(slice(None, None, 2)),
    "setslice_grow": lambda c: c.__setitem__(slice(0, 1), [c[0], c[1]]),
    "setslice_shrink": lambda c: c.__setitem__(slice(0, 2), [c[0]]),
    "imul": lambda c: c.__imul__(2),
    "imul1": lambda c: c.__imul__(1),
}

NEW_STRINGS = {
    "append": lambda c: c.append("fresh"),
    "extend": lambda c: c.extend(["fresh", "fresher"]),
    "iadd": lambda c: c.__iadd__(["fresh"]),
    "insert": lambda c: c.insert(0, "fresh"),
    "setslice_grow": lambda c: c.__setitem__(slice(0, 1), ["fresh", "fresher"]),
}


@pytest.mark.parametrize("field", ["id", "symbol", "note"])
@pytest.mark.parametrize("op", sorted(LENGTH_CHANGES))
def test_every_length_change_of_a_column_is_refused(field, op):
    t = make()
    before = t.to_dicts()
    col = t[field]
    with pytest.raises(BufferError, match="column of a Table"):
        LENGTH_CHANGES[op](col)
    assert t.to_dicts() == before
    assert len(col) == len(t)
    col._debug_info()


@pytest.mark.parametrize("op", sorted(NEW_STRINGS))
def test_a_refused_categorical_column_forgets_the_strings_it_interned(op):
    t = make()
    col = t["symbol"]
    pool = col.pool
    strings = list(pool)
    with pytest.raises(BufferError, match="column of a Table"):
        NEW_STRINGS[op](col)
    assert list(pool) == strings


@pytest.mark.parametrize("field", ["id", "symbol", "note"])
def test_changes_that_keep_the_length_are_allowed_on_a_column(field):
    t = make()
    col = t[field]
    values = list(col)
    col[0] = values[1]
    col[1:3] = [values[2], values[1]]
    col[::2] = [values[3], values[0]]
    col[0:0] = []
    del col[2:2]
    assert list(col) == [values[3], values[2], values[0], values[3]]
    assert len(col) == len(t)


def test_a_copy_of_a_column_is_free_again():
    t = make()
    for field in ("id", "symbol", "note"):
        free = t[field].copy()
        free.append(free[0])
        assert len(free) == len(t) + 1
