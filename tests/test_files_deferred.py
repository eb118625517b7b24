"""Table.open reads each column at its first use (src/table_deferred.c).

An opened table holds, per column, what reads it; t.column(name) / t[name]
reads that column, every other use all of them.  Each operation is tried as
the first use of a freshly opened table and compared with the same
operation on the table read eagerly (lazy=False) -- so a method that forgot
to read its columns first shows up here (and as an assertion in the
sanitizer build).  A damaged column raises at its first use, naming the
column, and again at every later use; it never crashes.
"""

import copy
import pickle
import threading

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

import compactcol as cc

SCHEMA = {"id": "int64", "qty": "int32?", "price": "float64", "flag": "bool", "name": "str",
          "sym": "category", "note": "str?", "c": "category?", "b": "bool?"}
ROWS = [
    (1, 10, 1.5, True, "ada", "AAPL", None, None, None),
    (2, None, -2.25, False, "", "MSFT", "big", "x", True),
    (3, 30, 0.0, True, "gr\u00e2ce \U0001f600", "AAPL", "", "y", False),
    (4, 40, 9.0, False, "zed", "IBM", "n", None, None),
]


def deferred(t):
    return t._debug_info()["deferred"]


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "t.arrow"
    cc.Table(SCHEMA, ROWS).save(p)
    return p


def test_open_reads_no_column(path):
    t = cc.Table.open(path)
    assert deferred(t) == len(SCHEMA)
    # what the file's metadata says needs no column
    assert len(t) == len(ROWS)
    assert t.columns == list(SCHEMA)
    assert t.schema == SCHEMA
    assert t.record_class.__compactcol_schema__.names == tuple(SCHEMA)
    assert deferred(t) == len(SCHEMA)


def test_column_reads_only_that_column(path):
    t = cc.Table.open(path)
    assert t.column("name").tolist() == [r[4] for r in ROWS]
    assert deferred(t) == len(SCHEMA) - 1
    assert t["price"].tolist() == [r[2] for r in ROWS]
    assert deferred(t) == len(SCHEMA) - 2
    assert np.asarray(t.column("price")).sum() == sum(r[2] for r in ROWS)
    assert deferred(t) == len(SCHEMA) - 2
    # the column read belongs to the table: it cannot change length alone
    with pytest.raises(Exception, match="table"):
        t.column("name").append("x")


def test_lazy_false_reads_every_column_at_open(path):
    t = cc.Table.open(path, lazy=False)
    assert deferred(t) == 0
    assert t == cc.Table(SCHEMA, ROWS)


def test_nullable_columns_without_nulls_stay_nullable(tmp_path):
    """'str?' etc. saved without a null: the file has no null, the saved spec
    says nullable, and the column read later is nullable (accepts None)."""
    schema = {"n": "int16?", "s": "str?", "c": "category?", "b": "bool?", "f": "float32?"}
    p = tmp_path / "n.arrow"
    cc.Table(schema, [(1, "a", "x", True, 0.5), (2, "b", "y", False, 1.5)]).save(p)
    t = cc.Table.open(p)
    assert t.schema == schema
    for name in schema:
        assert t.column(name).nullable, name
    t.append((None, None, None, None, None))
    assert t.to_dicts()[-1] == dict.fromkeys(schema)


# ---- every operation as the first use --------------------------------------------------------


def _arrow(t):
    return pa.table(t)


def _records(t):
    return [tuple(r) for r in t]


