"""compactcol.BinaryArray (issue 15, bytes): StringArray's engine without the
UTF-8 rules.

A hypothesis state machine interleaves every mutating method against a
`list` model (X3); bad inputs name their BAD_INPUTS.md row (SA2, SA4-SA7,
PK1-PK4, AR3, AR5); pickles at protocols 2-5 (out of band at 5); Arrow round
trips against pyarrow for binary, large_binary and binary_view; sort against
`sorted(list)`.
"""

import array
import copy
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import compactcol
from compactcol import BinaryArray, StringArray

pa = pytest.importorskip("pyarrow")


# ---- values ---------------------------------------------------------------------------

SPECIAL = [b"", b"a", b"ab", b"\x00", b"a\x00", b"\xff", b"\xff\xfe", b"\xc3\xa9", b"\xed\xa0\x80",
           b"\x80", b"zz", bytes(range(256))]
BYTES = st.one_of(st.sampled_from(SPECIAL), st.binary(max_size=8))
# every bytes-like input form: stored as its raw bytes
LIKE = st.one_of(BYTES, BYTES.map(bytearray), BYTES.map(memoryview))
BAD = st.sampled_from(["abc", "", 1, 1.5, [b"a"], object(), array.array("i", [1]).tolist()])


class ModelError(Exception):
    pass


def convert(nullable, v):
    """What a BinaryArray stores for v, or ModelError (TypeError expected)."""
    if v is None:
        if nullable:
            return None
        raise ModelError
    if isinstance(v, str) or not hasattr(v, "__buffer__") and not isinstance(
            v, (bytes, bytearray, memoryview)):
        raise ModelError
    return bytes(v)


def snap(a):
    info = a._debug_info()  # also checks the invariants
    return ([(type(x).__name__, x) for x in a], len(a), a.null_count, a.nullable, info)


def assert_unchanged(a, before):
    assert snap(a) == before, "a failed operation changed the array"


# ---- the machine ------------------------------------------------------------------------


