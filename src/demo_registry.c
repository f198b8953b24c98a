/* demo_registry.c - the invented registries of `qiao demo` (every name here is made up):
 * a few thousand people whose foreign names are spelt as their community spells them
 * (Hokkien in Southeast Asia, Cantonese in Hong Kong and the older Americas, Europe and
 * Oceania communities, pinyin for new migrants), Chinese names in simplified or
 * traditional characters, associations in 36 countries and regions, enterprises with
 * valid credit codes and yearly figures, talent profiles, relations (family, leaders,
 * members, legal representatives, overseas advisors), contacts, and a few dozen people
 * entered twice with different spellings for the de-duplication helper to find.
 *
 * Everything comes from a fixed-seed generator: two runs make the same federation. */
#include "codes.h"
#include "country.h"
#include "registry.h"

#include <stdio.h>
#include <string.h>

/* Each surname: simplified, traditional, pinyin, Cantonese, Hokkien. */
static const struct sur {
    const char *hans, *hant, *py, *yue, *nan;
} surs[] = {
    {"陈", "陳", "CHEN", "CHAN", "TAN"},   {"林", "林", "LIN", "LAM", "LIM"},
    {"黄", "黃", "HUANG", "WONG", "NG"},   {"张", "張", "ZHANG", "CHEUNG", "TEO"},
    {"李", "李", "LI", "LEE", "LEE"},      {"王", "王", "WANG", "WONG", "ONG"},
    {"吴", "吳", "WU", "NG", "GOH"},       {"刘", "劉", "LIU", "LAU", "LAU"},
    {"蔡", "蔡", "CAI", "CHOI", "CHUA"},   {"杨", "楊", "YANG", "YEUNG", "YEO"},
    {"许", "許", "XU", "HUI", "KOH"},      {"郑", "鄭", "ZHENG", "CHENG", "TAY"},
    {"谢", "謝", "XIE", "TSE", "CHIA"},    {"郭", "郭", "GUO", "KWOK", "KUEK"},
    {"洪", "洪", "HONG", "HUNG", "ANG"},   {"曾", "曾", "ZENG", "TSANG", "CHAN"},
    {"邱", "邱", "QIU", "YAU", "KHOO"},    {"叶", "葉", "YE", "YIP", "YAP"},
    {"梁", "梁", "LIANG", "LEUNG", "NEO"}, {"罗", "羅", "LUO", "LAW", "LO"},
    {"周", "周", "ZHOU", "CHOW", "CHEW"},  {"何", "何", "HE", "HO", "HO"},
    {"苏", "蘇", "SU", "SO", "SOH"},       {"庄", "莊", "ZHUANG", "CHONG", "CHNG"},
    {"方", "方", "FANG", "FONG", "PNG"},   {"胡", "胡", "HU", "WU", "OH"},
    {"萧", "蕭", "XIAO", "SIU", "SIAW"},   {"邓", "鄧", "DENG", "TANG", "TENG"},
};
#define NSUR (sizeof surs / sizeof *surs)

