import XCTest
@testable import Notebook

/// Notebook text the campaign found mishandled: CR-only line endings, several duplicated keys.
final class LineEndingAndDuplicateTests: XCTestCase {
    func testCROnlyLineEndingsKeepTheFrontMatterAndLines() {
        let source = "---\rtitle: Old Mac\rseed: 7\r---\r\r# Title\r\r```load\rdataset: mnist\r```\r"
        let notebook = Notebook.parse(source: source, path: "nb.md")
        XCTAssertEqual(notebook.frontMatter, FrontMatter(title: "Old Mac", seed: 7))
        XCTAssertEqual(notebook.diagnostics, [])
        XCTAssertEqual(notebook.headings.first?.line, 6)
        XCTAssertEqual(notebook.steps.first?.line, 8)
        // Mixed endings count lines the same way.
        let mixed = Notebook.parse(source: "---\r\ntitle: Mixed\rseed: 3\n---\r# Title\n", path: "nb.md")
        XCTAssertEqual(mixed.frontMatter, FrontMatter(title: "Mixed", seed: 3))
        XCTAssertEqual(mixed.headings.first?.line, 5)
    }

    func testEveryDuplicatedFrontMatterKeyIsReported() {
        let notebook = Notebook.parse(source: """
            ---
            title: One
            seed: 1
            title: Two
            seed: 2
            ---
            # Title
            """, path: "nb.md")
        XCTAssertEqual(notebook.diagnostics.map(\.description), [
            "nb.md:2:1: front matter: key 'title' is given more than once",
            "nb.md:3:1: front matter: key 'seed' is given more than once",
        ])
    }

    func testEveryDuplicatedStepKeyIsReported() throws {
        let notebook = Notebook.parse(source: """
            ```load
            dataset: mnist
            ```

            ```train
            epochs: 3
            batch_size: 32
            epochs: 4
            batch_size: 64
            ```
            """, path: "nb.md")
        XCTAssertThrowsError(try notebook.validate()) { error in
            XCTAssertEqual("\(error)", """
                nb.md:5:1: train: 'train' needs a 'build' step before it (the notebook has none)
                nb.md:6:1: train: key 'epochs' is given more than once
                nb.md:7:1: train: key 'batch_size' is given more than once
                """)
        }
    }
}
