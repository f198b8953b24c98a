/* registry.c - the four registries (侨情四库) as one module: people, associations,
 * enterprises (and their yearly figures), talents, the relations between them and the
 * contact log. The entities are declared in their own files; see registry.h. */
#include "module.h"
#include "registry.h"

extern const struct entity person_entity, association_entity, enterprise_entity,
    enterprise_year_entity, talent_entity, relation_entity, contact_entity;

const struct module registry_module = {
    .name = "registry",
    .label = {"侨情四库", "僑情四庫", "Registries"},
    .entities =
        (const struct entity *const[]){&person_entity, &association_entity, &enterprise_entity,
                                       &enterprise_year_entity, &talent_entity, &relation_entity,
                                       &contact_entity, NULL},
    .routes =
        (const struct route[]){
            {"GET", "/api/v1/{entity}/{id}/relations", relations_h, "registry", P_VIEW, 0},
            {"GET", "/api/v1/{entity}/{id}/contacts", contacts_h, "registry", P_VIEW, 0},
            {NULL},
        },
    .grants = (const struct grant[]){{"admin", GALL},
                                     {"leader", GV | GX | GS},
                                     {"staff", GV | GE | GD | GX | GS},
                                     {"finance", GV},
                                     {"viewer", GV},
                                     {NULL}},
};
