import Tensor

/// What a layer is, independent of its weights: the notebook's `layers:` entries, the model file's architecture,
/// and the source of the summary, the diagram and the ONNX graph.
public enum LayerSpec: Codable, Equatable, Sendable {
    // The notebook calls it `strides` (Keras); model files keep the key "stride" they were written with.
    case conv2d(name: String, filters: Int, kernel: Int, stride: Int, padding: Padding, activation: ActivationFunction, useBias: Bool)
    case batchnorm(name: String, momentum: Float, epsilon: Float)
    /// `strides` nil: the pool size; `padding` nil: valid (Keras' defaults, and files written before they existed).
    case maxpool(name: String, pool: Int, strides: Int? = nil, padding: Padding? = nil)
    case flatten(name: String)
    case dense(name: String, units: Int, activation: ActivationFunction, useBias: Bool)
    case dropout(name: String, rate: Float)
    /// The ResNet v1 basic block (He et al. 2015), as Keras builds it from Conv2D, BatchNormalization, ReLU and Add.
    case residual(name: String, filters: Int, kernel: Int, strides: Int)
    case globalAvgPool(name: String)

    public enum Padding: String, Codable, Sendable { case same, valid }

    public var name: String {
        switch self {
        case .conv2d(let n, _, _, _, _, _, _), .batchnorm(let n, _, _), .maxpool(let n, _, _, _),
             .flatten(let n), .dense(let n, _, _, _), .dropout(let n, _), .residual(let n, _, _, _), .globalAvgPool(let n):
            return n
        }
    }

    /// The Keras class name shown in summaries.
    public var kerasClass: String {
        switch self {
        case .conv2d: return "Conv2D"
        case .batchnorm: return "BatchNormalization"
        case .maxpool: return "MaxPooling2D"
        case .flatten: return "Flatten"
        case .dense: return "Dense"
        case .dropout: return "Dropout"
        case .residual: return "ResidualBlock"
        case .globalAvgPool: return "GlobalAveragePooling2D"
        }
    }

