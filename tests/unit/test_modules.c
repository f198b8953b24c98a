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

/* In the real table, each literal route comes before a parameter route of the same shape
 * before it, e.g. /api/v1/case/assignees before /api/v1/case/{id}. */
static void literals_come_first(void **state)
{
    (void)state;
    const struct route *t = module_routes();
    int assignees = -1, case_id = -1, generic = -1, n = 0;
    for (const struct route *r = t; r->method; r++, n++) {
        if (!strcmp(r->pattern, "/api/v1/case/assignees"))
            assignees = n;
        if (!strcmp(r->pattern, "/api/v1/case/{id}") && !strcmp(r->method, "GET"))
            case_id = n;
        if (!strcmp(r->pattern, "/api/v1/{entity}/{id}") && !strcmp(r->method, "GET"))
            generic = n;
    }
    assert_true(assignees >= 0 && case_id >= 0 && generic >= 0);
    assert_true(assignees < case_id);
    assert_true(case_id < generic);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_real_modules_check_out),
        cmocka_unit_test(the_check_finds_each_mistake),
        cmocka_unit_test(literals_come_first),
    };
    return cmocka_run_group_tests_name("modules", tests, NULL, NULL);
}
