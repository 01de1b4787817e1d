/// Step parameters flattened to dotted names in notebook order, and the ones that differ between runs.
///
/// Names are `stage.parameter`, nested maps add `.member` (`train.early_stopping.patience`), layers
/// go by their name (`build.layers.dense1.units`), and a second step of a stage is `train#2.epochs`.
public struct FlatParameters: Equatable, Sendable {
    /// (name, value text) in notebook order.
    public var entries: [(name: String, value: String)]
    /// The step part of each name, in order (`load`, `build`, `train`, `train#2`).
    public var steps: [String]

    public static func == (a: FlatParameters, b: FlatParameters) -> Bool {
        a.entries.map(\.name) == b.entries.map(\.name) && a.entries.map(\.value) == b.entries.map(\.value)
    }

    public init(_ metrics: RunMetrics) {
        entries = []
        steps = []
        var seen: [String: Int] = [:]
        for step in metrics.steps {
            seen[step.stage, default: 0] += 1
            let label = seen[step.stage]! > 1 ? "\(step.stage)#\(seen[step.stage]!)" : step.stage
            steps.append(label)
            guard let params = step.params else { continue }
            for key in params.keys.sorted() {
                flatten(params[key]!, name: "\(label).\(key)", into: &entries)
            }
        }
    }

    public subscript(name: String) -> String? { entries.first { $0.name == name }?.value }
}

private func flatten(_ value: JSONValue, name: String, into entries: inout [(name: String, value: String)]) {
    switch value {
    case .object(let members):
        for key in members.keys.sorted() { flatten(members[key]!, name: "\(name).\(key)", into: &entries) }
    case .array(let items) where name.hasSuffix(".layers"):
        // Layers by name: the order as one entry, then each layer's parameters.
        let layerNames = items.enumerated().map { i, layer in layer["name"]?.string ?? "#\(i + 1)" }
        entries.append((name, layerNames.joined(separator: ", ")))
        for (layer, layerName) in zip(items, layerNames) {
            guard let members = layer.object else { continue }
            for key in members.keys.sorted() where key != "name" {
                entries.append(("\(name).\(layerName).\(key)", members[key]!.text))
            }
        }
    default:
        entries.append((name, value.text))
    }
}

/// A parameter whose value is not the same in every run; nil where a run has no such parameter.
public struct ParameterDifference: Equatable, Sendable {
    public var name: String
    public var values: [String?]

    public init(name: String, values: [String?]) {
        self.name = name
        self.values = values
    }
}

/// The parameters that differ between runs, in the order they first appear.
public func parameterDifferences(_ runs: [FlatParameters]) -> [ParameterDifference] {
    var order: [String] = []
    var known = Set<String>()
    for run in runs { for entry in run.entries where known.insert(entry.name).inserted { order.append(entry.name) } }
    let lookups = runs.map { Dictionary($0.entries.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }) }
    return order.compactMap { name in
        let values = lookups.map { $0[name] }
        return Set(values).count > 1 ? ParameterDifference(name: name, values: values) : nil
    }
}

/// `train.learning_rate` → `train`; `build.layers.dense1.units` → `build`.
func stepOf(_ name: String) -> String { String(name.prefix { $0 != "." }) }
