/* cells.c - census cells as people write them, read as qiao's values (cells.h). */
#include "cells.h"
#include "country.h"
#include "msg.h"
#include "names.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- characters --------------------------------------------------------------------- */

static int is_space_cp(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

static int is_zero_width(uint32_t cp)
{
    return cp == 0xAD || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
}

/* The full-width form's ASCII character, or 0. */
static uint32_t halfwidth(uint32_t cp, int full)
{
    if (cp < 0xFF01 || cp > 0xFF5E)
        return 0;
    uint32_t c = cp - 0xFEE0;
    if (full || isalnum((int)c))
        return c;
    return 0;
}

const char *cell_clean(arena *a, const char *s, int full)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    int plain = 1;
    for (size_t i = 0; i < n; i++)
        if (u[i] >= 0x80) {
            plain = 0;
            break;
        }
    if (plain && (!n || (!isspace(u[0]) && !isspace(u[n - 1]))))
        return s;
    char *out = arena_alloc(a, n + 1), *o = out;
    const char *p = s;
    uint32_t cp;
    while ((cp = utf8_next(&p))) {
        uint32_t h;
        if (is_zero_width(cp))
            continue;
        if (is_space_cp(cp))
            *o++ = cp == '\t' ? '\t' : ' ';
        else if ((h = halfwidth(cp, full)))
            *o++ = (char)h;
        else
            o += utf8_put(o, cp);
    }
    *o = 0;
    char *b = out;
    while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
        b++;
    while (o > b && (o[-1] == ' ' || o[-1] == '\t' || o[-1] == '\n' || o[-1] == '\r'))
        *--o = 0;
    return b;
}

char *cell_key(arena *a, const char *s)
{
    char *out = arena_alloc(a, strlen(s) * 2 + 1), *o = out;
    const char *p = s;
    uint32_t cp;
    while ((cp = utf8_next(&p))) {
        uint32_t h = halfwidth(cp, 1);
        if (h)
            cp = h;
        if (is_space_cp(cp) || is_zero_width(cp) || cp == '\n' || cp == '\r')
            continue;
        if (cp < 0x80)
            *o++ = (char)tolower((int)cp);
        else
            o += utf8_put(o, name_is_han(cp) ? name_fold(cp) : cp);
    }
    *o = 0;
    return out;
}

int cell_sci(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++)
            ;
    if (*p != 'e' && *p != 'E')
        return 0;
    p++;
    if (*p == '+' || *p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p))
        p++;
    return *p == 0;
}

int cell_masked(const char *s)
{
    return strstr(s, "**") != NULL;
}

/* ---- money -------------------------------------------------------------------------- */

static int skip_prefix(const char **p, const char *word)
{
    size_t n = strlen(word);
    if (!strncasecmp(*p, word, n)) {
        *p += n;
        return 1;
    }
    return 0;
}

int cell_money(const char *s, int scale, int64_t *fen, const char **why)
{
    char clean[64];
    size_t n = 0;
    const char *p = s;
    int neg = 0;
    while (*p == ' ')
        p++;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    (void)(skip_prefix(&p, "¥") || skip_prefix(&p, "￥") || skip_prefix(&p, "RMB") ||
           skip_prefix(&p, "CNY"));
    while (*p == ' ')
        p++;
    if (!neg && *p == '-') {
        neg = 1;
        p++;
    }
    /* the digits, with thousands separators in groups of three */
    int group = -1, seen_dot = 0, intdigits = 0;
    for (; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n + 1 >= sizeof clean)
                goto bad;
            clean[n++] = *p;
            if (!seen_dot) {
                intdigits++;
                if (group >= 0)
                    group++;
            }
        } else if (*p == ',' && !seen_dot && intdigits > 0) {
            if (group >= 0 && group != 3)
                goto bad;
            if (group < 0 && intdigits > 3)
                goto bad;
            group = 0;
        } else if (*p == '.' && !seen_dot && intdigits > 0) {
            if (group >= 0 && group != 3)
                goto bad;
            group = -1;
            seen_dot = 1;
            if (n + 1 >= sizeof clean)
                goto bad;
            clean[n++] = '.';
        } else {
            break;
        }
    }
    if (group >= 0 && group != 3)
        goto bad;
    while (*p == ' ')
        p++;
    if (!strcmp(p, "万元") || !strcmp(p, "万")) {
        scale = 4;
        p += strlen(p);
    }
    skip_prefix(&p, "元");
    while (*p == ' ')
        p++;
    if (*p || !intdigits)
        goto bad;
    clean[n] = 0;
    const char *dot = strchr(clean, '.');
    int dec = dot ? (int)strlen(dot + 1) : 0;
    int places = 2 + scale;
    if (dec > places) {
        *why = scale ? msg_cur("金额最多 6 位小数 (单位: 万元)")
                     : msg_cur("金额最多两位小数 (单位: 元)");
        return -1;
    }
    if (intdigits > 15 || intdigits + places > 18) { /* fen fits in int64 */
        *why = msg_cur("金额太大");
        return -1;
    }
    int64_t v = 0;
    for (const char *q = clean; *q; q++)
        if (*q != '.')
            v = v * 10 + (*q - '0');
    for (int i = dec; i < places; i++)
        v *= 10;
    *fen = neg ? -v : v;
    return 0;
