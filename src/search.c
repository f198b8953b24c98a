/* search.c - name search: the search_key index and GET /api/v1/search. See search.h;
 * the keys themselves come from names.c. */
#include "search.h"
#include "names.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The version of the key rules: bump it when names.c or surnames.c change what keys a
 * name gets, and every database rebuilds its index at the next start. */
#define SEARCH_RULES 6

/* The entities search serves (SPEC "The fixed interface"); those not declared yet are
 * skipped. The names of organisations are also found by a word in the middle. */
static const char *const search_types[] = {"person", "association", "enterprise", NULL};

static unsigned key_flags(const struct entity *ent)
{
    return strcmp(ent->name, "person") ? NK_SUFFIXES : 0;
}

#define MAX_PROBES 48

/* Copy a and then b into out (n bytes), cut to fit. */
static void concat(char *out, size_t n, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > n - 1)
        la = n - 1;
    if (lb > n - 1 - la)
        lb = n - 1 - la;
    memmove(out, a, la);
    memmove(out + la, b, lb);
    out[la + lb] = 0;
}

/* ---- which fields are names --------------------------------------------------------- */

/* The declared entity of that name if search serves it, else NULL. */
static const struct entity *searched(const char *name)
{
    for (int i = 0; search_types[i]; i++)
        if (!strcmp(search_types[i], name))
            return entity_find(name);
    return NULL;
}

/* The entity's name fields: its title and its searchable lists (other names). */
static int is_name_field(const struct entity *ent, const struct field *f)
{
    if (!strcmp(f->name, ent->title))
        return f->type == FT_TEXT;
    return f->type == FT_LIST && (f->flags & FF_SEARCH);
}

/* ---- the index ---------------------------------------------------------------------- */

/* The version the index is built for: the rules and the sizes of the generated tables
 * (new Unihan or OpenCC data change them). Written into out; returns out. */
static const char *rules_version(char *out, size_t n)
{
    snprintf(out, n, "%d/%zu/%zu/%zu", SEARCH_RULES, unihan_chars_n, unihan_fold_n, unihan_jyut_n);
    return out;
}

struct rows {
    const char *entity, *field;
    int64_t id, org_id;
    buf sql;
    json_t *binds;
    int n;
};

/* name_key_fn: one more row of the INSERT being built in struct rows. */
static void add_row(void *arg, const struct name_key *k)
{
    struct rows *r = arg;
    buf_puts(&r->sql, r->n++ ? ", (?, ?, ?, ?, ?, ?, ?)" : " (?, ?, ?, ?, ?, ?, ?)");
    json_array_append_new(r->binds, json_string(r->entity));
    json_array_append_new(r->binds, json_integer(r->id));
    json_array_append_new(r->binds, json_integer(r->org_id));
    json_array_append_new(r->binds, json_string(r->field));
    json_array_append_new(r->binds, json_integer(k->kind));
    json_array_append_new(r->binds, json_integer(k->weak));
    json_array_append_new(r->binds, json_string(k->key));
}

/* Insert the keys of one record's name fields (rec holds their values and org_id). */
static int insert_keys(db *d, const struct entity *ent, int64_t id, const json_t *rec)
{
    struct rows r = {.entity = ent->name,
                     .id = id,
                     .org_id = json_integer_value(json_object_get(rec, "org_id")),
                     .binds = json_array()};
    buf_puts(&r.sql,
             "INSERT INTO search_key (entity, record_id, org_id, field, kind, weak, key) VALUES");
    for (const struct field *f = ent->fields; f->name; f++) {
        if (!is_name_field(ent, f))
            continue;
        json_t *v = json_object_get(rec, f->name);
        r.field = f->name;
        if (json_is_string(v)) {
            name_keys_ex(json_string_value(v), key_flags(ent), add_row, &r);
        } else if (json_is_array(v)) {
            size_t i;
            json_t *x;
            json_array_foreach(v, i, x) if (json_is_string(x))
                name_keys_ex(json_string_value(x), key_flags(ent), add_row, &r);
        }
    }
    int rc = DB_OK;
    if (r.n) {
        stmt *s = db_prepare_json(d, buf_str(&r.sql), r.binds);
        rc = s && st_step(s) == DB_DONE ? DB_OK : DB_ERROR;
        st_finalize(s);
    }
    buf_free(&r.sql);
    json_decref(r.binds);
    return rc;
}

/* Did a name field or the owning org change? */
static int names_changed(const struct entity *ent, const json_t *rec, const json_t *old)
{
    for (const struct field *f = ent->fields; f->name; f++) {
        if (!is_name_field(ent, f) && strcmp(f->name, "org_id"))
            continue;
        json_t *a = json_object_get(rec, f->name), *b = json_object_get(old, f->name);
        if (!json_equal(a ? a : json_null(), b ? b : json_null()))
            return 1;
    }
    return 0;
}

