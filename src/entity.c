/* entity.c - everything that follows from an entity declaration: DDL, validation, JSON
 * in and out, the list query, the schema. See entity.h. */
#include "entity.h"
#include "audit.h"
#include "module.h"
#include "country.h"
#include "dedup.h"
#include "region.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct entity *entity_find(const char *name)
{
    const struct entity *const *all = ent_all();
    for (int i = 0; all[i]; i++)
        if (!strcmp(all[i]->name, name))
            return all[i];
    return NULL;
}

struct ent_ctx ent_unscoped(const struct ent_ctx *c)
{
    struct ent_ctx all = *c;
    all.scope_path = NULL;
    all.role = NULL;
    return all;
}

/* The modules' write hooks (module.h), in the write's transaction. */
static int on_write(struct ent_ctx *c, const struct entity *ent, int64_t id, const json_t *rec,
                    const json_t *old, struct verr *e)
{
    for (int i = 0; modules[i]; i++)
        if (modules[i]->on_write && modules[i]->on_write(c, ent, id, rec, old, e))
            return -1;
    return 0;
}

const struct field *ent_field(const struct entity *e, const char *name)
{
    for (const struct field *f = e->fields; f->name; f++)
        if (f->name[0] == name[0] && !strcmp(f->name, name)) /* most differ at once */
            return f;
    return NULL;
}

int verr_set(struct verr *e, int status, const char *code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    e->status = status;
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(e->msg, sizeof e->msg, msg(msg_lang(), fmt), ap);
#pragma GCC diagnostic pop
    va_end(ap);
    return -1;
}

static int is_int_type(enum ftype t)
{
    return t == FT_INT || t == FT_MONEY || t == FT_YEAR || t == FT_BOOL || t == FT_REF;
}

static enum db_type db_type_of(const struct field *f)
{
    if (!strcmp(f->name, "id"))
        return DT_PK;
    if (f->type == FT_KEY)
        return DT_KEY;
    return is_int_type(f->type) ? DT_INT : DT_TEXT;
}

/* ---- DDL ---------------------------------------------------------------------------- */

static void column_ddl(db *d, buf *b, const struct field *f)
{
    buf_printf(b, "%s %s", f->name, db_type_name(d, db_type_of(f)));
    if (f->type == FT_REF && !(f->flags & FF_NOFK))
        buf_printf(b, " REFERENCES \"%s\"(id)", f->ref);
}

/* Does one of e's declared indexes begin with column col? */
static int leads_an_index(const struct entity *e, const char *col)
{
    size_t n = strlen(col);
    for (const char *const *ix = e->indexes; ix && *ix; ix++) {
        const char *p = strchr(*ix, '(');
        if (p && !strncmp(p + 1, col, n) && (p[1 + n] == ',' || p[1 + n] == ')'))
            return 1;
    }
    return 0;
}

int entity_sync(db *d)
{
    for (int i = 0; ent_all()[i]; i++) {
        const struct entity *e = ent_all()[i];
        buf b = {0};
        int rc = DB_OK;
        if (!db_has_column(d, e->name, NULL)) {
            buf_printf(&b, "CREATE TABLE \"%s\" (", e->name);
            for (const struct field *f = e->fields; f->name; f++) {
                if (f != e->fields)
                    buf_puts(&b, ", ");
                column_ddl(d, &b, f);
            }
            buf_puts(&b, ")");
            rc = db_exec(d, buf_str(&b));
        } else {
            for (const struct field *f = e->fields; f->name && rc == DB_OK; f++) {
                if (db_has_column(d, e->name, f->name))
                    continue;
                b.len = 0;
                buf_printf(&b, "ALTER TABLE \"%s\" ADD COLUMN ", e->name);
                column_ddl(d, &b, f);
                rc = db_exec(d, buf_str(&b));
            }
        }
        /* Lists and counts of live rows (a ledger's rows are all live: none). */
        if (rc == DB_OK) {
            b.len = 0;
            if (e->flags & EF_APPEND)
                buf_printf(&b, "DROP INDEX IF EXISTS %s_deleted_i", e->name);
            else
                buf_printf(&b, "CREATE INDEX IF NOT EXISTS %s_deleted_i ON \"%s\" (deleted_at)",
                           e->name, e->name);
            rc = db_exec(d, buf_str(&b));
        }
        for (const char *const *ix = e->old_indexes; ix && *ix && rc == DB_OK; ix++) {
            b.len = 0;
            buf_printf(&b, "DROP INDEX IF EXISTS %s_%s", e->name, *ix);
            rc = db_exec(d, buf_str(&b));
        }
        for (const char *const *ix = e->indexes; ix && *ix && rc == DB_OK; ix++) {
            b.len = 0;
            const char *cols = strchr(*ix, '(');
            buf_printf(&b, "CREATE INDEX IF NOT EXISTS %s_%.*s ON \"%s\" %s", e->name,
                       (int)(cols - *ix - 1), *ix, e->name, cols);
            rc = db_exec(d, buf_str(&b));
        }
        /* An indexed field's index gives the rows of one value in id order, a list's
         * order: on PostgreSQL it names id (db_index_needs_id) and is called _ki, so that
         * a database made before gets it and loses the _i that did not. */
        const int by_id = db_index_needs_id(d);
        for (const struct field *f = e->fields; f->name && rc == DB_OK; f++) {
            if (!(f->flags & (FF_INDEX | FF_UNIQUE)) && f->type != FT_REF)
                continue;
            if (f->flags & FF_UNIQUE) {
                b.len = 0;
                buf_printf(&b,
                           "CREATE UNIQUE INDEX IF NOT EXISTS %s_%s_u ON \"%s\" (%s) WHERE "
                           "deleted_at IS NULL",
                           e->name, f->name, e->name, f->name);
                rc = db_exec(d, buf_str(&b));
                continue;
            }
            const char *kind = by_id ? "ki" : "i";
            if (by_id) { /* the one-column index a database made before has */
                b.len = 0;
                buf_printf(&b, "DROP INDEX IF EXISTS %s_%s_i", e->name, f->name);
                rc = db_exec(d, buf_str(&b));
            }
            b.len = 0;
            if (leads_an_index(e, f->name))
                buf_printf(&b, "DROP INDEX IF EXISTS %s_%s_%s", e->name, f->name, kind);
            else
                buf_printf(&b, "CREATE INDEX IF NOT EXISTS %s_%s_%s ON \"%s\" (%s%s)", e->name,
                           f->name, kind, e->name, f->name, by_id ? ", id" : "");
            if (rc == DB_OK)
                rc = db_exec(d, buf_str(&b));
        }
        buf_free(&b);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

/* ---- values ------------------------------------------------------------------------- */

static int64_t text_max(const struct field *f)
{
    if (f->max > 0)
        return f->max;
    return f->type == FT_TEXTAREA ? 4000 : 200;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* "YYYY-MM-DD" with a real calendar day in 1800..2200. */
static int valid_date(const char *s)
{
    if (strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    return y >= 1800 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Date and time with Z or an offset; without a zone, Beijing time. Normalised to UTC. */
static int norm_datetime(const char *s, char out[21])
{
    if (strlen(s) < 19 ||
        !valid_date((char[11]){s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], 0}))
        return 0;
    if ((s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return 0;
    struct tm tm = {0};
    tm.tm_year = atoi(s) - 1900;
    tm.tm_mon = atoi(s + 5) - 1;
    tm.tm_mday = atoi(s + 8);
    tm.tm_hour = atoi(s + 11);
    tm.tm_min = atoi(s + 14);
    tm.tm_sec = atoi(s + 17);
    if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return 0;
    const char *p = s + 19;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++)
            ;
    long off = 8 * 3600;
    if (*p == 'Z' && !p[1]) {
        off = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && digits(p + 1, 2) && p[3] == ':' &&
               digits(p + 4, 2)) {
        off = (atoi(p + 1) * 3600 + atoi(p + 4) * 60) * (*p == '-' ? -1 : 1);
    } else if (*p) {
        return 0;
    }
    time_t t = timegm(&tm) - off;
    struct tm u;
    gmtime_r(&t, &u);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &u);
    return 1;
}

static int valid_email(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at != s && !strchr(at + 1, '@') && strchr(at + 1, '.') && !strpbrk(s, " \t<>\"");
}

/* A phone number with a country code: "+86 731 1234 5678", "+60-12-3456789". */
static int valid_phone(const char *s)
{
    if (*s != '+' || !isdigit((unsigned char)s[1]))
        return 0;
    int nd = 0;
    for (s++; *s; s++) {
        if (isdigit((unsigned char)*s))
            nd++;
        else if (*s != ' ' && *s != '-')
            return 0;
    }
    return nd >= 6 && nd <= 17;
}

static const struct enumval *enum_find(const struct field *f, const char *v)
{
    for (const struct enumval *ev = f->values; ev && ev->value; ev++)
        if (!strcmp(ev->value, v))
            return ev;
    return NULL;
}

static void enum_choices(const struct field *f, buf *b)
{
    for (const struct enumval *ev = f->values; ev && ev->value; ev++)
        buf_printf(b, "%s%s(%s)", ev == f->values ? "" : msg_cur("、"), ev->value,
                   msg_label(ev->label));
}

/* Trim spaces around s; returns a new string (caller frees). */
static char *trimmed(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return xstrndup(s, n);
}

static int has_control(const char *s, int allow_newline)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 && !(allow_newline && (c == '\n' || c == '\t' || c == '\r')))
            return 1;
        if (c == 0x7f)
            return 1;
    }
    return 0;
}

/* Validate a string value for a text-like field. */
static int text_value(const struct field *f, const char *raw, json_t **out, struct verr *e)
{
    const char *L = msg_label(f->label);
    char *s = trimmed(raw);
    int rc = 0;
    char dt[21];
    if (!*s) {
        *out = json_null();
        goto done;
    }
    switch (f->type) {
    case FT_TEXT:
    case FT_TEXTAREA:
        if (has_control(s, f->type == FT_TEXTAREA)) {
            rc = verr_set(e, 422, "invalid", f->name, "“%s”含有不可见的控制字符", L);
        } else if ((int64_t)utf8_len(s) > text_max(f)) {
            rc = verr_set(e, 422, "invalid", f->name, "“%s”太长: 最多 %lld 个字, 现在 %zu 个字", L,
                          (long long)text_max(f), utf8_len(s));
        }
        break;
    case FT_DATE:
        if (!valid_date(s))
            rc = verr_set(e, 422, "invalid", f->name,
                          "“%s”不是有效日期: “%s”, 应为 年-月-日, 如 2024-05-01", L, s);
        break;
    case FT_DATETIME:
        if (!norm_datetime(s, dt))
            rc = verr_set(e, 422, "invalid", f->name,
                          "“%s”不是有效时间: “%s”, 应如 2024-05-01T08:30:00+08:00", L, s);
        else {
            free(s);
            s = xstrdup(dt);
        }
        break;
    case FT_ENUM:
    case FT_PARTY:
        if (!enum_find(f, s)) {
            buf b = {0};
            enum_choices(f, &b);
            rc = verr_set(e, 422, "invalid", f->name, "“%s”没有“%s”这一项, 可选: %s", L, s,
                          buf_str(&b));
            buf_free(&b);
        }
        break;
    case FT_REGION:
        if (strlen(s) != 6 || !digits(s, 6))
            rc = verr_set(e, 422, "invalid", f->name,
                          "“%s”应为 6 位行政区划代码 (GB/T 2260), 如 430500: “%s”", L, s);
        else if (!region_find(s))
            rc = verr_set(e, 422, "invalid", f->name, "“%s”: 没有行政区划代码“%s” (GB/T 2260)", L,
                          s);
        break;
    case FT_COUNTRY:
        if (strlen(s) != 2 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]))
            rc = verr_set(e, 422, "invalid", f->name,
                          "“%s”应为两位大写国家代码 (ISO 3166-1), 如 MY: “%s”", L, s);
        else if (!country_find(s))
            rc = verr_set(e, 422, "invalid", f->name, "“%s”: 没有国家或地区代码“%s” (ISO 3166-1)",
                          L, s);
        break;
    case FT_PHONE:
        if (!valid_phone(s))
            rc = verr_set(e, 422, "invalid", f->name, "“%s”应带国家代码, 如 +86 739 5301234: “%s”",
                          L, s);
        break;
    case FT_EMAIL:
        if (!valid_email(s) || utf8_len(s) > 200)
            rc = verr_set(e, 422, "invalid", f->name, "“%s”不是有效的电子邮箱: “%s”", L, s);
        break;
    case FT_URL:
        if ((strncmp(s, "http://", 7) && strncmp(s, "https://", 8)) || strpbrk(s, " <>\"") ||
            utf8_len(s) > 500)
            rc = verr_set(e, 422, "invalid", f->name, "“%s”应为 http:// 或 https:// 开头的网址", L);
        break;
    default:
        die("text_value: field %s is not text", f->name);
    }
    if (!rc)
        *out = json_string(s);
done:
    free(s);
    return rc;
}

static int int_in_range(const struct field *f, int64_t v, struct verr *e)
{
    int64_t lo = f->min, hi = f->max;
    if (f->type == FT_YEAR && lo >= hi)
        lo = 1800, hi = 2200;
    if (f->type == FT_REF && v < 1)
        return verr_set(e, 422, "invalid", f->name, "“%s”应为记录编号 (正整数)",
                        msg_label(f->label));
    if (lo < hi && (v < lo || v > hi))
        return verr_set(e, 422, "invalid", f->name, "“%s”应在 %lld 到 %lld 之间, 现在是 %lld",
                        msg_label(f->label), (long long)lo, (long long)hi, (long long)v);
    return 0;
}

static int set_value(const struct field *f, json_t *in, json_t **out, struct verr *e)
{
    const char *L = msg_label(f->label);
    if (!json_is_array(in))
        return verr_set(e, 422, "invalid", f->name, "“%s”应为列表 (JSON 数组)", L);
    if (json_array_size(in) > 50)
        return verr_set(e, 422, "invalid", f->name, "“%s”最多 50 项", L);
    size_t i;
    json_t *v;
    json_array_foreach(in, i, v)
    {
        if (!json_is_string(v))
            return verr_set(e, 422, "invalid", f->name, "“%s”的每一项都应为文字", L);
    }
    json_t *res = json_array();
    if (f->type == FT_SET) {
        /* Checked against the values, kept in declaration order, without repeats. */
        json_array_foreach(in, i, v)
        {
            if (!enum_find(f, json_string_value(v))) {
                buf b = {0};
                enum_choices(f, &b);
                verr_set(e, 422, "invalid", f->name, "“%s”没有“%s”这一项, 可选: %s", L,
                         json_string_value(v), buf_str(&b));
                buf_free(&b);
                json_decref(res);
                return -1;
            }
        }
        for (const struct enumval *ev = f->values; ev->value; ev++)
            json_array_foreach(in, i, v) if (!strcmp(json_string_value(v), ev->value))
            {
                json_array_append_new(res, json_string(ev->value));
                break;
            }
    } else {
        json_array_foreach(in, i, v)
        {
            char *s = trimmed(json_string_value(v));
            if (has_control(s, 0) || (int64_t)utf8_len(s) > text_max(f)) {
                verr_set(e, 422, "invalid", f->name, "“%s”的第 %zu 项太长或含有控制字符", L, i + 1);
                free(s);
                json_decref(res);
                return -1;
            }
            if (*s)
                json_array_append_new(res, json_string(s));
            free(s);
        }
    }
    *out = res;
    return 0;
}

