import Foundation
import NeuralNet
import Notebook
import Report

/// A stage: reads and extends the workspace, returns what to show and which files to write.
public typealias StageFunction = (ValidatedStep, inout Workspace, StageContext) throws -> StageResult

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

/// A file a stage wants written next to the report.
public struct Artifact: Sendable {
    public var name: String
    public var bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
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
    func requireData(for stage: String) throws -> LoadedData {
        guard let data else { throw StageFailure("'\(stage)' needs data: add a 'load' step before it") }
        return data
    }

    func requireModel(for stage: String) throws -> Model {
        guard let model else { throw StageFailure("'\(stage)' needs a model: add a 'build' step before it") }
        return model
    }

    func requireTraining(for stage: String) throws -> TrainingSummary {
        guard let training else { throw StageFailure("'\(stage)' needs a trained model: add a 'train' step before it") }
        return training
    }
}
