import XCTest
@testable import Notebook

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
