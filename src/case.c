/* case.c - the service desk (SPEC "Service desk"): the case entity, its status machine,
 * the timeline, referrals, attachments and the case figures.
 *
 * Status:  received 受理 -> assigned 分派 -> in_progress 办理中 -> resolved 办结 -> closed
 * 回访归档, and referred 转办 (to another org of the tree, which then owns the case, or to an
 *          outside agency), rejected 不予受理. The machine is `moves[]`; status and the fields
 *          a move sets are readonly in the declaration, so PATCH cannot change them.
 * Timeline: every create, move, edit and note is a row of case_step, written in the same
 *          transaction as the change, with the attachment if any.
 * Numbers: "2024-000123" per org and year, from the case_counter table (number.h: taken
 *          inside the create transaction, gapless, never reused); org_number says it with
 *          the place of its org, as people say it on the phone: "云溪 2025-000025".
 * Roles:   the assignee (a user), the mediator and the legal advisor (people of the
 *          registry, from the roster GET /api/v1/case/people). A mediator (the role) may
 *          read the cases they are on, add notes and attachments, start work and record
 *          the result (办结); the moves that decide for the federation (分派, 转办, 不予受理,
 *          回访归档) name the roles that may make them (`roles` of a move), and a mediator
 *          may not open, edit or delete a case. ent_transition refuses the rest (403).
 * SLAs:    overdue (past due_on), unassigned (still 受理 after the admin's number of working
 *          days: case.assign_days in qiao_meta, GET/PUT /api/v1/case/settings, 2 unset)
 *          and due_soon (due within two working days): computed on every read, and list
 *          filters (overdue=1, sla=unassigned|due_soon) for lists and exports alike.
 * Access:  the org scope as for every owned entity, plus `case_scope`: a user with the
 *          mediator role sees only the cases whose mediator or legal advisor is the person
 *          linked to their user (user.person_id). An org that referred a case away keeps
 *          read access to it and its timeline through case_access.
 * Files:   attachments are stored once per content (SHA-256) in case_blob as base64 text
 *          (engine-neutral), typed by their first bytes, served as downloads only. */
#include "case.h"
#include "api.h"
#include "audit.h"
#include "workday.h"
#include "module.h"
#include "number.h"
#include "setting.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ATTACH_MAX (10u << 20) /* bytes of one attachment */

extern const struct entity user_entity, person_entity, org_entity;

const struct enumval case_categories[] = {
    {"government", {"政务", "政務", "Government affairs"}},
    {"legal", {"法务", "法務", "Legal"}},
    {"business", {"商务", "商務", "Business"}},
    {"affairs", {"事务", "事務", "General affairs"}},
    {"labor", {"劳务", "勞務", "Labour"}},
    {NULL},
};

static const struct enumval channels[] = {
    {"walk_in", {"来访", "來訪", "Walk-in"}}, {"phone", {"来电", "來電", "Phone"}},
    {"online", {"网上", "網上", "Online"}},   {"wechat", {"微信", "微信", "WeChat"}},
    {"letter", {"来信", "來信", "Letter"}},   {"referral", {"转来", "轉來", "Referral"}},
    {"hotline", {"热线", "熱線", "Hotline"}}, {NULL},
};

static const struct enumval statuses[] = {
    {"received", {"受理", "受理", "Received"}},
    {"assigned", {"分派", "分派", "Assigned"}},
    {"in_progress", {"办理中", "辦理中", "In progress"}},
    {"resolved", {"办结", "辦結", "Resolved"}},
    {"closed", {"回访归档", "回訪歸檔", "Closed"}},
    {"referred", {"转办", "轉辦", "Referred"}},
    {"rejected", {"不予受理", "不予受理", "Rejected"}},
    {NULL},
};

static const struct enumval slas[] = {
    {"unassigned", {"超时未分派", "超時未分派", "Not assigned in time"}},
    {"due_soon", {"即将到期", "即將到期", "Due soon"}},
    {NULL},
};

/* Statuses of cases still being worked on: they can be overdue. */
static const char *const open_statuses = "received,assigned,in_progress,referred";

/* SLAs: working days a new case may wait to be assigned (the admin's setting, 2 until
 * changed: GET/PUT /api/v1/case/settings); working days before its due date a case counts
 * as due soon. */
#define ASSIGN_DAYS_KEY     "case.assign_days"
#define ASSIGN_DAYS_DEFAULT 2
#define SLA_SOON_DAYS       2
static const struct field assign_days_field = {
    "assign_days",
    FT_INT,
    {"分派时限(工作日)", "分派時限(工作日)", "Days to assign (working days)"},
    FF_REQUIRED,
    .min = 1,
    .max = 60};

/* Working days a case has by default, per category (the due date counts from receipt). */
static int due_days(const char *category)
{
    if (category && (!strcmp(category, "legal") || !strcmp(category, "labor")))
        return 30;
    return 15;
}

static int case_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e);
static int case_may_create(struct ent_ctx *c, struct verr *e);
static int case_after_write(struct ent_ctx *c, int64_t id, json_t *rec, const json_t *old,
                            struct verr *e);
static void case_scope(struct ent_ctx *c, buf *sql, json_t *binds);
static void case_compute(struct ent_ctx *c, json_t *rec);
static int case_filter(struct ent_ctx *c, const char *key, const char *value, buf *sql,
                       json_t *binds, struct verr *e);
static char *org_tag(const char *short_name, const char *name);
static const char *said_number(const char *tag, const char *number);
static int case_move_before(struct ent_ctx *c, const struct move *m, int64_t id, const json_t *old,
                            const json_t *args, const json_t *body, json_t *set, json_t *detail,
                            const char *at, struct verr *e);
static int case_move_step(struct ent_ctx *c, const struct move *m, int64_t id, const json_t *old,
                          const json_t *body, json_t *detail, const char *note, const char *at,
                          struct verr *e);

/* The values a move takes besides "to" that are not the case's fields, declared like
 * fields so the edge checks them; the note comes first (every move takes it). */
static const struct field case_args[] = {
    {"note", FT_TEXTAREA, {"说明", "說明", "Note"}, 0, .max = 2000},
    {"to_org_id", FT_REF, {"转办组织", "轉辦組織", "Referred to org"}, 0, .ref = "org"},
    {"agency", FT_TEXT, {"转办机构", "轉辦機構", "Agency"}, 0, .max = 100},
    {"reply_due", FT_DATE, {"预计答复日期", "預計答覆日期", "Reply expected on"}, 0},
    {"reason", FT_TEXTAREA, {"不予受理理由", "不予受理理由", "Reason"}, 0, .max = 2000},
    {NULL},
};

/* The roles that decide for the federation: a volunteer mediator does not assign, refer,
 * reject or close a case. */
#define DECIDERS "admin,leader,staff"

/* The status machine (SPEC "Service desk"): every allowed move; anything else is a 409.
 * The order is that of the buttons on the case page. */
static const struct workflow case_workflow = {
    .field = "status",
    .args = case_args,
    .raw = (const char *const[]){"attachment", NULL},
    .before = case_move_before,
    .step = case_move_step,
    .moves =
        (const struct move[]){
            {"received,referred",
             "assigned",
             0,
             (const char *const[]){"assignee_id", "mediator_id", "legal_advisor_id", "due_on",
                                   NULL},
             (const char *const[]){"assignee_id", NULL},
             {"分派", "分派", "Assign"},
             {NULL},
             DECIDERS},
            {"resolved",
             "closed",
             0,
             (const char *const[]){"satisfaction", NULL},
             NULL,
             {"回访归档", "回訪歸檔", "Follow up and close"},
             {NULL},
             DECIDERS},
            {"assigned,referred,resolved",
             "in_progress",
             0,
             NULL,
             NULL,
             {"开始办理", "開始辦理", "Start"}},
            {"in_progress,referred",
             "resolved",
             0,
             (const char *const[]){"resolution", "amount_recovered", NULL},
             (const char *const[]){"resolution", NULL},
             {"办结", "辦結", "Resolve"}},
            {"received,assigned,in_progress",
             "referred",
             0,
             (const char *const[]){"to_org_id", "agency", "reply_due", NULL},
             NULL,
             {"转办", "轉辦", "Refer"},
             {"填写“转办组织”(本系统中的组织) 或“转办机构”(外部机构, 如法院、劳动仲裁委) 之一",
              "填寫「轉辦組織」(本系統中的組織) 或「轉辦機構」(外部機構, 如法院、勞動仲裁委) 之一",
              "Either an org in qiao, or an outside agency (a court, a labour tribunal)"},
             DECIDERS},
            {"received,assigned,referred",
             "rejected",
             0,
             (const char *const[]){"reason", NULL},
             (const char *const[]){"reason", NULL},
             {"不予受理", "不予受理", "Reject"},
             {NULL},
             DECIDERS},
            {NULL},
        },
};

