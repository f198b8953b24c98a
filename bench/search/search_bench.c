/* search_bench.c - name search at realistic size (issue 5's benchmark, the search half).
 *
 *   search_bench DB N [QUERIES]
 *
 * 1. If DB (SQLite) has fewer than N people, adds invented ones the way an import does:
 *    through the real entity layer (validation), with the search keys made on a second
 *    thread and written in key order, 100,000 per transaction: a realistic mix of surnames
 *    (weighted), one- and two-character given names, a fifth written in traditional
 *    characters, two in five with a passport name spelt the Hokkien, Teochew, Cantonese or
 *    Hakka way, some with a former name, spread over 50 county orgs.
 * 2. Draws QUERIES (1,000) mixed queries from those people: full Chinese names, prefixes,
 *    pinyin with and without spaces, given names, initials, Cantonese, passport names,
 *    dialect surnames with the given name, mixed script.
 * 3. Runs each through search_run (as the root admin and as a county user), through the
 *    obvious alternative (the list's LIKE '%q%' on the name fields) and through an FTS5
 *    trigram index of the same fields, and prints p50, p99 and the ratios.
 *
 * Everything is in one process, without HTTP: this measures the search and the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "entity.h"
#include "names.h"
#include "schema.h"
#include "search.h"

static unsigned long long rng = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* The first surnames of the table, weighted roughly by how common they are. */
static const struct surname *pick_surname(void)
{
    static int n;
    if (!n)
        while (surnames[n].han && surnames[n].spell[0 + D_CANTONESE] && n < 120)
            n++;
    unsigned r = rnd(1000);
    int i = r < 400 ? (int)rnd(10) : r < 750 ? (int)rnd(40) : (int)rnd((unsigned)n);
    return &surnames[i];
}

static const char *const given_s[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "文", "辉", "力", "玉",
    "萍", "红", "梅", "林", "婷", "雪", "琳", "晶", "斌", "波", "宇", "浩", "凯", "健", "俊",
    "帆", "帅", "旭", "宁", "龙", "嘉", "庚", "志", "学", "友", "德", "荣", "发", "祥", "福",
    "安", "春", "海", "东", "亮", "成", "新", "永", "金", "清", "光", "天", "子", "思", "怡",
    "美", "玲", "慧", "佳", "欣", "雅", "倩", "颖", "琪", "晓", "小", "振", "家", "宏", "耀",
};
static const char *const given_t[] = {
    "偉", "芳", "娜", "敏", "靜", "麗", "強", "磊", "軍", "洋", "勇", "艷", "傑", "娟", "濤",
    "明", "超", "秀", "霞", "平", "剛", "桂", "英", "華", "建", "國", "文", "輝", "力", "玉",
    "萍", "紅", "梅", "林", "婷", "雪", "琳", "晶", "斌", "波", "宇", "浩", "凱", "健", "俊",
    "帆", "帥", "旭", "寧", "龍", "嘉", "庚", "志", "學", "友", "德", "榮", "發", "祥", "福",
    "安", "春", "海", "東", "亮", "成", "新", "永", "金", "清", "光", "天", "子", "思", "怡",
    "美", "玲", "慧", "佳", "欣", "雅", "倩", "穎", "琪", "曉", "小", "振", "家", "宏", "耀",
};
#define NGIVEN (sizeof given_s / sizeof *given_s)

