/* api.h - handlers of the generic entity API (api.c) and of the org tree (org.c). */
#ifndef QIAO_API_H
#define QIAO_API_H

#include "http.h"

void schema_h(struct req *r);     /* GET    /api/v1/schema */
void list_h(struct req *r);       /* GET    /api/v1/{entity} */
void create_h(struct req *r);     /* POST   /api/v1/{entity} */
void read_h(struct req *r);       /* GET    /api/v1/{entity}/{id} */
void update_h(struct req *r);     /* PATCH  /api/v1/{entity}/{id} */
void delete_h(struct req *r);     /* DELETE /api/v1/{entity}/{id} */
void transition_h(struct req *r); /* POST   /api/v1/{entity}/{id}/transition */
void reverse_h(struct req *r);    /* POST   /api/v1/{entity}/{id}/reverse */
/* export_csv_h: export.c (import.h) */
void org_tree_h(struct req *r); /* GET    /api/v1/org/tree */

/* The answer of GET …/{entity}/{id}/X endpoints that list rows about record r->id of ent:
 * a 404 unless the record is in the reader's scope, then {items: [row(s) for each row of
 * sql with binds]} (row answers a new reference), or a 503/500 on a database error.
 * binds (an array of integers and strings) is stolen. */
void reply_rows(struct req *r, const struct entity *ent, const char *sql, json_t *binds,
                json_t *(*row)(stmt *s));

/* The org a figures endpoint asks about (?org=ID, default the user's own), read in the
 * reader's scope (with its path), when every query argument is one of known
 * (NULL-terminated, "org" among them). NULL after answering: 400 for another argument, 422
 * for an id that is not one, 404 for an org outside the scope. */
json_t *req_org(struct req *r, const char *const *known);

#endif
