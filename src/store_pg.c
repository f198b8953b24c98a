/* store_pg.c - the PostgreSQL driver behind store.h, on libpq.
 *
 * SQL arrives with '?' placeholders and is rewritten to $1, $2 ... once, at prepare time,
 * without contacting the server. The first st_step() runs the statement and keeps the
 * whole result in memory (so other statements may run on the connection while a caller
 * walks the rows); later steps hand out its rows. Parameters travel as text with no
 * declared types: the server infers them, and int64s are sent as decimal text.
 *
 * Plain DML (SELECT, INSERT, UPDATE, DELETE, WITH) is prepared on the server once per
 * connection and SQL text and then run with PQexecPrepared; GET-by-id is hot. DDL run
 * through the connection forgets every cached plan first, so a "SELECT *" prepared before
 * an ALTER TABLE never meets "cached plan must not change result type"; a plan made stale
 * by another connection's DDL is dropped and, outside a transaction, retried once.
 *
 * Results come back as text: integers as decimal, booleans as "1"/"0" (as on SQLite).
 *
 * Ownership: struct pgconn owns the PGconn, the last error message and the plan cache;
 * struct pgstmt owns its rewritten SQL, its bound values and its PGresult.
 */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "store.h"
#include "util.h"

#define PLAN_CACHE 128 /* plans kept per connection */
#define BOOLOID    16  /* pg_type oid of boolean */

struct plan {
    char *sql;     /* rewritten SQL, owned; NULL for an empty slot */
    uint32_t hash; /* of sql */
    char name[24]; /* server-side statement name, unique for the connection's life */
};

struct watch; /* the database's listener (see pg_generation) */

struct pgconn {
    PGconn *pg;
    struct watch *w;   /* this database's listener, once generation was asked; not owned */
    char *url;         /* owned: to start the listener */
    int dirty;         /* wrote since its transaction began (or, outside one, since the last
                        * statement): counted in `commits` when the transaction ends */
    char *err;         /* last error message, owned; "" when none */
    enum db_err code;  /* class of the last error */
    uint64_t nplanned; /* statements ever prepared on the server: names them */
    int evict;         /* next slot to reuse when the cache is full */
    struct plan plans[PLAN_CACHE];
};

struct pgstmt {
    struct pgconn *c;
    char *sql;       /* rewritten with $n, owned */
    int nparams;     /* highest $n */
    char **vals;     /* nparams values, owned; NULL means SQL NULL */
    PGresult *res;   /* after the first step, owned */
    int row, nrows;  /* current row (-1 before the first) and the row count */
    int ran, failed; /* executed already; the execution failed */
    int cacheable;   /* plain DML: may be prepared once and reused */
    int ddl;         /* CREATE / ALTER / DROP: invalidates cached plans */
    int commit;      /* COMMIT / END: must not silently roll back */
    int write;       /* may change rows (anything but a read or transaction control) */
};

/* Set C's error to MSG (copied; NULL means "") and CODE. */
static void set_err(struct pgconn *c, const char *msg, enum db_err code)
{
    c->code = code;
    if ((!msg || !*msg) && !*c->err)
        return; /* the common case, a success after a success */
    free(c->err);
    c->err = xstrdup(msg ? msg : "");
}

/* Strip trailing newlines and spaces from the owned string S in place; returns S. */
static char *chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Map a SQLSTATE to a class: 23xxx constraint, 53xxx full, serialization failure /
 * deadlock / lock not available busy, anything else (or no state at all) other. */
static enum db_err classify(const char *state)
{
    if (!state)
        return DBE_OTHER;
    if (strncmp(state, "23", 2) == 0)
        return DBE_CONSTRAINT;
    if (strncmp(state, "53", 2) == 0) /* insufficient resources: disk full, out of memory */
        return DBE_FULL;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
        return DBE_BUSY;
    /* the server went away (connection exception, shutting down, starting up): busy until
     * db_revive reconnects */
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
        return DBE_BUSY;
    return DBE_OTHER;
}

