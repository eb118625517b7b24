"""Regression tests for the defects of issue 11, one per reproduction script
in ../shared/repros (the test is named after the script) and one per defect
found without a script (named after what it was).  Each test runs the
script's scenario and checks the outcome the script's docstring expected:
before the fix most of these crashed the interpreter, so a failure here can
also show as a crash of the test run.

The reentrancy rule they pin (docs/internals.md, "Calls out to Python"):
whatever user code runs in the middle of a call -- a row's attribute, a
value's __index__, a name's __eq__, a generator -- the call re-checks what it
read before, and either finishes correctly or raises, never reads or writes
out of bounds.
"""

import gc
import io
import pickle
import sys

import pytest

import compactcol as cc

pa = pytest.importorskip("pyarrow")


def check_table(t):
    """Every column has the table's length (the invariant a bad call breaks)."""
    info = t._debug_info()
    assert all(length == info["length"] for length, _ in info["columns"]), info
    assert len(t) == info["length"]


# ---- 1-5: Table calls whose user code changes the table ------------------------------------


@pytest.mark.parametrize("mode", ["add", "drop"])
def test_table_extend_schema_change_midway_segv(mode):
    if mode == "add":
        t = cc.Table({"a": "int64", "b": "float64"})
        t.append((1, 2.0))

        def rows():
            yield (2, 3.0)
            t.add_column("c", ["z"], dtype="str")
            yield (3, 4.0, "w")
            yield (4, 5.0, "v")
    else:
        t = cc.Table({"a": "int64", "b": "str", "c": "float64"})
        t.append((1, "x", 2.0))

        def rows():
            yield (2, "y", 3.0)
            t.drop_column("a")
            yield ("q", 4.0)
            yield ("r", 5.0)
    with pytest.raises(RuntimeError, match="columns changed"):
        t.extend(rows())
    assert len(t) == 1          # nothing of the failed extend arrived
    check_table(t)
    t.extend([tuple(t[0])])     # and the table works on
    assert len(t) == 2


def test_table_append_row_getattr_changes_schema_oob():
    for numbers in ("float64", "int64"):
        t = cc.Table({"a": "int64", "b": numbers, "c": "str"})
        t.append((1, 2, "x"))

        class Row:
            @property
            def a(self):
                if "c" in t.columns:
                    t.drop_column("c")
                    t.drop_column("b")
                return 5
            b = 3
            c = "y"

        for call in (lambda: t.append(Row()), lambda: t.insert(0, Row()),
                     lambda: t.__setitem__(0, Row())):
            with pytest.raises(RuntimeError, match="columns changed"):
                call()
            assert t.to_dicts() == [{"a": 1}]
            check_table(t)
            t.add_column("b", [2], dtype=numbers)
            t.add_column("c", ["x"], dtype="str")


def test_table_view_setattr_value_drops_column_segv():
    t = cc.Table({"a": "float64", "b": "str", "c": "int64"})
    t.append((1.0, "x", 2))
    row = t[0]

    class Evil:
        def __index__(self):
            t.drop_column("b")      # 'c' was field 2; now there are 2 fields
            return 5

    with pytest.raises(RuntimeError, match="columns changed"):
        row.c = Evil()
    assert t.to_dicts() == [{"a": 1.0, "c": 2}]
    check_table(t)

    t2 = cc.Table({"a": "float64"}, [(1.0,)])
    row = t2[0]

    class Shrink:
        def __float__(self):
            t2.clear()
            return 2.0

    with pytest.raises(RuntimeError):   # stale view or a row that went away
        row.a = Shrink()
    assert len(t2) == 0


@pytest.mark.parametrize("where", ["table", "row", "column", "sort"])
def test_table_getitem_str_subclass_eq_drops_column_segv(where):
    t = cc.Table({"a": "int64", "b": "float64", "c": "str"})
    t.append((1, 2.0, "x"))
    row = t[0]
    calls = []

    class Name(str):
        __hash__ = str.__hash__

        def __eq__(self, other):
            calls.append(other)
            if "a" in t.columns:
                t.drop_column("a")
            return str.__eq__(self, other)

    if where == "table":
        assert t[Name("c")].tolist() == ["x"]
    elif where == "row":
        assert row[Name("c")] == "x"
    elif where == "column":
        assert t.column(Name("c")).tolist() == ["x"]
    else:
        t.sort(by=Name("c"))
    assert calls == []              # looked up as the exact str: no __eq__ ran (DI1)
    assert t.columns == ["a", "b", "c"]
    check_table(t)


