import Foundation

/// Grouped bars: one group per category, one bar per series.
public struct BarChart: Sendable, Codable {
    public var title: String?
    public var categories: [String]
    public var series: [ChartSeries]
    public var xLabel: String?
    public var yLabel: String?
    /// Print each bar's value above it.
    public var showValues: Bool
    /// Start the value axis just below the smallest bar when all bars are close and far from 0
    /// (ten accuracies of 98.6–99.9% look identical from 0); the chart then says where the axis starts.
    public var zoomAxis: Bool

    public init(title: String? = nil, categories: [String], series: [(name: String, values: [Double])],
                xLabel: String? = nil, yLabel: String? = nil, showValues: Bool = false, zoomAxis: Bool = false) {
        self.title = title
        self.categories = categories
        self.series = series.map { ChartSeries(name: $0.name, values: $0.values) }
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.showValues = showValues
        self.zoomAxis = zoomAxis
    }

    /// The axis' lower end when zoomed, nil when the axis starts at 0.
    var zoomedAxisStart: Double? {
        let values = series.flatMap(\.values).filter(\.isFinite)
        guard zoomAxis, let low = values.min(), let high = values.max(), low > 0, high > low, high - low < high / 2 else { return nil }
        // A margin below the smallest bar, so it still shows.
        let start = LinearTicks(min: low - (high - low) * 0.25, max: high).lo
        return start > 0 ? start : nil
    }
}

extension SVGChart {
    /// A grouped bar chart: one group per category, one coloured bar per series.
    public static func render(_ chart: BarChart) -> String {
        barChartCanvas(chart).document()
    }

    static func barChartCanvas(_ chart: BarChart) -> SVGCanvas {
        let nCat = max(chart.categories.count, chart.series.map(\.values.count).max() ?? 0)
        let nSer = max(chart.series.count, 1)
        let width = max(520, min(960, 84 + Double(nCat) * max(28, Double(nSer) * 14 + 12)))
        let height = 330.0
        var c = SVGCanvas(width: width, height: height, title: chart.title)
        let left = 64.0, right = 16.0
        var top = c.drawTitle(chart.title)
        let colors = chart.series.indices.map { palette[$0 % palette.count] }
        if chart.series.count > 1 {
            let items = chart.series.enumerated().map { (name: $1.name, color: colors[$0]) }
            top += c.legend(items, x: left, y: top + 12, maxWidth: width - left - right, swatch: .box) + 4
        } else {
            top += 8
        }
        // A zoomed axis says so in its own line above the plot (and above the bars' values).
        let axisStart = chart.zoomedAxisStart
        let noteY = top + 10
        if axisStart != nil { top += 14 }
        if chart.showValues { top += 12 }

        let plotW = width - left - right
        let groupW = plotW / Double(max(nCat, 1))
        let labels = (0..<nCat).map { $0 < chart.categories.count ? chart.categories[$0] : "" }
        let rotateLabels = (labels.map { textWidth($0, size: 11) }.max() ?? 0) > groupW - 4
        let labelBand = rotateLabels ? min(90, 14 + (labels.map { textWidth($0, size: 11) }.max() ?? 0) * 0.72) : 20
        let bottom = labelBand + (chart.xLabel == nil ? 10 : 30)
        let plotX = left, plotY = top, plotH = height - top - bottom

        let values = chart.series.flatMap(\.values).filter(\.isFinite)
        let ticks = axisStart.map { LinearTicks(min: $0, max: values.max() ?? 1) }
            ?? LinearTicks(min: min(0, values.min() ?? 0), max: max(0, values.max() ?? 1))
        let yMap: (Double) -> Double = { plotY + plotH - ($0 - ticks.lo) / (ticks.hi - ticks.lo) * plotH }

        for v in ticks.values {
            let y = yMap(v)
            c.line(plotX, y, plotX + plotW, y, stroke: gridColor)
            c.text(ticks.label(v), x: plotX - 6, y: y + 4, anchor: "end", size: 11, fill: mutedColor)
        }
        let barW = groupW * 0.8 / Double(nSer)
        // Bars grow from 0, or from the bottom of a zoomed axis.
        let zeroY = yMap(axisStart.map { _ in ticks.lo } ?? 0)
        for cat in 0..<nCat {
            let gx = plotX + Double(cat) * groupW + groupW * 0.1
            for (si, s) in chart.series.enumerated() where cat < s.values.count && s.values[cat].isFinite {
                let v = s.values[cat]
                let y = yMap(v)
                let x = gx + Double(si) * barW
                let tip = (chart.series.count > 1 ? "\(s.name), " : "") + "\(labels[cat]): \(formatValue(v))"
                c.rect(x: x + 0.5, y: min(y, zeroY), w: barW - 1, h: abs(zeroY - y), fill: colors[si],
                       cls: "bar", tooltip: tip)
                if chart.showValues {
                    let label = formatValue(v)
                    let size = min(10.5, max(7, (barW + 6) / (Double(label.count) * 0.58)))
                    c.text(label, x: x + barW / 2, y: min(y, zeroY) - 4, anchor: "middle", size: size, fill: mutedColor)
                }
            }
            let lx = plotX + (Double(cat) + 0.5) * groupW
            if rotateLabels {
                c.text(labels[cat], x: lx, y: plotY + plotH + 12, anchor: "end", size: 11, fill: mutedColor, rotate: -40)
            } else {
                c.text(labels[cat], x: lx, y: plotY + plotH + 16, anchor: "middle", size: 11, fill: mutedColor)
            }
        }
        c.line(plotX, zeroY, plotX + plotW, zeroY, stroke: axisColor)
        if axisStart != nil {
            c.text("axis zoomed: starts at \(ticks.label(ticks.lo)), not 0", x: plotX + plotW, y: noteY, anchor: "end",
                   size: 11, fill: mutedColor, cls: "axis-note")
        }
        c.line(plotX, plotY, plotX, plotY + plotH, stroke: axisColor)
        if let xl = chart.xLabel {
            c.text(xl, x: plotX + plotW / 2, y: height - 10, anchor: "middle", fill: mutedColor)
        }
        if let yl = chart.yLabel {
            c.text(yl, x: 16, y: plotY + plotH / 2, anchor: "middle", fill: mutedColor, rotate: -90)
        }
        return c
    }
}
