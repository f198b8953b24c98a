/* entity.h - entities declared once (STYLE 2).
 *
 * Each entity is one static `struct entity` (org.c, user.c, ...). From it come the DDL
 * (entity_sync), validation of JSON and text input (ent_input, ent_parse_text), JSON
 * output with masking (ent_row_json), list filters, sorting and paging (ent_list), CSV
 * export, the audit diff and GET /api/v1/schema (ent_schema_json). A new field is one
 * line in a declaration; a new entity is a declaration in its module (module.h).
 *
 * Records travel as jansson objects holding normalised values: text, enum, date,
 * datetime ("YYYY-MM-DDTHH:MM:SSZ", UTC), region and country as strings; int, money,
 * year, ref as integers; bool as true/false; set and list as arrays of strings.
 */
#ifndef QIAO_ENTITY_H
#define QIAO_ENTITY_H

#include <jansson.h>
#include <stdint.h>

#include "msg.h"
#include "store.h"
#include "util.h"

enum ftype {
    FT_TEXT,     /* one line */
    FT_TEXTAREA, /* long text */
    FT_INT,
    FT_MONEY, /* integer fen */
    FT_DATE,
    FT_DATETIME,
    FT_YEAR,
    FT_BOOL,
    FT_ENUM,
    FT_SET,  /* several of the enum values */
    FT_LIST, /* several free strings */
    FT_REF,  /* id of a record of entity `ref` */
    FT_REGION,
    FT_COUNTRY,
    FT_PHONE,
    FT_EMAIL,
    FT_URL,
    FT_KEY,  /* internal byte-compared text (paths, hashes); always FF_HIDDEN */
    FT_PARTY /* X_type of a link to one of several kinds of record, or a bare name: declared
                with FIELD_PARTY, followed by X_id and X_name */
};

/* The kinds of record a party link may name, as the bits of a field's .party mask, in the
 * order of party_kinds (person, association, enterprise, org, name). A kind other than
 * name is the name of an entity. */
enum {
    PT_PERSON = 1 << 0,
    PT_ASSOCIATION = 1 << 1,
    PT_ENTERPRISE = 1 << 2,
    PT_ORG = 1 << 3,
    PT_NAME = 1 << 4, /* a bare name (someone not in the registries) in X_name */
};

enum {
    FF_REQUIRED = 1 << 0,
    FF_SENSITIVE = 1 << 1, /* masked unless the role may view_sensitive */
    FF_SEARCH = 1 << 2,    /* searched by the list's `q` */
    FF_READONLY = 1 << 3,  /* set by the server; refused in input */
    FF_HIDDEN = 1 << 4,    /* never in JSON, the schema or exports */
    FF_LIST = 1 << 5,      /* a default column of the web app's table */
    FF_INDEX = 1 << 6,     /* gets an index */
    FF_UNIQUE = 1 << 7,    /* unique among live rows (a unique index) */
    FF_NOFILTER = 1 << 8,
    FF_NOFK = 1 << 9,   /* a ref without a FOREIGN KEY: tables that refer to each other
                           (user.person_id, person.liaison_user_id) */
    FF_NAMES = 1 << 10, /* text made of other records' names (a caption): see ent_sees_parties */
};

struct enumval {
    const char *value;
    struct label label;
};

struct field {
    const char *name;
    enum ftype type;
    struct label label;
    unsigned flags;
    const struct enumval *values; /* FT_ENUM, FT_SET: terminated by {NULL} */
    const char *ref;              /* FT_REF: the entity referred to; FT_LIST: a list of ids
                                     of it (a visit's people, checked by the entity's own
                                     check; imported by name, exported as names) */
    int64_t min, max;             /* text: max length in characters (0: 200, textarea
                                     4000); numbers: the range when min < max */
    const char *dflt;             /* the value of a new record that leaves it out */
    unsigned party;               /* FT_PARTY, or FT_LIST of "kind:id" (a party list): the
                                     kinds allowed (PT_ bits) */
    const char *sql;              /* a computed field: its value as a SQL expression over
                                     the record (alias t), read by the record's own SELECT
                                     (one statement for a page of a list, not one a row);
                                     NULL: compute sets it */
    const char *currency;         /* FT_MONEY not always in 元: its currency's code ("USD"),
                                     or the name of the record's field holding the code
                                     ("currency"); the schema says so, the web app writes
                                     "SGD 5,200.00" for it. NULL: 元 */
};

