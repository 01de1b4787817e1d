import Yams

/// Turns YAML nodes into parameter values against the schema, applying defaults and collecting
/// every problem (not just the first) with the YAML mark it belongs to.
struct ParamChecker {
    /// The layer types a `.layers` parameter accepts.
    let layers: [LayerSpec]
    var problems: [YAMLProblem] = []
    /// The marks of the layer type keys of the last checked `layers` list, one per layer.
    var layerPositions: [SourcePosition?] = []

    private mutating func report(_ message: String, _ mark: SourcePosition?) {
        problems.append(YAMLProblem(message: message, mark: mark))
    }

    /// Checks a mapping of parameters. `prefix` is prepended to names in errors (`early_stopping.`);
    /// `owner` follows unknown-parameter errors (` in 'early_stopping'`, ` for conv2d`).
    /// Returns the values with defaults applied and the names the mapping gave.
    mutating func checkParameters(_ mapping: Node.Mapping, specs: [ParameterSpec], prefix: String = "",
                                  owner: String = "") -> (values: [String: ParamValue], given: Set<String>) {
        var values: [String: ParamValue] = [:]
        var given: Set<String> = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode, !keyNode.isNull else {
                report("a parameter name must be a plain word, got \(keyNode.shownInError)", keyNode.position ?? valueNode.position)
                continue
            }
            let key = keyScalar.string
            guard let spec = specs[named: key] else {
                report("unknown parameter '\(key)'\(owner)\(suggestionOrChoices(key, specs.map(\.name)))", keyNode.position)
                continue
            }
            // `epochs:` with nothing after it means "the default", as None does in Keras.
            if valueNode.isNull { continue }
            given.insert(key)
            if let value = checkValue(valueNode, type: spec.type, name: prefix + key, at: keyNode.position) {
                values[key] = value
            }
        }
        for spec in specs where values[spec.name] == nil && !given.contains(spec.name) {
            if let value = spec.defaultValue { values[spec.name] = value }
        }
        return (values, given)
    }

    /// Checks one value; nil (with a problem reported at `mark`, the key's position) when it does not fit.
    mutating func checkValue(_ node: Node, type: ParamType, name: String, at mark: SourcePosition?) -> ParamValue? {
        let mark = mark ?? node.position
        func wrongType() -> ParamValue? {
            report("'\(name)' must be \(type.noun), got \(node.shownInError)", mark)
            return nil
        }
        func outOfRange(_ range: NumberRange) -> ParamValue? {
            report("'\(name)' must be \(range), got \(node.scalar?.string ?? node.shownInError)", mark)
            return nil
        }
        switch type {
        case .int(let range):
            guard node.tagName == .int, let value = node.int else { return wrongType() }
            if let range, !range.contains(Double(value)) { return outOfRange(range) }
            return .int(value)

        case .double(let range):
            guard node.tagName == .int || node.tagName == .float,
                  let value = node.int.map(Double.init) ?? node.float else { return wrongType() }
            guard value.isFinite else {
                report("'\(name)' must be a finite number, got \(node.shownInError)", mark)
                return nil
            }
            if let range, !range.contains(value) { return outOfRange(range) }
            return .double(value)

        case .bool:
            guard node.tagName == .bool, let value = node.bool else { return wrongType() }
            return .bool(value)

        case .string:
            // Any scalar reads as its text: `name: 2024` is the string "2024", as a user means it.
            guard case .scalar(let scalar) = node, !node.isNull else { return wrongType() }
            return .string(scalar.string)

        case .choice(let words):
            guard case .scalar(let scalar) = node, !node.isNull else { return wrongType() }
            guard words.contains(scalar.string) else {
                report("'\(name)' must be \(type.noun), got '\(scalar.string)'\(didYouMean(scalar.string, words))", mark)
                return nil
            }
            return .string(scalar.string)

        case .list(let inner):
            switch node {
            case .sequence(let sequence):
                var items: [ParamValue] = []
                var ok = true
                for item in sequence {
                    if let value = checkValue(item, type: inner, name: name, at: item.position) { items.append(value) } else { ok = false }
                }
                return ok ? .list(items) : nil
            case .scalar:
                // `formats: onnx` is a list of one.
                return checkValue(node, type: inner, name: name, at: mark).map { .list([$0]) }
            default:
                return wrongType()
            }

        case .map(let specs, let canDisable):
            switch node {
            case .mapping(let mapping):
                return .map(checkParameters(mapping, specs: specs, prefix: name + ".", owner: " in '\(name)'").values)
            case .scalar where canDisable && node.tagName == .bool:
                // `false` turns the callback off; `true` turns it on with its defaults.
                return node.bool == true ? .map(defaultValues(of: specs)) : .bool(false)
            default:
                return wrongType()
            }

        case .layers:
            return checkLayers(node, name: name, at: mark)

        case .space:
            return checkSpace(node, name: name, at: mark)

        case .axes(let range):
            // `shift: 0.1` is both axes; `shift: {x: 0.1, y: 0.05}` one each (0 when absent).
            if case .mapping(let mapping) = node {
                let specs = ["x", "y"].map { ParameterSpec($0, .double(range), default: 0.0, doc: "") }
                let before = problems.count
                let values = checkParameters(mapping, specs: specs, prefix: name + ".", owner: " in '\(name)'").values
                return problems.count > before ? nil : .map(values)
            }
            guard let value = checkValue(node, type: .double(range), name: name, at: mark) else { return nil }
            return .map(["x": value, "y": value])
        }
    }

    /// Checks `build.layers`: each item `- type: {parameters}` (or a bare `- flatten`), unknown types and
    /// parameters with suggestions, required parameters, then Keras-style names for unnamed layers.
    mutating func checkLayers(_ node: Node, name: String, at mark: SourcePosition?) -> ParamValue? {
        layerPositions = []
        guard case .sequence(let sequence) = node else {
            report("'\(name)' must be a list of layers, got \(node.shownInError)", mark)
            return nil
        }
        guard !sequence.isEmpty else {
            report("'\(name)' must list at least one layer", mark)
            return nil
        }
        var layers: [[String: ParamValue]] = []
        var marks: [SourcePosition?] = []
        var ok = true
        for item in sequence {
            guard let (type, typeMark, paramsNode) = layerItem(item) else {
                report("a layer is written '- type: {parameters}', for example '- dense: {units: 10}'", item.position)
                ok = false
                continue
            }
            guard let spec = self.layers.first(where: { $0.type == type }) else {
                report("unknown layer type '\(type)'\(suggestionOrChoices(type, self.layers.map(\.type)))", typeMark)
                ok = false
                continue
            }
            var values = defaultValues(of: spec.parameters)
            var given: Set<String> = []
            if let paramsNode {
                guard case .mapping(let mapping) = paramsNode else {
                    report("\(type) parameters must be a mapping, got \(paramsNode.shownInError)", paramsNode.position)
                    ok = false
                    continue
                }
                let before = problems.count
                (values, given) = checkParameters(mapping, specs: spec.parameters, owner: " for \(type)")
                if problems.count > before { ok = false }
            }
            for parameter in spec.parameters where parameter.required && !given.contains(parameter.name) {
                report("\(type) needs '\(parameter.name)'", typeMark)
                ok = false
            }
            values["type"] = .string(type)
            layers.append(values)
            marks.append(typeMark)
        }
        // Two layers with one name would make the summary and the model file ambiguous.
        var seen: Set<String> = []
        for (index, layer) in layers.enumerated() {
            guard let layerName = layer["name"]?.stringValue else { continue }
            if !seen.insert(layerName).inserted {
                report("layer name '\(layerName)' is used more than once", marks[index])
                ok = false
            }
        }
        guard ok else { return nil }
        assignKerasNames(&layers, taken: seen, specs: self.layers)
        layerPositions = marks
        return .list(layers.map { .map($0) })
    }
}

