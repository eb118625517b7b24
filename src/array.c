/* array.c -- the Array type: construction, dtype parsing, properties,
 * iteration and repr.  Indexing, slicing and the list methods are
 * seq.c's, over the operations array_methods.c defines
 * (array_seq_ops); the buffer protocol / pickling / bytes are in
 * array_buffer.c.
 *
 * An ArrayObject is a cc_numarray plus a weakref list; it holds no Python
 * references, so it is not tracked by the GC.
 */
#include "binding.h"
#include "array.h"

#include <structmember.h>

/* ---- dtype parsing ------------------------------------------------------- */

/* NumPy's short codes ("i8", "<f4") and array.array's typecodes. */
static int dtype_from_code(const char *s, cc_dtype *dtype) {
    static const struct { const char *code; cc_dtype dtype; } codes[] = {
        {"i1", CC_INT8},   {"i2", CC_INT16},   {"i4", CC_INT32},   {"i8", CC_INT64},
        {"u1", CC_UINT8},  {"u2", CC_UINT16},  {"u4", CC_UINT32},  {"u8", CC_UINT64},
        {"f4", CC_FLOAT32}, {"f8", CC_FLOAT64}, {"b1", CC_BOOL},
    };
    const char *p = s;
    if (*p == '<' || *p == '=' || *p == '|') p++;
    for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++)
        if (strcmp(p, codes[k].code) == 0) {
            *dtype = codes[k].dtype;
            return 0;
        }
    if (strlen(s) == 1 && strchr("bBhHiIlLqQfd?", s[0])) {
        int64_t size = (s[0] == 'l' || s[0] == 'L') ? (int64_t)sizeof(long) : 0;
        if (size == 0) {
            for (int k = 0; k < CC_NUM_DTYPES; k++)
                if (cc_dtype_get((cc_dtype)k)->format[0] == s[0])
                    size = cc_dtype_get((cc_dtype)k)->itemsize;
        }
        return cc_dtype_from_format(s, size, dtype) == CC_OK ? 0 : -1;
    }
    return -1;
}

static int dtype_from_string(PyObject *str, cc_dtype *dtype, bool *adaptive, char *tz) {
    Py_ssize_t size;
    const char *s = PyUnicode_AsUTF8AndSize(str, &size);
    if (!s) return -1;
    *adaptive = false;
    if ((size_t)size != strlen(s)) goto unknown; /* an embedded NUL */
    if (strcmp(s, "int") == 0) {
        *adaptive = true;
        *dtype = CC_INT8;
        return 0;
    }
    if (strcmp(s, "float") == 0) s = "float64";
    if (strcmp(s, "bool_") == 0) s = "bool";
    char zone[CC_TZ_MAX];
    int known = dtype_name_parse(s, dtype, zone);
    if (known < 0) return -1;
    if (known && zone[0] && !tz)
        return PyErr_Format(PyExc_ValueError, "a dtype with a parameter (%R) is not supported here",
                            str), -1;
    if (known) {
        if (tz) memcpy(tz, zone, sizeof zone);
        return 0;
    }
    if (dtype_from_code(s, dtype) == 0) return 0;
unknown:
    PyErr_Format(PyExc_ValueError,
                 "Array: unknown dtype %R: expected 'int' (adaptive width), "
                 "int8, int16, int32, int64, uint8, uint16, uint32, uint64, "
                 "float32, float64, bool, a NumPy dtype or an array.array "
                 "typecode", str);
    return -1;
}

/* A NumPy dtype object (anything with .byteorder, .itemsize and .name):
 * 1 parsed, 0 not such an object, -1 error. */
static int dtype_from_numpy_dtype(PyObject *obj, cc_dtype *dtype, bool *adaptive) {
    if (!PyObject_HasAttrString(obj, "byteorder") || !PyObject_HasAttrString(obj, "itemsize"))
        return 0;
    PyObject *order = PyObject_GetAttrString(obj, "byteorder");
    if (!order) return -1;
    int native = PyUnicode_Check(order) &&
                 (PyUnicode_CompareWithASCIIString(order, "=") == 0 ||
                  PyUnicode_CompareWithASCIIString(order, "|") == 0 ||
                  PyUnicode_CompareWithASCIIString(order, "<") == 0);
    Py_DECREF(order);
    if (!native) {
        PyErr_Format(PyExc_ValueError, "Array: dtype %R is not in native byte order", obj);
        return -1;
    }
    PyObject *name = PyObject_GetAttrString(obj, "name");
    if (!name) return -1;
    int r = PyUnicode_Check(name) ? dtype_from_string(name, dtype, adaptive, NULL) : 0;
    Py_DECREF(name);
    return r < 0 ? -1 : 1;
}

