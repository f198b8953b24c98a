/* setting.h - the administrator's settings: one integer each, kept in qiao_meta under its
 * key (the funds approval threshold, the case desk's days to assign), read with its
 * default, changed by a PUT of one declared field, audited. */
#ifndef QIAO_SETTING_H
#define QIAO_SETTING_H

#include "http.h"

/* The value of key, or dflt when it is unset or not an integer. */
int64_t setting_int(db *d, const char *key, int64_t dflt);

/* A number that changes whenever a setting is written by this process: a value kept for a
 * while (case.c's SLA dates) is taken again when it moved. */
unsigned setting_generation(void);

/* The PUT handler's work: the body must be {f->name: value}, value checked against f (an
 * integer field with its range, FF_REQUIRED); written to key in one transaction with an
 * audit entry "update" of `what` (before and after). Answers 200 {f->name: value}, or
 * 400 for another key, 422 for a bad value, 500 when it could not be written. dflt is the
 * value before the first change. */
void setting_put(struct req *r, const struct field *f, const char *key, int64_t dflt,
                 const char *what);

#endif
