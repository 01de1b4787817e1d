// The report's pixel helpers read only the images of their set: a slice shares the whole set's bytes.
import NeuralNet
@testable import Stages
import XCTest

final class PixelHelperTests: XCTestCase {
    func testHelpersReadOnlyTheImagesOfASlice() {
        let set = ImageSet(pixels: [0, 0, 0, 0, 10, 10, 10, 10, 20, 20, 20, 30], labels: [0, 1, 2], imageShape: [2, 2, 1])
        let tail = set.slice(1..<3)
        XCTAssertEqual(Array(tail.ownPixels), [10, 10, 10, 10, 20, 20, 20, 30])
        XCTAssertEqual(grayImage(tail, 0).pixels, [10, 10, 10, 10])
        XCTAssertEqual(grayImage(tail, 1).pixels, [20, 20, 20, 30])
        let statistics = PixelStatistics(tail.ownPixels)
        XCTAssertEqual(statistics.min, 10)
        XCTAssertEqual(statistics.max, 30)
        XCTAssertEqual(statistics.mean, 16.25)
        XCTAssertEqual(statistics.zeroFraction, 0)
        let (means, counts) = classMeanImages(tail, classes: 3)
        XCTAssertEqual(counts, [0, 1, 1])
        XCTAssertEqual(means[1].pixels, [10, 10, 10, 10])
        XCTAssertEqual(means[2].pixels, [20, 20, 20, 30])
    }
}
