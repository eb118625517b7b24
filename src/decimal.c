/* decimal.c -- decimal.Decimal <-> a decimal128 column's unscaled integers.
 *
 * A decimal128(precision, scale) value v is stored as the integer
 * v * 10**scale, exactly, in 128 bits (Arrow's layout); precision and scale
 * are the array's parameter "p,s" (cc_numarray.tz).  Nothing is rounded: a
 * value with more digits after the point than the scale is a ValueError, one
 * with more digits before it than precision - scale an OverflowError, as the
 * other dtypes treat a value finer than their unit and one out of range.
 *
 * Values go in and out through Decimal's string form, which its C
 * implementation makes and parses quickly and which is exact whatever the
 * decimal context says.  ints are taken too (exactly, as pyarrow does);
 * floats are not (they are binary fractions: 0.1 is not 1/10), nor str.
 * The parameter is parsed once per column (a Table field, at its schema) or
 * per call (an Array's extend), not per value: decimal_param carries it.
 * Reading a value (decimal_box) reuses the last parse (decimal_param_parse).
 */
#include "binding.h"

/* decimal.Decimal, imported at first use (importing compactcol does not
 * import decimal). */
static PyObject *decimal_type;

static PyObject *get_decimal_type(void) {
    if (!decimal_type) {
        PyObject *mod = PyImport_ImportModule("decimal");
        if (!mod) return NULL;
        decimal_type = PyObject_GetAttrString(mod, "Decimal");
        Py_DECREF(mod);
    }
    return decimal_type;
}

/* ---- the parameter "p,s" and the name "decimal128(p, s)" ------------------------------------ */

/* Called once per value read (decimal_box), where sscanf cost as much as
 * all the rest but the Decimal call; the parameter is nearly always the one
 * parsed last, so that parse is kept (one interpreter, under the GIL, as
 * decimal_type above). */
static char memo_param[CC_TZ_MAX];
static int memo_precision, memo_scale;

int decimal_param_parse(const char *param, int *precision, int *scale) {
    if (memo_param[0] && strcmp(param, memo_param) == 0) {
        *precision = memo_precision;
        *scale = memo_scale;
        return 0;
    }
    int p, s, end = 0;
    if (sscanf(param, "%d,%d%n", &p, &s, &end) != 2 || param[end] != '\0' || p < 1 ||
        p > CC_DECIMAL_MAX_PRECISION || s < 0 || s > p)
        return -1;
    if (strlen(param) < sizeof memo_param) {
        strcpy(memo_param, param);
        memo_precision = p;
        memo_scale = s;
    }
    *precision = p;
    *scale = s;
    return 0;
}

decimal_param decimal_param_of(cc_dtype dt, const char *param) {
    decimal_param d = {0, 0};
    if (cc_dtype_is_decimal(dt) && param && decimal_param_parse(param, &d.precision, &d.scale) != 0)
        d = (decimal_param){0, 0}; /* decimal_from_py reports it */
    return d;
}

static int raise_bad_params(const char *text) {
    PyErr_Format(PyExc_ValueError,
                 "%s: a decimal128's precision is 1..%d and its scale 0..precision, as in "
                 "'decimal128(12, 2)'", text, CC_DECIMAL_MAX_PRECISION);
    return -1;
}

int decimal_name_parse(const char *s, char *param) {
    static const char prefix[] = "decimal128(";
    if (strncmp(s, prefix, sizeof prefix - 1) != 0) return 0;
    int p, sc, end = 0;
    if (sscanf(s + sizeof prefix - 1, "%d ,%d )%n", &p, &sc, &end) != 2 ||
        s[sizeof prefix - 1 + (size_t)end] != '\0')
        return 0;
    snprintf(param, CC_TZ_MAX, "%d,%d", p, sc);
    int unused_p, unused_s;
    return decimal_param_parse(param, &unused_p, &unused_s) == 0 ? 1 : raise_bad_params(s);
}

