/* star.h - the star history of each 侨胞之家 (star.c), used by the org module (org.c). */
#ifndef QIAO_STAR_H
#define QIAO_STAR_H

#include "module.h"

extern const struct entity org_entity;

/* The org_star table (the org module's sync). DB_OK or DB_ERROR. */
int star_sync(db *d);
/* Append org id's new rating after a write that changed its star or rated_on. 0, or -1
 * with e. */
int star_write(struct ent_ctx *c, int64_t id, const json_t *rec, const json_t *old, struct verr *e);
void org_stars_h(struct req *r); /* GET /api/v1/org/{id}/stars */
void stars_on_h(struct req *r);  /* GET /api/v1/org/stars?on=&org= */
/* homes.star1 … homes.star5, {NULL}-terminated. */
extern const struct figure star_figures[];

#endif
