/* categorical.h -- CategoricalArray: int codes into a shared StringPool; its layout
 * and what categorical.c offers.
 */
#ifndef BINDING_CATEGORICAL_H
#define BINDING_CATEGORICAL_H

#include "binding.h"

typedef struct {
    PyObject_HEAD
    PyObject *codes; /* an Array('int') of ids into pool; -1 is None */
    PyObject *pool;  /* a StringPool, maybe shared */
    bool nullable;
    PyObject *weakreflist;
    bool table_column;
} CategoricalObject;

/* --- categorical.c ------------------------------------------------------ */

extern PyType_Spec categorical_spec;
PyObject *categorical_from_state(PyObject *module, PyObject *const *args, Py_ssize_t nargs);

/* Element i (caller checked bounds), None or the str. */
PyObject *categorical_item(PyObject *cat, Py_ssize_t i);
/* A new CategoricalArray over codes (taken over) and pool. */
PyObject *categorical_wrap(PyTypeObject *any_type_of_module, cc_numarray *codes, PyObject *pool,
                           bool nullable);

#endif /* BINDING_CATEGORICAL_H */