int search_index(struct ent_ctx *c, const struct entity *ent, int64_t id, const json_t *rec,
                 const json_t *old, struct verr *e)
{
    if (searched(ent->name) != ent)
        return 0;
    if (rec && old && !names_changed(ent, rec, old))
        return 0;
    if ((old && db_execv(c->db, "DELETE FROM search_key WHERE entity = ? AND record_id = ?", "si",
                         ent->name, id) != DB_OK) ||
        (rec && insert_keys(c->db, ent, id, rec) != DB_OK))
        return verr_set(e, 500, "internal", NULL, "无法更新姓名检索索引");
    return 0;
}

/* Index every live record of ent, a thousand at a time. */
static int index_all(db *d, const struct entity *ent)
{
    buf sql = {0};
    buf_puts(&sql, (ent->flags & EF_OWNED) ? "SELECT id, org_id" : "SELECT id");
    for (const struct field *f = ent->fields; f->name; f++)
        if (is_name_field(ent, f))
            buf_printf(&sql, ", %s", f->name);
    buf_printf(&sql, " FROM \"%s\" WHERE deleted_at IS NULL AND id > ? ORDER BY id LIMIT 1000",
               ent->name);
    int64_t last = 0;
    int rc = DB_OK;
    for (;;) {
        stmt *s = db_prepare(d, buf_str(&sql));
        if (!s) {
            rc = DB_ERROR;
            break;
        }
        st_bind_int(s, 1, last);
        json_t *batch = json_array();
        int step;
        while ((step = st_step(s)) == DB_ROW) {
            json_t *rec = json_object();
            json_object_set_new(rec, "id", json_integer(st_int(s, "id")));
            if (ent->flags & EF_OWNED)
                json_object_set_new(rec, "org_id", json_integer(st_int(s, "org_id")));
            for (const struct field *f = ent->fields; f->name; f++) {
                if (!is_name_field(ent, f) || st_isnull(s, f->name))
                    continue;
                const char *t = st_text(s, f->name);
                json_t *v = f->type == FT_LIST ? json_loads(t, 0, NULL) : json_string(t);
                if (v)
                    json_object_set_new(rec, f->name, v);
            }
            json_array_append_new(batch, rec);
        }
        st_finalize(s);
        size_t i;
        json_t *rec;
        json_array_foreach(batch, i, rec)
        {
            last = json_integer_value(json_object_get(rec, "id"));
            if (rc == DB_OK)
                rc = insert_keys(d, ent, last, rec);
        }
        size_t n = json_array_size(batch);
        json_decref(batch);
        if (step != DB_DONE)
            rc = DB_ERROR;
        if (rc != DB_OK || n < 1000)
            break;
    }
    buf_free(&sql);
    return rc;
}

int search_sync(db *d)
{
    char ddl[512], want[64];
    rules_version(want, sizeof want);
    stmt *s = db_prepare(d, "SELECT value FROM qiao_meta WHERE key = 'search_keys'");
    int same = 0;
    if (!s)
        return DB_ERROR;
    if (st_step(s) == DB_ROW)
        same = !strcmp(st_text(s, "value"), want);
    st_finalize(s);
    if (same && db_has_column(d, "search_key", NULL))
        return DB_OK;
    /* New rules: the table as they want it, filled from the records. */
    snprintf(ddl, sizeof ddl,
             "CREATE TABLE search_key (entity %s NOT NULL, record_id %s NOT NULL, org_id %s, "
             "field %s NOT NULL, kind %s NOT NULL, weak %s NOT NULL, key %s NOT NULL)",
             db_type_name(d, DT_TEXT), db_type_name(d, DT_INT), db_type_name(d, DT_INT),
             db_type_name(d, DT_TEXT), db_type_name(d, DT_INT), db_type_name(d, DT_INT),
             db_type_name(d, DT_KEY));
    if (db_exec(d, "DROP TABLE IF EXISTS search_key") != DB_OK || db_exec(d, ddl) != DB_OK)
        return DB_ERROR;
    for (int i = 0; search_types[i]; i++) {
        const struct entity *ent = entity_find(search_types[i]);
        if (ent && index_all(d, ent) != DB_OK)
            return DB_ERROR;
    }
    /* Indexes after the fill: faster than keeping them up to date row by row. */
    if (db_exec(d, "CREATE INDEX search_key_k ON search_key (entity, kind, key)") != DB_OK ||
        db_exec(d, "CREATE INDEX search_key_o ON search_key (entity, org_id, kind, key, "
                   "record_id, weak, field)") != DB_OK ||
        db_exec(d, "CREATE INDEX search_key_r ON search_key (entity, record_id)") != DB_OK)
        return DB_ERROR;
    if (db_execv(d, "DELETE FROM qiao_meta WHERE key = 'search_keys'", "") != DB_OK ||
        db_execv(d, "INSERT INTO qiao_meta (key, value) VALUES ('search_keys', ?)", "s", want) !=
            DB_OK)
        return DB_ERROR;
    return DB_OK;
}

/* ---- queries ------------------------------------------------------------------------ */

/* Scores: exact > prefix > reading > dialect candidate (SPEC "Finding people"). A
 * prefix that stops inside a syllable ("tan" of "tang") ranks below a dialect match. */
