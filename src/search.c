/* search.c - name search: the key tables (search_person, ...) and GET /api/v1/search. See
 * search.h; the keys themselves come from names.c. */
#include "search.h"
#include "names.h"
#include "module.h"
#include "country.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The version of the key rules: bump it when names.c or surnames.c change what keys a
 * name gets, and every database rebuilds its index at the next start. */
#define SEARCH_RULES 7

/* The entities search serves are those declared EF_SEARCHED (entity.h); the names of
 * those declared EF_NAME_WORDS (organisations) are also found by a word in the middle. */
static unsigned key_flags(const struct entity *ent)
{
    return (ent->flags & EF_NAME_WORDS) ? NK_SUFFIXES : 0;
}

#define MAX_PROBES 48

/* Copy a and then b into out (n bytes), cut to fit. */
static void concat(char *out, size_t n, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > n - 1)
        la = n - 1;
    if (lb > n - 1 - la)
        lb = n - 1 - la;
    memmove(out, a, la);
    memmove(out + la, b, lb);
    out[la + lb] = 0;
}

/* ---- which fields are names --------------------------------------------------------- */

/* The declared entity of that name if search serves it, else NULL. */
static const struct entity *searched(const char *name)
{
    const struct entity *ent = entity_find(name);
    return ent && (ent->flags & EF_SEARCHED) ? ent : NULL;
}

/* The entity's name fields: its title and its searchable lists (other names). */
static int is_name_field(const struct entity *ent, const struct field *f)
{
    if (!strcmp(f->name, ent->title))
        return f->type == FT_TEXT;
    return f->type == FT_LIST && (f->flags & FF_SEARCH);
}

/* Name field number n (0, 1, ... in declaration order: what the index stores), or NULL. */
static const struct field *name_field(const struct entity *ent, int n)
{
    for (const struct field *f = ent->fields; f->name; f++)
        if (is_name_field(ent, f) && n-- == 0)
            return f;
    return NULL;
}

/* ---- the index ---------------------------------------------------------------------- */

/* The version the index is built for: the rules and the sizes of the generated tables
 * (new Unihan or OpenCC data change them). Written into out; returns out. */
static const char *rules_version(char *out, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a of the name fields, whose numbers the index stores */
    for (const struct entity *const *all = ent_all(); *all; all++) {
        const struct entity *ent = *all;
        if (!(ent->flags & EF_SEARCHED))
            continue;
        for (const struct field *f = ent->fields; f->name; f++)
            if (is_name_field(ent, f))
                for (const char *p = f->name;; p++) {
                    h = (h ^ (uint8_t)*p) * 16777619u;
                    if (!*p)
                        break;
                }
    }
    snprintf(out, n, "%d/%zu/%zu/%zu/%08x", SEARCH_RULES, unihan_chars_n, unihan_fold_n,
             unihan_jyut_n, (unsigned)h);
    return out;
}

/* Keys waiting to be written: one record's (a create or an update), or every new record
 * of an import (ent_ctx.keys). Written in the order of the table's primary key, so that a
 * large batch walks the B-trees once from left to right instead of landing all over them.
 *
 * An import's batch has a worker thread: the importer hands it the names of each new
 * record (packed into chunks) and goes on with the next row, while the worker makes the
 * keys and sorts them in runs (of a million keys). search_batch_write waits for it, then merges
 * the sorted runs into the INSERTs. */
#define CHUNK_RECORDS 2048

struct chunk {
    struct chunk *next;
    buf b; /* records: rid, org (int64_t each), then (field number, name, NUL)..., 0xff */
};

/* One key: 32 bytes, so that qsort moves the rows themselves. */
struct brow {
    uint64_t pre; /* the kind, then the key's first 7 bytes: most comparisons end here */
    int64_t rid, org;
    uint32_t off; /* of the key in text */
    uint16_t fi;  /* the name field's number (name_field) */
    uint8_t weak;
};

struct search_batch {
    const struct entity *ent;
    struct brow *v;
    size_t n, cap;
    size_t *runs, nruns; /* v[runs[i]..runs[i + 1]) is sorted; runs[nruns] is n */
    size_t run_rows;     /* the length of a run: 1 << 20 */
    int full;            /* text outgrew 4 GiB: search_batch_write refuses */
    int dry;             /* a dry run's: keeps nothing */
    int fresh;           /* new records' keys only (an import's, a rebuild's): none can be
                            in the table already, so no conflict clause (COPY on PostgreSQL) */
    buf text;            /* the keys, each ending in a NUL */
    /* runs of a large batch, once sorted, are written to a file of their own and read back
     * by the merge, so that a million records' keys are not all held: run i is at
     * spilled[i] (its byte offset) with nspilled_rows[i] rows */
    FILE *spill;
    long *spilled;
    size_t *spilled_rows, nspilled;
    /* the record and field whose keys are being added */
    int64_t rid, org;
    uint16_t fi;
    /* the worker: only it touches the fields above while it runs */
    int async;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct chunk *head, *tail, *cur; /* queued chunks; the one being filled */
    int ncur, done;
};

static void *batch_worker(void *arg);

struct search_batch *search_batch_new(const struct entity *ent)
{
    struct search_batch *b = xcalloc(1, sizeof *b);
    b->ent = ent;
    b->runs = xcalloc(1, sizeof *b->runs);
    b->run_rows = 1u << 20;
    return b;
}

struct search_batch *search_batch_dry(const struct entity *ent)
{
    struct search_batch *b = search_batch_new(ent);
    b->dry = 1;
    return b;
}

void search_batch_run_rows(struct search_batch *b, size_t rows)
{
    b->run_rows = rows ? rows : 1;
}

struct search_batch *search_batch_new_async(const struct entity *ent)
{
    struct search_batch *b = search_batch_new(ent);
    b->fresh = 1;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    if (pthread_create(&b->th, NULL, batch_worker, b) == 0)
        b->async = 1;
    return b;
}

static void free_chunks(struct chunk *c)
{
    while (c) {
        struct chunk *next = c->next;
        buf_free(&c->b);
        free(c);
        c = next;
    }
}

/* Hand the chunk being filled to the worker; with last, also tell it to stop, and wait. */
static void batch_flush(struct search_batch *b, int last)
{
    pthread_mutex_lock(&b->mu);
    if (b->cur) {
        if (b->tail)
            b->tail->next = b->cur;
        else
            b->head = b->cur;
        b->tail = b->cur;
        b->cur = NULL;
        b->ncur = 0;
    }
    if (last)
        b->done = 1;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
    if (last) {
        pthread_join(b->th, NULL);
        b->async = 0;
        pthread_mutex_destroy(&b->mu);
        pthread_cond_destroy(&b->cv);
    }
}

void search_batch_free(struct search_batch *b)
{
    if (!b)
        return;
    if (b->async) { /* unwritten (a failed import): the worker need not finish the queue */
        pthread_mutex_lock(&b->mu);
        free_chunks(b->head);
        b->head = b->tail = NULL;
        pthread_mutex_unlock(&b->mu);
        batch_flush(b, 1);
    }
    free_chunks(b->head);
    free_chunks(b->cur);
    free(b->v);
    free(b->runs);
    buf_free(&b->text);
    if (b->spill)
        fclose(b->spill);
    free(b->spilled);
    free(b->spilled_rows);
    free(b);
}

/* name_key_fn: one more key of the current record and field. */
static void batch_add(void *arg, const struct name_key *k)
{
    struct search_batch *b = arg;
    if (b->text.len > UINT32_MAX - NAME_KEY_MAX) {
        b->full = 1;
        return;
    }
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->v = xrealloc(b->v, b->cap * sizeof *b->v);
    }
    uint64_t pre = (uint64_t)(uint8_t)k->kind << 56;
    for (int i = 0; i < 7 && k->key[i]; i++)
        pre |= (uint64_t)(uint8_t)k->key[i] << (48 - 8 * i);
    b->v[b->n++] = (struct brow){.pre = pre,
                                 .rid = b->rid,
                                 .org = b->org,
                                 .off = (uint32_t)b->text.len,
                                 .fi = b->fi,
                                 .weak = (uint8_t)k->weak};
    buf_add(&b->text, k->key, strlen(k->key) + 1);
}

/* Append record id's name fields (rec holds their values and org_id) to out. */
static void pack_record(buf *out, const struct entity *ent, int64_t id, const json_t *rec)
{
    int64_t head[2] = {id, json_integer_value(json_object_get(rec, "org_id"))};
    buf_add(out, (const char *)head, sizeof head);
    char fi = 0;
    for (const struct field *f = ent->fields; f->name; f++) {
        if (!is_name_field(ent, f))
            continue;
        json_t *v = json_object_get(rec, f->name);
        size_t i, n = json_is_array(v) ? json_array_size(v) : 1;
        for (i = 0; i < n; i++) {
            json_t *x = json_is_array(v) ? json_array_get(v, i) : v;
            if (json_is_string(x)) {
                buf_add(out, &fi, 1);
                buf_add(out, json_string_value(x), json_string_length(x) + 1);
            }
        }
        fi++;
    }
    buf_add(out, "\xff", 1);
}

