/* audit.c - the audit trail, chained by SHA-256. See audit.h.
 *
 * audit_head (one row) holds the sequence number and hash of the newest entry; taking
 * it with an UPDATE serialises writers on both engines, so the chain never forks. */
#include "auth.h"
#include "module.h"
#include "audit.h"
#include "import.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

int audit_sync(db *d)
{
    buf b = {0};
    buf_printf(&b,
               "CREATE TABLE audit_log (id %s, seq %s NOT NULL UNIQUE, at TEXT NOT NULL, "
               "user_id %s, username TEXT, client TEXT, action TEXT NOT NULL, entity TEXT, "
               "entity_id %s, before_json TEXT, after_json TEXT, prev_hash TEXT NOT NULL, "
               "hash TEXT NOT NULL)",
               db_type_name(d, DT_PK), db_type_name(d, DT_INT), db_type_name(d, DT_INT),
               db_type_name(d, DT_INT));
    int rc = db_exec(d, buf_str(&b));
    buf_free(&b);
    if (rc == DB_OK)
        rc = db_exec(d, "CREATE INDEX audit_entity_i ON audit_log (entity, entity_id)");
    if (rc == DB_OK)
        rc = db_exec(d, "CREATE INDEX audit_at_i ON audit_log (at)");
    if (rc == DB_OK)
        rc = db_exec(d, "CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, "
                        "hash TEXT NOT NULL)");
    if (rc == DB_OK)
        rc = db_exec(d, "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '')");
    return rc;
}

/* SHA-256 is OpenSSL's (libcrypto, which libpq loads anyway): it uses the CPU's SHA
 * instructions, and an import of a million records hashes a million entries (libsodium's
 * took 1.3 us an entry, this 0.4 us). The digest is fetched once. */
static EVP_MD *sha256;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static void sha256_fetch(void)
{
    if (!(sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)))
        die("audit: OpenSSL has no SHA-256");
}

/* hex(SHA-256(prev | seq | at | user_id | username | client | action | entity | entity_id |
 * before | after)), fields separated by a unit separator. */
static void entry_hash(char out[65], const char *prev, int64_t seq, const char *at, int64_t user_id,
                       const char *username, const char *client, const char *action,
                       const char *entity, int64_t entity_id, const char *before, const char *after)
{
    pthread_once(&sha256_once, sha256_fetch);
    EVP_MD_CTX *st = EVP_MD_CTX_new();
    if (!st || !EVP_DigestInit_ex2(st, sha256, NULL))
        die("audit: cannot start a SHA-256 digest");
    char n[3][24];
    snprintf(n[0], sizeof n[0], "%lld", (long long)seq);
    snprintf(n[1], sizeof n[1], "%lld", (long long)user_id);
    snprintf(n[2], sizeof n[2], "%lld", (long long)entity_id);
    const char *parts[] = {prev,
                           n[0],
                           at,
                           n[1],
                           username ? username : "",
                           client ? client : "",
                           action,
                           entity ? entity : "",
                           n[2],
                           before ? before : "",
                           after ? after : ""};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        if (i)
            EVP_DigestUpdate(st, "\x1f", 1);
        EVP_DigestUpdate(st, parts[i], strlen(parts[i]));
    }
    unsigned char h[32];
    unsigned int hn = 0;
    if (!EVP_DigestFinal_ex(st, h, &hn) || hn != sizeof h)
        die("audit: SHA-256 failed");
    EVP_MD_CTX_free(st);
    sodium_bin2hex(out, 65, h, sizeof h);
}

struct audit_batch {
    int64_t seq;   /* of the last entry chained */
    char hash[65]; /* its hash */
    db_rows *rows; /* the entries chained and not yet written; NULL for a dry run's */
};

struct audit_batch *audit_batch_begin(db *d)
{
    stmt *s = db_prepare(d, "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash");
    struct audit_batch *b = NULL;
    if (s && st_step(s) == DB_ROW) {
        b = xcalloc(1, sizeof *b);
        b->seq = st_int(s, "seq");
        snprintf(b->hash, sizeof b->hash, "%s", st_text(s, "hash"));
        b->rows = db_rows_new(d, "audit_log",
                              "seq, at, user_id, username, client, action, entity, entity_id, "
                              "before_json, after_json, prev_hash, hash",
                              DB_ROWS_ASYNC);
    }
    st_finalize(s);
    return b;
}

