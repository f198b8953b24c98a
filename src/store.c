/* store.c - the engine-neutral half of the store: handles, column lookup by name, nested
 * transactions, migrations. The engines are in store_sqlite.c and store_pg.c. */
#include "store.h"
#include "util.h"
#include "msg.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

#define MEMO_SLOTS     64
#define RESERVED       8     /* tables whose ids a transaction reserves (db_reserve_ids) */
#define DB_RESERVE_MAX 20000 /* ids one db_reserve_ids reserves at most */

struct bg; /* the handle's writing thread (DB_ROWS_ASYNC) */

struct db {
    const struct driver *drv;
    struct {
        char *key;
        int64_t gen, v;
        double at;  /* now_ms() when put */
        void *blob; /* db_memo_put_blob's copy, owned; NULL for an integer */
        size_t blen;
    } memo[MEMO_SLOTS];
    unsigned memo_next;
    int64_t memo_gen; /* the generation the last get saw: what the next put is valid for */
    void *conn;
    enum db_kind kind;
    int depth;
    struct {
        const char *file;
        int line;
    } opened[MAX_DEPTH];
    char err[512];
    enum db_err errcode;
    struct bg *bg;
    struct { /* ids reserved in this transaction, on an engine without sequences */
        char *table;
        int64_t next;
    } resv[RESERVED];
    int nresv;
    struct ahead *ahead[RESERVED]; /* ids the writing thread reserves ahead, one a table */
    int nahead;
};

struct stmt {
    db *d;
    void *st;
    char *sql; /* for messages */
};

/* ---- the handle's writing thread (DB_ROWS_ASYNC) --------------------------------------
 * Rows sent (db_rows_send, or a full DB_ROWS_ASYNC db_rows) become jobs, written in the
 * order sent by one thread per handle. Every store call that touches the connection first
 * waits until no job is left (SYNC), so the connection is never used by two threads at
 * once, and the thread's calls into this file (on_thread) do not wait for themselves. */

#define BG_BYTES (4 * DB_ROWS_BYTES) /* sent and not yet written, at most */
#define BG_SPARE 4                   /* written jobs' buffers kept for reuse */

/* A block of ids the writing thread reserves for the next db_reserve_ids of its table
 * (PostgreSQL): a bulk writer that runs out of ids takes it and does not wait for every
 * row it sent to be written first. */
struct ahead {
    char *table;
    int64_t ids[DB_RESERVE_MAX];
    int n;      /* asked for */
    int got;    /* reserved (set by the writing thread): 0 until its job ran, -1 if it failed */
    int queued; /* a job of it is sent and not yet taken */
};

struct job {
    struct job *next;
    db_rows *r;          /* rows to write, or NULL for: */
    struct ahead *ahead; /* ids to reserve */
    buf vals;
    int *tags;
    size_t nrows;
    int checked; /* in a savepoint, failures kept for db_rows_send's caller (bad) */
    int rc;
    enum db_err code;
    char err[512];
};

struct bg {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    struct job *head, *tail; /* not yet written */
    size_t bytes;            /* of the jobs not yet written */
    atomic_int pending;      /* jobs not yet written */
    int stop;
    int failed; /* a write failed: later jobs are dropped, commits fail until the end */
    enum db_err code;
    char err[512];
    /* buffers of jobs written, kept for the next rows to be held in: a new one grew to
     * DB_ROWS_BYTES by copying itself twice over, and its pages were new each time */
    buf spare[BG_SPARE];
    int nspare;
};

static _Thread_local int on_thread;

static void bg_wait(db *d);
static void set_err(db *d, const char *sql);
#define SYNC(d)                                                                                    \
    do {                                                                                           \
        if ((d)->bg && !on_thread && atomic_load(&(d)->bg->pending))                               \
            bg_wait(d);                                                                            \
    } while (0)

static int write_vals(db_rows *r, const char *vals, size_t len, size_t nrows);

