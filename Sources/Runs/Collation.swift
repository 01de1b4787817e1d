import Foundation

/// What `mnistbook collate` shows for a class: every usable run ranked, each one's parameters that
/// differ from the reference, and the folders left out with the reason. Reading never stops at a bad folder.
public struct Collation: Sendable {
    public struct Entry: Sendable {
        public var run: Run
        /// Parameters whose value differs from the reference: (name, reference value, this run's value).
        public var changes: [(name: String, reference: String?, value: String?)]
    }

    public struct Excluded: Sendable, Equatable {
        public var path: String
        public var reason: String
    }

    /// Ranked by test accuracy, best first (ties by folder name).
    public var entries: [Entry]
    public var excluded: [Excluded]
    public var reference: FlatParameters
    /// Where the reference came from: the notebook path, or "the most common value of each parameter".
    public var referenceSource: String
    /// Parameters that take more than one value across the entries, in notebook order.
    public var varied: [String]

    /// `reference` nil: each parameter's most common value across the runs, and the most common
    /// notebook file name. A run is left out when its folder cannot be read, its render failed, it has
    /// no test accuracy, or it comes from another notebook or dataset than the reference.
    public init(paths: [String], reference: (notebook: String, steps: [RunMetrics.Step], dataset: String?)? = nil) {
        var readable: [Run] = []
        var excluded: [Excluded] = []
        for path in paths {
            do {
                readable.append(try Run.read(path))
            } catch {
                excluded.append(Excluded(path: path, reason: error.problem))
            }
        }
        let notebookName: String?
        let referenceDataset: String?
        if let reference {
            self.reference = FlatParameters(steps: reference.steps)
            referenceSource = reference.notebook
            notebookName = URL(fileURLWithPath: reference.notebook).lastPathComponent
            referenceDataset = reference.dataset
        } else {
            notebookName = mostCommon(readable.map { URL(fileURLWithPath: $0.metrics.notebook).lastPathComponent })
            referenceDataset = mostCommon(readable.compactMap(\.metrics.dataset))
            let fromNotebook = readable.filter { URL(fileURLWithPath: $0.metrics.notebook).lastPathComponent == notebookName }
            self.reference = consensus(fromNotebook.map { FlatParameters($0.metrics) })
            referenceSource = "the most common value of each parameter"
        }
        var kept: [Run] = []
        for run in readable {
            let name = URL(fileURLWithPath: run.metrics.notebook).lastPathComponent
            if let notebookName, name != notebookName {
                excluded.append(Excluded(path: run.folder.path, reason: "from another notebook (\(name), not \(notebookName))"))
            } else if let referenceDataset, let dataset = run.metrics.dataset, dataset != referenceDataset {
                excluded.append(Excluded(path: run.folder.path, reason: "on another dataset (\(dataset), not \(referenceDataset))"))
            } else if run.metrics.status != "complete" {
                let failedStep = run.metrics.steps.first { $0.status == "failed" }
                excluded.append(Excluded(path: run.folder.path, reason: "incomplete: the render failed"
                    + (failedStep.map { " at the '\($0.stage)' step on line \($0.line)" } ?? "")))
            } else if run.metrics.testAccuracy == nil {
                excluded.append(Excluded(path: run.folder.path, reason: "incomplete: no test accuracy (no evaluate step on the test split)"))
            } else {
                kept.append(run)
            }
        }
        uniqueNames(&kept)
        kept.sort { ($0.metrics.testAccuracy ?? 0, $1.name) > ($1.metrics.testAccuracy ?? 0, $0.name) }
        let reference = self.reference
        let lookup = Dictionary(reference.entries.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        entries = kept.map { run in
            let flat = FlatParameters(run.metrics)
            var changes: [(name: String, reference: String?, value: String?)] = []
            let own = Dictionary(flat.entries.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            for (name, value) in flat.entries where lookup[name] != value { changes.append((name, lookup[name], value)) }
            for (name, value) in reference.entries where own[name] == nil { changes.append((name, value, nil)) }
            return Entry(run: run, changes: changes)
        }
        self.excluded = excluded
        varied = parameterDifferences(kept.map { FlatParameters($0.metrics) }).map(\.name)
    }
}

extension FlatParameters {
    /// From steps as a notebook validates them (the reference of `collate`).
    public init(steps: [RunMetrics.Step]) {
        var metrics = RunMetrics(notebook: "", status: "complete", steps: steps)
        metrics.steps = steps
        self.init(metrics)
    }
}

/// Each parameter's most common value among runs (ties: the first run's), in the first run's order.
func consensus(_ runs: [FlatParameters]) -> FlatParameters {
    guard var result = runs.first else { return FlatParameters(steps: []) }
    result.entries = result.entries.map { entry in
        let values = runs.compactMap { $0[entry.name] }
        return (entry.name, mostCommon(values) ?? entry.value)
    }
    return result
}

func mostCommon(_ values: [String]) -> String? {
    var counts: [String: Int] = [:]
    for v in values { counts[v, default: 0] += 1 }
    // First seen wins a tie, so the answer does not depend on dictionary order.
    return values.max { counts[$0]! < counts[$1]! || (counts[$0]! == counts[$1]! && values.firstIndex(of: $0)! > values.firstIndex(of: $1)!) }
}