int ent_value(const struct field *f, json_t *in, json_t **out, struct verr *e)
{
    const char *L = msg_label(f->label);
    if (json_is_null(in)) {
        *out = (f->type == FT_SET || f->type == FT_LIST) ? json_array() : json_null();
        return 0;
    }
    switch (f->type) {
    case FT_INT:
    case FT_MONEY:
    case FT_YEAR:
    case FT_REF:
        /* money that is not a whole number of fen is a client's mistake (元 sent as a
         * float, a fen lost to rounding): 400, as the funds issue asks */
        if (!json_is_integer(in) && f->type == FT_MONEY)
            return verr_set(e, 400, "bad_request", f->name, "“%s”应为整数 (单位: 分)", L);
        if (!json_is_integer(in))
            return verr_set(e, 422, "invalid", f->name, "“%s”应为整数", L);
        if (int_in_range(f, json_integer_value(in), e))
            return -1;
        *out = json_incref(in);
        return 0;
    case FT_BOOL:
        if (!json_is_boolean(in))
            return verr_set(e, 422, "invalid", f->name, "“%s”应为 true 或 false", L);
        *out = json_incref(in);
        return 0;
    case FT_SET:
    case FT_LIST:
        return set_value(f, in, out, e);
    case FT_KEY:
        return verr_set(e, 400, "unknown_field", f->name, "字段“%s”不可写", f->name);
    default:
        if (!json_is_string(in))
            return verr_set(e, 422, "invalid", f->name, "“%s”应为文字", L);
        return text_value(f, json_string_value(in), out, e);
    }
}

int ent_value_text(const struct field *f, const char *in, json_t **out, struct verr *e)
{
    const char *L = msg_label(f->label);
    char *s = trimmed(in);
    int rc = 0;
    if (!*s) {
        *out = (f->type == FT_SET || f->type == FT_LIST) ? json_array() : json_null();
        goto out;
    }
    switch (f->type) {
    case FT_INT:
    case FT_MONEY:
    case FT_YEAR:
    case FT_REF: {
        int64_t v;
        if (!parse_i64(s, &v)) {
            rc = verr_set(e, 422, "invalid", f->name, "“%s”应为整数: “%s”", L, s);
            break;
        }
        if ((rc = int_in_range(f, v, e)) == 0)
            *out = json_integer(v);
        break;
    }
    case FT_BOOL:
        if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "是"))
            *out = json_true();
        else if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "否"))
            *out = json_false();
        else
            rc = verr_set(e, 422, "invalid", f->name, "“%s”应为 是 或 否: “%s”", L, s);
        break;
    case FT_SET:
    case FT_LIST: {
        json_t *arr = json_array();
        for (char *p = s, *q; p; p = q) {
            q = strchr(p, ';');
            if (q)
                *q++ = 0;
            json_array_append_new(arr, json_string(p));
        }
        rc = set_value(f, arr, out, e);
        json_decref(arr);
        break;
    }
    default: {
        json_t *j = json_string(s);
        if (!j) /* not UTF-8 */
            rc = verr_set(e, 422, "invalid", f->name, "“%s”不是有效的 UTF-8 文字", L);
        else
            rc = ent_value(f, j, out, e);
        json_decref(j);
    }
    }
out:
    free(s);
    return rc;
}

int ent_input(const struct entity *ent, json_t *body, json_t **out, struct verr *e)
{
    if (!json_is_object(body))
        return verr_set(e, 400, "bad_json", NULL, "请求内容应为 JSON 对象");
    json_t *res = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        const struct field *f = ent_field(ent, key);
        if (!f || (f->flags & FF_HIDDEN)) {
            json_decref(res);
            return verr_set(e, 400, "unknown_field", key, "没有“%s”这个字段", key);
        }
        if (f->flags & FF_READONLY) {
            json_decref(res);
            return verr_set(e, 400, "readonly", key, "“%s”由系统填写, 不能修改",
                            msg_label(f->label));
        }
        json_t *norm;
        if (ent_value(f, v, &norm, e)) {
            json_decref(res);
            return -1;
        }
        json_object_set_new(res, key, norm);
    }
    *out = res;
    return 0;
}

/* ---- rows --------------------------------------------------------------------------- */

char *mask_value(arena *a, const char *v)
{
    size_t n = utf8_len(v);
    /* Keep up to 3 characters at each end when the value is long enough. */
    size_t keep = n >= 11 ? 3 : n >= 7 ? 2 : n >= 4 ? 1 : 0;
    buf b = {0};
    size_t i = 0;
    for (const char *p = v; *p;) {
        const char *q = p + 1;
        while ((*q & 0xC0) == 0x80)
            q++;
        if (i < keep || i >= n - keep)
            buf_add(&b, p, (size_t)(q - p));
        else
            buf_putc(&b, '*');
        p = q;
        i++;
    }
    char *r = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return r;
}

/* A column of a row as the reader gets it: what row_cells hands a sink. */
enum cell { CELL_NULL, CELL_BOOL, CELL_INT, CELL_ARRAY, CELL_TEXT };
struct cell_sink {
    void (*put)(struct cell_sink *k, const char *name, enum cell kind, const char *t, int64_t n);
};

/* The current row of s, column by column into k (and the computed values that are SQL, for
 * a reader): the one place a stored value becomes what is answered. raw: no masking, hidden
 * fields included. CELL_ARRAY is a set or list as its stored JSON text ("[]" when none);
 * CELL_BOOL and CELL_INT come in n, CELL_TEXT in t. Its text was checked as UTF-8 on
 * its way in (JSON, the sheets' readers), so it is not checked again. */
static void row_cells(struct ent_ctx *c, const struct entity *ent, stmt *s, int raw,
                      struct cell_sink *k)
{
    int i = 0;
    for (const struct field *f = ent->fields; f->name; f++, i++) {
        if ((f->flags & FF_HIDDEN) && !raw)
            continue;
        const char *t = st_text_at(s, i);
        int64_t n = 0;
        if (f->type == FT_SET || f->type == FT_LIST)
            k->put(k, f->name, CELL_ARRAY, t ? t : "[]", 0);
        else if (!t)
            k->put(k, f->name, CELL_NULL, NULL, 0);
        else if (f->type == FT_BOOL)
            k->put(k, f->name, CELL_BOOL, NULL, strcmp(t, "0") != 0);
        else if (is_int_type(f->type) || !strcmp(f->name, "id"))
            k->put(k, f->name, CELL_INT, NULL, parse_i64(t, &n) ? n : 0);
        else if ((f->flags & FF_SENSITIVE) && !raw && !(c->may_unmask && c->unmask))
            k->put(k, f->name, CELL_TEXT, mask_value(c->a, t), 0);
        else
            k->put(k, f->name, CELL_TEXT, t, 0);
    }
    for (const struct field *f = ent->computed; !raw && f && f->name; f++) {
        if (!f->sql)
            continue;
        const char *t = st_text_at(s, i++);
        int64_t n = 0;
        if (!t)
            k->put(k, f->name, CELL_NULL, NULL, 0);
        else if (f->type == FT_BOOL)
            k->put(k, f->name, CELL_BOOL, NULL, strcmp(t, "0") != 0);
        else if (is_int_type(f->type) && parse_i64(t, &n))
            k->put(k, f->name, CELL_INT, NULL, n);
        else
            k->put(k, f->name, CELL_TEXT, t, 0);
    }
}

/* A stored set or list: its JSON array, [] if the text is not one. */
static json_t *cell_array(const char *t)
{
    json_t *v = strcmp(t, "[]") ? json_loads(t, 0, NULL) : json_array();
    if (!json_is_array(v)) {
        json_decref(v);
        v = json_array();
    }
    return v;
}

static json_t *cell_json(enum cell kind, const char *t, int64_t n)
{
    switch (kind) {
    case CELL_NULL:
        return json_null();
    case CELL_BOOL:
        return json_boolean(n);
    case CELL_INT:
        return json_integer(n);
    case CELL_ARRAY:
        return cell_array(t);
    case CELL_TEXT:
        break;
    }
    return json_string_nocheck(t);
}

struct object_sink {
    struct cell_sink k;
    json_t *o;
};

static void put_object(struct cell_sink *k, const char *name, enum cell kind, const char *t,
                       int64_t n)
{
    json_object_set_new_nocheck(((struct object_sink *)k)->o, name, cell_json(kind, t, n));
}

/* The current row of s as a record's columns (see row_cells). */
static json_t *row_columns(struct ent_ctx *c, const struct entity *ent, stmt *s, int raw)
{
    struct object_sink k = {{put_object}, json_object()};
    row_cells(c, ent, s, raw, &k.k);
    return k.o;
}

struct text_sink {
    struct cell_sink k;
    buf *b;
    int n;
};

static void put_text(struct cell_sink *k, const char *name, enum cell kind, const char *t,
                     int64_t n)
{
    struct text_sink *x = (struct text_sink *)k;
    buf *b = x->b;
    if (x->n++)
        buf_putc(b, ',');
    json_put_string(b, name, strlen(name));
    buf_putc(b, ':');
    switch (kind) {
    case CELL_NULL:
        buf_add(b, "null", 4);
        break;
    case CELL_BOOL:
        buf_puts(b, n ? "true" : "false");
        break;
    case CELL_INT:
        json_put_int(b, n);
        break;
    case CELL_ARRAY:
        if (!strcmp(t, "[]")) {
            buf_add(b, "[]", 2);
        } else {
            json_t *v = cell_array(t);
            json_compact(b, v);
            json_decref(v);
        }
        break;
    case CELL_TEXT:
        json_put_string(b, t, strlen(t));
        break;
    }
}

/* The current row of s as the JSON text of its record's columns at the end of b: what
 * json_compact(row_columns()) writes, without building the tree. */
static void row_text(struct ent_ctx *c, const struct entity *ent, stmt *s, buf *b)
{
    struct text_sink k = {{put_text}, b, 0};
    buf_putc(b, '{');
    row_cells(c, ent, s, 0, &k.k);
    buf_putc(b, '}');
}

static int is_root_path(const char *path);

/* The id rec's party link f (X_type, X_id, X_name) names, if it names a record of pe. */
static json_t *party_id(const json_t *rec, const struct field *f, const struct entity *pe)
{
    json_t *id = json_object_get(rec, f[1].name);
    const char *kind = json_string_value(json_object_get(rec, f->name));
    return json_is_integer(id) && kind && !strcmp(kind, pe->name) ? id : NULL;
}

/* A party the reader may not open is not named to them (its stored name is the writer's
 * view): in the n records recs, the parties of each kind looked up at once (a page of a
 * ledger named its donors with one query a row). */
static void hide_parties(struct ent_ctx *c, const struct entity *ent, json_t *const *recs, size_t n)
{
    for (const struct field *f = ent->fields; f->name; f++) {
        for (int k = 0; f->type == FT_PARTY && party_kinds[k].value; k++) {
            const struct entity *pe = entity_find(party_kinds[k].value);
            if (!pe || !c->scope_path || (is_root_path(c->scope_path) && !pe->scope))
                continue; /* sees them all (ent_visible) */
            buf sql = {0};
            json_t *binds = json_array(), *seen = json_object();
            buf_printf(&sql, "SELECT t.id AS id FROM \"%s\" t WHERE t.id IN (", pe->name);
            for (size_t i = 0; i < n; i++)
                if (party_id(recs[i], f, pe)) {
                    buf_puts(&sql, json_array_size(binds) ? ", ?" : "?");
                    json_array_append(binds, party_id(recs[i], f, pe));
                }
            buf_putc(&sql, ')');
            size_t asked = json_array_size(binds);
            ent_scope_sql(c, pe, &sql, binds);
            stmt *s = asked ? db_prepare_json(c->db, buf_str(&sql), binds) : NULL;
            while (s && st_step(s) == DB_ROW)
                json_object_set_new(seen, st_text(s, "id"), json_true());
            st_finalize(s); /* a failure sees none: nothing is named that should not be */
            for (size_t i = 0; asked && i < n; i++) {
                json_t *id = party_id(recs[i], f, pe);
                if (!id)
                    continue;
                char key[24];
                snprintf(key, sizeof key, "%lld", (long long)json_integer_value(id));
                if (!json_object_get(seen, key))
                    json_object_set_new(recs[i], f[2].name, json_string(msg_cur(OTHER_ORG_RECORD)));
            }
            json_decref(seen);
            json_decref(binds);
            buf_free(&sql);
        }
    }
}

/* What a reader is answered beyond the columns, in this order: the parties they may not
 * open unnamed (parties: here; a list did it for its page), the computed values
 * (compute), the moves they may make (the move buttons). */
static void row_finish(struct ent_ctx *c, const struct entity *ent, json_t *o, int parties)
{
    if (parties)
        hide_parties(c, ent, &o, 1);
    if (ent->compute)
        ent->compute(c, o);
    if (ent->workflow)
        json_object_set_new(
            o, "allowed_transitions",
            ent_moves_from(c, ent, json_string_value(json_object_get(o, ent->workflow->field))));
}

/* The current row of s as a record (raw: see row_columns). */
static json_t *row_json(struct ent_ctx *c, const struct entity *ent, stmt *s, int raw)
{
    json_t *o = row_columns(c, ent, s, raw);
    if (!raw)
        row_finish(c, ent, o, 1);
    return o;
}

/* Whether row_finish and hide_parties leave ent's rows as they are (a person's, an org's):
 * then they can be written as text straight from the store (row_text). */
static int plain_rows(const struct entity *ent)
{
    if (ent->compute || ent->workflow)
        return 0;
    for (const struct field *f = ent->fields; f->name; f++)
        if (f->type == FT_PARTY)
            return 0;
    return 1;
}

/* A copy of a raw record without its hidden fields (password hashes, paths): what the
 * audit trail keeps. */
static json_t *audit_view(const struct entity *ent, const json_t *rec)
{
    if (!rec)
        return NULL;
    json_t *o = json_deep_copy(rec);
    for (const struct field *f = ent->fields; f->name; f++)
        if (f->flags & FF_HIDDEN)
            json_object_del(o, f->name);
    return o;
}

/* Write the audit entry of a change to ent's record id (raw records, may be NULL). */
static int audit_change(struct ent_ctx *c, const struct entity *ent, const char *action, int64_t id,
                        const json_t *before, const json_t *after)
{
    json_t *b = audit_view(ent, before), *a = audit_view(ent, after);
    int rc = audit_write(c, action, ent->name, id, b, a);
    json_decref(b);
    json_decref(a);
    return rc;
}

/* "SELECT col, col, ... FROM "ent" t", and for a reader (!raw) the computed fields that
 * are SQL (field.sql) after the columns, in their order (row_json reads them there). */
/* Every read of a record starts here (a write reads its row back, and each reference it
 * checks): put together without printf, which took 4.7 % of the group writer's samples
 * recording donations (perf), now 1 %. */
