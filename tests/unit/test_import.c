/* Unit tests of the census readers (xlsx.c): the CSV parser (quotes, doubled quotes,
 * newlines inside quotes, BOM, line ends, separators), encodings (UTF-8, GB18030, refusals),
 * the XLSX reader on workbooks written by libxlsxwriter (strings, numbers, dates, merged
 * cells, a zip that is not a workbook), day serials and column letters; cells as people
 * write them (cells.c: spaces, full-width forms, money in 元, dates, phones, regions and
 * countries by name); and the import on a fresh SQLite file (all or nothing; the header
 * under a title row; numbers that lost digits and masked values refused; every problem of
 * a row in one pass; rows with 编号 updating their records); the old formats (.xls read,
 * .ods, WPS and Word files refused). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "cells.h"
#include "import.h"
#include "schema.h"
#include "xlsx.h"

static struct table parse(const char *s)
{
    struct table t;
    struct verr e;
    table_init(&t);
    assert_int_equal(table_read(&t, s, strlen(s), &e), 0);
    return t;
}

static void csv_quotes_and_newlines(void **state)
{
    (void)state;
    struct table t = parse("\xEF\xBB\xBF"
                           "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n,,\nlast");
    assert_int_equal(t.nrows, 4);
    assert_string_equal(t.rows[0].cells[0], "a"); /* the BOM is gone */
    assert_int_equal(t.rows[1].n, 3);
    assert_string_equal(t.rows[1].cells[0], "x,1");
    assert_string_equal(t.rows[1].cells[1], "say \"hi\"");
    assert_string_equal(t.rows[1].cells[2], "two\nlines");
    assert_int_equal(t.rows[2].n, 3);
    assert_string_equal(t.rows[2].cells[2], "");
    assert_int_equal(t.rows[3].n, 1);
    assert_string_equal(t.rows[3].cells[0], "last");
    table_free(&t);
}

static void csv_separators_and_errors(void **state)
{
    (void)state;
    struct table t = parse("a\tb\n1\t2\n");
    assert_int_equal(t.rows[1].n, 2);
    assert_string_equal(t.rows[1].cells[1], "2");
    table_free(&t);
    t = parse("a;b\r1;2\r");
    assert_int_equal(t.nrows, 2);
    assert_string_equal(t.rows[1].cells[1], "2");
    table_free(&t);
    struct verr e;
    table_init(&t);
    assert_int_equal(table_read(&t, "a,\"b\nc", 6, &e), -1);
    assert_int_equal(e.status, 422);
    table_free(&t);
}

/* table_open reads a CSV row by row: the rows table_read gives, in GB18030 too; rows before
 * a dropped one are freed, those read ahead kept; a broken file is refused before any row. */
static void csv_row_by_row(void **state)
{
    (void)state;
    buf text = {0};
    buf_puts(&text, "\xEF\xBB\xBF名,注\r\n");
    for (int i = 0; i < 10000; i++)
        buf_printf(&text, "n%d,\"%s\"\n", i, i % 7 ? "x" : "two\nlines, \"\"q\"\"");
    struct table whole, rows;
    struct verr e;
    table_init(&whole);
    table_init(&rows);
    assert_int_equal(table_read(&whole, text.s, text.len, &e), 0);
    assert_int_equal(table_open(&rows, text.s, text.len, &e), 0);
    assert_int_equal(rows.total, whole.nrows);
    assert_int_equal(rows.total, 10001);
    assert_string_equal(table_row(&rows, 3)->cells[0], "n2"); /* a look-ahead, then back */
    for (int i = 0;; i++) {
        table_drop(&rows, i);
        struct trow *r = table_row(&rows, i);
        if (i == whole.nrows) {
            assert_null(r);
            break;
        }
        assert_non_null(r);
        assert_int_equal(r->num, whole.rows[i].num);
        assert_int_equal(r->n, whole.rows[i].n);
        for (int k = 0; k < r->n; k++)
            assert_string_equal(r->cells[k], whole.rows[i].cells[k]);
    }
    assert_true(rows.first > 0);     /* rows were dropped */
    assert_true(rows.nrows <= 4096); /* and not all held */
    assert_false(rows.failed);
    table_free(&whole);
    table_free(&rows);
    /* 陈,x in GB18030 */
    table_init(&rows);
    assert_int_equal(table_open(&rows, "\xB3\xC2,x\n", 5, &e), 0);
    assert_string_equal(table_row(&rows, 0)->cells[0], "陈");
    table_free(&rows);
    table_init(&rows);
    buf_puts(&text, "a,\"b\n");
    assert_int_equal(table_open(&rows, text.s, text.len, &e), -1);
    assert_int_equal(e.status, 422);
    assert_non_null(strstr(e.msg, "引号没有闭合"));
    table_free(&rows);
    buf_free(&text);
}

