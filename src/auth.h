/* auth.h - users, roles and permissions, passwords, sessions, CSRF, the org scope.
 *
 * Roles (SPEC "Access"): admin, leader, staff, finance, mediator, viewer. Each holds a set
 * of permissions per module; anything not listed is denied. The dispatcher calls
 * auth_check() before every API handler. */
#ifndef QIAO_AUTH_H
#define QIAO_AUTH_H

#include "http.h"

/* Authenticate r from its session cookie, check CSRF on writes, the route's permission,
 * and fill r->user and r->ctx. 0 when the handler may run; otherwise an error reply is in
 * r and -1 is returned. */
int auth_check(struct req *r);

/* Hash a password (argon2id, at most a few at once). 0 on success; out has
 * crypto_pwhash_STRBYTES bytes. -1 with a Chinese message in err when the password is
 * unacceptable (too short or long, under 4 different characters, a common or breached
 * password, the demo password) or the machine is too busy. */
int password_hash(const char *pw, char *out, char *err, size_t errlen);
/* Let password_hash take the demo password (DEMO_PASSWORD), refused otherwise: for
 * `qiao demo` only. */
void password_allow_demo(void);
/* Rank of a role (viewer 1 … admin 5); 0 for an unknown role. */
int role_rank(const char *role);
/* The permissions of role on module as a JSON array of names. */
json_t *role_perms_json(const char *role);

/* Create a user from its fields and a password (in a transaction of its own, nested in
 * the caller's). Returns the new record, or NULL with e. */
json_t *user_create(struct ent_ctx *c, json_t *fields, const char *password, int must_change,
                    struct verr *e);

/* Command-line user management (qiao user ...). Each returns the exit status. */
int user_add_cli(db *d, const char *username, const char *role, int64_t org_id,
                 const char *password);
int user_passwd_cli(db *d, const char *username, const char *password);
int user_lock_cli(db *d, const char *username, int lock);

/* Handlers (the module's routes) */
void session_login_h(struct req *r);  /* POST   /api/v1/session */
void session_get_h(struct req *r);    /* GET    /api/v1/session */
void session_logout_h(struct req *r); /* DELETE /api/v1/session */
void session_passwd_h(struct req *r); /* POST   /api/v1/session/password */
void user_create_h(struct req *r);    /* POST   /api/v1/user */
void user_setpw_h(struct req *r);     /* POST   /api/v1/user/{id}/password */
void user_unlock_h(struct req *r);    /* POST   /api/v1/user/{id}/unlock */
void audit_list_h(struct req *r);     /* GET    /api/v1/audit */

/* The audit list's filters of r (user_id, entity, entity_id, action, from, to; page,
 * per_page, lang and unmask allowed and left to the caller) as " AND ..." into where, with
 * their values appended to binds, the entries of users of the reader's subtree and the
 * system's only. 0, or -1 having replied 400 naming the argument. */
int audit_filter(struct req *r, buf *where, json_t *binds);

/* The session table (a migration step). */
int auth_sync(db *d);

#endif