static void select_sql(const struct entity *ent, int raw, buf *b)
{
    buf_puts(b, "SELECT ");
    for (const struct field *f = ent->fields; f->name; f++) {
        if (f != ent->fields)
            buf_add(b, ", ", 2);
        buf_add(b, "t.", 2);
        buf_puts(b, f->name);
    }
    for (const struct field *f = ent->computed; !raw && f && f->name; f++) {
        if (!f->sql)
            continue;
        buf_add(b, ", (", 3);
        buf_puts(b, f->sql);
        buf_add(b, ") AS ", 5); /* PostgreSQL would name (SELECT r.id ...) "id" */
        buf_puts(b, f->name);
    }
    buf_puts(b, " FROM \"");
    buf_puts(b, ent->name);
    buf_puts(b, "\" t");
}

/* Upper bound of the path range that starts at prefix ("/1/4/" -> "/1/40"): '0' follows
 * '/' in byte order, so [prefix, bound) is exactly the subtree. */
char *path_bound(arena *a, const char *prefix)
{
    char *b = arena_strdup(a, prefix);
    b[strlen(b) - 1] = '0';
    return b;
}

/* Is path the root's ("/1/")? Its subtree is everything. */
static int is_root_path(const char *path)
{
    return path[0] == '/' && strchr(path + 1, '/') && !strchr(path + 1, '/')[1];
}

int ent_few_orgs = 1000;

enum { TREE_RANGE = 1, TREE_IDS };

/* The ids of the orgs in the subtree at PATH as db_in_int_set's text, "" when there are
 * more than ent_few_orgs, NULL on a database error; kept in the memo until the data
 * changes. Their query hides the range as well: its one plan, the path index, fits every
 * range. */
static const char *org_ids(struct ent_ctx *c, const char *path)
{
    const char *key = arena_printf(c->a, "org ids\x1f%s", path);
    size_t len;
    const char *kept = db_memo_get_blob(c->db, key, &len);
    if (kept)
        return arena_printf(c->a, "%.*s", (int)len, kept);
    int few = ent_few_orgs;
    int64_t *ids = arena_alloc(c->a, ((size_t)few + 1) * sizeof *ids);
    size_t n = 0;
    const char *v = db_opaque_text(c->db);
    stmt *s = db_prepare(c->db, arena_printf(c->a,
                                             "SELECT id FROM \"org\" WHERE path >= %s AND "
                                             "path < %s LIMIT %d",
                                             v, v, few + 1));
    st_bind_text(s, 1, path);
    st_bind_text(s, 2, path_bound(c->a, path));
    int rc = DB_ERROR;
    while (s && (rc = st_step(s)) == DB_ROW && n <= (size_t)few)
        ids[n++] = st_int(s, "id");
    st_finalize(s);
    if (rc != DB_DONE && rc != DB_ROW)
        return NULL;
    char *t = n <= (size_t)few ? db_int_set_text(c->db, ids, n) : xstrdup("");
    const char *set = arena_strdup(c->a, t);
    free(t);
    db_memo_put_blob(c->db, key, set, strlen(set));
    return set;
}

/* " AND t.org_id ..." for the records of the orgs in the subtree at PATH: by the path range
 * (a sub-select the planner looks into: it must be planned with its values), or, with
 * NAMED and no more than ent_few_orgs orgs in the subtree, as the set of their ids
 * (db_in_int_set), which one plan fits whatever it holds. Returns what it wrote: TREE_RANGE
 * or TREE_IDS. */
static int org_sql(struct ent_ctx *c, const char *path, int named, buf *sql, json_t *binds)
{
    const char *set = named ? org_ids(c, path) : NULL;
    if (set && *set) {
        buf_printf(sql, " AND t.org_id%s", db_in_int_set(c->db));
        json_array_append_new(binds, json_string(set));
        return TREE_IDS;
    }
    buf_puts(sql, " AND t.org_id IN (SELECT id FROM \"org\" WHERE path >= ? AND path < ?)");
    json_array_append_new(binds, json_string(path));
    json_array_append_new(binds, json_string(path_bound(c->a, path)));
    return TREE_RANGE;
}

/* ent_scope_sql, with NAMED for org_sql: 0, TREE_RANGE or TREE_IDS. */
static int scope_sql(struct ent_ctx *c, const struct entity *ent, int named, buf *sql,
                     json_t *binds)
{
    if (!c->scope_path)
        return 0;
    /* The org range, unless the user sits at the root: then it would only cost a scan. */
    int range = 0;
    if (!is_root_path(c->scope_path) && (ent->flags & EF_TREE)) {
        buf_puts(sql, " AND t.path >= ? AND t.path < ?");
        json_array_append_new(binds, json_string(c->scope_path));
        json_array_append_new(binds, json_string(path_bound(c->a, c->scope_path)));
        range = TREE_RANGE;
    } else if (!is_root_path(c->scope_path) && (ent->flags & EF_OWNED))
        range = org_sql(c, c->scope_path, named, sql, binds);
    if (ent->scope)
        ent->scope(c, sql, binds);
    return range;
}

int ent_scope_sql(struct ent_ctx *c, const struct entity *ent, buf *sql, json_t *binds)
{
    return !!scope_sql(c, ent, 0, sql, binds);
}

int ent_visible(struct ent_ctx *c, const struct entity *ent, int64_t id)
{
    if (!c->scope_path || (is_root_path(c->scope_path) && !ent->scope))
        return 1;
    buf sql = {0};
    json_t *binds = json_pack("[I]", (json_int_t)id);
    buf_printf(&sql, "SELECT count(*) AS n FROM \"%s\" t WHERE t.id = ?", ent->name);
    ent_scope_sql(c, ent, &sql, binds);
    stmt *s = db_prepare_json(c->db, buf_str(&sql), binds);
    int n = s && st_step(s) == DB_ROW ? (int)st_int(s, "n") : 0;
    st_finalize(s);
    buf_free(&sql);
    json_decref(binds);
    return n > 0;
}

int ent_sees_parties(struct ent_ctx *c)
{
    if (!c->scope_path)
        return 1;
    if (!is_root_path(c->scope_path))
        return 0;
    for (int i = 0; party_kinds[i].value; i++) {
        const struct entity *pe = entity_find(party_kinds[i].value);
        if (pe && pe->scope)
            return 0;
    }
    return 1;
}

stmt *db_prepare_json(db *d, const char *sql, json_t *binds)
{
    stmt *s = db_prepare(d, sql);
    if (!s)
        return NULL;
    size_t i;
    json_t *v;
    json_array_foreach(binds, i, v)
    {
        if (json_is_integer(v))
            st_bind_int(s, (int)i + 1, json_integer_value(v));
        else if (json_is_string(v))
            st_bind_text(s, (int)i + 1, json_string_value(v));
        else if (json_is_boolean(v))
            st_bind_int(s, (int)i + 1, json_is_true(v));
        else
            st_bind_null(s, (int)i + 1);
    }
    return s;
}

static json_t *read_row(struct ent_ctx *c, const struct entity *ent, int64_t id, int raw,
                        struct verr *e)
{
    buf sql = {0};
    json_t *binds = json_array();
    select_sql(ent, raw, &sql);
    buf_puts(&sql, " WHERE t.id = ? AND t.deleted_at IS NULL");
    json_array_append_new(binds, json_integer(id));
    ent_scope_sql(c, ent, &sql, binds);
    stmt *s = db_prepare_json(c->db, buf_str(&sql), binds);
    json_t *rec = NULL;
    int rc = s ? st_step(s) : DB_ERROR;
    if (rc == DB_ROW)
        rec = row_json(c, ent, s, raw);
    else if (rc == DB_DONE)
        verr_set(e, 404, "not_found", NULL, "%s(编号 %lld)不存在或无权查看", msg_label(ent->label),
                 (long long)id);
    else
        verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
    st_finalize(s);
    buf_free(&sql);
    json_decref(binds);
    return rec;
}

json_t *ent_read(struct ent_ctx *c, const struct entity *ent, int64_t id, int raw, struct verr *e)
{
    return read_row(c, ent, id, raw, e);
}

/* The stored form of a normalised value, appended to binds. */
static void bind_value(const struct field *f, json_t *v, json_t *binds)
{
    if (json_is_array(v)) {
        if (json_array_size(v) == 0)
            json_array_append_new(binds, json_null());
        else {
            buf text = {0};
            json_compact(&text, v);
            json_array_append_new(binds, json_stringn(text.s, text.len));
            buf_free(&text);
        }
    } else if (json_is_boolean(v)) {
        json_array_append_new(binds, json_integer(json_is_true(v)));
    } else {
        (void)f;
        json_array_append(binds, v);
    }
}

const struct enumval body_levels[] = {
    {"national", {"国家级", "國家級", "National"}},
    {"provincial", {"省级", "省級", "Provincial"}},
    {"city", {"市级", "市級", "City"}},
    {"county", {"县级", "縣級", "County"}},
    {NULL},
};

const struct enumval party_kinds[] = {
    {"person", {"侨界人士", "僑界人士", "Person"}},
    {"association", {"侨团", "僑團", "Association"}},
    {"enterprise", {"侨企", "僑企", "Enterprise"}},
    {"org", {"组织", "組織", "Organisation"}},
    {"name", {"未登记的个人或单位", "未登記的個人或單位", "Not registered (name only)"}},
    {NULL},
};

const char *ent_link_name_label(arena *a, enum lang lang, const struct field *f)
{
    const char *l = lbl(lang, f->label);
    const char *tail = lang == LANG_EN ? " (id)" : lang == LANG_HANT ? "編號" : "编号";
    size_t n = strlen(l), tn = strlen(tail);
    if (n > tn && !strcmp(l + n - tn, tail))
        n -= tn;
    return arena_printf(a, "%.*s%s", (int)n, l,
                        lang == LANG_EN     ? " name"
                        : lang == LANG_HANT ? "名稱"
                                            : "名称");
}

int ent_ref_missing(struct verr *e, const char *field, const char *label, const struct entity *re,
                    int64_t id)
{
    return verr_set(e, 422, "invalid", field, "“%s”指向的%s(编号 %lld)不存在或无权使用", label,
                    msg_label(re->label), (long long)id);
}

/* May a link in rec (a record of ent) name record id of re? The writer must hold view on
 * re's module (a mediator cannot name people of the registries), see the record, and, for
 * a party link (party: a record names another as one of its parties), so must the org that
 * will own rec: a county's relation or contact names only what that county may open, even
 * when the city writes it. The answer to "no" is the one to a missing record
 * (ent_ref_missing): nothing is learnt of a record out of reach. The record read raw (a new
 * reference), or NULL with e (404 for "no"). */
static json_t *read_link(struct ent_ctx *c, const struct entity *ent, const json_t *rec,
                         const struct entity *re, int64_t id, int party, struct verr *e)
{
    if (c->role && strcmp(re->name, "user") && strcmp(re->name, "org") &&
        !(module_perms(c->role, re->module) & (1u << P_VIEW))) {
        verr_set(e, 404, "not_found", NULL, "%s(编号 %lld)不存在或无权查看", msg_label(re->label),
                 (long long)id);
        return NULL;
    }
    json_t *r = read_row(c, re, id, 1, e);
    if (!r || !party || !(ent->flags & EF_OWNED))
        return r;
    json_t *org = json_object_get(rec, "org_id");
    if (!json_is_integer(org))
        return r;
    stmt *s = db_prepare(c->db, "SELECT path FROM \"org\" WHERE id = ?");
    st_bind_int(s, 1, json_integer_value(org));
    const char *path = s && st_step(s) == DB_ROW ? arena_strdup(c->a, st_text(s, "path")) : NULL;
    st_finalize(s);
    if (!path) /* the owner itself is checked as the org_id reference */
        return r;
    struct ent_ctx owner = ent_unscoped(c);
    owner.scope_path = path;
    json_t *o = read_row(&owner, re, id, 1, e);
    if (!o) {
        json_decref(r);
        return NULL;
    }
    json_decref(o);
    return r;
}

/* A party link (FIELD_PARTY: f is X_type, then X_id and X_name) in rec: see entity.h. */
static int check_party(struct ent_ctx *c, const struct entity *ent, const struct field *f,
                       json_t *rec, const json_t *old, struct verr *e)
{
    const struct field *fid = f + 1, *fname = f + 2;
    size_t n = strlen(f->name) - 5; /* "_type" */
    if (strncmp(fid->name, f->name, n) || strcmp(fid->name + n, "_id") ||
        strncmp(fname->name, f->name, n) || strcmp(fname->name + n, "_name"))
        die("field %s: FIELD_PARTY must be followed by its _id and _name", f->name);
    const char *kind = json_string_value(json_object_get(rec, f->name));
    json_t *idv = json_object_get(rec, fid->name), *namev = json_object_get(rec, fname->name);
    int has_id = idv && !json_is_null(idv), has_name = namev && !json_is_null(namev);
    if (!kind) {
        if (has_id || has_name)
            return verr_set(e, 422, "invalid", f->name, "请选择“%s”", msg_label(f->label));
        return 0;
    }
    int bit = -1;
    for (int i = 0; party_kinds[i].value; i++)
        if (!strcmp(party_kinds[i].value, kind))
            bit = i;
    if (bit < 0 || !(f->party & (1u << bit))) {
        buf b = {0};
        for (int i = 0; party_kinds[i].value; i++)
            if (f->party & (1u << i))
                buf_printf(&b, "%s%s", b.len ? msg_cur("、") : "", msg_label(party_kinds[i].label));
        verr_set(e, 422, "invalid", f->name, "“%s”应为%s", msg_label(f->label), buf_str(&b));
        buf_free(&b);
        return -1;
    }
    if (!strcmp(kind, "name")) {
        if (has_id)
            return verr_set(e, 422, "invalid", fid->name, "“%s”为%s时不能填写“%s”",
                            msg_label(f->label), msg_label(party_kinds[bit].label),
                            msg_label(fid->label));
        if (!has_name)
            return verr_set(e, 422, "invalid", fname->name, "请填写“%s”的姓名或名称",
                            msg_label(fname->label));
        return 0;
    }
    if (!has_id)
        return verr_set(e, 422, "invalid", fid->name, "请填写“%s”", msg_label(fid->label));
    if (old && json_equal(json_object_get(old, f->name), json_object_get(rec, f->name)) &&
        json_equal(json_object_get(old, fid->name), idv))
        return 0; /* unchanged: its title stays as written */
    const struct entity *re = entity_find(kind);
    if (!re)
        die("party kind %s names no entity", kind);
    int64_t id = json_integer_value(idv);
    struct verr e2;
    json_t *r = read_link(c, ent, rec, re, id, 1, &e2);
    if (!r)
        return e2.status == 404 ? ent_ref_missing(e, fid->name, msg_label(fname->label), re, id)
                                : (*e = e2, -1);
    json_t *t = json_object_get(r, re->title);
    json_object_set_new(rec, fname->name,
                        json_is_string(t) ? json_incref(t)
                                          : json_sprintf("%s %lld", re->label.hans, (long long)id));
    json_decref(r);
    return 0;
}

