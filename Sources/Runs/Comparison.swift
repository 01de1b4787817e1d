/// What `mnistbook compare` shows, computed from two or more runs; the page draws it.
public struct Comparison: Sendable {
    public var runs: [Run]
    public var differences: [ParameterDifference]
    /// For the first two runs (A and B), when both have test predictions of the same images.
    public var pair: PairComparison?
    /// Why there is no pair comparison, when there are two runs but no `pair`.
    public var pairNote: String?

    /// Checks that the runs can be compared (same dataset) and computes everything.
    public init(_ runs: [Run]) throws(RunError) {
        guard runs.count >= 2 else { throw RunError("", "compare needs at least two render output folders") }
        for run in runs.dropFirst() where !run.sameDataset(as: runs[0]) {
            throw RunError(run.folder.path, "a run on dataset '\(run.metrics.dataset ?? "unknown")', but "
                + "\(runs[0].folder.path) is on '\(runs[0].metrics.dataset ?? "unknown")'"
                + (run.metrics.dataset == runs[0].metrics.dataset ? " with other files (different checksums)" : "")
                + ": runs on different datasets cannot be compared")
        }
        var named = runs
        uniqueNames(&named)
        self.runs = named
        differences = parameterDifferences(named.map { FlatParameters($0.metrics) })
        let a = named[0], b = named[1]
        if let pa = a.predictions, let pb = b.predictions {
            if pa.imagesSHA256 == pb.imagesSHA256, pa.count == pb.count, pa.classes == pb.classes {
                pair = PairComparison(a: pa, b: pb)
            } else {
                pairNote = "\(a.name) and \(b.name) were evaluated on different test images (a different limit_test?), "
                    + "so their predictions cannot be compared image by image."
            }
        } else {
            let missing = [a, b].filter { $0.predictions == nil }.map(\.name)
            pairNote = "No predictions.json in \(missing.joined(separator: " and ")) (no evaluate step on the test split), "
                + "so the confusion matrices and images cannot be compared."
        }
    }
}

/// Image-by-image comparison of two runs' test predictions on the same images.
public struct PairComparison: Sendable {
    public var a: Predictions
    public var b: Predictions
    /// confusionB − confusionA, [true][predicted]; each row sums to zero (same images, same labels).
    public var confusionDelta: [[Int]]
    /// Recall per class, B minus A.
    public var recallDelta: [Double]
    /// Test images B gets right and A wrong, and the reverse, in index order.
    public var fixedByB: [Int]
    public var brokenByB: [Int]

    public init(a: Predictions, b: Predictions) {
        self.a = a
        self.b = b
        let ca = a.confusion, cb = b.confusion
        confusionDelta = zip(ca, cb).map { ra, rb in zip(ra, rb).map { $1 - $0 } }
        recallDelta = a.classes.indices.map { c in
            let sa = ca[c].reduce(0, +), sb = cb[c].reduce(0, +)
            let ra = sa > 0 ? Double(ca[c][c]) / Double(sa) : 0, rb = sb > 0 ? Double(cb[c][c]) / Double(sb) : 0
            return rb - ra
        }
        fixedByB = a.labels.indices.filter { !a.isCorrect($0) && b.isCorrect($0) }
        brokenByB = a.labels.indices.filter { a.isCorrect($0) && !b.isCorrect($0) }
    }
}
