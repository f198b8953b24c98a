/* photo.c - an event's photos (issue 12: every report in the seeds is illustrated), an
 * entity of the event module (event.c).
 *
 * Upload:  POST /api/v1/event/{id}/photos {"photos": [{"name", "data" (base64 or a data:
 *          URL), "caption"}]}: several at once, all or nothing. Each is checked by its
 *          content, not its name: JPEG or PNG by the first bytes, dimensions read from the
 *          header before anything is decoded (at most MAX_PIXELS: a small file cannot
 *          unpack into gigabytes), then decoded by libgd (a file that does not decode is
 *          refused); a JPEG thumbnail (THUMB_MAX px on the long side, on white) is made on
 *          the server.
 * Storage: the bytes once per content (SHA-256) in event_photo_blob as base64 text
 *          (engine-neutral, as case_blob), with the thumbnail; the event_photo record holds
 *          the caption, the cover flag, the type and size, and belongs to its event's org.
 * Cover:   one photo of an event is its cover: marking one unmarks the others (each an
 *          audited change); the event's cover_photo_id is computed (event.c).
 * Serving: GET /api/v1/event_photo/{id}/image and /thumb, within the scope, typed as
 *          sniffed (never as the client said). */
#include "module.h"
#include "photo.h"

#include <gd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PHOTO_MAX  (10u << 20) /* bytes of one photo */
#define PHOTOS_MAX 30          /* photos in one upload */
#define MAX_PIXELS (60u * 1000 * 1000)
#define THUMB_MAX  360

extern const struct entity event_entity;
const struct entity event_photo_entity;

/* ---- the entity ---------------------------------------------------------------------- */

/* The photo belongs to its event's org; a record is only made by the upload (which sets
 * sha256); a cover unmarks the event's other covers (after_write). */
static int photo_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    (void)old;
    int64_t eid = json_integer_value(json_object_get(rec, "event_id"));
    json_t *ev = ent_read(c, &event_entity, eid, 1, e);
    if (!ev)
        return ent_ref_missing(e, "event_id", msg_cur("活动"), &event_entity, eid);
    json_object_set(rec, "org_id", json_object_get(ev, "org_id"));
    json_decref(ev);
    if (!json_is_string(json_object_get(rec, "sha256")))
        return verr_set(e, 422, "invalid", "event_id",
                        "照片请在活动页上传 (POST /api/v1/event/%lld/photos)", (long long)eid);
    return 0;
}

static int photo_after_write(struct ent_ctx *c, int64_t id, json_t *rec, const json_t *old,
                             struct verr *e)
{
    if (!json_is_true(json_object_get(rec, "cover")) ||
        (old && json_is_true(json_object_get(old, "cover")) &&
         json_equal(json_object_get(old, "event_id"), json_object_get(rec, "event_id"))))
        return 0;
    stmt *s = db_prepare(c->db, "SELECT id FROM event_photo WHERE event_id = ? AND cover = 1 AND "
                                "id <> ? AND deleted_at IS NULL");
    json_t *ids = json_array();
    if (s) {
        st_bind_int(s, 1, json_integer_value(json_object_get(rec, "event_id")));
        st_bind_int(s, 2, id);
        while (st_step(s) == DB_ROW)
            json_array_append_new(ids, json_integer(st_int(s, "id")));
    }
    st_finalize(s);
    size_t i;
    json_t *v;
    int rc = 0;
    json_array_foreach(ids, i, v)
    {
        json_t *body = json_pack("{s:b}", "cover", 0);
        json_t *res = ent_update(c, &event_photo_entity, json_integer_value(v), body, e);
        json_decref(body);
        if (!res) {
            rc = -1;
            break;
        }
        json_decref(res);
    }
    json_decref(ids);
    return rc;
}

const struct entity event_photo_entity = {
    .name = "event_photo",
    .label = {"活动照片", "活動照片", "Event photo"},
    .module = "event",
    .title = "caption",
    .flags = EF_OWNED,
    .check = photo_check,
    .after_write = photo_after_write,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG_OF_PARENT,
            {"event_id",
             FT_REF,
             {"活动", "活動", "Event"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             .ref = "event"},
            {"caption",
             FT_TEXT,
             {"图片说明", "圖片說明", "Caption"},
             FF_LIST | FF_SEARCH,
             .max = 200},
            {"cover", FT_BOOL, {"封面", "封面", "Cover"}, FF_LIST, .dflt = "false"},
            {"file_name", FT_TEXT, {"文件名", "檔案名", "File name"}, FF_READONLY, .max = 200},
            {"type", FT_TEXT, {"文件类型", "檔案類型", "Type"}, FF_READONLY, .max = 40},
            {"size", FT_INT, {"大小(字节)", "大小(位元組)", "Size (bytes)"}, FF_READONLY},
            {"width", FT_INT, {"宽度", "寬度", "Width"}, FF_READONLY},
            {"height", FT_INT, {"高度", "高度", "Height"}, FF_READONLY},
            {"sha256", FT_KEY, {"内容摘要", "內容摘要", "SHA-256"}, FF_READONLY | FF_HIDDEN},
            FIELDS_TAIL,
        },
};

