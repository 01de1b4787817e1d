// The training kernels split their rows over the threads: 1, 2 and 3 threads must agree, batch norm within the rounding
// of a different summation order and max pooling bit for bit. A lost, doubled or misplaced row shows up here.
import XCTest
@testable import Tensor

final class ThreadAgreementTests: XCTestCase {
    /// Deterministic values in [offset − 1, offset + 1), every third one 0 when `zeros` (a ReLU's dead units).
    func values(_ count: Int, seed: UInt64, offset: Float = 0, zeros: Bool = false) -> [Float] {
        var state = seed
        return (0..<count).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            if zeros && i % 3 == 0 { return 0 }
            return offset + Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
    }

    /// ‖a − b‖ / ‖b‖ over two equally long arrays (0 when both are 0).
    func relativeDifference(_ a: [Float], _ b: [Float]) -> Double {
        var difference = 0.0, norm = 0.0
        for (u, v) in zip(a, b) {
            difference += (Double(u) - Double(v)) * (Double(u) - Double(v))
            norm += Double(v) * Double(v)
        }
        return norm == 0 ? difference.squareRoot() : (difference / norm).squareRoot()
    }

    // MARK: batch norm

    /// Every output of one training forward and masked backward pass at `threads`, by name.
    func batchNorm(_ shape: [Int], threads: Int) -> [String: [Float]] {
        let c = shape.last!, n = shape.reduce(1, *)
        let x = Tensor(shape: shape, scalars: values(n, seed: 1, offset: 0.4, zeros: true))
        let dy = Tensor(shape: shape, scalars: values(n, seed: 2))
        let gamma = Tensor(shape: [c], scalars: values(c, seed: 3, offset: 1)), beta = Tensor(shape: [c], scalars: values(c, seed: 4))
        return Threads.withTeam(threads) {
            let kernel = BatchNormalization(channels: c, epsilon: 1e-3)
            let (y, mean, variance) = kernel.forwardTraining(x, gamma: gamma, beta: beta)
            let (dx, dgamma, dbeta) = kernel.backward(dy, x: x, gamma: gamma, mean: mean, variance: variance, maskNonPositiveInput: true)
            return ["y": y.scalars, "mean": mean.scalars, "variance": variance.scalars, "dx": dx.scalars,
                    "dgamma": dgamma.scalars, "dbeta": dbeta.scalars]
        }
    }

    /// `shape`'s rows go to `parts` threads at 2 and 3 threads; every output agrees with one thread's to `tolerance`.
    func checkBatchNorm(_ shape: [Int], parts: [Int: Int], tolerance: Double = 1e-5, file: StaticString = #filePath, line: UInt = #line) {
        let c = shape.last!, rows = shape.reduce(1, *) / c
        let one = batchNorm(shape, threads: 1)
        for threads in [2, 3] {
            // The split this shape is meant to exercise really happens (else the comparison proves nothing).
            let split = Threads.withTeam(threads) { Parallel.parts(rows, minimumPerThread: BatchNormalization.rowsPerThread(c)) }
            XCTAssertEqual(split, parts[threads], "\(shape) at \(threads) threads: parts", file: file, line: line)
            let many = batchNorm(shape, threads: threads)
            for (name, reference) in one {
                let d = relativeDifference(many[name]!, reference)
                XCTAssertLessThan(d, tolerance, "\(shape) \(name) at \(threads) threads against 1", file: file, line: line)
            }
        }
    }

    func testBatchNormOfConv1Batch64() { checkBatchNorm([64, 28, 28, 32], parts: [2: 2, 3: 3]) }

    func testBatchNormOfConv2Batch50() { checkBatchNorm([50, 14, 14, 64], parts: [2: 2, 3: 3]) }

    func testBatchNormOfConv1Batch17() { checkBatchNorm([17, 28, 28, 32], parts: [2: 2, 3: 3]) }

    /// 2,049 and 3,073 rows of 32 channels: parts of 1,025 and 1,024, of 1,025, 1,025 and 1,023 (a block of 32 cut).
    func testBatchNormUnevenParts() {
        checkBatchNorm([2049, 32], parts: [2: 2, 3: 2])
        checkBatchNorm([3073, 32], parts: [2: 2, 3: 3])
    }

    /// 32,768 channels: one row per thread, and 4 rows at 3 threads leave the third part empty (chunks of 2).
    func testBatchNormOneRowPerThread() {
        checkBatchNorm([2, 32768], parts: [2: 2, 3: 2])
        checkBatchNorm([3, 32768], parts: [2: 2, 3: 3])
        checkBatchNorm([4, 32768], parts: [2: 2, 3: 3])
    }

    // MARK: max pooling

    /// Output and input gradient of the 2×2 training pool at `threads`.
    func pool(n: Int, h: Int, w: Int, c: Int, threads: Int) -> (y: [Float], dx: [Float]) {
        let x = Tensor(shape: [n, h, w, c], scalars: values(n * h * w * c, seed: 5, zeros: true))
        let dy = Tensor(shape: [n, h / 2, w / 2, c], scalars: values(n * h * w * c / 4, seed: 6, offset: 2))   // never 0
        return Threads.withTeam(threads) {
            let kernel = MaxPooling(height: h, width: w, channels: c, pool: 2)
            let (y, ws) = kernel.forward(x, training: true)
            return (y.scalars, kernel.backward(dy, workspace: ws!).scalars)
        }
    }

    /// No arithmetic, so the same bits at every thread count.
    func checkPool(n: Int, h: Int, w: Int, c: Int, parts: [Int: Int], file: StaticString = #filePath, line: UInt = #line) {
        let kernel = MaxPooling(height: h, width: w, channels: c, pool: 2)
        XCTAssertTrue(kernel.ownKernels, file: file, line: line)
        let one = pool(n: n, h: h, w: w, c: c, threads: 1)
        for threads in [2, 3] {
            let split = Threads.withTeam(threads) { Parallel.parts(n * h / 2, minimumPerThread: kernel.rowsPerThread) }
            XCTAssertEqual(split, parts[threads], "\(n)×\(h)×\(w)×\(c) at \(threads) threads: parts", file: file, line: line)
            let many = pool(n: n, h: h, w: w, c: c, threads: threads)
            XCTAssertTrue(many.y == one.y, "forward at \(threads) threads", file: file, line: line)
            XCTAssertTrue(many.dx == one.dx, "backward at \(threads) threads", file: file, line: line)
        }
    }

    func testPoolOfConv1Batch64() { checkPool(n: 64, h: 28, w: 28, c: 32, parts: [2: 2, 3: 3]) }

    func testPoolOfConv2Batch50() { checkPool(n: 50, h: 14, w: 14, c: 64, parts: [2: 2, 3: 3]) }

    func testPoolOfConv2Batch17() { checkPool(n: 17, h: 14, w: 14, c: 64, parts: [2: 2, 3: 3]) }

    /// 8,192 channels of 2×2 images: one output row per thread; 4 rows at 3 threads leave the third part empty.
    func testPoolOneRowPerThread() {
        checkPool(n: 3, h: 2, w: 2, c: 8192, parts: [2: 2, 3: 3])
        checkPool(n: 4, h: 2, w: 2, c: 8192, parts: [2: 2, 3: 3])
    }
}
