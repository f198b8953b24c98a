/* honor.c - 表彰: an honour awarded to an org or a person (SPEC "Events, projects,
 * submissions, honours"). The worked example of docs/ARCHITECTURE.md "How to add an
 * entity": this file plus one line in modules.c. */
#include "module.h"

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
            {"level",
             FT_ENUM,
             {"级别", "級別", "Level"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             body_levels},
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

/* Honours awarded in the period to the subtree's orgs and people, by level. */
static int64_t honours(db *d, const struct period *p, const char *level)
{
    return db_int(d, -1,
                  "SELECT count(*) FROM \"honor\" t JOIN \"org\" o ON o.id = t.org_id WHERE "
                  "t.deleted_at IS NULL AND o.path >= ? AND o.path < ? AND t.awarded_on >= ? AND "
                  "t.awarded_on <= ? AND t.level = ?",
                  "sssss", p->path, p->bound, p->from, p->to, level);
}
static int64_t national(db *d, const struct period *p)
{
    return honours(d, p, "national");
}
static int64_t provincial(db *d, const struct period *p)
{
    return honours(d, p, "provincial");
}
static int64_t city(db *d, const struct period *p)
{
    return honours(d, p, "city");
}
static int64_t county(db *d, const struct period *p)
{
    return honours(d, p, "county");
}

const struct module honor_module = {
    .name = "honor",
    .label = {"表彰荣誉", "表彰榮譽", "Honours"},
    .entities = (const struct entity *const[]){&honor_entity, NULL},
    .grants = (const struct grant[]){{"admin", GALL},
                                     {"leader", GV | GX},
                                     {"staff", GV | GE | GD | GX},
                                     {"viewer", GV},
                                     {NULL}},
    .figures =
        (const struct figure[]){
            {"honours.national",
             {"获国家级表彰", "獲國家級表彰", "National honours"},
             "次",
             0,
             national},
            {"honours.provincial",
             {"获省级表彰", "獲省級表彰", "Provincial honours"},
             "次",
             0,
             provincial},
            {"honours.city", {"获市级表彰", "獲市級表彰", "City honours"}, "次", 0, city},
            {"honours.county", {"获县级表彰", "獲縣級表彰", "County honours"}, "次", 0, county},
            {NULL},
        },
};
