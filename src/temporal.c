/* temporal.c -- datetime, date, timedelta and time objects <-> the integers
 * of the temporal dtypes (cc_dtype.h): ticks of a unit since the Unix epoch,
 * since midnight, or as a count; days since the epoch for date32.
 *
 * The calendar is the proleptic Gregorian one of Python's datetime and of
 * NumPy and Arrow: day numbers convert with Howard Hinnant's civil-date
 * algorithms, exact for every int32 day, with no table and no loop.
 *
 * Nothing is rounded or truncated: a value with a finer part than the
 * column's unit (microseconds into datetime64[s]) is a ValueError, a value
 * beyond int64 ticks an OverflowError, both naming the value and the type.
 * Reading back a value that Python's types cannot hold (a year outside
 * 1..9999, nanoseconds that are not whole microseconds) raises the same way
 * and names to_numpy() / Arrow, which hold every value.  pandas' Timestamp
 * and Timedelta are datetime / timedelta subclasses whose nanoseconds are
 * read too.
 *
 * Only this file uses the datetime C API (its capsule is imported once, by
 * temporal_init at module load).
 */
#include "binding.h"

#include <datetime.h>

#include "array.h"

#define SECONDS_PER_DAY 86400
#define US_PER_SECOND 1000000

int temporal_init(void) {
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI) return -1;
    temporal_datetime_type = PyDateTimeAPI->DateTimeType;
    return 0;
}

/* ---- the calendar -------------------------------------------------------- */

static inline int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = floor_div(y, 400);
    const int64_t yoe = y - era * 400;                                   /* [0, 399] */
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* The days of datetime's years 1..9999, relative to 1970-01-01. */
#define FIRST_DAY (-719162)
#define LAST_DAY 2932896

