"""compactcol.StringArray's API against list and the decided semantics
(SPEC 2.2, 3): construction, list behaviour (indexing, slices, insert, pop,
index/count, sort by code point with None last, operators, comparisons),
repr, the `data`/`offsets` views and compaction, the vectorised string
operations, to_numpy, nbytes/getsizeof, pickling and copies, and
compactcol.array inference.  SA3 (NUL, 4-byte characters, '') round trips
are checked through every path here.  The bad inputs (SA1-SA7) are in
test_strarray_bad_inputs.py; the model machines in test_strarray_model.py.
"""

import collections.abc
import copy
import gc
import itertools
import operator
import pickle
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import compactcol
from compactcol import Array, StringArray

SA3 = ["a\x00b", "\x00", "", "\U0001F600", "x\U0001F600y", "é", "ß", "中文", "\U0010ffff",
       "\x00\x00\x00", "plain"]
TEXT = st.text(st.sampled_from(["a", "b", "é", "ß", "中", "\x00", "\U0001F600", "\x7f",
                                "\u0080", "\uffff"]), max_size=6)


class StrSub(str):
    pass


def enc(items):
    return b"".join(x.encode("utf-8") for x in items if x is not None)


def offs(items):
    return [0] + list(itertools.accumulate(
        0 if x is None else len(x.encode("utf-8")) for x in items))


def exact(items):
    return [(type(x), x) for x in items]


# ---- construction ----------------------------------------------------------------

@pytest.mark.parametrize("make", [list, tuple, iter, lambda xs: (x for x in xs),
                                  lambda xs: StringArray(xs), dict.fromkeys],
                         ids=["list", "tuple", "iter", "generator", "stringarray", "dict"])
def test_construct_from_any_iterable(make):
    a = StringArray(make(SA3))
    assert exact(a) == exact(SA3)
    assert len(a) == len(SA3) and not a.nullable and a.null_count == 0
    a._debug_info()


def test_construct_empty_and_nullable_flag():
    for a in (StringArray(), StringArray(()), StringArray([], nullable=True)):
        assert len(a) == 0 and a.tolist() == [] and list(a) == []
        a._debug_info()
    assert StringArray(nullable=True).nullable
    assert not StringArray().nullable
    n = StringArray(["a", None], nullable=True)
    assert n.tolist() == ["a", None] and n.null_count == 1
    with pytest.raises(TypeError):
        StringArray(["a"], True)            # nullable is keyword-only


def test_str_subclass_is_stored_as_exact_str():
    """SA2: a str subclass is stored and comes back as an exact str."""
    a = StringArray([StrSub("x")])
    a.append(StrSub("y"))
    a.insert(0, StrSub("w"))
    a.extend([StrSub("z")])
    a[1] = StrSub("X")
    a[2:3] = [StrSub("Y")]
    assert exact(a) == exact(["w", "X", "Y", "z"])
    assert all(type(x) is str for x in a.tolist())
    assert type(a.pop()) is str


def test_is_a_mutable_sequence_and_unhashable():
    a = StringArray(["a"])
    assert isinstance(a, collections.abc.MutableSequence)
    assert isinstance(a, collections.abc.Sequence)
    with pytest.raises(TypeError):
        hash(a)
    assert StringArray[str] is not None      # __class_getitem__


# ---- SA3 round trips ----------------------------------------------------------------

