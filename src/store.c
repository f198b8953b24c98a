/* store.c - the engine-neutral half of the store: handles, column lookup by name, nested
 * transactions, migrations. The engines are in store_sqlite.c and store_pg.c. */
#include "store.h"
#include "util.h"
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

#define MEMO_SLOTS 32

struct db {
    const struct driver *drv;
    struct {
        char *key;
        int64_t gen, v;
        double at; /* now_ms() when put */
    } memo[MEMO_SLOTS];
    unsigned memo_next;
    void *conn;
    enum db_kind kind;
    int depth;
    struct {
        const char *file;
        int line;
    } opened[MAX_DEPTH];
    char err[512];
    enum db_err errcode;
};

struct stmt {
    db *d;
    void *st;
    char *sql; /* for messages */
};

db *db_open(const char *url, char *err, size_t errlen)
{
    const struct driver *drv = &sqlite_driver;
    enum db_kind kind = DB_SQLITE;
    if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11)) {
        drv = &pg_driver;
        kind = DB_PG;
    }
    void *conn = drv->open(url, err, errlen);
    if (!conn)
        return NULL;
    db *d = xcalloc(1, sizeof *d);
    d->drv = drv;
    d->conn = conn;
    d->kind = kind;
    return d;
}

void db_close(db *d)
{
    if (!d)
        return;
    if (d->depth)
        die("database closed with a transaction open since %s:%d", d->opened[d->depth - 1].file,
            d->opened[d->depth - 1].line);
    d->drv->close(d->conn);
    for (int i = 0; i < MEMO_SLOTS; i++)
        free(d->memo[i].key);
    free(d);
}

int db_revive(db *d)
{
    if (d->depth)
        die("db_revive inside a transaction opened at %s:%d", d->opened[d->depth - 1].file,
            d->opened[d->depth - 1].line);
    if (!d->drv->revive || d->drv->revive(d->conn) == 0)
        return DB_OK;
    d->errcode = DBE_BUSY;
    snprintf(d->err, sizeof d->err, "%s", d->drv->errmsg(d->conn));
    return DB_ERROR;
}

int db_backup(db *d, const char *file, char *err, size_t errlen)
{
    if (!d->drv->backup) {
        snprintf(err, errlen,
                 msg_cur("%s 数据库请用它自己的工具备份 (PostgreSQL: pg_dump, 见 README)"),
                 d->drv->name);
        return DB_ERROR;
    }
    return d->drv->backup(d->conn, file, err, errlen) ? DB_ERROR : DB_OK;
}

void db_busy_timeout(db *d, int ms)
{
    if (d->drv->busy_timeout)
        d->drv->busy_timeout(d->conn, ms);
}

enum db_kind db_kind(const db *d)
{
    return d->kind;
}

const char *db_errmsg(const db *d)
{
    return d->err;
}

enum db_err db_errcode(const db *d)
{
    return d->errcode;
}

static void set_err(db *d, const char *sql)
{
    /* A full disk ends the transaction (SQLite rolls it back itself): what fails after it
     * (the rollback finding no transaction) does not hide the cause. */
    if (d->errcode == DBE_FULL && d->depth > 0)
        return;
    d->errcode = d->drv->errcode(d->conn);
    snprintf(d->err, sizeof d->err, "%s", d->drv->errmsg(d->conn));
    if (d->errcode != DBE_CONSTRAINT && d->errcode != DBE_BUSY)
        log_msg("store: %s [%s]", d->err, sql ? sql : "");
}

stmt *db_prepare(db *d, const char *sql)
{
    void *st = d->drv->prepare(d->conn, sql);
    if (!st) {
        set_err(d, sql);
        return NULL;
    }
    stmt *s = xcalloc(1, sizeof *s);
    s->d = d;
    s->st = st;
    s->sql = xstrdup(sql);
    return s;
}

void st_bind_int(stmt *s, int i, int64_t v)
{
    s->d->drv->bind(s->st, i, NULL, v, 1);
}

void st_bind_text(stmt *s, int i, const char *v)
{
    s->d->drv->bind(s->st, i, v, 0, v ? 2 : 0);
}

void st_bind_null(stmt *s, int i)
{
    s->d->drv->bind(s->st, i, NULL, 0, 0);
}

int st_step(stmt *s)
{
    int rc = s->d->drv->step(s->st);
    if (rc == DB_ERROR)
        set_err(s->d, s->sql);
    return rc;
}

int st_ncols(stmt *s)
{
    return s->d->drv->ncols(s->st);
}

