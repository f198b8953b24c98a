/* schema.c - the schema's versions. The tables of declared entities follow their
 * declarations (entity_sync adds what is missing); what a declaration cannot say (a
 * rename, a data fix, the tables outside the entities) is a numbered step here. Never
 * edit a step that has shipped: add one. */
#include "schema.h"
#include "audit.h"
#include "auth.h"
#include "module.h"

#include <stdio.h>

static int v1(db *d)
{
    if (entity_sync(d) != DB_OK || audit_sync(d) != DB_OK || auth_sync(d) != DB_OK)
        return DB_ERROR;
    return DB_OK;
}

/* v2: pairs of people a user judged not to be the same person (dedup.c). */
static int v2(db *d)
{
    char sql[320];
    snprintf(sql, sizeof sql,
             "CREATE TABLE dedup_dismissed (a_id %s NOT NULL, b_id %s NOT NULL, user_id %s, "
             "created_at %s NOT NULL, PRIMARY KEY (a_id, b_id))",
             db_type_name(d, DT_INT), db_type_name(d, DT_INT), db_type_name(d, DT_INT),
             db_type_name(d, DT_TEXT));
    return db_exec(d, sql);
}

/* v3: relations name their two ends (FIELD_PARTY from_name, to_name): filled from the
 * records they name, for the rows written before. */
static int v3(db *d)
{
    if (entity_sync(d) != DB_OK) /* adds the columns */
        return DB_ERROR;
    static const char *const kinds[] = {"person", "association", "enterprise", "org"};
    for (int end = 0; end < 2; end++)
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
            const char *x = end ? "to" : "from";
            char sql[320];
            snprintf(sql, sizeof sql,
                     "UPDATE \"relation\" SET %s_name = (SELECT name FROM \"%s\" r WHERE r.id = "
                     "\"relation\".%s_id) WHERE %s_type = '%s'",
                     x, kinds[k], x, x, kinds[k]);
            if (db_exec(d, sql) != DB_OK)
                return DB_ERROR;
        }
    return DB_OK;
}

/* v4: PostgreSQL tells other processes when the data changed (store_pg.c, "has anything
 * changed"): a list's count and a session are then kept between requests. */
static int v4(db *d)
{
    return db_watch_changes(d);
}

/* v5: SQLite's planner statistics, as earlier releases took them from a sample of each
 * index (store_sqlite.c sq_analyze), are forgotten: the analysis after this start reads
 * each table whole. Nothing on PostgreSQL (no such table: it keeps its own). */
static int v5(db *d)
{
    return db_has_column(d, "sqlite_stat1", NULL) ? db_exec(d, "DELETE FROM sqlite_stat1") : DB_OK;
}

static const migration_fn steps[] = {v1, v2, v3, v4, v5};

int schema_upgrade(db *d)
{
    if (db_begin(d) != DB_OK)
        return -1;
    int v = store_migrate(d, steps, (int)(sizeof steps / sizeof *steps));
    int rc = v < 0 ? DB_ERROR : entity_sync(d);
    for (int i = 0; modules[i] && rc == DB_OK; i++) /* the modules' own tables */
        if (modules[i]->sync)
            rc = modules[i]->sync(d);
    if (rc != DB_OK || db_commit(d) != DB_OK) {
        if (db_depth(d))
            db_rollback(d);
        return -1;
    }
    /* the planner's statistics as of this start (see db_analyze); a failure only costs
     * speed */
    (void)db_analyze(d);
    return v;
}
