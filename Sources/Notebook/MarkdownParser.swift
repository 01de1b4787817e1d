import CMark
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one cmark-gfm parse of the Markdown gives: blocks with notebook positions, and unknown-stage problems.
struct ParsedMarkdown {
    var blocks: [Block]
    var problems: [Diagnostic]
    /// Raw HTML the report leaves out, one warning per tag or HTML block.
    var warnings: [Diagnostic] = []
}

/// GFM extensions attached to the parser and used again when rendering.
private let extensionNames = ["table", "strikethrough", "autolink", "tagfilter"]

/// cmark-gfm's registration sets a plain static flag; a global's initialiser runs exactly once even when
/// notebooks are parsed on several threads.
private let registerExtensions: Void = cmark_gfm_core_extensions_ensure_registered()

/// Parse options. No CMARK_OPT_UNSAFE: raw HTML and `javascript:` links are dropped, because
/// nothing in a notebook may run code in the reader's browser.
private let parseOptions = CMARK_OPT_DEFAULT | CMARK_OPT_FOOTNOTES | CMARK_OPT_VALIDATE_UTF8
private let renderOptions = CMARK_OPT_DEFAULT | CMARK_OPT_FOOTNOTES

/// The parser (its extension list renders the document) and the document of `markdown`, parsed with the
/// notebook's options and extensions; the caller frees both.
private func parseDocument(_ markdown: String) -> (parser: OpaquePointer, document: OpaquePointer) {
    _ = registerExtensions
    guard let parser = cmark_parser_new(parseOptions) else { fatalError("cmark_parser_new failed") }
    for name in extensionNames {
        if let syntaxExtension = cmark_find_syntax_extension(name) {
            cmark_parser_attach_syntax_extension(parser, syntaxExtension)
        }
    }
    markdown.withCString { cmark_parser_feed(parser, $0, markdown.utf8.count) }
    guard let document = cmark_parser_finish(parser) else { fatalError("cmark_parser_finish failed") }
    return (parser, document)
}

/// Parses Markdown with cmark-gfm and walks the top-level nodes: fenced blocks become steps or code,
/// runs of everything else become prose rendered to HTML. `lineOffset` is added to cmark's lines
/// (the lines the front matter took).
func parseMarkdown(_ markdown: String, lineOffset: Int, path: String, stages: [String]) -> ParsedMarkdown {
    let (parser, document) = parseDocument(markdown)
    defer { cmark_node_free(document); cmark_parser_free(parser) }
    let extensions = cmark_parser_get_syntax_extensions(parser)

    var children: [OpaquePointer] = []
    var child = cmark_node_first_child(document)
    while let node = child {
        children.append(node)
        child = cmark_node_next(node)
    }

    let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
    var blocks: [Block] = []
    var problems: [Diagnostic] = []
    var warnings = rawHTMLWarnings(document, path: path, lineOffset: lineOffset, columnOffset: 0)
    var slugs = SlugSet()
    var proseGroup: [OpaquePointer] = []

    func flushProse() {
        guard !proseGroup.isEmpty else { return }
        let line = Int(cmark_node_get_start_line(proseGroup[0])) + lineOffset
        blocks.append(.prose(renderProse(proseGroup, extensions: extensions, lineOffset: lineOffset, slugs: &slugs, line: line,
                                         directory: directory)))
        proseGroup = []
    }

    for node in children {
        guard cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK, isFenced(node) else {
            proseGroup.append(node)
            continue
        }
        flushProse()
        let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
        let words = info.split(whereSeparator: { $0 == " " || $0 == "\t" })
        let word = words.first.map(String.init) ?? ""
        let text = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
        let line = Int(cmark_node_get_start_line(node)) + lineOffset
        let column = Int(cmark_node_get_start_column(node))
        if stages.contains(word) {
            blocks.append(.step(StepBlock(stage: word, body: text, line: line, column: column, bodyLine: line + 1)))
            continue
        }
        if words.count == 1, let kind = Callout.Kind(rawValue: word) {
            let body = renderCalloutBody(text, line: line + 1, column: column, path: path, directory: directory)
            warnings += body.warnings
            blocks.append(.callout(Callout(kind: kind, text: text, html: body.html, line: line, column: column)))
            continue
        }
        if words.count == 1, let meant = misspelledStage(word, stages: stages) {
            problems.append(Diagnostic(path: path, line: line, column: column, stage: word,
                                       message: "unknown stage '\(word)' (did you mean '\(meant)'?)"))
        }
        blocks.append(.code(CodeBlock(language: word, text: text, line: line)))
    }
    flushProse()
    return ParsedMarkdown(blocks: blocks, problems: problems, warnings: warnings)
}

