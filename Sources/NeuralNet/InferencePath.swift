import Tensor

extension Model {
    /// The model's inference form (`foldingBatchNorm`: batch norm folded, dropout gone) as the engine's inference
    /// steps. Nil when a layer has no step there (the caller then runs the layers one by one).
    func inferenceSteps() -> [InferenceStep]? {
        Model.inferenceSteps(foldingBatchNorm())
    }

    static func inferenceSteps(_ layers: [FoldedLayer]) -> [InferenceStep]? {
        var steps: [InferenceStep] = []
        for layer in layers {
            switch layer.kind {
            case let .conv2d(_, stride, same):
                // The engine has no per-pixel softmax over channels as a post-op: such a model runs layer by layer.
                guard let kernel = layer.kernel, layer.activation != .softmax else { return nil }
                steps.append(.convolution(weights: kernel, bias: layer.bias, stride: stride, samePadding: same,
                                          activation: layer.activation, scale: layer.postScale, shift: layer.postShift))
            case .dense:
                // The engine applies softmax after the post terms; a batch norm after a softmax is left to the layers.
                guard let kernel = layer.kernel,
                      layer.activation != .softmax || (layer.postScale == nil && layer.postShift == nil) else { return nil }
                steps.append(.dense(weights: kernel, bias: layer.bias, activation: layer.activation,
                                    scale: layer.postScale, shift: layer.postShift))
            case let .maxpool(pool, stride, same):
                steps.append(.maxPool(pool: pool, stride: stride, samePadding: same))
            case .globalAvgPool:
                steps.append(.globalAveragePool)
            case .residual:
                guard let (main, shortcut) = layer.branches, let mainSteps = inferenceSteps(main),
                      let shortcutSteps = inferenceSteps(shortcut) else { return nil }
                steps.append(.residual(main: mainSteps, shortcut: shortcutSteps))
            case .flatten:
                continue    // a view: the next dense reads the image flattened
            case .affine:
                let c = layer.outputChannels
                steps.append(.scaleShift(scale: layer.postScale ?? Tensor(repeating: 1, shape: [c]),
                                         shift: layer.postShift ?? Tensor(zeros: [c])))
            }
        }
        return steps
    }
}