def test_SA3_round_trip_everywhere():
    """SA3: embedded NUL, 4-byte characters and '' round-trip exactly through
    store, get, slices, sort, pickle, copies, views and to_numpy."""
    a = StringArray(SA3)
    assert a.tolist() == SA3 and list(a) == SA3
    assert [a[i] for i in range(len(SA3))] == SA3
    assert [a[i] for i in range(-len(SA3), 0)] == SA3
    assert a[::-1].tolist() == SA3[::-1] and a[1::3].tolist() == SA3[1::3]
    assert list(reversed(a)) == SA3[::-1]
    s = a.copy()
    s.sort()
    assert s.tolist() == sorted(SA3)
    s.sort(reverse=True)
    assert s.tolist() == sorted(SA3, reverse=True)
    for p in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(a, protocol=p)).tolist() == SA3
    assert copy.deepcopy(a).tolist() == SA3
    with a.data as d, a.offsets as o:
        assert d.tobytes() == enc(SA3)
        assert o.tolist() == offs(SA3)
    for x in SA3:
        assert x in a and a.count(x) == SA3.count(x) and a.index(x) == SA3.index(x)
    b = StringArray()
    for x in SA3:
        b.append(x)
    assert b == SA3
    c = StringArray(["?"] * len(SA3))
    for i, x in enumerate(SA3):
        c[i] = x
    assert c == SA3
    assert a.lengths().tolist() == [len(x) for x in SA3]


def test_SA3_nul_is_not_a_terminator():
    a = StringArray(["a\x00b", "a"])
    assert a[0] == "a\x00b" and len(a[0]) == 3
    assert a.count("a") == 1 and a.index("a") == 1
    assert a.equals("a").tolist() == [False, True]
    assert a.startswith("a\x00").tolist() == [True, False]
    assert a.contains("\x00b").tolist() == [True, False]
    s = StringArray(["a\x00", "a", "a\x00\x00", ""])
    s.sort()
    assert s == ["", "a", "a\x00", "a\x00\x00"]


def test_SA3_sort_is_by_code_point():
    values = ["b", "a", "B", "é", "z", "\U0001F600", "\uffff", "中", "ab", "a\x00", "",
              "\U00010000", "\ufb01"]
    a = StringArray(values)
    a.sort()
    assert a.tolist() == sorted(values)
    # code point order = UTF-8 byte order, not UTF-16 order
    assert a.index("\uffff") < a.index("\U00010000")
    a.sort(reverse=True)
    assert a.tolist() == sorted(values, reverse=True)


# ---- list semantics -------------------------------------------------------------------

def test_indexing_negative_and_out_of_range():
    a = StringArray(["a", "b", "c"])
    assert (a[0], a[-1], a[-3]) == ("a", "c", "a")
    for i in (3, -4, 2**63, -2**63 - 1, 2**100):
        with pytest.raises(IndexError):
            a[i]
        with pytest.raises(IndexError):
            a[i] = "x"
        with pytest.raises(IndexError):
            del a[i]
        with pytest.raises(IndexError if -2**63 <= i < 2**63 else OverflowError):  # as list.pop
            a.pop(i)
    with pytest.raises(TypeError):
        a["0"]
    with pytest.raises(TypeError):
        a[1.0]
    assert a == ["a", "b", "c"]


def test_index_objects_with___index__():
    class I:
        def __index__(self):
            return 1
    a = StringArray(["a", "b", "c"])
    assert a[I()] == "b"
    a[I()] = "B"
    assert a.pop(I()) == "B"
    assert a == ["a", "c"]


@pytest.mark.parametrize("s", [slice(None), slice(1, None), slice(None, -1), slice(None, None, 2),
                               slice(None, None, -1), slice(5, 1, -2), slice(-100, 100),
                               slice(2**100, None), slice(None, None, -(2**63 - 1)),
                               slice(1, 1), slice(3, 0)], ids=str)
def test_slices_like_list(s):
    base = ["a", "é", "", "\U0001F600", "xy", "中文", "q"]
    a = StringArray(base)
    piece = a[s]
    assert type(piece) is StringArray and piece.tolist() == base[s]
    piece._debug_info()
    # slice is a copy
    if len(piece):
        piece[0] = "changed"
        assert a.tolist() == base
    # deletion
    model = list(base)
    del model[s]
    b = StringArray(base)
    del b[s]
    assert b.tolist() == model
    b._debug_info()
    # same-size assignment
    n = len(base[s])
    model = list(base)
    model[s] = ["#" * i for i in range(n)]
    c = StringArray(base)
    c[s] = ["#" * i for i in range(n)]
    assert c.tolist() == model
    c._debug_info()


