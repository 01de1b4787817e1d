import Yams

/// The `space` of a `tune` step: which build and train parameters to search, and over what.
///
///     space:
///       train.learning_rate: {log_uniform: [1e-4, 1e-2]}
///       train.batch_size: [32, 64, 128]
///       build.dense1.units: [64, 128, 256]      # a layer parameter, by layer name
///       build.layers.3.rate: {uniform: [0.2, 0.6]}   # or by the layer's index, counting from 0
///
/// Stored in the validated step as a map: name → list of values, or name → {uniform|log_uniform: [low, high]}.
public enum SearchValues: Equatable, Sendable {
    case choices([ParamValue])
    case uniform(Double, Double)
    case logUniform(Double, Double)
}

/// One searched parameter: `train.learning_rate`, or `build.dense1.units` (stage, layer, parameter).
public struct SearchDimension: Equatable, Sendable {
    public var name: String
    public var values: SearchValues

    public var stage: String { String(name.prefix { $0 != "." }) }
    /// After the stage: `learning_rate`, `early_stopping.patience`, or `dense1.units`.
    public var path: [String] { name.split(separator: ".").dropFirst().map(String.init) }
}

/// The layer parameter a searched name sets: `build.dense1.units` → (the layer named dense1, units),
/// `build.layers.3.rate` → (layer 3, rate), as `--set` reads them; nil for any other name.
public func searchedLayerParameter(_ name: String) -> (layer: LayerReference, parameter: String)? {
    let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard parts.first == "build", !parts.contains(where: \.isEmpty) else { return nil }
    if parts.count == 3 { return (.name(parts[1]), parts[2]) }
    if parts.count == 4, parts[1] == "layers", let index = layerIndex(parts[2]) { return (.index(index), parts[3]) }
    return nil
}

/// The dimensions of a validated `space`, by name (a fixed order, so trials are reproducible).
public func searchDimensions(_ space: ParamValue?) -> [SearchDimension] {
    guard let members = space?.mapValue else { return [] }
    return members.keys.sorted().compactMap { name in
        let value = members[name]!
        if let list = value.listValue { return SearchDimension(name: name, values: .choices(list)) }
        if let range = value["uniform"]?.listValue, range.count == 2, let lo = range[0].doubleValue, let hi = range[1].doubleValue {
            return SearchDimension(name: name, values: .uniform(lo, hi))
        }
        if let range = value["log_uniform"]?.listValue, range.count == 2, let lo = range[0].doubleValue, let hi = range[1].doubleValue {
            return SearchDimension(name: name, values: .logUniform(lo, hi))
        }
        return nil
    }
}

/// Limits that keep any tune that passes `check` finite.
public enum TuneLimits {
    public static let maxDimensions = 12
    public static let maxChoices = 100
    public static let maxGridTrials = 1000
}