/* The blobs: one row per content. */
int photo_sync(db *d)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS event_photo_blob (sha256 %s PRIMARY KEY, type TEXT NOT "
             "NULL, size %s NOT NULL, data TEXT NOT NULL, thumb TEXT NOT NULL, created_at TEXT "
             "NOT NULL)",
             db_type_name(d, DT_KEY), db_type_name(d, DT_INT));
    return db_exec(d, sql);
}

/* ---- checking by content ------------------------------------------------------------- */

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The type of the n bytes at p by their first bytes and their dimensions from the header
 * (PNG IHDR; JPEG's first SOF marker), without decoding: "image/jpeg", "image/png" or
 * NULL (not a JPEG or PNG, or a header that does not say). */
static const char *photo_sniff(const unsigned char *p, size_t n, uint32_t *w, uint32_t *h)
{
    if (n >= 24 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8) && !memcmp(p + 12, "IHDR", 4)) {
        *w = be32(p + 16);
        *h = be32(p + 20);
        return "image/png";
    }
    if (n < 4 || p[0] != 0xFF || p[1] != 0xD8)
        return NULL;
    for (size_t i = 2; i + 9 < n;) {
        if (p[i] != 0xFF)
            return NULL;
        unsigned m = p[i + 1];
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
            i += 2;
            continue;
        }
        unsigned len = be16(p + i + 2);
        if (len < 2)
            return NULL;
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            *h = be16(p + i + 5);
            *w = be16(p + i + 7);
            return "image/jpeg";
        }
        if (m == 0xDA || m == 0xD9)
            return NULL; /* image data before any frame header */
        i += 2 + len;
    }
    return NULL;
}

/* A JPEG thumbnail of im (THUMB_MAX on the long side, transparency on white): *out gets
 * gd-allocated bytes (gdFree), *len their count. 0, or -1. */
static int thumbnail(gdImagePtr im, void **out, int *len)
{
    int w = gdImageSX(im), h = gdImageSY(im);
    int tw = w, th = h;
    if (w >= h && w > THUMB_MAX) {
        tw = THUMB_MAX;
        th = (int)((int64_t)h * THUMB_MAX / w);
    } else if (h > w && h > THUMB_MAX) {
        th = THUMB_MAX;
        tw = (int)((int64_t)w * THUMB_MAX / h);
    }
    if (tw < 1)
        tw = 1;
    if (th < 1)
        th = 1;
    gdImagePtr t = gdImageCreateTrueColor(tw, th);
    if (!t)
        return -1;
    gdImageFilledRectangle(t, 0, 0, tw - 1, th - 1, gdTrueColor(255, 255, 255));
    gdImageAlphaBlending(t, 1);
    gdImageCopyResampled(t, im, 0, 0, 0, 0, tw, th, w, h);
    *out = gdImageJpegPtr(t, len, 82);
    gdImageDestroy(t);
    return *out ? 0 : -1;
}

