/* country.c - lookups in the ISO 3166-1 table and GET /api/v1/countries. See country.h. */
#include "module.h"
#include "country.h"
#include "http.h"

#include <stdlib.h>
#include <string.h>

static int cmp_code(const void *key, const void *elem)
{
    return strcmp(key, ((const struct country *)elem)->code);
}

const struct country *country_find(const char *code)
{
    if (!code || strlen(code) != 2)
        return NULL;
    return bsearch(code, countries, ncountries, sizeof *countries, cmp_code);
}

/* GET /api/v1/countries */
void countries_h(struct req *r)
{
    json_t *items = json_array();
    for (size_t i = 0; i < ncountries; i++)
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:s, s:s}", "code", countries[i].code,
                                        "name_zh", countries[i].name_zh, "name_hant",
                                        countries[i].name_hant, "name_en", countries[i].name_en));
    reply_json(r, 200, json_pack("{s:o}", "items", items));
}

const struct module country_module = {
    .name = "country",
    .routes =
        (const struct route[]){
            {"GET", "/api/v1/countries", countries_h, NULL, P_NONE, 0},
            {NULL},
        },
};
