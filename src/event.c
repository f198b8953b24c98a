/* event.c - 活动与项目 (SPEC "Events, projects, submissions, honours"): events and their
 * participants, the sign-in list, and the module that also holds projects and
 * submissions (project.c).
 *
 * Event:       a meeting, camp, forum, video conference ... of an org; a series (中国寻根之旅)
 *              and its edition (an int, shown as 第五届: edition_label). Its participants,
 *              countries and total attendance are computed at every read from the
 *              participant rows (event_compute), never typed: "来自93个国家和地区的114名海外
 *              侨领" comes out of the data.
 * Participant: a person registered for an event, with a role and attendance; it belongs to
 *              its event's org (copied by participant_check, like a talent profile to its
 *              person). A person is registered once per event: participant_check answers a
 *              409 naming the person, and a unique index on the live rows (event_sync) makes
 *              two at once impossible.
 * Sign-in:     POST /api/v1/event/{id}/signin matches the lines of a pasted or imported
 *              sign-in list (name, country, phone) to the registry, and with "commit"
 *              creates the people the user confirmed as new and registers everyone, all in
 *              one transaction (signin_h). */
#include "api.h"
#include "cells.h"
#include "module.h"
#include "search.h"
#include "xlsx.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

extern const struct entity person_entity, project_entity, submission_entity, event_photo_entity;
int photo_sync(db *d);                /* photo.c */
int project_sync(db *d);              /* project.c */
void stage_history_h(struct req *r);  /* GET /api/v1/{project,submission}/{id}/history */
void project_stages_h(struct req *r); /* GET /api/v1/project/stages */
void event_photos_h(struct req *r);   /* POST /api/v1/event/{id}/photos */
void photo_image_h(struct req *r);    /* GET /api/v1/event_photo/{id}/image */
void photo_thumb_h(struct req *r);    /* GET /api/v1/event_photo/{id}/thumb */
const struct entity event_entity, participant_entity;

static const struct enumval kinds[] = {
    {"meeting", {"座谈会", "座談會", "Meeting"}},
    {"training", {"培训班", "培訓班", "Training"}},
    {"camp", {"夏令营/寻根之旅", "夏令營/尋根之旅", "Camp / roots tour"}},
    {"gathering", {"联谊会/茶话会", "聯誼會/茶話會", "Gathering"}},
    {"forum", {"论坛/年会", "論壇/年會", "Forum"}},
    {"video_conference", {"视频会", "視頻會", "Video conference"}},
    {"competition", {"赛事", "賽事", "Competition"}},
    {"lecture", {"宣讲", "宣講", "Lecture"}},
    {"media_tour", {"媒体行", "媒體行", "Media tour"}},
    {"visit_tour", {"考察", "考察", "Study tour"}},
    {"other", {"其他", "其他", "Other"}},
    {NULL},
};

static const struct enumval modes[] = {
    {"offline", {"线下", "線下", "In person"}},
    {"online", {"线上", "線上", "Online"}},
    {"hybrid", {"线上线下结合", "線上線下結合", "Hybrid"}},
    {NULL},
};

static const struct enumval roles[] = {
    {"guest", {"嘉宾", "嘉賓", "Guest"}},
    {"speaker", {"发言人", "發言人", "Speaker"}},
    {"leader", {"侨领代表", "僑領代表", "Community leader"}},
    {"delegate", {"代表", "代表", "Delegate"}},
    {"expert", {"专家", "專家", "Expert"}},
    {"media", {"媒体", "媒體", "Media"}},
    {"staff", {"工作人员", "工作人員", "Staff"}},
    {"other", {"其他", "其他", "Other"}},
    {NULL},
};

/* ---- editions ------------------------------------------------------------------------ */

/* Write n (1..99) in Chinese numerals into out (at least 16 bytes): 5 "五", 10 "十", 12
 * "十二", 20 "二十", 99 "九十九". Returns out; "" for n outside 1..99. */
char *zh_numeral(int n, char *out, size_t size)
{
    static const char *const d[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    if (n < 1 || n > 99) {
        snprintf(out, size, "%s", "");
        return out;
    }
    int tens = n / 10, ones = n % 10;
    if (!tens)
        snprintf(out, size, "%s", d[ones]);
    else
        snprintf(out, size, "%s十%s", tens > 1 ? d[tens] : "", d[ones]);
    return out;
}

/* ---- event --------------------------------------------------------------------------- */

/* Rules across fields: the event ends on or after the day it starts. */
static int event_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    (void)c;
    (void)old;
    const char *from = json_string_value(json_object_get(rec, "starts_on"));
    const char *to = json_string_value(json_object_get(rec, "ends_on"));
    if (from && to && strcmp(to, from) < 0)
        return verr_set(e, 422, "invalid", "ends_on", "“结束日期”(%s)不能早于“开始日期”(%s)", to,
                        from);
    return 0;
}

/* The event's attendance, from its live participant rows: registered (every row),
 * participants (those who attended), countries (distinct residence countries of the
 * people who attended), total_attendance (participants + headcount); and edition_label
 * (第五届). One query on an index per record (participant_event_live_i, the person by id). */
