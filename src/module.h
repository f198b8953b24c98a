/* module.h - a domain module declares itself (STYLE 13).
 *
 * Each domain file (org.c, registry.c, case.c, ...) exports one `const struct module`:
 * its entities, its routes, its grants per role, its menu label and the hooks it runs on
 * every write. `modules[]` in modules.c lists them; nothing else is a registry. From the
 * list come: the entities (entity_find, entity_sync, the schema), the route table of the
 * dispatcher (sorted so that a literal segment beats a parameter: the order of
 * declaration does not matter), the permissions of each role, the schema upgrade's sync
 * chain, and the write hooks. Adding an entity is its declaration in its own file plus
 * one line in modules.c (docs/ARCHITECTURE.md walks through `honor`).
 *
 * modules_check() finds what cannot work (a route or entity declared twice, a route no
 * role may call, an entity no role may view, a grant for a module nobody declares); the
 * server refuses to start with one, and a unit test runs it.
 */
#ifndef QIAO_MODULE_H
#define QIAO_MODULE_H

#include "http.h"

/* Permission bits of a grant (1 << enum perm). */
enum {
    GV = 1 << P_VIEW,
    GE = 1 << P_EDIT,
    GD = 1 << P_DELETE,
    GX = 1 << P_EXPORT,
    GS = 1 << P_VIEW_SENSITIVE,
    GA = 1 << P_APPROVE,
    GM = 1 << P_ADMIN,
    GALL = GV | GE | GD | GX | GS | GA | GM,
};

struct grant {
    const char *role; /* admin, leader, staff, finance, mediator, viewer */
    unsigned perms;   /* G* bits on the module */
};

/* What a figure is asked for: the org subtree (its path and the path's bound, so that
 * `o.path >= ? AND o.path < ?` is the subtree, the org included) and the period: dates in
 * Beijing time, inclusive, and the same as UTC instants [from_utc, to_utc) for datetime
 * columns (from 00:00 and the day after `to` 00:00, Beijing). */
struct period {
    const char *path, *bound;
    const char *from, *to;
    char from_utc[21], to_utc[21];
    int wide; /* the subtree holds more than half of the orgs: read a table whole, not by
                 them (period_make: 0; subtree_share) */
};

/* What a figure counts (struct figure's standing). The work report takes a figure's value
 * over a year of its series from the period's when what it counts from is the same. */
enum {
    FIG_OVER = 0,   /* a total over the period: counted from the subtree, from and to */
    FIG_AT_END = 1, /* what stands at `to` (exact): counted from the subtree and to alone */
    FIG_NOW = 2,    /* what stands now whatever the period (exact): from the subtree alone */
};

/* A figure of the work report (SPEC "The fixed interface": its key), declared by the
 * module whose records it counts. */
struct figure {
    const char *key;    /* "cases.received" */
    struct label label; /* 受理案件 */
    const char *unit;   /* the measure word (件, 个, 名, 人次), or "元" for money in fen */
    int standing;       /* FIG_OVER, FIG_AT_END or FIG_NOW */
    int64_t (*value)(db *d, const struct period *p); /* -1 on a database error */
};

struct module {
    /* The permission module of its entities and of its routes that name no other. */
    const char *name;
    /* The menu label (the web app groups the module's entities under it); {NULL} for a
     * module without a menu of its own (search, import, the generic API). */
    struct label label;
    const struct entity *const *entities; /* NULL-terminated; NULL for none */
    const struct route *routes;           /* {NULL}-terminated; NULL for none */
    const struct grant *grants;           /* {NULL}-terminated; NULL for none: on name */
    /* Optional: its tables that are not entities, created or upgraded at every start in
     * the schema upgrade's transaction. DB_OK or DB_ERROR. */
    int (*sync)(db *d);
    /* Optional: runs after every write of any entity's record, inside the write's
     * transaction (rec NULL on delete, old NULL on create): the search keys, ... 0, or
     * -1 with e (the write rolls back). */
    int (*on_write)(struct ent_ctx *c, const struct entity *ent, int64_t id, const json_t *rec,
                    const json_t *old, struct verr *e);
    const struct figure *figures; /* {NULL}-terminated; NULL for none */
    /* Optional: runs when the person drop is merged into keep (dedup.c), inside the merge's
     * transaction before any link moves: what the module settles first (both people
     * registered for one event). 0, or -1 with e (the merge rolls back). */
    int (*before_merge)(struct ent_ctx *c, int64_t keep, int64_t drop, struct verr *e);
    /* Optional: more records a list's keyword q finds, beside the LIKE on the searched
     * fields (the name search: folding, pinyin, dialect spellings): appends
     * " OR t.id IN (...)" to where, or nothing. */
    void (*list_match)(struct ent_ctx *c, const struct entity *ent, const char *q, buf *where);
};

/* Every module, NULL-terminated (modules.c). */
extern const struct module *const modules[];

/* The route table built from modules[] (routes with module NULL get their module's
 * name, except those with {entity}, which take the entity's); {NULL}-terminated, built
 * once. */
const struct route *module_routes(void);

/* The permission bits of role on the permission module name (0: denied). */
unsigned module_perms(const char *role, const char *name);

/* The roles (SPEC "Access"), with their labels: the user entity's role values (user.c). */
extern const struct enumval user_roles[];

/* The period from..to (YYYY-MM-DD, Beijing, inclusive) over the subtree at path; 0, or -1
 * when a date is not a date. */
int period_make(struct period *p, arena *a, const char *path, const char *from, const char *to);
/* How much of the org tree the subtree [path, bound) holds: 2 every org, 1 more than half
 * of them, 0 fewer; -1 on a database error. */
int subtree_share(db *d, const char *path, const char *bound);
/* Every module's figures over p, as a new {key: value} object; NULL on a database error.
 * known (NULL for none): the figures over the period kp, whose values p shares (the same
 * subtree, and for a figure FIG_AT_END the same end, for FIG_OVER the same days) are
 * taken from it instead of counted again. */
json_t *module_figures(db *d, const struct period *p, const json_t *known, const struct period *kp);

/* Find what cannot work in mods (NULL-terminated): each problem is one line appended to
 * out (Chinese text naming the module, route, entity or grant). Returns their count. */
int modules_check(const struct module *const *mods, buf *out);

#endif