const struct entity case_entity = {
    .name = "case",
    .label = {"服务案件", "服務案件", "Case"},
    .module = "case",
    .title = "number",
    .flags = EF_OWNED,
    .check = case_check,
    .may_create = case_may_create,
    .after_write = case_after_write,
    .scope = case_scope,
    .filter = case_filter,
    .workflow = &case_workflow,
    .computed =
        (const struct field[]){{"overdue", FT_BOOL, {"逾期", "逾期", "Overdue"}, FF_LIST},
                               {"sla", FT_ENUM, {"时限提醒", "時限提醒", "SLA"}, FF_LIST, slas},
                               /* the assignee named to whoever sees the case (a county's
                                * case handled by a city's staff: no user of the reader's) */
                               {"assignee_name",
                                FT_TEXT,
                                {"承办人姓名", "承辦人姓名", "Assignee's name"},
                                FF_READONLY,
                                .sql = "SELECT coalesce(nullif(u.name, ''), u.username) FROM "
                                       "\"user\" u WHERE u.id = t.assignee_id"},
                               {NULL}},
    .compute = case_compute,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG,
            {"number",
             FT_TEXT,
             {"案件编号", "案件編號", "Number"},
             FF_READONLY | FF_SEARCH | FF_INDEX,
             .max = 20},
            {"org_number",
             FT_TEXT,
             {"案件号", "案件號", "Case no."},
             FF_READONLY | FF_LIST | FF_SEARCH | FF_INDEX,
             .max = 60},
            {"category",
             FT_ENUM,
             {"类别", "類別", "Category"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             case_categories},
            {"subtype", FT_TEXT, {"具体事项", "具體事項", "Subtype"}, 0, .max = 50},
            {"channel", FT_ENUM, {"来源渠道", "來源渠道", "Channel"}, 0, channels},
            {"applicant_id", FT_REF, {"申请人", "申請人", "Applicant"}, 0, .ref = "person"},
            {"applicant_name",
             FT_TEXT,
             {"申请人姓名", "申請人姓名", "Applicant's name"},
             FF_LIST | FF_SEARCH,
             .max = 50},
            {"applicant_contact",
             FT_TEXT,
             {"申请人联系方式", "申請人聯絡方式", "Applicant's contact"},
             FF_SENSITIVE,
             .max = 100},
            {"applicant_country",
             FT_COUNTRY,
             {"申请人所在国家或地区", "申請人所在國家或地區", "Applicant's country"},
             0},
            {"received_at", FT_DATETIME, {"受理时间", "受理時間", "Received"}, FF_LIST},
            {"summary",
             FT_TEXT,
             {"诉求摘要", "訴求摘要", "Summary"},
             FF_REQUIRED | FF_LIST | FF_SEARCH,
             .max = 200},
            {"details", FT_TEXTAREA, {"详细情况", "詳細情況", "Details"}, FF_SEARCH},
            {"status",
             FT_ENUM,
             {"状态", "狀態", "Status"},
             FF_READONLY | FF_LIST | FF_INDEX,
             statuses,
             .dflt = "received"},
            {"assignee_id", FT_REF, {"承办人", "承辦人", "Assignee"}, FF_LIST, .ref = "user"},
            {"mediator_id", FT_REF, {"调解员", "調解員", "Mediator"}, 0, .ref = "person"},
            {"legal_advisor_id",
             FT_REF,
             {"法律顾问", "法律顧問", "Legal advisor"},
             0,
             .ref = "person"},
            {"due_on", FT_DATE, {"办理期限", "辦理期限", "Due on"}, FF_LIST | FF_INDEX},
            {"amount_claimed", FT_MONEY, {"涉及金额", "涉及金額", "Amount claimed"}, 0},
            {"amount_recovered", FT_MONEY, {"挽回金额", "挽回金額", "Amount recovered"}, 0},
            {"resolution", FT_TEXTAREA, {"办理结果", "辦理結果", "Resolution"}, 0},
            {"resolved_at", FT_DATETIME, {"办结时间", "辦結時間", "Resolved"}, FF_READONLY},
            {"satisfaction", FT_INT, {"满意度", "滿意度", "Satisfaction"}, 0, .min = 1, .max = 5},
            {"followed_up_at", FT_DATETIME, {"回访时间", "回訪時間", "Followed up"}, 0},
            {"referral_agency",
             FT_TEXT,
             {"转办机构", "轉辦機構", "Referred to agency"},
             FF_READONLY,
             .max = 100},
            {"referral_due_on",
             FT_DATE,
             {"预计答复日期", "預計答覆日期", "Reply expected on"},
             FF_READONLY},
            {"referred_from_org_id",
             FT_REF,
             {"转出组织", "轉出組織", "Referred from"},
             FF_READONLY,
             .ref = "org"},
            {"reject_reason",
             FT_TEXTAREA,
             {"不予受理理由", "不予受理理由", "Reason for rejection"},
             FF_READONLY},
            /* a request from the public portal (portal.c): the applicant's tracking number
             * and a hash of their lookup code (never the code) */
            {"tracking_number",
             FT_TEXT,
             {"网上查询号", "網上查詢號", "Tracking number"},
             FF_READONLY | FF_SEARCH | FF_UNIQUE,
             .max = 20},
            {"lookup_hash",
             FT_KEY,
             {"查询码摘要", "查詢碼摘要", "Lookup code hash"},
             FF_READONLY | FF_HIDDEN},
            FIELDS_TAIL,
        },
};

/* ---- schema ------------------------------------------------------------------------- */

int case_sync(db *d)
{
    const char *pk = db_type_name(d, DT_PK), *in = db_type_name(d, DT_INT),
               *key = db_type_name(d, DT_KEY);
    char sql[1024];
    if (number_sync(d, "case_counter") != DB_OK)
        return DB_ERROR;
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS case_step (id %s, case_id %s NOT NULL REFERENCES "
             "\"case\"(id), at TEXT NOT NULL, user_id %s, username TEXT, action TEXT NOT NULL, "
             "from_status TEXT, to_status TEXT, note TEXT, detail TEXT, file_sha256 %s, "
             "file_name TEXT, file_type TEXT, file_size %s)",
             pk, in, in, key, in);
    if (db_exec(d, sql) != DB_OK ||
        db_exec(d, "CREATE INDEX IF NOT EXISTS case_step_case_i ON case_step (case_id)") != DB_OK)
        return DB_ERROR;
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS case_access (case_id %s NOT NULL REFERENCES "
             "\"case\"(id), org_id %s NOT NULL REFERENCES \"org\"(id), PRIMARY KEY (case_id, "
             "org_id))",
             in, in);
    if (db_exec(d, sql) != DB_OK ||
        db_exec(d, "CREATE INDEX IF NOT EXISTS case_access_org_i ON case_access (org_id)") != DB_OK)
        return DB_ERROR;
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS case_blob (sha256 %s PRIMARY KEY, type TEXT NOT NULL, "
             "size %s NOT NULL, data TEXT NOT NULL, created_at TEXT NOT NULL)",
             key, in);
    if (db_exec(d, sql) != DB_OK)
        return DB_ERROR;
    /* Cases written before org_number: their number said with the place of their org. */
    stmt *s = db_prepare(d, "SELECT c.id, c.number, o.name, o.short_name FROM \"case\" c JOIN "
                            "\"org\" o ON o.id = c.org_id WHERE c.org_number IS NULL");
    int rc = s ? DB_OK : DB_ERROR;
    while (rc == DB_OK && st_step(s) == DB_ROW) {
        char *tag = org_tag(st_text(s, "short_name"), st_text(s, "name"));
        rc = db_execv(d, "UPDATE \"case\" SET org_number = ? WHERE id = ?", "si",
                      said_number(tag, st_text(s, "number")), st_int(s, "id"));
        free(tag);
    }
    st_finalize(s);
    return rc;
}

/* ---- helpers ------------------------------------------------------------------------ */

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int present(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v && !json_is_null(v);
}

static int is_mediator(const struct ent_ctx *c)
{
    return c->role && !strcmp(c->role, "mediator");
}

/* The place an org is named by, as people say a case number: the short name (or the name)
 * without 归国华侨联合会 / 侨联, and without 县 / 市 / 区 … when two characters are left
 * ("云溪县侨联" → "云溪"). Allocated (free it). */
static char *org_tag(const char *short_name, const char *name)
{
    static const char *const bodies[] = {"归国华侨联合会", "侨联", NULL};
    static const char *const places[] = {"自治县", "自治州", "县", "市",   "区",
                                         "省",     "镇",     "乡", "街道", NULL};
    char *t = xstrdup(short_name && *short_name ? short_name : name ? name : "");
    size_t n = strlen(t);
    for (int i = 0; bodies[i]; i++) {
        size_t k = strlen(bodies[i]);
        if (n > k && !strcmp(t + n - k, bodies[i])) {
            t[n -= k] = 0;
            break;
        }
    }
    for (int i = 0; places[i]; i++) {
        size_t k = strlen(places[i]);
        if (n > k && !strcmp(t + n - k, places[i])) {
            t[n - k] = 0;
            if (utf8_len(t) < 2)
                t[n - k] = places[i][0]; /* put it back: "甲县" stays */
            break;
        }
    }
    return t;
}

/* "云溪" and "2025-000025" → "云溪 2025-000025", in a static buffer of the caller's thread. */
static const char *said_number(const char *tag, const char *number)
{
    static __thread char out[128];
    snprintf(out, sizeof out, "%s%s%s", tag, *tag ? " " : "", number ? number : "");
    return out;
}

