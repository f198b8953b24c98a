/* workday.c - working days and the holiday table (节假日与调休). See workday.h.
 *
 * The State Council's calendar is generated at build time (holidays_cn, from the npm
 * package chinese-days). `holiday` is a global table (not owned by an org) of local
 * additions and corrections, edited by admins: a date listed as `holiday` is a day off
 * even on a weekday; a date listed as `workday` is a working day even on a weekend; a
 * local row wins over the national table. */
#include "workday.h"
#include "entity.h"
#include "module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct enumval kinds[] = {
    {"holiday", {"法定节假日", "法定節假日", "Public holiday"}},
    {"workday", {"调休上班", "調休上班", "Make-up working day"}},
    {NULL},
};

const struct entity holiday_entity = {
    .name = "holiday",
    .label = {"节假日", "節假日", "Holiday"},
    .module = "holiday",
    .title = "name",
    .fields =
        (const struct field[]){
            FIELD_ID,
            {"date", FT_DATE, {"日期", "日期", "Date"}, FF_REQUIRED | FF_LIST | FF_UNIQUE},
            {"kind", FT_ENUM, {"类型", "類型", "Kind"}, FF_REQUIRED | FF_LIST, kinds},
            {"name", FT_TEXT, {"名称", "名稱", "Name"}, FF_LIST | FF_SEARCH, .max = 50},
            FIELDS_TAIL,
        },
};

/* Days since 1970-01-01 of "YYYY-MM-DD"; -1 when s is not a date. */
static long day_number(const char *s)
{
    int y, m, d;
    if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 ||
        d < 1 || d > 31)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    time_t t = timegm(&tm);
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mday != d || back.tm_mon != m - 1)
        return -1;
    return (long)(t / 86400);
}

static void day_string(long n, char out[11])
{
    time_t t = (time_t)n * 86400 + 12 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int workday_is(const char *date, const struct hday *tab, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(tab[i].date, date))
            return tab[i].workday;
    long dn = day_number(date);
    int wday = (int)((dn + 4) % 7); /* 1970-01-01 was a Thursday; 0 = Sunday */
    return wday != 0 && wday != 6;
}

/* from moved by days working days (forwards, or back when days < 0). */
static int walk(const char *from, int days, const struct hday *tab, size_t n, char out[11])
{
    long dn = day_number(from);
    if (dn < 0)
        return -1;
    char cur[11];
    int dir = days < 0 ? -1 : 1;
    for (int left = days * dir; left > 0;) {
        day_string(dn += dir, cur);
        if (workday_is(cur, tab, n))
            left--;
    }
    day_string(dn, out);
    return 0;
}

int workday_add(const char *from, int days, const struct hday *tab, size_t n, char out[11])
{
    return days < 0 ? -1 : walk(from, days, tab, n, out);
}

/* The index of the first row of the national table on or after date. */
static size_t national_from(const char *date)
{
    size_t lo = 0, hi = nholidays_cn;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(holidays_cn[mid].date, date) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int workday_add_db(db *d, const char *from, int days, char out[11])
{
    long dn = day_number(from);
    if (dn < 0)
        return -1;
    /* Enough of the table: twice the span plus the longest holiday (Spring Festival). */
    long span = (days < 0 ? -days : days) * 2L + 30;
    char lo[11], hi[11];
    day_string(days < 0 ? dn - span : dn, lo);
    day_string(days < 0 ? dn : dn + span, hi);
    size_t n = 0, cap = 64;
    struct hday *tab = xmalloc(cap * sizeof *tab);
    /* The local rows first: workday_is takes the first row of a date. */
    stmt *s = db_prepare(d, "SELECT date, kind FROM holiday WHERE date >= ? AND date <= ? AND "
                            "deleted_at IS NULL");
    if (s) {
        st_bind_text(s, 1, lo);
        st_bind_text(s, 2, hi);
        while (st_step(s) == DB_ROW) {
            if (n == cap)
                tab = xrealloc(tab, (cap *= 2) * sizeof *tab);
            tab[n] = (struct hday){.workday = !strcmp(st_text(s, "kind"), "workday")};
            snprintf(tab[n].date, sizeof tab[n].date, "%s", st_text(s, "date"));
            n++;
        }
        st_finalize(s);
    }
    for (size_t i = national_from(lo); i < nholidays_cn && strcmp(holidays_cn[i].date, hi) <= 0;
         i++) {
        if (n == cap)
            tab = xrealloc(tab, (cap *= 2) * sizeof *tab);
        tab[n++] = holidays_cn[i];
    }
    int rc = walk(from, days, tab, n, out);
    free(tab);
    return rc;
}

int holidays_cn_until(void)
{
    return nholidays_cn ? atoi(holidays_cn[nholidays_cn - 1].date) : 0;
}

int holidays_local_until(db *d)
{
    int y = 0;
    stmt *s = db_prepare(d, "SELECT max(date) AS last FROM holiday WHERE kind = 'holiday' AND "
                            "deleted_at IS NULL");
    if (s && st_step(s) == DB_ROW && st_text(s, "last"))
        y = atoi(st_text(s, "last"));
    st_finalize(s);
    return y;
}

void today_cn(char out[11])
{
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The holiday and make-up workday table that due dates count by. */
const struct module holiday_module = {
    .name = "holiday",
    .label = {"节假日", "節假日", "Holidays"},
    .entities = (const struct entity *const[]){&holiday_entity, NULL},
    .grants = (const struct grant[]){{"admin", GALL}, {NULL}},
};
