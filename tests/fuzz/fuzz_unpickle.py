"""Fuzz the pickle reconstructors with mutated real pickle states.

The input builds a container (Array of every dtype, adaptive 'int',
nullable; StringArray; StringPool; CategoricalArray; StrDict of int64 /
float64 / str / object values; Table), takes its real state from
obj.__reduce_ex__(2..5), and mutates it: flags, dtype and byte-order
strings, lengths, buffer bytes and sizes (bytes, bytearray, PickleBuffer,
strided memoryview), offsets, bitmaps, nested containers, field tuples.
The reconstructor must raise only a clean exception (_common.CLEAN or
pickle.UnpicklingError) or return an object whose _debug_info passes and
that survives iteration and its own pickle round trip.

Nested containers in a state are never mutated in place (StrDict's state
shares its live values: the known strdict_reduce_ex_exposes_live_values).
"""
import pickle
import sys

import atheris

with atheris.instrument_imports():
    import compactcol as cc

from _common import AVOID_KNOWN, CLEAN, Finding, check_invariants, main

# + BufferError: a strided memoryview as a buffer gets CPython's own
# "not C-contiguous" BufferError from PyObject_GetBuffer (noted in RESULTS.md)
CLEAN_HERE = (*CLEAN, pickle.UnpicklingError, BufferError)

DTYPES = list(cc.DTYPES) + ["int", "decimal128(12, 2)", "decimal128(38, 0)"]
STRINGS = DTYPES + ["str", "object", "category", "int8?", "str?", "little", "big", "",
                    "int8\0x", "float16", "\ud800", "int64?", "category?"]
INTS = [0, 1, -1, 2**31, 2**32 + 1, 2**62, 2**63 - 1, 2**63, -2**63, 2**64]
WORDS = ["a", "b", "", "ab", "é", "\U0001f600", "a\0b", "zz", "a"]
CONTAINERS = (cc.Array, cc.StringArray, cc.StringPool, cc.CategoricalArray)


class SubDict(cc.StrDict):
    """A StrDict subclass a state may name (module level, so it pickles)."""


def make(fdp):
    """A small container built from the input."""
    k = fdp.ConsumeIntInRange(0, 6)
    n = fdp.ConsumeIntInRange(0, 12)
    words = [fdp.PickValueInList(WORDS) for _ in range(n)]
    nulls = fdp.ConsumeBool()
    if k == 0:
        dt = fdp.PickValueInList(DTYPES)
        if dt == "bool":
            vals = [fdp.ConsumeBool() for _ in range(n)]
        elif dt.startswith("float"):
            vals = [fdp.ConsumeRegularFloat() if dt == "float64" else float(fdp.ConsumeIntInRange(-99, 99))
                    for _ in range(n)]
        elif dt == "int":
            vals = [fdp.ConsumeIntInRange(-2**40, 2**40) >> fdp.ConsumeIntInRange(0, 40) for _ in range(n)]
        else:
            vals = [fdp.ConsumeIntInRange(0, 100) for _ in range(n)]
        if nulls:
            vals = [None if fdp.ConsumeIntInRange(0, 3) == 3 else v for v in vals]
        return cc.Array(dt, vals, nullable=nulls)
    if k == 1:
        return cc.StringArray([None if nulls and w == "zz" else w for w in words], nullable=nulls)
    if k == 2:
        return cc.StringPool(dict.fromkeys(words))
    if k == 3:
        return cc.CategoricalArray([None if nulls and w == "zz" else w for w in words], nullable=nulls)
    if k == 4:
        vd = fdp.PickValueInList(["int64", "float64", "str", "object", "int8", "bool"])
        d = cc.StrDict(vd)
        for i, w in enumerate(words):
            d[w] = {"str": str(i), "object": [i], "bool": bool(i & 1)}.get(vd, i)
        for w in words[: fdp.ConsumeIntInRange(0, 2)]:  # tombstones: the other state format
            d.pop(w, None)
        return d
    rows = [{"a": i, "b": w if w != "zz" else None, "c": w} for i, w in enumerate(words)]
    return cc.Table({"a": "int64", "b": "str?", "c": "category"}, rows)


