/* bufview.c -- read-only buffers over a region of a container: the
 * zero-copy `data` / `offsets` views of StringArray and the out-of-band
 * pickle buffers of the string containers.
 *
 * A BufferView is a tiny exporter object that holds its owner and asks it
 * for the region at every getbuffer (through region_fn), never caching a
 * pointer: `memoryview(view.obj)` long after the first view was released
 * still sees the owner's current buffer.  A region of private memory is an
 * alias: it counts in the owner's export counter (region->exports) until
 * released, so the owner cannot move the bytes while anyone can see them.
 * A region of memory a snapshot shares (cc_buffer.h) is held by a
 * reference instead, and the owner, which copies before it writes, stays
 * free to change.
 *
 * A snapshot view (owner NULL: a pickle buffer taken at __reduce_ex__) holds
 * its region and the reference itself, so it outlives the container and
 * never sees its later writes.  bufview_adopt goes the other way: a Py_buffer
 * of someone else's memory (an unpickled PickleBuffer, a bytes object)
 * becomes a foreign cc_buffer a container reads in place.
 *
 * bufview_fill / bufview_release are the same bookkeeping for Array's own
 * getbuffer: each view gets a small block with its shape, its stride and
 * what to undo, so a later view of another length cannot change them.
 */
#include "binding.h"

typedef struct {
    PyObject_HEAD
    PyObject *owner;
    region_fn region;
    int which;
    /* a held snapshot instead (owner NULL): the region taken once, at
     * creation, and the reference that keeps its bytes (NULL: empty) */
    buf_region snap;
} BufferViewObject;

/* What one view must undo at release, and its shape and stride. */
typedef struct {
    int64_t *exports;
    cc_buffer *hold;
    Py_ssize_t shape, stride;
} view_pin;

int bufview_fill(Py_buffer *view, buf_region *r, int flags) {
    static int64_t empty; /* a zero-length region still needs a valid pointer */
    view_pin *pin = PyMem_Malloc(sizeof *pin);
    if (!pin) {
        cc_buffer_unref(r->hold);
        PyErr_NoMemory();
        return -1;
    }
    *pin = (view_pin){r->exports, r->hold, r->len / r->itemsize, r->itemsize};
    view->buf = r->buf ? r->buf : (void *)&empty;
    view->len = r->len;
    view->itemsize = r->itemsize;
    view->format = (flags & PyBUF_FORMAT) ? (char *)r->format : NULL;
    view->ndim = 1;
    view->shape = (flags & PyBUF_ND) ? &pin->shape : NULL;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? &pin->stride : NULL;
    view->suboffsets = NULL;
    view->internal = pin;
    if (pin->exports) (*pin->exports)++;
    return 0;
}

void bufview_release(Py_buffer *view) {
    view_pin *pin = view->internal;
    if (pin->exports) (*pin->exports)--;
    cc_buffer_unref(pin->hold);
    PyMem_Free(pin);
}

static int bufview_getbuffer(BufferViewObject *self, Py_buffer *view, int flags) {
    buf_region r = {0};
    if ((flags & PyBUF_WRITABLE) == PyBUF_WRITABLE) {
        PyErr_SetString(PyExc_BufferError, "this buffer is read-only");
        return -1;
    }
    if (!self->owner) {
        r = self->snap;
        if (r.hold) cc_buffer_ref(r.hold);
    } else if (self->region(self->owner, self->which, &r) < 0) {
        return -1;
    }
    if (bufview_fill(view, &r, flags) < 0) return -1;
    view->obj = Py_NewRef(self);
    view->readonly = 1;
    return 0;
}

static void bufview_releasebuffer(BufferViewObject *self, Py_buffer *view) {
    (void)self;
    bufview_release(view);
}

static int bufview_traverse(BufferViewObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->owner);
    return 0;
}

static void bufview_dealloc(BufferViewObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Py_XDECREF(self->owner);
    cc_buffer_unref(self->snap.hold);
    PyObject_GC_Del(self);
    Py_DECREF(tp);
}

static PyType_Slot bufview_slots[] = {
    {Py_tp_dealloc, bufview_dealloc},
    {Py_tp_traverse, bufview_traverse},
    {Py_bf_getbuffer, bufview_getbuffer},
    {Py_bf_releasebuffer, bufview_releasebuffer},
    {0, NULL},
};