struct audit_batch *audit_batch_dry(void)
{
    return xcalloc(1, sizeof(struct audit_batch));
}

int audit_batch_end(db *d, struct audit_batch *b)
{
    int rc = b->rows ? db_rows_flush(b->rows, NULL, NULL) : DB_OK;
    if (rc == DB_OK && b->rows)
        rc = db_execv(d, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", "is", b->seq,
                      b->hash);
    audit_batch_free(b);
    return rc;
}

void audit_batch_free(struct audit_batch *b)
{
    if (!b)
        return;
    db_rows_free(b->rows);
    free(b);
}

/* Chain an entry after the batch's last one; bj and aj (JSON text or NULL) are taken. */
static int batch_add(struct ent_ctx *c, struct audit_batch *b, const char *action,
                     const char *entity, int64_t entity_id, char *bj, char *aj)
{
    char at[21], hash[65];
    now_utc(at);
    entry_hash(hash, b->hash, b->seq + 1, at, c->user_id, c->username, c->client, action, entity,
               entity_id, bj, aj);
    db_rows *r = b->rows;
    rows_int(r, ++b->seq);
    rows_text(r, at);
    rows_int(r, c->user_id);
    rows_text(r, c->username);
    rows_text(r, c->client);
    rows_text(r, action);
    rows_text(r, entity);
    rows_int(r, entity_id);
    rows_text(r, bj);
    rows_text(r, aj);
    rows_text(r, b->hash);
    rows_text(r, hash);
    memcpy(b->hash, hash, sizeof b->hash);
    free(bj);
    free(aj);
    return db_rows_end(r);
}

int audit_write_text(struct ent_ctx *c, const char *action, const char *entity, int64_t entity_id,
                     char *before, char *after)
{
    if (!c->audit || !c->audit->rows) {
        free(before);
        free(after);
        return c->audit ? DB_OK : DB_ERROR;
    }
    return batch_add(c, c->audit, action, entity, entity_id, before, after);
}

int audit_write(struct ent_ctx *c, const char *action, const char *entity, int64_t entity_id,
                json_t *before, json_t *after)
{
    db *d = c->db;
    if (c->audit)
        return audit_write_text(c, action, entity, entity_id,
                                before && c->audit->rows ? json_text(before, 1) : NULL,
                                after && c->audit->rows ? json_text(after, 1) : NULL);
    if (db_begin(d) != DB_OK)
        return DB_ERROR;
    stmt *s = db_prepare(d, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash");
    int64_t seq = 0;
    char prev[65] = "";
    if (s && st_step(s) == DB_ROW) {
        seq = st_int(s, "seq");
        snprintf(prev, sizeof prev, "%s", st_text(s, "hash"));
    }
    st_finalize(s);
    if (!seq) {
        db_rollback(d);
        return DB_ERROR;
    }
    char at[21], hash[65];
    now_utc(at);
    char *bj = before ? json_text(before, 1) : NULL;
    char *aj = after ? json_text(after, 1) : NULL;
    entry_hash(hash, prev, seq, at, c->user_id, c->username, c->client, action, entity, entity_id,
               bj, aj);
    int rc = db_execv(d,
                      "INSERT INTO audit_log (seq, at, user_id, username, client, action, entity, "
                      "entity_id, before_json, after_json, prev_hash, hash) VALUES "
                      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      "isissssissss", seq, at, c->user_id, c->username, c->client, action, entity,
                      entity_id, bj, aj, prev, hash);
    /* entity_id is bound as int64 above through 'i'; keep the format in step. */
    if (rc == DB_OK)
        rc = db_execv(d, "UPDATE audit_head SET hash = ? WHERE id = 1", "s", hash);
    free(bj);
    free(aj);
    if (rc != DB_OK) {
        db_rollback(d);
        return DB_ERROR;
    }
    return db_commit(d);
}

int audit_alone(struct ent_ctx *c, const char *action, const char *entity, int64_t entity_id,
                json_t *before, json_t *after)
{
    int rc = db_begin(c->db);
    if (rc != DB_OK)
        return rc;
    rc = audit_write(c, action, entity, entity_id, before, after);
    if (rc != DB_OK) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db);
}

