/* report.c - the reports module: who may read the figures, and the work report (SPEC "The
 * work report"): for an org's subtree and a period, every module's figures (module.figures,
 * computed from the records when asked), a year-by-year series, and a narrative that
 * phrases each figure as the federations' reports do (house_number). The case figures
 * (/api/v1/reports/cases, case.c) use this module's permissions. */
#include "api.h"
#include "import.h"
#include "module.h"
#include "report.h"
#include "workday.h"

#include <xlsxwriter.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- figures as the reports write them --------------------------------------------- */

/* v cut to `keep` significant digits; *cut set when anything was dropped. */
static int64_t significant(int64_t v, int keep, int *cut)
{
    int64_t p = 1;
    for (int64_t t = v; t >= 10; t /= 10)
        p *= 10;
    for (int i = 1; i < keep && p > 1; i++)
        p /= 10;
    int64_t k = v / p * p;
    *cut = k != v;
    return k;
}

/* The power of ten (100, 1000 …) that v is just under (at least 95% of it), or 0. */
static int64_t just_under(int64_t v)
{
    for (int64_t p = 100; p <= INT64_MAX / 100 && p / 100 <= v; p *= 10)
        if (v < p && v * 100 >= p * 95)
            return p;
    return 0;
}

/* 万, 十万, 百万, 千万, 亿 … for a power of ten from 10,000 (in words). */
static const char *power_words(int64_t p, enum lang lang)
{
    static const char *const hans[] = {"万", "十万", "百万", "千万", "亿", "十亿", "百亿", "千亿"};
    static const char *const hant[] = {"萬", "十萬", "百萬", "千萬", "億", "十億", "百億", "千億"};
    int i = 0;
    for (int64_t q = 10000; q < p && i < 7; q *= 10)
        i++;
    return lang == LANG_HANT ? hant[i] : hans[i];
}

/* n with thousands separators (English). */
static void grouped(buf *b, int64_t n)
{
    char d[24];
    int len = snprintf(d, sizeof d, "%lld", (long long)n);
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            buf_putc(b, ',');
        buf_putc(b, d[i]);
    }
}

/* The measure word in lang (figures declare it in zh-Hans); English writes none. */
static const char *measure(const char *unit, enum lang lang)
{
    static const char *const pairs[][2] = {{"个", "個"}, {"场", "場"}, {"笔", "筆"},
                                           {"条", "條"}, {"届", "屆"}, {NULL, NULL}};
    if (lang == LANG_EN)
        return "";
    if (lang == LANG_HANT)
        for (int i = 0; pairs[i][0]; i++)
            if (!strcmp(unit, pairs[i][0]))
                return pairs[i][1];
    return unit;
}

/* A count of things (not money) as the reports write it. */
static void count_words(buf *b, int64_t v, const char *unit, int standing, enum lang lang)
{
    const char *yu = lang == LANG_HANT ? "餘" : "余", *mw = measure(unit, lang);
    int64_t p = standing || v < 10 ? 0 : just_under(v);
    if (standing || v < 10) { /* rules 1 and 5: exact */
        if (lang == LANG_EN)
            grouped(b, v);
        else
            buf_printf(b, "%lld%s", (long long)v, mw);
    } else if (p) { /* rule 2: 近1000个, 近万名 */
        if (lang == LANG_EN) {
            buf_puts(b, "nearly ");
            grouped(b, p);
        } else if (p < 10000) {
            buf_printf(b, "近%lld%s", (long long)p, mw);
        } else {
            buf_printf(b, "近%s%s", power_words(p, lang), mw);
        }
    } else { /* rule 3: 50余个, 1700余人次, 1.2万余名 */
        int cut;
        int64_t k = significant(v, v < 100 ? 1 : 2, &cut);
        if (lang == LANG_EN) {
            buf_puts(b, cut ? "over " : "");
            grouped(b, k);
        } else if (k < 10000) {
            buf_printf(b, "%lld%s%s", (long long)k, cut ? yu : "", mw);
        } else {
            int64_t w = k / 10000, frac = k % 10000;
            char num[32];
            if (frac)
                snprintf(num, sizeof num, "%lld.%lld", (long long)w, (long long)(frac / 1000));
            else
                snprintf(num, sizeof num, "%lld", (long long)w);
            buf_printf(b, "%s%s%s%s", num, lang == LANG_HANT ? "萬" : "万", cut ? yu : "", mw);
        }
    }
}

