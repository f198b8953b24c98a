/* msg.c - the reader's language and the message catalog (msg.h). */
#include "msg.h"
#include "util.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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

/* QIAO_MSG_TRACE=FILE: every format looked up is appended to FILE, once per process and
 * format, one a line (a newline in it written as a backslash and n): which messages a test run made
 * (tools/messages.py coverage; scripts/test.sh sets it for the API tests). */
static int trace_fd = -1;
static pthread_once_t trace_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *traced[4096]; /* the formats written, by address */

static void trace_open(void)
{
    const char *p = getenv("QIAO_MSG_TRACE");
    if (p && *p)
        trace_fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

static void trace(const char *hans)
{
    pthread_once(&trace_once, trace_open);
    if (trace_fd < 0)
        return;
    pthread_mutex_lock(&trace_lock);
    size_t i = ((uintptr_t)hans >> 3) % 4096, n = 0;
    while (traced[i] && traced[i] != hans && n++ < 4096)
        i = (i + 1) % 4096;
    int seen = traced[i] == hans;
    if (!seen && !traced[i])
        traced[i] = hans;
    pthread_mutex_unlock(&trace_lock);
    if (seen)
        return;
    size_t len = strlen(hans), k = 0;
    char *line = xmalloc(len * 2 + 2);
    for (const char *c = hans; *c; c++) {
        if (*c == '\n') {
            line[k++] = '\\';
            line[k++] = 'n';
        } else {
            line[k++] = *c;
        }
    }
    line[k++] = '\n';
    ssize_t w = write(trace_fd, line, k); /* O_APPEND: one line at once */
    (void)w;
    free(line);
}

const char *msg(enum lang lang, const char *hans)
{
    trace(hans);
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
