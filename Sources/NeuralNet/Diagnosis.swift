import Foundation

/// One rule-based reading of a training run or an evaluation: what the numbers show (quoted), and
/// which notebook parameter to change. Each rule is a pure function of a training history or a confusion
/// matrix, so it lives beside `History` and is tested without running a notebook.
public struct DiagnosisNote: Equatable, Sendable {
    public enum Rule: String, Sendable, CaseIterable {
        case overfitting, divergence, underfitting
        case neglectedClass = "neglected class"
        case learningRateFloor = "learning rate at min_lr"
        case earlyStop = "early stop"
        case chanceLevel = "chance level"
    }
    /// A note explains; a warning says the run's result cannot be trusted (the report shows it amber).
    public enum Severity: String, Sendable { case note, warning }
    public var rule: Rule
    /// The finding with its evidence numbers.
    public var evidence: String
    /// The parameter to change (`stage.param`) and how.
    public var parameter: String
    public var suggestion: String
    public var severity: Severity = .note
}

/// The diagnosis rules. Thresholds are chosen for MNIST-like data; each is a parameter so tests can drive it.
public enum Diagnosis {
    /// Every training rule that fires, in a fixed order.
    public static func training(_ epochs: [EpochLog], events: [TrainingEvent], learningRate: Double,
                                minLR: Double?, patience: Int?, underfitBelow: Double = 0.9, classes: Int = 10) -> [DiagnosisNote] {
        let diverged = divergence(epochs, learningRate: learningRate, classes: classes)
        return [
            chanceLevel(epochs, classes: classes),
            overfitting(epochs),
            diverged,
            diverged == nil ? underfitting(epochs, below: underfitBelow) : nil,   // a diverged run underfits by definition
            learningRateFloor(epochs, events: events, minLR: minLR),
            earlyStop(events, patience: patience),
        ].compactMap { $0 }
    }

    /// val_loss lowest at epoch k, then higher at the end (by 2% or more) while the training loss kept falling.
    public static func overfitting(_ epochs: [EpochLog]) -> DiagnosisNote? {
        let scored = epochs.compactMap { e in e.valLoss.map { (epoch: e.epoch, val: $0, loss: e.loss) } }.filter { $0.val.isFinite }
        guard scored.count >= 3, let best = scored.min(by: { $0.val < $1.val }), let last = scored.last,
              last.epoch > best.epoch, last.val >= best.val * 1.02, last.loss < best.loss else { return nil }
        return DiagnosisNote(
            rule: .overfitting,
            evidence: "val_loss was lowest at epoch \(best.epoch) (\(fixed(best.val, 4))) and rose to \(fixed(last.val, 4)) "
                + "by epoch \(last.epoch), while the training loss fell from \(fixed(best.loss, 4)) to \(fixed(last.loss, 4)).",
            parameter: "train.epochs",
            suggestion: "train.epochs: \(best.epoch), or keep early_stopping on val_loss with restore_best_weights: true, "
                + "or a higher dropout rate in build.layers.")
    }

    /// The last epoch's val_accuracy is at most 1.5 times chance (1 / classes): the model as it infers has not
    /// learned, whatever the training accuracy says.
    public static func chanceLevel(_ epochs: [EpochLog], classes: Int) -> DiagnosisNote? {
        guard classes >= 2, let last = epochs.last, let accuracy = last.valAccuracy, accuracy.isFinite else { return nil }
        let chance = 1 / Double(classes)
        guard accuracy <= 1.5 * chance else { return nil }
        let training = last.accuracy.isFinite ? ", while the training accuracy is \(percent(last.accuracy, digits: 1))" : ""
        return DiagnosisNote(rule: .chanceLevel,
                             evidence: "val_accuracy after epoch \(last.epoch) is \(percent(accuracy, digits: 1)), chance level for "
                                 + "\(classes) classes (\(percent(chance, digits: 0)))\(training).",
                             parameter: "train.batch_size",
                             suggestion: "more steps: a smaller train.batch_size, more train.epochs or more load.limit_train images; "
                                 + "a lower train.learning_rate if the training accuracy is low too.",
                             severity: .warning)
    }

