/* portal.c - the public portal (SPEC "The public portal"): a request for help from anyone,
 * its status by a secret code, the orgs and 侨胞之家, without login, limited by rate.
 *
 * Request: POST /api/v1/public/request {"category", "name", "contact", "country",
 *          "summary", "details"} (no session, no CSRF token: nothing of a session is used)
 *          checked against request_fields at the edge (each error names the form's field in
 *          the reader's language), then written as a normal case through the entity layer
 *          (ent_create_sys: the case's checks, its number, its due date in working days,
 *          its timeline entry and audit entry, in one transaction), channel `online`, in
 *          the portal's org (portal.h). Answers 201 {"tracking_number", "lookup_code"}.
 * Secret:  the tracking number (12 random digits, the case's tracking_number) and the lookup
 *          code (8 characters of CODE_ALPHABET: 40 random bits) are shown once; the case
 *          keeps only lookup_hash = BLAKE2b-256("tracking number:code"), hex.
 * Status:  GET /api/v1/public/request/{tracking_number}?code=CODE answers where the case is
 *          (status and its label, the next step, the due date, the handling federation)
 *          and nothing private: no names, contact, details, notes or assignee. A wrong
 *          code and an unknown number answer the same 404 after the same work (one query,
 *          one hash, one constant-time compare against a dummy hash when there is no case).
 * Orgs:    GET /api/v1/public/org?kind=&page=&per_page=: the active orgs of the portal's
 *          subtree, name, kind, address and phone only.
 * Info:    GET /api/v1/public/info: the portal org's name, the five categories and the
 *          countries, in the reader's language, for the form.
 * Limits:  every /api/v1/public/ route is R_RATED (rate.h); the limits and the portal's
 *          org are the admin's settings: GET/PUT /api/v1/portal/settings. */
#include "portal.h"
#include "case.h"
#include "country.h"
#include "module.h"
#include "rate.h"
#include "setting.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

extern const struct entity case_entity, org_entity;

