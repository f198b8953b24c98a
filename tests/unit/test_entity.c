/* Unit tests of the declarations: validation of every field type, input checking, the
 * record operations with their hooks (the org tree), masking, CSV escaping and the audit
 * chain, on a fresh SQLite file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "entity.h"
#include "schema.h"
#include "fixture.h"
#include "http.h"

static int setup(void **state)
{
    struct fx *f = fx_open("e");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

/* Validate text for org.FIELD; returns the normalised value as a string ("null", "3",
 * "[...]" for arrays) or "ERR:" + field, in a static buffer. */
static const char *v(const char *entity, const char *field, const char *text)
{
    static char out[512];
    const struct field *f = ent_field(entity_find(entity), field);
    assert_non_null(f);
    json_t *j;
    struct verr e;
    if (ent_value_text(f, text, &j, &e)) {
        assert_true(e.field[0]);
        snprintf(out, sizeof out, "ERR:%s", e.field);
        return out;
    }
    char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(out, sizeof out, "%s", s);
    free(s);
    json_decref(j);
    return out;
}

static void validation_of_types(void **state)
{
    (void)state;
    assert_string_equal(v("org", "established_on", "2024-02-29"), "\"2024-02-29\"");
    assert_string_equal(v("org", "established_on", "2023-02-29"), "ERR:established_on");
    assert_string_equal(v("org", "established_on", "2023-13-01"), "ERR:established_on");
    assert_string_equal(v("org", "established_on", "2023/01/01"), "ERR:established_on");
    assert_string_equal(v("org", "established_on", "  "), "null");
    assert_string_equal(v("org", "kind", "home"), "\"home\"");
    assert_string_equal(v("org", "kind", "castle"), "ERR:kind");
    assert_string_equal(v("org", "star", "5"), "5");
    assert_string_equal(v("org", "star", "6"), "ERR:star");
    assert_string_equal(v("org", "star", "3.5"), "ERR:star");
    assert_string_equal(v("org", "region_code", "430522"), "\"430522\"");
    assert_string_equal(v("org", "region_code", "430521"), "ERR:region_code"); /* gone since 2019 */
    assert_string_equal(v("org", "region_code", "43052"), "ERR:region_code");
    assert_string_equal(v("org", "region_code", "990000"), "ERR:region_code");
    assert_string_equal(v("org", "phone", "+86 739 5301234"), "\"+86 739 5301234\"");
    assert_string_equal(v("org", "phone", "0739-5301234"), "ERR:phone");
    assert_string_equal(v("user", "email", "a@b.cn"), "\"a@b.cn\"");
    assert_string_equal(v("user", "email", "a@b"), "ERR:email");
    assert_string_equal(v("org", "created_at", "2024-05-01 08:30:00"), "\"2024-05-01T00:30:00Z\"");
    assert_string_equal(v("org", "created_at", "2024-05-01T08:30:00Z"), "\"2024-05-01T08:30:00Z\"");
    assert_string_equal(v("org", "created_at", "2024-05-01T08:30:00-05:00"),
                        "\"2024-05-01T13:30:00Z\"");
    assert_string_equal(v("org", "created_at", "2024-05-01T25:30:00Z"), "ERR:created_at");
    /* Length counts characters, not bytes: 100 Chinese characters fit in name (max 100). */
    char name[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(name, "侨");
    assert_string_not_equal(v("org", "name", name), "ERR:name");
    strcat(name, "侨");
    assert_string_equal(v("org", "name", name), "ERR:name");
    assert_string_equal(v("org", "name", "a\x01"), "ERR:name");
}

static void input_is_checked_against_the_declaration(void **state)
{
    (void)state;
    const struct entity *org = entity_find("org");
    struct verr e;
    json_t *out = NULL;
    json_t *in = json_pack("{s:s, s:s}", "name", "甲", "colour", "red");
    assert_int_equal(ent_input(org, in, &out, &e), -1);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.field, "colour");
    json_decref(in);
    in = json_pack("{s:i}", "id", 5);
    assert_int_equal(ent_input(org, in, &out, &e), -1);
    assert_string_equal(e.field, "id");
    json_decref(in);
    in = json_pack("{s:s}", "path", "/1/");
    assert_int_equal(ent_input(org, in, &out, &e), -1); /* hidden fields are not writable */
    json_decref(in);
    in = json_pack("{s:i}", "name", 5);
    assert_int_equal(ent_input(org, in, &out, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "name");
    json_decref(in);
    in = json_pack("{s:s, s:n}", "name", "  乙  ", "notes");
    assert_int_equal(ent_input(org, in, &out, &e), 0);
    assert_string_equal(json_string_value(json_object_get(out, "name")), "乙");
    assert_true(json_is_null(json_object_get(out, "notes")));
    json_decref(in);
    json_decref(out);
}

static json_t *mk(struct fx *f, int64_t parent, const char *name, const char *kind, struct verr *e)
{
    json_t *b = json_pack("{s:s, s:s}", "name", name, "kind", kind);
    if (parent)
        json_object_set_new(b, "parent_id", json_integer(parent));
    json_t *o = ent_create(&f->c, entity_find("org"), b, e);
    json_decref(b);
    return o;
}

static int64_t id_of(json_t *o)
{
    int64_t id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    return id;
}

static const char *path_of(struct fx *f, int64_t id)
{
    stmt *s = db_prepare(f->d, "SELECT path FROM \"org\" WHERE id = ?");
    st_bind_int(s, 1, id);
    assert_int_equal(st_step(s), DB_ROW);
    const char *p = arena_strdup(f->a, st_text(s, "path"));
    st_finalize(s);
    return p;
}

static void org_tree_moves_and_rules(void **state)
{
    struct fx *f = *state;
    const struct entity *org = entity_find("org");
    struct verr e;
    int64_t root = id_of(mk(f, 0, "市侨联", "federation", &e));
    int64_t a = id_of(mk(f, root, "甲县侨联", "federation", &e));
    int64_t b = id_of(mk(f, root, "乙县侨联", "federation", &e));
    int64_t a1 = id_of(mk(f, a, "甲县一分会", "branch", &e));
    int64_t a11 = id_of(mk(f, a1, "甲县一小组", "group", &e));
    assert_string_equal(path_of(f, a11),
                        arena_printf(f->a, "/%lld/%lld/%lld/%lld/", (long long)root, (long long)a,
                                     (long long)a1, (long long)a11));
    /* A second root is refused once the tree exists, for users. */
    f->c.user_id = 99;
    assert_null(mk(f, 0, "另一个根", "federation", &e));
    assert_string_equal(e.field, "parent_id");
    f->c.user_id = 0;
    /* A parent that does not exist. */
    assert_null(mk(f, 12345, "无主", "branch", &e));
    assert_string_equal(e.field, "parent_id");
    /* Move a1 under b: the whole subtree follows. */
    json_t *mv = json_pack("{s:I}", "parent_id", (json_int_t)b);
    json_t *r = ent_update(&f->c, org, a1, mv, &e);
    assert_non_null(r);
    json_decref(r);
    json_decref(mv);
    assert_string_equal(path_of(f, a11),
                        arena_printf(f->a, "/%lld/%lld/%lld/%lld/", (long long)root, (long long)b,
                                     (long long)a1, (long long)a11));
    /* A cycle: b under its own grandchild. */
    mv = json_pack("{s:I}", "parent_id", (json_int_t)a11);
    assert_null(ent_update(&f->c, org, b, mv, &e));
    assert_int_equal(e.status, 409);
    json_decref(mv);
    mv = json_pack("{s:I}", "parent_id", (json_int_t)b);
    assert_null(ent_update(&f->c, org, b, mv, &e));
    json_decref(mv);
    /* Closing with an active child is refused; closing the leaf first works. */
    json_t *close = json_pack("{s:s}", "status", "closed");
    assert_null(ent_update(&f->c, org, a1, close, &e));
    assert_int_equal(e.status, 409);
    r = ent_update(&f->c, org, a11, close, &e);
    assert_non_null(r);
    json_decref(r);
    r = ent_update(&f->c, org, a1, close, &e);
    assert_non_null(r);
    json_decref(r);
    json_decref(close);
    /* Deleting an org with children is refused; nothing half-done. */
    assert_int_equal(ent_delete(&f->c, org, a1, &e), -1);
    assert_int_equal(ent_delete(&f->c, org, a11, &e), 0);
    assert_null(ent_read(&f->c, org, a11, 0, &e));
    assert_int_equal(e.status, 404);
    /* A user scoped to county b sees b's subtree only. */
    f->c.scope_path = path_of(f, b);
    assert_null(ent_read(&f->c, org, a, 0, &e));
    r = ent_read(&f->c, org, a1, 0, &e);
    assert_non_null(r);
    json_decref(r);
    struct kv args[] = {{"per_page", "200"}};
    json_t *list = ent_list(&f->c, org, args, 1, NULL, &e);
    assert_non_null(list);
    assert_int_equal(json_integer_value(json_object_get(list, "total")), 2); /* b and a1 */
    json_decref(list);
    f->c.scope_path = NULL;
    char msg[256];
    assert_int_equal(audit_verify(f->d, msg, sizeof msg), 0);
}

static void list_filters_sort_and_paging(void **state)
{
    struct fx *f = *state;
    const struct entity *org = entity_find("org");
    struct verr e;
    int64_t root = id_of(mk(f, 0, "根", "federation", &e));
    for (int i = 0; i < 25; i++)
        id_of(mk(f, root, i % 2 ? "单数之家" : "双数分会", i % 2 ? "home" : "branch", &e));
    struct kv a1[] = {{"kind", "home"}, {"per_page", "5"}, {"page", "3"}, {"sort", "-id"}};
    json_t *l = ent_list(&f->c, org, a1, 4, NULL, &e);
    assert_non_null(l);
    assert_int_equal(json_integer_value(json_object_get(l, "total")), 12);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 2);
    json_decref(l);
    struct kv a2[] = {{"kind", "home"}, {"per_page", "5"}, {"page", "4"}};
    assert_null(ent_list(&f->c, org, a2, 3, NULL, &e));
    assert_string_equal(e.field, "page");
    struct kv a3[] = {{"q", "双数"}};
    l = ent_list(&f->c, org, a3, 1, NULL, &e);
    assert_int_equal(json_integer_value(json_object_get(l, "total")), 13);
    json_decref(l);
    struct kv a4[] = {{"q", "%"}};
    l = ent_list(&f->c, org, a4, 1, NULL, &e);
    assert_int_equal(json_integer_value(json_object_get(l, "total")), 0);
    json_decref(l);
    /* an empty item of a list of values is no value: "home," is "home"; an empty filter
     * is none (a cleared field), and "," a 400 below */
    struct kv a5[][1] = {{{"kind", "home,"}}, {{"kind", ",home"}}, {{"kind", ""}}};
    for (size_t i = 0; i < sizeof a5 / sizeof *a5; i++) {
        l = ent_list(&f->c, org, a5[i], 1, NULL, &e);
        assert_non_null(l);
        assert_int_equal(json_integer_value(json_object_get(l, "total")), i < 2 ? 12 : 26);
        json_decref(l);
    }
    struct kv bad[][1] = {{{"sort", "path"}},   {{"nosuch", "1"}}, {{"per_page", "201"}},
                          {{"kind", "castle"}}, {{"page", "0"}},   {{"star_from", "x"}},
                          {{"kind", ","}}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_null(ent_list(&f->c, org, bad[i], 1, NULL, &e));
        assert_int_equal(e.status / 100, 4);
        assert_true(e.field[0]); /* named: the filter's field (star for star_from) */
        if (!strcmp(bad[i][0].key, "kind"))
            assert_string_equal(e.field, "kind");
    }
}

