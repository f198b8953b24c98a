/* talent.c - 人才库: the talent profile of a person (SPEC "The four registries").
 *
 * A profile is its own entity, one per person (person_id is unique), rather than more
 * columns on person: only a few people have one, the talent library is a list in its own
 * right (filtered by field and rank), and the person form stays short. The profile
 * belongs to the person's org; creating one sets the person's "talent" flag (an audited
 * change of the person in the same transaction). */
#include "entity.h"

#include <string.h>

static const struct enumval ranks[] = {
    {"academician", {"两院院士", "兩院院士", "Academician"}},
    {"national", {"国家级人才", "國家級人才", "National-level talent"}},
    {"provincial", {"省级人才", "省級人才", "Provincial-level talent"}},
    {"city", {"市级人才", "市級人才", "City-level talent"}},
    {"senior", {"高级职称", "高級職稱", "Senior professional title"}},
    {"other", {"其他", "其他", "Other"}},
    {NULL},
};

static const struct enumval willingness[] = {
    {"investment", {"投资兴业", "投資興業", "Investment"}},
    {"technology", {"技术合作", "技術合作", "Technology cooperation"}},
    {"consulting", {"咨询顾问", "諮詢顧問", "Consulting"}},
    {"lecture", {"讲学培训", "講學培訓", "Lectures and training"}},
    {"recruitment", {"引才引智", "引才引智", "Bringing in talent"}},
    {"donation", {"公益捐赠", "公益捐贈", "Charitable giving"}},
    {NULL},
};

extern const struct entity person_entity;

/* The profile belongs to its person's org (the person was read within the scope by the
 * reference check before this hook). */
static int talent_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    (void)old;
    int64_t pid = json_integer_value(json_object_get(rec, "person_id"));
    json_t *p = ent_read(c, &person_entity, pid, 1, e);
    if (!p)
        return ent_ref_missing(e, "person_id", "人员", &person_entity, pid);
    json_object_set(rec, "org_id", json_object_get(p, "org_id"));
    json_decref(p);
    return 0;
}

/* Give the person the "talent" flag when the profile is made or moved to them. */
static int talent_after_write(struct ent_ctx *c, int64_t id, json_t *rec, const json_t *old,
                              struct verr *e)
{
    (void)id;
    json_t *pid = json_object_get(rec, "person_id");
    if (old && json_equal(pid, json_object_get(old, "person_id")))
        return 0;
    json_t *p = ent_read(c, &person_entity, json_integer_value(pid), 1, e);
    if (!p)
        return -1;
    json_t *flags = json_object_get(p, "flags");
    size_t i;
    json_t *v;
    json_array_foreach(flags, i, v) if (!strcmp(json_string_value(v), "talent"))
    {
        json_decref(p);
        return 0;
    }
    json_t *nf = json_deep_copy(flags);
    json_array_append_new(nf, json_string("talent"));
    json_t *patch = json_pack("{s:o}", "flags", nf);
    json_t *res = ent_update(c, &person_entity, json_integer_value(pid), patch, e);
    json_decref(patch);
    json_decref(p);
    if (!res)
        return -1;
    json_decref(res);
    return 0;
}

const struct entity talent_entity = {
    .name = "talent",
    .label = {"人才档案", "人才檔案", "Talent profile"},
    .module = "registry",
    .title = "field",
    .flags = EF_OWNED,
    .check = talent_check,
    .after_write = talent_after_write,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG_OF_PARENT,
            {"person_id",
             FT_REF,
             {"人员", "人員", "Person"},
             FF_REQUIRED | FF_UNIQUE | FF_LIST,
             .ref = "person"},
            {"field",
             FT_TEXT,
             {"专业领域", "專業領域", "Field"},
             FF_REQUIRED | FF_SEARCH | FF_LIST,
             .max = 100},
            {"rank", FT_ENUM, {"人才层次", "人才層次", "Rank"}, FF_LIST | FF_INDEX, ranks},
            {"honours", FT_LIST, {"荣誉", "榮譽", "Honours"}, FF_SEARCH, .max = 200},
            {"affiliations",
             FT_LIST,
             {"任职机构", "任職機構", "Affiliations"},
             FF_SEARCH,
             .max = 200},
            {"willingness",
             FT_SET,
             {"合作意向", "合作意向", "Willing to cooperate in"},
             FF_LIST,
             willingness},
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            FIELDS_TAIL,
        },
};
