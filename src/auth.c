/* auth.c - roles and permissions, passwords, sessions, CSRF and the scope. See auth.h. */
#include "auth.h"
#include "audit.h"
#include "demo.h"
#include "module.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IDLE_SECONDS     (2 * 3600)  /* a session unused this long ends */
#define ABSOLUTE_SECONDS (12 * 3600) /* and none lives longer than this */
#define MAX_FAILED       5
#define LOCK_SECONDS     (15 * 60)
#define COOKIE           "qiao_session"

/* ---- roles -------------------------------------------------------------------------- */

/* Grants are declared by each module (module.h); a module or role not granted is denied. */
int may(const struct user *u, const char *module, enum perm p)
{
    if (!u)
        return 0;
    if (p == P_NONE || p == P_PUBLIC)
        return 1;
    return (module_perms(u->role, module) & (1u << p)) != 0;
}

int role_rank(const char *role)
{
    static const struct {
        const char *role;
        int rank;
    } ranks[] = {{"viewer", 1}, {"mediator", 2}, {"finance", 2},
                 {"staff", 2},  {"leader", 3},   {"admin", 4}};
    for (size_t i = 0; i < sizeof ranks / sizeof *ranks; i++)
        if (!strcmp(ranks[i].role, role))
            return ranks[i].rank;
    return 0;
}

json_t *role_perms_json(const char *role)
{
    static const char *const names[] = {
        [P_VIEW] = "view",
        [P_EDIT] = "edit",
        [P_DELETE] = "delete",
        [P_EXPORT] = "export",
        [P_VIEW_SENSITIVE] = "view_sensitive",
        [P_APPROVE] = "approve",
        [P_ADMIN] = "admin",
    };
    json_t *o = json_object();
    for (int i = 0; modules[i]; i++) {
        unsigned perms = module_perms(role, modules[i]->name);
        if (!perms || json_object_get(o, modules[i]->name))
            continue;
        json_t *a = json_array();
        for (int p = P_VIEW; p <= P_ADMIN; p++)
            if (perms & (1u << p))
                json_array_append_new(a, json_string(names[p]));
        json_object_set_new(o, modules[i]->name, a);
    }
    return o;
}

static void random_hex(char *out, size_t bytes);

/* ---- passwords ---------------------------------------------------------------------- */

static sem_t hash_slots; /* at most 2 argon2id computations at once (64 MiB each) */
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

static void hash_init(void)
{
    if (sodium_init() < 0)
        die("libsodium failed to start");
    sem_init(&hash_slots, 0, 2);
}