def test_table_sort_by_str_subclass_eq_mutates_segv():
    t = cc.Table({"a": "int64", "b": "float64"})
    t.extend([(i, float(i)) for i in range(5, 0, -1)])

    class Name(str):
        __hash__ = str.__hash__

        def __eq__(self, other):
            if len(t) < 2000:
                t.extend([(100 + i, 1.0) for i in range(2000)])
            return str.__eq__(self, other)

    t.sort(by=[Name("a")])
    assert t["a"].tolist() == [1, 2, 3, 4, 5]
    check_table(t)

    # the names' iteration is user code too: it runs before anything is read
    def names():
        t.extend([(0, 0.0)] * 10)
        yield "a"

    t.sort(by=names())
    assert len(t) == 15 and t["a"].tolist()[:10] == [0] * 10
    check_table(t)


def test_table_pop_whose_record_init_moves_rows():
    class R(cc.Record):
        x: int

        def __init__(self, *args, **kwargs):
            if len(t) == 3:
                t.insert(0, {"x": 99})

    t = cc.Table(R, [{"x": 1}, {"x": 2}, {"x": 3}])
    with pytest.raises(RuntimeError, match="rows changed"):
        t.pop(1)
    assert [r.x for r in t] == [99, 1, 2, 3]      # nothing popped
    check_table(t)


# ---- 6-8: other containers -------------------------------------------------------------------


def test_strarray_remove_eq_shrinks_oob():
    for container in (cc.StringArray, cc.CategoricalArray):
        a = container(["a", "b", "c", "d"])
        calls = [0]

        class Shrinker:
            def __eq__(self, other):
                calls[0] += 1
                if calls[0] == 3:          # while comparing with a[2]
                    del a[0:3]             # a == ['d']
                    return True
                return False

        a.remove(Shrinker())
        assert list(a) == ["d"]            # list's outcome: the match went away, nothing removed
        a._debug_info()
    model = ["a", "b", "c", "d"]
    calls = [0]

    class ListShrinker:
        def __eq__(self, other):
            calls[0] += 1
            if calls[0] == 3:
                del model[0:3]
                return True
            return False

    model.remove(ListShrinker())
    assert model == ["d"]


@pytest.mark.parametrize("kind", ["int64", "str", "object"])
def test_strdict_reduce_ex_exposes_live_values(kind):
    value = {"int64": lambda i: i, "str": lambda i: "v%d" % i, "object": lambda i: [i]}[kind]
    d = cc.StrDict(kind, {"k%d" % i: value(i) for i in range(100)})
    for protocol in (2, 5):
        fn, args = d.__reduce_ex__(protocol)
        handed_out = args[3]
        if isinstance(handed_out, list):
            handed_out.clear()     # object values: a list of them, not the dict's own
        else:                      # the values' own pickle state: no container in it
            rebuild, state = handed_out
            assert not any(isinstance(x, (cc.Array, cc.StringArray)) for x in state)
            rebuild(*state).clear()
        assert len(d) == 100 and d["k99"] == value(99)
        assert list(d.items())[-1] == ("k99", value(99))
    assert pickle.loads(pickle.dumps(d, protocol=5)) == d


@pytest.mark.parametrize("mode", ["clear", "compact"])
def test_strdict_clear_while_pickle5_buffers_alive(mode):
    d = cc.StrDict("int64", {"key%05d" % i: i for i in range(1000)})
    bufs = []
    payload = pickle.dumps(d, protocol=5, buffer_callback=bufs.append)
    sizes = [len(b.raw()) for b in bufs]
    # the buffers are snapshots (copy-on-write): nothing is pinned, and the
    # dict's changes do not reach them
    if mode == "clear":
        d.clear()
        assert len(d) == 0
        d["other"] = 5
    else:
        for i in range(990):
            del d["key%05d" % i]
        assert len(d) == 10
    assert [len(b.raw()) for b in bufs] == sizes
    assert pickle.loads(payload, buffers=bufs) == {"key%05d" % i: i for i in range(1000)}
    del bufs
    gc.collect()
    d["new"] = 1                           # the export count came back to zero
    d._debug_info()
    d.clear()
    assert len(d) == 0


