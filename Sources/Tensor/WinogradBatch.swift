import CKernels

/// A 3×3 stride-1 convolution of a batch of NHWC images in training through the Winograd F(2,3) kernel
/// (CKernels/winograd.c): the forward pass, or the backward data of a 'same' one (the output gradient convolved with
/// the rotated weights). The weights change every step, so each call transforms them again into a buffer kept here;
/// the images are split over the team, each part with its own scratch. Every image sums in an order fixed by the
/// shapes alone, so the bits depend on neither the split nor the number of threads.
final class WinogradBatch {
    enum Direction {
        /// y = x ⊛ w (+ b, ReLU).  x: [N, H, W, Ci] → y: [N, OH, OW, Co]
        case forward
        /// dx = dy ⊛ w′ with w′[kh, kw, co, ci] = w[2 − kh, 2 − kw, ci, co], pad 1.  dy: [N, H, W, Co] → dx: [N, H, W, Ci]
        case backwardData
    }

    let direction: Direction
    /// The image this runs on and what it gives (for backwardData: the output gradient's size and channels in, the input
    /// gradient's out).
    let height: Int, width: Int, inputChannels: Int, outputChannels: Int, pad: Int
    let outputHeight: Int, outputWidth: Int
    /// The weights' transform, refreshed by each call.  u: [16, inputChannels, outputChannels]
    private let transformed: Tensor
    /// One scratch per part of the batch, added when the team grows.
    private var scratches: [Tensor] = []

    /// `convolution` is the layer's (HWIO weights [3, 3, Ci, Co]); for backwardData its padding must be 'same'.
    init(_ convolution: Convolution, _ direction: Direction) {
        let c = convolution
        precondition(c.winogradFits && (direction == .forward || c.winogradFitsBackwardData), "Winograd: \(direction) does not fit")
        self.direction = direction
        (height, width) = direction == .forward ? (c.height, c.width) : (c.outputHeight, c.outputWidth)
        (inputChannels, outputChannels) = direction == .forward
            ? (c.inputChannels, c.outputChannels) : (c.outputChannels, c.inputChannels)
        pad = direction == .forward ? c.padTop : 1
        (outputHeight, outputWidth) = (height + 2 * pad - 2, width + 2 * pad - 2)
        transformed = Tensor(zeros: [16, inputChannels, outputChannels])
    }

    /// x: [N, height, width, inputChannels], weights: the layer's [3, 3, Ci, Co], bias: [outputChannels]
    /// → [N, outputHeight, outputWidth, outputChannels]
    func run(_ x: Tensor, weights w: Tensor, bias b: Tensor?, relu: Bool) -> Tensor {
        let n = x.shape[0]
        precondition(x.shape == [n, height, width, inputChannels], "Winograd: x \(x.shape)")
        switch direction {
        case .forward:
            precondition(w.shape == [3, 3, inputChannels, outputChannels], "Winograd: w \(w.shape)")
            mnistbook_winograd3_weights(w.pointer, inputChannels, outputChannels, transformed.pointer)
        case .backwardData:
            precondition(w.shape == [3, 3, outputChannels, inputChannels], "Winograd: w \(w.shape)")
            mnistbook_winograd3_weights_backward_data(w.pointer, outputChannels, inputChannels, transformed.pointer)
        }
        precondition(b == nil || b!.count == outputChannels, "Winograd: bias \(b!.shape)")
        let y = Tensor(uninitialized: [n, outputHeight, outputWidth, outputChannels])
        let parts = Parallel.parts(n, minimumPerThread: 1)
        let count = WinogradConvolution.scratchCount(inputChannels: inputChannels, outputChannels: outputChannels)
        while scratches.count < parts { scratches.append(Tensor(zeros: [count])) }
        let (xImage, yImage) = (height * width * inputChannels, outputHeight * outputWidth * outputChannels)
        withExtendedLifetime((x, w, b, y)) {
            Parallel.forEachPart(n, parts: parts) { part, images in
                for i in images {
                    mnistbook_winograd3_forward(x.pointer + i * xImage, transformed.pointer, b?.pointer, relu ? 1 : 0, nil, nil,
                                                y.pointer + i * yImage, height, width, pad, inputChannels, outputChannels,
                                                scratches[part].pointer, nil, 0)
                }
            }
        }
        return y
    }
}