static void event_compute(struct ent_ctx *c, json_t *rec)
{
    int64_t id = json_integer_value(json_object_get(rec, "id"));
    int64_t registered = 0, attended = 0;
    /* The distinct countries are counted here: a list of 20 events would otherwise make 20
     * temporary B-trees for count(DISTINCT). */
    stmt *s = db_prepare(c->db, "SELECT pa.attended AS attended, p.residence_country AS country "
                                "FROM participant pa JOIN person p ON p.id = pa.person_id WHERE "
                                "pa.event_id = ? AND pa.deleted_at IS NULL");
    char seen[300][3]; /* the countries of those who attended, ISO alpha-2 (249 exist) */
    int countries = 0;
    if (s) {
        st_bind_int(s, 1, id);
        while (st_step(s) == DB_ROW) {
            registered++;
            if (!st_int(s, "attended"))
                continue;
            attended++;
            const char *k = st_text(s, "country");
            if (!k)
                continue;
            int found = 0;
            for (int i = 0; i < countries && !found; i++)
                found = !strncmp(seen[i], k, 2);
            if (found)
                continue;
            if (countries < 300)
                snprintf(seen[countries++], sizeof seen[0], "%.2s", k);
        }
    }
    st_finalize(s);
    json_t *hc = json_object_get(rec, "headcount");
    json_object_set_new(rec, "registered", json_integer(registered));
    json_object_set_new(rec, "participants", json_integer(attended));
    json_object_set_new(rec, "countries", json_integer(countries));
    json_object_set_new(
        rec, "total_attendance",
        json_integer(attended + (json_is_integer(hc) ? json_integer_value(hc) : 0)));
    json_t *ed = json_object_get(rec, "edition");
    if (json_is_integer(ed)) {
        char num[32];
        json_object_set_new(
            rec, "edition_label",
            json_sprintf("第%s届", zh_numeral((int)json_integer_value(ed), num, sizeof num)));
    } else {
        json_object_set_new(rec, "edition_label", json_null());
    }
}

/* The live ids of table's rows (participant, event_photo) of event id (a new array). */
static json_t *child_ids(struct ent_ctx *c, const char *table, int64_t id)
{
    json_t *ids = json_array();
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT id FROM \"%s\" WHERE event_id = ? AND deleted_at IS NULL ORDER BY id", table);
    stmt *s = db_prepare(c->db, sql);
    if (s) {
        st_bind_int(s, 1, id);
        while (st_step(s) == DB_ROW)
            json_array_append_new(ids, json_integer(st_int(s, "id")));
    }
    st_finalize(s);
    return ids;
}

/* An event moved to another org takes its participants and photos along (their org is
 * the event's: each is written again through the entity layer, with its audit entry). */
static int event_after_write(struct ent_ctx *c, int64_t id, json_t *rec, const json_t *old,
                             struct verr *e)
{
    if (!old || json_equal(json_object_get(rec, "org_id"), json_object_get(old, "org_id")))
        return 0;
    const struct entity *children[] = {&participant_entity, &event_photo_entity};
    for (int k = 0; k < 2; k++) {
        json_t *ids = child_ids(c, children[k]->name, id);
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v)
        {
            json_t *empty = json_object();
            json_t *res = ent_update(c, children[k], json_integer_value(v), empty, e);
            json_decref(empty);
            if (!res) {
                json_decref(ids);
                return -1;
            }
            json_decref(res);
        }
        json_decref(ids);
    }
    return 0;
}

/* Deleting an event deletes its registrations and photos with it (each audited). */
static int event_before_delete(struct ent_ctx *c, int64_t id, const json_t *old, struct verr *e)
{
    (void)old;
    json_t *photos = child_ids(c, "event_photo", id);
    size_t k;
    json_t *p;
    json_array_foreach(photos, k,
                       p) if (ent_delete(c, &event_photo_entity, json_integer_value(p), e))
    {
        json_decref(photos);
        return -1;
    }
    json_decref(photos);
    json_t *ids = child_ids(c, "participant", id);
    size_t i;
    json_t *v;
    int rc = 0;
    json_array_foreach(ids, i, v) if (ent_delete(c, &participant_entity, json_integer_value(v), e))
    {
        rc = -1;
        break;
    }
    json_decref(ids);
    return rc;
}

static const struct field event_computed[] = {
    {"edition_label", FT_TEXT, {"届次", "屆次", "Edition"}, FF_READONLY | FF_LIST},
    {"registered", FT_INT, {"登记人数", "登記人數", "Registered"}, FF_READONLY},
    {"participants", FT_INT, {"参加人数", "參加人數", "Participants"}, FF_READONLY | FF_LIST},
    {"countries", FT_INT, {"国家和地区数", "國家和地區數", "Countries"}, FF_READONLY},
    {"cover_photo_id",
     FT_INT,
     {"封面照片", "封面照片", "Cover photo"},
     FF_READONLY,
     /* one photo is the cover (photo.c) */
     .sql = "SELECT ph.id FROM event_photo ph WHERE ph.event_id = t.id AND ph.cover = 1 AND "
            "ph.deleted_at IS NULL ORDER BY ph.id LIMIT 1"},
    {"total_attendance",
     FT_INT,
     {"总参加人数", "總參加人數", "Total attendance"},
     FF_READONLY | FF_LIST},
    {NULL},
};

