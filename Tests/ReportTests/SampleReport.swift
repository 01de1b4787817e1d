import Foundation
@testable import Report

/// A report shaped like the lifecycle notebook's, built from synthetic data: the fixture the
/// page tests read, and what `MNISTBOOK_SAMPLE_REPORT=/path.html swift test` writes for a look.
enum SampleReport {
    static let cachedAt = Date(timeIntervalSince1970: 1_795_601_520) // 2026-11-25 10:12 UTC

    static func page() -> ReportPage {
        ReportPage(
            title: "MNIST Handwritten Digit Classification",
            author: "Course staff", date: "2026-11-25",
            meta: [("notebook", "notebooks/mnist.md"), ("seed", "42"), ("total time", "3 min 41 s")],
            sections: sections(), timeZone: TimeZone(identifier: "UTC")!)
    }

    static func sections() -> [Section] {
        [
            .prose(html: """
                <h1>Problem definition</h1>
                <p>Classify 28×28 grayscale images of handwritten digits into the ten classes 0–9.
                The reference CNN reaches about <strong>99.3 %</strong> test accuracy.</p>
                <h2>Data</h2>
                <p>MNIST: 60,000 training and 10,000 test images; 20 % of the training set is held out for validation.</p>
                """,
                   headings: [Heading(level: 1, text: "Problem definition", id: "problem-definition"),
                              Heading(level: 2, text: "Data", id: "data")]),
            .step(StepSection(stage: "load", title: "Load the data", line: 12, seconds: 0.84, status: .cached(at: cachedAt),
                              params: [("dataset", "mnist"), ("validation_split", "0.2"), ("limit_train", "all"), ("limit_test", "all")],
                              outputs: [
                                .keyValues(title: "Splits", [("train", "48,000"), ("validation", "12,000"), ("test", "10,000"),
                                                             ("image shape", "28 × 28 × 1"), ("source", "mnist (IDX)"),
                                                             ("sha256", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609")]),
                              ])),
            .step(StepSection(stage: "eda", title: "Explore", line: 18, seconds: 0.31,
                              params: [("samples", "25"), ("mean_images", "true")],
                              outputs: [
                                .table(Table(caption: "Class distribution", header: ["class", "train", "validation", "test"],
                                             rows: (0..<10).map { ["\($0)", groupThousands(4700 + $0 * 37), groupThousands(1180 + $0 * 9), groupThousands(980 + $0 * 13)] })),
                                .barChart(BarChart(title: "Class distribution", categories: (0..<10).map { "\($0)" },
                                                   series: [("train", (0..<10).map { 4700 + Double($0) * 37 }),
                                                            ("validation", (0..<10).map { 1180 + Double($0) * 9 }),
                                                            ("test", (0..<10).map { 980 + Double($0) * 13 })],
                                                   xLabel: "digit", yLabel: "images")),
                                .imageGrid(ImageGrid(title: "Samples", images: (0..<20).map { digit($0 % 10, seed: $0) },
                                                     captions: (0..<20).map { "label \($0 % 10)" }, columns: 10)),
                                .imageGrid(ImageGrid(title: "Mean image per class", images: (0..<10).map { digit($0, seed: 99) },
                                                     captions: (0..<10).map { "\($0)" }, columns: 10)),
                              ])),
            .prose(html: "<h2>Model</h2>\n<p>Three convolution blocks, then a dense head.</p>",
                   headings: [Heading(level: 2, text: "Model", id: "model")]),
            .step(StepSection(stage: "build", line: 31, seconds: 0.02,
                              params: [("name", "MNIST_CNN"), ("layers", "11 layers"), ("diagram", "{rankdir: TB, show_shapes: true}")],
                              outputs: [
                                .table(Table(caption: "Model: \"MNIST_CNN\"", header: ["Layer (type)", "Output Shape", "Param #"],
                                             rows: [["conv1 (Conv2D)", "(None, 28, 28, 32)", "320"],
                                                    ["bn1 (BatchNormalization)", "(None, 28, 28, 32)", "128"],
                                                    ["pool1 (MaxPooling2D)", "(None, 14, 14, 32)", "0"],
                                                    ["conv2 (Conv2D)", "(None, 14, 14, 64)", "18,496"],
                                                    ["output (Dense)", "(None, 10)", "1,290"]],
                                             footer: [["Total params", "", "459,210"], ["Trainable params", "", "458,890"]])),
                                .diagram(svg: (try? Graphviz.svg(fromDot: architectureDot)) ?? "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
                                         caption: "model_architecture.svg"),
                              ])),
            .step(StepSection(stage: "train", title: "Train", line: 57, seconds: 187.4, overridden: ["epochs"],
                              params: [("optimizer", "adam"), ("learning_rate", "0.001"), ("batch_size", "64"), ("epochs", "12"),
                                       ("early_stopping", "{monitor: val_loss, patience: 3}")],
                              outputs: [
                                .table(Table(caption: "History", header: ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds"],
                                             rows: (0..<12).map { e in
                                                 [String(e + 1), String(format: "%.4f", loss(e)), String(format: "%.4f", 1 - loss(e) / 3),
                                                  String(format: "%.4f", loss(e) * 1.1 + 0.01), String(format: "%.4f", 1 - loss(e) / 2.8),
                                                  e < 7 ? "0.001" : "0.0005", String(format: "%.1f", 15.2 + Double(e % 3) * 0.3)]
                                             })),
                                .lineChart(historyCharts()[0]),
                                .lineChart(historyCharts()[1]),
                                .note("Epoch 7: ReduceLROnPlateau reducing learning rate to 0.0005."),
                                .note("Epoch 12: early stopping; restoring model weights from the end of the best epoch: 10."),
                              ])),
            .step(StepSection(stage: "evaluate", line: 75, seconds: 2.1,
                              params: [("split", "test")],
                              outputs: [
                                .keyValues(title: "Test", [("loss", "0.0231"), ("accuracy", "0.9931")]),
                                .heatmap(confusionHeatmap()),
                              ])),
            .step(StepSection(stage: "error-analysis", line: 80, seconds: 0.4,
                              params: [("show", "25"), ("top_confusions", "10")],
                              outputs: [
                                .imageGrid(misclassified()),
                              ])),
            .step(StepSection(stage: "save", line: 86, seconds: nil, status: .failed,
                              params: [("name", "mnist_cnn"), ("formats", "[mnistbook, onnx]")],
                              outputs: [
                                .files([WrittenFile(name: "mnist_cnn.mnistbook", bytes: 1_843_212)]),
                                .error("notebooks/mnist.md:86:1: save: cannot write output/mnist/mnist_cnn.onnx: No space left on device"),
                              ])),
            .step(StepSection(stage: "predict-demo", line: 95, status: .skipped)),
        ]
    }

    static func historyCharts() -> [LineChart] {
        [LineChart(title: "Loss", xLabel: "epoch", yLabel: "loss",
                   series: [("loss", (0..<12).map(loss)), ("val_loss", (0..<12).map { loss($0) * 1.1 + 0.01 })],
                   markers: [(7, "LR → 0.0005"), (10, "best epoch")]),
         LineChart(title: "Accuracy", xLabel: "epoch", yLabel: "accuracy",
                   series: [("accuracy", (0..<12).map { 1 - loss($0) / 3 }), ("val_accuracy", (0..<12).map { 1 - loss($0) / 2.8 })],
                   markers: [(7, "LR → 0.0005"), (10, "best epoch")])]
    }

    static func confusionHeatmap() -> Heatmap {
        Heatmap(title: "Confusion matrix", rowLabels: (0..<10).map { "\($0)" }, colLabels: (0..<10).map { "\($0)" },
                values: confusion())
    }

    static func misclassified() -> ImageGrid {
        ImageGrid(title: "Misclassified", images: (0..<10).map { digit(($0 * 3) % 10, seed: $0 + 40) },
                  captions: (0..<10).map { "\(($0 * 3) % 10) → \(($0 * 3 + 5) % 10) (0.\(90 - $0))" },
                  columns: 5, highlight: (0..<10).map { $0 % 3 != 0 })
    }

    static let architectureDot = """
        digraph MNIST_CNN {
          rankdir=TB; node [shape=box, style="rounded,filled", fillcolor="#eef4fb", color="#4a7ab0", fontname="Helvetica", fontsize=11];
          input [label="input: InputLayer\\n(None, 28, 28, 1)"];
          conv1 [label="conv1: Conv2D\\n(None, 28, 28, 32)"];
          pool1 [label="pool1: MaxPooling2D\\n(None, 14, 14, 32)"];
          flatten [label="flatten: Flatten\\n(None, 3136)"];
          output [label="output: Dense\\n(None, 10)"];
          input -> conv1 -> pool1 -> flatten -> output;
        }
        """

    static func loss(_ e: Int) -> Double { 0.02 + 0.25 * exp(-Double(e) / 2.5) }

    static func confusion() -> [[Int]] {
        let support = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
        return (0..<10).map { r in
            var row = (0..<10).map { c in c == r ? 0 : ((r * 7 + c * 3) % 11 == 0 ? 3 : ((r + c) % 5 == 0 ? 1 : 0)) }
            row[r] = support[r] - row.reduce(0, +)
            return row
        }
    }

    /// A seven-segment-ish digit with soft edges, white on black like MNIST.
    static func digit(_ d: Int, seed: Int) -> GrayImage {
        let segments: [[Int]] = [[0, 1, 2, 4, 5, 6], [2, 5], [0, 2, 3, 4, 6], [0, 2, 3, 5, 6], [1, 2, 3, 5],
                                 [0, 1, 3, 5, 6], [0, 1, 3, 4, 5, 6], [0, 2, 5], [0, 1, 2, 3, 4, 5, 6], [0, 1, 2, 3, 5, 6]]
        // segment endpoints in a 28×28 box: top, upper-left, upper-right, middle, lower-left, lower-right, bottom
        let j = Double(seed % 3) - 1
        let lines: [(Double, Double, Double, Double)] = [
            (9 + j, 6, 19 + j, 6), (9 + j, 6, 8, 14), (19 + j, 6, 18, 14), (8, 14, 18, 14),
            (8, 14, 7 - j, 22), (18, 14, 17 - j, 22), (7 - j, 22, 17 - j, 22)]
        var px = [UInt8](repeating: 0, count: 28 * 28)
        for y in 0..<28 {
            for x in 0..<28 {
                var best = 99.0
                for s in segments[d] {
                    let (x1, y1, x2, y2) = lines[s]
                    let dx = x2 - x1, dy = y2 - y1
                    let t = max(0, min(1, ((Double(x) - x1) * dx + (Double(y) - y1) * dy) / (dx * dx + dy * dy)))
                    best = min(best, hypot(Double(x) - (x1 + t * dx), Double(y) - (y1 + t * dy)))
                }
                px[y * 28 + x] = UInt8(max(0, min(255, (2.6 - best) * 180)))
            }
        }
        return GrayImage(width: 28, height: 28, pixels: px)
    }
}
