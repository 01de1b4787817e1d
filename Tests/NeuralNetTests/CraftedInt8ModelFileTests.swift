import Foundation
import Tensor
import XCTest
@testable import NeuralNet

/// Int8 model files (format 2) whose CRC is valid but whose header or tensors were crafted: the architecture check
/// is the float32 file's and the notebook's, and every quantisation field is checked before a oneDNN kernel is built.
/// Each is refused with a message naming the file, never a trap.
final class CraftedInt8ModelFileTests: CraftedFileTestCase {
    /// `modelFileTestLayers` (every kind of layer) quantised with 8 striped calibration images, as an int8 file's bytes.
    private func savedBytes() throws -> [UInt8] {
        let model = try Model(name: "small", inputShape: [28, 28, 1], layers: modelFileTestLayers, seed: 3)
        var pixels = [UInt8](repeating: 0, count: 784 * 8)
        for i in pixels.indices where i % 5 == 0 || i % 11 == 0 { pixels[i] = UInt8(i % 256) }
        let calibration = ImageSet(pixels: pixels, labels: Array(0..<8), imageShape: [28, 28, 1])
        let quantized = try QuantizedModel.quantize(model, calibration: calibration)
        let metadata = ModelMetadata(dataset: "mnist", classNames: (0..<10).map(String.init), inputShape: [28, 28, 1], seed: 3,
                                     created: Date(timeIntervalSince1970: 0))
        return try ModelFile.encode(quantized, metadata: metadata)
    }

    /// Sets `key` of the quantisation section's layer named `layer`, or of the section itself when `layer` is nil.
    private func setQuantization(_ json: inout [String: Any], _ layer: String?, _ key: String, _ value: Any?) {
        var q = json["quantization"] as! [String: Any]
        if let layer {
            var layers = q["layers"] as! [[String: Any]]
            for i in layers.indices where layers[i]["name"] as? String == layer { layers[i][key] = value }
            q["layers"] = layers
        } else {
            q[key] = value
        }
        json["quantization"] = q
    }

    /// The data section's offset of tensor `name`.
    private func offset(of name: String, in bytes: [UInt8]) throws -> Int {
        let (json, jsonLength) = try header(bytes)
        let table = try XCTUnwrap(json["parameters"] as? [[String: Any]])
        let entry = try XCTUnwrap(table.first { $0["name"] as? String == name })
        return 20 + jsonLength + (try XCTUnwrap(entry["offset"] as? Int))
    }

    func testTheUncraftedFileReads() throws {
        let url = directory.appendingPathComponent("ok.int8.mnistbook")
        try Data(try savedBytes()).write(to: url)
        let (model, metadata) = try ModelFile.readAny(from: url)
        XCTAssertEqual(model.precision, "int8")
        XCTAssertEqual(metadata.formatVersion, 2)
    }

