/// A numeric interval such as `(0, 1)`, `[0, 1)`, `> 0` or `>= 1`.
public struct NumberRange: Equatable, Sendable, CustomStringConvertible {
    public var lower: Double?
    public var lowerInclusive: Bool
    public var upper: Double?
    public var upperInclusive: Bool

    public init(lower: Double? = nil, lowerInclusive: Bool = true, upper: Double? = nil, upperInclusive: Bool = true) {
        self.lower = lower
        self.lowerInclusive = lowerInclusive
        self.upper = upper
        self.upperInclusive = upperInclusive
    }

    public static let positive = NumberRange(lower: 0, lowerInclusive: false)
    public static let nonNegative = NumberRange(lower: 0)
    public static func atLeast(_ value: Double) -> NumberRange { NumberRange(lower: value) }
    /// `[1, limit]`: a size, bounded so nothing the engine computes from it can overflow or exhaust memory.
    public static func size(upTo limit: Int) -> NumberRange { NumberRange(lower: 1, upper: Double(limit)) }
    /// `[0, limit]`: how many of something to show, bounded like a size.
    public static func count(upTo limit: Int) -> NumberRange { NumberRange(lower: 0, upper: Double(limit)) }
    /// `(0, 1)`: momentum, factor.
    public static let openUnit = NumberRange(lower: 0, lowerInclusive: false, upper: 1, upperInclusive: false)
    /// `[0, 1)`: validation split, dropout rate.
    public static let halfOpenUnit = NumberRange(lower: 0, lowerInclusive: true, upper: 1, upperInclusive: false)

    public func contains(_ x: Double) -> Bool {
        if let lower, lowerInclusive ? x < lower : x <= lower { return false }
        if let upper, upperInclusive ? x > upper : x >= upper { return false }
        return true
    }

    /// `in [0, 1)`, `> 0`, `>= 1`: the words that follow "must be" in an error.
    public var description: String {
        switch (lower, upper) {
        case let (lower?, upper?):
            return "in \(lowerInclusive ? "[" : "(")\(formatNumber(lower)), \(formatNumber(upper))\(upperInclusive ? "]" : ")")"
        case let (lower?, nil):
            return "\(lowerInclusive ? ">=" : ">") \(formatNumber(lower))"
        case let (nil, upper?):
            return "\(upperInclusive ? "<=" : "<") \(formatNumber(upper))"
        case (nil, nil):
            return "any number"
        }
    }
}

/// What a parameter accepts.
public indirect enum ParamType: Sendable {
    case int(NumberRange?)
    /// A real number; integers are accepted and stored as doubles.
    case double(NumberRange?)
    case bool
    case string
    /// One of a fixed set of words.
    case choice([String])
    /// A list; a single value is read as a list of one.
    case list(ParamType)
    /// A nested mapping with its own parameters; `canDisable` also allows `false` (off) and `true` (defaults).
    case map([ParameterSpec], canDisable: Bool)
    /// A layer list: `- type: {parameters}` items checked against `Schema.layers`.
    case layers
    /// A `tune` step's search space (see TuneSpace.swift).
    case space
    /// A number for both axes or `{x, y}`, each in the range; stored as a map with `x` and `y` (0 when absent).
    case axes(NumberRange)

    /// Short type text for `mnistbook steps`: `int > 0`, `number in [0, 1)`, `adam|sgd|rmsprop`.
    public var summary: String {
        switch self {
        case .int(let range): return range.map { "int \($0)" } ?? "int"
        case .double(let range): return range.map { "number \($0)" } ?? "number"
        case .bool: return "bool"
        case .string: return "string"
        case .choice(let words): return words.joined(separator: "|")
        case .list(let inner): return "list of \(inner.summary)"
        case .map(_, let canDisable): return canDisable ? "mapping or false" : "mapping"
        case .layers: return "list of layers"
        case .axes(let range): return "number \(range) or {x, y}"
        case .space: return "search space"
        }
    }

    /// The noun in "must be …" errors.
    var noun: String {
        switch self {
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "true or false"
        case .string: return "a string"
        case .choice(let words): return "one of \(words.joined(separator: ", "))"
        case .list: return "a list"
        case .map(_, let canDisable): return canDisable ? "a mapping or false" : "a mapping"
        case .layers: return "a list of layers"
        case .axes: return "a number or a mapping {x, y}"
        case .space: return "a mapping of 'stage.parameter: values'"
        }
    }
}

