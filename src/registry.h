/* registry.h - what the registry modules (person.c, association.c, enterprise.c,
 * talent.c, relation.c, contact.c) share: records of several entities named as parties,
 * and the endpoints beyond CRUD. */
#ifndef QIAO_REGISTRY_H
#define QIAO_REGISTRY_H

#include "entity.h"

/* The entity of a party type name ("person", "association", "enterprise", "org") that is
 * in the mask, or NULL. *bit gets its PT_ bit. */
const struct entity *party_entity(const char *type, unsigned mask, unsigned *bit);

/* The title of the live record id of ent within c's scope (raw), copied to c->a; NULL
 * when there is no such record or the user may not see it. */
const char *party_title(struct ent_ctx *c, const struct entity *ent, int64_t id);

/* `qiao demo`: add the invented registries (demo_registry.c) to the demo federation whose
 * five county federations are counties[0..4]. Inside the caller's transaction; 0, or -1
 * with e. */
int demo_registry(struct ent_ctx *c, const int64_t *counties, struct verr *e);

/* The title of record id of ent as the reader c is shown it: its title when c may open
 * it, else OTHER_ORG_RECORD (entity.h). */
const char *party_shown(struct ent_ctx *c, const struct entity *ent, int64_t id);

struct req;
/* GET /api/v1/{entity}/{id}/relations (person, association, enterprise, org): the
 * relations of the record in both directions, each with the other party and the role
 * as seen from this record. */
void relations_h(struct req *r);
/* GET /api/v1/{entity}/{id}/contacts (person, association, enterprise): the contact
 * log of the record, newest first. */
void contacts_h(struct req *r);

#endif
