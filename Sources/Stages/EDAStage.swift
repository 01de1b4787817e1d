import NeuralNet
import Notebook
import Report

extension StageName {
    public static let eda = StageName(rawValue: "eda")
}

/// `eda`: class balance per split, pixel statistics, a sample grid and the mean image of each class.
public struct EDAStage: Stage {
    public static let name = StageName.eda
    public static let title = "Explore the data"
    public static let schema = spec("Explore the data: class balance, pixel statistics, samples.", needs: [.load], [
        ParameterSpec("samples", .int(.count(upTo: 1000)), default: 25, display: true, doc: "images in the sample grid"),
        ParameterSpec("mean_images", .bool, default: true, display: true, doc: "show the mean image of each class"),
    ])
    public static let reads: Set<WorkspacePart> = [.data]
    public static let writes: Set<WorkspacePart> = []

    var samples: Int
    var meanImages: Bool

    public init(_ step: ValidatedStep) {
        samples = step.int("samples")
        meanImages = step.bool("mean_images")
    }

    public func run(_ workspace: inout Workspace, _ context: StageContext) throws -> StageResult {
        let data = try workspace.requireData(for: Self.name)
        let classes = data.classNames.count
        let splits = Split.allCases.filter { data.images($0).count > 0 }
        var outputs: [Output] = []

        // Class distribution: counts in the table, one bar chart per split.
        let counts = Dictionary(uniqueKeysWithValues: splits.map { ($0, classCounts(data.images($0).labels, classes: classes)) })
        let rows = (0..<classes).map { c in [data.classNames[c]] + splits.map { groupThousands(counts[$0]![c]) } }
        let totals = ["Total"] + splits.map { groupThousands(data.images($0).count) }
        outputs.append(.table(Table(caption: "Class distribution", header: ["class"] + splits.map(\.title),
                                    rows: rows, footer: [totals])))
        for split in splits {
            outputs.append(.barChart(BarChart(title: "\(split.title) set", categories: data.classNames,
                                              series: [(name: split.title, values: counts[split]!.map(Double.init))],
                                              xLabel: "class", yLabel: "images", showValues: classes <= 12)))
        }
        if let trainCounts = counts[.train], let most = trainCounts.indices.max(by: { trainCounts[$0] < trainCounts[$1] }),
           let least = trainCounts.indices.min(by: { trainCounts[$0] < trainCounts[$1] }) {
            let n = Double(data.train.count)
            outputs.append(.note("Training set: the most common class is \(data.classNames[most]) "
                + "(\(percent(Double(trainCounts[most]) / n, digits: 1))), the least common \(data.classNames[least]) "
                + "(\(percent(Double(trainCounts[least]) / n, digits: 1))); the ratio is "
                + "\(fixed(Double(trainCounts[most]) / Double(max(trainCounts[least], 1)), 2)) to 1."))
        }

        // Pixel statistics on the raw values, before any preprocessing.
        let statRows = splits.map { split -> [String] in
            let s = PixelStatistics(data.images(split).ownPixels)
            return [split.title, fixed(s.mean, 2), fixed(s.std, 2), "\(s.min)", "\(s.max)", percent(s.zeroFraction, digits: 1)]
        }
        outputs.append(.table(Table(caption: "Pixel statistics (raw uint8 values, 0–255)",
                                    header: ["split", "mean", "std", "min", "max", "zero pixels"], rows: statRows)))

        let shown = min(samples, data.train.count)
        if shown > 0 {
            let images = (0..<shown).map { grayImage(data.train, $0) }
            let captions = (0..<shown).map { "label \(data.classNames[data.train.labels[$0]])" }
            outputs.append(.imageGrid(ImageGrid(title: "The first \(shown) training images", images: images,
                                                captions: captions, columns: min(10, max(5, Int(Double(shown).squareRoot().rounded(.up)))))))
        }

        if meanImages {
            let (means, perClass) = classMeanImages(data.train, classes: classes)
            let present = (0..<classes).filter { perClass[$0] > 0 }
            outputs.append(.imageGrid(ImageGrid(title: "Mean training image of each class",
                                                images: present.map { means[$0] },
                                                captions: present.map { "\(data.classNames[$0]) (n=\(groupThousands(perClass[$0])))" },
                                                columns: min(10, max(present.count, 1)))))
        }
        return StageResult(outputs: outputs)
    }
}

func classCounts(_ labels: [Int], classes: Int) -> [Int] {
    var counts = [Int](repeating: 0, count: classes)
    for label in labels where label >= 0 && label < classes { counts[label] += 1 }
    return counts
}

/// Mean, population standard deviation, range and share of zeros of uint8 pixels.
struct PixelStatistics {
    var mean = 0.0, std = 0.0
    var min: UInt8 = 0, max: UInt8 = 0
    var zeroFraction = 0.0

    init(_ pixels: ArraySlice<UInt8>) {
        guard !pixels.isEmpty else { return }
        // A histogram keeps the sums exact and the pass cheap: 47 M pixels for full MNIST.
        var histogram = [Int](repeating: 0, count: 256)
        for p in pixels { histogram[Int(p)] += 1 }
        let n = Double(pixels.count)
        var sum = 0.0, squares = 0.0
        for (value, count) in histogram.enumerated() where count > 0 {
            sum += Double(value * count)
            squares += Double(value * value) * Double(count)
        }
        mean = sum / n
        std = Swift.max(0, squares / n - mean * mean).squareRoot()
        min = UInt8(histogram.firstIndex { $0 > 0 }!)
        max = UInt8(histogram.lastIndex { $0 > 0 }!)
        zeroFraction = Double(histogram[0]) / n
    }
}

extension ImageSet {
    /// The pixels of this set's own images: a slice shares the whole set's bytes and is `range` of them.
    var ownPixels: ArraySlice<UInt8> {
        let size = imageShape.reduce(1, *)
        return pixels[range.lowerBound * size..<range.upperBound * size]
    }

    /// The pixels of image `index` (0-based within this set).
    func imagePixels(_ index: Int) -> ArraySlice<UInt8> {
        let size = imageShape.reduce(1, *)
        let start = (range.lowerBound + index) * size
        return pixels[start..<start + size]
    }
}

/// Image `index` of a set as a grey image for the report.
func grayImage(_ set: ImageSet, _ index: Int) -> GrayImage {
    GrayImage(width: set.imageShape[1], height: set.imageShape[0], pixels: Array(set.imagePixels(index)))
}

/// The pixel-wise mean image of each class, rounded to uint8, and how many images each mean is over.
func classMeanImages(_ set: ImageSet, classes: Int) -> (images: [GrayImage], counts: [Int]) {
    let size = set.imageShape.reduce(1, *)
    var sums = [[Int]](repeating: [Int](repeating: 0, count: size), count: classes)
    var counts = [Int](repeating: 0, count: classes)
    for (i, label) in set.labels.enumerated() where label >= 0 && label < classes {
        counts[label] += 1
        for (j, pixel) in set.imagePixels(i).enumerated() { sums[label][j] += Int(pixel) }
    }
    let images = (0..<classes).map { c -> GrayImage in
        let n = max(counts[c], 1)
        return GrayImage(width: set.imageShape[1], height: set.imageShape[0],
                         pixels: sums[c].map { UInt8(min(255, ($0 + n / 2) / n)) })
    }
    return (images, counts)
}
