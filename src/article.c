/* article.c - 新闻动态: the federation's news, written and published in the app by staff and
 * read on the public portal (SPEC "The public portal": 一网一微一刊).
 *
 * Article: title, summary (导语), body (plain text: paragraphs by blank lines; the portal
 *          writes it as text, never as HTML), a picture, status draft 草稿 -> published 已发布
 *          (and back: 撤回) on a declared workflow, published_at set by the move 发布.
 * Picture: POST /api/v1/article/{id}/photo {"name", "data"} (base64 or a data: URL), checked
 *          and stored by content as an event's photos are (photo_put: JPEG or PNG, decoded,
 *          a thumbnail made), DELETE /api/v1/article/{id}/photo; served within the scope at
 *          GET /api/v1/article/{id}/image and /thumb.
 * Public:  GET /api/v1/public/article (paged, newest first), /api/v1/public/article/{id},
 *          /api/v1/public/article/{id}/image and /thumb: published articles of the portal's
 *          org and the orgs under it (portal.h), without login, rate-limited (R_RATED);
 *          a draft answers 404 as a missing article does. */
#include "module.h"
#include "photo.h"
#include "portal.h"

#include <gd.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const struct enumval article_statuses[] = {
    {"draft", {"草稿", "草稿", "Draft"}},
    {"published", {"已发布", "已發布", "Published"}},
    {NULL},
};

static const struct field note_args[] = {
    {"note", FT_TEXTAREA, {"说明", "說明", "Note"}, 0, .max = 2000},
    {NULL},
};

/* 发布 sets published_at to the moment of the move (a withdrawn article published again
 * gets the new date: it is news again). */
static int article_move_before(struct ent_ctx *c, const struct move *m, int64_t id,
                               const json_t *old, const json_t *args, const json_t *body,
                               json_t *set, json_t *detail, const char *at, struct verr *e)
{
    (void)c, (void)id, (void)old, (void)args, (void)body, (void)detail, (void)e;
    if (!strcmp(m->to, "published"))
        json_object_set_new(set, "published_at", json_string(at));
    return 0;
}

static const struct workflow article_workflow = {
    .field = "status",
    .args = note_args,
    .before = article_move_before,
    .moves =
        (const struct move[]){
            {"draft", "published", 0, NULL, NULL, {"发布", "發布", "Publish"}},
            {"published", "draft", 0, NULL, NULL, {"撤回", "撤回", "Withdraw"}},
            {NULL},
        },
};

const struct entity article_entity = {
    .name = "article",
    .label = {"新闻", "新聞", "Article"},
    .module = "article",
    .title = "title",
    .flags = EF_OWNED,
    .workflow = &article_workflow,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG,
            {"title",
             FT_TEXT,
             {"标题", "標題", "Title"},
             FF_REQUIRED | FF_LIST | FF_SEARCH,
             .max = 200},
            {"summary", FT_TEXT, {"导语", "導語", "Summary"}, FF_SEARCH, .max = 300},
            {"body", FT_TEXTAREA, {"正文", "正文", "Text"}, FF_REQUIRED | FF_SEARCH, .max = 50000},
            {"status",
             FT_ENUM,
             {"状态", "狀態", "Status"},
             FF_READONLY | FF_LIST | FF_INDEX,
             article_statuses,
             .dflt = "draft"},
            {"published_at",
             FT_DATETIME,
             {"发布时间", "發布時間", "Published"},
             FF_READONLY | FF_LIST | FF_INDEX},
            {"photo_name", FT_TEXT, {"配图", "配圖", "Picture"}, FF_READONLY, .max = 200},
            {"photo_sha256",
             FT_KEY,
             {"配图摘要", "配圖摘要", "Picture SHA-256"},
             FF_READONLY | FF_HIDDEN},
            FIELDS_TAIL,
        },
};

/* ---- the picture -------------------------------------------------------------------- */

/* POST /api/v1/article/{id}/photo {"name", "data"}: the picture, replacing any; 200 with the
 * record. */
