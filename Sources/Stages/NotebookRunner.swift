import Foundation
import Notebook
import Report

/// Runs a notebook top to bottom and writes the report, metrics.json and every artifact into the
/// output folder, each file atomically so an interrupted render leaves the previous one intact.
public struct NotebookRunner {
    public init() {}

    /// Validates everything first (nothing is written when that fails), then runs the steps in order.
    /// A step that fails at run time still yields a report, with its error in place and later steps
    /// skipped; the outcome says so. `outputDirectory` nil means `output/<stem>` in the current directory.
    public func render(notebookPath: String, outputDirectory: URL? = nil, overrides: [String] = [],
                       observer: RunObserver = RunObserver()) throws(RenderError) -> RenderOutcome {
        let started = Date()
        let notebook: Notebook, steps: [ValidatedStep]
        do {
            (notebook, steps) = try checkNotebook(path: notebookPath, overrides: overrides)
        } catch {
            throw .invalidNotebook(error)
        }
        let stem = notebookStem(notebookPath)
        let folder = (outputDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("output").appendingPathComponent(stem)).standardizedFileURL
        let files = OutputFolder(folder)
        try files.create()

        let notebookDirectory = URL(fileURLWithPath: notebookPath).deletingLastPathComponent()
        let context = StageContext(seed: notebook.frontMatter.seed, training: observer.training, message: observer.message,
                                   notebookDirectory: notebookDirectory, writeFile: { try files.write($0) })
        var workspace = Workspace()
        var records: [StepRecord] = []
        var sections: [Int: StepSection] = [:]     // by block index
        var artifacts: [Artifact] = []
        var failure: (stage: String, line: Int)?

        for step in steps {
            guard let entry = StageRegistry.entry(named: step.stage) else { continue }
            var section = StepSection(stage: step.stage, title: entry.title, line: step.line,
                                      overridden: overriddenNames(step), params: parameterRows(step, spec: entry.spec))
            if let failure {
                section.status = .skipped
                section.outputs = [.note("Not run: the '\(failure.stage)' step on line \(failure.line) failed.")]
                records.append(StepRecord(stage: step.stage, line: step.line, seconds: nil, status: .skipped, error: nil, cached: false))
                sections[step.blockIndex] = section
                continue
            }
            observer.stepBegan(step.stage, step.line)
            let begin = Date()
            var error: String?
            do {
                let result = try entry.run(step, &workspace, context)
                section.outputs = result.outputs
                artifacts += result.artifacts
            } catch let stageFailure as StageFailure {
                section.outputs = stageFailure.outputs + [.error(stageFailure.message)]
                error = stageFailure.message
            } catch let other {
                // Errors from the engine and the libraries carry their own wording (file, reason).
                let message = "\(other)"
                section.outputs = [.error(message)]
                error = message
            }
            let seconds = Date().timeIntervalSince(begin)
            section.seconds = seconds
            section.status = error == nil ? .ran : .failed
            sections[step.blockIndex] = section
            records.append(StepRecord(stage: step.stage, line: step.line, seconds: seconds,
                                      status: error == nil ? .ran : .failed, error: error, cached: false))
            observer.stepEnded(step.stage, seconds, error != nil)
            if error != nil { failure = (step.stage, step.line) }
        }

        let failedRecord = records.first { $0.status == .failed }
        let page = reportPage(notebook, sections: sections, failed: failedRecord)
        let metrics = metricsJSON(notebook: notebook, workspace: workspace, records: records,
                                  totalSeconds: Date().timeIntervalSince(started))

        // The report goes last: if anything before it cannot be written, the previous report stays.
        for artifact in deduplicated(artifacts) { _ = try files.write(artifact) }
        let metricsURL = try files.write(Artifact(name: "metrics.json", text: metrics))
        let reportURL = try files.write(Artifact(name: stem + ".html", text: page.html()))
        observer.message("wrote \(reportURL.path)")
        return RenderOutcome(outputDirectory: folder, reportURL: reportURL, metricsURL: metricsURL, files: files.written,
                             steps: records, seconds: Date().timeIntervalSince(started))
    }
}

/// The notebook's file name without its extension: `notebooks/quickstart.md` → `quickstart`.
func notebookStem(_ path: String) -> String {
    let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    return name.isEmpty ? "notebook" : name
}

/// The last file of each name wins, in the order first produced (a repeated stage rewrites its files).
func deduplicated(_ artifacts: [Artifact]) -> [Artifact] {
    var last: [String: Artifact] = [:]
    var order: [String] = []
    for artifact in artifacts {
        if last[artifact.name] == nil { order.append(artifact.name) }
        last[artifact.name] = artifact
    }
    return order.map { last[$0]! }
}

/// The output folder, and every file written into it (always through `AtomicFile`).
final class OutputFolder: @unchecked Sendable {
    let url: URL
    private(set) var written: [URL] = []

    init(_ url: URL) { self.url = url }

    func create() throws(RenderError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .cannotWrite("cannot write \(url.path): it is a file, not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite("cannot create the output folder \(url.path): \(reason(error))")
        }
    }

    func write(_ artifact: Artifact) throws(RenderError) -> URL {
        let target = url.appendingPathComponent(artifact.name)
        do {
            try AtomicFile.write(artifact.bytes, to: target)
        } catch {
            throw .cannotWrite("\(error); the previous report, if any, is unchanged")
        }
        written.append(target)
        return target
    }

    private func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError { return underlying.localizedDescription }
        return ns.localizedDescription
    }
}
