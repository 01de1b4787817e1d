import Foundation
import Notebook
import Report

/// One step of a render: where it is, how long it took, how it went.
public struct StepRecord: Sendable {
    public var stage: String
    public var line: Int
    /// Nil for a skipped step.
    public var seconds: Double?
    public var status: StepStatus
    /// The failure shown in the report, for a failed step.
    public var error: String?
    /// When the outputs were computed: this render's run of the step, or the run the cache entry is
    /// from. Nil for a failed or skipped step.
    public var computedAt: Date?
    /// The step's cache key (see `StepKeys`); nil when the step did not finish.
    public var cacheKey: String?

    public init(stage: String, line: Int, seconds: Double?, status: StepStatus, error: String? = nil,
                computedAt: Date? = nil, cacheKey: String? = nil) {
        self.stage = stage
        self.line = line
        self.seconds = seconds
        self.status = status
        self.error = error
        self.computedAt = computedAt
        self.cacheKey = cacheKey
    }

    /// Whether the outputs came from the step cache.
    public var cached: Bool { status.isCached }
}

/// What a finished render wrote and whether every step ran.
public struct RenderOutcome: Sendable {
    /// The folder everything went to (`output/<stem>` by default).
    public var outputDirectory: URL
    /// `<stem>.html` in the output folder.
    public var reportURL: URL
    public var metricsURL: URL
    /// Every file written, in the order written; the report is last.
    public var files: [URL]
    public var steps: [StepRecord]
    /// Wall time of the whole render.
    public var seconds: Double
    /// Every step's `expect:` conditions, checked, in notebook order.
    public var expectations: [ExpectationCheck] = []
    /// The steps' warnings and the notebook's (raw HTML left out), in notebook order.
    public var warnings: [RenderWarning] = []
    /// Every step ran but an expectation is not met: `render` exits 3.
    public var expectationFailed: Bool { !failed && expectations.contains { !$0.passed } }

    /// The steps whose outputs came from the cache, and those that ran (failed ones included).
    public var cachedSteps: [StepRecord] { steps.filter(\.cached) }
    public var ranSteps: [StepRecord] { steps.filter { !$0.cached && $0.status != .skipped } }

    /// The step that failed at run time, if any; the report then shows it in place and the command exits 1.
    public var failedStep: StepRecord? { steps.first { $0.status == .failed } }
    public var failed: Bool { failedStep != nil }
}

/// Why a render produced no report.
public enum RenderError: Error, CustomStringConvertible {
    /// Problems found before running (nothing was run, nothing written): one `path:line:column: stage: message` each.
    case invalidNotebook(DiagnosticList)
    /// The output could not be written; files written before (an earlier report) are left intact.
    case cannotWrite(String)

    public var description: String {
        switch self {
        case .invalidNotebook(let list): return list.description
        case .cannotWrite(let message): return message
        }
    }
}