bad:
    *why = msg_cur("应为金额 (单位: 元), 如 12345.67、12,345.67 或 ¥12,345.67");
    return -1;
}

int cell_number_text(const char *v, char out[48])
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !isfinite(d))
        return -1;
    snprintf(out, 48, "%.15g", d);
    if (strchr(out, 'e')) {
        if (fabs(d) >= 1e15)
            return -1;
        snprintf(out, 48, "%.6f", d); /* a small number: 1e-05 */
    }
    return 0;
}

/* ---- dates -------------------------------------------------------------------------- */

/* Up to max digits at *p into *v; the count. */
static int num(const char **p, int max, int *v)
{
    int n = 0;
    *v = 0;
    while (n < max && isdigit((unsigned char)**p)) {
        *v = *v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return isdigit((unsigned char)**p) ? 0 : n;
}

/* A time of exactly midnight (" 00:00", " 0:00:00", "T00:00:00") or nothing. */
static int midnight_or_end(const char *p)
{
    if (!*p)
        return 1;
    if (*p != ' ' && *p != 'T')
        return 0;
    while (*p == ' ' || *p == 'T')
        p++;
    int h, m, s = 0;
    if (!num(&p, 2, &h) || *p++ != ':' || num(&p, 2, &m) != 2)
        return 0;
    if (*p == ':' && (p++, num(&p, 2, &s) != 2))
        return 0;
    return !*p && h == 0 && m == 0 && s == 0;
}

int cell_date(const char *s, char out[11])
{
    const char *p = s;
    int y, m, d;
    size_t len = strlen(s);
    if (len == 8) {
        int ok = 1;
        for (int i = 0; i < 8; i++)
            ok &= isdigit((unsigned char)s[i]) != 0;
        if (ok) {
            y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
            m = (s[4] - '0') * 10 + (s[5] - '0');
            d = (s[6] - '0') * 10 + (s[7] - '0');
            if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1)
                return 0;
            goto done;
        }
    }
    if (num(&p, 4, &y) != 4)
        return 0;
    if (!strncmp(p, "年", 3)) {
        p += 3;
        int nm = num(&p, 2, &m);
        if (!nm || strncmp(p, "月", 3))
            return 0;
        p += 3;
        if (!num(&p, 2, &d))
            return 0;
        if (!strncmp(p, "日", 3) || !strncmp(p, "号", 3))
            p += 3;
        if (!midnight_or_end(p))
            return 0;
        goto done;
    }
    char sep = *p;
    if (sep != '-' && sep != '/' && sep != '.')
        return 0;
    p++;
    if (!num(&p, 2, &m) || *p != sep)
        return 0;
    p++;
    if (!num(&p, 2, &d) || !midnight_or_end(p))
        return 0;
done:
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
    return 1;
}

/* ---- phones ------------------------------------------------------------------------- */

int cell_phone(const char *s, char out[40])
{
    if (*s == '+')
        return 0;
    char dg[24];
    int n = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n >= 20)
                return 0;
            dg[n++] = *p;
        } else if (*p != ' ' && *p != '-' && *p != '(' && *p != ')') {
            return 0;
        }
    }
    dg[n] = 0;
    if (n >= 8 && dg[0] == '0' && dg[1] == '0') {
        snprintf(out, 40, "+%s", dg + 2);
        return 1;
    }
    const char *d = dg;
    if (n == 13 && d[0] == '8' && d[1] == '6' && d[2] == '1') {
        d += 2;
        n -= 2;
    }
    if (n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9') {
        snprintf(out, 40, "+86 %.3s %.4s %.4s", d, d + 3, d + 7);
        return 1;
    }
    if (d[0] == '0' && n >= 10 && n <= 12) {
        int area = d[1] == '1' || d[1] == '2' ? 2 : 3, local = n - 1 - area;
        if (local < 7 || local > 8)
            return 0;
        snprintf(out, 40, "+86 %.*s %s", area, d + 1, d + 1 + area);
        return 1;
    }
    return 0;
}

/* ---- regions ------------------------------------------------------------------------ */

