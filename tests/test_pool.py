"""compactcol.StringPool (SPEC 2.3): interning with dense ids, lookup both
ways, iteration, `strings`, equality, copies, pickling (hostile states ->
ValueError), the deterministic hash (ids survive a trip through another
process), memory, and BAD_INPUTS DI1, DI2 and DI5.  A model machine checks
the pool against a list of distinct strings.
"""

import copy
import gc
import os
import pickle
import subprocess
import sys
import textwrap

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from compactcol import StringArray, StringPool

TEXT = st.one_of(
    st.sampled_from(["", "a", "b", "é", "ß", "中文", "\x00", "a\x00b", "\U0001F600", "aa"]),
    st.text(st.sampled_from(["a", "b", "é", "中", "\x00", "\U0001F600"]), max_size=5),
    st.text(max_size=4))
BAD = [b"a", 1, None, 1.5, ["a"], ("a",), object(), bytearray(b"a")]


class StrSub(str):
    pass


def snap(p):
    p._debug_info()
    return list(p), len(p)


# ---- basics -------------------------------------------------------------------------

def test_intern_gives_dense_ids_and_reuses_them():
    p = StringPool()
    assert len(p) == 0 and list(p) == []
    assert p.intern("a") == 0
    assert p.intern("b") == 1
    assert p.intern("a") == 0
    assert p.intern("") == 2
    assert p.intern("\U0001F600") == 3
    assert p.intern("a\x00b") == 4 and p.intern("a") == 0 and p.intern("a\x00") == 5
    assert len(p) == 6
    assert list(p) == ["a", "b", "", "\U0001F600", "a\x00b", "a\x00"]
    p._debug_info()


def test_construct_from_values_dedupes_in_first_seen_order():
    p = StringPool(["b", "a", "b", "c", "a"])
    assert list(p) == ["b", "a", "c"]
    assert [p.id(s) for s in ("b", "a", "c")] == [0, 1, 2]
    assert list(StringPool(iter(["x", "x"]))) == ["x"]
    assert list(StringPool(StringArray(["q", "r", "q"]))) == ["q", "r"]
    assert list(StringPool(s for s in "abca")) == ["a", "b", "c"]


def test_lookup_both_ways():
    words = ["alpha", "é", "", "中文", "\U0001F600", "a\x00"]
    p = StringPool(words)
    for i, w in enumerate(words):
        assert p[i] == w and type(p[i]) is str
        assert p.id(w) == i
        assert w in p
    assert "zeta" not in p and "alpha\x00" not in p and "alph" not in p
    with pytest.raises(KeyError):
        p.id("zeta")
    with pytest.raises(KeyError):
        p.id("alph")


def test_str_subclass_is_interned_as_exact_str():
    p = StringPool()
    assert p.intern(StrSub("x")) == 0
    assert type(p[0]) is str and p.id("x") == 0 and p.id(StrSub("x")) == 0
    assert StrSub("x") in p


def test_DI1_str_subclass_with_hostile_hash_and_eq():
    """DI1: __hash__/__eq__ of a str subclass must not be consulted (the pool
    hashes the UTF-8 bytes) -- even if they clear the pool."""
    p = StringPool(["a", "b"])

    class Evil(str):
        def __hash__(self):
            raise AssertionError("__hash__ called")

        def __eq__(self, other):
            raise AssertionError("__eq__ called")

    assert p.intern(Evil("a")) == 0
    assert p.intern(Evil("c")) == 2
    assert p.id(Evil("b")) == 1 and Evil("c") in p
    assert list(p) == ["a", "b", "c"]
    p._debug_info()


def test_iteration_and_strings():
    p = StringPool(["x", "y", "é"])
    assert list(iter(p)) == ["x", "y", "é"]
    s = p.strings
    assert type(s) is StringArray and s == ["x", "y", "é"] and not s.nullable
    s.append("changed")                     # a new array: the pool does not change
    assert len(p) == 3
    assert p.strings is not p.strings
    p.intern("z")
    assert s == ["x", "y", "é", "changed"]
    assert p.strings == ["x", "y", "é", "z"]
    assert StringPool().strings == []


def test_iteration_while_interning():
    p = StringPool(["a", "b"])
    it = iter(p)
    assert next(it) == "a"
    try:
        p.intern("c")
        rest = list(it)
    except RuntimeError:
        pass                                 # like a dict changing size
    else:
        assert rest in (["b"], ["b", "c"])