/// A callout's Markdown body as an HTML fragment, parsed on its own like prose. `line` is the notebook
/// line of the body's first line; cmark strips the fence's indentation, so `column` adds it back.
private func renderCalloutBody(_ text: String, line: Int, column: Int, path: String, directory: URL) -> (html: String, warnings: [Diagnostic]) {
    let (parser, document) = parseDocument(text)
    defer { cmark_node_free(document); cmark_parser_free(parser) }
    let warnings = rawHTMLWarnings(document, path: path, lineOffset: line - 1, columnOffset: column - 1)
    ProseImages.resolve(document, directory: directory)
    var html = ""
    if let rendered = cmark_render_html(document, renderOptions, cmark_parser_get_syntax_extensions(parser)) {
        html = String(cString: rendered)
        free(rendered)
    }
    return (html, warnings)
}

/// The raw HTML under `root` (blocks and inline tags), which the report omits: a notebook runs nothing in
/// the reader's browser. One warning each, at the tag, with what to write instead.
func rawHTMLWarnings(_ root: OpaquePointer, path: String, lineOffset: Int, columnOffset: Int) -> [Diagnostic] {
    guard let iterator = cmark_iter_new(root) else { return [] }
    defer { cmark_iter_free(iterator) }
    var warnings: [Diagnostic] = []
    while true {
        let event = cmark_iter_next(iterator)
        if event == CMARK_EVENT_DONE { break }
        guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
        let type = cmark_node_get_type(node)
        guard type == CMARK_NODE_HTML_BLOCK || type == CMARK_NODE_HTML_INLINE else { continue }
        let literal = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
        warnings.append(Diagnostic(path: path, line: Int(cmark_node_get_start_line(node)) + lineOffset,
                                   column: Int(cmark_node_get_start_column(node)) + columnOffset, stage: "",
                                   message: rawHTMLMessage(literal)))
    }
    return warnings
}

/// "warning: raw HTML <details> is omitted from the report …": the first tag, shortened, and the supported way.
func rawHTMLMessage(_ literal: String) -> String {
    let first = literal.split(separator: "\n").first.map { String($0).trimmingCharacters(in: " ") } ?? ""
    var tag = first
    if first.hasPrefix("<"), !first.hasPrefix("<!--"), let end = first.firstIndex(where: { $0 == ">" || $0 == " " }) {
        tag = String(first[..<end]) + ">"
    }
    if tag.count > 40 { tag = String(tag.prefix(39)) + "…" }
    return "warning: raw HTML \(tag) is omitted from the report (a report runs no HTML from a notebook); "
        + "write a question, answer, solution, note or warning block instead (a solution shows only with render --teacher)"
}

private func isFenced(_ node: OpaquePointer) -> Bool {
    var length: Int32 = 0, offset: Int32 = 0
    var character: CChar = 0
    return cmark_node_get_fenced(node, &length, &offset, &character) != 0
}

