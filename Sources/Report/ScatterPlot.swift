import Foundation

/// Points of a parameter against a score (a hyperparameter against accuracy): one dot per run or
/// trial, its label in the tooltip. Numbers on a linear or log axis, or words as categories.
public struct ScatterPlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// x is the value, or with `categories` the index of the category.
    public var points: [(x: Double, y: Double, label: String)]
    public var logX: Bool
    public var categories: [String]?

    public init(title: String, xLabel: String, yLabel: String, points: [(x: Double, y: Double, label: String)],
                logX: Bool = false, categories: [String]? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.points = points
        self.logX = logX
        self.categories = categories
    }

    /// Values as written (`0.001`, `64`, `relu`) against scores: numbers when all are numbers, log axis
    /// when all are positive and span 20× or more, else categories in first-seen order.
    public init(title: String, xLabel: String, yLabel: String, values: [(value: String, y: Double, label: String)]) {
        let numbers = values.compactMap { Double($0.value) }
        if numbers.count == values.count, !numbers.isEmpty {
            let logX = numbers.allSatisfy { $0 > 0 } && numbers.max()! / numbers.min()! >= 20
            self.init(title: title, xLabel: xLabel, yLabel: yLabel,
                      points: zip(numbers, values).map { ($0, $1.y, $1.label) }, logX: logX)
        } else {
            var categories: [String] = []
            for v in values where !categories.contains(v.value) { categories.append(v.value) }
            self.init(title: title, xLabel: xLabel, yLabel: yLabel,
                      points: values.map { (Double(categories.firstIndex(of: $0.value)!), $0.y, $0.label) },
                      categories: categories.map { $0.count > 14 ? String($0.prefix(13)) + "…" : $0 })
        }
    }
}

extension SVGChart {
    public static func render(_ plot: ScatterPlot) -> String {
        let width = 420.0, height = 280.0, left = 64.0, right = 16.0, top = 36.0, bottom = 46.0
        let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
        func f(_ x: Double) -> String { String(format: "%.1f", x) }
        func text(_ s: String, _ x: Double, _ y: Double, anchor: String, size: Double = 10, weight: String = "400",
                  fill: String = mutedColor) -> String {
            "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(f(size))\" font-weight=\"\(weight)\" fill=\"\(fill)\">\(escapeHTML(s))</text>\n"
        }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"scatter\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" "
            + "height=\"\(f(height))\" role=\"img\" aria-label=\"\(escapeHTML(plot.title))\" font-family=\"system-ui, sans-serif\">\n"
        s += text(plot.title, width / 2, 20, anchor: "middle", size: 13, weight: "600", fill: inkColor)
        let logX = plot.logX && plot.categories == nil
        let finite = plot.points.filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) }
        let tx: (Double) -> Double = logX ? { log10($0) } : { $0 }
        var x0 = finite.map { tx($0.x) }.min() ?? 0, x1 = finite.map { tx($0.x) }.max() ?? 1
        var y0 = finite.map(\.y).min() ?? 0, y1 = finite.map(\.y).max() ?? 1
        if let categories = plot.categories { x0 = -0.5; x1 = Double(max(categories.count, 1)) - 0.5 }
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        if y1 - y0 < 1e-12 { y0 -= 0.005; y1 += 0.005 }
        let padX = plot.categories == nil ? (x1 - x0) * 0.06 : 0, padY = (y1 - y0) * 0.1
        x0 -= padX; x1 += padX; y0 -= padY; y1 += padY
        let px = { (x: Double) in left + (x - x0) / (x1 - x0) * (width - left - right) }
        let py = { (y: Double) in top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom) }
        s += "<line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\" stroke=\"\(mutedColor)\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(height - bottom))\" stroke=\"\(mutedColor)\"/>\n"
        for k in 0...4 {
            let y = y0 + (y1 - y0) * Double(k) / 4
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(y)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(y)))\" stroke=\"#d1d9e0\" stroke-dasharray=\"2 3\"/>\n"
            s += text(String(format: "%.4g", y), left - 4, py(y) + 4, anchor: "end")
        }
        if let categories = plot.categories {
            for (i, c) in categories.enumerated() { s += text(c, px(Double(i)), height - bottom + 14, anchor: "middle") }
        } else {
            for k in 0...4 {
                let x = x0 + (x1 - x0) * Double(k) / 4
                s += text(String(format: "%.3g", logX ? pow(10, x) : x), px(x), height - bottom + 14, anchor: "middle")
            }
        }
        s += text(plot.xLabel + (logX ? " (log scale)" : ""), left + (width - left - right) / 2, height - 10, anchor: "middle",
                  size: 11, fill: inkColor)
        s += text(plot.yLabel, 8, top - 10, anchor: "start", size: 11, fill: inkColor)
        for (i, p) in finite.enumerated() {
            let x = logX ? tx(p.x) : p.x
            let shown = plot.categories.map { $0[min(max(Int(p.x), 0), $0.count - 1)] } ?? String(format: "%g", p.x)
            s += "<circle class=\"point\" cx=\"\(f(px(x)))\" cy=\"\(f(py(p.y)))\" r=\"5\" fill=\"\(colors[i % colors.count])\" fill-opacity=\"0.85\">"
                + "<title>\(escapeHTML("\(p.label): \(plot.xLabel) \(shown), \(plot.yLabel) \(String(format: "%.4f", p.y))"))</title></circle>\n"
        }
        return s + "</svg>"
    }
}
