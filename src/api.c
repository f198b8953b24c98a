/* api.c - the generic entity API: list, create, read, patch, delete, and the
 * schema. Every handler works for every entity; per-entity rules live in the entity's
 * declaration and hooks. */
#include "import.h"
#include "module.h"
#include "api.h"
#include "audit.h"

#include <stdio.h>
#include <string.h>

static const char *const list_extra[] = {"unmask", NULL};

/* GET /api/v1/schema */
void schema_h(struct req *r)
{
    reply_json(r, 200, ent_schema_json());
}

/* GET /api/v1/{entity} */
void list_h(struct req *r)
{
    struct verr e;
    buf b = {.s = xmalloc(16384), .cap = 16384}; /* a page of people: 8-30 kB */
    b.s[0] = 0;
    if (ent_list_text(&r->ctx, r->ent, r->args, r->nargs, list_extra, &b, &e)) {
        buf_free(&b);
        reply_verr(r, &e);
        return;
    }
    size_t n = b.len;
    reply_raw(r, 200, JSON_TYPE, buf_take(&b), n);
}

/* POST /api/v1/{entity} */
void create_h(struct req *r)
{
    json_t *body = req_json(r);
    if (!body)
        return;
    struct verr e;
    json_t *rec = ent_create(&r->ctx, r->ent, body, &e);
    json_decref(body);
    if (!rec) {
        reply_verr(r, &e);
        return;
    }
    reply_json(r, 201, rec);
}

/* GET /api/v1/{entity}/{id} */
void read_h(struct req *r)
{
    struct verr e;
    json_t *rec = ent_read(&r->ctx, r->ent, r->id, 0, &e);
    if (!rec) {
        reply_verr(r, &e);
        return;
    }
    reply_json(r, 200, rec);
}

/* PATCH /api/v1/{entity}/{id} */
void update_h(struct req *r)
{
    json_t *body = req_json(r);
    if (!body)
        return;
    struct verr e;
    json_t *rec = ent_update(&r->ctx, r->ent, r->id, body, &e);
    json_decref(body);
    if (!rec) {
        reply_verr(r, &e);
        return;
    }
    reply_json(r, 200, rec);
}

/* POST /api/v1/{entity}/{id}/transition {"to", ...}: a move on the entity's workflow
 * (the move's own permission is checked by ent_transition). */
void transition_h(struct req *r)
{
    json_t *body = req_json(r);
    if (!body)
        return;
    struct verr e;
    json_t *rec = ent_transition(&r->ctx, r->ent, r->id, body, NULL, &e);
    json_decref(body);
    if (!rec) {
        reply_verr(r, &e);
        return;
    }
    /* the moves the user may make now: none when the move took the record out of their
     * scope (a referral away) */
    json_t *still = ent_read(&r->ctx, r->ent, r->id, 1, &e);
    const char *st = json_string_value(json_object_get(rec, r->ent->workflow->field));
    json_object_set_new(rec, "allowed_transitions",
                        still ? ent_moves_from(&r->ctx, r->ent, st) : json_array());
    json_decref(still);
    reply_json(r, 200, rec);
}

/* POST /api/v1/{entity}/{id}/reverse {"reason"}: the reversing entry of a ledger entry. */
void reverse_h(struct req *r)
{
    json_t *body = req_json(r);
    if (!body)
        return;
    struct verr e;
    json_t *rec = ent_reverse(&r->ctx, r->ent, r->id, body, &e);
    json_decref(body);
    if (!rec) {
        reply_verr(r, &e);
        return;
    }
    reply_json(r, 201, rec);
}

/* DELETE /api/v1/{entity}/{id} */
void delete_h(struct req *r)
{
    struct verr e;
    if (ent_delete(&r->ctx, r->ent, r->id, &e)) {
        reply_verr(r, &e);
        return;
    }
    reply_raw(r, 204, NULL, NULL, 0);
}

/* The generic API of every entity; the permission is the entity's module's. The
 * dispatcher tries these last: a module's own routes for an entity come first. */
const struct module api_module = {
    .name = "api",
    .routes =
        (const struct route[]){
            {"GET", "/api/v1/schema", schema_h, NULL, P_NONE, R_ANYPASS},
            {"GET", "/api/v1/export/{entity}.csv", export_csv_h, NULL, P_EXPORT, 0},
            {"GET", "/api/v1/export/{entity}.xlsx", export_xlsx_h, NULL, P_EXPORT, 0},
            {"GET", "/api/v1/{entity}", list_h, NULL, P_VIEW, 0},
            {"POST", "/api/v1/{entity}", create_h, NULL, P_EDIT, R_GROUP},
            {"GET", "/api/v1/{entity}/{id}", read_h, NULL, P_VIEW, 0},
            {"PATCH", "/api/v1/{entity}/{id}", update_h, NULL, P_EDIT, R_GROUP},
            {"DELETE", "/api/v1/{entity}/{id}", delete_h, NULL, P_DELETE, R_GROUP},
            {"POST", "/api/v1/{entity}/{id}/transition", transition_h, NULL, P_VIEW, R_GROUP},
            {"POST", "/api/v1/{entity}/{id}/reverse", reverse_h, NULL, P_EDIT, R_GROUP},
            {NULL},
        },
};

json_t *req_org(struct req *r, const char *const *known)
{
    static const struct field org_field = {"org", FT_INT,   {"组织", "組織", "Organisation"},
                                           0,     .min = 1, .max = INT64_MAX};
    for (int i = 0; i < r->nargs; i++) {
        int ok = 0;
        for (int k = 0; known[k] && !ok; k++)
            ok = !strcmp(r->args[i].key, known[k]);
        if (!ok) {
            reply_error(r, 400, "unknown_field", r->args[i].key, "没有“%s”这个参数",
                        r->args[i].key);
            return NULL;
        }
    }
    struct verr e;
    json_t *org = NULL;
    const char *org_s = req_arg(r, "org");
    if (org_s && ent_value_text(&org_field, org_s, &org, &e)) {
        reply_verr(r, &e);
        return NULL;
    }
    int64_t id = json_is_integer(org) ? json_integer_value(org) : r->ctx.org_id;
    json_decref(org);
    json_t *o = ent_read(&r->ctx, entity_find("org"), id, 1, &e);
    if (!o)
        reply_verr(r, &e);
    return o;
}

void reply_rows(struct req *r, const struct entity *ent, const char *sql, json_t *binds,
                json_t *(*row)(stmt *s))
{
    struct verr e;
    json_t *rec = ent_read(&r->ctx, ent, r->id, 1, &e);
    if (!rec) {
        json_decref(binds);
        reply_verr(r, &e);
        return;
    }
    json_decref(rec);
    stmt *s = db_prepare_json(r->db, sql, binds);
    json_decref(binds);
    json_t *items = json_array();
    int rc = DB_ERROR;
    while (s && (rc = st_step(s)) == DB_ROW)
        json_array_append_new(items, row(s));
    st_finalize(s);
    if (rc != DB_DONE) {
        json_decref(items);
        reply_db_error(r, "数据库错误, 请稍后再试");
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}
