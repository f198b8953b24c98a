/* http.c - libmicrohttpd server, request reading, dispatch, responses, static files and
 * the access log. See http.h. */
#include "http.h"
#include "auth.h"
#include "module.h"
#include "audit.h"
#include "rate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define BODY_LIMIT   (1u << 20)  /* JSON bodies */
#define UPLOAD_LIMIT (64u << 20) /* R_UPLOAD routes */
/* Connections one address may hold (of 1024): a browser opens 6, the benchmarks 64; one
 * address cannot take the server's connections for itself. */
#define PER_IP_CONNECTIONS 128
#define RETRY_AFTER        "5" /* seconds, on every 503 */

static const struct server_opts *opts;
static atomic_int inflight; /* requests begun and not completed */
#define STOP_GRACE_MS 500   /* how long a stop waits for them */
static FILE *access_log;

/* ---- one database connection per server thread --------------------------------------- */

static pthread_mutex_t dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static db **dbs;
static size_t ndbs;
static _Thread_local db *thread_db;

static db *get_db(void)
{
    if (thread_db) {
        if (db_revive(thread_db) != DB_OK) { /* the server restarted and is not back yet */
            log_msg("database away: %s", db_errmsg(thread_db));
            return NULL;
        }
        return thread_db;
    }
    char err[512];
    thread_db = db_open(opts->db_url, err, sizeof err);
    if (!thread_db) {
        log_msg("%s", err);
        return NULL;
    }
    if (opts->busy_ms)
        db_busy_timeout(thread_db, opts->busy_ms);
    pthread_mutex_lock(&dbs_lock);
    dbs = xrealloc(dbs, (ndbs + 1) * sizeof *dbs);
    dbs[ndbs++] = thread_db;
    pthread_mutex_unlock(&dbs_lock);
    return thread_db;
}

/* ---- request accessors -------------------------------------------------------------- */

const char *req_arg(struct req *r, const char *name)
{
    for (int i = 0; i < r->nargs; i++)
        if (!strcmp(r->args[i].key, name))
            return r->args[i].value;
    return NULL;
}

const char *req_header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

json_t *req_json(struct req *r)
{
    json_error_t err;
    if (!r->body_len) {
        reply_error(r, 400, "bad_json", NULL, "请求内容为空, 应为 JSON 对象");
        return NULL;
    }
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        reply_error(r, 400, "bad_json", NULL, "JSON 格式错误 (第 %d 行第 %d 列): %s", err.line,
                    err.column, err.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        reply_error(r, 400, "bad_json", NULL, "请求内容应为 JSON 对象");
        return NULL;
    }
    return j;
}

/* ---- responses ---------------------------------------------------------------------- */

void reply_raw(struct req *r, int status, const char *ctype, char *body, size_t len)
{
    free(r->out);
    r->status = status;
    r->ctype = ctype;
    r->out = body;
    r->out_len = len;
}

/* ---- JSON text ------------------------------------------------------------------------ */

void json_put_string(buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    char *o = buf_room(b, 6 * n + 2), *start = o;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        size_t j = i; /* a run that needs no escape, copied at once */
        while (j < n && (unsigned char)s[j] >= 0x20 && s[j] != '"' && s[j] != '\\')
            j++;
        memcpy(o, s + i, j - i);
        o += j - i;
        if ((i = j) == n)
            break;
        unsigned char ch = (unsigned char)s[i];
        *o++ = '\\';
        switch (ch) {
        case '"':
            *o++ = '"';
            break;
        case '\\':
            *o++ = '\\';
            break;
        case '\b':
            *o++ = 'b';
            break;
        case '\f':
            *o++ = 'f';
            break;
        case '\n':
            *o++ = 'n';
            break;
        case '\r':
            *o++ = 'r';
            break;
        case '\t':
            *o++ = 't';
            break;
        default:
            memcpy(o, "u00", 3);
            o[3] = hex[ch >> 4];
            o[4] = hex[ch & 15];
            o += 5;
        }
    }
    *o++ = '"';
    b->len += (size_t)(o - start);
    b->s[b->len] = 0;
}

