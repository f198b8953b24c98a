/* demo_funds.c - the invented funds ledger of `qiao demo` (issue 11): five years (2021-2025)
 * of the city's programmes (侨爱心工程, 光明行, 珍珠班, 微心愿, two 抗洪救灾 appeals, the
 * first closed) and a 侨爱心工程 in every county; donations from the demo's people,
 * associations and enterprises (overseas associations give in USD, MYR or SGD at the
 * day's rate; enterprises also in kind; a few anonymous; a few reversed), disbursements
 * paid out of what came in (those above the approval threshold recorded by the finance
 * officer and approved by the leader, a few still pending or rejected, two reversed),
 * 走访慰问 at the festivals whose cash is paid from the county's programme, and 微心愿 in
 * every state. The figures come out like a county report's (募集善款近千万元, 发放慰问资金
 * 40余万元). Everything goes through the entity layer (checks, numbers, audit), moves
 * through ent_transition backdated, as the user who would have made them; a fixed-seed
 * generator makes two runs alike. */
#include "entity.h"

#include <stdio.h>
#include <string.h>

#define THRESHOLD 500000 /* fen: the default approval threshold (funds.c) */

struct actor {
    int64_t id;
    const char *username;
};

struct fd {
    struct ent_ctx *c;
    struct verr *e;
    uint64_t seed;
    struct actor finance, leader, staff, county_staff[5];
};

static unsigned rnd(struct fd *f, unsigned n)
{
    f->seed = f->seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((f->seed >> 33) % n);
}

static void as(struct fd *f, const struct actor *a)
{
    f->c->user_id = a->id;
    f->c->username = a->username;
}

static struct actor actor(struct ent_ctx *c, const char *username)
{
    struct actor a = {db_int(c->db, 0, "SELECT id FROM \"user\" WHERE username = ?", "s", username),
                      username};
    return a;
}

/* Create a record of entity name from body (stolen): the record (new reference) or NULL. */
static json_t *mk(struct fd *f, const char *name, json_t *body)
{
    json_t *rec = ent_create(f->c, entity_find(name), body, f->e);
    json_decref(body);
    return rec;
}

static int64_t id_of(json_t *rec)
{
    int64_t id = rec ? json_integer_value(json_object_get(rec, "id")) : 0;
    json_decref(rec);
    return id;
}

/* Move record id (body stolen) backdated to day at 10:00 Beijing time. 0 or -1. */
static int mv(struct fd *f, const char *name, int64_t id, json_t *body, const char *day)
{
    char at[32];
    snprintf(at, sizeof at, "%.10sT02:00:00Z", day);
    json_t *rec = ent_transition(f->c, entity_find(name), id, body, at, f->e);
    json_decref(body);
    json_decref(rec);
    return rec ? 0 : -1;
}

/* Up to cap ids (and a text column `more`, when given, into texts) of sql over the org
 * subtree of path: sql has "?" twice for the path range. Their count. */
struct pool {
    int64_t id[700];
    char more[700][8];
    int n;
};

static int pool(struct fd *f, struct pool *p, const char *sql, const char *path)
{
    p->n = 0;
    stmt *s = db_prepare(f->c->db, sql);
    if (s) {
        st_bind_text(s, 1, path);
        st_bind_text(s, 2, path_bound(f->c->a, path));
    }
    while (s && p->n < 700 && st_step(s) == DB_ROW) {
        p->id[p->n] = st_int(s, "id");
        snprintf(p->more[p->n], sizeof p->more[0], "%s",
                 st_text(s, "more") ? st_text(s, "more") : "");
        p->n++;
    }
    st_finalize(s);
    return p->n;
}

#define PEOPLE_SQL(cond)                                                                           \
    "SELECT t.id, t.residence_country AS more FROM person t JOIN \"org\" o ON o.id = t.org_id "    \
    "WHERE t.deleted_at IS NULL AND o.path >= ? AND o.path < ?" cond " ORDER BY t.id"