/* Record the error carried by RES on C: the server's primary message with its detail in
 * parentheses, and the class of its SQLSTATE. RES NULL (out of memory, lost connection)
 * falls back to the connection's message. RES is not freed. */
static void set_res_err(struct pgconn *c, const PGresult *res)
{
    const char *prim = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!prim) {
        char *m = chomp(xstrdup(res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg)));
        if (!*m) {
            free(m);
            m = chomp(xstrdup(PQerrorMessage(c->pg)));
        }
        set_err(c, *m ? m : "postgresql: unknown error",
                PQstatus(c->pg) == CONNECTION_BAD ? DBE_BUSY : DBE_OTHER);
        free(m);
        return;
    }
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    buf b = {0};
    buf_puts(&b, prim);
    if (detail)
        buf_printf(&b, " (%s)", detail);
    set_err(c, buf_str(&b), classify(PQresultErrorField(res, PG_DIAG_SQLSTATE)));
    buf_free(&b);
}

/* ---- has anything changed (pg_generation) ------------------------------------------
 *
 * PostgreSQL has no cheap "has the data changed" number, and asking the server for one
 * costs a round trip on every request that keeps a memo (a list's count, a session). So:
 * - `commits` counts this process's transactions that wrote, once each has ended: read
 *   after a write's COMMIT, it has moved before the writer answers its request;
 * - a listener thread per database (its own connection, LISTEN qiao_changed) counts the
 *   notifications of other processes' writes in `notes` (ours, told by their server
 *   process ids, are in `commits` already). The triggers of schema step v4
 *   (pg_watch_sql) send one when a transaction that moved the audit head, or changed
 *   sessions, users or orgs, commits. A notification arrives a moment after that commit
 *   (well under a millisecond on loopback), so another process's write can go unseen for
 *   that moment; this process's own writes never do.
 * While the listener is not connected, and inside a transaction that wrote, it answers
 * -1 and store.c reads the audit head instead, as it did before. */

static atomic_uint_fast64_t commits;

struct watch {
    char *url;
    pthread_t th;
    atomic_uint_fast64_t notes; /* notifications seen, and reconnections */
    atomic_int up;              /* connected and listening */
    atomic_int stop;
    struct watch *next;
};

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct watch *watches;
static int watch_users; /* open connections that may use a listener */
static int *own_pids;   /* their server processes: their writes are in `commits` already */
static int nown;

/* Under watch_lock: forget server process PID of one of ours (0: none), remember NEW. */
static void own_pid(int pid, int new)
{
    for (int i = 0; pid && i < nown; i++)
        if (own_pids[i] == pid) {
            own_pids[i] = own_pids[--nown];
            break;
        }
    if (new) {
        own_pids = xrealloc(own_pids, (size_t)(nown + 1) * sizeof *own_pids);
        own_pids[nown++] = new;
    }
}

/* Notifications other processes sent (ours are counted when they commit). */
static uint_fast64_t foreign(PGconn *pg)
{
    uint_fast64_t n = 0;
    pthread_mutex_lock(&watch_lock);
    for (PGnotify *m; (m = PQnotifies(pg)); PQfreemem(m)) {
        int ours = 0;
        for (int i = 0; i < nown && !ours; i++)
            ours = own_pids[i] == m->be_pid;
        n += !ours;
    }
    pthread_mutex_unlock(&watch_lock);
    return n;
}

#define WATCH_CHANNEL "qiao_changed"

static void *watch_main(void *arg)
{
    struct watch *w = arg;
    PGconn *pg = NULL;
    while (!atomic_load(&w->stop)) {
        if (!pg || PQstatus(pg) != CONNECTION_OK) {
            atomic_store(&w->up, 0);
            PQfinish(pg);
            pg = PQconnectdb(w->url);
            PGresult *r =
                PQstatus(pg) == CONNECTION_OK ? PQexec(pg, "LISTEN " WATCH_CHANNEL) : NULL;
            int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            PQclear(r);
            if (!ok) { /* the server is away: try again in a second */
                PQfinish(pg);
                pg = NULL;
                for (int i = 0; i < 10 && !atomic_load(&w->stop); i++)
                    poll(NULL, 0, 100);
                continue;
            }
            atomic_fetch_add(&w->notes, 1); /* what happened while away is unknown */
            atomic_store(&w->up, 1);
        }
        struct pollfd p = {.fd = PQsocket(pg), .events = POLLIN};
        if (poll(&p, 1, 100) < 0 || (p.revents && !PQconsumeInput(pg))) {
            PQfinish(pg);
            pg = NULL;
            continue;
        }
        uint_fast64_t n = foreign(pg);
        if (n)
            atomic_fetch_add(&w->notes, n);
    }
    PQfinish(pg);
    return NULL;
}

