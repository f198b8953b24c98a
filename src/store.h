/* store.h - the thin database layer (STYLE 4): prepare / bind / step / column by name,
 * nested transactions that remember where they were opened, migrations.
 *
 * One API, two engines: SQLite (a file path, the default) and PostgreSQL (a
 * postgresql:// URL). SQL handed to db_prepare() uses '?' placeholders and only what both
 * engines understand; anything engine-specific lives in store_sqlite.c or store_pg.c
 * behind struct driver. Values are always bound, never pasted into SQL.
 *
 * A db handle is used by one thread at a time. Errors fail loudly: every failing call
 * records db_errmsg() and returns an error code; a programming error (an unknown column
 * name, a transaction left open) aborts with the place it happened.
 */
#ifndef QIAO_STORE_H
#define QIAO_STORE_H

#include <stddef.h>
#include <stdint.h>

typedef struct db db;
typedef struct stmt stmt;

enum db_kind { DB_SQLITE, DB_PG };

/* Results of st_step() and of calls that can fail. */
enum { DB_OK = 0, DB_ROW = 100, DB_DONE = 101, DB_ERROR = -1 };

/* Classes of error, from db_errcode() after a failure. */
enum db_err {
    DBE_NONE = 0,
    DBE_CONSTRAINT, /* unique / foreign key / check violated */
    DBE_BUSY,       /* locked or serialization failure: retrying may work */
    DBE_FULL,       /* the disk (or the database's quota) is full: nothing was written */
    DBE_OTHER
};
/* What a user is told of DBE_FULL (HTTP 507 storage_full). */
#define DB_FULL_MESSAGE "数据库所在的磁盘已满, 本次修改没有保存; 请联系管理员清理或扩充磁盘后再试"

/* Column types for DDL; each driver maps them to its own names. */
enum db_type {
    DT_PK,   /* integer primary key that the engine fills (rowid / identity) */
    DT_INT,  /* 64-bit integer */
    DT_TEXT, /* UTF-8 text, compared by the engine's collation */
    DT_KEY   /* text compared byte-wise (materialised paths, tokens) */
};

/* Open DB: a file path (SQLite; WAL, busy timeout, foreign keys on) or a
 * postgresql:// URL. NULL on failure with a message in err. Caller closes. */
db *db_open(const char *url, char *err, size_t errlen);
/* How long a statement of this connection waits for a lock another connection holds
 * before it fails with DBE_BUSY: SQLite's busy timeout (DB_BUSY_MS unless set here);
 * nothing on PostgreSQL, whose writers wait for the rows they need. */
#define DB_BUSY_MS 10000
void db_busy_timeout(db *d, int ms);
/* Make a connection the database server dropped (a restart) again, once: call before each
 * use of a long-lived connection. DB_OK when it is good; DB_ERROR (db_errcode DBE_BUSY)
 * while the server is away. Never inside a transaction. */
int db_revive(db *d);
/* Write a consistent copy of the database to file (which must not exist) while others
 * read and write it: SQLite's online backup, written to a temporary name and renamed when
 * whole. DB_OK, or DB_ERROR with a Chinese reason in err. PostgreSQL: DB_ERROR (pg_dump
 * is its tool; see README). */
int db_backup(db *d, const char *file, char *err, size_t errlen);
void db_close(db *d); /* aborts if a transaction is still open, naming where */
enum db_kind db_kind(const db *d);
const char *db_errmsg(const db *d);
enum db_err db_errcode(const db *d);

/* Prepare SQL with '?' placeholders. NULL on error (see db_errmsg). The caller finalizes.
 * Bind indexes are 1-based. A text bound is copied. */
