import Foundation
import Tensor
import XCTest

/// oneDNN's int8 kernels against plain reference loops over the same integers.
/// Inputs stay ≤ 127 and s8-input weights even, so no CPU path can saturate or round differently
/// (pre-VNNI CPUs add pairs of u8·s8 products in int16, and halve the weights for s8 inputs).
final class QuantizedKernelTests: XCTestCase {
    var rng = SystemRandomNumberGenerator()

    struct Conv {
        var n = 2, h = 7, w = 6, ci = 3, co = 5, k = 3, stride = 1, same = true
    }

    func values(_ count: Int, _ range: ClosedRange<Int>, even: Bool = false) -> [Int] {
        (0..<count).map { _ in let v = Int.random(in: range, using: &rng); return even ? v / 2 * 2 : v }
    }

    func floats(_ count: Int, _ range: ClosedRange<Float>) -> [Float] { (0..<count).map { _ in Float.random(in: range, using: &rng) } }

    /// The requantisation as `Requantization` documents it.
    func requantize(_ acc: Int, channel c: Int, _ r: Requantization) -> Float {
        let z = Float(acc) * r.inputScale * r.weightScales[c] + r.bias[c]
        var a: Float
        switch r.activation {
        case .relu: a = max(z, 0)
        case .sigmoid: a = 1 / (1 + exp(-z))
        case .tanh: a = tanh(z)
        default: a = z
        }
        a = a * (r.postScale?[c] ?? 1) + (r.postShift?[c] ?? 0)
        guard let type = r.outputType else { return a }
        return min(max((a / r.outputScale).rounded(.toNearestOrEven), Float(type.range.lowerBound)), Float(type.range.upperBound))
    }

    func referenceConvolution(_ x: [Int], _ wts: [Int], _ g: Conv, _ r: Requantization) -> [Float] {
        let (oh, pt, _) = Convolution.outputSize(g.h, g.k, g.stride, g.same)
        let (ow, pl, _) = Convolution.outputSize(g.w, g.k, g.stride, g.same)
        var out: [Float] = []
        for b in 0..<g.n { for i in 0..<oh { for j in 0..<ow { for c in 0..<g.co {
            var acc = 0
            for ki in 0..<g.k { for kj in 0..<g.k {
                let y = i * g.stride + ki - pt, xx = j * g.stride + kj - pl
                guard y >= 0, y < g.h, xx >= 0, xx < g.w else { continue }
                for ic in 0..<g.ci {
                    acc += x[((b * g.h + y) * g.w + xx) * g.ci + ic] * wts[((ki * g.k + kj) * g.ci + ic) * g.co + c]
                }
            } }
            out.append(requantize(acc, channel: c, r))
        } } } }
        return out
    }

