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

    /// A callback's settings (`early_stopping`, …), nil when the notebook turned it off with `false`.
    public func callback(_ name: String) -> [String: ParamValue]? {
        params[name]?.mapValue
    }

    /// The `build` layers, each a map with `type`, `name` and every parameter of its type.
    public var layers: [[String: ParamValue]] {
        params["layers"]?.listValue?.compactMap(\.mapValue) ?? []
    }

    private func missing(_ name: String, _ kind: String) -> Never {
        preconditionFailure("\(stage) step has no parameter '\(name)' that is \(kind)")
    }
}
