/* contact.c - 联络记录, the contact log (SPEC "The four registries"), and
 * GET /api/v1/{entity}/{id}/contacts.
 *
 * A contact names its parties as "person:12", "association:3", "enterprise:7": a list
 * field, so the generic form, import and export handle it, stored as a JSON array whose
 * items a query finds exactly with LIKE '%"person:12"%' (the quotes stop "person:1" from
 * matching "person:12"). Each party must be a live record the user may see. The log
 * keeps association.last_contact_on: after every write and before every delete the date
 * of the latest live contact of each association concerned is written back. */
#include "http.h"
#include "registry.h"

#include <stdio.h>
#include <string.h>

static const struct enumval channels[] = {
    {"visit", {"走访", "走訪", "Visit"}},
    {"meeting", {"会见/座谈", "會見/座談", "Meeting"}},
    {"phone", {"电话", "電話", "Phone"}},
    {"video", {"视频", "視頻", "Video call"}},
    {"wechat", {"微信", "微信", "WeChat"}},
    {"letter", {"信函", "信函", "Letter"}},
    {"email", {"电子邮件", "電子郵件", "Email"}},
    {NULL},
};

extern const struct entity association_entity;

#define PARTY_TYPES (PT_PERSON | PT_ASSOCIATION | PT_ENTERPRISE)

/* Split "type:id"; 1 when well formed (the type is not checked here). */
static int split_party(const char *s, char *type, size_t n, int64_t *id)
{
    const char *colon = strchr(s, ':');
    if (!colon || (size_t)(colon - s) >= n || !parse_i64(colon + 1, id) || *id < 1)
        return 0;
    memcpy(type, s, (size_t)(colon - s));
    type[colon - s] = 0;
    return 1;
}

/* party_names: the titles of the parties, joined with "、". */
static int contact_derive(struct ent_ctx *c, json_t *rec, struct verr *e)
{
    buf names = {0};
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(rec, "parties"), i, v)
    {
        char type[32];
        int64_t id;
        const struct entity *pe = NULL;
        if (split_party(json_string_value(v), type, sizeof type, &id))
            pe = party_entity(type, PARTY_TYPES, NULL);
        const char *title = pe ? party_title(c, pe, id) : NULL;
        if (!title) {
            buf_free(&names);
            if (!pe)
                return verr_set(e, 422, "invalid", "parties", "“联络对象”的类型“%s”不对", type);
            return ent_ref_missing(e, "parties", msg_cur("联络对象"), pe, id);
        }
        buf_printf(&names, "%s%s", names.len ? "、" : "", title);
    }
    json_object_set_new(rec, "party_names", json_string(buf_str(&names)));
    buf_free(&names);
    return 0;
}

/* party_names as the reader may see them: a party outside their scope is not named. */
static void contact_compute(struct ent_ctx *c, json_t *rec)
{
    int hidden = 0;
    size_t i;
    json_t *v;
    char type[32];
    int64_t id;
    const struct entity *pe;
    json_t *parties = json_object_get(rec, "parties");
    json_array_foreach(parties, i,
                       v) if (split_party(json_string_value(v), type, sizeof type, &id) &&
                              (pe = party_entity(type, PARTY_TYPES, NULL))) hidden |=
        !ent_visible(c, pe, id);
    if (!hidden)
        return;
    buf names = {0};
    json_array_foreach(parties, i, v)
    {
        pe = split_party(json_string_value(v), type, sizeof type, &id)
                 ? party_entity(type, PARTY_TYPES, NULL)
                 : NULL;
        if (pe)
            buf_printf(&names, "%s%s", names.len ? msg_cur("、") : "", party_shown(c, pe, id));
    }
    json_object_set_new(rec, "party_names", json_string(buf_str(&names)));
    buf_free(&names);
}

/* party_names from the parties' titles (the entity layer checked each: a party list); the
 * officer defaults to the user writing. */
static int contact_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    if (contact_derive(c, rec, e))
        return -1;
    json_t *officer = json_object_get(rec, "officer_id");
    if (!old && (!officer || json_is_null(officer)) && c->user_id)
        json_object_set_new(rec, "officer_id", json_integer(c->user_id));
    return 0;
}

/* Write back last_contact_on of every association among parties: the latest date of
 * the live contacts naming it, leaving out contact `skip` (one being deleted). */
