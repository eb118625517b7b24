"""A Table against a list of dicts, through every mutating method (BAD_INPUTS X3).

The table is also saved and opened again (Table.open reads each column at
its first use): the rule after that runs on columns not read yet, so every
method is tried as the first use of an opened table, in any state."""

import math
import os
import tempfile

from decimal import Decimal

from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import compactcol as cc

SCHEMA = {"i": "int64", "b": "int8", "f": "float64", "ok": "bool", "s": "str?", "c": "category",
          "n": "int32?", "m": "decimal128(38, 3)?"}

ints = st.integers(-2**63, 2**63 - 1)
rows = st.fixed_dictionaries({
    "i": ints, "b": st.integers(-128, 127), "f": st.floats(allow_nan=False, width=64),
    "ok": st.booleans(), "s": st.none() | st.text(max_size=6),
    "c": st.sampled_from(["red", "green", "blue", "é"]), "n": st.none() | st.integers(-2**31, 2**31 - 1),
    # beyond 64 bits too (from a string: Decimal arithmetic rounds to 28 digits)
    "m": st.none() | st.integers(-10**38 + 1, 10**38 - 1).map(lambda u: Decimal(f"{u}E-3")),
})
bad_rows = st.sampled_from([{"b": 128}, {"i": "x"}, {"c": None}, {"f": None}, {"zz": 1},
                            {"m": Decimal("0.0001")}, {"m": 1.5}])


def sort_key(field, reverse):
    """Table.sort's order for one field: nulls last either way, values compared as Python does."""
    def key(row):
        v = row[field]
        if v is None:
            return (1, 0)
        return (0, -v if reverse and not isinstance(v, str) else v)
    return key


def model_sorted(model, field, reverse):
    if reverse and SCHEMA[field].rstrip("?") in ("str", "category"):
        present = [r for r in model if r[field] is not None]
        nulls = [r for r in model if r[field] is None]
        return sorted(present, key=lambda r: r[field].encode(), reverse=True) + nulls
    if SCHEMA[field].rstrip("?") in ("str", "category"):
        return sorted(model, key=lambda r: (r[field] is None, (r[field] or "").encode()))
    return sorted(model, key=sort_key(field, reverse))


class TableMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.table = cc.Table(SCHEMA)
        self.model = []
        self.folder = None

    @rule(read=st.sets(st.sampled_from(sorted(SCHEMA))))
    def save_and_open(self, read):
        """The next rule finds the columns not in `read` still unread."""
        if self.folder is None:
            self.folder = tempfile.mkdtemp(prefix="cc-table-model-")
        path = os.path.join(self.folder, "t.arrow")
        self.table.save(path)  # replaces the file an earlier open still maps
        self.table = cc.Table.open(path)
        for name in read & set(self.fields()):
            self.table.column(name)

    def teardown(self):
        self.same_now()
        if self.folder is not None:
            for name in os.listdir(self.folder):
                os.remove(os.path.join(self.folder, name))
            os.rmdir(self.folder)

    def fields(self):
        return self.table.columns

    @rule(row=rows, as_tuple=st.booleans())
    def append(self, row, as_tuple):
        if list(SCHEMA) != self.fields():
            return
        self.table.append(tuple(row[k] for k in SCHEMA) if as_tuple else row)
        self.model.append({k: row[k] for k in SCHEMA})

    @rule(new=st.lists(rows, max_size=5), bad=st.none() | bad_rows)
    def extend(self, new, bad):
        if list(SCHEMA) != self.fields():
            return
        batch = [{k: r[k] for k in SCHEMA} for r in new] + ([{**(new[0] if new else {}), **bad}] if bad else [])
        if bad:
            try:
                self.table.extend(batch)
            except (TypeError, ValueError, OverflowError):  # ValueError: too many decimal places
                return
            raise AssertionError("a bad row was accepted")
        self.table.extend(batch)
        self.model.extend(batch)

    @rule(i=st.integers(-10, 10), row=rows)
    def insert(self, i, row):
        if list(SCHEMA) != self.fields():
            return
        self.table.insert(i, row)
        self.model.insert(i, {k: row[k] for k in SCHEMA})

    @precondition(lambda self: self.model)
    @rule(i=st.integers(-10, 10))
    def pop(self, i):
        if not -len(self.model) <= i < len(self.model):
            return
        popped = self.table.pop(i)
        assert popped.as_dict() == self.model.pop(i)

    @rule(a=st.integers(-10, 10), b=st.integers(-10, 10), step=st.sampled_from([1, 2, -1, 3]))
    def delete_slice(self, a, b, step):
        del self.table[a:b:step]
        del self.model[a:b:step]

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def write_field(self, data):
        i = data.draw(st.integers(0, len(self.model) - 1))
        field = data.draw(st.sampled_from([f for f in self.fields() if f in SCHEMA]))
        value = data.draw(rows)[field]
        setattr(self.table[i], field, value)
        self.model[i][field] = value

    @precondition(lambda self: self.model)
    @rule(data=st.data(), row=rows)
    def set_row(self, data, row):
        if list(SCHEMA) != self.fields():
            return
        i = data.draw(st.integers(0, len(self.model) - 1))
        self.table[i] = row
        self.model[i] = {k: row[k] for k in SCHEMA}

    @rule(field=st.sampled_from(["i", "b", "f", "ok", "s", "c", "n"]), reverse=st.booleans())
    def sort(self, field, reverse):
        if field not in self.fields():
            return
        self.table.sort(by=field, reverse=reverse)
        self.model = model_sorted(self.model, field, reverse)

    @rule(data=st.data())
    def take_and_filter(self, data):
        n = len(self.model)
        idx = data.draw(st.lists(st.integers(-n, n - 1), max_size=6)) if n else []
        assert self.table.take(idx) == [self.model[i] for i in idx]
        mask = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
        assert self.table.filter(mask) == [r for r, m in zip(self.model, mask) if m]
        assert self.table[1::2] == self.model[1::2]

    @rule(name=st.sampled_from(["extra", "more"]))
    def add_then_drop_column(self, name):
        if name in self.fields():
            self.table.drop_column(name)
            for r in self.model:
                del r[name]
        else:
            values = [len(r) * 3 for r in self.model]
            self.table.add_column(name, values, dtype="int16")
            for r, v in zip(self.model, values):
                r[name] = v

    @invariant()
    def same(self):
        if self.table._debug_info()["deferred"] == 0:  # else: after the next rule, its first use
            self.same_now()

    def same_now(self):
        assert len(self.table) == len(self.model)
        got = self.table.to_dicts()
        for g, m in zip(got, self.model):
            assert g.keys() == m.keys()
            for k in g:
                assert g[k] == m[k] or (isinstance(m[k], float) and math.isnan(m[k]))
        info = self.table._debug_info()
        assert all(length == info["length"] for length, locked in info["columns"])
        assert all(locked for length, locked in info["columns"])
        for col in self.table._columns:  # RT4: null counts match a recount
            if hasattr(col, "null_count"):
                assert col.null_count == col.tolist().count(None)


TableMachine.TestCase.settings = settings(settings(), max_examples=min(settings().max_examples, 400),
                                          stateful_step_count=25)
test_table_matches_a_list_of_dicts = TableMachine.TestCase
