/* dtype_name.c -- a dtype's name with its parameter, both ways:
 * "int64", "datetime64[us, Europe/Paris]" (a timestamp's time zone, as
 * pandas writes it), "decimal128(12, 2)" (precision and scale, as pyarrow
 * writes them).  The parameter travels as cc_numarray.tz holds it: the zone,
 * or "12,2". */
#include "binding.h"

/* "datetime64[us, UTC]" -> dt and zone: 1, 0 when s is not such a name, -1
 * with ValueError for a zone zoneinfo does not know. */
static int zoned_name_parse(const char *s, cc_dtype *dt, char *tz) {
    const char *comma = strchr(s, ',');
    const size_t len = strlen(s);
    if (strncmp(s, "datetime64[", 11) != 0 || !comma || s[len - 1] != ']') return 0;
    char unit[16];
    const size_t unit_len = (size_t)(comma - s) + 1; /* "datetime64[us" + "]" */
    const char *zone = comma + 1;
    while (*zone == ' ') zone++;
    const size_t zone_len = (size_t)(s + len - 1 - zone);
    if (unit_len >= sizeof unit || zone_len == 0 || zone_len >= CC_TZ_MAX) return 0;
    memcpy(unit, s, unit_len - 1);
    unit[unit_len - 1] = ']';
    unit[unit_len] = '\0';
    if (cc_dtype_from_name(unit, dt) != CC_OK) return 0;
    memcpy(tz, zone, zone_len);
    tz[zone_len] = '\0';
    return temporal_tzinfo(tz) ? 1 : -1;
}

int dtype_name_parse(const char *s, cc_dtype *dt, char *tz) {
    tz[0] = '\0';
    if (cc_dtype_from_name(s, dt) == CC_OK) {
        if (!cc_dtype_is_decimal(*dt)) return 1;
        PyErr_SetString(PyExc_ValueError, "decimal128 needs a precision and a scale, as in "
                                          "'decimal128(12, 2)'");
        return -1;
    }
    int r = decimal_name_parse(s, tz);
    if (r) {
        *dt = CC_DEC128;
        return r;
    }
    return zoned_name_parse(s, dt, tz);
}

PyObject *dtype_name_object(cc_dtype dt, const char *tz) {
    char buf[CC_DTYPE_NAME_MAX];
    return PyUnicode_FromString(dtype_name_format(dt, tz, buf, sizeof buf));
}
