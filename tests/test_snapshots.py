"""Arrow exports are snapshots; buffer-protocol views are aliases.

Branch `cow` changed the export model (src/core/cc_buffer.h,
src/arrow_export.c's header, src/array_buffer.c array_getbuffer):

* every Arrow export -- ``__arrow_c_array__`` / ``__arrow_c_stream__``,
  ``pa.array(x)``, ``pa.table(t)``, ``to_pandas()``, Polars, DuckDB over the
  pyarrow table -- shares the container's buffers, and any later write to the
  container copies the buffers it touches first: the consumer keeps exactly
  the values it was given, its data stays valid, and no write raises
  BufferError because of an export;
* the buffer protocol stays an alias of private memory (writes through either
  side are seen by the other, a resize while the view lives raises
  BufferError); of memory a snapshot shares, a read-only request gets a
  read-only view of it, a writable request makes the memory private first.

Each test names the defect script of ``/work/shared/repros`` it covers:
arrow_export_null_write_not_mirrored, arrow_export_category_set_none_abort,
export_then_sort_corrupts_consumer, categorical_to_pandas_then_new_category,
buffer_view_empty_while_arrow_export_alive.

Part 1: a matrix consumer x container kind x write.  Part 2: a Hypothesis
state machine interleaving exports, imports, copies, pickle round trips and
every mutation.  Part 3: buffer-protocol views (alias vs snapshot).
"""
import ctypes
import math
import pickle
import struct

import pytest

import compactcol as cc

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

try:
    import pandas as pd
except ImportError:  # pragma: no cover
    pd = None
try:
    import polars as pl
except ImportError:  # pragma: no cover
    pl = None
try:
    import duckdb
except ImportError:  # pragma: no cover
    duckdb = None


# ---- normalising what consumers show -------------------------------------------------

def _norm(v):
    """A consumer's scalar as the plain Python value compactcol gives
    (None for every kind of missing value, numpy scalars unwrapped)."""
    if v is None:
        return None
    if pd is not None and v is pd.NA:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
        if isinstance(v, float) and math.isnan(v):
            return None
    return v


def _rows_of_df(df):
    return [tuple(_norm(v) for v in row) for row in df.itertuples(index=False, name=None)]


def _table_rows(t):
    return [tuple(d.values()) for d in t.to_dicts()]


# ---- containers -----------------------------------------------------------------------

# name -> (factory of the initial values, dtype spec, a new value, a second new value,
#          nullable)
SEQ_KINDS = {
    "int64": ("int64", [3, 1, 4, 2], 42, -7, False),
    "int64?": ("int64", [3, None, 4, 2], 42, -7, True),
    "float64": ("float64", [3.5, 1.25, 4.0, 2.5], 42.5, -7.25, False),
    "float64?": ("float64", [3.5, None, 4.0, 2.5], 42.5, -7.25, True),
    "bool": ("bool", [True, False, True, False], None, None, False),
    "bool?": ("bool", [True, None, False, True], None, None, True),
    # adaptive: the first write of a big value widens int8 -> int64 (a new buffer)
    "int?-adaptive": ("int", [3, None, 4, 2], 10**12, -7, True),
    "str?": ("str", ["ccc", None, "x", "bb"], "a much longer string", "", True),
    "bytes?": ("bytes", [b"ccc", None, b"\xff", b"bb"], b"a much longer value", b"", True),
    "category?": ("category", ["b", None, "a", "c"], "a", "c", True),
}


def make_seq(kind):
    dtype, values, _, _, nullable = SEQ_KINDS[kind]
    if dtype == "str":
        return cc.StringArray(values, nullable=nullable), list(values)
    if dtype == "bytes":
        return cc.BinaryArray(values, nullable=nullable), list(values)
    if dtype == "category":
        return cc.CategoricalArray(values, nullable=nullable), list(values)
    return cc.Array(dtype, values, nullable=nullable), list(values)


def new_values(kind, model):
    """Two values to write that are not None (for bool: the flips)."""
    dtype, _, v1, v2, _ = SEQ_KINDS[kind]
    if dtype == "bool":
        first = model[0] if model and model[0] is not None else False
        return (not first), first
    return v1, v2


def _sort_model(model):
    return sorted(v for v in model if v is not None) + [v for v in model if v is None]


def _w_set(x, m, kind):
    v, _ = new_values(kind, m)
    x[0] = v
    m[0] = v


def _w_set_from_none(x, m, kind):
    # index 1 holds None in every nullable kind (the null_count / bitmap case)
    v, _ = new_values(kind, m)
    x[1] = v
    m[1] = v


def _w_set_none(x, m, kind):
    x[0] = None
    m[0] = None


def _w_new_category(x, m, kind):
    x[0] = "NEW"
    m[0] = "NEW"


def _w_append(x, m, kind):
    _, v = new_values(kind, m)
    x.append(v)
    m.append(v)


def _w_append_none(x, m, kind):
    x.append(None)
    m.append(None)


def _w_insert(x, m, kind):
    v, _ = new_values(kind, m)
    x.insert(1, v)
    m.insert(1, v)


def _w_pop(x, m, kind):
    assert x.pop() == m.pop()


def _w_pop0(x, m, kind):
    assert x.pop(0) == m.pop(0)


def _w_del_item(x, m, kind):
    del x[0]
    del m[0]


def _w_del_slice(x, m, kind):
    del x[1:3]
    del m[1:3]


def _w_sort(x, m, kind):
    x.sort()
    m[:] = _sort_model(m)


def _w_reverse(x, m, kind):
    x.reverse()
    m.reverse()


def _w_extend(x, m, kind):
    v1, v2 = new_values(kind, m)
    vals = [v1, v2, v1] * 10  # grows past the capacity
    x.extend(vals)
    m.extend(vals)


