/* module.c -- compactcol._core: multi-phase init, module state holding the
 * heap types, and the module-level functions (the pickle reconstructor and
 * the test hooks).  No C global holds a Python object. */
#include "binding.h"
#include "array.h"
#include "strarray.h"
#include "pool.h"
#include "categorical.h"
#include "arrow.h"
#include "strdict.h"
#include "table.h"

static int module_exec(PyObject *m) {
    module_state *st = PyModule_GetState(m);
    if (temporal_init() < 0) return -1;
    st->ArrayType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &array_spec, NULL);
    if (!st->ArrayType || PyModule_AddType(m, st->ArrayType) < 0) return -1;
    st->ArrayIterType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &array_iter_spec, NULL);
    if (!st->ArrayIterType) return -1;
    st->SeqIterType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &seq_iter_spec, NULL);
    if (!st->SeqIterType) return -1;
    st->BufferViewType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &bufview_spec, NULL);
    if (!st->BufferViewType) return -1;
    st->StringArrayType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &strarray_spec, NULL);
    if (!st->StringArrayType || PyModule_AddType(m, st->StringArrayType) < 0) return -1;
    st->BinaryArrayType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &binarray_spec, NULL);
    if (!st->BinaryArrayType || PyModule_AddType(m, st->BinaryArrayType) < 0) return -1;
    st->StringPoolType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &pool_spec, NULL);
    if (!st->StringPoolType || PyModule_AddType(m, st->StringPoolType) < 0) return -1;
    st->CategoricalArrayType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &categorical_spec, NULL);
    if (!st->CategoricalArrayType || PyModule_AddType(m, st->CategoricalArrayType) < 0) return -1;
    st->StrDictType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &strdict_spec, NULL);
    if (!st->StrDictType || PyModule_AddType(m, st->StrDictType) < 0) return -1;
    st->StrDictIterType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &strdict_iter_spec, NULL);
    if (!st->StrDictIterType) return -1;
    st->SchemaType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &schema_spec, NULL);
    if (!st->SchemaType || PyModule_AddType(m, st->SchemaType) < 0) return -1;
    st->FieldType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &field_spec, NULL);
    if (!st->FieldType) return -1;
    st->RecordBaseType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &record_base_spec, NULL);
    if (!st->RecordBaseType || PyModule_AddType(m, st->RecordBaseType) < 0) return -1;
    st->TableType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &table_spec, NULL);
    if (!st->TableType || PyModule_AddType(m, st->TableType) < 0) return -1;
    st->TableIterType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &table_iter_spec, NULL);
    if (!st->TableIterType) return -1;
    /* DTYPES: the names that are a dtype by themselves (a decimal128 needs
     * its precision and scale: 'decimal128(12, 2)') */
    PyObject *names = PyTuple_New(CC_NUM_DTYPES - 1);
    if (!names) return -1;
    for (int i = 0, k = 0; i < CC_NUM_DTYPES; i++) {
        if (cc_dtype_is_decimal((cc_dtype)i)) continue;
        PyObject *s = PyUnicode_FromString(cc_dtype_get((cc_dtype)i)->name);
        if (!s) {
            Py_DECREF(names);
            return -1;
        }
        PyTuple_SET_ITEM(names, k++, s);
    }
    int r = PyModule_AddObjectRef(m, "DTYPES", names);
    Py_DECREF(names);
    return r;
}

static int module_traverse(PyObject *m, visitproc visit, void *arg) {
    module_state *st = PyModule_GetState(m);
    Py_VISIT(st->ArrayType);
    Py_VISIT(st->ArrayIterType);
    Py_VISIT(st->SeqIterType);
    Py_VISIT(st->BufferViewType);
    Py_VISIT(st->StringArrayType);
    Py_VISIT(st->BinaryArrayType);
    Py_VISIT(st->StringPoolType);
    Py_VISIT(st->CategoricalArrayType);
    Py_VISIT(st->StrDictType);
    Py_VISIT(st->StrDictIterType);
    Py_VISIT(st->SchemaType);
    Py_VISIT(st->FieldType);
    Py_VISIT(st->RecordBaseType);
    Py_VISIT(st->TableType);
    Py_VISIT(st->TableIterType);
    return 0;
}

