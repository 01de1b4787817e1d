// Reading IDX files written by the tests: raw and gzip, and every bad case with its exact message.
import NeuralNet
import Tensor
import XCTest
import Crypto
@testable import Datasets

final class IDXTests: XCTestCase {
    func testReadsRawImagesAndLabels() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let images = folder.appendingPathComponent("images-idx3-ubyte")
        let labels = folder.appendingPathComponent("labels-idx1-ubyte")
        try Fixtures.write(Fixtures.imagesFile(count: 5, rows: 4, cols: 3), to: images)
        try Fixtures.write(Fixtures.labelsFile([3, 1, 4, 1, 5]), to: labels)

        let read = try IDX.readImages(at: images)
        XCTAssertEqual(read.count, 5)
        XCTAssertEqual(read.rows, 4)
        XCTAssertEqual(read.cols, 3)
        XCTAssertEqual(read.pixels, Array(Fixtures.imagesFile(count: 5, rows: 4, cols: 3).dropFirst(16)))
        XCTAssertEqual(try IDX.readLabels(at: labels), [3, 1, 4, 1, 5])
    }

    func testReadsGzipImagesAndLabels() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let raw = Fixtures.imagesFile(count: 200, rows: 28, cols: 28)
        let images = folder.appendingPathComponent("images-idx3-ubyte.gz")
        let labels = folder.appendingPathComponent("labels-idx1-ubyte.gz")
        try Fixtures.write(Fixtures.gzip(raw), to: images)
        try Fixtures.write(Fixtures.gzip(Fixtures.labelsFile(Fixtures.cyclingLabels(200))), to: labels)

        XCTAssertEqual(try IDX.decompressedBytes(at: images), raw)
        let read = try IDX.readImages(at: images)
        XCTAssertEqual(read.count, 200)
        XCTAssertEqual(read.rows, 28)
        XCTAssertEqual(read.pixels, Array(raw.dropFirst(16)))
        XCTAssertEqual(try IDX.readLabels(at: labels), Fixtures.cyclingLabels(200))
    }

    func testConcatenatedGzipMembersAreJoined() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let url = folder.appendingPathComponent("joined.gz")
        try Fixtures.write(Fixtures.gzip([1, 2, 3]) + Fixtures.gzip([4, 5]), to: url)
        XCTAssertEqual(try IDX.decompressedBytes(at: url), [1, 2, 3, 4, 5])
    }

    func testFolderOfGzipAndFolderOfRawGiveTheSameDataset() throws {
        let gzFolder = try Fixtures.temporaryFolder(self)
        let rawFolder = try Fixtures.temporaryFolder(self)
        try Fixtures.writeDataset(in: gzFolder, gzip: true)
        try Fixtures.writeDataset(in: rawFolder, gzip: false)

        let gz = try DatasetCatalog.load(gzFolder.path)
        let raw = try DatasetCatalog.load(rawFolder.path)
        XCTAssertEqual(gz.train, raw.train)
        XCTAssertEqual(gz.test, raw.test)
        XCTAssertEqual(gz.train.count, 30)
        XCTAssertEqual(gz.test.count, 10)
        XCTAssertEqual(gz.train.rows, 4)
        XCTAssertEqual(gz.train.cols, 3)
        XCTAssertEqual(gz.classNames, (0..<10).map(String.init))
        XCTAssertEqual(gz.name, gzFolder.lastPathComponent)
        XCTAssertEqual(gz.source, gzFolder.path)
        // Checksums are of the decompressed content, so both folders agree, and match an independent hash.
        XCTAssertEqual(gz.sha256, raw.sha256)
        let content = Fixtures.datasetFiles()
        for base in IDXFileNames.all {
            let expected = SHA256.hash(data: content[base]!).map { String(format: "%02x", $0) }.joined()
            XCTAssertEqual(gz.sha256[base], expected, base)
        }
    }

    func testClassesFileNamesTheClassesOfAFolder() throws {
        let folder = try Fixtures.temporaryFolder(self)
        try Fixtures.writeDataset(in: folder)
        let names = (0..<10).map { "class \($0)" }
        try names.joined(separator: "\n").write(to: folder.appendingPathComponent("classes.txt"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try DatasetCatalog.load(folder.path).classNames, names)
    }

    func testWrongMagicNumber() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let urls = try Fixtures.writeDataset(in: folder)
        // A labels file where the training images belong.
        try Fixtures.write(Fixtures.gzip(Fixtures.labelsFile([1, 2, 3])), to: urls[0])
        let error = Fixtures.datasetError { _ = try DatasetCatalog.load(folder.path) }
        XCTAssertEqual(error?.message, "\(urls[0].path): wrong magic number 0x00000801 (expected 0x00000803 for IDX images)")

        let labels = folder.appendingPathComponent("other-labels")
        try Fixtures.write(Fixtures.imagesFile(count: 1), to: labels)
        let labelError = Fixtures.datasetError { _ = try IDX.readLabels(at: labels) }
        XCTAssertEqual(labelError?.message, "\(labels.path): wrong magic number 0x00000803 (expected 0x00000801 for IDX labels)")
    }

    func testTruncatedPixels() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let url = folder.appendingPathComponent("short-images")
        try Fixtures.write(Array(Fixtures.imagesFile(count: 10, rows: 28, cols: 28).prefix(16 + 7000)), to: url)
        let error = Fixtures.datasetError { _ = try IDX.readImages(at: url) }
        XCTAssertEqual(error?.message, "\(url.path): expected 7840 bytes of pixels, found 7000 (10 images of 28x28)")
    }

    func testTruncatedLabels() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let url = folder.appendingPathComponent("short-labels.gz")
        try Fixtures.write(Fixtures.gzip(Array(Fixtures.labelsFile(Fixtures.cyclingLabels(10)).prefix(8 + 8))), to: url)
        let error = Fixtures.datasetError { _ = try IDX.readLabels(at: url) }
        XCTAssertEqual(error?.message, "\(url.path): expected 10 bytes of labels, found 8")
    }

    func testHeaderCutShort() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let url = folder.appendingPathComponent("tiny")
        try Fixtures.write([0, 0, 8, 3, 0, 0], to: url)
        let error = Fixtures.datasetError { _ = try IDX.readImages(at: url) }
        XCTAssertEqual(error?.message, "\(url.path): 6 bytes is too short for an IDX images file (the header alone is 16 bytes)")

        try Fixtures.write([], to: url)
        let empty = Fixtures.datasetError { _ = try IDX.readLabels(at: url) }
        XCTAssertEqual(empty?.message, "\(url.path): 0 bytes is too short for an IDX labels file (the header alone is 8 bytes)")
    }

    func testHugeDimensionsAreAnErrorNotACrash() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let url = folder.appendingPathComponent("huge")
        try Fixtures.write(Fixtures.bigEndian(0x803) + Fixtures.bigEndian(.max) + Fixtures.bigEndian(.max) + Fixtures.bigEndian(.max), to: url)
        let error = Fixtures.datasetError { _ = try IDX.readImages(at: url) }
        XCTAssertEqual(error?.message, "\(url.path): image dimensions 4294967295x4294967295x4294967295 are too large")
    }

    func testImageAndLabelCountsThatDiffer() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let urls = try Fixtures.writeDataset(in: folder)
        try Fixtures.write(Fixtures.gzip(Fixtures.imagesFile(count: 100)), to: urls[0])
        try Fixtures.write(Fixtures.gzip(Fixtures.labelsFile(Fixtures.cyclingLabels(99))), to: urls[1])
        let error = Fixtures.datasetError { _ = try DatasetCatalog.load(folder.path) }
        XCTAssertEqual(error?.message, "\(urls[0].path): 100 images but 99 labels in \(urls[1].path)")
    }

    func testLabelOutOfRange() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let urls = try Fixtures.writeDataset(in: folder, gzip: false)
        var labels = Fixtures.cyclingLabels(10)
        labels[5] = 12
        try Fixtures.write(Fixtures.labelsFile(labels), to: urls[3])
        let error = Fixtures.datasetError { _ = try DatasetCatalog.load(folder.path) }
        XCTAssertEqual(error?.message, "\(urls[3].path): label 12 at index 5 is out of range 0...9 for 10 classes (a classes.txt in \(folder.standardizedFileURL.path) with one name per line allows more classes)")

        // A catalog entry's class count is the range, and no hint about classes.txt is given.
        let entry = CatalogEntry(name: "three", classNames: ["a", "b", "c"], systemDirectories: [folder])
        let entryError = Fixtures.datasetError { _ = try DatasetCatalog.load(entry) }
        XCTAssertEqual(entryError?.message, "\(urls[1].path): label 3 at index 3 is out of range 0...2 for 3 classes")
    }

    func testGzipStreamCutShort() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let url = folder.appendingPathComponent("cut-idx3-ubyte.gz")
        let gz = Fixtures.gzip(Fixtures.imagesFile(count: 50, rows: 28, cols: 28))
        let cut = Array(gz.prefix(gz.count / 2))
        try Fixtures.write(cut, to: url)
        let error = Fixtures.datasetError { _ = try IDX.readImages(at: url) }
        XCTAssertEqual(error?.message, "\(url.path): gzip stream cut short (the file ends after \(cut.count) bytes, before the end of the compressed data)")

        // Only the 8-byte trailer (CRC and size) missing is cut short too.
        let noTrailer = Array(gz.dropLast(8))
        try Fixtures.write(noTrailer, to: url)
        let trailerError = Fixtures.datasetError { _ = try IDX.decompressedBytes(at: url) }
        XCTAssertEqual(trailerError?.message, "\(url.path): gzip stream cut short (the file ends after \(noTrailer.count) bytes, before the end of the compressed data)")
    }

    func testCorruptGzipData() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let url = folder.appendingPathComponent("corrupt.gz")
        var gz = Fixtures.gzip(Fixtures.labelsFile(Fixtures.cyclingLabels(1000)))
        gz[gz.count - 6] ^= 0xff // inside the CRC-32 of the trailer
        try Fixtures.write(gz, to: url)
        let error = Fixtures.datasetError { _ = try IDX.readLabels(at: url) }
        XCTAssertEqual(error?.message, "\(url.path): corrupt gzip data (incorrect data check)")
    }

    func testChecksumMismatch() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let urls = try Fixtures.writeDataset(in: folder)
        let wrong = String(repeating: "0", count: 64)
        let entry = CatalogEntry(name: "pinned", classNames: CatalogEntry.digitNames, systemDirectories: [folder],
                                 contentSHA256: [IDXFileNames.trainLabels: wrong])
        let actual = SHA256.hash(data: Fixtures.datasetFiles()[IDXFileNames.trainLabels]!).map { String(format: "%02x", $0) }.joined()
        let error = Fixtures.datasetError { _ = try DatasetCatalog.load(entry) }
        XCTAssertEqual(error?.message, "\(urls[1].path): sha256 mismatch: expected \(wrong), got \(actual)")
    }

    func testMissingFileAndUnknownName() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let urls = try Fixtures.writeDataset(in: folder)
        try FileManager.default.removeItem(at: urls[3])
        let error = Fixtures.datasetError { _ = try DatasetCatalog.load(folder.path) }
        XCTAssertEqual(error?.message, "\(folder.standardizedFileURL.path): missing t10k-labels-idx1-ubyte[.gz] (a dataset folder holds train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, gzip or raw)")

        let nowhere = folder.appendingPathComponent("nowhere")
        let unknown = Fixtures.datasetError { _ = try DatasetCatalog.load(nowhere.path) }
        XCTAssertEqual(unknown?.message, "unknown dataset '\(nowhere.path)': not one of mnist, fashion-mnist, kmnist, and \(nowhere.standardizedFileURL.path) is not a folder")

        let missing = Fixtures.datasetError { _ = try IDX.readLabels(at: nowhere) }
        XCTAssertEqual(missing?.message, "\(nowhere.path): cannot open (No such file or directory)")
    }

    func testMismatchedImageSizesBetweenSplits() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let urls = try Fixtures.writeDataset(in: folder)
        try Fixtures.write(Fixtures.gzip(Fixtures.imagesFile(count: 10, rows: 5, cols: 5)), to: urls[2])
        let error = Fixtures.datasetError { _ = try DatasetCatalog.load(folder.path) }
        XCTAssertEqual(error?.message, "\(urls[2].path): images are 5x5 but the training images in \(urls[0].path) are 4x3")
    }

    func testGarbageNeverCrashes() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let url = folder.appendingPathComponent("garbage")
        var rng = SeededGenerator(seed: 7)
        for length in [0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 100, 1000] {
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            for prefix in [[], [0x1f, 0x8b], [0, 0, 8, 3], [0, 0, 8, 1]] as [[UInt8]] {
                bytes.replaceSubrange(0..<min(prefix.count, bytes.count), with: prefix.prefix(bytes.count))
                try Fixtures.write(bytes, to: url)
                _ = try? IDX.readImages(at: url)
                _ = try? IDX.readLabels(at: url)
            }
        }
    }
}