static void encodings(void **state)
{
    (void)state;
    /* 陈 in GB18030 is B3 C2 */
    struct table t = parse("\xD0\xD5\xC3\xFB\n\xB3\xC2\n");
    assert_string_equal(t.rows[0].cells[0], "姓名");
    assert_string_equal(t.rows[1].cells[0], "陈");
    table_free(&t);
    struct verr e;
    char *out;
    size_t n;
    assert_int_equal(text_to_utf8("\xFF\xFE"
                                  "a\0",
                                  4, &out, &n, &e),
                     -1);
    assert_int_equal(e.status, 415);
    assert_int_equal(text_to_utf8("\x81\x30\xFF", 3, &out, &n, &e), -1);
    assert_string_equal(e.code, "bad_encoding");
    assert_int_equal(text_to_utf8("ok", 2, &out, &n, &e), 0);
    free(out);
}

static void serials_and_columns(void **state)
{
    (void)state;
    char d[11];
    assert_int_equal(xlsx_serial_date(25569, d), 0);
    assert_string_equal(d, "1970-01-01");
    assert_int_equal(xlsx_serial_date(1, d), 0);
    assert_string_equal(d, "1900-01-01");
    assert_int_equal(xlsx_serial_date(61, d), 0);
    assert_string_equal(d, "1900-03-01");
    assert_int_equal(xlsx_serial_date(45413.75, d), 0);
    assert_string_equal(d, "2024-05-01");
    assert_int_equal(xlsx_serial_date(0, d), -1);
    assert_int_equal(xlsx_serial_date(1e9, d), -1);
    assert_int_equal(xlsx_col_of("A1"), 1);
    assert_int_equal(xlsx_col_of("AB12"), 28);
    char c[4];
    xlsx_col_name(28, c);
    assert_string_equal(c, "AB");
    xlsx_col_name(16384, c);
    assert_string_equal(c, "XFD");
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    buf b = {0};
    char chunk[4096];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, k);
    fclose(f);
    *n = b.len;
    return buf_take(&b);
}

static void xlsx_workbook(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/qiao-unit-x%d.xlsx", (int)getpid());
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "普查");
    lxw_format *df = workbook_add_format(wb);
    format_set_num_format(df, "yyyy\"年\"m\"月\"d\"日\"");
    worksheet_write_string(ws, 0, 0, "姓名", NULL);
    worksheet_write_string(ws, 0, 1, "出生日期", NULL);
    worksheet_write_string(ws, 0, 2, "迁出年份", NULL);
    worksheet_write_string(ws, 1, 0, "陳嘉庚", NULL);
    lxw_datetime dt = {1974, 10, 21, 0, 0, 0};
    worksheet_write_datetime(ws, 1, 1, &dt, df);
    worksheet_write_number(ws, 1, 2, 1890, NULL);
    worksheet_write_string(ws, 3, 0, "=1+1", NULL); /* a string, not a formula */
    worksheet_merge_range(ws, 4, 0, 5, 0, "合并", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    size_t n;
    char *data = slurp(path, &n);
    unlink(path);
    struct table t;
    struct verr e;
    table_init(&t);
    assert_int_equal(table_read(&t, data, n, &e), 0);
    assert_true(t.xlsx);
    assert_int_equal(t.rows[0].num, 1);
    assert_string_equal(t.rows[0].cells[1], "出生日期");
    assert_string_equal(t.rows[1].cells[0], "陳嘉庚");
    assert_string_equal(t.rows[1].cells[1], "1974-10-21");
    assert_string_equal(t.rows[1].cells[2], "1890");
    assert_true(t.rows[1].numeric[2]);
    assert_int_equal(t.rows[2].num, 4); /* row 3 is empty and absent */
    assert_string_equal(t.rows[2].cells[0], "=1+1");
    assert_int_equal(json_array_size(t.merges), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(t.merges, 0), "ref")),
                        "A5:A6");
    table_free(&t);
    free(data);
}

