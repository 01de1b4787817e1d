import Yams

/// One step after validation: every parameter present with defaults applied, ready to run and to hash.
public struct ValidatedStep: Equatable, Hashable, Sendable {
    public let stage: String
    /// Line and column of the step's opening fence.
    public let line: Int
    public let column: Int
    /// Index of the step's block in `Notebook.blocks`, so its outputs can follow it in the report.
    public let blockIndex: Int
    /// Every parameter of the stage; optional ones without a default (`limit_train`) only when given.
    /// Callback maps are `.bool(false)` when disabled. Layers are maps with a `type` key and every
    /// parameter of that type, `name` included.
    public var params: [String: ParamValue]
    /// Parameters set by `--set` flags, dotted for nested ones (`early_stopping.patience`).
    public var overridden: Set<String>
    /// The position of each layer in `params["layers"]`, so a later shape error can point at it
    /// (the step's fence for default layers and layers set from the command line).
    public var layerPositions: [SourcePosition]
    /// The step's `expect:` conditions, checked after it runs.
    public var expectations: [Expectation] = []
    /// The step's `id:` (`adam`), which `--set adam.epochs=3` targets; nil when it has none.
    public var id: String?
    /// Where the `id:` key is, for the duplicate error.
    public var idPosition: SourcePosition?
    /// Where each parameter the notebook gave is, nested ones dotted (`lr_schedule.min_lr`): a problem
    /// found after validation points at its key, and a parameter absent here came from its default or `--set`.
    public var keyPositions: [String: SourcePosition] = [:]

    public init(stage: String, line: Int, column: Int, blockIndex: Int, params: [String: ParamValue],
                overridden: Set<String> = [], layerPositions: [SourcePosition] = []) {
        self.stage = stage
        self.line = line
        self.column = column
        self.blockIndex = blockIndex
        self.params = params
        self.overridden = overridden
        self.layerPositions = layerPositions
    }

    public subscript(name: String) -> ParamValue? { params[name] }

    /// The parameters as canonical JSON (keys sorted): equal parameters give equal text, for cache keys.
    public var canonicalParameters: String { ParamValue.map(params).canonical }

    public var position: SourcePosition { SourcePosition(line: line, column: column) }
}

/// Validates every step of a notebook and applies `--set` overrides (`stage.param=value`).
/// Throws every problem at once, in notebook order, the parse problems included.
public func validate(_ notebook: Notebook, schema: Schema, overrides: [String] = []) throws(DiagnosticList) -> [ValidatedStep] {
    try validateNotebook(notebook, schema: schema, overrides: overrides).get()
}

extension Notebook {
    /// Same as `validate(_:overrides:)`; handy where the module name `Notebook` shadows the free function.
    public func validate(schema: Schema, overrides: [String] = []) throws(DiagnosticList) -> [ValidatedStep] {
        try validateNotebook(self, schema: schema, overrides: overrides).get()
    }
}

/// The validation, as a result value.
public func validateNotebook(_ notebook: Notebook, schema: Schema, overrides: [String] = []) -> Result<[ValidatedStep], DiagnosticList> {
    var diagnostics = notebook.diagnostics
    var steps: [ValidatedStep] = []
    for (index, block) in notebook.blocks.enumerated() {
        guard case .step(let step) = block, let spec = schema.spec(for: step.stage) else { continue }
        let (validated, problems) = validateStep(step, spec: spec, layers: schema.layers, blockIndex: index, path: notebook.path,
                                                 stageNames: schema.stageNames)
        steps.append(validated)
        diagnostics += problems
    }
    diagnostics += checkStepOrder(steps, schema: schema, path: notebook.path)
    diagnostics += checkDuplicateIDs(steps, path: notebook.path)
    diagnostics += checkTuneSteps(notebook, steps, schema: schema)
    let overrideProblems = applyOverrides(overrides, schema: schema, to: &steps)
    diagnostics = overrideProblems + diagnostics.sortedByPosition()
    return diagnostics.isEmpty ? .success(steps) : .failure(DiagnosticList(diagnostics))
}