extern const struct enumval party_kinds[]; /* FT_PARTY's values, in PT_ bit order */
/* The level of a body that honours or adopts: national, provincial, city, county (an
 * honour's level, a submission's adopted_level). */
extern const struct enumval body_levels[];

/* A link that may point at a person, an association, an enterprise, an org or a bare name
 * (SPEC "The fixed interface": X_type with X_id, or X_name): three fields. The entity
 * layer checks it as one: the kind is one of `mask`; a record kind needs X_id, a record of
 * that kind in the writer's scope, and X_name becomes its title (a name kind needs X_name
 * and no X_id); a merge of duplicate people follows it (dedup.c). flags go on X_type
 * (FF_REQUIRED: a party must be named). */
#define FIELD_PARTY(x, hans, hant, en, mask, fl)                                                   \
    {x "_type", FT_PARTY,    {hans "类型", hant "類型", en " (type)"},                             \
     (fl),      party_kinds, .party = (mask)},                                                     \
        {x "_id",  FT_INT,   {hans "编号", hant "編號", en " (id)"},                               \
         FF_INDEX, .min = 1, .max = INT64_MAX},                                                    \
    {                                                                                              \
        x "_name", FT_TEXT, {hans, hant, en}, FF_LIST | FF_SEARCH, .max = 200                      \
    }

/* An error for the user: HTTP status, code, a message naming the field. */
struct verr {
    int status;
    const char *code; /* a static string */
    char field[64];   /* the field at fault, "" for none (a copy: input may be freed) */
    char msg[512];
};
/* fmt is the message's zh-Hans format; the message is written in the thread's language
 * (msg.h: the catalog's format, which takes the same arguments). Returns -1. */
