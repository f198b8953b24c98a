/* Unit tests of the generic declarations a module builds on (entity.h): an append-only
 * entity (405 on change, one reversal per entry, never a reversal of a reversal) and a
 * declared workflow run by ent_transition (legal moves only, what a move takes and needs
 * checked at the edge, the record written through the entity layer with its audit entry,
 * the step hook called in the same transaction). The entities are made up here, with
 * their tables, so that the tests do not wait for the funds module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "fixture.h"

static int reverse_amount(struct ent_ctx *c, const json_t *old, json_t *rec, struct verr *e)
{
    (void)c;
    (void)e;
    json_object_set_new(rec, "amount",
                        json_integer(-json_integer_value(json_object_get(old, "amount"))));
    return 0;
}

static const struct entity entry = {
    .name = "t_entry",
    .label = {"测试账目", "測試賬目", "Entry"},
    .module = "registry",
    .title = "memo",
    .flags = EF_APPEND,
    .reversal = reverse_amount,
    .fields =
        (const struct field[]){
            FIELD_ID,
            {"memo", FT_TEXT, {"摘要", "摘要", "Memo"}, FF_REQUIRED},
            {"amount", FT_MONEY, {"金额", "金額", "Amount"}, FF_REQUIRED},
            {"reverses_id", FT_INT, {"冲销", "沖銷", "Reverses"}, FF_READONLY | FF_UNIQUE},
            {"reason", FT_TEXT, {"冲销原因", "沖銷原因", "Reason"}, FF_READONLY},
            FIELDS_TAIL,
        },
};

static int steps; /* step hook calls */

static int step(struct ent_ctx *c, const struct move *m, int64_t id, const json_t *old,
                const json_t *body, json_t *detail, const char *note, const char *at,
                struct verr *e)
{
    (void)c, (void)m, (void)id, (void)old, (void)body, (void)detail, (void)at;
    if (note && !strcmp(note, "fail"))
        return verr_set(e, 500, "internal", NULL, "步骤失败");
    steps++;
    return 0;
}

static const struct enumval wish_statuses[] = {
    {"open", {"待认领", "待認領", "Open"}},
    {"claimed", {"已认领", "已認領", "Claimed"}},
    {"fulfilled", {"已实现", "已實現", "Fulfilled"}},
    {"cancelled", {"已取消", "已取消", "Cancelled"}},
    {NULL},
};

static const struct workflow wf = {
    .field = "status",
    .args = (const struct field[]){{"note", FT_TEXTAREA, {"说明", "說明", "Note"}, 0}, {NULL}},
    .step = step,
    .moves =
        (const struct move[]){
            {"open", "claimed", 0, (const char *const[]){"claimed_by", NULL},
             (const char *const[]){"claimed_by", NULL}},
            {"claimed", "fulfilled", 0, (const char *const[]){"fulfilled_on", NULL}, NULL},
            {"open,claimed", "cancelled", 0, NULL, NULL},
            {NULL},
        },
};

static const struct entity wish = {
    .name = "t_wish",
    .label = {"测试心愿", "測試心願", "Wish"},
    .module = "registry",
    .title = "wish",
    .workflow = &wf,
    .fields =
        (const struct field[]){
            FIELD_ID,
            {"wish", FT_TEXT, {"心愿", "心願", "Wish"}, FF_REQUIRED},
            {"status",
             FT_ENUM,
             {"状态", "狀態", "Status"},
             FF_READONLY,
             wish_statuses,
             .dflt = "open"},
            {"claimed_by", FT_TEXT, {"认领人", "認領人", "Claimed by"}, 0},
            {"fulfilled_on", FT_DATE, {"实现日期", "實現日期", "Fulfilled on"}, 0},
            FIELDS_TAIL,
        },
};

