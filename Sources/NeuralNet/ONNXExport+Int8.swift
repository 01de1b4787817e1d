import Foundation
import Tensor

/// ONNX export of an int8 model in QDQ form (opset 13): every activation goes through QuantizeLinear then
/// DequantizeLinear with its calibrated scale (zero point 0, uint8 or int8), every kernel is an int8 initializer
/// behind a per-channel DequantizeLinear, and Conv / MatMul run between them, so onnxruntime computes what
/// mnistbook's int8 engine computes. Same input and output as the float export.
extension ONNXExport {
    public static func data(for model: QuantizedModel, metadata: ModelMetadata) throws -> [UInt8] {
        guard model.inputShape.count == 3 else {
            throw ModelFileError(path: model.name, kind: .invalidArchitecture,
                                 message: "cannot be exported to ONNX: an int8 model needs an image input [height, width, channels]")
        }
        let doc = """
            \(model.name), int8 (QDQ: per-channel int8 weights, per-tensor uint8/int8 activations calibrated on \
            \(model.calibrationImages) training images), exported by mnistbook \(mnistbookVersion).
            Input '\(inputName)': float32 [\(batchDimension), \(model.inputShape.map(String.init).joined(separator: ", "))], \
            channels last (NHWC), pixels preprocessed as \(metadata.preprocessing.description).
            Output '\(outputName)': float32 [\(batchDimension), \(model.classes)], class probabilities.
            """
        return encode(quantizedGraph(model), name: model.name, inputShape: model.inputShape, classes: model.classes,
                      doc: doc, metadata: metadata)
    }

    public static func write(_ model: QuantizedModel, metadata: ModelMetadata, to url: URL) throws {
        try AtomicWrite.replace(url, with: try data(for: model, metadata: metadata))
    }

    /// The QDQ graph's operators in order, e.g. ["QuantizeLinear", "DequantizeLinear", "Transpose", …].
    public static func operatorTypes(for model: QuantizedModel) -> [String] {
        quantizedGraph(model).nodes.map(\.opType)
    }