    /// An evaluation's accuracy at most 1.5 times chance: the scores say the model guesses.
    public static func chanceScore(accuracy: Double, classes: Int, split: String) -> DiagnosisNote? {
        guard classes >= 2, accuracy.isFinite, accuracy <= 1.5 / Double(classes) else { return nil }
        return DiagnosisNote(rule: .chanceLevel,
                             evidence: "\(split) accuracy \(percent(accuracy, digits: 1)) is chance level for \(classes) classes "
                                 + "(\(percent(1 / Double(classes), digits: 0))): the model guesses.",
                             parameter: "train.learning_rate",
                             suggestion: "the train step's warnings: a lower train.learning_rate if its loss grew, more steps if val_accuracy lagged.",
                             severity: .warning)
    }

    /// The training loss ends above where it started, or became non-finite: the steps overshoot.
    /// A loss above 4 × ln(classes) (the loss of giving every class the same probability) exploded, even when it
    /// did not grow after its first epoch.
    public static func divergence(_ epochs: [EpochLog], learningRate: Double, failedWithNonFiniteLoss: Bool = false,
                                  classes: Int = 10) -> DiagnosisNote? {
        let suggestion = "train.learning_rate: \(learningRateText(learningRate / 10)) (a tenth of \(learningRateText(learningRate)))."
        if failedWithNonFiniteLoss || epochs.contains(where: { !$0.loss.isFinite }) {
            let epoch = epochs.first(where: { !$0.loss.isFinite })?.epoch ?? (epochs.count + 1)
            return DiagnosisNote(rule: .divergence,
                                 evidence: "the training loss became non-finite in epoch \(epoch) with learning rate \(learningRateText(learningRate)).",
                                 parameter: "train.learning_rate", suggestion: suggestion, severity: .warning)
        }
        guard epochs.count >= 2, let first = epochs.first, let last = epochs.last, last.loss > first.loss * 1.05 else {
            return exploded(epochs, learningRate: learningRate, classes: classes, suggestion: suggestion)
        }
        let peak = epochs.max { $0.loss < $1.loss }!
        return DiagnosisNote(rule: .divergence,
                             evidence: "the training loss rose from \(fixed(first.loss, 4)) in epoch 1 to \(fixed(last.loss, 4)) in epoch "
                                 + "\(last.epoch) (peak \(fixed(peak.loss, 4)) in epoch \(peak.epoch)) with learning rate \(learningRateText(learningRate)).",
                             parameter: "train.learning_rate", suggestion: suggestion, severity: .warning)
    }

    /// The part of `divergence` for a loss that did not grow but exploded: above 4 × ln(classes).
    private static func exploded(_ epochs: [EpochLog], learningRate: Double, classes: Int, suggestion: String) -> DiagnosisNote? {
        let uniform = log(Double(max(classes, 2)))
        if let peak = epochs.max(by: { $0.loss < $1.loss }), peak.loss > 4 * uniform {
            return DiagnosisNote(rule: .divergence,
                                 evidence: "the training loss reached \(groupedLoss(peak.loss)) in epoch \(peak.epoch), far above "
                                     + "\(fixed(uniform, 2)) (ln \(classes), the loss of giving every class the same probability), "
                                     + "with learning rate \(learningRateText(learningRate)).",
                                 parameter: "train.learning_rate", suggestion: suggestion, severity: .warning)
        }
        return nil
    }

    /// The training accuracy after all epochs is below `below`.
    public static func underfitting(_ epochs: [EpochLog], below threshold: Double) -> DiagnosisNote? {
        guard let last = epochs.last, last.accuracy.isFinite, last.accuracy < threshold else { return nil }
        return DiagnosisNote(rule: .underfitting,
                             evidence: "the training accuracy after \(epochs.count) epoch\(epochs.count == 1 ? "" : "s") is "
                                 + "\(percent(last.accuracy)), below \(percent(threshold, digits: 0)).",
                             parameter: "train.epochs",
                             suggestion: "train.epochs: \(max(epochs.count * 2, 2)), or more filters or units in build.layers.")
    }