def _w_clear(x, m, kind):
    x.clear()
    m.clear()


def _w_set_slice_same(x, m, kind):
    v1, v2 = new_values(kind, m)
    x[0:2] = [v1, v2]
    m[0:2] = [v1, v2]


def _w_set_slice_resize(x, m, kind):
    v1, v2 = new_values(kind, m)
    x[1:2] = [v1, v2, v1]
    m[1:2] = [v1, v2, v1]


def _w_iadd(x, m, kind):
    _, v2 = new_values(kind, m)
    x += [v2]
    m += [v2]


def _w_imul(x, m, kind):
    x *= 2
    m *= 2


def _w_remove(x, m, kind):
    v = m[2]
    x.remove(v)
    m.remove(v)


# write name -> (function, applies to kind?, repro stem it covers)
SEQ_WRITES = {
    "set": (_w_set, lambda k: True, "arrow_export_null_write_not_mirrored"),
    "set_from_none": (_w_set_from_none, lambda k: SEQ_KINDS[k][4],
                      "arrow_export_null_write_not_mirrored"),
    "set_none": (_w_set_none, lambda k: SEQ_KINDS[k][4], "arrow_export_null_write_not_mirrored"),
    "new_category": (_w_new_category, lambda k: SEQ_KINDS[k][0] == "category",
                     "categorical_to_pandas_then_new_category"),
    "append": (_w_append, lambda k: True, "export_then_sort_corrupts_consumer"),
    "append_none": (_w_append_none, lambda k: SEQ_KINDS[k][4],
                    "arrow_export_null_write_not_mirrored"),
    "insert": (_w_insert, lambda k: True, "export_then_sort_corrupts_consumer"),
    "pop": (_w_pop, lambda k: True, "export_then_sort_corrupts_consumer"),
    "pop0": (_w_pop0, lambda k: True, "export_then_sort_corrupts_consumer"),
    "del_item": (_w_del_item, lambda k: True, "export_then_sort_corrupts_consumer"),
    "del_slice": (_w_del_slice, lambda k: True, "export_then_sort_corrupts_consumer"),
    "sort": (_w_sort, lambda k: True, "export_then_sort_corrupts_consumer"),
    "reverse": (_w_reverse, lambda k: True, "export_then_sort_corrupts_consumer"),
    "extend": (_w_extend, lambda k: True, "export_then_sort_corrupts_consumer"),
    "clear": (_w_clear, lambda k: True, "export_then_sort_corrupts_consumer"),
    "set_slice_same": (_w_set_slice_same, lambda k: True, "arrow_export_null_write_not_mirrored"),
    "set_slice_resize": (_w_set_slice_resize, lambda k: True,
                         "export_then_sort_corrupts_consumer"),
    "iadd": (_w_iadd, lambda k: True, "export_then_sort_corrupts_consumer"),
    "imul": (_w_imul, lambda k: True, "export_then_sort_corrupts_consumer"),
    "remove": (_w_remove, lambda k: True, "export_then_sort_corrupts_consumer"),
}


# ---- consumers of a sequence ----------------------------------------------------------

class Consumer:
    """export(x) -> the consumer's object; read(obj) -> list of plain values;
    validate(obj) checks the consumer's data structurally; needs: the name of
    the module (global here) the consumer needs."""

    def __init__(self, name, export, read, validate=None, applies=lambda kind: True,
                 needs=None):
        self.name, self.export, self.read = name, export, read
        self.validate = validate or (lambda obj: None)
        self.applies, self.needs = applies, needs


def _duckdb_array_export(x):
    snap = pa.table({"v": pa.array(x)})
    # DuckDB's replacement scan finds `snap` among this frame's locals; the
    # relation is run again at each fetch
    return (duckdb.sql("select v from snap"), snap)


def _duckdb_array_read(obj):
    rel, _snap = obj
    return [_norm(r[0]) for r in rel.fetchall()]


def _pandas_cat_validate(pc):
    # pandas trusts its codes (the repro segfaulted here)
    pd.Series(pc).value_counts()
    assert all(-1 <= code < len(pc.categories) for code in pc.codes)


SEQ_CONSUMERS = [
    Consumer("pa.array", pa.array, lambda p: p.to_pylist(), lambda p: p.validate(full=True)),
    Consumer("pa.array.large_string", lambda s: pa.array(s, type=pa.large_string()),
             lambda p: p.to_pylist(), lambda p: p.validate(full=True),
             applies=lambda k: SEQ_KINDS[k][0] == "str"),
    Consumer("pl.Series", lambda x: pl.Series(x), lambda s: [_norm(v) for v in s.to_list()],
             needs="pl"),
    Consumer("to_pandas", lambda c: c.to_pandas(), lambda pc: [_norm(v) for v in pc],
             _pandas_cat_validate, applies=lambda k: SEQ_KINDS[k][0] == "category", needs="pd"),
    Consumer("duckdb", _duckdb_array_export, _duckdb_array_read,
             lambda obj: obj[1].validate(full=True), needs="duckdb"),
]


def _seq_cases():
    for cons in SEQ_CONSUMERS:
        for kind in SEQ_KINDS:
            if not cons.applies(kind):
                continue
            for wname, (_, applies, repro) in SEQ_WRITES.items():
                if applies(kind):
                    yield pytest.param(cons, kind, wname,
                                       id=f"{repro}-{cons.name}-{kind}-{wname}")


