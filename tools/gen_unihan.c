/* gen_unihan.c - build the compact reading and folding tables that name search uses
 * (src/names.h) from Debian's data files, at build time (tools/gen-unihan.sh runs it).
 *
 *   gen_unihan Unihan_Readings.txt TSCharacters.txt STCharacters.txt Vietnamese.txt > unihan.c
 *
 * Readings: for each character with any, its Mandarin readings without tones (ü written
 * v) in this order: kMandarin, kXHC1983, kTGHZ2013, then kHanyuPinyin only for characters
 * the two modern dictionaries lack (its many archaic readings would flood the index), so
 * the first is the usual reading and every current reading of a polyphonic character
 * follows; then its Cantonese readings (kCantonese, Jyutping without tones).
 *
 * Sino-Vietnamese readings: Unihan's kVietnamese, as Vietnamese.txt holds them (the same
 * lines with the diacritics taken off by iconv's transliteration: trần -> tran), for the
 * surname spellings of Vietnam's records.
 *
 * Folding: each traditional character to the first simplified character OpenCC's
 * TSCharacters gives (one character to one, never phrase-aware), plus the traditional
 * forms STCharacters lists that TSCharacters lacks; chains are followed to the end.
 *
 * The output is deterministic (sorted), so the build is reproducible. Exits non-zero
 * with a message on unreadable or implausible input.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXCP 0x40000
#define MAXR  16 /* readings kept per character and language */

enum { F_MANDARIN, F_XHC, F_TGHZ, F_HYPY, F_CANTONESE, NF };
static const char *const fnames[NF] = {"kMandarin", "kXHC1983", "kTGHZ2013", "kHanyuPinyin",
                                       "kCantonese"};

static char *(*fields)[NF]; /* [cp][field]: the raw value, malloc'd */
static uint32_t *fold;      /* [cp]: simplified form, 0 for none */
static char **viet;         /* [cp]: Sino-Vietnamese readings, "tran" or "truong trang" */

static void fail(const char *msg, const char *arg)
{
    fprintf(stderr, "gen_unihan: %s%s\n", msg, arg ? arg : "");
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        fail("out of memory", NULL);
    return p;
}

static char *xstrdup(const char *s)
{
    char *p = xmalloc(strlen(s) + 1);
    strcpy(p, s);
    return p;
}

/* Decode one UTF-8 code point at *p, advancing it; 0 at the end, 0xFFFD when malformed. */
static uint32_t utf8_next(const char **p)
{
    const unsigned char *s = (const unsigned char *)*p;
    uint32_t c = s[0];
    int n = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    if (!c)
        return 0;
    if (n < 0) {
        (*p)++;
        return 0xFFFD;
    }
    c &= n ? 0x3F >> n : 0x7F;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p += i;
            return 0xFFFD;
        }
        c = c << 6 | (s[i] & 0x3F);
    }
    *p += n + 1;
    return c;
}

/* The ASCII letter a toned pinyin letter stands for ('v' for ü), 1 for a combining
 * mark (dropped), 0 for anything that is not pinyin. */
static int pinyin_letter(uint32_t c)
{
    static const struct {
        uint32_t cp;
        char ascii;
    } map[] = {
        {0x00E0, 'a'}, {0x00E1, 'a'}, {0x0101, 'a'}, {0x01CE, 'a'}, {0x00E8, 'e'}, {0x00E9, 'e'},
        {0x00EA, 'e'}, {0x0113, 'e'}, {0x011B, 'e'}, {0x1EBF, 'e'}, {0x1EC1, 'e'}, {0x00EC, 'i'},
        {0x00ED, 'i'}, {0x012B, 'i'}, {0x01D0, 'i'}, {0x00F2, 'o'}, {0x00F3, 'o'}, {0x014D, 'o'},
        {0x01D2, 'o'}, {0x00F9, 'u'}, {0x00FA, 'u'}, {0x016B, 'u'}, {0x01D4, 'u'}, {0x00FC, 'v'},
        {0x01D6, 'v'}, {0x01D8, 'v'}, {0x01DA, 'v'}, {0x01DC, 'v'}, {0x0144, 'n'}, {0x0148, 'n'},
        {0x01F9, 'n'}, {0x1E3F, 'm'},
    };
    if (c < 0x80)
        return islower((int)c) ? (int)c : 0;
    if (c >= 0x0300 && c <= 0x036F)
        return 1;
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (map[i].cp == c)
            return map[i].ascii;
    return 0;
}

/* A toned pinyin syllable ("lǚ") as ASCII ("lv") into out; 0 if it is not pinyin. */
static int toneless(const char *s, char *out, size_t n)
{
    size_t k = 0;
    uint32_t c;
    while ((c = utf8_next(&s))) {
        int a = pinyin_letter(c);
        if (!a)
            return 0;
        if (a == 1)
            continue;
        if (k + 1 >= n)
            return 0;
        out[k++] = (char)a;
    }
    out[k] = 0;
    return k > 0;
}

