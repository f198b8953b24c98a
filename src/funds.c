/* funds.c - the funds ledger (SPEC "Funds": 捐赠台账 and aid): programmes, donations,
 * disbursements, visits, micro-wishes, and the approval threshold.
 *
 * Ledger:   donation and disbursement are append-only (EF_APPEND): never changed nor
 *           deleted; a mistake is corrected by POST .../{id}/reverse (ent_reverse), whose
 *           entry carries the negated amounts (the `reversal` hooks) and reverses_id. Both
 *           stay visible. Money is integer fen; a foreign gift keeps its currency, its
 *           amount in that currency's minor units and the day's rate (a decimal string),
 *           and amount_cny is computed half-up with integer arithmetic (funds_cny).
 * Numbers:  receipts and vouchers "YYYY-NNNNNN" per org and year from receipt_counter and
 *           voucher_counter (number.h), in the creating transaction; a reversal gets its own.
 * Balances: a programme's received, disbursed, pending and balance are computed from the
 *           ledger when it is answered (`compute`), net of reversals. A disbursement above
 *           the approval threshold (qiao_meta funds.approval_threshold, fen; 5,000 元 when
 *           unset; GET/PUT /api/v1/funds/settings) is created pending and moves no money
 *           until someone with approve on funds, other than its creator, approves it: the
 *           workflow pending -> approved | rejected, run by ent_transition from the generic
 *           transition endpoint or POST /api/v1/disbursement/{id}/approve|reject. Whatever
 *           would make a balance negative (a new approved entry, an approval) answers 409
 *           and writes nothing: the programme's row is locked first (db_for_update: FOR
 *           UPDATE on PostgreSQL; SQLite's writers are serial), then the balance is read in
 *           the same transaction.
 * Privacy:  an anonymous donation answers its donor as 爱心人士 in every read, list and
 *           export (`compute`) unless the user may and asks to unmask (view_sensitive).
 * Visits:   cash from a programme is a disbursement of it, written by the visit's create in
 *           the same transaction (visit.disbursement_id names it).
 * Wishes:   open -> claimed (by a donor) -> fulfilled; cancelled; declared as a workflow. */
#include "funds.h"
#include "api.h"
#include "audit.h"
#include "module.h"
#include "number.h"
#include "setting.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONEY_MAX         10000000000000LL /* 1000亿元 in fen: more than any entry can be */
#define THRESHOLD_KEY     "funds.approval_threshold"
#define THRESHOLD_DEFAULT 500000 /* 5,000 元 */
#define ANONYMOUS         "爱心人士"

extern const struct entity programme_entity, donation_entity, disbursement_entity, visit_entity,
    wish_entity;

/* ---- arithmetic --------------------------------------------------------------------- */

int funds_rate(const char *s, int64_t *num, int *dec)
{
    int64_t n = 0;
    int d = -1, digits = 0;
    if (!s || !*s)
        return 0;
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            if (d >= 0 || p == s || !p[1])
                return 0;
            d = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || ++digits > 17)
            return 0;
        n = n * 10 + (*p - '0');
        if (d >= 0 && ++d > 8)
            return 0;
    }
    if (n <= 0)
        return 0;
    *num = n;
    *dec = d < 0 ? 0 : d;
    return 1;
}

int funds_cny(int64_t amount, int exp, int64_t num, int dec, int64_t *fen)
{
    unsigned __int128 a = (unsigned __int128)(amount < 0 ? -(uint64_t)amount : (uint64_t)amount);
    unsigned __int128 div = 1;
    for (int i = 0; i < exp + dec; i++)
        div *= 10;
    /* fen = |amount| / 10^exp units x num / 10^dec CNY x 100 */
    unsigned __int128 q = a * (unsigned __int128)num * 100;
    q = (q + div / 2) / div; /* half-up */
    if (q > 1000000000000000ULL)
        return 0;
    *fen = amount < 0 ? -(int64_t)q : (int64_t)q;
    return 1;
}

void funds_capital(buf *b, int64_t fen)
{
    static const char *const dg[] = {"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"};
    static const char *const un[] = {"", "拾", "佰", "仟"};
    static const char *const sec[] = {"", "万", "亿"};
    if (fen < 0) {
        buf_puts(b, "负");
        fen = -fen;
    }
    int64_t yuan = fen / 100;
    int jiao = (int)(fen / 10 % 10), f = (int)(fen % 10);
    if (yuan > 0) {
        int d[16], n = 0;
        for (int64_t y = yuan; y > 0 && n < 12; y /= 10)
            d[n++] = (int)(y % 10);
        int zero = 0;
        for (int p = n - 1; p >= 0; p--) {
            if (d[p] == 0) {
                zero = 1;
            } else {
                if (zero)
                    buf_puts(b, "零");
                zero = 0;
                buf_puts(b, dg[d[p]]);
                buf_puts(b, un[p % 4]);
            }
            if (p % 4 == 0 && p > 0) {
                int group = 0;
                for (int q = p; q < p + 4 && q < n; q++)
                    group |= d[q];
                if (group)
                    buf_puts(b, sec[p / 4]);
            }
        }
        buf_puts(b, "元");
    }
    if (!jiao && !f) {
        buf_puts(b, yuan > 0 ? "整" : "零元整");
        return;
    }
    if (jiao) {
        buf_puts(b, dg[jiao]);
        buf_puts(b, "角");
    } else if (yuan > 0) {
        buf_puts(b, "零");
    }
    if (f) {
        buf_puts(b, dg[f]);
        buf_puts(b, "分");
    }
}

/* fen as "12,345.67" into out. */
static const char *yuan_text(char out[40], int64_t fen)
{
    char digits[24];
    uint64_t a = fen < 0 ? -(uint64_t)fen : (uint64_t)fen;
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)(a / 100));
    size_t n = strlen(digits), k = 0;
    if (fen < 0)
        out[k++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    snprintf(out + k, 40 - k, ".%02u", (unsigned)(a % 100));
    return out;
}

/* ---- declarations ------------------------------------------------------------------- */

static const struct enumval programme_kinds[] = {
    {"love", {"侨爱心工程", "僑愛心工程", "Love project"}},
    {"sight", {"光明行", "光明行", "Sight restoration"}},
    {"pearl", {"珍珠班", "珍珠班", "Pearl classes"}},
    {"wish", {"微心愿", "微心願", "Micro-wishes"}},
    {"relief", {"帮扶救助", "幫扶救助", "Relief"}},
    {"education", {"助学", "助學", "Education"}},
    {"construction", {"捐建", "捐建", "Construction"}},
    {"epidemic", {"抗疫", "抗疫", "Epidemic"}},
    {"other", {"其他", "其他", "Other"}},
    {NULL},
};

static const struct enumval programme_statuses[] = {
    {"open", {"进行中", "進行中", "Open"}},
    {"closed", {"已结束", "已結束", "Closed"}},
    {NULL},
};

static const struct enumval forms[] = {
    {"cash", {"资金", "資金", "Cash"}},
    {"in_kind", {"物资", "物資", "In kind"}},
    {NULL},
};

/* ISO 4217 currencies a federation meets, and their minor units. */
static const struct currency {
    const char *code;
    int exp;
} currencies[] = {
    {"CNY", 2}, {"HKD", 2}, {"MOP", 2}, {"TWD", 2}, {"USD", 2}, {"EUR", 2}, {"GBP", 2},
    {"JPY", 0}, {"KRW", 0}, {"SGD", 2}, {"MYR", 2}, {"THB", 2}, {"IDR", 2}, {"PHP", 2},
    {"VND", 0}, {"MMK", 2}, {"AUD", 2}, {"NZD", 2}, {"CAD", 2}, {"CHF", 2}, {NULL, 0},
};

