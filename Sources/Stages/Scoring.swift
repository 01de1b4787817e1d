import NeuralNet
import Tensor

/// Scores a model on one split: probabilities, loss and accuracy as Keras' `evaluate` gives them,
/// predictions and the confusion matrix. One forward pass serves all of them.
func score(_ model: Model, on set: ImageSet, split: Split) -> Evaluation {
    let probabilities = model.predict(set)              // [N, classes]
    let classes = model.classes
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