/* Each given name: simplified, traditional, pinyin, Cantonese, Hokkien; gender 'm'/'f'. */
static const struct giv {
    const char *hans, *hant, *py, *yue, *nan;
    char g;
} givs[] = {
    {"志明", "志明", "Zhiming", "Chi Ming", "Chee Beng", 'm'},
    {"丽华", "麗華", "Lihua", "Lai Wah", "Lay Hua", 'f'},
    {"国强", "國強", "Guoqiang", "Kwok Keung", "Kok Kiang", 'm'},
    {"美玲", "美玲", "Meiling", "Mei Ling", "Bee Leng", 'f'},
    {"建华", "建華", "Jianhua", "Kin Wah", "Kian Hua", 'm'},
    {"文杰", "文傑", "Wenjie", "Man Kit", "Boon Kiat", 'm'},
    {"秀兰", "秀蘭", "Xiulan", "Sau Lan", "Siew Lan", 'f'},
    {"慧敏", "慧敏", "Huimin", "Wai Man", "Hui Min", 'f'},
    {"家豪", "家豪", "Jiahao", "Ka Ho", "Kah Hoe", 'm'},
    {"伟雄", "偉雄", "Weixiong", "Wai Hung", "Wee Hiong", 'm'},
    {"玉珍", "玉珍", "Yuzhen", "Yuk Chun", "Geok Tin", 'f'},
    {"俊杰", "俊傑", "Junjie", "Chun Kit", "Choon Kiat", 'm'},
    {"德荣", "德榮", "Derong", "Tak Wing", "Teck Eng", 'm'},
    {"宝珠", "寶珠", "Baozhu", "Po Chu", "Poh Choo", 'f'},
    {"永福", "永福", "Yongfu", "Wing Fook", "Eng Hock", 'm'},
    {"月娥", "月娥", "Yue'e", "Yuet Ngo", "Guat Ngo", 'f'},
    {"锦添", "錦添", "Jintian", "Kam Tim", "Kim Thiam", 'm'},
    {"振声", "振聲", "Zhensheng", "Chun Sing", "Chin Seng", 'm'},
    {"淑贞", "淑貞", "Shuzhen", "Suk Ching", "Siok Ching", 'f'},
    {"嘉欣", "嘉欣", "Jiaxin", "Ka Yan", "Kah Hin", 'f'},
    {"金水", "金水", "Jinshui", "Kam Shui", "Kim Chooi", 'm'},
    {"亚华", "亞華", "Yahua", "Ah Wah", "Ah Hua", 'm'},
    {"秀英", "秀英", "Xiuying", "Sau Ying", "Siew Eng", 'f'},
    {"明辉", "明輝", "Minghui", "Ming Fai", "Beng Huay", 'm'},
    {"雪梅", "雪梅", "Xuemei", "Suet Mui", "Suat Buay", 'f'},
    {"天赐", "天賜", "Tianci", "Tin Chi", "Thian Soo", 'm'},
    {"佩珊", "佩珊", "Peishan", "Pui Shan", "Pek San", 'f'},
    {"荣华", "榮華", "Ronghua", "Wing Wah", "Eng Hua", 'm'},
    {"素琴", "素琴", "Suqin", "So Kam", "Soh Khim", 'f'},
    {"耀祖", "耀祖", "Yaozu", "Yiu Cho", "Iau Chor", 'm'},
    {"丽娟", "麗娟", "Lijuan", "Lai Kuen", "Lay Kuan", 'f'},
    {"志强", "志強", "Zhiqiang", "Chi Keung", "Chee Kiang", 'm'},
};
#define NGIV (sizeof givs / sizeof *givs)

static const char *const western_m[] = {"Michael", "David", "Peter",   "Vincent",
                                        "Kenneth", "Jason", "William", "Raymond"};
static const char *const western_f[] = {"Grace", "Jennifer", "Michelle", "Mary",
                                        "Annie", "Jessica",  "Susan",    "Catherine"};

/* Spelling of a country's community: 'n' Hokkien, 'y' Cantonese, 'p' pinyin; 't' when
 * names there are usually written in traditional characters. */
