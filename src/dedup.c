/* dedup.c - duplicate people: candidate pairs (GET /api/v1/dedup/person) and the merge
 * (POST /api/v1/dedup/person/merge). */
#include "module.h"
#include "dedup.h"
#include "import.h"
#include "audit.h"
#include "names.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the key map -------------------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int64_t *km_slot(struct keymap *m, const char *key, int add)
{
    if (add && (m->n + 1) * 2 > m->cap) {
        struct keymap o = *m;
        m->cap = o.cap ? o.cap * 2 : 1024;
        m->k = xcalloc(m->cap, sizeof *m->k);
        m->v = xcalloc(m->cap, sizeof *m->v);
        m->n = 0;
        for (size_t i = 0; i < o.cap; i++)
            if (o.k[i]) {
                size_t j = hash_str(o.k[i]) & (m->cap - 1);
                while (m->k[j])
                    j = (j + 1) & (m->cap - 1);
                m->k[j] = o.k[i];
                m->v[j] = o.v[i];
                m->n++;
            }
        free(o.k);
        free(o.v);
    }
    if (!m->cap)
        return NULL;
    for (size_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->k[i]) {
            if (!add)
                return NULL;
            m->k[i] = arena_strdup(m->a, key);
            m->n++;
            return &m->v[i];
        }
        if (!strcmp(m->k[i], key))
            return &m->v[i];
    }
}

void km_free(struct keymap *m)
{
    free(m->k);
    free(m->v);
    m->k = NULL;
    m->v = NULL;
    m->cap = m->n = 0;
}

/* ---- keys --------------------------------------------------------------------------- */

char *dedup_fold(arena *a, const char *name)
{
    size_t n = strlen(name);
    char *out = arena_alloc(a, n * 2 + 8), *o = out;
    const char *p = name;
    uint32_t cp;
    while ((cp = utf8_next(&p))) {
        if (cp == ' ' || cp == '\t' || cp == 0xB7 || cp == 0x30FB || cp == 0x3000 || cp == '.' ||
            cp == '-')
            continue;
        if (cp < 0x80)
            *o++ = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        else
            o += utf8_put(o, name_is_han(cp) ? name_fold(cp) : cp);
    }
    *o = 0;
    return out;
}

/* ---- pairs -------------------------------------------------------------------------- */

struct kid {
    uint64_t pre; /* the key's first 8 bytes, big-endian: most comparisons end here */
    const char *key;
    int64_t id;
    int reason;
};

static struct kid make_kid(const char *key, int64_t id, int reason)
{
    struct kid k = {.key = key, .id = id, .reason = reason};
    for (int i = 0; i < 8 && key[i]; i++)
        k.pre |= (uint64_t)(uint8_t)key[i] << (56 - 8 * i);
    return k;
}

static int kid_cmp(const void *x, const void *y)
{
    const struct kid *a = x, *b = y;
    if (a->pre != b->pre)
        return a->pre < b->pre ? -1 : 1;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->id > b->id) - (a->id < b->id);
}

static const struct {
    const char *code;
    struct label msg; /* in the reader's language */
} reasons[] = {
    {"id_number", {"证件号码相同", "證件號碼相同", "Same ID number"}},
    {"name_birth",
     {"姓名相同 (繁简归一) 且出生日期相同", "姓名相同 (繁簡歸一) 且出生日期相同",
      "Same name (simplified and traditional alike) and same birth date"}},
    {"reading_year_place",
     {"姓名读音相同、出生年份相同且祖籍相同", "姓名讀音相同、出生年份相同且祖籍相同",
      "Same reading of the name, same birth year and same ancestral place"}},
};

struct pair {
    int64_t a, b;
    unsigned reasons;
};

static int pair_cmp(const void *x, const void *y)
{
    const struct pair *p = x, *q = y;
    int np = __builtin_popcount(p->reasons), nq = __builtin_popcount(q->reasons);
    if (np != nq)
        return nq - np;
    if (p->a != q->a)
        return (p->a > q->a) - (p->a < q->a);
    return (p->b > q->b) - (p->b < q->b);
}