static const struct enumval currency_values[] = {
    {"CNY", {"人民币", "人民幣", "Renminbi"}},
    {"HKD", {"港币", "港幣", "Hong Kong dollar"}},
    {"MOP", {"澳门元", "澳門元", "Macanese pataca"}},
    {"TWD", {"新台币", "新台幣", "New Taiwan dollar"}},
    {"USD", {"美元", "美元", "US dollar"}},
    {"EUR", {"欧元", "歐元", "Euro"}},
    {"GBP", {"英镑", "英鎊", "Pound sterling"}},
    {"JPY", {"日元", "日圓", "Yen"}},
    {"KRW", {"韩元", "韓圓", "Won"}},
    {"SGD", {"新加坡元", "新加坡元", "Singapore dollar"}},
    {"MYR", {"马来西亚林吉特", "馬來西亞令吉", "Ringgit"}},
    {"THB", {"泰铢", "泰銖", "Baht"}},
    {"IDR", {"印尼盾", "印尼盾", "Rupiah"}},
    {"PHP", {"菲律宾比索", "菲律賓披索", "Philippine peso"}},
    {"VND", {"越南盾", "越南盾", "Dong"}},
    {"MMK", {"缅甸元", "緬甸元", "Kyat"}},
    {"AUD", {"澳大利亚元", "澳大利亞元", "Australian dollar"}},
    {"NZD", {"新西兰元", "紐西蘭元", "New Zealand dollar"}},
    {"CAD", {"加拿大元", "加拿大元", "Canadian dollar"}},
    {"CHF", {"瑞士法郎", "瑞士法郎", "Swiss franc"}},
    {NULL},
};

static const struct enumval disbursement_statuses[] = {
    {"pending", {"待审批", "待審批", "Pending"}},
    {"approved", {"已批准", "已批准", "Approved"}},
    {"rejected", {"已驳回", "已駁回", "Rejected"}},
    {NULL},
};

static const struct enumval occasions[] = {
    {"spring_festival", {"春节", "春節", "Spring Festival"}},
    {"mid_autumn", {"中秋", "中秋", "Mid-Autumn"}},
    {"double_ninth", {"重阳", "重陽", "Double Ninth"}},
    {"illness", {"病困", "病困", "Illness"}},
    {"hardship", {"困难", "困難", "Hardship"}},
    {"other", {"其他", "其他", "Other"}},
    {NULL},
};

static const struct enumval wish_statuses[] = {
    {"open", {"待认领", "待認領", "Open"}},
    {"claimed", {"已认领", "已認領", "Claimed"}},
    {"fulfilled", {"已实现", "已實現", "Fulfilled"}},
    {"cancelled", {"已取消", "已取消", "Cancelled"}},
    {NULL},
};

/* ---- helpers ------------------------------------------------------------------------ */

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int present(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v && !json_is_null(v);
}

static int64_t num(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* The approval threshold in fen. */
static int64_t threshold(db *d)
{
    return setting_int(d, THRESHOLD_KEY, THRESHOLD_DEFAULT);
}

/* A programme's figures, net of reversals: donations received, disbursements approved
 * and pending (fen). 0, or -1 on a database error. */
static int figures(db *d, int64_t pid, int64_t *received, int64_t *disbursed, int64_t *pending)
{
    stmt *s = db_prepare(
        d, "SELECT (SELECT coalesce(sum(amount_cny), 0) FROM donation WHERE programme_id = ? "
           "AND deleted_at IS NULL) AS received, (SELECT coalesce(sum(amount), 0) FROM "
           "disbursement WHERE programme_id = ? AND status = 'approved' AND deleted_at IS NULL) "
           "AS disbursed, (SELECT coalesce(sum(amount), 0) FROM disbursement WHERE programme_id "
           "= ? AND status = 'pending' AND deleted_at IS NULL) AS pending");
    int rc = -1;
    if (s) {
        for (int i = 1; i <= 3; i++)
            st_bind_int(s, i, pid);
        if (st_step(s) == DB_ROW) {
            *received = st_int(s, "received");
            *disbursed = st_int(s, "disbursed");
            *pending = st_int(s, "pending");
            rc = 0;
        }
    }
    st_finalize(s);
    return rc;
}

static int db_error(db *d, struct verr *e)
{
    if (db_errcode(d) == DBE_BUSY)
        return verr_set(e, 503, "busy", NULL, "系统繁忙, 请稍后再试");
    return verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
}

/* Lock programme pid for the rest of the transaction and read its status and name (into
 * *open and name[200]). 0, or -1 with e (422 on programme_id when it is gone). */
static int programme_lock(struct ent_ctx *c, int64_t pid, int *open, char name[200], struct verr *e)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT status, name FROM programme WHERE id = ? AND deleted_at IS NULL%s",
             db_for_update(c->db));
    stmt *s = db_prepare(c->db, sql);
    int rc = s ? (st_bind_int(s, 1, pid), st_step(s)) : DB_ERROR;
    if (rc == DB_ROW) {
        *open = !st_text(s, "status") || strcmp(st_text(s, "status"), "closed");
        snprintf(name, 200, "%s", st_text(s, "name") ? st_text(s, "name") : "");
    }
    st_finalize(s);
    if (rc == DB_ROW)
        return 0;
    if (rc == DB_DONE)
        return verr_set(e, 422, "invalid", "programme_id", "“所属项目”(编号 %lld)不存在",
                        (long long)pid);
    return db_error(c->db, e);
}

/* Would taking `amount` more out of the locked programme pid (paying it out, or reversing
 * a gift: what says `verb`) overdraw it? 0, or -1 with a 409 on field that says by how much. */
static int balance_covers(struct ent_ctx *c, int64_t pid, const char *name, int64_t amount,
                          const char *verb, const char *field, struct verr *e)
{
    int64_t rec, dis, pen;
    if (figures(c->db, pid, &rec, &dis, &pen))
        return db_error(c->db, e);
    if (rec - dis - amount >= 0)
        return 0;
    char a[40], b[40];
    return verr_set(e, 409, "insufficient_balance", field,
                    "项目“%s”的余额为 %s 元, 不足以%s %s 元: 余额不能为负", name,
                    yuan_text(a, rec - dis), verb, yuan_text(b, amount));
}

/* ---- what every ledger entry answers beyond its columns ------------------------------ */

/* The entry's amount in capital numerals (人民币壹万贰仟叁佰元整, for the printed receipt or
 * voucher; entry_compute), who recorded it, and the entry of table that reversed it (null
 * while none did): the last two read with the entry (reverses_id is unique, so indexed). */
/* clang-format off */
#define ENTRY_COMPUTED(table) (const struct field[]){                                              \
    {"amount_in_words", FT_TEXT, {"金额大写", "金額大寫", "Amount in words"}, FF_READONLY},        \
    {"recorded_by", FT_TEXT, {"经办人", "經辦人", "Recorded by"}, FF_READONLY,                     \
     .sql = "SELECT u.name FROM \"user\" u WHERE u.id = t.created_by"},                            \
    {"reversed_by", FT_INT, {"冲销记录", "沖銷記錄", "Reversed by"}, FF_READONLY,                  \
     .sql = "SELECT r.id FROM " table " r WHERE r.reverses_id = t.id AND r.deleted_at IS NULL"},   \
    {NULL}}
