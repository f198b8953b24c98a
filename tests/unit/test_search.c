/* Unit tests of name search: the keys a name gets (folding, pinyin with every reading,
 * the surname reading first, initials, Cantonese as Hong Kong spells it, passport names),
 * the surname and dialect tables, the Cantonese spellings of a query, and search_run on
 * a fresh SQLite file (ranking, reasons, deletes and updates kept in step, scope). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entity.h"
#include "names.h"
#include "schema.h"
#include "fixture.h"
#include "search.h"

/* ---- keys --------------------------------------------------------------------------- */

struct got {
    struct name_key k[128];
    int n;
};

static void collect(void *arg, const struct name_key *k)
{
    struct got *g = arg;
    if (g->n < 128)
        g->k[g->n++] = *k;
}

static struct got *keys_of(const char *name)
{
    static struct got g;
    memset(&g, 0, sizeof g);
    name_keys(name, collect, &g);
    return &g;
}

/* The key (kind, key) of g, or NULL. */
static const struct name_key *has(const struct got *g, int kind, const char *key)
{
    for (int i = 0; i < g->n; i++)
        if (g->k[i].kind == kind && !strcmp(g->k[i].key, key))
            return &g->k[i];
    return NULL;
}

/* The position of (kind, key) in the order handed out; -1 if missing. */
static int order(const struct got *g, int kind, const char *key)
{
    for (int i = 0; i < g->n; i++)
        if (g->k[i].kind == kind && !strcmp(g->k[i].key, key))
            return i;
    return -1;
}

static void traditional_and_simplified_fold_alike(void **state)
{
    (void)state;
    struct got a = *keys_of("陳嘉庚"), *b = keys_of("陈嘉庚");
    assert_non_null(has(&a, K_HAN, "陈嘉庚"));
    assert_non_null(has(b, K_HAN, "陈嘉庚"));
    assert_non_null(has(&a, K_HAN_GIVEN, "嘉庚"));
    /* The usual readings agree; 陳 has one more rare reading (zhèn) of its own. */
    for (int i = 0; i < b->n; i++)
        assert_non_null(has(&a, b->k[i].kind, b->k[i].key));
    for (int i = 0; i < a.n; i++)
        if (!a.k[i].weak)
            assert_non_null(has(b, a.k[i].kind, a.k[i].key));
    /* show keeps the name as written */
    assert_string_equal(has(&a, K_HAN, "陈嘉庚")->show, "陳嘉庚");
    assert_int_equal(name_fold(0x9673 /* 陳 */), 0x9648 /* 陈 */);
    assert_int_equal(name_fold(0x9648), 0x9648);
    assert_int_equal(name_fold('A'), 'A');
}

static void pinyin_keys_and_initials(void **state)
{
    (void)state;
    struct got *g = keys_of("陈嘉庚");
    const struct name_key *k = has(g, K_PINYIN, "chenjiageng");
    assert_non_null(k);
    assert_false(k->weak);
    assert_string_equal(k->show, "chen jia geng");
    assert_non_null(has(g, K_PINYIN_GIVEN, "jiageng"));
    assert_non_null(has(g, K_INITIALS, "cjg"));
    assert_non_null(has(g, K_INITIALS_GIVEN, "jg"));
    /* no keys that stop at one letter of initials */
    assert_null(has(g, K_INITIALS_GIVEN, "g"));
}

static void polyphonic_surname_reading_first(void **state)
{
    (void)state;
    struct got *g = keys_of("曾志伟"); /* 曾: céng usually, zēng as a surname */
    const struct name_key *zeng = has(g, K_PINYIN, "zengzhiwei"),
                          *ceng = has(g, K_PINYIN, "cengzhiwei");
    assert_non_null(zeng);
    assert_non_null(ceng);
    assert_false(zeng->weak);
    assert_true(ceng->weak);
    assert_true(order(g, K_PINYIN, "zengzhiwei") < order(g, K_PINYIN, "cengzhiwei"));
    assert_non_null(has(g, K_INITIALS, "zzw"));

    g = keys_of("单田芳"); /* 单: dān usually, shàn as a surname */
    assert_false(has(g, K_PINYIN, "shantianfang")->weak);
    assert_true(has(g, K_PINYIN, "dantianfang")->weak);

    g = keys_of("区志强"); /* 区 ōu as a surname */
    assert_false(has(g, K_PINYIN, "ouzhiqiang")->weak);
    assert_true(has(g, K_PINYIN, "quzhiqiang")->weak);

    g = keys_of("查良镛"); /* 查 zhā */
    assert_false(has(g, K_PINYIN, "zhaliangyong")->weak);

    /* Not at the start, 曾 reads céng first. */
    g = keys_of("王曾");
    assert_false(has(g, K_PINYIN, "wangceng")->weak);
    assert_true(has(g, K_PINYIN, "wangzeng")->weak);
}