/* The date part of a UTC datetime in Beijing time ("2024-05-01T20:00:00Z" -> 2024-05-02). */
static void cn_date(const char *utc, char out[11])
{
    struct tm tm = {0};
    if (!utc || sscanf(utc, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                       &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
        today_cn(out);
        return;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm) + 8 * 3600;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* A mediator sees only the cases they are on (entity scope hook, see entity.h). */
static void case_scope(struct ent_ctx *c, buf *sql, json_t *binds)
{
    if (!is_mediator(c))
        return;
    buf_puts(sql, " AND (t.mediator_id IN (SELECT person_id FROM \"user\" WHERE id = ?) OR "
                  "t.legal_advisor_id IN (SELECT person_id FROM \"user\" WHERE id = ?))");
    json_array_append_new(binds, json_integer(c->user_id));
    json_array_append_new(binds, json_integer(c->user_id));
}

/* Append a timeline entry for case id inside the caller's transaction. detail may be NULL;
 * file (NULL for none) is {sha256, name, type, size}. DB_OK or DB_ERROR. */
static int step_add(struct ent_ctx *c, int64_t id, const char *at, const char *action,
                    const char *from, const char *to, const char *note, json_t *detail,
                    json_t *file)
{
    char now[21];
    if (!at) {
        now_utc(now);
        at = now;
    }
    char *d = detail && json_object_size(detail) ? json_dumps(detail, JSON_COMPACT) : NULL;
    stmt *s = db_prepare(c->db, "INSERT INTO case_step (case_id, at, user_id, username, action, "
                                "from_status, to_status, note, detail, file_sha256, file_name, "
                                "file_type, file_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                "?, ?)");
    int rc = DB_ERROR;
    if (s) {
        st_bind_int(s, 1, id);
        st_bind_text(s, 2, at);
        if (c->user_id)
            st_bind_int(s, 3, c->user_id);
        else
            st_bind_null(s, 3);
        st_bind_text(s, 4, c->username ? c->username : "system");
        st_bind_text(s, 5, action);
        st_bind_text(s, 6, from);
        st_bind_text(s, 7, to);
        st_bind_text(s, 8, note && *note ? note : NULL);
        st_bind_text(s, 9, d);
        st_bind_text(s, 10, file ? str(file, "sha256") : NULL);
        st_bind_text(s, 11, file ? str(file, "name") : NULL);
        st_bind_text(s, 12, file ? str(file, "type") : NULL);
        if (file)
            st_bind_int(s, 13, json_integer_value(json_object_get(file, "size")));
        else
            st_bind_null(s, 13);
        rc = st_step(s) == DB_DONE ? DB_OK : DB_ERROR;
        st_finalize(s);
    }
    free(d);
    return rc;
}

/* ---- the entity's hooks ------------------------------------------------------------- */

static int case_may_create(struct ent_ctx *c, struct verr *e)
{
    if (is_mediator(c))
        return verr_set(e, 403, "forbidden", NULL, "调解员不能登记新案件, 请由业务员受理");
    return 0;
}

static int case_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    if (old && !c->move && is_mediator(c))
        return verr_set(e, 403, "forbidden", NULL,
                        "调解员不能修改案件信息: 办理进展请写备注, 结果请用“办结”");
    if (old && !c->move &&
        !json_equal(json_object_get(rec, "org_id"), json_object_get(old, "org_id")))
        return verr_set(e, 422, "invalid", "org_id", "案件的承办组织只能通过“转办”改变");
    if (present(rec, "applicant_id")) {
        if (!present(rec, "applicant_name") ||
            (old && !json_equal(json_object_get(rec, "applicant_id"),
                                json_object_get(old, "applicant_id")))) {
            stmt *s = db_prepare(c->db, "SELECT name FROM \"person\" WHERE id = ?");
            st_bind_int(s, 1, json_integer_value(json_object_get(rec, "applicant_id")));
            if (s && st_step(s) == DB_ROW)
                json_object_set_new(rec, "applicant_name", json_string(st_text(s, "name")));
            st_finalize(s);
        }
    } else {
        if (!present(rec, "applicant_name"))
            return verr_set(e, 422, "invalid", "applicant_name",
                            "请选择已登记的申请人, 或填写“申请人姓名”和“申请人联系方式”");
        if (!present(rec, "applicant_contact"))
            return verr_set(e, 422, "invalid", "applicant_contact",
                            "未登记的申请人须填写“申请人联系方式”");
    }
    if (old)
        return 0;
    char now[21], day[11], num[32];
    if (!present(rec, "received_at")) {
        now_utc(now);
        json_object_set_new(rec, "received_at", json_string(now));
    }
    cn_date(str(rec, "received_at"), day);
    if (number_next(c, "case_counter", json_integer_value(json_object_get(rec, "org_id")),
                    atoi(day), num, msg_cur("案件编号"), e))
        return -1;
    json_object_set_new(rec, "number", json_string(num));
    stmt *s = db_prepare(c->db, "SELECT name, short_name FROM \"org\" WHERE id = ?");
    st_bind_int(s, 1, json_integer_value(json_object_get(rec, "org_id")));
    if (s && st_step(s) == DB_ROW) {
        char *tag = org_tag(st_text(s, "short_name"), st_text(s, "name"));
        json_object_set_new(rec, "org_number", json_string(said_number(tag, num)));
        free(tag);
    }
    st_finalize(s);
    if (!present(rec, "due_on")) {
        char due[11];
        if (workday_add_db(c->db, day, due_days(str(rec, "category")), due) == 0)
            json_object_set_new(rec, "due_on", json_string(due));
    }
    return 0;
}

/* The timeline entry of a create or an edit (moves write their own: case_move_step). */
static int case_after_write(struct ent_ctx *c, int64_t id, json_t *rec, const json_t *old,
                            struct verr *e)
{
    if (c->move)
        return 0;
    int rc;
    if (!old) {
        rc = step_add(c, id, NULL, "create", NULL, "received", NULL, NULL, NULL);
    } else {
        /* detail.changes: {field: [before, after]}, shown in the reader's language */
        json_t *ch = json_object();
        for (const struct field *f = case_entity.fields; f->name; f++) {
            if (!strcmp(f->name, "updated_at") || (f->flags & FF_HIDDEN))
                continue;
            json_t *a = json_object_get(old, f->name), *b = json_object_get(rec, f->name);
            if (json_equal(a ? a : json_null(), b ? b : json_null()))
                continue;
            /* a sensitive or long value is named, not copied: the audit trail has it */
            if ((f->flags & FF_SENSITIVE) || f->type == FT_TEXTAREA)
                json_object_set_new(ch, f->name, json_true());
            else
                json_object_set_new(ch, f->name,
                                    json_pack("[O,O]", a ? a : json_null(), b ? b : json_null()));
        }
        json_t *detail = json_pack("{s:o}", "changes", ch);
        rc = json_object_size(ch) ? step_add(c, id, NULL, "edit", str(old, "status"),
                                             str(old, "status"), NULL, detail, NULL)
                                  : DB_OK;
        json_decref(detail);
    }
    if (rc != DB_OK)
        return verr_set(e, 500, "internal", NULL, "无法写入案件时间线");
    return 0;
}

/* ---- attachments -------------------------------------------------------------------- */

static int valid_text(const unsigned char *p, size_t n)
{
    if (!utf8_valid((const char *)p, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t' && p[i] != '\f') ||
            p[i] == 0x7f)
            return 0;
    return 1;
}

static int contains(const unsigned char *p, size_t n, const char *needle)
{
    return memmem(p, n, needle, strlen(needle)) != NULL;
}

const char *attach_sniff(const unsigned char *p, size_t n, const char **ext)
{
    if (n >= 5 && !memcmp(p, "%PDF-", 5))
        return *ext = ".pdf", "application/pdf";
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
        return *ext = ".png", "image/png";
    if (n >= 3 && !memcmp(p, "\xFF\xD8\xFF", 3))
        return *ext = ".jpg", "image/jpeg";
    if (n >= 4 && !memcmp(p, "PK\x03\x04", 4)) {
        /* An Office Open XML file: a zip whose parts live under word/ or xl/. */
        if (contains(p, n, "word/"))
            return *ext = ".docx",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        if (contains(p, n, "xl/"))
            return *ext = ".xlsx",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        return NULL;
    }
    if (n > 0 && valid_text(p, n))
        return *ext = ".txt", "text/plain; charset=utf-8";
    return NULL;
}

/* A file name safe for a header: no path, no quotes or controls, at most 100 bytes, ending
 * in the extension of the sniffed type. Allocated from a. */
static char *safe_name(arena *a, const char *name, const char *ext)
{
    buf b = {0};
    const char *base = name ? name : "";
    for (const char *p = base; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    for (const unsigned char *p = (const unsigned char *)base; *p && b.len < 100; p++)
        if (*p >= 0x20 && *p != '"' && *p != 0x7f && *p != ';')
            buf_putc(&b, (char)*p);
    while (b.len && (b.s[b.len - 1] & 0xC0) == 0x80) /* do not cut a character */
        b.len--;
    if (b.len && (unsigned char)b.s[b.len - 1] >= 0xC0)
        b.len--;
    if (b.len)
        b.s[b.len] = 0;
    if (!b.len)
        buf_puts(&b, "附件");
    size_t el = strlen(ext);
    if (b.len < el || strcasecmp(b.s + b.len - el, ext))
        buf_puts(&b, ext);
    char *r = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return r;
}

/* Store the attachment {"name", "data" (base64, or a data: URL)} of a body. *file gets
 * {sha256, name, type, size} (new reference), or NULL when the body has none. */
static int attach_store(struct ent_ctx *c, json_t *att, json_t **file, struct verr *e)
{
    *file = NULL;
    if (!att || json_is_null(att))
        return 0;
    const char *name = str(att, "name"), *data = str(att, "data");
    if (!json_is_object(att) || !data)
        return verr_set(e, 422, "invalid", "attachment",
                        "“附件”应为 {\"name\": 文件名, \"data\": base64 内容}");
    const char *comma = strncmp(data, "data:", 5) ? NULL : strchr(data, ',');
    if (comma)
        data = comma + 1;
    size_t len = strlen(data), max = len / 4 * 3 + 3, n = 0;
    if (max > ATTACH_MAX + 3)
        return verr_set(e, 413, "too_large", "attachment", "附件太大: 最多 %u MB",
                        ATTACH_MAX >> 20);
    unsigned char *bin = xmalloc(max + 1);
    int rc = 0;
    if (sodium_base642bin(bin, max, data, len, " \r\n", &n, NULL, sodium_base64_VARIANT_ORIGINAL)) {
        rc = verr_set(e, 422, "invalid", "attachment", "附件内容不是有效的 base64 编码");
        goto out;
    }
    if (n == 0) {
        rc = verr_set(e, 422, "invalid", "attachment", "附件是空文件");
        goto out;
    }
    if (n > ATTACH_MAX) {
        rc = verr_set(e, 413, "too_large", "attachment", "附件太大: 最多 %u MB", ATTACH_MAX >> 20);
        goto out;
    }
    const char *ext, *type = attach_sniff(bin, n, &ext);
    if (!type) {
        rc = verr_set(e, 422, "invalid", "attachment",
                      "不支持的附件类型: 只接受 PDF、PNG、JPEG、Word(docx)、Excel(xlsx) 和纯文本");
        goto out;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(h, bin, n);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    size_t b64len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = xmalloc(b64len);
    sodium_bin2base64(b64, b64len, bin, n, sodium_base64_VARIANT_ORIGINAL);
    char now[21];
    now_utc(now);
    int dbrc = db_execv(c->db,
                        "INSERT INTO case_blob (sha256, type, size, data, created_at) VALUES (?, "
                        "?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                        "ssiss", hex, type, (int64_t)n, b64, now);
    free(b64);
    if (dbrc != DB_OK) {
        rc = verr_set(e, 500, "internal", NULL, "无法保存附件");
        goto out;
    }
    *file = json_pack("{s:s, s:s, s:s, s:I}", "sha256", hex, "name", safe_name(c->a, name, ext),
                      "type", type, "size", (json_int_t)n);
out:
    free(bin);
    return rc;
}

/* ---- moves -------------------------------------------------------------------------- */

/* What a move sets beyond the fields it takes (the workflow's before hook): a referral
 * hands the case to another org (which must be active; the referring org keeps read
 * access) or records the outside agency; resolving, closing and reopening stamp their
 * times; a rejection keeps its reason. */
static int case_move_before(struct ent_ctx *c, const struct move *m, int64_t id, const json_t *old,
                            const json_t *args, const json_t *body, json_t *set, json_t *detail,
                            const char *at, struct verr *e)
{
    (void)body;
    const char *to = m->to, *from = str(old, "status");
    if (!strcmp(to, "referred")) {
        json_t *org = json_object_get(args, "to_org_id"), *agency = json_object_get(args, "agency");
        if (json_is_null(org) == json_is_null(agency))
            return verr_set(e, 422, "invalid", "to_org_id",
                            "转办须指定“转办组织”(本系统中的组织) 或“转办机构”(外部机构) 之一");
        if (json_is_null(org)) {
            json_object_set(set, "referral_agency", agency);
            json_object_set(set, "referral_due_on", json_object_get(args, "reply_due"));
            return 0;
        }
        int64_t oid = json_integer_value(org),
                cur = json_integer_value(json_object_get(old, "org_id"));
        if (oid == cur)
            return verr_set(e, 422, "invalid", "to_org_id", "不能转办给本组织");
        char *name = NULL;
        stmt *s = db_prepare(c->db, "SELECT name FROM \"org\" WHERE id = ? AND status = 'active' "
                                    "AND deleted_at IS NULL");
        st_bind_int(s, 1, oid);
        if (s && st_step(s) == DB_ROW)
            name = arena_strdup(c->a, st_text(s, "name"));
        st_finalize(s);
        if (!name)
            return verr_set(e, 422, "invalid", "to_org_id", "“转办组织”(编号 %lld)不存在或已撤销",
                            (long long)oid);
        if (db_execv(c->db,
                     "INSERT INTO case_access (case_id, org_id) VALUES (?, ?) ON CONFLICT "
                     "(case_id, org_id) DO NOTHING",
                     "ii", id, cur) != DB_OK)
            return verr_set(e, db_errcode(c->db) == DBE_BUSY ? 503 : 500,
                            db_errcode(c->db) == DBE_BUSY ? "busy" : "internal", NULL,
                            "数据库错误, 请稍后再试");
        json_object_set_new(set, "org_id", json_integer(oid));
        json_object_set_new(set, "referred_from_org_id", json_integer(cur));
        json_object_set_new(set, "assignee_id", json_null());
        json_object_set_new(set, "referral_agency", json_null());
        json_object_set_new(set, "referral_due_on", json_null());
        json_object_set_new(detail, "to_org_name", json_string(name));
    } else if (!strcmp(to, "resolved")) {
        json_object_set_new(set, "resolved_at", json_string(at));
    } else if (!strcmp(to, "closed")) {
        json_object_set_new(set, "followed_up_at", json_string(at));
    } else if (!strcmp(to, "rejected")) {
        json_object_set(set, "reject_reason", json_object_get(args, "reason"));
    } else if (!strcmp(to, "in_progress") && !strcmp(from, "resolved")) {
        json_object_set_new(set, "resolved_at", json_null()); /* reopened */
    }
    return 0;
}

/* The timeline entry of a move, with its attachment (the workflow's step hook). */
static int case_move_step(struct ent_ctx *c, const struct move *m, int64_t id, const json_t *old,
                          const json_t *body, json_t *detail, const char *note, const char *at,
                          struct verr *e)
{
    json_t *file = NULL;
    if (attach_store(c, json_object_get(body, "attachment"), &file, e))
        return -1;
    int rc = step_add(c, id, at, "transition", str(old, "status"), m->to, note, detail, file);
    json_decref(file);
    if (rc != DB_OK)
        return verr_set(e, db_errcode(c->db) == DBE_BUSY ? 503 : 500,
                        db_errcode(c->db) == DBE_BUSY ? "busy" : "internal", NULL,
                        "无法写入案件时间线");
    return 0;
}

/* ---- handlers ----------------------------------------------------------------------- */

/* The dates the SLAs compare with, for today in Beijing: a case received before
 * late_utc and still 受理 is late to be assigned (assign_days working days after it came);
 * an open case due on or before soon is due soon. Kept for the request (the arena) for a
 * few seconds: a list computes every row. */
struct sla_dates {
    char today[11], yesterday[11], soon[11], late_utc[21];
    int64_t assign_days;
};

static const struct sla_dates *sla_dates(struct ent_ctx *c)
{
    static __thread struct {
        const arena *a;
        time_t at;
        unsigned gen; /* setting_generation() when taken */
        struct sla_dates d;
    } memo;
    time_t now = time(NULL);
    unsigned gen = setting_generation();
    if (memo.a == c->a && now - memo.at < 5 && memo.gen == gen)
        return &memo.d;
    struct sla_dates *d = &memo.d;
    char late[11];
    today_cn(d->today);
    int64_t days = d->assign_days = setting_int(c->db, ASSIGN_DAYS_KEY, ASSIGN_DAYS_DEFAULT);
    if (workday_add_db(c->db, d->today, SLA_SOON_DAYS, d->soon) ||
        workday_add_db(c->db, d->today, (int)-days, late) || day_start_utc(late, 1, d->late_utc)) {
        snprintf(d->soon, sizeof d->soon, "%s", d->today);
        snprintf(d->late_utc, sizeof d->late_utc, "0000");
    }
    struct tm tm = {0};
    sscanf(d->today, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 12;
    time_t t = timegm(&tm) - 86400;
    gmtime_r(&t, &tm);
    strftime(d->yesterday, sizeof d->yesterday, "%Y-%m-%d", &tm);
    memo.a = c->a;
    memo.at = now;
    memo.gen = gen;
    return d;
}

/* overdue: still being worked on, and past its due date (Beijing today); sla: still 受理
 * the setting's working days after receipt (unassigned), or open and due within
 * SLA_SOON_DAYS working days (due_soon). */
static void case_compute(struct ent_ctx *c, json_t *rec)
{
    const struct sla_dates *d = sla_dates(c);
    const char *st = str(rec, "status"), *due = str(rec, "due_on"), *recv = str(rec, "received_at");
    int open = st && strstr(open_statuses, st) != NULL;
    int overdue = open && due && strcmp(due, d->today) < 0;
    json_object_set_new(rec, "overdue", json_boolean(overdue));
    const char *sla = NULL;
    if (st && !strcmp(st, "received") && recv && strcmp(recv, d->late_utc) < 0)
        sla = "unassigned";
    else if (open && !overdue && due && strcmp(due, d->soon) <= 0)
        sla = "due_soon";
    json_object_set_new(rec, "sla", sla ? json_string(sla) : json_null());
}

/* The case's own list filters (entity.h: filter): overdue=1 (open and past the due date),
 * sla=unassigned|due_soon (as case_compute says). */
static int case_filter(struct ent_ctx *c, const char *key, const char *value, buf *sql,
                       json_t *binds, struct verr *e)
{
    static const char *const open_in =
        " AND t.status IN ('received', 'assigned', 'in_progress', 'referred')";
    if (!strcmp(key, "overdue")) {
        if (strcmp(value, "1") && strcmp(value, "0") && *value)
            return verr_set(e, 400, "bad_request", "overdue", "“overdue”应为 1 或 0");
        if (strcmp(value, "1"))
            return 1;
        buf_printf(sql, "%s AND t.due_on <= ?", open_in);
        json_array_append_new(binds, json_string(sla_dates(c)->yesterday));
        return 1;
    }
    if (!strcmp(key, "sla")) {
        const struct sla_dates *d = sla_dates(c);
        if (!strcmp(value, "unassigned")) {
            buf_puts(sql, " AND t.status = 'received' AND t.received_at < ?");
            json_array_append_new(binds, json_string(d->late_utc));
        } else if (!strcmp(value, "due_soon")) {
            buf_printf(sql, "%s AND t.due_on >= ? AND t.due_on <= ?", open_in);
            json_array_append_new(binds, json_string(d->today));
            json_array_append_new(binds, json_string(d->soon));
        } else if (*value) {
            return verr_set(e, 400, "bad_request", "sla",
                            "“sla”应为 unassigned (超时未分派) 或 due_soon (即将到期)");
        }
        return 1;
    }
    return 0;
}

/* POST /api/v1/case/{id}/note {"note", "attachment"}: a timeline entry without a move. */
void case_note_h(struct req *r)
{
    json_t *body = req_json(r);
    if (!body)
        return;
    struct verr e;
    json_t *note = NULL, *file = NULL, *old = NULL;
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) if (strcmp(k, "note") && strcmp(k, "attachment"))
    {
        reply_error(r, 400, "unknown_field", k, "没有“%s”这个字段", k);
        goto out;
    }
    if (ent_value(&case_args[0],
                  json_object_get(body, "note") ? json_object_get(body, "note") : json_null(),
                  &note, &e))
        goto err;
    if (json_is_null(note) && !present(body, "attachment")) {
        verr_set(&e, 422, "invalid", "note", "请填写“说明”或添加附件");
        goto err;
    }
    if (db_begin(r->db) != DB_OK) {
        reply_db_error(r, "数据库错误, 请稍后再试");
        goto out;
    }
    old = ent_read(&r->ctx, &case_entity, r->id, 1, &e);
    if (!old || attach_store(&r->ctx, json_object_get(body, "attachment"), &file, &e)) {
        db_rollback(r->db);
        goto err;
    }
    const char *st = str(old, "status");
    json_t *what = json_pack("{s:O, s:O?}", "note", note, "file", file);
    int rc = step_add(&r->ctx, r->id, NULL, file ? "attachment" : "note", st, st,
                      json_string_value(note), NULL, file);
    if (rc == DB_OK)
        rc = audit_write(&r->ctx, "note", "case", r->id, NULL, what);
    json_decref(what);
    if (rc != DB_OK) {
        db_rollback(r->db);
        reply_db_error(r, "数据库错误, 请稍后再试");
        goto out;
    }
    if (db_commit(r->db) != DB_OK) {
        reply_db_error(r, "数据库错误, 请稍后再试");
        goto out;
    }
    reply_json(r, 201, json_pack("{s:O, s:O?}", "note", note, "attachment", file));
    goto out;
err:
    reply_verr(r, &e);
out:
    json_decref(body);
    json_decref(note);
    json_decref(file);
    json_decref(old);
}

/* May the user see case id? 2: it is in their scope (and they may act on it); 1: their
 * org referred it away and keeps read access; 0: no. */
static int case_visible(struct req *r, int64_t id)
{
    struct verr e;
    json_t *rec = ent_read(&r->ctx, &case_entity, id, 1, &e);
    if (rec) {
        json_decref(rec);
        return 2;
    }
    if (is_mediator(&r->ctx))
        return 0;
    char *bound = path_bound(r->a, r->ctx.scope_path);
    return db_int(r->db, 0,
                  "SELECT count(*) FROM case_access a JOIN \"org\" o ON o.id = a.org_id JOIN "
                  "\"case\" c ON c.id = a.case_id WHERE a.case_id = ? AND o.path >= ? AND "
                  "o.path < ? AND c.deleted_at IS NULL",
                  "iss", id, r->ctx.scope_path, bound) > 0
               ? 1
               : 0;
}

/* A timeline detail names people by user id (assignee_id, mediator_id, ...): add who they
 * are next to each id (assignee: "王芳 (wangfang)"), for the page to show. */
static void name_users(struct req *r, json_t *detail)
{
    static const char *const keys[] = {"assignee_id", "mediator_id", "legal_advisor_id", NULL};
    for (int i = 0; keys[i]; i++) {
        json_t *v = json_object_get(detail, keys[i]);
        if (!json_is_integer(v))
            continue;
        char key[32];
        snprintf(key, sizeof key, "%.*s", (int)(strlen(keys[i]) - 3), keys[i]);
        const struct field *f = ent_field(&case_entity, keys[i]);
        if (strcmp(f->ref, "user")) { /* a person of the registry, as the reader may see it */
            const struct entity *re = entity_find(f->ref);
            struct verr e;
            json_t *rec = ent_read(&r->ctx, re, json_integer_value(v), 1, &e);
            json_t *t = rec ? json_object_get(rec, re->title) : NULL;
            json_object_set_new(detail, key,
                                json_is_string(t) ? json_incref(t) : json_string("其他组织的记录"));
            json_decref(rec);
            continue;
        }
        stmt *s = db_prepare(r->db, "SELECT name, username FROM \"user\" WHERE id = ?");
        st_bind_int(s, 1, json_integer_value(v));
        if (s && st_step(s) == DB_ROW) {
            const char *name = st_text(s, "name"), *user = st_text(s, "username");
            json_object_set_new(detail, key,
                                name && *name && strcmp(name, user)
                                    ? json_sprintf("%s (%s)", name, user)
                                    : json_string(user));
        }
        st_finalize(s);
    }
}

/* Money as a person reads it: "45,000.00 元" (fen in). Allocated from a. */
static char *yuan(arena *a, int64_t fen, enum lang lang)
{
    char digits[32], out[64];
    int neg = fen < 0;
    uint64_t v = neg ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)(v / 100));
    size_t n = strlen(digits), k = 0;
    if (neg)
        out[k++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    snprintf(out + k, sizeof out - k, ".%02llu %s", (unsigned long long)(v % 100),
             lang == LANG_EN ? "yuan" : "元");
    return arena_strdup(a, out);
}

/* A value of a case field or a move's arg as the reader reads it, in their language: an
 * enum's label, money in 元, the name of the user, person or org a link names (a person
 * outside the reader's scope as such), a time in Beijing time. Allocated from r->a. */
static const char *shown(struct req *r, const struct field *f, json_t *v)
{
    enum lang lang = r->ctx.lang;
    if (!v || json_is_null(v))
        return "—";
    switch (f->type) {
    case FT_ENUM:
        for (const struct enumval *ev = f->values; ev && ev->value; ev++)
            if (json_is_string(v) && !strcmp(ev->value, json_string_value(v)))
                return lbl(lang, ev->label);
        break;
    case FT_MONEY:
        return yuan(r->a, json_integer_value(v), lang);
    case FT_BOOL:
        return json_is_true(v) ? lbl(lang, (struct label){"是", "是", "yes"})
                               : lbl(lang, (struct label){"否", "否", "no"});
    case FT_DATETIME: {
        char day[11];
        cn_date(json_string_value(v), day);
        const char *t = json_string_value(v);
        return arena_printf(r->a, "%s %.5s", day, t && strlen(t) >= 16 ? t + 11 : "");
    }
    case FT_REF: {
        int64_t id = json_integer_value(v);
        if (!strcmp(f->ref, "person")) {
            struct verr e;
            json_t *rec = ent_read(&r->ctx, &person_entity, id, 1, &e);
            const char *name = rec ? arena_strdup(r->a, str(rec, "name")) : NULL;
            json_decref(rec);
            return name ? name
                        : lbl(lang, (struct label){"其他组织的记录", "其他組織的記錄",
                                                   "a record of another org"});
        }
        const char *sql = !strcmp(f->ref, "user")
                              ? "SELECT name, username FROM \"user\" WHERE id = ?"
                              : "SELECT name, name AS username FROM \"org\" WHERE id = ?";
        stmt *s = db_prepare(r->db, sql);
        st_bind_int(s, 1, id);
        const char *out = NULL;
        if (s && st_step(s) == DB_ROW) {
            const char *name = st_text(s, "name"), *user = st_text(s, "username");
            out = name && *name && strcmp(name, user) ? arena_printf(r->a, "%s (%s)", name, user)
                                                      : arena_strdup(r->a, user);
        }
        st_finalize(s);
        return out ? out : arena_printf(r->a, "#%lld", (long long)id);
    }
    default:
        break;
    }
    if (json_is_string(v))
        return json_string_value(v);
    char *d = json_dumps(v, JSON_ENCODE_ANY);
    const char *out = arena_strdup(r->a, d ? d : "");
    free(d);
    return out;
}

/* The declaration of a key of a step's detail: a move's arg, else a case field. */
static const struct field *detail_field(const char *key)
{
    for (const struct field *f = case_args; f->name; f++)
        if (!strcmp(f->name, key))
            return f;
    return ent_field(&case_entity, key);
}

/* What a timeline entry says, in the reader's language: its title ("受理 → 分派", "修改了
 * 承办人、办理期限") into *text, and a line per value it records ("挽回金额: 45,000.00 元",
 * "承办人: 王芳 → 李明") as a new JSON array. */
static json_t *step_lines(struct req *r, const char *action, const char *from, const char *to,
                          json_t *detail, const char **text)
{
    enum lang lang = r->ctx.lang;
    const struct field *sf = ent_field(&case_entity, "status");
    json_t *lines = json_array();
    if (!strcmp(action, "create")) {
        *text = lbl(lang, (struct label){"登记受理", "登記受理", "Case received"});
    } else if (!strcmp(action, "transition")) {
        json_t *a = json_string(from ? from : ""), *b = json_string(to ? to : "");
        *text = arena_printf(r->a, "%s → %s", shown(r, sf, a), shown(r, sf, b));
        json_decref(a);
        json_decref(b);
    } else if (!strcmp(action, "edit")) {
        json_t *ch = json_object_get(detail, "changes");
        buf b = {0};
        const char *k;
        json_t *v;
        json_object_foreach(ch, k, v)
        {
            const struct field *f = ent_field(&case_entity, k);
            if (!f)
                continue;
            buf_printf(&b, "%s%s", b.len ? (lang == LANG_EN ? ", " : "、") : "",
                       lbl(lang, f->label));
            if (json_is_array(v))
                json_array_append_new(lines, json_sprintf("%s: %s → %s", lbl(lang, f->label),
                                                          shown(r, f, json_array_get(v, 0)),
                                                          shown(r, f, json_array_get(v, 1))));
        }
        *text = b.len ? arena_printf(r->a, "%s%s",
                                     lbl(lang, (struct label){"修改了 ", "修改了 ", "Edited: "}),
                                     buf_str(&b))
                      : lbl(lang, (struct label){"修改", "修改", "Edited"});
        buf_free(&b);
        return lines;
    } else if (!strcmp(action, "attachment")) {
        *text = lbl(lang, (struct label){"添加附件", "添加附件", "Attachment"});
    } else {
        *text = lbl(lang, (struct label){"备注", "備註", "Note"});
    }
    const char *k;
    json_t *v;
    json_object_foreach(detail, k, v)
    {
        const struct field *f = detail_field(k);
        if (!f || !strcmp(k, "note"))
            continue;
        json_array_append_new(lines, json_sprintf("%s: %s", lbl(lang, f->label), shown(r, f, v)));
    }
    return lines;
}

/* GET /api/v1/case/{id}/timeline → {"case": CASE, "readonly": bool, "items": [STEP]}, for
 * the owning org and for orgs that referred the case away (read-only). Each step's detail
 * carries the names of the users it names by id; its `text` (the title) and `lines` (the
 * values it records, money in 元) are written in the reader's language. */
void case_timeline_h(struct req *r)
{
    int vis = case_visible(r, r->id);
    if (!vis) {
        reply_error(r, 404, "not_found", NULL, "服务案件(编号 %lld)不存在或无权查看",
                    (long long)r->id);
        return;
    }
    struct ent_ctx all = ent_unscoped(&r->ctx);
    struct verr e;
    json_t *rec = ent_read(&all, &case_entity, r->id, 0, &e);
    if (!rec) {
        reply_verr(r, &e);
        return;
    }
    /* read without the scope (a referring org reads it too): the moves are the user's own,
     * and none for an org that referred it away */
    json_object_set_new(rec, "allowed_transitions",
                        vis == 2 ? ent_moves_from(&r->ctx, &case_entity, str(rec, "status"))
                                 : json_array());
    /* who is on it, by name (the reader may not read users or the org: a mediator), and
     * the org as a receipt names it (how to ask about the case) */
    static const char *const people[] = {"assignee_id", "mediator_id", "legal_advisor_id", NULL};
    for (int i = 0; people[i]; i++) {
        json_t *v = json_object_get(rec, people[i]);
        json_object_set_new(
            rec, arena_printf(r->a, "%.*s_name", (int)strlen(people[i]) - 3, people[i]),
            json_is_integer(v) ? json_string(shown(r, ent_field(&case_entity, people[i]), v))
                               : json_null());
    }
    stmt *os = db_prepare(r->db, "SELECT name, phone, address FROM \"org\" WHERE id = ?");
    st_bind_int(os, 1, json_integer_value(json_object_get(rec, "org_id")));
    if (os && st_step(os) == DB_ROW)
        json_object_set_new(rec, "org",
                            json_pack("{s:s?, s:s?, s:s?}", "name", st_text(os, "name"), "phone",
                                      st_text(os, "phone"), "address", st_text(os, "address")));
    st_finalize(os);
    stmt *s = db_prepare(r->db, "SELECT id, at, user_id, username, action, from_status, "
                                "to_status, note, detail, file_sha256, file_name, file_type, "
                                "file_size FROM case_step WHERE case_id = ? ORDER BY id");
    json_t *items = json_array();
    st_bind_int(s, 1, r->id);
    while (s && st_step(s) == DB_ROW) {
        int64_t sid = st_int(s, "id");
        const char *d = st_text(s, "detail");
        json_t *detail = d ? json_loads(d, 0, NULL) : NULL;
        if (!json_is_object(detail)) {
            json_decref(detail);
            detail = json_object();
        }
        const char *text = "";
        json_t *lines = step_lines(r, st_text(s, "action"), st_text(s, "from_status"),
                                   st_text(s, "to_status"), detail, &text);
        name_users(r, detail);
        json_t *file = json_null();
        if (!st_isnull(s, "file_sha256"))
            file = json_pack("{s:s, s:s, s:I, s:s, s:s}", "name", st_text(s, "file_name"), "type",
                             st_text(s, "file_type"), "size", (json_int_t)st_int(s, "file_size"),
                             "sha256", st_text(s, "file_sha256"), "url",
                             arena_printf(r->a, "/api/v1/case/file/%lld", (long long)sid));
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:I, s:s?, s:s, s:s?, s:s?, s:s?, s:o, s:o, s:s, s:o}",
                             "id", (json_int_t)sid, "at", st_text(s, "at"), "user_id",
                             (json_int_t)st_int(s, "user_id"), "username", st_text(s, "username"),
                             "action", st_text(s, "action"), "from", st_text(s, "from_status"),
                             "to", st_text(s, "to_status"), "note", st_text(s, "note"), "detail",
                             detail, "attachment", file, "text", text, "lines", lines));
    }
    st_finalize(s);
    reply_json(r, 200,
               json_pack("{s:o, s:b, s:o}", "case", rec, "readonly", vis != 2, "items", items));
}

/* GET /api/v1/case/file/{id}: the attachment of timeline entry id, as a download with
 * its sniffed type; never rendered inline. */
void case_file_h(struct req *r)
{
    stmt *s = db_prepare(r->db, "SELECT s.case_id, s.file_name, b.type, b.data FROM case_step s "
                                "JOIN case_blob b ON b.sha256 = s.file_sha256 WHERE s.id = ?");
    int64_t case_id = 0;
    char *name = NULL, *type = NULL, *data = NULL;
    st_bind_int(s, 1, r->id);
    if (s && st_step(s) == DB_ROW) {
        case_id = st_int(s, "case_id");
        name = arena_strdup(r->a, st_text(s, "file_name"));
        type = arena_strdup(r->a, st_text(s, "type"));
        data = xstrdup(st_text(s, "data"));
    }
    st_finalize(s);
    if (!case_id || !case_visible(r, case_id)) {
        free(data);
        reply_error(r, 404, "not_found", NULL, "附件不存在或无权查看");
        return;
    }
    size_t len = strlen(data), n = 0;
    unsigned char *bin = xmalloc(len / 4 * 3 + 3);
    if (sodium_base642bin(bin, len / 4 * 3 + 3, data, len, NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL)) {
        free(data);
        free(bin);
        reply_error(r, 500, "internal", NULL, "附件数据已损坏");
        return;
    }
    free(data);
    /* filename: an ASCII fallback, and the real name in RFC 5987 form. */
    buf cd = {0};
    buf_puts(&cd, "attachment; filename=\"");
    for (const char *p = name; *p; p++)
        buf_putc(&cd, ((unsigned char)*p < 0x80 && *p != '"' && *p != '\\') ? *p : '_');
    buf_puts(&cd, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            buf_putc(&cd, (char)*p);
        else
            buf_printf(&cd, "%%%02X", *p);
    }
    reply_header(r, "Content-Disposition", arena_strdup(r->a, buf_str(&cd)));
    buf_free(&cd);
    reply_header(r, "Cache-Control", "private, no-store");
    reply_raw(r, 200, type, (char *)bin, n);
}

#define OPEN_IN "('received', 'assigned', 'in_progress', 'referred')"

/* GET /api/v1/case/assignees → {"items": [{"id", "name", "username", "role", "org_name",
 * "open_cases"}]}: the active users of the user's subtree who can handle cases, with the
 * open cases each is assignee of, for the assign dialog (staff may not list users). */
/* The rosters are for those who put people on cases: not for a mediator. 1 when refused. */
static int roster_refused(struct req *r)
{
    if (!is_mediator(&r->ctx))
        return 0;
    reply_error(r, 403, "forbidden", NULL, "调解员不能查看人员名册");
    return 1;
}

void case_assignees_h(struct req *r)
{
    if (roster_refused(r))
        return;
    char *bound = path_bound(r->a, r->ctx.scope_path);
    stmt *s = db_prepare(
        r->db, "SELECT u.id, u.name, u.username, u.role, o.name AS org_name, (SELECT count(*) "
               "FROM \"case\" c WHERE c.assignee_id = u.id AND c.deleted_at IS NULL AND "
               "c.status IN " OPEN_IN ") AS open_cases FROM \"user\" u JOIN \"org\" o ON o.id = "
               "u.org_id WHERE o.path >= ? AND o.path < ? AND u.deleted_at IS NULL AND u.status = "
               "'active' AND u.role IN ('admin', 'leader', 'staff', 'mediator') ORDER BY o.path, "
               "u.id LIMIT 500");
    st_bind_text(s, 1, r->ctx.scope_path);
    st_bind_text(s, 2, bound);
    json_t *items = json_array();
    while (s && st_step(s) == DB_ROW)
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)st_int(s, "id"),
                             "name", st_text(s, "name"), "username", st_text(s, "username"), "role",
                             st_text(s, "role"), "org_name", st_text(s, "org_name"), "open_cases",
                             (json_int_t)st_int(s, "open_cases")));
    st_finalize(s);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* GET /api/v1/case/people → {"items": [{"id", "name", "org_name", "username", "mediating",
 * "advising"}]}: the roster of mediators and legal advisors: the people of the registry in
 * the user's subtree who are linked to a user with the mediator role (username) or who are
 * on a case as mediator or legal advisor, with the open cases they mediate and advise on.
 * The few ids are one UNION, looked up by id: as three IN joined by OR, PostgreSQL read
 * every person (1.15 s among a million, 1.4 ms now). */
