/* demo.c - the invented demo federation (every name here is made up). */
#include "demo.h"
#include "audit.h"
#include "auth.h"
#include "case.h"
#include "entity.h"
#include "registry.h"
#include "search.h"

#include <stdio.h>
#include <string.h>

struct demo {
    struct ent_ctx c;
    struct verr e;
    int failed;
};

/* Create an org under parent from a JSON literal; 0 on failure (remembered in dm). */
int demo_events(struct ent_ctx *c, const int64_t *counties, struct verr *e); /* demo_event.c */
int demo_funds(struct ent_ctx *c, const int64_t *counties, struct verr *e);  /* demo_funds.c */
int demo_articles(struct ent_ctx *c, struct verr *e);                        /* article.c */

static int64_t org(struct demo *dm, int64_t parent, const char *fmt, ...)
{
    if (dm->failed)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    json_t *body = json_vpack_ex(NULL, 0, fmt, ap);
    va_end(ap);
    if (!body)
        die("demo: bad literal %s", fmt);
    json_object_set_new(body, "parent_id", json_integer(parent));
    json_t *o = ent_create(&dm->c, entity_find("org"), body, &dm->e);
    json_decref(body);
    if (!o) {
        dm->failed = 1;
        return 0;
    }
    int64_t id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    return id;
}

static const struct county {
    const char *name, *short_name, *region, *town[3], *home[3], *phone;
    int stars[3];
} counties[] = {
    {"江口县归国华侨联合会",
     "江口县侨联",
     "430524",
     {"白沙镇", "龙潭镇", "桃花镇"},
     {"白沙社区侨胞之家", "龙潭村侨胞之家", "江口县侨商侨胞之家"},
     "+86 739 4321001",
     {3, 1, 4}},
    {"云溪县归国华侨联合会",
     "云溪县侨联",
     "430522",
     {"云溪镇", "梅塘镇", "石桥乡"},
     {"云溪侨胞之家", "梅塘侨胞之家", "石桥侨胞之家"},
     "+86 739 4321002",
     {2, 5, 1}},
    {"石门区归国华侨联合会",
     "石门区侨联",
     "430503",
     {"东街街道", "西湖街道", "南岭街道"},
     {"东街社区侨胞之家", "西湖侨胞之家", "南岭侨胞之家"},
     "+86 739 4321003",
     {4, 3, 2}},
    {"梅岭县归国华侨联合会",
     "梅岭县侨联",
     "430523",
     {"梅岭镇", "清水镇", "高坪镇"},
     {"梅岭侨胞之家", "清水侨胞之家", "高坪侨胞之家"},
     "+86 739 4321004",
     {1, 2, 3}},
    {"青山市归国华侨联合会",
     "青山市侨联",
     "430581",
     {"青山街道", "金竹镇", "双河镇"},
     {"青山侨胞之家", "金竹侨胞之家", "双河侨胞之家"},
     "+86 739 4321005",
     {5, 4, 3}},
};

static const struct demo_user {
    const char *username, *name, *role;
    int county; /* -1: the city federation */
} users[] = {
    {"admin", "周志远", "admin", -1},       {"leader", "林慧敏", "leader", -1},
    {"staff", "陈嘉文", "staff", -1},       {"finance", "黄秀英", "finance", -1},
    {"mediator", "吴国栋", "mediator", -1}, {"viewer", "许晓岚", "viewer", -1},
    {"jiangkou", "蔡明辉", "staff", 0},     {"yunxi", "郑丽华", "staff", 1},
    {"shimen", "曾宪章", "staff", 2},       {"meiling", "叶青松", "staff", 3},
    {"qingshan", "洪少峰", "staff", 4},
};

/* Invented people: names from syllable tables, a realistic mix of countries and
 * categories, resident ID numbers with a valid GB 11643 check digit. */
static const char *const surnames[] = {"陈", "林", "黄", "张", "李", "王", "吴", "刘", "蔡", "杨",
                                       "许", "郑", "谢", "郭", "洪", "曾", "邱", "叶", "梁", "罗"};
