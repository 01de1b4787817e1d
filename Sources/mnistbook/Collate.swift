import ArgumentParser
import Foundation
import Notebook
import Runs
import Stages

/// `mnistbook collate DIR…`: one class page over many students' render output folders.
struct Collate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Collate many rendered runs into one class page.",
        discussion: """
            A leaderboard by test accuracy, each run's parameters that differ from the reference notebook, \
            the curves overlaid, and each varied parameter against accuracy. Folders that are incomplete, \
            unreadable or from another notebook are listed with the reason. Without --reference, the \
            reference is each parameter's most common value.
            """)

    @Argument(help: "Render output folders (or their metrics.json).")
    var runs: [String]

    @Option(name: .shortAndLong, help: "The page to write (default: class.html in the current folder).")
    var output: String = "class.html"

    @Option(help: "The reference notebook the runs started from.")
    var reference: String?

    func run() throws {
        var referenceSteps: (notebook: String, steps: [RunMetrics.Step], dataset: String?)?
        if let reference {
            do {
                let (_, steps) = try checkNotebook(path: reference, overrides: [])
                referenceSteps = (reference, steps.map { RunMetrics.Step(stage: $0.stage, line: $0.line, params: $0.params.mapValues(jsonValue)) },
                                  steps.first { $0.stage == "load" }.map { $0.string("dataset") })
            } catch {
                printError("the reference notebook: \(error)")
                throw ExitCode(2)
            }
        }
        let collation = Collation(paths: runs, reference: referenceSteps)
        for left in collation.excluded { printError("left out: \(left.path): \(left.reason)") }
        try writePage(collatePage(collation), to: output)
    }
}

/// A validated parameter as the JSON metrics.json would hold.
func jsonValue(_ value: ParamValue) -> JSONValue {
    switch value {
    case .int(let v): return .number(Double(v))
    case .double(let v): return .number(v)
    case .bool(let v): return .bool(v)
    case .string(let v): return .string(v)
    case .list(let items): return .array(items.map(jsonValue))
    case .map(let members): return .object(members.mapValues(jsonValue))
    }
}