/* clang-format on */

static void entry_compute(json_t *rec, int64_t fen)
{
    buf b = {0};
    buf_puts(&b, "人民币");
    funds_capital(&b, fen);
    json_object_set_new(rec, "amount_in_words", json_string(buf_str(&b)));
    buf_free(&b);
}

/* ---- programme ---------------------------------------------------------------------- */

static const struct field programme_computed[] = {
    {"received", FT_MONEY, {"已收捐赠", "已收捐贈", "Received"}, FF_READONLY | FF_LIST},
    {"disbursed", FT_MONEY, {"已支出", "已支出", "Disbursed"}, FF_READONLY | FF_LIST},
    {"pending", FT_MONEY, {"待审批支出", "待審批支出", "Pending"}, FF_READONLY},
    {"balance", FT_MONEY, {"余额", "餘額", "Balance"}, FF_READONLY | FF_LIST},
    {NULL},
};

static void programme_compute(struct ent_ctx *c, json_t *rec)
{
    int64_t r = 0, d = 0, p = 0;
    if (figures(c->db, num(rec, "id"), &r, &d, &p))
        return;
    json_object_set_new(rec, "received", json_integer(r));
    json_object_set_new(rec, "disbursed", json_integer(d));
    json_object_set_new(rec, "pending", json_integer(p));
    json_object_set_new(rec, "balance", json_integer(r - d));
}

static int programme_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    (void)c;
    (void)old;
    const char *from = str(rec, "starts_on"), *to = str(rec, "ends_on");
    if (from && to && strcmp(to, from) < 0)
        return verr_set(e, 422, "invalid", "ends_on", "“结束日期”不能早于“开始日期”");
    return 0;
}

static int programme_before_delete(struct ent_ctx *c, int64_t id, const json_t *old, struct verr *e)
{
    (void)old;
    int64_t n = db_int(c->db, -1,
                       "SELECT (SELECT count(*) FROM donation WHERE programme_id = ?) + (SELECT "
                       "count(*) FROM disbursement WHERE programme_id = ?)",
                       "ii", id, id);
    if (n != 0)
        return verr_set(e, 409, "conflict", NULL,
                        "该项目已有 %lld 笔台账记录, 不能删除; 可将其状态改为“已结束”",
                        (long long)n);
    return 0;
}

const struct entity programme_entity = {
    .name = "programme",
    .label = {"项目", "項目", "Programme"},
    .module = "funds",
    .title = "name",
    .flags = EF_OWNED,
    .fields =
        (const struct field[]){
            FIELD_ID,
            {"name",
             FT_TEXT,
             {"项目名称", "項目名稱", "Name"},
             FF_REQUIRED | FF_LIST | FF_SEARCH,
             .max = 200},
            {"kind",
             FT_ENUM,
             {"类别", "類別", "Kind"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             programme_kinds},
            FIELD_ORG,
            {"starts_on", FT_DATE, {"开始日期", "開始日期", "Starts on"}, FF_LIST},
            {"ends_on", FT_DATE, {"结束日期", "結束日期", "Ends on"}, 0},
            {"target", FT_MONEY, {"筹款目标", "籌款目標", "Target"}, 0, .min = 0, .max = MONEY_MAX},
            {"status",
             FT_ENUM,
             {"状态", "狀態", "Status"},
             FF_LIST | FF_INDEX,
             programme_statuses,
             .dflt = "open"},
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            FIELDS_TAIL,
        },
    .check = programme_check,
    .before_delete = programme_before_delete,
    .computed = programme_computed,
    .compute = programme_compute,
};

/* ---- donation ----------------------------------------------------------------------- */

/* Set amount_cny from currency, amount and rate (and normalise rate). 0, or -1 with e. */
static int donation_cny(json_t *rec, struct verr *e)
{
    const char *cur = str(rec, "currency");
    const struct currency *cu = currencies;
    while (cu->code && strcmp(cu->code, cur ? cur : "CNY"))
        cu++;
    if (!cu->code)
        return verr_set(e, 422, "invalid", "currency", "不支持的“币种”: %s", cur);
    const char *rate = str(rec, "rate");
    int64_t n = 1, fen;
    int dec = 0;
    if (!strcmp(cu->code, "CNY")) {
        if (rate && (!funds_rate(rate, &n, &dec) || !funds_cny(1, 0, n, dec, &fen) || fen != 100))
            return verr_set(e, 422, "invalid", "rate", "人民币捐赠不填“汇率”(或填 1)");
        n = 1, dec = 0;
        json_object_del(rec, "rate");
    } else if (!rate) {
        return verr_set(e, 422, "invalid", "rate",
                        "外币捐赠须填写“汇率”(%s 当日 1 单位折合人民币多少元, 如 7.1234)",
                        cu->code);
    } else if (!funds_rate(rate, &n, &dec)) {
        return verr_set(e, 422, "invalid", "rate",
                        "“汇率”应为大于 0 的小数 (如 7.1234, 最多 8 位小数): “%s”", rate);
    }
    if (!funds_cny(num(rec, "amount"), cu->exp, n, dec, &fen))
        return verr_set(e, 422, "invalid", "amount", "“金额”折合人民币后太大");
    json_object_set_new(rec, "amount_cny", json_integer(fen));
    return 0;
}

static int donation_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    if (old)
        return 0; /* a ledger entry is never changed */
    int reversal = present(rec, "reverses_id");
    int64_t amount = num(rec, "amount");
    if (!reversal && amount <= 0)
        return verr_set(e, 422, "invalid", "amount", "“金额”应大于 0 (单位: 分)");
    if (!strcmp(str(rec, "form") ? str(rec, "form") : "cash", "in_kind") &&
        !present(rec, "in_kind_description"))
        return verr_set(e, 422, "invalid", "in_kind_description",
                        "捐赠物资须填写“物资说明”(品名、数量), “金额”为其估值");
    int open;
    char pname[200];
    if (programme_lock(c, num(rec, "programme_id"), &open, pname, e))
        return -1;
    if (!open && !reversal)
        return verr_set(e, 422, "invalid", "programme_id", "项目“%s”已结束, 不能再登记捐赠", pname);
    if (donation_cny(rec, e))
        return -1;
    /* Taking back a gift that has been spent would overdraw the programme. */
    if (reversal && balance_covers(c, num(rec, "programme_id"), pname, -num(rec, "amount_cny"),
                                   msg_cur("冲销"), "amount", e))
        return -1;
    char nr[32];
    if (number_next(c, "receipt_counter", num(rec, "org_id"), atoi(str(rec, "received_on")), nr,
                    msg_cur("收据编号"), e))
        return -1;
    json_object_set_new(rec, "receipt_number", json_string(nr));
    if (c->user_id)
        json_object_set_new(rec, "created_by", json_integer(c->user_id));
    return 0;
}

static int donation_reversal(struct ent_ctx *c, const json_t *old, json_t *rec, struct verr *e)
{
    (void)c;
    (void)e;
    json_object_set_new(rec, "amount", json_integer(-num(old, "amount")));
    json_object_set(rec, "rate", json_object_get(old, "rate")); /* the same conversion */
    return 0;
}

/* An anonymous donor reads as 爱心人士 unless the reader may and asked to unmask. */
static void donation_compute(struct ent_ctx *c, json_t *rec)
{
    entry_compute(rec, num(rec, "amount_cny"));
    if (!json_is_true(json_object_get(rec, "anonymous")) || (c->may_unmask && c->unmask))
        return;
    json_object_set_new(rec, "donor_type", json_string("name"));
    json_object_set_new(rec, "donor_id", json_null());
    json_object_set_new(rec, "donor_name", json_string(ANONYMOUS));
}