static void civil_from_days_any(int64_t z, int64_t *y, int *m, int *d) {
    z += 719468;
    const int64_t era = floor_div(z, 146097);
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* The same for the days of years 1..9999 in 32-bit arithmetic without a
 * division that is not a multiplication (Neri and Schneider, "Euclidean
 * affine functions and their application to calendar algorithms", 2022):
 * the iterator's hot path.  tests/test_temporal.py checks every day of
 * the range against Python's date.fromordinal. */
static inline void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
    if (z < FIRST_DAY || z > LAST_DAY) {
        civil_from_days_any(z, y, m, d);
        return;
    }
    const uint32_t shift = 82; /* 400-year cycles moved back: all counts unsigned */
    const uint32_t n = (uint32_t)(z + 719468 + 146097 * shift);
    const uint32_t n1 = 4 * n + 3;
    const uint32_t century = n1 / 146097, day_of_century = n1 % 146097 / 4;
    const uint32_t n2 = 4 * day_of_century + 3;
    const uint64_t p2 = (uint64_t)2939745 * n2;
    const uint32_t year_of_century = (uint32_t)(p2 >> 32);
    const uint32_t day_of_year = (uint32_t)p2 / 2939745 / 4; /* from March 1 */
    const uint32_t n3 = 2141 * day_of_year + 197913;
    const uint32_t jan_feb = day_of_year >= 306;
    *y = (int64_t)(100 * century + year_of_century) - 400 * (int64_t)shift + jan_feb;
    *m = (int)(jan_feb ? n3 / 65536 - 12 : n3 / 65536);
    *d = (int)(n3 % 65536 / 2141 + 1);
}

/* ---- errors ---------------------------------------------------------------- */

static int raise_value(PyObject *exc, const conv_where *w, PyObject *value, const char *why,
                       cc_dtype dt) {
    PyObject *r = value_short_repr(value);
    if (!r) return -1;
    raise_at(exc, w, "%U %s %s", r, why, cc_dtype_get(dt)->name);
    Py_DECREF(r);
    return -1;
}

static PyObject *raise_unboxable(cc_dtype dt, int64_t v, const char *why) {
    PyErr_Format(PyExc_ValueError,
                 "%s value %lld (ticks) %s; to_numpy() and Arrow export hold every value",
                 cc_dtype_get(dt)->name, (long long)v, why);
    return NULL;
}

/* ---- time zones -------------------------------------------------------------
 *
 * A timestamp column with a time zone stores UTC instants and names the
 * zone as Arrow does: "UTC", a fixed offset "+05:30", or an IANA name
 * ("Europe/Paris", through zoneinfo).  Its tzinfo object is made once per
 * name and kept (a handful of zones are in use at a time). */

#define TZ_CACHE 16
static struct {
    char name[CC_TZ_MAX];
    PyObject *tzinfo;
} tz_cache[TZ_CACHE];

/* "+05:30" / "-08:00" as minutes east of UTC; false if name is not one. */
static bool fixed_offset(const char *name, int *minutes) {
    if ((name[0] != '+' && name[0] != '-') || strlen(name) != 6 || name[3] != ':') return false;
    for (int k = 1; k < 6; k++)
        if (k != 3 && (name[k] < '0' || name[k] > '9')) return false;
    int h = (name[1] - '0') * 10 + (name[2] - '0'), m = (name[4] - '0') * 10 + (name[5] - '0');
    if (h > 23 || m > 59) return false;
    *minutes = (name[0] == '-' ? -1 : 1) * (h * 60 + m);
    return true;
}

PyObject *temporal_tzinfo(const char *name) {
    int k = 0;
    for (; k < TZ_CACHE && tz_cache[k].tzinfo; k++)
        if (strcmp(tz_cache[k].name, name) == 0) return tz_cache[k].tzinfo;
    PyObject *tzinfo;
    int minutes;
    if (strcmp(name, "UTC") == 0) {
        tzinfo = Py_NewRef(PyDateTime_TimeZone_UTC);
    } else if (fixed_offset(name, &minutes)) {
        PyObject *delta = PyDelta_FromDSU(0, minutes * 60, 0);
        tzinfo = delta ? PyTimeZone_FromOffset(delta) : NULL;
        Py_XDECREF(delta);
    } else {
        PyObject *zoneinfo = PyImport_ImportModule("zoneinfo");
        tzinfo = zoneinfo ? PyObject_CallMethod(zoneinfo, "ZoneInfo", "s", name) : NULL;
        Py_XDECREF(zoneinfo);
        if (!tzinfo) {
            PyErr_Clear(); /* zoneinfo's own error says less than this */
            PyErr_Format(PyExc_ValueError, "unknown time zone '%s' (expected 'UTC', an offset "
                         "such as '+05:30', or an IANA name such as 'Europe/Paris')", name);
            return NULL;
        }
    }
    if (!tzinfo) return NULL;
    if (k == TZ_CACHE) { /* full: replace one, round robin */
        static int next;
        k = next++ % TZ_CACHE;
        Py_CLEAR(tz_cache[k].tzinfo);
    }
    snprintf(tz_cache[k].name, CC_TZ_MAX, "%s", name);
    tz_cache[k].tzinfo = tzinfo; /* the cache's reference; callers borrow it */
    return tzinfo;
}

/* The UTC offset of an aware datetime in microseconds; 1 if v is naive
 * (no tzinfo, or one that gives no offset), 0, or -1 on error. */
static int utc_offset_us(PyObject *v, int64_t *out) {
    PyDateTime_DateTime *d = (PyDateTime_DateTime *)v;
    if (!d->hastzinfo || d->tzinfo == Py_None) return 1;
    *out = 0;
    if (d->tzinfo == PyDateTime_TimeZone_UTC) return 0;
    PyObject *delta = PyObject_CallMethod(v, "utcoffset", NULL); /* user code for other tzinfos */
    if (!delta) return -1;
    int r = 1;
    if (PyDelta_Check(delta)) {
        *out = ((int64_t)PyDateTime_DELTA_GET_DAYS(delta) * SECONDS_PER_DAY +
                PyDateTime_DELTA_GET_SECONDS(delta)) * US_PER_SECOND +
               PyDateTime_DELTA_GET_MICROSECONDS(delta);
        r = 0;
    }
    Py_DECREF(delta);
    return r;
}

/* ---- Python -> ticks ------------------------------------------------------- */

/* seconds * per_second + us in the unit, exactly; CC_EOVERFLOW past int64,
 * CC_EINVAL when us has a part finer than the unit. */
static cc_status to_ticks(int64_t seconds, int64_t us, int64_t extra_ns, int64_t per_second,
                          int64_t *out) {
    int64_t ticks, sub;
    if (per_second >= US_PER_SECOND) {
        sub = us * (per_second / US_PER_SECOND) + (per_second == 1000000000 ? extra_ns : 0);
        if (per_second != 1000000000 && extra_ns) return CC_EINVAL;
    } else {
        const int64_t us_per_tick = US_PER_SECOND / per_second;
        if (us % us_per_tick || extra_ns) return CC_EINVAL;
        sub = us / us_per_tick;
    }
    if (__builtin_mul_overflow(seconds, per_second, &ticks) ||
        __builtin_add_overflow(ticks, sub, &ticks))
        return CC_EOVERFLOW;
    *out = ticks;
    return CC_OK;
}

/* pandas' Timestamp.nanosecond / Timedelta.nanoseconds (0..999) of a subclass */
static int nanoseconds_of(PyObject *v, const char *attr, int64_t *out) {
    *out = 0;
    PyObject *ns = PyObject_GetAttrString(v, attr); /* may run user code */
    if (!ns) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return -1;
        PyErr_Clear();
        return 0;
    }
    long long x = PyLong_Check(ns) ? PyLong_AsLongLong(ns) : 0;
    Py_DECREF(ns);
    if (x == -1 && PyErr_Occurred()) return -1;
    *out = x >= 0 && x < 1000 ? x : 0;
    return 0;
}