OPERATIONS = {
    "iter": _records,
    "getitem": lambda t: tuple(t[2]),
    "getitem_negative": lambda t: t[-1].name,
    "slice": lambda t: _records(t[1:3]),
    "setitem": lambda t: (t.__setitem__(0, ROWS[3]), _records(t))[1],
    "delitem": lambda t: (t.__delitem__(1), _records(t))[1],
    "delslice": lambda t: (t.__delitem__(slice(0, 2)), _records(t))[1],
    "append": lambda t: (t.append(ROWS[0]), _records(t))[1],
    "extend": lambda t: (t.extend(ROWS[:2]), _records(t))[1],
    "insert": lambda t: (t.insert(1, ROWS[2]), _records(t))[1],
    "pop": lambda t: (tuple(t.pop()), _records(t)),
    "clear": lambda t: (t.clear(), len(t), _records(t)),
    "sort_by": lambda t: (t.sort(by="name"), _records(t))[1],
    "sort_key": lambda t: (t.sort(key=lambda r: -r.id), _records(t))[1],
    "take": lambda t: _records(t.take([3, 0])),
    "filter": lambda t: _records(t.filter(lambda r: r.flag)),
    "eq": lambda t: t == cc.Table(SCHEMA, ROWS),
    "repr": repr,
    "nbytes": lambda t: t.nbytes,
    "copy": lambda t: _records(t.copy()),
    "copy_module": lambda t: _records(copy.copy(t)),
    "deepcopy": lambda t: _records(copy.deepcopy(t)),
    "pickle": lambda t: _records(pickle.loads(pickle.dumps(t, protocol=5))),
    "to_dicts": lambda t: t.to_dicts(),
    "to_records": lambda t: [tuple(r) for r in t.to_records()],
    "to_arrow": lambda t: t.to_arrow().to_pylist(),
    "pa_table": lambda t: _arrow(t).to_pylist(),
    "arrow_schema": lambda t: str(pa.schema(t)),
    "to_pandas": lambda t: t.to_pandas().astype(object).where(t.to_pandas().notna(), None)
    .values.tolist(),
    "to_numpy": lambda t: t.to_numpy(na_value={"qty": -1, "note": "", "c": "", "b": False})["price"].tolist(),
    "add_column": lambda t: (t.add_column("z", [1, 2, 3, 4], "int8"), _records(t))[1],
    "drop_column": lambda t: (t.drop_column("note"), _records(t))[1],
    "rename": lambda t: (t.rename({"name": "who"}), t.columns, _records(t)),
    "columns_tuple": lambda t: [c.tolist() for c in t._columns],
    "view_then_read": lambda t: [r.name for r in t],
    "save": lambda t: None,
}


@pytest.mark.parametrize("op", sorted(OPERATIONS))
def test_every_operation_as_first_use(path, op, tmp_path):
    eager = cc.Table.open(path, lazy=False)
    lazy = cc.Table.open(path)
    if op == "save":  # a lazy table saves what it holds, and reopens equal
        lazy.save(tmp_path / "again.arrow")
        assert cc.Table.open(tmp_path / "again.arrow") == eager
        return
    assert OPERATIONS[op](lazy) == OPERATIONS[op](eager)
    assert deferred(lazy) == 0
    assert lazy == eager
    assert [c.tolist() for c in lazy._columns] == [c.tolist() for c in eager._columns]


def test_a_row_view_reads_the_columns(path):
    t = cc.Table.open(path)
    row = t[1]  # a view: made without reading
    assert row.name == ""
    assert deferred(t) == 0


def test_other_writers_files_open_lazily(tmp_path):
    p = tmp_path / "pa.arrow"
    src = pa.table({"k": pa.array(["a", "b", None]), "v": pa.array([1, 2, 3], pa.int16()),
                    "d": pa.array(["x", "y", "x"]).dictionary_encode(),
                    "w": pa.array([True, None, False])})
    with pa.ipc.new_file(p, src.schema) as w:
        w.write_table(src)  # one batch
        w.write_table(src)  # and another: several chunks per column
    t = cc.Table.open(p)
    assert deferred(t) == 4
    assert t.schema == {"k": "str?", "v": "int16", "d": "category", "w": "bool?"}
    assert t.to_dicts() == src.to_pylist() * 2


def test_a_dictionary_with_a_null_word_is_read_at_open(tmp_path):
    p = tmp_path / "d.arrow"
    d = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0], pa.int8()), pa.array(["a", None]))
    with pa.ipc.new_file(p, pa.schema([("d", d.type)])) as w:
        w.write_table(pa.table({"d": d}))
    t = cc.Table.open(p)
    assert deferred(t) == 0
    assert t.schema == {"d": "category?"}
    assert t.column("d").tolist() == ["a", None, "a"]


def test_an_unsupported_type_raises_at_open(tmp_path):
    p = tmp_path / "ts.arrow"
    src = pa.table({"t": pa.array([[1], [2]])})
    with pa.ipc.new_file(p, src.schema) as w:
        w.write_table(src)
    with pytest.raises(TypeError, match="ts.arrow"):
        cc.Table.open(p)


# ---- damaged columns ----------------------------------------------------------------------------


def _write_strings(p, offsets, data, n):
    bad = pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(np.array(offsets, np.int32)),
                                                 pa.py_buffer(data)])
    good = pa.array(list(range(n)), pa.int64())
    with pa.ipc.new_file(p, pa.schema([("s", pa.string()), ("i", pa.int64())])) as w:
        w.write_batch(pa.record_batch([bad, good], names=["s", "i"]))