static void article_photo_h(struct req *r)
{
    struct ent_ctx *c = &r->ctx;
    json_t *body = req_json(r), *info = NULL, *rec = NULL;
    if (!body)
        return;
    struct verr e = {0};
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) if (strcmp(k, "name") && strcmp(k, "data"))
    {
        reply_error(r, 400, "unknown_field", k, "不认识的参数“%s”, 可用: name、data", k);
        goto out;
    }
    const char *data = json_string_value(json_object_get(body, "data"));
    if (!data || !*data) {
        reply_error(r, 422, "invalid", "data", "请选择配图 (JPEG 或 PNG 图片)");
        goto out;
    }
    if (!(rec = ent_read(c, &article_entity, r->id, 1, &e))) {
        reply_verr(r, &e);
        goto out;
    }
    if (db_begin(r->db) != DB_OK) {
        reply_db_error(r, "数据库错误, 请稍后再试");
        goto out;
    }
    if (photo_put(c, data, json_string_value(json_object_get(body, "name")), 1, "data", &info,
                  &e)) {
        db_rollback(r->db);
        reply_verr(r, &e);
        goto out;
    }
    json_t *sys = json_pack("{s:O, s:O}", "photo_sha256", json_object_get(info, "sha256"),
                            "photo_name", json_object_get(info, "file_name"));
    int rc = ent_update_sys(c, &article_entity, r->id, sys, &e);
    json_decref(sys);
    if (rc) {
        db_rollback(r->db);
        reply_verr(r, &e);
        goto out;
    }
    if (db_commit(r->db) != DB_OK) {
        if (db_depth(r->db))
            db_rollback(r->db);
        reply_db_error(r, "数据库错误, 配图未保存");
        goto out;
    }
    json_decref(rec);
    rec = ent_read(c, &article_entity, r->id, 0, &e);
    if (rec)
        reply_json(r, 200, json_incref(rec));
    else
        reply_verr(r, &e);
out:
    json_decref(rec);
    json_decref(info);
    json_decref(body);
}

/* DELETE /api/v1/article/{id}/photo: the article without its picture; 200 with the record. */
static void article_photo_del_h(struct req *r)
{
    struct verr e;
    json_t *sys = json_pack("{s:n, s:n}", "photo_sha256", "photo_name");
    int rc = ent_update_sys(&r->ctx, &article_entity, r->id, sys, &e);
    json_decref(sys);
    json_t *rec = rc ? NULL : ent_read(&r->ctx, &article_entity, r->id, 0, &e);
    if (rec)
        reply_json(r, 200, rec);
    else
        reply_verr(r, &e);
}

/* The picture of article id as c may see it (thumb 0: the image, 1: the thumbnail); with
 * published, a draft is not found. */
static void picture(struct req *r, struct ent_ctx *c, int thumb, int published)
{
    struct verr e;
    json_t *rec = ent_read(c, &article_entity, r->id, 1, &e);
    if (rec && published &&
        strcmp(json_string_value(json_object_get(rec, "status")), "published")) {
        json_decref(rec);
        rec = NULL;
    }
    if (!rec) {
        reply_error(r, 404, "not_found", NULL, "照片不存在或无权查看");
        return;
    }
    photo_serve(r, json_string_value(json_object_get(rec, "photo_sha256")), thumb);
    json_decref(rec);
}

/* GET /api/v1/article/{id}/image */
static void article_image_h(struct req *r)
{
    picture(r, &r->ctx, 0, 0);
}

/* GET /api/v1/article/{id}/thumb */
static void article_thumb_h(struct req *r)
{
    picture(r, &r->ctx, 1, 0);
}

/* ---- the portal's reads ------------------------------------------------------------- */

