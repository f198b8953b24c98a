/* Unit tests of the store layer on SQLite: binding, columns by name, nested transactions,
 * error classes, a begin under another connection's write lock, writers taking turns,
 * migrations. (The same calls on PostgreSQL are exercised by the API tests.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

static char path[64];

static int setup(void **state)
{
    snprintf(path, sizeof path, "/tmp/qiao-unit-%d.db", (int)getpid());
    unlink(path);
    char err[256];
    db *d = db_open(path, err, sizeof err);
    assert_non_null(d);
    assert_int_equal(
        db_exec(d, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER)"), DB_OK);
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    db_close(*state);
    char p[80];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    return 0;
}

static void bind_and_columns_by_name(void **state)
{
    db *d = *state;
    assert_int_equal(
        db_execv(d, "INSERT INTO t (name, n) VALUES (?, ?)", "si", "陳嘉庚 'x'", (int64_t)42),
        DB_OK);
    assert_int_equal(db_execv(d, "INSERT INTO t (name, n) VALUES (?, ?)", "sn", "无数", NULL),
                     DB_OK);
    stmt *s = db_prepare(d, "SELECT n, name FROM t ORDER BY id");
    assert_int_equal(st_step(s), DB_ROW);
    assert_string_equal(st_text(s, "name"), "陳嘉庚 'x'");
    assert_int_equal(st_int(s, "n"), 42);
    assert_int_equal(st_step(s), DB_ROW);
    assert_true(st_isnull(s, "n"));
    assert_null(st_text(s, "n"));
    assert_int_equal(st_step(s), DB_DONE);
    st_finalize(s);
    assert_int_equal(db_int(d, -1, "SELECT count(*) FROM t WHERE n = ?", "i", (int64_t)42), 1);
    assert_int_equal(db_int(d, -1, "SELECT n FROM t WHERE name = ?", "s", "none"), -1);
}

static void constraint_is_classified(void **state)
{
    db *d = *state;
    assert_int_equal(db_execv(d, "INSERT INTO t (name) VALUES (?)", "s", "a"), DB_OK);
    assert_int_equal(db_execv(d, "INSERT INTO t (name) VALUES (?)", "s", "a"), DB_ERROR);
    assert_int_equal(db_errcode(d), DBE_CONSTRAINT);
    assert_int_equal(db_exec(d, "SELECT nonsense FROM nowhere"), DB_ERROR);
    assert_int_equal(db_errcode(d), DBE_OTHER);
    assert_true(strlen(db_errmsg(d)) > 0);
}

static void nested_transactions(void **state)
{
    db *d = *state;
    assert_int_equal(db_begin(d), DB_OK);
    assert_int_equal(db_execv(d, "INSERT INTO t (name) VALUES (?)", "s", "outer"), DB_OK);
    assert_int_equal(db_begin(d), DB_OK);
    assert_int_equal(db_depth(d), 2);
    assert_int_equal(db_execv(d, "INSERT INTO t (name) VALUES (?)", "s", "inner"), DB_OK);
    assert_int_equal(db_rollback(d), DB_OK); /* only the inner insert goes */
    assert_int_equal(db_begin(d), DB_OK);
    assert_int_equal(db_execv(d, "INSERT INTO t (name) VALUES (?)", "s", "inner2"), DB_OK);
    assert_int_equal(db_commit(d), DB_OK);
    assert_int_equal(db_commit(d), DB_OK);
    assert_int_equal(db_depth(d), 0);
    assert_int_equal(db_int(d, -1, "SELECT count(*) FROM t WHERE name IN ('outer', 'inner2')", ""),
                     2);
    assert_int_equal(db_int(d, -1, "SELECT count(*) FROM t WHERE name = 'inner'", ""), 0);

    assert_int_equal(db_begin(d), DB_OK);
    assert_int_equal(db_execv(d, "INSERT INTO t (name) VALUES (?)", "s", "gone"), DB_OK);
    assert_int_equal(db_rollback(d), DB_OK);
    assert_int_equal(db_int(d, -1, "SELECT count(*) FROM t WHERE name = 'gone'", ""), 0);
}

static int step_ok(db *d)
{
    return db_exec(d, "CREATE TABLE a (x INTEGER)");
}
static int step_ok2(db *d)
{
    return db_exec(d, "ALTER TABLE a ADD COLUMN y TEXT");
}
static int step_bad(db *d)
{
    if (db_exec(d, "CREATE TABLE b (x INTEGER)") != DB_OK)
        return DB_ERROR;
    return db_exec(d, "THIS IS NOT SQL");
}