void case_people_h(struct req *r)
{
    if (roster_refused(r))
        return;
    char *bound = path_bound(r->a, r->ctx.scope_path);
    stmt *s = db_prepare(
        r->db,
        "SELECT p.id, p.name, o.name AS org_name, (SELECT min(u.username) FROM \"user\" u WHERE "
        "u.person_id = p.id AND u.role = 'mediator' AND u.deleted_at IS NULL AND u.status = "
        "'active') AS username, (SELECT count(*) FROM \"case\" c WHERE c.mediator_id = p.id AND "
        "c.deleted_at IS NULL AND c.status IN " OPEN_IN ") AS mediating, (SELECT count(*) FROM "
        "\"case\" c WHERE c.legal_advisor_id = p.id AND c.deleted_at IS NULL AND c.status "
        "IN " OPEN_IN
        ") AS advising FROM \"person\" p JOIN \"org\" o ON o.id = p.org_id WHERE p.deleted_at IS "
        "NULL AND o.path >= ? AND o.path < ? AND p.id IN (SELECT person_id FROM \"user\" WHERE "
        "role = 'mediator' AND deleted_at IS NULL AND status = 'active' UNION SELECT mediator_id "
        "FROM \"case\" WHERE deleted_at IS NULL UNION SELECT legal_advisor_id FROM \"case\" WHERE "
        "deleted_at IS NULL) ORDER BY o.path, p.id LIMIT 500");
    st_bind_text(s, 1, r->ctx.scope_path);
    st_bind_text(s, 2, bound);
    json_t *items = json_array();
    while (s && st_step(s) == DB_ROW)
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s?, s:I, s:I}", "id", (json_int_t)st_int(s, "id"), "name",
                      st_text(s, "name"), "org_name", st_text(s, "org_name"), "username",
                      st_text(s, "username"), "mediating", (json_int_t)st_int(s, "mediating"),
                      "advising", (json_int_t)st_int(s, "advising")));
    st_finalize(s);
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* "YYYY-MM-DD" (Beijing) to the UTC instant of its midnight, + days. */