/* The pairs judged distinct, as keys "a|b" of m. 0, or -1 on a database error. */
static int load_dismissed(db *d, struct keymap *m)
{
    stmt *s = db_prepare(d, "SELECT a_id, b_id FROM dedup_dismissed");
    if (!s)
        return -1;
    int rc;
    while ((rc = st_step(s)) == DB_ROW) {
        char pk[48];
        snprintf(pk, sizeof pk, "%lld|%lld", (long long)st_int(s, "a_id"),
                 (long long)st_int(s, "b_id"));
        *km_slot(m, pk, 1) = 1;
    }
    st_finalize(s);
    return rc == DB_DONE ? 0 : -1;
}

/* Every candidate pair of the people in c's scope, in review order (more reasons first,
 * then by ids); *n of them. NULL with *n 0 for none, or on a database error (*n -1). */
static struct pair *compute_pairs(struct ent_ctx *c, size_t *n_out)
{
    *n_out = (size_t)-1;
    const struct entity *ent = entity_find("person");
    buf sql = {0};
    json_t *binds = json_array();
    buf_puts(&sql, "SELECT t.id, t.name, t.birth_date, t.id_number, t.ancestral_region_code, "
                   "t.ancestral_place FROM \"person\" t WHERE t.deleted_at IS NULL");
    ent_scope_sql(c, ent, &sql, binds);
    stmt *s = db_prepare_json(c->db, buf_str(&sql), binds);
    buf_free(&sql);
    json_decref(binds);
    if (!s)
        return NULL;
    arena *a = arena_new();
    struct kid *ks = NULL;
    size_t nk = 0, cap = 0;
    int rc;
#define ADD_KEY(k, r)                                                                              \
    do {                                                                                           \
        if (nk == cap) {                                                                           \
            cap = cap ? cap * 2 : 4096;                                                            \
            ks = xrealloc(ks, cap * sizeof *ks);                                                   \
        }                                                                                          \
        ks[nk++] = make_kid((k), id, (r));                                                         \
    } while (0)
    while ((rc = st_step(s)) == DB_ROW) {
        int64_t id = st_int(s, "id");
        const char *name = st_text(s, "name"), *birth = st_text(s, "birth_date");
        const char *idn = st_text(s, "id_number"), *reg = st_text(s, "ancestral_region_code");
        const char *place = st_text(s, "ancestral_place");
        if (idn && *idn) {
            char *k = arena_printf(a, "%s", idn);
            for (char *p = k; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                    *p -= 32;
            ADD_KEY(k, 0);
        }
        if (name && *name && birth && *birth)
            ADD_KEY(arena_printf(a, "%s|%s", dedup_fold(a, name), birth), 1);
        const char *where = reg && *reg ? reg : place && *place ? dedup_fold(a, place) : NULL;
        if (name && *name && birth && strlen(birth) >= 4 && where) {
            char reading[NAME_KEY_MAX];
            if (name_reading(name, reading, sizeof reading))
                ADD_KEY(arena_printf(a, "%s|%.4s|%s", reading, birth, where), 2);
        }
    }
#undef ADD_KEY
    st_finalize(s);
    if (rc != DB_DONE) {
        free(ks);
        arena_free(a);
        return NULL;
    }
    /* the groups of equal keys, through a hash table of kid indexes (sorting 3M keys took
     * a third of the time at 1M people): head[h] and next[] chain each group's members */
    size_t hcap = 16;
    while (hcap < nk * 2)
        hcap <<= 1;
    uint32_t *head = xcalloc(hcap, sizeof *head), *tail = xcalloc(hcap, sizeof *tail);
    uint32_t *next = xcalloc(nk ? nk : 1, sizeof *next);
    for (size_t i = 0; i < nk; i++) {
        uint64_t h = hash_str(ks[i].key) ^ (uint64_t)ks[i].reason;
        for (size_t j = h & (hcap - 1);; j = (j + 1) & (hcap - 1)) {
            if (!head[j]) {
                head[j] = tail[j] = (uint32_t)i + 1;
                break;
            }
            const struct kid *g = &ks[head[j] - 1];
            if (g->reason == ks[i].reason && !strcmp(g->key, ks[i].key)) {
                next[tail[j] - 1] = (uint32_t)i + 1;
                tail[j] = (uint32_t)i + 1;
                break;
            }
        }
    }
    struct keymap pm = {.a = a};
    struct pair *ps = NULL;
    size_t np = 0, pcap = 0, mcap = 0;
    struct kid *m = NULL; /* one group's members, by id */
    for (size_t t = 0; t < hcap; t++) {
        if (!head[t] || !next[head[t] - 1])
            continue; /* empty, or alone */
        size_t n = 0;
        for (uint32_t k = head[t]; k; k = next[k - 1]) {
            if (n == mcap) {
                mcap = mcap ? mcap * 2 : 64;
                m = xrealloc(m, mcap * sizeof *m);
            }
            m[n++] = ks[k - 1];
        }
        qsort(m, n, sizeof *m, kid_cmp);
        /* pair every member with the others (a huge group: with its first only) */
        for (size_t x = 0; x < n; x++)
            for (size_t y = x + 1; y < n && (x == 0 || n <= 20); y++) {
                if (m[x].id == m[y].id)
                    continue;
                char pk[48];
                snprintf(pk, sizeof pk, "%lld|%lld", (long long)m[x].id, (long long)m[y].id);
                int64_t *slot = km_slot(&pm, pk, 1);
                if (!*slot) {
                    if (np == pcap) {
                        pcap = pcap ? pcap * 2 : 256;
                        ps = xrealloc(ps, pcap * sizeof *ps);
                    }
                    ps[np] = (struct pair){m[x].id, m[y].id, 0};
                    *slot = (int64_t)++np;
                }
                ps[*slot - 1].reasons |= 1u << m[x].reason;
            }
    }
    free(m);
    free(head);
    free(tail);
    free(next);
    km_free(&pm);
    free(ks);
    arena_free(a);
    if (np)
        qsort(ps, np, sizeof *ps, pair_cmp);
    *n_out = np;
    return ps;
}

/* The pairs are computed once per version of the data: a memo keyed by the audit chain's
 * head (every write of a record moves it, in the write's transaction, on both engines and
 * from any process) and the reader's scope, so paging through them does not walk every
 * person again. The head is read before the people: pairs are never kept under a newer
 * head than the data they came from. */
#define PAIR_MEMOS 4
static struct {
    char *key;
    struct pair *ps;
    size_t np;
} memo[PAIR_MEMOS];
static int memo_next;
static pthread_mutex_t memo_mu = PTHREAD_MUTEX_INITIALIZER;

/* A copy of the memoised pairs for key, or NULL (*n then unset). */
static struct pair *memo_get(const char *key, size_t *n)
{
    struct pair *out = NULL;
    pthread_mutex_lock(&memo_mu);
    for (int i = 0; i < PAIR_MEMOS; i++)
        if (memo[i].key && !strcmp(memo[i].key, key)) {
            out = xmalloc((memo[i].np ? memo[i].np : 1) * sizeof *out);
            if (memo[i].np)
                memcpy(out, memo[i].ps, memo[i].np * sizeof *out);
            *n = memo[i].np;
            break;
        }
    pthread_mutex_unlock(&memo_mu);
    return out;
}

static void memo_put(const char *key, const struct pair *ps, size_t n)
{
    struct pair *copy = xmalloc((n ? n : 1) * sizeof *copy);
    if (n)
        memcpy(copy, ps, n * sizeof *copy);
    pthread_mutex_lock(&memo_mu);
    int i = memo_next;
    memo_next = (memo_next + 1) % PAIR_MEMOS;
    free(memo[i].key);
    free(memo[i].ps);
    memo[i].key = xstrdup(key);
    memo[i].ps = copy;
    memo[i].np = n;
    pthread_mutex_unlock(&memo_mu);
}

json_t *dedup_pairs(struct ent_ctx *c, int dismissed, int64_t page, int64_t per_page,
                    struct verr *e)
{
    const struct entity *ent = entity_find("person");
    char *key = NULL;
    stmt *h = db_prepare(c->db, "SELECT seq, hash FROM audit_head WHERE id = 1");
    if (h && st_step(h) == DB_ROW)
        key = arena_printf(c->a, "%lld|%s|%s", (long long)st_int(h, "seq"), st_text(h, "hash"),
                           c->scope_path ? c->scope_path : "");
    st_finalize(h);
    size_t np = 0;
    struct pair *ps = key ? memo_get(key, &np) : NULL;
    if (!ps) {
        ps = compute_pairs(c, &np);
        if (np == (size_t)-1) {
            verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
            return NULL;
        }
        if (key)
            memo_put(key, ps, np);
    }
    arena *a = arena_new();
    /* keep the pairs still to review, or those judged distinct */
    struct keymap dm = {.a = a};
    if (load_dismissed(c->db, &dm)) {
        km_free(&dm);
        free(ps);
        arena_free(a);
        verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
        return NULL;
    }
    size_t kept = 0;
    for (size_t i = 0; i < np; i++) {
        char pk[48];
        snprintf(pk, sizeof pk, "%lld|%lld", (long long)ps[i].a, (long long)ps[i].b);
        if ((km_slot(&dm, pk, 0) != NULL) == !!dismissed)
            ps[kept++] = ps[i];
    }
    km_free(&dm);
    np = kept;
    size_t from = (size_t)((page - 1) * per_page);
    if (page > 1 && from >= np) {
        free(ps);
        arena_free(a);
        verr_set(e, 400, "bad_request", "page", "页码 %lld 超出范围: 共 %lld 页", (long long)page,
                 (long long)((np + (size_t)per_page - 1) / (size_t)per_page));
        return NULL;
    }
    json_t *items = json_array();
    for (size_t i = from; i < np && i < from + (size_t)per_page; i++) {
        json_t *rs = json_array();
        for (int k = 0; k < 3; k++)
            if (ps[i].reasons & (1u << k))
                json_array_append_new(rs, json_pack("{s:s, s:s}", "code", reasons[k].code,
                                                    "message", lbl(c->lang, reasons[k].msg)));
        struct verr e2;
        json_t *ra = ent_read(c, ent, ps[i].a, 0, &e2), *rb = ent_read(c, ent, ps[i].b, 0, &e2);
        json_array_append_new(items,
                              json_pack("{s:I, s:I, s:o, s:o?, s:o?, s:b}", "a_id",
                                        (json_int_t)ps[i].a, "b_id", (json_int_t)ps[i].b, "reasons",
                                        rs, "a", ra, "b", rb, "dismissed", !!dismissed));
    }
    json_t *res = json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)np, "page",
                            (json_int_t)page, "per_page", (json_int_t)per_page);
    free(ps);
    arena_free(a);
    return res;
}