/* the digits backwards, then copied: no format to parse */
void json_put_int(buf *b, int64_t v)
{
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char d[24], *e = d + sizeof d, *p = e;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    buf_add(b, p, (size_t)(e - p));
}

static void text_value(buf *b, const json_t *j, int sorted);

static int key_order(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An object's members, in the order they were set or with sorted, byte-wise by key. */
static void text_object(buf *b, const json_t *j, int sorted)
{
    const char *k;
    json_t *v;
    int n = 0;
    buf_putc(b, '{');
    if (!sorted) {
        for (void *it = json_object_iter((json_t *)j); it;
             it = json_object_iter_next((json_t *)j, it)) {
            if (n++)
                buf_putc(b, ',');
            json_put_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
            buf_putc(b, ':');
            text_value(b, json_object_iter_value(it), 0);
        }
    } else {
        const char *few[32], **keys = few;
        size_t size = json_object_size(j);
        if (size > sizeof few / sizeof *few)
            keys = xmalloc(size * sizeof *keys);
        json_object_foreach((json_t *)j, k, v) keys[n++] = k;
        qsort(keys, (size_t)n, sizeof *keys, key_order);
        for (int i = 0; i < n; i++) {
            if (i)
                buf_putc(b, ',');
            json_put_string(b, keys[i], strlen(keys[i]));
            buf_putc(b, ':');
            text_value(b, json_object_get(j, keys[i]), 1);
        }
        if (keys != few)
            free(keys);
    }
    buf_putc(b, '}');
}

static void text_value(buf *b, const json_t *j, int sorted)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        text_object(b, j, sorted);
        break;
    case JSON_ARRAY:
        buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (i)
                buf_putc(b, ',');
            text_value(b, json_array_get(j, i), sorted);
        }
        buf_putc(b, ']');
        break;
    case JSON_STRING:
        json_put_string(b, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        json_put_int(b, json_integer_value(j));
        break;
    case JSON_REAL: { /* jansson's own digits (rare here) */
        char *t = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
        buf_puts(b, t ? t : "null");
        free(t);
        break;
    }
    case JSON_TRUE:
        buf_add(b, "true", 4);
        break;
    case JSON_FALSE:
        buf_add(b, "false", 5);
        break;
    case JSON_NULL:
        buf_add(b, "null", 4);
        break;
    }
}

void json_compact(buf *b, const json_t *j)
{
    text_value(b, j, 0);
}

char *json_text(const json_t *j, int sorted)
{
    buf b = {0};
    text_value(&b, j, sorted);
    return buf_take(&b);
}

void reply_json(struct req *r, int status, json_t *j)
{
    buf b = {.s = xmalloc(16384), .cap = 16384};
    b.s[0] = 0;
    json_compact(&b, j);
    json_decref(j);
    size_t n = b.len;
    reply_raw(r, status, JSON_TYPE, buf_take(&b), n);
}

void reply_error(struct req *r, int status, const char *code, const char *field, const char *fmt,
                 ...)
{
    va_list ap;
    buf b = {0};
    va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    buf_vprintf(&b, msg(r->ctx.lang, fmt), ap);
#pragma GCC diagnostic pop
    va_end(ap);
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", buf_str(&b));
    if (!e) /* the message held bytes that are not UTF-8 (from the input) */
        e = json_pack("{s:s, s:s}", "code", code, "message", msg(r->ctx.lang, "请求有误"));
    if (field)
        json_object_set_new(e, "field", json_string(field) ?: json_string("?"));
    buf_free(&b);
    reply_json(r, status, json_pack("{s:o}", "error", e));
}

void reply_verr(struct req *r, const struct verr *e)
{
    reply_error(r, e->status, e->code, e->field[0] ? e->field : NULL, "%s", e->msg);
}

/* The answer to a database failure (code): 503 with busy when busy, 507 when the disk is
 * full, else 500 with text (both in the reader's language already). */
static void reply_db_code(struct req *r, enum db_err code, const char *busy, const char *text)
{
    if (code == DBE_BUSY)
        reply_error(r, 503, "busy", NULL, "%s", busy);
    else if (code == DBE_FULL)
        reply_error(r, 507, "storage_full", NULL, DB_FULL_MESSAGE);
    else
        reply_error(r, 500, "internal", NULL, "%s", text);
}