@pytest.mark.parametrize("cons,kind,wname", list(_seq_cases()))
def test_sequence_snapshot_survives_write(cons, kind, wname):
    if cons.needs and globals()[cons.needs] is None:
        pytest.skip(f"{cons.needs} not installed")
    x, model = make_seq(kind)
    snap = cons.export(x)
    before = cons.read(snap)
    assert before == model
    cons.validate(snap)

    write = SEQ_WRITES[wname][0]
    write(x, model, kind)          # no BufferError: the export pins nothing

    assert cons.read(snap) == before, "the consumer saw the container's write"
    cons.validate(snap)
    assert list(x) == model
    assert len(x) == len(model)
    assert x.null_count == sum(v is None for v in model)
    # a new export shows the new values
    fresh = cons.export(x)
    assert cons.read(fresh) == model
    cons.validate(fresh)
    # and the old one still shows the old ones
    assert cons.read(snap) == before


@pytest.mark.parametrize("kind", list(SEQ_KINDS))
def test_sequence_snapshot_survives_every_write_in_turn(kind):
    """export_then_sort_corrupts_consumer / arrow_export_null_write_not_mirrored:
    one export per write, all kept alive while every later write runs."""
    x, model = make_seq(kind)
    snaps = []
    for wname, (write, applies, _) in SEQ_WRITES.items():
        if not applies(kind) or wname == "clear":
            continue
        p = pa.array(x)
        snaps.append((p, p.to_pylist()))
        if len(model) < 3:
            x.extend(model[:1] * 3 if model else [])
            model.extend(model[:1] * 3 if model else [])
        write(x, model, kind)
        assert list(x) == model
        for p, seen in snaps:
            assert p.to_pylist() == seen
            p.validate(full=True)


# ---- tables -----------------------------------------------------------------------------

TABLE_SCHEMA = {"i": "int64?", "n": "int64", "f": "float64?", "g": "float64",
                "b": "bool?", "bb": "bool", "s": "str?", "c": "category?"}
TABLE_ROWS = [
    (3, 30, 3.5, 0.5, True, False, "ccc", "x"),
    (None, 10, None, 1.5, None, True, None, None),
    (1, 20, 1.25, 2.5, False, True, "x", "y"),
    (2, 40, 2.0, 3.5, True, False, "bb", "x"),
]
NEW_ROW = (7, 70, 7.5, 8.5, False, True, "a rather longer string", "z")
NULL_ROW = (None, 0, None, 0.0, None, False, None, None)
FIELDS = list(TABLE_SCHEMA)


def make_table():
    return cc.Table(dict(TABLE_SCHEMA), list(TABLE_ROWS)), list(TABLE_ROWS)


def _set_field(m, i, name, v):
    row = list(m[i])
    row[FIELDS.index(name)] = v
    m[i] = tuple(row)


def _tsort_model(m, by):
    k = FIELDS.index(by)
    return sorted(m, key=lambda r: (r[k] is None, r[k] if r[k] is not None else 0))


def _t_set_row(t, m):
    t[0] = NEW_ROW
    m[0] = NEW_ROW


def _t_set_row_nulls(t, m):
    t[0] = NULL_ROW
    m[0] = NULL_ROW


def _t_set_row_from_nulls(t, m):
    t[1] = NEW_ROW
    m[1] = NEW_ROW


def _t_attr(t, m):
    t[0].i = 99
    t[0].n = 98
    t[0].f = 9.5
    t[0].g = 8.5
    t[0].b = False
    t[0].bb = True
    for name, v in zip(FIELDS, (99, 98, 9.5, 8.5, False, True)):
        _set_field(m, 0, name, v)


def _t_attr_str(t, m):
    t[2].s = "a much longer string than before"
    _set_field(m, 2, "s", "a much longer string than before")


def _t_attr_none(t, m):
    for name in ("i", "f", "b", "s", "c"):
        setattr(t[0], name, None)
        _set_field(m, 0, name, None)


def _t_attr_from_none(t, m):
    for name, v in (("i", 5), ("f", 5.5), ("b", True), ("s", "q"), ("c", "y")):
        setattr(t[1], name, v)
        _set_field(m, 1, name, v)


def _t_new_category(t, m):
    t[0].c = "NEW"
    _set_field(m, 0, "c", "NEW")


def _t_append(t, m):
    t.append(NEW_ROW)
    m.append(NEW_ROW)


def _t_insert(t, m):
    t.insert(1, NEW_ROW)
    m.insert(1, NEW_ROW)


def _t_pop(t, m):
    assert tuple(t.pop()) == m.pop()


def _t_pop0(t, m):
    assert tuple(t.pop(0)) == m.pop(0)


def _t_del_item(t, m):
    del t[0]
    del m[0]


def _t_del_slice(t, m):
    del t[1:3]
    del m[1:3]


def _t_extend(t, m):
    rows = [NEW_ROW, NULL_ROW] * 10
    t.extend(rows)
    m.extend(rows)


def _t_clear(t, m):
    t.clear()
    m.clear()


def _t_sort_i(t, m):
    t.sort(by="i")
    m[:] = _tsort_model(m, "i")


def _t_sort_s(t, m):
    t.sort(by="s")
    m[:] = _tsort_model(m, "s")