/* ---- merge -------------------------------------------------------------------------- */

/* The ids of the live rows of ent that `sql` selects (one bound int: drop), or NULL. */
static json_t *ids_of(struct ent_ctx *c, const char *sql, int64_t drop)
{
    stmt *s = db_prepare(c->db, sql);
    if (!s)
        return NULL;
    st_bind_int(s, 1, drop);
    json_t *ids = json_array();
    int rc;
    while ((rc = st_step(s)) == DB_ROW)
        json_array_append_new(ids, json_integer(st_int(s, "id")));
    st_finalize(s);
    if (rc != DB_DONE) {
        json_decref(ids);
        return NULL;
    }
    return ids;
}

/* Write sys into each row of ids through the entity layer (its checks re-derive what it
 * shows of the person: a relation's caption, a contact's party names, a party's name; its
 * audit entry; its search keys). A row the user may not see refuses the merge. The ids
 * go into moved under "entity.field". */
static int relink(struct ent_ctx *c, const struct entity *ent, const char *field, json_t *ids,
                  json_t *(*value)(json_t *row_id, void *arg), void *arg, json_t *moved,
                  struct verr *e)
{
    size_t i;
    json_t *idv;
    json_array_foreach(ids, i, idv)
    {
        json_t *sys = json_object();
        json_object_set_new(sys, field, value(idv, arg));
        int rc = ent_update_sys(c, ent, json_integer_value(idv), sys, e);
        json_decref(sys);
        if (rc) {
            if (e->status == 404)
                verr_set(e, 409, "conflict", "drop_id",
                         "%s(编号 %lld)引用了要合并的人员, 但不在您的管理范围内, 不能合并; "
                         "请联系上级组织处理",
                         msg_label(ent->label), (long long)json_integer_value(idv));
            return -1;
        }
    }
    if (json_array_size(ids)) {
        char key[160];
        snprintf(key, sizeof key, "%s.%s", ent->name, field);
        json_object_set(moved, key, ids);
    }
    return 0;
}

