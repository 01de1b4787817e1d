import Foundation

/// A heading inside prose, as the table of contents lists it.
public struct Heading: Sendable {
    public var level: Int
    public var text: String
    /// The fragment id the heading carries (or will be given) in the prose HTML.
    public var id: String

    public init(level: Int, text: String, id: String) {
        self.level = level
        self.text = text
        self.id = id
    }
}

/// One part of the report: prose between steps, or a step with what it showed.
public enum Section: Sendable {
    /// Prose HTML already rendered from Markdown (passed through unchanged but for heading ids).
    case prose(html: String, headings: [Heading])
    case step(StepSection)
}

/// How a step came to have its outputs: the one status the report, the render's outcome and
/// metrics.json share.
public enum StepStatus: Sendable, Equatable {
    case ran
    /// Outputs reused from the cache, computed at the given time.
    case cached(at: Date)
    case failed
    /// Not run because an earlier step failed.
    case skipped

    /// Whether the outputs are a finished run's (this render's or a cached one).
    public var succeeded: Bool {
        switch self {
        case .ran, .cached: return true
        case .failed, .skipped: return false
        }
    }

    public var isCached: Bool {
        if case .cached = self { return true }
        return false
    }
}

/// A step of the notebook: where it is, how long it took, its parameters, and its outputs.
public struct StepSection: Sendable {
    public var stage: String
    /// A human title ("Train the model"); the stage name is shown when nil.
    public var title: String?
    /// Line of the step's fence in the notebook.
    public var line: Int
    public var seconds: Double?
    public var status: StepStatus
    /// Names of parameters set in the notebook or on the command line (shown marked).
    public var overridden: [String]
    /// Names of parameters whose value came from a tune step (shown marked 'tuned').
    public var tuned: [String] = []
    /// Every parameter with its effective value, in the order the stage documents them.
    public var params: [(String, String)]
    /// Each parameter's doc, allowed values and default, shown on the chip's hover and focus.
    public var help: [String: ParameterHelp]
    /// The step's `expect:` conditions, checked after it ran.
    public var expectations: [ExpectationCheck] = []
    /// Parameters that cannot act in this run (early stopping whose patience is not shorter than the
    /// epochs), by name, with the reason: their chips are grey.
    public var inert: [String: String] = [:]
    public var outputs: [Output]
    /// Fragment id of the section; unique because two steps never share a line.
    public var id: String
    /// Set for a section that sums up the notebook instead of being one of its steps (All runs): its
    /// header says this where a step says its line, time and status, since it has none of them.
    public var summary: String?

    public init(stage: String, title: String? = nil, line: Int, seconds: Double? = nil,
                status: StepStatus = .ran, overridden: [String] = [], params: [(String, String)] = [],
                outputs: [Output] = [], help: [String: ParameterHelp] = [:], id: String? = nil) {
        self.stage = stage
        self.title = title
        self.line = line
        self.seconds = seconds
        self.status = status
        self.overridden = overridden
        self.params = params
        self.help = help
        self.outputs = outputs
        self.id = id ?? "step-\(anchorID(stage))-line-\(line)"
    }

    /// Whether the step's outputs hold a warning: its badge says "with warnings".
    public var hasWarnings: Bool { !Output.warnings(in: outputs).isEmpty }
}

/// How the page is laid out: the full report, a compact handout, or a wide one for a projector.
public enum ReportLayout: String, Sendable, CaseIterable {
    case standard, handout, present
}
