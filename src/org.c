/* org.c - the organisation tree: the org entity, its materialised path, moves, closing,
 * and GET /api/v1/org/tree.
 *
 * Each org's `path` is the ids from the root down to it, "/1/4/17/". A subtree is the
 * byte range [path, path with its last '/' made '0'), answered by the path index on both
 * engines; every other record's scope joins through it (entity.c ent_scope_sql). */
#include "audit.h"
#include "module.h"
#include "http.h"
#include "star.h"
#include "workday.h"

#include <stdio.h>
#include <string.h>

static const struct enumval kinds[] = {
    {"federation", {"侨联", "僑聯", "Federation"}},
    {"branch", {"分会", "分會", "Branch"}},
    {"group", {"小组", "小組", "Group"}},
    {"home", {"侨胞之家", "僑胞之家", "Home of overseas Chinese"}},
    {"platform", {"涉侨平台", "涉僑平台", "Platform"}},
    {"base", {"示范基地", "示範基地", "Demonstration base"}},
    {"affiliate", {"直属团体", "直屬團體", "Affiliated body"}},
    {NULL},
};

static const struct enumval levels[] = {
    {"national", {"全国", "全國", "National"}},
    {"province", {"省级", "省級", "Province"}},
    {"city", {"市级", "市級", "City"}},
    {"county", {"县级", "縣級", "County"}},
    {"township", {"乡镇", "鄉鎮", "Township"}},
    {"community", {"社区", "社區", "Community"}},
    {NULL},
};

static const struct enumval base_levels[] = {
    {"national", {"国家级", "國家級", "National"}},
    {"provincial", {"省级", "省級", "Provincial"}},
    {"city", {"市级", "市級", "City"}},
    {NULL},
};

static const struct enumval statuses[] = {
    {"active", {"正常", "正常", "Active"}},
    {"closed", {"已撤销", "已撤銷", "Closed"}},
    {NULL},
};

static int present(const json_t *rec, const char *key)
{
    json_t *v = json_object_get(rec, key);
    return v && !json_is_null(v);
}

/* A home's rating is dated (star.c keeps each one): a change of star without a new
 * rated_on is dated today (Beijing); a rating is never dated in the future. */
static int star_dated(json_t *rec, const json_t *old, struct verr *e)
{
    char today[11];
    today_cn(today);
    json_t *star = json_object_get(rec, "star"), *on = json_object_get(rec, "rated_on");
    json_t *was = old ? json_object_get(old, "star") : NULL;
    int changed = old ? !json_equal(star ? star : json_null(), was ? was : json_null())
                      : present(rec, "star");
    if (changed &&
        (!present(rec, "rated_on") || (old && json_equal(on, json_object_get(old, "rated_on"))))) {
        json_object_set_new(rec, "rated_on", json_string(today));
        on = json_object_get(rec, "rated_on");
    }
    if (json_is_string(on) && strcmp(json_string_value(on), today) > 0)
        return verr_set(e, 422, "invalid", "rated_on", "“评星日期”(%s)不能晚于今天(%s)",
                        json_string_value(on), today);
    return 0;
}