#define TRACKING_DIGITS 12
#define CODE_LEN        8
/* No 0/O, 1/I/L: a code read aloud on the phone or copied by hand stays right. */
static const char CODE_ALPHABET[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/* ---- the portal's org --------------------------------------------------------------- */

/* The live, active org id's path into path (from a); 0 when there is none. */
static int org_path(db *d, arena *a, int64_t id, const char **path)
{
    stmt *s = db_prepare(d, "SELECT path FROM \"org\" WHERE id = ? AND deleted_at IS NULL AND "
                            "status = 'active'");
    int found = 0;
    if (s) {
        st_bind_int(s, 1, id);
        if (st_step(s) == DB_ROW) {
            *path = arena_strdup(a, st_text(s, "path"));
            found = 1;
        }
    }
    st_finalize(s);
    return found;
}

void portal_reply_page(struct req *r, const json_t *list, json_t *items)
{
    reply_json(r, 200,
               json_pack("{s:o, s:O, s:O, s:O}", "items", items, "total",
                         json_object_get(list, "total"), "page", json_object_get(list, "page"),
                         "per_page", json_object_get(list, "per_page")));
}

int portal_ctx(struct req *r, struct ent_ctx *c)
{
    memset(c, 0, sizeof *c);
    c->db = r->db;
    c->a = r->a;
    c->lang = r->ctx.lang;
    c->client = r->client;
    c->username = "portal";
    int64_t id = setting_int(r->db, PORTAL_ORG_KEY, 1);
    const char *path = NULL;
    if (!org_path(r->db, r->a, id, &path) && !org_path(r->db, r->a, id = 1, &path)) {
        reply_error(r, 503, "busy", NULL, "网站暂时不能访问, 请稍后再试");
        return -1;
    }
    c->org_id = id;
    c->scope_path = path;
    return 0;
}

/* ---- the request -------------------------------------------------------------------- */

/* The form's fields, checked at the edge; the labels are what the form shows. */
static const struct field request_fields[] = {
    {"category", FT_ENUM, {"求助类别", "求助類別", "Category"}, FF_REQUIRED, case_categories},
    {"name", FT_TEXT, {"姓名", "姓名", "Name"}, FF_REQUIRED, .max = 50},
    {"contact",
     FT_TEXT,
     {"联系方式 (电话、微信或电子邮箱)", "聯絡方式 (電話、微信或電子郵箱)",
      "Contact (phone, WeChat or email)"},
     FF_REQUIRED,
     .min = 5,
     .max = 100},
    {"country", FT_COUNTRY, {"所在国家或地区", "所在國家或地區", "Country or region"}, FF_REQUIRED},
    {"summary", FT_TEXT, {"诉求摘要", "訴求摘要", "Summary"}, FF_REQUIRED, .max = 200},
    {"details", FT_TEXTAREA, {"详细情况", "詳細情況", "Details"}, 0, .max = 5000},
    {NULL},
};

/* The case field each form field is written to. */
static const char *const case_fields[][2] = {
    {"category", "category"},         {"name", "applicant_name"}, {"contact", "applicant_contact"},
    {"country", "applicant_country"}, {"summary", "summary"},     {"details", "details"},
};

/* lookup_hash of number and code: hex of BLAKE2b-256("number:code") into out. */
static void code_hash(const char *number, const char *code, char out[65])
{
    unsigned char h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)number, strlen(number));
    crypto_generichash_update(&st, (const unsigned char *)":", 1);
    crypto_generichash_update(&st, (const unsigned char *)code, strlen(code));
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* POST /api/v1/public/request: see the top of the file. */
static void request_h(struct req *r)
{
    struct ent_ctx c;
    if (portal_ctx(r, &c))
        return;
    json_t *body = req_json(r), *cs = NULL, *sys = NULL, *rec = NULL;
    if (!body)
        return;
    struct verr e = {0};
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        const struct field *f = request_fields;
        while (f->name && strcmp(f->name, k))
            f++;
        if (!f->name) {
            reply_error(
                r, 400, "unknown_field", k,
                "不认识的参数“%s”, 可用: category、name、contact、country、summary、details", k);
            goto out;
        }
    }
    cs = json_pack("{s:I, s:s}", "org_id", (json_int_t)c.org_id, "channel", "online");
    for (size_t i = 0; i < sizeof case_fields / sizeof *case_fields; i++) {
        const struct field *f = &request_fields[i];
        json_t *in = json_object_get(body, f->name), *val = NULL;
        if (ent_value(f, in ? in : json_null(), &val, &e)) {
            reply_verr(r, &e);
            goto out;
        }
        if (json_is_null(val) && (f->flags & FF_REQUIRED)) {
            json_decref(val);
            reply_error(r, 422, "invalid", f->name, "请填写“%s”", msg_label(f->label));
            goto out;
        }
        if (f->type == FT_TEXT && f->min && utf8_len(json_string_value(val)) < (size_t)f->min) {
            json_decref(val);
            reply_error(r, 422, "invalid", f->name, "“%s”太短, 请写完整, 以便我们联系您",
                        msg_label(f->label));
            goto out;
        }
        json_object_set_new(cs, case_fields[i][1], val);
    }
    char number[TRACKING_DIGITS + 1], code[CODE_LEN + 1], hash[65];
    for (int i = 0; i < TRACKING_DIGITS; i++)
        number[i] = (char)('0' + (i ? randombytes_uniform(10) : 1 + randombytes_uniform(9)));
    number[TRACKING_DIGITS] = 0;
    for (int i = 0; i < CODE_LEN; i++)
        code[i] = CODE_ALPHABET[randombytes_uniform(sizeof CODE_ALPHABET - 1)];
    code[CODE_LEN] = 0;
    code_hash(number, code, hash);
    sys = json_pack("{s:s, s:s}", "tracking_number", number, "lookup_hash", hash);
    if (!(rec = ent_create_sys(&c, &case_entity, cs, sys, &e))) {
        /* a case field's error named as the form names it */
        for (size_t i = 0; i < sizeof case_fields / sizeof *case_fields; i++)
            if (!strcmp(e.field, case_fields[i][1]))
                snprintf(e.field, sizeof e.field, "%s", case_fields[i][0]);
        reply_verr(r, &e);
        goto out;
    }
    reply_json(r, 201, json_pack("{s:s, s:s}", "tracking_number", number, "lookup_code", code));