static json_t *keep_value(json_t *row_id, void *arg)
{
    (void)row_id;
    return json_integer(*(int64_t *)arg);
}

struct list_move {
    const struct entity *ent;
    const struct field *f;
    db *d;
    const char *from, *to;
};

/* A list naming records as "person:12" (contact parties) or by id (a visit's people)
 * with drop's item as keep's (once). */
static json_t *list_value(json_t *row_id, void *arg)
{
    struct list_move *lm = arg;
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT %s FROM \"%s\" WHERE id = ?", lm->f->name, lm->ent->name);
    stmt *s = db_prepare(lm->d, sql);
    json_t *arr = NULL;
    st_bind_int(s, 1, json_integer_value(row_id));
    if (s && st_step(s) == DB_ROW && st_text(s, lm->f->name))
        arr = json_loads(st_text(s, lm->f->name), 0, NULL);
    st_finalize(s);
    json_t *out = json_array();
    size_t i;
    json_t *v;
    int has_keep = 0;
    json_array_foreach(arr, i, v) has_keep |=
        json_is_string(v) && !strcmp(json_string_value(v), lm->to);
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && !strcmp(json_string_value(v), lm->from)) {
            if (!has_keep)
                json_array_append_new(out, json_string(lm->to));
            has_keep = 1;
        } else {
            json_array_append(out, v);
        }
    }
    json_decref(arr);
    return out;
}

