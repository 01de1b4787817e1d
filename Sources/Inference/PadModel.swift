import Foundation
import NeuralNet
import Report
import Tensor

/// A model as the report's digit pad embeds it: kernels as int8 per output channel (w ≈ q · scale, scale = max|w| / 127),
/// biases and batch-norm vectors as float32, all base64 in one JSON object that Report's digit-model.js runs.
/// `model` is the engine's copy holding exactly the weights the page holds, to test the page against.
public struct PadModel {
    /// The JSON object the page's `MnistbookModel.create` reads.
    public let json: String
    /// The same network with every kernel replaced by its dequantised int8 version.
    public let model: Model
    /// Bytes of weights embedded (int8 kernels, float32 scales and vectors), before base64.
    public let weightBytes: Int

    public init(_ source: Model, metadata: ModelMetadata) throws {
        if let unsupported = Self.unsupportedLayer(in: source.specs) { throw PadModelError(message: unsupported) }
        let copy = try Model(name: source.name, inputShape: source.inputShape, layers: source.specs, seed: 0)
        var layers: [String] = [], bytes = 0
        for (from, to) in zip(source.layers, copy.layers) {
            var values = from.parameters.map(\.value)
            var fields = ["\"type\":\"\(Self.typeName(from.spec))\"", "\"name\":\(Self.string(from.name))"]
            switch from.spec {
            case let .conv2d(_, filters, kernel, stride, padding, activation, _):
                fields += ["\"filters\":\(filters)", "\"kernel\":\(kernel)", "\"stride\":\(stride)",
                           "\"padding\":\"\(padding.rawValue)\"", "\"activation\":\"\(activation.rawValue)\""]
            case let .dense(_, units, activation, _):
                fields += ["\"units\":\(units)", "\"activation\":\"\(activation.rawValue)\""]
            case let .batchnorm(_, _, epsilon):
                fields.append("\"epsilon\":\(Double(epsilon))")
                for (key, value) in zip(["gamma", "beta", "mean", "variance"], values) {
                    fields.append("\"\(key)\":\"\(Self.base64(value.scalars))\"")
                    bytes += 4 * value.count
                }
            case let .maxpool(_, pool, _, _):
                fields.append("\"pool\":\(pool)")
            case .flatten, .dropout, .residual, .globalAvgPool:
                break
            }
            if Self.hasKernel(from.spec) {
                // The kernel, [k, k, Ci, Co] or [in, units], has its output channel last; the bias stays float32.
                let (q, scales) = Self.quantize(values[0])
                values[0] = Tensor(shape: values[0].shape, scalars: q.enumerated().map { Float($1) * scales[$0 % scales.count] })
                let qBase64 = Data(q.map { UInt8(bitPattern: $0) }).base64EncodedString()
                fields.append("\"weights\":{\"q\":\"\(qBase64)\",\"scales\":\"\(Self.base64(scales))\"}")
                bytes += q.count + 4 * scales.count
                if values.count > 1 {
                    fields.append("\"bias\":\"\(Self.base64(values[1].scalars))\"")
                    bytes += 4 * values[1].count
                }
            }
            for (p, v) in zip(to.parameters, values) { p.value = v }
            layers.append("{" + fields.joined(separator: ",") + "}")
        }
        let shape = source.inputShape.map(String.init).joined(separator: ",")
        json = "{\"inputShape\":[\(shape)],\"scale\":\(Double(metadata.preprocessing.scale)),\"shift\":\(Double(metadata.preprocessing.shift)),"
            + "\"layers\":[\n" + layers.joined(separator: ",\n") + "]}"
        model = copy
        weightBytes = bytes
    }

    static func hasKernel(_ spec: LayerSpec) -> Bool {
        switch spec {
        case .conv2d, .dense: return true
        case .batchnorm, .maxpool, .flatten, .dropout, .residual, .globalAvgPool: return false
        }
    }

    /// Why the page's digit-model.js cannot run these layers, or nil when it can: it has no residual block, no
    /// global average pooling, and pools only with stride = pool and valid padding.
    public static func unsupportedLayer(in specs: [LayerSpec]) -> String? {
        for spec in specs {
            switch spec {
            case .residual, .globalAvgPool:
                return "the digit pad's JavaScript has no \(spec.kerasClass) layer (layer '\(spec.name)')"
            case let .maxpool(name, pool, strides, padding) where (strides ?? pool) != pool || padding == .same:
                return "the digit pad's JavaScript pools only with strides equal to the pool and valid padding (layer '\(name)')"
            default:
                continue
            }
        }
        return nil
    }

    /// The layer's name in digit-model.js.
    static func typeName(_ spec: LayerSpec) -> String {
        switch spec {
        case .conv2d: return "conv2d"
        case .dense: return "dense"
        case .batchnorm: return "batchnorm"
        case .maxpool: return "maxpool"
        case .flatten: return "flatten"
        case .dropout: return "dropout"
        case .residual: return "residual"
        case .globalAvgPool: return "global_avg_pool"
        }
    }

    /// Symmetric int8 per output channel (the last axis): q = round(w / s) in −127…127, s = max|w| / 127 (1 for an all-zero channel).
    static func quantize(_ w: Tensor) -> (q: [Int8], scales: [Float]) {
        let channels = w.shape.last!, values = w.scalars
        var peak = [Float](repeating: 0, count: channels)
        for (i, v) in values.enumerated() { peak[i % channels] = max(peak[i % channels], abs(v)) }
        let scales = peak.map { $0 > 0 ? $0 / 127 : 1 }
        let q = values.enumerated().map { i, v in Int8(max(-127, min(127, (v / scales[i % channels]).rounded()))) }
        return (q, scales)
    }

    static func base64(_ floats: [Float]) -> String {
        // Little-endian float32, as JavaScript's Float32Array reads it on every platform browsers run on.
        var data = Data(capacity: 4 * floats.count)
        for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data.base64EncodedString()
    }

    static func string(_ s: String) -> String { scriptJSONString(s) }
}

/// A model the digit pad cannot run.
public struct PadModelError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { message }
}
