/* rate.c - fixed-window counters per client address and overall (rate.h). */
#include "rate.h"
#include "setting.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SLOTS 4096 /* addresses counted at once per class; more share the overflow slot */

struct slot {
    char addr[48];  /* "" when free */
    int64_t window; /* the window's start (seconds) */
    int64_t n;
};

struct counter {
    struct slot slots[SLOTS];
    struct slot overflow; /* addresses beyond SLOTS in one window count together */
    struct slot all;
};

static struct counter writes, reads;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* FNV-1a of s. */
static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot of addr in window w (linear probing over slots of this window or free ones;
 * a slot of a past window is taken over), or the overflow slot when all are in use. */
static struct slot *slot_of(struct counter *c, const char *addr, int64_t w)
{
    uint32_t h = hash(addr);
    struct slot *reuse = NULL;
    for (uint32_t i = 0; i < 64; i++) {
        struct slot *s = &c->slots[(h + i) % SLOTS];
        if (s->addr[0] && s->window == w && !strcmp(s->addr, addr))
            return s;
        if (!reuse && (!s->addr[0] || s->window != w))
            reuse = s;
    }
    if (!reuse)
        return &c->overflow;
    snprintf(reuse->addr, sizeof reuse->addr, "%s", addr);
    reuse->window = w;
    reuse->n = 0;
    return reuse;
}

/* s counted from window w: its count starts again in a new window. */
static void in_window(struct slot *s, int64_t w)
{
    if (s->window != w) {
        s->window = w;
        s->n = 0;
    }
}

/* The limits, read from the settings again when one changed. */
static struct {
    unsigned gen;
    int loaded;
    int64_t w_addr, w_all, r_addr, r_all;
} limits;

int rate_check(struct req *r)
{
    int write = strcmp(r->method, "GET") && strcmp(r->method, "HEAD");
    unsigned gen = setting_generation();
    pthread_mutex_lock(&lock);
    int stale = !limits.loaded || limits.gen != gen;
    pthread_mutex_unlock(&lock);
    if (stale) { /* outside the lock: a database read */
        int64_t wa = setting_int(r->db, RATE_WRITE_ADDR_KEY, RATE_WRITE_ADDR_DFLT),
                wl = setting_int(r->db, RATE_WRITE_ALL_KEY, RATE_WRITE_ALL_DFLT),
                ra = setting_int(r->db, RATE_READ_ADDR_KEY, RATE_READ_ADDR_DFLT),
                rl = setting_int(r->db, RATE_READ_ALL_KEY, RATE_READ_ALL_DFLT);
        pthread_mutex_lock(&lock);
        limits.w_addr = wa;
        limits.w_all = wl;
        limits.r_addr = ra;
        limits.r_all = rl;
        limits.gen = gen;
        limits.loaded = 1;
        pthread_mutex_unlock(&lock);
    }
    int64_t span = write ? RATE_WRITE_WINDOW : RATE_READ_WINDOW;
    int64_t now = (int64_t)time(NULL), w = now - now % span;
    struct counter *c = write ? &writes : &reads;
    pthread_mutex_lock(&lock);
    int64_t per_addr = write ? limits.w_addr : limits.r_addr;
    int64_t all = write ? limits.w_all : limits.r_all;
    struct slot *s = slot_of(c, r->client ? r->client : "", w);
    in_window(s, w);
    in_window(&c->all, w);
    int mine = s->n >= per_addr; /* this address is over its limit (else: everyone is) */
    int ok = !mine && c->all.n < all;
    if (ok) {
        s->n++;
        c->all.n++;
    }
    pthread_mutex_unlock(&lock);
    if (ok)
        return 0;
    char after[24];
    snprintf(after, sizeof after, "%lld", (long long)(w + span - now));
    reply_header(r, "Retry-After", after);
    int minutes = (int)((w + span - now + 59) / 60);
    if (write && mine)
        reply_error(r, 429, "too_many_requests", NULL,
                    "提交太频繁: 同一网络每小时最多提交 %lld 次, 请 %d 分钟后再试",
                    (long long)per_addr, minutes);
    else if (write)
        reply_error(r, 429, "too_many_requests", NULL,
                    "现在提交的人太多, 暂时不能受理, 请 %d 分钟后再试", minutes);
    else if (mine)
        reply_error(r, 429, "too_many_requests", NULL,
                    "访问太频繁: 同一网络每分钟最多访问 %lld 次, 请稍后再试", (long long)per_addr);
    else
        reply_error(r, 429, "too_many_requests", NULL, "现在访问的人太多, 请稍后再试");
    return -1;
}