int dtype_parse(PyObject *obj, cc_dtype *dtype, bool *adaptive, char *tz) {
    if (tz) tz[0] = '\0';
    if (PyUnicode_Check(obj)) return dtype_from_string(obj, dtype, adaptive, tz);
    if (obj == (PyObject *)&PyLong_Type) {
        *adaptive = true;
        *dtype = CC_INT8;
        return 0;
    }
    *adaptive = false;
    if (obj == (PyObject *)&PyFloat_Type) { *dtype = CC_FLOAT64; return 0; }
    if (obj == (PyObject *)&PyBool_Type) { *dtype = CC_BOOL; return 0; }
    int r;
    if (PyType_Check(obj) && strncmp(((PyTypeObject *)obj)->tp_name, "numpy.", 6) == 0) {
        /* a scalar type (np.int32, np.longlong): NumPy names its dtype */
        PyObject *np = PyImport_ImportModule("numpy");
        PyObject *dt = np ? PyObject_CallMethod(np, "dtype", "O", obj) : NULL;
        Py_XDECREF(np);
        if (!dt) return -1;
        r = dtype_from_numpy_dtype(dt, dtype, adaptive);
        Py_DECREF(dt);
    } else {
        r = dtype_from_numpy_dtype(obj, dtype, adaptive);
    }
    if (r != 0) return r < 0 ? -1 : 0;
    PyErr_Format(PyExc_TypeError,
                 "Array: dtype must be a str, a NumPy dtype, int, float or "
                 "bool, not %s", Py_TYPE(obj)->tp_name);
    return -1;
}

/* ---- construction -------------------------------------------------------- */

PyObject *array_wrap(PyTypeObject *any_type_of_module, cc_numarray *arr) {
    module_state *st = state_of_type(any_type_of_module);
    if (!st) return NULL;
    ArrayObject *o = (ArrayObject *)st->ArrayType->tp_alloc(st->ArrayType, 0);
    if (!o) return NULL;
    cc_numarray_init_like(&o->arr, arr);
    cc_numarray_move(&o->arr, arr);
    return (PyObject *)o;
}

static PyObject *array_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"dtype", "values", "nullable", NULL};
    PyObject *dtype_obj, *values = NULL;
    int nullable = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O$p:Array", kwlist,
                                     &dtype_obj, &values, &nullable))
        return NULL;
    cc_dtype dtype;
    bool adaptive;
    char tz[CC_TZ_MAX];
    if (dtype_parse(dtype_obj, &dtype, &adaptive, tz) < 0) return NULL;
    ArrayObject *self = (ArrayObject *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    cc_numarray_init(&self->arr, dtype, adaptive, nullable);
    if (cc_numarray_set_tz(&self->arr, tz) != CC_OK) { /* dtype_parse checked it */
        Py_DECREF(self);
        return PyErr_Format(PyExc_SystemError, "Array: bad time zone");
    }
    if (values) {
        cc_numarray scratch;
        if (array_collect(&self->arr, values, &scratch, "__init__") < 0) {
            Py_DECREF(self);
            return NULL;
        }
        cc_numarray_move(&self->arr, &scratch);
        /* an iterator of unknown length may have over-allocated */
        if (self->arr.capacity - self->arr.length > self->arr.length / 16 + 8)
            if (cc_numarray_shrink_to_fit(&self->arr) != CC_OK) {
                /* nothing exports a new array; a failed shrink keeps memory */
            }
    }
    return (PyObject *)self;
}

