/* msg.c - the reader's language and the message catalog (msg.h). */
#include "msg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum lang lang_of(const char *al)
{
    if (!al)
        return LANG_HANS;
    while (*al == ' ')
        al++;
    if (!strncasecmp(al, "en", 2))
        return LANG_EN;
    if (!strncasecmp(al, "zh-hant", 7) || !strncasecmp(al, "zh-tw", 5) ||
        !strncasecmp(al, "zh-hk", 5) || !strncasecmp(al, "zh-mo", 5))
        return LANG_HANT;
    return LANG_HANS;
}

enum lang lang_of_env(void)
{
    const char *v = NULL;
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < 3 && !(v && *v); i++)
        v = getenv(vars[i]);
    if (!v || !*v)
        return LANG_HANS;
    if (!strncasecmp(v, "en", 2))
        return LANG_EN;
    if (!strncasecmp(v, "zh_TW", 5) || !strncasecmp(v, "zh_HK", 5) || !strncasecmp(v, "zh_MO", 5) ||
        (!strncasecmp(v, "zh", 2) && strcasestr(v, "hant")))
        return LANG_HANT;
    return LANG_HANS;
}

const char *lbl(enum lang lang, struct label l)
{
    const char *t = lang == LANG_EN ? l.en : lang == LANG_HANT ? l.hant : l.hans;
    return t && *t ? t : l.hans ? l.hans : "";
}

static _Thread_local enum lang cur_lang;

enum lang msg_lang(void)
{
    return cur_lang;
}

void msg_lang_set(enum lang lang)
{
    cur_lang = lang;
}

static int cmp_text(const void *key, const void *t)
{
    return strcmp(key, ((const struct msg_text *)t)->hans);
}

const char *msg(enum lang lang, const char *hans)
{
    if (lang == LANG_HANS)
        return hans;
    const struct msg_text *t = bsearch(hans, msg_texts, nmsg_texts, sizeof *msg_texts, cmp_text);
    if (!t)
        return hans;
    return lang == LANG_EN ? t->en : t->hant;
}

const char *msg_cur(const char *hans)
{
    return msg(cur_lang, hans);
}

const char *msg_label(struct label l)
{
    return lbl(cur_lang, l);
}
