/// A line and a column in the notebook file, both 1-based.
public struct SourcePosition: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// One problem found in a notebook, printed as `path:line:column: stage: message`.
///
/// A diagnostic that comes from the command line rather than the notebook (a bad `--set` flag)
/// has line 0; it prints as `path: message`, where `path` names the flag.
public struct Diagnostic: Error, CustomStringConvertible, Equatable, Hashable, Sendable {
    public var path: String
    public var line: Int
    public var column: Int
    /// The stage the problem belongs to, or `front matter`; empty when there is none.
    public var stage: String
    public var message: String

    public init(path: String, line: Int, column: Int, stage: String, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.stage = stage
        self.message = message
    }

    public var position: SourcePosition { SourcePosition(line: line, column: column) }

    public var description: String {
        if line <= 0 { return "\(path): \(message)" }
        if stage.isEmpty { return "\(path):\(line):\(column): \(message)" }
        return "\(path):\(line):\(column): \(stage): \(message)"
    }
}

/// Every problem found in one pass, in notebook order; thrown so a user sees all of them at once.
public struct DiagnosticList: Error, CustomStringConvertible, Equatable, Sendable {
    public let diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One diagnostic per line.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }

    public var isEmpty: Bool { diagnostics.isEmpty }
}

extension Array where Element == Diagnostic {
    /// Command-line problems first (line 0), then notebook order; the sort is stable so
    /// several problems on one key keep the order they were found in.
    func sortedByPosition() -> [Diagnostic] {
        enumerated().sorted { a, b in
            (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
        }.map(\.element)
    }
}
