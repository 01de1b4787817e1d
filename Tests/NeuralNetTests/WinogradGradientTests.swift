import XCTest
@testable import NeuralNet
@testable import Tensor

/// Conv2D layers whose 3×3 stride-1 convolutions with 16 channels run on Winograd F(2,3) in training (forward pass and,
/// with 'same' padding, the input gradient) against central finite differences.
final class WinogradGradientTests: XCTestCase {
    /// The layer's convolution took the Winograd path in a training step (a gradient check of oneDNN proves nothing here).
    func assertRunsWinograd(_ spec: LayerSpec, input: [Int], inputGradient: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        var rng = SeededGenerator(seed: 1)
        let layer = try XCTUnwrap(try spec.makeLayer(inputShape: input, rng: &rng) as? Conv2D)
        layer.computesInputGradient = true
        let y = layer.forward(randomTensor([2] + input, seed: 2), training: true)
        _ = layer.backward(randomTensor(y.shape, seed: 3))
        XCTAssertNotNil(layer.convolution.winogradForward, "\(spec.name): forward", file: file, line: line)
        XCTAssertEqual(layer.convolution.winogradBackwardData != nil, inputGradient, "\(spec.name): input gradient", file: file, line: line)
    }

    // Linear only: with 16 channels × 9 taps a step of h moves so many pre-activations across ReLU's kink that central
    // differences miss by up to half a term, and tanh or sigmoid made a check take 13.6 s instead of 2 (measured) while
    // checking nothing more of Winograd's. The fused ReLU's forward is checked against the direct loop in WinogradTrainingTests; activations'
    // derivatives are Conv2D's, the same on every path (LayerGradientTests).
    func testSamePaddingLinear() throws {
        // The bias added in the kernel's output transform; the input gradient through the rotated weights.
        let spec = LayerSpec.conv2d(name: "conv", filters: 16, kernel: 3, stride: 1, padding: .same, activation: .linear, useBias: true)
        try assertRunsWinograd(spec, input: [5, 7, 16], inputGradient: true)
        try checkLayer(spec, input: [5, 7, 16], batch: 2)
    }

    func testSamePaddingWithoutBias() throws {
        let spec = LayerSpec.conv2d(name: "conv", filters: 32, kernel: 3, stride: 1, padding: .same, activation: .linear, useBias: false)
        try assertRunsWinograd(spec, input: [4, 3, 16], inputGradient: true)
        try checkLayer(spec, input: [4, 3, 16], batch: 2)
    }

    func testValidPadding() throws {
        // 'valid': the forward pass on Winograd, the input gradient (pad 2) on oneDNN.
        let spec = LayerSpec.conv2d(name: "conv", filters: 16, kernel: 3, stride: 1, padding: .valid, activation: .linear, useBias: true)
        try assertRunsWinograd(spec, input: [6, 5, 16], inputGradient: false)
        try checkLayer(spec, input: [6, 5, 16], batch: 2)
    }
}