const char *st_colname(stmt *s, int i)
{
    return s->d->drv->colname(s->st, i);
}

static int col_index(stmt *s, const char *col)
{
    int n = st_ncols(s);
    for (int i = 0; i < n; i++)
        if (!strcmp(st_colname(s, i), col))
            return i;
    die("no column \"%s\" in [%s]", col, s->sql);
}

int st_isnull_at(stmt *s, int i)
{
    return s->d->drv->text(s->st, i) == NULL;
}

const char *st_text_at(stmt *s, int i)
{
    return s->d->drv->text(s->st, i);
}

int st_isnull(stmt *s, const char *col)
{
    return st_isnull_at(s, col_index(s, col));
}

int64_t st_int(stmt *s, const char *col)
{
    const char *t = st_text_at(s, col_index(s, col));
    int64_t v = 0;
    if (t && !parse_i64(t, &v))
        v = strtoll(t, NULL, 10);
    return v;
}

const char *st_text(stmt *s, const char *col)
{
    return st_text_at(s, col_index(s, col));
}

void st_finalize(stmt *s)
{
    if (!s)
        return;
    s->d->drv->finalize(s->st);
    free(s->sql);
    free(s);
}

/* Bind a printf-free parameter list (see db_execv) to s. */
static void bind_list(stmt *s, const char *fmt, va_list ap)
{
    for (int i = 0; fmt && fmt[i]; i++) {
        switch (fmt[i]) {
        case 'i':
            st_bind_int(s, i + 1, va_arg(ap, int64_t));
            break;
        case 's':
            st_bind_text(s, i + 1, va_arg(ap, const char *));
            break;
        case 'n':
            st_bind_null(s, i + 1);
            break;
        default:
            die("bad bind format '%c'", fmt[i]);
        }
    }
}

int db_exec(db *d, const char *sql)
{
    return db_execv(d, sql, "");
}

int db_execv(db *d, const char *sql, const char *fmt, ...)
{
    stmt *s = db_prepare(d, sql);
    if (!s)
        return DB_ERROR;
    va_list ap;
    va_start(ap, fmt);
    bind_list(s, fmt, ap);
    va_end(ap);
    int rc;
    while ((rc = st_step(s)) == DB_ROW)
        ;
    st_finalize(s);
    return rc == DB_DONE ? DB_OK : DB_ERROR;
}

int64_t db_int(db *d, int64_t dflt, const char *sql, const char *fmt, ...)
{
    stmt *s = db_prepare(d, sql);
    if (!s)
        return dflt;
    va_list ap;
    va_start(ap, fmt);
    bind_list(s, fmt, ap);
    va_end(ap);
    int64_t v = dflt;
    if (st_step(s) == DB_ROW && !st_isnull_at(s, 0)) {
        const char *t = st_text_at(s, 0);
        if (!parse_i64(t, &v))
            v = strtoll(t, NULL, 10);
    }
    st_finalize(s);
    return v;
}

int db_begin_at(db *d, const char *file, int line)
{
    if (d->depth >= MAX_DEPTH)
        die("transactions nested too deep at %s:%d", file, line);
    char sql[48];
    if (d->depth == 0) {
        /* From here db_errcode() tells of this transaction's failures, not older ones. */
        d->errcode = DBE_NONE;
        d->err[0] = 0;
        snprintf(sql, sizeof sql, "%s", d->drv->begin_sql);
        if (d->drv->lock_writer && d->drv->lock_writer(d->conn)) {
            d->errcode = DBE_BUSY;
            snprintf(d->err, sizeof d->err, "database is locked (waited for another writer)");
            return DB_ERROR;
        }
    } else {
        snprintf(sql, sizeof sql, "SAVEPOINT sp%d", d->depth);
    }
    if (db_exec(d, sql) != DB_OK) {
        if (d->depth == 0 && d->drv->unlock_writer)
            d->drv->unlock_writer(d->conn);
        return DB_ERROR;
    }
    d->opened[d->depth].file = file;
    d->opened[d->depth].line = line;
    d->depth++;
    return DB_OK;
}

int db_commit(db *d)
{
    if (d->depth == 0)
        die("commit without a transaction");
    char sql[48];
    if (d->depth == 1)
        snprintf(sql, sizeof sql, "COMMIT");
    else
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT sp%d", d->depth - 1);
    int rc = db_exec(d, sql);
    if (rc != DB_OK) {
        db_rollback(d);
        return DB_ERROR;
    }
    if (--d->depth == 0 && d->drv->unlock_writer)
        d->drv->unlock_writer(d->conn);
    return DB_OK;
}