class BinaryMachine(RuleBasedStateMachine):
    NULLABLE = False

    def __init__(self):
        super().__init__()
        self.a = BinaryArray(nullable=self.NULLABLE)
        self.model = []

    def values(self):
        good = st.one_of(LIKE, st.none()) if self.NULLABLE else LIKE
        return st.one_of(good, good, good, BAD if self.NULLABLE else st.one_of(BAD, st.none()))

    def apply(self, op, args=(), bulk=None):
        """Runs op(array, *args) and op(model, *converted args); `bulk` (a list
        of values) is passed last, converted item by item.  On a bad value
        the array must raise TypeError (or the IndexError that list raises
        for the position) and stay exactly as it was."""
        before = snap(self.a)
        try:
            conv = [convert(self.NULLABLE, v) for v in args]
            if bulk is not None:
                conv.append([convert(self.NULLABLE, v) for v in bulk])
        except ModelError:
            with pytest.raises((TypeError, IndexError)):
                op(self.a, *args, *([] if bulk is None else [bulk]))
            assert_unchanged(self.a, before)
            return
        m = list(self.model)
        try:
            want = op(m, *conv)
        except (IndexError, ValueError) as e:
            with pytest.raises(type(e)):
                op(self.a, *args, *([] if bulk is None else [bulk]))
            assert_unchanged(self.a, before)
            return
        got = op(self.a, *args, *([] if bulk is None else [bulk]))
        self.model = m
        if want is not None:
            assert got == want and type(got) is type(want)

    @rule(data=st.data())
    def append(self, data):
        self.apply(lambda s, v: s.append(v), [data.draw(self.values())])

    @rule(data=st.data(), kind=st.sampled_from(["list", "tuple", "gen", "binarray"]))
    def extend(self, data, kind):
        vals = data.draw(st.lists(self.values(), max_size=5))

        def op(s, vs):
            src = {"list": list, "tuple": tuple, "gen": lambda x: (y for y in x),
                   "binarray": lambda x: x}[kind](vs)
            if kind == "binarray" and isinstance(s, BinaryArray):
                src = BinaryArray(vs, nullable=self.NULLABLE)  # converted already: valid
            s.extend(src)
        if kind == "binarray":
            try:
                vals = [convert(self.NULLABLE, v) for v in vals]
            except ModelError:
                return
        self.apply(op, bulk=vals)

    @rule(data=st.data(), i=st.integers(-8, 8))
    def insert(self, data, i):
        self.apply(lambda s, v: s.insert(i, v), [data.draw(self.values())])

    @rule(data=st.data(), i=st.integers(-8, 8))
    def setitem(self, data, i):
        self.apply(lambda s, v: s.__setitem__(i, v), [data.draw(self.values())])

    @rule(data=st.data(), lo=st.integers(-6, 6), hi=st.integers(-6, 6))
    def set_slice(self, data, lo, hi):
        vals = data.draw(st.lists(self.values(), max_size=4))
        self.apply(lambda s, vs: s.__setitem__(slice(lo, hi), vs), bulk=vals)

    @rule(data=st.data(), step=st.sampled_from([2, -1, -2, 3]))
    def set_extended_slice(self, data, step):
        n = len(range(*slice(None, None, step).indices(len(self.model))))
        vals = data.draw(st.lists(self.values(), min_size=n, max_size=n))
        self.apply(lambda s, vs: s.__setitem__(slice(None, None, step), vs), bulk=vals)

    @rule(lo=st.integers(-6, 6), hi=st.integers(-6, 6), step=st.sampled_from([1, 2, -1]))
    def delete_slice(self, lo, hi, step):
        self.apply(lambda s: s.__delitem__(slice(lo, hi, step)))

    @rule(i=st.integers(-8, 8))
    def delitem(self, i):
        self.apply(lambda s: s.__delitem__(i))

    @rule(i=st.integers(-8, 8))
    def pop(self, i):
        self.apply(lambda s: s.pop(i))

    @rule(data=st.data())
    def remove(self, data):
        v = data.draw(st.one_of(st.sampled_from(self.model or [b"x"]), BYTES))
        if v is None and not self.NULLABLE:
            return
        self.apply(lambda s, x: s.remove(x), [v])

    @rule()
    def clear(self):
        self.apply(lambda s: s.clear())

    @rule()
    def reverse(self):
        self.apply(lambda s: s.reverse())

    @rule(rev=st.booleans())
    def sort(self, rev):
        if None in self.model:
            before = [x for x in self.model if x is not None]
            nones = len(self.model) - len(before)
            self.a.sort(reverse=rev)
            self.model = sorted(before, reverse=rev) + [None] * nones
        else:
            self.apply(lambda s: s.sort(reverse=rev))

    @rule()
    def sort_by_key(self):
        if None not in self.model:
            self.apply(lambda s: s.sort(key=len))

    @rule(data=st.data())
    def iadd(self, data):
        vals = data.draw(st.lists(self.values(), max_size=4))

        def op(s, vs):
            s += vs
        self.apply(op, bulk=vals)

    @rule(n=st.integers(-1, 3))
    def imul(self, n):
        if len(self.model) * max(n, 0) > 200:
            return

        def op(s):
            s *= n
        self.apply(op)

    @rule()
    def copy_is_independent(self):
        c = self.a.copy()
        c.append(b"extra")
        assert self.a.tolist() == self.model

    @invariant()
    def agrees(self):
        assert self.a.tolist() == self.model
        assert all(type(x) is bytes for x in self.a if x is not None)
        self.a._debug_info()


class NullableBinaryMachine(BinaryMachine):
    NULLABLE = True


TestBinaryMachine = BinaryMachine.TestCase
TestBinaryMachine.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestNullableBinaryMachine = NullableBinaryMachine.TestCase
TestNullableBinaryMachine.settings = settings(max_examples=60, stateful_step_count=30,
                                              deadline=None)


# ---- basics ---------------------------------------------------------------------------


def test_not_a_stringarray_and_a_mutable_sequence():
    b = BinaryArray([b"a"])
    assert not isinstance(b, StringArray)
    assert not isinstance(StringArray(["a"]), BinaryArray)
    from collections.abc import MutableSequence
    assert isinstance(b, MutableSequence)
    assert "BinaryArray" in compactcol.__all__


