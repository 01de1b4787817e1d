import Yams

/// A problem inside one YAML text at a 1-based line and column of that text (nil: the whole text).
struct YAMLProblem: Error {
    var message: String
    var mark: SourcePosition?
    /// Problems found together with this one (each duplicated key of a mapping), reported beside it.
    var others: [YAMLProblem] = []

    /// This problem and the ones found with it.
    var all: [YAMLProblem] { [YAMLProblem(message: message, mark: mark)] + others }
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
        // Yams marks only the first duplicated key; each other one is found at the first line that starts with it.
        let problems = duplicates.map { key in
            YAMLProblem(message: "key '\(key)' is given more than once",
                        mark: firstKeyLine(key, in: text) ?? SourcePosition(context.mark))
        }.sorted { ($0.mark?.line ?? 0, $0.mark?.column ?? 0) < ($1.mark?.line ?? 0, $1.mark?.column ?? 0) }
        guard var first = problems.first else {
            return YAMLProblem(message: "a key is given more than once", mark: SourcePosition(context.mark))
        }
        first.others = Array(problems.dropFirst())
        return first
    default:
        return YAMLProblem(message: "invalid YAML: \(error)", mark: nil)
    }
}

/// Line and column of the first block-mapping line `key:` in a YAML text, or nil.
private func firstKeyLine(_ key: String, in text: String) -> SourcePosition? {
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let indent = line.prefix { $0 == " " || $0 == "-" }
        let rest = line.dropFirst(indent.count)
        for written in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(written) {
            if rest.dropFirst(written.count).drop(while: { $0 == " " }).first == ":" {
                return SourcePosition(line: index + 1, column: indent.count + 1)
            }
        }
    }
    return nil
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
