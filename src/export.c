/* export.c - exports for people (GET /api/v1/export/{entity}.xlsx and .csv): a list with
 * the list's filters and sort (ent_each), within the user's scope and masking (?unmask=1
 * for a role that may: the dispatcher audits it), audited as an export. Written as people
 * read a sheet: headers in the user's language (?lang=, else Accept-Language), enum and
 * set values as their labels, beside each link's id the name of the record it names (as
 * the reader may see it), dates and date-times as date cells in Beijing time (text before
 * 1900, which Excel cannot hold), money in 元 with two decimals and a totals row, the header
 * frozen, columns as wide as what they hold, an autofilter. Text cells are strings, never
 * formulas; the CSV (UTF-8 with a BOM) neutralises text that could be a formula with a
 * leading apostrophe, which the import drops; the numbers it formats itself ("-1000.50")
 * are written as they are.
 * The import reads an export back unchanged: 编号 updates, name columns and the totals row
 * are skipped (import.c).
 *
 * The audit log (GET /api/v1/audit.xlsx) and the duplicate pairs (GET
 * /api/v1/dedup/person.xlsx) are written the same way (xlsx_export), with the filters of
 * their lists.
 *
 * Also the import template (GET /api/v1/import/{entity}/template.xlsx) and the refused
 * rows of a dry run (POST /api/v1/import/{entity}/refused.xlsx), which share the column
 * writing. */
#include "audit.h"
#include "auth.h"
#include "dedup.h"
#include "import.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* ---- columns ------------------------------------------------------------------------ */

/* A column of an export: a field, or the name of the record a link names. */
struct xcol {
    const struct field *f;
    const char *sub; /* the value is the record's sub's (a duplicate pair's "a"), else its own */
    int name_of;     /* the column beside a link's id: the linked record's name */
    const char *label;
    double total; /* money: the sum, in 元 */
    int width;    /* the widest cell so far (the header's with its filter button), in
                     characters, CJK counted twice */
};

/* The language asked for: ?lang=zh-Hans|zh-Hant|en (a download link cannot send the app's
 * Accept-Language), else the request's (Accept-Language). */
int req_lang(struct req *r)
{
    const char *l = req_arg(r, "lang");
    return l && *l ? (int)lang_of(l) : (int)r->ctx.lang;
}

/* Display width: CJK and other wide characters count twice; of the widest line. */
static int text_width(const char *s)
{
    int w = 0, lw = 0;
    for (const unsigned char *p = (const unsigned char *)s;; p++) {
        if (!*p || *p == '\n') {
            w = lw > w ? lw : w;
            lw = 0;
            if (!*p)
                return w;
        } else if ((*p & 0xC0) != 0x80) {
            lw += *p >= 0xE0 ? 2 : 1;
        }
    }
}

/* The header of the column beside link f's id (所属组织名称), after prefix. From a. */
static const char *name_label(arena *a, int lang, const char *prefix, const struct field *f)
{
    return arena_printf(a, "%s%s", prefix, ent_link_name_label(a, (enum lang)lang, f));
}

/* The columns of ent: every field that is not hidden (a link followed by its name
 * column), then the computed values. *n gets the count; from a. */
static struct xcol *columns(arena *a, const struct entity *ent, int lang, int with_computed, int *n)
{
    int cap = 0;
    for (const struct field *f = ent->fields; f->name; f++)
        cap += 2;
    for (const struct field *f = ent->computed; f && f->name; f++)
        cap++;
    struct xcol *c = arena_alloc(a, (size_t)(cap ? cap : 1) * sizeof *c);
    int k = 0;
    for (const struct field *f = ent->fields; f->name; f++) {
        if (f->flags & FF_HIDDEN)
            continue;
        c[k++] = (struct xcol){.f = f, .label = lbl(lang, f->label)};
        if (f->type == FT_REF)
            c[k++] = (struct xcol){.f = f, .name_of = 1, .label = name_label(a, lang, "", f)};
    }
    for (const struct field *f = ent->computed; with_computed && f && f->name; f++)
        c[k++] = (struct xcol){.f = f, .label = lbl(lang, f->label)};
    for (int i = 0; i < k; i++)
        c[i].width = text_width(c[i].label) + 3;
    *n = k;
    return c;
}

/* The label of an enum value in the reader's language; the value when it has none. */
static const char *value_label(const struct field *f, const char *v, int lang)
{
    for (const struct enumval *ev = f->values; ev && ev->value; ev++)
        if (!strcmp(ev->value, v))
            return lbl(lang, ev->label);
    return v;
}

struct xout {
    struct ent_ctx *c;
    const struct entity *ent;
    struct xcol *cols;
    int ncol, lang;
    arena *a;            /* per export: the columns, names looked up */
    arena *ra;           /* the texts of cells, freed every 1024 rows */
    struct keymap names; /* "entity|id": the name as a pointer into a */
    /* XLSX */
    lxw_worksheet *ws;
    lxw_format *date, *datetime, *money, *text, *bold;
    lxw_row_t row;
    int failed;
    /* CSV */
    buf b;
};

/* The name of record id of re as the reader may see it ("" outside their scope). */
static const char *name_of(struct xout *o, const struct entity *re, int64_t id)
{
    int64_t *slot = km_slot(&o->names, arena_printf(o->a, "%s|%lld", re->name, (long long)id), 1);
    if (!*slot) {
        struct verr e;
        json_t *r = ent_read(o->c, re, id, 0, &e);
        const char *t = r ? json_string_value(json_object_get(r, re->title)) : NULL;
        *slot = (int64_t)(intptr_t)arena_strdup(o->a, t ? t : "");
        json_decref(r);
    }
    return (const char *)(intptr_t)*slot;
}

/* An item of a list of links (a contact's "person:12", a visit's "12") as the import
 * reads it back: the name of the record when it is the one record of that name the field
 * may name in the reader's scope, the name and the item ("陈伟雄(person:61)") when several
 * bear it, the item as stored for a record out of the reader's sight. Cached per export. */
