/* Unit tests of the message catalog (msg.h): the generated table is in the order msg()
 * searches, every entry is found in each language, a format outside it stays as written,
 * verr_set writes in the thread's language, and a label given to a message follows it.
 * Then every entry, in each language, rendered with sample arguments by the C library's
 * printf (verr_set's own path for the formats that take only strings): nothing empty, the
 * same conversions in the three, no Chinese in the English outside quotes, and the zh-Hant
 * text traditional: different from the zh-Hans where OpenCC's s2tw changes it, and left
 * as it is by s2tw. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void the_environments_language(void **state)
{
    (void)state;
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    unsetenv("LANG");
    assert_int_equal(lang_of_env(), LANG_HANS);
    setenv("LANG", "en_US.UTF-8", 1);
    assert_int_equal(lang_of_env(), LANG_EN);
    setenv("LC_MESSAGES", "zh_TW.UTF-8", 1);
    assert_int_equal(lang_of_env(), LANG_HANT);
    setenv("LC_ALL", "", 1); /* empty: the next one counts */
    assert_int_equal(lang_of_env(), LANG_HANT);
    setenv("LC_ALL", "zh_CN.UTF-8", 1);
    assert_int_equal(lang_of_env(), LANG_HANS);
    setenv("LC_ALL", "zh_HK.UTF-8", 1);
    assert_int_equal(lang_of_env(), LANG_HANT);
    setenv("LC_ALL", "C.UTF-8", 1);
    assert_int_equal(lang_of_env(), LANG_HANS);
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    unsetenv("LANG");
}

/* ---- every entry rendered ---------------------------------------------------------- */

/* The conversions of fmt ("%s", "%lld", "%.1f" ...; "%%" left out), each into conv[i]
 * (at most 16 of 16 bytes); their number. */
static int conversions(const char *fmt, char conv[16][16])
{
    int n = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        const char *q = p + 1;
        q += strspn(q, "-+ #0");
        q += strspn(q, "0123456789");
        if (*q == '.') {
            q++;
            q += strspn(q, "0123456789");
        }
        q += strspn(q, "hlzjtL");
        assert_non_null(strchr("diouxXeEfgGcsp", *q));
        assert_true(n < 16 && q - p + 1 < 16);
        memcpy(conv[n], p, (size_t)(q - p + 1));
        conv[n++][q - p + 1] = 0;
        p = q;
    }
    return n;
}

/* fmt with a sample argument for each conversion ("X1" for a string, 7, 12345 ...),
 * each piece formatted by snprintf with an argument of its conversion's type, into out. */
static void render(const char *fmt, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = 0;
    const char *p = fmt;
    while (*p) {
        /* one piece: text up to and with the next conversion */
        const char *c = p;
        while (*c && !(c[0] == '%' && c[1] != '%'))
            c += c[0] == '%' ? 2 : 1;
        char conv[16][16];
        size_t span = strlen(c);
        if (*c) {
            assert_int_equal(conversions(c, conv) > 0, 1);
            span = strlen(conv[0]);
        }
        size_t plen = (size_t)(c - p) + (*c ? span : 0);
        char piece[4096];
        assert_true(plen < sizeof piece);
        memcpy(piece, p, plen);
        piece[plen] = 0;
        int w;
        char kind = *c ? conv[0][span - 1] : 0;
        const char *lm = *c ? conv[0] + strcspn(conv[0], "hlzjtL") : "";
        if (!*c)
            w = snprintf(out + len, cap - len, piece, 0); /* only %% */
        else if (kind == 's')
            w = snprintf(out + len, cap - len, piece, "X1");
        else if (strchr("eEfgG", kind))
            w = snprintf(out + len, cap - len, piece, 1.5);
        else if (kind == 'c')
            w = snprintf(out + len, cap - len, piece, 'c');
        else if (!strncmp(lm, "ll", 2))
            w = snprintf(out + len, cap - len, piece, 12345LL);
        else if (*lm == 'l')
            w = snprintf(out + len, cap - len, piece, 12345L);
        else if (*lm == 'z')
            w = snprintf(out + len, cap - len, piece, (size_t)3);
        else
            w = snprintf(out + len, cap - len, piece, 7);
        assert_true(w >= 0 && (size_t)w < cap - len);
        len += (size_t)w;
        p = c + (*c ? span : 0);
    }
}

/* Does s hold a CJK character (ideographs, CJK punctuation, full-width forms) outside
 * “quotes” (what people type, a header “姓名”)? */
static int cjk_outside_quotes(const char *s)
{
    int quoted = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp = *p;
        int n = cp < 0x80 ? 1 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
        if (n == 3)
            cp = (unsigned)(p[0] & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        if (cp == 0x201C)
            quoted = 1;
        else if (cp == 0x201D)
            quoted = 0;
        else if (!quoted && n == 3 &&
                 ((cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0x3000 && cp <= 0x303F) ||
                  (cp >= 0xFF01 && cp <= 0xFF5E)))
            return 1;
        p += n;
    }
    return 0;
}

/* texts[i] converted by `opencc -c s2tw`, each a new string in out[i]; newlines as \n on
 * the way (one text a line). 0, or -1 when opencc cannot be run. */