@pytest.mark.parametrize("offsets, data, why", [
    ([0, 2, 4], b"ok\xff\xfe", "UTF-8"),
    ([0, 3, 1], b"abcd", "offset"),
])
def test_a_damaged_str_column_raises_at_first_use_every_time(tmp_path, offsets, data, why):
    p = tmp_path / "bad.arrow"
    _write_strings(p, offsets, data, 2)
    t = cc.Table.open(p)  # O(1): nothing is read yet
    assert t.column("i").tolist() == [0, 1]  # another column reads fine
    for _ in range(2):
        with pytest.raises(ValueError, match=why) as info:
            t.column("s")
        assert "column 's'" in "".join(getattr(info.value, "__notes__", []))
        with pytest.raises(ValueError, match=why):
            list(t)
    assert len(t) == 2
    with pytest.raises(ValueError, match=why):
        cc.Table.open(p, lazy=False)


def test_threads_reading_columns_at_once(path):
    """Each column is read once, whichever thread gets there first; the
    import runs in C without releasing the GIL, so no thread sees a column
    half-read."""
    for _ in range(20):
        t = cc.Table.open(path)
        errors, results = [], {}

        def read(name):
            try:
                results[name] = t.column(name).tolist()
            except Exception as exc:  # pragma: no cover - the assertion shows it
                errors.append(exc)

        threads = [threading.Thread(target=read, args=(n,)) for n in SCHEMA for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert errors == []
        assert results == {n: [r[k] for r in ROWS] for k, n in enumerate(SCHEMA)}
        assert deferred(t) == 0


# ---- against a model ------------------------------------------------------------------------------

_cells = {
    "int16": st.integers(-2**15, 2**15 - 1),
    "float64": st.floats(allow_nan=False),
    "bool": st.booleans(),
    "str": st.text(max_size=6),
    "category": st.sampled_from(["a", "b", "c\u00e9"]),
}


@st.composite
def tables(draw):
    kinds = draw(st.lists(st.sampled_from(sorted(_cells)), min_size=1, max_size=5))
    nullable = draw(st.lists(st.booleans(), min_size=len(kinds), max_size=len(kinds)))
    schema = {f"f{i}": k + ("?" if n else "") for i, (k, n) in enumerate(zip(kinds, nullable))}
    cells = [(st.none() | _cells[k]) if n else _cells[k] for k, n in zip(kinds, nullable)]
    rows = draw(st.lists(st.tuples(*cells), max_size=30))
    return schema, rows


@settings(max_examples=60, deadline=None)
@given(tables(), st.data())
def test_open_then_read_in_any_order_matches_the_model(tmp_path_factory, table, data):
    """Columns read one by one in a drawn order, then the rows: each column
    equals the model's, and the table the eagerly read one."""
    schema, rows = table
    p = tmp_path_factory.mktemp("h") / "t.arrow"
    cc.Table(schema, rows).save(p)
    t = cc.Table.open(p)
    assert t.schema == schema and len(t) == len(rows)
    names = data.draw(st.permutations(list(schema)))
    for k, name in enumerate(names[:data.draw(st.integers(0, len(names)))]):
        assert t[name].tolist() == [r[list(schema).index(name)] for r in rows]
        assert deferred(t) == len(schema) - k - 1
    assert [tuple(r) for r in t] == rows
    assert deferred(t) == 0
    assert t == cc.Table.open(p, lazy=False)


def test_a_column_read_at_open_after_deferred_category_columns(tmp_path):
    """Table() checks that no two fields share one column object, comparing
    each eager column with the ones before it: the deferred ones before it
    are placeholders (None), never looked into as category columns."""
    p = tmp_path / "mixed.arrow"
    later = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0], pa.int8()), pa.array(["a", None]))
    src = pa.table({"c": pa.array(["x", "y", "x"]).dictionary_encode(), "d": later,
                    "s": pa.array(["p", "q", "r"])})
    with pa.ipc.new_file(p, src.schema) as w:
        w.write_table(src)
    t = cc.Table.open(p)
    assert deferred(t) == 2  # c and s; d is read at open
    assert t.schema == {"c": "category", "d": "category?", "s": "str"}
    assert t.to_dicts() == [{"c": "x", "d": "a", "s": "p"}, {"c": "y", "d": None, "s": "q"},
                            {"c": "x", "d": "a", "s": "r"}]
