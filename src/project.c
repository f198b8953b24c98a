/* project.c - 招商引资/合作项目 and 信息报送/参政议政 (SPEC "Events, projects, submissions,
 * honours"), two entities of the event module (event.c).
 *
 * Project:    its stage moves on a declared workflow (project_workflow): negotiating 洽谈 ->
 *             signed 签约 (needs signed_on, not in the future) -> landed 落地 -> operating
 *             投产运营; terminated 终止 from any stage before operating. The stage and
 *             signed_on are readonly: only a move sets them, and each move is an audit
 *             entry "transition" and a row of stage_step with its note (the stage
 *             history: GET /api/v1/project/{id}/history). The partner is a party (person,
 *             association, enterprise or a bare name); amount is fen of CNY, and
 *             amount_original the minor units of the currency it was agreed in.
 * Submission: submitted 已报送 -> adopted 采用 (needs the level, the adopting body and the
 *             date) / instructed 获批示 / rejected 未采用, on submission_workflow. */
#include "api.h"
#include "module.h"
#include "workday.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct enumval industries[], currencies[]; /* enterprise.c */

/* A date field of rec that must not lie after today: 0, or -1 with e naming it. */
static int not_future(json_t *rec, const char *field, const char *label, struct verr *e)
{
    const char *d = json_string_value(json_object_get(rec, field));
    char today[11];
    today_cn(today);
    if (d && strcmp(d, today) > 0)
        return verr_set(e, 422, "invalid", field, "“%s”(%s)不能晚于今天(%s)", label, d, today);
    return 0;
}

/* The note every move may carry (the stage history shows it in the audit trail). */
static const struct field note_args[] = {
    {"note", FT_TEXTAREA, {"说明", "說明", "Note"}, 0, .max = 2000},
    {NULL},
};

/* ---- the moves' history -------------------------------------------------------------- */

/* Every move of a project or submission is a row of stage_step (written by the workflow's
 * step hook in the move's transaction): who, when, from, to, the note, the values taken. */
int project_sync(db *d)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS stage_step (id %s, entity TEXT NOT NULL, entity_id %s "
             "NOT NULL, at TEXT NOT NULL, user_id %s, username TEXT, from_status TEXT, "
             "to_status TEXT NOT NULL, note TEXT, detail TEXT)",
             db_type_name(d, DT_PK), db_type_name(d, DT_INT), db_type_name(d, DT_INT));
    if (db_exec(d, sql) != DB_OK)
        return DB_ERROR;
    return db_exec(d, "CREATE INDEX IF NOT EXISTS stage_step_entity_i ON stage_step (entity, "
                      "entity_id)");
}

static int write_step(struct ent_ctx *c, const char *entity, const char *field, int64_t id,
                      const json_t *old, const char *to, const json_t *detail, const char *note,
                      const char *at, struct verr *e)
{
    char *d = json_object_size(detail) ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    int rc = db_execv(c->db,
                      "INSERT INTO stage_step (entity, entity_id, at, user_id, username, "
                      "from_status, to_status, note, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      "sisisssss", entity, id, at, c->user_id, c->username,
                      json_string_value(json_object_get(old, field)), to, note, d);
    free(d);
    return rc == DB_OK ? 0 : verr_set(e, 500, "internal", NULL, "数据库错误, 未能记录这一步");
}

static int project_step(struct ent_ctx *c, const struct move *m, int64_t id, const json_t *old,
                        const json_t *body, json_t *detail, const char *note, const char *at,
                        struct verr *e)
{
    (void)body;
    return write_step(c, "project", "stage", id, old, m->to, detail, note, at, e);
}

static int submission_step(struct ent_ctx *c, const struct move *m, int64_t id, const json_t *old,
                           const json_t *body, json_t *detail, const char *note, const char *at,
                           struct verr *e)
{
    (void)body;
    return write_step(c, "submission", "status", id, old, m->to, detail, note, at, e);
}

/* One row of stage_step as the history shows it (a new reference). */
static json_t *step_json(stmt *s)
{
    const char *d = st_text(s, "detail");
    json_t *dj = d ? json_loads(d, 0, NULL) : NULL;
    return json_pack("{s:s, s:s?, s:s?, s:s, s:s?, s:o}", "at", st_text(s, "at"), "username",
                     st_text(s, "username"), "from", st_text(s, "from_status"), "to",
                     st_text(s, "to_status"), "note", st_text(s, "note"), "detail",
                     dj ? dj : json_object());
}

/* GET /api/v1/project/{id}/history, GET /api/v1/submission/{id}/history: the record's
 * moves, oldest first: {"items": [{"at", "username", "from", "to", "note", "detail"}]}
 * (404 outside the scope). */
extern const struct entity project_entity, submission_entity;

void stage_history_h(struct req *r)
{
    const struct entity *ent =
        strstr(r->route->pattern, "/project/") ? &project_entity : &submission_entity;
    reply_rows(r, ent,
               "SELECT at, username, from_status, to_status, note, detail FROM stage_step WHERE "
               "entity = ? AND entity_id = ? ORDER BY id",
               json_pack("[s, I]", ent->name, (json_int_t)r->id), step_json);
}