static time_t utc_time(const char *s)
{
    struct tm tm = {0};
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* counts {id: n} as [{"id", "name", "count"}], most first; id 0 (no assignee) has no
 * name. sql looks the name up by id. A new reference. */
static json_t *named_counts(struct req *r, json_t *counts, const char *sql)
{
    json_t *out = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(counts, k, v)
    {
        int64_t id = atoll(k);
        char *name = NULL;
        if (id) {
            stmt *s = db_prepare(r->db, sql);
            st_bind_int(s, 1, id);
            if (s && st_step(s) == DB_ROW)
                name = arena_strdup(r->a, st_text(s, "name"));
            st_finalize(s);
        }
        size_t i = 0; /* insertion, most first */
        while (i < json_array_size(out) &&
               json_integer_value(json_object_get(json_array_get(out, i), "count")) >=
                   json_integer_value(v))
            i++;
        json_array_insert_new(out, i,
                              json_pack("{s:I, s:s?, s:I}", "id", (json_int_t)id, "name", name,
                                        "count", (json_int_t)json_integer_value(v)));
    }
    return out;
}

/* GET /api/v1/reports/cases?org=&from=&to= → the figures of the cases received in the
 * period by the org's subtree: by category and status, resolution rate, median days to
 * resolve, amounts claimed and recovered (fen), satisfaction, the overdue ones by org and
 * by assignee, the ones still 受理 after the setting's days to assign (unassigned, with
 * assign_days). */
void case_report_h(struct req *r)
{
    for (int i = 0; i < r->nargs; i++)
        if (strcmp(r->args[i].key, "org") && strcmp(r->args[i].key, "from") &&
            strcmp(r->args[i].key, "to")) {
            reply_error(r, 400, "bad_request", r->args[i].key, "不认识的参数“%s”", r->args[i].key);
            return;
        }
    const char *orgs = req_arg(r, "org"), *from = req_arg(r, "from"), *to = req_arg(r, "to");
    int64_t org = r->ctx.org_id;
    if (orgs && *orgs && (!parse_i64(orgs, &org) || org < 1)) {
        reply_error(r, 400, "bad_request", "org", "“org”应为组织编号");
        return;
    }
    char fromu[21] = "0000", tou[21] = "9999";
    if (from && *from && day_start_utc(from, 0, fromu)) {
        reply_error(r, 400, "bad_request", "from", "“from”应为日期, 如 2024-01-01");
        return;
    }
    if (to && *to && day_start_utc(to, 1, tou)) {
        reply_error(r, 400, "bad_request", "to", "“to”应为日期, 如 2024-12-31");
        return;
    }
    struct verr e;
    json_t *o = ent_read(&r->ctx, &org_entity, org, 1, &e);
    if (!o) {
        reply_verr(r, &e);
        return;
    }
    char *path = arena_strdup(r->a, str(o, "path"));
    json_decref(o);
    char *bound = path_bound(r->a, path);
    const struct sla_dates *sd = sla_dates(&r->ctx);
    stmt *s =
        db_prepare(r->db, "SELECT t.category, t.status, t.received_at, t.resolved_at, "
                          "t.amount_claimed, t.amount_recovered, t.satisfaction, t.due_on, "
                          "t.org_id, t.assignee_id FROM "
                          "\"case\" t JOIN \"org\" o ON o.id = t.org_id WHERE t.deleted_at IS NULL "
                          "AND o.path >= ? AND o.path < ? AND t.received_at >= ? AND "
                          "t.received_at < ?");
    st_bind_text(s, 1, path);
    st_bind_text(s, 2, bound);
    st_bind_text(s, 3, fromu);
    st_bind_text(s, 4, tou);
    json_t *bycat = json_object(), *bystat = json_object(), *cross = json_object();
    for (const struct enumval *v = case_categories; v->value; v++) {
        json_object_set_new(bycat, v->value, json_integer(0));
        json_object_set_new(cross, v->value, json_object());
    }
    for (const struct enumval *v = statuses; v->value; v++)
        json_object_set_new(bystat, v->value, json_integer(0));
    int64_t total = 0, done = 0, claimed = 0, recovered = 0, sat_n = 0, sat_sum = 0, overdue = 0,
            unassigned = 0;
    json_t *late_org = json_object(), *late_user = json_object(); /* id → count */
    size_t nd = 0, capd = 64;
    double *days = xmalloc(capd * sizeof *days);
    char today[11];
    today_cn(today);
    while (s && st_step(s) == DB_ROW) {
        const char *cat = st_text(s, "category"), *st = st_text(s, "status");
        total++;
        json_t *c1 = json_object_get(bycat, cat), *c2 = json_object_get(bystat, st);
        if (c1)
            json_integer_set(c1, json_integer_value(c1) + 1);
        if (c2)
            json_integer_set(c2, json_integer_value(c2) + 1);
        json_t *row = json_object_get(cross, cat);
        if (row) {
            json_t *x = json_object_get(row, st);
            if (x)
                json_integer_set(x, json_integer_value(x) + 1);
            else
                json_object_set_new(row, st, json_integer(1));
        }
        int is_done = !strcmp(st, "resolved") || !strcmp(st, "closed");
        done += is_done;
        claimed += st_int(s, "amount_claimed");
        recovered += st_int(s, "amount_recovered");
        if (!st_isnull(s, "satisfaction")) {
            sat_n++;
            sat_sum += st_int(s, "satisfaction");
        }
        unassigned +=
            !strcmp(st, "received") && strcmp(st_text(s, "received_at"), sd->late_utc) < 0;
        const char *due = st_text(s, "due_on");
        if (strstr(open_statuses, st) && due && strcmp(due, today) < 0) {
            overdue++;
            char k[24];
            snprintf(k, sizeof k, "%lld", (long long)st_int(s, "org_id"));
            json_object_set_new(late_org, k,
                                json_integer(json_integer_value(json_object_get(late_org, k)) + 1));
            snprintf(k, sizeof k, "%lld", (long long)st_int(s, "assignee_id"));
            json_object_set_new(
                late_user, k, json_integer(json_integer_value(json_object_get(late_user, k)) + 1));
        }
        if (is_done && !st_isnull(s, "resolved_at")) {
            time_t a = utc_time(st_text(s, "received_at")), b = utc_time(st_text(s, "resolved_at"));
            if (a && b >= a) {
                if (nd == capd)
                    days = xrealloc(days, (capd *= 2) * sizeof *days);
                days[nd++] = (double)(b - a) / 86400.0;
            }
        }
    }
    st_finalize(s);
    double median = 0;
    if (nd) {
        qsort(days, nd, sizeof *days, cmp_double);
        median = nd % 2 ? days[nd / 2] : (days[nd / 2 - 1] + days[nd / 2]) / 2;
    }
    free(days);
    json_t *res = json_pack(
        "{s:I, s:s?, s:s?, s:I, s:o, s:o, s:o, s:I, s:f, s:o, s:I, s:I, s:o, s:I, s:I, s:o, s:o, "
        "s:I, s:I}",
        "org", (json_int_t)org, "from", from && *from ? from : NULL, "to", to && *to ? to : NULL,
        "total", (json_int_t)total, "by_category", bycat, "by_status", bystat, "by_category_status",
        cross, "resolved", (json_int_t)done, "resolution_rate",
        total ? (double)done / (double)total : 0.0, "median_days_to_resolve",
        nd ? json_real((double)(int64_t)(median * 10 + 0.5) / 10) : json_null(), "amount_claimed",
        (json_int_t)claimed, "amount_recovered", (json_int_t)recovered, "satisfaction_avg",
        sat_n ? json_real((double)(int64_t)((double)sat_sum / (double)sat_n * 100 + 0.5) / 100)
              : json_null(),
        "satisfaction_count", (json_int_t)sat_n, "overdue", (json_int_t)overdue, "overdue_by_org",
        named_counts(r, late_org, "SELECT name FROM \"org\" WHERE id = ?"), "overdue_by_assignee",
        named_counts(r, late_user,
                     "SELECT coalesce(name, username) AS name FROM \"user\" WHERE id = ?"),
        "unassigned", (json_int_t)unassigned, "assign_days", (json_int_t)sd->assign_days);
    json_decref(late_org);
    json_decref(late_user);
    reply_json(r, 200, res);
}

/* ---- demo --------------------------------------------------------------------------- */

int demo_cases(struct ent_ctx *c, struct verr *e)
{
    static const char *const cats[] = {"legal", "labor", "business", "government", "affairs"};
    static const char *const subtypes[][3] = {
        {"房产纠纷", "继承纠纷", "婚姻家庭"},     {"欠薪", "工伤赔偿", "劳动合同"},
        {"投资合同纠纷", "侨企融资", "知识产权"}, {"出入境证件", "户籍恢复", "社保衔接"},
        {"子女入学", "归侨生活困难", "侨房腾退"},
    };
    static const char *const chans[] = {"walk_in", "phone",  "online",
                                        "wechat",  "letter", "hotline"};
    static const char *const names[] = {"陈振声", "林美玲", "黄国强", "张淑贞", "李文杰",
                                        "王秀兰", "吴德荣", "刘碧霞", "蔡锦添", "杨宝珠"};
    /* The orgs that handle cases: the federations (city and counties). */
    int64_t orgs[16];
    int norgs = 0;
    stmt *s = db_prepare(c->db, "SELECT id FROM \"org\" WHERE kind = 'federation' AND deleted_at "
                                "IS NULL ORDER BY id");
    while (s && st_step(s) == DB_ROW && norgs < 16)
        orgs[norgs++] = st_int(s, "id");
    st_finalize(s);
    int64_t staff = db_int(c->db, 0, "SELECT id FROM \"user\" WHERE username = 'staff'", "");
    int64_t mediator_person =
        db_int(c->db, 0, "SELECT min(id) FROM \"person\" WHERE deleted_at IS NULL", "");
    /* The demo's mediator user is linked to a person of the registry. */
    int64_t mediator_user =
        db_int(c->db, 0, "SELECT id FROM \"user\" WHERE username = 'mediator'", "");
    if (mediator_user && mediator_person) {
        json_t *sys = json_pack("{s:I}", "person_id", (json_int_t)mediator_person);
        int rc = ent_update_sys(c, &user_entity, mediator_user, sys, e);
        json_decref(sys);
        if (rc)
            return -1;
    }
    if (!norgs)
        return 0;
    for (int i = 0; i < 300; i++) {
        int k = i % 5, y = 2022 + i % 4, mo = 1 + (i * 7) % 12, dd = 1 + (i * 11) % 28;
        if (y == 2025 && mo > 10)
            mo = 1 + mo % 10;
        char recv[32];
        snprintf(recv, sizeof recv, "%04d-%02d-%02dT%02d:%02d:00Z", y, mo, dd, 1 + i % 8,
                 (i * 13) % 60);
        int64_t org = orgs[i % norgs];
        json_t *body =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "category", cats[k], "subtype",
                      subtypes[k][i % 3], "channel", chans[i % 6], "received_at", recv, "summary",
                      arena_printf(c->a, "%s: %s反映%s问题", subtypes[k][i % 3], names[i % 10],
                                   subtypes[k][(i + 1) % 3]),
                      "org_id", (json_int_t)org, "details", "申请人来访反映情况, 已登记相关材料。");
        if (i % 3 == 0) {
            json_object_set_new(body, "applicant_name", json_string(names[i % 10]));
            json_object_set_new(body, "applicant_contact",
                                json_sprintf("+86 139 0739 %04d", 1000 + i));
        } else {
            int64_t p = db_int(c->db, 0,
                               "SELECT id FROM \"person\" WHERE deleted_at IS NULL ORDER BY id "
                               "LIMIT 1 OFFSET ?",
                               "i", (int64_t)(i % 100));
            if (p)
                json_object_set_new(body, "applicant_id", json_integer(p));
            else {
                json_object_set_new(body, "applicant_name", json_string(names[i % 10]));
                json_object_set_new(body, "applicant_contact", json_string("+86 139 0739 0000"));
            }
        }
        if (k <= 2)
            json_object_set_new(body, "amount_claimed",
                                json_integer((int64_t)(5000 + (i * 7919) % 500000) * 100));
        /* the mediator user's person on some cases; two more people of the registry on
         * others, so the rosters have more than one name */
        if (i % 4 == 0 && mediator_person) {
            int64_t who = i % 12 == 0 ? mediator_person
                                      : db_int(c->db, mediator_person,
                                               "SELECT id FROM \"person\" WHERE deleted_at IS NULL "
                                               "ORDER BY id LIMIT 1 OFFSET ?",
                                               "i", (int64_t)(1 + (i / 4) % 2));
            json_object_set_new(body, k == 0 ? "legal_advisor_id" : "mediator_id",
                                json_integer(who));
        }
        json_t *rec = ent_create(c, &case_entity, body, e);
        json_decref(body);
        if (!rec)
            return -1;
        int64_t id = json_integer_value(json_object_get(rec, "id"));
        json_decref(rec);
        /* How far it got: recent ones are still open. */
        int stage = y < 2025 ? 4 - (i % 11 == 0) * 3 : i % 5;
        if (i % 23 == 0)
            stage = -1; /* rejected */
        time_t t = utc_time(recv);
        char at[21];
        struct tm tm;
        json_t *m = NULL;
#define MOVE(days, ...)                                                                            \
    do {                                                                                           \
        t += (time_t)(days)*86400;                                                                 \
        gmtime_r(&t, &tm);                                                                         \
        strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);                                        \
        json_t *b_ = json_pack(__VA_ARGS__);                                                       \
        m = ent_transition(c, &case_entity, id, b_, at, e);                                        \
        json_decref(b_);                                                                           \
        if (!m)                                                                                    \
            return -1;                                                                             \
        json_decref(m);                                                                            \
    } while (0)
        if (stage < 0) {
            MOVE(1, "{s:s, s:s}", "to", "rejected", "reason",
                 "不属于侨联受理范围, 已告知申请人向有关部门反映");
            continue;
        }
        if (i % 31 == 7 && norgs > 1) /* referred up or down the tree */
            MOVE(1, "{s:s, s:I, s:s}", "to", "referred", "to_org_id",
                 (json_int_t)orgs[(i + 1) % norgs], "note", "属对方辖区, 转请办理");
        else if (i % 37 == 3)
            MOVE(1, "{s:s, s:s, s:s}", "to", "referred", "agency", "区劳动人事争议仲裁委员会",
                 "reply_due", "2026-12-31");
        if (stage >= 1 && staff)
            MOVE(1, "{s:s, s:I, s:s}", "to", "assigned", "assignee_id", (json_int_t)staff, "note",
                 "分派承办");
        if (stage >= 2)
            MOVE(2, "{s:s, s:s}", "to", "in_progress", "note", "已联系申请人和相关单位");
        if (stage >= 3) {
            int64_t claimed = k <= 2 ? (int64_t)(5000 + (i * 7919) % 500000) * 100 : 0;
            MOVE(3 + (i * 17) % 40, "{s:s, s:s, s:I}", "to", "resolved", "resolution",
                 "经调解双方达成一致, 问题已解决", "amount_recovered",
                 (json_int_t)(claimed * (6 + i % 5) / 10));
        }
        if (stage >= 4)
            MOVE(7, "{s:s, s:i, s:s}", "to", "closed", "satisfaction", 3 + i % 3, "note",
                 "电话回访, 申请人表示满意");
#undef MOVE
    }
    return 0;
}