/* qsort_r: the primary key's order (kind, key, record_id, field, weak), keys byte-wise. */
_Static_assert(sizeof(struct brow) == 32, "qsort copies rows of up to 32 bytes");
static int cmp_row(const struct brow *x, const char *ka, const struct brow *y, const char *kb);
static int cmp_brow(const void *pa, const void *pb, void *arg)
{
    const struct search_batch *b = arg;
    const struct brow *x = pa, *y = pb;
    if (x->pre != y->pre) /* most comparisons end here */
        return x->pre < y->pre ? -1 : 1;
    return cmp_row(x, b->text.s + x->off, y, b->text.s + y->off);
}

/* Sort the rows added since the last run into a run of their own. */
static void end_run(struct search_batch *b)
{
    size_t from = b->runs[b->nruns];
    if (b->n == from)
        return;
    qsort_r(b->v + from, b->n - from, sizeof *b->v, cmp_brow, b);
    b->runs = xrealloc(b->runs, (b->nruns + 2) * sizeof *b->runs);
    b->runs[++b->nruns] = b->n;
}

/* A row of a spilled run: the row (its off the key's length), then the key and its NUL. */
static void spill_runs(struct search_batch *b)
{
    if (!b->spill && !(b->spill = tmpfile()))
        return; /* no file: the runs stay in memory */
    for (size_t r = 0; r < b->nruns; r++) {
        b->spilled = xrealloc(b->spilled, (b->nspilled + 1) * sizeof *b->spilled);
        b->spilled_rows = xrealloc(b->spilled_rows, (b->nspilled + 1) * sizeof *b->spilled_rows);
        b->spilled[b->nspilled] = ftell(b->spill);
        b->spilled_rows[b->nspilled++] = b->runs[r + 1] - b->runs[r];
        for (size_t i = b->runs[r]; i < b->runs[r + 1]; i++) {
            struct brow w = b->v[i];
            const char *key = b->text.s + w.off;
            w.off = (uint32_t)strlen(key);
            fwrite(&w, sizeof w, 1, b->spill);
            fwrite(key, 1, w.off + 1, b->spill);
        }
    }
    if (ferror(b->spill))
        b->full = 1; /* search_batch_write refuses */
    b->n = b->nruns = 0;
    b->text.len = 0;
}

/* Make the keys of the packed records in [p, end). */
static void add_packed(struct search_batch *b, const char *p, const char *end)
{
    while (p < end) {
        memcpy(&b->rid, p, sizeof b->rid);
        memcpy(&b->org, p + 8, sizeof b->org);
        p += 16;
        while (*p != '\xff') {
            b->fi = (uint8_t)*p++;
            name_keys_ex(p, key_flags(b->ent), batch_add, b);
            p += strlen(p) + 1;
        }
        p++;
        if (b->n - b->runs[b->nruns] >= b->run_rows) {
            end_run(b);
            spill_runs(b);
        }
    }
}

static void *batch_worker(void *arg)
{
    struct search_batch *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        while (!b->head && !b->done)
            pthread_cond_wait(&b->cv, &b->mu);
        struct chunk *c = b->head;
        if (c && !(b->head = c->next))
            b->tail = NULL;
        pthread_mutex_unlock(&b->mu);
        if (!c)
            return NULL; /* done, and nothing left */
        add_packed(b, c->b.s, c->b.s + c->b.len);
        buf_free(&c->b);
        free(c);
    }
}

/* Add the keys of record id (rec holds its name fields and org_id): at once, or through
 * the worker. */
static void batch_record(struct search_batch *b, int64_t id, const json_t *rec)
{
    if (b->dry)
        return;
    if (!b->async) {
        buf tmp = {0};
        pack_record(&tmp, b->ent, id, rec);
        add_packed(b, tmp.s, tmp.s + tmp.len);
        buf_free(&tmp);
        return;
    }
    if (!b->cur)
        b->cur = xcalloc(1, sizeof *b->cur);
    pack_record(&b->cur->b, b->ent, id, rec);
    if (++b->ncur == CHUNK_RECORDS)
        batch_flush(b, 0);
}

/* The primary key's order of two rows whose keys are ka and kb. */
static int cmp_row(const struct brow *x, const char *ka, const struct brow *y, const char *kb)
{
    if (x->pre != y->pre)
        return x->pre < y->pre ? -1 : 1;
    int c = strcmp(ka, kb);
    if (c)
        return c;
    if (x->rid != y->rid)
        return x->rid < y->rid ? -1 : 1;
    if (x->fi != y->fi)
        return (int)x->fi - (int)y->fi;
    return (int)x->weak - (int)y->weak;
}

/* One run in the merge: in memory (b, at..end) or spilled (read from fd at pos through rb,
 * left rows to go). row and key are its current row (key NULL when the run is done). */
#define CURSOR_BUF (64u << 10)
struct cursor {
    const struct search_batch *b;
    size_t at, end;
    int fd;
    off_t pos;
    size_t left;
    char *rb;
    size_t rlen, rat; /* bytes in rb, the next one to read */
    struct brow row;
    const char *key;
};

/* n bytes of c's spilled run into out (n <= CURSOR_BUF), or NULL when it cannot be read. */
static const char *cursor_take(struct cursor *c, size_t n)
{
    if (c->rlen - c->rat < n) {
        memmove(c->rb, c->rb + c->rat, c->rlen - c->rat);
        c->rlen -= c->rat;
        c->rat = 0;
        ssize_t got = pread(c->fd, c->rb + c->rlen, CURSOR_BUF - c->rlen, c->pos);
        if (got > 0) {
            c->pos += got;
            c->rlen += (size_t)got;
        }
        if (c->rlen < n)
            return NULL;
    }
    const char *p = c->rb + c->rat;
    c->rat += n;
    return p;
}

/* Step c to its next row. 0, or -1 when a spilled run cannot be read back. */
static int cursor_next(struct cursor *c)
{
    c->key = NULL;
    if (!c->rb) {
        if (c->at < c->end) {
            c->row = c->b->v[c->at++];
            c->key = c->b->text.s + c->row.off;
        }
        return 0;
    }
    if (!c->left)
        return 0;
    const char *p = cursor_take(c, sizeof c->row);
    if (!p)
        return -1;
    memcpy(&c->row, p, sizeof c->row);
    if (c->row.off > NAME_KEY_MAX || !(p = cursor_take(c, c->row.off + 1)) || p[c->row.off])
        return -1;
    c->key = p;
    c->left--;
    return 0;
}

int search_batch_write(db *d, struct search_batch *b)
{
    if (b->async)
        batch_flush(b, 1);
    if (b->full || b->dry)
        return DB_ERROR;
    end_run(b);
    /* merge the runs, the spilled ones read back, the same key twice (陈 and 陳 in two
     * other names) once */
    size_t nc = b->nruns + b->nspilled;
    struct cursor *cur = xcalloc(nc ? nc : 1, sizeof *cur);
    if (b->spill && fflush(b->spill))
        b->full = 1;
    for (size_t r = 0; r < b->nspilled; r++) {
        cur[r].fd = fileno(b->spill);
        cur[r].rb = xmalloc(CURSOR_BUF);
        cur[r].pos = b->spilled[r];
        cur[r].left = b->spilled_rows[r];
    }
    for (size_t r = 0; r < b->nruns; r++) {
        cur[b->nspilled + r].b = b;
        cur[b->nspilled + r].at = b->runs[r];
        cur[b->nspilled + r].end = b->runs[r + 1];
    }
    for (size_t r = 0; r < nc; r++)
        cursor_next(&cur[r]);
    char table[64];
    snprintf(table, sizeof table, "search_%s", b->ent->name);
    db_rows *rows = db_rows_new(d, table, "kind, key, record_id, field, weak, org_id",
                                DB_ROWS_ASYNC | (b->fresh ? 0 : DB_ROWS_IGNORE));
    struct brow last = {0};
    char last_key[NAME_KEY_MAX + 1] = "";
    int any = 0, rc = b->full ? DB_ERROR : DB_OK;
    while (rc == DB_OK) {
        struct cursor *min = NULL;
        for (size_t r = 0; r < nc; r++)
            if (cur[r].key && (!min || cmp_row(&cur[r].row, cur[r].key, &min->row, min->key) < 0))
                min = &cur[r];
        if (!min)
            break;
        if (!any || cmp_row(&last, last_key, &min->row, min->key)) {
            any = 1;
            last = min->row;
            snprintf(last_key, sizeof last_key, "%s", min->key);
            rows_int(rows, (int64_t)(last.pre >> 56));
            rows_text(rows, last_key);
            rows_int(rows, last.rid);
            rows_int(rows, last.fi);
            rows_int(rows, last.weak);
            if (last.org)
                rows_int(rows, last.org);
            else
                rows_null(rows);
            rc = db_rows_end(rows);
        }
        if (cursor_next(min) < 0)
            rc = DB_ERROR;
    }
    if (rc == DB_OK)
        rc = db_rows_flush(rows, NULL, NULL);
    db_rows_free(rows);
    for (size_t r = 0; r < nc; r++)
        free(cur[r].rb);
    free(cur);
    b->n = b->nruns = b->nspilled = 0;
    b->text.len = 0;
    if (b->spill) {
        fclose(b->spill);
        b->spill = NULL;
    }
    return rc;
}

