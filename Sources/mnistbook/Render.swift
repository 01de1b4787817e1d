import ArgumentParser
import Foundation
import Notebook
import Stages

/// `mnistbook render`: runs every step of a notebook and writes the report and its files.
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a notebook and write its HTML report, metrics.json and model files.",
        discussion: "The report goes to output/<notebook-stem>/<notebook-stem>.html unless -o names another folder.")

    @OptionGroup var target: NotebookTarget

    @Flag(help: "Run every step, even those with a cached result (fresh results are still cached).")
    var noCache = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Option(help: ArgumentHelp("Render once per value into <output>/sweep-<param>-<value>/ and compare them, e.g. "
        + "--sweep train.learning_rate=1e-4,1e-3,1e-2.", valueName: "stage.param=v1,v2,…"))
    var sweep: String?

    @Flag(help: "Also print the report to <stem>.pdf beside it through headless Chromium (chromium must be installed).")
    var pdf = false

    @OptionGroup var version: ReportVersionFlags

    func run() throws {
        // Asked for a PDF without a browser to print it: a command-line problem, found before anything runs.
        if pdf && sweep != nil {
            printError("render: --pdf prints one report; it cannot be combined with --sweep")
            throw ExitCode(2)
        }
        try version.refuseConflicts(command: "render")
        if sweep != nil && version.chosen {
            printError("render: --teacher, --handout and --present choose one report's version; they cannot be combined with --sweep")
            throw ExitCode(2)
        }
        if pdf && PDFPrinter.findBrowser() == nil {
            printError(PDFPrinter.missingBrowser)
            throw ExitCode(2)
        }
        let progress = ProgressBar.automatic(quiet: quiet)
        if let sweep { return try runSweep(sweep, progress: progress) }
        let outcome: RenderOutcome
        do {
            outcome = try NotebookRunner().render(notebookPath: target.notebook, outputDirectory: target.outputDirectory,
                                                  overrides: target.overrides, reuseCache: !noCache,
                                                  report: version.options,
                                                  observer: renderObserver(progress))
        } catch {
            printError("\(error)")
            // Exit 2: the notebook or the command line is invalid and nothing ran; 1: it could not be written.
            if case .invalidNotebook = error { throw ExitCode(2) }
            throw ExitCode.failure
        }
        let report = relativePath(outcome.reportURL)
        // Warnings go to standard error even with --quiet, like failures: the report shows them in amber too.
        for warning in outcome.warnings { printError(warning.line(path: target.notebook)) }
        if let failed = outcome.failedStep {
            printError("\(target.notebook):\(failed.line): \(failed.stage): \(failed.error ?? "failed")")
            printError("Partial report: \(report)")
            throw ExitCode.failure
        }
        progress.say(String(format: "Report: %@ (%d steps, %.1f s)", report, outcome.steps.count, outcome.seconds))
        if pdf {
            do {
                progress.say("PDF: " + relativePath(try PDFPrinter.print(report: outcome.reportURL)))
            } catch {
                printError("\(error)")
                throw ExitCode.failure
            }
        }
        if outcome.expectationFailed {
            for e in outcome.expectations where !e.passed {
                printError("\(target.notebook):\(e.line): \(e.stage): expectation failed: \(e.summary)")
            }
            throw ExitCode(3)
        }
    }
}

/// `mnistbook check`: parses and validates every step and runs nothing.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Parse and validate a notebook without running it.")

    @Argument(help: "The Markdown notebook.")
    var notebook: String

    @Option(name: [.customShort("P"), .customLong("set")], help: "Override a step parameter, as for render.")
    var overrides: [String] = []

    func run() throws {
        do {
            let (parsed, steps) = try checkNotebook(path: notebook, overrides: overrides)
            for warning in parsed.warnings { print(warning) }
            let questions = parsed.questionSummary.map { ", " + $0 } ?? ""
            let warned = parsed.warnings.isEmpty ? "" : " (\(parsed.warnings.count) warning\(parsed.warnings.count == 1 ? "" : "s") above)"
            print("\(notebook): \(steps.count) step\(steps.count == 1 ? "" : "s")\(questions), no problems found\(warned)")
            let ids = steps.idList
            if !ids.isEmpty { print("step ids: \(ids)") }
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
    }
}

/// Progress lines for a render: each step as it begins (unless `announceSteps` is false) and ends or
/// comes from the cache, training progress, and warnings on standard error even with --quiet.
func renderObserver(_ progress: ProgressBar, announceSteps: Bool = true) -> RunObserver {
    RunObserver(
        stepBegan: { stage, line in if announceSteps { progress.say("▶ \(stage) (line \(line))") } },
        stepEnded: { stage, seconds, failed in
            progress.say(String(format: "%@ %@ %.1f s", failed ? "✗" : "✓", stage, seconds))
        },
        training: progress.observer,
        message: { progress.say("  " + $0) },
        stepCached: { stage, computedAt in progress.say("✓ \(stage) cached (computed \(localTime(computedAt)))") },
        warning: { printError($0) })
}

/// `2025-01-31 09:30` in the local time zone, as the report shows when a cached step was computed.
func localTime(_ date: Date, seconds: Bool = false) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm"
    return formatter.string(from: date)
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// A path relative to the current directory when it is inside it, as a user would type it.
func relativePath(_ url: URL) -> String {
    let cwd = FileManager.default.currentDirectoryPath + "/"
    let path = url.standardizedFileURL.path
    return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
}