# ---- 9-12, 22, 23: exports -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["cat", "table"])
def test_arrow_export_category_set_none_abort(mode):
    """Was an abort; then a BufferError; now the export is a snapshot: the
    write copies the codes first and the consumer keeps its values."""
    if mode == "cat":
        c = cc.CategoricalArray(["a", "b", "a"], nullable=True)
        p = pa.array(c)
        c[0] = None
        c.codes[1] = 7                      # a stray code cannot reach the consumer either
        assert list(c.codes) == [-1, 7, 0]
        assert p.to_pylist() == ["a", "b", "a"]
        p.validate(full=True)
    else:
        t = cc.Table({"sym": "category?", "x": "int64"})
        t.extend([("a", 1), ("b", 2)])
        pt = t.to_arrow()
        t[0].sym = None
        t[1].sym = "new"
        assert t.to_dicts() == [{"sym": None, "x": 1}, {"sym": "new", "x": 2}]
        assert pt.to_pylist() == [{"sym": "a", "x": 1}, {"sym": "b", "x": 2}]
        pt.validate(full=True)


def test_arrow_export_null_write_not_mirrored():
    a = cc.Array("int64", [1, 2, 3], nullable=True)
    p = pa.array(a)
    b = cc.Array("int64", [None, 2, 3], nullable=True)
    q = pa.array(b)
    s = cc.StringArray(["", "x"], nullable=True)
    r = pa.array(s)
    a[0], b[0], s[0] = None, 7, None
    s[1] = "y"
    for consumer, expected in ((p, [1, 2, 3]), (q, [None, 2, 3]), (r, ["", "x"])):
        assert consumer.to_pylist() == expected
        consumer.validate(full=True)
    assert list(a) == [None, 2, 3] and list(b) == [7, 2, 3] and list(s) == [None, "y"]


def test_bool_array_noncanonical_byte_via_buffer():
    np = pytest.importorskip("numpy")
    a = cc.Array("bool", [True, False, True])
    np.asarray(a).view(np.uint8)[0] = 2     # NumPy's rule: any non-zero byte is True
    model = list(a)
    assert model == [True, False, True]
    assert a.count(True) == model.count(True) == 2
    assert a.count(False) == 1
    assert a.index(True) == 0 and True in a
    assert a == cc.Array("bool", [True, False, True])
    assert a == [True, False, True]
    n = cc.Array("bool", [True, None, False], nullable=True)
    np.asarray(n).view(np.uint8)[1] = 3     # a null slot's byte stays a null
    assert n.count(True) == 1 and n.count(None) == 1


@pytest.mark.parametrize("mode", ["cat", "table"])
def test_categorical_to_pandas_then_new_category(mode):
    pd = pytest.importorskip("pandas")
    if mode == "cat":
        c = cc.CategoricalArray(["a", "b", "a"])
        pc = c.to_pandas()
        c[0] = "zzz"                        # the Categorical is a snapshot
        assert list(c) == ["zzz", "b", "a"]
        assert list(pc) == ["a", "b", "a"]
        assert pd.Series(pc).value_counts().to_dict() == {"a": 2, "b": 1}
    else:
        t = cc.Table({"sym": "category", "px": "float64"})
        t.extend([("AAPL", 1.0), ("MSFT", 2.0), ("AAPL", 3.0)])
        df = t.to_pandas()
        t[0].sym = "GOOG"
        assert df["sym"].tolist() == ["AAPL", "MSFT", "AAPL"]
        assert repr(df)                     # pandas reads its codes (crashed here)


