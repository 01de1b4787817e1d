import Yams

/// A checked `--set stage.param=value` (or `stage.param.member=value`) flag.
struct Override {
    let stage: String
    let parameter: String
    /// The member of a mapping parameter (`patience` in `train.early_stopping.patience`).
    let member: String?
    let value: ParamValue
    /// The step id the flag named (`adam` in `adam.epochs=3`): only that step; nil: every step of the stage.
    var stepID: String? = nil

    var dottedName: String { member.map { "\(parameter).\($0)" } ?? parameter }
}

/// Applies command-line overrides to already validated steps, with the same checks as the notebook.
/// `stage.param` applies to every step of the stage, `id.param` to the step with that `id:`; a front
/// matter key (`seed=7`) is checked here and applied by `Notebook.applyingFrontMatterOverrides`.
/// Errors name the flag:
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
    let ids = steps.compactMap { step in step.id.map { ($0, step.stage) } }
    for raw in overrides {
        if let frontMatter = frontMatterOverride(raw) {
            if case .failure(let list) = frontMatter { problems += list.diagnostics }
            continue
        }
        if let expect = parseExpectOverride(raw, schema: schema, stagesPresent: present, ids: ids) {
            switch expect {
            case .failure(let list): problems += list.diagnostics
            case .success(let (target, expectation)):
                for index in steps.indices where target.matches(steps[index]) {
                    steps[index].expectations.removeAll { $0.name == expectation.name }
                    steps[index].expectations.append(expectation)
                }
            }
            continue
        }
        if let layer = parseLayerOverride(raw, schema: schema, ids: ids, steps: steps) {
            problems += applyLayerOverride(layer, raw: raw, schema: schema, to: &steps)
            continue
        }
        switch parseOverride(raw, schema: schema, stagesPresent: present, ids: ids) {
        case .failure(let list):
            problems += list.diagnostics
        case .success(let override):
            let target = OverrideTarget(stage: override.stage, stepID: override.stepID)
            for index in steps.indices where target.matches(steps[index]) {
                apply(override, schema: schema, to: &steps[index])
            }
        }
    }
    return problems
}

