/* fill_orgs.c - fill a fresh database with N invented orgs for the benchmark, and
 * PEOPLE invented people in them.
 *
 *   fill_orgs DB [N [PEOPLE]]      (N defaults to 100000, the root included; PEOPLE to 0)
 *
 * Goes through the real entity layer (ent_create: validation, the materialised path, the
 * audit chain) inside one transaction, so the rows are exactly what the API would have
 * written. The shape is a city federation (the root) with 100 county federations, each
 * with ~1000 orgs below it: 30 township branches with 15 village groups each, 500 homes of
 * overseas Chinese with stars, and platforms and demonstration bases. Every name is made
 * up from syllable tables; the generator is seeded, so two runs build the same tree.
 * The people go through ent_create as an import writes them (held records, audit entries and search
 * keys batched, 100,000 a transaction), spread over the county federations: a made-up
 * surname and given name, a gender, a birth date, a country of residence. The last 30 go
 * to one village group, as a census of its own arriving after the counties': their ids
 * end the table, which a list in that group's scope must not read through.
 */
#include "audit.h"
#include "entity.h"
#include "region.h"
#include "schema.h"
#include "search.h"
#include "store.h"
#include "util.h"
#include "rnd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNTIES        100
#define TOWNS           30
#define GROUPS_PER_TOWN 15
#define HOMES           500
#define PER_COUNTY      999 /* orgs below each county federation */

static const char *const first[] = {
    "青", "白", "龙", "桃", "梅", "石", "云", "金", "银", "松", "柳", "竹", "泉", "溪",
    "兰", "枫", "凤", "鹤", "安", "永", "长", "新", "丰", "宁", "平", "东", "西", "南",
    "北", "黄", "红", "绿", "碧", "玉", "清", "望", "乐", "福", "和", "兴", "仁", "德",
};
static const char *const second[] = {
    "山", "水", "河", "湖", "岭", "坪", "塘", "湾", "桥", "源", "田", "林", "洲", "坑",
    "口", "岗", "阳", "峰", "浦", "埠", "滩", "冈", "岩", "谷", "江", "垌", "寨", "头",
};
static const char *const town_suffix[] = {"镇", "乡", "街道", "镇", "镇"};
static const char *const village_suffix[] = {"村", "村", "社区", "村"};
static const char *const platform_kind[] = {
    "侨界法律服务站", "新侨服务中心",   "侨界志愿服务队", "涉侨纠纷调解工作室",
    "侨胞服务驿站",   "侨界青年联谊会", "侨务政策宣传站", "侨界人才服务中心",
};
static const char *const base_kind[][2] = {
    {"侨界创新创业示范基地", "创新创业"},
    {"华侨历史文化示范基地", "文化交流"},
    {"侨界助农示范基地", "乡村振兴"},
    {"华文教育示范基地", "华文教育"},
};
static const char *const road[] = {"人民路", "建设路", "解放路", "中山路", "新华街",
                                   "文化路", "滨江路", "朝阳路", "胜利街", "和平路"};

static const char *const surnames[] = {"陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "杨",
                                       "许", "郑", "谢", "郭", "洪", "邱", "曾", "廖", "赖", "周"};
static const char *const given[] = {"嘉", "庚", "文", "华", "明", "秀", "英", "国", "志", "伟",
                                    "丽", "芳", "建", "平", "玉", "兰", "海", "春", "德", "荣"};
static const char *const countries[] = {"SG", "MY", "ID", "TH", "PH", "US", "CA", "AU",
                                        "GB", "NL", "FR", "VN", "JP", "NZ", "PE", "BR"};

static struct ent_ctx ctx;
static const struct entity *org_ent;
static long made, target;
static int64_t feds[COUNTIES]; /* the county federations, for the people */
static int nfeds;
static int64_t village_group; /* the last made: its own people are the last written */
#define VILLAGERS 30

static void place(char *out, size_t n, const char *suffix)
{
    snprintf(out, n, "%s%s%s", PICK(first), PICK(second), suffix);
}

static void date(char out[32], int from, int to)
{
    snprintf(out, 32, "%04d-%02d-%02d", from + (int)rnd((unsigned)(to - from + 1)),
             1 + (int)rnd(12), 1 + (int)rnd(28));
}