static const struct place {
    const char *code, *zh, *city, *phone;
    char spell, trad;
} places[] = {
    {"MY", "马来西亚", "吉隆坡", "+60 12 3", 'n', 0},
    {"SG", "新加坡", "新加坡", "+65 9", 'n', 0},
    {"ID", "印度尼西亚", "雅加达", "+62 812 3", 'n', 0},
    {"TH", "泰国", "曼谷", "+66 81 2", 'n', 0},
    {"PH", "菲律宾", "马尼拉", "+63 917 1", 'n', 0},
    {"VN", "越南", "胡志明市", "+84 90 3", 'y', 0},
    {"MM", "缅甸", "仰光", "+95 9 4", 'n', 0},
    {"KH", "柬埔寨", "金边", "+855 12 3", 'n', 0},
    {"BN", "文莱", "斯里巴加湾", "+673 8", 'n', 0},
    {"LA", "老挝", "万象", "+856 20 5", 'p', 0},
    {"JP", "日本", "横滨", "+81 90 1", 'p', 0},
    {"KR", "韩国", "首尔", "+82 10 2", 'p', 0},
    {"US", "美国", "旧金山", "+1 415 5", 'y', 1},
    {"CA", "加拿大", "温哥华", "+1 604 5", 'y', 1},
    {"MX", "墨西哥", "墨西卡利", "+52 686 1", 'y', 1},
    {"BR", "巴西", "圣保罗", "+55 11 9", 'p', 0},
    {"AR", "阿根廷", "布宜诺斯艾利斯", "+54 11 4", 'p', 0},
    {"PE", "秘鲁", "利马", "+51 1 4", 'y', 1},
    {"PA", "巴拿马", "巴拿马城", "+507 6", 'y', 1},
    {"GB", "英国", "伦敦", "+44 20 7", 'y', 1},
    {"FR", "法国", "巴黎", "+33 6 1", 'p', 0},
    {"IT", "意大利", "普拉托", "+39 333 1", 'p', 0},
    {"ES", "西班牙", "马德里", "+34 612 3", 'p', 0},
    {"DE", "德国", "法兰克福", "+49 170 1", 'p', 0},
    {"NL", "荷兰", "阿姆斯特丹", "+31 6 1", 'y', 0},
    {"PT", "葡萄牙", "里斯本", "+351 91 2", 'p', 0},
    {"RU", "俄罗斯", "莫斯科", "+7 916 1", 'p', 0},
    {"AU", "澳大利亚", "悉尼", "+61 4 1", 'y', 1},
    {"NZ", "新西兰", "奥克兰", "+64 21 1", 'y', 1},
    {"ZA", "南非", "约翰内斯堡", "+27 82 1", 'p', 0},
    {"MU", "毛里求斯", "路易港", "+230 5", 'y', 1},
    {"MG", "马达加斯加", "塔那那利佛", "+261 32 1", 'p', 0},
    {"AE", "阿联酋", "迪拜", "+971 50 1", 'p', 0},
    {"HK", "中国香港", "香港", "+852 9", 'y', 1},
    {"MO", "中国澳门", "澳门", "+853 6", 'y', 1},
    {"TW", "中国台湾", "台北", "+886 9", 'p', 1},
};
#define NPLACE (sizeof places / sizeof *places)

/* The five counties of demo.c and their GB/T 2260 codes, in the same order. */
static const char *const county_codes[] = {"430524", "430522", "430503", "430523", "430581"};
static const char *const villages[] = {"上湾村", "石井村", "梅塘村", "龙潭村", "白沙村",
                                       "桃花村", "金竹村", "双河村", "清水村", "高坪村"};

struct gen {
    struct ent_ctx *c;
    struct verr *e;
    uint64_t seed;
    int failed;
    int people, assocs, firms, relations, contacts, dups;
    const int64_t *counties;
    int64_t officers[6];
};

static uint32_t rnd(struct gen *g, uint32_t n)
{
    g->seed ^= g->seed << 13;
    g->seed ^= g->seed >> 7;
    g->seed ^= g->seed << 17;
    return n ? (uint32_t)(g->seed % n) : 0;
}

/* Create a record; its id, or 0 after a failure (remembered in g, the error in g->e). */
static int64_t mk(struct gen *g, const char *entity, json_t *body)
{
    if (g->failed) {
        json_decref(body);
        return 0;
    }
    json_t *r = ent_create(g->c, entity_find(entity), body, g->e);
    json_decref(body);
    if (!r) {
        fprintf(stderr, "qiao demo: %s: %s\n", entity, g->e->msg);
        g->failed = 1;
        return 0;
    }
    int64_t id = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    return id;
}

/* The org of a party ("person", 12), or 0. */
static int64_t party_org(struct gen *g, const char *type, int64_t id)
{
    if (!strcmp(type, "org"))
        return id;
    char *q = arena_printf(g->c->a, "SELECT org_id FROM \"%s\" WHERE id = ?", type);
    return db_int(g->c->db, 0, q, "i", id);
}

/* org, if its subtree holds the org of the party: a record names only what its owner may
 * open (entity.c); else the city federation, which sees every county's. */
static int64_t owner_for(struct gen *g, int64_t org, const char *type, int64_t id)
{
    int64_t po = party_org(g, type, id);
    return po && db_int(g->c->db, 0,
                        "SELECT count(*) FROM \"org\" p, \"org\" o WHERE p.id = ? AND o.id = ? "
                        "AND substr(o.path, 1, length(p.path)) = p.path",
                        "ii", org, po)
               ? org
               : 1;
}

