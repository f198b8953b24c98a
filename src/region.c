/* region.c - lookups in the GB/T 2260 table and its two endpoints. See region.h. */
#include "module.h"
#include "region.h"
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_code(const void *key, const void *elem)
{
    return strcmp(key, ((const struct region *)elem)->code);
}

const struct region *region_find(const char *code)
{
    if (!code || strlen(code) != 6)
        return NULL;
    return bsearch(code, regions, nregions, sizeof *regions, cmp_code);
}

/* Level of a code: 1 province (xx0000), 2 city (xxyy00), 3 county. */
static int level(const char *code)
{
    if (!strcmp(code + 2, "0000"))
        return 1;
    return !strcmp(code + 4, "00") ? 2 : 3;
}

/* Is child directly under parent (NULL: the root)? */
static int under(const char *child, const char *parent)
{
    if (!parent)
        return level(child) == 1;
    int lp = level(parent);
    return level(child) == lp + 1 && !strncmp(child, parent, (size_t)lp * 2);
}

static int has_children(const struct region *g)
{
    if (level(g->code) == 3)
        return 0;
    const struct region *next = g + 1;
    return next < regions + nregions && under(next->code, g->code);
}

void regions_h(struct req *r)
{
    const char *parent = req_arg(r, "parent");
    if (parent && !*parent)
        parent = NULL;
    if (parent && !region_find(parent)) {
        reply_error(r, 400, "bad_request", "parent", "没有行政区划代码“%s”", parent);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < nregions; i++)
        if (under(regions[i].code, parent))
            json_array_append_new(items,
                                  json_pack("{s:s, s:s, s:b}", "code", regions[i].code, "name",
                                            regions[i].name, "leaf", !has_children(&regions[i])));
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

void region_h(struct req *r)
{
    char code[16];
    snprintf(code, sizeof code, "%06lld", (long long)r->id);
    const struct region *g = region_find(code);
    if (!g) {
        reply_error(r, 404, "not_found", "code", "没有行政区划代码“%s”", code);
        return;
    }
    json_t *path = json_array();
    char up[7];
    for (int l = 1; l < level(code); l++) {
        snprintf(up, sizeof up, "%.*s%s", l * 2, code, l == 1 ? "0000" : "00");
        const struct region *p = region_find(up);
        if (p)
            json_array_append_new(path, json_string(p->name));
    }
    json_array_append_new(path, json_string(g->name));
    reply_json(r, 200,
               json_pack("{s:s, s:s, s:o}", "code", g->code, "name", g->name, "path", path));
}

const struct module region_module = {
    .name = "region",
    .routes =
        (const struct route[]){
            {"GET", "/api/v1/regions", regions_h, NULL, P_NONE, 0},
            {"GET", "/api/v1/regions/{id}", region_h, NULL, P_NONE, 0},
            {NULL},
        },
};
