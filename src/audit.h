/* audit.h - the tamper-evident audit trail (STYLE 7).
 *
 * Every create, update, delete, login, failed login, export and unmask is one row of
 * audit_log, written in the same transaction as the change. Each row carries
 * hash = SHA-256(previous row's hash | this row's fields), so an edited or removed row
 * breaks the chain at that point; audit_verify finds the first break.
 */
#ifndef QIAO_AUDIT_H
#define QIAO_AUDIT_H

#include "entity.h"

/* The actions an entry records (create, update, export, login ...) with their labels in
 * zh-Hans, zh-Hant and en, as the audit export writes them; terminated by {NULL}. */
extern const struct enumval audit_actions[];

/* Append one entry. before/after may be NULL. Must be called inside a transaction (it
 * opens its own nested one). DB_OK or DB_ERROR. */
int audit_write(struct ent_ctx *c, const char *action, const char *entity, int64_t entity_id,
                json_t *before, json_t *after);
/* The entries of a bulk write (an import): the head of the chain is taken once, each
 * entry is chained in memory and written in multi-row INSERTs as it comes, and the head
 * is put back by audit_batch_end, all inside the caller's transaction. While
 * ent_ctx.audit holds a batch, audit_write adds to it. audit_batch_begin answers NULL
 * when the head cannot be taken (busy: see db_errcode). audit_batch_end writes what is
 * pending and the head (DB_OK or DB_ERROR) and frees the batch; audit_batch_free only
 * frees it (after a rollback). */
struct audit_batch;
struct audit_batch *audit_batch_begin(db *d);
struct audit_batch *audit_batch_dry(void); /* a dry run's: takes the entries, keeps nothing */
int audit_batch_end(db *d, struct audit_batch *b);
void audit_batch_free(struct audit_batch *b);
/* The same as audit_write into the batch of c->audit (DB_ERROR without one), with the
 * values already as JSON text (either may be NULL); takes before and after (malloc'd).
 * action and entity must live until the batch ends (literals, entity names). While a
 * batch is set, audit_write holds the same contract. */
int audit_write_text(struct ent_ctx *c, const char *action, const char *entity, int64_t entity_id,
                     char *before, char *after);
/* An entry that is the whole change (an export, a view of clear sensitive values): in a
 * transaction of its own. DB_OK, or DB_ERROR with nothing written (db_errcode tells a
 * busy database). */
int audit_alone(struct ent_ctx *c, const char *action, const char *entity, int64_t entity_id,
                json_t *before, json_t *after);
/* Check the chain. 0 when intact; otherwise the id of the first entry that was altered
 * (or that follows a removed one), with a Chinese description in msg. */
int64_t audit_verify(db *d, char *msg, size_t msglen);
/* The audit table's DDL (a migration step). */
int audit_sync(db *d);

#endif