/* What the public sees of an article (a new object); with body, its text too. */
static json_t *public_article(const json_t *rec, int body)
{
    json_t *o =
        json_pack("{s:O, s:O, s:O, s:O, s:b}", "id", json_object_get(rec, "id"), "title",
                  json_object_get(rec, "title"), "summary",
                  json_object_get(rec, "summary") ? json_object_get(rec, "summary") : json_null(),
                  "published_at", json_object_get(rec, "published_at"), "photo",
                  json_is_string(json_object_get(rec, "photo_name")));
    if (body)
        json_object_set(o, "body", json_object_get(rec, "body"));
    return o;
}

/* GET /api/v1/public/article?page=&per_page= → {items: [{id, title, summary, published_at,
 * photo}], total, page, per_page}: the published articles, newest first. */
static void public_articles_h(struct req *r)
{
    struct ent_ctx c;
    if (portal_ctx(r, &c))
        return;
    struct kv args[4] = {{"status", "published"}, {"sort", "-published_at"}};
    int n = 2;
    const char *v;
    if ((v = req_arg(r, "page")))
        args[n++] = (struct kv){"page", v};
    if ((v = req_arg(r, "per_page")))
        args[n++] = (struct kv){"per_page", v};
    struct verr e;
    json_t *list = ent_list(&c, &article_entity, args, n, NULL, &e);
    if (!list) {
        reply_verr(r, &e);
        return;
    }
    json_t *items = json_array(), *rec;
    size_t i;
    json_array_foreach(json_object_get(list, "items"), i, rec)
        json_array_append_new(items, public_article(rec, 0));
    portal_reply_page(r, list, items);
    json_decref(list);
}

/* GET /api/v1/public/article/{id} → {id, title, summary, body, published_at, photo} */
static void public_article_h(struct req *r)
{
    struct ent_ctx c;
    if (portal_ctx(r, &c))
        return;
    struct verr e;
    json_t *rec = ent_read(&c, &article_entity, r->id, 0, &e);
    if (!rec || strcmp(json_string_value(json_object_get(rec, "status")), "published")) {
        json_decref(rec);
        reply_error(r, 404, "not_found", NULL, "没有这篇新闻, 或它已撤回");
        return;
    }
    reply_json(r, 200, public_article(rec, 1));
    json_decref(rec);
}

/* GET /api/v1/public/article/{id}/image */
static void public_image_h(struct req *r)
{
    struct ent_ctx c;
    if (!portal_ctx(r, &c))
        picture(r, &c, 0, 1);
}

/* GET /api/v1/public/article/{id}/thumb */
static void public_thumb_h(struct req *r)
{
    struct ent_ctx c;
    if (!portal_ctx(r, &c))
        picture(r, &c, 1, 1);
}

/* ---- the demo ---------------------------------------------------------------------- */

/* A 640 × 400 PNG in a gradient from (r, g, b) to gold, as base64 (malloc'd), or NULL. */
static char *demo_picture(int r, int g, int b)
{
    gdImagePtr im = gdImageCreateTrueColor(640, 400);
    if (!im)
        return NULL;
    for (int x = 0; x < 640; x++)
        gdImageLine(
            im, x, 0, x, 399,
            gdTrueColor(r + (212 - r) * x / 640, g + (172 - g) * x / 640, b + (13 - b) * x / 640));
    int n = 0;
    void *png = gdImagePngPtr(im, &n);
    gdImageDestroy(im);
    if (!png)
        return NULL;
    size_t len = sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_ORIGINAL);
    char *out = xmalloc(len);
    sodium_bin2base64(out, len, png, (size_t)n, sodium_base64_VARIANT_ORIGINAL);
    gdFree(png);
    return out;
}

