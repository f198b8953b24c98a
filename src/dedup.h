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

/* The candidate pairs among the live people in c's scope: a new array of
 * {a, b, reasons: [{code, message}]} (a < b, ids), at most max pairs, ordered by the
 * number of reasons then ids. NULL with e on a database error. */
json_t *dedup_pairs(struct ent_ctx *c, int max, struct verr *e);

/* Merge drop into keep: every FT_REF field of every entity pointing to drop (and every
 * generic "X_type = 'person', X_id" pair) is pointed to keep, keep's empty fields are
 * filled from drop, drop is soft-deleted; one "merge" audit entry names what moved (plus
 * the entries of the update and the delete). Answers a new {keep, moved} or NULL with e. */
json_t *dedup_merge(struct ent_ctx *c, int64_t keep, int64_t drop, struct verr *e);

void dedup_list_h(struct req *r);  /* GET  /api/v1/dedup/person */
void dedup_merge_h(struct req *r); /* POST /api/v1/dedup/person/merge */

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