static void not_a_workbook(void **state)
{
    (void)state;
    /* an empty zip archive (end of central directory only) */
    static const char empty[22] = "PK\x05\x06";
    struct table t;
    struct verr e;
    table_init(&t);
    assert_int_equal(table_read(&t, empty, sizeof empty, &e), -1);
    assert_int_equal(e.status, 415);
    assert_string_equal(e.code, "not_xlsx");
    table_free(&t);
    table_init(&t);
    assert_int_equal(table_read(&t, "PK\x03\x04 broken", 11, &e), -1);
    assert_string_equal(e.code, "not_xlsx");
    table_free(&t);
}

/* A fresh SQLite file (/tmp/qiao-unit-TAG<pid>.db into path) with the schema and a root
 * org; *c the system's context there, the root its org, with a new arena. */
static db *fresh_db(const char *tag, char path[64], struct ent_ctx *c)
{
    snprintf(path, 64, "/tmp/qiao-unit-%s%d.db", tag, (int)getpid());
    unlink(path);
    char err[256];
    db *d = db_open(path, err, sizeof err);
    assert_non_null(d);
    assert_true(schema_upgrade(d) >= 0);
    *c = (struct ent_ctx){.db = d, .a = arena_new()};
    struct verr e;
    json_t *root = json_pack("{s:s, s:s}", "name", "根", "kind", "federation");
    json_t *o = ent_create(c, entity_find("org"), root, &e);
    assert_non_null(o);
    c->org_id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    json_decref(root);
    return d;
}

static void import_all_or_nothing(void **state)
{
    (void)state;
    char path[64];
    struct ent_ctx c;
    db *d = fresh_db("i", path, &c);
    arena *a = c.a;
    const struct entity *person = entity_find("person");
    struct verr e;
    int ok;
    struct table t = parse("姓名,出生日期\n甲,2000-01-01\n乙,2000-02-30\n");
    json_t *rep = import_table(&c, person, &t, NULL, 0, NULL, NULL, &ok, &e);
    assert_non_null(rep);
    assert_false(ok);
    assert_int_equal(json_integer_value(json_object_get(rep, "error_rows")), 1);
    assert_int_equal(db_int(d, -1, "SELECT count(*) FROM person", ""), 0);
    json_decref(rep);
    table_free(&t);
    t = parse("姓名,出生日期\n甲,2000-01-01\n乙,2000-02-28\n");
    rep = import_table(&c, person, &t, NULL, 0, NULL, NULL, &ok, &e);
    assert_true(ok);
    assert_int_equal(db_int(d, -1, "SELECT count(*) FROM person", ""), 2);
    json_decref(rep);
    table_free(&t);
    arena_free(a);
    db_close(d);
    unlink(path);
}