def mutate_bytes(fdp, raw):
    op = fdp.ConsumeIntInRange(0, 4)
    if op == 1:
        raw = raw[: fdp.ConsumeIntInRange(0, len(raw))]
    elif op == 2:
        raw = raw + fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 16))
    elif op == 3 and raw:
        b = bytearray(raw)
        for _ in range(fdp.ConsumeIntInRange(1, 4)):
            b[fdp.ConsumeIntInRange(0, len(b) - 1)] = fdp.ConsumeIntInRange(0, 255)
        raw = bytes(b)
    elif op == 4:
        raw = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 40))
    wrap = fdp.ConsumeIntInRange(0, 6)
    if wrap == 1:
        return bytearray(raw)
    if wrap == 2:
        return pickle.PickleBuffer(bytearray(raw))
    if wrap == 3:
        return pickle.PickleBuffer(raw)
    if wrap == 4:
        return memoryview(raw + raw)[::2]  # not contiguous
    if wrap == 5 and len(raw) % 4 == 0:
        return memoryview(raw).cast("i")
    if wrap == 6:
        return raw.decode("latin-1")
    return raw


def mutate(fdp, v, depth=0):
    """A mutated copy of one state value (rarely changed: one field at a time matters)."""
    if depth > 3 or fdp.ConsumeIntInRange(0, 5) != 5:
        if isinstance(v, pickle.PickleBuffer):  # keep, but as the unpickler would hand it
            return fdp.PickValueInList([v, bytes(v.raw())])
        if isinstance(v, tuple):
            return tuple(mutate(fdp, x, depth + 1) for x in v)
        return v
    if isinstance(v, bool):
        return fdp.PickValueInList([not v, None, 0, 1, "x"])
    if isinstance(v, int):
        return fdp.PickValueInList(INTS + [v + fdp.ConsumeIntInRange(-3, 3), v * 8, v // 8])
    if isinstance(v, str):
        s = fdp.PickValueInList(STRINGS)
        if AVOID_KNOWN and s == "\ud800":  # RESULTS.md F2: two of them give a SystemError
            s = "middle" if v in ("little", "big") else s
        return s
    if isinstance(v, pickle.PickleBuffer):
        return mutate_bytes(fdp, bytes(v.raw()))
    if isinstance(v, (bytes, bytearray)):
        return mutate_bytes(fdp, bytes(v))
    if v is None:
        return fdp.PickValueInList([b"", b"\xff" * fdp.ConsumeIntInRange(1, 9), 0])
    if isinstance(v, tuple):
        items = list(v)
        op = fdp.ConsumeIntInRange(0, 2)
        if op == 0 and items:
            del items[fdp.ConsumeIntInRange(0, len(items) - 1)]
        elif op == 1:
            items.insert(fdp.ConsumeIntInRange(0, len(items)), fdp.PickValueInList(STRINGS + [None, 1]))
        else:
            items = [mutate(fdp, x, depth + 1) for x in items]
        return tuple(items)
    if isinstance(v, list):
        return fdp.PickValueInList([v[:-1], v + [None], [], list(reversed(v))])
    if isinstance(v, type):
        return fdp.PickValueInList([dict, int, cc.Table, cc.StrDict, SubDict])
    if isinstance(v, CONTAINERS):
        if fdp.ConsumeBool():
            return make(fdp)
        fn, args = v.__reduce_ex__(fdp.ConsumeIntInRange(2, 5))
        try:
            return fn(*mutate(fdp, args, depth + 1))
        except CLEAN_HERE:
            return make(fdp)
    return v


def contents(r):
    """What r holds, to compare across a round trip.  A temporal value that
    Python's datetime types cannot hold (nanoseconds, a year past 9999: any
    int64 the fuzzer writes) raises ValueError when boxed, as documented in
    docs/temporal.md; such an Array is compared by its raw values instead."""
    try:
        return list(r.items()) if isinstance(r, cc.StrDict) else list(r)
    except ValueError as exc:
        if "(ticks)" not in str(exc):
            raise
        if isinstance(r, cc.Array):
            return [r.dtype, r.tobytes(), r._validity()]
        return [type(r).__name__, len(r)]


def check(r):
    check_invariants(r)
    items = contents(r)
    for proto in (2, 5):
        bufs = []
        cb = bufs.append if proto == 5 else None
        back = pickle.loads(pickle.dumps(r, protocol=proto, buffer_callback=cb), buffers=bufs)
        del bufs  # out-of-band views of r released before r is used again
        check_invariants(back)
        again = contents(back)
        if repr(again) != repr(items):
            raise Finding(f"pickle round trip of a reconstructed {type(r).__name__}: "
                          f"{items!r} -> {again!r}")


def TestOneInput(data):
    fdp = atheris.FuzzedDataProvider(data)
    obj = make(fdp)
    fn, args = obj.__reduce_ex__(fdp.ConsumeIntInRange(2, 5))
    args = mutate(fdp, args)
    try:
        r = fn(*args)
    except CLEAN_HERE:
        return
    check(r)


if __name__ == "__main__":
    main(TestOneInput)
