// A stride-1 convolution of NHWC images with ONE input channel (a network's first layer on grey images): forward with
// bias, ReLU and a per-channel affine map, and the weight and bias gradients. oneDNN's NHWC kernels run this shape at
// about a tenth of the core's multiply-add peak (one input channel leaves nothing to vectorise over on their side);
// here the vectors run over 16 output channels and each input pixel is broadcast (see CKernels.h).
#include "CKernels.h"
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Each image is first copied into a zero-bordered buffer of (oh + k − 1) × (ow + k − 1), so every output pixel reads a
// full k × k window: output (r, j) reads padded rows r … r + k − 1, columns j … j + k − 1.
typedef struct {
    long h, w, k, padTop, padLeft, oh, ow, co;
    long ph, pw;
} Geometry;

static Geometry geometry(long h, long w, long k, long padTop, long padLeft, long oh, long ow, long co) {
    Geometry g = {h, w, k, padTop, padLeft, oh, ow, co, oh + k - 1, ow + k - 1};
    return g;
}

/// The padded buffer: on the stack for small images, else from the heap.
#define PAD_STACK 4096

/// Copies image x [h, w] into the padded buffer's interior; the caller zeroed the border once.
static void padImage(const Geometry *g, const float *x, float *pad) {
    for (long i = 0; i < g->h; i++)
        memcpy(pad + (i + g->padTop) * g->pw + g->padLeft, x + i * g->w, (size_t)g->w * sizeof(float));
}

// MARK: forward

/// The epilogue of one output vector: + bias, ReLU, · scale + shift, in that order (the inference network's fused order).
#define EPILOGUE_GENERIC(v, c)                          \
    if (bias) v += bias[c];                             \
    if (relu) v = v > 0 ? v : 0;                        \
    if (scale) v *= scale[c];                           \
    if (shift) v += shift[c];

/// Portable C: each output summed over the window in the order (kh, kw), then the epilogue; the AVX-512 path sums in
/// the same order.
static void forwardGeneric(const Geometry *g, const float *pad, const float *weights, const float *bias, int relu,
                           const float *scale, const float *shift, float *y) {
    long k = g->k, co = g->co;
    for (long r = 0; r < g->oh; r++) {
        for (long j = 0; j < g->ow; j++) {
            float *out = y + (r * g->ow + j) * co;
            for (long c = 0; c < co; c++) out[c] = 0;
            for (long kh = 0; kh < k; kh++) {
                for (long kw = 0; kw < k; kw++) {
                    float xv = pad[(r + kh) * g->pw + j + kw];
                    const float *wt = weights + (kh * k + kw) * co;
                    for (long c = 0; c < co; c++) out[c] += xv * wt[c];
                }
            }
            for (long c = 0; c < co; c++) {
                float v = out[c];
                EPILOGUE_GENERIC(v, c)
                out[c] = v;
            }
        }
    }
}

