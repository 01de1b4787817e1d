// The inference network's 2×2 max pooling of one image (Sources/CKernels/maxpool_inference.c) on the reference CNN's two
// pool shapes: thread CPU time per call, median of 400 × 10 calls. oneDNN's per-image pooling primitive for the same
// shapes is in infer_chain.cpp's output (pool1, pool2).
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "CKernels.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int byValue(const void *a, const void *b) { double d = *(const double *)a - *(const double *)b; return d < 0 ? -1 : d > 0; }

int main(void) {
    static float x[28 * 28 * 64], y[14 * 14 * 64];
    for (int i = 0; i < 28 * 28 * 64; i++) x[i] = rand() / (float)RAND_MAX - 0.5f;
    const long shapes[2][3] = {{28, 28, 32}, {14, 14, 64}};
    for (int s = 0; s < 2; s++) {
        double t[400];
        for (int r = 0; r < 400; r++) {
            double a = now();
            for (int k = 0; k < 10; k++) mnistbook_maxpool2_image(x, y, shapes[s][0], shapes[s][1], shapes[s][2]);
            t[r] = (now() - a) / 10;
        }
        qsort(t, 400, sizeof(double), byValue);
        printf("pool %ldx%ldx%ld: %.2f us per image (median)\n", shapes[s][0], shapes[s][1], shapes[s][2], t[200] * 1e6);
    }
    return 0;
}
