/* modules.c - the one list of modules, and what is built from it (see module.h). */
#include "module.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

extern const struct module session_module, api_module, org_module, user_module, audit_module,
    region_module, country_module, registry_module, search_module, dedup_module, import_module,
    case_module, holiday_module, report_module, honor_module, funds_module, event_module,
    map_module, article_module, portal_module;

/* The order is the schema's and the menu's: a module's tables after those they refer to
 * (person.liaison_user_id refers to the user table), the federation's work before the
 * system's (the web app puts administration last). */
const struct module *const modules[] = {
    &org_module,    &user_module,    &registry_module, &search_module,
    &dedup_module,  &case_module,    &holiday_module,  &honor_module,
    &funds_module,  &event_module,   &article_module,  &report_module,
    &map_module,    &portal_module,  &import_module,   &audit_module,
    &region_module, &country_module, &session_module,  &api_module,
    NULL,
};

/* ---- entities ----------------------------------------------------------------------- */

static const struct entity **all_entities;
static pthread_once_t entities_once = PTHREAD_ONCE_INIT;

static void entities_build(void)
{
    size_t n = 0;
    for (int i = 0; modules[i]; i++)
        for (int j = 0; modules[i]->entities && modules[i]->entities[j]; j++)
            n++;
    all_entities = xcalloc(n + 1, sizeof *all_entities);
    n = 0;
    for (int i = 0; modules[i]; i++)
        for (int j = 0; modules[i]->entities && modules[i]->entities[j]; j++)
            all_entities[n++] = modules[i]->entities[j];
}

const struct entity *const *ent_all(void)
{
    pthread_once(&entities_once, entities_build);
    return all_entities;
}

/* ---- routes ------------------------------------------------------------------------- */

/* Segment n of pattern p (after "/"), its length in *len; NULL past the end. */
static const char *segment(const char *p, int n, size_t *len)
{
    for (; n > 0 && p; n--)
        p = strchr(p + 1, '/');
    if (!p)
        return NULL;
    const char *end = strchr(p + 1, '/');
    *len = end ? (size_t)(end - p - 1) : strlen(p + 1);
    return p + 1;
}

/* Which of two patterns is tried first: at the first segment where one is a literal and
 * the other a parameter, the literal ("/case/assignees" before "/case/{id}"). 0 when no
 * segment decides (the two cannot both match a path, or they are the same shape). */
static int specificity(const char *a, const char *b)
{
    for (int n = 0;; n++) {
        size_t la, lb;
        const char *sa = segment(a, n, &la), *sb = segment(b, n, &lb);
        if (!sa || !sb)
            return 0;
        int pa = *sa == '{', pb = *sb == '{';
        if (pa != pb)
            return pa - pb;
        if (!pa && (la != lb || memcmp(sa, sb, la)))
            return 0; /* different literals: never the same path */
    }
}

/* Do two patterns have the same shape (the same literals, parameters in the same places)? */
static int same_shape(const char *a, const char *b)
{
    for (int n = 0;; n++) {
        size_t la, lb;
        const char *sa = segment(a, n, &la), *sb = segment(b, n, &lb);
        if (!sa || !sb)
            return !sa && !sb;
        if ((*sa == '{') != (*sb == '{'))
            return 0;
        if (*sa == '{') {
            /* a parameter with a literal after it ("{entity}.csv") keeps that literal */
            const char *ea = memchr(sa, '}', la), *eb = memchr(sb, '}', lb);
            size_t ta = la - (size_t)(ea - sa), tb = lb - (size_t)(eb - sb);
            if (ta != tb || memcmp(ea, eb, ta))
                return 0;
        } else if (la != lb || memcmp(sa, sb, la)) {
            return 0;
        }
    }
}

static struct route *route_table;
static pthread_once_t routes_once = PTHREAD_ONCE_INIT;

/* Insertion sort by specificity: stable, so routes no segment orders keep their order. */
static void routes_build(void)
{
    size_t n = 0;
    for (int i = 0; modules[i]; i++)
        for (const struct route *rt = modules[i]->routes; rt && rt->method; rt++)
            n++;
    route_table = xcalloc(n + 1, sizeof *route_table);
    size_t k = 0;
    for (int i = 0; modules[i]; i++)
        for (const struct route *rt = modules[i]->routes; rt && rt->method; rt++) {
            struct route r = *rt;
            if (!r.module && !strstr(r.pattern, "{entity}"))
                r.module = modules[i]->name;
            size_t j = k++;
            while (j > 0 && specificity(r.pattern, route_table[j - 1].pattern) < 0) {
                route_table[j] = route_table[j - 1];
                j--;
            }
            route_table[j] = r;
        }
}

