/* store_sqlite.c - the SQLite engine behind struct driver (see store.h).
 * A file opened here is in WAL mode with a busy timeout and foreign keys on. */
#include "store.h"
#include "util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sst {
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc; /* last step result */
};

static void *sq_open(const char *url, char *err, size_t errlen)
{
    if (!strncmp(url, "sqlite://", 9))
        url += 9;
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(
        url, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "无法打开数据库 %s: %s", url, h ? sqlite3_errmsg(h) : "?");
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_busy_timeout(h, 10000);
    sqlite3_extended_result_codes(h, 1);
    char *msg = NULL;
    if (sqlite3_exec(h,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "无法打开数据库 %s: %s", url, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(h);
        return NULL;
    }
    return h;
}

static void sq_close(void *conn)
{
    sqlite3_close_v2(conn);
}

static const char *sq_errmsg(void *conn)
{
    return sqlite3_errmsg(conn);
}

static enum db_err sq_errcode(void *conn)
{
    switch (sqlite3_errcode(conn) & 0xff) {
    case SQLITE_OK:
        return DBE_NONE;
    case SQLITE_CONSTRAINT:
        return DBE_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DBE_BUSY;
    default:
        return DBE_OTHER;
    }
}

static void *sq_prepare(void *conn, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(conn, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    struct sst *s = xcalloc(1, sizeof *s);
    s->db = conn;
    s->st = st;
    return s;
}

static void sq_bind(void *st, int i, const char *text, int64_t ival, int kind)
{
    struct sst *s = st;
    if (kind == 1)
        sqlite3_bind_int64(s->st, i, ival);
    else if (kind == 2)
        sqlite3_bind_text(s->st, i, text, -1, SQLITE_TRANSIENT);
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

static void sq_finalize(void *st)
{
    struct sst *s = st;
    sqlite3_finalize(s->st);
    free(s);
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
    sqlite3_stmt *st;
    int found = 0;
    if (!column) {
        sqlite3_prepare_v2(conn, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1,
                           &st, NULL);
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    } else {
        sqlite3_prepare_v2(conn, "SELECT 1 FROM pragma_table_info(?) WHERE name=?", -1, &st, NULL);
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
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
};