int demo_articles(struct ent_ctx *c, struct verr *e)
{
    static const struct {
        const char *title, *summary, *body, *published; /* published NULL: a draft */
        int r, g, b;
    } items[] = {
        {"市侨联举办新春侨胞联谊会", "百余名海外侨胞和归侨侨眷欢聚一堂, 共叙乡情",
         "正月初六, 清江市侨联在市侨胞之家举办新春侨胞联谊会, 来自马来西亚、新加坡、泰国等国家"
         "的侨胞代表和本地归侨侨眷百余人参加。\n\n联谊会上, 市侨联负责同志介绍了过去一年为侨服务"
         "的情况, 侨胞代表畅谈家乡发展变化。",
         "2025-02-03T02:00:00Z", 192, 57, 43},
        {"“为侨服务”网上求助平台开通", "海外侨胞可在网上提出政务、法务、商务、事务、劳务方面的求助",
         "即日起, 海外侨胞和归侨侨眷可通过本网站“我要求助”栏目提出求助, 提交后获得查询号和查询码, "
         "凭它们随时查询办理进度。\n\n市侨联将在收到求助后登记受理, 并按求助人留下的联系方式联系。",
         "2025-03-10T01:30:00Z", 160, 40, 60},
        {"白沙社区侨胞之家获评五星级", "江口县白沙社区侨胞之家被评为五星级侨胞之家",
         "近日, 江口县白沙社区侨胞之家通过评审, 获评五星级侨胞之家。\n\n该侨胞之家常年开展走访"
         "慰问、政策宣讲和法律咨询, 成为侨胞信赖的“娘家”。",
         "2025-05-20T03:00:00Z", 30, 110, 90},
        {"中秋走访慰问老归侨 (待审)", NULL, "稿件待领导审核后发布。", NULL, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof items / sizeof *items; i++) {
        json_t *body = json_pack("{s:s, s:s, s:s?}", "title", items[i].title, "body", items[i].body,
                                 "summary", items[i].summary);
        json_t *rec = ent_create(c, &article_entity, body, e);
        json_decref(body);
        if (!rec)
            return -1;
        int64_t id = json_integer_value(json_object_get(rec, "id"));
        json_decref(rec);
        if (!items[i].published)
            continue;
        char *pic = demo_picture(items[i].r, items[i].g, items[i].b);
        json_t *info = NULL;
        int rc = pic ? photo_put(c, pic, "配图.png", 1, "data", &info, e) : -1;
        free(pic);
        if (!rc) {
            json_t *sys = json_pack("{s:O, s:O}", "photo_sha256", json_object_get(info, "sha256"),
                                    "photo_name", json_object_get(info, "file_name"));
            rc = ent_update_sys(c, &article_entity, id, sys, e);
            json_decref(sys);
        }
        json_decref(info);
        if (rc)
            return -1;
        json_t *mv = json_pack("{s:s}", "to", "published");
        rec = ent_transition(c, &article_entity, id, mv, items[i].published, e);
        json_decref(mv);
        if (!rec)
            return -1;
        json_decref(rec);
    }
    return 0;
}

/* 新闻动态: the news of the portal. */
const struct module article_module = {
    .name = "article",
    .label = {"新闻动态", "新聞動態", "News"},
    .entities = (const struct entity *const[]){&article_entity, NULL},
    .routes =
        (const struct route[]){
            {"POST", "/api/v1/article/{id}/photo", article_photo_h, NULL, P_EDIT, R_UPLOAD,
             "article"},
            {"DELETE", "/api/v1/article/{id}/photo", article_photo_del_h, NULL, P_EDIT, 0,
             "article"},
            {"GET", "/api/v1/article/{id}/image", article_image_h, NULL, P_VIEW, 0, "article"},
            {"GET", "/api/v1/article/{id}/thumb", article_thumb_h, NULL, P_VIEW, 0, "article"},
            {"GET", "/api/v1/public/article", public_articles_h, NULL, P_PUBLIC, R_RATED},
            {"GET", "/api/v1/public/article/{id}", public_article_h, NULL, P_PUBLIC, R_RATED},
            {"GET", "/api/v1/public/article/{id}/image", public_image_h, NULL, P_PUBLIC, R_RATED},
            {"GET", "/api/v1/public/article/{id}/thumb", public_thumb_h, NULL, P_PUBLIC, R_RATED},
            {NULL},
        },
    .grants = (const struct grant[]){{"admin", GALL},
                                     {"leader", GV | GE | GX},
                                     {"staff", GV | GE | GD | GX},
                                     {"viewer", GV},
                                     {NULL}},
};
