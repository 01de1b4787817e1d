import Foundation
import Notebook
import Report

/// What a tune step shows: the search, Hyperband's brackets, the trials ranked, each parameter against
/// the objective, the best values in words and where they went.
func tuneOutputs(_ outcome: TuneOutcome, tune: TuneStage, train: ValidatedStep, applied: TunedValues?) -> [Output] {
    let objective = outcome.objective
    let kerasClass = ["random": "RandomSearch", "grid": "GridSearch", "hyperband": "Hyperband"][outcome.strategy] ?? outcome.strategy
    var about: [(String, String)] = [
        ("strategy", "\(outcome.strategy) (Keras Tuner's \(kerasClass))"),
        ("objective", "\(objective), \(outcome.maximise ? "highest" : "lowest") of each trial's epochs"),
        ("space", outcome.dimensions.map { "\(shortName($0.name)) \(spaceText($0.values))" }.joined(separator: "; ")),
        ("trials", "\(outcome.trials.count)" + (outcome.resumed > 0 ? " (\(outcome.resumed) read back from an interrupted run)" : "")),
        ("time", String(format: "%.1f s of training", outcome.trials.reduce(0) { $0 + $1.seconds })),
    ]
    if outcome.schedule == nil { about.insert(("epochs per trial", "\(tune.epochs)"), at: 3) }
    var outputs: [Output] = [.keyValues(title: "Search", about)]

    if let schedule = outcome.schedule {
        let rows = schedule.brackets.flatMap { bracket in
            bracket.rounds.enumerated().map { r, round in ["\(bracket.number)", "\(r)", "\(round.trials)", "\(round.epochs)"] }
        }
        outputs.append(.table(Table(caption: "Hyperband brackets (max_epochs \(schedule.maxEpochs), factor \(schedule.factor)): "
            + "each round continues the best 1/\(schedule.factor) of the round before",
                                    header: ["bracket", "round", "trials", "epochs"], rows: rows)))
    }

    let names = outcome.dimensions.map(\.name)
    let rows = outcome.ranked.enumerated().map { rank, trial -> [String] in
        var row = ["\(rank + 1)", "\(trial.number)"] + names.map { trial.values[$0].map(valueText) ?? "–" }
        row.append(trial.objective.map { String(format: "%.4f", $0) } ?? "failed")
        row.append("\(trial.epochs)")
        row.append(String(format: "%.1f", trial.seconds))
        if outcome.schedule != nil { row.append(trial.continues.map { "#\($0)" } ?? "–") }
        return row
    }
    outputs.append(.table(Table(caption: "Trials, best first",
                                header: ["rank", "trial"] + names.map(shortName) + [objective, "epochs", "seconds"]
                                    + (outcome.schedule != nil ? ["continues"] : []),
                                rows: rows)))
    for failed in outcome.trials where failed.failure != nil {
        outputs.append(.note("Trial \(failed.number) (\(describe(failed.values))) failed: \(failed.failure!)."))
    }

    for name in names {
        let points = outcome.trials.compactMap { trial -> (value: String, y: Double, label: String)? in
            guard let y = trial.objective, let value = trial.values[name] else { return nil }
            return (valueText(value), y, "trial \(trial.number)")
        }
        guard !points.isEmpty else { continue }
        outputs.append(.diagram(svg: SVGChart.render(ScatterPlot(title: "\(shortName(name)) against \(objective)",
                                                                 xLabel: shortName(name), yLabel: objective, values: points)),
                                caption: nil))
    }

    guard let best = outcome.best else {
        outputs.append(.note("No trial finished, so there are no best values; the later steps keep their own."))
        return outputs
    }
    outputs.append(.note("Best: trial \(best.number) reached \(objective) \(String(format: "%.4f", best.objective!)) in \(best.epochs) "
        + "epochs with " + wordsList(names.compactMap { n in best.values[n].map { "\(shortName(n)) \(valueText($0))" } }) + "."))
    if let applied {
        var used: [String] = []
        let buildNames = applied.names(for: "build"), trainNames = applied.names(for: "train")
        if !buildNames.isEmpty { used.append("the model is rebuilt with " + wordsList(buildNames.map { "\($0) \(valueText(applied.values["build." + $0]!))" })) }
        if !trainNames.isEmpty {
            used.append("the train step on line \(train.line) uses " + wordsList(trainNames.map { "\($0) \(valueText(applied.values["train." + $0]!))" }))
        }
        outputs.append(.note("Applied: " + used.joined(separator: "; ") + " (marked 'tuned' in their parameters)."))
    } else {
        outputs.append(.note("apply is false: the later steps keep their own values."))
    }
    return outputs
}

/// `{log_uniform: [0.0001, 0.01]}`, `[32, 64, 128]`.
func spaceText(_ values: SearchValues) -> String {
    switch values {
    case .choices(let list): return "[" + list.map(\.yaml).joined(separator: ", ") + "]"
    case .uniform(let lo, let hi): return "uniform in [\(ParamValue.double(lo).yaml), \(ParamValue.double(hi).yaml)]"
    case .logUniform(let lo, let hi): return "log-uniform in [\(ParamValue.double(lo).yaml), \(ParamValue.double(hi).yaml)]"
    }
}

/// "a", "a and b", "a, b and c".
func wordsList(_ items: [String]) -> String {
    items.count <= 2 ? items.joined(separator: " and ") : items.dropLast().joined(separator: ", ") + " and " + items.last!
}