static const struct {
    int exact, prefix, partial;
} scores[K_N] = {
    [K_HAN] = {100, 80, 80},           [K_HAN_GIVEN] = {76, 70, 70},
    [K_LATIN] = {95, 72, 72},          [K_PINYIN] = {62, 56, 24},
    [K_PINYIN_GIVEN] = {52, 48, 20},   [K_JYUT] = {60, 54, 22},
    [K_JYUT_GIVEN] = {50, 46, 18},     [K_INITIALS] = {44, 38, 38},
    [K_INITIALS_GIVEN] = {40, 34, 34},
};

/* One range lookup on the index and what a hit through it means. */
struct probe {
    int kind;
    char key[NAME_KEY_MAX];
    int exact, prefix, partial;    /* scores (from the table unless a candidate) */
    const struct surname *surname; /* the name must start with it */
    unsigned dialects;             /* the surname was matched by these dialect spellings */
    int cantonese;                 /* ... or by its Hong Kong spelling */
    char spelt[32];                /* ... written so in the query */
    uint32_t need[16];             /* folded characters the name must hold, in order */
    int nneed;
};

struct query {
    struct probe p[MAX_PROBES];
    int n;
};

/* A new lookup of key in kind, scored from the table; NULL when q is full, the key
 * empty or too long, or the same plain lookup is there already. */
