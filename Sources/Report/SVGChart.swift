import Foundation

/// Renders charts as standalone SVG documents (with `xmlns` and `viewBox`), usable inline in
/// HTML and as `.svg` files. The renderers are in BarChart.swift, LineChart.swift, Heatmap.swift.
public enum SVGChart {
    /// Several line charts side by side in one SVG (e.g. loss and accuracy for training_history.svg).
    public static func render(_ charts: [LineChart], columns: Int = 2) -> String {
        let parts = charts.map { lineChartCanvas($0) }
        return combine(parts, columns: columns)
    }

    static func combine(_ parts: [SVGCanvas], columns: Int) -> String {
        guard !parts.isEmpty else { return SVGCanvas(width: 1, height: 1).document() }
        let cols = max(1, min(columns, parts.count))
        let cellW = parts.map(\.width).max()!
        let cellH = parts.map(\.height).max()!
        let rows = (parts.count + cols - 1) / cols
        var outer = SVGCanvas(width: cellW * Double(cols), height: cellH * Double(rows))
        for (i, part) in parts.enumerated() {
            let x = Double(i % cols) * cellW, y = Double(i / cols) * cellH
            // A nested <svg> keeps each chart's own coordinate system.
            outer.add("<svg x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(part.width))\" height=\"\(fmt(part.height))\" viewBox=\"0 0 \(fmt(part.width)) \(fmt(part.height))\">")
            outer.body.append(contentsOf: part.body)
            outer.add("</svg>")
        }
        return outer.document(title: parts.compactMap(\.title).joined(separator: " · "))
    }
}

// MARK: - Drawing helpers shared by the chart renderers

/// matplotlib's tab10: the colours a Keras user's plots have.
let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

let fontStack = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
let inkColor = "#1f2328"
let mutedColor = "#57606a"
let gridColor = "#e6e8eb"
let axisColor = "#8c959f"

/// Coordinates in SVG attributes: at most 2 decimals, no trailing zeros.
func fmt(_ v: Double) -> String {
    guard v.isFinite else { return "0" }
    var s = String(format: "%.2f", v)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s == "-0" ? "0" : s
}

/// Rough width of a label in px: good enough to lay out legends and margins without font metrics.
func textWidth(_ s: String, size: Double = 12) -> Double {
    Double(s.count) * size * 0.58
}

/// An SVG under construction: a size and the elements drawn so far.
struct SVGCanvas {
    var width: Double
    var height: Double
    var title: String?
    var body: [String] = []

    init(width: Double, height: Double, title: String? = nil) {
        self.width = width
        self.height = height
        self.title = title
    }

    mutating func add(_ element: String) { body.append(element) }

    /// A chart's title, centred at the top; returns where the plot starts (lower when there is a title).
    mutating func drawTitle(_ title: String?) -> Double {
        guard let title, !title.isEmpty else { return 14 }
        text(title, x: width / 2, y: 22, anchor: "middle", size: 14, weight: "600")
        return 36
    }

    mutating func text(_ s: String, x: Double, y: Double, anchor: String = "start", size: Double = 12,
                       weight: String? = nil, fill: String = inkColor, rotate: Double? = nil,
                       halo: Bool = false, cls: String? = nil) {
        var attrs = "x=\"\(fmt(x))\" y=\"\(fmt(y))\" font-size=\"\(fmt(size))\" fill=\"\(fill)\""
        if anchor != "start" { attrs += " text-anchor=\"\(anchor)\"" }
        if let weight { attrs += " font-weight=\"\(weight)\"" }
        if let rotate { attrs += " transform=\"rotate(\(fmt(rotate)) \(fmt(x)) \(fmt(y)))\"" }
        // A white outline behind the glyphs keeps labels legible where they cross lines.
        if halo { attrs += " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"" }
        if let cls { attrs += " class=\"\(cls)\"" }
        add("<text \(attrs)>\(escapeHTML(s))</text>")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
                       width: Double = 1, dash: String? = nil, cls: String? = nil) {
        var attrs = "x1=\"\(fmt(x1))\" y1=\"\(fmt(y1))\" x2=\"\(fmt(x2))\" y2=\"\(fmt(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(fmt(width))\""
        if let dash { attrs += " stroke-dasharray=\"\(dash)\"" }
        if let cls { attrs += " class=\"\(cls)\"" }
        add("<line \(attrs)/>")
    }

    mutating func rect(x: Double, y: Double, w: Double, h: Double, fill: String, cls: String? = nil,
                       tooltip: String? = nil, extra: String = "") {
        var attrs = "x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(max(0, w)))\" height=\"\(fmt(max(0, h)))\" fill=\"\(fill)\""
        if let cls { attrs += " class=\"\(cls)\"" }
        if !extra.isEmpty { attrs += " " + extra }
        if let tooltip {
            add("<rect \(attrs)><title>\(escapeHTML(tooltip))</title></rect>")
        } else {
            add("<rect \(attrs)/>")
        }
    }

    /// A horizontal legend that wraps, every item with the same swatch; returns the height it used.
    mutating func legend(_ items: [(name: String, color: String)], x: Double, y: Double, maxWidth: Double,
                         swatch: LegendSwatch) -> Double {
        legend(items.map { LegendItem(name: $0.name, color: $0.color, swatch: swatch) }, x: x, y: y, maxWidth: maxWidth)
    }

    /// A horizontal legend that wraps, each item with its own swatch; returns the height it used.
    mutating func legend(_ items: [LegendItem], x: Double, y: Double, maxWidth: Double) -> Double {
        guard !items.isEmpty else { return 0 }
        var cx = x, cy = y
        for item in items {
            let w = 22 + textWidth(item.name) + 16
            if cx > x && cx + w > x + maxWidth { cx = x; cy += 18 }
            switch item.swatch {
            case .line: line(cx, cy - 4, cx + 16, cy - 4, stroke: item.color, width: 2.5)
            case .box: rect(x: cx + 3, y: cy - 10, w: 11, h: 11, fill: item.color)
            // As the band itself is drawn: the colour, faint, for its full height.
            case .band: rect(x: cx, y: cy - 10, w: 16, h: 11, fill: item.color, extra: "fill-opacity=\"0.2\"")
            }
            text(item.name, x: cx + 21, y: cy, fill: inkColor)
            cx += w
        }
        return cy - y + 18
    }

    enum LegendSwatch { case line, box, band }

    struct LegendItem {
        var name: String
        var color: String
        var swatch: LegendSwatch
    }

    /// The finished document, with a <title> for screen readers and file browsers.
    func document(title: String? = nil) -> String {
        let t = title ?? self.title
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" font-family=\"\(fontStack)\" role=\"img\""
        if let t, !t.isEmpty { out += " aria-label=\"\(escapeHTML(t))\"" }
        out += ">\n"
        if let t, !t.isEmpty { out += "<title>\(escapeHTML(t))</title>\n" }
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        out += body.joined(separator: "\n")
        out += "\n</svg>"
        return out
    }
}

// MARK: - Axis ticks

/// Evenly spaced "nice" ticks (1, 2, 5 × 10ⁿ) covering lo...hi.
struct LinearTicks {
    var lo: Double
    var hi: Double
    var step: Double
    var values: [Double]
    var decimals: Int