/* Traditional forms of the commonest surnames (the rest are written the same). */
static const char *trad_surname(const char *s)
{
    static const char *const pairs[][2] = {
        {"陈", "陳"}, {"黄", "黃"}, {"张", "張"}, {"刘", "劉"}, {"杨", "楊"}, {"吴", "吳"},
        {"郑", "鄭"}, {"谢", "謝"}, {"许", "許"}, {"叶", "葉"}, {"萧", "蕭"}, {"罗", "羅"},
        {"苏", "蘇"}, {"钟", "鍾"}, {"邓", "鄧"}, {"马", "馬"}, {"冯", "馮"}, {"庄", "莊"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
        if (!strcmp(pairs[i][0], s))
            return pairs[i][1];
    return s;
}

/* A spelling of the surname abroad (the first of a random dialect that has one). */
static void abroad(const struct surname *s, char *out, size_t n)
{
    for (int tries = 0; tries < 8; tries++) {
        const char *sp = s->spell[rnd(D_N)];
        if (!sp)
            continue;
        size_t l = strcspn(sp, "/");
        snprintf(out, n, "%.*s", (int)l, sp);
        return;
    }
    snprintf(out, n, "%s", s->pinyin);
}

struct first_key {
    int kind;
    char key[NAME_KEY_MAX], show[NAME_KEY_MAX + 40];
};

static void take_first(void *arg, const struct name_key *k)
{
    struct first_key *f = arg;
    if (k->kind == f->kind && !f->key[0] && !k->weak) {
        snprintf(f->key, sizeof f->key, "%s", k->key);
        snprintf(f->show, sizeof f->show, "%s", k->show);
    }
}

static int64_t count_people(db *d)
{
    return db_int(d, 0, "SELECT count(*) FROM \"person\" WHERE deleted_at IS NULL", "");
}

static int fill(db *d, int64_t want, int64_t *counties, int ncounties)
{
    arena *a = arena_new();
    struct ent_ctx c = {.db = d, .a = a, .username = "bench", .client = "bench", .bulk = 1};
    const struct entity *pe = entity_find("person");
    int64_t have = count_people(d);
    double t0 = now_ms();
    while (have < want) {
        if (db_begin(d) != DB_OK) {
            fprintf(stderr, "search_bench: begin: %s\n", db_errmsg(d));
            arena_free(a);
            return -1;
        }
        c.keys = search_batch_new_async(pe);
        for (int k = 0; k < 100000 && have < want; k++, have++) {
            const struct surname *s = pick_surname();
            int trad = rnd(5) == 0, two = rnd(10) < 7;
            unsigned g1 = rnd(NGIVEN), g2 = rnd(NGIVEN);
            char name[64];
            snprintf(name, sizeof name, "%s%s%s", trad ? trad_surname(s->han) : s->han,
                     trad ? given_t[g1] : given_s[g1],
                     two ? (trad ? given_t[g2] : given_s[g2]) : "");
            json_t *body = json_pack("{s:s, s:I}", "name", name, "org_id",
                                     (json_int_t)counties[rnd((unsigned)ncounties)]);
            if (rnd(5) < 2) { /* a passport name: the surname abroad, the given name in Cantonese */
                char sn[32], alt[128];
                abroad(s, sn, sizeof sn);
                char given[16];
                snprintf(given, sizeof given, "%s%s", given_s[g1], two ? given_s[g2] : "");
                struct first_key f = {.kind = K_JYUT};
                name_keys(given, take_first, &f);
                snprintf(alt, sizeof alt, "%s %.90s", sn, f.show);
                for (char *p = alt; *p; p++)
                    if (p == alt || p[-1] == ' ')
                        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
                json_object_set_new(body, "name_alt", json_pack("[s]", alt));
            }
            if (rnd(20) == 0) {
                char former[64];
                snprintf(former, sizeof former, "%s%s", s->han, given_s[rnd(NGIVEN)]);
                json_object_set_new(body, "former_names", json_pack("[s]", former));
            }
            struct verr e;
            json_t *p = ent_create(&c, pe, body, &e);
            json_decref(body);
            if (!p) {
                fprintf(stderr, "search_bench: create %s: %s\n", name, e.msg);
                search_batch_free(c.keys);
                db_rollback(d);
                arena_free(a);
                return -1;
            }
            json_decref(p);
        }
        int rc = search_batch_write(d, c.keys);
        search_batch_free(c.keys);
        if (rc != DB_OK || db_commit(d) != DB_OK) {
            fprintf(stderr, "search_bench: commit: %s\n", db_errmsg(d));
            if (db_depth(d))
                db_rollback(d);
            arena_free(a);
            return -1;
        }
        fprintf(stderr, "  %lld people, %.0f/s\n", (long long)have,
                (double)have * 1000 / (now_ms() - t0));
    }
    arena_free(a);
    return 0;
}

/* A query drawn from a random person. kind names what it tries. */
static void draw_query(db *d, int64_t maxid, char *q, size_t n, const char **kind)
{
    for (;;) {
        stmt *s = db_prepare(d, "SELECT name, name_alt FROM \"person\" WHERE id >= ? AND "
                                "deleted_at IS NULL ORDER BY id LIMIT 1");
        st_bind_int(s, 1, 1 + (int64_t)rnd((unsigned)maxid));
        if (st_step(s) != DB_ROW) {
            st_finalize(s);
            continue;
        }
        char name[64], alt[128] = "";
        snprintf(name, sizeof name, "%s", st_text(s, "name"));
        if (!st_isnull(s, "name_alt")) {
            json_t *j = json_loads(st_text(s, "name_alt"), 0, NULL);
            snprintf(alt, sizeof alt, "%s", json_string_value(json_array_get(j, 0)) ?: "");
            json_decref(j);
        }
        st_finalize(s);
        struct first_key py = {.kind = K_PINYIN}, pg = {.kind = K_PINYIN_GIVEN},
                         in = {.kind = K_INITIALS}, jy = {.kind = K_JYUT};
        name_keys(name, take_first, &py);
        name_keys(name, take_first, &pg);
        name_keys(name, take_first, &in);
        name_keys(name, take_first, &jy);
        const char *given = name + 3; /* one-character surnames only in this mix */
        unsigned r = rnd(100);
        if (r < 20) {
            *kind = "chinese";
            snprintf(q, n, "%s", name);
        } else if (r < 30) {
            *kind = "prefix";
            snprintf(q, n, "%.6s", name);
        } else if (r < 45) {
            *kind = "pinyin";
            snprintf(q, n, "%.100s", py.show);
        } else if (r < 55) {
            *kind = "pinyin-nospace";
            snprintf(q, n, "%.100s", py.key);
        } else if (r < 62) {
            *kind = "given";
            snprintf(q, n, "%.100s", pg.key);
        } else if (r < 70) {
            *kind = "initials";
            snprintf(q, n, "%.100s", in.key);
        } else if (r < 78) {
            *kind = "cantonese";
            snprintf(q, n, "%.100s", jy.show);
        } else if (r < 88 && *alt) {
            *kind = "passport";
            snprintf(q, n, "%s", alt);
        } else if (r < 94 && *alt) {
            *kind = "dialect+pinyin";
            snprintf(q, n, "%.*s %.60s", (int)strcspn(alt, " "), alt, pg.key);
        } else if (*alt) {
            *kind = "mixed";
            snprintf(q, n, "%.*s %s", (int)strcspn(alt, " "), alt, given);
        } else {
            continue;
        }
        if (*q)
            return;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    return v[(int)(p * (n - 1))];
}

/* Run sql (with "%q%"-style binds from q) for every query; times in ms into t. */
static void run_sql(db *d, const char *sql, int nbind, char (*qs)[128], int nq, double *t, int like)
{
    for (int i = 0; i < nq; i++) {
        char pat[160];
        snprintf(pat, sizeof pat, like ? "%%%s%%" : "%s", qs[i]);
        double t0 = now_ms();
        stmt *s = db_prepare(d, sql);
        for (int b = 1; b <= nbind; b++)
            st_bind_text(s, b, pat);
        int rows = 0;
        while (s && st_step(s) == DB_ROW)
            rows++;
        st_finalize(s);
        t[i] = now_ms() - t0;
    }
    qsort(t, (size_t)nq, sizeof *t, cmp_double);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: search_bench DB N [QUERIES]\n");
        return 2;
    }
    int64_t want = atoll(argv[2]);
    int nq = argc > 3 ? atoi(argv[3]) : 1000;
    char err[256];
    db *d = db_open(argv[1], err, sizeof err);
    if (!d || schema_upgrade(d) < 0) {
        fprintf(stderr, "search_bench: %s\n", d ? db_errmsg(d) : err);
        return 1;
    }
    /* The org tree: a root and 50 counties. */
    int64_t counties[50];
    arena *a = arena_new();
    struct ent_ctx sys = {.db = d, .a = a, .username = "bench", .client = "bench"};
    if (!db_int(d, 0, "SELECT count(*) FROM \"org\"", "")) {
        struct verr e;
        json_t *b = json_pack("{s:s, s:s}", "name", "基准市侨联", "kind", "federation");
        json_t *root = ent_create(&sys, entity_find("org"), b, &e);
        json_decref(b);
        int64_t rid = json_integer_value(json_object_get(root, "id"));
        json_decref(root);
        for (int i = 0; i < 50; i++) {
            char nm[64];
            snprintf(nm, sizeof nm, "基准第%d县侨联", i + 1);
            b = json_pack("{s:s, s:s, s:I}", "name", nm, "kind", "federation", "parent_id",
                          (json_int_t)rid);
            json_decref(ent_create(&sys, entity_find("org"), b, &e));
            json_decref(b);
        }
    }
    stmt *s = db_prepare(d, "SELECT id FROM \"org\" WHERE parent_id IS NOT NULL ORDER BY id");
    int nc = 0;
    while (st_step(s) == DB_ROW && nc < 50)
        counties[nc++] = st_int(s, "id");
    st_finalize(s);
    double t0 = now_ms();
    int64_t before = count_people(d);
    if (fill(d, want, counties, nc))
        return 1;
    if (count_people(d) > before)
        printf("filled %lld people in %.1f s\n", (long long)(count_people(d) - before),
               (now_ms() - t0) / 1000);
    int64_t people = count_people(d), keys = db_int(d, 0, "SELECT count(*) FROM search_person", "");
    printf("people %lld, search keys %lld (%.1f per person)\n", (long long)people, (long long)keys,
           (double)keys / (double)people);

    if (getenv("BENCH_ONE")) { /* time one query, repeated */
        const struct entity *one[] = {entity_find("person"), NULL};
        double best = 1e9, sum = 0;
        for (int i = 0; i < 200; i++) {
            arena *qa = arena_new();
            struct ent_ctx c = {.db = d, .a = qa, .username = "bench", .client = "bench"};
            struct verr e;
            double q0 = now_ms();
            json_t *res = search_run(&c, getenv("BENCH_ONE"), one, 20, &e);
            double dt = now_ms() - q0;
            sum += dt;
            best = dt < best ? dt : best;
            if (!i)
                printf("%s\n", json_dumps(res, JSON_INDENT(1)));
            json_decref(res);
            arena_free(qa);
        }
        printf("%s: best %.3f ms, mean %.3f ms\n", getenv("BENCH_ONE"), best, sum / 200);
        return 0;
    }

    /* The queries. */
    char(*qs)[128] = calloc((size_t)nq, sizeof *qs);
    const char **kinds = calloc((size_t)nq, sizeof *kinds);
    int64_t maxid = db_int(d, 0, "SELECT max(id) FROM \"person\"", "");
    for (int i = 0; i < nq; i++)
        draw_query(d, maxid, qs[i], sizeof qs[i], &kinds[i]);
    if (getenv("BENCH_QUERIES_OUT")) { /* for run.sh to send the same over HTTP */
        FILE *f = fopen(getenv("BENCH_QUERIES_OUT"), "w");
        for (int i = 0; f && i < nq; i++)
            fprintf(f, "%s\n", qs[i]);
        if (f)
            fclose(f);
    }

    /* qiao, as the root admin and as a county user. */
    const struct entity *ents[] = {entity_find("person"), NULL};
    double *t = calloc((size_t)nq, sizeof *t), *tc = calloc((size_t)nq, sizeof *tc);
    int found = 0;
    s = db_prepare(d, "SELECT path FROM \"org\" WHERE id = ?");
    st_bind_int(s, 1, counties[0]);
    st_step(s);
    char county_path[64];
    snprintf(county_path, sizeof county_path, "%s", st_text(s, "path"));
    st_finalize(s);
    for (int pass = -1; pass < 2; pass++) { /* pass -1 warms the caches, unmeasured */
        double *tt = pass > 0 ? tc : t;
        for (int i = 0; i < nq; i++) {
            arena *qa = arena_new();
            struct ent_ctx c = {.db = d,
                                .a = qa,
                                .username = "bench",
                                .client = "bench",
                                .scope_path = pass > 0 ? county_path : NULL};
            struct verr e;
            double q0 = now_ms();
            json_t *res = search_run(&c, qs[i], ents, 20, &e);
            tt[i] = now_ms() - q0;
            if (getenv("BENCH_SLOW") && tt[i] > atof(getenv("BENCH_SLOW")))
                fprintf(stderr, "slow %.2f ms %s: %s\n", tt[i], kinds[i], qs[i]);
            if (!res) {
                fprintf(stderr, "search %s: %s\n", qs[i], e.msg);
                return 1;
            }
            if (!pass)
                found += json_array_size(json_object_get(res, "items")) > 0;
            if (pass < 0)
                tt[i] = 0;
            json_decref(res);
            arena_free(qa);
        }
        qsort(tt, (size_t)nq, sizeof *tt, cmp_double);
    }

    /* The obvious alternative: the list's LIKE scan over the same fields. */
    double *tl = calloc((size_t)nq, sizeof *tl), *tf = calloc((size_t)nq, sizeof *tf);
    int nl = nq < 200 ? nq : 200; /* a full scan per query: fewer of them */
    run_sql(d,
            "SELECT id FROM \"person\" WHERE deleted_at IS NULL AND (name LIKE ? OR name_alt "
            "LIKE ? OR former_names LIKE ?) LIMIT 20",
            3, qs, nl, tl, 1);

    /* FTS5 trigram over the same fields (SQLite only; built once). */
    int have_fts = db_kind(d) == DB_SQLITE;
    if (have_fts && !db_has_column(d, "person_fts", NULL)) {
        double f0 = now_ms();
        if (db_exec(d, "CREATE VIRTUAL TABLE person_fts USING fts5(name, name_alt, "
                       "former_names, tokenize='trigram')") != DB_OK ||
            db_exec(d, "INSERT INTO person_fts (rowid, name, name_alt, former_names) SELECT id, "
                       "name, name_alt, former_names FROM \"person\"") != DB_OK)
            have_fts = 0;
        printf("fts5 trigram index built in %.1f s\n", (now_ms() - f0) / 1000);
    }
    if (have_fts)
        run_sql(d, "SELECT rowid FROM person_fts WHERE person_fts MATCH ? LIMIT 20", 1, qs, nq, tf,
                0);

    printf("\n%d mixed queries (%d found something); latency in ms\n", nq, found);
    printf("  %-34s %8s %8s %8s\n", "", "p50", "p99", "max");
    printf("  %-34s %8.3f %8.3f %8.3f\n", "qiao search (all orgs)", pct(t, nq, .5), pct(t, nq, .99),
           t[nq - 1]);
    printf("  %-34s %8.3f %8.3f %8.3f\n", "qiao search (one county's user)", pct(tc, nq, .5),
           pct(tc, nq, .99), tc[nq - 1]);
    printf("  %-34s %8.3f %8.3f %8.3f  (%d queries)\n", "LIKE '%q%' scan", pct(tl, nl, .5),
           pct(tl, nl, .99), tl[nl - 1], nl);
    if (have_fts)
        printf("  %-34s %8.3f %8.3f %8.3f  (finds only exact substrings)\n", "FTS5 trigram MATCH",
               pct(tf, nq, .5), pct(tf, nq, .99), tf[nq - 1]);
    printf("\n  LIKE / qiao at p50: %.0fx, at p99: %.0fx\n", pct(tl, nl, .5) / pct(t, nq, .5),
           pct(tl, nl, .99) / pct(t, nq, .99));
    printf("  target: p99 < 10 ms and >= 100x faster than the LIKE scan\n");
    free(qs);
    free(kinds);
    free(t);
    free(tc);
    free(tl);
    free(tf);
    arena_free(a);
    db_close(d);
    return 0;
}
