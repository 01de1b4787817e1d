import Tensor

/// The ResNet v1 basic block (He et al. 2015) exactly as this Keras code builds it:
///
///     y = Conv2D(f, k, strides=s, padding="same", use_bias=False)(x); y = BatchNormalization()(y); y = ReLU()(y)
///     y = Conv2D(f, k, padding="same", use_bias=False)(y); y = BatchNormalization()(y)
///     shortcut = x, or BatchNormalization()(Conv2D(f, 1, strides=s, use_bias=False)(x)) when s != 1 or C != f
///     out = ReLU()(Add()([y, shortcut]))
///
/// x: [N, H, W, C] → [N, ceil(H/s), ceil(W/s), f]. Its inner layers are ordinary layers; their parameters carry
/// the inner layer's name (`conv_a/kernel`, `bn_a/gamma`, …).
final class ResidualBlock: Layer {
    let spec: LayerSpec
    let inputShape: [Int], outputShape: [Int]
    let convA: Conv2D, bnA: BatchNorm, convB: Conv2D, bnB: BatchNorm
    let projection: (conv: Conv2D, bn: BatchNorm)?
    private var a: Tensor?, out: Tensor?     // kept from forward: the inner ReLU's and the block's outputs
    private var traced: (a: Tensor, out: Tensor)?   // the same, kept from traceForward

    /// The inner layers' names, as the summary, the diagram, the model file and the ONNX graph show them.
    static let innerNames = (convA: "conv_a", bnA: "bn_a", reluA: "relu_a", convB: "conv_b", bnB: "bn_b",
                             shortcutConv: "shortcut_conv", shortcutBN: "shortcut_bn", add: "add", relu: "relu")

    init(spec: LayerSpec, inputShape: [Int], outputShape: [Int], rng: inout SeededGenerator) {
        guard case let .residual(name, f, k, s) = spec else { fatalError("ResidualBlock: \(spec)") }
        self.spec = spec; self.inputShape = inputShape; self.outputShape = outputShape
        let n = ResidualBlock.innerNames
        func conv(_ inner: String, _ kernel: Int, _ stride: Int, _ input: [Int], _ rng: inout SeededGenerator) -> Conv2D {
            let spec = LayerSpec.conv2d(name: "\(name)/\(inner)", filters: f, kernel: kernel, stride: stride, padding: .same,
                                        activation: .linear, useBias: false)
            let layer = Conv2D(spec: spec, inputShape: input, outputShape: outputShape, rng: &rng)
            layer.kernel.name = "\(inner)/kernel"
            return layer
        }
        func norm(_ inner: String) -> BatchNorm {
            let layer = BatchNorm(spec: .batchnorm(name: "\(name)/\(inner)", momentum: 0.99, epsilon: 0.001), inputShape: outputShape)
            for p in layer.parameters { p.name = "\(inner)/\(p.name)" }
            return layer
        }
        convA = conv(n.convA, k, s, inputShape, &rng)
        bnA = norm(n.bnA)
        convB = conv(n.convB, k, 1, outputShape, &rng)
        bnB = norm(n.bnB)
        projection = ResidualBlock.hasProjection(inputShape: inputShape, filters: f, strides: s)
            ? (conv(n.shortcutConv, 1, s, inputShape, &rng), norm(n.shortcutBN)) : nil
    }

    static func hasProjection(inputShape: [Int], filters: Int, strides: Int) -> Bool {
        strides != 1 || inputShape.last != filters
    }

    /// The inner layers in Keras' creation order: main path, then the shortcut.
    var innerLayers: [Layer] { [convA, bnA, convB, bnB] + (projection.map { [$0.conv, $0.bn] } ?? []) }

    var parameters: [Parameter] { innerLayers.flatMap(\.parameters) }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        let a = Activations.forward(.relu, bnA.forward(convA.forward(x, training: training), training: training))
        let y = bnB.forward(convB.forward(a, training: training), training: training)
        let shortcut = projection.map { $0.bn.forward($0.conv.forward(x, training: training), training: training) } ?? x
        let out = Activations.forward(.relu, y.adding(shortcut))
        if training { self.a = a; self.out = out }
        return out
    }

    func backward(_ dOut: Tensor) -> Tensor {
        guard let a, let out else { fatalError("\(name): backward before a training forward pass") }
        let dz = Activations.backward(.relu, dy: dOut, y: out)          // d loss / d (y + shortcut)
        let da = convB.backward(bnB.backward(dz))
        let dxMain = convA.backward(bnA.backward(Activations.backward(.relu, dy: da, y: a)))
        let dxSkip = projection.map { $0.conv.backward($0.bn.backward(dz)) } ?? dz
        return dxMain.adding(dxSkip)
    }

    func traceForward(_ x: Tensor) -> Tensor {
        let a = Activations.forward(.relu, bnA.traceForward(convA.traceForward(x)))
        let y = bnB.traceForward(convB.traceForward(a))
        let shortcut = projection.map { $0.bn.traceForward($0.conv.traceForward(x)) } ?? x
        let out = Activations.forward(.relu, y.adding(shortcut))
        traced = (a, out)
        return out
    }

    func traceBackward(_ dOut: Tensor) -> Tensor {
        guard let traced else { fatalError("\(name): traceBackward before traceForward") }
        let dz = Activations.backward(.relu, dy: dOut, y: traced.out)
        let da = convB.traceBackward(bnB.traceBackward(dz))
        let dxMain = convA.traceBackward(bnA.traceBackward(Activations.backward(.relu, dy: da, y: traced.a)))
        let dxSkip = projection.map { $0.conv.traceBackward($0.bn.traceBackward(dz)) } ?? dz
        return dxMain.adding(dxSkip)
    }

    func nodes(input: String) -> [GraphNode] {
        let n = ResidualBlock.innerNames
        func node(_ inner: String, _ layer: Layer?, _ kerasClass: String, _ inputs: [String]) -> GraphNode {
            GraphNode(name: "\(name)/\(inner)", kerasClass: kerasClass, outputShape: outputShape,
                      parameterCount: layer?.parameterCount ?? 0, inputs: inputs, layer: name)
        }
        var nodes = [
            node(n.convA, convA, "Conv2D", [input]),
            node(n.bnA, bnA, "BatchNormalization", ["\(name)/\(n.convA)"]),
            node(n.reluA, nil, "ReLU", ["\(name)/\(n.bnA)"]),
            node(n.convB, convB, "Conv2D", ["\(name)/\(n.reluA)"]),
            node(n.bnB, bnB, "BatchNormalization", ["\(name)/\(n.convB)"]),
        ]
        var shortcut = input
        if let projection {
            nodes.append(node(n.shortcutConv, projection.conv, "Conv2D", [input]))
            nodes.append(node(n.shortcutBN, projection.bn, "BatchNormalization", ["\(name)/\(n.shortcutConv)"]))
            shortcut = "\(name)/\(n.shortcutBN)"
        }
        nodes.append(node(n.add, nil, "Add", ["\(name)/\(n.bnB)", shortcut]))
        nodes.append(node(n.relu, nil, "ReLU", ["\(name)/\(n.add)"]))
        return nodes
    }
}
