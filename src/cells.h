/* cells.h - what people write in census cells, read as qiao's values (import.c).
 *
 * A spreadsheet cell says what a person typed: "１３８ 1234 5678　", "1966年7月31日",
 * "¥12,345.67", "广东省江门市台山市", "马来西亚". These functions turn such text into the
 * forms the declarations validate (entity.c), or say that they cannot: they never guess
 * (an ambiguous date, a number with lost digits and a masked value are refused by the
 * caller). The words they know (header synonyms, short forms of enum values and country
 * names) are data, in import_names.c.
 *
 * Pure functions over built-in tables, thread-safe. Strings are UTF-8.
 */
#ifndef QIAO_CELLS_H
#define QIAO_CELLS_H

#include <stdint.h>

#include "region.h"
#include "util.h"

/* A cell with every kind of space trimmed at both ends (ASCII, U+3000, NBSP, the
 * U+2000 spaces), zero-width characters (U+200B-U+200D, U+2060, U+FEFF, soft hyphen)
 * removed, other spaces inside made ' ', and the full-width ASCII block (U+FF01-U+FF5E,
 * NFKC) folded to ASCII: all of it when full, else only digits and letters (free text keeps
 * its Chinese punctuation "，（）"). Answers s itself when nothing changes, else a copy
 * from a. */
const char *cell_clean(arena *a, const char *s, int full);

/* The key a header or a label is compared by: no spaces of any kind, full-width folded,
 * Chinese characters folded to simplified (陳 -> 陈), ASCII lower-cased. From a. */
char *cell_key(arena *a, const char *s);

/* 1 when s is a number in E notation ("4.40784197407014E+17"): digits already lost. */
int cell_sci(const char *s);
/* 1 when s holds a run of "**": a value masked by an export (mask_value in entity.c). */
int cell_masked(const char *s);

/* Money written in 元 (scale 0) or 万元 (scale 4): "12345.67", "12,345.67", "¥12,345.67",
 * "12345元", "-5". Exact decimal arithmetic, no floating point. 0 with *fen, or -1 with
 * *why (a static Chinese phrase: what is expected). */
int cell_money(const char *s, int scale, int64_t *fen, const char **why);
/* A number as an XLSX cell stores it ("2345.6700000000001", "1.2345678E+7") written as
 * Excel shows it (15 significant digits) into out; 0, or -1 when it is not a number. */
int cell_number_text(const char *v, char out[48]);

/* A date in a common form: YYYY-M-D, YYYY/M/D, YYYY.M.D, YYYY年M月D日, YYYYMMDD, with an
 * optional time of exactly midnight. 1 with YYYY-MM-DD in out (the calendar is checked
 * later), 0 when s has none of these forms (it is left as it is). */
int cell_date(const char *s, char out[11]);

/* A phone number of mainland China written without +86: a mobile (13812345678 ->
 * "+86 138 1234 5678"), a landline with its area code (0750-5523456, (020)12345678 ->
 * "+86 750 5523456"), 86 in front, or the 00 international prefix (0060... -> "+60...").
 * 1 with the number in out, 0 when s is none of these (left as it is). */
int cell_phone(const char *s, char out[40]);

/* The region a text names at its start: "广东省江门市台山市", "广东江门", "江门市" (when
 * one city has that name), "台山". NULL when none or several; *rest: where the text after
 * the region's name begins (spaces skipped). */
const struct region *cell_region(const char *s, const char **rest);

/* The ISO 3166-1 code a country's name stands for: its code in any case, its Chinese
 * name (simplified or traditional), English name, or a common short form (印尼, 马来,
 * 香港). NULL when none. */
const char *cell_country(const char *s);

/* ---- the words (import_names.c) ----------------------------------------------------- */

/* A header people write for a field: "联系电话" -> phone. entity NULL: any entity that has
 * the field. Terminated by {NULL}. */
struct header_alias {
    const char *entity, *header, *field;
};
extern const struct header_alias header_aliases[];

/* A short form of an enum or set value: "身份证" -> resident_id. field NULL: any field
 * with that value. Terminated by {NULL}. */
struct value_alias {
    const char *field, *text, *value;
};
extern const struct value_alias value_aliases[];

/* A short country name: "印尼" -> ID. Terminated by {NULL}. */
struct country_alias {
    const char *name, *code;
};
extern const struct country_alias country_aliases[];

#endif