stmt *db_prepare(db *d, const char *sql);
void st_bind_int(stmt *s, int i, int64_t v);
void st_bind_text(stmt *s, int i, const char *v); /* NULL binds NULL */
void st_bind_null(stmt *s, int i);
/* DB_ROW, DB_DONE or DB_ERROR. */
int st_step(stmt *s);
/* Columns of the current row, by name; an unknown name aborts (a bug, not bad input). */
int st_ncols(stmt *s);
const char *st_colname(stmt *s, int i);
int st_isnull_at(stmt *s, int i);
const char *st_text_at(stmt *s, int i); /* valid until the next step; NULL for NULL */
int st_isnull(stmt *s, const char *col);
int64_t st_int(stmt *s, const char *col); /* 0 for NULL */
const char *st_text(stmt *s, const char *col);
void st_finalize(stmt *s); /* NULL is fine */

/* Run SQL without parameters or rows (may hold several statements on SQLite only if the
 * driver allows; keep to one). DB_OK or DB_ERROR. */
int db_exec(db *d, const char *sql);
/* Run one statement with printf-free parameters: types in fmt, 'i' int64_t, 's' text
 * (NULL is NULL), 'n' NULL. DB_OK or DB_ERROR. */
int db_execv(db *d, const char *sql, const char *fmt, ...);
/* First column of the first row as an integer; dflt when no row or on error. */
int64_t db_int(db *d, int64_t dflt, const char *sql, const char *fmt, ...);

/* Nested transactions. The outermost begin is a real transaction (on SQLite, BEGIN
 * IMMEDIATE, which waits up to the busy timeout for the write lock); inner ones are
 * savepoints. Every begin that succeeded must be matched by a commit or a rollback in the
 * same function; db_close() and db_begin() check this.
 *
 * A begin can fail (DB_ERROR; db_errcode() DBE_BUSY when another connection holds the
 * write lock): then no transaction is open and the caller must neither commit nor roll
 * back (db_rollback() without a transaction aborts). The compiler insists that the result
 * is looked at. A commit that fails has rolled back already (no transaction is left open
 * at that level): the caller answers the error and does not roll back again. */
#define db_begin(d) db_begin_at((d), __FILE__, __LINE__)
int db_begin_at(db *d, const char *file, int line) __attribute__((warn_unused_result));
int db_commit(db *d) __attribute__((warn_unused_result));
int db_rollback(db *d);
int db_depth(const db *d);
/* 1 when a transaction is open here but the engine has ended it (SQLite rolls the whole
 * transaction back on some errors: a full disk, an I/O error): nothing since its begin is
 * kept, and a begin inside it fails. Roll back down to depth 0. */
int db_tx_lost(const db *d);
/* Forget the last failure (db_errcode DBE_NONE), as an outermost begin does: for a caller
 * that runs several requests' work inside one transaction (http.c's group commit). */
void db_clear_error(db *d);

/* The INSERT of one row into a table whose key is a DT_PK column named id: append
 * db_insert_id_sql(d) to its SQL (" RETURNING id" on PostgreSQL, nothing on SQLite, where
 * RETURNING builds a temporary table for every row), then st_insert_id runs it and
 * answers the new id, or 0 on error. */
const char *db_insert_id_sql(const db *d);
int64_t st_insert_id(stmt *s);

/* Many new rows for one table, written together inside the caller's transaction (a bulk
 * write: an import's records, its audit entries, its search keys). The caller adds each
 * row's values in the order of cols with rows_int / rows_text / rows_null and ends it with
 * db_rows_end. On SQLite the rows are written 64 to a multi-row INSERT as they come; on
 * PostgreSQL they are held as COPY text and sent with one COPY ... FROM STDIN when
 * db_rows_flush is called or DB_ROWS_BYTES are held.
 *
 * With DB_ROWS_ASYNC the rows are held (DB_ROWS_BYTES on either engine) and written on a
 * thread of the handle's own (one per handle, made on first use, in the order sent) while
 * the caller goes on making the next ones: the rows' parsing and checking then overlap
 * their B-tree or COPY work. Every other use of the handle (any store call) waits first
 * until what was sent is written, so a caller sees nothing of the thread but its speed. A
 * write sent this way that fails makes every later commit of the transaction fail (and
 * roll back), so nothing is half-saved. */