#define PARTY_SQL(table, more)                                                                     \
    "SELECT t.id, " more " AS more FROM " table " t JOIN \"org\" o ON o.id = t.org_id "            \
    "WHERE t.deleted_at IS NULL AND o.path >= ? AND o.path < ? ORDER BY t.id"
#define ASSOCS_SQL PARTY_SQL("association", "t.country")
#define ENTS_SQL   PARTY_SQL("enterprise", "t.kind")

/* The day's rate of a currency in a year, as a decimal string with four places. */
static const char *rate_of(struct fd *f, const char *cur, int year, char out[16])
{
    static const struct {
        const char *cur;
        int base[5]; /* 2021..2025, in 1/10000 yuan */
    } rates[] = {
        {"USD", {64620, 67290, 70520, 71180, 71790}},
        {"MYR", {15570, 15310, 15430, 15540, 16280}},
        {"SGD", {48060, 48820, 52410, 53120, 53860}},
    };
    for (size_t i = 0; i < sizeof rates / sizeof *rates; i++)
        if (!strcmp(rates[i].cur, cur)) {
            int r = rates[i].base[(year - 2021) % 5] + (int)rnd(f, 300) - 150;
            snprintf(out, 16, "%d.%04d", r / 10000, r % 10000);
            return out;
        }
    return NULL;
}

/* The currency an association in country gives in (NULL: renminbi). */
static const char *currency_of(const char *country)
{
    if (!strcmp(country, "US"))
        return "USD";
    if (!strcmp(country, "MY"))
        return "MYR";
    if (!strcmp(country, "SG"))
        return "SGD";
    return NULL;
}

/* One programme's donations and disbursements as they happen over the years. */
struct prog {
    int64_t id, org;
    const char *path;
};

static const char *const goods[] = {
    "大米 200 袋、食用油 100 桶",    "矿泉水 500 箱、方便面 300 箱",
    "帐篷 50 顶、折叠床 100 张",     "冬衣棉被 300 套",
    "学习用品 400 套、图书 2000 册", "医用口罩 5 万只、消毒液 200 箱"};

/* A donation to p on day from a donor picked from the pools; what it adds is kept in p. */
static int64_t donate(struct fd *f, struct prog *p, const char *day, struct pool *people,
                      struct pool *assocs, struct pool *ents, int scale, int in_kind_ok)
{
    int year = 0;
    sscanf(day, "%d", &year);
    json_t *b = json_pack("{s:I, s:s, s:I}", "programme_id", (json_int_t)p->id, "received_on", day,
                          "org_id", (json_int_t)p->org);
    unsigned who = rnd(f, 10);
    int64_t yuan;
    char rate[16];
    if (who < 5 && people->n) { /* a person: 100 to 5,000 元 (at scale 10) */
        json_object_set_new(b, "donor_type", json_string("person"));
        json_object_set_new(b, "donor_id", json_integer(people->id[rnd(f, people->n)]));
        yuan = (int64_t)(1 + rnd(f, 50)) * 100 * scale / 10;
        if (rnd(f, 30) == 0)
            json_object_set_new(b, "anonymous", json_true());
    } else if (who < 7 &&
               assocs->n) { /* an association: 5,000 元 to 10 万元, abroad in its currency */
        int k = (int)rnd(f, assocs->n);
        json_object_set_new(b, "donor_type", json_string("association"));
        json_object_set_new(b, "donor_id", json_integer(assocs->id[k]));
        yuan = (int64_t)(1 + rnd(f, 20)) * 5000 * scale / 10;
        const char *cur = currency_of(assocs->more[k]);
        if (cur) {
            rate_of(f, cur, year, rate);
            int64_t r4 = 0;
            for (const char *q = rate; *q; q++)
                if (*q != '.')
                    r4 = r4 * 10 + (*q - '0');
            json_object_set_new(b, "currency", json_string(cur));
            json_object_set_new(b, "rate", json_string(rate));
            /* a round sum in that currency, about the same in 元 */
            int64_t units = yuan * 10000 / r4 / 100 * 100;
            json_object_set_new(b, "amount", json_integer((units ? units : 100) * 100));
        }
    } else if (who < 9 && ents->n) { /* an enterprise: 1 to 20 万元, or goods */
        json_object_set_new(b, "donor_type", json_string("enterprise"));
        json_object_set_new(b, "donor_id", json_integer(ents->id[rnd(f, ents->n)]));
        yuan = (int64_t)(1 + rnd(f, 20)) * 10000 * scale / 10;
        if (in_kind_ok && rnd(f, 3) == 0) {
            json_object_set_new(b, "form", json_string("in_kind"));
            json_object_set_new(b, "in_kind_description",
                                json_string(goods[rnd(f, sizeof goods / sizeof *goods)]));
        }
    } else { /* someone not in the registries */
        static const char *const names[] = {"陈先生", "林女士",   "黄氏宗亲",
                                            "某侨商", "海外侨胞", "侨联机关干部职工"};
        json_object_set_new(b, "donor_type", json_string("name"));
        json_object_set_new(b, "donor_name", json_string(names[rnd(f, 6)]));
        yuan = (int64_t)(1 + rnd(f, 30)) * 100 * scale / 10;
        if (rnd(f, 8) == 0)
            json_object_set_new(b, "anonymous", json_true());
    }
    if (yuan < 100)
        yuan = 100;
    if (!json_object_get(b, "amount"))
        json_object_set_new(b, "amount", json_integer(yuan * 100));
    json_t *rec = mk(f, "donation", b);
    if (!rec)
        return 0;
    return id_of(rec);
}

