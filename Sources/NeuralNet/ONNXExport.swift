import Foundation
import Tensor

/// Exports a model as ONNX (opset 13) for onnxruntime, OpenCV, ONNX.js and friends, written with mnistbook's own
/// protobuf encoder.
///
/// The graph takes the engine's input as it is, `input`: float32 [N, H, W, C] (channels last, already
/// preprocessed, e.g. x / 255), and gives `probabilities`: float32 [N, classes]. Inside it works channels-first as
/// ONNX operators do: Transpose → Conv (kernels HWIO → OIHW, TensorFlow's "same" padding, asymmetric where the
/// padding is odd) → activation → BatchNormalization (inference form) → MaxPool …, then Transpose back to
/// channels-last before Flatten so the dense kernel sees Keras' feature order; Gemm for dense; dropout is left out;
/// Softmax on the last axis. The metadata goes to `metadata_props` and `doc_string`.
public enum ONNXExport {
    public static let opsetVersion = 13
    public static let irVersion = 7
    public static let inputName = "input"
    public static let outputName = "probabilities"
    /// The symbolic batch dimension of the input and output.
    public static let batchDimension = "N"
    public static let producerName = "mnistbook"

    /// The ONNX file's bytes for the model with its current weights.
    public static func data(for model: Model, metadata: ModelMetadata) throws -> [UInt8] {
        try data(weights: model.weights(), of: model, metadata: metadata)
    }

    /// The ONNX file's bytes for the model's architecture with other weights (e.g. the best checkpoint).
    public static func data(weights: [Tensor], of model: Model, metadata: ModelMetadata, path: String = "<memory>") throws -> [UInt8] {
        try ModelFile.checkWeights(weights, of: model, path: path)
        try ModelFile.checkMetadata(metadata, of: model, path: path)
        return encode(try graph(weights: weights, of: model, path: path), model: model, metadata: metadata)
    }

    /// The exported graph's operators in order, e.g. ["Transpose", "Conv", "Relu", "BatchNormalization", …].
    public static func operatorTypes(for model: Model) throws -> [String] {
        try graph(weights: model.weights(), of: model, path: model.name).nodes.map(\.opType)
    }

    // MARK: the graph

    enum Attribute {
        case int(String, Int)
        case ints(String, [Int])
        case float(String, Float)
    }

    struct Node {
        var name: String
        var opType: String
        var inputs: [String]
        var outputs: [String]
        var attributes: [Attribute]
    }

    struct Initializer {
        var name: String
        var dims: [Int]
        var values: [Float]
        /// TensorProto.DataType (1 float, 2 uint8, 3 int8, 6 int32) and its little-endian bytes when not float.
        var dataType = DataType.float
        var raw: [UInt8]? = nil
    }

    struct Graph {
        var nodes: [Node] = []
        var initializers: [Initializer] = []
    }

