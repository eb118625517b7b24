/* pool.h -- StringPool, the interned strings that CategoricalArray and Table
 * categories share: its layout and what pool.c offers.
 */
#ifndef BINDING_POOL_H
#define BINDING_POOL_H

#include "binding.h"

typedef struct {
    PyObject_HEAD
    cc_strset set;
    PyObject *weakreflist;
} StringPoolObject;

/* --- pool.c ------------------------------------------------------------ */

extern PyType_Spec pool_spec;
/* A new, empty StringPool of the module. */
PyObject *pool_new_empty(PyTypeObject *any_type_of_module);
/* Interns one string's bytes: *id.  0, or -1 with an exception. */
int pool_intern_utf8(PyObject *pool, cc_str s, int64_t *id);
/* Interns every string of `strings` (ids[i] = its id, -1 for a null, if
 * ids is not NULL).  unique: a repeat is a ValueError (unpickling).  On
 * failure the pool forgets what this call added. */
int pool_intern_all(PyObject *pool, const cc_strarray *strings, bool unique, int64_t *ids);
/* pool[id] as a new str; IndexError naming `what` if id is not in the pool. */
PyObject *pool_lookup_id(PyObject *pool, int64_t id, const char *what);
int64_t pool_nbytes(PyObject *pool);
PyObject *pool_from_strings(PyObject *module, PyObject *strings);

#endif /* BINDING_POOL_H */
