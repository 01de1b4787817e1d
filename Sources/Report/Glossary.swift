/// What a parameter chip shows on hover and keyboard focus: the text `mnistbook steps` prints for it.
public struct ParameterHelp: Sendable, Equatable {
    public var doc: String
    /// The type with its allowed range, e.g. "int ≥ 1", "adam|sgd|rmsprop".
    public var allowed: String
    public var defaultValue: String

    public init(doc: String, allowed: String, defaultValue: String) {
        self.doc = doc
        self.allowed = allowed
        self.defaultValue = defaultValue
    }
}

/// The report's glossary: the terms a student meets in the steps, each with an anchor the chips link to.
public enum Glossary {
    public struct Term: Sendable {
        public let id: String
        public let term: String
        /// The parameters whose chips link here (a parameter links to one term at most).
        public var parameters: [String] = []
        public let definition: String
    }

    public static let terms: [Term] = [
        Term(id: "epoch", term: "epoch", parameters: ["epochs", "track"], definition: "One pass of training over every training image. Validation is scored after each epoch."),
        Term(id: "batch", term: "batch", parameters: ["batch_size"], definition: "The images used for one step of the optimizer; the gradient is averaged over them. More images per batch means fewer, smoother steps per epoch."),
        Term(id: "learning-rate", term: "learning rate", parameters: ["learning_rate", "momentum"], definition: "How far each optimizer step moves the weights along the gradient. Too high and the loss rises or becomes NaN (divergence); too low and training crawls."),
        Term(id: "optimizer", term: "optimizer", parameters: ["optimizer"], definition: "The rule that turns gradients into weight updates: SGD, SGD with momentum, RMSprop or Adam."),
        Term(id: "loss", term: "loss", definition: "The number training minimises; here categorical cross-entropy, −log of the probability given to the true class."),
        Term(id: "overfitting", term: "overfitting", definition: "The model learns the training images rather than digits in general: training loss keeps falling while validation loss rises. Fewer epochs, dropout or more data help."),
        Term(id: "underfitting", term: "underfitting", definition: "The model has not learned even the training images well: accuracy stays low on both. More epochs, a larger model or a better learning rate help."),
        Term(id: "validation", term: "validation set", parameters: ["validation_split"], definition: "Images held out from training and scored after every epoch, to watch for overfitting and to drive the callbacks. The test set is kept for the end."),
        Term(id: "early-stopping", term: "early stopping", parameters: ["early_stopping"], definition: "A callback that ends training when the monitored value has not improved for 'patience' epochs, optionally restoring the best epoch's weights."),
        Term(id: "reduce-lr", term: "reduce LR on plateau", parameters: ["reduce_lr_on_plateau"], definition: "A callback that multiplies the learning rate by 'factor' when the monitored value stalls for 'patience' epochs, never going below min_lr."),
        Term(id: "checkpoint", term: "model checkpoint", parameters: ["model_checkpoint"], definition: "A callback that keeps the weights of the best epoch seen so far."),
        Term(id: "convolution", term: "convolution", parameters: ["layers", "filters"], definition: "A layer that slides small kernels (filters) over the image; each filter produces one feature map (channel) that lights up where its pattern appears."),
        Term(id: "pooling", term: "max pooling", definition: "Keeps the largest value of each small window, halving the feature maps' size and tolerating small shifts."),
        Term(id: "batch-norm", term: "batch normalisation", definition: "Rescales each channel to zero mean and unit variance over the batch while training, and with moving averages at inference."),
        Term(id: "dropout", term: "dropout", definition: "While training, sets a random fraction ('rate') of activations to zero, so the network cannot rely on any one of them; off at inference."),
        Term(id: "activation", term: "activation", definition: "The non-linear function after a layer: relu, sigmoid, tanh, or softmax for class probabilities."),
        Term(id: "normalisation", term: "normalisation", parameters: ["normalize"], definition: "Scaling pixel values (0–255) to a small range such as 0–1 before training, so the first steps are well sized."),
        Term(id: "accuracy", term: "accuracy", parameters: ["expect"], definition: "The share of images whose predicted class is the true one."),
        Term(id: "precision-recall", term: "precision and recall", definition: "Per class: precision is the share of images predicted as the class that are it; recall is the share of the class's images found. F1 is their harmonic mean."),
        Term(id: "confusion-matrix", term: "confusion matrix", definition: "Counts of true class (row) against predicted class (column); the diagonal holds the correct predictions."),
        Term(id: "saliency", term: "saliency map", parameters: ["saliency"], definition: "The gradient of a class score with respect to each input pixel: the pixels whose change would change the score most (Simonyan et al. 2014)."),
        Term(id: "feature-map", term: "feature map", definition: "One channel of a layer's output for one image: where that channel's pattern was found."),
        Term(id: "pca", term: "PCA", parameters: ["embedding"], definition: "Principal component analysis: the directions along which a set of points varies most; projecting on the first two draws high-dimensional features in 2-D."),
        Term(id: "seed", term: "seed", definition: "The number that fixes every random choice (shuffling, initial weights, dropout), so a render can be repeated exactly."),
    ]

    /// The glossary term a parameter's chip links to, by parameter name.
    public static func term(forParameter name: String) -> Term? {
        terms.first { $0.parameters.contains(name) }
    }
}
