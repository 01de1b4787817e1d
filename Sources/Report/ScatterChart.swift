import Foundation

/// Points in 2-D coloured by class, with a legend; wrong points drawn as crosses (an embedding's PCA).
public struct ScatterChart: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// x, y, class index (into `classNames`), and whether the point is marked (misclassified).
    public var points: [(x: Double, y: Double, cls: Int, marked: Bool)]
    public var classNames: [String]
    public var markedLabel: String

    public init(title: String, xLabel: String, yLabel: String, points: [(x: Double, y: Double, cls: Int, marked: Bool)],
                classNames: [String], markedLabel: String = "misclassified") {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.points = points
        self.classNames = classNames
        self.markedLabel = markedLabel
    }

    /// A standalone SVG document.
    public func svg(width: Double = 640, height: Double = 520) -> String {
        var c = SVGCanvas(width: width, height: height, title: title)
        let left = 56.0, right = 18.0, top = 34.0
        c.text(title, x: width / 2, y: 20, anchor: "middle", size: 14, weight: "600")
        var items = classNames.enumerated().map { (name: $1, color: palette[$0 % palette.count]) }
        if points.contains(where: \.marked) { items.append((name: "× \(markedLabel)", color: inkColor)) }
        // The legend sits under the plot; lay it out on a scratch canvas first to know its height.
        var scratch = SVGCanvas(width: width, height: 0)
        let legendHeight = scratch.legend(items, x: left, y: 0, maxWidth: width - left - right, swatch: .box)
        let bottom = 44 + legendHeight
        let plotW = width - left - right, plotH = height - top - bottom
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        let xt = LinearTicks(min: finite.map(\.x).min() ?? 0, max: finite.map(\.x).max() ?? 1)
        let yt = LinearTicks(min: finite.map(\.y).min() ?? 0, max: finite.map(\.y).max() ?? 1)
        func px(_ v: Double) -> Double { left + (v - xt.lo) / (xt.hi - xt.lo) * plotW }
        func py(_ v: Double) -> Double { top + plotH - (v - yt.lo) / (yt.hi - yt.lo) * plotH }
        for v in xt.values {
            c.line(px(v), top, px(v), top + plotH, stroke: gridColor)
            c.text(xt.label(v), x: px(v), y: top + plotH + 15, anchor: "middle", size: 11, fill: mutedColor)
        }
        for v in yt.values {
            c.line(left, py(v), left + plotW, py(v), stroke: gridColor)
            c.text(yt.label(v), x: left - 6, y: py(v) + 4, anchor: "end", size: 11, fill: mutedColor)
        }
        c.rect(x: left, y: top, w: plotW, h: plotH, fill: "none", extra: "stroke=\"\(axisColor)\"")
        c.text(xLabel, x: left + plotW / 2, y: top + plotH + 32, anchor: "middle", size: 12, fill: mutedColor)
        c.text(yLabel, x: 16, y: top + plotH / 2, anchor: "middle", size: 12, fill: mutedColor, rotate: -90)
        // Correct points first, marked ones on top so none hides under the crowd.
        for p in finite.filter({ !$0.marked }) {
            c.add("<circle class=\"point\" cx=\"\(fmt(px(p.x)))\" cy=\"\(fmt(py(p.y)))\" r=\"2.6\" fill=\"\(palette[p.cls % palette.count])\" fill-opacity=\"0.75\"/>")
        }
        for p in finite.filter(\.marked) {
            let x = px(p.x), y = py(p.y), r = 3.6, color = palette[p.cls % palette.count]
            c.add("<path class=\"point marked\" d=\"M\(fmt(x - r)) \(fmt(y - r))L\(fmt(x + r)) \(fmt(y + r))M\(fmt(x - r)) \(fmt(y + r))L\(fmt(x + r)) \(fmt(y - r))\" stroke=\"\(color)\" stroke-width=\"2\"/>")
        }
        let legendTop = top + plotH + 50
        _ = c.legend(items, x: left, y: legendTop, maxWidth: width - left - right, swatch: .box)
        return c.document()
    }
}

/// Saliency maps drawn over their digits: the digit in grey, the gradient's magnitude in warm colours on top.
public enum SaliencyOverlay {
    /// One RGB PNG per image at the image's own size.  heat: values in 0…1, one per pixel.
    public static func png(digit: GrayImage, heat: [Float]) throws -> [UInt8] {
        precondition(heat.count == digit.pixels.count, "SaliencyOverlay: \(heat.count) heat values for \(digit.pixels.count) pixels")
        var rgb = [UInt8](repeating: 0, count: heat.count * 3)
        for i in heat.indices {
            let g = Float(digit.pixels[i]) / 255 * 0.55          // the digit, dimmed so the heat reads on top
            let h = max(0, min(1, heat[i]))
            // Black → red → yellow → white as the heat grows (matplotlib's 'hot').
            let r = min(1, h * 3), gr = min(1, max(0, h * 3 - 1)), b = min(1, max(0, h * 3 - 2))
            rgb[i * 3] = UInt8((max(g, r) * 255).rounded())
            rgb[i * 3 + 1] = UInt8((max(g * (1 - r), gr) * 255).rounded())
            rgb[i * 3 + 2] = UInt8((max(g * (1 - r), b) * 255).rounded())
        }
        return try PNG.encodeRGB(rgb, width: digit.width, height: digit.height)
    }

    /// An SVG row of overlays, each scaled ×`scale` with its caption underneath.
    public static func svg(_ items: [(digit: GrayImage, heat: [Float], caption: String)], title: String, scale: Double = 3,
                           columns: Int = 10) throws -> String {
        let w = Double(items.map(\.digit.width).max() ?? 28) * scale, h = Double(items.map(\.digit.height).max() ?? 28) * scale
        let cols = max(1, min(columns, items.count)), rows = (items.count + cols - 1) / max(cols, 1)
        let cellW = w + 12, cellH = h + 34
        var c = SVGCanvas(width: Double(cols) * cellW + 12, height: Double(rows) * cellH + 28, title: title)
        c.text(title, x: 6, y: 16, size: 13, weight: "600")
        for (i, item) in items.enumerated() {
            let x = 6 + Double(i % cols) * cellW + 6, y = 26 + Double(i / cols) * cellH
            let png = try png(digit: item.digit, heat: item.heat)
            c.add("<image class=\"saliency\" x=\"\(fmt(x))\" y=\"\(fmt(y))\" width=\"\(fmt(w))\" height=\"\(fmt(h))\" "
                + "style=\"image-rendering:pixelated\" preserveAspectRatio=\"none\" "
                + "data-shape=\"\(item.digit.height)×\(item.digit.width)\" href=\"data:image/png;base64,\(Data(png).base64EncodedString())\"/>")
            c.text(item.caption, x: x + w / 2, y: y + h + 15, anchor: "middle", size: 11, fill: mutedColor)
        }
        return c.document()
    }
}
