import Datasets
import NeuralNet
import Notebook

/// The cache key of each step, in notebook order.
///
///     key(i) = SHA-256 of the lines
///         mnistbook step cache
///         format: <StepCache.formatVersion>
///         engine: mnistbook <mnistbookVersion>
///         seed: <front matter seed>
///         stage: <stage>
///         parameters: <ValidatedStep.canonicalParameters>    (defaults and --set overrides applied)
///         previous: <key(i-1), or "none" for the first step>
///         dataset: <datasetFingerprint>                        (load steps only)
///
/// Every input a step's result depends on is in its key or, through `previous`, in the key of a
/// step before it: the dataset's content reaches every step after a load that way. Prose, code
/// blocks, titles and a step's line are not, so editing them never invalidates anything; changing
/// an evaluate parameter changes the keys from evaluate on but not train's. Each field is one line
/// and none can contain a newline (the parameters are JSON), so two different inputs never hash
/// the same text.
struct CacheKeyChain {
    let seed: Int
    /// The key of the last step that finished.
    private(set) var previous: String?

    init(seed: Int, previous: String? = nil) {
        self.seed = seed
        self.previous = previous
    }

    func key(for step: ValidatedStep, dataset: String? = nil) -> String {
        var text = "mnistbook step cache\n"
        text += "format: \(StepCache.formatVersion)\n"
        text += "engine: mnistbook \(mnistbookVersion)\n"
        text += "seed: \(seed)\n"
        text += "stage: \(step.stage)\n"
        text += "parameters: \(step.canonicalParameters)\n"
        text += "previous: \(previous ?? "none")\n"
        if let dataset { text += "dataset: \(dataset)\n" }
        return SHA256.hex(Array(text.utf8))
    }

    /// The next step chains from `key`.
    mutating func advance(to key: String) { previous = key }
}

/// What identifies a dataset's content: its name, class names and the SHA-256 of each decompressed
/// IDX file (Dataset.sha256), as canonical JSON.
func datasetFingerprint(name: String, classNames: [String], sha256: [String: String]) -> String {
    ParamValue.map([
        "name": .string(name),
        "classes": .list(classNames.map { .string($0) }),
        "sha256": .map(sha256.mapValues { .string($0) }),
    ]).canonical
}

func datasetFingerprint(_ data: LoadedData) -> String {
    datasetFingerprint(name: data.name, classNames: data.classNames, sha256: data.sha256)
}

/// The fingerprint of a load step's dataset known without reading it, or nil when only reading tells.
///
/// A catalog dataset whose four decompressed files all have a pinned SHA-256 (MNIST) can only ever
/// load with exactly that content: Datasets checks it on every load, wherever the files are found
/// (bundled copy, system folder, download cache), and fails otherwise. So its fingerprint is known
/// up front and a cached load need not read 50 MB. For every other dataset (a folder of IDX files,
/// or a catalog entry pinned only by its download checksums) the load step reads the files and the
/// key uses the checksums it computed: exact, at the cost of always running that step. The loaded
/// MNIST gives the same fingerprint as the pinned one, so either way the keys agree.
func pinnedDatasetFingerprint(_ step: ValidatedStep) -> String? {
    guard let entry = DatasetCatalog.entry(named: step.string("dataset")),
          IDXFileNames.all.allSatisfy({ entry.contentSHA256[$0] != nil }) else { return nil }
    let pinned = Dictionary(uniqueKeysWithValues: IDXFileNames.all.map { ($0, entry.contentSHA256[$0]!) })
    return datasetFingerprint(name: entry.name, classNames: entry.classNames, sha256: pinned)
}
