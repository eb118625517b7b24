"""StrDict: dict behaviour, the Counter helpers, pickling, bad inputs (DI1,
DI5), reentrant values, memory and allocation failures."""

import collections
import copy
import gc
import pickle
import sys

import pytest

from compactcol import Array, StrDict, StringArray
from compactcol import _core as core

DTYPES = ["int64", "int", "float64", "bool", "uint8", "str", "object"]
SAMPLE = {"int64": 7, "int": 300, "float64": 1.5, "bool": True, "uint8": 200, "str": "v",
          "object": [1, 2]}


def filled(dtype, n=5):
    return StrDict(dtype, {f"k{i}-é": SAMPLE[dtype] for i in range(n)})


# ---- dict behaviour ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_behaves_like_a_dict(dtype):
    d = filled(dtype)
    model = dict(d)
    assert d == model and model == d and not (d != model)
    assert d.value_dtype == dtype
    assert isinstance(d, collections.abc.MutableMapping)
    assert list(d) == list(model) and list(d.keys()) == list(model.keys())
    assert list(d.values()) == list(model.values())
    assert ("k0-é", SAMPLE[dtype]) in d.items() and ("nope", 1) not in d.items()
    assert d.keys() & {"k0-é", "x"} == {"k0-é"}
    assert d.keys() | {"x"} == set(model) | {"x"}
    assert len(d.keys()) == len(d.values()) == len(d.items()) == 5
    assert list(reversed(d.keys())) == list(reversed(model.keys()))


def test_or_ior_ror_fromkeys():
    d = StrDict("int64", {"a": 1})
    assert d | {"b": 2} == {"a": 1, "b": 2} and d == {"a": 1}
    e = {"z": 0} | d
    assert type(e) is StrDict and list(e) == ["z", "a"]
    d |= [("c", 3)]
    assert list(d.items()) == [("a", 1), ("c", 3)]
    assert StrDict.fromkeys("ab", 0) == {"a": 0, "b": 0}
    assert StrDict.fromkeys("ab").value_dtype == "object"
    assert StrDict.fromkeys(["x"], "s").value_dtype == "str"
    assert StrDict("float64", [("a", 1)], b=2.5) == {"a": 1.0, "b": 2.5}
    kw = StrDict(value_dtype="str", items={"k": "v"})
    assert kw.value_dtype == "str" and kw == {"k": "v"}


def test_reassigning_keeps_the_position_and_popitem_is_lifo():
    d = StrDict("int64", {"a": 1, "b": 2, "c": 3})
    d["a"] = 10
    assert list(d.items()) == [("a", 10), ("b", 2), ("c", 3)]
    assert d.popitem() == ("c", 3)
    del d["a"]
    d["a"] = 5
    assert list(d) == ["b", "a"]
    d.clear()
    with pytest.raises(KeyError):
        d.popitem()


def test_iterating_while_the_size_changes_raises_runtimeerror():
    d = StrDict("int64", {"a": 1, "b": 2})
    for view in (d, d.keys(), d.values(), d.items()):
        it = iter(view)
        next(it)
        d["new"] = 1
        with pytest.raises(RuntimeError, match="changed size"):
            next(it)
        del d["new"]
    it = iter(d)
    next(it)
    del d["a"]
    d["c"] = 3  # same size, other keys
    with pytest.raises(RuntimeError, match="keys changed"):
        next(it)
    for k in d:  # value updates during iteration are fine, as for dict
        d[k] += 1


def test_tombstones_are_compacted_so_memory_follows_the_live_keys():
    d = StrDict("str", {f"key-{i}": "v" * 20 for i in range(20000)})
    full = sys.getsizeof(d)
    for i in range(19990):
        del d[f"key-{i}"]
    info = d._debug_info()
    assert info["length"] == 10 and info["tombstones"] <= 32
    assert sys.getsizeof(d) < full / 20
    assert list(d) == [f"key-{i}" for i in range(19990, 20000)]


def test_repr_is_short():
    assert repr(StrDict("int64", {"a": 1})) == "StrDict('int64', {'a': 1})"
    r = repr(StrDict("int64", {str(i): i for i in range(5000)}))
    assert r.startswith("StrDict('int64', {'0': 0, '1': 1, '2': 2, ..., '4997': 4997")
    assert r.endswith("length=5000)") and len(r) < 200


# ---- Counter helpers ------------------------------------------------------------------------