static char *b64(const unsigned char *bin, size_t n)
{
    size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = xmalloc(len);
    sodium_bin2base64(s, len, bin, n, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

/* A file name safe to show: its last path part, control characters dropped, at most 100
 * bytes on a character boundary; "照片" when nothing is left. Allocated from a. */
static const char *clean_name(arena *a, const char *name)
{
    if (!name)
        return "照片";
    const char *slash = strrchr(name, '/'), *bs = strrchr(name, '\\');
    if (slash || bs)
        name = (slash > bs ? slash : bs) + 1;
    buf b = {0};
    for (const unsigned char *p = (const unsigned char *)name; *p && b.len < 100; p++)
        if (*p >= 0x20 && *p != 0x7f)
            buf_putc(&b, (char)*p);
    while (b.len && ((unsigned char)b.s[b.len - 1] & 0xC0) == 0x80)
        b.len--; /* a cut character's tail */
    if (b.len && (unsigned char)b.s[b.len - 1] >= 0xC0)
        b.len--;
    const char *s = arena_strdup(a, b.len ? buf_str(&b) : "照片");
    buf_free(&b);
    return utf8_valid(s, strlen(s)) ? s : "照片";
}

int photo_read(const unsigned char *bin, size_t n, int k, const char *field, const char **type,
               uint32_t *w, uint32_t *h, void **thumb, int *tlen, struct verr *e)
{
    *type = photo_sniff(bin, n, w, h);
    if (!*type)
        return verr_set(e, 422, "invalid", field,
                        "第%d张照片不是 JPEG 或 PNG 图片 (按文件内容判断)", k);
    if (!*w || !*h || (uint64_t)*w * *h > MAX_PIXELS)
        return verr_set(e, 422, "invalid", field, "第%d张照片的尺寸 %u×%u 不行: 最多 %u 万像素", k,
                        (unsigned)*w, (unsigned)*h, MAX_PIXELS / 10000);
    gdImagePtr im = !strcmp(*type, "image/png") ? gdImageCreateFromPngPtr((int)n, (void *)bin)
                                                : gdImageCreateFromJpegPtr((int)n, (void *)bin);
    int rc = 0;
    if (!im || (uint32_t)gdImageSX(im) != *w || (uint32_t)gdImageSY(im) != *h)
        rc = verr_set(e, 422, "invalid", field, "第%d张照片无法读取: 文件已损坏或不完整", k);
    else if (thumbnail(im, thumb, tlen))
        rc = verr_set(e, 500, "internal", field, "第%d张照片无法生成缩略图", k);
    if (im)
        gdImageDestroy(im);
    return rc;
}

int photo_put(struct ent_ctx *c, const char *data, const char *name, int k, const char *field,
              json_t **info, struct verr *e)
{
    *info = NULL;
    const char *comma = strncmp(data, "data:", 5) ? NULL : strchr(data, ',');
    if (comma)
        data = comma + 1;
    size_t len = strlen(data), max = len / 4 * 3 + 3, n = 0;
    if (max > PHOTO_MAX + 3)
        return verr_set(e, 413, "too_large", field, "第%d张照片太大: 每张最多 %u MB", k,
                        PHOTO_MAX >> 20);
    unsigned char *bin = xmalloc(max + 1);
    void *thumb = NULL;
    char *data64 = NULL, *thumb64 = NULL;
    int rc = -1, tlen = 0;
    uint32_t w = 0, h = 0;
    if (sodium_base642bin(bin, max, data, len, " \r\n", &n, NULL, sodium_base64_VARIANT_ORIGINAL) ||
        !n) {
        verr_set(e, 422, "invalid", field, "第%d张照片的内容不是有效的 base64 编码", k);
        goto out;
    }
    const char *type = NULL;
    if (photo_read(bin, n, k, field, &type, &w, &h, &thumb, &tlen, e))
        goto out;
    unsigned char hsh[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(hsh, bin, n);
    sodium_bin2hex(hex, sizeof hex, hsh, sizeof hsh);
    data64 = b64(bin, n);
    thumb64 = b64(thumb, (size_t)tlen);
    char now[21];
    now_utc(now);
    if (db_execv(c->db,
                 "INSERT INTO event_photo_blob (sha256, type, size, data, thumb, created_at) "
                 "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                 "ssisss", hex, type, (int64_t)n, data64, thumb64, now) != DB_OK) {
        verr_set(e, 500, "internal", NULL, "无法保存照片");
        goto out;
    }
    *info = json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}", "file_name", clean_name(c->a, name), "type",
                      type, "size", (json_int_t)n, "width", (json_int_t)w, "height", (json_int_t)h,
                      "sha256", hex);
    rc = 0;
out:
    if (thumb)
        gdFree(thumb);
    free(data64);
    free(thumb64);
    free(bin);
    return rc;
}

/* Check and store photo i of an upload {"name", "data", "caption"} for event ev, inside
 * the caller's transaction: the blob (once per content) and the record. *rec gets the
 * record (new reference). 0, or -1 with e naming photos[i]. */
static int store_photo(struct ent_ctx *c, const json_t *ev, size_t i, json_t *ph, int cover,
                       json_t **rec, struct verr *e)
{
    char field[32];
    snprintf(field, sizeof field, "photos[%zu]", i);
    int k = (int)i + 1;
    *rec = NULL;
    const char *data = json_string_value(json_object_get(ph, "data"));
    if (!json_is_object(ph) || !data)
        return verr_set(
            e, 422, "invalid", field,
            "第%d张照片应为 {\"name\": 文件名, \"data\": base64 内容, \"caption\": 说明}", k);
    json_t *sys;
    if (photo_put(c, data, json_string_value(json_object_get(ph, "name")), k, field, &sys, e))
        return -1;
    json_t *caption = json_object_get(ph, "caption");
    json_t *body = json_pack("{s:O, s:b}", "event_id", json_object_get(ev, "id"), "cover", cover);
    if (caption)
        json_object_set(body, "caption", caption);
    struct verr e2;
    *rec = ent_create_sys(c, &event_photo_entity, body, sys, &e2);
    json_decref(body);
    json_decref(sys);
    if (!*rec) {
        verr_set(e, e2.status, e2.code, !strcmp(e2.field, "caption") ? field : e2.field,
                 "第%d张照片: %s", k, e2.msg);
        return -1;
    }
    return 0;
}

/* POST /api/v1/event/{id}/photos {"photos": [{"name", "data", "caption"}], "cover": N}
 * (cover: the index of the photo to mark as the cover, optional; the first photo of an
 * event without one becomes its cover). All stored or none: 201 {"items": [records]}. */
void event_photos_h(struct req *r)
{
    struct ent_ctx *c = &r->ctx;
    json_t *body = req_json(r);
    if (!body)
        return;
    json_t *ev = NULL, *items = json_array();
    struct verr e = {0};
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) if (strcmp(k, "photos") && strcmp(k, "cover"))
    {
        reply_error(r, 400, "unknown_field", k, "不认识的参数“%s”, 可用: photos、cover", k);
        goto out;
    }
    json_t *photos = json_object_get(body, "photos"), *coverv = json_object_get(body, "cover");
    if (!json_is_array(photos) || !json_array_size(photos)) {
        reply_error(r, 422, "invalid", "photos", "请选择要上传的照片 (“photos”是照片的数组)");
        goto out;
    }
    if (json_array_size(photos) > PHOTOS_MAX) {
        reply_error(r, 422, "invalid", "photos", "一次最多上传 %d 张照片, 这次有 %zu 张",
                    PHOTOS_MAX, json_array_size(photos));
        goto out;
    }
    if (coverv && !json_is_null(coverv) &&
        (!json_is_integer(coverv) || json_integer_value(coverv) < 0 ||
         (size_t)json_integer_value(coverv) >= json_array_size(photos))) {
        reply_error(r, 422, "invalid", "cover", "“cover”应为封面照片的序号 (从 0 起)");
        goto out;
    }
    ev = ent_read(c, &event_entity, r->id, 1, &e);
    if (!ev) {
        reply_verr(r, &e);
        goto out;
    }
    int64_t have = db_int(r->db, 0,
                          "SELECT count(*) FROM event_photo WHERE event_id = ? AND cover = 1 AND "
                          "deleted_at IS NULL",
                          "i", r->id);
    int64_t cover = json_is_integer(coverv) ? json_integer_value(coverv) : have ? -1 : 0;
    if (db_begin(r->db) != DB_OK) {
        reply_db_error(r, "数据库错误, 请稍后再试");
        goto out;
    }
    size_t i;
    json_array_foreach(photos, i, v)
    {
        json_t *rec;
        if (store_photo(c, ev, i, v, (int64_t)i == cover, &rec, &e)) {
            db_rollback(r->db);
            reply_verr(r, &e);
            goto out;
        }
        json_array_append_new(items, rec);
    }
    if (db_commit(r->db) != DB_OK) {
        if (db_depth(r->db))
            db_rollback(r->db);
        reply_db_error(r, "数据库错误, 照片未保存");
        goto out;
    }
    reply_json(r, 201, json_pack("{s:O}", "items", items));
out:
    json_decref(items);
    json_decref(ev);
    json_decref(body);
}

void photo_serve(struct req *r, const char *sha256, int thumb)
{
    stmt *s = db_prepare(r->db, "SELECT type, data, thumb FROM event_photo_blob WHERE sha256 = ?");
    char *data = NULL;
    const char *type = thumb ? "image/jpeg" : NULL;
    if (s && sha256) {
        st_bind_text(s, 1, sha256);
        if (st_step(s) == DB_ROW) {
            data = xstrdup(st_text(s, thumb ? "thumb" : "data"));
            if (!thumb)
                type = arena_strdup(r->a, st_text(s, "type"));
        }
    }
    st_finalize(s);
    if (!data) {
        reply_error(r, 404, "not_found", NULL, "照片不存在或无权查看");
        return;
    }
    size_t len = strlen(data), n = 0;
    unsigned char *bin = xmalloc(len / 4 * 3 + 3);
    int bad = sodium_base642bin(bin, len / 4 * 3 + 3, data, len, NULL, &n, NULL,
                                sodium_base64_VARIANT_ORIGINAL);
    free(data);
    if (bad) {
        free(bin);
        reply_error(r, 500, "internal", NULL, "照片数据已损坏");
        return;
    }
    reply_raw(r, 200, type, (char *)bin, n);
}

/* The photo record id's image (thumb 0) or thumbnail (1), within the scope. */
static void serve(struct req *r, int thumb)
{
    struct verr e;
    json_t *rec = ent_read(&r->ctx, &event_photo_entity, r->id, 1, &e);
    if (!rec) {
        reply_verr(r, &e);
        return;
    }
    photo_serve(r, json_string_value(json_object_get(rec, "sha256")), thumb);
    json_decref(rec);
}

/* GET /api/v1/event_photo/{id}/image */
void photo_image_h(struct req *r)
{
    serve(r, 0);
}

/* GET /api/v1/event_photo/{id}/thumb */
void photo_thumb_h(struct req *r)
{
    serve(r, 1);
}
