/* names.c - the keys of a name and the Cantonese and surname spellings of a query. See
 * names.h. The tables built at first use (Cantonese spellings, surname spellings) are
 * made once under pthread_once and never change after. */
#include "names.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXR     16 /* readings kept per character */
#define MAXCHARS 16 /* characters of a name that get readings */
#define MAXHAN   64 /* characters of a name kept for its Chinese keys */
#define COMBOS   8  /* reading combinations per kind and start */
#define MAXKEYS  96 /* keys of one name */

/* Copy a and then b into out (n bytes), cut to fit. */
static void concat(char *out, size_t n, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > n - 1)
        la = n - 1;
    if (lb > n - 1 - la)
        lb = n - 1 - la;
    memmove(out, a, la);
    memmove(out + la, b, lb);
    out[la + lb] = 0;
}

/* ---- characters --------------------------------------------------------------------- */

uint32_t utf8_next(const char **p)
{
    const unsigned char *s = (const unsigned char *)*p;
    uint32_t c = s[0];
    int n = c < 0x80 ? 0 : c >= 0xF0 && c < 0xF8 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : -1;
    if (!c)
        return 0;
    if (n < 0) {
        (*p)++;
        return 0xFFFD;
    }
    c &= n ? 0x3Fu >> n : 0x7Fu;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p += i;
            return 0xFFFD;
        }
        c = c << 6 | (s[i] & 0x3Fu);
    }
    *p += n + 1;
    return c;
}

