import Foundation

/// "steps.2.params: expected an object" rather than DecodingError's dump (metrics.json, predictions.json,
/// cache entries).
public func decodingProblem(_ error: DecodingError) -> String {
    let context: DecodingError.Context
    switch error {
    case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): context = c
    @unknown default: return "\(error)"
    }
    var path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    if case .keyNotFound(let key, _) = error { path += (path.isEmpty ? "" : ".") + key.stringValue }
    var reason = context.debugDescription
    if case .dataCorrupted = error, context.codingPath.isEmpty { reason = "not valid JSON (cut short or damaged)" }
    return (path.isEmpty ? "" : path + ": ") + reason
}