static const char *const given[] = {"志明", "丽华", "国强", "美玲", "建华", "淑贞", "文杰", "秀兰",
                                    "振声", "慧敏", "家豪", "嘉欣", "伟雄", "玉珍", "俊杰", "雅婷",
                                    "德荣", "碧霞", "少峰", "晓岚", "锦添", "宝珠", "永福", "月娥"};
static const char *const pinyin_s[] = {"TAN", "LIM",   "WONG", "CHEONG", "LEE",   "ONG",  "GOH",
                                       "LAU", "CHUA",  "YEO",  "KOH",    "TEH",   "CHIA", "KWOK",
                                       "ANG", "TSANG", "KHOO", "YAP",    "LEONG", "LOH"};
static const struct {
    const char *code, *city, *phone;
} places[] = {{"MY", "吉隆坡", "+60 12 345"},   {"SG", "新加坡", "+65 9123"},
              {"ID", "雅加达", "+62 812 345"},  {"TH", "曼谷", "+66 81 234"},
              {"US", "旧金山", "+1 415 555"},   {"CA", "温哥华", "+1 604 555"},
              {"GB", "伦敦", "+44 20 7946"},    {"AU", "悉尼", "+61 2 9876"},
              {"PH", "马尼拉", "+63 917 123"},  {"FR", "巴黎", "+33 1 4567"},
              {"IT", "普拉托", "+39 0574 123"}, {"JP", "横滨", "+81 45 123"}};

