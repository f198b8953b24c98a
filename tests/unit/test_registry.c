/* Unit tests of the registry's code checks: the resident ID number (GB 11643), the
 * unified social credit code (GB 32100), the ISO 3166-1 table, and the validation of
 * those fields through the declarations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "codes.h"
#include "country.h"
#include "entity.h"

static void resident_id_check_characters(void **state)
{
    (void)state;
    /* The example of GB 11643-1999 itself, and others whose check is X, 0 and a digit. */
    assert_int_equal(resident_id_check("11010519491231002"), 'X');
    assert_int_equal(resident_id_check("44052418800101001"), '4');
    assert_int_equal(resident_id_check("11010119900307447"), '7');
    char birth[11];
    const char *why = NULL;
    assert_true(resident_id_valid("11010519491231002X", birth, &why));
    assert_string_equal(birth, "1949-12-31");
    assert_true(resident_id_valid("440524188001010014", birth, &why));
    assert_string_equal(birth, "1880-01-01");
}

static void resident_id_refusals(void **state)
{
    (void)state;
    char birth[11] = "";
    const char *why = NULL;
    static const char *const bad[] = {
        "11010519491231002x",  /* lower-case x (the person hook upper-cases first) */
        "110105194912310021",  /* wrong check digit */
        "11010519491231002",   /* 17 characters */
        "11010519491231002XX", /* 19 */
        "1101051949123100AX",  /* a letter among the digits */
        "110105194902300029",  /* 30 February */
        "110105170001010023",  /* year 1700 */
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        why = NULL;
        if (resident_id_valid(bad[i], birth, &why))
            fail_msg("accepted %s", bad[i]);
        assert_non_null(why);
    }
    /* Every single-digit change of a valid number is caught. */
    char id[] = "11010519491231002X";
    for (int pos = 0; pos < 17; pos++) {
        char keep = id[pos];
        for (char d = '0'; d <= '9'; d++) {
            if (d == keep)
                continue;
            id[pos] = d;
            assert_false(resident_id_valid(id, birth, &why));
        }
        id[pos] = keep;
    }
}

static void credit_code_checks(void **state)
{
    (void)state;
    const char *why = NULL;
    /* Published codes of well-known companies. */
    static const char *const good[] = {"914403001922038216", "9144030071526726XG",
                                       "91330100799655058B", "91350100M000100Y43"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        if (!credit_code_valid(good[i], &why))
            fail_msg("refused %s: %s", good[i], why);
        assert_int_equal(credit_code_check(good[i]), good[i][17]);
    }
    assert_false(credit_code_valid("914403001922038217", &why)); /* check char */
    assert_false(credit_code_valid("91440300192203821", &why));  /* 17 chars */
    assert_false(credit_code_valid("9144030019220382I6", &why)); /* I is not in the alphabet */
    assert_false(credit_code_valid("9144030071526726xg", &why)); /* lower case */
    assert_int_equal(credit_code_check("9144030019220382O"), 0);
    /* Swapping two adjacent different characters is caught. */
    char c[] = "91330100799655058B";
    for (int i = 0; i < 16; i++) {
        if (c[i] == c[i + 1])
            continue;
        char t = c[i];
        c[i] = c[i + 1];
        c[i + 1] = t;
        assert_false(credit_code_valid(c, &why));
        c[i + 1] = c[i];
        c[i] = t;
    }
    assert_true(credit_code_valid(c, &why));
}

static void countries_table(void **state)
{
    (void)state;
    assert_true(ncountries > 240);
    for (size_t i = 1; i < ncountries; i++)
        assert_true(strcmp(countries[i - 1].code, countries[i].code) < 0);
    assert_string_equal(country_find("MY")->name_zh, "马来西亚");
    assert_string_equal(country_find("SG")->name_zh, "新加坡");
    assert_string_equal(country_find("US")->name_zh, "美国");
    assert_string_equal(country_find("TW")->name_zh, "中国台湾");
    assert_string_equal(country_find("GB")->name_en, "United Kingdom");
    assert_null(country_find("XX"));
    assert_null(country_find("my"));
    assert_null(country_find("MYS"));
    assert_null(country_find(""));
    assert_null(country_find(NULL));
}

/* The country field of a declaration refuses codes that do not exist, in Chinese. */
static void country_fields(void **state)
{
    (void)state;
    const struct field *f = ent_field(entity_find("association"), "country");
    assert_non_null(f);
    json_t *out = NULL;
    struct verr e;
    assert_int_equal(ent_value_text(f, "MY", &out, &e), 0);
    assert_string_equal(json_string_value(out), "MY");
    json_decref(out);
    assert_int_equal(ent_value_text(f, "XX", &out, &e), -1);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.field, "country");
    assert_non_null(strstr(e.msg, "XX"));
    assert_non_null(strstr(e.msg, "所在国"));
    assert_int_equal(ent_value_text(f, "Malaysia", &out, &e), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resident_id_check_characters),
        cmocka_unit_test(resident_id_refusals),
        cmocka_unit_test(credit_code_checks),
        cmocka_unit_test(countries_table),
        cmocka_unit_test(country_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