    static func quantizedGraph(_ q: QuantizedModel) -> Graph {
        var g = Graph()
        var value = inputName
        var nchw = false
        var used: Set<String> = [inputName, outputName]
        func unique(_ name: String) -> String {
            var candidate = name, n = 1
            while used.contains(candidate) { candidate = "\(name)_\(n)"; n += 1 }
            used.insert(candidate)
            return candidate
        }
        func add(_ name: String, _ op: String, _ inputs: [String], _ attributes: [Attribute] = []) {
            let name = unique(name)
            g.nodes.append(Node(name: name, opType: op, inputs: [value] + inputs, outputs: [name], attributes: attributes))
            value = name
        }
        func floats(_ name: String, _ dims: [Int], _ values: [Float]) -> String {
            let name = unique(name)
            g.initializers.append(Initializer(name: name, dims: dims, values: values))
            return name
        }
        func bytes(_ name: String, _ dims: [Int], _ type: Int, _ raw: [UInt8]) -> String {
            let name = unique(name)
            g.initializers.append(Initializer(name: name, dims: dims, values: [], dataType: type, raw: raw))
            return name
        }
        // Fake quantisation of the current value: Q then DQ with a scalar scale and a zero point of the type.
        func quantizeDequantize(_ layer: String, _ type: QuantizedType, _ scale: Float) {
            let s = floats("\(layer)/scale", [], [scale])
            let z = bytes("\(layer)/zero_point", [], type == .u8 ? DataType.uint8 : DataType.int8, [0])
            add("\(layer)/quantize", "QuantizeLinear", [s, z])
            add("\(layer)/dequantize", "DequantizeLinear", [s, z])
        }
        func channelShape(_ c: Int) -> [Int] { nchw ? [1, c, 1, 1] : [c] }

        quantizeDequantize("input", q.inputType, q.inputScale)
        for (i, layer) in q.layers.enumerated() {
            let name = layer.name, c = layer.outputChannels
            let last = i == q.layers.count - 1
            switch layer.kind {
            case let .conv2d(k, stride, same):
                if !nchw { add("\(name)/to_nchw", "Transpose", [], [.ints("perm", [0, 3, 1, 2])]); nchw = true }
                let ci = layer.inputShape[2]
                let oihw = hwioToOIHW(Tensor(shape: [k, k, ci, c], scalars: layer.kernel.map(Float.init))).map { UInt8(bitPattern: Int8($0)) }
                let w = bytes("\(name)/kernel", [c, ci, k, k], DataType.int8, oihw)
                let ws = floats("\(name)/kernel_scale", [c], layer.weightScales)
                let wz = bytes("\(name)/kernel_zero_point", [c], DataType.int8, [UInt8](repeating: 0, count: c))
                let wdq = unique("\(name)/kernel_dequantized")
                g.nodes.append(Node(name: wdq, opType: "DequantizeLinear", inputs: [w, ws, wz], outputs: [wdq], attributes: [.int("axis", 0)]))
                let b = floats("\(name)/bias", [c], layer.bias)
                let (_, top, bottom) = Convolution.outputSize(layer.inputShape[0], k, stride, same)
                let (_, left, right) = Convolution.outputSize(layer.inputShape[1], k, stride, same)
                add(name, "Conv", [wdq, b], [
                    .ints("dilations", [1, 1]), .int("group", 1), .ints("kernel_shape", [k, k]),
                    .ints("pads", [top, left, bottom, right]), .ints("strides", [stride, stride]),
                ])
            case .dense:
                let w = bytes("\(name)/kernel", [layer.inputShape[0], c], DataType.int8, layer.kernel.map { UInt8(bitPattern: $0) })
                let ws = floats("\(name)/kernel_scale", [c], layer.weightScales)
                let wz = bytes("\(name)/kernel_zero_point", [c], DataType.int8, [UInt8](repeating: 0, count: c))
                let wdq = unique("\(name)/kernel_dequantized")
                g.nodes.append(Node(name: wdq, opType: "DequantizeLinear", inputs: [w, ws, wz], outputs: [wdq], attributes: [.int("axis", 1)]))
                add(name, "MatMul", [wdq])
                add("\(name)/bias", "Add", [floats("\(name)/bias", [c], layer.bias)])
            case let .maxpool(pool, stride, same):
                if !nchw { add("\(name)/to_nchw", "Transpose", [], [.ints("perm", [0, 3, 1, 2])]); nchw = true }
                // ONNX pads: [top, left, bottom, right]; "same" puts the odd pixel bottom/right, as TensorFlow does.
                let (_, top, bottom) = Convolution.outputSize(layer.inputShape[0], pool, stride, same)
                let (_, left, right) = Convolution.outputSize(layer.inputShape[1], pool, stride, same)
                add(name, "MaxPool", [], [.ints("kernel_shape", [pool, pool]), .ints("strides", [stride, stride]),
                                          .ints("pads", [top, left, bottom, right])])
            case .residual, .globalAvgPool:
                continue     // never in a quantised model: quantize and the file reader refuse them
            case .affine:
                continue     // never in a quantised model: quantize and the file reader refuse it
            case .flatten:
                // Keras flattens channels-last; the dense kernel's rows follow that order.
                if nchw { add("\(name)/to_nhwc", "Transpose", [], [.ints("perm", [0, 2, 3, 1])]); nchw = false }
                add(name, "Flatten", [], [.int("axis", 1)])
            }
            guard layer.hasWeights else { continue }
            switch layer.activation {
            case .linear: break
            case .relu: add("\(name)/relu", "Relu", [])
            case .sigmoid: add("\(name)/sigmoid", "Sigmoid", [])
            case .tanh: add("\(name)/tanh", "Tanh", [])
            case .softmax: add("\(name)/softmax", "Softmax", [], [.int("axis", nchw ? 1 : -1)])
            }
            if let s = layer.postScale { add("\(name)/post_scale", "Mul", [floats("\(name)/post_scale", channelShape(c), s)]) }
            if let t = layer.postShift { add("\(name)/post_shift", "Add", [floats("\(name)/post_shift", channelShape(c), t)]) }
            if !last, let type = layer.outputType { quantizeDequantize(name, type, layer.outputScale) }
        }
        g.nodes[g.nodes.count - 1].outputs = [outputName]
        return g
    }
}