/* Did a name field or the owning org change? */
static int names_changed(const struct entity *ent, const json_t *rec, const json_t *old)
{
    for (const struct field *f = ent->fields; f->name; f++) {
        if (!is_name_field(ent, f) && strcmp(f->name, "org_id"))
            continue;
        json_t *a = json_object_get(rec, f->name), *b = json_object_get(old, f->name);
        if (!json_equal(a ? a : json_null(), b ? b : json_null()))
            return 1;
    }
    return 0;
}

/* Remove the keys the record had: those its old names give (the same rules made them). */
static int delete_keys(db *d, const struct entity *ent, int64_t id, const json_t *old)
{
    struct search_batch *b = search_batch_new(ent);
    batch_record(b, id, old);
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM search_%s WHERE kind = ? AND key = ? AND record_id = ?",
             ent->name);
    int rc = DB_OK;
    for (size_t i = 0; i < b->n && rc == DB_OK; i++)
        rc = db_execv(d, sql, "isi", (int64_t)(b->v[i].pre >> 56), b->text.s + b->v[i].off, id);
    search_batch_free(b);
    return rc;
}

int search_index(struct ent_ctx *c, const struct entity *ent, int64_t id, const json_t *rec,
                 const json_t *old, struct verr *e)
{
    if (searched(ent->name) != ent)
        return 0;
    if (rec && old && !names_changed(ent, rec, old))
        return 0;
    int rc = old ? delete_keys(c->db, ent, id, old) : DB_OK;
    if (rc == DB_OK && rec) {
        if (!old && c->keys && c->keys->ent == ent) {
            batch_record(c->keys, id, rec); /* written by the caller before its commit */
        } else {
            struct search_batch *b = search_batch_new(ent);
            batch_record(b, id, rec);
            rc = search_batch_write(c->db, b);
            search_batch_free(b);
        }
    }
    if (rc != DB_OK)
        return verr_set(e, 500, "internal", NULL, "无法更新姓名检索索引");
    return 0;
}

/* Index every live record of ent: read a thousand at a time, write once, in key order. */
static int index_all(db *d, const struct entity *ent)
{
    buf sql = {0};
    buf_puts(&sql, (ent->flags & EF_OWNED) ? "SELECT id, org_id" : "SELECT id");
    for (const struct field *f = ent->fields; f->name; f++)
        if (is_name_field(ent, f))
            buf_printf(&sql, ", %s", f->name);
    buf_printf(&sql, " FROM \"%s\" WHERE deleted_at IS NULL AND id > ? ORDER BY id LIMIT 1000",
               ent->name);
    struct search_batch *b = search_batch_new(ent);
    b->fresh = 1; /* into a table just made */
    int64_t last = 0;
    int rc = DB_OK;
    for (;;) {
        stmt *s = db_prepare(d, buf_str(&sql));
        if (!s) {
            rc = DB_ERROR;
            break;
        }
        st_bind_int(s, 1, last);
        int step, n = 0;
        while ((step = st_step(s)) == DB_ROW) {
            json_t *rec = json_object();
            last = st_int(s, "id");
            if (ent->flags & EF_OWNED)
                json_object_set_new(rec, "org_id", json_integer(st_int(s, "org_id")));
            for (const struct field *f = ent->fields; f->name; f++) {
                if (!is_name_field(ent, f) || st_isnull(s, f->name))
                    continue;
                const char *t = st_text(s, f->name);
                json_t *v = f->type == FT_LIST ? json_loads(t, 0, NULL) : json_string(t);
                if (v)
                    json_object_set_new(rec, f->name, v);
            }
            batch_record(b, last, rec);
            json_decref(rec);
            n++;
        }
        st_finalize(s);
        if (step != DB_DONE)
            rc = DB_ERROR;
        if (rc != DB_OK || n < 1000)
            break;
    }
    if (rc == DB_OK)
        rc = search_batch_write(d, b);
    search_batch_free(b);
    buf_free(&sql);
    return rc;
}

int search_sync(db *d)
{
    char sql[512], want[64];
    rules_version(want, sizeof want);
    stmt *s = db_prepare(d, "SELECT value FROM qiao_meta WHERE key = 'search_keys'");
    int same = 0;
    if (!s)
        return DB_ERROR;
    if (st_step(s) == DB_ROW)
        same = !strcmp(st_text(s, "value"), want);
    st_finalize(s);
    for (const struct entity *const *all = ent_all(); *all && same; all++) {
        snprintf(sql, sizeof sql, "search_%s", (*all)->name);
        same = !((*all)->flags & EF_SEARCHED) || db_has_column(d, sql, NULL);
    }
    if (same)
        return DB_OK;
    /* New rules: the tables as they want them, filled from the records. Each is its
     * primary key's B-tree on SQLite, and that key serves the probes of a search. */
    if (db_exec(d, "DROP TABLE IF EXISTS search_key") != DB_OK) /* one table for all, before 7 */
        return DB_ERROR;
    for (const struct entity *const *all = ent_all(); *all; all++) {
        const struct entity *ent = *all;
        if (!(ent->flags & EF_SEARCHED))
            continue;
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS search_%s", ent->name);
        if (db_exec(d, sql) != DB_OK)
            return DB_ERROR;
        snprintf(sql, sizeof sql,
                 "CREATE TABLE search_%s (kind %s NOT NULL, key %s NOT NULL, record_id %s NOT "
                 "NULL, field %s NOT NULL, weak %s NOT NULL, org_id %s, PRIMARY KEY (kind, key, "
                 "record_id, field, weak))%s",
                 ent->name, db_type_name(d, DT_INT), db_type_name(d, DT_KEY),
                 db_type_name(d, DT_INT), db_type_name(d, DT_INT), db_type_name(d, DT_INT),
                 db_type_name(d, DT_INT), db_keyed_table(d));
        if (db_exec(d, sql) != DB_OK || index_all(d, ent) != DB_OK)
            return DB_ERROR;
        /* the scope's index after the fill: faster than keeping it up to date row by row */
        snprintf(sql, sizeof sql,
                 "CREATE INDEX search_%s_o ON search_%s (org_id, kind, key, record_id, weak, "
                 "field)",
                 ent->name, ent->name);
        if (db_exec(d, sql) != DB_OK)
            return DB_ERROR;
    }
    if (db_execv(d, "DELETE FROM qiao_meta WHERE key = 'search_keys'", "") != DB_OK ||
        db_execv(d, "INSERT INTO qiao_meta (key, value) VALUES ('search_keys', ?)", "s", want) !=
            DB_OK)
        return DB_ERROR;
    return DB_OK;
}

/* ---- queries ------------------------------------------------------------------------ */

/* Scores: exact > prefix > reading > dialect candidate (SPEC "Finding people"). A
 * prefix that stops inside a syllable ("tan" of "tang") ranks below a dialect match. */
static const struct {
    int exact, prefix, partial;
} scores[K_N] = {
    [K_HAN] = {100, 80, 80},           [K_HAN_GIVEN] = {76, 70, 70},
    [K_LATIN] = {95, 72, 72},          [K_PINYIN] = {62, 56, 24},
    [K_PINYIN_GIVEN] = {52, 48, 20},   [K_JYUT] = {60, 54, 22},
    [K_JYUT_GIVEN] = {50, 46, 18},     [K_INITIALS] = {44, 38, 38},
    [K_INITIALS_GIVEN] = {40, 34, 34},
};

