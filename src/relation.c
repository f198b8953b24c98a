/* relation.c - 关系: a link between any two of person, association, enterprise and org
 * (SPEC "The four registries"), and GET /api/v1/{entity}/{id}/relations.
 *
 * A relation reads "from is KIND of to": person 12 is president of association 3,
 * person 12 is parent of person 40. Both ends are named by type and id and must be live
 * records the user may see; the kind must fit the two types (family between people,
 * legal_rep towards an enterprise, overseas advisors of an org ...). `caption` ("陈嘉庚
 * 会长 新加坡福建会馆") is written by the server from both titles, for lists and search. */
#include "http.h"
#include "registry.h"

#include <stdio.h>
#include <string.h>

extern const struct entity person_entity, association_entity, enterprise_entity, org_entity;

#define P PT_PERSON
#define A PT_ASSOCIATION
#define E PT_ENTERPRISE
#define O PT_ORG

/* Each kind: the types its two ends may have, whether it is a family tie, and the label
 * of the other party seen from the `from` end (the enum label is the `from` party seen
 * from the `to` end: "X is parent of me"). */
static const struct kind {
    const char *value;
    unsigned from, to;
    int family;
    struct label out;
} kinds[] = {
    {"spouse", P, P, 1, {"配偶", "配偶", "Spouse"}},
    {"parent", P, P, 1, {"子女", "子女", "Child"}},
    {"child", P, P, 1, {"父母", "父母", "Parent"}},
    {"sibling", P, P, 1, {"兄弟姐妹", "兄弟姐妹", "Sibling"}},
    {"relative", P, P, 1, {"亲属", "親屬", "Relative"}},
    {"supported_by", P, P, 1, {"扶养人", "扶養人", "Supporter"}},
    {"member", P | A | E, A | O, 0, {"会员", "會員", "Member"}},
    {"president", P, A | E | O, 0, {"会长", "會長", "President"}},
    {"vice_president", P, A | E | O, 0, {"副会长", "副會長", "Vice president"}},
    {"secretary_general", P, A | O, 0, {"秘书长", "秘書長", "Secretary general"}},
    {"founder", P | A | E, A | E | O, 0, {"创始人", "創始人", "Founder"}},
    {"legal_rep", P, E, 0, {"法定代表人", "法定代表人", "Legal representative"}},
    {"shareholder", P | A | E, E, 0, {"股东", "股東", "Shareholder"}},
    {"overseas_advisor", P, O, 0, {"海外顾问", "海外顧問", "Overseas advisor"}},
    {"overseas_member", P, O, 0, {"海外委员", "海外委員", "Overseas committee member"}},
    {"ambassador", P, O, 0, {"招商大使", "招商大使", "Investment ambassador"}},
    {"honorary_chair", P, A | O, 0, {"名誉会长", "名譽會長", "Honorary chair"}},
};

#undef P
#undef A
#undef E
#undef O

static const struct enumval kind_values[] = {
    {"spouse", {"配偶", "配偶", "Spouse"}},
    {"parent", {"父母", "父母", "Parent"}},
    {"child", {"子女", "子女", "Child"}},
    {"sibling", {"兄弟姐妹", "兄弟姐妹", "Sibling"}},
    {"relative", {"亲属", "親屬", "Relative"}},
    {"supported_by", {"受扶养人", "受扶養人", "Supported by"}},
    {"member", {"会员", "會員", "Member"}},
    {"president", {"会长", "會長", "President"}},
    {"vice_president", {"副会长", "副會長", "Vice president"}},
    {"secretary_general", {"秘书长", "秘書長", "Secretary general"}},
    {"founder", {"创始人", "創始人", "Founder"}},
    {"legal_rep", {"法定代表人", "法定代表人", "Legal representative"}},
    {"shareholder", {"股东", "股東", "Shareholder"}},
    {"overseas_advisor", {"海外顾问", "海外顧問", "Overseas advisor"}},
    {"overseas_member", {"海外委员", "海外委員", "Overseas committee member"}},
    {"ambassador", {"招商大使", "招商大使", "Investment ambassador"}},
    {"honorary_chair", {"名誉会长", "名譽會長", "Honorary chair"}},
    {NULL},
};

