// The catalog: names and class names, the bundled MNIST with its counts and checksums, MNISTBOOK_DATA.
import XCTest
@testable import Datasets

final class CatalogTests: XCTestCase {
    func testNamesAndClassNames() {
        XCTAssertEqual(DatasetCatalog.names, ["mnist", "fashion-mnist", "kmnist"])
        XCTAssertEqual(DatasetCatalog.entry(named: "mnist")?.classNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
        XCTAssertEqual(DatasetCatalog.entry(named: "fashion-mnist")?.classNames,
                       ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"])
        XCTAssertEqual(DatasetCatalog.entry(named: "kmnist")?.classNames, ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"])
        XCTAssertEqual(DatasetCatalog.entry(named: "fashion-mnist")?.systemDirectories.map(\.path), ["/usr/share/datasets/fashion-mnist"])
        XCTAssertEqual(DatasetCatalog.entry(named: "kmnist")?.mirrors.first?.absoluteString, "http://codh.rois.ac.jp/kmnist/dataset/kmnist/")
        XCTAssertEqual(DatasetCatalog.entry(named: "fashion-mnist")?.mirrors.first?.absoluteString, "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")
    }

    /// Debian's dataset-fashion-mnist (CI installs it): found without network, checked by content, 6,000 / 1,000 per class.
    func testFashionMNISTFromDebiansPackage() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") else {
            throw XCTSkip("Debian's dataset-fashion-mnist is not installed")
        }
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("mnistbook-fashion-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let fashion = try DatasetCatalog.load("fashion-mnist", cacheDirectory: cache, mirrors: [])
        XCTAssertEqual(fashion.source, "/usr/share/datasets/fashion-mnist")
        XCTAssertEqual(fashion.classNames.first, "T-shirt/top")
        XCTAssertEqual(fashion.train.classCounts(classes: 10), [Int](repeating: 6000, count: 10))
        XCTAssertEqual(fashion.test.classCounts(classes: 10), [Int](repeating: 1000, count: 10))
        XCTAssertEqual(fashion.sha256, DatasetCatalog.entry(named: "fashion-mnist")?.contentSHA256)
    }

    func testBundledMNISTCountsClassesAndChecksums() throws {
        let start = Date()
        let mnist = try DatasetCatalog.load("mnist")
        let seconds = Date().timeIntervalSince(start)
        print("Loaded and verified 70,000 MNIST images in \(String(format: "%.3f", seconds)) s")

        XCTAssertEqual(mnist.name, "mnist")
        XCTAssertTrue(mnist.source.hasSuffix("/data/mnist"), mnist.source)
        XCTAssertEqual(mnist.train.count, 60000)
        XCTAssertEqual(mnist.test.count, 10000)
        XCTAssertEqual(mnist.train.rows, 28)
        XCTAssertEqual(mnist.train.cols, 28)
        XCTAssertEqual(mnist.train.images.count, 60000 * 28 * 28)
        XCTAssertEqual(mnist.test.images.count, 10000 * 28 * 28)
        XCTAssertEqual(mnist.train.classCounts(classes: 10), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        XCTAssertEqual(mnist.test.classCounts(classes: 10), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        XCTAssertEqual(mnist.sha256, [
            "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ])
        // The first training image is the famous 5; its pixels are not all black.
        XCTAssertEqual(mnist.train.labels.first, 5)
        XCTAssertGreaterThan(mnist.train.image(0).reduce(0) { $0 + Int($1) }, 0)

        // The standard split and a quick subset of the real data.
        let (train, validation) = mnist.train.split(validationFraction: 0.2)
        XCTAssertEqual(train.count, 48000)
        XCTAssertEqual(validation.count, 12000)
        XCTAssertEqual(Array(validation.labels), Array(mnist.train.labels[48000...]))
        let small = mnist.train.limited(to: 1000, seed: 42)
        XCTAssertEqual(small.count, 1000)
        XCTAssertTrue(small.classCounts(classes: 10).allSatisfy { $0 >= 90 && $0 <= 120 }, "\(small.classCounts(classes: 10))")
    }

    func testMNISTBOOKDataOverridesTheSearch() throws {
        let root = try Fixtures.temporaryFolder(self)
        let folder = root.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Fixtures.writeDataset(in: folder)
        XCTAssertEqual(try DataLocation.bundled("mnist", environment: ["MNISTBOOK_DATA": root.path]).found?.path, folder.path)
        // The dataset folder itself works too.
        XCTAssertEqual(try DataLocation.bundled("mnist", environment: ["MNISTBOOK_DATA": folder.path]).found?.path, folder.path)

        let empty = try Fixtures.temporaryFolder(self)
        let error = Fixtures.datasetError { _ = try DataLocation.bundled("mnist", environment: ["MNISTBOOK_DATA": empty.path]) }
        XCTAssertEqual(error?.message, "MNISTBOOK_DATA=\(empty.path): neither \(empty.path)/mnist nor \(empty.path) holds the four files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz")
    }

    func testBundledSearchFindsTheRepositoryDataFolder() throws {
        let search = try DataLocation.bundled("mnist", environment: [:])
        let found = try XCTUnwrap(search.found)
        XCTAssertEqual(found.lastPathComponent, "mnist")
        XCTAssertEqual(found.deletingLastPathComponent().lastPathComponent, "data")
        XCTAssertNil(try DataLocation.bundled("no-such-dataset", environment: [:]).found)
    }

    func testFolderWithKnownFilesIsRecognised() throws {
        // The bundled files under another folder name are still MNIST (by their checksums);
        // a fixture folder matches nothing and is named after its folder.
        let bundled = try XCTUnwrap(try DataLocation.bundled("mnist", environment: [:]).found)
        let copy = try Fixtures.temporaryFolder(self).appendingPathComponent("digits")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for base in IDXFileNames.all {
            try FileManager.default.createSymbolicLink(at: copy.appendingPathComponent(base + ".gz"),
                                                       withDestinationURL: bundled.appendingPathComponent(base + ".gz"))
        }
        let recognised = try DatasetCatalog.load(copy.path)
        XCTAssertEqual(recognised.name, "mnist")
        XCTAssertEqual(recognised.source, copy.path)
        XCTAssertEqual(recognised.classNames, CatalogEntry.digitNames)

        let folder = try Fixtures.temporaryFolder(self)
        try Fixtures.writeDataset(in: folder)
        XCTAssertEqual(try DatasetCatalog.load(folder.path).name, folder.lastPathComponent)
    }
}
