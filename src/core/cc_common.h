/* cc_common.h -- status codes, allocator hooks and overflow helpers shared by
 * the whole C core.
 *
 * The core is plain C11 with no Python dependency (it is built as a static
 * library without Python's include path, so an #include <Python.h> here fails
 * to compile).  Every function that can fail returns a cc_status; the binding
 * maps statuses to Python exceptions in one place (src/errors.c).
 *
 * Memory: every owned byte goes through cc_malloc / cc_realloc / cc_free.
 * The extension defines them (src/alloc.c): small blocks on PyMem_*, large
 * ones mapped from the OS and grown by mremap, all seen by tracemalloc; the
 * C tests define them with a counting allocator that can be told to fail on
 * the Nth call (tests/c/test_alloc.c).
 */
#ifndef CC_COMMON_H
#define CC_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum cc_status {
    CC_OK = 0,
    CC_ENOMEM,    /* allocation failed or the size is impossible          */
    CC_EOVERFLOW, /* a value or a size does not fit                       */
    CC_EINVAL,    /* malformed argument (bad dtype, bad state)            */
    CC_EINDEX,    /* index out of range                                   */
    CC_EBUSY,     /* the buffer is exported; it may not move or resize    */
    CC_ETYPE,     /* a value of the wrong kind (a float for an int dtype) */
} cc_status;

#if defined(__GNUC__)
#define CC_MUST_CHECK __attribute__((warn_unused_result))
#define CC_NOINLINE __attribute__((noinline))
#define CC_ALWAYS_INLINE inline __attribute__((always_inline))
#define CC_LIKELY(x) __builtin_expect(!!(x), 1)
#define CC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define CC_MUST_CHECK
#define CC_NOINLINE
#define CC_ALWAYS_INLINE inline
#define CC_LIKELY(x) (x)
#define CC_UNLIKELY(x) (x)
#endif

#define CC_RETURN_NOT_OK(expr)                                                 \
    do {                                                                       \
        cc_status cc_status_ = (expr);                                         \
        if (cc_status_ != CC_OK) return cc_status_;                            \
    } while (0)

/* Why a core call failed, for the caller's message (nanoarrow's ArrowError,
 * without a buffer): why is a static text; when index >= 0 it names the
 * element at fault with one "%lld" conversion, which the caller fills in
 * with index.  Set by the functions that take a `cc_error *err`. */
typedef struct cc_error {
    const char *why;
    int64_t index;
} cc_error;

/* Sets *err and returns st: `return cc_error_set(err, CC_EINVAL, "...", -1);` */
static inline cc_status cc_error_set(cc_error *err, cc_status st, const char *why,
                                     int64_t index) {
    err->why = why;
    err->index = index;
    return st;
}

/* For *_validate functions: on a broken invariant, set err->why to msg and
 * return CC_EINVAL (the function has a `cc_error *err` parameter). */
#define CC_CHECK_INVARIANT(cond, msg)                                          \
    do {                                                                       \
        if (!(cond)) return cc_error_set(err, CC_EINVAL, msg, -1);             \
    } while (0)

/* Largest element count or byte size the core will ever ask for.  Keeping
 * sizes below 2**62 leaves headroom so that `a + b` of two valid sizes can
 * never overflow int64_t, and it turns absurd requests into CC_ENOMEM before
 * any allocator sees them. */
#define CC_MAX_SIZE ((int64_t)1 << 62)

/* Allocator: defined by whoever links the core (see the header comment). */
void *cc_malloc(size_t n);
/* old_n: the size the caller records for p (at most what it last asked
 * for): min(old_n, n) bytes are kept.  The allocator does not always know
 * the size of a block it did not map itself. */
void *cc_realloc(void *p, size_t old_n, size_t n);
void cc_free(void *p);
/* As cc_malloc, for a block the caller writes in full right away: an
 * allocator that maps large blocks may fault all their pages in at once
 * (one system call) rather than one page fault per page on first write. */
void *cc_malloc_prefault(size_t n);

/* n * size in bytes, or CC_ENOMEM when the product overflows or exceeds
 * CC_MAX_SIZE. */
static inline CC_MUST_CHECK cc_status cc_mul_size(int64_t n, int64_t size,
                                                  size_t *out) {
    int64_t bytes;
    if (n < 0 || size < 0 || __builtin_mul_overflow(n, size, &bytes) ||
        bytes > CC_MAX_SIZE)
        return CC_ENOMEM;
    *out = (size_t)bytes;
    return CC_OK;
}

/* a + b for element counts, or CC_EOVERFLOW past CC_MAX_SIZE. */
static inline CC_MUST_CHECK cc_status cc_add_count(int64_t a, int64_t b,
                                                   int64_t *out) {
    int64_t sum;
    if (__builtin_add_overflow(a, b, &sum) || sum > CC_MAX_SIZE || sum < 0)
        return CC_EOVERFLOW;
    *out = sum;
    return CC_OK;
}

/* The core checks its own bounds (it never trusts the caller's): true when
 * the count slots start, start + step, ... all lie in [0, length).  count 0
 * is always in bounds; step 0 only for count 1. */
static inline bool cc_strided_in_bounds(int64_t start, int64_t step, int64_t count,
                                        int64_t length) {
    if (count == 0) return true;
    if (count < 0 || start < 0 || start >= length || (step == 0 && count > 1)) return false;
    int64_t span, last;
    if (__builtin_mul_overflow(count - 1, step, &span) ||
        __builtin_add_overflow(start, span, &last))
        return false;
    return last >= 0 && last < length;
}

/* True when [at, at + n) lies in [0, length]. */
static inline bool cc_range_in_bounds(int64_t at, int64_t n, int64_t length) {
    return at >= 0 && n >= 0 && at <= length && n <= length - at;
}

/* True when every idx[k] of n lies in [0, length). */
static inline bool cc_indices_in_bounds(const int64_t *idx, int64_t n, int64_t length) {
    for (int64_t k = 0; k < n; k++)
        if (idx[k] < 0 || idx[k] >= length) return false;
    return true;
}

/* AddressSanitizer: spare capacity is poisoned so that a stale write past the
 * length is reported even though it stays inside the allocation. */
#if defined(__SANITIZE_ADDRESS__)
#define CC_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CC_HAVE_ASAN 1
#endif
#endif

#ifdef CC_HAVE_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#define CC_POISON(addr, size) __asan_poison_memory_region((addr), (size))
#define CC_UNPOISON(addr, size) __asan_unpoison_memory_region((addr), (size))
#else
#define CC_POISON(addr, size) ((void)(addr), (void)(size))
#define CC_UNPOISON(addr, size) ((void)(addr), (void)(size))
#endif

#endif /* CC_COMMON_H */
