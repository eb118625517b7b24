"""Arrow C streams by hand, both directions (BAD_INPUTS AR6, AR8, and AR1 /
AR2 for streams).

Import: a ctypes-built ArrowArrayStream producer (get_schema, get_next,
get_last_error and release are ctypes callbacks the producer keeps alive)
counts every release -- the stream's, the schema's, each chunk's -- so
compactcol.from_arrow can be held to "exactly once".

Export: Table.__arrow_c_stream__ is consumed by hand: the stream struct is
taken out of its capsule with PyCapsule_GetPointer and its function
pointers are called directly, in orders pyarrow never uses.

ASan-safe: a ctypes buffer the test frees is never read by the test again;
only compactcol's own copy is.
"""

import ctypes
import errno
import gc
import re
import threading
import weakref

import pytest

import compactcol as cc
from compactcol import Array, StringArray, from_arrow
from compactcol import _core as core

# ---- the C data interface structs (as in test_arrow_import.py) ---------------------------


class ArrowSchema(ctypes.Structure):
    pass


class ArrowArray(ctypes.Structure):
    pass


class ArrowArrayStream(ctypes.Structure):
    pass


SCHEMA_RELEASE = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowSchema))
ARRAY_RELEASE = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArray))
GET_SCHEMA = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ArrowArrayStream),
                              ctypes.POINTER(ArrowSchema))
GET_NEXT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ArrowArrayStream),
                            ctypes.POINTER(ArrowArray))
# c_void_p, not c_char_p: a callback returning c_char_p cannot keep its bytes alive
GET_LAST_ERROR = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.POINTER(ArrowArrayStream))
STREAM_RELEASE = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArrayStream))

ArrowSchema._fields_ = [
    ("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_char_p),
    ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("children", ctypes.c_void_p), ("dictionary", ctypes.c_void_p),
    ("release", SCHEMA_RELEASE), ("private_data", ctypes.c_void_p)]
ArrowArray._fields_ = [
    ("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("buffers", ctypes.POINTER(ctypes.c_void_p)), ("children", ctypes.c_void_p),
    ("dictionary", ctypes.c_void_p), ("release", ARRAY_RELEASE), ("private_data", ctypes.c_void_p)]
ArrowArrayStream._fields_ = [
    ("get_schema", GET_SCHEMA), ("get_next", GET_NEXT), ("get_last_error", GET_LAST_ERROR),
    ("release", STREAM_RELEASE), ("private_data", ctypes.c_void_p)]

# Private prototypes (ctypes.pythonapi's function objects are shared by every
# test module, so their argtypes are not ours to set).
_capsule_new = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_void_p, ctypes.c_char_p,
                                 ctypes.c_void_p)(("PyCapsule_New", ctypes.pythonapi))
_capsule_pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)(
    ("PyCapsule_GetPointer", ctypes.pythonapi))


def live_blocks():
    gc.collect()
    return core._debug_alloc_stats()["live_blocks"]


# ==== import: a hand-built producer ======================================================