typedef struct db_rows db_rows;
#define DB_ROWS_BYTES (8u << 20)
enum {
    DB_ROWS_IGNORE = 1, /* a row whose key is there already is skipped (not with COPY) */
    DB_ROWS_ASYNC = 2,  /* written on the handle's own thread (see above) */
};
/* table and cols ("a, b, c") are copied; DB_ROWS_* in flags. The caller frees. */
db_rows *db_rows_new(db *d, const char *table, const char *cols, int flags);
void rows_int(db_rows *r, int64_t v);
void rows_text(db_rows *r, const char *v); /* NULL is NULL */
void rows_null(db_rows *r);
/* The caller's name for the row being added, given to bad (db_rows_flush); without it a
 * row is named by its place among the rows of its flush, from 0. */
void rows_tag(db_rows *r, int tag);
/* End a row (it must have as many values as cols): DB_OK, or DB_ERROR when a write it
 * caused failed (see db_errmsg). */
int db_rows_end(db_rows *r);
/* Write the rows held. Without bad, DB_OK or DB_ERROR. With bad, the rows go in a
 * savepoint of their own; when they fail on a constraint, they are written again one at
 * a time, each in its own savepoint, and bad(arg, tag, msg) is called for each row that
 * fails (tag: see rows_tag; msg the database's message): the transaction stays usable,
 * and the answer is DB_ERROR with db_errcode DBE_CONSTRAINT. Any other failure answers
 * DB_ERROR at once. Empties r either way; rows sent before (db_rows_send) are written and
 * answered first. */
int db_rows_flush(db_rows *r, void (*bad)(void *arg, int tag, const char *msg), void *arg);
/* As db_rows_flush, but the rows held are only sent to the handle's thread (DB_ROWS_ASYNC
 * inside a transaction; otherwise written at once), and it does not wait for those sent
 * before: their answer, bad included, comes with a later db_rows_send of r once written,
 * and all of it with db_rows_flush. */
int db_rows_send(db_rows *r, void (*bad)(void *arg, int tag, const char *msg), void *arg);
size_t db_rows_held(const db_rows *r); /* rows added and not yet written */
void db_rows_free(db_rows *r);         /* what is held is dropped; NULL is fine */
/* 1 when new rows' ids can be reserved before they are written (db_reserve_ids): a bulk
 * writer may then hold its new records in db_rows too (entity.c). */
int db_holds_rows(const db *d);
/* Reserve up to n (1..20000) ids for new rows of table, whose key is a DT_PK column named
 * id, into ids[]: how many (n but for the first block after a smaller n), or 0 on error.
 * PostgreSQL takes them from the table's sequence (inside a transaction, the writing
 * thread reserves the next block ahead; what is not taken by its end is a gap); SQLite,
 * which has none, counts on from the table's largest id, inside a transaction only (its
 * write lock is held: no one else adds rows), and every new row of table in that
 * transaction must then take a reserved id. */
int db_reserve_ids(db *d, const char *table, int64_t *ids, int n);

/* Written into a statement's SQL (a comment) when its best plan depends on the values
 * bound: a list within a range of the org tree, which holds a village's thirty people or
 * the province's million. PostgreSQL then plans it with its values at every run. Otherwise,
 * after five runs, it may keep one generic plan (read the people by id, test each one's
 * org), which is right for the province and reads all million rows for the village
 * (0.8 ms -> 310-370 ms, measured). SQLite plans without the values either way. */
#define DB_PLAN_EACH "/* planned with its values */"

/* Until turned off, plan each prepared statement once, whatever its parameters. For a run
 * of small queries whose best plan does not depend on the values (a search's probes):
 * PostgreSQL otherwise plans them again at every execution while it thinks the values
 * might matter, which takes longer than running them. Nothing on SQLite. */
void db_plan_once(db *d, int on);

/* From now on, in this process, SQLite's WAL checkpoints run on a thread of each file's own
 * (with a connection of its own) instead of in the writer that made one due: for a server,
 * where that writer is a request waiting for its answer. Nothing on PostgreSQL. */
void db_checkpoint_behind(int on);