/// One parameter of a stage or layer: its name, type, default and what it does.
public struct ParameterSpec: Sendable {
    public let name: String
    public let type: ParamType
    /// Applied when the parameter is absent; nil for required or truly optional parameters.
    public let defaultValue: ParamValue?
    /// Required parameters have no default and must be given.
    public let required: Bool
    /// Shown instead of the default in `mnistbook steps` when the YAML form says too little ("all", "auto").
    public let defaultText: String?
    public let doc: String
    /// The parameter only changes what its step shows, never what the step leaves for later steps,
    /// so later steps' cache keys leave it out (an `eda` sample count never retrains anything).
    public let display: Bool
    /// For a string that is either a known name or something else (a folder): a value close to a
    /// known name is taken for a typo of it.
    public let knownNames: KnownNames?

    public init(_ name: String, _ type: ParamType, default defaultValue: ParamValue? = nil, required: Bool = false,
                defaultText: String? = nil, display: Bool = false, knownNames: KnownNames? = nil, doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.required = required
        self.defaultText = defaultText
        self.display = display
        self.knownNames = knownNames
        self.doc = doc
    }

    /// The default as `mnistbook steps` prints it.
    public var defaultDescription: String {
        if let defaultText { return defaultText }
        if required { return "required" }
        return defaultValue?.yaml ?? "-"
    }

    /// A `.layers` parameter.
    public var isLayerList: Bool {
        if case .layers = type { return true }
        return false
    }

    /// The nested parameters of a mapping parameter.
    var members: [ParameterSpec]? {
        if case .map(let specs, _) = type { return specs }
        return nil
    }
}

/// The names a string parameter knows (`dataset`: mnist, …), and what else it accepts, for the error.
public struct KnownNames: Sendable {
    public let names: [String]
    /// Ends the "unknown … (did you mean …?)" error: "a directory of IDX files is also accepted".
    public let otherwise: String

    public init(_ names: [String], otherwise: String) {
        self.names = names
        self.otherwise = otherwise
    }
}

/// A stage: its name in a fence's info string, what it does, its parameters, and the stages that
/// must come before it in a notebook.
public struct StageSpec: Sendable {
    public let name: String
    public let summary: String
    public let parameters: [ParameterSpec]
    public let needs: [String]
    /// The result names `expect:` may use (metrics.json names), listed by `mnistbook steps`.
    public var results: [String] = []

    public init(name: String, summary: String, needs: [String] = [], parameters: [ParameterSpec]) {
        self.name = name
        self.summary = summary
        self.needs = needs
        self.parameters = parameters
    }

    /// Whether a parameter is a layer list.
    public var hasLayers: Bool { parameters.contains(where: \.isLayerList) }

    /// Every parameter with its default, as an empty step body gives.
    public var defaults: [String: ParamValue] {
        defaultValues(of: parameters)
    }
}

/// A layer type usable in `build.layers`.
public struct LayerSpec: Sendable {
    public let type: String
    /// The Keras class name, shown in the summary table.
    public let kerasClass: String
    /// The prefix Keras gives unnamed layers of this type (`conv2d`, `conv2d_1`, …).
    public let autoNamePrefix: String
    public let summary: String
    public let parameters: [ParameterSpec]

    public init(type: String, kerasClass: String, autoNamePrefix: String, summary: String, parameters: [ParameterSpec]) {
        self.type = type
        self.kerasClass = kerasClass
        self.autoNamePrefix = autoNamePrefix
        self.summary = summary
        self.parameters = parameters
    }
}

extension Array where Element == ParameterSpec {
    /// A stage's, a layer's or a map's parameter by name.
    public subscript(named name: String) -> ParameterSpec? { first { $0.name == name } }
}

/// Every parameter that has a default, with it: what an empty mapping gives.
public func defaultValues(of specs: [ParameterSpec]) -> [String: ParamValue] {
    var values: [String: ParamValue] = [:]
    for spec in specs {
        if let value = spec.defaultValue { values[spec.name] = value }
    }
    return values
}
