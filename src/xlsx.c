/* xlsx.c - census sheets into tables: CSV (UTF-8 or GB18030, iconv(3)), XLSX (libzip
 * for the container, expat for sharedStrings.xml, styles.xml and the first worksheet) and
 * the old Excel format .xls (Debian's libfreexl); OpenDocument and WPS files refused by
 * their content with how to save them as .xlsx. */
#include "xlsx.h"

#include <errno.h>
#include <expat.h>
#include <freexl.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define QIAO_ASAN 1
#endif
#elif defined(__SANITIZE_ADDRESS__)
#define QIAO_ASAN 1
#endif
#ifdef QIAO_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

void table_init(struct table *t)
{
    memset(t, 0, sizeof *t);
    t->a = arena_new();
    t->merges = json_array();
    t->max_rows = TABLE_MAX_ROWS;
}

void table_free(struct table *t)
{
    if (t->a)
        arena_free(t->a);
    if (t->cells)
        arena_free(t->cells);
    free(t->text);
    free(t->rows);
    json_decref(t->merges);
    memset(t, 0, sizeof *t);
}

/* Append a row of n cells copied from cells (NULL entries become ""), its arrays from the
 * arena of the table's cells; -1 past the limit. */
static int add_row(struct table *t, int num, char **cells, const unsigned char *numeric, int n,
                   struct verr *e)
{
    arena *a = t->cells ? t->cells : t->a;
    if (t->max_rows && (size_t)(t->first + t->nrows) >= t->max_rows)
        return verr_set(e, 413, "too_large", NULL, "表格行数太多 (最多 %zu 行), 请分批导入",
                        t->max_rows - 1);
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->rows = xrealloc(t->rows, (size_t)t->cap * sizeof *t->rows);
    }
    struct trow *r = &t->rows[t->nrows++];
    r->num = num;
    r->n = n;
    r->cells = arena_alloc(a, (size_t)(n ? n : 1) * sizeof(char *));
    r->numeric = NULL;
    for (int i = 0; i < n; i++)
        r->cells[i] = cells[i] ? cells[i] : "";
    if (numeric) {
        r->numeric = arena_alloc(a, (size_t)(n ? n : 1));
        memcpy(r->numeric, numeric, (size_t)n);
    }
    return 0;
}

/* ---- encodings ---------------------------------------------------------------------- */

/* 1 when in[0..n) is UTF-8 text as it stands (no NUL, no UTF-16 mark): *s and *sn the text
 * after a UTF-8 BOM. */
static int utf8_text(const char *in, size_t n, const char **s, size_t *sn)
{
    if (n >= 2 && ((unsigned char)in[0] == 0xFF && (unsigned char)in[1] == 0xFE))
        return 0;
    if (n >= 2 && ((unsigned char)in[0] == 0xFE && (unsigned char)in[1] == 0xFF))
        return 0;
    if (n >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3)) {
        in += 3;
        n -= 3;
    }
    *s = in;
    *sn = n;
    return !memchr(in, 0, n) && utf8_valid(in, n);
}

int text_to_utf8(const char *in, size_t n, char **out, size_t *outn, struct verr *e)
{
    const char *s;
    size_t sn;
    if (n >= 2 && ((unsigned char)in[0] == 0xFF || (unsigned char)in[0] == 0xFE) &&
        ((unsigned char)in[1] == 0xFE || (unsigned char)in[1] == 0xFF) && in[0] != in[1])
        goto bad; /* UTF-16 */
    if (utf8_text(in, n, &s, &sn)) {
        *out = xstrndup(s, sn);
        *outn = sn;
        return 0;
    }
    if (memchr(in, 0, n))
        goto bad;
    if (n >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3)) {
        in += 3;
        n -= 3;
    }
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        die("iconv: GB18030 is not available");
    size_t cap = n * 2 + 16, left = cap;
    char *res = xmalloc(cap + 1), *o = res;
    char *i = (char *)in;
    size_t ileft = n;
    while (ileft) {
        if (iconv(cd, &i, &ileft, &o, &left) == (size_t)-1) {
            if (errno == E2BIG) {
                size_t used = (size_t)(o - res);
                cap *= 2;
                res = xrealloc(res, cap + 1);
                o = res + used;
                left = cap - used;
                continue;
            }
            iconv_close(cd);
            free(res);
            goto bad;
        }
    }
    iconv_close(cd);
    *o = 0;
    *outn = (size_t)(o - res);
    if (!utf8_valid(res, *outn)) {
        free(res);
        goto bad;
    }
    *out = res;
    return 0;
bad:
    return verr_set(e, 415, "bad_encoding", NULL,
                    "文件编码无法识别: 请另存为 UTF-8 或 GB18030 (GBK) 编码的 CSV, 或 XLSX 文件");
}

/* ---- CSV ---------------------------------------------------------------------------- */

