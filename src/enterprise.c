/* enterprise.c - 侨企, enterprises funded by overseas Chinese, and their yearly figures
 * (SPEC "The four registries"). The credit code is checked per GB 32100 (codes.c). */
#include "codes.h"
#include "entity.h"

#include <ctype.h>
#include <string.h>

static const struct enumval kinds[] = {
    {"oc_funded", {"侨资企业", "僑資企業", "Overseas Chinese-funded (in China)"}},
    {"overseas", {"海外侨企", "海外僑企", "Overseas Chinese enterprise abroad"}},
    {NULL},
};

/* GB/T 4754-2017 sections (also the industry of a project, project.c). */
const struct enumval industries[] = {
    {"A", {"农、林、牧、渔业", "農、林、牧、漁業", "Agriculture, forestry, fishing"}},
    {"B", {"采矿业", "採礦業", "Mining"}},
    {"C", {"制造业", "製造業", "Manufacturing"}},
    {"D",
     {"电力、热力、燃气及水生产和供应业", "電力、熱力、燃氣及水生產和供應業",
      "Electricity, heat, gas and water"}},
    {"E", {"建筑业", "建築業", "Construction"}},
    {"F", {"批发和零售业", "批發和零售業", "Wholesale and retail"}},
    {"G", {"交通运输、仓储和邮政业", "交通運輸、倉儲和郵政業", "Transport, storage and post"}},
    {"H", {"住宿和餐饮业", "住宿和餐飲業", "Accommodation and catering"}},
    {"I",
     {"信息传输、软件和信息技术服务业", "資訊傳輸、軟體和資訊技術服務業",
      "Information and software"}},
    {"J", {"金融业", "金融業", "Finance"}},
    {"K", {"房地产业", "房地產業", "Real estate"}},
    {"L", {"租赁和商务服务业", "租賃和商務服務業", "Leasing and business services"}},
    {"M", {"科学研究和技术服务业", "科學研究和技術服務業", "Research and technical services"}},
    {"N",
     {"水利、环境和公共设施管理业", "水利、環境和公共設施管理業",
      "Water, environment and public facilities"}},
    {"O",
     {"居民服务、修理和其他服务业", "居民服務、修理和其他服務業", "Household and other services"}},
    {"P", {"教育", "教育", "Education"}},
    {"Q", {"卫生和社会工作", "衛生和社會工作", "Health and social work"}},
    {"R", {"文化、体育和娱乐业", "文化、體育和娛樂業", "Culture, sports and entertainment"}},
    {"S",
     {"公共管理、社会保障和社会组织", "公共管理、社會保障和社會組織",
      "Public administration and social organisations"}},
    {"T", {"国际组织", "國際組織", "International organisations"}},
    {NULL},
};

const struct enumval currencies[] = {
    {"CNY", {"人民币", "人民幣", "Renminbi"}},
    {"USD", {"美元", "美元", "US dollar"}},
    {"EUR", {"欧元", "歐元", "Euro"}},
    {"GBP", {"英镑", "英鎊", "Pound sterling"}},
    {"HKD", {"港元", "港元", "Hong Kong dollar"}},
    {"MOP", {"澳门元", "澳門元", "Pataca"}},
    {"TWD", {"新台币", "新台幣", "New Taiwan dollar"}},
    {"JPY", {"日元", "日圓", "Yen"}},
    {"SGD", {"新加坡元", "新加坡元", "Singapore dollar"}},
    {"MYR", {"马来西亚林吉特", "馬來西亞令吉", "Ringgit"}},
    {"IDR", {"印尼盾", "印尼盾", "Rupiah"}},
    {"THB", {"泰铢", "泰銖", "Baht"}},
    {"PHP", {"菲律宾比索", "菲律賓披索", "Philippine peso"}},
    {"AUD", {"澳大利亚元", "澳大利亞元", "Australian dollar"}},
    {"CAD", {"加拿大元", "加拿大元", "Canadian dollar"}},
    {"other", {"其他", "其他", "Other"}},
    {NULL},
};

/* The credit code, upper-cased, must carry the right GB 32100 check character. */
static int enterprise_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    (void)c;
    json_t *v = json_object_get(rec, "credit_code");
    if (!json_is_string(v) || (old && json_equal(v, json_object_get(old, "credit_code"))))
        return 0;
    char code[32];
    const char *s = json_string_value(v), *why;
    size_t n = strlen(s);
    if (n >= sizeof code)
        n = sizeof code - 1;
    for (size_t i = 0; i < n; i++)
        code[i] = (char)toupper((unsigned char)s[i]);
    code[n] = 0;
    if (!credit_code_valid(code, &why))
        return verr_set(e, 422, "invalid", "credit_code", "“统一社会信用代码”%s: “%s”", why, s);
    json_object_set_new(rec, "credit_code", json_string(code));
    return 0;
}