/* Point every link from drop to keep (refs to person, party links, party lists); what moved goes
 * into moved {"entity.field": [ids]}. */
static int move_links(struct ent_ctx *c, int64_t keep, int64_t drop, json_t *moved, struct verr *e)
{
    char from[40], to[40], sql[320];
    snprintf(from, sizeof from, "person:%lld", (long long)drop);
    snprintf(to, sizeof to, "person:%lld", (long long)keep);
    for (const struct entity *const *ep = ent_all(); *ep; ep++) {
        const struct entity *ent = *ep;
        for (const struct field *f = ent->fields; f->name; f++) {
            const char *idcol = NULL, *typecol = NULL;
            if (f->type == FT_REF && f->ref && !strcmp(f->ref, "person")) {
                idcol = f->name;
            } else if (f->type == FT_PARTY) { /* X_type, X_id, X_name (FIELD_PARTY) */
                typecol = f->name;
                idcol = f[1].name;
            } else if (f->type == FT_LIST && (list_kinds(f) & PT_PERSON)) {
                /* a party list's "person:12", a list of people's "12" (a visit's) */
                const char *lf = f->party ? from : from + 7, *lt = f->party ? to : to + 7;
                char pat[64];
                snprintf(pat, sizeof pat, "%%\"%s\"%%", lf);
                snprintf(sql, sizeof sql,
                         "SELECT id FROM \"%s\" WHERE %s LIKE ? AND deleted_at IS NULL ORDER BY id",
                         ent->name, f->name);
                stmt *s = db_prepare(c->db, sql);
                if (!s)
                    return verr_set(e, 500, "internal", NULL, "数据库错误, 合并未完成");
                st_bind_text(s, 1, pat);
                json_t *ids = json_array();
                int rc;
                while ((rc = st_step(s)) == DB_ROW)
                    json_array_append_new(ids, json_integer(st_int(s, "id")));
                st_finalize(s);
                struct list_move lm = {ent, f, c->db, lf, lt};
                rc = rc == DB_DONE ? relink(c, ent, f->name, ids, list_value, &lm, moved, e)
                                   : verr_set(e, 500, "internal", NULL, "数据库错误, 合并未完成");
                json_decref(ids);
                if (rc)
                    return -1;
                continue;
            }
            if (!idcol)
                continue;
            if (typecol)
                snprintf(sql, sizeof sql,
                         "SELECT id FROM \"%s\" WHERE %s = ? AND %s = 'person' AND deleted_at IS "
                         "NULL ORDER BY id",
                         ent->name, idcol, typecol);
            else
                snprintf(sql, sizeof sql,
                         "SELECT id FROM \"%s\" WHERE %s = ? AND deleted_at IS NULL ORDER BY id",
                         ent->name, idcol);
            json_t *ids = ids_of(c, sql, drop);
            if (!ids)
                return verr_set(e, 500, "internal", NULL, "数据库错误, 合并未完成");
            int rc = relink(c, ent, idcol, ids, keep_value, &keep, moved, e);
            json_decref(ids);
            if (rc)
                return -1;
            if (f->type == FT_PARTY)
                f++; /* its X_id is done */
        }
    }
    return 0;
}