static int setup(void **state)
{
    struct fx *f = fx_open("wf");
    assert_int_equal(db_exec(f->d, "CREATE TABLE t_entry (id INTEGER PRIMARY KEY, memo TEXT, "
                                   "amount INTEGER, reverses_id INTEGER UNIQUE, reason TEXT, "
                                   "created_at TEXT, updated_at TEXT, deleted_at TEXT)"),
                     DB_OK);
    assert_int_equal(db_exec(f->d, "CREATE TABLE t_wish (id INTEGER PRIMARY KEY, wish TEXT, "
                                   "status TEXT, claimed_by TEXT, fulfilled_on TEXT, "
                                   "created_at TEXT, updated_at TEXT, deleted_at TEXT)"),
                     DB_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

static json_t *obj(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    return j;
}

static void ledger_entries_are_reversed_not_changed(void **state)
{
    struct fx *f = *state;
    struct verr e;
    json_t *b = obj("{\"memo\": \"捐款\", \"amount\": 123456}");
    json_t *rec = ent_create(&f->c, &entry, b, &e);
    json_decref(b);
    assert_non_null(rec);
    int64_t id = json_integer_value(json_object_get(rec, "id"));
    json_decref(rec);

    b = obj("{\"amount\": 1}");
    assert_null(ent_update(&f->c, &entry, id, b, &e));
    json_decref(b);
    assert_int_equal(e.status, 405);
    assert_non_null(strstr(e.msg, "/reverse"));
    assert_int_equal(ent_delete(&f->c, &entry, id, &e), -1);
    assert_int_equal(e.status, 405);

    b = obj("{}");
    assert_null(ent_reverse(&f->c, &entry, id, b, &e));
    json_decref(b);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "reason");

    b = obj("{\"reason\": \"金额录错\"}");
    json_t *rev = ent_reverse(&f->c, &entry, id, b, &e);
    assert_non_null(rev);
    assert_int_equal(json_integer_value(json_object_get(rev, "amount")), -123456);
    assert_int_equal(json_integer_value(json_object_get(rev, "reverses_id")), id);
    assert_string_equal(json_string_value(json_object_get(rev, "reason")), "金额录错");
    int64_t rid = json_integer_value(json_object_get(rev, "id"));
    json_decref(rev);

    assert_null(ent_reverse(&f->c, &entry, id, b, &e)); /* twice */
    assert_int_equal(e.status, 409);
    assert_null(ent_reverse(&f->c, &entry, rid, b, &e)); /* a reversal */
    assert_int_equal(e.status, 409);
    json_decref(b);
    assert_int_equal(db_int(f->d, -1, "SELECT sum(amount) FROM t_entry", ""), 0);
    assert_int_equal(db_int(f->d, -1, "SELECT count(*) FROM t_entry", ""), 2);
}

static const char *status_of(struct fx *f, int64_t id)
{
    static char st[32];
    stmt *s = db_prepare(f->d, "SELECT status FROM t_wish WHERE id = ?");
    st_bind_int(s, 1, id);
    assert_int_equal(st_step(s), DB_ROW);
    snprintf(st, sizeof st, "%s", st_text(s, "status"));
    st_finalize(s);
    return st;
}

static void moves_follow_the_declaration(void **state)
{
    struct fx *f = *state;
    struct verr e;
    json_t *b = obj("{\"wish\": \"一台轮椅\"}");
    json_t *rec = ent_create(&f->c, &wish, b, &e);
    json_decref(b);
    assert_non_null(rec);
    int64_t id = json_integer_value(json_object_get(rec, "id"));
    json_decref(rec);
    int64_t audits = db_int(f->d, 0, "SELECT count(*) FROM audit_log", "");
    steps = 0;

    b = obj("{\"to\": \"fulfilled\"}"); /* not from open */
    assert_null(ent_transition(&f->c, &wish, id, b, NULL, &e));
    json_decref(b);
    assert_int_equal(e.status, 409);

    b = obj("{\"to\": \"claimed\"}"); /* needs claimed_by */
    assert_null(ent_transition(&f->c, &wish, id, b, NULL, &e));
    json_decref(b);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "claimed_by");

    b = obj("{\"to\": \"claimed\", \"claimed_by\": \"张先生\", \"fulfilled_on\": \"2026-01-01\"}");
    assert_null(ent_transition(&f->c, &wish, id, b, NULL, &e)); /* not what it takes */
    json_decref(b);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.field, "fulfilled_on");

    b = obj("{\"to\": \"claimed\", \"claimed_by\": \"张先生\", \"note\": \"fail\"}");
    assert_null(ent_transition(&f->c, &wish, id, b, NULL, &e)); /* the step fails: nothing */
    json_decref(b);
    assert_string_equal(status_of(f, id), "open");
    assert_int_equal(db_int(f->d, 0, "SELECT count(*) FROM audit_log", ""), audits);

    b = obj("{\"to\": \"claimed\", \"claimed_by\": \"张先生\", \"note\": \"电话认领\"}");
    rec = ent_transition(&f->c, &wish, id, b, NULL, &e);
    json_decref(b);
    assert_non_null(rec);
    assert_string_equal(json_string_value(json_object_get(rec, "status")), "claimed");
    assert_string_equal(json_string_value(json_object_get(rec, "claimed_by")), "张先生");
    json_decref(rec);
    assert_int_equal(steps, 1);
    assert_int_equal(
        db_int(f->d, 0, "SELECT count(*) FROM audit_log WHERE action = 'transition'", ""), 1);

    json_t *moves = ent_moves_from(&f->c, &wish, "claimed");
    assert_int_equal(json_array_size(moves), 2);
    assert_string_equal(json_string_value(json_array_get(moves, 0)), "fulfilled");
    assert_string_equal(json_string_value(json_array_get(moves, 1)), "cancelled");
    json_decref(moves);

    /* A viewer may not move it (edit is the default permission of a move). */
    struct ent_ctx viewer = f->c;
    viewer.role = "viewer";
    viewer.user_id = 9;
    b = obj("{\"to\": \"cancelled\"}");
    assert_null(ent_transition(&viewer, &wish, id, b, NULL, &e));
    json_decref(b);
    assert_int_equal(e.status, 403);
    assert_string_equal(status_of(f, id), "claimed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ledger_entries_are_reversed_not_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(moves_follow_the_declaration, setup, teardown),
    };
    return cmocka_run_group_tests_name("workflow", tests, NULL, NULL);
}
