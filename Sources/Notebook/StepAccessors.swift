/// Typed reads of validated parameters. Validation guarantees every parameter with a default is
/// present with the schema's type, so a miss here is a programming error (a misspelled name in a stage).
extension ValidatedStep {
    public func int(_ name: String) -> Int {
        guard let value = params[name]?.intValue else { missing(name, "an integer") }
        return value
    }

    public func double(_ name: String) -> Double {
        guard let value = params[name]?.doubleValue else { missing(name, "a number") }
        return value
    }

    public func bool(_ name: String) -> Bool {
        guard let value = params[name]?.boolValue else { missing(name, "a bool") }
        return value
    }

    public func string(_ name: String) -> String {
        guard let value = params[name]?.stringValue else { missing(name, "a string") }
        return value
    }

    /// An optional integer without a default (`limit_train`): nil when not given.
    public func optionalInt(_ name: String) -> Int? {
        params[name]?.intValue
    }

    /// A mapping that can be turned off (`early_stopping`, …), nil when the notebook gave `false`.
    public func mapOrOff(_ name: String) -> ValidatedMap? {
        params[name]?.mapValue.map { ValidatedMap(owner: "\(stage).\(name)", values: $0) }
    }

    /// A mapping parameter, with every member.
    public func map(_ name: String) -> ValidatedMap {
        guard let values = params[name]?.mapValue else { missing(name, "a mapping") }
        return ValidatedMap(owner: "\(stage).\(name)", values: values)
    }

    /// A list of strings (`formats`).
    public func strings(_ name: String) -> [String] {
        guard let values = params[name]?.listValue?.compactMap(\.stringValue) else { missing(name, "a list") }
        return values
    }

    /// A layer list, each layer a map with `type`, `name` and every parameter of its type.
    public func layers(_ name: String) -> [[String: ParamValue]] {
        params[name]?.listValue?.compactMap(\.mapValue) ?? []
    }

    private func missing(_ name: String, _ kind: String) -> Never {
        preconditionFailure("\(stage) step has no parameter '\(name)' that is \(kind)")
    }
}

/// The members of a validated mapping parameter, every one present (defaults applied).
public struct ValidatedMap {
    let owner: String
    public let values: [String: ParamValue]

    public func int(_ name: String) -> Int { member(name, \.intValue) }
    public func double(_ name: String) -> Double { member(name, \.doubleValue) }
    public func bool(_ name: String) -> Bool { member(name, \.boolValue) }
    public func string(_ name: String) -> String { member(name, \.stringValue) }

    private func member<T>(_ name: String, _ read: (ParamValue) -> T?) -> T {
        guard let value = values[name].flatMap(read) else {
            preconditionFailure("\(owner) has no member '\(name)' of type \(T.self)")
        }
        return value
    }
}