/* ---- figures (the work report) ----------------------------------------------------- */

#define IN_SUBTREE                                                                                 \
    "JOIN \"org\" o ON o.id = t.org_id WHERE t.deleted_at IS NULL AND o.path >= ? AND o.path < ?"

static int64_t received(db *d, const struct period *p)
{
    return db_int(d, -1,
                  "SELECT count(*) FROM \"case\" t " IN_SUBTREE
                  " AND t.received_at >= ? AND t.received_at < ?",
                  "ssss", p->path, p->bound, p->from_utc, p->to_utc);
}

static int64_t received_legal(db *d, const struct period *p)
{
    return db_int(d, -1,
                  "SELECT count(*) FROM \"case\" t " IN_SUBTREE
                  " AND t.received_at >= ? AND t.received_at < ? AND t.category = 'legal'",
                  "ssss", p->path, p->bound, p->from_utc, p->to_utc);
}

static int64_t resolved(db *d, const struct period *p)
{
    return db_int(d, -1,
                  "SELECT count(*) FROM \"case\" t " IN_SUBTREE
                  " AND t.resolved_at >= ? AND t.resolved_at < ?",
                  "ssss", p->path, p->bound, p->from_utc, p->to_utc);
}

static int64_t recovered(db *d, const struct period *p)
{
    return db_int(d, -1,
                  "SELECT coalesce(sum(t.amount_recovered), 0) FROM \"case\" t " IN_SUBTREE
                  " AND t.resolved_at >= ? AND t.resolved_at < ?",
                  "ssss", p->path, p->bound, p->from_utc, p->to_utc);
}

