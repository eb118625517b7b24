/* alloc.c -- the core's allocator.  The core only runs with the GIL held
 * (Arrow release callbacks take it first), which PyMem_Malloc requires and
 * which guards the state below.
 *
 * Small blocks come from PyMem_*.  Blocks of map_min bytes or more (Linux)
 * are mapped from the OS: mmap, grown or shrunk by mremap -- in place when
 * the address space after them is free, else moved by the page tables, never
 * by copying bytes -- and given back by munmap when freed.  Why not PyMem
 * (glibc's malloc) for those too: as a growing buffer's old blocks are
 * freed, glibc raises its mmap threshold and serves the next large blocks
 * from its heap, whose freed memory stays resident: a 6-field Table built
 * by append took 74.8 B/row of RSS for 42.5 B/row of payload.  A mapped
 * block's untouched pages cost address space only, so RSS follows what is
 * written, and a freed buffer leaves the process at once.
 *
 * A fresh mapping's pages fault in one by one as they are first written;
 * cc_malloc_prefault, for a block about to be written in full, maps with
 * MAP_POPULATE instead (all in one system call; see map_block).
 *
 * tracemalloc still sees every byte we own: PyMem blocks as usual, mapped
 * ones through PyTraceMalloc_Track in a domain of our own (as NumPy does),
 * at the size asked for.
 *
 * Mapped blocks are known by a registry (address -> size asked, length
 * mapped), an open-addressing table: cc_free and cc_realloc look the
 * address up, and anything not in it is PyMem's.  Growing a PyMem block
 * past map_min maps a new block and copies min(old_n, n) bytes (the size
 * the caller records: PyMem does not tell us its blocks' sizes).
 *
 * Not mapped: on other systems (no mremap), and in AddressSanitizer builds,
 * whose shadow memory would not follow a block moved by mremap -- there
 * every block stays on PyMem (malloc), which ASan checks.  Tests move
 * map_min with _core._debug_map_min to put small containers on the mapped
 * path.
 *
 * Test hook: _core._debug_fail_alloc(k) makes the k-th allocation from now
 * fail (k = 0 disarms), so tests can check that every failure path raises
 * MemoryError and leaves the container unchanged.  The counter is a plain C
 * int, not a Python object, and is only touched under the GIL.
 */
#include "binding.h"

#if defined(__linux__) && !defined(CC_HAVE_ASAN)
#include <sys/mman.h>
#include <unistd.h>
#define CC_MAPS 1
#endif

static long fail_countdown = 0; /* 0: off; else fail when it reaches 1 */
static long long live_blocks = 0;

static bool should_fail(void) {
    if (fail_countdown <= 0) return false;
    return --fail_countdown == 0;
}

#ifdef CC_MAPS

/* Blocks of at least this many bytes are mapped (measured: bench/memory_bench.py). */
#define DEFAULT_MAP_MIN ((size_t)256 * 1024)
/* tracemalloc domain of the mapped blocks: "cc" */
#define TRACE_DOMAIN 0x6363u

static size_t map_min = DEFAULT_MAP_MIN;
static long long mapped_bytes = 0; /* asked for, as traced */

typedef struct {
    uintptr_t addr; /* 0: an empty slot */
    size_t size;    /* asked for */
    size_t length;  /* mapped: size rounded up to pages */
} mapping;

static mapping *registry = NULL; /* PyMem_Raw: not ours to count */
static size_t registry_cap = 0;  /* a power of two, or 0 */
static size_t registry_used = 0;

static size_t page_size(void) {
    static size_t page = 0;
    if (!page) page = (size_t)sysconf(_SC_PAGESIZE);
    return page;
}

static size_t mapped_length(size_t n) {
    size_t page = page_size();
    return n > SIZE_MAX - page ? 0 : (n + page - 1) / page * page;
}

static size_t home_slot(uintptr_t addr) {
    /* page-aligned addresses: the page number, mixed (Fibonacci hashing) */
    uint64_t h = (uint64_t)(addr / 4096) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 32) & (registry_cap - 1);
}

/* The slot holding addr, or SIZE_MAX. */
static size_t registry_find(uintptr_t addr) {
    if (!registry_used) return SIZE_MAX;
    for (size_t i = home_slot(addr);; i = (i + 1) & (registry_cap - 1)) {
        if (registry[i].addr == addr) return i;
        if (!registry[i].addr) return SIZE_MAX;
    }
}

/* Room for one more entry at most half full; false if out of memory. */
static bool registry_reserve(void) {
    if (2 * (registry_used + 1) <= registry_cap) return true;
    size_t cap = registry_cap ? 2 * registry_cap : 64;
    mapping *fresh = PyMem_RawCalloc(cap, sizeof *fresh);
    if (!fresh) return false;
    mapping *old = registry;
    size_t old_cap = registry_cap;
    registry = fresh;
    registry_cap = cap;
    for (size_t k = 0; k < old_cap; k++) {
        if (!old[k].addr) continue;
        size_t i = home_slot(old[k].addr);
        while (registry[i].addr) i = (i + 1) & (cap - 1);
        registry[i] = old[k];
    }
    PyMem_RawFree(old);
    return true;
}

/* After registry_reserve. */
static void registry_add(mapping m) {
    size_t i = home_slot(m.addr);
    while (registry[i].addr) i = (i + 1) & (registry_cap - 1);
    registry[i] = m;
    registry_used++;
}

/* Empties slot i, moving back the entries of its probe run that may not
 * stay behind the hole (deletion without tombstones). */