static void run_job(db *d, struct job *j)
{
    if (d->bg->failed) { /* the transaction is lost already */
        j->rc = DB_ERROR;
        j->code = d->bg->code;
        return;
    }
    if (j->ahead) {
        struct ahead *a = j->ahead;
        j->rc = d->drv->reserve_ids(d->conn, a->table, a->ids, a->n) ? DB_ERROR : DB_OK;
        if (j->rc != DB_OK)
            set_err(d, "reserve ids");
        j->code = j->rc == DB_OK ? DBE_NONE : d->errcode;
        snprintf(j->err, sizeof j->err, "%s", j->rc == DB_OK ? "" : d->err);
        return;
    }
    /* a savepoint of its own, outside d->depth (which the caller's thread keeps) */
    int rc = j->checked ? db_exec(d, "SAVEPOINT sent") : DB_OK;
    if (rc == DB_OK) {
        rc = write_vals(j->r, j->vals.s, j->vals.len, j->nrows);
        if (j->checked && rc == DB_OK)
            rc = db_exec(d, "RELEASE SAVEPOINT sent");
    }
    if (j->checked && rc != DB_OK) {
        enum db_err code = d->errcode;
        char err[512];
        snprintf(err, sizeof err, "%s", d->err);
        if (db_exec(d, "ROLLBACK TO SAVEPOINT sent") != DB_OK ||
            db_exec(d, "RELEASE SAVEPOINT sent") != DB_OK)
            code = d->errcode == DBE_NONE ? DBE_OTHER : d->errcode;
        d->errcode = code;
        snprintf(d->err, sizeof d->err, "%s", err);
    }
    j->rc = rc;
    j->code = rc == DB_OK ? DBE_NONE : d->errcode;
    snprintf(j->err, sizeof j->err, "%s", rc == DB_OK ? "" : d->err);
}

static void job_free(struct job *j)
{
    buf_free(&j->vals);
    free(j->tags);
    free(j);
}

static void keep_failed(db_rows *r, struct job *j); /* for db_rows_send's caller */

static void *bg_main(void *arg)
{
    db *d = arg;
    struct bg *b = d->bg;
    on_thread = 1;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->head && !b->stop)
            pthread_cond_wait(&b->work, &b->mu);
        struct job *j = b->head;
        if (!j)
            break;
        pthread_mutex_unlock(&b->mu);
        run_job(d, j);
        pthread_mutex_lock(&b->mu);
        b->head = j->next;
        if (!b->head)
            b->tail = NULL;
        b->bytes -= j->vals.len;
        if (j->ahead)
            j->ahead->got = j->rc == DB_OK ? j->ahead->n : -1;
        if (j->rc != DB_OK && (!j->checked || j->code != DBE_CONSTRAINT) && !b->failed) {
            b->failed = 1;
            b->code = j->code;
            snprintf(b->err, sizeof b->err, "%s", j->err);
        }
        if (j->rc != DB_OK && j->checked && j->code == DBE_CONSTRAINT) {
            keep_failed(j->r, j);
        } else {
            if (b->nspare < BG_SPARE && j->vals.cap >= DB_ROWS_BYTES) {
                b->spare[b->nspare] = j->vals;
                b->spare[b->nspare++].len = 0;
                memset(&j->vals, 0, sizeof j->vals);
            }
            job_free(j);
        }
        atomic_fetch_sub(&b->pending, 1);
        pthread_cond_broadcast(&b->done);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

static void bg_wait(db *d)
{
    struct bg *b = d->bg;
    pthread_mutex_lock(&b->mu);
    while (atomic_load(&b->pending))
        pthread_cond_wait(&b->done, &b->mu);
    pthread_mutex_unlock(&b->mu);
}