def test_export_then_sort_corrupts_consumer():
    t = cc.Table({"k": "int64", "s": "str"}, [(3, "ccc"), (1, "x"), (2, "bb"), (0, "a")])
    df = t.to_pandas()
    t.sort(by="k")
    assert t["s"].tolist() == ["a", "x", "bb", "ccc"]
    t.sort(key=lambda row: -row.k)
    assert t["k"].tolist() == [3, 2, 1, 0]
    assert df["s"].tolist() == ["ccc", "x", "bb", "a"]
    assert df["k"].tolist() == [3, 1, 2, 0]

    s = cc.StringArray(["ccc", "x", "bb", "a"])
    v = pa.array(s, type=pa.large_string())
    s.sort()
    s.reverse()
    s.sort(key=len)
    assert s.tolist() == ["x", "a", "bb", "ccc"]
    assert v.to_pylist() == ["ccc", "x", "bb", "a"]
    v.validate(full=True)

    a = cc.Array("int8", [3, None, 1, 2], nullable=True)
    w = pa.array(a, type=pa.int64())
    a.sort()
    a.reverse()
    a.sort(key=lambda x: -1 if x is None else x)
    assert a.tolist() == [None, 1, 2, 3]
    assert w.to_pylist() == [3, None, 1, 2]
    w.validate(full=True)


def test_buffer_view_empty_while_arrow_export_alive():
    """A read-only view of a buffer an Arrow snapshot shares is that
    snapshot (read-only, no copy); a writable request takes a private copy
    first, so the consumer never sees the write."""
    np = pytest.importorskip("numpy")
    a = cc.Array("int64", [1, 2, 3])
    p = pa.array(a)
    assert np.asarray(a).tolist() == [1, 2, 3]
    assert memoryview(a).shape == (3,)
    assert np.asarray(a).flags.writeable is False  # the consumer's values may not change
    assert memoryview(a).readonly
    assert io.BytesIO(bytes(24)).readinto(a) == 24  # asks for a writable buffer: a copy
    assert a.tolist() == [0, 0, 0]
    assert p.to_pylist() == [1, 2, 3]
    assert np.asarray(a).flags.writeable is True  # private again: an alias


# ---- 14-16, 20: imports and schemas ----------------------------------------------------------


def test_arrow_import_empty_string_view_and_zero_field_struct():
    empty = cc.from_arrow(pa.chunked_array([], type=pa.string_view()))
    assert isinstance(empty, cc.StringArray) and len(empty) == 0
    t = cc.Table.from_arrow(pa.table({"s": pa.array([], pa.string_view())}))
    assert t.columns == ["s"] and len(t) == 0
    assert len(cc.Table.from_arrow(pa.table({}))) == 0
    batch = pa.RecordBatch.from_struct_array(pa.array([{}, {}, {}], type=pa.struct([])))
    t = cc.Table.from_arrow(batch)
    assert t.columns == [] and len(t) == 3
    z = cc.Table({})
    z.extend([{}, {}, {}])
    assert pa.table(z).num_rows == 3
    assert len(cc.Table.from_arrow(pa.table(z))) == 3
    assert len(pickle.loads(pickle.dumps(z, protocol=5))) == 3


def test_record_dtype_marker_or_none_unsupported():
    class R(cc.Record):
        q: cc.int32 | None
        r: None | cc.float32

    assert [f[:2] for f in R.__compactcol_schema__.fields] == [("q", "int32?"), ("r", "float32?")]
    ns = {}
    exec("from __future__ import annotations\nimport compactcol as cc\n"
         "class S(cc.Record):\n    q: cc.int32 | None\n", ns)
    assert ns["S"].__compactcol_schema__.fields[0][:2] == ("q", "int32?")


@pytest.mark.parametrize("name", ["__class__", "__qualname__", "__dict__", "__eq__",
                                  "__setattr__", "__getattribute__", "__repr__",
                                  "__match_args__", "__compactcol_schema__", "__init__"])
def test_record_field_names_shadow_dunders(name):
    t = cc.Table({name: "int64", "other": "str"})
    t.append((1, "o"))
    row = t[0]
    assert row == row and "other=" in repr(row)
    row.other = "x"
    assert row.other == "x" and row[name] == 1 and row.as_dict() == {name: 1, "other": "x"}
    assert t[name].tolist() == [1]
    assert t.to_dicts() == [{name: 1, "other": "x"}]
    t2 = cc.Table.from_records([{name: 2, "x": 3}])
    assert t2.to_dicts() == [{name: 2, "x": 3}]


