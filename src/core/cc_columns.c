/* cc_columns.c -- all-or-nothing operations over a table's columns. */
#include "cc_columns.h"

int64_t cc_columns_first_exported(const cc_column *cols, int64_t ncols) {
    for (int64_t i = 0; i < ncols; i++)
        if (cols[i].is_str ? cols[i].str->exports : cols[i].num->exports) return i;
    return -1;
}

/* Makes the number columns' buffers private (copy-on-write, cc_buffer.h)
 * before an operation writes them in place past the point where it may
 * fail; a copy that fails leaves every value as it was. */
static cc_status own_numbers(const cc_column *cols, int64_t ncols, int64_t *failed) {
    for (int64_t i = 0; i < ncols; i++)
        if (!cols[i].is_str && cc_numarray_own(cols[i].num) != CC_OK)
            return (*failed = i), CC_ENOMEM;
    return CC_OK;
}

static cc_status apply(const cc_column *cols, int64_t ncols, int64_t n, const int64_t *perm,
                       bool check_perm, int64_t done, const void *values, int64_t *failed);

/* ---- set, append, insert ---------------------------------------------------------------- */

cc_status cc_column_set(cc_column c, int64_t row, const cc_cell *cell) {
    return c.is_str ? cc_strarray_set(c.str, row, cell->str, cell->is_null)
                    : cc_numarray_set(c.num, row, &cell->num);
}

/* Cuts the first ncols columns back to `length` rows: a tail deletion,
 * which allocates nothing and cannot fail. */
static void cut_back(const cc_column *cols, int64_t ncols, int64_t length) {
    for (int64_t i = 0; i < ncols; i++) {
        int64_t extra = cc_column_length(cols[i]) - length;
        cc_status st = extra <= 0 ? CC_OK
                       : cols[i].is_str ? cc_strarray_delete_strided(cols[i].str, length, 1, extra)
                                        : cc_numarray_delete_strided(cols[i].num, length, 1, extra);
        (void)st; /* in bounds, not exported, a tail */
    }
}

cc_status cc_columns_append_row(const cc_column *cols, int64_t ncols, const cc_cell *cells,
                                int64_t *failed) {
    *failed = -1;
    int64_t busy = cc_columns_first_exported(cols, ncols);
    if (busy >= 0) return (*failed = busy), CC_EBUSY;
    int64_t length = ncols ? cc_column_length(cols[0]) : 0;
    for (int64_t i = 0; i < ncols; i++) {
        cc_status st = cols[i].is_str
                           ? cc_strarray_append(cols[i].str, cells[i].str, cells[i].is_null)
                           : cc_numarray_append(cols[i].num, &cells[i].num);
        if (st != CC_OK) {
            cut_back(cols, i, length);
            *failed = i;
            return st;
        }
    }
    return CC_OK;
}

/* The last element of a moves to at, the ones from at on up one. */
static void rotate_last_to(cc_numarray *a, int64_t at) {
    int64_t n = a->length;
    int size = cc_numarray_itemsize(a);
    uint8_t last[CC_MAX_ITEMSIZE];
    memcpy(last, a->data + (n - 1) * size, (size_t)size);
    memmove(a->data + (at + 1) * size, a->data + at * size, (size_t)((n - 1 - at) * size));
    memcpy(a->data + at * size, last, (size_t)size);
    if (a->nullable) {
        bool v = cc_bitmap_get(a->validity, n - 1);
        for (int64_t k = n - 1; k > at; k--)
            cc_bitmap_set(a->validity, k, cc_bitmap_get(a->validity, k - 1));
        cc_bitmap_set(a->validity, at, v);
    }
}

cc_status cc_columns_insert_row(const cc_column *cols, int64_t ncols, int64_t at,
                                const cc_cell *cells, int64_t *failed) {
    *failed = -1;
    int64_t length = ncols ? cc_column_length(cols[0]) : 0;
    if (at == length) return cc_columns_append_row(cols, ncols, cells, failed);
    if (at < 0 || at > length) return CC_EINDEX;
    int64_t busy = cc_columns_first_exported(cols, ncols);
    if (busy >= 0) return (*failed = busy), CC_EBUSY;
    /* every column takes the row at its end first (the allocations and the
     * checks of the values, undone by cutting the tail back), then the row
     * rotates into place, in place, which cannot fail */
    CC_RETURN_NOT_OK(cc_columns_append_row(cols, ncols, cells, failed));
    for (int64_t i = 0; i < ncols; i++) {
        if (cols[i].is_str) cc_strarray_rotate_last_to(cols[i].str, at);
        else rotate_last_to(cols[i].num, at);
    }
    return CC_OK;
}