static int take_slot(void)
{
    pthread_once(&hash_once, hash_init);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 10;
    while (sem_timedwait(&hash_slots, &ts) != 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* The common and breached passwords (build/gen/passwords.c, from Debian's john-data by
 * tools/gen_passwords.sh): lower case, sorted bytewise. */
extern const char *const common_passwords[];
extern const size_t ncommon_passwords;

static int demo_allowed; /* `qiao demo` only: its users get the published demo password */

void password_allow_demo(void)
{
    demo_allowed = 1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The policy: 8 to 128 characters, at least 4 different ones, not a common or breached
 * password (compared in lower case), not the demo password published in the README. 0, or
 * -1 with the reason in err. */
static int password_policy(const char *pw, char *err, size_t errlen)
{
    size_t n = utf8_len(pw);
    if (n < 8 || strlen(pw) > 256) {
        snprintf(err, errlen, "%s", msg_cur("密码应为 8 到 128 个字符"));
        return -1;
    }
    unsigned char seen[256] = {0};
    int distinct = 0;
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++)
        distinct += !seen[*p]++;
    if (distinct < 4) {
        snprintf(err, errlen, "%s", msg_cur("密码过于简单: 至少要有 4 个不同的字符"));
        return -1;
    }
    char low[257];
    size_t i = 0;
    for (; pw[i]; i++)
        low[i] = (pw[i] >= 'A' && pw[i] <= 'Z') ? (char)(pw[i] - 'A' + 'a') : pw[i];
    low[i] = 0;
    const char *key = low;
    if (bsearch(&key, common_passwords, ncommon_passwords, sizeof *common_passwords, cmp_str)) {
        snprintf(err, errlen, "%s", msg_cur("这是常见或已泄露的密码, 很容易被猜中, 请换一个"));
        return -1;
    }
    if (!demo_allowed && !strcmp(low, DEMO_PASSWORD)) {
        snprintf(err, errlen, "%s", msg_cur("这是示范系统公开的密码, 不能使用, 请换一个"));
        return -1;
    }
    return 0;
}

int password_hash(const char *pw, char *out, char *err, size_t errlen)
{
    if (password_policy(pw, err, errlen))
        return -1;
    if (take_slot()) {
        snprintf(err, errlen, "%s", msg_cur("系统繁忙, 请稍后再试"));
        return -1;
    }
    int rc = crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    sem_post(&hash_slots);
    if (rc) {
        snprintf(err, errlen, "%s", msg_cur("系统内存不足, 请稍后再试"));
        return -1;
    }
    return 0;
}

/* A hash of a random password, made once: what a login for an unknown user checks. */
static char dummy[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
    char pw[65], err[128];
    random_hex(pw, 32);
    if (password_hash(pw, dummy, err, sizeof err))
        dummy[0] = 0;
}

static const char *dummy_hash(void)
{
    pthread_once(&dummy_once, dummy_init);
    return dummy;
}

/* 1 when pw matches hash; -1 when too busy to check. */
static int password_ok(const char *pw, const char *hash)
{
    if (!hash || !*hash)
        return 0;
    if (take_slot())
        return -1;
    int ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
    sem_post(&hash_slots);
    return ok;
}

/* ---- sessions ----------------------------------------------------------------------- */

int auth_sync(db *d)
{
    buf b = {0};
    buf_printf(&b,
               "CREATE TABLE session (id %s, token_hash %s NOT NULL UNIQUE, user_id %s NOT NULL "
               "REFERENCES \"user\"(id), csrf TEXT NOT NULL, client TEXT, created_at TEXT NOT "
               "NULL, seen_at TEXT NOT NULL, expires_at TEXT NOT NULL)",
               db_type_name(d, DT_PK), db_type_name(d, DT_KEY), db_type_name(d, DT_INT));
    int rc = db_exec(d, buf_str(&b));
    buf_free(&b);
    return rc;
}

static void sha256_hex(const char *s, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, 65, h, sizeof h);
}

static void random_hex(char *out, size_t bytes)
{
    unsigned char r[32];
    randombytes_buf(r, bytes);
    sodium_bin2hex(out, bytes * 2 + 1, r, bytes);
}

static void iso_at(time_t t, char out[21])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A session as the connection's memo keeps it between requests: the session query's row
 * and when the session ends; then username, name, role, org path, org name and CSRF
 * token, each NUL-terminated. Kept until anything changes that could change the row (a
 * write of a user, an org, a session, by this process or another: db_memo_get_blob). */
struct kept {
    int64_t id, org_id, sid;
    int must_change_password;
    char seen_at[21], expires_at[21];
};

static const char *kept_str(const char **p)
{
    const char *s = *p;
    *p += strlen(s) + 1;
    return s;
}

static struct user *user_of_kept(struct req *r, const struct kept *k, const char *th)
{
    struct user *u = arena_alloc(r->a, sizeof *u);
    const char *p = (const char *)(k + 1);
    u->id = k->id;
    u->org_id = k->org_id;
    u->must_change_password = k->must_change_password;
    u->username = arena_strdup(r->a, kept_str(&p));
    u->name = arena_strdup(r->a, kept_str(&p));
    u->role = arena_strdup(r->a, kept_str(&p));
    u->org_path = arena_strdup(r->a, kept_str(&p));
    u->org_name = arena_strdup(r->a, kept_str(&p));
    u->csrf = arena_strdup(r->a, kept_str(&p));
    u->session_hash = arena_strdup(r->a, th);
    return u;
}

/* The session query's row S as a struct kept (in B), which the memo keeps when it can. */
static const struct kept *keep_session(db *d, const char *key, stmt *s, buf *b)
{
    struct kept k = {.id = st_int(s, "id"),
                     .org_id = st_int(s, "org_id"),
                     .sid = st_int(s, "sid"),
                     .must_change_password = st_int(s, "must_change_password") != 0};
    snprintf(k.seen_at, sizeof k.seen_at, "%s", st_text(s, "seen_at"));
    snprintf(k.expires_at, sizeof k.expires_at, "%s", st_text(s, "expires_at"));
    buf_add(b, (const char *)&k, sizeof k);
    static const char *const cols[] = {"username", "name", "role", "path", "org_name", "csrf"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
        const char *v = st_text(s, cols[i]);
        buf_add(b, v ? v : "", strlen(v ? v : "") + 1);
    }
    db_memo_put_blob(d, key, b->s, b->len);
    return (const struct kept *)b->s;
}

/* The user of a live session, or NULL. Refreshes seen_at at most once a minute. */
static struct user *load_session(struct req *r, const char *token)
{
    char th[65], now[21], idle[21], minute[21];
    sha256_hex(token, th);
    time_t t = time(NULL);
    iso_at(t, now);
    iso_at(t - IDLE_SECONDS, idle);
    iso_at(t - 60, minute);
    r->db_failed = 0;
    struct user *u = NULL;
    int64_t sid = 0;
    const char *key = arena_printf(r->a, "session\x1f%s", th);
    size_t len = 0;
    const struct kept *k = db_memo_get_blob(r->db, key, &len);
    buf b = {0};
    if (!k || strcmp(k->expires_at, now) <= 0 || strcmp(k->seen_at, idle) <= 0) {
        /* not kept, or past its time by what was kept: ask */
        stmt *s = db_prepare(
            r->db, "SELECT s.id AS sid, s.csrf, s.seen_at, s.expires_at, u.id, u.username, "
                   "u.name, u.role, u.org_id, u.must_change_password, o.path, o.name AS "
                   "org_name FROM session s JOIN \"user\" u ON u.id = s.user_id JOIN "
                   "\"org\" o ON o.id = u.org_id WHERE s.token_hash = ? AND s.expires_at > "
                   "? AND s.seen_at > ? AND u.deleted_at IS NULL AND u.status = 'active'");
        if (!s) {
            r->db_failed = 1;
            return NULL;
        }
        st_bind_text(s, 1, th);
        st_bind_text(s, 2, now);
        st_bind_text(s, 3, idle);
        int rc = st_step(s);
        r->db_failed = rc != DB_ROW && rc != DB_DONE;
        k = rc == DB_ROW ? keep_session(r->db, key, s, &b) : NULL;
        st_finalize(s);
    }
    if (k) {
        u = user_of_kept(r, k, th);
        sid = strcmp(k->seen_at, minute) < 0 ? k->sid : 0;
    }
    buf_free(&b);
    /* Best effort: when another connection holds the write lock past the busy timeout, the
     * session stays as it was (still live: it is touched again on a later request). */
    if (sid &&
        db_execv(r->db, "UPDATE session SET seen_at = ? WHERE id = ?", "si", now, sid) != DB_OK)
        log_msg("session %lld not touched: %s", (long long)sid, db_errmsg(r->db));
    return u;
}

static void set_ctx(struct req *r, const char *module)
{
    struct user *u = r->user;
    r->ctx.user_id = u->id;
    r->ctx.username = u->username;
    r->ctx.role = u->role;
    r->ctx.org_id = u->org_id;
    r->ctx.scope_path = u->org_path;
    r->ctx.may_unmask = module && may(u, module, P_VIEW_SENSITIVE);
    const char *um = req_arg(r, "unmask");
    r->ctx.unmask = um && !strcmp(um, "1");
}

int auth_check(struct req *r)
{
    const struct route *rt = r->route;
    const char *token = req_cookie(r, COOKIE);
    if (token && strlen(token) == 64)
        r->user = load_session(r, token);
    if (r->db_failed) { /* a database error is not "logged out" */
        reply_db_error(r, "数据库暂时不可用, 请稍后再试");
        return -1;
    }
    const char *module = rt->module ? rt->module : r->ent ? r->ent->module : NULL;
    if (rt->perm == P_PUBLIC) {
        if (r->user)
            set_ctx(r, module);
        return 0;
    }
    if (!r->user) {
        reply_error(r, 401, "unauthenticated", NULL, "请先登录 (或登录已过期)");
        return -1;
    }
    int write = strcmp(r->method, "GET") && strcmp(r->method, "HEAD");
    if (write) {
        const char *t = req_header(r, "X-CSRF-Token");
        if (!t || strlen(t) != strlen(r->user->csrf) ||
            sodium_memcmp(t, r->user->csrf, strlen(t)) != 0) {
            reply_error(r, 403, "csrf", NULL, "缺少或错误的 CSRF 令牌, 请刷新页面后重试");
            return -1;
        }
    }
    if (r->user->must_change_password && !(rt->flags & R_ANYPASS)) {
        reply_error(r, 403, "must_change_password", NULL, "请先修改初始密码");
        return -1;
    }
    if (rt->perm != P_NONE && (!module || !may(r->user, module, rt->perm))) {
        reply_error(r, 403, "forbidden", NULL, "没有权限进行此操作");
        return -1;
    }
    set_ctx(r, module);
    if (r->ctx.unmask && !r->ctx.may_unmask) {
        reply_error(r, 403, "forbidden", "unmask", "没有查看敏感信息的权限");
        return -1;
    }
    return 0;
}

static json_t *user_json(const struct user *u)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:b, s:o}", "id", (json_int_t)u->id,
                     "username", u->username, "name", u->name, "org_id", (json_int_t)u->org_id,
                     "org_name", u->org_name, "role", u->role, "must_change_password",
                     u->must_change_password, "permissions", role_perms_json(u->role));
}

