/* report.h - the work report (report.c): figures as the federations' reports write them,
 * and the report of an org's subtree over a period. */
#ifndef QIAO_REPORT_H
#define QIAO_REPORT_H

#include "entity.h"

/* v as the reports write it (SPEC "Figures as the reports write them"), appended to b:
 * unit is the measure word (个, 件, 名, 人次 …) or "元" for money (v in fen); standing: 1
 * for what stands at the end of the period (exact), 0 for a total over it (余, 近).
 * 186 件 → 180余件, 960,000元 → 近百万元, 228,350,000元 → 2.28亿元. */
void house_number(buf *b, int64_t v, const char *unit, int standing, enum lang lang);

/* The period of a request or a command: from and to as YYYY-MM-DD (Beijing), defaults
 * the first of this year and today; -1 with e when a date is wrong or from is after to. */
int work_period(const char *from_s, const char *to_s, char from[11], char to[11], struct verr *e);

/* The work report of org (its record: id, name, path) over from..to: {org, from, to,
 * figures, series, narrative} (SPEC "The fixed interface") and photos (the photos of the
 * period's events to choose from for the printable page); NULL with e. */
json_t *work_report(db *d, arena *a, json_t *org, const char *from, const char *to, enum lang lang,
                    struct verr *e);

/* The report as a workbook at file (the narrative, each figure with its label, value and
 * phrase, and the years side by side); 0, or -1. */
int work_workbook(const char *file, json_t *rep, enum lang lang);

/* `qiao report --db DB --org ID --from DATE --to DATE [--xlsx FILE]`: prints the
 * narrative (and writes the workbook); the exit status. */
int report_cli(db *d, int64_t org, const char *from, const char *to, const char *xlsx);

#endif
