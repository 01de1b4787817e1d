import Yams

/// A checked `--set stage.param=value` (or `stage.param.member=value`) flag.
struct Override {
    let stage: String
    let parameter: String
    /// The member of a mapping parameter (`patience` in `train.early_stopping.patience`).
    let member: String?
    let value: ParamValue

    var dottedName: String { member.map { "\(parameter).\($0)" } ?? parameter }
}

/// Applies command-line overrides to already validated steps, with the same checks as the notebook.
/// Each override applies to every step of its stage. Errors name the flag:
/// `--set train.epocs=3: unknown parameter 'epocs' (did you mean 'epochs'?)`.
public func applyOverrides(_ overrides: [String], schema: Schema, to steps: [ValidatedStep]) throws(DiagnosticList) -> [ValidatedStep] {
    var steps = steps
    let problems = applyOverrides(overrides, schema: schema, to: &steps)
    if !problems.isEmpty { throw DiagnosticList(problems) }
    return steps
}

func applyOverrides(_ overrides: [String], schema: Schema, to steps: inout [ValidatedStep]) -> [Diagnostic] {
    var problems: [Diagnostic] = []
    let present = Set(steps.map(\.stage))
    for raw in overrides {
        if let expect = parseExpectOverride(raw, schema: schema, stagesPresent: present) {
            switch expect {
            case .failure(let list): problems += list.diagnostics
            case .success(let (stage, expectation)):
                for index in steps.indices where steps[index].stage == stage {
                    steps[index].expectations.removeAll { $0.name == expectation.name }
                    steps[index].expectations.append(expectation)
                }
            }
            continue
        }
        switch parseOverride(raw, schema: schema, stagesPresent: present) {
        case .failure(let list):
            problems += list.diagnostics
        case .success(let override):
            for index in steps.indices where steps[index].stage == override.stage {
                apply(override, schema: schema, to: &steps[index])
            }
        }
    }
    return problems
}

/// Parses and checks one flag against the schema.
func parseOverride(_ raw: String, schema: Schema, stagesPresent: Set<String>) -> Result<Override, DiagnosticList> {
    let flag = "--set \(raw)"
    func failure(_ stage: String, _ messages: [String]) -> Result<Override, DiagnosticList> {
        .failure(DiagnosticList(messages.map { Diagnostic(path: flag, line: 0, column: 0, stage: stage, message: $0) }))
    }
    guard let equals = raw.firstIndex(of: "=") else {
        return failure("", ["expected stage.parameter=value, for example train.epochs=5"])
    }
    let path = raw[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    let valueText = String(raw[raw.index(after: equals)...])
    guard path.count >= 2, !path.contains(where: \.isEmpty) else {
        return failure("", ["expected stage.parameter=value, for example train.epochs=5"])
    }
    let stage = path[0]
    guard let spec = schema.spec(for: stage) else {
        return failure(stage, ["unknown stage '\(stage)'\(suggestionOrChoices(stage, schema.stageNames))"])
    }
    guard let parameter = spec.parameter(named: path[1]) else {
        return failure(stage, ["unknown parameter '\(path[1])'\(suggestionOrChoices(path[1], spec.parameters.map(\.name)))"])
    }
    var target = parameter
    var member: String?
    if path.count > 2 {
        guard path.count == 3, let members = parameter.members else {
            return failure(stage, ["'\(path[1...].dropLast().joined(separator: "."))' has no parameters inside it"])
        }
        guard let memberSpec = members.first(where: { $0.name == path[2] }) else {
            return failure(stage, ["unknown parameter '\(path[2])' in '\(parameter.name)'"
                + suggestionOrChoices(path[2], members.map(\.name))])
        }
        target = memberSpec
        member = memberSpec.name
    }
    let dotted = path[1...].joined(separator: ".")
    guard stagesPresent.contains(stage) else {
        return failure(stage, ["the notebook has no '\(stage)' step"])
    }
    let node: Node
    switch composeYAML(valueText) {
    case .failure(let problem):
        return failure(stage, [problem.message])
    case .success(nil):
        return failure(stage, ["'\(dotted)' needs a value"])
    case .success(let parsed?):
        if parsed.isNull { return failure(stage, ["'\(dotted)' needs a value"]) }
        node = parsed
    }
    var checker = ParamChecker(layers: schema.layers)
    // A mapping's value comes back even when a member was refused: the problems decide.
    guard let value = checker.checkValue(node, type: target.type, name: dotted, at: nil), checker.problems.isEmpty else {
        return failure(stage, checker.problems.map(\.message))
    }
    return .success(Override(stage: stage, parameter: parameter.name, member: member, value: value))
}

/// Sets an override on one step. Setting a member of a disabled callback turns the callback on
/// with its defaults and that member changed.
func apply(_ override: Override, schema: Schema, to step: inout ValidatedStep) {
    if let member = override.member {
        var members = step.params[override.parameter]?.mapValue
            ?? schema.spec(for: step.stage)?.parameter(named: override.parameter)?.members.map(defaultValues(of:))
            ?? [:]
        members[member] = override.value
        step.params[override.parameter] = .map(members)
    } else {
        step.params[override.parameter] = override.value
    }
    if schema.spec(for: step.stage)?.parameter(named: override.parameter)?.isLayerList == true,
       let layers = override.value.listValue {
        step.layerPositions = Array(repeating: step.position, count: layers.count)
    }
    step.overridden.insert(override.dottedName)
}
