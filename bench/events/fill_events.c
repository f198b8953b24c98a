/* fill_events.c - the events benchmark's data, and its plain-SQL side (issue 12).
 *
 *   fill_events DB [EVENTS [PARTICIPANTS]]   fill a fresh database (100,000 / 2,000,000)
 *   fill_events DB --plain N                 time N plain queries on a filled database
 *
 * The orgs, people and events go through the real entity layer (ent_create: validation,
 * the audit chain, the search keys) as an import does (ent_ctx.bulk, the audit entries
 * and search keys batched), in transactions of 100,000 records. The participants are
 * written with one prepared INSERT of the columns ent_create writes for them (org_id of
 * the event, person_name, role, attended, the times): through ent_create, with its checks
 * and an audit entry each, 2M of them take 7 minutes or more on this machine, and what is
 * measured here is reading them. The shape: a city federation with 50 county
 * federations; 100,000 people living in 60 countries, each owned by a county; the events
 * spread over the counties and the years 2020-2024 (400 a county and year at the default
 * size), of every kind and mode, some in a series; 5-35 participants each, drawn from
 * everyone (a person once per event), one in eight absent. Every name is made up; the
 * generator is seeded, so two runs build the same data.
 *
 * --plain prints p50/p99 of what the API's answers cost as bare SQL on the same
 * connection type, one query each: an event's attendance with COUNT(DISTINCT) (registered,
 * attended, countries), its countries grouped, the first page of its participants, and a
 * county's events of one year (first page of 20 and the count). run.sh prints them beside
 * the API's figures. */
#include "audit.h"
#include "entity.h"
#include "schema.h"
#include "search.h"
#include "store.h"
#include "util.h"
#include "../rnd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNTIES 50
#define PEOPLE   100000
#define BATCH    100000
#define PARTICIPANT_INSERT                                                                         \
    "INSERT INTO participant (org_id, event_id, person_id, person_name, role, attended, "          \
    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"

static const char *const countries[] = {
    "SG", "MY", "TH", "ID", "PH", "VN", "MM", "KH", "LA", "BN", "JP", "KR", "US", "CA", "MX",
    "BR", "AR", "PE", "CL", "PA", "GB", "FR", "DE", "NL", "IT", "ES", "PT", "BE", "CH", "AT",
    "SE", "NO", "DK", "FI", "IE", "RU", "UA", "PL", "CZ", "HU", "GR", "TR", "AE", "SA", "IL",
    "EG", "ZA", "NG", "KE", "TZ", "MG", "MU", "AU", "NZ", "FJ", "PG", "IN", "PK", "LK", "NP",
};
static const char *const surnames[] = {"陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡",
                                       "杨", "郑", "许", "谢", "郭", "洪", "邱", "曾", "周"};
static const char *const given[] = {"嘉", "文", "国", "明", "华", "建", "志", "美", "丽",
                                    "伟", "秀", "英", "德", "宏", "振", "光", "耀", "慧"};
static const char *const kinds[] = {"meeting",    "training",         "camp",        "gathering",
                                    "forum",      "video_conference", "competition", "lecture",
                                    "media_tour", "visit_tour",       "other"};
static const char *const modes[] = {"offline", "offline", "offline", "online", "hybrid"};
static const char *const series[] = {"中国寻根之旅", "侨心杯", "海外侨领座谈会", "侨商论坛"};
static const char *const roles[] = {"guest", "speaker", "leader", "delegate", "expert", "media"};
static const char *const what[] = {"座谈会", "培训班", "夏令营", "联谊会", "论坛",  "视频会",
                                   "大赛",   "宣讲会", "媒体行", "考察",   "交流会"};

static db *d;
static struct ent_ctx ctx;
static long in_batch;

static void fail(const char *what_, const char *msg)
{
    fprintf(stderr, "fill_events: %s: %s\n", what_, msg);
    exit(1);
}

/* Start a transaction with its audit batch (and a search batch for ent, if searched). */
static void batch_begin(const struct entity *searched)
{
    if (db_begin(d) != DB_OK)
        fail("begin", db_errmsg(d));
    if (!(ctx.audit = audit_batch_begin(d)))
        fail("audit", db_errmsg(d));
    ctx.keys = searched ? search_batch_new_async(searched) : NULL;
    in_batch = 0;
}

static void batch_end(void)
{
    if (ctx.keys && search_batch_write(d, ctx.keys) != DB_OK)
        fail("search keys", db_errmsg(d));
    search_batch_free(ctx.keys);
    ctx.keys = NULL;
    if (audit_batch_end(d, ctx.audit) != DB_OK)
        fail("audit", db_errmsg(d));
    ctx.audit = NULL;
    if (db_commit(d) != DB_OK)
        fail("commit", db_errmsg(d));
    arena_free(ctx.a); /* the arena only grows: a new one for each batch */
    ctx.a = arena_new();
}

