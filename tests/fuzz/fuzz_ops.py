"""Fuzz operation sequences on every container against a list / dict model.

The first byte picks the container (Array int8 / uint16 / float64 / bool /
'int' / nullable int32, StringArray plain and nullable, nullable
CategoricalArray, StrDict of int64 and of str, a Table of an int64 and a
nullable str column); the rest drives operations (append, extend -- also
from a generator that raises --, insert, pop, remove, item / slice get, set
and del, sort, reverse, clear, index, count, in, +=, *=, pickle round trip,
Arrow round trip, memoryview / Arrow capsule exports held and released,
dict set / get / pop / setdefault / update / popitem, Table row views)
applied to the container and to the model, compared after each step:

  * the model raised -> the container raises too and is unchanged;
  * the container raised -> only for an invalid value or a live export
    (BufferError), with a clean exception, and it is unchanged (atomic);
  * a size change while an export is alive must raise BufferError (NA12).

Reentrant values (__index__ / __float__ / __eq__ / __hash__ that clear,
append to or pop the container) switch the comparison off for the rest of
the input: from then on only "no crash, a clean exception, _debug_info
holds" is checked.
"""
import pickle
import sys

import atheris

with atheris.instrument_imports():
    import compactcol as cc

from _common import CLEAN, Finding, check_invariants, main

ALLOWED = (*CLEAN, IndexError, KeyError, BufferError, RuntimeError)
WORDS = ["a", "b", "", "ab", "é", "\U0001f600", "a\0b", "zz"]
I64 = [0, 1, -1, 2**63 - 1, -2**63, 2**31, 300, -129]

# name, factory, valid values, invalid values (refused with a clean exception)
SEQS = [
    ("int8", lambda: cc.Array("int8"), [0, 1, -1, 127, -128, 5], [128, -129, 1.5, "x", None, 2**70]),
    ("uint16", lambda: cc.Array("uint16"), [0, 1, 65535, 7], [-1, 65536, 2**64, "x"]),
    ("float64", lambda: cc.Array("float64"), [0.0, 1.5, -2.25, 1e300, -0.0], ["x", None, b"1"]),
    ("bool", lambda: cc.Array("bool"), [True, False], ["x", None, 0.5]),
    ("int", lambda: cc.Array("int"), I64 + [2**40, -2**40], [2**63, -2**63 - 1, 1.0, "x", None]),
    ("int32?", lambda: cc.Array("int32", nullable=True), [0, 3, -2**31, 2**31 - 1, None],
     [2**31, "x", 1.5]),
    ("str", lambda: cc.StringArray(), WORDS, [None, b"x", 1, "\ud800"]),
    ("str?", lambda: cc.StringArray(nullable=True), WORDS + [None], [b"x", 1, "\ud800"]),
    ("category?", lambda: cc.CategoricalArray(nullable=True), WORDS + [None], [1, b"a", "\ud800"]),
]
KINDS = len(SEQS) + 3  # + StrDict int64, StrDict str, Table


