import Foundation
import Report

/// The drawing Report has no type for: a diverging heatmap (a difference of counts). Plain SVG text,
/// sized like Report's charts.
enum RunCharts {
    static let ink = "#1f2328", muted = "#59636e", grid = "#d1d9e0"

    /// values[row][col] coloured red (negative) through white (0) to blue (positive), the number in each cell.
    static func divergingHeatmap(title: String, labels: [String], values: [[Int]], rowTitle: String, colTitle: String) -> String {
        let n = labels.count
        let cell = max(18, min(40, 400 / Double(max(n, 1))))
        let left = 60.0, top = 40.0
        let width = left + cell * Double(n) + 20, height = top + cell * Double(n) + 50
        let limit = Double(max(1, values.flatMap { $0 }.map(abs).max() ?? 1))
        var s = svgOpen(width: width, height: height, title: title)
        s += text(title, x: left + cell * Double(n) / 2, y: 22, anchor: "middle", size: 14, weight: "600")
        for r in 0..<n {
            for c in 0..<n {
                let v = r < values.count && c < values[r].count ? values[r][c] : 0
                let x = left + Double(c) * cell, y = top + Double(r) * cell
                let t = Double(v) / limit
                s += "<rect class=\"cell\" x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cell))\" height=\"\(f(cell))\" fill=\"\(diverging(t))\" "
                    + "stroke=\"#ffffff\" data-value=\"\(v)\"><title>\(escapeHTML("\(rowTitle) \(labels[r]), \(colTitle) \(labels[c]): \(signed(v))"))</title></rect>\n"
                s += text(v == 0 ? "·" : signed(v), x: x + cell / 2, y: y + cell / 2 + 4, anchor: "middle",
                          size: min(12, cell * 0.4), fill: abs(t) > 0.6 ? "#ffffff" : ink)
            }
            s += text(labels[r], x: left - 6, y: top + (Double(r) + 0.5) * cell + 4, anchor: "end", fill: muted)
            s += text(labels[r], x: left + (Double(r) + 0.5) * cell, y: top + cell * Double(n) + 16, anchor: "middle", fill: muted)
        }
        s += text(colTitle, x: left + cell * Double(n) / 2, y: height - 10, anchor: "middle", weight: "600")
        s += "<text x=\"16\" y=\"\(f(top + cell * Double(n) / 2))\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"600\" "
            + "fill=\"\(ink)\" transform=\"rotate(-90 16 \(f(top + cell * Double(n) / 2)))\">\(escapeHTML(rowTitle))</text>\n"
        return s + "</svg>"
    }

    // MARK: pieces

    static func svgOpen(width: Double, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" "
            + "role=\"img\" aria-label=\"\(escapeHTML(title))\" font-family=\"system-ui, sans-serif\">\n"
    }

    static func text(_ s: String, x: Double, y: Double, anchor: String, size: Double = 12, weight: String = "400",
                     fill: String = ink) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(f(size))\" font-weight=\"\(weight)\" fill=\"\(fill)\">\(escapeHTML(s))</text>\n"
    }

    static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    static func signed(_ v: Int) -> String { v > 0 ? "+\(v)" : "\(v)" }

    /// matplotlib's "RdBu": t in −1…1, red for negative, white at 0, blue for positive.
    static func diverging(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [(178, 24, 43), (214, 96, 77), (244, 165, 130), (253, 219, 199), (247, 247, 247),
                                                 (209, 229, 240), (146, 197, 222), (67, 147, 195), (33, 102, 172)]
        let x = (min(1, max(-1, t.isFinite ? t : 0)) + 1) / 2 * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2), w = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        func ch(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * w).rounded()) }
        return String(format: "#%02x%02x%02x", ch(a.0, b.0), ch(a.1, b.1), ch(a.2, b.2))
    }
}
