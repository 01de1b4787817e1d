/// Upper bounds on every size in an architecture. They keep all shape arithmetic far from Int
/// overflow and every tensor far below 2^31 elements (BLAS takes Int32 sizes); the notebook's
/// schema uses the same figures (tested), a model file is held to them too.
public enum ArchitectureLimits {
    /// Input height and width.
    public static let imageSide = 4096
    /// Input channels.
    public static let channels = 64
    /// Size of a flat (vector) input.
    public static let features = 1 << 24
    public static let filters = 4096
    public static let kernel = 64
    public static let stride = 64
    public static let pool = 64
    public static let units = 65_536
    public static let layers = 256
    /// Images per training step.
    public static let batchSize = 65_536
    /// Bytes a model may need to train (or to run, for a model file): a third of this 24 GiB
    /// machine, so a render never pushes it into swap or the OOM killer.
    public static let memoryBudget = 8 << 30
    /// Images per batch when evaluating and predicting (`Model.predict`, `Model.evaluate`).
    public static let inferenceBatch = 256
}

/// What `checkArchitecture` learnt: every layer's per-sample output shape and the sizes derived from them.
public struct ArchitecturePlan: Equatable, Sendable {
    /// Per-sample output shape of each layer, e.g. [[28, 28, 32], …, [10]].
    public let shapes: [[Int]]
    /// Parameter values per layer (trainable and not).
    public let parameterCounts: [Int]
    /// Tensors of its output's size each layer keeps per image in training, beyond the output itself
    /// (a residual block: its inner layers' outputs, 6 or 8 of them).
    public var innerActivations: [Int] = []
    public var parameterCount: Int { parameterCounts.reduce(0) { plus($0, $1) } }

    /// Bytes to train with `batchSize` images per step: each parameter six times (value, gradient,
    /// two Adam moments, the checkpoint and the best weights), each activation three times per image
    /// (output, its gradient, the kernels' scratch), the input batch twice.
    public func trainingBytes(batchSize: Int, inputShape: [Int]) -> Int {
        let perImage = shapes.indices.reduce(times(3, count(inputShape))) {
            plus($0, times(3 * (1 + inner($1)), count(shapes[$1])))
        }
        return plus(times(24, parameterCount), times(times(4, batchSize), perImage))
    }

    /// Bytes to predict `ArchitectureLimits.inferenceBatch` images: the weights, and each activation once.
    public func inferenceBytes(inputShape: [Int]) -> Int {
        let perImage = shapes.reduce(count(inputShape)) { plus($0, count($1)) }
        return plus(times(4, parameterCount), times(4 * ArchitectureLimits.inferenceBatch, perImage))
    }

    /// The layer whose activations and parameters weigh most in training: the one to name when the total is too big.
    public func heaviestLayer(batchSize: Int) -> Int {
        let weights = shapes.indices.map {
            plus(times(24, parameterCounts[$0]), times(times(12 * (1 + inner($0)), batchSize), count(shapes[$0])))
        }
        return weights.indices.max { weights[$0] < weights[$1] } ?? 0
    }

    private func count(_ shape: [Int]) -> Int { shape.reduce(1) { times($0, $1) } }
    private func inner(_ layer: Int) -> Int { layer < innerActivations.count ? innerActivations[layer] : 0 }
}

