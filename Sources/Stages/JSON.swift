import Notebook

/// A JSON value whose objects keep their keys in the order given, so metrics.json reads in a
/// stable, documented order.
enum JSON {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])
    /// JSON text written as it is: long number lists on one line (predictions.json).
    case raw(String)

    /// Pretty-printed with two-space indentation.
    func text(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .number(let x): return jsonNumber(x)
        case .string(let s): return jsonString(s)
        case .raw(let text): return text
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.text(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { inner + jsonString($0.0) + ": " + $0.1.text(indent: inner) }
                .joined(separator: ",\n") + "\n\(indent)}"
        }
    }
}

extension JSON {
    static func optional(_ x: Double?) -> JSON { x.map { .number($0) } ?? .null }
    static func optional(_ x: Int?) -> JSON { x.map { .int($0) } ?? .null }
    static func optional(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
}

/// Shortest round-trip text of a double; JSON has no NaN or infinity, so those become null.
func jsonNumber(_ x: Double) -> String {
    guard x.isFinite else { return "null" }
    if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) + ".0" }
    return "\(x)"
}