def test_bytes_like_inputs_store_their_raw_bytes():
    ints = array.array("i", [1, 2])
    b = BinaryArray([b"a", bytearray(b"b"), memoryview(b"cd"), ints])
    assert b.tolist() == [b"a", b"b", b"cd", ints.tobytes()]
    assert all(type(x) is bytes for x in b)


def test_repr():
    assert repr(BinaryArray([b"a", None], nullable=True)) == "BinaryArray([b'a', None], nullable=True)"
    assert repr(BinaryArray()) == "BinaryArray([])"


def test_search_and_comparisons():
    b = BinaryArray([b"a", b"bc", b"a"])
    assert b.count(b"a") == 2 and b.count("a") == 0 and b.count(bytearray(b"a")) == 2
    assert b.index(b"bc") == 1 and b"bc" in b and "bc" not in b
    assert bytearray(b"bc") in b
    with pytest.raises(ValueError):
        b.index("a")
    assert b == [b"a", b"bc", b"a"] and b != ["a", "bc", "a"]
    assert b == BinaryArray([b"a", b"bc", b"a"])
    assert StringArray(["a"]) != BinaryArray([b"a"])
    assert BinaryArray([b"a"]) < BinaryArray([b"b"]) and BinaryArray([b"a"]) < [b"a", b""]


@given(st.lists(BYTES, max_size=30), st.booleans())
def test_sort_matches_sorted(values, rev):
    b = BinaryArray(values)
    b.sort(reverse=rev)
    assert b.tolist() == sorted(values, reverse=rev)


def test_sort_is_bytewise_with_shorter_first_on_a_common_prefix():
    b = BinaryArray([b"\xff", b"a\x00", b"a", b"", b"\x00"])
    b.sort()
    assert b.tolist() == [b"", b"\x00", b"a", b"a\x00", b"\xff"]


def test_views_and_nbytes():
    b = BinaryArray([b"ab", b"\xff"])
    assert bytes(b.data) == b"ab\xff" and list(b.offsets) == [0, 2, 3]
    assert b.nbytes == 3 + 3 * 4


def test_to_numpy_is_an_object_array_of_bytes():
    np = pytest.importorskip("numpy")
    b = BinaryArray([b"a\x00", None, b""], nullable=True)
    out = b.to_numpy()
    assert out.dtype == object and out.tolist() == [b"a\x00", None, b""]


# ---- bad inputs ----------------------------------------------------------------------------


def test_SA2_str_is_refused_naming_the_index_value_and_type():
    b = BinaryArray([b"x"])
    before = snap(b)
    with pytest.raises(TypeError) as e:
        b.extend([b"a", b"b", b"c", "abc"])
    assert str(e.value) == ("BinaryArray.extend: item 3: expected bytes (or a bytes-like "
                            "object), got str ('abc')")
    assert_unchanged(b, before)
    with pytest.raises(TypeError, match=r"^BinaryArray.append: expected bytes \(or a "
                                        r"bytes-like object\), got str \('abc'\)$"):
        b.append("abc")
    with pytest.raises(TypeError, match=r"item 1: expected bytes .*got int \(5\)"):
        BinaryArray([b"", 5])
    with pytest.raises(TypeError, match="create it with nullable=True"):
        b.append(None)
    with pytest.raises(TypeError, match="expected an iterable of bytes"):
        b.extend(b"abc")
    assert_unchanged(b, before)


@pytest.mark.parametrize("op", ["append", "insert", "setitem", "extend", "slice", "iadd"])
def test_SA2_mixed_types_leave_the_array_unchanged(op):
    b = BinaryArray([b"a", b"bb", b"ccc"])
    b[1] = b"longer"  # scattered layout
    before = snap(b)
    calls = {
        "append": lambda: b.append("s"),
        "insert": lambda: b.insert(1, 1),
        "setitem": lambda: b.__setitem__(0, "s"),
        "extend": lambda: b.extend((x for x in [b"ok", bytearray(b"ok"), "no"])),
        "slice": lambda: b.__setitem__(slice(0, 2), [b"x", "y"]),
        "iadd": lambda: b.__iadd__([b"x", None]),
    }
    with pytest.raises(TypeError):
        calls[op]()
    assert_unchanged(b, before)