int db_rollback(db *d)
{
    if (d->depth == 0)
        die("rollback without a transaction");
    int rc;
    if (d->depth == 1) {
        rc = db_exec(d, "ROLLBACK");
    } else {
        char sql[64];
        snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT sp%d", d->depth - 1);
        rc = db_exec(d, sql);
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT sp%d", d->depth - 1);
        if (rc == DB_OK)
            rc = db_exec(d, sql);
    }
    if (--d->depth == 0 && d->drv->unlock_writer)
        d->drv->unlock_writer(d->conn);
    return rc;
}

int db_depth(const db *d)
{
    return d->depth;
}

const char *db_type_name(const db *d, enum db_type t)
{
    return d->drv->type_name(t);
}

const char *db_insert_id_sql(const db *d)
{
    return d->drv->insert_id_sql;
}

int64_t st_insert_id(stmt *s)
{
    int rc = st_step(s);
    if (rc == DB_ROW) {
        int64_t v = 0;
        const char *t = st_text_at(s, 0);
        return t && parse_i64(t, &v) ? v : 0;
    }
    return rc == DB_DONE && s->d->drv->last_id ? s->d->drv->last_id(s->d->conn) : 0;
}

void db_plan_once(db *d, int on)
{
    if (d->drv->plan_once)
        d->drv->plan_once(d->conn, on);
}

int db_analyze(db *d)
{
    return !d->drv->analyze || d->drv->analyze(d->conn) == 0 ? DB_OK : DB_ERROR;
}

const char *db_keyed_table(const db *d)
{
    return d->drv->keyed_table;
}

const char *db_for_update(const db *d)
{
    return d->drv->for_update;
}

int db_nulls_last(const db *d)
{
    return d->drv->nulls_last;
}

int db_has_column(db *d, const char *table, const char *column)
{
    return d->drv->has_column(d->conn, table, column);
}

int store_version(db *d)
{
    if (!db_has_column(d, "qiao_meta", NULL))
        return 0;
    return (int)db_int(d, 0, "SELECT value FROM qiao_meta WHERE key = 'schema_version'", "");
}

int store_migrate(db *d, const migration_fn *steps, int nsteps)
{
    if (db_begin(d) != DB_OK)
        return -1;
    if (!db_has_column(d, "qiao_meta", NULL) &&
        db_exec(d, "CREATE TABLE qiao_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)") != DB_OK)
        goto fail;
    int v = store_version(d);
    if (v > nsteps) {
        snprintf(d->err, sizeof d->err, "数据库版本 %d 比程序支持的 %d 新, 请升级程序", v, nsteps);
        goto fail;
    }
    for (; v < nsteps; v++) {
        if (steps[v](d) != DB_OK)
            goto fail;
    }
    char val[16];
    snprintf(val, sizeof val, "%d", v);
    if (db_execv(d, "DELETE FROM qiao_meta WHERE key = 'schema_version'", "") != DB_OK ||
        db_execv(d, "INSERT INTO qiao_meta (key, value) VALUES ('schema_version', ?)", "s", val) !=
            DB_OK)
        goto fail;
    if (db_commit(d) != DB_OK)
        return -1;
    return v;
fail:
    db_rollback(d);
    return -1;
}

/* The driver's change number, or for an engine that has none (PostgreSQL) the head of
 * the audit chain: every write of a record moves it in the write's own transaction, from
 * any process; its hash (not only its sequence number) so that a head seen inside a
 * transaction that then rolled back is never taken for a later one. -1: cannot tell. */
static int64_t generation(db *d)
{
    int64_t gen = d->drv->generation(d->conn);
    if (gen >= 0)
        return gen;
    stmt *s = db_prepare(d, "SELECT seq, hash FROM audit_head WHERE id = 1");
    if (s && st_step(s) == DB_ROW) {
        const char *h = st_text(s, "hash");
        char head[16] = "";
        snprintf(head, sizeof head, "%.15s", h ? h : "");
        gen =
            (int64_t)((uint64_t)st_int(s, "seq") * 0x9E3779B97F4A7C15u ^ strtoull(head, NULL, 16)) &
            INT64_MAX;
    }
    st_finalize(s);
    return gen;
}

int db_memo_get(db *d, const char *key, int64_t *v)
{
    int64_t gen = generation(d);
    if (gen < 0)
        return 0;
    for (int i = 0; i < MEMO_SLOTS; i++) {
        if (d->memo[i].key && d->memo[i].gen == gen && !strcmp(d->memo[i].key, key)) {
            *v = d->memo[i].v;
            return 1;
        }
    }
    return 0;
}