/* Set t to read the CSV text s[0..n): the separator is a comma unless the first line has
 * none and has tabs or semicolons. */
static void csv_begin(struct table *t, const char *s, size_t n)
{
    t->src = s;
    t->src_end = s + n;
    t->rec = 0;
    t->sep = ',';
    const char *nl = memchr(s, '\n', n);
    size_t first = nl ? (size_t)(nl - s) : n;
    if (!memchr(s, ',', first)) {
        if (memchr(s, '\t', first))
            t->sep = '\t';
        else if (memchr(s, ';', first))
            t->sep = ';';
    }
}

/* Read the next record of t's CSV text (t->src < t->src_end): with keep, appended as a
 * row (cells from the arena of the table's cells), else only checked. 0, or -1 with e. */
static int csv_record(struct table *t, int keep, struct verr *e)
{
    const char *p = t->src, *end = t->src_end;
    const char sep = t->sep;
    arena *a = t->cells ? t->cells : t->a;
    int cap = 16, nc = 0, rec = ++t->rec, rc = 0, more = 1;
    char **cells = keep ? xmalloc((size_t)cap * sizeof *cells) : NULL;
    buf cell = {0};
    while (more) {
        buf_puts(&cell, ""); /* make cell.s exist */
        cell.len = 0;
        cell.s[0] = 0;
        if (p < end && *p == '"') {
            p++;
            for (;;) {
                if (p >= end) {
                    rc = verr_set(e, 422, "bad_file", NULL, "CSV 第 %d 条记录的引号没有闭合", rec);
                    goto out;
                }
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        buf_putc(&cell, '"');
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                buf_putc(&cell, *p++);
            }
            /* text after the closing quote up to the separator is kept as is */
            while (p < end && *p != sep && *p != '\n' && *p != '\r')
                buf_putc(&cell, *p++);
        } else {
            const char *q = p;
            while (q < end && *q != sep && *q != '\n' && *q != '\r')
                q++;
            buf_add(&cell, p, (size_t)(q - p));
            p = q;
        }
        if (nc >= TABLE_MAX_COLS) {
            rc = verr_set(e, 422, "bad_file", NULL, "第 %d 行的列数太多 (最多 %d 列)", rec,
                          TABLE_MAX_COLS);
            goto out;
        }
        if (keep && nc == cap) {
            cap *= 2;
            cells = xrealloc(cells, (size_t)cap * sizeof *cells);
        }
        if (keep)
            cells[nc] = arena_strndup(a, cell.s, cell.len);
        nc++;
        if (p < end && *p == sep) {
            p++;
        } else {
            more = 0;
            if (p < end && *p == '\r')
                p++;
            if (p < end && *p == '\n')
                p++;
        }
    }
    if (keep)
        rc = add_row(t, rec, cells, NULL, nc, e);
    else if (t->max_rows && (size_t)rec > t->max_rows)
        rc = verr_set(e, 413, "too_large", NULL, "表格行数太多 (最多 %zu 行), 请分批导入",
                      t->max_rows - 1);
out:
    t->src = p;
    free(cells);
    buf_free(&cell);
    return rc;
}

int csv_parse(struct table *t, const char *s, size_t n, struct verr *e)
{
    csv_begin(t, s, n);
    while (t->src < t->src_end)
        if (csv_record(t, 1, e))
            return -1;
    t->total = t->nrows;
    return 0;
}

/* ---- XLSX --------------------------------------------------------------------------- */

#define XLSX_MAX_ENTRY  (512u << 20) /* uncompressed bytes of one part */
#define XLSX_MAX_MERGES 10000        /* merged ranges of the sheet */

int xlsx_col_of(const char *ref)
{
    int c = 0;
    for (; *ref >= 'A' && *ref <= 'Z'; ref++) {
        c = c * 26 + (*ref - 'A' + 1);
        if (c > 16384)
            return 0;
    }
    return c;
}

