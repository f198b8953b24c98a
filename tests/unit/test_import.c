/* Unit tests of the census readers (xlsx.c): the CSV parser (quotes, doubled quotes,
 * newlines inside quotes, BOM, line ends, separators), encodings (UTF-8, GB18030, refusals),
 * the XLSX reader on workbooks written by libxlsxwriter (strings, numbers, dates, merged
 * cells, a zip that is not a workbook), day serials and column letters; and the import on
 * a fresh SQLite file (all or nothing). */
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

static void import_all_or_nothing(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/qiao-unit-i%d.db", (int)getpid());
    unlink(path);
    char err[256];
    db *d = db_open(path, err, sizeof err);
    assert_non_null(d);
    assert_true(schema_upgrade(d) >= 0);
    arena *a = arena_new();
    struct ent_ctx c = {.db = d, .a = a};
    const struct entity *person = entity_find("person");
    struct verr e;
    int ok;
    json_t *root = json_pack("{s:s, s:s}", "name", "根", "kind", "federation");
    json_t *o = ent_create(&c, entity_find("org"), root, &e);
    assert_non_null(o);
    c.org_id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    json_decref(root);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_quotes_and_newlines),
        cmocka_unit_test(csv_separators_and_errors),
        cmocka_unit_test(encodings),
        cmocka_unit_test(serials_and_columns),
        cmocka_unit_test(xlsx_workbook),
        cmocka_unit_test(not_a_workbook),
        cmocka_unit_test(import_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
