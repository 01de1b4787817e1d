import NeuralNet
import Report
import Tensor

/// One row of Keras' `model.summary()`.
struct SummaryRow {
    var name: String
    var kerasClass: String
    /// Per-sample output shape; the table adds the batch axis as None.
    var outputShape: [Int]
    var parameters: Int
    /// The layer's settings (`kernel 3×3, same, relu`); empty for a layer inside a block, which its block's row gives.
    var settings: String
}

/// Keras' `model.summary()`, computed from the built model's layers and parameters.
struct ModelSummary {
    var name: String
    var inputShape: [Int]
    var rows: [SummaryRow]
    var total: Int
    var trainable: Int
    var nonTrainable: Int { total - trainable }

    init(_ model: Model) {
        name = model.name
        inputShape = model.inputShape
        // Keras' functional summary: a residual block shows its inner layers, the Add and the last ReLU.
        let specs = Dictionary(model.specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        rows = model.graph.map { node in
            SummaryRow(name: node.name, kerasClass: node.kerasClass, outputShape: node.outputShape, parameters: node.parameterCount,
                       settings: node.name == node.layer ? specs[node.name].map(layerSettings) ?? "" : "")
        }
        total = model.parameterCount
        trainable = model.trainableParameterCount
    }

    /// The summary as a report table: Layer (type) | Output Shape | Param # | Settings, totals in the footer.
    /// Keras' summary has no settings column; without it a dropout rate or a kernel size is nowhere in the report.
    var table: Table {
        Table(caption: "Model: \"\(name)\"",
              header: ["Layer (type)", "Output Shape", "Param #", "Settings"],
              rows: rows.map { ["\($0.name) (\($0.kerasClass))", kerasShape($0.outputShape), groupThousands($0.parameters), $0.settings] },
              alignRight: [2],
              footer: [["Total params:", "", groupThousands(total), ""],
                       ["Trainable params:", "", groupThousands(trainable), ""],
                       ["Non-trainable params:", "", groupThousands(nonTrainable), ""]])
    }
}

/// A layer's settings in a few words, from the one layer list: what the summary's Settings column and the
/// diagram's boxes show (`kernel 3×3, same, relu`, `rate 0.5`, `momentum 0.99, ε 0.001`).
func layerSettings(_ spec: NeuralNet.LayerSpec) -> String {
    func activation(_ f: ActivationFunction) -> String? { f == .linear ? nil : f.rawValue }
    var parts: [String?]
    switch spec {
    case let .conv2d(_, _, kernel, stride, padding, f, useBias):
        parts = ["kernel \(kernel)×\(kernel)", stride == 1 ? nil : "stride \(stride)", padding.rawValue, activation(f), useBias ? nil : "no bias"]
    case let .batchnorm(_, momentum, epsilon):
        parts = ["momentum \(momentum)", "ε \(epsilon)"]
    case let .maxpool(_, pool, strides, padding):
        parts = ["pool \(pool)×\(pool)", strides.map { $0 == pool ? nil : "strides \($0)" } ?? nil, (padding ?? .valid).rawValue]
    case let .dense(_, _, f, useBias):
        parts = [activation(f) ?? "linear", useBias ? nil : "no bias"]
    case let .dropout(_, rate):
        parts = ["rate \(rate)"]
    case let .residual(_, _, kernel, strides):
        parts = ["kernel \(kernel)×\(kernel)", "strides \(strides)"]
    case .flatten, .globalAvgPool:
        parts = []
    }
    return parts.compactMap { $0 }.joined(separator: ", ")
}