/* URL's listener, started on first use; NULL when the thread cannot start. */
static struct watch *watch_for(const char *url)
{
    pthread_mutex_lock(&watch_lock);
    struct watch *w = watches;
    while (w && strcmp(w->url, url))
        w = w->next;
    if (!w) {
        w = xcalloc(1, sizeof *w);
        w->url = xstrdup(url);
        if (pthread_create(&w->th, NULL, watch_main, w)) {
            free(w->url);
            free(w);
            w = NULL;
        } else {
            w->next = watches;
            watches = w;
        }
    }
    pthread_mutex_unlock(&watch_lock);
    return w;
}

/* The last connection closed: stop the listeners (a command that ends, a server stopping). */
static void watch_release(void)
{
    pthread_mutex_lock(&watch_lock);
    struct watch *all = --watch_users == 0 ? watches : NULL;
    if (all)
        watches = NULL;
    if (!watch_users) {
        free(own_pids);
        own_pids = NULL;
        nown = 0;
    }
    pthread_mutex_unlock(&watch_lock);
    while (all) {
        struct watch *w = all;
        all = w->next;
        atomic_store(&w->stop, 1);
        pthread_join(w->th, NULL);
        free(w->url);
        free(w);
    }
}

/* After a statement on C: a write makes it dirty, and once no transaction is open any
 * more, a dirty connection's writes are counted (committed or not: counting a rollback
 * only costs a memo). */
static void settle(struct pgconn *c, int wrote)
{
    c->dirty |= wrote;
    if (c->dirty && PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
        atomic_fetch_add(&commits, 1);
        c->dirty = 0;
    }
}

/* Notices ("relation already exists, skipping") are not errors; keep them off stderr. */
static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

/* No parallel plans: a request is one reader's page, and a plan that starts worker
 * processes for it (a village's page whose planner thinks its orgs hold 90,000 people:
 * Parallel Bitmap Heap Scan) took the page from 7,085 to 158 req/s under 64 connections,
 * measured; a report over the province's million rows reads them in one process. */
#define SESSION_SETUP                                                                              \
    "SET client_encoding TO 'UTF8'; SET TIME ZONE 'UTC'; SET max_parallel_workers_per_gather = 0"

/* Connect to URL (any libpq conninfo; postgresql://user@host:port/db), set the session to
 * UTF-8, UTC and serial plans. Returns a malloc'd struct pgconn that pg_close() frees, or NULL with
 * the reason in err (truncated to errlen). */
static void *pg_open(const char *url, char *err, size_t errlen)
{
    PGconn *pg = PQconnectdb(url);
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        char *m = chomp(xstrdup(pg ? PQerrorMessage(pg) : "out of memory"));
        snprintf(err, errlen, "postgresql: %s", m);
        free(m);
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, quiet, NULL);
    PGresult *res = PQexec(pg, SESSION_SETUP);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        char *m = chomp(xstrdup(PQresultErrorMessage(res)));
        snprintf(err, errlen, "postgresql: session setup: %s", m);
        free(m);
        PQclear(res);
        PQfinish(pg);
        return NULL;
    }
    PQclear(res);
    struct pgconn *c = xcalloc(1, sizeof *c);
    c->pg = pg;
    c->url = xstrdup(url);
    c->err = xstrdup("");
    pthread_mutex_lock(&watch_lock);
    watch_users++;
    own_pid(0, PQbackendPID(pg));
    pthread_mutex_unlock(&watch_lock);
    return c;
}

