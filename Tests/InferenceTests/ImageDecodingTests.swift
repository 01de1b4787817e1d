// PNG and PGM bytes to gray, chosen by content; every failure names the input and says what is wrong.
import Datasets
import Foundation
import Inference
import Report
import XCTest

final class ImageDecodingTests: XCTestCase {
    func testPNGAndPGMDecodeToTheSamePixels() throws {
        let pixels: [UInt8] = [0, 64, 128, 255, 1, 2]
        let png = try PNG.encode(gray: pixels, width: 3, height: 2)
        let pgm = Array("P5\n3 2\n255\n".utf8) + pixels
        XCTAssertEqual(try ImageDecoding.decode(png, name: "x"), GrayscaleImage(width: 3, height: 2, pixels: pixels))
        XCTAssertEqual(try ImageDecoding.decode(pgm, name: "x"), GrayscaleImage(width: 3, height: 2, pixels: pixels))
    }

    func testMalformedBytesAreNamed() throws {
        func message(_ bytes: [UInt8]) -> String {
            do { _ = try ImageDecoding.decode(bytes, name: "upload"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message([]), "upload: not a PNG or PGM image (the file is empty)")
        XCTAssertEqual(message(Array("hello".utf8)), "upload: not a PNG or PGM image (it starts with bytes 68 65 6c 6c)")
        let png = try PNG.encode(gray: [UInt8](repeating: 7, count: 400), width: 20, height: 20)
        XCTAssertEqual(message(Array(png.prefix(png.count / 2))), "upload: invalid PNG: read beyond end of data")
        XCTAssertEqual(message(Array("P5\n3 2\n255\n".utf8) + [1, 2]),
                       "upload: truncated PGM: expected 6 bytes of pixel data for 3×2, found 2")
    }

    func testMissingFileAndFolder() throws {
        XCTAssertThrowsError(try ImageDecoding.load("/nonexistent/x.png")) { XCTAssertEqual("\($0)", "/nonexistent/x.png: no such file") }
        let dir = FileManager.default.temporaryDirectory.path
        XCTAssertThrowsError(try ImageDecoding.load(dir)) { XCTAssertEqual("\($0)", "\(dir): cannot be read (it is a folder)") }
    }
}