/* Create one record (body stolen); its id. A refusal ends the run. */
static int64_t make(const struct entity *ent, json_t *body)
{
    struct verr e;
    json_t *o = ent_create(&ctx, ent, body, &e);
    if (!o) {
        char *s = json_dumps(body, 0);
        fprintf(stderr, "fill_events: %s refused %s: %s (%s)\n", ent->name, s, e.msg, e.field);
        exit(1);
    }
    json_decref(body);
    int64_t id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    in_batch++;
    return id;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Run sql (binds: "i" an event id, or "iss" a county and a year's dates) n times with
 * random arguments, stepping every row; print p50/p99. */
static void plain(const char *name, const char *sql, int n, int64_t maxev, const int64_t *cty,
                  int ncty)
{
    double *t = xcalloc((size_t)n, sizeof *t);
    for (int i = 0; i < n; i++) {
        int64_t ev = 1 + rnd((unsigned)maxev);
        int year = 2020 + (int)rnd(5);
        char from[11], to[11];
        snprintf(from, sizeof from, "%04d-01-01", year);
        snprintf(to, sizeof to, "%04d-12-31", year);
        double t0 = now_ms();
        stmt *s = db_prepare(d, sql);
        if (!s)
            fail("plain", db_errmsg(d));
        if (strstr(sql, "org_id")) {
            st_bind_int(s, 1, cty[rnd((unsigned)ncty)]);
            st_bind_text(s, 2, from);
            st_bind_text(s, 3, to);
        } else {
            st_bind_int(s, 1, ev);
        }
        while (st_step(s) == DB_ROW)
            ;
        st_finalize(s);
        t[i] = now_ms() - t0;
    }
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    printf("PLAIN %s p50_ms=%.3f p99_ms=%.3f\n", name, t[n / 2], t[n * 99 / 100]);
    free(t);
}

static int plain_main(int n)
{
    int64_t maxev = db_int(d, 0, "SELECT max(id) FROM \"event\"", "");
    int64_t cty[COUNTIES];
    int ncty = 0;
    stmt *s = db_prepare(d, "SELECT id FROM \"org\" WHERE parent_id = 1 ORDER BY id");
    while (s && ncty < COUNTIES && st_step(s) == DB_ROW)
        cty[ncty++] = st_int(s, "id");
    st_finalize(s);
    if (!maxev || !ncty)
        fail("plain", "the database has no events: fill it first");
    printf("COUNTY id=%lld\n", (long long)cty[0]);
    if (n <= 0)
        return 0;
    plain("attendance",
          "SELECT count(*) AS registered, count(CASE WHEN pa.attended = 1 THEN 1 END) AS came, "
          "count(DISTINCT CASE WHEN pa.attended = 1 THEN p.residence_country END) AS countries "
          "FROM participant pa JOIN person p ON p.id = pa.person_id WHERE pa.event_id = ?",
          n, maxev, cty, ncty);
    plain("countries",
          "SELECT p.residence_country, count(*) AS n FROM participant pa JOIN person p ON p.id = "
          "pa.person_id WHERE pa.event_id = ? AND pa.attended = 1 GROUP BY p.residence_country",
          n, maxev, cty, ncty);
    plain("participants",
          "SELECT pa.*, p.name, p.residence_country FROM participant pa JOIN person p ON p.id = "
          "pa.person_id WHERE pa.event_id = ? ORDER BY pa.id LIMIT 20",
          n, maxev, cty, ncty);
    plain("year-list",
          "SELECT * FROM \"event\" WHERE org_id = ? AND starts_on >= ? AND starts_on <= ? "
          "ORDER BY starts_on DESC, id DESC LIMIT 20",
          n, maxev, cty, ncty);
    plain("year-count",
          "SELECT count(*) FROM \"event\" WHERE org_id = ? AND starts_on >= ? AND starts_on <= ?",
          n, maxev, cty, ncty);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: fill_events DB [EVENTS [PARTICIPANTS]] | DB --plain N\n");
        return 2;
    }
    char err[512];
    if (!(d = db_open(argv[1], err, sizeof err)))
        fail(argv[1], err);
    if (schema_upgrade(d) < 0)
        fail("schema", db_errmsg(d));
    if (argc == 4 && !strcmp(argv[2], "--plain"))
        return plain_main(atoi(argv[3]));
    long nev = argc > 2 ? atol(argv[2]) : 100000, npart = argc > 3 ? atol(argv[3]) : 2000000;
    if (nev < COUNTIES * 5 || npart < nev)
        fail("sizes", "EVENTS must be at least 250, PARTICIPANTS at least EVENTS");
    if (db_int(d, 0, "SELECT count(*) FROM \"org\"", ""))
        fail(argv[1], "already filled; give a fresh database");
    ctx = (struct ent_ctx){
        .db = d, .a = arena_new(), .username = "bench-fill", .client = "cli", .bulk = 1};
    const struct entity *org = entity_find("org"), *person = entity_find("person"),
                        *event = entity_find("event");
    double t0 = now_ms();

    /* the tree */
    batch_begin(NULL);
    make(org, json_pack("{s:s, s:s, s:s}", "name", "清江市归国华侨联合会", "kind", "federation",
                        "level", "city"));
    int64_t cty[COUNTIES];
    for (int k = 0; k < COUNTIES; k++) {
        char name[64];
        snprintf(name, sizeof name, "第%d县归国华侨联合会", k + 1);
        cty[k] = make(org, json_pack("{s:s, s:s, s:s, s:i}", "name", name, "kind", "federation",
                                     "level", "county", "parent_id", 1));
    }
    batch_end();

    /* the people */
    static char names[PEOPLE][32];
    int64_t first_person = 0;
    for (long i = 0; i < PEOPLE;) {
        batch_begin(person);
        for (; i < PEOPLE && in_batch < BATCH; i++) {
            char name[32];
            snprintf(name, sizeof name, "%s%s%s", PICK(surnames), PICK(given), PICK(given));
            int64_t id =
                make(person, json_pack("{s:s, s:s, s:I}", "name", name, "residence_country",
                                       PICK(countries), "org_id", (json_int_t)cty[i % COUNTIES]));
            if (!first_person)
                first_person = id;
            snprintf(names[i], sizeof names[i], "%s", name);
        }
        batch_end();
    }
    double t1 = now_ms();
    printf("fill: %d people in %.1f s\n", PEOPLE, (t1 - t0) / 1000);

    /* the events, each with its participants */
    long made_p = 0;
    char now[21];
    now_utc(now);
    for (long ev = 0; ev < nev;) {
        batch_begin(NULL);
        for (; ev < nev && in_batch < BATCH; ev++) {
            int k = (int)(ev % COUNTIES), year = 2020 + (int)(ev / COUNTIES % 5);
            char from[11], to[11], name[128];
            int m = 1 + (int)rnd(12), day = 1 + (int)rnd(27);
            snprintf(from, sizeof from, "%04d-%02d-%02d", year, m, day);
            snprintf(to, sizeof to, "%04d-%02d-%02d", year, m, day + (int)rnd(2));
            int kind = (int)rnd(sizeof kinds / sizeof *kinds);
            snprintf(name, sizeof name, "%d年第%d县侨界%s", year, k + 1, what[kind]);
            json_t *b =
                json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "name", name, "kind", kinds[kind],
                          "starts_on", from, "ends_on", to, "mode", PICK(modes), "org_id",
                          (json_int_t)cty[k], "country", rnd(5) ? "CN" : PICK(countries));
            if (rnd(10) == 0) {
                json_object_set_new(b, "series", json_string(PICK(series)));
                json_object_set_new(b, "edition", json_integer(1 + rnd(9)));
            }
            if (rnd(4) == 0)
                json_object_set_new(b, "headcount", json_integer(rnd(300)));
            int64_t eid = make(event, b);
            /* participants: what is left spread over the events left, 5..35 each */
            long left = npart - made_p, evleft = nev - ev;
            long want = left / evleft;
            long n = evleft == 1 ? left : want < 5 ? want : want - 15 + (long)rnd(31);
            if (n > left)
                n = left;
            /* distinct people: a random start and a stride coprime to PEOPLE */
            unsigned start = rnd(PEOPLE), stride = 7919u * (1 + rnd(50)) % PEOPLE;
            if (stride % 2 == 0 || stride % 5 == 0)
                stride = 7919u;
            for (long j = 0; j < n; j++) {
                unsigned pk = (unsigned)((start + (uint64_t)stride * j) % PEOPLE);
                /* the store keeps the statement prepared (SQLite's cache per connection) */
                stmt *ins = db_prepare(d, PARTICIPANT_INSERT);
                if (!ins)
                    fail("participant", db_errmsg(d));
                st_bind_int(ins, 1, cty[k]);
                st_bind_int(ins, 2, eid);
                st_bind_int(ins, 3, first_person + pk);
                st_bind_text(ins, 4, names[pk]);
                st_bind_text(ins, 5, PICK(roles));
                st_bind_int(ins, 6, rnd(8) != 0);
                st_bind_text(ins, 7, now);
                st_bind_text(ins, 8, now);
                if (st_step(ins) != DB_DONE)
                    fail("participant", db_errmsg(d));
                st_finalize(ins);
            }
            in_batch += n;
            made_p += n;
        }
        batch_end();
        fprintf(stderr, "  %ld events, %ld participants, %.0f records/s\n", ev, made_p,
                (double)(ev + made_p) * 1000 / (now_ms() - t1));
    }
    double t2 = now_ms();
    printf("fill: %ld events (ent_create) and %ld participants (INSERT) in %.1f s (%.0f/s)\n", nev,
           made_p, (t2 - t1) / 1000, (nev + made_p) / ((t2 - t1) / 1000));
    arena_free(ctx.a);
    db_close(d);
    return 0;
}
