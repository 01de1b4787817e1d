import Datasets
import NeuralNet
import Notebook

/// The cache keys of one step.
///
///     key = SHA-256 of the lines
///         mnistbook step cache
///         format: <StepCache.formatVersion>
///         engine: mnistbook <mnistbookVersion>, numerics <numericsRevision>
///         seed: <front matter seed>
///         stage: <stage>
///         parameters: <the parameters as canonical JSON>      (defaults and --set overrides applied)
///         reads <part>: <product of the step that last wrote the part, or "none">   (one line per part it reads)
///         dataset: <datasetFingerprint>                          (load steps only)
///
/// `product` is the same text without the step's display parameters (`ParameterSpec.display`): it
/// names what the step leaves in the workspace, and it is what later steps' keys read. So a step's key
/// covers exactly what its result depends on: an `eda` edit or a diagram direction changes no other
/// step's key, an `evaluate` edit never reaches `train`'s, and a dataset's content reaches every step
/// that reads the data. Prose, code blocks, titles and a step's line are in no key. Each field is one
/// line and none can contain a newline (the parameters are JSON), so two different inputs never hash
/// the same text.
struct StepKeys: Equatable {
    var key: String
    var product: String

    /// What the key names as the engine: its version and which bits its kernels give (`numericsRevision`).
    static let engine = "mnistbook \(mnistbookVersion), numerics \(numericsRevision)"

    init(step: ValidatedStep, spec: StageSpec, seed: Int, reads: [(WorkspacePart, String?)], dataset: String?,
         engine: String = StepKeys.engine) {
        func hash(_ parameters: [String: ParamValue]) -> String {
            var text = "mnistbook step cache\n"
            text += "format: \(StepCache.formatVersion)\n"
            text += "engine: \(engine)\n"
            text += "seed: \(seed)\n"
            text += "stage: \(step.stage)\n"
            text += "parameters: \(ParamValue.map(parameters).canonical)\n"
            for (part, product) in reads { text += "reads \(part.rawValue): \(product ?? "none")\n" }
            if let dataset { text += "dataset: \(dataset)\n" }
            return Checksum.sha256Hex(Array(text.utf8))
        }
        let display = Set(spec.parameters.filter(\.display).map(\.name))
        key = hash(step.params)
        product = display.isEmpty ? key : hash(step.params.filter { !display.contains($0.key) })
    }
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

extension LoadStage {
    /// The fingerprint of this step's dataset known without reading it, or nil when only reading tells.
    ///
    /// A catalog dataset whose four decompressed files all have a pinned SHA-256 (MNIST) can only ever
    /// load with exactly that content: Datasets checks it on every load, wherever the files are found
    /// (bundled copy, system folder, download cache), and fails otherwise. So its fingerprint is known
    /// up front and a cached load need not read 50 MB. For every other dataset (a folder of IDX files,
    /// or a catalog entry pinned only by its download checksums) the load step reads the files and the
    /// key uses the checksums it computed: exact, at the cost of always running that step. The loaded
    /// MNIST gives the same fingerprint as the pinned one, so either way the keys agree.
    var pinnedDatasetFingerprint: String? {
        guard let entry = DatasetCatalog.entry(named: datasetName),
              IDXFileNames.all.allSatisfy({ entry.contentSHA256[$0] != nil }) else { return nil }
        let pinned = Dictionary(uniqueKeysWithValues: IDXFileNames.all.map { ($0, entry.contentSHA256[$0]!) })
        return datasetFingerprint(name: entry.name, classNames: entry.classNames, sha256: pinned)
    }
}
