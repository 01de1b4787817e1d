// Adam's update sweep over elements [begin, end): the Swift loop it replaces ran scalar (a square root and a division
// per element, its four arrays possibly aliased); here 16 elements a vector. Every operation rounds as the Swift one did
// (no multiply-add contraction; vector square root and division are exact-rounded), so the bits are the same.
#include "CKernels.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define ADAM_BODY                                                                                   \
    _Pragma("clang fp contract(off)")                                                               \
    float c1 = 1 - beta1, c2 = 1 - beta2;                                                           \
    for (long i = begin; i < end; i++) {                                                            \
        float gi = g[i];                                                                            \
        float mi = beta1 * m[i] + c1 * gi;                                                          \
        float vi = beta2 * v[i] + c2 * gi * gi;                                                     \
        m[i] = mi;                                                                                  \
        v[i] = vi;                                                                                  \
        w[i] -= lr * mi / (__builtin_sqrtf(vi) + epsilon);                                          \
    }

#define ADAM_ARGS float *restrict w, const float *restrict g, float *restrict m, float *restrict v, long begin, long end, \
                  float lr, float beta1, float beta2, float epsilon

static void adamGeneric(ADAM_ARGS) { ADAM_BODY }

#if defined(__x86_64__)
/// The same operations in the same order on 16 elements at a time; the tail through the loop above.
__attribute__((target("avx512f"))) static void adam512(ADAM_ARGS) {
    __m512 b1 = _mm512_set1_ps(beta1), b2 = _mm512_set1_ps(beta2), c1 = _mm512_set1_ps(1 - beta1);
    __m512 c2 = _mm512_set1_ps(1 - beta2), rate = _mm512_set1_ps(lr), eps = _mm512_set1_ps(epsilon);
    long i = begin;
    for (; i + 16 <= end; i += 16) {
        __m512 gi = _mm512_loadu_ps(g + i);
        __m512 mi = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_loadu_ps(m + i)), _mm512_mul_ps(c1, gi));
        __m512 vi = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_loadu_ps(v + i)), _mm512_mul_ps(_mm512_mul_ps(c2, gi), gi));
        _mm512_storeu_ps(m + i, mi);
        _mm512_storeu_ps(v + i, vi);
        __m512 step = _mm512_div_ps(_mm512_mul_ps(rate, mi), _mm512_add_ps(_mm512_sqrt_ps(vi), eps));
        _mm512_storeu_ps(w + i, _mm512_sub_ps(_mm512_loadu_ps(w + i), step));
    }
    adamGeneric(w, g, m, v, i, end, lr, beta1, beta2, epsilon);
}
#endif

void mnistbook_adam(float *w, const float *g, float *m, float *v, long begin, long end, float lr, float beta1, float beta2,
                    float epsilon) {
#if defined(__x86_64__)
    if (mnistbook_has_avx512()) { adam512(w, g, m, v, begin, end, lr, beta1, beta2, epsilon); return; }
#endif
    adamGeneric(w, g, m, v, begin, end, lr, beta1, beta2, epsilon);
}
