import Notebook
import Report

/// Which version of the report a render writes: with the solutions (`render --teacher`), compact for
/// paper (`--handout`) or wide for a projector (`--present`). Each version has its own file name, so a
/// teacher's render never replaces the students' report; the steps and their cache are the same.
public struct ReportOptions: Sendable, Equatable {
    public var teacher: Bool
    public var layout: ReportLayout

    public init(teacher: Bool = false, handout: Bool = false, present: Bool = false) {
        self.teacher = teacher
        layout = handout ? .handout : present ? .present : .standard
    }

    /// `<stem>.html`, `<stem>-teacher.html`, `<stem>-handout.html`, `<stem>-teacher-present.html`, …
    public func reportName(stem: String) -> String {
        var name = stem
        if teacher { name += "-teacher" }
        if layout != .standard { name += "-" + layout.rawValue }
        return name + ".html"
    }

    /// The line under the title saying which version this is; nil for the students' full report.
    public var versionLine: String? {
        var parts: [String] = []
        if teacher { parts.append("teacher's, with solutions") }
        switch layout {
        case .standard: break
        case .handout: parts.append("handout: compact, without checksum and array tables")
        case .present: parts.append("for a projector: wide, large type")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

/// Something a render warns about without failing: a step's warning, or raw HTML left out of the prose.
public struct RenderWarning: Sendable, Equatable {
    /// The stage, or empty for the notebook's own text.
    public var stage: String
    public var line: Int
    public var column: Int?
    public var text: String

    public init(stage: String, line: Int, column: Int? = nil, text: String) {
        self.stage = stage
        self.line = line
        self.column = column
        self.text = text
    }

    /// `notebooks/x.md:40: train: warning: …`, `notebooks/x.md:12:1: warning: raw HTML …`.
    public func line(path: String) -> String {
        if stage.isEmpty { return "\(path):\(line):\(column ?? 1): \(text)" }
        return "\(path):\(line): \(stage): warning: \(text)"
    }
}

/// Every warning of a render in notebook order: the notebook's own (raw HTML) and the steps' outputs.
func renderWarnings(_ notebook: Notebook, sections: [Int: StepSection]) -> [RenderWarning] {
    var warnings = notebook.warnings.map { RenderWarning(stage: "", line: $0.line, column: $0.column, text: $0.message) }
    for index in sections.keys.sorted() {
        guard let section = sections[index] else { continue }
        warnings += Output.warnings(in: section.outputs).map { RenderWarning(stage: section.stage, line: section.line, text: $0) }
    }
    return warnings.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
}
