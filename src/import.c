/* import.c - census import (POST /api/v1/import/{entity}, `qiao import`): the header row
 * mapped to fields, every cell validated against the declaration (ent_value_text), every
 * record created with ent_create (the whole-record checks, hooks and the audit entry of
 * each record) inside one transaction that is committed only when every row passed; a
 * dry run does the same and rolls back. Likely duplicates are reported, not refused. */
#include "module.h"
#include "import.h"
#include "audit.h"
#include "dedup.h"
#include "search.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_REPORTED 1000 /* errors and duplicates listed in a report (counts are exact) */

/* ---- progress of running imports ---------------------------------------------------- */

/* A small ring of jobs, keyed by the id the client chose and the user who runs it. */
static struct job {
    int64_t id, user_id;
    int done, total, finished;
} jobs[64];
static int next_job;
static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;

static struct job *job_find(int64_t id, int64_t user)
{
    for (int i = 0; i < 64; i++)
        if (jobs[i].id == id && jobs[i].user_id == user)
            return &jobs[i];
    return NULL;
}

struct job_ref {
    int64_t id, user;
};

static void job_progress(void *arg, int done, int total)
{
    struct job_ref *j = arg;
    pthread_mutex_lock(&jobs_lock);
    struct job *x = job_find(j->id, j->user);
    if (!x) {
        x = &jobs[next_job];
        next_job = (next_job + 1) % 64;
        x->id = j->id;
        x->user_id = j->user;
        x->finished = 0;
    }
    x->done = done;
    x->total = total;
    if (done < 0) {
        x->finished = 1;
        x->done = total;
    }
    pthread_mutex_unlock(&jobs_lock);
}

/* ---- the header row ----------------------------------------------------------------- */

/* The header cell without spaces, a trailing "*" or "(必填)" / "（必填）". */
static char *clean_header(arena *a, const char *h)
{
    while (*h == ' ' || *h == '\t')
        h++;
    char *s = arena_strdup(a, h);
    size_t n = strlen(s);
    for (;;) {
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '*'))
            s[--n] = 0;
        const char *tails[] = {"(必填)", "（必填）", "*", NULL};
        int cut = 0;
        for (int i = 0; tails[i]; i++) {
            size_t k = strlen(tails[i]);
            if (n >= k && !strcmp(s + n - k, tails[i])) {
                n -= k;
                s[n] = 0;
                cut = 1;
            }
        }
        if (!cut)
            break;
    }
    return s;
}

/* The field a header names: name, zh-Hans, zh-Hant or English label. Hidden fields never;
 * read-only ones (编号, 创建时间 of an export) are matched so that they can be skipped. */
static const struct field *field_of_header(const struct entity *ent, const char *h)
{
    for (const struct field *f = ent->fields; f->name; f++) {
        if (f->flags & FF_HIDDEN)
            continue;
        if (!strcmp(h, f->name) || !strcmp(h, f->label.hans) || !strcmp(h, f->label.hant) ||
            !strcasecmp(h, f->label.en))
            return f;
    }
    return NULL;
}

/* An enum or set cell written with labels (男, 華僑, Cantonese) as the values the
 * declaration names: each item (split at ';', '；' or '、') that is a label becomes its
 * value; anything else is left for validation to judge. Allocated from a. */
static const char *enum_cell(arena *a, const struct field *f, const char *cell)
{
    if (!f->values)
        return cell;
    buf b = {0};
    char *s = arena_strdup(a, cell);
    for (char *p = s; p && *p;) {
        size_t n = strcspn(p, ";");
        char *q = strstr(p, "；"), *r = strstr(p, "、");
        size_t nq = q ? (size_t)(q - p) : n, nr = r ? (size_t)(r - p) : n;
        size_t len = n < nq ? (n < nr ? n : nr) : (nq < nr ? nq : nr);
        size_t skip = len == n ? 1 : 3;
        char *item = arena_strndup(a, p, len);
        char *t = clean_header(a, item);
        const char *v = t;
        for (const struct enumval *ev = f->values; ev->value; ev++)
            if (!strcmp(t, ev->label.hans) || !strcmp(t, ev->label.hant) ||
                !strcasecmp(t, ev->label.en))
                v = ev->value;
        if (b.len)
            buf_putc(&b, ';');
        buf_puts(&b, v);
        p = p[len] ? p + len + skip : NULL;
    }
    const char *res = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return res;
}

