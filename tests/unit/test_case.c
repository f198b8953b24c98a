/* Unit tests of the service desk's pure parts: working-day due dates (weekends, public
 * holidays, make-up working days, the database's holiday table) and the attachment
 * type sniffing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "case.h"
#include "schema.h"
#include "workday.h"

static void weekends_are_skipped(void **state)
{
    (void)state;
    char out[11];
    assert_true(workday_is("2024-05-10", NULL, 0));  /* Friday */
    assert_false(workday_is("2024-05-11", NULL, 0)); /* Saturday */
    assert_false(workday_is("2024-05-12", NULL, 0)); /* Sunday */
    assert_int_equal(workday_add("2024-05-10", 1, NULL, 0, out), 0);
    assert_string_equal(out, "2024-05-13"); /* Friday + 1 = Monday */
    assert_int_equal(workday_add("2024-05-11", 1, NULL, 0, out), 0);
    assert_string_equal(out, "2024-05-13"); /* from a Saturday */
    assert_int_equal(workday_add("2024-05-06", 5, NULL, 0, out), 0);
    assert_string_equal(out, "2024-05-13");
    assert_int_equal(workday_add("2024-05-06", 0, NULL, 0, out), 0);
    assert_string_equal(out, "2024-05-06");
    assert_int_equal(workday_add("2024-12-30", 3, NULL, 0, out), 0);
    assert_string_equal(out, "2025-01-02"); /* across the year */
    assert_int_equal(workday_add("2024-02-28", 1, NULL, 0, out), 0);
    assert_string_equal(out, "2024-02-29"); /* leap day */
    assert_int_equal(workday_add("2024-02-30", 1, NULL, 0, out), -1);
    assert_int_equal(workday_add("nonsense", 1, NULL, 0, out), -1);
    assert_int_equal(workday_add("2024-05-06", -1, NULL, 0, out), -1);
}

/* The 2024 National Day holiday: 10-01..10-07 off, Sunday 09-29 and Saturday 10-12 worked. */
static const struct hday national_day[] = {
    {"2024-09-29", 1}, {"2024-10-01", 0}, {"2024-10-02", 0}, {"2024-10-03", 0}, {"2024-10-04", 0},
    {"2024-10-05", 0}, {"2024-10-06", 0}, {"2024-10-07", 0}, {"2024-10-12", 1},
};
#define ND (sizeof national_day / sizeof *national_day)

static void holidays_and_makeup_days(void **state)
{
    (void)state;
    char out[11];
    assert_false(workday_is("2024-10-01", national_day, ND)); /* a Tuesday off */
    assert_true(workday_is("2024-09-29", national_day, ND));  /* a Sunday worked */
    assert_true(workday_is("2024-10-12", national_day, ND));  /* a Saturday worked */
    assert_false(workday_is("2024-10-13", national_day, ND)); /* an ordinary Sunday */
    /* Saturday 09-28 + 1: the make-up Sunday 09-29 */
    assert_int_equal(workday_add("2024-09-28", 1, national_day, ND, out), 0);
    assert_string_equal(out, "2024-09-29");
    /* Monday 09-30 + 1 skips the whole week off */
    assert_int_equal(workday_add("2024-09-30", 1, national_day, ND, out), 0);
    assert_string_equal(out, "2024-10-08");
    /* ... + 5 lands on the make-up Saturday */
    assert_int_equal(workday_add("2024-09-30", 5, national_day, ND, out), 0);
    assert_string_equal(out, "2024-10-12");
    assert_int_equal(workday_add("2024-09-30", 15, national_day, ND, out), 0);
    assert_string_equal(out, "2024-10-25");
    assert_int_equal(workday_add("2024-09-30", 15, NULL, 0, out), 0);
    assert_string_equal(out, "2024-10-21");
}

/* The local table (the holiday entity) on a year past the national data: 2030-09-30 is a
 * Monday, as 2024-09-30 was. */
static const struct hday local_2030[] = {
    {"2030-09-29", 1}, {"2030-10-01", 0}, {"2030-10-02", 0}, {"2030-10-03", 0}, {"2030-10-04", 0},
    {"2030-10-05", 0}, {"2030-10-06", 0}, {"2030-10-07", 0}, {"2030-10-12", 1},
};
#define NL (sizeof local_2030 / sizeof *local_2030)

static db *fresh_db(char *path, size_t n)
{
    char err[256];
    snprintf(path, n, "/tmp/qiao-unit-case%d.db", (int)getpid());
    unlink(path);
    db *d = db_open(path, err, sizeof err);
    assert_non_null(d);
    assert_true(schema_upgrade(d) >= 1);
    return d;
}

static void holiday_table_in_the_database(void **state)
{
    (void)state;
    char path[64], out[11];
    db *d = fresh_db(path, sizeof path);
    assert_int_equal(workday_add_db(d, "2030-09-30", 15, out), 0);
    assert_string_equal(out, "2030-10-21"); /* no national data for 2030: weekends only */
    for (size_t i = 0; i < NL; i++)
        assert_int_equal(db_execv(d, "INSERT INTO holiday (date, kind, name) VALUES (?, ?, ?)",
                                  "sss", local_2030[i].date,
                                  local_2030[i].workday ? "workday" : "holiday", "国庆"),
                         DB_OK);
    assert_int_equal(workday_add_db(d, "2030-09-30", 15, out), 0);
    assert_string_equal(out, "2030-10-25");
    /* counting back */
    assert_int_equal(workday_add_db(d, "2030-10-08", -1, out), 0);
    assert_string_equal(out, "2030-09-30");
    /* a deleted row no longer counts */
    assert_int_equal(db_execv(d,
                              "UPDATE holiday SET deleted_at = '2024-01-01T00:00:00Z' WHERE "
                              "date = '2030-10-12'",
                              ""),
                     DB_OK);
    assert_int_equal(workday_add_db(d, "2030-09-30", 5, out), 0);
    assert_string_equal(out, "2030-10-14");
    /* a local row wins over the national table: 2025-10-08 made a working day */
    assert_int_equal(workday_add_db(d, "2025-09-30", 1, out), 0);
    assert_string_equal(out, "2025-10-09");
    assert_int_equal(
        db_execv(d, "INSERT INTO holiday (date, kind) VALUES ('2025-10-08', 'workday')", ""),
        DB_OK);
    assert_int_equal(workday_add_db(d, "2025-09-30", 1, out), 0);
    assert_string_equal(out, "2025-10-08");
    db_close(d);
    unlink(path);
}