/* One range lookup on the index and what a hit through it means. */
struct probe {
    int kind;
    char key[NAME_KEY_MAX];
    int exact, prefix, partial;    /* scores (from the table unless a candidate) */
    const struct surname *surname; /* the name must start with it */
    unsigned dialects;             /* the surname was matched by these dialect spellings */
    int cantonese;                 /* ... or by its Hong Kong spelling */
    char spelt[32];                /* ... written so in the query */
    const char *via;               /* the query read in another system ("威妥玛拼音") */
    uint32_t need[16];             /* folded characters the name must hold, in order */
    int nneed;
};

struct query {
    struct probe p[MAX_PROBES];
    int n;
};

/* A new lookup of key in kind, scored from the table; NULL when q is full, the key
 * empty or too long, or the same plain lookup is there already. */
static struct probe *add_probe(struct query *q, int kind, const char *key)
{
    if (q->n == MAX_PROBES || !*key || strlen(key) >= NAME_KEY_MAX)
        return NULL;
    for (int i = 0; i < q->n; i++) /* the same lookup twice: keep the first */
        if (q->p[i].kind == kind && !strcmp(q->p[i].key, key) && !q->p[i].surname && !q->p[i].nneed)
            return NULL;
    struct probe *p = &q->p[q->n++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    concat(p->key, sizeof p->key, "", key);
    p->exact = scores[kind].exact;
    p->prefix = scores[kind].prefix;
    p->partial = scores[kind].partial;
    return p;
}

/* A dialect (or mixed) candidate: ranked as one, whatever kind it looks up. */
static void candidate(struct probe *p, const struct surname_hit *h, const char *spelt, int base)
{
    if (!p)
        return;
    p->surname = h->s;
    p->dialects = h->dialects;
    concat(p->spelt, sizeof p->spelt, "", spelt);
    p->exact = base + 2;
    p->prefix = base;
    p->partial = base / 2;
}

/* The query cut up: Latin tokens (letters only, tones dropped), folded characters, and
 * the order they came in. */
struct parsed {
    char tok[16][64];
    int ntok;
    uint32_t han[32];
    int nhan;
    /* pieces in order: a token (>= 0) or a character (-1 - index) */
    int piece[48];
    int npiece;
};

static void parse_query(const char *s, struct parsed *pq)
{
    memset(pq, 0, sizeof *pq);
    size_t tl = 0;
    for (;;) {
        uint32_t c = utf8_next(&s);
        int l = c ? name_latin_letter(c) : 0;
        if (l == 1)
            continue;
        if (l > 1 && !(l >= '0' && l <= '9')) {
            if (pq->ntok < 16 && tl + 1 < sizeof pq->tok[0])
                pq->tok[pq->ntok][tl++] = (char)l;
            continue;
        }
        if (tl) {
            pq->tok[pq->ntok][tl] = 0;
            if (pq->npiece < 48)
                pq->piece[pq->npiece++] = pq->ntok;
            pq->ntok++;
            tl = 0;
        }
        if (!c)
            break;
        if (name_is_han(c) && pq->nhan < 32) {
            pq->han[pq->nhan] = name_fold(c);
            if (pq->npiece < 48)
                pq->piece[pq->npiece++] = -1 - pq->nhan;
            pq->nhan++;
        }
    }
}

/* Tokens from `from` on, joined without spaces, into out. */
static void join_tokens(const struct parsed *pq, int from, char *out, size_t n)
{
    out[0] = 0;
    for (int i = from; i < pq->ntok; i++)
        strncat(out, pq->tok[i], n - strlen(out) - 1);
}

/* n code points as UTF-8 into out. */
static void han_text(const uint32_t *c, int n, char *out, size_t size)
{
    size_t k = 0;
    for (int i = 0; i < n && k + 5 < size; i++)
        k += (size_t)utf8_put(out + k, c[i]);
    out[k] = 0;
}

/* Cantonese keys of Latin tokens from `from` on, into out; count. */
static int jyut_of_tokens(const struct parsed *pq, int from, char out[][NAME_KEY_MAX], int max)
{
    char toks[16 * 64];
    size_t k = 0;
    int nt = 0;
    for (int i = from; i < pq->ntok; i++) {
        size_t l = strlen(pq->tok[i]);
        memcpy(toks + k, pq->tok[i], l + 1);
        k += l + 1;
        nt++;
    }
    return nt ? jyut_canonical(toks, nt, out, max) : 0;
}

/* The surname's Cantonese in the K_JYUT form (each character's first reading). */
static int surname_jyut(const struct surname *sn, char *out, size_t n)
{
    out[0] = 0;
    for (const char *p = sn->han; *p;) {
        const char *r[1];
        if (name_jyut(utf8_next(&p), r, 1) != 1)
            return 0;
        strncat(out, r[0], n - strlen(out) - 1);
    }
    return 1;
}

/* The query read as Wade-Giles (Taiwan's passports: "Hsu", "Wang Chien-min"): pinyin
 * lookups ranked as candidates, when the reading differs from the letters typed. */
static void wade_probes(struct query *q, const struct parsed *pq, const char *all)
{
    char toks[16 * 64], wg[4][NAME_KEY_MAX], spelt[32] = "";
    size_t k = 0;
    for (int i = 0; i < pq->ntok; i++) {
        size_t l = strlen(pq->tok[i]), sl = strlen(spelt);
        memcpy(toks + k, pq->tok[i], l + 1);
        k += l + 1;
        if (sl + l + 2 < sizeof spelt)
            snprintf(spelt + sl, sizeof spelt - sl, "%s%c%s", i ? " " : "",
                     toupper((unsigned char)pq->tok[i][0]), pq->tok[i] + 1);
    }
    int nw = wade_pinyin(toks, pq->ntok, wg, 4);
    for (int i = 0; i < nw; i++) {
        if (!strcmp(wg[i], all))
            continue;
        for (int given = 0; given < 2; given++) {
            struct probe *p = add_probe(q, given ? K_PINYIN_GIVEN : K_PINYIN, wg[i]);
            if (!p)
                continue;
            p->via = msg_cur("威妥玛拼音");
            concat(p->spelt, sizeof p->spelt, "", spelt);
            p->exact = given ? 28 : 32;
            p->prefix = given ? 26 : 30;
            p->partial = p->prefix / 2;
        }
    }
}

/* Probes for a query of Latin letters only. */
static void latin_probes(struct query *q, const struct parsed *pq_in)
{
    /* Thai records write แซ่ (Sae) before the Teochew surname: "Sae Tang" is "Saetang". */
    struct parsed merged;
    const struct parsed *pq = pq_in;
    if (pq_in->ntok >= 2 && !strcmp(pq_in->tok[0], "sae") && strlen(pq_in->tok[1]) < 60) {
        merged = *pq_in;
        concat(merged.tok[0], sizeof merged.tok[0], "sae", pq_in->tok[1]);
        for (int i = 1; i + 1 < merged.ntok; i++)
            memcpy(merged.tok[i], pq_in->tok[i + 1], sizeof merged.tok[i]);
        merged.ntok--;
        pq = &merged;
    }
    char all[NAME_KEY_MAX], jy[4][NAME_KEY_MAX];
    join_tokens(pq, 0, all, sizeof all);
    add_probe(q, K_LATIN, all);
    add_probe(q, K_PINYIN, all);
    add_probe(q, K_PINYIN_GIVEN, all);
    if (strlen(all) >= 2 && strlen(all) <= 8) {
        add_probe(q, K_INITIALS, all);
        add_probe(q, K_INITIALS_GIVEN, all);
    }
    int nj = jyut_of_tokens(pq, 0, jy, 4);
    for (int i = 0; i < nj; i++) {
        add_probe(q, K_JYUT, jy[i]);
        add_probe(q, K_JYUT_GIVEN, jy[i]);
    }
    wade_probes(q, pq, all);

    /* A surname as a dialect group spells it, then the given name in pinyin or
     * Cantonese: the first token, or (without spaces) the start of the only one. */
    const char *first = pq->tok[0];
    size_t fl = strlen(first), from = pq->ntok > 1 || fl < 2 ? fl : 2, to = fl < 12 ? fl : 12;
    for (size_t l = from; l <= to; l++) {
        char sp[16];
        memcpy(sp, first, l);
        sp[l] = 0;
        struct surname_hit h[8];
        int nh = surname_spelled(sp, h, 8);
        char rest[NAME_KEY_MAX];
        concat(rest, sizeof rest, "", first + l);
        if (pq->ntok > 1)
            join_tokens(pq, 1, rest, sizeof rest);
        for (int i = 0; i < nh; i++) {
            if (!h[i].dialects)
                continue; /* pinyin and Hong Kong spellings have their own keys */
            if (!*rest) {
                char han[16];
                const char *p = h[i].s->han;
                concat(han, sizeof han, "", p);
                struct probe *c = add_probe(q, K_HAN, han);
                candidate(c, &h[i], sp, 30);
                /* The query is the surname alone (Tan, Lim, Ng, Sy): its people rank with
                 * the pinyin surname matches and above initials and given names. */
                if (c && pq->ntok == 1)
                    c->exact = c->prefix = c->partial = scores[K_PINYIN].prefix;
                continue;
            }
            char key[NAME_KEY_MAX], py[32] = "";
            for (const char *p = h[i].s->pinyin; *p; p++)
                if (*p != ' ' && strlen(py) + 1 < sizeof py)
                    strncat(py, p, 1);
            concat(key, sizeof key, py, rest);
            candidate(add_probe(q, K_PINYIN, key), &h[i], sp, 30);
            /* The given name in Cantonese after the surname's Hong Kong spelling. */
            char sj[32], gj[4][NAME_KEY_MAX];
            int ng = pq->ntok > 1 ? jyut_of_tokens(pq, 1, gj, 4) : jyut_canonical(rest, 1, gj, 4);
            for (int b = 0; b < ng && surname_jyut(h[i].s, sj, sizeof sj); b++) {
                concat(key, sizeof key, sj, gj[b]);
                candidate(add_probe(q, K_JYUT, key), &h[i], sp, 30);
            }
        }
    }
}

/* Probes for a query that mixes characters and Latin letters. */
static void mixed_probes(struct query *q, const struct parsed *pq)
{
    /* "tan 嘉庚": a surname in Latin letters, the rest in characters. */
    if (pq->piece[0] == 0 && pq->npiece > 1) {
        int rest_han = 1;
        for (int i = 1; i < pq->npiece; i++)
            rest_han &= pq->piece[i] < 0;
        struct surname_hit h[8];
        int nh = rest_han ? surname_spelled(pq->tok[0], h, 8) : 0;
        for (int i = 0; i < nh; i++) {
            char key[NAME_KEY_MAX], rest[NAME_KEY_MAX];
            han_text(pq->han, pq->nhan, rest, sizeof rest);
            concat(key, sizeof key, h[i].s->han, rest);
            struct probe *p = add_probe(q, K_HAN, key);
            if (p && !h[i].dialects) { /* the pinyin or Hong Kong spelling of the surname */
                p->surname = h[i].s;
                p->cantonese = h[i].cantonese && !h[i].pinyin;
                concat(p->spelt, sizeof p->spelt, "", pq->tok[0]);
                p->exact = 66;
                p->prefix = 60;
                p->partial = 60;
            } else {
                candidate(p, &h[i], pq->tok[0], 34);
            }
        }
    }
    /* Every character replaced by its readings ("陈 jiageng" -> "chenjiageng"): the name
     * must hold those characters. */
    const char *py[32][3];
    int npy[32];
    for (int i = 0; i < pq->nhan; i++) {
        npy[i] = name_pinyin(pq->han[i], py[i], 3);
        if (!npy[i])
            return;
    }
    for (int combo = 0; combo < 4; combo++) {
        char key[NAME_KEY_MAX] = "";
        int any_alt = 0, valid = 1;
        for (int i = 0; i < pq->npiece; i++) {
            int x = pq->piece[i];
            if (x >= 0) {
                strncat(key, pq->tok[x], sizeof key - strlen(key) - 1);
                continue;
            }
            int c = -1 - x, pick = 0;
            /* combination k takes the k-th reading of the first polyphonic character */
            if (combo && npy[c] > 1 && !any_alt) {
                pick = combo < npy[c] ? combo : 0;
                any_alt = pick > 0;
            }
            strncat(key, py[c][pick], sizeof key - strlen(key) - 1);
        }
        if (combo && !any_alt)
            valid = 0;
        if (!valid)
            break;
        struct probe *p = add_probe(q, K_PINYIN, key);
        if (p) {
            memcpy(p->need, pq->han, (size_t)(pq->nhan < 16 ? pq->nhan : 16) * sizeof *p->need);
            p->nneed = pq->nhan < 16 ? pq->nhan : 16;
        }
    }
}

/* The lookups for a parsed query, into q (none for a query without letters or
 * characters). */
static void build_probes(struct query *q, const struct parsed *pq)
{
    q->n = 0;
    if (pq->nhan && !pq->ntok) {
        char key[NAME_KEY_MAX];
        han_text(pq->han, pq->nhan, key, sizeof key);
        add_probe(q, K_HAN, key);
        add_probe(q, K_HAN_GIVEN, key);
    } else if (pq->ntok && !pq->nhan) {
        latin_probes(q, pq);
    } else if (pq->ntok && pq->nhan) {
        mixed_probes(q, pq);
    }
}

/* ---- running the probes ------------------------------------------------------------- */

/* One hit: the best reason a record matched. */
struct hit {
    const struct entity *ent;
    int64_t id;
    int score;
    int probe, kind;
    char key[NAME_KEY_MAX], field[32];
    char *name;   /* the title, malloc'd */
    json_t *rec;  /* the name fields' values, read when needed (why) */
    char *raw[8]; /* ... as stored, malloc'd: the name fields in declaration order */
};

#define HIT_SLOTS 4096 /* hash of (entity, id) -> hit index + 1 */

struct hits {
    struct hit *h;
    int n, cap;
    int rows; /* the rows the current probe read */
    int cut;  /* a probe stopped at its limit, or the candidates ran out: more may match */
    int slot[HIT_SLOTS];
};

static void free_hit(struct hit *h)
{
    free(h->name);
    json_decref(h->rec);
    for (int i = 0; i < 8; i++)
        free(h->raw[i]);
}

static void free_hits(struct hits *hs)
{
    for (int i = 0; i < hs->n; i++)
        free_hit(&hs->h[i]);
    free(hs->h);
}

/* The hit for (ent, id), or NULL; *slot gets where a new one goes. */
static struct hit *hit_find(struct hits *hs, const struct entity *ent, int64_t id, int *slot)
{
    unsigned h = (unsigned)((uint64_t)id * 2654435761u) ^ (unsigned)(uintptr_t)ent;
    for (;; h++) {
        int k = hs->slot[h % HIT_SLOTS];
        if (!k) {
            *slot = (int)(h % HIT_SLOTS);
            return NULL;
        }
        if (hs->h[k - 1].ent == ent && hs->h[k - 1].id == id)
            return &hs->h[k - 1];
    }
}

/* The name fields of a hit as JSON (parsed from the stored text once). */
static json_t *hit_rec(const struct entity *ent, char *const *raw)
{
    json_t *rec = json_object();
    int i = 0;
    for (const struct field *f = ent->fields; f->name && i < 8; f++) {
        if (!is_name_field(ent, f))
            continue;
        const char *t = raw[i++];
        json_t *v = !t ? NULL : f->type == FT_LIST ? json_loads(t, 0, NULL) : json_string(t);
        if (v)
            json_object_set_new(rec, f->name, v);
    }
    return rec;
}

/* Does some value of the name fields in rec start with the probe's surname and hold its
 * characters in order (compared folded)? */
static int holds(const json_t *rec, const struct probe *p)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)rec, key, v)
    {
        json_t *vals = json_is_array(v) ? v : NULL;
        size_t n = vals ? json_array_size(vals) : 1;
        for (size_t i = 0; i < n; i++) {
            json_t *x = vals ? json_array_get(vals, i) : v;
            if (!json_is_string(x))
                continue;
            uint32_t f[64];
            int nf = 0;
            const char *s = json_string_value(x);
            uint32_t c;
            while ((c = utf8_next(&s)) && nf < 64)
                if (name_is_han(c))
                    f[nf++] = name_fold(c);
            int ok = 1;
            if (p->surname) { /* the name starts with the surname */
                const char *sp = p->surname->han;
                int k = 0;
                while ((c = utf8_next(&sp)))
                    ok &= k < nf && f[k++] == c;
            }
            for (int j = 0, at = 0; ok && j < p->nneed; j++) {
                while (at < nf && f[at] != p->need[j])
                    at++;
                ok = at < nf;
                at++;
            }
            if (ok)
                return 1;
        }
    }
    return 0;
}