/* Rules across fields, and the move and close rules that need the tree. */
static int org_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    json_t *parent = json_object_get(rec, "parent_id");
    if (present(rec, "star") && kind && strcmp(kind, "home"))
        return verr_set(e, 422, "invalid", "star", "只有侨胞之家才评星级");
    if (present(rec, "rated_on") && kind && strcmp(kind, "home"))
        return verr_set(e, 422, "invalid", "rated_on", "只有侨胞之家才有“评星日期”");
    if (kind && !strcmp(kind, "home") && star_dated(rec, old, e))
        return -1;
    if (present(rec, "level") && kind && strcmp(kind, "federation"))
        return verr_set(e, 422, "invalid", "level", "只有侨联组织才有“级别”");
    if (present(rec, "base_level") && kind && strcmp(kind, "base"))
        return verr_set(e, 422, "invalid", "base_level", "只有示范基地才有“基地级别”");
    if (!present(rec, "parent_id")) {
        /* Only the root has no parent; users cannot make another root. */
        if (!old || present(old, "parent_id"))
            if (c->user_id || db_int(c->db, 0, "SELECT count(*) FROM \"org\"", "") > 0)
                return verr_set(e, 422, "invalid", "parent_id", "“上级组织”不能为空");
        return 0;
    }
    if (old && !json_equal(parent, json_object_get(old, "parent_id"))) {
        /* A move: never under the org itself or below it. */
        const char *path = json_string_value(json_object_get(old, "path"));
        char *ppath = NULL;
        stmt *s = db_prepare(c->db, "SELECT path FROM \"org\" WHERE id = ?");
        st_bind_int(s, 1, json_integer_value(parent));
        if (st_step(s) == DB_ROW)
            ppath = arena_strdup(c->a, st_text(s, "path"));
        st_finalize(s);
        if (ppath && path && !strncmp(ppath, path, strlen(path)))
            return verr_set(e, 409, "conflict", "parent_id",
                            "不能把组织移到它自己或它的下级组织之下");
    }
    if (old && !strcmp(json_string_value(json_object_get(rec, "status")), "closed") &&
        strcmp(json_string_value(json_object_get(old, "status")), "closed")) {
        int64_t n = db_int(c->db, 0,
                           "SELECT count(*) FROM \"org\" WHERE parent_id = ? AND status = 'active' "
                           "AND deleted_at IS NULL",
                           "i", json_integer_value(json_object_get(old, "id")));
        if (n)
            return verr_set(e, 409, "conflict", "status",
                            "该组织还有 %lld 个正常的下级组织, 请先撤销或移走它们", (long long)n);
    }
    return 0;
}

/* Keep path right after a create or a move: the org's path is its parent's plus its id,
 * and a move rewrites the prefix of the whole subtree in one statement. A new rating goes
 * into the star history (star_write). */
static int org_after_write(struct ent_ctx *c, int64_t id, json_t *rec, const json_t *old,
                           struct verr *e)
{
    if (star_write(c, id, rec, old, e))
        return -1;
    json_t *parent = json_object_get(rec, "parent_id");
    if (old && json_equal(parent, json_object_get(old, "parent_id")))
        return 0;
    char *ppath = arena_strdup(c->a, "/");
    if (parent && !json_is_null(parent)) {
        stmt *s = db_prepare(c->db, "SELECT path FROM \"org\" WHERE id = ?");
        st_bind_int(s, 1, json_integer_value(parent));
        if (st_step(s) == DB_ROW)
            ppath = arena_strdup(c->a, st_text(s, "path"));
        st_finalize(s);
    }
    char *path = arena_printf(c->a, "%s%lld/", ppath, (long long)id);
    int rc;
    if (!old) {
        rc = db_execv(c->db, "UPDATE \"org\" SET path = ? WHERE id = ?", "si", path, id);
    } else {
        const char *oldpath = json_string_value(json_object_get(old, "path"));
        char *bound = path_bound(c->a, oldpath);
        rc = db_execv(c->db,
                      "UPDATE \"org\" SET path = ? || substr(path, ?) WHERE path >= ? AND path < ?",
                      "siss", path, (int64_t)strlen(oldpath) + 1, oldpath, bound);
    }
    if (rc != DB_OK)
        return verr_set(e, 500, "internal", NULL, "更新组织路径失败");
    json_object_set_new(rec, "path", json_string(path));
    return 0;
}

static int org_before_delete(struct ent_ctx *c, int64_t id, const json_t *old, struct verr *e)
{
    (void)old;
    int64_t n =
        db_int(c->db, 0, "SELECT count(*) FROM \"org\" WHERE parent_id = ? AND deleted_at IS NULL",
               "i", id);
    if (n)
        return verr_set(e, 409, "conflict", NULL, "该组织还有 %lld 个下级组织, 不能删除",
                        (long long)n);
    if (id == c->org_id || json_is_null(json_object_get(old, "parent_id")))
        return verr_set(e, 409, "conflict", NULL, "不能删除自己所在的组织或根组织");
    for (int i = 0; ent_all()[i]; i++) {
        if (!(ent_all()[i]->flags & EF_OWNED))
            continue;
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM \"%s\" WHERE org_id = ? AND deleted_at IS NULL",
                 ent_all()[i]->name);
        if ((n = db_int(c->db, 0, sql, "i", id)))
            return verr_set(e, 409, "conflict", NULL, "该组织还有 %lld 条%s记录, 不能删除",
                            (long long)n, msg_label(ent_all()[i]->label));
    }
    return 0;
}

