import Datasets
import Report
import Foundation
import Inference
import NeuralNet

/// The one model a server answers with. An actor: the engine's kernels keep shared caches, so one forward pass runs
/// at a time while requests are read, decoded and answered concurrently.
public actor DigitService {
    public let classifier: Classifier
    /// The prepared image's side (28 for MNIST): a JSON body holds side × side values.
    public nonisolated let side: Int
    /// GET /model's body, computed once.
    public nonisolated let modelJSON: [UInt8]

    public init(classifier: Classifier) throws {
        self.classifier = classifier
        side = classifier.side
        modelJSON = try ServeJSON.encode(ModelInfo(classifier))
    }

    /// Prepares (unless already prepared) and classifies one input; the latency covers preparation and the forward pass.
    public func predict(_ input: PredictInput) throws(RequestError) -> PredictResponse {
        let start = DispatchTime.now().uptimeNanoseconds
        let classification: Classification
        switch input {
        case .image(let image):
            do { classification = try classifier.classify(image, file: "the uploaded image") } catch {
                throw RequestError(.badRequest, "\(error)")
            }
        case .prepared(let pixels):
            let side = classifier.side
            classification = Classification(prepared: GrayImage(width: side, height: side, pixels: pixels),
                                            probabilities: classifier.probabilities(pixels), classNames: classifier.metadata.classNames)
        }
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        return PredictResponse(classification, latencyMilliseconds: milliseconds)
    }
}

/// POST /predict's answer.
public struct PredictResponse: Encodable, Equatable {
    public var digit: String
    /// One per class, in output order, rounded to six decimals.
    public var probabilities: [Double]
    public var top3: [Prediction.Ranked]
    /// Preparation and forward pass, in milliseconds (the HTTP round trip is the client's to measure).
    public var latency_ms: Double
    /// The side×side image the model saw, row by row, 0…255 white on black.
    public var prepared: [UInt8]

    init(_ c: Classification, latencyMilliseconds: Double) {
        let top = c.top3
        digit = top[0].className
        probabilities = c.probabilities.map { Prediction.rounded(Double($0)) }
        top3 = top
        latency_ms = (latencyMilliseconds * 1000).rounded() / 1000
        prepared = c.prepared.pixels
    }
}

/// GET /model's answer: what the model is and how well it did when it was saved.
struct ModelInfo: Encodable {
    struct Layer: Encodable {
        var name: String
        var type: String
        var output_shape: [Int]
        var parameters: Int
    }

    var name: String
    var dataset: String
    var class_names: [String]
    var input_shape: [Int]
    var preprocessing: String
    var layers: [Layer]
    var parameters: Int
    /// "float32" or "int8": `serve` loads either kind of `.mnistbook` file.
    var precision: String
    /// Accuracy on the test split recorded when the file was saved; null when it was saved without an evaluation.
    @ExplicitNull var test_accuracy: Double?
    @ExplicitNull var epoch: Int?
    var created: String
    var mnistbook_version: String

    init(_ classifier: Classifier) {
        let model = classifier.model, metadata = classifier.metadata
        name = model.name
        dataset = metadata.dataset
        class_names = metadata.classNames
        input_shape = model.inputShape
        preprocessing = metadata.preprocessing.description
        layers = model.layerSummaries.map {
            Layer(name: $0.spec.name, type: $0.spec.kerasClass, output_shape: $0.outputShape, parameters: $0.parameters)
        }
        precision = model.precision
        parameters = model.parameterCount
        test_accuracy = metadata.testAccuracy
        epoch = metadata.epoch
        created = metadata.created
        mnistbook_version = metadata.mnistbookVersion
    }
}

/// An optional that JSON shows as null when absent, so a client sees every key (the synthesised coding would
/// leave the key out).
@propertyWrapper
struct ExplicitNull<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

/// One JSON style for every body: keys sorted, slashes unescaped, no extra whitespace.
enum ServeJSON {
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// `{"error":"message"}`
    static func error(_ message: String) -> [UInt8] {
        (try? encode(["error": message])) ?? Array("{\"error\":\"internal error\"}".utf8)
    }
}
