import Foundation
import Report

/// The page of `mnistbook compare`: what differs, the curves overlaid, the headline metrics side by
/// side, and for the first two runs the confusion difference and the images one gets right and the other wrong.
public func comparePage(_ comparison: Comparison, title: String? = nil) -> ReportPage {
    let runs = comparison.runs
    let letters = runs.indices.map(runLetter)
    var sections: [Section] = []

    sections.append(panel("What differs", id: "differences", differenceOutputs(comparison.differences, runs: runs)))
    sections.append(panel("Headline metrics", id: "metrics", [.table(metricsTable(runs))]))
    sections.append(panel("Training curves", id: "curves", curveCharts(runs)))
    if let pair = comparison.pair {
        sections.append(panel("Confusion matrix: \(letters[1]) − \(letters[0])", id: "confusion", confusionOutputs(pair, runs: runs)))
        sections.append(panel("Images that changed", id: "flipped", flippedOutputs(pair, runs: runs)))
    } else if let note = comparison.pairNote {
        sections.append(panel("Confusion matrix and images", id: "confusion", [.note(note)]))
    }
    let meta = runs.enumerated().map { i, run in
        ("run \(letters[i])", "\(run.name) · \(run.metrics.notebook) · \(run.folder.path)")
    }
    return ReportPage(title: title ?? "Comparison: " + runs.map(\.name).joined(separator: " vs "),
                      meta: meta + [("dataset", runs[0].metrics.dataset ?? "unknown")], sections: sections,
                      generator: "mnistbook compare")
}

/// A heading and outputs, as a prose section of the page.
func panel(_ title: String, id: String, _ outputs: [Output]) -> Section {
    .prose(html: "<section class=\"panel\" id=\"\(escapeHTML(id))\"><h2 id=\"\(escapeHTML(id))-title\">\(escapeHTML(title))</h2>\n"
        + outputsHTML(outputs) + "\n</section>",
           headings: [Heading(level: 2, text: title, id: "\(id)-title")])
}

/// A, B, …, Z, then run 27, run 28.
func runLetter(_ i: Int) -> String { i < 26 ? String(UnicodeScalar(UInt8(65 + i))) : "\(i + 1)" }

func differenceOutputs(_ differences: [ParameterDifference], runs: [Run]) -> [Output] {
    let letters = runs.indices.map(runLetter)
    var outputs: [Output] = []
    let unknown = runs.filter { run in run.metrics.steps.contains { $0.params == nil } }.map(\.name)
    if !unknown.isEmpty {
        outputs.append(.note("metrics.json of \(unknown.joined(separator: ", ")) lists no step parameters (rendered by an "
            + "older mnistbook): render again to compare parameters."))
    }
    if differences.isEmpty {
        outputs.append(.note("No parameter differs: every step ran with the same parameters."))
    } else {
        let rows = differences.map { d in [stepOf(d.name), String(d.name.drop { $0 != "." }.dropFirst())] + d.values.map { $0 ?? "—" } }
        outputs.append(.table(Table(caption: "Parameters that differ, step by step",
                                    header: ["step", "parameter"] + runs.indices.map { "\(letters[$0]): \(runs[$0].name)" },
                                    rows: rows, alignRight: [])))
        let total = Set(runs.flatMap { FlatParameters($0.metrics).entries.map(\.name) }).count
        outputs.append(.note("Everything else equal: \(total - differences.count) other parameters are the same in every run"
            + (runs.allSatisfy { $0.metrics.seed == runs[0].metrics.seed } ? ", and so is the seed (\(runs[0].metrics.seed.map(String.init) ?? "?"))." : ".")))
    }
    if let seeds = Optional(runs.map(\.metrics.seed)), Set(seeds.map { $0 ?? -1 }).count > 1 {
        outputs.append(.note("The seeds differ (" + zip(letters, seeds).map { "\($0): \($1.map(String.init) ?? "?")" }.joined(separator: ", ")
            + "): part of any difference is chance."))
    }
    return outputs
}