json_t *dedup_merge(struct ent_ctx *c, int64_t keep, int64_t drop, struct verr *e)
{
    const struct entity *ent = entity_find("person");
    if (keep == drop) {
        verr_set(e, 422, "invalid", "drop_id", "保留和合并的是同一条记录");
        return NULL;
    }
    if (db_begin(c->db) != DB_OK) {
        verr_set(e, 503, "busy", NULL, "数据库繁忙, 请稍后再试");
        return NULL;
    }
    json_t *k = NULL, *d = NULL, *moved = json_object(), *fill = json_object(), *res = NULL;
    if (!(k = ent_read(c, ent, keep, 1, e)))
        goto fail;
    if (!(d = ent_read(c, ent, drop, 1, e))) {
        snprintf(e->field, sizeof e->field, "drop_id");
        goto fail;
    }
    for (int i = 0; modules[i]; i++)
        if (modules[i]->before_merge && modules[i]->before_merge(c, keep, drop, e))
            goto fail;
    if (move_links(c, keep, drop, moved, e))
        goto fail;
    /* the fields keep leaves empty, filled from drop (after drop is gone: unique values) */
    for (const struct field *f = ent->fields; f->name; f++) {
        if (f->flags & (FF_READONLY | FF_HIDDEN))
            continue;
        json_t *kv = json_object_get(k, f->name), *dv = json_object_get(d, f->name);
        int kempty = !kv || json_is_null(kv) || (json_is_array(kv) && !json_array_size(kv));
        int dempty = !dv || json_is_null(dv) || (json_is_array(dv) && !json_array_size(dv));
        if (kempty && !dempty)
            json_object_set(fill, f->name, dv);
    }
    if (ent_delete(c, ent, drop, e))
        goto fail;
    if (json_object_size(fill)) {
        json_t *u = ent_update(c, ent, keep, fill, e);
        if (!u)
            goto fail;
        json_decref(u);
    }
    json_t *what = json_pack("{s:I, s:I, s:O, s:O, s:O}", "keep_id", (json_int_t)keep, "drop_id",
                             (json_int_t)drop, "moved", moved, "filled", fill, "dropped", d);
    int rc = audit_write(c, "merge", "person", keep, NULL, what);
    json_decref(what);
    if (rc != DB_OK) {
        verr_set(e, 500, "internal", NULL, "无法记录审计日志, 合并未完成");
        goto fail;
    }
    if (db_commit(c->db) != DB_OK) {
        verr_set(e, 500, "internal", NULL, "数据库错误, 合并未完成");
        goto out;
    }
    json_t *kr = ent_read(c, ent, keep, 0, e);
    res = json_pack("{s:o?, s:O, s:O}", "keep", kr, "moved", moved, "filled", fill);
    goto out;
fail:
    db_rollback(c->db);
out:
    json_decref(k);
    json_decref(d);
    json_decref(moved);
    json_decref(fill);
    return res;
}

int dedup_dismiss(struct ent_ctx *c, int64_t a, int64_t b, int dismiss, struct verr *e)
{
    const struct entity *ent = entity_find("person");
    if (a == b)
        return verr_set(e, 422, "invalid", "b_id", "两个编号是同一条记录");
    if (a > b) {
        int64_t t = a;
        a = b;
        b = t;
    }
    if (db_begin(c->db) != DB_OK)
        return verr_set(e, 503, "busy", NULL, "数据库繁忙, 请稍后再试");
    json_t *ra = NULL, *rb = NULL;
    if (!(ra = ent_read(c, ent, a, 0, e)) || !(rb = ent_read(c, ent, b, 0, e)))
        goto fail;
    char now[21];
    now_utc(now);
    int rc = dismiss ? db_execv(c->db,
                                "INSERT INTO dedup_dismissed (a_id, b_id, user_id, created_at) "
                                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                "iiis", a, b, c->user_id, now)
                     : db_execv(c->db, "DELETE FROM dedup_dismissed WHERE a_id = ? AND b_id = ?",
                                "ii", a, b);
    json_t *what = json_pack("{s:I, s:I}", "a_id", (json_int_t)a, "b_id", (json_int_t)b);
    if (rc == DB_OK)
        rc = audit_write(c, dismiss ? "dismiss" : "restore", "person", a, dismiss ? NULL : what,
                         dismiss ? what : NULL);
    json_decref(what);
    if (rc != DB_OK || db_commit(c->db) != DB_OK) {
        verr_set(e, 500, "internal", NULL, "数据库错误, 未能保存");
        if (db_depth(c->db))
            goto fail;
        goto out;
    }
    json_decref(ra);
    json_decref(rb);
    return 0;
fail:
    db_rollback(c->db);
out:
    json_decref(ra);
    json_decref(rb);
    return -1;
}