static int touch_associations(struct ent_ctx *c, const json_t *parties, int64_t skip,
                              struct verr *e)
{
    size_t i;
    json_t *v;
    json_array_foreach(parties, i, v)
    {
        char type[32];
        int64_t id;
        if (!split_party(json_string_value(v), type, sizeof type, &id) ||
            strcmp(type, "association"))
            continue;
        char *pat = arena_printf(c->a, "%%\"association:%lld\"%%", (long long)id);
        stmt *s = db_prepare(c->db, "SELECT max(date) AS last FROM \"contact\" WHERE deleted_at "
                                    "IS NULL AND id <> ? AND parties LIKE ?");
        json_t *sys = json_object();
        int rc = DB_ERROR;
        if (s) {
            st_bind_int(s, 1, skip);
            st_bind_text(s, 2, pat);
            if (st_step(s) == DB_ROW) {
                const char *last = st_text(s, "last");
                json_object_set_new(sys, "last_contact_on", last ? json_string(last) : json_null());
                rc = DB_OK;
            }
            st_finalize(s);
        }
        /* the server keeps the date, whoever wrote the contact: through the entity layer,
         * without the writer's scope */
        struct ent_ctx all = ent_unscoped(c);
        int failed = rc == DB_OK ? ent_update_sys(&all, &association_entity, id, sys, e) : 0;
        json_decref(sys);
        if (failed)
            return -1;
        if (rc != DB_OK)
            return verr_set(e, 500, "internal", NULL, "更新侨团最近联络日期失败");
    }
    return 0;
}

static int contact_after_write(struct ent_ctx *c, int64_t id, json_t *rec, const json_t *old,
                               struct verr *e)
{
    (void)id;
    if (touch_associations(c, json_object_get(rec, "parties"), 0, e))
        return -1;
    return old ? touch_associations(c, json_object_get(old, "parties"), 0, e) : 0;
}

static int contact_before_delete(struct ent_ctx *c, int64_t id, const json_t *old, struct verr *e)
{
    return touch_associations(c, json_object_get(old, "parties"), id, e);
}

const struct entity contact_entity = {
    .name = "contact",
    .label = {"联络记录", "聯絡記錄", "Contact"},
    .module = "registry",
    .title = "summary",
    .flags = EF_OWNED,
    .check = contact_check,
    .derive = contact_derive,
    .compute = contact_compute,
    .after_write = contact_after_write,
    .before_delete = contact_before_delete,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG,
            {"date", FT_DATE, {"联络日期", "聯絡日期", "Date"}, FF_REQUIRED | FF_LIST | FF_INDEX},
            {"channel",
             FT_ENUM,
             {"联络方式", "聯絡方式", "Channel"},
             FF_REQUIRED | FF_LIST,
             channels},
            {"parties",
             FT_LIST,
             {"联络对象", "聯絡對象", "Parties"},
             FF_REQUIRED | FF_NOFILTER,
             .max = 40,
             .party = PARTY_TYPES},
            {"party_names",
             FT_TEXT,
             {"联络对象名称", "聯絡對象名稱", "Parties (names)"},
             FF_READONLY | FF_SEARCH | FF_LIST | FF_NAMES,
             .max = 4000},
            {"officer_id", FT_REF, {"联络干部", "聯絡幹部", "Officer"}, FF_LIST, .ref = "user"},
            {"summary",
             FT_TEXTAREA,
             {"联络内容", "聯絡內容", "Summary"},
             FF_REQUIRED | FF_SEARCH,
             .max = 4000},
            {"follow_up", FT_TEXTAREA, {"后续跟进", "後續跟進", "Follow-up"}, 0, .max = 2000},
            FIELDS_TAIL,
        },
};

/* GET /api/v1/{entity}/{id}/contacts?limit=N: {items: [CONTACT]}, newest first, at most
 * N (default 100, at most 500), within the user's scope. */
void contacts_h(struct req *r)
{
    struct verr e;
    const char *type = r->ent ? r->ent->name : "";
    if (!party_entity(type, PARTY_TYPES, NULL)) {
        reply_error(r, 404, "not_found", NULL, "%s没有联络记录",
                    r->ent ? msg_label(r->ent->label) : "");
        return;
    }
    int64_t limit = 100;
    const char *l = req_arg(r, "limit");
    if (l && (!parse_i64(l, &limit) || limit < 1 || limit > 500)) {
        reply_error(r, 400, "bad_request", "limit", "“limit”应为 1 到 500 之间的整数: “%s”", l);
        return;
    }
    json_t *self = ent_read(&r->ctx, r->ent, r->id, 1, &e);
    if (!self) {
        reply_verr(r, &e);
        return;
    }
    json_decref(self);
    buf sql = {0};
    json_t *binds = json_array();
    json_array_append_new(binds, json_sprintf("%%\"%s:%lld\"%%", type, (long long)r->id));
    buf_puts(&sql,
             "SELECT t.id FROM \"contact\" t WHERE t.deleted_at IS NULL AND t.parties LIKE ?");
    ent_scope_sql(&r->ctx, &contact_entity, &sql, binds);
    buf_puts(&sql, " ORDER BY t.date DESC, t.id DESC LIMIT ?");
    json_array_append_new(binds, json_integer(limit));
    stmt *s = db_prepare_json(r->db, buf_str(&sql), binds);
    json_t *ids = json_array(), *items = json_array();
    while (s && st_step(s) == DB_ROW)
        json_array_append_new(ids, json_integer(st_int(s, "id")));
    st_finalize(s);
    buf_free(&sql);
    json_decref(binds);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        json_t *rec = ent_read(&r->ctx, &contact_entity, json_integer_value(v), 0, &e);
        if (rec)
            json_array_append_new(items, rec);
    }
    json_decref(ids);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}