class Ctx:
    """One input's container, model, live exports and flags."""

    def __init__(self, fdp, obj, model, valid, invalid):
        self.fdp, self.obj, self.model = fdp, obj, model
        self.valid, self.invalid = valid, invalid
        self.exports = []       # buffer views and Arrow capsules, alive
        self.snapshots = []     # (capsules, the values at export time): Arrow exports
        self.chaos = False      # a reentrant value ran: no model comparison any more
        self.bad_value = False  # this step used an invalid value

    def pick(self, values):
        return self.fdp.PickValueInList(values)

    def value(self):
        k = self.fdp.ConsumeIntInRange(0, 15)
        if k == 15:
            return self.evil()
        if k >= 13:
            self.bad_value = True
            return self.pick(self.invalid)
        return self.pick(self.valid)

    def values(self):
        return [self.value() for _ in range(self.fdp.ConsumeIntInRange(0, 4))]

    def index(self, extra=2):
        n = len(self.model)
        return self.fdp.ConsumeIntInRange(-n - extra, n + extra)

    def slice(self):
        n = len(self.model)
        f = self.fdp
        return slice(f.PickValueInList([None, f.ConsumeIntInRange(-n - 2, n + 2)]),
                     f.PickValueInList([None, f.ConsumeIntInRange(-n - 2, n + 2)]),
                     f.PickValueInList([None, 1, 2, -1, -2, 3, -(2**63 - 1)]))

    def evil(self, base=None):
        """A value whose conversion / comparison / hash mutates the container."""
        self.chaos = True
        obj, fdp = self.obj, self.fdp
        action = fdp.ConsumeIntInRange(0, 3)
        filler = self.pick(self.valid)
        if isinstance(obj, cc.Table):
            filler = {"a": 1, "b": None}

        budget = [fdp.ConsumeIntInRange(1, 3)]  # list.index would loop forever too

        def mutate():
            budget[0] -= 1
            if budget[0] < 0:
                return
            try:
                if action == 0:
                    obj.clear()
                elif action == 1 and isinstance(obj, cc.StrDict):
                    obj["k" + str(len(obj))] = filler
                elif action == 1:
                    obj.append(filler)
                elif action == 2 and isinstance(obj, cc.StrDict):
                    obj.popitem()
                elif action == 2:
                    obj.pop()
                else:
                    obj.extend([filler] * 20 if not isinstance(obj, cc.StrDict) else [])
            except Exception:  # noqa: BLE001 -- whatever the nested call says
                pass

        if base is None:
            base = self.pick([v for v in self.valid if v is not None])
        if isinstance(base, str):
            class EvilStr(str):
                def __eq__(self, other):
                    mutate()
                    return str.__eq__(self, other)

                def __hash__(self):
                    mutate()
                    return str.__hash__(self)
            return EvilStr(base)

        class Evil:
            def __index__(self):
                mutate()
                return int(base)

            def __float__(self):
                mutate()
                return float(base)

            def __eq__(self, other):
                mutate()
                return base == other

            def __hash__(self):
                mutate()
                return hash(base)
        return Evil()


def snapshot(obj):
    if isinstance(obj, cc.StrDict):
        return list(obj.items())
    if isinstance(obj, cc.Table):
        return obj.to_dicts()
    return list(obj)


def model_view(ctx):
    return list(ctx.model.items()) if isinstance(ctx.model, dict) else list(ctx.model)


def pinned(obj):
    """Whether a buffer view aliases the container (NA12: its size may not
    change then).  Arrow exports and views of shared memory are snapshots
    and pin nothing."""
    if isinstance(obj, cc.Table):
        obj = obj.column("a")
    elif isinstance(obj, cc.CategoricalArray):
        obj = obj.codes
    elif isinstance(obj, cc.StrDict):
        return False
    return obj._debug_info()["exports"] > 0


def step(ctx, on_model, on_obj):
    """Runs one operation on a copy of the model and on the container."""
    before = snapshot(ctx.obj)
    was_pinned = pinned(ctx.obj)
    m = ctx.model.copy()
    m_exc = m_res = None
    try:
        m_res = on_model(m)
    except Exception as e:  # noqa: BLE001 -- the model's verdict
        m_exc = e
    try:
        c_res = on_obj(ctx.obj)
    except ALLOWED as e:
        check_invariants(ctx.obj)
        if ctx.chaos:
            return
        if snapshot(ctx.obj) != before:
            raise Finding(f"{e!r} left the container changed: {before!r} -> {snapshot(ctx.obj)!r}")
        if m_exc is None and not ctx.bad_value and not (isinstance(e, BufferError) and was_pinned):
            raise Finding(f"the container raised {e!r} where the model gave {m_res!r}")
        return
    check_invariants(ctx.obj)
    if ctx.chaos:
        return
    if m_exc is not None and not ctx.bad_value:
        raise Finding(f"the model raised {m_exc!r}, the container returned {c_res!r}")
    if was_pinned and len(ctx.obj) != len(before):
        raise Finding(f"size changed {len(before)} -> {len(ctx.obj)} with a buffer view "
                      f"aliasing it (NA12)")
    if ctx.bad_value:  # accepted an invalid value: fine only if the model agrees on the outcome
        ctx.model = m if m_exc is None else ctx.model
        if snapshot(ctx.obj) != model_view(ctx):
            raise Finding(f"accepted an invalid value: {snapshot(ctx.obj)!r}")
        return
    ctx.model = m
    got = snapshot(ctx.obj)
    if got != model_view(ctx):
        raise Finding(f"container {got!r} != model {model_view(ctx)!r}")
    if m_res is not None and c_res != m_res and not isinstance(m_res, dict):
        raise Finding(f"result {c_res!r} != model's {m_res!r}")