TABLE_WRITES = {
    "set_row": (_t_set_row, "export_then_sort_corrupts_consumer"),
    "set_row_nulls": (_t_set_row_nulls, "arrow_export_category_set_none_abort"),
    "set_row_from_nulls": (_t_set_row_from_nulls, "arrow_export_null_write_not_mirrored"),
    "attr": (_t_attr, "arrow_export_null_write_not_mirrored"),
    "attr_str": (_t_attr_str, "export_then_sort_corrupts_consumer"),
    "attr_none": (_t_attr_none, "arrow_export_category_set_none_abort"),
    "attr_from_none": (_t_attr_from_none, "arrow_export_null_write_not_mirrored"),
    "new_category": (_t_new_category, "categorical_to_pandas_then_new_category"),
    "append": (_t_append, "export_then_sort_corrupts_consumer"),
    "insert": (_t_insert, "export_then_sort_corrupts_consumer"),
    "pop": (_t_pop, "export_then_sort_corrupts_consumer"),
    "pop0": (_t_pop0, "export_then_sort_corrupts_consumer"),
    "del_item": (_t_del_item, "export_then_sort_corrupts_consumer"),
    "del_slice": (_t_del_slice, "export_then_sort_corrupts_consumer"),
    "extend": (_t_extend, "export_then_sort_corrupts_consumer"),
    "clear": (_t_clear, "export_then_sort_corrupts_consumer"),
    "sort_by_int": (_t_sort_i, "export_then_sort_corrupts_consumer"),
    "sort_by_str": (_t_sort_s, "export_then_sort_corrupts_consumer"),
}


def _pa_rows(pt):
    return [tuple(r.values()) for r in pt.to_pylist()]


def _duckdb_table_export(t):
    snap = pa.table(t)
    return (duckdb.sql("select * from snap"), snap)


def _duckdb_table_read(obj):
    rel, _snap = obj
    return [tuple(_norm(v) for v in r) for r in rel.fetchall()]


