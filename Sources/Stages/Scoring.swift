import NeuralNet
import Tensor

/// Scores a model on one split: probabilities, loss and accuracy as Keras' `evaluate` gives them,
/// predictions and the confusion matrix. One forward pass serves all of them.
func score(_ model: Model, on set: ImageSet, split: Split) -> Evaluation {
    score(probabilities: model.predict(set), classes: model.classes, on: set, split: split)
}

/// Scores an ensemble: each member, then the mean of their probabilities, which the evaluation describes.
func score(_ ensemble: Ensemble, on set: ImageSet, split: Split) -> Evaluation {
    let each = ensemble.members.map { $0.predict(set) }
    var evaluation = score(probabilities: Ensemble.mean(each), classes: ensemble.classes, on: set, split: split)
    evaluation.members = zip(ensemble.seeds, each).map { seed, p in
        let right = zip(p.argmaxRows(), set.labels).filter { $0 == $1 }.count
        return MemberScore(seed: seed, accuracy: set.count > 0 ? Double(right) / Double(set.count) : .nan)
    }
    return evaluation
}

/// The evaluation of given probabilities.  probabilities: [N, classes]
func score(probabilities: Tensor, classes: Int, on set: ImageSet, split: Split) -> Evaluation {
    let predictions = set.count > 0 ? probabilities.argmaxRows() : []
    let loss = set.count > 0 ? SoftmaxCrossEntropy.loss(probabilities: probabilities, labels: set.labels) : .nan
    var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
    var correct = 0
    for (label, predicted) in zip(set.labels, predictions) {
        if label < classes { confusion[label][predicted] += 1 }
        if label == predicted { correct += 1 }
    }
    return Evaluation(split: split, loss: loss, accuracy: set.count > 0 ? Double(correct) / Double(set.count) : .nan,
                      probabilities: probabilities.scalars, classes: classes, labels: set.labels,
                      predictions: predictions, confusion: confusion)
}
