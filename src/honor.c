/* honor.c - 表彰: an honour awarded to an org or a person (SPEC "Events, projects,
 * submissions, honours"). The worked example of docs/ARCHITECTURE.md "How to add an
 * entity": this file plus one line in modules.c. */
#include "module.h"
#include "registry.h"

static const struct enumval recipient_types[] = {
    {"org", {"组织", "組織", "Organisation"}},
    {"person", {"侨界人士", "僑界人士", "Person"}},
    {NULL},
};

static const struct enumval levels[] = {
    {"national", {"国家级", "國家級", "National"}},
    {"provincial", {"省级", "省級", "Provincial"}},
    {"city", {"市级", "市級", "City"}},
    {"county", {"县级", "縣級", "County"}},
    {NULL},
};

/* The recipient exists and is in the writer's scope; recipient_name is its title. */
static int honor_derive(struct ent_ctx *c, json_t *rec, struct verr *e)
{
    const char *type = json_string_value(json_object_get(rec, "recipient_type"));
    int64_t id = json_integer_value(json_object_get(rec, "recipient_id"));
    const struct entity *re = party_entity(type, PT_ORG | PT_PERSON, NULL);
    const char *title = re ? party_title(c, re, id) : NULL;
    if (!title)
        return verr_set(e, 422, "invalid", "recipient_id",
                        "“获表彰者”指向的%s(编号 %lld)不存在或无权使用",
                        re ? re->label.hans : "记录", (long long)id);
    json_object_set_new(rec, "recipient_name", json_string(title));
    return 0;
}

static int honor_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    (void)old;
    return honor_derive(c, rec, e);
}

const struct entity honor_entity = {
    .name = "honor",
    .label = {"表彰", "表彰", "Honour"},
    .module = "honor",
    .title = "title",
    .flags = EF_OWNED,
    .check = honor_check,
    .derive = honor_derive,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG,
            {"title",
             FT_TEXT,
             {"荣誉名称", "榮譽名稱", "Title"},
             FF_REQUIRED | FF_LIST | FF_SEARCH,
             .max = 200},
            {"level", FT_ENUM, {"级别", "級別", "Level"}, FF_REQUIRED | FF_LIST | FF_INDEX, levels},
            {"recipient_type",
             FT_ENUM,
             {"获表彰者类型", "獲表彰者類型", "Recipient (type)"},
             FF_REQUIRED,
             recipient_types},
            {"recipient_id",
             FT_INT,
             {"获表彰者编号", "獲表彰者編號", "Recipient (id)"},
             FF_REQUIRED | FF_INDEX,
             .min = 1,
             .max = INT64_MAX},
            {"recipient_name",
             FT_TEXT,
             {"获表彰者", "獲表彰者", "Recipient"},
             FF_READONLY | FF_LIST | FF_SEARCH,
             .max = 200},
            {"awarded_by", FT_TEXT, {"授予单位", "授予單位", "Awarded by"}, FF_LIST, .max = 100},
            {"awarded_on",
             FT_DATE,
             {"授予日期", "授予日期", "Awarded on"},
             FF_REQUIRED | FF_LIST | FF_INDEX},
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            FIELDS_TAIL,
        },
};

const struct module honor_module = {
    .name = "honor",
    .label = {"表彰荣誉", "表彰榮譽", "Honours"},
    .entities = (const struct entity *const[]){&honor_entity, NULL},
    .grants = (const struct grant[]){{"admin", GALL},
                                     {"leader", GV | GX},
                                     {"staff", GV | GE | GD | GX},
                                     {"viewer", GV},
                                     {NULL}},
};
