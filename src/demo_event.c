/* demo_event.c - the invented events, projects, submissions and honours of `qiao demo`
 * (issue 12): five years of a camp series (中国寻根之旅, five editions), a video conference
 * with community leaders from many countries, trainings and lectures in every county,
 * projects in every stage, submissions with adoptions, honours, the homes' star reviews.
 * Participants are drawn from the demo registry (people living abroad). Everything goes
 * through the entity layer (checks, audit), moves through ent_transition, backdated. */
#include "entity.h"

#include <stdio.h>
#include <string.h>

/* Create one record of entity name from the JSON body (stolen); its id, or 0 with e. */
static int64_t mk(struct ent_ctx *c, const char *name, json_t *body, struct verr *e)
{
    json_t *rec = ent_create(c, entity_find(name), body, e);
    json_decref(body);
    int64_t id = rec ? json_integer_value(json_object_get(rec, "id")) : 0;
    json_decref(rec);
    return id;
}

/* Move record id of entity name (body stolen), backdated to at. 0, or -1 with e. */
static int mv(struct ent_ctx *c, const char *name, int64_t id, json_t *body, const char *at,
              struct verr *e)
{
    json_t *rec = ent_transition(c, entity_find(name), id, body, at, e);
    json_decref(body);
    if (!rec)
        return -1;
    json_decref(rec);
    return 0;
}

/* Ids of the first n live rows of sql (one column "id"), into out; their count. */
static int ids(struct ent_ctx *c, const char *sql, int64_t *out, int n)
{
    int k = 0;
    stmt *s = db_prepare(c->db, sql);
    while (s && k < n && st_step(s) == DB_ROW)
        out[k++] = st_int(s, "id");
    st_finalize(s);
    return k;
}

/* Register people[from .. from+n) (mod np) for event ev with role; every seventh absent. */
static int attend(struct ent_ctx *c, int64_t ev, const int64_t *people, int np, int from, int n,
                  const char *role, struct verr *e)
{
    for (int i = 0; i < n && i < np; i++) {
        json_t *b =
            json_pack("{s:I, s:I, s:s, s:b}", "event_id", (json_int_t)ev, "person_id",
                      (json_int_t)people[(from + i) % np], "role", role, "attended", i % 7 != 6);
        if (!mk(c, "participant", b, e))
            return -1;
    }
    return 0;
}

int demo_events(struct ent_ctx *c, const int64_t *counties, struct verr *e);

