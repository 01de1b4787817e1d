import Foundation

/// One `expect:` condition of a step and whether the run met it.
public struct ExpectationCheck: Sendable {
    public var stage: String
    public var line: Int
    public var name: String
    /// As written: ">= 0.99", "459210".
    public var condition: String
    /// The result the run produced; nil when it produced none (the condition then fails).
    public var value: Double?
    public var passed: Bool

    public init(stage: String, line: Int, name: String, condition: String, value: Double?, passed: Bool) {
        self.stage = stage
        self.line = line
        self.name = name
        self.condition = condition
        self.value = value
        self.passed = passed
    }

    /// "test_accuracy >= 0.99: 0.991234", as the report and the class page show it; six significant
    /// digits, so a value just under its threshold never prints as the threshold itself.
    public var summary: String {
        "\(name) \(condition): " + valueText
    }

    public var valueText: String {
        guard let value else { return "not produced by this run" }
        if value == value.rounded() && abs(value) < 1e9 { return groupThousands(Int(value)) }
        return String(format: "%.6g", value)
    }
}
