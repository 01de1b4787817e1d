import XCTest
@testable import Notebook

final class FrontMatterTests: XCTestCase {
    func testFrontMatterIsRead() {
        let notebook = parse("""
            ---
            title: MNIST Handwritten Digit Classification
            author: Course staff
            date: 2024-05-01
            seed: 7                # one seed drives shuffling, init, dropout
            ---

            ```load
            ```
            """)
        XCTAssertEqual(notebook.frontMatter, FrontMatter(title: "MNIST Handwritten Digit Classification",
                                                         author: "Course staff", date: "2024-05-01", seed: 7))
        XCTAssertEqual(notebook.diagnostics, [])
        // Lines count from the top of the file, front matter included.
        XCTAssertEqual(notebook.steps.first?.line, 8)
        XCTAssertEqual(notebook.steps.first?.bodyLine, 9)
    }

    func testNoFrontMatterMeansDefaults() {
        let notebook = parse("# Title\n")
        XCTAssertEqual(notebook.frontMatter, FrontMatter(title: nil, author: nil, date: nil, seed: 42))
        XCTAssertEqual(notebook.headings.first?.line, 1)
    }

    func testEmptyFrontMatter() {
        let notebook = parse("---\n---\n# Title\n")
        XCTAssertEqual(notebook.frontMatter.seed, 42)
        XCTAssertEqual(notebook.diagnostics, [])
        XCTAssertEqual(notebook.headings.first?.line, 3)
    }

    func testUnknownKeyHasDidYouMean() {
        let notebook = parse("""
            ---
            title: T
            autor: Me
            ---
            """)
        XCTAssertEqual(DiagnosticList(notebook.diagnostics).description,
                       "nb.md:3:1: front matter: unknown front matter key 'autor' (did you mean 'author'?)")
    }

    func testUnknownKeyWithoutSuggestionListsTheKeys() {
        let notebook = parse("---\nlayout: post\n---\n")
        XCTAssertEqual(DiagnosticList(notebook.diagnostics).description,
                       "nb.md:2:1: front matter: unknown front matter key 'layout' (expected one of: title, author, date, seed)")
    }

    func testSeedMustBeAnInteger() {
        let notebook = parse("---\nseed: forty-two\n---\n")
        XCTAssertEqual(DiagnosticList(notebook.diagnostics).description,
                       "nb.md:2:1: front matter: 'seed' must be an integer, got 'forty-two'")
        XCTAssertEqual(notebook.frontMatter.seed, 42)
    }

    func testInvalidFrontMatterYAMLPointsAtTheNotebookLine() {
        let notebook = parse("---\ntitle: T\nauthor: [a, b\n---\n")
        XCTAssertEqual(notebook.diagnostics.count, 1)
        // Named at the [ left open, not where libyaml gave up (the line after).
        XCTAssertEqual(notebook.diagnostics.first?.description, "nb.md:3:9: front matter: the [ opened on line 3 is not closed: add the matching ]")
    }

    func testUnclosedFrontMatter() {
        let notebook = parse("---\ntitle: T\n\n# Body\n")
        XCTAssertEqual(DiagnosticList(notebook.diagnostics).description,
                       "nb.md:1:1: front matter: front matter is not closed: add a line '---' after it")
    }

    func testFrontMatterErrorsAreReportedWithStepErrors() {
        let text = errorText("""
            ---
            titel: T
            ---
            ```eda
            samples: many
            ```
            """)
        XCTAssertEqual(text, """
            nb.md:2:1: front matter: unknown front matter key 'titel' (did you mean 'title'?)
            nb.md:4:1: eda: 'eda' needs a 'load' step before it (the notebook has none)
            nb.md:5:1: eda: 'samples' must be an integer, got 'many'
            """)
    }
}