/* A party list (an FT_LIST with .party: "person:12", "association:3"): each item well
 * formed, of a kind the field allows, naming a record in the writer's scope; written back
 * normalised, without repeats. */
static int check_party_list(struct ent_ctx *c, const struct entity *ent, const struct field *f,
                            json_t *rec, struct verr *e)
{
    json_t *list = json_object_get(rec, f->name), *norm = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(v), *colon = s ? strchr(s, ':') : NULL;
        int64_t id = 0;
        const struct entity *re = NULL;
        if (colon && parse_i64(colon + 1, &id) && id > 0)
            for (int k = 0; party_kinds[k].value && !re; k++)
                if ((f->party & (1u << k)) && strlen(party_kinds[k].value) == (size_t)(colon - s) &&
                    !strncmp(party_kinds[k].value, s, (size_t)(colon - s)))
                    re = entity_find(party_kinds[k].value);
        if (!re) {
            json_decref(norm);
            return verr_set(e, 422, "invalid", f->name,
                            "“%s”的第 %zu 项“%s”应写成 类型:编号, 如 person:12、association:3",
                            msg_label(f->label), i + 1, s ? s : "");
        }
        json_t *item = json_sprintf("%s:%lld", re->name, (long long)id);
        int seen = 0;
        size_t j;
        json_t *w;
        json_array_foreach(norm, j, w) seen |= json_equal(w, item);
        if (seen) {
            json_decref(item);
            continue;
        }
        struct verr e2;
        json_t *r = read_link(c, ent, rec, re, id, 1, &e2);
        if (!r) {
            json_decref(item);
            json_decref(norm);
            return e2.status == 404 ? ent_ref_missing(e, f->name, msg_label(f->label), re, id)
                                    : (*e = e2, -1);
        }
        json_decref(r);
        json_array_append_new(norm, item);
    }
    json_object_set_new(rec, f->name, norm);
    return 0;
}

static int db_fail(struct ent_ctx *c, const struct entity *ent, struct verr *e)
{
    if (db_errcode(c->db) == DBE_CONSTRAINT)
        return verr_set(e, 409, "conflict", NULL, "%s与已有记录冲突 (重复或引用无效)",
                        msg_label(ent->label));
    if (db_errcode(c->db) == DBE_BUSY)
        return verr_set(e, 503, "busy", NULL, "系统繁忙, 请稍后再试");
    if (db_errcode(c->db) == DBE_FULL)
        return verr_set(e, 507, "storage_full", NULL, DB_FULL_MESSAGE);
    return verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
}

/* ---- held records (ent_ctx.rows) ----------------------------------------------------- */

#define HELD_ENTITIES 8
#define HELD_IDS      16384 /* ids reserved at most at once */

struct ent_rows {
    struct held {
        const struct entity *ent;
        db_rows *rows;         /* each row tagged with its row_tag */
        int64_t ids[HELD_IDS]; /* reserved, ids[next..nids) not yet used */
        int nids, next;
        int64_t used; /* ids taken so far: the next reservation grows with it */
    } h[HELD_ENTITIES];
    int n;
    struct keymap unique; /* "entity field value" of each held record: its id */
};

struct ent_rows *ent_rows_new(void)
{
    struct ent_rows *r = xcalloc(1, sizeof *r);
    r->unique.a = arena_new();
    return r;
}

void ent_rows_free(struct ent_rows *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++)
        db_rows_free(r->h[i].rows);
    arena *a = r->unique.a;
    km_free(&r->unique);
    arena_free(a);
    free(r);
}

size_t ent_rows_held(const struct ent_rows *r)
{
    size_t n = 0;
    for (int i = 0; r && i < r->n; i++)
        n += db_rows_held(r->h[i].rows);
    return n;
}

/* Can a record of ent be held (see entity.h)? */
static int holdable(const struct entity *ent)
{
    if (!(ent->flags & EF_HOLD) || ent->after_write)
        return 0;
    for (const struct field *f = ent->fields; f->name; f++) {
        if (f->type == FT_REF && !strcmp(f->ref, ent->name))
            return 0;
        for (int i = 0; f->party && party_kinds[i].value; i++)
            if ((f->party & (1u << i)) && !strcmp(party_kinds[i].value, ent->name))
                return 0;
    }
    return 1;
}

/* The held rows of ent in c's bulk write, made on first use; NULL when its records are
 * written at once. */
static struct held *held_for(struct ent_ctx *c, const struct entity *ent)
{
    struct ent_rows *r = c->rows;
    if (!r || !c->bulk || !c->audit || !db_holds_rows(c->db) || !holdable(ent))
        return NULL;
    for (int i = 0; i < r->n; i++)
        if (r->h[i].ent == ent)
            return &r->h[i];
    if (r->n == HELD_ENTITIES)
        return NULL;
    struct held *h = &r->h[r->n++];
    buf t = {0}, cols = {0};
    buf_printf(&t, "\"%s\"", ent->name);
    buf_puts(&cols, "id");
    for (const struct field *f = ent->fields; f->name; f++)
        if (strcmp(f->name, "id"))
            buf_printf(&cols, ", %s", f->name);
    h->ent = ent;
    h->rows = db_rows_new(c->db, buf_str(&t), buf_str(&cols), DB_ROWS_ASYNC);
    buf_free(&t);
    buf_free(&cols);
    return h;
}

/* The key of a unique value in the held records' map, into b. */
static void unique_key(buf *b, const struct entity *ent, const struct field *f, const json_t *v)
{
    b->len = 0;
    buf_printf(b, "%s\x1f%s\x1f", ent->name, f->name);
    json_compact(b, v);
}

/* The id of a held record of ent whose field f is v (other than old's), or 0. */
static int64_t held_unique(struct ent_ctx *c, const struct entity *ent, const struct field *f,
                           const json_t *v, const json_t *old)
{
    if (!c->rows || !c->rows->unique.n)
        return 0;
    buf b = {0};
    unique_key(&b, ent, f, v);
    int64_t *id = km_slot(&c->rows->unique, buf_str(&b), 0);
    buf_free(&b);
    int64_t oid = old ? json_integer_value(json_object_get(old, "id")) : 0;
    return id && *id != oid ? *id : 0;
}

/* Hold the checked record rec of ent: its id reserved, its row added (every column, as
 * the INSERT binds them), its unique values noted. The id, or 0 with e. */
static int64_t hold_row(struct ent_ctx *c, struct held *h, const json_t *rec, struct verr *e)
{
    const struct entity *ent = h->ent;
    if (h->next == h->nids) {
        int n = h->used < 16 ? 16 : h->used > HELD_IDS ? HELD_IDS : (int)h->used;
        char t[80];
        snprintf(t, sizeof t, "\"%s\"", ent->name);
        h->nids = db_reserve_ids(c->db, t, h->ids, n);
        h->next = 0;
        if (!h->nids) {
            db_fail(c, ent, e);
            return 0;
        }
    }
    int64_t id = h->ids[h->next++];
    h->used++;
    /* each field's value, found by walking rec's few members (not a lookup per field);
     * they were mostly set in the fields' order, so each search starts after the last */
    enum { FEW = 128 };
    const json_t *few[FEW], **vals = few;
    size_t nf = 0, at = 0;
    while (ent->fields[nf].name)
        nf++;
    if (nf > FEW)
        vals = xmalloc(nf * sizeof *vals);
    memset(vals, 0, nf * sizeof *vals);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rec, k, v)
    {
        for (size_t n = 0; n < nf; n++, at = at + 1 < nf ? at + 1 : 0)
            if (ent->fields[at].name[0] == k[0] && !strcmp(ent->fields[at].name, k)) {
                vals[at] = v;
                break;
            }
    }
    rows_int(h->rows, id);
    buf text = {0};
    for (size_t i = 0; i < nf; i++) { /* the stored form, as bind_value makes it */
        const json_t *x = vals[i];
        if (ent->fields[i].name[0] == 'i' && !strcmp(ent->fields[i].name, "id"))
            continue;
        if (json_is_array(x) && json_array_size(x)) {
            text.len = 0;
            json_compact(&text, x);
            rows_text(h->rows, text.s);
        } else if (json_is_boolean(x)) {
            rows_int(h->rows, json_is_true(x));
        } else if (json_is_integer(x)) {
            rows_int(h->rows, json_integer_value(x));
        } else if (json_is_string(x)) {
            rows_text(h->rows, json_string_value(x));
        } else {
            rows_null(h->rows); /* as db_prepare_json binds it */
        }
    }
    buf_free(&text);
    rows_tag(h->rows, c->row_tag);
    int rc = db_rows_end(h->rows); /* DB_ROWS_BYTES held: sent now */
    if (rc != DB_OK) {
        if (vals != few)
            free(vals);
        db_fail(c, ent, e);
        return 0;
    }
    buf b = {0};
    for (size_t i = 0; i < nf; i++) {
        if ((ent->fields[i].flags & FF_UNIQUE) && vals[i] && !json_is_null(vals[i])) {
            unique_key(&b, ent, &ent->fields[i], vals[i]);
            *km_slot(&c->rows->unique, buf_str(&b), 1) = id;
        }
    }
    buf_free(&b);
    if (vals != few)
        free(vals);
    return id;
}

struct bad_held {
    const struct held *h;
    void (*bad)(void *arg, int tag, const struct verr *e);
    void *arg;
};

/* db_rows_flush's bad: the row's tag and the answer to a create the database refused. */
static void bad_row(void *arg, int tag, const char *msg)
{
    struct bad_held *b = arg;
    struct verr e;
    verr_set(&e, 409, "conflict", NULL, "%s与已有记录冲突 (重复或引用无效)", b->h->ent->label.hans);
    log_msg("entity: a held %s refused: %s", b->h->ent->name, msg);
    b->bad(b->arg, tag, &e);
}

/* Write (send: start writing) the held records of each entity. */
static int rows_out(struct ent_ctx *c, int send,
                    void (*bad)(void *arg, int tag, const struct verr *e), void *arg)
{
    int rc = DB_OK;
    for (int i = 0; c->rows && i < c->rows->n; i++) {
        struct held *h = &c->rows->h[i];
        struct bad_held b = {h, bad, arg};
        int one = (send ? db_rows_send : db_rows_flush)(h->rows, bad ? bad_row : NULL, &b);
        if (one != DB_OK) {
            rc = DB_ERROR;
            if (!bad || db_errcode(c->db) != DBE_CONSTRAINT)
                break;
        }
    }
    return rc;
}

int ent_rows_flush(struct ent_ctx *c, void (*bad)(void *arg, int tag, const struct verr *e),
                   void *arg)
{
    return rows_out(c, 0, bad, arg);
}

int ent_rows_send(struct ent_ctx *c, void (*bad)(void *arg, int tag, const struct verr *e),
                  void *arg)
{
    return rows_out(c, 1, bad, arg);
}

/* A value of a unique field (FF_UNIQUE) that another live record holds: 409 on the field.
 * Naming that record when the writer may open it; when it lies outside their scope, one
 * neutral answer that names nothing of it (a unique column cannot answer as for a free
 * value: that the value is taken somewhere is all it tells). Records across counties are
 * reconciled by the federation above both, which sees them (the duplicates list). */
static int check_unique(struct ent_ctx *c, const struct entity *ent, const json_t *rec,
                        const json_t *old, struct verr *e)
{
    for (const struct field *f = ent->fields; f->name; f++) {
        json_t *v = json_object_get(rec, f->name);
        if (!(f->flags & FF_UNIQUE) || (f->flags & FF_READONLY) || !v || json_is_null(v) ||
            (old && json_equal(json_object_get(old, f->name), v)))
            continue;
        char *q = arena_printf(c->a,
                               "SELECT id FROM \"%s\" WHERE %s = ? AND deleted_at IS NULL AND "
                               "id <> ?",
                               ent->name, f->name);
        json_t *binds = json_pack(
            "[O, I]", v, (json_int_t)(old ? json_integer_value(json_object_get(old, "id")) : 0));
        stmt *s = db_prepare_json(c->db, q, binds);
        json_decref(binds);
        int rc = s ? st_step(s) : DB_ERROR;
        int64_t other = rc == DB_ROW ? st_int(s, "id") : 0;
        st_finalize(s);
        if (rc != DB_ROW && rc != DB_DONE)
            return db_fail(c, ent, e);
        int held = 0; /* another record of the same bulk write: the writer's own */
        if (!other)
            held = (other = held_unique(c, ent, f, v, old)) != 0;
        if (!other)
            continue;
        if (held || ent_visible(c, ent, other))
            return verr_set(e, 409, "conflict", f->name, "“%s”与已有的%s(编号 %lld)相同",
                            msg_label(f->label), msg_label(ent->label), (long long)other);
        return verr_set(e, 409, "conflict", f->name,
                        "这个“%s”已由其他组织登记, 同一%s只登记一次; 请联系上级侨联核对",
                        msg_label(f->label), msg_label(ent->label));
    }
    return 0;
}

/* Check the whole record: required fields, referenced records in scope, the entity's own
 * rules. */
static int check_record(struct ent_ctx *c, const struct entity *ent, json_t *rec, const json_t *old,
                        const json_t *trusted, struct verr *e)
{
    for (const struct field *f = ent->fields; f->name; f++) {
        json_t *v = json_object_get(rec, f->name);
        int empty = !v || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0);
        if ((f->flags & FF_REQUIRED) && empty)
            return verr_set(e, 422, "invalid", f->name, "“%s”不能为空", msg_label(f->label));
        if (f->type == FT_PARTY && check_party(c, ent, f, rec, old, e))
            return -1;
        if (f->type == FT_LIST && f->party && !empty &&
            !(old && json_equal(json_object_get(old, f->name), v)) &&
            check_party_list(c, ent, f, rec, e))
            return -1;
        if (f->type == FT_REF && !empty) {
            json_t *oldv = old ? json_object_get(old, f->name) : NULL;
            if (oldv && json_equal(oldv, v))
                continue; /* unchanged: no need to see it again */
            if (trusted && json_object_get(trusted, f->name))
                continue; /* set by the server (a workflow hook), which checked it */
            const struct entity *re = entity_find(f->ref);
            int64_t id = json_integer_value(v);
            if (c->bulk && c->ref_seen.ent == re && c->ref_seen.id == id)
                continue; /* an import's rows mostly name the same org */
            struct verr e2;
            json_t *r = read_link(c, ent, rec, re, id, 0, &e2);
            if (!r)
                return e2.status == 404 ? ent_ref_missing(e, f->name, msg_label(f->label), re, id)
                                        : (*e = e2, -1);
            json_decref(r);
            if (c->bulk) {
                c->ref_seen.ent = re;
                c->ref_seen.id = id;
            }
        }
    }
    if (check_unique(c, ent, rec, old, e))
        return -1;
    if (ent->check && ent->check(c, rec, old, e))
        return -1;
    /* An owned record belongs to an org: without one it is in no scope but the root's and in
     * no report's figures, which are read by org. (A row left without one by an older
     * version may keep its none.) */
    const struct field *of = (ent->flags & EF_OWNED) ? ent_field(ent, "org_id") : NULL;
    if (of && !json_is_integer(json_object_get(rec, "org_id")) &&
        !(old && !json_is_integer(json_object_get(old, "org_id"))))
        return verr_set(e, 422, "invalid", "org_id", "“%s”不能为空", msg_label(of->label));
    return 0;
}