def test_equality():
    assert StringPool(["a", "b"]) == StringPool(["a", "b"])
    assert StringPool(["a", "b"]) != StringPool(["b", "a"])
    assert StringPool(["a"]) != StringPool(["a", "b"])
    assert StringPool() == StringPool()
    p = StringPool(["a"])
    assert (p == 5) is False and (p != 5) is True
    with pytest.raises(TypeError):
        hash(p)


def test_repr():
    assert repr(StringPool(["a", "b"])) == "StringPool(['a', 'b'])"
    assert repr(StringPool()) == "StringPool([])"
    r = repr(StringPool(f"s{i}" for i in range(5000)))
    assert r.startswith("StringPool(['s0', 's1', 's2', ..., ") and "length=5000" in r
    assert len(r) < 200


def test_copies_are_independent():
    p = StringPool(["a", "b"])
    for c in (p.copy(), copy.copy(p), copy.deepcopy(p)):
        assert type(c) is StringPool and c == p and c is not p
        c.intern("new")
        assert len(p) == 2 and "new" not in p
        assert c.id("new") == 2
        c._debug_info()


def test_many_strings_and_growth():
    words = [f"w{i}-é" for i in range(50_000)]
    p = StringPool()
    for i, w in enumerate(words):
        assert p.intern(w) == i
    assert len(p) == 50_000
    assert all(p.id(words[i]) == i for i in range(0, 50_000, 97))
    assert p[49_999] == words[-1]
    for i, w in enumerate(words[:1000]):
        assert p.intern(w) == i
    assert len(p) == 50_000
    p._debug_info()


def test_collisions_of_similar_strings():
    """Strings differing in one byte, length prefixes, NULs: all distinct."""
    words = ["", "\x00", "\x00\x00", "a", "a\x00", "\x00a"] + [
        "k" * n for n in range(1, 70)] + [chr(c) for c in range(0x20, 0x2000, 7)]
    p = StringPool(words)
    assert len(p) == len(words)
    assert [p.id(w) for w in words] == list(range(len(words)))


# ---- DI2: ids out of range ------------------------------------------------------------------

@pytest.mark.parametrize("bad_id", [-1, -2, -3, 3, 4, 2**31, 2**63 - 1, 2**63, 2**64,
                                    2**100, -2**63, -2**100])
def test_DI2_id_out_of_range_raises_indexerror(bad_id):
    """DI2: ids are not positions: negative ids are errors, not from the end."""
    p = StringPool(["a", "b", "c"])
    with pytest.raises(IndexError):
        p[bad_id]
    assert snap(p) == (["a", "b", "c"], 3)


def test_DI2_empty_pool_and_index_objects():
    with pytest.raises(IndexError):
        StringPool()[0]

    class I:
        def __index__(self):
            return 1
    p = StringPool(["a", "b"])
    assert p[I()] == "b"
    assert p[True] == "b"


@pytest.mark.parametrize("bad_id", ["0", 0.0, 1.5, None, b"\x00", [0], slice(0, 1)],
                         ids=repr)
def test_DI2_non_int_id_raises_typeerror(bad_id):
    p = StringPool(["a", "b"])
    with pytest.raises(TypeError):
        p[bad_id]


# ---- DI5: non-str keys -------------------------------------------------------------------------

@pytest.mark.parametrize("bad", BAD, ids=lambda v: type(v).__name__)
def test_DI5_non_str_intern_raises_typeerror_and_unchanged(bad):
    p = StringPool(["a"])
    before = snap(p)
    with pytest.raises(TypeError) as info:
        p.intern(bad)
    assert ("None" if bad is None else type(bad).__name__) in str(info.value)
    assert "nullable" not in str(info.value), "a pool has no nullable option"
    assert snap(p) == before
    with pytest.raises(KeyError):
        p.id(bad)
    assert bad not in p
    with pytest.raises(TypeError):
        StringPool(["x", bad])
    assert snap(p) == before


def test_DI5_surrogates_refused_and_unchanged():
    p = StringPool(["a"])
    before = snap(p)
    with pytest.raises(UnicodeEncodeError):
        p.intern("\ud800")
    assert snap(p) == before
    assert "\ud800" not in p
    with pytest.raises((KeyError, UnicodeEncodeError)):
        p.id("\ud800")
    with pytest.raises(UnicodeEncodeError):
        StringPool(["x", "\udc00"])


def test_DI5_unhashable_key():
    p = StringPool(["a"])
    with pytest.raises(TypeError):
        p.intern({})
    assert {} not in p
    with pytest.raises(KeyError):
        p.id({})