/// Rows are metrics, columns the runs; with two runs a last column B − A.
func metricsTable(_ runs: [Run]) -> Table {
    let letters = runs.indices.map(runLetter)
    let rows: [(String, (RunMetrics) -> Double?, (Double) -> String)] = [
        ("test accuracy", { $0.testAccuracy }, { String(format: "%.4f", $0) }),
        ("test loss", { $0.testLoss }, { String(format: "%.4f", $0) }),
        ("validation accuracy", { $0.valAccuracy }, { String(format: "%.4f", $0) }),
        ("epochs", { $0.epochsRun.map(Double.init) }, { numberText($0) }),
        ("parameters", { $0.paramsTotal.map(Double.init) }, { groupThousands(Int($0)) }),
        ("training time (s)", { $0.trainSeconds }, { String(format: "%.1f", $0) }),
    ]
    let two = runs.count == 2
    let body = rows.map { name, value, format -> [String] in
        let values = runs.map { value($0.metrics) }
        var cells = [name] + values.map { $0.map(format) ?? "—" }
        if two {
            if let a = values[0], let b = values[1] {
                let d = b - a
                var cell = (d > 0 ? "+" : d < 0 ? "−" : "±") + format(abs(d))
                if name == "test accuracy", let noise = seedNoise(d, runs[0].metrics.testAccuracySD, runs[1].metrics.testAccuracySD) {
                    cell += noise
                }
                cells.append(cell)
            } else {
                cells.append("—")
            }
        }
        return cells
    }
    let against = two ? nil : againstFirstRun(runs)
    return Table(caption: "Headline metrics" + (two ? " (last column: B − A)" : against != nil ? " (last row: each run against A)" : ""),
                 header: ["metric"] + runs.indices.map { "\(letters[$0]): \(runs[$0].name)" } + (two ? ["B − A"] : []),
                 rows: body + (against.map { [$0] } ?? []), alignRight: Set(1...(runs.count + (two ? 1 : 0))))
}

/// With three runs or more (a sweep's values), the row `test accuracy − A`: each run's difference from the
/// first with the seed-noise mark of compare's B − A column; nil when no run measured a seed spread,
/// as a bare difference says nothing about noise that the table's own figures do not.
func againstFirstRun(_ runs: [Run]) -> [String]? {
    guard runs.contains(where: { $0.metrics.testAccuracySD != nil }) else { return nil }
    let a = runs[0].metrics.testAccuracy
    return ["test accuracy − A", "—"] + runs.dropFirst().map { run -> String in
        guard let a, let b = run.metrics.testAccuracy else { return "—" }
        let d = b - a
        return (d > 0 ? "+" : d < 0 ? "−" : "±") + String(format: "%.4f", abs(d))
            + (seedNoise(d, runs[0].metrics.testAccuracySD, run.metrics.testAccuracySD) ?? "")
    }
}

/// ` (within seed noise: 2 × sd = 0.0062)` when either render measured its seed spread (`train.repeat`):
/// a difference smaller than twice the larger standard deviation is not evidence of an effect.
func seedNoise(_ difference: Double, _ sdA: Double?, _ sdB: Double?) -> String? {
    guard let larger = [sdA, sdB].compactMap({ $0 }).max() else { return nil }
    return (abs(difference) < 2 * larger ? " (within seed noise" : " (beyond seed noise") + ": 2 × sd = \(String(format: "%.4f", 2 * larger)))"
}

/// Loss and accuracy of every run on one pair of charts; each run's callback events marked with its letter.
func curveCharts(_ runs: [Run]) -> [Output] {
    let letters = runs.indices.map(runLetter)
    let withHistory = runs.indices.filter { runs[$0].history != nil }
    guard !withHistory.isEmpty else { return [.note("No run has a training history (no train step).")] }
    var loss: [(name: String, values: [Double])] = [], accuracy: [(name: String, values: [Double])] = []
    var markers: [(x: Int, label: String)] = []
    for i in withHistory {
        let h = runs[i].history!
        let prefix = runs.count <= 3 ? "\(letters[i]) \(runs[i].name)" : letters[i]
        loss.append(("\(prefix) train", h.loss.map { $0 ?? .nan }))
        accuracy.append(("\(prefix) train", h.accuracy.map { $0 ?? .nan }))
        if let v = h.valLoss { loss.append(("\(prefix) val", v.map { $0 ?? .nan })) }
        if let v = h.valAccuracy { accuracy.append(("\(prefix) val", v.map { $0 ?? .nan })) }
        for event in runs[i].metrics.events ?? [] where event.kind != "checkpoint" {
            markers.append((event.epoch, "\(letters[i]): \(event.label)"))
        }
    }
    var outputs: [Output] = [
        .lineChart(LineChart(title: "Loss", yLabel: "loss", series: loss, markers: markers)),
        .lineChart(LineChart(title: "Accuracy", yLabel: "accuracy", series: accuracy, markers: markers)),
    ]
    let missing = runs.indices.filter { runs[$0].history == nil }.map { runs[$0].name }
    if !missing.isEmpty { outputs.append(.note("No training history in \(missing.joined(separator: ", ")).")) }
    if !markers.isEmpty {
        outputs.append(.note("Callback events: " + markers.map { "epoch \($0.x) \($0.label)" }.joined(separator: "; ") + "."))
    }
    return outputs
}

