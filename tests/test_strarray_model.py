"""Stateful property tests: compactcol.StringArray against a Python list model.

Two machines (nullable and not).  Every mutating method has a rule; each rule
runs the operation on the StringArray and on a copy of the model, and the
outcomes must agree: the same result, or the same exception with the array
exactly as it was (all-or-nothing; BAD_INPUTS SA1, SA2).  Values are drawn
from ASCII, non-ASCII (é, ß, 中文), '', astral-plane and NUL-containing
strings (SA3), plus values that must be refused (bytes, ints, None when not
nullable, lone surrogates) and str subclasses (stored as exact str).

`data` and `offsets` views can be held across steps (SA7, X3): while one is
alive, a call that changes the length or a slot's byte length must raise
BufferError and change nothing; an assignment that keeps every slot's byte
length is allowed and is visible through the views.  Long interleavings of
different-length assignments (the scattered layout) are checked against the
model and compacted by the next `data` access.
"""

import copy
import itertools
import operator
import pickle

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant,
                                 precondition, rule)

from compactcol import Array, StringArray

# ---- values -----------------------------------------------------------------------



def exact_size_values(data, values, n):
    """n values for an exact-size slice assignment.  The model can grow to
    thousands of items (by *= and self-extends), more than hypothesis draws
    in one list, so a long one repeats a short drawn run."""
    if n <= 64:
        return data.draw(st.lists(values, min_size=n, max_size=n), label="v")
    run = data.draw(st.lists(values, min_size=1, max_size=8), label="v run")
    return (run * (n // len(run) + 1))[:n]

class StrSub(str):
    """A str subclass: stored and returned as an exact str (SA2)."""


SPECIAL = ["", "a", "b", "ab", "abc", "é", "ß", "中文", "\x00", "a\x00b", "\x00\x00",
           "\U0001F600", "a\U0001F600", "\U00010348\U0001F600", "e\u0301", "ee",
           "\u00e9t\u00e9", "\uffff", "\U0010ffff", "zz", "Z"]
ALPHABET = st.sampled_from(["a", "b", "z", "é", "ß", "中", "文", "\x00", "\U0001F600",
                            "\U00010348", "\x7f", "\u0080"])
TEXT = st.one_of(st.sampled_from(SPECIAL), st.text(ALPHABET, max_size=6),
                 st.text(max_size=4))   # st.text never draws surrogates
VALID_STR = st.one_of(TEXT, TEXT, TEXT, TEXT.map(StrSub))
BAD_VALUES = st.sampled_from([b"a", b"", bytearray(b"x"), 1, 0, 1.5, ["a"], object(),
                              "\ud800", "a\udfffb", "\udc00\ud800", StrSub("\ud800")])


class ModelError(Exception):
    """The operation must fail with one of `types` (and change nothing)."""

    def __init__(self, *types):
        super().__init__(types)
        self.types = types


class Boom(Exception):
    """Raised by iterators and keys that fail on purpose."""


def convert(nullable, v):
    """What a StringArray stores for v, or ModelError."""
    if v is None:
        if nullable:
            return None
        raise ModelError(TypeError)
    if not isinstance(v, str):
        raise ModelError(TypeError)
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        raise ModelError(UnicodeEncodeError) from None
    return str.__str__(v)          # an exact str


def canon(x):
    return (type(x).__name__, x)


def canon_list(xs):
    return [canon(x) for x in xs]


def nbytes_of(x):
    return 0 if x is None else len(x.encode("utf-8"))


def data_of(items):
    return b"".join(x.encode("utf-8") for x in items if x is not None)


def offsets_of(items):
    return [0] + list(itertools.accumulate(nbytes_of(x) for x in items))


def raising_after(items, k):
    yield from items[:k]
    raise Boom(f"iterator fails at item {k}")


class LyingHint:
    def __init__(self, items, hint):
        self.items, self.hint = items, hint

    def __iter__(self):
        return iter(self.items)

    def __length_hint__(self):
        if self.hint == "raise":
            raise Boom("hint")
        return self.hint

    def __repr__(self):
        return f"LyingHint({self.items!r}, {self.hint!r})"


SOURCE_KINDS = ["list", "tuple", "generator", "raising_iterator", "stringarray",
                "lying_hint"]
HINTS = [0, 2**62, -1, 10**9, "raise"]
INDEX = st.integers(-12, 12)
OPT_INDEX = st.one_of(st.none(), st.integers(-10, 10))

# What happens to a call while a view is exported (SA7):
RESIZE = "resize"      # changes the layout if it changes anything at all
ASSIGN = "assign"      # allowed iff every slot keeps its byte length
REORDER = "reorder"    # sort()/reverse(): allowed in place (docs/strings.md)
KEYSORT = "keysort"    # sort(key=...): see _expected_under_view


# ---- the machine -------------------------------------------------------------------


class StringArrayMachine(RuleBasedStateMachine):
    NULLABLE = None

    def __init__(self):
        super().__init__()
        self.dview = None      # a.data memoryview held across steps
        self.oview = None      # a.offsets memoryview held across steps

    # -- helpers -------------------------------------------------------------------

    @property
    def exported(self):
        return self.dview is not None or self.oview is not None

    def valid(self):
        return st.one_of(VALID_STR, st.none()) if self.NULLABLE else VALID_STR

    def bad(self):
        return st.one_of(BAD_VALUES, st.none()) if not self.NULLABLE else BAD_VALUES

    def any_value(self):
        return st.one_of(self.valid(), self.valid(), self.valid(), self.bad())

    def conv(self, v):
        return convert(self.NULLABLE, v)

    def conv_all(self, values):
        return [self.conv(v) for v in values]

    def source(self, kind, values, bad, k, hint):
        """(object to pass, the values it yields, exception it raises or None)."""
        values = list(values)
        if bad is not None:
            values.insert(min(k, len(values)), bad[0])
        if kind == "list":
            return values, values, None
        if kind == "tuple":
            return tuple(values), values, None
        if kind == "generator":
            return (x for x in values), values, None
        if kind == "raising_iterator":
            cut = min(k, len(values))
            return raising_after(values, cut), values[:cut], Boom
        if kind == "lying_hint":
            return LyingHint(values, hint), values, None
        assert kind == "stringarray"
        try:
            exact = [convert(True, v) for v in values]
        except ModelError:
            return values, values, None
        return StringArray(exact, nullable=None in exact), exact, None

    def bulk_args(self, data):
        values = data.draw(st.lists(self.valid(), max_size=6), label="values")
        bad = data.draw(st.one_of(st.none(), st.tuples(self.bad())), label="bad")
        k = data.draw(st.integers(0, 6), label="k")
        kind = data.draw(st.sampled_from(SOURCE_KINDS), label="kind")
        hint = data.draw(st.sampled_from(HINTS), label="hint")
        return self.source(kind, values, bad, k, hint)

    def model_bulk(self, items, raises):
        out = self.conv_all(items)
        if raises is not None:
            raise ModelError(raises)
        return out

    def state(self):
        return (canon_list(self.a), len(self.a), self.a.null_count, self.a.nullable)

    def _expected_under_view(self, kind, before, after):
        """None: must succeed; a set: the allowed exceptions; "either": success
        or BufferError (with no change) are both acceptable."""
        if after == before:
            return "either"                       # a call that changes nothing
        if len(after) != len(before):
            return {BufferError}
        if kind == RESIZE:
            return {BufferError}
        if kind == REORDER:
            # docs/strings.md: sort()/reverse() rewrite the bytes in place and
            # are allowed while exported; the invariant checks the views.
            return None
        if kind == KEYSORT:
            # sort(key=...) under an export: test_strarray_bad_inputs.py pins
            # it like sort() (and Array's NA13); here either outcome is taken
            # so the machine keeps exploring; a success must show in the views.
            return "either"
        same = all(nbytes_of(x) == nbytes_of(y) and (x is None) == (y is None)
                   for x, y in zip(before, after))
        if same:
            return None                           # SA7: same byte length: allowed
        if sum(map(nbytes_of, before)) != sum(map(nbytes_of, after)):
            return {BufferError}
        return "either"                           # bytes moved between slots, or None <-> ''

    def run(self, array_op, model_op, kind=RESIZE, returns=False):
        before = self.state()
        items = list(self.model)
        try:
            expected = model_op(items)
            allowed = None
        except ModelError as e:
            allowed = set(e.types)
        except (IndexError, ValueError, TypeError, Boom) as e:
            allowed = {type(e)}
        either = False
        if self.exported:
            if allowed is not None:
                allowed.add(BufferError)          # which check comes first is not pinned
            else:
                verdict = self._expected_under_view(kind, self.model, items)
                if verdict == "either":
                    either = True
                else:
                    allowed = verdict
        try:
            result = array_op(self.a)
        except Exception as e:  # noqa: BLE001 - compared with the model below
            if either and type(e) is BufferError:
                allowed = {BufferError}
            assert allowed is not None, f"unexpected {type(e).__name__}: {e}"
            assert any(isinstance(e, t) for t in allowed), \
                f"raised {type(e).__name__}: {e}; expected one of {allowed}"
            if BufferError in allowed and type(e) is BufferError:
                assert "release" in str(e) or "export" in str(e) or "view" in str(e), str(e)
            after = self.state()
            assert after == before, f"a failed operation changed the array: {before} -> {after}"
            return None
        assert allowed is None, f"succeeded, but expected one of {allowed}"
        self.model = items
        if returns:
            assert canon(result) == canon(expected)
        else:
            assert result is None
        return result

    # -- setup and invariants --------------------------------------------------------

    @initialize(data=st.data())
    def init(self, data):
        items = data.draw(st.lists(self.valid(), max_size=8), label="initial")
        kind = data.draw(st.sampled_from(["list", "tuple", "generator"]), label="init kind")
        src = {"list": items, "tuple": tuple(items), "generator": iter(items)}[kind]
        self.a = StringArray(src, nullable=self.NULLABLE)
        self.model = self.conv_all(items)

    @invariant()
    def agrees_with_model(self):
        a, model = self.a, self.model
        info = a._debug_info()            # AssertionError if an invariant broke
        assert canon_list(a) == canon_list(model)
        assert canon_list(a.tolist()) == canon_list(model)
        assert len(a) == len(model) == info["length"]
        assert a.nullable == self.NULLABLE
        assert a.null_count == model.count(None)
        assert a.large is False and info["large"] is False
        expected = (sum(map(nbytes_of, model)) + 4 * (len(model) + 1)
                    + ((len(model) + 7) // 8 if self.NULLABLE else 0))
        assert a.nbytes == expected
        if self.exported:
            assert info["exports"] >= 1
            assert info["compact"] is True, "exported, so the layout must be compact"
        else:
            assert info["exports"] == 0
        # writes while exported are visible through the views (SA7)
        if self.dview is not None:
            assert self.dview.tobytes() == data_of(model)
        if self.oview is not None:
            assert self.oview.tolist() == offsets_of(model)

    def teardown(self):
        for v in (self.dview, self.oview):
            if v is not None:
                v.release()
        self.dview = self.oview = None

    # -- single values -----------------------------------------------------------------

    @rule(data=st.data())
    def append(self, data):
        x = data.draw(self.any_value(), label="x")

        def model(items):
            items.append(self.conv(x))
        self.run(lambda a: a.append(x), model)

    @rule(i=INDEX, data=st.data())
    def insert(self, i, data):
        x = data.draw(self.any_value(), label="x")

        def model(items):
            items.insert(i, self.conv(x))
        self.run(lambda a: a.insert(i, x), model)

    @rule(i=INDEX, data=st.data())
    def setitem(self, i, data):
        x = data.draw(self.any_value(), label="x")

        def model(items):
            try:
                v = self.conv(x)
            except ModelError as e:
                if not -len(items) <= i < len(items):
                    raise ModelError(IndexError, *e.types) from None   # order not pinned
                raise
            items[i] = v
        self.run(lambda a: a.__setitem__(i, x), model, kind=ASSIGN)

    @precondition(lambda self: len(self.model) > 0)
    @rule(data=st.data())
    def setitem_same_byte_length(self, data):
        """Same-length replacement: allowed (and visible) even while exported."""
        i = data.draw(st.integers(-len(self.model), len(self.model) - 1), label="i")
        old = self.model[i]
        if old is None:
            return
        n = len(old.encode("utf-8"))
        pieces = data.draw(st.lists(st.sampled_from(["a", "é", "中", "\U0001F600", "\x00"]),
                                    max_size=n), label="pieces")
        x = ""
        for c in pieces:
            if len((x + c).encode("utf-8")) <= n:
                x += c
        x += "b" * (n - len(x.encode("utf-8")))
        assert len(x.encode("utf-8")) == n

        def model(items):
            items[i] = x
        self.run(lambda a: a.__setitem__(i, x), model, kind=ASSIGN)

    @rule(data=st.data())
    def many_assignments(self, data):
        """A burst of random different-length assignments (the scattered
        layout), the model tracking each one."""
        if not self.model or self.exported:
            return
        steps = data.draw(st.lists(st.tuples(st.integers(0, len(self.model) - 1),
                                             self.valid()), max_size=30), label="steps")
        for i, x in steps:
            self.a[i] = x
            self.model[i] = self.conv(x)
        assert canon_list(self.a) == canon_list(self.model)

    @rule()
    def pop(self):
        self.run(lambda a: a.pop(), lambda items: items.pop(), returns=True)

    @rule(i=INDEX)
    def pop_at(self, i):
        self.run(lambda a: a.pop(i), lambda items: items.pop(i), returns=True)

    @rule(i=INDEX)
    def delitem(self, i):
        def model(items):
            del items[i]
        self.run(lambda a: a.__delitem__(i), model)

    @rule(data=st.data())
    def remove(self, data):
        x = data.draw(st.one_of(self.any_value(), st.sampled_from(self.model or [""])),
                      label="x")
        self.run(lambda a: a.remove(x), lambda items: items.remove(x))

    # -- bulk ----------------------------------------------------------------------------

    @rule(data=st.data())
    def extend(self, data):
        src, items_in, raises = self.bulk_args(data)

        def model(items):
            items.extend(self.model_bulk(items_in, raises))
        self.run(lambda a: a.extend(src), model)

    @rule(data=st.data())
    def iadd(self, data):
        src, items_in, raises = self.bulk_args(data)

        def model(items):
            items.extend(self.model_bulk(items_in, raises))

        def op(a):
            b = a
            b += src
            assert b is a
        self.run(op, model)

    # (bounded, as imul is: 50 steps of doubling would not fit in memory)
    @precondition(lambda self: len(self.model) <= 4096)
    @rule(how=st.sampled_from(["extend", "iadd", "setslice_all", "setslice_end",
                               "setslice_rev"]))
    def with_self_as_source(self, how):
        def op(a):
            if how == "extend":
                a.extend(a)
            elif how == "iadd":
                a += a
            elif how == "setslice_all":
                a[:] = a
            elif how == "setslice_end":
                a[len(a):] = a
            else:
                a[::-1] = a

        def model(items):
            if how == "extend" or how == "iadd" or how == "setslice_end":
                items.extend(list(items))
            elif how == "setslice_all":
                items[:] = list(items)
            else:
                items[::-1] = list(items)
        self.run(op, model, kind=RESIZE if how in ("extend", "iadd", "setslice_end")
                 else ASSIGN)

    @rule(start=OPT_INDEX, stop=OPT_INDEX, step=st.sampled_from([None, 1, 2, 3, -1, -2]),
          data=st.data())
    def setslice(self, start, stop, step, data):
        s = slice(start, stop, step)
        if data.draw(st.booleans(), label="exact size"):
            n = len(range(*s.indices(len(self.model))))
            values = exact_size_values(data, self.valid(), n)
            kind = data.draw(st.sampled_from(["list", "tuple", "generator", "stringarray"]))
            src, items_in, raises = self.source(kind, values, None, 0, 0)
        else:
            src, items_in, raises = self.bulk_args(data)

        def model(items):
            converted = self.model_bulk(items_in, raises)
            items[s] = converted          # ValueError for extended-slice sizes
        self.run(lambda a: a.__setitem__(s, src), model, kind=ASSIGN)

    @rule(data=st.data())
    def setslice_from_self(self, data):
        n = len(self.model)
        dst = data.draw(st.sampled_from([slice(None), slice(None, None, 2), slice(1, None),
                                         slice(None, None, -1), slice(0, 0)]))
        src = data.draw(st.sampled_from([slice(None), slice(1, None, 2),
                                         slice(None, None, -1), slice(0, n // 2)]))

        def model(items):
            items[dst] = list(items)[src]

        def op(a):
            a[dst] = a[src]
        self.run(op, model, kind=ASSIGN)

    @rule(start=OPT_INDEX, stop=OPT_INDEX, step=st.sampled_from([None, 1, 2, 3, -1, -3]))
    def delslice(self, start, stop, step):
        s = slice(start, stop, step)

        def model(items):
            del items[s]
        self.run(lambda a: a.__delitem__(s), model)

    # -- whole-array operations ------------------------------------------------------------

    @rule()
    def clear(self):
        self.run(lambda a: a.clear(), lambda items: items.clear())

    @rule()
    def reverse(self):
        self.run(lambda a: a.reverse(), lambda items: items.reverse(), kind=REORDER)

    @rule(reverse=st.booleans())
    def sort(self, reverse):
        def model(items):
            present = sorted((x for x in items if x is not None), reverse=reverse)
            items[:] = present + [None] * (len(items) - len(present))
        self.run(lambda a: a.sort(reverse=reverse), model, kind=REORDER)

    @rule(data=st.data(), reverse=st.booleans())
    def sort_key(self, data, reverse):
        if self.NULLABLE:
            keys = [lambda x: (x is None, len(x or "")),
                    lambda x: "" if x is None else x[::-1],
                    lambda x: (x is not None, (x or "").encode("utf-16-le"))]
        else:
            keys = [len, lambda x: x[::-1], lambda x: x.encode("utf-16-le"),
                    lambda x: x.count("\x00"), str.casefold]
        fn = data.draw(st.sampled_from(keys), label="key")
        self.run(lambda a: a.sort(key=fn, reverse=reverse),
                 lambda items: items.sort(key=fn, reverse=reverse), kind=KEYSORT)

    @rule(k=st.integers(0, 10))
    def sort_key_raises(self, k):
        def make_key():
            calls = [0]

            def key(x):
                calls[0] += 1
                if calls[0] > k:
                    raise Boom("key")
                return 0
            return key
        self.run(lambda a: a.sort(key=make_key()), lambda items: items.sort(key=make_key()),
                 kind=KEYSORT)

    @precondition(lambda self: len(self.model) <= 40)
    @rule(n=st.integers(-1, 3))
    def imul(self, n):
        def op(a):
            b = a
            b *= n
            assert b is a

        def model(items):
            items *= n
        self.run(op, model)

    # -- views (SA7) ---------------------------------------------------------------------

    @precondition(lambda self: self.dview is None)
    @rule()
    def take_data_view(self):
        v = self.a.data
        assert isinstance(v, memoryview)
        assert v.readonly and v.format == "B" and v.ndim == 1
        assert v.tobytes() == data_of(self.model)
        self.dview = v
        assert self.a._debug_info()["compact"] is True

    @precondition(lambda self: self.oview is None)
    @rule()
    def take_offsets_view(self):
        v = self.a.offsets
        assert isinstance(v, memoryview)
        assert v.readonly and v.format == "i" and v.itemsize == 4 and v.ndim == 1
        assert len(v) == len(self.model) + 1
        assert v.tolist() == offsets_of(self.model)
        self.oview = v
        assert self.a._debug_info()["compact"] is True

    @precondition(lambda self: self.dview is not None)
    @rule()
    def release_data_view(self):
        self.dview.release()
        self.dview = None

    @precondition(lambda self: self.oview is not None)
    @rule()
    def release_offsets_view(self):
        self.oview.release()
        self.oview = None

    @rule()
    def transient_views(self):
        """Taking a view and dropping it compacts the layout and leaves no export."""
        with self.a.data as d, self.a.offsets as o:
            assert d.tobytes() == data_of(self.model)
            assert o.tolist() == offsets_of(self.model)
            assert o[0] == 0 and o[-1] == len(d)

    # -- non-mutating checks -------------------------------------------------------------

    @rule(data=st.data())
    def read(self, data):
        a, model = self.a, self.model
        i = data.draw(INDEX, label="i")
        if -len(model) <= i < len(model):
            assert canon(a[i]) == canon(model[i])
        else:
            with pytest.raises(IndexError):
                a[i]
        s = slice(*data.draw(st.tuples(OPT_INDEX, OPT_INDEX,
                                       st.sampled_from([None, 1, 2, -1, -3])), label="s"))
        piece = a[s]
        assert type(piece) is StringArray and piece.nullable == a.nullable
        assert canon_list(piece) == canon_list(model[s])
        assert piece._debug_info()["exports"] == 0
        assert canon_list(reversed(a)) == canon_list(reversed(model))
        assert canon_list(iter(a)) == canon_list(model)

    @rule(data=st.data())
    def search(self, data):
        a, model = self.a, self.model
        x = data.draw(st.one_of(self.valid(), self.bad(), st.sampled_from(model or [""])),
                      label="x")
        assert (x in a) == (x in model)
        assert a.count(x) == model.count(x)
        start = data.draw(OPT_INDEX, label="start")
        stop = data.draw(OPT_INDEX, label="stop")
        args = (x,) if start is None else (x, start) if stop is None else (x, start, stop)
        try:
            expected = model.index(*args)
        except ValueError:
            with pytest.raises(ValueError):
                a.index(*args)
        else:
            assert a.index(*args) == expected

    @rule(data=st.data())
    def compare(self, data):
        other = data.draw(st.one_of(
            st.just(list(self.model)),
            st.lists(self.valid(), max_size=6).map(self.conv_all),
            st.lists(self.valid(), max_size=3).map(lambda xs: self.model + self.conv_all(xs)),
            st.lists(self.valid(), max_size=3).map(
                lambda xs: self.model[:-1] + self.conv_all(xs)),
        ), label="other")
        form = data.draw(st.sampled_from(["list", "tuple", "stringarray"]), label="form")
        if form == "tuple":
            other_obj = tuple(other)
        elif form == "stringarray":
            other_obj = StringArray(other, nullable=True)
        else:
            other_obj = other
        for op in (operator.eq, operator.ne, operator.lt, operator.le, operator.gt,
                   operator.ge):
            try:
                expected = op(self.model, list(other))
            except TypeError:
                with pytest.raises(TypeError):
                    op(self.a, other_obj)
            else:
                assert op(self.a, other_obj) is expected, (op, form)
        twin = StringArray(list(self.model), nullable=self.NULLABLE)
        assert self.a == twin and not (self.a != twin)

    @rule(data=st.data())
    def add_and_mul(self, data):
        values = data.draw(st.lists(self.valid(), max_size=5), label="values")
        r = self.a + values
        assert type(r) is StringArray and r.nullable == self.NULLABLE
        assert canon_list(r) == canon_list(self.model + self.conv_all(values))
        r._debug_info()
        n = data.draw(st.integers(-1, 3), label="n")
        for r in (self.a * n, n * self.a):
            assert type(r) is StringArray
            assert canon_list(r) == canon_list(self.model * n)
            r._debug_info()

    @rule()
    def copies(self):
        for c in (self.a.copy(), copy.copy(self.a), copy.deepcopy(self.a), self.a[:]):
            assert c is not self.a and type(c) is StringArray
            assert c.nullable == self.NULLABLE
            assert canon_list(c) == canon_list(self.model)
            assert c._debug_info()["exports"] == 0
            if len(c):
                c[0] = c[0] + "x" if c[0] is not None else "x"
                assert canon_list(self.a) == canon_list(self.model), "a copy shares storage"

    @rule(protocol=st.sampled_from([0, 2, 4, 5]))
    def pickle_round_trip(self, protocol):
        b = pickle.loads(pickle.dumps(self.a, protocol=protocol))
        assert type(b) is StringArray and b.nullable == self.NULLABLE
        assert canon_list(b) == canon_list(self.model)
        b._debug_info()

    @rule(data=st.data())
    def string_ops(self, data):
        a, model = self.a, self.model
        p = data.draw(st.one_of(TEXT, st.sampled_from(model or [""]).map(
            lambda s: (s or "")[:2])), label="p")

        def expect(fn):
            return [None if x is None else fn(x) for x in model]
        for name, got, want, dtype in (
                ("lengths", a.lengths(), expect(len), "int64"),
                ("startswith", a.startswith(p), expect(lambda x: x.startswith(p)), "bool"),
                ("contains", a.contains(p), expect(lambda x: p in x), "bool"),
                ("equals", a.equals(p), expect(lambda x: x == p), "bool")):
            assert type(got) is Array and got.dtype == dtype, name
            assert got.nullable == self.NULLABLE, name
            assert canon_list(got) == canon_list(want), (name, p)


MACHINE_SETTINGS = settings(max_examples=min(60, settings.default.max_examples),
                            stateful_step_count=50)


class PlainStringArrayMachine(StringArrayMachine):
    NULLABLE = False


class NullableStringArrayMachine(StringArrayMachine):
    NULLABLE = True


TestStringArray = PlainStringArrayMachine.TestCase
TestNullableStringArray = NullableStringArrayMachine.TestCase
for _case in (TestStringArray, TestNullableStringArray):
    _case.settings = MACHINE_SETTINGS
del _case