static struct probe *add_probe(struct query *q, int kind, const char *key)
{
    if (q->n == MAX_PROBES || !*key || strlen(key) >= NAME_KEY_MAX)
        return NULL;
    for (int i = 0; i < q->n; i++) /* the same lookup twice: keep the first */
        if (q->p[i].kind == kind && !strcmp(q->p[i].key, key) && !q->p[i].surname && !q->p[i].nneed)
            return NULL;
    struct probe *p = &q->p[q->n++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    concat(p->key, sizeof p->key, "", key);
    p->exact = scores[kind].exact;
    p->prefix = scores[kind].prefix;
    p->partial = scores[kind].partial;
    return p;
}

/* A dialect (or mixed) candidate: ranked as one, whatever kind it looks up. */
static void candidate(struct probe *p, const struct surname_hit *h, const char *spelt, int base)
{
    if (!p)
        return;
    p->surname = h->s;
    p->dialects = h->dialects;
    concat(p->spelt, sizeof p->spelt, "", spelt);
    p->exact = base + 2;
    p->prefix = base;
    p->partial = base / 2;
}

/* The query cut up: Latin tokens (letters only, tones dropped), folded characters, and
 * the order they came in. */
struct parsed {
    char tok[16][64];
    int ntok;
    uint32_t han[32];
    int nhan;
    /* pieces in order: a token (>= 0) or a character (-1 - index) */
    int piece[48];
    int npiece;
};

static void parse_query(const char *s, struct parsed *pq)
{
    memset(pq, 0, sizeof *pq);
    size_t tl = 0;
    for (;;) {
        uint32_t c = utf8_next(&s);
        int l = c ? name_latin_letter(c) : 0;
        if (l == 1)
            continue;
        if (l > 1 && !(l >= '0' && l <= '9')) {
            if (pq->ntok < 16 && tl + 1 < sizeof pq->tok[0])
                pq->tok[pq->ntok][tl++] = (char)l;
            continue;
        }
        if (tl) {
            pq->tok[pq->ntok][tl] = 0;
            if (pq->npiece < 48)
                pq->piece[pq->npiece++] = pq->ntok;
            pq->ntok++;
            tl = 0;
        }
        if (!c)
            break;
        if (name_is_han(c) && pq->nhan < 32) {
            pq->han[pq->nhan] = name_fold(c);
            if (pq->npiece < 48)
                pq->piece[pq->npiece++] = -1 - pq->nhan;
            pq->nhan++;
        }
    }
}

/* Tokens from `from` on, joined without spaces, into out. */
static void join_tokens(const struct parsed *pq, int from, char *out, size_t n)
{
    out[0] = 0;
    for (int i = from; i < pq->ntok; i++)
        strncat(out, pq->tok[i], n - strlen(out) - 1);
}

/* n code points as UTF-8 into out. */
static void han_text(const uint32_t *c, int n, char *out, size_t size)
{
    size_t k = 0;
    for (int i = 0; i < n && k + 5 < size; i++)
        k += (size_t)utf8_put(out + k, c[i]);
    out[k] = 0;
}

/* Cantonese keys of Latin tokens from `from` on, into out; count. */
static int jyut_of_tokens(const struct parsed *pq, int from, char out[][NAME_KEY_MAX], int max)
{
    char toks[16 * 64];
    size_t k = 0;
    int nt = 0;
    for (int i = from; i < pq->ntok; i++) {
        size_t l = strlen(pq->tok[i]);
        memcpy(toks + k, pq->tok[i], l + 1);
        k += l + 1;
        nt++;
    }
    return nt ? jyut_canonical(toks, nt, out, max) : 0;
}

/* The surname's Cantonese in the K_JYUT form (each character's first reading). */
static int surname_jyut(const struct surname *sn, char *out, size_t n)
{
    out[0] = 0;
    for (const char *p = sn->han; *p;) {
        const char *r[1];
        if (name_jyut(utf8_next(&p), r, 1) != 1)
            return 0;
        strncat(out, r[0], n - strlen(out) - 1);
    }
    return 1;
}

/* Probes for a query of Latin letters only. */
static void latin_probes(struct query *q, const struct parsed *pq)
{
    char all[NAME_KEY_MAX], jy[4][NAME_KEY_MAX];
    join_tokens(pq, 0, all, sizeof all);
    add_probe(q, K_LATIN, all);
    add_probe(q, K_PINYIN, all);
    add_probe(q, K_PINYIN_GIVEN, all);
    if (strlen(all) >= 2 && strlen(all) <= 8) {
        add_probe(q, K_INITIALS, all);
        add_probe(q, K_INITIALS_GIVEN, all);
    }
    int nj = jyut_of_tokens(pq, 0, jy, 4);
    for (int i = 0; i < nj; i++) {
        add_probe(q, K_JYUT, jy[i]);
        add_probe(q, K_JYUT_GIVEN, jy[i]);
    }

    /* A surname as a dialect group spells it, then the given name in pinyin or
     * Cantonese: the first token, or (without spaces) the start of the only one. */
    const char *first = pq->tok[0];
    size_t fl = strlen(first), from = pq->ntok > 1 || fl < 2 ? fl : 2, to = fl < 12 ? fl : 12;
    for (size_t l = from; l <= to; l++) {
        char sp[16];
        memcpy(sp, first, l);
        sp[l] = 0;
        struct surname_hit h[8];
        int nh = surname_spelled(sp, h, 8);
        char rest[NAME_KEY_MAX];
        concat(rest, sizeof rest, "", first + l);
        if (pq->ntok > 1)
            join_tokens(pq, 1, rest, sizeof rest);
        for (int i = 0; i < nh; i++) {
            if (!h[i].dialects)
                continue; /* pinyin and Hong Kong spellings have their own keys */
            if (!*rest) {
                char han[16];
                const char *p = h[i].s->han;
                concat(han, sizeof han, "", p);
                candidate(add_probe(q, K_HAN, han), &h[i], sp, 30);
                continue;
            }
            char key[NAME_KEY_MAX], py[32] = "";
            for (const char *p = h[i].s->pinyin; *p; p++)
                if (*p != ' ' && strlen(py) + 1 < sizeof py)
                    strncat(py, p, 1);
            concat(key, sizeof key, py, rest);
            candidate(add_probe(q, K_PINYIN, key), &h[i], sp, 30);
            /* The given name in Cantonese after the surname's Hong Kong spelling. */
            char sj[32], gj[4][NAME_KEY_MAX];
            int ng = pq->ntok > 1 ? jyut_of_tokens(pq, 1, gj, 4) : jyut_canonical(rest, 1, gj, 4);
            for (int b = 0; b < ng && surname_jyut(h[i].s, sj, sizeof sj); b++) {
                concat(key, sizeof key, sj, gj[b]);
                candidate(add_probe(q, K_JYUT, key), &h[i], sp, 30);
            }
        }
    }
}

/* Probes for a query that mixes characters and Latin letters. */
static void mixed_probes(struct query *q, const struct parsed *pq)
{
    /* "tan 嘉庚": a surname in Latin letters, the rest in characters. */
    if (pq->piece[0] == 0 && pq->npiece > 1) {
        int rest_han = 1;
        for (int i = 1; i < pq->npiece; i++)
            rest_han &= pq->piece[i] < 0;
        struct surname_hit h[8];
        int nh = rest_han ? surname_spelled(pq->tok[0], h, 8) : 0;
        for (int i = 0; i < nh; i++) {
            char key[NAME_KEY_MAX], rest[NAME_KEY_MAX];
            han_text(pq->han, pq->nhan, rest, sizeof rest);
            concat(key, sizeof key, h[i].s->han, rest);
            struct probe *p = add_probe(q, K_HAN, key);
            if (p && !h[i].dialects) { /* the pinyin or Hong Kong spelling of the surname */
                p->surname = h[i].s;
                p->cantonese = h[i].cantonese && !h[i].pinyin;
                concat(p->spelt, sizeof p->spelt, "", pq->tok[0]);
                p->exact = 66;
                p->prefix = 60;
                p->partial = 60;
            } else {
                candidate(p, &h[i], pq->tok[0], 34);
            }
        }
    }
    /* Every character replaced by its readings ("陈 jiageng" -> "chenjiageng"): the name
     * must hold those characters. */
    const char *py[32][3];
    int npy[32];
    for (int i = 0; i < pq->nhan; i++) {
        npy[i] = name_pinyin(pq->han[i], py[i], 3);
        if (!npy[i])
            return;
    }
    for (int combo = 0; combo < 4; combo++) {
        char key[NAME_KEY_MAX] = "";
        int any_alt = 0, valid = 1;
        for (int i = 0; i < pq->npiece; i++) {
            int x = pq->piece[i];
            if (x >= 0) {
                strncat(key, pq->tok[x], sizeof key - strlen(key) - 1);
                continue;
            }
            int c = -1 - x, pick = 0;
            /* combination k takes the k-th reading of the first polyphonic character */
            if (combo && npy[c] > 1 && !any_alt) {
                pick = combo < npy[c] ? combo : 0;
                any_alt = pick > 0;
            }
            strncat(key, py[c][pick], sizeof key - strlen(key) - 1);
        }
        if (combo && !any_alt)
            valid = 0;
        if (!valid)
            break;
        struct probe *p = add_probe(q, K_PINYIN, key);
        if (p) {
            memcpy(p->need, pq->han, (size_t)(pq->nhan < 16 ? pq->nhan : 16) * sizeof *p->need);
            p->nneed = pq->nhan < 16 ? pq->nhan : 16;
        }
    }
}

/* The lookups for a parsed query, into q (none for a query without letters or
 * characters). */
static void build_probes(struct query *q, const struct parsed *pq)
{
    q->n = 0;
    if (pq->nhan && !pq->ntok) {
        char key[NAME_KEY_MAX];
        han_text(pq->han, pq->nhan, key, sizeof key);
        add_probe(q, K_HAN, key);
        add_probe(q, K_HAN_GIVEN, key);
    } else if (pq->ntok && !pq->nhan) {
        latin_probes(q, pq);
    } else if (pq->ntok && pq->nhan) {
        mixed_probes(q, pq);
    }
}

/* ---- running the probes ------------------------------------------------------------- */

/* One hit: the best reason a record matched. */
struct hit {
    const struct entity *ent;
    int64_t id;
    int score;
    int probe, kind;
    char key[NAME_KEY_MAX], field[32];
    char *name;   /* the title, malloc'd */
    json_t *rec;  /* the name fields' values, read when needed (why) */
    char *raw[8]; /* ... as stored, malloc'd: the name fields in declaration order */
};

#define HIT_SLOTS 4096 /* hash of (entity, id) -> hit index + 1 */

struct hits {
    struct hit *h;
    int n, cap;
    int slot[HIT_SLOTS];
};

static void free_hit(struct hit *h)
{
    free(h->name);
    json_decref(h->rec);
    for (int i = 0; i < 8; i++)
        free(h->raw[i]);
}

static void free_hits(struct hits *hs)
{
    for (int i = 0; i < hs->n; i++)
        free_hit(&hs->h[i]);
    free(hs->h);
}

/* The hit for (ent, id), or NULL; *slot gets where a new one goes. */
static struct hit *hit_find(struct hits *hs, const struct entity *ent, int64_t id, int *slot)
{
    unsigned h = (unsigned)((uint64_t)id * 2654435761u) ^ (unsigned)(uintptr_t)ent;
    for (;; h++) {
        int k = hs->slot[h % HIT_SLOTS];
        if (!k) {
            *slot = (int)(h % HIT_SLOTS);
            return NULL;
        }
        if (hs->h[k - 1].ent == ent && hs->h[k - 1].id == id)
            return &hs->h[k - 1];
    }
}

/* The name fields of a hit as JSON (parsed from the stored text once). */
static json_t *hit_rec(const struct entity *ent, char *const *raw)
{
    json_t *rec = json_object();
    int i = 0;
    for (const struct field *f = ent->fields; f->name && i < 8; f++) {
        if (!is_name_field(ent, f))
            continue;
        const char *t = raw[i++];
        json_t *v = !t ? NULL : f->type == FT_LIST ? json_loads(t, 0, NULL) : json_string(t);
        if (v)
            json_object_set_new(rec, f->name, v);
    }
    return rec;
}

/* Does some value of the name fields in rec start with the probe's surname and hold its
 * characters in order (compared folded)? */
static int holds(const json_t *rec, const struct probe *p)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)rec, key, v)
    {
        json_t *vals = json_is_array(v) ? v : NULL;
        size_t n = vals ? json_array_size(vals) : 1;
        for (size_t i = 0; i < n; i++) {
            json_t *x = vals ? json_array_get(vals, i) : v;
            if (!json_is_string(x))
                continue;
            uint32_t f[64];
            int nf = 0;
            const char *s = json_string_value(x);
            uint32_t c;
            while ((c = utf8_next(&s)) && nf < 64)
                if (name_is_han(c))
                    f[nf++] = name_fold(c);
            int ok = 1;
            if (p->surname) { /* the name starts with the surname */
                const char *sp = p->surname->han;
                int k = 0;
                while ((c = utf8_next(&sp)))
                    ok &= k < nf && f[k++] == c;
            }
            for (int j = 0, at = 0; ok && j < p->nneed; j++) {
                while (at < nf && f[at] != p->need[j])
                    at++;
                ok = at < nf;
                at++;
            }
            if (ok)
                return 1;
        }
    }
    return 0;
}

