/* Unit tests of http.c's JSON text (json_compact, json_text): byte for byte what jansson's
 * json_dumps(j, JSON_COMPACT) writes, and with sorted keys JSON_COMPACT | JSON_SORT_KEYS, for the
 * values an answer holds (every escape, every control character, CJK and four-byte characters, the
 * integer limits, reals, empty and nested containers, keys in the order they were set) and for
 * 2,000 random trees; and appended to what the buffer already holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "msg.h"
#include "store.h"

#include <unistd.h>

/* json_compact(j) and json_dumps(j, JSON_COMPACT) are the same text, and json_text's
 * with and without sorted keys are jansson's. */
static void same_as_jansson(json_t *j)
{
    char *want = json_dumps(j, JSON_COMPACT);
    assert_non_null(want);
    buf b = {0};
    json_compact(&b, j);
    assert_string_equal(buf_str(&b), want);
    assert_int_equal(b.len, strlen(want));
    buf_free(&b);
    char *got = json_text(j, 0);
    assert_string_equal(got, want);
    free(got);
    free(want);
    want = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    got = json_text(j, 1);
    assert_string_equal(got, want);
    free(got);
    free(want);
}

static void the_values_of_an_answer(void **state)
{
    (void)state;
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string("陈嘉庚"));
    json_object_set_new(o, "quote", json_string("他说: \"侨\\联\" / ok"));
    json_object_set_new(o, "controls", json_string("a\bb\fc\nd\re\tf\x01g\x1fh\x7f"));
    json_object_set_new(o, "emoji", json_string("福😀𠀀"));
    json_object_set_new(o, "nul", json_stringn("a\0b", 3));
    json_object_set_new(o, "empty", json_string(""));
    json_object_set_new(o, "max", json_integer(INT64_MAX));
    json_object_set_new(o, "min", json_integer(INT64_MIN));
    json_object_set_new(o, "zero", json_integer(0));
    json_object_set_new(o, "fen", json_integer(-2345678));
    json_object_set_new(o, "rate", json_real(7.1234));
    json_object_set_new(o, "third", json_real(1.0 / 3));
    json_object_set_new(o, "whole", json_real(3.0));
    json_object_set_new(o, "big", json_real(1e300));
    json_object_set_new(o, "small", json_real(-2.5e-8));
    json_object_set_new(o, "yes", json_true());
    json_object_set_new(o, "no", json_false());
    json_object_set_new(o, "none", json_null());
    json_object_set_new(o, "list", json_pack("[[],{},[1,[2,{\"k\":null}]],\"x\"]"));
    json_object_set_new(o, "键\"名", json_string("key with an escape"));
    same_as_jansson(o);
    json_object_del(o, "name"); /* the order after a delete and a set again */
    json_object_set_new(o, "name", json_string("陈"));
    same_as_jansson(o);
    json_decref(o);
    json_t *a = json_array();
    same_as_jansson(a);
    json_decref(a);
    /* more keys than the sort holds on its stack, set in reverse */
    json_t *many = json_object();
    for (int i = 99; i >= 0; i--) {
        char k[16];
        snprintf(k, sizeof k, "k%02d", i);
        json_object_set_new(many, k, json_pack("{s:i, s:i}", "b", i, "a", -i));
    }
    same_as_jansson(many);
    char *sorted = json_text(many, 1);
    assert_true(strstr(sorted, "{\"k00\":{\"a\":0,\"b\":0},\"k01\":") == sorted);
    free(sorted);
    json_decref(many);
}

static unsigned rnd_state = 12345;
static unsigned rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 16) & 0x7fff;
}

static json_t *random_text(void)
{
    static const char *const parts[] = {"林", "Tan", "\"", "\\", "\n",   "\t",   "\x02", "/",
                                        "é",  "😀",   " ",  "0",  "\x1f", "侨联", "\r",   "\b"};
    buf b = {0};
    for (unsigned n = rnd() % 8; n--;)
        buf_puts(&b, parts[rnd() % (sizeof parts / sizeof *parts)]);
    json_t *s = json_string(buf_str(&b));
    buf_free(&b);
    return s;
}

static json_t *random_tree(int depth)
{
    switch (depth > 3 ? rnd() % 6 : rnd() % 8) {
    case 0:
        return random_text();
    case 1:
        return json_integer((json_int_t)rnd() * (rnd() % 2 ? -1 : 1) * (json_int_t)rnd());
    case 2:
        return json_real((double)rnd() / (1 + rnd() % 1000));
    case 3:
        return json_true();
    case 4:
        return json_false();
    case 5:
        return json_null();
    case 6: {
        json_t *a = json_array();
        for (unsigned n = rnd() % 5; n--;)
            json_array_append_new(a, random_tree(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (unsigned n = rnd() % 5; n--;) {
            json_t *k = random_text();
            json_object_set_new(o, json_string_value(k), random_tree(depth + 1));
            json_decref(k);
        }
        return o;
    }
    }
}

static void random_trees(void **state)
{
    (void)state;
    for (int i = 0; i < 2000; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "v", random_tree(0));
        same_as_jansson(o);
        json_decref(o);
    }
}

static void appended_to_a_buffer(void **state)
{
    (void)state;
    buf b = {0};
    buf_puts(&b, "before:");
    json_t *j = json_pack("{s:[s,i]}", "k", "值", 1);
    json_compact(&b, j);
    json_compact(&b, j);
    assert_string_equal(buf_str(&b), "before:{\"k\":[\"值\",1]}{\"k\":[\"值\",1]}");
    json_decref(j);
    buf_free(&b);
}

/* A database failure is answered in the reader's language: the message given, or the
 * busy one (reply_db_error). */
static void a_database_failure_in_the_readers_language(void **state)
{
    (void)state;
    char path[64], err[256];
    snprintf(path, sizeof path, "/tmp/qiao-unit-http%d.db", (int)getpid());
    unlink(path);
    const struct {
        enum lang lang;
        const char *message;
    } want[] = {{LANG_EN, "Login failed, please try again later"},
                {LANG_HANT, "登入失敗, 請稍後再試"},
                {LANG_HANS, "登录失败, 请稍后再试"}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        struct req r = {.a = arena_new(), .db = db_open(path, err, sizeof err)};
        assert_non_null(r.db);
        r.ctx.lang = want[i].lang;
        reply_db_error(&r, "登录失败, 请稍后再试");
        assert_int_equal(r.status, 500);
        json_t *j = json_loadb(r.out, r.out_len, 0, NULL);
        assert_non_null(j);
        json_t *e = json_object_get(j, "error");
        assert_string_equal(json_string_value(json_object_get(e, "code")), "internal");
        assert_string_equal(json_string_value(json_object_get(e, "message")), want[i].message);
        json_decref(j);
        free(r.out);
        db_close(r.db);
        arena_free(r.a);
    }
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_values_of_an_answer),
        cmocka_unit_test(random_trees),
        cmocka_unit_test(appended_to_a_buffer),
        cmocka_unit_test(a_database_failure_in_the_readers_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
