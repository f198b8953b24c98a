/* util.h - memory, growable buffers, arenas and the one escaping path per context.
 *
 * Memory policy (STYLE 8): allocation never fails - x*alloc abort the process on
 * out-of-memory. Request-scoped memory comes from an arena that is freed whole when
 * the request ends; long-lived objects are malloc'd and have one named owner.
 */
#ifndef QIAO_UTIL_H
#define QIAO_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A growable byte buffer, always NUL-terminated once anything was added.
 * The owner frees it with buf_free(); buf_take() hands the string to the caller. */
typedef struct buf {
    char *s;
    size_t len, cap;
} buf;

void buf_add(buf *b, const char *s, size_t n);
void buf_puts(buf *b, const char *s);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
const char *buf_str(buf *b); /* "" when empty; owned by b */
char *buf_take(buf *b);      /* caller frees; b is left empty */
/* Room for n more bytes at the end of b, written there directly by the caller, who then
 * adds what it wrote to b->len and ends it with a NUL. */
char *buf_room(buf *b, size_t n);
void buf_free(buf *b);

/* Append one byte (inline: JSON text is written a byte at a time between its strings). */
static inline void buf_putc(buf *b, char c)
{
    if (b->len + 2 <= b->cap) {
        b->s[b->len++] = c;
        b->s[b->len] = 0;
    } else {
        buf_add(b, &c, 1);
    }
}

/* A bump allocator: every allocation lives until arena_free(). */
typedef struct arena arena;
arena *arena_new(void);
void *arena_alloc(arena *a, size_t n); /* zeroed, 16-byte aligned */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free(arena *a);

/* Escaping, one path per context (STYLE 5). JSON text is jansson's, an answer's written by
 * json_compact (http.h), which tests/unit/test_http.c holds to jansson's bytes; SQL values
 * are always bound, never escaped. */
void esc_html(buf *b, const char *s);
/* One CSV cell, quoted when needed; a cell starting with = + - @ (or tab/CR) is
 * neutralised with a leading apostrophe so spreadsheets do not run it as a formula. */
void esc_csv(buf *b, const char *s);

/* UTF-8 helpers. utf8_valid: 1 when s[0..n) is well-formed UTF-8. utf8_len: code points. */
int utf8_valid(const char *s, size_t n);

/* A whole file in a new buffer (NUL-terminated, its length in *len); NULL on failure. */
char *file_slurp(const char *path, size_t *len);
size_t utf8_len(const char *s);

/* Parse a decimal int64 (optional leading '-'); 1 on success. */
int parse_i64(const char *s, int64_t *out);

/* Current time as UTC ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" into out[21]. */
void now_utc(char out[21]);
/* The UTC instant ("YYYY-MM-DDTHH:MM:SSZ") at which day (YYYY-MM-DD, Beijing time) + plus
 * days begins; 0, or -1 when day is not a date. */
int day_start_utc(const char *day, int plus, char out[21]);
/* Monotonic milliseconds, for durations. */
double now_ms(void);

/* Log a line to stderr with a timestamp; thread-safe. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the message and abort: for broken invariants, never for bad input. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The server was asked to stop (SIGTERM): long work (an import) gives up and rolls back,
 * new requests answer 503. Set once by http_serve, read from any thread. */
void stop_request(void);
int stop_requested(void);

#endif