/* Queue j (its vals taken from the caller); waits while BG_BYTES are queued. */
static void bg_send(db *d, struct job *j)
{
    if (!d->bg) {
        struct bg *b = xcalloc(1, sizeof *b);
        pthread_mutex_init(&b->mu, NULL);
        pthread_cond_init(&b->work, NULL);
        pthread_cond_init(&b->done, NULL);
        d->bg = b;
        if (pthread_create(&b->th, NULL, bg_main, d))
            die("store: cannot start the writing thread");
    }
    struct bg *b = d->bg;
    pthread_mutex_lock(&b->mu);
    while (b->bytes >= BG_BYTES)
        pthread_cond_wait(&b->done, &b->mu);
    if (b->tail)
        b->tail->next = j;
    else
        b->head = j;
    b->tail = j;
    b->bytes += j->vals.len;
    atomic_fetch_add(&b->pending, 1);
    pthread_cond_signal(&b->work);
    pthread_mutex_unlock(&b->mu);
}

/* A failed write sent before: DB_ERROR with its error in d (after SYNC). */
static int bg_failed(db *d)
{
    if (!d->bg || !d->bg->failed)
        return DB_OK;
    d->errcode = d->bg->code;
    snprintf(d->err, sizeof d->err, "%s", d->bg->err);
    return DB_ERROR;
}

/* The transaction ended: what failed in it is forgotten, and so are its reservations. */
static void tx_ended(db *d)
{
    if (d->bg)
        d->bg->failed = 0;
    for (int i = 0; i < d->nahead; i++) { /* ids reserved and not taken: a gap, as a
                                            rollback leaves in a sequence */
        free(d->ahead[i]->table);
        free(d->ahead[i]);
    }
    d->nahead = 0;
    for (int i = 0; i < d->nresv; i++)
        free(d->resv[i].table);
    d->nresv = 0;
}

static void bg_stop(db *d)
{
    struct bg *b = d->bg;
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    pthread_cond_signal(&b->work);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->th, NULL);
    for (int i = 0; i < b->nspare; i++)
        buf_free(&b->spare[i]);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->work);
    pthread_cond_destroy(&b->done);
    free(b);
    d->bg = NULL;
}

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
    d->memo_gen = -1;
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
    bg_stop(d);
    d->drv->close(d->conn);
    for (int i = 0; i < MEMO_SLOTS; i++) {
        free(d->memo[i].key);
        free(d->memo[i].blob);
    }
    free(d);
}

int db_revive(db *d)
{
    SYNC(d);
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
    SYNC(d);
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
    SYNC(d);
    if (d->drv->busy_timeout)
        d->drv->busy_timeout(d->conn, ms);
}

enum db_kind db_kind(const db *d)
{
    return d->kind;
}

const char *db_errmsg(const db *d)
{
    SYNC((db *)d);
    return d->err;
}

enum db_err db_errcode(const db *d)
{
    SYNC((db *)d);
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
    SYNC(d);
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
    SYNC(s->d);
    s->d->drv->bind(s->st, i, NULL, v, 1);
}

void st_bind_text(stmt *s, int i, const char *v)
{
    SYNC(s->d);
    s->d->drv->bind(s->st, i, v, 0, v ? 2 : 0);
}

void st_bind_null(stmt *s, int i)
{
    SYNC(s->d);
    s->d->drv->bind(s->st, i, NULL, 0, 0);
}

int st_step(stmt *s)
{
    SYNC(s->d);
    int rc = s->d->drv->step(s->st);
    if (rc == DB_ERROR)
        set_err(s->d, s->sql);
    return rc;
}

int st_ncols(stmt *s)
{
    SYNC(s->d);
    return s->d->drv->ncols(s->st);
}

const char *st_colname(stmt *s, int i)
{
    SYNC(s->d);
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
    SYNC(s->d);
    return s->d->drv->text(s->st, i) == NULL;
}

const char *st_text_at(stmt *s, int i)
{
    SYNC(s->d);
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
    SYNC(s->d);
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
    SYNC(d);
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
    } else if (db_tx_lost(d)) { /* a SAVEPOINT now would begin a transaction of its own */
        d->errcode = DBE_OTHER;
        snprintf(d->err, sizeof d->err, "the transaction was rolled back by an earlier error");
        return DB_ERROR;
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
    SYNC(d);
    if (d->depth == 0)
        die("commit without a transaction");
    if (!on_thread && bg_failed(d) != DB_OK) { /* a write sent in it failed */
        enum db_err code = d->errcode;
        char err[512];
        snprintf(err, sizeof err, "%s", d->err);
        db_rollback(d);
        d->errcode = code;
        snprintf(d->err, sizeof d->err, "%s", err);
        return DB_ERROR;
    }
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
    if (--d->depth == 0) {
        tx_ended(d);
        if (d->drv->unlock_writer)
            d->drv->unlock_writer(d->conn);
    }
    return DB_OK;
}

