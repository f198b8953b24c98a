/* dedup.h - duplicate people (SPEC "Finding people", de-duplication): candidate pairs with
 * their reasons, and the merge that keeps one record, moves every link to it and drops
 * the other, audited, in one transaction.
 *
 * Reasons: the same ID number; the same folded name (simplified/traditional per
 * character, names.h) and birth date; the same usual pinyin reading, birth year and
 * ancestral place.
 */
#ifndef QIAO_DEDUP_H
#define QIAO_DEDUP_H

#include "http.h"

/* The name as a comparison key: every character folded to simplified (name_fold),
 * Latin letters lower-cased, spaces and middle dots dropped. Allocated from a. */
char *dedup_fold(arena *a, const char *name);

/* The candidate pairs among the live people in c's scope, ordered by the number of
 * reasons then ids: a new {items: [{a_id, b_id, a, b, reasons: [{code, message}],
 * dismissed}], total, page, per_page} (a_id < b_id). dismissed 0: the pairs still to
 * review; 1: those a user judged not to be the same person. NULL with e on a database
 * error or a page past the end. */
json_t *dedup_pairs(struct ent_ctx *c, int dismissed, int64_t page, int64_t per_page,
                    struct verr *e);

/* The request's ?dismissed=0|1 (0 when absent) into *dismissed: 0, or -1 having replied
 * 400. */
int dedup_dismissed_arg(struct req *r, int64_t *dismissed);

/* Judge a and b not the same person (dismiss 1), or make them a candidate pair again
 * (0); audited. Both must be live people in c's scope. 0, or -1 with e. */
int dedup_dismiss(struct ent_ctx *c, int64_t a, int64_t b, int dismiss, struct verr *e);

/* Merge drop into keep: every FT_REF field of every entity pointing to drop (and every
 * generic "X_type = 'person', X_id" pair) is pointed to keep, keep's empty fields are
 * filled from drop, drop is soft-deleted; one "merge" audit entry names what moved (plus
 * the entries of the update and the delete). Answers a new {keep, moved} or NULL with e. */
json_t *dedup_merge(struct ent_ctx *c, int64_t keep, int64_t drop, struct verr *e);

void dedup_list_h(struct req *r);    /* GET  /api/v1/dedup/person */
void dedup_merge_h(struct req *r);   /* POST /api/v1/dedup/person/merge */
void dedup_dismiss_h(struct req *r); /* POST /api/v1/dedup/person/dismiss */
void dedup_restore_h(struct req *r); /* POST /api/v1/dedup/person/restore */

/* A string -> int64 map (open addressing); keys are copied into the arena a. */
struct keymap {
    char **k;
    int64_t *v;
    size_t cap, n;
    arena *a;
};
/* The value slot of key; with add, created (0) when missing, else NULL when missing. */
int64_t *km_slot(struct keymap *m, const char *key, int add);
void km_free(struct keymap *m);

#endif