    /// The output shape for a per-sample input shape, or why the layer does not fit it.
    public func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        func image(_ what: String) throws(ShapeError) -> (Int, Int, Int) {
            guard input.count == 3 else {
                throw ShapeError(layer: name, message: "\(what) needs an image input [height, width, channels], got \(ShapeError.format(input))")
            }
            return (input[0], input[1], input[2])
        }
        func checkStrides(_ s: Int, _ h: Int, _ w: Int) throws(ShapeError) {
            guard s >= 1, s <= min(h, w) else {
                throw ShapeError(layer: name, message: "strides \(s) must be between 1 and the input size \(min(h, w)) (input is \(ShapeError.format(input)))")
            }
        }
        switch self {
        case let .residual(_, filters, kernel, strides):
            let (h, w, _) = try image("residual")
            try checkStrides(strides, h, w)
            let (oh, _, _) = Convolution.outputSize(h, kernel, strides, true)
            let (ow, _, _) = Convolution.outputSize(w, kernel, strides, true)
            return [oh, ow, filters]
        case .globalAvgPool:
            guard input.count == 3 else {
                throw ShapeError(layer: name, message: "global_avg_pool needs an image input [height, width, channels] with spatial axes left, got \(ShapeError.format(input)); put it before flatten and dense")
            }
            return [input[2]]
        case let .conv2d(_, filters, kernel, stride, padding, _, _):
            let (h, w, _) = try image("conv2d")
            try checkStrides(stride, h, w)
            let (oh, _, _) = Convolution.outputSize(h, kernel, stride, padding == .same)
            let (ow, _, _) = Convolution.outputSize(w, kernel, stride, padding == .same)
            guard oh > 0, ow > 0 else {
                throw ShapeError(layer: name, message: "kernel \(kernel)×\(kernel) does not fit a \(h)×\(w) input with valid padding")
            }
            return [oh, ow, filters]
        case .batchnorm:
            return input
        case let .maxpool(_, pool, strides, padding):
            let (h, w, c) = try image("maxpool")
            let same = padding == .same, s = strides ?? pool
            guard same || (h >= pool && w >= pool) else {
                throw ShapeError(layer: name, message: "pool \(pool)×\(pool) does not fit a \(h)×\(w) input")
            }
            try checkStrides(s, h, w)
            return [Convolution.outputSize(h, pool, s, same).0, Convolution.outputSize(w, pool, s, same).0, c]
        case .flatten:
            return [input.reduce(1, *)]
        case let .dense(_, units, _, _):
            guard input.count == 1 else {
                throw ShapeError(layer: name, message: "dense needs a flat input; add a flatten layer before it (input is \(ShapeError.format(input)))")
            }
            return [units]
        case .dropout:
            return input
        }
    }

    /// Number of parameters for an input shape: (trainable, non-trainable).
    public func parameterCounts(for input: [Int]) -> (trainable: Int, nonTrainable: Int) {
        switch self {
        case let .conv2d(_, filters, kernel, _, _, _, useBias):
            return (kernel * kernel * (input.last ?? 0) * filters + (useBias ? filters : 0), 0)
        case .batchnorm:
            return (2 * (input.last ?? 0), 2 * (input.last ?? 0))
        case let .dense(_, units, _, useBias):
            return ((input.last ?? 0) * units + (useBias ? units : 0), 0)
        case let .residual(_, f, k, strides):
            let ci = input.last ?? 0
            let projection = strides != 1 || ci != f
            // conv_a, bn_a, conv_b, bn_b, and the 1×1 projection with its batch norm; no convolution has a bias.
            let trainable = k * k * ci * f + 2 * f + k * k * f * f + 2 * f + (projection ? ci * f + 2 * f : 0)
            return (trainable, 4 * f + (projection ? 2 * f : 0))
        case .maxpool, .flatten, .dropout, .globalAvgPool:
            return (0, 0)
        }
    }

    /// Builds the layer with Keras' default initialisers.
    func makeLayer(inputShape: [Int], rng: inout SeededGenerator) throws(ShapeError) -> Layer {
        let output = try outputShape(for: inputShape)
        switch self {
        case .conv2d: return Conv2D(spec: self, inputShape: inputShape, outputShape: output, rng: &rng)
        case .batchnorm: return BatchNorm(spec: self, inputShape: inputShape)
        case .maxpool: return MaxPool2D(spec: self, inputShape: inputShape, outputShape: output)
        case .flatten: return Flatten(spec: self, inputShape: inputShape, outputShape: output)
        case .dense: return Dense(spec: self, inputShape: inputShape, outputShape: output, rng: &rng)
        case .dropout: return Dropout(spec: self, inputShape: inputShape, seed: rng.next())
        case .residual: return ResidualBlock(spec: self, inputShape: inputShape, outputShape: output, rng: &rng)
        case .globalAvgPool: return GlobalAvgPool(spec: self, inputShape: inputShape, outputShape: output)
        }
    }
}

/// A layer stack whose shapes do not fit, naming the layer.
public struct ShapeError: Error, CustomStringConvertible, Equatable {
    public let layer: String
    public let message: String
    /// A problem of the whole model (its input, its size) names no layer.
    public var description: String { layer.isEmpty ? message : "layer '\(layer)': \(message)" }

    static func format(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "×") }
}

extension LayerSpec {
    /// The reference CNN of the Keras project (459,210 parameters, 458,890 trainable).
    public static let referenceCNN: [LayerSpec] = [
        .conv2d(name: "conv1", filters: 32, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
        .batchnorm(name: "bn1", momentum: 0.99, epsilon: 0.001),
        .maxpool(name: "pool1", pool: 2),
        .conv2d(name: "conv2", filters: 64, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
        .batchnorm(name: "bn2", momentum: 0.99, epsilon: 0.001),
        .maxpool(name: "pool2", pool: 2),
        .conv2d(name: "conv3", filters: 64, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
        .batchnorm(name: "bn3", momentum: 0.99, epsilon: 0.001),
        .flatten(name: "flatten"),
        .dense(name: "dense1", units: 128, activation: .relu, useBias: true),
        .dropout(name: "dropout", rate: 0.5),
        .dense(name: "output", units: 10, activation: .softmax, useBias: true),
    ]
}