void reply_db_error(struct req *r, const char *fmt, ...)
{
    va_list ap;
    buf b = {0};
    va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    buf_vprintf(&b, msg(r->ctx.lang, fmt), ap);
#pragma GCC diagnostic pop
    va_end(ap);
    reply_db_code(r, db_errcode(r->db), msg(r->ctx.lang, "系统繁忙, 请稍后再试"), buf_str(&b));
    buf_free(&b);
}

void reply_header(struct req *r, const char *name, const char *value)
{
    struct kv *h = arena_alloc(r->a, (size_t)(r->nhdrs + 1) * sizeof *h);
    if (r->nhdrs)
        memcpy(h, r->hdrs, (size_t)r->nhdrs * sizeof *h);
    h[r->nhdrs].key = arena_strdup(r->a, name);
    h[r->nhdrs].value = arena_strdup(r->a, value);
    r->hdrs = h;
    r->nhdrs++;
}

/* ---- static files ------------------------------------------------------------------- */

static const char *mime_type(const char *path)
{
    static const struct kv types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"},
        {NULL, NULL},
    };
    const char *dot = strrchr(path, '.');
    for (int i = 0; dot && types[i].key; i++)
        if (!strcmp(dot, types[i].key))
            return types[i].value;
    return "application/octet-stream";
}

/* GET of a file under the web directory; a directory answers its own index.html when it
 * has one (/portal/: the public portal), and a path without an extension that is not a file
 * answers the app's index.html (the app routes it). Hashed assets are cached for a year, the rest
 * revalidated by ETag. */
static enum MHD_Result serve_static(struct req *r)
{
    const char *p = r->path;
    int asset = !strncmp(p, "/assets/", 8);
    if (strstr(p, "..") || strchr(p, '\\')) {
        reply_error(r, 404, "not_found", NULL, "找不到该页面");
        return MHD_NO;
    }
    char *file = arena_printf(r->a, "%s%s", opts->web_dir, p);
    struct stat st;
    if (!stat(file, &st) && S_ISDIR(st.st_mode)) {
        char *index = arena_printf(r->a, "%s/index.html", file);
        if (!stat(index, &st))
            file = index;
    }
    if (stat(file, &st) || S_ISDIR(st.st_mode)) {
        const char *slash = strrchr(p, '/');
        if (strchr(slash ? slash : p, '.') && strcmp(p, "/")) {
            reply_error(r, 404, "not_found", NULL, "找不到文件 %s", p);
            return MHD_NO;
        }
        file = arena_printf(r->a, "%s/index.html", opts->web_dir);
        if (stat(file, &st)) {
            reply_error(r, 404, "not_found", NULL, "网页文件不存在 (%s), 请先运行 make",
                        opts->web_dir);
            return MHD_NO;
        }
    }
    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtime);
    const char *inm = req_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
    r->ctype = mime_type(file);
    reply_header(r, "ETag", etag);
    reply_header(r, "Cache-Control", asset ? "public, max-age=31536000, immutable" : "no-cache");
    if (inm && !strcmp(inm, etag)) {
        reply_raw(r, 304, r->ctype, NULL, 0);
        return MHD_YES;
    }
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        reply_error(r, 404, "not_found", NULL, "找不到文件 %s", p);
        return MHD_NO;
    }
    char *data = xmalloc((size_t)st.st_size + 1);
    ssize_t n = read(fd, data, (size_t)st.st_size);
    close(fd);
    if (n != st.st_size) {
        free(data);
        reply_error(r, 500, "internal", NULL, "读取文件失败");
        return MHD_NO;
    }
    reply_raw(r, 200, r->ctype, data, (size_t)n);
    return MHD_YES;
}

/* ---- dispatch ----------------------------------------------------------------------- */

/* Match path against pattern; fills r->ent and r->id. 1 on match, 0 on no match; -1 when
 * the shape matched but a parameter is bad (an error is already in r). */