/* Does a prefix of length n of key end between two syllables of its kind? */
static int syllable_split(int kind, const char *key, size_t n);

/* The score of a hit through p on key; prefix hits pay for the syllable check only when
 * they could beat best. */
static int score_of(const struct probe *p, const char *key, int weak, int title_field, int best)
{
    int less = (weak ? 3 : 0) + (title_field ? 0 : 2);
    if (!strcmp(key, p->key))
        return p->exact - less;
    if (p->prefix - less <= best)
        return p->prefix - less;
    return (syllable_split(p->kind, key, strlen(p->key)) ? p->prefix : p->partial) - less;
}

/* The smallest UTF-8 string above every string that starts with k: the last code point
 * of k plus one (byte order is code point order). */
static void key_bound(const char *k, char *out, size_t n)
{
    const char *p = k, *last = k;
    uint32_t c = 0, prev;
    while ((prev = utf8_next(&p))) {
        c = prev;
        if (*p)
            last = p;
    }
    size_t head = (size_t)(last - k);
    if (head + 5 > n) {
        concat(out, n, "", k);
        return;
    }
    memcpy(out, k, head);
    c = c + 1 == 0xD800 ? 0xE000 : c + 1;
    out[head + (size_t)utf8_put(out + head, c)] = 0;
}