static int store_ticks(cc_status st, int64_t ticks, PyObject *v, cc_dtype dt, cc_scalar *out,
                       const conv_where *w) {
    if (st == CC_EOVERFLOW) return raise_value(PyExc_OverflowError, w, v, "is out of range for", dt);
    if (st != CC_OK)
        return raise_value(PyExc_ValueError, w, v, "has a part finer than the unit of", dt);
    out->kind = CC_SCALAR_INT;
    out->v.i = ticks;
    return 0;
}

static int expected(const conv_where *w, PyObject *v, cc_dtype dt, const char *hint) {
    PyObject *r = value_short_repr(v);
    if (!r) return -1;
    raise_at(PyExc_TypeError, w, "expected %s for %s, got %s (%U)%s", temporal_expected(dt),
             cc_dtype_get(dt)->name, Py_TYPE(v)->tp_name, r, hint);
    Py_DECREF(r);
    return -1;
}

static int naive_only(const conv_where *w, PyObject *v, cc_dtype dt) {
    return raise_value(PyExc_TypeError, w, v,
                       "is tz-aware; a column without a time zone takes naive values:", dt);
}

static int aware_only(const conv_where *w, PyObject *v, cc_dtype dt, const char *tz) {
    PyObject *r = value_short_repr(v);
    if (!r) return -1;
    raise_at(PyExc_TypeError, w, "%U is naive; a %s column with time zone '%s' takes aware "
             "datetimes (give it a tzinfo: v.replace(tzinfo=...))", r, cc_dtype_get(dt)->name, tz);
    Py_DECREF(r);
    return -1;
}

