import ArgumentParser
import Foundation
import Stages

/// `mnistbook watch`: renders a notebook, then again every time it is saved, reusing cached steps.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a notebook, then render it again on every save, reusing cached steps.",
        discussion: "Checks the notebook's modification time and size twice a second and runs until interrupted (Ctrl-C). "
            + "Each render says which steps ran, which came from the cache, and how long it took. "
            + "--teacher, --handout and --present render that version of the report, named as render names it.")

    @OptionGroup var target: NotebookTarget

    @OptionGroup var version: ReportVersionFlags

    @Flag(help: "Also serve the report at http://127.0.0.1:PORT/; the open page reloads itself after every render.")
    var serve = false

    @Option(help: "The port for --serve (0 picks a free one).")
    var port = 8080

    @Option(help: "The address --serve listens on (loopback by default).")
    var host = "127.0.0.1"

    /// For tests: stop after this many renders instead of running until interrupted.
    @Option(name: .customLong("stop-after"), help: .hidden)
    var stopAfter: Int?

    func run() throws {
        // A command-line mistake stops here, before the first render, like render's.
        try version.refuseConflicts(command: "watch")
        let progress = ProgressBar.automatic(quiet: false)
        // One line per step is enough on every save; training still shows its progress.
        let observer = renderObserver(progress, announceSteps: false)
        let notebook = target.notebook
        let live = serve ? try startLiveReport(host: host, port: port, outputDirectory: outputFolder(notebook)) : nil
        watchNotebook(path: notebook, interval: 0.5, renders: stopAfter) { changed in
            progress.say(changed ? "\n\(localTime(Date(), seconds: true)) \(notebook) changed: rendering again"
                                 : "\(localTime(Date(), seconds: true)) rendering \(notebook)")
            do {
                let outcome = try NotebookRunner().render(notebookPath: notebook, outputDirectory: target.outputDirectory, overrides: target.overrides,
                                                          report: version.options, observer: observer)
                progress.say(renderSummary(outcome))
                var failure: String?
                if let failed = outcome.failedStep {
                    failure = "\(notebook):\(failed.line): \(failed.stage): \(failed.error ?? "failed")"
                    printError(failure!)
                }
                live?.published(reportPath: outcome.reportURL.path, error: failure)
            } catch {
                // A notebook mid-edit is often invalid; say why and wait for the next save.
                printError("\(error)")
                live?.published(reportPath: nil, error: "\(error)")
            }
            progress.say("watching \(notebook) for changes (Ctrl-C to stop)")
        }
    }
}

extension Watch {
    /// The folder the report is written to: -o, or output/<notebook stem> as the runner picks it.
    func outputFolder(_ notebook: String) -> String {
        target.output ?? "output/" + URL(fileURLWithPath: notebook).deletingPathExtension().lastPathComponent
    }
}

/// One line on how a render went: time, the steps that ran and those from the cache, the report.
///
///     rendered in 1.32 s: ran evaluate, error-analysis, save; cached load, eda, preprocess, build, train → output/x/x.html
func renderSummary(_ outcome: RenderOutcome) -> String {
    func names(_ records: [StepRecord]) -> String { records.map(\.stage).joined(separator: ", ") }
    var parts: [String] = []
    if !outcome.ranSteps.isEmpty { parts.append("ran " + names(outcome.ranSteps)) }
    if !outcome.cachedSteps.isEmpty { parts.append("cached " + names(outcome.cachedSteps)) }
    let skipped = outcome.steps.filter { $0.status == .skipped }
    if !skipped.isEmpty { parts.append("skipped " + names(skipped)) }
    let verb = outcome.failed ? "failed after" : "rendered in"
    // A render from the cache takes a fraction of a second: two decimals say how much.
    let time = String(format: outcome.seconds < 10 ? "%.2f s" : "%.1f s", outcome.seconds)
    return "\(verb) \(time): \(parts.joined(separator: "; ")) → \(relativePath(outcome.reportURL))"
}

/// Calls `render(false)` at once, then `render(true)` after every change to the file at `path`, checked
/// every `interval` seconds. Returns after `renders` renders; runs forever when that is nil.
///
/// A change is a new modification time, size or inode (editors that save by renaming a new file over
/// the old one change only the inode, sometimes). A file that is missing for a moment while an editor
/// replaces it is waited for; a render starts once the file has stayed the same for 0.1 s, so a save
/// written in pieces is rendered once, whole.
func watchNotebook(path: String, interval: TimeInterval, renders: Int? = nil, render: (_ changed: Bool) -> Void) {
    var seen = FileStamp(path: path)
    render(false)
    var count = 1
    while renders.map({ count < $0 }) ?? true {
        Thread.sleep(forTimeInterval: interval)
        guard var current = FileStamp(path: path), current != seen else { continue }
        while true {
            Thread.sleep(forTimeInterval: 0.1)
            guard let settled = FileStamp(path: path) else { break }
            if settled == current { break }
            current = settled
        }
        // Taken before rendering: a save during the render is seen by the next check.
        seen = current
        render(true)
        count += 1
    }
}

/// What identifies a version of a file cheaply: modification time, size and inode.
struct FileStamp: Equatable {
    var modified: Date
    var size: UInt64
    var inode: UInt64

    init?(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date else { return nil }
        self.modified = modified
        size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
    }
}
