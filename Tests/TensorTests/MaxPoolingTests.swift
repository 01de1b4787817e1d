// The 2×2 training pool kernels against the direct loop: a max and where it goes are exact, whatever the CPU.
import XCTest
@testable import Tensor

final class MaxPoolingTests: XCTestCase {
    func check(n: Int, h: Int, w: Int, c: Int, file: StaticString = #filePath, line: UInt = #line) {
        let pool = MaxPooling(height: h, width: w, channels: c, pool: 2)
        XCTAssertTrue(pool.ownKernels, file: file, line: line)
        // Distinct values in a scrambled order, and the gradient a different scramble.
        let count = n * h * w * c
        let x = Tensor(shape: [n, h, w, c], scalars: (0..<count).map { Float(($0 * 7919) % count) - Float(count / 2) })
        let oh = h / 2, ow = w / 2
        let dy = Tensor(shape: [n, oh, ow, c], scalars: (0..<(n * oh * ow * c)).map { Float(($0 * 104_729) % 1000) + 1 })
        let (y, ws) = pool.forward(x, training: true)
        let dx = pool.backward(dy, workspace: ws!)
        var expectedY = [Float](repeating: 0, count: y.count), expectedDx = [Float](repeating: 0, count: count)
        for b in 0..<n {
            for i in 0..<oh {
                for j in 0..<ow {
                    for k in 0..<c {
                        var best = -Float.infinity, at = 0
                        for (di, dj) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                            let index = ((b * h + 2 * i + di) * w + 2 * j + dj) * c + k
                            if x[flat: index] > best { best = x[flat: index]; at = index }
                        }
                        let out = ((b * oh + i) * ow + j) * c + k
                        expectedY[out] = best
                        expectedDx[at] = dy[flat: out]
                    }
                }
            }
        }
        XCTAssertEqual(y.scalars, expectedY, "forward", file: file, line: line)
        XCTAssertEqual(dx.scalars, expectedDx, "backward", file: file, line: line)
        // Inference (oneDNN) gives the same maxima.
        XCTAssertEqual(pool.forward(x, training: false).y.scalars, expectedY, "inference", file: file, line: line)
    }

    func testChannelsNotAMultipleOfTheVector() { check(n: 3, h: 6, w: 4, c: 5) }

    func testRowsSplitOverThreads() { check(n: 16, h: 28, w: 28, c: 32) }

    func testOddSizesStayOnOneDNN() {
        XCTAssertFalse(MaxPooling(height: 5, width: 6, channels: 2, pool: 2).ownKernels)
        XCTAssertFalse(MaxPooling(height: 6, width: 6, channels: 2, pool: 2, stride: 1).ownKernels)
        XCTAssertFalse(MaxPooling(height: 6, width: 6, channels: 2, pool: 3).ownKernels)
    }
}
