/* honor.c - 表彰: an honour awarded to an org or a person (SPEC "Events, projects,
 * submissions, honours"). The worked example of docs/ARCHITECTURE.md "How to add an
 * entity": this file plus one line in modules.c. */
#include "module.h"

static const struct enumval levels[] = {
    {"national", {"国家级", "國家級", "National"}},
    {"provincial", {"省级", "省級", "Provincial"}},
    {"city", {"市级", "市級", "City"}},
    {"county", {"县级", "縣級", "County"}},
    {NULL},
};

const struct entity honor_entity = {
    .name = "honor",
    .label = {"表彰", "表彰", "Honour"},
    .module = "honor",
    .title = "title",
    .flags = EF_OWNED,
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
            FIELD_PARTY("recipient", "获表彰者", "獲表彰者", "Recipient", PT_ORG | PT_PERSON,
                        FF_REQUIRED),
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