static const struct enumval party_types[] = {
    {"person", {"侨界人士", "僑界人士", "Person"}},
    {"association", {"侨团", "僑團", "Association"}},
    {"enterprise", {"侨企", "僑企", "Enterprise"}},
    {"org", {"组织", "組織", "Organisation"}},
    {NULL},
};

const struct entity *party_entity(const char *type, unsigned mask, unsigned *bit)
{
    static const struct {
        const char *name;
        const struct entity *ent;
        unsigned bit;
    } t[] = {{"person", &person_entity, PT_PERSON},
             {"association", &association_entity, PT_ASSOCIATION},
             {"enterprise", &enterprise_entity, PT_ENTERPRISE},
             {"org", &org_entity, PT_ORG}};
    for (size_t i = 0; type && i < sizeof t / sizeof *t; i++)
        if (!strcmp(type, t[i].name) && (mask & t[i].bit)) {
            if (bit)
                *bit = t[i].bit;
            return t[i].ent;
        }
    return NULL;
}

const char *party_title(struct ent_ctx *c, const struct entity *ent, int64_t id)
{
    struct verr e;
    json_t *rec = ent_read(c, ent, id, 1, &e);
    if (!rec)
        return NULL;
    json_t *t = json_object_get(rec, ent->title);
    const char *s = json_is_string(t)
                        ? arena_strdup(c->a, json_string_value(t))
                        : arena_printf(c->a, "%s %lld", ent->label.hans, (long long)id);
    json_decref(rec);
    return s;
}

const char *party_shown(struct ent_ctx *c, const struct entity *ent, int64_t id)
{
    const char *t = ent_visible(c, ent, id) ? party_title(c, ent, id) : NULL;
    return t ? t : msg_cur(OTHER_ORG_RECORD);
}

static const struct kind *kind_find(const char *v)
{
    for (size_t i = 0; v && i < sizeof kinds / sizeof *kinds; i++)
        if (!strcmp(kinds[i].value, v))
            return &kinds[i];
    return NULL;
}

static const struct label *kind_label(const char *v)
{
    for (const struct enumval *ev = kind_values; ev->value; ev++)
        if (!strcmp(ev->value, v))
            return &ev->label;
    return NULL;
}

/* The allowed types of a mask in words: "侨界人士、侨团". */
static void type_words(unsigned mask, char *out, size_t n)
{
    out[0] = 0;
    for (const struct enumval *ev = party_types; ev->value; ev++)
        if (party_entity(ev->value, mask, NULL))
            snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? msg_cur("、") : "",
                     msg_label(ev->label));
}

/* caption: "一方 角色 对方", from the titles of the two records. */
static int relation_derive(struct ent_ctx *c, json_t *rec, struct verr *e)
{
    const char *kv = json_string_value(json_object_get(rec, "kind"));
    const struct entity *fe = party_entity(json_string_value(json_object_get(rec, "from_type")),
                                           ~0u, NULL),
                        *te = party_entity(json_string_value(json_object_get(rec, "to_type")), ~0u,
                                           NULL);
    if (!kind_find(kv) || !fe || !te)
        return verr_set(e, 422, "invalid", "kind", "“关系”不完整");
    int64_t fid = json_integer_value(json_object_get(rec, "from_id"));
    int64_t tid = json_integer_value(json_object_get(rec, "to_id"));
    const char *fname = party_title(c, fe, fid), *tname = party_title(c, te, tid);
    if (!fname)
        return ent_ref_missing(e, "from_id", msg_cur("一方"), fe, fid);
    if (!tname)
        return ent_ref_missing(e, "to_id", msg_cur("对方"), te, tid);
    json_object_set_new(rec, "caption",
                        json_sprintf("%s %s %s", fname, kind_label(kv)->hans, tname));
    return 0;
}

/* The caption as the reader may see it: in their language (the stored one, for search
 * and lists, is in zh-Hans: "陈嘉庚 會長 新加坡福建會館", "Tan Kah Kee, President of …"),
 * and a party outside their scope not named. */
