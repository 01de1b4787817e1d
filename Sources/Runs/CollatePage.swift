import Foundation
import Report

/// The class page of `mnistbook collate`: the leaderboard, what each run changed from the reference,
/// the curves overlaid, each varied parameter against test accuracy, and the folders left out.
public func collatePage(_ collation: Collation, title: String? = nil) -> ReportPage {
    var sections: [Section] = []
    let entries = collation.entries
    let board = entries.enumerated().map { rank, entry -> [String] in
        let m = entry.run.metrics
        return ["\(rank + 1)", entry.run.name, m.testAccuracy.map { String(format: "%.4f", $0) } ?? "—",
                m.paramsTotal.map(groupThousands) ?? "—", m.epochsRun.map(String.init) ?? "—",
                m.trainSeconds.map { String(format: "%.1f", $0) } ?? "—",
                entry.changes.isEmpty ? "as the reference" : "\(entry.changes.count) changed"]
    }
    var leaderboard: [Output] = []
    if entries.isEmpty {
        leaderboard.append(.note("No complete run to rank: every folder is listed below with the reason."))
    } else {
        leaderboard.append(.table(Table(caption: "Leaderboard, by test accuracy",
                                        header: ["rank", "run", "test accuracy", "parameters", "epochs", "training time (s)", "parameters vs reference"],
                                        rows: board, alignRight: [0, 2, 3, 4, 5])))
    }
    sections.append(panel("Leaderboard", id: "leaderboard", leaderboard))

    var changes: [Output] = [.note("Reference: \(collation.referenceSource).")]
    let rows = entries.flatMap { entry -> [[String]] in
        entry.changes.isEmpty ? [[entry.run.name, "—", "—", "—"]]
            : entry.changes.map { [entry.run.name, $0.name, $0.reference ?? "—", $0.value ?? "—"] }
    }
    if !entries.isEmpty {
        changes.append(.table(Table(caption: "Each run's parameters that differ from the reference",
                                    header: ["run", "parameter", "reference", "run's value"], rows: rows, alignRight: [])))
    }
    sections.append(panel("Changes from the reference", id: "changes", changes))

    sections.append(panel("Training curves", id: "curves", classCurves(entries.map(\.run))))
    sections.append(panel("Parameters against accuracy", id: "scatter", scatterOutputs(collation)))

    let left = collation.excluded.isEmpty ? [Output.note("Every folder was usable.")]
        : [.table(Table(caption: "Folders left out", header: ["folder", "reason"],
                        rows: collation.excluded.map { [$0.path, $0.reason] }, alignRight: []))]
    sections.append(panel("Left out", id: "excluded", left))
    return ReportPage(title: title ?? "Class results: \(entries.count) runs",
                      meta: [("runs", "\(entries.count) ranked, \(collation.excluded.count) left out"),
                             ("reference", collation.referenceSource)],
                      sections: sections, generator: "mnistbook collate")
}

/// Validation accuracy (training accuracy without validation) of every run, one line each.
func classCurves(_ runs: [Run]) -> [Output] {
    let withHistory = runs.filter { $0.history != nil }
    guard !withHistory.isEmpty else { return [.note("No run has a training history.")] }
    let series = withHistory.map { run -> (name: String, values: [Double]) in
        let h = run.history!
        return (run.name, (h.valAccuracy ?? h.accuracy).map { $0 ?? .nan })
    }
    let loss = withHistory.map { run -> (name: String, values: [Double]) in
        let h = run.history!
        return (run.name, (h.valLoss ?? h.loss).map { $0 ?? .nan })
    }
    return [.lineChart(LineChart(title: "Validation loss", yLabel: "loss", series: loss)),
            .lineChart(LineChart(title: "Validation accuracy", yLabel: "accuracy", series: series))]
}

/// One scatter per varied parameter: numbers on a linear or log axis, words as categories.
func scatterOutputs(_ collation: Collation) -> [Output] {
    guard !collation.varied.isEmpty else { return [.note("Every ranked run used the same parameters.")] }
    var outputs: [Output] = []
    for name in collation.varied.prefix(24) {
        let points = collation.entries.compactMap { entry -> (value: String, y: Double, label: String)? in
            guard let y = entry.run.metrics.testAccuracy, let value = FlatParameters(entry.run.metrics)[name] else { return nil }
            return (value, y, entry.run.name)
        }
        let svg = SVGChart.render(ScatterPlot(title: name, xLabel: name, yLabel: "test accuracy",
                                              values: points.map { ($0.value, $0.y, $0.label) }))
        outputs.append(.diagram(svg: svg, caption: nil))
    }
    if collation.varied.count > 24 { outputs.append(.note("\(collation.varied.count - 24) more varied parameters not drawn.")) }
    return outputs
}