/* Add r to list (n entries) unless present; returns the new count. */
static int add_reading(char list[][12], int n, const char *r)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i], r))
            return n;
    if (n == MAXR)
        return n;
    snprintf(list[n], 12, "%s", r);
    return n + 1;
}

/* Readings of one field value: "a b" (kMandarin, kCantonese) or "1.2:a,b 3.4:c". */
static int parse_readings(const char *v, int field, char list[][12], int n)
{
    char *copy = xstrdup(v), *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        char *r = strchr(w, ':') ? strchr(w, ':') + 1 : w;
        char *save2 = NULL;
        for (char *one = strtok_r(r, ",", &save2); one; one = strtok_r(NULL, ",", &save2)) {
            char out[12];
            if (field == F_CANTONESE) {
                size_t k = 0;
                for (const char *p = one; *p && k + 1 < sizeof out; p++)
                    if (islower((unsigned char)*p))
                        out[k++] = *p;
                out[k] = 0;
                if (k)
                    n = add_reading(list, n, out);
            } else if (toneless(one, out, sizeof out)) {
                n = add_reading(list, n, out);
            }
        }
    }
    free(copy);
    return n;
}

/* Each "U+XXXX<TAB>field<TAB>value" line of a Unihan file through take(cp, field, value),
 * which answers 1 for a line it kept; fewer than min kept is implausible input. */
static void read_unihan_lines(const char *path, int min,
                              int (*take)(uint32_t, const char *, char *))
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail("cannot read ", path);
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (strncmp(line, "U+", 2) || !tab2)
            continue;
        *tab1 = *tab2 = 0;
        tab2[1 + strcspn(tab2 + 1, "\r\n")] = 0;
        uint32_t cp = (uint32_t)strtoul(line + 2, NULL, 16);
        if (cp < MAXCP)
            n += take(cp, tab1 + 1, tab2 + 1);
    }
    fclose(f);
    if (n < min)
        fail("too few readings in ", path);
}

static int take_reading(uint32_t cp, const char *field, char *value)
{
    for (int i = 0; i < NF; i++)
        if (!strcmp(field, fnames[i])) {
            fields[cp][i] = xstrdup(value);
            return 1;
        }
    return 0;
}

/* kVietnamese, transliterated to ASCII: the readings in lower case. */
static int take_viet(uint32_t cp, const char *field, char *v)
{
    if (strcmp(field, "kVietnamese") || viet[cp])
        return 0;
    char *w = v;
    for (char *r = v; *r; r++)
        if (isalpha((unsigned char)*r) || *r == ' ')
            *w++ = (char)tolower((unsigned char)*r);
    *w = 0;
    if (!*v)
        return 0;
    viet[cp] = xstrdup(v);
    return 1;
}

/* OpenCC text dictionary: "from\tto1 to2 ...". first: 1 to take each line's first
 * target as the fold of from (TS), 0 to fold each target to from where nothing else
 * does (ST). */
static void read_opencc(const char *path, int first)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail("cannot read ", path);
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        const char *p = line;
        uint32_t from = utf8_next(&p);
        if (*p != '\t' || from >= MAXCP)
            continue; /* a phrase, not one character */
        p++;
        while (*p && *p != '\n') {
            uint32_t to = utf8_next(&p);
            int single = *p == ' ' || *p == '\n' || !*p;
            while (*p && *p != ' ' && *p != '\n')
                p++;
            if (*p == ' ')
                p++;
            if (!single || to >= MAXCP)
                continue;
            if (first) {
                if (to != from && !fold[from])
                    fold[from] = to;
                break;
            }
            if (to != from && !fold[to])
                fold[to] = from;
        }
        n++;
    }
    fclose(f);
    if (n < 1000)
        fail("too few entries in ", path);
}

/* Interned syllables, sorted at the end. */
struct pool {
    char **s;
    int n, cap;
};

static int intern(struct pool *p, const char *s)
{
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->s[i], s))
            return i;
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 1024;
        p->s = realloc(p->s, (size_t)p->cap * sizeof *p->s);
        if (!p->s)
            fail("out of memory", NULL);
    }
    p->s[p->n] = xstrdup(s);
    return p->n++;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int find(const struct pool *p, const char *s)
{
    char **hit = bsearch(&s, p->s, (size_t)p->n, sizeof *p->s, cmp_str);
    if (!hit)
        fail("syllable vanished: ", s);
    return (int)(hit - p->s);
}

static void emit_pool(const char *name, const struct pool *p)
{
    printf("const char *const %s[] = {", name);
    for (int i = 0; i < p->n; i++)
        printf("%s\"%s\",", i % 10 ? " " : "\n    ", p->s[i]);
    printf("\n};\nconst size_t %s_n = %d;\n\n", name, p->n);
}