static void migrations_in_one_transaction(void **state)
{
    db *d = *state;
    assert_int_equal(store_version(d), 0);
    migration_fn one[] = {step_ok};
    assert_int_equal(store_migrate(d, one, 1), 1);
    assert_int_equal(store_version(d), 1);
    assert_int_equal(store_migrate(d, one, 1), 1); /* nothing to do */
    /* A failing step leaves the database as it was: no table b, no column y. */
    migration_fn bad[] = {step_ok, step_ok2, step_bad};
    assert_int_equal(store_migrate(d, bad, 3), -1);
    assert_int_equal(store_version(d), 1);
    assert_false(db_has_column(d, "a", "y"));
    assert_false(db_has_column(d, "b", NULL));
    migration_fn two[] = {step_ok, step_ok2};
    assert_int_equal(store_migrate(d, two, 2), 2);
    assert_true(db_has_column(d, "a", "y"));
    /* A database newer than the program is refused. */
    assert_int_equal(store_migrate(d, one, 1), -1);
}

/* A memo holds until the data changes, whoever changes it. */
static void memo_until_the_data_changes(void **state)
{
    db *d = *state;
    int64_t v = 0;
    assert_false(db_memo_get(d, "k", &v));
    db_memo_put(d, "k", 7);
    assert_true(db_memo_get(d, "k", &v));
    assert_int_equal(v, 7);
    assert_int_equal(db_execv(d, "INSERT INTO t (name) VALUES (?)", "s", "x"), DB_OK);
    assert_false(db_memo_get(d, "k", &v)); /* this connection wrote */
    db_memo_put(d, "k", 8);
    char err[256];
    db *other = db_open(path, err, sizeof err);
    assert_non_null(other);
    assert_int_equal(db_execv(other, "INSERT INTO t (name) VALUES (?)", "s", "y"), DB_OK);
    assert_false(db_memo_get(d, "k", &v)); /* another connection committed */
    db_memo_put(d, "k", 9);
    assert_true(db_memo_get(other, "k", &v) == 0); /* memos are per connection */
    db_close(other);
    assert_true(db_memo_get(d, "k", &v));
    assert_int_equal(v, 9);
    /* Inside a transaction the memo neither answers nor keeps: what is computed there may
     * count a write that then rolls back (the rollback moves no change number). */
    assert_int_equal(db_begin(d), DB_OK);
    assert_false(db_memo_get(d, "k", &v));
    assert_int_equal(db_execv(d, "INSERT INTO t (name) VALUES (?)", "s", "undone"), DB_OK);
    assert_false(db_memo_get(d, "k", &v));
    db_memo_put(d, "k", 10);
    assert_false(db_memo_get(d, "k", &v));
    assert_int_equal(db_rollback(d), DB_OK);
    v = 0;
    int hit = db_memo_get(d, "k", &v);
    assert_true(!hit || v == 9); /* never the value of the rolled-back write */
}

/* Another connection holds the write lock (a long import): a begin waits the busy timeout,
 * then fails as busy with no transaction open (nothing to roll back); it works again once
 * the lock is gone, and the old error is not reported as the new transaction's. */
static void begin_under_a_held_lock_is_busy(void **state)
{
    db *d = *state;
    char err[256];
    db *other = db_open(path, err, sizeof err);
    assert_non_null(other);
    assert_int_equal(db_begin(other), DB_OK);
    assert_int_equal(db_execv(other, "INSERT INTO t (name) VALUES (?)", "s", "import"), DB_OK);
    db_busy_timeout(d, 50);
    assert_int_equal(db_begin(d), DB_ERROR);
    assert_int_equal(db_errcode(d), DBE_BUSY);
    assert_int_equal(db_depth(d), 0);
    /* A write outside a transaction fails the same way; reads still see the last commit. */
    assert_int_equal(db_execv(d, "INSERT INTO t (name) VALUES (?)", "s", "login"), DB_ERROR);
    assert_int_equal(db_errcode(d), DBE_BUSY);
    assert_int_equal(db_int(d, -1, "SELECT count(*) FROM t", ""), 0);
    assert_int_equal(db_commit(other), DB_OK);
    db_close(other);
    assert_int_equal(db_begin(d), DB_OK);
    assert_int_equal(db_errcode(d), DBE_NONE);
    assert_int_equal(db_execv(d, "INSERT INTO t (name) VALUES (?)", "s", "login"), DB_OK);
    assert_int_equal(db_commit(d), DB_OK);
    assert_int_equal(db_int(d, -1, "SELECT count(*) FROM t", ""), 2);
}

