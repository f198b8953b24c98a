/* fill_funds.c - the funds ledger benchmark's data and its plain-SQL side.
 *
 *   fill_funds fill DB [N]       a fresh SQLite database: a city federation with 10 county
 *                                federations, 20 programmes each (200), and N ledger entries
 *                                (default 1,000,000) spread over them and over 2021-2025:
 *                                nine donations in ten (some in USD at a rate), the rest
 *                                disbursements under the approval threshold; every 500th
 *                                entry is reversed. All through the entity layer (ent_create,
 *                                ent_reverse: the checks, receipt and voucher numbers, the
 *                                balance check of each disbursement, an audit entry each,
 *                                batched as an import batches them) in one transaction.
 *   fill_funds sql DB PROG ORG K the obvious alternative, in the same process as a query
 *                                tool would run it: K times each, a plain SUM of programme
 *                                PROG's donations and disbursements (its balance), the SUM of
 *                                the programmes of org ORG's subtree over 2021-2025, and one
 *                                INSERT of a bare ledger row in its own transaction; prints
 *                                "SQL name p50_ms p99_ms" lines for bench/funds.sh.
 *
 * Every name is invented; the generator is seeded, so two runs make the same ledger. */
#include "audit.h"
#include "entity.h"
#include "schema.h"
#include "store.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNTIES 10
#define PER      20 /* programmes per county */

static uint64_t rng = 0x2545f4914f6cdd1du;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static struct ent_ctx ctx;

/* Create one record (body stolen); its id. Aborts the run on a refusal. */
static int64_t make(const char *entity, json_t *body)
{
    struct verr e;
    json_t *o = ent_create(&ctx, entity_find(entity), body, &e);
    if (!o) {
        char *s = json_dumps(body, 0);
        fprintf(stderr, "fill_funds: refused %s %s: %s (%s)\n", entity, s, e.msg, e.field);
        exit(1);
    }
    json_decref(body);
    int64_t id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    return id;
}

static const char *const kinds[] = {"love", "sight", "pearl", "wish", "relief", "education"};
static const char *const donors[] = {"陈氏宗亲会", "林先生",   "黄女士",     "侨商联合会",
                                     "吴先生",     "海外侨胞", "许氏基金会", "郭女士",
                                     "叶先生",     "蔡氏公司"};

static int fill(const char *path, long n)
{
    char err[512];
    db *d = db_open(path, err, sizeof err);
    if (!d) {
        fprintf(stderr, "fill_funds: %s\n", err);
        return 1;
    }
    if (schema_upgrade(d) < 0) {
        fprintf(stderr, "fill_funds: schema: %s\n", db_errmsg(d));
        return 1;
    }
    if (db_int(d, 0, "SELECT count(*) FROM \"org\"", "")) {
        fprintf(stderr, "fill_funds: %s already has orgs; give a fresh database\n", path);
        return 1;
    }
    ctx = (struct ent_ctx){
        .db = d, .a = arena_new(), .username = "bench-fill", .client = "cli", .bulk = 1};
    double t0 = now_ms();
    if (db_begin(d) != DB_OK || !(ctx.audit = audit_batch_begin(d))) {
        fprintf(stderr, "fill_funds: begin: %s\n", db_errmsg(d));
        return 1;
    }
    make("org", json_pack("{s:s, s:s, s:s}", "name", "清江市归国华侨联合会", "kind", "federation",
                          "level", "city"));
    int64_t progs[COUNTIES * PER];
    for (int k = 0; k < COUNTIES; k++) {
        char name[160];
        snprintf(name, sizeof name, "第%d县归国华侨联合会", k + 1);
        int64_t county = make("org", json_pack("{s:s, s:s, s:s, s:i}", "name", name, "kind",
                                               "federation", "level", "county", "parent_id", 1));
        for (int p = 0; p < PER; p++) {
            snprintf(name, sizeof name, "第%d县%s%d", k + 1, p % 2 ? "侨爱心工程" : "助学金",
                     p + 1);
            progs[k * PER + p] = make(
                "programme", json_pack("{s:s, s:s, s:I, s:s}", "name", name, "kind", kinds[p % 6],
                                       "org_id", (json_int_t)county, "starts_on", "2021-01-01"));
        }
    }
    struct verr e;
    long reversed = 0;
    for (long i = 0; i < n; i++) {
        int64_t pid = progs[rnd(COUNTIES * PER)];
        char day[40];
        /* the entries of a programme come in date order, as a ledger is kept */
        long at = i * 1826 / n;
        snprintf(day, sizeof day, "%04ld-%02ld-%02ld", 2021 + at / 365, 1 + at % 365 / 31 % 12,
                 1 + at % 31 % 28);
        int64_t id;
        const char *ent;
        if (i % 10 == 9 && i > 20 * COUNTIES * PER) { /* once every programme has some */
            ent = "disbursement";
            id = make(ent, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s}", "programme_id",
                                     (json_int_t)pid, "paid_on", day, "beneficiary_type", "name",
                                     "beneficiary_name", "困难归侨侨眷", "amount",
                                     (json_int_t)(10000 + rnd(20000)), "purpose", "生活救助"));
        } else {
            ent = "donation";
            json_t *b = json_pack("{s:I, s:s, s:s, s:s, s:I}", "programme_id", (json_int_t)pid,
                                  "received_on", day, "donor_type", "name", "donor_name",
                                  donors[rnd(10)], "amount", (json_int_t)(50000 + rnd(500000)));
            if (i % 7 == 0) {
                json_object_set_new(b, "currency", json_string("USD"));
                json_object_set_new(b, "rate", json_string("7.1234"));
            }
            id = make(ent, b);
        }
        if (i % 500 == 499) {
            json_t *body = json_pack("{s:s}", "reason", "录入错误");
            json_t *r = ent_reverse(&ctx, entity_find(ent), id, body, &e);
            json_decref(body);
            if (!r) {
                fprintf(stderr, "fill_funds: reverse %s %lld: %s\n", ent, (long long)id, e.msg);
                return 1;
            }
            json_decref(r);
            reversed++;
        }
        if (i % 1000 == 999) {
            arena_free(ctx.a);
            ctx.a = arena_new();
        }
        if (i % 100000 == 99999)
            fprintf(stderr, "  %ld entries, %.0f s\n", i + 1, (now_ms() - t0) / 1000);
    }
    if (audit_batch_end(d, ctx.audit) != DB_OK || db_commit(d) != DB_OK) {
        fprintf(stderr, "fill_funds: commit: %s\n", db_errmsg(d));
        return 1;
    }
    double ms = now_ms() - t0;
    printf("filled %ld ledger entries (+%ld reversals) over %d programmes in %.1f s (%.0f "
           "entries/s)\n",
           n, reversed, COUNTIES * PER, ms / 1000, n / (ms / 1000));
    arena_free(ctx.a);
    db_close(d);
    return 0;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *name, double *t, int k)
{
    qsort(t, (size_t)k, sizeof *t, cmp);
    printf("SQL %s %.3f %.3f\n", name, t[k / 2], t[k * 99 / 100]);
}

