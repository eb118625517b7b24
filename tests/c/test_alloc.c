/* test_alloc.c -- the core's allocator for the C tests (counting, with a
 * failure hook) and the test runner.  See test_alloc.h.
 *
 *   block:  [ header: size, magic (16 bytes) | size bytes handed out ... ]
 *                                             ^ pointer the core sees
 *
 * The header lets a test ask how big a block really is (a container whose
 * recorded capacity exceeds its buffer is a heap overflow waiting to happen,
 * and without ASan nothing else would notice).  Under ASan the bytes past the
 * block are still a redzone, so overflows are reported as usual.
 */
#include "test_alloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cc_common.h"

/* --- allocator -------------------------------------------------------------- */

#define BLOCK_MAGIC 0x63635f74657374ull /* "cc_test" */

typedef union block_header {
    struct {
        size_t size;
        uint64_t magic;
    } h;
    max_align_t align;
} block_header;

static int64_t live_blocks;
static int64_t alloc_calls;
static int64_t fail_countdown; /* 0: off; fail when it counts down to 0 */
static int64_t failures_fired;

static bool should_fail(void) {
    alloc_calls++;
    if (fail_countdown <= 0) return false;
    if (--fail_countdown != 0) return false;
    failures_fired++;
    return true;
}

static block_header *header_of(const void *p) {
    block_header *h = (block_header *)p - 1;
    if (h->h.magic != BLOCK_MAGIC) {
        fprintf(stderr, "test_alloc: %p was not allocated by cc_malloc/cc_realloc "
                        "(or was freed)\n", p);
        abort();
    }
    return h;
}

static void *new_block(size_t n) {
    if (n > SIZE_MAX - sizeof(block_header)) return NULL;
    block_header *h = malloc(sizeof(block_header) + n);
    if (!h) return NULL;
    h->h.size = n;
    h->h.magic = BLOCK_MAGIC;
    live_blocks++;
    return h + 1;
}

void *cc_malloc(size_t n) {
    if (should_fail()) return NULL;
    return new_block(n);
}

void *cc_malloc_prefault(size_t n) { return cc_malloc(n); }

void *cc_realloc(void *p, size_t old_n, size_t n) {
    if (should_fail()) return NULL;
    if (!p) return new_block(n);
    if (n > SIZE_MAX - sizeof(block_header)) return NULL;
    block_header *h = header_of(p);
    if (old_n > h->h.size) { /* the extension's allocator would copy past the block */
        fprintf(stderr, "test_alloc: cc_realloc(%p) told the block has %zu bytes; it has %zu\n",
                p, old_n, h->h.size);
        abort();
    }
    h->h.magic = 0; /* a stale pointer to the old block must not pass */
    block_header *q = realloc(h, sizeof(block_header) + n);
    if (!q) {
        h->h.magic = BLOCK_MAGIC;
        return NULL;
    }
    q->h.size = n;
    q->h.magic = BLOCK_MAGIC;
    return q + 1;
}

void cc_free(void *p) {
    if (!p) return;
    block_header *h = header_of(p);
    h->h.magic = 0;
    live_blocks--;
    free(h);
}

void test_alloc_fail_at(int64_t k) { fail_countdown = k < 0 ? 0 : k; }
bool test_alloc_armed(void) { return fail_countdown > 0; }
int64_t test_alloc_failures(void) { return failures_fired; }
int64_t test_alloc_live(void) { return live_blocks; }
int64_t test_alloc_calls(void) { return alloc_calls; }
size_t test_alloc_size(const void *p) { return header_of(p)->h.size; }

/* --- runner ------------------------------------------------------------------ */

#define MAX_TESTS 512
#define MAX_REPORTS_PER_TEST 12

static struct {
    const char *name;
    test_fn fn;
} tests[MAX_TESTS];
static int n_tests;
static int current_failures;
static const char *current_name;
static uint64_t seed_value = 20240601;

void test_register(const char *name, test_fn fn) {
    if (n_tests == MAX_TESTS) {
        fprintf(stderr, "too many tests (raise MAX_TESTS)\n");
        abort();
    }
    tests[n_tests].name = name;
    tests[n_tests].fn = fn;
    n_tests++;
}

bool test_fail(const char *file, int line, const char *fmt, ...) {
    current_failures++;
    if (current_failures <= MAX_REPORTS_PER_TEST) {
        va_list ap;
        fprintf(stdout, "  %s:%d: %s: ", file, line, current_name);
        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
    } else if (current_failures == MAX_REPORTS_PER_TEST + 1) {
        fprintf(stdout, "  ... (further failures of %s not shown)\n", current_name);
    }
    fflush(stdout);
    return false;
}

int test_failures_in_current(void) { return current_failures; }
uint64_t test_seed(void) { return seed_value; }

static bool selected(const char *name, int argc, char **argv) {
    if (argc < 2) return true;
    for (int i = 1; i < argc; i++)
        if (strstr(name, argv[i])) return true;
    return false;
}

int test_main(int argc, char **argv) {
    const char *env = getenv("CC_TEST_SEED");
    if (env && *env) seed_value = strtoull(env, NULL, 0);
    printf("seed %" PRIu64 " (set CC_TEST_SEED to change)\n", seed_value);
    int passed = 0, failed = 0;
    for (int t = 0; t < n_tests; t++) {
        if (!selected(tests[t].name, argc, argv)) continue;
        current_name = tests[t].name;
        current_failures = 0;
        int64_t live = live_blocks;
        tests[t].fn();
        if (test_alloc_armed()) {
            test_fail(__FILE__, __LINE__, "left an allocation failure armed");
            test_alloc_fail_at(0);
        }
        if (live_blocks != live)
            test_fail(__FILE__, __LINE__, "leaked %" PRId64 " allocator blocks",
                      live_blocks - live);
        if (current_failures) {
            failed++;
            printf("FAIL %s (%d failures)\n", current_name, current_failures);
        } else {
            passed++;
            printf("ok   %s\n", current_name);
        }
        fflush(stdout);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed || passed == 0 ? 1 : 0;
}