/* Does a prefix of length n of key end between two syllables of its kind? */
static int syllable_split(int kind, const char *key, size_t n);

/* The score of a hit through p on key; prefix hits pay for the syllable check only when
 * they could beat best. */
static int score_of(const struct probe *p, const char *key, int weak, int title_field, int best)
{
    int less = (weak ? 3 : 0) + (title_field ? 0 : 2);
    if (!strcmp(key, p->key))
        return p->exact - less;
    if (p->prefix - less <= best)
        return p->prefix - less;
    return (syllable_split(p->kind, key, strlen(p->key)) ? p->prefix : p->partial) - less;
}

/* The smallest UTF-8 string above every string that starts with k: the last code point
 * of k plus one (byte order is code point order). */
static void key_bound(const char *k, char *out, size_t n)
{
    const char *p = k, *last = k;
    uint32_t c = 0, prev;
    while ((prev = utf8_next(&p))) {
        c = prev;
        if (*p)
            last = p;
    }
    size_t head = (size_t)(last - k);
    if (head + 5 > n) {
        concat(out, n, "", k);
        return;
    }
    memcpy(out, k, head);
    c = c + 1 == 0xD800 ? 0xE000 : c + 1;
    out[head + (size_t)utf8_put(out + head, c)] = 0;
}

