/* import.c - census import (POST /api/v1/import/{entity}, `qiao import`): the header row
 * mapped to fields, every cell validated against the declaration (ent_value_text), every
 * record created with ent_create (the whole-record checks, hooks and the audit entry of
 * each record) inside one transaction that is committed only when every row passed; a
 * dry run does the same and rolls back. Likely duplicates are reported, not refused. */
#include "module.h"
#include "import.h"
#include "audit.h"
#include "cells.h"
#include "codes.h"
#include "country.h"
#include "dedup.h"
#include "search.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_REPORTED 1000 /* errors and duplicates listed in a report (counts are exact) */
#define HELD_ROWS    8192 /* new records held between two sends (ent_rows_send) */

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
    char *s = (char *)cell_clean(a, h, 1);
    s = arena_strdup(a, s);
    size_t n = strlen(s);
    for (;;) {
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '*'))
            s[--n] = 0;
        const char *tails[] = {"(必填)", "（必填）", "(选填)", "*", NULL};
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

/* Matchable: hidden fields never; read-only ones (编号, 创建时间 of an export) are
 * matched so that they can be reported as skipped. */
static const struct field *field_by_key(arena *a, const struct entity *ent, const char *key)
{
    for (const struct field *f = ent->fields; f->name; f++) {
        if (f->flags & FF_HIDDEN)
            continue;
        if (!strcmp(key, f->name) || !strcmp(key, cell_key(a, f->label.hans)) ||
            !strcmp(key, cell_key(a, f->label.hant)) || !strcmp(key, cell_key(a, f->label.en)))
            return f;
    }
    for (int pass = 0; pass < 2; pass++)
        for (const struct header_alias *h = header_aliases; h->header; h++) {
            if (pass == 0 ? !h->entity || strcmp(h->entity, ent->name) : h->entity != NULL)
                continue;
            const struct field *f = ent_field(ent, h->field);
            if (f && !(f->flags & FF_HIDDEN) && !strcmp(key, cell_key(a, h->header)))
                return f;
        }
    return NULL;
}

/* The field a header names: its name, a label in zh-Hans, zh-Hant or English, or a
 * synonym (import_names.c), compared without spaces, full-width forms or the difference
 * between traditional and simplified characters. A unit in brackets at the end
 * ("注册资本(万元)", "（元）") is dropped when the header does not match with it;
 * *scale is 4 when it says 万 (the money is in 万元), else 0. NULL when none. */
static const struct field *field_of_header(arena *a, const struct entity *ent, const char *h,
                                           int *scale)
{
    *scale = 0;
    char *key = cell_key(a, h);
    const struct field *f = field_by_key(a, ent, key);
    size_t n = strlen(key);
    if (f || !n || key[n - 1] != ')')
        return f;
    char *open = strrchr(key, '(');
    if (!open || open == key)
        return NULL;
    *scale = strstr(open, "万") ? 4 : 0;
    *open = 0;
    f = field_by_key(a, ent, key);
    if (!f || f->type != FT_MONEY)
        *scale = 0;
    return f;
}

/* Does key (cell_key) name one of the forms a label joins with '/' (夏令营/寻根之旅:
 * 夏令营 or 寻根之旅)? */
static int label_part(arena *a, const char *key, const char *label)
{
    const char *slash = strchr(label, '/');
    for (const char *p = label; slash; p = slash + 1, slash = strchr(p, '/'))
        if (!strcmp(key, cell_key(a, arena_strndup(a, p, (size_t)(slash - p)))))
            return 1;
    const char *last = strrchr(label, '/');
    return last && !strcmp(key, cell_key(a, last + 1));
}

/* One item of an enum or set cell as the value it names: the value itself, a label in
 * any language, a form a label joins with '/' (夏令营 of 夏令营/寻根之旅), or a short form
 * (import_names.c); the item unchanged when none. */
static const char *enum_item(arena *a, const struct field *f, const char *item)
{
    for (const struct enumval *ev = f->values; ev->value; ev++)
        if (!strcmp(item, ev->value) || !strcmp(item, ev->label.hans))
            return ev->value;
    const char *key = cell_key(a, item);
    for (const struct enumval *ev = f->values; ev->value; ev++)
        if (!strcmp(key, cell_key(a, ev->label.hans)) ||
            !strcmp(key, cell_key(a, ev->label.hant)) || !strcmp(key, cell_key(a, ev->label.en)))
            return ev->value;
    for (const struct enumval *ev = f->values; ev->value; ev++)
        if (label_part(a, key, ev->label.hans) || label_part(a, key, ev->label.hant))
            return ev->value;
    for (const struct value_alias *v = value_aliases; v->text; v++)
        if ((!v->field || !strcmp(v->field, f->name)) && !strcmp(key, cell_key(a, v->text)))
            for (const struct enumval *ev = f->values; ev->value; ev++)
                if (!strcmp(ev->value, v->value))
                    return ev->value;
    return item;
}

/* The next item of a cell that lists several, at *p (split at ';', ',' and '、'; '；' and
 * '，' are folded to them before), cleaned, from a ("" for an empty one); *p moves past it,
 * to NULL after the last. */
static const char *next_item(arena *a, char **p)
{
    char *s = *p, *r = strstr(s, "、");
    size_t n = strcspn(s, ";,");
    size_t len = r && (size_t)(r - s) < n ? (size_t)(r - s) : n;
    *p = s[len] ? s + len + (len == n ? 1 : 3) : NULL;
    return cell_clean(a, arena_strndup(a, s, len), 1);
}

/* An enum or set cell written with labels (男, 華僑, Cantonese) as the values the
 * declaration names: each item (split at ';', ',', '、' and, full-width folded before,
 * '；', '，') that names a value becomes it; anything else is left for validation to
 * judge. Allocated from a. */
