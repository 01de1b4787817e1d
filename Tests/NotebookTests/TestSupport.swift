import Stages
import XCTest
@testable import Notebook

/// The schema of the real stages, as the command line hands it to Notebook (which knows no stage).
let testSchema = StageRegistry.standard.schema

// Notebook's entry points with the real stages' schema, so tests read as a user's command does.
extension Notebook {
    static func parse(source: String, path: String) -> Notebook {
        parse(source: source, path: path, schema: testSchema)
    }

    static func load(path: String) throws(DiagnosticList) -> Notebook {
        try load(path: path, schema: testSchema)
    }

    func validate(overrides: [String] = []) throws(DiagnosticList) -> [ValidatedStep] {
        try validate(schema: testSchema, overrides: overrides)
    }
}

func validate(_ notebook: Notebook, overrides: [String] = []) throws(DiagnosticList) -> [ValidatedStep] {
    try validate(notebook, schema: testSchema, overrides: overrides)
}

func validateNotebook(_ notebook: Notebook, overrides: [String] = []) -> Result<[ValidatedStep], DiagnosticList> {
    validateNotebook(notebook, schema: testSchema, overrides: overrides)
}

func applyOverrides(_ overrides: [String], to steps: [ValidatedStep]) throws(DiagnosticList) -> [ValidatedStep] {
    try applyOverrides(overrides, schema: testSchema, to: steps)
}

func misspelledStage(_ info: String) -> String? {
    misspelledStage(info, stages: testSchema.stageNames)
}

/// Parses a notebook written inline, under the path the diagnostics will show.
func parse(_ source: String, path: String = "nb.md") -> Notebook {
    Notebook.parse(source: source, path: path)
}

/// Every diagnostic of a notebook, one per line; empty when it validates.
func errorText(_ source: String, overrides: [String] = []) -> String {
    switch validateNotebook(parse(source), overrides: overrides) {
    case .success: return ""
    case .failure(let list): return list.description
    }
}

/// The validated steps of a notebook that must validate.
func validSteps(_ source: String, overrides: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> [ValidatedStep] {
    switch validateNotebook(parse(source), overrides: overrides) {
    case .success(let steps): return steps
    case .failure(let list):
        XCTFail("unexpected diagnostics:\n\(list)", file: file, line: line)
        return []
    }
}

/// A `load` and a `build` step (lines 1–4) so that a `train` step after them is in order.
let loadAndBuild = """
    ```load
    ```
    ```build
    ```
    """
