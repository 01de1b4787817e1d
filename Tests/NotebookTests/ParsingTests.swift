import XCTest
@testable import Notebook

final class ParsingTests: XCTestCase {
    func testProseRendersAGFMTableAsHTML() {
        let notebook = parse("""
            Intro with ~~old~~ text and https://example.com.

            | digit | count |
            |-------|------:|
            | 0     | 5923  |
            """)
        XCTAssertEqual(notebook.blocks.count, 1)
        guard case .prose(let prose) = notebook.blocks[0] else { return XCTFail("expected prose") }
        XCTAssertTrue(prose.html.contains("<table>"), prose.html)
        XCTAssertTrue(prose.html.contains("<th>digit</th>"), prose.html)
        XCTAssertTrue(prose.html.contains("<td align=\"right\">5923</td>"), prose.html)
        XCTAssertTrue(prose.html.contains("<del>old</del>"), prose.html)
        XCTAssertTrue(prose.html.contains("<a href=\"https://example.com\">https://example.com</a>"), prose.html)
        XCTAssertEqual(prose.line, 1)
    }

    func testRawHTMLIsNotPassedThrough() {
        let notebook = parse("""
            Before

            <script>alert("x")</script>

            Inline <img src=x onerror=alert(1)> and [a link](javascript:alert(1)).
            """)
        guard case .prose(let prose) = notebook.blocks[0] else { return XCTFail("expected prose") }
        XCTAssertFalse(prose.html.contains("<script"), prose.html)
        XCTAssertFalse(prose.html.contains("<img"), prose.html)
        XCTAssertFalse(prose.html.contains("javascript:"), prose.html)
        XCTAssertTrue(prose.html.contains("<!-- raw HTML omitted -->"), prose.html)
    }

    func testFootnotesRenderInTheirProseBlock() {
        let notebook = parse("""
            Keras reference[^k].

            [^k]: The Keras example.
            """)
        guard case .prose(let prose) = notebook.blocks[0] else { return XCTFail("expected prose") }
        XCTAssertTrue(prose.html.contains("class=\"footnotes\""), prose.html)
        XCTAssertTrue(prose.html.contains("The Keras example."), prose.html)
    }

    func testCodeBlocksInOtherLanguagesAreKeptAsIs() {
        let notebook = parse("""
            ```python
            model.fit(x, y)
            ```

            ~~~
            plain
            ~~~
            """)
        XCTAssertEqual(notebook.blocks, [
            .code(CodeBlock(language: "python", text: "model.fit(x, y)\n", line: 1)),
            .code(CodeBlock(language: "", text: "plain\n", line: 5)),
        ])
        XCTAssertEqual(notebook.diagnostics, [])
    }

    func testStepsHaveExactPositions() {
        let notebook = parse("""
            # Title

            ```load
            dataset: mnist
            ```

            Some prose.

              ~~~train
              epochs: 2
              ~~~
            """)
        XCTAssertEqual(notebook.steps, [
            StepBlock(stage: "load", body: "dataset: mnist\n", line: 3, column: 1, bodyLine: 4),
            StepBlock(stage: "train", body: "epochs: 2\n", line: 9, column: 3, bodyLine: 10),
        ])
        XCTAssertEqual(notebook.blocks.map(\.line), [1, 3, 7, 9])
    }

    func testInfoStringFirstWordNamesTheStage() {
        let notebook = parse("""
            ```error-analysis {.small}
            show: 5
            ```
            """)
        XCTAssertEqual(notebook.steps.map(\.stage), ["error-analysis"])
    }

    func testConsecutiveProseNodesFormOneBlock() {
        let notebook = parse("""
            # A

            Paragraph one.

            - item

            ```eda
            ```

            > quote
            """)
        XCTAssertEqual(notebook.blocks.count, 3)
        guard case .prose(let first) = notebook.blocks[0], case .prose(let last) = notebook.blocks[2] else {
            return XCTFail("expected prose, step, prose")
        }
        XCTAssertTrue(first.html.contains("<p>Paragraph one.</p>") && first.html.contains("<li>item</li>"), first.html)
        XCTAssertTrue(last.html.contains("<blockquote>"), last.html)
        XCTAssertEqual(last.line, 10)
    }