const struct entity event_entity = {
    .name = "event",
    .label = {"活动", "活動", "Event"},
    .module = "event",
    .title = "name",
    .flags = EF_OWNED,
    /* The live rows, for the lists (the bench: bench/events): an org's events by date (a
     * county's year counted from the index alone), and by date with the org (a page of a
     * county's year in date order: only the rows shown are looked up). */
    .indexes = (const char *const[]){"org_live_i (org_id, deleted_at, starts_on)",
                                     "starts_live_i (starts_on, deleted_at, org_id)", NULL},
    .check = event_check,
    .after_write = event_after_write,
    .before_delete = event_before_delete,
    .computed = event_computed,
    .compute = event_compute,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG,
            {"name",
             FT_TEXT,
             {"活动名称", "活動名稱", "Name"},
             FF_REQUIRED | FF_LIST | FF_SEARCH,
             .max = 200},
            {"kind", FT_ENUM, {"类型", "類型", "Kind"}, FF_REQUIRED | FF_LIST | FF_INDEX, kinds},
            {"series",
             FT_TEXT,
             {"系列", "系列", "Series"},
             FF_LIST | FF_INDEX | FF_SEARCH,
             .max = 100},
            {"edition", FT_INT, {"届次", "屆次", "Edition"}, 0, .min = 1, .max = 99},
            {"starts_on", /* indexed with org_id (.indexes) */
             FT_DATE,
             {"开始日期", "開始日期", "Starts on"},
             FF_REQUIRED | FF_LIST},
            {"ends_on", FT_DATE, {"结束日期", "結束日期", "Ends on"}, 0},
            {"country", FT_COUNTRY, {"国家或地区", "國家或地區", "Country"}, FF_INDEX},
            {"city", FT_TEXT, {"城市", "城市", "City"}, 0, .max = 100},
            {"venue", FT_TEXT, {"地点", "地點", "Venue"}, 0, .max = 200},
            {"mode", FT_ENUM, {"形式", "形式", "Mode"}, FF_INDEX, modes, .dflt = "offline"},
            {"co_organisers",
             FT_LIST,
             {"合办单位", "合辦單位", "Co-organisers"},
             FF_SEARCH,
             .max = 200},
            {"headcount",
             FT_INT,
             {"未逐一登记的参加人数", "未逐一登記的參加人數", "Headcount (not registered)"},
             0,
             .min = 0,
             .max = 100000000},
            {"online_viewers",
             FT_INT,
             {"线上观看人次", "線上觀看人次", "Online viewers"},
             0,
             .min = 0,
             .max = 1000000000},
            {"summary", FT_TEXTAREA, {"活动概况", "活動概況", "Summary"}, 0},
            FIELDS_TAIL,
        },
};

/* ---- participant --------------------------------------------------------------------- */

/* The person's name into rec (person_name), as c may see the person: the merge of
 * duplicate people calls it for every row it points at the kept person. */
static int participant_derive(struct ent_ctx *c, json_t *rec, struct verr *e)
{
    int64_t pid = json_integer_value(json_object_get(rec, "person_id"));
    struct verr e2;
    json_t *p = ent_read(c, &person_entity, pid, 1, &e2);
    if (!p)
        return ent_ref_missing(e, "person_id", msg_cur("人员"), &person_entity, pid);
    json_object_set(rec, "person_name", json_object_get(p, "name"));
    json_decref(p);
    return 0;
}

/* The participant belongs to its event's org (the event and the person were read within
 * the writer's scope by the reference checks before this hook); a person is registered
 * once per event. */
static int participant_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    int64_t eid = json_integer_value(json_object_get(rec, "event_id"));
    json_t *ev = ent_read(c, &event_entity, eid, 1, e);
    if (!ev)
        return ent_ref_missing(e, "event_id", msg_cur("活动"), &event_entity, eid);
    json_object_set(rec, "org_id", json_object_get(ev, "org_id"));
    json_decref(ev);
    if (participant_derive(c, rec, e))
        return -1;
    if (old && json_equal(json_object_get(rec, "event_id"), json_object_get(old, "event_id")) &&
        json_equal(json_object_get(rec, "person_id"), json_object_get(old, "person_id")))
        return 0;
    int64_t dup = db_int(c->db, 0,
                         "SELECT id FROM participant WHERE event_id = ? AND person_id = ? AND "
                         "deleted_at IS NULL AND id <> ?",
                         "iii", eid, json_integer_value(json_object_get(rec, "person_id")),
                         old ? json_integer_value(json_object_get(old, "id")) : 0);
    if (dup)
        return verr_set(e, 409, "conflict", "person_id",
                        "“%s”已登记为本活动的参加人员 (登记编号 %lld), 同一人不能登记两次",
                        json_string_value(json_object_get(rec, "person_name")), (long long)dup);
    return 0;
}

static const struct field participant_computed[] = {
    {"residence_country",
     FT_COUNTRY,
     {"居住国家或地区", "居住國家或地區", "Country of residence"},
     FF_READONLY | FF_LIST,
     /* the person's, live (the event's countries count it) */
     .sql = "SELECT p.residence_country FROM person p WHERE p.id = t.person_id"},
    {NULL},
};