static int match(struct req *r, const char *pattern, const char *path)
{
    const struct entity *ent = NULL;
    int64_t id = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '{') {
            if (*p++ != *s++)
                return 0;
            continue;
        }
        /* A parameter runs to the next '/' or to the literal that follows it ("{entity}.csv"). */
        const char *pe = strchr(p, '}');
        char stop = pe[1] ? pe[1] : '/';
        const char *se = s;
        while (*se && *se != '/' && *se != stop)
            se++;
        size_t n = (size_t)(se - s);
        char seg[64];
        if (n == 0 || n >= sizeof seg)
            return 0;
        memcpy(seg, s, n);
        seg[n] = 0;
        if (!strncmp(p, "{entity}", 8)) {
            if (!(ent = entity_find(seg)))
                return 0;
        } else if (!strncmp(p, "{id}", 4)) {
            if (!parse_i64(seg, &id) || id < 1) {
                if (pe[1] == 0 && *se == 0) {
                    reply_error(r, 400, "bad_request", "id", "编号应为正整数: “%s”", seg);
                    return -1;
                }
                return 0;
            }
        }
        p = pe + 1;
        s = se;
    }
    if (*p || *s)
        return 0;
    r->ent = ent;
    r->id = id;
    return 1;
}

/* Find the route for r; NULL with an error in r when none (404 or 405). */
static const struct route *find_route(struct req *r)
{
    int path_matched = 0;
    for (const struct route *rt = module_routes(); rt->method; rt++) {
        int m = match(r, rt->pattern, r->path);
        if (m < 0)
            return NULL;
        if (!m)
            continue;
        if (!strcmp(rt->method, r->method)) {
            if (!r->ent && rt->entity)
                r->ent = entity_find(rt->entity);
            return rt;
        }
        path_matched = 1;
    }
    if (path_matched)
        reply_error(r, 405, "bad_request", NULL, "该接口不支持 %s 方法", r->method);
    else
        reply_error(r, 404, "not_found", NULL, "没有这个接口: %s", r->path);
    return NULL;
}

/* Every answer that showed clear sensitive values (the request asked to unmask, and the
 * role may) is audited here, whatever the handler: lists, reads, writes' answers, dedup,
 * search, exports. When the entry cannot be written, the answer is not sent. */
static void unmask_audited(struct req *r)
{
    if (!r->ctx.unmask || !r->ctx.may_unmask || r->status < 200 || r->status >= 300)
        return;
    json_t *what = json_pack("{s:s, s:s}", "method", r->method, "path", r->path);
    int rc = audit_alone(&r->ctx, "unmask",
                         r->ent             ? r->ent->name
                         : r->route->module ? r->route->module
                                            : "",
                         r->id, NULL, what);
    json_decref(what);
    if (rc == DB_OK)
        return;
    free(r->out);
    r->out = NULL;
    r->out_len = 0;
    r->nhdrs = 0;
    reply_db_error(r, "无法记录查看敏感信息的日志, 未显示");
}

static void run_handler(struct req *r)
{
    r->route->fn(r);
    unmask_audited(r);
}

/* ---- group commit (SQLite; http.h server_opts.write_batch) ---------------------------
 * A record write costs SQLite about 18 pages written to the WAL at its COMMIT (the row and
 * its indexes, the audit log and its indexes, a counter), most of them the same pages for
 * every write: donations in batches of about 9 wrote 3.1 a donation (bench/README). The requests of
 * R_GROUP routes are therefore not run on the server thread that read them: the connection is
 * suspended and the request queued for the writer, a thread with a connection of its own, which
 * runs every request waiting in one transaction (each handler's own transaction becomes a savepoint
 * in it, so a handler that fails leaves the others' work alone), commits once, and only then lets
 * the answers go. The server threads read the next requests meanwhile. */

