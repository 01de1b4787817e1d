import Foundation

/// One finished render, read from its output folder: metrics.json (required), the training history
/// and the test predictions (each when the notebook had that step).
public struct Run: Sendable {
    public var folder: URL
    /// How pages name the run: the folder's name, made unique by the caller when two share one.
    public var name: String
    public var metrics: RunMetrics
    public var history: TrainingHistory?
    public var predictions: Predictions?

    /// `path` is an output folder or its metrics.json. Errors name the folder and what is missing.
    public static func read(_ path: String) throws(RunError) -> Run {
        var url = URL(fileURLWithPath: path).standardizedFileURL
        if url.lastPathComponent == "metrics.json" { url.deleteLastPathComponent() }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw RunError(path, "no such folder")
        }
        guard isDirectory.boolValue else {
            throw RunError(path, "not a render output folder (give the folder, or its metrics.json)")
        }
        let metricsURL = url.appendingPathComponent("metrics.json")
        guard FileManager.default.fileExists(atPath: metricsURL.path) else {
            throw RunError(url.path, "no metrics.json: not a render output folder, or its render never finished "
                + "(run mnistbook render first)")
        }
        let metrics = try readJSON(RunMetrics.self, at: metricsURL, what: "metrics.json")
        let historyURL = url.appendingPathComponent("training_history.json")
        let history = FileManager.default.fileExists(atPath: historyURL.path)
            ? try readJSON(TrainingHistory.self, at: historyURL, what: "training_history.json") : nil
        let predictionsURL = url.appendingPathComponent(Predictions.fileName)
        let predictions = FileManager.default.fileExists(atPath: predictionsURL.path) ? try Predictions.read(predictionsURL) : nil
        return Run(folder: url, name: url.lastPathComponent, metrics: metrics, history: history, predictions: predictions)
    }

    /// The dataset and its digest, for "same dataset?" checks: the digest when both runs have one.
    func sameDataset(as other: Run) -> Bool {
        if let a = metrics.datasetSHA256, let b = other.metrics.datasetSHA256 { return a == b }
        return metrics.dataset == other.metrics.dataset
    }
}

/// Folder names made unique: `a/out` and `b/out` become `a/out` and `b/out`, not `out` twice.
func uniqueNames(_ runs: inout [Run]) {
    let counts = Dictionary(runs.map { ($0.name, 1) }, uniquingKeysWith: +)
    for i in runs.indices where counts[runs[i].name, default: 0] > 1 {
        let parent = runs[i].folder.deletingLastPathComponent().lastPathComponent
        runs[i].name = parent + "/" + runs[i].name
    }
    let again = Dictionary(runs.map { ($0.name, 1) }, uniquingKeysWith: +)
    for i in runs.indices where again[runs[i].name, default: 0] > 1 { runs[i].name = runs[i].folder.path }
}
