/* cc_buffer.h -- reference-counted buffers: how a container's memory is
 * shared with snapshots (Arrow exports, read-only views, copies) and how
 * memory the container did not allocate (an Arrow producer's array, a
 * pickle buffer, a memory map) is held.  Copy-on-write, as Polars' and
 * Arrow C++'s buffers and pandas 3's Copy-on-Write work.
 *
 * A container keeps, for each of its buffers, the pointer it reads and the
 * share behind it:
 *
 *   share == NULL   the pointer is the container's private cc_malloc block:
 *                   it writes, grows and frees it as it likes (the common
 *                   case: nothing else ever saw the memory)
 *   share != NULL   the pointer lies inside memory a cc_buffer owns, and the
 *                   container holds one of its references: it reads, never
 *                   writes.  Before a write it calls cc_slot_unshare, which
 *                   takes the block back when the container holds the last
 *                   reference to its own block (the export was released),
 *                   and otherwise copies the used bytes into a new private
 *                   block -- the snapshots keep the old one, unchanged.
 *
 * A cc_buffer is either owned (a cc_malloc block, freed with the last
 * reference) or foreign (a release callback and its owner, called once with
 * the last reference: the producer's ArrowArray release, a PyBuffer_Release).
 *
 * Threads: the counts are atomic, but the last reference frees with
 * cc_free and calls foreign release callbacks, which the binding must run
 * with the GIL held; Arrow release callbacks take it before they unref.
 */
#ifndef CC_BUFFER_H
#define CC_BUFFER_H

#include "cc_common.h"

typedef struct cc_buffer cc_buffer;

/* A new owned buffer around block (a cc_malloc block, taken over: it is
 * freed with the last reference), one reference held by the caller; NULL
 * when the struct cannot be allocated (block is then still the caller's). */
cc_buffer *cc_buffer_own(void *block);
/* A new foreign buffer: release(owner) runs once, with the last reference;
 * one reference held by the caller.  NULL when the struct cannot be
 * allocated (release is then not called: owner is still the caller's). */
cc_buffer *cc_buffer_foreign(void (*release)(void *owner), void *owner);
void cc_buffer_ref(cc_buffer *b);
/* Drops a reference (NULL is ignored). */
void cc_buffer_unref(cc_buffer *b);
/* True if b is an owned block with no reference but the caller's. */
bool cc_buffer_sole_owner(const cc_buffer *b);
/* The number of references (for tests and invariants). */
int64_t cc_buffer_refs(const cc_buffer *b);

/* ---- a container's buffer slot: (pointer, share) ------------------------------ */

/* *out = a new reference to the memory at *ptr, which holds cap bytes:
 * a private block is wrapped in an owned buffer first (the container then
 * holds it as *share).  *ptr == NULL gives *out = NULL.  CC_ENOMEM:
 * unchanged. */
CC_MUST_CHECK cc_status cc_slot_share(uint8_t **ptr, cc_buffer **share, size_t cap,
                                      cc_buffer **out);
/* Makes the memory at *ptr private before a write: no-op without a share;
 * takes the block back when the caller is its sole owner; otherwise copies
 * the first `used` bytes into a new block of cap bytes (the rest zeroed if
 * zero_rest) and drops the share.  CC_ENOMEM: unchanged. */
CC_MUST_CHECK cc_status cc_slot_unshare(uint8_t **ptr, cc_buffer **share, size_t used,
                                        size_t cap, bool zero_rest);
/* Lets go of the memory at *ptr (unref or cc_free); both become NULL. */
void cc_slot_drop(uint8_t **ptr, cc_buffer **share);
/* *dst = a reference to the same memory as src (for a copy that shares):
 * src's private block is wrapped first.  CC_ENOMEM: unchanged. */
CC_MUST_CHECK cc_status cc_slot_share_into(uint8_t **src_ptr, cc_buffer **src_share, size_t cap,
                                           uint8_t **dst_ptr, cc_buffer **dst_share);

#endif /* CC_BUFFER_H */
