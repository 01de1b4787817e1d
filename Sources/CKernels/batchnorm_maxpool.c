// Batch normalization in training fused with the 2×2 stride-2 max pool after it, over NHWC images with even height and
// width (see CKernels.h): the forward takes the max of the normalised values inside the pool, and the backward scatters
// the pooled gradient inside the batch norm's gradient sweep, so neither the full-size normalised output nor its
// gradient is ever written. Output rows [begin, end) of the n · h/2 per call: the caller splits them.
#include "CKernels.h"

// One window position's normalised value, written as batchnorm.c's affine sweep writes it (the same bits per path).
#define NORMALISED(P) ((P[ch] - center[ch]) * scale[ch] + shift[ch])

// The max over the normalised values (γ may be negative, so not the max of x), the first of equal values.
#define TAKE(P, K)                                                                                  \
    {                                                                                               \
        float t = NORMALISED(P);                                                                    \
        if (t > m) { m = t; v = P[ch]; at = K; }                                                    \
    }

#define FORWARD_BODY                                                                                \
    long oh = h / 2, ow = w / 2;                                                                    \
    for (long i = begin; i < end; i++) {                                                            \
        long n = i / oh, r = i % oh;                                                                \
        const float *top = x + (n * h + 2 * r) * w * c, *bottom = top + w * c;                     \
        for (long j = 0; j < ow; j++) {                                                             \
            const float *p0 = top + 2 * j * c, *p1 = p0 + c, *p2 = bottom + 2 * j * c, *p3 = p2 + c; \
            long o = (i * ow + j) * c;                                                              \
            for (long ch = 0; ch < c; ch++) {                                                       \
                float m = NORMALISED(p0), v = p0[ch];                                               \
                unsigned char at = 0;                                                               \
                TAKE(p1, 1) TAKE(p2, 2) TAKE(p3, 3)                                                 \
                y[o + ch] = m;                                                                      \
                winners[o + ch] = v;                                                                \
                which[o + ch] = at;                                                                 \
            }                                                                                       \
        }                                                                                           \
    }

// One window position's input gradient: the pooled gradient only at the winner, the batch norm's other terms everywhere
// (the expression batchnorm.c's gradient sweep evaluates with the scattered gradient, 0 off the winner).
#define GRADIENT(P, D, K, MASKED)                                                                   \
    {                                                                                               \
        float e = at == K ? g : 0, u = a[ch] * e + b[ch] * (P[ch] - mean[ch]) + d[ch];              \
        D[ch] = MASKED && !(P[ch] > 0) ? 0 : u;                                                     \
    }

#define GRADIENT_BODY(MASKED)                                                                       \
    long oh = h / 2, ow = w / 2;                                                                    \
    for (long i = begin; i < end; i++) {                                                            \
        long n = i / oh, r = i % oh;                                                                \
        long top = (n * h + 2 * r) * w * c, bottom = top + w * c;                                  \
        for (long j = 0; j < ow; j++) {                                                             \
            const float *p0 = x + top + 2 * j * c, *p1 = p0 + c, *p2 = x + bottom + 2 * j * c, *p3 = p2 + c; \
            float *q0 = dx + top + 2 * j * c, *q1 = q0 + c, *q2 = dx + bottom + 2 * j * c, *q3 = q2 + c; \
            long o = (i * ow + j) * c;                                                              \
            for (long ch = 0; ch < c; ch++) {                                                       \
                float g = dy[o + ch];                                                               \
                unsigned char at = which[o + ch];                                                   \
                GRADIENT(p0, q0, 0, MASKED) GRADIENT(p1, q1, 1, MASKED)                             \
                GRADIENT(p2, q2, 2, MASKED) GRADIENT(p3, q3, 3, MASKED)                             \
            }                                                                                       \
        }                                                                                           \
    }

#define FORWARD_ARGS const float *restrict x, float *restrict y, float *restrict winners, unsigned char *restrict which, \
                     long h, long w, long c, long begin, long end, const float *restrict center,                         \
                     const float *restrict scale, const float *restrict shift
#define GRADIENT_ARGS const float *restrict dy, const unsigned char *restrict which, const float *restrict x,            \
                      float *restrict dx, long h, long w, long c, long begin, long end, const float *restrict mean,      \
                      const float *restrict a, const float *restrict b, const float *restrict d

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw"))) static void normPoolForward512(FORWARD_ARGS) { FORWARD_BODY }
__attribute__((target("avx512f,avx512bw"))) static void normPoolGradient512(GRADIENT_ARGS) { GRADIENT_BODY(0) }
__attribute__((target("avx512f,avx512bw"))) static void normPoolGradientMasked512(GRADIENT_ARGS) { GRADIENT_BODY(1) }
#endif
static void normPoolForwardGeneric(FORWARD_ARGS) { FORWARD_BODY }
static void normPoolGradientGeneric(GRADIENT_ARGS) { GRADIENT_BODY(0) }
static void normPoolGradientMaskedGeneric(GRADIENT_ARGS) { GRADIENT_BODY(1) }

void mnistbook_bn_maxpool2_forward(const float *x, float *y, float *winners, unsigned char *which, long h, long w, long c,
                                   long begin, long end, const float *center, const float *scale, const float *shift,
                                   int portable) {
#if defined(__x86_64__)
    if (!portable && mnistbook_has_avx512()) {
        normPoolForward512(x, y, winners, which, h, w, c, begin, end, center, scale, shift);
        return;
    }
#endif
    normPoolForwardGeneric(x, y, winners, which, h, w, c, begin, end, center, scale, shift);
}

void mnistbook_bn_maxpool2_gradient(const float *dy, const unsigned char *which, const float *x, float *dx, long h, long w,
                                    long c, long begin, long end, const float *mean, const float *a, const float *b,
                                    const float *d, int maskNonPositive, int portable) {
#if defined(__x86_64__)
    if (!portable && mnistbook_has_avx512()) {
        if (maskNonPositive) normPoolGradientMasked512(dy, which, x, dx, h, w, c, begin, end, mean, a, b, d);
        else normPoolGradient512(dy, which, x, dx, h, w, c, begin, end, mean, a, b, d);
        return;
    }
#endif
    if (maskNonPositive) normPoolGradientMaskedGeneric(dy, which, x, dx, h, w, c, begin, end, mean, a, b, d);
    else normPoolGradientGeneric(dy, which, x, dx, h, w, c, begin, end, mean, a, b, d);
}