int main(int argc, char **argv)
{
    if (argc != 5)
        fail("usage: gen_unihan Unihan_Readings.txt TSCharacters.txt STCharacters.txt "
             "Vietnamese.txt",
             NULL);
    fields = xmalloc(MAXCP * sizeof *fields);
    fold = xmalloc(MAXCP * sizeof *fold);
    viet = xmalloc(MAXCP * sizeof *viet);
    read_unihan_lines(argv[1], 50000, take_reading);
    read_opencc(argv[2], 1);
    read_opencc(argv[3], 0);
    read_unihan_lines(argv[4], 5000, take_viet);

    /* Follow chains (a -> b -> c becomes a -> c); a cycle is bad data. */
    for (uint32_t c = 0; c < MAXCP; c++) {
        int steps = 0;
        while (fold[c] && fold[fold[c]] && fold[fold[c]] != c && steps++ < 8)
            fold[c] = fold[fold[c]];
        if (fold[c] && fold[fold[c]] == c)
            fold[fold[c]] = 0; /* a pair pointing at each other: keep one direction */
    }

    /* Readings per character, in order; syllables interned. */
    struct pool pinyin = {0}, jyut = {0};
    char(*lists)[2][MAXR][12] = NULL;
    int(*counts)[2] = xmalloc(MAXCP * sizeof *counts);
    uint32_t *cps = xmalloc(MAXCP * sizeof *cps);
    int nchars = 0;
    lists = xmalloc((size_t)MAXCP / 4 * sizeof *lists);
    for (uint32_t c = 0; c < MAXCP; c++) {
        char *const *fv = fields[c];
        int any = 0;
        for (int i = 0; i < NF; i++)
            any |= fv[i] != NULL;
        if (!any)
            continue;
        if (nchars == MAXCP / 4)
            fail("too many characters", NULL);
        int np = 0, nj = 0;
        for (int i = F_MANDARIN; i <= F_HYPY; i++)
            if (fv[i] && (i != F_HYPY || (!fv[F_XHC] && !fv[F_TGHZ])))
                np = parse_readings(fv[i], i, lists[nchars][0], np);
        if (fv[F_CANTONESE])
            nj = parse_readings(fv[F_CANTONESE], F_CANTONESE, lists[nchars][1], nj);
        if (!np && !nj)
            continue;
        for (int i = 0; i < np; i++)
            intern(&pinyin, lists[nchars][0][i]);
        for (int i = 0; i < nj; i++)
            intern(&jyut, lists[nchars][1][i]);
        counts[nchars][0] = np;
        counts[nchars][1] = nj;
        cps[nchars++] = c;
    }
    qsort(pinyin.s, (size_t)pinyin.n, sizeof *pinyin.s, cmp_str);
    qsort(jyut.s, (size_t)jyut.n, sizeof *jyut.s, cmp_str);
    if (nchars < 20000 || pinyin.n < 300 || jyut.n < 300)
        fail("implausibly few characters or syllables", NULL);

    printf("/* Generated by tools/gen_unihan.c from Unihan_Readings.txt (Debian unicode-data)\n"
           " * and OpenCC's TSCharacters/STCharacters. Do not edit: make rebuilds it. */\n"
           "#include \"names.h\"\n\n");
    emit_pool("unihan_pinyin", &pinyin);
    emit_pool("unihan_jyut", &jyut);

    printf("const uint16_t unihan_syl[] = {");
    uint32_t off = 0;
    uint32_t *offs = xmalloc((size_t)nchars * sizeof *offs);
    for (int k = 0; k < nchars; k++) {
        offs[k] = off;
        for (int l = 0; l < 2; l++)
            for (int i = 0; i < counts[k][l]; i++) {
                int id = l ? find(&jyut, lists[k][1][i]) : find(&pinyin, lists[k][0][i]);
                printf("%s%d,", off % 16 ? " " : "\n    ", id);
                off++;
            }
    }
    printf("\n};\n\n");

    printf("const struct unihan_char unihan_chars[] = {");
    for (int k = 0; k < nchars; k++)
        printf("%s{0x%X, %u, %d, %d},", k % 4 ? " " : "\n    ", cps[k], offs[k], counts[k][0],
               counts[k][1]);
    printf("\n};\nconst size_t unihan_chars_n = %d;\n\n", nchars);

    printf("const uint32_t unihan_fold[][2] = {");
    int nf = 0;
    for (uint32_t c = 0; c < MAXCP; c++)
        if (fold[c] && fold[c] != c)
            printf("%s{0x%X, 0x%X},", nf++ % 6 ? " " : "\n    ", c, fold[c]);
    printf("\n};\nconst size_t unihan_fold_n = %d;\n\n", nf);
    if (nf < 2000)
        fail("implausibly few folds", NULL);

    printf("const struct unihan_viet unihan_viet[] = {");
    int nv = 0;
    for (uint32_t c = 0; c < MAXCP; c++)
        if (viet[c])
            printf("%s{0x%X, \"%s\"},", nv++ % 6 ? " " : "\n    ", c, viet[c]);
    printf("\n};\nconst size_t unihan_viet_n = %d;\n", nv);
    return 0;
}