out:
    json_decref(rec);
    json_decref(sys);
    json_decref(cs);
    json_decref(body);
}

/* The next step the applicant reads for a status (msg_cur: in the reader's language). */
static const char *next_step(const char *status)
{
    if (!strcmp(status, "received"))
        return msg_cur("已受理, 正在安排承办人");
    if (!strcmp(status, "assigned"))
        return msg_cur("已安排承办人, 承办人会按您留下的联系方式与您联系");
    if (!strcmp(status, "in_progress"))
        return msg_cur("正在办理, 请保持联系方式畅通");
    if (!strcmp(status, "resolved"))
        return msg_cur("已办结, 工作人员将回访, 听取您的意见");
    if (!strcmp(status, "closed"))
        return msg_cur("已回访归档, 办理完毕");
    if (!strcmp(status, "referred"))
        return msg_cur("已转交有关部门或机构办理, 请等候答复");
    return msg_cur("不予受理, 工作人员会与您联系说明理由");
}

/* The label of value in the enum field name of ent, in lang. */
static const char *enum_label(const struct entity *ent, const char *name, const char *value,
                              enum lang lang)
{
    const struct field *f = ent_field(ent, name);
    for (const struct enumval *v = f ? f->values : NULL; v && v->value; v++)
        if (value && !strcmp(v->value, value))
            return lbl(lang, v->label);
    return value;
}

/* GET /api/v1/public/request/{tracking_number}?code=CODE: see the top of the file. */
static void status_h(struct req *r)
{
    const char *number = strrchr(r->path, '/') + 1, *given = req_arg(r, "code");
    /* the code as people copy it: any case, spaces and dashes dropped */
    char code[CODE_LEN + 8] = "";
    size_t n = 0;
    for (const char *p = given ? given : ""; *p && n < sizeof code - 1; p++)
        if (*p != ' ' && *p != '-')
            code[n++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
    code[n] = 0;
    char want[65], got[65];
    code_hash(number, code, got);
    stmt *s = db_prepare(
        r->db, "SELECT t.lookup_hash, t.category, t.status, t.received_at, t.due_on, "
               "t.resolved_at, t.updated_at, o.name AS org_name FROM \"case\" t JOIN \"org\" o "
               "ON o.id = t.org_id WHERE t.tracking_number = ? AND t.deleted_at IS NULL");
    if (!s) {
        reply_db_error(r, "数据库错误, 请稍后再试");
        return;
    }
    st_bind_text(s, 1, number);
    int rc = st_step(s);
    if (rc != DB_ROW && rc != DB_DONE) {
        st_finalize(s);
        reply_db_error(r, "数据库错误, 请稍后再试");
        return;
    }
    /* no case: the same compare against a hash no code has */
    snprintf(want, sizeof want, "%s",
             rc == DB_ROW && st_text(s, "lookup_hash") ? st_text(s, "lookup_hash")
                                                       : "-none-----------------------------"
                                                         "------------------------------");
    int ok = sodium_memcmp(want, got, 64) == 0 && rc == DB_ROW && n == CODE_LEN;
    if (!ok) {
        st_finalize(s);
        reply_error(r, 404, "not_found", "code", "查询号或查询码不对, 请核对后再试");
        return;
    }
    enum lang lang = r->ctx.lang;
    const char *status = st_text(s, "status");
    int open = strstr("received,assigned,in_progress,referred", status) != NULL;
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s}", "tracking_number", number,
        "category", st_text(s, "category"), "category_label",
        enum_label(&case_entity, "category", st_text(s, "category"), lang), "status", status,
        "status_label", enum_label(&case_entity, "status", status, lang), "next_step",
        next_step(status), "received_at", st_text(s, "received_at"), "due_on",
        open ? st_text(s, "due_on") : NULL, "resolved_at", st_text(s, "resolved_at"), "updated_at",
        st_text(s, "updated_at"), "handled_by", st_text(s, "org_name"));
    st_finalize(s);
    reply_json(r, 200, o);
}