int temporal_from_py(cc_dtype dt, const char *tz, PyObject *v, cc_scalar *out,
                     const conv_where *w) {
    const cc_dtype_info *info = cc_dtype_get(dt);
    const int64_t p = info->per_second;
    /* an int is a count of the unit, as NumPy and pyarrow take it */
    if (PyLong_Check(v) && !PyBool_Check(v)) {
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (x == -1 && PyErr_Occurred()) return -1;
        if (overflow) return raise_value(PyExc_OverflowError, w, v, "is out of range for", dt);
        out->kind = CC_SCALAR_INT;
        out->v.i = x;
        return 0;
    }
    int64_t ticks = 0, ns = 0;
    cc_status st = CC_OK;
    switch (info->temporal) {
    case CC_TEMPORAL_TIMESTAMP: {
        if (!PyDateTime_Check(v))
            return expected(w, v, dt,
                            PyDate_Check(v) ? " (a date has no time: use datetime.combine)" : "");
        int64_t offset_us = 0;
        const int naive = utc_offset_us(v, &offset_us); /* may run the tzinfo's code */
        if (naive < 0) return note_at(w);
        if (!naive && !(tz && tz[0])) return naive_only(w, v, dt);
        if (naive && tz && tz[0]) return aware_only(w, v, dt, tz);
        if (!PyDateTime_CheckExact(v) && nanoseconds_of(v, "nanosecond", &ns) < 0) return -1;
        int64_t days = days_from_civil(PyDateTime_GET_YEAR(v), PyDateTime_GET_MONTH(v),
                                       PyDateTime_GET_DAY(v));
        /* the instant: local wall time minus the offset (|offset| < 1 day) */
        int64_t us = PyDateTime_DATE_GET_MICROSECOND(v) - offset_us % US_PER_SECOND;
        int64_t seconds = days * SECONDS_PER_DAY + PyDateTime_DATE_GET_HOUR(v) * 3600 +
                          PyDateTime_DATE_GET_MINUTE(v) * 60 + PyDateTime_DATE_GET_SECOND(v) -
                          offset_us / US_PER_SECOND + floor_div(us, US_PER_SECOND);
        st = to_ticks(seconds, us - floor_div(us, US_PER_SECOND) * US_PER_SECOND, ns, p, &ticks);
        break;
    }
    case CC_TEMPORAL_DURATION: {
        if (!PyDelta_Check(v)) return expected(w, v, dt, "");
        if (!PyDelta_CheckExact(v) && nanoseconds_of(v, "nanoseconds", &ns) < 0) return -1;
        int64_t seconds = (int64_t)PyDateTime_DELTA_GET_DAYS(v) * SECONDS_PER_DAY +
                          PyDateTime_DELTA_GET_SECONDS(v);
        st = to_ticks(seconds, PyDateTime_DELTA_GET_MICROSECONDS(v), ns, p, &ticks);
        break;
    }
    case CC_TEMPORAL_DATE:
        if (!PyDate_Check(v) || PyDateTime_Check(v))
            return expected(w, v, dt,
                            PyDateTime_Check(v) ? " (a datetime has a time: use .date())" : "");
        ticks = days_from_civil(PyDateTime_GET_YEAR(v), PyDateTime_GET_MONTH(v),
                                PyDateTime_GET_DAY(v));
        break;
    case CC_TEMPORAL_TIME: {
        if (!PyTime_Check(v)) return expected(w, v, dt, "");
        if (((PyDateTime_Time *)v)->hastzinfo && ((PyDateTime_Time *)v)->tzinfo != Py_None)
            return naive_only(w, v, dt);
        int64_t seconds = PyDateTime_TIME_GET_HOUR(v) * 3600 + PyDateTime_TIME_GET_MINUTE(v) * 60 +
                          PyDateTime_TIME_GET_SECOND(v);
        st = to_ticks(seconds, PyDateTime_TIME_GET_MICROSECOND(v), 0, p, &ticks);
        break;
    }
    default:
        return expected(w, v, dt, "");
    }
    return store_ticks(st, ticks, v, dt, out, w);
}

/* compactcol._numpy.<fn>(v, dtype name, ...): NumPy's and pandas' values. */
static PyObject *numpy_glue(const char *fn, PyObject *v, cc_dtype dt, const char *tz,
                            PyObject *extra) {
    char buf[CC_DTYPE_NAME_MAX];
    PyObject *name = PyUnicode_FromString(dtype_name_format(dt, tz, buf, sizeof buf));
    PyObject *glue = name ? PyImport_ImportModule("compactcol._numpy") : NULL;
    PyObject *r = glue ? PyObject_CallMethod(glue, fn, extra ? "OOO" : "OO", v, name, extra) : NULL;
    Py_XDECREF(glue);
    Py_XDECREF(name);
    return r;
}