static int module_clear(PyObject *m) {
    module_state *st = PyModule_GetState(m);
    Py_CLEAR(st->ArrayType);
    Py_CLEAR(st->ArrayIterType);
    Py_CLEAR(st->SeqIterType);
    Py_CLEAR(st->BufferViewType);
    Py_CLEAR(st->StringArrayType);
    Py_CLEAR(st->BinaryArrayType);
    Py_CLEAR(st->StringPoolType);
    Py_CLEAR(st->CategoricalArrayType);
    Py_CLEAR(st->StrDictType);
    Py_CLEAR(st->StrDictIterType);
    Py_CLEAR(st->SchemaType);
    Py_CLEAR(st->FieldType);
    Py_CLEAR(st->RecordBaseType);
    Py_CLEAR(st->TableType);
    Py_CLEAR(st->TableIterType);
    return 0;
}

static void module_free(void *m) { module_clear((PyObject *)m); }

static PyMethodDef module_methods[] = {
    {"_array_from_state", (PyCFunction)(void (*)(void))array_from_state, METH_FASTCALL,
     "Rebuild an Array from its pickle state (validated)."},
    {"_array_ticks", array_ticks, METH_O,
     "_array_ticks(a): the int64 (int32 for date32) ticks of a temporal Array, sharing its "
     "buffer as a snapshot."},
    {"_array_share_buffer", (PyCFunction)(void (*)(void))array_share_buffer, METH_FASTCALL,
     "_array_share_buffer(dtype, obj, keep=None): an Array sharing obj's contiguous buffer of "
     "that dtype (zero-copy; the first write copies; keep is held with it), or None."},
    {"_strarray_from_state", (PyCFunction)(void (*)(void))strarray_from_state, METH_FASTCALL,
     "Rebuild a StringArray from its pickle state (validated)."},
    {"_binarray_from_state", (PyCFunction)(void (*)(void))binarray_from_state, METH_FASTCALL,
     "Rebuild a BinaryArray from its pickle state (validated; the StringArray state's format)."},
    {"_pool_from_strings", pool_from_strings, METH_O,
     "Rebuild a StringPool from a StringArray of distinct strings (validated)."},
    {"_categorical_from_state", (PyCFunction)(void (*)(void))categorical_from_state, METH_FASTCALL,
     "Rebuild a CategoricalArray from its pickle state (validated)."},
    {"_from_arrow_array", (PyCFunction)(void (*)(void))arrow_import_array, METH_FASTCALL,
     "_from_arrow_array(schema, array, copy=False): import one Arrow array from its PyCapsules "
     "(validated; numbers and strings share the producer's buffers unless copy)."},
    {"_from_arrow_stream", (PyCFunction)(void (*)(void))arrow_import_stream, METH_FASTCALL,
     "_from_arrow_stream(stream, copy=False): import every chunk of an 'arrow_array_stream' "
     "PyCapsule, concatenated (one chunk shares its buffers unless copy)."},
    {"_record_setup", (PyCFunction)(void (*)(void))record_setup, METH_FASTCALL,
     "_record_setup(cls, schema): give a new Record subclass its unboxed layout and fields."},
    {"_debug_fail_alloc", debug_fail_alloc, METH_O,
     "Test hook: make the k-th allocation from now fail (0 disarms). "
     "Returns the previous setting."},
    {"_debug_alloc_stats", debug_alloc_stats, METH_NOARGS,
     "Test hook: blocks currently allocated by compactcol's C core."},
    {"_debug_map_min", debug_map_min, METH_O,
     "Test hook: blocks of at least n bytes are mapped from now (n <= 0: the default). "
     "Returns the previous setting (None in a build that never maps)."},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL},
};

PyModuleDef compactcol_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "compactcol._core",
    .m_doc = "The C implementation of compactcol's containers.",
    .m_size = sizeof(module_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC PyInit__core(void); /* the entry point: declared for -Wmissing-prototypes */
PyMODINIT_FUNC PyInit__core(void) { return PyModuleDef_Init(&compactcol_module); }
