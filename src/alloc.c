/* alloc.c -- the core's allocator, on CPython's PyMem_* domain so that
 * tracemalloc and memray account for every buffer we own.  The core only
 * runs with the GIL held (Arrow release callbacks take it first), which
 * PyMem_Malloc requires.
 *
 * Test hook: _core._debug_fail_alloc(k) makes the k-th allocation from now
 * fail (k = 0 disarms), so tests can check that every failure path raises
 * MemoryError and leaves the container unchanged.  The counter is a plain C
 * int, not a Python object, and is only touched under the GIL.
 */
#include "binding.h"

static long fail_countdown = 0; /* 0: off; else fail when it reaches 1 */
static long long live_blocks = 0;

static bool should_fail(void) {
    if (fail_countdown <= 0) return false;
    return --fail_countdown == 0;
}

void *cc_malloc(size_t n) {
    if (should_fail()) return NULL;
    void *p = PyMem_Malloc(n ? n : 1);
    live_blocks += p != NULL;
    return p;
}

void *cc_realloc(void *p, size_t n) {
    if (should_fail()) return NULL;
    void *q = PyMem_Realloc(p, n ? n : 1);
    live_blocks += (p == NULL && q != NULL);
    return q;
}

void cc_free(void *p) {
    live_blocks -= p != NULL;
    PyMem_Free(p);
}

PyObject *debug_fail_alloc(PyObject *module, PyObject *arg) {
    (void)module;
    long k = PyLong_AsLong(arg);
    if (k == -1 && PyErr_Occurred()) return NULL;
    long previous = fail_countdown;
    fail_countdown = k < 0 ? 0 : k;
    return PyLong_FromLong(previous);
}

PyObject *debug_alloc_stats(PyObject *module, PyObject *unused) {
    (void)module;
    (void)unused;
    return Py_BuildValue("{sLsl}", "live_blocks", live_blocks, "fail_countdown",
                         fail_countdown);
}
