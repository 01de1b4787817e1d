import Datasets
import Foundation
import NeuralNet
import Notebook
import Report

extension StageName {
    public static let load = StageName(rawValue: "load")
}

/// `load`: reads the dataset, takes the `limit_*` subsets, then splits validation off the end of the
/// training set as Keras' `validation_split` does.
public struct LoadStage: Stage {
    public static let name = StageName.load
    public static let title = "Load the data"
    public static let schema = spec("Read the dataset and split off the validation set.", [
        ParameterSpec("dataset", .string, default: "mnist",
                      knownNames: KnownNames(DatasetCatalog.names, otherwise: "a directory of IDX files is also accepted"),
                      doc: DatasetCatalog.names.joined(separator: ", ") + ", or a directory of IDX files"),
        ParameterSpec("validation_split", .double(.halfOpenUnit), default: 0.2,
                      doc: "fraction of the training set held out for validation, taken from its end as Keras does"),
        ParameterSpec("limit_train", .int(.size(upTo: 100_000_000)), defaultText: "all",
                      doc: "use a random N of the training images, every class in proportion (seeded), before the validation split"),
        ParameterSpec("limit_test", .int(.size(upTo: 100_000_000)), defaultText: "all",
                      doc: "use a random N of the test images, every class in proportion (seeded)"),
    ])
    public static let reads: Set<WorkspacePart> = []
    public static let writes: Set<WorkspacePart> = [.data, .preprocessing]

    var datasetName: String
    var validationSplit: Double
    var limitTrain: Int?
    var limitTest: Int?

    public init(_ step: ValidatedStep) {
        datasetName = step.string("dataset")
        validationSplit = step.double("validation_split")
        limitTrain = step.optionalInt("limit_train")
        limitTest = step.optionalInt("limit_test")
    }

    /// Restoring reads the dataset again: ~0.2 s, cheaper than keeping 50 MB in the cache.
    /// Said as what it is: under a later step's heading, a bare "loading mnist" read as that step loading data.
    public func restore(_ state: StepState, into workspace: inout Workspace, _ context: RestoreContext) throws {
        var quiet = context.stage
        let say = quiet.message
        quiet.message = { _ in }
        say("reading \(datasetName) again for the cached load step on line \(context.line)")
        _ = try run(&workspace, quiet)
    }

    /// The load step's error: the catalog's own message when it already names the dataset (the
    /// download and offline errors do), otherwise that message after the dataset's name.
    static func failureMessage(_ requested: String, _ error: Error) -> String {
        if let error = error as? DatasetError, error.message.hasPrefix("cannot load dataset '") {
            return error.message
        }
        return "cannot load dataset '\(requested)': \(error)"
    }

