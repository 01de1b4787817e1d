import Tensor
import XCTest

/// The bf16 convolution against the fp32 one: the same results to bf16's precision (8 bits of mantissa).
final class ConvolutionPrecisionTests: XCTestCase {
    private func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var s = seed
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in
            s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(s >> 40) / Float(1 << 24) * 2 - 1
        })
    }

    /// Largest difference relative to the largest magnitude of the fp32 result.
    private func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        a.maxAbsDifference(b) / max(b.scalars.map(abs).max() ?? 0, 1e-6)
    }

    func testBFloat16ConvolutionMatchesFloat32ToBFloat16Precision() throws {
        try XCTSkipUnless(BFloat16.isSupported, "this CPU has no bf16 instructions")
        func make() -> Convolution {
            Convolution(height: 9, width: 9, inputChannels: 16, outputChannels: 32, kernelSize: 3, samePadding: true, fusedReLU: true)
        }
        let fp32 = make(), bf16 = make()
        bf16.bfloat16 = true
        let x = random([4, 9, 9, 16], seed: 1), w = random([3, 3, 16, 32], seed: 2), b = random([32], seed: 3)
        let dy = random([4, 9, 9, 32], seed: 4)
        let y32 = fp32.forward(x, weights: w, bias: b), y16 = bf16.forward(x, weights: w, bias: b)
        XCTAssertGreaterThan(y16.maxAbsDifference(y32), 0, "bf16 products round differently from fp32")
        XCTAssertLessThan(relativeError(y16, y32), 0.02)
        let g32 = fp32.backward(x, dy, weights: w, inputGradient: true)
        let g16 = bf16.backward(x, dy, weights: w, inputGradient: true)
        XCTAssertLessThan(relativeError(try XCTUnwrap(g16.input), try XCTUnwrap(g32.input)), 0.02)
        XCTAssertLessThan(relativeError(g16.weights, g32.weights), 0.02)
        XCTAssertLessThan(relativeError(try XCTUnwrap(g16.bias), try XCTUnwrap(g32.bias)), 0.02)
    }
}
