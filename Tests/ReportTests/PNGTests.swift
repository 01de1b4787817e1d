import Foundation
import XCTest
@testable import Report

final class PNGTests: XCTestCase {
    func testGrayRoundTrip() throws {
        let w = 28, h = 17
        let pixels = (0..<(w * h)).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / w) }
        let png = try PNG.encode(gray: pixels, width: w, height: h)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let decoded = try PNG.decode(png)
        XCTAssertEqual(decoded.width, w)
        XCTAssertEqual(decoded.height, h)
        XCTAssertEqual(decoded.gray, pixels)
    }

    func testRGBDecodesToGray() throws {
        // Pure gray RGB pixels stay exactly the same; white stays white, black stays black.
        let rgb: [UInt8] = [0, 0, 0, 255, 255, 255, 128, 128, 128, 255, 255, 255]
        let png = try PNG.encodeRGB(rgb, width: 2, height: 2)
        let decoded = try PNG.decode(png)
        XCTAssertEqual(decoded.gray, [0, 255, 128, 255])
    }

    func testDecodes16BitGrayAndRGBA() throws {
        // 16-bit linear gray (libpng's PNG_FORMAT_LINEAR_Y = 4), native-endian samples.
        let samples: [UInt16] = [0, 1000, 30000, 65535]
        let bytes = samples.withUnsafeBytes { Array($0) }
        let png16 = try PNG.write(bytes, width: 2, height: 2, channels: 2, format: 4)
        XCTAssertEqual(png16[24], 16, "IHDR bit depth")
        let gray = try PNG.decode(png16).gray
        XCTAssertEqual(gray.first, 0)
        XCTAssertEqual(gray.last, 255)
        XCTAssertEqual(gray, gray.sorted(), "brightness order kept")
        // RGBA (format 3): black ink, transparent elsewhere → ink on white.
        let rgba: [UInt8] = [0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255]
        let pngA = try PNG.write(rgba, width: 2, height: 2, channels: 4, format: 3)
        XCTAssertEqual(try PNG.decode(pngA).gray, [0, 255, 255, 0])
    }

    func testTransparentBackgroundContrastsWithInk() {
        // Black ink on a transparent canvas lands on white; white ink on black.
        let darkInk: [UInt8] = [0, 255, 0, 0, 0, 0]
        XCTAssertEqual(PNG.flatten(darkInk), [0, 255, 255])
        let lightInk: [UInt8] = [255, 255, 255, 0, 0, 0]
        XCTAssertEqual(PNG.flatten(lightInk), [255, 0, 0])
    }

    func testCorruptPNGThrowsClearError() throws {
        var png = try PNG.encode(gray: [UInt8](repeating: 9, count: 64), width: 8, height: 8)
        // Damage the IHDR chunk: its CRC no longer matches.
        png[18] ^= 0xFF
        XCTAssertThrowsError(try PNG.decode(png)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("invalid PNG:"), message)
            XCTAssertGreaterThan(message.count, "invalid PNG: ".count)
        }
        // Truncated image data.
        let full = try PNG.encode(gray: (0..<4096).map { UInt8($0 % 251) }, width: 64, height: 64)
        XCTAssertThrowsError(try PNG.decode(Array(full.prefix(full.count / 2)))) { error in
            XCTAssertTrue("\(error)".hasPrefix("invalid PNG:"), "\(error)")
        }
        XCTAssertThrowsError(try PNG.decode(Array("GIF89a not a png".utf8))) { error in
            XCTAssertEqual("\(error)", "not a PNG file (missing PNG signature)")
        }
        XCTAssertThrowsError(try PNG.decode([]))
    }

    func testEncodeRejectsWrongSize() {
        XCTAssertThrowsError(try PNG.encode(gray: [1, 2, 3], width: 2, height: 2))
        XCTAssertThrowsError(try PNG.encode(gray: [], width: 0, height: 0))
    }

    func testImageGridPNGLayoutAndFrames() throws {
        let white = GrayImage(width: 2, height: 2, pixels: [255, 255, 255, 255])
        let grid = ImageGrid(images: [white, white, white], captions: ["a", "b", "c"], columns: 2,
                             highlight: [false, true, false])
        let (rgb, w, h) = ImageGridRenderer.rgb(grid, scale: 2)
        // 2 columns × (4 px tile + 2×2 border) + 3 gaps of 2; 2 rows likewise.
        XCTAssertEqual(w, 2 * 8 + 3 * 2)
        XCTAssertEqual(h, 2 * 8 + 3 * 2)
        func px(_ x: Int, _ y: Int) -> [UInt8] { Array(rgb[((y * w + x) * 3)..<((y * w + x) * 3 + 3)]) }
        XCTAssertEqual(px(0, 0), [255, 255, 255], "gap")
        XCTAssertEqual(px(2, 2), ImageGridRenderer.green, "first tile's frame")
        XCTAssertEqual(px(12, 2), ImageGridRenderer.red, "second tile is wrong")
        XCTAssertEqual(px(5, 5), [255, 255, 255], "scaled pixel")
        let png = try ImageGridRenderer.png(grid, scale: 2)
        let back = try PNG.decode(png)
        XCTAssertEqual(back.width, w)
        XCTAssertEqual(back.height, h)
    }
}