/* The ids of a page of people, as text ("3,5,9"), in a static buffer. */
static const char *page_ids(json_t *l)
{
    static char out[256];
    size_t n = 0, i;
    json_t *x;
    out[0] = 0;
    assert_non_null(l);
    json_array_foreach(json_object_get(l, "items"), i, x) n +=
        (size_t)snprintf(out + n, sizeof out - n, "%s%lld", i ? "," : "",
                         (long long)json_integer_value(json_object_get(x, "id")));
    json_decref(l);
    return out;
}

static int64_t person_in(struct fx *f, int64_t org)
{
    struct verr e;
    json_t *b = json_pack("{s:s, s:I}", "name", "范围", "org_id", (json_int_t)org);
    int64_t id = id_of(ent_create(&f->c, entity_find("person"), b, &e));
    json_decref(b);
    assert_true(id > 0);
    return id;
}

/* A few rows in a range of the tree, with nothing else to narrow them: the page names the
 * range's orgs by their ids (kept in the memo until the data changes), or reads them by
 * the range's path when it holds more than ent_few_orgs orgs. Both answer the range's rows
 * in order, and an org added to the range is seen at once. */
static void list_of_a_few_rows_in_a_range(void **state)
{
    struct fx *f = *state;
    const struct entity *pe = entity_find("person");
    struct verr e;
    int64_t root = id_of(mk(f, 0, "根", "federation", &e));
    int64_t county = id_of(mk(f, root, "县侨联", "federation", &e));
    int64_t town = id_of(mk(f, county, "镇分会", "branch", &e));
    int64_t other = id_of(mk(f, root, "别县侨联", "federation", &e));
    int64_t p[6];
    for (int i = 0; i < 6; i++)
        p[i] = person_in(f, i % 3 == 0 ? county : i % 3 == 1 ? town : other);
    char want[128], key[128];
    const char *cpath = path_of(f, county);
    snprintf(key, sizeof key, "org ids\x1f%s", cpath);
    f->c.scope_path = cpath;
    struct kv none[1];
    snprintf(want, sizeof want, "%lld,%lld,%lld,%lld", (long long)p[0], (long long)p[1],
             (long long)p[3], (long long)p[4]);
    assert_string_equal(page_ids(ent_list(&f->c, pe, none, 0, NULL, &e)), want);
    size_t len;
    const char *set = db_memo_get_blob(f->d, key, &len);
    char ids[64];
    snprintf(ids, sizeof ids, "[%lld,%lld]", (long long)county, (long long)town);
    assert_non_null(set);
    assert_int_equal(len, strlen(ids));
    assert_memory_equal(set, ids, len);
    /* a search narrows it too (read by the range): the same rows */
    struct kv q[] = {{"q", "范围"}};
    assert_string_equal(page_ids(ent_list(&f->c, pe, q, 1, NULL, &e)), want);
    /* a village added under the town, and a person there: seen at once */
    f->c.scope_path = NULL;
    int64_t village = id_of(mk(f, town, "村小组", "group", &e));
    int64_t pv = person_in(f, village);
    f->c.scope_path = cpath;
    snprintf(want, sizeof want, "%lld,%lld,%lld,%lld,%lld", (long long)p[0], (long long)p[1],
             (long long)p[3], (long long)p[4], (long long)pv);
    assert_string_equal(page_ids(ent_list(&f->c, pe, none, 0, NULL, &e)), want);
    /* the same through org_subtree, in the other direction and by cursor */
    char town_id[24];
    snprintf(town_id, sizeof town_id, "%lld", (long long)town);
    struct kv sub[] = {{"org_subtree", town_id}, {"sort", "-id"}, {"per_page", "2"}};
    snprintf(want, sizeof want, "%lld,%lld", (long long)pv, (long long)p[4]);
    json_t *l = ent_list(&f->c, pe, sub, 3, NULL, &e);
    const char *next = arena_strdup(f->a, json_string_value(json_object_get(l, "next")));
    assert_string_equal(page_ids(l), want);
    struct kv sub2[] = {
        {"org_subtree", town_id}, {"sort", "-id"}, {"per_page", "2"}, {"after", next}};
    snprintf(want, sizeof want, "%lld", (long long)p[1]);
    assert_string_equal(page_ids(ent_list(&f->c, pe, sub2, 4, NULL, &e)), want);
    /* more orgs than ent_few_orgs: read by the path, the same rows */
    int keep = ent_few_orgs;
    ent_few_orgs = 2;
    f->c.scope_path = NULL;
    int64_t pw = person_in(f, county); /* a write: the memo's sets are gone */
    f->c.scope_path = cpath;
    snprintf(want, sizeof want, "%lld,%lld,%lld,%lld,%lld,%lld", (long long)p[0], (long long)p[1],
             (long long)p[3], (long long)p[4], (long long)pv, (long long)pw);
    assert_string_equal(page_ids(ent_list(&f->c, pe, none, 0, NULL, &e)), want);
    set = db_memo_get_blob(f->d, key, &len);
    assert_non_null(set);
    assert_int_equal(len, 0); /* too many to name */
    ent_few_orgs = keep;
    f->c.scope_path = NULL;
}