/* Create one org from body (stolen) under parent; aborts the run on any refusal. */
static int64_t make(int64_t parent, json_t *body)
{
    struct verr e;
    if (parent)
        json_object_set_new(body, "parent_id", json_integer(parent));
    json_t *o = ent_create(&ctx, org_ent, body, &e);
    if (!o) {
        char *s = json_dumps(body, 0);
        fprintf(stderr, "fill_orgs: refused %s: %s (%s)\n", s, e.msg, e.field);
        exit(1);
    }
    json_decref(body);
    int64_t id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    made++;
    if (made % 1000 == 0) { /* the arena only grows: start a new one now and then */
        arena_free(ctx.a);
        ctx.a = arena_new();
    }
    return id;
}

static int more(void)
{
    return made < target;
}

/* The k-th of COUNTIES county-level codes spread over the GB/T 2260 table (the API accepts
 * only codes that exist; which real county a made-up one borrows does not matter here). */
static const char *county_code(int k)
{
    size_t n = 0;
    for (size_t i = 0; i < nregions; i++)
        n += strcmp(regions[i].code + 4, "00") != 0;
    size_t want = (size_t)k * (n / COUNTIES);
    for (size_t i = 0; i < nregions; i++)
        if (strcmp(regions[i].code + 4, "00") && want-- == 0)
            return regions[i].code;
    return "430521";
}

static void county(int k, const char *cname)
{
    char name[2048], shortn[100], addr[2048], d[32], phone[40], region[16];
    snprintf(region, sizeof region, "%s", county_code(k));
    snprintf(phone, sizeof phone, "+86 739 %07u", 5300000 + rnd(99999));
    snprintf(addr, sizeof addr, "清江市%s%s%u号", cname, PICK(road), 1 + rnd(300));
    date(d, 1980, 1999);
    snprintf(name, sizeof name, "%s归国华侨联合会", cname);
    snprintf(shortn, sizeof shortn, "%s侨联", cname);
    int64_t fed =
        make(1, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "short_name",
                          shortn, "kind", "federation", "level", "county", "region_code", region,
                          "phone", phone, "address", addr, "established_on", d));
    feds[nfeds++] = fed;
    char towns[TOWNS][64];
    for (int t = 0; t < TOWNS && more(); t++) {
        place(towns[t], sizeof towns[t], PICK(town_suffix));
        snprintf(name, sizeof name, "%s侨联分会", towns[t]);
        date(d, 2000, 2015);
        int64_t br = make(
            fed, json_pack("{s:s, s:s, s:s}", "name", name, "kind", "branch", "established_on", d));
        for (int g = 0; g < GROUPS_PER_TOWN && more(); g++) {
            char village[64];
            place(village, sizeof village, PICK(village_suffix));
            snprintf(name, sizeof name, "%s%s归侨侨眷联络小组", towns[t], village);
            village_group = make(br, json_pack("{s:s, s:s}", "name", name, "kind", "group"));
        }
    }
    for (int h = 0; h < HOMES && more(); h++) {
        char village[64];
        place(village, sizeof village, PICK(village_suffix));
        const char *town = towns[rnd(TOWNS)];
        snprintf(name, sizeof name, "%s%s侨胞之家", town, village);
        snprintf(addr, sizeof addr, "%s%s%s%u号", cname, town, village, 1 + rnd(200));
        date(d, 2015, 2024);
        make(fed, json_pack("{s:s, s:s, s:i, s:s, s:s}", "name", name, "kind", "home", "star",
                            1 + (int)rnd(5), "address", addr, "established_on", d));
    }
    for (int p = 0; p < PER_COUNTY - TOWNS * (1 + GROUPS_PER_TOWN) - HOMES && more(); p++) {
        date(d, 2010, 2024);
        if (p % 3 == 2) {
            const char *const *b = base_kind[rnd(4)];
            snprintf(name, sizeof name, "%s%s%s", cname, towns[rnd(TOWNS)], b[0]);
            make(fed, json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name, "kind", "base",
                                "base_level", "city", "base_category", b[1], "established_on", d));
        } else {
            snprintf(name, sizeof name, "%s%s%s", cname, towns[rnd(TOWNS)], PICK(platform_kind));
            make(fed, json_pack("{s:s, s:s, s:s}", "name", name, "kind", "platform",
                                "established_on", d));
        }
    }
}

