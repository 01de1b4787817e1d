// The inference network's dense1 (3,136 × 128, the reference CNN's) through mnistbook_dense_rows at 1 and 8 rows, with
// P KB of other memory touched between calls (the convolutions' buffers and weights between two dense calls in the
// chain): how much of its time is the weights' trip from L3 when they no longer fit in L2 with the rest.
// Thread CPU time, median of 300 calls. Usage: dense_cache [P in KB ...]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CKernels.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv) {
    const long inputs = 3136, units = 128;
    float *w = aligned_alloc(64, inputs * units * 4), *x = aligned_alloc(64, 8 * inputs * 4), *y = aligned_alloc(64, 8 * units * 4);
    for (long i = 0; i < inputs * units; i++) w[i] = (float)((i * 7919) % 1000) * 1e-4f - 0.05f;
    for (long i = 0; i < 8 * inputs; i++) x[i] = (float)((i * 104729) % 1000) * 1e-3f;
    long maxP = 0;
    for (int a = 1; a < argc; a++) if (atol(argv[a]) > maxP) maxP = atol(argv[a]);
    float *other = aligned_alloc(64, (maxP + 1) * 1024);
    memset(other, 0, (maxP + 1) * 1024);
    for (int a = 1; a < argc; a++) {
        long p = atol(argv[a]) * 1024 / 4;
        for (int rows = 1; rows <= 8; rows += 7) {
            double t[300];
            for (int rep = 0; rep < 300; rep++) {
                for (long i = 0; i < p; i += 16) other[i] += 1;   // one write per cache line
                double s = now();
                mnistbook_dense_rows(x, inputs, rows, w, inputs, units, y, units);
                t[rep] = now() - s;
            }
            qsort(t, 300, sizeof t[0], cmp);
            printf("other %5ld KB, %d rows: %6.1f us (%5.1f us per row)\n", p * 4 / 1024, rows, t[150] * 1e6, t[150] * 1e6 / rows);
        }
    }
    return 0;
}
