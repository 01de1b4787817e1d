// The reference CNN's inference chain for one image on mnistbook's own kernels, as the inference network runs it
// (conv1.c, maxpool_inference.c, winograd.c for conv2 and conv3 with one shared scratch, dense.c at 1 row): each
// step's thread CPU time, median of 3,000 images. The convolutions' data push dense1's 1.6 MB of weights out of the
// 2 MB L2 between images; argument 1 has conv2 and conv3 prefetch them while their products run (split in proportion
// to their multiply-adds, as InferenceNetwork does), 0 not. Usage: winograd_chain 0|1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CKernels.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

// 64-byte aligned, as mnistbook's Tensor allocates; values in [-scale, scale) from a fixed generator.
static float *buffer(long n, unsigned seed, float scale) {
    float *p = aligned_alloc(64, (n * 4 + 63) / 64 * 64);
    if (!p) { perror("aligned_alloc"); exit(1); }
    for (long i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = scale * ((float)((seed >> 8) % 2001) / 1000.0f - 1.0f);
    }
    return p;
}

int main(int argc, char **argv) {
    int prefetch = argc > 1 && atoi(argv[1]) != 0;
    float *x = buffer(784, 1, 1), *w1 = buffer(9 * 32, 2, .3f), *b1 = buffer(32, 3, .1f), *s1 = buffer(32, 4, 1), *t1 = buffer(32, 5, .1f);
    float *w2 = buffer(9 * 32 * 64, 6, .05f), *b2 = buffer(64, 7, .1f), *w3 = buffer(9 * 64 * 64, 8, .04f), *b3 = buffer(64, 9, .1f);
    float *s2 = buffer(64, 13, 1), *t2 = buffer(64, 14, .1f), *s3 = buffer(64, 15, 1), *t3 = buffer(64, 16, .1f);
    float *wd = buffer(3136 * 128, 10, .02f), *wo = buffer(128 * 10, 12, .1f);
    float *u2 = buffer(16 * 32 * 64, 0, 0), *u3 = buffer(16 * 64 * 64, 0, 0);
    mnistbook_winograd3_weights(w2, 32, 64, u2);
    mnistbook_winograd3_weights(w3, 64, 64, u3);
    float *scratch = buffer(mnistbook_winograd3_scratch_count(64, 64), 0, 0);   // the larger of the two
    float *b0 = buffer(28 * 28 * 32, 0, 0), *b1b = buffer(14 * 14 * 32, 0, 0), *h = buffer(128, 0, 0), *o = buffer(16, 0, 0);
    // dense1's bytes split in proportion to the products' multiply-adds: conv2 16·49·32·64, conv3 16·16·64·64.
    long bytes = 3136L * 128 * 4, first = bytes * (49L * 32 * 64) / (49L * 32 * 64 + 16L * 64 * 64);
    const char *d = (const char *)wd;
    enum { N = 3000, STEPS = 8 };
    static double t[STEPS][N];
    for (int n = 0; n < N; n++) {
        double a = now(), b;
        mnistbook_conv1_forward(x, w1, b1, 1, s1, t1, b0, 28, 28, 3, 1, 1, 28, 28, 32, 0, 1);
        b = now(); t[0][n] = b - a; a = b;
        mnistbook_maxpool2_image(b0, b1b, 28, 28, 32);
        b = now(); t[1][n] = b - a; a = b;
        mnistbook_winograd3_forward(b1b, u2, b2, 1, s2, t2, b0, 14, 14, 1, 32, 64, scratch, prefetch ? d : NULL, first);
        b = now(); t[2][n] = b - a; a = b;
        mnistbook_maxpool2_image(b0, b1b, 14, 14, 64);
        b = now(); t[3][n] = b - a; a = b;
        mnistbook_winograd3_forward(b1b, u3, b3, 1, s3, t3, b0, 7, 7, 1, 64, 64, scratch, prefetch ? d + first : NULL, bytes - first);
        b = now(); t[4][n] = b - a; a = b;
        mnistbook_dense_rows(b0, 3136, 1, wd, 3136, 128, h, 128);
        b = now(); t[5][n] = b - a; a = b;
        mnistbook_dense_rows(h, 128, 1, wo, 128, 10, o, 16);
        b = now(); t[6][n] = b - a;
        t[7][n] = t[0][n] + t[1][n] + t[2][n] + t[3][n] + t[4][n] + t[5][n] + t[6][n];
        x[n % 784] += 0.001f;   // a new image each time
    }
    const char *names[STEPS] = {"conv1", "pool1", "conv2", "pool2", "conv3", "dense1", "output", "total"};
    printf("prefetch %d (us):", prefetch);
    for (int s = 0; s < STEPS; s++) {
        qsort(t[s], N, sizeof t[s][0], cmp);
        printf("  %s %.1f", names[s], t[s][N / 2] * 1e6);
    }
    printf("\n");
    return 0;
}