/* ent_list_text(args) is json_compact(ent_list(args)), byte for byte, in a static buffer:
 * "ERR:field" when both refuse the list, with the same field. */
static const char *same_list_text(struct fx *f, const char *entity, struct kv *args, int n)
{
    static char out[65536];
    const struct entity *ent = entity_find(entity);
    struct verr e1, e2;
    json_t *l = ent_list(&f->c, ent, args, n, NULL, &e1);
    buf t = {0};
    int rc = ent_list_text(&f->c, ent, args, n, NULL, &t, &e2);
    if (!l) {
        assert_int_equal(rc, -1);
        assert_string_equal(e1.field, e2.field);
        buf_free(&t);
        snprintf(out, sizeof out, "ERR:%s", e1.field);
        return out;
    }
    assert_int_equal(rc, 0);
    buf j = {0};
    json_compact(&j, l);
    json_decref(l);
    assert_string_equal(buf_str(&t), buf_str(&j));
    snprintf(out, sizeof out, "%s", buf_str(&t));
    buf_free(&t);
    buf_free(&j);
    return out;
}

/* The list's text written straight from the rows (a person's, an org's) is the text of
 * its tree: every kind of value (a masked and an unmasked one, a set, an empty list, an
 * integer, null, text that must be escaped), forwards, backwards by a cursor, and for an
 * entity with hooks (a case: its computed values and moves go through the tree). */
