/* cc_hash.h -- the one hash of the C core: 64 bits over a byte string,
 * deterministic across processes and machines (no seed; words are read
 * little-endian whatever the host), so a pickled or saved hash table
 * reloads without re-hashing.
 *
 * The price of determinism: keys chosen by an attacker can collide on
 * purpose.  Python's dict avoids that with a per-process random SipHash key;
 * the docs say so, and say to use a dict for untrusted keys.
 *
 * Construction: 8-byte words, each scrambled by a 64-bit finaliser (two
 * xor-shift-multiply rounds) and folded into the state with a multiply and a
 * rotate; the length seeds the state, so "a" and "a\0" differ. */
#ifndef CC_HASH_H
#define CC_HASH_H

#include "cc_common.h"

static inline uint64_t cc_hash_mix(uint64_t x) {
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    return x;
}

static inline uint64_t cc_load_le64(const uint8_t *p, size_t n) {
    uint64_t w = 0;
    for (size_t k = 0; k < n; k++) w |= (uint64_t)p[k] << (8 * k);
    return w;
}

static inline uint64_t cc_hash_bytes(const void *data, size_t n) {
    const uint8_t *p = data;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)n * 0xbf58476d1ce4e5b9ull);
    for (; n >= 8; p += 8, n -= 8) {
        h ^= cc_hash_mix(cc_load_le64(p, 8));
        h = (h << 27 | h >> 37) * 0x94d049bb133111ebull;
    }
    h ^= cc_hash_mix(cc_load_le64(p, n) ^ 0x2545f4914f6cdd1dull);
    return cc_hash_mix(h);
}

#endif /* CC_HASH_H */