cc_status cc_columns_append(const cc_column *cols, int64_t ncols, const cc_column *scratch,
                            int64_t *failed) {
    *failed = -1;
    if (ncols == 0 || cc_column_length(scratch[0]) == 0) return CC_OK;
    int64_t busy = cc_columns_first_exported(cols, ncols);
    if (busy >= 0) return (*failed = busy), CC_EBUSY;
    int64_t old = cc_column_length(cols[0]);
    cc_error err;
    for (int64_t i = 0; i < ncols; i++) {
        cc_status st;
        if (cols[i].is_str) {
            cc_strarray *a = cols[i].str, *s = scratch[i].str;
            if (old == 0 && cc_strarray_shrink_to_fit(s) == CC_OK) {
                cc_strarray_move(a, s); /* no spare bytes kept */
                st = CC_OK;
            } else {
                st = cc_strarray_splice(a, old, 0, s);
            }
        } else {
            cc_numarray *a = cols[i].num, *s = scratch[i].num;
            /* two adaptive ints of other widths splice (nulls and all);
             * a scratch of another fixed dtype (category codes) converts */
            if (a->dtype != s->dtype && !(a->adaptive && s->adaptive)) {
                st = cc_numarray_append_converted(a, s->dtype, s->data, s->length, &err);
            } else if (old == 0 && a->adaptive == s->adaptive && a->nullable == s->nullable) {
                cc_numarray_move(a, s); /* exact: no copy */
                st = CC_OK;
            } else {
                st = cc_numarray_splice(a, old, 0, s);
            }
        }
        if (st != CC_OK) {
            cut_back(cols, i, old);
            *failed = i;
            return st;
        }
    }
    return CC_OK;
}

/* ---- delete, take ------------------------------------------------------------------------- */

cc_status cc_columns_delete(const cc_column *cols, int64_t ncols, int64_t start, int64_t step,
                            int64_t count, int64_t *failed) {
    *failed = -1;
    if (count <= 0 || ncols == 0) return CC_OK;
    if (step == 0) return CC_EINVAL;
    int64_t busy = cc_columns_first_exported(cols, ncols);
    if (busy >= 0) return (*failed = busy), CC_EBUSY;
    for (int64_t i = 0; i < ncols; i++)
        if (!cc_strided_in_bounds(start, step, count, cc_column_length(cols[i])))
            return (*failed = i), CC_EINDEX;
    /* the strings' allocations first; numbers delete without allocating */
    size_t bytes;
    CC_RETURN_NOT_OK(cc_mul_size(ncols, (int64_t)sizeof(cc_strarray), &bytes));
    cc_strarray *prepared = cc_malloc(bytes);
    if (!prepared) return CC_ENOMEM;
    cc_status st = CC_OK;
    int64_t made = 0;
    for (; st == CC_OK && made < ncols; made++) {
        cc_strarray_init(&prepared[made], false);
        if (cols[made].is_str &&
            (st = cc_strarray_delete_prepare(cols[made].str, start, step, count,
                                             &prepared[made])) != CC_OK)
            *failed = made;
    }
    /* a string column deleted in place (prepared empty) is written: private first */
    for (int64_t i = 0; st == CC_OK && i < ncols; i++)
        if (cols[i].is_str && !prepared[i].capacity && cc_strarray_own(cols[i].str) != CC_OK)
            st = CC_ENOMEM, *failed = i;
    if (st == CC_OK) st = own_numbers(cols, ncols, failed);
    for (int64_t i = 0; st == CC_OK && i < ncols; i++) {
        if (cols[i].is_str) {
            cc_strarray_delete_commit(cols[i].str, start, step, count, &prepared[i]);
        } else if (cc_numarray_delete_strided(cols[i].num, start, step, count) != CC_OK) {
            /* checked: in bounds, not exported; it allocates nothing */
        }
    }
    for (int64_t i = 0; i < made; i++) cc_strarray_reset(&prepared[i]);
    cc_free(prepared);
    return st;
}

cc_status cc_columns_take(const cc_column *cols, int64_t ncols, const int64_t *idx, int64_t n,
                          const cc_column *out, int64_t *failed) {
    *failed = -1;
    cc_status st = CC_OK;
    int64_t i = 0;
    for (; i < ncols && st == CC_OK; i++)
        st = cols[i].is_str ? cc_strarray_take(cols[i].str, idx, n, out[i].str)
                            : cc_numarray_take(cols[i].num, idx, n, out[i].num);
    if (st != CC_OK) {
        *failed = i - 1;
        for (int64_t k = 0; k < ncols; k++) {
            if (out[k].is_str) cc_strarray_reset(out[k].str);
            else cc_numarray_reset(out[k].num);
        }
    }
    return st;
}