const struct entity participant_entity = {
    .name = "participant",
    .label = {"参加人员", "參加人員", "Participant"},
    .module = "event",
    .title = "person_name",
    .flags = EF_OWNED,
    /* An event's participants with what its attendance reads (event_compute, the
     * countries): no lookup of the participant rows. */
    .indexes =
        (const char *const[]){"event_live_i (event_id, deleted_at, attended, person_id)", NULL},
    .check = participant_check,
    .derive = participant_derive,
    .computed = participant_computed,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG_OF_PARENT,
            {"event_id",
             FT_REF,
             {"活动", "活動", "Event"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             .ref = "event"},
            {"person_id",
             FT_REF,
             {"人员", "人員", "Person"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             .ref = "person"},
            {"person_name",
             FT_TEXT,
             {"姓名", "姓名", "Name"},
             FF_READONLY | FF_LIST | FF_SEARCH,
             .max = 200},
            {"role", FT_ENUM, {"身份", "身份", "Role"}, FF_LIST | FF_INDEX, roles, .dflt = "guest"},
            {"attended", FT_BOOL, {"出席", "出席", "Attended"}, FF_LIST, .dflt = "true"},
            {"notes", FT_TEXT, {"备注", "備註", "Notes"}, 0, .max = 500},
            FIELDS_TAIL,
        },
};

/* A person once per event, even for two requests at once. The photos' blobs (photo.c). */
static int event_sync(db *d)
{
    static const char *const ddl[] = {
        "CREATE UNIQUE INDEX IF NOT EXISTS participant_event_person_u ON participant "
        "(event_id, person_id) WHERE deleted_at IS NULL",
        /* starts_on alone, once FF_INDEX: the planner took it for a county's year and
         * looked up every event of that year in every county */
        "DROP INDEX IF EXISTS event_starts_on_i",
    };
    for (size_t i = 0; i < sizeof ddl / sizeof *ddl; i++)
        if (db_exec(d, ddl[i]) != DB_OK)
            return DB_ERROR;
    if (project_sync(d) != DB_OK)
        return DB_ERROR;
    return photo_sync(d);
}

/* Before the person drop is merged into keep: where both are registered for one event,
 * drop's registration is deleted (audited; keep's stays, attended if either was), so that
 * the merge's relinking keeps one registration per person and event. */
static int event_before_merge(struct ent_ctx *c, int64_t keep, int64_t drop, struct verr *e)
{
    stmt *s = db_prepare(c->db, "SELECT d.id AS drop_pid, k.id AS keep_pid, d.attended AS att "
                                "FROM participant d JOIN participant k ON k.event_id = "
                                "d.event_id AND k.person_id = ? AND k.deleted_at IS NULL "
                                "WHERE d.person_id = ? AND d.deleted_at IS NULL ORDER BY d.id");
    if (!s)
        return verr_set(e, 500, "internal", NULL, "数据库错误, 合并未完成");
    st_bind_int(s, 1, keep);
    st_bind_int(s, 2, drop);
    json_t *pairs = json_array();
    int rc;
    while ((rc = st_step(s)) == DB_ROW)
        json_array_append_new(pairs,
                              json_pack("[I, I, b]", (json_int_t)st_int(s, "drop_pid"),
                                        (json_int_t)st_int(s, "keep_pid"), st_int(s, "att") != 0));
    st_finalize(s);
    if (rc != DB_DONE) {
        json_decref(pairs);
        return verr_set(e, 500, "internal", NULL, "数据库错误, 合并未完成");
    }
    size_t i;
    json_t *p;
    int fail = 0;
    json_array_foreach(pairs, i, p)
    {
        if (ent_delete(c, &participant_entity, json_integer_value(json_array_get(p, 0)), e)) {
            fail = 1;
            break;
        }
        if (json_is_true(json_array_get(p, 2))) {
            json_t *body = json_pack("{s:b}", "attended", 1);
            json_t *res = ent_update(c, &participant_entity,
                                     json_integer_value(json_array_get(p, 1)), body, e);
            json_decref(body);
            if (!res) {
                fail = 1;
                break;
            }
            json_decref(res);
        }
    }
    json_decref(pairs);
    return fail ? -1 : 0;
}

/* ---- the sign-in list ---------------------------------------------------------------- */

/* Split text into lines and cells: tab-separated if the line has a tab, otherwise by
 * commas (, ，) ; a first line starting with 姓名 / name is a header. Answers a new
 * array of {"name", "country", "phone"} objects (strings as typed, maybe absent). */
static json_t *split_text(const char *text)
{
    json_t *rows = json_array();
    buf cell = {0};
    const char *p = text;
    int first = 1;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *line = xstrndup(p, len);
        p = end ? end + 1 : p + len;
        size_t l = strlen(line);
        while (l && (line[l - 1] == '\r' || line[l - 1] == ' '))
            line[--l] = 0;
        if (!l) {
            free(line);
            continue;
        }
        int tabs = strchr(line, '\t') != NULL;
        json_t *cells = json_array();
        for (char *q = line;;) {
            size_t n = 0;
            size_t skip = 0;
            for (; q[n]; n++) {
                if (tabs ? q[n] == '\t' : q[n] == ',') {
                    skip = 1;
                    break;
                }
                if (!tabs && !strncmp(q + n, "，", 3)) {
                    skip = 3;
                    break;
                }
            }
            cell.len = 0;
            buf_add(&cell, q, n);
            json_array_append_new(cells, json_string(buf_str(&cell)));
            if (!skip)
                break;
            q += n + skip;
        }
        const char *c0 = json_string_value(json_array_get(cells, 0));
        int header = first && c0 && (strstr(c0, "姓名") || !strcasecmp(c0, "name"));
        first = 0;
        if (!header) {
            json_t *o = json_object();
            static const char *const keys[] = {"name", "country", "phone"};
            for (size_t i = 0; i < 3 && i < json_array_size(cells); i++)
                json_object_set(o, keys[i], json_array_get(cells, i));
            json_array_append_new(rows, o);
        }
        json_decref(cells);
        free(line);
    }
    buf_free(&cell);
    return rows;
}

/* The column of a sign-in sheet's header cell (cell_key'd): 0 name, 1 country, 2 phone,
 * -1 none of these. */
static int header_col(const char *key)
{
    static const char *const words[3][6] = {
        {"姓名", "name", "名字", "中文名", NULL},
        {"国家", "国籍", "country", "居住国", "地区", NULL},
        {"电话", "手机", "phone", "联系方式", "联系电话", NULL},
    };
    for (int k = 0; k < 3; k++)
        for (int j = 0; words[k][j]; j++)
            if (strstr(key, words[k][j]))
                return k;
    return -1;
}