/* ---- project ------------------------------------------------------------------------- */

static const struct enumval project_kinds[] = {
    {"investment", {"投资", "投資", "Investment"}},
    {"trade", {"贸易", "貿易", "Trade"}},
    {"education", {"教育", "教育", "Education"}},
    {"talent", {"引才引智", "引才引智", "Talent"}},
    {"research", {"科研", "科研", "Research"}},
    {"donated_construction", {"捐建", "捐建", "Donated construction"}},
    {NULL},
};

static const struct enumval stages[] = {
    {"negotiating", {"洽谈中", "洽談中", "Negotiating"}},
    {"signed", {"已签约", "已簽約", "Signed"}},
    {"landed", {"已落地", "已落地", "Landed"}},
    {"operating", {"投产运营", "投產運營", "Operating"}},
    {"terminated", {"已终止", "已終止", "Terminated"}},
    {NULL},
};

/* A project is not signed in the future; an amount in another currency names it. */
static int project_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    (void)c;
    (void)old;
    if (not_future(rec, "signed_on", "签约日期", e))
        return -1;
    json_t *orig = json_object_get(rec, "amount_original");
    const char *cur = json_string_value(json_object_get(rec, "currency"));
    if (orig && !json_is_null(orig) && !cur)
        return verr_set(e, 422, "invalid", "currency", "填写了“原币金额”, 请同时填写“币种”");
    json_t *amount = json_object_get(rec, "amount");
    if (json_is_integer(amount) && json_integer_value(amount) < 0)
        return verr_set(e, 422, "invalid", "amount", "“金额”不能为负数");
    return 0;
}

static const struct workflow project_workflow = {
    .field = "stage",
    .args = note_args,
    .step = project_step,
    .moves =
        (const struct move[]){
            {"negotiating",
             "signed",
             0,
             (const char *const[]){"signed_on", NULL},
             (const char *const[]){"signed_on", NULL},
             {"签约", "簽約", "Sign"}},
            {"signed", "landed", 0, NULL, NULL, {"落地", "落地", "Land"}},
            {"landed", "operating", 0, NULL, NULL, {"投产运营", "投產運營", "Start operating"}},
            {"negotiating,signed,landed",
             "terminated",
             0,
             NULL,
             NULL,
             {"终止", "終止", "Terminate"}},
            {NULL},
        },
};

const struct entity project_entity = {
    .name = "project",
    .label = {"合作项目", "合作項目", "Project"},
    .module = "event",
    .title = "name",
    .flags = EF_OWNED,
    .check = project_check,
    .workflow = &project_workflow,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG,
            {"name",
             FT_TEXT,
             {"项目名称", "項目名稱", "Name"},
             FF_REQUIRED | FF_LIST | FF_SEARCH,
             .max = 200},
            {"kind",
             FT_ENUM,
             {"类型", "類型", "Kind"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             project_kinds},
            FIELD_PARTY("partner", "合作方", "合作方", "Partner",
                        PT_PERSON | PT_ASSOCIATION | PT_ENTERPRISE | PT_NAME, 0),
            {"amount",
             FT_MONEY,
             {"金额", "金額", "Amount (CNY)"},
             FF_LIST,
             .min = 0,
             .max = INT64_MAX},
            {"currency", FT_ENUM, {"原币种", "原幣種", "Currency agreed"}, 0, currencies},
            {"amount_original",
             FT_MONEY,
             {"原币金额", "原幣金額", "Amount in that currency"},
             0,
             .currency = "currency",
             .min = 0,
             .max = INT64_MAX},
            {"stage",
             FT_ENUM,
             {"阶段", "階段", "Stage"},
             FF_READONLY | FF_LIST | FF_INDEX,
             stages,
             .dflt = "negotiating"},
            {"signed_on",
             FT_DATE,
             {"签约日期", "簽約日期", "Signed on"},
             FF_READONLY | FF_LIST | FF_INDEX},
            {"event_id",
             FT_REF,
             {"签约活动", "簽約活動", "Signed at event"},
             FF_INDEX,
             .ref = "event"},
            {"industry", FT_ENUM, {"行业", "行業", "Industry"}, FF_INDEX, industries},
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            FIELDS_TAIL,
        },
};

/* ---- submission ---------------------------------------------------------------------- */

static const struct enumval submission_kinds[] = {
    {"info", {"侨情信息", "僑情信息", "Information"}},
    {"research", {"调研报告", "調研報告", "Research report"}},
    {"proposal", {"建议/提案", "建議/提案", "Proposal"}},
    {"opinion", {"社情民意", "社情民意", "Public opinion"}},
    {NULL},
};