    func testHeadingsGetTextLevelsAndUniqueIDs() {
        let notebook = parse("""
            # Problem definition

            ## Using `adam` *fast*!

            ```eda
            ```

            ## Results

            ### Results

            Setext heading
            --------------
            """)
        XCTAssertEqual(notebook.headings, [
            Heading(level: 1, text: "Problem definition", id: "problem-definition", line: 1),
            Heading(level: 2, text: "Using adam fast!", id: "using-adam-fast", line: 3),
            Heading(level: 2, text: "Results", id: "results", line: 8),
            Heading(level: 3, text: "Results", id: "results-1", line: 10),
            Heading(level: 2, text: "Setext heading", id: "setext-heading", line: 12),
        ])
        guard case .prose(let prose) = notebook.blocks[0], case .prose(let later) = notebook.blocks[2] else {
            return XCTFail("expected prose")
        }
        XCTAssertTrue(prose.html.contains("<h1 id=\"problem-definition\">Problem definition</h1>"), prose.html)
        XCTAssertTrue(prose.html.contains("<h2 id=\"using-adam-fast\">Using <code>adam</code> <em>fast</em>!</h2>"), prose.html)
        XCTAssertTrue(later.html.contains("<h3 id=\"results-1\">Results</h3>"), later.html)
    }

    func testMisspelledStageIsAnError() {
        let notebook = parse("""
            Text

            ```trian
            epochs: 3
            ```
            """)
        XCTAssertEqual(DiagnosticList(notebook.diagnostics).description,
                       "nb.md:3:1: trian: unknown stage 'trian' (did you mean 'train'?)")
        // It is still shown, as code, so a partial report can display it.
        XCTAssertEqual(notebook.blocks.last, .code(CodeBlock(language: "trian", text: "epochs: 3\n", line: 3)))
    }

    func testStageCandidateRule() {
        XCTAssertEqual(misspelledStage("trian"), "train")
        XCTAssertEqual(misspelledStage("Train"), "train")
        XCTAssertEqual(misspelledStage("evalute"), "evaluate")
        XCTAssertEqual(misspelledStage("preprocessing"), "preprocess")
        XCTAssertEqual(misspelledStage("erroranalysis"), "error-analysis")
        XCTAssertEqual(misspelledStage("lod"), "load")
        XCTAssertEqual(misspelledStage("saev"), "save")
        for language in ["python", "text", "bash", "sh", "json", "yaml", "lua", "make", "ada", "go", "c", "r",
                         "swift", "html", "css", "dot", "math", "mermaid", "console", "diff", "toml", "ini", ""] {
            XCTAssertNil(misspelledStage(language), language)
        }
    }

    func testTwoWordInfoStringIsCodeEvenIfMisspelled() {
        let notebook = parse("""
            ```trian extra
            ```
            """)
        XCTAssertEqual(notebook.diagnostics, [])
        XCTAssertEqual(notebook.steps, [])
    }

    func testWindowsLineEndingsAndBOM() {
        let notebook = parse("\u{FEFF}---\r\ntitle: T\r\n---\r\n\r\n```load\r\nvalidation_split: 0.1\r\n```\r\n")
        XCTAssertEqual(notebook.frontMatter.title, "T")
        XCTAssertEqual(notebook.steps, [StepBlock(stage: "load", body: "validation_split: 0.1\n", line: 5, column: 1, bodyLine: 6)])
    }

    func testLoadReadsAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("notebook-tests-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("x.md")
        try "# Hi\n\n```eda\n```\n".write(to: file, atomically: true, encoding: .utf8)
        let notebook = try Notebook.load(path: file.path)
        XCTAssertEqual(notebook.path, file.path)
        XCTAssertEqual(notebook.steps.map(\.stage), ["eda"])

        XCTAssertThrowsError(try Notebook.load(path: directory.appendingPathComponent("missing.md").path)) { error in
            XCTAssertEqual((error as? DiagnosticList)?.description, "\(directory.path)/missing.md: no such notebook")
        }
    }
}

final class QualifiedNameTests: XCTestCase {
    /// `Notebook.Heading` must work in files that also import Report, which has its own `Heading`.
    func testHeadingCanBeQualifiedThroughTheNotebookType() {
        let heading: Notebook.Heading = Notebook.Heading(level: 1, text: "A", id: "a", line: 1)
        let block = Block.prose(Prose(html: "", headings: [heading], line: 1))
        XCTAssertEqual(block.line, 1)
        XCTAssertEqual((heading as NotebookHeading).text, "A")
    }
}
