/* libFuzzer target: the import after the file is read (import.c) - finding the header row,
 * mapping headers to fields by synonym, label or name, 编号 for updates, links by name,
 * every value reader, merged cells and totals rows, the per-row report - as a dry run
 * against a database made once. The first byte picks the entity (its index in ent_all(),
 * modulo their number: the seeds use person 2, association 3, contact 8, donation 13,
 * participant 18), the rest is the upload
 * (CSV or XLSX, as table_read takes it); each import runs for the whole federation and
 * for a county's staff. Run with `make fuzz`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entity.h"
#include "import.h"
#include "schema.h"

static db *d;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[256];
    d = db_open(":memory:", err, sizeof err);
    if (!d || schema_upgrade(d) < 0) {
        fprintf(stderr, "fuzz_import: no database: %s\n", err);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    int n = 0;
    while (ent_all()[n])
        n++;
    const struct entity *ent = ent_all()[data[0] % n];
    struct table t;
    table_init(&t);
    struct verr e;
    if (table_read(&t, (const char *)data + 1, size - 1, &e) == 0) {
        for (int scoped = 0; scoped < 2; scoped++) {
            arena *a = arena_new();
            struct ent_ctx c = {.db = d, .a = a};
            if (scoped) {
                c.user_id = 2;
                c.role = "staff";
                c.org_id = 2;
                c.scope_path = "/1/2/";
            }
            int ok = 0;
            json_t *rep = import_table(&c, ent, &t, NULL, 1, NULL, NULL, &ok, &e);
            /* the counts add up: every row passed or is refused, and a clean run has no errors
             * (a sheet's own problem, such as no rows under the header, is an error of no row) */
            json_int_t rows = json_integer_value(json_object_get(rep, "rows")),
                       good = json_integer_value(json_object_get(rep, "ok")),
                       bad = json_integer_value(json_object_get(rep, "error_rows")),
                       nerr = json_integer_value(json_object_get(rep, "error_count"));
            if (rep && getenv("FUZZ_SHOW")) /* FUZZ_SHOW=1 build/fuzz/fuzz_import FILE */
                fprintf(stderr, "%s\n", json_dumps(rep, JSON_COMPACT));
            if (rep && (good + bad != rows || (ok && nerr)))
                abort();
            json_decref(rep);
            arena_free(a);
        }
    }
    table_free(&t);
    return 0;
}