/* INSERT INTO "ent" (every column but id) VALUES (?, ...) and what the engine needs to
 * answer the id: one text per entity and engine, built once (no column has a DEFAULT, so
 * binding NULL for a missing value is the same as leaving the column out). */
static const char *insert_sql(db *d, const struct entity *ent)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static struct {
        const struct entity *ent;
        const char *tail;
        char *sql;
    } memo[64];
    const char *tail = db_insert_id_sql(d), *sql = NULL;
    pthread_mutex_lock(&lock);
    int i = 0;
    while (i < 64 && memo[i].ent && !(memo[i].ent == ent && memo[i].tail == tail))
        i++;
    if (i == 64)
        die("insert_sql: more than 64 entities and engines");
    if (!memo[i].ent) {
        buf b = {0}, vals = {0};
        buf_printf(&b, "INSERT INTO \"%s\" (", ent->name);
        int n = 0;
        for (const struct field *f = ent->fields; f->name; f++) {
            if (!strcmp(f->name, "id"))
                continue;
            buf_printf(&b, "%s%s", n ? ", " : "", f->name);
            buf_puts(&vals, n++ ? ", ?" : "?");
        }
        buf_printf(&b, ") VALUES (%s)%s", buf_str(&vals), tail);
        memo[i].sql = xstrdup(buf_str(&b));
        memo[i].tail = tail;
        memo[i].ent = ent;
        buf_free(&b);
        buf_free(&vals);
    }
    sql = memo[i].sql;
    pthread_mutex_unlock(&lock);
    return sql;
}

json_t *ent_create(struct ent_ctx *c, const struct entity *ent, json_t *body, struct verr *e)
{
    return ent_create_sys(c, ent, body, NULL, e);
}

json_t *ent_create_sys(struct ent_ctx *c, const struct entity *ent, json_t *body, json_t *sys,
                       struct verr *e)
{
    json_t *rec = NULL, *out = NULL;
    if ((ent->may_create && ent->may_create(c, e)) || ent_input(ent, body, &rec, e))
        return NULL;
    if (sys)
        json_object_update(rec, sys);
    /* an owned record not given an org is the writer's, or, written by the system (the
     * command line, the demo), the tree's root's (check_record refuses none at all) */
    if ((ent->flags & EF_OWNED) && ent_field(ent, "org_id") &&
        !json_is_integer(json_object_get(rec, "org_id"))) {
        int64_t org = c->org_id ? c->org_id
                                : db_int(c->db, 0,
                                         "SELECT id FROM \"org\" WHERE parent_id IS NULL AND "
                                         "deleted_at IS NULL ORDER BY id LIMIT 1",
                                         "");
        if (org > 0)
            json_object_set_new(rec, "org_id", json_integer(org));
    }
    for (const struct field *f = ent->fields; f->name; f++) {
        json_t *v;
        if (f->dflt && !json_object_get(rec, f->name)) {
            if (ent_value_text(f, f->dflt, &v, e))
                die("entity %s: bad default for %s", ent->name, f->name);
            json_object_set_new(rec, f->name, v);
        }
    }
    char now[21];
    now_utc(now);
    json_object_set_new(rec, "created_at", json_string(now));
    json_object_set_new(rec, "updated_at", json_string(now));
    /* a held record writes nothing here: no savepoint of its own */
    struct held *held = held_for(c, ent);
    if (!held && db_begin(c->db) != DB_OK) {
        db_fail(c, ent, e);
        json_decref(rec);
        return NULL;
    }
    int64_t id = 0;
    if (check_record(c, ent, rec, NULL, NULL, e))
        goto fail;
    if (held) {
        if (!(id = hold_row(c, held, rec, e)))
            goto fail;
    } else {
        json_t *binds = json_array();
        for (const struct field *f = ent->fields; f->name; f++) {
            json_t *v = json_object_get(rec, f->name);
            if (strcmp(f->name, "id"))
                bind_value(f, v ? v : json_null(), binds);
        }
        stmt *s = db_prepare_json(c->db, insert_sql(c->db, ent), binds);
        if (s)
            id = st_insert_id(s);
        st_finalize(s);
        json_decref(binds);
        if (!id) {
            db_fail(c, ent, e);
            goto fail;
        }
    }
    if ((ent->after_write && ent->after_write(c, id, rec, NULL, e)) ||
        on_write(c, ent, id, rec, NULL, e))
        goto fail;
    /* The audit entry holds the row as written: read back, or in a bulk write with a
     * batch, the values bound (the fields given, and the id) made into JSON text here. */
    int arc;
    if (c->bulk && c->audit) { /* rec is not used after this: it becomes the entry */
        for (const struct field *f = ent->fields; f->name; f++)
            if (f->flags & FF_HIDDEN)
                json_object_del(rec, f->name);
        json_object_set_new(rec, "id", json_integer(id));
        arc = audit_write_text(c, "create", ent->name, id, NULL, json_text(rec, 0));
    } else {
        json_t *after = read_row(c, ent, id, 1, e);
        if (!after)
            goto fail;
        arc = audit_change(c, ent, "create", id, NULL, after);
        json_decref(after);
    }
    if (arc != DB_OK) {
        db_fail(c, ent, e);
        goto fail;
    }
    if (!held && db_commit(c->db) != DB_OK) {
        db_fail(c, ent, e);
        json_decref(rec);
        return NULL;
    }
    json_decref(rec);
    if (c->bulk)
        return json_pack("{s:I}", "id", (json_int_t)id);
    out = read_row(c, ent, id, 0, e);
    return out;
fail:
    if (!held)
        db_rollback(c->db);
    json_decref(rec);
    return NULL;
}

/* Write in (validated input: references checked) and sys (the server's values: trusted)
 * over old, the raw record id, inside the caller's transaction: the checks, the UPDATE of
 * what changed (and updated_at), the hooks, the audit entry of action. Returns the raw
 * record after the write (a new reference) or NULL with e. The record is read back
 * without the scope: a write may take it out (a referral). */
static json_t *update_row(struct ent_ctx *c, const struct entity *ent, int64_t id,
                          const json_t *old, const json_t *in, const json_t *sys,
                          const char *action, struct verr *e)
{
    json_t *rec = json_deep_copy(old), *after = NULL;
    json_object_update(rec, (json_t *)in);
    if (sys)
        json_object_update(rec, (json_t *)sys);
    char now[21];
    now_utc(now);
    json_object_set_new(rec, "updated_at", json_string(now));
    if (check_record(c, ent, rec, old, sys, e))
        goto out;
    buf sql = {0};
    json_t *binds = json_array();
    buf_printf(&sql, "UPDATE \"%s\" SET ", ent->name);
    int n = 0;
    for (const struct field *f = ent->fields; f->name; f++) {
        json_t *v = json_object_get(rec, f->name);
        if (!strcmp(f->name, "id") || (v && json_equal(v, json_object_get(old, f->name))))
            continue;
        buf_printf(&sql, "%s%s = ?", n++ ? ", " : "", f->name);
        bind_value(f, v ? v : json_null(), binds);
    }
    if (!n) /* nothing changed, not even updated_at (the same second) */
        buf_puts(&sql, "updated_at = updated_at");
    buf_puts(&sql, " WHERE id = ?");
    json_array_append_new(binds, json_integer(id));
    stmt *s = db_prepare_json(c->db, buf_str(&sql), binds);
    int rc = s && st_step(s) == DB_DONE ? DB_OK : DB_ERROR;
    st_finalize(s);
    buf_free(&sql);
    json_decref(binds);
    if (rc != DB_OK) {
        db_fail(c, ent, e);
        goto out;
    }
    if ((ent->after_write && ent->after_write(c, id, rec, old, e)) ||
        on_write(c, ent, id, rec, old, e))
        goto out;
    struct ent_ctx all = ent_unscoped(c);
    after = read_row(&all, ent, id, 1, e);
    if (after && audit_change(c, ent, action, id, old, after) != DB_OK) {
        db_fail(c, ent, e);
        json_decref(after);
        after = NULL;
    }
out:
    json_decref(rec);
    return after;
}

/* The answer to a change of an append-only entry: 405, naming the reversal. */
static int append_only(const struct entity *ent, int64_t id, struct verr *e)
{
    return verr_set(e, 405, "append_only", NULL,
                    "%s是台账记录, 不能修改或删除; 如有错误, 请冲销 (POST /api/v1/%s/%lld/reverse, "
                    "说明原因), 原记录和冲销记录都会保留",
                    msg_label(ent->label), ent->name, (long long)id);
}

/* An update in its own (nested) transaction: old read within c's scope, then update_row.
 * The raw record after (a new reference), or NULL with e and nothing written. */
static json_t *update_txn(struct ent_ctx *c, const struct entity *ent, int64_t id, const json_t *in,
                          const json_t *sys, struct verr *e)
{
    if (db_begin(c->db) != DB_OK) {
        db_fail(c, ent, e);
        return NULL;
    }
    json_t *old = read_row(c, ent, id, 1, e);
    json_t *after = old ? update_row(c, ent, id, old, in, sys, "update", e) : NULL;
    json_decref(old);
    if (!after) {
        db_rollback(c->db);
        return NULL;
    }
    if (db_commit(c->db) != DB_OK) {
        db_fail(c, ent, e);
        json_decref(after);
        return NULL;
    }
    return after;
}

json_t *ent_update(struct ent_ctx *c, const struct entity *ent, int64_t id, json_t *body,
                   struct verr *e)
{
    json_t *in = NULL;
    if (ent->flags & EF_APPEND) {
        append_only(ent, id, e);
        return NULL;
    }
    if (ent_input(ent, body, &in, e))
        return NULL;
    json_t *after = update_txn(c, ent, id, in, NULL, e);
    json_decref(in);
    if (!after)
        return NULL;
    json_decref(after);
    return read_row(c, ent, id, 0, e);
}

json_t *ent_reverse(struct ent_ctx *c, const struct entity *ent, int64_t id, json_t *body,
                    struct verr *e)
{
    const struct field *rf = ent_field(ent, "reason");
    if (!(ent->flags & EF_APPEND) || !rf || !ent_field(ent, "reverses_id")) {
        verr_set(e, 404, "not_found", NULL, "%s不能冲销", msg_label(ent->label));
        return NULL;
    }
    json_t *reason = NULL, *old = NULL, *rec = NULL, *sys = NULL, *res = NULL;
    const char *k;
    json_t *v;
    if (!json_is_object(body)) {
        verr_set(e, 400, "bad_json", NULL, "请求内容应为 JSON 对象");
        return NULL;
    }
    json_object_foreach(body, k, v) if (strcmp(k, "reason"))
    {
        verr_set(e, 400, "unknown_field", k, "冲销只需填写“原因”(reason), 不能填写“%s”", k);
        return NULL;
    }
    if (ent_value(rf,
                  json_object_get(body, "reason") ? json_object_get(body, "reason") : json_null(),
                  &reason, e))
        return NULL;
    if (json_is_null(reason)) {
        json_decref(reason);
        verr_set(e, 422, "invalid", "reason", "冲销须说明“%s”", msg_label(rf->label));
        return NULL;
    }
    if (db_begin(c->db) != DB_OK) {
        db_fail(c, ent, e);
        json_decref(reason);
        return NULL;
    }
    old = read_row(c, ent, id, 1, e);
    if (!old)
        goto fail;
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM \"%s\" WHERE reverses_id = ? AND deleted_at IS NULL", ent->name);
    if (!json_is_null(json_object_get(old, "reverses_id")) && json_object_get(old, "reverses_id")) {
        verr_set(e, 409, "conflict", NULL, "%s(编号 %lld)本身是冲销记录, 不能再冲销",
                 msg_label(ent->label), (long long)id);
        goto fail;
    }
    if (db_int(c->db, 0, sql, "i", id)) {
        verr_set(e, 409, "conflict", NULL, "%s(编号 %lld)已经冲销过", msg_label(ent->label),
                 (long long)id);
        goto fail;
    }
    /* The reversing entry: the original's writable values, then what the hook sets. */
    rec = json_object();
    sys = json_object();
    for (const struct field *f = ent->fields; f->name; f++) {
        json_t *ov = json_object_get(old, f->name);
        if (ov && !json_is_null(ov) && !(f->flags & (FF_READONLY | FF_HIDDEN)))
            json_object_set(rec, f->name, ov);
    }
    json_object_set_new(sys, "reverses_id", json_integer(id));
    json_object_set(sys, "reason", reason);
    if (ent->reversal && ent->reversal(c, old, rec, e))
        goto fail;
    json_object_del(rec, "reverses_id");
    json_object_del(rec, "reason");
    res = ent_create_sys(c, ent, rec, sys, e);
    if (!res)
        goto fail;
    if (db_commit(c->db) != DB_OK) {
        db_fail(c, ent, e);
        json_decref(res);
        res = NULL;
    }
    goto out;
fail:
    db_rollback(c->db);
out:
    json_decref(reason);
    json_decref(old);
    json_decref(rec);
    json_decref(sys);
    return res;
}

int ent_update_sys(struct ent_ctx *c, const struct entity *ent, int64_t id, json_t *sys,
                   struct verr *e)
{
    json_t *in = json_object(), *after = update_txn(c, ent, id, in, sys, e);
    int rc = after ? 0 : -1;
    json_decref(in);
    json_decref(after);
    return rc;
}

/* ---- workflows ---------------------------------------------------------------------- */

/* Is status one of the comma-separated list? */
static int in_list(const char *list, const char *status)
{
    size_t n = strlen(status);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !memcmp(p, status, n))
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

static int may_make(struct ent_ctx *c, const struct entity *ent, const struct move *m)
{
    unsigned perm = m->perm ? m->perm : 2 /* P_EDIT */;
    if (c->role && m->roles && !in_list(m->roles, c->role))
        return 0;
    return !c->role || (module_perms(c->role, ent->module) & (1u << perm));
}

json_t *ent_moves_from(struct ent_ctx *c, const struct entity *ent, const char *status)
{
    json_t *a = json_array();
    for (const struct move *m = ent->workflow ? ent->workflow->moves : NULL; m && m->to; m++)
        if (status && in_list(m->from, status) && may_make(c, ent, m))
            json_array_append_new(a, json_string(m->to));
    return a;
}

/* The declaration of a value a move takes: an arg of the workflow, else a field. */
static const struct field *move_value(const struct entity *ent, const char *name, int *is_arg)
{
    for (const struct field *f = ent->workflow->args; f && f->name; f++)
        if (!strcmp(f->name, name)) {
            *is_arg = 1;
            return f;
        }
    *is_arg = 0;
    return ent_field(ent, name);
}

static int listed(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (!strcmp(*list, name))
            return 1;
    return 0;
}

static const char *enum_label(const struct ent_ctx *c, const struct field *f, const char *v)
{
    for (const struct enumval *ev = f->values; ev && ev->value; ev++)
        if (v && !strcmp(ev->value, v))
            return lbl(c->lang, ev->label);
    return v ? v : "";
}

