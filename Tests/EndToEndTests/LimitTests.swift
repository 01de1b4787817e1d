import Foundation
import NeuralNet
import Notebook
import Stages
import XCTest

/// Sizes that used to pass `check` and then trap at run time (an Int overflow, a failed allocation),
/// and inputs that used to hang: each is now a clear error before anything runs, or a failed step.
final class LimitTests: XCTestCase {
    /// `column` of the first occurrence of `text` on the line that holds it, 1-based.
    private func position(of text: String, in source: String) -> String {
        let line = source.components(separatedBy: "\n").first { $0.contains(text) }!
        let column = line.distance(from: line.startIndex, to: line.range(of: text)!.lowerBound) + 1
        return "\(lineNumber(of: text, in: source)):\(column)"
    }

    func testSizesAboveTheLimitsAreRefusedByCheck() throws {
        let folder = try temporaryFolder(self)
        let source = smallNotebook()
            .replacingOccurrences(of: "filters: 8, kernel: 3", with: "filters: 100000000, kernel: 9223372036854775807")
            .replacingOccurrences(of: "units: 32,", with: "units: 1000000000,")
            .replacingOccurrences(of: "{pool: 2,", with: "{pool: 0,")
        _ = try writeNotebook(source, named: "nb.md", in: folder)
        let run = try mnistbook(["check", "nb.md"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, """
            nb.md:\(position(of: "filters: 1", in: source)): build: 'filters' must be in [1, 4096], got 100000000
            nb.md:\(position(of: "kernel: 9", in: source)): build: 'kernel' must be in [1, 64], got 9223372036854775807
            nb.md:\(position(of: "pool: 0", in: source)): build: 'pool' must be in [1, 64], got 0
            nb.md:\(position(of: "units: 1", in: source)): build: 'units' must be in [1, 65536], got 1000000000

            """)
        // The same figures as the engine's, which a model file is held to.
        for (type, parameter, limit) in [("conv2d", "filters", ArchitectureLimits.filters), ("conv2d", "kernel", ArchitectureLimits.kernel),
                                         ("conv2d", "strides", ArchitectureLimits.stride), ("maxpool", "pool", ArchitectureLimits.pool),
                                         ("dense", "units", ArchitectureLimits.units)] {
            guard case .int(let range?) = StageRegistry.standard.schema.layerSpec(for: type)?.parameters[named: parameter]?.type else {
                return XCTFail("\(type).\(parameter) has no range")
            }
            XCTAssertEqual(range, NumberRange.size(upTo: limit), "\(type).\(parameter)")
        }
    }

    func testAModelTooBigForTheMachineIsRefusedAtItsLayerWithTheFigure() throws {
        let folder = try temporaryFolder(self)
        // Every size within its bound, but 4096 filters at 14×14 into 65,536 units is 52 billion weights.
        let source = smallNotebook()
            .replacingOccurrences(of: "filters: 8,", with: "filters: 4096,")
            .replacingOccurrences(of: "units: 32,", with: "units: 65536,")
        _ = try writeNotebook(source, named: "big.md", in: folder)
        let run = try mnistbook(["check", "big.md"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "big.md:\(position(of: "- dense: {units: 65536", in: source).replacingOccurrences(of: ":3", with: ":5")): "
                       + "build: layer 'dense1': the model has 52,614,127,626 parameters (52,613,414,912 in this layer), "
                       + "which need 1.1 TiB to train; the limit is 8 GiB\n")
        // render refuses it the same way, before running anything.
        let render = try mnistbook(["render", "big.md", "--quiet"], in: folder)
        XCTAssertEqual(render.status, 2, "refused before running: the notebook is invalid")
        XCTAssertEqual(render.stderr, run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("output").path))
    }

    func testEverySizeOfEveryStageHasAnUpperBound() {
        // Every integer parameter (and member) has a finite upper bound that check enforces.
        func unbounded(_ specs: [ParameterSpec], _ prefix: String) -> [String] {
            specs.flatMap { spec -> [String] in
                switch spec.type {
                case .int(let range): return range?.upper == nil ? [prefix + spec.name] : []
                case .map(let members, _): return unbounded(members, prefix + spec.name + ".")
                default: return []
                }
            }
        }
        let stages = StageRegistry.standard.schema.stages.flatMap { unbounded($0.parameters, $0.name + ".") }
        let layers = StageRegistry.standard.schema.layers.flatMap { unbounded($0.parameters, $0.type + ".") }
        XCTAssertEqual(stages + layers, [])
    }

    func testABatchSizeTooBigForTheMachineIsBlamedOnItsFlag() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(smallNotebook(), named: "nb.md", in: folder)
        let run = try mnistbook(["check", "nb.md", "--set", "train.batch_size=60000"], in: folder)
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stderr, "--set train.batch_size=60000: layer 'conv1': training with batch size 60000 needs about 11.1 GiB "
                       + "(this layer's output is 28×28×8 per image); the limit is 8 GiB: use a smaller batch_size or a smaller layer\n")
    }

