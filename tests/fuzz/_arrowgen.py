"""A ctypes producer of hostile Arrow C data interface structures, for the
fuzz harnesses.

Every buffer is a libc malloc block of exactly the size the structure
declares (the C data interface cannot tell a consumer a buffer's size, so a
read past a declared size is the producer's fault, not the consumer's):
fixed-width buffers hold offset+length items, bitmaps ceil((offset+length)/8)
bytes, a string data buffer reaches the largest offset in range, a view
data buffer is exactly the size its sizes buffer lists.  Everything else --
lengths, offsets, null counts, n_buffers, formats, children, the bytes in
the buffers -- is taken from the fuzz input, so any ASan report or crash in
the consumer is a consumer bug.

Each ArrowArray / ArrowSchema gets a release callback that counts its calls
(by a private_data id, so moved copies are counted too) and releases its
children and dictionary, as a real producer's does.  Capsules get the
standard destructor (release the struct unless the consumer moved it out).
"""
import ctypes as C

libc = C.CDLL(None)
libc.malloc.restype = C.c_void_p
libc.malloc.argtypes = [C.c_size_t]
libc.free.argtypes = [C.c_void_p]


class ArrowSchema(C.Structure):
    pass


class ArrowArray(C.Structure):
    pass


SREL = C.CFUNCTYPE(None, C.POINTER(ArrowSchema))
AREL = C.CFUNCTYPE(None, C.POINTER(ArrowArray))
ArrowSchema._fields_ = [
    ("format", C.c_void_p), ("name", C.c_void_p), ("metadata", C.c_void_p),
    ("flags", C.c_int64), ("n_children", C.c_int64),
    ("children", C.POINTER(C.POINTER(ArrowSchema))),
    ("dictionary", C.POINTER(ArrowSchema)), ("release", SREL), ("private_data", C.c_void_p)]
ArrowArray._fields_ = [
    ("length", C.c_int64), ("null_count", C.c_int64), ("offset", C.c_int64),
    ("n_buffers", C.c_int64), ("n_children", C.c_int64), ("buffers", C.POINTER(C.c_void_p)),
    ("children", C.POINTER(C.POINTER(ArrowArray))), ("dictionary", C.POINTER(ArrowArray)),
    ("release", AREL), ("private_data", C.c_void_p)]


class ArrowArrayStream(C.Structure):
    pass


GET_SCHEMA = C.CFUNCTYPE(C.c_int, C.POINTER(ArrowArrayStream), C.POINTER(ArrowSchema))
GET_NEXT = C.CFUNCTYPE(C.c_int, C.POINTER(ArrowArrayStream), C.POINTER(ArrowArray))
GET_ERR = C.CFUNCTYPE(C.c_void_p, C.POINTER(ArrowArrayStream))
STREL = C.CFUNCTYPE(None, C.POINTER(ArrowArrayStream))
ArrowArrayStream._fields_ = [("get_schema", GET_SCHEMA), ("get_next", GET_NEXT),
                             ("get_last_error", GET_ERR), ("release", STREL),
                             ("private_data", C.c_void_p)]

PyCapsule_New = C.pythonapi.PyCapsule_New
PyCapsule_New.restype = C.py_object
PyCapsule_New.argtypes = [C.c_void_p, C.c_char_p, C.c_void_p]
PyCapsule_GetPointer = C.pythonapi.PyCapsule_GetPointer
PyCapsule_GetPointer.restype = C.c_void_p
PyCapsule_GetPointer.argtypes = [C.c_void_p, C.c_char_p]
DESTRUCTOR = C.CFUNCTYPE(None, C.c_void_p)


