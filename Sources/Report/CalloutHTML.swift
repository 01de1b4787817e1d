/// A handout block as the report shows it: a labelled box whose body is the Markdown's HTML.
/// `kind` is one of question, answer, solution, note, warning (the CSS class `callout-<kind>`);
/// an answer with nothing written shows where to write it.
public func calloutHTML(kind: String, label: String, html: String, line: Int, blank: Bool = false) -> String {
    let body = blank
        ? "<p class=\"blank\">Not answered yet: write your answer in the answer block on line \(line) of the notebook.</p>"
        : html
    return "<aside class=\"callout callout-\(escapeHTML(anchorID(kind)))\" aria-label=\"\(escapeHTML(label))\">"
        + "<p class=\"callout-label\">\(escapeHTML(label))</p><div class=\"callout-body\">\(body)</div></aside>"
}

/// A warning about the notebook's own text (raw HTML left out), shown where it happened.
public func notebookWarningHTML(_ text: String) -> String {
    "<p class=\"warning\" role=\"note\"><strong>Warning</strong> \(escapeHTML(text))</p>"
}
