// Small IDX datasets written by the tests themselves, raw or gzip-compressed through zlib.
import Foundation
import XCTest
import CZlib
@testable import Datasets

enum Fixtures {
    /// A fresh folder under the system temp directory, removed by the test's teardown block.
    static func temporaryFolder(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mnistbook-datasets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
    }

    /// An IDX images file: `count` images of rows x cols whose pixels encode image index and position.
    static func imagesFile(count: Int, rows: Int = 4, cols: Int = 3, magic: UInt32 = 0x803) -> [UInt8] {
        var bytes = bigEndian(magic) + bigEndian(UInt32(count)) + bigEndian(UInt32(rows)) + bigEndian(UInt32(cols))
        for i in 0..<count { for p in 0..<(rows * cols) { bytes.append(UInt8((i * 7 + p) & 0xff)) } }
        return bytes
    }

    static func labelsFile(_ labels: [UInt8], magic: UInt32 = 0x801) -> [UInt8] {
        bigEndian(magic) + bigEndian(UInt32(labels.count)) + labels
    }

    /// Labels cycling through 0..<classes.
    static func cyclingLabels(_ count: Int, classes: Int = 10) -> [UInt8] {
        (0..<count).map { UInt8($0 % classes) }
    }

    /// gzip bytes through zlib's deflate with a gzip wrapper (windowBits 16+15).
    static func gzip(_ input: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 64)
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = UInt32(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        precondition(status == Z_STREAM_END)
        return Array(output.prefix(Int(stream.total_out)))
    }

    static func write(_ bytes: [UInt8], to url: URL) throws {
        try Data(bytes).write(to: url)
    }

    /// Writes the four files of a small dataset into `folder`; returns their URLs in the standard order.
    @discardableResult
    static func writeDataset(in folder: URL, train: Int = 30, test: Int = 10, gzip compress: Bool = true,
                             rows: Int = 4, cols: Int = 3) throws -> [URL] {
        let contents = datasetFiles(train: train, test: test, rows: rows, cols: cols)
        var urls: [URL] = []
        for base in IDXFileNames.all {
            let url = folder.appendingPathComponent(compress ? base + ".gz" : base)
            try write(compress ? gzip(contents[base]!) : contents[base]!, to: url)
            urls.append(url)
        }
        return urls
    }

    /// The decompressed content of each file of a small dataset, by standard file name.
    static func datasetFiles(train: Int = 30, test: Int = 10, rows: Int = 4, cols: Int = 3) -> [String: [UInt8]] {
        [
            IDXFileNames.trainImages: imagesFile(count: train, rows: rows, cols: cols),
            IDXFileNames.trainLabels: labelsFile(cyclingLabels(train)),
            IDXFileNames.testImages: imagesFile(count: test, rows: rows, cols: cols),
            IDXFileNames.testLabels: labelsFile(cyclingLabels(test)),
        ]
    }

    /// Runs `body` and returns the DatasetError it throws (failing the test if it throws none or another).
    static func datasetError(file: StaticString = #filePath, line: UInt = #line,
                             _ body: () throws -> Void) -> DatasetError? {
        do {
            try body()
            XCTFail("expected a DatasetError, got none", file: file, line: line)
        } catch let error as DatasetError {
            return error
        } catch {
            XCTFail("expected a DatasetError, got \(error)", file: file, line: line)
        }
        return nil
    }
}