/* The indexes a ledger is read by (bench/funds.sh): a programme's balance and the count of
 * its list summed from an index alone (its entries' org for the scope, their amounts and
 * status in it, never the rows), and its ledger's first page in date order without a
 * sort (id named: the list's order within a day), both from book_i; a subtree's sums over a period
 * (the work report's figures) from the org and the date. They begin with programme_id and org_id,
 * so those get no index of their own. book_i replaced balance_i and ledger_i (one tree less for
 * every entry written: 6-14 % more donations a second, bench/README "Group commit"). */
#define LEDGER_INDEXES(date, status, amount)                                                       \
    (const char *const[])                                                                          \
    {                                                                                              \
        "book_i (programme_id, " date ", id, " status "deleted_at, org_id, " amount ")",           \
            "period_i (org_id, " date ", " status "deleted_at, " amount ")", NULL                  \
    }
#define LEDGER_OLD_INDEXES                                                                         \
    (const char *const[])                                                                          \
    {                                                                                              \
        "balance_i", "ledger_i", NULL                                                              \
    }

const struct entity donation_entity = {
    .name = "donation",
    .label = {"捐赠", "捐贈", "Donation"},
    .module = "funds",
    .title = "receipt_number",
    .flags = EF_OWNED | EF_APPEND,
    .indexes = LEDGER_INDEXES("received_on", "", "amount_cny"),
    .old_indexes = LEDGER_OLD_INDEXES,
    .fields =
        (const struct field[]){
            FIELD_ID,
            {"receipt_number",
             FT_TEXT,
             {"收据编号", "收據編號", "Receipt number"},
             FF_READONLY | FF_LIST | FF_SEARCH | FF_INDEX,
             .max = 20},
            {"programme_id",
             FT_REF,
             {"所属项目", "所屬項目", "Programme"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             .ref = "programme"},
            {"received_on",
             FT_DATE,
             {"捐赠日期", "捐贈日期", "Received on"},
             FF_REQUIRED | FF_LIST | FF_INDEX},
            FIELD_PARTY("donor", "捐赠人", "捐贈人", "Donor",
                        PT_PERSON | PT_ASSOCIATION | PT_ENTERPRISE | PT_NAME, FF_REQUIRED),
            {"anonymous", FT_BOOL, {"匿名", "匿名", "Anonymous"}, 0, .dflt = "false"},
            {"form", FT_ENUM, {"形式", "形式", "Form"}, FF_LIST, forms, .dflt = "cash"},
            {"currency", FT_ENUM, {"币种", "幣種", "Currency"}, 0, currency_values, .dflt = "CNY"},
            {"amount",
             FT_MONEY,
             {"金额", "金額", "Amount"},
             FF_REQUIRED,
             .min = -MONEY_MAX,
             .max = MONEY_MAX,
             .currency = "currency"},
            {"rate", FT_TEXT, {"汇率", "匯率", "Rate"}, 0, .max = 20},
            {"amount_cny",
             FT_MONEY,
             {"折合人民币", "折合人民幣", "Amount (CNY)"},
             FF_READONLY | FF_LIST},
            {"in_kind_description",
             FT_TEXT,
             {"物资说明", "物資說明", "Goods donated"},
             0,
             .max = 500},
            FIELD_ORG,
            {"reverses_id",
             FT_REF,
             {"冲销的记录", "沖銷的記錄", "Reverses"},
             FF_READONLY | FF_UNIQUE | FF_LIST,
             .ref = "donation"},
            {"reason", FT_TEXTAREA, {"冲销原因", "沖銷原因", "Reason"}, FF_READONLY},
            {"created_by",
             FT_REF,
             {"经办人编号", "經辦人編號", "Recorded by (id)"},
             FF_READONLY | FF_NOFK,
             .ref = "user"},
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            FIELDS_TAIL,
        },
    .check = donation_check,
    .computed = ENTRY_COMPUTED("donation"),
    .compute = donation_compute,
    .private = {"anonymous", (const char *const[]){"donor_type", "donor_id", "donor_name", NULL}},
    .reversal = donation_reversal,
};

/* ---- disbursement ------------------------------------------------------------------- */

static int disbursement_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    if (old)
        return 0; /* moves check themselves (disbursement_move) */
    int reversal = present(rec, "reverses_id");
    int64_t amount = num(rec, "amount"), pid = num(rec, "programme_id");
    if (!reversal && amount <= 0)
        return verr_set(e, 422, "invalid", "amount", "“金额”应大于 0 (单位: 分)");
    int open;
    char pname[200];
    if (programme_lock(c, pid, &open, pname, e))
        return -1;
    if (!open && !reversal)
        return verr_set(e, 422, "invalid", "programme_id", "项目“%s”已结束, 不能再支出", pname);
    const char *status = reversal || amount <= threshold(c->db) ? "approved" : "pending";
    if (!strcmp(status, "approved") && amount > 0 &&
        balance_covers(c, pid, pname, amount, msg_cur("支出"), "amount", e))
        return -1;
    json_object_set_new(rec, "status", json_string(status));
    char nr[32];
    if (number_next(c, "voucher_counter", num(rec, "org_id"), atoi(str(rec, "paid_on")), nr,
                    msg_cur("凭证编号"), e))
        return -1;
    json_object_set_new(rec, "voucher_number", json_string(nr));
    if (c->user_id)
        json_object_set_new(rec, "created_by", json_integer(c->user_id));
    return 0;
}

static int disbursement_reversal(struct ent_ctx *c, const json_t *old, json_t *rec, struct verr *e)
{
    (void)c;
    const char *st = str(old, "status");
    if (st && !strcmp(st, "pending"))
        return verr_set(e, 409, "conflict", NULL,
                        "这笔支出还在待审批, 没有动用资金: 请“驳回”, 不必冲销");
    if (st && !strcmp(st, "rejected"))
        return verr_set(e, 409, "conflict", NULL, "这笔支出已驳回, 没有动用资金, 不必冲销");
    json_object_set_new(rec, "amount", json_integer(-num(old, "amount")));
    json_object_set_new(rec, "people_helped", json_integer(-num(old, "people_helped")));
    return 0;
}

static void disbursement_compute(struct ent_ctx *c, json_t *rec)
{
    (void)c;
    entry_compute(rec, num(rec, "amount"));
}

/* The approval and the rejection: someone with approve other than the creator; an
 * approval must not overdraw the programme. */
static int disbursement_move(struct ent_ctx *c, const struct move *m, int64_t id, const json_t *old,
                             const json_t *args, const json_t *body, json_t *set, json_t *detail,
                             const char *at, struct verr *e)
{
    (void)body;
    (void)detail;
    if (c->user_id && num(old, "created_by") == c->user_id)
        return verr_set(e, 403, "forbidden", "to",
                        "不能审批自己登记的支出, 须由另一位有审批权限的人审批");
    int open;
    char pname[200];
    int64_t pid = num(old, "programme_id");
    if (programme_lock(c, pid, &open, pname, e))
        return -1;
    /* The status again, now that the programme is locked: two approvals at once. */
    stmt *s = db_prepare(c->db, "SELECT status FROM disbursement WHERE id = ?");
    int still = s && (st_bind_int(s, 1, id), st_step(s)) == DB_ROW && st_text(s, "status") &&
                !strcmp(st_text(s, "status"), "pending");
    st_finalize(s);
    if (!still)
        return verr_set(e, 409, "conflict", "to", "这笔支出已经审批过了");
    if (!strcmp(m->to, "approved") &&
        balance_covers(c, pid, pname, num(old, "amount"), msg_cur("支出"), "amount", e))
        return -1;
    if (c->user_id)
        json_object_set_new(set, "approved_by", json_integer(c->user_id));
    json_object_set_new(set, "approved_at", json_string(at));
    json_t *note = json_object_get(args, "note");
    if (note && !json_is_null(note))
        json_object_set(set, "review_note", note);
    return 0;
}

