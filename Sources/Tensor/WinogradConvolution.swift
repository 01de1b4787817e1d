import CKernels

/// A 3×3 stride-1 convolution of one NHWC image at inference through mnistbook's Winograd F(2,3) kernel
/// (CKernels/winograd.c): 2.25× fewer multiplies than a direct convolution, the weights transformed once here.
/// y = act(x ⊛ w + b), then · scale + shift per channel when given (the inference network's fused order).
final class WinogradConvolution {
    let height: Int, width: Int, inputChannels: Int, outputChannels: Int
    /// 1 for 'same' (zero padding of one pixel all round), 0 for 'valid'.
    let pad: Int
    let outputHeight: Int, outputWidth: Int
    let relu: Bool
    let bias: Tensor?, scale: Tensor?, shift: Tensor?
    /// U = G g Gᵀ per (ci, co).  u: [16, Ci, Co]
    let transformed: Tensor
    /// The kernel's working memory for one image (one chain, one thread; its Winograd steps may share it).
    private let scratch: Tensor
    /// Memory the next steps will stream, fetched into L2 while the products run (the inference network passes a share
    /// of dense1's weights: bench/c/winograd_chain.c). Changes no value.
    private let prefetch: (tensor: Tensor, floats: Range<Int>)?

    /// 3×3, stride 1, channels multiples of 16 (the kernel's vectors), and at least one output pixel.
    static func fits(inputChannels: Int, outputChannels: Int, kernel: [Int], stride: Int, output: [Int]) -> Bool {
        kernel == [3, 3] && stride == 1 && inputChannels > 0 && inputChannels % 16 == 0 && outputChannels > 0
            && outputChannels % 16 == 0 && output.count >= 2 && output[0] >= 1 && output[1] >= 1
    }

    /// Floats of scratch for these channels (any image size).
    static func scratchCount(inputChannels: Int, outputChannels: Int) -> Int {
        mnistbook_winograd3_scratch_count(inputChannels, outputChannels)
    }

    /// Multiply-adds of the products for one image: 16 per tile, input and output channel.
    static func products(height: Int, width: Int, inputChannels: Int, outputChannels: Int) -> Int {
        16 * ((height + 1) / 2) * ((width + 1) / 2) * inputChannels * outputChannels
    }

    /// x: [height, width, Ci], weights: [3, 3, Ci, Co] (HWIO), bias, scale, shift: [Co]; `scratch` of at least
    /// scratchCount floats (nil: its own).
    init(height: Int, width: Int, weights: Tensor, bias: Tensor?, samePadding: Bool, relu: Bool, scale: Tensor?, shift: Tensor?,
         scratch: Tensor? = nil, prefetch: (tensor: Tensor, floats: Range<Int>)? = nil) {
        precondition(weights.shape.count == 4 && weights.shape[0] == 3 && weights.shape[1] == 3, "Winograd: weights \(weights.shape)")
        (self.height, self.width, inputChannels, outputChannels) = (height, width, weights.shape[2], weights.shape[3])
        pad = samePadding ? 1 : 0
        (outputHeight, outputWidth) = (height + 2 * pad - 2, width + 2 * pad - 2)
        precondition(WinogradConvolution.fits(inputChannels: inputChannels, outputChannels: outputChannels, kernel: [3, 3],
                                               stride: 1, output: [outputHeight, outputWidth]),
                     "Winograd: \(weights.shape) on \(height)×\(width)")
        for channel in [bias, scale, shift] { precondition(channel == nil || channel!.count == outputChannels, "Winograd: per-channel size") }
        (self.bias, self.scale, self.shift, self.relu) = (bias, scale, shift, relu)
        transformed = Tensor(zeros: [16, inputChannels, outputChannels])
        mnistbook_winograd3_weights(weights.pointer, inputChannels, outputChannels, transformed.pointer)
        let count = WinogradConvolution.scratchCount(inputChannels: inputChannels, outputChannels: outputChannels)
        precondition(scratch == nil || scratch!.count >= count, "Winograd: scratch of \(scratch!.count) floats, needs \(count)")
        self.scratch = scratch ?? Tensor(zeros: [count])
        precondition(prefetch.map { $0.floats.clamped(to: 0..<$0.tensor.count) == $0.floats } ?? true, "Winograd: prefetch range")
        self.prefetch = prefetch
    }

    /// One image: x [height, width, Ci] → y [outputHeight, outputWidth, Co]; `portable` forces the C path without
    /// AVX-512 (the tests compare the two).
    func run(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, portable: Bool = false) {
        withExtendedLifetime((transformed, bias, scale, shift, scratch, prefetch?.tensor)) {
            if portable {
                mnistbook_winograd3_forward_portable(x, transformed.pointer, bias?.pointer, relu ? 1 : 0, scale?.pointer, shift?.pointer,
                                                     y, height, width, pad, inputChannels, outputChannels, scratch.pointer)
            } else {
                mnistbook_winograd3_forward(x, transformed.pointer, bias?.pointer, relu ? 1 : 0, scale?.pointer, shift?.pointer, y,
                                            height, width, pad, inputChannels, outputChannels, scratch.pointer,
                                            prefetch.map { $0.tensor.pointer + $0.floats.lowerBound },
                                            (prefetch?.floats.count ?? 0) * MemoryLayout<Float>.stride)
            }
        }
    }
}