static void registry_remove(size_t i) {
    size_t mask = registry_cap - 1;
    registry[i].addr = 0;
    registry_used--;
    for (size_t j = (i + 1) & mask; registry[j].addr; j = (j + 1) & mask) {
        size_t home = home_slot(registry[j].addr);
        /* j's entry may move into the hole i unless its home lies in (i, j] */
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays) continue;
        registry[i] = registry[j];
        registry[j].addr = 0;
        i = j;
    }
}

static void track(void *p, size_t n) {
    (void)PyTraceMalloc_Track(TRACE_DOMAIN, (uintptr_t)p, n); /* -2: tracemalloc is off */
    mapped_bytes += (long long)n;
}

static void untrack(void *p, size_t n) {
    (void)PyTraceMalloc_Untrack(TRACE_DOMAIN, (uintptr_t)p);
    mapped_bytes -= (long long)n;
}

/* populate: fault every page in now (MAP_POPULATE), for a block about to be
 * written in full -- one call instead of a page fault per 4 KiB, which cost
 * a 1M-element int64 construction ~8 ms of kernel time (more than all its
 * conversions); a block filled bit by bit leaves its pages untouched. */
static void *map_block(size_t n, bool populate) {
    size_t length = mapped_length(n);
    if (!length || !registry_reserve()) return NULL;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0);
    void *p = mmap(NULL, length, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED) return NULL;
    registry_add((mapping){(uintptr_t)p, n, length});
    track(p, n);
    return p;
}

static void unmap_block(size_t slot) {
    mapping m = registry[slot];
    registry_remove(slot);
    untrack((void *)m.addr, m.size);
    munmap((void *)m.addr, m.length);
}

/* A mapped block resized to n (>= map_min): NULL leaves it as it was. */
static void *remap_block(size_t slot, size_t n) {
    mapping m = registry[slot];
    size_t length = mapped_length(n);
    if (!length) return NULL;
    void *q = (void *)m.addr;
    if (length != m.length) {
        q = mremap((void *)m.addr, m.length, length, MREMAP_MAYMOVE);
        if (q == MAP_FAILED) return NULL;
    }
    registry_remove(slot); /* its slot was freed: room for the new entry */
    registry_add((mapping){(uintptr_t)q, n, length});
    untrack((void *)m.addr, m.size);
    track(q, n);
    return q;
}

static size_t smaller(size_t a, size_t b) { return a < b ? a : b; }

/* p (PyMem's, holding old_n bytes that matter, or mapped) resized to n. */
static void *resize(void *p, size_t old_n, size_t n) {
    size_t slot = registry_find((uintptr_t)p);
    if (slot != SIZE_MAX) {
        if (n >= map_min) return remap_block(slot, n);
        void *q = PyMem_Malloc(n ? n : 1); /* shrunk below the threshold */
        if (!q) return NULL;
        memcpy(q, p, smaller(registry[slot].size, n));
        unmap_block(slot);
        return q;
    }
    if (n < map_min) return PyMem_Realloc(p, n ? n : 1);
    void *q = map_block(n, false); /* grown past it */
    if (!q) return NULL;
    memcpy(q, p, smaller(old_n, n));
    PyMem_Free(p);
    return q;
}

static void *new_block(size_t n, bool populate) {
    return n >= map_min ? map_block(n, populate) : PyMem_Malloc(n ? n : 1);
}

static void free_block(void *p) {
    size_t slot = registry_find((uintptr_t)p);
    if (slot != SIZE_MAX) unmap_block(slot);
    else PyMem_Free(p);
}

PyObject *debug_map_min(PyObject *module, PyObject *arg) {
    (void)module;
    Py_ssize_t k = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (k == -1 && PyErr_Occurred()) return NULL;
    size_t previous = map_min;
    map_min = k <= 0 ? DEFAULT_MAP_MIN : (size_t)k;
    return PyLong_FromSize_t(previous);
}

#else /* every block on PyMem */

static size_t registry_used = 0; /* nothing is mapped */
static long long mapped_bytes = 0;

static void *new_block(size_t n, bool populate) {
    (void)populate;
    return PyMem_Malloc(n ? n : 1);
}
static void *resize(void *p, size_t old_n, size_t n) {
    (void)old_n;
    return PyMem_Realloc(p, n ? n : 1);
}
static void free_block(void *p) { PyMem_Free(p); }

PyObject *debug_map_min(PyObject *module, PyObject *arg) {
    (void)module;
    (void)arg;
    Py_RETURN_NONE; /* nothing is mapped in this build */
}

#endif

void *cc_malloc(size_t n) {
    if (should_fail()) return NULL;
    void *p = new_block(n, false);
    live_blocks += p != NULL;
    return p;
}

void *cc_malloc_prefault(size_t n) {
    if (should_fail()) return NULL;
    void *p = new_block(n, true);
    live_blocks += p != NULL;
    return p;
}

void *cc_realloc(void *p, size_t old_n, size_t n) {
    if (should_fail()) return NULL;
    if (!p) {
        void *q = new_block(n, false);
        live_blocks += q != NULL;
        return q;
    }
    return resize(p, old_n, n);
}

void cc_free(void *p) {
    if (!p) return;
    live_blocks--;
    free_block(p);
}

PyObject *debug_fail_alloc(PyObject *module, PyObject *arg) {
    (void)module;
    long k = PyLong_AsLong(arg);
    if (k == -1 && PyErr_Occurred()) return NULL;
    long previous = fail_countdown;
    fail_countdown = k < 0 ? 0 : k;
    return PyLong_FromLong(previous);
}

PyObject *debug_alloc_stats(PyObject *module, PyObject *unused) {
    (void)module;
    (void)unused;
    return Py_BuildValue("{sLslsLsL}", "live_blocks", live_blocks, "fail_countdown",
                         fail_countdown, "mapped_blocks", (long long)registry_used, "mapped_bytes",
                         mapped_bytes);
}
