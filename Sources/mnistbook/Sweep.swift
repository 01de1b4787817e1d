import ArgumentParser
import Foundation
import Runs
import Stages

/// `render --sweep stage.param=v1,v2,v3`: one render per value, each as `--set stage.param=v` would
/// make it, into `<output>/sweep-<param>-<value>/`, all sharing one step cache (so the steps before
/// the swept one run once), then one comparison page over them all.
struct Sweep {
    var stage: String
    /// The parameter after the stage, dotted for a member (`early_stopping.patience`).
    var parameter: String
    var values: [String]

    /// Parses `stage.param=v1,v2`; commas inside brackets belong to a value (`[3, 3]`).
    init(_ raw: String) throws(SweepError) {
        guard let equals = raw.firstIndex(of: "=") else {
            throw SweepError("--sweep \(raw): expected stage.parameter=value1,value2,…, for example train.learning_rate=1e-4,1e-3,1e-2")
        }
        let name = String(raw[..<equals])
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw SweepError("--sweep \(raw): expected stage.parameter=value1,value2,…, for example train.learning_rate=1e-4,1e-3,1e-2")
        }
        stage = parts[0]
        parameter = parts[1]
        values = splitTopLevel(String(raw[raw.index(after: equals)...]))
        guard values.count >= 2 else { throw SweepError("--sweep \(raw): give at least two values, separated by commas") }
        guard values.count <= 24 else { throw SweepError("--sweep \(raw): \(values.count) values; a sweep renders at most 24") }
        guard Set(values).count == values.count else { throw SweepError("--sweep \(raw): a value is repeated") }
    }

    func override(_ value: String) -> String { "\(stage).\(parameter)=\(value)" }

    /// `sweep-learning_rate-0.001`: characters other than letters, digits, `.`, `_` and `-` become `_`.
    func folderName(_ value: String) -> String {
        let safe = String(value.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" })
        return "sweep-\(parameter)-\(safe)"
    }
}

struct SweepError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Splits on commas outside `[…]` and `{…}`, trimming spaces.
func splitTopLevel(_ text: String) -> [String] {
    var parts: [String] = [], current = "", depth = 0
    for ch in text {
        if ch == "[" || ch == "{" { depth += 1 }
        if ch == "]" || ch == "}" { depth -= 1 }
        if ch == ",", depth == 0 { parts.append(current); current = ""; continue }
        current.append(ch)
    }
    parts.append(current)
    return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

extension Render {
    /// Validates every value first (as --set would, nothing runs if one is wrong), renders each, writes the page.
    func runSweep(_ raw: String, progress: ProgressBar) throws {
        let sweep: Sweep
        do {
            sweep = try Sweep(raw)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        var problems: [String] = []
        for value in sweep.values {
            do {
                _ = try checkNotebook(path: target.notebook, overrides: target.overrides + [sweep.override(value)])
            } catch {
                problems.append("\(error)".replacingOccurrences(of: "--set \(sweep.override(value))", with: "--sweep \(raw) (value \(value))"))
            }
        }
        if !problems.isEmpty {
            printError(Array(NSOrderedSet(array: problems)).map { "\($0)" }.joined(separator: "\n"))
            throw ExitCode(2)   // the notebook or the flag is invalid: nothing ran
        }
        let stem = URL(fileURLWithPath: target.notebook).deletingPathExtension().lastPathComponent
        let base = target.outputDirectory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("output").appendingPathComponent(stem)
        let sharedCache = base.appendingPathComponent(".cache")
        var folders: [URL] = []
        var failed: [String] = []
        for value in sweep.values {
            let folder = base.appendingPathComponent(sweep.folderName(value))
            progress.say("── \(sweep.stage).\(sweep.parameter) = \(value) → \(relativePath(folder))")
            do {
                let outcome = try NotebookRunner().render(notebookPath: target.notebook, outputDirectory: folder,
                                                          overrides: target.overrides + [sweep.override(value)], reuseCache: !noCache,
                                                          cacheDirectory: sharedCache, observer: renderObserver(progress))
                if let step = outcome.failedStep {
                    failed.append("\(value): \(target.notebook):\(step.line): \(step.stage): \(step.error ?? "failed")")
                }
                folders.append(folder)
            } catch {
                printError("\(error)")
                throw ExitCode.failure
            }
        }
        let page: URL = base.appendingPathComponent("sweep-\(sweep.parameter).html")
        do {
            let runs = try folders.map { (folder) throws(RunError) -> Run in try Run.read(folder.path) }
            try writePage(comparePage(try Comparison(runs), title: "Sweep of \(sweep.stage).\(sweep.parameter): "
                + sweep.values.joined(separator: ", ")), to: page.path)
        } catch let error as RunError {
            printError("\(error)")
            throw ExitCode(2)
        }
        if !failed.isEmpty {
            printError("failed: " + failed.joined(separator: "\n"))
            throw ExitCode.failure
        }
    }
}
