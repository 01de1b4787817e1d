import Foundation

// Codable for what stages hand to the report, so a step's outputs can be cached on disk and shown
// again byte for byte. Written by hand: the types are declared in other files (no synthesis across
// files) and some hold tuples, which go through the small named structs below. Pixels go as Data
// (base64 in JSON) rather than a list of numbers: a sample grid has tens of thousands of them.

extension Output: Codable {
    private enum CodingKeys: String, CodingKey {
        case kind, table, title, pairs, barChart, lineChart, heatmap, imageGrid, svg, caption, language, text, files, digitPad, outputs, timelapse
    }

    private enum Kind: String, Codable {
        case table, keyValues, barChart, lineChart, heatmap, imageGrid, diagram, code, note, error, files, digitPad, details, timelapse
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .table(let table):
            try c.encode(Kind.table, forKey: .kind)
            try c.encode(table, forKey: .table)
        case .keyValues(let title, let pairs):
            try c.encode(Kind.keyValues, forKey: .kind)
            try c.encodeIfPresent(title, forKey: .title)
            try c.encode(pairs.map { CodablePair(key: $0.0, value: $0.1) }, forKey: .pairs)
        case .barChart(let chart):
            try c.encode(Kind.barChart, forKey: .kind)
            try c.encode(chart, forKey: .barChart)
        case .lineChart(let chart):
            try c.encode(Kind.lineChart, forKey: .kind)
            try c.encode(chart, forKey: .lineChart)
        case .heatmap(let map):
            try c.encode(Kind.heatmap, forKey: .kind)
            try c.encode(map, forKey: .heatmap)
        case .imageGrid(let grid):
            try c.encode(Kind.imageGrid, forKey: .kind)
            try c.encode(grid, forKey: .imageGrid)
        case .diagram(let svg, let caption):
            try c.encode(Kind.diagram, forKey: .kind)
            try c.encode(svg, forKey: .svg)
            try c.encodeIfPresent(caption, forKey: .caption)
        case .code(let language, let text):
            try c.encode(Kind.code, forKey: .kind)
            try c.encode(language, forKey: .language)
            try c.encode(text, forKey: .text)
        case .note(let text):
            try c.encode(Kind.note, forKey: .kind)
            try c.encode(text, forKey: .text)
        case .error(let text):
            try c.encode(Kind.error, forKey: .kind)
            try c.encode(text, forKey: .text)
        case .files(let files):
            try c.encode(Kind.files, forKey: .kind)
            try c.encode(files.map { CodableFileSize(name: $0.name, bytes: $0.bytes) }, forKey: .files)
        case .digitPad(let pad):
            try c.encode(Kind.digitPad, forKey: .kind)
            try c.encode(pad, forKey: .digitPad)
        case .details(let summary, let outputs):
            try c.encode(Kind.details, forKey: .kind)
            try c.encode(summary, forKey: .title)
            try c.encode(outputs, forKey: .outputs)
        case .timelapse(let timelapse):
            try c.encode(Kind.timelapse, forKey: .kind)
            try c.encode(timelapse, forKey: .timelapse)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(Kind.self, forKey: .kind) {
        case .table: self = .table(try c.decode(Table.self, forKey: .table))
        case .keyValues:
            let pairs = try c.decode([CodablePair].self, forKey: .pairs)
            self = .keyValues(title: try c.decodeIfPresent(String.self, forKey: .title), pairs.map { ($0.key, $0.value) })
        case .barChart: self = .barChart(try c.decode(BarChart.self, forKey: .barChart))
        case .lineChart: self = .lineChart(try c.decode(LineChart.self, forKey: .lineChart))
        case .heatmap: self = .heatmap(try c.decode(Heatmap.self, forKey: .heatmap))
        case .imageGrid: self = .imageGrid(try c.decode(ImageGrid.self, forKey: .imageGrid))
        case .diagram:
            self = .diagram(svg: try c.decode(String.self, forKey: .svg), caption: try c.decodeIfPresent(String.self, forKey: .caption))
        case .code: self = .code(language: try c.decode(String.self, forKey: .language), text: try c.decode(String.self, forKey: .text))
        case .note: self = .note(try c.decode(String.self, forKey: .text))
        case .error: self = .error(try c.decode(String.self, forKey: .text))
        case .files: self = .files(try c.decode([CodableFileSize].self, forKey: .files).map { (name: $0.name, bytes: $0.bytes) })
        case .digitPad: self = .digitPad(try c.decode(DigitPadModel.self, forKey: .digitPad))
        case .details: self = .details(summary: try c.decode(String.self, forKey: .title), try c.decode([Output].self, forKey: .outputs))
        case .timelapse: self = .timelapse(try c.decode(Timelapse.self, forKey: .timelapse))
        }
    }
}

/// `(String, String)` of a key-value list.
private struct CodablePair: Codable {
    var key: String
    var value: String
}

/// `(name:, values:)` of a chart series; NaN values are left to the encoder's non-conforming float strategy.
private struct CodableSeries: Codable {
    var name: String
    var values: [Double]
}

/// `(x:, label:)` of a line-chart marker.
private struct CodableMarker: Codable {
    var x: Int
    var label: String
}

