import Foundation

/// The whole report: one self-contained HTML document (inline CSS and SVG, PNGs as data URIs,
/// no external URL).
public struct ReportPage: Sendable {
    public var title: String
    public var author: String?
    /// Shown as given (front matter's date, or the render time formatted by the caller).
    public var date: String?
    /// Extra lines under the title, e.g. ("seed", "42"), ("notebook", "notebooks/mnist.md").
    public var meta: [(String, String)]
    public var sections: [Section]
    /// Zone for "cached, computed …" times.
    public var timeZone: TimeZone
    /// Footer credit.
    public var generator: String
    /// Full, handout (compact, no reference tables) or present (wide, large type).
    public var layout: ReportLayout = .standard

    public init(title: String, author: String? = nil, date: String? = nil, meta: [(String, String)] = [],
                sections: [Section] = [], timeZone: TimeZone = .current, generator: String = "mnistbook") {
        self.title = title
        self.author = author
        self.date = date
        self.meta = meta
        self.sections = sections
        self.timeZone = timeZone
        self.generator = generator
    }

    public func html() -> String {
        var h = HTMLBuilder(timeZone: timeZone)
        h.omitReference = layout == .handout
        h.add("<!doctype html>")
        h.add(layout == .standard ? "<html lang=\"en\">" : "<html lang=\"en\" class=\"layout-\(layout.rawValue)\">")
        h.add("<head>")
        h.add("<meta charset=\"utf-8\">")
        h.add("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        h.add("<meta name=\"generator\" content=\"\(escapeHTML(generator))\">")
        h.add("<title>\(escapeHTML(title))</title>")
        h.add("<style>\n\(reportCSS)</style>")
        h.add("</head>")
        h.add(layout == .standard ? "<body>" : "<body class=\"layout-\(layout.rawValue)\">")
        h.add("<main class=\"page\">")
        h.pageHeader(self)
        h.tableOfContents(sections)
        h.add("<div class=\"content\">")
        for section in sections {
            switch section {
            case .prose(let html, let headings): h.prose(html, headings: headings)
            case .step(let step): h.step(step)
            }
        }
        h.add("</div>")
        if sections.contains(where: { if case .step = $0 { return true }; return false }) { h.glossary() }
        h.add("<footer class=\"page-foot\">Rendered by \(escapeHTML(generator)).</footer>")
        h.add("</main>")
        h.add("</body>")
        h.add("</html>")
        return h.out.joined(separator: "\n") + "\n"
    }
}

/// Accumulates the page's lines; one method per kind of thing drawn.
struct HTMLBuilder {
    var out: [String] = []
    let dateFormatter: DateFormatter
    /// A handout leaves out `Output.reference` (checksums, array shapes, memory).
    var omitReference = false

    init(timeZone: TimeZone) {
        dateFormatter = DateFormatter()
        dateFormatter.locale = Locale(identifier: "en_US_POSIX")
        dateFormatter.timeZone = timeZone
        dateFormatter.dateFormat = "yyyy-MM-dd HH:mm"
    }

    mutating func add(_ s: String) { out.append(s) }

    // MARK: Page frame

    mutating func pageHeader(_ page: ReportPage) {
        add("<header class=\"page-head\">")
        add("<h1 class=\"page-title\">\(escapeHTML(page.title))</h1>")
        let byline = [page.author, page.date].compactMap { $0 }.filter { !$0.isEmpty }
        if !byline.isEmpty {
            add("<p class=\"byline\">\(byline.map(escapeHTML).joined(separator: " · "))</p>")
        }
        if !page.meta.isEmpty {
            add("<dl class=\"meta\">")
            for (k, v) in page.meta {
                add("<div><dt>\(escapeHTML(k))</dt><dd>\(escapeHTML(v))</dd></div>")
            }
            add("</dl>")
        }
        add("</header>")
    }