def test_count_and_most_common_match_counter():
    tokens = "the cat and the hat and the bat sat".split() * 3 + ["é", "", "\U0001F600"]
    c = StrDict.count(tokens)
    counter = collections.Counter(tokens)
    assert c == counter and list(c) == list(counter)
    for n in (None, 0, 1, 3, 100):
        assert c.most_common(n) == counter.most_common(n)  # ties in insertion order
    assert StrDict.count(iter(tokens), value_dtype="int32").value_dtype == "int32"
    with pytest.raises(TypeError, match="item 2"):
        StrDict.count(["a", "b", 3])


def test_increment():
    d = StrDict("int64")
    d.increment("a")
    d.increment("a", by=4)
    d.increment("b", -1)
    assert d == {"a": 5, "b": -1}
    d["m"] = 2**63 - 1
    with pytest.raises(OverflowError):
        d.increment("m")
    assert d["m"] == 2**63 - 1
    f = StrDict("float64")
    f.increment("x", 0.5)
    assert f["x"] == 0.5
    with pytest.raises(TypeError):
        StrDict("str").increment("a")


# ---- bad input ----------------------------------------------------------------------------------


class EvilStr(str):
    """DI1: a str subclass whose __hash__/__eq__ clear the dict."""
    target = None

    def __hash__(self):
        if EvilStr.target is not None:
            EvilStr.target.clear()
        return super().__hash__()

    def __eq__(self, other):
        if EvilStr.target is not None:
            EvilStr.target.clear()
        return super().__eq__(other)


def test_DI1_str_subclass_with_mutating_hash_and_eq_is_stored_as_exact_str():
    d = StrDict("int64", {"a": 1})
    EvilStr.target = d
    try:
        d[EvilStr("b")] = 2
        assert d["b"] == 2 and EvilStr("b") in d and d.get(EvilStr("a")) == 1
        assert all(type(k) is str for k in d)
        del d[EvilStr("a")]
        assert d == {"b": 2}
        c = StrDict.count([EvilStr("x"), "x"])
        assert c == {"x": 2}
    finally:
        EvilStr.target = None


@pytest.mark.parametrize("key", [5, None, b"a", ("a",), ["unhashable"], 1.5])
def test_DI5_non_str_keys_raise_typeerror_on_store_and_are_absent_on_lookup(key):
    d = StrDict("int64", {"a": 1})
    with pytest.raises(TypeError, match="expected str"):
        d[key] = 1
    with pytest.raises(TypeError):
        d.update([(key, 1)])
    with pytest.raises(TypeError):
        d.setdefault(key, 1)
    assert d == {"a": 1} and d._debug_info()["entries"] == 1
    assert key not in d and d.get(key) is None and d.pop(key, "x") == "x"
    with pytest.raises(KeyError):
        d[key]
    with pytest.raises(KeyError):
        del d[key]


def test_DI5_lone_surrogate_keys():
    d = StrDict("int64")
    with pytest.raises(UnicodeEncodeError):
        d["\ud800"] = 1
    assert "\ud800" not in d and len(d) == 0


@pytest.mark.parametrize("dtype,bad", [("int64", "x"), ("int64", 2**64), ("int64", None),
                                       ("uint8", 256), ("uint8", -1), ("str", 5),
                                       ("str", b"x"), ("bool", 2)])
def test_bad_values_name_the_key_and_change_nothing(dtype, bad):
    d = filled(dtype)
    before = list(d.items())
    with pytest.raises((TypeError, OverflowError)) as info:
        d["k1-é"] = bad
    assert "'k1-é'" in str(info.value) and dtype in str(info.value)
    with pytest.raises((TypeError, OverflowError)):
        d["new key"] = bad
    with pytest.raises((TypeError, OverflowError)):
        d.update({"another": SAMPLE[dtype], "k0-é": bad})
    assert list(d.items()) == before and d._debug_info()["entries"] == 5


# ---- reentrancy --------------------------------------------------------------------------------------


def test_object_values_whose_del_mutates_the_dict():
    d = StrDict("object")

    class Mutator:
        def __del__(self):
            d.clear()
            d["from-del"] = 1

    d["a"] = Mutator()
    d["a"] = 2  # the old value's __del__ runs after the store
    assert d == {"from-del": 1}
    d["b"] = Mutator()
    del d["b"]
    assert d == {"from-del": 1}
    d["c"] = Mutator()
    d.update({"c": 3})
    assert d == {"from-del": 1}
    d._debug_info()


def test_update_from_an_iterator_that_mutates_the_dict():
    d = StrDict("int64", {"a": 1})

    def pairs():
        d["during"] = 5
        yield ("x", 1)
        d.clear()
        yield ("y", 2)

    d.update(pairs())
    assert d == {"x": 1, "y": 2}
    d._debug_info()


