/* libFuzzer target: every parser that sees user input before a handler does - a request
 * body (JSON, checked against each entity's declaration) and a cell or query value (text,
 * checked against each field). Run with `make fuzz`. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    for (int i = 0; body && ent_all()[i]; i++) {
        json_t *out = NULL;
        struct verr e;
        if (ent_input(ent_all()[i], body, &out, &e) == 0)
            json_decref(out);
    }
    json_decref(body);
    char *text = xstrndup((const char *)data, size);
    for (int i = 0; ent_all()[i]; i++) {
        for (const struct field *f = ent_all()[i]->fields; f->name; f++) {
            if (f->type == FT_KEY)
                continue;
            json_t *out = NULL;
            struct verr e;
            if (ent_value_text(f, text, &out, &e) == 0)
                json_decref(out);
        }
    }
    free(text);
    return 0;
}