int dedup_dismissed_arg(struct req *r, int64_t *dismissed)
{
    const char *v = req_arg(r, "dismissed");
    *dismissed = 0;
    if (v && (!parse_i64(v, dismissed) || *dismissed < 0 || *dismissed > 1)) {
        reply_error(r, 400, "bad_request", "dismissed", "“dismissed”应为 0 或 1: “%s”", v);
        return -1;
    }
    return 0;
}

/* GET /api/v1/dedup/person?dismissed=0|1&page=&per_page= */
void dedup_list_h(struct req *r)
{
    const char *v;
    int64_t page = 1, per = 50, dismissed = 0;
    if ((v = req_arg(r, "page")) && (!parse_i64(v, &page) || page < 1 || page > 1000000000)) {
        reply_error(r, 400, "bad_request", "page", "页码应为正整数: “%s”", v);
        return;
    }
    if ((v = req_arg(r, "per_page")) && (!parse_i64(v, &per) || per < 1 || per > 200)) {
        reply_error(r, 400, "bad_request", "per_page", "每页条数应在 1 到 200 之间: “%s”", v);
        return;
    }
    if (dedup_dismissed_arg(r, &dismissed))
        return;
    struct verr e;
    json_t *res = dedup_pairs(&r->ctx, (int)dismissed, page, per, &e);
    if (!res)
        reply_verr(r, &e);
    else
        reply_json(r, 200, res);
}

/* POST /api/v1/dedup/person/dismiss or /restore {a_id, b_id} */
static void dismiss_or_restore(struct req *r, int dismiss)
{
    json_t *b = req_json(r);
    if (!b)
        return;
    static const char *const names[] = {"a_id", "b_id"};
    int64_t id[2];
    for (int i = 0; i < 2; i++) {
        json_t *x = json_object_get(b, names[i]);
        if (!json_is_integer(x) || json_integer_value(x) <= 0) {
            json_decref(b);
            reply_error(r, 400, "invalid", names[i], "“%s”应为人员编号", names[i]);
            return;
        }
        id[i] = json_integer_value(x);
    }
    json_decref(b);
    struct verr e;
    if (dedup_dismiss(&r->ctx, id[0], id[1], dismiss, &e))
        reply_verr(r, &e);
    else
        reply_json(r, 200,
                   json_pack("{s:I, s:I, s:b}", "a_id", (json_int_t)(id[0] < id[1] ? id[0] : id[1]),
                             "b_id", (json_int_t)(id[0] < id[1] ? id[1] : id[0]), "dismissed",
                             dismiss));
}

void dedup_dismiss_h(struct req *r)
{
    dismiss_or_restore(r, 1);
}

void dedup_restore_h(struct req *r)
{
    dismiss_or_restore(r, 0);
}

/* POST /api/v1/dedup/person/merge {keep_id, drop_id} */
void dedup_merge_h(struct req *r)
{
    json_t *b = req_json(r);
    if (!b)
        return;
    json_t *k = json_object_get(b, "keep_id"), *d = json_object_get(b, "drop_id");
    if (!json_is_integer(k) || json_integer_value(k) <= 0) {
        json_decref(b);
        reply_error(r, 400, "invalid", "keep_id", "“keep_id”应为人员编号");
        return;
    }
    if (!json_is_integer(d) || json_integer_value(d) <= 0) {
        json_decref(b);
        reply_error(r, 400, "invalid", "drop_id", "“drop_id”应为人员编号");
        return;
    }
    struct verr e;
    json_t *res = dedup_merge(&r->ctx, json_integer_value(k), json_integer_value(d), &e);
    json_decref(b);
    if (!res)
        reply_verr(r, &e);
    else
        reply_json(r, 200, res);
}

/* Duplicate people: a part of the registries (their permissions). */
const struct module dedup_module = {
    .name = "dedup",
    .routes =
        (const struct route[]){
            {"GET", "/api/v1/dedup/person", dedup_list_h, "registry", P_EDIT, 0},
            {"GET", "/api/v1/dedup/person.xlsx", dedup_xlsx_h, "registry", P_EXPORT, 0},
            {"POST", "/api/v1/dedup/person/merge", dedup_merge_h, "registry", P_DELETE, 0},
            {"POST", "/api/v1/dedup/person/dismiss", dedup_dismiss_h, "registry", P_EDIT, 0},
            {"POST", "/api/v1/dedup/person/restore", dedup_restore_h, "registry", P_EDIT, 0},
            {NULL},
        },
};
