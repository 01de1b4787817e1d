import Basics
import Foundation

private let htmlEscapes: [Unicode.Scalar: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"]

/// Escapes text for HTML (and SVG/XML) element content and attribute values.
///
/// Besides the five markup characters it drops C0 control characters other than tab,
/// newline and carriage return (and DEL): they are not allowed in XML, so a label carrying one
/// would make an SVG unparseable.
public func escapeHTML(_ s: String) -> String {
    s.escaped(htmlEscapes) { scalar in
        let kept = scalar.value >= 0x20 && scalar.value != 0x7F || ["\t", "\n", "\r"].contains(scalar)
        return kept ? nil : ""
    }
}

/// A JSON string literal safe inside a `<script>` element: Foundation's JSON, with `<` written `\u003c` so a value
/// can never close the script.
public func scriptJSONString(_ s: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    // Encoding a String cannot fail.
    let json = (try? encoder.encode(s)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    return json.replacingOccurrences(of: "<", with: "\\u003c")
}

/// Turns arbitrary text into a fragment identifier usable in `id=` and `href="#…"`.
public func anchorID(_ s: String) -> String {
    var out = ""
    var lastDash = true
    for scalar in s.lowercased().unicodeScalars {
        if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") || scalar == "_" {
            out.unicodeScalars.append(scalar)
            lastDash = false
        } else if !lastDash {
            out += "-"
            lastDash = true
        }
    }
    while out.hasSuffix("-") { out.removeLast() }
    return out.isEmpty ? "section" : out
}
