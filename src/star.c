/* star.c - the star history of each 侨胞之家 (SPEC "Events, projects, submissions,
 * honours": a rating and its date each time it changes).
 *
 * A home's `star` and `rated_on` are fields of the org (org.c checks them). Every write
 * of an org that changes either appends a row to `org_star` (star_write, called by the
 * org's after_write hook in the write's transaction; the org's audit entry records the
 * change itself), so the history is never edited. The org module declares the table, the
 * routes and the figures. From it:
 *   GET /api/v1/org/{id}/stars          the org's ratings, newest first;
 *   GET /api/v1/org/stars?on=D&org=ID   the homes of the subtree by their star as of D
 *                                       ("how many 4-star homes at the end of 2023");
 *   the work report's homes.star1 … homes.star5 (standing at `to`). */
#include "api.h"
#include "module.h"
#include "star.h"
#include "workday.h"

#include <stdio.h>
#include <string.h>

/* The table, and the ratings of orgs rated before there was a history (their current
 * star, dated by rated_on, else established_on, else the day the org was created). */
int star_sync(db *d)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS org_star (id %s, org_id %s NOT NULL REFERENCES "
             "\"org\"(id), star %s, rated_on TEXT NOT NULL, recorded_at TEXT NOT NULL, user_id %s)",
             db_type_name(d, DT_PK), db_type_name(d, DT_INT), db_type_name(d, DT_INT),
             db_type_name(d, DT_INT));
    if (db_exec(d, sql) != DB_OK ||
        db_exec(d, "CREATE INDEX IF NOT EXISTS org_star_org_i ON org_star (org_id, rated_on)") !=
            DB_OK)
        return DB_ERROR;
    return db_exec(d, "INSERT INTO org_star (org_id, star, rated_on, recorded_at) SELECT id, star, "
                      "coalesce(rated_on, established_on, substr(created_at, 1, 10)), created_at "
                      "FROM \"org\" o WHERE star IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                      "org_star h WHERE h.org_id = o.id)");
}

/* After a write of org id (org.c's after_write hook, in the write's transaction): a new
 * rating (star or rated_on changed, or a new org with a star) is appended. 0, or -1 with
 * e. */
int star_write(struct ent_ctx *c, int64_t id, const json_t *rec, const json_t *old, struct verr *e)
{
    json_t *star = json_object_get(rec, "star"), *on = json_object_get(rec, "rated_on");
    if (old && json_equal(star, json_object_get(old, "star")) &&
        json_equal(on, json_object_get(old, "rated_on")))
        return 0;
    if (!old && (!star || json_is_null(star)))
        return 0;
    char today[11];
    today_cn(today);
    char now[21];
    now_utc(now);
    stmt *s = db_prepare(c->db, "INSERT INTO org_star (org_id, star, rated_on, recorded_at, "
                                "user_id) VALUES (?, ?, ?, ?, ?)");
    int rc = DB_ERROR;
    if (s) {
        st_bind_int(s, 1, id);
        if (json_is_integer(star))
            st_bind_int(s, 2, json_integer_value(star));
        else
            st_bind_null(s, 2);
        st_bind_text(s, 3, json_is_string(on) ? json_string_value(on) : today);
        st_bind_text(s, 4, now);
        if (c->user_id)
            st_bind_int(s, 5, c->user_id);
        else
            st_bind_null(s, 5);
        rc = st_step(s) == DB_DONE ? DB_OK : DB_ERROR;
    }
    st_finalize(s);
    return rc == DB_OK ? 0 : verr_set(e, 500, "internal", "star", "保存星级记录失败");
}

static json_t *rating_json(stmt *s)
{
    return json_pack("{s:o, s:s, s:s, s:s?}", "star",
                     st_isnull(s, "star") ? json_null() : json_integer(st_int(s, "star")),
                     "rated_on", st_text(s, "rated_on"), "recorded_at", st_text(s, "recorded_at"),
                     "username", st_text(s, "username"));
}

/* GET /api/v1/org/{id}/stars: {items: [{star, rated_on, recorded_at, username}]}, the
 * newest rating first (an org outside the reader's scope: 404). */
void org_stars_h(struct req *r)
{
    reply_rows(r, &org_entity,
               "SELECT h.star, h.rated_on, h.recorded_at, u.username FROM org_star h LEFT JOIN "
               "\"user\" u ON u.id = h.user_id WHERE h.org_id = ? ORDER BY h.rated_on DESC, h.id "
               "DESC",
               json_pack("[I]", (json_int_t)r->id), rating_json);
}

/* The homes of the subtree [path, bound) with `star` stars as of the day `on` (each home's
 * latest rating dated on or before it); -1 on a database error. */
static int64_t homes_rated(db *d, const char *path, const char *bound, const char *on, int star)
{
    return db_int(d, -1,
                  "SELECT count(*) FROM org_star h JOIN \"org\" o ON o.id = h.org_id WHERE "
                  "o.kind = 'home' AND o.deleted_at IS NULL AND o.path >= ? AND o.path < ? AND "
                  "h.rated_on <= ? AND h.star = ? AND NOT EXISTS (SELECT 1 FROM org_star n WHERE "
                  "n.org_id = h.org_id AND n.rated_on <= ? AND (n.rated_on > h.rated_on OR "
                  "(n.rated_on = h.rated_on AND n.id > h.id)))",
                  "sssis", path, bound, on, star, on);
}

