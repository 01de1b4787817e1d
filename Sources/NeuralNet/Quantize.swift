import Tensor

/// Why a model cannot be quantised to int8.
public struct QuantizationError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { "cannot quantise to int8: \(message)" }
}

extension QuantizedModel {
    /// Why a folded layer has no int8 kernel (residual blocks and global average pooling run in float32 only), or nil.
    static func unsupported(_ layer: FoldedLayer) -> String? {
        switch layer.kind {
        case .residual: return refusal(layer.name, "a residual block")
        case .globalAvgPool: return refusal(layer.name, "global average pooling")
        case .conv2d, .dense, .maxpool, .flatten, .affine: return nil
        }
    }

    /// The same refusal found from the notebook's layer list alone, so `check` reports it before anything trains.
    public static func unsupportedLayer(in layers: [LayerSpec]) -> String? {
        for layer in layers {
            switch layer {
            case .residual(let name, _, _, _): return refusal(name, "a residual block")
            case .globalAvgPool(let name): return refusal(name, "global average pooling")
            default: continue
            }
        }
        return nil
    }

    private static func refusal(_ name: String, _ kind: String) -> String {
        "layer '\(name)' is \(kind); int8 models run conv2d, dense, maxpool and flatten only"
    }

    /// Post-training static quantisation: folds the batch norms, quantises the weights per output channel,
    /// and sets each activation's type and scale from its range over `calibration` (the training images).
    public static func quantize(_ model: Model, calibration: ImageSet) throws(QuantizationError) -> QuantizedModel {
        guard calibration.count > 0 else { throw QuantizationError(message: "no calibration images") }
        let folded = model.foldingBatchNorm()
        for (i, layer) in folded.enumerated() {
            if layer.kind == .affine {
                throw QuantizationError(message: "batch norm '\(layer.name)' has no conv2d or dense right before it to fold into")
            }
            if let unsupported = unsupported(layer) { throw QuantizationError(message: unsupported) }
            if layer.activation == .softmax && i < folded.count - 1 {
                throw QuantizationError(message: "layer '\(layer.name)' has a softmax activation before the last layer")
            }
        }

        // Ranges: [0] the input, [i + 1] layer i's output.
        var low = [Float](repeating: .infinity, count: folded.count + 1), high = [Float](repeating: -.infinity, count: folded.count + 1)
        func observe(_ i: Int, _ t: Tensor) {
            t.withUnsafeBufferPointer { b in
                for v in b { low[i] = min(low[i], v); high[i] = max(high[i], v) }
            }
        }
        let runner = FoldedModel(layers: folded, inputShape: model.inputShape)
        for start in stride(from: 0, to: calibration.count, by: 256) {
            let x = calibration.batch(start..<min(start + 256, calibration.count)).x
            observe(0, x)
            _ = runner.forward(x) { i, h in if i < folded.count - 1 { observe(i + 1, h) } }
        }
        for (i, (lo, hi)) in zip(low, high).enumerated().dropLast() where !lo.isFinite || !hi.isFinite {
            let what = i == 0 ? "the input" : "layer '\(folded[i - 1].name)'"
            throw QuantizationError(message: "\(what) gave a non-finite value on the calibration images")
        }

        let (inputType, inputScale) = activationQuantization(low[0], high[0])
        var type = inputType, scale = inputScale
        var layers: [QuantizedLayer] = []
        for (i, f) in folded.enumerated() {
            var q = QuantizedLayer(name: f.name, kind: f.kind, inputShape: f.inputShape, outputShape: f.outputShape,
                                   inputType: type, inputScale: scale, outputType: type, outputScale: scale)
            q.foldedBatchNorms = f.foldedBatchNorms
            if case .conv2d = f.kind, let kernel = f.kernel, let bias = f.bias {
                (q.kernel, q.weightScales) = quantizePerChannel(kernel)
                q.bias = bias.scalars
            } else if f.kind == .dense, let kernel = f.kernel, let bias = f.bias {
                (q.kernel, q.weightScales) = quantizePerChannel(kernel)
                q.bias = bias.scalars
            }
            if q.hasWeights {
                q.activation = f.activation
                q.postScale = f.postScale?.scalars
                q.postShift = f.postShift?.scalars
                if i == folded.count - 1 {
                    q.outputType = nil; q.outputScale = 1
                } else {
                    (type, scale) = activationQuantization(low[i + 1], high[i + 1])
                    q.outputType = type; q.outputScale = scale
                }
            }
            layers.append(q)
        }
        return QuantizedModel(name: model.name, inputShape: model.inputShape, specs: model.specs, inputType: inputType,
                              inputScale: inputScale, layers: layers, calibrationImages: calibration.count)
    }

    /// u8 with scale max / 255 for a range that is never negative, s8 with max |x| / 127 otherwise; scale 1 for all zeros.
    static func activationQuantization(_ low: Float, _ high: Float) -> (QuantizedType, Float) {
        if low >= 0 { return (.u8, high > 0 ? high / 255 : 1) }
        let m = max(-low, high)
        return (.s8, m > 0 ? m / 127 : 1)
    }
}