/* Fold the rows of probe p (number pi) into hs: keep each record's best reason. Returns
 * the last st_step result (DB_DONE when all went well). */
static int fold_rows(stmt *s, const struct entity *ent, const struct probe *p, int pi,
                     struct hits *hs)
{
    int rc;
    while ((rc = st_step(s)) == DB_ROW) {
        int64_t id = st_int(s, "rid");
        const char *field = st_text(s, "kfield"), *key = st_text(s, "kkey");
        int slot = 0;
        struct hit *h = hit_find(hs, ent, id, &slot);
        int score = score_of(p, key, (int)st_int(s, "kweak"), !strcmp(field, ent->title),
                             h ? h->score : -1000);
        if (h && h->score >= score)
            continue;
        char *raw[8] = {0};
        int nraw = 0;
        for (const struct field *f = ent->fields; f->name && nraw < 8; f++)
            if (is_name_field(ent, f)) {
                raw[nraw++] = st_isnull(s, f->name) ? NULL : xstrdup(st_text(s, f->name));
            }
        if (p->surname || p->nneed) {
            json_t *rec = hit_rec(ent, raw);
            int ok = holds(rec, p);
            json_decref(rec);
            if (!ok) {
                for (int i = 0; i < nraw; i++)
                    free(raw[i]);
                continue;
            }
        }
        if (!h) {
            if (hs->n == hs->cap) {
                hs->cap = hs->cap ? 2 * hs->cap : 64;
                hs->h = xrealloc(hs->h, (size_t)hs->cap * sizeof *hs->h);
            }
            if (hs->n >= HIT_SLOTS / 2) { /* enough candidates for any limit */
                for (int i = 0; i < nraw; i++)
                    free(raw[i]);
                continue;
            }
            h = &hs->h[hs->n++];
            memset(h, 0, sizeof *h);
            h->ent = ent;
            h->id = id;
            hs->slot[slot] = hs->n;
        }
        free_hit(h);
        h->name = NULL;
        h->rec = NULL;
        memcpy(h->raw, raw, sizeof raw);
        const char *title = NULL;
        int i = 0;
        for (const struct field *f = ent->fields; f->name && i < 8; f++)
            if (is_name_field(ent, f)) {
                if (!strcmp(f->name, ent->title))
                    title = raw[i];
                i++;
            }
        h->name = xstrdup(title ? title : "");
        h->score = score;
        h->probe = pi;
        h->kind = p->kind;
        concat(h->key, sizeof h->key, "", key);
        concat(h->field, sizeof h->field, "", field);
    }
    return rc;
}

/* Run every probe of q on ent's records in c's scope and fold the rows into hs. Each
 * probe is one key range read in key order and cut at limit rows, through the same
 * statement (the store caches it; PostgreSQL settles on one plan). org_first: the scope
 * is a small part of the tree, so read the first keys of each of its orgs from the
 * covering (entity, org_id, kind, key, ...) index, then their records. 0, or -1 on a
 * database error. */
static int run_probes(struct ent_ctx *c, const struct entity *ent, const struct query *q, int limit,
                      int org_first, struct hits *hs)
{
    buf sql = {0};
    json_t *scope = json_array();
    buf_puts(&sql, "SELECT k.record_id AS rid, k.field AS kfield, k.key AS kkey, k.weak AS kweak");
    for (const struct field *f = ent->fields; f->name; f++)
        if (is_name_field(ent, f))
            buf_printf(&sql, ", t.%s", f->name);
    if (org_first) /* CROSS JOIN keeps SQLite to that order; PostgreSQL plans from its stats */
        buf_printf(&sql,
                   " FROM (SELECT k.record_id, k.field, k.key, k.weak FROM \"org\" o CROSS "
                   "JOIN search_key k WHERE o.path >= ? AND o.path < ? AND k.org_id = o.id AND "
                   "k.kind = ? AND k.key >= ? AND k.key < ? AND k.entity = ? ORDER BY k.key "
                   "LIMIT ?) k JOIN \"%s\" t ON t.id = k.record_id WHERE t.deleted_at IS NULL",
                   ent->name);
    else
        buf_printf(&sql,
                   " FROM search_key k JOIN \"%s\" t ON t.id = k.record_id WHERE k.kind = ? AND "
                   "k.key >= ? AND k.key < ? AND k.entity = ? AND t.deleted_at IS NULL",
                   ent->name);
    ent_scope_sql(c, ent, &sql, scope);
    if (!org_first)
        buf_puts(&sql, " ORDER BY k.key LIMIT ?");
    char *to = NULL;
    if (org_first) {
        to = arena_strdup(c->a, c->scope_path);
        to[strlen(to) - 1] = '0'; /* "/1/4/" -> "/1/40": the subtree's byte range */
    }
    int rc = DB_DONE;
    for (int pi = 0; pi < q->n && rc == DB_DONE; pi++) {
        const struct probe *p = &q->p[pi];
        char bound[NAME_KEY_MAX + 4];
        key_bound(p->key, bound, sizeof bound);
        json_t *binds = json_array();
        if (org_first) {
            json_array_append_new(binds, json_string(c->scope_path));
            json_array_append_new(binds, json_string(to));
        }
        json_t *range = json_pack("[i, s, s, s]", p->kind, p->key, bound, ent->name);
        json_array_extend(binds, range);
        json_decref(range);
        if (org_first)
            json_array_append_new(binds, json_integer(limit));
        json_array_extend(binds, scope);
        if (!org_first)
            json_array_append_new(binds, json_integer(limit));
        stmt *s = db_prepare_json(c->db, buf_str(&sql), binds);
        json_decref(binds);
        rc = s ? fold_rows(s, ent, p, pi, hs) : DB_ERROR;
        st_finalize(s);
    }
    buf_free(&sql);
    json_decref(scope);
    return rc == DB_DONE ? 0 : -1;
}

