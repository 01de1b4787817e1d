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

    /// The QDQ graph's operators in order, e.g. ["QuantizeLinear", "DequantizeLinear", "Transpose", …].
    public static func operatorTypes(for model: QuantizedModel) -> [String] {
        quantizedGraph(model).nodes.map(\.opType)
    }

    static func quantizedGraph(_ q: QuantizedModel) -> Graph {
        var g = GraphBuilder(layout: .nhwc)
        // Fake quantisation of the current value: Q then DQ with a scalar scale and a zero point of the type.
        func quantizeDequantize(_ layer: String, _ type: QuantizedType, _ scale: Float) {
            let s = g.constant("\(layer)/scale", [], [scale])
            let z = g.bytes("\(layer)/zero_point", [], type == .u8 ? DataType.uint8 : DataType.int8, [0])
            g.add("\(layer)/quantize", "QuantizeLinear", [s, z])
            g.add("\(layer)/dequantize", "DequantizeLinear", [s, z])
        }
        func channelShape(_ c: Int) -> [Int] { g.layout == .nchw ? [1, c, 1, 1] : [c] }
        /// An int8 kernel behind a per-channel DequantizeLinear along `axis` (its output channels); returns the float kernel.
        func dequantizedKernel(_ layer: QuantizedLayer, _ dims: [Int], _ kernel: [UInt8], axis: Int) -> String {
            let c = layer.outputChannels
            let w = g.bytes("\(layer.name)/kernel", dims, DataType.int8, kernel)
            let ws = g.constant("\(layer.name)/kernel_scale", [c], layer.weightScales)
            let wz = g.bytes("\(layer.name)/kernel_zero_point", [c], DataType.int8, [UInt8](repeating: 0, count: c))
            return g.node("\(layer.name)/kernel_dequantized", "DequantizeLinear", [w, ws, wz], [.int("axis", axis)])
        }

        quantizeDequantize("input", q.inputType, q.inputScale)
        for (i, layer) in q.layers.enumerated() {
            let name = layer.name, c = layer.outputChannels
            let last = i == q.layers.count - 1
            switch layer.kind {
            case let .conv2d(k, stride, same):
                g.toNCHW(name)
                let ci = layer.inputShape[2]
                let oihw = hwioToOIHW(Tensor(shape: [k, k, ci, c], scalars: layer.kernel.map(Float.init))).map { UInt8(bitPattern: Int8($0)) }
                let wdq = dequantizedKernel(layer, [c, ci, k, k], oihw, axis: 0)
                let b = g.constant("\(name)/bias", [c], layer.bias)
                let (_, top, bottom) = Convolution.outputSize(layer.inputShape[0], k, stride, same)
                let (_, left, right) = Convolution.outputSize(layer.inputShape[1], k, stride, same)
                g.add(name, "Conv", [wdq, b], [
                    .ints("dilations", [1, 1]), .int("group", 1), .ints("kernel_shape", [k, k]),
                    .ints("pads", [top, left, bottom, right]), .ints("strides", [stride, stride]),
                ])
            case .dense:
                let wdq = dequantizedKernel(layer, [layer.inputShape[0], c], layer.kernel.map { UInt8(bitPattern: $0) }, axis: 1)
                g.add(name, "MatMul", [wdq])
                g.add("\(name)/bias", "Add", [g.constant("\(name)/bias", [c], layer.bias)])
            case let .maxpool(pool, stride, same):
                g.toNCHW(name)
                // ONNX pads: [top, left, bottom, right]; "same" puts the odd pixel bottom/right, as TensorFlow does.
                let (_, top, bottom) = Convolution.outputSize(layer.inputShape[0], pool, stride, same)
                let (_, left, right) = Convolution.outputSize(layer.inputShape[1], pool, stride, same)
                g.add(name, "MaxPool", [], [.ints("kernel_shape", [pool, pool]), .ints("strides", [stride, stride]),
                                          .ints("pads", [top, left, bottom, right])])
            case .residual, .globalAvgPool:
                continue     // never in a quantised model: quantize and the file reader refuse them
            case .affine:
                continue     // never in a quantised model: quantize and the file reader refuse it
            case .flatten:
                // Keras flattens channels-last; the dense kernel's rows follow that order.
                g.toNHWC(name)
                g.add(name, "Flatten", [], [.int("axis", 1)])
                g.layout = .flat
            }
            guard layer.hasWeights else { continue }
            g.activate(name, layer.activation)
            if let s = layer.postScale { g.add("\(name)/post_scale", "Mul", [g.constant("\(name)/post_scale", channelShape(c), s)]) }
            if let t = layer.postShift { g.add("\(name)/post_shift", "Add", [g.constant("\(name)/post_shift", channelShape(c), t)]) }
            if !last, let type = layer.outputType { quantizeDequantize(name, type, layer.outputScale) }
        }
        return g.finished()
    }
}