func confusionOutputs(_ pair: PairComparison, runs: [Run]) -> [Output] {
    let names = pair.a.classes
    let svg = RunCharts.divergingHeatmap(title: "Confusion matrix B − A (blue: more in B, red: fewer)", labels: names,
                                         values: pair.confusionDelta, rowTitle: "True label", colTitle: "Predicted label")
    let ca = pair.a.confusion
    let rows = names.indices.map { c -> [String] in
        let support = ca[c].reduce(0, +)
        let ra = support > 0 ? Double(ca[c][c]) / Double(support) : 0
        return [names[c], groupThousands(support), String(format: "%.4f", ra), String(format: "%.4f", ra + pair.recallDelta[c]),
                (pair.recallDelta[c] >= 0 ? "+" : "−") + String(format: "%.4f", abs(pair.recallDelta[c]))]
    }
    return [
        .diagram(svg: svg, caption: "Each row sums to zero: an image of a class moves from one predicted column to another. "
            + "Diagonal: images of that class B gets right beyond A."),
        .barChart(BarChart(title: "Recall per class, B − A", categories: names,
                           series: [(name: "recall B − A", values: pair.recallDelta)], xLabel: "class", yLabel: "recall difference",
                           showValues: names.count <= 12)),
        .table(Table(caption: "Recall per class (A: \(runs[0].name), B: \(runs[1].name))",
                     header: ["class", "images", "recall A", "recall B", "B − A"], rows: rows)),
    ]
}

/// Images shown per direction; the counts are always complete.
let flippedShown = 60

func flippedOutputs(_ pair: PairComparison, runs: [Run]) -> [Output] {
    let names = pair.a.classes
    let shape = pair.a.imageShape
    func grid(_ indices: [Int], title: String, pixelsFrom source: Predictions) -> Output? {
        let shown = indices.filter { source.wrongImages[$0] != nil }.prefix(flippedShown)
        guard !shown.isEmpty else { return nil }
        return .imageGrid(ImageGrid(title: title, images: shown.map { GrayImage(width: shape[1], height: shape[0], pixels: source.wrongImages[$0]!) },
                                    captions: shown.map { "#\($0) true \(names[pair.a.labels[$0]]) · A \(names[pair.a.predictions[$0]]) · B \(names[pair.b.predictions[$0]])" },
                                    columns: 10))
    }
    let net = pair.fixedByB.count - pair.brokenByB.count
    var outputs: [Output] = [.keyValues(title: "Test images whose verdict changed", [
        ("B right, A wrong", groupThousands(pair.fixedByB.count)),
        ("A right, B wrong", groupThousands(pair.brokenByB.count)),
        ("net for B", (net > 0 ? "+" : "") + groupThousands(net)),
    ])]
    if let g = grid(pair.fixedByB, title: "B (\(runs[1].name)) gets these right, A (\(runs[0].name)) wrong"
        + (pair.fixedByB.count > flippedShown ? " — first \(flippedShown) of \(pair.fixedByB.count)" : ""), pixelsFrom: pair.a) {
        outputs.append(g)
    }
    if let g = grid(pair.brokenByB, title: "A (\(runs[0].name)) gets these right, B (\(runs[1].name)) wrong"
        + (pair.brokenByB.count > flippedShown ? " — first \(flippedShown) of \(pair.brokenByB.count)" : ""), pixelsFrom: pair.b) {
        outputs.append(g)
    }
    if pair.fixedByB.isEmpty && pair.brokenByB.isEmpty {
        outputs.append(.note("Both runs get exactly the same test images right."))
    }
    outputs.append(.table(Table(caption: "Indices in the test split", header: ["direction", "images"], rows: [
        ["B right, A wrong", indexList(pair.fixedByB)],
        ["A right, B wrong", indexList(pair.brokenByB)],
    ], alignRight: [])))
    return outputs
}

/// Up to 200 indices, then how many more.
func indexList(_ indices: [Int]) -> String {
    let shown = indices.prefix(200).map(String.init).joined(separator: " ")
    return indices.count > 200 ? shown + " … (\(indices.count - 200) more)" : (indices.isEmpty ? "none" : shown)
}