static const struct enumval submission_statuses[] = {
    {"submitted", {"已报送", "已報送", "Submitted"}},
    {"adopted", {"已采用", "已採用", "Adopted"}},
    {"instructed", {"获批示", "獲批示", "Instructed"}},
    {"rejected", {"未采用", "未採用", "Not adopted"}},
    {NULL},
};

/* Adopted on or after the day it was submitted, and not in the future. */
static int submission_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    (void)c;
    (void)old;
    if (not_future(rec, "submitted_on", "报送日期", e) ||
        not_future(rec, "adopted_on", "采用日期", e))
        return -1;
    const char *sub = json_string_value(json_object_get(rec, "submitted_on"));
    const char *ad = json_string_value(json_object_get(rec, "adopted_on"));
    if (sub && ad && strcmp(ad, sub) < 0)
        return verr_set(e, 422, "invalid", "adopted_on", "“采用日期”(%s)不能早于“报送日期”(%s)", ad,
                        sub);
    return 0;
}

static const char *const adoption[] = {"adopted_level", "adopted_by", "adopted_on", NULL};

static const struct workflow submission_workflow = {
    .field = "status",
    .args = note_args,
    .step = submission_step,
    .moves =
        (const struct move[]){
            {"submitted", "adopted", 0, adoption, adoption, {"采用", "採用", "Adopted"}},
            {"submitted,adopted",
             "instructed",
             0,
             adoption,
             (const char *const[]){"adopted_by", "adopted_on", NULL},
             {"获批示", "獲批示", "Instructed"}},
            {"submitted", "rejected", 0, NULL, NULL, {"未采用", "未採用", "Not adopted"}},
            {NULL},
        },
};

/* GET /api/v1/project/stages: {items: [{stage, projects, amount}]}, the reader's projects
 * by stage in the workflow's order (amount: fen of CNY summed), for the pipeline board. */
void project_stages_h(struct req *r)
{
    buf sql = {0};
    json_t *binds = json_array();
    buf_puts(&sql, "SELECT t.stage, count(*) AS n, coalesce(sum(t.amount), 0) AS amount FROM "
                   "project t WHERE t.deleted_at IS NULL");
    ent_scope_sql(&r->ctx, &project_entity, &sql, binds);
    buf_puts(&sql, " GROUP BY t.stage");
    stmt *s = db_prepare_json(r->db, buf_str(&sql), binds);
    buf_free(&sql);
    json_decref(binds);
    json_t *by = json_object();
    int rc = DB_ERROR;
    while (s && (rc = st_step(s)) == DB_ROW)
        json_object_set_new(by, st_text(s, "stage"),
                            json_pack("{s:I, s:I}", "projects", (json_int_t)st_int(s, "n"),
                                      "amount", (json_int_t)st_int(s, "amount")));
    st_finalize(s);
    if (rc != DB_DONE) {
        json_decref(by);
        reply_db_error(r, "数据库错误, 请稍后再试");
        return;
    }
    json_t *items = json_array();
    for (const struct enumval *v = stages; v->value; v++) {
        json_t *o = json_object_get(by, v->value);
        json_array_append_new(
            items, json_pack("{s:s, s:I, s:I}", "stage", v->value, "projects",
                             o ? json_integer_value(json_object_get(o, "projects")) : 0, "amount",
                             o ? json_integer_value(json_object_get(o, "amount")) : 0));
    }
    json_decref(by);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

const struct entity submission_entity = {
    .name = "submission",
    .label = {"信息报送", "信息報送", "Submission"},
    .module = "event",
    .title = "title",
    .flags = EF_OWNED,
    .check = submission_check,
    .workflow = &submission_workflow,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG,
            {"title",
             FT_TEXT,
             {"标题", "標題", "Title"},
             FF_REQUIRED | FF_LIST | FF_SEARCH,
             .max = 200},
            {"kind",
             FT_ENUM,
             {"类型", "類型", "Kind"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             submission_kinds},
            {"authors", FT_LIST, {"作者", "作者", "Authors"}, FF_LIST | FF_SEARCH, .max = 100},
            {"submitted_on",
             FT_DATE,
             {"报送日期", "報送日期", "Submitted on"},
             FF_REQUIRED | FF_LIST | FF_INDEX},
            {"submitted_to", FT_TEXT, {"报送单位", "報送單位", "Submitted to"}, 0, .max = 100},
            {"status",
             FT_ENUM,
             {"状态", "狀態", "Status"},
             FF_READONLY | FF_LIST | FF_INDEX,
             submission_statuses,
             .dflt = "submitted"},
            {"adopted_level",
             FT_ENUM,
             {"采用级别", "採用級別", "Adopted at level"},
             FF_READONLY | FF_INDEX | FF_LIST,
             body_levels},
            {"adopted_by",
             FT_TEXT,
             {"采用单位", "採用單位", "Adopted by"},
             FF_READONLY | FF_LIST,
             .max = 100},
            {"adopted_on",
             FT_DATE,
             {"采用日期", "採用日期", "Adopted on"},
             FF_READONLY | FF_LIST | FF_INDEX},
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            FIELDS_TAIL,
        },
};
