import Foundation

/// The mnistbook release that writes model files and ONNX exports (their `producer_version`).
public let mnistbookVersion = "0.1.0"

/// What a saved model needs besides its architecture and weights to be used on new images:
/// where it was trained, what its outputs mean, and how to turn pixels into its input.
/// Stored in the `.mnistbook` file's JSON header and in the ONNX export's `metadata_props`.
public struct ModelMetadata: Codable, Equatable, Sendable {
    /// The input transformation: x · scale + shift on pixel values 0…255.
    public struct Preprocessing: Codable, Equatable, Sendable {
        public var scale: Float
        public var shift: Float
        /// Human-readable form, e.g. "x / 255".
        public var description: String

        public init(scale: Float, shift: Float, description: String) {
            self.scale = scale
            self.shift = shift
            self.description = description
        }

        /// Keras' `x / 255`.
        public static let divideBy255 = Preprocessing(scale: 1.0 / 255, shift: 0, description: "x / 255")
        /// No preprocessing: raw pixel values 0…255.
        public static let none = Preprocessing(scale: 1, shift: 0, description: "x")
    }

    /// The dataset the model was trained on ("mnist", "fashion-mnist", a folder name …).
    public var dataset: String
    /// One name per output, in output order ("0" … "9" for MNIST).
    public var classNames: [String]
    public var preprocessing: Preprocessing
    /// Per-sample input shape, channels last, e.g. [28, 28, 1].
    public var inputShape: [Int]
    /// Accuracy on the test split, when it was evaluated before saving.
    public var testAccuracy: Double?
    /// The training epoch whose weights the file holds (the restored best one, or the checkpoint's), when known.
    public var epoch: Int?
    /// The notebook's seed (shuffling, initialisation, dropout).
    public var seed: UInt64
    /// The mnistbook release that wrote the file.
    public var mnistbookVersion: String
    /// The model file format version (`ModelFile.formatVersion`).
    public var formatVersion: Int
    /// When the file was written, ISO 8601 in UTC, e.g. "2025-01-31T12:00:00Z".
    public var created: String

    public init(dataset: String, classNames: [String], preprocessing: Preprocessing = .divideBy255,
                inputShape: [Int], testAccuracy: Double? = nil, epoch: Int? = nil, seed: UInt64,
                created: Date = Date()) {
        self.dataset = dataset
        self.classNames = classNames
        self.preprocessing = preprocessing
        self.inputShape = inputShape
        self.testAccuracy = testAccuracy
        self.epoch = epoch
        self.seed = seed
        self.mnistbookVersion = NeuralNet.mnistbookVersion
        self.formatVersion = Int(ModelFile.formatVersion)
        self.created = ModelMetadata.iso8601(created)
    }

    /// A date as ISO 8601 in UTC, to the second.
    public static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Key–value pairs for ONNX `metadata_props` (all values are strings; lists are JSON arrays).
    public var properties: [(key: String, value: String)] {
        let names = (try? String(decoding: JSONEncoder().encode(classNames), as: UTF8.self)) ?? "[]"
        var p: [(String, String)] = [
            ("dataset", dataset),
            ("class_names", names),
            ("preprocessing", preprocessing.description),
            ("preprocessing_scale", "\(preprocessing.scale)"),
            ("preprocessing_shift", "\(preprocessing.shift)"),
            ("input_shape", "[" + inputShape.map(String.init).joined(separator: ", ") + "]"),
            ("input_layout", "NHWC"),
        ]
        if let testAccuracy { p.append(("test_accuracy", "\(testAccuracy)")) }
        if let epoch { p.append(("epoch", "\(epoch)")) }
        p += [("seed", "\(seed)"), ("mnistbook_version", mnistbookVersion), ("created", created)]
        return p.map { (key: $0.0, value: $0.1) }
    }
}