static void array_dealloc(ArrayObject *self) {
    PyTypeObject *tp = Py_TYPE(self);
    if (self->weakreflist) PyObject_ClearWeakRefs((PyObject *)self);
    cc_numarray_reset(&self->arr);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* ---- properties ----------------------------------------------------------- */

static PyObject *array_get_dtype(ArrayObject *self, void *c) {
    (void)c;
    return dtype_name_object(self->arr.dtype, self->arr.tz);
}
static PyObject *array_get_adaptive(ArrayObject *self, void *c) {
    (void)c;
    return PyBool_FromLong(self->arr.adaptive);
}
static PyObject *array_get_nullable(ArrayObject *self, void *c) {
    (void)c;
    return PyBool_FromLong(self->arr.nullable);
}
static PyObject *array_get_itemsize(ArrayObject *self, void *c) {
    (void)c;
    return PyLong_FromLong(cc_numarray_itemsize(&self->arr));
}
static PyObject *array_get_capacity(ArrayObject *self, void *c) {
    (void)c;
    return PyLong_FromLongLong(self->arr.capacity);
}
static PyObject *array_get_null_count(ArrayObject *self, void *c) {
    (void)c;
    return PyLong_FromLongLong(self->arr.null_count);
}
static PyObject *array_get_nbytes(ArrayObject *self, void *c) {
    (void)c;
    const cc_numarray *a = &self->arr;
    int64_t n = a->length * cc_numarray_itemsize(a);
    if (a->nullable) n += cc_bitmap_bytes(a->length);
    return PyLong_FromLongLong(n);
}

static PyGetSetDef array_getset[] = {
    {"dtype", (getter)array_get_dtype, NULL,
     "Name of the current storage type, e.g. 'int64' (for an adaptive "
     "'int' array, the width it has grown to).", NULL},
    {"adaptive", (getter)array_get_adaptive, NULL,
     "True for dtype='int': storage widens int8 -> int16 -> int32 -> int64 "
     "as values need.", NULL},
    {"nullable", (getter)array_get_nullable, NULL,
     "True if the array stores None (in a validity bitmap).", NULL},
    {"itemsize", (getter)array_get_itemsize, NULL, "Bytes per element.", NULL},
    {"capacity", (getter)array_get_capacity, NULL,
     "Elements the buffer holds before it must grow.", NULL},
    {"null_count", (getter)array_get_null_count, NULL, "Number of None values.", NULL},
    {"nbytes", (getter)array_get_nbytes, NULL,
     "Payload bytes: len * itemsize, plus the validity bitmap if nullable.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* ---- indexing and the sequence slots (seq.c) ----------------------------- */

static Py_ssize_t array_length(ArrayObject *self) {
    return (Py_ssize_t)self->arr.length;
}

SEQ_DEFINE_SLOTS(arrayseq, &array_seq_ops)

/* ---- repr ------------------------------------------------------------------- */

static PyObject *array_repr(ArrayObject *self) {
    const cc_numarray *a = &self->arr;
    char head[CC_DTYPE_NAME_MAX + 16], name[CC_DTYPE_NAME_MAX];
    PyOS_snprintf(head, sizeof head, "Array('%s', ",
                  a->adaptive ? "int" : dtype_name_format(a->dtype, a->tz, name, sizeof name));
    return seq_repr((PyObject *)self, &array_seq_ops, head,
                    a->nullable ? ", nullable=True" : "");
}

/* ---- iteration -------------------------------------------------------------- */

/* Iteration has to hand out a new Python object per element, and for ints
 * and floats the allocation and the free dominate (sum(a) would cost 3x
 * sum(list)).  So the iterator recycles its boxes, as CPython's own zip()
 * and enumerate() recycle their result tuples: it keeps the last two boxes
 * it returned, and when it holds the *only* reference to one (refcount 1:
 * the consumer has dropped it, so nothing can observe the change) it writes
 * the next value into that object instead of allocating.  Two slots, so a
 * `for x in a` loop -- whose variable still holds the previous element while
 * the next one is fetched -- benefits too.  Ints are recycled only on
 * CPython 3.11's int layout and on 3.12/3.13's (lv_tag), and only for
 * one-digit values outside the small int cache (whose objects are shared
 * singletons); every other value takes the ordinary path. */
typedef struct {
    PyObject_HEAD
    ArrayObject *seq; /* NULL once exhausted */
    Py_ssize_t index;
    PyObject *boxes[2];
    temporal_batch *batch; /* timestamps decoded ahead (temporal.c), or NULL */
} ArrayIterObject;

static CC_ALWAYS_INLINE PyObject *recycled(ArrayIterObject *it, Py_ssize_t i, PyTypeObject *tp) {
    PyObject *box = it->boxes[i & 1];
    if (box && Py_REFCNT(box) == 1 && Py_IS_TYPE(box, tp)) return Py_NewRef(box);
    return NULL;
}

static PyObject *keep_box(ArrayIterObject *it, Py_ssize_t i, PyObject *box) {
    if (box) Py_XSETREF(it->boxes[i & 1], Py_NewRef(box));
    return box;
}

static CC_ALWAYS_INLINE PyObject *box_float(ArrayIterObject *it, Py_ssize_t i, double d) {
    PyObject *box = recycled(it, i, &PyFloat_Type);
    if (!box) return keep_box(it, i, PyFloat_FromDouble(d));
    ((PyFloatObject *)box)->ob_fval = d;
    return box;
}

/* Inlined into the iterator's per-dtype cases: a call per element (and its
 * register saves) was a fifth of the iteration's own cost. */
static CC_ALWAYS_INLINE PyObject *box_int(ArrayIterObject *it, Py_ssize_t i, long long v) {
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
    /* One 30-bit digit, sign in ob_size; -5..256 are cached singletons.
     * Two unsigned range tests joined by & make one branch, which matters
     * when signs are random. */
    const unsigned long long base = PyLong_BASE;
    bool not_small = (unsigned long long)v + 5 > 261; /* unsigned: no overflow */
    bool one_digit = (unsigned long long)v + (base - 1) < 2 * base - 1;
    if (not_small & one_digit) {
        PyObject *box = recycled(it, i, &PyLong_Type);
        if (box && (Py_SIZE(box) == 1 || Py_SIZE(box) == -1)) {
            Py_SET_SIZE(box, v < 0 ? -1 : 1);
            ((PyLongObject *)box)->ob_digit[0] = (digit)(v < 0 ? -v : v);
            return box;
        }
        Py_XDECREF(box);
        return keep_box(it, i, PyLong_FromLongLong(v));
    }
#elif PY_VERSION_HEX >= 0x030C0000 && PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED)
    /* 3.12 and 3.13: long_value.lv_tag = ndigits << 3 | sign, sign 0 for
     * positive and 2 for negative (1 is zero; bit 2 is reserved for an
     * immortality flag, unused in these versions): TAG_FROM_SIGN_AND_SIZE of
     * CPython's Include/internal/pycore_long.h.  -5..256 are immortal
     * singletons, and an immortal's refcount is never 1, so recycled() can't
     * return one; the tag test also rejects anything that is not a plain
     * one-digit int.  Not on free-threaded builds (refcount 1 is not a
     * single owner there). */
    const unsigned long long base = PyLong_BASE;
    bool not_small = (unsigned long long)v + 5 > 261; /* unsigned: no overflow */
    bool one_digit = (unsigned long long)v + (base - 1) < 2 * base - 1;
    if (not_small & one_digit) {
        const uintptr_t pos1 = (uintptr_t)1 << 3, neg1 = ((uintptr_t)1 << 3) | 2;
        PyObject *box = recycled(it, i, &PyLong_Type);
        if (box) {
            _PyLongValue *lv = &((PyLongObject *)box)->long_value;
            if (lv->lv_tag == pos1 || lv->lv_tag == neg1) {
                lv->lv_tag = v < 0 ? neg1 : pos1;
                lv->ob_digit[0] = (digit)(v < 0 ? -v : v);
                return box;
            }
        }
        Py_XDECREF(box);
        return keep_box(it, i, PyLong_FromLongLong(v));
    }
#else
    (void)it;
    (void)i;
#endif
    return PyLong_FromLongLong(v);
}

static PyObject *arrayiter_box(ArrayIterObject *it, const cc_numarray *a, Py_ssize_t i) {
    const void *data = a->data;
    if (a->nullable && !cc_bitmap_get(a->validity, i)) Py_RETURN_NONE;
    switch (a->dtype) {
    case CC_INT8: return box_int(it, i, ((const int8_t *)data)[i]);
    case CC_INT16: return box_int(it, i, ((const int16_t *)data)[i]);
    case CC_INT32: return box_int(it, i, ((const int32_t *)data)[i]);
    case CC_INT64: return box_int(it, i, ((const int64_t *)data)[i]);
    case CC_UINT8: return box_int(it, i, ((const uint8_t *)data)[i]);
    case CC_UINT16: return box_int(it, i, ((const uint16_t *)data)[i]);
    case CC_UINT32: return box_int(it, i, ((const uint32_t *)data)[i]);
    case CC_FLOAT32: return box_float(it, i, ((const float *)data)[i]);
    case CC_FLOAT64: return box_float(it, i, ((const double *)data)[i]);
    case CC_TS_S: case CC_TS_MS: case CC_TS_US: case CC_TS_NS: {
        if (a->tz[0]) return array_item_box(a, i); /* aware: made by its zone */
        PyObject *box = recycled(it, i, temporal_datetime_type);
        PyObject *r = temporal_batch_box(&it->batch, a, i, box);
        Py_XDECREF(box);
        return r == box ? r : keep_box(it, i, r);
    }
    default: return array_item_box(a, i);
    }
}

static PyObject *array_iter(ArrayObject *self) {
    module_state *st = state_of_type(Py_TYPE(self));
    if (!st) return NULL;
    ArrayIterObject *it = PyObject_GC_New(ArrayIterObject, st->ArrayIterType);
    if (!it) return NULL;
    it->seq = (ArrayObject *)Py_NewRef(self);
    it->index = 0;
    it->boxes[0] = it->boxes[1] = NULL;
    it->batch = NULL;
    PyObject_GC_Track(it);
    return (PyObject *)it;
}

static PyObject *arrayiter_next(ArrayIterObject *it) {
    ArrayObject *seq = it->seq;
    if (!seq) return NULL;
    if (it->index < seq->arr.length) {
        Py_ssize_t i = it->index++;
        return arrayiter_box(it, &seq->arr, i);
    }
    it->seq = NULL;
    Py_DECREF(seq);
    return NULL;
}

static PyObject *arrayiter_length_hint(ArrayIterObject *it, PyObject *unused) {
    (void)unused;
    Py_ssize_t n = it->seq ? (Py_ssize_t)it->seq->arr.length - it->index : 0;
    return PyLong_FromSsize_t(n < 0 ? 0 : n);
}

static int arrayiter_traverse(ArrayIterObject *it, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(it));
    Py_VISIT(it->seq);
    return 0;
}

static void arrayiter_dealloc(ArrayIterObject *it) {
    PyTypeObject *tp = Py_TYPE(it);
    PyObject_GC_UnTrack(it);
    Py_CLEAR(it->seq);
    Py_CLEAR(it->boxes[0]);
    Py_CLEAR(it->boxes[1]);
    temporal_batch_free(it->batch);
    PyObject_GC_Del(it);
    Py_DECREF(tp);
}

static PyMethodDef arrayiter_methods[] = {
    {"__length_hint__", (PyCFunction)arrayiter_length_hint, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot array_iter_slots[] = {
    {Py_tp_dealloc, arrayiter_dealloc},
    {Py_tp_traverse, arrayiter_traverse},
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, arrayiter_next},
    {Py_tp_methods, arrayiter_methods},
    {0, NULL},
};

PyType_Spec array_iter_spec = {
    .name = "compactcol._core.ArrayIterator",
    .basicsize = sizeof(ArrayIterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE |
             Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = array_iter_slots,
};

/* ---- the type ----------------------------------------------------------------- */

static PyMemberDef array_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(ArrayObject, weakreflist),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

PyDoc_STRVAR(array_doc,
"Array(dtype, values=(), *, nullable=False)\n"
"--\n\n"
"A mutable sequence of one numeric C type, stored unboxed and contiguous.\n\n"
"dtype is 'int' (adaptive: the narrowest of int8/16/32/64 that holds the\n"
"values, widened as needed), a fixed type name (int8 ... uint64, float32,\n"
"float64, bool), a NumPy dtype or an array.array typecode.  With\n"
"nullable=True, None is stored in an Arrow-layout validity bitmap.\n\n"
"Behaves like a list (slices are copies), exports its buffer to NumPy and\n"
"memoryview without a copy, and refuses to resize while exported.\n\n"
">>> a = Array('int', [1, 2, 3]); a.append(300); a.dtype\n"
"'int16'");

static PyType_Slot array_slots[] = {
    {Py_tp_doc, (void *)array_doc},
    {Py_tp_new, array_new},
    {Py_tp_dealloc, array_dealloc},
    {Py_tp_repr, array_repr},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_iter, array_iter},
    {Py_tp_richcompare, array_richcompare},
    {Py_tp_getset, array_getset},
    {Py_tp_members, array_members},
    {Py_sq_length, array_length},
    SEQ_SLOTS(arrayseq),
    {Py_mp_length, array_length},
    {Py_bf_getbuffer, array_getbuffer},
    {Py_bf_releasebuffer, array_releasebuffer},
    {Py_tp_methods, array_methods},
    {0, NULL},
};

PyType_Spec array_spec = {
    .name = "compactcol.Array",
    .basicsize = sizeof(ArrayObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_SEQUENCE,
    .slots = array_slots,
};