def test_gc_collects_cycles_through_object_values():
    d = StrDict("object")
    d["self"] = d
    ref = __import__("weakref").ref(d)
    del d
    gc.collect()
    assert ref() is None


# ---- pickle and copies -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(dtype, protocol):
    d = filled(dtype, 50)
    for i in range(0, 50, 3):
        del d[f"k{i}-é"]  # tombstones are not pickled
    buffers = []
    data = pickle.dumps(d, protocol, buffer_callback=buffers.append if protocol >= 5 else None)
    e = pickle.loads(data, buffers=buffers)
    assert type(e) is StrDict and e.value_dtype == dtype
    assert list(e.items()) == list(d.items()) and e._debug_info()["tombstones"] == 0
    if protocol >= 5 and dtype != "object":
        assert buffers, "protocol 5 sends the buffers out of band"


@pytest.mark.parametrize("state", [
    ("int64", StringArray(["a", "a"]), Array("int64", [1, 2])),      # duplicate key
    ("int64", StringArray(["a"]), Array("int64", [1, 2])),           # lengths differ
    ("int64", StringArray(["a"]), Array("float64", [1.0])),          # other dtype
    ("int64", StringArray(["a", None], nullable=True), Array("int64", [1, 2])),
])
def test_hostile_pickle_states_raise_valueerror(state):
    from compactcol._pickle import strdict_from_state
    with pytest.raises(ValueError):
        strdict_from_state(StrDict, *state)


@pytest.mark.parametrize("state", [
    ("str", StringArray(["a"]), [1]),                                # wrong container
    ("object", StringArray(["a"]), ("tuple",)),
])
def test_pk5_pickle_states_of_wrong_types_raise_typeerror(state):
    from compactcol._pickle import strdict_from_state
    with pytest.raises(TypeError):
        strdict_from_state(StrDict, *state)
    with pytest.raises(TypeError):
        strdict_from_state(dict, "int64", StringArray(), Array("int64"))


def test_copy_and_deepcopy():
    d = StrDict("object", {"a": [1]})
    c, dc = copy.copy(d), copy.deepcopy(d)
    assert c == d == dc and c["a"] is d["a"] and dc["a"] is not d["a"]
    c["b"] = 2
    assert "b" not in d


# ---- memory ----------------------------------------------------------------------------------------


def test_getsizeof_and_nbytes_count_the_buffers():
    d = StrDict("int64", {f"{i:012d}": i for i in range(10000)})
    assert d.nbytes >= 10000 * (12 + 4 + 8)
    assert sys.getsizeof(d) >= d.nbytes
    assert sys.getsizeof(d) / 10000 < 45


def test_leak_loop():
    def rounds():
        d = StrDict("str", {"a": "x"})
        for i in range(50):
            d[str(i)] = "v" * (i % 7)
        for i in range(40):
            del d[str(i)]
        pickle.loads(pickle.dumps(d, 5))
        d.update({"z": "q"})
        list(d.items())
        StrDict.count(["a", "b", "a"]).most_common(1)
    for _ in range(300):
        rounds()
    gc.collect()
    blocks, live = sys.getallocatedblocks(), core._debug_alloc_stats()["live_blocks"]
    for _ in range(500):
        rounds()
    gc.collect()
    assert core._debug_alloc_stats()["live_blocks"] == live
    assert sys.getallocatedblocks() - blocks < 100


@pytest.mark.parametrize("dtype", ["int64", "int", "str", "object"])
@pytest.mark.parametrize("op", ["setitem", "update", "delete_many", "count"])
def test_allocation_failure_leaves_the_dict_unchanged(dtype, op):
    ops = {
        "setitem": lambda d: d.__setitem__("brand new key", SAMPLE[dtype]),
        "update": lambda d: d.update({f"u{i}": SAMPLE[dtype] for i in range(40)} | {"k1-é": SAMPLE[dtype]}),
        "delete_many": lambda d: [d.__delitem__(f"k{i}-é") for i in range(40)],
        "count": lambda d: d._count(["k1-é", "fresh"]) if dtype == "int64" else None,
    }
    failures = 0
    for k in range(1, 12):
        d = filled(dtype, 45)
        before = list(d.items())
        core._debug_fail_alloc(k)
        try:
            ops[op](d)
        except MemoryError:
            failures += 1
            core._debug_fail_alloc(0)
            if op != "count":  # count is a constructor's loop: partial is fine
                assert list(d.items()) == before
        finally:
            core._debug_fail_alloc(0)
        d._debug_info()
        d["usable"] = SAMPLE[dtype]
    if op in ("update",):
        assert failures >= 1