/* PEOPLE people as an import writes them, 100,000 to a transaction. 0, or -1 (said). */
static int people(db *d, long want)
{
    const struct entity *pe = entity_find("person");
    struct ent_ctx c = ctx;
    c.bulk = 1;
    double t0 = now_ms();
    for (long have = 0; have < want;) {
        if (db_begin(d) != DB_OK || !(c.audit = audit_batch_begin(d))) {
            fprintf(stderr, "fill_orgs: begin: %s\n", db_errmsg(d));
            return -1;
        }
        c.keys = search_batch_new_async(pe);
        c.rows = ent_rows_new(); /* held and sent in blocks, as an import's */
        for (long k = 0; k < 100000 && have < want; k++, have++) {
            char name[64], born[32];
            snprintf(name, sizeof name, "%s%s%s", PICK(surnames), PICK(given),
                     rnd(10) < 7 ? PICK(given) : "");
            date(born, 1930, 2005);
            json_t *body =
                json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", name, "gender",
                          rnd(2) ? "male" : "female", "birth_date", born, "residence_country",
                          PICK(countries), "org_id", (json_int_t)feds[rnd((unsigned)nfeds)]);
            if (want - have <= VILLAGERS && village_group)
                json_object_set_new(body, "org_id", json_integer(village_group));
            struct verr e;
            json_t *p = ent_create(&c, pe, body, &e);
            json_decref(body);
            if (!p) {
                fprintf(stderr, "fill_orgs: person %s refused: %s (%s)\n", name, e.msg, e.field);
                exit(1);
            }
            json_decref(p);
            if (have % 1000 == 0) {
                arena_free(ctx.a);
                c.a = ctx.a = arena_new();
            }
            if (ent_rows_held(c.rows) >= 8192 && ent_rows_send(&c, NULL, NULL) != DB_OK) {
                fprintf(stderr, "fill_orgs: people: %s\n", db_errmsg(d));
                return -1;
            }
        }
        int rc = ent_rows_flush(&c, NULL, NULL);
        ent_rows_free(c.rows);
        c.rows = NULL;
        if (rc == DB_OK)
            rc = search_batch_write(d, c.keys);
        search_batch_free(c.keys);
        if (rc == DB_OK)
            rc = audit_batch_end(d, c.audit);
        else
            audit_batch_free(c.audit);
        if (rc != DB_OK || db_commit(d) != DB_OK) {
            fprintf(stderr, "fill_orgs: people: %s\n", db_errmsg(d));
            return -1;
        }
    }
    double ms = now_ms() - t0;
    printf("fill: %ld people through ent_create as an import writes them: %.1f s (%.0f/s)\n", want,
           ms / 1000, want / (ms / 1000));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: fill_orgs DB [N [PEOPLE]]\n");
        return 2;
    }
    target = argc > 2 ? atol(argv[2]) : 100000;
    if (target < 1 + COUNTIES) {
        fprintf(stderr, "fill_orgs: N must be at least %d\n", 1 + COUNTIES);
        return 2;
    }
    char err[512];
    db *d = db_open(argv[1], err, sizeof err);
    if (!d) {
        fprintf(stderr, "fill_orgs: %s\n", err);
        return 1;
    }
    if (schema_upgrade(d) < 0) {
        fprintf(stderr, "fill_orgs: schema: %s\n", db_errmsg(d));
        return 1;
    }
    if (db_int(d, 0, "SELECT count(*) FROM \"org\"", "")) {
        fprintf(stderr, "fill_orgs: %s already has orgs; give a fresh database\n", argv[1]);
        return 1;
    }
    org_ent = entity_find("org");
    ctx = (struct ent_ctx){.db = d, .a = arena_new(), .username = "bench-fill", .client = "cli"};
    double t0 = now_ms();
    if (db_begin(d) != DB_OK) {
        fprintf(stderr, "fill_orgs: begin: %s\n", db_errmsg(d));
        return 1;
    }
    make(0, json_pack("{s:s, s:s, s:s, s:s}", "name", "清江市归国华侨联合会", "short_name",
                      "清江市侨联", "kind", "federation", "level", "city"));
    /* Distinct county names: walk the syllable grid with a stride coprime to its size. */
    int nf = (int)(sizeof first / sizeof *first), ns = (int)(sizeof second / sizeof *second);
    for (int k = 0; k < COUNTIES && more(); k++) {
        int cell = (k * 37 + 11) % (nf * ns);
        char cname[64];
        snprintf(cname, sizeof cname, "%s%s%s", first[cell / ns], second[cell % ns],
                 k % 7 == 3 ? "区" : "县");
        county(k, cname);
    }
    if (db_commit(d) != DB_OK) {
        fprintf(stderr, "fill_orgs: commit: %s\n", db_errmsg(d));
        return 1;
    }
    double ms = now_ms() - t0;
    printf("fill: %ld orgs through ent_create in one transaction: %.1f s (%.0f orgs/s)\n", made,
           ms / 1000, made / (ms / 1000));
    if (argc > 3 && people(d, atol(argv[3])))
        return 1;
    arena_free(ctx.a);
    db_close(d);
    return 0;
}
