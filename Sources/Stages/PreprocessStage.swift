import Foundation
import NeuralNet
import Notebook
import Report

extension StageName {
    public static let preprocess = StageName(rawValue: "preprocess")
}

/// `preprocess`: chooses the normalisation x · scale + shift and the label encoding, and shows the
/// arrays before and after as a Keras notebook would print their shapes, dtypes and ranges.
///
/// Images stay uint8 in memory; `ImageSet` turns each batch into float32 when it is used.
public struct PreprocessStage: Stage {
    public static let name = StageName.preprocess
    public static let title = "Preprocess"
    public static let schema = spec("Scale the pixels and encode the labels.", needs: [.load], [
        ParameterSpec("normalize", .choice(Normalization.allCases.map(\.rawValue)), default: .string(Normalization.scale.rawValue),
                      doc: "scale: x/255; standardize: zero mean, unit variance; none: raw 0-255"),
        ParameterSpec("one_hot", .bool, default: true, doc: "one-hot encode the labels"),
        ParameterSpec("augment", .map(augment, canDisable: true), default: false,
                      doc: "random warps of the training images, fresh each epoch (Keras ImageDataGenerator); false: none"),
    ])

    /// ImageDataGenerator's ranges; the bounds keep every warp an image (no flips, no collapse to a line).
    static let augment: [ParameterSpec] = [
        ParameterSpec("rotation", .double(NumberRange(lower: 0, upper: 180)), default: 0.0,
                      doc: "rotate by up to ± this many degrees"),
        ParameterSpec("zoom", .double(.halfOpenUnit), default: 0.0, doc: "scale each axis by a factor in [1 - zoom, 1 + zoom]"),
        ParameterSpec("shift", .axes(.halfOpenUnit), default: .map(["x": 0.0, "y": 0.0]),
                      doc: "shift by up to ± this fraction of the side; or {x, y} per axis"),
        ParameterSpec("shear", .double(NumberRange(lower: 0, upper: 90, upperInclusive: false)), default: 0.0,
                      doc: "shear by up to ± this many degrees"),
        ParameterSpec("elastic", .map(elastic, canDisable: true), default: false,
                      doc: "elastic distortion (Simard et al. 2003); false: none"),
    ]

    static let elastic: [ParameterSpec] = [
        ParameterSpec("alpha", .double(NumberRange(lower: 0, upper: 100)), default: 34.0, doc: "displacement scale in pixels"),
        ParameterSpec("sigma", .double(NumberRange(lower: 0, lowerInclusive: false, upper: 20)), default: 4.0,
                      doc: "smoothness of the displacement field in pixels"),
    ]
    public static let reads: Set<WorkspacePart> = [.data]
    public static let writes: Set<WorkspacePart> = [.data, .preprocessing]

    enum Normalization: String, CaseIterable {
        case scale, standardize, none
    }

    var normalize: Normalization
    var oneHot: Bool
    var augmentation: Augmentation?

    public init(_ step: ValidatedStep) {
        normalize = Normalization(rawValue: step.string("normalize")) ?? .scale
        oneHot = step.bool("one_hot")
        augmentation = step.mapOrOff("augment").map { m in
            let shift = m.values["shift"]?.mapValue
            return Augmentation(rotation: m.double("rotation"), zoom: m.double("zoom"),
                                shiftX: shift?["x"]?.doubleValue ?? 0, shiftY: shift?["y"]?.doubleValue ?? 0,
                                shear: m.double("shear"),
                                elastic: m.values["elastic"]?.mapValue.map {
                                    Augmentation.Elastic(alpha: $0["alpha"]?.doubleValue ?? 34, sigma: $0["sigma"]?.doubleValue ?? 4)
                                })
        }
    }

    public func capture(before: WorkspaceMark, after workspace: Workspace) -> StepState {
        workspace.preprocessing.map { .preprocessing($0) } ?? .none
    }

    public func restore(_ state: StepState, into workspace: inout Workspace, _ context: RestoreContext) throws {
        guard case .preprocessing(let preprocessing) = state else { return }
        workspace.preprocessing = preprocessing
        workspace.data?.setNormalisation(scale: preprocessing.scale, shift: preprocessing.shift)
    }

