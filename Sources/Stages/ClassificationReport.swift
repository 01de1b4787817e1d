import Report

/// Precision, recall, f1-score and support of one class, or an average of them.
struct ClassScores {
    var precision: Double
    var recall: Double
    var f1: Double
    var support: Int
}

/// scikit-learn's `classification_report`, computed from a confusion matrix (rows true, columns predicted).
///
/// Every class is listed, as with `labels=range(classes)`; a class never predicted gets precision 0,
/// which is scikit-learn's `zero_division` default.
struct ClassificationReport {
    var names: [String]
    var perClass: [ClassScores]
    var accuracy: Double
    var macro: ClassScores
    var weighted: ClassScores
    var total: Int

    init(confusion: [[Int]], names: [String]) {
        self.names = names
        let k = confusion.count
        perClass = (0..<k).map { c in
            let support = confusion[c].reduce(0, +)
            let predicted = confusion.reduce(0) { $0 + $1[c] }
            let hit = Double(confusion[c][c])
            let precision = predicted > 0 ? hit / Double(predicted) : 0
            let recall = support > 0 ? hit / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return ClassScores(precision: precision, recall: recall, f1: f1, support: support)
        }
        total = perClass.reduce(0) { $0 + $1.support }
        accuracy = total > 0 ? Double((0..<k).reduce(0) { $0 + confusion[$1][$1] }) / Double(total) : 0
        let n = Double(max(k, 1))
        macro = ClassScores(precision: perClass.reduce(0) { $0 + $1.precision } / n,
                            recall: perClass.reduce(0) { $0 + $1.recall } / n,
                            f1: perClass.reduce(0) { $0 + $1.f1 } / n, support: total)
        let w = Double(max(total, 1))
        weighted = ClassScores(precision: perClass.reduce(0) { $0 + $1.precision * Double($1.support) } / w,
                               recall: perClass.reduce(0) { $0 + $1.recall * Double($1.support) } / w,
                               f1: perClass.reduce(0) { $0 + $1.f1 * Double($1.support) } / w, support: total)
    }

    /// The text `print(classification_report(y_true, y_pred, target_names=names, digits=4))` prints.
    var text: String {
        let digits = 4
        let width = max(names.map(\.count).max() ?? 0, "weighted avg".count, digits)
        func right(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        func row(_ name: String, _ s: ClassScores) -> String {
            right(name, width) + " " + [s.precision, s.recall, s.f1].map { " " + right(fixed($0, digits), 9) }.joined()
                + " " + right("\(s.support)", 9) + "\n"
        }
        var out = right("", width) + " " + ["precision", "recall", "f1-score", "support"].map { " " + right($0, 9) }.joined() + "\n\n"
        for (name, scores) in zip(names, perClass) { out += row(name, scores) }
        out += "\n"
        out += right("accuracy", width) + " " + " " + right("", 9) + " " + right("", 9)
            + " " + right(fixed(accuracy, digits), 9) + " " + right("\(total)", 9) + "\n"
        out += row("macro avg", macro)
        out += row("weighted avg", weighted)
        return out
    }

    /// The same numbers as a report table (4 decimals), averages in the footer.
    var table: Table {
        func cells(_ name: String, _ s: ClassScores) -> [String] {
            [name, fixed(s.precision, 4), fixed(s.recall, 4), fixed(s.f1, 4), "\(s.support)"]
        }
        return Table(caption: "Classification report",
                     header: ["", "precision", "recall", "f1-score", "support"],
                     rows: zip(names, perClass).map { cells($0, $1) },
                     alignRight: [1, 2, 3, 4],
                     footer: [["accuracy", "", "", fixed(accuracy, 4), "\(total)"],
                              cells("macro avg", macro), cells("weighted avg", weighted)])
    }
}
