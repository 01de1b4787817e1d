// The step cache's key names the engine's numerics revision: a step cached by kernels that give other bits
// (an upgrade that kept the version number) is run again, never reused.
import NeuralNet
import Notebook
@testable import Stages
import XCTest

final class CacheKeyEngineTests: XCTestCase {
    func testTheKeyNamesTheVersionAndTheNumericsRevision() {
        XCTAssertEqual(StepKeys.engine, "mnistbook \(mnistbookVersion), numerics \(numericsRevision)")
    }

    func testAnotherNumericsRevisionGivesTheStepAnotherKeyAndProduct() {
        let step = ValidatedStep(stage: "evaluate", line: 1, column: 1, blockIndex: 0, params: EvaluateStage.schema.defaults)
        func keys(_ engine: String) -> StepKeys {
            StepKeys(step: step, spec: EvaluateStage.schema, seed: 42, reads: [(.model, "trained")], dataset: nil, engine: engine)
        }
        let now = keys(StepKeys.engine), before = keys("mnistbook \(mnistbookVersion), numerics \(numericsRevision - 1)")
        XCTAssertEqual(now, StepKeys(step: step, spec: EvaluateStage.schema, seed: 42, reads: [(.model, "trained")], dataset: nil),
                       "the current engine is the default")
        XCTAssertEqual(now, keys(StepKeys.engine), "a key depends on its inputs alone")
        XCTAssertNotEqual(now.key, before.key)
        XCTAssertNotEqual(now.product, before.product)
    }
}