void xlsx_col_name(int col, char out[4])
{
    char tmp[4];
    int n = 0;
    while (col > 0 && n < 3) {
        col--;
        tmp[n++] = (char)('A' + col % 26);
        col /= 26;
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = 0;
}

int xlsx_serial_date(double serial, char out[11])
{
    if (!(serial >= 1 && serial < 2958466))
        return -1;
    long days = (long)floor(serial);
    if (days < 61)
        days += 1; /* Excel counts 1900-02-29, which did not exist */
    /* days since 1899-12-30 -> civil date (Howard Hinnant's algorithm) */
    long z = days - 25569 + 719468; /* 1970-01-01 is serial 25569 */
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    snprintf(out, 11, "%04d-%02d-%02d", (int)y % 10000, (int)m % 100, (int)d % 100);
    return 0;
}

int xlsx_serial_datetime(double serial, char out[20])
{
    if (xlsx_serial_date(serial, out))
        return -1;
    unsigned secs = (unsigned)lround((serial - floor(serial)) * 86400);
    if (secs >= 86400) { /* rounds up to the next midnight */
        if (xlsx_serial_date(floor(serial) + 1, out))
            return -1;
        secs = 0;
    }
    if (secs)
        snprintf(out + 10, 10, " %02u:%02u:%02u", secs / 3600 % 24, secs / 60 % 60, secs % 60);
    return 0;
}

/* Read a whole part of the archive; NULL when missing (or too big: *toobig set). */
static char *zip_part(zip_t *z, const char *name, size_t *len, int *toobig)
{
    zip_stat_t st;
    if (zip_stat(z, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return NULL;
    if (st.size > XLSX_MAX_ENTRY) {
        *toobig = 1;
        return NULL;
    }
    zip_file_t *f = zip_fopen(z, name, 0);
    if (!f)
        return NULL;
    char *d = xmalloc(st.size + 1);
    zip_int64_t got = 0, n;
    while ((zip_uint64_t)got < st.size &&
           (n = zip_fread(f, d + got, st.size - (zip_uint64_t)got)) > 0)
        got += n;
    zip_fclose(f);
    if ((zip_uint64_t)got != st.size) {
        free(d);
        return NULL;
    }
    d[got] = 0;
    *len = (size_t)got;
    return d;
}

/* Local name of an element ("x:c" -> "c"). */
static const char *local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (!strcmp(local(atts[i]), name))
            return atts[i + 1];
    return NULL;
}

/* Parse an XML document with the handlers; 0 or -1 when it is not well-formed. */
static int xml_parse(const char *d, size_t n, void *ud, XML_StartElementHandler st,
                     XML_EndElementHandler en, XML_CharacterDataHandler ch)
{
    XML_Parser p = XML_ParserCreate("UTF-8");
    XML_SetUserData(p, ud);
    XML_SetElementHandler(p, st, en);
    if (ch)
        XML_SetCharacterDataHandler(p, ch);
    int rc = 0;
    /* feed in pieces: XML_Parse takes an int length */
    while (n > (1u << 30)) {
        if (XML_Parse(p, d, 1 << 30, 0) == XML_STATUS_ERROR) {
            rc = -1;
            break;
        }
        d += 1 << 30;
        n -= 1u << 30;
    }
    if (!rc && XML_Parse(p, d, (int)n, 1) == XML_STATUS_ERROR)
        rc = -1;
    XML_ParserFree(p);
    return rc;
}

/* workbook.xml: the r:id of the first sheet; rels: its target. */
struct wb {
    char rid[64];
    char target[256];
};

static void wb_start(void *ud, const char *name, const char **atts)
{
    struct wb *w = ud;
    if (!strcmp(local(name), "sheet") && !w->rid[0]) {
        const char *id = attr(atts, "id");
        if (id)
            snprintf(w->rid, sizeof w->rid, "%s", id);
    }
}

static void rel_start(void *ud, const char *name, const char **atts)
{
    struct wb *w = ud;
    if (strcmp(local(name), "Relationship") || w->target[0])
        return;
    const char *id = attr(atts, "Id"), *tg = attr(atts, "Target");
    if (id && tg && !strcmp(id, w->rid)) {
        if (tg[0] == '/')
            snprintf(w->target, sizeof w->target, "%s", tg + 1);
        else
            snprintf(w->target, sizeof w->target, "xl/%s", tg);
    }
}

static void no_end(void *ud, const char *name)
{
    (void)ud;
    (void)name;
}

/* sharedStrings.xml: <si> holds <t> or runs <r><t>; <rPh> (phonetic hints) is skipped. */
struct sst {
    char **s;
    size_t n, cap;
    buf cur;
    int in_si, in_t, in_rph;
    arena *a;
};

static void sst_start(void *ud, const char *name, const char **atts)
{
    struct sst *x = ud;
    (void)atts;
    const char *l = local(name);
    if (!strcmp(l, "si")) {
        x->in_si = 1;
        x->cur.len = 0;
        buf_puts(&x->cur, "");
    } else if (!strcmp(l, "rPh")) {
        x->in_rph = 1;
    } else if (!strcmp(l, "t")) {
        x->in_t = 1;
    }
}

static void sst_end(void *ud, const char *name)
{
    struct sst *x = ud;
    const char *l = local(name);
    if (!strcmp(l, "si")) {
        if (x->n == x->cap) {
            x->cap = x->cap ? x->cap * 2 : 1024;
            x->s = xrealloc(x->s, x->cap * sizeof *x->s);
        }
        x->s[x->n++] = arena_strndup(x->a, buf_str(&x->cur), x->cur.len);
        x->in_si = 0;
    } else if (!strcmp(l, "rPh")) {
        x->in_rph = 0;
    } else if (!strcmp(l, "t")) {
        x->in_t = 0;
    }
}

static void sst_text(void *ud, const char *s, int len)
{
    struct sst *x = ud;
    if (x->in_si && x->in_t && !x->in_rph)
        buf_add(&x->cur, s, (size_t)len);
}

/* styles.xml: which cell formats (cellXfs indexes) show dates. */
struct styles {
    int in_xfs;
    unsigned char *date_xf; /* per xf index */
    size_t nxf, cap;
    int custom_ids[256];
    unsigned char custom_date[256];
    int ncustom;
};

static int builtin_date(int id)
{
    return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

/* A format code shows a date when it has y, d or (outside [..] and "..") m with d/y. */
static int code_is_date(const char *c)
{
    int q = 0, br = 0, y = 0, d = 0;
    for (; *c; c++) {
        if (*c == '"')
            q = !q;
        else if (!q && *c == '[')
            br = 1;
        else if (!q && *c == ']')
            br = 0;
        else if (!q && !br && (*c == 'y' || *c == 'Y'))
            y = 1;
        else if (!q && !br && (*c == 'd' || *c == 'D'))
            d = 1;
        else if (!q && *c == '\\')
            c += c[1] ? 1 : 0;
    }
    return y || d;
}

static void sty_start(void *ud, const char *name, const char **atts)
{
    struct styles *s = ud;
    const char *l = local(name);
    if (!strcmp(l, "numFmt") && s->ncustom < 256) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (id && code) {
            s->custom_ids[s->ncustom] = atoi(id);
            s->custom_date[s->ncustom++] = (unsigned char)code_is_date(code);
        }
    } else if (!strcmp(l, "cellXfs")) {
        s->in_xfs = 1;
    } else if (!strcmp(l, "xf") && s->in_xfs) {
        const char *id = attr(atts, "numFmtId");
        int fid = id ? atoi(id) : 0, date = builtin_date(fid);
        for (int i = 0; i < s->ncustom; i++)
            if (s->custom_ids[i] == fid)
                date = s->custom_date[i];
        if (s->nxf == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 64;
            s->date_xf = xrealloc(s->date_xf, s->cap);
        }
        s->date_xf[s->nxf++] = (unsigned char)date;
    }
}

static void sty_end(void *ud, const char *name)
{
    struct styles *s = ud;
    if (!strcmp(local(name), "cellXfs"))
        s->in_xfs = 0;
}

/* The worksheet: rows of cells, merged ranges. */
struct sheet {
    struct table *t;
    struct sst *sst;
    struct styles *sty;
    struct verr *e;
    int failed;
    int rownum, nextcol;    /* current row; next column when a cell has no r */
    char **cells;           /* per column of the current row */
    unsigned char *numeric; /* per column */
    int ncells;             /* highest column seen in the row */
    char ctype[16];         /* the cell's t */
    int cstyle, ccol;
    int in_v, in_t, in_is, in_c;
    buf val;
};

static void sh_flush(struct sheet *sh)
{
    if (sh->failed || sh->rownum <= 0)
        return;
    if (add_row(sh->t, sh->rownum, sh->cells, sh->numeric, sh->ncells, sh->e))
        sh->failed = 1;
}

static void sh_start(void *ud, const char *name, const char **atts)
{
    struct sheet *sh = ud;
    if (sh->failed)
        return;
    const char *l = local(name);
    if (!strcmp(l, "row")) {
        const char *r = attr(atts, "r");
        int num = r ? atoi(r) : sh->rownum + 1;
        sh->rownum = num > 0 ? num : sh->rownum + 1;
        sh->ncells = 0;
        sh->nextcol = 1;
        memset(sh->cells, 0, (TABLE_MAX_COLS + 1) * sizeof *sh->cells);
        memset(sh->numeric, 0, TABLE_MAX_COLS + 1);
    } else if (!strcmp(l, "c")) {
        const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
        sh->ccol = r ? xlsx_col_of(r) : sh->nextcol;
        if (sh->ccol <= 0)
            sh->ccol = sh->nextcol;
        sh->nextcol = sh->ccol + 1;
        snprintf(sh->ctype, sizeof sh->ctype, "%s", t ? t : "n");
        sh->cstyle = s ? atoi(s) : 0;
        sh->in_c = 1;
        sh->val.len = 0;
        buf_puts(&sh->val, "");
    } else if (!strcmp(l, "v")) {
        sh->in_v = 1;
    } else if (!strcmp(l, "is")) {
        sh->in_is = 1;
    } else if (!strcmp(l, "t") && sh->in_is) {
        sh->in_t = 1;
    } else if (!strcmp(l, "mergeCell")) {
        const char *ref = attr(atts, "ref");
        if (json_array_size(sh->t->merges) >= XLSX_MAX_MERGES) {
            /* each is a row error to report: a sheet with this many is not a census list */
            verr_set(sh->e, 422, "bad_file", NULL,
                     "工作表的合并单元格太多 (超过 %d 处), 请取消合并后每一行分别填写再导入",
                     XLSX_MAX_MERGES);
            sh->failed = 1;
            return;
        }
        if (ref) {
            const char *p = ref;
            int c1 = xlsx_col_of(p);
            while (*p >= 'A' && *p <= 'Z')
                p++;
            int r1 = atoi(p);
            const char *colon = strchr(ref, ':');
            int c2 = c1, r2 = r1;
            if (colon) {
                c2 = xlsx_col_of(colon + 1);
                p = colon + 1;
                while (*p >= 'A' && *p <= 'Z')
                    p++;
                r2 = atoi(p);
            }
            json_array_append_new(sh->t->merges,
                                  json_pack("{s:s, s:i, s:i, s:i, s:i}", "ref", ref, "row", r1,
                                            "col", c1, "last_row", r2, "last_col", c2));
        }
    }
}

static void sh_end(void *ud, const char *name)
{
    struct sheet *sh = ud;
    if (sh->failed)
        return;
    const char *l = local(name);
    if (!strcmp(l, "row")) {
        sh_flush(sh);
    } else if (!strcmp(l, "v")) {
        sh->in_v = 0;
    } else if (!strcmp(l, "t")) {
        sh->in_t = 0;
    } else if (!strcmp(l, "is")) {
        sh->in_is = 0;
    } else if (!strcmp(l, "c")) {
        sh->in_c = 0;
        int col = sh->ccol;
        if (col > TABLE_MAX_COLS) {
            verr_set(sh->e, 422, "bad_file", NULL, "第 %d 行的列数太多 (最多 %d 列)", sh->rownum,
                     TABLE_MAX_COLS);
            sh->failed = 1;
            return;
        }
        const char *v = buf_str(&sh->val);
        const char *out = v;
        char date[20];
        int numeric = 0;
        if (!strcmp(sh->ctype, "s")) {
            char *endp;
            long i = strtol(v, &endp, 10);
            out = (*v && !*endp && i >= 0 && (size_t)i < sh->sst->n) ? sh->sst->s[i] : "";
        } else if (!strcmp(sh->ctype, "d")) {
            out = arena_strndup(sh->t->a, v, strlen(v) > 10 ? 10 : strlen(v));
        } else if (!strcmp(sh->ctype, "n") && *v) {
            numeric = 1;
            if (sh->cstyle >= 0 && (size_t)sh->cstyle < sh->sty->nxf &&
                sh->sty->date_xf[sh->cstyle] && xlsx_serial_datetime(strtod(v, NULL), date) == 0) {
                out = date;
                numeric = 2;
            }
        }
        if (*out) {
            sh->cells[col - 1] = arena_strdup(sh->t->a, out);
            sh->numeric[col - 1] = (unsigned char)numeric;
            if (col > sh->ncells)
                sh->ncells = col;
        }
    }
}

static void sh_text(void *ud, const char *s, int len)
{
    struct sheet *sh = ud;
    if (sh->in_c && (sh->in_v || (sh->in_is && sh->in_t)))
        buf_add(&sh->val, s, (size_t)len);
}

static int not_xlsx(struct verr *e)
{
    return verr_set(e, 415, "not_xlsx", NULL,
                    "这个文件不是 XLSX 表格 (压缩包里没有工作表), 请用 Excel 或 WPS 另存为 .xlsx");
}

int xlsx_read(struct table *t, const char *data, size_t len, struct verr *e)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    zip_error_fini(&ze);
    if (!z) {
        if (src)
            zip_source_free(src);
        return verr_set(e, 415, "not_xlsx", NULL, "文件已损坏, 无法作为 XLSX 表格打开");
    }
    int rc = 0, toobig = 0;
    char *wbx = NULL, *rels = NULL, *sstx = NULL, *styx = NULL;
    struct sst sst = {.a = t->a};
    struct styles sty = {0};
    struct sheet sh = {.t = t, .sst = &sst, .sty = &sty, .e = e};
    size_t n;
    struct wb w = {0};
    wbx = zip_part(z, "xl/workbook.xml", &n, &toobig);
    if (!wbx || zip_name_locate(z, "[Content_Types].xml", 0) < 0) {
        rc = not_xlsx(e);
        goto out;
    }
    if (xml_parse(wbx, n, &w, wb_start, no_end, NULL)) {
        rc = verr_set(e, 422, "bad_file", NULL, "XLSX 文件已损坏 (workbook.xml)");
        goto out;
    }
    if (w.rid[0] && (rels = zip_part(z, "xl/_rels/workbook.xml.rels", &n, &toobig)))
        xml_parse(rels, n, &w, rel_start, no_end, NULL);
    if (!w.target[0])
        snprintf(w.target, sizeof w.target, "xl/worksheets/sheet1.xml");
    if ((sstx = zip_part(z, "xl/sharedStrings.xml", &n, &toobig)) &&
        xml_parse(sstx, n, &sst, sst_start, sst_end, sst_text)) {
        rc = verr_set(e, 422, "bad_file", NULL, "XLSX 文件已损坏 (sharedStrings.xml)");
        goto out;
    }
    if ((styx = zip_part(z, "xl/styles.xml", &n, &toobig)))
        xml_parse(styx, n, &sty, sty_start, sty_end, NULL);
    if (toobig) {
        rc = verr_set(e, 413, "too_large", NULL, "XLSX 文件解压后太大, 请分批导入");
        goto out;
    }
    /* the sheet itself, streamed */
    zip_file_t *f = zip_fopen(z, w.target, 0);
    if (!f) {
        rc = not_xlsx(e);
        goto out;
    }
    t->xlsx = 1;
    sh.cells = xcalloc(TABLE_MAX_COLS + 1, sizeof *sh.cells);
    sh.numeric = xcalloc(TABLE_MAX_COLS + 1, 1);
    XML_Parser p = XML_ParserCreate("UTF-8");
    XML_SetUserData(p, &sh);
    XML_SetElementHandler(p, sh_start, sh_end);
    XML_SetCharacterDataHandler(p, sh_text);
    char chunk[65536];
    zip_int64_t got;
    size_t total = 0;
    int bad = 0;
    while ((got = zip_fread(f, chunk, sizeof chunk)) > 0 && !sh.failed) {
        total += (size_t)got;
        if (total > XLSX_MAX_ENTRY) {
            toobig = 1;
            break;
        }
        if (XML_Parse(p, chunk, (int)got, 0) == XML_STATUS_ERROR) {
            bad = 1;
            break;
        }
    }
    if (got < 0)
        bad = 1;
    if (!bad && !toobig && !sh.failed && XML_Parse(p, "", 0, 1) == XML_STATUS_ERROR)
        bad = 1;
    XML_ParserFree(p);
    zip_fclose(f);
    if (sh.failed)
        rc = -1;
    else if (toobig)
        rc = verr_set(e, 413, "too_large", NULL, "XLSX 文件解压后太大, 请分批导入");
    else if (bad)
        rc = verr_set(e, 422, "bad_file", NULL, "XLSX 文件已损坏 (工作表无法读取)");
out:
    free(sh.cells);
    free(sh.numeric);
    buf_free(&sh.val);
    free(sst.s);
    buf_free(&sst.cur);
    free(sty.date_xf);
    free(wbx);
    free(rels);
    free(sstx);
    free(styx);
    zip_discard(z);
    return rc;
}

/* ---- the old Excel format (.xls, BIFF in a compound file) ---------------------------- */

static const char CFBF_MAGIC[8] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/* Does the compound file hold a stream named name (its directory entries are UTF-16LE)? */
static int cfbf_has_stream(const char *data, size_t len, const char *name)
{
    char u[64];
    size_t n = strlen(name);
    for (size_t i = 0; i < n && 2 * i + 1 < sizeof u; i++)
        u[2 * i] = name[i], u[2 * i + 1] = 0;
    return memmem(data, len, u, 2 * n) != NULL;
}

/* Write all of data to fd; 0, or -1. */
static int write_all(int fd, const char *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

static int not_excel(struct verr *e, const char *what)
{
    return verr_set(e, 415, "not_xlsx", NULL,
                    "这是%s文件, 不能直接导入: 请用 WPS、Excel 或 LibreOffice 打开, "
                    "“文件 → 另存为”选择“Excel 工作簿 (*.xlsx)”后再导入",
                    what);
}

/* The child's side of xls_read: the workbook at path read by libfreexl, its first sheet
 * written to fd as records: 'R', the row number and cell count (uint32 each), then per cell
 * its kind (a byte: 0 text, 1 number, 2 date) and its length (uint32) and bytes; 'P' for a
 * workbook with a password, 'O' (and the error, int32) when freexl cannot open it, 'S'
 * when it has no sheet; 'E' at the end. Returns the exit status. */
static int xls_child(const char *path, int fd)
{
    buf b = {0};
    const void *h = NULL;
    int rc = freexl_open(path, &h);
    unsigned info = 0, rows = 0;
    unsigned short ncols = 0;
    if (rc != FREEXL_OK) {
        buf_putc(&b, 'O');
        buf_add(&b, (const char *)&rc, sizeof rc);
    } else if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &info) == FREEXL_OK &&
               info == FREEXL_BIFF_OBFUSCATED) {
        buf_putc(&b, 'P');
    } else if (freexl_select_active_worksheet(h, 0) != FREEXL_OK ||
               freexl_worksheet_dimensions(h, &rows, &ncols) != FREEXL_OK) {
        buf_putc(&b, 'S');
    } else {
        if (ncols > TABLE_MAX_COLS)
            ncols = TABLE_MAX_COLS;
        char num[40];
        for (unsigned r = 0; r < rows && r < TABLE_MAX_ROWS; r++) {
            uint32_t hdr[2] = {r + 1, ncols};
            buf_putc(&b, 'R');
            buf_add(&b, (const char *)hdr, sizeof hdr);
            for (unsigned short c = 0; c < ncols; c++) {
                FreeXL_CellValue v;
                const char *text = "";
                unsigned char kind = 0;
                if (freexl_get_cell_value(h, r, c, &v) == FREEXL_OK) {
                    switch (v.type) {
                    case FREEXL_CELL_INT:
                        snprintf(num, sizeof num, "%d", v.value.int_value);
                        text = num, kind = 1;
                        break;
                    case FREEXL_CELL_DOUBLE: /* as Excel shows a number: 15 digits */
                        snprintf(num, sizeof num, "%.15G", v.value.double_value);
                        text = num, kind = 1;
                        break;
                    case FREEXL_CELL_DATE:
                    case FREEXL_CELL_DATETIME:
                        kind = 2;
                        /* fall through */
                    case FREEXL_CELL_TEXT:
                    case FREEXL_CELL_SST_TEXT:
                    case FREEXL_CELL_TIME:
                        text = v.value.text_value ? v.value.text_value : "";
                        break;
                    default:
                        break;
                    }
                }
                size_t tl = strlen(text);
                if (kind == 2 && tl == 19 && !strcmp(text + 10, " 00:00:00"))
                    tl = 10; /* a date-time at midnight: the date */
                uint32_t n = (uint32_t)tl;
                buf_putc(&b, (char)kind);
                buf_add(&b, (const char *)&n, sizeof n);
                buf_add(&b, text, tl);
            }
            if (b.len > (1u << 20)) { /* written as it goes: the pipe holds little */
                if (write_all(fd, b.s, b.len))
                    return 1;
                b.len = 0;
            }
        }
        buf_putc(&b, 'E');
    }
    if (h)
        freexl_close(h);
    return write_all(fd, b.s, b.len) ? 1 : 0;
}