def test_arrow_dictionary_with_a_null_entry_imports():
    dictionary = pa.array(["a", None, "b"])
    arr = pa.DictionaryArray.from_arrays(pa.array([0, 2, 0], pa.int8()), dictionary)
    c = cc.from_arrow(arr)
    assert isinstance(c, cc.CategoricalArray) and list(c) == ["a", "b", "a"]
    arr = pa.DictionaryArray.from_arrays(pa.array([1, 0, None], pa.int8()), dictionary)
    c = cc.from_arrow(arr)               # an index at the null entry is a null
    assert list(c) == [None, "a", None] and c.nullable
    assert cc.Table.from_arrow(pa.table({"d": arr})).to_dicts()[0] == {"d": None}


# ---- 17-19, 21: dict and list semantics -------------------------------------------------------


def test_strdict_update_with_pairs_of_the_wrong_length():
    for bad in ([("a", 2, 3)], "BAD", [("a",)]):
        d = cc.StrDict("int64", {"k": 1})
        with pytest.raises(ValueError):
            d.update(bad)
        with pytest.raises(ValueError):
            dict().update(bad)
        with pytest.raises(ValueError):
            d |= bad
        assert dict(d) == {"k": 1}
    with pytest.raises(TypeError):
        cc.StrDict("int64").update([1])


def test_strdict_keyerror_keeps_a_tuple_key():
    d = cc.StrDict("object", {"a": 1})
    for call in (lambda: d[(1,)], lambda: d.pop((1,)), lambda: d.__delitem__((1,))):
        with pytest.raises(KeyError) as info:
            call()
        assert info.value.args == ((1,),)


def test_strdict_repr_of_itself():
    d = cc.StrDict("object")
    d["self"] = d
    model = {}
    model["self"] = model
    assert repr(d) == "StrDict('object', {'self': {...}})"
    assert repr(model) == "{'self': {...}}"


@pytest.mark.parametrize("make", [lambda: cc.Array("int64", [1, 2]),
                                  lambda: cc.StringArray(["a", "b"]),
                                  lambda: cc.CategoricalArray(["a", "b"]),
                                  lambda: cc.Table({"x": "int64"}, [(1,), (2,)]),
                                  lambda: [1, 2]])
@pytest.mark.parametrize("index", [2**70, -2**70, sys.maxsize + 1])
def test_insert_and_pop_with_an_index_beyond_ssize_t(make, index):
    a = make()
    value = a[0] if not isinstance(a, cc.Table) else {"x": 1}
    with pytest.raises(OverflowError):
        a.insert(index, value)
    with pytest.raises(OverflowError):
        a.pop(index)
    assert len(a) == 2


# ---- found by fuzzing (tests/fuzz/RESULTS.md; F1 and F3 are in test_arrow_import.py) ----------


def test_fuzz_F2_pickle_state_with_two_unencodable_strings():
    from compactcol import _pickle
    with pytest.raises(UnicodeEncodeError):      # was SystemError: a call with an error set
        _pickle.array_from_state("\ud800", False, False, "\udfff", 0, b"", None)


def test_column_errors_name_a_column_whose_name_has_no_utf8():
    t = cc.Table({"\udcff": "int64"}, [(2,), (1,)])
    view = memoryview(t["\udcff"])
    with pytest.raises(BufferError, match=r"column '\\udcff'"):
        t.append((3,))
    view.release()
    t.append((3,))
    assert t["\udcff"].tolist() == [2, 1, 3]


# ---- found by the reference-leak run (tests/refleak.py) -----------------------------------------


def test_refleak_R1_record_classes_do_not_leak_the_field_type():
    """_record_setup took one reference to the Field type per field too many."""
    import compactcol._record as record
    field_type = type(cc.Table({"a": "int64"}).record_class.__dict__["a"])
    gc.collect()
    before = sys.getrefcount(field_type)
    for i in range(200):
        cc.Table({f"x{i}": "int64", "y": "str", "z": "float64"})
    record._generated.clear()       # the generated classes' cache, then the classes
    gc.collect()
    assert sys.getrefcount(field_type) - before < 10   # was +600
