/* strarray_binary.c -- compactcol.BinaryArray: a list of bytes stored as raw bytes
 * plus offsets (Arrow's binary / large_binary layout).
 *
 * It is a StringArray without the UTF-8 rules: the same object layout
 * (StringArrayObject, arr.binary set) on the same engine -- strarray.c's
 * conversions, searching, comparisons and seq_ops, strarray_buffer.c's
 * views and pickling, arrow_export.c's export -- which branch on the flag
 * only where an item comes in (a bytes-like object instead of a str) or
 * goes out (bytes instead of str), and where imported or unpickled bytes
 * would be checked for UTF-8.  This file is only the type object: its
 * constructor, methods and documentation.  It is a second type, not a
 * subclass: a BinaryArray is not a StringArray.
 */
#include "binding.h"
#include "strarray.h"
#include "arrow.h"

#include <structmember.h>

#define NAME "BinaryArray"

SEQ_DEFINE_SLOTS(binarray, &binarray_seq_ops)
SEQ_DEFINE_METHODS(binarray, &binarray_seq_ops)

bool binarray_check(PyObject *obj) {
    /* by slot, like StringArray's check: any module instance, and subclasses */
    PyMappingMethods *m = Py_TYPE(obj)->tp_as_mapping;
    return m && m->mp_subscript == binarray_subscript;
}

static PyObject *binarray_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    return strarray_new_as(type, args, kwds, true);
}

static Py_ssize_t binarray_length(PyObject *self) {
    return (Py_ssize_t)((StringArrayObject *)self)->arr.length;
}

/* to_numpy(): an object array of bytes (NumPy's own bytes dtype 'S' would
 * strip trailing NULs and pad every value to the longest). */
static PyObject *binarray_to_numpy(PyObject *self, PyObject *unused) {
    (void)unused;
    PyObject *mod = PyImport_ImportModule("compactcol._numpy");
    if (!mod) return NULL;
    PyObject *r = PyObject_CallMethod(mod, "bytes_to_numpy", "O", self);
    Py_DECREF(mod);
    return r;
}