/// The type, the type's mark and the parameters node of one `layers` item; nil when it has another shape.
private func layerItem(_ item: Node) -> (String, SourcePosition?, Node?)? {
    switch item {
    case .scalar(let scalar) where !item.isNull:
        return (scalar.string, item.position, nil)
    case .mapping(let mapping) where mapping.count == 1:
        let (key, value) = mapping[mapping.startIndex]
        guard case .scalar(let scalar) = key, !key.isNull else { return nil }
        return (scalar.string, key.position, value.isNull ? nil : value)
    default:
        return nil
    }
}

/// Names unnamed layers as Keras does (`conv2d`, `conv2d_1`, `batch_normalization`, …), skipping names in use.
private func assignKerasNames(_ layers: inout [[String: ParamValue]], taken: Set<String>, specs: [LayerSpec]) {
    var used = taken
    var counters: [String: Int] = [:]
    for index in layers.indices where layers[index]["name"] == nil {
        guard let type = layers[index]["type"]?.stringValue, let spec = specs.first(where: { $0.type == type }) else { continue }
        var candidate: String
        repeat {
            let n = counters[spec.autoNamePrefix, default: 0]
            counters[spec.autoNamePrefix] = n + 1
            candidate = n == 0 ? spec.autoNamePrefix : "\(spec.autoNamePrefix)_\(n)"
        } while used.contains(candidate)
        used.insert(candidate)
        layers[index]["name"] = .string(candidate)
    }
}