static void list_text_is_the_list(void **state)
{
    struct fx *f = *state;
    struct verr e;
    int64_t root = id_of(mk(f, 0, "根", "federation", &e));
    const char *names[] = {"陈\"引号\"\\斜杠", "林", "黄", "王"};
    for (int i = 0; i < 4; i++) {
        json_t *b = json_pack("{s:s, s:I, s:s, s:[s,s], s:[s], s:s, s:s}", "name", names[i],
                              "org_id", (json_int_t)root, "id_number", "110101199001011234",
                              "categories", "returnee", "relative", "former_names", "旧名", "phone",
                              "+86 138 0013 8000", "notes", "第一行\n\t第二行");
        if (i == 3) { /* empty sets and lists, no sensitive values */
            json_object_del(b, "categories");
            json_object_del(b, "former_names");
            json_object_del(b, "id_number");
            json_object_del(b, "phone");
        }
        json_t *p = ent_create(&f->c, entity_find("person"), b, &e);
        if (!p)
            fail_msg("%s: %s", e.field, e.msg);
        json_decref(p);
        json_decref(b);
    }
    struct kv all[] = {{"per_page", "3"}};
    const char *t = same_list_text(f, "person", all, 1);
    assert_non_null(strstr(t, "{\"items\":[{\"id\":1,\"org_id\":"));
    assert_non_null(strstr(t, "110************234")); /* masked: not may_unmask */
    assert_non_null(strstr(t, "\\\"引号\\\""));       /* escaped */
    assert_non_null(strstr(t, "第一行\\n\\t第二行"));
    assert_non_null(strstr(t, "[\"returnee\",\"relative\"]"));
    assert_non_null(strstr(t, "\"dialects\":[]"));
    json_t *page = json_loads(t, 0, NULL);
    assert_non_null(page);
    assert_int_equal(json_integer_value(json_object_get(page, "total")), 4);
    char next[512];
    snprintf(next, sizeof next, "%s", json_string_value(json_object_get(page, "next")));
    json_decref(page);
    struct kv after[] = {{"per_page", "3"}, {"after", next}};
    t = same_list_text(f, "person", after, 2);
    page = json_loads(t, 0, NULL);
    const char *prev = json_string_value(json_object_get(page, "prev"));
    assert_non_null(prev);
    struct kv before[] = {{"per_page", "3"}, {"before", prev}};
    t = same_list_text(f, "person", before, 2); /* read backwards, answered forwards */
    json_decref(page);
    page = json_loads(t, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 3);
    json_decref(page);
    struct kv sorted[] = {{"sort", "name"}, {"per_page", "2"}, {"page", "2"}};
    same_list_text(f, "person", sorted, 3);
    f->c.may_unmask = f->c.unmask = 1;
    t = same_list_text(f, "person", all, 1);
    assert_non_null(strstr(t, "110101199001011234"));
    f->c.may_unmask = f->c.unmask = 0;
    struct kv bad[] = {{"per_page", "0"}};
    assert_string_equal(same_list_text(f, "person", bad, 1), "ERR:per_page");
    same_list_text(f, "org", all, 1);
    json_t *cb = json_pack("{s:s, s:s, s:I, s:s, s:s}", "summary", "劳资纠纷", "category", "legal",
                           "org_id", (json_int_t)root, "applicant_name", "陈先生",
                           "applicant_contact", "+86 138 0013 8000");
    json_t *cs = ent_create(&f->c, entity_find("case"), cb, &e);
    if (!cs)
        fail_msg("%s: %s", e.field, e.msg);
    json_decref(cs);
    json_decref(cb);
    t = same_list_text(f, "case", all, 1);
    assert_non_null(strstr(t, "allowed_transitions"));
}

