import NeuralNet
import Report

/// One row of Keras' `model.summary()`.
struct SummaryRow {
    var name: String
    var kerasClass: String
    /// Per-sample output shape; the table adds the batch axis as None.
    var outputShape: [Int]
    var parameters: Int
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
        rows = model.graph.map {
            SummaryRow(name: $0.name, kerasClass: $0.kerasClass, outputShape: $0.outputShape, parameters: $0.parameterCount)
        }
        total = model.parameterCount
        trainable = model.trainableParameterCount
    }

    /// The summary as a report table: Layer (type) | Output Shape | Param #, totals in the footer.
    var table: Table {
        Table(caption: "Model: \"\(name)\"",
              header: ["Layer (type)", "Output Shape", "Param #"],
              rows: rows.map { ["\($0.name) (\($0.kerasClass))", kerasShape($0.outputShape), groupThousands($0.parameters)] },
              alignRight: [2],
              footer: [["Total params:", "", groupThousands(total)],
                       ["Trainable params:", "", groupThousands(trainable)],
                       ["Non-trainable params:", "", groupThousands(nonTrainable)]])
    }
}
