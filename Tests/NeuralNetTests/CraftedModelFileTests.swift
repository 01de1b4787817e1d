import Foundation
import Tensor
import XCTest
@testable import NeuralNet

/// Model files whose CRC is valid but whose header or weights were crafted: each is refused with a
/// message naming the file, never a trap (stride 0 was a SIGFPE, units 1e12 a failed allocation).
final class CraftedModelFileTests: CraftedFileTestCase {
    /// The bytes of a saved copy of `modelFileTestLayers` (every kind of layer).
    private func savedBytes(_ layers: [LayerSpec] = modelFileTestLayers) throws -> [UInt8] {
        let model = try Model(name: "small", inputShape: [28, 28, 1], layers: layers, seed: 3)
        let metadata = ModelMetadata(dataset: "mnist", classNames: (0..<10).map(String.init), inputShape: [28, 28, 1], seed: 3,
                                     created: Date(timeIntervalSince1970: 0))
        return try ModelFile.encode(weights: model.weights(), of: model, metadata: metadata)
    }

    func testSizesOutsideTheLimitsAreRefusedBeforeAnyArithmetic() throws {
        let bytes = try savedBytes()
        try assertRefused(crafted(bytes) { setLayer(&$0, "conv2", "stride", 0) },
                          "has an invalid architecture: layer 'conv2': stride must be in [1, 64], got 0", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setLayer(&$0, "pool1", "pool", 0) },
                          "has an invalid architecture: layer 'pool1': pool must be in [1, 64], got 0", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setLayer(&$0, "conv1", "kernel", Int.max) },
                          "has an invalid architecture: layer 'conv1': kernel must be in [1, 64], got 9223372036854775807", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setLayer(&$0, "conv2", "stride", Int.max) },
                          "has an invalid architecture: layer 'conv2': stride must be in [1, 64], got 9223372036854775807", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setLayer(&$0, "dense1", "units", 1_000_000_000_000) },
                          "has an invalid architecture: layer 'dense1': units must be in [1, 65536], got 1000000000000", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setLayer(&$0, "conv1", "filters", -4) },
                          "has an invalid architecture: layer 'conv1': filters must be in [1, 4096], got -4", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setLayer(&$0, "dropout", "rate", "nan") },
                          "has an invalid architecture: layer 'dropout': rate must be in [0, 1), got nan", .invalidArchitecture)
        try assertRefused(crafted(bytes) { json in
            var model = json["model"] as! [String: Any]
            model["input_shape"] = [1 << 31, 28, 1]
            json["model"] = model
        }, "has an invalid architecture: the input height must be in [1, 4096], got 2147483648", .invalidArchitecture)
        try assertRefused(crafted(bytes) { json in
            var model = json["model"] as! [String: Any]
            model["layers"] = [[String: Any]]()
            json["model"] = model
        }, "has an invalid architecture: the model has no layers; it needs at least a dense output layer", .invalidArchitecture)
    }

    func testResidualGlobalPoolingAndPoolStridesOutsideTheLimitsAreRefused() throws {
        let bytes = try savedBytes([
            .conv2d(name: "stem", filters: 4, kernel: 3, stride: 2, padding: .same, activation: .relu, useBias: true),
            .residual(name: "block", filters: 8, kernel: 3, strides: 2),
            .maxpool(name: "pool", pool: 2, strides: 1, padding: .same),
            .globalAvgPool(name: "gap"),
            .dense(name: "output", units: 10, activation: .softmax, useBias: true),
        ])
        try assertRefused(crafted(bytes) { setLayer(&$0, "block", "strides", 0) },
                          "has an invalid architecture: layer 'block': strides must be in [1, 64], got 0", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setLayer(&$0, "block", "filters", Int.max) },
                          "has an invalid architecture: layer 'block': filters must be in [1, 4096], got 9223372036854775807",
                          .invalidArchitecture)
        try assertRefused(crafted(bytes) { setLayer(&$0, "block", "strides", 20) },
                          "has an invalid architecture: layer 'block': strides 20 must be between 1 and the input size 14 (input is 14×14×4)",
                          .invalidArchitecture)
        try assertRefused(crafted(bytes) { setLayer(&$0, "pool", "strides", -1) },
                          "has an invalid architecture: layer 'pool': strides must be in [1, 64], got -1", .invalidArchitecture)
    }

    func testAModelTooBigForTheMachineIsRefusedWithItsSize() throws {
        // Within every per-layer bound, but 4096 filters at 28×28 then 65,536 units is 210 billion weights.
        let bytes = try savedBytes()
        let huge = try crafted(bytes) { json in
            setLayer(&json, "conv2", "filters", 4096)
            setLayer(&json, "dense1", "units", 65_536)
        }
        try assertRefused(huge, "has an invalid architecture: layer 'dense1': the model has 13,154,123,842 parameters "
                          + "(13,153,402,880 in this layer), which need 294 GiB to train; the limit is 8 GiB", .invalidArchitecture)
    }

    func testMetadataMustFitTheArchitecture() throws {
        let bytes = try savedBytes()
        try assertRefused(crafted(bytes) { json in
            var metadata = json["metadata"] as! [String: Any]
            metadata["class_names"] = (0..<9).map(String.init)
            json["metadata"] = metadata
        }, "has invalid metadata: 9 class names for an output layer 'output' of 10 units", .invalidMetadata)
        try assertRefused(crafted(bytes) { json in
            var metadata = json["metadata"] as! [String: Any]
            metadata["input_shape"] = [32, 32, 1]
            json["metadata"] = metadata
        }, "has invalid metadata: its input shape is 32×32×1, the architecture's is 28×28×1", .invalidMetadata)
    }

    func testNonFiniteWeightsAreRefusedNamingTheParameter() throws {
        let bytes = try savedBytes()
        let jsonLength = bytes[12..<20].reversed().reduce(0) { $0 << 8 | Int($1) }
        // conv1/bias starts after the 3×3×1×4 kernel: its second value becomes NaN, then +inf.
        for (bits, shown) in [(Float.nan.bitPattern, "nan"), (Float.infinity.bitPattern, "inf")] {
            var out = Array(bytes[0..<(bytes.count - 4)])
            let at = 20 + jsonLength + 36 * 4 + 4
            for i in 0..<4 { out[at + i] = UInt8(truncatingIfNeeded: bits >> (8 * i)) }
            LittleEndian.append(CRC32.checksum(out), to: &out)
            try assertRefused(out, "has a non-finite weight: 'conv1/bias' holds \(shown) at index 1", .nonFiniteWeights)
        }
    }

    func testHugeLengthsAndOffsetsAreNotAnOverflow() throws {
        let bytes = try savedBytes()
        let weights = try ModelFile.decode(bytes, path: "x").model.parameterCount * 4
        try assertRefused(crafted(bytes) { $0["weights_bytes"] = Int.max },
                          "has an invalid architecture: the JSON announces \(Int.max) bytes of weights, the file holds \(weights)",
                          .invalidArchitecture)
        let offset = try crafted(bytes) { json in
            var table = json["parameters"] as! [[String: Any]]
            table[0]["offset"] = Int.max - 3
            json["parameters"] = table
        }
        try assertRefused(offset, "does not match its architecture: parameter 'conv1/kernel' (offset \(Int.max - 3), 36 values) "
                          + "does not fit its shape 3×3×1×4 or the \(weights) bytes of weights", .shapeMismatch)
    }

    func testArchitectureCheckIsTheSameForNotebooksAndFiles() throws {
        // The figures the notebook's check relies on.
        let plan = try checkArchitecture(inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, classes: 10, batchSize: 64)
        XCTAssertEqual(plan.parameterCount, 459_210)
        XCTAssertEqual(plan.shapes.last, [10])
        XCTAssertThrowsError(try checkArchitecture(inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, classes: 10,
                                                   batchSize: 65_536)) { error in
            XCTAssertEqual("\(error)", "layer 'conv1': training with batch size 65536 needs about 69.7 GiB "
                           + "(this layer's output is 28×28×32 per image); the limit is 8 GiB: use a smaller batch_size or a smaller layer")
        }
        XCTAssertThrowsError(try checkArchitecture(inputShape: [28, 28, 1], layers: LayerSpec.referenceCNN, classes: 7)) { error in
            XCTAssertEqual("\(error)", "layer 'output': the last layer has 10 units but the dataset has 7 classes")
        }
        // A residual block keeps its inner layers' outputs for the backward pass: they count in its memory.
        let residual = try checkArchitecture(inputShape: [28, 28, 1], layers: [
            .residual(name: "down", filters: 8, kernel: 3, strides: 2), .residual(name: "same", filters: 8, kernel: 3, strides: 1),
            .globalAvgPool(name: "gap"), .dense(name: "output", units: 10, activation: .softmax, useBias: true),
        ], classes: 10, batchSize: 64)
        XCTAssertEqual(residual.innerActivations, [8, 6, 0, 0])
        XCTAssertEqual(residual.shapes, [[14, 14, 8], [14, 14, 8], [8], [10]])
        XCTAssertEqual(describeBytes(3 << 30), "3 GiB")
        XCTAssertEqual(describeBytes(1536), "1.5 KiB")
        XCTAssertEqual(groupDigits(3_136_000_000), "3,136,000,000")
    }
}
