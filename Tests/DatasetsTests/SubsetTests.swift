// Stratified, seeded subsets and the Keras-style validation split.
import XCTest
@testable import Datasets

final class SubsetTests: XCTestCase {
    /// Imbalanced classes: class c has 20 + 10c images, interleaved; each image's pixels hold its index.
    private func imbalanced() -> LabeledImages {
        var labels: [UInt8] = []
        var remaining = (0..<10).map { 20 + 10 * $0 }
        while remaining.contains(where: { $0 > 0 }) {
            for c in 0..<10 where remaining[c] > 0 { labels.append(UInt8(c)); remaining[c] -= 1 }
        }
        var images: [UInt8] = []
        for i in labels.indices { images += [UInt8(i & 0xff), UInt8(i >> 8), 0, 0] }
        return LabeledImages(images: images, labels: labels, rows: 2, cols: 2)
    }

    /// The original index of each image of a subset, read back from its first two pixels.
    private func indices(of subset: LabeledImages) -> [Int] {
        (0..<subset.count).map { i in
            let pixels = Array(subset.image(i))
            return Int(pixels[0]) | Int(pixels[1]) << 8
        }
    }

    func testLimitedKeepsEveryClassInProportion() {
        let all = imbalanced()
        XCTAssertEqual(all.count, 650)
        let subset = all.limited(to: 65, seed: 42)
        XCTAssertEqual(subset.count, 65)
        let counts = subset.classCounts(classes: 10)
        XCTAssertTrue(counts.allSatisfy { $0 > 0 }, "\(counts)")
        for c in 0..<10 {
            let proportional = 65.0 * Double(20 + 10 * c) / 650.0
            XCTAssertLessThanOrEqual(abs(Double(counts[c]) - proportional), 1.0, "class \(c): \(counts)")
        }
        // Images travel with their labels and keep their original order.
        let picked = indices(of: subset)
        XCTAssertEqual(picked, picked.sorted())
        XCTAssertEqual(picked.map { all.labels[$0] }, subset.labels)
    }

    func testLimitedIsDeterministicGivenASeed() {
        let all = imbalanced()
        XCTAssertEqual(all.limited(to: 100, seed: 7), all.limited(to: 100, seed: 7))
        XCTAssertNotEqual(all.limited(to: 100, seed: 7), all.limited(to: 100, seed: 8))
        XCTAssertEqual(all.limited(to: 100, seed: 8).classCounts(classes: 10), all.limited(to: 100, seed: 7).classCounts(classes: 10))
    }

    func testLimitedEdgeCases() {
        let all = imbalanced()
        XCTAssertEqual(all.limited(to: 650, seed: 1), all)
        XCTAssertEqual(all.limited(to: 10_000, seed: 1), all)
        XCTAssertEqual(all.limited(to: 0, seed: 1).count, 0)
        XCTAssertEqual(all.limited(to: 10, seed: 1).classCounts(classes: 10), [Int](repeating: 1, count: 10))
        // Fewer than the classes: as many classes as there is room for, one image each.
        XCTAssertEqual(all.limited(to: 3, seed: 1).classCounts(classes: 10), [1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(all.limited(to: 649, seed: 1).count, 649)
    }

    func testValidationSplitTakesTheEndLikeKeras() {
        let labels = (0..<60000).map { UInt8($0 % 10) }
        let images = (0..<60000).map { UInt8(truncatingIfNeeded: $0 / 7) }
        let all = LabeledImages(images: images, labels: labels, rows: 1, cols: 1)
        let (train, validation) = all.split(validationFraction: 0.2)
        XCTAssertEqual(train.count, 48000)
        XCTAssertEqual(validation.count, 12000)
        XCTAssertEqual(train.images, Array(images[..<48000]))
        XCTAssertEqual(validation.images, Array(images[48000...]))
        XCTAssertEqual(validation.labels, Array(labels[48000...]))

        // Keras: split_at = int(n * (1 - fraction)).
        let small = LabeledImages(images: [UInt8](repeating: 0, count: 7), labels: [UInt8](repeating: 0, count: 7), rows: 1, cols: 1)
        XCTAssertEqual(small.split(validationFraction: 0.3).train.count, Int(7.0 * 0.7))
        XCTAssertEqual(small.split(validationFraction: 0).validation.count, 0)
        XCTAssertEqual(small.split(validationFraction: 1).train.count, 0)
    }
}
