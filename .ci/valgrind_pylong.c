/* valgrind_pylong.c -- LD_PRELOAD shim for the valgrind stage (.ci/valgrind)
 * on CPython < 3.12.  Not part of compactcol.
 *
 * CPython 3.11's _PyLong_New(0) leaves ob_digit[0] uninitialised, and
 * maybe_small_long() computes Py_SIZE(v) * ob_digit[0] for every fresh
 * long: for a zero that is 0 * <uninitialised>, which memcheck treats as
 * uninitialised.  The pointer to the small int 0 it returns is then
 * "uninitialised" wherever it goes (importlib's pyc flags, int('0'),
 * x & y == 0, Hypothesis's int.from_bytes draws ...), so every later
 * Py_INCREF / Py_TYPE of that 0 -- in CPython, NumPy or compactcol -- is
 * reported, with no bounded set of stacks a suppression could name.
 * CPython fixed it in 3.12 (python/cpython#102509, PR #102510: "Start
 * initializing ob_digit"); 3.11 only takes security fixes (#119022).
 *
 * This shim applies exactly that fix: it wraps the exported _PyLong_New
 * (libpython's own calls go through the PLT, so LD_PRELOAD reaches them)
 * and sets ob_digit[0] = 0.  It changes no value a program can observe.
 */
#define _GNU_SOURCE
#include <Python.h>
#include <dlfcn.h>

PyLongObject *_PyLong_New(Py_ssize_t size) {
    static PyLongObject *(*real)(Py_ssize_t);
    if (!real) real = (PyLongObject * (*)(Py_ssize_t)) dlsym(RTLD_NEXT, "_PyLong_New");
    PyLongObject *v = real(size);
    if (v) v->ob_digit[0] = 0;
    return v;
}
