// The inference network's dense layers: a product of a few rows by a weight matrix that each thread reads from its
// own cache, summed in one fixed order per output (see CKernels.h). oneDNN's products pick their kernel and summation
// order by batch size, so a batch could differ from an image alone in the last bit; this kernel cannot.
#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

// Up to 8 rows × 2 vectors, 4 × 4 or 2 × 8 vectors of 16 outputs: at most 16 accumulators, each a chain of fused
// multiply-adds over k.
static inline __attribute__((always_inline, target("avx512f")))
void block512(const float *x, long ldx, int rows, const float *w, long inputs, long units, float *y, long ldy,
              long col, int vectors, __mmask16 lastMask) {
    __m512 acc[8][8];
    __mmask16 mask[8];
    for (int v = 0; v < 8; v++) mask[v] = v < vectors - 1 ? (__mmask16)0xFFFF : v == vectors - 1 ? lastMask : 0;
    for (int r = 0; r < 8; r++)
        for (int v = 0; v < 8; v++) acc[r][v] = _mm512_setzero_ps();
    const float *wk = w + col;
    for (long k = 0; k < inputs; k++, wk += units) {
        __m512 wv[8];
        // With 5–8 rows each k reads only 2 lines of a weight row, 512 bytes apart: fetching 16 rows of k ahead took
        // dense1 from 8.1 to 6.3 µs a row with other work between the calls (bench/c/dense_cache.c); with 1–2 rows the
        // hardware's own prefetch of whole rows does better alone. Prefetches change no sum.
        if (vectors <= 2)
            for (int v = 0; v < vectors; v++) _mm_prefetch((const char *)(wk + 16 * units + 16 * v), _MM_HINT_T0);
        for (int v = 0; v < 8; v++) wv[v] = v < vectors ? _mm512_maskz_loadu_ps(mask[v], wk + 16 * v) : _mm512_setzero_ps();
        for (int r = 0; r < 8; r++) {
            if (r >= rows) break;
            __m512 xv = _mm512_set1_ps(x[r * ldx + k]);
            for (int v = 0; v < 8; v++)
                if (v < vectors) acc[r][v] = _mm512_fmadd_ps(xv, wv[v], acc[r][v]);
        }
    }
    for (int r = 0; r < rows; r++)
        for (int v = 0; v < vectors; v++) _mm512_mask_storeu_ps(y + r * ldy + col + 16 * v, mask[v], acc[r][v]);
}

// One specialisation per (rows, vectors), so the compiler keeps every accumulator in a register.
#define BLOCK(R, V) static __attribute__((noinline, target("avx512f"))) \
    void block_##R##_##V(const float *x, long ldx, const float *w, long inputs, long units, float *y, long ldy, \
                         long col, __mmask16 m) { block512(x, ldx, R, w, inputs, units, y, ldy, col, V, m); }
#define BLOCKS4(R) BLOCK(R, 1) BLOCK(R, 2) BLOCK(R, 3) BLOCK(R, 4)
#define BLOCKS8(R) BLOCKS4(R) BLOCK(R, 5) BLOCK(R, 6) BLOCK(R, 7) BLOCK(R, 8)
BLOCKS8(1) BLOCKS8(2) BLOCKS4(3) BLOCKS4(4)
BLOCK(5, 1) BLOCK(5, 2) BLOCK(6, 1) BLOCK(6, 2) BLOCK(7, 1) BLOCK(7, 2) BLOCK(8, 1) BLOCK(8, 2)

typedef void (*block_fn)(const float *, long, const float *, long, long, float *, long, long, __mmask16);
static const block_fn blocks[8][8] = {
    {block_1_1, block_1_2, block_1_3, block_1_4, block_1_5, block_1_6, block_1_7, block_1_8},
    {block_2_1, block_2_2, block_2_3, block_2_4, block_2_5, block_2_6, block_2_7, block_2_8},
    {block_3_1, block_3_2, block_3_3, block_3_4}, {block_4_1, block_4_2, block_4_3, block_4_4},
    {block_5_1, block_5_2}, {block_6_1, block_6_2}, {block_7_1, block_7_2}, {block_8_1, block_8_2},
};

static void dense512(const float *x, long ldx, long rows, const float *w, long inputs, long units, float *y, long ldy) {
    for (long r = 0; r < rows; r += 8) {
        int n = rows - r < 8 ? (int)(rows - r) : 8;
        // As many rows as fit in 16 accumulators share each weight load; 1 or 2 rows read each weight row whole.
        long width = n <= 2 ? 128 : n <= 4 ? 64 : 32;
        for (long col = 0; col < units; col += width) {
            long left = units - col < width ? units - col : width;
            int vectors = (int)((left + 15) / 16);
            int tail = (int)(left - 16 * (vectors - 1));
            __mmask16 m = (__mmask16)(tail == 16 ? 0xFFFF : (1u << tail) - 1);
            blocks[n - 1][vectors - 1](x + r * ldx, ldx, w, inputs, units, y + r * ldy, ldy, col, m);
        }
    }
}

#endif

// Without AVX-512: the same order (one sum per output over k), multiply then add.
static void denseGeneric(const float *x, long ldx, long rows, const float *w, long inputs, long units, float *y, long ldy) {
    for (long r = 0; r < rows; r++) {
        float *out = y + r * ldy;
        for (long u = 0; u < units; u++) out[u] = 0;
        for (long k = 0; k < inputs; k++) {
            const float xk = x[r * ldx + k], *wk = w + k * units;
            for (long u = 0; u < units; u++) out[u] += xk * wk[u];
        }
    }
}

int mnistbook_has_avx512(void) {
#if defined(__x86_64__)
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512f") ? 1 : 0;
    }
    return known;
#else
    return 0;
#endif
}

void mnistbook_dense_rows(const float *x, long ldx, long rows, const float *w, long inputs, long units, float *y, long ldy) {
#if defined(__x86_64__)
    if (mnistbook_has_avx512()) {
        dense512(x, ldx, rows, w, inputs, units, y, ldy);
        return;
    }
#endif
    denseGeneric(x, ldx, rows, w, inputs, units, y, ldy);
}
