/* cc_arrow_export.h -- the core's side of exporting its containers through
 * the Arrow C data interface: which formats a container exports as, whether
 * a consumer's requested format is a lossless cast, and the buffers an
 * export hands over -- the container's own (zero-copy) or one the export
 * owns (packed bools, cast values, offsets of the other width, the validity
 * of a dictionary's indices).
 *
 *   cc_numarray  buffers {validity or NULL, values}       'c' ... 'g', 'b'
 *   cc_strarray  buffers {validity or NULL, offsets, data} 'u' / 'U'
 *   codes+keys   buffers {validity built from -1 codes, codes} + dictionary
 *                child {NULL, the keys' offsets, the keys' bytes}
 *
 * A cc_arrow_export holds a reference to each buffer it hands over
 * (cc_buffer.h): the container's own, shared -- the container copies it
 * before its next write, so the export is a snapshot -- or a block made for
 * the export (packed bools, cast values, offsets of the other width, the
 * validity of a dictionary's indices, a copy of a buffer a memoryview
 * aliases).  cc_arrow_export_reset drops them, the one place an export's
 * memory goes; the export needs nothing else of the container, which may
 * change or go away.  The caller keeps the cc_arrow_export alive as long as
 * the ArrowArray that points at its buffers (it lives in the ArrowArray's
 * private_data) and sets the release callback, which must hold the GIL
 * while it resets (the last reference frees).
 *
 * Every function is all-or-nothing: on failure *out holds nothing to free.
 * Errors: CC_EINVAL a requested format the container does not export as
 * (no copy would be lossless), or codes outside the dictionary (err->index
 * the first element); CC_EOVERFLOW a value that does not fit the requested
 * type (err->index the first) or string bytes past int32 offsets;
 * CC_ENOMEM.
 */
#ifndef CC_ARROW_EXPORT_H
#define CC_ARROW_EXPORT_H

#include "cc_arrow.h"
#include "cc_numarray.h"
#include "cc_strarray.h"

/* The buffers of one exported array, and the block the export owns. */
typedef struct cc_arrow_export {
    const void *buffers[3]; /* validity (or NULL), then the layout's buffers */
    cc_buffer *holds[3];    /* the reference behind each buffer, or NULL */
    int64_t length, null_count, n_buffers;
} cc_arrow_export;

/* Frees what the export owns; *ex is then empty (safe to call twice). */
void cc_arrow_export_reset(cc_arrow_export *ex);

/* out's length, null_count, n_buffers and buffers from ex (offset 0, no
 * children, no dictionary); release and private_data are the caller's. */
void cc_arrow_export_fill(const cc_arrow_export *ex, struct ArrowArray *out);

/* A one-field schema: format (borrowed, static or outliving *out), name
 * "", the nullable flag; the rest untouched. */
void cc_arrow_schema_fill(struct ArrowSchema *out, const char *format, bool nullable);

/* ---- cc_numarray: Arrow 'c' ... 'g', 'b' ----------------------------------------- */

/* True if `from` exports as `to` without loss: the same type, integers to
 * any integer (values checked while copying), integers to a float at least
 * twice as wide (which holds them exactly), float32 to float64. */
bool cc_arrow_lossless_cast(cc_dtype from, cc_dtype to);

/* The dtype a exports as when the consumer requests format `want` (NULL:
 * its own); CC_EINVAL if that is not a lossless cast. */
CC_MUST_CHECK cc_status cc_arrow_numbers_target(const cc_numarray *a, const char *want,
                                                cc_dtype *to);

/* The export of a as dtype `to` (from cc_arrow_numbers_target): a's own
 * buffers, except bools (bit-packed) and casts (converted), which the
 * export owns.  CC_EOVERFLOW (err->index) for a value `to` cannot hold. */
CC_MUST_CHECK cc_status cc_arrow_export_numbers(cc_numarray *a, cc_dtype to,
                                                cc_arrow_export *out, cc_error *err);

/* ---- cc_strarray: Arrow 'u' / 'U' ------------------------------------------------- */

/* "U" for int64 offsets, "u" for int32; binary: "Z" and "z". */
static inline const char *cc_arrow_strings_format(bool wide) { return wide ? "U" : "u"; }
static inline const char *cc_arrow_bytes_format(const cc_strarray *a) {
    return a->binary ? (a->wide ? "Z" : "z") : cc_arrow_strings_format(a->wide);
}

