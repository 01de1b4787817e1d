/// Which bits the engine's kernels give, as a number the step cache's keys include: a cached step is reused only when
/// this engine would compute the same result. Bump it with every change to a kernel's arithmetic or summation order
/// (a new kernel, another block size, Winograd instead of a direct convolution); the version number alone stayed
/// 0.1.0 across all of them.
///
/// 2: the inference network's 3×3 convolutions on Winograd F(2,3) (Sources/CKernels/winograd.c).
/// 3: training runs each batch norm and the 2×2 max pool after it as one step (the batch norm's gradient sums over the
/// pool's winners alone: another summation order).
/// 4: training's 3×3 convolutions (forward pass, input gradient) on Winograd F(2,3) too (Sources/Tensor/WinogradBatch.swift).
public let numericsRevision = 4
