/* http.h - the HTTP server: libmicrohttpd underneath, one route table above
 * (the modules' routes, module.h), one request struct handed to every handler.
 *
 * Before a handler runs, the dispatcher has: matched the route, read and size-checked
 * the body, authenticated the session, checked the CSRF token on writes, checked the
 * route's permission and built the org scope (STYLE 6). A handler fills the response
 * with reply_*(); everything it allocates from r->a is freed when the request ends.
 */
#ifndef QIAO_HTTP_H
#define QIAO_HTTP_H

#include <jansson.h>

#include "entity.h"

struct MHD_Connection;

enum perm {
    P_NONE = 0, /* only needs a session */
    P_VIEW,
    P_EDIT,
    P_DELETE,
    P_EXPORT,
    P_VIEW_SENSITIVE,
    P_APPROVE,
    P_ADMIN, /* user and audit administration */
    P_PUBLIC /* no session needed */
};

struct user {
    int64_t id, org_id;
    const char *username, *name, *role, *org_path, *org_name;
    int must_change_password;
    const char *session_hash; /* the session this request came with */
    const char *csrf;
};

struct req;
typedef void (*handler_fn)(struct req *r);

enum {
    R_UPLOAD = 1 << 0,  /* accepts a large body (imports, attachments) */
    R_ANYPASS = 1 << 1, /* allowed while the password must still be changed */
    R_RATED = 1 << 2,   /* counted against the portal's limits before it runs (rate.h) */
    R_GROUP = 1 << 3,   /* a short write that may share a transaction with others' (below) */
};

struct route {
    const char *method;
    const char *pattern; /* "/api/v1/{entity}/{id}/..." */
    handler_fn fn;
    const char *module; /* NULL: the {entity}'s module */
    enum perm perm;
    unsigned flags;
    const char *entity; /* optional: the entity of a route without {entity} (r->ent) */
};

struct req {
    arena *a;
    struct MHD_Connection *conn;
    const char *method, *path, *client;
    struct kv *args; /* the query string */
    int nargs;
    char *body; /* NUL-terminated, body_len bytes */
    size_t body_len;
    int too_large;
    const struct route *route;
    const struct entity *ent; /* the {entity} of the route */
    int64_t id;               /* the {id} of the route */
    db *db;
    struct user *user; /* NULL on public routes without a session */
    int db_failed;     /* the session could not be looked up: the database failed */
    struct ent_ctx ctx;
    int tls;
    /* the response */
    int status;
    char *out; /* malloc'd, handed to MHD */
    size_t out_len;
    const char *ctype;
    struct kv *hdrs;
    int nhdrs;
    double t0;
    int queued; /* handed to the group writer: the connection is suspended until it answers */
};

const char *req_arg(struct req *r, const char *name);
const char *req_header(struct req *r, const char *name);
const char *req_cookie(struct req *r, const char *name);
/* Parse the body as a JSON object; on failure replies 400 and returns NULL. */
json_t *req_json(struct req *r);
/* Does the user's role hold perm on module? */
int may(const struct user *u, const char *module, enum perm p);

void reply_json(struct req *r, int status, json_t *j); /* steals j */
/* j as compact JSON text at the end of b: byte for byte json_dumps(j, JSON_COMPACT), which
 * tests/unit/test_http.c checks. jansson's dump was 38 % of a list answer's CPU (a hash-table
 * loop check per object and array, a decode per character); with this the people list
 * served 12,500-13,500 req/s, not 7,900-8,900 (bench/README.md). A tree made in C has no
 * loops, and its text is UTF-8 already. */
void json_compact(buf *b, const json_t *j);
/* A string (n bytes of UTF-8) and an integer as JSON text at the end of b, as json_compact
 * writes them: for answers written without a jansson tree (ent_list_text). */
void json_put_string(buf *b, const char *s, size_t n);
void json_put_int(buf *b, int64_t v);
/* The same text in a string of its own (the caller frees it); with sorted, each object's
 * keys byte-wise, as json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) writes them (an audit
 * entry's). */
char *json_text(const json_t *j, int sorted);
void reply_error(struct req *r, int status, const char *code, const char *field, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));
void reply_verr(struct req *r, const struct verr *e);
/* Answer the failure of the last call on r->db: 503 "busy" when another connection held
 * the lock too long (the client may retry: every 503 carries Retry-After), 507
 * "storage_full" when the disk is, else 500 "internal" with the message fmt (a message of
 * the catalog: answered in the reader's language). */
void reply_db_error(struct req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define JSON_TYPE "application/json; charset=utf-8" /* what reply_json answers */
void reply_raw(struct req *r, int status, const char *ctype, char *body, size_t len); /* steals */
void reply_header(struct req *r, const char *name, const char *value);

struct server_opts {
    const char *db_url;
    const char *listen; /* "127.0.0.1:8080" */
    const char *web_dir;
    const char *access_log; /* file, "-" for stderr, "off" */
    unsigned threads;
    int busy_ms; /* each connection's busy timeout (db_busy_timeout); 0: the default */
    /* The reverse proxy's address (IPv4 or IPv6), or NULL: from it alone X-Forwarded-For
     * names the client (the audit, the access log) and X-Forwarded-Proto "https" marks the
     * request as TLS (the session cookie's Secure). qiao's per-address connection limit
     * then applies to direct peers only: the proxy limits its clients (README). */
    const char *trusted_proxy;
    /* Group commit on SQLite: the requests of R_GROUP routes are run by one writer thread,
     * as many as wait (at most write_batch) in one transaction, each handler's own
     * transaction a savepoint in it, and all answered when it has committed; a request
     * whose work the database threw away (the whole transaction, on a full disk) is
     * answered with that error and so is every other of its transaction. 0: the default
     * (WRITE_BATCH); 1: each runs on the thread that read it, in its own transaction, as
     * on PostgreSQL always (its writers run side by side). */
    unsigned write_batch;
};
#define WRITE_BATCH 32
/* Serve until SIGTERM or SIGINT; 0 after a clean shutdown. */
int http_serve(const struct server_opts *o);

#endif