def test_slice_assignment_of_a_different_length():
    a = StringArray(["a", "b", "c", "d"])
    a[1:3] = ["x", "yy", "zzz", "é"]
    assert a == ["a", "x", "yy", "zzz", "é", "d"]
    a[1:5] = []
    assert a == ["a", "d"]
    a[1:1] = iter(["m", "n"])
    assert a == ["a", "m", "n", "d"]
    a[10:] = ("end",)
    assert a == ["a", "m", "n", "d", "end"]
    a[:0] = StringArray(["start"])
    assert a == ["start", "a", "m", "n", "d", "end"]


def test_extended_slice_size_mismatch_is_valueerror():
    a = StringArray(["a", "b", "c", "d"])
    for s, vals in ((slice(None, None, 2), ["x"]), (slice(None, None, 2), ["x", "y", "z"]),
                    (slice(None, None, -1), []), (slice(1, None, 2), ["1", "2", "3"])):
        with pytest.raises(ValueError):
            a[s] = vals
        assert a == ["a", "b", "c", "d"]
    a[::2] = ["x", "y"]
    assert a == ["x", "b", "y", "d"]
    a[::-1] = ["1", "2", "3", "4"]
    assert a == ["4", "3", "2", "1"]
    with pytest.raises(ValueError):
        a[::0]
    with pytest.raises(ValueError):
        a[::0] = []
    with pytest.raises(ValueError):
        del a[::0]


def test_slice_assignment_needs_an_iterable():
    a = StringArray(["a"])
    with pytest.raises(TypeError):
        a[:] = 5
    with pytest.raises(TypeError):
        a[:] = None
    assert a == ["a"]


def test_a_str_as_the_iterable_of_values():
    """A str handed where an iterable of str is expected: the contract does
    not pin this.  Accepted: list's answer (the characters), or a TypeError
    that says a str was given -- with the array unchanged."""
    for op, model_op in ((lambda a: a.__setitem__(slice(None), "xy"),
                          lambda m: m.__setitem__(slice(None), "xy")),
                         (lambda a: a.extend("é中"), lambda m: m.extend("é中")),
                         (lambda a: a.__iadd__("ab"), lambda m: m.__iadd__("ab"))):
        a = StringArray(["a"])
        model = ["a"]
        model_op(model)
        try:
            op(a)
        except TypeError as e:
            assert "str" in str(e)
            assert a == ["a"]
        else:
            assert a.tolist() == model


def test_insert_is_clamped_like_list():
    a = StringArray(["b"])
    a.insert(-100, "a")
    a.insert(100, "d")
    a.insert(-1, "c")
    a.insert(2**62, "e")
    a.insert(-2**62, "0")
    assert a == ["0", "a", "b", "c", "d", "e"]
    with pytest.raises(OverflowError):    # past Py_ssize_t, as list.insert
        a.insert(2**100, "x")
    assert len(a) == 6


def test_pop_errors_and_values():
    a = StringArray(["a", "b", "c"])
    assert a.pop() == "c" and a.pop(0) == "a" and a.pop(-1) == "b"
    with pytest.raises(IndexError):
        a.pop()
    with pytest.raises(IndexError):
        a.pop(0)
    n = StringArray([None, "x"], nullable=True)
    assert n.pop(0) is None and n.null_count == 0