    mutating func tableOfContents(_ sections: [Section]) {
        var items: [String] = []
        var lastLevel = 1
        for section in sections {
            switch section {
            case .prose(_, let headings):
                for heading in headings where heading.level <= 3 {
                    lastLevel = heading.level
                    items.append("<li class=\"toc-h\(heading.level)\"><a href=\"#\(escapeHTML(heading.id))\">\(escapeHTML(heading.text))</a></li>")
                }
            case .step(let step) where step.summary != nil:
                // A summary belongs to the whole notebook, not under the last prose heading.
                items.append("<li class=\"toc-step toc-h2 summary\"><a href=\"#\(escapeHTML(step.id))\"><span class=\"stage\">summary</span> \(escapeHTML(step.title ?? step.stage))</a></li>")
            case .step(let step):
                let level = min(lastLevel + 1, 4)
                let label = step.title.map { " \(escapeHTML($0))" } ?? ""
                let word = statusWord(step.status) + (step.hasWarnings ? ", with warnings" : "")
                items.append("<li class=\"toc-step toc-h\(level) \(statusClass(step))\"><a href=\"#\(escapeHTML(step.id))\"><span class=\"stage\">\(escapeHTML(step.stage))</span>\(label)</a> <span class=\"toc-meta\">\(escapeHTML(word))</span></li>")
            }
        }
        guard !items.isEmpty else { return }
        add("<nav class=\"toc\" aria-label=\"Contents\">")
        add("<h2 class=\"toc-title\">Contents</h2>")
        add("<ol>")
        out.append(contentsOf: items)
        add("</ol>")
        add("</nav>")
    }

    // MARK: Sections

    mutating func prose(_ html: String, headings: [Heading]) {
        add("<div class=\"prose\">")
        add(ProseAnchors.apply(html, headings: headings))
        add("</div>")
    }

    mutating func step(_ step: StepSection) {
        if let summary = step.summary {
            // No line, time or status: a summary is made from the steps, not run.
            add("<section class=\"step summary\" id=\"\(escapeHTML(step.id))\">")
            add("<header class=\"step-head\">")
            add("<h2 class=\"step-title\">\(escapeHTML(step.title ?? step.stage))</h2>")
            add("<p class=\"step-meta\"><span class=\"stage\">summary</span> · \(escapeHTML(summary))</p>")
            add("</header>")
            if !step.outputs.isEmpty {
                add("<div class=\"outputs\">")
                outputs(step.outputs)
                add("</div>")
            }
            add("</section>")
            return
        }
        add("<section class=\"step \(statusClass(step))\" id=\"\(escapeHTML(step.id))\">")
        add("<header class=\"step-head\">")
        if let title = step.title, !title.isEmpty {
            add("<h2 class=\"step-title\">\(escapeHTML(title))</h2>")
        }
        var parts = ["<span class=\"stage\">\(escapeHTML(step.stage))</span>", "line \(step.line)"]
        if let s = step.seconds { parts.append(escapeHTML(formatSeconds(s))) }
        parts.append("<span class=\"status\">\(escapeHTML(statusText(step.status) + (step.hasWarnings ? ", with warnings" : "")))</span>")
        add("<p class=\"step-meta\">\(parts.joined(separator: " · "))</p>")
        add("</header>")
        if !step.params.isEmpty { params(step) }
        if !step.expectations.isEmpty {
            add("<ul class=\"expectations\" aria-label=\"Expectations\">")
            for e in step.expectations {
                add("<li class=\"expectation \(e.passed ? "ok" : "bad")\">\(e.passed ? "✓ passed" : "✗ failed"): \(escapeHTML(e.summary))</li>")
            }
            add("</ul>")
        }
        if !step.outputs.isEmpty {
            add("<div class=\"outputs\">")
            outputs(step.outputs)
            add("</div>")
        }
        add("</section>")
    }

    /// One chip per parameter; hover or keyboard focus shows its doc, allowed values and default,
    /// with a link to the glossary term when there is one.
    mutating func params(_ step: StepSection) {
        let set = Set(step.overridden)
        add("<ul class=\"params\" aria-label=\"Parameters\">")
        let tuned = Set(step.tuned)
        for (k, v) in step.params {
            let isTuned = tuned.contains(k), isSet = set.contains(k)
            let inert = step.inert[k]
            let mark = isTuned ? " <span class=\"mark\">tuned</span>" : isSet ? " <span class=\"mark\">set</span>" : ""
            let cls = (isTuned ? "param set tuned" : isSet ? "param set" : "param") + (inert == nil ? "" : " inert")
            let origin = isTuned ? "the best value of the tune step" : "set in the notebook or on the command line"
            guard let help = step.help[k] else {
                let title = inert.map { " title=\"\(escapeHTML($0))\"" } ?? (isTuned || isSet ? " title=\"\(origin)\"" : "")
                add("<li class=\"\(cls)\"\(title)><span class=\"k\">\(escapeHTML(k))</span> <span class=\"v\">\(escapeHTML(v))</span>\(mark)</li>")
                continue
            }
            let id = "\(step.id)-help-\(anchorID(k))"
            var tip = escapeHTML(help.doc)
            if let term = Glossary.term(forParameter: k) {
                tip += " (<a href=\"#glossary-\(term.id)\">\(escapeHTML(term.term))</a>)"
            }
            tip += "<span class=\"d\">\(escapeHTML(help.allowed)) · default \(escapeHTML(help.defaultValue.isEmpty ? "none" : help.defaultValue))</span>"
            if isTuned || isSet { tip += "<span class=\"d\">\(origin)</span>" }
            if let inert { tip += "<span class=\"d inert-why\">\(escapeHTML(inert))</span>" }
            add("<li class=\"\(cls)\" tabindex=\"0\" aria-describedby=\"\(escapeHTML(id))\"><span class=\"k\">\(escapeHTML(k))</span> <span class=\"v\">\(escapeHTML(v))</span>\(mark)<span class=\"help\" role=\"tooltip\" id=\"\(escapeHTML(id))\">\(tip)</span></li>")
        }
        add("</ul>")
    }