/* The rows of an imported sign-in sheet, file {"name", "data" (base64 or a data: URL)}:
 * CSV or the first worksheet of an XLSX workbook (xlsx.h). The header row (one of the
 * first ten with a 姓名 / name cell; title rows above it are skipped) says which column
 * is which; without one the columns are name, country, phone. Appends {"name",
 * "country", "phone"} objects to rows. 0, or -1 with e on the "file" field. */
static int read_sheet(struct ent_ctx *c, json_t *file, json_t *rows, struct verr *e)
{
    const char *data = json_string_value(json_object_get(file, "data"));
    if (!json_is_object(file) || !data)
        return verr_set(e, 422, "invalid", "file",
                        "“签到表”应为 {\"name\": 文件名, \"data\": base64 内容}");
    const char *comma = strncmp(data, "data:", 5) ? NULL : strchr(data, ',');
    if (comma)
        data = comma + 1;
    size_t len = strlen(data), max = len / 4 * 3 + 3, n = 0;
    char *bin = xmalloc(max + 1);
    int rc = 0;
    struct table t;
    table_init(&t);
    t.max_rows = 5000;
    if (sodium_base642bin((unsigned char *)bin, max, data, len, " \r\n", &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) ||
        !n) {
        rc = verr_set(e, 422, "invalid", "file", "签到表的内容不是有效的 base64 编码");
        goto out;
    }
    if (table_read(&t, bin, n, e)) {
        snprintf(e->field, sizeof e->field, "file");
        rc = -1;
        goto out;
    }
    int col[3] = {0, 1, 2}, start = 0;
    for (int i = 0; i < t.nrows && i < 10; i++) {
        int found[3] = {-1, -1, -1};
        for (int j = 0; j < t.rows[i].n; j++) {
            int k = header_col(cell_key(c->a, t.rows[i].cells[j]));
            if (k >= 0 && found[k] < 0)
                found[k] = j;
        }
        if (found[0] >= 0) {
            for (int k = 0; k < 3; k++)
                col[k] = found[k];
            start = i + 1;
            break;
        }
    }
    static const char *const keys[] = {"name", "country", "phone"};
    for (int i = start; i < t.nrows; i++) {
        const struct trow *row = &t.rows[i];
        int empty = 1;
        for (int j = 0; j < row->n; j++)
            empty &= !*cell_clean(c->a, row->cells[j], 1);
        if (empty)
            continue;
        json_t *o = json_object();
        for (int k = 0; k < 3; k++)
            if (col[k] >= 0 && col[k] < row->n)
                json_object_set_new(o, keys[k], json_string(row->cells[col[k]]));
        json_array_append_new(rows, o);
    }
out:
    table_free(&t);
    free(bin);
    return rc;
}

/* Add person id to cands unless there (match: why it is a candidate). */
static void add_candidate(json_t *cands, int64_t id, const char *match)
{
    size_t i;
    json_t *v;
    json_array_foreach(cands, i, v) if (json_integer_value(json_object_get(v, "id")) == id) return;
    json_array_append_new(cands, json_pack("{s:I, s:s}", "id", (json_int_t)id, "match", match));
}

/* The people in c's scope with this phone (normalised as the person field stores it). */
static void phone_candidates(struct ent_ctx *c, const char *phone, json_t *cands)
{
    buf sql = {0};
    json_t *binds = json_array();
    buf_puts(&sql, "SELECT t.id FROM person t WHERE t.phone = ? AND t.deleted_at IS NULL");
    json_array_append_new(binds, json_string(phone));
    ent_scope_sql(c, &person_entity, &sql, binds);
    buf_puts(&sql, " ORDER BY t.id LIMIT 5");
    stmt *s = db_prepare_json(c->db, buf_str(&sql), binds);
    while (s && st_step(s) == DB_ROW)
        add_candidate(cands, st_int(s, "id"), msg_cur("电话相同"));
    st_finalize(s);
    buf_free(&sql);
    json_decref(binds);
}

/* Match one row of the list: normalise its values (errors go into the row), find the
 * candidates (same phone; the name search), propose a person when one is sure (the one
 * person with that phone, or the one with exactly that name and country), and say
 * whether the proposed person is registered already. Writes into row: name, country,
 * phone (normalised), candidates [{id, name, residence_country, match}], action (match,
 * choose, create, already, error), person_id (proposed), message. */