/// Sizes that saturate at Int.max instead of trapping: an estimate beyond the budget only needs to stay beyond it.
private func plus(_ a: Int, _ b: Int) -> Int { a > Int.max - b ? Int.max : a + b }
private func times(_ a: Int, _ b: Int) -> Int {
    let (product, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? Int.max : product
}

/// The one check of an architecture, for a notebook's `build` step and for a model file alike:
/// the input shape and every layer's sizes within `ArchitectureLimits` (checked before any
/// arithmetic, so nothing overflows), the shapes fit, the last layer is dense softmax or linear with
/// `classes` units when known, and training with `batchSize` (or, without one, predicting) fits the
/// memory budget. Throws the first problem, naming the layer.
public func checkArchitecture(inputShape: [Int], layers: [LayerSpec], classes: Int? = nil,
                              batchSize: Int? = nil) throws(ShapeError) -> ArchitecturePlan {
    let limits = ArchitectureLimits.self
    let axes: [(String, Int)]
    switch inputShape.count {
    case 3: axes = [("height", limits.imageSide), ("width", limits.imageSide), ("channels", limits.channels)]
    case 1: axes = [("size", limits.features)]
    default:
        throw ShapeError(layer: "", message: "the input must be an image [height, width, channels] or a vector [size], got \(describeShape(inputShape))")
    }
    for ((axis, limit), value) in zip(axes, inputShape) where !(1...limit).contains(value) {
        throw ShapeError(layer: "", message: "the input \(axis) must be in [1, \(limit)], got \(value)")
    }
    guard !layers.isEmpty else {
        throw ShapeError(layer: "", message: "the model has no layers; it needs at least a dense output layer")
    }
    guard layers.count <= limits.layers else {
        throw ShapeError(layer: layers[limits.layers].name, message: "a model may have at most \(limits.layers) layers, this one has \(layers.count)")
    }
    var shape = inputShape
    var shapes: [[Int]] = []
    var counts: [Int] = []
    var inner: [Int] = []
    for spec in layers {
        if let problem = spec.sizeProblem {
            throw ShapeError(layer: spec.name, message: problem)
        }
        let input = shape
        shape = try spec.outputShape(for: input)
        let counted = spec.parameterCounts(for: input)
        shapes.append(shape)
        counts.append(counted.trainable + counted.nonTrainable)
        if case let .residual(_, filters, _, strides) = spec {
            // conv_a, bn_a, relu_a, conv_b, bn_b and the sum; the projection's conv and batch norm when there is one.
            inner.append(ResidualBlock.hasProjection(inputShape: input, filters: filters, strides: strides) ? 8 : 6)
        } else {
            inner.append(0)
        }
    }
    guard let last = layers.last, case let .dense(name, units, activation, _) = last,
          activation == .softmax || activation == .linear else {
        throw ShapeError(layer: layers.last?.name ?? "",
                         message: "the last layer must be dense with softmax activation (the loss is categorical cross-entropy)")
    }
    if let classes, units != classes {
        throw ShapeError(layer: name, message: "the last layer has \(units) units but the dataset has \(classes) classes")
    }
    var plan = ArchitecturePlan(shapes: shapes, parameterCounts: counts)
    plan.innerActivations = inner
    let budget = limits.memoryBudget
    // Parameters alone: the figure does not depend on the batch size, so name the biggest layer.
    let parameterBytes = times(24, plan.parameterCount)
    if parameterBytes > budget {
        let biggest = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        throw ShapeError(layer: layers[biggest].name, message: "the model has \(groupDigits(plan.parameterCount)) parameters "
                         + "(\(groupDigits(counts[biggest])) in this layer), which need \(describeBytes(parameterBytes)) to train; "
                         + "the limit is \(describeBytes(budget))")
    }
    if let batchSize {
        guard (1...limits.batchSize).contains(batchSize) else {
            throw ShapeError(layer: "", message: "the batch size must be in [1, \(limits.batchSize)], got \(batchSize)")
        }
        let bytes = plan.trainingBytes(batchSize: batchSize, inputShape: inputShape)
        if bytes > budget {
            throw ShapeError(layer: layers[plan.heaviestLayer(batchSize: batchSize)].name,
                             message: "training with batch size \(batchSize) needs about \(describeBytes(bytes)) "
                             + "(this layer's output is \(describeShape(plan.shapes[plan.heaviestLayer(batchSize: batchSize)])) per image); "
                             + "the limit is \(describeBytes(budget)): use a smaller batch_size or a smaller layer")
        }
    } else {
        let bytes = plan.inferenceBytes(inputShape: inputShape)
        if bytes > budget {
            throw ShapeError(layer: layers[plan.heaviestLayer(batchSize: 1)].name,
                             message: "the model needs about \(describeBytes(bytes)) to predict; the limit is \(describeBytes(budget))")
        }
    }
    return plan
}

extension LayerSpec {
    /// A size or rate outside what the engine runs, checked before any shape arithmetic.
    var sizeProblem: String? {
        let limits = ArchitectureLimits.self
        func outside(_ what: String, _ value: Int, _ limit: Int) -> String? {
            (1...limit).contains(value) ? nil : "\(what) must be in [1, \(limit)], got \(value)"
        }
        switch self {
        case let .conv2d(_, filters, kernel, stride, _, _, _):
            return outside("filters", filters, limits.filters) ?? outside("kernel", kernel, limits.kernel)
                ?? outside("stride", stride, limits.stride)
        case let .batchnorm(_, momentum, epsilon):
            if !(momentum > 0 && momentum < 1) { return "momentum must be in (0, 1), got \(momentum)" }
            if !(epsilon > 0 && epsilon.isFinite) { return "epsilon must be a positive number, got \(epsilon)" }
            return nil
        case let .maxpool(_, pool, strides, _):
            return outside("pool", pool, limits.pool) ?? strides.flatMap { outside("strides", $0, limits.stride) }
        case let .residual(_, filters, kernel, strides):
            return outside("filters", filters, limits.filters) ?? outside("kernel", kernel, limits.kernel)
                ?? outside("strides", strides, limits.stride)
        case .globalAvgPool:
            return nil
        case .flatten:
            return nil
        case let .dense(_, units, _, _):
            return outside("units", units, limits.units)
        case let .dropout(_, rate):
            return rate >= 0 && rate < 1 ? nil : "rate must be in [0, 1), got \(rate)"
        }
    }
}

/// 1.5 GiB, 320 MiB, 12 KiB.
func describeBytes(_ bytes: Int) -> String {
    if bytes == Int.max { return "more than 8 EiB" }
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = Double(bytes), unit = 0
    while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    if unit == 0 { return "\(bytes) bytes" }
    let rounded = (value * 10).rounded() / 10
    return rounded == rounded.rounded() ? "\(Int(rounded)) \(units[unit])" : "\(rounded) \(units[unit])"
}

/// 3136000000 → "3,136,000,000".
func groupDigits(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}

func describeShape(_ shape: [Int]) -> String { shape.isEmpty ? "[]" : shape.map(String.init).joined(separator: "×") }