def raising(values):
    yield from values
    raise ValueError("the iterator fails part-way")


def export(ctx):
    obj = ctx.obj
    if isinstance(obj, cc.Array):
        v = memoryview(obj) if ctx.fdp.ConsumeBool() else obj.__arrow_c_array__()
    elif isinstance(obj, cc.StringArray):
        v = ctx.pick([lambda: obj.offsets, lambda: obj.data, obj.__arrow_c_array__])()
    elif isinstance(obj, cc.CategoricalArray):
        v = obj.__arrow_c_array__()
    elif isinstance(obj, cc.Table):
        v = memoryview(obj.column("a"))
    else:
        return
    if isinstance(v, tuple):  # Arrow capsules: a snapshot of the values now
        ctx.snapshots.append((v, snapshot(obj)))
    else:
        ctx.exports.append(v)


class _Capsules:
    """An Arrow producer handing out capsules taken earlier."""

    def __init__(self, pair):
        self.pair = pair

    def __arrow_c_array__(self, requested_schema=None):
        return self.pair


def release(ctx):
    if ctx.exports and ctx.fdp.ConsumeBool():
        v = ctx.exports.pop(ctx.fdp.ConsumeIntInRange(0, len(ctx.exports) - 1))
        if isinstance(v, memoryview):
            v.release()
    elif ctx.snapshots:
        pair, values = ctx.snapshots.pop(ctx.fdp.ConsumeIntInRange(0, len(ctx.snapshots) - 1))
        got = list(cc.from_arrow(_Capsules(pair)))
        if not ctx.chaos and got != values:
            raise Finding(f"an Arrow export changed after it was taken: {values!r} -> {got!r}")


def roundtrips(ctx):
    obj = ctx.obj
    proto = ctx.fdp.ConsumeIntInRange(0, 5)
    bufs = []
    back = pickle.loads(pickle.dumps(obj, protocol=proto,
                                     buffer_callback=bufs.append if proto == 5 else None),
                        buffers=bufs)
    del bufs
    check_invariants(back)
    if snapshot(back) != snapshot(obj):
        raise Finding(f"pickle {proto}: {snapshot(obj)!r} -> {snapshot(back)!r}")
    if not isinstance(obj, cc.StrDict) and not ctx.chaos:
        back = cc.Table.from_arrow(obj) if isinstance(obj, cc.Table) else cc.from_arrow(obj)
        check_invariants(back)
        if snapshot(back) != snapshot(obj):
            raise Finding(f"Arrow: {snapshot(obj)!r} -> {snapshot(back)!r}")


