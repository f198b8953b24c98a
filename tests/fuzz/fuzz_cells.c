/* libFuzzer target: census cells as people write them (cells.c) - any text through every
 * reader: cleaning, keys, money, numbers, dates, phones, regions, countries. Run with
 * `make build/fuzz/fuzz_cells && build/fuzz/fuzz_cells -max_total_time=60`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cells.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    if (!utf8_valid(s, strlen(s))) { /* cells are UTF-8 by the time they are read */
        free(s);
        return 0;
    }
    arena *a = arena_new();
    const char *c = cell_clean(a, s, size & 1);
    if (strlen(c) > strlen(s))
        abort();
    cell_key(a, s);
    cell_sci(c);
    cell_masked(c);
    int64_t fen;
    const char *why, *rest;
    cell_money(c, 0, &fen, &why);
    cell_money(c, 4, &fen, &why);
    char num[48], d[11], ph[40];
    cell_number_text(c, num);
    if (cell_date(c, d) && strlen(d) != 10)
        abort();
    if (cell_phone(c, ph) && ph[0] != '+')
        abort();
    if (cell_region(c, &rest) && (rest < c || rest > c + strlen(c)))
        abort();
    cell_country(c);
    arena_free(a);
    free(s);
    return 0;
}