static void compound_surnames_and_u_umlaut(void **state)
{
    (void)state;
    struct got *g = keys_of("欧阳娜娜");
    assert_non_null(has(g, K_HAN_GIVEN, "娜娜")); /* the given name starts after 欧阳 */
    assert_null(has(g, K_HAN_GIVEN, "阳娜娜"));
    g = keys_of("尉迟恭");
    assert_false(has(g, K_PINYIN, "yuchigong")->weak);
    g = keys_of("吕小龙"); /* lǚ: lv, and typed lu, passports lyu */
    assert_false(has(g, K_PINYIN, "lvxiaolong")->weak);
    assert_non_null(has(g, K_PINYIN, "luxiaolong"));
    assert_non_null(has(g, K_PINYIN, "lyuxiaolong"));
}

static void cantonese_as_hong_kong_spells(void **state)
{
    (void)state;
    static const struct {
        const char *name, *jyut;
    } cases[] = {
        {"陈嘉庚", "chankakang"},
        {"张学友", "cheunghokyau"},
        {"曾志伟", "tsangchiwai"},
        {"黄大仙", "wongtaisin"},
        {"吴", "ng"},
        {"刘德华", "lautakwa"},
        {"梁朝伟", "leungchiuwai"},
        {"何鸿燊", "hohungsan"},
        {"谢霆锋", "tsetingfung"},
        {"徐小凤", "tsuisiufung"},
        {"叶问", "yipman"},
        {"孙中山", "suenchungsan"},
        {"余", "yu"},
        {"李嘉诚", "leikasing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct got *g = keys_of(cases[i].name);
        if (!has(g, K_JYUT, cases[i].jyut)) {
            for (int k = 0; k < g->n; k++)
                if (g->k[k].kind == K_JYUT)
                    print_message("%s: %s\n", cases[i].name, g->k[k].key);
            fail_msg("%s should have Cantonese key %s", cases[i].name, cases[i].jyut);
        }
    }
    /* A query's spellings come back canonical: variants, Jyutping-free, partial last. */
    char out[4][NAME_KEY_MAX];
    int n = jyut_canonical("tsang\0chi\0wai", 3, out, 4);
    assert_true(n >= 1);
    assert_string_equal(out[0], "tsangchiwai");
    n = jyut_canonical("chang", 1, out, 4); /* also written Chang */
    assert_true(n >= 1);
    int found = 0;
    for (int i = 0; i < n; i++)
        found |= !strcmp(out[i], "tsang");
    assert_true(found);
    n = jyut_canonical("cheong", 1, out, 4); /* Malaysian Cantonese for 张 */
    assert_true(n >= 1 && !strcmp(out[0], "cheung"));
    n = jyut_canonical("chankah", 1, out, 4); /* without spaces, Ka written Kah */
    assert_true(n >= 1 && !strcmp(out[0], "chanka"));
    n = jyut_canonical("lee\0ka\0shing", 3, out, 4); /* 李嘉诚: Lee Ka Shing */
    assert_true(n >= 1 && !strcmp(out[0], "leikasing"));
    n = jyut_canonical("cheon", 1, out, 4); /* typing: part of Cheong (or Che On) */
    found = 0;
    for (int i = 0; i < n; i++)
        found |= !strcmp(out[i], "cheung");
    assert_true(found);
    n = jyut_canonical("chan\0ts", 2, out, 4); /* Ts... may be Tsang or Tsz (chi) */
    found = 0;
    for (int i = 0; i < n; i++)
        found |= (!strncmp(out[i], "chants", 6)) << 0 | (!strncmp(out[i], "chanch", 6)) << 1;
    assert_int_equal(found, 3);
    assert_int_equal(jyut_canonical("xyzzy", 1, out, 4), 0);
}

static void names_of_organisations(void **state)
{
    (void)state;
    static struct got g;
    memset(&g, 0, sizeof g);
    const char *name = "馬來西亞福建社團聯合會總會暨屬會代表大會籌備委員會";
    name_keys_ex(name, NK_SUFFIXES, collect, &g);
    /* the whole folded name, past the 16 characters that get readings */
    assert_non_null(has(&g, K_HAN, "马来西亚福建社团联合会总会暨属会代表大会筹备委员会"));
    /* a word in the middle */
    assert_non_null(has(&g, K_HAN_GIVEN, "福建社团联合会总会暨属会代表大会筹备委员会"));
    /* without the flag, only the start and the "given name" */
    assert_null(has(keys_of(name), K_HAN_GIVEN, "福建社团联合会总会暨属会代表大会筹备委员会"));
}

static void passport_names_by_token(void **state)
{
    (void)state;
    struct got *g = keys_of("TAN Kah-Kee");
    assert_non_null(has(g, K_LATIN, "tankahkee"));
    assert_non_null(has(g, K_LATIN, "kahkee"));
    assert_non_null(has(g, K_LATIN, "kee"));
    assert_non_null(has(g, K_LATIN, "keetankah")); /* the last token first */
    assert_null(has(g, K_PINYIN, "tankahkee"));
    g = keys_of("Zoë Lyu");
    assert_non_null(has(g, K_LATIN, "zoelyu"));
    assert_int_equal(keys_of("")->n, 0);
    assert_int_equal(keys_of("·- ,")->n, 0);
}

static void count_key(void *arg, const struct name_key *k)
{
    (*(int *)arg)++;
    assert_true(k->kind > 0 && k->kind < K_N);
    assert_true(strlen(k->key) < NAME_KEY_MAX);
}

/* Whatever the bytes, keys stay within their bounds (run under ASan and UBSan). */
static void odd_input_is_safe(void **state)
{
    (void)state;
    char s[600];
    unsigned x = 12345;
    for (int round = 0; round < 3000; round++) {
        size_t n = (x = x * 1103515245 + 12345) % (sizeof s - 1);
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245 + 12345;
            /* mostly letters, CJK lead bytes and continuation bytes: the interesting part */
            static const unsigned char pick[] = {'a',  'n',  'g',  ' ',  0xE9, 0x99, 0x88, 0xE5,
                                                 0x98, 0x89, 0xC3, 0xBC, 0xFF, '-',  'z',  0xF0};
            s[i] = (char)pick[(x >> 16) % sizeof pick];
        }
        s[n] = 0;
        int count = 0;
        name_keys(s, count_key, &count);
        char out[4][NAME_KEY_MAX];
        jyut_canonical(s, 1, out, 4);
        struct surname_hit h[4];
        surname_spelled(s, h, 4);
    }
    char longname[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(longname, "曾");
    int count = 0;
    name_keys_ex(longname, NK_SUFFIXES, count_key, &count);
    assert_true(count > 0);
}

/* ---- the tables --------------------------------------------------------------------- */

static void surname_table_is_sound(void **state)
{
    (void)state;
    int n = 0, with_spellings = 0;
    for (const struct surname *s = surnames; s->han; s++, n++) {
        /* written in the folded (simplified) form, once */
        const char *p = s->han;
        uint32_t c;
        while ((c = utf8_next(&p)))
            if (name_fold(c) != c)
                fail_msg("surname %s is not in its simplified form", s->han);
        for (const struct surname *t = surnames; t != s; t++)
            if (!strcmp(t->han, s->han))
                fail_msg("surname %s is listed twice", s->han);
        /* the reading is pinyin syllables, one per character */
        char py[32] = "";
        int syl = 1, chars = 0;
        for (const char *q = s->pinyin; *q; q++)
            if (*q == ' ')
                syl++;
            else
                strncat(py, q, 1);
        for (const char *q = s->han; utf8_next(&q);)
            chars++;
        if (!name_syllables(0, py, strlen(py)) || syl != chars)
            fail_msg("surname %s: bad reading %s", s->han, s->pinyin);
        int any = 0;
        for (int d = 0; d < D_N; d++)
            any |= s->spell[d] != NULL;
        with_spellings += any;
    }
    assert_true(n >= 200);
    assert_true(with_spellings >= 150);
}

static void dialect_spellings(void **state)
{
    (void)state;
    static const struct {
        const char *spelling, *han;
        enum dialect d;
    } cases[] = {
        {"tan", "陈", D_HOKKIEN},      {"tan", "陈", D_TEOCHEW},
        {"chin", "陈", D_HAKKA},       {"ting", "陈", D_FUZHOU},
        {"lim", "林", D_HOKKIEN},      {"lam", "林", D_CANTONESE},
        {"ooi", "黄", D_HOKKIEN},      {"wee", "黄", D_HOKKIEN},
        {"eng", "黄", D_TEOCHEW},      {"goh", "吴", D_HOKKIEN},
        {"ong", "王", D_HOKKIEN},      {"teo", "张", D_TEOCHEW},
        {"cheong", "张", D_CANTONESE}, {"chong", "张", D_HAKKA},
        {"tiong", "张", D_FUZHOU},     {"koh", "许", D_HOKKIEN},
        {"khoo", "邱", D_HOKKIEN},     {"hui", "许", D_CANTONESE},
        {"kuek", "郭", D_HOKKIEN},     {"kwok", "郭", D_CANTONESE},
        {"yap", "叶", D_HAKKA},        {"yip", "叶", D_CANTONESE},
        {"chua", "蔡", D_HOKKIEN},     {"choi", "蔡", D_CANTONESE},
        {"ang", "洪", D_HOKKIEN},      {"auyeung", "欧阳", D_CANTONESE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct surname_hit h[16];
        int n = surname_spelled(cases[i].spelling, h, 16), ok = 0;
        for (int k = 0; k < n; k++)
            ok |= !strcmp(h[k].s->han, cases[i].han) && (h[k].dialects & (1u << cases[i].d));
        if (!ok)
            fail_msg("%s should be %s in %s", cases[i].spelling, cases[i].han,
                     dialect_label[cases[i].d]);
    }
    /* pinyin and the Hong Kong spelling of a surname are known too */
    struct surname_hit h[16];
    int n = surname_spelled("chen", h, 16), pinyin = 0;
    for (int k = 0; k < n; k++)
        pinyin |= !strcmp(h[k].s->han, "陈") && h[k].pinyin;
    assert_true(pinyin);
    assert_int_equal(surname_spelled("qqq", h, 16), 0);
}

/* ---- search_run on a database ------------------------------------------------------- */

static int setup(void **state)
{
    struct fx *f = fx_open("s");
    struct verr e;
    json_t *body = json_pack("{s:s, s:s}", "name", "测试市侨联", "kind", "federation");
    json_t *root = ent_create(&f->c, entity_find("org"), body, &e);
    json_decref(body);
    assert_non_null(root);
    f->c.org_id = json_integer_value(json_object_get(root, "id"));
    json_decref(root);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

static int64_t person(struct fx *f, const char *json)
{
    struct verr e;
    json_t *body = json_loads(json, 0, NULL);
    assert_non_null(body);
    json_t *p = ent_create(&f->c, entity_find("person"), body, &e);
    json_decref(body);
    if (!p)
        fail_msg("create %s: %s", json, e.msg);
    int64_t id = json_integer_value(json_object_get(p, "id"));
    json_decref(p);
    return id;
}

/* Search as f's context; the items array (a borrowed reference kept in *res). */
static json_t *find(struct fx *f, const char *q, json_t **res)
{
    static const struct entity *ents[2];
    ents[0] = entity_find("person");
    struct verr e;
    json_decref(*res);
    *res = search_run(&f->c, q, ents, 20, &e);
    if (!*res)
        fail_msg("search %s: %s", q, e.msg);
    return json_object_get(*res, "items");
}

static int64_t id_at(json_t *items, size_t i)
{
    return json_integer_value(json_object_get(json_array_get(items, i), "id"));
}

static const char *match_at(json_t *items, size_t i)
{
    return json_string_value(json_object_get(json_array_get(items, i), "match"));
}

static void search_ranks_and_explains(void **state)
{
    struct fx *f = *state;
    int64_t tan = person(f, "{\"name\": \"陳嘉庚\", \"name_alt\": [\"TAN KAH KEE\"]}");
    int64_t chen = person(f, "{\"name\": \"陈嘉\"}");
    int64_t zeng = person(f, "{\"name\": \"曾志伟\"}");
    int64_t lim = person(f, "{\"name\": \"林志强\", \"former_names\": [\"林阿强\"]}");
    json_t *res = NULL, *it;

    it = find(f, "陈嘉庚", &res); /* exact first, then the prefix */
    assert_int_equal(json_array_size(it), 1);
    assert_int_equal(id_at(it, 0), tan);
    assert_string_equal(match_at(it, 0), "姓名 陳嘉庚");
    it = find(f, "陳嘉", &res);
    assert_int_equal(json_array_size(it), 2);
    assert_int_equal(id_at(it, 0), chen); /* exact: 陈嘉 */
    assert_int_equal(id_at(it, 1), tan);  /* prefix */

    it = find(f, "chen jiageng", &res);
    assert_int_equal(id_at(it, 0), tan);
    assert_string_equal(match_at(it, 0), "拼音 chen jia geng");
    it = find(f, "cjg", &res);
    assert_int_equal(id_at(it, 0), tan);
    it = find(f, "tan kah kee", &res);
    assert_int_equal(id_at(it, 0), tan);
    assert_string_equal(match_at(it, 0), "外文名/护照名 TAN KAH KEE");
    it = find(f, "tan 嘉庚", &res);
    assert_int_equal(id_at(it, 0), tan);
    assert_non_null(strstr(match_at(it, 0), "闽南话"));
    it = find(f, "zeng", &res);
    assert_int_equal(id_at(it, 0), zeng);
    assert_string_equal(match_at(it, 0), "拼音 zeng zhi wei");
    it = find(f, "tsang chi wai", &res);
    assert_int_equal(id_at(it, 0), zeng);
    assert_string_equal(match_at(it, 0), "粤语拼音 Tsang Chi Wai");

    /* A dialect match ranks below a reading of the name: "lim" is Hokkien for 林. */
    it = find(f, "lim", &res);
    assert_int_equal(id_at(it, 0), lim);
    assert_string_equal(match_at(it, 0), "闽南话/潮州话/客家话/海南话姓氏 Lim = 林, 姓名 林志强");
    it = find(f, "林阿强", &res);
    assert_int_equal(id_at(it, 0), lim);
    assert_string_equal(match_at(it, 0), "曾用名 林阿强");

    /* Updates and deletes keep the index in step. */
    struct verr e;
    json_t *body = json_pack("{s:s}", "name", "林志明");
    json_t *p = ent_update(&f->c, entity_find("person"), lim, body, &e);
    assert_non_null(p);
    json_decref(p);
    json_decref(body);
    assert_int_equal(json_array_size(find(f, "林志强", &res)), 0);
    assert_int_equal(id_at(find(f, "linzhiming", &res), 0), lim);
    assert_int_equal(ent_delete(&f->c, entity_find("person"), lim, &e), 0);
    assert_int_equal(json_array_size(find(f, "linzhiming", &res)), 0);
    assert_int_equal(
        db_int(f->d, -1, "SELECT count(*) FROM search_person WHERE record_id = ?", "i", lim), 0);

    /* Bad input names the field. */
    static const struct entity *ents[2];
    ents[0] = entity_find("person");
    assert_null(search_run(&f->c, "", ents, 20, &e));
    assert_string_equal(e.field, "q");
    char longq[400] = "";
    for (int i = 0; i < 101; i++)
        strcat(longq, "陈");
    assert_null(search_run(&f->c, longq, ents, 20, &e));
    assert_string_equal(e.field, "q");
    assert_int_equal(json_array_size(find(f, "!!!", &res)), 0);
    json_decref(res);
}

/* The position of id in items, or -1. */
static int rank_of(json_t *items, int64_t id)
{
    for (size_t i = 0; i < json_array_size(items); i++)
        if (id_at(items, i) == id)
            return (int)i;
    return -1;
}

/* SPEC "Finding people": the spellings of other countries' records, made from the Chinese
 * name alone (the records hold no Latin name). */
static void other_countries_spellings(void **state)
{
    struct fx *f = *state;
    int64_t xu = person(f, "{\"name\": \"许文华\"}");
    int64_t xie = person(f, "{\"name\": \"谢明德\"}");
    int64_t wang = person(f, "{\"name\": \"王建民\"}");
    int64_t chen = person(f, "{\"name\": \"陈志明\"}");
    int64_t zhang = person(f, "{\"name\": \"张国强\"}");
    int64_t peng = person(f, "{\"name\": \"彭德明\"}");
    int64_t lin = person(f, "{\"name\": \"林丽娟\"}");
    int64_t shi = person(f, "{\"name\": \"施至成\"}");
    int64_t li = person(f, "{\"name\": \"李光耀\"}");
    int64_t guo = person(f, "{\"name\": \"郭鹤年\"}");
    int64_t huang = person(f, "{\"name\": \"黄美玲\"}");
    int64_t cai = person(f, "{\"name\": \"蔡金福\"}");
    /* five whose initials are s y */
    const char *sy[] = {"宋雨", "孙燕", "石勇", "沈阳", "苏云"};
    for (int i = 0; i < 5; i++) {
        char b[64];
        snprintf(b, sizeof b, "{\"name\": \"%s\"}", sy[i]);
        person(f, b);
    }
    json_t *res = NULL, *it;
    const struct {
        const char *q;
        int64_t *who;
        const char *why; /* a part of the explanation */
    } cases[] = {
        {"Hsu", &xu, "威妥玛拼音"}, /* Taiwan's passports */
        {"Hsieh", &xie, "威妥玛拼音"},
        {"Wang Chien-min", &wang, "威妥玛拼音"},
        {"Hsu Wen-hua", &xu, "威妥玛拼音"},
        {"Kuo", &guo, "威妥玛拼音"},
        {"Sae Tang", &chen, "泰国"}, /* แซ่ before the Teochew surname */
        {"Saetang", &chen, "泰国"},
        {"Tran", &chen, "越南"},    /* kVietnamese trần */
        {"Truong", &zhang, "越南"}, /* trương */
        {"Phang", &peng, "客家话"}, /* Malaysia */
        {"Liem", &lin, "印尼"},     /* the Dutch-era spelling of Lim */
        {"Oei", &huang, "= 黄"},    /* in the table as Hokkien */
        {"Tjoa", &cai, "印尼"},     /* made from Chua */
        {"Sy", &shi, "菲律宾"},     /* the Philippines' Hokkien */
        {"Dy", &li, "菲律宾"},
        {"Co", &xu, "菲律宾"},
    };
    int bad = 0; /* every case is tried and reported */
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        it = find(f, cases[i].q, &res);
        int r = rank_of(it, *cases[i].who);
        const char *first = json_string_value(json_object_get(json_array_get(it, 0), "name"));
        if (r != 0) {
            print_message("%s: %lld ranks %d, first is %s (%s)\n", cases[i].q,
                          (long long)*cases[i].who, r, first ? first : "nobody",
                          first ? match_at(it, 0) : "");
            bad++;
        } else if (!strstr(match_at(it, 0), cases[i].why)) {
            print_message("%s: the match says %s, not %s\n", cases[i].q, match_at(it, 0),
                          cases[i].why);
            bad++;
        }
    }
    json_decref(res);
    assert_int_equal(bad, 0);
}

/* SPEC ranking: a surname outranks a match inside the given name; a bare overseas surname
 * spelling (Tan, Lim, Ng ...) brings its dialect matches onto the first page beside the
 * pinyin ones, not after all of them. */
static void surname_matches_come_first(void **state)
{
    struct fx *f = *state;
    int64_t wandan = person(f, "{\"name\": \"万丹\"}");
    int64_t chen[3], tan[20];
    chen[0] = person(f, "{\"name\": \"陈嘉庚\"}");
    chen[1] = person(f, "{\"name\": \"陈六使\"}");
    chen[2] = person(f, "{\"name\": \"陈笃生\"}");
    const char *tans[] = {"谭", "檀", "谈", "覃"};
    for (int i = 0; i < 20; i++) {
        char b[64];
        snprintf(b, sizeof b, "{\"name\": \"%s%s\"}", tans[i % 4], i % 2 ? "志明" : "美华");
        tan[i] = person(f, b);
    }
    json_t *res = NULL;
    json_t *it = find(f, "tan", &res);
    for (int i = 0; i < 3; i++) {
        int r = rank_of(it, chen[i]);
        if (r < 0 || r >= 20)
            fail_msg("tan: 陈 %d ranks %d of %zu", i, r, json_array_size(it));
    }
    int rw = rank_of(it, wandan);
    for (int i = 0; i < 20; i++) {
        int r = rank_of(it, tan[i]);
        if (rw >= 0 && r > rw)
            fail_msg("tan: 万丹 (a given-name match) ranks %d, above a surname match at %d", rw, r);
    }
    json_decref(res);
}

/* A county's user finds only the county's people. */
static void search_keeps_to_the_scope(void **state)
{
    struct fx *f = *state;
    struct verr e;
    int64_t county[2];
    for (int i = 0; i < 2; i++) {
        json_t *body = json_pack("{s:s, s:s, s:I}", "name", i ? "乙县侨联" : "甲县侨联", "kind",
                                 "federation", "parent_id", (json_int_t)f->c.org_id);
        json_t *o = ent_create(&f->c, entity_find("org"), body, &e);
        json_decref(body);
        assert_non_null(o);
        county[i] = json_integer_value(json_object_get(o, "id"));
        json_decref(o);
    }
    char a[64], b[64];
    snprintf(a, sizeof a, "{\"name\": \"陈美玲\", \"org_id\": %lld}", (long long)county[0]);
    snprintf(b, sizeof b, "{\"name\": \"陈美玲\", \"org_id\": %lld}", (long long)county[1]);
    int64_t pa = person(f, a);
    person(f, b);
    json_t *res = NULL;
    assert_int_equal(json_array_size(find(f, "chen meiling", &res)), 2);
    stmt *s = db_prepare(f->d, "SELECT path FROM org WHERE id = ?");
    st_bind_int(s, 1, county[0]);
    assert_int_equal(st_step(s), DB_ROW);
    f->c.scope_path = arena_strdup(f->a, st_text(s, "path"));
    st_finalize(s);
    json_t *it = find(f, "chen meiling", &res);
    assert_int_equal(json_array_size(it), 1);
    assert_int_equal(id_at(it, 0), pa);
    assert_int_equal(json_array_size(find(f, "tan", &res)), 1);
    /* With many orgs the county is a small part of the tree: its keys are looked up org
     * by org (search_person's org_id), with the same answers. */
    const char *scope = f->c.scope_path;
    f->c.scope_path = NULL;
    for (int i = 0; i < 6; i++) {
        json_t *body = json_pack("{s:s, s:s, s:I}", "name", "其他县侨联", "kind", "federation",
                                 "parent_id", (json_int_t)f->c.org_id);
        json_decref(ent_create(&f->c, entity_find("org"), body, &e));
        json_decref(body);
    }
    f->c.scope_path = scope;
    it = find(f, "chen meiling", &res);
    assert_int_equal(json_array_size(it), 1);
    assert_int_equal(id_at(it, 0), pa);
    assert_int_equal(json_array_size(find(f, "tan", &res)), 1);
    assert_int_equal(json_array_size(find(f, "陈", &res)), 1);
    /* a person who moves to the other county leaves the scope (an all-seeing update) */
    f->c.scope_path = NULL;
    json_t *body = json_pack("{s:I}", "org_id", (json_int_t)county[1]);
    json_t *moved = ent_update(&f->c, entity_find("person"), pa, body, &e);
    assert_non_null(moved);
    json_decref(moved);
    json_decref(body);
    f->c.scope_path = scope;
    assert_int_equal(json_array_size(find(f, "chen meiling", &res)), 0);
    json_decref(res);
}

static void index_rebuilds_when_rules_change(void **state)
{
    struct fx *f = *state;
    person(f, "{\"name\": \"黄明志\"}");
    int64_t n = db_int(f->d, 0, "SELECT count(*) FROM search_person", "");
    assert_true(n > 0);
    assert_int_equal(db_execv(f->d, "DELETE FROM search_person", ""), DB_OK);
    /* a database indexed before version 7 rules had one search_key table for all */
    assert_int_equal(db_execv(f->d, "CREATE TABLE search_key (entity TEXT, key TEXT)", ""), DB_OK);
    assert_int_equal(
        db_execv(f->d, "UPDATE qiao_meta SET value = 'old' WHERE key = 'search_keys'", ""), DB_OK);
    assert_true(schema_upgrade(f->d) >= 1);
    assert_int_equal(db_int(f->d, 0, "SELECT count(*) FROM search_person", ""), n);
    assert_false(db_has_column(f->d, "search_key", NULL));
}

struct first_pinyin {
    char key[NAME_KEY_MAX];
};

static void take_first_pinyin(void *arg, const struct name_key *k)
{
    struct first_pinyin *f = arg;
    if (k->kind == K_PINYIN && !k->weak && !f->key[0])
        snprintf(f->key, sizeof f->key, "%s", k->key);
}

static void reading_is_the_first_pinyin_key(void **state)
{
    (void)state;
    /* name_reading (de-duplication's "same reading") must say what name_keys says first,
     * for every surname of the table, simplified and traditional given names, compound
     * surnames, polyphonic characters, mixed and odd input. */
    static const char *const given[] = {"嘉庚", "國華", "乐", "", "行长", "曾重", "單于", "綠"};
    static const char *const odd[] = {
        "Tan 嘉庚",    "陈·嘉庚", "陈 嘉 庚",
        "TAN KAH KEE", "",        "  ",
        "陳A嘉",       "㐀㐁",    "欧阳修欧阳修欧阳修欧阳修欧阳修欧阳修欧阳修"};
    int checked = 0;
    for (int i = 0; surnames[i].han; i++)
        for (size_t g = 0; g < sizeof given / sizeof *given; g++) {
            char name[64], reading[NAME_KEY_MAX];
            snprintf(name, sizeof name, "%s%s", surnames[i].han, given[g]);
            struct first_pinyin f = {{0}};
            name_keys(name, take_first_pinyin, &f);
            name_reading(name, reading, sizeof reading);
            if (strcmp(reading, f.key))
                fail_msg("%s: name_reading \"%s\", name_keys \"%s\"", name, reading, f.key);
            checked++;
        }
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        char reading[NAME_KEY_MAX];
        struct first_pinyin f = {{0}};
        name_keys(odd[i], take_first_pinyin, &f);
        name_reading(odd[i], reading, sizeof reading);
        assert_string_equal(reading, f.key);
    }
    assert_true(checked > 1000);
    char small[8];
    assert_true(name_reading("陈嘉庚", small, sizeof small) < sizeof small); /* cut, not overrun */
}

/* A fingerprint of the person index: its rows, summed. */
static void index_print(struct fx *f, int64_t out[3])
{
    out[0] = db_int(f->d, -1, "SELECT count(*) FROM search_person", "");
    out[1] = db_int(f->d, -1,
                    "SELECT sum(record_id * 131 + kind * 17 + field * 5 + weak + length(key)) "
                    "FROM search_person",
                    "");
    out[2] = db_int(f->d, -1, "SELECT count(DISTINCT key) FROM search_person", "");
}

static void batched_keys_equal_a_rebuild(void **state)
{
    /* An import's keys go through the worker thread in chunks, are sorted in runs (here
     * of 100 keys, so there are dozens) and merged: the index must hold exactly what a
     * rebuild from the records makes, and find the last record as well as the first. */
    struct fx *f = *state;
    static const char *const sur[] = {"陈", "林", "黄", "欧阳", "司徒", "李"};
    static const char *const giv[] = {"嘉庚", "文", "美玲", "志强", "秀英", "國華", "乐"};
    struct search_batch *b = search_batch_new_async(entity_find("person"));
    search_batch_run_rows(b, 100);
    f->c.keys = b;
    f->c.bulk = 1;
    assert_int_equal(db_begin(f->d), DB_OK);
    int64_t last = 0;
    for (int i = 0; i < 5000; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%s", sur[i % 6], giv[(i / 6) % 7]);
        json_t *body =
            i % 3 ? json_pack("{s:s}", "name", name)
                  : json_pack("{s:s, s:[s, s]}", "name", name, "name_alt", "Tan Kah Kee", name);
        struct verr e;
        json_t *rec = ent_create(&f->c, entity_find("person"), body, &e);
        assert_non_null(rec);
        last = json_integer_value(json_object_get(rec, "id"));
        json_decref(rec);
        json_decref(body);
    }
    assert_int_equal(search_batch_write(f->d, b), DB_OK);
    assert_int_equal(db_commit(f->d), DB_OK);
    f->c.keys = NULL;
    f->c.bulk = 0;
    search_batch_free(b);
    json_t *res = NULL;
    json_t *it = find(f, "ouyang", &res);
    assert_true(json_array_size(it) > 0);
    int64_t lim = person(f, "{\"name\": \"林美玲\"}"); /* after the import, one by one */
    assert_true(lim > last);
    int64_t batched[3], rebuilt[3];
    index_print(f, batched);
    assert_true(batched[0] > 5000 * 6);
    assert_int_equal(
        db_execv(f->d, "UPDATE qiao_meta SET value = 'old' WHERE key = 'search_keys'", ""), DB_OK);
    assert_true(schema_upgrade(f->d) >= 1);
    index_print(f, rebuilt);
    assert_int_equal(batched[0], rebuilt[0]);
    assert_int_equal(batched[1], rebuilt[1]);
    assert_int_equal(batched[2], rebuilt[2]);
    assert_true(
        db_int(f->d, 0, "SELECT count(*) FROM search_person WHERE record_id = ?", "i", last) > 0);
    json_decref(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(traditional_and_simplified_fold_alike),
        cmocka_unit_test(pinyin_keys_and_initials),
        cmocka_unit_test(polyphonic_surname_reading_first),
        cmocka_unit_test(compound_surnames_and_u_umlaut),
        cmocka_unit_test(cantonese_as_hong_kong_spells),
        cmocka_unit_test(names_of_organisations),
        cmocka_unit_test(passport_names_by_token),
        cmocka_unit_test(odd_input_is_safe),
        cmocka_unit_test(surname_table_is_sound),
        cmocka_unit_test(reading_is_the_first_pinyin_key),
        cmocka_unit_test(dialect_spellings),
        cmocka_unit_test_setup_teardown(search_ranks_and_explains, setup, teardown),
        cmocka_unit_test_setup_teardown(other_countries_spellings, setup, teardown),
        cmocka_unit_test_setup_teardown(surname_matches_come_first, setup, teardown),
        cmocka_unit_test_setup_teardown(search_keeps_to_the_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(index_rebuilds_when_rules_change, setup, teardown),
        cmocka_unit_test_setup_teardown(batched_keys_equal_a_rebuild, setup, teardown),
    };
    return cmocka_run_group_tests_name("search", tests, NULL, NULL);
}