/* Writers of one file in this process take turns in the order they came (the store's queue
 * before BEGIN IMMEDIATE), and none is lost: three writers start waiting 100 ms apart
 * while a fourth holds the lock, and get it in that order; then 8 threads add 1 a hundred
 * times each. SQLite's busy handler alone polls, and the first to poll after the release
 * wins. */
struct turn {
    int who, failed;
    int *order, *n;
    pthread_mutex_t *m;
};

/* (cmocka's asserts belong to the main thread: these count their failures instead.) */
static void *take_turn(void *arg)
{
    struct turn *t = arg;
    char err[256];
    db *d = db_open(path, err, sizeof err);
    if (!d || db_begin(d) != DB_OK) {
        t->failed = 1;
        db_close(d);
        return NULL;
    }
    pthread_mutex_lock(t->m);
    t->order[(*t->n)++] = t->who;
    pthread_mutex_unlock(t->m);
    t->failed = db_execv(d, "INSERT INTO t (n) VALUES (?)", "i", (int64_t)t->who) != DB_OK ||
                db_commit(d) != DB_OK;
    db_close(d);
    return NULL;
}

static void *add_ones(void *arg)
{
    int *failed = arg;
    char err[256];
    db *d = db_open(path, err, sizeof err);
    for (int i = 0; d && i < 100; i++)
        if (db_begin(d) != DB_OK ||
            db_exec(d, "UPDATE t SET n = n + 1 WHERE name = 'sum'") != DB_OK ||
            db_commit(d) != DB_OK)
            (*failed)++;
    if (!d)
        *failed = 100;
    db_close(d);
    return NULL;
}

static void writers_take_turns_in_order(void **state)
{
    db *d = *state;
    int order[3], n = 0;
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    struct turn turns[3];
    pthread_t th[8];
    assert_int_equal(db_begin(d), DB_OK);
    for (int i = 0; i < 3; i++) {
        turns[i] = (struct turn){.who = i, .order = order, .n = &n, .m = &m};
        assert_int_equal(pthread_create(&th[i], NULL, take_turn, &turns[i]), 0);
        usleep(100 * 1000);
    }
    assert_int_equal(db_commit(d), DB_OK);
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_false(turns[i].failed);
    }
    assert_int_equal(n, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(order[i], i);

    assert_int_equal(db_exec(d, "INSERT INTO t (name, n) VALUES ('sum', 0)"), DB_OK);
    int failed[8] = {0};
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&th[i], NULL, add_ones, &failed[i]), 0);
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(failed[i], 0);
    }
    assert_int_equal(db_int(d, -1, "SELECT n FROM t WHERE name = 'sum'", ""), 800);
}

static void open_failure_has_message(void **state)
{
    (void)state;
    char err[256] = "";
    db *d = db_open("/nonexistent-dir/x.db", err, sizeof err);
    assert_null(d);
    assert_true(strlen(err) > 0);
}

/* Many rows (db_rows) on SQLite, and on PostgreSQL when QIAO_PG_URL names a server. */
struct refused {
    int at[4];
    int n;
};

static void note_refused(void *arg, int tag, const char *msg)
{
    struct refused *r = arg;
    assert_true(strlen(msg) > 0);
    if (r->n < 4)
        r->at[r->n] = tag;
    r->n++;
}

/* Rows sent to the handle's thread (DB_ROWS_ASYNC): a row refused in an earlier send is
 * reported, by its tag, at the next flush, the others written; a failed write sent without
 * bad makes the commit fail and roll back, so that nothing of the transaction is kept. */