static const char *link_item(struct xout *o, const struct field *f, const char *item)
{
    int64_t *slot = km_slot(&o->names, arena_printf(o->a, "%s|%s", f->name, item), 1);
    if (*slot)
        return (const char *)(intptr_t)*slot;
    const char *colon = strchr(item, ':'), *res = item;
    int64_t id;
    const struct entity *re =
        entity_find(colon ? arena_strndup(o->a, item, (size_t)(colon - item)) : f->ref);
    if (re && parse_i64(colon ? colon + 1 : item, &id)) {
        const char *name = name_of(o, re, id);
        if (*name)
            res = list_named(o->c, f, name) == 1 ? name : arena_printf(o->a, "%s(%s)", name, item);
    }
    *slot = (int64_t)(intptr_t)arena_strdup(o->a, res);
    return (const char *)(intptr_t)*slot;
}

/* A UTC date-time "YYYY-MM-DDTHH:MM:SSZ" in Beijing time, broken down; 0, or -1. */
static int beijing(const char *s, struct tm *bj)
{
    struct tm tm = {0};
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm) + 8 * 3600;
    gmtime_r(&t, bj);
    return 0;
}

/* The cell of column cl of rec as text (what the CSV holds, and the XLSX where it writes
 * text); NULL for an empty cell. From o->a. */
static const char *cell_text(struct xout *o, const struct xcol *cl, json_t *rec)
{
    const struct field *f = cl->f;
    json_t *v = json_object_get(rec, f->name);
    if (!v || json_is_null(v))
        return NULL;
    if (cl->name_of)
        return json_is_integer(v) ? name_of(o, entity_find(f->ref), json_integer_value(v)) : NULL;
    switch (f->type) {
    case FT_MONEY: {
        if (!json_is_integer(v))
            return NULL;
        long long fen = (long long)json_integer_value(v);
        return arena_printf(o->ra, "%s%lld.%02lld", fen < 0 ? "-" : "", llabs(fen) / 100,
                            llabs(fen) % 100);
    }
    case FT_DATETIME: {
        struct tm bj;
        if (beijing(json_string_value(v), &bj))
            return json_string_value(v);
        char out[20];
        strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S", &bj);
        return arena_strdup(o->ra, out);
    }
    case FT_ENUM:
    case FT_PARTY:
        return json_is_string(v) ? value_label(f, json_string_value(v), o->lang) : NULL;
    case FT_BOOL:
        return json_is_true(v) ? (o->lang == 2 ? "Yes" : "是") : (o->lang == 2 ? "No" : "否");
    default:
        break;
    }
    if (json_is_array(v)) {
        if (!json_array_size(v))
            return NULL;
        buf j = {0};
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            const char *s = json_string_value(x);
            buf_printf(&j, "%s%s", i ? ";" : "",
                       f->type == FT_SET && s ? value_label(f, s, o->lang)
                       : s && list_kinds(f)   ? link_item(o, f, s)
                       : s                    ? s
                                              : "");
        }
        const char *r = arena_strdup(o->ra, buf_str(&j));
        buf_free(&j);
        return r;
    }
    if (json_is_integer(v))
        return arena_printf(o->ra, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return arena_printf(o->ra, "%g", json_real_value(v));
    return json_string_value(v);
}

/* ---- XLSX --------------------------------------------------------------------------- */

/* How wide the cell of cl whose text is s shows: money with its thousands separators,
 * else as its text (by its widest line). */
static int shown_width(const struct xcol *cl, const char *s)
{
    if (!cl->name_of && cl->f->type == FT_MONEY) {
        int digits = (int)strcspn(s + (*s == '-'), ".");
        return (int)strlen(s) + (digits - 1) / 3;
    }
    return text_width(s);
}

/* One record as a row of cells: numbers, money in 元, dates and date-times as date cells,
 * everything else as text. */
static int xlsx_row(void *arg, json_t *rec)
{
    struct xout *o = arg;
    o->row++;
    for (int i = 0; i < o->ncol; i++) {
        struct xcol *cl = &o->cols[i];
        const struct field *f = cl->f;
        json_t *src = cl->sub ? json_object_get(rec, cl->sub) : rec;
        json_t *v = json_object_get(src, f->name);
        const char *s = src ? cell_text(o, cl, src) : NULL;
        lxw_error rc = LXW_NO_ERROR;
        int y, m, d;
        struct tm bj;
        if (!s)
            continue;
        int w = shown_width(cl, s);
        if (w > cl->width)
            cl->width = w;
        if (!cl->name_of && f->type == FT_MONEY) {
            double yuan = (double)json_integer_value(v) / 100.0;
            cl->total += yuan;
            rc = worksheet_write_number(o->ws, o->row, (lxw_col_t)i, yuan, o->money);
        } else if (!cl->name_of && (f->type == FT_INT || f->type == FT_YEAR || f->type == FT_REF) &&
                   json_is_integer(v)) {
            rc = worksheet_write_number(o->ws, o->row, (lxw_col_t)i, (double)json_integer_value(v),
                                        NULL);
        } else if (f->type == FT_DATE && sscanf(s, "%4d-%2d-%2d", &y, &m, &d) == 3 &&
                   strlen(s) == 10 && y >= 1900) {
            lxw_datetime dt = {y, m, d, 0, 0, 0};
            rc = worksheet_write_datetime(o->ws, o->row, (lxw_col_t)i, &dt, o->date);
        } else if (f->type == FT_DATETIME && !beijing(json_string_value(v), &bj) &&
                   bj.tm_year >= 0) {
            lxw_datetime dt = {bj.tm_year + 1900, bj.tm_mon + 1, bj.tm_mday,
                               bj.tm_hour,        bj.tm_min,     bj.tm_sec};
            rc = worksheet_write_datetime(o->ws, o->row, (lxw_col_t)i, &dt, o->datetime);
        } else {
            rc = worksheet_write_string(o->ws, o->row, (lxw_col_t)i, s, o->text);
        }
        if (rc != LXW_NO_ERROR) {
            o->failed = 1;
            return 1;
        }
    }
    if ((o->row & 1023) == 0) {
        arena_free(o->ra);
        o->ra = arena_new();
    }
    return 0;
}