def _pandas_df_validate(df):
    for name in df.columns:
        col = df[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            _pandas_cat_validate(col.array)


TABLE_CONSUMERS = [
    Consumer("pa.table", pa.table, _pa_rows, lambda pt: pt.validate(full=True)),
    Consumer("to_arrow", lambda t: t.to_arrow(), _pa_rows, lambda pt: pt.validate(full=True)),
    Consumer("RecordBatchReader.read_all",
             lambda t: pa.RecordBatchReader.from_stream(t).read_all(), _pa_rows,
             lambda pt: pt.validate(full=True)),
    Consumer("to_pandas", lambda t: t.to_pandas(), _rows_of_df, _pandas_df_validate, needs="pd"),
    Consumer("pl.DataFrame", lambda t: pl.DataFrame(t),
             lambda df: [tuple(_norm(v) for v in r) for r in df.rows()], needs="pl"),
    Consumer("duckdb", _duckdb_table_export, _duckdb_table_read,
             lambda obj: obj[1].validate(full=True), needs="duckdb"),
]


def _table_cases():
    for cons in TABLE_CONSUMERS:
        for wname, (_, repro) in TABLE_WRITES.items():
            # to_pandas is a snapshot too: np.asarray(col.copy()), and copy()
            # shares the column's buffers (copy-on-write)
            yield pytest.param(cons, wname, id=f"{repro}-{cons.name}-{wname}")


@pytest.mark.parametrize("cons,wname", list(_table_cases()))
def test_table_snapshot_survives_write(cons, wname):
    if cons.needs and globals()[cons.needs] is None:
        pytest.skip(f"{cons.needs} not installed")
    t, model = make_table()
    snap = cons.export(t)
    before = cons.read(snap)
    assert before == model
    cons.validate(snap)

    TABLE_WRITES[wname][0](t, model)

    assert cons.read(snap) == before, "the consumer saw the table's write"
    cons.validate(snap)
    assert _table_rows(t) == model
    fresh = cons.export(t)
    assert cons.read(fresh) == model
    cons.validate(fresh)
    assert cons.read(snap) == before


def test_table_snapshot_survives_every_write_in_turn():
    t, model = make_table()
    snaps = []
    for wname, (write, _) in TABLE_WRITES.items():
        if wname == "clear":
            continue
        pt = pa.table(t)
        snaps.append((pt, _pa_rows(pt)))
        while len(model) < 4:
            t.append(NEW_ROW)
            model.append(NEW_ROW)
        write(t, model)
        assert _table_rows(t) == model
        for pt, seen in snaps:
            assert _pa_rows(pt) == seen
            pt.validate(full=True)


def test_table_column_exports_survive_table_writes():
    """A column object's own export (t.column(name)) is a snapshot too."""
    t, model = make_table()
    exports = {name: pa.array(t.column(name)) for name in FIELDS}
    seen = {name: p.to_pylist() for name, p in exports.items()}
    _t_attr_none(t, model)
    _t_new_category(t, model)
    _t_sort_s(t, model)
    _t_extend(t, model)
    for name, p in exports.items():
        assert p.to_pylist() == seen[name]
        p.validate(full=True)
    assert _table_rows(t) == model


# ---- the repro scripts themselves ------------------------------------------------------

def test_arrow_export_category_set_none_abort_categorical():
    c = cc.CategoricalArray(["a", "b", "a"], nullable=True)
    p = pa.array(c)
    c[0] = None
    assert list(c) == [None, "b", "a"]
    p.validate(full=True)
    assert p.to_pylist() == ["a", "b", "a"]


def test_arrow_export_category_set_none_abort_table():
    t = cc.Table({"sym": "category?", "x": "int64"})
    t.extend([("a", 1), ("b", 2)])
    pt = t.to_arrow()
    t[0].sym = None
    assert t.to_dicts() == [{"sym": None, "x": 1}, {"sym": "b", "x": 2}]
    pt.validate(full=True)
    assert pt.to_pylist() == [{"sym": "a", "x": 1}, {"sym": "b", "x": 2}]


def test_arrow_export_category_set_none_abort_stray_code_through_codes():
    """Writing a code through c.codes (documented as allowed) after an export:
    the export keeps its codes."""
    c = cc.CategoricalArray(["a", "b", "a"], nullable=True)
    p = pa.array(c)
    codes = c.codes
    codes[0] = 1
    assert list(c) == ["b", "b", "a"]
    p.validate(full=True)
    assert p.to_pylist() == ["a", "b", "a"]


def test_arrow_export_null_write_not_mirrored():
    a = cc.Array("int64", [1, 2, 3], nullable=True)
    p = pa.array(a)
    a[0] = None
    assert p.to_pylist() == [1, 2, 3] and p.null_count == 0
    assert list(a) == [None, 2, 3]

    b = cc.Array("int64", [None, 2, 3], nullable=True)
    q = pa.array(b)
    b[0] = 7
    q.validate(full=True)
    assert q.null_count == 1 and q.to_pylist() == [None, 2, 3]
    assert list(b) == [7, 2, 3]

    s = cc.StringArray(["", "x"], nullable=True)
    r = pa.array(s)
    s[0] = None
    r.validate(full=True)
    assert r.to_pylist() == ["", "x"]
    assert list(s) == [None, "x"]


def test_export_then_sort_corrupts_consumer():
    t = cc.Table({"k": "int64", "s": "str"}, [(3, "ccc"), (1, "x"), (2, "bb"), (0, "a")])
    df = t.to_pandas()
    t.sort(by="k")
    assert df["s"].tolist() == ["ccc", "x", "bb", "a"]
    assert t.column("s").tolist() == ["a", "x", "bb", "ccc"]

    s = cc.StringArray(["ccc", "x", "bb", "a"])
    v = pa.array(s, type=pa.large_string())
    s.sort()
    v.validate(full=True)
    assert v.to_pylist() == ["ccc", "x", "bb", "a"]
    assert list(s) == ["a", "bb", "ccc", "x"]

    a = cc.Array("int8", [3, None, 1, 2], nullable=True)
    w = pa.array(a, type=pa.int64())
    a.sort()
    w.validate(full=True)
    assert w.to_pylist() == [3, None, 1, 2]
    assert list(a) == [1, 2, 3, None]


def test_export_then_sort_corrupts_consumer_table_to_pandas_int_column():
    """The repro's table, its int column: t.sort(by='k') after t.to_pandas()
    shows [0, 1, 2, 3] in df['k'] instead of [3, 1, 2, 0]."""
    t = cc.Table({"k": "int64", "s": "str"}, [(3, "ccc"), (1, "x"), (2, "bb"), (0, "a")])
    df = t.to_pandas()
    t.sort(by="k")
    assert df["k"].tolist() == [3, 1, 2, 0]


def test_table_to_pandas_then_append_raises_no_buffer_error():
    t = cc.Table({"k": "int64", "x": "float64", "b": "bool"}, [(1, 1.0, True)])
    df = t.to_pandas()
    t.append((2, 2.0, False))      # was BufferError: np.asarray(col) aliased the column
    assert len(t) == 2 and len(df) == 1


@pytest.mark.parametrize("target", ["int8?", "uint16", "int32?"])
def test_export_then_sort_corrupts_consumer_requested_casts(target):
    """Converted values with a shared bitmap (the int8 -> int64 case) for
    other casts, followed by a sort and a null write."""
    dtype, nullable = target.rstrip("?"), target.endswith("?")
    vals = [3, None, 1, 2] if nullable else [3, 0, 1, 2]
    a = cc.Array(dtype, vals, nullable=nullable)
    w = pa.array(a, type=pa.int64())
    f = pa.array(a, type=pa.float64())
    a.sort()
    if nullable:
        a[0] = None
    for p in (w, f):
        p.validate(full=True)
        assert p.to_pylist() == vals
    assert a.null_count == sum(v is None for v in list(a))


def test_categorical_to_pandas_then_new_category():
    c = cc.CategoricalArray(["a", "b", "a"])
    pc = c.to_pandas()
    c[0] = "zzz"
    assert list(c) == ["zzz", "b", "a"]
    assert list(pc) == ["a", "b", "a"]
    assert list(pc.categories) == ["a", "b"]
    _pandas_cat_validate(pc)


def test_categorical_to_pandas_then_new_category_table():
    t = cc.Table({"sym": "category", "px": "float64"})
    t.extend([("AAPL", 1.0), ("MSFT", 2.0), ("AAPL", 3.0)])
    df = t.to_pandas()
    t[0].sym = "GOOG"
    assert t.to_dicts()[0] == {"sym": "GOOG", "px": 1.0}
    assert df["sym"].tolist() == ["AAPL", "MSFT", "AAPL"]
    _pandas_df_validate(df)
    str(df)


@pytest.mark.parametrize("container", ["categorical", "table"])
def test_categorical_to_pandas_then_new_category_codes_widen(container):
    """Enough new categories to widen the codes (int8 -> int16 -> int32)
    after exports of the int8 codes: the exports keep their values."""
    first = [f"k{i}" for i in range(120)]
    if container == "categorical":
        x = cc.CategoricalArray(first, nullable=True)
        col = x
    else:
        x = cc.Table({"c": "category?"}, [(v,) for v in first])
        col = x.column("c")
    p = pa.array(col)
    pc = col.to_pandas()
    seen = p.to_pylist()
    more = [f"n{i}" for i in range(70000)]
    if container == "categorical":
        x.extend(more)
        x[0] = None
        x[1] = "n5"
    else:
        x.extend([(v,) for v in more])
        x[0].c = None
        x[1].c = "n5"
    p.validate(full=True)
    assert p.to_pylist() == seen
    assert [_norm(v) for v in pc] == seen
    _pandas_cat_validate(pc)
    assert len(x) == 120 + 70000
    got = list(col) if container == "categorical" else [r.c for r in x]
    assert got[:3] == [None, "n5", "k2"] and got[-1] == "n69999"


# ---- streams ----------------------------------------------------------------------------

def test_export_then_sort_corrupts_consumer_stream_batch_read_before_writes():
    """A batch pulled from the stream before the writes is a snapshot."""
    t, model = make_table()
    reader = pa.RecordBatchReader.from_stream(t)
    batch = reader.read_next_batch()
    seen = [tuple(r.values()) for r in batch.to_pylist()]
    assert seen == model
    _t_sort_s(t, model)
    _t_attr_none(t, model)
    _t_extend(t, model)
    assert [tuple(r.values()) for r in batch.to_pylist()] == seen
    batch.validate(full=True)
    assert _table_rows(t) == model


def test_export_then_sort_corrupts_consumer_stream_read_after_writes():
    """The stream is a snapshot when it is made (its batch is built then),
    not when it is read."""
    t, model = make_table()
    reader = pa.RecordBatchReader.from_stream(t)
    at_export = list(model)
    _t_sort_s(t, model)
    _t_append(t, model)
    got = reader.read_all()
    got.validate(full=True)
    assert _pa_rows(got) == at_export


@pytest.mark.skipif(duckdb is None, reason="duckdb not installed")
def test_export_then_sort_corrupts_consumer_duckdb_relation_over_table_is_a_query():
    """A DuckDB relation over the compactcol Table itself (through the capsule
    interface) is a query, re-run at each fetch: it shows the table's values
    at fetch time, without error, whatever was written in between."""
    t, model = make_table()
    rel = duckdb.sql("select * from t")
    assert [tuple(_norm(v) for v in r) for r in rel.fetchall()] == model
    _t_sort_s(t, model)
    _t_attr_none(t, model)
    _t_new_category(t, model)
    _t_append(t, model)
    assert [tuple(_norm(v) for v in r) for r in rel.fetchall()] == model
    # a materialised result is a snapshot
    res = duckdb.sql("select * from t").fetchall()
    _t_clear(t, model)
    assert [tuple(_norm(v) for v in r) for r in res] != model
    assert len(t) == 0


# ---- part 3: buffer-protocol views -----------------------------------------------------

def test_memoryview_of_never_exported_array_is_a_writable_alias():
    a = cc.Array("int64", [1, 2, 3])
    mv = memoryview(a)
    assert not mv.readonly
    assert mv.tolist() == [1, 2, 3]
    mv[0] = 99
    assert a[0] == 99
    a[1] = 55
    assert mv[1] == 55
    with pytest.raises(BufferError):
        a.append(4)
    with pytest.raises(BufferError):
        a.clear()
    assert list(a) == [99, 55, 3]
    mv.release()
    a.append(4)
    assert list(a) == [99, 55, 3, 4]


def test_np_asarray_of_never_exported_array_is_a_writable_alias():
    a = cc.Array("float64", [1.0, 2.0, 3.0])
    n = np.asarray(a)
    assert n.flags.writeable
    n[2] = 7.5
    assert a[2] == 7.5
    a[0] = -1.0
    assert n[0] == -1.0
    with pytest.raises(BufferError):
        a.extend([1.0] * 100)
    del n
    a.extend([1.0] * 100)
    assert len(a) == 103


def test_buffer_view_empty_while_arrow_export_alive():
    a = cc.Array("int64", [1, 2, 3])
    p = pa.array(a)
    n = np.asarray(a)
    assert n.tolist() == [1, 2, 3]
    assert not n.flags.writeable
    mv = memoryview(a)
    assert mv.shape == (3,)
    assert mv.readonly
    with pytest.raises(TypeError):
        mv[0] = 5
    with pytest.raises(ValueError):
        n[0] = 5
    # a write to the container: the read-only views and the export keep the
    # export-time values; no BufferError (the views alias nothing private)
    a[0] = 100
    assert n.tolist() == [1, 2, 3]
    assert mv.tolist() == [1, 2, 3]
    assert p.to_pylist() == [1, 2, 3]
    assert list(a) == [100, 2, 3]
    a.append(4)
    a.sort(reverse=True)
    assert n.tolist() == [1, 2, 3]
    assert p.to_pylist() == [1, 2, 3]
    p.validate(full=True)
    assert list(a) == [100, 4, 3, 2]


@pytest.mark.parametrize("nullable", [False, True])
def test_writable_request_after_export_makes_memory_private(nullable):
    a = cc.Array("int64", [1, 2, 3], nullable=nullable)
    p = pa.array(a)
    ro = np.asarray(a)
    assert not ro.flags.writeable
    # memoryview / numpy / ctypes.from_buffer ask for a read-only buffer;
    # struct.pack_into ("w*") asks for PyBUF_WRITABLE
    struct.pack_into("q", a, 8, 55)
    assert list(a) == [1, 55, 3]
    assert p.to_pylist() == [1, 2, 3]
    assert ro.tolist() == [1, 2, 3]
    # the memory is private now: a read-only request aliases it too
    mv = memoryview(a)
    assert not mv.readonly
    mv.release()
    w = (ctypes.c_int64 * 3).from_buffer(a)
    a[2] = 77
    assert w[2] == 77          # an alias again
    with pytest.raises(BufferError):
        a.append(4)
    del w
    a.append(4)
    assert list(a) == [1, 55, 77, 4]
    p.validate(full=True)
    assert p.to_pylist() == [1, 2, 3]
    assert ro.tolist() == [1, 2, 3]


def test_export_while_writable_view_alive_is_a_copy():
    """A container a memoryview aliases exports copies: writes through the
    view reach the container, not the export."""
    a = cc.Array("int64", [1, 2, 3])
    mv = memoryview(a)
    p = pa.array(a)
    mv[0] = 9
    a[1] = 8
    assert list(a) == [9, 8, 3]
    assert mv.tolist() == [9, 8, 3]
    assert p.to_pylist() == [1, 2, 3]
    p.validate(full=True)


def test_read_only_view_after_export_released_becomes_writable_again():
    a = cc.Array("int64", [1, 2, 3])
    p = pa.array(a)
    assert memoryview(a).readonly
    del p
    mv = memoryview(a)
    assert not mv.readonly
    mv[0] = 5
    assert a[0] == 5


def test_categorical_codes_view_after_export():
    c = cc.CategoricalArray(["a", "b", "a"])
    p = pa.array(c)
    codes = np.asarray(c.codes)
    assert not codes.flags.writeable
    c[0] = "new"
    assert codes.tolist() == [0, 1, 0]
    assert p.to_pylist() == ["a", "b", "a"]
    p.validate(full=True)
    assert list(c) == ["new", "b", "a"]


def test_strarray_data_view_after_export():
    s = cc.StringArray(["ab", "cd"])
    p = pa.array(s)
    data = s.data
    assert data.readonly
    assert bytes(data) == b"abcd"
    s[0] = "zz"
    assert bytes(data) == b"abcd"
    assert p.to_pylist() == ["ab", "cd"]
    assert list(s) == ["zz", "cd"]


# ---- part 2: a state machine over exports, imports, copies, pickles and writes ----------

from hypothesis import HealthCheck, settings, strategies as st  # noqa: E402
from hypothesis.stateful import (  # noqa: E402
    RuleBasedStateMachine, initialize, invariant, precondition, rule)

CATS = ["a", "b", "c", "d", "e", "f", "g", "h"]
SM_TABLE_SCHEMA = {"i": "int64?", "s": "str?", "c": "category?"}

_ints = st.integers(-2**63, 2**63 - 1) | st.integers(-5, 5)
_strs = st.text(max_size=6)
_cats = st.sampled_from(CATS)


class _Target:
    """A container and its list model (rows as tuples for a Table)."""

    def __init__(self, kind, obj, model, origin):
        self.kind, self.obj, self.model, self.origin = kind, obj, model, origin

    @property
    def nullable(self):
        return True if self.kind == "table" else self.obj.nullable

    def value(self, data):
        if self.kind == "table":
            return data.draw(st.tuples(st.none() | _ints, st.none() | _strs, st.none() | _cats))
        base = {"int": _ints, "str": _strs, "cat": _cats | _strs}[self.kind]
        return data.draw(st.none() | base if self.nullable else base)

    def contents(self):
        if self.kind == "table":
            return _table_rows(self.obj)
        return list(self.obj)


def _sorted_nulls_last(seq, key=lambda v: v, reverse=False):
    present = [v for v in seq if key(v) is not None]
    return (sorted(present, key=key, reverse=reverse)
            + [v for v in seq if key(v) is None])


def _snapshot_rows(p):
    if isinstance(p, pa.Table):
        return _pa_rows(p)
    return p.to_pylist()


class SnapshotMachine(RuleBasedStateMachine):
    """Covers arrow_export_null_write_not_mirrored,
    arrow_export_category_set_none_abort and export_then_sort_corrupts_consumer
    at random: pyarrow snapshots (kept with the model at export time) of an
    Array('int64', nullable=True), a StringArray(nullable=True), a Table
    (int64?, str?, category?) and of their imports (from_arrow), copies and
    protocol-5 pickle round trips, interleaved with every write and with
    buffer-protocol views (buffer_view_empty_while_arrow_export_alive)."""

    def __init__(self):
        super().__init__()
        self.targets = []
        self.snapshots = []   # (pyarrow object, model at export time, origin)

    @initialize(ints=st.lists(st.none() | _ints, max_size=6),
                strs=st.lists(st.none() | _strs, max_size=6),
                rows=st.lists(st.tuples(st.none() | _ints, st.none() | _strs,
                                        st.none() | _cats), max_size=6))
    def setup(self, ints, strs, rows):
        self.targets.append(_Target("int", cc.Array("int64", ints, nullable=True),
                                    list(ints), "Array('int64', nullable=True)"))
        self.targets.append(_Target("str", cc.StringArray(strs, nullable=True), list(strs),
                                    "StringArray(nullable=True)"))
        self.targets.append(_Target("table", cc.Table(dict(SM_TABLE_SCHEMA), rows),
                                    [tuple(r) for r in rows], "Table"))

    def _pick(self, k):
        return self.targets[k % len(self.targets)]

    # -- exports, imports, copies, pickles --

    @rule(k=st.integers(0, 999), how=st.sampled_from(["pa", "capsule"]))
    def export(self, k, how):
        t = self._pick(k)
        if t.kind == "table":
            p = pa.table(t.obj) if how == "pa" else pa.RecordBatchReader.from_stream(
                t.obj).read_all()
        else:
            p = pa.array(t.obj) if how == "pa" else pa.Array._import_from_c_capsule(
                *t.obj.__arrow_c_array__())
        assert _snapshot_rows(p) == t.model
        self.snapshots.append((p, list(t.model), f"{how} export of {t.origin}"))

    @rule(k=st.integers(0, 999))
    def drop_snapshot(self, k):
        if self.snapshots:
            del self.snapshots[k % len(self.snapshots)]

    @rule(kind=st.sampled_from(["int", "str", "cat"]), data=st.data())
    def import_array(self, kind, data):
        base = {"int": _ints, "str": _strs, "cat": _cats}[kind]
        values = data.draw(st.lists(st.none() | base, max_size=6))
        if kind == "int":
            src = pa.array(values, type=pa.int64())
        elif kind == "str":
            src = pa.array(values, type=pa.string())
        else:
            src = pa.array(values, type=pa.string()).dictionary_encode()
        x = cc.from_arrow(src)
        assert list(x) == values
        self.targets.append(_Target(kind, x, list(values), f"from_arrow({kind} {values!r})"))

    @rule(k=st.integers(0, 999))
    def copy(self, k):
        t = self._pick(k)
        x = t.obj.copy()
        assert type(x) is type(t.obj)
        self.targets.append(_Target(t.kind, x, list(t.model), f"copy of {t.origin}"))

    @rule(k=st.integers(0, 999))
    def pickle5(self, k):
        t = self._pick(k)
        bufs = []
        x = pickle.loads(pickle.dumps(t.obj, protocol=5, buffer_callback=bufs.append),
                         buffers=bufs)
        self.targets.append(_Target(t.kind, x, list(t.model), f"pickle5 of {t.origin}"))

    # -- writes --

    @rule(k=st.integers(0, 999), i=st.integers(0, 999), data=st.data())
    def set_item(self, k, i, data):
        t = self._pick(k)
        if not t.model:
            return
        i %= len(t.model)
        v = t.value(data)
        t.obj[i] = v
        t.model[i] = v

    @rule(k=st.integers(0, 999), i=st.integers(0, 999), field=st.sampled_from(["i", "s", "c"]),
          data=st.data())
    def set_none_or_field(self, k, i, field, data):
        t = self._pick(k)
        if not t.model or not t.nullable:
            return
        i %= len(t.model)
        if t.kind == "table":
            v = t.value(data)[["i", "s", "c"].index(field)]
            setattr(t.obj[i], field, v)
            row = list(t.model[i])
            row[["i", "s", "c"].index(field)] = v
            t.model[i] = tuple(row)
        else:
            t.obj[i] = None
            t.model[i] = None

    @rule(k=st.integers(0, 999), data=st.data())
    def append(self, k, data):
        t = self._pick(k)
        v = t.value(data)
        t.obj.append(v)
        t.model.append(v)

    @rule(k=st.integers(0, 999), i=st.integers(-10, 10), data=st.data())
    def insert(self, k, i, data):
        t = self._pick(k)
        v = t.value(data)
        t.obj.insert(i, v)
        t.model.insert(i, v)

    @rule(k=st.integers(0, 999), i=st.integers(0, 999), last=st.booleans())
    def pop(self, k, i, last):
        t = self._pick(k)
        if not t.model:
            return
        if last:
            got, want = t.obj.pop(), t.model.pop()
        else:
            i %= len(t.model)
            got, want = t.obj.pop(i), t.model.pop(i)
        assert (tuple(got) if t.kind == "table" else got) == want

    @rule(k=st.integers(0, 999), a=st.integers(-8, 8), b=st.integers(-8, 8),
          step=st.sampled_from([None, 1, 2, -1]))
    def del_slice(self, k, a, b, step):
        t = self._pick(k)
        if t.kind == "table" and step not in (None, 1):
            step = None
        del t.obj[a:b:step]
        del t.model[a:b:step]

    @rule(k=st.integers(0, 999), data=st.data())
    def extend(self, k, data):
        t = self._pick(k)
        vals = [t.value(data) for _ in range(data.draw(st.integers(0, 20)))]
        t.obj.extend(vals)
        t.model.extend(vals)

    @rule(k=st.integers(0, 999), by=st.sampled_from(["i", "s", "c"]), rev=st.booleans())
    def sort(self, k, by, rev):
        t = self._pick(k)
        if t.kind == "table":
            j = ["i", "s", "c"].index(by)
            t.obj.sort(by=by, reverse=rev)
            t.model[:] = _sorted_nulls_last(t.model, key=lambda r: r[j], reverse=rev)
        else:
            t.obj.sort()
            t.model[:] = _sorted_nulls_last(t.model)

    @rule(k=st.integers(0, 999))
    def reverse(self, k):
        t = self._pick(k)
        if t.kind == "table":
            return  # a Table has no reverse()
        t.obj.reverse()
        t.model.reverse()

    @rule(k=st.integers(0, 999))
    def clear(self, k):
        t = self._pick(k)
        t.obj.clear()
        t.model.clear()

    # -- buffer-protocol views of an int64 Array --

    @rule(k=st.integers(0, 999), i=st.integers(0, 999), v=st.integers(-2**63, 2**63 - 1),
          w=st.integers(-2**63, 2**63 - 1), writable_request=st.booleans())
    def buffer_view(self, k, i, v, w, writable_request):
        t = self._pick(k)
        if t.kind != "int" or not t.model:
            return
        i %= len(t.model)
        if writable_request:
            # PyBUF_WRITABLE: the memory becomes private, then aliased
            struct.pack_into("q", t.obj, 8 * i, v)
            t.model[i] = v if t.model[i] is not None else None
        n = np.asarray(t.obj)
        assert len(n) == len(t.model)
        assert [int(n[j]) for j, m in enumerate(t.model) if m is not None] == [
            m for m in t.model if m is not None]
        if not n.flags.writeable:
            # only memory a snapshot (or a copy / import) shares is read-only
            assert not writable_request
            before = n.copy()
            t.obj[i] = w
            t.model[i] = w
            assert t.obj[i] == w
            assert (n == before).all(), "a read-only view saw a container write"
        else:
            n[i] = v
            if t.model[i] is not None:
                t.model[i] = v
            t.obj[i] = w         # an alias: the view sees the write
            t.model[i] = w
            assert int(n[i]) == w
        del n

    # -- invariants --

    @invariant()
    def snapshots_keep_their_values(self):
        for p, seen, origin in self.snapshots:
            p.validate(full=True)
            assert _snapshot_rows(p) == seen, origin

    @invariant()
    def containers_match_models(self):
        for t in self.targets:
            assert t.contents() == t.model, t.origin
            assert len(t.obj) == len(t.model)


TestSnapshotMachine = SnapshotMachine.TestCase
TestSnapshotMachine.settings = settings(
    max_examples=50, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