const struct route *module_routes(void)
{
    pthread_once(&routes_once, routes_build);
    return route_table;
}

/* ---- grants ------------------------------------------------------------------------- */

unsigned module_perms(const char *role, const char *name)
{
    if (!role || !name)
        return 0;
    for (int i = 0; modules[i]; i++) {
        if (strcmp(modules[i]->name, name))
            continue;
        for (const struct grant *g = modules[i]->grants; g && g->role; g++)
            if (!strcmp(g->role, role))
                return g->perms;
    }
    return 0;
}

/* ---- figures ------------------------------------------------------------------------ */

int period_make(struct period *p, arena *a, const char *path, const char *from, const char *to)
{
    p->path = path;
    p->bound = path_bound(a, path);
    p->from = from;
    p->to = to;
    p->wide = 0;
    return day_start_utc(from, 0, p->from_utc) || day_start_utc(to, 1, p->to_utc) ? -1 : 0;
}

/* The orgs of the subtree [path, bound) (path NULL: every org), kept until the data changes. */
static int64_t org_count(db *d, const char *path, const char *bound)
{
    char key[600];
    snprintf(key, sizeof key, "orgs in\x1f%s", path ? path : "");
    int64_t n;
    if (db_memo_get(d, key, &n))
        return n;
    n = path ? db_int(d, -1, "SELECT count(*) FROM \"org\" WHERE path >= ? AND path < ?", "ss",
                      path, bound)
             : db_int(d, -1, "SELECT count(*) FROM \"org\"", "");
    if (n >= 0)
        db_memo_put(d, key, n);
    return n;
}

int subtree_share(db *d, const char *path, const char *bound)
{
    int64_t in = org_count(d, path, bound), all = org_count(d, NULL, NULL);
    if (in < 0 || all < 0)
        return -1;
    return in == all ? 2 : 2 * in > all;
}

/* Whether f counts the same over p as over kp. */
static int same_count(const struct figure *f, const struct period *p, const struct period *kp)
{
    if (strcmp(p->path, kp->path))
        return 0;
    if (f->standing == FIG_NOW)
        return 1;
    return !strcmp(p->to, kp->to) && (f->standing == FIG_AT_END || !strcmp(p->from, kp->from));
}

json_t *module_figures(db *d, const struct period *p, const json_t *known, const struct period *kp)
{
    json_t *o = json_object();
    for (int i = 0; modules[i]; i++)
        for (const struct figure *f = modules[i]->figures; f && f->key; f++) {
            json_t *k = known ? json_object_get(known, f->key) : NULL;
            int64_t v =
                json_is_integer(k) && same_count(f, p, kp) ? json_integer_value(k) : f->value(d, p);
            if (v < 0) {
                json_decref(o);
                return NULL;
            }
            json_object_set_new(o, f->key, json_integer(v));
        }
    return o;
}

/* ---- the check ---------------------------------------------------------------------- */

static const struct module *module_named(const struct module *const *mods, const char *name)
{
    for (int i = 0; mods[i]; i++)
        if (!strcmp(mods[i]->name, name))
            return mods[i];
    return NULL;
}

/* Does any role hold a permission on the module called name? */
static int granted(const struct module *const *mods, const char *name)
{
    for (int i = 0; mods[i]; i++)
        if (!strcmp(mods[i]->name, name))
            for (const struct grant *g = mods[i]->grants; g && g->role; g++)
                if (g->perms)
                    return 1;
    return 0;
}

static int known_role(const char *role)
{
    for (const struct enumval *v = user_roles; v->value; v++)
        if (!strcmp(v->value, role))
            return 1;
    return 0;
}