static const struct field review_args[] = {
    {"note", FT_TEXTAREA, {"审批意见", "審批意見", "Note"}, 0},
    {NULL},
};

static const char *const takes_note[] = {"note", NULL};

static const struct workflow disbursement_workflow = {
    .field = "status",
    .moves =
        (const struct move[]){
            {"pending",
             "approved",
             P_APPROVE,
             takes_note,
             NULL,
             {"审批通过", "審批通過", "Approve"}},
            {"pending", "rejected", P_APPROVE, takes_note, NULL, {"驳回", "駁回", "Reject"}},
            {NULL},
        },
    .args = review_args,
    .before = disbursement_move,
};

const struct entity disbursement_entity = {
    .name = "disbursement",
    .label = {"支出", "支出", "Disbursement"},
    .module = "funds",
    .title = "voucher_number",
    .flags = EF_OWNED | EF_APPEND,
    .indexes = LEDGER_INDEXES("paid_on", "status, ", "amount"),
    .old_indexes = LEDGER_OLD_INDEXES,
    .fields =
        (const struct field[]){
            FIELD_ID,
            {"voucher_number",
             FT_TEXT,
             {"凭证编号", "憑證編號", "Voucher number"},
             FF_READONLY | FF_LIST | FF_SEARCH | FF_INDEX,
             .max = 20},
            {"programme_id",
             FT_REF,
             {"所属项目", "所屬項目", "Programme"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             .ref = "programme"},
            {"paid_on",
             FT_DATE,
             {"支出日期", "支出日期", "Paid on"},
             FF_REQUIRED | FF_LIST | FF_INDEX},
            FIELD_PARTY("beneficiary", "受助方", "受助方", "Beneficiary",
                        PT_PERSON | PT_ASSOCIATION | PT_ORG | PT_NAME, FF_REQUIRED),
            {"amount",
             FT_MONEY,
             {"金额", "金額", "Amount"},
             FF_REQUIRED | FF_LIST,
             .min = -MONEY_MAX,
             .max = MONEY_MAX},
            {"purpose", FT_TEXT, {"用途", "用途", "Purpose"}, FF_REQUIRED | FF_LIST, .max = 200},
            {"people_helped",
             FT_INT,
             {"受助人次", "受助人次", "People helped"},
             0,
             .min = -10000000,
             .max = 10000000,
             .dflt = "1"},
            {"status",
             FT_ENUM,
             {"状态", "狀態", "Status"},
             FF_READONLY | FF_LIST | FF_INDEX,
             disbursement_statuses},
            FIELD_ORG,
            {"created_by",
             FT_REF,
             {"经办人编号", "經辦人編號", "Recorded by (id)"},
             FF_READONLY | FF_NOFK,
             .ref = "user"},
            {"approved_by",
             FT_REF,
             {"审批人", "審批人", "Approved by"},
             FF_READONLY | FF_NOFK,
             .ref = "user"},
            {"approved_at", FT_DATETIME, {"审批时间", "審批時間", "Approved at"}, FF_READONLY},
            {"review_note", FT_TEXTAREA, {"审批意见", "審批意見", "Review note"}, FF_READONLY},
            {"reverses_id",
             FT_REF,
             {"冲销的记录", "沖銷的記錄", "Reverses"},
             FF_READONLY | FF_UNIQUE | FF_LIST,
             .ref = "disbursement"},
            {"reason", FT_TEXTAREA, {"冲销原因", "沖銷原因", "Reason"}, FF_READONLY},
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            FIELDS_TAIL,
        },
    .check = disbursement_check,
    .workflow = &disbursement_workflow,
    .computed = ENTRY_COMPUTED("disbursement"),
    .compute = disbursement_compute,
    .reversal = disbursement_reversal,
};

/* ---- visit -------------------------------------------------------------------------- */

extern const struct entity person_entity;

static int visit_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    json_t *ids = json_object_get(rec, "person_ids");
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        int64_t pid;
        if (!parse_i64(json_string_value(v), &pid) || pid < 1)
            return verr_set(e, 422, "invalid", "person_ids",
                            "“走访对象”的第 %zu 项应为侨界人士的编号: “%s”", i + 1,
                            json_string_value(v));
        if (old && json_array_size(json_object_get(old, "person_ids")) > 0) {
            size_t j;
            json_t *w;
            int had = 0;
            json_array_foreach(json_object_get(old, "person_ids"), j, w) had |= json_equal(v, w);
            if (had)
                continue;
        }
        struct verr e2;
        json_t *p = ent_read(c, &person_entity, pid, 1, &e2);
        if (!p)
            return verr_set(e, 422, "invalid", "person_ids",
                            "“走访对象”的第 %zu 项(侨界人士编号 %lld)不存在或无权使用", i + 1,
                            (long long)pid);
        json_decref(p);
    }
    if (!present(rec, "people_count"))
        json_object_set_new(rec, "people_count", json_integer((json_int_t)json_array_size(ids)));
    if (num(rec, "people_count") <= 0) /* a visit to nobody would count in the figures */
        return verr_set(e, 422, "invalid", "person_ids",
                        "请选择“走访对象”, 或填写“走访人次” (未登记的对象)");
    if (old && present(old, "disbursement_id") &&
        (!json_equal(json_object_get(old, "cash"), json_object_get(rec, "cash")) ||
         !json_equal(json_object_get(old, "programme_id"), json_object_get(rec, "programme_id"))))
        return verr_set(
            e, 422, "invalid", "cash",
            "慰问金已作为项目支出入账 (支出编号 %lld), 不能修改; 请冲销该笔支出后重新登记",
            (long long)num(old, "disbursement_id"));
    return 0;
}

/* Cash from a programme: its disbursement, in the visit's create transaction. */
static int visit_after_write(struct ent_ctx *c, int64_t id, json_t *rec, const json_t *old,
                             struct verr *e)
{
    if (old || !present(rec, "programme_id") || num(rec, "cash") <= 0)
        return 0;
    const char *occ = str(rec, "occasion");
    const char *occl = "走访";
    for (const struct enumval *ev = occasions; ev->value; ev++)
        if (occ && !strcmp(ev->value, occ))
            occl = ev->label.hans;
    char name[200], purpose[200];
    snprintf(name, sizeof name, "走访慰问对象 %lld 人次", (long long)num(rec, "people_count"));
    snprintf(purpose, sizeof purpose, "%s走访慰问 (走访记录 %lld)", occl, (long long)id);
    json_t *body = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:I}", "programme_id",
                             (json_int_t)num(rec, "programme_id"), "paid_on",
                             str(rec, "visited_on"), "beneficiary_type", "name", "beneficiary_name",
                             name, "amount", (json_int_t)num(rec, "cash"), "purpose", purpose,
                             "people_helped", (json_int_t)num(rec, "people_count"));
    if (present(rec, "org_id"))
        json_object_set(body, "org_id", json_object_get(rec, "org_id"));
    struct ent_ctx sub = *c;
    sub.bulk = 1; /* the answer only {id}; the visit's own audit entry names it */
    json_t *d = ent_create(&sub, &disbursement_entity, body, e);
    json_decref(body);
    if (!d) {
        if (!strcmp(e->field, "amount"))
            snprintf(e->field, sizeof e->field, "cash");
        return -1;
    }
    int64_t did = num(d, "id");
    json_decref(d);
    if (db_execv(c->db, "UPDATE visit SET disbursement_id = ? WHERE id = ?", "ii", did, id) !=
        DB_OK)
        return db_error(c->db, e);
    json_object_set_new(rec, "disbursement_id", json_integer(did));
    return 0;
}