/* GET /api/v1/org/stars?on=YYYY-MM-DD&org=ID: {org, on, stars: {"1": n … "5": n}} for
 * the subtree of org (default the reader's own; outside the scope: 404), on defaulting to
 * today (Beijing). */
void stars_on_h(struct req *r)
{
    static const struct field on_field = {"on", FT_DATE, {"日期", "日期", "Date"}, 0};
    static const char *const known[] = {"on", "org", NULL};
    struct verr e;
    json_t *on = NULL, *o = req_org(r, known);
    const char *on_s = req_arg(r, "on");
    if (!o)
        return;
    if (on_s && ent_value_text(&on_field, on_s, &on, &e)) {
        json_decref(o);
        reply_verr(r, &e);
        return;
    }
    char day[11];
    today_cn(day);
    if (json_is_string(on))
        snprintf(day, sizeof day, "%s", json_string_value(on));
    json_decref(on);
    const char *path = json_string_value(json_object_get(o, "path"));
    const char *bound = path_bound(r->a, path);
    json_t *stars = json_object();
    for (int n = 1; n <= 5; n++) {
        int64_t v = homes_rated(r->db, path, bound, day, n);
        if (v < 0) {
            json_decref(stars);
            json_decref(o);
            reply_db_error(r, "数据库错误, 请稍后再试");
            return;
        }
        char k[2] = {(char)('0' + n), 0};
        json_object_set_new(stars, k, json_integer(v));
    }
    json_t *res = json_pack("{s:{s:O, s:O}, s:s, s:o}", "org", "id", json_object_get(o, "id"),
                            "name", json_object_get(o, "name"), "on", day, "stars", stars);
    json_decref(o);
    reply_json(r, 200, res);
}

#define STARS(n)                                                                                   \
    static int64_t star##n(db *d, const struct period *p)                                          \
    {                                                                                              \
        return homes_rated(d, p->path, p->bound, p->to, n);                                        \
    }
STARS(1)
STARS(2)
STARS(3)
STARS(4)
STARS(5)
#undef STARS

/* The orgs of the subtree of p standing at its end (live, active, established by then, or
 * of no known date) whose `cond` holds. */
static int64_t orgs_where(db *d, const struct period *p, const char *cond)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM \"org\" WHERE deleted_at IS NULL AND status = 'active' AND "
             "path >= ? AND path < ? AND (established_on IS NULL OR established_on <= ?) AND %s",
             cond);
    return db_int(d, -1, sql, "sss", p->path, p->bound, p->to);
}

#define ORGS(fn, cond)                                                                             \
    static int64_t fn(db *d, const struct period *p)                                               \
    {                                                                                              \
        return orgs_where(d, p, cond);                                                             \
    }
ORGS(federations, "kind = 'federation'")
ORGS(branches, "kind IN ('branch', 'group')")
ORGS(homes, "kind = 'home'")
ORGS(platforms, "kind = 'platform'")
ORGS(bases, "kind = 'base'")
ORGS(affiliates, "kind = 'affiliate'")
ORGS(bases_national, "kind = 'base' AND base_level = 'national'")
ORGS(bases_provincial, "kind = 'base' AND base_level = 'provincial'")
ORGS(bases_city, "kind = 'base' AND base_level = 'city'")
#undef ORGS

/* The work report's figures of the org tree, which the org module declares: the orgs by
 * kind, the bases by level, the homes by their stars, all standing at `to`. */
const struct figure star_figures[] = {
    {"orgs.federation",
     {"各级侨联组织", "各級僑聯組織", "Federations"},
     "个",
     FIG_AT_END,
     federations},
    {"orgs.branch",
     {"侨联分会和小组", "僑聯分會和小組", "Branches and groups"},
     "个",
     FIG_AT_END,
     branches},
    {"orgs.home", {"侨胞之家", "僑胞之家", "Homes of overseas Chinese"}, "个", FIG_AT_END, homes},
    {"orgs.platform",
     {"涉侨服务平台", "涉僑服務平台", "Service platforms"},
     "个",
     FIG_AT_END,
     platforms},
    {"orgs.base", {"示范基地", "示範基地", "Demonstration bases"}, "个", FIG_AT_END, bases},
    {"orgs.affiliate", {"直属团体", "直屬團體", "Affiliated bodies"}, "个", FIG_AT_END, affiliates},
    {"bases.national",
     {"国家级示范基地", "國家級示範基地", "National bases"},
     "个",
     FIG_AT_END,
     bases_national},
    {"bases.provincial",
     {"省级示范基地", "省級示範基地", "Provincial bases"},
     "个",
     FIG_AT_END,
     bases_provincial},
    {"bases.city", {"市级示范基地", "市級示範基地", "City bases"}, "个", FIG_AT_END, bases_city},
    {"homes.star1", {"一星级侨胞之家", "一星級僑胞之家", "1-star homes"}, "个", FIG_AT_END, star1},
    {"homes.star2", {"二星级侨胞之家", "二星級僑胞之家", "2-star homes"}, "个", FIG_AT_END, star2},
    {"homes.star3", {"三星级侨胞之家", "三星級僑胞之家", "3-star homes"}, "个", FIG_AT_END, star3},
    {"homes.star4", {"四星级侨胞之家", "四星級僑胞之家", "4-star homes"}, "个", FIG_AT_END, star4},
    {"homes.star5", {"五星级侨胞之家", "五星級僑胞之家", "5-star homes"}, "个", FIG_AT_END, star5},
    {NULL},
};