def seq_op(ctx):
    f = ctx.fdp
    op = f.ConsumeIntInRange(0, 20)
    if op == 0:
        v = ctx.value()
        step(ctx, lambda m: m.append(v), lambda o: o.append(v))
    elif op == 1:
        vs = ctx.values()
        if f.ConsumeBool():
            step(ctx, lambda m: m.extend(raising(vs)), lambda o: o.extend(raising(vs)))
        else:
            step(ctx, lambda m: m.extend(vs), lambda o: o.extend(vs))
    elif op == 2:
        i, v = ctx.index(), ctx.value()
        step(ctx, lambda m: m.insert(i, v), lambda o: o.insert(i, v))
    elif op == 3:
        i = ctx.index()
        step(ctx, lambda m: m.pop(i), lambda o: o.pop(i))
    elif op == 4:
        v = ctx.value()
        step(ctx, lambda m: m.remove(v), lambda o: o.remove(v))
    elif op == 5:
        i = ctx.index() if f.ConsumeBool() else ctx.slice()
        def d(x):
            del x[i]
        step(ctx, d, d)
    elif op == 6:
        s, vs = ctx.slice(), ctx.values()
        def sa(x):
            x[s] = vs
        step(ctx, sa, sa)
    elif op == 7:
        i, v = ctx.index(), ctx.value()
        def si(x):
            x[i] = v
        step(ctx, si, si)
    elif op == 8:
        rev = f.ConsumeBool()
        if isinstance(ctx.obj, cc.CategoricalArray) or None in ctx.model:
            # where nulls (and categories) go is the container's rule: a permutation
            try:
                ctx.obj.sort(reverse=rev)
            except ALLOWED:
                pass
            check_invariants(ctx.obj)
            if not ctx.chaos:
                if sorted(map(repr, snapshot(ctx.obj))) != sorted(map(repr, ctx.model)):
                    raise Finding(f"sort is not a permutation: {ctx.model!r} -> {snapshot(ctx.obj)!r}")
                ctx.model = snapshot(ctx.obj)
        else:
            step(ctx, lambda m: m.sort(reverse=rev), lambda o: o.sort(reverse=rev))
    elif op == 9:
        step(ctx, lambda m: m.reverse(), lambda o: o.reverse())
    elif op == 10:
        step(ctx, lambda m: m.clear(), lambda o: o.clear())
    elif op == 11:
        v = ctx.value()
        step(ctx, lambda m: m.index(v), lambda o: o.index(v))
    elif op == 12:
        v = ctx.value()
        step(ctx, lambda m: m.count(v), lambda o: o.count(v))
    elif op == 13:
        v = ctx.value()
        step(ctx, lambda m: v in m, lambda o: v in o)
    elif op == 14:
        vs = ctx.values()
        def iadd(x):
            x += vs
        step(ctx, iadd, iadd)
    elif op == 15:
        k = f.PickValueInList([0, 1, 2, 3, -1])
        if max(len(ctx.model), len(ctx.obj)) * k > 64:  # (after a reentrant step the model lags)
            k = 1  # repeated *= grows both sides exponentially: a harness hang, not a finding
        def imul(x):
            x *= k
        step(ctx, imul, imul)
    elif op == 16:
        i = ctx.index() if f.ConsumeBool() else ctx.slice()
        step(ctx, lambda m: m[i], lambda o: o[i] if isinstance(i, int) else list(o[i]))
    elif op == 17:
        export(ctx)
    elif op == 18:
        release(ctx)
    else:
        roundtrips(ctx)