/* ---- duplicate hints ---------------------------------------------------------------- */

/* The keys under which a person record may be a duplicate: "I|id_number" and
 * "N|folded name|birth date". Up to two, into keys[]; returns how many. */
static int dup_keys(arena *a, json_t *rec, const char *keys[2], const char *why[2])
{
    int n = 0;
    const char *idn = json_string_value(json_object_get(rec, "id_number"));
    const char *name = json_string_value(json_object_get(rec, "name"));
    const char *birth = json_string_value(json_object_get(rec, "birth_date"));
    if (idn && *idn) {
        keys[n] = arena_printf(a, "I|%s", idn);
        why[n++] = "证件号码相同";
    }
    if (name && *name && birth && *birth) {
        keys[n] = arena_printf(a, "N|%s|%s", dedup_fold(a, name), birth);
        why[n++] = "姓名 (繁简归一) 和出生日期相同";
    }
    return n;
}

/* Load the live records in scope into m (only for entities with these fields). */
static int load_existing(struct ent_ctx *c, const struct entity *ent, struct keymap *m)
{
    buf sql = {0};
    json_t *binds = json_array();
    buf_printf(&sql,
               "SELECT t.id, t.name, t.birth_date, t.id_number FROM \"%s\" t WHERE "
               "t.deleted_at IS NULL",
               ent->name);
    ent_scope_sql(c, ent, &sql, binds);
    stmt *s = db_prepare_json(c->db, buf_str(&sql), binds);
    buf_free(&sql);
    json_decref(binds);
    if (!s)
        return -1;
    arena *tmp = arena_new();
    int rc;
    while ((rc = st_step(s)) == DB_ROW) {
        json_t *rec = json_pack("{s:s?, s:s?, s:s?}", "name", st_text(s, "name"), "birth_date",
                                st_text(s, "birth_date"), "id_number", st_text(s, "id_number"));
        const char *keys[2], *why[2];
        int n = dup_keys(tmp, rec, keys, why);
        for (int i = 0; i < n; i++) {
            int64_t *v = km_slot(m, keys[i], 1);
            if (!*v)
                *v = st_int(s, "id");
        }
        json_decref(rec);
    }
    st_finalize(s);
    arena_free(tmp);
    return rc == DB_DONE ? 0 : -1;
}

/* ---- the import --------------------------------------------------------------------- */

struct col {
    const struct field *f; /* NULL: skipped */
    const char *header;
    char name[4]; /* "A" */
};

static void add_error(json_t *errs, int *count, int row, const struct col *cl, const struct verr *e)
{
    ++*count;
    if (json_array_size(errs) >= MAX_REPORTED)
        return;
    json_t *o = json_pack("{s:i, s:s}", "row", row, "message", e->msg);
    if (e->field[0])
        json_object_set_new(o, "field", json_string(e->field));
    else
        json_object_set_new(o, "field", json_null());
    json_object_set_new(o, "column", cl ? json_string(cl->name) : json_null());
    json_object_set_new(o, "header", cl ? json_string(cl->header) : json_null());
    json_array_append_new(errs, o);
}

/* Is the row empty (every cell blank)? */
static int blank_row(const struct trow *r)
{
    for (int i = 0; i < r->n; i++)
        for (const char *p = r->cells[i]; *p; p++)
            if (!isspace((unsigned char)*p))
                return 0;
    return 1;
}

