import Foundation
import NeuralNet
import Notebook
import Report

/// Runs a notebook top to bottom and writes the report, metrics.json and every artifact into the
/// output folder, each file atomically so an interrupted render leaves the previous one intact.
///
/// Each finished step is cached under the output folder (`StepCache`), keyed by everything its
/// result depends on (`CacheKeyChain`). A step whose key has an entry is not run: its outputs and
/// files come from the entry. The workspace is restored from such entries lazily, in notebook order,
/// only when a later step has to run, so a render whose steps are all cached reads no dataset and
/// builds no model.
public struct NotebookRunner {
    public init() {}

    /// Validates everything first (nothing is written when that fails), then runs the steps in order.
    /// A step that fails at run time still yields a report, with its error in place and later steps
    /// skipped; the outcome says so. `outputDirectory` nil means `output/<stem>` in the current directory.
    /// `reuseCache` false runs every step (and still writes fresh cache entries). `cacheDirectory` nil
    /// means `<output>/.cache`; a sweep gives its renders one, so the steps before the swept one are shared.
    public func render(notebookPath: String, outputDirectory: URL? = nil, overrides: [String] = [], reuseCache: Bool = true,
                       cacheDirectory: URL? = nil,
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
        try files.create(notebookPath: notebookPath, reportName: stem + ".html")

        let notebookDirectory = URL(fileURLWithPath: notebookPath).deletingLastPathComponent()
        let seed = notebook.frontMatter.seed
        var context = StageContext(seed: seed, training: observer.training, message: observer.message,
                                   notebookDirectory: notebookDirectory, writeFile: { try files.write($0) })
        context.notebookSteps = steps
        let cache = StepCache(folder: cacheDirectory ?? StepCache.folder(of: folder), warn: observer.warning)
        var plan = CachePlan(steps: steps, seed: seed, cache: cache, reuse: reuseCache)
        var workspace = Workspace()
        // Cached steps whose part of the workspace is not restored yet, in order.
        var unrestored: [(index: Int, step: ValidatedStep, state: StepState)] = []
        var facts = MetricsFacts()
        var records: [StepRecord] = []
        var sections: [Int: StepSection] = [:]     // by block index
        var artifacts: [Artifact] = []
        var usedEntries: Set<String> = []
        var failure: (stage: String, line: Int)?

        // Values a tune step chose for the steps after it (applied to their parameters before they run).
        var tuned: TunedValues?
        var effectiveSteps = steps
        for (index, original) in steps.enumerated() {
            guard let entry = StageRegistry.entry(named: original.stage) else { continue }
            var step = original
            var tunedNames: [String] = []
            if let tuned, step.stage == "train" {
                tunedNames = tuned.names(for: "train").map { String($0.prefix { $0 != "." }) }
                step = tuned.applied(to: step)
                effectiveSteps[index] = step
            }
            var section = StepSection(stage: step.stage, title: entry.title, line: step.line,
                                      overridden: overriddenNames(step), params: parameterRows(step, spec: entry.spec))
            section.tuned = tunedNames
            if let failure {
                section.status = .skipped
                section.outputs = [.note("Not run: the '\(failure.stage)' step on line \(failure.line) failed.")]
                records.append(StepRecord(stage: step.stage, line: step.line, seconds: nil, status: .skipped))
                sections[step.blockIndex] = section
                continue
            }
            observer.stepBegan(step.stage, step.line)
            let begin = Date()
            if let warning = plan.warnings[index] { observer.warning(warning) }

            // Nil for a load step of a dataset whose content is only known once it has read it.
            let plannedKey = plan.keys[index]
            if let key = plannedKey, let cached = plan.entries[index] {
                section.outputs = cached.outputs
                section.seconds = cached.seconds
                section.status = .cached(at: cached.computedAt)
                sections[step.blockIndex] = section
                artifacts += cached.artifacts
                unrestored.append((index, step, cached.state))
                facts = cached.facts
                if case .tuning(let tune) = cached.state { tuned = tune.applied }
                usedEntries.insert(cache.url(stage: step.stage, key: key).lastPathComponent)
                records.append(StepRecord(stage: step.stage, line: step.line, seconds: Date().timeIntervalSince(begin), status: .ran,
                                          cached: true, computedAt: cached.computedAt, cacheKey: key))
                observer.stepCached(step.stage, cached.computedAt)
                continue
            }

            var error: String?
            var stepKey: String?
            var seconds = 0.0
            // Files the step writes itself (save's model files) go into its cache entry too.
            let written = ArtifactLog()
            var stepContext = context
            stepContext.stepIndex = index
            stepContext.scratchFolder = plannedKey.map { cache.folder.appendingPathComponent("\(step.stage)-\($0.prefix(16)).partial") }
            stepContext.writeFile = { artifact in
                written.artifacts.append(artifact)
                return try files.write(artifact)
            }
            do {
                try restore(&unrestored, before: index, plan: plan, into: &workspace, context: context, outputFolder: folder)
                let mark = WorkspaceMark(workspace)
                let result = try entry.run(step, &workspace, stepContext)
                // The step's time, without storing its cache entry, so a cached report shows the same.
                seconds = Date().timeIntervalSince(begin)
                section.outputs = result.outputs
                artifacts += result.artifacts
                stepKey = plannedKey
                if plannedKey == nil, let data = workspace.data {
                    let key = plan.key(ofLoadAt: index, data: data)
                    plan.loaded(at: index, key: key)
                    stepKey = key
                }
                // An unpinned load runs every time (its key needs the data), so its entry would never be read.
                if let key = stepKey, plannedKey != nil {
                    cache.write(CacheEntry(format: StepCache.formatVersion, engine: mnistbookVersion, key: key, stage: step.stage,
                                           computedAt: begin, seconds: seconds, outputs: result.outputs,
                                           artifacts: written.artifacts + result.artifacts,
                                           state: captureState(step, before: mark, after: workspace), facts: MetricsFacts(workspace)),
                                line: step.line)
                    usedEntries.insert(cache.url(stage: step.stage, key: key).lastPathComponent)
                }
            } catch let stageFailure as StageFailure {
                section.outputs = stageFailure.outputs + [.error(stageFailure.message)]
                error = stageFailure.message
            } catch let other {
                // Errors from the engine and the libraries carry their own wording (file, reason).
                let message = "\(other)"
                section.outputs = [.error(message)]
                error = message
            }
            facts = MetricsFacts(workspace)
            if step.stage == "tune", error == nil { tuned = workspace.tuned }
            if error != nil { seconds = Date().timeIntervalSince(begin) }
            section.seconds = seconds
            section.status = error == nil ? .ran : .failed
            sections[step.blockIndex] = section
            records.append(StepRecord(stage: step.stage, line: step.line, seconds: seconds, status: error == nil ? .ran : .failed,
                                      error: error, computedAt: error == nil ? begin : nil,
                                      cacheKey: stepKey))
            observer.stepEnded(step.stage, seconds, error != nil)
            if error != nil { failure = (step.stage, step.line) }
        }

        let failedRecord = records.first { $0.status == .failed }
        let page = reportPage(notebook, sections: sections, failed: failedRecord)
        let metrics = metricsJSON(notebook: notebook, facts: facts, records: records, steps: effectiveSteps, totalSeconds: Date().timeIntervalSince(started))

        // The report goes last: if anything before it cannot be written, the previous report stays.
        for artifact in deduplicated(artifacts) { _ = try files.write(artifact, unlessUnchanged: true) }
        let metricsURL = try files.write(Artifact(name: "metrics.json", text: metrics))
        let reportURL = files.final(try files.write(Artifact(name: stem + ".html", text: page.html())))
        // Everything is written: only now does any file of the previous render change.
        try files.commit()
        cache.prune(keeping: usedEntries)
        observer.message("wrote \(reportURL.path)")
        return RenderOutcome(outputDirectory: folder, reportURL: reportURL, metricsURL: files.final(metricsURL), files: files.written,
                             steps: records, seconds: Date().timeIntervalSince(started))
    }

    /// Restores the cached steps before step `next` into the workspace, so it runs on exactly what it
    /// would have had if they had run. A cached train step is run again instead when a later training
    /// of the same model will run (`CachePlan.mustRerunTraining`).
    private func restore(_ unrestored: inout [(index: Int, step: ValidatedStep, state: StepState)], before next: Int,
                         plan: CachePlan, into workspace: inout Workspace, context: StageContext, outputFolder: URL) throws {
        guard !unrestored.isEmpty else { return }
        for (index, cachedStep, state) in unrestored {
            var stepContext = context
            stepContext.stepIndex = index
            do {
                try restoreState(cachedStep, state, into: &workspace, context: stepContext, outputFolder: outputFolder,
                                 rerunTraining: cachedStep.stage == "train" && plan.mustRerunTraining(index, before: next))
            } catch {
                throw StageFailure("cannot restore the cached '\(cachedStep.stage)' step on line \(cachedStep.line) "
                    + "that this step needs: \(error) (render with --no-cache to run every step)")
            }
        }
        unrestored = []
    }
}

/// The files a step wrote while running, in order.
private final class ArtifactLog {
    var artifacts: [Artifact] = []
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
