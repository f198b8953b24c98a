/* Unit tests of the message catalog (msg.h): the generated table is in the order msg()
 * searches, every entry is found in each language, a format outside it stays as written,
 * verr_set writes in the thread's language, and a label given to a message follows it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "entity.h"
#include "msg.h"

static void the_table_is_sorted_and_whole(void **state)
{
    (void)state;
    assert_true(nmsg_texts > 300);
    for (size_t i = 0; i < nmsg_texts; i++) {
        const struct msg_text *t = &msg_texts[i];
        if (i)
            assert_true(strcmp(msg_texts[i - 1].hans, t->hans) < 0);
        assert_true(*t->hans && *t->hant && *t->en);
        assert_ptr_equal(msg(LANG_EN, t->hans), t->en);
        assert_ptr_equal(msg(LANG_HANT, t->hans), t->hant);
        assert_ptr_equal(msg(LANG_HANS, t->hans), t->hans);
    }
}

static void an_unknown_format_is_kept(void **state)
{
    (void)state;
    const char *f = "没有这样的消息 %s";
    assert_ptr_equal(msg(LANG_EN, f), f);
    assert_ptr_equal(msg(LANG_HANT, f), f);
}

static void verr_set_writes_in_the_threads_language(void **state)
{
    (void)state;
    struct verr e;
    static const struct label l = {"出生日期", "出生日期", "Birth date"};
    msg_lang_set(LANG_EN);
    verr_set(&e, 422, "invalid", "birth_date", "“%s”不能为空", msg_label(l));
    assert_string_equal(e.msg, "“Birth date” cannot be empty");
    assert_string_equal(e.code, "invalid");
    assert_string_equal(e.field, "birth_date");
    msg_lang_set(LANG_HANT);
    verr_set(&e, 404, "not_found", NULL, "没有这个接口: %s", "/x");
    assert_string_equal(e.msg, "沒有這個接口: /x");
    msg_lang_set(LANG_HANS);
    verr_set(&e, 422, "invalid", "birth_date", "“%s”不能为空", msg_label(l));
    assert_string_equal(e.msg, "“出生日期”不能为空");
}

static void accept_language(void **state)
{
    (void)state;
    assert_int_equal(lang_of("en-US,en;q=0.9"), LANG_EN);
    assert_int_equal(lang_of("zh-TW"), LANG_HANT);
    assert_int_equal(lang_of("zh-Hant-HK"), LANG_HANT);
    assert_int_equal(lang_of("zh-CN,zh;q=0.9"), LANG_HANS);
    assert_int_equal(lang_of(NULL), LANG_HANS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_table_is_sorted_and_whole),
        cmocka_unit_test(an_unknown_format_is_kept),
        cmocka_unit_test(verr_set_writes_in_the_threads_language),
        cmocka_unit_test(accept_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