json_t *ent_transition(struct ent_ctx *c, const struct entity *ent, int64_t id, json_t *body,
                       const char *at, struct verr *e)
{
    const struct workflow *w = ent->workflow;
    const struct field *sf = w ? ent_field(ent, w->field) : NULL;
    if (!sf) {
        verr_set(e, 404, "not_found", NULL, "%s没有状态流转", msg_label(ent->label));
        return NULL;
    }
    if (!json_is_object(body)) {
        verr_set(e, 400, "bad_json", NULL, "请求内容应为 JSON 对象");
        return NULL;
    }
    json_t *tov = NULL;
    if (!json_object_get(body, "to")) {
        verr_set(e, 422, "invalid", "to", "请指定要转到的状态“to”");
        return NULL;
    }
    if (ent_value(sf, json_object_get(body, "to"), &tov, e) || json_is_null(tov)) {
        if (json_is_null(tov))
            verr_set(e, 422, "invalid", "to", "请指定要转到的状态“to”");
        snprintf(e->field, sizeof e->field, "to");
        json_decref(tov);
        return NULL;
    }
    const char *to = json_string_value(tov);
    /* What a move to `to` takes is known before the record is read (the edge). */
    const struct move *any = NULL;
    for (const struct move *m = w->moves; m->to && !any; m++)
        if (!strcmp(m->to, to))
            any = m;
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (!strcmp(k, "to") || (w->args && !strcmp(k, w->args[0].name)) || listed(w->raw, k) ||
            (any && listed(any->takes, k)))
            continue;
        verr_set(e, 400, "unknown_field", k, "转为“%s”时不能填写“%s”", enum_label(c, sf, to), k);
        json_decref(tov);
        return NULL;
    }
    json_t *old = NULL, *in = json_object(), *args = json_object(), *set = json_object(),
           *detail = json_object(), *after = NULL, *res = NULL;
    char now[21];
    if (!at) {
        now_utc(now);
        at = now;
    }
    if (db_begin(c->db) != DB_OK) {
        db_fail(c, ent, e);
        goto out;
    }
    old = read_row(c, ent, id, 1, e);
    if (!old)
        goto fail;
    const char *from = json_string_value(json_object_get(old, w->field));
    const struct move *m = NULL;
    for (const struct move *x = w->moves; x->to && !m; x++)
        if (!strcmp(x->to, to) && from && in_list(x->from, from))
            m = x;
    if (!m) {
        verr_set(e, 409, "conflict", "to", "%s现在是“%s”, 不能转为“%s”", lbl(c->lang, ent->label),
                 enum_label(c, sf, from), enum_label(c, sf, to));
        goto fail;
    }
    if (!may_make(c, ent, m)) {
        verr_set(e, 403, "forbidden", "to", "您没有权限把%s转为“%s”", lbl(c->lang, ent->label),
                 enum_label(c, sf, to));
        goto fail;
    }
    /* The values: the note (the first arg) and what the move takes, each checked as its
     * declaration says; taken fields go to the record, args to the hooks. */
    for (const struct field *f = w->args; f && f->name; f++) {
        json_t *val = json_null();
        if (json_object_get(body, f->name) && (f == w->args || listed(m->takes, f->name)) &&
            ent_value(f, json_object_get(body, f->name), &val, e))
            goto fail;
        json_object_set_new(args, f->name, val);
    }
    for (int i = 0; m->takes && m->takes[i]; i++) {
        int is_arg;
        const struct field *f = move_value(ent, m->takes[i], &is_arg);
        if (!f)
            die("entity %s: move to %s takes %s, declared nowhere", ent->name, m->to, m->takes[i]);
        json_t *val = is_arg ? json_incref(json_object_get(args, f->name)) : json_null();
        if (!is_arg && json_object_get(body, f->name) &&
            ent_value(f, json_object_get(body, f->name), &val, e))
            goto fail;
        if (json_is_null(val) && listed(m->needs, f->name)) {
            json_decref(val);
            verr_set(e, 422, "invalid", f->name, "转为“%s”时须填写“%s”", enum_label(c, sf, to),
                     lbl(c->lang, f->label));
            goto fail;
        }
        if (!json_is_null(val)) {
            if (!is_arg)
                json_object_set(in, f->name, val);
            json_object_set(detail, f->name, val);
        }
        json_decref(val);
    }
    if (w->before && w->before(c, m, id, old, args, body, set, detail, at, e))
        goto fail;
    json_object_set_new(set, w->field, json_string(to));
    c->move = m;
    after = update_row(c, ent, id, old, in, set, "transition", e);
    if (!after ||
        (w->step && w->step(c, m, id, old, body, detail,
                            json_string_value(json_object_get(args, w->args->name)), at, e))) {
        c->move = NULL;
        goto fail;
    }
    c->move = NULL;
    if (db_commit(c->db) != DB_OK) {
        db_fail(c, ent, e);
        goto out;
    }
    struct ent_ctx all = ent_unscoped(c); /* as c may see it, even if now outside c's scope */
    res = read_row(&all, ent, id, 0, e);
    goto out;
fail:
    db_rollback(c->db);
out:
    json_decref(tov);
    json_decref(old);
    json_decref(in);
    json_decref(args);
    json_decref(set);
    json_decref(detail);
    json_decref(after);
    return res;
}

int ent_delete(struct ent_ctx *c, const struct entity *ent, int64_t id, struct verr *e)
{
    if (ent->flags & EF_APPEND)
        return append_only(ent, id, e);
    if (db_begin(c->db) != DB_OK)
        return db_fail(c, ent, e);
    json_t *old = read_row(c, ent, id, 1, e);
    if (!old)
        goto fail;
    if ((ent->before_delete && ent->before_delete(c, id, old, e)) ||
        on_write(c, ent, id, NULL, old, e))
        goto fail;
    char now[21], sql[128];
    now_utc(now);
    snprintf(sql, sizeof sql, "UPDATE \"%s\" SET deleted_at = ? WHERE id = ?", ent->name);
    if (db_execv(c->db, sql, "si", now, id) != DB_OK ||
        audit_change(c, ent, "delete", id, old, NULL) != DB_OK) {
        db_fail(c, ent, e);
        goto fail;
    }
    json_decref(old);
    if (db_commit(c->db) != DB_OK)
        return db_fail(c, ent, e);
    return 0;
fail:
    json_decref(old);
    db_rollback(c->db);
    return -1;
}

/* ---- lists -------------------------------------------------------------------------- */

static const char *arg(const struct kv *args, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(args[i].key, key))
            return args[i].value;
    return NULL;
}

/* Append "%" + s with LIKE wildcards escaped + "%". */
static json_t *like_pattern(const char *s)
{
    buf b = {0};
    buf_putc(&b, '%');
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            buf_putc(&b, '\\');
        buf_putc(&b, *s);
    }
    buf_putc(&b, '%');
    json_t *j = json_string(buf_str(&b));
    buf_free(&b);
    return j ? j : json_string("%");
}

static int filterable(const struct field *f)
{
    return !(f->flags & (FF_HIDDEN | FF_NOFILTER)) && !(f->flags & FF_SENSITIVE);
}

/* A filter value that is not valid for its field is a bad request (400), not a record
 * that cannot be saved (422). */
static int bad_filter(struct verr *e)
{
    e->status = 400;
    e->code = "bad_request";
    return -1;
}

/* One filter argument "key=value" into sql/binds. */
static int add_filter(const db *d, const struct entity *ent, const char *key, const char *value,
                      buf *sql, json_t *binds, struct verr *e)
{
    const struct field *f = ent_field(ent, key);
    size_t kl = strlen(key);
    int range = 0; /* 1 from, 2 to */
    if (!f && kl > 5 && !strcmp(key + kl - 5, "_from")) {
        char *base = xstrndup(key, kl - 5);
        f = ent_field(ent, base);
        free(base);
        range = 1;
    } else if (!f && kl > 3 && !strcmp(key + kl - 3, "_to")) {
        char *base = xstrndup(key, kl - 3);
        f = ent_field(ent, base);
        free(base);
        range = 2;
    }
    if (!f || !filterable(f))
        return verr_set(e, 400, "bad_request", key, "不能按“%s”筛选", key);
    json_t *v = NULL;
    if (range) {
        if (!(is_int_type(f->type) || f->type == FT_DATE || f->type == FT_DATETIME) ||
            f->type == FT_REF || f->type == FT_BOOL)
            return verr_set(e, 400, "bad_request", key, "“%s”不能按范围筛选", msg_label(f->label));
        if (ent_value_text(f, value, &v, e))
            return bad_filter(e);
        if (json_is_null(v)) {
            json_decref(v);
            return 0;
        }
        buf_printf(sql, " AND t.%s %s ?", f->name, range == 1 ? ">=" : "<=");
        json_array_append_new(binds, v);
        return 0;
    }
    if (!*value)
        return 0;
    switch (f->type) {
    case FT_TEXT:
    case FT_TEXTAREA:
    case FT_LIST:
    case FT_PHONE:
    case FT_EMAIL:
    case FT_URL:
        buf_printf(sql, " AND %s(t.%s) LIKE %s(?) ESCAPE '\\'", db_case_fold(d), f->name,
                   db_case_fold(d));
        json_array_append_new(binds, like_pattern(value));
        return 0;
    case FT_REGION: {
        /* A province or a city matches every county under it. */
        if (!region_find(value))
            return verr_set(e, 400, "bad_request", key, "“%s”: 没有行政区划代码“%s”",
                            msg_label(f->label), value);
        int keep = !strcmp(value + 2, "0000") ? 2 : !strcmp(value + 4, "00") ? 4 : 6;
        buf_printf(sql, " AND t.%s LIKE ?", f->name);
        json_array_append_new(binds, json_sprintf("%.*s%%", keep, value));
        return 0;
    }
    case FT_SET:
        if (!enum_find(f, value))
            return verr_set(e, 400, "bad_request", key, "“%s”没有“%s”这一项", msg_label(f->label),
                            value);
        buf_printf(sql, " AND t.%s LIKE ?", f->name);
        json_array_append_new(binds, json_pack("s++", "%\"", value, "\"%"));
        return 0;
    default:
        break;
    }
    /* Exact match on one or several comma-separated values; an empty one is none ("a," is
     * "a"; "," names no value: a 400, not a list that matches nothing). */
    char *copy = xstrdup(value);
    int n = 0, rc = 0;
    buf_printf(sql, " AND t.%s IN (", f->name);
    for (char *p = copy, *q; p; p = q) {
        q = strchr(p, ',');
        if (q)
            *q++ = 0;
        if (!*p)
            continue;
        if (ent_value_text(f, p, &v, e)) {
            rc = bad_filter(e);
            break;
        }
        if (json_is_boolean(v)) {
            json_t *iv = json_integer(json_is_true(v));
            json_decref(v);
            v = iv;
        }
        buf_puts(sql, n++ ? ", " : "");
        buf_puts(sql, is_int_type(f->type) ? db_opaque_int(d) : "?");
        json_array_append_new(binds, v);
        if (n > 100) {
            rc = verr_set(e, 400, "bad_request", key, "“%s”一次最多筛选 100 个值",
                          msg_label(f->label));
            break;
        }
    }
    buf_putc(sql, ')');
    free(copy);
    if (!rc && n == 0)
        return verr_set(e, 400, "bad_request", key, "“%s”的筛选值为空", msg_label(f->label));
    return rc;
}

static int is_ignored(const char *key, const char *const *ignore)
{
    static const char *const own[] = {"q", "sort", "page", "per_page", "after", "before", NULL};
    for (int i = 0; own[i]; i++)
        if (!strcmp(key, own[i]))
            return 1;
    for (int i = 0; ignore && ignore[i]; i++)
        if (!strcmp(key, ignore[i]))
            return 1;
    return 0;
}

/* WHERE (after "WHERE t.deleted_at IS NULL") and ORDER BY for a list. */
/* Does ent keep field f from this reader (entity.h: private)? */
static int kept_private(const struct ent_ctx *c, const struct entity *ent, const struct field *f)
{
    if (!ent->private.when || (c->may_unmask && c->unmask) || !f)
        return 0;
    for (const char *const *p = ent->private.fields; p && *p; p++)
        if (!strcmp(*p, f->name))
            return 1;
    return 0;
}

/* The field a filter key names ("amount_from" -> amount), or NULL. */
static const struct field *filter_field(const struct entity *ent, const char *key)
{
    const struct field *f = ent_field(ent, key);
    size_t kl = strlen(key);
    char base[80];
    if (!f && kl > 5 && kl < sizeof base && !strcmp(key + kl - 5, "_from"))
        f = ent_field(ent, (snprintf(base, sizeof base, "%.*s", (int)(kl - 5), key), base));
    else if (!f && kl > 3 && kl < sizeof base && !strcmp(key + kl - 3, "_to"))
        f = ent_field(ent, (snprintf(base, sizeof base, "%.*s", (int)(kl - 3), key), base));
    return f;
}

/* org_subtree=ID: the records of org ID and of the orgs under it (the scope still
 * applies: an org outside it finds nothing of what the reader may not see). Returns -1
 * (e set), 0 for an empty value, else org_sql's. */
static int subtree_filter(struct ent_ctx *c, const char *value, int named, buf *where,
                          json_t *binds, struct verr *e)
{
    int64_t oid;
    if (!*value)
        return 0;
    if (!parse_i64(value, &oid) || oid < 1)
        return verr_set(e, 400, "bad_request", "org_subtree", "“org_subtree”应为组织编号");
    char *path = NULL;
    stmt *s = db_prepare(c->db, "SELECT path FROM \"org\" WHERE id = ? AND deleted_at IS NULL");
    st_bind_int(s, 1, oid);
    if (s && st_step(s) == DB_ROW)
        path = arena_strdup(c->a, st_text(s, "path"));
    st_finalize(s);
    if (!path)
        return verr_set(e, 400, "bad_request", "org_subtree", "组织(编号 %lld)不存在",
                        (long long)oid);
    return org_sql(c, path, named, where, binds);
}

/* A list's order: up to five fields of `sort`, then id (ties broken by id) unless named. */
struct sortkeys {
    int n;
    struct {
        const struct field *f;
        int desc;
    } k[6];
};

/* " ORDER BY t.a DESC, t.id", or each direction turned round (flip: a keyset page read
 * backwards from a `before` cursor). */
static void order_sql(const struct sortkeys *o, int flip, buf *b)
{
    buf_puts(b, " ORDER BY ");
    for (int i = 0; i < o->n; i++)
        buf_printf(b, "%st.%s%s", i ? ", " : "", o->k[i].f->name,
                   o->k[i].desc != flip ? " DESC" : "");
}

/* A list's WHERE (after "deleted_at IS NULL"), its binds and its order. *in_tree (when
 * not NULL) says whether it keeps to a range of the org tree (the reader's scope, or
 * org_subtree): IN_TREE, and IN_TREE_ONLY as well when nothing else narrows it (no search,
 * no filter). NAMED: the orgs of a small range are named by their ids (org_sql). */
