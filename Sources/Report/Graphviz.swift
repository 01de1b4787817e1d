import CGraphviz
import Foundation

/// Renders DOT to SVG in-process through libgvc (the dot layout and the core SVG renderer).
///
/// libgvc finds its layout and render plugins through the config file that Debian's `libgvc6`
/// package writes on install (`/usr/lib/<arch>/graphviz/config6a`), so a plain `gvContext()`
/// works wherever `libgvc6` is installed; no `dot` binary is needed.
public enum Graphviz {
    /// Why a graph could not be rendered; `description` carries Graphviz's own messages.
    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    /// The SVG of `dot` laid out by the dot engine, without XML prolog or DOCTYPE so it can be
    /// inlined in HTML; it keeps its `xmlns`, so it is also a valid standalone .svg file.
    public static func svg(fromDot dot: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        // Graphviz keeps global state (error handler, lexer): one render at a time.
        messages = []
        let previous = agseterrf { message in
            if let message { Graphviz.messages.append(String(cString: message)) }
            return 0
        }
        defer { agseterrf(previous) }

        guard let gvc = context() else {
            throw Error(description: "Graphviz: cannot create a context" + details())
        }
        guard let graph = agmemread(dot) else {
            throw Error(description: "Graphviz: cannot parse the DOT graph" + details())
        }
        defer { agclose(graph) }
        guard gvLayout(gvc, graph, "dot") == 0 else {
            throw Error(description: "Graphviz: dot layout failed" + details() + pluginHint)
        }
        defer { gvFreeLayout(gvc, graph) }
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var length: UInt32 = 0
        guard gvRenderData(gvc, graph, "svg", &buffer, &length) == 0, let buffer else {
            throw Error(description: "Graphviz: SVG rendering failed" + details() + pluginHint)
        }
        defer { gvFreeRenderData(buffer) }
        let text = String(decoding: UnsafeRawBufferPointer(start: buffer, count: Int(length)), as: UTF8.self)
        return stripProlog(text)
    }

    /// A DOT double-quoted string for `s` (node names, labels).
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for ch in s {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out + "\""
    }

    /// Drops everything before `<svg` (XML declaration, DOCTYPE with its external DTD URL,
    /// generator comments): HTML does not allow them inline.
    static func stripProlog(_ svg: String) -> String {
        guard let start = svg.range(of: "<svg") else { return svg }
        var body = String(svg[start.lowerBound...])
        while body.last?.isWhitespace == true { body.removeLast() }
        return body
    }

    private static let pluginHint = " (Graphviz's plugins come with Debian's libgvc6 package, whose install"
        + " script registers them in /usr/lib/<arch>/graphviz/config6a; `libgvc6-config-update -c` rewrites it)"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var messages: [String] = []
    nonisolated(unsafe) private static var sharedContext: OpaquePointer?

    /// One context for the process: creating it reads the plugin config, which is not free.
    private static func context() -> OpaquePointer? {
        if sharedContext == nil { sharedContext = gvContext() }
        return sharedContext
    }

    private static func details() -> String {
        let lines = messages.joined().split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        return lines.isEmpty ? "" : ": " + lines.joined(separator: "; ")
    }
}