/* ---- Python -> unscaled integer --------------------------------------------------------------- */

static const char *name_of(const char *param, char *buf) {
    return dtype_name_format(CC_DEC128, param, buf, CC_DTYPE_NAME_MAX);
}

/* "<repr(v)> <why> decimal128(p, s)" at w. */
static int raise_value(PyObject *exc, const conv_where *w, PyObject *v, const char *why,
                       const char *param) {
    char name[CC_DTYPE_NAME_MAX];
    PyObject *r = value_short_repr(v);
    if (!r) return -1;
    raise_at(exc, w, "%U %s %s", r, why, name_of(param, name));
    Py_DECREF(r);
    return -1;
}

/* The decimal string s ("-12.50", "1E+3", "NaN": Decimal's and int's str)
 * as the unscaled value at `scale`, checked against `precision`: 0, or -1
 * with ValueError / OverflowError at w. */
static int unscaled_from_text(const char *s, int precision, int scale, PyObject *v,
                              const char *param, const conv_where *w, cc_int128 *out) {
    bool negative = *s == '-';
    if (*s == '-' || *s == '+') s++;
    if (!(*s >= '0' && *s <= '9') && *s != '.')
        return raise_value(PyExc_ValueError, w, v, "is not a finite number; it cannot be stored in", param);
    /* the significant digits, and the power of ten they are multiplied by */
    char digits[CC_DECIMAL_MAX_PRECISION + 1];
    int nd = 0, zeros = 0; /* zeros: trailing zeros seen, not yet kept */
    long long exponent = 0;
    bool point = false, too_long = false;
    for (; (*s >= '0' && *s <= '9') || (*s == '.' && !point); s++) {
        if (*s == '.') {
            point = true;
            continue;
        }
        if (point) exponent--;
        if (*s == '0') {
            if (nd) zeros++; /* a leading zero is dropped */
            continue;
        }
        if (nd + zeros + 1 > CC_DECIMAL_MAX_PRECISION) {
            too_long = true; /* more significant digits than any decimal128 */
        } else {
            memset(digits + nd, '0', (size_t)zeros);
            nd += zeros;
            digits[nd++] = *s;
        }
        zeros = 0;
    }
    exponent += zeros; /* trailing zeros: a power of ten */
    if (*s == 'e' || *s == 'E') {
        char *end;
        long long e = strtoll(s + 1, &end, 10);
        if (end == s + 1 || *end) return raise_value(PyExc_ValueError, w, v, "is not a number:", param);
        if (e > 1000000) e = 1000000; /* saturated: far beyond any decimal128 either way */
        if (e < -1000000) e = -1000000;
        exponent += e;
    } else if (*s) {
        return raise_value(PyExc_ValueError, w, v, "is not a number:", param);
    }
    if (nd == 0 && !too_long) {
        *out = 0;
        return 0;
    }
    /* value = digits * 10**exponent; stored as digits * 10**(exponent + scale) */
    long long shift = exponent + scale;
    if (!too_long && shift < 0)
        return raise_value(PyExc_ValueError, w, v, "has more digits after the point than the scale of",
                           param);
    if (too_long || nd + shift > precision)
        return raise_value(PyExc_OverflowError, w, v, "has more digits than the precision of",
                           param);
    cc_int128 x = 0;
    for (int i = 0; i < nd; i++) x = x * 10 + (digits[i] - '0');
    for (long long i = 0; i < shift; i++) x *= 10;
    *out = negative ? -x : x;
    return 0;
}

static int expected(const conv_where *w, PyObject *v, const char *param, const char *hint) {
    char name[CC_DTYPE_NAME_MAX];
    PyObject *r = value_short_repr(v);
    if (!r) return -1;
    raise_at(PyExc_TypeError, w, "expected Decimal (or int) for %s, got %s (%U)%s",
             name_of(param, name), Py_TYPE(v)->tp_name, r, hint);
    Py_DECREF(r);
    return -1;
}