#if defined(__x86_64__)
/// P consecutive output pixels of one row × V vectors of 16 channels from c0: P · V accumulators in registers, each
/// tap's V weight vectors loaded once for the P pixels, each input pixel broadcast once for the V vectors.
#define FORWARD_BLOCK(P, V)                                                                                         \
    static inline __attribute__((always_inline, target("avx512f"))) void forward##P##x##V(                         \
        const float *restrict pad, long pw, long k, const float *restrict weights, long co, long c0,               \
        const float *restrict bias, int relu, const float *restrict scale, const float *restrict shift,            \
        float *restrict out) {                                                                                     \
        __m512 acc[P][V];                                                                                          \
        _Pragma("clang loop unroll(full)") for (int p = 0; p < P; p++)                                            \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) acc[p][v] = _mm512_setzero_ps();        \
        for (long kh = 0; kh < k; kh++) {                                                                          \
            for (long kw = 0; kw < k; kw++) {                                                                      \
                const float *wt = weights + (kh * k + kw) * co + c0;                                               \
                const float *xr = pad + kh * pw + kw;                                                              \
                __m512 wv[V];                                                                                      \
                _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) wv[v] = _mm512_loadu_ps(wt + 16 * v); \
                _Pragma("clang loop unroll(full)") for (int p = 0; p < P; p++) {                                   \
                    __m512 xb = _mm512_set1_ps(xr[p]);                                                             \
                    _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                 \
                        acc[p][v] = _mm512_fmadd_ps(xb, wv[v], acc[p][v]);                                         \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) {                                           \
            long c = c0 + 16 * v;                                                                                  \
            __m512 b = bias ? _mm512_loadu_ps(bias + c) : _mm512_setzero_ps();                                     \
            __m512 s = scale ? _mm512_loadu_ps(scale + c) : _mm512_set1_ps(1);                                     \
            __m512 t = shift ? _mm512_loadu_ps(shift + c) : _mm512_setzero_ps();                                   \
            _Pragma("clang loop unroll(full)") for (int p = 0; p < P; p++) {                                       \
                __m512 a = acc[p][v];                                                                              \
                if (bias) a = _mm512_add_ps(a, b);                                                                 \
                if (relu) a = _mm512_max_ps(a, _mm512_setzero_ps());                                               \
                if (scale) a = _mm512_mul_ps(a, s);                                                                \
                if (shift) a = _mm512_add_ps(a, t);                                                                \
                _mm512_storeu_ps(out + p * co + c, a);                                                             \
            }                                                                                                      \
        }                                                                                                          \
    }
FORWARD_BLOCK(8, 2)
FORWARD_BLOCK(4, 2)
FORWARD_BLOCK(1, 2)
FORWARD_BLOCK(8, 1)
FORWARD_BLOCK(4, 1)
FORWARD_BLOCK(1, 1)

#define FORWARD_ROW(V)                                                                                              \
    {                                                                                                               \
        long j = 0;                                                                                                 \
        for (; j + 8 <= g->ow; j += 8) forward8x##V(prow + j, g->pw, k, weights, co, c0, bias, relu, scale, shift, yrow + j * co); \
        for (; j + 4 <= g->ow; j += 4) forward4x##V(prow + j, g->pw, k, weights, co, c0, bias, relu, scale, shift, yrow + j * co); \
        for (; j < g->ow; j++) forward1x##V(prow + j, g->pw, k, weights, co, c0, bias, relu, scale, shift, yrow + j * co); \
    }

__attribute__((target("avx512f"))) static void convForward512(const Geometry *g, const float *pad, const float *weights,
                                                          const float *bias, int relu, const float *scale,
                                                          const float *shift, float *y) {
    long k = g->k, co = g->co;
    for (long r = 0; r < g->oh; r++) {
        const float *prow = pad + r * g->pw;
        float *yrow = y + r * g->ow * co;
        long c0 = 0;
        for (; c0 + 32 <= co; c0 += 32) FORWARD_ROW(2)
        if (c0 < co) FORWARD_ROW(1)
    }
}
#endif

void mnistbook_conv1_forward(const float *x, const float *weights, const float *bias, int relu, const float *scale,
                             const float *shift, float *y, long h, long w, long k, long padTop, long padLeft, long oh,
                             long ow, long co, long begin, long end) {
    Geometry g = geometry(h, w, k, padTop, padLeft, oh, ow, co);
    float stack[PAD_STACK];
    long size = g.ph * g.pw;
    float *pad = size <= PAD_STACK ? stack : malloc((size_t)size * sizeof(float));
    if (!pad) abort();
    memset(pad, 0, (size_t)size * sizeof(float));   // the border stays zero for every image
    for (long n = begin; n < end; n++) {
        padImage(&g, x + n * h * w, pad);
        float *out = y + n * oh * ow * co;
#if defined(__x86_64__)
        if (mnistbook_has_avx512()) { convForward512(&g, pad, weights, bias, relu, scale, shift, out); continue; }
#endif
        forwardGeneric(&g, pad, weights, bias, relu, scale, shift, out);
    }
    if (pad != stack) free(pad);
}