/* The formats of a workbook the exports share. */
static void formats(lxw_workbook *wb, struct xout *o)
{
    o->bold = workbook_add_format(wb);
    format_set_bold(o->bold);
    format_set_bg_color(o->bold, 0xDDEBF7);
    format_set_border(o->bold, LXW_BORDER_THIN);
    o->date = workbook_add_format(wb);
    format_set_num_format(o->date, "yyyy-mm-dd");
    o->datetime = workbook_add_format(wb);
    format_set_num_format(o->datetime, "yyyy-mm-dd hh:mm:ss");
    o->money = workbook_add_format(wb);
    format_set_num_format(o->money, "#,##0.00");
    o->text = workbook_add_format(wb);
    format_set_num_format_index(o->text, 49); /* Excel's own "@": text */
}

/* A new workbook in a temporary file (its path into path[]), or NULL after replying. */
static lxw_workbook *workbook_tmp(struct req *r, char path[32], int constant)
{
    snprintf(path, 32, "/tmp/qiao-xlsx-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        reply_error(r, 500, "internal", NULL, "无法创建临时文件, 未生成表格");
        return NULL;
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = constant ? LXW_TRUE : LXW_FALSE,
                                .tmpdir = "/tmp"};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) {
        unlink(path);
        reply_error(r, 500, "internal", NULL, "无法创建 XLSX 文件, 未生成表格");
    }
    return wb;
}

/* Close wb and answer it as name.xlsx (audited first as an export of entity when what is
 * given: the export entry); a failure replies 500. what is stolen. */
static void send_workbook(struct req *r, lxw_workbook *wb, const char *path, const char *name,
                          const char *entity, json_t *what)
{
    lxw_error wrc = workbook_close(wb);
    size_t len = 0;
    char *data = wrc == LXW_NO_ERROR ? file_slurp(path, &len) : NULL;
    unlink(path);
    if (!data) {
        json_decref(what);
        reply_error(r, 500, "internal", NULL, "无法写出 XLSX 文件, 未导出");
        return;
    }
    if (what) {
        int rc = audit_alone(&r->ctx, "export", entity, 0, NULL, what);
        json_decref(what);
        if (rc != DB_OK) {
            free(data);
            reply_db_error(r, "无法记录导出日志, 未导出");
            return;
        }
    }
    reply_header(r, "Content-Disposition",
                 arena_printf(r->a, "attachment; filename=\"%s.xlsx\"", name));
    reply_raw(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data,
              len);
}

/* The export's audit entry: what was asked, how many rows. A new reference. */
static json_t *export_what(struct req *r, int rows, const char *format)
{
    json_t *what = json_pack("{s:i, s:s}", "rows", rows, "format", format);
    for (int i = 0; i < r->nargs; i++)
        json_object_set_new(what, r->args[i].key, json_string(r->args[i].value) ?: json_null());
    return what;
}

/* The request's arguments without the export's own (lang, unmask): the list's filters and
 * sort. From r->a; *n gets the count. */
static struct kv *list_args(struct req *r, int *n)
{
    struct kv *args = arena_alloc(r->a, (size_t)(r->nargs + 1) * sizeof *args);
    *n = 0;
    for (int i = 0; i < r->nargs; i++)
        if (strcmp(r->args[i].key, "lang") && strcmp(r->args[i].key, "unmask"))
            args[(*n)++] = r->args[i];
    return args;
}

/* The rows of an export: each record handed to xlsx_row(o, rec). The number of rows, or
 * -1 with e (nothing sent yet). */
typedef int (*xlsx_rows_fn)(struct req *r, struct xout *o, void *arg, struct verr *e);

/* Answer o's columns and the rows that rows gives as the workbook name.xlsx with one sheet
 * (the header frozen, an autofilter, a totals row under money, widths from what the cells
 * hold), audited as an export of entity; an error answer when it fails. Frees o->a and
 * o->ra. */
static void xlsx_export(struct req *r, struct xout *o, const char *sheet, xlsx_rows_fn rows,
                        void *arg, const char *entity, const char *name)
{
    char path[32];
    lxw_workbook *wb = workbook_tmp(r, path, 1);
    if (!wb) {
        km_free(&o->names);
        arena_free(o->a);
        arena_free(o->ra);
        return;
    }
    o->ws = workbook_add_worksheet(wb, sheet);
    formats(wb, o);
    int money = 0;
    for (int i = 0; i < o->ncol; i++) {
        money |= o->cols[i].f->type == FT_MONEY && !o->cols[i].name_of;
        worksheet_write_string(o->ws, 0, (lxw_col_t)i, o->cols[i].label, o->bold);
    }
    worksheet_freeze_panes(o->ws, 1, 0);
    struct verr e;
    int n = rows(r, o, arg, &e);
    if (n >= 0 && !o->failed && n > 0) {
        worksheet_autofilter(o->ws, 0, 0, o->row, (lxw_col_t)(o->ncol - 1));
        if (money) { /* the totals row: what the filter shows (SUBTOTAL), valued now */
            lxw_row_t tr = o->row + 1;
            worksheet_write_string(o->ws, tr, 0, o->lang == 2 ? "Total" : "合计", o->bold);
            for (int i = 0; i < o->ncol; i++) {
                if (o->cols[i].f->type != FT_MONEY || o->cols[i].name_of)
                    continue;
                char colname[4];
                xlsx_col_name(i + 1, colname);
                char *fm = arena_printf(r->a, "=SUBTOTAL(109,%s2:%s%u)", colname, colname,
                                        (unsigned)o->row + 1);
                double total = round(o->cols[i].total * 100) / 100;
                worksheet_write_formula_num(o->ws, tr, (lxw_col_t)i, fm, o->money, total);
                int w = shown_width(&o->cols[i], arena_printf(r->a, "%.2f", total));
                o->cols[i].width = w > o->cols[i].width ? w : o->cols[i].width;
            }
        }
    }
    /* the widths of what the rows hold (the <cols> of a sheet are written at its close,
     * after the rows even with constant memory), at most 60 characters */
    for (int i = 0; i < o->ncol; i++)
        worksheet_set_column(o->ws, (lxw_col_t)i, (lxw_col_t)i,
                             o->cols[i].width > 60 ? 60 : o->cols[i].width + 1, NULL);
    km_free(&o->names);
    arena_free(o->a);
    arena_free(o->ra);
    if (n < 0 || o->failed) {
        workbook_close(wb);
        unlink(path);
        if (n < 0)
            reply_verr(r, &e);
        else
            reply_error(r, 500, "internal", NULL, "无法写出 XLSX 文件, 未导出");
        return;
    }
    send_workbook(r, wb, path, name, entity, export_what(r, n, "xlsx"));
}