static void rows_sent(db *d, const char *table)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    int64_t before = db_int(d, -1, sql, "");
    assert_int_equal(db_begin(d), DB_OK);
    db_rows *r = db_rows_new(d, table, "name, n", DB_ROWS_ASYNC);
    struct refused ref = {0};
    for (int batch = 0; batch < 3; batch++) {
        for (int i = 0; i < 200; i++) {
            char name[16];
            /* the third batch's row 7 repeats the first batch's */
            snprintf(name, sizeof name, "a%d", batch == 2 && i == 7 ? 7 : batch * 1000 + i);
            rows_text(r, name);
            rows_int(r, i);
            rows_tag(r, 100000 * (batch + 1) + i);
            assert_int_equal(db_rows_end(r), DB_OK);
        }
        assert_int_equal(db_rows_send(r, note_refused, &ref), DB_OK);
        assert_int_equal(db_rows_held(r), 0);
    }
    assert_int_equal(ref.n, 0); /* not answered yet */
    rows_text(r, "last");
    rows_null(r);
    assert_int_equal(db_rows_end(r), DB_OK);
    assert_int_equal(db_rows_flush(r, note_refused, &ref), DB_ERROR);
    assert_int_equal(db_errcode(d), DBE_CONSTRAINT);
    assert_int_equal(ref.n, 1);
    assert_int_equal(ref.at[0], 300007);
    assert_int_equal(db_int(d, -1, sql, ""), before + 600);
    db_rows_free(r);
    assert_int_equal(db_commit(d), DB_OK);

    assert_int_equal(db_begin(d), DB_OK);
    r = db_rows_new(d, table, "name, n", DB_ROWS_ASYNC);
    for (int i = 0; i < 300; i++) {
        rows_text(r, i == 250 ? "a5" : "b");
        rows_int(r, i);
        assert_int_equal(db_rows_end(r), DB_OK);
        if (i == 0)
            assert_int_equal(db_rows_send(r, NULL, NULL), DB_OK);
    }
    assert_int_equal(db_rows_send(r, NULL, NULL), DB_OK); /* refused on its thread */
    db_rows_free(r);
    assert_int_equal(db_commit(d), DB_ERROR);
    assert_int_equal(db_depth(d), 0);
    assert_int_equal(db_int(d, -1, sql, ""), before + 600); /* the 'b' row is not kept */
    assert_int_equal(db_begin(d), DB_OK);                   /* and the handle is usable */
    assert_int_equal(db_commit(d), DB_OK);
}

/* db_rows on d into table (id, name UNIQUE, n): text that COPY must escape, NULL, ints;
 * then a batch with a row whose name is taken: that row reported, the others written, the
 * transaction still usable. */