/* The GB 11643 check character of the first 17 digits. */
static char id_check(const char *d17)
{
    static const int w[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (d17[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

static void demo_people(struct demo *dm, const int64_t *county_ids)
{
    static const char *const cats[][2] = {{"returnee", NULL},
                                          {"relative", NULL},
                                          {"overseas_chinese", NULL},
                                          {"foreign_chinese", NULL},
                                          {"new_migrant", "overseas_chinese"},
                                          {"returned_student", NULL}};
    for (int i = 0; i < 120 && !dm->failed; i++) {
        const char *sn = surnames[i % 20], *gv = given[(i * 7) % 24];
        int pl = (i * 5) % 12, cat = i % 6, abroad = cat >= 2 && cat <= 4;
        int year = 1940 + (i * 13) % 60, month = 1 + i % 12, day = 1 + (i * 3) % 28;
        char name[64], alt[64], birth[32], id[64], phone[64];
        snprintf(name, sizeof name, "%s%s", sn, gv);
        snprintf(alt, sizeof alt, "%s %s", pinyin_s[i % 20], i % 2 ? "MEI LING" : "AH HUAT");
        snprintf(birth, sizeof birth, "%04d-%02d-%02d", year, month, day);
        snprintf(id, sizeof id, "4305%02d%04d%02d%02d%03d", 22 + i % 3, year, month, day, 100 + i);
        id[17] = id_check(id);
        id[18] = 0;
        snprintf(phone, sizeof phone, "%s %04d", abroad ? places[pl].phone : "+86 139 0739",
                 1000 + i * 37 % 9000);
        json_t *categories = json_array();
        json_array_append_new(categories, json_string(cats[cat][0]));
        if (cats[cat][1])
            json_array_append_new(categories, json_string(cats[cat][1]));
        json_t *body =
            json_pack("{s:s, s:[s], s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "name",
                      name, "name_alt", alt, "gender", i % 2 ? "female" : "male", "birth_date",
                      birth, "categories", categories, "id_type", "resident_id", "id_number", id,
                      "phone", phone, "ancestral_region_code", i % 3 ? "430524" : "430522",
                      "source", "census", "org_id", (json_int_t)(i % 4 ? county_ids[i % 5] : 1),
                      "ancestral_place", i % 2 ? "白沙镇上湾村" : "龙潭镇石井村");
        if (abroad) {
            json_object_set_new(body, "residence_country", json_string(places[pl].code));
            json_object_set_new(body, "residence_city", json_string(places[pl].city));
            json_object_set_new(body, "departure_year", json_integer(1980 + i % 40));
        }
        if (i % 10 == 0)
            json_object_set_new(body, "flags", json_pack("[s]", i % 20 ? "leader" : "needy"));
        json_t *p = ent_create(&dm->c, entity_find("person"), body, &dm->e);
        dm->failed = !p;
        json_decref(p);
        json_decref(body);
    }
}

int demo_fill(db *d)
{
    if (!db_int(d, 0, "SELECT count(*) FROM \"org\" WHERE id = 1", "")) {
        fputs(msg_cur("qiao: 请先运行 qiao init\n"), stderr);
        return 1;
    }
    if (db_int(d, 0, "SELECT count(*) FROM \"org\" WHERE parent_id IS NOT NULL", "")) {
        fputs(msg_cur("qiao: 数据库里已有下级组织, 示范数据只填入新建的数据库\n"), stderr);
        return 1;
    }
    password_allow_demo(); /* the demo's users all have the published password */
    arena *a = arena_new();
    struct demo dm = {.c = {.db = d, .a = a, .username = "qiao-demo", .client = "cli"}};
    int64_t county_ids[5];
    if (db_begin(d) != DB_OK) {
        fprintf(stderr, msg_cur("qiao: 示范数据创建失败: %s\n"), db_errmsg(d));
        arena_free(a);
        return 1;
    }
    /* a bulk write (ARCHITECTURE "Bulk writes"): the audit entries chained in memory and
     * written as many rows, the people's search keys written together before the commit */
    dm.c.bulk = 1;
    dm.c.audit = audit_batch_begin(d);
    dm.c.keys = search_batch_new(entity_find("person"));
    if (!dm.c.audit)
        dm.failed = 1;
    /* The city federation's own platforms, bases and affiliated bodies. */
    org(&dm, 1, "{s:s, s:s, s:s}", "name", "清江市侨界法律顾问委员会", "kind", "platform",
        "established_on", "2019-06-18");
    org(&dm, 1, "{s:s, s:s, s:s}", "name", "清江市新侨服务中心", "kind", "platform",
        "established_on", "2020-03-02");
    org(&dm, 1, "{s:s, s:s, s:s}", "name", "清江侨界大讲堂", "kind", "platform", "established_on",
        "2021-09-10");
    org(&dm, 1, "{s:s, s:s, s:s, s:s, s:s}", "name", "清江市侨界创新创业示范基地", "kind", "base",
        "base_level", "provincial", "base_category", "创新创业", "established_on", "2018-11-20");
    org(&dm, 1, "{s:s, s:s, s:s, s:s}", "name", "清江市华侨历史文化示范基地", "kind", "base",
        "base_level", "national", "base_category", "文化交流");
    org(&dm, 1, "{s:s, s:s}", "name", "清江市归国留学人员联谊会", "kind", "affiliate");
    org(&dm, 1, "{s:s, s:s}", "name", "清江市侨商联合会", "kind", "affiliate");
    org(&dm, 1, "{s:s, s:s, s:s}", "name", "清江市侨联青年委员会", "kind", "branch", "short_name",
        "青委会");
    for (int i = 0; i < 5; i++) {
        const struct county *k = &counties[i];
        int64_t fed =
            org(&dm, 1, "{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", k->name, "short_name",
                k->short_name, "kind", "federation", "level", "county", "region_code", k->region,
                "phone", k->phone, "established_on", i % 2 ? "1986-05-12" : "1992-10-08");
        county_ids[i] = fed;
        for (int t = 0; t < 3; t++) {
            char name[160];
            snprintf(name, sizeof name, "%s侨联分会", k->town[t]);
            int64_t br = org(&dm, fed, "{s:s, s:s}", "name", name, "kind", "branch");
            snprintf(name, sizeof name, "%s归侨侨眷联络小组", k->town[t]);
            org(&dm, br, "{s:s, s:s}", "name", name, "kind", "group");
            org(&dm, fed, "{s:s, s:s, s:i, s:s, s:s}", "name", k->home[t], "kind", "home", "star",
                k->stars[t], "established_on", t ? "2021-07-01" : "2019-12-20", "rated_on",
                t ? "2021-12-10" : "2020-06-18");
        }
        char name[160];
        snprintf(name, sizeof name, "%s涉侨纠纷调解工作室", k->short_name);
        org(&dm, fed, "{s:s, s:s}", "name", name, "kind", "platform");
        if (i % 2 == 0) {
            snprintf(name, sizeof name, "%s侨界助农示范基地", k->short_name);
            org(&dm, fed, "{s:s, s:s, s:s, s:s}", "name", name, "kind", "base", "base_level",
                "city", "base_category", "乡村振兴");
        }
    }
    /* One township federation, closed years ago, to show history. */
    int64_t old = org(&dm, county_ids[3], "{s:s, s:s, s:s}", "name", "梅岭县老林乡侨联小组", "kind",
                      "group", "notes", "2016 年乡镇合并后撤销");
    if (!dm.failed) {
        json_t *patch = json_pack("{s:s}", "status", "closed");
        json_t *o = ent_update(&dm.c, entity_find("org"), old, patch, &dm.e);
        dm.failed = !o;
        json_decref(o);
        json_decref(patch);
    }
    for (size_t i = 0; i < sizeof users / sizeof *users && !dm.failed; i++) {
        const struct demo_user *u = &users[i];
        int64_t at = u->county < 0 ? 1 : county_ids[u->county];
        json_t *body = json_pack("{s:s, s:s, s:s, s:I}", "username", u->username, "name", u->name,
                                 "role", u->role, "org_id", (json_int_t)at);
        json_t *rec = user_create(&dm.c, body, DEMO_PASSWORD, 0, &dm.e);
        dm.failed = !rec;
        json_decref(rec);
        json_decref(body);
    }
    demo_people(&dm, county_ids);
    if (!dm.failed && demo_registry(&dm.c, county_ids, &dm.e))
        dm.failed = 1;
    if (!dm.failed && demo_cases(&dm.c, &dm.e))
        dm.failed = 1;
    if (!dm.failed && demo_events(&dm.c, county_ids, &dm.e))
        dm.failed = 1;
    if (!dm.failed && demo_funds(&dm.c, county_ids, &dm.e))
        dm.failed = 1;
    if (!dm.failed && demo_articles(&dm.c, &dm.e))
        dm.failed = 1;
    if (!dm.failed && search_batch_write(d, dm.c.keys) != DB_OK)
        dm.failed = 1;
    search_batch_free(dm.c.keys);
    if (!dm.failed) {
        dm.failed = audit_batch_end(d, dm.c.audit) != DB_OK; /* and frees it */
        dm.c.audit = NULL;
    }
    audit_batch_free(dm.c.audit);
    if (dm.failed && !dm.e.msg[0])
        snprintf(dm.e.msg, sizeof dm.e.msg, "%s", db_errmsg(d));
    if (dm.failed) {
        db_rollback(d);
        fprintf(stderr, msg_cur("qiao: 示范数据创建失败: %s\n"), dm.e.msg);
        arena_free(a);
        return 1;
    }
    if (db_commit(d) != DB_OK) {
        fprintf(stderr, msg_cur("qiao: 示范数据创建失败: %s\n"), db_errmsg(d));
        arena_free(a);
        return 1;
    }
    /* What is in the database now, counted there (the registries and cases add their own). */
    printf(
        msg_cur(
            "已创建示范数据: %lld 个组织, %lld 位侨界人士, %lld 件服务案件, %zu 个用户 (密码都是 "
            "%s)\n"),
        (long long)db_int(d, 0, "SELECT count(*) FROM \"org\" WHERE deleted_at IS NULL", ""),
        (long long)db_int(d, 0, "SELECT count(*) FROM person WHERE deleted_at IS NULL", ""),
        (long long)db_int(d, 0, "SELECT count(*) FROM \"case\" WHERE deleted_at IS NULL", ""),
        sizeof users / sizeof *users, DEMO_PASSWORD);
    for (size_t i = 0; i < sizeof users / sizeof *users; i++)
        printf("  %-10s %-8s %s\n", users[i].username, users[i].role,
               users[i].county < 0 ? "市侨联" : counties[users[i].county].short_name);
    arena_free(a);
    return 0;
}
