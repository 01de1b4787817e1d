import Foundation
import NeuralNet
import Notebook
import Report

/// Runs a notebook top to bottom and writes the report, metrics.json and every artifact into the
/// output folder, each file atomically so an interrupted render leaves the previous one intact.
///
/// A render is three phases: `plan` validates the notebook and works out every step's cache key and
/// entry; `StepRun` runs each step or takes it from the cache; `assemble` writes the files and the
/// report. A step whose key has an entry is not run: its outputs and files come from the entry. The
/// workspace is restored from such entries lazily, in notebook order, only when a later step has to
/// run, so a render whose steps are all cached reads no dataset and builds no model.
public struct NotebookRunner {
    /// The stages a notebook may use.
    public let stages: StageRegistry

    public init(stages: StageRegistry = .standard) {
        self.stages = stages
    }

    /// Validates everything first (nothing is written when that fails), then runs the steps in order.
    /// A step that fails at run time still yields a report, with its error in place and later steps
    /// skipped; the outcome says so. `outputDirectory` nil means `output/<stem>` in the current directory.
    /// `reuseCache` false runs every step (and still writes fresh cache entries). `cacheDirectory` nil
    /// means `<output>/.cache`; a sweep gives its renders one, so the steps before the swept one are shared.
    public func render(notebookPath: String, outputDirectory: URL? = nil, overrides: [String] = [], reuseCache: Bool = true,
                       cacheDirectory: URL? = nil, report: ReportOptions = ReportOptions(),
                       observer: RunObserver = RunObserver()) throws(RenderError) -> RenderOutcome {
        let started = Date()
        let (notebook, steps) = try plan(notebookPath: notebookPath, overrides: overrides)
        let stem = notebookStem(notebookPath)
        let folder = (outputDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("output").appendingPathComponent(stem)).standardizedFileURL
        let files = OutputFolder(folder)
        try files.create(notebookPath: notebookPath, reportName: report.reportName(stem: stem))

        var context = StageContext(seed: notebook.frontMatter.seed, training: observer.training, message: observer.message,
                                   notebookDirectory: URL(fileURLWithPath: notebookPath).deletingLastPathComponent(),
                                   writeFile: { try files.write($0) })
        context.notebookSteps = steps.map(\.step)
        let cache = StepCache(folder: cacheDirectory ?? StepCache.folder(of: folder), warn: observer.warning)
        var run = StepRun(plan: CachePlan(steps: steps, seed: context.seed, cache: cache, reuse: reuseCache),
                          context: context, files: files, observer: observer)
        for index in steps.indices { run.runOrRestore(index) }
        return try assemble(notebook, run, files: files, cache: cache, stem: stem, started: started, overrides: overrides,
                            report: report, observer: observer)
    }

    /// The validated notebook and its steps with their stages.
    private func plan(notebookPath: String, overrides: [String]) throws(RenderError) -> (Notebook, [PlannedStep]) {
        do {
            let (notebook, steps) = try checkNotebook(path: notebookPath, overrides: overrides, stages: stages)
            return (notebook, steps.compactMap { step in stages.stage(named: step.stage).map { PlannedStep(step, $0) } })
        } catch {
            throw .invalidNotebook(error)
        }
    }

    /// Writes the steps' files, metrics.json and the report (last: if anything before it cannot be
    /// written, the previous report stays), then drops cache entries no longer used.
    private func assemble(_ notebook: Notebook, _ run: StepRun, files: OutputFolder, cache: StepCache, stem: String,
                          started: Date, overrides: [String], report: ReportOptions, observer: RunObserver) throws(RenderError) -> RenderOutcome {
        let failedRecord = run.records.first { $0.status == .failed }
        let page = reportPage(notebook, sections: run.sections, failed: failedRecord, closing: runsSection(run.ledger.runs),
                              options: report, inert: inertChips(run.effectiveSteps))
        let warnings = renderWarnings(notebook, sections: run.sections)
        let metrics = metricsJSON(notebook: notebook, facts: run.facts, records: run.records, steps: run.effectiveSteps,
                                  totalSeconds: Date().timeIntervalSince(started), expectations: run.expectations,
                                  overrides: overrides, ledger: run.ledger, warnings: warnings)
        for artifact in deduplicated(run.artifacts + run.ledger.historyArtifacts) { _ = try files.write(artifact, unlessUnchanged: true) }
        let metricsURL = try files.write(Artifact(name: "metrics.json", text: metrics))
        let reportURL = files.final(try files.write(Artifact(name: report.reportName(stem: stem), text: page.html())))
        // Everything is written: only now does any file of the previous render change.
        try files.commit()
        cache.prune(keeping: run.usedEntries)
        observer.message("wrote \(reportURL.path)")
        var outcome = RenderOutcome(outputDirectory: files.url, reportURL: reportURL, metricsURL: files.final(metricsURL), files: files.written,
                                    steps: run.records, seconds: Date().timeIntervalSince(started))
        outcome.expectations = run.expectations
        outcome.warnings = warnings
        return outcome
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
