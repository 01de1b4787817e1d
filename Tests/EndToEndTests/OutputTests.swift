import Foundation
import Stages
import XCTest

/// A render's files change together or not at all, never replace a file no render wrote, and an
/// output folder that cannot be written is found before any step runs.
final class OutputTests: XCTestCase {
    func testAFailedWriteChangesNoFileOfThePreviousRender() throws {
        let folder = try temporaryFolder(self)
        let path = try writeNotebook(dataOnlyNotebook(edaSamples: 9), named: "data.md", in: folder)
        let out = folder.appendingPathComponent("out")
        let first = try NotebookRunner().render(notebookPath: path, outputDirectory: out, reuseCache: false)
        let before = try first.files.map { ($0.lastPathComponent, try Data(contentsOf: $0)) }
        // metrics.json differs from run to run; the old runner replaced it before failing on the report.
        XCTAssertEqual(Set(before.map { $0.0 }), ["data.html", "metrics.json"])

        // The next render's files differ (another sample grid), and its report cannot be put in place.
        _ = try writeNotebook(dataOnlyNotebook(edaSamples: 16), named: "data.md", in: folder)
        let report = out.appendingPathComponent("data.html")
        try FileManager.default.removeItem(at: report)
        try FileManager.default.createDirectory(at: report.appendingPathComponent("blocker"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try NotebookRunner().render(notebookPath: path, outputDirectory: out, reuseCache: false)) { error in
            XCTAssertEqual("\(error)", "cannot write \(report.path): a folder is in its place; the previous report and its files are unchanged")
        }
        for (name, bytes) in before where name != "data.html" {
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent(name)), bytes, "\(name) changed")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".") && $0 != ".cache" }
        XCTAssertEqual(leftovers, [], "no staging folder left behind")
    }

    func testTheNotebookAndFilesNoRenderWroteAreNeverOverwritten() throws {
        let folder = try temporaryFolder(self)
        // A notebook named like its report, rendered into its own folder.
        let path = try writeNotebook(dataOnlyNotebook(edaSamples: 4), named: "rep.html", in: folder)
        let run = try mnistbook(["render", "rep.html", "-o", ".", "--quiet"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "refusing to write \(folder.standardizedFileURL.path)/rep.html: it is the notebook itself; "
                       + "choose another output folder with -o\n")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), dataOnlyNotebook(edaSamples: 4))

        // A folder with a file of the user's that a render would write.
        let out = folder.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("{\"mine\": true}".utf8).write(to: out.appendingPathComponent("metrics.json"))
        _ = try writeNotebook(dataOnlyNotebook(edaSamples: 4), named: "nb.md", in: folder)
        let refused = try mnistbook(["render", "nb.md", "-o", "mine", "--quiet"], in: folder)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "refusing to overwrite \(out.standardizedFileURL.path)/metrics.json: no earlier render wrote it; "
                       + "choose another output folder with -o, or move the file away\n")
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("metrics.json")), Data("{\"mine\": true}".utf8))

        // A folder a render wrote is rendered into again: the manifest lists its files.
        let own = folder.appendingPathComponent("own")
        XCTAssertEqual(try mnistbook(["render", "nb.md", "-o", "own", "--quiet"], in: folder).status, 0)
        XCTAssertEqual(try mnistbook(["render", "nb.md", "-o", "own", "--quiet", "--no-cache"], in: folder).status, 0)
        let manifest = try String(contentsOf: own.appendingPathComponent("mnistbook-outputs.txt"), encoding: .utf8)
        XCTAssertTrue(manifest.contains("nb.html\n") && manifest.contains("metrics.json\n"), manifest)
    }

    func testAnOutputFolderThatCannotBeWrittenIsFoundBeforeAnyStep() throws {
        let folder = try temporaryFolder(self)
        let path = try writeNotebook(dataOnlyNotebook(edaSamples: 4), named: "nb.md", in: folder)
        // A path through a regular file: named, instead of Foundation's "error 512".
        let file = folder.appendingPathComponent("afile")
        try Data("x".utf8).write(to: file)
        let through = try mnistbook(["render", "nb.md", "-o", "afile/sub", "--quiet"], in: folder)
        XCTAssertEqual(through.status, 1)
        XCTAssertEqual(through.stderr, "cannot create the output folder \(file.standardizedFileURL.path)/sub: "
                       + "\(file.standardizedFileURL.path) is a file, not a folder\n")

        // A folder that exists but takes no files (sysfs refuses even root).
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: "/sys/fs", isDirectory: &isDirectory), isDirectory.boolValue else {
            throw XCTSkip("no /sys/fs here")
        }
        var began = 0
        XCTAssertThrowsError(try NotebookRunner().render(notebookPath: path, outputDirectory: URL(fileURLWithPath: "/sys/fs"),
                                                         observer: RunObserver(stepBegan: { _, _ in began += 1 }))) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot write into the output folder /sys/fs: "), "\(error)")
        }
        XCTAssertEqual(began, 0, "no step ran")
    }

    func testACacheEntryReplacedByAFolderIsNamedInTheWarning() throws {
        let folder = try temporaryFolder(self)
        let path = try writeNotebook(dataOnlyNotebook(edaSamples: 4), named: "nb.md", in: folder)
        let out = folder.appendingPathComponent("out")
        _ = try NotebookRunner().render(notebookPath: path, outputDirectory: out)
        let cache = out.appendingPathComponent(".cache")
        let entry = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: cache.path).first { $0.hasPrefix("eda-") })
        try FileManager.default.removeItem(at: cache.appendingPathComponent(entry))
        try FileManager.default.createDirectory(at: cache.appendingPathComponent(entry).appendingPathComponent("x"),
                                                withIntermediateDirectories: true)
        var warnings: [String] = []
        _ = try NotebookRunner().render(notebookPath: path, outputDirectory: out, observer: RunObserver(warning: { warnings.append($0) }))
        XCTAssertEqual(warnings.count, 2, "\(warnings)")
        XCTAssertTrue(warnings.first?.hasSuffix("(\(entry)): it is a folder, not a cache entry; running the step again") ?? false, "\(warnings)")
        XCTAssertTrue(warnings.last?.hasSuffix("\(cache.appendingPathComponent(entry).path) is a folder, not a cache entry") ?? false, "\(warnings)")
        XCTAssertFalse(warnings.joined().contains("NSCocoaErrorDomain"))
    }
}