json_t *import_table(struct ent_ctx *c, const struct entity *ent, struct table *t, json_t *mapping,
                     int dry_run, import_progress_fn progress, void *parg, int *ok, struct verr *e)
{
    *ok = 0;
    int hdr = 0;
    while (hdr < t->nrows && blank_row(&t->rows[hdr]))
        hdr++;
    if (hdr >= t->nrows) {
        verr_set(e, 422, "empty", NULL, "文件里没有表头行");
        return NULL;
    }
    if (mapping && !json_is_object(mapping)) {
        verr_set(e, 400, "bad_mapping", "mapping", "“mapping”应为 JSON 对象 {表头: 字段名}");
        return NULL;
    }
    struct trow *h = &t->rows[hdr];
    int ncol = h->n;
    struct col *cols = arena_alloc(t->a, (size_t)(ncol ? ncol : 1) * sizeof *cols);
    json_t *headers = json_array();
    int mapped = 0;
    for (int i = 0; i < ncol; i++) {
        struct col *cl = &cols[i];
        cl->header = clean_header(t->a, h->cells[i]);
        xlsx_col_name(i + 1, cl->name);
        json_t *m = mapping ? json_object_get(mapping, h->cells[i]) : NULL;
        if (!m && mapping)
            m = json_object_get(mapping, cl->header);
        if (!m && mapping)
            m = json_object_get(mapping, cl->name);
        if (m && !json_is_null(m) && !json_is_string(m)) {
            verr_set(e, 400, "bad_mapping", "mapping", "“mapping”中“%s”的值应为字段名", cl->header);
            goto fail;
        }
        if (m) {
            const char *fname = json_string_value(m);
            if (fname && *fname) {
                cl->f = ent_field(ent, fname);
                if (!cl->f || (cl->f->flags & (FF_HIDDEN | FF_READONLY))) {
                    verr_set(e, 400, "bad_mapping", "mapping", "%s没有可导入的字段“%s”",
                             ent->label.hans, fname);
                    goto fail;
                }
            }
        } else if (*cl->header) {
            cl->f = field_of_header(ent, cl->header);
            if (cl->f && (cl->f->flags & FF_READONLY))
                cl->f = NULL; /* 编号, 创建时间 ... of an export: skipped */
        }
        for (int j = 0; cl->f && j < i; j++)
            if (cols[j].f == cl->f) {
                verr_set(e, 422, "bad_mapping", cl->f->name, "“%s”对应了两列 (%s 和 %s)",
                         cl->f->label.hans, cols[j].name, cl->name);
                goto fail;
            }
        mapped += cl->f != NULL;
        json_array_append_new(headers, json_pack("{s:s, s:s, s:s?}", "column", cl->name, "header",
                                                 h->cells[i], "field", cl->f ? cl->f->name : NULL));
    }
    if (!mapped) {
        verr_set(e, 422, "no_fields", NULL,
                 "表头没有可识别的字段: 第一行应为字段名或中文标题 (如“姓名”“出生日期”)");
        goto fail;
    }

    int person_like =
        ent_field(ent, "name") && ent_field(ent, "birth_date") && ent_field(ent, "id_number");
    struct keymap km = {.a = t->a};
    json_t *errs = json_array(), *dups = json_array();
    int nerr = 0, err_rows = 0, ndup = 0, rows = 0, okrows = 0;
    int total = t->nrows - hdr - 1;
    if (db_begin(c->db) != DB_OK) {
        verr_set(e, 503, "busy", NULL, "数据库繁忙, 请稍后再试");
        json_decref(errs);
        json_decref(dups);
        goto fail;
    }
    if (person_like && load_existing(c, ent, &km)) {
        verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
        goto rollback;
    }
    /* merged cells in data rows hold their value only in the first cell: refused */
    size_t mi;
    json_t *mg;
    json_array_foreach(t->merges, mi, mg)
    {
        int r1 = (int)json_integer_value(json_object_get(mg, "row"));
        int r2 = (int)json_integer_value(json_object_get(mg, "last_row"));
        int c1 = (int)json_integer_value(json_object_get(mg, "col"));
        if (r2 <= h->num)
            continue; /* a title or the header itself */
        struct verr me = {0};
        struct col *cl = c1 >= 1 && c1 <= ncol ? &cols[c1 - 1] : NULL;
        verr_set(&me, 422, "merged", cl && cl->f ? cl->f->name : "",
                 "合并单元格 %s: 合并后只有第一格有值, 请取消合并并在每一行填写后再导入",
                 json_string_value(json_object_get(mg, "ref")));
        add_error(errs, &nerr, r1 > h->num ? r1 : h->num + 1, cl, &me);
        err_rows++;
    }
    /* one audit entry for the whole import (below) naming every created id, instead of one
     * per record: per-record entries make a large import crawl (each updates the audit
     * head, and PostgreSQL walks every version of that row written in the transaction) */
    int was_bulk = c->bulk;
    c->bulk = 1;
    c->ref_seen.ent = NULL;
    /* the search keys of the new records are written together before the commit, in
     * key order; a dry run makes none */
    struct search_batch *batch = dry_run ? search_batch_dry(ent) : search_batch_new_async(ent),
                        *was_keys = c->keys;
    c->keys = batch;
    json_t *ranges = json_array(); /* [[first, last], ...] of the created ids */
    int64_t first = 0, last = 0;
    arena *ra = arena_new(); /* per-row memory, reset every few thousand rows */
    for (int ri = hdr + 1; ri < t->nrows; ri++) {
        struct trow *row = &t->rows[ri];
        if (progress && (ri - hdr) % 500 == 0)
            progress(parg, ri - hdr, total);
        if (blank_row(row))
            continue;
        rows++;
        if ((ri & 4095) == 0) {
            arena_free(ra);
            ra = arena_new();
        }
        json_t *body = json_object();
        int bad = 0;
        for (int i = 0; i < ncol && i < row->n; i++) {
            const struct field *f = cols[i].f;
            const char *cell = row->cells[i];
            if (!f || !*cell)
                continue;
            json_t *v;
            struct verr ve;
            char date[11];
            if (f->type == FT_DATE && row->numeric && row->numeric[i] &&
                xlsx_serial_date(strtod(cell, NULL), date) == 0)
                cell = date;
            if (f->type == FT_ENUM || f->type == FT_SET || f->type == FT_PARTY)
                cell = enum_cell(ra, f, cell);
            if (ent_value_text(f, cell, &v, &ve)) {
                add_error(errs, &nerr, row->num, &cols[i], &ve);
                bad = 1;
                continue;
            }
            json_object_set_new(body, f->name, v);
        }
        for (int i = ncol; i < row->n; i++)
            if (*row->cells[i]) {
                struct verr ve;
                char name[4];
                xlsx_col_name(i + 1, name);
                verr_set(&ve, 422, "invalid", "", "第 %s 列有内容但没有表头", name);
                add_error(errs, &nerr, row->num, NULL, &ve);
                bad = 1;
                break;
            }
        if (!bad) {
            struct verr ve;
            json_t *rec = ent_create(c, ent, body, &ve);
            if (rec) {
                int64_t id = json_integer_value(json_object_get(rec, "id"));
                if (first && id == last + 1) {
                    last = id;
                } else {
                    if (first)
                        json_array_append_new(
                            ranges, json_pack("[I, I]", (json_int_t)first, (json_int_t)last));
                    first = last = id;
                }
            } else {
                struct col *cl = NULL;
                for (int i = 0; i < ncol && ve.field[0]; i++)
                    if (cols[i].f && !strcmp(cols[i].f->name, ve.field))
                        cl = &cols[i];
                if (ve.status >= 500) {
                    *e = ve;
                    json_decref(body);
                    arena_free(ra);
                    c->bulk = was_bulk;
                    c->keys = was_keys;
                    search_batch_free(batch);
                    json_decref(ranges);
                    goto rollback;
                }
                add_error(errs, &nerr, row->num, cl, &ve);
                bad = 1;
            }
            json_decref(rec);
        }
        if (person_like) {
            const char *keys[2], *why[2];
            int nk = dup_keys(ra, body, keys, why), found = 0;
            for (int k = 0; k < nk; k++) {
                int64_t *v = km_slot(&km, keys[k], 1);
                if (*v && !found) {
                    found = 1;
                    ndup++;
                    if (json_array_size(dups) < MAX_REPORTED)
                        json_array_append_new(
                            dups,
                            json_pack("{s:i, s:s, s:o, s:o}", "row", row->num, "reason", why[k],
                                      "existing_id", *v > 0 ? json_integer(*v) : json_null(),
                                      "other_row", *v < 0 ? json_integer(-*v) : json_null()));
                }
                if (!*v)
                    *v = -row->num;
            }
        }
        json_decref(body);
        if (bad)
            err_rows++;
        else
            okrows++;
    }
    arena_free(ra);
    c->bulk = was_bulk;
    c->keys = was_keys;
    if (first)
        json_array_append_new(ranges, json_pack("[I, I]", (json_int_t)first, (json_int_t)last));
    int all_ok = nerr == 0 && rows > 0;
    if (rows == 0) {
        struct verr ve;
        verr_set(&ve, 422, "empty", NULL, "表头下面没有数据行");
        add_error(errs, &nerr, h->num + 1, NULL, &ve);
    }
    json_t *what = json_pack("{s:s, s:i, s:i, s:o}", "format", t->xlsx ? "xlsx" : "csv", "rows",
                             rows, "created", all_ok ? okrows : 0, "ids", ranges);
    if (!dry_run && all_ok) {
        if (progress)
            progress(parg, total, total); /* the keys, the audit entry and the commit */
        int krc = search_batch_write(c->db, batch);
        search_batch_free(batch);
        if (krc != DB_OK || audit_write(c, "import", ent->name, 0, NULL, what) != DB_OK ||
            db_commit(c->db) != DB_OK) {
            json_decref(what);
            verr_set(e, 500, "internal", NULL, "数据库错误, 导入未完成, 数据未改变");
            if (db_depth(c->db))
                db_rollback(c->db);
            json_decref(errs);
            json_decref(dups);
            km_free(&km);
            goto fail;
        }
    } else {
        search_batch_free(batch);
        db_rollback(c->db);
    }
    json_decref(what);
    km_free(&km);
    *ok = all_ok;
    if (progress)
        progress(parg, -1, total);
    return json_pack("{s:s, s:b, s:b, s:i, s:i, s:i, s:i, s:i, s:o, s:i, s:o, s:o, s:O}", "entity",
                     ent->name, "dry_run", dry_run, "committed", !dry_run && all_ok, "rows", rows,
                     "ok", okrows, "created", !dry_run && all_ok ? okrows : 0, "error_rows",
                     err_rows, "error_count", nerr, "errors", errs, "duplicate_count", ndup,
                     "duplicates", dups, "headers", headers, "merges", t->merges);
rollback:
    db_rollback(c->db);
    json_decref(errs);
    json_decref(dups);
    km_free(&km);
fail:
    json_decref(headers);
    if (progress)
        progress(parg, -1, 0);
    return NULL;
}

