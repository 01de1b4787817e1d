import ArgumentParser
import Foundation
import Report
import Stages

/// `mnistbook grade DIR…`: renders every notebook in the folders (one folder per student; cached steps
/// are reused) and writes one class page with each expectation's result and the key metrics.
struct Grade: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render every notebook in the folders and write one class page of their expectations.",
        discussion: """
            Each folder is a student; each *.md file in it is rendered into <folder>/output/<stem>/. With --teacher, --handout \
            or --present every report is that version, named as render names it (<stem>-teacher.html, …), the class page links \
            to it and its default name follows (grade-teacher.html, …).
            Exit status: 0 every expectation met; 1 a notebook failed to run or is invalid; 2 a folder is missing or holds no notebook \
            (nothing ran); 3 all ran but an expectation failed.
            """)

    @Argument(help: "Folders of student notebooks.")
    var folders: [String]

    @Option(name: .shortAndLong, help: "The class page to write (default grade.html; grade-teacher.html, grade-handout.html, … for another version).")
    var output: String?

    @Flag(help: "Run every step, even those with a cached result.")
    var noCache = false

    @OptionGroup var version: ReportVersionFlags

    func run() throws {
        try version.refuseConflicts(command: "grade")
        var students: [ClassPage.Student] = []
        // A teacher's grading never replaces the page of links to the students' reports.
        let page = URL(fileURLWithPath: output ?? version.options.reportName(stem: "grade")).standardizedFileURL
        // Every folder is checked before any notebook runs.
        var classes: [(folder: String, notebooks: [String])] = []
        for folder in folders {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                printError("grade: \(folder) is not a folder")
                throw ExitCode(2)
            }
            let notebooks = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { $0.hasSuffix(".md") }.sorted()
            guard !notebooks.isEmpty else {
                printError("grade: \(folder) holds no notebook (*.md)")
                throw ExitCode(2)
            }
            classes.append((folder, notebooks))
        }
        for (folder, notebooks) in classes {
            let student = URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
            for name in notebooks {
                let path = (folder as NSString).appendingPathComponent(name)
                let result = grade(path: path, student: student, relativeTo: page.deletingLastPathComponent())
                print("\(student)/\(name): \(result.passed ? "passed" : result.status == "complete" ? "expectation failed" : result.status)"
                    + " (\(result.checks.filter(\.passed).count) of \(result.checks.count) expectations met)")
                students.append(result)
            }
        }
        do {
            let options = version.options
            try ClassPage(students: students, layout: options.layout, reportVersion: options.versionLine)
                .html().write(to: page, atomically: true, encoding: .utf8)
        } catch {
            printError("grade: cannot write \(page.path): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        print("Class page: \(relativePath(page)) (\(students.filter(\.passed).count) of \(students.count) passed)")
        if students.contains(where: { $0.status != "complete" }) { throw ExitCode(1) }
        if students.contains(where: { !$0.passed }) { throw ExitCode(3) }
    }

    private func grade(path: String, student: String, relativeTo base: URL) -> ClassPage.Student {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("output").appendingPathComponent(stem)
        let notebook = URL(fileURLWithPath: path).lastPathComponent
        let outcome: RenderOutcome
        do {
            outcome = try NotebookRunner().render(notebookPath: path, outputDirectory: folder, reuseCache: !noCache,
                                                  report: version.options, observer: RunObserver(warning: { _ in }))
        } catch {
            let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            return ClassPage.Student(student: student, notebook: notebook, status: "invalid", problem: first, reportLink: nil,
                                     checks: [], metrics: [])
        }
        let problem = outcome.failedStep.map { "line \($0.line): \($0.stage) failed: \($0.error ?? "")" }
        return ClassPage.Student(student: student, notebook: notebook, status: outcome.failed ? "failed" : "complete", problem: problem,
                                 reportLink: relativeLink(outcome.reportURL, from: base), checks: outcome.expectations,
                                 metrics: keyMetrics(outcome.metricsURL))
    }

    /// test_accuracy, params_total and epochs_run from metrics.json, as text.
    private func keyMetrics(_ url: URL) -> [(String, String)] {
        guard let data = FileManager.default.contents(atPath: url.path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return ["test_accuracy", "params_total", "epochs_run"].map { key in
            switch object[key] {
            case let n as NSNumber where key == "test_accuracy": return (key, String(format: "%.4f", n.doubleValue))
            case let n as NSNumber: return (key, "\(n.intValue)")
            default: return (key, "–")
            }
        }
    }

    /// `url` relative to `base` when it lies under it, else its absolute file URL.
    private func relativeLink(_ url: URL, from base: URL) -> String {
        let b = base.standardizedFileURL.path + "/", p = url.standardizedFileURL.path
        return p.hasPrefix(b) ? String(p.dropFirst(b.count)) : url.standardizedFileURL.absoluteString
    }
}