void db_memo_put(db *d, const char *key, int64_t v)
{
    int64_t gen = generation(d);
    if (gen < 0)
        return;
    unsigned slot = MEMO_SLOTS;
    for (unsigned i = 0; i < MEMO_SLOTS && slot == MEMO_SLOTS; i++) /* a key once */
        if (d->memo[i].key && !strcmp(d->memo[i].key, key))
            slot = i;
    if (slot == MEMO_SLOTS) {
        slot = d->memo_next++ % MEMO_SLOTS;
        free(d->memo[slot].key);
        d->memo[slot].key = xstrdup(key);
    }
    d->memo[slot].gen = gen;
    d->memo[slot].v = v;
    d->memo[slot].at = now_ms();
}

int db_memo_stale(db *d, const char *key, int64_t *v, double *age_ms)
{
    for (int i = 0; i < MEMO_SLOTS; i++) {
        if (d->memo[i].key && !strcmp(d->memo[i].key, key)) {
            *v = d->memo[i].v;
            *age_ms = now_ms() - d->memo[i].at;
            return 1;
        }
    }
    return 0;
}

/* ---- many rows (db_rows) ------------------------------------------------------------ */

#define ROWS_INSERT 64 /* rows in one multi-row INSERT */

struct db_rows {
    db *d;
    char *table, *cols;
    int ncols, flags;
    int copy;     /* held for COPY (PostgreSQL, without DB_ROWS_IGNORE) */
    buf vals;     /* the rows held: each value a tag, then 'i' 8 bytes, 't' text and NUL */
    size_t nrows; /* rows held */
    int nvals;    /* values of the row being added */
};

db_rows *db_rows_new(db *d, const char *table, const char *cols, int flags)
{
    db_rows *r = xcalloc(1, sizeof *r);
    r->d = d;
    r->table = xstrdup(table);
    r->cols = xstrdup(cols);
    r->flags = flags;
    r->ncols = 1;
    for (const char *p = cols; *p; p++)
        r->ncols += *p == ',';
    r->copy = d->drv->copy && !(flags & DB_ROWS_IGNORE);
    return r;
}

void rows_int(db_rows *r, int64_t v)
{
    buf_putc(&r->vals, 'i');
    buf_add(&r->vals, (const char *)&v, sizeof v);
    r->nvals++;
}

void rows_text(db_rows *r, const char *v)
{
    if (!v) {
        rows_null(r);
        return;
    }
    buf_putc(&r->vals, 't');
    buf_add(&r->vals, v, strlen(v) + 1);
    r->nvals++;
}

void rows_null(db_rows *r)
{
    buf_putc(&r->vals, 'n');
    r->nvals++;
}

/* The value at p: its tag, and where the next one begins. */
static const char *next_val(const char *p)
{
    return *p == 'i' ? p + 1 + sizeof(int64_t) : *p == 't' ? p + 2 + strlen(p + 1) : p + 1;
}

/* Write the n rows from p with one INSERT; *end gets where the next row begins. */
static int insert_rows(db_rows *r, const char *p, size_t n, const char **end)
{
    buf q = {0};
    buf_printf(&q, "INSERT INTO %s (%s) VALUES ", r->table, r->cols);
    for (size_t i = 0; i < n; i++) {
        buf_puts(&q, i ? ", (" : "(");
        for (int k = 0; k < r->ncols; k++)
            buf_puts(&q, k ? ", ?" : "?");
        buf_putc(&q, ')');
    }
    if (r->flags & DB_ROWS_IGNORE)
        buf_puts(&q, " ON CONFLICT DO NOTHING");
    stmt *s = db_prepare(r->d, buf_str(&q));
    buf_free(&q);
    int k = 1;
    for (size_t i = 0; i < n * (size_t)r->ncols; i++, p = next_val(p)) {
        if (!s)
            continue;
        if (*p == 'i') {
            int64_t v;
            memcpy(&v, p + 1, sizeof v);
            st_bind_int(s, k++, v);
        } else if (*p == 't') {
            st_bind_text(s, k++, p + 1);
        } else {
            st_bind_null(s, k++);
        }
    }
    *end = p;
    int rc = s && st_step(s) == DB_DONE ? DB_OK : DB_ERROR;
    st_finalize(s);
    return rc;
}

