/* workday.h - working days: weekends, and the admin-edited table of public holidays and
 * make-up working days (调休上班) in the `holiday` entity. Case due dates count them. */
#ifndef QIAO_WORKDAY_H
#define QIAO_WORKDAY_H

#include "store.h"

#include <stddef.h>

/* One row of the holiday table: a date and whether it is a day off (a holiday that falls
 * on a weekday) or a working day (a weekend day made a working day). */
struct hday {
    char date[11]; /* "YYYY-MM-DD" */
    int workday;   /* 1: make-up working day; 0: holiday */
};

/* Is date a working day? tab (sorted or not, n rows) overrides the weekend rule. */
int workday_is(const char *date, const struct hday *tab, size_t n);
/* The date that is `days` working days after from (from itself not counted; days >= 0),
 * into out[11]. 0 on success, -1 when from is not a valid date. Pure: no database. */
int workday_add(const char *from, int days, const struct hday *tab, size_t n, char out[11]);
/* The same with the holiday table of the database d. */
int workday_add_db(db *d, const char *from, int days, char out[11]);
/* Today's date in Beijing time (UTC+8), into out[11]. */
void today_cn(char out[11]);

#endif
