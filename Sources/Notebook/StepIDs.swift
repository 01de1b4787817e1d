import Yams

/// A step's `id:` (`id: adam`): a name `--set adam.epochs=3` targets and the report and metrics.json
/// show for the step. Like `expect:` it may sit in any step and is taken out of the body before the
/// stage's parameters are checked.
public enum StepID {
    /// Longest id accepted: it is shown in table cells and used in file names (`training_history_<id>.json`).
    public static let maxLength = 40

    /// Why `text` cannot be an id, or nil when it can. A stage name or a front matter key would make
    /// `--set train.epochs` or `--set seed=7` ambiguous.
    static func problem(_ text: String, stageNames: [String]) -> String? {
        let allowed = text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0)
            || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first), allowed,
              text.count <= maxLength else {
            return "id '\(text)' must start with a letter and hold only letters, digits, '_' and '-' "
                + "(at most \(maxLength) characters), e.g. id: adam_lr3"
        }
        if stageNames.contains(text) {
            return "id '\(text)' is a stage name, which --set \(text).… already means (every \(text) step): choose another, e.g. id: \(text)_1"
        }
        if FrontMatter.keys.contains(text) {
            return "id '\(text)' is a front matter key, which --set \(text)=… already means: choose another"
        }
        return nil
    }
}

/// Takes `id:` out of a step's body; a bad id is reported at its key.
func splitStepID(_ mapping: Node.Mapping, stageNames: [String],
                 problems: inout [YAMLProblem]) -> (rest: Node.Mapping, id: (String, SourcePosition?)?) {
    var rest: [(Node, Node)] = []
    var id: (String, SourcePosition?)?
    for (key, value) in mapping {
        guard key.scalar?.string == "id" else { rest.append((key, value)); continue }
        guard case .scalar(let scalar) = value, !value.isNull else {
            problems.append(YAMLProblem(message: "id must be a word, e.g. id: adam, got \(value.shownInError)", mark: key.position))
            continue
        }
        if let problem = StepID.problem(scalar.string, stageNames: stageNames) {
            problems.append(YAMLProblem(message: problem, mark: key.position))
            continue
        }
        id = (scalar.string, key.position)
    }
    return (Node.Mapping(rest, mapping.tag, mapping.style, mapping.mark), id)
}

/// Two steps with one id would make `--set id.…` and the run table ambiguous: the second is refused.
func checkDuplicateIDs(_ steps: [ValidatedStep], path: String) -> [Diagnostic] {
    var first: [String: ValidatedStep] = [:]
    var diagnostics: [Diagnostic] = []
    for step in steps {
        guard let id = step.id else { continue }
        if let earlier = first[id] {
            let position = step.idPosition ?? step.position
            diagnostics.append(Diagnostic(path: path, line: position.line, column: position.column, stage: step.stage,
                                          message: "id '\(id)' is already the id of the \(earlier.stage) step on line \(earlier.line); "
                                              + "give each step its own id"))
        } else {
            first[id] = step
        }
    }
    return diagnostics
}

extension Array where Element == ValidatedStep {
    /// `adam (train, line 12), sgd (train, line 20)`: what `check` prints and an unknown id's error lists.
    public var idList: String {
        compactMap { step in step.id.map { "\($0) (\(step.stage), line \(step.line))" } }.joined(separator: ", ")
    }
}
