// PGM files written by the tests: P5 and P2, 8- and 16-bit, and every bad case with its exact message.
import Datasets
import Foundation
import Inference
import Report
import XCTest

final class PGMTests: XCTestCase {
    func testReadsBinaryP5() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mnistbook-pgm-\(UUID().uuidString).pgm")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        let pixels: [UInt8] = [0, 64, 128, 255, 10, 20]
        try Data(Array("P5\n# written by a test\n3 2\n255\n".utf8) + pixels).write(to: url)
        let image = try PGM.read(url.path)
        XCTAssertEqual(image, GrayImage(width: 3, height: 2, pixels: pixels))
    }

    func testReadsASCIIP2WithCommentsAndSmallMaxval() throws {
        // maxval 15: samples are scaled to 0…255 (15 → 255, 5 → 85).
        let text = "P2 # comment after the magic\n2 2\n# a comment line\n15\n0 5\n 15\t10\n"
        let image = try PGM.decode(Array(text.utf8), path: "a.pgm")
        XCTAssertEqual(image, GrayImage(width: 2, height: 2, pixels: [0, 85, 255, 170]))
    }

    func testReads16BitSamplesBigEndian() throws {
        // maxval 65535: two bytes per sample, most significant first.
        let samples: [UInt16] = [0, 0x8080, 0xFFFF, 0x0101]
        let raster = samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let image = try PGM.decode(Array("P5 4 1 65535\n".utf8) + raster, path: "deep.pgm")
        XCTAssertEqual(image.pixels, [0, 128, 255, 1])
    }

    func testBadMagicIsRefused() {
        XCTAssertThrowsError(try PGM.decode(Array("P6\n1 1\n255\n".utf8) + [0, 0, 0], path: "colour.ppm")) { error in
            XCTAssertEqual("\(error)", "colour.ppm: not a PGM image (it starts with \"P6\", not \"P5\" or \"P2\")")
        }
        XCTAssertThrowsError(try PGM.decode([], path: "empty.pgm")) { error in
            XCTAssertEqual("\(error)", "empty.pgm: not a PGM image (the file is empty)")
        }
    }

    func testTruncatedDataIsRefused() {
        XCTAssertThrowsError(try PGM.decode(Array("P5\n4 4\n255\n".utf8) + [1, 2, 3], path: "cut.pgm")) { error in
            XCTAssertEqual("\(error)", "cut.pgm: truncated PGM: expected 16 bytes of pixel data for 4×4, found 3")
        }
        XCTAssertThrowsError(try PGM.decode(Array("P5 2 2 65535\n".utf8) + [0, 1, 0, 2, 0, 3, 0], path: "cut16.pgm")) { error in
            XCTAssertEqual("\(error)", "cut16.pgm: truncated PGM: expected 8 bytes of pixel data for 2×2, found 7")
        }
        XCTAssertThrowsError(try PGM.decode(Array("P2\n2 2\n255\n1 2 3".utf8), path: "cut.pgm")) { error in
            XCTAssertEqual("\(error)", "cut.pgm: truncated PGM: expected 4 pixel values for 2×2, found 3")
        }
        XCTAssertThrowsError(try PGM.decode(Array("P5\n28 ".utf8), path: "header.pgm")) { error in
            XCTAssertEqual("\(error)", "header.pgm: truncated PGM: the header ends before the height")
        }
    }

    func testBadHeaderAndSamplesAreRefused() {
        XCTAssertThrowsError(try PGM.decode(Array("P5\n2 x\n255\n".utf8), path: "h.pgm")) { error in
            XCTAssertEqual("\(error)", "h.pgm: invalid PGM: expected a number for the height, found 'x'")
        }
        XCTAssertThrowsError(try PGM.decode(Array("P5\n0 2\n255\n".utf8), path: "h.pgm")) { error in
            XCTAssertEqual("\(error)", "h.pgm: invalid PGM header: size 0×2")
        }
        XCTAssertThrowsError(try PGM.decode(Array("P5\n1 1\n65536\n".utf8) + [0, 0], path: "h.pgm")) { error in
            XCTAssertEqual("\(error)", "h.pgm: invalid PGM header: maxval 65536 is not in 1…65535")
        }
        XCTAssertThrowsError(try PGM.decode(Array("P2\n2 1\n100\n50 101\n".utf8), path: "v.pgm")) { error in
            XCTAssertEqual("\(error)", "v.pgm: invalid PGM: pixel 2 is 101, above maxval 100")
        }
    }

    func testMissingFileIsNamed() {
        XCTAssertThrowsError(try PGM.read("/nonexistent/digit.pgm")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/digit.pgm: cannot open (No such file or directory)")
        }
    }
}