int modules_check(const struct module *const *mods, buf *out)
{
    int n = 0;
#define PROBLEM(...) (buf_printf(out, __VA_ARGS__), buf_putc(out, '\n'), n++)
    for (int i = 0; mods[i]; i++) {
        const struct module *m = mods[i];
        for (int j = 0; j < i; j++)
            if (!strcmp(mods[j]->name, m->name))
                PROBLEM("模块 %s 声明了两次", m->name);
        for (const struct grant *g = m->grants; g && g->role; g++) {
            if (!known_role(g->role))
                PROBLEM("模块 %s: 授权给了不存在的角色 %s", m->name, g->role);
            for (const struct grant *h = m->grants; h != g; h++)
                if (!strcmp(h->role, g->role))
                    PROBLEM("模块 %s: 角色 %s 的授权写了两次", m->name, g->role);
        }
        for (const struct figure *f = m->figures; f && f->key; f++) {
            if (!f->value)
                PROBLEM("数字 %s (模块 %s) 没有计算函数", f->key, m->name);
            for (int k = 0; k <= i; k++)
                for (const struct figure *g = mods[k]->figures; g && g->key; g++) {
                    if (k == i && g >= f)
                        break;
                    if (!strcmp(g->key, f->key))
                        PROBLEM("数字 %s 声明了两次 (模块 %s 和 %s)", f->key, mods[k]->name,
                                m->name);
                }
        }
        for (int j = 0; m->entities && m->entities[j]; j++) {
            const struct entity *e = m->entities[j];
            for (int k = 0; k <= i; k++)
                for (int l = 0; mods[k]->entities && mods[k]->entities[l]; l++)
                    if ((k < i || l < j) && !strcmp(mods[k]->entities[l]->name, e->name))
                        PROBLEM("实体 %s 声明了两次 (模块 %s 和 %s)", e->name, mods[k]->name,
                                m->name);
            if (!module_named(mods, e->module))
                PROBLEM("实体 %s 的权限模块 %s 没有声明", e->name, e->module);
            else if (!granted(mods, e->module))
                PROBLEM("实体 %s 不可达: 没有角色拥有模块 %s 的权限", e->name, e->module);
        }
        for (const struct route *r = m->routes; r && r->method; r++) {
            if (!r->fn)
                PROBLEM("接口 %s %s 没有处理函数", r->method, r->pattern);
            int named = 0;
            for (int k = 0; r->entity && mods[k] && !named; k++)
                for (int l = 0; mods[k]->entities && mods[k]->entities[l] && !named; l++)
                    named = !strcmp(mods[k]->entities[l]->name, r->entity);
            if (r->entity && !named)
                PROBLEM("接口 %s %s 的实体 %s 没有声明", r->method, r->pattern, r->entity);
            const char *pm = r->module                        ? r->module
                             : strstr(r->pattern, "{entity}") ? NULL
                                                              : m->name;
            if (pm && r->perm != P_NONE && r->perm != P_PUBLIC && !granted(mods, pm))
                PROBLEM("接口 %s %s 不可达: 没有角色拥有模块 %s 的权限", r->method, r->pattern, pm);
            for (int k = 0; k <= i; k++)
                for (const struct route *q = mods[k]->routes; q && q->method; q++) {
                    if (k == i && q >= r)
                        break;
                    if (!strcmp(q->method, r->method) && same_shape(q->pattern, r->pattern))
                        PROBLEM("接口 %s %s 声明了两次 (模块 %s 和 %s), 后一个不可达", r->method,
                                r->pattern, mods[k]->name, m->name);
                }
        }
    }
    /* A module without entities or routes of its own may still hold the grants that
     * other modules' routes name ("report"); one that nothing names is dead. */
    for (int i = 0; mods[i]; i++) {
        const struct module *m = mods[i];
        if (!m->grants || !m->grants[0].role)
            continue;
        int used = 0;
        for (int k = 0; mods[k] && !used; k++) {
            for (int l = 0; mods[k]->entities && mods[k]->entities[l] && !used; l++)
                used = !strcmp(mods[k]->entities[l]->module, m->name);
            for (const struct route *q = mods[k]->routes; q && q->method && !used; q++)
                used = q->module ? !strcmp(q->module, m->name)
                                 : mods[k] == m && !strstr(q->pattern, "{entity}");
        }
        if (!used)
            PROBLEM("模块 %s 的授权不可达: 没有实体或接口使用它", m->name);
    }
#undef PROBLEM
    return n;
}
