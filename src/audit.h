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

/* Append one entry. before/after may be NULL. Must be called inside a transaction (it
 * opens its own nested one). DB_OK or DB_ERROR. */
int audit_write(struct ent_ctx *c, const char *action, const char *entity, int64_t entity_id,
                json_t *before, json_t *after);
/* Check the chain. 0 when intact; otherwise the id of the first entry that was altered
 * (or that follows a removed one), with a Chinese description in msg. */
int64_t audit_verify(db *d, char *msg, size_t msglen);
/* The audit table's DDL (a migration step). */
int audit_sync(db *d);

#endif
