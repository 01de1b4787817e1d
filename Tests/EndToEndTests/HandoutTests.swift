import Foundation
import XCTest

/// Handout blocks and the report's versions (`--teacher`, `--handout`, `--present`), rendered by the
/// command line and read back. Only a load step runs, so these take seconds.
final class HandoutTests: XCTestCase {
    static let notebook = """
        ---
        title: Handout blocks
        seed: 3
        ---

        # Lab

        ```load
        dataset: mnist
        limit_train: 500
        limit_test: 100
        ```

        ```question
        Why does the validation set come from the **end** of the training images?
        ```

        ```answer
        Because Keras' `validation_split` takes the last fraction.
        ```

        ```solution
        Keras takes the last 20% *before* shuffling: SOLUTION-TEXT.
        ```

        ```question
        What would change with `limit_train: 5000`?
        ```

        ```note
        A note with `code`.
        ```

        ```warning
        Training on 500 images overfits.
        ```

        <details><summary>Hidden</summary>TEACHER-HTML</details>

        The end.
        """

    func testCheckCountsQuestionsWithoutAnswersAndWarnsAboutRawHTML() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(Self.notebook, named: "lab.md", in: folder)
        let run = try mnistbook(["check", "lab.md"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, """
            lab.md:38:1: warning: raw HTML <details> is omitted from the report (a report runs no HTML from a notebook); \
            write a question, answer, solution, note or warning block instead (a solution shows only with render --teacher)
            lab.md: 1 step, 2 questions (1 without an answer block: line 26), no problems found (1 warning above)

            """)
    }

    func testASolutionShowsOnlyInTheTeachersReportAndVersionsDoNotMix() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(Self.notebook, named: "lab.md", in: folder)

        let plain = try mnistbook(["render", "lab.md", "--quiet"], in: folder)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertEqual(plain.stderr, "lab.md:38:1: warning: raw HTML <details> is omitted from the report (a report runs no HTML "
            + "from a notebook); write a question, answer, solution, note or warning block instead (a solution shows only with "
            + "render --teacher)\n")
        let out = folder.appendingPathComponent("output/lab")
        let students = try String(contentsOf: out.appendingPathComponent("lab.html"), encoding: .utf8)
        XCTAssertTrue(students.contains("<aside class=\"callout callout-question\" aria-label=\"Question\"><p class=\"callout-label\">Question</p>"
            + "<div class=\"callout-body\"><p>Why does the validation set come from the <strong>end</strong> of the training images?</p>\n</div></aside>"), students)
        XCTAssertTrue(students.contains("<aside class=\"callout callout-answer\" aria-label=\"Your answer\"><p class=\"callout-label\">Your answer</p>"
            + "<div class=\"callout-body\"><p>Because Keras' <code>validation_split</code> takes the last fraction.</p>"))
        XCTAssertTrue(students.contains("<aside class=\"callout callout-note\""))
        XCTAssertTrue(students.contains("<aside class=\"callout callout-warning\" aria-label=\"Warning\">"))
        XCTAssertFalse(students.contains("SOLUTION-TEXT"))
        XCTAssertFalse(students.contains("<aside class=\"callout callout-solution\""))
        XCTAssertFalse(students.contains("TEACHER-HTML"))
        XCTAssertTrue(students.contains("<p class=\"warning\" role=\"note\"><strong>Warning</strong> line 38: raw HTML &lt;details&gt; is omitted"))
        XCTAssertTrue(students.contains("SHA-256 of the decompressed files"))
        let metrics = try readJSON(out.appendingPathComponent("metrics.json"))
        let warnings = try XCTUnwrap(metrics["warnings"] as? [[String: Any]])
        XCTAssertEqual(warnings.count, 1)
        XCTAssertEqual(warnings.first?["stage"] as? String, "notebook")
        XCTAssertEqual(warnings.first?["line"] as? Int, 38)

        // The teacher's version: its own file, with the solution; the load step comes from the cache.
        let teacher = try mnistbook(["render", "lab.md", "--teacher"], in: folder)
        XCTAssertEqual(teacher.status, 0, teacher.stderr)
        XCTAssertTrue(teacher.stdout.contains("✓ load cached"), teacher.stdout)
        XCTAssertTrue(teacher.stdout.contains("Report: output/lab/lab-teacher.html"), teacher.stdout)
        let teachers = try String(contentsOf: out.appendingPathComponent("lab-teacher.html"), encoding: .utf8)
        XCTAssertTrue(teachers.contains("<aside class=\"callout callout-solution\" aria-label=\"Solution\"><p class=\"callout-label\">Solution</p>"
            + "<div class=\"callout-body\"><p>Keras takes the last 20% <em>before</em> shuffling: SOLUTION-TEXT.</p>"), teachers)
        XCTAssertTrue(teachers.contains("<div><dt>version</dt><dd>teacher&#39;s, with solutions</dd></div>")
                      || teachers.contains("<div><dt>version</dt><dd>teacher's, with solutions</dd></div>"), teachers)

        // A handout leaves the checksum table out and is laid out compact; present is wide.
        XCTAssertEqual(try mnistbook(["render", "lab.md", "--handout", "--quiet"], in: folder).status, 0)
        let handout = try String(contentsOf: out.appendingPathComponent("lab-handout.html"), encoding: .utf8)
        XCTAssertTrue(handout.contains("<body class=\"layout-handout\">"))
        XCTAssertFalse(handout.contains("SHA-256 of the decompressed files"))
        XCTAssertFalse(handout.contains("SOLUTION-TEXT"))
        XCTAssertEqual(try mnistbook(["render", "lab.md", "--present", "--teacher", "--quiet"], in: folder).status, 0)
        let present = try String(contentsOf: out.appendingPathComponent("lab-teacher-present.html"), encoding: .utf8)
        XCTAssertTrue(present.contains("<body class=\"layout-present\">"))
        XCTAssertTrue(present.contains("SOLUTION-TEXT"))
        XCTAssertTrue(present.contains("SHA-256 of the decompressed files"))

        // The students' report, rendered again from the cache after all that, is as it was.
        XCTAssertEqual(try mnistbook(["render", "lab.md", "--quiet"], in: folder).status, 0)
        let again = try String(contentsOf: out.appendingPathComponent("lab.html"), encoding: .utf8)
        XCTAssertFalse(again.contains("SOLUTION-TEXT"))
        XCTAssertTrue(again.contains("<body>"))
        XCTAssertTrue(again.contains("SHA-256 of the decompressed files"))
    }

    func testHandoutAndPresentTogetherAreRefused() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(Self.notebook, named: "lab.md", in: folder)
        let run = try mnistbook(["render", "lab.md", "--handout", "--present"], in: folder)
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "render: --handout and --present are two layouts of the report; choose one\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("output").path))
    }

    func testAnUnclosedBraceIsNamedAtItsOpening() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook("""
            # Title

            ```load
            ```

            ```build
            ```

            ```train
            epochs: 2
            early_stopping: {patience: 3,
              monitor: val_loss
            ```

            ```evaluate
            split: "test
            ```
            """, named: "nb.md", in: folder)
        let run = try mnistbook(["check", "nb.md"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, """
            nb.md:11:17: train: the { opened on line 11 is not closed: add the matching }
            nb.md:16:8: evaluate: the " opened on line 16 is not closed: add the matching "

            """)
    }

    func testStepsSaysWhatLimitTrainTakes() throws {
        let folder = try temporaryFolder(self)
        let run = try mnistbook(["steps", "load"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("use a random N of the training images, every class in proportion (seeded), before the validation split"),
                      run.stdout)
        XCTAssertFalse(run.stdout.contains("first N"))
    }
}
