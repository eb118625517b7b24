/* cc_columns.h -- the columns of a table, all of one length, as one unit.
 *
 *   cols [ NUM -> cc_numarray* | STR -> cc_strarray* | codes -> cc_numarray* ]
 *
 * A column is a borrowed core container: numbers and category codes are
 * cc_numarrays (a category column's strings live in its pool, outside the
 * core's view: the binding interns them first), strings cc_strarrays.
 * Every function that changes columns is all-or-nothing across them: every
 * check and allocation happens before the first column changes, so on an
 * error every column is exactly as it was and *failed (where there is one)
 * names the column that refused.
 */
#ifndef CC_COLUMNS_H
#define CC_COLUMNS_H

#include "cc_numarray.h"
#include "cc_strarray.h"

typedef struct cc_column {
    bool is_str;
    union {
        cc_numarray *num;
        cc_strarray *str;
    };
} cc_column;

static inline int64_t cc_column_length(cc_column c) {
    return c.is_str ? c.str->length : c.num->length;
}

/* The first column an immutable (Arrow) export holds, or -1. */
int64_t cc_columns_first_frozen(const cc_column *cols, int64_t ncols);

/* Every column c = old c[perm[0]], c[perm[1]], ... for a permutation perm of
 * 0..length-1 (CC_EINDEX / CC_EINVAL if it is not one).  Allowed while
 * exported (values rewritten in place); CC_EFROZEN while an immutable
 * export holds a column. */
CC_MUST_CHECK cc_status cc_columns_permute(const cc_column *cols, int64_t ncols,
                                           const int64_t *perm, int64_t *failed);

/* One sort key: a column, and for a code column the rank of each code
 * (rank[c] = position of code c's string in sorted order; codes outside
 * [0, nranks) sort as nulls); rank is NULL for numbers and strings. */
typedef struct cc_sort_key {
    cc_column col;
    const int64_t *rank;
    int64_t nranks;
} cc_sort_key;

/* order[0..nrows) = the rows in sorted order: by keys[0], ties by keys[1],
 * ...; within a key numbers ascending (descending if reverse), then NaNs,
 * then nulls; strings by bytes (code points); rows equal on every key keep
 * their order (in both directions, as list.sort).  Each key is a stable
 * typed sort (radix for numbers and codes), last key first. */
CC_MUST_CHECK cc_status cc_columns_argsort(const cc_sort_key *keys, int64_t nkeys, bool reverse,
                                           int64_t nrows, int64_t *order);

/* Sorts the rows of cols by keys (the order of cc_columns_argsort),
 * all or nothing: the order is found, every allocation made, and only then
 * every column permuted.  The keys' columns need not be among cols but
 * must have their length.  CC_EFROZEN (*failed) as cc_columns_permute. */
CC_MUST_CHECK cc_status cc_columns_sort(const cc_column *cols, int64_t ncols, const cc_sort_key *keys,
                                        int64_t nkeys, bool reverse, int64_t *failed);

#endif /* CC_COLUMNS_H */
