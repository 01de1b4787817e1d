#ifndef MNISTBOOK_CKERNELS_H
#define MNISTBOOK_CKERNELS_H

/// y[r][u] = Σ_k x[r][k] · w[k][u] for r < rows, u < units: the dense layers of the inference network.
/// Each output is summed in the order k = 0, 1, … whatever `rows` is (rows share weight loads, never a sum),
/// so an image gives the same bits alone or inside any batch. x: [rows, ldx], w: [inputs, units], y: [rows, ldy]
void mnistbook_dense_rows(const float *x, long ldx, long rows, const float *w, long inputs, long units,
                          float *y, long ldy);

/// Whether mnistbook_dense_rows uses AVX-512 on this CPU (else portable C, summed in the same order).
int mnistbook_has_avx512(void);

/// Batch normalization in training over the last axis of [rows, channels] (NHWC images flattened to rows of pixels),
/// rows [begin, end) per call so the caller can split them over threads; each call adds into its own sums.
/// Sums run in float over blocks of 32 rows and in double across blocks, of x − center (a value near the mean keeps
/// the sum of squares from cancelling): sum += Σ (x − center), squares += Σ (x − center)².
void mnistbook_bn_statistics(const float *x, long channels, long begin, long end, const float *center,
                             double *sum, double *squares);

/// y = (x − center) · scale + shift per channel.
void mnistbook_bn_affine(const float *x, float *y, long channels, long begin, long end, const float *center,
                         const float *scale, const float *shift);

/// sumDy += Σ dy, sumDyX += Σ dy · (x − mean), per channel.
void mnistbook_bn_gradient_sums(const float *dy, const float *x, long channels, long begin, long end, const float *mean,
                                double *sumDy, double *sumDyX);

/// dx = a · dy + b · (x − mean) + d per channel; with maskNonPositive, 0 where x ≤ 0 (the derivative of a ReLU that
/// produced x, applied in the same sweep).
void mnistbook_bn_gradient(const float *dy, const float *x, float *dx, long channels, long begin, long end,
                           const float *mean, const float *a, const float *b, const float *d, int maskNonPositive);

/// 2×2 max pooling, stride 2, over NHWC images with even height and width: x [n, h, w, c] → y [n, h/2, w/2, c], and
/// `which` [n, h/2, w/2, c] the winner of each window (0 top left, 1 top right, 2 bottom left, 3 bottom right; the
/// first of equal values), for output rows [begin, end) of the n · h/2.
void mnistbook_maxpool2_forward(const float *x, float *y, unsigned char *which, long h, long w, long c, long begin, long end);

/// The gradient of that pooling: each window's winner gets dy, the other three 0; writes the input rows of output rows
/// [begin, end) whole.
void mnistbook_maxpool2_backward(const float *dy, const unsigned char *which, float *dx, long h, long w, long c, long begin,
                                 long end);

/// Batch normalization fused with the 2×2 stride-2 max pool after it, in training (CKernels/batchnorm_maxpool.c): for
/// output rows [begin, end) of the n · h/2, y = the max over each window of (x − center) · scale + shift per channel (the
/// max after the affine: scale may be negative), `which` its winner as in mnistbook_maxpool2_forward (the first of equal
/// values) and `winners` the winner's x. x [n, h, w, c] with h and w even; y, winners, which [n, h/2, w/2, c].
/// `portable` 1 forces the C path without AVX-512 (the tests compare the two).
void mnistbook_bn_maxpool2_forward(const float *x, float *y, float *winners, unsigned char *which, long h, long w, long c,
                                   long begin, long end, const float *center, const float *scale, const float *shift,
                                   int portable);

/// Its input gradient for output rows [begin, end): dx = a · dy_scattered + b · (x − mean) + d per channel, dy_scattered
/// the pooled dy at each window's winner and 0 at the other three (mnistbook_bn_gradient of mnistbook_maxpool2_backward's
/// output, without writing it); with maskNonPositive, 0 where x ≤ 0. dy [n, h/2, w/2, c], x and dx [n, h, w, c].
void mnistbook_bn_maxpool2_gradient(const float *dy, const unsigned char *which, const float *x, float *dx, long h, long w,
                                    long c, long begin, long end, const float *mean, const float *a, const float *b,
                                    const float *d, int maskNonPositive, int portable);

/// 2×2 max pooling, stride 2, over one NHWC image with even height and width at inference: x [h, w, c] → y [h/2, w/2, c].
void mnistbook_maxpool2_image(const float *x, float *y, long h, long w, long c);