/* Fold the rows of probe p (number pi) into hs: keep each record's best reason. Returns
 * the last st_step result (DB_DONE when all went well). */
static int fold_rows(stmt *s, const struct entity *ent, const struct probe *p, int pi,
                     struct hits *hs)
{
    int rc;
    while ((rc = st_step(s)) == DB_ROW) {
        hs->rows++;
        int64_t id = st_int(s, "rid");
        const struct field *nf = name_field(ent, (int)st_int(s, "kfield"));
        const char *field = nf ? nf->name : ent->title, *key = st_text(s, "kkey");
        int slot = 0;
        struct hit *h = hit_find(hs, ent, id, &slot);
        int score = score_of(p, key, (int)st_int(s, "kweak"), !strcmp(field, ent->title),
                             h ? h->score : -1000);
        if (h && h->score >= score)
            continue;
        char *raw[8] = {0};
        int nraw = 0;
        for (const struct field *f = ent->fields; f->name && nraw < 8; f++)
            if (is_name_field(ent, f)) {
                raw[nraw++] = st_isnull(s, f->name) ? NULL : xstrdup(st_text(s, f->name));
            }
        if (p->surname || p->nneed) {
            json_t *rec = hit_rec(ent, raw);
            int ok = holds(rec, p);
            json_decref(rec);
            if (!ok) {
                for (int i = 0; i < nraw; i++)
                    free(raw[i]);
                continue;
            }
        }
        if (!h) {
            if (hs->n == hs->cap) {
                hs->cap = hs->cap ? 2 * hs->cap : 64;
                hs->h = xrealloc(hs->h, (size_t)hs->cap * sizeof *hs->h);
            }
            if (hs->n >= HIT_SLOTS / 2) { /* enough candidates for any limit */
                hs->cut = 1;
                for (int i = 0; i < nraw; i++)
                    free(raw[i]);
                continue;
            }
            h = &hs->h[hs->n++];
            memset(h, 0, sizeof *h);
            h->ent = ent;
            h->id = id;
            hs->slot[slot] = hs->n;
        }
        free_hit(h);
        h->name = NULL;
        h->rec = NULL;
        memcpy(h->raw, raw, sizeof raw);
        const char *title = NULL;
        int i = 0;
        for (const struct field *f = ent->fields; f->name && i < 8; f++)
            if (is_name_field(ent, f)) {
                if (!strcmp(f->name, ent->title))
                    title = raw[i];
                i++;
            }
        h->name = xstrdup(title ? title : "");
        h->score = score;
        h->probe = pi;
        h->kind = p->kind;
        concat(h->key, sizeof h->key, "", key);
        concat(h->field, sizeof h->field, "", field);
    }
    return rc;
}

/* Run every probe of q on ent's records in c's scope and fold the rows into hs. Each
 * probe is one key range read in key order and cut at limit rows, through the same
 * statement (the store caches it; PostgreSQL settles on one plan). org_first: the scope
 * is a small part of the tree, so read the first keys of each of its orgs from the
 * covering (entity, org_id, kind, key, ...) index, then their records. 0, or -1 on a
 * database error. */
static int run_probes(struct ent_ctx *c, const struct entity *ent, const struct query *q, int limit,
                      int org_first, struct hits *hs)
{
    buf sql = {0};
    json_t *scope = json_array();
    buf_puts(&sql, "SELECT k.record_id AS rid, k.field AS kfield, k.key AS kkey, k.weak AS kweak");
    for (const struct field *f = ent->fields; f->name; f++)
        if (is_name_field(ent, f))
            buf_printf(&sql, ", t.%s", f->name);
    if (org_first) /* CROSS JOIN keeps SQLite to that order; PostgreSQL plans from its stats */
        buf_printf(&sql,
                   " FROM (SELECT k.record_id, k.field, k.key, k.weak FROM \"org\" o CROSS "
                   "JOIN search_%s k WHERE o.path >= ? AND o.path < ? AND k.org_id = o.id AND "
                   "k.kind = ? AND k.key >= ? AND k.key < ? ORDER BY k.key LIMIT ?) k JOIN "
                   "\"%s\" t ON t.id = k.record_id WHERE t.deleted_at IS NULL",
                   ent->name, ent->name);
    else
        buf_printf(&sql,
                   " FROM search_%s k JOIN \"%s\" t ON t.id = k.record_id WHERE k.kind = ? AND "
                   "k.key >= ? AND k.key < ? AND t.deleted_at IS NULL",
                   ent->name, ent->name);
    ent_scope_sql(c, ent, &sql, scope);
    if (!org_first)
        buf_puts(&sql, " ORDER BY k.key LIMIT ?");
    char *to = NULL;
    if (org_first) {
        to = path_bound(c->a, c->scope_path);
    }
    int rc = DB_DONE;
    for (int pi = 0; pi < q->n && rc == DB_DONE; pi++) {
        const struct probe *p = &q->p[pi];
        char bound[NAME_KEY_MAX + 4];
        key_bound(p->key, bound, sizeof bound);
        json_t *binds = json_array();
        if (org_first) {
            json_array_append_new(binds, json_string(c->scope_path));
            json_array_append_new(binds, json_string(to));
        }
        json_t *range = json_pack("[i, s, s]", p->kind, p->key, bound);
        json_array_extend(binds, range);
        json_decref(range);
        if (org_first)
            json_array_append_new(binds, json_integer(limit));
        json_array_extend(binds, scope);
        if (!org_first)
            json_array_append_new(binds, json_integer(limit));
        stmt *s = db_prepare_json(c->db, buf_str(&sql), binds);
        json_decref(binds);
        hs->rows = 0;
        rc = s ? fold_rows(s, ent, p, pi, hs) : DB_ERROR;
        hs->cut |= hs->rows >= limit; /* a key range cut short: its records may go on */
        st_finalize(s);
    }
    buf_free(&sql);
    json_decref(scope);
    return rc == DB_DONE ? 0 : -1;
}

/* ---- why a hit matched -------------------------------------------------------------- */

struct find_show {
    int kind;
    const char *key;
    char show[NAME_KEY_MAX + 40];
    int found;
};

/* name_key_fn: remember the spaced reading of the key being looked for. */
static void find_show(void *arg, const struct name_key *k)
{
    struct find_show *f = arg;
    if (!f->found && k->kind == f->kind && !strcmp(k->key, f->key)) {
        concat(f->show, sizeof f->show, "", k->show);
        f->found = 1;
    }
}

/* The value of field that made key, and the key's spaced reading. */
static const char *value_of(struct hit *h, char *show, size_t n)
{
    if (!h->rec)
        h->rec = hit_rec(h->ent, h->raw);
    json_t *v = json_object_get(h->rec, h->field);
    size_t count = json_is_array(v) ? json_array_size(v) : 1;
    for (size_t i = 0; i < count; i++) {
        json_t *x = json_is_array(v) ? json_array_get(v, i) : v;
        if (!json_is_string(x))
            continue;
        struct find_show f = {.kind = h->kind, .key = h->key};
        name_keys_ex(json_string_value(x), key_flags(h->ent), find_show, &f);
        if (f.found) {
            concat(show, n, "", f.show);
            return json_string_value(x);
        }
    }
    concat(show, n, "", h->key);
    return h->name;
}

/* "闽南话/潮州话姓氏 Tan = 陈": how the probe's surname was spelt, appended to b. */
static void spelt_as(buf *b, const struct probe *p)
{
    int n = 0;
    for (int d = 0; d < D_ALL; d++)
        if (p->dialects & (1u << d))
            buf_printf(b, "%s%s", n++ ? "/" : "", msg_cur(dialect_label[d]));
    if (!n)
        buf_puts(b, p->cantonese ? msg_cur("粤语拼音") : msg_cur("拼音"));
    buf_printf(b, msg_cur("姓氏 %c%s = %s"), toupper((unsigned char)p->spelt[0]), p->spelt + 1,
               p->surname->han);
}