/* Money (fen) as the reports write it: 元 below 1万, 万元 from 1万, 亿元 from 1亿. */
static void money_words(buf *b, int64_t fen, enum lang lang)
{
    const char *yu = lang == LANG_HANT ? "餘" : "余";
    int64_t yuan = fen / 100;
    int64_t p = yuan < 10 ? 0 : just_under(yuan);
    if (yuan >= 100000000) {        /* 2.28亿元: two decimals, truncated, zeros dropped */
        int64_t h = yuan / 1000000; /* hundredths of 亿 */
        if (lang == LANG_EN) {
            buf_puts(b, "¥");
            grouped(b, h * 1000000);
            return;
        }
        buf_printf(b, "%lld", (long long)(h / 100));
        if (h % 100)
            buf_printf(b, h % 10 ? ".%02lld" : ".%lld",
                       (long long)(h % 10 ? h % 100 : h % 100 / 10));
        buf_puts(b, lang == LANG_HANT ? "億元" : "亿元");
    } else if (p) { /* 近万元, 近百万元: always in words */
        if (lang == LANG_EN) {
            buf_puts(b, "nearly ¥");
            grouped(b, p);
        } else if (p < 10000) {
            buf_printf(b, "近%s元", p == 100 ? "百" : "千");
        } else {
            buf_printf(b, "近%s元", power_words(p, lang));
        }
    } else if (yuan < 10000) { /* 5元, 5600余元 */
        int cut = 0;
        int64_t k = yuan < 10 ? yuan : significant(yuan, yuan < 100 ? 1 : 2, &cut);
        if (lang == LANG_EN) {
            buf_puts(b, cut ? "over ¥" : "¥");
            grouped(b, k);
        } else {
            buf_printf(b, "%lld%s元", (long long)k, cut ? yu : "");
        }
    } else { /* the number of 万 by rules 1-3: 40余万元, 260余万元, 800万元, 2万余元 */
        int64_t w = yuan / 10000;
        int cut = yuan % 10000 != 0, more = 0;
        int64_t k = w < 10 ? w : significant(w, w < 100 ? 1 : 2, &more);
        cut |= more;
        if (lang == LANG_EN) {
            buf_puts(b, cut ? "over ¥" : "¥");
            grouped(b, k * 10000);
        } else {
            const char *wan = lang == LANG_HANT ? "萬" : "万"; /* 40余万元 but 2万余元 */
            buf_printf(b, "%lld%s%s元", (long long)k,
                       w < 10 ? wan
                       : cut  ? yu
                              : "",
                       w < 10 ? (cut ? yu : "") : wan);
        }
    }
}

void house_number(buf *b, int64_t v, const char *unit, int standing, enum lang lang)
{
    if (!strcmp(unit, "元"))
        money_words(b, v, lang);
    else
        count_words(b, v, unit, standing, lang);
}

/* ---- the work report --------------------------------------------------------------- */

/* The declared figure of key, or NULL. */
static const struct figure *figure_of(const char *key)
{
    for (int i = 0; modules[i]; i++)
        for (const struct figure *f = modules[i]->figures; f && f->key; f++)
            if (!strcmp(f->key, key))
                return f;
    return NULL;
}

/* A day's date as the narrative writes it. */
static void day_words(buf *b, const char *day, enum lang lang)
{
    int y = atoi(day), m = atoi(day + 5), d = atoi(day + 8);
    if (lang == LANG_EN)
        buf_printf(b, "%04d-%02d-%02d", y, m, d);
    else
        buf_printf(b, "%d年%d月%d日", y, m, d);
}

/* The narrative: what stands at `to`, then what was done over the period, every figure
 * that is not zero in the modules' order, phrased by house_number. */
