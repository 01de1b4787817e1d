import Yams

/// A problem inside one YAML text at a 1-based line and column of that text (nil: the whole text).
struct YAMLProblem: Error {
    var message: String
    var mark: SourcePosition?
}

/// Parses one YAML document into a node tree, keeping marks; nil for an empty document.
/// Yams' errors become one problem at the place libyaml stopped.
func composeYAML(_ text: String) -> Result<Node?, YAMLProblem> {
    do {
        return .success(try Yams.compose(yaml: text))
    } catch let error as YamlError {
        return .failure(yamlProblem(error, text: text))
    } catch {
        return .failure(YAMLProblem(message: "invalid YAML: \(error)", mark: nil))
    }
}

private func yamlProblem(_ error: YamlError, text: String) -> YAMLProblem {
    switch error {
    case let .scanner(context, problem, mark, _),
         let .parser(context, problem, mark, _),
         let .composer(context, problem, mark, _):
        let while_ = context.map { " (\($0.text))" } ?? ""
        return YAMLProblem(message: "invalid YAML: \(problem)\(while_)", mark: SourcePosition(mark))
    case let .reader(problem, offset, _, _):
        return YAMLProblem(message: "invalid YAML: \(problem)", mark: offset.map { markAt(offset: $0, in: text) })
    case let .duplicatedKeysInMapping(duplicates, context):
        // Yams marks the first occurrence of the key.
        let key = duplicates.first ?? "?"
        return YAMLProblem(message: "key '\(key)' is given more than once", mark: SourcePosition(context.mark))
    default:
        return YAMLProblem(message: "invalid YAML: \(error)", mark: nil)
    }
}

/// The mark of a character offset (Yams reports reader errors as offsets).
private func markAt(offset: Int, in text: String) -> SourcePosition {
    var line = 1, column = 1
    for character in text.prefix(offset) {
        if character == "\n" { line += 1; column = 1 } else { column += 1 }
    }
    return SourcePosition(line: line, column: column)
}

extension SourcePosition {
    init(_ mark: Mark) {
        self.init(line: mark.line, column: mark.column)
    }
}

extension Node {
    /// Where the node starts in its YAML text.
    var position: SourcePosition? { mark.map(SourcePosition.init) }

    /// The resolved tag (`Tag.name` is internal to Yams; its raw value is public).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }

    /// True for `~`, `null` and an empty value: "not given".
    var isNull: Bool {
        // Quoted "null" resolves to a string tag, so only the plain forms count.
        if case .scalar = self { return tagName == .null }
        return false
    }

    /// How an error names a value: the text as written, or what kind of node it is.
    var shownInError: String {
        switch self {
        case .scalar(let scalar): return "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