int verr_set(struct verr *e, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Who is asking, and what they may see. Built by the dispatcher for each request; the
 * command line uses an all-seeing context (scope_path NULL). */
struct kv;

struct ent_ctx {
    db *db;
    arena *a;
    int64_t user_id; /* 0: the system (command line) */
    const char *username;
    const char *role;       /* the user's role; NULL for the system */
    int64_t org_id;         /* the user's org: the default org_id of new records */
    const char *scope_path; /* the user's org path ("/1/4/"); NULL: everything */
    int may_unmask;         /* role has view_sensitive for this module */
    int unmask;             /* the request asked to see sensitive values (audited) */
    const char *client;     /* client address, for the audit trail */
    enum lang lang;         /* the reader's language */
    int bulk; /* import.c: ent_create answers only {"id"}, and its audit entry holds the values
                 written (not the row read back) */
    struct search_batch *keys; /* import.c: new records' search keys gather here (search.h) */
    const struct move *move;   /* ent_transition: the move being written (hooks may ask) */
    struct audit_batch *audit; /* import.c: the entries of a bulk write gather here (audit.h) */
    struct {                   /* bulk: the last reference found, not looked up again */
        const struct entity *ent;
        int64_t id;
    } ref_seen;
    /* A bulk writer's held records (ent_rows_new): with bulk and audit set, on an engine
     * that reserves ids (db_holds_rows), ent_create of an entity that qualifies checks the
     * record, reserves its id and holds the row, to be written with the others by
     * ent_rows_send / ent_rows_flush (COPY, or multi-row INSERTs). row_tag is the caller's name for
     * the record being created (an import's row number), handed back for a held row that fails when
     * written. */
    struct ent_rows *rows;
    int row_tag;
    /* A list's keyword: the name search found more than the list takes of it (its best
     * names_cut; module.list_match sets it, list_page answers it) */
    int names_cut;
};

/* The held records of a bulk write (see ent_ctx.rows). An entity qualifies when it says so
 * (EF_HOLD), has no after_write hook (which may need the row written) and no link to its
 * own kind (a later record may name an earlier one): the others are written at once.
 * A unique value (FF_UNIQUE) is checked against the table and the records held, so that
 * a duplicate is refused at its own ent_create. */
struct ent_rows;
struct ent_rows *ent_rows_new(void);
/* Write every held record inside c's transaction. DB_OK; or DB_ERROR: with bad, a record
 * the database refused (a constraint the checks do not know) is reported as
 * bad(arg, its row_tag, e) (409) and the rest are still written (the transaction stays
 * usable; the caller must not commit); any other failure answers DB_ERROR at once. */
int ent_rows_flush(struct ent_ctx *c, void (*bad)(void *arg, int tag, const struct verr *e),
                   void *arg);
/* As ent_rows_flush, but the records are only sent to the handle's writing thread
 * (db_rows_send): the caller goes on checking the next ones while they are written, and
 * what the database refuses of them is reported by the next send or flush. */
int ent_rows_send(struct ent_ctx *c, void (*bad)(void *arg, int tag, const struct verr *e),
                  void *arg);
size_t ent_rows_held(const struct ent_rows *r); /* records held, not yet written */
void ent_rows_free(struct ent_rows *r);         /* NULL is fine */

/* A move of a declared workflow (STYLE 13): from one of the statuses `from` to `to`, for a
 * user holding `perm` on the entity's module, taking the values `takes` (the workflow's
 * args or the entity's own fields, validated at the edge as fields are) of which `needs`
 * must be given. Taken entity fields are written to the record; args go to the hooks. */
struct move {
    const char *from; /* comma-separated: "received,referred" */
    const char *to;
    unsigned perm;            /* enum perm (http.h); 0: edit */
    const char *const *takes; /* NULL-terminated, may be NULL */
    const char *const *needs; /* NULL-terminated, may be NULL */
    struct label label;       /* the button ("分派"); {NULL}: the label of `to` */
    struct label hint;        /* optional: a line the move's dialog shows */
    const char *roles;        /* optional: the only roles that may make it ("admin,leader,
                                 staff": a mediator may not reject for the federation) */
};

struct workflow {
    const char *field;        /* the status field (FT_ENUM, FF_READONLY) */
    const struct move *moves; /* {NULL}-terminated; the order is the buttons' */
    const struct field *args; /* values moves take that are not fields ("note" first) */
    const char *const *raw;   /* body keys handed to the hooks unchecked (an attachment) */
    /* Optional, in the move's transaction before the record is written: check what the
     * move needs beyond `needs` and put what it sets beyond the taken fields into set
     * (server values: not checked again) and what the timeline shows into detail. old is
     * the raw record, args the validated args (json null when not given), body the
     * request, at the time of the move. 0, or -1 with e. */
    int (*before)(struct ent_ctx *c, const struct move *m, int64_t id, const json_t *old,
                  const json_t *args, const json_t *body, json_t *set, json_t *detail,
                  const char *at, struct verr *e);
    /* The timeline entry of the move, after the record is written. 0, or -1 with e. */
    int (*step)(struct ent_ctx *c, const struct move *m, int64_t id, const json_t *old,
                const json_t *body, json_t *detail, const char *note, const char *at,
                struct verr *e);
};

struct entity {
    const char *name;
    struct label label;
    const char *module;         /* permission module */
    const char *title;          /* the field that names a record */
    const struct field *fields; /* terminated by {NULL} */
    unsigned flags;
    /* Optional hooks, all inside the write transaction. rec is the whole record after the
     * change (old merged with the input), old is NULL on create. Return 0, or -1 with e. */
    int (*check)(struct ent_ctx *c, json_t *rec, const json_t *old, struct verr *e);
    /* Optional: refuse a create by this user before its values are looked at (403: a
     * mediator cannot open cases). 0, or -1 with e. */
    int (*may_create)(struct ent_ctx *c, struct verr *e);
    int (*after_write)(struct ent_ctx *c, int64_t id, json_t *rec, const json_t *old,
                       struct verr *e);
    int (*before_delete)(struct ent_ctx *c, int64_t id, const json_t *old, struct verr *e);
    /* Optional: write into rec the read-only text fields it derives from the records it
     * names (a contact's party names, a relation's caption), as c may see them; -1 with e
     * (422 on the naming field) when one is missing. The check hook calls it, and so does a
     * merge (dedup.c) for every row it points at another record. */
    int (*derive)(struct ent_ctx *c, json_t *rec, struct verr *e);
    /* Optional: narrow the scope further for this user (e.g. a mediator sees only the
     * cases they are on). Appends " AND ..." on alias t to sql and its values to binds;
     * runs after the org scope, for every read, list and write of the entity by a user. */
    void (*scope)(struct ent_ctx *c, buf *sql, json_t *binds);
    /* Optional: list filters that are not fields (a case's overdue=1), for lists and
     * exports alike. Appends " AND ..." on alias t and its values for key=value and
     * answers 1; 0 when key is not its own; -1 with e (400) for a bad value. */
    int (*filter)(struct ent_ctx *c, const char *key, const char *value, buf *sql, json_t *binds,
                  struct verr *e);
    /* Optional: the state machine of a status field, run by ent_transition. */
    const struct workflow *workflow;
    /* Optional: values computed from other records whenever a record is answered (a
     * programme's balance from its ledger, an event's participants), never stored nor
     * written: declared in `computed` (the schema shows them, read-only), written into rec
     * by compute for every read, list row and export row (not for raw internal reads). */
    const struct field *computed; /* {NULL}-terminated */
    /* Optional: a record whose bool field `when` is true keeps `fields` from a reader who
     * has not unmasked (view_sensitive and ?unmask=1, audited): the list's q and filters do
     * not match it on them, and lists are not sorted by them (an anonymous donor; what an
     * answer shows instead is compute's). */
    struct {
        const char *when;
        const char *const *fields; /* NULL-terminated */
    } private;
    void (*compute)(struct ent_ctx *c, json_t *rec);
    /* Optional: the indexes it is read by, beyond one per indexed field, each "name (col,
     * ...)" (made as ENTITY_name). A field's own index is not made when one of these
     * begins with its column (and is dropped where an older qiao made it): every write
     * would keep a second tree for nothing the first cannot answer. NULL-terminated. */
    const char *const *indexes;
    /* Optional: the names of indexes an older qiao declared here ("balance_i"), dropped
     * where a database still has them. NULL-terminated. */
    const char *const *old_indexes;
    /* EF_APPEND: the entry that reverses old (ent_reverse). Fill rec, a copy of old's
     * writable values, with the reversing values (amounts negated, ...). 0, or -1 with e. */
    int (*reversal)(struct ent_ctx *c, const json_t *old, json_t *rec, struct verr *e);
};

enum {
    EF_OWNED = 1 << 0,      /* has org_id: belongs to an org, scoped by the org tree */
    EF_TREE = 1 << 1,       /* is the org tree itself: scoped by its own path */
    EF_APPEND = 1 << 4,     /* a ledger: never changed or deleted, corrected by a reversal */
    EF_SEARCHED = 1 << 2,   /* its names (title, searchable lists) are in the name search */
    EF_NAME_WORDS = 1 << 3, /* searched: a name is also found by a word in its middle */
    EF_HOLD = 1 << 5,       /* a bulk write may hold its new records (ent_ctx.rows): no check of
                               it reads what the same write created (a duplicate, a balance) */
};

/* The fields every entity starts and ends with. */
#define FIELD_ID                                                                                   \
    {                                                                                              \
        "id", FT_INT, {"编号", "編號", "ID"}, FF_READONLY                                          \
    }
#define FIELD_ORG                                                                                  \
    {                                                                                              \
        "org_id", FT_REF, {"所属组织", "所屬組織", "Organisation"}, FF_LIST | FF_INDEX,            \
            .ref = "org"                                                                           \
    }
/* org_id of a record that belongs to another one (a talent profile to its person, a
 * year's figures to their enterprise): copied from it by the check hook, never entered. */
#define FIELD_ORG_OF_PARENT                                                                        \
    {                                                                                              \
        "org_id", FT_REF, {"所属组织", "所屬組織", "Organisation"},                                \
            FF_LIST | FF_INDEX | FF_READONLY, .ref = "org"                                         \
    }
#define FIELDS_TAIL                                                                                \
    {"created_at", FT_DATETIME, {"创建时间", "建立時間", "Created"}, FF_READONLY},                 \
        {"updated_at", FT_DATETIME, {"更新时间", "更新時間", "Updated"}, FF_READONLY},             \
        {"deleted_at", FT_DATETIME, {"删除时间", "刪除時間", "Deleted"}, FF_READONLY | FF_HIDDEN}, \
    {                                                                                              \
        NULL                                                                                       \
    }

/* All entities, NULL-terminated: those the modules declare (module.h), in their order. */
const struct entity *const *ent_all(void);
const struct entity *entity_find(const char *name);
const struct field *ent_field(const struct entity *e, const char *name);

/* c without its scope (org range and the entity's scope hook): the same user, for what the
 * server reads or keeps on its own account (a record just written, a date kept from other
 * records). Masking stays c's. */
struct ent_ctx ent_unscoped(const struct ent_ctx *c);

/* Create or upgrade every entity's table, columns and indexes (idempotent; call inside a
 * transaction). DB_OK or DB_ERROR. */
int entity_sync(db *d);

/* Validate one JSON value for field f; on success *out is a new reference to the
 * normalised value (json null for an empty value). */
int ent_value(const struct field *f, json_t *in, json_t **out, struct verr *e);
/* The same for a text value (query strings, CSV and XLSX cells). */
int ent_value_text(const struct field *f, const char *in, json_t **out, struct verr *e);

/* Check a request body against the declaration: every key a writable field, every value
 * valid. *out gets a new object of normalised values. */
int ent_input(const struct entity *ent, json_t *body, json_t **out, struct verr *e);

/* The record operations. All run in one transaction each (nested in the caller's if any),
 * write the audit entry in it, and change nothing on failure. Results are new
 * references (JSON as the API shows it, masked per ctx). */
json_t *ent_create(struct ent_ctx *c, const struct entity *ent, json_t *body, struct verr *e);
/* The same, with values the server sets (readonly or hidden fields, e.g. a password hash)
 * merged after the body is validated. sys may be NULL. */
json_t *ent_create_sys(struct ent_ctx *c, const struct entity *ent, json_t *body, json_t *sys,
                       struct verr *e);
json_t *ent_update(struct ent_ctx *c, const struct entity *ent, int64_t id, json_t *body,
                   struct verr *e);
int ent_delete(struct ent_ctx *c, const struct entity *ent, int64_t id, struct verr *e);
/* Write values the server sets (read-only fields too: a date kept from other records, a
 * merge's new link) into record id within c's scope, through the same path as an update:
 * the checks (references in sys are the caller's to check), the hooks, the modules'
 * write hooks, updated_at and an audit entry "update". An append-only entry takes it too
 * (a merge relinks its party). 0, or -1 with e (404 outside the scope). */
int ent_update_sys(struct ent_ctx *c, const struct entity *ent, int64_t id, json_t *sys,
                   struct verr *e);
/* Reverse the entry id of an append-only entity (EF_APPEND, with fields reverses_id and
 * reason): body {"reason"} (required). In one transaction: the reversing entry is created
 * through ent_create (its own number, checks, hooks, audit) with reverses_id = id, the
 * reason and what the entity's reversal hook sets. Answers the new entry, or NULL with e:
 * 409 when id is itself a reversal or was reversed already (a unique index on reverses_id
 * makes two at once impossible), 404 outside the scope, 422 without a reason. */
json_t *ent_reverse(struct ent_ctx *c, const struct entity *ent, int64_t id, json_t *body,
                    struct verr *e);
/* Move record id on its entity's workflow as POST /api/v1/{entity}/{id}/transition does:
 * body holds "to", the args and the fields the move takes. One transaction (nested in the
 * caller's): the record written through the entity layer (checks, hooks, search keys,
 * updated_at), the workflow's timeline entry, an audit entry "transition". at: the time
 * of the move (NULL: now; the demo backdates). Answers the record after the move (masked
 * per c, even if the move took it out of c's scope, e.g. a referral), or NULL with e: 400
 * for a key the move does not take, 422 for a bad or missing value, 403 without the
 * move's permission, 409 for a move the machine does not allow from the record's status. */
json_t *ent_transition(struct ent_ctx *c, const struct entity *ent, int64_t id, json_t *body,
                       const char *at, struct verr *e);
/* The moves of the workflow allowed from status for c (its role's permissions), as a new
 * JSON array of target statuses in declaration order. */
json_t *ent_moves_from(struct ent_ctx *c, const struct entity *ent, const char *status);
/* The header of the column beside link f's id in an export, which an import then knows
 * (所属组织名称; a label that says it is the id without it: 经办人编号 -> 经办人名称). From a. */
const char *ent_link_name_label(arena *a, enum lang lang, const struct field *f);
/* The one answer to a link whose record is missing or outside the writer's scope (the two
 * are not told apart): 422 on field, "“label”指向的侨界人士(编号 5)不存在或无权使用". -1. */
int ent_ref_missing(struct verr *e, const char *field, const char *label, const struct entity *re,
                    int64_t id);
/* What a reader is shown for a party they may not open (a relation's other end, a
 * contact's party, an X_name): the record is not named to them. */
#define OTHER_ORG_RECORD "其他组织的记录"
/* 1 when record id of ent (live or deleted) is within c's scope (the org range and the
 * entity's scope hook); always 1 for an unscoped c. A database error answers 0. */
int ent_visible(struct ent_ctx *c, const struct entity *ent, int64_t id);
/* 1 when c may open every record a party link can name (the system, or a user at the root
 * when no party entity has a scope hook). For anyone else a list's `q` does not match the
 * stored names of linked records (FF_NAMES fields, X_name of a record party): they were
 * written for the writer's scope and would tell a reader who is named in a row they are
 * shown 其他组织的记录 for. Such rows are found through the named records the reader may
 * open instead (module.list_match). */
int ent_sees_parties(struct ent_ctx *c);
/* Read one live record within the scope; NULL with a 404 error otherwise. raw=1 skips
 * masking (for internal use: the audit diff, hooks). */
json_t *ent_read(struct ent_ctx *c, const struct entity *ent, int64_t id, int raw, struct verr *e);

/* A query string argument. */
struct kv {
    const char *key, *value;
};

/* The list: q, field filters, FIELD_from/FIELD_to, org_subtree=ORG_ID (an owned entity's
 * records of that org and the orgs under it), the entity's own filters, sort, page,
 * per_page. Answers
 * {items, total, page, per_page}. Unknown parameters are refused unless listed in
 * `ignore` (NULL-terminated, e.g. {"unmask", NULL}). */
json_t *ent_list(struct ent_ctx *c, const struct entity *ent, const struct kv *args, int nargs,
                 const char *const *ignore, struct verr *e);
/* The same answer as JSON text at the end of text (json_compact of ent_list's), the rows of
 * an entity without hooks written straight from the store: a page of people no longer
 * builds 800 jansson values to write them out. 0, or -1 with e. */
int ent_list_text(struct ent_ctx *c, const struct entity *ent, const struct kv *args, int nargs,
                  const char *const *ignore, buf *text, struct verr *e);
/* How ent_list counts: exactly, the count kept until the data changes (db_memo). After a
 * change, a count of more than exact_max rows taken less than stale_ms ago is answered
 * again, with total_estimated: true, so that a big list is counted at most every stale_ms
 * whatever the writes, not after each. 100,000 rows and 10 s; tests lower them. */
extern struct list_counts {
    int64_t exact_max;
    double stale_ms;
} ent_list_counts;
/* The rows counted by sql ("SELECT count(*) AS n ...") with binds, as ent_list counts
 * them (ent_list_counts: *estimated 1 when the answer is a big list's last count); -1 on a
 * database error. */
int64_t ent_count(struct ent_ctx *c, const char *sql, json_t *binds, int *estimated);
/* The most orgs a list's page names by their ids (ent_list: a few rows in a range of the
 * tree); a bigger range is read by its path. 1,000; tests lower it. */
extern int ent_few_orgs;
/* The same filters, every matching row in order, for exports: calls row() per record
 * (masked per ctx) until it returns nonzero. Returns the row count or -1 with e. */
int ent_each(struct ent_ctx *c, const struct entity *ent, const struct kv *args, int nargs,
             int (*row)(void *arg, json_t *rec), void *arg, struct verr *e);

/* GET /api/v1/schema */
json_t *ent_schema_json(void);

/* The scope clause for ent's table alias "t", bound values appended to binds.
 * Used by modules that write their own queries. 1 when it is a range of the org tree (a
 * list or a count that holds it is then planned with its values: DB_PLAN_EACH), else 0. */
int ent_scope_sql(struct ent_ctx *c, const struct entity *ent, buf *sql, json_t *binds);
/* The upper bound of the org subtree whose path is prefix ("/1/4/" -> "/1/40", in a): the
 * subtree is exactly the byte range [prefix, bound) of org.path, which its index serves. */
char *path_bound(arena *a, const char *prefix);
/* Prepare sql and bind an array of JSON values (integers, strings, null). */
stmt *db_prepare_json(db *d, const char *sql, json_t *binds);

/* Mask a sensitive value: keep a little of each end ("110************123"). */
char *mask_value(arena *a, const char *v);

#endif