static int visit_before_delete(struct ent_ctx *c, int64_t id, const json_t *old, struct verr *e)
{
    (void)c;
    (void)id;
    if (present(old, "disbursement_id"))
        return verr_set(e, 409, "conflict", NULL,
                        "该走访的慰问金已作为项目支出入账 (支出编号 %lld), 不能删除",
                        (long long)num(old, "disbursement_id"));
    return 0;
}

const struct entity visit_entity = {
    .name = "visit",
    .label = {"走访慰问", "走訪慰問", "Visit"},
    .module = "funds",
    .title = "visited_on",
    .flags = EF_OWNED,
    .fields =
        (const struct field[]){
            FIELD_ID,
            {"visited_on",
             FT_DATE,
             {"走访日期", "走訪日期", "Visited on"},
             FF_REQUIRED | FF_LIST | FF_INDEX},
            {"occasion",
             FT_ENUM,
             {"走访类别", "走訪類別", "Occasion"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             occasions},
            {"person_ids",
             FT_LIST,
             {"走访对象", "走訪對象", "People visited"},
             0,
             .max = 20,
             .ref = "person"},
            {"people_count",
             FT_INT,
             {"走访人次", "走訪人次", "People (visits)"},
             FF_LIST,
             .min = 0,
             .max = 10000000},
            {"visitors",
             FT_TEXT,
             {"走访人员", "走訪人員", "Visitors"},
             FF_LIST | FF_SEARCH,
             .max = 500},
            {"packages",
             FT_INT,
             {"慰问品份数", "慰問品份數", "Packages"},
             FF_LIST,
             .min = 0,
             .max = 10000000},
            {"cash", FT_MONEY, {"慰问金", "慰問金", "Cash"}, FF_LIST, .min = 0, .max = MONEY_MAX},
            {"programme_id",
             FT_REF,
             {"资金来源项目", "資金來源項目", "Paid from programme"},
             FF_INDEX,
             .ref = "programme"},
            {"disbursement_id",
             FT_REF,
             {"对应支出", "對應支出", "Disbursement"},
             FF_READONLY | FF_INDEX,
             .ref = "disbursement"},
            {"suggestions",
             FT_INT,
             {"收集意见建议(条)", "收集意見建議(條)", "Suggestions"},
             0,
             .min = 0,
             .max = 1000000},
            {"suggestions_text", FT_TEXTAREA, {"意见建议", "意見建議", "Suggestions (text)"}, 0},
            FIELD_ORG,
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            FIELDS_TAIL,
        },
    .check = visit_check,
    .after_write = visit_after_write,
    .before_delete = visit_before_delete,
};

/* ---- wish --------------------------------------------------------------------------- */

static int wish_move(struct ent_ctx *c, const struct move *m, int64_t id, const json_t *old,
                     const json_t *args, const json_t *body, json_t *set, json_t *detail,
                     const char *at, struct verr *e)
{
    (void)c, (void)id, (void)old, (void)args, (void)body, (void)detail, (void)e;
    if (!strcmp(m->to, "fulfilled") && !present(body, "fulfilled_on")) {
        char day[11];
        snprintf(day, sizeof day, "%.10s", at);
        json_object_set_new(set, "fulfilled_on", json_string(day));
    }
    if (!strcmp(m->to, "open")) { /* the donor stepped back */
        json_object_set_new(set, "donor_type", json_null());
        json_object_set_new(set, "donor_id", json_null());
        json_object_set_new(set, "donor_name", json_null());
    }
    return 0;
}

static const struct field wish_args[] = {
    {"note", FT_TEXTAREA, {"说明", "說明", "Note"}, 0},
    {NULL},
};

static const struct workflow wish_workflow = {
    .field = "status",
    .moves =
        (const struct move[]){
            {"open",
             "claimed",
             P_EDIT,
             (const char *const[]){"donor_type", "donor_id", "donor_name", NULL},
             (const char *const[]){"donor_type", NULL},
             {"认领", "認領", "Claim"}},
            {"claimed",
             "fulfilled",
             P_EDIT,
             (const char *const[]){"fulfilled_on", NULL},
             NULL,
             {"已实现", "已實現", "Fulfilled"}},
            {"claimed", "open", P_EDIT, NULL, NULL, {"退回待认领", "退回待認領", "Release"}},
            {"open,claimed", "cancelled", P_EDIT, NULL, NULL, {"取消", "取消", "Cancel"}},
            {NULL},
        },
    .args = wish_args,
    .before = wish_move,
};

const struct entity wish_entity = {
    .name = "wish",
    .label = {"微心愿", "微心願", "Micro-wish"},
    .module = "funds",
    .title = "wish",
    .flags = EF_OWNED,
    .fields =
        (const struct field[]){
            FIELD_ID,
            {"wish",
             FT_TEXT,
             {"心愿", "心願", "Wish"},
             FF_REQUIRED | FF_LIST | FF_SEARCH,
             .max = 500},
            {"beneficiary_id",
             FT_REF,
             {"心愿人", "心願人", "Beneficiary"},
             FF_REQUIRED | FF_LIST | FF_INDEX,
             .ref = "person"},
            {"estimated_cost",
             FT_MONEY,
             {"预计费用", "預計費用", "Estimated cost"},
             FF_LIST,
             .min = 0,
             .max = MONEY_MAX},
            {"status",
             FT_ENUM,
             {"状态", "狀態", "Status"},
             FF_READONLY | FF_LIST | FF_INDEX,
             wish_statuses,
             .dflt = "open"},
            {"donor_type",
             FT_PARTY,
             {"认领人类型", "認領人類型", "Claimed by (type)"},
             FF_READONLY,
             party_kinds,
             .party = PT_PERSON | PT_ASSOCIATION | PT_ENTERPRISE | PT_NAME},
            {"donor_id",
             FT_INT,
             {"认领人编号", "認領人編號", "Claimed by (id)"},
             FF_READONLY | FF_INDEX,
             .min = 1,
             .max = INT64_MAX},
            {"donor_name",
             FT_TEXT,
             {"认领人", "認領人", "Claimed by"},
             FF_READONLY | FF_LIST | FF_SEARCH,
             .max = 200},
            {"fulfilled_on", FT_DATE, {"实现日期", "實現日期", "Fulfilled on"}, FF_READONLY},
            FIELD_ORG,
            {"notes", FT_TEXTAREA, {"备注", "備註", "Notes"}, 0},
            FIELDS_TAIL,
        },
    .workflow = &wish_workflow,
};

/* ---- endpoints ---------------------------------------------------------------------- */

/* POST /api/v1/disbursement/{id}/approve and /reject {"note"?}: the workflow's moves. */
static void review(struct req *r, const char *to)
{
    json_t *body = r->body_len ? req_json(r) : json_object();
    if (!body)
        return;
    if (json_object_get(body, "to")) {
        json_decref(body);
        reply_error(r, 400, "unknown_field", "to", "审批接口不用填写“to”");
        return;
    }
    json_object_set_new(body, "to", json_string(to));
    struct verr e;
    json_t *rec = ent_transition(&r->ctx, &disbursement_entity, r->id, body, NULL, &e);
    json_decref(body);
    if (!rec) {
        reply_verr(r, &e);
        return;
    }
    reply_json(r, 200, rec);
}

static void approve_h(struct req *r)
{
    review(r, "approved");
}

static void reject_h(struct req *r)
{
    review(r, "rejected");
}

/* One section of a party's funds: the page asked (the first by default) of ent's entries
 * whose party link x (x_type, x_id) names the record of the route, newest (`date`) first,
 * as the list answers it ({items, total, page, per_page}: scope, masking, anonymity), plus
 * "amount": sum(what) in fen over the same rows where cond (SQL on alias t) holds. A new
 * reference, or NULL with e. */
static json_t *party_section(struct req *r, const struct entity *ent, const char *x,
                             const char *date, const char *what, const char *cond, struct verr *e)
{
    char tk[32], ik[32], idv[24], sort[40];
    snprintf(tk, sizeof tk, "%s_type", x);
    snprintf(ik, sizeof ik, "%s_id", x);
    snprintf(idv, sizeof idv, "%lld", (long long)r->id);
    snprintf(sort, sizeof sort, "-%s", date);
    struct kv args[5] = {{tk, r->ent->name}, {ik, idv}, {"sort", sort}};
    int n = 3;
    for (const char *const *k = (const char *const[]){"page", "per_page", NULL}; *k; k++)
        if (req_arg(r, *k))
            args[n++] = (struct kv){*k, req_arg(r, *k)};
    json_t *list = ent_list(&r->ctx, ent, args, n, NULL, e);
    if (!list)
        return NULL;
    buf sql = {0};
    json_t *binds = json_pack("[s, I]", r->ent->name, (json_int_t)r->id);
    buf_printf(&sql,
               "SELECT coalesce(sum(%s), 0) AS amount FROM \"%s\" t WHERE t.deleted_at IS NULL "
               "AND t.%s = ? AND t.%s = ?%s",
               what, ent->name, tk, ik, cond);
    if (ent->private.when && !(r->ctx.may_unmask && r->ctx.unmask))
        buf_printf(&sql, " AND coalesce(t.%s, 0) = 0", ent->private.when); /* anonymous */
    ent_scope_sql(&r->ctx, ent, &sql, binds);
    stmt *s = db_prepare_json(r->db, buf_str(&sql), binds);
    int rc = s ? st_step(s) : DB_ERROR;
    if (rc == DB_ROW)
        json_object_set_new(list, "amount", json_integer(st_int(s, "amount")));
    st_finalize(s);
    buf_free(&sql);
    json_decref(binds);
    if (rc != DB_ROW) {
        json_decref(list);
        db_error(r->db, e);
        return NULL;
    }
    return list;
}

/* The visits a person was on (person_ids holds "ID"), as party_section answers them. */
static json_t *person_visits(struct req *r, struct verr *e)
{
    buf sql = {0}, ids = {0};
    json_t *binds = json_pack("[s]", arena_printf(r->a, "%%\"%lld\"%%", (long long)r->id));
    buf_puts(&sql, "SELECT t.id FROM visit t WHERE t.deleted_at IS NULL AND t.person_ids LIKE ?");
    ent_scope_sql(&r->ctx, &visit_entity, &sql, binds);
    stmt *s = db_prepare_json(r->db, buf_str(&sql), binds);
    int rc = DB_ERROR;
    while (s && (rc = st_step(s)) == DB_ROW)
        buf_printf(&ids, "%s%lld", ids.len ? "," : "", (long long)st_int(s, "id"));
    st_finalize(s);
    buf_free(&sql);
    json_decref(binds);
    if (!s || rc != DB_DONE) {
        buf_free(&ids);
        db_error(r->db, e);
        return NULL;
    }
    struct kv args[4] = {{"id", ids.len ? buf_str(&ids) : "0"}, {"sort", "-visited_on"}};
    int n = 2;
    for (const char *const *k = (const char *const[]){"page", "per_page", NULL}; *k; k++)
        if (req_arg(r, *k))
            args[n++] = (struct kv){*k, req_arg(r, *k)};
    json_t *list = ids.len ? ent_list(&r->ctx, &visit_entity, args, n, NULL, e)
                           : json_pack("{s:[], s:i, s:i, s:i}", "items", "total", 0, "page", 1,
                                       "per_page", 20);
    buf_free(&ids);
    return list;
}

/* GET /api/v1/{person|association|enterprise|org}/{id}/funds[?section=S&page=&per_page=]:
 * what the record gave and received, each section as the lists answer it with its total
 * in fen: "donations" (as donor; amount net of reversals), "wishes" (claimed as donor;
 * amount: the estimated cost of those claimed or fulfilled), "disbursements" (as
 * beneficiary; amount: approved, net of reversals), "visits" (a person visited). Only
 * what the reader's scope holds; anonymous gifts only unmasked (view_sensitive, audited).
 * section= answers that one alone (to page it). 404 for a record outside the scope. */
static void party_funds_h(struct req *r)
{
    static const char *const kinds[] = {"person", "association", "enterprise", "org", NULL};
    const char *const *k = kinds;
    while (*k && strcmp(*k, r->ent->name))
        k++;
    if (!*k) {
        reply_error(r, 404, "not_found", NULL, "%s没有捐赠与帮扶记录", msg_label(r->ent->label));
        return;
    }
    for (int i = 0; i < r->nargs; i++)
        if (strcmp(r->args[i].key, "section") && strcmp(r->args[i].key, "page") &&
            strcmp(r->args[i].key, "per_page") && strcmp(r->args[i].key, "unmask")) {
            reply_error(r, 400, "bad_request", r->args[i].key, "不认识的参数“%s”", r->args[i].key);
            return;
        }
    const char *only = req_arg(r, "section");
    static const char *const sections[] = {"donations", "wishes", "disbursements", "visits", NULL};
    if (only) {
        const char *const *s = sections;
        while (*s && strcmp(*s, only))
            s++;
        if (!*s) {
            reply_error(r, 400, "bad_request", "section",
                        "“section”应为 donations、wishes、disbursements 或 visits: “%s”", only);
            return;
        }
    }
    struct verr e;
    json_t *self = ent_read(&r->ctx, r->ent, r->id, 1, &e);
    if (!self) {
        reply_verr(r, &e);
        return;
    }
    json_decref(self);
    int donor = strcmp(r->ent->name, "org") != 0;
    int beneficiary = strcmp(r->ent->name, "enterprise") != 0;
    int person = !strcmp(r->ent->name, "person");
    json_t *out = json_object(), *part;
#define SECTION(name, when, call)                                                                  \
    if ((when) && (!only || !strcmp(only, name))) {                                                \
        if (!(part = (call))) {                                                                    \
            json_decref(out);                                                                      \
            reply_verr(r, &e);                                                                     \
            return;                                                                                \
        }                                                                                          \
        json_object_set_new(out, name, part);                                                      \
    }
    SECTION("donations", donor,
            party_section(r, &donation_entity, "donor", "received_on", "t.amount_cny", "", &e));
    SECTION("wishes", donor,
            party_section(r, &wish_entity, "donor", "id", "t.estimated_cost",
                          " AND t.status IN ('claimed', 'fulfilled')", &e));
    SECTION("disbursements", beneficiary,
            party_section(r, &disbursement_entity, "beneficiary", "paid_on", "t.amount",
                          " AND t.status = 'approved'", &e));
    SECTION("visits", person, person_visits(r, &e));
#undef SECTION
    reply_json(r, 200, out);
}

/* The sums of the visit log: people_count, packages, cash, suggestions, visits. */
static int visit_add(void *arg, json_t *rec)
{
    int64_t *t = arg;
    t[0] += num(rec, "people_count");
    t[1] += num(rec, "packages");
    t[2] += num(rec, "cash");
    t[3] += num(rec, "suggestions");
    t[4]++;
    return 0;
}

/* GET /api/v1/visit/totals?<the list's filters>: {"visits", "people" (人次), "packages",
 * "cash" (fen), "suggestions"} over every visit the same list would show (the scope, q,
 * field filters and ranges: visited_on_from=...&visited_on_to=...). */
static void visit_totals_h(struct req *r)
{
    int64_t t[5] = {0};
    struct verr e;
    if (ent_each(&r->ctx, &visit_entity, r->args, r->nargs, visit_add, t, &e) < 0) {
        reply_verr(r, &e);
        return;
    }
    reply_json(r, 200,
               json_pack("{s:I, s:I, s:I, s:I, s:I}", "visits", (json_int_t)t[4], "people",
                         (json_int_t)t[0], "packages", (json_int_t)t[1], "cash", (json_int_t)t[2],
                         "suggestions", (json_int_t)t[3]));
}

/* GET /api/v1/funds/settings: {"approval_threshold": fen}. */
static void settings_h(struct req *r)
{
    reply_json(r, 200, json_pack("{s:I}", "approval_threshold", (json_int_t)threshold(r->db)));
}

/* PUT /api/v1/funds/settings {"approval_threshold": fen}: audited. */
static void settings_put_h(struct req *r)
{
    static const struct field tf = {
        "approval_threshold", FT_MONEY, {"审批金额线", "審批金額線", "Approval threshold"},
        FF_REQUIRED,          .min = 0, .max = MONEY_MAX};
    setting_put(r, &tf, THRESHOLD_KEY, THRESHOLD_DEFAULT, "funds_settings");
}

/* The counters. */
static int funds_sync(db *d)
{
    if (number_sync(d, "receipt_counter") != DB_OK || number_sync(d, "voucher_counter") != DB_OK)
        return DB_ERROR;
    return DB_OK;
}

/* ---- figures (the work report) ----------------------------------------------------- */

/* A sum or count over the subtree's live rows of table whose date column falls in the
 * period, with more conditions (already in SQL); reversals count negative where they
 * carry negated amounts. */
static int64_t period_sum(db *d, const struct period *p, const char *what, const char *table,
                          const char *date, const char *more)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(%s, 0) FROM \"%s\" t JOIN \"org\" o ON o.id = t.org_id WHERE "
             "t.deleted_at IS NULL AND o.path >= ? AND o.path < ? AND t.%s >= ? AND t.%s <= ?%s",
             what, table, date, date, more);
    return db_int(d, -1, sql, "ssss", p->path, p->bound, p->from, p->to);
}

