/* fixture.h - for a unit test file that works on records: a fresh SQLite file with the
 * whole schema and a system context on it (fx_open), removed again with its WAL files
 * (fx_close). Include after cmocka.h. */
#ifndef QIAO_TEST_FIXTURE_H
#define QIAO_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "entity.h"
#include "schema.h"

struct fx {
    db *d;
    arena *a;
    struct ent_ctx c;
    char path[64];
};

/* tag names the file (/tmp/qiao-unit-TAG-PID.db), so suites may run side by side. */
static inline struct fx *fx_open(const char *tag)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/qiao-unit-%s%d.db", tag, (int)getpid());
    unlink(f->path);
    char err[256];
    f->d = db_open(f->path, err, sizeof err);
    assert_non_null(f->d);
    assert_true(schema_upgrade(f->d) >= 2); /* v2: dedup_dismissed */
    f->a = arena_new();
    f->c = (struct ent_ctx){.db = f->d, .a = f->a, .username = "unit", .client = "test"};
    return f;
}

static inline void fx_close(struct fx *f)
{
    char p[80];
    db_close(f->d);
    arena_free(f->a);
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    free(f);
}

#endif