    public func run(_ workspace: inout Workspace, _ context: StageContext) throws -> StageResult {
        let requested = datasetName
        let location = datasetLocation(requested, notebookDirectory: context.notebookDirectory)
        context.message("loading \(requested)")
        let dataset: Dataset
        do {
            dataset = try DatasetCatalog.load(location)
        } catch {
            throw StageFailure(Self.failureMessage(requested, error))
        }

        // Limits apply before the split, so validation stays the last fraction of what is used.
        let seed = UInt64(context.seed)
        var train = dataset.train, test = dataset.test
        if let n = limitTrain { train = train.limited(to: n, seed: seed) }
        if let n = limitTest { test = test.limited(to: n, seed: seed) }
        let fraction = validationSplit
        let (kept, held) = train.split(validationFraction: fraction)
        guard kept.count > 0 else {
            throw StageFailure("validation_split \(fraction) leaves no training images out of \(train.count)")
        }

        let shape = [dataset.train.rows, dataset.train.cols, 1]
        // Raw pixel values until a preprocess step chooses a normalisation.
        let data = LoadedData(name: dataset.name, source: dataset.source, classNames: dataset.classNames,
                              sha256: dataset.sha256, imageShape: shape,
                              train: kept.imageSet(scale: 1, shift: 0), validation: held.imageSet(scale: 1, shift: 0),
                              test: test.imageSet(scale: 1, shift: 0))
        workspace.data = data
        workspace.preprocessing = nil

        var about: [(String, String)] = [
            ("dataset", dataset.name),
            ("source", shownSource(dataset.source, requested: requested, notebookDirectory: context.notebookDirectory)),
            ("image shape", "\(tupleShape(shape)): \(shape[0])×\(shape[1]) pixels, 1 channel, uint8"),
            ("classes", "\(dataset.classNames.count): " + dataset.classNames.joined(separator: ", ")),
        ]
        if let attribution = DatasetCatalog.entry(named: dataset.name)?.attribution, !attribution.isEmpty {
            about.append(("credit", attribution))
        }
        var outputs: [Output] = [.keyValues(title: "Dataset", about)]

        let total = data.train.count + data.validation.count + data.test.count
        let rows = Split.allCases.map { split -> [String] in
            let n = data.images(split).count
            return [split.title, groupThousands(n), percent(Double(n) / Double(max(total, 1)), digits: 1)]
        }
        outputs.append(.table(Table(caption: "Split sizes", header: ["split", "images", "share"], rows: rows,
                                    footer: [["Total", groupThousands(total), percent(total > 0 ? 1 : 0, digits: 1)]])))
        outputs.append(.note("Validation is the last \(percent(fraction, digits: 0)) of the training images "
            + "(\(groupThousands(held.count)) of \(groupThousands(train.count))), taken before any shuffling, as Keras' validation_split does."))
        if let n = limitTrain, n < dataset.train.count {
            outputs.append(.note("limit_train \(groupThousands(n)): a random subset of the \(groupThousands(dataset.train.count)) training images "
                + "that keeps every class in proportion (seed \(context.seed)), taken before the validation split."))
        }
        if let n = limitTest, n < dataset.test.count {
            outputs.append(.note("limit_test \(groupThousands(n)): a random subset of the \(groupThousands(dataset.test.count)) test images "
                + "that keeps every class in proportion (seed \(context.seed))."))
        }
        let checksums = IDXFileNames.all.compactMap { file in dataset.sha256[file].map { [file, $0] } }
        outputs.append(.reference(.table(Table(caption: "SHA-256 of the decompressed files", header: ["file", "sha256"],
                                               rows: checksums, alignRight: []))))
        return StageResult(outputs: outputs)
    }
}

/// A catalog name as given; a relative folder is looked up next to the notebook first, then in
/// the current directory (where `DatasetCatalog` looks).
func datasetLocation(_ name: String, notebookDirectory: URL) -> String {
    if DatasetCatalog.entry(named: name) != nil || name.hasPrefix("/") { return name }
    let expanded = (name as NSString).expandingTildeInPath
    if expanded != name { return expanded }
    let beside = notebookDirectory.appendingPathComponent(name).path
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: beside, isDirectory: &isDirectory), isDirectory.boolValue { return beside }
    return name
}

/// Where the data came from, as a reader of the report may see it: a path relative to the notebook
/// (up to three folders up), else the catalog's name or the folder as the notebook wrote it; never
/// the absolute path (and user name) of the machine that rendered it. URLs are shown as they are.
func shownSource(_ source: String, requested: String, notebookDirectory: URL) -> String {
    guard source.hasPrefix("/") else { return source }
    let from = notebookDirectory.standardizedFileURL.pathComponents
    let to = URL(fileURLWithPath: source).standardizedFileURL.pathComponents
    let common = zip(from, to).prefix { $0 == $1 }.count
    let up = from.count - common
    let catalog = DatasetCatalog.entry(named: requested) != nil
    guard common > 1, up <= 3 else { return catalog ? "\(requested) (from the catalog)" : requested }
    let relative = (Array(repeating: "..", count: up) + to[common...]).joined(separator: "/")
    return catalog ? "\(requested) (from the catalog, in \(relative.isEmpty ? "." : relative))" : (relative.isEmpty ? "." : relative)
}
