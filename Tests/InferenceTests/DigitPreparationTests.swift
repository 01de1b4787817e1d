// MNIST-style preparation: MNIST's own digits come back nearly unchanged, drawings of any size and polarity
// become MNIST-like digits centred by centre of mass, and a blank image is refused.
import Datasets
@testable import Inference
import Report
import XCTest

final class DigitPreparationTests: XCTestCase {
    /// MNIST's test split, loaded once for the whole class.
    static let mnist: LabeledImages? = try? DatasetCatalog.load("mnist").test

    func mnistDigit(_ index: Int) throws -> GrayImage {
        let test = try XCTUnwrap(Self.mnist, "MNIST is not available (data/mnist or the cache)")
        return GrayImage(width: 28, height: 28, pixels: Array(test.image(index)))
    }

    static func meanAbsDifference(_ a: GrayImage, _ b: GrayImage) -> Double {
        zip(a.pixels, b.pixels).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(a.pixels.count)
    }

    func testMNISTDigitsComeBackNearlyUnchanged() throws {
        // MNIST's digits are already prepared; at most a one-pixel shift or a slight contrast stretch separates them.
        var differences: [Double] = []
        for i in 0..<200 {
            let original = try mnistDigit(i)
            let prepared = try DigitPreparation.prepare(original)
            differences.append(Self.meanAbsDifference(original, prepared))
        }
        let mean = differences.reduce(0, +) / Double(differences.count)
        let unchanged = differences.filter { $0 == 0 }.count
        print("MNIST → prepared: mean abs difference \(mean) (0…255), \(unchanged) of 200 identical, worst \(differences.max()!)")
        XCTAssertLessThan(mean, 0.5)
        XCTAssertGreaterThan(unchanged, 150)
    }

    func testLightBackgroundIsInverted() throws {
        let original = try mnistDigit(0)
        let paper = GrayImage(width: 28, height: 28, pixels: original.pixels.map { 255 - $0 })
        XCTAssertEqual(try DigitPreparation.prepare(paper), try DigitPreparation.prepare(original))
    }

    func testGreyPaperCountsAsBackground() throws {
        // Dark ink on a mid-light grey sheet: the sheet's level becomes 0, so the crop is the digit, not the sheet.
        let original = try mnistDigit(1)
        let grey = GrayImage(width: 28, height: 28, pixels: original.pixels.map { 200 - UInt8(Int($0) * 200 / 255) })
        let prepared = try DigitPreparation.prepare(grey)
        XCTAssertLessThan(Self.meanAbsDifference(prepared, try DigitPreparation.prepare(original)), 2)
    }

    func testLargeDrawingIsScaledAndCentredByCentreOfMass() throws {
        // A black-on-white 200×200 drawing, off centre: a thick "L" whose mass sits low and left.
        var pixels = [UInt8](repeating: 255, count: 200 * 200)
        for y in 30..<150 { for x in 20..<40 { pixels[y * 200 + x] = 0 } }
        for y in 130..<150 { for x in 20..<90 { pixels[y * 200 + x] = 0 } }
        let prepared = try DigitPreparation.prepare(GrayImage(width: 200, height: 200, pixels: pixels))
        XCTAssertEqual(prepared.width, 28)
        XCTAssertEqual(prepared.height, 28)

        let centre = DigitPreparation.centreOfMass(prepared.pixels, width: 28, height: 28)
        XCTAssertEqual(centre.x, 14, accuracy: 0.5)
        XCTAssertEqual(centre.y, 14, accuracy: 0.5)

        // The 70×120 drawing becomes 12×20: the longer side is 20 px and the aspect ratio is kept.
        let ink = (0..<28 * 28).filter { prepared.pixels[$0] > 0 }
        let xs = ink.map { $0 % 28 }, ys = ink.map { $0 / 28 }
        XCTAssertEqual(ys.max()! - ys.min()! + 1, 20)
        XCTAssertEqual(xs.max()! - xs.min()! + 1, 12)
        XCTAssertEqual(prepared.pixels.max(), 255)
    }

    func testCentreOfMassOfMNISTDigitsIsAtTheCentre() throws {
        // MNIST's own digits fix the convention: pixel (x, y) counts at (x, y) and the centre is (14, 14).
        for i in 0..<50 {
            let original = try mnistDigit(i)
            let before = DigitPreparation.centreOfMass(original.pixels, width: 28, height: 28)
            XCTAssertEqual(before.x, 14, accuracy: 0.5, "MNIST test image \(i)")
            XCTAssertEqual(before.y, 14, accuracy: 0.5, "MNIST test image \(i)")
            let prepared = try DigitPreparation.prepare(original)
            let after = DigitPreparation.centreOfMass(prepared.pixels, width: 28, height: 28)
            XCTAssertEqual(after.x, 14, accuracy: 0.5, "prepared test image \(i)")
            XCTAssertEqual(after.y, 14, accuracy: 0.5, "prepared test image \(i)")
        }
    }

    func testShrinkingAveragesAreas() {
        // 4 → 2 averages pairs; 3 → 2 splits the middle sample between both outputs.
        let halves = DigitPreparation.weights(from: 4, to: 2)
        XCTAssertEqual(halves.map { $0.map(\.index) }, [[0, 1], [2, 3]])
        XCTAssertEqual(halves[0].map(\.weight), [0.5, 0.5])
        let thirds = DigitPreparation.weights(from: 3, to: 2)
        XCTAssertEqual(thirds[0].map(\.index), [0, 1])
        XCTAssertEqual(thirds[0].map(\.weight)[0], 2.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(thirds[0].map(\.weight)[1], 1.0 / 3, accuracy: 1e-6)
        for taps in DigitPreparation.weights(from: 7, to: 3) + DigitPreparation.weights(from: 3, to: 7) {
            XCTAssertEqual(taps.reduce(0) { $0 + $1.weight }, 1, accuracy: 1e-6)
        }
    }

    func testBlankImageIsRefused() {
        for level: UInt8 in [0, 255, 180] {
            let blank = GrayImage(width: 50, height: 40, pixels: [UInt8](repeating: level, count: 50 * 40))
            XCTAssertThrowsError(try DigitPreparation.prepare(blank)) { error in
                XCTAssertEqual("\(error)", "no digit found: the image is blank (every pixel has the background's brightness)")
            }
        }
    }

    func testTinyDigitIsEnlarged() throws {
        // A 2×4 white bar on black becomes 10×20 (bilinear keeps it solid).
        var pixels = [UInt8](repeating: 0, count: 10 * 10)
        for y in 3..<7 { for x in 4..<6 { pixels[y * 10 + x] = 255 } }
        let prepared = try DigitPreparation.prepare(GrayImage(width: 10, height: 10, pixels: pixels))
        XCTAssertEqual(prepared.pixels.filter { $0 == 255 }.count, 10 * 20)
        XCTAssertEqual(prepared.pixels.filter { $0 > 0 }.count, 10 * 20)
    }
}