const struct entity org_entity = {
    .name = "org",
    .label = {"组织", "組織", "Organisation"},
    .module = "org",
    .title = "name",
    .flags = EF_TREE,
    .check = org_check,
    .after_write = org_after_write,
    .before_delete = org_before_delete,
    .fields =
        (const struct field[]){
            FIELD_ID,
            {"parent_id", FT_REF, {"上级组织", "上級組織", "Parent"}, FF_LIST, .ref = "org"},
            {"name",
             FT_TEXT,
             {"名称", "名稱", "Name"},
             FF_REQUIRED | FF_SEARCH | FF_LIST,
             .max = 100},
            {"short_name", FT_TEXT, {"简称", "簡稱", "Short name"}, FF_SEARCH, .max = 30},
            {"kind", FT_ENUM, {"类型", "類型", "Kind"}, FF_REQUIRED | FF_LIST | FF_INDEX, kinds},
            {"level", FT_ENUM, {"级别", "級別", "Level"}, FF_LIST, levels},
            {"region_code", FT_REGION, {"行政区划", "行政區劃", "Region"}, 0},
            {"star", FT_INT, {"星级", "星級", "Stars"}, FF_LIST, .min = 1, .max = 5},
            {"rated_on", FT_DATE, {"评星日期", "評星日期", "Rated on"}, 0},
            {"base_level", FT_ENUM, {"基地级别", "基地級別", "Base level"}, 0, base_levels},
            {"base_category", FT_TEXT, {"基地类别", "基地類別", "Base category"}, 0, .max = 50},
            {"established_on", FT_DATE, {"成立日期", "成立日期", "Established"}, 0},
            {"address", FT_TEXT, {"地址", "地址", "Address"}, 0, .max = 200},
            {"phone", FT_PHONE, {"电话", "電話", "Phone"}, 0},
            {"status", FT_ENUM, {"状态", "狀態", "Status"}, FF_LIST, statuses, .dflt = "active"},
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            {"path", FT_KEY, {"路径", "路徑", "Path"}, FF_READONLY | FF_HIDDEN | FF_INDEX},
            FIELDS_TAIL,
        },
};

/* GET /api/v1/org/tree?parent_id=N&page=&per_page=: the children of N (default: the
 * user's own org), each with its number of direct children and of all orgs below it. */
void org_tree_h(struct req *r)
{
    struct verr e;
    json_t *res;
    const char *parent = req_arg(r, "parent_id");
    if (parent) {
        res = ent_list(&r->ctx, &org_entity, r->args, r->nargs, NULL, &e);
    } else {
        json_t *own = ent_read(&r->ctx, &org_entity, r->ctx.org_id, 0, &e);
        res = own ? json_pack("{s:[o], s:i, s:i, s:i}", "items", own, "total", 1, "page", 1,
                              "per_page", 20)
                  : NULL;
    }
    if (!res) {
        reply_verr(r, &e);
        return;
    }
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(res, "items"), i, o)
    {
        int64_t id = json_integer_value(json_object_get(o, "id"));
        json_object_set_new(o, "children",
                            json_integer(db_int(r->db, 0,
                                                "SELECT count(*) FROM \"org\" WHERE parent_id = "
                                                "? AND deleted_at IS NULL",
                                                "i", id)));
        json_object_set_new(
            o, "descendants",
            json_integer(db_int(r->db, 0,
                                "SELECT count(*) FROM \"org\" p JOIN \"org\" t ON t.path > "
                                "p.path AND t.path < substr(p.path, 1, length(p.path) - 1) || "
                                "'0' WHERE p.id = ? AND t.deleted_at IS NULL",
                                "i", id)));
    }
    reply_json(r, 200, res);
}

/* The organisation tree (组织架构). */
const struct module org_module = {
    .name = "org",
    .label = {"组织管理", "組織管理", "Organisation"},
    .entities = (const struct entity *const[]){&org_entity, NULL},
    .routes =
        (const struct route[]){
            {"GET", "/api/v1/org/tree", org_tree_h, NULL, P_VIEW, 0},
            {"GET", "/api/v1/org/stars", stars_on_h, NULL, P_VIEW, 0},
            {"GET", "/api/v1/org/{id}/stars", org_stars_h, NULL, P_VIEW, 0},
            {NULL},
        },
    .grants = (const struct grant[]){{"admin", GALL},
                                     {"leader", GV | GX},
                                     {"staff", GV},
                                     {"finance", GV},
                                     {"viewer", GV},
                                     {NULL}},
    .sync = star_sync,
    .figures = star_figures,
};
