import Foundation
import XCTest

/// The command line's exit statuses and exact messages, run as a user runs it.
final class CommandLineTests: XCTestCase {
    func testCheckAcceptsTheShippedNotebook() throws {
        let folder = try temporaryFolder(self)
        let path = packageRoot.appendingPathComponent("notebooks/mnist-lifecycle.md").path
        let run = try mnistbook(["check", path], in: folder)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "\(path): 8 steps, no problems found\n")
    }

    func testCheckReportsEveryMistakeWithItsPositionAndExitsOne() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook("""
            # Title

            ```load
            dataset: mnist
            ```

            ```trian
            epochs: 2
            ```
            """, named: "nb.md", in: folder)
        let run = try mnistbook(["check", "nb.md", "--set", "load.validation_split=1.5"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, """
            --set load.validation_split=1.5: 'validation_split' must be in [0, 1), got 1.5
            nb.md:7:1: trian: unknown stage 'trian' (did you mean 'train'?)

            """)
    }

    func testRenderOfAnInvalidNotebookWritesNothing() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook("```load\ndataset: mnist\nvalidation_splot: 0.1\n```\n", named: "bad.md", in: folder)
        let run = try mnistbook(["render", "bad.md", "--quiet"], in: folder)
        XCTAssertEqual(run.status, 2, "an invalid notebook: nothing ran")
        XCTAssertEqual(run.stderr, "bad.md:3:1: load: unknown parameter 'validation_splot' (did you mean 'validation_split'?)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("output").path))
    }

    func testAnInvalidCommandLineExitsTwoWithItsUsage() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook("```load\ndataset: mnist\n```\n", named: "nb.md", in: folder)
        let run = try mnistbook(["render", "nb.md", "--quietly"], in: folder)
        XCTAssertEqual(run.status, 2, "an unknown flag: nothing ran")
        XCTAssertTrue(run.stderr.hasPrefix("Error: Unknown option '--quietly'"), run.stderr)
        XCTAssertTrue(run.stderr.contains("Usage: mnistbook render"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("output").path))
        let help = try mnistbook(["render", "--help"], in: folder)
        XCTAssertEqual(help.status, 0, "--help is not an error")
        XCTAssertTrue(help.stdout.contains("USAGE: mnistbook render"), help.stdout)
        let version = try mnistbook(["--version"], in: folder)
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("mnistbook 0.1 (oneDNN 2."), version.stdout)
    }

    func testCheckRefusesQuantisingAModelWithoutInt8Kernels() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook("""
            ```load
            dataset: mnist
            ```

            ```build
            layers:
              - residual: {filters: 8, name: block1}
              - global_avg_pool: {name: pool}
              - dense: {units: 10, activation: softmax}
            ```

            ```train
            epochs: 1
            ```

            ```save
            quantize: {mode: int8, calibration: 100}
            ```
            """, named: "nb.md", in: folder)
        let run = try mnistbook(["check", "nb.md"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("""
            nb.md:16:1: save: quantize: cannot quantise to int8: layer 'block1' is a residual block; \
            int8 models run conv2d, dense, maxpool and flatten only (remove quantize, or save a model without them)

            """), run.stderr)
        let plain = try mnistbook(["check", "nb.md", "--set", "save.quantize=false"], in: folder)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertEqual(plain.stdout, "nb.md: 4 steps, no problems found\n")
    }

    func testStepsListsEveryStageAndRejectsAnUnknownOne() throws {
        let folder = try temporaryFolder(self)
        let all = try mnistbook(["steps"], in: folder)
        XCTAssertEqual(all.status, 0)
        for stage in ["load", "eda", "preprocess", "build", "tune", "train", "evaluate", "error-analysis", "save", "inspect"] {
            XCTAssertTrue(all.stdout.contains("\n\(stage): "), "missing \(stage)")
        }
        let train = try mnistbook(["steps", "train"], in: folder)
        XCTAssertTrue(train.stdout.contains("learning_rate"))
        let unknown = try mnistbook(["steps", "trian"], in: folder)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stderr, "unknown stage 'trian' (did you mean 'train'?); stages: load, eda, preprocess, build, tune, train, evaluate, error-analysis, save, inspect\n")
    }
}
