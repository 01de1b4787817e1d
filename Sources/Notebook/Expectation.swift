import Foundation

/// One condition of a step's `expect:` map, e.g. `test_accuracy: ">= 0.99"` or `params_total: 459210`.
public struct Expectation: Equatable, Hashable, Sendable {
    public enum Comparison: String, CaseIterable, Sendable {
        case atLeast = ">=", atMost = "<=", greater = ">", less = "<", equal = "==", notEqual = "!="
    }

    /// The result's name, as `mnistbook steps` lists it for the stage.
    public var name: String
    public var comparison: Comparison
    public var target: Double
    /// The condition as written, for the report and metrics.json ("<= 15", "459210").
    public var text: String

    public init(name: String, comparison: Comparison, target: Double, text: String) {
        self.name = name
        self.comparison = comparison
        self.target = target
        self.text = text
    }

    /// A condition from its YAML value: a number (must equal it) or a string "OP NUMBER" with OP one of
    /// >= <= > < == !=. Returns the reason when it is neither.
    public static func parse(name: String, _ value: ParamValue) -> Result<Expectation, ExpectationError> {
        switch value {
        case .int(let n): return .success(Expectation(name: name, comparison: .equal, target: Double(n), text: "\(n)"))
        case .double(let x): return .success(Expectation(name: name, comparison: .equal, target: x, text: "\(x)"))
        case .string(let raw):
            let text = raw.trimmingCharacters(in: .whitespaces)
            // Longest operators first, so ">=" is not read as ">" followed by "=0.9".
            let ordered: [Comparison] = [.atLeast, .atMost, .equal, .notEqual, .greater, .less]
            let op = ordered.first { text.hasPrefix($0.rawValue) }
            let number = String(text.dropFirst(op?.rawValue.count ?? 0)).trimmingCharacters(in: .whitespaces)
            guard let target = Double(number), target.isFinite else {
                if op == nil, let first = text.first, "=<>!".contains(first) {
                    return .failure(ExpectationError("'\(raw)' has an unknown comparison; use one of >= <= > < == != followed by a number"))
                }
                return .failure(ExpectationError("'\(raw)' is not a condition: write a number, or one of >= <= > < == != followed by a number (e.g. \">= 0.99\")"))
            }
            return .success(Expectation(name: name, comparison: op ?? .equal, target: target, text: text))
        default:
            return .failure(ExpectationError("\(name) must be a number or a condition such as \">= 0.99\""))
        }
    }

    /// Whether `value` meets the condition; a missing or non-finite value never does.
    public func isMet(by value: Double?) -> Bool {
        guard let value, value.isFinite else { return false }
        switch comparison {
        case .atLeast: return value >= target
        case .atMost: return value <= target
        case .greater: return value > target
        case .less: return value < target
        case .equal: return value == target
        case .notEqual: return value != target
        }
    }
}

/// Why an `expect:` entry is not a condition.
public struct ExpectationError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