static void cells_clean_and_numbers(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char *plain = "abc 12";
    assert_ptr_equal(cell_clean(a, plain, 1), plain); /* nothing to change: no copy */
    assert_string_equal(cell_clean(a, "陈嘉庚\u3000", 0), "陈嘉庚");
    assert_string_equal(cell_clean(a, "\u00a0 林\u200b文庆\ufeff ", 0), "林文庆");
    assert_string_equal(cell_clean(a, "１９８９－０７－０７", 1), "1989-07-07");
    assert_string_equal(cell_clean(a, "ＡＢ１２，（注）", 0),
                        "AB12，（注）"); /* free text keeps its punctuation */
    assert_string_equal(cell_key(a, "聯繫 電話"), "联系电话");
    assert_true(cell_sci("4.40784197407014E+17"));
    assert_true(cell_sci("1E5"));
    assert_false(cell_sci("440784197407014123"));
    assert_false(cell_sci("E+17"));
    assert_true(cell_masked("A5****57"));
    assert_true(cell_masked("+86***********001"));
    assert_false(cell_masked("A*B"));
    int64_t fen;
    const char *why;
    assert_int_equal(cell_money("12345.67", 0, &fen, &why), 0);
    assert_int_equal(fen, 1234567);
    assert_int_equal(cell_money("12,345.67", 0, &fen, &why), 0);
    assert_int_equal(fen, 1234567);
    assert_int_equal(cell_money("¥12,345.67", 0, &fen, &why), 0);
    assert_int_equal(fen, 1234567);
    assert_int_equal(cell_money("12345678", 0, &fen, &why), 0);
    assert_int_equal(fen, 1234567800);
    assert_int_equal(cell_money("12.5", 4, &fen, &why), 0);
    assert_int_equal(fen, 12500000);
    assert_int_equal(cell_money("-5元", 0, &fen, &why), 0);
    assert_int_equal(fen, -500);
    assert_int_equal(cell_money("2345.678", 0, &fen, &why), -1);
    assert_non_null(strstr(why, "两位小数"));
    assert_int_equal(cell_money("12,34", 0, &fen, &why), -1);
    assert_int_equal(cell_money("abc", 0, &fen, &why), -1);
    assert_int_equal(cell_money("1.2.3", 0, &fen, &why), -1);
    char num[48];
    assert_int_equal(cell_number_text("2345.6700000000001", num), 0);
    assert_string_equal(num, "2345.67");
    assert_int_equal(cell_number_text("1.2345678E+7", num), 0);
    assert_string_equal(num, "12345678");
    arena_free(a);
}

static void cells_dates_phones_places(void **state)
{
    (void)state;
    char d[11], ph[40];
    const char *forms[][2] = {{"1966/7/31", "1966-07-31"},     {"1985.3.12", "1985-03-12"},
                              {"1939年3月11日", "1939-03-11"}, {"19310518", "1931-05-18"},
                              {"1989-07-07", "1989-07-07"},    {"2024-5-1 00:00:00", "2024-05-01"}};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        assert_int_equal(cell_date(forms[i][0], d), 1);
        assert_string_equal(d, forms[i][1]);
    }
    assert_int_equal(cell_date("7/31/1966", d), 0); /* ambiguous: left for validation */
    assert_int_equal(cell_date("2024-05-01 08:30", d), 0);
    assert_int_equal(cell_date("12345678", d), 0);
    assert_int_equal(cell_phone("13812345678", ph), 1);
    assert_string_equal(ph, "+86 138 1234 5678");
    assert_int_equal(cell_phone("0750-5523456", ph), 1);
    assert_string_equal(ph, "+86 750 5523456");
    assert_int_equal(cell_phone("(010)12345678", ph), 1);
    assert_string_equal(ph, "+86 10 12345678");
    assert_int_equal(cell_phone("8613812345678", ph), 1);
    assert_string_equal(ph, "+86 138 1234 5678");
    assert_int_equal(cell_phone("0060123456789", ph), 1);
    assert_string_equal(ph, "+60123456789");
    assert_int_equal(cell_phone("+86 750 1234567", ph), 0);
    assert_int_equal(cell_phone("5523456", ph), 0);
    const char *rest;
    const struct region *r = cell_region("广东省江门市台山市浮石村", &rest);
    assert_non_null(r);
    assert_string_equal(r->code, "440781");
    assert_string_equal(rest, "浮石村");
    assert_string_equal(cell_region("广东江门", &rest)->code, "440700");
    assert_string_equal(cell_region("江门市", &rest)->code, "440700");
    assert_string_equal(cell_region("广东台山", &rest)->code, "440781");
    assert_null(cell_region("朝阳区", &rest)); /* in Beijing and in Changchun */
    assert_null(cell_region("某某村", &rest));
    assert_string_equal(cell_country("马来西亚"), "MY");
    assert_string_equal(cell_country("馬來西亞"), "MY");
    assert_string_equal(cell_country("印尼"), "ID");
    assert_string_equal(cell_country("singapore"), "SG");
    assert_string_equal(cell_country("my"), "MY");
    assert_null(cell_country("火星"));
}