/* ---- the orgs and the form's lists -------------------------------------------------- */

/* GET /api/v1/public/org?kind=&page=&per_page= → {items: [{id, name, kind, kind_label,
 * address, phone}], total, page, per_page}: the active orgs of the portal's subtree. */
static void orgs_h(struct req *r)
{
    struct ent_ctx c;
    if (portal_ctx(r, &c))
        return;
    struct kv args[5] = {{"status", "active"}, {"sort", "id"}};
    int n = 2;
    static const char *const pass[] = {"kind", "page", "per_page"};
    for (size_t i = 0; i < sizeof pass / sizeof *pass; i++) {
        const char *v = req_arg(r, pass[i]);
        if (v)
            args[n++] = (struct kv){pass[i], v};
    }
    struct verr e;
    json_t *list = ent_list(&c, &org_entity, args, n, NULL, &e);
    if (!list) {
        reply_verr(r, &e);
        return;
    }
    json_t *items = json_array(), *o;
    size_t i;
    json_array_foreach(json_object_get(list, "items"), i, o)
    {
        const char *kind = json_string_value(json_object_get(o, "kind"));
        json_t *addr = json_object_get(o, "address"), *phone = json_object_get(o, "phone");
        json_array_append_new(
            items,
            json_pack("{s:O, s:O, s:s?, s:s?, s:O, s:O}", "id", json_object_get(o, "id"), "name",
                      json_object_get(o, "name"), "kind", kind, "kind_label",
                      kind ? enum_label(&org_entity, "kind", kind, r->ctx.lang) : NULL, "address",
                      addr ? addr : json_null(), "phone", phone ? phone : json_null()));
    }
    portal_reply_page(r, list, items);
    json_decref(list);
}

/* GET /api/v1/public/info → {"org": {"id", "name"}, "categories": [{"value", "label"}],
 * "countries": [{"code", "name"}]}: labels in the reader's language (country names in
 * Chinese, or English for an English reader). */
static void info_h(struct req *r)
{
    struct ent_ctx c;
    if (portal_ctx(r, &c))
        return;
    enum lang lang = r->ctx.lang;
    json_t *cats = json_array(), *cty = json_array();
    for (const struct enumval *v = case_categories; v->value; v++)
        json_array_append_new(
            cats, json_pack("{s:s, s:s}", "value", v->value, "label", lbl(lang, v->label)));
    for (size_t i = 0; i < ncountries; i++)
        json_array_append_new(cty, json_pack("{s:s, s:s}", "code", countries[i].code, "name",
                                             lang == LANG_EN     ? countries[i].name_en
                                             : lang == LANG_HANT ? countries[i].name_hant
                                                                 : countries[i].name_zh));
    char *name = NULL;
    stmt *s = db_prepare(r->db, "SELECT name FROM \"org\" WHERE id = ?");
    if (s) {
        st_bind_int(s, 1, c.org_id);
        if (st_step(s) == DB_ROW)
            name = arena_strdup(r->a, st_text(s, "name"));
    }
    st_finalize(s);
    reply_json(r, 200,
               json_pack("{s:{s:I, s:s?}, s:o, s:o}", "org", "id", (json_int_t)c.org_id, "name",
                         name, "categories", cats, "countries", cty));
}

/* ---- the admin's settings ----------------------------------------------------------- */