static char *narrative(const char *org_name, const char *from, const char *to, json_t *figures,
                       enum lang lang)
{
    static const struct label and_under = {"%s及所属组织", "%s及所屬組織",
                                           "%s and the organisations under it"},
                              standing_at = {"现有", "現有", "Standing at the end: "},
                              over = {"期间，", "期間，", "Over the period: "},
                              none = {"暂无可统计的记录", "暫無可統計的記錄", "no records yet"};
    const int en = lang == LANG_EN;
    buf b = {0};
    buf_puts(&b, en ? "From " : "");
    day_words(&b, from, lang);
    buf_puts(&b, en ? " to " : "至");
    day_words(&b, to, lang);
    buf_puts(&b, en ? ", " : "，");
    buf_printf(&b, lbl(lang, and_under), org_name);
    int any = 0;
    for (int standing = 1; standing >= 0; standing--) {
        int n = 0;
        for (int i = 0; modules[i]; i++)
            for (const struct figure *f = modules[i]->figures; f && f->key; f++) {
                int64_t v = json_integer_value(json_object_get(figures, f->key));
                if ((f->standing != FIG_OVER) != standing || v <= 0)
                    continue;
                if (!n++)
                    buf_puts(&b, any ? (en ? " " : "") : (en ? ". " : "："));
                buf_puts(&b, n > 1 ? (en ? "; " : "，") : lbl(lang, standing ? standing_at : over));
                buf_printf(&b, en ? "%s: " : "%s", lbl(lang, f->label));
                house_number(&b, v, f->unit, f->standing, lang);
            }
        if (n)
            buf_puts(&b, en ? "." : "。");
        any |= n;
    }
    if (!any)
        buf_printf(&b, "%s%s%s", en ? ": " : "：", lbl(lang, none), en ? "." : "。");
    return buf_take(&b);
}

/* The figures of the subtree at path from..to as a new object (those it shares with known,
 * the figures over kp, taken from them: module_figures); NULL after a database error. */
static json_t *figures_over(db *d, arena *a, const char *path, const char *from, const char *to,
                            struct period *p, const json_t *known, const struct period *kp)
{
    if (period_make(p, a, path, from, to))
        return NULL;
    int share = kp ? kp->wide : subtree_share(d, path, p->bound);
    if (share < 0)
        return NULL;
    p->wide = share > 0;
    return module_figures(d, p, known, kp);
}

/* The photos of the events of the subtree at path that began in the period, to choose
 * from for the printable page: [{id, event_id, event_name, starts_on, caption, cover,
 * updated_at}], the events in date order, each event's cover first; at most 100. NULL on a
 * database error. */
