import Datasets
import Tensor
import XCTest
@testable import NeuralNet

/// Training with `precision: mixed_bfloat16`: bf16 convolutions where the CPU has them, float32 where it does not.
final class MixedPrecisionTests: XCTestCase {
    private func train(_ precision: Precision, images: Int, epochs: Int,
                       observe: @escaping (Model) -> Void = { _ in }) throws -> (Model, History) {
        let mnist = try DatasetCatalog.load("mnist")
        let (train, val) = mnist.train.imageSet().slice(0..<images).splitValidation(0.2)
        let model = try Model(name: "small", inputShape: [28, 28, 1], layers: [
            .conv2d(name: "conv1", filters: 8, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .batchnorm(name: "bn1", momentum: 0.99, epsilon: 0.001),
            .maxpool(name: "pool1", pool: 2),
            .conv2d(name: "conv2", filters: 16, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .maxpool(name: "pool2", pool: 2),
            .flatten(name: "flatten"),
            .dense(name: "dense1", units: 32, activation: .relu, useBias: true),
            .dense(name: "output", units: 10, activation: .softmax, useBias: true),
        ], seed: 5)
        var c = TrainingConfiguration()
        c.epochs = epochs; c.precision = precision
        c.removeCallbacks()
        var observer = TrainingObserver()
        observer.batchEnded = { _, _, _, _ in observe(model) }
        return (model, try fit(model, training: train, validation: val, configuration: c, observer: observer))
    }

    func testWithoutBFloat16TheStepSaysSoAndTrainsFloat32() throws {
        BFloat16.forcedOff = true
        defer { BFloat16.forcedOff = false }
        var sawBFloat16 = false
        let (mixed, history) = try train(.mixedBFloat16, images: 640, epochs: 1) { model in
            sawBFloat16 = sawBFloat16 || model.layers.contains { ($0 as? Conv2D)?.convolution.bfloat16 == true }
        }
        XCTAssertEqual(history.precision, .float32)
        XCTAssertEqual(history.precisionNote,
                       "mixed_bfloat16: this CPU has no bf16 instructions (avx512_bf16 or AMX), training in float32")
        XCTAssertFalse(sawBFloat16)
        let (plain, plainHistory) = try train(.float32, images: 640, epochs: 1)
        XCTAssertNil(plainHistory.precisionNote)
        XCTAssertEqual(mixed.weights().map(\.scalars), plain.weights().map(\.scalars), "the fallback is exactly float32 training")
    }

    func testMixedBFloat16ReachesFloat32AccuracyOnMNIST() throws {
        try XCTSkipUnless(BFloat16.isSupported, "this CPU has no bf16 instructions; the fallback test covers it")
        let test = try DatasetCatalog.load("mnist").test.imageSet().slice(0..<2_000)
        var sawBFloat16 = false
        let (mixed, history) = try train(.mixedBFloat16, images: 6_000, epochs: 1) { model in
            sawBFloat16 = sawBFloat16 || model.layers.contains { ($0 as? Conv2D)?.convolution.bfloat16 == true }
        }
        XCTAssertEqual(history.precision, .mixedBFloat16)
        XCTAssertNil(history.precisionNote)
        XCTAssertTrue(sawBFloat16, "the convolutions ran in bf16")
        XCTAssertFalse(mixed.layers.contains { ($0 as? Conv2D)?.convolution.bfloat16 == true }, "back to fp32 after fit")
        let (plain, _) = try train(.float32, images: 6_000, epochs: 1)
        let bf16Accuracy = mixed.evaluate(test).accuracy, fp32Accuracy = plain.evaluate(test).accuracy
        XCTAssertGreaterThanOrEqual(fp32Accuracy, 0.7)   // 0.8075 on Sapphire Rapids: one epoch of a small net on 4,800 images
        XCTAssertEqual(bf16Accuracy, fp32Accuracy, accuracy: 0.015, "bf16 \(bf16Accuracy), fp32 \(fp32Accuracy)")
        XCTAssertNotEqual(mixed.weights().map(\.scalars), plain.weights().map(\.scalars), "bf16 products round differently")
    }
}