static bool is_numpy_or_nat(PyObject *v) {
    const char *name = Py_TYPE(v)->tp_name;
    return strcmp(name, "numpy.datetime64") == 0 || strcmp(name, "numpy.timedelta64") == 0 ||
           strcmp(name, "NaTType") == 0 || strcmp(name, "pandas._libs.tslibs.nattype.NaTType") == 0;
}

int temporal_foreign_scalar(cc_dtype dt, const char *tz, PyObject *v, PyObject **out) {
    if (!is_numpy_or_nat(v)) return 0;
    *out = numpy_glue("temporal_scalar", v, dt, tz, NULL);
    return *out ? 1 : -1;
}

PyObject *temporal_from_numpy(cc_dtype dt, const char *tz, bool nullable, PyObject *src) {
    if (strcmp(Py_TYPE(src)->tp_name, "numpy.ndarray") != 0) return Py_NewRef(Py_None);
    return numpy_glue("temporal_from_numpy", src, dt, tz, nullable ? Py_True : Py_False);
}

int temporal_for_compare(cc_dtype dt, const char *tz, PyObject *v, cc_scalar *out) {
    conv_where w = {"Array", "compare", -1, NULL, NULL};
    if (v == Py_None) {
        out->kind = CC_SCALAR_NULL; /* matches the nulls */
        return 1;
    }
    /* numbers, strings: never equal to a date or time (no element is boxed) */
    if (PyLong_Check(v) || PyFloat_Check(v) || PyUnicode_Check(v) || PyBytes_Check(v)) return 2;
    PyObject *ticks;
    int foreign = temporal_foreign_scalar(dt, tz, v, &ticks); /* NumPy's, pandas' NaT */
    if (foreign < 0) return -1;
    if (foreign) {
        int r = ticks != Py_None && temporal_from_py(dt, tz, ticks, out, &w) == 0;
        Py_DECREF(ticks);
        if (!r) PyErr_Clear(); /* NaT or beyond the column: equal to nothing */
        return r ? 1 : 2;
    }
    /* the Python type, subclasses too (pandas' Timestamp and Timedelta keep
     * their nanoseconds); a datetime against a date column fails below */
    bool of_type;
    switch (cc_dtype_get(dt)->temporal) {
    case CC_TEMPORAL_TIMESTAMP: of_type = PyDateTime_Check(v); break;
    case CC_TEMPORAL_DURATION: of_type = PyDelta_Check(v); break;
    case CC_TEMPORAL_DATE: of_type = PyDate_Check(v); break;
    case CC_TEMPORAL_TIME: of_type = PyTime_Check(v); break;
    default: of_type = false;
    }
    if (!of_type) return 0;
    if (temporal_from_py(dt, tz, v, out, &w) == 0) return 1;
    /* naive against aware (== is False between them), finer than the unit
     * or out of range: equal to no stored value */
    PyErr_Clear();
    return 2;
}

/* ---- ticks -> Python ------------------------------------------------------- */

/* ticks = seconds * p + sub, sub in [0, p); sub as microseconds, or -1 when
 * it has nanoseconds. */
static int64_t split_ticks(int64_t ticks, int64_t p, int64_t *seconds) {
    *seconds = floor_div(ticks, p);
    const int64_t sub = ticks - *seconds * p;
    if (p >= US_PER_SECOND) {
        const int64_t per_us = p / US_PER_SECOND;
        return sub % per_us ? -1 : sub / per_us;
    }
    return sub * (US_PER_SECOND / p);
}

PyTypeObject *temporal_datetime_type;

/* ---- the iterator's batches --------------------------------------------------

 * Iterating a timestamp Array decodes TEMPORAL_BATCH values at a time into
 * the bytes of datetime.h's public layout (big-endian year and microsecond),
 * then rewrites the datetime it returned last when nobody else holds it.
 * Decoding a run of independent values lets the CPU overlap them; one value
 * at a time, between two trips through the interpreter, is a chain of
 * dependent multiplications.  Each cached entry keeps the ticks it was made
 * from and is used only while the array still holds them there, so a write
 * during the iteration is seen as it would be without the cache. */
