import Foundation
import XCTest

/// `watch` and `grade` take render's `--teacher`, `--handout` and `--present`, with the same files and the same
/// refusal. HandoutTests' notebook: a load step only, so each render takes seconds.
final class ReportVersionCommandTests: XCTestCase {
    func testWatchRendersTheChosenVersion() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(HandoutTests.notebook, named: "lab.md", in: folder)
        let out = folder.appendingPathComponent("output/lab")

        let teacher = try mnistbook(["watch", "lab.md", "--teacher", "--stop-after", "1"], in: folder)
        XCTAssertEqual(teacher.status, 0, teacher.stderr)
        XCTAssertTrue(teacher.stdout.contains("→ output/lab/lab-teacher.html"), teacher.stdout)
        let teachers = try String(contentsOf: out.appendingPathComponent("lab-teacher.html"), encoding: .utf8)
        XCTAssertTrue(teachers.contains("<aside class=\"callout callout-solution\""), teachers)
        XCTAssertTrue(teachers.contains("SOLUTION-TEXT"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("lab.html").path),
                       "the teacher's watch leaves the students' report alone")

        let handout = try mnistbook(["watch", "lab.md", "--handout", "--stop-after", "1"], in: folder)
        XCTAssertEqual(handout.status, 0, handout.stderr)
        XCTAssertTrue(handout.stdout.contains("cached load → output/lab/lab-handout.html"), handout.stdout)
        let page = try String(contentsOf: out.appendingPathComponent("lab-handout.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("<body class=\"layout-handout\">"))
        XCTAssertFalse(page.contains("SOLUTION-TEXT"))
        XCTAssertFalse(page.contains("SHA-256 of the decompressed files"))
    }

    func testGradeWritesAndLinksTheChosenVersion() throws {
        let folder = try temporaryFolder(self)
        for student in ["ada", "ben"] {
            let dir = folder.appendingPathComponent(student)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            _ = try writeNotebook(HandoutTests.notebook, named: "lab.md", in: dir)
        }
        let run = try mnistbook(["grade", "ada", "ben", "--teacher", "--present"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasSuffix("Class page: grade-teacher-present.html (2 of 2 passed)\n"), run.stdout)
        let page = try String(contentsOf: folder.appendingPathComponent("grade-teacher-present.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("<a href=\"ada/output/lab/lab-teacher-present.html\">lab.md</a>"), page)
        XCTAssertTrue(page.contains("<a href=\"ben/output/lab/lab-teacher-present.html\">lab.md</a>"), page)
        XCTAssertTrue(page.contains("<p class=\"byline version\">Each link opens this version of the report: teacher&#39;s, with solutions; "
            + "for a projector: wide, large type</p>"), page)
        XCTAssertTrue(page.contains("<body class=\"layout-present\">"), page)
        for student in ["ada", "ben"] {
            let report = try String(contentsOf: folder.appendingPathComponent("\(student)/output/lab/lab-teacher-present.html"), encoding: .utf8)
            XCTAssertTrue(report.contains("SOLUTION-TEXT"), student)
            XCTAssertTrue(report.contains("<body class=\"layout-present\">"), student)
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(student)/output/lab/lab.html").path))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("grade.html").path),
                       "the teacher's class page has its own name")

        // The students' grading: its own page, linking the students' reports, which hold no solution.
        let plain = try mnistbook(["grade", "ada", "ben"], in: folder)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let students = try String(contentsOf: folder.appendingPathComponent("grade.html"), encoding: .utf8)
        XCTAssertTrue(students.contains("<a href=\"ada/output/lab/lab.html\">lab.md</a>"), students)
        XCTAssertFalse(students.contains("byline version"))
        XCTAssertFalse(try String(contentsOf: folder.appendingPathComponent("ada/output/lab/lab.html"), encoding: .utf8).contains("SOLUTION-TEXT"))
    }

    func testHandoutWithPresentIsRefusedByWatchAndGradeAsByRender() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(HandoutTests.notebook, named: "lab.md", in: folder)
        let student = folder.appendingPathComponent("ada")
        try FileManager.default.createDirectory(at: student, withIntermediateDirectories: true)
        _ = try writeNotebook(HandoutTests.notebook, named: "lab.md", in: student)
        for (command, arguments) in [("render", ["render", "lab.md"]), ("watch", ["watch", "lab.md", "--stop-after", "1"]),
                                     ("grade", ["grade", "ada", "-o", "class.html"])] {
            let run = try mnistbook(arguments + ["--handout", "--present"], in: folder)
            XCTAssertEqual(run.status, 2, command)
            XCTAssertEqual(run.stderr, "\(command): --handout and --present are two layouts of the report; choose one\n")
            XCTAssertEqual(run.stdout, "", command)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("output").path), "nothing rendered")
        XCTAssertFalse(FileManager.default.fileExists(atPath: student.appendingPathComponent("output").path), "nothing graded")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("class.html").path))
    }
}
