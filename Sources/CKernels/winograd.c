// A 3×3 stride-1 convolution of one NHWC image at inference through Winograd F(2,3): each 2×2 block of outputs
// ("tile") comes from a 4×4 window of input through 16 products per (ci, co) instead of 36, so the reference CNN's
// conv2 and conv3, already at the core's multiply-add peak as direct convolutions, need 2.25× fewer multiplies.
// Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A (Lavin & Gray 2015); the weights' transform U = G g Gᵀ is done once per model.
// Per image the tiles run in blocks: input transform of the block into V [16, tiles, ci], 16 products
// M[ξ] = V[ξ] · U[ξ] ([tiles, ci] × [ci, co]), output transform of M with bias, activation, scale and shift;
// a block's V and M (≤ 16 · 16 · (ci + co) floats) stay in the L1/L2 cache while U streams through. Pointers
// 64-byte aligned (as Tensor allocates them) run fastest: a 512-bit access across two cache lines costs about twice
// (conv3 measured 18.6 µs unaligned, 14.2 aligned).
#include "CKernels.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/// Tiles per block at most: 16 keeps the reference CNN's conv3 (4 × 4 tiles) in one block and splits conv2's 7 × 7
/// into 4 blocks of 12–13; each block re-reads U from L2, yet conv2 measured the same as in one block of 49
/// (24.0 against 24.6 µs) with a third of the scratch.
#define BLOCK_TILES 16
/// Rows (tiles) of one register block of the products: 6 rows × 4 vectors = 24 accumulators of the 32 registers.
#define GEMM_ROWS 6
/// Prefetch: the products are bound by multiply-adds and leave the memory system idle, so the caller may name a range
/// the next steps will stream (the inference network passes dense1's 1.6 MB of weights, which the chain's other data
/// push out of the 2 MB L2 between images) to be fetched into L2 meanwhile; at most this many lines per step over ci.
/// A prefetch changes no value. (-DPREFETCH_LINES=n builds another rate for bench/c/winograd_chain.c: 1 and 3 measured
/// slower than 2 in the reference CNN's chain.)
#ifndef PREFETCH_LINES
#define PREFETCH_LINES 2
#endif

/// Floats between V's (or M's) matrices past a block's own: with 16 tiles of 64 channels a matrix is exactly 4 KB, and
/// the 16 vectors a tile's transform reads or writes would all fall in one set of the L1 cache (12 ways): 3.5 µs
/// instead of 1.7 for conv3's input transform.
#define SKEW 16

long mnistbook_winograd3_scratch_count(long ci, long co) { return ci + 16L * (BLOCK_TILES * (ci + co) + 2 * SKEW); }
/// Channel pairs per block of the weights' transform: 16 input × 16 output channels, vectorised over the output
/// channels (a scalar loop over the pairs took 260 µs for 64 × 64 channels, too much to repeat each training step), and
/// transposed inside the block (in L1) when the backward data's layout asks for it.
#define WEIGHT_BLOCK 16

// G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]: U[a][b] = Σ G[a][i] · g[i][j] · G[b][j], in double, rounded once
// (the halves are exact, so any vector width gives the same bits). Row a of G applied to (g0, g1, g2):
#define G_ROW(a, g0, g1, g2) \
    ((a) == 0 ? (g0) : (a) == 1 ? 0.5 * (g0) + 0.5 * (g1) + 0.5 * (g2) : (a) == 2 ? 0.5 * (g0) - 0.5 * (g1) + 0.5 * (g2) : (g2))

