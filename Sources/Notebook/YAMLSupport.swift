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
/// Yams' errors become one problem at the place libyaml stopped, except a bracket or quote left open,
/// which is named at its opening. `firstLine` is the notebook line of the text's first line (nil: not in the notebook).
func composeYAML(_ text: String, firstLine: Int? = nil) -> Result<Node?, YAMLProblem> {
    do {
        return .success(try Yams.compose(yaml: text))
    } catch let error as YamlError {
        return .failure(unclosedProblem(error, text: text, firstLine: firstLine) ?? yamlProblem(error, text: text))
    } catch {
        return .failure(YAMLProblem(message: "invalid YAML: \(error)", mark: nil))
    }
}

/// libyaml reports a `{`, `[` or quote that is never closed where it gave up (often the next line, "did not
/// find expected ',' or '}'"); its context mark is the opening, which is what the writer must look at.
private func unclosedProblem(_ error: YamlError, text: String, firstLine: Int?) -> YAMLProblem? {
    let context: YamlError.Context?
    switch error {
    case let .scanner(c, _, _, _), let .parser(c, _, _, _): context = c
    default: return nil
    }
    guard let context else { return nil }
    let opening = SourcePosition(context.mark)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard opening.line >= 1, opening.line <= lines.count else { return nil }
    let opener = lines[opening.line - 1].dropFirst(opening.column - 1).first
    let pairs: [(context: String, open: Character, close: String)] = [
        ("while parsing a flow mapping", "{", "}"), ("while parsing a flow sequence", "[", "]"),
        ("while scanning a quoted scalar", "\"", "\""), ("while scanning a quoted scalar", "'", "'"),
    ]
    guard let pair = pairs.first(where: { context.text == $0.context && opener == $0.open }) else { return nil }
    let at = firstLine.map { " on line \($0 + opening.line - 1)" } ?? ""
    return YAMLProblem(message: "the \(pair.open) opened\(at) is not closed: add the matching \(pair.close)", mark: opening)
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