int db_rollback(db *d)
{
    SYNC(d);
    if (d->depth == 0)
        die("rollback without a transaction");
    int rc;
    if (db_tx_lost(d)) { /* the engine rolled it back already: keep what it said of why */
        rc = DB_OK;
    } else if (d->depth == 1) {
        rc = db_exec(d, "ROLLBACK");
    } else {
        char sql[64];
        snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT sp%d", d->depth - 1);
        rc = db_exec(d, sql);
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT sp%d", d->depth - 1);
        if (rc == DB_OK)
            rc = db_exec(d, sql);
    }
    if (--d->depth == 0) {
        tx_ended(d);
        if (d->drv->unlock_writer)
            d->drv->unlock_writer(d->conn);
    }
    return rc;
}

int db_depth(const db *d)
{
    SYNC((db *)d);
    return d->depth;
}

int db_tx_lost(const db *d)
{
    SYNC((db *)d);
    return d->depth > 0 && d->drv->in_tx && !d->drv->in_tx(d->conn);
}

void db_clear_error(db *d)
{
    SYNC(d);
    d->errcode = DBE_NONE;
    d->err[0] = 0;
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
    SYNC(d);
    if (d->drv->plan_once)
        d->drv->plan_once(d->conn, on);
}

int db_watch_changes(db *d)
{
    SYNC(d);
    for (const char *const *q = d->drv->watch_sql; q && *q; q++)
        if (db_exec(d, *q) != DB_OK)
            return DB_ERROR;
    return DB_OK;
}

