/* store_sqlite.c - the SQLite engine behind struct driver (see store.h).
 * A file opened here is in WAL mode with a busy timeout and foreign keys on, a 64 MiB page
 * cache and temporary data in memory. Prepared statements are kept per connection and
 * reused (reset, bindings cleared) when the same SQL comes again: parsing is most of the
 * cost of a small query. */
#include "store.h"
#include "util.h"
#include "msg.h"

#include <pthread.h>
#include <sqlite3.h>
#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#define CACHE_SLOTS 64

/* The writers of one database file in this process wait for each other here, in the order
 * they came, before BEGIN IMMEDIATE: SQLite's own busy handler polls with sleeps that grow
 * to 100 ms, so under a queue of writers a short write waited tens of milliseconds for a
 * lock that had long been free. Waiting here wakes the next writer as soon as the lock is
 * given back. Writers in other processes still meet SQLite's busy timeout.
 *
 * A checkpoint (copying the WAL back into the database, with an fsync) is due when a commit
 * left the WAL at CKPT_PAGES or more. SQLite's automatic one runs inside that COMMIT, while
 * everyone waits in line; here it runs after the writer has given its turn to the next,
 * and in a server (db_checkpoint_behind) on a thread of the file's own with a connection
 * of its own, so that no request waits for the copy and its fsync: a passive checkpoint
 * does not stop readers or writers. */
struct waiter {
    struct waiter *next;
    int granted;
};
struct wqueue {
    char *path; /* NULL: a free entry */
    pthread_mutex_t m;
    pthread_cond_t cv;
    int held;
    struct waiter *head, *tail;
    pthread_cond_t ckcv; /* the checkpointer's: a checkpoint is wanted */
    int ckpt_want, ckpt_started;
    sqlite3 *ckpt_db; /* the checkpointer's connection */
};
#define CKPT_PAGES      1000  /* SQLite's default for its automatic checkpoint */
#define RESTART_FRAMES  16384 /* 64 MB of WAL: the checkpointer finishes with the turn held */
#define RESTART_WAIT_MS 1000  /* how long it waits for the turn (else: next time) */
#define MAX_FILES       16
static struct wqueue queues[MAX_FILES];
static pthread_mutex_t queues_m = PTHREAD_MUTEX_INITIALIZER;
static atomic_int behind; /* db_checkpoint_behind */

void db_checkpoint_behind(int on)
{
    atomic_store(&behind, on);
}

static int turn_take(struct wqueue *q, int busy_ms);
static void turn_give(struct wqueue *q);

/* The file's checkpointer: a passive checkpoint each time one is wanted, for as long as
 * the process lives. Under a steady stream of writers a passive checkpoint never finds
 * the WAL wholly copied (new frames come in while it copies), so the WAL would never start
 * over and would grow without end (each write then extending the file); once it holds
 * RESTART_FRAMES, the checkpointer copies what is left while it holds the write turn,
 * after which the next writer starts the WAL from its beginning. */