/* A workbook the way a township writes it: a merged title, the header on row 3, an ID
 * number and a phone stored as numbers, a masked value, a row with several problems. */
static void import_census_sheet(void **state)
{
    (void)state;
    char path[64], dbp[64];
    snprintf(path, sizeof path, "/tmp/qiao-unit-c%d.xlsx", (int)getpid());
    snprintf(dbp, sizeof dbp, "/tmp/qiao-unit-c%d.db", (int)getpid());
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "普查");
    worksheet_merge_range(ws, 0, 0, 0, 4, "2024年侨情普查登记表", NULL);
    const char *head[] = {"姓　名", "身份证号码", "联系电话", "祖籍", "序号"};
    for (int i = 0; i < 5; i++)
        worksheet_write_string(ws, 2, (lxw_col_t)i, head[i], NULL);
    worksheet_write_string(ws, 3, 0, "陈嘉庚\u3000", NULL);
    worksheet_write_number(ws, 3, 1, 440784197407014123.0, NULL);
    worksheet_write_number(ws, 3, 2, 13812345678.0, NULL);
    worksheet_write_string(ws, 4, 0, "林文庆", NULL);
    worksheet_write_string(ws, 4, 1, "A5****57", NULL);
    worksheet_write_string(ws, 4, 2, "0750-5523456", NULL);
    worksheet_write_string(ws, 4, 3, "广东省江门市", NULL);
    worksheet_write_string(ws, 6, 2, "12345", NULL); /* no name, a bad phone */
    worksheet_write_string(ws, 7, 0, "黄二", NULL);
    worksheet_write_string(ws, 7, 2, "13812345678", NULL);
    worksheet_write_string(ws, 7, 3, "广东台山", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    size_t n;
    char *data = slurp(path, &n);
    unlink(path);
    unlink(dbp);
    char err[256];
    db *d = db_open(dbp, err, sizeof err);
    assert_non_null(d);
    assert_true(schema_upgrade(d) >= 0);
    arena *a = arena_new();
    struct ent_ctx c = {.db = d, .a = a};
    struct verr e;
    json_t *root = json_pack("{s:s, s:s}", "name", "根", "kind", "federation");
    json_t *o = ent_create(&c, entity_find("org"), root, &e);
    c.org_id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    json_decref(root);
    struct table t;
    table_init(&t);
    assert_int_equal(table_read(&t, data, n, &e), 0);
    int ok;
    json_t *rep = import_table(&c, entity_find("person"), &t, NULL, 1, NULL, NULL, &ok, &e);
    assert_non_null(rep);
    assert_false(ok);
    assert_int_equal(json_integer_value(json_object_get(rep, "header_row")), 3);
    json_t *ign = json_object_get(rep, "ignored");
    assert_int_equal(json_array_size(ign), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ign, 0), "header")),
                        "序号");
    json_t *errs = json_object_get(rep, "errors");
    const char *want[][3] = {{"4", "B", "number_lost"},
                             {"4", "C", "number_lost"},
                             {"5", "B", "masked"},
                             {"7", "C", "invalid"},
                             {"7", "A", "invalid"}};
    assert_int_equal(json_array_size(errs), sizeof want / sizeof *want);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        json_t *x = json_array_get(errs, i);
        assert_int_equal(json_integer_value(json_object_get(x, "row")), atoi(want[i][0]));
        assert_string_equal(json_string_value(json_object_get(x, "column")), want[i][1]);
        assert_string_equal(json_string_value(json_object_get(x, "code")), want[i][2]);
    }
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errs, 0), "message")),
                           "身份证号码被存成了数字"));
    assert_int_equal(json_integer_value(json_object_get(rep, "rows")), 4);
    assert_int_equal(json_integer_value(json_object_get(rep, "ok")), 1);
    assert_int_equal(json_integer_value(json_object_get(rep, "error_rows")), 3);
    json_decref(rep);
    table_free(&t);
    /* the good row alone: stored as meant */
    struct table g = parse("标题\n\n姓名,联系电话,祖籍\n黄二　,13812345678,广东台山斗山镇\n");
    rep = import_table(&c, entity_find("person"), &g, NULL, 0, NULL, NULL, &ok, &e);
    assert_true(ok);
    assert_int_equal(json_integer_value(json_object_get(rep, "header_row")), 3);
    json_decref(rep);
    table_free(&g);
    assert_int_equal(db_int(d, 0,
                            "SELECT count(*) FROM person WHERE name = '黄二' AND phone = "
                            "'+86 138 1234 5678' AND ancestral_region_code = '440781' AND "
                            "ancestral_place = '斗山镇'",
                            ""),
                     1);
    free(data);
    arena_free(a);
    db_close(d);
    unlink(dbp);
}

