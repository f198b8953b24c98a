/* person.c - 侨界人士, the people of the registry (SPEC "The four registries").
 * Fields marked sensitive are personal information: masked unless the role may
 * view_sensitive and asks to (audited). A resident ID number must carry its GB 11643
 * check character and agree with birth_date (which it fills when empty). */
#include "codes.h"
#include "entity.h"

#include <ctype.h>
#include <string.h>

static const struct enumval genders[] = {
    {"male", {"男", "男", "Male"}},
    {"female", {"女", "女", "Female"}},
    {NULL},
};

static const struct enumval categories[] = {
    {"returnee", {"归侨", "歸僑", "Returned overseas Chinese"}},
    {"relative", {"侨眷", "僑眷", "Relative of overseas Chinese"}},
    {"overseas_chinese", {"华侨", "華僑", "Overseas Chinese"}},
    {"foreign_chinese", {"外籍华人", "外籍華人", "Foreign national of Chinese descent"}},
    {"hk_macao", {"港澳同胞", "港澳同胞", "Hong Kong or Macao compatriot"}},
    {"taiwan", {"台胞", "台胞", "Taiwan compatriot"}},
    {"student_abroad", {"留学人员", "留學人員", "Student abroad"}},
    {"returned_student", {"归国留学人员", "歸國留學人員", "Returned student"}},
    {"new_migrant", {"新侨", "新僑", "New migrant"}},
    {NULL},
};

static const struct enumval id_types[] = {
    {"resident_id", {"居民身份证", "居民身份證", "Resident ID card"}},
    {"passport", {"中国护照", "中國護照", "Chinese passport"}},
    {"hk_macao_permit", {"港澳居民来往内地通行证", "港澳居民來往內地通行證", "HK/Macao permit"}},
    {"taiwan_permit", {"台湾居民来往大陆通行证", "台灣居民來往大陸通行證", "Taiwan permit"}},
    {"foreign_passport", {"外国护照", "外國護照", "Foreign passport"}},
    {"other", {"其他", "其他", "Other"}},
    {NULL},
};

static const struct enumval dialects[] = {
    {"cantonese", {"粤语", "粵語", "Cantonese"}},
    {"hokkien", {"闽南语", "閩南語", "Hokkien"}},
    {"teochew", {"潮汕话", "潮汕話", "Teochew"}},
    {"hakka", {"客家话", "客家話", "Hakka"}},
    {"hainanese", {"海南话", "海南話", "Hainanese"}},
    {"fuzhou", {"福州话", "福州話", "Fuzhou"}},
    {"wenzhou", {"温州话", "溫州話", "Wenzhou"}},
    {"other", {"其他", "其他", "Other"}},
    {NULL},
};

static const struct enumval flags[] = {
    {"representative", {"代表人士", "代表人士", "Representative"}},
    {"talent", {"高层次人才", "高層次人才", "High-level talent"}},
    {"leader", {"侨领", "僑領", "Community leader"}},
    {"needy", {"困难", "困難", "In need"}},
    {"elderly", {"老归侨", "老歸僑", "Elderly returnee"}},
    {NULL},
};

static const struct enumval sources[] = {
    {"census", {"侨情普查", "僑情普查", "Census"}},
    {"self", {"本人登记", "本人登記", "Self"}},
    {"referral", {"他人推荐", "他人推薦", "Referral"}},
    {"import", {"批量导入", "批量導入", "Import"}},
    {NULL},
};

static int same(const json_t *rec, const json_t *old, const char *key)
{
    return json_equal(json_object_get(rec, key), json_object_get(old, key));
}

/* A resident ID number (id_type resident_id): 18 characters, a lower-case x made upper
 * case, the right check character, and its birth date the person's birth_date. Records
 * whose number, type and birth date did not change are not checked again. */
static int person_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    (void)c;
    const char *type = json_string_value(json_object_get(rec, "id_type"));
    const char *num = json_string_value(json_object_get(rec, "id_number"));
    if (!type || !num || strcmp(type, "resident_id"))
        return 0;
    if (old && same(rec, old, "id_type") && same(rec, old, "id_number") &&
        same(rec, old, "birth_date"))
        return 0;
    char id[20], birth[11];
    const char *why;
    size_t n = strlen(num);
    if (n >= sizeof id)
        return verr_set(e, 422, "invalid", "id_number",
                        "“证件号码”不是有效的居民身份证号码: 应为 18 位");
    for (size_t i = 0; i <= n; i++)
        id[i] = (char)toupper((unsigned char)num[i]);
    if (!resident_id_valid(id, birth, &why))
        return verr_set(e, 422, "invalid", "id_number", "“证件号码”不是有效的居民身份证号码: %s",
                        why);
    const char *bd = json_string_value(json_object_get(rec, "birth_date"));
    if (bd && strcmp(bd, birth))
        return verr_set(e, 422, "invalid", "birth_date",
                        "“出生日期”%s 与身份证号码中的出生日期 %s 不一致", bd, birth);
    if (!bd)
        json_object_set_new(rec, "birth_date", json_string(birth));
    json_object_set_new(rec, "id_number", json_string(id));
    return 0;
}