#define TEMPORAL_BATCH 64
#define DATETIME_BYTES _PyDateTime_DATETIME_DATASIZE

struct temporal_batch {
    int64_t start, count; /* the array positions cached */
    cc_dtype dtype;
    int64_t ticks[TEMPORAL_BATCH];
    unsigned char bytes[TEMPORAL_BATCH][DATETIME_BYTES];
    bool ok[TEMPORAL_BATCH]; /* false: not a datetime value (years, nanoseconds) */
};

/* ticks of unit p as a naive datetime's data bytes; false when a datetime
 * cannot hold it.  Inlined once per unit, so p is a constant in each copy. */
static inline __attribute__((always_inline)) bool encode_datetime(int64_t ticks, int64_t p,
                                                                  unsigned char *out) {
    int64_t year;
    int month, day;
    /* One unsigned 64-bit division for the day, 32-bit ones for the time of
     * day.  Shifted by whole days so that every value a datetime can hold is
     * non-negative (year 1, or int64's least ns): no sign fix-ups.  A value
     * below wraps to a huge day, out of datetime's range, as it should be. */
    const uint64_t per_day = (uint64_t)SECONDS_PER_DAY * (uint64_t)p;
    const uint64_t shift_days = p == 1000000000 ? 106752 : (uint64_t)-FIRST_DAY;
    const uint64_t shifted = (uint64_t)ticks + shift_days * per_day;
    const uint64_t day_number = shifted / per_day;
    const int64_t days = (int64_t)(day_number - shift_days);
    const uint64_t tod = shifted - day_number * per_day; /* [0, per_day) */
    const uint32_t sod = (uint32_t)(tod / (uint64_t)p);
    const uint64_t sub = tod - (uint64_t)sod * (uint64_t)p;
    uint32_t us;
    bool whole = true;
    if (p >= US_PER_SECOND) {
        us = (uint32_t)(sub / (uint64_t)(p / US_PER_SECOND));
        whole = sub % (uint64_t)(p / US_PER_SECOND) == 0;
    } else {
        us = (uint32_t)(sub * (uint64_t)(US_PER_SECOND / p));
    }
    civil_from_days(days, &year, &month, &day);
    out[0] = (unsigned char)(year >> 8), out[1] = (unsigned char)year;
    out[2] = (unsigned char)month, out[3] = (unsigned char)day;
    out[4] = (unsigned char)(sod / 3600), out[5] = (unsigned char)(sod / 60 % 60);
    out[6] = (unsigned char)(sod % 60);
    out[7] = (unsigned char)(us >> 16), out[8] = (unsigned char)(us >> 8), out[9] = (unsigned char)us;
    return whole && year >= 1 && year <= 9999;
}

static inline __attribute__((always_inline)) void decode_batch(temporal_batch *b, int64_t p,
                                                               const int64_t *ticks, int64_t n) {
    for (int64_t j = 0; j < n; j++) {
        b->ticks[j] = ticks[j];
        b->ok[j] = encode_datetime(ticks[j], p, b->bytes[j]);
    }
}

void temporal_batch_free(temporal_batch *b) { PyMem_Free(b); }