/* Close the connection (server-side plans die with it) and free everything C owns.
 * NULL is fine. */
static void pg_close(void *conn)
{
    struct pgconn *c = conn;
    if (!c)
        return;
    for (int i = 0; i < PLAN_CACHE; i++)
        free(c->plans[i].sql);
    pthread_mutex_lock(&watch_lock);
    own_pid(PQbackendPID(c->pg), 0);
    pthread_mutex_unlock(&watch_lock);
    PQfinish(c->pg);
    free(c->url);
    free(c->err);
    free(c);
    watch_release();
}

/* A connection the server dropped (a restart) is made again, once a call: the session
 * set up as pg_open does, the cached plans forgotten (they died with the old one).
 * 0 when the connection is good (again), -1 with a busy error while the server is away. */
static int pg_revive(void *conn)
{
    struct pgconn *c = conn;
    if (PQstatus(c->pg) == CONNECTION_OK)
        return 0;
    int was = PQbackendPID(c->pg);
    PQreset(c->pg);
    pthread_mutex_lock(&watch_lock);
    own_pid(was, PQstatus(c->pg) == CONNECTION_OK ? PQbackendPID(c->pg) : 0);
    pthread_mutex_unlock(&watch_lock);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        char *m = chomp(xstrdup(PQerrorMessage(c->pg)));
        set_err(c, *m ? m : "postgresql: no connection", DBE_BUSY);
        free(m);
        return -1;
    }
    for (int i = 0; i < PLAN_CACHE; i++) {
        free(c->plans[i].sql);
        c->plans[i].sql = NULL;
    }
    settle(c, 1); /* whether its last COMMIT landed is unknown */
    PGresult *res = PQexec(c->pg, SESSION_SETUP);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        set_res_err(c, res);
    PQclear(res);
    if (ok)
        set_err(c, NULL, DBE_NONE);
    return ok ? 0 : -1;
}

/* The last error's message, owned by the connection; "" when the last call succeeded. */
static const char *pg_errmsg(void *conn)
{
    return ((struct pgconn *)conn)->err;
}

/* The last error's class; DBE_NONE when the last call succeeded. */
static enum db_err pg_errcode(void *conn)
{
    return ((struct pgconn *)conn)->code;
}

/* Rewrite SQL's '?' placeholders to $1, $2 ... in order, leaving '?' alone inside
 * '...' strings, "..." identifiers, -- and C-style comments. Returns a malloc'd string the
 * caller frees; *n gets the number of placeholders. */
static char *rewrite(const char *sql, int *n)
{
    buf b = {0};
    int k = 0;
    for (const char *p = sql; *p;) {
        if (*p == '\'' || *p == '"') {         /* quoted: copy through the closing quote */
            const char *q = strchr(p + 1, *p); /* '' and "" escapes re-enter here */
            size_t len = q ? (size_t)(q - p) + 1 : strlen(p);
            buf_add(&b, p, len);
            p += len;
        } else if (p[0] == '-' && p[1] == '-') {
            size_t len = strcspn(p, "\n");
            buf_add(&b, p, len);
            p += len;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *q = strstr(p + 2, "*/");
            size_t len = q ? (size_t)(q - p) + 2 : strlen(p);
            buf_add(&b, p, len);
            p += len;
        } else if (*p == '?') {
            buf_printf(&b, "$%d", ++k);
            p++;
        } else {
            buf_putc(&b, *p++);
        }
    }
    *n = k;
    return b.len ? buf_take(&b) : xstrdup("");
}

/* 1 if SQL's first keyword (after blanks, comments and '(') is one of the |-separated
 * WORDS, compared case-insensitively. */
