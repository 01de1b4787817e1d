import Foundation

/// A matrix of counts drawn as coloured cells with the count printed in each (a confusion matrix).
public struct Heatmap: Sendable, Codable {
    public var title: String?
    public var rowLabels: [String]
    public var colLabels: [String]
    /// `values[row][col]`.
    public var values: [[Int]]
    /// Axis titles: rows are the true class, columns the prediction.
    public var rowTitle: String
    public var colTitle: String

    public init(title: String? = nil, rowLabels: [String], colLabels: [String], values: [[Int]],
                rowTitle: String = "True", colTitle: String = "Predicted") {
        self.title = title
        self.rowLabels = rowLabels
        self.colLabels = colLabels
        self.values = values
        self.rowTitle = rowTitle
        self.colTitle = colTitle
    }
}

extension SVGChart {
    /// A confusion-matrix style heatmap: blue cells shaded by count, the count printed in each.
    public static func render(_ map: Heatmap) -> String {
        heatmapCanvas(map).document()
    }

    static func heatmapCanvas(_ map: Heatmap) -> SVGCanvas {
        let nRows = max(map.values.count, map.rowLabels.count)
        let nCols = max(map.values.map(\.count).max() ?? 0, map.colLabels.count)
        let cell = max(18, min(42, 440 / Double(max(nRows, nCols, 1))))
        let rowLabelW = max(16, (map.rowLabels.map { textWidth($0) }.max() ?? 0)) + 10
        let colLabelW = map.colLabels.map { textWidth($0) }.max() ?? 0
        let rotateCols = colLabelW > cell - 4
        let colBand = rotateCols ? min(100, colLabelW * 0.72 + 16) : 22

        let left = 28 + rowLabelW
        var top = 12.0
        var c = SVGCanvas(width: 0, height: 0, title: map.title)
        let gridW = cell * Double(nCols), gridH = cell * Double(nRows)
        let width = max(left + gridW + 24, 240)
        if let title = map.title, !title.isEmpty { top = 40 }
        let height = top + gridH + colBand + 30
        c.width = width
        c.height = height
        if let title = map.title, !title.isEmpty {
            c.text(title, x: left + gridW / 2, y: 22, anchor: "middle", size: 14, weight: "600")
        }

        let maxValue = max(1, map.values.flatMap { $0 }.max() ?? 1)
        let fontSize = { (s: String) in min(12.5, cell * 0.82 / max(1, Double(s.count) * 0.6)) }
        for r in 0..<nRows {
            for col in 0..<nCols {
                let v = r < map.values.count && col < map.values[r].count ? map.values[r][col] : 0
                let t = Double(v) / Double(maxValue)
                let x = left + Double(col) * cell, y = top + Double(r) * cell
                let rl = r < map.rowLabels.count ? map.rowLabels[r] : "\(r)"
                let cl = col < map.colLabels.count ? map.colLabels[col] : "\(col)"
                c.rect(x: x, y: y, w: cell, h: cell, fill: blues(t), cls: "cell",
                       tooltip: "\(map.rowTitle) \(rl), \(map.colTitle) \(cl): \(v)",
                       extra: "stroke=\"#ffffff\" stroke-width=\"1\"")
                let label = "\(v)"
                c.text(label, x: x + cell / 2, y: y + cell / 2 + fontSize(label) * 0.36, anchor: "middle",
                       size: fontSize(label), fill: t > 0.5 ? "#ffffff" : inkColor, cls: "count")
            }
        }
        for r in 0..<nRows {
            let label = r < map.rowLabels.count ? map.rowLabels[r] : "\(r)"
            c.text(label, x: left - 6, y: top + (Double(r) + 0.5) * cell + 4, anchor: "end", fill: mutedColor)
        }
        for col in 0..<nCols {
            let label = col < map.colLabels.count ? map.colLabels[col] : "\(col)"
            let x = left + (Double(col) + 0.5) * cell
            if rotateCols {
                c.text(label, x: x, y: top + gridH + 12, anchor: "end", fill: mutedColor, rotate: -40)
            } else {
                c.text(label, x: x, y: top + gridH + 16, anchor: "middle", fill: mutedColor)
            }
        }
        c.text(map.colTitle, x: left + gridW / 2, y: top + gridH + colBand + 18, anchor: "middle",
               weight: "600", fill: inkColor)
        c.text(map.rowTitle, x: 16, y: top + gridH / 2, anchor: "middle", weight: "600", fill: inkColor, rotate: -90)
        return c
    }

    /// matplotlib's "Blues" colormap, t in 0...1.
    static func blues(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (247, 251, 255), (222, 235, 247), (198, 219, 239), (158, 202, 225), (107, 174, 214),
            (66, 146, 198), (33, 113, 181), (8, 81, 156), (8, 48, 107),
        ]
        let x = min(1, max(0, t.isFinite ? t : 0)) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2)
        let f = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        func ch(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
        return String(format: "#%02x%02x%02x", ch(a.0, b.0), ch(a.1, b.1), ch(a.2, b.2))
    }
}