PyObject *temporal_batch_box(temporal_batch **bp, const cc_numarray *a, int64_t i, PyObject *box) {
    const int64_t *data = (const int64_t *)(const void *)a->data;
    temporal_batch *b = *bp;
    if (!b && !(b = *bp = PyMem_Calloc(1, sizeof *b))) return PyErr_NoMemory(); /* count 0 */
    if (i < b->start || i >= b->start + b->count || b->dtype != a->dtype) {
        b->start = i;
        b->count = a->length - i < TEMPORAL_BATCH ? a->length - i : TEMPORAL_BATCH;
        b->dtype = a->dtype;
        switch (a->dtype) {
        case CC_TS_S: decode_batch(b, 1, data + i, b->count); break;
        case CC_TS_MS: decode_batch(b, 1000, data + i, b->count); break;
        case CC_TS_US: decode_batch(b, US_PER_SECOND, data + i, b->count); break;
        default: decode_batch(b, 1000000000, data + i, b->count); break;
        }
    }
    const int64_t j = i - b->start;
    if (!b->ok[j] || b->ticks[j] != data[i]) return temporal_box(a->dtype, a->tz, data[i]);
    PyDateTime_DateTime *d = (PyDateTime_DateTime *)box;
    if (box && !d->hastzinfo && !d->fold) { /* nobody else holds it: rewrite it */
        memcpy(d->data, b->bytes[j], DATETIME_BYTES);
        d->hashcode = -1;
        return Py_NewRef(box);
    }
    const unsigned char *x = b->bytes[j];
    return PyDateTimeAPI->DateTime_FromDateAndTime(
        x[0] << 8 | x[1], x[2], x[3], x[4], x[5], x[6], x[7] << 16 | x[8] << 8 | x[9], Py_None,
        PyDateTimeAPI->DateTimeType);
}

/* A UTC wall time in the zone tz, as an aware datetime. */
static PyObject *in_zone(int year, int month, int day, int64_t sod, int us, const char *tz) {
    PyObject *tzinfo = temporal_tzinfo(tz);
    if (!tzinfo) return NULL;
    PyObject *utc = PyDateTimeAPI->DateTime_FromDateAndTime(
        year, month, day, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), us, tzinfo,
        PyDateTimeAPI->DateTimeType);
    if (!utc || tzinfo == PyDateTime_TimeZone_UTC) return utc;
    PyObject *local = PyObject_CallMethod(tzinfo, "fromutc", "O", utc);
    Py_DECREF(utc);
    return local;
}

PyObject *temporal_box(cc_dtype dt, const char *tz, int64_t ticks) {
    const cc_dtype_info *info = cc_dtype_get(dt);
    int64_t seconds = 0, us = 0, year;
    int month, day;
    if (info->temporal != CC_TEMPORAL_DATE) {
        us = split_ticks(ticks, info->per_second, &seconds);
        if (us < 0) return raise_unboxable(dt, ticks, "has nanoseconds, which Python's datetime types cannot hold");
    }
    switch (info->temporal) {
    case CC_TEMPORAL_TIMESTAMP: {
        const int64_t days = floor_div(seconds, SECONDS_PER_DAY), sod = seconds - days * SECONDS_PER_DAY;
        civil_from_days(days, &year, &month, &day);
        if (year < 1 || year > 9999) return raise_unboxable(dt, ticks, "is outside datetime's years 1..9999");
        if (tz && tz[0]) return in_zone((int)year, month, day, sod, (int)us, tz);
        return PyDateTimeAPI->DateTime_FromDateAndTime((int)year, month, day, (int)(sod / 3600),
                                                       (int)(sod / 60 % 60), (int)(sod % 60), (int)us,
                                                       Py_None, PyDateTimeAPI->DateTimeType);
    }
    case CC_TEMPORAL_DURATION: {
        const int64_t days = floor_div(seconds, SECONDS_PER_DAY);
        if (days < -999999999 || days > 999999999)
            return raise_unboxable(dt, ticks, "is outside timedelta's +-999999999 days");
        return PyDelta_FromDSU((int)days, (int)(seconds - days * SECONDS_PER_DAY), (int)us);
    }
    case CC_TEMPORAL_DATE:
        civil_from_days(ticks, &year, &month, &day);
        if (year < 1 || year > 9999) return raise_unboxable(dt, ticks, "is outside date's years 1..9999");
        return PyDate_FromDate((int)year, month, day);
    case CC_TEMPORAL_TIME:
        /* stores keep ticks within one day, but a pickle's or an Arrow
         * producer's raw buffer is taken as it is */
        if (seconds < 0 || seconds >= SECONDS_PER_DAY)
            return raise_unboxable(dt, ticks, "is not a time of day (0 to 24 h)");
        return PyTime_FromTime((int)(seconds / 3600), (int)(seconds / 60 % 60), (int)(seconds % 60),
                               (int)us);
    default:
        return PyLong_FromLongLong(ticks);
    }
}
