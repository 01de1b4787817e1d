// 2×2 max pooling with stride 2 over one NHWC image at inference: the inference network's pools, which oneDNN ran as a
// primitive of its own per image (an execute call and a generic kernel for 2 × 784 × 32 values).
#include "CKernels.h"

#define BODY                                                                                        \
    long oh = h / 2, ow = w / 2;                                                                    \
    for (long i = 0; i < oh; i++) {                                                                 \
        const float *top = x + 2 * i * w * c, *bottom = top + w * c;                                \
        float *out = y + i * ow * c;                                                                \
        for (long j = 0; j < ow; j++) {                                                             \
            const float *p0 = top + 2 * j * c, *p1 = p0 + c, *p2 = bottom + 2 * j * c, *p3 = p2 + c; \
            float *o = out + j * c;                                                                 \
            for (long ch = 0; ch < c; ch++) {                                                       \
                float m = p0[ch];                                                                   \
                if (p1[ch] > m) m = p1[ch];                                                         \
                if (p2[ch] > m) m = p2[ch];                                                         \
                if (p3[ch] > m) m = p3[ch];                                                         \
                o[ch] = m;                                                                          \
            }                                                                                       \
        }                                                                                           \
    }

#define ARGS const float *restrict x, float *restrict y, long h, long w, long c

#if defined(__x86_64__)
__attribute__((target("avx512f"))) static void pool512(ARGS) { BODY }
#endif
static void poolGeneric(ARGS) { BODY }

void mnistbook_maxpool2_image(const float *x, float *y, long h, long w, long c) {
#if defined(__x86_64__)
    if (mnistbook_has_avx512()) { pool512(x, y, h, w, c); return; }
#endif
    poolGeneric(x, y, h, w, c);
}

long mnistbook_take_next(long *counter) { return __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); }
