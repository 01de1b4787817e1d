import Foundation

/// Lines over x = 1...n (epochs), with labelled vertical markers for events.
public struct LineChart: Sendable, Codable {
    public var title: String?
    public var xLabel: String
    public var yLabel: String
    /// `values[i]` is the value at x = i + 1; NaN leaves a gap.
    public var series: [ChartSeries]
    /// Dashed vertical lines, e.g. (7, "LR → 0.0005") or (9, "best epoch").
    public var markers: [ChartMarker]
    public var logY: Bool
    /// Shaded areas drawn under the lines (a spread around a mean).
    public var bands: [ChartBand]

    public init(title: String? = nil, xLabel: String = "epoch", yLabel: String = "",
                series: [(name: String, values: [Double])], markers: [(x: Int, label: String)] = [],
                logY: Bool = false, bands: [ChartBand] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series.map { ChartSeries(name: $0.name, values: $0.values) }
        self.markers = markers.map { ChartMarker(x: $0.x, label: $0.label) }
        self.logY = logY
        self.bands = bands
    }

    enum CodingKeys: String, CodingKey { case title, xLabel, yLabel, series, markers, logY, bands }

    /// A chart a step's cache entry stored before bands existed has none.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        xLabel = try c.decode(String.self, forKey: .xLabel)
        yLabel = try c.decode(String.self, forKey: .yLabel)
        series = try c.decode([ChartSeries].self, forKey: .series)
        markers = try c.decode([ChartMarker].self, forKey: .markers)
        logY = try c.decode(Bool.self, forKey: .logY)
        bands = try c.decodeIfPresent([ChartBand].self, forKey: .bands) ?? []
    }
}

/// A shaded area from `low` to `high` at each x (as `series` values: index i is x = i + 1, NaN leaves a
/// gap), in the colour of the series it surrounds, e.g. mean ± one standard deviation over seeds.
public struct ChartBand: Sendable, Codable, Equatable {
    public var name: String
    public var low: [Double]
    public var high: [Double]
    /// The index of the series (its mean line) whose colour the band takes.
    public var around: Int

    public init(name: String, low: [Double], high: [Double], around: Int) {
        self.name = name
        self.low = low
        self.high = high
        self.around = around
    }
}

/// One named line (or set of bars) of a chart, built by the chart's initialiser; NaN values are left to the encoder's non-conforming float strategy.
public struct ChartSeries: Sendable, Codable, Equatable {
    public var name: String
    public var values: [Double]
}

/// A labelled vertical line at epoch `x`.
public struct ChartMarker: Sendable, Codable, Equatable {
    public var x: Int
    public var label: String
}

/// The row of each label (horizontal extents, in x order): the first row whose labels all end at least
/// 4 px before this one starts, so close events ("LR → 0.00025", "LR → 0.000125") never overprint.
func markerLabelRows(_ spans: [ClosedRange<Double>]) -> [Int] {
    var rows: [[ClosedRange<Double>]] = []
    return spans.map { span in
        let clear = { (placed: [ClosedRange<Double>]) in placed.allSatisfy { $0.upperBound + 4 <= span.lowerBound || span.upperBound + 4 <= $0.lowerBound } }
        if let row = rows.firstIndex(where: clear) {
            rows[row].append(span)
            return row
        }
        rows.append([span])
        return rows.count - 1
    }
}

extension SVGChart {
    /// A line chart: axes with ticks and labels, a legend, one path per series, dashed markers.
    public static func render(_ chart: LineChart) -> String {
        lineChartCanvas(chart).document()
    }

