/* msg.h - the reader's language, and the messages the server writes in it.
 *
 * A message is written in the source as its zh-Hans format (verr_set, reply_error, ...);
 * src/messages.txt gives each one its English and zh-Hant (OpenCC's conversion unless the
 * catalog says otherwise), made into a table at build time (tools/messages.py gen), and
 * `make test` fails when a format the server can send has no entry (tools/messages.py
 * check). Field labels given to a message as arguments come in the same language
 * (msg_label).
 */
#ifndef QIAO_MSG_H
#define QIAO_MSG_H

#include <stddef.h>

/* The reader's language (Accept-Language of the request): what the server writes for
 * people (timeline entries, duplicate reasons, relation captions, messages) comes in it. */
enum lang { LANG_HANS, LANG_HANT, LANG_EN };

struct label {
    const char *hans, *hant, *en;
};

/* The language of an Accept-Language header: zh-Hant, zh-TW, zh-HK, zh-MO → LANG_HANT;
 * en… → LANG_EN; anything else (zh-CN, none) → LANG_HANS. */
enum lang lang_of(const char *accept_language);
/* The language of the environment, for the command line: the first of LC_ALL, LC_MESSAGES
 * and LANG that is set and not empty (POSIX's order): zh_TW, zh_HK, zh_MO or a zh…Hant
 * locale → LANG_HANT; en… → LANG_EN; anything else (zh_CN, C, none) → LANG_HANS. */
enum lang lang_of_env(void);
/* The text of l in lang (zh-Hans when that one is missing). */
const char *lbl(enum lang lang, struct label l);

/* The language this thread writes its messages in: set by the dispatcher for each request
 * (http.c), LANG_HANS until then (the command line). */
enum lang msg_lang(void);
void msg_lang_set(enum lang lang);
/* The format hans in lang: the catalog's text (static), or hans itself when the catalog
 * has no entry (tools/messages.py check keeps that from happening). */
const char *msg(enum lang lang, const char *hans);
/* msg(msg_lang(), hans): a text or a piece of a message made outside verr_set. */
const char *msg_cur(const char *hans);
/* A text kept in a table and translated where it is written (msg_cur(table[i])): marks it as
 * a key of the catalog for tools/messages.py, and is the text itself. */
#define MSG_TEXT(hans) (hans)
/* l in the language of this thread's messages: a label given to a message. */
const char *msg_label(struct label l);

/* The generated catalog (build/gen/messages.c), sorted by hans (bytes). */
struct msg_text {
    const char *hans, *hant, *en;
};
extern const struct msg_text msg_texts[];
extern const size_t nmsg_texts;

#endif