static void rows_on(db *d, const char *table)
{
    char sql[160];
    assert_int_equal(db_begin(d), DB_OK);
    db_rows *r = db_rows_new(d, table, "name, n", 0);
    const char *odd = "tab\there\nnew line \\ back\\slash\r陈";
    rows_text(r, odd);
    rows_int(r, -7);
    assert_int_equal(db_rows_end(r), DB_OK);
    for (int i = 0; i < 100; i++) {
        char name[16];
        snprintf(name, sizeof name, "r%d", i);
        rows_text(r, name);
        if (i % 3)
            rows_int(r, i);
        else
            rows_null(r);
        assert_int_equal(db_rows_end(r), DB_OK);
    }
    assert_int_equal(db_rows_flush(r, NULL, NULL), DB_OK);
    assert_int_equal(db_rows_held(r), 0);
    snprintf(sql, sizeof sql, "SELECT n FROM %s WHERE name = ?", table);
    assert_int_equal(db_int(d, 0, sql, "s", odd), -7);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE n IS NULL", table);
    assert_int_equal(db_int(d, 0, sql, ""), 34);
    /* r5 is taken: the second row of this batch */
    const char *names[] = {"s1", "r5", "s2", "s3"};
    for (int i = 0; i < 4; i++) {
        rows_text(r, names[i]);
        rows_int(r, 1000 + i);
        assert_int_equal(db_rows_end(r), DB_OK);
    }
    struct refused ref = {0};
    assert_int_equal(db_rows_flush(r, note_refused, &ref), DB_ERROR);
    assert_int_equal(db_errcode(d), DBE_CONSTRAINT);
    assert_int_equal(ref.n, 1);
    assert_int_equal(ref.at[0], 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE n >= 1000", table);
    assert_int_equal(db_int(d, 0, sql, ""), 3); /* the others, in a usable transaction */
    db_rows_free(r);
    assert_int_equal(db_commit(d), DB_OK);
}

static void many_rows(void **state)
{
    db *d = *state;
    rows_on(d, "t");
    rows_sent(d, "t");
    int64_t ids[3];
    /* SQLite has no sequences: ids are counted on from the largest, under the write lock */
    assert_int_equal(db_reserve_ids(d, "t", ids, 3), 0);
    assert_int_equal(db_begin(d), DB_OK);
    int64_t max = db_int(d, -1, "SELECT max(id) FROM t", "");
    assert_int_equal(db_reserve_ids(d, "t", ids, 3), 3);
    assert_int_equal(ids[0], max + 1);
    assert_int_equal(ids[2], max + 3);
    assert_int_equal(db_reserve_ids(d, "t", ids, 1), 1);
    assert_int_equal(ids[0], max + 4);
    assert_int_equal(db_rollback(d), DB_OK);
    assert_true(db_holds_rows(d));
}

/* With checkpoints behind (a server), the file's checkpointer copies the WAL back after each
 * commit that made one due, so the next writer starts the WAL over: rounds of 1,100 pages
 * leave it at about one round, not the sum of them (when its checkpoints did nothing, it
 * grew by a round each time). */
static void checkpoints_behind_keep_the_wal_short(void **state)
{
    db *d = *state;
    db_checkpoint_behind(1);
    char text[4001], wal[80];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = 0;
    snprintf(wal, sizeof wal, "%s-wal", path);
    long most = 0;
    assert_int_equal(db_exec(d, "CREATE TABLE big (b TEXT)"), DB_OK);
    for (int round = 0; round < 6; round++) {
        assert_int_equal(db_begin(d), DB_OK);
        for (int i = 0; i < 1100; i++)
            assert_int_equal(db_execv(d, "INSERT INTO big (b) VALUES (?)", "s", text), DB_OK);
        assert_int_equal(db_exec(d, "DELETE FROM big"), DB_OK);
        assert_int_equal(db_commit(d), DB_OK);
        struct stat st;
        assert_int_equal(stat(wal, &st), 0);
        if (st.st_size > most)
            most = st.st_size;
        usleep(300 * 1000); /* the checkpointer's turn */
    }
    db_checkpoint_behind(0);
    assert_true(most < 3L * 1100 * 4120); /* one round is about 1,100 frames of 4,120 bytes */
}

/* In a transaction, the writing thread reserves the next block of ids ahead while rows
 * are sent: each block taken is new ids, none of them given to the rows sent between (by
 * the sequence too); a block asked for larger than the one ahead gives what was ahead;
 * the next transaction starts again and reuses none. */
static void reserved_ahead(db *d, const char *table)
{
    int64_t ids[40];
    char sql[200];
    assert_int_equal(db_begin(d), DB_OK);
    assert_int_equal(db_reserve_ids(d, table, ids, 10), 10);
    db_rows *r = db_rows_new(d, table, "name, n", DB_ROWS_ASYNC);
    for (int i = 0; i < 3000; i++) {
        char name[24];
        snprintf(name, sizeof name, "ahead%d", i);
        rows_text(r, name);
        rows_int(r, i);
        assert_int_equal(db_rows_end(r), DB_OK);
        if (i % 1000 == 999)
            assert_int_equal(db_rows_send(r, NULL, NULL), DB_OK);
    }
    assert_int_equal(db_reserve_ids(d, table, ids + 10, 10), 10); /* the block ahead */
    assert_int_equal(db_reserve_ids(d, table, ids + 20, 20), 10); /* ahead were 10 */
    assert_int_equal(db_rows_flush(r, NULL, NULL), DB_OK);
    db_rows_free(r);
    assert_int_equal(db_commit(d), DB_OK);
    assert_int_equal(db_begin(d), DB_OK);
    assert_int_equal(db_reserve_ids(d, table, ids + 30, 10), 10);
    assert_int_equal(db_commit(d), DB_OK);
    for (int i = 0; i < 40; i++) {
        for (int k = 0; k < i; k++)
            assert_true(ids[k] != ids[i]);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE id = ?", table);
        assert_int_equal(db_int(d, -1, sql, "i", ids[i]), 0);
    }
    assert_true(ids[30] > ids[29]); /* the block ahead at the commit is a gap, not reused */
}

/* A connection to the PostgreSQL server QIAO_PG_URL names, or NULL (the test is then
 * skipped: no server). */
static db *pg_or_skip(void)
{
    const char *url = getenv("QIAO_PG_URL");
    if (!url) {
        skip();
        return NULL;
    }
    char err[256];
    db *d = db_open(url, err, sizeof err);
    assert_non_null(d);
    return d;
}

/* The same on PostgreSQL (COPY) when QIAO_PG_URL names a server, and ids reserved. */
static void many_rows_pg(void **state)
{
    (void)state;
    db *d = pg_or_skip();
    if (!d)
        return;
    char table[48], sql[200];
    assert_true(db_holds_rows(d));
    snprintf(table, sizeof table, "unit_rows_%d", (int)getpid());
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name "
             "TEXT UNIQUE, n BIGINT)",
             table);
    assert_int_equal(db_exec(d, sql), DB_OK);
    rows_on(d, table);
    rows_sent(d, table);
    int64_t ids[3];
    assert_int_equal(db_reserve_ids(d, table, ids, 3), 3);
    assert_true(ids[0] > 100 && ids[1] > ids[0] && ids[2] > ids[1]);
    reserved_ahead(d, table);
    snprintf(sql, sizeof sql, "DROP TABLE %s", table);
    assert_int_equal(db_exec(d, sql), DB_OK);
    db_close(d);
}

