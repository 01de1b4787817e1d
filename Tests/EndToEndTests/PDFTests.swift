import Foundation
import XCTest

/// `render --pdf`: a PDF through headless Chromium when it is installed, a clear refusal when it is not.
final class PDFTests: XCTestCase {
    let notebook = """
        ---
        title: PDF
        seed: 1
        ---

        # A short report

        ```load
        dataset: mnist
        validation_split: 0.1
        limit_train: 100
        limit_test: 50
        ```
        """

    func testPrintsTheReportWithChromium() throws {
        let browsers = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        guard browsers.contains(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("Chromium is not installed (CI installs it)")
        }
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(notebook, named: "pdf.md", in: folder)
        let run = try mnistbook(["render", "pdf.md", "-o", "out", "--pdf"], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("PDF: out/pdf.pdf"), run.stdout)
        let pdf = try Data(contentsOf: folder.appendingPathComponent("out/pdf.pdf"))
        XCTAssertTrue(pdf.starts(with: Array("%PDF-".utf8)))
        XCTAssertGreaterThan(pdf.count, 10_000)
    }

    func testRefusesBeforeRunningWhenNoBrowserIsInstalled() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(notebook, named: "pdf.md", in: folder)
        let run = try mnistbook(["render", "pdf.md", "-o", "out", "--pdf"], in: folder, environment: ["PATH": folder.path])
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "render --pdf needs headless Chromium, and none of chromium, chromium-browser, google-chrome, "
            + "google-chrome-stable is on PATH: install it (Debian: apt-get install chromium) or render without --pdf\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path), "nothing may run")
    }

    func testRefusesASweep() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(notebook, named: "pdf.md", in: folder)
        let run = try mnistbook(["render", "pdf.md", "-o", "out", "--pdf", "--sweep", "load.validation_split=0.1,0.2"], in: folder)
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stderr, "render: --pdf prints one report; it cannot be combined with --sweep\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path), "nothing may run")
    }
}