    func testTheLargestBatchSizeIsAClearErrorNotATrap() throws {
        let folder = try temporaryFolder(self)
        _ = try writeNotebook(smallNotebook(), named: "nb.md", in: folder)
        let run = try mnistbook(["render", "nb.md", "--quiet", "--set", "train.batch_size=9223372036854775807"], in: folder)
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertEqual(run.stderr, "--set train.batch_size=9223372036854775807: 'batch_size' must be in [1, 65536], got 9223372036854775807\n")
    }

    /// A folder dataset's shape is known only when it is read: a model too big for it fails its build
    /// step in the report (exit 1), and nothing traps.
    func testAModelTooBigForAFolderDatasetFailsItsStepInPlace() throws {
        let folder = try temporaryFolder(self)
        try writeIDXDataset(in: folder.appendingPathComponent("digits"))
        let source = smallNotebook(dataset: "digits")
            .replacingOccurrences(of: "limit_train: 1200\nlimit_test: 300\n", with: "")
            .replacingOccurrences(of: "filters: 8,", with: "filters: 4096,")
            .replacingOccurrences(of: "units: 32,", with: "units: 65536,")
        _ = try writeNotebook(source, named: "folder.md", in: folder)
        XCTAssertEqual(try mnistbook(["check", "folder.md"], in: folder).status, 0, "the folder's shape is unknown to check")
        let run = try mnistbook(["render", "folder.md", "--quiet"], in: folder)
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("build: layer 'dense1': the model has 52,614,127,626 parameters"), run.stderr)
        let html = try String(contentsOf: folder.appendingPathComponent("output/folder/folder.html"), encoding: .utf8)
        XCTAssertTrue(try XCTUnwrap(stepSection(html, stage: "build")).contains("status-failed"))
        XCTAssertTrue(try XCTUnwrap(stepSection(html, stage: "train")).contains("status-skipped"))
    }

    func testAFIFOInADatasetFolderIsRefusedNotWaitedFor() throws {
        let folder = try temporaryFolder(self)
        let data = folder.appendingPathComponent("piped")
        try writeIDXDataset(in: data)
        let fifo = data.appendingPathComponent("train-images-idx3-ubyte")
        try FileManager.default.removeItem(at: fifo)
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        _ = try writeNotebook(smallNotebook(dataset: "piped"), named: "fifo.md", in: folder)
        let run = try startMnistbook(["render", "fifo.md", "--quiet"], in: folder)
        let deadline = Date().addingTimeInterval(60)
        while run.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if run.process.isRunning {
            run.process.terminate()
            return XCTFail("render waited on the FIFO for a minute")
        }
        XCTAssertEqual(run.process.terminationStatus, 1)
        let stderr = try String(contentsOf: run.stderr, encoding: .utf8)
        XCTAssertTrue(stderr.contains("cannot load dataset 'piped': \(fifo.path): is a FIFO (named pipe), not a regular file"), stderr)
    }
}

/// Four raw IDX files of 28×28 images, 50 for training and 20 for testing, ten classes.
func writeIDXDataset(in folder: URL) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    func bigEndian(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    for (prefix, count) in [("train", 50), ("t10k", 20)] {
        var images = bigEndian(0x803) + bigEndian(count) + bigEndian(28) + bigEndian(28)
        for i in 0..<count { images += (0..<784).map { UInt8(($0 * 3 + i * 17) & 0xff) } }
        try Data(images).write(to: folder.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
        let labels = bigEndian(0x801) + bigEndian(count) + (0..<count).map { UInt8($0 % 10) }
        try Data(labels).write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
    }
}
