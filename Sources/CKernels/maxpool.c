// 2×2 max pooling with stride 2 over NHWC images in training: the output and which of the four won (a byte each),
// and the backward pass writing every input gradient once, the winner's and the three zeros (see CKernels.h).
#include "CKernels.h"

#define FORWARD_BODY                                                                                \
    long oh = h / 2, ow = w / 2;                                                                    \
    for (long i = begin; i < end; i++) {                                                            \
        long b = i / oh, r = i % oh;                                                                \
        const float *top = x + (b * h + 2 * r) * w * c, *bottom = top + w * c;                     \
        float *out = y + i * ow * c;                                                                \
        unsigned char *k = which + i * ow * c;                                                      \
        for (long j = 0; j < ow; j++) {                                                             \
            const float *p0 = top + 2 * j * c, *p1 = p0 + c, *p2 = bottom + 2 * j * c, *p3 = p2 + c; \
            float *o = out + j * c;                                                                 \
            unsigned char *q = k + j * c;                                                           \
            for (long ch = 0; ch < c; ch++) {                                                       \
                float m = p0[ch];                                                                   \
                unsigned char at = 0;                                                               \
                if (p1[ch] > m) { m = p1[ch]; at = 1; }                                             \
                if (p2[ch] > m) { m = p2[ch]; at = 2; }                                             \
                if (p3[ch] > m) { m = p3[ch]; at = 3; }                                             \
                o[ch] = m;                                                                          \
                q[ch] = at;                                                                         \
            }                                                                                       \
        }                                                                                           \
    }

#define BACKWARD_BODY                                                                               \
    long oh = h / 2, ow = w / 2;                                                                    \
    for (long i = begin; i < end; i++) {                                                            \
        long b = i / oh, r = i % oh;                                                                \
        float *top = dx + (b * h + 2 * r) * w * c, *bottom = top + w * c;                          \
        const float *g = dy + i * ow * c;                                                           \
        const unsigned char *k = which + i * ow * c;                                                \
        for (long j = 0; j < ow; j++) {                                                             \
            float *p0 = top + 2 * j * c, *p1 = p0 + c, *p2 = bottom + 2 * j * c, *p3 = p2 + c;     \
            const float *gj = g + j * c;                                                            \
            const unsigned char *q = k + j * c;                                                     \
            for (long ch = 0; ch < c; ch++) {                                                       \
                float v = gj[ch];                                                                   \
                unsigned char at = q[ch];                                                           \
                p0[ch] = at == 0 ? v : 0;                                                           \
                p1[ch] = at == 1 ? v : 0;                                                           \
                p2[ch] = at == 2 ? v : 0;                                                           \
                p3[ch] = at == 3 ? v : 0;                                                           \
            }                                                                                       \
        }                                                                                           \
    }

#define FORWARD_ARGS const float *restrict x, float *restrict y, unsigned char *restrict which, long h, long w, long c, \
                     long begin, long end
#define BACKWARD_ARGS const float *restrict dy, const unsigned char *restrict which, float *restrict dx, long h, long w, \
                      long c, long begin, long end

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512bw"))) static void poolForward512(FORWARD_ARGS) { FORWARD_BODY }
__attribute__((target("avx512f,avx512bw"))) static void backward512(BACKWARD_ARGS) { BACKWARD_BODY }
#endif
static void forwardGeneric(FORWARD_ARGS) { FORWARD_BODY }
static void backwardGeneric(BACKWARD_ARGS) { BACKWARD_BODY }

void mnistbook_maxpool2_forward(const float *x, float *y, unsigned char *which, long h, long w, long c, long begin, long end) {
#if defined(__x86_64__)
    if (mnistbook_has_avx512()) { poolForward512(x, y, which, h, w, c, begin, end); return; }
#endif
    forwardGeneric(x, y, which, h, w, c, begin, end);
}

void mnistbook_maxpool2_backward(const float *dy, const unsigned char *which, float *dx, long h, long w, long c, long begin,
                                 long end) {
#if defined(__x86_64__)
    if (mnistbook_has_avx512()) { backward512(dy, which, dx, h, w, c, begin, end); return; }
#endif
    backwardGeneric(dy, which, dx, h, w, c, begin, end);
}
