/* libFuzzer target: the list's query string (filters, FIELD_from/FIELD_to, q, sort, page,
 * per_page, the keyset cursors after and before: ent_list in entity.c) against an empty database
 * made once. The first byte picks the entity, the rest is "key=value&key=value" as libmicrohttpd
 * hands it over (decoded); each list runs for the whole federation and for a county's staff. Run
 * with `make fuzz`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entity.h"
#include "schema.h"

static db *d;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[256];
    d = db_open(":memory:", err, sizeof err);
    if (!d || schema_upgrade(d) < 0) {
        fprintf(stderr, "fuzz_query: no database: %s\n", err);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int n = 0;
    while (ent_all()[n])
        n++;
    const struct entity *ent = ent_all()[data[0] % n];
    char *text = xstrndup((const char *)data + 1, size - 1);
    struct kv args[32];
    int nargs = 0;
    for (char *save = NULL, *p = strtok_r(text, "&", &save); p && nargs < 32;
         p = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(p, '=');
        if (eq)
            *eq = 0;
        args[nargs].key = p;
        args[nargs++].value = eq ? eq + 1 : "";
    }
    static const char *const ignore[] = {"unmask", NULL};
    for (int scoped = 0; scoped < 2; scoped++) {
        arena *a = arena_new();
        struct ent_ctx c = {.db = d, .a = a};
        if (scoped) {
            c.user_id = 2;
            c.role = "staff";
            c.org_id = 2;
            c.scope_path = "/1/2/";
        }
        struct verr e;
        json_t *res = ent_list(&c, ent, args, nargs, ignore, &e);
        json_decref(res);
        arena_free(a);
    }
    free(text);
    return 0;
}
