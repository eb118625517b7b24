/* test_alloc.h -- the allocator the C core links against in the C tests, and
 * a small test framework.
 *
 * Allocator (tests/c/test_alloc.c): cc_malloc / cc_realloc / cc_free on top of
 * malloc / realloc / free.  Each block carries a 16-byte header with its
 * requested size, so a test can check that a buffer really holds the
 * capacity the container records (test_alloc_size).  Live blocks and calls
 * are counted; test_alloc_fail_at(k) makes the k-th allocation call from now
 * (cc_malloc or cc_realloc) return NULL, once.
 *
 * Framework:
 *
 *   TEST(name) { CHECK(x == 1); if (!CHECK_EQ(n, 3)) return; }
 *   int main(int argc, char **argv) { return test_main(argc, argv); }
 *
 * TEST registers the function (a constructor adds it to a table, so tests run
 * in definition order).  CHECK* record a failure with file:line and evaluate
 * to whether they held, so a test can stop early.  test_main runs every test
 * (or those whose name contains one of argv[1..]), fails a test that leaves
 * allocator blocks behind or a failure armed, and prints a last line exactly
 *
 *   N passed, N failed
 *
 * exiting non-zero when anything failed.  The PRNG seed is fixed (so CI is
 * reproducible) unless CC_TEST_SEED is set in the environment.
 */
#ifndef TEST_ALLOC_H
#define TEST_ALLOC_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* --- allocator control ---------------------------------------------------- */

/* The k-th allocation call from now (k >= 1) fails, once; k = 0 disarms. */
void test_alloc_fail_at(int64_t k);
/* True while a failure is armed and has not fired. */
bool test_alloc_armed(void);
/* Number of injected failures that fired so far. */
int64_t test_alloc_failures(void);
/* Blocks currently allocated through cc_malloc / cc_realloc. */
int64_t test_alloc_live(void);
/* cc_malloc + cc_realloc calls so far (failed ones included). */
int64_t test_alloc_calls(void);
/* Requested size of a live block (p != NULL, from cc_malloc/cc_realloc). */
size_t test_alloc_size(const void *p);

/* --- framework -------------------------------------------------------------- */

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn);
/* Records a failure of the running test; always returns false. */
bool test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Failures recorded so far in the running test. */
int test_failures_in_current(void);
/* The seed for this run (CC_TEST_SEED or a fixed default). */
uint64_t test_seed(void);
int test_main(int argc, char **argv);

#define TEST(name)                                                             \
    static void name(void);                                                    \
    __attribute__((constructor)) static void name##_register(void) {          \
        test_register(#name, name);                                            \
    }                                                                          \
    static void name(void)

#define CHECK(cond)                                                            \
    __extension__({                                                            \
        bool ok_ = (cond) ? true : test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); \
        ok_;                                                                   \
    })

#define CHECK_MSG(cond, ...)                                                   \
    __extension__({                                                            \
        bool ok_ = (cond) ? true : test_fail(__FILE__, __LINE__, __VA_ARGS__); \
        ok_;                                                                   \
    })

#define CHECK_EQ(a, b)                                                         \
    __extension__({                                                            \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        a_ == b_ ? true                                                        \
                 : test_fail(__FILE__, __LINE__, "CHECK_EQ(%s, %s): %lld != %lld", \
                             #a, #b, a_, b_);                                  \
    })

/* --- a seeded PRNG (xorshift64*) ------------------------------------------ */

typedef struct test_rng {
    uint64_t s;
} test_rng;

static inline void rng_seed(test_rng *r, uint64_t seed) {
    r->s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    if (r->s == 0) r->s = 1;
}

static inline uint64_t rng_next(test_rng *r) {
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [lo, hi] (inclusive; lo <= hi). */
static inline int64_t rng_range(test_rng *r, int64_t lo, int64_t hi) {
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    uint64_t x = rng_next(r);
    if (span != UINT64_MAX) x %= span + 1;
    return (int64_t)((uint64_t)lo + x);
}

/* True with probability pct / 100. */
static inline bool rng_chance(test_rng *r, int pct) {
    return (int)(rng_next(r) % 100) < pct;
}

#endif /* TEST_ALLOC_H */