static void relation_compute(struct ent_ctx *c, json_t *rec)
{
    const char *kv = json_string_value(json_object_get(rec, "kind"));
    const struct entity *fe = party_entity(json_string_value(json_object_get(rec, "from_type")),
                                           ~0u, NULL),
                        *te = party_entity(json_string_value(json_object_get(rec, "to_type")), ~0u,
                                           NULL);
    int64_t fid = json_integer_value(json_object_get(rec, "from_id"));
    int64_t tid = json_integer_value(json_object_get(rec, "to_id"));
    if (!kind_find(kv) || !fe || !te)
        return;
    int seen = ent_visible(c, fe, fid) && ent_visible(c, te, tid);
    if (seen && c->lang == LANG_HANS)
        return;
    const char *fname = seen ? json_string_value(json_object_get(rec, "from_name"))
                             : party_shown(c, fe, fid),
               *tname = seen ? json_string_value(json_object_get(rec, "to_name"))
                             : party_shown(c, te, tid);
    if (!fname || !tname)
        return;
    json_object_set_new(rec, "caption",
                        json_sprintf(c->lang == LANG_EN ? "%s, %s of %s" : "%s %s %s", fname,
                                     lbl(c->lang, *kind_label(kv)), tname));
}

/* Both ends exist and are visible, differ, fit the kind; dates in order; no twin. */
static int relation_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    const char *ft = json_string_value(json_object_get(rec, "from_type"));
    const char *tt = json_string_value(json_object_get(rec, "to_type"));
    int64_t fid = json_integer_value(json_object_get(rec, "from_id"));
    int64_t tid = json_integer_value(json_object_get(rec, "to_id"));
    const char *kv = json_string_value(json_object_get(rec, "kind"));
    const struct kind *k = kind_find(kv);
    unsigned fb = 0, tb = 0;
    const struct entity *fe = party_entity(ft, ~0u, &fb), *te = party_entity(tt, ~0u, &tb);
    if (!k || !fe || !te)
        return verr_set(e, 422, "invalid", "kind", "“关系”不完整");
    char words[128];
    if (!(k->from & fb)) {
        type_words(k->from, words, sizeof words);
        return verr_set(e, 422, "invalid", "from_type", "“%s”关系的一方应为%s",
                        kind_label(kv)->hans, words);
    }
    if (!(k->to & tb)) {
        type_words(k->to, words, sizeof words);
        return verr_set(e, 422, "invalid", "to_type", "“%s”关系的对方应为%s", kind_label(kv)->hans,
                        words);
    }
    if (fe == te && fid == tid)
        return verr_set(e, 422, "invalid", "to_id", "关系的双方不能是同一条记录");
    if (relation_derive(c, rec, e))
        return -1;
    const char *since = json_string_value(json_object_get(rec, "since"));
    const char *until = json_string_value(json_object_get(rec, "until"));
    if (since && until && strcmp(until, since) < 0)
        return verr_set(e, 422, "invalid", "until", "“终止日期”不能早于“起始日期”");
    int64_t self = old ? json_integer_value(json_object_get(old, "id")) : 0;
    if (db_int(c->db, 0,
               "SELECT count(*) FROM \"relation\" WHERE from_type = ? AND from_id = ? AND "
               "to_type = ? AND to_id = ? AND kind = ? AND id <> ? AND deleted_at IS NULL",
               "sisisi", ft, fid, tt, tid, kv, self))
        return verr_set(e, 409, "conflict", "kind", "%s与%s之间已有“%s”关系",
                        party_title(c, fe, fid), party_title(c, te, tid), kind_label(kv)->hans);
    return 0;
}

const struct entity relation_entity = {
    .name = "relation",
    .label = {"关系", "關係", "Relation"},
    .module = "registry",
    .title = "caption",
    .flags = EF_OWNED,
    .check = relation_check,
    .derive = relation_derive,
    .compute = relation_compute,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG,
            FIELD_PARTY("from", "一方", "一方", "From",
                        PT_PERSON | PT_ASSOCIATION | PT_ENTERPRISE | PT_ORG, FF_REQUIRED),
            {"kind",
             FT_ENUM,
             {"关系", "關係", "Kind"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             kind_values},
            FIELD_PARTY("to", "对方", "對方", "To",
                        PT_PERSON | PT_ASSOCIATION | PT_ENTERPRISE | PT_ORG, FF_REQUIRED),
            {"title", FT_TEXT, {"职务说明", "職務說明", "Position"}, FF_SEARCH, .max = 100},
            {"since", FT_DATE, {"起始日期", "起始日期", "Since"}, FF_LIST},
            {"until", FT_DATE, {"终止日期", "終止日期", "Until"}, FF_LIST},
            {"caption",
             FT_TEXT,
             {"关系说明", "關係說明", "Relation"},
             FF_READONLY | FF_SEARCH | FF_LIST | FF_NAMES,
             .max = 400},
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            FIELDS_TAIL,
        },
};