/// `(name:, bytes:)` of a written file.
private struct CodableFileSize: Codable {
    var name: String
    var bytes: Int
}

extension Table: Codable {
    private enum CodingKeys: String, CodingKey { case caption, header, rows, footer, alignRight }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(caption, forKey: .caption)
        try c.encode(header, forKey: .header)
        try c.encode(rows, forKey: .rows)
        try c.encode(footer, forKey: .footer)
        try c.encode(alignRight.sorted(), forKey: .alignRight)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // alignRight is given explicitly, so the decoded table never re-guesses its numeric columns.
        self.init(caption: try c.decodeIfPresent(String.self, forKey: .caption), header: try c.decode([String].self, forKey: .header),
                  rows: try c.decode([[String]].self, forKey: .rows), alignRight: Set(try c.decode([Int].self, forKey: .alignRight)),
                  footer: try c.decode([[String]].self, forKey: .footer))
    }
}

extension BarChart: Codable {
    private enum CodingKeys: String, CodingKey { case title, categories, series, xLabel, yLabel, showValues }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(title, forKey: .title)
        try c.encode(categories, forKey: .categories)
        try c.encode(series.map { CodableSeries(name: $0.name, values: $0.values) }, forKey: .series)
        try c.encodeIfPresent(xLabel, forKey: .xLabel)
        try c.encodeIfPresent(yLabel, forKey: .yLabel)
        try c.encode(showValues, forKey: .showValues)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(title: try c.decodeIfPresent(String.self, forKey: .title), categories: try c.decode([String].self, forKey: .categories),
                  series: try c.decode([CodableSeries].self, forKey: .series).map { (name: $0.name, values: $0.values) },
                  xLabel: try c.decodeIfPresent(String.self, forKey: .xLabel), yLabel: try c.decodeIfPresent(String.self, forKey: .yLabel),
                  showValues: try c.decode(Bool.self, forKey: .showValues))
    }
}

extension LineChart: Codable {
    private enum CodingKeys: String, CodingKey { case title, xLabel, yLabel, series, markers, logY }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(title, forKey: .title)
        try c.encode(xLabel, forKey: .xLabel)
        try c.encode(yLabel, forKey: .yLabel)
        try c.encode(series.map { CodableSeries(name: $0.name, values: $0.values) }, forKey: .series)
        try c.encode(markers.map { CodableMarker(x: $0.x, label: $0.label) }, forKey: .markers)
        try c.encode(logY, forKey: .logY)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(title: try c.decodeIfPresent(String.self, forKey: .title), xLabel: try c.decode(String.self, forKey: .xLabel),
                  yLabel: try c.decode(String.self, forKey: .yLabel),
                  series: try c.decode([CodableSeries].self, forKey: .series).map { (name: $0.name, values: $0.values) },
                  markers: try c.decode([CodableMarker].self, forKey: .markers).map { (x: $0.x, label: $0.label) },
                  logY: try c.decode(Bool.self, forKey: .logY))
    }
}

extension Heatmap: Codable {
    private enum CodingKeys: String, CodingKey { case title, rowLabels, colLabels, values, rowTitle, colTitle }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(title, forKey: .title)
        try c.encode(rowLabels, forKey: .rowLabels)
        try c.encode(colLabels, forKey: .colLabels)
        try c.encode(values, forKey: .values)
        try c.encode(rowTitle, forKey: .rowTitle)
        try c.encode(colTitle, forKey: .colTitle)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(title: try c.decodeIfPresent(String.self, forKey: .title), rowLabels: try c.decode([String].self, forKey: .rowLabels),
                  colLabels: try c.decode([String].self, forKey: .colLabels), values: try c.decode([[Int]].self, forKey: .values),
                  rowTitle: try c.decode(String.self, forKey: .rowTitle), colTitle: try c.decode(String.self, forKey: .colTitle))
    }
}

extension GrayImage: Codable {
    private enum CodingKeys: String, CodingKey { case width, height, pixels }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(Data(pixels), forKey: .pixels)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let width = try c.decode(Int.self, forKey: .width), height = try c.decode(Int.self, forKey: .height)
        let pixels = [UInt8](try c.decode(Data.self, forKey: .pixels))
        // The initialiser traps on a mismatch; bad input must be an error instead.
        guard width >= 0, height >= 0, pixels.count == width * height else {
            throw DecodingError.dataCorruptedError(forKey: .pixels, in: c,
                                                   debugDescription: "\(pixels.count) pixels for \(width)×\(height)")
        }
        self.init(width: width, height: height, pixels: pixels)
    }
}

extension ImageGrid: Codable {
    private enum CodingKeys: String, CodingKey { case title, images, captions, columns, highlight }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(title, forKey: .title)
        try c.encode(images, forKey: .images)
        try c.encode(captions, forKey: .captions)
        try c.encode(columns, forKey: .columns)
        try c.encode(highlight, forKey: .highlight)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(title: try c.decodeIfPresent(String.self, forKey: .title), images: try c.decode([GrayImage].self, forKey: .images),
                  captions: try c.decode([String].self, forKey: .captions), columns: try c.decode(Int.self, forKey: .columns),
                  highlight: try c.decode([Bool].self, forKey: .highlight))
    }
}
