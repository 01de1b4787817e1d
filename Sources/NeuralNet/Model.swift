import Tensor

/// A sequential model: one list of layers from which the forward pass, the summary, the parameter count,
/// the diagram and the exported graphs are all derived.
public final class Model {
    public let name: String
    /// Per-sample input shape, e.g. [28, 28, 1].
    public let inputShape: [Int]
    public let layers: [Layer]
    /// How computeGradients runs `layers`: each batch norm and the 2×2 max pool after it as one step (TrainingStep).
    let trainingSteps: [TrainingStep]
    private var inference: (versions: [Int], network: InferenceNetwork?)?
    /// Every parameter's value as initialised from the seed, before any training (kernels before and after).
    public let initialWeights: [Tensor]

    /// Builds the layers with Keras' default initialisers drawn from `seed`.
    /// The last layer must be dense with softmax (or linear, read as logits): the loss is softmax cross-entropy.
    public init(name: String, inputShape: [Int], layers specs: [LayerSpec], seed: UInt64) throws(ShapeError) {
        self.name = name
        self.inputShape = inputShape
        // Every size bounded and the model known to fit in memory before anything is allocated.
        _ = try checkArchitecture(inputShape: inputShape, layers: specs)
        var rng = SeededGenerator.derived(seed: seed, stream: 1)
        var shape = inputShape
        var built: [Layer] = []
        for spec in specs {
            let layer = try spec.makeLayer(inputShape: shape, rng: &rng)
            built.append(layer)
            shape = layer.outputShape
        }
        guard let head = built.last as? Dense, head.activation == .softmax || head.activation == .linear else {
            throw ShapeError(layer: specs.last?.name ?? name,
                             message: "the last layer must be dense with softmax activation (the loss is categorical cross-entropy)")
        }
        // The first layer's input gradient is never used; skipping it saves a whole backward-data convolution.
        (built.first as? Conv2D)?.computesInputGradient = false
        // A batch norm after a ReLU convolution differentiates the ReLU in its own backward sweep (one pass fewer).
        for (before, after) in zip(built, built.dropFirst()) {
            if let conv = before as? Conv2D, conv.activation == .relu, let bn = after as? BatchNorm {
                conv.reluDifferentiatedAfter = true
                bn.differentiatesReLUBefore = true
            }
        }
        layers = built
        trainingSteps = TrainingStep.steps(built)
        initialWeights = built.flatMap(\.parameters).map(\.value)
    }

    /// A parameter's initial value by layer and parameter name, e.g. ("conv1", "kernel").
    public func initialValue(layer: String, parameter: String) -> Tensor? {
        var i = 0
        for l in layers {
            for p in l.parameters {
                if l.name == layer && p.name == parameter { return initialWeights[i] }
                i += 1
            }
        }
        return nil
    }

    /// A parameter's current value by layer and parameter name.
    public func value(layer: String, parameter: String) -> Tensor? {
        layers.first { $0.name == layer }?.parameters.first { $0.name == parameter }?.value
    }

    public var specs: [LayerSpec] { layers.map(\.spec) }
    public var outputShape: [Int] { layers.last!.outputShape }
    public var classes: Int { outputShape[0] }
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    /// `parameters`, listed once: the layers and their parameter objects never change, only the values.
    private lazy var parameterList: [Parameter] = parameters
    public var trainableParameters: [Parameter] { parameters.filter(\.trainable) }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
    public var trainableParameterCount: Int { trainableParameters.reduce(0) { $0 + $1.value.count } }

    // MARK: forward

    /// Class probabilities.  x: [N, H, W, C] → [N, classes]
    /// Inference runs the folded network (built once per model version) when every layer has a step in it.
    public func forward(_ x: Tensor, training: Bool = false) -> Tensor {
        if !training, let network = inferenceNetwork() { return network.forward(x) }
        return forwardLayerByLayer(x, training: training)
    }

    /// The layers' own forward passes, batch norm and dropout as layers.
    func forwardLayerByLayer(_ x: Tensor, training: Bool) -> Tensor {
        layers.reduce(x) { $1.forward($0, training: training) }
    }

    /// The inference network for the current weights, rebuilt only when a parameter was written since.
    func inferenceNetwork() -> InferenceNetwork? {
        // Compared in place: a single image's forward pass should not allocate the list of every parameter's version.
        let params = parameterList
        if let cached = inference, cached.versions.count == params.count,
           zip(cached.versions, params).allSatisfy({ $0 == $1.version }) { return cached.network }
        let network = inferenceSteps().map { InferenceNetwork(inputShape: inputShape, steps: $0) }
        inference = (params.map(\.version), network)
        return network
    }

    /// Probabilities for many samples. The inference network runs them all at once from their bytes (each image gives
    /// the same bits as in any batch); the layers, when it cannot, `batchSize` at a time.
    public func predict(_ images: ImageSet, batchSize: Int = 256) -> Tensor {
        if let network = inferenceNetwork(), images.imageShape == inputShape {
            return network.forward(pixels: images.pixels, first: images.range.lowerBound, count: images.count,
                                   scale: images.scale, shift: images.shift)
        }
        var out = [Float]()
        out.reserveCapacity(images.count * classes)
        for start in stride(from: 0, to: images.count, by: batchSize) {
            let batch = images.batch(start..<min(start + batchSize, images.count))
            out += forward(batch.x).scalars
        }
        return Tensor(shape: [images.count, classes], scalars: out)
    }

    /// Mean loss and accuracy in inference mode: the probabilities from `predict`, the loss summed batch by batch.
    public func evaluate(_ images: ImageSet, batchSize: Int = 256) -> (loss: Double, accuracy: Double) {
        let p = predict(images, batchSize: batchSize).scalars, k = classes
        var loss = 0.0, correct = 0
        for start in stride(from: 0, to: images.count, by: batchSize) {
            let end = min(start + batchSize, images.count), labels = Array(images.labels[start..<end])
            let batch = Tensor(shape: [end - start, k], scalars: Array(p[start * k..<end * k]))
            loss += SoftmaxCrossEntropy.loss(probabilities: batch, labels: labels) * Double(labels.count)
            correct += zip(batch.argmaxRows(), labels).filter { $0 == $1 }.count
        }
        return (loss / Double(images.count), Double(correct) / Double(images.count))
    }

    // MARK: backward

    /// One forward and backward pass in training mode; fills every parameter's gradient.
    /// Returns the batch's mean loss and the number of correct predictions.
    public func computeGradients(_ x: Tensor, labels: [Int]) -> (loss: Double, correct: Int) {
        var h = x
        // The head is a dense layer, a step of its own.
        for step in trainingSteps.dropLast() { h = step.forward(h) }
        let head = layers.last as! Dense
        // Loss from logits (log-sum-exp): stable where softmax then log would underflow.
        let (loss, p, dz) = SoftmaxCrossEntropy.evaluate(logits: head.logits(h, training: true), labels: labels)
        var g = head.backward(logitsGradient: dz)
        for step in trainingSteps.dropLast().reversed() { g = step.backward(g) }
        let correct = zip(p.argmaxRows(), labels).filter { $0 == $1 }.count
        return (loss, correct)
    }

    // MARK: weights

    /// Every parameter's value, in layer order (Keras' get_weights).
    public func weights() -> [Tensor] { parameters.map(\.value) }

    public func setWeights(_ weights: [Tensor]) {
        let params = parameters
        precondition(weights.count == params.count && zip(weights, params).allSatisfy { $0.shape == $1.value.shape },
                     "setWeights: shapes do not match the model")
        for (p, w) in zip(params, weights) { p.value = w }
    }
}
