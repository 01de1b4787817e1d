import Foundation

/// One image's outcome as `predict` reports it: the class, its probability and the three most likely classes,
/// or why it failed.
public struct Prediction: Encodable, Equatable {
    public struct Ranked: Encodable, Equatable {
        public var className: String
        public var probability: Double

        public init(className: String, probability: Double) {
            self.className = className
            self.probability = probability
        }

        enum CodingKeys: String, CodingKey { case className = "class", probability }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(className, forKey: .className)
            try c.encode(Prediction.rounded(probability), forKey: .probability)
        }
    }

    public var file: String
    public var digit: String?
    public var confidence: Double?
    public var top3: [Ranked]?
    public var error: String?

    public init(file: String, digit: String? = nil, confidence: Double? = nil, top3: [Ranked]? = nil, error: String? = nil) {
        self.file = file; self.digit = digit; self.confidence = confidence; self.top3 = top3; self.error = error
    }

    enum CodingKeys: String, CodingKey { case file, digit, confidence, top3, error }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encodeIfPresent(digit, forKey: .digit)
        try c.encodeIfPresent(confidence.map(Prediction.rounded), forKey: .confidence)
        try c.encodeIfPresent(top3, forKey: .top3)
        try c.encodeIfPresent(error, forKey: .error)
    }

    /// Six decimals: float32 probabilities carry no more, and JSON stays readable.
    public static func rounded(_ p: Double) -> Double { (p * 1e6).rounded() / 1e6 }

    /// `digit.png: 7 (99.8%)  top-3: 7 99.8%, 1 0.1%, 9 0.0%`, or `file: error`.
    public var line: String {
        guard let digit, let confidence, let top3 else { return "\(file): \(error ?? "failed")" }
        let ranked = top3.map { "\($0.className) \(Self.percent($0.probability))" }.joined(separator: ", ")
        return "\(file): \(digit) (\(Self.percent(confidence)))  top-3: \(ranked)"
    }

    /// One decimal, or two where one would round to 100.0% or 0.0% ("99.97%"); ">99.99%" and "<0.01%" beyond that:
    /// "100%" and "0%" only for exactly 1 and 0, so a confident guess never reads as certain.
    public static func percent(_ p: Double) -> String {
        if p >= 1 { return "100%" }
        if p <= 0 { return "0%" }
        let one = String(format: "%.1f", p * 100)
        if one != "100.0" && one != "0.0" { return one + "%" }
        let two = String(format: "%.2f", p * 100)
        if two == "100.00" { return ">99.99%" }
        if two == "0.00" { return "<0.01%" }
        return two + "%"
    }

    /// Every prediction as one pretty-printed JSON array, keys sorted (`predict --json`).
    public static func json(_ predictions: [Prediction]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(predictions), as: UTF8.self)
    }
}
