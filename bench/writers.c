/* writers.c - SQLite writers taking turns (`make bench`; never part of `make test`).
 *
 *   writers [THREADS [SECONDS]]   (defaults 16 and 5)
 *
 * THREADS threads write one SQLite file at once, each in a loop: a transaction of three
 * INSERTs into a table with two indexes, then 0.3 ms of work outside it (what a request
 * does besides its transaction: HTTP, JSON). Run twice on fresh files in the same process:
 *
 *   store  through the store (db_begin / db_commit): writers wait in line in the process
 *          (store_sqlite.c's queue), each woken when the one before commits;
 *   raw    the obvious alternative: plain sqlite3 connections with a busy timeout, as a
 *          program using SQLite directly would, whose busy handler polls with sleeps.
 *
 * Prints each one's transactions per second and the p50/p99/max time of a transaction
 * (waiting for the lock included), and the ratios. Invented rows only. */
#include "store.h"
#include "util.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXN 2000000

static const char *path;
static int seconds = 5;
static double stop_at;
static double *lat;
static int nlat;
static pthread_mutex_t lat_m = PTHREAD_MUTEX_INITIALIZER;

static void record(double ms)
{
    pthread_mutex_lock(&lat_m);
    if (nlat < MAXN)
        lat[nlat++] = ms;
    pthread_mutex_unlock(&lat_m);
}

static void outside(void) /* the rest of a request: 0.3 ms of CPU */
{
    double until = now_ms() + 0.3;
    while (now_ms() < until)
        ;
}

static void *store_writer(void *arg)
{
    long me = (long)arg;
    char err[256];
    db *d = db_open(path, err, sizeof err);
    if (!d)
        die("writers: %s", err);
    for (int i = 0; now_ms() < stop_at; i++) {
        double t0 = now_ms();
        if (db_begin(d) != DB_OK)
            die("writers: begin: %s", db_errmsg(d));
        for (int k = 0; k < 3; k++)
            db_execv(d, "INSERT INTO t (a, b) VALUES (?, ?)", "si", "某某捐赠人",
                     (int64_t)(me * 1000003 + i * 3 + k) % 99991);
        if (db_commit(d) != DB_OK)
            die("writers: commit: %s", db_errmsg(d));
        record(now_ms() - t0);
        outside();
    }
    db_close(d);
    return NULL;
}

static void *raw_writer(void *arg)
{
    long me = (long)arg;
    sqlite3 *h;
    sqlite3_stmt *ins;
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        die("writers: open %s", path);
    sqlite3_busy_timeout(h, DB_BUSY_MS);
    sqlite3_exec(h, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    sqlite3_prepare_v2(h, "INSERT INTO t (a, b) VALUES (?, ?)", -1, &ins, NULL);
    for (int i = 0; now_ms() < stop_at; i++) {
        double t0 = now_ms();
        if (sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            die("writers: begin: %s", sqlite3_errmsg(h));
        for (int k = 0; k < 3; k++) {
            sqlite3_bind_text(ins, 1, "某某捐赠人", -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 2, (me * 1000003 + i * 3 + k) % 99991);
            sqlite3_step(ins);
            sqlite3_reset(ins);
        }
        if (sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            die("writers: commit: %s", sqlite3_errmsg(h));
        record(now_ms() - t0);
        outside();
    }
    sqlite3_finalize(ins);
    sqlite3_close(h);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One run: a fresh file, n threads of fn; its p99 into *p99, its rate into *rate. */
static void run(const char *name, void *(*fn)(void *), int n, double *p99, double *rate)
{
    char p[256];
    for (const char *suffix = ""; suffix; suffix = !*suffix                  ? "-wal"
                                                   : !strcmp(suffix, "-wal") ? "-shm"
                                                                             : NULL) {
        snprintf(p, sizeof p, "%s%s", path, suffix);
        unlink(p);
    }
    char err[256];
    db *d = db_open(path, err, sizeof err);
    if (!d || db_exec(d, "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER)") != DB_OK ||
        db_exec(d, "CREATE INDEX t_a ON t (a, b)") != DB_OK ||
        db_exec(d, "CREATE INDEX t_b ON t (b)") != DB_OK)
        die("writers: cannot make %s: %s", path, d ? db_errmsg(d) : err);
    db_close(d);
    nlat = 0;
    pthread_t th[256];
    double t0 = now_ms();
    stop_at = t0 + seconds * 1e3;
    for (long i = 0; i < n; i++)
        pthread_create(&th[i], NULL, fn, (void *)i);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    double secs = (now_ms() - t0) / 1e3;
    qsort(lat, (size_t)nlat, sizeof *lat, cmp);
    *p99 = lat[(int)(nlat * 0.99)];
    *rate = nlat / secs;
    printf("%-6s %8.0f tx/s  p50 %7.2f ms  p99 %7.2f ms  max %8.2f ms  (%d transactions)\n", name,
           *rate, lat[nlat / 2], *p99, lat[nlat - 1], nlat);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 16;
    if (argc > 2)
        seconds = atoi(argv[2]);
    if (n < 1 || n > 256 || seconds < 1)
        die("usage: writers [THREADS 1-256 [SECONDS]]");
    path = "build/bench-writers.db";
    lat = xcalloc(MAXN, sizeof *lat);
    double l = 0, s99, r99, srate, rrate;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f && fscanf(f, "%lf", &l) != 1)
        l = 0;
    if (f)
        fclose(f);
    printf("== SQLite writers: %d threads for %d s each, load %.2f\n", n, seconds, l);
    run("store", store_writer, n, &s99, &srate);
    run("raw", raw_writer, n, &r99, &rrate);
    printf("store / raw: rate %.2fx, p99 %.2fx (under 1: the store's p99 is lower)\n",
           srate / rrate, s99 / r99);
    free(lat);
    return 0;
}