// MARK: backward: weights and bias

/// Output rows whose products are summed in float before they are added into the double sums: about 1,024 pixels.
static long rowsPerFlush(long ow) { return ow >= 1024 ? 1 : 1024 / ow; }

/// Portable C, in the order of the AVX-512 path: per output channel, taps summed pixel by pixel in float over a block
/// of rows, each block added into double.
static void weightsGeneric(const Geometry *g, const float *pad, const float *dy, double *dw, double *db, float *partial) {
    long k = g->k, co = g->co, taps = k * k, flush = rowsPerFlush(g->ow);
    for (long r0 = 0; r0 < g->oh; r0 += flush) {
        long r1 = r0 + flush < g->oh ? r0 + flush : g->oh;
        memset(partial, 0, (size_t)(taps + 1) * co * sizeof(float));
        for (long r = r0; r < r1; r++) {
            for (long j = 0; j < g->ow; j++) {
                const float *gr = dy + (r * g->ow + j) * co;
                float *pb = partial + taps * co;
                for (long c = 0; c < co; c++) pb[c] += gr[c];
                for (long t = 0; t < taps; t++) {
                    float xv = pad[(r + t / k) * g->pw + j + t % k];
                    float *pt = partial + t * co;
                    for (long c = 0; c < co; c++) pt[c] += xv * gr[c];
                }
            }
        }
        for (long t = 0; t < taps; t++)
            for (long c = 0; c < co; c++) dw[t * co + c] += partial[t * co + c];
        for (long c = 0; c < co; c++) db[c] += partial[taps * co + c];
    }
}