/// The 16 × 16 channel pairs from (i0, o0) on: u [16, ci, co], or when `backwardData` u [16, co, ci] with ξ = (a, b) at
/// (3 − a, 3 − b) where a or b is 0 or 3: rotating g by 180° permutes G's rows (G J = P G, P swapping rows 0 and 3), so
/// the rotated kernel's U′ is U with those rows and columns swapped.
static inline __attribute__((always_inline)) void weightsBlock(const float *weights, long ci, long co, long i0, long o0,
                                                               int backwardData, float *u) {
    float block[16][WEIGHT_BLOCK][WEIGHT_BLOCK];   // [ξ, i, o]
    for (long i = 0; i < WEIGHT_BLOCK; i++) {
        double g[9][WEIGHT_BLOCK], row[4][3][WEIGHT_BLOCK];   // g: [kh·3 + kw, o]; row: (G g) [a, kw, o]
        for (int k = 0; k < 9; k++)
            for (long o = 0; o < WEIGHT_BLOCK; o++) g[k][o] = weights[(k * ci + i0 + i) * co + o0 + o];
        for (int a = 0; a < 4; a++)
            for (int kw = 0; kw < 3; kw++)
                for (long o = 0; o < WEIGHT_BLOCK; o++) row[a][kw][o] = G_ROW(a, g[kw][o], g[3 + kw][o], g[6 + kw][o]);
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                for (long o = 0; o < WEIGHT_BLOCK; o++)
                    block[a * 4 + b][i][o] = (float)G_ROW(b, row[a][0][o], row[a][1][o], row[a][2][o]);
    }
    static const int rotated[4] = {3, 1, 2, 0};
    for (int a = 0; a < 4; a++) {
        for (int b = 0; b < 4; b++) {
            if (!backwardData) {
                for (long i = 0; i < WEIGHT_BLOCK; i++)
                    memcpy(u + ((a * 4 + b) * ci + i0 + i) * co + o0, block[a * 4 + b][i], sizeof block[0][0]);
                continue;
            }
            float *out = u + (rotated[a] * 4 + rotated[b]) * co * ci;
            for (long o = 0; o < WEIGHT_BLOCK; o++)
                for (long i = 0; i < WEIGHT_BLOCK; i++) out[(o0 + o) * ci + i0 + i] = block[a * 4 + b][i][o];
        }
    }
}

static void weightsPortable(const float *weights, long ci, long co, int backwardData, float *u) {
    for (long i0 = 0; i0 < ci; i0 += WEIGHT_BLOCK)
        for (long o0 = 0; o0 < co; o0 += WEIGHT_BLOCK) weightsBlock(weights, ci, co, i0, o0, backwardData, u);
}

#if defined(__x86_64__)
// The same code with 512-bit vectors (30 µs for 64 × 64 channels against 50 with SSE2's).
__attribute__((target("avx512f"))) static void weights512(const float *weights, long ci, long co, int backwardData, float *u) {
    for (long i0 = 0; i0 < ci; i0 += WEIGHT_BLOCK)
        for (long o0 = 0; o0 < co; o0 += WEIGHT_BLOCK) weightsBlock(weights, ci, co, i0, o0, backwardData, u);
}
#endif

static void weightsTransform(const float *weights, long ci, long co, int backwardData, float *u) {
#if defined(__x86_64__)
    if (mnistbook_has_avx512()) return weights512(weights, ci, co, backwardData, u);
#endif
    weightsPortable(weights, ci, co, backwardData, u);
}

void mnistbook_winograd3_weights(const float *weights, long ci, long co, float *u) { weightsTransform(weights, ci, co, 0, u); }

void mnistbook_winograd3_weights_backward_data(const float *weights, long ci, long co, float *u) {
    weightsTransform(weights, ci, co, 1, u);
}

/// The image's geometry and the current block of tiles.
typedef struct {
    long h, w, pad, oh, ow, ci, co, tw;
} Geometry;

/// The 16 input pixels of tile t (row-major 4 × 4 window from (2·tr − pad, 2·tc − pad)), `zero` outside the image.
static void windowPointers(const Geometry *g, const float *x, const float *zero, long t, const float *p[16]) {
    long r0 = 2 * (t / g->tw) - g->pad, c0 = 2 * (t % g->tw) - g->pad;
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
            long r = r0 + i, c = c0 + j;
            p[i * 4 + j] = r >= 0 && r < g->h && c >= 0 && c < g->w ? x + (r * g->w + c) * g->ci : zero;
        }
    }
}

// Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]], applied to the rows then the columns of d, and
// Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]: both paths evaluate these same expressions in this order (adds only, so the
// transforms give the same bits on both; only the products differ: fused multiply-adds against multiply then add).
#define INPUT_TRANSFORM(d, v, ADD, SUB)                                                                   \
    {                                                                                                     \
        __typeof__(d[0]) t_[16];                                                                          \
        for (int j = 0; j < 4; j++) {                                                                     \
            t_[j] = SUB(d[j], d[8 + j]);                                                                  \
            t_[4 + j] = ADD(d[4 + j], d[8 + j]);                                                          \
            t_[8 + j] = SUB(d[8 + j], d[4 + j]);                                                          \
            t_[12 + j] = SUB(d[4 + j], d[12 + j]);                                                        \
        }                                                                                                 \
        for (int i = 0; i < 4; i++) {                                                                     \
            v[i * 4] = SUB(t_[i * 4], t_[i * 4 + 2]);                                                     \
            v[i * 4 + 1] = ADD(t_[i * 4 + 1], t_[i * 4 + 2]);                                             \
            v[i * 4 + 2] = SUB(t_[i * 4 + 2], t_[i * 4 + 1]);                                             \
            v[i * 4 + 3] = SUB(t_[i * 4 + 1], t_[i * 4 + 3]);                                             \
        }                                                                                                 \
    }
#define OUTPUT_TRANSFORM(m, y, ADD, SUB)                                                                  \
    {                                                                                                     \
        __typeof__(m[0]) s_[8];                                                                           \
        for (int j = 0; j < 4; j++) {                                                                     \
            s_[j] = ADD(ADD(m[j], m[4 + j]), m[8 + j]);                                                   \
            s_[4 + j] = SUB(SUB(m[4 + j], m[8 + j]), m[12 + j]);                                          \
        }                                                                                                 \
        for (int i = 0; i < 2; i++) {                                                                     \
            y[i * 2] = ADD(ADD(s_[i * 4], s_[i * 4 + 1]), s_[i * 4 + 2]);                                 \
            y[i * 2 + 1] = SUB(SUB(s_[i * 4 + 1], s_[i * 4 + 2]), s_[i * 4 + 3]);                         \
        }                                                                                                 \
    }
#define SCALAR_ADD(a, b) ((a) + (b))
#define SCALAR_SUB(a, b) ((a) - (b))

// MARK: portable C

/// Tiles [t0, t0 + nb) into v: [16, nb, ci].
static void winoInputGeneric(const Geometry *g, const float *x, const float *zero, long t0, long nb, float *v) {
    for (long t = 0; t < nb; t++) {
        const float *p[16];
        windowPointers(g, x, zero, t0 + t, p);
        for (long c = 0; c < g->ci; c++) {
            float d[16], e[16];
            for (int k = 0; k < 16; k++) d[k] = p[k][c];
            INPUT_TRANSFORM(d, e, SCALAR_ADD, SCALAR_SUB)
            for (int k = 0; k < 16; k++) v[k * (nb * g->ci + SKEW) + t * g->ci + c] = e[k];
        }
    }
}

/// m[ξ] = v[ξ] · u[ξ] for the 16 ξ: each output summed over ci in the order 0, 1, …, multiply then add.
static void winoProductsGeneric(const Geometry *g, const float *v, long nb, const float *u, float *m) {
    long ci = g->ci, co = g->co;
    for (int k = 0; k < 16; k++) {
        for (long t = 0; t < nb; t++) {
            float *out = m + k * (nb * co + SKEW) + t * co;
            const float *row = v + k * (nb * ci + SKEW) + t * ci;
            for (long o = 0; o < co; o++) out[o] = 0;
            for (long i = 0; i < ci; i++) {
                const float a = row[i], *w = u + (k * ci + i) * co;
                for (long o = 0; o < co; o++) out[o] += a * w[o];
            }
        }
    }
}