static void match_row(struct ent_ctx *c, int64_t event_id, json_t *row)
{
    static const char *const keys[] = {"name", "country", "phone"};
    static const char *const pfields[] = {"name", "residence_country", "phone"};
    json_t *vals[3] = {NULL, NULL, NULL};
    for (int i = 0; i < 3; i++) {
        json_t *in = json_object_get(row, keys[i]);
        struct verr e;
        if (in && !json_is_string(in) && !json_is_null(in)) {
            json_object_set_new(row, "action", json_string("error"));
            json_object_set_new(row, "field", json_string(keys[i]));
            json_object_set_new(row, "message", json_sprintf(msg_cur("“%s”应为文字"), keys[i]));
            goto out;
        }
        /* as people write them: spaces and full-width folded, 新加坡 for SG, a mainland
         * mobile without +86 */
        const char *text = cell_clean(c->a, json_is_string(in) ? json_string_value(in) : "", i);
        char phone[40];
        if (i == 1 && *text && cell_country(text))
            text = cell_country(text);
        else if (i == 2 && cell_phone(text, phone))
            text = arena_strdup(c->a, phone);
        if (ent_value_text(ent_field(&person_entity, pfields[i]), text, &vals[i], &e)) {
            json_object_set_new(row, "action", json_string("error"));
            json_object_set_new(row, "field", json_string(keys[i]));
            json_object_set_new(row, "message", json_string(e.msg));
            goto out;
        }
        json_object_set(row, keys[i], vals[i]);
    }
    if (json_is_null(vals[0])) {
        json_object_set_new(row, "action", json_string("error"));
        json_object_set_new(row, "field", json_string("name"));
        json_object_set_new(row, "message", json_string(msg_cur("“姓名”不能为空")));
        goto out;
    }
    const char *name = json_string_value(vals[0]);
    const char *country = json_string_value(vals[1]);
    json_t *cands = json_array();
    if (json_is_string(vals[2]))
        phone_candidates(c, json_string_value(vals[2]), cands);
    size_t by_phone = json_array_size(cands);
    const struct entity *ents[] = {&person_entity, NULL};
    struct verr e;
    json_t *found = search_run(c, name, ents, 8, &e);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(found, "items"), i, v)
        add_candidate(cands, json_integer_value(json_object_get(v, "id")),
                      json_string_value(json_object_get(v, "match")));
    json_decref(found);
    int64_t proposed = 0, exact = 0;
    int nexact = 0;
    json_array_foreach(cands, i, v)
    {
        int64_t id = json_integer_value(json_object_get(v, "id"));
        json_t *p = ent_read(c, &person_entity, id, 0, &e);
        if (!p)
            continue;
        json_object_set(v, "name", json_object_get(p, "name"));
        json_object_set(v, "residence_country", json_object_get(p, "residence_country"));
        const char *pc = json_string_value(json_object_get(p, "residence_country"));
        if (!strcmp(json_string_value(json_object_get(p, "name")), name) &&
            (!country || (pc && !strcmp(pc, country)))) {
            exact = id;
            nexact++;
        }
        json_decref(p);
    }
    if (by_phone == 1)
        proposed = json_integer_value(json_object_get(json_array_get(cands, 0), "id"));
    else if (nexact == 1)
        proposed = exact;
    json_object_set_new(row, "candidates", cands);
    if (proposed) {
        json_object_set_new(row, "person_id", json_integer(proposed));
        int64_t reg = db_int(c->db, 0,
                             "SELECT id FROM participant WHERE event_id = ? AND person_id = ? "
                             "AND deleted_at IS NULL",
                             "ii", event_id, proposed);
        json_object_set_new(row, "action", json_string(reg ? "already" : "match"));
    } else {
        json_object_set_new(row, "person_id", json_null());
        json_object_set_new(row, "action",
                            json_string(json_array_size(cands) ? "choose" : "create"));
    }
out:
    for (int k = 0; k < 3; k++)
        json_decref(vals[k]);
}

/* Register the rows (matched by match_row, decisions from the body's rows) in the
 * caller's transaction: a row with person_id registers that person, one with "create":
 * true creates the person (in the event's org) first; "already" rows are skipped. 0, or
 * -1 with e naming the row (第N行) and field. */
static int register_rows(struct ent_ctx *c, const json_t *ev, json_t *rows, const char *role,
                         int *created, int *registered, struct verr *e)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        int n = (int)i + 1;
        const char *action = json_string_value(json_object_get(row, "action"));
        const char *name = json_string_value(json_object_get(row, "name"));
        if (!strcmp(action, "error")) {
            verr_set(e, 422, "invalid", "rows", "第%d行: %s", n,
                     json_string_value(json_object_get(row, "message")));
            return -1;
        }
        json_t *want = json_object_get(row, "decision_id");
        int create = json_is_true(json_object_get(row, "create"));
        int64_t pid = json_is_integer(want) ? json_integer_value(want)
                      : create              ? 0
                                            : json_integer_value(json_object_get(row, "person_id"));
        if (!pid && !create) {
            verr_set(e, 422, "invalid", "rows",
                     !strcmp(action, "choose")
                         ? "第%d行“%s”: 登记册里有可能是同一人的记录, 请选择其中一人或确认新建"
                         : "第%d行“%s”: 登记册里没有此人, 请确认新建",
                     n, name);
            return -1;
        }
        if (!pid) {
            json_t *p =
                json_pack("{s:s, s:O, s:O, s:O}", "name", name, "residence_country",
                          json_object_get(row, "country"), "phone", json_object_get(row, "phone"),
                          "org_id", json_object_get(ev, "org_id"));
            struct verr e2;
            json_t *rec = ent_create(c, &person_entity, p, &e2);
            json_decref(p);
            if (!rec) {
                verr_set(e, e2.status, e2.code, "rows", "第%d行“%s”: %s", n, name, e2.msg);
                return -1;
            }
            pid = json_integer_value(json_object_get(rec, "id"));
            json_decref(rec);
            (*created)++;
        } else if (!strcmp(action, "already") && !json_is_integer(want)) {
            continue;
        }
        json_t *body = json_pack("{s:O, s:I, s:s}", "event_id", json_object_get(ev, "id"),
                                 "person_id", (json_int_t)pid, "role", role);
        struct verr e2;
        json_t *rec = ent_create(c, &participant_entity, body, &e2);
        json_decref(body);
        if (!rec) {
            verr_set(e, e2.status, e2.code, "rows", "第%d行“%s”: %s", n, name, e2.msg);
            return -1;
        }
        json_decref(rec);
        (*registered)++;
    }
    return 0;
}