/* ---- permute ------------------------------------------------------------------------------ */

/* a = old a[perm[0]], ... through scratch (room for length values of
 * CC_MAX_ITEMSIZE bytes and their validity bits): gathered there -- independent loads, not
 * a chain of them as a cycle walk would be -- and copied back in place, so
 * an exported buffer stays where it is.  Cannot fail. */
static void permute_through(cc_numarray *a, const int64_t *perm, uint8_t *scratch) {
    int64_t n = a->length;
    int size = cc_numarray_itemsize(a);
    uint8_t *bits = scratch + (size_t)n * CC_MAX_ITEMSIZE;
#define GATHER(T)                                                                          \
    {                                                                                      \
        const T *v = (const T *)(const void *)a->data;                                     \
        T *out = (T *)(void *)scratch;                                                     \
        for (int64_t i = 0; i < n; i++) out[i] = v[perm[i]];                               \
        break;                                                                             \
    }
    switch (size) {
    case 1: GATHER(uint8_t)
    case 2: GATHER(uint16_t)
    case 4: GATHER(uint32_t)
    case 8: GATHER(uint64_t)
    default: GATHER(cc_int128)
    }
#undef GATHER
    memcpy(a->data, scratch, (size_t)n * (size_t)size);
    if (a->nullable) {
        memset(bits, 0, (size_t)cc_bitmap_bytes(n));
        for (int64_t i = 0; i < n; i++)
            if (cc_bitmap_get(a->validity, perm[i])) cc_bitmap_set(bits, i, true);
        memcpy(a->validity, bits, (size_t)cc_bitmap_bytes(n));
    }
}

/* The permutation step shared by permute and sort: every allocation first
 * (the gather scratch, the strings' new buffers), then the commit, which
 * cannot fail.  values, if not NULL, already holds column `done`'s values
 * in the new order. */
static cc_status apply(const cc_column *cols, int64_t ncols, int64_t n, const int64_t *perm,
                       bool check_perm, int64_t done, const void *values, int64_t *failed) {
    cc_strarray *prepared = NULL;
    size_t bytes, scratch_bytes;
    cc_status st = cc_mul_size(ncols, (int64_t)sizeof *prepared, &bytes);
    if (st == CC_OK) st = cc_mul_size(n, CC_MAX_ITEMSIZE, &scratch_bytes);
    if (st != CC_OK) return st;
    scratch_bytes += (size_t)cc_bitmap_bytes(n);
    prepared = cc_malloc(bytes);
    uint8_t *scratch = cc_malloc(scratch_bytes); /* the permutation check, then the gathers */
    if (!prepared || !scratch) {
        cc_free(prepared), cc_free(scratch);
        return CC_ENOMEM;
    }
    if (check_perm) { /* a permutation: no index twice */
        memset(scratch, 0, (size_t)cc_bitmap_bytes(n));
        for (int64_t k = 0; k < n && st == CC_OK; k++) {
            if (cc_bitmap_get(scratch, perm[k])) st = CC_EINVAL;
            cc_bitmap_set(scratch, perm[k], true);
        }
    }
    /* the strings are rebuilt first (the allocations); numbers move in place */
    if (st == CC_OK) st = own_numbers(cols, ncols, failed);
    int64_t made = 0;
    for (; st == CC_OK && made < ncols; made++) {
        cc_strarray_init(&prepared[made], false);
        if (cols[made].is_str &&
            (st = cc_strarray_permute_prepare(cols[made].str, perm, &prepared[made])) != CC_OK)
            *failed = made;
    }
    if (st == CC_OK) {
        for (int64_t i = 0; i < ncols; i++) {
            if (cols[i].is_str) cc_strarray_permute_commit(cols[i].str, &prepared[i]);
            else if (i == done && values)
                memcpy(cols[i].num->data, values,
                       (size_t)n * (size_t)cc_numarray_itemsize(cols[i].num));
            else permute_through(cols[i].num, perm, scratch);
        }
    }
    for (int64_t i = 0; i < made; i++) cc_strarray_reset(&prepared[i]);
    cc_free(prepared), cc_free(scratch);
    return st;
}

