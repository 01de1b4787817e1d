import Foundation

/// A parsed notebook: front matter and blocks in source order, each with its notebook position.
///
/// Parsing never stops at a problem: problems found while parsing (front matter, misspelled stage
/// names) are kept in `diagnostics`, and `validate` reports them together with every step's problems.
public struct Notebook: Equatable, Sendable {
    /// The path exactly as the caller gave it; every diagnostic starts with it.
    public let path: String
    public let frontMatter: FrontMatter
    public let blocks: [Block]
    /// Problems found while parsing, in notebook order.
    public let diagnostics: [Diagnostic]
    /// What does not stop a render but changes what the reader sees (raw HTML omitted from prose), in notebook order.
    public let warnings: [Diagnostic]

    public init(path: String, frontMatter: FrontMatter, blocks: [Block], diagnostics: [Diagnostic] = [], warnings: [Diagnostic] = []) {
        self.path = path
        self.frontMatter = frontMatter
        self.blocks = blocks
        self.diagnostics = diagnostics
        self.warnings = warnings
    }

    /// Parses a notebook's text; a fence whose info string is one of `schema`'s stages is a step.
    /// `path` is only used in diagnostics.
    public static func parse(source: String, path: String, schema: Schema) -> Notebook {
        var text = source
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        // Swift treats "\r\n" as one Character; normalising keeps line splitting simple. A lone "\r"
        // (classic Mac files) ends a line too, as in CommonMark: without it the front matter was lost.
        text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let sections = splitFrontMatter(text, path: path)
        let (frontMatter, frontMatterProblems) = parseFrontMatter(sections.frontMatterYAML, path: path)
        let markdown = parseMarkdown(sections.markdown, lineOffset: sections.markdownLineOffset, path: path,
                                     stages: schema.stageNames)
        return Notebook(path: path, frontMatter: frontMatter, blocks: markdown.blocks,
                        diagnostics: (sections.problems + frontMatterProblems + markdown.problems).sortedByPosition(),
                        warnings: markdown.warnings.sortedByPosition())
    }

    /// Reads and parses a notebook file. Throws a one-line `DiagnosticList` when the file cannot be read.
    public static func load(path: String, schema: Schema) throws(DiagnosticList) -> Notebook {
        func failure(_ message: String) -> DiagnosticList {
            DiagnosticList([Diagnostic(path: path, line: 0, column: 0, stage: "", message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("no such notebook")
        }
        guard !isDirectory.boolValue else { throw failure("is a directory, not a notebook") }
        guard let data = FileManager.default.contents(atPath: path) else { throw failure("cannot read the notebook") }
        guard let source = String(data: data, encoding: .utf8) else { throw failure("the notebook is not UTF-8 text") }
        return parse(source: source, path: path, schema: schema)
    }

    /// The step blocks in order.
    public var steps: [StepBlock] {
        blocks.compactMap { if case .step(let step) = $0 { return step } else { return nil } }
    }

    /// Every heading in order, for a table of contents.
    public var headings: [Heading] {
        blocks.flatMap { block -> [Heading] in
            if case .prose(let prose) = block { return prose.headings }
            return []
        }
    }
}