/* What programme pid can pay out on day so that its balance, entry by entry in the order
 * of the ledger's dates, never goes below zero: what came in before that day less all it
 * pays out or has pending, whenever (a gift after the day does not pay for it). */
static int64_t room(struct fd *f, int64_t pid, const char *day)
{
    return db_int(
        f->c->db, 0,
        "SELECT (SELECT coalesce(sum(amount_cny), 0) FROM donation WHERE programme_id = ? "
        "AND received_on < ? AND deleted_at IS NULL) - (SELECT coalesce(sum(amount), 0) "
        "FROM disbursement WHERE programme_id = ? AND status IN ('approved', 'pending') "
        "AND deleted_at IS NULL) AS room",
        "isi", pid, day, pid);
}

/* A disbursement from p; above the threshold the finance officer records it and the leader
 * approves it two days later, unless left pending or rejected. The record's id, or 0. */
enum { PAY, PAY_PENDING, PAY_REJECTED };
static int64_t pay(struct fd *f, struct prog *p, const struct actor *clerk, const char *day,
                   json_t *beneficiary, int64_t fen, const char *purpose, int helped, int how)
{
    if (how != PAY_REJECTED && room(f, p->id, day) < fen) {
        json_decref(beneficiary);
        return -1; /* not that much in the programme: skipped */
    }
    const struct actor *who = fen > THRESHOLD ? &f->finance : clerk;
    as(f, who);
    json_object_set_new(beneficiary, "programme_id", json_integer(p->id));
    json_object_set_new(beneficiary, "paid_on", json_string(day));
    json_object_set_new(beneficiary, "amount", json_integer(fen));
    json_object_set_new(beneficiary, "purpose", json_string(purpose));
    json_object_set_new(beneficiary, "people_helped", json_integer(helped));
    json_object_set_new(beneficiary, "org_id", json_integer(p->org));
    int64_t id = id_of(mk(f, "disbursement", beneficiary));
    if (!id)
        return 0;
    if (fen > THRESHOLD && how != PAY_PENDING) {
        char later[40];
        int y, m, d;
        sscanf(day, "%d-%d-%d", &y, &m, &d);
        snprintf(later, sizeof later, "%04d-%02d-%02d", y, m, d < 26 ? d + 2 : d);
        as(f, &f->leader);
        if (mv(f, "disbursement", id,
               how == PAY_REJECTED
                   ? json_pack("{s:s, s:s}", "to", "rejected", "note", "材料不全, 请补充受助名单")
                   : json_pack("{s:s, s:s}", "to", "approved", "note", "同意"),
               later))
            return 0;
    }
    return id;
}