def test_failed_construction_from_iterator():
    def gen():
        yield "a"
        raise ZeroDivisionError
    with pytest.raises(ZeroDivisionError):
        StringPool(gen())


# ---- pickling -----------------------------------------------------------------------------------

POOLS = {
    "empty": StringPool(),
    "small": StringPool(["a", "é", "", "\U0001F600", "a\x00b"]),
    "big": StringPool([f"key-{i}" for i in range(20_000)]),
}


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("name", list(POOLS))
def test_pickle_round_trip(name, protocol):
    p = POOLS[name]
    q = pickle.loads(pickle.dumps(p, protocol=protocol))
    assert type(q) is StringPool and q == p and list(q) == list(p)
    for i, s in enumerate(list(p)[:500]):
        assert q.id(s) == i and q[i] == s
    assert q.intern("brand new") == len(p)
    q._debug_info()


def test_pickle_out_of_band():
    p = POOLS["big"]
    buffers = []
    data = pickle.dumps(p, protocol=5, buffer_callback=buffers.append)
    assert buffers, "protocol 5 with a buffer_callback sends the arena out of band"
    assert len(data) < 20_000, "the strings went in band"
    q = pickle.loads(data, buffers=buffers)
    assert q == p
    for b in buffers:
        b.release()
    assert q.id("key-19999") == 19_999


def test_pickle_keeps_shared_identity():
    p = StringPool(["x"])
    r = pickle.loads(pickle.dumps([p, p, {"k": p}], protocol=5))
    assert r[0] is r[1] is r[2]["k"]


def crafted(p, change):
    """The pool's reduce state with every StringArray / buffer in it passed
    through `change` (values -> values), whatever the state's shape."""
    fn, args = p.__reduce_ex__(2)[:2]
    if fn.__name__ == "pool_from_buffers":  # the arena as a StringArray state
        from compactcol import _core
        strings = _core._strarray_from_state(*args).tolist()
        return fn, StringArray(change(strings), nullable=True).__reduce_ex__(2)[1]
    out = []
    found = False
    for x in args:
        if isinstance(x, StringArray):
            out.append(StringArray(change(x.tolist()), nullable=True))
            found = True
        elif isinstance(x, (list, tuple)) and all(isinstance(s, str) for s in x):
            out.append(type(x)(change(list(x))))
            found = True
        else:
            out.append(x)
    if not found:
        pytest.skip(f"unrecognised pool state {args!r}")
    return fn, out


class Crafted:
    def __init__(self, fn, args):
        self.fn, self.args = fn, tuple(args)

    def __reduce__(self):
        return self.fn, self.args


@pytest.mark.parametrize("change,exc", [
    (lambda xs: xs + [xs[0]], ValueError),              # duplicate string
    (lambda xs: [xs[1]] + xs[1:], ValueError),          # duplicate at the front
    (lambda xs: xs + ["", ""], ValueError),             # duplicate empty strings
    (lambda xs: xs + ["a\x00", "a\x00"], ValueError),   # duplicates with a NUL
    (lambda xs: xs + [None], (ValueError, TypeError)),  # a null where a string belongs
], ids=["dup_end", "dup_front", "dup_empty", "dup_nul", "none"])
def test_hostile_pool_state_raises_valueerror(change, exc):
    p = StringPool(["a", "b", "c"])
    fn, args = crafted(p, change)
    with pytest.raises(exc):
        fn(*args)
    for protocol in (2, 5):
        with pytest.raises(exc):
            pickle.loads(pickle.dumps(Crafted(fn, args), protocol=protocol))


def test_hostile_pool_state_duplicates_valueerror():
    p = StringPool(["a", "b", "c"])
    fn, args = crafted(p, lambda xs: xs + ["b"])
    with pytest.raises(ValueError):
        fn(*args)
    with pytest.raises(ValueError):
        pickle.loads(pickle.dumps(Crafted(fn, args), protocol=5))


def test_pool_state_wrong_types():
    p = StringPool(["a"])
    fn, args = p.__reduce_ex__(2)[:2]
    for wrong in (None, 5, "abc", b"abc", [1, 2]):
        with pytest.raises((TypeError, ValueError)):
            fn(*([wrong] + list(args[1:])))


# ---- deterministic hash across processes --------------------------------------------------

def _run_child(code, env_seed):
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = str(env_seed)
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                         capture_output=True, cwd="/", timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    return out.stdout


