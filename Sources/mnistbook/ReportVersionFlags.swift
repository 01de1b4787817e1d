import ArgumentParser
import Stages

/// `--teacher`, `--handout` and `--present`: which version of the report `render`, `watch` and `grade`
/// write. One definition, so the three commands cannot drift apart in meaning, file names or refusals.
struct ReportVersionFlags: ParsableArguments {
    @Flag(help: "The teacher's version, with the notebook's solution blocks, written to <stem>-teacher.html.")
    var teacher = false

    @Flag(help: "A compact version for paper (no checksum or array tables, smaller grids), written to <stem>-handout.html.")
    var handout = false

    @Flag(help: "A wide version with larger type and charts for a projector, written to <stem>-present.html.")
    var present = false

    var options: ReportOptions { ReportOptions(teacher: teacher, handout: handout, present: present) }

    /// Whether any version other than the students' full report was asked for.
    var chosen: Bool { teacher || handout || present }

    /// Refuses `--handout` with `--present` (exit 2, nothing run), in `command`'s name. Not ArgumentParser's
    /// `validate()`: its refusals print the usage and a different text, and this one must read the same everywhere.
    func refuseConflicts(command: String) throws {
        if handout && present {
            printError("\(command): --handout and --present are two layouts of the report; choose one")
            throw ExitCode(2)
        }
    }
}
