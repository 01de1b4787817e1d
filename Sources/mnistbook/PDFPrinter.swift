import Foundation
import Stages

/// `render --pdf`: prints the finished report to PDF through headless Chromium, the browser the report
/// is checked in. Chromium is found on PATH (chromium, chromium-browser, google-chrome).
enum PDFPrinter {
    static let browserNames = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let missingBrowser = "render --pdf needs headless Chromium, and none of \(browserNames.joined(separator: ", ")) "
        + "is on PATH: install it (Debian: apt-get install chromium) or render without --pdf"

    /// The first browser on PATH, or nil.
    static func findBrowser(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        let folders = (path ?? "").split(separator: ":").map(String.init)
        for name in browserNames {
            for folder in folders {
                let candidate = folder + "/" + name
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }

    /// Writes `<report>.pdf` beside the report, as the render writes its files: into a temporary file renamed over
    /// the old PDF only once Chromium has printed a whole one (a failure leaves the previous PDF as it was), listed
    /// in the folder's manifest, and never over a PDF that no render wrote. Returns its URL.
    static func print(report: URL) throws -> URL {
        guard let browser = findBrowser() else { throw Failure(description: missingBrowser) }
        let pdf = report.deletingPathExtension().appendingPathExtension("pdf")
        let folder = pdf.deletingLastPathComponent()
        if let refusal = OutputManifest.refusal(toWrite: pdf.lastPathComponent, in: folder) { throw Failure(description: refusal) }
        let temp = folder.appendingPathComponent(".\(pdf.lastPathComponent).tmp-\(getpid())")
        defer { try? FileManager.default.removeItem(at: temp) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                             "--print-to-pdf=\(temp.path)", report.standardizedFileURL.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let bytes = FileManager.default.contents(atPath: temp.path) ?? Data()
        guard process.terminationStatus == 0, bytes.starts(with: Array("%PDF".utf8)) else {
            let detail = String(decoding: stderr, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
            throw Failure(description: "\(browser) could not print \(report.path) to PDF (exit status \(process.terminationStatus))"
                + (detail.isEmpty ? "" : ": \(detail)") + "; the previous PDF is unchanged")
        }
        guard rename(temp.path, pdf.path) == 0 else {
            throw Failure(description: "cannot move the PDF into place as \(pdf.path): \(String(cString: strerror(errno)))")
        }
        try OutputManifest.record(pdf.lastPathComponent, in: folder)
        return pdf
    }
}
