/* number.h - record numbers "YYYY-NNNNNN" per org and year (case numbers, donation
 * receipts, disbursement vouchers): gapless, never reused.
 *
 * A counter table holds (org_id, year, last). The next number is taken by UPDATE ...
 * RETURNING inside the transaction that creates the record: the row lock serialises
 * concurrent creates on PostgreSQL (SQLite's writers are serial), and a rolled-back create
 * gives its number back with everything else, so the numbers that exist have no gaps. */
#ifndef QIAO_NUMBER_H
#define QIAO_NUMBER_H

#include "entity.h"

/* Create the counter table `table` if it is missing (a name from the code, never input).
 * DB_OK or DB_ERROR. */
int number_sync(db *d, const char *table);

/* Take the next number of org_id's year from `table` inside the caller's transaction into
 * out ("2024-000123"). what names the number in the error ("案件编号"). 0, or -1 with e
 * (503 when the database is busy, 500 otherwise). */
int number_next(struct ent_ctx *c, const char *table, int64_t org_id, int year, char out[32],
                const char *what, struct verr *e);

#endif
