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

    /// The PDF is printed into a temporary file and renamed into place, and listed in the manifest: a browser that fails
    /// half-way leaves the previous PDF as it was and no temporary file; a PDF no render wrote is never replaced.
    /// A stand-in `chromium` script on PATH writes what a real one would (or fails), so this runs everywhere.
    func testThePDFIsReplacedWholeAndListedInTheManifest() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(notebook, named: "pdf.md", in: folder)
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let browser = bin.appendingPathComponent("chromium")
        func fakeBrowser(_ body: String) throws {
            try Data("""
                #!/bin/sh
                for a in "$@"; do case "$a" in --print-to-pdf=*) out="${a#--print-to-pdf=}";; esac; done
                \(body)

                """.utf8).write(to: browser)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: browser.path)
        }
        let path = ["PATH": bin.path + ":/usr/bin:/bin"]
        try fakeBrowser(#"printf '%%PDF-1.4 first\n' > "$out""#)
        let first = try mnistbook(["render", "pdf.md", "-o", "out", "--pdf"], in: folder, environment: path)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("PDF: out/pdf.pdf"), first.stdout)
        let pdf = folder.appendingPathComponent("out/pdf.pdf")
        XCTAssertEqual(try String(contentsOf: pdf, encoding: .utf8), "%PDF-1.4 first\n")
        let manifest = try String(contentsOf: folder.appendingPathComponent("out/mnistbook-outputs.txt"), encoding: .utf8)
        XCTAssertTrue(manifest.split(separator: "\n").contains("pdf.pdf"), manifest)

        try fakeBrowser(#"printf '%%PDF-1.4 half' > "$out"; echo 'out of memory' >&2; exit 1"#)
        let failed = try mnistbook(["render", "pdf.md", "-o", "out", "--pdf"], in: folder, environment: path)
        XCTAssertEqual(failed.status, 1)
        XCTAssertEqual(failed.stderr, "\(browser.path) could not print \(folder.appendingPathComponent("out/pdf.html").path) "
                       + "to PDF (exit status 1): out of memory; the previous PDF is unchanged\n")
        XCTAssertEqual(try String(contentsOf: pdf, encoding: .utf8), "%PDF-1.4 first\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path).filter { $0.contains("tmp") }, [])

        // A PDF of the user's in the output folder, which no render wrote: refused, left alone.
        let mine = folder.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try Data("%PDF-1.4 mine\n".utf8).write(to: mine.appendingPathComponent("pdf.pdf"))
        try fakeBrowser(#"printf '%%PDF-1.4 render\n' > "$out""#)
        let refused = try mnistbook(["render", "pdf.md", "-o", "mine", "--pdf"], in: folder, environment: path)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "refusing to overwrite \(mine.appendingPathComponent("pdf.pdf").path): no earlier render wrote it; "
                       + "choose another output folder with -o, or move the file away\n")
        XCTAssertEqual(try String(contentsOf: mine.appendingPathComponent("pdf.pdf"), encoding: .utf8), "%PDF-1.4 mine\n")
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
