"""Fuzz compactcol.from_arrow / Table.from_arrow with hostile Arrow C structs.

The input picks formats (ints, floats, bool 'b', 'u', 'U', 'vu', binary 'z',
'Z', 'vz', string
dictionaries, '+s' structs, and BOGUS: unsupported and NULL formats, and
formats read from one zeroed 16-byte-a-value buffer, such as decimal128,
intervals, time32 and date64), lengths, offsets,
null counts, n_buffers, NULL buffers, children and every buffer byte; the
buffers are exactly as large as the struct declares (_arrowgen.py), so any
ASan report is the consumer's.  Checked: only clean exceptions
(_common.CLEAN); a result passes _debug_info and holds exactly the values
the buffers describe; every ArrowArray / ArrowSchema / stream is released
exactly once; a consumed capsule refuses a second use (AR2).

Run: see .ci/fuzz (the instrumented build, the preload and the corpus).
"""
import struct
import sys

import atheris

with atheris.instrument_imports():
    import compactcol
    from compactcol import _core

from _arrowgen import Producer
from _common import AVOID_KNOWN, CLEAN, Finding, check_invariants, main

NUM = {b"c": "b", b"s": "h", b"i": "i", b"l": "q", b"C": "B", b"S": "H", b"I": "I",
       b"L": "Q", b"f": "f", b"g": "d"}
BOGUS = [b"", b"e", b"n", b"z", b"vz", b"+l", b"tdD", b"d:10,2", b"d:10,2,256", b"d:5,-2", b"tin",
         b"tts", b"tdm", b"uu", b"+w:2", b"\xff", None]
NAMES = [b"a", b"b", b"a", b"x y", b"", b"\xff\xfe", None, b"id", b"__class__", b"__eq__"]
REFUSE = "refuse"  # expected outcome: a clean exception, no result
# spec-invalid (length, offset): must be refused before a byte is read
HOSTILE = [(-1, 0), (0, -1), (2**63 - 1, 1), (1, 2**63 - 1), (-2**63, 0), (2**62, 2**62)]


def take(fdp, n, ascii_=False):
    b = fdp.ConsumeBytes(n).ljust(n, b"\0")
    return bytes(97 + x % 26 for x in b) if ascii_ else b