#if defined(__x86_64__)
/// Kernel rows kh0 … kh0 + R − 1 of a K × K kernel, V vectors of 16 channels from c0, over output rows [r0, r1):
/// R · K · V accumulators (+ V for the bias when kh0 is 0) in registers, each dy vector loaded once for all taps.
#define WEIGHTS_BLOCK(K, R, V)                                                                                      \
    static __attribute__((noinline, target("avx512f"))) void weights##K##x##R##x##V(                               \
        const float *restrict pad, long pw, const float *restrict dy, long ow, long co, long c0, long kh0, long r0, \
        long r1, double *restrict dw, double *restrict db) {                                                       \
        __m512 acc[R * K][V], accb[V];                                                                             \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) {                                           \
            accb[v] = _mm512_setzero_ps();                                                                         \
            _Pragma("clang loop unroll(full)") for (int t = 0; t < R * K; t++) acc[t][v] = _mm512_setzero_ps();    \
        }                                                                                                          \
        for (long r = r0; r < r1; r++) {                                                                           \
            const float *xr = pad + (r + kh0) * pw;                                                                \
            const float *gr = dy + r * ow * co + c0;                                                               \
            for (long j = 0; j < ow; j++) {                                                                        \
                __m512 gv[V];                                                                                      \
                _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) {                                   \
                    gv[v] = _mm512_loadu_ps(gr + j * co + 16 * v);                                                 \
                    if (kh0 == 0) accb[v] = _mm512_add_ps(accb[v], gv[v]);                                         \
                }                                                                                                  \
                _Pragma("clang loop unroll(full)") for (int t = 0; t < R * K; t++) {                               \
                    __m512 xb = _mm512_set1_ps(xr[(t / K) * pw + j + t % K]);                                      \
                    _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                 \
                        acc[t][v] = _mm512_fmadd_ps(xb, gv[v], acc[t][v]);                                         \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
        float lanes[16];                                                                                           \
        for (int t = 0; t < R * K; t++) {                                                                          \
            for (int v = 0; v < V; v++) {                                                                          \
                _mm512_storeu_ps(lanes, acc[t][v]);                                                                \
                double *d = dw + ((kh0 + t / K) * K + t % K) * co + c0 + 16 * v;                                   \
                for (int i = 0; i < 16; i++) d[i] += lanes[i];                                                     \
            }                                                                                                      \
        }                                                                                                          \
        if (kh0 == 0) {                                                                                            \
            for (int v = 0; v < V; v++) {                                                                          \
                _mm512_storeu_ps(lanes, accb[v]);                                                                  \
                for (int i = 0; i < 16; i++) db[c0 + 16 * v + i] += lanes[i];                                      \
            }                                                                                                      \
        }                                                                                                          \
    }
// Kernels up to 3 × 3 in one sweep (at most 18 + 2 accumulators); larger ones one kernel row per sweep.
WEIGHTS_BLOCK(1, 1, 2) WEIGHTS_BLOCK(1, 1, 1)
WEIGHTS_BLOCK(2, 2, 2) WEIGHTS_BLOCK(2, 2, 1)
WEIGHTS_BLOCK(3, 3, 2) WEIGHTS_BLOCK(3, 3, 1)
WEIGHTS_BLOCK(4, 1, 2) WEIGHTS_BLOCK(4, 1, 1)
WEIGHTS_BLOCK(5, 1, 2) WEIGHTS_BLOCK(5, 1, 1)
WEIGHTS_BLOCK(6, 1, 2) WEIGHTS_BLOCK(6, 1, 1)
WEIGHTS_BLOCK(7, 1, 2) WEIGHTS_BLOCK(7, 1, 1)

typedef void (*WeightsBlock)(const float *, long, const float *, long, long, long, long, long, long, double *, double *);

__attribute__((target("avx512f"))) static void weights512(const Geometry *g, const float *pad, const float *dy,
                                                          double *dw, double *db) {
    static const WeightsBlock blocks[8][2] = {
        {0, 0}, {weights1x1x1, weights1x1x2}, {weights2x2x1, weights2x2x2}, {weights3x3x1, weights3x3x2},
        {weights4x1x1, weights4x1x2}, {weights5x1x1, weights5x1x2}, {weights6x1x1, weights6x1x2},
        {weights7x1x1, weights7x1x2},
    };
    long k = g->k, co = g->co, rows = k <= 3 ? k : 1, flush = rowsPerFlush(g->ow);
    for (long r0 = 0; r0 < g->oh; r0 += flush) {
        long r1 = r0 + flush < g->oh ? r0 + flush : g->oh;
        long c0 = 0;
        for (; c0 + 32 <= co; c0 += 32)
            for (long kh0 = 0; kh0 < k; kh0 += rows) blocks[k][1](pad, g->pw, dy, g->ow, co, c0, kh0, r0, r1, dw, db);
        if (c0 < co)
            for (long kh0 = 0; kh0 < k; kh0 += rows) blocks[k][0](pad, g->pw, dy, g->ow, co, c0, kh0, r0, r1, dw, db);
    }
}
#endif

void mnistbook_conv1_backward_weights(const float *x, const float *dy, long h, long w, long k, long padTop, long padLeft,
                                      long oh, long ow, long co, long begin, long end, double *dw, double *db) {
    Geometry g = geometry(h, w, k, padTop, padLeft, oh, ow, co);
    long size = g.ph * g.pw;
    float *pad = calloc((size_t)size, sizeof(float));
    float *partial = malloc((size_t)(k * k + 1) * co * sizeof(float));
    if (!pad || !partial) abort();
    for (long n = begin; n < end; n++) {
        padImage(&g, x + n * h * w, pad);
        const float *g1 = dy + n * oh * ow * co;
#if defined(__x86_64__)
        if (mnistbook_has_avx512()) { weights512(&g, pad, g1, dw, db); continue; }
#endif
        weightsGeneric(&g, pad, g1, dw, db, partial);
    }
    free(partial);
    free(pad);
}