/* The offset width a exports as when the consumer requests format `want`
 * (NULL: its own): 'u' or 'U' ('z' or 'Z' when a->binary), else CC_EINVAL. */
CC_MUST_CHECK cc_status cc_arrow_strings_target(const cc_strarray *a, const char *want,
                                                bool *wide);

/* The export of a (compact: cc_strarray_compact first, else CC_EINVAL)
 * with offsets `wide`: a's own buffers, or offsets of the other width that
 * the export owns (the bytes still shared).  CC_EOVERFLOW when narrowing
 * and the bytes do not fit int32 offsets. */
CC_MUST_CHECK cc_status cc_arrow_export_strings(cc_strarray *a, bool wide,
                                                cc_arrow_export *out, cc_error *err);

/* ---- codes + dictionary: Arrow dictionary<codes' type, 'u'/'U'> ------------------- */

/* The export of a dictionary-encoded array: `indices` the codes' own
 * buffer with a validity bitmap built from the -1 codes (owned; none
 * without nulls), `dictionary` the keys' own offsets and bytes (keys
 * compact, as a pool's are).  CC_EINVAL (err->index) for a code outside
 * [-1, keys->length). */
CC_MUST_CHECK cc_status cc_arrow_export_codes(cc_numarray *codes, cc_strarray *keys,
                                              cc_arrow_export *indices,
                                              cc_arrow_export *dictionary, cc_error *err);

/* ---- a struct of exported children: a Table's batch and its schema -------------- */

/* A struct array ('+s', no validity: every row is there) whose children
 * are moved in one by one; from then on the struct releases them. */
typedef struct cc_arrow_struct {
    struct ArrowArray *children;  /* n_children slots, the first n moved in */
    struct ArrowArray **pointers; /* to them: the ArrowArray's children */
    const void *buffers[1];       /* {NULL} */
    int64_t n, n_children;
    int64_t length; /* the children's one length; -1 before the first */
} cc_arrow_struct;

/* Room for n_children children (none moved in yet). */
CC_MUST_CHECK cc_status cc_arrow_struct_init(cc_arrow_struct *s, int64_t n_children);
/* Moves *child (its release then NULL) into the next slot; the struct
 * takes it even when it fails: CC_EINVAL when its length is not the
 * others', CC_EINDEX when every slot is taken. */
CC_MUST_CHECK cc_status cc_arrow_struct_move_child(cc_arrow_struct *s, struct ArrowArray *child,
                                                   cc_error *err);
/* out as the struct array (length `rows` when it has no children); release
 * and private_data are the caller's.  The children must all be in. */
void cc_arrow_struct_fill(const cc_arrow_struct *s, int64_t rows, struct ArrowArray *out);
/* Releases the children moved in and frees the slots; *s is then empty. */
void cc_arrow_struct_reset(cc_arrow_struct *s);

/* A struct schema ('+s') whose field schemas are moved in one by one with
 * their names (and a requested format) copied; the struct then releases
 * them and frees the copies. */
typedef struct cc_arrow_struct_schema {
    struct ArrowSchema *children;  /* n_children slots, the first n moved in */
    struct ArrowSchema **pointers; /* to them: the ArrowSchema's children */
    char **copies;                 /* 2 per child: its name, its format or NULL */
    int64_t n, n_children;
} cc_arrow_struct_schema;

CC_MUST_CHECK cc_status cc_arrow_struct_schema_init(cc_arrow_struct_schema *s,
                                                    int64_t n_children);
/* Moves *child into the next slot, named by a copy of the name_len bytes
 * of name; format, unless NULL or the child's own, replaces the child's
 * format by a copy (a requested cast).  The struct takes the child even
 * when it fails (CC_ENOMEM, or CC_EINDEX when every slot is taken). */
CC_MUST_CHECK cc_status cc_arrow_struct_schema_move_child(cc_arrow_struct_schema *s,
                                                          struct ArrowSchema *child,
                                                          const char *name, size_t name_len,
                                                          const char *format);
/* out as the struct schema; release and private_data are the caller's. */
void cc_arrow_struct_schema_fill(const cc_arrow_struct_schema *s, struct ArrowSchema *out);
void cc_arrow_struct_schema_reset(cc_arrow_struct_schema *s);

/* True if a consumer's requested schema is a struct ('+s') of n fields
 * (whose formats the caller then checks one by one). */
bool cc_arrow_struct_request_ok(const struct ArrowSchema *want, int64_t n);

#endif /* CC_ARROW_EXPORT_H */