/* An export's output in the request's language, its memory new. */
static struct xout xout_new(struct req *r)
{
    struct xout o = {
        .c = &r->ctx, .ent = r->ent, .lang = req_lang(r), .a = arena_new(), .ra = arena_new()};
    o.names.a = o.a;
    return o;
}

/* The records of the list that the request's filters and sort select (ent_each). */
static int entity_rows(struct req *r, struct xout *o, void *arg, struct verr *e)
{
    (void)arg;
    int nargs;
    struct kv *args = list_args(r, &nargs);
    return ent_each(&r->ctx, r->ent, args, nargs, xlsx_row, o, e);
}

/* GET /api/v1/export/{entity}.xlsx */
void export_xlsx_h(struct req *r)
{
    struct xout o = xout_new(r);
    o.cols = columns(o.a, r->ent, o.lang, 1, &o.ncol);
    xlsx_export(r, &o, lbl(o.lang, r->ent->label), entity_rows, NULL, r->ent->name, r->ent->name);
}

/* ---- the audit log and the duplicate pairs ------------------------------------------ */

/* The columns of the audit log's sheet: a record per entry (audit_rows). */
static const struct entity audit_sheet = {
    .name = "audit",
    .label = {"审计日志", "審計日誌", "Audit log"},
    .fields =
        (const struct field[]){
            {"id", FT_INT, {"编号", "編號", "ID"}},
            {"at", FT_DATETIME, {"时间", "時間", "Time"}},
            {"username", FT_TEXT, {"用户", "使用者", "User"}},
            {"client", FT_TEXT, {"来源", "來源", "Client"}},
            {"action", FT_ENUM, {"操作", "操作", "Action"}, 0, audit_actions},
            {"entity", FT_TEXT, {"对象类型", "物件類型", "Entity"}},
            {"entity_id", FT_INT, {"记录编号", "記錄編號", "Record ID"}},
            {"changes", FT_TEXTAREA, {"变更内容", "變更內容", "Changes"}},
            {NULL},
        },
};

/* The value of key in obj (an entry's before or after) as the export writes it: f's cell
 * (labels, 元, Beijing times, names of links), masked when f is sensitive and the reader
 * did not unmask; a value of no field as its JSON. NULL when absent. From o->ra. */
static const char *change_text(struct xout *o, const struct field *f, const char *key, json_t *obj)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!f) {
        if (json_is_string(v))
            return json_string_value(v);
        char *j = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        const char *r = arena_strdup(o->ra, j ? j : "");
        free(j);
        return r;
    }
    const char *s = cell_text(o, &(struct xcol){.f = f}, obj);
    if (s && (f->flags & FF_SENSITIVE) && !(o->c->may_unmask && o->c->unmask))
        s = mask_value(o->ra, s);
    return s;
}

/* One line "label: before → after" (or "label: value" when only one side has it) into out
 * for key, unless both sides hold the same or nothing. */
static void change_line(struct xout *o, buf *out, const struct field *f, const char *key, json_t *b,
                        json_t *a)
{
    json_t *bv = json_object_get(b, key), *av = json_object_get(a, key);
    if ((!bv && !av) || (bv && av && json_equal(bv, av)))
        return;
    const char *bt = change_text(o, f, key, b), *at = change_text(o, f, key, a);
    if ((!bt || !*bt) && (!at || !*at))
        return; /* empty on both sides (a new record's empty lists) */
    buf_printf(out, "%s%s: ", out->len ? "\n" : "", f ? lbl(o->lang, f->label) : key);
    if (bv && av)
        buf_printf(out, "%s → %s", bt ? bt : "", at ? at : "");
    else
        buf_puts(out, (bv ? bt : at) ? (bv ? bt : at) : "");
}

/* What an entry records, a line per value (changed values only, for an update, and not
 * updated_at: the entry's own time says when, and a line for it would come and go with
 * the second the write fell in), the entity's fields in their order first; cut to what a
 * cell holds (32,767 characters). From o->ra. */
