import XCTest
@testable import Notebook

/// `check`'s messages for augmentation, the new layers and ensembles: position, parameter and allowed range.
final class DeeperValidationTests: XCTestCase {
    func testAugmentationRangesOutOfBounds() {
        XCTAssertEqual(errorText("""
            ```load
            ```
            ```preprocess
            augment:
              rotation: 200
              zoom: 1
              shift: {x: 0.1, y: 1.5}
              shear: 90
              elastic: {alpha: 34, sigma: 0}
            ```
            """), """
            nb.md:5:3: preprocess: 'augment.rotation' must be in [0, 180], got 200
            nb.md:6:3: preprocess: 'augment.zoom' must be in [0, 1), got 1
            nb.md:7:19: preprocess: 'augment.shift.y' must be in [0, 1), got 1.5
            nb.md:8:3: preprocess: 'augment.shear' must be in [0, 90), got 90
            nb.md:9:24: preprocess: 'augment.elastic.sigma' must be in (0, 20], got 0
            """)
        XCTAssertEqual(errorText("```load\n```\n```preprocess\naugment: {shift: 1}\n```"),
                       "nb.md:4:11: preprocess: 'augment.shift' must be in [0, 1), got 1")
    }

    func testAugmentationValuesWithDefaultsAndBothShiftForms() {
        let steps = validSteps("```load\n```\n```preprocess\naugment: {rotation: 10, shift: 0.1}\n```\n```preprocess\naugment: {shift: {x: 0.2}}\n```")
        XCTAssertEqual(steps[1]["augment"], ["rotation": 10.0, "zoom": 0.0, "shift": ["x": 0.1, "y": 0.1], "shear": 0.0, "elastic": false])
        XCTAssertEqual(steps[2]["augment"]?["shift"], ["x": 0.2, "y": 0.0])
        XCTAssertEqual(validSteps("```load\n```\n```preprocess\n```")[1]["augment"], false)
    }

    func testEnsembleMembersOutOfBounds() {
        XCTAssertEqual(errorText(loadAndBuild + "\n```train\nensemble:\n  members: 0\n```\n```train\nensemble: {members: 51}\n```"), """
            nb.md:7:3: train: 'ensemble.members' must be in [1, 50], got 0
            nb.md:10:12: train: 'ensemble.members' must be in [1, 50], got 51
            """)
    }

    func testStridesOutOfBoundsAndUnknownLayerKind() {
        XCTAssertEqual(errorText("""
            ```build
            layers:
              - conv2d: {filters: 8, strides: 0}
              - maxpool: {pool: 2, strides: -1}
              - residual: {filters: 8, strides: 0}
              - residual: {filters: 8, strides: 65}
              - resnet: {filters: 8}
            ```
            """), """
            nb.md:3:26: build: 'strides' must be in [1, 64], got 0
            nb.md:4:24: build: 'strides' must be in [1, 64], got -1
            nb.md:5:28: build: 'strides' must be in [1, 64], got 0
            nb.md:6:28: build: 'strides' must be in [1, 64], got 65
            nb.md:7:5: build: unknown layer type 'resnet' (expected one of: conv2d, batchnorm, maxpool, residual, global_avg_pool, flatten, dense, dropout)
            """)
    }

    func testConv2DStrideIsSpelledLikeKeras() {
        XCTAssertEqual(errorText("```build\nlayers:\n  - conv2d: {filters: 8, stride: 2}\n```"),
                       "nb.md:3:26: build: unknown parameter 'stride' for conv2d (did you mean 'strides'?)")
    }

    func testNewLayersGetTheirDefaultsAndKerasNames() {
        let steps = validSteps("```build\nlayers:\n  - residual: {filters: 8}\n  - maxpool\n  - global_avg_pool\n  - dense: {units: 10, activation: softmax}\n```")
        let layers = steps.first?["layers"]?.listValue?.compactMap(\.mapValue) ?? []
        XCTAssertEqual(layers.count, 4)
        XCTAssertEqual(layers[0], ["type": "residual", "filters": 8, "kernel": 3, "strides": 1, "name": "residual"])
        XCTAssertEqual(layers[1]["padding"], "valid")
        XCTAssertNil(layers[1]["strides"], "strides defaults to the pool")
        XCTAssertEqual(layers[2], ["type": "global_avg_pool", "name": "global_average_pooling2d"])
    }
}