static int starts_with(const char *sql, const char *words)
{
    const char *p = sql;
    for (;;) {
        while (isspace((unsigned char)*p) || *p == '(')
            p++;
        if (p[0] == '-' && p[1] == '-')
            p += strcspn(p, "\n");
        else if (p[0] == '/' && p[1] == '*') {
            const char *q = strstr(p + 2, "*/");
            p = q ? q + 2 : p + strlen(p);
        } else
            break;
    }
    size_t len = 0;
    while (isalpha((unsigned char)p[len]))
        len++;
    if (len == 0)
        return 0;
    for (const char *w = words; *w;) {
        size_t wl = strcspn(w, "|");
        if (wl == len && strncasecmp(w, p, len) == 0)
            return 1;
        w += wl;
        if (*w == '|')
            w++;
    }
    return 0;
}

/* Make a statement for SQL on CONN without contacting the server; it runs on the first
 * step. Never fails (errors in the SQL surface from pg_step). Returns a malloc'd struct
 * pgstmt that pg_finalize() frees. */
static void *pg_prepare(void *conn, const char *sql)
{
    struct pgstmt *s = xcalloc(1, sizeof *s);
    s->c = conn;
    s->sql = rewrite(sql, &s->nparams);
    if (s->nparams > 0)
        s->vals = xcalloc((size_t)s->nparams, sizeof *s->vals);
    s->row = -1;
    s->cacheable =
        starts_with(sql, "select|insert|update|delete|with") && !strstr(sql, DB_PLAN_EACH);
    s->ddl = starts_with(sql, "create|alter|drop");
    s->commit = starts_with(sql, "commit|end");
    s->write = !starts_with(sql, "select|begin|start|commit|end|rollback|savepoint|release|set|"
                                 "reset|show|listen|deallocate|explain");
    return s;
}

/* Bind parameter I (1-based) of ST: KIND 0 NULL, 1 the int64 IVAL, 2 a copy of TEXT (NULL
 * TEXT binds NULL). An index the SQL has no '?' for, or binding after the first step, is
 * a bug and aborts. */
static void pg_bind(void *st, int i, const char *text, int64_t ival, int kind)
{
    struct pgstmt *s = st;
    if (i < 1 || i > s->nparams)
        die("store_pg: bind index %d out of range 1..%d in: %s", i, s->nparams, s->sql);
    if (s->ran)
        die("store_pg: bind after step in: %s", s->sql);
    char num[24];
    free(s->vals[i - 1]);
    s->vals[i - 1] = NULL;
    if (kind == 1) {
        snprintf(num, sizeof num, "%" PRId64, ival);
        s->vals[i - 1] = xstrdup(num);
    } else if (kind >= 2 && text) { /* 3 (not copied) is SQLite's; kept here too */
        s->vals[i - 1] = xstrdup(text);
    }
}

/* FNV-1a of S. */
static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Forget every cached plan of C, telling the server to drop them too (DEALLOCATE is not
 * transactional, so a later rollback cannot resurrect them). */
static void forget_plans(struct pgconn *c)
{
    int any = 0;
    for (int i = 0; i < PLAN_CACHE; i++) {
        if (c->plans[i].sql) {
            free(c->plans[i].sql);
            c->plans[i].sql = NULL;
            any = 1;
        }
    }
    c->evict = 0;
    if (any)
        PQclear(PQexec(c->pg, "DEALLOCATE ALL")); /* names are never reused: failure is harmless */
}

/* The server-side name of a plan for SQL on C, preparing it if needed. NULL when it could
 * not be cached (the cache is full and eviction failed, e.g. in an aborted transaction):
 * the caller then runs SQL unprepared. On a prepare error, returns NULL and sets *res to
 * the failed result, which the caller reports and clears. */
static const char *plan_for(struct pgconn *c, const char *sql, PGresult **res)
{
    uint32_t h = hash(sql);
    struct plan *free_slot = NULL;
    for (int i = 0; i < PLAN_CACHE; i++) {
        struct plan *p = &c->plans[i];
        if (!p->sql) {
            if (!free_slot)
                free_slot = p;
        } else if (p->hash == h && !strcmp(p->sql, sql)) {
            return p->name;
        }
    }
    if (!free_slot) { /* round-robin eviction */
        struct plan *p = &c->plans[c->evict];
        char q[48];
        snprintf(q, sizeof q, "DEALLOCATE %s", p->name);
        PGresult *r = PQexec(c->pg, q);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok)
            return NULL;
        free(p->sql);
        p->sql = NULL;
        free_slot = p;
        c->evict = (c->evict + 1) % PLAN_CACHE;
    }
    char name[24];
    snprintf(name, sizeof name, "q%" PRIu64, ++c->nplanned);
    PGresult *r = PQprepare(c->pg, name, sql, 0, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        *res = r;
        return NULL;
    }
    PQclear(r);
    free_slot->sql = xstrdup(sql);
    free_slot->hash = h;
    memcpy(free_slot->name, name, sizeof name);
    return free_slot->name;
}