/// The epilogue of one output: + bias, ReLU, · scale + shift, in that order (the inference network's fused order).
static inline float winoEpilogue(float v, long c, const float *bias, int relu, const float *scale, const float *shift) {
    if (bias) v += bias[c];
    if (relu) v = v > 0 ? v : 0;
    if (scale) v *= scale[c];
    if (shift) v += shift[c];
    return v;
}

/// m: [16, nb, co] → the tiles' outputs in y: [oh, ow, co] (a tile's second row or column cropped past the edge).
static void winoOutputGeneric(const Geometry *g, const float *m, long t0, long nb, const float *bias, int relu,
                              const float *scale, const float *shift, float *y) {
    for (long t = 0; t < nb; t++) {
        long r0 = 2 * ((t0 + t) / g->tw), c0 = 2 * ((t0 + t) % g->tw);
        for (long c = 0; c < g->co; c++) {
            float a[16], z[4];
            for (int k = 0; k < 16; k++) a[k] = m[k * (nb * g->co + SKEW) + t * g->co + c];
            OUTPUT_TRANSFORM(a, z, SCALAR_ADD, SCALAR_SUB)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    if (r0 + i < g->oh && c0 + j < g->ow)
                        y[((r0 + i) * g->ow + c0 + j) * g->co + c] = winoEpilogue(z[i * 2 + j], c, bias, relu, scale, shift);
        }
    }
}

// MARK: AVX-512

#if defined(__x86_64__)
#define V_ADD(a, b) _mm512_add_ps(a, b)
#define V_SUB(a, b) _mm512_sub_ps(a, b)

__attribute__((target("avx512f"))) static void winoInput512(const Geometry *g, const float *x, const float *zero, long t0,
                                                            long nb, float *v) {
    const long ci = g->ci, stride = nb * ci + SKEW;   // v: [16, nb, ci], the 16 matrices `stride` floats apart
    for (long t = 0; t < nb; t++) {
        const float *p[16];
        windowPointers(g, x, zero, t0 + t, p);
        float *vt = v + t * ci;
        for (long c = 0; c < ci; c += 16) {
            __m512 d[16], e[16];
            _Pragma("clang loop unroll(full)") for (int k = 0; k < 16; k++) d[k] = _mm512_loadu_ps(p[k] + c);
            INPUT_TRANSFORM(d, e, V_ADD, V_SUB)
            _Pragma("clang loop unroll(full)") for (int k = 0; k < 16; k++) _mm512_storeu_ps(vt + k * stride + c, e[k]);
        }
    }
}

/// R rows of v ([R, ci], row stride ci) times u's V · 16 columns ([ci, co] from column 0 of the pointer): R · V
/// accumulators, each a chain of fused multiply-adds over ci in order; u's vectors loaded once for the R rows. Each
/// step over ci also asks for `lines` cache lines from pf on (below pfEnd) to be fetched into L2 (see Prefetch).
#define GEMM_BLOCK(R, V)                                                                                   \
    static __attribute__((noinline, target("avx512f"))) void winoGemm##R##x##V(                            \
        const float *restrict v, long ci, const float *restrict u, long co, float *restrict m,            \
        const char *pf, const char *pfEnd, long lines) {                                                   \
        __m512 acc[R][V];                                                                                  \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                    \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < V; q++) acc[r][q] = _mm512_setzero_ps(); \
        for (long i = 0; i < ci; i++) {                                                                    \
            __m512 w[V];                                                                                   \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < V; q++) w[q] = _mm512_loadu_ps(u + i * co + 16 * q); \
            for (long l = 0; l < lines && pf < pfEnd; l++, pf += 64) _mm_prefetch(pf, _MM_HINT_T1);     \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                               \
                __m512 a = _mm512_set1_ps(v[r * ci + i]);                                                  \
                _Pragma("clang loop unroll(full)") for (int q = 0; q < V; q++)                             \
                    acc[r][q] = _mm512_fmadd_ps(a, w[q], acc[r][q]);                                       \
            }                                                                                              \
        }                                                                                                  \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                    \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < V; q++) _mm512_storeu_ps(m + r * co + 16 * q, acc[r][q]); \
    }