    /// ReduceLROnPlateau brought the learning rate down to its floor: later epochs barely move the weights.
    public static func learningRateFloor(_ epochs: [EpochLog], events: [TrainingEvent], minLR: Double?) -> DiagnosisNote? {
        guard let minLR else { return nil }
        let floorEvent = events.first { if case let .learningRateReduced(_, lr) = $0 { return Float(lr) <= Float(minLR) }; return false }
        guard case let .learningRateReduced(epoch, lr)? = floorEvent else { return nil }
        let after = epochs.filter { $0.epoch > epoch }.count
        return DiagnosisNote(rule: .learningRateFloor,
                             evidence: "ReduceLROnPlateau reduced the learning rate to \(learningRateText(lr)) (min_lr \(learningRateText(minLR))) "
                                 + "after epoch \(epoch); \(after) epoch\(after == 1 ? "" : "s") ran at that floor.",
                             parameter: "train.reduce_lr_on_plateau",
                             suggestion: "train.reduce_lr_on_plateau: {patience: 3} so it waits longer, or fewer train.epochs.")
    }

    /// EarlyStopping ended the run within its first patience + 2 epochs: the first epoch was the best.
    public static func earlyStop(_ events: [TrainingEvent], patience: Int?) -> DiagnosisNote? {
        guard let patience else { return nil }
        let stop = events.first { if case .stoppedEarly = $0 { return true }; return false }
        guard case let .stoppedEarly(epoch)? = stop, epoch <= patience + 2 else { return nil }
        return DiagnosisNote(rule: .earlyStop,
                             evidence: "EarlyStopping (patience \(patience)) stopped training after epoch \(epoch): the monitored "
                                 + "value stopped improving after epoch \(max(epoch - patience, 1)).",
                             parameter: "train.early_stopping",
                             suggestion: "train.early_stopping: {patience: \(patience + 3)}, or a lower train.learning_rate.")
    }

    /// Classes never predicted, or with recall more than `gap` below the median recall.  confusion[true][predicted]
    public static func neglectedClasses(_ confusion: [[Int]], classNames: [String], gap: Double = 0.2) -> [DiagnosisNote] {
        let k = confusion.count
        guard k >= 2 else { return [] }
        let support = confusion.map { $0.reduce(0, +) }
        let predicted = (0..<k).map { c in confusion.reduce(0) { $0 + (c < $1.count ? $1[c] : 0) } }
        let recall = (0..<k).map { c in support[c] > 0 ? Double(confusion[c][c]) / Double(support[c]) : Double.nan }
        let known = recall.filter { !$0.isNaN }.sorted()
        guard !known.isEmpty else { return [] }
        let median = known[known.count / 2]
        func name(_ c: Int) -> String { c < classNames.count ? classNames[c] : "\(c)" }
        var notes: [DiagnosisNote] = []
        for c in 0..<k where support[c] > 0 {
            if predicted[c] == 0 {
                notes.append(DiagnosisNote(rule: .neglectedClass,
                                           evidence: "class \(name(c)) is never predicted (\(support[c]) images of it, recall 0%; median recall \(percent(median))).",
                                           parameter: "train.epochs",
                                           suggestion: "train.epochs: more, or a lower train.learning_rate; check the class balance in eda.",
                                           severity: .warning))
            } else if recall[c] < median - gap {
                notes.append(DiagnosisNote(rule: .neglectedClass,
                                           evidence: "class \(name(c)) has recall \(percent(recall[c])), far below the median recall \(percent(median)) "
                                               + "(\(confusion[c][c]) of \(support[c]) images).",
                                           parameter: "train.epochs",
                                           suggestion: "train.epochs: more; see error-analysis for what class \(name(c)) is taken for."))
            }
        }
        return notes
    }
}

/// 399830.2 → "399,830"; below 100 with 2 decimals.
private func groupedLoss(_ x: Double) -> String {
    guard x >= 100, x < 1e15 else { return fixed(x, 2) }
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    formatter.maximumFractionDigits = 0
    formatter.locale = Locale(identifier: "en_US")
    return formatter.string(from: NSNumber(value: x.rounded())) ?? fixed(x, 0)
}

private func fixed(_ x: Double, _ digits: Int) -> String {
    x.isFinite ? String(format: "%.\(digits)f", x) : "\(x)"
}

/// 0.9912 → "99.12%".
private func percent(_ x: Double, digits: Int = 2) -> String { fixed(x * 100, digits) + "%" }

/// A learning rate as the notebook writes it: 0.001, 1e-06. Through Float so a rate stored as float32 prints
/// short, except beyond float32's range (1e39), where Float would print "inf" for the rate the notebook gave.
private func learningRateText(_ x: Double) -> String { String(format: "%g", Float(x).isFinite ? Double(Float(x)) : x) }