def bitmap(fdp, P, n):
    """(pointer or None, list of validity bools for items 0..n-1)."""
    if fdp.ConsumeIntInRange(0, 2) == 2:
        return None, [True] * n
    bits = take(fdp, (n + 7) // 8)
    return P.block(bits), [bool(bits[i >> 3] >> (i & 7) & 1) for i in range(n)]


def null_count(fdp, valid, offset, length):
    true = valid[offset:offset + length].count(False)
    return fdp.PickValueInList([true, true, 0, -1, fdp.ConsumeIntInRange(-3, length + 2)])


def pinned(expect, a, broken):
    """expect, or REFUSE when the struct is invalid on its face."""
    return REFUSE if broken or not -1 <= a.null_count <= a.length else expect


class Gen:
    """Builds one (schema, array, expected values or None) from the input."""

    def __init__(self, fdp, P):
        self.fdp, self.P = fdp, P

    def shape(self, forced=None):
        f = self.fdp
        length = forced if forced is not None else f.ConsumeIntInRange(0, 24)
        return length, f.ConsumeIntInRange(0, 4)

    def n_buffers(self, ptrs, length):
        """(kwargs, broken): usually honest; sometimes a wrong count or NULL buffers."""
        k = 19 - self.fdp.ConsumeIntInRange(0, 19)  # rare ones at the top: an exhausted input gives 0
        if k == 0:
            n = self.fdp.ConsumeIntInRange(-1, len(ptrs) + 1)
            return dict(n_buffers=n, buffers=ptrs + [self.P.block(b"\0" * 16)] * 2), n != len(ptrs)
        if k == 1 and not AVOID_KNOWN:  # found here: RESULTS.md F1 (has_nulls before check_shape)
            return dict(buffers=ptrs, no_buffers=True), True
        if k == 2 and len(ptrs) > 1:
            i = self.fdp.ConsumeIntInRange(1, len(ptrs) - 1)
            return dict(buffers=ptrs[:i] + [None] + ptrs[i + 1:]), length > 0
        return dict(buffers=ptrs), False

    def any(self, depth=0, forced=None):
        s, a, expect = self.any_valid_shape(depth, forced)
        # a spec-invalid length/offset on a top-level or dictionary array
        # (a child's could still fall inside its buffers once cut)
        if forced is None and self.fdp.ConsumeIntInRange(0, 15) == 15:
            a.length, a.offset = self.fdp.PickValueInList(HOSTILE)
            expect = REFUSE
        return s, a, expect

    def any_valid_shape(self, depth=0, forced=None):
        k = self.fdp.ConsumeIntInRange(0, 9)
        if k <= 3:
            return self.numeric(forced)
        if k <= 5:
            return self.strings(b"u" if k == 4 else b"U", forced)
        if k == 6:
            return self.views(forced)
        if k == 7:
            return self.dictionary(forced)
        if k == 8 and depth < 2:
            return self.struct(depth, forced)
        fmt = self.fdp.PickValueInList(BOGUS)
        length, offset = self.shape(forced)
        s = self.P.schema(fmt)
        # 16 bytes an item: the widest fixed-width type a format here may name
        # (d:10,2 imports now, as decimal128), so any read past it is ours
        block = self.P.block(b"\0" * 16 * (length + offset))
        return s, self.P.array(length, offset, 0, [None, block]), None

    def numeric(self, forced=None):
        f, P = self.fdp, self.P
        fmt = f.PickValueInList(list(NUM) + [b"b"])
        length, offset = self.shape(forced)
        n = length + offset
        vbuf, valid = bitmap(f, P, n)
        if fmt == b"b":
            raw = take(f, (n + 7) // 8)
            values = [bool(raw[i >> 3] >> (i & 7) & 1) for i in range(n)]
        else:
            raw = take(f, struct.calcsize(NUM[fmt]) * n)
            values = list(struct.unpack(f"<{n}{NUM[fmt]}", raw))
        nc = null_count(f, valid, offset, length)
        kw, broken = self.n_buffers([vbuf, P.block(raw)], length)
        a = P.array(length, offset, nc, **kw)
        expect = [v if (nc == 0 or vbuf is None or ok) else None
                  for v, ok in zip(values[offset:], valid[offset:])]
        return P.schema(fmt), a, pinned(None if fmt in (b"f", b"g") else expect, a, broken)

    def offsets(self, count):
        f = self.fdp
        mode = f.ConsumeIntInRange(0, 3)
        if mode == 3:  # anything, including negative and decreasing
            return [f.ConsumeIntInRange(-3, 64) for _ in range(count)], mode
        offs, o = [], f.ConsumeIntInRange(0, 3)
        for _ in range(count):
            offs.append(o)
            o += f.ConsumeIntInRange(0, 6)
        if mode == 2 and count:
            offs[f.ConsumeIntInRange(0, count - 1)] = f.ConsumeIntInRange(-3, 64)
        return offs, (0 if mode < 2 else mode)

    def strings(self, fmt, forced=None, binary_ok=True):
        f, P = self.fdp, self.P
        binary = binary_ok and f.ConsumeBool()  # 'z' / 'Z': a BinaryArray, any bytes
        if binary:
            fmt = b"z" if fmt == b"u" else b"Z"
        length, offset = self.shape(forced)
        n = length + offset
        vbuf, valid = bitmap(f, P, n)
        offs, mode = self.offsets(n + 1)
        size = max([0] + offs[offset:])
        # known (RESULTS.md F3): non-ASCII data with bad offsets -> OOB read in the culprit scan
        data = take(f, size, ascii_=f.ConsumeBool() or (AVOID_KNOWN and mode != 0))
        obuf = P.block(struct.pack(f"<{n + 1}{'q' if fmt in (b'U', b'Z') else 'i'}", *offs))
        nc = null_count(f, valid, offset, length)
        kw, broken = self.n_buffers([vbuf, obuf, P.block(data, size)], length)
        a = P.array(length, offset, nc, **kw)
        expect = []
        for i in range(offset, n):
            lo, hi = offs[i], offs[i + 1]
            if nc != 0 and vbuf is not None and not valid[i]:
                expect.append(None)
                if not 0 <= lo <= hi:
                    expect = None  # a null's bad offsets: refusing or not, both fine
                    break
                continue
            try:
                if not 0 <= lo <= hi:
                    raise ZeroDivisionError
                expect.append(data[lo:hi] if binary else data[lo:hi].decode())
            except (UnicodeDecodeError, ZeroDivisionError):
                expect = REFUSE  # SA5 / SA6
                break
        if length and offs[offset] < 0:
            expect = REFUSE
        return P.schema(fmt), a, pinned(expect, a, broken)

    def views(self, forced=None):
        f, P = self.fdp, self.P
        length, offset = self.shape(forced)
        n = length + offset
        vbuf, valid = bitmap(f, P, n)
        datas = [take(f, f.ConsumeIntInRange(0, 40), ascii_=True) for _ in range(f.ConsumeIntInRange(0, 2))]
        views = b""
        for _ in range(n):
            ln = f.PickValueInList([0, 1, 5, 12, 13, 20, f.ConsumeIntInRange(-2, 45)])
            if ln <= 12:
                views += struct.pack("<i", ln) + take(f, 12, ascii_=f.ConsumeBool())
            else:
                idx = f.ConsumeIntInRange(-1, len(datas))
                views += struct.pack("<iiii", ln, 0, idx, f.ConsumeIntInRange(-2, 40))
        if f.ConsumeIntInRange(0, 15) == 15:  # fewer buffers than the views point into
            k = f.ConsumeIntInRange(0, len(datas) + 2)  # n_buffers; < 3 must be refused
            datas = datas[:max(k - 3, 0)]
        else:
            k = None
        ptrs = [vbuf, P.block(views)] + [P.block(d) for d in datas]
        # the last buffer is the sizes buffer, whatever the count (else we, not the
        # consumer, would be lying about the sizes: a false finding in the first run)
        ptrs.append(P.block(struct.pack(f"<{len(datas)}q", *map(len, datas))))
        if k is not None and k < 3:
            ptrs = ptrs[:k]
        a = P.array(length, offset, null_count(f, valid, offset, length), buffers=ptrs)
        return P.schema(b"vz" if f.ConsumeBool() else b"vu"), a, None

    def dictionary(self, forced=None):
        f, P = self.fdp, self.P
        ifmt = f.PickValueInList([b"c", b"s", b"i", b"l", b"C", b"S", b"I", b"L", b"g", b"b", b"u"])
        length, offset = self.shape(forced)
        n = length + offset
        vbuf, valid = bitmap(f, P, n)
        raw = take(f, 8 * n)
        if f.ConsumeBool():  # mostly in range
            raw = bytes(x % 4 for x in raw)
        dk = f.ConsumeIntInRange(0, 4)
        if dk <= 2:
            ds, da, _ = self.strings((b"u", b"U", b"u")[dk], binary_ok=False)
        elif dk == 3:
            ds, da, _ = self.views()
        else:
            ds, da, _ = self.numeric()
        if f.ConsumeIntInRange(0, 15) == 15:
            ds.format = None  # the repro arrow_import_dictionary_null_format_segv
        kw, broken = self.n_buffers([vbuf, P.block(raw)], length)
        lost = f.ConsumeIntInRange(0, 15) == 15  # the array has no dictionary
        a = P.array(length, offset, null_count(f, valid, offset, length), **kw,
                    dictionary=None if lost else da)
        if lost:
            P.owned.setdefault(-1, []).append(da)  # released by hand after the call
        return P.schema(ifmt, dictionary=ds), a, pinned(None, a, broken)

    def struct(self, depth, forced=None):
        f, P = self.fdp, self.P
        length, offset = self.shape(forced)
        k = f.ConsumeIntInRange(0, 3)
        kids = []
        for _ in range(k):
            short = f.ConsumeIntInRange(0, 15) == 15
            kids.append(self.any(depth + 1, max(0, offset + length - 1) if short
                                 else offset + length + f.ConsumeIntInRange(0, 2)))
        for s, _, _ in kids:
            s.name = P.cstr(f.PickValueInList(NAMES))
        ss, aa = [s for s, _, _ in kids], [a for _, a, _ in kids]
        m = 15 - f.ConsumeIntInRange(0, 15) if kids else 99  # 0/1: counts differ, 2: NULL children
        vbuf, valid = bitmap(f, P, length + offset)
        s = P.schema(b"+s", children=ss, n_children=len(ss) - (m == 0))
        a = P.array(length, offset, null_count(f, valid, offset, length), buffers=[vbuf],
                    children=aa, n_children=len(aa) - (m == 1))
        if m == 2:
            a.children = None
        return s, a, (REFUSE if m <= 2 else None)  # (a child's flaws may lie outside the cut)


def check_result(r, a_len, expect):
    if expect == REFUSE:
        raise Finding(f"accepted an invalid struct: {r!r}")
    if isinstance(r, tuple):  # _core._from_arrow_array of a struct: (names, columns)
        for col in r[1]:
            check_result(col, a_len, None)
        return
    check_invariants(r)
    if isinstance(r, compactcol.Table):
        if len(r) != a_len:
            raise Finding(f"Table of {len(r)} rows from a struct of {a_len}")
        list(r)
        return
    got = list(r)
    if len(got) != a_len:
        raise Finding(f"{len(got)} elements from an array of length {a_len}")
    if expect is not None and got != expect:
        raise Finding(f"imported {got!r}, the buffers say {expect!r}")


def one(fdp, P):
    g = Gen(fdp, P)
    mode = fdp.ConsumeIntInRange(0, 3)
    s, a, expect = g.any()
    a_len = a.length

    class Source:
        def __arrow_c_array__(self, requested_schema=None):
            return P.capsules(s, a)

    if mode == 0:
        r = compactcol.from_arrow(Source())
    elif mode == 1:
        r = compactcol.Table.from_arrow(Source())
        if expect != REFUSE:
            expect = None
    elif mode == 2:
        chunks = [a] if fdp.ConsumeBool() else []
        if not chunks:
            P.owned.setdefault(-1, []).append(a)
        fail = fdp.PickValueInList([None, None, 0, 1])
        caps = []  # the capsule must die before P frees the structs: no cycle may hold it

        class Stream:
            def __arrow_c_stream__(self, requested_schema=None):
                caps.append(P.stream(s, chunks, fail))
                return caps[-1]

        expect = expect if chunks and fail != 0 else None
        try:
            r = compactcol.from_arrow(Stream())
        finally:
            caps.clear()
        if not chunks:
            return r, None, None
    else:
        sc, ac = P.capsules(s, a)
        try:
            r = _core._from_arrow_array(sc, ac)
        finally:
            try:
                _core._from_arrow_array(sc, ac)
            except ValueError:
                pass
            else:
                raise Finding("an arrow_array capsule was consumed twice (AR2)")
    return r, a_len, expect


def TestOneInput(data):
    fdp = atheris.FuzzedDataProvider(data)
    P = Producer()
    try:
        try:
            r, a_len, expect = one(fdp, P)
        except CLEAN:
            r = None
        if r is not None and a_len is not None:
            check_result(r, a_len, expect)
        del r
        for x in P.owned.pop(-1, []):  # structs no capsule owned
            if x.release:
                x.release(__import__("ctypes").pointer(x))
        bad = P.bad_releases()
        if bad:
            raise Finding(f"release calls per struct (want 1): "
                          f"{ {P.kinds[i] + str(i): n for i, n in bad.items()} }")
    finally:
        P.close()


if __name__ == "__main__":
    main(TestOneInput)
