import Foundation
import Tensor

/// Int8 models in `.mnistbook` files, format version 2: the same envelope as version 1 (magic, version, JSON
/// length, JSON, data, CRC-32), a `quantization` section in the JSON, and typed tensors in the data section:
/// per conv2d or dense layer `<layer>/kernel` (int8), `<layer>/kernel_scale`, `<layer>/bias` and, when the
/// folded batch norm left them, `<layer>/post_scale` and `<layer>/post_shift` (float32), each 4-byte aligned.
extension ModelFile {
    struct QuantizationSection: Codable {
        var mode: String
        var calibrationImages: Int
        var inputType: QuantizedType
        var inputScale: Float
        var layers: [LayerSection]
    }

    struct LayerSection: Codable {
        var name: String
        var kind: String                 // conv2d, dense, maxpool, flatten
        var foldedBatchNorms: [String]
        var activation: ActivationFunction
        var inputType: QuantizedType
        var inputScale: Float
        var outputType: QuantizedType?   // absent: float32 (the last layer)
        var outputScale: Float
    }

    static func kindName(_ kind: FoldedLayer.Kind) -> String {
        switch kind {
        case .conv2d: return "conv2d"
        case .dense: return "dense"
        case .maxpool: return "maxpool"
        case .flatten: return "flatten"
        case .affine: return "affine"
        case .residual: return "residual"
        case .globalAvgPool: return "global_avg_pool"
        }
    }

    /// The typed tensors of one layer, in file order.
    static func tensors(of layer: QuantizedLayer) -> [(name: String, dtype: String, shape: [Int], bytes: [UInt8])] {
        guard layer.hasWeights else { return [] }
        func floats(_ v: [Float]) -> [UInt8] {
            var b: [UInt8] = []
            b.reserveCapacity(v.count * 4)
            for x in v { LittleEndian.append(x.bitPattern, to: &b) }
            return b
        }
        let c = layer.outputChannels
        var out: [(String, String, [Int], [UInt8])] = [
            ("\(layer.name)/kernel", "int8", kernelShape(layer), layer.kernel.map { UInt8(bitPattern: $0) }),
            ("\(layer.name)/kernel_scale", "float32", [c], floats(layer.weightScales)),
            ("\(layer.name)/bias", "float32", [c], floats(layer.bias)),
        ]
        if let s = layer.postScale { out.append(("\(layer.name)/post_scale", "float32", [c], floats(s))) }
        if let t = layer.postShift { out.append(("\(layer.name)/post_shift", "float32", [c], floats(t))) }
        return out.map { (name: $0.0, dtype: $0.1, shape: $0.2, bytes: $0.3) }
    }

    static func kernelShape(_ layer: QuantizedLayer) -> [Int] {
        if case let .conv2d(k, _, _) = layer.kind { return [k, k, layer.inputShape[2], layer.outputChannels] }
        return [layer.inputShape[0], layer.outputChannels]
    }

    // MARK: writing (bytes only: the caller writes them)

    /// The int8 file's bytes. `path` only names the target in errors.
    public static func encode(_ model: QuantizedModel, metadata: ModelMetadata, path: String = "<memory>") throws -> [UInt8] {
        guard metadata.inputShape == model.inputShape, metadata.classNames.count == model.classes else {
            throw ModelFileError(path: path, kind: .invalidMetadata, message: "cannot be written: the metadata (input \(format(metadata.inputShape)), \(metadata.classNames.count) classes) does not fit the model (input \(format(model.inputShape)), \(model.classes) classes)")
        }
        var entries: [ParameterEntry] = [], data: [UInt8] = []
        for layer in model.layers {
            for t in tensors(of: layer) {
                var e = ParameterEntry(name: t.name, layer: layer.name, shape: t.shape, offset: data.count,
                                       count: t.shape.reduce(1, *), trainable: false)
                e.dtype = t.dtype
                entries.append(e)
                data += t.bytes
                while data.count % 4 != 0 { data.append(0) }
            }
        }
        let section = QuantizationSection(
            mode: "int8", calibrationImages: model.calibrationImages, inputType: model.inputType, inputScale: model.inputScale,
            layers: model.layers.map {
                LayerSection(name: $0.name, kind: kindName($0.kind), foldedBatchNorms: $0.foldedBatchNorms, activation: $0.activation,
                             inputType: $0.inputType, inputScale: $0.inputScale, outputType: $0.outputType, outputScale: $0.outputScale)
            })
        return try envelope(int8FormatVersion, architecture: Architecture(name: model.name, inputShape: model.inputShape, layers: model.specs),
                            quantization: section, parameters: entries, metadata: metadata, data: data, path: path)
    }

    // MARK: reading