    func testTheArchitectureIsCheckedLikeAFloat32File() throws {
        let bytes = try savedBytes()
        try assertRefused(crafted(bytes) { setLayer(&$0, "conv2", "stride", 0) },
                          "has an invalid architecture: layer 'conv2': stride must be in [1, 64], got 0", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setLayer(&$0, "dense1", "units", 1_000_000_000_000) },
                          "has an invalid architecture: layer 'dense1': units must be in [1, 65536], got 1000000000000", .invalidArchitecture)
        try assertRefused(crafted(bytes) { json in
            setLayer(&json, "conv2", "filters", 4096)
            setLayer(&json, "dense1", "units", 65_536)
        }, "has an invalid architecture: layer 'dense1': the model has 13,154,123,842 parameters "
           + "(13,153,402,880 in this layer), which need 294 GiB to train; the limit is 8 GiB", .invalidArchitecture)
        try assertRefused(crafted(bytes) { json in
            var metadata = json["metadata"] as! [String: Any]
            metadata["class_names"] = (0..<9).map(String.init)
            json["metadata"] = metadata
        }, "has invalid metadata: 9 class names for an output layer 'output' of 10 units", .invalidMetadata)
    }

    func testAnArchitectureFarLargerThanTheFileIsRefusedBeforeItIsBuilt() throws {
        // Within every limit, but 65,536 units after a 7×7×6 flatten and the output's 655,370 need about 20 million weights; the file holds 5,300 bytes.
        let bytes = try savedBytes()
        let weights = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(bytes[20..<(20 + bytes[12..<20].reversed()
            .reduce(0) { $0 << 8 | Int($1) })])) as? [String: Any])?["weights_bytes"] as? Int)
        try assertRefused(crafted(bytes) { setLayer(&$0, "dense1", "units", 65_536) },
                          "does not match its architecture: it needs about 19,988,642 int8 weights, the file holds \(groupDigits(weights)) bytes",
                          .shapeMismatch)
    }

    func testQuantisationFieldsAreCheckedBeforeAnyKernelIsBuilt() throws {
        let bytes = try savedBytes()
        try assertRefused(crafted(bytes) { setQuantization(&$0, nil, "mode", "int4") },
                          "has an invalid int8 model: quantization mode 'int4', expected 'int8'", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setQuantization(&$0, nil, "input_scale", 0) },
                          "has an invalid int8 model: input scale 0.0 is not a positive number", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setQuantization(&$0, nil, "calibration_images", -1) },
                          "has an invalid int8 model: calibration_images is negative", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setQuantization(&$0, nil, "layers", nil) },
                          "has an invalid int8 model: missing 'layers' at quantization", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setQuantization(&$0, "conv1", "output_scale", 0) },
                          "has an invalid int8 model: layer 'conv1' needs an int8 output type and a positive output scale",
                          .invalidArchitecture)
        // The scale pool1 passes on comes from calibration: read it from the file rather than assume the CPU's rounding.
        let jsonLength = bytes[12..<20].reversed().reduce(0) { $0 << 8 | Int($1) }
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[20..<(20 + jsonLength)])) as? [String: Any])
        let quantization = try XCTUnwrap(header["quantization"] as? [String: Any])
        let pool1 = try XCTUnwrap((quantization["layers"] as? [[String: Any]])?.first { $0["name"] as? String == "pool1" })
        let type = try XCTUnwrap(pool1["output_type"] as? String), scale = Float(try XCTUnwrap(pool1["output_scale"] as? Double))
        try assertRefused(crafted(bytes) { setQuantization(&$0, "conv2", "input_scale", 1) },
                          "has an invalid int8 model: layer 'conv2' takes \(type) × 1.0, the layer before gives \(type) × \(scale)",
                          .invalidArchitecture)
        try assertRefused(crafted(bytes) { setQuantization(&$0, "output", "output_type", "s8") },
                          "has an invalid int8 model: the last layer 'output' must output float32", .invalidArchitecture)
        try assertRefused(crafted(bytes) { setQuantization(&$0, "dense1", "activation", "softmax") },
                          "has an invalid int8 model: layer 'dense1' does not match the architecture's activation or batch norms",
                          .invalidArchitecture)
        try assertRefused(crafted(bytes) { setQuantization(&$0, "conv1", "folded_batch_norms", [String]()) },
                          "has an invalid int8 model: layer 'conv1' does not match the architecture's activation or batch norms",
                          .invalidArchitecture)
    }

    func testTensorTableAndValuesAreChecked() throws {
        let bytes = try savedBytes()
        try assertRefused(crafted(bytes) { $0["weights_bytes"] = Int.max },
                          "has an invalid architecture: the JSON announces \(Int.max) bytes of weights, the file holds \(bytes.count - 4 - 20 - bytes[12..<20].reversed().reduce(0) { $0 << 8 | Int($1) })",
                          .invalidArchitecture)
        try assertRefused(crafted(bytes) { json in
            var table = json["parameters"] as! [[String: Any]]
            table[0]["offset"] = Int.max - 3
            json["parameters"] = table
        }, "does not match its architecture: tensor 'conv1/kernel' (offset \(Int.max - 3), 36 values) does not fit its shape 3×3×1×4 "
           + "or the \(bytes.count - 4 - 20 - bytes[12..<20].reversed().reduce(0) { $0 << 8 | Int($1) }) bytes of data", .shapeMismatch)
        try assertRefused(crafted(bytes) { json in
            var table = json["parameters"] as! [[String: Any]]
            table[0]["dtype"] = "float32"
            json["parameters"] = table
        }, "does not match its architecture: tensor 'conv1/kernel' is float32, expected int8", .shapeMismatch)
        try assertRefused(crafted(bytes) { json in
            var table = json["parameters"] as! [[String: Any]]
            table[0]["shape"] = [3, 3, 1, 5]
            json["parameters"] = table
        }, "does not match its architecture: tensor 'conv1/kernel' has shape 3×3×1×5, the architecture needs 3×3×1×4", .shapeMismatch)
        try assertRefused(crafted(bytes) { json in
            var table = json["parameters"] as! [[String: Any]]
            table.append(table[0].merging(["name": "extra/kernel"]) { $1 })
            json["parameters"] = table
        }, "does not match its architecture: tensor 'extra/kernel' belongs to no layer", .shapeMismatch)

        // Values behind a valid table: a NaN bias, a zero weight scale.
        func patched(_ name: String, index: Int, _ bits: UInt32) throws -> [UInt8] {
            var out = Array(bytes[0..<(bytes.count - 4)])
            let at = try offset(of: name, in: bytes) + 4 * index
            for i in 0..<4 { out[at + i] = UInt8(truncatingIfNeeded: bits >> (8 * i)) }
            LittleEndian.append(CRC32.checksum(out), to: &out)
            return out
        }
        try assertRefused(patched("dense1/bias", index: 3, Float.nan.bitPattern),
                          "has an invalid int8 model: tensor 'dense1/bias' holds a value that is not finite", .invalidArchitecture)
        try assertRefused(patched("conv1/kernel_scale", index: 1, Float(0).bitPattern),
                          "has an invalid int8 model: tensor 'conv1/kernel_scale' holds a scale that is not positive", .invalidArchitecture)
        try assertRefused(patched("conv1/post_shift", index: 0, Float.infinity.bitPattern),
                          "has an invalid int8 model: tensor 'conv1/post_shift' holds a value that is not finite", .invalidArchitecture)
    }
}