/* The old formats: an .xls written by LibreOffice Calc (tests/data/calc) read as its .xlsx
 * is (a number stays a number as Excel shows it, a date cell a date); OpenDocument, WPS and
 * Word files refused by their content, naming the format and how to save as .xlsx. */
static void legacy_formats(void **state)
{
    (void)state;
    size_t n;
    char *data = slurp("tests/data/calc/census-calc.xls", &n);
    assert_non_null(data);
    struct table t;
    struct verr e;
    table_init(&t);
    assert_int_equal(table_read(&t, data, n, &e), 0);
    free(data);
    assert_true(t.xlsx);
    assert_int_equal(t.rows[0].num, 1);
    assert_string_equal(t.rows[0].cells[0], "2024年侨情普查登记表（清江市）");
    struct trow *h = NULL, *r1 = NULL;
    for (int i = 0; i < t.nrows; i++) {
        if (t.rows[i].num == 3)
            h = &t.rows[i];
        if (t.rows[i].num == 4)
            r1 = &t.rows[i];
    }
    assert_non_null(h);
    assert_non_null(r1);
    assert_string_equal(h->cells[4], "身份证号码");
    assert_string_equal(r1->cells[1], "陈嘉庚");
    assert_string_equal(r1->cells[3], "1966-07-31");
    assert_int_equal(r1->numeric[3], 2);
    assert_string_equal(r1->cells[4], "4.40781196607311E+17");
    assert_int_equal(r1->numeric[4], 1);
    assert_string_equal(r1->cells[5], "13812345678");
    table_free(&t);

    data = slurp("tests/data/calc/census-calc.ods", &n);
    assert_non_null(data);
    table_init(&t);
    assert_int_equal(table_read(&t, data, n, &e), -1);
    free(data);
    assert_int_equal(e.status, 415);
    assert_non_null(strstr(e.msg, ".ods"));
    assert_non_null(strstr(e.msg, ".xlsx"));
    table_free(&t);

    char cfbf[1024] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    table_init(&t);
    assert_int_equal(table_read(&t, cfbf, sizeof cfbf, &e), -1);
    assert_int_equal(e.status, 415);
    assert_non_null(strstr(e.msg, "WPS"));
    table_free(&t);
    memcpy(cfbf + 512, "W\0o\0r\0d\0D\0o\0c\0u\0m\0e\0n\0t\0", 24);
    table_init(&t);
    assert_int_equal(table_read(&t, cfbf, sizeof cfbf, &e), -1);
    assert_non_null(strstr(e.msg, "Word"));
    table_free(&t);
    /* a workbook stream named, but not a workbook: refused, not crashed */
    memcpy(cfbf + 512, "W\0o\0r\0k\0b\0o\0o\0k\0", 16);
    table_init(&t);
    assert_int_equal(table_read(&t, cfbf, sizeof cfbf, &e), -1);
    assert_int_equal(e.status, 422);
    table_free(&t);
}