/* Forget C's cached plan NAME (a schema change elsewhere made it stale). The server copy
 * is dropped when possible; in an aborted transaction it lingers harmlessly, since names
 * are never reused. */
static void drop_plan(struct pgconn *c, const char *name)
{
    for (int i = 0; i < PLAN_CACHE; i++) {
        struct plan *p = &c->plans[i];
        if (p->sql && !strcmp(p->name, name)) {
            char q[48];
            snprintf(q, sizeof q, "DEALLOCATE %s", p->name);
            PQclear(PQexec(c->pg, q));
            free(p->sql);
            p->sql = NULL;
            return;
        }
    }
}

/* Run ST (the first step): through a cached plan for plain DML, otherwise directly.
 * Leaves the result in s->res. Returns 0, or -1 with the error recorded on the
 * connection. */
static int run_sql(struct pgstmt *s);

static int run(struct pgstmt *s)
{
    int rc = run_sql(s);
    settle(s->c, s->write);
    return rc;
}

static int run_sql(struct pgstmt *s)
{
    struct pgconn *c = s->c;
    const char *const *vals = (const char *const *)s->vals;
    PGresult *res = NULL;
    s->ran = 1;
    if (s->ddl)
        forget_plans(c);
    for (int retried = 0;; retried = 1) {
        const char *name = s->cacheable ? plan_for(c, s->sql, &res) : NULL;
        if (res) { /* the server refused to prepare it */
            set_res_err(c, res);
            PQclear(res);
            return -1;
        }
        if (name)
            res = PQexecPrepared(c->pg, name, s->nparams, vals, NULL, NULL, 0);
        else
            res = PQexecParams(c->pg, s->sql, s->nparams, NULL, vals, NULL, NULL, 0);
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
            break;
        set_res_err(c, res);
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        int stale = name && state && !strcmp(state, "0A000");
        PQclear(res);
        if (!stale)
            return -1;
        /* "cached plan must not change result type": another connection changed the
         * schema. Re-plan; outside a transaction nothing was lost, so try again once. */
        drop_plan(c, name);
        if (retried || PQtransactionStatus(c->pg) != PQTRANS_IDLE)
            return -1;
        res = NULL;
    }
    if (s->commit && !strcmp(PQcmdStatus(res), "ROLLBACK")) {
        /* COMMIT of a transaction that an earlier error aborted: the server rolled it back
         * and calls that success; the caller must hear it failed. */
        set_err(c, "transaction was aborted by an earlier error; COMMIT rolled it back", DBE_OTHER);
        PQclear(res);
        return -1;
    }
    s->res = res;
    s->nrows = PQntuples(res);
    set_err(c, NULL, DBE_NONE);
    return 0;
}

/* Advance ST: the first call runs it. DB_ROW with a current row, DB_DONE past the last
 * row (and on every call after), DB_ERROR when the execution failed (see pg_errmsg). */
static int pg_step(void *st)
{
    struct pgstmt *s = st;
    if (!s->ran && run(s) < 0)
        s->failed = 1;
    if (s->failed)
        return DB_ERROR;
    if (s->row < s->nrows)
        s->row++;
    return s->row < s->nrows ? DB_ROW : DB_DONE;
}

/* Columns in ST's result; 0 before the first step (nothing has run yet). */
static int pg_ncols(void *st)
{
    struct pgstmt *s = st;
    return s->res ? PQnfields(s->res) : 0;
}

/* Name of column I (0-based) after the first step, owned by the result; NULL when out of
 * range. */
