import Tensor
import XCTest
@testable import NeuralNet

/// Warps of synthetic 28×28 images whose results are known exactly, and the per-seed reproducibility of random draws.
final class AugmentationTests: XCTestCase {
    /// Warps one image through `map` and returns it as rows of floats in [0, 1].
    func warp(_ pixels: [UInt8], _ map: AffineMap, side: Int = 28) -> [[Float]] {
        let x = ImageBatch.gatherWarped(pixels, imageShape: [side, side, 1], indices: [0], maps: [map], elastic: nil,
                                        seeds: [], scale: 1.0 / 255, shift: 0).scalars
        return (0..<side).map { Array(x[$0 * side..<($0 + 1) * side]) }
    }

    func image(_ lit: [(Int, Int)], side: Int = 28) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: side * side)
        for (r, c) in lit { p[r * side + c] = 255 }
        return p
    }

    /// The lit pixels (value > 0.001), with their values.
    func lit(_ y: [[Float]]) -> [Int: Float] {
        var out: [Int: Float] = [:]
        for (r, row) in y.enumerated() { for (c, v) in row.enumerated() where v > 0.001 { out[r * 100 + c] = v } }
        return out
    }

    func testOnePixelRotatedBy90DegreesTurnsCounterClockwiseAboutTheCentre() {
        // Centre (13.5, 13.5): the pixel 10.5 rows above and 3.5 columns left of it ends 10.5 columns left, 3.5 rows below.
        let y = warp(image([(3, 10)]), Augmentation.map(rotation: 90, height: 28, width: 28))
        let on = lit(y)
        XCTAssertEqual(on.count, 1, "one pixel stays one pixel: \(on)")
        XCTAssertEqual(y[17][3], 1, accuracy: 1e-5)
        // And −90° the other way.
        XCTAssertEqual(warp(image([(3, 10)]), Augmentation.map(rotation: -90, height: 28, width: 28))[10][24], 1, accuracy: 1e-5)
    }

    func testShiftedBarMovesRightAndDownByTheShift() {
        let bar = image((4..<24).map { ($0, 5) })
        let y = warp(bar, Augmentation.map(shiftX: 3, shiftY: 2, height: 28, width: 28))
        XCTAssertEqual(Set(lit(y).keys), Set((6..<26).map { $0 * 100 + 8 }))
        XCTAssertTrue(lit(y).values.allSatisfy { $0 == 1 })
        // Half a pixel: bilinear splits the bar over two columns.
        let half = warp(bar, Augmentation.map(shiftX: 0.5, height: 28, width: 28))
        XCTAssertEqual(half[10][5], 0.5, accuracy: 1e-6)
        XCTAssertEqual(half[10][6], 0.5, accuracy: 1e-6)
        XCTAssertEqual(lit(half).count, 40)
    }

    func testZoomOfACentredSquareDoublesItsSide() {
        // Rows and columns 10…17 lit; zoom factor 0.5 samples source = 0.5 · o + 6.75, so 7…20 are fully lit, the rings
        // at 6 and 21 read 0.75 of a lit pixel and those at 5 and 22 read 0.25: 16 pixels' worth per row, twice 8.
        let square = image((10...17).flatMap { r in (10...17).map { (r, $0) } })
        let y = warp(square, Augmentation.map(zoomX: 0.5, zoomY: 0.5, height: 28, width: 28))
        for r in 0..<28 {
            for c in 0..<28 {
                let edge: (Int) -> Float = { $0 >= 7 && $0 <= 20 ? 1 : ($0 == 6 || $0 == 21 ? 0.75 : ($0 == 5 || $0 == 22 ? 0.25 : 0)) }
                XCTAssertEqual(y[r][c], edge(r) * edge(c), accuracy: 1e-6, "(\(r), \(c))")
            }
        }
        // Zoom 2 shrinks it to 4 × 4 around the centre (source = 2 · (o − 13.5) + 13.5 lands on 10…17 for o in 11.75…15.25).
        let small = warp(square, Augmentation.map(zoomX: 2, zoomY: 2, height: 28, width: 28))
        XCTAssertEqual(Set(lit(small).keys), Set((12...15).flatMap { r in (12...15).map { r * 100 + $0 } }))
    }

    func testNoAugmentationCopiesTheBatchBitForBit() {
        let set = syntheticSet(count: 20)
        let plain = set.batch([3, 1, 7]).x
        let same = Augmentation().batch(set, [3, 1, 7], epoch: 1, seed: 9).x
        XCTAssertEqual(plain.scalars, same.scalars)
    }

    func testSameSeedSameBitsOtherSeedOrEpochOtherImages() {
        let set = syntheticSet(count: 64)
        let a = Augmentation(rotation: 10, zoom: 0.1, shiftX: 0.1, shiftY: 0.1, shear: 5, elastic: .init(alpha: 8, sigma: 3))
        let indices = Array(0..<64)
        let first = a.batch(set, indices, epoch: 3, seed: 42).x.scalars
        XCTAssertEqual(first, a.batch(set, indices, epoch: 3, seed: 42).x.scalars)
        XCTAssertNotEqual(first, a.batch(set, indices, epoch: 3, seed: 43).x.scalars)
        XCTAssertNotEqual(first, a.batch(set, indices, epoch: 4, seed: 42).x.scalars)
        XCTAssertNotEqual(first, set.batch(indices).x.scalars)
        // An image's draw does not depend on the batch it is in or its place there.
        let alone = a.batch(set, [17], epoch: 3, seed: 42).x.scalars
        XCTAssertEqual(alone, Array(first[17 * 784..<18 * 784]))
    }

    func testElasticDistortionMovesPixelsByAboutAlphaTimesTheSmoothedField() {
        let set = syntheticSet(count: 4)
        let none = set.batch([0, 1, 2, 3]).x.scalars
        let weak = Augmentation(elastic: .init(alpha: 0.001, sigma: 4)).batch(set, [0, 1, 2, 3], epoch: 1, seed: 1).x.scalars
        let strong = Augmentation(elastic: .init(alpha: 30, sigma: 4)).batch(set, [0, 1, 2, 3], epoch: 1, seed: 1).x.scalars
        let d = { (a: [Float], b: [Float]) in zip(a, b).map { abs($0 - $1) }.max()! }
        XCTAssertLessThan(d(none, weak), 0.01)
        XCTAssertGreaterThan(d(none, strong), 0.3)
    }

    func testTrainingAugmentsOnlyTrainingBatchesValidationIsScoredOnTheOriginals() throws {
        let set = syntheticSet(count: 96)
        let (train, validation) = set.splitValidation(0.25)
        let model = try Model(name: "m", inputShape: [28, 28, 1], layers: [
            .conv2d(name: "c", filters: 2, kernel: 3, stride: 2, padding: .same, activation: .relu, useBias: true),
            .flatten(name: "f"), .dense(name: "out", units: 3, activation: .softmax, useBias: true)], seed: 3)
        var c = TrainingConfiguration()
        c.epochs = 1; c.batchSize = 16; c.removeCallbacks()
        c.augmentation = Augmentation(rotation: 30, zoom: 0.2, shiftX: 0.2, shiftY: 0.2)
        let before = validation.batch(Array(0..<validation.count)).x.scalars
        let history = try fit(model, training: train, validation: validation, configuration: c)
        let scored = model.evaluate(validation, batchSize: 16)
        XCTAssertEqual(history.epochs[0].valLoss, scored.loss)
        XCTAssertEqual(history.epochs[0].valAccuracy, scored.accuracy)
        XCTAssertEqual(validation.batch(Array(0..<validation.count)).x.scalars, before)
        // And the training batches were warped: the same run without augmentation ends elsewhere.
        let plain = try Model(name: "m", inputShape: [28, 28, 1], layers: model.specs, seed: 3)
        c.augmentation = nil
        let plainHistory = try fit(plain, training: train, validation: validation, configuration: c)
        XCTAssertNotEqual(plainHistory.epochs[0].loss, history.epochs[0].loss)
    }

    /// Bars at a class-dependent column, so images differ and warps show.
    func syntheticSet(count: Int) -> ImageSet {
        var pixels = [UInt8](repeating: 0, count: count * 784)
        for i in 0..<count {
            for r in 6..<22 { pixels[i * 784 + r * 28 + 8 + (i % 3) * 5] = UInt8(100 + i % 150) }
            pixels[i * 784 + 14 * 28 + (i % 20) + 4] = 255
        }
        return ImageSet(pixels: pixels, labels: (0..<count).map { $0 % 3 }, imageShape: [28, 28, 1])
    }
}
