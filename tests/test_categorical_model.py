"""Stateful property tests: compactcol.CategoricalArray against a list model.

Two machines (nullable and not).  The array under test shares its
StringPool with a second array (`b`) that must keep decoding correctly
while the pool grows.  After every step: the values agree with the model;
codes[i] == pool.id(value) (-1 for None); the code width fits the largest
code (DI3: never wraps); the pool only ever grows by strings the step handed
in, keeping every existing id; a failed call changes neither the array nor
the pool (SA1, SA2, DI5).  A view of `codes` can be held across steps: then
length changes and code widening must raise BufferError and change nothing.
"""

import copy
import operator
import pickle

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant,
                                 precondition, rule)

from compactcol import Array, CategoricalArray, StringArray, StringPool



def exact_size_values(data, values, n):
    """n values for an exact-size slice assignment.  The model can grow to
    thousands of items (by *= and self-extends), more than hypothesis draws
    in one list, so a long one repeats a short drawn run."""
    if n <= 64:
        return data.draw(st.lists(values, min_size=n, max_size=n), label="v")
    run = data.draw(st.lists(values, min_size=1, max_size=8), label="v run")
    return (run * (n // len(run) + 1))[:n]

class StrSub(str):
    pass


SPECIAL = ["", "a", "b", "ab", "é", "ß", "中文", "\x00", "a\x00b", "\U0001F600", "zz"]
TEXT = st.one_of(st.sampled_from(SPECIAL), st.sampled_from(SPECIAL),
                 st.text(st.sampled_from(["a", "b", "é", "中", "\x00", "\U0001F600"]),
                         max_size=3),
                 st.text(max_size=3))
VALID_STR = st.one_of(TEXT, TEXT, TEXT, TEXT.map(StrSub))
BAD_VALUES = st.sampled_from([b"a", 1, 1.5, ["a"], object(), "\ud800", "a\udfff",
                              StrSub("\udc00")])
WIDTHS = [("int8", 127), ("int16", 2**15 - 1), ("int32", 2**31 - 1), ("int64", 2**63 - 1)]


class ModelError(Exception):
    def __init__(self, *types):
        super().__init__(types)
        self.types = types


class Boom(Exception):
    pass


def convert(nullable, v):
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
    return str.__str__(v)


def canon(x):
    return (type(x).__name__, x)


def canon_list(xs):
    return [canon(x) for x in xs]


def width_rank(dtype):
    return [w for w, _ in WIDTHS].index(dtype)


def width_for(code):
    for i, (w, hi) in enumerate(WIDTHS):
        if code <= hi:
            return i
    raise AssertionError(code)


def raising_after(items, k):
    yield from items[:k]
    raise Boom(k)


SOURCE_KINDS = ["list", "tuple", "generator", "raising_iterator", "stringarray",
                "categorical_same_pool", "categorical_other_pool"]
INDEX = st.integers(-10, 10)
OPT_INDEX = st.one_of(st.none(), st.integers(-8, 8))


class CategoricalMachine(RuleBasedStateMachine):
    NULLABLE = None

    def __init__(self):
        super().__init__()
        self.view = None

    # -- helpers -----------------------------------------------------------------------

    def valid(self):
        return st.one_of(VALID_STR, st.none()) if self.NULLABLE else VALID_STR

    def bad(self):
        return BAD_VALUES if self.NULLABLE else st.one_of(BAD_VALUES, st.none())

    def any_value(self):
        return st.one_of(self.valid(), self.valid(), self.valid(), self.bad())

    def conv(self, v):
        return convert(self.NULLABLE, v)

    def conv_all(self, values):
        return [self.conv(v) for v in values]

    def source(self, kind, values, bad, k):
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
        try:
            exact = [convert(True, v) for v in values]
        except ModelError:
            return values, values, None
        if kind == "stringarray":
            return StringArray(exact, nullable=True), exact, None
        if kind == "categorical_same_pool":
            # building the source interns into the shared pool (legitimately)
            src = CategoricalArray(exact, self.pool, nullable=True)
            self.pool_model = list(self.pool)
            return src, exact, None
        return CategoricalArray(exact, nullable=True), exact, None

    def bulk_args(self, data):
        values = data.draw(st.lists(self.valid(), max_size=6), label="values")
        bad = data.draw(st.one_of(st.none(), st.tuples(self.bad())), label="bad")
        k = data.draw(st.integers(0, 6), label="k")
        kind = data.draw(st.sampled_from(SOURCE_KINDS), label="kind")
        return self.source(kind, values, bad, k)

    def model_bulk(self, items, raises):
        out = self.conv_all(items)
        if raises is not None:
            raise ModelError(raises)
        return out

    def state(self):
        return (canon_list(self.a), len(self.a), self.a.null_count, list(self.pool),
                self.a.codes.tolist(), self.a.codes.dtype)

    def needed_rank(self, items):
        codes = [self.pool_model.index(x) if x in self.pool_model else
                 len(self.pool_model) + len({y for y in items if y is not None and
                                             y not in self.pool_model})
                 for x in items if x is not None]
        return max([width_rank(self.a.codes.dtype)] + [width_for(c) for c in codes])

    def run(self, array_op, model_op, inputs=(), returns=False):
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
        if self.view is not None:
            if allowed is not None:
                allowed.add(BufferError)
            elif items == self.model:
                either = True
            elif len(items) != len(self.model):
                allowed = {BufferError}
            elif self.needed_rank(items) > width_rank(self.a.codes.dtype):
                allowed = {BufferError}
            else:
                either = True        # same-size reorder/assignment: not pinned
        try:
            result = array_op(self.a)
        except Exception as e:  # noqa: BLE001
            if either and type(e) is BufferError:
                allowed = {BufferError}
            assert allowed is not None, f"unexpected {type(e).__name__}: {e}"
            assert any(isinstance(e, t) for t in allowed), \
                f"raised {type(e).__name__}: {e}; expected one of {allowed}"
            after = self.state()
            if type(e) is Boom:
                # the array is unchanged; the pool may keep strings the
                # iterator yielded, with every existing id kept
                assert after[:3] == before[:3] and after[4:] == before[4:]
                assert after[3][:len(before[3])] == before[3]
                assert set(after[3][len(before[3]):]) <= {
                    str.__str__(x) for x in inputs if isinstance(x, str)}
                self.pool_model = list(self.pool)
            else:
                assert after == before, f"a failed call changed the array or pool: " \
                    f"{before} -> {after}"
            return None
        assert allowed is None, f"succeeded, but expected one of {allowed}"
        self.model = items
        if returns:
            assert canon(result) == canon(expected)
        else:
            assert result is None
        new = list(self.pool)
        assert new[:len(self.pool_model)] == self.pool_model, "existing ids changed"
        added = set(new[len(self.pool_model):])
        assert added <= {str.__str__(x) for x in inputs if isinstance(x, str)}, \
            f"pool gained strings that were not handed in: {added}"
        self.pool_model = new
        return result

    # -- setup and invariants ------------------------------------------------------------

    @initialize(data=st.data())
    def init(self, data):
        pre = data.draw(st.lists(TEXT, max_size=5), label="pool")
        self.pool = StringPool(pre)
        items = data.draw(st.lists(self.valid(), max_size=8), label="initial")
        self.a = CategoricalArray(items, self.pool, nullable=self.NULLABLE)
        other = data.draw(st.lists(TEXT, max_size=4), label="b")
        self.b = CategoricalArray(other, pool=self.pool)
        self.model = self.conv_all(items)
        self.b_model = list(other)
        self.pool_model = list(self.pool)
        assert self.a.pool is self.pool and self.b.pool is self.pool

    @invariant()
    def agrees_with_model(self):
        a, model = self.a, self.model
        info = a._debug_info()
        assert canon_list(a) == canon_list(model)
        assert canon_list(a.tolist()) == canon_list(model)
        assert len(a) == len(model) == info["length"]
        assert a.nullable == self.NULLABLE and a.null_count == model.count(None)
        assert a.pool is self.pool and list(self.pool) == self.pool_model
        assert len(set(self.pool_model)) == len(self.pool_model)
        codes = a.codes
        assert codes is a.codes, "codes must be the same live object"
        assert type(codes) is Array and len(codes) == len(model)
        expect = [-1 if x is None else self.pool.id(x) for x in model]
        assert codes.tolist() == expect
        assert codes.dtype in ("int8", "int16", "int32", "int64")
        if expect:
            assert width_for(max(expect)) <= width_rank(codes.dtype), "code width too small"
        if self.view is None:
            assert codes._debug_info()["exports"] == 0
        else:
            assert codes._debug_info()["exports"] >= 1
        assert self.b.tolist() == self.b_model
        assert self.b.codes.tolist() == [self.pool.id(x) for x in self.b_model]

    def teardown(self):
        if self.view is not None:
            self.view.release()
            self.view = None

    # -- rules --------------------------------------------------------------------------

    @rule(data=st.data())
    def append(self, data):
        x = data.draw(self.any_value(), label="x")
        self.run(lambda a: a.append(x), lambda items: items.append(self.conv(x)), [x])

    @rule(i=INDEX, data=st.data())
    def insert(self, i, data):
        x = data.draw(self.any_value(), label="x")
        self.run(lambda a: a.insert(i, x), lambda items: items.insert(i, self.conv(x)), [x])

    @rule(i=INDEX, data=st.data())
    def setitem(self, i, data):
        x = data.draw(self.any_value(), label="x")

        def model(items):
            try:
                v = self.conv(x)
            except ModelError as e:
                if not -len(items) <= i < len(items):
                    raise ModelError(IndexError, *e.types) from None
                raise
            items[i] = v
        self.run(lambda a: a.__setitem__(i, x), model, [x])

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

    @rule(data=st.data())
    def extend(self, data):
        src, items_in, raises = self.bulk_args(data)
        self.run(lambda a: a.extend(src),
                 lambda items: items.extend(self.model_bulk(items_in, raises)), items_in)

    @rule(data=st.data())
    def iadd(self, data):
        src, items_in, raises = self.bulk_args(data)

        def op(a):
            b = a
            b += src
            assert b is a
        self.run(op, lambda items: items.extend(self.model_bulk(items_in, raises)), items_in)

    @precondition(lambda self: len(self.model) <= 4096)  # doubling: bounded, as in the others
    @rule(how=st.sampled_from(["extend", "iadd", "setslice_all", "setslice_rev"]))
    def with_self_as_source(self, how):
        def op(a):
            if how == "extend":
                a.extend(a)
            elif how == "iadd":
                a += a
            elif how == "setslice_all":
                a[:] = a
            else:
                a[::-1] = a

        def model(items):
            if how in ("extend", "iadd"):
                items.extend(list(items))
            elif how == "setslice_all":
                items[:] = list(items)
            else:
                items[::-1] = list(items)
        self.run(op, model)

    @rule(start=OPT_INDEX, stop=OPT_INDEX, step=st.sampled_from([None, 1, 2, -1, -2]),
          data=st.data())
    def setslice(self, start, stop, step, data):
        s = slice(start, stop, step)
        if data.draw(st.booleans(), label="exact size"):
            n = len(range(*s.indices(len(self.model))))
            values = exact_size_values(data, self.valid(), n)
            src, items_in, raises = self.source(
                data.draw(st.sampled_from(SOURCE_KINDS[:3] + SOURCE_KINDS[4:])), values, None, 0)
        else:
            src, items_in, raises = self.bulk_args(data)

        def model(items):
            items[s] = self.model_bulk(items_in, raises)
        self.run(lambda a: a.__setitem__(s, src), model, items_in)

    @rule(start=OPT_INDEX, stop=OPT_INDEX, step=st.sampled_from([None, 1, 2, -1, -3]))
    def delslice(self, start, stop, step):
        s = slice(start, stop, step)

        def model(items):
            del items[s]
        self.run(lambda a: a.__delitem__(s), model)

    @rule()
    def clear(self):
        self.run(lambda a: a.clear(), lambda items: items.clear())

    @rule()
    def reverse(self):
        self.run(lambda a: a.reverse(), lambda items: items.reverse())

    @rule(reverse=st.booleans())
    def sort(self, reverse):
        """By string (code point), not by code; None last both ways."""
        def model(items):
            present = sorted((x for x in items if x is not None), reverse=reverse)
            items[:] = present + [None] * (len(items) - len(present))
        self.run(lambda a: a.sort(reverse=reverse), model)

    @rule(data=st.data(), reverse=st.booleans())
    def sort_key(self, data, reverse):
        keys = [lambda x: (x is None, len(x or "")), lambda x: "" if x is None else x[::-1]]
        fn = data.draw(st.sampled_from(keys), label="key")
        self.run(lambda a: a.sort(key=fn, reverse=reverse),
                 lambda items: items.sort(key=fn, reverse=reverse))

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

    # -- the other array sharing the pool ----------------------------------------------------

    @rule(data=st.data())
    def grow_pool_from_b(self, data):
        xs = data.draw(st.lists(TEXT, max_size=4), label="b values")
        self.b.extend(xs)
        self.b_model.extend(xs)
        for x in xs:
            if x not in self.pool_model:
                self.pool_model.append(x)

    @rule(data=st.data())
    def intern_directly(self, data):
        x = data.draw(TEXT, label="s")
        i = self.pool.intern(x)
        if x not in self.pool_model:
            self.pool_model.append(x)
        assert i == self.pool_model.index(x)

    # -- codes view ---------------------------------------------------------------------------

    @precondition(lambda self: self.view is None)
    @rule()
    def take_codes_view(self):
        self.view = memoryview(self.a.codes)
        assert self.view.tolist() == self.a.codes.tolist()

    @precondition(lambda self: self.view is not None)
    @rule()
    def release_codes_view(self):
        self.view.release()
        self.view = None

    # -- reads --------------------------------------------------------------------------------

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
        assert type(piece) is CategoricalArray and piece.nullable == a.nullable
        assert canon_list(piece) == canon_list(model[s])
        assert piece.pool is self.pool
        assert canon_list(reversed(a)) == canon_list(reversed(model))

    @rule(data=st.data())
    def search(self, data):
        a, model = self.a, self.model
        x = data.draw(st.one_of(self.valid(), self.bad(), st.sampled_from(model or [""])),
                      label="x")
        assert (x in a) == (x in model)
        assert a.count(x) == model.count(x)
        try:
            expected = model.index(x)
        except ValueError:
            with pytest.raises(ValueError):
                a.index(x)
        else:
            assert a.index(x) == expected
        assert list(self.pool) == self.pool_model, "a search interned its needle"

    @rule(data=st.data())
    def compare(self, data):
        other = data.draw(st.one_of(st.just(list(self.model)),
                                    st.lists(self.valid(), max_size=5).map(self.conv_all)),
                          label="other")
        for op in (operator.eq, operator.ne, operator.lt, operator.le):
            try:
                expected = op(self.model, other)
            except TypeError:
                with pytest.raises(TypeError):
                    op(self.a, other)
            else:
                assert op(self.a, other) is expected
                assert op(self.a, tuple(other)) is expected
        assert list(self.pool) == self.pool_model

    @rule(data=st.data())
    def add_and_mul(self, data):
        values = data.draw(st.lists(self.valid(), max_size=4), label="values")
        r = self.a + values
        assert type(r) is CategoricalArray
        assert canon_list(r) == canon_list(self.model + self.conv_all(values))
        # the result shares the pool, so the values were interned into it
        self.pool_model = list(self.pool)
        n = data.draw(st.integers(-1, 3), label="n")
        for r in (self.a * n, n * self.a):
            assert canon_list(r) == canon_list(self.model * n)
            r._debug_info()

    @rule()
    def copies(self):
        for c in (self.a.copy(), copy.copy(self.a), self.a[:]):
            assert type(c) is CategoricalArray and canon_list(c) == canon_list(self.model)
            assert c.codes is not self.a.codes
        d = copy.deepcopy(self.a)
        assert canon_list(d) == canon_list(self.model) and d.pool == self.pool

    @rule(protocol=st.sampled_from([2, 5]))
    def pickle_round_trip(self, protocol):
        a2, b2 = pickle.loads(pickle.dumps([self.a, self.b], protocol=protocol))
        assert canon_list(a2) == canon_list(self.model) and b2.tolist() == self.b_model
        assert a2.pool is b2.pool
        assert a2.codes.tolist() == self.a.codes.tolist()


MACHINE_SETTINGS = settings(max_examples=min(50, settings.default.max_examples),
                            stateful_step_count=40)


class PlainCategoricalMachine(CategoricalMachine):
    NULLABLE = False


class NullableCategoricalMachine(CategoricalMachine):
    NULLABLE = True


TestCategorical = PlainCategoricalMachine.TestCase
TestNullableCategorical = NullableCategoricalMachine.TestCase
for _case in (TestCategorical, TestNullableCategorical):
    _case.settings = MACHINE_SETTINGS
del _case
