/* case.h - the service desk (一站式服务台): cases, their status machine and timeline,
 * referrals, attachments, the case figures. See case.c. */
#ifndef QIAO_CASE_H
#define QIAO_CASE_H

#include "http.h"

#include <stddef.h>

/* The five categories of a case (政务, 法务, 商务, 事务, 劳务): the case's `category` and
 * the portal's request form. */
extern const struct enumval case_categories[];

/* The tables of the module that are not entities (a schema step): the number counters,
 * the timeline, the referring orgs' read access, the attachment store. */
int case_sync(db *d);

/* The type of an attachment from its first bytes: a MIME type and a file extension
 * (".pdf"), or NULL for a type that is not accepted. */
const char *attach_sniff(const unsigned char *p, size_t n, const char **ext);

/* A few hundred invented cases across the orgs of the demo federation (qiao demo). */
int demo_cases(struct ent_ctx *c, struct verr *e);

/* Handlers (the module's routes) */
void case_note_h(struct req *r);      /* POST /api/v1/case/{id}/note */
void case_timeline_h(struct req *r);  /* GET  /api/v1/case/{id}/timeline */
void case_file_h(struct req *r);      /* GET  /api/v1/case/file/{id} */
void case_report_h(struct req *r);    /* GET  /api/v1/reports/cases */
void case_assignees_h(struct req *r); /* GET  /api/v1/case/assignees */
void case_people_h(struct req *r);    /* GET  /api/v1/case/people */

#endif
