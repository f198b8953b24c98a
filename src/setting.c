/* setting.c - the administrator's settings in qiao_meta (setting.h). */
#include "setting.h"
#include "audit.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static atomic_uint generation;

unsigned setting_generation(void)
{
    return atomic_load(&generation);
}

int64_t setting_int(db *d, const char *key, int64_t dflt)
{
    stmt *s = db_prepare(d, "SELECT value FROM qiao_meta WHERE key = ?");
    int64_t v = dflt;
    if (s)
        st_bind_text(s, 1, key);
    if (s && st_step(s) == DB_ROW && !parse_i64(st_text(s, "value"), &v))
        v = dflt;
    st_finalize(s);
    return v;
}

void setting_put(struct req *r, const struct field *f, const char *key, int64_t dflt,
                 const char *what)
{
    json_t *body = req_json(r);
    if (!body)
        return;
    const char *k;
    json_t *v, *val = NULL;
    json_object_foreach(body, k, v) if (strcmp(k, f->name))
    {
        reply_error(r, 400, "unknown_field", k, "设置中没有“%s”", k);
        json_decref(body); /* after the answer: k is one of its keys */
        return;
    }
    struct verr e;
    if (ent_value(f, json_object_get(body, f->name) ? json_object_get(body, f->name) : json_null(),
                  &val, &e) ||
        json_is_null(val)) {
        json_decref(body);
        if (val)
            reply_error(r, 422, "invalid", f->name, "请填写“%s”", msg_label(f->label));
        else
            reply_verr(r, &e);
        json_decref(val);
        return;
    }
    json_decref(body);
    int64_t before = setting_int(r->db, key, dflt), after = json_integer_value(val);
    json_decref(val);
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)after);
    json_t *jb = json_pack("{s:I}", f->name, (json_int_t)before),
           *ja = json_pack("{s:I}", f->name, (json_int_t)after);
    int rc = db_begin(r->db) != DB_OK ||
             db_execv(r->db, "DELETE FROM qiao_meta WHERE key = ?", "s", key) != DB_OK ||
             db_execv(r->db, "INSERT INTO qiao_meta (key, value) VALUES (?, ?)", "ss", key, text) !=
                 DB_OK ||
             audit_write(&r->ctx, "update", what, 0, jb, ja) != DB_OK || db_commit(r->db) != DB_OK;
    json_decref(jb);
    json_decref(ja);
    if (rc) {
        if (db_depth(r->db))
            db_rollback(r->db);
        reply_error(r, 500, "internal", NULL, "无法保存设置, 请稍后再试");
        return;
    }
    atomic_fetch_add(&generation, 1);
    reply_json(r, 200, json_pack("{s:I}", f->name, (json_int_t)after));
}
