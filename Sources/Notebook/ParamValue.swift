import Basics

/// A step parameter's value after validation: the handful of shapes YAML parameters take.
public enum ParamValue: Hashable, Sendable {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case list([ParamValue])
    case map([String: ParamValue])

    public var intValue: Int? {
        if case .int(let v) = self { return v }
        return nil
    }

    /// Integers read as numbers too, since `learning_rate: 1` means 1.0.
    public var doubleValue: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    public var stringValue: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    public var listValue: [ParamValue]? {
        if case .list(let v) = self { return v }
        return nil
    }

    public var mapValue: [String: ParamValue]? {
        if case .map(let v) = self { return v }
        return nil
    }

    /// A member of a map value; nil for other values.
    public subscript(key: String) -> ParamValue? {
        mapValue?[key]
    }

    /// A deterministic JSON text with map keys sorted, for cache keys and hashes: the same
    /// parameters always give the same bytes.
    public var canonical: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return canonicalNumber(v)
        case .bool(let v): return v ? "true" : "false"
        case .string(let v): return jsonString(v)
        case .list(let items): return "[" + items.map(\.canonical).joined(separator: ",") + "]"
        case .map(let members):
            return "{" + members.keys.sorted().map { jsonString($0) + ":" + members[$0]!.canonical }
                .joined(separator: ",") + "}"
        }
    }

    /// Flow-style YAML as a user would write it (`{monitor: val_loss, patience: 3}`), keys sorted.
    public var yaml: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return formatNumber(v)
        case .bool(let v): return v ? "true" : "false"
        case .string(let v): return yamlScalar(v)
        case .list(let items): return "[" + items.map(\.yaml).joined(separator: ", ") + "]"
        case .map(let members):
            return "{" + members.keys.sorted().map { yamlScalar($0) + ": " + members[$0]!.yaml }
                .joined(separator: ", ") + "}"
        }
    }
}

extension ParamValue: CustomStringConvertible {
    public var description: String { yaml }
}

extension ParamValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: ParamValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, ParamValue)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// Shortest round-trip text, always with a fraction or exponent so it never reads as an integer.
private func canonicalNumber(_ v: Double) -> String {
    guard v.isFinite else { return v.isNaN ? "\"nan\"" : (v > 0 ? "\"inf\"" : "\"-inf\"") }
    return "\(v)"
}

/// `0.5`, `1e-06`, `3` (integral values without a fraction, as a user writes them in ranges).
func formatNumber(_ v: Double) -> String {
    if v.isFinite, v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
    return "\(v)"
}

private let jsonEscapes: [Unicode.Scalar: String] = ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"]

/// A JSON string literal, control characters escaped (canonical parameters, metrics.json). Its bytes are
/// part of every cache key: `JSONStringTests` pins them.
public func jsonString(_ s: String) -> String {
    let body = s.escaped(jsonEscapes) { scalar in
        guard scalar.value < 0x20 else { return nil }
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
    return "\"" + body + "\""
}

/// Plain when YAML would read it back as the same string, double-quoted otherwise.
private func yamlScalar(_ s: String) -> String {
    let plainSafe = !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || "_-./".contains($0) }
    let looksTyped = Double(s) != nil || Int(s) != nil
        || ["true", "false", "yes", "no", "on", "off", "null", "~"].contains(s.lowercased())
    return plainSafe && !looksTyped && s.first != "-" ? s : jsonString(s)
}