static struct {
    pthread_mutex_t m;
    pthread_cond_t cv;
    struct req **q; /* waiting, oldest first */
    size_t n, cap;
    int on, closing;
    pthread_t thread;
} gw = {.m = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Queue r for the writer (1: its connection is suspended until the writer resumes it), or
 * 0 when there is no writer (PostgreSQL, write_batch 1, stopping): run it here. */
static int group_push(struct req *r)
{
    pthread_mutex_lock(&gw.m);
    int ok = gw.on && !gw.closing;
    if (ok) {
        if (gw.n == gw.cap) {
            gw.cap = gw.cap ? 2 * gw.cap : 64;
            gw.q = xrealloc(gw.q, gw.cap * sizeof *gw.q);
        }
        MHD_suspend_connection(r->conn); /* before the writer can resume it */
        r->queued = 1;
        gw.q[gw.n++] = r;
        pthread_cond_signal(&gw.cv);
    }
    pthread_mutex_unlock(&gw.m);
    return ok;
}

/* The answer of a request whose work was not kept: the transaction it ran in was rolled
 * back (code: what the database said, for 503 / 507 / 500). */
static void answer_unsaved(struct req *r, enum db_err code)
{
    free(r->out);
    r->out = NULL;
    r->out_len = 0;
    r->nhdrs = 0;
    msg_lang_set(r->ctx.lang);
    reply_db_code(r, code, msg(r->ctx.lang, "系统繁忙, 本次修改没有保存, 请稍后再试"),
                  msg(r->ctx.lang, "数据库出错, 本次修改没有保存, 请稍后再试"));
}

/* Run the n requests of batch in as few transactions as the database allows: one, unless
 * it throws a transaction away on an error (then the requests in it are answered with the
 * error and the rest go on in a new one). */
static void group_run(struct req **batch, size_t n)
{
    db *d = get_db();
    size_t done = 0;
    while (done < n) {
        if (!d || db_begin(d) != DB_OK) {
            enum db_err code = d ? db_errcode(d) : DBE_BUSY;
            for (size_t i = done; i < n; i++)
                answer_unsaved(batch[i], code);
            return;
        }
        size_t i = done;
        int lost = 0;
        while (i < n && !lost) {
            struct req *r = batch[i++];
            msg_lang_set(r->ctx.lang);
            r->db = r->ctx.db = d;
            db_clear_error(d);
            run_handler(r);
            if (db_depth(d) != 1)
                die("%s %s left a transaction open", r->method, r->path);
            lost = db_tx_lost(d);
        }
        enum db_err code = db_errcode(d); /* what threw the transaction away, if it was */
        int kept = 0;
        if (lost)
            db_rollback(d);
        else if (!(kept = db_commit(d) == DB_OK))
            code = db_errcode(d);
        if (!kept) {
            log_msg("group commit of %zu writes failed: %s", i - done, db_errmsg(d));
            for (size_t k = done; k < i; k++)
                answer_unsaved(batch[k], code);
        }
        done = i;
    }
}

static void *group_writer(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "qiao-writer");
    size_t max = opts->write_batch ? opts->write_batch : WRITE_BATCH;
    struct req **batch = xcalloc(max, sizeof *batch);
    for (;;) {
        pthread_mutex_lock(&gw.m);
        while (!gw.n && !gw.closing)
            pthread_cond_wait(&gw.cv, &gw.m);
        size_t n = gw.n < max ? gw.n : max;
        if (n) {
            memcpy(batch, gw.q, n * sizeof *batch);
            memmove(gw.q, gw.q + n, (gw.n - n) * sizeof *gw.q);
            gw.n -= n;
        }
        int last = !n && gw.closing;
        pthread_mutex_unlock(&gw.m);
        if (last)
            break;
        group_run(batch, n);
        for (size_t i = 0; i < n; i++) /* batch[i] may be gone once resumed */
            MHD_resume_connection(batch[i]->conn);
    }
    free(batch);
    return NULL;
}

/* Start the writer when the database is a SQLite file and write_batch is not 1. */
static void group_start(void)
{
    const char *u = opts->db_url;
    if (opts->write_batch == 1 || !strncmp(u, "postgres", 8) || !strcmp(u, ":memory:") ||
        !strncmp(u, "file:", 5))
        return;
    gw.closing = 0;
    gw.on = pthread_create(&gw.thread, NULL, group_writer, NULL) == 0;
}

/* Answer what is queued and stop the writer (before the daemon stops: no connection may
 * stay suspended). */