static int plain(const char *path, int64_t prog, int64_t org, int k)
{
    char err[512];
    db *d = db_open(path, err, sizeof err);
    if (!d) {
        fprintf(stderr, "fill_funds: %s\n", err);
        return 1;
    }
    double *t = xcalloc((size_t)k, sizeof *t);
    for (int i = 0; i < k; i++) {
        double t0 = now_ms();
        int64_t bal = db_int(d, -1,
                             "SELECT (SELECT coalesce(sum(amount_cny), 0) FROM donation WHERE "
                             "programme_id = ?) - (SELECT coalesce(sum(amount), 0) FROM "
                             "disbursement WHERE programme_id = ? AND status = 'approved') AS b",
                             "ii", prog, prog);
        t[i] = now_ms() - t0;
        if (bal < 0)
            return 1;
    }
    report("balance", t, k);
    char path_lo[64], path_hi[64]; /* the county's subtree: its path range (a child of 1) */
    snprintf(path_lo, sizeof path_lo, "/1/%lld/", (long long)org);
    snprintf(path_hi, sizeof path_hi, "/1/%lld0", (long long)org);
    for (int i = 0; i < k; i++) {
        double t0 = now_ms();
        int64_t s = db_int(d, -1,
                           "SELECT (SELECT coalesce(sum(t.amount_cny), 0) FROM donation t JOIN "
                           "\"org\" o ON o.id = t.org_id WHERE o.path >= ? AND o.path < ? AND "
                           "t.received_on >= '2021-01-01' AND t.received_on <= '2025-12-31') + "
                           "(SELECT coalesce(sum(t.amount), 0) FROM disbursement t JOIN \"org\" o "
                           "ON o.id = t.org_id WHERE o.path >= ? AND o.path < ? AND t.paid_on >= "
                           "'2021-01-01' AND t.paid_on <= '2025-12-31' AND t.status = 'approved') "
                           "AS s",
                           "ssss", path_lo, path_hi, path_lo, path_hi);
        t[i] = now_ms() - t0;
        if (s < 0)
            return 1;
    }
    report("county", t, k);
    if (db_execv(d,
                 "CREATE TABLE IF NOT EXISTS bare_ledger (id INTEGER PRIMARY KEY, "
                 "programme_id INTEGER, received_on TEXT, donor_name TEXT, amount INTEGER)",
                 "") != DB_OK)
        return 1;
    for (int i = 0; i < k; i++) {
        double t0 = now_ms();
        if (db_begin(d) != DB_OK ||
            db_execv(d,
                     "INSERT INTO bare_ledger (programme_id, received_on, donor_name, amount) "
                     "VALUES (?, '2025-06-01', '陈先生', 10000)",
                     "i", prog) != DB_OK ||
            db_commit(d) != DB_OK)
            return 1;
        t[i] = now_ms() - t0;
    }
    report("insert", t, k);
    free(t);
    db_close(d);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "fill") && argc <= 4)
        return fill(argv[2], argc > 3 ? atol(argv[3]) : 1000000);
    if (argc == 6 && !strcmp(argv[1], "sql"))
        return plain(argv[2], atoll(argv[3]), atoll(argv[4]), atoi(argv[5]));
    fprintf(stderr, "usage: fill_funds fill DB [N] | fill_funds sql DB PROG ORG K\n");
    return 2;
}
