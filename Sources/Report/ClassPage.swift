import Foundation

/// `mnistbook grade`'s page: one row per student notebook with each expectation's result and the key
/// metrics. Everything from the notebooks is escaped text: a student's notebook never puts markup,
/// let alone script, on the teacher's page.
public struct ClassPage: Sendable {
    public typealias Check = ExpectationCheck

    public struct Student: Sendable {
        public var student: String
        public var notebook: String
        /// complete, failed (a step failed), invalid (the notebook did not pass check).
        public var status: String
        /// Why, for a failed or invalid notebook.
        public var problem: String?
        /// The student's report, relative to the class page; nil when none was written.
        public var reportLink: String?
        public var checks: [Check]
        public var metrics: [(String, String)]

        public init(student: String, notebook: String, status: String, problem: String? = nil, reportLink: String?,
                    checks: [Check], metrics: [(String, String)]) {
            self.student = student
            self.notebook = notebook
            self.status = status
            self.problem = problem
            self.reportLink = reportLink
            self.checks = checks
            self.metrics = metrics
        }

        public var passed: Bool { status == "complete" && checks.allSatisfy(\.passed) }
    }

    public var title: String
    public var students: [Student]
    /// The layout of the reports graded (`grade --handout`, `--present`): the page is laid out like them.
    public var layout: ReportLayout
    /// Which version of the reports the links open ("teacher's, with solutions"); nil for the students' full report.
    public var reportVersion: String?

    public init(title: String = "Class results", students: [Student], layout: ReportLayout = .standard, reportVersion: String? = nil) {
        self.title = title
        self.students = students
        self.layout = layout
        self.reportVersion = reportVersion
    }

    public func html() -> String {
        var h = HTMLBuilder(timeZone: .current)
        h.add("<!doctype html>")
        h.add(layout == .standard ? "<html lang=\"en\">" : "<html lang=\"en\" class=\"layout-\(layout.rawValue)\">")
        h.add("<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        // No script may run here, whatever the notebooks hold: the page's policy forbids it outright.
        h.add("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
        h.add("<title>\(escapeHTML(title))</title><style>\n\(reportCSS)</style></head>")
        h.add(layout == .standard ? "<body><main class=\"page\">" : "<body class=\"layout-\(layout.rawValue)\"><main class=\"page\">")
        let passing = students.filter(\.passed).count
        h.add("<header class=\"page-head\"><h1 class=\"page-title\">\(escapeHTML(title))</h1>")
        h.add("<p class=\"byline\">\(passing) of \(students.count) notebook\(students.count == 1 ? "" : "s") met every expectation</p>")
        if let reportVersion { h.add("<p class=\"byline version\">Each link opens this version of the report: \(escapeHTML(reportVersion))</p>") }
        h.add("</header>")
        let metricNames = students.flatMap { $0.metrics.map(\.0) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        h.add("<figure class=\"table data grade\"><div class=\"scroll\"><table>")
        h.add("<thead><tr><th>student</th><th>notebook</th><th>status</th><th>expectations</th>"
            + metricNames.map { "<th class=\"num\">\(escapeHTML($0))</th>" }.joined() + "</tr></thead><tbody>")
        for s in students {
            let status = s.passed ? "passed" : (s.status == "complete" ? "expectation failed" : s.status)
            let notebook = s.reportLink.map { "<a href=\"\(escapeHTML($0))\">\(escapeHTML(s.notebook))</a>" } ?? escapeHTML(s.notebook)
            var checks = s.checks.map { c -> String in
                let value = c.valueText
                return "<li class=\"\(c.passed ? "ok" : "bad")\">\(c.passed ? "✓" : "✗") \(escapeHTML(c.stage)) line \(c.line): "
                    + "\(escapeHTML(c.name)) \(escapeHTML(c.condition)) (got \(escapeHTML(value)))</li>"
            }
            if let problem = s.problem { checks.insert("<li class=\"bad\">\(escapeHTML(problem))</li>", at: 0) }
            let metrics = metricNames.map { name in
                "<td class=\"num\">\(escapeHTML(s.metrics.first { $0.0 == name }?.1 ?? "–"))</td>"
            }.joined()
            h.add("<tr class=\"\(s.passed ? "pass" : "fail")\"><td>\(escapeHTML(s.student))</td><td>\(notebook)</td>"
                + "<td class=\"status-word\">\(escapeHTML(status))</td><td><ul class=\"checks\">\(checks.joined())</ul></td>\(metrics)</tr>")
        }
        h.add("</tbody></table></div></figure>")
        h.add("<footer class=\"page-foot\">Written by mnistbook grade.</footer>")
        h.add("</main></body></html>")
        return h.out.joined(separator: "\n") + "\n"
    }
}