def test_remove_index_count():
    a = StringArray(["a", "b", "a", "c", "a"])
    assert a.count("a") == 3 and a.count("z") == 0
    assert a.index("a") == 0 and a.index("a", 1) == 2 and a.index("a", 3, 5) == 4
    assert a.index("a", -3) == 2 and a.index("c", -100, 100) == 3
    with pytest.raises(ValueError):
        a.index("a", 3, 4)
    with pytest.raises(ValueError):
        a.index("z")
    a.remove("a")
    assert a == ["b", "a", "c", "a"]
    with pytest.raises(ValueError):
        a.remove("z")
    # non-str needles are simply absent (as in a list of str)
    for x in (1, b"a", None, 1.5, ["a"], "\ud800"):
        assert x not in a and a.count(x) == 0
        with pytest.raises(ValueError):
            a.index(x)
        with pytest.raises(ValueError):
            a.remove(x)
    assert a == ["b", "a", "c", "a"]


def test_none_in_nullable_search():
    a = StringArray(["a", None, "", None], nullable=True)
    assert None in a and a.count(None) == 2 and a.index(None) == 1
    assert a.index(None, 2) == 3 and a.count("") == 1 and a.index("") == 2
    a.remove(None)
    assert a == ["a", "", None]
    assert None not in StringArray(["a"])


def test_sort_none_last_in_both_directions_and_stable_with_key():
    a = StringArray(["b", None, "a", None, "c"], nullable=True)
    a.sort()
    assert a == ["a", "b", "c", None, None]
    a.sort(reverse=True)
    assert a == ["c", "b", "a", None, None]
    words = ["bb", "a", "ccc", "dd", "e", "fff", "", "é"]
    b = StringArray(words)
    b.sort(key=len)
    assert b.tolist() == sorted(words, key=len)
    b = StringArray(words)
    b.sort(key=len, reverse=True)
    assert b.tolist() == sorted(words, key=len, reverse=True)
    c = StringArray(["x", None, "yy"], nullable=True)
    c.sort(key=lambda s: -1 if s is None else len(s))
    assert c == [None, "x", "yy"]
    with pytest.raises(TypeError):
        StringArray(["a"]).sort(len)         # key is keyword-only


def test_sort_key_errors_leave_the_array_unchanged():
    a = StringArray(["b", "a", "c"])

    def bad(x):
        if x == "c":
            raise KeyError(x)
        return x
    with pytest.raises(KeyError):
        a.sort(key=bad)
    assert a == ["b", "a", "c"]
    with pytest.raises(TypeError):          # keys that do not compare
        a.sort(key=lambda x: 1 if x == "a" else "s")
    assert a == ["b", "a", "c"]


def test_reverse_clear_copy():
    a = StringArray(["a", "é", "\U0001F600"])
    a.reverse()
    assert a == ["\U0001F600", "é", "a"]
    c = a.copy()
    assert type(c) is StringArray and c == a and c is not a
    c.append("x")
    assert len(a) == 3
    a.clear()
    assert a == [] and len(a) == 0
    a.append("again")
    assert a == ["again"]


def test_operators():
    a = StringArray(["a", "b"])
    r = a + ["c"]
    assert type(r) is StringArray and r == ["a", "b", "c"] and a == ["a", "b"]
    r = a + StringArray(["é"])
    assert r == ["a", "b", "é"]
    assert a * 2 == ["a", "b", "a", "b"] and 2 * a == a * 2
    assert a * 0 == [] and a * -3 == []
    b = a
    b += ("c",)
    assert b is a and a == ["a", "b", "c"]
    b *= 2
    assert b is a and a == ["a", "b", "c"] * 2
    a *= 0
    assert a == []
    with pytest.raises(TypeError):
        a * 1.5
    with pytest.raises(TypeError):
        a + 5
    n = StringArray([None], nullable=True) + ["x"]
    assert n.nullable and n == [None, "x"]


def test_add_keeps_the_left_operands_nullability():
    with pytest.raises(TypeError):
        StringArray(["a"]) + [None]
    r = StringArray(["a"]) + StringArray(["b"], nullable=True)
    assert not r.nullable and r == ["a", "b"]


@given(st.lists(st.one_of(TEXT, st.sampled_from(["a", "b", ""])), max_size=5),
       st.lists(st.one_of(TEXT, st.sampled_from(["a", "b", ""])), max_size=5),
       st.sampled_from(["list", "tuple", "stringarray"]))
