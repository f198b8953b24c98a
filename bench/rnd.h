/* rnd.h - the benchmarks' seeded generator (xorshift64): the same data on every run. One
 * copy per program (static); include it once, from the program's only file. */
#ifndef QIAO_BENCH_RND_H
#define QIAO_BENCH_RND_H

#include <stdint.h>

static uint64_t rng = 0x9e3779b97f4a7c15u;

/* A number in 0..n-1 (n > 0). */
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* A random element of the array t. */
#define PICK(t) (t[rnd(sizeof t / sizeof *t)])

#endif