static void *ckpt_main(void *arg)
{
    struct wqueue *q = arg;
    pthread_setname_np(pthread_self(), "qiao-checkpoint");
    pthread_mutex_lock(&q->m);
    for (;;) {
        while (!q->ckpt_want)
            pthread_cond_wait(&q->ckcv, &q->m);
        q->ckpt_want = 0;
        pthread_mutex_unlock(&q->m);
        /* a connection knows the file is in WAL mode only once it has read it */
        if (!q->ckpt_db &&
            (sqlite3_open_v2(q->path, &q->ckpt_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                             NULL) != SQLITE_OK ||
             sqlite3_exec(q->ckpt_db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) !=
                 SQLITE_OK)) {
            log_msg("store: checkpoints of %s: %s", q->path, sqlite3_errmsg(q->ckpt_db));
            sqlite3_close(q->ckpt_db);
            q->ckpt_db = NULL;
        }
        int log = 0, done = 0;
        if (q->ckpt_db &&
            sqlite3_wal_checkpoint_v2(q->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done) ==
                SQLITE_OK &&
            log >= RESTART_FRAMES && turn_take(q, RESTART_WAIT_MS) == 0) {
            sqlite3_wal_checkpoint_v2(q->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
            turn_give(q);
        }
        pthread_mutex_lock(&q->m);
    }
    return NULL;
}

/* A checkpoint of the file of h (its writers q), now or by its checkpointer. */
static void checkpoint(struct wqueue *q, sqlite3 *h)
{
    if (q && atomic_load(&behind)) {
        pthread_mutex_lock(&q->m);
        q->ckpt_want = 1;
        if (!q->ckpt_started) {
            pthread_t th;
            q->ckpt_started = !pthread_create(&th, NULL, ckpt_main, q);
            if (q->ckpt_started)
                pthread_detach(th);
        }
        int started = q->ckpt_started;
        pthread_cond_signal(&q->ckcv);
        pthread_mutex_unlock(&q->m);
        if (started)
            return;
    }
    sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/* A connection and its statement cache: slot i holds sql[i]'s statement while it is not in
 * use (a statement handed out leaves its slot empty until it is finalized). */
struct sconn {
    sqlite3 *db;
    struct {
        char *sql;
        sqlite3_stmt *st;
    } cache[CACHE_SLOTS];
    unsigned next;    /* the slot to evict next */
    sqlite3_stmt *dv; /* PRAGMA data_version */
    struct wqueue *q; /* the file's writers; NULL for a database in memory */
    int busy_ms;      /* how long a writer waits in q */
    int ckpt_due;     /* a commit left the WAL long: checkpoint once the turn is given back */
};

struct sst {
    struct sconn *c;
    sqlite3_stmt *st;
    char *sql; /* the cache key, owned */
    int rc;    /* last step result */
};

/* Before the first connection: no global memory statistics (their mutex is contended by
 * every allocation of every thread). */
static void sq_init(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* The queue of the file at path (made on first use; the entries live as long as the
 * process). NULL for a database in memory or when every entry is taken. */
/* sqlite3_wal_hook, after each commit of the connection: SQLite's automatic checkpoint
 * would run here, inside the COMMIT, while the connection still has its turn in q. */
static int wal_hook(void *arg, sqlite3 *h, const char *name, int pages)
{
    (void)h;
    (void)name;
    struct sconn *c = arg;
    if (pages >= CKPT_PAGES)
        c->ckpt_due = 1;
    return SQLITE_OK;
}

static struct wqueue *queue_of(const char *path)
{
    if (!*path || !strcmp(path, ":memory:") || !strncmp(path, "file:", 5))
        return NULL;
    char real[4096];
    const char *key = realpath(path, real) ? real : path;
    struct wqueue *q = NULL;
    pthread_mutex_lock(&queues_m);
    for (int i = 0; i < MAX_FILES && !q; i++)
        if (queues[i].path && !strcmp(queues[i].path, key))
            q = &queues[i];
    for (int i = 0; i < MAX_FILES && !q; i++)
        if (!queues[i].path) {
            q = &queues[i];
            pthread_mutex_init(&q->m, NULL);
            pthread_condattr_t ca;
            pthread_condattr_init(&ca);
            pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
            pthread_cond_init(&q->cv, &ca);
            pthread_condattr_destroy(&ca);
            pthread_cond_init(&q->ckcv, NULL);
            q->path = xstrdup(key);
        }
    pthread_mutex_unlock(&queues_m);
    return q;
}

/* Take the write turn of q, waiting at most busy_ms: 0, or -1 when the time ran out. */
static int turn_take(struct wqueue *q, int busy_ms)
{
    pthread_mutex_lock(&q->m);
    if (!q->held && !q->head) {
        q->held = 1;
        pthread_mutex_unlock(&q->m);
        return 0;
    }
    struct waiter w = {0};
    if (q->tail)
        q->tail->next = &w;
    else
        q->head = &w;
    q->tail = &w;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += busy_ms / 1000;
    until.tv_nsec += (long)(busy_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (!w.granted)
        if (pthread_cond_timedwait(&q->cv, &q->m, &until) == ETIMEDOUT && !w.granted)
            break;
    if (!w.granted) { /* out of the line */
        struct waiter **p = &q->head, *prev = NULL;
        while (*p != &w)
            prev = *p, p = &(*p)->next;
        *p = w.next;
        if (q->tail == &w)
            q->tail = prev;
    }
    pthread_mutex_unlock(&q->m);
    return w.granted ? 0 : -1;
}

/* Give q's turn to the first in line. */
static void turn_give(struct wqueue *q)
{
    pthread_mutex_lock(&q->m);
    struct waiter *w = q->head;
    if (w) {
        q->head = w->next;
        if (!q->head)
            q->tail = NULL;
        w->granted = 1; /* held stays 1: the turn passes to w */
        pthread_cond_broadcast(&q->cv);
    } else {
        q->held = 0;
    }
    pthread_mutex_unlock(&q->m);
}

/* Take the file's write turn, waiting at most busy_ms: 0, or -1 when the time ran out. */
static int sq_lock_writer(void *conn)
{
    struct sconn *c = conn;
    return c->q ? turn_take(c->q, c->busy_ms) : 0;
}

/* Give the turn to the first in line, then checkpoint if the commit made one due. */
static void sq_unlock_writer(void *conn)
{
    struct sconn *c = conn;
    if (!c->q)
        return;
    turn_give(c->q);
    if (c->ckpt_due) {
        c->ckpt_due = 0;
        checkpoint(c->q, c->db);
    }
}

/* Why h could not be opened, for a person: a full disk named as such (SQLite says only
 * "disk I/O error" when it cannot make its -shm file there). */
static const char *open_reason(sqlite3 *h, const char *msg)
{
    if (h && (sqlite3_system_errno(h) == ENOSPC || sqlite3_errcode(h) == SQLITE_FULL))
        return msg_cur("数据库所在的磁盘已满, 请清理或扩充磁盘后再试");
    return msg ? msg : h ? sqlite3_errmsg(h) : "?";
}

static void *sq_open(const char *url, char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_init);
    if (!strncmp(url, "sqlite://", 9))
        url += 9;
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(
        url, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, msg_cur("无法打开数据库 %s: %s"), url, open_reason(h, NULL));
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_busy_timeout(h, DB_BUSY_MS);
    sqlite3_extended_result_codes(h, 1);
    char *msg = NULL;
    if (sqlite3_exec(h,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                     "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, msg_cur("无法打开数据库 %s: %s"), url, open_reason(h, msg));
        sqlite3_free(msg);
        sqlite3_close(h);
        return NULL;
    }
    struct sconn *c = xcalloc(1, sizeof *c);
    c->db = h;
    c->q = queue_of(url);
    c->busy_ms = DB_BUSY_MS;
    if (c->q) /* checkpoints after the turn in q (above), not in the COMMIT */
        sqlite3_wal_hook(h, wal_hook, c);
    return c;
}

static void sq_close(void *conn)
{
    struct sconn *c = conn;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        sqlite3_finalize(c->cache[i].st);
        free(c->cache[i].sql);
    }
    sqlite3_finalize(c->dv);
    sqlite3_close_v2(c->db);
    free(c);
}

static const char *sq_errmsg(void *conn)
{
    return sqlite3_errmsg(((struct sconn *)conn)->db);
}

static enum db_err sq_errcode(void *conn)
{
    switch (sqlite3_errcode(((struct sconn *)conn)->db) & 0xff) {
    case SQLITE_OK:
        return DBE_NONE;
    case SQLITE_CONSTRAINT:
        return DBE_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DBE_BUSY;
    case SQLITE_FULL:
        return DBE_FULL;
    default:
        return DBE_OTHER;
    }
}

/* A statement for sql: the cached one if it is free, else a new one. Schema changes make
 * SQLite re-prepare cached statements by itself (sqlite3_prepare_v2). */
static void *sq_prepare(void *conn, const char *sql)
{
    struct sconn *c = conn;
    sqlite3_stmt *st = NULL;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (c->cache[i].st && !strcmp(c->cache[i].sql, sql)) {
            st = c->cache[i].st;
            c->cache[i].st = NULL;
            free(c->cache[i].sql);
            c->cache[i].sql = NULL;
            break;
        }
    }
    if (!st && sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    struct sst *s = xcalloc(1, sizeof *s);
    s->c = c;
    s->st = st;
    s->sql = xstrdup(sql);
    return s;
}

static void sq_bind(void *st, int i, const char *text, int64_t ival, int kind)
{
    struct sst *s = st;
    if (kind == 1)
        sqlite3_bind_int64(s->st, i, ival);
    else if (kind >= 2)
        sqlite3_bind_text(s->st, i, text, -1, kind == 3 ? SQLITE_STATIC : SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s->st, i);
}

static int sq_step(void *st)
{
    struct sst *s = st;
    s->rc = sqlite3_step(s->st);
    if (s->rc == SQLITE_ROW)
        return DB_ROW;
    if (s->rc == SQLITE_DONE)
        return DB_DONE;
    return DB_ERROR;
}

static int sq_ncols(void *st)
{
    return sqlite3_column_count(((struct sst *)st)->st);
}

static const char *sq_colname(void *st, int i)
{
    return sqlite3_column_name(((struct sst *)st)->st, i);
}

static const char *sq_text(void *st, int i)
{
    struct sst *s = st;
    if (s->rc != SQLITE_ROW || sqlite3_column_type(s->st, i) == SQLITE_NULL)
        return NULL;
    return (const char *)sqlite3_column_text(s->st, i);
}

/* Give the statement back to the cache (reset, so it holds no read snapshot), evicting the
 * oldest entry when every slot is taken. Only queries, DML and savepoints are kept (not
 * DDL or the outer transaction's BEGIN and COMMIT). */
static void sq_finalize(void *st)
{
    struct sst *s = st;
    struct sconn *c = s->c;
    int keep = s->st && (!strncmp(s->sql, "SELECT", 6) || !strncmp(s->sql, "INSERT", 6) ||
                         !strncmp(s->sql, "UPDATE", 6) || !strncmp(s->sql, "DELETE", 6) ||
                         !strncmp(s->sql, "SAVEPOINT", 9) || !strncmp(s->sql, "RELEASE", 7));
    if (keep) {
        sqlite3_reset(s->st);
        sqlite3_clear_bindings(s->st);
        int slot = -1;
        for (int i = 0; i < CACHE_SLOTS && slot < 0; i++)
            if (!c->cache[i].st)
                slot = i;
        if (slot < 0) {
            slot = (int)(c->next++ % CACHE_SLOTS);
            sqlite3_finalize(c->cache[slot].st);
            free(c->cache[slot].sql);
        }
        c->cache[slot].st = s->st;
        c->cache[slot].sql = s->sql;
    } else {
        sqlite3_finalize(s->st);
        free(s->sql);
    }
    free(s);
}

static void sq_busy_timeout(void *conn, int ms)
{
    struct sconn *c = conn;
    sqlite3_busy_timeout(c->db, ms);
    c->busy_ms = ms;
}

static int64_t sq_last_id(void *conn)
{
    return sqlite3_last_insert_rowid(((struct sconn *)conn)->db);
}

static int sq_in_tx(void *conn)
{
    return !sqlite3_get_autocommit(((struct sconn *)conn)->db);
}

static const char *sq_type_name(enum db_type t)
{
    switch (t) {
    case DT_PK:
        return "INTEGER PRIMARY KEY";
    case DT_INT:
        return "INTEGER";
    case DT_KEY:
        return "TEXT COLLATE BINARY";
    case DT_TEXT:
        break;
    }
    return "TEXT";
}

static int sq_has_column(void *conn, const char *table, const char *column)
{
    sqlite3 *h = ((struct sconn *)conn)->db;
    sqlite3_stmt *st;
    int found = 0;
    if (!column) {
        sqlite3_prepare_v2(h, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &st,
                           NULL);
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    } else {
        sqlite3_prepare_v2(h, "SELECT 1 FROM pragma_table_info(?) WHERE name=?", -1, &st, NULL);
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

/* data_version changes when another connection commits; total_changes when this one
 * writes (committed or not). Together: has anything this connection could see changed. */
static int64_t sq_generation(void *conn)
{
    struct sconn *c = conn;
    if (!c->dv && sqlite3_prepare_v2(c->db, "PRAGMA data_version", -1, &c->dv, NULL) != SQLITE_OK)
        return -1;
    int64_t v = -1;
    if (sqlite3_step(c->dv) == SQLITE_ROW)
        v = sqlite3_column_int64(c->dv, 0);
    sqlite3_reset(c->dv);
    if (v < 0)
        return -1;
    return (v << 32) ^ (int64_t)sqlite3_total_changes(c->db);
}

/* The online backup into FILE.tmp, then renamed: pages copied 1024 at a time, the source
 * locked only while a step runs; a step that meets a writer waits and goes on (SQLite
 * restarts the copy when another connection changed the source, so the copy is of one
 * moment). 0, or -1 with the reason. */
static int sq_backup(void *conn, const char *file, char *err, size_t errlen)
{
    struct sconn *c = conn;
    if (access(file, F_OK) == 0) {
        snprintf(err, errlen, msg_cur("%s 已存在, 不覆盖"), file);
        return -1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    unlink(tmp);
    sqlite3 *dst = NULL;
    int rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(dst, "main", c->db, "main") : NULL;
    if (!b) {
        snprintf(err, errlen, msg_cur("无法写 %s: %s"), tmp,
                 dst ? sqlite3_errmsg(dst) : msg_cur("内存不足"));
        sqlite3_close(dst);
        unlink(tmp);
        return -1;
    }
    do {
        rc = sqlite3_backup_step(b, 1024);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(50);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc == SQLITE_DONE) /* a copy is a standalone file: no WAL beside it */
        rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        snprintf(err, errlen, msg_cur("备份失败: %s"), sqlite3_errmsg(dst));
        sqlite3_close(dst);
        unlink(tmp);
        return -1;
    }
    sqlite3_close(dst);
    if (rename(tmp, file)) {
        snprintf(err, errlen, msg_cur("无法把 %s 改名为 %s: %s"), tmp, file, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Table statistics for the planner: without them SQLite takes `deleted_at IS NULL` (true of
 * nearly every row) for a selective equality and walks that index instead of a range
 * that would find 20 rows. Only tables of 1,000 rows or more (by their largest rowid; a
 * table stored as its key is left out) are analysed, and only when they have no
 * statistics yet or have since grown or shrunk to more than twice or under half the rows
 * counted then: most starts analyse nothing. Each is read whole: statistics from a sample
 * (analysis_limit) count about as many rows per value as the sample holds, so that
 * `deleted_at IS NULL` looked like a thousandth of the people and a village's count walked
 * all of them (160 ms). The bench's 1.1 GB database (100,000 orgs, 1,000,000 people) takes
 * 0.5 s. */
static int sq_analyze(void *conn)
{
    sqlite3 *h = ((struct sconn *)conn)->db;
    sqlite3_stmt *st;
    if (sqlite3_exec(h, "PRAGMA analysis_limit = 0", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h,
                           "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                           "LIKE 'sqlite%' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    char names[256][64];
    int n = 0;
    while (n < 256 && sqlite3_step(st) == SQLITE_ROW)
        snprintf(names[n++], sizeof names[0], "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT max(rowid) FROM \"%.63s\"", names[i]);
        sqlite3_int64 rows = 0, then = 0;
        if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
            continue; /* stored as its key: no rowid */
        if (sqlite3_step(st) == SQLITE_ROW)
            rows = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        /* the rows its statistics counted (sqlite_stat1 exists once anything was analysed) */
        if (sqlite3_prepare_v2(h, "SELECT stat FROM sqlite_stat1 WHERE tbl = ? LIMIT 1", -1, &st,
                               NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW)
                then = atoll((const char *)sqlite3_column_text(st, 0));
            sqlite3_finalize(st);
        }
        if (rows < 1000 || (then > 0 && rows <= 2 * then && 2 * rows >= then))
            continue;
        snprintf(sql, sizeof sql, "ANALYZE \"%.63s\"", names[i]);
        if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
            rc = -1;
    }
    return rc;
}

const struct driver sqlite_driver = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .errmsg = sq_errmsg,
    .errcode = sq_errcode,
    .prepare = sq_prepare,
    .bind = sq_bind,
    .step = sq_step,
    .ncols = sq_ncols,
    .colname = sq_colname,
    .text = sq_text,
    .finalize = sq_finalize,
    .type_name = sq_type_name,
    .has_column = sq_has_column,
    .begin_sql = "BEGIN IMMEDIATE",
    .keyed_table = " WITHOUT ROWID",
    .insert_id_sql = "",
    .for_update = "",
    .last_id = sq_last_id,
    .generation = sq_generation,
    .busy_timeout = sq_busy_timeout,
    .lock_writer = sq_lock_writer,
    .unlock_writer = sq_unlock_writer,
    .in_tx = sq_in_tx,
    .backup = sq_backup,
    .analyze = sq_analyze,
};