    static func graph(weights: [Tensor], of model: Model, path: String) throws -> Graph {
        guard model.inputShape.count == 3 || model.inputShape.count == 1 else {
            throw ModelFileError(path: path, kind: .invalidArchitecture,
                                 message: "cannot be exported to ONNX: the input shape must be [height, width, channels] or flat, not \(ModelFile.format(model.inputShape))")
        }
        var g = GraphBuilder(layout: model.inputShape.count == 3 ? .nhwc : .flat)
        var next = 0

        for layer in model.layers {
            var params: [String: Tensor] = [:]
            for p in layer.parameters {
                params[p.name] = weights[next]
                next += 1
            }
            func input(_ parameter: String) -> String {
                let w = params[parameter]!
                return g.constant("\(layer.name)/\(parameter)", w.shape, w.scalars)
            }
            /// Conv with TensorFlow's padding rule; `kernel` names an HWIO parameter of this layer.
            func convolution(_ node: String, _ kernel: String, _ bias: Bool, _ k: Int, _ stride: Int, _ same: Bool, _ inputShape: [Int]) {
                let hwio = params[kernel]!
                let oihw = g.constant("\(layer.name)/\(kernel)", [hwio.shape[3], hwio.shape[2], k, k], hwioToOIHW(hwio))
                let (_, top, bottom) = Convolution.outputSize(inputShape[0], k, stride, same)
                let (_, left, right) = Convolution.outputSize(inputShape[1], k, stride, same)
                g.add(node, "Conv", [oihw] + (bias ? [input("bias")] : []), [
                    .ints("dilations", [1, 1]), .int("group", 1), .ints("kernel_shape", [k, k]),
                    .ints("pads", [top, left, bottom, right]), .ints("strides", [stride, stride]),
                ])
            }
            /// Inference-form BatchNormalization of the parameters `prefix`gamma, beta, moving_mean, moving_variance.
            func batchNorm(_ node: String, _ prefix: String?, epsilon: Float = 0.001) {
                let names = ["gamma", "beta", "moving_mean", "moving_variance"].map { (v: String) -> String in prefix.map { "\($0)/\(v)" } ?? v }
                g.add(node, "BatchNormalization", names.map(input), [.float("epsilon", epsilon)])
            }
            switch layer.spec {
            case let .conv2d(name, _, k, stride, padding, activation, _):
                g.toNCHW(name)
                convolution(name, "kernel", params["bias"] != nil, k, stride, padding == .same, layer.inputShape)
                g.activate(name, activation)
            case let .batchnorm(name, _, epsilon):
                g.toNCHW(name)
                batchNorm(name, nil, epsilon: epsilon)
            case let .maxpool(name, pool, strides, padding):
                g.toNCHW(name)
                let s = strides ?? pool
                let (_, top, bottom) = Convolution.outputSize(layer.inputShape[0], pool, s, padding == .same)
                let (_, left, right) = Convolution.outputSize(layer.inputShape[1], pool, s, padding == .same)
                g.add(name, "MaxPool", [], [.ints("kernel_shape", [pool, pool]), .ints("pads", [top, left, bottom, right]),
                                            .ints("strides", [s, s])])
            case let .residual(name, _, k, strides):
                // Main path, then the shortcut from the block's input, joined by Add (the skip connection).
                g.toNCHW(name)
                let n = ResidualBlock.innerNames
                let x = g.value
                let outputShape = layer.outputShape
                convolution("\(name)/\(n.convA)", "\(n.convA)/kernel", false, k, strides, true, layer.inputShape)
                batchNorm("\(name)/\(n.bnA)", n.bnA)
                g.add("\(name)/\(n.reluA)", "Relu", [])
                convolution("\(name)/\(n.convB)", "\(n.convB)/kernel", false, k, 1, true, outputShape)
                batchNorm("\(name)/\(n.bnB)", n.bnB)
                let main = g.value
                var shortcut = x
                if params["\(n.shortcutConv)/kernel"] != nil {
                    g.value = x
                    convolution("\(name)/\(n.shortcutConv)", "\(n.shortcutConv)/kernel", false, 1, strides, true, layer.inputShape)
                    batchNorm("\(name)/\(n.shortcutBN)", n.shortcutBN)
                    shortcut = g.value
                }
                g.value = main
                g.add("\(name)/\(n.add)", "Add", [shortcut])
                g.add("\(name)/\(n.relu)", "Relu", [])
            case let .globalAvgPool(name):
                g.toNCHW(name)
                g.add(name, "GlobalAveragePool", [])
                g.add("\(name)/flatten", "Flatten", [], [.int("axis", 1)])
                g.layout = .flat
            case let .flatten(name):
                // Keras flattens channels-last: (h, w, c) order, which the next dense kernel's rows follow.
                g.toNHWC(name)
                g.add(name, "Flatten", [], [.int("axis", 1)])
                g.layout = .flat
            case let .dense(name, _, activation, _):
                let inputs = [input("kernel")] + (params["bias"] != nil ? [input("bias")] : [])
                g.add(name, "Gemm", inputs)
                g.activate(name, activation)
            case .dropout:
                break    // the identity at inference
            }
        }
        return g.finished()
    }

    /// [k, k, Ci, Co] (Keras) → [Co, Ci, k, k] (ONNX).
    static func hwioToOIHW(_ w: Tensor) -> [Float] {
        let (kh, kw, ci, co) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let src = w.scalars
        var out = [Float](repeating: 0, count: src.count)
        for y in 0..<kh {
            for x in 0..<kw {
                for i in 0..<ci {
                    for o in 0..<co {
                        out[((o * ci + i) * kh + y) * kw + x] = src[((y * kw + x) * ci + i) * co + o]
                    }
                }
            }
        }
        return out
    }

    // MARK: protobuf (field numbers from onnx/onnx.proto)

    enum DataType { static let float = 1, uint8 = 2, int8 = 3 }
    private enum AttributeType { static let float = 1, int = 2, ints = 7 }

    static func encode(_ g: Graph, model: Model, metadata: ModelMetadata) -> [UInt8] {
        encode(g, name: model.name, inputShape: model.inputShape, classes: model.classes,
               doc: docString(model: model, metadata: metadata), metadata: metadata)
    }