class Producer:
    """An ArrowArrayStream over `chunks` (lists of int / str / None), format
    b"l" (int64) or b"u" (utf8).  Knobs: get_next fails with `code` at call
    `fail_next_at`; get_schema fails (`fail_schema`); get_last_error gives
    `message`, or NULL (`message=None`), or is itself NULL
    (`last_error=False`); chunk `malformed_at` claims a wrong n_buffers.
    After the last chunk get_next keeps returning the end marker."""

    def __init__(self, chunks, fmt=b"l", fail_next_at=None, fail_schema=False,
                 code=errno.EIO, message=b"disk on fire", last_error=True, malformed_at=None):
        self.fmt, self.name = fmt, b""
        self.fail_next_at, self.fail_schema, self.code = fail_next_at, fail_schema, code
        self.calls = {"get_schema": 0, "get_next": 0, "get_last_error": 0}
        self.released = {"stream": 0, "schema": 0}
        self.chunk_released = [0] * len(chunks)
        self.handed = []          # indices of the chunks given to the consumer
        self.buffers = []         # every ctypes buffer, chunk by chunk
        self._next = 0
        self._message = None if message is None else ctypes.create_string_buffer(message)
        self._callbacks = {
            "schema_release": SCHEMA_RELEASE(self._release_schema),
            "array_release": ARRAY_RELEASE(self._release_chunk),
            "get_schema": GET_SCHEMA(self._get_schema),
            "get_next": GET_NEXT(self._get_next),
            "get_last_error": GET_LAST_ERROR(self._get_last_error) if last_error
            else GET_LAST_ERROR(),
            "release": STREAM_RELEASE(self._release_stream),
        }
        self.arrays = [self._build(i, c) for i, c in enumerate(chunks)]
        if malformed_at is not None:
            self.arrays[malformed_at].n_buffers = 5
        cb = self._callbacks
        self.stream = ArrowArrayStream(get_schema=cb["get_schema"], get_next=cb["get_next"],
                                       get_last_error=cb["get_last_error"],
                                       release=cb["release"])

    def _build(self, i, values):
        n = len(values)
        keep = []
        validity = None
        if None in values:
            validity = (ctypes.c_uint8 * max(1, (n + 7) // 8))()
            for j, v in enumerate(values):
                if v is not None:
                    validity[j >> 3] |= 1 << (j & 7)
            keep.append(validity)
        if self.fmt == b"l":
            data = (ctypes.c_int64 * max(1, n))(*[0 if v is None else v for v in values])
            keep.append(data)
            pointers = [validity, data]
        else:
            encoded = [b"" if v is None else v.encode() for v in values]
            offsets = (ctypes.c_int32 * (n + 1))()
            for j, e in enumerate(encoded):
                offsets[j + 1] = offsets[j] + len(e)
            data = ctypes.create_string_buffer(b"".join(encoded))
            keep += [offsets, data]
            pointers = [validity, offsets, data]
        ptrs = (ctypes.c_void_p * len(pointers))(
            *[None if p is None else ctypes.addressof(p) for p in pointers])
        keep.append(ptrs)
        self.buffers.append(keep)
        return ArrowArray(length=n, null_count=values.count(None), offset=0,
                          n_buffers=len(pointers), buffers=ptrs,
                          release=self._callbacks["array_release"],
                          private_data=i + 1)  # a c_void_p of 0 reads back as None

    # -- the callbacks (the consumer may move the structs: use only what they hold) --
    def _get_schema(self, stream, out):
        self.calls["get_schema"] += 1
        if self.fail_schema:
            return self.code
        out[0] = ArrowSchema(format=self.fmt, name=self.name, flags=2,
                             release=self._callbacks["schema_release"])
        return 0

    def _get_next(self, stream, out):
        self.calls["get_next"] += 1
        if self._next == self.fail_next_at:
            return self.code
        if self._next >= len(self.arrays):
            out[0] = ArrowArray()  # the end marker, again and again
            return 0
        self.handed.append(self._next)
        out[0] = self.arrays[self._next]
        self._next += 1
        return 0

    def _get_last_error(self, stream):
        self.calls["get_last_error"] += 1
        return None if self._message is None else ctypes.addressof(self._message)

    def _release_schema(self, schema):
        self.released["schema"] += 1
        schema.contents.release = SCHEMA_RELEASE()

    def _release_chunk(self, array):
        self.chunk_released[array.contents.private_data - 1] += 1
        array.contents.release = ARRAY_RELEASE()

    def _release_stream(self, stream):
        self.released["stream"] += 1
        stream.contents.release = STREAM_RELEASE()

    # -- the PyCapsule interface --
    def capsule(self):
        """A capsule over the stream; no destructor (the producer owns the
        memory), so `capsule_left_unreleased` stands in for one."""
        return _capsule_new(ctypes.addressof(self.stream), b"arrow_array_stream", None)

    def __arrow_c_stream__(self, requested_schema=None):
        assert requested_schema is None
        return self.capsule()

    def capsule_left_unreleased(self):
        """What a producer's capsule destructor would find: a stream the
        consumer did not take (release still set) would be released again."""
        return bool(self.stream.release)

    def scribble_and_free(self):
        """Overwrite every buffer handed out, then drop them all (the test
        never reads them again)."""
        for keep in self.buffers:
            for buf in keep:
                ctypes.memset(buf, 0xAB, ctypes.sizeof(buf))
        self.buffers.clear()
        self.arrays.clear()


INTS = [[1, 2, 3], [], [-(2**63), 2**63 - 1], [40, None, 42]]
STRS = [["alpha", "é"], [None, ""], ["a string longer than twelve bytes", "中文"]]


def flat(chunks):
    return [v for c in chunks for v in c]


@pytest.mark.parametrize("fmt,chunks,kind", [(b"l", INTS, Array), (b"u", STRS, StringArray)])
def test_ar6_import_outlives_capsule_producer_and_buffers(fmt, chunks, kind):
    """AR6: the import copies, so every release of the producer has run exactly
    once when from_arrow returns, and the result stays valid (and resizable)
    after the producer's buffers are scribbled over and freed."""
    p = Producer(chunks, fmt)
    got = from_arrow(p)
    assert p.released == {"stream": 1, "schema": 1}
    assert p.chunk_released == [1] * len(chunks)
    assert p.handed == list(range(len(chunks)))
    assert p.calls["get_next"] == len(chunks) + 1  # the chunks, then one end marker
    assert p.calls["get_schema"] == 1
    assert not p.capsule_left_unreleased()  # the capsule's struct was marked as moved
    p.scribble_and_free()
    del p
    gc.collect()
    assert type(got) is kind and got.nullable
    assert got.tolist() == flat(chunks)
    got.append(None)  # owns its memory: no export lock, no producer
    assert len(got) == len(flat(chunks)) + 1


@pytest.mark.parametrize("k", [0, 1, 3])
def test_ar8_get_next_error_at_chunk_k(k):
    """AR8: get_next returns EIO at call k: ValueError carrying
    get_last_error's message; the chunks handed over before it, the schema
    and the stream are each released exactly once; get_next is not called
    again after the error."""
    p = Producer(INTS, fail_next_at=k, message=b"disk on fire at chunk %d" % k)
    with pytest.raises(ValueError) as info:
        from_arrow(p)
    text = str(info.value)
    assert f"disk on fire at chunk {k}" in text
    assert "get_next" in text and f"errno {errno.EIO}" in text
    assert p.calls["get_last_error"] >= 1
    assert p.calls["get_next"] == k + 1
    assert p.handed == list(range(k))
    assert p.chunk_released == [1] * k + [0] * (len(INTS) - k)
    assert p.released == {"stream": 1, "schema": 1}
    assert not p.capsule_left_unreleased()


def test_ar8_get_schema_error():
    """AR8: get_schema fails: ValueError with the message; get_next is never
    called; the stream is released once and the (never filled) schema not."""
    p = Producer(INTS, fail_schema=True, code=errno.ENOMEM, message=b"no schema today")
    with pytest.raises(ValueError, match=re.escape("no schema today")) as info:
        from_arrow(p)
    assert "get_schema" in str(info.value) and f"errno {errno.ENOMEM}" in str(info.value)
    assert p.calls["get_next"] == 0
    assert p.released == {"stream": 1, "schema": 0}
    assert p.chunk_released == [0] * len(INTS)


@pytest.mark.parametrize("last_error", ["returns NULL", "is NULL"])
def test_ar8_get_next_error_without_a_message(last_error):
    """AR8: get_last_error returning NULL (or missing altogether) still gives a
    ValueError naming the errno, and the same exactly-once releases."""
    p = Producer(INTS, fail_next_at=2, message=None, last_error=last_error == "returns NULL")
    with pytest.raises(ValueError, match="no message") as info:
        from_arrow(p)
    assert f"errno {errno.EIO}" in str(info.value)
    assert p.chunk_released == [1, 1, 0, 0]
    assert p.released == {"stream": 1, "schema": 1}


def test_ar8_error_message_that_is_not_utf8():
    """AR8: a hostile message (invalid UTF-8) is still reported, never a crash
    or a UnicodeDecodeError in place of the ValueError."""
    p = Producer(INTS, fail_next_at=1, message=b"bad \xff\xfe bytes")
    with pytest.raises(ValueError, match="bad "):
        from_arrow(p)
    assert p.chunk_released == [1, 0, 0, 0]
    assert p.released == {"stream": 1, "schema": 1}


def test_ar5_malformed_chunk_mid_stream_releases_everything_once():
    """AR5 inside a stream: chunk 2 claims 5 buffers: ValueError; chunks 0-2
    released once each, nothing fetched after the bad chunk."""
    p = Producer(INTS, malformed_at=2)
    with pytest.raises(ValueError, match="number of buffers"):
        from_arrow(p)
    assert p.handed == [0, 1, 2]
    assert p.calls["get_next"] == 3
    assert p.chunk_released == [1, 1, 1, 0]
    assert p.released == {"stream": 1, "schema": 1}


def test_ar8_use_after_exhaustion_import_stops_at_the_first_end_marker():
    """AR8: a producer whose get_next keeps returning the end marker: the
    import asks exactly once past the last chunk, and releases once."""
    p = Producer([[7], [8, 9]])
    assert from_arrow(p).tolist() == [7, 8, 9]
    assert p.calls["get_next"] == 3
    assert p.released == {"stream": 1, "schema": 1} and p.chunk_released == [1, 1]
    # an empty stream: the end marker at once gives an empty Array of the schema's type
    e = Producer([], b"u")
    empty = from_arrow(e)
    assert type(empty) is StringArray and len(empty) == 0
    assert e.calls["get_next"] == 1 and e.released == {"stream": 1, "schema": 1}


def test_ar2_stream_capsule_consumed_twice():
    """AR2 for streams: the second use of one capsule raises and calls
    nothing of the producer's (no second get_schema, no double release)."""
    p = Producer([[1, 2]])
    capsule = p.capsule()
    assert core._from_arrow_stream(capsule).tolist() == [1, 2]
    calls = dict(p.calls)
    with pytest.raises(ValueError, match="already consumed"):
        core._from_arrow_stream(capsule)
    assert p.calls == calls
    assert p.released == {"stream": 1, "schema": 1} and p.chunk_released == [1]
    del capsule


# ==== export: Table.__arrow_c_stream__ consumed by hand =================================

SCHEMA = {"id": "int64", "s": "str?", "c": "category", "b": "bool", "n": "int8?"}
ROWS = [(1, "x", "u", True, 3), (2, None, "v", False, None), (-3, "yz", "u", True, -1)]


def make():
    return cc.Table(SCHEMA, ROWS)


def owners(t):
    """What the columns' exports hold on to: each column, but a
    CategoricalArray's codes and pool rather than the category column."""
    out = []
    for c in t._columns:
        out += [c.codes, c.pool] if isinstance(c, cc.CategoricalArray) else [c]
    return out


def exports(t):
    """The snapshots holding each column's buffers (an export shares them)."""
    return [o._debug_info()["snapshots"] for o in owners(t)]


# id, s, c.codes, c.pool, b, n: bools are bit-packed into a copy, shared by nobody
NONE, ALL = [0] * 6, [1, 1, 1, 1, 0, 1]


def stream_of(capsule):
    return ArrowArrayStream.from_address(_capsule_pointer(capsule, b"arrow_array_stream"))


def get_next(stream):
    """get_next into a struct pre-filled with a trap release (it must be
    overwritten, never called)."""
    out = ArrowArray(length=-99, release=_TRAP)
    code = stream.get_next(ctypes.byref(stream), ctypes.byref(out))
    return code, out


_trapped = []
_TRAP = ARRAY_RELEASE(lambda p: _trapped.append(p))


def child(batch, i):
    return ctypes.cast(batch.children, ctypes.POINTER(ctypes.POINTER(ArrowArray)))[i].contents


def read_int64(a):
    data = (ctypes.c_int64 * (a.offset + a.length)).from_address(a.buffers[1])
    return list(data[a.offset:])


def valid_bits(a):
    """Each element's validity (all valid without a bitmap)."""
    if not a.buffers[0]:
        return [True] * a.length
    bits = (ctypes.c_uint8 * ((a.offset + a.length + 7) // 8)).from_address(a.buffers[0])
    return [bool((bits[i >> 3] >> (i & 7)) & 1) for i in range(a.offset, a.offset + a.length)]


def read_int8(a):
    data = (ctypes.c_int8 * (a.offset + a.length)).from_address(a.buffers[1])
    return [v if ok else None for v, ok in zip(data[a.offset:], valid_bits(a))]


def read_utf8(a):
    offsets = (ctypes.c_int32 * (a.offset + a.length + 1)).from_address(a.buffers[1])
    return [ctypes.string_at(a.buffers[2] + offsets[i], offsets[i + 1] - offsets[i]).decode()
            if ok else None
            for i, ok in zip(range(a.offset, a.offset + a.length), valid_bits(a))]


def last_error(stream):
    p = stream.get_last_error(ctypes.byref(stream))
    return None if p is None else ctypes.string_at(p).decode()


def open_batch(t):
    """(capsule, stream, batch): the table's stream with its schema taken
    and its one batch fetched (get_next returned 0)."""
    capsule = t.__arrow_c_stream__()
    s = stream_of(capsule)
    take_schema(s)
    code, batch = get_next(s)
    assert code == 0
    return capsule, s, batch


def take_schema(stream):
    schema = ArrowSchema()
    assert stream.get_schema(ctypes.byref(stream), ctypes.byref(schema)) == 0
    assert schema.format == b"+s" and schema.n_children == len(SCHEMA)
    schema.release(ctypes.byref(schema))
    assert not schema.release
    return schema


def test_ar8_export_get_next_after_end_keeps_returning_end():
    """AR8 on the export side: after the one batch, get_next keeps answering
    0 with a released array (the trap release overwritten with NULL, never
    called); get_last_error is NULL while nothing failed."""
    t = make()
    capsule = t.__arrow_c_stream__()
    s = stream_of(capsule)
    assert last_error(s) is None
    take_schema(s)
    code, batch = get_next(s)
    assert code == 0 and batch.release and batch.length == 3
    assert batch.n_children == len(SCHEMA)
    for _ in range(5):
        code, end = get_next(s)
        assert code == 0 and not end.release
    assert last_error(s) is None
    assert _trapped == []
    batch.release(ctypes.byref(batch))
    assert not batch.release and exports(t) == NONE
    s.release(ctypes.byref(s))
    assert not s.release
    del s, capsule  # the capsule destructor sees release == NULL: nothing twice
    t.append(ROWS[0])
    assert len(t) == 4


def test_ar8_export_get_next_error_message_from_get_last_error():
    """AR8 on the export side: a batch that cannot be built (a column dropped
    from the table, then resized, after the stream was made) gives a non-zero
    errno, a released out array, the reason through get_last_error, and no
    export left on any column."""
    t = cc.Table({"id": "int64", "b": "bool"}, [(1, True), (2, False)])
    capsule = t.__arrow_c_stream__()
    s = stream_of(capsule)
    col = t["id"]
    t.drop_column("id")
    col.append(3)
    code, out = get_next(s)
    assert code == errno.EINVAL
    assert not out.release and _trapped == []
    msg = last_error(s)
    assert msg is not None and "one length" in msg
    assert col._debug_info()["exports"] == 0 and exports(t) == [0]
    s.release(ctypes.byref(s))
    del s, capsule
    col.append(4)
    t.append((True,))


def test_ar8_export_get_next_failing_on_memory_releases_everything():
    """AR8 on the export side: get_next failing at any of its allocations (the
    struct's slots, the bool column's packed copy, ...) gives a non-zero
    errno, a released out array, NULL or a string from get_last_error, and
    no export left; the first k at which nothing fails gives the batch."""
    t = cc.Table({"id": "int64", "b": "bool"}, [(1, True), (2, False)])
    failures = 0
    for k in range(1, 64):
        capsule = t.__arrow_c_stream__()
        s = stream_of(capsule)
        take = ArrowSchema()
        assert s.get_schema(ctypes.byref(s), ctypes.byref(take)) == 0
        take.release(ctypes.byref(take))
        core._debug_fail_alloc(k)
        try:
            code, out = get_next(s)
        finally:
            core._debug_fail_alloc(0)
        if code == 0:
            assert out.release and out.length == 2
            out.release(ctypes.byref(out))
        else:
            failures += 1
            assert not out.release and _trapped == []
            msg = last_error(s)
            assert msg is None or isinstance(msg, str)
        assert [c._debug_info()["exports"] for c in t._columns] == [0, 0]
        s.release(ctypes.byref(s))
        del s, capsule
        if code == 0:
            break
    else:
        pytest.fail("get_next never succeeded")
    assert failures >= 2  # at least the struct's slots and the packed bools
    t.append((3, True))


def test_export_released_from_another_thread():
    """The batch's and the stream's release callbacks take the GIL
    themselves, so a consumer thread may call them."""
    t = make()
    capsule, s, batch = open_batch(t)
    assert exports(t) == ALL

    def release():
        batch.release(ctypes.byref(batch))
        s.release(ctypes.byref(s))

    worker = threading.Thread(target=release)
    worker.start()
    worker.join()
    assert not batch.release and not s.release
    assert exports(t) == NONE
    del s, capsule
    t.append(ROWS[0])


@pytest.mark.parametrize("order", ["batch first", "stream first"])
def test_export_is_a_snapshot_whatever_the_table_does(order):
    """The batch shares the columns' buffers; the table changes freely (each
    write copies what it touches) and the batch keeps the values it was
    given, whatever happens to the stream; releasing it gives the buffers
    back."""
    t = make()
    capsule, s, batch = open_batch(t)
    assert exports(t) == ALL
    t.append(ROWS[0])
    t.sort(by="id")
    assert len(t) == 4
    if order == "stream first":
        s.release(ctypes.byref(s))
        del s, capsule
        gc.collect()
    assert read_int64(child(batch, 0)) == [1, 2, -3]
    assert read_utf8(child(batch, 1)) == ["x", None, "yz"]
    batch.release(ctypes.byref(batch))
    assert not batch.release and exports(t) == NONE
    if order == "batch first":
        s.release(ctypes.byref(s))
        del s, capsule
    assert sorted(r["id"] for r in t.to_dicts()) == [-3, 1, 1, 2]


def test_ar6_export_batch_outlives_stream_and_table():
    """AR6 on the export side: with the stream released and the table and
    its columns gone, the batch still reads the data in place (through
    ctypes): it holds the buffers, not the columns; its release frees them."""
    t = make()
    refs = [weakref.ref(o) for o in owners(t)]
    capsule, s, batch = open_batch(t)
    s.release(ctypes.byref(s))
    assert not s.release
    del s, capsule, t
    gc.collect()
    assert [r() for r in refs] == [None] * len(refs)  # the columns are gone ...
    assert batch.length == 3  # ... their buffers are not
    assert read_int64(child(batch, 0)) == [1, 2, -3]
    assert read_utf8(child(batch, 1)) == ["x", None, "yz"]
    n = child(batch, 4)
    assert n.null_count == 1 and read_int8(n) == [3, None, -1]
    batch.release(ctypes.byref(batch))
    assert not batch.release


def test_ar6_export_moved_child_outlives_the_batch():
    """AR6: a consumer may move a child out of the batch; releasing the parent
    leaves that child (and its column's buffers) alive until it is released."""
    t = make()
    capsule, s, batch = open_batch(t)
    src = child(batch, 0)
    moved = ArrowArray.from_buffer_copy(src)
    src.release = ARRAY_RELEASE()
    batch.release(ctypes.byref(batch))
    s.release(ctypes.byref(s))
    del s, capsule
    assert exports(t) == [1, 0, 0, 0, 0, 0]
    t.append(ROWS[0])
    t[0] = ROWS[1]
    assert read_int64(moved) == [1, 2, -3]
    moved.release(ctypes.byref(moved))
    assert not moved.release and exports(t) == NONE


def test_ar1_export_stream_dropped_unconsumed_or_half_consumed():
    """AR1 for streams: a capsule dropped unconsumed, or after get_schema only,
    or moved out by a consumer that releases it itself, is released exactly
    once: no export left, the columns freed with the table, the allocation
    counter back to its baseline."""
    def cycle(how):
        t = make()
        refs = [weakref.ref(o) for o in owners(t)]
        capsule = t.__arrow_c_stream__()
        if how == "schema only":
            take_schema(stream_of(capsule))
        elif how == "moved":
            s = stream_of(capsule)
            mine = ArrowArrayStream.from_buffer_copy(s)
            s.release = STREAM_RELEASE()
            code, batch = get_next(mine)
            assert code == 0
            batch.release(ctypes.byref(batch))
            mine.release(ctypes.byref(mine))
            assert not mine.release
            del s
        del capsule
        assert exports(t) == NONE
        t.append(ROWS[0])  # not locked
        del t
        gc.collect()
        assert [r() for r in refs] == [None] * len(refs)

    for how in ("unconsumed", "schema only", "moved"):
        cycle(how)  # warm up
        base = live_blocks()
        for _ in range(20):
            cycle(how)
        assert live_blocks() == base, how


def test_ar6_table_round_trip_through_its_own_stream():
    """AR6, both sides at once: compactcol importing its own Table's stream
    copies the batch and releases it at once, so the source is unlocked and
    the copy survives it."""
    t = make()
    u = from_arrow(t)
    assert exports(t) == NONE
    t.append(ROWS[0])
    expected = t.to_dicts()[:3]
    del t
    gc.collect()
    assert u.to_dicts() == expected