/* ---- why a hit matched -------------------------------------------------------------- */

struct find_show {
    int kind;
    const char *key;
    char show[NAME_KEY_MAX + 40];
    int found;
};

/* name_key_fn: remember the spaced reading of the key being looked for. */
static void find_show(void *arg, const struct name_key *k)
{
    struct find_show *f = arg;
    if (!f->found && k->kind == f->kind && !strcmp(k->key, f->key)) {
        concat(f->show, sizeof f->show, "", k->show);
        f->found = 1;
    }
}

/* The value of field that made key, and the key's spaced reading. */
static const char *value_of(struct hit *h, char *show, size_t n)
{
    if (!h->rec)
        h->rec = hit_rec(h->ent, h->raw);
    json_t *v = json_object_get(h->rec, h->field);
    size_t count = json_is_array(v) ? json_array_size(v) : 1;
    for (size_t i = 0; i < count; i++) {
        json_t *x = json_is_array(v) ? json_array_get(v, i) : v;
        if (!json_is_string(x))
            continue;
        struct find_show f = {.kind = h->kind, .key = h->key};
        name_keys_ex(json_string_value(x), key_flags(h->ent), find_show, &f);
        if (f.found) {
            concat(show, n, "", f.show);
            return json_string_value(x);
        }
    }
    concat(show, n, "", h->key);
    return h->name;
}

/* "闽南话/潮州话姓氏 Tan = 陈": how the probe's surname was spelt, appended to b. */
static void spelt_as(buf *b, const struct probe *p)
{
    int n = 0;
    for (int d = 0; d < D_N; d++)
        if (p->dialects & (1u << d))
            buf_printf(b, "%s%s", n++ ? "/" : "", dialect_label[d]);
    if (!n)
        buf_puts(b, p->cantonese ? "粤语拼音" : "拼音");
    buf_printf(b, "姓氏 %c%s = %s", toupper((unsigned char)p->spelt[0]), p->spelt + 1,
               p->surname->han);
}

/* Why h matched, in Chinese, for the answer's "match" (allocated from a). */
static char *why(struct hit *h, const struct probe *p, arena *a)
{
    const struct field *f = ent_field(h->ent, h->field);
    char show[NAME_KEY_MAX + 40];
    const char *value = value_of(h, show, sizeof show);
    buf b = {0};
    if (p->surname) {
        spelt_as(&b, p);
        buf_puts(&b, ", ");
    }
    int title = !strcmp(h->field, h->ent->title);
    switch (h->kind) {
    case K_HAN:
    case K_HAN_GIVEN:
    case K_LATIN:
        buf_printf(&b, "%s %s", f->label.hans, value);
        break;
    default:
        if (!title)
            buf_printf(&b, "%s %s, ", f->label.hans, value);
        if (h->kind == K_JYUT || h->kind == K_JYUT_GIVEN) /* as Hong Kong writes names */
            for (char *w = show; *w; w++)
                if (w == show || w[-1] == ' ')
                    *w = (char)toupper((unsigned char)*w);
        buf_printf(&b, "%s %s",
                   h->kind == K_JYUT || h->kind == K_JYUT_GIVEN           ? "粤语拼音"
                   : h->kind == K_INITIALS || h->kind == K_INITIALS_GIVEN ? "拼音首字母"
                                                                          : "拼音",
                   show);
        if (h->kind == K_INITIALS || h->kind == K_INITIALS_GIVEN)
            buf_printf(&b, " (%s)", h->key);
    }
    char *s = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return s;
}