def dict_op(ctx):
    f = ctx.fdp
    op = f.ConsumeIntInRange(0, 12)
    k = ctx.pick(WORDS + ["k0", "k1"]) if f.ConsumeIntInRange(0, 15) < 14 else \
        (ctx.evil(ctx.pick(WORDS)) if f.ConsumeBool() else ctx.pick([1, None, b"a", "\ud800"]))
    if not isinstance(k, str) or k == "\ud800":
        ctx.bad_value = True
    if op == 0:
        v = ctx.value()
        def s(d):
            d[k] = v
        step(ctx, s, s)
    elif op == 1:
        def d_(d):
            del d[k]
        step(ctx, d_, d_)
    elif op == 2:
        step(ctx, lambda d: d.pop(k, "dflt"), lambda d: d.pop(k, "dflt"))
    elif op == 3:
        step(ctx, lambda d: d.get(k), lambda d: d.get(k))
    elif op == 4:
        step(ctx, lambda d: k in d, lambda d: k in d)
    elif op == 5:
        v = ctx.value()
        step(ctx, lambda d: d.setdefault(k, v), lambda d: d.setdefault(k, v))
    elif op == 6:
        upd = {ctx.pick(WORDS): ctx.value() for _ in range(f.ConsumeIntInRange(0, 3))}
        step(ctx, lambda d: d.update(upd), lambda d: d.update(upd))
    elif op == 7:
        step(ctx, lambda d: d.clear(), lambda d: d.clear())
    elif op == 8:
        step(ctx, lambda d: d.popitem(), lambda d: d.popitem())
    elif op == 9:
        step(ctx, lambda d: d[k], lambda d: d[k])
    else:
        roundtrips(ctx)


def table_op(ctx):
    f = ctx.fdp

    def row():
        return {"a": ctx.value(), "b": ctx.pick(WORDS + [None])}

    op = f.ConsumeIntInRange(0, 11)
    if op == 0:
        r = row()
        step(ctx, lambda m: m.append(r), lambda t: t.append(r))
    elif op == 1:
        rs = [row() for _ in range(f.ConsumeIntInRange(0, 3))]
        step(ctx, lambda m: m.extend(rs), lambda t: t.extend(rs))
    elif op == 2:
        i, r = ctx.index(), row()
        step(ctx, lambda m: m.insert(i, r), lambda t: t.insert(i, r))
    elif op == 3:
        i = ctx.index()
        step(ctx, lambda m: m.pop(i), lambda t: t.pop(i).a)
    elif op == 4:
        i = ctx.index() if f.ConsumeBool() else ctx.slice()
        def d(x):
            del x[i]
        step(ctx, d, d)
    elif op == 5:
        i, v = ctx.index(0), ctx.value()
        def m_set(m):
            m[i] = dict(m[i])  # the copy shares its row dicts with the model
            m[i]["a"] = v
        def t_set(t):
            t[i].a = v
        if ctx.model:
            step(ctx, m_set, t_set)
    elif op == 6:
        step(ctx, lambda m: m.sort(key=lambda r: r["a"]), lambda t: t.sort(by="a"))
    elif op == 7:
        step(ctx, lambda m: m.clear(), lambda t: t.clear())
    elif op == 8:
        export(ctx)
    elif op == 9:
        release(ctx)
    else:
        roundtrips(ctx)


def TestOneInput(data):
    fdp = atheris.FuzzedDataProvider(data)
    kind = fdp.ConsumeIntInRange(0, KINDS - 1)
    if kind < len(SEQS):
        _, factory, valid, invalid = SEQS[kind]
        ctx, op = Ctx(fdp, factory(), [], valid, invalid), seq_op
    elif kind == len(SEQS):
        ctx, op = Ctx(fdp, cc.StrDict("int64"), {}, I64[:6], [2**63, "x", None, 1.5]), dict_op
    elif kind == len(SEQS) + 1:
        ctx, op = Ctx(fdp, cc.StrDict("str"), {}, WORDS, [1, None, b"a", "\ud800"]), dict_op
    else:
        t = cc.Table({"a": "int64", "b": "str?"})
        ctx, op = Ctx(fdp, t, [], I64, [2**63, "x", None, 1.5]), table_op
    for _ in range(48):
        if fdp.remaining_bytes() == 0:
            break
        ctx.bad_value = False
        try:
            op(ctx)
        except ALLOWED:
            if not ctx.chaos:
                raise
        check_invariants(ctx.obj)
    ctx.exports.clear()
    ctx.snapshots.clear()
    check_invariants(ctx.obj)


if __name__ == "__main__":
    main(TestOneInput)
