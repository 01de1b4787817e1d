import Foundation
import NeuralNet
import Notebook
import Report

/// A stage's name, as a fence's info string gives it. Each stage file declares its own
/// (`extension StageName { static let train = … }`), so a new stage adds a name without editing this file.
public struct StageName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// The parts of the workspace a step can read or leave behind; a step's cache key covers the
/// steps that last wrote each part it reads, and nothing else (see `CachePlan`).
public enum WorkspacePart: String, CaseIterable, Sendable, Comparable {
    /// The image sets, with their normalisation.
    case data
    /// The preprocessing chosen (stored in saved models).
    case preprocessing
    /// The model: layers, weights and the random streams of its dropout layers.
    case model
    /// A tune step's trials and the best values it hands to the train step after it.
    case tuning
    /// The training history.
    case training
    /// The scores of each split.
    case evaluations
    /// The model files written.
    case savedFiles

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A stage: one type per stage, in one file, holding everything about it. The value is a step's
/// parameters, decoded once from the validated YAML; `run` works with them.
///
/// A new stage is one file with a type conforming to this protocol and one line in
/// `StageRegistry.standard` (docs/ARCHITECTURE.md).
public protocol Stage {
    static var name: StageName { get }
    /// The heading of the step's section in the report.
    static var title: String { get }
    /// What it does, its parameters (defaults taken from the engine's own) and the stages it needs
    /// before it: what validation and `mnistbook steps` read.
    static var schema: StageSpec { get }
    /// The parts of the workspace its result depends on, and those it sets: the cache's dependencies.
    static var reads: Set<WorkspacePart> { get }
    static var writes: Set<WorkspacePart> { get }

    /// The typed parameters of a validated step of this stage.
    init(_ step: ValidatedStep)

    /// Reads and extends the workspace; returns what to show and which files to write.
    func run(_ workspace: inout Workspace, _ context: StageContext) throws -> StageResult

    /// What a cache entry keeps of what the step left in the workspace, so later steps can run
    /// after a cache hit (nothing, by default).
    func capture(before: WorkspaceMark, after workspace: Workspace) -> StepState

    /// Puts a cached step's part back into the workspace, in notebook order, so a later step can run.
    func restore(_ state: StepState, into workspace: inout Workspace, _ context: RestoreContext) throws
}

extension Stage {
    public func capture(before: WorkspaceMark, after workspace: Workspace) -> StepState { .none }
    /// By default a cached evaluation (evaluate's, or error-analysis' own scoring) is put back; any other state is the stage's to restore.
    public func restore(_ state: StepState, into workspace: inout Workspace, _ context: RestoreContext) throws {
        if case .evaluation(let evaluation) = state { workspace.record(evaluation) }
    }

    /// The schema of this stage.
    public static func spec(_ summary: String, needs: [StageName] = [], _ parameters: [ParameterSpec]) -> StageSpec {
        StageSpec(name: name.rawValue, summary: summary, needs: needs.map(\.rawValue), parameters: parameters)
    }
}

/// What restoring a cached step gets: the run's context, the output folder, and whether the step
/// must run again instead (a training that a later training continues, see `CachePlan`).
public struct RestoreContext {
    public var stage: StageContext
    /// The line of the cached step's fence.
    public var line: Int
    public var outputFolder: URL
    public var runAgain: Bool
}

/// What a stage gets besides its parameters and the workspace.
public struct StageContext {
    /// The notebook's one seed (front matter): shuffling, initial weights, dropout, subsets.
    public var seed: Int
    /// Progress hooks for `fit`, so the command line can draw Keras-style progress bars.
    public var training: TrainingObserver
    /// A line of progress for the terminal (not the report).
    public var message: (String) -> Void
    /// The notebook's folder: a relative dataset directory is looked up there first.
    public var notebookDirectory: URL
    /// Writes a file into the output folder right away (atomically) and returns where it went, for
    /// files a step must read back (the saved model). Other files go in `StageResult.artifacts`.
    public var writeFile: (Artifact) throws -> URL
    /// Every step of the notebook and this step's index in them: `tune` reads the build step before
    /// it and the train step after it.
    public var notebookSteps: [ValidatedStep] = []
    public var stepIndex = 0
    /// A folder for a step's partial results, keyed by its cache key (tune's finished trials); nil
    /// when the step has no key yet.
    public var scratchFolder: URL?

    public init(seed: Int, training: TrainingObserver = TrainingObserver(), message: @escaping (String) -> Void = { _ in },
                notebookDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                writeFile: @escaping (Artifact) throws -> URL) {
        self.seed = seed
        self.training = training
        self.message = message
        self.notebookDirectory = notebookDirectory
        self.writeFile = writeFile
    }
}

/// A file a stage wants written next to the report. `bytes` is `Data` so that the step cache's JSON holds
/// it as base64 (as `[UInt8]` it would be a list of numbers, several times larger).
public struct Artifact: Sendable, Codable {
    public var name: String
    public var bytes: Data

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = Data(bytes)
    }

    public init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }
}

/// What one step showed and the files it made; the runner writes the files, the report shows the outputs.
public struct StageResult: Sendable {
    public var outputs: [Output] = []
    public var artifacts: [Artifact] = []

    public init(outputs: [Output] = [], artifacts: [Artifact] = []) {
        self.outputs = outputs
        self.artifacts = artifacts
    }
}

/// A step that could not finish; `outputs` is what it had shown up to then (epochs trained before a NaN).
public struct StageFailure: Error, CustomStringConvertible {
    public var message: String
    public var outputs: [Output]

    public init(_ message: String, outputs: [Output] = []) {
        self.message = message
        self.outputs = outputs
    }

    public var description: String { message }
}

extension Workspace {
    /// The loaded data, or a failure naming the step that should have come first.
    func requireData(for stage: StageName) throws -> LoadedData {
        guard let data else { throw StageFailure("'\(stage)' needs data: add a '\(StageName.load)' step before it") }
        return data
    }

    func requireModel(for stage: StageName) throws -> Model {
        guard let model else { throw StageFailure("'\(stage)' needs a model: add a '\(StageName.build)' step before it") }
        return model
    }

    func requireTraining(for stage: StageName) throws -> TrainingSummary {
        guard let training else {
            throw StageFailure("'\(stage)' needs a trained model: add a '\(StageName.train)' step before it")
        }
        return training
    }
}