static int64_t donations_count(db *d, const struct period *p)
{
    return period_sum(d, p, "sum(CASE WHEN t.reverses_id IS NULL THEN 1 ELSE -1 END)", "donation",
                      "received_on", "");
}
static int64_t donations_amount(db *d, const struct period *p)
{
    return period_sum(d, p, "sum(t.amount_cny)", "donation", "received_on", "");
}
static int64_t disbursed(db *d, const struct period *p)
{
    return period_sum(d, p, "sum(t.amount)", "disbursement", "paid_on",
                      " AND t.status = 'approved'");
}
static int64_t people_helped(db *d, const struct period *p)
{
    return period_sum(d, p, "sum(t.people_helped)", "disbursement", "paid_on",
                      " AND t.status = 'approved'");
}
static int64_t visits_people(db *d, const struct period *p)
{
    return period_sum(d, p, "sum(t.people_count)", "visit", "visited_on", "");
}
static int64_t visits_cash(db *d, const struct period *p)
{
    return period_sum(d, p, "sum(t.cash)", "visit", "visited_on", "");
}
static int64_t visits_packages(db *d, const struct period *p)
{
    return period_sum(d, p, "sum(t.packages)", "visit", "visited_on", "");
}
static int64_t visits_suggestions(db *d, const struct period *p)
{
    return period_sum(d, p, "sum(t.suggestions)", "visit", "visited_on", "");
}
static int64_t wishes_fulfilled(db *d, const struct period *p)
{
    return period_sum(d, p, "count(*)", "wish", "fulfilled_on", " AND t.status = 'fulfilled'");
}