/* Refresh the planner's statistics of every table (SQLite's ANALYZE, on a sample;
 * PostgreSQL's autovacuum keeps its own: nothing). Outside a transaction. DB_OK or
 * DB_ERROR. */
int db_analyze(db *d);

/* DDL help from the driver. */
const char *db_type_name(const db *d, enum db_type t);
/* Appended to a CREATE TABLE whose rows are only ever found by its PRIMARY KEY: the table
 * is then stored as that key's B-tree (SQLite " WITHOUT ROWID"; nothing on PostgreSQL). */
const char *db_keyed_table(const db *d);
/* Appended to a SELECT of one row that the transaction will decide on (a programme whose
 * balance a disbursement must not overdraw): the row stays locked until the transaction
 * ends (PostgreSQL " FOR UPDATE"; nothing on SQLite, whose writers are serial). */
const char *db_for_update(const db *d);
/* 1 when the engine sorts NULL after every value in ascending order (PostgreSQL), 0 when
 * before them (SQLite): a list's keyset cursor (entity.c) puts a NULL where ORDER BY does. */
int db_nulls_last(const db *d);
/* A bound integer written so that the planner does not look at it, where one plan fits
 * every value ("(SELECT CAST(? AS BIGINT))" on PostgreSQL, "?" on SQLite). */
const char *db_opaque_int(const db *d);
/* The same for a bound text ("(SELECT CAST(? AS TEXT))" on PostgreSQL, "?" on SQLite). */
const char *db_opaque_text(const db *d);
/* Written before a column, keeps the planner off its indexes: "+" on SQLite (its unary
 * plus), which cannot tell a county's rows from the province's when it never sees the
 * bounds; "" on PostgreSQL, which plans by its statistics (and misjudges what hides them,
 * coalesce(x, NULL) for one: a county's map took 57 s that way, 25 ms without). */
const char *db_no_index(const db *d);
/* Written before both sides of a LIKE that ignores case, "lower" where LIKE heeds case
 * (PostgreSQL; its lower() folds every script); "" on SQLite, whose LIKE folds ASCII as
 * its lower() does (built without ICU), so that lower() there only cost time: a keyword
 * over four columns of a million people, 0.46 s with it, 0.26 s without. */
const char *db_case_fold(const db *d);
/* " IN <the integers of one bound text>" hidden from the planner as db_opaque_int is: the
 * planner takes the set for a few values whatever it holds, so one plan fits every set.
 * The text is db_int_set_text's ("[1,2]" for SQLite's json_each, "{1,2}" on PostgreSQL). */
const char *db_in_int_set(const db *d);
/* The text of the N integers of IDS for db_in_int_set's parameter; malloc'd. */
char *db_int_set_text(const db *d, const int64_t *ids, size_t n);
/* 1 when an index's entries must name the row's id to give the rows of one value in id
 * order (PostgreSQL), 0 when every index ends in the rowid by itself (SQLite, where naming
 * it would store it twice): a list filtered by a column reads its page in order. */
int db_index_needs_id(const db *d);
/* 1 if TABLE has COLUMN (or, with column NULL, if TABLE exists). */
int db_has_column(db *d, const char *table, const char *column);

/* Make the database tell every connection of every process when records, sessions,
 * users or orgs change (PostgreSQL: triggers that notify the listener behind its
 * generation number; SQLite tells by itself). Schema step v4. */
int db_watch_changes(db *d);

/* A small per-connection memo of results (list counts, sessions), valid until the
 * database changes, by this connection or any other. db_memo_get answers 1 and *v on a
 * hit; an engine that cannot tell when the data changed never hits, nor does a connection
 * inside a transaction (nor keeps what is put there). A put keeps what the caller computed
 * after its get, under the generation that get saw (so a write landing meanwhile is never
 * hidden); a put without a get before it keeps nothing.
 * db_memo_get_blob answers the LEN bytes kept by db_memo_put_blob (owned by the memo,
 * valid until the next memo call) or NULL. */