/// Renders consecutive top-level nodes as one HTML fragment. The nodes move into a document of their
/// own so that footnote definitions in one run render as one footnotes section; that document frees them.
private func renderProse(_ nodes: [OpaquePointer], extensions: UnsafeMutablePointer<cmark_llist>?, lineOffset: Int,
                         slugs: inout SlugSet, line: Int, directory: URL) -> Prose {
    var headings: [Heading] = []
    for node in nodes {
        collectHeadings(node, lineOffset: lineOffset, slugs: &slugs, into: &headings)
    }
    guard let fragment = cmark_node_new(CMARK_NODE_DOCUMENT) else { fatalError("cmark_node_new failed") }
    defer { cmark_node_free(fragment) }
    for node in nodes {
        cmark_node_unlink(node)
        if cmark_node_append_child(fragment, node) == 0 {
            cmark_node_free(node)  // cannot happen for top-level blocks; never leak it
        }
    }
    ProseImages.resolve(fragment, directory: directory)
    var html = ""
    if let rendered = cmark_render_html(fragment, renderOptions, extensions) {
        html = String(cString: rendered)
        free(rendered)
    }
    return Prose(html: addHeadingIDs(html, headings), headings: headings, line: line)
}

/// Every heading under `node` (top-level or nested in quotes and lists), in document order.
private func collectHeadings(_ node: OpaquePointer, lineOffset: Int, slugs: inout SlugSet, into headings: inout [Heading]) {
    guard let iterator = cmark_iter_new(node) else { return }
    defer { cmark_iter_free(iterator) }
    while true {
        let event = cmark_iter_next(iterator)
        if event == CMARK_EVENT_DONE { break }
        guard event == CMARK_EVENT_ENTER, let current = cmark_iter_get_node(iterator),
              cmark_node_get_type(current) == CMARK_NODE_HEADING else { continue }
        let text = plainText(current)
        headings.append(Heading(level: Int(cmark_node_get_heading_level(current)), text: text,
                                id: slugs.unique(slug(text)),
                                line: Int(cmark_node_get_start_line(current)) + lineOffset))
    }
}

/// The text of a node's inlines without formatting, as a table of contents shows it.
private func plainText(_ node: OpaquePointer) -> String {
    guard let iterator = cmark_iter_new(node) else { return "" }
    defer { cmark_iter_free(iterator) }
    var text = ""
    while true {
        let event = cmark_iter_next(iterator)
        if event == CMARK_EVENT_DONE { break }
        guard event == CMARK_EVENT_ENTER, let current = cmark_iter_get_node(iterator) else { continue }
        let type = cmark_node_get_type(current)
        if type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE {
            text += cmark_node_get_literal(current).map { String(cString: $0) } ?? ""
        } else if type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK {
            text += " "
        }
    }
    return text.trimmingCharacters(in: " ")
}

/// Gives the n-th `<hN>` tag of the fragment the n-th heading's id. Raw HTML is omitted and text is
/// escaped, so every literal `<hN>` in cmark's output is a heading tag, in document order.
private func addHeadingIDs(_ html: String, _ headings: [Heading]) -> String {
    var output = ""
    var rest = Substring(html)
    for heading in headings {
        let tag = "<h\(heading.level)>"
        guard let range = rest.range(of: tag) else { break }
        output += rest[..<range.lowerBound]
        output += "<h\(heading.level) id=\"\(heading.id)\">"
        rest = rest[range.upperBound...]
    }
    return output + rest
}

/// GitHub-style heading slug: lowercase, punctuation dropped, spaces to hyphens.
func slug(_ text: String) -> String {
    var result = ""
    for character in text.lowercased() {
        if character.isLetter || character.isNumber || character == "-" || character == "_" {
            result.append(character)
        } else if character == " " {
            result.append("-")
        }
    }
    return result.isEmpty ? "section" : result
}

/// Makes slugs unique within a notebook the way GitHub does: `results`, `results-1`, `results-2`.
struct SlugSet {
    private var used: Set<String> = []

    mutating func unique(_ base: String) -> String {
        var candidate = base
        var n = 0
        while used.contains(candidate) {
            n += 1
            candidate = "\(base)-\(n)"
        }
        used.insert(candidate)
        return candidate
    }
}

private extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