static const char *audit_changes(struct xout *o, const char *entity, const char *bj, const char *aj)
{
    json_t *b = bj ? json_loads(bj, JSON_DECODE_ANY, NULL) : NULL;
    json_t *a = aj ? json_loads(aj, JSON_DECODE_ANY, NULL) : NULL;
    if (json_is_object(b) && json_is_object(a)) {
        json_object_del(b, "updated_at");
        json_object_del(a, "updated_at");
    }
    const struct entity *ent = entity ? entity_find(entity) : NULL;
    buf out = {0};
    for (const struct field *f = ent ? ent->fields : NULL; f && f->name; f++)
        if (!(f->flags & FF_HIDDEN))
            change_line(o, &out, f, f->name, b, a);
    json_t *sides[2] = {b, a};
    for (int k = 0; k < 2; k++) {
        const char *key;
        json_t *v;
        if (sides[k] && !json_is_object(sides[k])) /* not an object: as it is */
            buf_printf(&out, "%s%s", out.len ? "\n" : "", k ? aj : bj);
        json_object_foreach(sides[k], key, v)
        {
            const struct field *f = ent ? ent_field(ent, key) : NULL;
            if ((!f || (f->flags & FF_HIDDEN)) && !(k && json_object_get(b, key)))
                change_line(o, &out, NULL, key, b, a);
        }
    }
    json_decref(b);
    json_decref(a);
    size_t n = out.len;
    if (n > 30000) { /* bytes: under Excel's limit of characters whatever the script */
        n = 30000;
        while (n && (out.s[n] & 0xC0) == 0x80)
            n--;
        out.len = n;
        buf_puts(&out, "…");
    }
    const char *r = arena_strdup(o->ra, buf_str(&out));
    buf_free(&out);
    return r;
}

/* The entries the audit list's filters select, newest first, 1000 at a time (one read of
 * the whole log would be held in memory by PostgreSQL's client). */
static int audit_rows(struct req *r, struct xout *o, void *arg, struct verr *e)
{
    struct {
        buf *where;
        json_t *binds;
    } *q = arg;
    int64_t below = INT64_MAX;
    int n = 0, got;
    do {
        buf sql = {0};
        buf_printf(&sql,
                   "SELECT id, seq, at, username, client, action, entity, entity_id, before_json, "
                   "after_json FROM audit_log WHERE seq < ?%s ORDER BY seq DESC LIMIT 1000",
                   buf_str(q->where));
        json_t *binds = json_pack("[I]", (json_int_t)below);
        json_array_extend(binds, q->binds);
        stmt *s = db_prepare_json(r->db, buf_str(&sql), binds);
        buf_free(&sql);
        json_decref(binds);
        int rc = DB_ERROR;
        got = 0;
        while (s && (rc = st_step(s)) == DB_ROW) {
            const char *ename = st_text(s, "entity");
            const struct entity *ent = ename ? entity_find(ename) : NULL;
            json_t *rec = json_pack(
                "{s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:I, s:s}", "id", (json_int_t)st_int(s, "id"),
                "at", st_text(s, "at"), "username", st_text(s, "username"), "client",
                st_text(s, "client"), "action", st_text(s, "action"), "entity",
                ent ? lbl(o->lang, ent->label) : ename, "entity_id",
                (json_int_t)st_int(s, "entity_id"), "changes",
                audit_changes(o, ename, st_text(s, "before_json"), st_text(s, "after_json")));
            if (!st_int(s, "entity_id"))
                json_object_del(rec, "entity_id");
            below = st_int(s, "seq");
            got++;
            int stop = xlsx_row(o, rec);
            json_decref(rec);
            if (stop) {
                rc = DB_DONE;
                break;
            }
        }
        st_finalize(s);
        if (rc != DB_DONE)
            return verr_set(e, 500, "internal", NULL, "数据库错误, 未导出");
        n += got;
    } while (got == 1000 && !o->failed);
    return n;
}

/* GET /api/v1/audit.xlsx?user_id=&entity=&entity_id=&action=&from=&to=: the entries the
 * audit list's filters select (users of the admin's subtree and the system's), newest
 * first: time in Beijing, user, client, the action and the kind of record in the reader's
 * language, the record's id, what changed, field by field, with the values as the exports
 * write them, sensitive ones masked unless unmasked (audited by the dispatcher). */
void audit_xlsx_h(struct req *r)
{
    buf where = {0};
    json_t *binds = json_array();
    if (!audit_filter(r, &where, binds)) {
        struct {
            buf *where;
            json_t *binds;
        } q = {&where, binds};
        struct xout o = xout_new(r);
        o.cols = columns(o.a, &audit_sheet, o.lang, 0, &o.ncol);
        xlsx_export(r, &o, lbl(o.lang, audit_sheet.label), audit_rows, &q, "audit", "audit");
    }
    buf_free(&where);
    json_decref(binds);
}

/* The duplicate pairs (dedup_pairs, all of them), a row per pair: its two people and why
 * they may be one. */
static int dedup_rows(struct req *r, struct xout *o, void *arg, struct verr *e)
{
    json_t *res = dedup_pairs(&r->ctx, (int)*(int64_t *)arg, 1, 1000000000, e);
    if (!res)
        return -1;
    size_t i, k;
    json_t *pair, *why;
    json_array_foreach(json_object_get(res, "items"), i, pair)
    {
        buf b = {0};
        json_array_foreach(json_object_get(pair, "reasons"), k, why) buf_printf(
            &b, "%s%s", k ? "; " : "", json_string_value(json_object_get(why, "message")));
        json_t *rec = json_pack("{s:O?, s:O?, s:s}", "a", json_object_get(pair, "a"), "b",
                                json_object_get(pair, "b"), "reasons", buf_str(&b));
        buf_free(&b);
        int stop = xlsx_row(o, rec);
        json_decref(rec);
        if (stop)
            break;
    }
    int n = (int)json_array_size(json_object_get(res, "items"));
    json_decref(res);
    return n;
}

/* GET /api/v1/dedup/person.xlsx?dismissed=0|1: the duplicate pairs of the page 疑似重复
 * in the reader's scope, each row the two people (编号, 姓名, 性别, 出生日期, 证件号码,
 * 电话, 居住国, 所属组织 and its name: masked unless unmasked) and the reasons. */
