import Yams

/// `expect:` may sit in any step: a mapping of result name to condition. It is taken out of the step's
/// body before the stage's parameters are checked, and each entry is checked against the results the
/// stage offers (`StageSpec.results`), at the entry's own position.
func splitExpectations(_ mapping: Node.Mapping, stage: String, results: [String],
                       problems: inout [YAMLProblem]) -> (rest: Node.Mapping, expectations: [Expectation]) {
    var rest: [(Node, Node)] = []
    var expectations: [Expectation] = []
    for (key, value) in mapping {
        guard key.scalar?.string == "expect" else { rest.append((key, value)); continue }
        guard !results.isEmpty else {
            problems.append(YAMLProblem(message: "'\(stage)' has no results to expect; the stages with results are "
                + "load, build, train and evaluate (mnistbook steps lists them)", mark: key.position))
            continue
        }
        guard case .mapping(let conditions) = value else {
            problems.append(YAMLProblem(message: "expect must be a mapping of result: condition, e.g. "
                + "expect: {\(results[0]): \">= 0\"}, got \(value.shownInError)", mark: value.position ?? key.position))
            continue
        }
        for (name, condition) in conditions {
            guard let result = name.scalar?.string, results.contains(result) else {
                let written = name.scalar?.string ?? name.shownInError
                problems.append(YAMLProblem(message: "expect: unknown result '\(written)'\(didYouMean(written, results)); "
                    + "\(stage) offers \(results.joined(separator: ", "))", mark: name.position))
                continue
            }
            switch Expectation.parse(name: result, conditionValue(condition)) {
            case .success(let expectation): expectations.append(expectation)
            case .failure(let error):
                problems.append(YAMLProblem(message: "expect: \(result): \(error)", mark: condition.position ?? name.position))
            }
        }
    }
    return (Node.Mapping(rest, mapping.tag, mapping.style, mapping.mark), expectations)
}

/// A condition's YAML value: a plain number as a number, anything else as its text.
private func conditionValue(_ node: Node) -> ParamValue {
    guard case .scalar(let scalar) = node else { return .list([]) }
    if scalar.style == .plain {
        if let n = Int(scalar.string) { return .int(n) }
        if let x = Double(scalar.string), x.isFinite { return .double(x) }
    }
    return .string(scalar.string)
}

/// `--set stage.expect.result=condition` (or `id.expect.…`): adds the condition to every step of the stage
/// (or the step with that id), replacing one on the same result. nil when the flag is not about `expect`.
func parseExpectOverride(_ raw: String, schema: Schema, stagesPresent: Set<String>,
                         ids: [(id: String, stage: String)] = []) -> Result<(OverrideTarget, Expectation), DiagnosticList>? {
    guard let equals = raw.firstIndex(of: "=") else { return nil }
    let path = raw[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard path.count >= 2, path[1] == "expect", case .success(let target) = resolveTarget(path[0], schema: schema, ids: ids),
          let spec = schema.spec(for: target.stage) else { return nil }
    let stage = target.stage
    func failure(_ message: String) -> Result<(OverrideTarget, Expectation), DiagnosticList> {
        .failure(DiagnosticList([Diagnostic(path: "--set \(raw)", line: 0, column: 0, stage: stage, message: message)]))
    }
    guard !spec.results.isEmpty else {
        return failure("'\(stage)' has no results to expect; the stages with results are load, build, train and evaluate (mnistbook steps lists them)")
    }
    guard path.count == 3, !path[2].isEmpty else {
        return failure("expected \(stage).expect.result=condition, for example \(stage).expect.\(spec.results[0])=\">= 0\"")
    }
    guard spec.results.contains(path[2]) else {
        return failure("expect: unknown result '\(path[2])'\(didYouMean(path[2], spec.results)); \(stage) offers \(spec.results.joined(separator: ", "))")
    }
    guard stagesPresent.contains(stage) else { return failure("the notebook has no '\(stage)' step") }
    let text = String(raw[raw.index(after: equals)...])
    let value: ParamValue = Int(text).map(ParamValue.int) ?? Double(text).flatMap { $0.isFinite ? ParamValue.double($0) : nil } ?? .string(text)
    switch Expectation.parse(name: path[2], value) {
    case .success(let expectation): return .success((target, expectation))
    case .failure(let error): return failure("expect: \(path[2]): \(error)")
    }
}
