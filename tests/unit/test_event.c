/* Unit tests of event.c: editions in Chinese numerals (第五届, 第十二届, 第二十一届). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

char *zh_numeral(int n, char *out, size_t size); /* event.c */

static void numerals(void **state)
{
    (void)state;
    static const struct {
        int n;
        const char *zh;
    } cases[] = {
        {1, "一"},      {5, "五"},    {9, "九"},    {10, "十"},     {11, "十一"},
        {12, "十二"},   {19, "十九"}, {20, "二十"}, {21, "二十一"}, {30, "三十"},
        {99, "九十九"}, {0, ""},      {100, ""},    {-3, ""},
    };
    char out[32];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(zh_numeral(cases[i].n, out, sizeof out), cases[i].zh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numerals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
