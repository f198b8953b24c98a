/* Unit tests of the module declarations (module.h): the real list has nothing that cannot
 * work, the check finds each kind of mistake in a made-up list, and the route table tries
 * a literal segment before a parameter whatever the order of declaration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "module.h"
#include "fixture.h"

static void h(struct req *r)
{
    (void)r;
}

static void the_real_modules_check_out(void **state)
{
    (void)state;
    buf out = {0};
    int n = modules_check(modules, &out);
    if (n)
        print_error("%s", buf_str(&out));
    assert_int_equal(n, 0);
    buf_free(&out);
}

static const struct field fields[] = {FIELD_ID, FIELDS_TAIL};
static const struct entity thing = {
    .name = "thing", .module = "m1", .title = "id", .fields = fields};
static const struct entity lost = {
    .name = "lost", .module = "nobody", .title = "id", .fields = fields};

static const struct module m1 = {
    .name = "m1",
    .entities = (const struct entity *const[]){&thing, NULL},
    .routes = (const struct route[]){{"GET", "/api/v1/m1/x", h, NULL, P_VIEW, 0},
                                     {"GET", "/api/v1/m1/{id}", h, NULL, P_VIEW, 0},
                                     {NULL}},
    .grants = (const struct grant[]){{"staff", GV}, {"staff", GE}, {"wizard", GV}, {NULL}},
};
static const struct module m2 = {
    .name = "m2",
    .entities = (const struct entity *const[]){&thing, &lost, NULL},
    .routes = (const struct route[]){{"GET", "/api/v1/m1/{id}", h, "m1", P_VIEW, 0},
                                     {"GET", "/api/v1/m2/y", h, NULL, P_VIEW, 0},
                                     {"POST", "/api/v1/m2/z", NULL, "m1", P_EDIT, 0},
                                     {NULL}},
};
static const struct module m3 = {
    .name = "m3",
    .grants = (const struct grant[]){{"admin", GALL}, {NULL}},
};

static void contains(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("“%s” not in:\n%s", part, text);
}

static void the_check_finds_each_mistake(void **state)
{
    (void)state;
    const struct module *const bad[] = {&m1, &m2, &m3, NULL};
    buf out = {0};
    int n = modules_check(bad, &out);
    const char *t = buf_str(&out);
    contains(t, "角色 staff 的授权写了两次");
    contains(t, "不存在的角色 wizard");
    contains(t, "实体 thing 声明了两次");
    contains(t, "实体 lost 的权限模块 nobody 没有声明");
    contains(t, "接口 GET /api/v1/m1/{id} 声明了两次");
    contains(t, "接口 GET /api/v1/m2/y 不可达");
    contains(t, "接口 POST /api/v1/m2/z 没有处理函数");
    contains(t, "模块 m3 的授权不可达");
    assert_int_equal(n, 8);
    buf_free(&out);
}

/* In the real table, a literal segment comes before a parameter, whatever the order of
 * declaration: /api/v1/case/assignees before the generic /api/v1/{entity}/{id}, and the
 * case desk's own /api/v1/case/{id}/transition (room for attachments) before the generic
 * /api/v1/{entity}/{id}/transition. */
static void literals_come_first(void **state)
{
    (void)state;
    const struct route *t = module_routes();
    int assignees = -1, generic = -1, case_move = -1, generic_move = -1, n = 0;
    for (const struct route *r = t; r->method; r++, n++) {
        if (!strcmp(r->pattern, "/api/v1/case/assignees"))
            assignees = n;
        if (!strcmp(r->pattern, "/api/v1/{entity}/{id}") && !strcmp(r->method, "GET"))
            generic = n;
        if (!strcmp(r->pattern, "/api/v1/case/{id}/transition"))
            case_move = n;
        if (!strcmp(r->pattern, "/api/v1/{entity}/{id}/transition"))
            generic_move = n;
    }
    assert_true(assignees >= 0 && generic >= 0 && case_move >= 0 && generic_move >= 0);
    assert_true(assignees < generic);
    assert_true(case_move < generic_move);
}