/* Why h matched, in the reader's language, for the answer's "match" (allocated from a). */
static char *why(struct hit *h, const struct probe *p, arena *a)
{
    const struct field *f = ent_field(h->ent, h->field);
    char show[NAME_KEY_MAX + 40];
    const char *value = value_of(h, show, sizeof show);
    buf b = {0};
    if (p->surname) {
        spelt_as(&b, p);
        buf_puts(&b, ", ");
    } else if (p->via) {
        buf_printf(&b, "%s %s, ", p->via, p->spelt);
    }
    int title = !strcmp(h->field, h->ent->title);
    switch (h->kind) {
    case K_HAN:
    case K_HAN_GIVEN:
    case K_LATIN:
        buf_printf(&b, "%s %s", msg_label(f->label), value);
        break;
    default:
        if (!title)
            buf_printf(&b, "%s %s, ", msg_label(f->label), value);
        if (h->kind == K_JYUT || h->kind == K_JYUT_GIVEN) /* as Hong Kong writes names */
            for (char *w = show; *w; w++)
                if (w == show || w[-1] == ' ')
                    *w = (char)toupper((unsigned char)*w);
        buf_printf(&b, "%s %s",
                   h->kind == K_JYUT || h->kind == K_JYUT_GIVEN           ? msg_cur("粤语拼音")
                   : h->kind == K_INITIALS || h->kind == K_INITIALS_GIVEN ? msg_cur("拼音首字母")
                                                                          : msg_cur("拼音"),
                   show);
        if (h->kind == K_INITIALS || h->kind == K_INITIALS_GIVEN)
            buf_printf(&b, " (%s)", h->key);
    }
    char *s = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return s;
}