const struct module funds_module = {
    .name = "funds",
    .label = {"捐赠与帮扶", "捐贈與幫扶", "Donations and aid"},
    .entities =
        (const struct entity *const[]){&programme_entity, &donation_entity, &disbursement_entity,
                                       &visit_entity, &wish_entity, NULL},
    .routes =
        (const struct route[]){
            {"POST", "/api/v1/disbursement/{id}/approve", approve_h, NULL, P_APPROVE, 0},
            {"POST", "/api/v1/disbursement/{id}/reject", reject_h, NULL, P_APPROVE, 0},
            {"GET", "/api/v1/funds/settings", settings_h, NULL, P_VIEW, 0},
            {"GET", "/api/v1/{entity}/{id}/funds", party_funds_h, "funds", P_VIEW, 0},
            {"GET", "/api/v1/visit/totals", visit_totals_h, NULL, P_VIEW, 0},
            {"PUT", "/api/v1/funds/settings", settings_put_h, NULL, P_ADMIN, 0},
            {NULL},
        },
    .grants = (const struct grant[]){{"admin", GALL},
                                     {"finance", GV | GE | GX | GS | GA},
                                     {"leader", GV | GX | GS | GA},
                                     {"staff", GV | GE},
                                     {"viewer", GV},
                                     {NULL}},
    .sync = funds_sync,
    .figures =
        (const struct figure[]){
            {"donations.count", {"接受捐赠", "接受捐贈", "Donations"}, "笔", 0, donations_count},
            {"donations.amount", {"捐赠资金", "捐贈資金", "Donated"}, "元", 0, donations_amount},
            {"disbursements.amount", {"帮扶资金", "幫扶資金", "Disbursed"}, "元", 0, disbursed},
            {"disbursements.people_helped",
             {"帮扶", "幫扶", "People helped"},
             "人次",
             0,
             people_helped},
            {"visits.people", {"走访慰问", "走訪慰問", "People visited"}, "人次", 0, visits_people},
            {"visits.cash",
             {"发放慰问资金", "發放慰問資金", "Cash given on visits"},
             "元",
             0,
             visits_cash},
            {"visits.packages", {"送去慰问品", "送去慰問品", "Packages"}, "份", 0, visits_packages},
            {"visits.suggestions",
             {"收集意见建议", "收集意見建議", "Suggestions collected"},
             "条",
             0,
             visits_suggestions},
            {"wishes.fulfilled",
             {"实现微心愿", "實現微心願", "Wishes fulfilled"},
             "个",
             0,
             wishes_fulfilled},
            {NULL},
        },
};