/* The national table against the State Council's notices (国办发明电〔2024〕12号 for 2025,
 * 国办发明电〔2025〕7号 for 2026): 春节 and 国庆 days off and their make-up working days.
 * The working day before the holiday + 1 is the first working day after it (so every day
 * between is off), and each make-up day is the working day after the day before it. */
static void national_holidays_2025_2026(void **state)
{
    (void)state;
    static const struct {
        const char *before, *after; /* the working days around the days off */
        const char *work[3];        /* the make-up working days (调休上班) */
    } notice[] = {
        {"2025-01-27", "2025-02-05", {"2025-01-26", "2025-02-08"}}, /* 春节: 1-28 to 2-4 */
        {"2025-09-30", "2025-10-09", {"2025-09-28", "2025-10-11"}}, /* 国庆中秋: 10-1 to 10-8 */
        {"2026-02-14", "2026-02-24", {"2026-02-14", "2026-02-28"}}, /* 春节: 2-15 to 2-23 */
        {"2026-09-30", "2026-10-08", {"2026-09-20", "2026-10-10"}}, /* 国庆: 10-1 to 10-7 */
    };
    char path[64], out[11], eve[11];
    db *d = fresh_db(path, sizeof path);
    for (size_t i = 0; i < sizeof notice / sizeof *notice; i++) {
        assert_int_equal(workday_add_db(d, notice[i].before, 1, out), 0);
        assert_string_equal(out, notice[i].after);
        assert_int_equal(workday_add_db(d, notice[i].after, -1, out), 0);
        assert_string_equal(out, notice[i].before);
        for (int w = 0; notice[i].work[w]; w++) {
            int y, m, dd;
            assert_int_equal(sscanf(notice[i].work[w], "%4d-%2d-%2d", &y, &m, &dd), 3);
            snprintf(eve, sizeof eve, "%04d-%02d-%02d", y, m, dd - 1); /* none is a 1st */
            assert_int_equal(workday_add_db(d, eve, 1, out), 0);
            assert_string_equal(out, notice[i].work[w]);
        }
    }
    /* the names come with the table, in three languages */
    size_t k = 0;
    while (k < nholidays_cn && strcmp(holidays_cn[k].date, "2026-02-17"))
        k++;
    assert_true(k < nholidays_cn);
    assert_string_equal(holidays_cn[k].name.hans, "春节");
    assert_string_equal(holidays_cn[k].name.hant, "春節");
    assert_string_equal(holidays_cn[k].name.en, "Spring Festival");
    db_close(d);
    unlink(path);
}

static void attachment_types_are_sniffed(void **state)
{
    (void)state;
    const char *ext = NULL;
    assert_string_equal(attach_sniff((const unsigned char *)"%PDF-1.7\n", 9, &ext),
                        "application/pdf");
    assert_string_equal(ext, ".pdf");
    assert_string_equal(attach_sniff((const unsigned char *)"\x89PNG\r\n\x1a\n\0\0", 10, &ext),
                        "image/png");
    assert_string_equal(attach_sniff((const unsigned char *)"\xFF\xD8\xFF\xE0", 4, &ext),
                        "image/jpeg");
    static const char docx[] = "PK\x03\x04....[Content_Types].xml....word/document.xml";
    assert_string_equal(attach_sniff((const unsigned char *)docx, sizeof docx - 1, &ext),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    static const char xlsx[] = "PK\x03\x04....xl/workbook.xml";
    assert_string_equal(ext, ".docx");
    assert_non_null(attach_sniff((const unsigned char *)xlsx, sizeof xlsx - 1, &ext));
    assert_string_equal(ext, ".xlsx");
    static const char zip[] = "PK\x03\x04....payload.exe";
    assert_null(attach_sniff((const unsigned char *)zip, sizeof zip - 1, &ext));
    /* HTML is just text: it is served as text/plain, as a download */
    const char *html = "<html><script>alert(1)</script></html>";
    assert_string_equal(attach_sniff((const unsigned char *)html, strlen(html), &ext),
                        "text/plain; charset=utf-8");
    assert_string_equal(attach_sniff((const unsigned char *)"申请书\n", 10, &ext),
                        "text/plain; charset=utf-8");
    assert_null(attach_sniff((const unsigned char *)"MZ\x90\0\x03", 5, &ext)); /* binary */
    assert_null(attach_sniff((const unsigned char *)"\xC3\x28", 2, &ext));     /* bad UTF-8 */
    assert_null(attach_sniff((const unsigned char *)"", 0, &ext));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(weekends_are_skipped),
        cmocka_unit_test(holidays_and_makeup_days),
        cmocka_unit_test(holiday_table_in_the_database),
        cmocka_unit_test(national_holidays_2025_2026),
        cmocka_unit_test(attachment_types_are_sniffed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