int db_memo_get(db *d, const char *key, int64_t *v);
void db_memo_put(db *d, const char *key, int64_t v);
const void *db_memo_get_blob(db *d, const char *key, size_t *len);
void db_memo_put_blob(db *d, const char *key, const void *data, size_t len);
/* The value last put for key even if the data has changed since (what a list shows as an
 * estimate of its count): 1 with *v and *age_ms, how long ago it was put; 0 when none. */
int db_memo_stale(db *d, const char *key, int64_t *v, double *age_ms);

/* Schema migrations: numbered steps, applied in order, each recorded in qiao_meta as
 * schema_version. Called with the whole upgrade in one transaction by store_migrate(). */
typedef int (*migration_fn)(db *d);
/* Bring the schema to the newest version in one transaction. Returns the version reached,
 * or -1 on failure (nothing changed). */
int store_migrate(db *d, const migration_fn *steps, int nsteps);
int store_version(db *d); /* 0 for an empty database */

/* The driver interface, implemented once per engine. Private to the store. */
struct driver {
    const char *name;
    void *(*open)(const char *url, char *err, size_t errlen);
    void (*close)(void *conn);
    const char *(*errmsg)(void *conn);
    enum db_err (*errcode)(void *conn);
    void *(*prepare)(void *conn, const char *sql);
    void (*bind)(void *st, int i, const char *text, int64_t ival,
                 int kind); /* kind 0 null, 1 int, 2 text, 3 text that stays as it is
                               until the statement is finalized (not copied) */
    int (*step)(void *st);
    int (*ncols)(void *st);
    const char *(*colname)(void *st, int i);
    const char *(*text)(void *st, int i);
    void (*finalize)(void *st);
    const char *(*type_name)(enum db_type t);
    int (*has_column)(void *conn, const char *table, const char *column);
    const char *begin_sql;
    /* Run first in a schema upgrade's transaction: waits there while another process
     * upgrades the same database, until its transaction ends. NULL: begin_sql waits. */
    const char *upgrade_lock_sql;
    const char *keyed_table;   /* see db_keyed_table */
    const char *insert_id_sql; /* see db_insert_id_sql */
    const char *for_update;    /* see db_for_update */
    int nulls_last;            /* see db_nulls_last */
    int index_needs_id;        /* see db_index_needs_id */
    /* The id of the row the connection inserted last (SQLite's rowid), 0 if none. */
    int64_t (*last_id)(void *conn);
    void (*plan_once)(void *conn, int on); /* see db_plan_once; NULL: nothing to do */
    int (*analyze)(void *conn);            /* see db_analyze; NULL: nothing to do */
    /* A number that changes whenever the data may have changed; -1: cannot tell. */
    int64_t (*generation)(void *conn);
    const char *const *watch_sql;             /* see db_watch_changes; NULL: nothing to do */
    void (*busy_timeout)(void *conn, int ms); /* see db_busy_timeout; NULL: nothing */
    /* Around the outermost transaction: wait for this process's other writers of the
     * same database (0, or -1 when the busy timeout ran out), and let the next one go.
     * NULL: the engine queues writers itself. */
    int (*lock_writer)(void *conn);
    void (*unlock_writer)(void *conn);
    int (*revive)(void *conn); /* see db_revive; NULL: nothing to do */
    int (*in_tx)(void *conn);  /* 1 while a transaction is open (see db_tx_lost); NULL: always */
    int (*backup)(void *conn, const char *file, char *err, size_t errlen); /* see db_backup */
    /* COPY text (tab-separated, \\N for NULL, one row a line) of rows into "table (cols)",
     * piece by piece from next (each call one more: len bytes at *data; 0 at the end), so
     * that the engine reads a piece while the next is made; 0 or -1 with the error
     * recorded. NULL: the engine has no COPY (see db_rows). */
    int (*copy)(void *conn, const char *table_cols, size_t (*next)(void *arg, const char **data),
                void *arg);
    int (*reserve_ids)(void *conn, const char *table, int64_t *ids, int n); /* see db_reserve_ids */
};

extern const struct driver sqlite_driver, pg_driver;

#endif
