// Batch normalization in training over the last axis of x: [rows, channels] (NHWC images are rows of pixels), one
// sweep for the statistics and one for the output each way, where oneDNN takes more, and the ReLU before the batch
// norm differentiated inside the backward sweep (see CKernels.h). Rows [begin, end) per call: the caller splits them.
#include "CKernels.h"

// Sums over blocks of 32 rows in float (a vector of channels at a time), each block added into double.
#define SUMS_BODY(TERM_S, TERM_Q)                                                                   \
    float s[256], q[256];                                                                           \
    for (long c0 = 0; c0 < channels; c0 += 256) {                                                   \
        long cn = channels - c0 < 256 ? channels - c0 : 256;                                        \
        for (long r0 = begin; r0 < end; r0 += 32) {                                                 \
            long r1 = r0 + 32 < end ? r0 + 32 : end;                                                \
            for (long c = 0; c < cn; c++) { s[c] = 0; q[c] = 0; }                                   \
            for (long r = r0; r < r1; r++) {                                                        \
                const float *xr = x + r * channels + c0;                                            \
                const float *gr = dy ? dy + r * channels + c0 : xr;                                 \
                for (long c = 0; c < cn; c++) {                                                     \
                    float v = xr[c] - center[c0 + c], g = gr[c];                                    \
                    (void)g; s[c] += TERM_S; q[c] += TERM_Q;                                        \
                }                                                                                   \
            }                                                                                       \
            for (long c = 0; c < cn; c++) { first[c0 + c] += s[c]; second[c0 + c] += q[c]; }       \
        }                                                                                           \
    }

#define AFFINE_BODY                                                                                 \
    for (long r = begin; r < end; r++) {                                                            \
        const float *xr = x + r * channels;                                                         \
        float *yr = y + r * channels;                                                               \
        for (long c = 0; c < channels; c++) yr[c] = (xr[c] - center[c]) * scale[c] + shift[c];      \
    }

#define GRADIENT_BODY                                                                               \
    for (long r = begin; r < end; r++) {                                                            \
        const float *gr = dy + r * channels, *xr = x + r * channels;                                \
        float *o = dx + r * channels;                                                               \
        if (maskNonPositive) {                                                                      \
            for (long c = 0; c < channels; c++) {                                                   \
                float v = a[c] * gr[c] + b[c] * (xr[c] - mean[c]) + d[c];                           \
                o[c] = xr[c] > 0 ? v : 0;                                                           \
            }                                                                                       \
        } else {                                                                                    \
            for (long c = 0; c < channels; c++) o[c] = a[c] * gr[c] + b[c] * (xr[c] - mean[c]) + d[c]; \
        }                                                                                           \
    }

#define SUMS_ARGS const float *restrict x, const float *restrict dy, long channels, long begin, long end, \
                  const float *restrict center, double *restrict first, double *restrict second
#define AFFINE_ARGS const float *restrict x, float *restrict y, long channels, long begin, long end, \
                    const float *restrict center, const float *restrict scale, const float *restrict shift
#define GRADIENT_ARGS const float *restrict dy, const float *restrict x, float *restrict dx, long channels, long begin, \
                      long end, const float *restrict mean, const float *restrict a, const float *restrict b,        \
                      const float *restrict d, int maskNonPositive

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static void statistics512(SUMS_ARGS) { SUMS_BODY(v, v * v) }
__attribute__((target("avx512f"))) static void gradientSums512(SUMS_ARGS) { SUMS_BODY(g, g * v) }
__attribute__((target("avx512f"))) static void affine512(AFFINE_ARGS) { AFFINE_BODY }
__attribute__((target("avx512f"))) static void gradient512(GRADIENT_ARGS) { GRADIENT_BODY }
#endif
static void statisticsGeneric(SUMS_ARGS) { SUMS_BODY(v, v * v) }
static void gradientSumsGeneric(SUMS_ARGS) { SUMS_BODY(g, g * v) }
static void affineGeneric(AFFINE_ARGS) { AFFINE_BODY }
static void gradientGeneric(GRADIENT_ARGS) { GRADIENT_BODY }

void mnistbook_bn_statistics(const float *x, long channels, long begin, long end, const float *center,
                             double *sum, double *squares) {
#if defined(__x86_64__)
    if (mnistbook_has_avx512()) { statistics512(x, 0, channels, begin, end, center, sum, squares); return; }
#endif
    statisticsGeneric(x, 0, channels, begin, end, center, sum, squares);
}

void mnistbook_bn_affine(const float *x, float *y, long channels, long begin, long end, const float *center,
                         const float *scale, const float *shift) {
#if defined(__x86_64__)
    if (mnistbook_has_avx512()) { affine512(x, y, channels, begin, end, center, scale, shift); return; }
#endif
    affineGeneric(x, y, channels, begin, end, center, scale, shift);
}

void mnistbook_bn_gradient_sums(const float *dy, const float *x, long channels, long begin, long end, const float *mean,
                                double *sumDy, double *sumDyX) {
#if defined(__x86_64__)
    if (mnistbook_has_avx512()) { gradientSums512(x, dy, channels, begin, end, mean, sumDy, sumDyX); return; }
#endif
    gradientSumsGeneric(x, dy, channels, begin, end, mean, sumDy, sumDyX);
}

void mnistbook_bn_gradient(const float *dy, const float *x, float *dx, long channels, long begin, long end,
                           const float *mean, const float *a, const float *b, const float *d, int maskNonPositive) {
#if defined(__x86_64__)
    if (mnistbook_has_avx512()) { gradient512(dy, x, dx, channels, begin, end, mean, a, b, d, maskNonPositive); return; }
#endif
    gradientGeneric(dy, x, dx, channels, begin, end, mean, a, b, d, maskNonPositive);
}
