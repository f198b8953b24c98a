/* libFuzzer target: the census readers (xlsx.c) - any bytes as an upload: CSV in UTF-8 or
 * GB18030, or a zip read as an XLSX workbook (libzip + expat). Run with
 * `make build/fuzz/fuzz_csv && build/fuzz/fuzz_csv -max_total_time=60`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct table t;
    struct verr e;
    table_init(&t);
    int whole = table_read(&t, (const char *)data, size, &e);
    if (whole == 0) {
        for (int i = 0; i < t.nrows; i++)
            for (int j = 0; j < t.rows[i].n; j++)
                if (!t.rows[i].cells[j])
                    abort();
    }
    /* read row by row (table_open): the same rows, or the same refusal */
    struct table r;
    table_init(&r);
    if (table_open(&r, (const char *)data, size, &e) != whole)
        abort();
    for (int i = 0; whole == 0; i++) {
        table_drop(&r, i);
        struct trow *row = table_row(&r, i);
        if (!row != (i == t.nrows) || r.failed)
            abort();
        if (!row)
            break;
        if (row->num != t.rows[i].num || row->n != t.rows[i].n)
            abort();
        for (int j = 0; j < row->n; j++)
            if (strcmp(row->cells[j], t.rows[i].cells[j]))
                abort();
    }
    table_free(&r);
    table_free(&t);
    /* the CSV parser alone, on text that may not be UTF-8 */
    table_init(&t);
    csv_parse(&t, (const char *)data, size, &e);
    table_free(&t);
    return 0;
}
