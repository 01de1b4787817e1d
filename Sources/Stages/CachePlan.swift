import Notebook

/// A step of the notebook with its stage: the validated block, and its typed parameters.
struct PlannedStep {
    let step: ValidatedStep
    let type: any Stage.Type
    let stage: any Stage

    init(_ step: ValidatedStep, _ type: any Stage.Type) {
        self.step = step
        self.type = type
        stage = type.init(step)
    }
}

/// Each step's cache keys and cached entry, worked out before the steps run, so that restoring a
/// cached step can take into account which later steps will run.
///
/// A step's key covers the products of the steps that last wrote each workspace part it reads
/// (`Stage.reads`, `StepKeys`), not the step before it. Keys do not depend on whether earlier steps ran
/// or came from the cache, so all of them are known up front, except those that read, directly or
/// not, a load whose dataset is only known by reading it (`pinnedDatasetFingerprint`): those follow
/// once that load has run (`loaded(at:data:)`).
struct CachePlan {
    let steps: [PlannedStep]
    let seed: Int
    let cache: StepCache
    /// False for --no-cache: keys are worked out (fresh entries are stored under them), entries not read.
    let reuse: Bool
    /// By step index; nil while unknown.
    private(set) var keys: [StepKeys?]
    private(set) var entries: [CacheEntry?]
    /// Why a step's entry was ignored; said when the step comes up.
    private(set) var warnings: [String?]
    /// The content of the datasets unpinned loads have read, by step index.
    private var datasets: [Int: String] = [:]

    init(steps: [PlannedStep], seed: Int, cache: StepCache, reuse: Bool) {
        self.steps = steps
        self.seed = seed
        self.cache = cache
        self.reuse = reuse
        keys = Array(repeating: nil, count: steps.count)
        entries = Array(repeating: nil, count: steps.count)
        warnings = Array(repeating: nil, count: steps.count)
        plan(readingEntriesFrom: 0)
    }

    /// The load step at `index` has read `data`: its key, and the keys of the steps that read it, follow.
    /// Its own entry is not read: it has run.
    mutating func loaded(at index: Int, data: LoadedData) {
        datasets[index] = datasetFingerprint(data)
        plan(readingEntriesFrom: index + 1)
    }

    /// Whether the load at `index` can only be keyed once it has read its data (so it always runs).
    func keyedByReading(_ index: Int) -> Bool {
        (steps[index].stage as? LoadStage).map { $0.pinnedDatasetFingerprint == nil } ?? false
    }

    /// Every key that can be known, in notebook order, following which step last wrote each part.
    private mutating func plan(readingEntriesFrom first: Int) {
        // Part → product of its last writer; nil inside: written by a step whose key is not known yet.
        var products: [WorkspacePart: String?] = [:]
        for (i, planned) in steps.enumerated() {
            var known = true
            var reads: [(WorkspacePart, String?)] = []
            for part in planned.type.reads.sorted() {
                switch products[part] {
                case .none: reads.append((part, nil))
                case .some(let product?): reads.append((part, product))
                case .some(nil): known = false
                }
            }
            var dataset: String?
            if let load = planned.stage as? LoadStage {
                dataset = load.pinnedDatasetFingerprint ?? datasets[i]
                if dataset == nil { known = false }
            }
            let stepKeys = known ? StepKeys(step: keyed(i), spec: planned.type.schema, seed: seed, reads: reads, dataset: dataset) : nil
            for part in planned.type.writes { products[part] = .some(stepKeys?.product) }
            if keys[i] == nil, let stepKeys {
                keys[i] = stepKeys
                if reuse && i >= first {
                    (entries[i], warnings[i]) = cache.read(stage: planned.step.stage, key: stepKeys.key, line: planned.step.line)
                }
            }
        }
    }

    /// Step `index` as its key sees it: a tune's trials train as the next train step does, so that
    /// step's settings (but those trials do not use) are part of the tune's key.
    private func keyed(_ index: Int) -> ValidatedStep {
        var step = steps[index].step
        // With several build steps each diagram file is named for its model: the name is in the build's key
        // (a cached entry's caption names its file), inside the display-only `diagram` so no training depends on it.
        if steps[index].type.name == .build, case let file = architectureFileStem(index, in: steps.map(\.step)),
           file != "model_architecture", var diagram = step.params["diagram"]?.mapValue {
            diagram["file"] = .string(file)
            step.params["diagram"] = .map(diagram)
        }
        guard steps[index].type.name == .tune,
              let train = steps[(index + 1)...].first(where: { $0.type.name == .train }) else { return step }
        step.params["following_train"] = .map(train.step.params.filter { !TuneStage.unusedTrainParameters.contains($0.key) })
        return step
    }

    /// Whether the cached train step at `index` must run again, rather than be restored from its
    /// weights, when the workspace is restored for step `next` to run.
    ///
    /// Yes when a later train step on the same model (no build in between) will run: training goes
    /// on drawing from the dropout layers' random streams where the earlier training left them, and
    /// those are not in the weights. A later train step that will come from the cache does not count;
    /// one whose key is not known yet (after a load that must read its data) may run, so it does.
    func mustRunAgain(_ index: Int, before next: Int) -> Bool {
        guard steps[index].type.name == .train else { return false }
        for j in (index + 1)..<steps.count {
            switch steps[j].type.name {
            case .build:
                return false
            case .train:
                if j == next { return true }
                if j > next && (keys[j] == nil || entries[j] == nil) { return true }
            default:
                continue
            }
        }
        return false
    }
}
