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

static inline int64_t cc_column_exports(cc_column c) {
    return c.is_str ? c.str->exports : c.num->exports;
}

/* One value for one column: a number or a code (an int) in num, a string in
 * str; is_null for a null string (a null number is a CC_SCALAR_NULL num). */
typedef struct cc_cell {
    cc_scalar num;
    cc_str str;
    bool is_null;
} cc_cell;

/* c[row] = cell (cc_numarray_set / cc_strarray_set). */
CC_MUST_CHECK cc_status cc_column_set(cc_column c, int64_t row, const cc_cell *cell);

/* Appends one row, cells[i] to cols[i]; all or nothing (CC_EBUSY while a
 * column is exported, a value that does not fit, no memory: *failed names
 * the column, and the columns that took the row give it back). */
CC_MUST_CHECK cc_status cc_columns_append_row(const cc_column *cols, int64_t ncols,
                                              const cc_cell *cells, int64_t *failed);

/* Inserts one row at `at` (0 <= at <= length), the others moving up: as
 * cc_columns_append_row, which it is when at == length. */
CC_MUST_CHECK cc_status cc_columns_insert_row(const cc_column *cols, int64_t ncols, int64_t at,
                                              const cc_cell *cells, int64_t *failed);

/* Appends all of scratch[i] (the same kind as cols[i], one length; a
 * number column of another dtype is converted, each value checked; an
 * adaptive one takes an adaptive scratch of any width, nulls and all) to
 * cols[i], all or nothing.  An empty column takes a scratch column of its
 * own dtype and flags whole (scratch is left empty then). */
CC_MUST_CHECK cc_status cc_columns_append(const cc_column *cols, int64_t ncols,
                                          const cc_column *scratch, int64_t *failed);

/* The first exported column (a buffer view or Arrow array alive: its
 * length may not change), or -1. */
int64_t cc_columns_first_exported(const cc_column *cols, int64_t ncols);

/* Deletes the count rows start, start + step, ... (step may be < 0) from
 * every column.  CC_EBUSY (*failed) while a column is exported, CC_EINDEX
 * unless every row is in bounds of every column. */
CC_MUST_CHECK cc_status cc_columns_delete(const cc_column *cols, int64_t ncols, int64_t start,
                                          int64_t step, int64_t count, int64_t *failed);

/* out[i] = rows idx[0], ..., idx[n-1] of cols[i], appended to out[i]
 * (fresh empty columns the caller made like cols[i]).  On error every
 * out[i] is reset (empty) and *failed names the column. */
CC_MUST_CHECK cc_status cc_columns_take(const cc_column *cols, int64_t ncols, const int64_t *idx,
                                        int64_t n, const cc_column *out, int64_t *failed);

/* Every column c = old c[perm[0]], c[perm[1]], ... for a permutation perm of
 * 0..length-1 (CC_EINDEX / CC_EINVAL if it is not one).  Allowed while
 * aliased (values rewritten in place); a column a snapshot shares is
 * copied first (cc_buffer.h). */
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
 * must have their length. */
CC_MUST_CHECK cc_status cc_columns_sort(const cc_column *cols, int64_t ncols,
                                        const cc_sort_key *keys, int64_t nkeys, bool reverse,
                                        int64_t *failed);

#endif /* CC_COLUMNS_H */