PyType_Spec bufview_spec = {
    .name = "compactcol._core.BufferView",
    .basicsize = sizeof(BufferViewObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE |
             Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = bufview_slots,
};

static PyObject *bufview_new(PyObject *owner, region_fn region, int which) {
    module_state *st = state_of_type(Py_TYPE(owner));
    if (!st) return NULL;
    BufferViewObject *v = PyObject_GC_New(BufferViewObject, st->BufferViewType);
    if (!v) return NULL;
    v->owner = Py_NewRef(owner);
    v->region = region;
    v->which = which;
    v->snap = (buf_region){0};
    PyObject_GC_Track(v);
    return (PyObject *)v;
}

/* wrap(a new BufferView of the region): the view object lives as long as
 * what wrap makes of it. */
static PyObject *wrapped(PyObject *owner, region_fn region, int which,
                         PyObject *(*wrap)(PyObject *)) {
    PyObject *v = bufview_new(owner, region, which);
    if (!v) return NULL;
    PyObject *r = wrap(v);
    Py_DECREF(v);
    return r;
}

PyObject *bufview_memoryview(PyObject *owner, region_fn region, int which) {
    return wrapped(owner, region, which, PyMemoryView_FromObject);
}

PyObject *bufview_pickle_buffer(PyObject *owner, region_fn region, int which) {
    return wrapped(owner, region, which, PyPickleBuffer_FromObject);
}

PyObject *bufview_bytes(PyObject *owner, region_fn region, int which) {
    buf_region r = {0};
    if (region(owner, which, &r) < 0) return NULL;
    PyObject *bytes = PyBytes_FromStringAndSize(r.buf ? (const char *)r.buf : "", r.len);
    cc_buffer_unref(r.hold);
    return bytes;
}

PyObject *bufview_snapshot_pickle_buffer(PyTypeObject *module_type, const buf_region *r) {
    module_state *st = state_of_type(module_type);
    BufferViewObject *v = st ? PyObject_GC_New(BufferViewObject, st->BufferViewType) : NULL;
    if (!v) {
        cc_buffer_unref(r->hold);
        return NULL;
    }
    v->owner = NULL;
    v->region = NULL;
    v->which = 0;
    v->snap = *r;
    v->snap.exports = NULL;
    PyObject_GC_Track(v);
    PyObject *pb = PyPickleBuffer_FromObject((PyObject *)v);
    Py_DECREF(v);
    return pb;
}

PyObject *bufview_validity_state(PyTypeObject *module_type, bool nullable, uint8_t *bits,
                                 int64_t n, cc_buffer *snapshot) {
    if (!snapshot || !nullable || !bits || n == 0) {
        cc_buffer_unref(snapshot);
        return validity_as_bytes(nullable, bits, n);
    }
    buf_region r = {bits, (Py_ssize_t)cc_bitmap_bytes(n), 1, "B", NULL, snapshot};
    return bufview_snapshot_pickle_buffer(module_type, &r);
}

int bufview_adopt_validity(Py_buffer *bits, int64_t n, cc_buffer **share) {
    *share = NULL;
    if (n == 0 || bits->len != cc_bitmap_bytes(n) || !bufview_immutable(bits->obj)) return 0;
    int spare = (int)(cc_bitmap_bytes(n) * 8 - n); /* bits past n in the last byte */
    if (spare && ((const uint8_t *)bits->buf)[bits->len - 1] >> (8 - spare)) return 0;
    *share = bufview_adopt(bits);
    return *share ? 0 : -1;
}

/* ---- adopting another object's buffer ------------------------------------------ */

/* A foreign cc_buffer's release: the view was taken with the GIL and must be
 * given back with it, on whichever thread drops the last reference. */
static void release_pybuffer(void *owner) {
    PyGILState_STATE g = PyGILState_Ensure();
    PyBuffer_Release(owner);
    PyMem_Free(owner);
    PyGILState_Release(g);
}

cc_buffer *bufview_adopt(Py_buffer *view) {
    Py_buffer *held = PyMem_Malloc(sizeof *held);
    cc_buffer *b = held ? cc_buffer_foreign(release_pybuffer, held) : NULL;
    if (!b) {
        PyMem_Free(held);
        PyErr_NoMemory();
        return NULL;
    }
    *held = *view;
    *view = (Py_buffer){0};
    return b;
}

bool bufview_immutable(PyObject *obj) {
    for (int depth = 0; obj && depth < 8; depth++) {
        if (PyBytes_CheckExact(obj)) return true;
        PyBufferProcs *procs = Py_TYPE(obj)->tp_as_buffer;
        if (procs && procs->bf_getbuffer == (getbufferproc)bufview_getbuffer)
            return ((BufferViewObject *)obj)->owner == NULL; /* a held snapshot */
        if (PyMemoryView_Check(obj)) {
            obj = PyMemoryView_GET_BASE(obj);
        } else if (Py_IS_TYPE(obj, &PyPickleBuffer_Type)) {
            const Py_buffer *view = PyPickleBuffer_GetBuffer(obj);
            if (!view) {
                PyErr_Clear(); /* released: not ours to keep */
                return false;
            }
            obj = view->obj;
        } else {
            return false;
        }
    }
    return false;
}