/* Best first: higher score, then the shorter name, then the older record. */
static int cmp_hit(const void *x, const void *y)
{
    const struct hit *a = x, *b = y;
    if (a->score != b->score)
        return b->score - a->score;
    size_t la = strlen(a->name), lb = strlen(b->name);
    if (la != lb)
        return la < lb ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

json_t *search_run(struct ent_ctx *c, const char *q, const struct entity *const *ents, int limit,
                   struct verr *e)
{
    size_t len = utf8_len(q);
    if (!len)
        return verr_set(e, 400, "bad_request", "q", "请输入要搜索的名字 (q)"), NULL;
    if (len > 100)
        return verr_set(e, 400, "bad_request", "q", "搜索词太长 (最多 100 个字)"), NULL;
    struct parsed *pq = xmalloc(sizeof *pq);
    struct query *qr = xmalloc(sizeof *qr);
    parse_query(q, pq);
    build_probes(qr, pq);
    struct hits *hs = xcalloc(1, sizeof *hs); /* 16 KiB of slots: off the stack */
    json_t *res = NULL;
    int per_probe = limit + 10;
    /* A scope with under a quarter of the orgs: look up its orgs' keys (see run_probes). */
    int small_scope = 0;
    if (c->scope_path) {
        char *to = arena_strdup(c->a, c->scope_path);
        to[strlen(to) - 1] = '0';
        int64_t in = db_int(c->db, 0, "SELECT count(*) FROM \"org\" WHERE path >= ? AND path < ?",
                            "ss", c->scope_path, to),
                all = db_int(c->db, 0, "SELECT count(*) FROM \"org\"", "");
        small_scope = in * 4 < all;
    }
    for (int i = 0; ents[i] && qr->n; i++)
        if (run_probes(c, ents[i], qr, per_probe, small_scope && (ents[i]->flags & EF_OWNED), hs)) {
            verr_set(e, 500, "internal", NULL, "数据库错误, 请稍后再试");
            goto out;
        }
    if (hs->n)
        qsort(hs->h, (size_t)hs->n, sizeof *hs->h, cmp_hit);
    json_t *items = json_array();
    for (int i = 0; i < hs->n && i < limit; i++) {
        struct hit *h = &hs->h[i];
        json_array_append_new(items, json_pack("{s:s, s:I, s:s, s:s}", "type", h->ent->name, "id",
                                               (json_int_t)h->id, "name", h->name, "match",
                                               why(h, &qr->p[h->probe], c->a)));
    }
    res = json_pack("{s:o}", "items", items);
out:
    free_hits(hs);
    free(hs);
    free(pq);
    free(qr);
    return res;
}

/* ---- syllables ---------------------------------------------------------------------- */

static int syllable_split(int kind, const char *key, size_t n)
{
    if (kind == K_PINYIN || kind == K_PINYIN_GIVEN)
        return name_syllables(0, key, n) && name_syllables(0, key + n, strlen(key + n));
    if (kind == K_JYUT || kind == K_JYUT_GIVEN)
        return name_syllables(1, key, n) && name_syllables(1, key + n, strlen(key + n));
    return 1;
}

/* ---- the handler -------------------------------------------------------------------- */

/* GET /api/v1/search?q=Q&types=person,association,enterprise&limit=N */
void search_h(struct req *r)
{
    const char *q = req_arg(r, "q"), *types = req_arg(r, "types"), *lim = req_arg(r, "limit");
    for (int i = 0; i < r->nargs; i++)
        if (strcmp(r->args[i].key, "q") && strcmp(r->args[i].key, "types") &&
            strcmp(r->args[i].key, "limit")) {
            reply_error(r, 400, "bad_request", r->args[i].key,
                        "不认识的参数“%s”, 可用: q、types、limit", r->args[i].key);
            return;
        }
    int64_t limit = 20;
    if (lim && (!parse_i64(lim, &limit) || limit < 1 || limit > 100)) {
        reply_error(r, 400, "bad_request", "limit", "“limit”应为 1 到 100 之间的整数: “%s”", lim);
        return;
    }
    const struct entity *ents[8];
    int n = 0;
    char *list = arena_strdup(r->a, types && *types ? types : "person,association,enterprise");
    for (char *t = list, *next; t; t = next) {
        next = strchr(t, ',');
        if (next)
            *next++ = 0;
        int known = 0;
        for (int i = 0; search_types[i]; i++)
            known |= !strcmp(search_types[i], t);
        if (!known) {
            reply_error(r, 400, "bad_request", "types",
                        "“types”没有“%s”这一类, 可选: person、association、enterprise", t);
            return;
        }
        const struct entity *ent = searched(t);
        int dup = 0;
        for (int i = 0; i < n; i++)
            dup |= ents[i] == ent;
        if (ent && !dup && n < 7 && may(r->user, ent->module, P_VIEW))
            ents[n++] = ent;
    }
    ents[n] = NULL;
    char *trimmed = arena_strdup(r->a, q ? q : "");
    while (*trimmed == ' ' || *trimmed == '\t')
        trimmed++;
    for (size_t l = strlen(trimmed); l && (trimmed[l - 1] == ' ' || trimmed[l - 1] == '\t'); l--)
        trimmed[l - 1] = 0;
    struct verr e;
    json_t *res = search_run(&r->ctx, trimmed, ents, (int)limit, &e);
    if (!res) {
        reply_verr(r, &e);
        return;
    }
    reply_json(r, 200, res);
}
