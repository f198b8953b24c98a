/* workday.h - working days: weekends, China's public holidays and make-up working days
 * (调休上班) as the State Council announces them (a table generated at build time from the
 * npm package chinese-days: tools/gen_holidays.sh), and the admin's local holidays in the
 * `holiday` entity, which win over it. Case due dates count them. */
#ifndef QIAO_WORKDAY_H
#define QIAO_WORKDAY_H

#include "entity.h"
#include "store.h"

#include <stddef.h>

/* One row of the holiday table: a date and whether it is a day off (a holiday that falls
 * on a weekday) or a working day (a weekend day made a working day). */
struct hday {
    char date[11];     /* "YYYY-MM-DD" */
    int workday;       /* 1: make-up working day; 0: holiday */
    struct label name; /* 春节 (the generated table; empty for a row given by hand) */
};

/* The national table (build/gen/holidays.c), sorted by date. */
extern const struct hday holidays_cn[];
extern const size_t nholidays_cn;

/* The last year the national table covers (2026: chinese-days has no later year yet): due
 * dates past it count weekends and the local rows only. */
int holidays_cn_until(void);
/* The last year of the database's local days off (`holiday` rows of kind holiday), 0 when
 * there are none. */
int holidays_local_until(db *d);

/* Is date a working day? tab (sorted or not, n rows) overrides the weekend rule. */
int workday_is(const char *date, const struct hday *tab, size_t n);
/* The date that is `days` working days after from (from itself not counted; days >= 0),
 * into out[11]. 0 on success, -1 when from is not a valid date. Pure: no database. */
int workday_add(const char *from, int days, const struct hday *tab, size_t n, char out[11]);
/* The same with the holiday table of the database d (local rows) over the national table.
 * days < 0 counts back: the date |days| working days before from. */
int workday_add_db(db *d, const char *from, int days, char out[11]);
/* Today's date in Beijing time (UTC+8), into out[11]. */
void today_cn(char out[11]);

#endif