class Producer:
    """One fuzz input's structures: owns every block and counts releases."""

    def __init__(self):
        self.blocks = []       # malloc'd pointers, freed by close()
        self.keep = []         # ctypes objects that must outlive the call
        self.released = {}     # private_data id -> release calls
        self.kinds = {}        # id -> 'array' / 'schema' / 'stream'
        self.next_id = 1
        self.owned = {}        # id -> the child / dictionary structs it releases

    # -- memory ---------------------------------------------------------------
    def block(self, data, size=None):
        """A malloc block of exactly `size` bytes (default len(data))."""
        size = len(data) if size is None else size
        p = libc.malloc(size)
        if not p:
            raise MemoryError
        self.blocks.append(p)
        C.memmove(p, bytes(data[:size]).ljust(size, b"\0"), size)
        return p

    def cstr(self, s):
        if s is None:
            return None
        return self.block(s + b"\0")

    def _id(self, kind):
        i = self.next_id
        self.next_id += 1
        self.released[i] = 0
        self.kinds[i] = kind
        return i

    # -- release callbacks ------------------------------------------------------
    def _release(self, p):
        x = p.contents
        self.released[x.private_data] += 1
        for c in self.owned.get(x.private_data, ()):  # the real children, whatever n_children says
            if c.release:
                c.release(C.pointer(c))
        x.release = type(x.release)()

    _release_schema = _release_array = _release

    def _callbacks(self):
        if not hasattr(self, "_srel"):
            self._srel = SREL(self._release_schema)
            self._arel = AREL(self._release_array)

            def sdestroy(cap):
                p = PyCapsule_GetPointer(cap, b"arrow_schema")
                s = ArrowSchema.from_address(p)
                if s.release:
                    s.release(C.pointer(s))

            def adestroy(cap):
                p = PyCapsule_GetPointer(cap, b"arrow_array")
                a = ArrowArray.from_address(p)
                if a.release:
                    a.release(C.pointer(a))

            self._sdestroy, self._adestroy = DESTRUCTOR(sdestroy), DESTRUCTOR(adestroy)
        return self._srel, self._arel

    # -- structures -------------------------------------------------------------
    def schema(self, fmt, name=None, children=None, dictionary=None, n_children=None):
        srel, _ = self._callbacks()
        s = ArrowSchema()
        self.keep.append(s)
        s.format = self.cstr(fmt)
        s.name = self.cstr(name)
        s.flags = 2
        if children is not None:
            s.n_children = len(children) if n_children is None else n_children
            arr = (C.POINTER(ArrowSchema) * max(len(children), 1))(*[C.pointer(c) for c in children])
            self.keep.append(arr)
            s.children = C.cast(arr, C.POINTER(C.POINTER(ArrowSchema)))
        elif n_children:
            s.n_children = n_children  # children stays NULL
        if dictionary is not None:
            s.dictionary = C.pointer(dictionary)
        s.release = srel
        s.private_data = self._id("schema")
        self.owned[s.private_data] = list(children or ()) + ([dictionary] if dictionary is not None else [])
        return s

    def array(self, length, offset, null_count, buffers, n_buffers=None, children=None,
              dictionary=None, n_children=None, no_buffers=False):
        """buffers: list of pointers (int or None); the pointer array has
        max(len(buffers), 1) entries and n_buffers defaults to its length."""
        _, arel = self._callbacks()
        a = ArrowArray()
        self.keep.append(a)
        a.length, a.offset, a.null_count = length, offset, null_count
        a.n_buffers = len(buffers) if n_buffers is None else n_buffers
        if not no_buffers:
            bl = (C.c_void_p * max(len(buffers), 1))(*buffers)
            self.keep.append(bl)
            a.buffers = C.cast(bl, C.POINTER(C.c_void_p))
        if children is not None:
            a.n_children = len(children) if n_children is None else n_children
            arr = (C.POINTER(ArrowArray) * max(len(children), 1))(*[C.pointer(c) for c in children])
            self.keep.append(arr)
            a.children = C.cast(arr, C.POINTER(C.POINTER(ArrowArray)))
        elif n_children:
            a.n_children = n_children
        if dictionary is not None:
            a.dictionary = C.pointer(dictionary)
        a.release = arel
        a.private_data = self._id("array")
        self.owned[a.private_data] = list(children or ()) + ([dictionary] if dictionary is not None else [])
        return a

    def capsules(self, s, a):
        self._callbacks()
        sc = PyCapsule_New(C.addressof(s), b"arrow_schema", C.cast(self._sdestroy, C.c_void_p))
        ac = PyCapsule_New(C.addressof(a), b"arrow_array", C.cast(self._adestroy, C.c_void_p))
        return sc, ac

    def stream(self, s, chunks, fail_at=None):
        """An ArrowArrayStream over `chunks` (ArrowArray structs, moved out
        one by one); get_next fails with EIO at chunk `fail_at`."""
        state = {"i": 0}
        err = self.cstr(b"fuzz: get_next failed")
        sid = self._id("stream")

        def get_schema(st, out):
            C.memmove(out, C.addressof(s), C.sizeof(ArrowSchema))
            s.release = SREL()  # moved to the consumer
            return 0

        def get_next(st, out):
            i = state["i"]
            state["i"] += 1
            if fail_at is not None and i == fail_at:
                return 5
            if i < len(chunks):
                C.memmove(out, C.addressof(chunks[i]), C.sizeof(ArrowArray))
                chunks[i].release = AREL()
            else:
                out.contents.release = AREL()
            return 0

        def release(st):
            self.released[sid] += 1
            for c in chunks:  # chunks never handed out
                if c.release:
                    c.release(C.pointer(c))
            if s.release:
                s.release(C.pointer(s))
            st.contents.release = STREL()

        cbs = (GET_SCHEMA(get_schema), GET_NEXT(get_next), GET_ERR(lambda st: err),
               STREL(release))
        st = ArrowArrayStream()
        st.get_schema, st.get_next, st.get_last_error, st.release = cbs
        st.private_data = sid
        self.keep += [cbs, st]

        def destroy(cap):
            p = PyCapsule_GetPointer(cap, b"arrow_array_stream")
            x = ArrowArrayStream.from_address(p)
            if x.release:
                x.release(C.pointer(x))

        d = DESTRUCTOR(destroy)
        self.keep.append(d)
        return PyCapsule_New(C.addressof(st), b"arrow_array_stream", C.cast(d, C.c_void_p))

    def bad_releases(self):
        """Ids released other than exactly once (every struct made is owned
        by a capsule, directly or through its parent)."""
        return {i: n for i, n in self.released.items() if n != 1}

    def close(self):
        for p in self.blocks:
            libc.free(p)
        self.blocks.clear()


class Source:
    """An object with __arrow_c_array__ over a Producer's schema and array
    (what the standalone reproducers in findings/ hand to from_arrow)."""

    def __init__(self, producer, schema, array):
        self._capsules = lambda: producer.capsules(schema, array)

    def __arrow_c_array__(self, requested_schema=None):
        return self._capsules()