static json_t *named(const char *name)
{
    return json_pack("{s:s, s:s}", "beneficiary_type", "name", "beneficiary_name", name);
}

static json_t *party(const char *type, int64_t id)
{
    return json_pack("{s:s, s:I}", "beneficiary_type", type, "beneficiary_id", (json_int_t)id);
}

static int64_t programme(struct fd *f, int64_t org, const char *name, const char *kind,
                         const char *from, const char *to, int64_t target_yuan, const char *notes)
{
    json_t *b = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s}", "org_id", (json_int_t)org, "name", name,
                          "kind", kind, "starts_on", from, "target",
                          (json_int_t)(target_yuan * 100), "notes", notes);
    if (to)
        json_object_set_new(b, "ends_on", json_string(to));
    return id_of(mk(f, "programme", b));
}

static int reverse(struct fd *f, const char *entity, int64_t id, const char *reason)
{
    json_t *b = json_pack("{s:s}", "reason", reason);
    json_t *rec = ent_reverse(f->c, entity_find(entity), id, b, f->e);
    json_decref(b);
    json_decref(rec);
    return rec ? 0 : -1;
}

static void day_of(char out[40], int year, int month, int day)
{
    snprintf(out, 40, "%04d-%02d-%02d", year, month, day);
}

int demo_funds(struct ent_ctx *c, const int64_t *counties, struct verr *e);