int utf8_put(char *s, uint32_t c)
{
    if (c < 0x80) {
        s[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        s[0] = (char)(0xC0 | c >> 6);
        s[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        s[0] = (char)(0xE0 | c >> 12);
        s[1] = (char)(0x80 | (c >> 6 & 0x3F));
        s[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    s[0] = (char)(0xF0 | c >> 18);
    s[1] = (char)(0x80 | (c >> 12 & 0x3F));
    s[2] = (char)(0x80 | (c >> 6 & 0x3F));
    s[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

uint32_t name_fold(uint32_t cp)
{
    size_t lo = 0, hi = unihan_fold_n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (unihan_fold[mid][0] == cp)
            return unihan_fold[mid][1];
        if (unihan_fold[mid][0] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return cp;
}

int name_is_han(uint32_t c)
{
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x323AF) || c == 0x3007;
}

int name_latin_letter(uint32_t c)
{
    /* Latin-1 and Latin Extended-A letters with accents, and pinyin tone letters. */
    static const struct {
        uint32_t from, to;
        char letter;
    } ranges[] = {
        {0xC0, 0xC5, 'a'}, {0xE0, 0xE5, 'a'},     {0x100, 0x105, 'a'},   {0x1CD, 0x1CE, 'a'},
        {0xC7, 0xC7, 'c'}, {0xE7, 0xE7, 'c'},     {0x106, 0x10D, 'c'},   {0xC8, 0xCB, 'e'},
        {0xE8, 0xEB, 'e'}, {0x112, 0x11B, 'e'},   {0x1EBF, 0x1EC1, 'e'}, {0xCC, 0xCF, 'i'},
        {0xEC, 0xEF, 'i'}, {0x12A, 0x12F, 'i'},   {0x1CF, 0x1D0, 'i'},   {0xD1, 0xD1, 'n'},
        {0xF1, 0xF1, 'n'}, {0x143, 0x148, 'n'},   {0x1F8, 0x1F9, 'n'},   {0xD2, 0xD6, 'o'},
        {0xF2, 0xF6, 'o'}, {0x14C, 0x151, 'o'},   {0x1D1, 0x1D2, 'o'},   {0xD9, 0xDB, 'u'},
        {0xF9, 0xFB, 'u'}, {0x168, 0x173, 'u'},   {0x1D3, 0x1D4, 'u'},   {0xDC, 0xDC, 'v'},
        {0xFC, 0xFC, 'v'}, {0x1D5, 0x1DC, 'v'},   {0xDD, 0xDD, 'y'},     {0xFD, 0xFD, 'y'},
        {0xFF, 0xFF, 'y'}, {0x1E3F, 0x1E3F, 'm'}, {0x15A, 0x161, 's'},   {0x179, 0x17E, 'z'},
    };
    if (c >= 'A' && c <= 'Z')
        return (int)(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return (int)c;
    if (c >= 0x0300 && c <= 0x036F)
        return 1;
    if (c >= 0xFF21 && c <= 0xFF3A) /* full-width letters */
        return (int)(c - 0xFF21 + 'a');
    if (c >= 0xFF41 && c <= 0xFF5A)
        return (int)(c - 0xFF41 + 'a');
    for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
        if (c >= ranges[i].from && c <= ranges[i].to)
            return ranges[i].letter;
    return 0;
}

static const struct unihan_char *char_readings(uint32_t cp)
{
    size_t lo = 0, hi = unihan_chars_n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (unihan_chars[mid].cp == cp)
            return &unihan_chars[mid];
        if (unihan_chars[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int name_pinyin(uint32_t cp, const char **out, int max)
{
    const struct unihan_char *u = char_readings(cp);
    int n = 0;
    for (int i = 0; u && i < u->npinyin && n < max; i++)
        out[n++] = unihan_pinyin[unihan_syl[u->off + (uint32_t)i]];
    return n;
}

/* ---- Cantonese as Hong Kong spells it ----------------------------------------------- */

/* Jyutping initials and their spellings, the canonical one first. */
static const struct {
    const char *jp, *sp[2];
} initials[] = {
    {"gw", {"kw"}},      {"kw", {"kw"}},      {"ng", {"ng"}},     {"b", {"p"}}, {"p", {"p"}},
    {"m", {"m"}},        {"f", {"f"}},        {"d", {"t"}},       {"t", {"t"}}, {"n", {"n"}},
    {"l", {"l"}},        {"g", {"k"}},        {"k", {"k"}},       {"h", {"h"}}, {"w", {"w"}},
    {"z", {"ch", "ts"}}, {"c", {"ch", "ts"}}, {"s", {"s", "sh"}}, {"j", {"y"}},
};

/* Finals after which Hong Kong writes z and c as "ts" (曾 Tsang, 謝 Tse, 徐 Tsui, 曹 Tso);
 * elsewhere "ch" (陳 Chan, 張 Cheung). */
static int ts_final(const char *fin)
{
    static const char *const ts[] = {"ang", "aang", "e", "eoi", "ou", NULL};
    for (int i = 0; ts[i]; i++)
        if (!strcmp(ts[i], fin))
            return 1;
    return 0;
}

/* Jyutping finals and their spellings (the Hong Kong government's, then the usual
 * variants), the canonical one first. */
static const struct {
    const char *jp, *sp[3];
} finals[] = {
    {"aa", {"a", "ah"}},     {"aai", {"ai"}},
    {"aau", {"au"}},         {"aam", {"am"}},
    {"aan", {"an"}},         {"aang", {"ang"}},
    {"aap", {"ap"}},         {"aat", {"at"}},
    {"aak", {"ak"}},         {"a", {"a"}},
    {"ai", {"ai"}},          {"au", {"au", "ow"}},
    {"am", {"am", "um"}},    {"an", {"an", "un"}},
    {"ang", {"ang"}},        {"ap", {"ap"}},
    {"at", {"at"}},          {"ak", {"ak"}},
    {"e", {"e", "eh"}},      {"ei", {"ei", "ee"}},
    {"eu", {"eu"}},          {"em", {"em"}},
    {"eng", {"eng"}},        {"ep", {"ep"}},
    {"ek", {"ek"}},          {"i", {"i", "ee"}},
    {"iu", {"iu"}},          {"im", {"im"}},
    {"in", {"in"}},          {"ing", {"ing"}},
    {"ip", {"ip"}},          {"it", {"it"}},
    {"ik", {"ik"}},          {"o", {"o", "oh"}},
    {"oi", {"oi", "oy"}},    {"ou", {"o", "ou"}},
    {"on", {"on"}},          {"ong", {"ong"}},
    {"ot", {"ot"}},          {"ok", {"ok"}},
    {"oe", {"oe", "eu"}},    {"oeng", {"eung", "eong"}},
    {"oek", {"euk", "eok"}}, {"eoi", {"ui", "eui"}},
    {"eon", {"un", "eun"}},  {"eot", {"ut", "eut"}},
    {"u", {"u", "oo"}},      {"ui", {"ui", "ooi"}},
    {"un", {"un", "oon"}},   {"ung", {"ung", "oong"}},
    {"ut", {"ut", "oot"}},   {"uk", {"uk", "ook"}},
    {"yu", {"u", "ue"}},     {"yun", {"uen", "un"}},
    {"yut", {"uet", "ut"}},
};

/* Whole syllables spelt their own way, the canonical spelling first. */
static const struct {
    const char *jp, *sp[5];
} whole[] = {
    {"zi", {"chi", "tsz", "tsze", "chee", "tze"}},
    {"ci", {"chi", "tsz", "tsze", "chee", "tze"}},
    {"si", {"sze", "si", "shi", "see", "sz"}},
    {"ji", {"yi", "yee", "ee"}},
    {"jyu", {"yu", "yue"}},
    {"jyun", {"yuen", "yun"}},
    {"jyut", {"yuet", "yut"}},
    {"wu", {"wu", "woo"}},
    {"m", {"m"}},
    {"ng", {"ng"}},
    {"hm", {"hm"}},
    {"hng", {"hng"}},
};

#define SPELL_MAX 8
#define SYLHASH   4096 /* slots of a syllable hash set: more than twice the syllables */

/* A spelling and the canonical spelling of its syllable. */
struct jspell {
    char sp[SPELL_MAX], canon[SPELL_MAX];
};

static struct {
    struct jspell *spells; /* sorted by sp, then canon */
    size_t nspells;
    char (*canon)[SPELL_MAX]; /* [index into unihan_jyut] */
    struct sspell *surname_spells;
    size_t nsurname_spells;
    const char **syl[2]; /* pinyin, canonical Cantonese syllables: sorted, unique */
    size_t nsyl[2];
    const char *sylhash[2][SYLHASH]; /* the same as hash sets (open addressing) */
    uint32_t (*sncp)[2];             /* surnames[i] decoded: its one or two characters */
    struct wspell *wade;             /* Wade-Giles spellings of pinyin syllables, sorted */
    size_t nwade;
} T;

/* A pinyin syllable as Wade-Giles writes it. */
struct wspell {
    char wg[SPELL_MAX], py[SPELL_MAX];
};

/* Every spelling of one Jyutping syllable into out (canonical first); count. */
static int jyut_spellings(const char *jp, char out[][SPELL_MAX], int max)
{
    int n = 0;
    for (size_t i = 0; i < sizeof whole / sizeof *whole; i++)
        if (!strcmp(whole[i].jp, jp)) {
            for (int k = 0; k < 5 && whole[i].sp[k] && n < max; k++)
                concat(out[n++], SPELL_MAX, "", whole[i].sp[k]);
            return n;
        }
    const char *const *isp = NULL;
    static const char *const none[2] = {""};
    const char *fin = jp;
    for (size_t i = 0; i < sizeof initials / sizeof *initials; i++) {
        size_t l = strlen(initials[i].jp);
        if (!strncmp(jp, initials[i].jp, l) && jp[l]) {
            isp = initials[i].sp;
            fin = jp + l;
            break;
        }
    }
    if (!isp)
        isp = none;
    static const char *const ts_ch[2] = {"ts", "ch"};
    if ((*jp == 'z' || *jp == 'c') && ts_final(fin))
        isp = ts_ch;
    for (size_t f = 0; f < sizeof finals / sizeof *finals; f++) {
        if (strcmp(finals[f].jp, fin))
            continue;
        for (int a = 0; a < 2 && isp[a]; a++)
            for (int b = 0; b < 3 && finals[f].sp[b] && n < max; b++)
                snprintf(out[n++], SPELL_MAX, "%s%s", isp[a], finals[f].sp[b]);
        return n;
    }
    /* A final the tables do not know: keep the syllable as it is. */
    if (n < max)
        concat(out[n++], SPELL_MAX, "", jp);
    return n;
}

static int jyut_of(uint32_t cp, const char **out, int max);

static int cmp_jspell(const void *a, const void *b)
{
    const struct jspell *x = a, *y = b;
    int c = strcmp(x->sp, y->sp);
    return c ? c : strcmp(x->canon, y->canon);
}

/* A Latin spelling of a surname (see struct surname_hit). */
struct sspell {
    char sp[24];
    int surname;
    unsigned dialects;
    int pinyin, cantonese;
};

static int cmp_sspell(const void *a, const void *b)
{
    const struct sspell *x = a, *y = b;
    int c = strcmp(x->sp, y->sp);
    return c ? c : x->surname - y->surname;
}

/* Lower-case letters of s without spaces, hyphens or apostrophes into out. */
static void squeeze(const char *s, char *out, size_t n)
{
    size_t k = 0;
    uint32_t c;
    while ((c = utf8_next(&s)) && k + 1 < n) {
        int l = name_latin_letter(c);
        if (l > 1)
            out[k++] = (char)l;
    }
    out[k] = 0;
}

static size_t add_sspell(struct sspell *list, size_t n, const char *sp, int surname,
                         unsigned dialects, int pinyin, int cantonese)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].surname == surname && !strcmp(list[i].sp, sp)) {
            list[i].dialects |= dialects;
            list[i].pinyin |= pinyin;
            list[i].cantonese |= cantonese;
            return n;
        }
    struct sspell *s = &list[n];
    concat(s->sp, sizeof s->sp, "", sp);
    s->surname = surname;
    s->dialects = dialects;
    s->pinyin = pinyin;
    s->cantonese = cantonese;
    return n + 1;
}

/* ---- spellings made from the table and Unihan --------------------------------------- */

/* The Dutch-era Indonesian form of a Hokkien spelling (lower case), as Indonesia's records
 * kept it before 1972: tj for ch, dj for j, j for y, oe for u (oa, oe after a consonant),
 * ie for a lone i before a final consonant (Chua -> Tjoa, Lim -> Liem, Yap -> Jap,
 * Ui -> Oei). Empty when it is the same. */
static void indonesian_of(const char *sp, char *out, size_t n)
{
    size_t k = 0;
    for (const char *p = sp; *p && k + 3 < n; p++) {
        if (p[0] == 'c' && p[1] == 'h') {
            out[k++] = 't', out[k++] = 'j', p++;
        } else if (*p == 'j') {
            out[k++] = 'd', out[k++] = 'j';
        } else if (*p == 'y' && p == sp) {
            out[k++] = 'j';
        } else if (*p == 'u' && p[1] == 'a' && p > sp) {
            out[k++] = 'o';
        } else if (*p == 'u' && p[1] != 'e') {
            out[k++] = 'o', out[k++] = 'e';
        } else if (*p == 'i' && p > sp && !strchr("aeiou", p[-1]) && p[1] &&
                   !strchr("aeiou", p[1]) && (!p[2] || (p[1] == 'n' && p[2] == 'g' && !p[3]))) {
            out[k++] = 'i', out[k++] = 'e';
        } else {
            out[k++] = *p;
        }
    }
    out[k] = 0;
    if (!strcmp(out, sp))
        out[0] = 0;
}

/* The Sino-Vietnamese readings of a character (Unihan's kVietnamese, on the traditional
 * form when the simplified one has none), or NULL. */
static const char *viet_of(uint32_t cp)
{
    for (int pass = 0; pass < 2; pass++) {
        size_t lo = 0, hi = unihan_viet_n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (unihan_viet[mid].cp == cp)
                return unihan_viet[mid].readings;
            if (unihan_viet[mid].cp < cp)
                lo = mid + 1;
            else
                hi = mid;
        }
        uint32_t trad = 0;
        for (size_t i = 0; !trad && i < unihan_fold_n; i++)
            if (unihan_fold[i][1] == cp)
                trad = unihan_fold[i][0];
        if (!trad)
            return NULL;
        cp = trad;
    }
    return NULL;
}

/* The spellings made from surnames[i]'s Hokkien and Teochew ones and its characters. */
static size_t made_spellings(struct sspell *list, size_t ns, size_t cap, int i)
{
    const struct surname *s = &surnames[i];
    char copy[128], sp[64], made[64];
    for (int d = D_HOKKIEN; d <= D_TEOCHEW; d++) {
        if (!s->spell[d])
            continue;
        concat(copy, sizeof copy, "", s->spell[d]);
        char *save = NULL;
        for (char *w = strtok_r(copy, "/", &save); w && ns + 2 < cap;
             w = strtok_r(NULL, "/", &save)) {
            squeeze(w, sp, sizeof sp);
            if (d == D_HOKKIEN) {
                indonesian_of(sp, made, sizeof made);
                if (*made)
                    ns = add_sspell(list, ns, made, i, 1u << D_INDONESIA, 0, 0);
            } else if (strlen(sp) + 4 < sizeof made) {
                concat(made, sizeof made, "sae", sp); /* แซ่ Sae Tang, written Saetang too */
                ns = add_sspell(list, ns, made, i, 1u << D_THAI, 0, 0);
            }
        }
    }
    /* Vietnamese: each reading of a one-character surname, the first of each of two. */
    uint32_t c0 = T.sncp[i][0], c1 = T.sncp[i][1];
    const char *v0 = viet_of(c0), *v1 = c1 ? viet_of(c1) : "";
    if (!v0 || !v1)
        return ns;
    concat(copy, sizeof copy, "", v0);
    char *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w && ns < cap; w = strtok_r(NULL, " ", &save)) {
        char second[32] = "";
        if (c1)
            for (size_t k = 0; v1[k] && v1[k] != ' ' && k + 1 < sizeof second; k++)
                second[k] = v1[k], second[k + 1] = 0;
        concat(made, sizeof made, w, second);
        ns = add_sspell(list, ns, made, i, 1u << D_VIETNAM, 0, 0);
        if (c1)
            break;
    }
    return ns;
}

/* A pinyin syllable (ü written v) as Taiwan's passports write it in Wade-Giles, without
 * apostrophes or umlauts: 许 xu Hsu, 谢 xie Hsieh, 郭 guo Kuo, 建 jian Chien. */
static void wade_of(const char *py, char *out, size_t n)
{
    static const char *const wg_whole[][2] = {
        {"zhi", "chih"}, {"chi", "chih"},  {"shi", "shih"}, {"ri", "jih"}, {"zi", "tzu"},
        {"ci", "tzu"},   {"si", "ssu"},    {"er", "erh"},   {"ye", "yeh"}, {"yan", "yen"},
        {"you", "yu"},   {"yong", "yung"}, {"yue", "yueh"}, {"yi", "i"},
    };
    for (size_t i = 0; i < sizeof wg_whole / sizeof *wg_whole; i++)
        if (!strcmp(py, wg_whole[i][0])) {
            concat(out, n, "", wg_whole[i][1]);
            return;
        }
    static const char *const wg_ini[][2] = {
        {"zh", "ch"}, {"ch", "ch"}, {"sh", "sh"}, {"b", "p"},  {"p", "p"},  {"d", "t"}, {"t", "t"},
        {"g", "k"},   {"k", "k"},   {"j", "ch"},  {"q", "ch"}, {"x", "hs"}, {"r", "j"}, {"z", "ts"},
        {"c", "ts"},  {"s", "s"},   {"m", "m"},   {"f", "f"},  {"n", "n"},  {"l", "l"}, {"h", "h"},
    };
    const char *in = "", *fin = py, *init = "";
    for (size_t i = 0; i < sizeof wg_ini / sizeof *wg_ini; i++) {
        size_t l = strlen(wg_ini[i][0]);
        if (!strncmp(py, wg_ini[i][0], l) && py[l]) {
            init = wg_ini[i][0], in = wg_ini[i][1], fin = py + l;
            break;
        }
    }
    int gkh = !strcmp(init, "g") || !strcmp(init, "k") || !strcmp(init, "h");
    const char *f = fin;
    if (!strcmp(fin, "iong"))
        f = "iung";
    else if (!strcmp(fin, "ong"))
        f = "ung";
    else if (!strcmp(fin, "ian"))
        f = "ien";
    else if (!strcmp(fin, "ie"))
        f = "ieh";
    else if (!strcmp(fin, "ue") || !strcmp(fin, "ve"))
        f = "ueh";
    else if (!strcmp(fin, "v"))
        f = "u";
    else if (!strcmp(fin, "van"))
        f = "uan";
    else if (!strcmp(fin, "vn"))
        f = "un";
    else if (!strcmp(fin, "uo") && *init && !gkh && strcmp(init, "sh"))
        f = "o";
    else if (!strcmp(fin, "e") && gkh)
        f = "o";
    else if (!strcmp(fin, "ui") && (!strcmp(init, "g") || !strcmp(init, "k")))
        f = "uei";
    snprintf(out, n, "%s%s", in, f);
}

static int cmp_wspell(const void *a, const void *b)
{
    const struct wspell *x = a, *y = b;
    int c = strcmp(x->wg, y->wg);
    return c ? c : strcmp(x->py, y->py);
}

static void build_wade(void)
{
    T.wade = calloc(unihan_pinyin_n ? unihan_pinyin_n : 1, sizeof *T.wade);
    if (!T.wade)
        abort();
    for (size_t i = 0; i < unihan_pinyin_n; i++) {
        char wg[16];
        wade_of(unihan_pinyin[i], wg, sizeof wg);
        if (strlen(wg) >= SPELL_MAX || strlen(unihan_pinyin[i]) >= SPELL_MAX)
            continue;
        struct wspell *w = &T.wade[T.nwade++];
        concat(w->wg, SPELL_MAX, "", wg);
        concat(w->py, SPELL_MAX, "", unihan_pinyin[i]);
    }
    qsort(T.wade, T.nwade, sizeof *T.wade, cmp_wspell);
}

static void build_syllables(void);

static void build_tables(void)
{
    /* The surnames as code points, for surname_at. */
    size_t nsur = 0;
    while (surnames[nsur].han)
        nsur++;
    T.sncp = calloc(nsur + 1, sizeof *T.sncp);
    if (!T.sncp)
        abort();
    for (size_t i = 0; i < nsur; i++) {
        const char *p = surnames[i].han;
        for (int k = 0; k < 2; k++)
            T.sncp[i][k] = utf8_next(&p);
        if (*p) /* surname_at compares two characters at most */
            abort();
    }
    /* Cantonese: the canonical spelling of every Jyutping syllable, and every spelling. */
    T.canon = calloc(unihan_jyut_n, sizeof *T.canon);
    T.spells = calloc(unihan_jyut_n * 12, sizeof *T.spells);
    if (!T.canon || !T.spells)
        abort();
    for (size_t i = 0; i < unihan_jyut_n; i++) {
        char sp[12][SPELL_MAX];
        int n = jyut_spellings(unihan_jyut[i], sp, 12);
        concat(T.canon[i], SPELL_MAX, "", sp[0]);
        for (int k = 0; k < n; k++) {
            struct jspell *j = &T.spells[T.nspells++];
            concat(j->sp, SPELL_MAX, "", sp[k]);
            concat(j->canon, SPELL_MAX, "", sp[0]);
        }
    }
    qsort(T.spells, T.nspells, sizeof *T.spells, cmp_jspell);
    size_t k = 0; /* drop repeats */
    for (size_t i = 0; i < T.nspells; i++)
        if (!k || cmp_jspell(&T.spells[k - 1], &T.spells[i]))
            T.spells[k++] = T.spells[i];
    T.nspells = k;

    /* Surnames: their pinyin, Hong Kong spelling and dialect spellings. */
    size_t ns = 0, cap = 0;
    for (const struct surname *s = surnames; s->han; s++)
        cap += 2 + D_ALL * 8;
    T.surname_spells = calloc(cap, sizeof *T.surname_spells);
    if (!T.surname_spells)
        abort();
    for (int i = 0; surnames[i].han; i++) {
        const struct surname *s = &surnames[i];
        char sp[64];
        squeeze(s->pinyin, sp, sizeof sp);
        ns = add_sspell(T.surname_spells, ns, sp, i, 0, 1, 0);
        char hk[64] = "";
        int ok = 1;
        for (const char *p = s->han; *p;) {
            const char *r[1];
            if (jyut_of(utf8_next(&p), r, 1) != 1)
                ok = 0;
            else
                strncat(hk, r[0], sizeof hk - strlen(hk) - 1);
        }
        if (ok && *hk)
            ns = add_sspell(T.surname_spells, ns, hk, i, 0, 0, 1);
        for (int d = 0; d < D_N; d++) {
            if (!s->spell[d])
                continue;
            char copy[128];
            concat(copy, sizeof copy, "", s->spell[d]);
            char *save = NULL;
            for (char *w = strtok_r(copy, "/", &save); w; w = strtok_r(NULL, "/", &save)) {
                squeeze(w, sp, sizeof sp);
                if (*sp && ns < cap)
                    ns = add_sspell(T.surname_spells, ns, sp, i, 1u << d, 0, 0);
            }
        }
        ns = made_spellings(T.surname_spells, ns, cap, i);
    }
    qsort(T.surname_spells, ns, sizeof *T.surname_spells, cmp_sspell);
    T.nsurname_spells = ns;
    build_syllables();
    build_wade();
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A sorted copy of n strings without repeats into *out; its count. */
static size_t sorted_set(const char *const *in, size_t n, const char ***out)
{
    const char **s = calloc(n ? n : 1, sizeof *s);
    if (!s)
        abort();
    memcpy(s, in, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_cstr);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || strcmp(s[k - 1], s[i]))
            s[k++] = s[i];
    *out = s;
    return k;
}

static unsigned syl_hash(const char *s, size_t l)
{
    unsigned h = 2166136261u;
    for (size_t i = 0; i < l; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void hash_syllables(int set)
{
    for (size_t i = 0; i < T.nsyl[set]; i++) {
        const char *w = T.syl[set][i];
        unsigned h = syl_hash(w, strlen(w));
        while (T.sylhash[set][h % SYLHASH])
            h++;
        T.sylhash[set][h % SYLHASH] = w;
    }
}

static void build_syllables(void)
{
    static const char *const extra[] = {"lue", "lyu", "lyue", "nue", "nyu", "nyue"};
    size_t np = unihan_pinyin_n + sizeof extra / sizeof *extra;
    const char **all = calloc(np > unihan_jyut_n ? np : unihan_jyut_n, sizeof *all);
    if (!all)
        abort();
    memcpy(all, unihan_pinyin, unihan_pinyin_n * sizeof *all);
    memcpy(all + unihan_pinyin_n, extra, sizeof extra);
    T.nsyl[0] = sorted_set(all, np, &T.syl[0]);
    for (size_t i = 0; i < unihan_jyut_n; i++)
        all[i] = T.canon[i];
    T.nsyl[1] = sorted_set(all, unihan_jyut_n, &T.syl[1]);
    free(all);
    hash_syllables(0);
    hash_syllables(1);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
    pthread_once(&once, build_tables);
}

/* name_jyut without init(): for build_tables, once T.canon is filled. */
static int jyut_of(uint32_t cp, const char **out, int max)
{
    const struct unihan_char *u = char_readings(cp);
    int n = 0;
    for (int i = 0; u && i < u->njyut && n < max; i++) {
        int id = unihan_syl[u->off + u->npinyin + (uint32_t)i];
        const char *c = T.canon[id];
        int dup = 0;
        for (int k = 0; k < n; k++)
            dup |= !strcmp(out[k], c);
        if (!dup)
            out[n++] = c;
    }
    return n;
}

int name_jyut(uint32_t cp, const char **out, int max)
{
    init();
    return jyut_of(cp, out, max);
}

/* ---- surnames ----------------------------------------------------------------------- */

const struct surname *surname_at(const uint32_t *folded, int n, int *len)
{
    init();
    const struct surname *best = NULL;
    int bestlen = 0;
    for (size_t i = 0; n > 0 && surnames[i].han; i++) {
        const uint32_t *cp = T.sncp[i];
        if (cp[0] != folded[0])
            continue;
        int k = cp[1] ? 2 : 1;
        if ((k == 2 && (n < 3 || cp[1] != folded[1])) || k <= bestlen)
            continue;
        best = &surnames[i];
        bestlen = k;
    }
    if (len)
        *len = bestlen;
    return best;
}

int surname_spelled(const char *latin, struct surname_hit *out, int max)
{
    init();
    struct sspell key = {.surname = -1};
    concat(key.sp, sizeof key.sp, "", latin);
    size_t lo = 0, hi = T.nsurname_spells;
    while (lo < hi) { /* the first entry >= (latin, -1) */
        size_t mid = (lo + hi) / 2;
        if (cmp_sspell(&T.surname_spells[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int n = 0;
    for (size_t i = lo; i < T.nsurname_spells && n < max; i++) {
        const struct sspell *s = &T.surname_spells[i];
        if (strcmp(s->sp, latin))
            break;
        out[n++] =
            (struct surname_hit){&surnames[s->surname], s->dialects, s->pinyin, s->cantonese};
    }
    return n;
}

/* ---- keys of a name ----------------------------------------------------------------- */

/* The keys gathered for one name, before they are handed out. */
struct keys {
    struct name_key k[MAXKEYS];
    int n;
};

static void add_key(struct keys *ks, int kind, int weak, const char *key, const char *show)
{
    if (!*key)
        return;
    for (int i = 0; i < ks->n; i++)
        if (ks->k[i].kind == kind && !strcmp(ks->k[i].key, key)) {
            if (!weak && ks->k[i].weak) {
                ks->k[i].weak = 0;
                concat(ks->k[i].show, sizeof ks->k[i].show, "", show);
            }
            return;
        }
    if (ks->n == MAXKEYS)
        return;
    struct name_key *k = &ks->k[ks->n++];
    k->kind = kind;
    k->weak = weak;
    concat(k->key, sizeof k->key, "", key);
    concat(k->show, sizeof k->show, "", show);
}

/* The readings of one character: strings and whether each is a less usual one. */
struct alts {
    const char *s[MAXR];
    unsigned char weak[MAXR];
    int n;
};

static void alts_add(struct alts *a, const char *s, int weak)
{
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->s[i], s))
            return;
    if (a->n < MAXR) {
        a->s[a->n] = s;
        a->weak[a->n++] = (unsigned char)weak;
    }
}

/* Pinyin variants for ü: "lv" is also typed "lu" and written "lyu" in passports. */
static const char *u_variant(const char *s, int yu)
{
    static const char *const pairs[][3] = {
        {"lv", "lu", "lyu"}, {"lve", "lue", "lyue"}, {"nv", "nu", "nyu"}, {"nve", "nue", "nyue"}};
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
        if (!strcmp(pairs[i][0], s))
            return pairs[i][yu ? 2 : 1];
    return NULL;
}

/* Combinations of the alternatives of chars [from, to), in order of the sum of the
 * chosen indexes (the usual readings first), at most COMBOS; emit() gets each. */
struct combo_ctx {
    const struct alts *a;
    int from, to, idx[MAXCHARS], count;
    void (*emit)(struct combo_ctx *cc);
    struct keys *ks;
    int kind;
};

static void combo_rec(struct combo_ctx *cc, int pos, int left)
{
    if (cc->count >= COMBOS)
        return;
    if (pos == cc->to) {
        if (!left) {
            cc->count++;
            cc->emit(cc);
        }
        return;
    }
    if (!cc->a[pos].n) { /* a character without readings is left out */
        cc->idx[pos] = -1;
        combo_rec(cc, pos + 1, left);
        return;
    }
    for (int i = 0; i < cc->a[pos].n && i <= left; i++) {
        cc->idx[pos] = i;
        combo_rec(cc, pos + 1, left - i);
    }
}

static void combos(struct combo_ctx *cc)
{
    int maxsum = 0, any = 0;
    for (int i = cc->from; i < cc->to; i++) {
        if (cc->a[i].n)
            maxsum += cc->a[i].n - 1, any = 1;
    }
    cc->count = 0;
    for (int s = 0; any && s <= maxsum && cc->count < COMBOS; s++)
        combo_rec(cc, cc->from, s);
}

/* Emit one combination as a reading key (and, for pinyin, its initials). */
static void emit_reading(struct combo_ctx *cc)
{
    char key[NAME_KEY_MAX] = "", show[NAME_KEY_MAX] = "", ini[MAXCHARS + 1] = "";
    size_t kl = 0, sl = 0, il = 0;
    int weak = 0, syl = 0;
    for (int i = cc->from; i < cc->to; i++) {
        if (cc->idx[i] < 0)
            continue;
        const char *s = cc->a[i].s[cc->idx[i]];
        weak |= cc->a[i].weak[cc->idx[i]];
        size_t l = strlen(s);
        if (kl + l + 1 >= sizeof key || sl + l + 2 >= sizeof show)
            break;
        memcpy(key + kl, s, l + 1);
        kl += l;
        sl += (size_t)snprintf(show + sl, sizeof show - sl, "%s%s", syl ? " " : "", s);
        ini[il++] = s[0];
        ini[il] = 0;
        syl++;
    }
    int given = cc->from > 0;
    if (cc->kind == K_PINYIN) {
        add_key(cc->ks, given ? K_PINYIN_GIVEN : K_PINYIN, weak, key, show);
        if (il >= 2)
            add_key(cc->ks, given ? K_INITIALS_GIVEN : K_INITIALS, weak, ini, show);
    } else {
        add_key(cc->ks, given ? K_JYUT_GIVEN : K_JYUT, weak, key, show);
    }
}

/* Keys of the n Chinese characters of a name (readings for the first MAXCHARS). */
/* The pinyin readings of the first nchars characters of a name (orig, folded in fold, its
 * surname sn of slen characters or NULL): the surname's own reading first, then the usual
 * reading, then the rest, then the ü spellings; all but the first weak. */
static void pinyin_alts(const uint32_t *orig, const uint32_t *fold, int nchars,
                        const struct surname *sn, int slen, struct alts *py)
{
    const char *snpy[MAXCHARS] = {0};
    char snbuf[64];
    if (sn) {
        concat(snbuf, sizeof snbuf, "", sn->pinyin);
        char *save = NULL;
        int i = 0;
        for (char *w = strtok_r(snbuf, " ", &save); w && i < slen; w = strtok_r(NULL, " ", &save))
            snpy[i++] = w;
    }
    for (int i = 0; i < nchars; i++) {
        const char *r[MAXR];
        int nr = name_pinyin(orig[i], r, MAXR);
        if (!nr && fold[i] != orig[i])
            nr = name_pinyin(fold[i], r, MAXR);
        if (snpy[i]) { /* the table's own copy of the syllable: snbuf does not last */
            const char *const *hit =
                bsearch(&snpy[i], unihan_pinyin, unihan_pinyin_n, sizeof *unihan_pinyin, cmp_cstr);
            if (hit)
                alts_add(&py[i], *hit, 0);
        }
        int base = py[i].n;
        for (int k = 0; k < nr; k++)
            alts_add(&py[i], r[k], base > 0 || k > 0);
        for (int k = 0, m = py[i].n; k < m; k++) {
            const char *u = u_variant(py[i].s[k], 0), *yu = u_variant(py[i].s[k], 1);
            if (u)
                alts_add(&py[i], u, 1);
            if (yu)
                alts_add(&py[i], yu, 1);
        }
    }
}

static void han_keys(struct keys *ks, const uint32_t *orig, int n, unsigned flags)
{
    uint32_t fold[MAXHAN];
    for (int i = 0; i < n; i++)
        fold[i] = name_fold(orig[i]);
    int slen = 0;
    const struct surname *sn = surname_at(fold, n, &slen);
    int starts[2] = {0, sn ? slen : 1}, nstarts = n > starts[1] ? 2 : 1;
    int nr_chars = n < MAXCHARS ? n : MAXCHARS;

    struct alts py[MAXCHARS] = {0}, jy[MAXCHARS] = {0};
    pinyin_alts(orig, fold, nr_chars, sn, slen, py);
    for (int i = 0; i < nr_chars; i++) {
        const char *r[MAXR];
        int nr = name_jyut(orig[i], r, MAXR);
        if (!nr && fold[i] != orig[i])
            nr = name_jyut(fold[i], r, MAXR);
        for (int k = 0; k < nr; k++)
            alts_add(&jy[i], r[k], k > 0);
    }

    for (int si = 0; si < nstarts; si++) {
        int p = starts[si];
        char key[NAME_KEY_MAX], show[NAME_KEY_MAX];
        size_t kl = 0, sl = 0;
        for (int i = p; i < n && kl + 5 < sizeof key; i++) {
            kl += (size_t)utf8_put(key + kl, fold[i]);
            sl += (size_t)utf8_put(show + sl, orig[i]);
        }
        key[kl] = show[sl] = 0;
        add_key(ks, si ? K_HAN_GIVEN : K_HAN, 0, key, show);
        if (p >= nr_chars)
            continue;
        struct combo_ctx cc = {
            .a = py, .from = p, .to = nr_chars, .emit = emit_reading, .ks = ks, .kind = K_PINYIN};
        combos(&cc);
        cc.a = jy;
        cc.kind = K_JYUT;
        combos(&cc);
    }
    /* Names of organisations: the text from every character, for a word in the middle. */
    for (int p = 1; (flags & NK_SUFFIXES) && p < n && p <= 40; p++) {
        char key[NAME_KEY_MAX], show[NAME_KEY_MAX];
        size_t kl = 0, sl = 0;
        for (int i = p; i < n && kl + 5 < sizeof key; i++) {
            kl += (size_t)utf8_put(key + kl, fold[i]);
            sl += (size_t)utf8_put(show + sl, orig[i]);
        }
        key[kl] = show[sl] = 0;
        add_key(ks, K_HAN_GIVEN, 0, key, show);
    }
}

/* Keys of the Latin-letter words of a name. */
static void latin_keys(struct keys *ks, char tok[][NAME_KEY_MAX], int nt, const char *name)
{
    for (int from = 0; from < nt; from++) {
        char key[NAME_KEY_MAX] = "";
        for (int i = from; i < nt; i++)
            strncat(key, tok[i], sizeof key - strlen(key) - 1);
        add_key(ks, K_LATIN, 0, key, name);
    }
    if (nt >= 2) {
        char key[NAME_KEY_MAX];
        concat(key, sizeof key, "", tok[nt - 1]);
        for (int i = 0; i < nt - 1; i++)
            strncat(key, tok[i], sizeof key - strlen(key) - 1);
        add_key(ks, K_LATIN, 0, key, name);
    }
}

void name_keys(const char *name, name_key_fn fn, void *arg)
{
    name_keys_ex(name, 0, fn, arg);
}

size_t name_reading(const char *name, char *out, size_t n)
{
    init();
    uint32_t orig[MAXHAN], fold[MAXHAN];
    int nh = 0;
    for (const char *p = name;;) {
        uint32_t c = utf8_next(&p);
        if (!c)
            break;
        if (name_is_han(c) && nh < MAXHAN)
            orig[nh++] = c;
    }
    out[0] = 0;
    if (!nh)
        return 0;
    for (int i = 0; i < nh; i++)
        fold[i] = name_fold(orig[i]);
    int slen = 0;
    const struct surname *sn = surname_at(fold, nh, &slen);
    int nr = nh < MAXCHARS ? nh : MAXCHARS;
    struct alts py[MAXCHARS] = {0};
    pinyin_alts(orig, fold, nr, sn, slen, py);
    size_t l = 0;
    for (int i = 0; i < nr; i++) { /* the first of each: what emit_reading makes first */
        if (!py[i].n)
            continue;
        size_t k = strlen(py[i].s[0]);
        if (l + k + 1 >= n || l + k + 1 >= NAME_KEY_MAX)
            break;
        memcpy(out + l, py[i].s[0], k);
        l += k;
    }
    out[l] = 0;
    return l;
}

void name_keys_ex(const char *name, unsigned flags, name_key_fn fn, void *arg)
{
    init();
    struct keys *ks = malloc(sizeof *ks); /* 40 KiB: off the stack, not zeroed */
    if (!ks)
        abort();
    ks->n = 0;
    uint32_t han[MAXHAN];
    int nh = 0, nt = 0;
    char tok[8][NAME_KEY_MAX];
    size_t tl = 0;
    const char *p = name;
    for (;;) {
        uint32_t c = utf8_next(&p);
        int l = c ? name_latin_letter(c) : 0;
        if (l == 1)
            continue;
        if (l > 1) {
            if (nt < 8 && tl + 1 < NAME_KEY_MAX)
                tok[nt][tl++] = (char)l;
            continue;
        }
        if (tl) { /* the end of a word */
            tok[nt++][tl] = 0;
            tl = 0;
        }
        if (!c)
            break;
        if (name_is_han(c) && nh < MAXHAN)
            han[nh++] = c;
    }
    if (nh)
        han_keys(ks, han, nh, flags);
    if (nt)
        latin_keys(ks, tok, nt, name);
    /* The strong keys first, each in the order made. */
    for (int w = 0; w < 2; w++)
        for (int i = 0; i < ks->n; i++)
            if (ks->k[i].weak == w)
                fn(arg, &ks->k[i]);
    free(ks);
}

/* ---- syllables ---------------------------------------------------------------------- */

static int is_syllable(int set, const char *s, size_t l)
{
    for (unsigned h = syl_hash(s, l);; h++) {
        const char *w = T.sylhash[set][h % SYLHASH];
        if (!w)
            return 0;
        if (!strncmp(w, s, l) && !w[l])
            return 1;
    }
}

int name_syllables(int cantonese, const char *s, size_t n)
{
    init();
    char ok[NAME_KEY_MAX + 1] = {1};
    if (n > NAME_KEY_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        for (size_t l = 1; l < SPELL_MAX && i + l <= n; l++)
            if (is_syllable(cantonese ? 1 : 0, s + i, l))
                ok[i + l] = 1;
    }
    return ok[n];
}

/* ---- Cantonese spellings of a query ------------------------------------------------- */

/* The canonical spellings of one whole spelling sp (length l), into out; count. */
static int spell_canon(const char *sp, size_t l, const char **out, int max)
{
    char key[SPELL_MAX];
    if (l >= SPELL_MAX)
        return 0;
    memcpy(key, sp, l);
    key[l] = 0;
    size_t lo = 0, hi = T.nspells;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(T.spells[mid].sp, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int n = 0;
    for (size_t i = lo; i < T.nspells && !strcmp(T.spells[i].sp, key) && n < max; i++)
        out[n++] = T.spells[i].canon;
    return n;
}

struct seg {
    const char *tokens[16];
    int ntok;
    char (*out)[NAME_KEY_MAX];
    int max, n;
    char cur[NAME_KEY_MAX];
    int steps;
};

static void seg_emit(struct seg *sg)
{
    for (int i = 0; i < sg->n; i++)
        if (!strcmp(sg->out[i], sg->cur))
            return;
    if (sg->n < sg->max)
        concat(sg->out[sg->n++], NAME_KEY_MAX, "", sg->cur);
}

/* The canonical beginnings of the spellings that start with s (length l), appended to
 * the current reading: one per group of canonical spellings sharing two first letters,
 * the longest prefix the group has in common. */
static void partial(struct seg *sg, const char *s, size_t l, size_t curlen)
{
    char lcp[4][SPELL_MAX];
    int ng = 0;
    size_t lo = 0, hi = T.nspells;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strncmp(T.spells[mid].sp, s, l) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < T.nspells && !strncmp(T.spells[i].sp, s, l); i++) {
        const char *c = T.spells[i].canon;
        int g = 0;
        while (g < ng && strncmp(lcp[g], c, 2))
            g++;
        if (g == ng) {
            if (ng == 4)
                continue;
            concat(lcp[ng++], SPELL_MAX, "", c);
            continue;
        }
        size_t k = 0;
        while (lcp[g][k] && lcp[g][k] == c[k])
            k++;
        lcp[g][k] = 0;
    }
    for (int g = 0; g < ng; g++) {
        if (curlen + strlen(lcp[g]) + 1 >= NAME_KEY_MAX)
            continue;
        concat(sg->cur + curlen, NAME_KEY_MAX - curlen, "", lcp[g]);
        seg_emit(sg);
        sg->cur[curlen] = 0;
    }
}

static void seg_rec(struct seg *sg, int t, const char *s, size_t curlen)
{
    if (sg->n >= sg->max || ++sg->steps > 2000)
        return;
    if (!*s) {
        if (t + 1 < sg->ntok) {
            seg_rec(sg, t + 1, sg->tokens[t + 1], curlen);
            return;
        }
        seg_emit(sg);
        return;
    }
    size_t len = strlen(s);
    /* The unfinished last syllable while typing (tried first: fewer syllables): what the
     * syllables it can begin have in common, grouped by their first two letters ("ts"
     * may be tsang or chi). */
    const char *full[1];
    if (t == sg->ntok - 1 && len < SPELL_MAX && !spell_canon(s, len, full, 1))
        partial(sg, s, len, curlen);
    for (size_t l = len < SPELL_MAX - 1 ? len : SPELL_MAX - 1; l >= 1; l--) {
        const char *canon[4];
        int nc = spell_canon(s, l, canon, 4);
        for (int i = 0; i < nc; i++) {
            size_t cl = strlen(canon[i]);
            if (curlen + cl + 1 >= NAME_KEY_MAX)
                continue;
            memcpy(sg->cur + curlen, canon[i], cl + 1);
            seg_rec(sg, t, s + l, curlen + cl);
            sg->cur[curlen] = 0;
        }
    }
}

/* Cut the NUL-separated tokens into syllables by rec (one walk per reading system): the
 * readings into out, fewest syllables first; their count. */
static int seg_walk(const char *tokens, int ntok, char out[][NAME_KEY_MAX], int max,
                    void (*rec)(struct seg *, int, const char *, size_t))
{
    init();
    struct seg sg = {.out = out, .max = max};
    const char *p = tokens;
    for (int i = 0; i < ntok && i < 16; i++) {
        sg.tokens[sg.ntok++] = p;
        p += strlen(p) + 1;
    }
    if (!sg.ntok)
        return 0;
    rec(&sg, 0, sg.tokens[0], 0);
    return sg.n;
}

int jyut_canonical(const char *tokens, int ntok, char out[][NAME_KEY_MAX], int max)
{
    return seg_walk(tokens, ntok, out, max, seg_rec);
}

/* ---- Wade-Giles spellings of a query ------------------------------------------------ */

static void wade_rec(struct seg *w, int t, const char *s, size_t curlen)
{
    if (w->n >= w->max || ++w->steps > 2000)
        return;
    if (!*s) {
        if (t + 1 < w->ntok) {
            wade_rec(w, t + 1, w->tokens[t + 1], curlen);
            return;
        }
        seg_emit(w);
        return;
    }
    size_t len = strlen(s);
    for (size_t l = len < SPELL_MAX - 1 ? len : SPELL_MAX - 1; l >= 1; l--) {
        struct wspell key = {{0}, ""};
        memcpy(key.wg, s, l);
        size_t lo = 0, hi = T.nwade;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (cmp_wspell(&T.wade[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < T.nwade && !strcmp(T.wade[i].wg, key.wg); i++) {
            size_t pl = strlen(T.wade[i].py);
            if (curlen + pl + 1 >= NAME_KEY_MAX)
                continue;
            memcpy(w->cur + curlen, T.wade[i].py, pl + 1);
            wade_rec(w, t, s + l, curlen + pl);
            w->cur[curlen] = 0;
        }
    }
}

int wade_pinyin(const char *tokens, int ntok, char out[][NAME_KEY_MAX], int max)
{
    return seg_walk(tokens, ntok, out, max, wade_rec);
}