const struct entity person_entity = {
    .name = "person",
    .label = {"侨界人士", "僑界人士", "Person"},
    .module = "registry",
    .title = "name",
    .flags = EF_OWNED | EF_SEARCHED | EF_HOLD,
    .check = person_check,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG,
            {"name",
             FT_TEXT,
             {"姓名", "姓名", "Name"},
             FF_REQUIRED | FF_SEARCH | FF_LIST,
             .max = 50},
            {"name_alt",
             FT_LIST,
             {"外文名/护照名", "外文名/護照名", "Other names"},
             FF_SEARCH | FF_LIST,
             .max = 100},
            {"former_names", FT_LIST, {"曾用名", "曾用名", "Former names"}, FF_SEARCH, .max = 50},
            {"gender", FT_ENUM, {"性别", "性別", "Gender"}, FF_LIST, genders},
            {"birth_date", FT_DATE, {"出生日期", "出生日期", "Date of birth"}, 0},
            {"nationality", FT_COUNTRY, {"国籍", "國籍", "Nationality"}, 0},
            {"categories", FT_SET, {"身份类别", "身份類別", "Categories"}, FF_LIST, categories},
            {"id_type", FT_ENUM, {"证件类型", "證件類型", "ID type"}, 0, id_types},
            {"id_number", FT_TEXT, {"证件号码", "證件號碼", "ID number"}, FF_SENSITIVE, .max = 40},
            {"phone", FT_PHONE, {"电话", "電話", "Phone"}, FF_SENSITIVE},
            {"email", FT_EMAIL, {"电子邮箱", "電子郵箱", "Email"}, 0},
            {"wechat", FT_TEXT, {"微信号", "微信號", "WeChat"}, 0, .max = 50},
            {"residence_country",
             FT_COUNTRY,
             {"居住国", "居住國", "Country of residence"},
             FF_LIST | FF_INDEX},
            {"residence_city",
             FT_TEXT,
             {"居住城市", "居住城市", "City of residence"},
             0,
             .max = 50},
            {"address_abroad", FT_TEXT, {"海外地址", "海外地址", "Address abroad"}, FF_SENSITIVE},
            {"address_domestic",
             FT_TEXT,
             {"国内地址", "國內地址", "Address in China"},
             FF_SENSITIVE},
            {"ancestral_region_code", FT_REGION, {"祖籍地", "祖籍地", "Ancestral region"}, 0},
            {"ancestral_place", FT_TEXT, {"祖籍(村)", "祖籍(村)", "Ancestral village"}, 0},
            {"dialects", FT_SET, {"方言", "方言", "Dialects"}, 0, dialects},
            {"occupation", FT_TEXT, {"职业", "職業", "Occupation"}, 0, .max = 50},
            {"employer", FT_TEXT, {"工作单位", "工作單位", "Employer"}, FF_SEARCH, .max = 100},
            {"title", FT_TEXT, {"职务/职称", "職務/職稱", "Title"}, 0, .max = 100},
            {"education", FT_TEXT, {"学历", "學歷", "Education"}, 0, .max = 50},
            {"expertise", FT_TEXTAREA, {"专长", "專長", "Expertise"}, 0, .max = 1000},
            {"flags", FT_SET, {"标记", "標記", "Flags"}, FF_LIST, flags},
            {"departure_year", FT_YEAR, {"出国年份", "出國年份", "Year of departure"}, 0},
            {"settled_abroad_on",
             FT_DATE,
             {"定居国外日期", "定居國外日期", "Settled abroad on"},
             0},
            {"returned_on", FT_DATE, {"回国日期", "回國日期", "Returned on"}, 0},
            {"consent_on", FT_DATE, {"同意登记日期", "同意登記日期", "Consent given on"}, 0},
            {"consent_scope", FT_TEXT, {"同意范围", "同意範圍", "Consent scope"}, 0},
            {"source", FT_ENUM, {"来源", "來源", "Source"}, 0, sources},
            {"liaison_user_id", FT_REF, {"联络人", "聯絡人", "Liaison officer"}, 0, .ref = "user"},
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            FIELDS_TAIL,
        },
};