/// A stride-1 convolution of NHWC images with one input channel, for images [begin, end):
/// y[n][r][j][c] = ((Σ_{kh,kw} x[n][r + kh − padTop][j + kw − padLeft] · weights[kh][kw][c]) + bias[c], then max(0, ·)
/// when relu, then · scale[c], then + shift[c]) — each of bias, scale, shift may be NULL; x outside the image is 0.
/// Each output sums its window in the order (kh, kw) whatever the images' split, so an image gives the same bits alone
/// or inside any batch. Shapes: x [n, h, w, 1], weights [k, k, 1, co] (HWIO), y [n, oh, ow, co]; stride 1, so
/// oh + k − 1 = h + the vertical padding (and the same across). Needs 1 ≤ k ≤ 7 and co a multiple of 16.
void mnistbook_conv1_forward(const float *x, const float *weights, const float *bias, int relu, const float *scale,
                             const float *shift, float *y, long h, long w, long k, long padTop, long padLeft, long oh,
                             long ow, long co, long begin, long end);

/// The weight and bias gradients of that convolution from the gradient at its output (before any activation):
/// dw[kh][kw][c] += Σ x[n][r + kh − padTop][j + kw − padLeft] · dy[n][r][j][c], db[c] += Σ dy[n][r][j][c] over images
/// [begin, end). Products are summed in float over blocks of about 1,024 output pixels of one image, each block added
/// into the double sums, in an order fixed by the shapes alone. dw [k, k, 1, co], db [co] (double).
void mnistbook_conv1_backward_weights(const float *x, const float *dy, long h, long w, long k, long padTop, long padLeft,
                                      long oh, long ow, long co, long begin, long end, double *dw, double *db);

/// Winograd F(2,3) for a 3×3 stride-1 convolution of ONE NHWC image at inference (CKernels/winograd.c): 2.25× fewer
/// multiplies than the direct loop. First, once per model, the weights' transform: weights [3, 3, ci, co] (HWIO) →
/// u [16, ci, co] (U = G g Gᵀ per (ci, co), computed in double and rounded once); ci and co multiples of 16.
void mnistbook_winograd3_weights(const float *weights, long ci, long co, float *u);

/// The backward data of a 'same' (pad 1) convolution with these weights [3, 3, ci, co] is a forward one of the output
/// gradient: dx = dy ⊛ w′ with w′[kh][kw][o][i] = w[2 − kh][2 − kw][i][o] (rotated, channels swapped). Its transform
/// u [16, co, ci] for mnistbook_winograd3_forward with co input and ci output channels, pad 1, no bias.
void mnistbook_winograd3_weights_backward_data(const float *weights, long ci, long co, float *u);

/// Floats of scratch mnistbook_winograd3_forward needs for ci input and co output channels (any image size).
long mnistbook_winograd3_scratch_count(long ci, long co);

/// y[r][j][o] = ((Σ_{kh,kw,i} x[r + kh − pad][j + kw − pad][i] · weights[kh][kw][i][o]) + bias[o], then max(0, ·) when
/// relu, then · scale[o], then + shift[o]) through Winograd F(2,3): x [h, w, ci], u from mnistbook_winograd3_weights,
/// y [oh, ow, co] with oh = h + 2·pad − 2, ow = w + 2·pad − 2 (pad 1: 'same', 0: 'valid'; x outside the image is 0).
/// Each of bias, scale, shift may be NULL. Needs ci and co multiples of 16 and scratch of
/// mnistbook_winograd3_scratch_count(ci, co) floats (nothing is allocated). The sums' order depends on the shapes
/// alone; AVX-512 where the CPU has it (mnistbook_has_avx512), else portable C with the same transforms (products
/// multiplied then added instead of fused). `prefetch` (NULL for none): prefetchBytes of memory the caller reads next,
/// fetched into L2 while the products run (changes no value; the portable path ignores it).
void mnistbook_winograd3_forward(const float *x, const float *u, const float *bias, int relu, const float *scale,
                                 const float *shift, float *y, long h, long w, long pad, long ci, long co, float *scratch,
                                 const void *prefetch, long prefetchBytes);

/// The same through the portable C path on any CPU (the tests compare it with the AVX-512 path).
void mnistbook_winograd3_forward_portable(const float *x, const float *u, const float *bias, int relu, const float *scale,
                                          const float *shift, float *y, long h, long w, long pad, long ci, long co,
                                          float *scratch);

/// Adam for elements [begin, end): m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g·g; w ← w − lr·m / (√v + ε), each operation
/// rounded on its own (no fused multiply-add), as Keras' formula reads. The four arrays must not overlap.
void mnistbook_adam(float *w, const float *g, float *m, float *v, long begin, long end, float lr, float beta1, float beta2,
                    float epsilon);

/// Returns *counter and adds 1 to it, atomically: threads taking work items one at a time.
long mnistbook_take_next(long *counter);

#endif
