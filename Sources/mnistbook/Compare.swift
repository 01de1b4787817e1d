import ArgumentParser
import Foundation
import Report
import Runs

/// `mnistbook compare A B [C…]`: one HTML page comparing finished renders.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two or more rendered runs on one HTML page.",
        discussion: """
            Each argument is a render output folder (or its metrics.json). The page shows the parameters that \
            differ, the curves overlaid, the headline metrics side by side, and for the first two runs (A and B) \
            the difference of their confusion matrices and the test images one gets right and the other wrong. \
            Exit status 2 when a folder cannot be read or the runs are on different datasets.
            """)

    @Argument(help: "Render output folders: A B [C …].")
    var runs: [String]

    @Option(name: .shortAndLong, help: "The page to write (default: compare.html in the current folder).")
    var output: String = "compare.html"

    func run() throws {
        guard runs.count >= 2 else {
            printError("compare needs at least two render output folders, got \(runs.count)")
            throw ExitCode(2)
        }
        let page: ReportPage
        do {
            var read: [Run] = []
            for path in runs { read.append(try Run.read(path)) }
            page = comparePage(try Comparison(read))
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        try writePage(page, to: output)
    }
}

/// Writes a page atomically; an unwritable path is exit status 1 with the reason.
func writePage(_ page: ReportPage, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    do {
        try AtomicFile.write(Array(page.html().utf8), to: url)
    } catch {
        printError("cannot write \(path): \(error)")
        throw ExitCode.failure
    }
    print("wrote \(relativePath(url))")
}