def test_comparisons_like_list(xs, ys, kind):
    a = StringArray(xs)
    other = {"list": ys, "tuple": tuple(ys), "stringarray": StringArray(ys)}[kind]
    for op in (operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge):
        assert op(a, other) is op(xs, ys), (op, xs, ys)
        if kind != "tuple":
            assert op(other, a) is op(ys, xs), ("reflected", op)


def test_comparisons_against_non_sequences():
    a = StringArray(["a", "b"])
    assert a == ["a", "b"] and a == ("a", "b") and StringArray(["a"]) == ("a",)
    assert not (a == "ab") and a != "ab" and a != b"ab" and a != 5 and a != None  # noqa: E711
    assert not (StringArray(["a"]) == "a")
    for other in ("ab", 5, None):
        with pytest.raises(TypeError):
            a < other
    with pytest.raises(TypeError):
        StringArray(["a", None], nullable=True) < ["a", "b"]


def test_iteration_and_reversed():
    values = ["a", "é", "", "中"]
    a = StringArray(values)
    it = iter(a)
    assert next(it) == "a"
    assert list(it) == values[1:]
    assert list(reversed(a)) == values[::-1]
    assert "é" in a and "e" not in a and "" in a


# ---- repr -------------------------------------------------------------------------------

def test_repr_short():
    assert repr(StringArray(["a", "b"])) == "StringArray(['a', 'b'])"
    assert repr(StringArray(["a", None], nullable=True)) == \
        "StringArray(['a', None], nullable=True)"
    assert repr(StringArray()) == "StringArray([])"
    assert repr(StringArray(["it's", "\x00", "é"])) == "StringArray(" + repr(["it's", "\x00", "é"]) + ")"
    assert str(StringArray(["a"])) == repr(StringArray(["a"]))


def test_repr_long_is_truncated():
    values = [f"s{i}" for i in range(1001)]
    r = repr(StringArray(values))
    assert r == "StringArray(['s0', 's1', 's2', ..., 's998', 's999', 's1000'], length=1001)"
    assert repr(StringArray(values[:1000])) == f"StringArray({values[:1000]!r})"
    n = StringArray(values + [None], nullable=True)
    r = repr(n)
    assert r.startswith("StringArray(['s0', 's1', 's2', ..., 's999', 's1000', None]")
    assert "length=1002" in r and "nullable=True" in r


# ---- data / offsets views -------------------------------------------------------------------

def test_views_formats_and_contents():
    values = ["a", "é", "", "中文", "\U0001F600", "a\x00"]
    a = StringArray(values)
    d, o = a.data, a.offsets
    assert isinstance(d, memoryview) and isinstance(o, memoryview)
    assert d.readonly and o.readonly
    assert d.format == "B" and d.itemsize == 1 and d.ndim == 1
    assert o.format == "i" and o.itemsize == 4 and o.ndim == 1 and a.large is False
    assert d.tobytes() == enc(values)
    assert len(o) == len(a) + 1 and o[0] == 0 and o[-1] == len(d)
    assert o.tolist() == offs(values)
    with pytest.raises(TypeError):
        d[0] = 1
    with pytest.raises(TypeError):
        o[0] = 1
    d.release()
    o.release()
    assert a._debug_info()["exports"] == 0


def test_views_of_empty_and_nullable_arrays():
    e = StringArray()
    with e.data as d, e.offsets as o:
        assert d.tobytes() == b"" and o.tolist() == [0]
    n = StringArray([None, "ab", None, "", "c"], nullable=True)
    with n.data as d, n.offsets as o:
        assert d.tobytes() == b"abc"
        assert o.tolist() == [0, 0, 2, 2, 2, 3]