/* ---- the API ------------------------------------------------------------------------ */

/* POST /api/v1/import/{entity}: the body is the file (CSV or XLSX). dry_run=1 answers the
 * report and changes nothing; otherwise 200 with the report when committed, 422 with it
 * when any row was refused (nothing written). job=N lets GET /api/v1/import/jobs/N follow. */
void import_h(struct req *r)
{
    const char *dr = req_arg(r, "dry_run"), *mp = req_arg(r, "mapping"), *jb = req_arg(r, "job");
    int dry = dr && (!strcmp(dr, "1") || !strcmp(dr, "true"));
    if (!strcmp(r->ent->name, "user")) { /* accounts need passwords: user management */
        reply_error(r, 400, "not_importable", NULL, "用户账号不能批量导入, 请在用户管理中逐个添加");
        return;
    }
    json_t *mapping = NULL;
    if (mp && *mp) {
        mapping = json_loads(mp, 0, NULL);
        if (!json_is_object(mapping)) {
            json_decref(mapping);
            reply_error(r, 400, "bad_mapping", "mapping", "“mapping”应为 JSON 对象 {表头: 字段名}");
            return;
        }
    }
    struct job_ref jr = {0, r->ctx.user_id};
    if (jb && (!parse_i64(jb, &jr.id) || jr.id <= 0)) {
        json_decref(mapping);
        reply_error(r, 400, "invalid", "job", "“job”应为正整数");
        return;
    }
    struct verr e;
    struct table t;
    table_init(&t);
    json_t *rep = NULL;
    int ok = 0;
    if (jr.id)
        job_progress(&jr, 0, 0);
    if (table_read(&t, r->body, r->body_len, &e) == 0)
        rep = import_table(&r->ctx, r->ent, &t, mapping, dry, jr.id ? job_progress : NULL, &jr, &ok,
                           &e);
    else if (jr.id)
        job_progress(&jr, -1, 0);
    table_free(&t);
    json_decref(mapping);
    if (!rep) {
        reply_verr(r, &e);
        return;
    }
    if (!ok && !dry) {
        json_t *err = json_pack("{s:s, s:s}", "code", "import_refused", "message",
                                "有行未通过检查, 全部未导入 (数据未改变)");
        json_object_set_new(rep, "error", err);
        reply_json(r, 422, rep);
        return;
    }
    reply_json(r, 200, rep);
}