void dedup_xlsx_h(struct req *r)
{
    int64_t dismissed;
    if (dedup_dismissed_arg(r, &dismissed))
        return;
    static const char *const shown[] = {
        "id",     "name", "gender", "birth_date", "id_number", "phone", "residence_country",
        "org_id", NULL};
    static const struct field reasons = {
        "reasons", FT_TEXT, {"疑似重复的原因", "疑似重複的原因", "Why"}};
    const struct entity *person = entity_find("person");
    struct xout o = xout_new(r);
    o.cols = arena_alloc(o.a, 40 * sizeof *o.cols);
    for (int side = 0; side < 2; side++)
        for (int i = 0; shown[i]; i++) {
            const struct field *f = ent_field(person, shown[i]);
            if (!f)
                continue;
            const char *sub = side ? "b" : "a";
            const char *prefix = lbl(o.lang, side ? (struct label){"记录乙 ", "記錄乙 ", "B: "}
                                                  : (struct label){"记录甲 ", "記錄甲 ", "A: "});
            o.cols[o.ncol++] =
                (struct xcol){.f = f,
                              .sub = sub,
                              .label = arena_printf(o.a, "%s%s", prefix, lbl(o.lang, f->label))};
            if (f->type == FT_REF)
                o.cols[o.ncol++] = (struct xcol){
                    .f = f, .sub = sub, .name_of = 1, .label = name_label(o.a, o.lang, prefix, f)};
        }
    o.cols[o.ncol++] = (struct xcol){.f = &reasons, .label = lbl(o.lang, reasons.label)};
    for (int i = 0; i < o.ncol; i++)
        o.cols[i].width = text_width(o.cols[i].label) + 3;
    xlsx_export(r, &o, lbl(o.lang, ((struct label){"疑似重复", "疑似重複", "Likely duplicates"})),
                dedup_rows, &dismissed, "dedup", "person-duplicates");
}

/* ---- CSV ---------------------------------------------------------------------------- */

/* Is a value of f a number that the export formats itself (money, integers, ids)? */
static int is_number(const struct field *f)
{
    return f->type == FT_MONEY || f->type == FT_INT || f->type == FT_YEAR || f->type == FT_REF;
}

static int csv_row(void *arg, json_t *rec)
{
    struct xout *o = arg;
    for (int i = 0; i < o->ncol; i++) {
        if (i)
            buf_putc(&o->b, ',');
        const struct xcol *cl = &o->cols[i];
        const char *s = cell_text(o, cl, rec);
        if (s && !cl->name_of && is_number(cl->f))
            buf_puts(&o->b, s); /* a number made here ("-1000.50"): never a formula */
        else if (s)
            esc_csv(&o->b, s);
    }
    buf_puts(&o->b, "\r\n");
    if ((++o->row & 1023) == 0) {
        arena_free(o->ra);
        o->ra = arena_new();
    }
    return 0;
}

/* GET /api/v1/export/{entity}.csv: the same columns and values as the XLSX, as UTF-8 CSV
 * with a BOM (so Excel reads it as UTF-8). */
void export_csv_h(struct req *r)
{
    struct xout o = xout_new(r);
    o.cols = columns(o.a, r->ent, o.lang, 1, &o.ncol);
    buf_puts(&o.b, "\xEF\xBB\xBF");
    for (int i = 0; i < o.ncol; i++) {
        if (i)
            buf_putc(&o.b, ',');
        esc_csv(&o.b, o.cols[i].label);
    }
    buf_puts(&o.b, "\r\n");
    int nargs;
    struct kv *args = list_args(r, &nargs);
    struct verr e;
    int n = ent_each(&r->ctx, r->ent, args, nargs, csv_row, &o, &e);
    km_free(&o.names);
    arena_free(o.a);
    arena_free(o.ra);
    if (n < 0) {
        buf_free(&o.b);
        reply_verr(r, &e);
        return;
    }
    json_t *what = export_what(r, n, "csv");
    int rc = audit_alone(&r->ctx, "export", r->ent->name, 0, NULL, what);
    json_decref(what);
    if (rc != DB_OK) {
        buf_free(&o.b);
        reply_db_error(r, "无法记录导出日志, 未导出");
        return;
    }
    reply_header(r, "Content-Disposition",
                 arena_printf(r->a, "attachment; filename=\"%s.csv\"", r->ent->name));
    size_t len = o.b.len;
    reply_raw(r, 200, "text/csv; charset=utf-8", buf_take(&o.b), len);
}

/* ---- the import template and the refused rows ---------------------------------------- */

/* A column a sheet imports: writable, not hidden. */
static int importable(const struct field *f)
{
    return !(f->flags & (FF_HIDDEN | FF_READONLY));
}

/* GET /api/v1/import/{entity}/template.xlsx[?lang=]: an empty sheet to fill in, written in
 * the reader's language (req_lang: the headers, the hints, the allowed values; the import
 * reads a header or a value in any of the three): the importable fields' headers (required
 * ones marked *), ID and phone columns formatted as text (Excel keeps every digit), date
 * columns as dates, money as 元; a sheet 可选值 with each enum and set field's allowed
 * labels, and a dropdown (data validation) of them on each enum column; a hint on each
 * set, link and money column. */
