import Foundation
import Notebook
import Report

/// The report page: front matter on top, then the notebook's prose, code, handout blocks and steps in
/// order, each step with the outputs it produced. Solutions only in the teacher's version; raw HTML the
/// prose lost is named in an amber warning right after the block it was in.
func reportPage(_ notebook: Notebook, sections stepSections: [Int: StepSection], failed: StepRecord?,
                renderedAt: Date = Date(), closing: StepSection? = nil, options: ReportOptions = ReportOptions(),
                inert: [Int: [String: String]] = [:]) -> ReportPage {
    var sections: [Section] = []
    let blocks = notebook.blocks
    for (index, block) in blocks.enumerated() {
        switch block {
        case .prose(let prose):
            sections.append(.prose(html: prose.html, headings: prose.headings.map {
                Report.Heading(level: $0.level, text: $0.text, id: $0.id)
            }))
        case .code(let code):
            sections.append(.prose(html: codeBlockHTML(code), headings: []))
        case .callout(let callout):
            guard callout.kind != .solution || options.teacher else { break }
            sections.append(.prose(html: calloutHTML(kind: callout.kind.rawValue, label: callout.kind.label, html: callout.html,
                                                     line: callout.line, blank: callout.kind == .answer && callout.isBlank),
                                   headings: []))
        case .step:
            if var section = stepSections[index] {
                section.inert = inert[index] ?? [:]
                sections.append(.step(section))
            }
        }
        guard case .step = block else {
            let end = index + 1 < blocks.count ? blocks[index + 1].line : Int.max
            for warning in notebook.warnings where warning.line >= block.line && warning.line < end {
                sections.append(.prose(html: notebookWarningHTML("line \(warning.line): "
                    + warning.message.replacingOccurrences(of: "warning: ", with: "")), headings: []))
            }
            continue
        }
    }
    // The table of every run, when the notebook has several (TrainingRuns.swift).
    if let closing { sections.append(.step(closing)) }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    var meta: [(String, String)] = [
        ("notebook", notebook.path),
        ("seed", "\(notebook.frontMatter.seed)"),
        ("rendered", formatter.string(from: renderedAt)),
    ]
    if let version = options.versionLine { meta.append(("version", version)) }
    if let failed {
        meta.append(("status", "failed at the '\(failed.stage)' step on line \(failed.line); later steps were skipped"))
    }
    var page = ReportPage(title: notebook.frontMatter.title ?? notebookStem(notebook.path), author: notebook.frontMatter.author,
                          date: notebook.frontMatter.date, meta: meta, sections: sections)
    page.layout = options.layout
    return page
}

/// A fenced block in another language, shown as written and never run. Report has no section for
/// code between steps, so it goes in as prose; the text is escaped like everything else.
func codeBlockHTML(_ code: CodeBlock) -> String {
    let language = code.language.isEmpty ? "" : " class=\"language-\(escapeHTML(anchorID(code.language)))\""
    return "<pre class=\"code\"><code\(language)>\(escapeHTML(code.text))</code></pre>"
}

/// Top-level names of the parameters set on the command line (`early_stopping.patience` marks `early_stopping`).
func overriddenNames(_ step: ValidatedStep) -> [String] {
    Array(Set(step.overridden.map { String($0.split(separator: ".").first ?? "") })).sorted()
}

/// Each parameter's chip help: the doc, type and default `mnistbook steps` prints.
func parameterHelp(_ spec: StageSpec) -> [String: ParameterHelp] {
    Dictionary(spec.parameters.map {
        ($0.name, ParameterHelp(doc: $0.doc, allowed: $0.type.summary, defaultValue: $0.defaultDescription))
    }, uniquingKeysWith: { first, _ in first })
}

/// Every parameter with its effective value, in the order the stage documents them.
func parameterRows(_ step: ValidatedStep, spec: StageSpec) -> [(String, String)] {
    spec.parameters.map { parameter in
        guard let value = step[parameter.name] else { return (parameter.name, parameter.defaultDescription) }
        if parameter.isLayerList, let layers = value.listValue {
            let names = layers.compactMap { $0["name"]?.stringValue }
            return (parameter.name, "\(layers.count) layers: " + names.joined(separator: ", "))
        }
        if case .string(let text) = value { return (parameter.name, text) }
        return (parameter.name, value.yaml)
    }
}
