/* Unit tests of the work report's figures as the reports write them (SPEC "Figures as the
 * reports write them"): every example SPEC gives, in the three languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "report.h"

static void says(int64_t v, const char *unit, int standing, enum lang lang, const char *want)
{
    buf b = {0};
    house_number(&b, v, unit, standing, lang);
    if (strcmp(buf_str(&b), want))
        fail_msg("%lld %s (%s): \"%s\", want \"%s\"", (long long)v, unit,
                 standing ? "standing" : "total", buf_str(&b), want);
    buf_free(&b);
}

static void counts_over_a_period(void **state)
{
    (void)state;
    says(5, "份", 0, LANG_HANS, "5份"); /* rule 1: under 10, exact */
    says(3, "届", 0, LANG_HANS, "3届");
    says(53, "个", 0, LANG_HANS, "50余个"); /* rule 3 */
    says(104, "件", 0, LANG_HANS, "100余件");
    says(186, "篇", 0, LANG_HANS, "180余篇");
    says(812, "个", 0, LANG_HANS, "810余个");
    says(1734, "人次", 0, LANG_HANS, "1700余人次");
    says(1700, "人次", 0, LANG_HANS, "1700人次");
    says(50, "个", 0, LANG_HANS, "50个");
    says(960, "个", 0, LANG_HANS, "近1000个"); /* rule 2: in digits below 10,000 */
    says(97, "件", 0, LANG_HANS, "近100件");
    says(9600, "名", 0, LANG_HANS, "近万名"); /* in words from 万 */
    says(98000, "人次", 0, LANG_HANS, "近十万人次");
    says(94, "件", 0, LANG_HANS, "90余件"); /* 94 is not 95% of 100 */
    says(12345, "名", 0, LANG_HANS, "1.2万余名");
    says(150000, "名", 0, LANG_HANS, "15万名");
}

static void what_stands_is_exact(void **state)
{
    (void)state;
    says(67, "个", 1, LANG_HANS, "67个"); /* rule 5 */
    says(110, "个", 1, LANG_HANS, "110个");
    says(98, "个", 1, LANG_HANS, "98个");
    says(12345, "名", 1, LANG_HANS, "12345名");
}

static void money(void **state)
{
    (void)state;
    says(412000 * 100LL, "元", 0, LANG_HANS, "40余万元"); /* rule 4 */
    says(2640000 * 100LL, "元", 0, LANG_HANS, "260余万元");
    says(8000000 * 100LL, "元", 0, LANG_HANS, "800万元");
    says(960000 * 100LL, "元", 0, LANG_HANS, "近百万元");
    says(228350000 * 100LL, "元", 0, LANG_HANS, "2.28亿元");
    says(200000000 * 100LL, "元", 0, LANG_HANS, "2亿元");
    says(205000000 * 100LL, "元", 0, LANG_HANS, "2.05亿元");
    says(9700 * 100LL, "元", 0, LANG_HANS, "近万元"); /* money near a power: always words */
    says(97000000 * 100LL, "元", 0, LANG_HANS, "近亿元");
    says(9990000 * 100LL, "元", 0, LANG_HANS, "近千万元");
    says(5678 * 100LL, "元", 0, LANG_HANS, "5600余元"); /* in 元 below 1万 */
    says(8 * 100LL, "元", 0, LANG_HANS, "8元");
    says(23456 * 100LL, "元", 0, LANG_HANS, "2万余元");
    says(30000 * 100LL, "元", 0, LANG_HANS, "3万元");
}

static void other_languages(void **state)
{
    (void)state;
    says(53, "个", 0, LANG_HANT, "50餘個");
    says(412000 * 100LL, "元", 0, LANG_HANT, "40餘萬元");
    says(228350000 * 100LL, "元", 0, LANG_HANT, "2.28億元");
    says(9600, "名", 0, LANG_HANT, "近萬名");
    says(12, "场", 0, LANG_HANT, "10餘場");
    says(53, "个", 0, LANG_EN, "over 50");
    says(1734, "人次", 0, LANG_EN, "over 1,700");
    says(960, "个", 0, LANG_EN, "nearly 1,000");
    says(67, "个", 1, LANG_EN, "67");
    says(412000 * 100LL, "元", 0, LANG_EN, "over ¥400,000");
    says(960000 * 100LL, "元", 0, LANG_EN, "nearly ¥1,000,000");
    says(228350000 * 100LL, "元", 0, LANG_EN, "¥228,000,000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_over_a_period),
        cmocka_unit_test(what_stands_is_exact),
        cmocka_unit_test(money),
        cmocka_unit_test(other_languages),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