const struct entity enterprise_entity = {
    .name = "enterprise",
    .label = {"侨企", "僑企", "Enterprise"},
    .module = "registry",
    .title = "name",
    .flags = EF_OWNED | EF_SEARCHED | EF_NAME_WORDS | EF_HOLD,
    .check = enterprise_check,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG,
            {"name",
             FT_TEXT,
             {"企业名称", "企業名稱", "Name"},
             FF_REQUIRED | FF_SEARCH | FF_LIST,
             .max = 100},
            {"name_alt",
             FT_LIST,
             {"外文名称", "外文名稱", "Other names"},
             FF_SEARCH | FF_LIST,
             .max = 200},
            {"credit_code",
             FT_TEXT,
             {"统一社会信用代码", "統一社會信用代碼", "Unified social credit code"},
             FF_SEARCH | FF_LIST | FF_UNIQUE,
             .max = 18},
            {"kind", FT_ENUM, {"类别", "類別", "Kind"}, FF_REQUIRED | FF_LIST | FF_INDEX, kinds},
            {"country", FT_COUNTRY, {"所在国", "所在國", "Country"}, FF_LIST | FF_INDEX},
            {"region_code", FT_REGION, {"所在地区", "所在地區", "Region"}, 0},
            {"industry", FT_ENUM, {"行业", "行業", "Industry"}, FF_LIST, industries},
            {"founded_on", FT_DATE, {"成立日期", "成立日期", "Founded"}, 0},
            {"registered_capital",
             FT_MONEY,
             {"注册资本", "註冊資本", "Registered capital"},
             0,
             .min = 0,
             .max = 100000000000000000},
            {"currency", FT_ENUM, {"币种", "幣種", "Currency"}, 0, currencies},
            {"employees",
             FT_INT,
             {"员工人数", "員工人數", "Employees"},
             0,
             .min = 0,
             .max = 10000000},
            {"phone", FT_PHONE, {"电话", "電話", "Phone"}, 0},
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            FIELDS_TAIL,
        },
};

/* ---- yearly figures ------------------------------------------------------------------- */

/* One row per enterprise and year; it belongs to the enterprise's org. */
static int year_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    int64_t eid = json_integer_value(json_object_get(rec, "enterprise_id"));
    int64_t year = json_integer_value(json_object_get(rec, "year"));
    json_t *ent = ent_read(c, &enterprise_entity, eid, 1, e);
    if (!ent)
        return ent_ref_missing(e, "enterprise_id", msg_cur("企业"), &enterprise_entity, eid);
    json_object_set(rec, "org_id", json_object_get(ent, "org_id"));
    json_decref(ent);
    int64_t self = old ? json_integer_value(json_object_get(old, "id")) : 0;
    if (db_int(c->db, 0,
               "SELECT count(*) FROM \"enterprise_year\" WHERE enterprise_id = ? AND year = ? "
               "AND id <> ? AND deleted_at IS NULL",
               "iii", eid, year, self))
        return verr_set(e, 409, "conflict", "year", "该企业 %lld 年的数据已经登记过了",
                        (long long)year);
    return 0;
}

const struct entity enterprise_year_entity = {
    .name = "enterprise_year",
    .label = {"侨企年度数据", "僑企年度數據", "Enterprise yearly figures"},
    .module = "registry",
    .title = "year",
    .flags = EF_OWNED,
    .check = year_check,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG_OF_PARENT,
            {"enterprise_id",
             FT_REF,
             {"企业", "企業", "Enterprise"},
             FF_REQUIRED | FF_LIST,
             .ref = "enterprise"},
            {"year", FT_YEAR, {"年度", "年度", "Year"}, FF_REQUIRED | FF_LIST},
            {"output",
             FT_MONEY,
             {"产值 (元)", "產值 (元)", "Output (CNY)"},
             FF_LIST,
             .min = 0,
             .max = 100000000000000000},
            {"exports_usd",
             FT_MONEY,
             {"出口额 (美元)", "出口額 (美元)", "Exports (USD)"},
             FF_LIST,
             .min = 0,
             .max = 100000000000000000,
             .currency = "USD"},
            FIELDS_TAIL,
        },
};