    mutating func glossary() {
        add("<section class=\"glossary\" id=\"glossary\" aria-label=\"Glossary\">")
        add("<h2>Glossary</h2>")
        add("<dl>")
        for term in Glossary.terms {
            add("<dt id=\"glossary-\(term.id)\">\(escapeHTML(term.term))</dt><dd>\(escapeHTML(term.definition))</dd>")
        }
        add("</dl>")
        add("</section>")
    }

    /// Outputs in order; consecutive line and bar charts share a row (loss beside accuracy).
    mutating func outputs(_ outputs: [Output]) {
        var charts: [String] = []
        func isChart(_ o: Output) -> Bool {
            switch o { case .lineChart, .barChart: return true; default: return false }
        }
        for (i, output) in outputs.enumerated() {
            switch output {
            case .lineChart(let c): charts.append(SVGChart.render(c))
            case .barChart(let c): charts.append(SVGChart.render(c))
            default: self.output(output)
            }
            let nextIsChart = i + 1 < outputs.count && isChart(outputs[i + 1])
            if !charts.isEmpty && !nextIsChart {
                add("<div class=\"charts\(charts.count == 1 ? " single" : "")\">")
                for svg in charts { add("<figure class=\"chart\">\(svg)</figure>") }
                add("</div>")
                charts = []
            }
        }
    }

    mutating func output(_ output: Output) {
        switch output {
        case .table(let t): table(t)
        case .keyValues(let title, let pairs): keyValues(title: title, pairs)
        case .barChart(let c): add("<figure class=\"chart\">\(SVGChart.render(c))</figure>")
        case .lineChart(let c): add("<figure class=\"chart\">\(SVGChart.render(c))</figure>")
        case .heatmap(let m): add("<figure class=\"heatmap\">\(SVGChart.render(m))</figure>")
        case .imageGrid(let g): imageGrid(g)
        case .diagram(let svg, let caption):
            add("<figure class=\"diagram\">")
            add("<div class=\"diagram-body\">\(svg)</div>")
            if let caption { add("<figcaption>\(escapeHTML(caption))</figcaption>") }
            add("</figure>")
        case .code(let language, let text):
            let cls = language.isEmpty ? "" : " class=\"language-\(escapeHTML(anchorID(language)))\""
            add("<pre class=\"code\"><code\(cls)>\(escapeHTML(text))</code></pre>")
        case .note(let text):
            add("<p class=\"note\">\(escapeHTML(text))</p>")
        case .warning(let text):
            add("<p class=\"warning\" role=\"note\"><strong>Warning</strong> \(escapeHTML(text))</p>")
        case .reference(let inner):
            if !omitReference { self.output(inner) }
        case .digitPad(let pad):
            add("<div class=\"digit-pad\">")
            add(DigitPad.reportFragment(id: "digit-pad", modelJSON: pad.modelJSON, classNames: pad.classNames, side: pad.side))
            add("</div>")
        case .error(let text):
            add("<div class=\"error\" role=\"alert\"><p class=\"error-title\">Error</p><pre>\(escapeHTML(text))</pre></div>")
        case .files(let files):
            let t = Table(caption: "Files written", header: ["file", "size", "bytes"],
                          rows: files.map { [$0.name, formatBytes($0.bytes), groupThousands($0.bytes)] },
                          alignRight: [1, 2])
            table(t, cls: "files")
        case .details(let summary, let inner):
            add("<details class=\"more\"><summary>\(escapeHTML(summary))</summary>")
            outputs(inner)
            add("</details>")
        case .timelapse(let t): add(t.html())
        }
    }