static PyMethodDef binarray_methods[] = {
    {"append", (PyCFunction)binarray_append, METH_O,
     "append($self, b, /)\n--\n\nAppend a bytes-like object (or None if nullable). Amortised O(1)."},
    {"extend", (PyCFunction)binarray_extend, METH_O,
     "extend($self, values, /)\n--\n\nAppend every bytes-like item of an iterable. All or nothing."},
    {"insert", (PyCFunction)(void (*)(void))binarray_insert, METH_FASTCALL,
     "insert($self, i, b, /)\n--\n\nInsert b before index i (clamped as list.insert). O(n)."},
    {"pop", (PyCFunction)(void (*)(void))binarray_pop, METH_FASTCALL,
     "pop($self, i=-1, /)\n--\n\nRemove and return the item at i. O(1) at the end."},
    {"remove", (PyCFunction)binarray_remove, METH_O,
     "remove($self, b, /)\n--\n\nRemove the first item equal to b; ValueError if absent."},
    {"index", (PyCFunction)(void (*)(void))binarray_index, METH_FASTCALL,
     "index($self, b, start=0, stop=sys.maxsize, /)\n--\n\nFirst index of b; ValueError if absent."},
    {"count", (PyCFunction)binarray_count, METH_O,
     "count($self, b, /)\n--\n\nNumber of items equal to b (compared as bytes, in C)."},
    {"clear", (PyCFunction)binarray_clear, METH_NOARGS,
     "clear($self, /)\n--\n\nRemove all items and release the buffers."},
    {"reverse", (PyCFunction)binarray_reverse, METH_NOARGS,
     "reverse($self, /)\n--\n\nReverse in place. O(n + bytes)."},
    {"sort", (PyCFunction)(void (*)(void))binarray_sort, METH_VARARGS | METH_KEYWORDS,
     "sort($self, /, *, key=None, reverse=False)\n--\n\nStable in-place sort. Without a key "
     "bytewise, as bytes compare (in C); None goes last in both directions."},
    {"copy", (PyCFunction)binarray_copy, METH_NOARGS,
     "copy($self, /)\n--\n\nA shallow copy, O(1): it shares the buffers until either side "
     "writes (copy-on-write)."},
    {"__copy__", (PyCFunction)binarray_copy, METH_NOARGS, NULL},
    {"__deepcopy__", (PyCFunction)strarray_deepcopy, METH_O, NULL},
    {"tolist", (PyCFunction)binarray_tolist, METH_NOARGS,
     "tolist($self, /)\n--\n\nThe values as a list of bytes."},
    {"to_numpy", (PyCFunction)binarray_to_numpy, METH_NOARGS,
     "to_numpy($self, /)\n--\n\nA NumPy object array of bytes (None for nulls). A copy. "
     "Imports NumPy."},
    {"__arrow_c_schema__", (PyCFunction)strarray_arrow_c_schema, METH_NOARGS,
     "__arrow_c_schema__($self, /)\n--\n\nThe Arrow schema ('z' binary, or 'Z' large_binary), "
     "as an 'arrow_schema' PyCapsule."},
    {"__arrow_c_array__", (PyCFunction)(void (*)(void))strarray_arrow_c_array,
     METH_VARARGS | METH_KEYWORDS,
     "__arrow_c_array__($self, /, requested_schema=None)\n--\n\nExport to Arrow without a "
     "copy (compacting first if assignments scattered the layout): a snapshot, as "
     "StringArray's."},
    {"save", (PyCFunction)seq_save, METH_O,
     "save($self, path, /)\n--\n\nWrite to path as an uncompressed Arrow IPC file (Feather "
     "v2), read back by compactcol.open(path). O(n). Needs pyarrow."},
    {"__reduce_ex__", (PyCFunction)strarray_reduce_ex, METH_O,
     "Pickle support: protocol 5 sends the buffers out of band (PickleBuffer)."},
    {"__sizeof__", (PyCFunction)strarray_sizeof, METH_NOARGS,
     "Size in bytes including the owned buffers (for sys.getsizeof)."},
    {"_validity", (PyCFunction)strarray_validity, METH_NOARGS,
     "_validity($self, /)\n--\n\nThe validity bitmap as bytes (Arrow layout), None when "
     "not nullable."},
    {"_debug_info", (PyCFunction)strarray_debug_info, METH_NOARGS,
     "Check the invariants (AssertionError if broken) and return the internals."},
    {"__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef binarray_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(StringArrayObject, weakreflist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

PyDoc_STRVAR(binarray_doc,
"BinaryArray(values=(), *, nullable=False)\n"
"--\n\n"
"A mutable sequence of bytes stored back to back plus offsets (Arrow's\n"
"binary layout, large_binary past 2**31-1 bytes).  Behaves like a list of\n"
"bytes; takes any bytes-like object (bytes, bytearray, memoryview, any\n"
"C-contiguous buffer: its raw bytes) and gives bytes back; with\n"
"nullable=True it can hold None.  The engine of StringArray without the\n"
"UTF-8 rules.\n\n"
">>> b = BinaryArray([b'\\x00\\x01', bytearray(b'ab')]); b.append(b''); b.tolist()\n"
"[b'\\x00\\x01', b'ab', b'']");

static PyType_Slot binarray_slots[] = {
    {Py_tp_doc, (void *)binarray_doc},
    {Py_tp_new, binarray_new},
    {Py_tp_dealloc, strarray_dealloc},
    {Py_tp_repr, strarray_repr},
    {Py_tp_hash, PyObject_HashNotImplemented},
    {Py_tp_iter, strarray_iter},
    {Py_tp_richcompare, strarray_richcompare},
    {Py_tp_getset, binarray_getset},
    {Py_tp_members, binarray_members},
    {Py_tp_methods, binarray_methods},
    {Py_sq_length, binarray_length},
    SEQ_SLOTS(binarray),
    {Py_mp_length, binarray_length},
    {0, NULL},
};

PyType_Spec binarray_spec = {
    .name = "compactcol.BinaryArray",
    .basicsize = sizeof(StringArrayObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_SEQUENCE,
    .slots = binarray_slots,
};