void import_template_h(struct req *r)
{
    if (!strcmp(r->ent->name, "user")) {
        reply_error(r, 400, "not_importable", NULL, "用户账号不能批量导入, 请在用户管理中逐个添加");
        return;
    }
    enum lang lang = (enum lang)req_lang(r);
    char path[32];
    lxw_workbook *wb = workbook_tmp(r, path, 0);
    if (!wb)
        return;
    struct xout o = {0};
    formats(wb, &o);
    const struct entity *ent = r->ent;
    lxw_worksheet *ws = workbook_add_worksheet(wb, lbl(lang, ent->label));
    lxw_worksheet *vs = workbook_add_worksheet(wb, msg(lang, "可选值"));
    lxw_col_t col = 0, vcol = 0;
    for (const struct field *f = ent->fields; f->name; f++) {
        if (!importable(f))
            continue;
        const char *label = lbl(lang, f->label);
        const char *h = f->flags & FF_REQUIRED ? arena_printf(r->a, "%s*", label) : label;
        lxw_format *fmt = field_is_code(f)      ? o.text
                          : f->type == FT_DATE  ? o.date
                          : f->type == FT_MONEY ? o.money
                                                : NULL;
        int w = text_width(h) + 4;
        worksheet_set_column(ws, col, col, field_is_code(f) || f->values ? (w < 20 ? 20 : w) : w,
                             fmt);
        worksheet_write_string(ws, 0, col, h, o.bold);
        const char *hint = NULL;
        if (f->values && (f->type == FT_ENUM || f->type == FT_SET || f->type == FT_PARTY)) {
            int n = 0;
            size_t len = 0;
            const char **list = arena_alloc(r->a, 256 * sizeof *list);
            worksheet_write_string(vs, 0, vcol, label, o.bold);
            for (const struct enumval *ev = f->values; ev->value && n < 255; ev++) {
                if (f->type == FT_PARTY && !(f->party & (1u << (ev - f->values))))
                    continue;
                const char *v = lbl(lang, ev->label);
                list[n++] = v;
                len += strlen(v) + 1;
                if (strchr(v, ',')) /* Excel's list is written with ',' between its items */
                    len = 256;
                worksheet_write_string(vs, (lxw_row_t)n, vcol, v, NULL);
            }
            list[n] = NULL;
            worksheet_set_column(vs, vcol, vcol, 24, NULL);
            /* a dropdown of the labels: Excel holds a list of at most 255 characters (a
             * list by a formula naming 可选值's cells would have no limit, but Debian's
             * libxlsxwriter 1.1.4 leaks its text) */
            if (f->type != FT_SET && len <= 255) {
                lxw_data_validation dv = {
                    .validate = LXW_VALIDATION_TYPE_LIST,
                    .value_list = (char **)list,
                    .error_type = LXW_VALIDATION_ERROR_TYPE_WARNING,
                    .error_title = (char *)msg(lang, "不在可选值中"),
                    .error_message =
                        (char *)msg(lang, "请从下拉列表中选择, 可选值见“可选值”工作表"),
                };
                worksheet_data_validation_range(ws, 1, col, 10000, col, &dv);
            } else {
                hint = f->type == FT_SET
                           ? msg(lang, "可填多项, 用 ; 或 、 分隔; 可选值见“可选值”工作表")
                           : msg(lang, "可选值见“可选值”工作表");
            }
            vcol++;
        } else if (f->type == FT_REF) {
            hint = msg(lang, "填写编号, 或您权限范围内唯一的名称");
        } else if (f->type == FT_MONEY) {
            hint = msg(lang, "金额单位: 元, 可有两位小数 (如 12,345.67)");
        } else if (field_is_code(f)) {
            hint = msg(lang, "本列为文本格式: 请保留全部数字, 不要改成数字格式");
        } else if (f->type == FT_DATE) {
            hint = msg(lang, "日期, 如 1985-03-12、1985/3/12 或 1985年3月12日");
        }
        if (hint) {
            lxw_data_validation dv = {.validate = LXW_VALIDATION_TYPE_ANY,
                                      .input_title = (char *)label,
                                      .input_message = (char *)hint};
            worksheet_data_validation_range(ws, 1, col, 10000, col, &dv);
        }
        col++;
    }
    worksheet_freeze_panes(ws, 1, 0);
    if (!vcol)
        worksheet_write_string(vs, 0, 0, msg(lang, "本表没有需要从列表中选择的字段"), NULL);
    send_workbook(r, wb, path, arena_printf(r->a, "%s-template", ent->name), NULL, NULL);
}

/* POST /api/v1/import/{entity}/refused.xlsx?mapping=JSON (body: the file): the dry run,
 * then the rows it refused as a sheet: the file's header row and its cells as they were
 * (numbers stay numbers, so a number that lost digits is refused again until it is fixed),
 * and a column 问题 with every problem of the row, which the import ignores; the sheet's
 * name, 问题 and the problems in the reader's language (req_lang). 422 with the report's
 * error when the file itself cannot be read. */
