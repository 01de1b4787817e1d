import Stages
import XCTest
@testable import Notebook

/// The whole lifecycle with PRODUCT.md's reference parameters, written out as a teacher would.
final class LifecycleNotebookTests: XCTestCase {
    static let source = """
        ---
        title: MNIST Handwritten Digit Classification
        author: Course staff
        seed: 42                       # one seed drives shuffling, init, dropout
        ---

        # Problem definition

        Classify 28×28 grey images of handwritten digits into ten classes.

        ## Data

        ```load
        dataset: mnist
        validation_split: 0.2
        ```

        ```eda
        samples: 25
        mean_images: true
        ```

        ```preprocess
        normalize: scale
        one_hot: true
        ```

        ## Model

        ```build
        name: MNIST_CNN
        layers:
          - conv2d: {filters: 32, kernel: 3, padding: same, activation: relu, name: conv1}
          - batchnorm: {name: bn1}
          - maxpool: {pool: 2, name: pool1}
          - conv2d: {filters: 64, kernel: 3, padding: same, activation: relu, name: conv2}
          - batchnorm: {name: bn2}
          - maxpool: {pool: 2, name: pool2}
          - conv2d: {filters: 64, kernel: 3, padding: same, activation: relu, name: conv3}
          - batchnorm: {name: bn3}
          - flatten: {name: flatten}
          - dense: {units: 128, activation: relu, name: dense1}
          - dropout: {rate: 0.5, name: dropout}
          - dense: {units: 10, activation: softmax, name: output}
        diagram: {rankdir: TB, show_shapes: true}
        ```

        The same in Keras, for comparison (never run):

        ```python
        model = keras.Sequential([...])
        ```

        ## Training

        ```train
        optimizer: adam
        learning_rate: 0.001
        batch_size: 64
        epochs: 20
        shuffle: true
        early_stopping: {monitor: val_loss, patience: 3, restore_best_weights: true}
        reduce_lr_on_plateau: {monitor: val_loss, factor: 0.5, patience: 2, min_lr: 1e-6}
        model_checkpoint: {monitor: val_accuracy, save_best_only: true}
        ```

        ## Results

        ```evaluate
        split: test
        ```

        ```error-analysis
        show: 25
        top_confusions: 10
        ```

        ```save
        name: mnist_cnn
        formats: [mnistbook, onnx]
        demo: 10
        ```
        """

    func testLifecycleNotebookValidatesCleanly() throws {
        let notebook = Notebook.parse(source: Self.source, path: "notebooks/mnist.md")
        XCTAssertEqual(notebook.diagnostics, [])
        XCTAssertEqual(notebook.frontMatter, FrontMatter(title: "MNIST Handwritten Digit Classification",
                                                         author: "Course staff", seed: 42))
        let steps = try validate(notebook)
        // Every stage but the optional ones: tune searches, inspect looks inside; the reference project does neither.
        XCTAssertEqual(steps.map(\.stage), testSchema.stageNames.filter { $0 != "tune" && $0 != "inspect" })
        XCTAssertEqual(steps.map(\.line), [13, 18, 23, 30, 56, 69, 73, 78])
        // Written out in full, every step equals the defaults: the notebook is the reference project.
        for step in steps {
            XCTAssertEqual(step.params, testSchema.spec(for: step.stage)?.defaults, step.stage)
        }
        XCTAssertEqual(steps[3].layerPositions.first, SourcePosition(line: 33, column: 5))
        XCTAssertEqual(steps[3].layerPositions.count, 12)
        XCTAssertEqual(notebook.headings.map(\.id), ["problem-definition", "data", "model", "training", "results"])
        XCTAssertTrue(notebook.blocks.contains(.code(CodeBlock(language: "python", text: "model = keras.Sequential([...])\n", line: 50))))
    }
}
