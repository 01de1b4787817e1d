import Yams

/// `--set build.dropout.rate=0.2` (a layer by name) or `--set build.layers.10.rate=0.2` (by its
/// 0-based index in the list): one parameter of one layer, checked against that layer type's schema
/// like any other value. The stage (or step id) must have a layer list; a build step without such a
/// layer is left alone, and a flag no step has the layer for is an error listing the layers.
struct LayerOverride {
    let target: OverrideTarget
    /// The layer list parameter (`layers`).
    let listName: String
    let layer: LayerReference
    let parameter: String
    let valueText: String
}

/// A layer of a list, as a flag or a tune space names it.
public enum LayerReference: Equatable, Sendable, CustomStringConvertible {
    case name(String)
    case index(Int)

    public var description: String {
        switch self {
        case .name(let name): return name
        case .index(let index): return "layers.\(index)"
        }
    }

    /// The position of the referenced layer in `layers`, nil when there is none.
    public func find(in layers: [ParamValue]) -> Int? {
        switch self {
        case .name(let name): return layers.firstIndex { $0["name"]?.stringValue == name }
        case .index(let index): return layers.indices.contains(index) ? index : nil
        }
    }
}

/// `10` in `build.layers.10.rate`: ASCII digits only (no sign or spaces), nil otherwise.
func layerIndex(_ text: String) -> Int? {
    guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return Int(text)
}

/// A flag of the layer form; nil when it is another kind (left to `parseOverride` and its errors).
/// The stage's own parameters win over a layer of the same name.
func parseLayerOverride(_ raw: String, schema: Schema, ids: [(id: String, stage: String)], steps: [ValidatedStep]) -> LayerOverride? {
    guard let equals = raw.firstIndex(of: "=") else { return nil }
    let path = raw[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard path.count == 3 || path.count == 4, !path.contains(where: \.isEmpty),
          case .success(let target) = resolveTarget(path[0], schema: schema, ids: ids),
          let spec = schema.spec(for: target.stage), let list = spec.parameters.first(where: \.isLayerList) else { return nil }
    let valueText = String(raw[raw.index(after: equals)...])
    if path.count == 4 {
        guard path[1] == list.name, let index = layerIndex(path[2]) else { return nil }
        return LayerOverride(target: target, listName: list.name, layer: .index(index), parameter: path[3], valueText: valueText)
    }
    guard spec.parameters[named: path[1]] == nil else { return nil }
    return LayerOverride(target: target, listName: list.name, layer: .name(path[1]), parameter: path[2], valueText: valueText)
}

/// Sets the layer parameter in every targeted step that has the layer; the problems name the flag.
func applyLayerOverride(_ override: LayerOverride, raw: String, schema: Schema, to steps: inout [ValidatedStep]) -> [Diagnostic] {
    let stage = override.target.stage
    func failure(_ message: String) -> [Diagnostic] {
        [Diagnostic(path: "--set \(raw)", line: 0, column: 0, stage: stage, message: message)]
    }
    let targeted = steps.indices.filter { override.target.matches(steps[$0]) }
    guard let first = targeted.first else {
        return failure(override.target.stepID == nil ? "the notebook has no '\(stage)' step" : "no step has id '\(override.target.stepID!)'")
    }
    var applied = 0
    for index in targeted {
        guard var layers = steps[index][override.listName]?.listValue, let position = override.layer.find(in: layers),
              let type = layers[position]["type"]?.stringValue, let layerSpec = schema.layerSpec(for: type) else { continue }
        let layerName = layers[position]["name"]?.stringValue ?? type
        // Renaming a layer from the command line would break every other reference to it.
        let parameters = layerSpec.parameters.filter { $0.name != "name" }
        guard let parameter = parameters[named: override.parameter] else {
            return failure("layer '\(layerName)' (\(type)) has no parameter '\(override.parameter)'"
                + (parameters.isEmpty ? " (it has none to set)" : suggestionOrChoices(override.parameter, parameters.map(\.name))))
        }
        let dotted = "\(layerName).\(parameter.name)"
        let node: Node
        switch composeYAML(override.valueText) {
        case .failure(let problem): return failure(problem.message)
        case .success(let parsed?) where !parsed.isNull: node = parsed
        default: return failure("'\(dotted)' needs a value")
        }
        var checker = ParamChecker(layers: schema.layers)
        guard let value = checker.checkValue(node, type: parameter.type, name: dotted, at: nil), checker.problems.isEmpty else {
            return failure(checker.problems.map(\.message).joined(separator: "; "))
        }
        var layer = layers[position].mapValue ?? [:]
        layer[parameter.name] = value
        layers[position] = .map(layer)
        steps[index].params[override.listName] = .list(layers)
        steps[index].overridden.insert("\(override.listName).\(layerName).\(parameter.name)")
        applied += 1
    }
    guard applied == 0 else { return [] }
    // No targeted step has the layer: name what there is (the first targeted step's layers).
    let layers = steps[first][override.listName]?.listValue ?? []
    let names = layers.compactMap { $0["name"]?.stringValue }
    let step = steps[first]
    switch override.layer {
    case .index(let index):
        return failure("the \(stage) step on line \(step.line) has \(layers.count) layers, numbered 0…\(max(layers.count - 1, 0)); "
            + "there is no layer \(index)")
    case .name(let name):
        let parameters = schema.spec(for: stage)?.parameters.map(\.name) ?? []
        return failure("unknown parameter or layer '\(name)'\(didYouMean(name, names + parameters)); the layers of the \(stage) step "
            + "on line \(step.line) are \(names.joined(separator: ", ")) (--set \(stage).LAYER.PARAMETER=value, "
            + "or \(stage).\(override.listName).INDEX.PARAMETER counting from 0)")
    }
}