/* The suffixes a region's short name drops (longest first). */
static const char *const region_suffixes[] = {
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县", "地区",
    "省",           "市",         "县",         "区",         "盟",     "旗",     NULL,
};

static int starts_suffix(const char *s)
{
    for (int i = 0; region_suffixes[i]; i++)
        if (!strncmp(s, region_suffixes[i], strlen(region_suffixes[i])))
            return 1;
    return 0;
}

/* How many bytes of s the region's name (full or short: at least two characters, and
 * not followed by another suffix: 朝阳区 is not 朝阳市) is a prefix of; 0 when none. */
static size_t name_prefix(const char *name, const char *s)
{
    size_t n = strlen(name);
    if (!strncmp(s, name, n))
        return n;
    for (int i = 0; region_suffixes[i]; i++) {
        size_t k = strlen(region_suffixes[i]);
        if (n > k + 3 && !strcmp(name + n - k, region_suffixes[i]) && !strncmp(s, name, n - k) &&
            !starts_suffix(s + n - k))
            return n - k;
    }
    return 0;
}

enum { LV_PROVINCE, LV_CITY, LV_COUNTY };

static int level_of(const char *code)
{
    if (!strcmp(code + 2, "0000"))
        return LV_PROVINCE;
    if (!strcmp(code + 4, "00"))
        return LV_CITY;
    return LV_COUNTY;
}

/* The one region of level lv under prefix (pfx digits of the code; 0: anywhere) whose
 * name starts s, the longest; NULL when none, *ambig when several match as long. */
static const struct region *match_level(const char *s, int lv, const char *code, int pfx,
                                        size_t *used, int *ambig)
{
    const struct region *best = NULL;
    size_t bl = 0;
    *ambig = 0;
    for (size_t i = 0; i < nregions; i++) {
        const struct region *r = &regions[i];
        if ((pfx && strncmp(r->code, code, (size_t)pfx)) || level_of(r->code) != lv)
            continue;
        size_t k = name_prefix(r->name, s);
        if (!k)
            continue;
        if (k > bl) {
            best = r;
            bl = k;
            *ambig = 0;
        } else if (k == bl) {
            *ambig = 1;
        }
    }
    *used = bl;
    return *ambig ? NULL : best;
}

const struct region *cell_region(const char *s, const char **rest)
{
    const struct region *found = NULL, *r;
    size_t used;
    int ambig;
    const char *p = s;
    *rest = s;
    r = match_level(p, LV_PROVINCE, NULL, 0, &used, &ambig);
    if (r) {
        found = r;
        p += used;
        const struct region *c = match_level(p, LV_CITY, r->code, 2, &used, &ambig);
        if (c) {
            found = c;
            p += used;
            const struct region *k = match_level(p, LV_COUNTY, c->code, 4, &used, &ambig);
            if (k) {
                found = k;
                p += used;
            }
        } else if (!ambig && (c = match_level(p, LV_COUNTY, r->code, 2, &used, &ambig))) {
            found = c; /* 广东台山: the city left out */
            p += used;
        }
    } else if (!ambig && (r = match_level(p, LV_CITY, NULL, 0, &used, &ambig))) {
        found = r;
        p += used;
        const struct region *k = match_level(p, LV_COUNTY, r->code, 4, &used, &ambig);
        if (k) {
            found = k;
            p += used;
        }
    } else if (!ambig && (r = match_level(p, LV_COUNTY, NULL, 0, &used, &ambig))) {
        found = r;
        p += used;
    }
    if (!found)
        return NULL;
    while (*p == ' ' || *p == ',' || *p == '-' || !strncmp(p, "，", 3) || !strncmp(p, "、", 3))
        p += *p == ' ' || *p == ',' || *p == '-' ? 1 : 3;
    *rest = p;
    return found;
}

/* ---- countries ---------------------------------------------------------------------- */

const char *cell_country(const char *s)
{
    size_t n = strlen(s);
    if (n == 2 && isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1])) {
        char up[3] = {(char)toupper((unsigned char)s[0]), (char)toupper((unsigned char)s[1]), 0};
        const struct country *c = country_find(up);
        return c ? c->code : NULL;
    }
    arena *a = arena_new();
    const char *key = cell_key(a, s), *res = NULL;
    for (size_t i = 0; i < ncountries && !res; i++)
        if (!strcmp(key, cell_key(a, countries[i].name_zh)) || !strcasecmp(s, countries[i].name_en))
            res = countries[i].code;
    for (int i = 0; country_aliases[i].name && !res; i++)
        if (!strcmp(key, cell_key(a, country_aliases[i].name)))
            res = country_aliases[i].code;
    arena_free(a);
    return res;
}