/* The rows held as COPY text into out. */
static void copy_text(const db_rows *r, buf *out)
{
    const char *p = r->vals.s, *end = r->vals.s + r->vals.len;
    for (int k = 0; p < end; p = next_val(p)) {
        if (*p == 'i') {
            int64_t v;
            memcpy(&v, p + 1, sizeof v);
            buf_printf(out, "%lld", (long long)v);
        } else if (*p == 't') {
            for (const char *t = p + 1; *t; t++) {
                if (*t == '\\' || *t == '\t' || *t == '\n' || *t == '\r') {
                    buf_putc(out, '\\');
                    buf_putc(out, *t == '\t' ? 't' : *t == '\n' ? 'n' : *t == '\r' ? 'r' : '\\');
                } else {
                    buf_putc(out, *t);
                }
            }
        } else {
            buf_puts(out, "\\N");
        }
        buf_putc(out, ++k == r->ncols ? (k = 0, '\n') : '\t');
    }
}

/* Write every row held: one COPY, or INSERTs of up to 64 rows. */
static int write_rows(db_rows *r)
{
    if (r->copy) {
        buf text = {0}, tc = {0};
        copy_text(r, &text);
        buf_printf(&tc, "%s (%s)", r->table, r->cols);
        int rc = r->d->drv->copy(r->d->conn, buf_str(&tc), text.s ? text.s : "", text.len);
        if (rc)
            set_err(r->d, buf_str(&tc));
        buf_free(&text);
        buf_free(&tc);
        return rc ? DB_ERROR : DB_OK;
    }
    const char *p = r->vals.s;
    int rc = DB_OK;
    for (size_t i = 0; i < r->nrows && rc == DB_OK;) {
        size_t n = r->nrows - i >= ROWS_INSERT ? ROWS_INSERT : r->nrows - i;
        /* few statement texts to cache: 64, 16, 4 or 1 rows */
        n = n >= 64 ? 64 : n >= 16 ? 16 : n >= 4 ? 4 : 1;
        rc = insert_rows(r, p, n, &p);
        i += n;
    }
    return rc;
}

static void rows_clear(db_rows *r)
{
    r->vals.len = 0;
    r->nrows = 0;
    r->nvals = 0;
}

int db_rows_end(db_rows *r)
{
    if (r->nvals != r->ncols)
        die("db_rows: a row of %d values for %d columns (%s)", r->nvals, r->ncols, r->cols);
    r->nvals = 0;
    r->nrows++;
    if (r->copy ? r->vals.len >= DB_ROWS_BYTES : r->nrows >= ROWS_INSERT)
        return db_rows_flush(r, NULL, NULL);
    return DB_OK;
}

int db_rows_flush(db_rows *r, void (*bad)(void *arg, size_t i, const char *msg), void *arg)
{
    if (!r->nrows)
        return DB_OK;
    if (!bad) {
        int rc = write_rows(r);
        rows_clear(r);
        return rc;
    }
    db *d = r->d;
    int rc = db_begin(d);
    if (rc == DB_OK) {
        if ((rc = write_rows(r)) == DB_OK)
            rc = db_commit(d);
        else
            db_rollback(d);
    }
    if (rc != DB_OK && d->errcode == DBE_CONSTRAINT) { /* which rows: one at a time */
        const char *p = r->vals.s;
        for (size_t i = 0; i < r->nrows; i++) {
            const char *row = p;
            if (db_begin(d) != DB_OK)
                break;
            int one = insert_rows(r, row, 1, &p);
            if (one == DB_OK && db_commit(d) == DB_OK)
                continue;
            if (d->depth && one != DB_OK)
                db_rollback(d);
            if (d->errcode != DBE_CONSTRAINT)
                break;
            bad(arg, i, d->err);
        }
        if (d->errcode == DBE_CONSTRAINT || d->errcode == DBE_NONE)
            d->errcode = DBE_CONSTRAINT;
    }
    rows_clear(r);
    return rc;
}

size_t db_rows_held(const db_rows *r)
{
    return r->nrows;
}

void db_rows_free(db_rows *r)
{
    if (!r)
        return;
    buf_free(&r->vals);
    free(r->table);
    free(r->cols);
    free(r);
}

int db_holds_rows(const db *d)
{
    return d->drv->copy && d->drv->reserve_ids;
}

int db_reserve_ids(db *d, const char *table, int64_t *ids, int n)
{
    if (!d->drv->reserve_ids || n < 1 || n > 10000)
        return 0;
    if (d->drv->reserve_ids(d->conn, table, ids, n)) {
        set_err(d, "reserve ids");
        return 0;
    }
    return n;
}
