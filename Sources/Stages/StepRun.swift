import Foundation
import NeuralNet
import Notebook
import Report

/// The middle of a render: each step in order either comes from the cache or runs, on a workspace
/// that holds exactly what it would hold had every step before it run.
struct StepRun {
    var plan: CachePlan
    let context: StageContext
    let files: OutputFolder
    let observer: RunObserver

    var workspace = Workspace()
    /// Cached steps whose part of the workspace is not restored yet, in order.
    private var unrestored: [(index: Int, state: StepState)] = []
    /// The numbers metrics.json reports, as they stand after the last step.
    private(set) var facts = MetricsFacts()
    private(set) var records: [StepRecord] = []
    /// By block index.
    private(set) var sections: [Int: StepSection] = [:]
    private(set) var artifacts: [Artifact] = []
    /// File names of the cache entries this render used or wrote.
    private(set) var usedEntries: Set<String> = []
    /// Every step's `expect:` conditions checked after it (ran or cached), in notebook order.
    private(set) var expectations: [ExpectationCheck] = []
    private var failure: (stage: String, line: Int)?
    /// The values a tune step chose for the train step after it.
    private var tuned: TunedValues?
    /// Each step as it runs: a train step after a tune has the tuned values put in (metrics.json shows these).
    private(set) var effectiveSteps: [ValidatedStep]
    /// By step index: the typed stage a step runs and restores with (the tuned one for such a train step).
    private var stages: [any Stage]
    /// Each train step is a run: their parameters and results, and which run each later step used.
    private(set) var ledger: RunLedger

    init(plan: CachePlan, context: StageContext, files: OutputFolder, observer: RunObserver) {
        self.plan = plan
        self.context = context
        self.files = files
        self.observer = observer
        effectiveSteps = plan.steps.map(\.step)
        stages = plan.steps.map(\.stage)
        ledger = RunLedger(steps: plan.steps.map(\.step))
    }

    /// Step `index`: skipped after a failure, else from its cache entry, else run.
    mutating func runOrRestore(_ index: Int) {
        let planned = plan.steps[index]
        var step = planned.step
        var tunedNames: [String] = []
        if let tuned, planned.type.name == .train {
            tunedNames = tuned.names(for: step.stage).map { String($0.prefix { $0 != "." }) }
            step = tuned.applied(to: step)
            effectiveSteps[index] = step
            stages[index] = planned.type.init(step)
        }
        var section = StepSection(stage: step.stage, title: planned.type.title + (step.id.map { " · \($0)" } ?? ""), line: step.line,
                                  overridden: overriddenNames(step), params: parameterRows(step, spec: planned.type.schema),
                                  help: parameterHelp(planned.type.schema))
        section.tuned = tunedNames
        if let failure {
            section.status = .skipped
            section.outputs = [.note("Not run: the '\(failure.stage)' step on line \(failure.line) failed.")]
            records.append(StepRecord(stage: step.stage, line: step.line, seconds: nil, status: .skipped))
            sections[step.blockIndex] = section
            return
        }
        observer.stepBegan(step.stage, step.line)
        let begin = Date()
        if let warning = plan.warnings[index] { observer.warning(warning) }
        if let keys = plan.keys[index], let cached = plan.entries[index] {
            section.outputs = cached.outputs
            section.seconds = cached.seconds
            section.status = .cached(at: cached.computedAt)
            sections[step.blockIndex] = section
            artifacts += cached.artifacts
            unrestored.append((index, cached.state))
            if case .tuning(let tune) = cached.state { tuned = tune.applied }
            facts.update(from: cached.facts, parts: planned.type.writes)
            if let note = ledger.whichRun(for: step.stage) { section.outputs.insert(.note(note), at: 0) }
            var trained: TrainingSummary?
            if case .training(let state) = cached.state {
                trained = TrainingSummary(history: state.history, bestEpoch: state.bestEpoch, seconds: state.seconds)
            }
            ledger.finished(step, facts: facts, training: trained, failed: false)
            section.expectations = expectationChecks(step, facts)
            expectations += section.expectations
            sections[step.blockIndex] = section
            usedEntries.insert(plan.cache.url(stage: step.stage, key: keys.key).lastPathComponent)
            records.append(StepRecord(stage: step.stage, line: step.line, seconds: Date().timeIntervalSince(begin),
                                      status: section.status, computedAt: cached.computedAt, cacheKey: keys.key))
            observer.stepCached(step.stage, cached.computedAt)
            return
        }
        section.outputs = run(index, begin: begin)
        if planned.type.name == .tune, records.last?.status == .ran { tuned = workspace.tuned }
        let record = records[records.count - 1]
        if let note = ledger.whichRun(for: step.stage) { section.outputs.insert(.note(note), at: 0) }
        let ran = record.status == .ran
        ledger.finished(step, facts: facts, training: ran && planned.type.name == .train ? workspace.training : nil, failed: !ran)
        section.seconds = record.seconds
        section.status = record.status
        if record.status == .ran {
            section.expectations = expectationChecks(step, facts)
            expectations += section.expectations
        }
        sections[step.blockIndex] = section
        observer.stepEnded(step.stage, record.seconds ?? 0, record.status == .failed)
        if record.status == .failed { failure = (step.stage, step.line) }
    }

