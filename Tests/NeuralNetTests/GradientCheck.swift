import Tensor
import XCTest
@testable import NeuralNet

/// Central finite differences of a scalar function of one tensor, compared element by element with an analytic gradient.
/// Float32 arithmetic bounds the agreement: with h = 1e-2 the truncation and rounding errors both stay near 1e-3.
func assertGradient(_ analytic: Tensor, of f: (Tensor) -> Double, at x: Tensor, h: Float = 1e-2,
                    tolerance: Double = 2e-2, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(analytic.shape, x.shape, "\(what): gradient shape", file: file, line: line)
    var worst = 0.0, worstIndex = 0
    for i in 0..<x.count {
        var plus = x, minus = x
        plus[flat: i] += h
        minus[flat: i] -= h
        let numeric = (f(plus) - f(minus)) / Double(2 * h)
        let a = Double(analytic[flat: i])
        let error = abs(a - numeric) / max(1, abs(a), abs(numeric))
        if error > worst { worst = error; worstIndex = i }
    }
    XCTAssertLessThan(worst, tolerance, "\(what): worst relative error at element \(worstIndex)", file: file, line: line)
}

/// A random tensor with entries in [-1, 1).
func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.nextUnitFloat() * 2 - 1 })
}

/// L = Σ y ⊙ r for a fixed random r, so d L / d y = r: checks a layer's backward for any upstream gradient.
func projection(_ y: Tensor, _ r: Tensor) -> Double {
    y.multiplied(by: r).sum()
}

/// Checks d L / d input and d L / d every trainable parameter of one layer in training mode.
func checkLayer(_ spec: LayerSpec, input: [Int], batch: Int = 3, seed: UInt64 = 7, tolerance: Double = 2e-2, h: Float = 1e-2,
                x given: Tensor? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
    var rng = SeededGenerator(seed: seed)
    let layer = try spec.makeLayer(inputShape: input, rng: &rng)
    (layer as? Conv2D)?.computesInputGradient = true
    let x = given ?? randomTensor([batch] + input, seed: seed + 1)
    let r = randomTensor([batch] + layer.outputShape, seed: seed + 2)
    // Parameters that start at 0 or 1 (biases, γ, β) are moved off those values so every path is exercised.
    for (i, p) in layer.parameters.enumerated() where p.trainable {
        p.value = randomTensor(p.value.shape, seed: seed + 10 + UInt64(i))
    }
    _ = layer.forward(x, training: true)
    let dx = layer.backward(r)
    assertGradient(dx, of: { projection(layer.forward($0, training: true), r) }, at: x, h: h, tolerance: tolerance,
                   "\(spec.name) input", file: file, line: line)
    for p in layer.parameters where p.trainable {
        _ = layer.forward(x, training: true)
        _ = layer.backward(r)
        let analytic = try XCTUnwrap(p.gradient, "\(spec.name).\(p.name) has no gradient", file: file, line: line)
        let saved = p.value
        assertGradient(analytic, of: { w in
            p.value = w
            defer { p.value = saved }
            return projection(layer.forward(x, training: true), r)
        }, at: saved, h: h, tolerance: tolerance, "\(spec.name).\(p.name)", file: file, line: line)
    }
}

/// Distinct values 0.05 apart in shuffled order: a max never changes place under a finite-difference step.
func separatedTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<n).map { Float($0) * 0.05 - Float(n) * 0.025 }.shuffled(using: &rng))
}

/// Every layer kind on a [7, 7, 2] input with 3 classes (ModelGradientTests, SaliencyTests); `dropout` is its rate.
func everyLayerSpecs(dropout: Float) -> [LayerSpec] {
    [
        .conv2d(name: "conv1", filters: 3, kernel: 3, stride: 1, padding: .valid, activation: .tanh, useBias: true),
        .batchnorm(name: "bn1", momentum: 0.99, epsilon: 0.001),
        .maxpool(name: "pool1", pool: 2),
        .conv2d(name: "conv2", filters: 4, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
        .flatten(name: "flatten"),
        .dense(name: "dense1", units: 6, activation: .sigmoid, useBias: true),
        .dropout(name: "dropout", rate: dropout),
        .dense(name: "output", units: 3, activation: .softmax, useBias: true),
    ]
}

/// Moves every parameter off its initial value (batch norms' 0 / 1 start), drawn from `seed` on; moving variances stay positive.
func randomizeParameters(_ model: Model, seed: UInt64) {
    for (i, p) in model.parameters.enumerated() {
        let r = randomTensor(p.value.shape, seed: seed + UInt64(i))
        p.value = p.name.hasSuffix("moving_variance") ? Tensor(shape: r.shape, scalars: r.scalars.map { 0.5 + abs($0) }) : r
    }
}

/// Batch norm statistics far from their initial values, γ of both signs, so folding has work to do.
func randomiseBatchNorms(_ layers: [Layer], seed: UInt64) {
    var rng = SeededGenerator(seed: seed)
    for case let bn as BatchNorm in layers {
        let c = bn.gamma.value.count
        func draw(_ lo: Float, _ hi: Float) -> Tensor {
            Tensor(shape: [c], scalars: (0..<c).map { _ in lo + (hi - lo) * rng.nextUnitFloat() })
        }
        bn.gamma.value = draw(-1.5, 1.5)
        bn.beta.value = draw(-0.5, 0.5)
        bn.movingMean.value = draw(-0.3, 0.6)
        bn.movingVariance.value = draw(0.2, 2)
    }
}
