/* cc_buffer.c -- reference-counted buffers and the (pointer, share) slots
 * containers keep; the model is in cc_buffer.h. */
#include "cc_buffer.h"

#include <stdatomic.h>

struct cc_buffer {
    atomic_llong refs;
    void *block;                  /* owned: freed with the last reference */
    void (*release)(void *owner); /* foreign: called with the last reference */
    void *owner;
};

static cc_buffer *buffer_new(void *block, void (*release)(void *), void *owner) {
    cc_buffer *b = cc_malloc(sizeof *b);
    if (!b) return NULL;
    atomic_init(&b->refs, 1);
    b->block = block;
    b->release = release;
    b->owner = owner;
    return b;
}

cc_buffer *cc_buffer_own(void *block) { return buffer_new(block, NULL, NULL); }

cc_buffer *cc_buffer_foreign(void (*release)(void *owner), void *owner) {
    return buffer_new(NULL, release, owner);
}

void cc_buffer_ref(cc_buffer *b) { atomic_fetch_add(&b->refs, 1); }

void cc_buffer_unref(cc_buffer *b) {
    if (!b || atomic_fetch_sub(&b->refs, 1) != 1) return;
    if (b->release) b->release(b->owner);
    cc_free(b->block);
    cc_free(b);
}

bool cc_buffer_sole_owner(const cc_buffer *b) {
    return b->block && atomic_load(&((cc_buffer *)b)->refs) == 1;
}

int64_t cc_buffer_refs(const cc_buffer *b) { return atomic_load(&((cc_buffer *)b)->refs); }

cc_status cc_slot_share(uint8_t **ptr, cc_buffer **share, size_t cap, cc_buffer **out) {
    *out = NULL;
    if (!*ptr) return CC_OK;
    if (!*share) {
        *share = cc_buffer_own(*ptr);
        if (!*share) return CC_ENOMEM; /* still private: its spare stays poisoned */
        /* From now on other holders read the whole block: the spare
         * capacity ASan poisons for the container's own writes is theirs
         * to free as well. */
        CC_UNPOISON(*ptr, cap);
    }
    cc_buffer_ref(*share);
    *out = *share;
    return CC_OK;
}

cc_status cc_slot_unshare(uint8_t **ptr, cc_buffer **share, size_t used, size_t cap,
                          bool zero_rest) {
    cc_buffer *b = *share;
    if (!b) return CC_OK;
    if (cc_buffer_sole_owner(b) && b->block == *ptr) { /* every snapshot is gone */
        b->block = NULL;
        cc_free(b);
        *share = NULL;
        return CC_OK;
    }
    if (cap < used) cap = used;
    uint8_t *p = cc_malloc(cap ? cap : 1);
    if (!p) return CC_ENOMEM;
    if (used) memcpy(p, *ptr, used);
    if (zero_rest && cap > used) memset(p + used, 0, cap - used);
    cc_buffer_unref(b);
    *ptr = p;
    *share = NULL;
    return CC_OK;
}

void cc_slot_drop(uint8_t **ptr, cc_buffer **share) {
    if (*share) cc_buffer_unref(*share);
    else cc_free(*ptr);
    *ptr = NULL;
    *share = NULL;
}

cc_status cc_slot_share_into(uint8_t **src_ptr, cc_buffer **src_share, size_t cap,
                             uint8_t **dst_ptr, cc_buffer **dst_share) {
    cc_buffer *ref;
    CC_RETURN_NOT_OK(cc_slot_share(src_ptr, src_share, cap, &ref));
    *dst_ptr = *src_ptr;
    *dst_share = ref;
    return CC_OK;
}