/* 0, or the status for a column set that cannot be permuted (*failed set). */
static cc_status check_columns(const cc_column *cols, int64_t ncols, int64_t n, int64_t *failed) {
    for (int64_t i = 0; i < ncols; i++) {
        if (cc_column_length(cols[i]) != n) return (*failed = i), CC_EINVAL;
    }
    return CC_OK;
}

cc_status cc_columns_permute(const cc_column *cols, int64_t ncols, const int64_t *perm,
                             int64_t *failed) {
    *failed = -1;
    if (ncols == 0) return CC_OK;
    int64_t n = cc_column_length(cols[0]);
    CC_RETURN_NOT_OK(check_columns(cols, ncols, n, failed));
    if (n < 2) return CC_OK;
    if (!cc_indices_in_bounds(perm, n, n)) return CC_EINDEX;
    return apply(cols, ncols, n, perm, true, -1, NULL, failed);
}

/* ---- sort --------------------------------------------------------------------------------- */

cc_status cc_columns_argsort(const cc_sort_key *keys, int64_t nkeys, bool reverse, int64_t nrows,
                             int64_t *order) {
    for (int64_t i = 0; i < nrows; i++) order[i] = i;
    /* LSD: a stable sort by each key, the last first, orders by all keys */
    for (int64_t k = nkeys - 1; k >= 0; k--) {
        const cc_sort_key *key = &keys[k];
        cc_status st = key->col.is_str
                           ? cc_strarray_sort_order(key->col.str, reverse, order, nrows)
                           : cc_numarray_sort_order(key->col.num, key->rank, key->nranks, reverse,
                                                    order, nrows);
        if (st != CC_OK) return st;
    }
    return CC_OK;
}

cc_status cc_columns_sort(const cc_column *cols, int64_t ncols, const cc_sort_key *keys,
                          int64_t nkeys, bool reverse, int64_t *failed) {
    *failed = -1;
    if (ncols == 0) return CC_OK;
    int64_t n = cc_column_length(cols[0]);
    CC_RETURN_NOT_OK(check_columns(cols, ncols, n, failed));
    for (int64_t k = 0; k < nkeys; k++)
        if (cc_column_length(keys[k].col) != n) return CC_EINVAL;
    if (n < 2) return CC_OK;
    /* one column sorted by itself (and numbers, not codes): its own sort,
     * which orders exactly so (NaNs then nulls last, equal values -- zeros
     * of either sign -- in their order, in either direction) */
    bool only_self = ncols == 1 && nkeys > 0;
    for (int64_t k = 0; k < nkeys && only_self; k++)
        only_self = keys[k].col.is_str == cols[0].is_str && !keys[k].rank &&
                    (cols[0].is_str ? keys[k].col.str == cols[0].str
                                    : keys[k].col.num == cols[0].num);
    if (only_self)
        return cols[0].is_str ? cc_strarray_sort(cols[0].str, reverse)
                              : cc_numarray_sort(cols[0].num, reverse);
    /* the first key's column, if it is a column here: its values in the new
     * order may come straight out of the sort */
    int64_t first = -1;
    for (int64_t i = 0; nkeys && !keys[0].col.is_str && i < ncols; i++)
        if (!cols[i].is_str && cols[i].num == keys[0].col.num) first = i;
    size_t bytes;
    CC_RETURN_NOT_OK(cc_mul_size(n, (int64_t)sizeof(int64_t), &bytes));
    int64_t *order = cc_malloc(bytes);
    void *values = first >= 0 ? cc_malloc(bytes) : NULL;
    cc_status st = order && (first < 0 || values) ? CC_OK : CC_ENOMEM;
    bool wrote = false;
    if (st == CC_OK) {
        bool fresh = nkeys && !keys[nkeys - 1].col.is_str; /* the first pass fills order in */
        if (!fresh)
            for (int64_t i = 0; i < n; i++) order[i] = i;
        for (int64_t k = nkeys - 1; k >= 0 && st == CC_OK; k--) {
            const cc_sort_key *key = &keys[k];
            st = key->col.is_str
                     ? cc_strarray_sort_order(key->col.str, reverse, order, n)
                     : cc_numarray_sort_order_values(key->col.num, key->rank, key->nranks, reverse,
                                                     order, n, fresh, k == 0 ? values : NULL,
                                                     &wrote);
            fresh = false;
        }
    }
    if (st == CC_OK) st = apply(cols, ncols, n, order, false, first, wrote ? values : NULL, failed);
    cc_free(order), cc_free(values);
    return st;
}