static void masking_and_csv(void **state)
{
    (void)state;
    arena *a = arena_new();
    assert_string_equal(mask_value(a, "110101199003071234"), "110************234");
    assert_string_equal(mask_value(a, "陈嘉庚"), "***");
    assert_string_equal(mask_value(a, "+60123456789"), "+60******789");
    arena_free(a);
    buf b = {0};
    esc_csv(&b, "=HYPERLINK(\"x\")");
    esc_csv(&b, ",");
    esc_csv(&b, "-1");
    esc_csv(&b, "普通");
    assert_string_equal(buf_str(&b), "\"'=HYPERLINK(\"\"x\"\")\"\",\"\"'-1\"普通");
    buf_free(&b);
}

static void audit_chain_detects_tampering(void **state)
{
    struct fx *f = *state;
    struct verr e;
    int64_t root = id_of(mk(f, 0, "根", "federation", &e));
    for (int i = 0; i < 5; i++)
        id_of(mk(f, root, "分会", "branch", &e));
    char msg[256];
    assert_int_equal(audit_verify(f->d, msg, sizeof msg), 0);
    assert_int_equal(db_exec(f->d, "UPDATE audit_log SET after_json = '{}' WHERE seq = 3"), DB_OK);
    int64_t bad = audit_verify(f->d, msg, sizeof msg);
    assert_int_equal(bad, db_int(f->d, 0, "SELECT id FROM audit_log WHERE seq = 3", ""));
    assert_non_null(strstr(msg, "改动"));
}