    /// Runs step `index` after restoring the cached steps before it, stores its cache entry, records
    /// how it went and returns its outputs (its error in place when it failed).
    private mutating func run(_ index: Int, begin: Date) -> [Output] {
        let planned = plan.steps[index]
        let step = planned.step
        let stage = stages[index]
        var keys = plan.keys[index]
        // Files the step writes itself (save's model files) go into its cache entry too.
        let written = ArtifactLog()
        var stepContext = context
        stepContext.stepIndex = index
        stepContext.scratchFolder = keys.map { plan.cache.folder.appendingPathComponent("\(step.stage)-\($0.key.prefix(16)).partial") }
        stepContext.writeFile = { [files] artifact in
            written.artifacts.append(artifact)
            return try files.write(artifact)
        }
        var outputs: [Output]
        var error: String?
        var seconds: Double
        do {
            try restore(before: index)
            let mark = WorkspaceMark(workspace)
            let result = try stage.run(&workspace, stepContext)
            // The step's time, without storing its cache entry, so a cached report shows the same.
            seconds = Date().timeIntervalSince(begin)
            outputs = result.outputs
            artifacts += result.artifacts
            if plan.keyedByReading(index), let data = workspace.data {
                plan.loaded(at: index, data: data)
                keys = plan.keys[index]
            }
            // A load keyed by reading runs every time, so its entry would never be read.
            if let keys, !plan.keyedByReading(index) {
                plan.cache.write(CacheEntry(format: StepCache.formatVersion, engine: mnistbookVersion, key: keys.key, stage: step.stage,
                                            computedAt: begin, seconds: seconds, outputs: result.outputs,
                                            artifacts: written.artifacts + result.artifacts,
                                            state: stage.capture(before: mark, after: workspace),
                                            facts: MetricsFacts(workspace)),
                                 line: step.line)
                usedEntries.insert(plan.cache.url(stage: step.stage, key: keys.key).lastPathComponent)
            }
        } catch let stageFailure as StageFailure {
            outputs = stageFailure.outputs + [.error(stageFailure.message)]
            error = stageFailure.message
            seconds = Date().timeIntervalSince(begin)
        } catch let other {
            // Errors from the engine and the libraries carry their own wording (file, reason).
            let message = "\(other)"
            outputs = [.error(message)]
            error = message
            seconds = Date().timeIntervalSince(begin)
        }
        facts = MetricsFacts(workspace)
        records.append(StepRecord(stage: step.stage, line: step.line, seconds: seconds, status: error == nil ? .ran : .failed,
                                  error: error, computedAt: error == nil ? begin : nil, cacheKey: error == nil ? keys?.key : nil))
        return outputs
    }

    /// Restores the cached steps before step `next`, so it runs on exactly what it would have had if
    /// they had run. A cached train step runs again instead when a later training of the same model
    /// will run (`CachePlan.mustRunAgain`).
    private mutating func restore(before next: Int) throws {
        for (index, state) in unrestored {
            let cached = plan.steps[index]
            var stageContext = context
            stageContext.stepIndex = index
            let restoring = RestoreContext(stage: stageContext, line: cached.step.line, outputFolder: files.url, runAgain: plan.mustRunAgain(index, before: next))
            do {
                try stages[index].restore(state, into: &workspace, restoring)
            } catch {
                throw StageFailure("cannot restore the cached '\(cached.step.stage)' step on line \(cached.step.line) "
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