static json_t *period_photos(db *d, const char *path, const char *from, const char *to)
{
    stmt *s = db_prepare(
        d, "SELECT p.id, p.event_id, e.name AS event_name, e.starts_on, p.caption, p.cover, "
           "p.updated_at FROM event_photo p JOIN event e ON e.id = p.event_id JOIN \"org\" o ON "
           "o.id = e.org_id WHERE p.deleted_at IS NULL AND e.deleted_at IS NULL AND o.path >= ? "
           "AND o.path < ? AND e.starts_on >= ? AND e.starts_on <= ? ORDER BY e.starts_on, e.id, "
           "p.cover DESC, p.id LIMIT 100");
    if (!s)
        return NULL;
    arena *a = arena_new();
    st_bind_text(s, 1, path);
    st_bind_text(s, 2, path_bound(a, path));
    st_bind_text(s, 3, from);
    st_bind_text(s, 4, to);
    json_t *out = json_array();
    int rc;
    while ((rc = st_step(s)) == DB_ROW)
        json_array_append_new(
            out,
            json_pack("{s:I, s:I, s:s, s:s, s:s?, s:b, s:s?}", "id", (json_int_t)st_int(s, "id"),
                      "event_id", (json_int_t)st_int(s, "event_id"), "event_name",
                      st_text(s, "event_name"), "starts_on", st_text(s, "starts_on"), "caption",
                      st_text(s, "caption"), "cover", (int)st_int(s, "cover"), "updated_at",
                      st_text(s, "updated_at")));
    st_finalize(s);
    arena_free(a);
    if (rc != DB_DONE) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *work_report(db *d, arena *a, json_t *org, const char *from, const char *to, enum lang lang,
                    struct verr *e)
{
    const char *path = json_string_value(json_object_get(org, "path"));
    struct period whole, year;
    json_t *figures = figures_over(d, a, path, from, to, &whole, NULL, NULL);
    if (!figures) {
        verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
        return NULL;
    }
    json_t *series = json_array();
    for (int y = atoi(from); y <= atoi(to); y++) {
        char f[11], t[11];
        snprintf(f, sizeof f, "%04d-01-01", y);
        snprintf(t, sizeof t, "%04d-12-31", y);
        json_t *fy = figures_over(d, a, path, y == atoi(from) ? from : f, y == atoi(to) ? to : t,
                                  &year, figures, &whole);
        if (!fy) {
            json_decref(figures);
            json_decref(series);
            verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
            return NULL;
        }
        json_array_append_new(series, json_pack("{s:i, s:o}", "year", y, "figures", fy));
    }
    json_t *photos = period_photos(d, path, from, to);
    if (!photos) {
        json_decref(figures);
        json_decref(series);
        verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
        return NULL;
    }
    char *text =
        narrative(json_string_value(json_object_get(org, "name")), from, to, figures, lang);
    json_t *res = json_pack("{s:{s:O, s:O}, s:s, s:s, s:o, s:o, s:s, s:o}", "org", "id",
                            json_object_get(org, "id"), "name", json_object_get(org, "name"),
                            "from", from, "to", to, "figures", figures, "series", series,
                            "narrative", text, "photos", photos);
    free(text);
    return res;
}

static json_t *work_labels(enum lang lang)
{
    json_t *o = json_object();
    for (int i = 0; modules[i]; i++)
        for (const struct figure *f = modules[i]->figures; f && f->key; f++)
            json_object_set_new(o, f->key,
                                json_pack("{s:s, s:s, s:b}", "label", lbl(lang, f->label), "unit",
                                          strcmp(f->unit, "元") ? measure(f->unit, lang) : "元",
                                          "standing", f->standing));
    return o;
}

static const char *work_phrase(arena *a, const char *key, int64_t v, enum lang lang)
{
    const struct figure *f = figure_of(key);
    if (!f)
        return "";
    buf b = {0};
    house_number(&b, v, f->unit, f->standing, lang);
    const char *s = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return s;
}

/* The period of a request: from and to (YYYY-MM-DD, Beijing), from on or before to, at
 * most 50 years; defaults: the first of this year to today. 0, or -1 with e. */
int work_period(const char *from_s, const char *to_s, char from[11], char to[11], struct verr *e)
{
    static const struct field ff = {"from", FT_DATE, {"起始日期", "起始日期", "From"}, 0};
    static const struct field tf = {"to", FT_DATE, {"截止日期", "截止日期", "To"}, 0};
    char today[11];
    today_cn(today);
    snprintf(to, 11, "%s", today);
    snprintf(from, 11, "%.4s-01-01", today);
    json_t *v = NULL;
    if (from_s && *from_s) {
        if (ent_value_text(&ff, from_s, &v, e))
            return -1;
        snprintf(from, 11, "%s", json_string_value(v));
        json_decref(v);
    }
    if (to_s && *to_s) {
        if (ent_value_text(&tf, to_s, &v, e))
            return -1;
        snprintf(to, 11, "%s", json_string_value(v));
        json_decref(v);
    }
    if (strcmp(from, to) > 0)
        return verr_set(e, 400, "bad_request", "from", "起始日期 %s 晚于截止日期 %s", from, to);
    if (atoi(to) - atoi(from) >= 50)
        return verr_set(e, 400, "bad_request", "from", "报告期最长 50 年: %s 至 %s", from, to);
    return 0;
}

int work_workbook(const char *file, json_t *rep, enum lang lang)
{
    static const struct label sheet1 = {"工作报告", "工作報告", "Work report"},
                              sheet2 = {"逐年", "逐年", "By year"},
                              what = {"指标", "指標", "Figure"}, value = {"数值", "數值", "Value"},
                              unit = {"单位", "單位", "Unit"}, words = {"表述", "表述", "In words"},
                              kind = {"口径", "口徑", "Kind"},
                              at_end = {"期末现有", "期末現有", "standing at the end"},
                              over = {"期间累计", "期間累計", "over the period"};
    lxw_workbook *wb = workbook_new(file);
    if (!wb)
        return -1;
    lxw_format *bold = workbook_add_format(wb), *money = workbook_add_format(wb),
               *wrap = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_bg_color(bold, 0xDDEBF7);
    format_set_border(bold, LXW_BORDER_THIN);
    format_set_num_format(money, "#,##0.00");
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    json_t *figures = json_object_get(rep, "figures"), *series = json_object_get(rep, "series");
    lxw_worksheet *ws = workbook_add_worksheet(wb, lbl(lang, sheet1));
    lxw_worksheet *wy = workbook_add_worksheet(wb, lbl(lang, sheet2));
    worksheet_set_column(ws, 0, 0, 28, NULL);
    worksheet_set_column(ws, 1, 2, 14, NULL);
    worksheet_set_column(ws, 3, 4, 18, NULL);
    worksheet_set_column(wy, 0, 0, 28, NULL);
    worksheet_merge_range(ws, 0, 0, 0, 4, json_string_value(json_object_get(rep, "narrative")),
                          wrap);
    worksheet_set_row(ws, 0, 150, NULL);
    const struct label *heads[] = {&what, &value, &unit, &words, &kind};
    for (int i = 0; i < 5; i++)
        worksheet_write_string(ws, 2, (lxw_col_t)i, lbl(lang, *heads[i]), bold);
    worksheet_write_string(wy, 0, 0, lbl(lang, what), bold);
    size_t yi;
    json_t *y;
    json_array_foreach(series, yi, y) worksheet_write_number(
        wy, 0, (lxw_col_t)(yi + 1), (double)json_integer_value(json_object_get(y, "year")), bold);
    lxw_row_t row = 3, yrow = 1;
    for (int i = 0; modules[i]; i++)
        for (const struct figure *f = modules[i]->figures; f && f->key; f++) {
            int is_money = !strcmp(f->unit, "元");
            int64_t v = json_integer_value(json_object_get(figures, f->key));
            buf b = {0};
            house_number(&b, v, f->unit, f->standing, lang);
            worksheet_write_string(ws, row, 0, lbl(lang, f->label), NULL);
            worksheet_write_number(ws, row, 1, is_money ? (double)v / 100 : (double)v,
                                   is_money ? money : NULL);
            worksheet_write_string(ws, row, 2, is_money ? "元" : measure(f->unit, lang), NULL);
            worksheet_write_string(ws, row, 3, buf_str(&b), NULL);
            worksheet_write_string(ws, row++, 4, lbl(lang, f->standing ? at_end : over), NULL);
            buf_free(&b);
            worksheet_write_string(wy, yrow, 0, lbl(lang, f->label), NULL);
            json_array_foreach(series, yi, y)
            {
                int64_t yv =
                    json_integer_value(json_object_get(json_object_get(y, "figures"), f->key));
                worksheet_write_number(wy, yrow, (lxw_col_t)(yi + 1),
                                       is_money ? (double)yv / 100 : (double)yv,
                                       is_money ? money : NULL);
            }
            yrow++;
        }
    worksheet_freeze_panes(ws, 3, 0);
    worksheet_freeze_panes(wy, 1, 1);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

/* The report a request asks for (org, from, to, lang), or NULL after answering. */
static json_t *work_of(struct req *r, enum lang *lang)
{
    static const char *const known[] = {"org", "from", "to", "lang", NULL};
    struct verr e;
    char from[11], to[11];
    json_t *o = req_org(r, known);
    if (!o)
        return NULL;
    if (work_period(req_arg(r, "from"), req_arg(r, "to"), from, to, &e)) {
        json_decref(o);
        reply_verr(r, &e);
        return NULL;
    }
    *lang = (enum lang)req_lang(r);
    json_t *rep = work_report(r->db, r->a, o, from, to, *lang, &e);
    json_decref(o);
    if (!rep)
        reply_verr(r, &e);
    return rep;
}

/* GET /api/v1/reports/work?org=ID&from=&to=&lang= (SPEC "The fixed interface"), with
 * `labels` ({key: {label, unit, standing}}) and `phrases` ({key: text}) for the page. */
static void work_h(struct req *r)
{
    enum lang lang;
    json_t *rep = work_of(r, &lang), *v;
    if (!rep)
        return;
    json_t *phrases = json_object();
    const char *k;
    json_object_foreach(json_object_get(rep, "figures"), k, v) json_object_set_new(
        phrases, k, json_string(work_phrase(r->a, k, json_integer_value(v), lang)));
    json_object_set_new(rep, "phrases", phrases);
    json_object_set_new(rep, "labels", work_labels(lang));
    reply_json(r, 200, rep);
}

/* GET /api/v1/reports/work.xlsx?… : the same report as a workbook. */
static void work_xlsx_h(struct req *r)
{
    enum lang lang;
    json_t *rep = work_of(r, &lang);
    if (!rep)
        return;
    char path[] = "/tmp/qiao-report-XXXXXX";
    int fd = mkstemp(path);
    size_t len = 0;
    char *data = NULL;
    if (fd >= 0) {
        close(fd);
        if (work_workbook(path, rep, lang) == 0)
            data = file_slurp(path, &len);
        unlink(path);
    }
    if (!data) {
        json_decref(rep);
        reply_error(r, 500, "internal", NULL, "无法写出 XLSX 文件, 未导出");
        return;
    }
    reply_header(r, "Content-Disposition",
                 arena_printf(r->a, "attachment; filename=\"work-report-%s-%s.xlsx\"",
                              json_string_value(json_object_get(rep, "from")),
                              json_string_value(json_object_get(rep, "to"))));
    json_decref(rep);
    reply_raw(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data,
              len);
}

int report_cli(db *d, int64_t org, const char *from_s, const char *to_s, const char *xlsx)
{
    struct verr e;
    char from[11], to[11];
    if (work_period(from_s, to_s, from, to, &e)) {
        fprintf(stderr, "qiao: %s\n", e.msg);
        return 2;
    }
    arena *a = arena_new();
    struct ent_ctx c = {.db = d, .a = a};
    json_t *o = ent_read(&c, entity_find("org"), org ? org : 1, 1, &e);
    json_t *rep = o ? work_report(d, a, o, from, to, msg_lang(), &e) : NULL;
    json_decref(o);
    int rc = 0;
    if (!rep) {
        fprintf(stderr, "qiao: %s\n", e.msg);
        rc = 1;
    } else {
        printf("%s\n", json_string_value(json_object_get(rep, "narrative")));
        if (xlsx && work_workbook(xlsx, rep, msg_lang())) {
            fprintf(stderr, msg_cur("qiao: 无法写出 %s\n"), xlsx);
            rc = 1;
        } else if (xlsx) {
            fprintf(stderr, msg_cur("已写出 %s\n"), xlsx);
        }
    }
    json_decref(rep);
    arena_free(a);
    return rc;
}

const struct module report_module = {
    .name = "report",
    .label = {"统计报表", "統計報表", "Reports"},
    .routes =
        (const struct route[]){
            {"GET", "/api/v1/reports/work", work_h, NULL, P_VIEW, 0},
            {"GET", "/api/v1/reports/work.xlsx", work_xlsx_h, NULL, P_EXPORT, 0},
            {NULL},
        },
    .grants = (const struct grant[]){{"admin", GALL},
                                     {"leader", GV | GX},
                                     {"staff", GV | GX},
                                     {"finance", GV | GX},
                                     {"viewer", GV},
                                     {NULL}},
};