#define GEMM_BLOCKS(R) GEMM_BLOCK(R, 1) GEMM_BLOCK(R, 2) GEMM_BLOCK(R, 3) GEMM_BLOCK(R, 4)
GEMM_BLOCKS(1) GEMM_BLOCKS(2) GEMM_BLOCKS(3) GEMM_BLOCKS(4) GEMM_BLOCKS(5) GEMM_BLOCKS(6)

typedef void (*GemmBlock)(const float *, long, const float *, long, float *, const char *, const char *, long);
static const GemmBlock gemmBlocks[GEMM_ROWS][4] = {
    {winoGemm1x1, winoGemm1x2, winoGemm1x3, winoGemm1x4}, {winoGemm2x1, winoGemm2x2, winoGemm2x3, winoGemm2x4},
    {winoGemm3x1, winoGemm3x2, winoGemm3x3, winoGemm3x4}, {winoGemm4x1, winoGemm4x2, winoGemm4x3, winoGemm4x4},
    {winoGemm5x1, winoGemm5x2, winoGemm5x3, winoGemm5x4}, {winoGemm6x1, winoGemm6x2, winoGemm6x3, winoGemm6x4},
};

/// m[ξ] = v[ξ] · u[ξ] for the 16 ξ, the nb rows in chunks of at most GEMM_ROWS as even as they go (5 + 5 + 5 rather
/// than 6 + 6 + 3), columns 64 at a time; `lines` lines of the prefetch range per step over ci, *pf advanced.
__attribute__((target("avx512f"))) static void winoProducts512(const Geometry *g, const float *v, long nb, const float *u,
                                                               float *m, const char **pf, const char *pfEnd, long lines) {
    long ci = g->ci, co = g->co, chunks = (nb + GEMM_ROWS - 1) / GEMM_ROWS;
    for (int k = 0; k < 16; k++) {
        const float *vk = v + k * (nb * ci + SKEW), *uk = u + k * ci * co;
        float *mk = m + k * (nb * co + SKEW);
        for (long q = 0, r = 0; q < chunks; q++) {
            long rows = nb / chunks + (q < nb % chunks);
            for (long c = 0; c < co; c += 64) {
                long vectors = (co - c) / 16 < 4 ? (co - c) / 16 : 4;
                gemmBlocks[rows - 1][vectors - 1](vk + r * ci, ci, uk + c, co, mk + r * co + c, *pf, pfEnd, lines);
                *pf += ci * lines * 64 < pfEnd - *pf ? ci * lines * 64 : pfEnd - *pf;
            }
            r += rows;
        }
    }
}

__attribute__((target("avx512f"))) static void winoOutput512(const Geometry *g, const float *m, long t0, long nb,
                                                             const float *bias, int relu, const float *scale,
                                                             const float *shift, float *y) {
    const long co = g->co, stride = nb * co + SKEW;   // m: [16, nb, co], the 16 matrices `stride` floats apart
    for (long t = 0; t < nb; t++) {
        long r0 = 2 * ((t0 + t) / g->tw), c0 = 2 * ((t0 + t) % g->tw);
        // The tile's 4 outputs, NULL where cropped past the image's edge.
        float *out[4];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                out[i * 2 + j] = r0 + i < g->oh && c0 + j < g->ow ? y + ((r0 + i) * g->ow + c0 + j) * co : NULL;
        const float *mt = m + t * co;
        for (long c = 0; c < co; c += 16) {
            __m512 a[16], z[4];
            _Pragma("clang loop unroll(full)") for (int k = 0; k < 16; k++) a[k] = _mm512_loadu_ps(mt + k * stride + c);
            OUTPUT_TRANSFORM(a, z, V_ADD, V_SUB)
            __m512 b = bias ? _mm512_loadu_ps(bias + c) : _mm512_setzero_ps();
            __m512 s = scale ? _mm512_loadu_ps(scale + c) : _mm512_setzero_ps();
            __m512 f = shift ? _mm512_loadu_ps(shift + c) : _mm512_setzero_ps();
            _Pragma("clang loop unroll(full)") for (int q = 0; q < 4; q++) {
                if (!out[q]) continue;
                __m512 o = z[q];
                if (bias) o = _mm512_add_ps(o, b);
                if (relu) o = _mm512_max_ps(o, _mm512_setzero_ps());
                if (scale) o = _mm512_mul_ps(o, s);
                if (shift) o = _mm512_add_ps(o, f);
                _mm512_storeu_ps(out[q] + c, o);
            }
        }
    }
}
#endif

