/* import.h - census import: a table (xlsx.h) whose header row names fields, validated row
 * by row against the entity's declaration, written all-or-nothing in one transaction.
 *
 * The header row is the first row whose cells name fields (title rows, merged or not, and
 * blank rows above it are skipped); a header names a field by its name, a label in
 * zh-Hans, zh-Hant or English, or a synonym (import_names.c). Cells are read as people
 * write them (cells.h); a number that lost digits in an ID, credit-code or phone column
 * and a masked value are refused, never stored.
 *
 * The report (a dry run's answer, and a refused commit's):
 *   {entity, dry_run, committed, rows, ok, created, error_rows, error_count, errors: [{row,
 *    code, field, column, header, value, message}], duplicates: [{row, reason, existing_id,
 *    other_row}], header_row, headers: [{column, header, field, label}], ignored:
 *    [{column, header, reason}], merges: [...]}
 * rows = ok + error_rows; every problem of every row is listed (up to 1000). Rows are
 * numbered as the spreadsheet shows them.
 */
#ifndef QIAO_IMPORT_H
#define QIAO_IMPORT_H

#include "http.h"
#include "xlsx.h"

/* Is f a code that a number cell loses digits of (an ID number, a credit code, a phone)?
 * Such a column is text in templates and refused as a number in sheets. */
int field_is_code(const struct field *f);

/* The kinds of record (PT_ bits) a list of links may name: a party list's (a contact's
 * parties), or its .ref's (a visit's person_ids); 0 for any other field. */
unsigned list_kinds(const struct field *f);

/* How many live records in c's scope of the kinds the list of links f may name bear the
 * title name (as the import reads a name in such a list): 0, 1, or more; -1 on a
 * database error. */
int list_named(struct ent_ctx *c, const struct field *f, const char *name);

/* Called every few hundred rows with the rows done and the total. */
typedef void (*import_progress_fn)(void *arg, int done, int total);

/* Import t into ent. mapping: NULL, or an object {header or column letter: field name or
 * "" / null to skip}; headers it does not name are matched by field name or label.
 * dry_run: validate everything, write nothing. On success answers a new report with
 * *ok set when every row passed (and, unless dry_run, was committed); -1 (NULL) with e
 * when the file itself cannot be imported (no header, a bad mapping, a database error). */
json_t *import_table(struct ent_ctx *c, const struct entity *ent, struct table *t, json_t *mapping,
                     int dry_run, import_progress_fn progress, void *parg, int *ok, struct verr *e);

/* The request's ?mapping=JSON into *mapping (a new reference, NULL when not given); -1
 * after answering 400 when it is not a JSON object. */
int import_mapping(struct req *r, json_t **mapping);
/* POST /api/v1/import/{entity}?dry_run=1&mapping=JSON&job=N (body: the file) */
void import_h(struct req *r);
/* GET /api/v1/import/jobs/{id}: {id, done, total, finished} of the caller's import */
void import_job_h(struct req *r);
/* GET /api/v1/export/{entity}.xlsx and .csv (export.c): the list for people */
void export_xlsx_h(struct req *r);
void export_csv_h(struct req *r);
/* `qiao export ENTITY FILE --db DB [--org ORG_ID] [--unmask]`: the export of every record
 * of ENTITY (of ORG_ID's subtree when given) to FILE, .xlsx or .csv by its name, as the
 * API writes it (masked unless --unmask, which is audited); the exit status. */
int export_cli(db *d, const char *entity, const char *file, int64_t org, int unmask);
/* GET /api/v1/audit.xlsx and /api/v1/dedup/person.xlsx (export.c): the audit log and the
 * duplicate pairs, with the filters of their lists */
void audit_xlsx_h(struct req *r);
void dedup_xlsx_h(struct req *r);
/* GET /api/v1/import/{entity}/template.xlsx: the sheet to fill in (export.c) */
void import_template_h(struct req *r);
/* POST /api/v1/import/{entity}/refused.xlsx: a dry run's refused rows with 问题 (export.c) */
void import_refused_h(struct req *r);
/* The language a request asks for: 0 zh-Hans, 1 zh-Hant, 2 en (?lang=, else
 * Accept-Language, else zh-Hans). */
int req_lang(struct req *r);

/* `qiao import ENTITY FILE [--org ID] [--dry-run]` on an open database: records that
 * belong to an org and name none go to org (0: the root of the tree). Prints the report;
 * the exit status (0 when every row passed, 1 when not, 2 for bad arguments). */
int import_cli(db *d, const char *entity, const char *file, int64_t org, int dry_run);

#endif