    static func lineChartCanvas(_ chart: LineChart) -> SVGCanvas {
        let width = 480.0, height = 320.0
        var c = SVGCanvas(width: width, height: height, title: chart.title)
        let left = 64.0, right = 20.0
        var top = c.drawTitle(chart.title)
        let seriesColor = { (series: Int) in palette[series % palette.count] }
        let items = chart.series.enumerated().map { SVGCanvas.LegendItem(name: $1.name, color: seriesColor($0), swatch: .line) }
            + chart.bands.map { SVGCanvas.LegendItem(name: $0.name, color: seriesColor($0.around), swatch: .band) }
        if items.count > 1 || !(items.first?.name.isEmpty ?? true) {
            top += c.legend(items, x: left, y: top + 12, maxWidth: width - left - right) + 6
        } else {
            top += 8
        }
        let bottom = 46.0
        let plotX = left, plotW = width - left - right
        let n = (chart.series.map(\.values.count) + chart.bands.map { max($0.low.count, $0.high.count) }).max() ?? 0
        // x mapping: x = 1...n; a single point sits in the middle.
        let xMax = max(n, chart.markers.map(\.x).max() ?? 0, 1)
        let xMap: (Double) -> Double = { x in
            xMax == 1 ? plotX + plotW / 2 : plotX + (x - 1) / Double(xMax - 1) * plotW
        }
        // Marker labels get their own band above the plot, so they never sit on the data (accuracy
        // curves hug the top, loss curves the bottom), with as many rows as it takes for no two to overlap.
        let markers = chart.markers.sorted { $0.x < $1.x }.map { m -> (x: Double, label: String, anchor: String, span: ClosedRange<Double>) in
            let x = xMap(Double(m.x)), labelW = textWidth(m.label, size: 11)
            let end = x + 3 + labelW > width - 4
            return (x, m.label, end ? "end" : "start", end ? (x - 3 - labelW)...(x - 3) : (x + 3)...(x + 3 + labelW))
        }
        let rows = markerLabelRows(markers.map(\.span))
        let markerRows = (rows.max() ?? -1) + 1
        top += Double(markerRows) * 13
        let plotY = top, plotH = height - top - bottom

        // The axis holds the bands too: a spread wider than the data must not be cut off.
        let finite = (chart.series.flatMap(\.values) + chart.bands.flatMap { $0.low + $0.high })
            .filter { $0.isFinite && (!chart.logY || $0 > 0) }
        let logY = chart.logY && !finite.isEmpty

        // y mapping
        let yTicks: [(Double, String)]
        let yMap: (Double) -> Double
        if logY {
            let t = LogTicks(min: finite.min()!, max: finite.max()!)
            yMap = { plotY + plotH - (log10($0) - t.lo) / (t.hi - t.lo) * plotH }
            yTicks = t.values.map { ($0, t.label($0)) }
        } else {
            let t = LinearTicks(min: finite.min() ?? 0, max: finite.max() ?? 1)
            yMap = { plotY + plotH - ($0 - t.lo) / (t.hi - t.lo) * plotH }
            yTicks = t.values.map { ($0, t.label($0)) }
        }
        // grid and y ticks
        for (v, label) in yTicks {
            let y = yMap(v)
            c.line(plotX, y, plotX + plotW, y, stroke: gridColor)
            c.text(label, x: plotX - 6, y: y + 4, anchor: "end", size: 11, fill: mutedColor)
        }
        // x ticks: integers, thinned to a nice step
        let xStep = xMax <= 12 ? 1 : Int(LinearTicks.nice(Double(xMax) / 8))
        var xt = 1
        while xt <= xMax {
            let x = xMap(Double(xt))
            c.line(x, plotY + plotH, x, plotY + plotH + 4, stroke: axisColor)
            c.text("\(xt)", x: x, y: plotY + plotH + 17, anchor: "middle", size: 11, fill: mutedColor)
            xt = xt == 1 && xStep > 1 ? xStep : xt + xStep
        }
        // axes
        c.line(plotX, plotY + plotH, plotX + plotW, plotY + plotH, stroke: axisColor)
        c.line(plotX, plotY, plotX, plotY + plotH, stroke: axisColor)
        c.text(chart.xLabel, x: plotX + plotW / 2, y: height - 10, anchor: "middle", fill: mutedColor)
        if !chart.yLabel.isEmpty {
            c.text(chart.yLabel + (logY ? " (log)" : ""), x: 16, y: plotY + plotH / 2, anchor: "middle",
                   fill: mutedColor, rotate: -90)
        }

        // markers under the lines, each label in its row
        for (m, row) in zip(markers, rows) {
            let labelY = plotY - 4 - Double(markerRows - 1 - row) * 13
            c.line(m.x, labelY + 2, m.x, plotY + plotH, stroke: "#6e7781", width: 1.2, dash: "4 3", cls: "marker")
            c.text(m.label, x: m.anchor == "end" ? m.x - 3 : m.x + 3, y: labelY, anchor: m.anchor, size: 11,
                   fill: "#424a53", halo: true)
        }

        // Bands under the lines, so every mean line stays on top of its own spread.
        for band in chart.bands {
            let fill = seriesColor(band.around)
            for run in bandRuns(band, logY: logY) {
                let upper = run.map { (xMap(Double($0 + 1)), yMap(band.high[$0])) }
                let lower = run.reversed().map { (xMap(Double($0 + 1)), yMap(band.low[$0])) }
                if run.count == 1 {
                    // One epoch has no area: an error bar shows the same spread.
                    c.add("<line class=\"band\" x1=\"\(fmt(upper[0].0))\" y1=\"\(fmt(upper[0].1))\" x2=\"\(fmt(lower[0].0))\" y2=\"\(fmt(lower[0].1))\" stroke=\"\(fill)\" stroke-opacity=\"0.35\" stroke-width=\"8\"><title>\(escapeHTML(band.name))</title></line>")
                } else {
                    let points = (upper + lower).map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " ")
                    c.add("<polygon class=\"band\" points=\"\(points)\" fill=\"\(fill)\" fill-opacity=\"0.2\" stroke=\"none\"><title>\(escapeHTML(band.name))</title></polygon>")
                }
            }
        }

        // one path per series; NaN starts a new subpath
        for (si, s) in chart.series.enumerated() {
            let color = seriesColor(si)
            var d = ""
            var penDown = false
            var points: [(Double, Double)] = []
            for (i, v) in s.values.enumerated() {
                guard v.isFinite, !logY || v > 0 else { penDown = false; continue }
                let p = (xMap(Double(i + 1)), yMap(v))
                d += (penDown ? "L" : "M") + "\(fmt(p.0)) \(fmt(p.1))"
                penDown = true
                points.append(p)
            }
            c.add("<path class=\"line\" d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"><title>\(escapeHTML(s.name))</title></path>")
            if points.count <= 40 {
                for p in points {
                    c.add("<circle cx=\"\(fmt(p.0))\" cy=\"\(fmt(p.1))\" r=\"2.6\" fill=\"\(color)\"/>")
                }
            }
        }
        return c
    }
}

/// The band's stretches of consecutive x indices where both edges can be drawn (finite, and positive on
/// a log axis): one polygon each, as a NaN breaks a line into subpaths.
func bandRuns(_ band: ChartBand, logY: Bool) -> [[Int]] {
    var runs: [[Int]] = [], current: [Int] = []
    for i in 0..<min(band.low.count, band.high.count) {
        let drawable = [band.low[i], band.high[i]].allSatisfy { $0.isFinite && (!logY || $0 > 0) }
        if drawable {
            current.append(i)
        } else if !current.isEmpty {
            runs.append(current)
            current = []
        }
    }
    if !current.isEmpty { runs.append(current) }
    return runs
}