extension ParamChecker {
    /// The shape of `space`: a mapping of dotted names to a list of values or `{uniform|log_uniform: [low, high]}`.
    /// Names and types are checked against the notebook's steps by `checkTuneSteps`.
    mutating func checkSpace(_ node: Node, name: String, at mark: SourcePosition?) -> ParamValue? {
        guard case .mapping(let mapping) = node else {
            problems.append(YAMLProblem(message: "'\(name)' must be a mapping of 'stage.parameter: values', got \(node.shownInError)", mark: mark))
            return nil
        }
        var result: [String: ParamValue] = [:]
        var ok = true
        func fail(_ message: String, _ at: SourcePosition?) { problems.append(YAMLProblem(message: message, mark: at)); ok = false }
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode, !keyNode.isNull else {
                fail("a searched parameter is named 'stage.parameter', got \(keyNode.shownInError)", keyNode.position)
                continue
            }
            let dotted = key.string
            switch valueNode {
            case .sequence(let items):
                guard !items.isEmpty, items.count <= TuneLimits.maxChoices else {
                    fail("'\(dotted)' needs 1 to \(TuneLimits.maxChoices) values, got \(items.count)", keyNode.position)
                    continue
                }
                var values: [ParamValue] = []
                for item in items {
                    guard let value = scalarValue(item) else {
                        fail("'\(dotted)': each value must be a number, word or true/false, got \(item.shownInError)", item.position)
                        continue
                    }
                    values.append(value)
                }
                if Set(values).count != values.count { fail("'\(dotted)' lists a value twice", keyNode.position) }
                result[dotted] = .list(values)
            case .mapping(let range) where range.count == 1:
                let (kindNode, boundsNode) = range[range.startIndex]
                let kind = kindNode.scalar?.string ?? ""
                guard ["uniform", "log_uniform"].contains(kind) else {
                    fail("'\(dotted)': unknown distribution '\(kind)'\(suggestionOrChoices(kind, ["uniform", "log_uniform"]))", kindNode.position)
                    continue
                }
                guard case .sequence(let bounds) = boundsNode, bounds.count == 2,
                      let lo = bounds[0].int.map(Double.init) ?? bounds[0].float, let hi = bounds[1].int.map(Double.init) ?? bounds[1].float,
                      [bounds[0], bounds[1]].allSatisfy({ $0.tagName == .int || $0.tagName == .float }), lo.isFinite, hi.isFinite else {
                    fail("'\(dotted)': \(kind) needs [low, high], two numbers", kindNode.position)
                    continue
                }
                guard lo < hi else { fail("'\(dotted)': \(kind) needs low < high, got [\(formatNumber(lo)), \(formatNumber(hi))]", kindNode.position); continue }
                guard kind == "uniform" || lo > 0 else {
                    fail("'\(dotted)': log_uniform needs low > 0, got \(formatNumber(lo))", kindNode.position)
                    continue
                }
                result[dotted] = .map([kind: .list([.double(lo), .double(hi)])])
            default:
                fail("'\(dotted)' must be a list of values or {uniform: [low, high]} or {log_uniform: [low, high]}, got \(valueNode.shownInError)",
                     keyNode.position)
            }
        }
        guard !result.isEmpty || !ok else {
            problems.append(YAMLProblem(message: "'\(name)' must name at least one parameter to search", mark: mark))
            return nil
        }
        guard result.count <= TuneLimits.maxDimensions else {
            problems.append(YAMLProblem(message: "'\(name)' searches \(result.count) parameters; at most \(TuneLimits.maxDimensions)", mark: mark))
            return nil
        }
        return ok ? .map(result) : nil
    }

    /// A plain scalar as YAML types it: `64` an int, `1e-3` a number, `true` a bool, anything else a word.
    private func scalarValue(_ node: Node) -> ParamValue? {
        guard case .scalar(let scalar) = node, !node.isNull else { return nil }
        switch node.tagName {
        case .int: return node.int.map { .int($0) }
        case .float: return node.float.flatMap { $0.isFinite ? .double($0) : nil }
        case .bool: return node.bool.map { .bool($0) }
        default: return .string(scalar.string)
        }
    }
}

