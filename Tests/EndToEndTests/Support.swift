import Foundation
import NeuralNet
import Stages
import XCTest

/// The package root, found from this file's path so tests work from any current directory.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A fresh temporary folder, removed when the test case ends.
func temporaryFolder(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mnistbook-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Writes a notebook into `folder` and returns its path.
func writeNotebook(_ text: String, named name: String, in folder: URL) throws -> String {
    let url = folder.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// The small CNN the tests train: one convolution block and a small dense head.
/// Parameters: conv1 80, bn1 32 (16 trainable), dense1 50,208, output 330: 50,650 in all, 16 non-trainable.
let smallLayers = """
    layers:
      - conv2d: {filters: 8, kernel: 3, activation: relu, name: conv1}
      - batchnorm: {name: bn1}
      - maxpool: {pool: 2, name: pool1}
      - flatten: {name: flatten}
      - dense: {units: 32, activation: relu, name: dense1}
      - dropout: {rate: 0.25}
      - dense: {units: 10, activation: softmax, name: output}
    """

/// A whole lifecycle on 1,200 training and 300 test images, one epoch.
func smallNotebook(train: String = "optimizer: adam\nlearning_rate: 0.001\nbatch_size: 64\nepochs: 1",
                   dataset: String = "mnist") -> String {
    """
    ---
    title: Small <lifecycle> & test
    author: End-to-end test
    date: 2025-01-31
    seed: 7
    ---

    # Problem

    Digits, **ten** classes.

    ```load
    dataset: \(dataset)
    validation_split: 0.2
    limit_train: 1200
    limit_test: 300
    ```

    ```eda
    samples: 10
    ```

    ```preprocess
    normalize: scale
    ```

    ## Model

    ```python
    model = keras.Sequential()  # shown, never run
    ```

    ```build
    name: Small_CNN
    \(smallLayers)
    diagram: {rankdir: LR}
    ```

    ```train
    \(train)
    ```

    ## Results

    ```evaluate
    ```

    ```error-analysis
    show: 10
    top_confusions: 5
    ```

    ```save
    name: small_cnn
    demo: 8
    ```
    """
}

/// Every stage in the order the small notebook has them.
let lifecycleStages = ["load", "eda", "preprocess", "build", "train", "evaluate", "error-analysis", "save"]

/// The text between the first `start` and the next `end` after it.
func excerpt(_ text: String, from start: String, to end: String) -> String? {
    guard let a = text.range(of: start), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return nil }
    return String(text[a.lowerBound..<b.upperBound])
}

/// Every match of a regular expression's first capture group.
func captures(_ pattern: String, in text: String) -> [String] {
    let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
    let ns = text as NSString
    return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
}

/// The section of the report for one step, from its opening tag to its closing tag.
func stepSection(_ html: String, stage: String) -> String? {
    guard let start = html.range(of: "<section class=\"step status-[a-z]+( warned)?\" id=\"step-\(stage)-line-[0-9]+\">",
                                 options: .regularExpression) else { return nil }
    guard let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex) else { return nil }
    return String(html[start.lowerBound..<end.upperBound])
}

func readJSON(_ url: URL) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    return try XCTUnwrap(object as? [String: Any])
}

/// The `mnistbook` built beside the tests.
var mnistbookExecutable: URL { Bundle.main.bundleURL.appendingPathComponent("mnistbook") }

/// Starts the built `mnistbook`; stdout and stderr go to files so neither pipe can fill up.
/// `environment` replaces variables of this process's environment (e.g. PATH) for the run.
func startMnistbook(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> (process: Process, stdout: URL, stderr: URL) {
    guard FileManager.default.isExecutableFile(atPath: mnistbookExecutable.path) else {
        throw XCTSkip("no mnistbook executable next to the tests at \(mnistbookExecutable.path)")
    }
    let out = folder.appendingPathComponent("stdout-\(UUID().uuidString)"), err = folder.appendingPathComponent("stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = mnistbookExecutable
    process.arguments = arguments
    process.currentDirectoryURL = folder
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    return (process, out, err)
}

/// Runs the built `mnistbook` to its end.
func mnistbook(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let run = try startMnistbook(arguments, in: folder, environment: environment)
    run.process.waitUntilExit()
    return (run.process.terminationStatus, try String(contentsOf: run.stdout, encoding: .utf8),
            try String(contentsOf: run.stderr, encoding: .utf8))
}

/// The engine encodes and the caller writes (Stages through Report's AtomicFile); the tests write plainly.
func writeModelFile(_ model: Model, metadata: ModelMetadata, to url: URL) throws {
    try Data(ModelFile.encode(weights: model.weights(), of: model, metadata: metadata, path: url.path)).write(to: url)
}

/// The load, preprocess and build steps of a dense network on `limitTrain` MNIST training images and 100 test
/// images (15 lines, and one more per hidden layer); `hidden` are the build's layers between flatten and the 10-class output.
func denseSteps(validationSplit: String = "0.2", limitTrain: Int = 300, hidden: [String] = []) -> String {
    """
    ```load
    dataset: mnist
    validation_split: \(validationSplit)
    limit_train: \(limitTrain)
    limit_test: 100
    ```

    ```preprocess
    ```

    ```build
    layers:
      - flatten: {name: flatten}
    \(hidden.map { "  - \($0)\n" }.joined())  - dense: {units: 10, activation: softmax, name: output}
    ```
    """
}

/// No training: a load and an eda step are enough to produce a report and metrics. `edaSamples` nil: eda's defaults.
func dataOnlyNotebook(edaSamples: Int? = nil) -> String {
    """
    ---
    title: Data only
    ---
    ```load
    limit_train: 500
    limit_test: 100
    ```

    ```eda
    \(edaSamples.map { "samples: \($0)\n" } ?? "")```
    """
}