int db_analyze(db *d)
{
    SYNC(d);
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

const char *db_opaque_int(const db *d)
{
    return db_kind(d) == DB_PG ? "(SELECT CAST(? AS BIGINT))" : "?";
}

const char *db_opaque_text(const db *d)
{
    return db_kind(d) == DB_PG ? "(SELECT CAST(? AS TEXT))" : "?";
}

const char *db_no_index(const db *d)
{
    return db_kind(d) == DB_PG ? "" : "+";
}

const char *db_case_fold(const db *d)
{
    return db_kind(d) == DB_PG ? "lower" : "";
}

const char *db_in_int_set(const db *d)
{
    /* ANY of an array cast from a sub-select: the array's length is unknown to both the
     * generic and the custom plans, which then cost the same, so PostgreSQL keeps one. */
    return db_kind(d) == DB_PG ? " = ANY(CAST((SELECT CAST(? AS BIGINT[])) AS BIGINT[]))"
                               : " IN (SELECT value FROM json_each(?))";
}

char *db_int_set_text(const db *d, const int64_t *ids, size_t n)
{
    buf b = {0};
    int pg = db_kind(d) == DB_PG;
    buf_putc(&b, pg ? '{' : '[');
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
    buf_putc(&b, pg ? '}' : ']');
    return buf_take(&b);
}

int db_nulls_last(const db *d)
{
    return d->drv->nulls_last;
}

int db_index_needs_id(const db *d)
{
    return d->drv->index_needs_id;
}

int db_has_column(db *d, const char *table, const char *column)
{
    SYNC(d);
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
    if (d->drv->upgrade_lock_sql && db_exec(d, d->drv->upgrade_lock_sql) != DB_OK)
        goto fail;
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
    SYNC(d);
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

/* The slot holding KEY (under any generation), or -1. */
static int memo_find(db *d, const char *key)
{
    for (int i = 0; i < MEMO_SLOTS; i++)
        if (d->memo[i].key && !strcmp(d->memo[i].key, key))
            return i;
    return -1;
}

/* KEY's slot valid now, or -1. The generation seen is recorded, so that a value computed
 * next is kept under the generation from before it was computed (a write that lands while
 * it is computed then makes the next reader compute it again). */
static int memo_hit(db *d, const char *key)
{
    /* None inside a transaction: a value computed there may count a write that then rolls
     * back, and a rollback moves no change number (SQLite's total_changes stays). */
    if (d->depth) {
        d->memo_gen = -1;
        return -1;
    }
    int64_t gen = generation(d);
    int i = memo_find(d, key);
    d->memo_gen = gen;
    return gen >= 0 && i >= 0 && d->memo[i].gen == gen ? i : -1;
}

/* The slot to keep KEY in under the generation the last get saw, or -1 (no get since the
 * last put, or an engine that cannot tell). */
static int memo_slot(db *d, const char *key)
{
    int64_t gen = d->memo_gen;
    d->memo_gen = -1;
    if (gen < 0)
        return -1;
    int slot = memo_find(d, key);
    if (slot < 0) {
        slot = (int)(d->memo_next++ % MEMO_SLOTS);
        free(d->memo[slot].key);
        d->memo[slot].key = xstrdup(key);
    }
    free(d->memo[slot].blob);
    d->memo[slot].blob = NULL;
    d->memo[slot].gen = gen;
    d->memo[slot].at = now_ms();
    return slot;
}

int db_memo_get(db *d, const char *key, int64_t *v)
{
    int i = memo_hit(d, key);
    if (i < 0 || d->memo[i].blob)
        return 0;
    *v = d->memo[i].v;
    return 1;
}

void db_memo_put(db *d, const char *key, int64_t v)
{
    int i = memo_slot(d, key);
    if (i >= 0)
        d->memo[i].v = v;
}

const void *db_memo_get_blob(db *d, const char *key, size_t *len)
{
    int i = memo_hit(d, key);
    if (i < 0 || !d->memo[i].blob)
        return NULL;
    *len = d->memo[i].blen;
    return d->memo[i].blob;
}

void db_memo_put_blob(db *d, const char *key, const void *data, size_t len)
{
    int i = memo_slot(d, key);
    if (i < 0)
        return;
    d->memo[i].blob = xmalloc(len ? len : 1);
    memcpy(d->memo[i].blob, data, len);
    d->memo[i].blen = len;
}

int db_memo_stale(db *d, const char *key, int64_t *v, double *age_ms)
{
    int i = memo_find(d, key);
    if (i < 0 || d->memo[i].blob)
        return 0;
    *v = d->memo[i].v;
    *age_ms = now_ms() - d->memo[i].at;
    return 1;
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
    int *tags;    /* rows_tag of each row held, when given */
    size_t ntags, captags;
    struct job *failed; /* sent in a savepoint and refused there (db_rows_send) */
    char *insert[4];    /* the INSERT of 1, 4, 16 and 64 rows (insert_rows) */
};

/* The INSERT of n rows into r's table. */
static char *insert_sql(const db_rows *r, size_t n)
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
    return buf_take(&q);
}

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
    for (int i = 0; i < 4; i++)
        r->insert[i] = insert_sql(r, (size_t)1 << (2 * i));
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

void rows_tag(db_rows *r, int tag)
{
    if (r->nrows >= r->captags) {
        r->captags = r->nrows + 1 > 2 * r->captags ? r->nrows + 1024 : 2 * r->captags;
        r->tags = xrealloc(r->tags, r->captags * sizeof *r->tags);
    }
    for (; r->ntags < r->nrows; r->ntags++) /* the rows before without one */
        r->tags[r->ntags] = (int)r->ntags;
    r->tags[r->ntags++] = tag;
}

/* The value at p: its tag, and where the next one begins. */
static const char *next_val(const char *p)
{
    return *p == 'i' ? p + 1 + sizeof(int64_t) : *p == 't' ? p + 2 + strlen(p + 1) : p + 1;
}

/* Write the n rows (1, 4, 16 or 64) from p with one INSERT; *end gets where the next row
 * begins. Their text is bound without a copy: vals outlives the statement's run. */
static int insert_rows(db_rows *r, const char *p, size_t n, const char **end)
{
    stmt *s = db_prepare(r->d, r->insert[n >= 64 ? 3 : n >= 16 ? 2 : n >= 4 ? 1 : 0]);
    int k = 1;
    for (size_t i = 0; i < n * (size_t)r->ncols; i++, p = next_val(p)) {
        if (!s)
            continue;
        if (*p == 'i') {
            int64_t v;
            memcpy(&v, p + 1, sizeof v);
            r->d->drv->bind(s->st, k++, NULL, v, 1);
        } else if (*p == 't') {
            r->d->drv->bind(s->st, k++, p + 1, 0, 3);
        } else {
            r->d->drv->bind(s->st, k++, NULL, 0, 0);
        }
    }
    *end = p;
    int rc = s && st_step(s) == DB_DONE ? DB_OK : DB_ERROR;
    st_finalize(s);
    return rc;
}

/* Rows as COPY text, a piece at a time (the driver's copy asks for the next). */
#define COPY_PIECE (256u << 10)
struct copy_src {
    const db_rows *r;
    const char *p, *end; /* the values not yet made text */
    int k;               /* columns of the row at p made text */
    buf out;
};

/* driver copy's next: the text of the next values, a piece of about COPY_PIECE. */
static size_t copy_next(void *arg, const char **data)
{
    struct copy_src *s = arg;
    const db_rows *r = s->r;
    buf *out = &s->out;
    const char *p = s->p;
    int k = s->k;
    out->len = 0;
    for (; p < s->end && out->len < COPY_PIECE; p = next_val(p)) {
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
    s->p = p;
    s->k = k;
    *data = out->s;
    return out->len;
}

/* Write the nrows rows of vals[0..len): one COPY, or INSERTs of up to 64 rows. */
static int write_vals(db_rows *r, const char *vals, size_t len, size_t nrows)
{
    if (r->copy) {
        struct copy_src src = {.r = r, .p = vals, .end = vals + len};
        buf tc = {0};
        buf_printf(&tc, "%s (%s)", r->table, r->cols);
        int rc = r->d->drv->copy(r->d->conn, buf_str(&tc), copy_next, &src);
        if (rc)
            set_err(r->d, buf_str(&tc));
        buf_free(&src.out);
        buf_free(&tc);
        return rc ? DB_ERROR : DB_OK;
    }
    const char *p = vals;
    int rc = DB_OK;
    for (size_t i = 0; i < nrows && rc == DB_OK;) {
        size_t n = nrows - i >= ROWS_INSERT ? ROWS_INSERT : nrows - i;
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
    r->ntags = 0;
}

static int async(const db_rows *r)
{
    return (r->flags & DB_ROWS_ASYNC) && r->d->depth > 0;
}

int db_rows_end(db_rows *r)
{
    if (r->nvals != r->ncols)
        die("db_rows: a row of %d values for %d columns (%s)", r->nvals, r->ncols, r->cols);
    r->nvals = 0;
    r->nrows++;
    if (r->copy || async(r) ? r->vals.len >= DB_ROWS_BYTES : r->nrows >= ROWS_INSERT)
        return async(r) ? db_rows_send(r, NULL, NULL) : db_rows_flush(r, NULL, NULL);
    return DB_OK;
}

/* The tag of row i of a flush whose tags are tags[0..ntags). */
static int tag_of(const int *tags, size_t ntags, size_t i)
{
    return i < ntags ? tags[i] : (int)i;
}

/* Write the rows of vals again one at a time, each in its own savepoint, calling bad for
 * each the database refuses on a constraint (see db_rows_flush). */
static void one_by_one(db_rows *r, const char *vals, size_t nrows, const int *tags, size_t ntags,
                       void (*bad)(void *arg, int tag, const char *msg), void *arg)
{
    db *d = r->d;
    const char *p = vals;
    for (size_t i = 0; i < nrows; i++) {
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
        bad(arg, tag_of(tags, ntags, i), d->err);
    }
    if (d->errcode == DBE_CONSTRAINT || d->errcode == DBE_NONE)
        d->errcode = DBE_CONSTRAINT;
}

/* Called by the writing thread, its lock held: j, refused on a constraint, waits for the
 * next db_rows_send or db_rows_flush of its rows. */
static void keep_failed(db_rows *r, struct job *j)
{
    j->next = r->failed;
    r->failed = j;
}

/* The answer to what r sent before (with all, every row of it written first; else what
 * is written so far, without waiting for the rest): DB_OK, or DB_ERROR (bad called for
 * each row refused on a constraint; a failure of another kind answers as db_rows_flush
 * would). */
static int collect(db_rows *r, int all, void (*bad)(void *arg, int tag, const char *msg), void *arg)
{
    db *d = r->d;
    struct job *j = NULL, *rev = NULL;
    int failed = 0;
    if (all)
        SYNC(d);
    if (d->bg) {
        pthread_mutex_lock(&d->bg->mu);
        j = r->failed;
        r->failed = NULL;
        failed = d->bg->failed;
        pthread_mutex_unlock(&d->bg->mu);
    }
    if (j || failed) /* its rows are tried again one by one, or the error read: on this
                        thread, the connection idle */
        SYNC(d);
    int rc = DB_OK;
    while (j) { /* in the order sent */
        struct job *next = j->next;
        j->next = rev;
        rev = j;
        j = next;
    }
    for (j = rev; j; j = rev) {
        rev = j->next;
        if (rc == DB_OK || d->errcode == DBE_CONSTRAINT) {
            d->errcode = j->code;
            snprintf(d->err, sizeof d->err, "%s", j->err);
            if (bad)
                one_by_one(r, j->vals.s, j->nrows, j->tags, j->nrows, bad, arg);
            rc = DB_ERROR;
        }
        job_free(j);
    }
    if (failed && bg_failed(d) != DB_OK)
        rc = DB_ERROR;
    return rc;
}

int db_rows_send(db_rows *r, void (*bad)(void *arg, int tag, const char *msg), void *arg)
{
    if (!async(r))
        return db_rows_flush(r, bad, arg);
    int rc = collect(r, 0, bad, arg);
    if (rc != DB_OK && db_errcode(r->d) != DBE_CONSTRAINT) {
        rows_clear(r);
        return rc;
    }
    if (!r->nrows)
        return rc;
    struct job *j = xcalloc(1, sizeof *j);
    j->r = r;
    j->vals = r->vals; /* taken: r starts a new buffer, or one a written job left */
    memset(&r->vals, 0, sizeof r->vals);
    struct bg *b = r->d->bg;
    if (b) {
        pthread_mutex_lock(&b->mu);
        if (b->nspare)
            r->vals = b->spare[--b->nspare];
        pthread_mutex_unlock(&b->mu);
    }
    j->nrows = r->nrows;
    if (r->ntags) {
        j->tags = xmalloc(r->nrows * sizeof *j->tags);
        for (size_t i = 0; i < r->nrows; i++)
            j->tags[i] = tag_of(r->tags, r->ntags, i);
    }
    j->checked = bad != NULL;
    rows_clear(r);
    bg_send(r->d, j);
    return rc;
}

int db_rows_flush(db_rows *r, void (*bad)(void *arg, int tag, const char *msg), void *arg)
{
    int rc = collect(r, 1, bad, arg);
    db *d = r->d;
    if ((rc != DB_OK && d->errcode != DBE_CONSTRAINT) || !r->nrows) {
        rows_clear(r);
        return rc;
    }
    if (!bad) {
        int one = write_vals(r, r->vals.s, r->vals.len, r->nrows);
        rows_clear(r);
        return one != DB_OK ? one : rc;
    }
    int one = db_begin(d);
    if (one == DB_OK) {
        if ((one = write_vals(r, r->vals.s, r->vals.len, r->nrows)) == DB_OK)
            one = db_commit(d);
        else
            db_rollback(d);
    }
    if (one != DB_OK && d->errcode == DBE_CONSTRAINT) /* which rows: one at a time */
        one_by_one(r, r->vals.s, r->nrows, r->tags, r->ntags, bad, arg);
    rows_clear(r);
    return one != DB_OK ? one : rc;
}

size_t db_rows_held(const db_rows *r)
{
    return r->nrows;
}

void db_rows_free(db_rows *r)
{
    if (!r)
        return;
    SYNC(r->d); /* nothing of r is left with the thread */
    while (r->failed) {
        struct job *j = r->failed;
        r->failed = j->next;
        job_free(j);
    }
    buf_free(&r->vals);
    free(r->tags);
    free(r->table);
    free(r->cols);
    for (int i = 0; i < 4; i++)
        free(r->insert[i]);
    free(r);
}

int db_holds_rows(const db *d)
{
    return d->drv->reserve_ids || d->kind == DB_SQLITE;
}

/* This transaction's block of ids ahead for table, or NULL. */
static struct ahead *find_ahead(db *d, const char *table)
{
    for (int i = 0; i < d->nahead; i++)
        if (!strcmp(d->ahead[i]->table, table))
            return d->ahead[i];
    return NULL;
}

/* The block of ids of table that the writing thread was sent to reserve: up to n of them
 * into ids (how many), 0 when none was sent, -1 when reserving failed. Sent a block ahead,
 * it is mostly there by the time it is needed, where waiting for the connection would
 * wait for every row sent before. */
static int take_ahead(db *d, const char *table, int64_t *ids, int n)
{
    struct ahead *a = find_ahead(d, table);
    if (!a || !a->queued)
        return 0;
    pthread_mutex_lock(&d->bg->mu);
    while (!a->got)
        pthread_cond_wait(&d->bg->done, &d->bg->mu);
    pthread_mutex_unlock(&d->bg->mu);
    a->queued = 0;
    if (a->got < 0)
        return -1;
    int k = a->got < n ? a->got : n;
    memcpy(ids, a->ids, (size_t)k * sizeof *ids);
    return k;
}

/* Send the writing thread to reserve the next n ids of table (for take_ahead). */
static void send_ahead(db *d, const char *table, int n)
{
    struct ahead *a = find_ahead(d, table);
    if (!a) {
        if (d->nahead == RESERVED)
            return;
        a = d->ahead[d->nahead++] = xcalloc(1, sizeof *a);
        a->table = xstrdup(table);
    }
    a->n = n;
    a->got = 0;
    a->queued = 1;
    struct job *j = xcalloc(1, sizeof *j);
    j->ahead = a;
    bg_send(d, j);
}

int db_reserve_ids(db *d, const char *table, int64_t *ids, int n)
{
    if (n < 1 || n > DB_RESERVE_MAX)
        return 0;
    if (d->drv->reserve_ids) {
        int ahead = d->depth > 0 && !on_thread; /* a bulk write's: the next block ahead */
        int got = ahead ? take_ahead(d, table, ids, n) : 0;
        if (got < 0) {
            SYNC(d);
            bg_failed(d);
            return 0;
        }
        if (!got) {
            SYNC(d);
            if (d->drv->reserve_ids(d->conn, table, ids, n)) {
                set_err(d, "reserve ids");
                return 0;
            }
            got = n;
        }
        if (ahead)
            send_ahead(d, table, n);
        return got;
    }
    if (!d->depth || d->kind != DB_SQLITE) /* no write lock held: nothing to count on */
        return 0;
    int i = 0;
    while (i < d->nresv && strcmp(d->resv[i].table, table))
        i++;
    if (i == d->nresv) {
        if (d->nresv == RESERVED)
            return 0;
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM %s", table);
        int64_t max = db_int(d, -1, sql, "");
        if (max < 0)
            return 0;
        d->resv[i].table = xstrdup(table);
        d->resv[i].next = max + 1;
        d->nresv++;
    }
    for (int k = 0; k < n; k++)
        ids[k] = d->resv[i].next++;
    return n;
}