static void relate(struct gen *g, int64_t org, const char *ft, int64_t fid, const char *kind,
                   const char *tt, int64_t tid, const char *since, const char *title)
{
    org = owner_for(g, owner_for(g, org, ft, fid), tt, tid);
    json_t *b = json_pack("{s:I, s:s, s:I, s:s, s:s, s:I}", "org_id", (json_int_t)org, "from_type",
                          ft, "from_id", (json_int_t)fid, "kind", kind, "to_type", tt, "to_id",
                          (json_int_t)tid);
    if (since)
        json_object_set_new(b, "since", json_string(since));
    if (title)
        json_object_set_new(b, "title", json_string(title));
    if (mk(g, "relation", b))
        g->relations++;
}

/* A person as generated, kept to link them later. */
struct who {
    int64_t id, org;
    int place; /* -1: lives in China */
    int sur, giv, year, month, day, trad;
    char idn[20]; /* the resident ID number the person would have */
};

static int64_t person_org(struct gen *g, int county)
{
    return county < 0 ? 1 : g->counties[county];
}

/* The romanised name as the community of place p spells it. */
static void alt_name(struct gen *g, char *out, size_t n, int sur, int giv, int p)
{
    const struct sur *s = &surs[sur];
    const struct giv *v = &givs[giv];
    char spell = p < 0 ? 'p' : places[p].spell;
    const char *sn = spell == 'n' ? s->nan : spell == 'y' ? s->yue : s->py;
    const char *gn = spell == 'n' ? v->nan : spell == 'y' ? v->yue : v->py;
    switch (rnd(g, 4)) {
    case 0: /* passport: SURNAME Given Name */
        snprintf(out, n, "%s %s", sn, gn);
        break;
    case 1: /* western order */
        snprintf(out, n, "%s %c%s", gn, sn[0], sn + 1);
        for (char *q = out + strlen(gn) + 2; *q; q++)
            *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
        break;
    case 2: /* with a western first name */
        snprintf(out, n, "%s %s %s", v->g == 'm' ? western_m[rnd(g, 8)] : western_f[rnd(g, 8)], sn,
                 gn);
        break;
    default: /* all capitals, as on old documents */
        snprintf(out, n, "%s %s", sn, gn);
        for (char *q = out; *q; q++)
            *q = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
    }
}

static void resident_id(struct gen *g, char *out, int county, int year, int month, int day,
                        char gender)
{
    int seq = 100 + (int)rnd(g, 800);
    if ((seq % 2 == 1) != (gender == 'm'))
        seq++;
    snprintf(out, 19, "%s%04d%02d%02d%03d", county_codes[county], year, month, day, seq % 1000);
    out[17] = resident_id_check(out);
    out[18] = 0;
}

/* One person; category decides where they live and what papers they hold. dup_of: make
 * this person a second entry of w with another spelling (0: a new person). */