/* POST /api/v1/event/{id}/signin
 * {"text": "name<TAB>country<TAB>phone\n..."}, {"file": {"name", "data"}} (a CSV or XLSX
 * sign-in sheet, read_sheet) or {"rows": [{"name", "country", "phone",
 * and on commit "person_id" (the person chosen) or "create": true}]}, "role" (default
 * guest), "commit" (default false).
 * Without commit: answers {"rows": [...match_row...], "committed": false} and writes
 * nothing. With commit: in one transaction, creates the people confirmed as new and
 * registers every row (all or nothing), answering 201 {"rows", "committed": true,
 * "created", "registered"}; a row without a decision, a bad value or a person already
 * registered twice in the list is a 4xx naming the row, and nothing is written. */
static void signin_h(struct req *r)
{
    struct ent_ctx *c = &r->ctx;
    json_t *body = req_json(r);
    if (!body)
        return;
    json_t *rows = NULL, *ev = NULL;
    struct verr e = {0};
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) if (strcmp(k, "text") && strcmp(k, "rows") &&
                                        strcmp(k, "file") && strcmp(k, "role") &&
                                        strcmp(k, "commit"))
    {
        reply_error(r, 400, "unknown_field", k,
                    "不认识的参数“%s”, 可用: text、file、rows、role、commit", k);
        goto out;
    }
    ev = ent_read(c, &event_entity, r->id, 1, &e);
    if (!ev) {
        reply_verr(r, &e);
        goto out;
    }
    json_t *rolev = json_object_get(body, "role"), *role = NULL;
    if (rolev && ent_value(ent_field(&participant_entity, "role"), rolev, &role, &e)) {
        reply_verr(r, &e);
        goto out;
    }
    const char *rolename = json_is_string(role) ? json_string_value(role) : "guest";
    json_t *text = json_object_get(body, "text"), *in = json_object_get(body, "rows");
    if (text && !json_is_string(text)) {
        reply_error(r, 422, "invalid", "text", "“签到名单”应为文字");
        json_decref(role);
        goto out;
    }
    if (in && !json_is_array(in)) {
        reply_error(r, 422, "invalid", "rows", "“rows”应为数组");
        json_decref(role);
        goto out;
    }
    rows = text ? split_text(json_string_value(text)) : json_array();
    json_t *file = json_object_get(body, "file");
    if (file && read_sheet(c, file, rows, &e)) {
        reply_verr(r, &e);
        json_decref(role);
        goto out;
    }
    size_t i;
    json_array_foreach(in, i, v)
    {
        if (!json_is_object(v)) {
            reply_error(r, 422, "invalid", "rows", "第%d行应为对象", (int)i + 1);
            json_decref(role);
            goto out;
        }
        json_t *row = json_object();
        json_object_set(row, "name", json_object_get(v, "name"));
        json_object_set(row, "country", json_object_get(v, "country"));
        json_object_set(row, "phone", json_object_get(v, "phone"));
        json_t *pid = json_object_get(v, "person_id");
        if (pid && !json_is_null(pid)) {
            if (!json_is_integer(pid) || json_integer_value(pid) < 1) {
                reply_error(r, 422, "invalid", "rows", "第%d行: “person_id”应为正整数", (int)i + 1);
                json_decref(row);
                json_decref(role);
                goto out;
            }
            json_object_set(row, "decision_id", pid);
        }
        if (json_is_true(json_object_get(v, "create")))
            json_object_set_new(row, "create", json_true());
        json_array_append_new(rows, row);
    }
    if (!json_array_size(rows)) {
        reply_error(r, 422, "invalid", "rows", "签到名单是空的: 每行写 姓名、国家或地区、电话");
        json_decref(role);
        goto out;
    }
    if (json_array_size(rows) > 2000) {
        reply_error(r, 422, "invalid", "rows", "一次最多登记 2000 人, 名单有 %zu 行",
                    json_array_size(rows));
        json_decref(role);
        goto out;
    }
    json_t *row;
    json_array_foreach(rows, i, row) match_row(c, r->id, row);
    if (!json_is_true(json_object_get(body, "commit"))) {
        json_array_foreach(rows, i, row) json_object_del(row, "decision_id");
        reply_json(r, 200, json_pack("{s:O, s:b}", "rows", rows, "committed", 0));
        json_decref(role);
        goto out;
    }
    int created = 0, registered = 0;
    if (db_begin(r->db) != DB_OK) {
        reply_db_error(r, "数据库错误, 请稍后再试");
        json_decref(role);
        goto out;
    }
    if (register_rows(c, ev, rows, rolename, &created, &registered, &e) ||
        db_commit(r->db) != DB_OK) {
        if (db_depth(r->db))
            db_rollback(r->db);
        if (!e.status)
            verr_set(&e, 500, "internal", NULL, "数据库错误, 请稍后再试");
        reply_verr(r, &e);
        json_decref(role);
        goto out;
    }
    json_array_foreach(rows, i, row) json_object_del(row, "decision_id");
    reply_json(r, 201,
               json_pack("{s:O, s:b, s:i, s:i}", "rows", rows, "committed", 1, "created", created,
                         "registered", registered));
    json_decref(role);
out:
    json_decref(rows);
    json_decref(ev);
    json_decref(body);
}

/* ---- the module ---------------------------------------------------------------------- */

static json_t *country_json(stmt *s)
{
    return json_pack("{s:s?, s:I}", "country", st_text(s, "country"), "people",
                     (json_int_t)st_int(s, "people"));
}

/* GET /api/v1/event/{id}/countries: {items: [{country, people}]}, the residence countries
 * of the people who attended, most first (country null: not given); an event outside the
 * reader's scope is a 404. What the event page charts, from the same rows as the event's
 * `countries`. */