def test_views_compact_the_layout_once_and_share():
    a = StringArray([str(i) for i in range(100)])
    for i in range(0, 100, 3):
        a[i] = "longer value " * (i % 4)
    model = a.tolist()
    with a.data as d1:
        assert a._debug_info()["compact"] is True
        assert d1.tobytes() == enc(model)
        with a.data as d2:
            # the same bytes, shared (no second copy)
            assert d2.tobytes() == d1.tobytes()
            with memoryview(d1) as m:
                assert m.obj is d1.obj or m.tobytes() == d1.tobytes()
    assert a == model


def test_view_outlives_the_array():
    a = StringArray(["abc", "é"])
    d, o = a.data, a.offsets
    del a
    gc.collect()
    assert d.tobytes() == "abcé".encode() and o.tolist() == [0, 3, 5]
    d.release()
    o.release()


def test_same_byte_length_assignment_visible_through_the_views():
    """SA7 (allowed half): an assignment keeping every slot's byte length."""
    a = StringArray(["ab", "é", "\U0001F600"])
    with a.data as d, a.offsets as o:
        a[0] = "xy"
        a[1] = "ñ"
        a[2] = "中a"
        a[0:2] = ["zz", "\x00\x00"]
        assert d.tobytes() == enc(["zz", "\x00\x00", "中a"])
        assert o.tolist() == [0, 2, 4, 8]
        assert a._debug_info()["exports"] >= 1
    assert a._debug_info()["exports"] == 0
    a.append("free again")
    assert a == ["zz", "\x00\x00", "中a", "free again"]


# ---- vectorised string operations ----------------------------------------------------------

@given(st.lists(TEXT, max_size=12), TEXT)
def test_string_ops_match_python(values, p):
    a = StringArray(values)
    lengths = a.lengths()
    assert type(lengths) is Array and lengths.dtype == "int64" and not lengths.nullable
    assert lengths.tolist() == [len(x) for x in values]
    for name, fn in (("startswith", lambda x: x.startswith(p)),
                     ("contains", lambda x: p in x),
                     ("equals", lambda x: x == p)):
        r = getattr(a, name)(p)
        assert type(r) is Array and r.dtype == "bool" and not r.nullable, name
        assert r.tolist() == [fn(x) for x in values], (name, p)


@given(st.lists(st.one_of(st.none(), TEXT), max_size=12), TEXT)
def test_string_ops_nullable_give_none_for_none(values, p):
    a = StringArray(values, nullable=True)
    assert a.lengths().nullable
    assert a.lengths().tolist() == [None if x is None else len(x) for x in values]
    for name, fn in (("startswith", lambda x: x.startswith(p)),
                     ("contains", lambda x: p in x),
                     ("equals", lambda x: x == p)):
        r = getattr(a, name)(p)
        assert r.dtype == "bool" and r.nullable
        assert r.tolist() == [None if x is None else fn(x) for x in values], name


def test_string_ops_edge_cases():
    a = StringArray(["", "a", "ab", "\U0001F600x", "x\U0001F600"])
    assert a.startswith("").tolist() == [True] * 5
    assert a.contains("").tolist() == [True] * 5
    assert a.equals("").tolist() == [True, False, False, False, False]
    assert a.contains("\U0001F600").tolist() == [False, False, False, True, True]
    assert a.startswith("\U0001F600").tolist() == [False, False, False, True, False]
    # a prefix of the UTF-8 bytes of a character is not a prefix of the string
    b = StringArray(["é", "e"])
    assert b.startswith("e").tolist() == [False, True]
    assert b.contains("e").tolist() == [False, True]
    assert a.lengths().tolist() == [0, 1, 2, 2, 2]
    e = StringArray()
    assert e.lengths().tolist() == [] and e.equals("a").tolist() == []


@pytest.mark.parametrize("bad", [b"a", 1, None, ["a"], StrSub("a")])
def test_string_ops_argument_type(bad):
    a = StringArray(["a", "b"])
    for name in ("startswith", "contains", "equals"):
        if isinstance(bad, str):          # a subclass is a str
            assert getattr(a, name)(bad).tolist() == [True, False]
            continue
        with pytest.raises(TypeError):
            getattr(a, name)(bad)
    with pytest.raises(TypeError):
        a.lengths("x")
    assert a == ["a", "b"]