static void group_stop(void)
{
    if (!gw.on)
        return;
    pthread_mutex_lock(&gw.m);
    gw.closing = 1;
    pthread_cond_signal(&gw.cv);
    pthread_mutex_unlock(&gw.m);
    pthread_join(gw.thread, NULL);
    gw.on = 0;
    free(gw.q);
    gw.q = NULL;
    gw.n = gw.cap = 0;
}

/* Run r's route: 1 when it was handed to the group writer (answered later), else 0 with
 * the answer in r. */
static int dispatch(struct req *r)
{
    if (!r->route)
        return 0; /* the error is in r already */
    if (r->too_large) {
        reply_error(r, 413, "too_large", NULL, "请求内容太大 (最多 %u MB)",
                    ((r->route->flags & R_UPLOAD) ? UPLOAD_LIMIT : BODY_LIMIT) >> 20);
        return 0;
    }
    if (stop_requested()) {
        reply_error(r, 503, "busy", NULL, "服务器正在停止, 请稍后再试");
        return 0;
    }
    if (!(r->db = get_db())) {
        reply_error(r, 503, "busy", NULL, "数据库暂时不可用, 请稍后再试");
        return 0;
    }
    r->ctx.db = r->db;
    r->ctx.a = r->a;
    r->ctx.client = r->client;
    if ((r->route->flags & R_RATED) && rate_check(r))
        return 0;
    int ok = auth_check(r) == 0;
    if (db_depth(r->db))
        die("%s %s left a transaction open", r->method, r->path);
    if (!ok)
        return 0;
    if ((r->route->flags & R_GROUP) && group_push(r))
        return 1;
    run_handler(r);
    if (db_depth(r->db))
        die("%s %s left a transaction open", r->method, r->path);
    return 0;
}

/* The Content-Length headers of a request: the first, and whether another differs. */
struct clen {
    const char *first;
    int differ;
};

static enum MHD_Result content_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    struct clen *cl = cls;
    if (strcasecmp(key, "Content-Length"))
        return MHD_YES;
    if (!cl->first)
        cl->first = value ? value : "";
    else if (strcmp(cl->first, value ? value : ""))
        cl->differ = 1;
    return MHD_YES;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    struct req *r = cls;
    if (r->nargs >= 64)
        return MHD_NO;
    if (!r->args)
        r->args = arena_alloc(r->a, 64 * sizeof *r->args);
    r->args[r->nargs].key = arena_strdup(r->a, key);
    r->args[r->nargs].value = arena_strdup(r->a, value ? value : "");
    r->nargs++;
    return MHD_YES;
}

static const char *client_addr(struct MHD_Connection *c, arena *a)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char s[INET6_ADDRSTRLEN] = "?";
    if (ci && ci->client_addr) {
        if (ci->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr, s, sizeof s);
        else if (ci->client_addr->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ci->client_addr)->sin6_addr, s, sizeof s);
    }
    return arena_strdup(a, s);
}

/* The address text of an IPv4 or IPv6 address written s (surrounding spaces allowed), in
 * inet_ntop's form, copied to a; NULL when it is not one. */
static const char *norm_addr(const char *s, size_t n, arena *a)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char in[INET6_ADDRSTRLEN + 1], out[INET6_ADDRSTRLEN];
    unsigned char bin[sizeof(struct in6_addr)];
    if (!n || n >= sizeof in)
        return NULL;
    memcpy(in, s, n);
    in[n] = 0;
    int fam = strchr(in, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(fam, in, bin) != 1 || !inet_ntop(fam, bin, out, sizeof out))
        return NULL;
    return arena_strdup(a, out);
}

/* Behind the trusted proxy (server_opts.trusted_proxy), and from it only: the client is
 * the last address of X-Forwarded-For (the one the proxy added; earlier ones are the
 * client's word), and X-Forwarded-Proto "https" makes the request TLS. */
static const char *proxy_addr; /* opts->trusted_proxy as norm_addr writes it, or NULL */

