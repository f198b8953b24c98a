/* search.h - name search (SPEC "Finding people"): the key tables, kept with each record
 * in the write's own transaction, and GET /api/v1/search.
 *
 * For each searchable entity E (person, association, enterprise: those of them that are
 * declared) a table search_E holds the keys of its records' name fields (names.h): the
 * entity's title field and its searchable list fields (person: name, name_alt,
 * former_names). One row per key:
 *
 *   search_E(kind, key, record_id, field, weak, org_id)   field: the name field's number
 *   primary key (kind, key, record_id, field, weak), the table itself on SQLite;
 *   index (org_id, kind, key, ...) for a user whose scope is a small part of the tree
 *
 * A record's keys are removed by recomputing them from its old names, so no index on
 * record_id is kept up to date.
 *
 * A query becomes a few probes, each a byte range on (kind, key) (`key >= ? AND key < ?`,
 * never a LIKE scan) joined to the entity's table for the scope, the deleted mark and the
 * name; hits are ranked exact > prefix > reading > dialect candidate and say why.
 */
#ifndef QIAO_SEARCH_H
#define QIAO_SEARCH_H

#include "http.h"

/* Create the index if it is missing, and rebuild it whole (table and all) when the key
 * rules or the reading tables changed since it was built (qiao_meta "search_keys"). Call
 * inside the schema upgrade's transaction. DB_OK or DB_ERROR. */
int search_sync(db *d);

/* Keep one record's keys in step with a write, inside the write's transaction. rec is
 * the record after the change (NULL when deleted), old the one before (NULL when new).
 * Does nothing for an entity that is not searched, or when neither a name field nor the
 * owning org changed.
 * 0, or -1 with e (500). */
int search_index(struct ent_ctx *c, const struct entity *ent, int64_t id, const json_t *rec,
                 const json_t *old, struct verr *e);

/* The keys of many new records, written together in the primary key's order: while
 * ent_ctx.keys holds a batch for the entity, search_index adds a new record's keys to it
 * instead of writing them, and the caller (an import) calls search_batch_write before
 * its commit. Inserted one record at a time, a million people's keys would land all over
 * the index. */
struct search_batch;
struct search_batch *search_batch_new(const struct entity *ent);
/* The same, with a thread of its own that makes and sorts the keys while the caller goes
 * on with the next record. */
struct search_batch *search_batch_new_async(const struct entity *ent);
/* A dry run's: takes the records and keeps nothing (they are rolled back). */
struct search_batch *search_batch_dry(const struct entity *ent);
/* Tests: sort the keys in runs of this many (not a million), to merge many runs. */
void search_batch_run_rows(struct search_batch *b, size_t rows);
int search_batch_write(db *d, struct search_batch *b); /* DB_OK or DB_ERROR; empties b */
void search_batch_free(struct search_batch *b);        /* NULL is fine */

/* Search the names of the entities in ents (NULL-terminated) within c's scope: q as
 * typed (1..100 characters), at most limit hits. Returns a new {"items": [{type, id,
 * name, match}]} best first, or NULL with e (400 naming the field, or 500). */
json_t *search_run(struct ent_ctx *c, const char *q, const struct entity *const *ents, int limit,
                   struct verr *e);

/* GET /api/v1/search?q=&types=person,association,enterprise&limit= */
void search_h(struct req *r);

#endif