/* A failed login in a transaction of its own: the audit entry (action) and, for a known
 * user, failed_logins set to failed and locked_until to until (NULL: not locked); with
 * failed < 0 only the entry. DB_OK, or DB_ERROR with nothing written (see db_errcode). */
static int login_failure(struct req *r, const char *action, int64_t user_id, const char *username,
                         int64_t failed, const char *until)
{
    struct ent_ctx c = r->ctx;
    c.user_id = user_id;
    c.username = username;
    c.client = r->client;
    if (db_begin(r->db) != DB_OK)
        return DB_ERROR;
    int rc = DB_OK;
    if (user_id && failed >= 0)
        rc = db_execv(r->db, "UPDATE \"user\" SET failed_logins = ?, locked_until = ? WHERE id = ?",
                      "isi", failed, until, user_id);
    if (rc == DB_OK)
        rc = audit_write(&c, action, "user", user_id, NULL, NULL);
    if (rc != DB_OK) {
        db_rollback(r->db);
        return DB_ERROR;
    }
    return db_commit(r->db);
}

/* Count a password attempt of known user id before the password is checked, in one
 * statement, so that many at once cannot all get past the limit. The attempt's number, or
 * 0 on a database error (nothing counted). */
static int64_t count_attempt(struct req *r, int64_t id)
{
    if (db_begin(r->db) != DB_OK)
        return 0;
    int64_t attempt = 0;
    stmt *a = db_prepare(r->db, "UPDATE \"user\" SET failed_logins = coalesce(failed_logins, 0) + "
                                "1 WHERE id = ? RETURNING failed_logins");
    st_bind_int(a, 1, id);
    if (a && st_step(a) == DB_ROW)
        attempt = st_int(a, "failed_logins");
    st_finalize(a);
    if (!attempt || db_commit(r->db) != DB_OK) {
        if (db_depth(r->db))
            db_rollback(r->db);
        return 0;
    }
    return attempt;
}