static void behind_proxy(struct req *r)
{
    if (!proxy_addr || strcmp(r->client, proxy_addr))
        return;
    const char *xff = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Forwarded-For");
    if (xff) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        const char *c = norm_addr(last, strlen(last), r->a);
        if (c)
            r->client = c;
    }
    const char *proto = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
    if (proto && !strcasecmp(proto, "https"))
        r->tls = 1;
}

static void add_security_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; style-src 'self' "
                            "'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; "
                            "base-uri 'none'; form-action 'self'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
}

static enum MHD_Result send_reply(struct req *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->out_len, r->out ? r->out : (void *)"",
                                        r->out ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    r->out = NULL; /* MHD owns it now */
    if (r->ctype && r->status != 304)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
    add_security_headers(resp);
    int api = !strncmp(r->path, "/api/", 5);
    if (api)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    int retry = 0;
    for (int i = 0; i < r->nhdrs; i++) {
        MHD_add_response_header(resp, r->hdrs[i].key, r->hdrs[i].value);
        retry |= !strcasecmp(r->hdrs[i].key, "Retry-After");
    }
    /* Every 503 (the database's write lock held too long, the password hashes all busy)
     * tells the client when to try again, whichever handler answered it. */
    if (r->status == 503 && !retry)
        MHD_add_response_header(resp, "Retry-After", RETRY_AFTER);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* The libmicrohttpd access handler. Called first with *con_cls NULL (set up), then with
 * each piece of the body, then once more with *upload_data_size 0: that last call
 * dispatches and queues the response (queuing on a later call keeps keep-alive). */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct req *r = *con_cls;
    if (!r) {
        arena *a = arena_new();
        r = arena_alloc(a, sizeof *r);
        r->a = a;
        r->t0 = now_ms();
        atomic_fetch_add(&inflight, 1);
        r->conn = conn;
        r->method = arena_strdup(a, method);
        r->path = arena_strdup(a, url);
        r->client = client_addr(conn, a);
        r->status = 500;
        r->ctx.lang =
            lang_of(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language"));
        msg_lang_set(r->ctx.lang);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_PROTOCOL);
        r->tls = ci != NULL && ci->tls_session != NULL;
        behind_proxy(r);
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, r);
        /* One body length: two Content-Length headers that differ frame the request two
         * ways (request smuggling behind a proxy). */
        struct clen cl = {NULL, 0};
        MHD_get_connection_values(conn, MHD_HEADER_KIND, content_length, &cl);
        int bad_text = 0; /* every input is UTF-8: a stray byte would match anything */
        for (int i = 0; i < r->nargs && !bad_text; i++)
            bad_text = !utf8_valid(r->args[i].key, strlen(r->args[i].key)) ||
                       !utf8_valid(r->args[i].value, strlen(r->args[i].value));
        if (cl.differ)
            reply_error(r, 400, "bad_request", NULL, "请求有两个不同的 Content-Length");
        else if (bad_text)
            reply_error(r, 400, "bad_request", NULL, "查询参数不是有效的文字 (应为 UTF-8 编码)");
        else if (!strncmp(url, "/api/", 5))
            r->route = find_route(r);
        *con_cls = r;
        return MHD_YES;
    }
    if (r->queued) /* resumed: the group writer has answered it */
        return send_reply(r);
    msg_lang_set(r->ctx.lang);
    if (*upload_data_size) {
        size_t limit = (r->route && (r->route->flags & R_UPLOAD)) ? UPLOAD_LIMIT : BODY_LIMIT;
        if (r->too_large || r->body_len + *upload_data_size > limit) {
            r->too_large = 1;
        } else {
            /* capacity grows by doubling: a power of two >= 4096 that holds body_len + 1 */
            size_t need = r->body_len + *upload_data_size + 1, cap = 4096;
            while (r->body && cap < r->body_len + 1)
                cap <<= 1;
            if (!r->body || need > cap) {
                while (cap < need)
                    cap <<= 1;
                r->body = xrealloc(r->body, cap);
            }
            memcpy(r->body + r->body_len, upload_data, *upload_data_size);
            r->body_len += *upload_data_size;
            r->body[r->body_len] = 0;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!strncmp(url, "/api/", 5)) {
        if (dispatch(r))
            return MHD_YES; /* suspended until the group writer answers */
    } else if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
        reply_error(r, 405, "bad_request", NULL, "该地址只支持 GET");
    } else {
        serve_static(r);
    }
    return send_reply(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    struct req *r = *con_cls;
    if (!r)
        return;
    if (access_log)
        fprintf(access_log, "%s %s %s %d %zu %.1fms%s\n", r->client, r->method, r->path, r->status,
                r->out_len, now_ms() - r->t0,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    free(r->body);
    free(r->out);
    arena_free(r->a);
    *con_cls = NULL;
    atomic_fetch_sub(&inflight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    buf b = {0};
    buf_vprintf(&b, fmt, ap);
    while (b.len && b.s[b.len - 1] == '\n')
        b.s[--b.len] = 0;
    log_msg("http: %s", buf_str(&b));
    buf_free(&b);
}

int http_serve(const struct server_opts *o)
{
    opts = o;
    buf problems = {0}; /* a module that cannot work is a bug: refuse to serve it */
    if (modules_check(modules, &problems)) {
        fprintf(stderr, msg_cur("qiao: 模块声明有误:\n%s"), buf_str(&problems));
        buf_free(&problems);
        return 2;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET};
    const char *colon = strrchr(o->listen, ':');
    char host[64] = "127.0.0.1";
    int64_t port = 8080;
    if (colon) {
        snprintf(host, sizeof host, "%.*s", (int)(colon - o->listen), o->listen);
        if (!parse_i64(colon + 1, &port) || port < 1 || port > 65535) {
            fprintf(stderr, msg_cur("qiao: 端口无效: %s\n"), o->listen);
            return 2;
        }
    }
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, msg_cur("qiao: 监听地址无效: %s (应如 127.0.0.1:8080)\n"), o->listen);
        return 2;
    }
    addr.sin_port = htons((uint16_t)port);
    static arena *proxy_arena;
    if (o->trusted_proxy) {
        proxy_arena = proxy_arena ? proxy_arena : arena_new();
        proxy_addr = norm_addr(o->trusted_proxy, strlen(o->trusted_proxy), proxy_arena);
        if (!proxy_addr) {
            fprintf(stderr,
                    msg_cur("qiao: --trusted-proxy 应为代理的 IP 地址 (如 127.0.0.1): %s\n"),
                    o->trusted_proxy);
            return 2;
        }
    }

    if (!o->access_log || !strcmp(o->access_log, "-"))
        access_log = stderr;
    else if (strcmp(o->access_log, "off")) {
        access_log = fopen(o->access_log, "a");
        if (!access_log) {
            fprintf(stderr, msg_cur("qiao: 无法写访问日志 %s: %s\n"), o->access_log,
                    strerror(errno));
            return 2;
        }
        setvbuf(access_log, NULL, _IOLBF, 0);
    }

    /* SIGTERM and SIGINT are taken by sigwait below, in this thread only. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    unsigned threads = o->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 2;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)(proxy_addr ? 0 : PER_IP_CONNECTIONS), /* 0: none; the proxy limits */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, msg_cur("qiao: 无法监听 %s (端口被占用?)\n"), o->listen);
        return 1;
    }
    group_start();
    log_msg("qiao serving %s on http://%s (%u threads%s)", o->db_url, o->listen, threads,
            gw.on ? ", group commit" : "");
    int sig = 0;
    sigwait(&sigs, &sig);
    log_msg("qiao: signal %d, finishing open requests", sig);
    /* New requests answer 503 and a running import rolls back; the requests under way get
     * at most STOP_GRACE_MS to end before the listener closes. */
    stop_request();
    for (int waited = 0; atomic_load(&inflight) > 0 && waited < STOP_GRACE_MS; waited += 20)
        usleep(20 * 1000);
    group_stop();
    MHD_quiesce_daemon(d);
    MHD_stop_daemon(d);
    for (size_t i = 0; i < ndbs; i++)
        db_close(dbs[i]);
    free(dbs);
    dbs = NULL;
    ndbs = 0;
    if (access_log && access_log != stderr)
        fclose(access_log);
    log_msg("qiao: stopped");
    return 0;
}