static const char *pg_colname(void *st, int i)
{
    struct pgstmt *s = st;
    if (!s->res || i < 0 || i >= PQnfields(s->res))
        return NULL;
    return PQfname(s->res, i);
}

/* Column I (0-based) of the current row as text, owned by the result and valid until
 * finalize; NULL for SQL NULL, out of range, or no current row. Booleans read "1"/"0",
 * as SQLite gives them. */
static const char *pg_text(void *st, int i)
{
    struct pgstmt *s = st;
    if (!s->res || s->row < 0 || s->row >= s->nrows || i < 0 || i >= PQnfields(s->res))
        return NULL;
    if (PQgetisnull(s->res, s->row, i))
        return NULL;
    const char *v = PQgetvalue(s->res, s->row, i);
    if (PQftype(s->res, i) == BOOLOID)
        return *v == 't' ? "1" : "0";
    return v;
}

/* Free ST with its values and result. NULL is fine. */
static void pg_finalize(void *st)
{
    struct pgstmt *s = st;
    if (!s)
        return;
    for (int i = 0; i < s->nparams; i++)
        free(s->vals[i]);
    free(s->vals);
    free(s->sql);
    PQclear(s->res);
    free(s);
}

/* plan_cache_mode for this session: a generic plan for every prepared statement. */
static void pg_plan_once(void *conn, int on)
{
    struct pgconn *c = conn;
    PQclear(
        PQexec(c->pg, on ? "SET plan_cache_mode = force_generic_plan" : "RESET plan_cache_mode"));
}

/* PostgreSQL's spelling of each portable column type; static strings. */
static const char *pg_type_name(enum db_type t)
{
    switch (t) {
    case DT_PK:
        return "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    case DT_INT:
        return "BIGINT";
    case DT_TEXT:
        return "TEXT";
    case DT_KEY:
        return "TEXT COLLATE \"C\"";
    }
    die("store_pg: unknown column type %d", (int)t);
}

/* 1 if TABLE in the current schema has COLUMN (with COLUMN NULL: if TABLE exists), else 0.
 * Names match as written or folded to lower case, as unquoted SQL identifiers are. On a
 * server error, returns 0 with the error recorded on the connection. */
static int pg_has_column(void *conn, const char *table, const char *column)
{
    struct pgconn *c = conn;
    const char *vals[2] = {table, column};
    const char *sql = column ? "SELECT 1 FROM information_schema.columns"
                               " WHERE table_schema = current_schema()"
                               " AND table_name::text IN ($1::text, lower($1::text))"
                               " AND column_name::text IN ($2::text, lower($2::text))"
                             : "SELECT 1 FROM information_schema.tables"
                               " WHERE table_schema = current_schema()"
                               " AND table_name::text IN ($1::text, lower($1::text))";
    PGresult *res = PQexecParams(c->pg, sql, column ? 2 : 1, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        set_res_err(c, res);
        PQclear(res);
        return 0;
    }
    int found = PQntuples(res) > 0;
    PQclear(res);
    set_err(c, NULL, DBE_NONE);
    return found;
}

/* This process's ended writes and the listener's notifications (see "has anything
 * changed" above); -1 inside a transaction that wrote (what it sees is not committed)
 * and while the listener is not connected. */
static int64_t pg_generation(void *conn)
{
    struct pgconn *c = conn;
    if (c->dirty)
        return -1;
    if (!c->w && !(c->w = watch_for(c->url)))
        return -1;
    if (!atomic_load(&c->w->up))
        return -1;
    uint64_t n = atomic_load(&c->w->notes), k = atomic_load(&commits);
    return (int64_t)(((n & 0x7fffffffu) << 32) | (k & 0xffffffffu));
}