static const struct field setting_fields[] = {
    {"org_id", FT_INT, {"门户所属组织", "門戶所屬組織", "The portal's org"}, FF_REQUIRED, .min = 1},
    {"requests_per_address",
     FT_INT,
     {"同一地址每小时求助次数上限", "同一地址每小時求助次數上限", "Requests per address per hour"},
     FF_REQUIRED,
     .min = 1,
     .max = 10000},
    {"requests_total",
     FT_INT,
     {"每小时求助总数上限", "每小時求助總數上限", "Requests per hour in all"},
     FF_REQUIRED,
     .min = 1,
     .max = 1000000},
    {"reads_per_address",
     FT_INT,
     {"同一地址每分钟访问次数上限", "同一地址每分鐘訪問次數上限", "Reads per address per minute"},
     FF_REQUIRED,
     .min = 1,
     .max = 100000},
    {"reads_total",
     FT_INT,
     {"每分钟访问总数上限", "每分鐘訪問總數上限", "Reads per minute in all"},
     FF_REQUIRED,
     .min = 1,
     .max = 10000000},
    {NULL},
};
static const struct {
    const char *key;
    int64_t dflt;
} setting_keys[] = {
    {PORTAL_ORG_KEY, 1},
    {RATE_WRITE_ADDR_KEY, RATE_WRITE_ADDR_DFLT},
    {RATE_WRITE_ALL_KEY, RATE_WRITE_ALL_DFLT},
    {RATE_READ_ADDR_KEY, RATE_READ_ADDR_DFLT},
    {RATE_READ_ALL_KEY, RATE_READ_ALL_DFLT},
};

/* GET /api/v1/portal/settings → {org_id, requests_per_address, requests_total,
 * reads_per_address, reads_total} */
static void settings_h(struct req *r)
{
    json_t *o = json_object();
    for (int i = 0; setting_fields[i].name; i++)
        json_object_set_new(
            o, setting_fields[i].name,
            json_integer(setting_int(r->db, setting_keys[i].key, setting_keys[i].dflt)));
    reply_json(r, 200, o);
}

/* PUT /api/v1/portal/settings {NAME: N}: one setting (the admin's, audited); org_id must name
 * a live, active org. */
static void settings_put_h(struct req *r)
{
    json_t *body = req_json(r);
    if (!body)
        return;
    const char *k =
        json_object_size(body) == 1 ? json_object_iter_key(json_object_iter(body)) : NULL;
    int i = 0;
    while (k && setting_fields[i].name && strcmp(setting_fields[i].name, k))
        i++;
    json_t *org = json_object_get(body, "org_id");
    const char *path;
    if (!k || !setting_fields[i].name) {
        reply_error(r, 400, "bad_request", NULL,
                    "每次修改一项设置: org_id、requests_per_address、requests_total、"
                    "reads_per_address 或 reads_total");
    } else if (json_is_integer(org) && !org_path(r->db, r->a, json_integer_value(org), &path)) {
        reply_error(r, 422, "invalid", "org_id", "组织 %lld 不存在或已撤销",
                    (long long)json_integer_value(org));
    } else {
        json_decref(body);
        setting_put(r, &setting_fields[i], setting_keys[i].key, setting_keys[i].dflt,
                    "portal_settings");
        return;
    }
    json_decref(body);
}

/* 网站 (the public portal). */
const struct module portal_module = {
    .name = "portal",
    .routes =
        (const struct route[]){
            {"POST", "/api/v1/public/request", request_h, NULL, P_PUBLIC, R_RATED},
            {"GET", "/api/v1/public/request/{tracking_number}", status_h, NULL, P_PUBLIC, R_RATED},
            {"GET", "/api/v1/public/org", orgs_h, NULL, P_PUBLIC, R_RATED},
            {"GET", "/api/v1/public/info", info_h, NULL, P_PUBLIC, R_RATED},
            {"GET", "/api/v1/portal/settings", settings_h, NULL, P_VIEW, 0},
            {"PUT", "/api/v1/portal/settings", settings_put_h, NULL, P_ADMIN, 0},
            {NULL},
        },
    .grants = (const struct grant[]){{"admin", GALL}, {NULL}},
};