/* GET /api/v1/case/settings: {"assign_days": working days a new case may wait to be
 * assigned before the board, the home page and the figures flag it, "holidays_until": the
 * last year of the national holiday table, "local_holidays_until": the last year of the
 * admin's days off (0: none)}: a due date past both counts weekends only, which the case
 * page and the holiday page say. */
static void case_settings_h(struct req *r)
{
    reply_json(r, 200,
               json_pack("{s:I, s:i, s:i}", assign_days_field.name,
                         (json_int_t)setting_int(r->db, ASSIGN_DAYS_KEY, ASSIGN_DAYS_DEFAULT),
                         "holidays_until", holidays_cn_until(), "local_holidays_until",
                         holidays_local_until(r->db)));
}

/* PUT /api/v1/case/settings {"assign_days": N} (1 to 60): the admin's, audited. */
static void case_settings_put_h(struct req *r)
{
    setting_put(r, &assign_days_field, ASSIGN_DAYS_KEY, ASSIGN_DAYS_DEFAULT, "case_settings");
}

/* The service desk (为侨服务). */
const struct module case_module = {
    .name = "case",
    .label = {"为侨服务", "為僑服務", "Service desk"},
    .entities = (const struct entity *const[]){&case_entity, NULL},
    .routes =
        (const struct route[]){
            {"GET", "/api/v1/case/assignees", case_assignees_h, NULL, P_EDIT, 0},
            {"GET", "/api/v1/case/people", case_people_h, NULL, P_EDIT, 0},
            /* the generic move, with room for an attachment */
            {"POST", "/api/v1/case/{id}/transition", transition_h, NULL, P_EDIT, R_UPLOAD, "case"},
            {"POST", "/api/v1/case/{id}/note", case_note_h, NULL, P_EDIT, R_UPLOAD},
            {"GET", "/api/v1/case/{id}/timeline", case_timeline_h, NULL, P_VIEW, 0},
            {"GET", "/api/v1/case/file/{id}", case_file_h, NULL, P_VIEW, 0},
            {"GET", "/api/v1/reports/cases", case_report_h, "report", P_VIEW, 0},
            {"GET", "/api/v1/case/settings", case_settings_h, NULL, P_VIEW, 0},
            {"PUT", "/api/v1/case/settings", case_settings_put_h, NULL, P_ADMIN, 0},
            {NULL},
        },
    .grants = (const struct grant[]){{"admin", GALL},
                                     {"leader", GV | GX | GS | GA},
                                     {"staff", GV | GE | GX | GS},
                                     {"mediator", GV | GE | GS},
                                     {"viewer", GV},
                                     {NULL}},
    .sync = case_sync,
    .figures =
        (const struct figure[]){
            {"cases.received", {"受理案件", "受理案件", "Cases received"}, "件", 0, received},
            {"cases.legal",
             {"受理涉侨法律案件", "受理涉僑法律案件", "Legal cases"},
             "件",
             0,
             received_legal},
            {"cases.resolved", {"办结案件", "辦結案件", "Cases resolved"}, "件", 0, resolved},
            {"cases.recovered", {"挽回经济损失", "挽回經濟損失", "Recovered"}, "元", 0, recovered},
            {NULL},
        },
};