def test_string_ops_results_are_independent_and_after_edits():
    a = StringArray(["aa", "b"])
    a[0] = "ccc"
    a.append("dddd")
    r = a.lengths()
    assert r == [3, 1, 4]
    a[0] = "x"
    assert r == [3, 1, 4]
    r.append(9)
    assert len(a) == 3


# ---- NumPy ------------------------------------------------------------------------------------

def test_to_numpy_stringdtype():
    np = pytest.importorskip("numpy")
    if not hasattr(np, "dtypes") or not hasattr(np.dtypes, "StringDType"):
        pytest.skip("NumPy without StringDType")
    values = ["a", "é", "", "\U0001F600", "a\x00b", "中文"]
    r = StringArray(values).to_numpy()
    assert isinstance(r, np.ndarray) and r.shape == (len(values),)
    assert r.dtype == np.dtypes.StringDType()
    assert r.tolist() == values
    n = StringArray(["a", None, "b"], nullable=True).to_numpy()
    assert n.dtype == np.dtypes.StringDType(na_object=None)
    assert n[0] == "a" and n[1] is None and n[2] == "b"
    e = StringArray().to_numpy()
    assert e.shape == (0,) and isinstance(e.dtype, np.dtypes.StringDType)


def test_to_numpy_result_is_independent():
    np = pytest.importorskip("numpy")
    if not hasattr(np, "dtypes") or not hasattr(np.dtypes, "StringDType"):
        pytest.skip("NumPy without StringDType")
    a = StringArray(["a", "b"])
    r = a.to_numpy()
    r[0] = "changed"
    assert a == ["a", "b"]
    a[1] = "also"
    assert r.tolist() == ["changed", "b"]
    assert a._debug_info()["exports"] == 0


# ---- memory ----------------------------------------------------------------------------------

def test_nbytes_formula():
    assert StringArray().nbytes == 4
    assert StringArray(["ab", "é"]).nbytes == 4 + 3 * 4
    assert StringArray(["ab", None], nullable=True).nbytes == 2 + 3 * 4 + 1
    assert StringArray([None] * 9, nullable=True).nbytes == 10 * 4 + 2
    a = StringArray(["x" * 10] * 10)
    a[0] = "y"                     # dead bytes of the old value are not counted
    assert a.nbytes == 91 + 11 * 4
    del a[5:]
    assert a.nbytes == 41 + 6 * 4


def test_getsizeof_counts_the_buffers():
    a = StringArray()
    empty = sys.getsizeof(a)
    assert empty >= a.nbytes
    prev = empty
    for n in (10, 1000, 100_000):
        a.extend(["abcdefgh"] * (n - len(a)))
        size = sys.getsizeof(a)
        assert size >= a.nbytes
        assert size > prev
        prev = size
    assert sys.getsizeof(a) >= 100_000 * 8 + 100_001 * 4
    n = StringArray(["abc"] * 1000, nullable=True)
    assert sys.getsizeof(n) >= n.nbytes


def test_tracemalloc_sees_the_buffers():
    import tracemalloc
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        a = StringArray(["0123456789"] * 100_000)
        after, _ = tracemalloc.get_traced_memory()
        assert after - before >= 10 * 100_000
        del a
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
        assert end - before < 10**5
    finally:
        tracemalloc.stop()


# ---- pickle and copies ------------------------------------------------------------------------

EXAMPLES = {
    "empty": StringArray(),
    "empty-nullable": StringArray(nullable=True),
    "sa3": StringArray(SA3),
    "nullable": StringArray(["a", None, "", None, "é"] * 3, nullable=True),
    "all-null": StringArray([None] * 9, nullable=True),
    "edited": None,
    "sliced": StringArray([str(i) for i in range(500)])[3:400:7],
    "big": StringArray(["value-%d" % i for i in range(20_000)]),
}


