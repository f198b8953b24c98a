/* export.c - GET /api/v1/export/{entity}.xlsx: a list (the same filters as the list and
 * the CSV export in api.c) as an Excel workbook written with libxlsxwriter, within the
 * user's scope and masking (ent_each), audited. Text cells are written as strings, never
 * as formulas, so "=..." in a cell stays text. */
#include "audit.h"
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

struct xlsx_out {
    const struct entity *ent;
    lxw_worksheet *ws;
    lxw_format *date;
    lxw_row_t row;
    int failed;
};

/* One record as a row: numbers as numbers, dates as dates, sets joined with ';'. */
static int xlsx_row(void *arg, json_t *rec)
{
    struct xlsx_out *o = arg;
    lxw_col_t col = 0;
    o->row++;
    for (const struct field *f = o->ent->fields; f->name; f++) {
        if (f->flags & FF_HIDDEN)
            continue;
        json_t *v = json_object_get(rec, f->name);
        lxw_error rc = LXW_NO_ERROR;
        if (json_is_string(v)) {
            const char *s = json_string_value(v);
            int y, m, d;
            if (f->type == FT_DATE && sscanf(s, "%4d-%2d-%2d", &y, &m, &d) == 3 &&
                strlen(s) == 10) {
                lxw_datetime dt = {y, m, d, 0, 0, 0};
                rc = worksheet_write_datetime(o->ws, o->row, col, &dt, o->date);
            } else {
                rc = worksheet_write_string(o->ws, o->row, col, s, NULL);
            }
        } else if (json_is_integer(v)) {
            rc = worksheet_write_number(o->ws, o->row, col, (double)json_integer_value(v), NULL);
        } else if (json_is_boolean(v)) {
            rc = worksheet_write_string(o->ws, o->row, col, json_is_true(v) ? "是" : "否", NULL);
        } else if (json_is_array(v) && json_array_size(v)) {
            buf j = {0};
            size_t i;
            json_t *x;
            json_array_foreach(v, i, x) buf_printf(&j, "%s%s", i ? ";" : "", json_string_value(x));
            rc = worksheet_write_string(o->ws, o->row, col, buf_str(&j), NULL);
            buf_free(&j);
        }
        if (rc != LXW_NO_ERROR) {
            o->failed = 1;
            return 1;
        }
        col++;
    }
    return 0;
}

/* Read a whole file into a malloc'd buffer; NULL on failure. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return b.s ? buf_take(&b) : xstrdup("");
}

/* GET /api/v1/export/{entity}.xlsx */
void export_xlsx_h(struct req *r)
{
    char path[] = "/tmp/qiao-export-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        reply_error(r, 500, "internal", NULL, "无法创建临时文件, 未导出");
        return;
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = "/tmp"};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb) {
        unlink(path);
        reply_error(r, 500, "internal", NULL, "无法创建 XLSX 文件, 未导出");
        return;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, r->ent->label.hans);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    struct xlsx_out o = {.ent = r->ent, .ws = ws, .date = date, .row = 0};
    lxw_col_t col = 0;
    for (const struct field *f = r->ent->fields; f->name; f++)
        if (!(f->flags & FF_HIDDEN))
            worksheet_write_string(ws, 0, col++, f->label.hans, bold);
    struct verr e;
    int n = ent_each(&r->ctx, r->ent, r->args, r->nargs, xlsx_row, &o, &e);
    lxw_error wrc = workbook_close(wb);
    if (n < 0 || o.failed || wrc != LXW_NO_ERROR) {
        unlink(path);
        if (n < 0)
            reply_verr(r, &e);
        else
            reply_error(r, 500, "internal", NULL, "无法写出 XLSX 文件, 未导出");
        return;
    }
    size_t len = 0;
    char *data = slurp(path, &len);
    unlink(path);
    if (!data) {
        reply_error(r, 500, "internal", NULL, "无法读取导出文件, 未导出");
        return;
    }
    json_t *what = json_pack("{s:i, s:s}", "rows", n, "format", "xlsx");
    for (int i = 0; i < r->nargs; i++)
        json_object_set_new(what, r->args[i].key, json_string(r->args[i].value) ?: json_null());
    int rc = audit_alone(&r->ctx, "export", r->ent->name, 0, NULL, what);
    json_decref(what);
    if (rc != DB_OK) {
        free(data);
        reply_db_error(r, "无法记录导出日志, 未导出");
        return;
    }
    char *cd = arena_printf(r->a, "attachment; filename=\"%s.xlsx\"", r->ent->name);
    reply_header(r, "Content-Disposition", cd);
    reply_raw(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data,
              len);
}
