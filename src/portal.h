/* portal.h - the public portal (portal.c): what its reads share with the news (article.c). */
#ifndef QIAO_PORTAL_H
#define QIAO_PORTAL_H

#include "http.h"

/* The org the portal serves: the admin's setting portal.org_id (GET/PUT
 * /api/v1/portal/settings), the root (1) until set, and the root again when that org is
 * deleted or closed. */
#define PORTAL_ORG_KEY "portal.org_id"

/* Fill c as the portal reads and writes: no user (username "portal"), the reader's
 * language and address from r, scoped to the subtree of the portal's org (c->org_id, the
 * org of what it creates); nothing sensitive unmasked. 0, or -1 with the error answered. */
int portal_ctx(struct req *r, struct ent_ctx *c);

/* Answer 200 with items (stolen) in the paging of list (an ent_list answer): {items, total,
 * page, per_page}. */
void portal_reply_page(struct req *r, const json_t *list, json_t *items);

#endif
