import Foundation
import Report

/// Any JSON value, as read from a render's files (parameters can be numbers, strings, lists, maps).
public enum JSONValue: Equatable, Sendable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var number: Double? { if case .number(let x) = self { return x }; return nil }
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var object: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }

    /// As a notebook would write it: `0.001`, `64`, `adam`, `[3, 3]`, `{patience: 3}`.
    public var text: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let x): return numberText(x)
        case .string(let s): return s
        case .array(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { "\($0): \(members[$0]!.text)" }.joined(separator: ", ") + "}"
        }
    }
}

/// `64`, `0.001`, `1e-05`: integers without a fraction, others in Swift's shortest form.
func numberText(_ x: Double) -> String {
    if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return "\(x)"
}

/// Reads a JSON file of a run folder; errors name the file and what is wrong with it.
func readJSON<T: Decodable>(_ type: T.Type, at url: URL, what: String) throws(RunError) -> T {
    let data: Data
    do {
        data = try Data(contentsOf: url)
    } catch {
        throw RunError(url.path, "cannot read \(what)")
    }
    do {
        return try JSONDecoder().decode(T.self, from: data)
    } catch let error as DecodingError {
        throw RunError(url.path, "\(what) is not readable: \(decodingProblem(error))")
    } catch {
        throw RunError(url.path, "\(what) is not readable: \(error)")
    }
}

