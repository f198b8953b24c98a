/* number.c - per-org, per-year record numbers (see number.h). */
#include "number.h"

#include <stdio.h>

int number_sync(db *d, const char *table)
{
    const char *in = db_type_name(d, DT_INT);
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS %s (org_id %s NOT NULL, year %s NOT NULL, "
             "last %s NOT NULL, PRIMARY KEY (org_id, year))",
             table, in, in, in);
    return db_exec(d, sql);
}

int number_next(struct ent_ctx *c, const char *table, int64_t org_id, int year, char out[32],
                const char *what, struct verr *e)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO %s (org_id, year, last) VALUES (?, ?, 0) ON CONFLICT (org_id, year) "
             "DO NOTHING",
             table);
    if (db_execv(c->db, sql, "ii", org_id, (int64_t)year) != DB_OK)
        goto fail;
    snprintf(sql, sizeof sql,
             "UPDATE %s SET last = last + 1 WHERE org_id = ? AND year = ? RETURNING last", table);
    stmt *s = db_prepare(c->db, sql);
    int64_t n = 0;
    if (s) {
        st_bind_int(s, 1, org_id);
        st_bind_int(s, 2, year);
        if (st_step(s) == DB_ROW)
            n = st_int(s, "last");
        st_finalize(s);
    }
    if (n <= 0)
        goto fail;
    snprintf(out, 32, "%04d-%06lld", year, (long long)n);
    return 0;
fail:
    if (db_errcode(c->db) == DBE_BUSY)
        return verr_set(e, 503, "busy", NULL, "系统繁忙, 请稍后再试");
    return verr_set(e, 500, "internal", NULL, "无法生成%s", what);
}