/* SQLite's statistics (db_analyze): read whole (a column NULL in every row counts all its
 * rows per value; a sample of 1,000 had said 1,001), and taken again only when the table
 * has grown or shrunk past twice or half what they counted. */
static void statistics_whole_and_kept(void **state)
{
    db *d = *state;
    const char *per_value = "SELECT CAST(substr(stat, instr(stat, ' ') + 1) AS INTEGER) FROM "
                            "sqlite_stat1 WHERE idx = 'a_gone_i'",
               *rows = "SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE idx = 'a_gone_i'";
    assert_int_equal(db_exec(d, "CREATE TABLE a (id INTEGER PRIMARY KEY, gone TEXT)"), DB_OK);
    assert_int_equal(db_exec(d, "CREATE INDEX a_gone_i ON a (gone)"), DB_OK);
    assert_int_equal(
        db_exec(d, "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 5000) "
                   "INSERT INTO a (gone) SELECT NULL FROM g"),
        DB_OK);
    assert_int_equal(db_analyze(d), DB_OK);
    assert_int_equal(db_int(d, -1, rows, ""), 5000);
    assert_int_equal(db_int(d, -1, per_value, ""), 5000);
    /* within twice what they counted: kept as they are */
    assert_int_equal(
        db_exec(d, "UPDATE sqlite_stat1 SET stat = '4000 4000' WHERE idx = 'a_gone_i'"), DB_OK);
    assert_int_equal(db_analyze(d), DB_OK);
    assert_int_equal(db_int(d, -1, rows, ""), 4000);
    /* past twice: taken again */
    assert_int_equal(
        db_exec(d, "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 4000) "
                   "INSERT INTO a (gone) SELECT NULL FROM g"),
        DB_OK);
    assert_int_equal(db_analyze(d), DB_OK);
    assert_int_equal(db_int(d, -1, rows, ""), 9000);
    assert_int_equal(db_int(d, -1, per_value, ""), 9000);
}

/* On PostgreSQL, a statement holding DB_PLAN_EACH is planned with its values at every run:
 * never prepared under a name, so never given the generic plan that PostgreSQL keeps for
 * a named one after five runs (the same statement without the mark is). */