/// Parses and checks one flag against the schema.
func parseOverride(_ raw: String, schema: Schema, stagesPresent: Set<String>,
                   ids: [(id: String, stage: String)] = []) -> Result<Override, DiagnosticList> {
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
    let target: OverrideTarget
    switch resolveTarget(path[0], schema: schema, ids: ids) {
    case .failure(let error): return failure(path[0], [error.message])
    case .success(let resolved): target = resolved
    }
    let stage = target.stage
    guard let spec = schema.spec(for: stage) else { return failure(stage, ["unknown stage '\(stage)'"]) }
    guard let parameter = spec.parameters[named: path[1]] else {
        return failure(stage, ["unknown parameter '\(path[1])'\(suggestionOrChoices(path[1], spec.parameters.map(\.name)))"])
    }
    var targetSpec = parameter
    var member: String?
    if path.count > 2 {
        guard let members = parameter.members else {
            return failure(stage, ["'\(path[1...].dropLast().joined(separator: "."))' has no parameters inside it"])
        }
        guard path.count == 3 else {
            // Override keeps one member; a deeper value (augment.shift.x) is set whole, as the notebook writes it.
            let whole = path[0...2].joined(separator: ".")
            return failure(stage, ["--set reaches one level inside '\(path[1])': set \(whole) as a whole, as in the notebook"])
        }
        guard let memberSpec = members[named: path[2]] else {
            return failure(stage, ["unknown parameter '\(path[2])' in '\(parameter.name)'"
                + suggestionOrChoices(path[2], members.map(\.name))])
        }
        targetSpec = memberSpec
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
    guard let value = checker.checkValue(node, type: targetSpec.type, name: dotted, at: nil), checker.problems.isEmpty else {
        return failure(stage, checker.problems.map(\.message))
    }
    return .success(Override(stage: stage, parameter: parameter.name, member: member, value: value, stepID: target.stepID))
}

/// What a flag's first word names: every step of a stage, or the one step with that id.
struct OverrideTarget {
    let stage: String
    let stepID: String?

    func matches(_ step: ValidatedStep) -> Bool {
        stepID.map { step.id == $0 } ?? (step.stage == stage)
    }
}

/// A stage name, else a step id; an unknown word names what exists, ids included.
func resolveTarget(_ word: String, schema: Schema, ids: [(id: String, stage: String)]) -> Result<OverrideTarget, OverrideTargetError> {
    if schema.spec(for: word) != nil { return .success(OverrideTarget(stage: word, stepID: nil)) }
    if let match = ids.first(where: { $0.id == word }) { return .success(OverrideTarget(stage: match.stage, stepID: word)) }
    guard !ids.isEmpty else {
        return .failure(OverrideTargetError("unknown stage '\(word)'\(suggestionOrChoices(word, schema.stageNames))"))
    }
    let names = ids.map(\.id)
    return .failure(OverrideTargetError("unknown stage or step id '\(word)'\(didYouMean(word, schema.stageNames + names)); "
        + "the notebook's step ids are \(names.joined(separator: ", ")), the stages \(schema.stageNames.joined(separator: ", "))"))
}

struct OverrideTargetError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// `seed=7`, `title=…`: a front matter key with no stage before it. nil when the flag is not one;
/// else the checked value (applied by `Notebook.applyingFrontMatterOverrides`).
func frontMatterOverride(_ raw: String) -> Result<(key: String, frontMatter: FrontMatter), DiagnosticList>? {
    guard let equals = raw.firstIndex(of: "=") else { return nil }
    let key = String(raw[..<equals])
    guard FrontMatter.keys.contains(key) else { return nil }
    let value = String(raw[raw.index(after: equals)...])
    func failure(_ message: String) -> Result<(key: String, frontMatter: FrontMatter), DiagnosticList> {
        .failure(DiagnosticList([Diagnostic(path: "--set \(raw)", line: 0, column: 0, stage: frontMatterStage, message: message)]))
    }
    guard !value.isEmpty, !value.contains("\n") else { return failure("'\(key)' needs a value") }
    // The same checks as in the notebook's front matter; a value that is not plain YAML is read as text.
    let (frontMatter, problems) = parseFrontMatter("\(key): \(value)", path: "")
    if let problem = problems.first { return failure(problem.message) }
    if key != "seed" && frontMatter == FrontMatter() { return failure("'\(key)' needs a value") }
    return .success((key, frontMatter))
}

extension Notebook {
    /// The notebook with `--set seed=7` (and title, author, date) applied; flags that are not front
    /// matter keys, or not valid, are left to `validate`, which reports them.
    public func applyingFrontMatterOverrides(_ overrides: [String]) -> Notebook {
        var header = frontMatter
        for raw in overrides {
            guard case .success(let (key, given))? = frontMatterOverride(raw) else { continue }
            switch key {
            case "seed": header.seed = given.seed
            case "title": header.title = given.title
            case "author": header.author = given.author
            default: header.date = given.date
            }
        }
        return Notebook(path: path, frontMatter: header, blocks: blocks, diagnostics: diagnostics, warnings: warnings)
    }
}

/// Sets an override on one step. Setting a member of a disabled callback turns the callback on
/// with its defaults and that member changed.
func apply(_ override: Override, schema: Schema, to step: inout ValidatedStep) {
    if let member = override.member {
        var members = step.params[override.parameter]?.mapValue
            ?? schema.spec(for: step.stage)?.parameters[named: override.parameter]?.members.map(defaultValues(of:))
            ?? [:]
        members[member] = override.value
        step.params[override.parameter] = .map(members)
    } else {
        step.params[override.parameter] = override.value
    }
    if schema.spec(for: step.stage)?.parameters[named: override.parameter]?.isLayerList == true,
       let layers = override.value.listValue {
        step.layerPositions = Array(repeating: step.position, count: layers.count)
    }
    step.overridden.insert(override.dottedName)
}
