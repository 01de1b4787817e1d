import Tensor

/// What a layer is, independent of its weights: the notebook's `layers:` entries, the model file's architecture,
/// and the source of the summary, the diagram and the ONNX graph.
public enum LayerSpec: Codable, Equatable, Sendable {
    case conv2d(name: String, filters: Int, kernel: Int, stride: Int, padding: Padding, activation: ActivationFunction, useBias: Bool)
    case batchnorm(name: String, momentum: Float, epsilon: Float)
    case maxpool(name: String, pool: Int)
    case flatten(name: String)
    case dense(name: String, units: Int, activation: ActivationFunction, useBias: Bool)
    case dropout(name: String, rate: Float)

    public enum Padding: String, Codable, Sendable { case same, valid }

    public var name: String {
        switch self {
        case .conv2d(let n, _, _, _, _, _, _), .batchnorm(let n, _, _), .maxpool(let n, _),
             .flatten(let n), .dense(let n, _, _, _), .dropout(let n, _):
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
        switch self {
        case let .conv2d(_, filters, kernel, stride, padding, _, _):
            let (h, w, _) = try image("conv2d")
            let (oh, _, _) = Convolution.outputSize(h, kernel, stride, padding == .same)
            let (ow, _, _) = Convolution.outputSize(w, kernel, stride, padding == .same)
            guard oh > 0, ow > 0 else {
                throw ShapeError(layer: name, message: "kernel \(kernel)×\(kernel) does not fit a \(h)×\(w) input with valid padding")
            }
            return [oh, ow, filters]
        case .batchnorm:
            return input
        case let .maxpool(_, pool):
            let (h, w, c) = try image("maxpool")
            guard h >= pool, w >= pool else {
                throw ShapeError(layer: name, message: "pool \(pool)×\(pool) does not fit a \(h)×\(w) input")
            }
            return [(h - pool) / pool + 1, (w - pool) / pool + 1, c]
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
        case .maxpool, .flatten, .dropout:
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
