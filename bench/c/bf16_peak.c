// Peak multiply-add rate of one core: AVX-512 fp32 FMA (vfmadd231ps, 16 MACs) against AVX512_BF16 (vdpbf16ps, 32 MACs),
// 12 independent accumulators so neither is latency bound. Prints MACs per nanosecond of this thread's CPU time (immune
// to other processes taking the core), median of 15 runs, interleaved.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
#define N 2000000L
__attribute__((target("avx512f"), noinline)) float fma32(float s) {
  __m512 a[12], x = _mm512_set1_ps(s), y = _mm512_set1_ps(0.999f);
  for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps(i);
  for (long n = 0; n < N; n++) for (int i = 0; i < 12; i++) a[i] = _mm512_fmadd_ps(x, y, a[i]);
  __m512 t = a[0]; for (int i = 1; i < 12; i++) t = _mm512_add_ps(t, a[i]); return _mm512_reduce_add_ps(t);
}
__attribute__((target("avx512f,avx512bf16"), noinline)) float dpbf16(float s) {
  __m512 a[12]; __m512bh x = (__m512bh)_mm512_set1_epi16(0x3f80), y = (__m512bh)_mm512_set1_epi16(0x3f7f);
  for (int i = 0; i < 12; i++) a[i] = _mm512_set1_ps(i * s);
  for (long n = 0; n < N; n++) for (int i = 0; i < 12; i++) a[i] = _mm512_dpbf16_ps(a[i], x, y);
  __m512 t = a[0]; for (int i = 1; i < 12; i++) t = _mm512_add_ps(t, a[i]); return _mm512_reduce_add_ps(t);
}
static int cmp(const void *a, const void *b) { double d = *(double *)a - *(double *)b; return d < 0 ? -1 : d > 0; }
int main(void) {
  double tf[15], tb[15]; volatile float sink = 0;
  for (int r = 0; r < 15; r++) {
    double t0 = now(); sink += fma32(1.0f); tf[r] = now() - t0;
    t0 = now(); sink += dpbf16(1.0f); tb[r] = now() - t0;
  }
  qsort(tf, 15, sizeof(double), cmp); qsort(tb, 15, sizeof(double), cmp);
  double macs32 = (double)N * 12 * 16, macs16 = (double)N * 12 * 32;
  printf("fp32 FMA   (vfmadd231ps zmm): %.1f MAC/ns, best %.1f\n", macs32 / tf[7] * 1e-9, macs32 / tf[0] * 1e-9);
  printf("bf16 dot   (vdpbf16ps zmm)  : %.1f MAC/ns, best %.1f\n", macs16 / tb[7] * 1e-9, macs16 / tb[0] * 1e-9);
  printf("bf16 / fp32 peak: %.2fx (median), %.2fx (best)\n", (macs16 / tb[7]) / (macs32 / tf[7]), (macs16 / tb[0]) / (macs32 / tf[0]));
  return 0;
}