enum { IN_TREE = 1, IN_TREE_ONLY = 2 };
static int list_sql(struct ent_ctx *c, const struct entity *ent, const struct kv *args, int nargs,
                    const char *const *ignore, int named, buf *where, json_t *binds,
                    struct sortkeys *order, int *in_tree, struct verr *e)
{
    int sc = scope_sql(c, ent, named, where, binds);
    int range = sc == TREE_RANGE, kept = sc != 0, other = !!ent->scope;
    size_t len = where->len;
    const char *q = arg(args, nargs, "q");
    if (q && *q) {
        if (utf8_len(q) > 100)
            return verr_set(e, 400, "bad_request", "q", "搜索词太长 (最多 100 个字)");
        int n = 0, sees = ent_sees_parties(c);
        for (const struct field *f = ent->fields; f->name; f++) {
            if (!(f->flags & FF_SEARCH))
                continue;
            if (!sees && (f->flags & FF_NAMES)) {
                buf_puts(where, n++ ? " OR 0 = 1" : " AND (0 = 1");
                continue;
            }
            buf_puts(where, n++ ? " OR" : " AND (");
            if (!sees && f - ent->fields >= 2 && f[-2].type == FT_PARTY) /* X_name */
                buf_printf(where, " t.%s = 'name' AND", f[-2].name);
            buf_printf(where, " %s(t.%s) LIKE %s(?) ESCAPE '\\'", db_case_fold(c->db), f->name,
                       db_case_fold(c->db));
            if (kept_private(c, ent, f))
                buf_printf(where, " AND coalesce(t.%s, 0) = 0", ent->private.when);
            json_array_append_new(binds, like_pattern(q));
        }
        for (int i = 0; n && modules[i]; i++)
            if (modules[i]->list_match)
                modules[i]->list_match(c, ent, q, where);
        if (n)
            buf_putc(where, ')');
    }
    for (int i = 0; i < nargs; i++) {
        if (is_ignored(args[i].key, ignore))
            continue;
        int own = ent->filter ? ent->filter(c, args[i].key, args[i].value, where, binds, e) : 0;
        if (own < 0)
            return -1;
        if (own)
            continue;
        if ((ent->flags & EF_OWNED) && !strcmp(args[i].key, "org_subtree")) {
            other |= where->len != len;
            int st = subtree_filter(c, args[i].value, named, where, binds, e);
            if (st < 0)
                return -1;
            range |= st == TREE_RANGE;
            kept |= st != 0;
            len = where->len;
            continue;
        }
        if (add_filter(c->db, ent, args[i].key, args[i].value, where, binds, e))
            return -1;
        if (kept_private(c, ent, filter_field(ent, args[i].key)))
            buf_printf(where, " AND coalesce(t.%s, 0) = 0", ent->private.when);
    }
    const char *sort = arg(args, nargs, "sort");
    int has_id = 0;
    order->n = 0;
    if (sort && *sort) {
        char *copy = xstrdup(sort);
        for (char *p = copy, *nx; p; p = nx) {
            nx = strchr(p, ',');
            if (nx)
                *nx++ = 0;
            int desc = *p == '-';
            const struct field *f = ent_field(ent, p + desc);
            if (!f || (f->flags & (FF_HIDDEN | FF_SENSITIVE)) || kept_private(c, ent, f) ||
                order->n >= 5) {
                verr_set(e, 400, "bad_request", "sort", "不能按“%s”排序", p + desc);
                free(copy);
                return -1;
            }
            has_id |= !strcmp(f->name, "id");
            order->k[order->n].f = f;
            order->k[order->n++].desc = desc;
        }
        free(copy);
    }
    if (!has_id) {
        order->k[order->n].f = ent_field(ent, "id");
        order->k[order->n++].desc = 0;
    }
    other |= where->len != len;
    if (range)
        buf_puts(where, " " DB_PLAN_EACH); /* a village's rows or the province's */
    if (in_tree)
        *in_tree = kept ? IN_TREE | (other ? 0 : IN_TREE_ONLY) : 0;
    return 0;
}

static int page_arg(const struct kv *args, int nargs, const char *key, int64_t dflt, int64_t max,
                    int64_t *out, struct verr *e)
{
    const char *v = arg(args, nargs, key);
    *out = dflt;
    if (!v)
        return 0;
    if (!parse_i64(v, out) || *out < 1 || *out > max)
        return verr_set(e, 400, "bad_request", key, "“%s”应为 1 到 %lld 之间的整数: “%s”", key,
                        (long long)max, v);
    return 0;
}

/* ---- keyset paging: the cursors `after` and `before` ---------------------------------
 * A cursor is the position of one row in one order: base64url (no padding) of
 * {"v": 1, "s": "-name,id", "k": [name, id]}, the order's keys and that row's values of
 * them (integers for integer fields, text, null). The next page is the rows after it in
 * that order, found by the order's index instead of stepped over by OFFSET; a row
 * written or deleted meanwhile moves no other row in or out of the page. */

/* The order as a cursor names it: "-name,id". */
static char *order_name(arena *a, const struct sortkeys *o)
{
    buf b = {0};
    for (int i = 0; i < o->n; i++)
        buf_printf(&b, "%s%s%s", i ? "," : "", o->k[i].desc ? "-" : "", o->k[i].f->name);
    char *r = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return r;
}