/* 编号: the rows that name a record update it (only what differs), the others are new;
 * a row that changes nothing says so; all or nothing. */
static void import_updates_by_id(void **state)
{
    (void)state;
    char path[64];
    struct ent_ctx c;
    db *d = fresh_db("u", path, &c);
    arena *a = c.a;
    const struct entity *person = entity_find("person");
    struct verr e;
    int ok;
    struct table t = parse("姓名,性别\n甲,男\n乙,女\n");
    json_decref(import_table(&c, person, &t, NULL, 0, NULL, NULL, &ok, &e));
    assert_true(ok);
    table_free(&t);
    t = parse("编号,姓名,性别\n1,甲,女\n2,乙,女\n,丙,男\n");
    json_t *rep = import_table(&c, person, &t, NULL, 1, NULL, NULL, &ok, &e);
    assert_true(ok);
    assert_int_equal(json_integer_value(json_object_get(rep, "new")), 1);
    assert_int_equal(json_integer_value(json_object_get(rep, "to_update")), 1);
    assert_int_equal(json_integer_value(json_object_get(rep, "unchanged")), 1);
    json_t *u = json_array_get(json_object_get(rep, "updates"), 0);
    json_t *ch = json_array_get(json_object_get(u, "changes"), 0);
    assert_string_equal(json_string_value(json_object_get(ch, "field")), "gender");
    assert_string_equal(json_string_value(json_object_get(ch, "from")), "male");
    assert_string_equal(json_string_value(json_object_get(ch, "to")), "female");
    json_decref(rep);
    table_free(&t);
    /* one row wrong: nothing changed */
    t = parse("编号,姓名,性别\n1,甲,女\n2,乙,火星人\n");
    rep = import_table(&c, person, &t, NULL, 0, NULL, NULL, &ok, &e);
    assert_false(ok);
    json_decref(rep);
    table_free(&t);
    assert_int_equal(db_int(d, -1, "SELECT count(*) FROM person WHERE gender = 'male'", ""), 1);
    t = parse("编号,姓名,性别\n1,甲,女\n");
    json_decref(import_table(&c, person, &t, NULL, 0, NULL, NULL, &ok, &e));
    assert_true(ok);
    table_free(&t);
    assert_int_equal(db_int(d, -1, "SELECT count(*) FROM person WHERE gender = 'male'", ""), 0);
    assert_int_equal(db_int(d, -1, "SELECT count(*) FROM person", ""), 2);
    arena_free(a);
    db_close(d);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_quotes_and_newlines), cmocka_unit_test(csv_separators_and_errors),
        cmocka_unit_test(csv_row_by_row),          cmocka_unit_test(encodings),
        cmocka_unit_test(serials_and_columns),     cmocka_unit_test(xlsx_workbook),
        cmocka_unit_test(not_a_workbook),          cmocka_unit_test(import_all_or_nothing),
        cmocka_unit_test(cells_clean_and_numbers), cmocka_unit_test(cells_dates_phones_places),
        cmocka_unit_test(import_census_sheet),     cmocka_unit_test(legacy_formats),
        cmocka_unit_test(import_updates_by_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
