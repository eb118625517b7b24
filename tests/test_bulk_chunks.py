"""Bulk constructors convert their input a chunk at a time (issue 14:
construction peaks stay bounded; the peaks themselves are measured in
bench/memory_bench.py).  These tests check what chunking must not change:
the values, the position a bad item is reported at (past the first
chunk), and all-or-nothing (BAD_INPUTS X1: a failed call leaves the
container as it was)."""

import pytest

import compactcol as cc

CHUNK = 1 << 15  # STR_CHUNK_ITEMS in src/strarray.h
N = 3 * CHUNK + 123


def words(n=N):
    return [f"w{i % 1000}" for i in range(n)]


@pytest.mark.parametrize("make", [list, tuple, iter, cc.StringArray], ids=lambda f: f.__name__)
def test_categorical_from_every_kind_of_source(make):
    src = words()
    c = cc.CategoricalArray(make(src))
    assert c.tolist() == src
    assert len(c.pool) == 1000


@pytest.mark.parametrize("make", [list, iter], ids=lambda f: f.__name__)
@pytest.mark.parametrize("bad_at", [5, CHUNK, 2 * CHUNK + 7])
def test_a_bad_item_is_named_by_its_position_in_the_input(make, bad_at):
    src = words()
    src[bad_at] = 12
    with pytest.raises(TypeError, match=f"item {bad_at}"):
        cc.CategoricalArray(make(src))
    with pytest.raises(TypeError, match=f"item {bad_at}"):
        cc.StringPool(make(src))


def test_a_null_past_the_first_chunk_of_a_string_array():
    src = cc.StringArray(words(), nullable=True)
    src[2 * CHUNK + 1] = None
    with pytest.raises(TypeError, match=f"item {2 * CHUNK + 1}"):
        cc.CategoricalArray(src)
    assert cc.CategoricalArray(src, nullable=True).tolist() == src.tolist()


def test_a_failed_extend_from_a_list_leaves_array_and_pool_as_they_were():
    pool = cc.StringPool(["a"])
    c = cc.CategoricalArray(["a"], pool=pool)
    src = [f"new{i}" for i in range(N)]
    src[-1] = None
    with pytest.raises(TypeError, match=f"item {N - 1}"):
        c.extend(src)
    assert c.tolist() == ["a"]
    assert len(pool) == 1  # from a list nothing else ran: the new strings are forgotten


def test_a_failed_extend_from_a_generator_forgets_its_strings():
    pool = cc.StringPool(["a"])
    c = cc.CategoricalArray(["a"], pool=pool)
    with pytest.raises(TypeError, match=f"item {N - 1}"):
        c.extend(f"new{i}" if i < N - 1 else None for i in range(N))
    assert c.tolist() == ["a"]
    assert len(pool) == 1


def test_a_failed_extend_keeps_strings_another_interned_meanwhile():
    """An iterator runs code between chunks; here it interns a string of
    its own into the shared pool, whose id must stay valid: the strings
    the failed call interned stay too (a failed call may leave them); the
    array itself is unchanged."""
    pool = cc.StringPool(["a"])
    c = cc.CategoricalArray(["a"], pool=pool)

    def gen():
        for i in range(N):
            if i == CHUNK + 3:
                pool.intern("from the iterator")
            yield f"new{i}" if i < N - 1 else None

    with pytest.raises(TypeError, match=f"item {N - 1}"):
        c.extend(gen())
    assert c.tolist() == ["a"]
    assert pool.id("from the iterator") >= 1
    other = cc.CategoricalArray(["from the iterator"], pool=pool)
    assert other.tolist() == ["from the iterator"]


def test_stringpool_from_an_iterator_keeps_first_ids():
    src = words()
    p = cc.StringPool(iter(src))
    assert len(p) == 1000
    assert [p.id(f"w{i}") for i in range(1000)] == list(range(1000))


def test_strdict_built_without_staging_is_all_or_nothing():
    good = {f"k{i}": i for i in range(N)}
    d = cc.StrDict("int64", good)
    assert dict(d.items()) == good
    bad = dict(good)
    bad["k70000"] = "x"
    with pytest.raises(TypeError, match="k70000"):
        cc.StrDict("int64", bad)
    e = cc.StrDict("int64")
    with pytest.raises(TypeError, match="k70000"):
        e.__init__("int64", bad)  # __init__ again on an empty dict: it stays empty
    assert len(e) == 0 and list(e) == []
    f = cc.StrDict("int64", {"z": 1})
    with pytest.raises(TypeError, match="k70000"):
        f.__init__("int64", bad)  # on a filled dict: as update, all or nothing
    assert dict(f.items()) == {"z": 1}