static struct who person(struct gen *g, int place, int county, const char *cat,
                         const struct who *dup_of)
{
    struct who w = {.place = place};
    w.sur = dup_of ? dup_of->sur : (int)rnd(g, NSUR);
    w.giv = dup_of ? dup_of->giv : (int)rnd(g, NGIV);
    w.year = dup_of ? dup_of->year : 1935 + (int)rnd(g, 70);
    const struct sur *s = &surs[w.sur];
    const struct giv *v = &givs[w.giv];
    /* A second entry: the same birthday and ID number, the name in the other script. */
    w.month = dup_of ? dup_of->month : 1 + (int)rnd(g, 12);
    w.day = dup_of ? dup_of->day : 1 + (int)rnd(g, 28);
    if (dup_of)
        memcpy(w.idn, dup_of->idn, sizeof w.idn);
    else
        resident_id(g, w.idn, county < 0 ? 0 : county, w.year, w.month, w.day, v->g);
    int trad = place >= 0 && places[place].trad ? rnd(g, 4) != 0 : rnd(g, 12) == 0;
    w.trad = trad = dup_of ? !dup_of->trad : trad;
    int month = w.month, day = w.day;
    const char *idn = w.idn;
    char name[64], alt[96], birth[16], phone[48];
    snprintf(name, sizeof name, "%s%s", trad ? s->hant : s->hans, trad ? v->hant : v->hans);
    snprintf(birth, sizeof birth, "%04d-%02d-%02d", w.year, month, day);
    json_t *b = json_pack("{s:s, s:s, s:s, s:[s], s:s, s:s, s:s}", "name", name, "gender",
                          v->g == 'm' ? "male" : "female", "birth_date", birth, "categories", cat,
                          "source", dup_of ? "import" : "census", "ancestral_region_code",
                          county_codes[county < 0 ? (int)rnd(g, 5) : county], "ancestral_place",
                          villages[rnd(g, 10)]);
    w.org = person_org(g, county);
    json_object_set_new(b, "org_id", json_integer(w.org));
    if (place >= 0) {
        const struct place *p = &places[place];
        alt_name(g, alt, sizeof alt, w.sur, w.giv, dup_of && rnd(g, 2) ? -1 : place);
        json_object_set_new(b, "name_alt", json_pack("[s]", alt));
        json_object_set_new(b, "residence_country", json_string(p->code));
        json_object_set_new(b, "residence_city", json_string(p->city));
        snprintf(phone, sizeof phone, "%s%03u %04u", p->phone, rnd(g, 1000), rnd(g, 10000));
        json_object_set_new(b, "phone", json_string(phone));
        json_object_set_new(
            b, "departure_year",
            json_integer(w.year + 18 +
                         (int)rnd(g, 2024 - w.year - 17 > 0 ? 2024 - w.year - 17 : 1)));
        if (!strcmp(cat, "foreign_chinese"))
            json_object_set_new(b, "nationality", json_string(p->code));
        if (!strcmp(cat, "overseas_chinese") || !strcmp(cat, "student_abroad")) {
            char pp[16];
            snprintf(pp, sizeof pp, "E%08u", rnd(g, 100000000));
            json_object_set_new(b, "id_type", json_string("passport"));
            json_object_set_new(b, "id_number", json_string(pp));
            json_object_set_new(b, "nationality", json_string("CN"));
        }
        json_object_set_new(b, "dialects",
                            json_pack("[s]", p->spell == 'n'   ? "hokkien"
                                             : p->spell == 'y' ? "cantonese"
                                                               : "other"));
    } else {
        /* In China: a resident ID; a duplicate from another sheet has it one time in two. */
        if (!dup_of || rnd(g, 2)) {
            json_object_set_new(b, "id_type", json_string("resident_id"));
            json_object_set_new(b, "id_number", json_string(idn));
        }
        snprintf(phone, sizeof phone, "+86 139 %04u %04u", rnd(g, 10000), rnd(g, 10000));
        json_object_set_new(b, "phone", json_string(phone));
        json_object_set_new(b, "nationality", json_string("CN"));
    }
    if (!strcmp(cat, "returnee") && w.year < 1950)
        json_object_set_new(b, "flags", json_pack("[s]", "elderly"));
    w.id = mk(g, "person", b);
    if (w.id)
        g->people++;
    return w;
}

static const struct atype {
    const char *type, *fmt, *en;
} atypes[] = {
    {"hometown", "%s清江同乡会", "Qingjiang Association of %s"},
    {"clan", "%s%s氏宗亲会", "%s Clan Association"},
    {"chamber", "%s清江商会", "Qingjiang Chamber of Commerce in %s"},
    {"general", "%s华侨华人联合会", "Federation of Chinese Associations in %s"},
    {"professional", "%s华人专业人士协会", "Chinese Professionals Association of %s"},
    {"alumni", "%s清江一中校友会", "Qingjiang No.1 High School Alumni in %s"},
    {"culture_education", "%s中华文化促进会", "Chinese Culture Society of %s"},
    {"school", "%s中华学校", "%s Chinese School"},
    {"charity", "%s华人慈善基金会", "Chinese Charity Foundation of %s"},
    {"media", "%s华侨日报", "%s Chinese Daily"},
};

static const char *const terms[] = {"三", "四", "五", "六", "七", "八", "九", "十"};

