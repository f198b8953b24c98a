/* names.h - how a name is written, read and spelt: the keys that name search indexes
 * and the pieces a query is cut into (SPEC "Finding people"). Pure functions over
 * built-in tables, no database; thread-safe.
 *
 * The tables: readings and simplified/traditional folding generated at build time from
 * Debian's Unihan and OpenCC files (tools/gen_unihan.c -> build/gen/unihan.c), and the
 * hand-written surname table (surnames.c): surname readings and how each dialect group
 * spells a surname abroad.
 *
 * Texts are UTF-8. Keys are byte strings compared byte-wise: folded Chinese characters,
 * or lower-case ASCII letters and digits.
 */
#ifndef QIAO_NAMES_H
#define QIAO_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* ---- generated tables (build/gen/unihan.c) ------------------------------------------ */

/* One character with readings: unihan_syl[off ..] holds npinyin indexes into
 * unihan_pinyin (the usual reading first), then njyut indexes into unihan_jyut. */
struct unihan_char {
    uint32_t cp, off;
    uint8_t npinyin, njyut;
};
extern const struct unihan_char unihan_chars[]; /* sorted by cp */
extern const size_t unihan_chars_n;
extern const uint16_t unihan_syl[];
extern const char *const unihan_pinyin[]; /* toneless pinyin, ü as v, sorted */
extern const size_t unihan_pinyin_n;
extern const char *const unihan_jyut[]; /* toneless Jyutping, sorted */
extern const size_t unihan_jyut_n;
extern const uint32_t unihan_fold[][2]; /* {traditional, simplified}, sorted */
extern const size_t unihan_fold_n;
struct unihan_viet {
    uint32_t cp;
    const char *readings; /* Sino-Vietnamese, without diacritics: "tran", "truong trang" */
};
extern const struct unihan_viet unihan_viet[]; /* sorted by cp */
extern const size_t unihan_viet_n;

/* ---- the surname table (surnames.c) ------------------------------------------------- */

/* The dialect groups (and the Philippines' Hokkien) the surname table has columns for;
 * after D_N, the spellings names.c makes from the table and Unihan. */
enum dialect {
    D_HOKKIEN,
    D_TEOCHEW,
    D_CANTONESE,
    D_HAKKA,
    D_HAINANESE,
    D_FUZHOU,
    D_PHILIPPINES,
    D_N,
    D_INDONESIA = D_N,
    D_THAI,
    D_VIETNAM,
    D_ALL
};
extern const char *const dialect_label[D_ALL]; /* "闽南话", "潮州话", ... */

struct surname {
    const char *han;        /* simplified (folded) form: one or two characters */
    const char *pinyin;     /* its reading as a surname, syllables separated by spaces */
    const char *spell[D_N]; /* spellings abroad by dialect, '/'-separated; NULL: none */
};
extern const struct surname surnames[]; /* terminated by {NULL} */

/* ---- characters --------------------------------------------------------------------- */

/* Decode the code point at *p and advance; 0 at the end; U+FFFD for a malformed byte. */
uint32_t utf8_next(const char **p);
/* Append cp as UTF-8 to s (room for 4 bytes); returns the bytes written. */
int utf8_put(char *s, uint32_t cp);
/* The simplified form of one character (per character, OpenCC's first choice). */
uint32_t name_fold(uint32_t cp);
/* 1 for a Chinese character (a CJK ideograph block). */
int name_is_han(uint32_t cp);
/* The letter a Latin code point stands for in a search ('a'-'z', '0'-'9', 'v' for ü,
 * tones and accents dropped); 1 for a combining mark (skip it); 0 for anything else. */
int name_latin_letter(uint32_t cp);
/* Mandarin readings of cp, the usual one first, into out (static strings). Count. */
int name_pinyin(uint32_t cp, const char **out, int max);
/* Cantonese readings of cp as canonical Hong Kong spellings ("chan"). Count. */
int name_jyut(uint32_t cp, const char **out, int max);

/* ---- keys --------------------------------------------------------------------------- */

