/// One top-level piece of a notebook, in source order.
public enum Block: Equatable, Sendable {
    /// Markdown prose, already rendered to an HTML fragment.
    case prose(Prose)
    /// A fenced block in another language, shown as-is and never run.
    case code(CodeBlock)
    /// A fenced block whose info string names a stage: YAML parameters to validate and run.
    case step(StepBlock)
    /// A fenced `question`, `answer`, `solution`, `note` or `warning` block: Markdown shown as a callout.
    case callout(Callout)

    /// The notebook line the block starts on.
    public var line: Int {
        switch self {
        case .prose(let prose): return prose.line
        case .code(let code): return code.line
        case .step(let step): return step.line
        case .callout(let callout): return callout.line
        }
    }
}

/// A run of consecutive prose nodes rendered to HTML (safe: raw HTML is omitted).
public struct Prose: Equatable, Sendable {
    /// HTML fragment; headings carry `id` attributes matching `headings`.
    public let html: String
    public let headings: [Heading]
    public let line: Int

    public init(html: String, headings: [Heading], line: Int) {
        self.html = html
        self.headings = headings
        self.line = line
    }
}

/// A heading, for the report's table of contents.
public struct Heading: Equatable, Hashable, Sendable {
    public let level: Int
    /// Plain text of the heading (formatting dropped).
    public let text: String
    /// GitHub-style slug, unique within the notebook (`problem-definition`, `results-1`).
    public let id: String
    public let line: Int

    public init(level: Int, text: String, id: String, line: Int) {
        self.level = level
        self.text = text
        self.id = id
        self.line = line
    }
}

/// A fenced code block in a language that is not a stage.
public struct CodeBlock: Equatable, Sendable {
    /// First word of the info string; empty when there is none.
    public let language: String
    public let text: String
    public let line: Int

    public init(language: String, text: String, line: Int) {
        self.language = language
        self.text = text
        self.line = line
    }
}

/// A fenced block naming a stage; its body is the step's YAML parameters.
public struct StepBlock: Equatable, Sendable {
    public let stage: String
    /// The YAML between the fences (empty: all defaults).
    public let body: String
    /// Line and column of the opening fence.
    public let line: Int
    public let column: Int
    /// The notebook line of the body's first line.
    public let bodyLine: Int

    public init(stage: String, body: String, line: Int, column: Int, bodyLine: Int) {
        self.stage = stage
        self.body = body
        self.line = line
        self.column = column
        self.bodyLine = bodyLine
    }

    /// Notebook position of a 1-based line and column inside the body. cmark strips a fence's
    /// indentation from its body lines, so the fence's indentation is added back.
    public func notebookPosition(bodyLine line: Int, column: Int) -> SourcePosition {
        SourcePosition(line: bodyLine + line - 1, column: column + self.column - 1)
    }
}