def test_SA2_a_stringarray_source_is_refused_item_by_item():
    b = BinaryArray()
    with pytest.raises(TypeError, match="item 0: expected bytes .* got str"):
        b.extend(StringArray(["a"]))
    assert len(b) == 0
    with pytest.raises(TypeError, match="expected str, got bytes"):
        StringArray(BinaryArray([b"a"]))


def test_non_contiguous_buffer_is_refused():
    b = BinaryArray([b"keep"])
    before = snap(b)
    with pytest.raises(TypeError, match=r"item 1: expected bytes \(or a C-contiguous"):
        b.extend([b"ok", memoryview(b"abcdef")[::2]])
    # an exporter's own refusal keeps its type and gains a note naming the place
    np = pytest.importorskip("numpy")
    with pytest.raises(ValueError) as e:
        b.extend([np.arange(10, dtype="uint8")[::2]])
    assert "while converting BinaryArray.extend: item 0" in e.value.__notes__
    assert_unchanged(b, before)


def test_SA7_resize_while_data_view_alive_raises_and_leaves_unchanged():
    b = BinaryArray([b"ab", b"c"])
    v = b.data
    before = snap(b)
    with pytest.raises(BufferError):
        b.append(b"x")
    with pytest.raises(BufferError):
        b[0] = b"longer"
    assert_unchanged(b, before)
    b[0] = b"xy"  # same length: allowed, seen by the view
    assert bytes(v) == b"xyc"
    v.release()
    b.append(b"x")


# ---- pickle ------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
@pytest.mark.parametrize("nullable", [False, True])
def test_PK1_pickle_round_trip(protocol, nullable):
    vals = [b"\xff\x00", b"", b"abc" * 50]
    if nullable:
        vals.insert(1, None)
    b = BinaryArray(vals, nullable=nullable)
    b[0] = b"\xfe"  # scattered: compacted for the pickle
    c = pickle.loads(pickle.dumps(b, protocol))
    assert type(c) is BinaryArray and c == b and c.nullable == nullable
    c._debug_info()


def test_PK1_protocol_5_buffers_go_out_of_band_and_are_adopted():
    b = BinaryArray([b"\xff" * 100, b"\x00"])
    bufs = []
    data = pickle.dumps(b, 5, buffer_callback=bufs.append)
    assert len(bufs) == 2 and len(data) < 200
    c = pickle.loads(data, buffers=bufs)
    assert c == b and type(c) is BinaryArray
    c.append(b"new")  # copies on first write
    assert b.tolist() == [b"\xff" * 100, b"\x00"]
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data)  # PK2: buffers missing


def test_PK4_crafted_state_raises_valueerror_but_accepts_any_bytes():
    from compactcol import _pickle
    ok = _pickle.binarray_from_state(False, "little", 1, b"\xff\xfe",
                                     array.array("i", [0, 2]).tobytes(), None)
    assert ok.tolist() == [b"\xff\xfe"]  # not UTF-8, and that is fine
    with pytest.raises(ValueError, match="BinaryArray pickle state"):
        _pickle.binarray_from_state(False, "little", 1, b"ab",
                                    array.array("i", [0, 3]).tobytes(), None)
    with pytest.raises(ValueError, match="offsets decrease"):
        _pickle.binarray_from_state(False, "little", 2, b"ab",
                                    array.array("i", [0, 2, 1]).tobytes(), None)


def test_copy_and_deepcopy():
    b = BinaryArray([b"a", b"b"])
    for c in (copy.copy(b), copy.deepcopy(b), b[:], b + [], b * 1):
        assert type(c) is BinaryArray and c == b
        c.append(b"x")
    assert b.tolist() == [b"a", b"b"]


# ---- Arrow ------------------------------------------------------------------------------