enum key_kind {
    K_HAN = 1,        /* folded characters of the whole name */
    K_HAN_GIVEN,      /* ... of the given name (after the surname) */
    K_PINYIN,         /* pinyin without spaces or tones: "chenjiageng" */
    K_PINYIN_GIVEN,   /* "jiageng" */
    K_INITIALS,       /* "cjg" */
    K_INITIALS_GIVEN, /* "jg" */
    K_JYUT,           /* Cantonese, canonical Hong Kong spelling: "chankakang" */
    K_JYUT_GIVEN,     /* "kakang" */
    K_LATIN,          /* a name in Latin letters (passports): tokens joined, from each token on */
    K_N
};

#define NAME_KEY_MAX 200

struct name_key {
    int kind;
    int weak;                     /* uses a reading other than the usual or surname one */
    char key[NAME_KEY_MAX];       /* what is indexed */
    char show[NAME_KEY_MAX + 40]; /* the same for people: "chen jia geng", the name */
};

/* Every key of one name (a value of a name field): for Chinese characters the folded
 * text, every combination of readings (at most 8 per kind and start, the usual ones
 * first; the surname's own reading first for the surname), initials and Cantonese, from
 * the start and from the given name; for Latin letters, the tokens from each token on
 * and with the last token first ("Kah Kee Tan" -> "tankahkee"). flags NK_SUFFIXES: also
 * the folded text from every character (names of organisations, found by a word in the
 * middle). Calls fn once per distinct (kind, key), the strongest first. The first 16
 * characters get readings, the first 64 folded keys. Allocates nothing that outlives
 * the call. */
typedef void (*name_key_fn)(void *arg, const struct name_key *k);
void name_keys(const char *name, name_key_fn fn, void *arg); /* flags 0 */
enum { NK_SUFFIXES = 1 };
void name_keys_ex(const char *name, unsigned flags, name_key_fn fn, void *arg);

/* The usual pinyin of the Chinese characters of a name, without spaces ("chenjiageng" for
 * 陳嘉庚): the surname's own reading for its surname, the first reading of every other
 * character; the first strong K_PINYIN key name_keys makes, without making the others.
 * "" when there is none. Written into out (n bytes); returns its length. */
size_t name_reading(const char *name, char *out, size_t n);

/* The surname at the start of a folded text of n characters: the longest entry of the
 * surname table that matches (a two-character one only when n >= 3). NULL if none. */
const struct surname *surname_at(const uint32_t *folded, int n, int *len);

/* ---- queries ------------------------------------------------------------------------ */

/* 1 if s[0..n) is whole syllables: pinyin (cantonese 0) or canonical Hong Kong
 * spellings (cantonese 1). An empty string is. */
int name_syllables(int cantonese, const char *s, size_t n);

/* Where a Latin spelling can stand for a surname. */
struct surname_hit {
    const struct surname *s;
    unsigned dialects; /* 1 << enum dialect: the groups that spell it so */
    int pinyin;        /* it is the surname's pinyin */
    int cantonese;     /* it is its Hong Kong Cantonese spelling */
};
/* Surnames spelt `latin` (lower-case letters, no spaces). Count of hits written. */
int surname_spelled(const char *latin, struct surname_hit *out, int max);

/* Read Latin tokens (lower-case letters, NUL-separated, ntok of them) as Wade-Giles, as
 * Taiwan's passports write names (apostrophes and umlauts dropped, the given name often
 * hyphenated: "wang" "chien" "min"), and write the pinyin they can stand for into out (the
 * K_PINYIN form: "wangjianmin", "wangqianmin"), up to max, fewest syllables first. */
int wade_pinyin(const char *tokens, int ntok, char out[][NAME_KEY_MAX], int max);

/* Cut Latin tokens (lower-case letters, NUL-separated in `tokens`, ntok of them) into
 * Cantonese syllables as Hong Kong and overseas Cantonese spell them ("tsang", "cheong",
 * "kah"), and write each reading as canonical keys (the K_JYUT form) into out, up to max,
 * fewest syllables first. The last token may end in part of a syllable (typing): that
 * part is kept as typed, its initial made canonical ("ts" -> "ch"). Count written. */
int jyut_canonical(const char *tokens, int ntok, char out[][NAME_KEY_MAX], int max);

#endif