static void event_countries_h(struct req *r)
{
    reply_rows(r, &event_entity,
               "SELECT p.residence_country AS country, count(*) AS people FROM participant pa "
               "JOIN person p ON p.id = pa.person_id WHERE pa.event_id = ? AND pa.deleted_at IS "
               "NULL AND pa.attended = 1 GROUP BY p.residence_country ORDER BY count(*) DESC, "
               "coalesce(p.residence_country, '')",
               json_pack("[I]", (json_int_t)r->id), country_json);
}

/* ---- figures (the work report) ----------------------------------------------------- */

#define EVENTS_IN                                                                                  \
    "FROM \"event\" t JOIN \"org\" o ON o.id = t.org_id WHERE t.deleted_at IS NULL "               \
    "AND o.path >= ? AND o.path < ? AND t.starts_on >= ? AND t.starts_on <= ?"

static int64_t events_count(db *d, const struct period *p)
{
    return db_int(d, -1, "SELECT count(*) " EVENTS_IN, "ssss", p->path, p->bound, p->from, p->to);
}

/* total_attendance summed: those who attended, plus each event's headcount */
static int64_t events_attendance(db *d, const struct period *p)
{
    int64_t head = db_int(d, -1, "SELECT coalesce(sum(t.headcount), 0) " EVENTS_IN, "ssss", p->path,
                          p->bound, p->from, p->to);
    int64_t came = db_int(d, -1,
                          "SELECT count(*) FROM participant pa WHERE pa.deleted_at IS NULL AND "
                          "pa.attended = 1 AND pa.event_id IN (SELECT t.id " EVENTS_IN ")",
                          "ssss", p->path, p->bound, p->from, p->to);
    return head < 0 || came < 0 ? -1 : head + came;
}

/* the distinct residence countries of the people who attended the period's events */
static int64_t events_countries(db *d, const struct period *p)
{
    return db_int(d, -1,
                  "SELECT count(DISTINCT pe.residence_country) FROM participant pa JOIN person pe "
                  "ON pe.id = pa.person_id WHERE pa.deleted_at IS NULL AND pa.attended = 1 AND "
                  "pa.event_id IN (SELECT t.id " EVENTS_IN ")",
                  "ssss", p->path, p->bound, p->from, p->to);
}

static int64_t in_period(db *d, const struct period *p, const char *what, const char *table,
                         const char *date)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(%s, 0) FROM \"%s\" t JOIN \"org\" o ON o.id = t.org_id WHERE "
             "t.deleted_at IS NULL AND o.path >= ? AND o.path < ? AND t.%s >= ? AND t.%s <= ?",
             what, table, date, date);
    return db_int(d, -1, sql, "ssss", p->path, p->bound, p->from, p->to);
}

static int64_t projects_signed(db *d, const struct period *p)
{
    return in_period(d, p, "count(*)", "project", "signed_on");
}
static int64_t projects_amount(db *d, const struct period *p)
{
    return in_period(d, p, "sum(t.amount)", "project", "signed_on");
}
static int64_t submissions_submitted(db *d, const struct period *p)
{
    return in_period(d, p, "count(*)", "submission", "submitted_on");
}
static int64_t submissions_adopted(db *d, const struct period *p)
{
    return in_period(d, p, "count(*)", "submission", "adopted_on");
}

const struct module event_module = {
    .name = "event",
    .label = {"活动与项目", "活動與項目", "Events and projects"},
    .entities =
        (const struct entity *const[]){&event_entity, &participant_entity, &event_photo_entity,
                                       &project_entity, &submission_entity, NULL},
    .routes =
        (const struct route[]){
            {"POST", "/api/v1/event/{id}/signin", signin_h, NULL, P_EDIT, R_UPLOAD},
            {"GET", "/api/v1/event/{id}/countries", event_countries_h, NULL, P_VIEW, 0},
            {"POST", "/api/v1/event/{id}/photos", event_photos_h, NULL, P_EDIT, R_UPLOAD},
            {"GET", "/api/v1/event_photo/{id}/image", photo_image_h, NULL, P_VIEW, 0},
            {"GET", "/api/v1/event_photo/{id}/thumb", photo_thumb_h, NULL, P_VIEW, 0},
            {"GET", "/api/v1/project/{id}/history", stage_history_h, NULL, P_VIEW, 0},
            {"GET", "/api/v1/project/stages", project_stages_h, NULL, P_VIEW, 0},
            {"GET", "/api/v1/submission/{id}/history", stage_history_h, NULL, P_VIEW, 0},
            {NULL},
        },
    .grants = (const struct grant[]){{"admin", GALL},
                                     {"leader", GV | GX},
                                     {"staff", GV | GE | GD | GX},
                                     {"viewer", GV},
                                     {NULL}},
    .sync = event_sync,
    .before_merge = event_before_merge,
    .figures =
        (const struct figure[]){
            {"events.count", {"举办活动", "舉辦活動", "Events"}, "场", 0, events_count},
            {"events.attendance",
             {"参加活动", "參加活動", "Attendance"},
             "人次",
             0,
             events_attendance},
            {"events.countries",
             {"参加者来自的国家和地区", "參加者來自的國家和地區",
              "Countries of those who attended"},
             "个",
             0,
             events_countries},
            {"projects.signed",
             {"签约项目", "簽約項目", "Projects signed"},
             "个",
             0,
             projects_signed},
            {"projects.amount",
             {"签约金额", "簽約金額", "Amount signed"},
             "元",
             0,
             projects_amount},
            {"submissions.submitted",
             {"报送信息", "報送信息", "Submitted"},
             "篇",
             0,
             submissions_submitted},
            {"submissions.adopted", {"被采用", "被採用", "Adopted"}, "篇", 0, submissions_adopted},
            {NULL},
        },
};
