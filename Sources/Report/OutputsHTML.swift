import Foundation

/// The HTML of outputs shown outside a notebook step, for pages built from finished renders
/// (`mnistbook compare`, `collate`): drawn exactly as a step draws them, to go in a prose section.
public func outputsHTML(_ outputs: [Output]) -> String {
    var h = HTMLBuilder(timeZone: .current)
    h.add("<div class=\"outputs\">")
    h.outputs(outputs)
    h.add("</div>")
    return h.out.joined(separator: "\n")
}
