import Yams

/// The notebook's YAML header: title, author, date, and the one seed that drives shuffling, init and dropout.
public struct FrontMatter: Equatable, Hashable, Sendable {
    public static let defaultSeed = 42
    /// The keys a front matter may have.
    public static let keys = ["title", "author", "date", "seed"]

    public var title: String?
    public var author: String?
    public var date: String?
    public var seed: Int

    public init(title: String? = nil, author: String? = nil, date: String? = nil, seed: Int = FrontMatter.defaultSeed) {
        self.title = title
        self.author = author
        self.date = date
        self.seed = seed
    }
}

/// A source cut into its front matter (if any) and the Markdown after it.
struct SourceSections {
    /// The YAML between the `---` lines, nil when the notebook has no front matter.
    var frontMatterYAML: String?
    /// The Markdown to hand to cmark.
    var markdown: String
    /// Lines before the Markdown: add to cmark's line numbers to get notebook lines.
    var markdownLineOffset: Int
    var problems: [Diagnostic]
}

/// The stage name front matter diagnostics carry.
let frontMatterStage = "front matter"

/// Cuts a leading `---` … `---` (or `...`) block off the source. The front matter's YAML starts on
/// notebook line 2; the Markdown starts on the line after the closing fence.
func splitFrontMatter(_ source: String, path: String) -> SourceSections {
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    func isFence(_ line: Substring, _ marks: [String]) -> Bool {
        marks.contains(String(line).trimmingTrailingSpaces())
    }
    guard let first = lines.first, isFence(first, ["---"]) else {
        return SourceSections(frontMatterYAML: nil, markdown: source, markdownLineOffset: 0, problems: [])
    }
    guard let close = lines.indices.dropFirst().first(where: { isFence(lines[$0], ["---", "..."]) }) else {
        // Without a closing fence there is no telling where YAML ends: read it all as Markdown.
        let problem = Diagnostic(path: path, line: 1, column: 1, stage: frontMatterStage,
                                 message: "front matter is not closed: add a line '---' after it")
        return SourceSections(frontMatterYAML: nil, markdown: source, markdownLineOffset: 0, problems: [problem])
    }
    return SourceSections(frontMatterYAML: lines[1..<close].joined(separator: "\n"),
                          markdown: lines[(close + 1)...].joined(separator: "\n"),
                          markdownLineOffset: close + 1, problems: [])
}

/// Reads the front matter's YAML; problems point at notebook lines (the YAML starts on line 2).
func parseFrontMatter(_ yaml: String?, path: String) -> (FrontMatter, [Diagnostic]) {
    var frontMatter = FrontMatter()
    guard let yaml else { return (frontMatter, []) }
    var problems: [Diagnostic] = []
    func report(_ message: String, _ mark: SourcePosition?) {
        problems.append(Diagnostic(path: path, line: (mark?.line ?? 0) + 1, column: mark?.column ?? 1,
                                   stage: frontMatterStage, message: message))
    }
    let node: Node
    switch composeYAML(yaml, firstLine: 2) {
    case .failure(let problem):
        for each in problem.all { report(each.message, each.mark) }
        return (frontMatter, problems)
    case .success(nil):
        return (frontMatter, problems)
    case .success(let parsed?):
        node = parsed
    }
    guard case .mapping(let mapping) = node else {
        report("front matter must be a mapping of keys (title, author, date, seed), got \(node.shownInError)", node.position)
        return (frontMatter, problems)
    }
    for (keyNode, value) in mapping {
        let key = keyNode.scalar?.string ?? ""
        guard FrontMatter.keys.contains(key) else {
            report("unknown front matter key '\(key)'\(suggestionOrChoices(key, FrontMatter.keys))", keyNode.position)
            continue
        }
        if value.isNull { continue }
        if key == "seed" {
            guard value.tagName == .int, let seed = value.int else {
                report("'seed' must be an integer, got \(value.shownInError)", keyNode.position)
                continue
            }
            guard seed >= 0 else {
                report("'seed' must be >= 0, got \(seed)", keyNode.position)
                continue
            }
            frontMatter.seed = seed
            continue
        }
        // Dates and numbers are text here: `date: 2024-05-01` is shown as written.
        guard case .scalar(let scalar) = value else {
            report("'\(key)' must be a string, got \(value.shownInError)", keyNode.position)
            continue
        }
        switch key {
        case "title": frontMatter.title = scalar.string
        case "author": frontMatter.author = scalar.string
        default: frontMatter.date = scalar.string
        }
    }
    return (frontMatter, problems)
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