int xls_read(struct table *t, const char *data, size_t len, struct verr *e)
{
    if (!cfbf_has_stream(data, len, "Workbook") && !cfbf_has_stream(data, len, "Book"))
        return not_excel(e, cfbf_has_stream(data, len, "WordDocument")
                                ? msg_cur(" Word 文档 (.doc) ")
                                : msg_cur("不是 Excel 的旧格式 (可能是 WPS 表格 .et), "));
    /* libfreexl reads a file by its path, and trusts what it reads (a broken file has
     * made it read past its buffers): it runs in a child process, which hands the cells
     * over a pipe and whose crash is a broken file, not the server's */
    char path[] = "/tmp/qiao-xls-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return verr_set(e, 500, "internal", NULL, "无法创建临时文件, 未读取 .xls 文件");
    int wrc = write_all(fd, data, len);
    close(fd);
    int pfd[2];
    if (wrc || pipe(pfd)) {
        unlink(path);
        return verr_set(e, 500, "internal", NULL, "无法写临时文件, 未读取 .xls 文件");
    }
    pid_t pid = fork();
    if (pid == 0) {
#ifdef QIAO_ASAN
        /* a sanitizer report in the child is the broken file's, not the caller's (a fuzzer
         * must not take the child's death for its own crash) */
        __sanitizer_set_death_callback(NULL);
#endif
        close(pfd[0]);
        _exit(xls_child(path, pfd[1]));
    }
    close(pfd[1]);
    buf in = {0};
    int status = -1, timed_out = 0;
    if (pid > 0) {
        char chunk[65536];
        double until = now_ms() + 60000;
        for (;;) {
            struct pollfd p = {.fd = pfd[0], .events = POLLIN};
            int left = (int)(until - now_ms());
            if (left <= 0 || poll(&p, 1, left) <= 0) {
                timed_out = 1;
                kill(pid, SIGKILL);
                break;
            }
            ssize_t n = read(pfd[0], chunk, sizeof chunk);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            buf_add(&in, chunk, (size_t)n);
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    close(pfd[0]);
    unlink(path);
    int rc = 0;
    const char *p = in.s, *end = in.s + in.len;
    if (pid < 0) {
        rc = verr_set(e, 500, "internal", NULL, "无法读取 .xls 文件 (进程), 请稍后再试");
    } else if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) || !in.len) {
        rc = verr_set(e, 422, "bad_file", NULL,
                      ".xls 文件已损坏, 无法读取: 请用 Excel 或 WPS 打开后另存为 .xlsx 再导入");
    } else if (*p == 'O' || *p == 'S') {
        rc = verr_set(
            e, 422, "bad_file", NULL,
            ".xls 文件已损坏或不是工作簿, 无法读取: 请用 Excel 或 WPS 另存为 .xlsx 后再导入");
    } else if (*p == 'P') {
        rc = verr_set(e, 422, "bad_file", NULL, ".xls 文件加了密码, 请去掉密码后再导入");
    } else {
        t->xlsx = 1;
        char **cells = xcalloc(TABLE_MAX_COLS + 1, sizeof *cells);
        unsigned char *numeric = xcalloc(TABLE_MAX_COLS + 1, 1);
        while (!rc && p < end && *p == 'R' && end - p >= 9) {
            uint32_t hdr[2];
            memcpy(hdr, p + 1, sizeof hdr);
            p += 9;
            int last = 0;
            for (uint32_t c = 0; c < hdr[1] && c < TABLE_MAX_COLS; c++) {
                uint32_t n;
                if (end - p < 5)
                    break;
                numeric[c] = (unsigned char)p[0];
                memcpy(&n, p + 1, sizeof n);
                p += 5;
                if ((size_t)(end - p) < n)
                    break;
                cells[c] = arena_strndup(t->a, p, n);
                p += n;
                if (n)
                    last = (int)c + 1;
            }
            rc = add_row(t, (int)hdr[0], cells, numeric, last, e);
        }
        free(cells);
        free(numeric);
        if (!rc && (p >= end || *p != 'E'))
            rc = verr_set(e, 422, "bad_file", NULL, ".xls 文件已损坏, 无法读取");
    }
    buf_free(&in);
    return rc;
}