def test_hash_is_deterministic_across_processes():
    """Pickled in a process with one PYTHONHASHSEED, loaded in another: the
    same ids, lookups work without re-interning, and the pickles are
    byte-identical (nothing depends on Python's randomised str hash)."""
    code = """
        import pickle, sys
        from compactcol import StringPool
        words = [f"w{i}\\u00e9" for i in range(3000)] + ["", "\\x00", "\\U0001F600"]
        p = StringPool(words)
        sys.stdout.buffer.write(pickle.dumps(p, protocol=4))
    """
    a = _run_child(code, 1)
    b = _run_child(code, 12345)
    assert a == b, "the pickled pool depends on the hash seed"
    p = pickle.loads(a)
    words = [f"w{i}\u00e9" for i in range(3000)] + ["", "\x00", "\U0001F600"]
    assert [p.id(w) for w in words] == list(range(len(words)))
    assert p.intern("w17\u00e9") == 17 and p.intern("fresh") == len(words)
    # and the reverse direction: pickled here, loaded in a child
    here = pickle.dumps(StringPool(words), protocol=5)
    check = f"""
        import pickle, sys
        p = pickle.loads({here!r})
        words = [f"w{{i}}\\u00e9" for i in range(3000)] + ["", "\\x00", "\\U0001F600"]
        assert [p.id(w) for w in words] == list(range(len(words)))
        assert p.intern("w5\\u00e9") == 5
        print("ok")
    """
    assert _run_child(check, 999).strip() == b"ok"


# ---- memory ----------------------------------------------------------------------------------

def test_nbytes_within_the_memory_target():
    """SPEC 2.3: <= UTF-8 length + 16 bytes per distinct string."""
    for n in (1, 100, 10_000, 100_000):
        words = [f"k{i:07d}" for i in range(n)]
        p = StringPool(words)
        utf8 = sum(len(w.encode()) for w in words)
        assert p.nbytes >= utf8
        assert p.nbytes <= utf8 + 16 * n + 64, (n, p.nbytes, utf8)
        assert sys.getsizeof(p) >= p.nbytes


def test_getsizeof_grows_and_is_freed():
    import tracemalloc
    small = sys.getsizeof(StringPool(["a"]))
    big = StringPool(f"s{i}" for i in range(100_000))
    assert sys.getsizeof(big) > small + 100_000 * 2
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        p = StringPool(f"v{i}" for i in range(100_000))
        mid, _ = tracemalloc.get_traced_memory()
        assert mid - before >= 100_000 * 2
        del p
        gc.collect()
        end, _ = tracemalloc.get_traced_memory()
        assert end - before < 10**5
    finally:
        tracemalloc.stop()


# ---- model machine ----------------------------------------------------------------------------

class PoolMachine(RuleBasedStateMachine):
    @initialize(values=st.lists(TEXT, max_size=6))
    def init(self, values):
        self.p = StringPool(values)
        self.model = []
        for v in values:
            if v not in self.model:
                self.model.append(v)

    @invariant()
    def agrees(self):
        info = self.p._debug_info()
        assert info["length"] == len(self.p) == len(self.model)
        assert list(self.p) == self.model
        assert info["exports"] == 0

    @rule(s=st.one_of(TEXT, TEXT.map(StrSub)))
    def intern(self, s):
        expected = self.model.index(s) if s in self.model else len(self.model)
        assert self.p.intern(s) == expected
        if expected == len(self.model):
            self.model.append(str.__str__(s))

    @rule(x=st.one_of(TEXT, st.sampled_from(BAD + ["\ud800"])))
    def bad_or_lookup(self, x):
        if isinstance(x, str) and x in self.model:
            assert self.p.id(x) == self.model.index(x) and x in self.p
            return
        assert x not in self.p
        with pytest.raises((KeyError, UnicodeEncodeError)):
            self.p.id(x)
        if not isinstance(x, str):
            with pytest.raises(TypeError):
                self.p.intern(x)

    @rule(i=st.integers(-3, 12))
    def getitem(self, i):
        if 0 <= i < len(self.model):
            assert self.p[i] == self.model[i]
        else:
            with pytest.raises(IndexError):
                self.p[i]

    @rule()
    def copies_and_pickle(self):
        for q in (self.p.copy(), pickle.loads(pickle.dumps(self.p, protocol=5))):
            assert q == self.p and list(q) == self.model
        assert self.p.strings == self.model


TestPoolMachine = PoolMachine.TestCase
TestPoolMachine.settings = settings(max_examples=min(50, settings.default.max_examples),
                                    stateful_step_count=40)