static json_t *obj(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    return j;
}

static int64_t mk(struct fx *f, const char *entity, const char *body)
{
    struct verr e;
    json_t *b = obj(body), *r = ent_create(&f->c, entity_find(entity), b, &e);
    json_decref(b);
    if (!r)
        fail_msg("%s %s: %s", entity, body, e.msg);
    int64_t id = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    return id;
}

/* The figures the modules declare, over a subtree and a period (Beijing days). */
static void figures_count_what_they_declare(void **state)
{
    (void)state;
    struct fx *f = fx_open("fig");
    assert_int_equal(db_exec(f->d, "INSERT INTO \"org\" (id, name, kind, level, path, status) "
                                   "VALUES (1, '根', 'federation', 'city', '/1/', 'active')"),
                     DB_OK);
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\": \"甲县侨联\", \"kind\": \"federation\", "
             "\"level\": \"county\", \"parent_id\": 1}");
    int64_t a = mk(f, "org", body);
    /* received 2024-12-31 23:30 Beijing = 15:30 UTC: in 2024, not 2025 */
    const char *c1 = "{\"org_id\": %lld, \"category\": \"legal\", \"summary\": \"一\", "
                     "\"applicant_name\": \"甲\", \"applicant_contact\": \"x\", "
                     "\"received_at\": \"%s\"}";
    char b1[400];
    snprintf(b1, sizeof b1, c1, (long long)a, "2024-12-31T15:30:00Z");
    int64_t k1 = mk(f, "case", b1);
    snprintf(b1, sizeof b1, c1, (long long)a, "2025-01-01T00:30:00Z");
    mk(f, "case", b1);
    snprintf(b1, sizeof b1, c1, (long long)1, "2025-03-01T02:00:00Z");
    mk(f, "case", b1);
    assert_int_equal(db_execv(f->d,
                              "UPDATE \"case\" SET resolved_at = '2025-02-01T01:00:00Z', "
                              "amount_recovered = 123456 WHERE id = ?",
                              "i", k1),
                     DB_OK);
    snprintf(body, sizeof body,
             "{\"org_id\": %lld, \"title\": \"先进集体\", \"level\": \"national\", "
             "\"recipient_type\": \"org\", \"recipient_id\": %lld, \"awarded_on\": "
             "\"2025-06-01\"}",
             (long long)a, (long long)a);
    mk(f, "honor", body);

    /* the ledger: two donations, one of them reversed; a disbursement helping 3 */
    snprintf(body, sizeof body, "{\"org_id\": %lld, \"name\": \"侨爱心工程\", \"kind\": \"love\"}",
             (long long)a);
    int64_t prog = mk(f, "programme", body);
    const char *don = "{\"org_id\": %lld, \"programme_id\": %lld, \"received_on\": \"2025-05-01\", "
                      "\"donor_type\": \"name\", \"donor_name\": \"陈先生\", \"amount\": %d}";
    snprintf(body, sizeof body, don, (long long)a, (long long)prog, 150000);
    mk(f, "donation", body);
    snprintf(body, sizeof body, don, (long long)a, (long long)prog, 50000);
    int64_t wrong = mk(f, "donation", body);
    struct verr re;
    json_t *why = obj("{\"reason\": \"录错\"}"),
           *rev = ent_reverse(&f->c, entity_find("donation"), wrong, why, &re);
    if (!rev)
        fail_msg("reverse: %s", re.msg);
    json_decref(rev);
    json_decref(why);
    snprintf(body, sizeof body,
             "{\"org_id\": %lld, \"programme_id\": %lld, \"paid_on\": \"2025-06-01\", "
             "\"beneficiary_type\": "
             "\"name\", \"beneficiary_name\": \"王女士\", \"amount\": 20000, \"people_helped\": 3, "
             "\"purpose\": \"助学\"}",
             (long long)a, (long long)prog);
    mk(f, "disbursement", body);

    /* an event: two people who came (from SG and MY), one who did not, 10 more counted */
    snprintf(body, sizeof body,
             "{\"org_id\": %lld, \"name\": \"寻根之旅\", \"kind\": \"camp\", \"starts_on\": "
             "\"2025-07-01\", \"headcount\": 10}",
             (long long)a);
    int64_t ev = mk(f, "event", body);
    const char *who[] = {"SG", "MY", "TH"};
    for (int i = 0; i < 3; i++) {
        snprintf(body, sizeof body,
                 "{\"org_id\": %lld, \"name\": \"营员%d\", \"residence_country\": \"%s\"}",
                 (long long)a, i, who[i]);
        int64_t pid = mk(f, "person", body);
        snprintf(body, sizeof body, "{\"event_id\": %lld, \"person_id\": %lld, \"attended\": %s}",
                 (long long)ev, (long long)pid, i < 2 ? "true" : "false");
        mk(f, "participant", body);
    }
    snprintf(body, sizeof body,
             "{\"org_id\": %lld, \"title\": \"侨情信息\", \"kind\": \"info\", \"submitted_on\": "
             "\"2025-08-01\"}",
             (long long)a);
    mk(f, "submission", body);

    /* a home rated 3 (2022), 4 (2023), 5 (2024): its star as of each period's end */
    snprintf(body, sizeof body,
             "{\"parent_id\": %lld, \"name\": \"某侨胞之家\", \"kind\": \"home\", "
             "\"star\": 3, \"rated_on\": \"2022-03-01\"}",
             (long long)a);
    int64_t home = mk(f, "org", body);
    const char *rerate[] = {"{\"star\": 4, \"rated_on\": \"2023-05-01\"}",
                            "{\"star\": 5, \"rated_on\": \"2024-02-01\"}"};
    for (int i = 0; i < 2; i++) {
        struct verr ue;
        json_t *b = obj(rerate[i]), *u = ent_update(&f->c, entity_find("org"), home, b, &ue);
        if (!u)
            fail_msg("rerate: %s", ue.msg);
        json_decref(u);
        json_decref(b);
    }

    json_t *org = ent_read(&f->c, entity_find("org"), a, 1, &(struct verr){0});
    const char *path = json_string_value(json_object_get(org, "path"));
    struct period p;
    assert_int_equal(period_make(&p, f->a, path, "2025-01-01", "2025-12-31"), 0);
    json_t *fig = module_figures(f->d, &p, NULL, NULL);
    assert_non_null(fig);
    assert_int_equal(json_integer_value(json_object_get(fig, "cases.received")), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "cases.legal")), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "cases.resolved")), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "cases.recovered")), 123456);
    assert_int_equal(json_integer_value(json_object_get(fig, "honours.national")), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "honours.city")), 0);
    assert_int_equal(json_integer_value(json_object_get(fig, "donations.count")), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "donations.amount")), 150000);
    assert_int_equal(json_integer_value(json_object_get(fig, "disbursements.amount")), 20000);
    assert_int_equal(json_integer_value(json_object_get(fig, "disbursements.people_helped")), 3);
    assert_int_equal(json_integer_value(json_object_get(fig, "wishes.fulfilled")), 0);
    assert_int_equal(json_integer_value(json_object_get(fig, "events.count")), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "events.attendance")), 12);
    assert_int_equal(json_integer_value(json_object_get(fig, "events.countries")), 2);
    assert_int_equal(json_integer_value(json_object_get(fig, "submissions.submitted")), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "submissions.adopted")), 0);
    assert_int_equal(json_integer_value(json_object_get(fig, "homes.star5")), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "homes.star4")), 0);
    json_decref(fig);
    assert_int_equal(period_make(&p, f->a, path, "2023-01-01", "2023-12-31"), 0);
    fig = module_figures(f->d, &p, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(fig, "homes.star4")), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "homes.star5")), 0);
    assert_int_equal(json_integer_value(json_object_get(fig, "homes.star3")), 0);
    json_decref(fig);
    assert_int_equal(period_make(&p, f->a, path, "2021-01-01", "2021-12-31"), 0);
    fig = module_figures(f->d, &p, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(fig, "homes.star3")), 0);
    json_decref(fig);
    /* the whole tree: the root's own case too */
    assert_int_equal(period_make(&p, f->a, "/1/", "2025-01-01", "2025-12-31"), 0);
    fig = module_figures(f->d, &p, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(fig, "cases.received")), 2);
    json_decref(fig);
    /* 2024: the case received at 23:30 on New Year's Eve, Beijing time */
    assert_int_equal(period_make(&p, f->a, "/1/", "2024-01-01", "2024-12-31"), 0);
    fig = module_figures(f->d, &p, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(fig, "cases.received")), 1);
    json_decref(fig);
    assert_int_equal(period_make(&p, f->a, "/1/", "2024-13-01", "2024-12-31"), -1);
    /* a year of the work report's series takes what it shares with the whole period from
     * the period's figures (module_figures' known): the same values as counted afresh, the
     * homes' stars of 2023 included (FIG_AT_END: counted at each year's end) */
    struct period whole, year;
    assert_int_equal(period_make(&whole, f->a, path, "2021-03-01", "2025-12-31"), 0);
    json_t *all = module_figures(f->d, &whole, NULL, NULL);
    assert_non_null(all);
    for (int y = 2021; y <= 2025; y++) {
        char from[24], to[24];
        snprintf(from, sizeof from, y == 2021 ? "%04d-03-01" : "%04d-01-01", y);
        snprintf(to, sizeof to, "%04d-12-31", y);
        assert_int_equal(period_make(&year, f->a, path, from, to), 0);
        json_t *afresh = module_figures(f->d, &year, NULL, NULL),
               *shared = module_figures(f->d, &year, all, &whole);
        assert_non_null(afresh);
        assert_non_null(shared);
        if (!json_equal(afresh, shared)) {
            char *x = json_dumps(afresh, JSON_SORT_KEYS), *z = json_dumps(shared, JSON_SORT_KEYS);
            fail_msg("%d: counted %s, shared %s", y, x, z);
        }
        if (y == 2023)
            assert_int_equal(json_integer_value(json_object_get(shared, "homes.star4")), 1);
        json_decref(afresh);
        json_decref(shared);
    }
    /* a figure is only shared by the same subtree */
    assert_int_equal(period_make(&year, f->a, "/1/", "2025-01-01", "2025-12-31"), 0);
    json_t *root = module_figures(f->d, &year, all, &whole),
           *counted = module_figures(f->d, &year, NULL, NULL);
    assert_true(json_equal(root, counted));
    assert_int_equal(json_integer_value(json_object_get(root, "cases.received")), 2);
    assert_int_not_equal(json_integer_value(json_object_get(root, "orgs.federation")),
                         json_integer_value(json_object_get(all, "orgs.federation")));
    /* over most of the tree a table is read whole (period.wide): the same figures */
    year.wide = 1;
    json_t *read_whole = module_figures(f->d, &year, NULL, NULL);
    assert_true(json_equal(read_whole, counted));
    json_decref(read_whole);
    json_decref(root);
    json_decref(counted);
    json_decref(all);
    json_decref(org);
    fx_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_real_modules_check_out),
        cmocka_unit_test(the_check_finds_each_mistake),
        cmocka_unit_test(literals_come_first),
        cmocka_unit_test(figures_count_what_they_declare),
    };
    return cmocka_run_group_tests_name("modules", tests, NULL, NULL);
}