/// Checks every `tune` step against the notebook: each searched name is a parameter of the `train`
/// step or of a layer of the `build` step before it (by layer name or 0-based index), every value and bound fits that
/// parameter's type and range as a `--set` would, grid search has lists only, and a `train` step follows.
/// Problems point at the key in the step's `space`.
func checkTuneSteps(_ notebook: Notebook, _ steps: [ValidatedStep], schema: Schema) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    for (index, step) in steps.enumerated() where step.stage == "tune" {
        guard case .step(let block) = notebook.blocks[step.blockIndex] else { continue }
        func report(_ message: String, _ mark: SourcePosition?) {
            let position = mark.map { block.notebookPosition(bodyLine: $0.line, column: $0.column) } ?? step.position
            diagnostics.append(Diagnostic(path: notebook.path, line: position.line, column: position.column, stage: "tune", message: message))
        }
        let build = steps[..<index].last { $0.stage == "build" }
        let train = steps[(index + 1)...].first { $0.stage == "train" }
        if train == nil { report("'tune' needs a 'train' step after it: the trials train as that step does", nil) }
        if steps[(index + 1)...].contains(where: { $0.stage == "build" }) {
            report("'tune' must come after the 'build' step: a later build would discard the tuned model", nil)
        }
        // The space's key nodes, for positions; validation already reported a body that does not parse.
        guard case .success(let root?) = composeYAML(block.body), case .mapping(let mapping) = root else { continue }
        var spaceNode: Node?, spaceKey: Node?
        for (key, value) in mapping where key.scalar?.string == "space" { spaceNode = value; spaceKey = key }
        guard let spaceKey, case .mapping(let space)? = spaceNode else {
            if spaceNode == nil { report("'tune' needs a 'space': the parameters to search, e.g. 'train.learning_rate: [0.001, 0.01]'", nil) }
            continue
        }
        let layers = build?.params["layers"]?.listValue ?? []
        let layerNames = layers.compactMap { $0["name"]?.stringValue }
        let strategy = step.params["strategy"]?.stringValue ?? "random"
        var gridSize = 1
        // "layer position.parameter" → the name that searches it first.
        var searched: [String: String] = [:]
        for (keyNode, valueNode) in space {
            guard let name = keyNode.scalar?.string else { continue }
            let mark = keyNode.position
            let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            var target: ParameterSpec?
            switch parts.first {
            case "train" where parts.count == 2 || parts.count == 3:
                guard let spec = schema.spec(for: "train"), let parameter = spec.parameters[named: parts[1]] else {
                    report("unknown parameter '\(parts[1])' of train\(suggestionOrChoices(parts[1], schema.spec(for: "train")!.parameters.map(\.name)))", mark)
                    continue
                }
                if parts.count == 3 {
                    guard let member = parameter.members?[named: parts[2]] else {
                        report("unknown parameter '\(parts[2])' in '\(parts[1])'\(suggestionOrChoices(parts[2], parameter.members?.map(\.name) ?? []))", mark)
                        continue
                    }
                    target = member
                } else {
                    target = parameter
                }
            case "build" where parts.count == 4 && parts[1] == "layers" && layerIndex(parts[2]) == nil:
                report("'\(name)': '\(parts[2])' is not a layer index; name a layer as build.layers.INDEX.parameter "
                    + "(counting from 0) or build.LAYER.parameter", mark)
                continue
            case "build" where parts.count == 3 || (parts.count == 4 && parts[1] == "layers"):
                guard let named = searchedLayerParameter(name) else {
                    report("'\(name)': name a parameter as train.parameter, build.LAYER.parameter or build.layers.INDEX.parameter", mark)
                    continue
                }
                let (reference, parameterName) = named
                guard let position = reference.find(in: layers) else {
                    switch reference {
                    case .name(let layerName):
                        report("no layer named '\(layerName)' in the 'build' step" + (build.map { " on line \($0.line)" } ?? "")
                            + suggestionOrChoices(layerName, layerNames), mark)
                    case .index(let index):
                        if let build {
                            // The words of `--set build.layers.N.param`'s error.
                            report("the build step on line \(build.line) has \(layers.count) layers, numbered 0…\(max(layers.count - 1, 0)); "
                                + "there is no layer \(index)", mark)
                        } else {
                            report("there is no 'build' step before this tune step, so there is no layer \(index)", mark)
                        }
                    }
                    continue
                }
                let type = layers[position]["type"]?.stringValue ?? ""
                let layerName = layers[position]["name"]?.stringValue ?? type
                let parameters = (schema.layerSpec(for: type)?.parameters ?? []).filter { $0.name != "name" }
                guard let parameter = parameters[named: parameterName] else {
                    report("layer '\(layerName)' (\(type)) has no parameter '\(parameterName)'\(suggestionOrChoices(parameterName, parameters.map(\.name)))", mark)
                    continue
                }
                // By name and by index, one setting could be searched twice; the trials would keep only one.
                if let first = searched["\(position).\(parameterName)"] {
                    report("'\(name)' is '\(first)' again (layer \(position), '\(layerName)'): search each parameter under one name", mark)
                    continue
                }
                searched["\(position).\(parameterName)"] = name
                target = parameter
            case "train", "build":
                report("'\(name)': name a parameter as train.parameter, build.LAYER.parameter or build.layers.INDEX.parameter", mark)
                continue
            default:
                report("'\(name)': only parameters of the 'train' step and of the 'build' step's layers can be tuned", mark)
                continue
            }
            guard let target else { continue }
            switch target.type {
            case .int, .double, .choice, .bool: break
            default:
                report("'\(name)' is \(target.type.noun) and cannot be tuned; tune numbers, words or true/false", mark)
                continue
            }
            var checker = ParamChecker(layers: schema.layers)
            switch valueNode {
            case .sequence(let items):
                gridSize = gridSize.multipliedReportingOverflow(by: items.count).overflow ? Int.max : gridSize * items.count
                for item in items { _ = checker.checkValue(item, type: target.type, name: name, at: item.position) }
            case .mapping(let range) where range.count == 1:
                if strategy == "grid" { report("grid search needs a list of values for '\(name)', not a range", mark) }
                let (_, boundsNode) = range[range.startIndex]
                guard case .sequence(let bounds) = boundsNode else { continue }
                switch target.type {
                case .int, .double:
                    for bound in bounds { _ = checker.checkValue(bound, type: target.type, name: name, at: bound.position) }
                default:
                    report("'\(name)' is \(target.type.noun): give a list of values, not a range", mark)
                }
            default: break
            }
            for problem in checker.problems { report(problem.message, problem.mark) }
        }
        if strategy == "grid", gridSize > TuneLimits.maxGridTrials {
            report("grid search over \(gridSize == Int.max ? "too many" : String(gridSize)) combinations; at most \(TuneLimits.maxGridTrials)", spaceKey.position)
        }
    }
    return diagnostics
}