int decimal_from_py(const char *param, decimal_param dec, PyObject *v, cc_scalar *out,
                    const conv_where *w) {
    if (dec.precision == 0 && decimal_param_parse(param, &dec.precision, &dec.scale) != 0)
        return raise_at(PyExc_ValueError, w, "bad decimal128 parameter '%s'", param);
    int precision = dec.precision, scale = dec.scale;
    PyObject *type = get_decimal_type();
    if (!type) return -1;
    PyObject *text;
    if (PyLong_Check(v) && !PyBool_Check(v)) {
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (x == -1 && PyErr_Occurred()) return -1;
        if (!overflow) { /* the common case, without a string */
            cc_int128 limit = 1, scaled = x;
            for (int i = 0; i < precision - scale; i++) limit *= 10;
            if (scaled >= limit || scaled <= -limit)
                return raise_value(PyExc_OverflowError, w, v, "has more digits than the precision of",
                                   param);
            for (int i = 0; i < scale; i++) scaled *= 10;
            *out = cc_scalar_from_wide(scaled);
            return 0;
        }
        text = PyObject_Str(v);
    } else if (PyObject_TypeCheck(v, (PyTypeObject *)type)) {
        text = PyObject_Str(v);
    } else if (PyFloat_Check(v)) {
        return expected(w, v, param, ": a float is a binary fraction, not exact; "
                                     "give Decimal(str(x)) or Decimal(x) to say which");
    } else if (PyIndex_Check(v) && !PyBool_Check(v)) { /* NumPy's ints */
        PyObject *i = PyNumber_Index(v);
        if (!i) return note_at(w);
        int r = decimal_from_py(param, dec, i, out, w);
        Py_DECREF(i);
        return r;
    } else {
        return expected(w, v, param, "");
    }
    if (!text) return note_at(w);
    const char *s = PyUnicode_AsUTF8(text);
    cc_int128 x = 0;
    int r = s ? unscaled_from_text(s, precision, scale, v, param, w, &x) : -1;
    Py_DECREF(text);
    if (r == 0) *out = cc_scalar_from_wide(x);
    return r;
}

int decimal_for_compare(const char *param, PyObject *v, cc_scalar *out) {
    PyObject *type = get_decimal_type();
    if (!type) return -1;
    if (!(PyLong_CheckExact(v) || Py_IS_TYPE(v, (PyTypeObject *)type))) return 0;
    conv_where w = {"Array", "compare", -1, NULL, NULL};
    if (decimal_from_py(param, (decimal_param){0, 0}, v, out, &w) == 0) return 1;
    /* NaN, too many digits or places: equal to no stored value */
    PyErr_Clear();
    return 2;
}

/* ---- unscaled integer -> Decimal ------------------------------------------------------------- */

PyObject *decimal_box(const char *param, const cc_scalar *s) {
    int precision, scale;
    if (decimal_param_parse(param, &precision, &scale) != 0)
        return PyErr_Format(PyExc_ValueError, "bad decimal128 parameter '%s'", param);
    PyObject *type = get_decimal_type();
    if (!type) return NULL;
    cc_int128 x = cc_scalar_wide_value(s);
    /* the digits from the right, the point after `scale` of them */
    char buf[64], *p = buf + sizeof buf;
    unsigned __int128 u = x < 0 ? -(unsigned __int128)x : (unsigned __int128)x;
    int n = 0;
    do {
        if (scale && n == scale) *--p = '.';
        *--p = (char)('0' + (int)(u % 10));
        u /= 10;
        n++;
    } while (u || n <= scale);
    if (x < 0) *--p = '-';
    PyObject *text = PyUnicode_FromStringAndSize(p, buf + sizeof buf - p);
    if (!text) return NULL;
    PyObject *r = PyObject_CallOneArg(type, text);
    Py_DECREF(text);
    return r;
}