static int read_whole(struct table *t, const char *data, size_t len, struct verr *e);

int table_read(struct table *t, const char *data, size_t len, struct verr *e)
{
    int rc = read_whole(t, data, len, e);
    t->total = t->nrows;
    return rc;
}

static int read_whole(struct table *t, const char *data, size_t len, struct verr *e)
{
    if (len == 0)
        return verr_set(e, 422, "empty", NULL, "文件是空的");
    if (len >= 4 && !memcmp(data, "PK\x03\x04", 4)) {
        /* OpenDocument names itself in an uncompressed first entry "mimetype" */
        if (len > 38 + 46 && !memcmp(data + 30, "mimetype", 8) &&
            !memcmp(data + 38, "application/vnd.oasis.opendocument.", 35))
            return not_excel(e, memmem(data + 38, 46, "spreadsheet", 11)
                                    ? msg_cur(" OpenDocument 表格 (.ods) ")
                                    : msg_cur(" OpenDocument 文档 (.odt/.odp) "));
        return xlsx_read(t, data, len, e);
    }
    if (len >= 4 && (!memcmp(data, "PK\x05\x06", 4)))
        return not_xlsx(e);
    if (len >= 8 && !memcmp(data, CFBF_MAGIC, 8))
        return xls_read(t, data, len, e);
    char *u;
    size_t n;
    if (text_to_utf8(data, len, &u, &n, e))
        return -1;
    int rc = csv_parse(t, u, n, e);
    free(u);
    return rc;
}