static const char *enum_cell(arena *a, const struct field *f, const char *cell)
{
    if (!f->values)
        return cell;
    if (f->type != FT_SET) /* one value, whose label may hold a separator (I: 信息传输、…) */
        return enum_item(a, f, cell_clean(a, cell, 1));
    buf b = {0};
    for (char *p = arena_strdup(a, cell); p && *p;) {
        const char *item = next_item(a, &p);
        if (*item) {
            if (b.len)
                buf_putc(&b, ';');
            buf_puts(&b, enum_item(a, f, item));
        }
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
        why[n++] = msg_cur("证件号码相同");
    }
    if (name && *name && birth && *birth) {
        keys[n] = arena_printf(a, "N|%s|%s", dedup_fold(a, name), birth);
        why[n++] = msg_cur("姓名 (繁简归一) 和出生日期相同");
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

int field_is_code(const struct field *f)
{
    return f->type == FT_PHONE || !strcmp(f->name, "id_number") || !strcmp(f->name, "credit_code");
}

/* The 编号 cell of an export's totals row: 合计, 合計, Total. */
static int totals_row(arena *a, const char *cell)
{
    const char *k = cell_key(a, cell);
    return !strcmp(k, cell_key(a, "合计")) || !strcasecmp(k, "total");
}

struct col {
    const struct field *f; /* NULL: skipped */
    const char *header;    /* as written, cleaned */
    const char *skipped;   /* why a column is not imported (NULL when it is) */
    char name[4];          /* "A" */
    int scale;             /* money: 0 元, 4 万元 */
    int full;              /* fold all full-width forms, not only digits and letters */
    int code;              /* an ID number, credit code or phone: a number cell lost digits */
    int masked;            /* sensitive: a masked value from an export is refused */
    int by_name;           /* a region read by name; ancestral: the rest is the place */
    int ref_name;          /* "所属组织名称": the name beside a link's id (an export's) */
};

/* The link whose name column (an export's "所属组织名称", "申请人名称") the header key is. */
static const struct field *ref_name_field(arena *a, const struct entity *ent, const char *key)
{
    for (const struct field *f = ent->fields; f->name; f++)
        if (f->type == FT_REF && !(f->flags & FF_HIDDEN) &&
            (!strcmp(key, cell_key(a, ent_link_name_label(a, LANG_HANS, f))) ||
             !strcmp(key, cell_key(a, ent_link_name_label(a, LANG_HANT, f))) ||
             !strcmp(key, cell_key(a, ent_link_name_label(a, LANG_EN, f)))))
            return f;
    return NULL;
}

static void add_error(json_t *errs, int *count, int row, const struct col *cl, const char *value,
                      const struct verr *e)
{
    ++*count;
    if (json_array_size(errs) >= MAX_REPORTED)
        return;
    json_t *o = json_pack("{s:i, s:s, s:s}", "row", row, "code", e->code ? e->code : "invalid",
                          "message", e->msg);
    if (e->field[0])
        json_object_set_new(o, "field", json_string(e->field));
    else
        json_object_set_new(o, "field", json_null());
    json_object_set_new(o, "column", cl ? json_string(cl->name) : json_null());
    json_object_set_new(o, "header", cl ? json_string(cl->header) : json_null());
    json_object_set_new(o, "value", value ? json_string(value) : json_null());
    json_array_append_new(errs, o);
}

/* Is the row empty (every cell blank: ASCII spaces, U+3000, NBSP)? */
static int blank_row(const struct trow *r)
{
    for (int i = 0; i < r->n; i++)
        for (const unsigned char *p = (const unsigned char *)r->cells[i]; *p; p++) {
            if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
                p += 2;
            else if (p[0] == 0xC2 && p[1] == 0xA0)
                p += 1;
            else if (!isspace(*p))
                return 0;
        }
    return 1;
}

/* A mapping's entry for a header cell (as written, cleaned, or its column letter). */
static json_t *mapped(json_t *mapping, const char *raw, const char *clean, const char *letter)
{
    if (!mapping)
        return NULL;
    json_t *m = json_object_get(mapping, raw);
    if (!m)
        m = json_object_get(mapping, clean);
    if (!m && letter)
        m = json_object_get(mapping, letter);
    return m;
}

/* How many cells of r name a field (or a header of mapping). */
static int field_cells(arena *a, const struct entity *ent, const struct trow *r, json_t *mapping)
{
    int n = 0, scale;
    for (int i = 0; i < r->n; i++) {
        if (!*r->cells[i])
            continue;
        const char *h = clean_header(a, r->cells[i]);
        json_t *m = mapped(mapping, r->cells[i], h, NULL);
        if ((m && json_is_string(m) && *json_string_value(m)) ||
            (*h && field_of_header(a, ent, h, &scale)))
            n++;
    }
    return n;
}

/* The header row: the first row (of the first 50 that are not blank) whose cells name
 * fields, so that title rows, merged or not, above it are skipped; without one, the
 * first row that is not blank (its headers are then reported as unknown). -1: none. */
static int find_header(arena *a, const struct entity *ent, struct table *t, json_t *mapping)
{
    int first = -1, seen = 0;
    struct trow *r;
    for (int i = 0; (r = table_row(t, i)) && seen < 50; i++) {
        if (blank_row(r))
            continue;
        seen++;
        if (first < 0)
            first = i;
        if (field_cells(a, ent, r, mapping))
            return i;
    }
    return first;
}

/* An 18-digit resident ID number that ends in 0s and fails its check: a number Excel
 * rounded to 15 digits, then written out in full. */
static int rounded_id(const char *s)
{
    size_t n = strlen(s);
    if (n != 18 || strspn(s, "0123456789") != 18 || strcmp(s + 15, "000"))
        return 0;
    char birth[11];
    const char *why;
    return !resident_id_valid(s, birth, &why);
}

/* Per import: names already looked up (countries, regions), as index + 1, 0 unknown,
 * -1 none; records named in the importer's scope ("entity|name": the id). */
struct lookups {
    struct keymap countries, regions, records;
    struct ent_ctx *c;
    int csv; /* a CSV file: a leading apostrophe before = + - @ is an export's (esc_csv) */
};

/* A cell as the export wrote it before neutralising a formula: a CSV cell "'+86 ..." is
 * "+86 ...". */
static const char *unneutral(const struct lookups *lk, const char *cell)
{
    return lk->csv && cell[0] == '\'' && cell[1] && strchr("=+-@", cell[1]) ? cell + 1 : cell;
}

/* The live records of re in the importer's scope whose title is name: their ids into
 * ids[] (up to max), the number found (up to max + 1 reported as more). -1 with ve on a
 * database error. */
static int records_named(struct ent_ctx *c, const struct entity *re, const char *name, int64_t *ids,
                         int max, struct verr *ve)
{
    buf sql = {0};
    json_t *binds = json_array();
    buf_printf(&sql, "SELECT t.id FROM \"%s\" t WHERE t.deleted_at IS NULL AND t.%s = ?", re->name,
               re->title);
    json_array_append_new(binds, json_string(name));
    ent_scope_sql(c, re, &sql, binds);
    buf_printf(&sql, " ORDER BY t.id LIMIT %d", max + 1);
    stmt *s = db_prepare_json(c->db, buf_str(&sql), binds);
    buf_free(&sql);
    json_decref(binds);
    int n = 0, rc = DB_ERROR;
    while (s && (rc = st_step(s)) == DB_ROW)
        if (n < max)
            ids[n++] = st_int(s, "id");
        else
            n++;
    st_finalize(s);
    if (rc != DB_DONE)
        return verr_set(ve, 500, "internal", NULL, "数据库错误, 请稍后再试");
    return n;
}

/* "编号 3、编号 7" of the first n ids (at most 5), and "等" when there are more. */
static const char *id_list(arena *a, const int64_t *ids, int n)
{
    buf b = {0};
    for (int i = 0; i < n && i < 5; i++)
        buf_printf(&b, "%s%s", i ? msg_cur("、") : "",
                   arena_printf(a, msg_cur("编号 %lld"), (long long)ids[i]));
    if (n > 5)
        buf_puts(&b, msg_cur(" 等"));
    const char *r = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return r;
}

/* The record of re in the importer's scope that name names, as people write a link in a
 * sheet (所属组织 = 云溪县归国华侨联合会): exactly one, else a row error on field (header
 * as the column says) naming what was found. The id, or 0 with ve. */
static int64_t ref_by_name(struct lookups *lk, const struct entity *re, const char *field,
                           const char *header, const char *name, arena *a, struct verr *ve)
{
    const char *key = arena_printf(a, "%s|%s", re->name, name);
    int64_t *slot = km_slot(&lk->records, key, 1);
    if (*slot > 0)
        return *slot;
    int64_t ids[6];
    int n = records_named(lk->c, re, name, ids, 5, ve);
    if (n < 0)
        return 0;
    if (n == 1)
        return *slot = ids[0];
    if (n == 0)
        verr_set(ve, 422, "invalid", field, "“%s”: 找不到名为“%s”的%s (或不在您的权限范围内)",
                 header, name, msg_label(re->label));
    else
        verr_set(ve, 422, "ambiguous", field, "“%s”: 名为“%s”的%s有 %s%d 个 (%s), 请改填编号",
                 header, name, msg_label(re->label), n > 5 ? msg_cur("超过 ") : "", n > 5 ? 5 : n,
                 id_list(a, ids, n));
    return 0;
}

/* The records of the kinds in mask (PT_ bits; only `kind` when it is given) in the
 * importer's scope whose title is name: the number found, the first one's kind and id
 * into *fkind, *fid when exactly one, and what was found ("侨界人士 编号 3、编号 7; 侨团
 * 编号 2") into what. -1 with ve on a database error. */
static int named_party(struct ent_ctx *c, unsigned mask, const char *kind, const char *name,
                       arena *a, const char **fkind, int64_t *fid, buf *what, struct verr *ve)
{
    int nfound = 0;
    for (int i = 0; party_kinds[i].value; i++) {
        const struct entity *re = entity_find(party_kinds[i].value);
        if (!re || !(mask & (1u << i)) || (kind && strcmp(kind, re->name)))
            continue;
        int64_t ids[6];
        int n = records_named(c, re, name, ids, 5, ve);
        if (n < 0)
            return -1;
        if (n && what)
            buf_printf(what, "%s%s %s", what->len ? "; " : "", msg_label(re->label),
                       id_list(a, ids, n));
        if (n == 1 && !nfound)
            *fid = ids[0], *fkind = re->name;
        nfound += n;
    }
    return nfound;
}

/* A party link (FIELD_PARTY) given by its name alone (捐赠人 = 陈嘉庚), or with its kind
 * and name: the one record of the kinds the field allows (or the kind given) in the
 * importer's scope that bears the name becomes X_type and X_id; none, where the field
 * allows a bare name, is the bare name; none otherwise, or several, is an error naming
 * what was found. 0, or -1 with ve. */
static int party_by_name(struct lookups *lk, const struct field *f, json_t *body, arena *a,
                         struct verr *ve)
{
    const struct field *fid = f + 1, *fname = f + 2;
    const char *kind = json_string_value(json_object_get(body, f->name));
    const char *name = json_string_value(json_object_get(body, fname->name));
    json_t *idv = json_object_get(body, fid->name);
    if (!name || (idv && !json_is_null(idv)) || (kind && !strcmp(kind, "name")))
        return 0;
    int64_t found = 0;
    buf what = {0};
    int nfound = named_party(lk->c, f->party, kind, name, a, &kind, &found, &what, ve);
    int rc = nfound < 0 ? -1 : 0;
    if (nfound == 1) {
        json_object_set_new(body, f->name, json_string(kind));
        json_object_set_new(body, fid->name, json_integer(found));
    } else if (nfound == 0 && !kind && (f->party & PT_NAME)) {
        json_object_set_new(body, f->name, json_string("name"));
    } else if (nfound == 0) {
        rc = verr_set(ve, 422, "invalid", fname->name,
                      "“%s”: 找不到名为“%s”的记录 (或不在您的权限范围内)", msg_label(fname->label),
                      name);
    } else if (nfound > 1) {
        rc =
            verr_set(ve, 422, "ambiguous", fname->name,
                     "“%s”: 名为“%s”的记录有 %d 个 (%s), 请填写“%s”和“%s”", msg_label(fname->label),
                     name, nfound, buf_str(&what), msg_label(f->label), msg_label(fid->label));
    }
    buf_free(&what);
    return rc;
}

unsigned list_kinds(const struct field *f)
{
    for (int i = 0; !f->party && f->ref && party_kinds[i].value; i++)
        if (!strcmp(party_kinds[i].value, f->ref))
            return 1u << i;
    return f->party;
}

int list_named(struct ent_ctx *c, const struct field *f, const char *name)
{
    const char *kind;
    int64_t id;
    struct verr ve;
    arena *a = arena_new();
    int n = named_party(c, list_kinds(f), NULL, name, a, &kind, &id, NULL, &ve);
    arena_free(a);
    return n;
}

/* A list of free text as people write one: its items between ';', '；' or '、', written
 * with ';' between them. From a. */
static const char *list_items(arena *a, const char *cell)
{
    buf b = {0};
    for (const char *p = cell; *p; p++) {
        if (!strncmp(p, "；", 3) || !strncmp(p, "、", 3)) {
            buf_putc(&b, ';');
            p += 2;
        } else {
            buf_putc(&b, *p);
        }
    }
    const char *r = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return r;
}

/* Is the record that item ("person:61", or an id of f->ref) names, where the reader may
 * see it, called name? 0 (also when it cannot be read: the record's checks say why), or
 * -1 with ve naming both names. */
static int link_names(struct lookups *lk, const struct field *f, const char *header,
                      const char *name, const char *item, arena *a, struct verr *ve)
{
    const char *colon = strchr(item, ':');
    const struct entity *re =
        entity_find(colon ? arena_strndup(a, item, (size_t)(colon - item)) : f->ref);
    int64_t id;
    struct verr e2;
    json_t *r =
        re && parse_i64(colon ? colon + 1 : item, &id) ? ent_read(lk->c, re, id, 0, &e2) : NULL;
    const char *title = r ? json_string_value(json_object_get(r, re->title)) : NULL;
    int rc = 0;
    if (title && strcmp(title, name))
        rc = verr_set(ve, 422, "invalid", f->name, "“%s”: %s 是“%s”, 不是“%s”; 请核对姓名或编号",
                      header, item, title, name);
    json_decref(r);
    return rc;
}

/* A list of links in a cell (a contact's 联络对象: "person:12", a visit's 走访对象: ids of
 * people), its items split at ';', ',', '、' (full-width folded before): an item that is
 * not a "kind:id" or an id is the name of the one record in the importer's scope of the
 * kinds the field allows, as the export writes them (陈嘉庚;新加坡福建会馆), or a name with
 * the id of its record in brackets (陈伟雄(person:61)). The cell with its items as ids
 * (from a), or NULL with ve naming the item not found, found twice or not so named. */
static const char *links_by_name(struct lookups *lk, const struct field *f, const char *header,
                                 const char *cell, arena *a, struct verr *ve)
{
    unsigned mask = list_kinds(f);
    buf b = {0};
    const char *res = NULL;
    for (char *p = arena_strdup(a, cell); p && *p;) {
        const char *item = next_item(a, &p);
        if (!*item)
            continue;
        /* a name borne by several, with the record's id as the export writes it:
         * 陈伟雄(person:61); the name must be that record's */
        size_t n = strlen(item);
        const char *open = n && item[n - 1] == ')' ? strrchr(item, '(') : NULL, *named = NULL;
        if (open && open > item) {
            named = cell_clean(a, arena_strndup(a, item, (size_t)(open - item)), 1);
            item = arena_strndup(a, open + 1, n - (size_t)(open - item) - 2);
        }
        const char *colon = strchr(item, ':');
        if (strspn(colon ? colon + 1 : item, "0123456789") == strlen(colon ? colon + 1 : item)) {
            if (named && link_names(lk, f, header, named, item, a, ve))
                goto out;
            buf_printf(&b, "%s%s", b.len ? ";" : "", item); /* an id: checked as written */
            continue;
        }
        const char *kind = NULL;
        int64_t id = 0;
        /* found before in this import: the id and, in its low 3 bits, the kind */
        int64_t *slot = km_slot(&lk->records, arena_printf(a, "L%u|%s", mask, item), 1);
        for (int k = 0; *slot > 0 && party_kinds[k].value; k++)
            if ((*slot & 7) == k)
                kind = party_kinds[k].value, id = *slot >> 3;
        if (!id) {
            buf what = {0};
            int nfound = named_party(lk->c, mask, NULL, item, a, &kind, &id, &what, ve);
            if (nfound == 0)
                verr_set(ve, 422, "invalid", f->name,
                         "“%s”: 找不到名为“%s”的记录 (或不在您的权限范围内)", header, item);
            else if (nfound > 1)
                verr_set(ve, 422, "ambiguous", f->name,
                         "“%s”: 名为“%s”的记录有 %d 个 (%s), 请改填 %s", header, item, nfound,
                         buf_str(&what),
                         f->party ? msg_cur("类型:编号 (如 person:12)") : msg_cur("编号"));
            buf_free(&what);
            if (nfound != 1)
                goto out;
            for (int k = 0; party_kinds[k].value; k++)
                if (!strcmp(party_kinds[k].value, kind))
                    *slot = id << 3 | k;
        }
        if (f->party)
            buf_printf(&b, "%s%s:%lld", b.len ? ";" : "", kind, (long long)id);
        else
            buf_printf(&b, "%s%lld", b.len ? ";" : "", (long long)id);
    }
    res = arena_strdup(a, buf_str(&b));
out:
    buf_free(&b);
    return res;
}

/* Read one cell of column cl into body (nothing for an empty cell): cleaned, refused
 * when it is a number that lost digits or a masked value, else read as people write it
 * (cells.h) and validated against the declaration. 0, or -1 with ve. */
static int read_cell(const struct entity *ent, const struct col *cl, const char *raw, int numeric,
                     json_t *body, struct lookups *lk, arena *a, struct verr *ve)
{
    const struct field *f = cl->f;
    const char *cell = unneutral(lk, cell_clean(a, raw, cl->full));
    if (!*cell)
        return 0;
    if (cl->code &&
        (numeric == 1 || cell_sci(cell) || (!strcmp(f->name, "id_number") && rounded_id(cell))))
        return verr_set(ve, 422, "number_lost", f->name,
                        "%s被存成了数字 (%s), %s, 请把该列设为文本后重新填写", cl->header, cell,
                        f->type == FT_PHONE ? msg_cur("开头的 0 或 + 已丢失")
                                            : msg_cur("后几位已丢失"));
    if (cl->masked && cell_masked(cell))
        return verr_set(ve, 422, "masked", f->name,
                        "%s “%s” 是导出时遮盖的值, 不能导入: 请填写完整的值, 或删去该列",
                        cl->header, cell);
    char tmp[48], date[20], phone[40];
    const char *given = cell;
    json_t *v = NULL;
    int rc;
    switch (f->type) {
    case FT_DATE:
        if (numeric == 2)
            cell = arena_strndup(a, cell, 10); /* a date cell; a date field keeps its day */
        else if (numeric == 1 && xlsx_serial_date(strtod(cell, NULL), date) == 0)
            cell = arena_strdup(a, date);
        else if (cell_date(cell, date))
            cell = arena_strdup(a, date);
        break;
    case FT_DATETIME:
        if (numeric == 1 && xlsx_serial_datetime(strtod(cell, NULL), date) == 0)
            cell = arena_strdup(a, date);
        if (strlen(cell) == 10 && cell[4] == '-')
            cell = arena_printf(a, "%s 00:00:00", cell); /* a date cell: midnight */
        break;
    case FT_MONEY: {
        if (numeric == 1 && cell_number_text(cell, tmp) == 0)
            cell = tmp;
        int64_t fen;
        const char *why;
        if (cell_money(cell, cl->scale, &fen, &why))
            return verr_set(ve, 422, "invalid", f->name, "“%s”%s: “%s”", cl->header, why, given);
        json_t *j = json_integer(fen);
        rc = ent_value(f, j, &v, ve);
        json_decref(j);
        if (rc)
            return -1;
        json_object_set_new(body, f->name, v);
        return 0;
    }
    case FT_PHONE:
        if (cell_phone(cell, phone))
            cell = arena_strdup(a, phone);
        break;
    case FT_COUNTRY: {
        int64_t *slot = km_slot(&lk->countries, cell, 1);
        if (!*slot) {
            const char *code = cell_country(cell);
            const struct country *k = code ? country_find(code) : NULL;
            *slot = k ? (int64_t)(k - countries) + 1 : -1;
        }
        if (*slot > 0)
            cell = countries[*slot - 1].code;
        break;
    }
    case FT_REGION: {
        if (strspn(cell, "0123456789") == strlen(cell))
            break;
        /* cached: the region's index + 1 and, above 16 bits, where the rest begins */
        int64_t *slot = km_slot(&lk->regions, cell, 1);
        if (!*slot) {
            const char *rest0;
            const struct region *r0 = cell_region(cell, &rest0);
            *slot = r0 ? ((int64_t)(rest0 - cell) << 16) | (int64_t)(r0 - regions + 1) : -1;
        }
        const struct region *r = *slot > 0 ? &regions[(*slot & 0xFFFF) - 1] : NULL;
        const char *rest = r ? cell + (*slot >> 16) : cell;
        if (r && !*rest) {
            cell = r->code;
            break;
        }
        if (!cl->by_name) /* a region field that must name one region, whole */
            return verr_set(ve, 422, "invalid", f->name,
                            "“%s”: “%s”不是一个行政区划的名称或代码, 应如“广东省江门市”或 440700",
                            cl->header, given);
        /* 祖籍: the region it starts with, the rest (or all of it) the place */
        const struct field *pf = ent_field(ent, "ancestral_place");
        if (pf && *rest) {
            json_t *pv;
            const char *old = json_string_value(json_object_get(body, "ancestral_place"));
            if (ent_value_text(pf, old ? arena_printf(a, "%s%s", rest, old) : rest, &pv, ve))
                return -1;
            json_object_set_new(body, "ancestral_place", pv);
        }
        if (!r)
            return 0;
        cell = r->code;
        break;
    }
    case FT_ENUM:
    case FT_SET:
    case FT_PARTY:
        cell = enum_cell(a, f, cell);
        break;
    case FT_LIST:
        if ((f->party || f->ref) && !(cell = links_by_name(lk, f, cl->header, cell, a, ve)))
            return -1;
        if (!f->party && !f->ref) /* 张三、李四; 甲会；乙会 (not ',': "TAN, Kah Kee" is one) */
            cell = list_items(a, cell);
        break;
    case FT_REF: /* by id, or by the name of one record in the importer's scope */
        if (strspn(cell, "0123456789") != strlen(cell)) {
            int64_t id = ref_by_name(lk, entity_find(f->ref), f->name, cl->header, cell, a, ve);
            if (!id)
                return -1;
            json_object_set_new(body, f->name, json_integer(id));
            return 0;
        }
        break;
    default:
        break;
    }
    if (ent_value_text(f, cell, &v, ve)) {
        if (strcmp(cell, given)) { /* the message names the value read; say what was written */
            size_t n = strlen(ve->msg);
            snprintf(ve->msg + n, sizeof ve->msg - n, msg_cur(" (表格中为“%s”)"), given);
        }
        return -1;
    }
    if (!strcmp(f->name, "ancestral_place")) { /* after a 祖籍 column's rest */
        const char *before = json_string_value(json_object_get(body, f->name));
        if (before && json_is_string(v)) {
            json_t *joined = json_string(arena_printf(a, "%s%s", before, json_string_value(v)));
            json_decref(v);
            v = joined;
        }
    }
    json_object_set_new(body, f->name, v);
    return 0;
}

/* A value as the report shows it: masked when the field is sensitive and c may not see
 * it in clear (a new reference). */
static json_t *shown(struct ent_ctx *c, const struct field *f, json_t *v, arena *a)
{
    if (!v)
        return json_null();
    if ((f->flags & FF_SENSITIVE) && json_is_string(v) && !(c->may_unmask && c->unmask))
        return json_string(mask_value(a, json_string_value(v)));
    return json_incref(v);
}

/* The report's entry of a row that updates record id: {row, id, changed, changes:
 * [{field, label, from, to}]} (changes empty when the row matches the record). */
static json_t *update_entry(struct ent_ctx *c, const struct entity *ent, int row, int64_t id,
                            json_t *old, json_t *diff, arena *a)
{
    json_t *ch = json_array();
    for (const struct field *f = ent->fields; f->name; f++) {
        json_t *to = json_object_get(diff, f->name);
        if (to)
            json_array_append_new(ch, json_pack("{s:s, s:s, s:o, s:o}", "field", f->name, "label",
                                                msg_label(f->label), "from",
                                                shown(c, f, json_object_get(old, f->name), a), "to",
                                                shown(c, f, to, a)));
    }
    return json_pack("{s:i, s:I, s:b, s:o}", "row", row, "id", (json_int_t)id, "changed",
                     json_array_size(ch) > 0, "changes", ch);
}

/* The counts a held record refused when written (ent_rows_flush) moves to the errors. */
struct refused {
    json_t *errs;
    int *nerr, *okrows, *err_rows;
};

/* ent_rows_flush's bad: the row (its tag; negative when it was refused already) gets the
 * error. */
static void refused_row(void *arg, int tag, const struct verr *ve)
{
    struct refused *r = arg;
    add_error(r->errs, r->nerr, tag < 0 ? -tag : tag, NULL, NULL, ve);
    if (tag > 0)
        --*r->okrows, ++*r->err_rows;
}

json_t *import_table(struct ent_ctx *c, const struct entity *ent, struct table *t, json_t *mapping,
                     int dry_run, import_progress_fn progress, void *parg, int *ok, struct verr *e)
{
    *ok = 0;
    if (mapping && !json_is_object(mapping)) {
        verr_set(e, 400, "bad_mapping", "mapping", "“mapping”应为 JSON 对象 {表头: 字段名}");
        return NULL;
    }
    int hdr = find_header(t->a, ent, t, mapping);
    if (hdr < 0) {
        verr_set(e, 422, "empty", NULL, "文件里没有表头行");
        return NULL;
    }
    struct trow *h = table_row(t, hdr); /* until the first data row is read */
    int ncol = h->n, hnum = h->num;
    struct col *cols = arena_alloc(t->a, (size_t)(ncol ? ncol : 1) * sizeof *cols);
    json_t *headers = json_array(), *ignored = json_array();
    int mapped_n = 0;
    struct lookups lk = {.countries = {.a = t->a},
                         .regions = {.a = t->a},
                         .records = {.a = t->a},
                         .c = c,
                         .csv = !t->xlsx};
    for (int i = 0; i < ncol; i++) {
        struct col *cl = &cols[i];
        cl->header = clean_header(t->a, h->cells[i]);
        xlsx_col_name(i + 1, cl->name);
        json_t *m = mapped(mapping, h->cells[i], cl->header, cl->name);
        if (m && !json_is_null(m) && !json_is_string(m)) {
            verr_set(e, 400, "bad_mapping", "mapping", "“mapping”中“%s”的值应为字段名", cl->header);
            goto fail;
        }
        if (m) {
            const char *fname = json_string_value(m);
            if (fname && *fname) {
                cl->f = ent_field(ent, fname);
                if (!cl->f || (cl->f->flags & FF_HIDDEN) ||
                    ((cl->f->flags & FF_READONLY) && strcmp(fname, "id"))) { /* 编号: updates */
                    verr_set(e, 400, "bad_mapping", "mapping", "%s没有可导入的字段“%s”",
                             msg_label(ent->label), fname);
                    goto fail;
                }
                field_of_header(t->a, ent, cl->header, &cl->scale);
                if (cl->f->type != FT_MONEY)
                    cl->scale = 0;
            } else {
                cl->skipped = msg_cur("按字段对应设为不导入");
            }
        } else if (*cl->header) {
            cl->f = field_of_header(t->a, ent, cl->header, &cl->scale);
            if (!cl->f && (cl->f = ref_name_field(t->a, ent, cell_key(t->a, cl->header))))
                cl->ref_name = 1;
            if (cl->f && !strcmp(cl->f->name, "id")) {
                /* 编号: the rows that have one update those records */
            } else if (cl->f && (cl->f->flags & FF_READONLY)) {
                cl->skipped =
                    arena_printf(t->a, msg_cur("“%s”由系统填写, 不导入"), msg_label(cl->f->label));
                cl->f = NULL; /* 编号, 创建时间 ... of an export: skipped */
            } else if (!cl->f) {
                cl->skipped = msg_cur("表头不是可识别的字段名或标题");
                const char *key = cell_key(t->a, cl->header);
                if (!strcmp(key, cell_key(t->a, "问题")) ||
                    !strcmp(key, cell_key(t->a, msg(LANG_EN, "问题")))) /* 問題 folds to 问题 */
                    cl->skipped = msg_cur("上次试导入时写下的问题说明, 不导入");
                for (const struct field *f = ent->computed; f && f->name; f++)
                    if (!strcmp(key, f->name) || !strcmp(key, cell_key(t->a, f->label.hans)) ||
                        !strcmp(key, cell_key(t->a, f->label.hant)) ||
                        !strcmp(key, cell_key(t->a, f->label.en)))
                        cl->skipped = arena_printf(t->a, msg_cur("“%s”由系统计算, 不导入"),
                                                   msg_label(f->label));
            }
        } else {
            cl->skipped = msg_cur("没有表头");
        }
    }
    int id_col = -1;
    for (int i = 0; i < ncol; i++) {
        struct col *cl = &cols[i];
        /* a link's name column beside its id column: the id is read, the name skipped */
        for (int j = 0; cl->f && cl->ref_name && j < ncol; j++)
            if (j != i && cols[j].f == cl->f && !cols[j].ref_name) {
                cl->f = NULL;
                cl->skipped = arena_printf(t->a, msg_cur("与%s列“%s”重复, 按编号导入"),
                                           cols[j].name, cols[j].header);
            }
        if (cl->f && !strcmp(cl->f->name, "id"))
            id_col = i;
        for (int j = 0; cl->f && j < i; j++)
            if (cols[j].f == cl->f) {
                verr_set(e, 422, "bad_mapping", cl->f->name, "“%s”对应了两列 (%s 和 %s)",
                         msg_label(cl->f->label), cols[j].name, cl->name);
                goto fail;
            }
        if (cl->f) {
            const struct field *f = cl->f;
            cl->code = field_is_code(f);
            cl->masked = cl->code || (f->flags & FF_SENSITIVE);
            cl->full = cl->code || !(f->type == FT_TEXT || f->type == FT_TEXTAREA ||
                                     (f->type == FT_LIST && !f->party && !f->ref));
            cl->by_name = !strcmp(f->name, "ancestral_region_code");
        }
        mapped_n += cl->f != NULL;
        json_array_append_new(headers,
                              json_pack("{s:s, s:s, s:s?, s:s?}", "column", cl->name, "header",
                                        h->cells[i], "field", cl->f ? cl->f->name : NULL, "label",
                                        cl->f ? msg_label(cl->f->label) : NULL));
        if (!cl->f && *h->cells[i])
            json_array_append_new(ignored, json_pack("{s:s, s:s, s:s}", "column", cl->name,
                                                     "header", cl->header, "reason", cl->skipped));
    }
    if (!mapped_n) {
        verr_set(e, 422, "no_fields", NULL,
                 "找不到表头: 第 %d 行起的各行都没有可识别的字段名或中文标题 (如“姓名”“出生日期”)",
                 hnum);
        goto fail;
    }

    int person_like =
        ent_field(ent, "name") && ent_field(ent, "birth_date") && ent_field(ent, "id_number");
    struct keymap km = {.a = t->a};
    json_t *errs = json_array(), *dups = json_array();
    int nerr = 0, err_rows = 0, ndup = 0, rows = 0, okrows = 0;
    /* rows with 编号: the records they update (upd_ids), or that they leave as they are */
    struct keymap updated_ids = {.a = t->a};
    json_t *updates = json_array(), *upd_ids = json_array();
    int nupd = 0, nsame = 0;
    int total = t->total - hdr - 1;
    /* rows a merged range makes wrong: flagged by their number (merges are a workbook's,
     * which is read whole) */
    int maxnum = json_array_size(t->merges) && t->nrows ? t->rows[t->nrows - 1].num : 0;
    unsigned char *merged_row = arena_alloc(t->a, (size_t)maxnum + 2);
    if (db_begin(c->db) != DB_OK) {
        verr_set(e, 503, "busy", NULL, "数据库繁忙, 请稍后再试");
        json_decref(errs);
        json_decref(dups);
        json_decref(updates);
        json_decref(upd_ids);
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
        if (r2 <= hnum)
            continue; /* a title or the header itself */
        struct verr me = {0};
        struct col *cl = c1 >= 1 && c1 <= ncol ? &cols[c1 - 1] : NULL;
        verr_set(&me, 422, "merged", cl && cl->f ? cl->f->name : "",
                 "合并单元格 %s: 合并后只有第一格有值, 请取消合并并在每一行填写后再导入",
                 json_string_value(json_object_get(mg, "ref")));
        int at = r1 > hnum ? r1 : hnum + 1;
        add_error(errs, &nerr, at, cl, NULL, &me);
        if (at <= maxnum)
            merged_row[at] = 1;
        else
            err_rows++, rows++; /* below the last row read: counted as a row of its own */
    }
    /* an audit entry per record created, with its values, chained in memory and written in
     * multi-row INSERTs (audit_batch: the head is taken once, not updated per record, which
     * made a large import crawl on PostgreSQL), and one summary entry for the import */
    struct audit_batch *abatch = dry_run ? audit_batch_dry() : audit_batch_begin(c->db),
                       *was_audit = c->audit;
    if (!abatch) {
        verr_set(e, db_errcode(c->db) == DBE_BUSY ? 503 : 500,
                 db_errcode(c->db) == DBE_BUSY ? "busy" : "internal", NULL,
                 "数据库繁忙, 导入未开始, 数据未改变, 请稍后再试");
        goto rollback;
    }
    c->audit = abatch;
    int was_bulk = c->bulk;
    c->bulk = 1;
    c->ref_seen.ent = NULL;
    /* the search keys of the new records are written together before the commit, in
     * key order; a dry run makes none */
    struct search_batch *batch = dry_run ? search_batch_dry(ent) : search_batch_new_async(ent),
                        *was_keys = c->keys;
    c->keys = batch;
    /* the new records are held and sent every HELD_ROWS rows (ent_ctx.rows), to be
     * written (COPY, or multi-row INSERTs) on the store's own thread while the next rows
     * are checked; a row the database refuses then is reported as that row. Not with
     * updates (编号), which read what earlier rows wrote. */
    struct ent_rows *was_rows = c->rows;
    c->rows = id_col < 0 ? ent_rows_new() : NULL;
    struct refused refused = {errs, &nerr, &okrows, &err_rows};
    json_t *ranges = json_array(); /* [[first, last], ...] of the created ids */
    int fatal = 0;                 /* a database error: the import stops, rolled back */
    int64_t first = 0, last = 0;
    arena *ra = arena_new(); /* per-row memory, reset every few thousand rows */
    for (int ri = hdr + 1;; ri++) {
        table_drop(t, ri);
        struct trow *row = table_row(t, ri);
        if (!row)
            break;
        if (progress && (ri - hdr) % 500 == 0)
            progress(parg, ri - hdr, total);
        int bad = row->num <= maxnum && merged_row[row->num];
        if (!bad && blank_row(row))
            continue;
        if (id_col >= 0 && id_col < row->n && totals_row(ra, row->cells[id_col]))
            continue; /* an export's totals row (合计) */
        rows++;
        if ((ri & 4095) == 0) {
            arena_free(ra);
            ra = arena_new();
        }
        json_t *body = json_object(), *old = NULL;
        /* 编号: the record this row updates, in the importer's scope, named once */
        int64_t upd = 0;
        if (id_col >= 0 && id_col < row->n && *cell_clean(ra, row->cells[id_col], 1)) {
            struct verr ve;
            const char *idc = cell_clean(ra, row->cells[id_col], 1);
            int64_t *seen;
            if (!parse_i64(idc, &upd) || upd <= 0) {
                verr_set(&ve, 422, "invalid", "id", "“%s”应为记录的编号 (正整数), 表格中为“%s”",
                         cols[id_col].header, idc);
                upd = 0;
            } else if (*(seen = km_slot(&updated_ids, idc, 1))) {
                verr_set(&ve, 422, "invalid", "id",
                         "编号 %lld 与第 %lld 行重复, 一条记录只能改一次", (long long)upd,
                         (long long)*seen);
                upd = 0;
            } else if (!(*seen = row->num, old = ent_read(c, ent, upd, 1, &ve))) {
                if (ve.status >= 500) {
                    *e = ve;
                    json_decref(body);
                    fatal = 1;
                    break;
                }
                verr_set(&ve, 422, "not_found", "id",
                         "编号 %lld 的%s不存在或不在您的权限范围内 (要新增记录请清空编号)",
                         (long long)upd, msg_label(ent->label));
                upd = 0;
            }
            if (!upd) {
                add_error(errs, &nerr, row->num, &cols[id_col], row->cells[id_col], &ve);
                bad = 1;
            }
        }
        /* every problem of the row: each cell, then the record's own checks on the cells
         * that passed (their error unless it is on a field already found wrong) */
        char *failed = arena_alloc(ra, (size_t)(ncol ? ncol : 1));
        for (int i = 0; i < ncol; i++) {
            if (!cols[i].f || i == id_col)
                continue;
            if (i >= row->n || !*cell_clean(ra, row->cells[i], 1)) {
                /* an update: an emptied cell clears the value */
                json_t *ov = old ? json_object_get(old, cols[i].f->name) : NULL;
                if (ov && !json_is_null(ov) && !(json_is_array(ov) && !json_array_size(ov)) &&
                    !cols[i].ref_name)
                    json_object_set_new(body, cols[i].f->name, json_null());
                continue;
            }
            struct verr ve;
            if (read_cell(ent, &cols[i], row->cells[i], row->numeric ? row->numeric[i] : 0, body,
                          &lk, ra, &ve)) {
                /* an update's sensitive cell as the export masked it: left as it is */
                const char *ov =
                    old ? json_string_value(json_object_get(old, cols[i].f->name)) : NULL;
                if (ve.code && !strcmp(ve.code, "masked") && ov &&
                    !strcmp(mask_value(ra, ov),
                            unneutral(&lk, cell_clean(ra, row->cells[i], cols[i].full))))
                    continue;
                add_error(errs, &nerr, row->num, &cols[i], row->cells[i], &ve);
                failed[i] = 1;
                bad = 1;
            }
        }
        for (int i = ncol; i < row->n; i++)
            if (*row->cells[i]) {
                struct verr ve;
                char name[4];
                xlsx_col_name(i + 1, name);
                verr_set(&ve, 422, "invalid", "", "第 %s 列有内容但没有表头", name);
                add_error(errs, &nerr, row->num, NULL, row->cells[i], &ve);
                bad = 1;
                break;
            }
        /* links given by name (捐赠人 = 陈嘉庚): the one record in scope, or a bare name */
        const struct field *party_failed = NULL; /* its X_type, X_id, X_name: reported */
        for (const struct field *f = ent->fields; f->name; f++) {
            struct verr ve;
            if (f->type == FT_PARTY && party_by_name(&lk, f, body, ra, &ve)) {
                party_failed = f;
                struct col *cl = NULL;
                for (int i = 0; i < ncol; i++)
                    if (cols[i].f && !strcmp(cols[i].f->name, ve.field))
                        cl = &cols[i];
                if (ve.status >= 500)
                    ve.status = 422; /* reported on the row; the commit is refused */
                add_error(errs, &nerr, row->num, cl, cl ? row->cells[cl - cols] : NULL, &ve);
                bad = 1;
            }
        }
        /* an update writes what differs from the record; a row that changes nothing says so */
        json_t *diff = NULL;
        if (old) {
            diff = json_object();
            const char *k;
            json_t *v;
            json_object_foreach(body, k, v)
            {
                json_t *ov = json_object_get(old, k);
                int empty = json_is_null(v) || (json_is_array(v) && !json_array_size(v));
                int oempty = !ov || json_is_null(ov) || (json_is_array(ov) && !json_array_size(ov));
                if (!(empty && oempty) && !json_equal(v, ov))
                    json_object_set(diff, k, v);
            }
            if (json_object_size(diff) && (ent->flags & EF_APPEND)) {
                struct verr ve;
                verr_set(&ve, 422, "append_only", "id",
                         "编号 %lld 是台账记录, 不能修改; 如有错误请冲销后重新录入",
                         (long long)upd);
                add_error(errs, &nerr, row->num, &cols[id_col], row->cells[id_col], &ve);
                bad = 1;
            }
        }
        if (!old || (json_object_size(diff) && !(ent->flags & EF_APPEND))) {
            struct verr ve;
            /* a server asked to stop gives the import up: rolled back whole (a 503) */
            json_t *rec =
                stop_requested() ? (verr_set(&ve, 503, "busy", NULL,
                                             "服务器正在停止, 导入已撤销, 数据未改变; "
                                             "请稍后重新导入"),
                                    NULL)
                : old            ? ent_update(c, ent, upd, diff, &ve)
                      : (c->row_tag = bad ? -row->num : row->num, ent_create(c, ent, body, &ve));
            if (rec && !bad && !old) {
                int64_t id = json_integer_value(json_object_get(rec, "id"));
                if (first && id == last + 1) {
                    last = id;
                } else {
                    if (first)
                        json_array_append_new(
                            ranges, json_pack("[I, I]", (json_int_t)first, (json_int_t)last));
                    first = last = id;
                }
            } else if (!rec) {
                struct col *cl = NULL;
                int dup = 0;
                for (int i = 0; i < ncol && ve.field[0]; i++)
                    if (cols[i].f && !strcmp(cols[i].f->name, ve.field)) {
                        cl = &cols[i];
                        dup = failed[i];
                    }
                for (int k = 0; party_failed && k < 3; k++)
                    dup |= !strcmp(party_failed[k].name, ve.field);
                if (ve.status >= 500) {
                    *e = ve;
                    json_decref(rec);
                    json_decref(body);
                    json_decref(old);
                    json_decref(diff);
                    fatal = 1;
                    break;
                }
                if (!dup) /* a short row has no cell in the column named */
                    add_error(errs, &nerr, row->num, cl,
                              cl && cl - cols < row->n ? row->cells[cl - cols] : NULL, &ve);
                bad = 1;
            }
            json_decref(rec);
        }
        if (old && !bad) {
            if (json_object_size(diff)) {
                nupd++;
                json_array_append_new(upd_ids, json_integer(upd));
            } else {
                nsame++;
            }
            if (json_array_size(updates) < MAX_REPORTED)
                json_array_append_new(updates, update_entry(c, ent, row->num, upd, old, diff, ra));
        }
        json_decref(old);
        json_decref(diff);
        if (upd) { /* the record itself: no duplicate hints */
            json_decref(body);
            if (bad)
                err_rows++;
            else
                okrows++;
            continue;
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
        if (ent_rows_held(c->rows) >= HELD_ROWS &&
            ent_rows_send(c, refused_row, &refused) != DB_OK &&
            db_errcode(c->db) != DBE_CONSTRAINT) {
            verr_set(e, 500, "internal", NULL, "数据库错误, 导入未完成, 数据未改变");
            fatal = 1;
            break;
        }
    }
    if (!fatal && t->failed) { /* a limit met while reading (table_row) */
        *e = t->err;
        fatal = 1;
    }
    if (!fatal && ent_rows_flush(c, refused_row, &refused) != DB_OK &&
        db_errcode(c->db) != DBE_CONSTRAINT) {
        verr_set(e, db_errcode(c->db) == DBE_FULL ? 507 : 500,
                 db_errcode(c->db) == DBE_FULL ? "storage_full" : "internal", NULL,
                 "数据库错误, 导入未完成, 数据未改变");
        fatal = 1;
    }
    ent_rows_free(c->rows);
    c->rows = was_rows;
    arena_free(ra);
    c->bulk = was_bulk;
    c->keys = was_keys;
    c->audit = was_audit;
    if (fatal) { /* a database error: nothing is kept */
        search_batch_free(batch);
        audit_batch_free(abatch);
        json_decref(ranges);
        goto rollback;
    }
    km_free(&lk.countries);
    km_free(&lk.regions);
    km_free(&lk.records);
    km_free(&updated_ids);
    if (first)
        json_array_append_new(ranges, json_pack("[I, I]", (json_int_t)first, (json_int_t)last));
    int all_ok = nerr == 0 && rows > 0;
    if (rows == 0) {
        struct verr ve;
        verr_set(&ve, 422, "empty", NULL, "表头下面没有数据行");
        add_error(errs, &nerr, hnum + 1, NULL, NULL, &ve);
    }
    int created = okrows - nupd - nsame;
    json_t *what = json_pack("{s:s, s:i, s:i, s:o, s:i, s:O}", "format", t->xlsx ? "xlsx" : "csv",
                             "rows", rows, "created", all_ok ? created : 0, "ids", ranges,
                             "updated", all_ok ? nupd : 0, "updated_ids", upd_ids);
    if (!dry_run && all_ok) {
        if (progress)
            progress(parg, total, total); /* the keys, the audit entry and the commit */
        int krc = search_batch_write(c->db, batch);
        search_batch_free(batch);
        if (krc == DB_OK)
            krc = audit_batch_end(c->db, abatch);
        else
            audit_batch_free(abatch);
        if (krc != DB_OK || audit_write(c, "import", ent->name, 0, NULL, what) != DB_OK ||
            db_commit(c->db) != DB_OK) {
            json_decref(what);
            if (db_errcode(c->db) == DBE_FULL)
                verr_set(e, 507, "storage_full", NULL, "%s (导入未完成, 数据未改变)",
                         DB_FULL_MESSAGE);
            else
                verr_set(e, 500, "internal", NULL, "数据库错误, 导入未完成, 数据未改变");
            if (db_depth(c->db))
                db_rollback(c->db);
            json_decref(errs);
            json_decref(dups);
            json_decref(updates);
            json_decref(upd_ids);
            km_free(&km);
            goto fail;
        }
    } else {
        search_batch_free(batch);
        audit_batch_free(abatch);
        db_rollback(c->db);
    }
    json_decref(what);
    km_free(&km);
    *ok = all_ok;
    if (progress)
        progress(parg, -1, total);
    json_decref(upd_ids);
    /* created and updated: what was written (0 for a dry run, which says what would be
     * with new, to_update and unchanged) */
    return json_pack("{s:s, s:b, s:b, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:i, "
                     "s:o, s:i, s:o, s:o, s:O}",
                     "entity", ent->name, "dry_run", dry_run, "committed", !dry_run && all_ok,
                     "rows", rows, "ok", okrows, "created", !dry_run && all_ok ? created : 0,
                     "updated", !dry_run && all_ok ? nupd : 0, "new", created, "to_update", nupd,
                     "unchanged", nsame, "error_rows", err_rows, "error_count", nerr, "errors",
                     errs, "updates", updates, "duplicate_count", ndup, "duplicates", dups,
                     "header_row", hnum, "headers", headers, "ignored", ignored, "merges",
                     t->merges);
rollback:
    db_rollback(c->db);
    km_free(&lk.countries);
    km_free(&lk.regions);
    km_free(&lk.records);
    km_free(&updated_ids);
    json_decref(errs);
    json_decref(dups);
    json_decref(updates);
    json_decref(upd_ids);
    km_free(&km);
fail:
    json_decref(headers);
    json_decref(ignored);
    if (progress)
        progress(parg, -1, 0);
    return NULL;
}

/* ---- the API ------------------------------------------------------------------------ */

int import_mapping(struct req *r, json_t **mapping)
{
    const char *mp = req_arg(r, "mapping");
    *mapping = NULL;
    if (!mp || !*mp)
        return 0;
    *mapping = json_loads(mp, 0, NULL);
    if (json_is_object(*mapping))
        return 0;
    json_decref(*mapping);
    *mapping = NULL;
    reply_error(r, 400, "bad_mapping", "mapping", "“mapping”应为 JSON 对象 {表头: 字段名}");
    return -1;
}

/* POST /api/v1/import/{entity}: the body is the file (CSV or XLSX). dry_run=1 answers the
 * report and changes nothing; otherwise 200 with the report when committed, 422 with it
 * when any row was refused (nothing written). job=N lets GET /api/v1/import/jobs/N follow. */
void import_h(struct req *r)
{
    const char *dr = req_arg(r, "dry_run"), *jb = req_arg(r, "job");
    int dry = dr && (!strcmp(dr, "1") || !strcmp(dr, "true"));
    if (!strcmp(r->ent->name, "user")) { /* accounts need passwords: user management */
        reply_error(r, 400, "not_importable", NULL, "用户账号不能批量导入, 请在用户管理中逐个添加");
        return;
    }
    json_t *mapping;
    if (import_mapping(r, &mapping))
        return;
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
    if (table_open(&t, r->body, r->body_len, &e) == 0)
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
                                msg_cur("有行未通过检查, 全部未导入 (数据未改变)"));
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
    if (done >= 0 && done % 10000 == 0 && total > 20000) {
        fputc('\r', stderr);
        fprintf(stderr, msg_cur("导入中: %d / %d 行"), done, total);
    } else if (done < 0 && total > 20000) {
        fprintf(stderr, "\n");
    }
}

int import_cli(db *d, const char *entity, const char *file, int64_t org, int dry_run)
{
    const struct entity *ent = entity_find(entity);
    if (!ent || !strcmp(entity, "user")) {
        fprintf(stderr, msg_cur("qiao: 没有可导入的实体“%s”\n"), entity);
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
        fprintf(stderr, msg_cur("qiao: 没有编号为 %lld 的组织 (--org)\n"), (long long)org);
        return 2;
    }
    size_t len = 0;
    char *data = file_slurp(file, &len);
    if (!data) {
        fprintf(stderr, msg_cur("qiao: 无法打开 %s\n"), file);
        return 2;
    }
    arena *a = arena_new();
    struct ent_ctx c = {.db = d, .a = a, .username = "system", .client = "cli", .org_id = org};
    struct verr e;
    struct table t;
    table_init(&t);
    int ok = 0, rc;
    json_t *rep = NULL;
    double t0 = now_ms();
    if (table_open(&t, data, len, &e) == 0)
        rep = import_table(&c, ent, &t, NULL, dry_run, cli_progress, NULL, &ok, &e);
    table_free(&t);
    free(data);
    if (!rep) {
        fprintf(stderr, "qiao: %s\n", e.msg);
        rc = 1;
        goto out;
    }
    double secs = (now_ms() - t0) / 1000;
    size_t i;
    json_t *x;
    /* what will be read, before any row: the header row, each column's field, and every
     * column left out by its header */
    printf(msg_cur("表头在第 %lld 行\n"),
           (long long)json_integer_value(json_object_get(rep, "header_row")));
    json_array_foreach(json_object_get(rep, "headers"), i, x)
    {
        const char *fl = json_string_value(json_object_get(x, "field"));
        if (fl)
            printf(msg_cur("  %s 列 “%s” → %s (%s)\n"),
                   json_string_value(json_object_get(x, "column")),
                   json_string_value(json_object_get(x, "header")),
                   json_string_value(json_object_get(x, "label")), fl);
    }
    size_t nign = json_array_size(json_object_get(rep, "ignored"));
    json_array_foreach(json_object_get(rep, "ignored"), i, x) printf(
        msg_cur("  %s 列 “%s” 不导入: %s\n"), json_string_value(json_object_get(x, "column")),
        json_string_value(json_object_get(x, "header")),
        json_string_value(json_object_get(x, "reason")));
    json_array_foreach(json_object_get(rep, "errors"), i, x)
    {
        const char *col = json_string_value(json_object_get(x, "column"));
        printf(msg_cur("第 %lld 行%s%s: %s\n"),
               (long long)json_integer_value(json_object_get(x, "row")), col ? " " : "",
               col ? col : "", json_string_value(json_object_get(x, "message")));
    }
    json_array_foreach(json_object_get(rep, "updates"), i, x)
    {
        printf(msg_cur("第 %lld 行 编号 %lld:"),
               (long long)json_integer_value(json_object_get(x, "row")),
               (long long)json_integer_value(json_object_get(x, "id")));
        putchar(' ');
        json_t *ch = json_object_get(x, "changes");
        if (!json_array_size(ch))
            fputs(msg_cur("无变化"), stdout);
        size_t k;
        json_t *y;
        json_array_foreach(ch, k, y)
        {
            char *from = json_dumps(json_object_get(y, "from"), JSON_ENCODE_ANY);
            char *to = json_dumps(json_object_get(y, "to"), JSON_ENCODE_ANY);
            printf("%s%s %s → %s", k ? "; " : "", json_string_value(json_object_get(y, "label")),
                   from, to);
            free(from);
            free(to);
        }
        printf("\n");
    }
    json_array_foreach(json_object_get(rep, "duplicates"), i, x)
    {
        json_t *ex = json_object_get(x, "existing_id"), *ot = json_object_get(x, "other_row");
        printf(msg_cur("第 %lld 行 可能重复: %s ("),
               (long long)json_integer_value(json_object_get(x, "row")),
               json_string_value(json_object_get(x, "reason")));
        if (json_is_integer(ex))
            printf(msg_cur("已有记录编号 %lld)\n"), (long long)json_integer_value(ex));
        else
            printf(msg_cur("与第 %lld 行)\n"), (long long)json_integer_value(ot));
    }
    long long rows = json_integer_value(json_object_get(rep, "rows"));
    long long erows = json_integer_value(json_object_get(rep, "error_rows"));
    long long nnew = json_integer_value(json_object_get(rep, "new"));
    long long nupd = json_integer_value(json_object_get(rep, "to_update"));
    long long nsame = json_integer_value(json_object_get(rep, "unchanged"));
    if (ok && !dry_run)
        printf(msg_cur("已导入 %lld 行: 新增 %lld, 修改 %lld, 无变化 %lld (%.1f 秒, %.0f 行/秒)\n"),
               rows, nnew, nupd, nsame, secs, secs > 0 ? rows / secs : 0.0);
    else if (ok)
        printf(
            msg_cur(
                "试导入: %lld 行全部通过检查 (将新增 %lld, 修改 %lld, 无变化 %lld), 未写入 (%.1f "
                "秒)\n"),
            rows, nnew, nupd, nsame, secs);
    else
        printf(msg_cur("%lld 行中有 %lld 行未通过检查, 全部未导入 (数据未改变)\n"), rows, erows);
    if (ok && nign)
        printf(msg_cur("注意: 有 %zu 列未导入 (见上), 其中的内容%s保存\n"), nign,
               msg_cur(dry_run ? "不会" : "没有"));
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
            {"GET", "/api/v1/import/{entity}/template.xlsx", import_template_h, NULL, P_EDIT, 0},
            {"POST", "/api/v1/import/{entity}/refused.xlsx", import_refused_h, NULL, P_EDIT,
             R_UPLOAD},
            {"GET", "/api/v1/import/jobs/{id}", import_job_h, "import", P_NONE, 0},
            {NULL},
        },
};