@pytest.mark.parametrize("nullable", [False, True])
def test_export_is_pyarrow_binary(nullable):
    vals = [b"\xff", b"", b"a\x00b"] + ([None] if nullable else [])
    b = BinaryArray(vals, nullable=nullable)
    arr = pa.array(b)
    assert arr.type == pa.binary() and arr.to_pylist() == vals
    assert pa.array(b, type=pa.large_binary()).to_pylist() == vals
    with pytest.raises(ValueError, match="binary <-> large_binary"):
        b.__arrow_c_array__(pa.string().__arrow_c_schema__())


def test_AR3_export_is_a_snapshot():
    b = BinaryArray([b"ab", b"c"])
    arr = pa.array(b)
    b[0] = b"zz"   # same length: written to the container's own copy
    b.append(b"more")
    b[1] = b"longer"
    assert arr.to_pylist() == [b"ab", b"c"]
    assert b.tolist() == [b"zz", b"longer", b"more"]


@pytest.mark.parametrize("typ", ["binary", "large_binary", "binary_view"])
@pytest.mark.parametrize("nulls", [False, True])
def test_import_round_trip(typ, nulls):
    vals = [b"\xff\xfe", b"", b"x" * 40, b"\x00"] + ([None] if nulls else [])
    src = pa.array(vals, getattr(pa, typ)())
    b = compactcol.from_arrow(src)
    assert type(b) is BinaryArray and b.tolist() == vals and b.nullable == nulls
    assert b.large == (typ == "large_binary")
    b._debug_info()
    back = pa.array(b)
    assert back.to_pylist() == vals
    b.append(b"new")  # the producer's buffers are never written
    assert src.to_pylist() == vals


def data_address(b):
    np = pytest.importorskip("numpy")
    return np.frombuffer(b.data, np.uint8).ctypes.data


@pytest.mark.parametrize("typ", ["binary", "large_binary"])
def test_import_is_zero_copy_and_binary_view_is_copied(typ):
    src = pa.array([b"abc" * 1000, b"\xff"], getattr(pa, typ)())
    b = compactcol.from_arrow(src)
    assert data_address(b) == src.buffers()[2].address
    copied = compactcol.from_arrow(pa.array([b"abc" * 1000], pa.binary_view()))
    assert copied.tolist() == [b"abc" * 1000]


def test_import_of_a_polars_binary_column():
    pl = pytest.importorskip("polars")
    s = pl.Series("b", [b"a", None, b"\xff" * 20])
    b = compactcol.from_arrow(s.to_arrow())
    assert type(b) is BinaryArray and b.tolist() == [b"a", None, b"\xff" * 20]
    assert pl.Series(pa.array(b)).to_list() == [b"a", None, b"\xff" * 20]


def test_AR5_bad_offsets_raise_valueerror():
    offsets = pa.py_buffer(array.array("i", [0, 5, 2]).tobytes())
    data = pa.py_buffer(b"abcde")
    bad = pa.Array.from_buffers(pa.binary(), 2, [None, offsets, data])
    with pytest.raises(ValueError):
        compactcol.from_arrow(bad)


def test_a_chunked_binary_array_imports_as_one():
    ca = pa.chunked_array([pa.array([b"x"]), pa.array([b"y", None])])
    assert compactcol.from_arrow(ca).tolist() == [b"x", b"y", None]


class BytesSub(bytes):
    """A bytes subclass whose methods mutate the array if ever called."""
    target = None

    def __eq__(self, other):
        BytesSub.target.clear()
        return bytes.__eq__(self, other)

    __hash__ = bytes.__hash__

    def __len__(self):
        BytesSub.target.clear()
        return bytes.__len__(self)


def test_SA2_a_bytes_subclass_is_stored_as_exact_bytes_without_running_its_methods():
    b = BinaryArray([b"a", b"b"])
    BytesSub.target = b
    v = BytesSub(b"xy")
    b.append(v)
    b[0] = v
    b.extend([v, v])
    assert b.tolist() == [b"xy", b"b", b"xy", b"xy", b"xy"]
    assert all(type(x) is bytes for x in b)
    assert b.count(v) == 4 and b.index(v) == 0 and len(b) == 5
