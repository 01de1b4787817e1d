import NeuralNet
import Report
import Tensor

/// `train.track`: fixed test digits predicted after every epoch (a timelapse of learning), and the
/// validation confusion matrix of every epoch. Predictions run at inference: training is unchanged.
final class TrainingTracker {
    let model: Model
    let indices: [Int]
    private let x: Tensor             // the tracked digits: [n, H, W, C]
    let labels: [Int]
    let validation: ImageSet?
    /// Per epoch, per tracked digit: predicted class and its probability.
    private(set) var predictions: [[Timelapse.Prediction]] = []
    /// Per epoch: confusion[true][predicted] on the validation set.
    private(set) var confusions: [[[Int]]] = []

    init(model: Model, test: ImageSet, indices: [Int], validation: ImageSet?) {
        self.model = model
        self.indices = indices
        let batch = test.batch(indices)
        x = batch.x
        labels = batch.labels
        self.validation = validation.flatMap { $0.count > 0 ? $0 : nil }
    }

    /// The most digits `track` may follow: one table row each.
    static let maxTracked = 100

    /// `count` digits taking the classes in turn (the first 0, the first 1, …, then the second of each).
    static func defaultIndices(count: Int, test: ImageSet, classes: Int) -> [Int] {
        let byClass = (0..<classes).map { c in test.labels.indices.filter { test.labels[$0] == c } }
        var chosen: [Int] = []
        var round = 0
        while chosen.count < min(count, test.count) && byClass.contains(where: { round < $0.count }) {
            for c in 0..<classes where chosen.count < count && round < byClass[c].count { chosen.append(byClass[c][round]) }
            round += 1
        }
        return chosen
    }

    func epochEnded() {
        let p = model.forward(x)
        let k = model.classes
        predictions.append(p.argmaxRows().enumerated().map { i, c in Timelapse.Prediction(cls: c, confidence: Double(p[flat: i * k + c])) })
        if let validation {
            var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
            let predicted = model.predict(validation).argmaxRows()
            for (t, q) in zip(validation.labels, predicted) where t < k { confusion[t][q] += 1 }
            confusions.append(confusion)
        }
    }

    func outputs(test: ImageSet, classNames: [String]) -> [Output] {
        let k = model.classes
        let names = (0..<k).map { $0 < classNames.count ? classNames[$0] : "\($0)" }
        let rows = indices.enumerated().map { i, index in
            Timelapse.Row(index: index, digit: Inspection.image(test, index), trueClass: labels[i], predictions: predictions.map { $0[i] })
        }
        let timelapse = Timelapse(title: "Timelapse: \(indices.count) test digits predicted after every epoch", rows: rows, classNames: names)
        var outputs: [Output] = [.timelapse(timelapse),
                                 .note("Each cell: the class predicted after that epoch and its probability; green right, red wrong, deeper when surer.")]
        if !confusions.isEmpty {
            outputs.append(.details(summary: "Validation confusion matrix after each of the \(confusions.count) epochs", outputs:
                                    confusions.enumerated().map { e, m in
                                        .heatmap(Heatmap(title: "Epoch \(e + 1)", rowLabels: names, colLabels: names, values: m))
                                    }))
        }
        return outputs
    }
}
