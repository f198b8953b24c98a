/* user.c - the user entity and its management: the declaration, the API handlers that
 * set passwords, and `qiao user add | passwd | lock | unlock`. */
#include "audit.h"
#include "module.h"
#include "auth.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

const struct enumval user_roles[] = {
    {"admin", {"管理员", "管理員", "Administrator"}},
    {"leader", {"领导", "領導", "Leader"}},
    {"staff", {"业务员", "業務員", "Staff"}},
    {"finance", {"财务", "財務", "Finance"}},
    {"mediator", {"调解员", "調解員", "Mediator"}},
    {"viewer", {"只读用户", "唯讀用戶", "Viewer"}},
    {NULL},
};

static const struct enumval user_status[] = {
    {"active", {"正常", "正常", "Active"}},
    {"disabled", {"停用", "停用", "Disabled"}},
    {NULL},
};

static int user_check(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e)
{
    const char *u = json_string_value(json_object_get(rec, "username"));
    for (const char *p = u; p && *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
            return verr_set(e, 422, "invalid", "username",
                            "“用户名”只能用英文字母、数字和 . _ -: “%s”", u);
    const char *role = json_string_value(json_object_get(rec, "role"));
    if (c->role && role && role_rank(role) > role_rank(c->role))
        return verr_set(e, 403, "forbidden", "role", "不能授予比自己更高的角色“%s”", role);
    if (old && c->user_id == json_integer_value(json_object_get(old, "id"))) {
        if (!json_equal(json_object_get(rec, "role"), json_object_get(old, "role")) ||
            !json_equal(json_object_get(rec, "status"), json_object_get(old, "status")) ||
            !json_equal(json_object_get(rec, "org_id"), json_object_get(old, "org_id")))
            return verr_set(e, 403, "forbidden", "role", "不能修改自己的角色、状态或所属组织");
    }
    return 0;
}

/* A change of role, status or org ends the user's sessions: what they may do is read at
 * login, and a disabled or demoted user must not keep working. */
static int user_after_write(struct ent_ctx *c, int64_t id, json_t *rec, const json_t *old,
                            struct verr *e)
{
    if (!old || (json_equal(json_object_get(rec, "role"), json_object_get(old, "role")) &&
                 json_equal(json_object_get(rec, "status"), json_object_get(old, "status")) &&
                 json_equal(json_object_get(rec, "org_id"), json_object_get(old, "org_id"))))
        return 0;
    if (db_execv(c->db, "DELETE FROM session WHERE user_id = ?", "i", id) != DB_OK)
        return verr_set(e, db_errcode(c->db) == DBE_BUSY ? 503 : 500,
                        db_errcode(c->db) == DBE_BUSY ? "busy" : "internal", NULL,
                        "无法结束该用户的登录会话");
    return 0;
}

static int user_before_delete(struct ent_ctx *c, int64_t id, const json_t *old, struct verr *e)
{
    (void)old;
    if (id == c->user_id)
        return verr_set(e, 409, "conflict", NULL, "不能删除自己的账号");
    if (db_execv(c->db, "DELETE FROM session WHERE user_id = ?", "i", id) != DB_OK)
        return verr_set(e, 500, "internal", NULL, "无法结束该用户的登录会话");
    return 0;
}

const struct entity user_entity = {
    .name = "user",
    .label = {"用户", "用戶", "User"},
    .module = "user",
    .title = "username",
    .flags = EF_OWNED,
    .check = user_check,
    .after_write = user_after_write,
    .before_delete = user_before_delete,
    .fields =
        (const struct field[]){
            FIELD_ID,
            FIELD_ORG,
            {"username",
             FT_TEXT,
             {"用户名", "用戶名", "Username"},
             FF_REQUIRED | FF_SEARCH | FF_LIST | FF_UNIQUE,
             .max = 40},
            {"name",
             FT_TEXT,
             {"姓名", "姓名", "Name"},
             FF_REQUIRED | FF_SEARCH | FF_LIST,
             .max = 50},
            {"role", FT_ENUM, {"角色", "角色", "Role"}, FF_REQUIRED | FF_LIST, user_roles},
            {"phone", FT_PHONE, {"电话", "電話", "Phone"}, 0},
            {"email", FT_EMAIL, {"电子邮箱", "電子郵箱", "Email"}, 0},
            {"status", FT_ENUM, {"状态", "狀態", "Status"}, FF_LIST, user_status, .dflt = "active"},
            {"person_id",
             FT_REF,
             {"对应人员(调解员/法律顾问)", "對應人員(調解員/法律顧問)", "Person (mediators)"},
             FF_NOFK,
             .ref = "person"},
            {"must_change_password",
             FT_BOOL,
             {"须改密码", "須改密碼", "Must change password"},
             FF_READONLY},
            {"locked_until", FT_DATETIME, {"锁定至", "鎖定至", "Locked until"}, FF_READONLY},
            {"last_login_at",
             FT_DATETIME,
             {"最近登录", "最近登入", "Last login"},
             FF_READONLY | FF_LIST},
            {"failed_logins",
             FT_INT,
             {"登录失败次数", "登入失敗次數", "Failed logins"},
             FF_READONLY | FF_HIDDEN},
            {"password_hash",
             FT_KEY,
             {"密码散列", "密碼雜湊", "Password hash"},
             FF_READONLY | FF_HIDDEN},
            FIELDS_TAIL,
        },
};

/* Set user id's password hash inside the caller's transaction. */
/* A new password set for the user (by an admin, or `qiao user passwd`): the sessions they
 * had end with the old one. */
static int store_password(db *d, int64_t id, const char *hash, int must_change)
{
    int rc = db_execv(d,
                      "UPDATE \"user\" SET password_hash = ?, must_change_password = ?, "
                      "failed_logins = 0, locked_until = NULL WHERE id = ?",
                      "sii", hash, (int64_t)must_change, id);
    return rc == DB_OK ? db_execv(d, "DELETE FROM session WHERE user_id = ?", "i", id) : rc;
}

json_t *user_create(struct ent_ctx *c, json_t *fields, const char *password, int must_change,
                    struct verr *e)
{
    char hash[crypto_pwhash_STRBYTES], err[256];
    if (!password || !*password) {
        verr_set(e, 422, "invalid", "password", "“密码”不能为空");
        return NULL;
    }
    if (password_hash(password, hash, err, sizeof err)) {
        verr_set(e, 422, "invalid", "password", "%s", err);
        return NULL;
    }
    json_t *sys =
        json_pack("{s:s, s:b}", "password_hash", hash, "must_change_password", must_change);
    json_t *u = ent_create_sys(c, &user_entity, fields, sys, e);
    json_decref(sys);
    return u;
}

/* POST /api/v1/user: the user's fields plus "password"; the new user must change the
 * password at first login. */
void user_create_h(struct req *r)
{
    json_t *body = req_json(r);
    if (!body)
        return;
    char *pw = arena_strdup(r->a, json_string_value(json_object_get(body, "password")));
    json_object_del(body, "password");
    struct verr e;
    json_t *u = user_create(&r->ctx, body, pw, 1, &e);
    json_decref(body);
    if (!u)
        reply_verr(r, &e);
    else
        reply_json(r, 201, u);
}

/* POST /api/v1/user/{id}/password {"password"}: an admin sets a new initial password. */
void user_setpw_h(struct req *r)
{
    json_t *body = req_json(r);
    if (!body)
        return;
    const char *pw = json_string_value(json_object_get(body, "password"));
    char hash[crypto_pwhash_STRBYTES], err[256];
    struct verr e;
    if (!pw || password_hash(pw, hash, err, sizeof err)) {
        reply_error(r, 422, "invalid", "password", "%s", pw ? err : msg_cur("“新密码”不能为空"));
        json_decref(body);
        return;
    }
    json_decref(body);
    if (db_begin(r->db) != DB_OK) {
        reply_db_error(r, "保存密码失败, 请稍后再试");
        return;
    }
    json_t *old = ent_read(&r->ctx, &user_entity, r->id, 0, &e);
    if (!old) {
        db_rollback(r->db);
        reply_verr(r, &e);
        return;
    }
    if (store_password(r->db, r->id, hash, 1) != DB_OK ||
        audit_write(&r->ctx, "set_password", "user", r->id, NULL, NULL) != DB_OK ||
        db_commit(r->db) != DB_OK) {
        if (db_depth(r->db))
            db_rollback(r->db);
        json_decref(old);
        reply_db_error(r, "保存密码失败, 请稍后再试");
        return;
    }
    json_decref(old);
    reply_raw(r, 204, NULL, NULL, 0);
}

/* POST /api/v1/user/{id}/unlock */
void user_unlock_h(struct req *r)
{
    struct verr e;
    if (db_begin(r->db) != DB_OK) {
        reply_db_error(r, "解锁失败, 请稍后再试");
        return;
    }
    json_t *old = ent_read(&r->ctx, &user_entity, r->id, 0, &e);
    if (!old) {
        db_rollback(r->db);
        reply_verr(r, &e);
        return;
    }
    json_decref(old);
    if (db_execv(r->db, "UPDATE \"user\" SET failed_logins = 0, locked_until = NULL WHERE id = ?",
                 "i", r->id) != DB_OK ||
        audit_write(&r->ctx, "unlock", "user", r->id, NULL, NULL) != DB_OK ||
        db_commit(r->db) != DB_OK) {
        if (db_depth(r->db))
            db_rollback(r->db);
        reply_db_error(r, "解锁失败, 请稍后再试");
        return;
    }
    reply_raw(r, 204, NULL, NULL, 0);
}

/* ---- command line ------------------------------------------------------------------- */

static struct ent_ctx cli_ctx(db *d, arena *a)
{
    return (struct ent_ctx){
        .db = d, .a = a, .username = "qiao-cli", .client = "cli", .may_unmask = 1};
}

int user_add_cli(db *d, const char *username, const char *role, int64_t org_id,
                 const char *password)
{
    arena *a = arena_new();
    struct ent_ctx c = cli_ctx(d, a);
    struct verr e;
    json_t *body = json_pack("{s:s, s:s, s:s, s:I}", "username", username, "name", username, "role",
                             role, "org_id", (json_int_t)org_id);
    json_t *u = body ? user_create(&c, body, password, 0, &e) : NULL;
    if (u)
        printf(msg_cur("已添加用户 %s (编号 %lld, 角色 %s, 组织 %lld)\n"), username,
               (long long)json_integer_value(json_object_get(u, "id")), role, (long long)org_id);
    else
        fprintf(stderr, msg_cur("qiao: 无法添加用户: %s\n"),
                body ? e.msg : msg_cur("用户名不是有效的 UTF-8"));
    json_decref(body);
    arena_free(a);
    int rc = u ? 0 : 1;
    json_decref(u);
    return rc;
}

static int64_t user_id_by_name(db *d, const char *username)
{
    return db_int(d, 0, "SELECT id FROM \"user\" WHERE username = ? AND deleted_at IS NULL", "s",
                  username);
}

int user_passwd_cli(db *d, const char *username, const char *password)
{
    char hash[crypto_pwhash_STRBYTES], err[256];
    int64_t id = user_id_by_name(d, username);
    if (!id) {
        fprintf(stderr, msg_cur("qiao: 没有用户 %s\n"), username);
        return 1;
    }
    if (password_hash(password, hash, err, sizeof err)) {
        fprintf(stderr, "qiao: %s\n", err);
        return 1;
    }
    arena *a = arena_new();
    struct ent_ctx c = cli_ctx(d, a);
    int rc = db_begin(d) == DB_OK;
    if (rc) {
        rc = store_password(d, id, hash, 0) == DB_OK &&
             audit_write(&c, "set_password", "user", id, NULL, NULL) == DB_OK;
        if (rc)
            rc = db_commit(d) == DB_OK;
        else
            db_rollback(d);
    }
    arena_free(a);
    if (!rc) {
        fprintf(stderr, msg_cur("qiao: 无法保存密码: %s\n"), db_errmsg(d));
        return 1;
    }
    printf(msg_cur("已修改用户 %s 的密码\n"), username);
    return 0;
}

int user_lock_cli(db *d, const char *username, int lock)
{
    int64_t id = user_id_by_name(d, username);
    if (!id) {
        fprintf(stderr, msg_cur("qiao: 没有用户 %s\n"), username);
        return 1;
    }
    arena *a = arena_new();
    struct ent_ctx c = cli_ctx(d, a);
    if (db_begin(d) != DB_OK) {
        arena_free(a);
        fprintf(stderr, msg_cur("qiao: 操作失败: %s\n"), db_errmsg(d));
        return 1;
    }
    int rc = (lock ? db_execv(d,
                              "UPDATE \"user\" SET locked_until = '9999-12-31T00:00:00Z' WHERE "
                              "id = ?",
                              "i", id)
                   : db_execv(d,
                              "UPDATE \"user\" SET locked_until = NULL, failed_logins = 0 WHERE "
                              "id = ?",
                              "i", id)) == DB_OK &&
             (!lock || db_execv(d, "DELETE FROM session WHERE user_id = ?", "i", id) == DB_OK) &&
             audit_write(&c, lock ? "lock" : "unlock", "user", id, NULL, NULL) == DB_OK;
    if (rc)
        rc = db_commit(d) == DB_OK;
    else
        db_rollback(d);
    arena_free(a);
    if (!rc) {
        fprintf(stderr, msg_cur("qiao: 操作失败: %s\n"), db_errmsg(d));
        return 1;
    }
    printf(msg_cur(lock ? "已锁定用户 %s\n" : "已解锁用户 %s\n"), username);
    return 0;
}

/* Users and their accounts (系统管理). */
const struct module user_module = {
    .name = "user",
    .label = {"系统管理", "系統管理", "System"},
    .entities = (const struct entity *const[]){&user_entity, NULL},
    .routes =
        (const struct route[]){
            {"POST", "/api/v1/user", user_create_h, NULL, P_ADMIN, 0},
            {"POST", "/api/v1/user/{id}/password", user_setpw_h, NULL, P_ADMIN, 0},
            {"POST", "/api/v1/user/{id}/unlock", user_unlock_h, NULL, P_ADMIN, 0},
            {NULL},
        },
    .grants = (const struct grant[]){{"admin", GALL}, {NULL}},
};