    /// The int8 part of `decodeAny`, after the envelope (magic, length, checksum) has been checked.
    /// Everything is checked against the architecture before a kernel is built: a file that passes cannot trap.
    static func decodeInt8(_ header: Header, weights: ArraySlice<UInt8>, path: String) throws -> QuantizedModel {
        func invalid(_ message: String) -> ModelFileError {
            ModelFileError(path: path, kind: .invalidArchitecture, message: "has an invalid int8 model: \(message)")
        }
        func mismatch(_ message: String) -> ModelFileError {
            ModelFileError(path: path, kind: .shapeMismatch, message: "does not match its architecture: \(message)")
        }
        guard let q = header.quantization else { throw invalid("missing 'quantization'") }
        guard q.mode == "int8" else { throw invalid("quantization mode '\(q.mode)', expected 'int8'") }
        let reference: Model
        do {
            reference = try Model(name: header.model.name, inputShape: header.model.inputShape, layers: header.model.layers,
                                  seed: header.metadata.seed)
        } catch {
            throw ModelFileError(path: path, kind: .invalidArchitecture, message: "has an invalid architecture: \(error)")
        }
        let folded = reference.foldingBatchNorm()
        guard q.layers.count == folded.count else {
            throw invalid("\(q.layers.count) quantised layers, the architecture folds to \(folded.count)")
        }
        func scaleOK(_ s: Float) -> Bool { s.isFinite && s > 0 }
        guard scaleOK(q.inputScale) else { throw invalid("input scale \(q.inputScale) is not a positive number") }
        guard q.calibrationImages >= 0 else { throw invalid("calibration_images is negative") }

        // The tensor table, read in order and checked against what each layer needs.
        var table = header.parameters[...]
        let base = weights.startIndex, available = weights.count
        func next(_ name: String, _ dtype: String, _ shape: [Int], optional: Bool = false) throws -> ArraySlice<UInt8>? {
            guard let e = table.first, e.name == name else {
                if optional { return nil }
                throw mismatch("expected tensor '\(name)'\(table.first.map { ", found '\($0.name)'" } ?? ", the table ends")")
            }
            table = table.dropFirst()
            guard e.dtype == dtype else { throw mismatch("tensor '\(name)' is \(e.dtype), expected \(dtype)") }
            guard e.shape == shape else { throw mismatch("tensor '\(name)' has shape \(format(e.shape)), the architecture needs \(format(shape))") }
            let size = shape.reduce(1, *) * (dtype == "int8" ? 1 : 4)
            guard e.count == shape.reduce(1, *), e.offset >= 0, e.offset % 4 == 0, e.offset <= available - size else {
                throw mismatch("tensor '\(name)' (offset \(e.offset), \(e.count) values) does not fit its shape \(format(shape)) or the \(available) bytes of data")
            }
            return weights[(base + e.offset)..<(base + e.offset + size)]
        }
        func floats(_ bytes: ArraySlice<UInt8>, _ name: String) throws -> [Float] {
            let start = bytes.startIndex
            let v = (0..<(bytes.count / 4)).map { i in
                Float(bitPattern: UInt32(bytes[start + 4 * i]) | UInt32(bytes[start + 4 * i + 1]) << 8
                      | UInt32(bytes[start + 4 * i + 2]) << 16 | UInt32(bytes[start + 4 * i + 3]) << 24)
            }
            guard v.allSatisfy(\.isFinite) else { throw invalid("tensor '\(name)' holds a value that is not finite") }
            return v
        }

        var layers: [QuantizedLayer] = []
        var type = q.inputType, scale = q.inputScale
        for (i, (s, f)) in zip(q.layers, folded).enumerated() {
            let last = i == folded.count - 1
            guard f.kind != .affine else { throw invalid("batch norm '\(f.name)' has no conv2d or dense before it to fold into") }
            if let unsupported = QuantizedModel.unsupported(f) { throw invalid(unsupported) }
            guard s.name == f.name, s.kind == kindName(f.kind) else {
                throw invalid("layer \(i + 1) is \(s.kind) '\(s.name)', the architecture folds to \(kindName(f.kind)) '\(f.name)'")
            }
            guard s.foldedBatchNorms == f.foldedBatchNorms, s.activation == f.activation else {
                throw invalid("layer '\(s.name)' does not match the architecture's activation or batch norms")
            }
            guard s.inputType == type, s.inputScale == scale else {
                throw invalid("layer '\(s.name)' takes \(s.inputType.rawValue) × \(s.inputScale), the layer before gives \(type.rawValue) × \(scale)")
            }
            var layer = QuantizedLayer(name: s.name, kind: f.kind, inputShape: f.inputShape, outputShape: f.outputShape,
                                       activation: s.activation, inputType: s.inputType, inputScale: s.inputScale,
                                       outputType: s.outputType, outputScale: s.outputScale)
            layer.foldedBatchNorms = s.foldedBatchNorms
            if layer.hasWeights {
                if last {
                    guard s.outputType == nil else { throw invalid("the last layer '\(s.name)' must output float32") }
                } else {
                    guard let t = s.outputType, scaleOK(s.outputScale) else {
                        throw invalid("layer '\(s.name)' needs an int8 output type and a positive output scale")
                    }
                    guard s.activation != .softmax else { throw invalid("layer '\(s.name)' has a softmax before the last layer") }
                    (type, scale) = (t, s.outputScale)
                }
                let c = f.outputChannels
                layer.kernel = try next("\(s.name)/kernel", "int8", kernelShape(layer))!.map { Int8(bitPattern: $0) }
                layer.weightScales = try floats(next("\(s.name)/kernel_scale", "float32", [c])!, "\(s.name)/kernel_scale")
                guard layer.weightScales.allSatisfy(scaleOK) else { throw invalid("tensor '\(s.name)/kernel_scale' holds a scale that is not positive") }
                layer.bias = try floats(next("\(s.name)/bias", "float32", [c])!, "\(s.name)/bias")
                if let b = try next("\(s.name)/post_scale", "float32", [c], optional: true) { layer.postScale = try floats(b, "\(s.name)/post_scale") }
                if let b = try next("\(s.name)/post_shift", "float32", [c], optional: true) { layer.postShift = try floats(b, "\(s.name)/post_shift") }
            } else {
                guard s.outputType == type, s.outputScale == scale, !last else {
                    throw invalid("layer '\(s.name)' must pass its input's type and scale on")
                }
            }
            layers.append(layer)
        }
        if let extra = table.first { throw mismatch("tensor '\(extra.name)' belongs to no layer") }
        return QuantizedModel(name: header.model.name, inputShape: header.model.inputShape, specs: header.model.layers,
                              inputType: q.inputType, inputScale: q.inputScale, layers: layers, calibrationImages: q.calibrationImages)
    }
}
