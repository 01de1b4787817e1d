// A stage added in one file, as a new feature would add one: its name, typed parameters, schema,
// dependencies and run, then rendered, checked and listed beside the standard stages.
import Foundation
import Notebook
import Report
import Stages
import XCTest

extension StageName {
    static let toy = StageName(rawValue: "toy")
}

/// Counts the training images of one class.
struct ToyStage: Stage {
    static let name = StageName.toy
    static let title = "Count a class"
    static let schema = spec("Count the training images of one class.", needs: [.load], [
        ParameterSpec("digit", .int(NumberRange(lower: 0, upper: 9)), default: 7, doc: "the class counted"),
        ParameterSpec("wording", .string, default: "images of", display: true, doc: "the words between count and class"),
    ])
    static let reads: Set<WorkspacePart> = [.data]
    static let writes: Set<WorkspacePart> = []

    var digit: Int
    var wording: String

    init(_ step: ValidatedStep) {
        digit = step.int("digit")
        wording = step.string("wording")
    }

    func run(_ workspace: inout Workspace, _ context: StageContext) throws -> StageResult {
        guard let data = workspace.data else { throw StageFailure("'toy' needs data") }
        let count = data.train.labels.filter { $0 == digit }.count
        return StageResult(outputs: [.note("toy: \(count) \(wording) \(digit)")])
    }
}

final class ToyStageTests: XCTestCase {
    let stages = StageRegistry.standard.adding(ToyStage.self)

    func notebook(_ toy: String) -> String {
        """
        ---
        seed: 3
        ---
        ```load
        limit_train: 500
        limit_test: 100
        ```

        ```toy
        \(toy)
        ```
        """
    }

    func testAToyStageRendersIsCachedAndIsListed() throws {
        let folder = try temporaryFolder(self)
        let path = folder.appendingPathComponent("toy.md").path
        try notebook("digit: 3").write(toFile: path, atomically: true, encoding: .utf8)
        let runner = NotebookRunner(stages: stages)
        let output = folder.appendingPathComponent("out")

        let first = try runner.render(notebookPath: path, outputDirectory: output)
        XCTAssertEqual(first.steps.map(\.stage), ["load", "toy"])
        XCTAssertFalse(first.failed, "\(first.failedStep?.error ?? "")")
        let html = try String(contentsOf: first.reportURL, encoding: .utf8)
        let count = try XCTUnwrap(html.range(of: #"toy: [0-9]+ images of 3"#, options: .regularExpression), html)
        XCTAssertTrue(html.contains("Count a class"))

        let again = try runner.render(notebookPath: path, outputDirectory: output)
        XCTAssertEqual(again.cachedSteps.map(\.stage), ["load", "toy"])
        XCTAssertTrue(try String(contentsOf: again.reportURL, encoding: .utf8).contains(String(html[count])))

        // Its parameters are validated like any stage's, with the notebook's position and a suggestion.
        try notebook("digt: 3").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try checkNotebook(path: path, overrides: [], stages: stages)) { error in
            XCTAssertEqual("\(error)", "\(path):10:1: toy: unknown parameter 'digt' (did you mean 'digit'?)")
        }
        XCTAssertThrowsError(try checkNotebook(path: path, overrides: ["toy.digit=12"], stages: stages)) { error in
            XCTAssertEqual("\(error)", "--set toy.digit=12: 'digit' must be in [0, 9], got 12\n"
                + "\(path):10:1: toy: unknown parameter 'digt' (did you mean 'digit'?)")
        }
        // The standard stages do not know it: there, the fence is an ordinary code block.
        try notebook("digit: 3").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try checkNotebook(path: path, overrides: []).1.map(\.stage), ["load"])

        let listed = stages.schema.describe(stage: "toy")
        XCTAssertTrue(listed.hasPrefix("toy: Count the training images of one class.\n"), listed)
        XCTAssertTrue(listed.contains("digit"), listed)
        XCTAssertTrue(listed.contains("int in [0, 9]"), listed)
    }
}