int demo_events(struct ent_ctx *c, const int64_t *counties, struct verr *e)
{
    static int64_t abroad[400];
    int na = ids(c,
                 "SELECT id FROM person WHERE deleted_at IS NULL AND residence_country IS NOT NULL "
                 "AND residence_country <> 'CN' ORDER BY id",
                 abroad, 400);
    if (na < 10)
        return 0; /* no registry to draw from */

    /* 中国寻根之旅: five editions, one a summer, at the city federation. */
    static const char *const cities[] = {"清江", "广州", "北京", "西安", "重庆"};
    for (int ed = 1; ed <= 5; ed++) {
        char from[40], to[40];
        snprintf(from, sizeof from, "%d-07-%02d", 2019 + ed, 8 + ed);
        snprintf(to, sizeof to, "%d-07-%02d", 2019 + ed, 18 + ed);
        int64_t ev =
            mk(c, "event",
               json_pack("{s:i, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:[s,s], s:i, s:s}",
                         "org_id", 1, "name", "中国寻根之旅夏令营", "kind", "camp", "series",
                         "中国寻根之旅", "edition", ed, "starts_on", from, "ends_on", to, "country",
                         "CN", "city", cities[ed - 1], "mode", ed == 1 ? "online" : "offline",
                         "co_organisers", "市外办", "市教育局", "headcount", 20 + 6 * ed, "summary",
                         "海外华裔青少年寻根之旅: 中华文化课堂、侨乡参访、结营汇演。"),
               e);
        if (!ev || attend(c, ev, abroad, na, ed * 13, 12 + 3 * ed, "delegate", e))
            return -1;
    }

    /* The video conference with community leaders from many countries. */
    int64_t vc =
        mk(c, "event",
           json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:[s], s:i, s:s}", "org_id", 1, "name",
                     "海外侨领云端座谈会", "kind", "video_conference", "starts_on", "2023-09-26",
                     "ends_on", "2023-09-26", "mode", "online", "co_organisers", "市委统战部",
                     "online_viewers", 12600, "summary", "海外侨领代表连线发言, 共话家乡发展。"),
           e);
    if (!vc || attend(c, vc, abroad, na, 0, na < 120 ? na : 120, "leader", e))
        return -1;

    /* Trainings and lectures in every county, each year (headcount only). */
    static const char *const trainings[] = {"侨务干部业务培训班", "新侨创新创业培训班",
                                            "侨法宣传进社区宣讲", "侨界青年骨干研修班"};
    for (int k = 0; k < 5; k++)
        for (int y = 2020; y <= 2024; y++) {
            int t = (k + y) % 4;
            char on[40];
            snprintf(on, sizeof on, "%d-%02d-%02d", y, 3 + (k + y) % 8, 5 + k * 3);
            if (!mk(c, "event",
                    json_pack("{s:s, s:s, s:s, s:s, s:I, s:i}", "name", trainings[t], "kind",
                              t == 2 ? "lecture" : "training", "starts_on", on, "mode",
                              y == 2020 ? "hybrid" : "offline", "org_id", (json_int_t)counties[k],
                              "headcount", 30 + 7 * ((k * 5 + y) % 9)),
                    e))
                return -1;
        }

    /* A forum where projects were signed. */
    int64_t forum =
        mk(c, "event",
           json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "org_id", 1, "name",
                     "侨商投资推介大会", "kind", "forum", "starts_on", "2024-04-18", "ends_on",
                     "2024-04-19", "city", "清江", "venue", "清江国际会展中心", "headcount", 260),
           e);
    if (!forum || attend(c, forum, abroad, na, 40, 30, "guest", e))
        return -1;

    /* Projects in every stage, partners from the registry. */
    int64_t ents[8], assocs[8];
    int ne = ids(c, "SELECT id FROM enterprise WHERE deleted_at IS NULL ORDER BY id", ents, 8);
    int nas = ids(c, "SELECT id FROM association WHERE deleted_at IS NULL ORDER BY id", assocs, 8);
    static const struct {
        const char *name, *kind, *industry, *stage;
        long long yuan;
    } projects[] = {
        {"侨资智能制造产业园", "investment", "C", "operating", 1200000000LL},
        {"海外侨胞捐建侨心小学", "donated_construction", "P", "landed", 3000000LL},
        {"东南亚农产品进出口合作", "trade", "F", "signed", 86000000LL},
        {"侨界高层次人才工作站", "talent", "M", "signed", 5000000LL},
        {"新能源电池研发合作", "research", "M", "negotiating", 300000000LL},
        {"跨境电商物流中心", "investment", "G", "negotiating", 450000000LL},
        {"侨乡文旅综合体", "investment", "R", "terminated", 200000000LL},
        {"华文教育师资培训合作", "education", "P", "landed", 1800000LL},
    };
    for (size_t i = 0; i < sizeof projects / sizeof *projects; i++) {
        json_t *b =
            json_pack("{s:i, s:s, s:s, s:s, s:I, s:I}", "org_id", 1, "name", projects[i].name,
                      "kind", projects[i].kind, "industry", projects[i].industry, "amount",
                      (json_int_t)(projects[i].yuan * 100), "event_id", (json_int_t)forum);
        if (i % 2 && ne) {
            json_object_set_new(b, "partner_type", json_string("enterprise"));
            json_object_set_new(b, "partner_id", json_integer(ents[i % ne]));
        } else if (nas) {
            json_object_set_new(b, "partner_type", json_string("association"));
            json_object_set_new(b, "partner_id", json_integer(assocs[i % nas]));
        }
        if (i == 2) {
            json_object_set_new(b, "currency", json_string("SGD"));
            json_object_set_new(b, "amount_original", json_integer(1600000000));
        }
        int64_t p = mk(c, "project", b, e);
        if (!p)
            return -1;
        const char *st = projects[i].stage;
        if (!strcmp(st, "terminated")) {
            if (mv(c, "project", p,
                   json_pack("{s:s, s:s}", "to", "terminated", "note", "投资方调整计划"),
                   "2024-08-01T02:00:00Z", e))
                return -1;
            continue;
        }
        if (!strcmp(st, "negotiating"))
            continue;
        if (mv(c, "project", p, json_pack("{s:s, s:s}", "to", "signed", "signed_on", "2024-04-19"),
               "2024-04-19T06:00:00Z", e))
            return -1;
        if ((!strcmp(st, "landed") || !strcmp(st, "operating")) &&
            mv(c, "project", p, json_pack("{s:s}", "to", "landed"), "2024-07-01T02:00:00Z", e))
            return -1;
        if (!strcmp(st, "operating") &&
            mv(c, "project", p, json_pack("{s:s}", "to", "operating"), "2025-03-01T02:00:00Z", e))
            return -1;
    }

    /* Submissions: information and research reports, some adopted. */
    static const char *const titles[] = {
        "关于加强新侨人才服务的建议", "海外侨团发展现状调研报告",   "侨房腾退遗留问题的情况反映",
        "关于归侨侨眷养老服务的调研", "侨资企业融资难问题的建议",   "华文教育基地建设情况",
        "涉侨纠纷多元化解机制调研",   "关于侨乡文化遗产保护的提案", "侨界青年创新创业情况",
        "海外侨胞回乡投资意向摸底",   "侨捐项目管理情况报告",       "社区侨务工作经验做法",
    };
    static const char *const kinds[] = {"proposal", "research", "opinion",  "research",
                                        "proposal", "info",     "research", "proposal",
                                        "info",     "info",     "info",     "info"};
    for (int i = 0; i < 12; i++) {
        char on[40], ad[40];
        snprintf(on, sizeof on, "%d-%02d-%02d", 2020 + i % 5, 2 + i % 9, 6 + i);
        snprintf(ad, sizeof ad, "%d-%02d-%02d", 2020 + i % 5, 3 + i % 9, 10 + i);
        int64_t s = mk(c, "submission",
                       json_pack("{s:s, s:s, s:[s,s], s:s, s:s, s:I}", "title", titles[i], "kind",
                                 kinds[i], "authors", "市侨联办公室", "调研组", "submitted_on", on,
                                 "submitted_to", i % 2 ? "市委办公厅" : "省侨联", "org_id",
                                 (json_int_t)(i % 3 ? counties[i % 5] : 1)),
                       e);
        if (!s)
            return -1;
        char at[64];
        snprintf(at, sizeof at, "%sT02:00:00Z", ad);
        int r = 0;
        if (i % 4 == 0)
            r = mv(c, "submission", s,
                   json_pack("{s:s, s:s, s:s, s:s}", "to", "adopted", "adopted_level", "provincial",
                             "adopted_by", "省侨联", "adopted_on", ad),
                   at, e);
        else if (i % 4 == 1)
            r = mv(c, "submission", s,
                   json_pack("{s:s, s:s, s:s, s:s}", "to", "instructed", "adopted_level", "city",
                             "adopted_by", "市委领导", "adopted_on", ad),
                   at, e);
        else if (i % 4 == 2)
            r = mv(c, "submission", s, json_pack("{s:s}", "to", "rejected"), at, e);
        if (r)
            return -1;
    }

    /* Honours: the city federation and a county, and two people. */
    int64_t hon_people[2];
    int nh = ids(c, "SELECT id FROM person WHERE deleted_at IS NULL ORDER BY id", hon_people, 2);
    json_t *honours[] = {
        json_pack("{s:i, s:s, s:s, s:s, s:I, s:s, s:s}", "org_id", 1, "title",
                  "全国侨联系统先进组织", "level", "national", "recipient_type", "org",
                  "recipient_id", (json_int_t)1, "awarded_by", "中国侨联", "awarded_on",
                  "2023-08-30"),
        json_pack("{s:i, s:s, s:s, s:s, s:I, s:s, s:s}", "org_id", 1, "title",
                  "全省侨联系统先进集体", "level", "provincial", "recipient_type", "org",
                  "recipient_id", (json_int_t)counties[0], "awarded_by", "省侨联", "awarded_on",
                  "2022-12-16"),
        nh > 0 ? json_pack("{s:i, s:s, s:s, s:s, s:I, s:s, s:s}", "org_id", 1, "title",
                           "全国归侨侨眷先进个人", "level", "national", "recipient_type", "person",
                           "recipient_id", (json_int_t)hon_people[0], "awarded_by", "中国侨联",
                           "awarded_on", "2024-06-01")
               : NULL,
        nh > 1 ? json_pack("{s:i, s:s, s:s, s:s, s:I, s:s, s:s}", "org_id", 1, "title",
                           "市级优秀侨务工作者", "level", "city", "recipient_type", "person",
                           "recipient_id", (json_int_t)hon_people[1], "awarded_by",
                           "清江市人民政府", "awarded_on", "2021-11-05")
               : NULL,
    };
    for (size_t i = 0; i < sizeof honours / sizeof *honours; i++)
        if (honours[i] && !mk(c, "honor", honours[i], e)) {
            for (size_t j = i + 1; j < sizeof honours / sizeof *honours; j++)
                json_decref(honours[j]);
            return -1;
        }

    /* The homes' star reviews: two in three moved up a star at the end of 2022, every
     * other one again (or down from five) in mid-2024, so the history has something to
     * show and "4-star homes at the end of 2023" differs from today's. */
    static int64_t homes[64];
    int nhome =
        ids(c, "SELECT id FROM \"org\" WHERE kind = 'home' AND deleted_at IS NULL ORDER BY id",
            homes, 64);
    for (int i = 0; i < nhome; i++) {
        int star = (int)db_int(c->db, 3, "SELECT star FROM \"org\" WHERE id = ?", "i", homes[i]);
        static const char *const when[] = {"2022-12-16", "2024-06-20"};
        for (int r = 0; r < 2; r++) {
            if (r == 0 ? i % 3 == 2 : i % 2)
                continue;
            star = star < 5 ? star + 1 : 4;
            json_t *b = json_pack("{s:i, s:s}", "star", star, "rated_on", when[r]);
            json_t *rec = ent_update(c, entity_find("org"), homes[i], b, e);
            json_decref(b);
            if (!rec)
                return -1;
            json_decref(rec);
        }
    }
    return 0;
}
