/* report.c - the reports module: who may read the figures. The case figures
 * (/api/v1/reports/cases, case.c) use its permissions; the work report goes here. */
#include "module.h"

const struct module report_module = {
    .name = "report",
    .label = {"统计报表", "統計報表", "Reports"},
    .grants = (const struct grant[]){{"admin", GALL},
                                     {"leader", GV | GX},
                                     {"staff", GV | GX},
                                     {"finance", GV | GX},
                                     {"viewer", GV},
                                     {NULL}},
};
