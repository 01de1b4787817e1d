// The value types every other module sees: labelled images, a loaded dataset, and its errors.

/// Images of one split: uint8 pixels [count, rows, cols] row-major, labels 0..<classes.
public struct LabeledImages: Sendable, Equatable {
    public var images: [UInt8]
    public var labels: [UInt8]
    public let rows: Int
    public let cols: Int
    public var count: Int { labels.count }
    /// Pixels of one image.
    public var pixelsPerImage: Int { rows * cols }

    public init(images: [UInt8], labels: [UInt8], rows: Int, cols: Int) {
        self.images = images
        self.labels = labels
        self.rows = rows
        self.cols = cols
    }

    /// The pixels of image `index`, row-major.
    public func image(_ index: Int) -> ArraySlice<UInt8> {
        let n = pixelsPerImage
        return images[(index * n)..<((index + 1) * n)]
    }

    /// How many images carry each label 0..<classes (labels at or past `classes` are not counted).
    public func classCounts(classes: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: max(classes, 0))
        for label in labels where Int(label) < counts.count { counts[Int(label)] += 1 }
        return counts
    }
}

/// A loaded dataset: train and test splits, class names, where it came from and its checksums.
public struct Dataset: Sendable {
    public let name: String
    /// The directory (or mirror URL, right after a download) the files came from.
    public let source: String
    public let classNames: [String]
    public var train: LabeledImages
    public var test: LabeledImages
    /// File name without ".gz" -> SHA-256 hex of its decompressed content.
    public let sha256: [String: String]

    public init(name: String, source: String, classNames: [String],
                train: LabeledImages, test: LabeledImages, sha256: [String: String]) {
        self.name = name
        self.source = source
        self.classNames = classNames
        self.train = train
        self.test = test
        self.sha256 = sha256
    }
}

/// An error while finding, downloading or reading a dataset; the message names the file and the problem.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { message }
    public init(_ message: String) { self.message = message }

    /// "<path>: <problem>", the shape of every error about one file.
    public static func file(_ path: String, _ problem: String) -> DatasetError {
        DatasetError("\(path): \(problem)")
    }
}