/* The group a relation falls in on the page of a record of type `self`, the other end
 * being of type `other`: family, association, enterprise, appointment (an org's
 * positions), leader or member (people of an association, enterprise or org). */
static const char *group_of(const struct kind *k, const char *self, const char *other)
{
    if (k->family)
        return "family";
    if (!strcmp(self, "person") || strcmp(other, "person")) {
        if (!strcmp(other, "association"))
            return "association";
        if (!strcmp(other, "enterprise"))
            return "enterprise";
        if (!strcmp(other, "org"))
            return "appointment";
    }
    return strcmp(k->value, "member") && strcmp(k->value, "shareholder") ? "leader" : "member";
}

static json_t *label_json(const struct label *l)
{
    return json_pack("{s:s, s:s, s:s}", "zh-Hans", l->hans, "zh-Hant", l->hant, "en", l->en);
}

/* GET /api/v1/{entity}/{id}/relations: {items: [RELATION + {direction: "out" | "in",
 * other: {type, id, title}, role: LABEL, group}]}: every relation between this record
 * and one the user may see, whichever org recorded it (the relation record itself opens
 * only within the scope); relations whose other end the user may not see are left out. role is what
 * the other party is to this record in the family ("子女"), or the position held ("会长"). */
void relations_h(struct req *r)
{
    struct verr e;
    const char *type = r->ent ? r->ent->name : "";
    if (!party_entity(type, ~0u, NULL)) {
        reply_error(r, 404, "not_found", NULL, "%s没有关系记录",
                    r->ent ? msg_label(r->ent->label) : "");
        return;
    }
    json_t *self = ent_read(&r->ctx, r->ent, r->id, 1, &e);
    if (!self) {
        reply_verr(r, &e);
        return;
    }
    json_decref(self);
    buf sql = {0};
    json_t *binds = json_pack("[s, I, s, I]", type, (json_int_t)r->id, type, (json_int_t)r->id);
    buf_puts(&sql, "SELECT t.id FROM \"relation\" t WHERE t.deleted_at IS NULL AND ((t.from_type "
                   "= ? AND t.from_id = ?) OR (t.to_type = ? AND t.to_id = ?))");
    buf_puts(&sql, " ORDER BY t.kind, t.id LIMIT 1000");
    stmt *s = db_prepare_json(r->db, buf_str(&sql), binds);
    json_t *ids = json_array();
    while (s && st_step(s) == DB_ROW)
        json_array_append_new(ids, json_integer(st_int(s, "id")));
    st_finalize(s);
    buf_free(&sql);
    json_decref(binds);
    /* A tie between two records the user may see is shown whichever org recorded it. */
    struct ent_ctx all = r->ctx;
    all.scope_path = NULL;
    json_t *items = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        json_t *rel = ent_read(&all, &relation_entity, json_integer_value(v), 0, &e);
        if (!rel)
            continue;
        const char *ft = json_string_value(json_object_get(rel, "from_type"));
        int64_t fid = json_integer_value(json_object_get(rel, "from_id"));
        const char *kv = json_string_value(json_object_get(rel, "kind"));
        int out = !strcmp(ft, type) && fid == r->id;
        const char *ot = json_string_value(json_object_get(rel, out ? "to_type" : "from_type"));
        int64_t oid = json_integer_value(json_object_get(rel, out ? "to_id" : "from_id"));
        const struct kind *k = kind_find(kv);
        const struct entity *oe = party_entity(ot, ~0u, NULL);
        const char *title = oe ? party_title(&r->ctx, oe, oid) : NULL;
        if (!k || !title) {
            json_decref(rel);
            continue;
        }
        json_object_set_new(rel, "direction", json_string(out ? "out" : "in"));
        json_object_set_new(
            rel, "other",
            json_pack("{s:s, s:I, s:s}", "type", ot, "id", (json_int_t)oid, "title", title));
        json_object_set_new(rel, "role", label_json(out && k->family ? &k->out : kind_label(kv)));
        json_object_set_new(rel, "group", json_string(group_of(k, type, ot)));
        json_array_append_new(items, rel);
    }
    json_decref(ids);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}