    func assertClose(_ got: [Float], _ want: [Float], step: Float, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, file: file, line: line)
        let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, step, "largest difference \(worst)", file: file, line: line)
        // Most values agree exactly: a wrong bias or scale would move all of them.
        let exact = zip(got, want).filter { $0 == $1 }.count
        XCTAssertGreaterThan(Double(exact) / Double(max(got.count, 1)), step >= 1 ? 0.9 : 0, file: file, line: line)
    }

    func checkConvolution(_ g: Conv, input: QuantizedType, _ r: Requantization) {
        let xv = input == .u8 ? values(g.n * g.h * g.w * g.ci, 0...127) : values(g.n * g.h * g.w * g.ci, -127...127)
        let wv = values(g.k * g.k * g.ci * g.co, -127...127, even: input == .s8)
        let conv = QuantizedConvolution(height: g.h, width: g.w, inputChannels: g.ci, outputChannels: g.co, kernelSize: g.k,
                                        stride: g.stride, samePadding: g.same, weights: wv.map { Int8($0) }, inputType: input,
                                        requantization: r)
        let x = QuantizedTensor(shape: [g.n, g.h, g.w, g.ci], type: input, scale: r.inputScale, values: xv)
        let want = referenceConvolution(xv, wv, g, r)
        if r.outputType == nil {
            let y = conv.forwardFloat(x)
            let scale = max(1, want.map(abs).max()!)
            assertClose(y.scalars.map { $0 / scale }, want.map { $0 / scale }, step: 1e-5)
        } else {
            let y = conv.forward(x)
            XCTAssertEqual(y.shape, [g.n, Convolution.outputSize(g.h, g.k, g.stride, g.same).0,
                                     Convolution.outputSize(g.w, g.k, g.stride, g.same).0, g.co])
            XCTAssertEqual(y.scale, r.outputScale)
            assertClose(y.values.map(Float.init), want, step: 1)
        }
    }

    func testConvolutionU8ReLUShiftToS8() {
        let g = Conv()
        checkConvolution(g, input: .u8, Requantization(inputScale: 0.01, weightScales: floats(g.co, 0.001...0.004),
                                                       bias: floats(g.co, -0.5...0.5), activation: .relu,
                                                       postShift: floats(g.co, -0.3...0.3), outputType: .s8, outputScale: 0.02))
    }

    func testConvolutionU8ReLUSignedScaleToU8() {
        let g = Conv(n: 3, h: 28, w: 28, ci: 1, co: 8, k: 3)
        checkConvolution(g, input: .u8, Requantization(inputScale: 1.0 / 255, weightScales: floats(g.co, 0.002...0.01),
                                                       bias: floats(g.co, -0.2...0.2), activation: .relu,
                                                       postScale: (0..<g.co).map { $0 % 3 == 0 ? -1 : 1 },
                                                       postShift: floats(g.co, 0.5...1), outputType: .u8, outputScale: 0.01))
    }

    func testConvolutionS8StridedSigmoidToU8() {
        let g = Conv(n: 2, h: 9, w: 8, ci: 4, co: 6, k: 3, stride: 2, same: false)
        checkConvolution(g, input: .s8, Requantization(inputScale: 0.02, weightScales: floats(g.co, 0.001...0.003),
                                                       bias: floats(g.co, -1...1), activation: .sigmoid,
                                                       postScale: floats(g.co, 0.5...2), postShift: floats(g.co, 0...0.5),
                                                       outputType: .u8, outputScale: 2.5 / 255))
    }

    func testConvolutionS8TanhAndLinearToFloat() {
        let g = Conv(n: 1, h: 5, w: 5, ci: 16, co: 4, k: 3, stride: 1, same: true)
        checkConvolution(g, input: .s8, Requantization(inputScale: 0.05, weightScales: floats(g.co, 0.001...0.002),
                                                       bias: floats(g.co, -1...1), activation: .tanh, outputType: .s8,
                                                       outputScale: 1.0 / 127))
        checkConvolution(g, input: .s8, Requantization(inputScale: 0.05, weightScales: floats(g.co, 0.001...0.002),
                                                       bias: floats(g.co, -1...1), activation: .linear, outputType: nil))
    }

    func checkInnerProduct(n: Int, inputs: Int, outputs: Int, input: QuantizedType, _ r: Requantization) {
        let xv = input == .u8 ? values(n * inputs, 0...127) : values(n * inputs, -127...127)
        let wv = values(inputs * outputs, -127...127, even: input == .s8)
        let ip = QuantizedInnerProduct(inputs: inputs, outputs: outputs, weights: wv.map { Int8($0) }, inputType: input, requantization: r)
        let x = QuantizedTensor(shape: [n, inputs], type: input, scale: r.inputScale, values: xv)
        var want: [Float] = []
        for b in 0..<n { for c in 0..<outputs {
            var acc = 0
            for i in 0..<inputs { acc += xv[b * inputs + i] * wv[i * outputs + c] }
            want.append(requantize(acc, channel: c, r))
        } }
        if r.outputType == nil {
            let scale = max(1, want.map(abs).max()!)
            assertClose(ip.forwardFloat(x).scalars.map { $0 / scale }, want.map { $0 / scale }, step: 1e-5)
        } else {
            assertClose(ip.forward(x).values.map(Float.init), want, step: 1)
        }
    }

    func testInnerProductU8ReLUToU8() {
        checkInnerProduct(n: 4, inputs: 300, outputs: 16, input: .u8,
                          Requantization(inputScale: 0.01, weightScales: floats(16, 0.0005...0.001), bias: floats(16, -1...1),
                                         activation: .relu, outputType: .u8, outputScale: 0.05))
    }

    func testInnerProductS8ToFloatLogits() {
        checkInnerProduct(n: 3, inputs: 64, outputs: 10, input: .s8,
                          Requantization(inputScale: 0.03, weightScales: floats(10, 0.001...0.01), bias: floats(10, -2...2),
                                         activation: .linear, outputType: nil))
        checkInnerProduct(n: 3, inputs: 64, outputs: 10, input: .s8,
                          Requantization(inputScale: 0.03, weightScales: floats(10, 0.001...0.01), bias: floats(10, -2...2),
                                         activation: .relu, postScale: floats(10, -1...1), postShift: floats(10, -1...1),
                                         outputType: .s8, outputScale: 0.05))
    }

    func testMaxPoolingIsExact() {
        for type in [QuantizedType.u8, .s8] {
            let (n, h, w, c, p) = (2, 7, 6, 3, 2)
            let xv = values(n * h * w * c, type.range)
            let pool = QuantizedMaxPooling(height: h, width: w, channels: c, pool: p, type: type)
            let y = pool.forward(QuantizedTensor(shape: [n, h, w, c], type: type, scale: 0.5, values: xv))
            var want: [Int] = []
            for b in 0..<n { for i in 0..<(h / p) { for j in 0..<(w / p) { for ch in 0..<c {
                var m = Int.min
                for di in 0..<p { for dj in 0..<p { m = max(m, xv[((b * h + i * p + di) * w + j * p + dj) * c + ch]) } }
                want.append(m)
            } } } }
            XCTAssertEqual(y.shape, [n, 3, 3, c])
            XCTAssertEqual(y.scale, 0.5)
            XCTAssertEqual(y.values, want)
        }
    }

    /// Strides other than the window and "same" padding (the odd pixel bottom/right, padding never the max), as MaxPooling.
    func testStridedAndSamePaddedMaxPoolingIsExact() {
        for (type, pool, stride, same) in [(QuantizedType.s8, 3, 2, false), (.u8, 3, 2, true), (.s8, 2, 1, true), (.u8, 2, 2, true)] {
            let (n, h, w, c) = (2, 7, 6, 3)
            let xv = values(n * h * w * c, type.range)
            let kernel = QuantizedMaxPooling(height: h, width: w, channels: c, pool: pool, stride: stride, samePadding: same, type: type)
            let y = kernel.forward(QuantizedTensor(shape: [n, h, w, c], type: type, scale: 0.25, values: xv))
            let (oh, top, _) = Convolution.outputSize(h, pool, stride, same)
            let (ow, left, _) = Convolution.outputSize(w, pool, stride, same)
            var want: [Int] = []
            for b in 0..<n { for i in 0..<oh { for j in 0..<ow { for ch in 0..<c {
                var m = Int.min
                for di in 0..<pool { for dj in 0..<pool {
                    let y = i * stride + di - top, x = j * stride + dj - left
                    if y >= 0, y < h, x >= 0, x < w { m = max(m, xv[((b * h + y) * w + x) * c + ch]) }
                } }
                want.append(m)
            } } } }
            XCTAssertEqual(y.shape, [n, oh, ow, c], "\(type) pool \(pool) stride \(stride) same \(same)")
            XCTAssertEqual(y.values, want, "\(type) pool \(pool) stride \(stride) same \(same)")
        }
    }

    func testQuantizeRoundsHalfToEvenAndSaturates() {
        let x = Tensor(shape: [6], scalars: [0.5, 1.5, 2.5, -0.5, 1000, -1000])
        XCTAssertEqual(QuantizedTensor(quantizing: x, type: .s8, scale: 1).values, [0, 2, 2, 0, 127, -128])
        XCTAssertEqual(QuantizedTensor(quantizing: x, type: .u8, scale: 1).values, [0, 2, 2, 0, 255, 0])
        XCTAssertEqual(QuantizedTensor(quantizing: x, type: .u8, scale: 0.5).dequantized().scalars, [0.5, 1.5, 2.5, 0, 127.5, 0])
    }
}