/* The cursor of s's current row in order o (a string in c's arena). */
static char *cursor_of(struct ent_ctx *c, const struct sortkeys *o, stmt *s)
{
    json_t *k = json_array();
    for (int i = 0; i < o->n; i++) {
        const struct field *f = o->k[i].f;
        if (st_isnull(s, f->name))
            json_array_append_new(k, json_null());
        else if (is_int_type(f->type) || !strcmp(f->name, "id"))
            json_array_append_new(k, json_integer(st_int(s, f->name)));
        else
            json_array_append_new(k, json_string(st_text(s, f->name)));
    }
    json_t *j = json_pack("{s:i, s:s, s:o}", "v", 1, "s", order_name(c->a, o), "k", k);
    char *txt = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    size_t n = strlen(txt);
    size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(c->a, len);
    sodium_bin2base64(out, len, (const unsigned char *)txt, n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(txt);
    return out;
}

/* The values of cursor text (the argument `key`) for order o: a new array, or NULL with a
 * 400 naming key. */
static json_t *cursor_values(struct ent_ctx *c, const struct sortkeys *o, const char *key,
                             const char *text, struct verr *e)
{
    size_t tl = strlen(text), n = 0;
    unsigned char *bin = tl <= 4096 ? arena_alloc(c->a, tl + 1) : NULL;
    json_t *j = NULL, *k;
    if (!bin ||
        sodium_base642bin(bin, tl, text, tl, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
        !(j = json_loadb((const char *)bin, n, 0, NULL)) ||
        json_integer_value(json_object_get(j, "v")) != 1 ||
        !json_is_string(json_object_get(j, "s")) || !json_is_array(k = json_object_get(j, "k"))) {
        json_decref(j);
        verr_set(e, 400, "bad_request", key, "“%s”不是有效的翻页位置, 请从第一页重新翻页", key);
        return NULL;
    }
    if (strcmp(json_string_value(json_object_get(j, "s")), order_name(c->a, o)) ||
        json_array_size(k) != (size_t)o->n) {
        json_decref(j);
        verr_set(e, 400, "bad_request", key, "“%s”是另一种排序的翻页位置, 请从第一页重新翻页", key);
        return NULL;
    }
    for (int i = 0; i < o->n; i++) {
        const struct field *f = o->k[i].f;
        json_t *v = json_array_get(k, i);
        int ok = (is_int_type(f->type) || !strcmp(f->name, "id")) ? json_is_integer(v)
                                                                  : json_is_string(v);
        if (!ok && !(json_is_null(v) && strcmp(f->name, "id"))) {
            json_decref(j);
            verr_set(e, 400, "bad_request", key,
                     "“%s”不是有效的翻页位置 (“%s”的值不对), 请从第一页重新翻页", key, f->name);
            return NULL;
        }
    }
    json_incref(k);
    json_decref(j);
    return k;
}

/* Key col's rows after the value v (json null: NULL) in a list read upwards, or
 * downwards (down): a greater value, or a smaller one; NULL sorts last when nulls_high
 * differs from down (PostgreSQL ascending, SQLite descending). id is never NULL: its
 * bound stays a plain range, which the primary key's index serves. */
static void key_after(const char *col, int down, int nulls_high, json_t *v, buf *where,
                      json_t *binds)
{
    int null_last = nulls_high != down && strcmp(col, "id");
    if (json_is_null(v)) {
        if (null_last)
            buf_puts(where, "1 = 0");
        else
            buf_printf(where, "t.%s IS NOT NULL", col);
        return;
    }
    if (null_last)
        buf_printf(where, "(t.%s %s ? OR t.%s IS NULL)", col, down ? "<" : ">", col);
    else
        buf_printf(where, "t.%s %s ?", col, down ? "<" : ">");
    json_array_append(binds, v);
}

/* " AND (...)": the rows strictly after the position vals in order o, or strictly before it
 * (back: the order turned round). NULL sorts where the engine's ORDER BY puts it. The first
 * key's bound comes first on its own, so that the order's index can start there. */
static void keyset_sql(db *d, const struct sortkeys *o, json_t *vals, int back, buf *where,
                       json_t *binds)
{
    int nulls_high = db_nulls_last(d);
    const char *c0 = o->k[0].f->name;
    json_t *v0 = json_array_get(vals, 0);
    int down0 = o->k[0].desc != back, null_last0 = nulls_high != down0 && strcmp(c0, "id");
    buf_puts(where, " AND ");
    if (o->n > 1 && !json_is_null(v0)) { /* the first key's bound: its value or beyond */
        buf_printf(where, null_last0 ? "(t.%s %s ? OR t.%s IS NULL) AND " : "t.%s %s ? AND ", c0,
                   down0 ? "<=" : ">=", c0);
        json_array_append(binds, v0);
    } else if (o->n > 1 && null_last0) {
        buf_printf(where, "t.%s IS NULL AND ", c0);
    }
    buf_putc(where, '(');
    for (int i = 0; i < o->n; i++) {
        buf_puts(where, i ? " OR (" : "(");
        for (int j = 0; j < i; j++) {
            json_t *v = json_array_get(vals, j);
            if (json_is_null(v))
                buf_printf(where, "t.%s IS NULL AND ", o->k[j].f->name);
            else {
                buf_printf(where, "t.%s = ? AND ", o->k[j].f->name);
                json_array_append(binds, v);
            }
        }
        key_after(o->k[i].f->name, o->k[i].desc != back, nulls_high, json_array_get(vals, i), where,
                  binds);
        buf_putc(where, ')');
    }
    buf_putc(where, ')');
}

struct list_counts ent_list_counts = {100000, 10000};

/* The count SQL's kept count: memoised until the data changes, or an estimate (a big
 * count kept a while); -1 when none is kept. */
static int64_t count_kept(struct ent_ctx *c, const char *key, int *estimated)
{
    int64_t total = -1;
    double age = 0;
    *estimated = 0;
    if (!db_memo_get(c->db, key, &total)) {
        *estimated = db_memo_stale(c->db, key, &total, &age) && total > ent_list_counts.exact_max &&
                     age < ent_list_counts.stale_ms;
        total = *estimated ? total : -1;
    }
    return total;
}

static const char *count_key(struct ent_ctx *c, const char *sql, json_t *binds)
{
    char *bj = json_dumps(binds, JSON_COMPACT);
    char *key = arena_printf(c->a, "%s\x1f%s", sql, bj ? bj : "");
    free(bj);
    return key;
}

/* The count of sql (its memo key given): the kept one, else counted and kept. */
static int64_t count_of(struct ent_ctx *c, const char *key, const char *sql, json_t *binds,
                        int *estimated)
{
    int64_t total = count_kept(c, key, estimated);
    if (total < 0) {
        stmt *s = db_prepare_json(c->db, sql, binds);
        if (s && st_step(s) == DB_ROW)
            total = st_int(s, "n");
        st_finalize(s);
        if (total >= 0)
            db_memo_put(c->db, key, total);
    }
    return total;
}

/* The count is the costly half of a big list; it is memoised until the data changes. */
int64_t ent_count(struct ent_ctx *c, const char *sql, json_t *binds, int *estimated)
{
    return count_of(c, count_key(c, sql, binds), sql, binds, estimated);
}

/* A list in a range of the tree with this many rows or fewer reads them by their orgs and
 * sorts them (ent_list's by_range): about 1.6 us a row on SQLite, so 1.6 ms at most, where
 * reading a 10,000-row county that way took 16 ms against 0.44 ms in id order. */
#define FEW_IN_RANGE 1000

/* The list's page: as a JSON tree in *res, or with text as its JSON text at the end of
 * text (the rows of a plain entity written straight from the store, the rest through the
 * tree). 0, or -1 with e. */
static int list_page(struct ent_ctx *c, const struct entity *ent, const struct kv *args, int nargs,
                     const char *const *ignore, json_t **res, buf *text, struct verr *e)
{
    int64_t page, per_page;
    if (page_arg(args, nargs, "page", 1, 1000000000, &page, e) ||
        page_arg(args, nargs, "per_page", 20, 200, &per_page, e))
        return -1;
    const char *after = arg(args, nargs, "after"), *before = arg(args, nargs, "before");
    after = after && *after ? after : NULL;
    before = before && *before ? before : NULL;
    if (after && before) {
        verr_set(e, 400, "bad_request", "before", "“after”和“before”只能给一个");
        return -1;
    }
    const char *cursor = after ? after : before;
    int back = !!before;
    buf where = {0}, sql = {0};
    struct sortkeys order;
    json_t *binds = json_array(), *vals = NULL, *count_binds = NULL;
    int in_tree = 0, rc = -1;
    c->names_cut = 0;
    if (list_sql(c, ent, args, nargs, ignore, 0, &where, binds, &order, &in_tree, e))
        goto out;
    if (cursor && !(vals = cursor_values(c, &order, after ? "after" : "before", cursor, e)))
        goto out;
    buf_printf(&sql, "SELECT count(*) AS n FROM \"%s\" t WHERE t.deleted_at IS NULL%s", ent->name,
               buf_str(&where));
    /* A first page outside a range of the tree (which needs the count first: by_range)
     * whose count is not kept, or kept only as an estimate, is read before it is counted;
     * when it is not full its rows are the count, exact. A keyword that finds a few among
     * a million rows then reads them once, not twice (0.79 -> 0.27 s on SQLite). The
     * count SQL and binds are kept aside, for the page's own WHERE may add to them. */
    int estimated = 0, page_first = 0;
    const char *count_sql = buf_str(&sql), *key = count_key(c, count_sql, binds);
    int64_t total = -1;
    if (!cursor && page == 1 && !in_tree) {
        total = count_kept(c, key, &estimated);
        page_first = total < 0 || estimated;
    } else {
        total = count_of(c, key, count_sql, binds, &estimated);
    }
    if (page_first) {
        count_sql = arena_strdup(c->a, count_sql);
        count_binds = json_deep_copy(binds);
    }
    if (!page_first && total < 0) {
        verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
        goto out;
    }
    if (!cursor && !estimated && page > 1 && (page - 1) * per_page >= total) {
        verr_set(e, 400, "bad_request", "page", "页码 %lld 超出范围: 共 %lld 页", (long long)page,
                 (long long)((total + per_page - 1) / per_page));
        goto out;
    }
    /* A few rows in a range of the tree (a village's 30 among a million people) are read
     * by their orgs and sorted. Walking the table in id order until 20 turn up is what
     * both planners otherwise choose, as they cannot tell that the range is small (SQLite
     * never sees the bound values); it reads every row when the village's come last
     * (SQLite: 184 ms -> 0.04 ms). Hidden from them: the order by id and the
     * deleted_at index, which SQLite takes for a selective one. */
    int by_range = in_tree && order.n == 1 && !estimated && total <= FEW_IN_RANGE;
    /* With nothing else to narrow them, the range's orgs are named by their ids: PostgreSQL
     * then keeps one plan for every village's page instead of planning each (the range's
     * sub-select): 0.6 ms of planning against 0.1 ms of reading the 30 rows. */
    if (by_range && (in_tree & IN_TREE_ONLY)) {
        where.len = 0;
        json_array_clear(binds);
        if (list_sql(c, ent, args, nargs, ignore, 1, &where, binds, &order, NULL, e))
            goto out;
    }
    if (cursor)
        keyset_sql(c->db, &order, vals, back, &where, binds);
    sql.len = 0;
    select_sql(ent, 0, &sql);
    buf_printf(&sql, " WHERE %s%s",
               by_range ? "coalesce(t.deleted_at, NULL) IS NULL" : "t.deleted_at IS NULL",
               buf_str(&where));
    if (by_range)
        buf_printf(&sql, " ORDER BY t.id + 0%s", order.k[0].desc != back ? " DESC" : "");
    else
        order_sql(&order, back, &sql);
    /* One row more than the page: whether there is another page beyond it. The limit
     * (2-201, checked above) is written into the SQL: as a parameter PostgreSQL guesses a
     * tenth of the table for it, finds its generic plan dear and plans every request again. */
    buf_printf(&sql, " LIMIT %lld", (long long)per_page + 1);
    if (!cursor && page > 1) { /* none on the first page: a bare LIMIT plans once */
        buf_puts(&sql, " OFFSET ?");
        json_array_append_new(binds, json_integer((page - 1) * per_page));
    }
    stmt *s = db_prepare_json(c->db, buf_str(&sql), binds);
    int plain = text && plain_rows(ent);
    json_t *items = plain ? NULL : json_array();
    buf rows = {0}; /* plain: the rows' text, row i ending at ends[i] */
    if (plain) {
        rows.s = xmalloc(16384);
        rows.cap = 16384;
        rows.s[0] = 0;
    }
    size_t *ends = plain ? arena_alloc(c->a, (size_t)per_page * sizeof *ends) : NULL, nitems = 0;
    char *first = NULL, *last = NULL;
    int st, more = 0;
    while (s && (st = st_step(s)) == DB_ROW) {
        if ((int64_t)nitems == per_page) {
            more = 1;
            continue;
        }
        if (plain) {
            row_text(c, ent, s, &rows);
            ends[nitems] = rows.len;
        } else {
            json_array_append_new(items, row_columns(c, ent, s, 0));
        }
        nitems++;
        /* the cursors of the page's two ends: the neighbouring pages start there (a row in
         * between needs none, and making one is a tenth of a page's work) */
        if (!first || (int64_t)nitems == per_page) {
            last = cursor_of(c, &order, s);
            if (!first)
                first = last;
        }
    }
    st_finalize(s);
    if (s && st == DB_DONE && page_first && !more) {
        total = (int64_t)nitems;
        estimated = 0;
    } else if (s && st == DB_DONE && page_first && !estimated) {
        total = count_of(c, key, count_sql, count_binds, &estimated);
    }
    if (!s || st != DB_DONE || total < 0) {
        json_decref(items);
        buf_free(&rows);
        verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
        goto out;
    }
    if (!plain) {
        json_t **recs = arena_alloc(c->a, (nitems ? nitems : 1) * sizeof *recs);
        for (size_t i = 0; i < nitems; i++)
            recs[i] = json_array_get(items, i);
        hide_parties(c, ent, recs, nitems); /* the page's parties at once, then each row */
        for (size_t i = 0; i < nitems; i++)
            row_finish(c, ent, recs[i], 0);
    }
    if (back) { /* read backwards: put the page in the list's order */
        if (items) {
            json_t *fwd = json_array();
            for (size_t i = nitems; i-- > 0;)
                json_array_append(fwd, json_array_get(items, i));
            json_decref(items);
            items = fwd;
        }
        char *t = first;
        first = last;
        last = t;
    }
    /* next: the rows after this page, if any; prev: those before it */
    int has_next = back ? !!last : more, has_prev = back ? more : (cursor || page > 1) && first;
    json_t *o = json_object();
    if (items)
        json_object_set_new(o, "items", items);
    json_object_set_new(o, "total", json_integer((json_int_t)total));
    json_object_set_new(o, "total_estimated", json_boolean(estimated));
    if (c->names_cut) /* the keyword's names are the name search's best, not all it found */
        json_object_set_new(o, "names_cut", json_integer(c->names_cut));
    json_object_set_new(o, "per_page", json_integer((json_int_t)per_page));
    json_object_set_new(o, "next", has_next ? json_string(last) : json_null());
    json_object_set_new(o, "prev", has_prev ? json_string(first) : json_null());
    /* page: the page number; with a cursor it is the caller's own count, echoed (none: null) */
    json_object_set_new(o, "page",
                        cursor && !arg(args, nargs, "page") ? json_null()
                                                            : json_integer((json_int_t)page));
    if (!text) {
        *res = o;
    } else if (!plain) {
        json_compact(text, o);
        json_decref(o);
    } else { /* {"items":[the rows], then the rest of o's members */
        buf_puts(text, "{\"items\":[");
        for (size_t k = 0; k < nitems; k++) {
            size_t i = back ? nitems - 1 - k : k, from = i ? ends[i - 1] : 0;
            if (k)
                buf_putc(text, ',');
            buf_add(text, rows.s + from, ends[i] - from);
        }
        buf_puts(text, "],");
        size_t at = text->len;
        json_compact(text, o);
        memmove(text->s + at, text->s + at + 1, text->len - at); /* its '{' */
        text->len--;
        json_decref(o);
    }
    buf_free(&rows);
    rc = 0;
out:
    buf_free(&where);
    buf_free(&sql);
    json_decref(binds);
    json_decref(count_binds);
    json_decref(vals);
    return rc;
}

json_t *ent_list(struct ent_ctx *c, const struct entity *ent, const struct kv *args, int nargs,
                 const char *const *ignore, struct verr *e)
{
    json_t *res = NULL;
    return list_page(c, ent, args, nargs, ignore, &res, NULL, e) ? NULL : res;
}

int ent_list_text(struct ent_ctx *c, const struct entity *ent, const struct kv *args, int nargs,
                  const char *const *ignore, buf *text, struct verr *e)
{
    return list_page(c, ent, args, nargs, ignore, NULL, text, e);
}

/* The rows of an export go out EACH_BATCH at a time: their parties are looked up at once. */
#define EACH_BATCH 100

/* Finish the n records recs (hide_parties, row_finish), hand each to row until it asks
 * to stop (counted in *count), free them all; 1 if row stopped. */
static int each_batch(struct ent_ctx *c, const struct entity *ent, json_t **recs, size_t n,
                      int (*row)(void *arg, json_t *rec), void *arg, int *count)
{
    int stop = 0;
    hide_parties(c, ent, recs, n);
    for (size_t i = 0; i < n; i++) {
        if (!stop) {
            row_finish(c, ent, recs[i], 0);
            stop = row(arg, recs[i]);
            (*count)++;
        }
        json_decref(recs[i]);
    }
    return stop;
}

int ent_each(struct ent_ctx *c, const struct entity *ent, const struct kv *args, int nargs,
             int (*row)(void *arg, json_t *rec), void *arg, struct verr *e)
{
    static const char *const ign[] = {"page", "per_page", "after", "before", NULL};
    buf where = {0}, sql = {0};
    struct sortkeys order;
    json_t *binds = json_array();
    int count = -1;
    if (list_sql(c, ent, args, nargs, ign, 0, &where, binds, &order, NULL, e))
        goto out;
    select_sql(ent, 0, &sql);
    buf_printf(&sql, " WHERE t.deleted_at IS NULL%s", buf_str(&where));
    order_sql(&order, 0, &sql);
    stmt *s = db_prepare_json(c->db, buf_str(&sql), binds);
    int rc = DB_ERROR, stop = 0;
    json_t *recs[EACH_BATCH];
    size_t n = 0;
    count = 0;
    while (!stop && s && (rc = st_step(s)) == DB_ROW) {
        recs[n++] = row_columns(c, ent, s, 0);
        if (n == EACH_BATCH) {
            stop = each_batch(c, ent, recs, n, row, arg, &count);
            n = 0;
        }
    }
    if (rc == DB_DONE)
        each_batch(c, ent, recs, n, row, arg, &count);
    else
        for (size_t i = 0; i < n; i++)
            json_decref(recs[i]);
    st_finalize(s);
    if (rc == DB_ERROR) {
        count = -1;
        verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
    }
out:
    buf_free(&where);
    buf_free(&sql);
    json_decref(binds);
    return count;
}

/* ---- schema ------------------------------------------------------------------------- */

static json_t *label_json(const struct label *l)
{
    return json_pack("{s:s, s:s, s:s}", "zh-Hans", l->hans, "zh-Hant", l->hant, "en", l->en);
}

static const char *type_name(enum ftype t)
{
    static const char *const names[] = {
        [FT_TEXT] = "text",     [FT_TEXTAREA] = "textarea", [FT_INT] = "int",
        [FT_MONEY] = "money",   [FT_DATE] = "date",         [FT_DATETIME] = "datetime",
        [FT_YEAR] = "year",     [FT_BOOL] = "bool",         [FT_ENUM] = "enum",
        [FT_SET] = "set",       [FT_LIST] = "list",         [FT_REF] = "ref",
        [FT_REGION] = "region", [FT_COUNTRY] = "country",   [FT_PHONE] = "phone",
        [FT_EMAIL] = "email",   [FT_URL] = "url",           [FT_KEY] = "key",
        [FT_PARTY] = "enum", /* with "party": the web app picks the kind like an enum */
    };
    return names[t];
}

/* One field as the schema describes it (a new object). */
static json_t *field_json(const struct field *f)
{
    json_t *jf = json_pack("{s:s, s:s, s:o, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "name", f->name,
                           "type", type_name(f->type), "label", label_json(&f->label), "required",
                           !!(f->flags & FF_REQUIRED), "readonly", !!(f->flags & FF_READONLY),
                           "sensitive", !!(f->flags & FF_SENSITIVE), "search",
                           !!(f->flags & FF_SEARCH), "filter", filterable(f), "sort",
                           !(f->flags & FF_SENSITIVE), "list", !!(f->flags & FF_LIST));
    if (f->type == FT_TEXT || f->type == FT_TEXTAREA || f->type == FT_LIST)
        json_object_set_new(jf, "max", json_integer(text_max(f)));
    else if (f->min < f->max) {
        json_object_set_new(jf, "min", json_integer(f->min));
        json_object_set_new(jf, "max", json_integer(f->max));
    }
    if (f->values) {
        json_t *vals = json_array();
        for (const struct enumval *ev = f->values; ev->value; ev++)
            if (f->type != FT_PARTY || (f->party & (1u << (ev - f->values))))
                json_array_append_new(vals, json_pack("{s:s, s:o}", "value", ev->value, "label",
                                                      label_json(&ev->label)));
        json_object_set_new(jf, "values", vals);
        if (f->type == FT_PARTY)
            json_object_set_new(jf, "party", json_true());
    }
    json_object_set_new(jf, "ref", f->ref ? json_string(f->ref) : json_null());
    if (f->currency)
        json_object_set_new(jf, "currency", json_string(f->currency));
    return jf;
}

/* An entity's workflow as the schema publishes it: the status field, the args, and
 * every move with what it takes and needs (the web app renders the move dialog). */
static json_t *workflow_json(const struct workflow *w)
{
    json_t *args = json_array(), *moves = json_array();
    for (const struct field *f = w->args; f && f->name; f++)
        json_array_append_new(args, field_json(f));
    for (const struct move *m = w->moves; m->to; m++) {
        json_t *from = json_array(), *takes = json_array(), *needs = json_array();
        for (const char *p = m->from; p && *p;) {
            const char *end = strchr(p, ',');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            json_array_append_new(from, json_stringn(p, len));
            p = end ? end + 1 : NULL;
        }
        for (int i = 0; m->takes && m->takes[i]; i++)
            json_array_append_new(takes, json_string(m->takes[i]));
        for (int i = 0; m->needs && m->needs[i]; i++)
            json_array_append_new(needs, json_string(m->needs[i]));
        static const char *const perms[] = {"edit",   "view",           "edit",    "delete",
                                            "export", "view_sensitive", "approve", "admin"};
        json_t *jm = json_pack("{s:o, s:s, s:s, s:o, s:o}", "from", from, "to", m->to, "perm",
                               perms[m->perm < 8 ? m->perm : 0], "takes", takes, "needs", needs);
        if (m->label.hans)
            json_object_set_new(jm, "label", label_json(&m->label));
        if (m->hint.hans)
            json_object_set_new(jm, "hint", label_json(&m->hint));
        json_array_append_new(moves, jm);
    }
    return json_pack("{s:s, s:o, s:o}", "field", w->field, "args", args, "moves", moves);
}

json_t *ent_schema_json(void)
{
    json_t *list = json_array();
    for (int i = 0; ent_all()[i]; i++) {
        const struct entity *e = ent_all()[i];
        json_t *fields = json_array();
        for (const struct field *f = e->fields; f->name; f++)
            if (!(f->flags & FF_HIDDEN))
                json_array_append_new(fields, field_json(f));
        for (const struct field *f = e->computed; f && f->name; f++) {
            json_t *jf = field_json(f);
            json_object_set_new(jf, "readonly", json_true());
            json_object_set_new(jf, "computed", json_true());
            json_object_set_new(jf, "filter", json_false());
            json_object_set_new(jf, "sort", json_false());
            json_array_append_new(fields, jf);
        }
        json_t *je =
            json_pack("{s:s, s:s, s:o, s:s, s:o}", "name", e->name, "module", e->module, "label",
                      label_json(&e->label), "title_field", e->title, "fields", fields);
        if (e->flags & EF_APPEND) /* a ledger: created and reversed, never edited */
            json_object_set_new(je, "append_only", json_true());
        if (e->workflow)
            json_object_set_new(je, "workflow", workflow_json(e->workflow));
        json_array_append_new(list, je);
    }
    json_t *mods = json_array(); /* the menu's groups, in the modules' order */
    for (int i = 0; modules[i]; i++)
        if (modules[i]->label.hans)
            json_array_append_new(mods, json_pack("{s:s, s:o}", "name", modules[i]->name, "label",
                                                  label_json(&modules[i]->label)));
    return json_pack("{s:o, s:o}", "entities", list, "modules", mods);
}
