import Foundation
import Notebook
@testable import Stages
import NeuralNet
import Tensor
import XCTest

/// Fuzzing: generated notebooks and `--set` flags through the parser, validation and the whole of
/// `check` (architecture, memory, dataset folders). Any Swift trap ends the test process; every
/// input must give a notebook or a list of diagnostics.
final class NotebookFuzzTests: XCTestCase {
    static let tokens: [String] = [
        "\n", "\r", "\r\n", "```", "```train\n", "```build\n", "---\n", ":", ": ", " ", "  ", "{", "}", "[", "]", "- ", "#", "!",
        "![x](a.png)", "![y](http://h/p.png)", "9223372036854775807", "-9223372036854775808", "99999999999999999999",
        "1e400", "1e-400", ".nan", ".inf", "-.inf", "0", "-1", "0x10", "&a ", "*a", "<<: *a", "\u{0}", "\t", "é", "🙂",
        "null", "~", "true", "false", "kernel: ", "units: ", "filters: ", "stride: ", "pool: ", "batch_size: ", "epochs: ",
        "seed: ", "limit_train: ", "samples: ", "show: ", "demo: ", "rate: ", "momentum: ", "layers:\n  - ",
        "dense: {units: ", "conv2d: {filters: ", "maxpool: {pool: ", "dataset: ", "name: ", "../", "'", "\"", "|\n", ">\n",
        "!!binary ", "!!python/object ", "%YAML 1.1\n", "? ", ",",
    ]
    static let numbers = ["0", "1", "-1", "2", "3", "64", "4096", "4097", "65536", "65537", "2147483648", "1000000000000",
                          "9223372036854775807", "99999999999999999999", "1e12", "0.5", "-0.0", ".nan", ".inf"]

    func testGeneratedNotebooksAndFlagsNeverTrap() throws {
        let base = Array(try String(contentsOf: packageRoot.appendingPathComponent("notebooks/mnist-lifecycle.md"), encoding: .utf8).utf8)
        let schema = StageRegistry.standard.schema
        var rng = SeededGenerator(seed: 2026)
        var accepted = 0, refused = 0
        for _ in 0..<2500 {
            var bytes = base
            for _ in 0..<(1 + rng.below(5)) { mutate(&bytes, &rng) }
            let notebook = Notebook.parse(source: String(decoding: bytes, as: UTF8.self), path: "/nonexistent-fuzz/nb.md", schema: schema)
            let overrides = (0..<rng.below(3)).map { _ in randomOverride(&rng) }
            switch validateNotebook(notebook, schema: schema, overrides: overrides) {
            case .success(let steps):
                if stageProblems(steps, stages: .standard, path: notebook.path).isEmpty { accepted += 1 } else { refused += 1 }
            case .failure(let list):
                XCTAssertFalse(list.diagnostics.isEmpty)
                refused += 1
            }
        }
        XCTAssertEqual(accepted + refused, 2500)
        XCTAssertGreaterThan(refused, 500, "the mutations reach the checks")
    }

    private func mutate(_ bytes: inout [UInt8], _ rng: inout SeededGenerator) {
        let at = rng.below(bytes.count + 1)
        switch rng.below(4) {
        case 0:
            bytes.insert(contentsOf: Array(Self.tokens[rng.below(Self.tokens.count)].utf8), at: at)
        case 1:
            bytes.removeSubrange(at..<min(bytes.count, at + 1 + rng.below(40)))
        case 2:
            // Replace the next number after `at` by an interesting one.
            guard let start = bytes[at...].firstIndex(where: { (48...57).contains($0) }) else { return }
            let end = bytes[start...].firstIndex { !(48...57).contains($0) } ?? bytes.count
            bytes.replaceSubrange(start..<end, with: Array(Self.numbers[rng.below(Self.numbers.count)].utf8))
        default:
            // Repeat a line elsewhere (duplicate keys, steps, fences).
            let lines = bytes.split(separator: 10, omittingEmptySubsequences: false)
            let line = lines[rng.below(lines.count)]
            bytes.insert(contentsOf: Array(line) + [10], at: at)
        }
    }

    private func randomOverride(_ rng: inout SeededGenerator) -> String {
        let stages = StageRegistry.standard.schema.stages
        let stage = stages[rng.below(stages.count)]
        let parameter = stage.parameters[rng.below(stage.parameters.count)].name
        let values = Self.numbers + ["adam", "x", "", "[]", "{}", "../x", "true", "[1, 2]", "{patience: 99999999999999999999}"]
        let key = rng.below(10) == 0 ? "\(stage.name).\(parameter).patience" : "\(stage.name).\(parameter)"
        return rng.below(20) == 0 ? "garbage\(rng.below(9))" : "\(key)=\(values[rng.below(values.count)])"
    }
}

/// The fuzz tests draw from the engine's seeded generator, so a failure reproduces; `below` is 0
/// where a mutation meets an empty file.
extension SeededGenerator {
    mutating func below(_ n: Int) -> Int { n > 0 ? next(below: n) : 0 }
}