    public func run(_ workspace: inout Workspace, _ context: StageContext) throws -> StageResult {
        var data = try workspace.requireData(for: Self.name)
        let classes = data.classNames.count
        let splits = Split.allCases.filter { data.images($0).count > 0 }
        let stats = Dictionary(uniqueKeysWithValues: splits.map { ($0, PixelStatistics(data.images($0).ownPixels)) })

        let scale: Float, shift: Float, formula: String, short: String
        switch normalize {
        case .standardize:
            // Statistics of the training split only, in x/255 units, so validation and test stay unseen.
            guard let train = stats[.train] else { throw StageFailure("standardize needs training images") }
            let mean = train.mean / 255, std = train.std / 255
            guard std > 0 else { throw StageFailure("standardize: the training pixels have zero variance") }
            scale = Float(1 / (255 * std))
            shift = Float(-mean / std)
            short = "(x / 255 - \(fixed(mean, 4))) / \(fixed(std, 4))"
            formula = short + ", with the mean and std of the training split"
        case .none:
            scale = 1; shift = 0
            short = "x"
            formula = "none: raw values 0–255 as float32"
        case .scale:
            scale = 1 / 255; shift = 0
            short = "x / 255"
            formula = short
        }
        data.setNormalisation(scale: scale, shift: shift)
        workspace.data = data
        workspace.preprocessing = Preprocessing(scale: scale, shift: shift, formula: short, augmentation: augmentation, oneHot: oneHot)

        func after(_ v: Double) -> Double { Double(Float(v) * scale + shift) }
        let prefix: [Split: String] = [.train: "train", .validation: "val", .test: "test"]
        var rows: [[String]] = []
        for split in splits {
            let set = data.images(split), s = stats[split]!
            let dims = data.imageShape
            rows.append(["x_\(prefix[split]!)", tupleShape([set.count, dims[0], dims[1]]), "uint8", "[\(s.min), \(s.max)]",
                         tupleShape([set.count] + dims), "float32",
                         "[\(compact(after(Double(s.min)))), \(compact(after(Double(s.max))))]"])
        }
        for split in splits {
            let labels = data.images(split).labels
            let range = "[\(labels.min() ?? 0), \(labels.max() ?? 0)]"
            rows.append(["y_\(prefix[split]!)", tupleShape([labels.count]), "uint8", range,
                         oneHot ? tupleShape([labels.count, classes]) : tupleShape([labels.count]),
                         oneHot ? "float32" : "int64", oneHot ? "{0, 1}" : range])
        }
        var outputs: [Output] = [.reference(.table(Table(caption: "Arrays before and after",
                                                         header: ["array", "shape before", "dtype", "range", "shape after", "dtype", "range"],
                                                         rows: rows, alignRight: [])))]

        var summary: [(String, String)] = [("normalisation", formula), ("as x · scale + shift", "scale \(compact(Double(scale))), shift \(compact(Double(shift)))")]
        if let train = stats[.train] {
            summary.append(("training pixels after", "mean \(fixed(after(train.mean), 4)), std \(fixed(train.std * Double(scale), 4))"))
        }
        summary.append(("labels", oneHot
            ? "one-hot, \(classes) columns: loss categorical_crossentropy"
            : "integer class indices: loss sparse_categorical_crossentropy (the same numbers)"))
        outputs.append(.keyValues(title: "Preprocessing", summary))

        if let augmentation {
            outputs.append(.keyValues(title: "Augmentation", [
                ("training images", augmentation.description),
                ("applied", "on the fly to each training batch, a fresh draw per image and epoch from seed \(context.seed); "
                    + "validation and test images are never augmented"),
                ("sampling", "one affine warp per image, bilinear; outside the image reads black (0)"),
            ]))
            outputs.append(.imageGrid(augmentationGrid(augmentation, train: data.train, seed: UInt64(context.seed))))
        }

        let pixels = splits.reduce(0) { $0 + data.images($1).pixels.count }
        outputs.append(.reference(.note("The images stay uint8 in memory (\(megabytes(pixels)) MB); each batch becomes float32 "
            + "only when it is used, so the float copy Keras would hold (\(megabytes(pixels * 4)) MB) is never made. "
            + "The channel axis of size 1 is added the same way.")))
        return StageResult(outputs: outputs)
    }
}

/// Up to 4 significant digits, no trailing zeros: 1, 0.003922, -0.4242.
func compact(_ x: Double) -> String {
    if x == 0 { return "0" }
    return String(format: "%.4g", x)
}

func megabytes(_ bytes: Int) -> String {
    String(format: "%.1f", Double(bytes) / 1_000_000)
}