    mutating func table(_ t: Table, cls: String = "data") {
        add("<figure class=\"table \(cls)\">")
        if let caption = t.caption { add("<figcaption>\(escapeHTML(caption))</figcaption>") }
        add("<div class=\"scroll\"><table>")
        func cells(_ row: [String], tag: String) -> String {
            row.enumerated().map { c, v in
                let num = t.alignRight.contains(c) ? " class=\"num\"" : ""
                return "<\(tag)\(num)>\(escapeHTML(v))</\(tag)>"
            }.joined()
        }
        if !t.header.isEmpty {
            add("<thead><tr>\(cells(t.header, tag: "th"))</tr></thead>")
        }
        add("<tbody>")
        for row in t.rows { add("<tr>\(cells(row, tag: "td"))</tr>") }
        add("</tbody>")
        if !t.footer.isEmpty {
            add("<tfoot>")
            for row in t.footer { add("<tr>\(cells(row, tag: "td"))</tr>") }
            add("</tfoot>")
        }
        add("</table></div>")
        add("</figure>")
    }

    mutating func keyValues(title: String?, _ pairs: [KeyValue]) {
        add("<figure class=\"table kv\">")
        if let title { add("<figcaption>\(escapeHTML(title))</figcaption>") }
        add("<div class=\"scroll\"><table><tbody>")
        for pair in pairs {
            add("<tr><th scope=\"row\">\(escapeHTML(pair.key))</th><td>\(escapeHTML(pair.value))</td></tr>")
        }
        add("</tbody></table></div>")
        add("</figure>")
    }

    mutating func imageGrid(_ g: ImageGrid) {
        add("<figure class=\"images\">")
        if let title = g.title { add("<figcaption>\(escapeHTML(title))</figcaption>") }
        // Tiles at twice the source size: MNIST's 28 px become 56 CSS px, crisp with pixelated scaling.
        let tileW = max(32, min(112, 2 * (g.images.map(\.width).max() ?? 28)))
        add("<div class=\"tiles\" style=\"--cols:\(g.columns);--tile:\(tileW)px\">")
        for (i, image) in g.images.enumerated() {
            let caption = g.caption(i)
            let wrong = g.isHighlighted(i) ? " wrong" : ""
            let src: String
            if let png = try? PNG.encode(gray: image.pixels, width: image.width, height: image.height) {
                src = "data:image/png;base64," + Data(png).base64EncodedString()
            } else {
                src = ""
            }
            add("<div class=\"tile\(wrong)\"><img src=\"\(src)\" width=\"\(image.width)\" height=\"\(image.height)\" alt=\"\(escapeHTML(caption))\">\(caption.isEmpty ? "" : "<span>\(escapeHTML(caption))</span>")</div>")
        }
        add("</div>")
        add("</figure>")
    }

    // MARK: Status words

    func statusWord(_ s: StepStatus) -> String {
        switch s {
        case .ran: return "ran"
        case .cached: return "cached"
        case .failed: return "failed"
        case .skipped: return "skipped"
        }
    }

    func statusText(_ s: StepStatus) -> String {
        if case .cached(let date) = s { return "cached, computed \(dateFormatter.string(from: date))" }
        return statusWord(s)
    }

    func statusClass(_ s: StepStatus) -> String { "status-" + statusWord(s) }

    /// The step's status class, and `warned` when its outputs hold a warning (amber badge and border).
    func statusClass(_ step: StepSection) -> String {
        statusClass(step.status) + (step.hasWarnings && step.status.succeeded ? " warned" : "")
    }
}

/// Gives prose headings the ids the table of contents links to, when the Markdown renderer
/// did not (cmark-gfm emits bare `<h2>`): the n-th heading of the list is matched to the next
/// bare `<hN>` of its level in document order.
enum ProseAnchors {
    static func apply(_ html: String, headings: [Heading]) -> String {
        guard !headings.isEmpty else { return html }
        var result = html
        var cursor = result.startIndex
        var missing: [Heading] = []
        for heading in headings {
            if result.contains("id=\"\(escapeHTML(heading.id))\"") { continue }
            let bare = "<h\(heading.level)>"
            if let r = result.range(of: bare, range: cursor..<result.endIndex) {
                let replacement = "<h\(heading.level) id=\"\(escapeHTML(heading.id))\">"
                let offset = result.distance(from: result.startIndex, to: r.lowerBound) + replacement.count
                result.replaceSubrange(r, with: replacement)
                cursor = result.index(result.startIndex, offsetBy: offset)
            } else {
                missing.append(heading)
            }
        }
        // Still keep the link target alive if a heading could not be found.
        let anchors = missing.map { "<a id=\"\(escapeHTML($0.id))\"></a>" }.joined()
        return anchors + result
    }
}