    init(min lo0: Double, max hi0: Double, target: Int = 5) {
        var lo0 = lo0, hi0 = hi0
        if !lo0.isFinite || !hi0.isFinite { lo0 = 0; hi0 = 1 }
        if hi0 - lo0 < 1e-12 {
            let pad = abs(lo0) > 1e-12 ? abs(lo0) * 0.1 : 1
            lo0 -= pad; hi0 += pad
        }
        let step = LinearTicks.nice((hi0 - lo0) / Double(max(1, target - 1)))
        lo = (lo0 / step).rounded(.down) * step
        hi = (hi0 / step).rounded(.up) * step
        self.step = step
        let n = Int(((hi - lo) / step).rounded())
        let start = lo
        values = (0...n).map { start + Double($0) * step }
        decimals = max(0, Int(-log10(step).rounded(.down)))
    }

    static func nice(_ x: Double) -> Double {
        let e = pow(10, log10(x).rounded(.down))
        let f = x / e
        let n: Double = f < 1.5 ? 1 : (f < 3 ? 2 : (f < 7 ? 5 : 10))
        return n * e
    }

    func label(_ v: Double) -> String {
        if abs(v) < step * 1e-6 { return "0" }
        // Exploding values (a diverging loss) get exponent form: Int() of them would trap.
        if abs(v) >= 1e12 { return String(format: "%.3g", v) }
        if step >= 1 && abs(v) >= 1e4 { return groupThousands(Int(v.rounded())) }
        return String(format: "%.\(decimals)f", v)
    }
}

/// Ticks for a log axis: decades, with 2× and 5× when the range is short.
struct LogTicks {
    var lo: Double   // log10 of the axis minimum
    var hi: Double
    var values: [Double]

    init(min: Double, max: Double) {
        let a = Swift.max(min, 1e-300), b = Swift.max(max, a)
        var l = log10(a).rounded(.down), h = log10(b).rounded(.up)
        if h <= l { h = l + 1 }
        var vals: [Double] = []
        let dense = h - l <= 2
        for e in Int(l)...Int(h) {
            let base = pow(10, Double(e))
            for m in dense ? [1.0, 2, 5] : [1.0] where Double(e) + log10(m) <= h + 1e-9 {
                vals.append(base * m)
            }
        }
        // Tighten the axis to the data when the decades overshoot a lot.
        let tl = log10(a), th = log10(b)
        if dense {
            l = Swift.max(l, (vals.filter { log10($0) <= tl + 1e-9 }.last.map(log10)) ?? l)
            h = Swift.min(h, (vals.first { log10($0) >= th - 1e-9 }.map(log10)) ?? h)
            vals = vals.filter { log10($0) >= l - 1e-9 && log10($0) <= h + 1e-9 }
        }
        lo = l; hi = h; values = vals
    }

    func label(_ v: Double) -> String {
        if v >= 1e-3 && v < 1e5 { return formatValue(v) }
        let e = Int(log10(v).rounded(.down))
        let m = Int((v / pow(10, Double(e))).rounded())
        return m == 1 ? "1e\(e)" : "\(m)e\(e)"
    }
}