/// The whole image, block by block; `vector` picks the AVX-512 path.
static void winoForward(const float *x, const float *u, const float *bias, int relu, const float *scale, const float *shift,
                        float *y, long h, long w, long pad, long ci, long co, float *scratch, const void *prefetch,
                        long prefetchBytes, int vector) {
    Geometry g = {h, w, pad, h + 2 * pad - 2, w + 2 * pad - 2, ci, co, 0};
    if (g.oh < 1 || g.ow < 1) return;
    g.tw = (g.ow + 1) / 2;
    long tiles = (g.oh + 1) / 2 * g.tw, blocks = (tiles + BLOCK_TILES - 1) / BLOCK_TILES;
    float *zero = scratch, *v = scratch + ci, *m = v + 16L * (BLOCK_TILES * ci + SKEW);
    memset(zero, 0, (size_t)ci * sizeof(float));
    // The prefetch range spread evenly over the products' steps over ci (at most PREFETCH_LINES a step).
    long steps = 0;
    for (long b = 0; b < blocks; b++) {
        long nb = tiles / blocks + (b < tiles % blocks);
        steps += 16 * ((nb + GEMM_ROWS - 1) / GEMM_ROWS) * ((co + 63) / 64) * ci;
    }
    long lines = prefetch && prefetchBytes > 0 ? (prefetchBytes / 64 + steps - 1) / steps : 0;
    if (lines > PREFETCH_LINES) lines = PREFETCH_LINES;
    const char *pf = prefetch, *pfEnd = prefetch ? (const char *)prefetch + (prefetchBytes > 0 ? prefetchBytes : 0) : NULL;
    (void)pf, (void)pfEnd, (void)lines;   // only the AVX-512 path prefetches
    // Blocks as even as they go (13 + 12 + 12 + 12 rather than 16 + 16 + 16 + 1): fixed by the shape alone.
    for (long b = 0, t0 = 0; b < blocks; b++) {
        long nb = tiles / blocks + (b < tiles % blocks);
#if defined(__x86_64__)
        if (vector) {
            winoInput512(&g, x, zero, t0, nb, v);
            winoProducts512(&g, v, nb, u, m, &pf, pfEnd, lines);
            winoOutput512(&g, m, t0, nb, bias, relu, scale, shift, y);
            t0 += nb;
            continue;
        }
#endif
        winoInputGeneric(&g, x, zero, t0, nb, v);
        winoProductsGeneric(&g, v, nb, u, m);
        winoOutputGeneric(&g, m, t0, nb, bias, relu, scale, shift, y);
        t0 += nb;
    }
}

void mnistbook_winograd3_forward(const float *x, const float *u, const float *bias, int relu, const float *scale,
                                 const float *shift, float *y, long h, long w, long pad, long ci, long co, float *scratch,
                                 const void *prefetch, long prefetchBytes) {
    winoForward(x, u, bias, relu, scale, shift, y, h, w, pad, ci, co, scratch, prefetch, prefetchBytes,
                mnistbook_has_avx512());
}

void mnistbook_winograd3_forward_portable(const float *x, const float *u, const float *bias, int relu, const float *scale,
                                          const float *shift, float *y, long h, long w, long pad, long ci, long co,
                                          float *scratch) {
    winoForward(x, u, bias, relu, scale, shift, y, h, w, pad, ci, co, scratch, NULL, 0, 0);
}