    static func encode(_ g: Graph, name: String, inputShape: [Int], classes: Int, doc: String, metadata: ModelMetadata) -> [UInt8] {
        var m = ProtobufWriter()
        m.int(1, irVersion)                                  // ModelProto.ir_version
        m.string(2, producerName)                            // producer_name
        m.string(3, mnistbookVersion)                        // producer_version
        m.string(6, doc)                                     // doc_string
        m.message(7) { graph in                              // graph
            for node in g.nodes {
                graph.message(1) { n in                      // GraphProto.node
                    for i in node.inputs { n.string(1, i) }  // NodeProto.input
                    for o in node.outputs { n.string(2, o) } // output
                    n.string(3, node.name)                   // name
                    n.string(4, node.opType)                 // op_type
                    for a in node.attributes {
                        n.message(5) { encodeAttribute(a, &$0) }  // attribute
                    }
                }
            }
            graph.string(2, name)                            // GraphProto.name
            for t in g.initializers {
                graph.message(5) { tensor in                 // initializer
                    for d in t.dims { tensor.int(1, d) }     // TensorProto.dims
                    tensor.int(2, t.dataType)                // data_type
                    tensor.string(8, t.name)                 // name
                    tensor.bytes(9, t.raw ?? ProtobufWriter.rawBytes(t.values))  // raw_data
                }
            }
            graph.message(11) { encodeValueInfo(inputName, [nil] + inputShape, &$0) }  // input
            graph.message(12) { encodeValueInfo(outputName, [nil, classes], &$0) }      // output
        }
        m.message(8) { $0.int(2, opsetVersion) }             // opset_import { version }, default domain
        for (key, value) in metadata.properties {
            m.message(14) { entry in                         // metadata_props
                entry.string(1, key)
                entry.string(2, value)
            }
        }
        return m.bytes
    }

    private static func encodeAttribute(_ a: Attribute, _ w: inout ProtobufWriter) {
        switch a {
        case let .float(name, f):
            w.string(1, name)                                // AttributeProto.name
            w.float(2, f)                                    // f
            w.int(20, AttributeType.float)                   // type
        case let .int(name, i):
            w.string(1, name)
            w.int(3, i)                                      // i
            w.int(20, AttributeType.int)
        case let .ints(name, values):
            w.string(1, name)
            for v in values { w.int(8, v) }                  // ints
            w.int(20, AttributeType.ints)
        }
    }

    /// A float tensor's ValueInfoProto; nil dimensions are the symbolic batch size.
    private static func encodeValueInfo(_ name: String, _ dims: [Int?], _ w: inout ProtobufWriter) {
        w.string(1, name)                                    // ValueInfoProto.name
        w.message(2) { type in                               // type: TypeProto
            type.message(1) { tensor in                      // tensor_type: TypeProto.Tensor
                tensor.int(1, DataType.float)                // elem_type
                tensor.message(2) { shape in                 // shape: TensorShapeProto
                    for d in dims {
                        shape.message(1) { dim in            // dim: Dimension
                            if let d { dim.int(1, d) } else { dim.string(2, batchDimension) }  // dim_value | dim_param
                        }
                    }
                }
            }
        }
    }

    static func docString(model: Model, metadata: ModelMetadata) -> String {
        let input = ([batchDimension] + model.inputShape.map(String.init)).joined(separator: ", ")
        let names = metadata.classNames.count <= 12 ? metadata.classNames.joined(separator: ", ")
            : metadata.classNames.prefix(10).joined(separator: ", ") + ", …"
        let outputs = (model.layers.last?.spec).map { spec -> String in
            if case .dense(_, _, .softmax, _) = spec { return "class probabilities (softmax)" }
            return "class scores (logits)"
        } ?? "class scores"
        var text = """
        \(model.name), exported by mnistbook \(mnistbookVersion).
        Input '\(inputName)': float32 [\(input)], channels last (NHWC), pixels preprocessed as \
        \(metadata.preprocessing.description) (x · \(metadata.preprocessing.scale) + \(metadata.preprocessing.shift)).
        Output '\(outputName)': float32 [\(batchDimension), \(model.classes)], \(outputs) for the classes \(names).
        Trained on \(metadata.dataset) with seed \(metadata.seed)
        """
        if let accuracy = metadata.testAccuracy { text += "; test accuracy \(String(format: "%.4f", accuracy))" }
        return text + "."
    }
}