def _edited():
    a = StringArray(["short", "x" * 50, "é"] * 20)
    for i in range(0, 60, 2):
        a[i] = "changed-" * (i % 3)
    return a


EXAMPLES["edited"] = _edited()


def same(a, b):
    assert type(b) is StringArray
    assert exact(b) == exact(a)
    assert b.nullable == a.nullable and b.null_count == a.null_count
    info = b._debug_info()
    assert info["exports"] == 0


@pytest.mark.parametrize("protocol", range(0, pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_pickle_round_trip_in_band(name, protocol):
    a = EXAMPLES[name]
    b = pickle.loads(pickle.dumps(a, protocol=protocol))
    same(a, b)
    assert a._debug_info()["exports"] == 0, "pickling left an export behind"
    b.append(None if b.nullable else "more")
    assert len(b) == len(a) + 1


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_pickle_out_of_band(name):
    a = EXAMPLES[name]
    buffers = []
    data = pickle.dumps(a, protocol=5, buffer_callback=buffers.append)
    assert len(buffers) >= 2          # at least the data and the offsets
    raws = [bytes(b.raw()) for b in buffers]
    assert enc(a.tolist()) in raws, "the UTF-8 data did not go out of band"
    if len(enc(a.tolist())) > 64:
        assert enc(a.tolist()) not in data
    b = pickle.loads(data, buffers=buffers)
    same(a, b)
    for buf in buffers:
        buf.release()
    assert a._debug_info()["exports"] == 0
    b2 = pickle.loads(data, buffers=[bytearray(r) for r in raws])
    same(a, b2)


def test_pickle_out_of_band_result_does_not_alias_the_buffers():
    a = StringArray(["abc", "déf"])
    buffers = []
    data = pickle.dumps(a, protocol=5, buffer_callback=buffers.append)
    srcs = [bytearray(bytes(b.raw())) for b in buffers]
    for b in buffers:
        b.release()
    b = pickle.loads(data, buffers=srcs)
    for s in srcs:
        s[:] = b"\xff" * len(s)
    assert b == ["abc", "déf"]
    b[0] = "longer than before"
    b._debug_info()


def test_pickle_shared_references():
    a = StringArray(["x", "y"])
    for protocol in (2, 5):
        r = pickle.loads(pickle.dumps({"p": a, "q": [a, a]}, protocol=protocol))
        assert r["p"] is r["q"][0] is r["q"][1]
        same(a, r["p"])


def test_copy_module():
    for name, a in EXAMPLES.items():
        for c in (copy.copy(a), copy.deepcopy(a), a.copy(), a[:]):
            same(a, c)
            assert c is not a


def test_reduce_uses_the_stable_reconstructor():
    from compactcol._pickle import strarray_from_state
    a = StringArray(["a", None], nullable=True)
    for protocol in (2, 5):
        fn, args = a.__reduce_ex__(protocol)[:2]
        assert fn is strarray_from_state
        for x in args:
            if isinstance(x, pickle.PickleBuffer):
                x.release()
    assert a._debug_info()["exports"] == 0


# ---- compactcol.array --------------------------------------------------------------------------

def test_array_infers_stringarray():
    a = compactcol.array(["a", "b"])
    assert type(a) is StringArray and not a.nullable and a == ["a", "b"]
    n = compactcol.array(["a", None])
    assert type(n) is StringArray and n.nullable and n == ["a", None]
    n2 = compactcol.array([None, "a"])
    assert type(n2) is StringArray and n2.nullable
    s = compactcol.array(StringArray(["x"]))
    assert type(s) is StringArray and s == ["x"]
    with pytest.raises(TypeError):
        compactcol.array(["a", 1])
    with pytest.raises(TypeError):
        compactcol.array(["a", b"b"])
