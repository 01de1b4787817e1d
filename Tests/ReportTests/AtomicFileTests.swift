import Foundation
import XCTest
@testable import Report

final class AtomicFileTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomicfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func listing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    func testWriteCreatesAndReplaces() throws {
        let target = dir.appendingPathComponent("report.html")
        try AtomicFile.write("first", to: target)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "first")
        try AtomicFile.write(Array("second, longer".utf8), to: target)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "second, longer")
        try AtomicFile.write(Data([1, 2, 3]), to: target)
        XCTAssertEqual(try Data(contentsOf: target), Data([1, 2, 3]))
        try AtomicFile.write([UInt8](), to: target)
        XCTAssertEqual(try Data(contentsOf: target), Data())
        XCTAssertEqual(try listing(), ["report.html"], "no temporary file left")
    }

    func testParentIsARegularFileThrowsNamingPathAndReason() throws {
        let blocker = dir.appendingPathComponent("not-a-dir")
        try AtomicFile.write("x", to: blocker)
        let target = blocker.appendingPathComponent("report.html")
        XCTAssertThrowsError(try AtomicFile.write("new", to: target)) { error in
            XCTAssertEqual("\(error)", "cannot write \(target.path): Not a directory")
        }
        XCTAssertEqual(try String(contentsOf: blocker, encoding: .utf8), "x")
        XCTAssertEqual(try listing(), ["not-a-dir"])
    }

    func testFailedRenameLeavesTargetIntactAndNoTempFile() throws {
        // A non-empty directory cannot be replaced by a file: the rename step fails after the
        // temporary file was written, which is the path a full disk or a crash would take.
        let target = dir.appendingPathComponent("output")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try AtomicFile.write("keep", to: target.appendingPathComponent("inside.txt"))
        XCTAssertThrowsError(try AtomicFile.write("new", to: target)) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot write \(target.path): "), "\(error)")
        }
        XCTAssertEqual(try String(contentsOf: target.appendingPathComponent("inside.txt"), encoding: .utf8), "keep")
        XCTAssertEqual(try listing(), ["output"], "temporary file removed")
    }

    func testMissingDirectoryThrows() {
        let target = dir.appendingPathComponent("missing/report.html")
        XCTAssertThrowsError(try AtomicFile.write("x", to: target)) { error in
            XCTAssertEqual("\(error)", "cannot write \(target.path): No such file or directory")
        }
    }
}
