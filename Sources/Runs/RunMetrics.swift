/// metrics.json as a render writes it (see README's metrics.json section); every number may be null.
public struct RunMetrics: Decodable, Sendable {
    public var notebook: String
    public var status: String
    public var seed: Int?
    public var dataset: String?
    public var datasetSHA256: String?
    public var trainSamples: Int?
    public var valSamples: Int?
    public var testSamples: Int?
    public var paramsTotal: Int?
    public var epochsRun: Int?
    public var bestEpoch: Int?
    public var testAccuracy: Double?
    public var testLoss: Double?
    /// The seed spread of the test accuracy (`train.repeat`); nil when the render measured none.
    public var testAccuracySD: Double?
    public var valAccuracy: Double?
    public var valLoss: Double?
    public var trainSeconds: Double?
    public var totalSeconds: Double?
    public var events: [Event]?
    public var steps: [Step]
    public var tune: JSONValue?

    public struct Step: Decodable, Sendable {
        public var stage: String
        public var line: Int
        public var status: String
        /// Effective parameters; absent in metrics.json of renders before compare existed.
        public var params: [String: JSONValue]?

        public init(stage: String, line: Int, status: String = "ran", params: [String: JSONValue]?) {
            self.stage = stage
            self.line = line
            self.status = status
            self.params = params
        }
    }

    init(notebook: String, status: String, steps: [Step]) {
        self.notebook = notebook
        self.status = status
        self.steps = steps
    }

    /// A callback event; epochs are 1-based.
    public struct Event: Decodable, Sendable {
        public var kind: String
        public var epoch: Int
        public var learningRate: Double?

        /// Short marker text for a chart: "LR → 0.0005", "stopped".
        public var label: String {
            switch kind {
            case "learning_rate_reduced": return "LR → " + (learningRate.map(numberText) ?? "?")
            case "stopped_early": return "stopped"
            case "restored_best_weights": return "restored best"
            case "checkpoint": return "checkpoint"
            default: return kind
            }
        }

        enum CodingKeys: String, CodingKey { case kind, epoch, learningRate = "learning_rate" }
    }

    enum CodingKeys: String, CodingKey {
        case notebook, status, seed, dataset, events, steps, tune
        case datasetSHA256 = "dataset_sha256", trainSamples = "train_samples", valSamples = "val_samples"
        case testSamples = "test_samples", paramsTotal = "params_total", epochsRun = "epochs_run", bestEpoch = "best_epoch"
        case testAccuracySD = "test_accuracy_sd"
        case testAccuracy = "test_accuracy", testLoss = "test_loss", valAccuracy = "val_accuracy", valLoss = "val_loss"
        case trainSeconds = "train_seconds", totalSeconds = "total_seconds"
    }
}

/// training_history.json: Keras' History.history (NaN written as null).
public struct TrainingHistory: Decodable, Sendable {
    public var loss: [Double?]
    public var accuracy: [Double?]
    public var valLoss: [Double?]?
    public var valAccuracy: [Double?]?

    enum CodingKeys: String, CodingKey { case loss, accuracy, valLoss = "val_loss", valAccuracy = "val_accuracy" }

    public var epochs: Int { loss.count }
}
