import Notebook

/// Each step's cache key and cached entry, worked out before the steps run, so that restoring a
/// cached step can take into account which later steps will run.
///
/// Keys do not depend on whether the steps before ran or came from the cache, so all of them are
/// known up front, except after a load whose dataset is only known by reading it
/// (`pinnedDatasetFingerprint`): those follow once that load has run (`loaded(at:key:)`).
struct CachePlan {
    let steps: [ValidatedStep]
    let seed: Int
    let cache: StepCache
    /// False for --no-cache: keys are worked out (fresh entries are stored under them), entries not read.
    let reuse: Bool
    /// By step index; nil while unknown.
    private(set) var keys: [String?]
    private(set) var entries: [CacheEntry?]
    /// Why a step's entry was ignored; said when the step comes up.
    private(set) var warnings: [String?]

    init(steps: [ValidatedStep], seed: Int, cache: StepCache, reuse: Bool) {
        self.steps = steps
        self.seed = seed
        self.cache = cache
        self.reuse = reuse
        keys = Array(repeating: nil, count: steps.count)
        entries = Array(repeating: nil, count: steps.count)
        warnings = Array(repeating: nil, count: steps.count)
        extend(from: 0, after: nil)
    }

    /// The key of the load step at `index`, from the data it read.
    func key(ofLoadAt index: Int, data: LoadedData) -> String {
        CacheKeyChain(seed: seed, previous: index > 0 ? keys[index - 1] : nil)
            .key(for: steps[index], dataset: datasetFingerprint(data))
    }

    /// The load step at `index` has read its data and has `key`: the keys after it follow.
    mutating func loaded(at index: Int, key: String) {
        keys[index] = key
        extend(from: index + 1, after: key)
    }

    /// Keys (and entries) from `index` on, up to the next load whose key needs its data.
    private mutating func extend(from index: Int, after previous: String?) {
        var chain = CacheKeyChain(seed: seed, previous: previous)
        for i in index..<steps.count {
            let step = steps[i]
            let key: String
            if step.stage == "load" {
                guard let dataset = pinnedDatasetFingerprint(step) else { return }
                key = chain.key(for: step, dataset: dataset)
            } else if step.stage == "tune", let train = steps[(i + 1)...].first(where: { $0.stage == "train" }) {
                // The trials train as the next train step does: its settings (not its epochs or callbacks,
                // which trials do not use) are part of what the tune's result depends on.
                var keyed = step
                keyed.params["following_train"] = .map(train.params.filter {
                    !["epochs", "early_stopping", "reduce_lr_on_plateau", "model_checkpoint"].contains($0.key)
                })
                key = chain.key(for: keyed)
            } else {
                key = chain.key(for: step)
            }
            keys[i] = key
            chain.advance(to: key)
            if reuse { (entries[i], warnings[i]) = cache.read(stage: step.stage, key: key, line: step.line) }
        }
    }

    /// Whether the cached train step at `index` must run again, rather than be restored from its
    /// weights, when the workspace is restored for step `next` to run.
    ///
    /// Yes when a later train step on the same model (no build in between) will run: training goes
    /// on drawing from the dropout layers' random streams where the earlier training left them, and
    /// those are not in the weights. A later train step that will come from the cache does not count;
    /// one whose key is not known yet (after a load that must read its data) may run, so it does.
    func mustRerunTraining(_ index: Int, before next: Int) -> Bool {
        for j in (index + 1)..<steps.count {
            switch steps[j].stage {
            case "build":
                return false
            case "train":
                if j == next { return true }
                if j > next && (keys[j] == nil || entries[j] == nil) { return true }
            default:
                continue
            }
        }
        return false
    }
}