int64_t audit_verify(db *d, char *msg, size_t msglen)
{
    stmt *s = db_prepare(d, "SELECT id, seq, at, user_id, username, client, action, entity, "
                            "entity_id, before_json, after_json, prev_hash, hash FROM audit_log "
                            "ORDER BY seq");
    char prev[65] = "";
    int64_t expect = 1, bad = 0, last_id = 0;
    while (s && st_step(s) == DB_ROW) {
        int64_t id = st_int(s, "id"), seq = st_int(s, "seq");
        last_id = id;
        char h[65];
        entry_hash(h, prev, seq, st_text(s, "at"), st_int(s, "user_id"), st_text(s, "username"),
                   st_text(s, "client"), st_text(s, "action"), st_text(s, "entity"),
                   st_int(s, "entity_id"), st_text(s, "before_json"), st_text(s, "after_json"));
        if (seq != expect) {
            snprintf(msg, msglen, msg_cur("审计记录 %lld 之前缺少第 %lld 条 (被删除)"),
                     (long long)id, (long long)expect);
            bad = id;
            break;
        }
        if (strcmp(prev, st_text(s, "prev_hash") ? st_text(s, "prev_hash") : "") ||
            strcmp(h, st_text(s, "hash") ? st_text(s, "hash") : "")) {
            snprintf(msg, msglen, msg_cur("审计记录 %lld (第 %lld 条) 被改动过"), (long long)id,
                     (long long)seq);
            bad = id;
            break;
        }
        snprintf(prev, sizeof prev, "%s", h);
        expect++;
    }
    st_finalize(s);
    if (!bad) {
        int64_t head = db_int(d, -1, "SELECT seq FROM audit_head WHERE id = 1", "");
        if (head != expect - 1) {
            snprintf(msg, msglen,
                     msg_cur("最后 %lld 条审计记录被删除 (应有 %lld 条, 只剩 %lld 条)"),
                     (long long)(head - expect + 1), (long long)head, (long long)(expect - 1));
            bad = last_id ? last_id : -1;
        } else {
            snprintf(msg, msglen, msg_cur("审计链完整, 共 %lld 条"), (long long)(expect - 1));
        }
    }
    return bad;
}

const struct enumval audit_actions[] = {
    {"create", {"新增", "新增", "Create"}},
    {"update", {"修改", "修改", "Update"}},
    {"delete", {"删除", "刪除", "Delete"}},
    {"transition", {"流转", "流轉", "Transition"}},
    {"import", {"导入", "匯入", "Import"}},
    {"export", {"导出", "匯出", "Export"}},
    {"unmask", {"查看敏感信息", "查看敏感資訊", "Unmask"}},
    {"merge", {"合并", "合併", "Merge"}},
    {"dismiss", {"标为不是同一人", "標為不是同一人", "Marked as different people"}},
    {"restore", {"恢复为疑似重复", "恢復為疑似重複", "Restored as a likely duplicate"}},
    {"note", {"备注", "備註", "Note"}},
    {"login", {"登录", "登入", "Log in"}},
    {"login_failed", {"登录失败", "登入失敗", "Login failed"}},
    {"login_locked", {"锁定中登录", "鎖定中登入", "Login while locked"}},
    {"set_password", {"重置密码", "重設密碼", "Password reset"}},
    {"change_password", {"修改密码", "修改密碼", "Password changed"}},
    {"lock", {"锁定", "鎖定", "Lock"}},
    {"unlock", {"解除锁定", "解除鎖定", "Unlock"}},
    {NULL},
};

/* The audit trail: read by administrators (the 审计日志 page). */
const struct module audit_module = {
    .name = "audit",
    .label = {"审计日志", "審計日誌", "Audit log"},
    .routes =
        (const struct route[]){
            {"GET", "/api/v1/audit", audit_list_h, NULL, P_ADMIN, 0},
            {"GET", "/api/v1/audit.xlsx", audit_xlsx_h, NULL, P_ADMIN, 0},
            {NULL},
        },
    .grants = (const struct grant[]){{"admin", GALL}, {NULL}},
};