int table_open(struct table *t, const char *data, size_t len, struct verr *e)
{
    if (len < 4 || !memcmp(data, "PK", 2) || (len >= 8 && !memcmp(data, CFBF_MAGIC, 8)))
        return table_read(t, data, len, e); /* a workbook (or an empty file): whole */
    const char *s;
    size_t n;
    if (!utf8_text(data, len, &s, &n)) { /* GB18030 (or refused): read from a UTF-8 copy */
        if (text_to_utf8(data, len, &t->text, &n, e))
            return -1;
        s = t->text;
    }
    /* the first pass checks the whole file (a broken one is refused before any row is
     * read) and counts its records; the second, table_row's, keeps them */
    csv_begin(t, s, n);
    while (t->src < t->src_end)
        if (csv_record(t, 0, e))
            return -1;
    t->total = t->rec;
    csv_begin(t, s, n);
    t->cells = arena_new();
    t->lazy = 1;
    return 0;
}

struct trow *table_row(struct table *t, int i)
{
    while (t->lazy && i >= t->first + t->nrows && t->src < t->src_end)
        if (csv_record(t, 1, &t->err)) {
            t->failed = 1; /* checked by table_open: only a limit reached meanwhile */
            return NULL;
        }
    return i >= t->first && i < t->first + t->nrows ? &t->rows[i - t->first] : NULL;
}

void table_drop(struct table *t, int i)
{
    int k = i - t->first; /* rows before row i held */
    if (!t->lazy || k < 4096)
        return;
    if (k > t->nrows)
        k = t->nrows;
    arena *old = t->cells;
    t->cells = arena_new();
    for (int r = k; r < t->nrows; r++) { /* the few read ahead: into the new arena */
        struct trow *row = &t->rows[r];
        char **cells = arena_alloc(t->cells, (size_t)(row->n ? row->n : 1) * sizeof *cells);
        for (int c = 0; c < row->n; c++)
            cells[c] = arena_strdup(t->cells, row->cells[c]);
        row->cells = cells;
    }
    memmove(t->rows, t->rows + k, (size_t)(t->nrows - k) * sizeof *t->rows);
    t->nrows -= k;
    t->first += k;
    arena_free(old);
}
