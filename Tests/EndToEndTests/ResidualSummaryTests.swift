import NeuralNet
@testable import Stages
import XCTest

/// The build step's summary and diagram of a residual network, both derived from the model's graph.
final class ResidualSummaryTests: XCTestCase {
    private func model() throws -> Model {
        try Model(name: "resnet", inputShape: [28, 28, 1], layers: [
            .conv2d(name: "stem", filters: 8, kernel: 3, stride: 1, padding: .same, activation: .relu, useBias: true),
            .residual(name: "block1", filters: 8, kernel: 3, strides: 1),
            .residual(name: "block2", filters: 16, kernel: 3, strides: 2),
            .globalAvgPool(name: "gap"),
            .dense(name: "output", units: 10, activation: .softmax, useBias: true),
        ], seed: 1)
    }

    func testSummaryListsTheBlocksInnerLayersLikeKerasFunctionalSummary() throws {
        let summary = ModelSummary(try model())
        XCTAssertEqual(summary.rows.map(\.name), [
            "stem",
            "block1/conv_a", "block1/bn_a", "block1/relu_a", "block1/conv_b", "block1/bn_b", "block1/add", "block1/relu",
            "block2/conv_a", "block2/bn_a", "block2/relu_a", "block2/conv_b", "block2/bn_b",
            "block2/shortcut_conv", "block2/shortcut_bn", "block2/add", "block2/relu",
            "gap", "output",
        ])
        // block2's first convolution: 3·3·8·16 weights, no bias (Keras: use_bias=False); the shortcut 1·1·8·16.
        XCTAssertEqual(summary.rows[8].parameters, 1_152)
        XCTAssertEqual(summary.rows[13].parameters, 128)
        XCTAssertEqual(summary.rows[15].outputShape, [14, 14, 16])
        XCTAssertEqual(summary.rows.map(\.parameters).reduce(0, +), summary.total, "the rows add up to the model's parameters")
    }

    func testDiagramDrawsEachBlockAsAClusterWithItsSkipEdge() throws {
        let dot = architectureDOT(try model(), rankdir: "TB", showShapes: true)
        XCTAssertTrue(dot.contains("subgraph \"cluster_block1\" {"), dot)
        XCTAssertTrue(dot.contains("subgraph \"cluster_block2\" {"), dot)
        // block1's Add (node 6) takes the stem (node 0) around the block; block2's takes its shortcut batch norm (node 14).
        XCTAssertTrue(dot.contains("  node0 -> node6 [style=dashed, color=\"#d97706\", label=\"skip\", fontsize=9];"), dot)
        XCTAssertTrue(dot.contains("  node14 -> node15 [style=dashed, color=\"#d97706\", label=\"skip\", fontsize=9];"), dot)
        XCTAssertTrue(dot.contains("  input -> node0;"), dot)
        XCTAssertEqual(dot.components(separatedBy: "label=\"skip\"").count - 1, 2, "one skip edge per block")
    }
}