/* POST /api/v1/session {"username", "password"} */
void session_login_h(struct req *r)
{
    json_t *body = req_json(r);
    if (!body)
        return;
    const char *name = json_string_value(json_object_get(body, "username"));
    const char *pw = json_string_value(json_object_get(body, "password"));
    if (!name || !*name) {
        reply_error(r, 422, "invalid", "username", "请输入用户名");
        goto out;
    }
    if (!pw || !*pw) {
        reply_error(r, 422, "invalid", "password", "请输入密码");
        goto out;
    }
    stmt *s = db_prepare(r->db, "SELECT id, password_hash, locked_until, status FROM \"user\" "
                                "WHERE username = ? AND deleted_at IS NULL");
    if (!s) {
        reply_db_error(r, "登录失败, 请稍后再试");
        goto out;
    }
    st_bind_text(s, 1, name);
    int64_t id = 0;
    char *hash = NULL, *locked = NULL;
    int active = 0;
    if (st_step(s) == DB_ROW) {
        id = st_int(s, "id");
        hash = arena_strdup(r->a, st_text(s, "password_hash"));
        locked = arena_strdup(r->a, st_text(s, "locked_until"));
        active = !strcmp(st_text(s, "status"), "active");
    }
    st_finalize(s);
    char now[21];
    time_t t = time(NULL);
    iso_at(t, now);
    /* An unknown (or disabled) username is locked out like a known one, so that the answers
     * after 5 tries do not tell which exist: its failures are counted from the audit trail
     * over the lockout's length (the known user's count is the user row's). */
    int64_t attempt = 0;
    int is_locked = locked && strcmp(locked, now) > 0;
    if (!(id && active)) {
        char since[21];
        iso_at(t - LOCK_SECONDS, since);
        stmt *f = db_prepare(r->db, "SELECT count(*) AS n FROM audit_log WHERE entity = 'user' AND "
                                    "entity_id = ? AND username = ? AND action = 'login_failed' "
                                    "AND at >= ?");
        st_bind_int(f, 1, id);
        st_bind_text(f, 2, name);
        st_bind_text(f, 3, since);
        int rc = f ? st_step(f) : DB_ERROR;
        if (rc == DB_ROW)
            attempt = st_int(f, "n") + 1;
        st_finalize(f);
        if (rc != DB_ROW) {
            reply_db_error(r, "登录失败, 请稍后再试");
            goto out;
        }
        is_locked = attempt > MAX_FAILED; /* answered as a known user's lock is */
    }
    if (is_locked) {
        if (login_failure(r, "login_locked", id, name, -1, NULL) != DB_OK)
            reply_db_error(r, "登录失败, 请稍后再试");
        else
            reply_error(r, 423, "locked", NULL, "账号已被锁定, 请 15 分钟后再试或联系管理员");
        goto out;
    }
    /* A known user's attempt is counted before the password is checked, in one statement,
     * so that many at once cannot all get past the limit: an attempt past it locks the
     * account without a check. */
    if (id && active) {
        attempt = count_attempt(r, id);
        if (!attempt) {
            reply_db_error(r, "登录失败, 请稍后再试");
            goto out;
        }
        if (attempt > MAX_FAILED) {
            char until[21];
            iso_at(t + LOCK_SECONDS, until);
            if (login_failure(r, "login_locked", id, name, 0, until) != DB_OK)
                reply_db_error(r, "登录失败, 请稍后再试");
            else
                reply_error(r, 423, "locked", NULL, "密码连续错误 %d 次, 账号已锁定 15 分钟",
                            MAX_FAILED);
            goto out;
        }
    }
    /* An unknown or disabled user costs the same hash as a known one, so the answer's
     * timing does not tell which usernames exist. */
    int ok = password_ok(pw, id && active ? hash : dummy_hash());
    if (!(id && active) && ok > 0)
        ok = 0;
    if (ok < 0) {
        reply_error(r, 503, "busy", NULL, "系统繁忙, 请稍后再试");
        goto out;
    }
    if (!ok) {
        /* A failure that cannot be counted is not answered as one: the client learns
         * nothing about the password and tries again later. */
        char until[21];
        iso_at(t + LOCK_SECONDS, until);
        int lock = attempt >= MAX_FAILED; /* this attempt was counted before the check */
        if (login_failure(r, "login_failed", id, name, lock ? 0 : -1, lock ? until : NULL) !=
            DB_OK) {
            reply_db_error(r, "登录失败, 请稍后再试");
            goto out;
        }
        if (lock)
            reply_error(r, 423, "locked", NULL, "密码连续错误 %d 次, 账号已锁定 15 分钟",
                        MAX_FAILED);
        else
            reply_error(r, 401, "unauthenticated", "password", "用户名或密码错误");
        goto out;
    }
    char token[65], th[65], csrf[65], expires[21];
    random_hex(token, 32);
    random_hex(csrf, 32);
    sha256_hex(token, th);
    iso_at(t + ABSOLUTE_SECONDS, expires);
    if (db_begin(r->db) != DB_OK) {
        reply_db_error(r, "登录失败, 请稍后再试");
        goto out;
    }
    int rc = db_execv(r->db,
                      "INSERT INTO session (token_hash, user_id, csrf, client, created_at, "
                      "seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      "sisssss", th, id, csrf, r->client, now, now, expires);
    if (rc == DB_OK)
        rc = db_execv(r->db,
                      "UPDATE \"user\" SET failed_logins = 0, locked_until = NULL, last_login_at "
                      "= ? WHERE id = ?",
                      "si", now, id);
    /* Old sessions are cleaned up as users log in. */
    char idle[21];
    iso_at(t - IDLE_SECONDS, idle);
    if (rc == DB_OK)
        rc = db_execv(r->db, "DELETE FROM session WHERE expires_at < ? OR seen_at < ?", "ss", now,
                      idle);
    struct ent_ctx c = r->ctx;
    c.user_id = id;
    c.username = name;
    if (rc == DB_OK)
        rc = audit_write(&c, "login", "user", id, NULL, NULL);
    if (rc == DB_OK)
        rc = db_commit(r->db);
    else
        db_rollback(r->db);
    if (rc != DB_OK) {
        reply_db_error(r, "登录失败, 请稍后再试");
        goto out;
    }
    r->user = load_session(r, token);
    if (!r->user) {
        reply_error(r, 403, "forbidden", NULL, "该账号没有有效的所属组织");
        goto out;
    }
    char *cookie = arena_printf(r->a, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", token,
                                r->tls ? "; Secure" : "");
    reply_header(r, "Set-Cookie", cookie);
    reply_json(r, 200, json_pack("{s:o, s:s}", "user", user_json(r->user), "csrf_token", csrf));
out:
    json_decref(body);
}

/* GET /api/v1/session */
void session_get_h(struct req *r)
{
    if (!r->user) {
        reply_error(r, 401, "unauthenticated", NULL, "未登录");
        return;
    }
    reply_json(r, 200,
               json_pack("{s:o, s:s}", "user", user_json(r->user), "csrf_token", r->user->csrf));
}

/* DELETE /api/v1/session */
void session_logout_h(struct req *r)
{
    /* The session lives on until it is deleted: say so rather than drop only the cookie. */
    if (db_execv(r->db, "DELETE FROM session WHERE token_hash = ?", "s", r->user->session_hash) !=
        DB_OK) {
        reply_db_error(r, "退出登录失败, 请稍后再试");
        return;
    }
    reply_header(r, "Set-Cookie", COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    reply_raw(r, 204, NULL, NULL, 0);
}

/* POST /api/v1/session/password {"old_password", "new_password"} */
void session_passwd_h(struct req *r)
{
    json_t *body = req_json(r);
    if (!body)
        return;
    const char *old = json_string_value(json_object_get(body, "old_password"));
    const char *pw = json_string_value(json_object_get(body, "new_password"));
    char *hash = NULL;
    char newhash[crypto_pwhash_STRBYTES], err[256];
    stmt *s = db_prepare(r->db, "SELECT password_hash FROM \"user\" WHERE id = ?");
    if (s) {
        st_bind_int(s, 1, r->user->id);
        if (st_step(s) == DB_ROW)
            hash = arena_strdup(r->a, st_text(s, "password_hash"));
        st_finalize(s);
    }
    /* Wrong old passwords are limited as logins are (the same counter): a stolen session
     * cannot try passwords unchecked. The attempt is counted before the check. */
    int64_t attempt = s && old ? count_attempt(r, r->user->id) : 0;
    int okold = attempt && attempt <= MAX_FAILED ? password_ok(old, hash) : 0;
    if (okold > 0 && db_execv(r->db, "UPDATE \"user\" SET failed_logins = 0 WHERE id = ?", "i",
                              r->user->id) != DB_OK)
        attempt = 0; /* answered as a database error below */
    if (!s || (old && !attempt)) {
        reply_db_error(r, "修改密码失败, 请稍后再试");
    } else if (okold < 0) {
        reply_error(r, 503, "busy", NULL, "系统繁忙, 请稍后再试");
    } else if (!okold && attempt >= MAX_FAILED) {
        /* the account locks and every session of the user ends, this one too */
        char until[21];
        iso_at(time(NULL) + LOCK_SECONDS, until);
        int rc = db_begin(r->db);
        if (rc == DB_OK)
            rc = db_execv(r->db,
                          "UPDATE \"user\" SET failed_logins = 0, locked_until = ? WHERE id = ?",
                          "si", until, r->user->id);
        if (rc == DB_OK)
            rc = db_execv(r->db, "DELETE FROM session WHERE user_id = ?", "i", r->user->id);
        if (rc == DB_OK)
            rc = audit_write(&r->ctx, "login_locked", "user", r->user->id, NULL, NULL);
        if (rc == DB_OK)
            rc = db_commit(r->db);
        else if (db_depth(r->db))
            db_rollback(r->db);
        if (rc != DB_OK)
            reply_db_error(r, "修改密码失败, 请稍后再试");
        else
            reply_error(r, 423, "locked", "old_password",
                        "原密码连续错误 %d 次, 账号已锁定 15 分钟", MAX_FAILED);
    } else if (!okold) {
        reply_error(r, 422, "invalid", "old_password", "原密码不正确");
    } else if (!pw) {
        reply_error(r, 422, "invalid", "new_password", "请输入新密码");
    } else if (!strcmp(pw, old)) {
        reply_error(r, 422, "invalid", "new_password", "新密码不能与原密码相同");
    } else if (password_hash(pw, newhash, err, sizeof err)) {
        reply_error(r, 422, "invalid", "new_password", "%s", err);
    } else if (db_begin(r->db) != DB_OK) {
        reply_db_error(r, "修改密码失败, 请稍后再试");
    } else {
        int rc = db_execv(r->db,
                          "UPDATE \"user\" SET password_hash = ?, must_change_password = 0, "
                          "failed_logins = 0 WHERE id = ?",
                          "si", newhash, r->user->id);
        /* Other sessions of this user end; this one stays. */
        if (rc == DB_OK)
            rc = db_execv(r->db, "DELETE FROM session WHERE user_id = ? AND token_hash <> ?", "is",
                          r->user->id, r->user->session_hash);
        if (rc == DB_OK)
            rc = audit_write(&r->ctx, "change_password", "user", r->user->id, NULL, NULL);
        if (rc == DB_OK)
            rc = db_commit(r->db);
        else
            db_rollback(r->db);
        if (rc == DB_OK)
            reply_raw(r, 204, NULL, NULL, 0);
        else
            reply_db_error(r, "修改密码失败, 请稍后再试");
    }
    json_decref(body);
}

int audit_filter(struct req *r, buf *where, json_t *binds)
{
    /* page, per_page, after and before are the list's; lang an export's (GET
     * /api/v1/audit.xlsx, export.c) */
    static const char *const known[] = {"user_id", "entity", "entity_id", "action", "from",
                                        "to",      "page",   "per_page",  "after",  "before",
                                        "lang",    "unmask", NULL};
    for (int i = 0; i < r->nargs; i++) {
        int ok = 0;
        for (int k = 0; known[k]; k++)
            ok |= !strcmp(r->args[i].key, known[k]);
        if (!ok) {
            reply_error(r, 400, "bad_request", r->args[i].key, "不能按“%s”筛选审计记录",
                        r->args[i].key);
            return -1;
        }
    }
    const char *v;
    int64_t n;
    static const struct {
        const char *arg, *sql;
        int isint;
    } filters[] = {{"user_id", " AND user_id = ?", 1},
                   {"entity", " AND entity = ?", 0},
                   {"entity_id", " AND entity_id = ?", 1},
                   {"action", " AND action = ?", 0},
                   {"from", " AND at >= ?", 0},
                   {"to", " AND at <= ?", 0}};
    for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
        if (!(v = req_arg(r, filters[i].arg)) || !*v)
            continue;
        if (filters[i].isint) {
            if (!parse_i64(v, &n)) {
                reply_error(r, 400, "bad_request", filters[i].arg, "“%s”应为整数: “%s”",
                            filters[i].arg, v);
                return -1;
            }
            json_array_append_new(binds, json_integer(n));
        } else {
            json_t *s = json_string(v);
            int is_time = !strcmp(filters[i].arg, "from") || !strcmp(filters[i].arg, "to");
            if (s && is_time) {
                /* a date or a time of any year (2999 bounds an open range): the shape and
                 * the calendar checked as for the year 2000; a time with its zone compared
                 * as UTC when it is within the years a record may hold */
                static const struct field when = {"at", FT_DATETIME, {"时间", "時間", "Time"}};
                static const struct field day = {"at", FT_DATE, {"日期", "日期", "Date"}};
                json_t *t = NULL;
                struct verr ve;
                char *y2k = arena_strdup(r->a, v);
                if (strlen(y2k) >= 4)
                    memcpy(y2k, "2000", 4);
                if (ent_value_text(&day, y2k, &t, &ve) && ent_value_text(&when, y2k, &t, &ve)) {
                    json_decref(s);
                    reply_error(r, 400, "bad_request", filters[i].arg,
                                "“%s”应为日期或时间, 如 2024-05-01 或 2024-05-01T08:30:00+08:00: "
                                "“%s”",
                                filters[i].arg, v);
                    return -1;
                }
                json_decref(t);
                t = NULL;
                if (!ent_value_text(&when, v, &t, &ve) && json_is_string(t)) {
                    json_decref(s);
                    s = json_incref(t);
                }
                json_decref(t);
            }
            if (!s) {
                reply_error(r, 400, "bad_request", filters[i].arg, "“%s”不是有效文字",
                            filters[i].arg);
                return -1;
            }
            json_array_append_new(binds, s);
        }
        buf_puts(where, filters[i].sql);
    }
    /* An admin sees the entries made by users of their own subtree, and the system's. */
    buf_puts(where, " AND (user_id IS NULL OR user_id = 0 OR user_id IN (SELECT u.id FROM "
                    "\"user\" u JOIN \"org\" o ON o.id = u.org_id WHERE o.path >= ? AND o.path "
                    "< ?))");
    json_array_append_new(binds, json_string(r->user->org_path));
    json_array_append_new(binds, json_string(path_bound(r->a, r->user->org_path)));
    return 0;
}

/* An entry's values (before or after, parsed) with the sensitive fields of entity masked,
 * unless the reader may and asked to unmask (the dispatcher audits that view). */
static json_t *entry_values(struct req *r, const char *entity, const char *text)
{
    json_t *o = text ? json_loads(text, 0, NULL) : NULL;
    if (!o)
        return json_null();
    const struct entity *ent = entity ? entity_find(entity) : NULL;
    if (!ent || !json_is_object(o) || (r->ctx.may_unmask && r->ctx.unmask))
        return o;
    for (const struct field *f = ent->fields; f->name; f++) {
        json_t *v = json_object_get(o, f->name);
        if ((f->flags & FF_SENSITIVE) && json_is_string(v))
            json_object_set_new(o, f->name, json_string(mask_value(r->a, json_string_value(v))));
    }
    return o;
}

/* GET /api/v1/audit?user_id=&entity=&entity_id=&action=&from=&to=&page=&per_page=&unmask=
 * &after=&before= (the values of sensitive fields masked unless unmask=1), the newest
 * first. after/before: the `next`/`prev` of a page (its last or first entry's seq), for
 * the entries after or before it: as fast on page 50,000 as on page 2, where page= reads
 * past every entry before it. The total is counted as an entity list's is (ent_count). */
void audit_list_h(struct req *r)
{
    buf where = {0}, sql = {0};
    json_t *binds = json_array();
    const char *v;
    if (audit_filter(r, &where, binds))
        goto out;
    int64_t page = 1, per = 50, at = 0;
    if ((v = req_arg(r, "page")) && (!parse_i64(v, &page) || page < 1)) {
        reply_error(r, 400, "bad_request", "page", "页码应为正整数: “%s”", v);
        goto out;
    }
    if ((v = req_arg(r, "per_page")) && (!parse_i64(v, &per) || per < 1 || per > 200)) {
        reply_error(r, 400, "bad_request", "per_page", "每页条数应在 1 到 200 之间: “%s”", v);
        goto out;
    }
    const char *after = req_arg(r, "after"), *before = req_arg(r, "before");
    after = after && *after ? after : NULL;
    before = before && *before ? before : NULL;
    if (after && before) {
        reply_error(r, 400, "bad_request", "before", "“after”和“before”只能给一个");
        goto out;
    }
    const char *cursor = after ? after : before, *cname = after ? "after" : "before";
    if (cursor && (!parse_i64(cursor, &at) || at < 1)) {
        reply_error(r, 400, "bad_request", cname, "“%s”应为上一页给出的位置(next 或 prev): “%s”",
                    cname, cursor);
        goto out;
    }
    int back = !!before, estimated = 0;
    buf_printf(&sql, "SELECT count(*) AS n FROM audit_log WHERE 1 = 1%s", buf_str(&where));
    int64_t total = ent_count(&r->ctx, buf_str(&sql), binds, &estimated);
    if (total < 0) {
        reply_db_error(r, "数据库错误, 请稍后再试");
        goto out;
    }
    if (!cursor && !estimated && page > 1 && (page - 1) * per >= total) {
        reply_error(r, 400, "bad_request", "page", "页码 %lld 超出范围", (long long)page);
        goto out;
    }
    if (cursor) {
        buf_puts(&where, back ? " AND seq > ?" : " AND seq < ?");
        json_array_append_new(binds, json_integer(at));
    }
    sql.len = 0;
    /* one entry more than the page: whether there is another page beyond it */
    buf_printf(&sql,
               "SELECT id, seq, at, user_id, username, client, action, entity, entity_id, "
               "before_json, after_json FROM audit_log WHERE 1 = 1%s ORDER BY seq%s LIMIT ?",
               buf_str(&where), back ? "" : " DESC");
    json_array_append_new(binds, json_integer(per + 1));
    if (!cursor && page > 1) {
        buf_puts(&sql, " OFFSET ?");
        json_array_append_new(binds, json_integer((page - 1) * per));
    }
    stmt *s = db_prepare_json(r->db, buf_str(&sql), binds);
    json_t *items = json_array();
    int st = DB_ERROR, more = 0;
    while (s && (st = st_step(s)) == DB_ROW) {
        if ((int64_t)json_array_size(items) == per) {
            more = 1;
            continue;
        }
        const char *b = st_text(s, "before_json"), *a = st_text(s, "after_json");
        json_t *e = json_pack("{s:I, s:I, s:s, s:I, s:s?, s:s?, s:s, s:s?, s:I, s:o, s:o}", "id",
                              (json_int_t)st_int(s, "id"), "seq", (json_int_t)st_int(s, "seq"),
                              "at", st_text(s, "at"), "user_id", (json_int_t)st_int(s, "user_id"),
                              "username", st_text(s, "username"), "client", st_text(s, "client"),
                              "action", st_text(s, "action"), "entity", st_text(s, "entity"),
                              "entity_id", (json_int_t)st_int(s, "entity_id"), "before",
                              entry_values(r, st_text(s, "entity"), b), "after",
                              entry_values(r, st_text(s, "entity"), a));
        if (back)
            json_array_insert_new(items, 0, e); /* read oldest first: put them newest first */
        else
            json_array_append_new(items, e);
    }
    st_finalize(s);
    if (st != DB_DONE) {
        json_decref(items);
        reply_db_error(r, "数据库错误, 请稍后再试");
        goto out;
    }
    size_t n = json_array_size(items);
    json_int_t first = n ? json_integer_value(json_object_get(json_array_get(items, 0), "seq")) : 0,
               last =
                   n ? json_integer_value(json_object_get(json_array_get(items, n - 1), "seq")) : 0;
    /* next: the entries after this page (older), if any; prev: those before it (newer) */
    int has_next = n && (back || more), has_prev = n && (back ? more : cursor || page > 1);
    char nb[24], pb[24];
    snprintf(nb, sizeof nb, "%lld", (long long)last);
    snprintf(pb, sizeof pb, "%lld", (long long)first);
    json_t *res =
        json_pack("{s:o, s:I, s:b, s:I, s:s?, s:s?}", "items", items, "total", (json_int_t)total,
                  "total_estimated", estimated, "per_page", (json_int_t)per, "next",
                  has_next ? nb : NULL, "prev", has_prev ? pb : NULL);
    /* page: the page number; with a cursor it is the caller's own count, echoed (none: null) */
    json_object_set_new(
        res, "page", cursor && !req_arg(r, "page") ? json_null() : json_integer((json_int_t)page));
    reply_json(r, 200, res);
out:
    buf_free(&where);
    buf_free(&sql);
    json_decref(binds);
}

/* The session endpoints: public or for any logged-in user. */
const struct module session_module = {
    .name = "session",
    .routes =
        (const struct route[]){
            {"POST", "/api/v1/session", session_login_h, NULL, P_PUBLIC, 0},
            {"GET", "/api/v1/session", session_get_h, NULL, P_PUBLIC, 0},
            {"DELETE", "/api/v1/session", session_logout_h, NULL, P_NONE, R_ANYPASS},
            {"POST", "/api/v1/session/password", session_passwd_h, NULL, P_NONE, R_ANYPASS},
            {NULL},
        },
};