static void audit_chain_detects_deletion(void **state)
{
    struct fx *f = *state;
    struct verr e;
    int64_t root = id_of(mk(f, 0, "根", "federation", &e));
    for (int i = 0; i < 5; i++)
        id_of(mk(f, root, "分会", "branch", &e));
    char msg[256];
    assert_int_equal(db_exec(f->d, "DELETE FROM audit_log WHERE seq = 2"), DB_OK);
    assert_int_equal(audit_verify(f->d, msg, sizeof msg),
                     db_int(f->d, 0, "SELECT id FROM audit_log WHERE seq = 3", ""));
    assert_non_null(strstr(msg, "删除"));
    /* Removing the newest entries shows too. */
    assert_int_equal(db_exec(f->d, "DELETE FROM audit_log WHERE seq >= 2"), DB_OK);
    assert_int_not_equal(audit_verify(f->d, msg, sizeof msg), 0);
}

/* A list's count is exact while the data stands still; after a write, a big list (over
 * exact_max rows) answers its last count, marked estimated, until it is stale_ms old. */
static void list_counts_of_big_lists(void **state)
{
    struct fx *f = *state;
    const struct entity *pe = entity_find("person");
    struct verr e;
    /* pages of 1, as a big list's first page never holds it all */
    struct kv one[] = {{"per_page", "1"}}, all[] = {{"per_page", "200"}};
    struct list_counts keep = ent_list_counts;
    /* the people's org: written by the system (no org of its own), an owned record is the
     * root's */
    int64_t root = id_of(mk(f, 0, "根", "federation", &e));
    json_t *b0 = json_pack("{s:s, s:n}", "name", "计数", "org_id");
    json_t *p0 = ent_create(&f->c, pe, b0, &e);
    assert_int_equal(json_integer_value(json_object_get(p0, "org_id")), root);
    json_decref(p0);
    json_decref(b0);
    ent_list_counts = (struct list_counts){.exact_max = 5, .stale_ms = 1e9};
    for (int i = 1; i < 9; i++) {
        json_t *b = json_pack("{s:s}", "name", "计数");
        json_decref(ent_create(&f->c, pe, b, &e));
        json_decref(b);
        json_t *l = ent_list(&f->c, pe, one, 1, NULL, &e);
        assert_non_null(l);
        /* 6 is the first count over 5: the writes after it leave the list at 6, estimated */
        assert_int_equal(json_integer_value(json_object_get(l, "total")), i < 6 ? i + 1 : 6);
        assert_true(json_is_true(json_object_get(l, "total_estimated")) == (i >= 6));
        json_decref(l);
        /* a first page that holds every row is its own count, exact; the rows are live */
        l = ent_list(&f->c, pe, all, 1, NULL, &e);
        assert_int_equal(json_integer_value(json_object_get(l, "total")), i + 1);
        assert_int_equal(json_array_size(json_object_get(l, "items")), i + 1);
        assert_true(json_is_false(json_object_get(l, "total_estimated")));
        json_decref(l);
    }
    ent_list_counts.stale_ms = 0; /* too old: counted again */
    json_t *l = ent_list(&f->c, pe, one, 1, NULL, &e);
    assert_int_equal(json_integer_value(json_object_get(l, "total")), 9);
    assert_true(json_is_false(json_object_get(l, "total_estimated")));
    json_decref(l);
    ent_list_counts = keep;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validation_of_types),
        cmocka_unit_test(input_is_checked_against_the_declaration),
        cmocka_unit_test_setup_teardown(org_tree_moves_and_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(list_counts_of_big_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(list_filters_sort_and_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(list_of_a_few_rows_in_a_range, setup, teardown),
        cmocka_unit_test_setup_teardown(list_text_is_the_list, setup, teardown),
        cmocka_unit_test(masking_and_csv),
        cmocka_unit_test_setup_teardown(audit_chain_detects_tampering, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_chain_detects_deletion, setup, teardown),
    };
    return cmocka_run_group_tests_name("entity", tests, NULL, NULL);
}
