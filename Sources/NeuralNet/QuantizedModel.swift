import Tensor

/// A model quantised to int8 (post-training, static): batch norms folded, weights int8 per channel, activations
/// u8/s8 per tensor, run through oneDNN's int8 convolution, inner product and pooling. Its input is the same
/// float image the fp32 model takes; its output the same class probabilities.
public final class QuantizedModel {
    public let name: String
    public let inputShape: [Int]
    /// The architecture it was quantised from (summary, diagram and file derive from it).
    public let specs: [LayerSpec]
    public let inputType: QuantizedType
    public let inputScale: Float
    public let layers: [QuantizedLayer]
    /// How many training images calibrated the activation ranges.
    public let calibrationImages: Int
    private let kernels: [Kernel]

    private enum Kernel {
        case conv(QuantizedConvolution), dense(QuantizedInnerProduct), pool(QuantizedMaxPooling), flatten
    }

    /// The layers must chain (shapes, types and scales); `QuantizedModel.validate` checks that for files.
    public init(name: String, inputShape: [Int], specs: [LayerSpec], inputType: QuantizedType, inputScale: Float,
                layers: [QuantizedLayer], calibrationImages: Int) {
        self.name = name; self.inputShape = inputShape; self.specs = specs
        self.inputType = inputType; self.inputScale = inputScale; self.layers = layers; self.calibrationImages = calibrationImages
        kernels = layers.map { layer -> Kernel in
            switch layer.kind {
            case let .conv2d(k, stride, same):
                return .conv(QuantizedConvolution(height: layer.inputShape[0], width: layer.inputShape[1], inputChannels: layer.inputShape[2],
                                                  outputChannels: layer.outputChannels, kernelSize: k, stride: stride, samePadding: same,
                                                  weights: layer.kernel, inputType: layer.inputType, requantization: layer.requantization))
            case .dense:
                return .dense(QuantizedInnerProduct(inputs: layer.inputShape[0], outputs: layer.outputChannels, weights: layer.kernel,
                                                    inputType: layer.inputType, requantization: layer.requantization))
            case let .maxpool(pool, stride, same):
                return .pool(QuantizedMaxPooling(height: layer.inputShape[0], width: layer.inputShape[1], channels: layer.inputShape[2],
                                                 pool: pool, stride: stride, samePadding: same, type: layer.inputType))
            case .flatten:
                return .flatten
            case .affine, .residual, .globalAvgPool:
                // QuantizedModel.quantize and the file reader refuse these before a model is built.
                preconditionFailure("QuantizedModel: layer '\(layer.name)' cannot run in int8")
            }
        }
    }

    public var classes: Int { layers.last?.outputChannels ?? 0 }
    /// Weights, biases and per-channel terms, as the fp32 model counts parameters.
    public var parameterCount: Int {
        layers.reduce(0) { $0 + $1.kernel.count + $1.bias.count }
    }

    /// The oneDNN implementation of each layer, e.g. "conv1: brg:avx512_core_vnni".
    public var implementations: [String] {
        zip(layers, kernels).map { layer, kernel in
            switch kernel {
            case .conv(let k): return "\(layer.name): \(k.implementation)"
            case .dense(let k): return "\(layer.name): \(k.implementation)"
            case .pool(let k): return "\(layer.name): \(k.implementation)"
            case .flatten: return "\(layer.name): view"
            }
        }
    }

    /// Class probabilities (or logits when the last layer is linear).  x: [N, H, W, C] float → [N, classes]
    public func forward(_ x: Tensor) -> Tensor {
        var h = QuantizedTensor(quantizing: x, type: inputType, scale: inputScale)
        for (i, kernel) in kernels.enumerated() {
            let last = i == kernels.count - 1
            switch kernel {
            case .conv(let k):
                if last { return k.forwardFloat(h) }
                h = k.forward(h)
            case .dense(let k):
                if last {
                    let logits = k.forwardFloat(h)
                    return layers[i].activation == .softmax ? Activations.softmaxRows(logits) : logits
                }
                h = k.forward(h)
            case .pool(let k):
                h = k.forward(h)
            case .flatten:
                h = h.reshaped([h.shape[0]] + layers[i].outputShape)
            }
        }
        return h.dequantized()
    }

    /// Probabilities for many samples, `batchSize` at a time.
    public func predict(_ images: ImageSet, batchSize: Int = 256) -> Tensor {
        var out = [Float]()
        out.reserveCapacity(images.count * classes)
        for start in stride(from: 0, to: images.count, by: batchSize) {
            out += forward(images.batch(start..<min(start + batchSize, images.count)).x).scalars
        }
        return Tensor(shape: [images.count, classes], scalars: out)
    }

    /// Accuracy on labelled images.
    public func accuracy(_ images: ImageSet, batchSize: Int = 256) -> Double {
        guard images.count > 0 else { return 0 }
        let predicted = predict(images, batchSize: batchSize).argmaxRows()
        return Double(zip(predicted, images.labels).filter { $0 == $1 }.count) / Double(images.count)
    }
}
