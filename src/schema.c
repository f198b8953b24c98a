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

static const migration_fn steps[] = {v1, v2};

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
    return v;
}