int demo_funds(struct ent_ctx *c, const int64_t *counties, struct verr *e)
{
    static struct fd f0;
    static struct pool people, assocs, ents, needy;
    struct fd *f = &f0;
    *f = (struct fd){.c = c, .e = e, .seed = 20211};
    int64_t uid = c->user_id;
    const char *uname = c->username;
    f->finance = actor(c, "finance");
    f->leader = actor(c, "leader");
    f->staff = actor(c, "staff");
    static const char *const county_users[] = {"jiangkou", "yunxi", "shimen", "meiling",
                                               "qingshan"};
    for (int k = 0; k < 5; k++)
        f->county_staff[k] = actor(c, county_users[k]);
    if (!f->finance.id || !f->leader.id || !f->staff.id)
        return 0; /* not the demo's users */
    int rc = -1;
    char day[40];

    /* ---- the city's programmes ---- */
    pool(f, &people, PEOPLE_SQL(" AND t.residence_country IS NOT NULL"), "/1/");
    pool(f, &assocs, ASSOCS_SQL, "/1/");
    pool(f, &ents, ENTS_SQL, "/1/");
    pool(f, &needy,
         PEOPLE_SQL(" AND t.flags IS NOT NULL AND (t.flags LIKE '%needy%' OR t.flags "
                    "LIKE '%elderly%')"),
         "/1/");
    as(f, &f->finance);
    struct prog love = {programme(f, 1, "侨爱心工程", "love", "2021-01-01", NULL, 3000000,
                                  "资助困难归侨侨眷、侨乡公益事业"),
                        1, "/1/"};
    struct prog sight = {programme(f, 1, "光明行", "sight", "2021-03-01", NULL, 1000000,
                                   "为困难群众免费实施白内障复明手术"),
                         1, "/1/"};
    struct prog pearl = {programme(f, 1, "珍珠班", "pearl", "2021-09-01", NULL, 1500000,
                                   "资助品学兼优的贫困高中生, 每生每年 3000 元"),
                         1, "/1/"};
    struct prog wish = {programme(f, 1, "微心愿", "wish", "2022-05-01", NULL, 100000,
                                  "点亮侨界困难群众和留守儿童的微心愿"),
                        1, "/1/"};
    struct prog flood22 = {programme(f, 1, "2022年抗洪救灾", "relief", "2022-06-20", "2022-12-31",
                                     2000000, "海外侨胞驰援侨乡抗洪救灾"),
                           1, "/1/"};
    struct prog flood24 = {programme(f, 1, "2024年抗洪救灾", "relief", "2024-07-02", NULL, 1000000,
                                     "海外侨胞驰援侨乡抗洪救灾"),
                           1, "/1/"};
    if (!love.id || !sight.id || !pearl.id || !wish.id || !flood22.id || !flood24.id)
        goto out;
    int64_t donation_ids[64];
    int nd = 0;
    for (int y = 2021; y <= 2025; y++)
        for (int i = 0; i < 36; i++) {
            as(f, i % 3 ? &f->finance : &f->staff);
            day_of(day, y, 1 + i % 12, 1 + (i * 7) % 28);
            struct prog *p = i % 6 == 5 ? &pearl : i % 6 == 4 ? &sight : &love;
            if (p == &pearl && y == 2021 && i % 12 < 8)
                p = &love; /* 珍珠班 began in September 2021 */
            int64_t id = donate(f, p, day, &people, &assocs, &ents, 10, p == &love);
            if (!id)
                goto out;
            if (i % 23 == 0 && nd < 64)
                donation_ids[nd++] = id;
            if (y >= 2022 && i % 4 == 0) { /* the micro-wish box: small gifts */
                day_of(day, y, y == 2022 ? 5 + i % 8 : 1 + i % 12, 2 + i % 27);
                if (!donate(f, &wish, day, &people, &assocs, &ents, 1, 0))
                    goto out;
            }
        }
    for (int i = 0; i < 90; i++) { /* the floods: many gifts within weeks */
        as(f, &f->finance);
        day_of(day, 2022, 6 + i / 40, 20 - (i / 40 == 0 ? 0 : 19) + i % 9);
        if (!donate(f, &flood22, day, &people, &assocs, &ents, 6, 1))
            goto out;
        if (i < 45) {
            day_of(day, 2024, 7, 3 + i % 25);
            if (!donate(f, &flood24, day, &people, &assocs, &ents, 4, 1))
                goto out;
        }
    }
    /* A few entries recorded wrong and reversed. */
    static const char *const why[] = {"金额录入错误, 冲销后重新登记", "同一笔捐赠重复登记",
                                      "捐赠人要求改捐其他项目"};
    as(f, &f->finance);
    for (int i = 0; i < nd && i < 5; i++)
        if (reverse(f, "donation", donation_ids[i * 2 % nd], why[i % 3]))
            goto out;

    /* Disbursements: 光明行 surgeries in batches, 珍珠班 grants each autumn, 侨爱心工程 aid,
     * 微心愿 gifts, flood relief to the townships. */
    for (int y = 2021; y <= 2025; y++) {
        day_of(day, y, 4, 12);
        int n = 15 + (int)rnd(f, 25);
        char what[120];
        snprintf(what, sizeof what, "%d年光明行白内障复明手术 %d 例", y, n);
        if (pay(f, &sight, &f->staff, day, named("清江市人民医院眼科"), (int64_t)n * 300000, what,
                n, PAY) == 0)
            goto out;
        if (y >= 2022) {
            day_of(day, y, 9, 10);
            snprintf(what, sizeof what, "%d级珍珠班助学金 50 人", y);
            if (pay(f, &pearl, &f->staff, day, named("清江市第一中学珍珠班"), 15000000, what, 50,
                    y == 2025 ? PAY_PENDING : PAY) == 0)
                goto out;
        }
        for (int i = 0; i < 12 && needy.n; i++) {
            day_of(day, y, 1 + i, 15);
            int64_t fen = (int64_t)(10 + rnd(f, 40)) * 10000; /* 1,000 to 4,900 元 */
            if (pay(f, &love, &f->staff, day, party("person", needy.id[rnd(f, needy.n)]), fen,
                    i % 3 ? "困难归侨侨眷生活救助" : "大病医疗救助", 1, PAY) == 0)
                goto out;
        }
        day_of(day, y, 6, 1);
        if (pay(f, &love, &f->staff, day, named("侨乡留守儿童关爱项目"), 800000 + y % 5 * 100000,
                "六一留守儿童关爱慰问", 120, y == 2025 ? PAY_REJECTED : PAY) == 0)
            goto out;
        if (y >= 2022)
            for (int i = 0; i < 10 && needy.n; i++) {
                day_of(day, y, 6 + i / 2, 1 + i * 2);
                if (pay(f, &wish, &f->staff, day, party("person", needy.id[rnd(f, needy.n)]),
                        (int64_t)(2 + rnd(f, 8)) * 10000, "微心愿礼品采购", 1, PAY) == 0)
                    goto out;
            }
    }
    /* The floods: each county's townships (their branches), then families. */
    {
        struct pool branches;
        pool(f, &branches,
             "SELECT t.id, t.kind AS more FROM \"org\" t WHERE t.kind = 'branch' AND t.deleted_at "
             "IS NULL AND t.path >= ? AND t.path < ? AND t.parent_id <> 1 ORDER BY t.id",
             "/1/");
        for (int i = 0; i < branches.n; i++) {
            day_of(day, 2022, 7, 5 + i);
            if (pay(f, &flood22, &f->staff, day, party("org", branches.id[i]),
                    (int64_t)(6 + rnd(f, 8)) * 100000 * 10 / 10 * 10, "受灾侨户安置和灾后重建",
                    20 + (int)rnd(f, 30), PAY) == 0)
                goto out;
            if (i < 6) {
                day_of(day, 2024, 7, 28);
                if (pay(f, &flood24, &f->staff, day, party("org", branches.id[i]),
                        (int64_t)(4 + rnd(f, 5)) * 100000 * 10, "受灾侨户临时安置",
                        10 + (int)rnd(f, 20), i >= 4 ? PAY_PENDING : PAY) == 0)
                    goto out;
            }
        }
    }
    /* Two payments made twice, reversed. */
    {
        int64_t twice = pay(f, &love, &f->staff, "2023-03-15", named("困难侨眷黄阿婆"), 200000,
                            "困难归侨侨眷生活救助", 1, PAY);
        if (twice <= 0)
            goto out;
        as(f, &f->finance);
        if (reverse(f, "disbursement", twice, "重复支付, 款项已退回"))
            goto out;
    }
    /* A school the love programme helped build, and the city's own visits to the sick and
     * the hard-up, paid from it. */
    if (pay(f, &love, &f->staff, "2023-08-28", named("白沙镇侨心小学"), 80000000,
            "侨心小学教学楼捐建款", 600, PAY) == 0)
        goto out;
    for (int y = 2021; y <= 2025; y++)
        for (int v = 0; v < 3 && needy.n >= 6; v++) {
            as(f, &f->staff);
            json_t *ids = json_array(); /* four of the needy, each once */
            for (int j = 0; j < 4; j++)
                json_array_append_new(
                    ids, json_sprintf("%lld", (long long)needy.id[(y * 2 + v + j * 7) % needy.n]));
            static const char *const occ[] = {"spring_festival", "illness", "hardship"};
            day_of(day, y, v == 0 ? 2 : v == 1 ? 7 : 12, 6 + y % 5);
            json_t *b =
                json_pack("{s:s, s:s, s:o, s:s, s:i, s:i, s:I, s:i, s:s}", "visited_on", day,
                          "occasion", occ[v], "person_ids", ids, "visitors", "市侨联主席、秘书长",
                          "packages", 4, "cash", 500000, "programme_id", (json_int_t)love.id,
                          "suggestions", 2, "suggestions_text", "希望帮助解决子女就业和就医问题");
            if (room(f, love.id, day) < 500000)
                json_object_del(b, "programme_id");
            if (!id_of(mk(f, "visit", b)))
                goto out;
        }
    /* The 2022 appeal is over. */
    as(f, &f->finance);
    {
        json_t *patch = json_pack("{s:s}", "status", "closed");
        json_t *r = ent_update(c, entity_find("programme"), flood22.id, patch, e);
        json_decref(patch);
        if (!r)
            goto out;
        json_decref(r);
    }

    /* ---- each county: its 侨爱心工程, its festival visits and its wishes ---- */
    static const char *const short_names[] = {"江口县", "云溪县", "石门区", "梅岭县", "青山市"};
    static const struct {
        const char *occ;
        int month, day;
        const char *visitors;
    } festivals[] = {
        {"spring_festival", 1, 20, "县侨联主席、副主席和机关干部"},
        {"mid_autumn", 9, 12, "县侨联副主席、乡镇侨联分会会长"},
        {"double_ninth", 10, 18, "县侨联主席和侨联青年委员会志愿者"},
    };
    static const char *const ideas[] = {"希望多组织老归侨座谈和体检", "反映侨房维修和子女就业问题",
                                        "建议开设侨史讲座, 希望常来走访", ""};
    static const char *const wishes[] = {
        "一台学习用的电脑", "一套冬季棉衣棉被", "一个新书包和文具", "一副助听器",
        "一辆轮椅",         "一套课外读物",     "一次全面体检",     "一台电饭煲",
        "一台取暖器",       "一部老年手机",     "一套英语词典",     "一双运动鞋",
        "一台护眼台灯",     "一件羽绒服",       "一套绘画用品",     "一把电子琴",
    };
    for (int k = 0; k < 5; k++) {
        char path[32], name[120];
        snprintf(path, sizeof path, "/1/%lld/", (long long)counties[k]);
        struct pool local, lassocs, lents, old;
        pool(f, &local, PEOPLE_SQL(""), path);
        pool(f, &lassocs, ASSOCS_SQL, path);
        pool(f, &lents, ENTS_SQL, path);
        pool(f, &old,
             PEOPLE_SQL(" AND (t.flags LIKE '%elderly%' OR t.flags LIKE '%needy%' OR "
                        "t.categories LIKE '%returnee%')"),
             path);
        if (local.n < 10 || old.n < 6)
            continue;
        const struct actor *clerk = &f->county_staff[k];
        if (!clerk->id)
            clerk = &f->staff;
        as(f, clerk);
        snprintf(name, sizeof name, "%s侨爱心工程", short_names[k]);
        struct prog p = {programme(f, counties[k], name, "love", "2021-01-01", NULL, 500000,
                                   "县侨联走访慰问困难归侨侨眷"),
                         counties[k], path};
        if (!p.id)
            goto out;
        for (int y = 2021; y <= 2025; y++)
            for (int i = 0; i < 14; i++) {
                day_of(day, y, 1 + (i * 5) % 12, 3 + (i * 11) % 25);
                if (!donate(f, &p, day, &local, &lassocs, &lents, 1, 0))
                    goto out;
            }
        for (int y = 2021; y <= 2025; y++)
            for (int v = 0; v < 3; v++) {
                as(f, clerk);
                int np = 3 + (int)rnd(f, 6), extra = (int)rnd(f, 4) * 5;
                json_t *ids = json_array();
                int at = (int)rnd(f, old.n);
                for (int j = 0; j < np; j++)
                    json_array_append_new(
                        ids, json_sprintf("%lld", (long long)old.id[(at + j) % old.n]));
                int64_t cash = (int64_t)(np + extra) * 60000;
                if (cash > THRESHOLD)
                    cash = THRESHOLD;
                const char *idea = ideas[rnd(f, 4)];
                day_of(day, y, festivals[v].month, festivals[v].day + k);
                json_t *b = json_pack(
                    "{s:s, s:s, s:o, s:i, s:s, s:i, s:I, s:I, s:i, s:I}", "visited_on", day,
                    "occasion", festivals[v].occ, "person_ids", ids, "people_count", np + extra,
                    "visitors", festivals[v].visitors, "packages", np + extra, "cash",
                    (json_int_t)cash, "programme_id", (json_int_t)p.id, "suggestions",
                    *idea ? 1 + (int)rnd(f, 4) : 0, "org_id", (json_int_t)counties[k]);
                if (*idea)
                    json_object_set_new(b, "suggestions_text", json_string(idea));
                if ((v == 2 && y % 2) || room(f, p.id, day) < cash) { /* the county's budget */
                    json_object_del(b, "programme_id");
                    json_object_set_new(b, "notes", json_string("慰问金由县财政列支"));
                }
                if (!id_of(mk(f, "visit", b)))
                    goto out;
            }
        for (int y = 2021; y <= 2025; y++) { /* the needy, between festivals */
            day_of(day, y, 3 + k, 8);
            if (pay(f, &p, clerk, day, party("person", old.id[rnd(f, old.n)]),
                    (int64_t)(5 + rnd(f, 20)) * 10000, "困难归侨侨眷临时救助", 1, PAY) == 0)
                goto out;
        }
        /* Micro-wishes: open, claimed (by a person, an association, an enterprise or a
         * name), fulfilled, cancelled. */
        for (int i = 0; i < 12; i++) {
            as(f, clerk);
            int y = 2022 + i % 4;
            int64_t who = local.id[rnd(f, local.n)];
            json_t *b = json_pack("{s:s, s:I, s:I, s:I}", "wish", wishes[(k * 5 + i) % 16],
                                  "beneficiary_id", (json_int_t)who, "estimated_cost",
                                  (json_int_t)((2 + rnd(f, 28)) * 10000), "org_id",
                                  (json_int_t)counties[k]);
            int64_t w = id_of(mk(f, "wish", b));
            if (!w)
                goto out;
            int state = i < 2 ? 0 : i < 4 ? 1 : i == 11 ? 3 : 2;
            if (y == 2025 && state == 2)
                state = 1;
            if (state == 0)
                continue;
            day_of(day, y, 5 + i % 6, 10);
            json_t *claim = json_pack("{s:s}", "to", state == 3 ? "cancelled" : "claimed");
            if (state != 3) {
                unsigned t = rnd(f, 4);
                if (t == 0 && lents.n) {
                    json_object_set_new(claim, "donor_type", json_string("enterprise"));
                    json_object_set_new(claim, "donor_id", json_integer(lents.id[rnd(f, lents.n)]));
                } else if (t == 1 && lassocs.n) {
                    json_object_set_new(claim, "donor_type", json_string("association"));
                    json_object_set_new(claim, "donor_id",
                                        json_integer(lassocs.id[rnd(f, lassocs.n)]));
                } else if (t == 2) {
                    json_object_set_new(claim, "donor_type", json_string("person"));
                    json_object_set_new(claim, "donor_id", json_integer(local.id[rnd(f, local.n)]));
                } else {
                    json_object_set_new(claim, "donor_type", json_string("name"));
                    json_object_set_new(claim, "donor_name", json_string("县侨联青年委员会"));
                }
            } else {
                json_object_set_new(claim, "note", json_string("心愿人已搬迁, 联系不上"));
            }
            if (mv(f, "wish", w, claim, day))
                goto out;
            if (state == 2) {
                day_of(day, y, 6 + i % 6, 1 + i);
                if (mv(f, "wish", w,
                       json_pack("{s:s, s:s}", "to", "fulfilled", "fulfilled_on", day), day))
                    goto out;
            }
        }
    }
    rc = 0;
    printf(
        "捐赠台账: %lld 个项目, %lld 笔捐赠 (%lld 元), %lld 笔支出 (%lld 笔待审批), %lld 次走访, "
        "%lld 个微心愿\n",
        (long long)db_int(c->db, 0, "SELECT count(*) FROM programme", ""),
        (long long)db_int(c->db, 0, "SELECT count(*) FROM donation", ""),
        (long long)db_int(c->db, 0, "SELECT coalesce(sum(amount_cny), 0) / 100 FROM donation", ""),
        (long long)db_int(c->db, 0, "SELECT count(*) FROM disbursement", ""),
        (long long)db_int(c->db, 0, "SELECT count(*) FROM disbursement WHERE status = 'pending'",
                          ""),
        (long long)db_int(c->db, 0, "SELECT count(*) FROM visit", ""),
        (long long)db_int(c->db, 0, "SELECT count(*) FROM wish", ""));
out:
    c->user_id = uid;
    c->username = uname;
    return rc;
}
