/* Unit tests of the funds ledger's arithmetic: rates as decimal strings, the conversion
 * to fen rounded half-up with integers only, and amounts in Chinese capital numerals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "funds.h"

static void rates_are_decimal_strings(void **state)
{
    (void)state;
    int64_t n;
    int d;
    assert_true(funds_rate("7.1234", &n, &d));
    assert_int_equal(n, 71234);
    assert_int_equal(d, 4);
    assert_true(funds_rate("1", &n, &d));
    assert_int_equal(n, 1);
    assert_int_equal(d, 0);
    assert_true(funds_rate("0.00000001", &n, &d));
    assert_int_equal(d, 8);
    const char *bad[] = {"",      "0",   "0.0", "-7.1", "7.",          ".5",
                         "7.1.2", "7,1", "1e3", "七",   "0.000000001", "123456789012345678",
                         " 7.1",  NULL};
    for (int i = 0; bad[i]; i++)
        assert_false(funds_rate(bad[i], &n, &d));
}

static int64_t cny(int64_t amount, int exp, const char *rate)
{
    int64_t n, f = 0;
    int d;
    assert_true(funds_rate(rate, &n, &d));
    assert_true(funds_cny(amount, exp, n, d, &f));
    return f;
}

static void conversion_rounds_half_up(void **state)
{
    (void)state;
    assert_int_equal(cny(10000, 2, "7.12345"), 71235);   /* 712.345 元 */
    assert_int_equal(cny(10000, 2, "7.12344"), 71234);   /* 712.344 元 */
    assert_int_equal(cny(-10000, 2, "7.12345"), -71235); /* a reversal: exactly negated */
    assert_int_equal(cny(1000, 0, "0.0475"), 4750);      /* 1000 JPY */
    assert_int_equal(cny(1, 0, "0.0049"), 0);            /* 0.49 fen */
    assert_int_equal(cny(1, 0, "0.005"), 1);             /* 0.5 fen: up */
    assert_int_equal(cny(123456, 2, "1"), 123456);       /* CNY */
    /* large: 10 亿 USD at 7.12345678 does not overflow (128-bit intermediate) */
    assert_int_equal(cny(100000000000LL, 2, "7.12345678"), 712345678000LL);
    int64_t f;
    assert_false(funds_cny(INT64_MAX, 0, 99999999, 0, &f)); /* too large: refused */
}

static void capital(int64_t fen, const char *want)
{
    buf b = {0};
    funds_capital(&b, fen);
    assert_string_equal(buf_str(&b), want);
    buf_free(&b);
}

static void amounts_in_capital_numerals(void **state)
{
    (void)state;
    capital(1230000, "壹万贰仟叁佰元整");
    capital(2345678, "贰万叁仟肆佰伍拾陆元柒角捌分");
    capital(0, "零元整");
    capital(5, "伍分");
    capital(50, "伍角");
    capital(1000, "壹拾元整");
    capital(100005, "壹仟元零伍分");
    capital(100050, "壹仟元伍角");
    capital(1000500, "壹万零伍元整");
    capital(10050000, "壹拾万零伍佰元整");
    capital(100000000, "壹佰万元整");
    capital(10000000100LL, "壹亿零壹元整");
    capital(10100000000LL, "壹亿零壹佰万元整");
    capital(22835000000LL, "贰亿贰仟捌佰叁拾伍万元整");
    capital(-1230000, "负壹万贰仟叁佰元整");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rates_are_decimal_strings),
        cmocka_unit_test(conversion_rounds_half_up),
        cmocka_unit_test(amounts_in_capital_numerals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