/* Best first: higher score, then the shorter name, then the older record. */
static int cmp_hit(const void *x, const void *y)
{
    const struct hit *a = x, *b = y;
    if (a->score != b->score)
        return b->score - a->score;
    size_t la = strlen(a->name), lb = strlen(b->name);
    if (la != lb)
        return la < lb ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

json_t *search_run(struct ent_ctx *c, const char *q, const struct entity *const *ents, int limit,
                   struct verr *e)
{
    size_t len = utf8_len(q);
    if (!len)
        return verr_set(e, 400, "bad_request", "q", "请输入要搜索的名字 (q)"), NULL;
    if (len > 100)
        return verr_set(e, 400, "bad_request", "q", "搜索词太长 (最多 100 个字)"), NULL;
    struct parsed *pq = xmalloc(sizeof *pq);
    struct query *qr = xmalloc(sizeof *qr);
    parse_query(q, pq);
    build_probes(qr, pq);
    struct hits *hs = xcalloc(1, sizeof *hs); /* 16 KiB of slots: off the stack */
    json_t *res = NULL;
    int per_probe = limit + 10;
    /* A scope with under a quarter of the orgs: look up its orgs' keys (see run_probes). */
    int small_scope = 0;
    if (c->scope_path) {
        char *to = path_bound(c->a, c->scope_path);
        /* two counts over the org tree for every search: kept until the data changes */
        char key[300];
        int64_t in, all;
        snprintf(key, sizeof key, "search-scope:%s", c->scope_path);
        if (!db_memo_get(c->db, key, &in)) {
            in = db_int(c->db, 0, "SELECT count(*) FROM \"org\" WHERE path >= ? AND path < ?", "ss",
                        c->scope_path, to);
            db_memo_put(c->db, key, in);
        }
        if (!db_memo_get(c->db, "search-scope:", &all)) {
            all = db_int(c->db, 0, "SELECT count(*) FROM \"org\"", "");
            db_memo_put(c->db, "search-scope:", all);
        }
        small_scope = in * 4 < all;
    }
    db_plan_once(c->db, 1); /* one probe's plan fits every key (p99 on PostgreSQL: 18 -> 8 ms) */
    for (int i = 0; ents[i] && qr->n; i++)
        if (run_probes(c, ents[i], qr, per_probe, small_scope && (ents[i]->flags & EF_OWNED), hs)) {
            db_plan_once(c->db, 0);
            verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
            goto out;
        }
    db_plan_once(c->db, 0);
    if (hs->n)
        qsort(hs->h, (size_t)hs->n, sizeof *hs->h, cmp_hit);
    json_t *items = json_array();
    for (int i = 0; i < hs->n && i < limit; i++) {
        struct hit *h = &hs->h[i];
        json_array_append_new(items, json_pack("{s:s, s:I, s:s, s:s}", "type", h->ent->name, "id",
                                               (json_int_t)h->id, "name", h->name, "match",
                                               why(h, &qr->p[h->probe], c->a)));
    }
    /* more: some matches are not among the items (past the limit, or never read) */
    res = json_pack("{s:o, s:b}", "items", items, "more", hs->cut || hs->n > limit);
out:
    free_hits(hs);
    free(hs);
    free(pq);
    free(qr);
    return res;
}

/* The rows of ent whose party links name one of hits (items of search_run): each
 * FIELD_PARTY of ent by X_type and X_id, each party list (an FT_LIST with .party) by its
 * stored items. Appended to where as OR terms. */
static void match_parties(const struct entity *ent, json_t *hits, buf *where)
{
    size_t i;
    json_t *it;
    for (const struct field *f = ent->fields; f->name; f++) {
        if (f->type == FT_PARTY) {
            for (int k = 0; party_kinds[k].value; k++) {
                int n = 0;
                json_array_foreach(hits, i, it)
                {
                    if (strcmp(json_string_value(json_object_get(it, "type")),
                               party_kinds[k].value))
                        continue;
                    if (!n++)
                        buf_printf(where, " OR (t.%s = '%s' AND t.%.*s_id IN (", f->name,
                                   party_kinds[k].value, (int)strlen(f->name) - 5, f->name);
                    buf_printf(where, "%s%lld", n > 1 ? ", " : "",
                               (long long)json_integer_value(json_object_get(it, "id")));
                }
                if (n)
                    buf_puts(where, "))");
            }
        } else if (f->type == FT_LIST && f->party) {
            json_array_foreach(hits, i, it)
            {
                if (i >= 50) /* a LIKE each: the best 50 */
                    break;
                buf_printf(where, " OR t.%s LIKE '%%\"%s:%lld\"%%'", f->name,
                           json_string_value(json_object_get(it, "type")),
                           (long long)json_integer_value(json_object_get(it, "id")));
            }
        }
    }
}

/* The names a list's keyword takes from the name search: its best. */
#define LIST_NAMES 200

/* module.list_match, for a list's keyword: the records of a searched entity whose names the
 * name search finds (the best LIST_NAMES, in the reader's scope; c->names_cut when it
 * found more), so the list page's box finds 陈嘉庚 by "chen jiageng" as the header search
 * does; and, for a reader who may not open every record (ent_sees_parties), the rows whose
 * party links name a record the search finds for them, instead of the stored names. */
static void list_match(struct ent_ctx *c, const struct entity *ent, const char *q, buf *where)
{
    struct verr e = {0};
    size_t i, n = 0;
    json_t *it;
    if (ent->flags & EF_SEARCHED) {
        const struct entity *ents[2] = {ent, NULL};
        /* twice as many asked: a record has several keys in a probe's range, so a probe
         * cut at its rows holds fewer records than its limit */
        json_t *res = search_run(c, q, ents, 2 * LIST_NAMES, &e), *items;
        items = json_object_get(res, "items");
        json_array_foreach(items, i, it)
        {
            if (n == LIST_NAMES)
                break;
            buf_printf(where, "%s%lld", n++ ? ", " : " OR t.id IN (",
                       (long long)json_integer_value(json_object_get(it, "id")));
        }
        if (n)
            buf_putc(where, ')');
        if (json_array_size(items) > n || json_is_true(json_object_get(res, "more")))
            c->names_cut = (int)n;
        json_decref(res);
    }
    int links = 0;
    for (const struct field *f = ent->fields; f->name; f++)
        links |= f->type == FT_PARTY || (f->type == FT_LIST && f->party);
    if (!links || ent_sees_parties(c))
        return;
    const struct entity *ents[8];
    n = 0;
    for (int k = 0; party_kinds[k].value && n < 7; k++) {
        const struct entity *pe = searched(party_kinds[k].value);
        if (pe)
            ents[n++] = pe;
    }
    ents[n] = NULL;
    json_t *res = n ? search_run(c, q, ents, LIST_NAMES, &e) : NULL;
    if (res)
        match_parties(ent, json_object_get(res, "items"), where);
    json_decref(res);
}

/* ---- syllables ---------------------------------------------------------------------- */

static int syllable_split(int kind, const char *key, size_t n)
{
    if (kind == K_PINYIN || kind == K_PINYIN_GIVEN)
        return name_syllables(0, key, n) && name_syllables(0, key + n, strlen(key + n));
    if (kind == K_JYUT || kind == K_JYUT_GIVEN)
        return name_syllables(1, key, n) && name_syllables(1, key + n, strlen(key + n));
    return 1;
}

/* ---- the handler -------------------------------------------------------------------- */

/* Each hit's org and country ("org_name", "country": a person's residence_country, else the
 * record's country), so that namesakes can be told apart (陈志明 of 甲县 in Malaysia, 陈志明
 * of 乙县 in Singapore) and the results page can keep a country's: one query an entity. A
 * hit is in the reader's scope, so is its org. 0, or -1 on a database error. */
static int describe_hits(struct ent_ctx *c, json_t *items)
{
    size_t i;
    json_t *it;
    for (const struct entity *const *all = ent_all(); *all; all++) {
        const struct entity *ent = *all;
        if (!(ent->flags & EF_SEARCHED))
            continue;
        const struct field *f = ent_field(ent, "residence_country");
        if (!f)
            f = ent_field(ent, "country");
        json_t *at = json_object(); /* id -> its item */
        buf sql = {0};
        buf_printf(&sql,
                   "SELECT t.id, %s%s AS country, o.name AS org_name FROM \"%s\" t LEFT JOIN "
                   "\"org\" o ON o.id = t.org_id WHERE t.id IN (",
                   f ? "t." : "NULL", f ? f->name : "", ent->name);
        int n = 0;
        json_array_foreach(items, i, it)
        {
            if (strcmp(json_string_value(json_object_get(it, "type")), ent->name))
                continue;
            long long id = (long long)json_integer_value(json_object_get(it, "id"));
            buf_printf(&sql, "%s%lld", n++ ? ", " : "", id);
            json_object_set(at, arena_printf(c->a, "%lld", id), it);
        }
        buf_putc(&sql, ')');
        stmt *s = n ? db_prepare(c->db, buf_str(&sql)) : NULL;
        buf_free(&sql);
        int step = DB_DONE;
        while (s && (step = st_step(s)) == DB_ROW) {
            json_t *hit =
                json_object_get(at, arena_printf(c->a, "%lld", (long long)st_int(s, "id")));
            json_object_set_new(hit, "org_name",
                                st_isnull(s, "org_name") ? json_null()
                                                         : json_string(st_text(s, "org_name")));
            json_object_set_new(hit, "country",
                                st_isnull(s, "country") ? json_null()
                                                        : json_string(st_text(s, "country")));
        }
        st_finalize(s);
        json_decref(at);
        if ((n && !s) || step != DB_DONE)
            return -1;
    }
    return 0;
}

/* GET /api/v1/search?q=Q&types=person,association,enterprise&limit=N: the best N (the
 * header box's suggestions). With page, per_page, org_id (a subtree of the reader's
 * scope) or country: the results page, a page of the best 500 with their total. */
void search_h(struct req *r)
{
    const char *q = req_arg(r, "q"), *types = req_arg(r, "types"), *lim = req_arg(r, "limit");
    const char *pg = req_arg(r, "page"), *pp = req_arg(r, "per_page"), *org = req_arg(r, "org_id"),
               *country = req_arg(r, "country");
    static const char *const known[] = {"q",        "types",  "limit",   "page",
                                        "per_page", "org_id", "country", NULL};
    for (int i = 0; i < r->nargs; i++) {
        int ok = 0;
        for (int k = 0; known[k]; k++)
            ok |= !strcmp(r->args[i].key, known[k]);
        if (!ok) {
            reply_error(r, 400, "bad_request", r->args[i].key,
                        "不认识的参数“%s”, 可用: q、types、limit、page、per_page、org_id、country",
                        r->args[i].key);
            return;
        }
    }
    int64_t limit = 20, page = 1, per_page = 20, org_id = 0;
    if (lim && (!parse_i64(lim, &limit) || limit < 1 || limit > 100)) {
        reply_error(r, 400, "bad_request", "limit", "“limit”应为 1 到 100 之间的整数: “%s”", lim);
        return;
    }
    if (pg && (!parse_i64(pg, &page) || page < 1 || page > 25)) {
        reply_error(r, 400, "bad_request", "page", "“page”应为 1 到 25 之间的整数: “%s”", pg);
        return;
    }
    if (pp && (!parse_i64(pp, &per_page) || per_page < 1 || per_page > 100)) {
        reply_error(r, 400, "bad_request", "per_page", "“per_page”应为 1 到 100 之间的整数: “%s”",
                    pp);
        return;
    }
    if (country && !country_find(country)) {
        reply_error(r, 400, "bad_request", "country", "“country”不是国家或地区代码: “%s”", country);
        return;
    }
    int paged = pg || pp || org || country;
    if (org) { /* a subtree of the reader's: the search keeps to it as to a scope */
        struct verr oe;
        json_t *o = parse_i64(org, &org_id) && org_id > 0
                        ? ent_read(&r->ctx, entity_find("org"), org_id, 1, &oe)
                        : NULL;
        if (!o) {
            reply_error(r, 400, "bad_request", "org_id", "没有这个组织, 或不在您的范围内: “%s”",
                        org);
            return;
        }
        r->ctx.scope_path = arena_strdup(r->a, json_string_value(json_object_get(o, "path")));
        json_decref(o);
    }
    const struct entity *ents[8];
    int n = 0;
    buf every = {0}; /* no types: every searched entity */
    for (const struct entity *const *all = ent_all(); *all; all++)
        if ((*all)->flags & EF_SEARCHED)
            buf_printf(&every, "%s%s", every.len ? "," : "", (*all)->name);
    char *list = arena_strdup(r->a, types && *types ? types : buf_str(&every));
    buf_free(&every);
    for (char *t = list, *next; t; t = next) {
        next = strchr(t, ',');
        if (next)
            *next++ = 0;
        const struct entity *ent = searched(t);
        if (!ent) {
            buf kinds = {0};
            for (const struct entity *const *all = ent_all(); *all; all++)
                if ((*all)->flags & EF_SEARCHED)
                    buf_printf(&kinds, "%s%s", kinds.len ? "、" : "", (*all)->name);
            reply_error(r, 400, "bad_request", "types", "“types”没有“%s”这一类, 可选: %s", t,
                        buf_str(&kinds));
            buf_free(&kinds);
            return;
        }
        int dup = 0;
        for (int i = 0; i < n; i++)
            dup |= ents[i] == ent;
        if (ent && !dup && n < 7 && may(r->user, ent->module, P_VIEW))
            ents[n++] = ent;
    }
    ents[n] = NULL;
    char *trimmed = arena_strdup(r->a, q ? q : "");
    while (*trimmed == ' ' || *trimmed == '\t')
        trimmed++;
    for (size_t l = strlen(trimmed); l && (trimmed[l - 1] == ' ' || trimmed[l - 1] == '\t'); l--)
        trimmed[l - 1] = 0;
    struct verr e;
    json_t *res = search_run(&r->ctx, trimmed, ents, paged ? 500 : (int)limit, &e);
    if (!res) {
        reply_verr(r, &e);
        return;
    }
    json_t *items = json_object_get(res, "items");
    if (describe_hits(&r->ctx, items)) {
        json_decref(res);
        reply_error(r, 500, "internal", NULL, "数据库错误, 请稍后再试");
        return;
    }
    if (paged) {
        int capped = json_is_true(json_object_get(res, "more")); /* the best 500 only */
        if (country) { /* the hits whose record lies there (its described country) */
            json_t *kept = json_array(), *it;
            size_t i;
            json_array_foreach(items, i, it)
            {
                const char *in = json_string_value(json_object_get(it, "country"));
                if (in && !strcmp(in, country))
                    json_array_append(kept, it);
            }
            json_object_set_new(res, "items", kept);
            items = kept;
        }
        size_t total = json_array_size(items), from = (size_t)((page - 1) * per_page);
        json_t *slice = json_array();
        for (size_t i = from; i < total && i < from + (size_t)per_page; i++)
            json_array_append(slice, json_array_get(items, i));
        json_object_set_new(res, "items", slice);
        json_object_set_new(res, "total", json_integer((json_int_t)total));
        json_object_set_new(res, "page", json_integer(page));
        json_object_set_new(res, "per_page", json_integer(per_page));
        json_object_set_new(res, "more", json_boolean(capped));
    }
    reply_json(r, 200, res);
}

/* The name search: its endpoint, its key tables, and the keys of every write. */
const struct module search_module = {
    .name = "search",
    .routes =
        (const struct route[]){
            {"GET", "/api/v1/search", search_h, "registry", P_VIEW, 0},
            {NULL},
        },
    .sync = search_sync,
    .on_write = search_index,
    .list_match = list_match,
};
