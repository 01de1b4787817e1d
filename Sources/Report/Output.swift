// What stages hand to the report: data, never HTML. Each type knows nothing about how it is
// drawn; HTMLPage.swift and the SVGChart renderers decide that. Every payload is a Codable value
// (no tuples), so the step cache stores a step's outputs with the synthesised coding.

/// One thing a step shows, in the order the step produced it.
public enum Output: Sendable, Codable {
    case table(Table)
    case keyValues(title: String?, pairs: [KeyValue])
    case barChart(BarChart)
    case lineChart(LineChart)
    case heatmap(Heatmap)
    case imageGrid(ImageGrid)
    /// An already-rendered SVG (e.g. from `Graphviz.svg(fromDot:)`); inlined as given.
    case diagram(svg: String, caption: String?)
    case code(language: String, text: String)
    /// A sentence or event, e.g. "Epoch 7: ReduceLROnPlateau reducing learning rate to 0.0005."
    case note(String)
    /// Something that went wrong without stopping the step (chance-level accuracy, a diverging loss):
    /// amber, and the step's badge says "with warnings".
    case warning(String)
    /// A failed step's error, shown in place.
    case error(String)
    case files([WrittenFile])
    /// Outputs folded away under a one-line summary (per-epoch snapshots), opened on demand.
    indirect case details(summary: String, outputs: [Output])
    /// Tracked digits × epochs (train.track).
    case timelapse(Timelapse)
    /// The digit pad: a canvas whose drawings the page classifies itself with the embedded model.
    case digitPad(DigitPadModel)
    /// Reference detail (checksums, array shapes and memory): in the full report, left out of a handout.
    indirect case reference(Output)

    /// The warnings among these outputs, nested ones included, in order.
    public static func warnings(in outputs: [Output]) -> [String] {
        outputs.flatMap { output -> [String] in
            switch output {
            case .warning(let text): return [text]
            case .details(_, let inner): return warnings(in: inner)
            case .reference(let inner): return warnings(in: [inner])
            default: return []
            }
        }
    }

    /// A key-value list from `(key, value)` literals, the way stages write them.
    public static func keyValues(title: String?, _ pairs: [(String, String)]) -> Output {
        .keyValues(title: title, pairs: pairs.map { KeyValue(key: $0.0, value: $0.1) })
    }
}

/// One row of a key-value list (built by `Output.keyValues(title:_:)`).
public struct KeyValue: Sendable, Codable, Equatable {
    public var key: String
    public var value: String
}

/// A file a step wrote, listed with its size.
public struct WrittenFile: Sendable, Codable, Equatable {
    public var name: String
    public var bytes: Int

    public init(name: String, bytes: Int) {
        self.name = name
        self.bytes = bytes
    }
}

/// What the report's digit pad embeds: the model as Inference's `PadModel` writes it, its class names, its input side.
public struct DigitPadModel: Sendable, Codable, Equatable {
    /// The JSON object digit-model.js runs (int8 kernels, float32 vectors, base64).
    public var modelJSON: String
    public var classNames: [String]
    public var side: Int

    public init(modelJSON: String, classNames: [String], side: Int) {
        self.modelJSON = modelJSON
        self.classNames = classNames
        self.side = side
    }
}

/// A table of text cells; numeric columns are right-aligned.
public struct Table: Sendable {
    public var caption: String?
    public var header: [String]
    public var rows: [[String]]
    /// Rows shown below a rule at the end (totals, averages).
    public var footer: [[String]]
    /// Column indices aligned right with tabular figures.
    public var alignRight: Set<Int>

    /// `alignRight: nil` picks every column whose non-empty cells all look like numbers.
    public init(caption: String? = nil, header: [String], rows: [[String]],
                alignRight: Set<Int>? = nil, footer: [[String]] = []) {
        self.caption = caption
        self.header = header
        self.rows = rows
        self.footer = footer
        self.alignRight = alignRight ?? Table.numericColumns(rows + footer)
    }

    static func numericColumns(_ rows: [[String]]) -> Set<Int> {
        let width = rows.map(\.count).max() ?? 0
        var result = Set<Int>()
        for c in 0..<width {
            let cells = rows.compactMap { c < $0.count ? $0[c] : nil }.filter { !$0.isEmpty && $0 != "–" && $0 != "-" }
            if !cells.isEmpty && cells.allSatisfy(looksNumeric) { result.insert(c) }
        }
        return result
    }
}
