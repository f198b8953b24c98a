/* registry.c - the four registries (侨情四库) as one module: people, associations,
 * enterprises (and their yearly figures), talents, the relations between them and the
 * contact log. The entities are declared in their own files; see registry.h. */
#include "module.h"
#include "registry.h"

#include <stdio.h>

extern const struct entity person_entity, association_entity, enterprise_entity,
    enterprise_year_entity, talent_entity, relation_entity, contact_entity;

/* ---- figures (the work report) ----------------------------------------------------- */

/* Records of the registries are counted as they stand now, whatever the period (FIG_NOW:
 * census data is entered after the fact, so the registry of a past year is today's), in
 * the subtree of p: by its orgs' ids, a county's people among a province's million in 13
 * ms (joined to the orgs, SQLite read every person: 330-450 ms); over most of the tree
 * (p->wide) the table is read whole, off its org_id index (db_no_index; 0.54 s, where
 * 100,000 orgs' people by the index took 1.4 s). IN_SUBTREE's %s is where SUBTREE writes
 * that; a query's other '%' are written "%%". */
#define IN_SUBTREE(t)                                                                              \
    " WHERE " t ".deleted_at IS NULL AND %s" t                                                     \
    ".org_id IN (SELECT id FROM \"org\" WHERE path >= ? "                                          \
    "AND path < ?)"
#define SUBTREE(q, d, p, sql) snprintf(q, sizeof q, sql, (p)->wide ? db_no_index(d) : "")

static int64_t people(db *d, const struct period *p)
{
    char q[768];
    SUBTREE(q, d, p, "SELECT count(*) FROM person t" IN_SUBTREE("t"));
    return db_int(d, -1, q, "ss", p->path, p->bound);
}

static int64_t people_countries(db *d, const struct period *p)
{
    char q[768];
    SUBTREE(q, d, p, "SELECT count(DISTINCT t.residence_country) FROM person t" IN_SUBTREE("t"));
    return db_int(d, -1, q, "ss", p->path, p->bound);
}

static int64_t talents(db *d, const struct period *p)
{
    char q[768];
    SUBTREE(q, d, p, "SELECT count(*) FROM talent t" IN_SUBTREE("t"));
    return db_int(d, -1, q, "ss", p->path, p->bound);
}

static int64_t associations(db *d, const struct period *p)
{
    char q[768];
    SUBTREE(q, d, p, "SELECT count(*) FROM association t" IN_SUBTREE("t"));
    return db_int(d, -1, q, "ss", p->path, p->bound);
}

static int64_t association_countries(db *d, const struct period *p)
{
    char q[768];
    SUBTREE(q, d, p, "SELECT count(DISTINCT t.country) FROM association t" IN_SUBTREE("t"));
    return db_int(d, -1, q, "ss", p->path, p->bound);
}

static int64_t associations_friendly(db *d, const struct period *p)
{
    char q[768];
    SUBTREE(q, d, p,
            "SELECT count(*) FROM association t" IN_SUBTREE("t") " AND t.friendly_since <= ?");
    return db_int(d, -1, q, "sss", p->path, p->bound, p->to);
}

/* associations of the subtree named by a contact of the subtree dated in the period */
static int64_t associations_contacted(db *d, const struct period *p)
{
    char q[768];
    SUBTREE(
        q, d, p,
        "SELECT count(*) FROM association t" IN_SUBTREE(
            "t") " AND EXISTS (SELECT 1 "
                 "FROM contact c JOIN \"org\" co ON co.id = c.org_id WHERE c.deleted_at IS NULL "
                 "AND co.path >= ? AND co.path < ? AND c.date >= ? AND c.date <= ? AND "
                 "c.parties LIKE '%%\"association:' || t.id || '\"%%')");
    return db_int(d, -1, q, "ssssss", p->path, p->bound, p->path, p->bound, p->from, p->to);
}

#define APPOINTED                                                                                  \
    " t.kind IN ('overseas_advisor', 'overseas_member') AND t.since >= ? AND t.since <= ?"

static int64_t appointments(db *d, const struct period *p)
{
    char q[768];
    SUBTREE(q, d, p, "SELECT count(*) FROM relation t" IN_SUBTREE("t") " AND" APPOINTED);
    return db_int(d, -1, q, "ssss", p->path, p->bound, p->from, p->to);
}

/* the appointees' (the person at the relation's `from` end) countries of residence */
static int64_t appointment_countries(db *d, const struct period *p)
{
    char q[768];
    SUBTREE(q, d, p,
            "SELECT count(DISTINCT pe.residence_country) FROM relation t JOIN person pe ON "
            "pe.id = t.from_id AND t.from_type = 'person'" IN_SUBTREE("t") " AND" APPOINTED);
    return db_int(d, -1, q, "ssss", p->path, p->bound, p->from, p->to);
}
#undef IN_SUBTREE
#undef SUBTREE
#undef APPOINTED

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
    .figures =
        (const struct figure[]){
            {"people.total",
             {"登记侨界人士", "登記僑界人士", "People registered"},
             "名",
             FIG_NOW,
             people},
            {"people.countries",
             {"侨界人士分布的国家和地区", "僑界人士分佈的國家和地區", "Countries of residence"},
             "个",
             FIG_NOW,
             people_countries},
            {"talents.total", {"侨界人才", "僑界人才", "Talents"}, "名", FIG_NOW, talents},
            {"associations.total",
             {"联系侨团", "聯繫僑團", "Associations"},
             "个",
             FIG_NOW,
             associations},
            {"associations.countries",
             {"侨团所在的国家和地区", "僑團所在的國家和地區", "Countries of associations"},
             "个",
             FIG_NOW,
             association_countries},
            {"associations.friendly",
             {"友好侨社", "友好僑社", "Friendly associations"},
             "个",
             FIG_AT_END,
             associations_friendly},
            {"associations.contacted",
             {"联络侨团", "聯絡僑團", "Associations contacted"},
             "个",
             FIG_OVER,
             associations_contacted},
            {"appointments.overseas",
             {"聘任海外顾问和委员", "聘任海外顧問和委員", "Overseas appointments"},
             "名",
             FIG_OVER,
             appointments},
            {"appointments.countries",
             {"海外顾问和委员来自的国家和地区", "海外顧問和委員來自的國家和地區",
              "Countries of appointees"},
             "个",
             FIG_OVER,
             appointment_countries},
            {NULL},
        },
};
