// PNG, JPEG and PGM bytes to gray, chosen by content; every failure names the input and says what is wrong.
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
        XCTAssertEqual(try ImageDecoding.decode(png, name: "x"), GrayImage(width: 3, height: 2, pixels: pixels))
        XCTAssertEqual(try ImageDecoding.decode(pgm, name: "x"), GrayImage(width: 3, height: 2, pixels: pixels))
    }

    func testMalformedBytesAreNamed() throws {
        func message(_ bytes: [UInt8]) -> String {
            do { _ = try ImageDecoding.decode(bytes, name: "upload"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message([]), "upload: not a PNG, JPEG or PGM image (the file is empty)")
        XCTAssertEqual(message(Array("hello".utf8)), "upload: not a PNG, JPEG or PGM image (it starts with bytes 68 65 6c 6c)")
        let png = try PNG.encode(gray: [UInt8](repeating: 7, count: 400), width: 20, height: 20)
        XCTAssertEqual(message(Array(png.prefix(png.count / 2))), "upload: invalid PNG: read beyond end of data")
        XCTAssertEqual(message(Array("P5\n3 2\n255\n".utf8) + [1, 2]),
                       "upload: truncated PGM: expected 6 bytes of pixel data for 3×2, found 2")
    }

    /// MNIST test digit 0 drawn black on white at 200×200 (scripts/make_jpeg_fixtures.py): the drawing as PGM, a grayscale
    /// baseline JPEG of it and a colour progressive one (a blue pen on cream paper).
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return [UInt8](try Data(contentsOf: url))
    }

    func testJPEGDecodesWithinAJPEGsErrorOfTheDrawing() throws {
        let drawing = try ImageDecoding.decode(Self.fixture("seven.pgm"), name: "seven.pgm")
        let gray = try ImageDecoding.decode(Self.fixture("seven.jpg"), name: "seven.jpg")
        XCTAssertEqual([gray.width, gray.height], [200, 200])
        let errors = zip(gray.pixels, drawing.pixels).map { abs(Int($0) - Int($1)) }
        XCTAssertLessThan(Double(errors.reduce(0, +)) / Double(errors.count), 1, "mean error of a quality-90 JPEG")
        XCTAssertLessThanOrEqual(errors.max() ?? 0, 24, "largest error, at the strokes' edges")

        // Colour and progressive: its luma, dark where the pen went and light elsewhere.
        let color = try ImageDecoding.decode(Self.fixture("seven-color-progressive.jpg"), name: "seven-color-progressive.jpg")
        XCTAssertEqual([color.width, color.height], [200, 200])
        for (y, x) in zip(color.pixels, drawing.pixels) where x < 40 || x > 215 {
            if x < 40 { XCTAssertLessThan(y, 128) } else { XCTAssertGreaterThan(y, 128) }
        }
    }

    func testDamagedJPEGIsNamed() throws {
        func message(_ bytes: [UInt8]) -> String {
            do { _ = try ImageDecoding.decode(bytes, name: "photo.jpg"); return "no error" } catch { return "\(error)" }
        }
        let jpeg = try Self.fixture("seven.jpg")
        XCTAssertEqual(message(Array(jpeg.prefix(jpeg.count / 2))), "photo.jpg: invalid JPEG: Premature end of JPEG file")
        XCTAssertEqual(message(Array(jpeg.prefix(12))), "photo.jpg: invalid JPEG: no image size in its header (the file is cut short or damaged)")
        // A header claiming 20000×20000 (the frame's height and width after FF C0, length and precision): 4e8 pixels,
        // more than 2^28, refused before anything is allocated; libjpeg-turbo itself stops at 65500 a side.
        var huge = jpeg
        let frame = try XCTUnwrap((0..<(huge.count - 1)).first { huge[$0] == 0xFF && huge[$0 + 1] == 0xC0 })
        huge.replaceSubrange((frame + 5)..<(frame + 9), with: [0x4E, 0x20, 0x4E, 0x20])
        XCTAssertEqual(message(huge), "photo.jpg: invalid JPEG: unsupported size 20000×20000")
        huge.replaceSubrange((frame + 5)..<(frame + 9), with: [0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertEqual(message(huge), "photo.jpg: invalid JPEG: Maximum supported image dimension is 65500 pixels")
    }

    func testMissingFileAndFolder() throws {
        XCTAssertThrowsError(try ImageDecoding.load("/nonexistent/x.png")) { XCTAssertEqual("\($0)", "/nonexistent/x.png: no such file") }
        let dir = FileManager.default.temporaryDirectory.path
        XCTAssertThrowsError(try ImageDecoding.load(dir)) { XCTAssertEqual("\($0)", "\(dir): cannot be read (it is a folder)") }
    }
}