int demo_registry(struct ent_ctx *c, const int64_t *counties, struct verr *e)
{
    struct gen g = {.c = c, .e = e, .seed = 0x5eed2024cafef00dULL, .counties = counties};
    static const char *const officers[] = {"staff",  "jiangkou", "yunxi",
                                           "shimen", "meiling",  "qingshan"};
    for (int i = 0; i < 6; i++)
        g.officers[i] =
            db_int(c->db, 0, "SELECT id FROM \"user\" WHERE username = ?", "s", officers[i]);
    enum { NPEOPLE = 2400 };
    struct who *ppl = xcalloc(NPEOPLE + 800, sizeof *ppl);
    int n = 0;
    /* People abroad: spread over the countries, more in Southeast Asia. */
    static const char *const abroad_cats[] = {"overseas_chinese", "foreign_chinese",
                                              "foreign_chinese",  "new_migrant",
                                              "student_abroad",   "foreign_chinese"};
    for (int i = 0; i < NPEOPLE * 3 / 5 && !g.failed; i++) {
        int place = rnd(&g, 3) ? (int)rnd(&g, 9) : (int)rnd(&g, NPLACE);
        const char *cat = abroad_cats[rnd(&g, 6)];
        if (!strcmp(places[place].code, "HK") || !strcmp(places[place].code, "MO"))
            cat = "hk_macao";
        else if (!strcmp(places[place].code, "TW"))
            cat = "taiwan";
        ppl[n++] = person(&g, place, (int)rnd(&g, 6) - 1, cat, NULL);
    }
    int nabroad = n;
    /* People at home: returnees, relatives, returned students. */
    static const char *const home_cats[] = {"returnee", "relative", "relative", "returned_student"};
    for (int i = 0; i < NPEOPLE * 2 / 5 && !g.failed; i++)
        ppl[n++] = person(&g, -1, (int)rnd(&g, 5), home_cats[rnd(&g, 4)], NULL);
    /* Family: relatives at home of people abroad, and spouses abroad. */
    static const char *const fam[] = {"parent", "child", "sibling", "spouse", "relative"};
    for (int i = 0; i < nabroad && !g.failed; i += 3) {
        struct who *a = &ppl[i];
        int county = (int)rnd(&g, 5);
        struct who r = person(&g, -1, county, "relative", NULL);
        ppl[n++] = r;
        relate(&g, r.org, "person", r.id, fam[rnd(&g, 5)], "person", a->id, NULL, NULL);
        if (i % 9 == 0) {
            struct who *b = &ppl[(i + 1) % nabroad];
            if (b->place == a->place)
                relate(&g, a->org, "person", a->id, "spouse", "person", b->id, NULL, NULL);
        }
    }
    /* Talent profiles for some people abroad and returned students. */
    static const char *const fields[] = {"人工智能", "生物医药", "新材料", "集成电路",
                                         "现代农业", "金融",     "新能源", "中医药"};
    static const char *const ranks[] = {"national", "provincial", "city", "senior", "other"};
    for (int i = 0; i < n && !g.failed; i += 37) {
        json_t *b =
            json_pack("{s:I, s:s, s:s, s:[s], s:[s, s]}", "person_id", (json_int_t)ppl[i].id,
                      "field", fields[rnd(&g, 8)], "rank", ranks[rnd(&g, 5)], "affiliations",
                      ppl[i].place >= 0 ? "海外高校" : "清江市人民医院", "willingness",
                      "technology", rnd(&g, 2) ? "lecture" : "investment");
        mk(&g, "talent", b);
    }
    /* Associations: several in each country, with leaders and members from there. */
    int64_t assoc_ids[NPLACE * 5];
    int assoc_place[NPLACE * 5], na = 0;
    for (size_t p = 0; p < NPLACE && !g.failed; p++) {
        int k = p < 9 ? 5 : 2 + (int)(p % 2);
        for (int j = 0; j < k && !g.failed; j++) {
            const struct atype *t = &atypes[(p + (size_t)j * 3) % 10];
            char name[160], en[160];
            const struct sur *s = &surs[(p + (size_t)j) % NSUR];
            if (!strcmp(t->type, "clan")) {
                snprintf(name, sizeof name, t->fmt, places[p].zh, s->hans);
                snprintf(en, sizeof en, t->en,
                         places[p].spell == 'n'   ? s->nan
                         : places[p].spell == 'y' ? s->yue
                                                  : s->py);
            } else {
                snprintf(name, sizeof name, t->fmt, places[p].zh);
                snprintf(en, sizeof en, t->en, country_find(places[p].code)->name_en);
            }
            json_t *b = json_pack("{s:s, s:[s], s:s, s:s, s:s, s:i, s:i, s:I}", "name", name,
                                  "name_alt", en, "country", places[p].code, "city", places[p].city,
                                  "type", t->type, "founded_year", 1900 + (int)rnd(&g, 120),
                                  "member_count", 50 + (int)rnd(&g, 3000), "org_id",
                                  (json_int_t)(j % 2 ? counties[rnd(&g, 5)] : 1));
            if (rnd(&g, 3) == 0)
                json_object_set_new(
                    b, "friendly_since",
                    json_sprintf("%04u-%02u-15", 2010 + rnd(&g, 14), 1 + rnd(&g, 12)));
            int64_t id = mk(&g, "association", b);
            if (!id)
                break;
            assoc_place[na] = (int)p;
            assoc_ids[na++] = id;
            g.assocs++;
        }
    }
    for (int a = 0; a < na && !g.failed; a++) {
        /* People living in that country: president, vice presidents, secretary, members. */
        int got = 0;
        char since[16];
        snprintf(since, sizeof since, "%04u-01-01", 2015 + rnd(&g, 9));
        for (int i = (int)rnd(&g, nabroad); got < 14 && i < nabroad && !g.failed; i++) {
            if (ppl[i].place != assoc_place[a])
                continue;
            static const char *const roles[] = {"president", "vice_president", "vice_president",
                                                "secretary_general", "honorary_chair"};
            const char *kind = got < 5 ? roles[got] : "member";
            char title[64] = "";
            if (got < 5)
                snprintf(title, sizeof title, "第%s届", terms[rnd(&g, 8)]);
            relate(&g, ppl[i].org, "person", ppl[i].id, kind, "association", assoc_ids[a], since,
                   *title ? title : NULL);
            got++;
        }
    }
    /* Enterprises: funded by overseas Chinese at home (with credit codes and yearly
     * figures), and overseas, with their legal representatives and shareholders. */
    static const char *const trades[] = {"电子", "食品",     "纺织",   "物流", "医药",
                                         "贸易", "农业科技", "新材料", "酒店", "软件"};
    static const char *const industries[] = {"C", "C", "C", "G", "C", "F", "A", "C", "H", "I"};
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    for (int i = 0; i < 160 && !g.failed; i++) {
        int home = i % 3 != 0, t = (int)rnd(&g, 10), county = (int)rnd(&g, 5);
        const struct sur *s = &surs[rnd(&g, NSUR)];
        char name[160];
        json_t *b;
        if (home) {
            char code[19];
            snprintf(code, sizeof code, "91%s", county_codes[county]);
            for (int k = 8; k < 17; k++)
                code[k] = alphabet[rnd(&g, k < 16 ? 31 : 10)];
            code[17] = credit_code_check(code);
            code[18] = 0;
            snprintf(name, sizeof name, "清江%s%s有限公司", s->hans, trades[t]);
            b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:i, s:I}", "name", name,
                          "kind", "oc_funded", "credit_code", code, "country", "CN", "region_code",
                          county_codes[county], "industry", industries[t], "registered_capital",
                          (json_int_t)(1 + rnd(&g, 500)) * 1000000, "currency", "CNY", "employees",
                          10 + (int)rnd(&g, 800), "org_id", (json_int_t)counties[county]);
        } else {
            int p = (int)rnd(&g, NPLACE);
            snprintf(name, sizeof name, "%s%s%s集团", places[p].zh, s->hans, trades[t]);
            b = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I}", "name", name, "kind", "overseas",
                          "country", places[p].code, "industry", industries[t], "employees",
                          20 + (int)rnd(&g, 3000), "org_id", (json_int_t)1);
        }
        int64_t id = mk(&g, "enterprise", b);
        if (!id)
            break;
        g.firms++;
        for (int y = 2021; home && y <= 2024; y++)
            mk(&g, "enterprise_year",
               json_pack("{s:I, s:i, s:I, s:I}", "enterprise_id", (json_int_t)id, "year", y,
                         "output", (json_int_t)(1000 + rnd(&g, 50000)) * 1000000, "exports_usd",
                         (json_int_t)rnd(&g, 5000) * 100000));
        struct who *owner = &ppl[rnd(&g, nabroad)];
        relate(&g, owner->org, "person", owner->id, home ? "legal_rep" : "founder", "enterprise",
               id, NULL, NULL);
        struct who *sh = &ppl[rnd(&g, nabroad)];
        if (sh->id != owner->id)
            relate(&g, sh->org, "person", sh->id, "shareholder", "enterprise", id, NULL, NULL);
        if (i % 4 == 0) /* a member of a chamber of commerce */
            relate(&g, 1, "enterprise", id, "member", "association", assoc_ids[rnd(&g, na)], NULL,
                   NULL);
    }
    /* The city federation's overseas advisors, committee members and ambassadors. */
    static const char *const honours[] = {"overseas_advisor", "overseas_member", "ambassador"};
    for (int i = 0; i < 45 && !g.failed; i++) {
        struct who *w = &ppl[(i * 53) % nabroad];
        relate(&g, w->org, "person", w->id, honours[i % 3], "org", 1, "2022-06-01", NULL);
    }
    /* The contact log: visits, meetings, calls with associations and people. */
    static const char *const channels[] = {"visit",  "meeting", "phone", "video",
                                           "wechat", "letter",  "email"};
    static const char *const topics[] = {
        "春节慰问, 了解会员近况", "商议来清江考察投资事宜",  "邀请参加世界清江同乡恳亲大会",
        "协助办理回乡寻根",       "了解华文学校师资需求",    "沟通侨捐项目进展",
        "转达侨联换届情况",       "听取对家乡发展的意见建议"};
    for (int i = 0; i < 1200 && !g.failed; i++) {
        int a = (int)rnd(&g, na);
        /* A county's contacts name its own associations and people (a record names only
         * what its owner may open); the city's name anyone's. */
        int64_t owner = i % 3 ? counties[i % 5] : 1;
        json_t *parties = json_array();
        if (owner_for(&g, owner, "association", assoc_ids[a]) == owner)
            json_array_append_new(parties,
                                  json_sprintf("association:%lld", (long long)assoc_ids[a]));
        int want = (int)rnd(&g, 3) + !json_array_size(parties);
        for (int k = 0, tries = 0; k < want && tries < 40; tries++) {
            struct who *w = &ppl[rnd(&g, n)];
            if (owner_for(&g, owner, "person", w->id) != owner)
                continue;
            json_array_append_new(parties, json_sprintf("person:%lld", (long long)w->id));
            k++;
        }
        if (!json_array_size(parties)) {
            json_decref(parties);
            continue;
        }
        json_t *b = json_pack("{s:s, s:o, s:s, s:I}", "channel", channels[rnd(&g, 7)], "parties",
                              parties, "summary", topics[rnd(&g, 8)], "org_id", (json_int_t)owner);
        unsigned y = 2022 + rnd(&g, 4), m = 1 + rnd(&g, 12);
        if (y == 2025 && m > 9)
            m -= 3; /* up to September 2025 */
        json_object_set_new(b, "date", json_sprintf("%04u-%02u-%02u", y, m, 1 + rnd(&g, 28)));
        if (g.officers[i % 6])
            json_object_set_new(b, "officer_id", json_integer(g.officers[i % 6]));
        if (i % 5 == 0)
            json_object_set_new(b, "follow_up", json_string("下月回访, 寄送侨联工作简报"));
        if (mk(&g, "contact", b))
            g.contacts++;
    }
    /* Duplicates: the same person on two census sheets, spelt differently (simplified
     * and traditional, pinyin and dialect spellings), in another county's records. */
    for (int i = 0; i < 60 && !g.failed; i++) {
        struct who *w = &ppl[(i * 41 + 7) % n];
        int county = (int)rnd(&g, 5);
        struct who d =
            person(&g, w->place, county, w->place < 0 ? "relative" : "overseas_chinese", w);
        if (d.id)
            g.dups++;
    }
    free(ppl);
    if (g.failed)
        return -1;
    printf("侨务数据: %d 位侨界人士 (其中 %d 位重复登记待合并), %d 个侨团, %d 家侨企, %d 条关系, "
           "%d 条联络记录\n",
           g.people, g.dups, g.assocs, g.firms, g.relations, g.contacts);
    return 0;
}
