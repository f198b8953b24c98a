/* map.c - the liaison map (联络图, SPEC "The work report and the liaison map"): how many
 * people, associations and enterprises the federation is in touch with in each country, and
 * where its people's ancestors came from in China, over the reader's scope (or an org's
 * subtree within it). GET /api/v1/map?org=ID answers {countries: [{country, name, people,
 * associations, enterprises}], ancestral: [{region_code, name, people}]} (SPEC "The fixed
 * interface"), the most first. Geometry that shows China's territory as its map standard
 * requires cannot be bundled from a maintained package, so the web app charts these
 * instead of drawing a map (SPEC allows it). */
#include "api.h"
#include "country.h"
#include "module.h"
#include "region.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows of "SELECT key, count" over ent's live records in c's scope and the subtree [path,
 * bound) (whole: it holds every org), grouped by the column col (as expr), into *out as
 * {key: n}; 0, or -1 on a database error.
 * SQLite's planner cannot tell a county from the province (it never sees the bounds) and
 * walks the grouped column's index (a country's) through every row of the table to save a
 * sort: 974 ms for a county's people among a million, 18 ms read by the county's orgs.
 * db_no_index keeps it off the indexes of the table's columns; the whole tree is then read
 * without the orgs at all (1,646 ms through the index, 465 ms as a scan). */
static int counts(struct ent_ctx *c, const char *ent_name, const char *col, const char *path,
                  const char *bound, int whole, json_t *out)
{
    const struct entity *ent = entity_find(ent_name);
    buf sql = {0};
    json_t *binds = json_array();
    const char *no = db_no_index(c->db);
    char *expr = arena_printf(c->a, "%s%s", no, col);
    buf_printf(&sql,
               "SELECT %s AS k, count(*) AS n FROM \"%s\" t WHERE %st.deleted_at IS NULL AND %s IS "
               "NOT NULL",
               expr, ent->name, no, expr);
    ent_scope_sql(c, ent, &sql, binds);
    if (!whole) {
        buf_puts(&sql, " AND t.org_id IN (SELECT id FROM \"org\" WHERE path >= ? AND path < ?)");
        json_array_append_new(binds, json_string(path));
        json_array_append_new(binds, json_string(bound));
    }
    buf_printf(&sql, " GROUP BY %s", expr);
    stmt *s = db_prepare_json(c->db, buf_str(&sql), binds);
    int rc = s ? DB_ROW : DB_ERROR;
    while (s && (rc = st_step(s)) == DB_ROW)
        json_object_set_new(out, st_text(s, "k"), json_integer(st_int(s, "n")));
    st_finalize(s);
    buf_free(&sql);
    json_decref(binds);
    return rc == DB_DONE ? 0 : -1;
}

static int by_total(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t tx = json_integer_value(json_object_get(x, "total")),
               ty = json_integer_value(json_object_get(y, "total"));
    if (tx != ty)
        return tx > ty ? -1 : 1;
    return strcmp(json_string_value(json_object_get(x, "key")),
                  json_string_value(json_object_get(y, "key")));
}

/* The items of a {key: item} object, the largest total first, without their sort keys. */
static json_t *sorted(json_t *obj)
{
    size_t n = json_object_size(obj), i = 0;
    json_t **items = xcalloc(n + 1, sizeof *items), *v, *out = json_array();
    const char *k;
    json_object_foreach(obj, k, v) items[i++] = v;
    qsort(items, n, sizeof *items, by_total);
    for (i = 0; i < n; i++) {
        json_t *it = json_deep_copy(items[i]);
        json_object_del(it, "key");
        json_object_del(it, "total");
        json_array_append_new(out, it);
    }
    free(items);
    return out;
}

/* The name of a prefecture (city) code for the chart: a municipality's districts
 * (市辖区) go by the province's name. */
static const char *city_name(const char *code)
{
    const struct region *r = region_find(code);
    if (r && strcmp(r->name, "市辖区") && strcmp(r->name, "县"))
        return r->name;
    char prov[7];
    snprintf(prov, sizeof prov, "%.2s0000", code);
    r = region_find(prov);
    return r ? r->name : code;
}

static void map_h(struct req *r)
{
    static const char *const known[] = {"org", NULL};
    json_t *o = req_org(r, known);
    if (!o)
        return;
    const char *path = arena_strdup(r->a, json_string_value(json_object_get(o, "path")));
    const char *bound = path_bound(r->a, path);
    json_decref(o);
    static const struct {
        const char *entity, *column, *key;
    } kinds[] = {{"person", "t.residence_country", "people"},
                 {"association", "t.country", "associations"},
                 {"enterprise", "t.country", "enterprises"}};
    json_t *byc = json_object(), *anc = json_object(), *n = json_object(), *v;
    const char *k;
    int share = subtree_share(r->db, path, bound), rc = share < 0 ? -1 : 0, whole = share == 2;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds && !rc; i++) {
        json_object_clear(n);
        rc = counts(&r->ctx, kinds[i].entity, kinds[i].column, path, bound, whole, n);
        json_object_foreach(n, k, v)
        {
            json_t *it = json_object_get(byc, k);
            if (!it) {
                const struct country *cn = country_find(k);
                it = json_pack("{s:s, s:s, s:i, s:i, s:i, s:s, s:i}", "country", k, "name",
                               cn ? cn->name_zh : k, "people", 0, "associations", 0, "enterprises",
                               0, "key", k, "total", 0);
                json_object_set_new(byc, k, it);
            }
            json_object_set(it, kinds[i].key, v);
            json_object_set_new(it, "total",
                                json_integer(json_integer_value(json_object_get(it, "total")) +
                                             json_integer_value(v)));
        }
    }
    json_object_clear(n);
    if (!rc)
        rc = counts(&r->ctx, "person", "substr(t.ancestral_region_code, 1, 4)", path, bound, whole,
                    n);
    json_object_foreach(n, k, v)
    {
        char code[7];
        snprintf(code, sizeof code, "%.4s00", k);
        json_t *it = json_object_get(anc, code);
        json_int_t before = it ? json_integer_value(json_object_get(it, "people")) : 0;
        if (!it) {
            it = json_pack("{s:s, s:s, s:s}", "region_code", code, "name", city_name(code), "key",
                           code);
            json_object_set_new(anc, code, it);
        }
        json_object_set_new(it, "people", json_integer(before + json_integer_value(v)));
        json_object_set_new(it, "total", json_integer(before + json_integer_value(v)));
    }
    json_decref(n);
    if (rc) {
        json_decref(byc);
        json_decref(anc);
        reply_db_error(r, "数据库错误, 请稍后再试");
        return;
    }
    json_t *res = json_pack("{s:o, s:o}", "countries", sorted(byc), "ancestral", sorted(anc));
    json_decref(byc);
    json_decref(anc);
    reply_json(r, 200, res);
}

/* 联络图: its figures are the registries', read with the registry's permission. */
const struct module map_module = {
    .name = "map",
    .label = {"联络图", "聯絡圖", "Liaison map"},
    .routes =
        (const struct route[]){
            {"GET", "/api/v1/map", map_h, "registry", P_VIEW, 0},
            {NULL},
        },
};