static int s2tw(const char *const *texts, size_t n, char **out)
{
    char in[] = "/tmp/qiao-test-msg-XXXXXX";
    int fd = mkstemp(in);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    for (size_t i = 0; i < n; i++) {
        for (const char *c = texts[i]; *c; c++)
            if (*c == '\n')
                fputs("\\n", f);
            else
                fputc(*c, f);
        fputc('\n', f);
    }
    fclose(f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "opencc -c s2tw -i %s", in);
    FILE *p = popen(cmd, "r");
    int rc = -1;
    if (p) {
        char line[8192];
        size_t i = 0;
        while (i < n && fgets(line, sizeof line, p)) {
            line[strcspn(line, "\n")] = 0;
            char *o = malloc(strlen(line) + 1), *w = o;
            for (const char *c = line; *c; c++)
                if (c[0] == '\\' && c[1] == 'n') {
                    *w++ = '\n';
                    c++;
                } else {
                    *w++ = *c;
                }
            *w = 0;
            out[i++] = o;
        }
        rc = pclose(p) == 0 && i == n ? 0 : -1;
    }
    unlink(in);
    return rc;
}

/* OpenCC's s2tw turns 折合 (convert at a rate) into 摺合 (fold), which tools/messages.py's
 * TW_WORDS puts right: s, s2tw's output, with it put right again (the same length). */
static void undo_overconversion(char *s)
{
    for (char *p; (p = strstr(s, "摺合"));)
        memcpy(p, "折合", strlen("折合"));
}

static void every_entry_renders_in_each_language(void **state)
{
    (void)state;
    const char **hans = calloc(nmsg_texts, sizeof *hans), **hant = calloc(nmsg_texts, sizeof *hant);
    char **conv_hans = calloc(nmsg_texts, sizeof *conv_hans),
         **conv_hant = calloc(nmsg_texts, sizeof *conv_hant);
    for (size_t i = 0; i < nmsg_texts; i++)
        hans[i] = msg_texts[i].hans, hant[i] = msg_texts[i].hant;
    assert_int_equal(s2tw(hans, nmsg_texts, conv_hans), 0);
    assert_int_equal(s2tw(hant, nmsg_texts, conv_hant), 0);
    size_t differ = 0;
    static char out[3][8192];
    for (size_t i = 0; i < nmsg_texts; i++) {
        const struct msg_text *t = &msg_texts[i];
        const char *txt[3] = {t->hans, t->hant, t->en};
        char conv[3][16][16];
        int n[3];
        for (int l = 0; l < 3; l++) {
            n[l] = conversions(txt[l], conv[l]);
            render(txt[l], out[l], sizeof out[l]);
            if (!out[l][strspn(out[l], " \n")])
                fail_msg("an empty text: “%s” in language %d", t->hans, l);
        }
        /* the same conversions, in the same order, in the three */
        for (int l = 1; l < 3; l++) {
            if (n[l] != n[0])
                fail_msg("“%s”: %d conversions in language %d, %d in zh-Hans", t->hans, n[l], l,
                         n[0]);
            for (int k = 0; k < n[0]; k++)
                if (strcmp(conv[l][k], conv[0][k]))
                    fail_msg("“%s”: %s in language %d where zh-Hans has %s", t->hans, conv[l][k], l,
                             conv[0][k]);
        }
        if (cjk_outside_quotes(out[2]))
            fail_msg("the English of “%s” has Chinese outside quotes: %s", t->hans, out[2]);
        /* formats of strings only: verr_set's own path gives the same text */
        int strings_only = 1;
        for (int k = 0; k < n[0]; k++)
            strings_only &= !strcmp(conv[0][k], "%s");
        for (enum lang l = LANG_HANS; strings_only && l <= LANG_EN; l++) {
            struct verr e;
            msg_lang_set(l);
            verr_set(&e, 422, "invalid", NULL, t->hans, "X1", "X1", "X1", "X1", "X1", "X1", "X1",
                     "X1");
            if (strlen(out[l]) < sizeof e.msg - 1)
                assert_string_equal(e.msg, out[l]);
        }
        msg_lang_set(LANG_HANS);
        /* zh-Hant: traditional where OpenCC makes it so, and nothing OpenCC would still change */
        if (strcmp(conv_hans[i], t->hans)) {
            differ++;
            if (!strcmp(t->hant, t->hans))
                fail_msg("the zh-Hant of “%s” is the zh-Hans text (OpenCC: %s)", t->hans,
                         conv_hans[i]);
        }
        undo_overconversion(conv_hant[i]);
        if (strcmp(conv_hant[i], t->hant))
            fail_msg("the zh-Hant “%s” is not all traditional: OpenCC makes it “%s”", t->hant,
                     conv_hant[i]);
        free(conv_hans[i]);
        free(conv_hant[i]);
    }
    assert_true(differ > nmsg_texts / 2); /* most texts have a character that differs */
    free(hans);
    free(hant);
    free(conv_hans);
    free(conv_hant);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_table_is_sorted_and_whole),
        cmocka_unit_test(an_unknown_format_is_kept),
        cmocka_unit_test(verr_set_writes_in_the_threads_language),
        cmocka_unit_test(accept_language),
        cmocka_unit_test(the_environments_language),
        cmocka_unit_test(every_entry_renders_in_each_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