/// Checks one step's YAML body against its stage; problems are placed at the offending key.
func validateStep(_ step: StepBlock, spec: StageSpec, layers: [LayerSpec], blockIndex: Int, path: String,
                  stageNames: [String] = []) -> (ValidatedStep, [Diagnostic]) {
    var checker = ParamChecker(layers: layers)
    var params = spec.defaults
    var expectations: [Expectation] = []
    var id: (String, SourcePosition?)?
    var keyMarks: [String: SourcePosition] = [:]
    switch composeYAML(step.body, firstLine: step.bodyLine) {
    case .failure(let problem):
        checker.problems += problem.all
    case .success(nil):
        break  // an empty body means all defaults
    case .success(let node?):
        if case .mapping(let mapping) = node {
            let (withoutID, foundID) = splitStepID(mapping, stageNames: stageNames, problems: &checker.problems)
            id = foundID
            let (rest, found) = splitExpectations(withoutID, stage: step.stage, results: spec.results, problems: &checker.problems)
            expectations = found
            params = checker.checkParameters(rest, specs: spec.parameters).values
            checkKnownNames(rest, specs: spec.parameters, checker: &checker)
            keyMarks = givenKeyMarks(rest, specs: spec.parameters)
        } else {
            checker.problems.append(YAMLProblem(
                message: "a step's body must be a mapping of 'parameter: value' lines, got \(node.shownInError)",
                mark: node.position))
        }
    }
    let stepPosition = SourcePosition(line: step.line, column: step.column)
    var layerPositions: [SourcePosition] = []
    if let layers = spec.parameters.first(where: \.isLayerList).flatMap({ params[$0.name]?.listValue }) {
        layerPositions = layers.indices.map { index in
            index < checker.layerPositions.count
                ? checker.layerPositions[index].map { step.notebookPosition(bodyLine: $0.line, column: $0.column) } ?? stepPosition
                : stepPosition
        }
    }
    let diagnostics = checker.problems.map { problem -> Diagnostic in
        let position = problem.mark.map { step.notebookPosition(bodyLine: $0.line, column: $0.column) } ?? stepPosition
        return Diagnostic(path: path, line: position.line, column: position.column, stage: step.stage, message: problem.message)
    }
    var validated = ValidatedStep(stage: step.stage, line: step.line, column: step.column, blockIndex: blockIndex,
                                  params: params, layerPositions: layerPositions)
    validated.expectations = expectations
    validated.keyPositions = keyMarks.mapValues { step.notebookPosition(bodyLine: $0.line, column: $0.column) }
    validated.id = id?.0
    validated.idPosition = id?.1.map { step.notebookPosition(bodyLine: $0.line, column: $0.column) } ?? id.map { _ in stepPosition }
    return (validated, diagnostics)
}

/// The body-relative marks of the parameters a step's body gives, and of the members of its mapping parameters.
private func givenKeyMarks(_ mapping: Node.Mapping, specs: [ParameterSpec]) -> [String: SourcePosition] {
    var marks: [String: SourcePosition] = [:]
    for (key, value) in mapping {
        // `key:` with nothing after it means the default, as if absent.
        guard let name = key.scalar?.string, !value.isNull, let spec = specs[named: name], let mark = key.position else { continue }
        marks[name] = mark
        if case .mapping(let inner) = value, let members = spec.members {
            for (member, position) in givenKeyMarks(inner, specs: members) { marks[name + "." + member] = position }
        }
    }
    return marks
}

/// A value of a parameter with known names (a dataset) that is none of them, nor plausibly a path,
/// but close to one, is a typo: catching it here saves a failed run.
private func checkKnownNames(_ mapping: Node.Mapping, specs: [ParameterSpec], checker: inout ParamChecker) {
    for (key, value) in mapping {
        guard let spec = specs.first(where: { $0.name == key.scalar?.string }), let known = spec.knownNames,
              case .scalar(let scalar) = value else { continue }
        let name = scalar.string
        guard !known.names.contains(name), !name.contains("/"), !name.hasPrefix("."), !name.hasPrefix("~"),
              let meant = closestMatch(to: name, in: known.names) else { continue }
        checker.problems.append(YAMLProblem(
            message: "unknown \(spec.name) '\(name)' (did you mean '\(meant)'?); \(known.otherwise)",
            mark: key.position))
    }
}

/// The lifecycle order: each stage's prerequisites (`StageSpec.needs`) must come earlier.
/// Repeating a stage is allowed.
func checkStepOrder(_ steps: [ValidatedStep], schema: Schema, path: String) -> [Diagnostic] {
    var firstLine: [String: Int] = [:]
    for step in steps where firstLine[step.stage] == nil { firstLine[step.stage] = step.line }
    var seen: Set<String> = []
    var diagnostics: [Diagnostic] = []
    for step in steps {
        for required in schema.spec(for: step.stage)?.needs ?? [] where !seen.contains(required) {
            let hint = firstLine[required].map { "the '\(required)' step is on line \($0)" } ?? "the notebook has none"
            diagnostics.append(Diagnostic(path: path, line: step.line, column: step.column, stage: step.stage,
                                          message: "'\(step.stage)' needs a '\(required)' step before it (\(hint))"))
        }
        seen.insert(step.stage)
    }
    return diagnostics
}