/* GET /api/v1/import/jobs/{id} */
void import_job_h(struct req *r)
{
    pthread_mutex_lock(&jobs_lock);
    struct job *j = job_find(r->id, r->ctx.user_id);
    struct job copy = j ? *j : (struct job){0};
    pthread_mutex_unlock(&jobs_lock);
    if (!j) {
        reply_error(r, 404, "not_found", NULL, "没有这个导入任务");
        return;
    }
    reply_json(r, 200,
               json_pack("{s:I, s:i, s:i, s:b}", "id", (json_int_t)copy.id, "done", copy.done,
                         "total", copy.total, "finished", copy.finished));
}

/* ---- the command line --------------------------------------------------------------- */

static void cli_progress(void *arg, int done, int total)
{
    (void)arg;
    if (done >= 0 && done % 10000 == 0 && total > 20000)
        fprintf(stderr, "\r导入中: %d / %d 行", done, total);
    else if (done < 0 && total > 20000)
        fprintf(stderr, "\n");
}

int import_cli(db *d, const char *entity, const char *file, int64_t org, int dry_run)
{
    const struct entity *ent = entity_find(entity);
    if (!ent || !strcmp(entity, "user")) {
        fprintf(stderr, "qiao: 没有可导入的实体“%s”\n", entity);
        return 2;
    }
    int64_t root = db_int(d, 0,
                          "SELECT id FROM \"org\" WHERE parent_id IS NULL AND deleted_at IS NULL "
                          "ORDER BY id LIMIT 1",
                          "");
    if (!org)
        org = root;
    if (!org ||
        !db_int(d, 0, "SELECT 1 FROM \"org\" WHERE id = ? AND deleted_at IS NULL", "i", org)) {
        fprintf(stderr, "qiao: 没有编号为 %lld 的组织 (--org)\n", (long long)org);
        return 2;
    }
    FILE *f = fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "qiao: 无法打开 %s\n", file);
        return 2;
    }
    buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    arena *a = arena_new();
    struct ent_ctx c = {.db = d, .a = a, .username = "system", .client = "cli", .org_id = org};
    struct verr e;
    struct table t;
    table_init(&t);
    int ok = 0, rc;
    json_t *rep = NULL;
    double t0 = now_ms();
    if (table_read(&t, b.s ? b.s : "", b.len, &e) == 0)
        rep = import_table(&c, ent, &t, NULL, dry_run, cli_progress, NULL, &ok, &e);
    table_free(&t);
    buf_free(&b);
    if (!rep) {
        fprintf(stderr, "qiao: %s\n", e.msg);
        rc = 1;
        goto out;
    }
    double secs = (now_ms() - t0) / 1000;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rep, "errors"), i, x)
    {
        const char *col = json_string_value(json_object_get(x, "column"));
        printf("第 %lld 行%s%s: %s\n", (long long)json_integer_value(json_object_get(x, "row")),
               col ? " " : "", col ? col : "", json_string_value(json_object_get(x, "message")));
    }
    json_array_foreach(json_object_get(rep, "duplicates"), i, x)
    {
        json_t *ex = json_object_get(x, "existing_id"), *ot = json_object_get(x, "other_row");
        printf("第 %lld 行 可能重复: %s (",
               (long long)json_integer_value(json_object_get(x, "row")),
               json_string_value(json_object_get(x, "reason")));
        if (json_is_integer(ex))
            printf("已有记录编号 %lld)\n", (long long)json_integer_value(ex));
        else
            printf("与第 %lld 行)\n", (long long)json_integer_value(ot));
    }
    long long rows = json_integer_value(json_object_get(rep, "rows"));
    long long erows = json_integer_value(json_object_get(rep, "error_rows"));
    if (ok && !dry_run)
        printf("已导入 %lld 行 (%.1f 秒, %.0f 行/秒)\n", rows, secs, secs > 0 ? rows / secs : 0.0);
    else if (ok)
        printf("试导入: %lld 行全部通过检查, 未写入 (%.1f 秒)\n", rows, secs);
    else
        printf("%lld 行中有 %lld 行未通过检查, 全部未导入 (数据未改变)\n", rows, erows);
    rc = ok ? 0 : 1;
out:
    json_decref(rep);
    arena_free(a);
    return rc;
}

/* Imports of any entity; the permission is the entity's module's. */
const struct module import_module = {
    .name = "import",
    .routes =
        (const struct route[]){
            {"POST", "/api/v1/import/{entity}", import_h, NULL, P_EDIT, R_UPLOAD},
            {"GET", "/api/v1/import/jobs/{id}", import_job_h, "import", P_NONE, 0},
            {NULL},
        },
};
