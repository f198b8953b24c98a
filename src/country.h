/* country.h - ISO 3166-1 countries with their Chinese names, from Debian's iso-codes
 * (its JSON and its zh_CN gettext catalogue), turned into a C table at build time by
 * tools/gen_countries.sh. */
#ifndef QIAO_COUNTRY_H
#define QIAO_COUNTRY_H

#include <stddef.h>

struct country {
    const char *code;      /* alpha-2, upper case: "MY" */
    const char *name_zh;   /* Simplified Chinese: "马来西亚" */
    const char *name_hant; /* Traditional Chinese (OpenCC s2twp): "馬來西亞" */
    const char *name_en;   /* "Malaysia" */
};

extern const struct country countries[]; /* sorted by code; build/gen/countries.c */
extern const size_t ncountries;

/* The country with this alpha-2 code (exact, upper case), or NULL. */
const struct country *country_find(const char *code);

struct req;
/* GET /api/v1/countries: {items: [{code, name_zh, name_hant, name_en}]} in code order. */
void countries_h(struct req *r);

#endif
