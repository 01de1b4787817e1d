#ifndef MNISTBOOK_CKERNELS_H
#define MNISTBOOK_CKERNELS_H

/// y[r][u] = Σ_k x[r][k] · w[k][u] for r < rows, u < units: the dense layers of the inference network.
/// Each output is summed in the order k = 0, 1, … whatever `rows` is (rows share weight loads, never a sum),
/// so an image gives the same bits alone or inside any batch. x: [rows, ldx], w: [inputs, units], y: [rows, ldy]
void mnistbook_dense_rows(const float *x, long ldx, long rows, const float *w, long inputs, long units,
                          float *y, long ldy);

/// Whether mnistbook_dense_rows uses AVX-512 on this CPU (else portable C, summed in the same order).
int mnistbook_has_avx512(void);

#endif