void import_refused_h(struct req *r)
{
    r->ctx.lang = (enum lang)req_lang(r); /* ?lang= too: the problems are written in it */
    msg_lang_set(r->ctx.lang);
    json_t *mapping;
    if (import_mapping(r, &mapping))
        return;
    struct verr e;
    struct table t;
    table_init(&t);
    json_t *rep = NULL;
    int ok = 0;
    if (table_read(&t, r->body, r->body_len, &e) == 0)
        rep = import_table(&r->ctx, r->ent, &t, mapping, 1, NULL, NULL, &ok, &e);
    json_decref(mapping);
    if (!rep) {
        table_free(&t);
        reply_verr(r, &e);
        return;
    }
    /* the problems of each row, by its number */
    struct keymap probs = {.a = t.a};
    json_t *msgs = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rep, "errors"), i, x)
    {
        const char *k =
            arena_printf(t.a, "%lld", (long long)json_integer_value(json_object_get(x, "row")));
        int64_t *slot = km_slot(&probs, k, 1);
        if (!*slot) {
            json_array_append_new(msgs, json_string(""));
            *slot = (int64_t)json_array_size(msgs);
        }
        const char *before = json_string_value(json_array_get(msgs, (size_t)*slot - 1));
        const char *col = json_string_value(json_object_get(x, "column"));
        json_array_set_new(msgs, (size_t)*slot - 1,
                           json_sprintf("%s%s%s%s%s", before, *before ? "\n" : "", col ? col : "",
                                        col ? msg_cur(" 列: ") : "",
                                        json_string_value(json_object_get(x, "message"))));
    }
    int hdr = -1;
    for (int k = 0; k < t.nrows && hdr < 0; k++)
        if (t.rows[k].num == json_integer_value(json_object_get(rep, "header_row")))
            hdr = k;
    char path[32];
    lxw_workbook *wb = hdr >= 0 ? workbook_tmp(r, path, 1) : NULL;
    if (!wb) {
        if (hdr < 0)
            reply_error(r, 422, "empty", NULL, "文件里没有表头行");
        km_free(&probs);
        json_decref(msgs);
        json_decref(rep);
        table_free(&t);
        return;
    }
    struct xout o = {0};
    formats(wb, &o);
    lxw_worksheet *ws = workbook_add_worksheet(wb, msg_cur("未通过的行"));
    struct trow *h = &t.rows[hdr];
    int *width = arena_alloc(t.a, (size_t)(h->n + 1) * sizeof *width); /* as the export's */
    for (int c = 0; c < h->n; c++) {
        width[c] = text_width(h->cells[c]) + 3;
        worksheet_write_string(ws, 0, (lxw_col_t)c, h->cells[c], o.bold);
    }
    worksheet_set_column(ws, (lxw_col_t)h->n, (lxw_col_t)h->n, 60, NULL);
    worksheet_write_string(ws, 0, (lxw_col_t)h->n, msg_cur("问题"), o.bold);
    worksheet_freeze_panes(ws, 1, 0);
    lxw_row_t out = 0;
    lxw_format *wrap = workbook_add_format(wb);
    format_set_text_wrap(wrap);
    format_set_font_color(wrap, 0xC00000);
    for (int k = hdr + 1; k < t.nrows; k++) {
        struct trow *row = &t.rows[k];
        int64_t *slot = km_slot(&probs, arena_printf(t.a, "%d", row->num), 0);
        if (!slot || !*slot)
            continue;
        out++;
        for (int c = 0; c < row->n && c < h->n; c++) {
            if (!*row->cells[c])
                continue;
            int w = text_width(row->cells[c]);
            width[c] = w > width[c] ? w : width[c];
            if (row->numeric && row->numeric[c] == 1)
                worksheet_write_number(ws, out, (lxw_col_t)c, strtod(row->cells[c], NULL), NULL);
            else
                worksheet_write_string(ws, out, (lxw_col_t)c, row->cells[c], o.text);
        }
        worksheet_write_string(ws, out, (lxw_col_t)h->n,
                               json_string_value(json_array_get(msgs, (size_t)*slot - 1)), wrap);
    }
    for (int c = 0; c < h->n; c++) /* text: a number typed again keeps its digits */
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, width[c] > 60 ? 60 : width[c] + 1,
                             o.text);
    km_free(&probs);
    json_decref(msgs);
    json_decref(rep);
    table_free(&t);
    send_workbook(r, wb, path, arena_printf(r->a, "%s-refused", r->ent->name), NULL, NULL);
}

int export_cli(db *d, const char *entity, const char *file, int64_t org, int unmask)
{
    const struct entity *ent = entity_find(entity);
    size_t n = strlen(file);
    int xlsx = n > 5 && !strcasecmp(file + n - 5, ".xlsx"),
        csv = n > 4 && !strcasecmp(file + n - 4, ".csv");
    if (!ent) {
        fprintf(stderr, msg_cur("qiao: 没有“%s”这种记录; 可导出:"), entity);
        for (const struct entity *const *e = ent_all(); *e; e++)
            fprintf(stderr, " %s", (*e)->name);
        fputc('\n', stderr);
        return 2;
    }
    if (!xlsx && !csv) {
        fprintf(stderr, msg_cur("qiao: 导出文件应以 .xlsx 或 .csv 结尾: %s\n"), file);
        return 2;
    }
    if (access(file, F_OK) == 0) {
        fprintf(stderr, msg_cur("qiao: %s 已存在, 不覆盖\n"), file);
        return 2;
    }
    /* the handler of GET /api/v1/export/{entity}.xlsx|.csv, as the system (everything),
     * the subtree of org when given */
    arena *a = arena_new();
    char oid[24];
    snprintf(oid, sizeof oid, "%lld", (long long)org);
    struct kv args[] = {{"org_subtree", oid}};
    struct req r = {.a = a,
                    .method = "GET",
                    .path = "qiao export",
                    .client = "cli",
                    .ent = ent,
                    .db = d,
                    .args = args,
                    .nargs = org ? 1 : 0};
    r.ctx = (struct ent_ctx){.db = d,
                             .a = a,
                             .username = "system",
                             .client = "cli",
                             .org_id = org ? org : 1,
                             .may_unmask = 1,
                             .unmask = unmask};
    if (xlsx)
        export_xlsx_h(&r);
    else
        export_csv_h(&r);
    int rc = 0;
    if (r.status == 200 && unmask) {
        json_t *what = json_pack("{s:s, s:s}", "method", "cli", "path", file);
        if (audit_alone(&r.ctx, "unmask", ent->name, 0, NULL, what) != DB_OK)
            r.status = 500;
        json_decref(what);
    }
    if (r.status != 200) {
        json_t *j = r.out ? json_loadb(r.out, r.out_len, 0, NULL) : NULL;
        const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
        fprintf(stderr, msg_cur("qiao: 未导出: %s\n"), m ? m : msg_cur("数据库错误"));
        json_decref(j);
        rc = 1;
    } else {
        FILE *f = fopen(file, "wb");
        int ok = f && fwrite(r.out, 1, r.out_len, f) == r.out_len;
        if (f && fclose(f))
            ok = 0;
        if (!ok) {
            fprintf(stderr, msg_cur("qiao: 无法写 %s\n"), file);
            if (f)
                unlink(file);
            rc = 1;
        } else {
            fprintf(stderr, msg_cur("已导出到 %s\n"), file);
        }
    }
    free(r.out);
    arena_free(a);
    return rc;
}