static void plan_each_pg(void **state)
{
    (void)state;
    db *d = pg_or_skip();
    if (!d)
        return;
    char table[48], sql[300];
    snprintf(table, sizeof table, "unit_plan_%d", (int)getpid());
    snprintf(sql, sizeof sql, "CREATE TABLE %s (id BIGINT PRIMARY KEY, path TEXT)", table);
    assert_int_equal(db_exec(d, sql), DB_OK);
    snprintf(sql, sizeof sql,
             "INSERT INTO %s SELECT g, CASE WHEN g > 2000 THEN '/1/9/' ELSE '/1/2/' END "
             "FROM generate_series(1, 2030) g",
             table);
    assert_int_equal(db_exec(d, sql), DB_OK);
    for (int marked = 0; marked < 2; marked++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) AS n FROM (SELECT id FROM %s WHERE path >= ? AND path < ? %s "
                 "ORDER BY id LIMIT 21) x",
                 table, marked ? DB_PLAN_EACH : "");
        for (int i = 0; i < 10; i++) {
            const char *from = i % 2 ? "/1/9/" : "/1/2/", *to = i % 2 ? "/1/90" : "/1/20";
            assert_int_equal(db_int(d, -1, sql, "ss", from, to), 21);
        }
        char like[100]; /* bound, so that the looking statement does not match itself */
        snprintf(like, sizeof like, "%%FROM %s WHERE%%", table);
        assert_int_equal(db_int(d, -1,
                                "SELECT count(*) FROM pg_prepared_statements WHERE statement "
                                "LIKE ? AND statement LIKE ?",
                                "ss", like, marked ? "%" DB_PLAN_EACH "%" : "%"),
                         marked ? 0 : 1);
        if (!marked) /* why the mark: the plain one got a generic plan */
            assert_true(db_int(d, -1,
                               "SELECT max(generic_plans) FROM pg_prepared_statements WHERE "
                               "statement LIKE ?",
                               "s", like) > 0);
    }
    snprintf(sql, sizeof sql, "DROP TABLE %s", table);
    assert_int_equal(db_exec(d, sql), DB_OK);
    db_close(d);
}

/* A list by one parent, the value bound plainly, is planned again at every run: its
 * generic plan's estimate (a parent's average children) is dearer than a custom plan's
 * for a parent with many (the same index scan either way). Written with db_opaque_int,
 * the planner never sees the value, so its plans cost the same and the generic one is
 * kept after five runs. The answers are the same. */
static void opaque_int_pg(void **state)
{
    (void)state;
    db *d = pg_or_skip();
    if (!d)
        return;
    char table[48], sql[300];
    snprintf(table, sizeof table, "unit_opaque_%d", (int)getpid());
    snprintf(sql, sizeof sql, "CREATE TABLE %s (id BIGINT PRIMARY KEY, parent_id BIGINT)", table);
    assert_int_equal(db_exec(d, sql), DB_OK);
    snprintf(sql, sizeof sql,
             "INSERT INTO %s SELECT g, CASE WHEN g <= 30000 THEN g %% 3000 ELSE 5 END "
             "FROM generate_series(1, 30550) g",
             table);
    assert_int_equal(db_exec(d, sql), DB_OK);
    snprintf(sql, sizeof sql, "CREATE INDEX ON %s (parent_id, id)", table);
    assert_int_equal(db_exec(d, sql), DB_OK);
    snprintf(sql, sizeof sql, "ANALYZE %s", table);
    assert_int_equal(db_exec(d, sql), DB_OK);
    for (int opaque = 0; opaque < 2; opaque++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) AS n FROM (SELECT id FROM %s WHERE parent_id IN (%s) ORDER BY "
                 "id LIMIT 21) x",
                 table, opaque ? db_opaque_int(d) : "?");
        for (int i = 0; i < 10; i++) /* the parent with many */
            assert_int_equal(db_int(d, -1, sql, "i", (int64_t)5), 21);
        assert_int_equal(db_int(d, -1, sql, "i", (int64_t)7), 10);
        char like[160];
        snprintf(like, sizeof like, "%%FROM %s WHERE parent_id IN (%s)%%", table,
                 opaque ? "(SELECT CAST($1 AS BIGINT))" : "$1");
        int generic = (int)db_int(d, -1,
                                  "SELECT max(generic_plans) FROM pg_prepared_statements WHERE "
                                  "statement LIKE ?",
                                  "s", like);
        if (opaque)
            assert_true(generic > 0);
        else
            assert_int_equal(generic, 0); /* why: the plain one never got one */
    }
    snprintf(sql, sizeof sql, "DROP TABLE %s", table);
    assert_int_equal(db_exec(d, sql), DB_OK);
    db_close(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(bind_and_columns_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(constraint_is_classified, setup, teardown),
        cmocka_unit_test_setup_teardown(nested_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(migrations_in_one_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(memo_until_the_data_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(begin_under_a_held_lock_is_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(writers_take_turns_in_order, setup, teardown),
        cmocka_unit_test(open_failure_has_message),
        cmocka_unit_test_setup_teardown(many_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(checkpoints_behind_keep_the_wal_short, setup, teardown),
        cmocka_unit_test(many_rows_pg),
        cmocka_unit_test_setup_teardown(statistics_whole_and_kept, setup, teardown),
        cmocka_unit_test(plan_each_pg),
        cmocka_unit_test(opaque_int_pg),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