/* Schema step v4: the notifications the listeners count. */
static const char *const pg_watch_sql[] = {
    "CREATE OR REPLACE FUNCTION qiao_changed() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN PERFORM pg_notify('" WATCH_CHANNEL "', ''); RETURN NULL; END $$",
    "CREATE TRIGGER qiao_changed AFTER UPDATE ON audit_head FOR EACH STATEMENT EXECUTE "
    "FUNCTION qiao_changed()",
    "CREATE TRIGGER qiao_changed AFTER UPDATE OR DELETE ON session FOR EACH STATEMENT EXECUTE "
    "FUNCTION qiao_changed()",
    "CREATE TRIGGER qiao_changed AFTER UPDATE OR DELETE ON \"user\" FOR EACH STATEMENT "
    "EXECUTE FUNCTION qiao_changed()",
    "CREATE TRIGGER qiao_changed AFTER UPDATE OR DELETE ON \"org\" FOR EACH STATEMENT "
    "EXECUTE FUNCTION qiao_changed()",
    NULL,
};

/* COPY table_cols FROM STDIN with the pieces next makes (COPY's text format), each sent
 * before the next is made. 0, or -1 with the error recorded (the transaction is then
 * aborted, as after any failed statement). */
static int pg_copy(void *conn, const char *table_cols, size_t (*next)(void *arg, const char **data),
                   void *arg)
{
    struct pgconn *c = conn;
    buf q = {0};
    buf_printf(&q, "COPY %s FROM STDIN", table_cols);
    PGresult *res = PQexec(c->pg, buf_str(&q));
    buf_free(&q);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        set_res_err(c, res);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    int ok = 1;
    const char *data;
    for (size_t n; ok && (n = next(arg, &data)) > 0;)
        ok = n <= INT_MAX && PQputCopyData(c->pg, data, (int)n) == 1;
    ok = PQputCopyEnd(c->pg, ok ? NULL : "qiao: sending the rows failed") == 1 && ok;
    int failed = 0;
    while ((res = PQgetResult(c->pg))) { /* the COPY's result, then NULL */
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !failed) {
            set_res_err(c, res);
            failed = 1;
        }
        PQclear(res);
    }
    if (!ok && !failed) {
        set_res_err(c, NULL);
        failed = 1;
    }
    if (!failed)
        set_err(c, NULL, DBE_NONE);
    settle(c, 1);
    return failed ? -1 : 0;
}

/* n ids from table's identity sequence (each unique, whoever else inserts): 0, or -1 with
 * the error recorded. */
static int pg_reserve_ids(void *conn, const char *table, int64_t *ids, int n)
{
    struct pgconn *c = conn;
    char num[16];
    snprintf(num, sizeof num, "%d", n);
    const char *vals[2] = {table, num};
    PGresult *res = PQexecParams(c->pg,
                                 "SELECT nextval(s.q) FROM (SELECT "
                                 "pg_get_serial_sequence($1, 'id')::regclass AS q) s, "
                                 "generate_series(1, $2::int)",
                                 2, NULL, vals, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != n) {
        set_res_err(c, res);
        PQclear(res);
        return -1;
    }
    for (int i = 0; i < n; i++)
        ids[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
    PQclear(res);
    set_err(c, NULL, DBE_NONE);
    return 0;
}

const struct driver pg_driver = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .errmsg = pg_errmsg,
    .errcode = pg_errcode,
    .prepare = pg_prepare,
    .bind = pg_bind,
    .step = pg_step,
    .ncols = pg_ncols,
    .colname = pg_colname,
    .text = pg_text,
    .finalize = pg_finalize,
    .type_name = pg_type_name,
    .has_column = pg_has_column,
    .begin_sql = "BEGIN",
    /* a lock of the transaction's, by a number of qiao's own ("qiao" in ASCII); without it
     * two servers started together both rewrote schema_version and one failed to start */
    .upgrade_lock_sql = "SELECT pg_advisory_xact_lock(1902735727)",
    .keyed_table = "",
    .insert_id_sql = " RETURNING id",
    .for_update = " FOR UPDATE",
    .nulls_last = 1,
    .index_needs_id = 1,
    .plan_once = pg_plan_once,
    .generation = pg_generation,
    .watch_sql = pg_watch_sql,
    .revive = pg_revive,
    .copy = pg_copy,
    .reserve_ids = pg_reserve_ids,
};
