// The architecture diagrams of a notebook with several build steps: one file per model, each caption naming it.
import Foundation
import Notebook
@testable import Stages
import XCTest

final class ArchitectureFileTests: XCTestCase {
    /// Every diagram figure of a report: the inline SVG and the caption.
    func diagrams(_ html: String) -> [(svg: String, caption: String)] {
        let regex = try! NSRegularExpression(pattern: #"<figure class="diagram">\s*<div class="diagram-body">(.*?)</div>\s*<figcaption>([^<]*)</figcaption>"#,
                                             options: [.dotMatchesLineSeparators])
        let ns = html as NSString
        return regex.matches(in: html, range: NSRange(location: 0, length: ns.length)).map {
            (ns.substring(with: $0.range(at: 1)), ns.substring(with: $0.range(at: 2)))
        }
    }

    /// The one-build notebook keeps model_architecture.svg; adding a second build step gives each model its own
    /// files, and the first build's caption follows although its model and training come back from the cache.
    func testEachBuildStepWritesItsOwnDiagramAndItsCaptionNamesIt() throws {
        let folder = try temporaryFolder(self)
        let out = folder.appendingPathComponent("out")
        let single = tinyNotebook()
        let path = try writeNotebook(single, named: "tiny.md", in: folder)
        let first = try NotebookRunner().render(notebookPath: path, outputDirectory: out)
        let one = diagrams(try String(contentsOf: first.reportURL, encoding: .utf8))
        XCTAssertEqual(one.map(\.caption), ["Architecture of MNIST_CNN, laid out by Graphviz (model_architecture.svg)"])
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("model_architecture.svg"), encoding: .utf8),
                       "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n" + one[0].svg + "\n")

        _ = try writeNotebook(single + """


            ```build
            name: wide cnn/2
            layers:
              - flatten: {name: flatten}
              - dense: {units: 10, activation: softmax, name: output}
            ```

            ```train
            epochs: 1
            ```

            ```evaluate
            ```
            """, named: "tiny.md", in: folder)
        let second = try NotebookRunner().render(notebookPath: path, outputDirectory: out)
        XCTAssertFalse(second.failed)
        // The first model is not trained again: only its diagram's file name changed.
        XCTAssertEqual(second.steps.filter(\.cached).map(\.stage), ["load", "preprocess", "train", "evaluate"])
        let two = diagrams(try String(contentsOf: second.reportURL, encoding: .utf8))
        XCTAssertEqual(two.map(\.caption), ["Architecture of MNIST_CNN, laid out by Graphviz (model_architecture_MNIST_CNN.svg)",
                                            "Architecture of wide cnn/2, laid out by Graphviz (model_architecture_wide_cnn_2.svg)"])
        XCTAssertNotEqual(two[0].svg, two[1].svg)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
        for (stem, diagram) in zip(["model_architecture_MNIST_CNN", "model_architecture_wide_cnn_2"], two) {
            XCTAssertTrue(files.contains(stem + ".svg") && files.contains(stem + ".dot"), "\(files.sorted())")
            XCTAssertEqual(try String(contentsOf: out.appendingPathComponent(stem + ".svg"), encoding: .utf8),
                           "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n" + diagram.svg + "\n", stem)
            XCTAssertTrue(try String(contentsOf: out.appendingPathComponent(stem + ".dot"), encoding: .utf8).hasPrefix("digraph"), stem)
        }
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent(OutputManifest.fileName), encoding: .utf8)
            .split(separator: "\n").filter { $0.hasPrefix("model_architecture") }.sorted(),
                       ["model_architecture.dot", "model_architecture.svg", "model_architecture_MNIST_CNN.dot", "model_architecture_MNIST_CNN.svg",
                        "model_architecture_wide_cnn_2.dot", "model_architecture_wide_cnn_2.svg"])
    }

    /// Two builds with one name (or none that makes a file name) are told apart by their lines.
    func testBuildsSharingANameAreToldApartByLine() {
        func build(_ name: String, line: Int) -> ValidatedStep {
            ValidatedStep(stage: "build", line: line, column: 1, blockIndex: line, params: ["name": .string(name)])
        }
        let steps = [build("cnn", line: 3), ValidatedStep(stage: "train", line: 8, column: 1, blockIndex: 8, params: [:]),
                     build("cnn", line: 12), build("../x y", line: 20)]
        XCTAssertEqual([0, 2, 3].map { architectureFileStem($0, in: steps) },
                       ["model_architecture_cnn_line3", "model_architecture_cnn_line12", "model_architecture____x_y"])
        XCTAssertEqual(architectureFileStem(0, in: [build("cnn", line: 3)]), "model_architecture")
    }
}
